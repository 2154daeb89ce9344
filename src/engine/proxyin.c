/* SPDX-License-Identifier: ISC */
/*
 * Reading the PROXY header: poll, peek what has come, let the core take
 * its part, consume exactly that much, again until it is whole. Peeking
 * costs one more call per piece, and only connections with the option
 * set pay it; in return no byte past the header is read, which TLS needs
 * (OpenSSL reads the socket itself) and which keeps the engine unaware.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>

#include "net.h"
#include "proxyin.h"

/* A v1 line fits at once; a v2 header with TLVs takes a few rounds. */
#define PEEK_CHUNK 256

/* Peeks what is waiting: > 0 bytes, 0 EOF, -1 error (EAGAIN: none). */
static ssize_t
peek(int fd, void *buf, size_t cap)
{
	ssize_t n;

	do
		n = recv(fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	return n;
}

/* Takes n bytes known to be waiting. */
static int
consume(int fd, size_t n)
{
	uint8_t junk[PEEK_CHUNK];
	ssize_t r;

	do
		r = recv(fd, junk, n, MSG_DONTWAIT);
	while (r == -1 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

enum proxyin_result
proxyin_read(int fd, long long deadline_ms, struct ws_proxy *p)
{
	uint8_t buf[PEEK_CHUNK];
	ssize_t n;
	long used;
	int w;

	ws_proxy_init(p);
	while (!p->done) {
		if ((w = net_wait(fd, POLLIN, deadline_ms)) <= 0)
			return w == 0 ? PROXYIN_TIMEOUT : PROXYIN_ERROR;
		n = peek(fd, buf, sizeof(buf));
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			return n == 0 ? PROXYIN_CLOSED : PROXYIN_ERROR;
		if ((used = ws_proxy_parse(p, buf, (size_t)n)) < 0)
			return PROXYIN_REFUSED;
		if (consume(fd, (size_t)used) == -1)
			return PROXYIN_ERROR;
	}
	return PROXYIN_OK;
}

int
proxyin_sniff(int fd, long long deadline_ms)
{
	uint8_t buf[12];
	ssize_t n;

	if (net_wait(fd, POLLIN, deadline_ms) != 1)
		return 0;
	n = peek(fd, buf, sizeof(buf));
	return n > 0 && ws_proxy_sniff(buf, (size_t)n);
}
