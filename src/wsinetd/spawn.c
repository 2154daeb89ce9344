/* SPDX-License-Identifier: ISC */
/*
 * posix_spawn of a bridged program on pipes, and a signalfd for its
 * exit. glibc's posix_spawn runs the child in our address space (clone
 * with CLONE_VM and CLONE_VFORK) until its exec: no page table copied,
 * no copy-on-write faults in either process, as a fork would cost.
 * SIGCHLD stays blocked and is read from the signalfd, so the poll loop
 * hears of the exit without a handler, a self-pipe or an EINTR.
 */
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

static int sig_fd = -1;

int
spawn_init(void)
{
	struct sigaction sa;
	sigset_t chld;

	if (sig_fd >= 0)
		return sig_fd;
	/* Ignored (inetd may pass it so), SIGCHLD would reap the child for
	 * us and leave waitpid nothing but ECHILD. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigaction(SIGCHLD, &sa, NULL) == -1 ||
	    sigprocmask(SIG_BLOCK, &chld, NULL) == -1)
		return -1;
	sig_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	return sig_fd;
}

/* A pipe end on 0-2 would be overwritten by the dup2 of another onto
 * its number: lift it above 2 first (only when we were started with
 * some of 0-2 closed). */
static int
lift(int *fd)
{
	int moved;

	if (*fd > 2)
		return 0;
	if ((moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	close(*fd);
	*fd = moved;
	return 0;
}

static int
make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	return lift(&p[0]) == -1 || lift(&p[1]) == -1 ? -1 : 0;
}

static void
close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

/* inetd, or our own SIG_IGN for SIGPIPE, would otherwise survive exec:
 * every signal back to its default, none blocked; stdio on the pipes,
 * nothing else open; a session (and process group) of its own. */
static int
spawn_setup(posix_spawnattr_t *attr, posix_spawn_file_actions_t *fa,
    const int fds[3])
{
	sigset_t all, none;
	int i;

	sigfillset(&all);
	sigemptyset(&none);
	if (posix_spawnattr_init(attr) != 0)
		return -1;
	if (posix_spawn_file_actions_init(fa) != 0) {
		posix_spawnattr_destroy(attr);
		return -1;
	}
	if (posix_spawnattr_setflags(attr,
		POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF |
		    POSIX_SPAWN_SETSIGMASK) != 0 ||
	    posix_spawnattr_setsigdefault(attr, &all) != 0 ||
	    posix_spawnattr_setsigmask(attr, &none) != 0)
		goto fail;
	for (i = 0; i < 3; i++)
		if (posix_spawn_file_actions_adddup2(fa, fds[i], i) != 0)
			goto fail;
	if (posix_spawn_file_actions_addclosefrom_np(fa, 3) != 0)
		goto fail;
	return 0;
fail:
	posix_spawn_file_actions_destroy(fa);
	posix_spawnattr_destroy(attr);
	return -1;
}

/* The spawn's own refusals (no memory, no process) against the
 * program's: what execve says of a path. */
static int
is_exec_error(int e)
{
	return e != EAGAIN && e != ENOMEM && e != EINVAL && e != ENOSYS;
}

static int
run(pid_t *pid, char *const argv[], char *const envp[], const int fds[3],
    int *exec_failed)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int rc;

	if (spawn_setup(&attr, &fa, fds) == -1) {
		errno = ENOMEM;
		return -1;
	}
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc == 0)
		return 0;
	*exec_failed = is_exec_error(rc);
	errno = rc;
	return -1;
}

int
spawn_start(struct child *ch, char *const argv[], char *const envp[],
    int *exec_failed)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int e;

	*exec_failed = 0;
	if (make_pipe(in) == -1 || make_pipe(out) == -1 || make_pipe(err) == -1)
		goto fail;
	if (run(&ch->pid, argv, envp, (int[3]){ in[0], out[1], err[1] },
		exec_failed) == -1)
		goto fail;
	close(in[0]);
	close(out[1]);
	close(err[1]);
	ch->in_fd = in[1];
	ch->out_fd = out[0];
	ch->err_fd = err[0];
	fcntl(ch->in_fd, F_SETFL, O_NONBLOCK);
	fcntl(ch->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(ch->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	e = errno;
	close_pair(in);
	close_pair(out);
	close_pair(err);
	errno = e;
	return -1;
}

int
spawn_reap(pid_t pid, int *status)
{
	struct signalfd_siginfo si;
	pid_t r;

	while (read(sig_fd, &si, sizeof(si)) > 0)
		;
	do
		r = waitpid(pid, status, WNOHANG);
	while (r == -1 && errno == EINTR);
	return r == pid;
}

void
spawn_describe(int status, char *out, size_t cap)
{
	if (WIFEXITED(status))
		snprintf(out, cap, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, cap, "signal %d", WTERMSIG(status));
	else
		snprintf(out, cap, "status %d", status);
}
