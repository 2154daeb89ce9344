/* SPDX-License-Identifier: ISC */
/*
 * permessage-deflate negotiation (RFC 7692 section 7): which offer a
 * server takes and what it answers, from one header line and from the
 * same list split over two lines at every comma; the client's judgement
 * of answers; the list splitter; formatting; and RSV1 in the decoder.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct ws_str
S(const char *s) {
	return (struct ws_str){ s, strlen(s) };
}

/* A request whose extension offers are the given header lines. */
static void
request_with(struct ws_request *r, const char *const *lines, size_t n)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->headers[r->nheaders++] =
	    (struct ws_header){ S("Host"), S("example.com") };
	for (i = 0; i < n; i++)
		r->headers[r->nheaders++] =
		    (struct ws_header){ S("Sec-WebSocket-Extensions"),
			    S(lines[i]) };
}

/* What the server answers ("" for a decline), as formatted. */
static const char *
chosen(const struct ws_request *r, unsigned window, char *out, size_t cap)
{
	struct ws_pmd a;
	const char *why;

	if (!ws_pmd_choose(r, window, &a, &why))
		return "";
	if (ws_pmd_format(&a, out, cap) == 0)
		return "(too long)";
	return out;
}

static const struct {
	const char *name, *offer;
	unsigned window;
	const char *answer; /* "": declined */
} choose_v[] = {
	{ "Firefox: bare", "permessage-deflate", 12, "permessage-deflate" },
	{ "Chrome: client bits without value",
	    "permessage-deflate; client_max_window_bits", 12,
	    "permessage-deflate; client_max_window_bits=12" },
	{ "client bits capped at ours",
	    "permessage-deflate; client_max_window_bits=15", 11,
	    "permessage-deflate; client_max_window_bits=11" },
	{ "client bits smaller than ours kept",
	    "permessage-deflate; client_max_window_bits=9", 12,
	    "permessage-deflate; client_max_window_bits=9" },
	{ "server bits never above the offer",
	    "permessage-deflate; server_max_window_bits=10", 12,
	    "permessage-deflate; server_max_window_bits=10" },
	{ "server bits capped at ours",
	    "permessage-deflate; server_max_window_bits=15", 12,
	    "permessage-deflate; server_max_window_bits=12" },
	{ "window 8 kept", "permessage-deflate; server_max_window_bits=8", 12,
	    "permessage-deflate; server_max_window_bits=8" },
	{ "no context takeover both ways",
	    "permessage-deflate; server_no_context_takeover; "
	    "client_no_context_takeover",
	    15,
	    "permessage-deflate; server_no_context_takeover; "
	    "client_no_context_takeover" },
	{ "case-insensitive names, spaces around",
	    "  Permessage-Deflate ;  Client_Max_Window_Bits = 10 ", 12,
	    "permessage-deflate; client_max_window_bits=10" },
	{ "quoted value", "permessage-deflate; client_max_window_bits=\"10\"",
	    12, "permessage-deflate; client_max_window_bits=10" },
	{ "quoted escaped digit",
	    "permessage-deflate; server_max_window_bits=\"1\\1\"", 12,
	    "permessage-deflate; server_max_window_bits=11" },
	{ "other extension skipped",
	    "x-webkit-deflate-frame, permessage-deflate", 12,
	    "permessage-deflate" },
	{ "quoted comma in another extension",
	    "foo; a=\"x,permessage-deflate\", permessage-deflate; "
	    "server_no_context_takeover",
	    12, "permessage-deflate; server_no_context_takeover" },
	{ "first of several offers",
	    "permessage-deflate; server_max_window_bits=9, permessage-deflate",
	    12, "permessage-deflate; server_max_window_bits=9" },
	{ "unknown parameter declines that offer only",
	    "permessage-deflate; foo, permessage-deflate; "
	    "client_max_window_bits",
	    12, "permessage-deflate; client_max_window_bits=12" },
	{ "duplicate parameter declines",
	    "permessage-deflate; server_no_context_takeover; "
	    "server_no_context_takeover",
	    12, "" },
	{ "duplicate window declines",
	    "permessage-deflate; client_max_window_bits; "
	    "client_max_window_bits=10",
	    12, "" },
	{ "server bits without value declines",
	    "permessage-deflate; server_max_window_bits", 12, "" },
	{ "window 7 declines", "permessage-deflate; server_max_window_bits=7",
	    12, "" },
	{ "window 16 declines", "permessage-deflate; client_max_window_bits=16",
	    12, "" },
	{ "leading zero declines",
	    "permessage-deflate; client_max_window_bits=010", 12, "" },
	{ "sign declines", "permessage-deflate; client_max_window_bits=+9", 12,
	    "" },
	{ "empty value declines",
	    "permessage-deflate; client_max_window_bits=", 12, "" },
	{ "value on a flag declines",
	    "permessage-deflate; server_no_context_takeover=1", 12, "" },
	{ "trailing semicolon declines", "permessage-deflate;", 12, "" },
	{ "unclosed quote declines",
	    "permessage-deflate; client_max_window_bits=\"10", 12, "" },
	{ "none offered", "foo, bar; baz=1", 12, "" },
	{ "nothing", "", 12, "" },
	{ "bad then good",
	    "permessage-deflate; server_max_window_bits=99, "
	    "permessage-deflate; server_max_window_bits=11",
	    15, "permessage-deflate; server_max_window_bits=11" },
};

static void
test_choose(void)
{
	char out[WS_PMD_FORMAT_MAX], first[512], split[WS_PMD_FORMAT_MAX];
	struct ws_request r;
	const char *lines[2], *want, *got;
	size_t i, j, n;
	int same;

	for (i = 0; i < NELEM(choose_v); i++) {
		lines[0] = choose_v[i].offer;
		request_with(&r, lines, 1);
		want = choose_v[i].answer;
		got = chosen(&r, choose_v[i].window, out, sizeof(out));
		is_mem(got, strlen(got), want, strlen(want), "choose: %s",
		    choose_v[i].name);
		/* The same list over two header lines, cut at each comma,
		 * is the same list (RFC 9110 5.3). */
		same = 1;
		n = strlen(choose_v[i].offer);
		for (j = 0; j < n; j++) {
			if (choose_v[i].offer[j] != ',')
				continue;
			snprintf(first, sizeof(first), "%.*s", (int)j,
			    choose_v[i].offer);
			lines[0] = first;
			lines[1] = choose_v[i].offer + j + 1;
			request_with(&r, lines, 2);
			got = chosen(&r, choose_v[i].window, split,
			    sizeof(split));
			/* Cutting inside a quoted string changes the list;
			 * only the vector with one is exempt. */
			if (strcmp(got, want) != 0 &&
			    strstr(choose_v[i].offer, "\"x,") == NULL)
				same = 0;
		}
		ok(same, "choose split over two lines: %s", choose_v[i].name);
	}
}

static void
test_choose_reason(void)
{
	struct ws_request r;
	struct ws_pmd a;
	const char *why, *line = "permessage-deflate; bogus";

	request_with(&r, &line, 1);
	ok(!ws_pmd_choose(&r, 12, &a, &why) && why != NULL &&
		strcmp(why, "unknown permessage-deflate parameter") == 0,
	    "a declined offer says why");
	line = "foo";
	request_with(&r, &line, 1);
	ok(!ws_pmd_choose(&r, 12, &a, &why) && why == NULL,
	    "no offer: no reason");
	request_with(&r, NULL, 0);
	ok(!ws_pmd_choose(&r, 12, &a, &why) && why == NULL,
	    "no header: no reason");
}

static const struct {
	const char *name, *value;
	int offered_client_bits;
	int ok;
	struct ws_pmd want;
} answer_v[] = {
	{ "bare", "permessage-deflate", 1, 1, { 0, 0, 0, 0 } },
	{ "client bits we offered",
	    "permessage-deflate; client_max_window_bits=10", 1, 1,
	    { 0, 0, 0, 10 } },
	{ "server bits", "permessage-deflate; server_max_window_bits=9", 1, 1,
	    { 0, 0, 9, 0 } },
	{ "all four",
	    "permessage-deflate; server_no_context_takeover; "
	    "client_no_context_takeover; server_max_window_bits=15; "
	    "client_max_window_bits=8",
	    1, 1, { 1, 1, 15, 8 } },
	{ "client bits not offered",
	    "permessage-deflate; client_max_window_bits=10", 0, 0,
	    { 0, 0, 0, 0 } },
	{ "client bits without value",
	    "permessage-deflate; client_max_window_bits", 1, 0,
	    { 0, 0, 0, 0 } },
	{ "another extension", "x-webkit-deflate-frame", 1, 0, { 0, 0, 0, 0 } },
	{ "two of them", "permessage-deflate, permessage-deflate", 1, 0,
	    { 0, 0, 0, 0 } },
	{ "unknown parameter", "permessage-deflate; x=1", 1, 0,
	    { 0, 0, 0, 0 } },
	{ "out of range", "permessage-deflate; server_max_window_bits=16", 1, 0,
	    { 0, 0, 0, 0 } },
	{ "duplicate",
	    "permessage-deflate; server_max_window_bits=9; "
	    "server_max_window_bits=9",
	    1, 0, { 0, 0, 0, 0 } },
	{ "empty", " , ", 1, 0, { 0, 0, 0, 0 } },
};

static void
test_answer(void)
{
	struct ws_pmd got;
	const char *why;
	size_t i;
	int rc;

	for (i = 0; i < NELEM(answer_v); i++) {
		why = NULL;
		rc = ws_pmd_answer(S(answer_v[i].value),
		    answer_v[i].offered_client_bits, &got, &why);
		if (answer_v[i].ok)
			ok(rc == 0 &&
				memcmp(&got, &answer_v[i].want, sizeof(got)) ==
				    0,
			    "answer accepted: %s", answer_v[i].name);
		else
			ok(rc == -1 && why != NULL, "answer refused: %s",
			    answer_v[i].name);
	}
}

/* An offer with server window s (7: none), client window c (0: none, 1:
 * without a value) and the no_context_takeover flags in f's two bits. */
static void
offer_line(char *line, size_t cap, unsigned s, unsigned c, unsigned f)
{
	snprintf(line, cap, "permessage-deflate%s%s%s%.0u%s%s",
	    f & 1 ? "; server_no_context_takeover" : "",
	    f & 2 ? "; client_no_context_takeover" : "",
	    s >= 8 ? "; server_max_window_bits=" : "", s >= 8 ? s : 0,
	    c ? "; client_max_window_bits" : "",
	    c >= 8 ? (c == 8 ? "=8" : "=15") : "");
}

/* Does the server answer r within both windows, in a header value of at
 * most WS_PMD_FORMAT_MAX, that the client takes back as it was? */
static int
answer_round_trips(const struct ws_request *r, unsigned w, unsigned c)
{
	char out[WS_PMD_FORMAT_MAX];
	struct ws_pmd a, back;
	const char *why;

	return ws_pmd_choose(r, w, &a, &why) &&
	    ws_pmd_format(&a, out, sizeof(out)) != 0 &&
	    ws_pmd_answer(S(out), c != 0, &back, &why) == 0 &&
	    memcmp(&a, &back, sizeof(a)) == 0 &&
	    a.server_max_window_bits <= w && a.client_max_window_bits <= w &&
	    (c || !a.client_max_window_bits);
}

/* Every answer the server can give is one the client accepts, as is. */
static void
test_round_trip(void)
{
	char line[160];
	struct ws_request r;
	const char *lp = line;
	unsigned s, c, w, f, bad = 0, n = 0;

	for (w = 8; w <= 15; w++)
		for (s = 7; s <= 15; s++)
			for (c = 0; c <= 15; c++)
				for (f = 0; f < 4; f++) {
					if (c > 1 && c < 8)
						continue;
					offer_line(line, sizeof(line), s, c, f);
					request_with(&r, &lp, 1);
					n++;
					bad += !answer_round_trips(&r, w, c);
				}
	is_int(bad, 0,
	    "%u offers: each answer within ours and theirs, "
	    "accepted by the client as formatted",
	    n);
}

static void
test_format(void)
{
	struct ws_pmd p = { 1, 1, 15, 15 };
	char small[20], out[WS_PMD_FORMAT_MAX];
	size_t n;

	/* The longest there is: both flags, two two-digit windows. */
	static const char all[] =
	    "permessage-deflate; server_no_context_takeover; "
	    "client_no_context_takeover; server_max_window_bits=15; "
	    "client_max_window_bits=15";

	n = ws_pmd_format(&p, out, sizeof(out));
	is_mem(out, n, all, sizeof(all) - 1, "format: all four");
	ok(sizeof(all) <= WS_PMD_FORMAT_MAX, "format: the longest fits");
	is_int((long long)ws_pmd_format(&p, small, sizeof(small)), 0,
	    "format: too small says so");
	p = (struct ws_pmd){ 0, 0, 0, WS_PMD_BITS_ANY };
	n = ws_pmd_format(&p, out, sizeof(out));
	is_mem(out, n, WS_PMD_OFFER, strlen(WS_PMD_OFFER),
	    "format: the default offer");
}

static void
test_ext_next(void)
{
	struct ws_str list = S(" a; b=\"1,2\" ,, c ,"), e;

	ok(ws_ext_next(&list, &e) && e.n == 10 &&
		memcmp(e.p, "a; b=\"1,2\"", 10) == 0,
	    "list: quoted comma kept");
	ok(ws_ext_next(&list, &e) && e.n == 1 && e.p[0] == 'c',
	    "list: empty elements skipped");
	ok(!ws_ext_next(&list, &e), "list: used up");
}

/* Decoder: what RSV1 means with and without the extension. */
static const struct {
	const char *name;
	int rsv1_ok;
	uint8_t bytes[16];
	size_t n;
	enum ws_event_type type; /* last event */
	unsigned code;
	int compressed;
} rsv_v[] = {
	{ "RSV1 without the extension", 0, { 0xc1, 0x80, 0, 0, 0, 0 }, 6,
	    WS_EV_ERROR, 1002, 0 },
	{ "RSV1 on a text message", 1, { 0xc1, 0x81, 0, 0, 0, 0, 0x41 }, 7,
	    WS_EV_DATA, 0, 1 },
	{ "no RSV1: plain", 1, { 0x81, 0x81, 0, 0, 0, 0, 0x41 }, 7, WS_EV_DATA,
	    0, 0 },
	{ "RSV1 on a ping", 1, { 0xc9, 0x80, 0, 0, 0, 0 }, 6, WS_EV_ERROR, 1002,
	    0 },
	{ "RSV1 on a continuation", 1,
	    { 0x41, 0x81, 0, 0, 0, 0, 0x41, 0xc0, 0x80, 0, 0, 0, 0 }, 13,
	    WS_EV_ERROR, 1002, 0 },
	{ "RSV2 with the extension", 1, { 0xa1, 0x80, 0, 0, 0, 0 }, 6,
	    WS_EV_ERROR, 1002, 0 },
	{ "compressed text is not checked as UTF-8", 1,
	    { 0xc1, 0x82, 0, 0, 0, 0, 0xff, 0xfe }, 8, WS_EV_DATA, 0, 1 },
	{ "continuation of a compressed message", 1,
	    { 0x41, 0x81, 0, 0, 0, 0, 0xff, 0x80, 0x81, 0, 0, 0, 0, 0xfe }, 14,
	    WS_EV_DATA, 0, 1 },
};

static void
test_rsv1(void)
{
	struct ws_parser p;
	struct ws_event ev, last;
	uint8_t buf[16];
	size_t i, off, n;
	int split;

	for (i = 0; i < NELEM(rsv_v); i++) {
		/* whole, then byte by byte */
		for (split = 0; split < 2; split++) {
			ws_parser_init(&p, WS_ROLE_SERVER, 0);
			p.rsv1_ok = rsv_v[i].rsv1_ok;
			memcpy(buf, rsv_v[i].bytes, rsv_v[i].n);
			last = (struct ws_event){ .type = WS_EV_NONE };
			for (off = 0; off < rsv_v[i].n; off += n) {
				n = ws_parser_feed(&p, buf + off,
				    split ? 1 : rsv_v[i].n - off, &ev);
				if (ev.type != WS_EV_NONE)
					last = ev;
				if (ev.type == WS_EV_ERROR)
					break;
			}
			ok(last.type == rsv_v[i].type &&
				(last.type != WS_EV_ERROR ||
				    last.code == rsv_v[i].code) &&
				(last.type != WS_EV_DATA ||
				    last.compressed == rsv_v[i].compressed),
			    "%s (%s)", rsv_v[i].name,
			    split ? "byte by byte" : "whole");
		}
	}
}

/* The wire length of a compressed message may pass the message limit by
 * deflate's growth; a plain one may not. Limit 40: 40 + 2 + 64 = 106. */
static const struct {
	const char *name;
	uint8_t first; /* FIN, RSV1, opcode */
	uint8_t len; /* declared, under 126 */
	int too_big;
} grow_v[] = {
	{ "plain text at the limit", 0x81, 40, 0 },
	{ "plain text one over", 0x81, 41, 1 },
	{ "compressed text one over the limit", 0xc1, 41, 0 },
	{ "compressed text at the growth bound", 0xc1, 40 + 2 + 64, 0 },
	{ "compressed text one past the growth bound", 0xc1, 40 + 2 + 65, 1 },
};

static void
test_growth(void)
{
	struct ws_parser p;
	struct ws_event ev;
	uint8_t hdr[6] = { 0, 0, 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < NELEM(grow_v); i++) {
		ws_parser_init(&p, WS_ROLE_SERVER, 40);
		p.rsv1_ok = 1;
		hdr[0] = grow_v[i].first;
		hdr[1] = 0x80 | grow_v[i].len;
		ws_parser_feed(&p, hdr, sizeof(hdr), &ev);
		ok((ev.type == WS_EV_ERROR && ev.code == 1009) ==
			grow_v[i].too_big,
		    "%s", grow_v[i].name);
	}
}

int
main(void)
{
	test_choose();
	test_choose_reason();
	test_answer();
	test_round_trip();
	test_format();
	test_ext_next();
	test_rsv1();
	test_growth();
	return done_testing();
}
