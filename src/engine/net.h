/* SPDX-License-Identifier: ISC */
/*
 * Socket helpers the programs share: non-blocking mode, a bounded wait,
 * TCP_NODELAY, printable peer addresses and a bounded connect.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include "ws.h"

int net_set_nonblock(int fd);
/* Polls fd for events until deadline_ms on the clock.h clock (0 or
 * less: no deadline), through signals: 1 ready, 0 timed out (errno
 * ETIMEDOUT), -1 error. */
int net_wait(int fd, short events, long long deadline_ms);
/* Sets TCP_NODELAY when fd is a TCP socket; a no-op otherwise. Without
 * it a 64 KiB message waits ~40 ms on delayed ACKs. */
void net_nodelay(int fd);
/* "ADDR:PORT" or "[ADDR]:PORT" of the peer, "unix" for a Unix socket,
 * "-" when fd is not a socket. */
void net_peer_name(int fd, char *out, size_t cap);
/* The same for an address already known (from getpeername or accept). */
void net_addr_name(const struct sockaddr_storage *ss, socklen_t len, char *out,
    size_t cap);
/* Numeric text without snprintf or inet_ntop's sprintf, which cost a
 * hundred times more for the same digits (a connection's peer name and
 * its program's environment): n in decimal, or "A.B.C.D", written at
 * out without a NUL (at most 10 and 15 bytes); returns the end. */
char *net_put_decimal(char *out, unsigned n);
char *net_put_v4(char *out, const struct in_addr *in);
/* An IP address and port in the core's form (a v4-mapped IPv6 address
 * as IPv4): 1, or 0 for any other family. */
int net_ws_addr(const struct sockaddr_storage *ss, struct ws_addr *a,
    uint16_t *port);
/* Resolves host/port and connects to the first address that answers
 * within timeout_ms in all (negative: no bound). Returns a non-blocking,
 * close-on-exec fd,
 * or -1 with a reason in err. */
int net_connect(const char *host, const char *port, int timeout_ms, char *err,
    size_t errcap);

#endif
