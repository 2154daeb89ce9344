/* SPDX-License-Identifier: ISC */
/*
 * The environment of a bridged program: CGI/1.1 meta-variables (RFC 3875)
 * with websocketd's names, one HTTP_* per request header, and the few
 * variables passed on from wsinetd's own environment. Pure: the caller
 * gathers the connection's facts and owns the memory.
 */
#ifndef CGIENV_H
#define CGIENV_H

#include <stddef.h>

#include "ws.h"

/* Variables besides the headers and --passenv: the CGI set, PATH and the
 * terminating NULL, with room to spare. */
#define CGIENV_FIXED 40
/* Bytes of those fixed variables beyond the facts' own lengths. */
#define CGIENV_SLACK 1024

/* Over TLS, what mod_ssl would say, in its formats. */
struct cgienv_tls {
	const char *protocol; /* SSL_PROTOCOL: "TLSv1.3" */
	const char *cipher; /* SSL_CIPHER: OpenSSL's name of the suite */
	const char *resumed; /* SSL_SESSION_RESUMED: "Initial", "Resumed" */
	const char *verify; /* SSL_CLIENT_VERIFY: NONE, SUCCESS, FAILED:why */
	/* The client's certificate; NULL or "" without one: the subject's
	 * and issuer's DNs (RFC 2253), the serial (hex), the SHA-256 of
	 * its DER (hex). */
	const char *s_dn, *i_dn, *serial, *cert_sha256;
};

/* Facts about the connection and the request, NUL-terminated. NULL
 * counts as empty. The caller decodes paths and looks up names. */
struct cgienv_facts {
	const char *software; /* SERVER_SOFTWARE, "wsinetd/VERSION" */
	const char *path; /* PATH */
	const char *remote_addr, *remote_port, *remote_host;
	const char *local_addr, *local_port; /* of the server's end */
	const char *script_name, *path_info; /* decoded */
	const char *unique_id;
	const char *protocol; /* the subprotocol chosen; "" for none */
	const struct cgienv_tls *tls; /* NULL: a plain connection */
	/* --passenv: "NAME=VALUE" strings, already looked up. */
	const char *const *pass;
	size_t npass;
};

/* The environment being built: strings in buf, pointers in envp, which
 * stays NULL-terminated. */
struct cgienv {
	char *buf;
	size_t cap, used;
	char **envp;
	size_t max, n; /* max counts the NULL */
	const char *reason; /* on failure: why, static */
};

void cgienv_init(struct cgienv *e, char *buf, size_t cap, char **envp,
    size_t max);
/* Adds NAME=VALUE unless NAME is already set (the first one wins).
 * Returns 0, or -1 when it does not fit. */
int cgienv_add(struct cgienv *e, const char *name, const char *value,
    size_t vlen);
/* NULL when name is not set, else its value. */
const char *cgienv_get(const struct cgienv *e, const char *name);
/* The whole environment for request r: the CGI variables, then HTTP_* for
 * each header name (repeats joined with ", "; names other than letters,
 * digits and '-' skipped), then PATH and the passed variables, never
 * LISTEN_*. Returns 0, or -1 with reason set when it does not fit. */
int cgienv_build(struct cgienv *e, const struct ws_request *r,
    const struct cgienv_facts *f);
/* 1 when name may go into a child's environment from --passenv: a
 * valid variable name and not one of systemd's LISTEN_* variables. */
int cgienv_passable(const char *name);
/* Bytes and entries that cgienv_build needs for r and f at most. */
size_t cgienv_bytes(const struct ws_request *r, const struct cgienv_facts *f);
size_t cgienv_entries(const struct ws_request *r, const struct cgienv_facts *f);

/* ---- request paths ---- */

/* Splits a request target at the first '?': the path before it, the
 * query after it (empty when there is none). */
void cgienv_target_split(struct ws_str target, struct ws_str *path,
    struct ws_str *query);
/* Percent-decodes p into out (NUL-terminated). Returns the length, or -1
 * for a malformed escape, a NUL byte or when it does not fit in cap. */
long cgienv_path_decode(const char *p, size_t n, char *out, size_t cap);

/* Takes the next segment off *rest, a path that starts with '/', and
 * decodes it into seg (NUL-terminated). Returns 1, 0 when rest is used
 * up, or -1 with *reason set when the segment is refused: empty ("//"),
 * starting with '.' (so "." and ".." and hidden files, also encoded), or
 * holding a backslash, a malformed escape or an encoded NUL or '/'. */
int cgienv_segment_next(struct ws_str *rest, char *seg, size_t cap,
    const char **reason);

/* Hex of n random bytes, NUL-terminated: out needs 2 * n + 1 bytes. */
void cgienv_hex(const unsigned char *in, size_t n, char *out);

#endif
