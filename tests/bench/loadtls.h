/* SPDX-License-Identifier: ISC */
/*
 * loadtls: the load generator's TLS client (OpenSSL). Non-blocking reads
 * and writes with read()/write()'s conventions, and, when asked, one
 * session kept from the first server that offers it and presented on
 * every later connection, so that a run measures resumed handshakes.
 */
#ifndef LOADTLS_H
#define LOADTLS_H

#include <openssl/ssl.h>
#include <sys/types.h>

struct loadtls {
	SSL_CTX *ctx;
	SSL_SESSION *kept; /* NULL until a server gave one (resume only) */
	int resume;
	unsigned long long full, resumed; /* completed handshakes */
};

/* A client context: no certificate verification (the benchmark measures
 * the server, not the CA), SNI "localhost". Returns -1 on failure, with
 * OpenSSL's reason on stderr. */
int loadtls_init(struct loadtls *t, int resume);

/* A TLS connection over fd, with the kept session if there is one. */
SSL *loadtls_new(struct loadtls *t, int fd);

/* Ends a connection without a close_notify (none is awaited: the
 * WebSocket close came first), keeping its session resumable. */
void loadtls_free(SSL *s);

/* Drives the handshake: 1 done (counted full or resumed), 0 waiting
 * (*want_out: for writability), -1 failed (*why: OpenSSL's reason). */
int loadtls_handshake(struct loadtls *t, SSL *s, int *want_out,
    const char **why);

/* Like read(2) and write(2) on a non-blocking socket: -1 with errno
 * EAGAIN while TLS waits for the socket, EPROTO on a TLS error; read's 0
 * is the end, with or without the peer's close_notify. */
ssize_t loadtls_read(SSL *s, void *buf, size_t n);
ssize_t loadtls_write(SSL *s, const void *buf, size_t n);

#endif
