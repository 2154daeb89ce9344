/* SPDX-License-Identifier: ISC */
/*
 * Starting a child program on three pipes, in a process group of its
 * own, and learning when it exits without racing SIGCHLD.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <stddef.h>
#include <sys/types.h>

struct child {
	pid_t pid; /* also its process group */
	int in_fd, out_fd, err_fd; /* our ends: write, read, read */
};

/* Notes which signals are not at their default (ignored, or handled):
 * the child sets those back. Once per process; a listener calls it
 * before it forks, so that its children need not ask. */
void spawn_learn_signals(void);
/* Sets SIGCHLD to its default and blocks it; returns a signalfd for it
 * (readable after a child changed state) or -1. Call before
 * spawn_start. */
int spawn_init(void);
/* Runs argv[0] (searched in PATH, no shell) with envp, its stdin, stdout
 * and stderr on pipes, every other fd closed, SIGPIPE and every other
 * signal at its default, an empty signal mask, in a new session. The
 * child shares our memory until its exec (clone with CLONE_VM and
 * CLONE_VFORK), so starting it copies no page tables. Our ends are
 * non-blocking and close-on-exec. -1 with errno when nothing runs: *exec_failed says
 * whether the program itself could not be run (not found, not
 * executable) rather than the system refusing a process or a pipe. */
int spawn_start(struct child *ch, char *const argv[], char *const envp[],
    int *exec_failed);
/* Empties the signalfd and reaps pid if it has exited: 1 with *status set, 0 while it runs. */
int spawn_reap(pid_t pid, int *status);
/* "exit 3" or "signal 9". */
void spawn_describe(int status, char *out, size_t cap);

#endif
