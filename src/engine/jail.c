/* SPDX-License-Identifier: ISC */
/*
 * The self-jail, in the order it must go: no new privileges and no
 * core, rlimits, a Landlock domain without a single rule, then a
 * seccomp-bpf allowlist assembled from static segments (no libseccomp:
 * compiling filters at start-up is what makes SystemCallFilter= slow).
 * All of it is a few system calls, microseconds per process.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#define JAIL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JAIL_SANITIZED 1
#endif
#endif

#if defined(__x86_64__)
#define JAIL_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define JAIL_ARCH AUDIT_ARCH_AARCH64
#else
#error "jail.c knows the system calls of x86_64 and aarch64 only"
#endif

/* Fds a jailed process may hold. It opens none of its own (seccomp says
 * so too); the listener takes one connection at a time and closes it
 * after the fork. */
#define NOFILE_SERVICE 16
#define NOFILE_LISTENER 32
/* Address space: the static binary, stack and buffers take a few MiB;
 * a message may sit in the reassembly buffer, the outgoing one and, in
 * bridge mode, the two pipe buffers. */
#define AS_BASE (64ULL << 20)
#define AS_PER_MESSAGE 4

/*
 * Landlock, as far as the running kernel knows it. Debian bookworm's
 * <linux/landlock.h> describes ABI 2; what later ABIs added is spelled
 * out here, with the kernel's values.
 */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* struct landlock_ruleset_attr as of ABI 6; the kernel is told how much
 * of it the running ABI reads. */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

/* A forbidden call fails with EPERM instead of killing the process: the
 * engine then ends the connection with its usual error path and one log
 * line naming the call that failed, which tells an admin far more than a
 * SIGSYS would. A process with nothing left to reach gains nothing from
 * an error return. A foreign architecture or the x32 ABI cannot be an
 * honest call of ours: that kills. */
#define DENY SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)

#define LOAD(field) \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
/* The low 32 bits of the first argument: the kernel reads a pid_t or an
 * int option there. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LOAD_ARG(i) LOAD(args[i])
#else
#define LOAD_ARG(i) \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
	    offsetof(struct seccomp_data, args[i]) + 4)
#endif
#define LOAD_ARG0 LOAD_ARG(0)
#define RET(action) BPF_STMT(BPF_RET | BPF_K, (action))
#define ALLOW(name) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_##name, 0, 1), \
	    RET(SECCOMP_RET_ALLOW)

static const struct sock_filter prologue[] = {
	LOAD(arch),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, JAIL_ARCH, 1, 0),
	RET(SECCOMP_RET_KILL_PROCESS),
	LOAD(nr),
#if defined(__x86_64__)
	/* x32 calls share the arch value; they have bit 30 set. */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
	RET(SECCOMP_RET_KILL_PROCESS),
#endif
};

/* What hello and echo need, most frequent first: the poll loop, the
 * clocks (the vDSO usually answers without a call), malloc, the log
 * (syslog's sendto with its getpid, the journal's sendmsg), what
 * OpenSSL adds for a TLS connection, and exit. */
static const struct sock_filter service_calls[] = {
	ALLOW(read),
	ALLOW(write),
#ifdef __NR_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),
	ALLOW(readv),
	ALLOW(writev),
	ALLOW(clock_gettime),
	ALLOW(gettimeofday),
	ALLOW(brk),
	ALLOW(mmap),
	ALLOW(munmap),
	ALLOW(mremap),
	ALLOW(madvise),
	ALLOW(shutdown),
	ALLOW(close),
	ALLOW(sendto),
	ALLOW(sendmsg),
	ALLOW(getpid),
	/* TLS: OpenSSL's locks (a futex call when glibc must wait or
	 * wake), and the random generator reseeding in a forked child. */
	ALLOW(futex),
	ALLOW(getrandom),
	/* The engine raises a socket's low-water mark while a message
	 * comes in small frames (engine.c, coalesce); no other option. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setsockopt, 0, 6),
	LOAD_ARG(1),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOL_SOCKET, 0, 2),
	LOAD_ARG(2),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SO_RCVLOWAT, 1, 0),
	RET(DENY),
	RET(SECCOMP_RET_ALLOW),
	ALLOW(rt_sigreturn),
	ALLOW(rt_sigprocmask),
	ALLOW(restart_syscall),
	ALLOW(exit_group),
	ALLOW(exit),
};

/* Bridge mode: the program's pipes are open already; the engine waits
 * for the program and signals its process group (-pid) or, before its
 * setsid, the program alone (pid). Both values are filled in. */
#define KILL_PID_AT 2
static const struct sock_filter bridge_calls[] = {
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kill, 0, 5),
	LOAD_ARG0,
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0 /* pid */, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0 /* -pid */, 0, 1),
	RET(SECCOMP_RET_ALLOW),
	RET(DENY),
	ALLOW(wait4),
};

/* The listener accepts, forks, reaps and signals its children; a child
 * then looks at its socket and jails itself further, under this filter
 * too (filters stack), so that much is here as well. */
static const struct sock_filter listener_calls[] = {
	ALLOW(accept4),
	ALLOW(clone),
	/* Its children are cloned with their own exit signal (listener.c):
	 * clone3's arguments are in memory, out of seccomp's sight, as
	 * clone's flags are not checked either. */
	ALLOW(clone3),
	ALLOW(wait4),
	ALLOW(rt_sigtimedwait),
	ALLOW(kill),
	ALLOW(fcntl),
	ALLOW(getpeername),
	ALLOW(getsockname),
	ALLOW(setsockopt),
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(set_robust_list),
	ALLOW(prlimit64),
	ALLOW(seccomp),
	ALLOW(landlock_create_ruleset),
	ALLOW(landlock_add_rule),
	ALLOW(landlock_restrict_self),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 5),
	LOAD_ARG0,
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_NO_NEW_PRIVS, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_DUMPABLE, 1, 0),
	RET(DENY),
	RET(SECCOMP_RET_ALLOW),
};

#ifdef JAIL_SANITIZED
/*
 * Only in builds with AddressSanitizer, whose runtime is not ours: its
 * reports, and LeakSanitizer's check at exit, which clones a tracer that
 * ptraces the process and reads /proc/self. A plain build has none of
 * these.
 */
static const struct sock_filter sanitizer_calls[] = {
	ALLOW(clone),
	ALLOW(ptrace),
	ALLOW(wait4),
	ALLOW(prctl),
	ALLOW(openat),
#ifdef __NR_open
	ALLOW(open),
#endif
	ALLOW(getdents64),
/* The runtime's own calls on x86_64 are the old ones. */
#ifdef __NR_getdents
	ALLOW(getdents),
#endif
#ifdef __NR_readlink
	ALLOW(readlink),
#endif
#ifdef __NR_stat
	ALLOW(stat),
	ALLOW(lstat),
#endif
	ALLOW(readlinkat),
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(lseek),
	ALLOW(mprotect),
	ALLOW(sigaltstack),
	ALLOW(rt_sigaction),
	ALLOW(sched_yield),
	ALLOW(futex),
	ALLOW(gettid),
	ALLOW(getppid),
	ALLOW(nanosleep),
	ALLOW(clock_nanosleep),
	ALLOW(tgkill),
	ALLOW(set_robust_list),
	ALLOW(getrlimit),
	ALLOW(prlimit64),
	ALLOW(sched_getaffinity),
};
#endif

/* --static: files looked up and read beneath one directory, which the
 * Landlock rule below confines them to. */
static const struct sock_filter read_dir_calls[] = {
	ALLOW(openat),
	ALLOW(newfstatat),
	ALLOW(fstat),
	ALLOW(sendfile),
};

/* --proxy-protocol: the header is peeked at before it is taken, so
 * that no byte after it leaves the socket (proxyin.c); glibc's recv is
 * recvfrom. */
static const struct sock_filter peek_calls[] = {
	ALLOW(recvfrom),
};

static const struct sock_filter epilogue[] = { RET(DENY) };

#define LEN(seg) (sizeof(seg) / sizeof(seg[0]))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#ifdef JAIL_SANITIZED
#define SANITIZER_LEN LEN(sanitizer_calls)
#else
#define SANITIZER_LEN 0
#endif
/* The longest filter build_filter makes, which seccomp_enter holds on
 * its stack: exactly that, since a connection keeps each page of stack
 * it touched. */
#define MAX_FILTER \
	(LEN(prologue) + SANITIZER_LEN + LEN(service_calls) + \
	    MAX(LEN(bridge_calls), LEN(listener_calls)) + \
	    LEN(read_dir_calls) + LEN(peek_calls) + LEN(epilogue))

static size_t
append(struct sock_filter *f, size_t n, const struct sock_filter *seg,
    size_t len)
{
	memcpy(f + n, seg, len * sizeof(*seg));
	return n + len;
}

#define APPEND(seg) (n = append(f, n, seg, LEN(seg)))

static size_t
build_filter(const struct jail *j, struct sock_filter *f)
{
	size_t n = 0, at;

	APPEND(prologue);
#ifdef JAIL_SANITIZED
	APPEND(sanitizer_calls);
#endif
	APPEND(service_calls);
	if (j->mode == JAIL_BRIDGE) {
		at = n + KILL_PID_AT;
		APPEND(bridge_calls);
		f[at].k = (uint32_t)j->program;
		f[at + 1].k = (uint32_t)-j->program;
	} else if (j->mode == JAIL_LISTENER) {
		APPEND(listener_calls);
	}
	if (j->mode != JAIL_BRIDGE && j->read_dirfd >= 0)
		APPEND(read_dir_calls);
	if (j->peek)
		APPEND(peek_calls);
	APPEND(epilogue);
	return n;
}

static int
seccomp_enter(const struct jail *j)
{
	struct sock_filter f[MAX_FILTER];
	struct sock_fprog prog = { .filter = f };

	prog.len = (unsigned short)build_filter(j, f);
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

#ifdef JAIL_SANITIZED
/* LeakSanitizer reads /proc/self/maps and /proc/self/task at exit. */
static int
allow_proc(int ruleset)
{
	struct landlock_path_beneath_attr pb = {
		.allowed_access =
		    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
	};
	int rc;

	if ((pb.parent_fd = open("/proc", O_PATH | O_CLOEXEC)) == -1)
		return -1;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
	return rc;
}
#endif

/* --static: reading files and listing directories beneath dirfd. */
static int
allow_read_dir(int ruleset, int dirfd)
{
	struct landlock_path_beneath_attr pb = {
		.allowed_access =
		    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
		.parent_fd = dirfd,
	};

	return (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
}

/* What each ABI handles; everything it handles is forbidden, but what a
 * rule allows (--static's directory, a sanitizer's /proc). */
static size_t
ruleset_for(int abi, const struct jail *j, struct ruleset_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		a->handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		a->handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		a->handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi < 4)
		return sizeof(a->handled_access_fs);
	a->handled_access_net =
	    LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
	if (abi < 6)
		return offsetof(struct ruleset_attr, scoped);
	a->scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	/* The bridge's program was started before the engine's domain was
	 * made, so it lies outside; scoping signals would forbid stopping
	 * it. The seccomp filter allows kill() for its pid alone. */
	if (j->mode != JAIL_BRIDGE)
		a->scoped |= LANDLOCK_SCOPE_SIGNAL;
	return sizeof(*a);
}

/* Tolerated where the kernel lacks it; any other failure is one. */
static int
landlock_enter(const struct jail *j)
{
	struct ruleset_attr a;
	size_t size;
	int abi, fd, rc = 0;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		/* A kernel without it says ENOSYS or EOPNOTSUPP; EPERM is a
		 * filter in front of us (a container manager's) refusing it,
		 * which an administrator should hear of. */
		log_msg(errno == EPERM ? LOG_WARNING : LOG_DEBUG,
		    "jail: no Landlock (%s)", strerror(errno));
		return 0;
	}
	size = ruleset_for(abi, j, &a);
	if (abi < 4)
		log_msg(LOG_DEBUG,
		    "jail: Landlock ABI %d cannot forbid TCP "
		    "bind and connect",
		    abi);
	if (abi < 6)
		log_msg(LOG_DEBUG,
		    "jail: Landlock ABI %d cannot scope "
		    "signals and abstract sockets",
		    abi);
	fd = (int)syscall(SYS_landlock_create_ruleset, &a, size, 0);
	if (fd == -1)
		return -1;
#ifdef JAIL_SANITIZED
	rc = allow_proc(fd);
#endif
	if (rc == 0 && j->mode != JAIL_BRIDGE && j->read_dirfd >= 0)
		rc = allow_read_dir(fd, j->read_dirfd);
	if (rc == 0)
		rc = (int)syscall(SYS_landlock_restrict_self, fd, 0);
	close(fd);
	return rc;
}

/* Soft and hard, so that it stays. One call, unless the hard limit is
 * below v already (raising it is EPERM): then that is kept. */
static int
limit(int resource, rlim_t v)
{
	struct rlimit r = { v, v };

	if (setrlimit(resource, &r) == 0)
		return 0;
	if (errno != EPERM || getrlimit(resource, &r) == -1)
		return -1;
	r.rlim_cur = r.rlim_max;
	return setrlimit(resource, &r);
}

/* RLIMIT_FSIZE 0 would kill us with SIGXFSZ on the first log line when
 * stderr (or a test's stdout) is a regular file. */
static int
std_is_file(void)
{
	struct stat st;
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			return 1;
	return 0;
}

static int
limits_enter(const struct jail *j)
{
	rlim_t nofile =
	    j->mode == JAIL_LISTENER ? NOFILE_LISTENER : NOFILE_SERVICE;

	if (limit(RLIMIT_CORE, 0) == -1 || limit(RLIMIT_NOFILE, nofile) == -1)
		return -1;
	if (std_is_file())
		log_msg(LOG_DEBUG, "jail: stdio is a file: no RLIMIT_FSIZE");
	else if (limit(RLIMIT_FSIZE, 0) == -1)
		return -1;
#ifndef JAIL_SANITIZED
	/* Not under ASan, whose shadow memory alone is terabytes of
	 * address space; nor in the listener, whose children bound
	 * themselves. */
	if (j->mode != JAIL_LISTENER &&
	    limit(RLIMIT_AS, AS_BASE + AS_PER_MESSAGE * j->max_message) == -1)
		return -1;
#endif
	return 0;
}

int
jail_enter(const struct jail *j, char *err, size_t errcap)
{
	const char *step;

	/* syslog(3) stamps local time: read the zone now, while files can
	 * still be opened. Nothing else asks for local time. */
	if (log_target() == LOG_TO_SYSLOG)
		tzset();
	step = "PR_SET_NO_NEW_PRIVS";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		goto fail;
#ifndef JAIL_SANITIZED
	/* LeakSanitizer's tracer must be able to ptrace us. */
	step = "PR_SET_DUMPABLE";
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		goto fail;
#endif
	/* Landlock before the fd limit: building its ruleset takes fds of
	 * its own, one more than the limit allows in a process that has
	 * many open already. */
	step = "Landlock";
	if (landlock_enter(j) == -1)
		goto fail;
	step = "rlimits";
	if (limits_enter(j) == -1)
		goto fail;
	step = "seccomp";
	if (seccomp_enter(j) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, errcap, "cannot jail the process: %s: %s", step,
	    strerror(errno));
	return -1;
}
