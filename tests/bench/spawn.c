/* SPDX-License-Identifier: ISC */
/*
 * Start-up cost of a program: posix_spawn + waitpid in a loop, with fds
 * 0-2 on /dev/null, so wsinetd sees EOF at once and exits. Prints the
 * median over rounds of the mean per start, in milliseconds.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double
round_ms(char **argv, int n, posix_spawn_file_actions_t *fa)
{
	struct timespec a, b;
	pid_t pid;
	int i, st;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (posix_spawn(&pid, argv[0], fa, NULL, argv, environ) != 0) {
			perror(argv[0]);
			exit(1);
		}
		waitpid(pid, &st, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) /
	    n;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	double ms[15];
	int i, n, rounds;

	if (argc < 4 || (n = atoi(argv[1])) < 1 ||
	    (rounds = atoi(argv[2])) < 1 || rounds > 15) {
		fprintf(stderr,
		    "usage: spawn STARTS ROUNDS(1-15) PROGRAM [ARG...]\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (i = 0; i < rounds; i++)
		ms[i] = round_ms(argv + 3, n, &fa);
	qsort(ms, (size_t)rounds, sizeof(ms[0]), cmp);
	printf("%.3f\n", ms[rounds / 2]);
	return 0;
}
