/* SPDX-License-Identifier: ISC */
#include "loadtls.h"

#include <errno.h>
#include <stdio.h>

#include <openssl/err.h>

/* The first session a server issues is kept; later ones are not needed:
 * every connection presents the same one, as a returning browser with
 * one ticket would. A TLS 1.3 server sends its tickets after the
 * handshake, so the first few connections of a run are full ones. */
static int
keep_session(SSL *s, SSL_SESSION *sess)
{
	struct loadtls *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(s));

	if (!t->resume || t->kept != NULL)
		return 0;
	t->kept = sess;
	return 1; /* the reference is ours now */
}

int
loadtls_init(struct loadtls *t, int resume)
{
	t->kept = NULL;
	t->resume = resume;
	t->full = t->resumed = 0;
	if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ERR_print_errors_fp(stderr);
		return -1;
	}
	SSL_CTX_set_app_data(t->ctx, t);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
	/* A writer that resumes with more queued, from a buffer that moved. */
	SSL_CTX_set_mode(t->ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Servers that end TCP without close_notify are the common case. */
	SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* The callback sees each session; the context's own cache would
	 * only mark them unresumable when a connection ends abruptly. */
	SSL_CTX_set_session_cache_mode(t->ctx,
	    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(t->ctx, keep_session);
	return 0;
}

SSL *
loadtls_new(struct loadtls *t, int fd)
{
	SSL *s = SSL_new(t->ctx);

	SSL_SESSION *copy = NULL;
	int ok;

	/* A copy each time: OpenSSL marks a TLS 1.3 session it resumed as
	 * used up, and the server, whose tickets are stateless, would take
	 * the same one again. */
	if (t->kept != NULL && (copy = SSL_SESSION_dup(t->kept)) == NULL) {
		ERR_print_errors_fp(stderr);
		return NULL;
	}
	ok = s != NULL && SSL_set_fd(s, fd) == 1 &&
	    SSL_set_tlsext_host_name(s, "localhost") == 1 &&
	    (copy == NULL || SSL_set_session(s, copy) == 1);
	SSL_SESSION_free(copy);
	if (!ok) {
		ERR_print_errors_fp(stderr);
		SSL_free(s);
		return NULL;
	}
	SSL_set_connect_state(s);
	return s;
}

/* OpenSSL's reason for the last failure, or the system's. */
static const char *
reason(int err)
{
	unsigned long e = ERR_peek_last_error();

	if (e != 0)
		return ERR_reason_error_string(e);
	if (err == SSL_ERROR_SYSCALL && errno != 0)
		return "system error during the handshake";
	return "the server ended the handshake";
}

int
loadtls_handshake(struct loadtls *t, SSL *s, int *want_out, const char **why)
{
	int rc = SSL_do_handshake(s), err;

	if (rc == 1) {
		if (SSL_session_reused(s))
			t->resumed++;
		else
			t->full++;
		return 1;
	}
	err = SSL_get_error(s, rc);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		*want_out = err == SSL_ERROR_WANT_WRITE;
		return 0;
	}
	*why = reason(err);
	ERR_clear_error();
	return -1;
}

/* errno for an SSL_read or SSL_write that did not move bytes. */
static ssize_t
no_bytes(SSL *s, int rc)
{
	int err = SSL_get_error(s, rc);

	switch (err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (errno == 0)
			return 0;
		return -1;
	default:
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

void
loadtls_free(SSL *s)
{
	if (s == NULL)
		return;
	/* Freed without this, the connection's session, which may be the
	 * kept one, would be marked as not to be resumed. */
	SSL_set_shutdown(s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(s);
}

ssize_t
loadtls_read(SSL *s, void *buf, size_t n)
{
	int rc;

	errno = 0;
	rc = SSL_read(s, buf, n > (size_t)1 << 30 ? 1 << 30 : (int)n);
	return rc > 0 ? rc : no_bytes(s, rc);
}

ssize_t
loadtls_write(SSL *s, const void *buf, size_t n)
{
	int rc;

	errno = 0;
	rc = SSL_write(s, buf, n > (size_t)1 << 30 ? 1 << 30 : (int)n);
	return rc > 0 ? rc : no_bytes(s, rc);
}
