/* SPDX-License-Identifier: ISC */
/*
 * Accept loop for a listening socket (systemd Accept=no, or --listen):
 * one forked child per connection, bounded in number, reaped through a
 * signalfd, drained on SIGTERM; SIGHUP reloads what the caller says.
 * Forking without exec skips the loader, and the child starts with
 * everything already parsed.
 */
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/sched.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "exits.h"
#include "listener.h"
#include "log.h"
#include "net.h"
#include "persource.h"

/* Connections taken per wake-up, so signals are looked at in between. */
#define ACCEPT_BATCH 64
/* After the children's SIGTERM, how long before SIGKILL. */
#define KILL_GRACE_MS 2000
/* Out of fds: how long to leave the queue alone before trying again. */
#define EMFILE_PAUSE_MS 100
/* With every slot taken and the last look for children whose end went
 * unannounced (below) finding none, how long before the next look. */
#define SWEEP_MS 1000

/*
 * How a child's end is announced. The kernel keeps one SIGCHLD pending
 * however many children end, so SIGCHLD means "some", and finding them
 * takes waitpid(-1) until it returns 0, each call walking the list of
 * every live child: 360 us a call with 10,000 connections held, where
 * waitpid of one pid takes 0.4 us. A child cloned with a real-time exit
 * signal instead is announced by a siginfo of its own, which names it.
 * Those queue up to RLIMIT_SIGPENDING and one past it is lost, so a full
 * table is swept before it refuses anyone. The signal is the first one
 * glibc leaves to programs. It has a signalfd of its own, only to wake
 * poll: signalfd does not know a child's siginfo under a real-time
 * signal and hands its pid over as "si_band", so sigtimedwait, which
 * copies the siginfo whole, takes them.
 */
#define REAP_SIGNAL SIGRTMIN

/* Over --max-connections: a polite answer instead of a silent close. */
static const char BUSY[] = "HTTP/1.1 503 Service Unavailable\r\n"
			   "Content-Type: text/plain\r\n"
			   "Content-Length: 17\r\n"
			   "Retry-After: 1\r\n"
			   "Connection: close\r\n"
			   "\r\n"
			   "server too busy.\n";

struct listener {
	int lfd, sigfd, reapfd;
	const struct listener_opts *o;
	int (*serve)(int fd);
	void (*reload)(void);
	sigset_t oldmask;
	pid_t *kids;
	unsigned nkids;
	struct persource *sources; /* with --max-per-source */
	int stopping, terminated;
	int queued; /* children announce their end with REAP_SIGNAL */
	int lost_told; /* an unannounced end was logged */
	long long deadline_ms, pause_until_ms, idle_sweep_ms;
};

/* Parses "1.2.3.4:80" or "[::1]:80" into ss. */
static int
parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon = strrchr(spec, ':'), *h = spec;
	size_t hlen = colon ? (size_t)(colon - spec) : 0;
	char *end;
	long port;

	if (colon == NULL || colon[1] == '\0')
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end != '\0' || port < 0 || port > 65535)
		return -1;
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (h == spec && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (h != spec && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

int
listener_open(const char *spec, char *err, size_t errcap)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (parse_addr(spec, &ss, &len) == -1) {
		snprintf(err, errcap,
		    "invalid --listen: %s (want ADDR:PORT or [ADDR]:PORT)",
		    spec);
		return -2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	/* A restart must not wait out the old connections' TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, SOMAXCONN) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errcap, "cannot listen on %s: %s", spec, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* In a child: its slot of the per-source table, when it counts itself
 * (the address comes from its PROXY header). */
static struct {
	struct persource *table;
	int slot;
	unsigned max;
} child_source = { NULL, -1, 0 };

/* In a child: its peer, from accept. */
static struct {
	int set;
	struct sockaddr_storage ss;
	socklen_t len;
} child_peer;

int
listener_peer(struct sockaddr_storage *ss, socklen_t *len)
{
	if (!child_peer.set)
		return -1;
	*ss = child_peer.ss;
	*len = child_peer.len;
	return 0;
}

int
listener_source_claim(const struct ws_addr *a)
{
	struct ws_addr key;

	if (child_source.table == NULL || child_source.slot < 0)
		return 0;
	persource_key(a, &key);
	return persource_claim(child_source.table, child_source.slot, &key,
	    child_source.max);
}

/* In the child: the listener's fds and signal set are not its business. */
static void __attribute__((noreturn)) run_child(struct listener *l, int fd,
    int slot, const struct sockaddr_storage *ss, socklen_t len)
{
	child_peer.set = 1;
	child_peer.ss = *ss;
	child_peer.len = len;
	if (l->o->per_source_in_child) {
		child_source.table = l->sources;
		child_source.slot = slot;
		child_source.max = l->o->max_per_source;
	}
	close(l->lfd);
	close(l->sigfd);
	close(l->reapfd);
	sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	_exit(l->serve(fd));
}

void
listener_busy(int fd)
{
	char junk[4096];

	/* Best effort and never blocking: the socket buffer takes it. Read
	 * what the client sent, so the close does not reset the answer. */
	net_set_nonblock(fd);
	(void)!write(fd, BUSY, sizeof(BUSY) - 1);
	shutdown(fd, SHUT_WR);
	while (read(fd, junk, sizeof(junk)) > 0)
		;
}

static void
refuse_busy(struct listener *l, int fd)
{
	char peer[80];

	net_peer_name(fd, peer, sizeof(peer));
	log_msg(LOG_WARNING, "%s refused: 503, %u connections already", peer,
	    l->nkids);
	listener_busy(fd);
	close(fd);
}

/* The address as --max-per-source counts it; 0 for one it does not
 * count (not IP). */
static int
source_key(const struct sockaddr_storage *ss, struct ws_addr *key)
{
	struct ws_addr a;
	uint16_t port;

	if (!net_ws_addr(ss, &a, &port))
		return 0;
	persource_key(&a, key);
	return 1;
}

/* At accept, when the socket's peer is the client: over the limit it
 * gets the 503 here, before a fork. */
static int
over_source_limit(struct listener *l, int fd, const struct ws_addr *key)
{
	char peer[80];
	unsigned n = persource_count(l->sources, key);

	if (n < l->o->max_per_source)
		return 0;
	net_peer_name(fd, peer, sizeof(peer));
	log_msg(LOG_WARNING, "%s refused: 503, %u connections from %s already",
	    peer, n, key->family == 6 ? "its /64" : "this address");
	listener_busy(fd);
	close(fd);
	return 1;
}

/* A fork, the child's end announced by REAP_SIGNAL when the kernel has
 * clone3 (5.3) and no outer filter forbids it; else _Fork() and SIGCHLD
 * from then on. Neither runs what fork() adds: atfork handlers
 * (OpenSSL's are empty) and the resetting of glibc's loader locks,
 * which in a process of one thread are free already and would cost the
 * child two pages of .data and one of .bss, copied to write the same
 * values. */
static pid_t
fork_child(struct listener *l)
{
	struct clone_args args = { .exit_signal = (unsigned)REAP_SIGNAL };
	long pid;

	if (l->queued) {
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid != -1 || (errno != ENOSYS && errno != EPERM))
			return (pid_t)pid;
		l->queued = 0;
		log_msg(LOG_INFO, "clone3: %s; reaping by SIGCHLD",
		    strerror(errno));
	}
	return _Fork();
}

static void
spawn_child(struct listener *l, int fd, const struct ws_addr *key,
    const struct sockaddr_storage *ss, socklen_t len)
{
	int slot = -1;
	pid_t pid;

	if (l->sources != NULL)
		slot = persource_take(l->sources, key);
	pid = fork_child(l);
	if (pid == 0)
		run_child(l, fd, slot, ss, len);
	if (l->sources != NULL)
		persource_own(l->sources, slot, pid);
	if (pid == -1)
		log_msg(LOG_ERR, "fork: %s; connection dropped",
		    strerror(errno));
	else
		l->kids[l->nkids++] = pid;
	close(fd);
}

static void
forget_kid(struct listener *l, pid_t pid)
{
	unsigned i;

	for (i = 0; i < l->nkids; i++)
		if (l->kids[i] == pid) {
			l->kids[i] = l->kids[--l->nkids];
			return;
		}
}

/* Each child logs its own summary; only a violent end is news here. */
static void
reaped(struct listener *l, pid_t pid, int st)
{
	forget_kid(l, pid);
	if (l->sources != NULL)
		persource_free(l->sources, pid);
	if (WIFSIGNALED(st) && !l->terminated)
		log_msg(LOG_ERR, "connection process %ld killed by signal %d",
		    (long)pid, WTERMSIG(st));
}

/* Every child that has ended, whatever announced it: the walk over all
 * of them that REAP_SIGNAL spares the usual case. Returns how many. */
static unsigned
reap_all(struct listener *l)
{
	unsigned n = 0;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
		reaped(l, pid, st);
		n++;
	}
	if (pid == -1 && errno == ECHILD && l->nkids > 0) {
		log_msg(LOG_ERR,
		    "%u children missing from the table; forgot "
		    "them",
		    l->nkids);
		l->nkids = 0;
	}
	return n;
}

/* A full table: are some of its children gone unannounced? */
static void
sweep_full(struct listener *l)
{
	unsigned n;

	if (!l->queued || clock_ms() < l->idle_sweep_ms)
		return;
	if ((n = reap_all(l)) == 0) {
		l->idle_sweep_ms = clock_ms() + SWEEP_MS;
		return;
	}
	if (!l->lost_told)
		log_msg(LOG_WARNING,
		    "%u connection process%s ended unannounced (the "
		    "signal queue, RLIMIT_SIGPENDING, was full) and %s "
		    "found when the table filled up",
		    n, n == 1 ? "" : "es", n == 1 ? "was" : "were");
	l->lost_told = 1;
}

/* The children REAP_SIGNAL names, one siginfo each. */
static void
reap_announced(struct listener *l)
{
	static const struct timespec now = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	pid_t pid;
	int st;

	sigemptyset(&set);
	sigaddset(&set, REAP_SIGNAL);
	while (sigtimedwait(&set, &si, &now) == REAP_SIGNAL)
		if ((pid = waitpid(si.si_pid, &st, WNOHANG | __WALL)) > 0)
			reaped(l, pid, st);
}

static void
accept_batch(struct listener *l)
{
	struct sockaddr_storage ss;
	struct ws_addr key;
	const struct ws_addr *counted;
	socklen_t len;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		fd =
		    accept4(l->lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_msg(LOG_ERR, "accept: %s", strerror(errno));
				l->pause_until_ms =
				    clock_ms() + EMFILE_PAUSE_MS;
			}
			return;
		}
		if (l->nkids >= l->o->max_conns)
			sweep_full(l);
		if (l->nkids >= l->o->max_conns) {
			refuse_busy(l, fd);
			continue;
		}
		/* Counted here by the socket's peer, or by the child once its
		 * PROXY header names the client (NULL: pending). */
		counted = NULL;
		if (l->sources != NULL && !l->o->per_source_in_child &&
		    source_key(&ss, &key)) {
			if (over_source_limit(l, fd, &key))
				continue;
			counted = &key;
		}
		spawn_child(l, fd, counted, &ss, len);
	}
}

static void
stop(struct listener *l, int sig)
{
	if (l->stopping)
		return;
	l->stopping = 1;
	(void)reap_all(l); /* only those still running to wait for */
	close(l->lfd);
	l->lfd = -1;
	l->deadline_ms = clock_ms() + l->o->drain_ms;
	log_msg(LOG_NOTICE,
	    "%s: stopped listening; waiting up to %d ms for %u "
	    "connections",
	    sig == SIGINT ? "SIGINT" : "SIGTERM", l->o->drain_ms, l->nkids);
}

static void
kill_all(struct listener *l, int sig)
{
	unsigned i;

	for (i = 0; i < l->nkids; i++)
		kill(l->kids[i], sig);
}

/* Past the drain deadline: SIGTERM the rest, then SIGKILL. */
static void
on_deadline(struct listener *l)
{
	(void)reap_all(l); /* none left unannounced to wait for */
	if (l->nkids == 0)
		return;
	if (!l->terminated) {
		log_msg(LOG_WARNING, "terminating %u connections still open",
		    l->nkids);
		l->terminated = 1;
		kill_all(l, SIGTERM);
		l->deadline_ms = clock_ms() + KILL_GRACE_MS;
	} else {
		kill_all(l, SIGKILL);
		l->deadline_ms = clock_ms() + KILL_GRACE_MS;
	}
}

static void
read_signals(struct listener *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_all(l);
		else if (si.ssi_signo == SIGHUP && !l->stopping)
			l->reload();
		else if (si.ssi_signo != SIGHUP)
			stop(l, (int)si.ssi_signo);
	}
}

static int
wait_ms(const struct listener *l, long long now)
{
	long long until = l->stopping ? l->deadline_ms : l->pause_until_ms;

	/* Draining with announcements lost: look again now and then. */
	if (l->stopping && l->lost_told && until > now + SWEEP_MS)
		until = now + SWEEP_MS;
	if (!l->stopping && until <= now)
		return -1;
	return until > now ? (int)(until - now) : 0;
}

static int
loop(struct listener *l)
{
	struct pollfd pf[3];
	long long now;
	nfds_t n;

	while (!l->stopping || l->nkids > 0) {
		now = clock_ms();
		if (l->stopping && l->lost_told)
			(void)reap_all(l);
		if (l->stopping && now >= l->deadline_ms)
			on_deadline(l);
		pf[0] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = l->reapfd, .events = POLLIN };
		n = 2;
		if (!l->stopping && now >= l->pause_until_ms)
			pf[n++] =
			    (struct pollfd){ .fd = l->lfd, .events = POLLIN };
		if (poll(pf, n, wait_ms(l, now)) == -1 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			return EXIT_SYSTEM;
		}
		if (pf[1].revents)
			reap_announced(l);
		if (pf[0].revents)
			read_signals(l);
		if (n > 2 && pf[2].revents && !l->stopping)
			accept_batch(l);
	}
	return l->terminated ? EXIT_TIMEOUT : EXIT_OK;
}

/* One queued siginfo per child ended and not reaped yet: room for a
 * full table's worth, as far as the hard limit allows (what does not fit
 * is found by sweep_full). */
static void
room_for_announcements(unsigned max_conns)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_SIGPENDING, &rl) == -1 || rl.rlim_cur >= max_conns)
		return;
	rl.rlim_cur = rl.rlim_max < max_conns ? rl.rlim_max : max_conns;
	(void)setrlimit(RLIMIT_SIGPENDING, &rl);
}

int
listener_run(int lfd, const struct listener_opts *o, int (*serve)(int fd),
    void (*reload)(void))
{
	struct listener l = { .lfd = lfd,
		.o = o,
		.serve = serve,
		.reload = reload,
		.queued = 1 };
	char err[160];
	sigset_t set, reap, both;
	int status;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigemptyset(&reap);
	sigaddset(&reap, REAP_SIGNAL);
	sigorset(&both, &set, &reap);
	if ((l.kids = calloc(o->max_conns, sizeof(*l.kids))) == NULL ||
	    (o->max_per_source &&
		(l.sources = persource_new(o->max_conns)) == NULL)) {
		log_msg(LOG_ERR, "out of memory for %u connections",
		    o->max_conns);
		return EXIT_SYSTEM;
	}
	/* Blocked, a SIGHUP is queued for the signalfd; main may have set
	 * it to be ignored, which would discard it. */
	if (sigprocmask(SIG_BLOCK, &both, &l.oldmask) == -1 ||
	    signal(SIGHUP, SIG_DFL) == SIG_ERR ||
	    (l.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1 ||
	    (l.reapfd = signalfd(-1, &reap, SFD_NONBLOCK | SFD_CLOEXEC)) ==
		-1 ||
	    net_set_nonblock(lfd) == -1) {
		log_msg(LOG_ERR, "listener setup: %s", strerror(errno));
		free(l.kids);
		return EXIT_SYSTEM;
	}
	room_for_announcements(o->max_conns);
	if (o->jail && jail_enter(o->jail, err, sizeof(err)) == -1) {
		log_msg(LOG_ERR, "%s", err);
		free(l.kids);
		return EXIT_SYSTEM;
	}
	status = loop(&l);
	if (l.lfd != -1)
		close(l.lfd);
	close(l.sigfd);
	close(l.reapfd);
	free(l.kids);
	log_msg(LOG_NOTICE, "stopped%s",
	    status == EXIT_TIMEOUT ? " after terminating connections" : "");
	return status;
}
