/* SPDX-License-Identifier: ISC */
/*
 * fork and exec of a bridged program on pipes; SIGCHLD through a
 * self-pipe so that the poll loop hears of an exit without a race.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

static int sig_pipe[2] = { -1, -1 };

static void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	/* Full pipe: a wake-up is pending anyway. */
	(void)!write(sig_pipe[1], "", 1);
	errno = saved;
}

int
spawn_init(void)
{
	struct sigaction sa;

	if (sig_pipe[0] >= 0)
		return sig_pipe[0];
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		return -1;
	return sig_pipe[0];
}

/* In the child: only async-signal-safe calls from here to exec. */
static void
reset_signals(void)
{
	sigset_t none;
	int sig;

	/* inetd or our own SIG_IGN would otherwise survive exec. */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
close_from(int lowfd)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);

	if (close_range((unsigned)lowfd, ~0U, 0) == 0)
		return;
	for (fd = lowfd; fd < max && fd < 65536; fd++)
		close(fd);
}

static void __attribute__((noreturn))
child(int in, int out, int err, char *const argv[], char *const envp[])
{
	int fds[3] = { in, out, err }, moved[3], i, e;
	char msg[256];

	/* Above 2 first, so that no dup2 clobbers another pipe end. */
	for (i = 0; i < 3; i++)
		if ((moved[i] = fcntl(fds[i], F_DUPFD, 3)) == -1)
			_exit(127);
	for (i = 0; i < 3; i++)
		if (dup2(moved[i], i) == -1)
			_exit(127);
	close_from(3);
	reset_signals();
	setsid();
	execvpe(argv[0], argv, envp);
	e = errno;
	i = snprintf(msg, sizeof(msg), "cannot run %s: %s\n", argv[0],
	    strerror(e));
	if (i > 0)
		(void)!write(2, msg,
		    (size_t)i < sizeof(msg) ? (size_t)i : sizeof(msg) - 1);
	_exit(e == EACCES || e == ENOEXEC ? 126 : 127);
}

static void
close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

int
spawn_start(struct child *ch, char *const argv[], char *const envp[])
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int e;

	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1 ||
	    pipe2(err, O_CLOEXEC) == -1)
		goto fail;
	if ((ch->pid = fork()) == -1)
		goto fail;
	if (ch->pid == 0)
		child(in[0], out[1], err[1], argv, envp);
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
	char drain[64];
	pid_t r;

	while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
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
