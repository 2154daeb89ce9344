/* SPDX-License-Identifier: ISC */
/*
 * Socket helpers: non-blocking mode, TCP_NODELAY, peer names. The
 * client's connect is in dial.c, so that wsinetd, linked statically,
 * carries no resolver.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "net.h"

int
net_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -1;
	if (fl & O_NONBLOCK)
		return 0;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
net_wait(int fd, short events, long long deadline_ms)
{
	struct pollfd pf = { .fd = fd, .events = events };
	long long left;
	int r;

	for (;;) {
		left = deadline_ms > 0 ? deadline_ms - clock_ms() : -1;
		if (deadline_ms > 0 && left <= 0)
			break;
		r = poll(&pf, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r == 0)
			break;
		if (errno != EINTR)
			return -1;
	}
	errno = ETIMEDOUT;
	return 0;
}

void
net_nodelay(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return;
	/* Fails harmlessly on a UDP or SCTP socket; nothing to report. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void
net_peer_name(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1) {
		snprintf(out, cap, "-");
		return;
	}
	net_addr_name(&ss, len, out, cap);
}

int
net_ws_addr(const struct sockaddr_storage *ss, struct ws_addr *a,
    uint16_t *port)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;

	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->family = 4;
		memcpy(a->a, &v4->sin_addr, 4);
		*port = ntohs(v4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		a->family = 6;
		memcpy(a->a, &v6->sin6_addr, 16);
		ws_addr_unmap(a);
		*port = ntohs(v6->sin6_port);
	} else {
		return 0;
	}
	return 1;
}

/* s into out[0..cap), cut short as snprintf would. */
static void
copy_name(char *out, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n > cap - 1)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

char *
net_put_decimal(char *out, unsigned n)
{
	char digits[10];
	int i = 0;

	do
		digits[i++] = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	while (i > 0)
		*out++ = digits[--i];
	return out;
}

char *
net_put_v4(char *out, const struct in_addr *in)
{
	const uint8_t *b = (const uint8_t *)&in->s_addr;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			*out++ = '.';
		out = net_put_decimal(out, b[i]);
	}
	return out;
}

/* "A.B.C.D:PORT", by hand: getnameinfo and snprintf take thousands of
 * instructions and kilobytes of stack for it, which every connection
 * would keep. */
static void
v4_name(const struct sockaddr_in *sin, char *out, size_t cap)
{
	char buf[sizeof("255.255.255.255:65535")], *p;

	p = net_put_v4(buf, &sin->sin_addr);
	*p++ = ':';
	p = net_put_decimal(p, ntohs(sin->sin_port));
	copy_name(out, cap, buf, (size_t)(p - buf));
}

void
net_addr_name(const struct sockaddr_storage *sa, socklen_t len, char *out,
    size_t cap)
{
	char host[INET6_ADDRSTRLEN], port[8];

	if (sa->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		v4_name((const struct sockaddr_in *)sa, out, cap);
		return;
	}
	if (sa->ss_family == AF_UNIX) {
		copy_name(out, cap, "unix", 4);
		return;
	}
	if (getnameinfo((const struct sockaddr *)sa, len, host, sizeof(host),
		port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		copy_name(out, cap, "-", 1);
		return;
	}
	if (sa->ss_family == AF_INET6)
		snprintf(out, cap, "[%s]:%s", host, port);
	else
		snprintf(out, cap, "%s:%s", host, port);
}
