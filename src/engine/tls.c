/* SPDX-License-Identifier: ISC */
/*
 * TLS with OpenSSL: contexts built once, before any connection, and one
 * connection's reads and writes as results the poll loop acts on. It
 * never reads OpenSSL's configuration file (a static wsinetd must not
 * load modules) and loads no CA store unless asked to verify peers.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls.h"
#include "tlskey.h"

/* We speak HTTP/1.1 (the upgrade) and nothing else over ALPN. */
static const unsigned char ALPN_HTTP11[] = "\x08http/1.1";

/* nginx's answer to a plain HTTP request on its TLS port, in our words. */
static const char PLAIN_HTTP[] =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 46\r\n"
    "Connection: close\r\n"
    "\r\n"
    "This port speaks TLS: use https:// or wss://.\n";

/* A ticket key in nginx's 80-byte ssl_session_ticket_key layout: the
 * name tickets carry, then the HMAC-SHA256 key, then the AES-256 key. */
#define KEY_NAME 16
#define KEY_HMAC 32
#define KEY_AES 32
#define KEY_SIZE (KEY_NAME + KEY_HMAC + KEY_AES)
/* Rotation keeps a few old keys; a file with more is a mistake. */
#define KEYS_MAX 64

/* What a context carries besides OpenSSL's own: a server's ticket keys
 * from --tls-ticket-keys, newest first; a client's session file and the
 * session read from it. Freed with the context. */
struct extra {
	size_t nkeys;
	unsigned char keys[KEYS_MAX][KEY_SIZE];
	const char *session_path;
	SSL_SESSION *session;
	int save_failed; /* said once, not once per ticket */
};

static int extra_index = -1;

int
tls_version_parse(const char *s)
{
	if (strcmp(s, "1.2") == 0)
		return TLS1_2_VERSION;
	if (strcmp(s, "1.3") == 0)
		return TLS1_3_VERSION;
	return 0;
}

/* OpenSSL's reason for the oldest error queued, then the queue cleared;
 * a failed verification says which check failed. */
static void
reason(SSL *s, const char *what, char *err, size_t cap)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	long v;

	if (e && ERR_SYSTEM_ERROR(e)) /* an errno: fopen's, say */
		r = strerror(ERR_GET_REASON(e));
	if (r == NULL)
		r = e ? "unknown error" : "no reason given";
	if (s != NULL && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED &&
	    (v = SSL_get_verify_result(s)) != X509_V_OK)
		snprintf(err, cap, "%s%s: %s", what, r,
		    X509_verify_cert_error_string(v));
	else
		snprintf(err, cap, "%s%s", what, r);
	ERR_clear_error();
}

static void
free_extra(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (ptr == NULL)
		return;
	SSL_SESSION_free(((struct extra *)ptr)->session);
	OPENSSL_clear_free(ptr, sizeof(struct extra));
}

/* The context's extra, made on first use; NULL when out of memory. */
static struct extra *
extra_of(SSL_CTX *ctx)
{
	struct extra *x = SSL_CTX_get_ex_data(ctx, extra_index);

	if (x != NULL)
		return x;
	if ((x = OPENSSL_zalloc(sizeof(*x))) == NULL)
		return NULL;
	if (SSL_CTX_set_ex_data(ctx, extra_index, x) != 1) {
		OPENSSL_free(x);
		return NULL;
	}
	return x;
}

/* Once per process, before the first context. No configuration file:
 * it could load modules into a static binary. No freeing of OpenSSL's
 * tables at exit: the kernel does that faster, and an Accept=yes
 * process exits after one connection (docs/benchmarks.md, "Where an
 * Accept=yes wss:// session's time goes"). */
static int
init(char *err, size_t cap)
{
	if (OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG |
		    OPENSSL_INIT_NO_ATEXIT,
		NULL) != 1) {
		reason(NULL, "OpenSSL initialisation: ", err, cap);
		return -1;
	}
	if (extra_index == -1 &&
	    (extra_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		 free_extra)) == -1) {
		reason(NULL, "OpenSSL ex_data: ", err, cap);
		return -1;
	}
	return 0;
}

/* Settings both roles share. */
static SSL_CTX *
new_ctx(const SSL_METHOD *m, int min_version, char *err, size_t cap)
{
	SSL_CTX *ctx;

	if (init(err, cap) == -1)
		return NULL;
	if ((ctx = SSL_CTX_new(m)) == NULL) {
		reason(NULL, "SSL_CTX_new: ", err, cap);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx,
	    min_version ? min_version : TLS1_2_VERSION);
	/* Writes come from a buffer that may move or grow between tries
	 * and return after each record; idle connections give their
	 * buffers back; reads take what the socket has, not one header at
	 * a time. */
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	return ctx;
}

static int
load_pair(SSL_CTX *ctx, const char *cert, const char *key, char *err,
    size_t cap)
{
	char what[300];

	snprintf(what, sizeof(what), "certificate %s: ", cert);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		goto fail;
	snprintf(what, sizeof(what), "key %s: ", key);
	if (tlskey_use_file(ctx, key) != 1)
		goto fail;
	snprintf(what, sizeof(what),
	    "key %s does not match certificate %s: ", key, cert);
	if (SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	return 0;
fail:
	reason(NULL, what, err, cap);
	return -1;
}

static int
alpn_select(SSL *s, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned inlen, void *arg)
{
	unsigned char *o;

	(void)s;
	(void)arg;
	if (SSL_select_next_proto(&o, outlen, ALPN_HTTP11,
		sizeof(ALPN_HTTP11) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK; /* go on without ALPN */
	*out = o;
	return SSL_TLSEXT_ERR_OK;
}

static int
client_ca(SSL_CTX *ctx, const struct tls_server_opts *o, char *err, size_t cap)
{
	STACK_OF(X509_NAME) * names;
	char what[300];
	int mode = SSL_VERIFY_PEER;

	snprintf(what, sizeof(what), "client CA %s: ", o->client_ca);
	if (SSL_CTX_load_verify_locations(ctx, o->client_ca, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(o->client_ca)) == NULL) {
		reason(NULL, what, err, cap);
		return -1;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	if (!o->client_optional)
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	SSL_CTX_set_verify(ctx, mode, NULL);
	return 0;
}

/* Up to cap bytes of fd into buf; the count, or -1 with errno. */
static ssize_t
read_all(int fd, unsigned char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t r;

	while (len < cap) {
		if ((r = read(fd, buf + len, cap - len)) == -1 &&
		    errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	return (ssize_t)len;
}

/* Reads a whole key file: one or more keys back to back, nothing else. */
static int
read_keys(const char *path, struct extra *x, char *err, size_t cap)
{
	unsigned char buf[KEYS_MAX * KEY_SIZE + 1];
	ssize_t len = -1;
	int fd, ok = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		len = read_all(fd, buf, sizeof(buf));
		close(fd);
	}
	if (len == -1)
		snprintf(err, cap, "ticket keys %s: %s", path, strerror(errno));
	else if (len > KEYS_MAX * KEY_SIZE)
		snprintf(err, cap, "ticket keys %s: more than %d keys", path,
		    KEYS_MAX);
	else if (len == 0)
		snprintf(err, cap,
		    "ticket keys %s: empty (openssl rand %d makes one key)",
		    path, KEY_SIZE);
	else if (len % KEY_SIZE != 0)
		snprintf(err, cap,
		    "ticket keys %s: %zd bytes, not a multiple of %d "
		    "(openssl rand %d makes one key)",
		    path, len, KEY_SIZE, KEY_SIZE);
	else
		ok = 1;
	if (ok) {
		memcpy(x->keys, buf, (size_t)len);
		x->nkeys = (size_t)len / KEY_SIZE;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok ? 0 : -1;
}

/* AES-256-CBC and HMAC-SHA256 under key k, as nginx does with its 80-byte
 * keys; 0 on success. */
static int
ticket_crypto(const unsigned char *k, unsigned char *iv, EVP_CIPHER_CTX *c,
    EVP_MAC_CTX *h, int enc)
{
	OSSL_PARAM p[3];

	p[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *)(k + KEY_NAME), KEY_HMAC);
	p[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[2] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(h, p) != 1)
		return -1;
	return EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL,
		   k + KEY_NAME + KEY_HMAC, iv, enc) == 1
	    ? 0
	    : -1;
}

/* OpenSSL's ticket key callback: the first key seals new tickets; any
 * key opens one, and a ticket under an older key is replaced (2). */
static int
ticket_key_cb(SSL *s, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *c, EVP_MAC_CTX *h, int enc)
{
	struct extra *x = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), extra_index);
	size_t i;

	if (x == NULL || x->nkeys == 0)
		return -1;
	if (enc) {
		if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1 ||
		    ticket_crypto(x->keys[0], iv, c, h, 1) == -1)
			return -1;
		memcpy(name, x->keys[0], KEY_NAME);
		return 1;
	}
	for (i = 0; i < x->nkeys; i++)
		if (CRYPTO_memcmp(name, x->keys[i], KEY_NAME) == 0)
			break;
	if (i == x->nkeys)
		return 0; /* not ours, or dropped: a full handshake */
	if (ticket_crypto(x->keys[i], iv, c, h, 0) == -1)
		return -1;
	return i == 0 ? 1 : 2;
}

/* Tickets: under keys from a file, under OpenSSL's random keys (shared
 * by a listener's children), or none. */
static int
tickets(SSL_CTX *ctx, const struct tls_server_opts *o, char *err, size_t cap)
{
	struct extra *x;

	if (o->ticket_keys == NULL) {
		if (!o->tickets)
			SSL_CTX_set_num_tickets(ctx, 0);
		return 0;
	}
	if ((x = extra_of(ctx)) == NULL) {
		snprintf(err, cap, "ticket keys %s: out of memory",
		    o->ticket_keys);
		return -1;
	}
	if (read_keys(o->ticket_keys, x, err, cap) == -1)
		return -1;
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_cb);
	return 0;
}

SSL_CTX *
tls_server_ctx(const struct tls_server_opts *o, char *err, size_t cap)
{
	static const unsigned char sid_ctx[] = "wsinetd";
	unsigned char seed;
	SSL_CTX *ctx;

	if ((ctx = new_ctx(TLS_server_method(), o->min_version, err, cap)) ==
	    NULL)
		return NULL;
	if (load_pair(ctx, o->cert, o->key, err, cap) == -1 ||
	    (o->client_ca && client_ca(ctx, o, err, cap) == -1) ||
	    tickets(ctx, o, err, cap) == -1)
		goto fail;
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
	/* One process per connection: a session cache would die with it.
	 * Tickets resume where their keys are shared (a key file, or a
	 * listener's forked children); elsewhere they only waste bytes. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_max_early_data(ctx, 0);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	/* Seeds the random generator now, while it may still open what it
	 * needs; later handshakes only draw from it. */
	if (RAND_bytes(&seed, 1) != 1) {
		reason(NULL, "random generator: ", err, cap);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_client_ctx(const struct tls_client_opts *o, char *err, size_t cap)
{
	char what[300];
	SSL_CTX *ctx;

	if ((ctx = new_ctx(TLS_client_method(), o->min_version, err, cap)) ==
	    NULL)
		return NULL;
	snprintf(what, sizeof(what),
	    "CA file %s: ", o->cafile ? o->cafile : "(system store)");
	if (o->insecure)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	else if ((o->cafile
			 ? SSL_CTX_load_verify_locations(ctx, o->cafile, NULL)
			 : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		reason(NULL, what, err, cap);
		goto fail;
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (o->cert && load_pair(ctx, o->cert, o->key, err, cap) == -1)
		goto fail;
	if (SSL_CTX_set_alpn_protos(ctx, ALPN_HTTP11,
		sizeof(ALPN_HTTP11) - 1) != 0) {
		reason(NULL, "ALPN: ", err, cap);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* A new session (TLS 1.3: a ticket after the handshake) replaces the
 * file: written to a temporary file (0600) next to it, then renamed, so
 * that a reader sees the old session or the new one, whole. */
static int
save_session(SSL *s, SSL_SESSION *sess)
{
	struct extra *x = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), extra_index);
	char tmp[4096];
	FILE *f = NULL;
	int fd, ok;

	if (x == NULL || x->session_path == NULL || x->save_failed)
		return 0;
	errno = ENAMETOOLONG;
	fd = (size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", x->session_path) <
		sizeof(tmp)
	    ? mkostemp(tmp, O_CLOEXEC)
	    : -1;
	ok = fd != -1 && (f = fdopen(fd, "w")) != NULL &&
	    PEM_write_SSL_SESSION(f, sess) == 1 && fflush(f) == 0;
	if (fd != -1)
		ok = (f != NULL ? fclose(f) : close(fd)) == 0 && ok &&
		    rename(tmp, x->session_path) == 0;
	if (!ok) {
		log_msg(LOG_WARNING,
		    "warning: --tls-session %s: cannot save: %s",
		    x->session_path, strerror(errno));
		x->save_failed = 1;
		if (fd != -1)
			unlink(tmp);
	}
	ERR_clear_error();
	return 0; /* we keep no reference */
}

/* The session saved in path, if any; 1 when there is none. */
static int
load_session(struct extra *x, const char *path, char *err, size_t cap)
{
	FILE *f = fopen(path, "re");

	if (f == NULL && errno == ENOENT)
		return 1;
	if (f == NULL) {
		snprintf(err, cap, "--tls-session %s: %s", path,
		    strerror(errno));
		return -1;
	}
	x->session = PEM_read_SSL_SESSION(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (x->session == NULL) {
		snprintf(err, cap, "--tls-session %s: not a saved TLS session",
		    path);
		return -1;
	}
	return 0;
}

int
tls_client_session(SSL_CTX *ctx, const char *path, char *err, size_t cap)
{
	struct extra *x = extra_of(ctx);

	if (x == NULL) {
		snprintf(err, cap, "--tls-session %s: out of memory", path);
		return -1;
	}
	x->session_path = path;
	SSL_CTX_set_session_cache_mode(ctx,
	    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, save_session);
	return load_session(x, path, err, cap);
}

void
tls_ticket_keys_keep(SSL_CTX *to, SSL_CTX *from)
{
	struct extra *x = SSL_CTX_get_ex_data(to, extra_index);
	unsigned char k[KEY_SIZE];

	if ((x != NULL && x->nkeys > 0) ||
	    SSL_CTX_get_tlsext_ticket_keys(from, k, sizeof(k)) != 1)
		return;
	(void)SSL_CTX_set_tlsext_ticket_keys(to, k, sizeof(k));
	OPENSSL_cleanse(k, sizeof(k));
}

void
tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

/* Client: verify host as an address when it is one, else as a name,
 * which also goes out as SNI (RFC 6066 forbids addresses there). */
static int
set_peer(SSL *s, const char *host)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), host);
	return SSL_set_tlsext_host_name(s, host) == 1 &&
	    SSL_set1_host(s, host) == 1;
}

SSL *
tls_new(SSL_CTX *ctx, int rfd, int wfd, const char *host)
{
	struct extra *x;
	SSL *s;

	if ((s = SSL_new(ctx)) == NULL)
		return NULL;
	x = SSL_CTX_get_ex_data(ctx, extra_index);
	if (SSL_set_rfd(s, rfd) != 1 || SSL_set_wfd(s, wfd) != 1 ||
	    (host != NULL && set_peer(s, host) != 1) ||
	    (host != NULL && x != NULL && x->session != NULL &&
		SSL_set_session(s, x->session) != 1)) {
		SSL_free(s);
		return NULL;
	}
	if (host != NULL)
		SSL_set_connect_state(s);
	else
		SSL_set_accept_state(s);
	return s;
}

/* "GET / HTTP/1.1" where a ClientHello belongs: answer in plain text
 * (the client reads no TLS), then stop reading what follows. */
static void
answer_plain_http(SSL *s)
{
	int fd = SSL_get_wfd(s);

	(void)!write(fd, PLAIN_HTTP, sizeof(PLAIN_HTTP) - 1);
	shutdown(fd, SHUT_WR);
}

/* Whether the handshake is done. Once the peer's data has come it was,
 * even if a fatal error since put OpenSSL's state machine back in an
 * error state: the summary still describes the session, and a late EOF
 * is no handshake failure. (A TLS 1.3 client finishes before the server
 * has checked its certificate: only data from the server proves that
 * the server was content.) */
static int
handshake_done(SSL *s)
{
	return SSL_get_app_data(s) != NULL || SSL_is_init_finished(s);
}

/* What an SSL_read or SSL_write that returned r <= 0 means. */
static ssize_t
outcome(SSL *s, int r, char *err, size_t cap)
{
	int e = SSL_get_error(s, r), saved = errno;
	unsigned long q = ERR_peek_error();
	int lib = ERR_GET_LIB(q), why = ERR_GET_REASON(q);
	int done = handshake_done(s);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_IN;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_OUT;
	case SSL_ERROR_ZERO_RETURN:
		return TLS_EOF;
	case SSL_ERROR_SYSCALL:
		if (q != 0)
			break;
		errno = saved ? saved : ECONNRESET;
		return TLS_LOST;
	}
	if (lib == ERR_LIB_SSL && why == SSL_R_UNEXPECTED_EOF_WHILE_READING &&
	    done) {
		/* WebSocket has its own close: a peer that skips TLS's is
		 * no worse than one that drops a plain connection. */
		ERR_clear_error();
		return TLS_EOF;
	}
	if (lib == ERR_LIB_SSL && why == SSL_R_HTTP_REQUEST &&
	    SSL_is_server(s)) {
		answer_plain_http(s);
		ERR_clear_error();
		snprintf(err, cap,
		    "plain HTTP request on the TLS port: answered 400");
		return TLS_FAIL;
	}
	reason(s, done ? "TLS failed: " : "TLS handshake failed: ", err, cap);
	return TLS_FAIL;
}

ssize_t
tls_read(SSL *s, void *p, size_t n, char *err, size_t cap)
{
	int r;

	ERR_clear_error();
	if (n > 0x7fffffff)
		n = 0x7fffffff;
	if ((r = SSL_read(s, p, (int)n)) > 0) {
		SSL_set_app_data(s, s);
		return r;
	}
	return outcome(s, r, err, cap);
}

ssize_t
tls_write(SSL *s, const void *p, size_t n, char *err, size_t cap)
{
	int r;

	ERR_clear_error();
	if (n > 0x7fffffff)
		n = 0x7fffffff;
	if ((r = SSL_write(s, p, (int)n)) > 0)
		return r;
	return outcome(s, r, err, cap);
}

int
tls_pending(SSL *s)
{
	return SSL_has_pending(s);
}

void
tls_shutdown(SSL *s)
{
	if (!SSL_is_init_finished(s))
		return;
	ERR_clear_error();
	(void)SSL_shutdown(s);
	ERR_clear_error();
}

void
tls_free(SSL *s)
{
	SSL_free(s);
}

int
tls_describe(SSL *s, const char **protocol, const char **cipher, int *resumed)
{
	if (!handshake_done(s))
		return -1;
	*protocol = SSL_get_version(s);
	*cipher = SSL_get_cipher_name(s);
	*resumed = SSL_session_reused(s);
	return 0;
}

/* A DN as mod_ssl prints it (RFC 2253, UTF-8 left as it is), cut to fit. */
static void
dn_string(const X509_NAME *name, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	out[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0,
		XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_read(b, out, (int)cap - 1)) < 0)
		n = 0;
	out[n] = '\0';
	BIO_free(b);
}

static void
serial_string(const X509 *x, char *out, size_t cap)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, cap, "%s", hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
}

static void
sha256_string(const X509 *x, char *out, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &n) != 1)
		return;
	for (i = 0; i < n && 2 * i + 2 < cap; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int
tls_facts_get(SSL *s, struct tls_facts *f)
{
	X509 *peer;
	long v;

	memset(f, 0, sizeof(*f));
	if (tls_describe(s, &f->protocol, &f->cipher, &f->resumed) == -1)
		return -1;
	if ((peer = SSL_get_peer_certificate(s)) == NULL) {
		snprintf(f->verify, sizeof(f->verify), "NONE");
		return 0;
	}
	if ((v = SSL_get_verify_result(s)) == X509_V_OK)
		snprintf(f->verify, sizeof(f->verify), "SUCCESS");
	else
		snprintf(f->verify, sizeof(f->verify), "FAILED:%s",
		    X509_verify_cert_error_string(v));
	dn_string(X509_get_subject_name(peer), f->s_dn, sizeof(f->s_dn));
	dn_string(X509_get_issuer_name(peer), f->i_dn, sizeof(f->i_dn));
	serial_string(peer, f->serial, sizeof(f->serial));
	sha256_string(peer, f->sha256, sizeof(f->sha256));
	X509_free(peer);
	ERR_clear_error();
	return 0;
}
