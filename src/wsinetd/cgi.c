/* SPDX-License-Identifier: ISC */
/*
 * Gathers what a bridged program's environment says about its
 * connection: both ends' addresses (from the socket, or systemd's
 * REMOTE_ADDR/REMOTE_PORT when the connection is not a socket), the
 * client's name when asked for, a random UNIQUE_ID, PATH and the
 * --passenv variables. cgienv.c lays them out.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgi.h"
#include "cgienv.h"
#include "clock.h"
#include "log.h"
#include "net.h"
#include "tls.h"

/* More names than anyone passes; bounds the list on the stack. */
#define MAX_PASSENV 64

extern char **environ;

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char host[INET6_ADDRSTRLEN + 16]; /* room for a %scope */
	char port[8];
};

/* IPv4-mapped IPv6 (a dual-stack socket's IPv4 client) as plain IPv4,
 * which is what the client used. */
static void
unmap_v4(struct addr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	struct sockaddr_in v4;

	if (a->ss.ss_family != AF_INET6 ||
	    !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	memset(&v4, 0, sizeof(v4));
	v4.sin_family = AF_INET;
	v4.sin_port = s6->sin6_port;
	memcpy(&v4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	memset(&a->ss, 0, sizeof(a->ss));
	memcpy(&a->ss, &v4, sizeof(v4));
	a->len = sizeof(v4);
}

/* Fills host and port from ss; -1 for anything but IPv4 and IPv6.
 * Numeric, as getnameinfo would write them for many more instructions;
 * getnameinfo still for the %scope of a link-local IPv6 address. */
static int
addr_format(struct addr *a)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;
	unsigned port;
	int scoped;

	unmap_v4(a);
	scoped = a->ss.ss_family == AF_INET6 && v6->sin6_scope_id != 0;
	if (a->ss.ss_family != AF_INET && a->ss.ss_family != AF_INET6)
		return -1;
	if (scoped &&
	    getnameinfo((struct sockaddr *)&a->ss, a->len, a->host,
		sizeof(a->host), a->port, sizeof(a->port),
		NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return -1;
	if (scoped)
		return 0;
	if (a->ss.ss_family == AF_INET)
		*net_put_v4(a->host, &v4->sin_addr) = '\0';
	else if (inet_ntop(AF_INET6, &v6->sin6_addr, a->host,
		     sizeof(a->host)) == NULL)
		return -1;
	port = ntohs(a->ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
	*net_put_decimal(a->port, port) = '\0';
	return 0;
}

/* A numeric address and port, from systemd's environment or a PROXY
 * header. */
static int
addr_from_text(struct addr *a, const char *host, const char *port)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
	char *end;
	unsigned long n = 0;

	if (host == NULL || *host == '\0')
		return -1;
	if (port != NULL && *port != '\0') {
		n = strtoul(port, &end, 10);
		if (*end != '\0' || n > 65535)
			return -1;
	}
	/* Numeric only, parsed here: a static wsinetd has no resolver. */
	memset(&a->ss, 0, sizeof(a->ss));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)n);
		a->len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)n);
		a->len = sizeof(*v6);
	} else
		return -1;
	return addr_format(a);
}

/* systemd sets REMOTE_ADDR and REMOTE_PORT for Accept=yes services; a
 * launcher handing over pipes may do the same. */
static int
addr_from_env(struct addr *a)
{
	return addr_from_text(a, getenv("REMOTE_ADDR"), getenv("REMOTE_PORT"));
}

static int
addr_get(int fd, int peer, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = sizeof(a->ss);
	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&a->ss,
		&a->len) == 0)
		return addr_format(a);
	return peer && errno == ENOTSOCK ? addr_from_env(a) : -1;
}

/* A DNS answer is not trusted to be a host name. */
static int
host_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

/* Reads the child's answer until EOF or the deadline. */
static size_t
read_answer(int fd, char *out, size_t cap)
{
	long long deadline = clock_ms() + CGI_LOOKUP_MS, left;
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t r;

	while ((left = deadline - clock_ms()) > 0 && n < cap - 1) {
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			break;
		if ((r = read(fd, out + n, cap - 1 - n)) == 0)
			break;
		if (r > 0)
			n += (size_t)r;
		else if (errno != EINTR && errno != EAGAIN)
			break;
	}
	out[n] = '\0';
	return left > 0 ? n : 0;
}

/* getnameinfo can block for as long as the resolver likes, so it runs
 * in a child that is killed when CGI_LOOKUP_MS is up. On any failure
 * out keeps the address. */
static void
reverse_lookup(const struct addr *a, char *out, size_t cap)
{
	char host[NI_MAXHOST];
	int p[2], st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return;
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (getnameinfo((const struct sockaddr *)&a->ss, a->len, host,
			sizeof(host), NULL, 0, NI_NAMEREQD) == 0 &&
		    write(p[1], host, strlen(host)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid != -1) {
		if (read_answer(p[0], host, sizeof(host)) > 0 &&
		    host_name_ok(host) && strlen(host) < cap)
			memcpy(out, host, strlen(host) + 1);
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			continue;
	}
	close(p[0]);
}

/* Next name of a comma-separated list into name; 0 at the end. */
static int
list_next(const char **list, char *name, size_t cap)
{
	const char *s = *list, *comma;
	size_t n;

	if (s == NULL || *s == '\0')
		return 0;
	comma = strchr(s, ',');
	n = comma != NULL ? (size_t)(comma - s) : strlen(s);
	*list = comma != NULL ? comma + 1 : s + n;
	if (n >= cap)
		n = cap - 1;
	memcpy(name, s, n);
	name[n] = '\0';
	return 1;
}

const char *
cgi_passenv_bad(const char *list)
{
	static char name[256];
	int count = 0;

	while (list_next(&list, name, sizeof(name)))
		if (!cgienv_passable(name) || strchr(name, '=') != NULL ||
		    ++count > MAX_PASSENV)
			return name;
	return NULL;
}

/* The "NAME=VALUE" entries of our own environment that are passed. */
static size_t
passenv_collect(const char *list, const char **out)
{
	char name[256];
	size_t n = 0, len, i;

	while (n < MAX_PASSENV && list_next(&list, name, sizeof(name))) {
		len = strlen(name);
		for (i = 0; environ[i] != NULL; i++)
			if (strncmp(environ[i], name, len) == 0 &&
			    environ[i][len] == '=') {
				out[n++] = environ[i];
				break;
			}
	}
	return n;
}

static void
gather(struct cgienv_facts *f, int fd, const struct cgi_opts *o,
    struct addr *peer, struct addr *local, char *rhost, size_t cap)
{
	const char *path = getenv("PATH");

	f->software = "wsinetd/" WSINETD_VERSION;
	f->path = path != NULL && *path ? path : CGI_DEFAULT_PATH;
	if (o->remote_addr != NULL
		? addr_from_text(peer, o->remote_addr, o->remote_port) == 0
		: addr_get(fd, 1, peer) == 0) {
		f->remote_addr = peer->host;
		f->remote_port = peer->port;
		if (o->reverse_lookup) {
			memcpy(rhost, peer->host, strlen(peer->host) + 1);
			reverse_lookup(peer, rhost, cap);
			f->remote_host = rhost;
		}
	}
	if (addr_get(fd, 0, local) == 0) {
		f->local_addr = local->host;
		f->local_port = local->port;
	}
}

static int
refuse(struct cgi_target *t, const struct ws_str path, int status,
    const char **reason)
{
	char clean[120];

	log_clean(clean, sizeof(clean), path.p, path.n);
	snprintf(t->why, sizeof(t->why), "%s: %s", t->rt.reason, clean);
	*reason = t->why;
	return status;
}

int
cgi_resolve(const struct cgi_opts *o, const struct ws_request *r,
    struct cgi_target *t, const char **reason)
{
	struct ws_str path, query;

	cgienv_target_split(r->target, &path, &query);
	if (o->dir != NULL) {
		if (route_find(o->dirfd, o->dir, path, &t->rt) == -1)
			return refuse(t, path, 404, reason);
		return 0;
	}
	if (cgienv_path_decode(path.p, path.n, t->rt.path_info,
		sizeof(t->rt.path_info)) < 0) {
		t->rt.reason = "malformed path";
		return refuse(t, path, 400, reason);
	}
	return 0;
}

/* The TLS facts, from OpenSSL into strings. */
static const struct cgienv_tls *
gather_tls(struct ssl_st *s, struct tls_facts *tf, struct cgienv_tls *t)
{
	if (s == NULL || tls_facts_get(s, tf) == -1)
		return NULL;
	*t = (struct cgienv_tls){ .protocol = tf->protocol,
		.cipher = tf->cipher,
		.resumed = tf->resumed ? "Resumed" : "Initial",
		.verify = tf->verify,
		.s_dn = tf->s_dn,
		.i_dn = tf->i_dn,
		.serial = tf->serial,
		.cert_sha256 = tf->sha256 };
	return t;
}

char **
cgi_environ(const struct ws_request *r, int fd, struct ssl_st *tls,
    const struct cgi_opts *o, const struct cgi_target *t, const char *protocol,
    const char **reason)
{
	struct cgienv_facts f = { 0 };
	struct tls_facts tf;
	struct cgienv_tls ct;
	const char *pass[MAX_PASSENV];
	struct addr peer, local;
	unsigned char rnd[16];
	char rhost[NI_MAXHOST], uid[2 * sizeof(rnd) + 1];
	struct cgienv e;
	size_t bytes, entries;
	char **block;

	gather(&f, fd, o, &peer, &local, rhost, sizeof(rhost));
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		*reason = "no random bytes for UNIQUE_ID";
		return NULL;
	}
	cgienv_hex(rnd, sizeof(rnd), uid);
	f.unique_id = uid;
	/* One program: SCRIPT_NAME is empty, and rt.script_name is left
	 * unwritten (a page less for a listener's child to copy). */
	f.script_name = o->dir != NULL ? t->rt.script_name : "";
	f.path_info = t->rt.path_info;
	f.protocol = protocol;
	f.tls = gather_tls(tls, &tf, &ct);
	f.pass = pass;
	f.npass = o->passenv != NULL ? passenv_collect(o->passenv, pass) : 0;
	bytes = cgienv_bytes(r, &f);
	entries = cgienv_entries(r, &f);
	if ((block = malloc(entries * sizeof(char *) + bytes)) == NULL) {
		*reason = "out of memory";
		return NULL;
	}
	cgienv_init(&e, (char *)(block + entries), bytes, block, entries);
	if (cgienv_build(&e, r, &f) == -1) {
		free(block);
		*reason = e.reason;
		return NULL;
	}
	return block;
}
