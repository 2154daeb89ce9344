/* SPDX-License-Identifier: ISC */
/*
 * The self-jail (src/engine/jail.c) seen from inside: each case forks a
 * child that jails itself in one mode and makes one call, and the child's
 * exit says what the call got (0, an errno, or 1000 + a fatal signal).
 * What the engine needs must work; the rest must be denied. That every
 * call the engine really makes is allowed is shown by the Bats suite,
 * which runs with the jail on.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "tap.h"

#define KILLED 1000

/* With ASan the filter lets its runtime open files (Landlock, without a
 * rule outside /proc, then denies them) and clone a tracer. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
#define OPEN_DENIED EACCES
#define FORK_DENIED 0
#define UNLESS_ASAN " (allowed with ASan)"
#else
#define OPEN_DENIED EPERM
#define FORK_DENIED EPERM
#define UNLESS_ASAN ""
#endif

/* Made before each child jails itself. */
static struct {
	int lfd; /* a listening TCP socket on loopback */
	struct sockaddr_in addr; /* where it listens */
	int tcp; /* a TCP socket not yet connected */
	int file; /* a regular file open for writing */
	int pipe[2];
	int pair[2]; /* a socket pair with a byte waiting on pair[0] */
	pid_t sibling; /* a process of the test's, not the jailed one's */
	pid_t program; /* bridge: the jailed one's, leading its group */
} fx;

static int
result(int rc)
{
	return rc == -1 ? errno : 0;
}

/* hello and echo's own calls: pipes, poll, the clock without the vDSO,
 * a large malloc (mmap), getpid. */
static int
io_works(void)
{
	struct pollfd pf;
	struct timespec ts;
	char c = 'x', *big;

	if (write(fx.pipe[1], &c, 1) != 1)
		return errno;
	pf = (struct pollfd){ .fd = fx.pipe[0], .events = POLLIN };
	if (poll(&pf, 1, 0) != 1 || read(fx.pipe[0], &c, 1) != 1)
		return errno;
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == -1)
		return errno;
	if ((big = malloc(4 << 20)) == NULL)
		return ENOMEM;
	big[0] = big[(4 << 20) - 1] = 1;
	free(big);
	return result((int)getpid() > 0 ? 0 : -1);
}

static int
open_file(void)
{
	return result(open("/etc/passwd", O_RDONLY | O_CLOEXEC));
}

static int
new_socket(void)
{
	return result(socket(AF_INET, SOCK_STREAM, 0));
}

static int
connect_out(void)
{
	return result(
	    connect(fx.tcp, (struct sockaddr *)&fx.addr, sizeof(fx.addr)));
}

/* The unjailed control, on a socket of its own. */
static int
connect_fresh(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return result(fd == -1
		? -1
		: connect(fd, (struct sockaddr *)&fx.addr, sizeof(fx.addr)));
}

static int
signal_sibling(void)
{
	return result(kill(fx.sibling, 0));
}

static int
signal_program(void)
{
	return result(kill(fx.program, 0));
}

static int
signal_group(void)
{
	return result(kill(-fx.program, 0));
}

static int
wait_program(void)
{
	int st;

	return result(waitpid(fx.program, &st, WNOHANG));
}

static int
start_process(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return result(pid == -1 ? -1 : 0);
}

static int
run_program(void)
{
	char *const argv[] = { "/bin/true", NULL };

	return result(execve(argv[0], argv, NULL));
}

/* The x32 ABI's getpid: bit 30 set. */
static int
x32_call(void)
{
	return result((int)syscall(0x40000000 | SYS_getpid));
}

/* RLIMIT_FSIZE 0: SIGXFSZ, even on a file opened before. */
static int
write_file(void)
{
	return result((int)write(fx.file, "x", 1));
}

/* What --proxy-protocol does before it takes the header. */
static int
peek_socket(void)
{
	char c;

	return result((int)recv(fx.pair[0], &c, 1, MSG_PEEK | MSG_DONTWAIT));
}

static int
accept_conn(void)
{
	return result(accept4(fx.lfd, NULL, NULL, SOCK_CLOEXEC));
}

/* The listener's child jails itself again (filters stack) and is then
 * as tight as any hello or echo process. */
static int
child_jails_itself(void)
{
	struct jail j = { .mode = JAIL_SERVICE,
		.max_message = 1 << 20,
		.read_dirfd = -1 };
	char err[160];
	pid_t pid;
	int st;

	if ((pid = fork()) == -1)
		return errno;
	if (pid == 0) {
		if (jail_enter(&j, err, sizeof(err)) == -1)
			_exit(101);
		_exit(open_file());
	}
	if (waitpid(pid, &st, 0) == -1)
		return errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : KILLED + WTERMSIG(st);
}

struct jail_case {
	const char *name;
	enum jail_mode mode;
	int (*call)(void);
	int want;
};

static const struct jail_case cases[] = {
	{ "service: pipes, poll, clock, malloc, getpid work", JAIL_SERVICE,
	    io_works, 0 },
	{ "service: open(/etc/passwd) is denied", JAIL_SERVICE, open_file,
	    OPEN_DENIED },
	{ "service: socket(AF_INET) is denied", JAIL_SERVICE, new_socket,
	    EPERM },
	{ "service: connect() out is denied", JAIL_SERVICE, connect_out,
	    EPERM },
	{ "service: kill() of a sibling is denied", JAIL_SERVICE,
	    signal_sibling, EPERM },
	{ "service: fork() is denied" UNLESS_ASAN, JAIL_SERVICE, start_process,
	    FORK_DENIED },
	{ "service: execve() is denied", JAIL_SERVICE, run_program, EPERM },
	{ "service: accept() is denied", JAIL_SERVICE, accept_conn, EPERM },
	{ "service: recv(MSG_PEEK) is denied", JAIL_SERVICE, peek_socket,
	    EPERM },
	{ "service: an x32 call kills", JAIL_SERVICE, x32_call,
	    KILLED + SIGSYS },
	{ "service: writing a file gets SIGXFSZ", JAIL_SERVICE, write_file,
	    KILLED + SIGXFSZ },
	{ "bridge: kill() of the program works", JAIL_BRIDGE, signal_program,
	    0 },
	{ "bridge: kill() of its process group works", JAIL_BRIDGE,
	    signal_group, 0 },
	{ "bridge: waitpid() of the program works", JAIL_BRIDGE, wait_program,
	    0 },
	{ "bridge: kill() of another process is denied", JAIL_BRIDGE,
	    signal_sibling, EPERM },
	{ "bridge: open(/etc/passwd) is denied", JAIL_BRIDGE, open_file,
	    OPEN_DENIED },
	{ "bridge: connect() out is denied", JAIL_BRIDGE, connect_out, EPERM },
	{ "bridge: fork() is denied" UNLESS_ASAN, JAIL_BRIDGE, start_process,
	    FORK_DENIED },
	/* The control's connection is waiting. */
	{ "listener: accept() works", JAIL_LISTENER, accept_conn, 0 },
	{ "listener: fork() works", JAIL_LISTENER, start_process, 0 },
	{ "listener: its child jails itself and cannot open a file",
	    JAIL_LISTENER, child_jails_itself, OPEN_DENIED },
	{ "listener: open(/etc/passwd) is denied", JAIL_LISTENER, open_file,
	    OPEN_DENIED },
	{ "listener: connect() out is denied", JAIL_LISTENER, connect_out,
	    EPERM },
	{ "listener: execve() is denied", JAIL_LISTENER, run_program, EPERM },
};

/* With jail.peek, as --proxy-protocol sets it. */
static const struct jail_case peek_cases[] = {
	{ "service, peek: recv(MSG_PEEK) works", JAIL_SERVICE, peek_socket, 0 },
	{ "service, peek: open(/etc/passwd) is still denied", JAIL_SERVICE,
	    open_file, OPEN_DENIED },
	{ "listener, peek: recv(MSG_PEEK) works", JAIL_LISTENER, peek_socket,
	    0 },
};

static pid_t
idle_process(int own_group)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (own_group)
			setpgid(0, 0);
		pause();
		_exit(0);
	}
	if (own_group && pid > 0)
		setpgid(pid, pid);
	return pid;
}

/* The result of one case, in a child of its own; in bridge mode that
 * child starts its "program" first, as the bridge does. */
static int
run_case(const struct jail_case *c, int peek)
{
	struct jail j = { .mode = c->mode,
		.max_message = 1 << 20,
		.read_dirfd = -1,
		.peek = peek };
	char err[160];
	pid_t pid;
	int st, null, rc;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		/* stdio is no file, so RLIMIT_FSIZE applies. */
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (c->mode == JAIL_BRIDGE &&
		    (j.program = fx.program = idle_process(1)) == -1)
			_exit(201);
		if (jail_enter(&j, err, sizeof(err)) == -1)
			_exit(200);
		rc = c->call();
		if (c->mode == JAIL_BRIDGE)
			kill(fx.program, SIGKILL);
		_exit(rc);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : KILLED + WTERMSIG(st);
}

static void
setup(void)
{
	socklen_t len = sizeof(fx.addr);
	char path[] = "/tmp/test_jail.XXXXXX";

	fx.addr.sin_family = AF_INET;
	fx.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fx.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fx.lfd == -1 ||
	    bind(fx.lfd, (struct sockaddr *)&fx.addr, sizeof(fx.addr)) == -1 ||
	    listen(fx.lfd, 8) == -1 ||
	    getsockname(fx.lfd, (struct sockaddr *)&fx.addr, &len) == -1)
		exit(1);
	if ((fx.tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		exit(1);
	if ((fx.file = mkstemp(path)) == -1)
		exit(1);
	unlink(path);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fx.pair) == -1 ||
	    write(fx.pair[1], "x", 1) != 1)
		exit(1);
	if (pipe(fx.pipe) == -1 || (fx.sibling = idle_process(0)) == -1)
		exit(1);
}

int
main(void)
{
	size_t i, n = sizeof(cases) / sizeof(cases[0]);
	size_t np = sizeof(peek_cases) / sizeof(peek_cases[0]);

	setup();
	printf("1..%zu\n", n + np + 2);
	fflush(stdout);
	/* Negative controls: unjailed, the same calls work. */
	is_int(open_file() == 0 && connect_fresh() == 0, 1,
	    "unjailed: open() and connect() work");
	is_int(signal_sibling(), 0, "unjailed: kill() of a sibling works");
	for (i = 0; i < n; i++) {
		fflush(stdout);
		is_int(run_case(&cases[i], 0), cases[i].want, "%s",
		    cases[i].name);
	}
	for (i = 0; i < np; i++) {
		fflush(stdout);
		is_int(run_case(&peek_cases[i], 1), peek_cases[i].want, "%s",
		    peek_cases[i].name);
	}
	kill(fx.sibling, SIGKILL);
	return tap_failed != 0;
}
