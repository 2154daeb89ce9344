/* SPDX-License-Identifier: ISC */
/*
 * jail_probe [-n] [DIR...]: what a process jailed as a wsinetd hello or
 * echo connection is (src/engine/jail.c, JAIL_SERVICE) may still do, one
 * fact per line on standard output. Run as a unit's ExecStart= to see
 * the jail and the unit's sandbox together; with -n it does not jail
 * itself (the negative control). It tries and reports, never asserts:
 *   inet: / inet6:   socket(AF_INET[6], SOCK_STREAM)
 *   write DIR:       creating a file in each DIR (removed again)
 *   proc:            how many other processes /proc shows, or refused
 *   signal init:     kill(1, 0)
 */
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jail.h"

static void
report(const char *what, int rc)
{
	if (rc == 0)
		printf("%s: allowed\n", what);
	else
		printf("%s: refused (%s)\n", what, strerror(errno));
}

static int
try_socket(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

static int
try_write(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/.jail-probe.%ld", dir, (long)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return -1;
	close(fd);
	unlink(path);
	return 0;
}

/* Processes /proc shows but this one, or -1. */
static long
others(void)
{
	struct dirent *e;
	long n = 0, self = (long)getpid();
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    atol(e->d_name) != self)
			n++;
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	struct jail j = { .mode = JAIL_SERVICE, .read_dirfd = -1 };
	char err[256], what[4200];
	int i = 1;
	long n;

	if (argc > 1 && strcmp(argv[1], "-n") == 0)
		i = 2;
	else if (jail_enter(&j, err, sizeof(err)) == -1) {
		printf("jail: %s\n", err);
		return 1;
	}
	report("inet", try_socket(AF_INET));
	report("inet6", try_socket(AF_INET6));
	for (; i < argc; i++) {
		snprintf(what, sizeof(what), "write %s", argv[i]);
		report(what, try_write(argv[i]));
	}
	if ((n = others()) >= 0)
		printf("proc: %ld others\n", n);
	else
		report("proc", -1);
	report("signal init", kill(1, 0));
	return fflush(stdout) == 0 ? 0 : 1;
}
