/* SPDX-License-Identifier: ISC */
/*
 * The systemd interfaces wsinetd uses, at no start-up cost. Linking
 * libsystemd makes every start load it and the libraries it needs
 * (libgcrypt, liblzma, libzstd, liblz4, libcap) and run their
 * constructors: more than the rest of a session costs. LISTEN_FDS is a
 * few environment variables (sd_listen_fds(3)) and the journal's native
 * protocol one datagram of "FIELD=value" lines
 * (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/), so both are done here
 * and wsinetd links nothing but libc, statically.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "sd.h"

_Static_assert(SD_FIRST_FD == SD_LISTEN_FDS_START, "systemd's first fd");
/* Same contract as libsystemd's, checked by the compiler. */
_Static_assert(sizeof(&sd_journal_sendv == &sd_journal_sendv_lazy) > 0,
    "sd_journal_sendv_lazy has sd_journal_sendv's type");

/* A log entry is a few short fields; journald itself takes up to the
 * socket's datagram limit and larger ones through a memfd, which our
 * bounded log lines never need. */
#define JOURNAL_DGRAM_MAX 8192
#ifndef JOURNAL_SOCKET
#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#endif

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

static void
forget_env(void)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
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

/* One field of the journal's native protocol: "NAME=value\n", or, when
 * the value holds a newline, "NAME\n", its length as 64-bit little
 * endian, the value and "\n". Returns the new length, or 0 when the
 * field is malformed or does not fit. */
static size_t
put_field(uint8_t *out, size_t o, size_t cap, const struct iovec *f)
{
	const char *p = f->iov_base, *eq = memchr(p, '=', f->iov_len);
	size_t name, vlen, i;

	if (eq == NULL || eq == p)
		return 0;
	name = (size_t)(eq - p);
	vlen = f->iov_len - name - 1;
	if (memchr(eq + 1, '\n', vlen) == NULL) {
		if (cap - o < f->iov_len + 1)
			return 0;
		memcpy(out + o, p, f->iov_len);
		out[o + f->iov_len] = '\n';
		return o + f->iov_len + 1;
	}
	if (cap - o < name + 1 + 8 + vlen + 1)
		return 0;
	memcpy(out + o, p, name);
	o += name;
	out[o++] = '\n';
	for (i = 0; i < 8; i++)
		out[o++] = (uint8_t)((uint64_t)vlen >> (8 * i));
	memcpy(out + o, eq + 1, vlen);
	o += vlen;
	out[o++] = '\n';
	return o;
}

int
sd_journal_sendv_lazy(const struct iovec *iov, int n)
{
	static const struct sockaddr_un journal = { AF_UNIX, JOURNAL_SOCKET };
	static int fd = -1;
	uint8_t dgram[JOURNAL_DGRAM_MAX];
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		if ((len = put_field(dgram, len, sizeof(dgram), &iov[i])) == 0)
			return -EMSGSIZE;
	if (fd == -1 &&
	    (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	if (sendto(fd, dgram, len, MSG_NOSIGNAL,
		(const struct sockaddr *)&journal, sizeof(journal)) == -1)
		return -errno;
	return 0;
}
