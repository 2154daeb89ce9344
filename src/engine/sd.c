/* SPDX-License-Identifier: ISC */
/*
 * The systemd interfaces wsinetd uses, at no start-up cost. Linking
 * libsystemd makes every start load it and the libraries it needs
 * (libgcrypt, liblzma, libzstd, liblz4, libcap) and run their
 * constructors: more than the rest of a session costs. LISTEN_FDS is a
 * few environment variables (sd_listen_fds(3)), so it is done here, and
 * the journal's native protocol is log.c's; wsinetd links nothing but
 * libc, statically.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "sd.h"

_Static_assert(SD_FIRST_FD == SD_LISTEN_FDS_START, "systemd's first fd");

/* A whole decimal number in [0, max], or -1. */
static long
env_number(const char *name, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

/* unsetenv only what is there: it takes glibc's environment lock even
 * for a name it does not find, which writes a page of .bss in every
 * inetd-style process. */
static void
forget(const char *name)
{
	if (getenv(name) != NULL)
		unsetenv(name);
}

static void
forget_env(void)
{
	forget("LISTEN_PID");
	forget("LISTEN_FDS");
	forget("LISTEN_FDNAMES");
}

int
sd_fds_passed(void)
{
	long pid, n, fd;
	int r = 0;

	if (getenv("LISTEN_PID") == NULL)
		goto out;
	pid = env_number("LISTEN_PID", LONG_MAX);
	if (pid < 1) {
		r = -EINVAL;
		goto out;
	}
	if (pid != (long)getpid())
		goto out; /* meant for a process that exec'd us */
	n = env_number("LISTEN_FDS", INT_MAX - SD_FIRST_FD);
	if (n < 0) {
		r = -EINVAL;
		goto out;
	}
	for (fd = SD_FIRST_FD; fd < SD_FIRST_FD + n; fd++)
		if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) == -1) {
			r = -errno;
			goto out;
		}
	r = (int)n;
out:
	forget_env();
	return r;
}

int
sd_fd_is_stream(int fd, int want_listening)
{
	struct stat st;
	int type = 0, listening = 0;
	socklen_t len = sizeof(type);

	if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_STREAM)
		return 0;
	len = sizeof(listening);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == -1)
		return 0;
	return !!listening == !!want_listening;
}
