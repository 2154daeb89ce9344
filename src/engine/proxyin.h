/* SPDX-License-Identifier: ISC */
/*
 * The PROXY header off a socket, before anything else reads it: peeked,
 * then exactly its bytes taken, so that what follows (the request, or
 * the ClientHello OpenSSL reads next) is left in the socket.
 */
#ifndef PROXYIN_H
#define PROXYIN_H

#include <stddef.h>

#include "ws.h"

enum proxyin_result {
	PROXYIN_OK = 0,
	PROXYIN_REFUSED, /* p->reason says why */
	PROXYIN_TIMEOUT,
	PROXYIN_CLOSED, /* EOF before the header was whole */
	PROXYIN_ERROR, /* errno says why */
};

/* Reads the header from the socket fd, waiting until deadline_ms
 * (clock_ms; 0: no bound), into *p, which it initialises. */
enum proxyin_result proxyin_read(int fd, long long deadline_ms,
    struct ws_proxy *p);
/* 1 when the first bytes waiting on fd (by deadline_ms) could begin a
 * PROXY header; 0 for anything else, a timeout or an error: the caller
 * serves on, and its own reads see what happened. Takes nothing. */
int proxyin_sniff(int fd, long long deadline_ms);

#endif
