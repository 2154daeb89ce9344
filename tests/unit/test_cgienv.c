/* SPDX-License-Identifier: ISC */
/*
 * A bridged program's environment: the exact list for a request, header
 * names mapped and joined and skipped, Host split for SERVER_NAME and
 * SERVER_PORT, --passenv without LISTEN_*, every too-small buffer refused
 * cleanly; request paths split, decoded and checked segment by segment.
 */
#include <stdio.h>
#include <string.h>

#include "cgienv.h"
#include "tap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define REQ_TAIL \
	"Upgrade: websocket\r\n" \
	"Connection: Upgrade\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
	"Sec-WebSocket-Version: 13\r\n"

static const char REQUEST[] =
    "GET /chat/room%201?nick=ann&x HTTP/1.1\r\n"
    "Host: example.com:8080\r\n" REQ_TAIL "X-Forwarded-For: 10.0.0.1\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "x-forwarded-for: 10.0.0.2\r\n"
    "X_Forwarded_For: spoofed\r\n"
    "X.Dotted: skipped\r\n"
    "Sec-WebSocket-Protocol: v2\r\n"
    "\r\n";

static const struct cgienv_facts FACTS = {
	.software = "wsinetd/9.9",
	.path = "/usr/bin:/bin",
	.remote_addr = "192.0.2.7",
	.remote_port = "40000",
	.local_addr = "192.0.2.1",
	.local_port = "8080",
	.script_name = "",
	.path_info = "/chat/room 1",
	.unique_id = "00112233445566778899aabbccddeeff",
	.protocol = "",
};

static const struct cgienv_tls TLS_FACTS = {
	.protocol = "TLSv1.3",
	.cipher = "TLS_AES_256_GCM_SHA384",
	.resumed = "Resumed",
	.verify = "SUCCESS",
	.s_dn = "CN=ann,O=Example",
	.i_dn = "CN=Example CA",
	.serial = "1F2E3D",
	.cert_sha256 = "00ff",
};

static const char *const WANT[] = {
	"GATEWAY_INTERFACE=CGI/1.1",
	"SERVER_SOFTWARE=wsinetd/9.9",
	"SERVER_PROTOCOL=HTTP/1.1",
	"SERVER_NAME=example.com",
	"SERVER_PORT=8080",
	"REQUEST_METHOD=GET",
	"REQUEST_URI=/chat/room%201?nick=ann&x",
	"SCRIPT_NAME=",
	"PATH_INFO=/chat/room 1",
	"QUERY_STRING=nick=ann&x",
	"REMOTE_ADDR=192.0.2.7",
	"REMOTE_PORT=40000",
	"REMOTE_HOST=192.0.2.7",
	"UNIQUE_ID=00112233445566778899aabbccddeeff",
	"WS_PROTOCOLS=chat, superchat, v2",
	"WS_PROTOCOL=",
	"HTTP_HOST=example.com:8080",
	"HTTP_UPGRADE=websocket",
	"HTTP_CONNECTION=Upgrade",
	"HTTP_SEC_WEBSOCKET_KEY=dGhlIHNhbXBsZSBub25jZQ==",
	"HTTP_SEC_WEBSOCKET_VERSION=13",
	"HTTP_X_FORWARDED_FOR=10.0.0.1, 10.0.0.2",
	"HTTP_SEC_WEBSOCKET_PROTOCOL=chat, superchat, v2",
	"PATH=/usr/bin:/bin",
};

static struct ws_request req;
static char buf[4096];
static char *envp[128];

static void
parse(const char *text)
{
	ws_request_init(&req, 0);
	if (ws_request_parse(&req, text, strlen(text)) <= 0)
		printf("# request did not parse: %s\n",
		    req.reason ? req.reason : "incomplete");
}

static int
build(const struct cgienv_facts *f, struct cgienv *e)
{
	cgienv_init(e, buf, sizeof(buf), envp, NELEM(envp));
	return cgienv_build(e, &req, f);
}

static void
is_env(const struct cgienv *e, const char *const *want, size_t n,
    const char *what)
{
	size_t i;
	int same = e->n == n;

	for (i = 0; same && i < n; i++)
		if (strcmp(e->envp[i], want[i]) != 0) {
			printf("#   entry %zu: got \"%s\", want \"%s\"\n", i,
			    e->envp[i], want[i]);
			same = 0;
		}
	if (e->n != n)
		printf("#   got %zu entries, want %zu\n", e->n, n);
	ok(same && e->envp[e->n] == NULL, "%s", what);
}

static void
is_var(const struct cgienv *e, const char *name, const char *want)
{
	const char *got = cgienv_get(e, name);

	if (want == NULL) {
		ok(got == NULL, "%s is not set", name);
		return;
	}
	if (!ok(got != NULL && strcmp(got, want) == 0, "%s=%s", name, want))
		printf("#   got %s\n", got ? got : "(unset)");
}

static void
test_whole_environment(void)
{
	struct cgienv e;

	parse(REQUEST);
	is_int(build(&FACTS, &e), 0, "a browser-like request builds");
	is_env(&e, WANT, NELEM(WANT),
	    "exact environment: CGI variables, joined headers, '_' and '.' "
	    "names skipped");
}

static void
test_host_and_addresses(void)
{
	struct cgienv_facts f = FACTS;
	struct cgienv e;

	parse("GET / HTTP/1.1\r\nHost: [::1]:9000\r\n" REQ_TAIL "\r\n");
	f.local_port = NULL;
	f.remote_addr = "2001:db8::7";
	f.remote_host = "client.example";
	f.tls = &TLS_FACTS;
	f.protocol = "chat";
	build(&f, &e);
	is_var(&e, "SERVER_NAME", "[::1]");
	is_var(&e, "SERVER_PORT", "9000");
	is_var(&e, "REMOTE_ADDR", "2001:db8::7");
	is_var(&e, "REMOTE_HOST", "client.example");
	is_var(&e, "HTTPS", "on");
	is_var(&e, "WS_PROTOCOLS", "");
	is_var(&e, "WS_PROTOCOL", "chat");
	is_var(&e, "QUERY_STRING", "");
	is_var(&e, "HTTP_SEC_WEBSOCKET_PROTOCOL", NULL);

	parse("GET /?a HTTP/1.1\r\nHost: [::1]\r\n" REQ_TAIL "\r\n");
	build(&FACTS, &e);
	is_var(&e, "SERVER_NAME", "[::1]");
	is_var(&e, "SERVER_PORT", "8080");
	is_var(&e, "QUERY_STRING", "a");
	is_var(&e, "HTTPS", NULL);

	parse("GET / HTTP/1.1\r\nHost: example.org\r\n" REQ_TAIL "\r\n");
	f = FACTS;
	f.local_port = "";
	build(&f, &e);
	is_var(&e, "SERVER_NAME", "example.org");
	is_var(&e, "SERVER_PORT", "");
}

/* Over TLS: HTTPS, REQUEST_SCHEME and mod_ssl's variables; the client
 * certificate's only with one; none of them over a plain connection. */
static void
test_tls(void)
{
	static const char *const names[] = { "HTTPS", "REQUEST_SCHEME",
		"SSL_PROTOCOL", "SSL_CIPHER", "SSL_SESSION_RESUMED",
		"SSL_CLIENT_VERIFY", "SSL_CLIENT_S_DN", "SSL_CLIENT_I_DN",
		"SSL_CLIENT_M_SERIAL", "SSL_CLIENT_SERIAL",
		"SSL_CLIENT_CERT_SHA256" };
	struct cgienv_facts f = FACTS;
	struct cgienv_tls t = TLS_FACTS;
	struct cgienv e;
	size_t i, set = 0;

	parse(REQUEST);
	f.tls = &t;
	build(&f, &e);
	is_var(&e, "HTTPS", "on");
	is_var(&e, "REQUEST_SCHEME", "https");
	is_var(&e, "SSL_PROTOCOL", "TLSv1.3");
	is_var(&e, "SSL_CIPHER", "TLS_AES_256_GCM_SHA384");
	is_var(&e, "SSL_SESSION_RESUMED", "Resumed");
	is_var(&e, "SSL_CLIENT_VERIFY", "SUCCESS");
	is_var(&e, "SSL_CLIENT_S_DN", "CN=ann,O=Example");
	is_var(&e, "SSL_CLIENT_I_DN", "CN=Example CA");
	is_var(&e, "SSL_CLIENT_M_SERIAL", "1F2E3D");
	is_var(&e, "SSL_CLIENT_SERIAL", "1F2E3D");
	is_var(&e, "SSL_CLIENT_CERT_SHA256", "00ff");

	t = (struct cgienv_tls){ .protocol = "TLSv1.2",
		.cipher = "ECDHE-ECDSA-AES256-GCM-SHA384",
		.resumed = "Initial",
		.verify = "NONE",
		.s_dn = "" };
	build(&f, &e);
	is_var(&e, "SSL_SESSION_RESUMED", "Initial");
	is_var(&e, "SSL_CLIENT_VERIFY", "NONE");
	is_var(&e, "SSL_CLIENT_S_DN", NULL);
	is_var(&e, "SSL_CLIENT_SERIAL", NULL);
	is_var(&e, "SSL_CLIENT_CERT_SHA256", NULL);

	build(&FACTS, &e);
	for (i = 0; i < NELEM(names); i++)
		set += cgienv_get(&e, names[i]) != NULL;
	is_int((long long)set, 0, "a plain connection sets none of them");
}

static void
test_passenv(void)
{
	static const char *const pass[] = { "LANG=C.UTF-8", "LISTEN_FDS=1",
		"LISTEN_PID=42", "LISTEN_FDNAMES=x", "REMOTE_ADDR=6.6.6.6",
		"PATH=/evil", "NOEQUALS", "1BAD=x", "BAD-NAME=x",
		"EMPTY=", "HTTP_HOST=evil", "TZ=UTC" };
	struct cgienv_facts f = FACTS;
	struct cgienv e;

	parse(REQUEST);
	f.pass = pass;
	f.npass = NELEM(pass);
	is_int(build(&f, &e), 0, "builds with --passenv values");
	is_var(&e, "LANG", "C.UTF-8");
	is_var(&e, "TZ", "UTC");
	is_var(&e, "EMPTY", "");
	is_var(&e, "LISTEN_FDS", NULL);
	is_var(&e, "LISTEN_PID", NULL);
	is_var(&e, "LISTEN_FDNAMES", NULL);
	is_var(&e, "REMOTE_ADDR", "192.0.2.7");
	is_var(&e, "PATH", "/usr/bin:/bin");
	is_var(&e, "HTTP_HOST", "example.com:8080");
	is_var(&e, "NOEQUALS", NULL);
	is_var(&e, "1BAD", NULL);
	is_int((long long)e.n, (long long)NELEM(WANT) + 3,
	    "exactly three variables passed");
	ok(cgienv_passable("LISTEN") && cgienv_passable("LISTENER") &&
		cgienv_passable("_X1"),
	    "names that only look like LISTEN_* pass");
	ok(!cgienv_passable("LISTEN_FOO") && !cgienv_passable("") &&
		!cgienv_passable("A B"),
	    "LISTEN_*, empty and spaced names do not");
}

/* Every buffer and envp size short of enough fails with a reason and
 * writes nothing outside (ASan watches); the advertised size works. */
static void
test_small_buffers(void)
{
	static char small[4096];
	static char *sp[128];
	struct cgienv e;
	size_t cap, max, need, nent, full, bad = 0;

	parse(REQUEST);
	build(&FACTS, &e);
	full = e.used;
	need = cgienv_bytes(&req, &FACTS);
	nent = cgienv_entries(&req, &FACTS);
	ok(need <= sizeof(small) && nent <= NELEM(sp), "estimates are sane");
	for (cap = 0; cap < full; cap++) {
		cgienv_init(&e, small + sizeof(small) - cap, cap, sp,
		    NELEM(sp));
		if (cgienv_build(&e, &req, &FACTS) != -1 || e.reason == NULL)
			bad++;
	}
	is_int((long long)bad, 0, "every buffer short of %zu bytes refused",
	    full);
	for (max = bad = 0; max < NELEM(WANT) + 1; max++) {
		cgienv_init(&e, small, sizeof(small), sp + NELEM(sp) - max,
		    max);
		if (cgienv_build(&e, &req, &FACTS) != -1 || e.reason == NULL)
			bad++;
	}
	is_int((long long)bad, 0, "envp arrays too short all refused");
	cgienv_init(&e, small, need, sp, nent);
	is_int(cgienv_build(&e, &req, &FACTS), 0,
	    "cgienv_bytes and cgienv_entries are enough");
	is_int(cgienv_add(&e, "X", "y", 1), 0, "add after build works");
	is_int(cgienv_add(&e, "X", "z", 1), 0, "adding a set name is a no-op");
	is_var(&e, "X", "y");
}

static void
test_target_split(void)
{
	static const struct {
		const char *target, *path, *query;
	} t[] = {
		{ "/", "/", "" },
		{ "/a?b", "/a", "b" },
		{ "/a?", "/a", "" },
		{ "/a?b?c", "/a", "b?c" },
		{ "?x", "", "x" },
	};
	struct ws_str target, path, query;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		target = (struct ws_str){ t[i].target, strlen(t[i].target) };
		cgienv_target_split(target, &path, &query);
		ok(path.n == strlen(t[i].path) &&
			memcmp(path.p, t[i].path, path.n) == 0 &&
			query.n == strlen(t[i].query) &&
			memcmp(query.p, t[i].query, query.n) == 0,
		    "split %s", t[i].target);
	}
}

static void
test_path_decode(void)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} t[] = {
		{ "/a%20b", "/a b" },
		{ "/%2e%2E", "/.." },
		{ "/%41%7a", "/Az" },
		{ "/100%", NULL },
		{ "/%4", NULL },
		{ "/%zz", NULL },
		{ "/%00", NULL },
		{ "", "" },
	};
	char out[32];
	size_t i;
	long n;

	for (i = 0; i < NELEM(t); i++) {
		n = cgienv_path_decode(t[i].in, strlen(t[i].in), out,
		    sizeof(out));
		if (t[i].out == NULL)
			is_int(n, -1, "decode refuses %s", t[i].in);
		else
			is_mem(out, n < 0 ? 0 : (size_t)n, t[i].out,
			    strlen(t[i].out), "decode %s", t[i].in);
	}
	is_int(cgienv_path_decode("/abc", 4, out, 4), -1,
	    "decode refuses when the NUL does not fit");
	is_int(cgienv_path_decode("/abc", 4, out, 5), 4, "and fits in 5");
}

/* Segments joined with '|', or "!" followed by the refusal. */
static void
segments(const char *path, char *out, size_t cap)
{
	struct ws_str rest = { path, strlen(path) };
	const char *reason = NULL;
	char seg[16];
	int rc;

	out[0] = '\0';
	while (
	    (rc = cgienv_segment_next(&rest, seg, sizeof(seg), &reason)) == 1) {
		strncat(out, seg, cap - strlen(out) - 1);
		strncat(out, "|", cap - strlen(out) - 1);
	}
	if (rc == -1)
		snprintf(out, cap, "!%s", reason);
}

static void
test_segments(void)
{
	static const struct {
		const char *path, *want;
	} t[] = {
		{ "/chat/room1", "chat|room1|" },
		{ "/a%20b", "a b|" },
		{ "", "" },
		{ "/", "!empty path segment" },
		{ "/a//b", "!empty path segment" },
		{ "/a/", "!empty path segment" },
		{ "/..", "!path segment starts with '.'" },
		{ "/a/./b", "!path segment starts with '.'" },
		{ "/%2e%2e/etc", "!path segment starts with '.'" },
		{ "/%2E%2e", "!path segment starts with '.'" },
		{ "/.git", "!path segment starts with '.'" },
		{ "/a\\..", "!backslash in path" },
		{ "/a%5c..", "!encoded slash in path" },
		{ "/a%2fb", "!encoded slash in path" },
		{ "/a%00", "!malformed or overlong path segment" },
		{ "/a%zz", "!malformed or overlong path segment" },
		{ "/0123456789abcdef", "!malformed or overlong path segment" },
		{ "a/b", "!path does not start with '/'" },
	};
	char out[128];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		segments(t[i].path, out, sizeof(out));
		if (!ok(strcmp(out, t[i].want) == 0, "segments of \"%s\"",
			t[i].path))
			printf("#   got \"%s\", want \"%s\"\n", out, t[i].want);
	}
}

static void
test_hex(void)
{
	static const unsigned char in[] = { 0x00, 0x7f, 0xa5, 0xff };
	char out[9];

	cgienv_hex(in, sizeof(in), out);
	ok(strcmp(out, "007fa5ff") == 0, "hex of four bytes");
}

int
main(void)
{
	test_whole_environment();
	test_host_and_addresses();
	test_tls();
	test_passenv();
	test_small_buffers();
	test_target_split();
	test_path_decode();
	test_segments();
	test_hex();
	return done_testing();
}
