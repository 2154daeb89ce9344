/* SPDX-License-Identifier: ISC */
/*
 * The loopback TCP floor: one process, one epoll loop, no WebSocket.
 * "hello" writes the welcome line on accept, answers the first line L
 * with "You said: L" and ends the connection (the server closes first,
 * as in WebSocket); "echo" sends every byte back. What a server costs when
 * it does nothing but move bytes on loopback. Not a server to use.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_CAP 65536
#define OUT_CAP (BUF_CAP + sizeof(PREFIX) * 64)

static const char WELCOME[] = "Welcome to the WebSocket server!\n";
static const char PREFIX[] = "You said: ";

struct client {
	int fd;
	int line_start, ending, shut;
	/* Pending output, allocated only while there is some, so that an
	 * idle connection costs what the kernel keeps and little more. */
	char *out;
	size_t off, len; /* no reading while any is left */
};

static int ep, hello;

static void
drop(struct client *c)
{
	close(c->fd);
	free(c->out);
	free(c);
}

static void
interest(struct client *c, int op)
{
	struct epoll_event ev = { 0 };

	ev.events = c->off < c->len ? EPOLLOUT : EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, op, c->fd, &ev) == -1) {
		perror("raw_server: epoll_ctl");
		exit(1);
	}
}

/* Returns -1 when the client is gone. */
static int
flush(struct client *c)
{
	ssize_t w;

	while (c->off < c->len) {
		w = write(c->fd, c->out + c->off, c->len - c->off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN)
			break;
		if (w == -1)
			return -1;
		c->off += (size_t)w;
	}
	if (c->off == c->len) {
		c->off = c->len = 0;
		free(c->out);
		c->out = NULL;
	}
	if (c->ending && c->len == 0 && !c->shut) {
		c->shut = 1;
		if (shutdown(c->fd, SHUT_WR) == -1)
			return -1;
	}
	interest(c, EPOLL_CTL_MOD);
	return 0;
}

static void
add(struct client *c, const char *p, size_t n)
{
	if (c->out == NULL && (c->out = malloc(OUT_CAP)) == NULL) {
		perror("raw_server: malloc");
		exit(1);
	}
	memcpy(c->out + c->len, p, n);
	c->len += n;
}

/* hello: the prefix before every line, the bytes as they are. */
static void
answer(struct client *c, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	if (!hello) {
		add(c, p, n);
		return;
	}
	for (; p < end && !c->ending; p = nl) {
		if (c->line_start)
			add(c, PREFIX, sizeof(PREFIX) - 1);
		nl = memchr(p, '\n', (size_t)(end - p));
		c->line_start = c->ending = nl != NULL;
		nl = nl != NULL ? nl + 1 : end;
		add(c, p, (size_t)(nl - p));
	}
}

static void
on_client(struct client *c)
{
	char buf[BUF_CAP];
	ssize_t n;

	if (c->off < c->len) {
		if (flush(c) == -1)
			drop(c);
		return;
	}
	/* Few lines per read in hello mode: the prefixes must fit. */
	n = read(c->fd, buf, hello ? BUF_CAP / 16 : BUF_CAP);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	answer(c, buf, (size_t)n);
	if (flush(c) == -1)
		drop(c);
}

static void
on_accept(int lfd)
{
	struct client *c;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
	    sizeof(int));
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->line_start = 1;
	if (hello)
		add(c, WELCOME, sizeof(WELCOME) - 1);
	interest(c, EPOLL_CTL_ADD);
	if (flush(c) == -1)
		drop(c);
}

static int
listen_on(const char *host, int port)
{
	struct sockaddr_in a = { 0 };
	struct epoll_event ev = { 0 };
	int fd, one = 1;

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
	    (ntohl(a.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "raw_server: HOST must be 127.x.x.x\n");
		exit(2);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(fd, 1024) == -1) {
		perror("raw_server: listen");
		exit(1);
	}
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		perror("raw_server: epoll_ctl");
		exit(1);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[64];
	int lfd, i, n, port;

	if (argc != 4 ||
	    (strcmp(argv[1], "hello") != 0 && strcmp(argv[1], "echo") != 0) ||
	    (port = atoi(argv[3])) < 1 || port > 65535) {
		fprintf(stderr, "usage: raw_server hello|echo HOST PORT\n");
		return 2;
	}
	hello = strcmp(argv[1], "hello") == 0;
	signal(SIGPIPE, SIG_IGN);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("raw_server: epoll_create1");
		return 1;
	}
	lfd = listen_on(argv[2], port);
	for (;;) {
		if ((n = epoll_wait(ep, evs, 64, -1)) == -1 && errno != EINTR) {
			perror("raw_server: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				on_accept(lfd);
			else
				on_client(evs[i].data.ptr);
		}
	}
}
