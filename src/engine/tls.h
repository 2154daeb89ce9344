/* SPDX-License-Identifier: ISC */
/*
 * TLS under the engine, with OpenSSL: a server or client context built
 * once, before any connection (so that a forked or jailed process only
 * runs handshakes), and one connection's reads and writes mapped onto
 * what the poll loop understands. A plain connection never calls here.
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <sys/types.h>

struct ssl_ctx_st;
struct ssl_st;

struct tls_server_opts {
	const char *cert, *key; /* PEM; cert may hold the chain after it */
	const char *client_ca; /* ask for and verify client certificates */
	int client_optional; /* with client_ca: a client may send none */
	int min_version; /* TLS1_2_VERSION (default) or TLS1_3_VERSION */
	/* nginx-style 80-byte ticket keys, newest first: read when the
	 * context is built; tickets under any of them resume. */
	const char *ticket_keys;
	int tickets; /* without ticket_keys: issue tickets under random
		      * keys that live as long as ctx */
};

struct tls_client_opts {
	const char *cafile; /* NULL: the system's store */
	const char *cert, *key; /* a client certificate, or NULL */
	int insecure; /* verify nothing */
	int min_version;
};

/* A context ready for handshakes; NULL with the reason in err. */
struct ssl_ctx_st *tls_server_ctx(const struct tls_server_opts *o, char *err,
    size_t cap);
struct ssl_ctx_st *tls_client_ctx(const struct tls_client_opts *o, char *err,
    size_t cap);
/* Client: offer the session saved in path, if there is one, and save
 * every new session the server gives there (mode 0600, atomically).
 * Returns 0 with a session to offer, 1 when path does not exist, -1 with
 * the reason in err when it cannot be used (a new session then). */
int tls_client_session(struct ssl_ctx_st *ctx, const char *path, char *err,
    size_t cap);
/* Server, without ticket_keys: to seals and opens tickets under the
 * random keys of from, so that a reload does not cost every client a
 * full handshake. */
void tls_ticket_keys_keep(struct ssl_ctx_st *to, struct ssl_ctx_st *from);
void tls_ctx_free(struct ssl_ctx_st *ctx);
/* "1.2" or "1.3" into TLS1_2_VERSION or TLS1_3_VERSION; 0 otherwise. */
int tls_version_parse(const char *s);

/* What tls_read and tls_write return besides a byte count (> 0). */
enum tls_result {
	TLS_EOF = 0, /* the peer's close_notify, or EOF after the handshake */
	TLS_WANT_IN = -1, /* call again once the read fd is readable */
	TLS_WANT_OUT = -2, /* ... once the write fd is writable */
	TLS_LOST = -3, /* the socket failed: errno says how */
	TLS_FAIL = -4, /* TLS failed: err holds OpenSSL's reason */
};

/* One connection over rfd/wfd. Client: host is the name or address to
 * verify and, when a name, to send as SNI. NULL when out of memory. */
struct ssl_st *tls_new(struct ssl_ctx_st *ctx, int rfd, int wfd,
    const char *host);
ssize_t tls_read(struct ssl_st *s, void *p, size_t n, char *err, size_t cap);
ssize_t tls_write(struct ssl_st *s, const void *p, size_t n, char *err,
    size_t cap);
/* 1 when OpenSSL holds input already read from the socket. */
int tls_pending(struct ssl_st *s);
/* Sends close_notify, best effort, once the handshake is done. */
void tls_shutdown(struct ssl_st *s);
void tls_free(struct ssl_st *s);

/* After the handshake: "TLSv1.3", the cipher's name, and whether the
 * session was resumed; 0, or -1 while there is no session yet. */
int tls_describe(struct ssl_st *s, const char **protocol, const char **cipher,
    int *resumed);

/* Server, after the handshake: the facts a bridged program gets, in
 * mod_ssl's formats; the cert fields are "" when the client sent none.
 * 0, or -1 while there is no session yet. */
struct tls_facts {
	const char *protocol, *cipher;
	int resumed;
	char verify[128]; /* NONE, SUCCESS or FAILED:reason */
	char s_dn[512], i_dn[512]; /* RFC 2253 */
	char serial[80]; /* upper-case hex */
	char sha256[65]; /* of the certificate's DER, lower-case hex */
};
int tls_facts_get(struct ssl_st *s, struct tls_facts *f);

#endif
