/* SPDX-License-Identifier: ISC */
/*
 * Starting a bridged program on pipes, and a signalfd for its exit. The
 * child runs in our address space (clone with CLONE_VM and CLONE_VFORK,
 * as posix_spawn does) until its exec: no page table copied, no
 * copy-on-write faults in either process, as a fork would cost. SIGCHLD
 * stays blocked and is read from the signalfd, so the poll loop hears
 * of the exit without a handler, a self-pipe or an EINTR.
 */
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

static int sig_fd = -1;

/* The kernel's struct sigaction, for the raw call: glibc's sigaction
 * will neither read nor set the two real-time signals it keeps for
 * itself (32 and 33), and a parent such as make may leave those
 * ignored, which an exec keeps. SIG_DFL, no flags and an empty mask are
 * all zero, in either layout (with or without sa_restorer). */
struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static int
kernel_sigaction(int sig, const struct kernel_sigaction *act,
    struct kernel_sigaction *old)
{
	return (int)syscall(SYS_rt_sigaction, sig, act, old, sizeof(uint64_t));
}

/* The signals the child sets back to SIG_DFL (bit sig - 1): those not
 * at it here. */
static uint64_t reset;
static int reset_known;

void
spawn_learn_signals(void)
{
	struct kernel_sigaction sa;
	int i;

	if (reset_known)
		return;
	reset = 0;
	for (i = 1; i < NSIG && i <= 64; i++)
		if (kernel_sigaction(i, NULL, &sa) == 0 && sa.handler != NULL)
			reset |= 1ULL << (i - 1);
	/* wsinetd's own SIG_IGN, whenever it is set */
	reset |= 1ULL << (SIGPIPE - 1) | 1ULL << (SIGHUP - 1);
	reset_known = 1;
}

int
spawn_init(void)
{
	struct sigaction sa;
	sigset_t chld;

	if (sig_fd >= 0)
		return sig_fd;
	spawn_learn_signals();
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

/* What the child is to run, and where it says why it could not. */
struct job {
	char *const *argv, *const *envp;
	const char *path; /* searched when argv[0] has no '/' */
	const int *fds; /* its stdin, stdout, stderr */
	volatile int err; /* set by the child when it did not exec */
};

/* The child's stack until its exec, while we wait (one child at a
 * time). Not on ours: our own calls would then reach pages deeper than
 * a session otherwise touches. Its top page is all that a path needs;
 * the PATH search takes the one below; the rest is room for what a
 * sanitizer's interceptors add, and costs nothing untouched. */
static unsigned char child_stack[16 * 1024] __attribute__((aligned(16)));

/* execvp's search of PATH for a name: the first DIR/name that
 * executes; EACCES if one was found but refused, as a shell says.
 * Returns only on failure. */
static void
exec_search(const struct job *j)
{
	const char *name = j->argv[0], *p = j->path, *colon;
	char full[PATH_MAX];
	size_t dlen, nlen = strlen(name);
	int seen_eacces = 0;

	if (nlen == 0)
		p = NULL; /* no file is named "" (execvp: ENOENT) */
	for (; p != NULL; p = colon != NULL ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		dlen = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (dlen + 1 + nlen + 1 > sizeof(full))
			continue;
		/* an empty entry is the current directory */
		memcpy(full, dlen ? p : ".", dlen ? dlen : 1);
		dlen = dlen ? dlen : 1;
		full[dlen] = '/';
		memcpy(full + dlen + 1, name, nlen + 1);
		execve(full, j->argv, j->envp);
		if (errno == EACCES)
			seen_eacces = 1;
		else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE)
			return;
	}
	errno = seen_eacces ? EACCES : ENOENT;
}

/* In the child, until its exec: every signal that was not at its
 * default back to it (an ignored one would survive the exec), stdio on
 * the pipes, nothing else open, a session of its own, no signal
 * blocked. Only system calls: it shares our memory. */
static int
child_main(void *arg)
{
	static const struct kernel_sigaction dfl;
	struct job *j = arg;
	sigset_t none;
	int i;

	for (i = 1; i <= 64; i++)
		if ((reset >> (i - 1) & 1) &&
		    kernel_sigaction(i, &dfl, NULL) == -1)
			goto fail;
	if (setsid() == -1)
		goto fail;
	for (i = 0; i < 3; i++)
		if (dup2(j->fds[i], i) == -1)
			goto fail;
	if (close_range(3, ~0U, 0) == -1)
		goto fail;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		goto fail;
	/* A path is run as it is; only a name is searched for, on a
	 * deeper stack. */
	if (strchr(j->argv[0], '/') != NULL)
		execve(j->argv[0], j->argv, j->envp);
	else
		exec_search(j);
fail:
	j->err = errno ? errno : ENOEXEC;
	_exit(127);
}

/* The spawn's own refusals (no memory, no process) against the
 * program's: what execve says of a path. */
static int
is_exec_error(int e)
{
	return e != EAGAIN && e != ENOMEM && e != EINVAL && e != ENOSYS;
}

/* clone with CLONE_VM and CLONE_VFORK, which is what posix_spawn does,
 * without what it adds for a general caller: its stack mapped and
 * unmapped, a getrlimit for each file action, every one of the 64
 * signals set to its default in the child. Every signal is blocked
 * meanwhile, so none is handled while the child shares our memory. */
static int
run(pid_t *pid, char *const argv[], char *const envp[], const int fds[3],
    int *exec_failed)
{
	const char *path = getenv("PATH");
	struct job j = { argv, envp, path != NULL ? path : "/bin:/usr/bin", fds,
		0 };
	sigset_t all, old;
	int e;

	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &old) == -1)
		return -1;
	*pid = clone(child_main, child_stack + sizeof(child_stack),
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &j);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (*pid == -1) {
		errno = e;
		return -1;
	}
	if (j.err == 0)
		return 0;
	while (waitpid(*pid, NULL, 0) == -1 && errno == EINTR)
		continue;
	*exec_failed = is_exec_error(j.err);
	errno = j.err;
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
	struct signalfd_siginfo si[4];
	ssize_t n;
	pid_t r;

	/* SIGCHLD does not queue: one read takes what is pending. */
	n = read(sig_fd, si, sizeof(si));
	(void)n;
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
