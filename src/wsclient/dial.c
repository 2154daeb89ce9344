/* SPDX-License-Identifier: ISC */
/*
 * wsclient's connect: resolve a host and try every address within one
 * time bound. Apart from net.c because it needs the resolver, which a
 * static wsinetd must not pull in.
 */
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"

/* One non-blocking connect, waited for until the deadline. */
static int
connect_one(const struct addrinfo *ai, long long deadline, int *err)
{
	socklen_t len = sizeof(*err);
	int fd, r;

	fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	if ((r = net_wait(fd, POLLOUT, deadline)) <= 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == -1)
		goto fail;
	if (*err == 0)
		return fd;
	errno = *err;
fail:
	*err = errno;
	close(fd);
	return -1;
}

int
net_connect(const char *host, const char *port, int timeout_ms, char *err,
    size_t errcap)
{
	struct addrinfo hints, *res, *ai;
	long long deadline = timeout_ms < 0 ? -1 : clock_ms() + timeout_ms;
	int fd = -1, e = 0, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errcap, "cannot resolve %s: %s", host,
		    gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = connect_one(ai, deadline, &e);
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(err, errcap, "cannot connect to %s port %s: %s", host,
		    port, strerror(e));
		return -1;
	}
	return fd;
}
