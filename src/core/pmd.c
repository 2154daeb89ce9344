/* SPDX-License-Identifier: ISC */
/*
 * permessage-deflate negotiation (RFC 7692 section 7): parsing offers and
 * answers, choosing what a server answers, formatting it. Pure; the zlib
 * transform itself lives in the engine (src/engine/deflate.c).
 */
#include <string.h>

#include "ws.h"

#define PMD_NAME "permessage-deflate"

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static struct ws_str
trim(struct ws_str s)
{
	while (s.n > 0 && is_ows(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_ows(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Length of the quoted string starting at s.p[0] == '"', its closing
 * quote included; 0 when it is not closed. */
static size_t
quoted_len(struct ws_str s)
{
	size_t i;

	for (i = 1; i < s.n; i++) {
		if (s.p[i] == '\\')
			i++;
		else if (s.p[i] == '"')
			return i + 1;
	}
	return 0;
}

/* Length up to the first sep outside quotes (s.n when none); an unclosed
 * quote runs to the end. */
static size_t
span_to(struct ws_str s, char sep)
{
	const char *quote, *hit;
	size_t i = 0, run, q;

	/* Runs without quotes, all of a browser's offer, go by memchr. */
	while (i < s.n) {
		quote = memchr(s.p + i, '"', s.n - i);
		run = quote ? (size_t)(quote - s.p) - i : s.n - i;
		if ((hit = memchr(s.p + i, sep, run)) != NULL)
			return (size_t)(hit - s.p);
		if (quote == NULL)
			return s.n;
		i = (size_t)(quote - s.p);
		if ((q = quoted_len((struct ws_str){ s.p + i, s.n - i })) == 0)
			return s.n;
		i += q;
	}
	return s.n;
}

/* Takes the next sep-separated piece off *s, trimmed; 0 when used up. */
static int
piece_next(struct ws_str *s, char sep, struct ws_str *piece)
{
	size_t n;

	if (s->p == NULL)
		return 0;
	n = span_to(*s, sep);
	*piece = trim((struct ws_str){ s->p, n });
	if (n == s->n) {
		s->p = NULL;
		s->n = 0;
	} else {
		s->p += n + 1;
		s->n -= n + 1;
	}
	return 1;
}

int
ws_ext_next(struct ws_str *list, struct ws_str *elem)
{
	while (list->n > 0 && piece_next(list, ',', elem))
		if (elem->n > 0)
			return 1;
	list->n = 0;
	return 0;
}

/* A parameter's value, unquoted: 8 to 15 in decimal, no sign, no leading
 * zero; quoted strings may escape their digits (RFC 7692 7.1). 0 when
 * anything else. */
static unsigned
window_value(struct ws_str v)
{
	char d[3];
	size_t i, n = 0;

	if (v.n >= 2 && v.p[0] == '"') {
		if (quoted_len(v) != v.n)
			return 0;
		v.p++;
		v.n -= 2;
	}
	for (i = 0; i < v.n; i++) {
		if (v.p[i] == '\\' && ++i == v.n)
			return 0;
		if (n == sizeof(d) || v.p[i] < '0' || v.p[i] > '9')
			return 0;
		d[n++] = v.p[i];
	}
	if (n == 1 && d[0] >= '8')
		return (unsigned)(d[0] - '0');
	if (n == 2 && d[0] == '1' && d[1] <= '5')
		return 10 + (unsigned)(d[1] - '0');
	return 0;
}

static int
bad(const char **reason, const char *why)
{
	*reason = why;
	return -1;
}

/* One "name[=value]" parameter into *p. */
static int
param(struct ws_str s, struct ws_pmd *p, const char **reason)
{
	size_t eq = span_to(s, '=');
	struct ws_str name = trim((struct ws_str){ s.p, eq });
	struct ws_str val = { NULL, 0 };
	int has = eq < s.n;
	uint8_t *slot;
	unsigned bits = 0;

	if (has &&
	    (val = trim((struct ws_str){ s.p + eq + 1, s.n - eq - 1 })).n == 0)
		return bad(reason, "empty extension parameter value");
	if (ws_str_ieq_c(name, "server_no_context_takeover"))
		slot = &p->server_no_context_takeover;
	else if (ws_str_ieq_c(name, "client_no_context_takeover"))
		slot = &p->client_no_context_takeover;
	else if (ws_str_ieq_c(name, "server_max_window_bits"))
		slot = &p->server_max_window_bits;
	else if (ws_str_ieq_c(name, "client_max_window_bits"))
		slot = &p->client_max_window_bits;
	else
		return bad(reason, "unknown permessage-deflate parameter");
	if (*slot)
		return bad(reason, "duplicate permessage-deflate parameter");
	if (slot == &p->server_no_context_takeover ||
	    slot == &p->client_no_context_takeover) {
		if (has)
			return bad(reason, "no_context_takeover with a value");
		*slot = 1;
		return 0;
	}
	if (has && (bits = window_value(val)) == 0)
		return bad(reason, "max_window_bits out of range");
	if (!has && slot == &p->server_max_window_bits)
		return bad(reason, "server_max_window_bits without a value");
	*slot = has ? (uint8_t)bits : WS_PMD_BITS_ANY;
	return 0;
}

int
ws_pmd_parse(struct ws_str elem, struct ws_pmd *pmd, const char **reason)
{
	struct ws_str rest = elem, name, item;

	memset(pmd, 0, sizeof(*pmd));
	if (!piece_next(&rest, ';', &name) || !ws_token_ok(name))
		return bad(reason, "malformed extension");
	if (!ws_str_ieq_c(name, PMD_NAME))
		return 0;
	while (piece_next(&rest, ';', &item)) {
		if (item.n == 0)
			return bad(reason, "empty extension parameter");
		if (param(item, pmd, reason) == -1)
			return -1;
	}
	return 1;
}

static unsigned
min_bits(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* The answer to an offer we can honour: our window capped by theirs. */
static void
answer_offer(const struct ws_pmd *o, unsigned window, struct ws_pmd *a)
{
	*a = *o;
	if (o->server_max_window_bits)
		a->server_max_window_bits =
		    (uint8_t)min_bits(o->server_max_window_bits, window);
	if (o->client_max_window_bits == WS_PMD_BITS_ANY)
		a->client_max_window_bits = (uint8_t)window;
	else if (o->client_max_window_bits)
		a->client_max_window_bits =
		    (uint8_t)min_bits(o->client_max_window_bits, window);
}

int
ws_pmd_choose(const struct ws_request *r, unsigned window,
    struct ws_pmd *answer, const char **reason)
{
	struct ws_str list, elem;
	struct ws_pmd offer;
	const char *why;
	size_t i;

	*reason = NULL;
	if (window < WS_PMD_BITS_MIN || window > WS_PMD_BITS_MAX)
		window = WS_PMD_BITS_MAX;
	for (i = 0; i < r->nheaders; i++) {
		if (!ws_str_ieq_c(r->headers[i].name,
			"Sec-WebSocket-Extensions"))
			continue;
		list = r->headers[i].value;
		while (ws_ext_next(&list, &elem)) {
			switch (ws_pmd_parse(elem, &offer, &why)) {
			case 1:
				answer_offer(&offer, window, answer);
				return 1;
			case -1:
				*reason = why;
				break;
			}
		}
	}
	return 0;
}

struct fmt {
	char *p;
	size_t cap, len;
};

static void
put(struct fmt *f, const char *s)
{
	size_t n = strlen(s);

	if (f->len + n < f->cap)
		memcpy(f->p + f->len, s, n);
	f->len += n;
}

static void
put_bits(struct fmt *f, const char *name, unsigned bits)
{
	char v[4] = "=";

	if (bits == 0)
		return;
	put(f, "; ");
	put(f, name);
	if (bits == WS_PMD_BITS_ANY)
		return;
	if (bits >= 10) {
		v[1] = '1';
		v[2] = (char)('0' + bits - 10);
	} else {
		v[1] = (char)('0' + bits);
	}
	put(f, v);
}

size_t
ws_pmd_format(const struct ws_pmd *p, char *out, size_t cap)
{
	struct fmt f = { out, cap, 0 };

	put(&f, PMD_NAME);
	if (p->server_no_context_takeover)
		put(&f, "; server_no_context_takeover");
	if (p->client_no_context_takeover)
		put(&f, "; client_no_context_takeover");
	put_bits(&f, "server_max_window_bits", p->server_max_window_bits);
	put_bits(&f, "client_max_window_bits", p->client_max_window_bits);
	if (f.len >= cap)
		return 0;
	out[f.len] = '\0';
	return f.len;
}

int
ws_pmd_answer(struct ws_str value, int offered_client_bits,
    struct ws_pmd *answer, const char **reason)
{
	struct ws_str list = value, elem, more;
	int rc;

	if (!ws_ext_next(&list, &elem))
		return bad(reason, "empty Sec-WebSocket-Extensions");
	if ((rc = ws_pmd_parse(elem, answer, reason)) == -1)
		return -1;
	if (rc == 0)
		return bad(reason,
		    "server chose an extension we did not offer");
	if (ws_ext_next(&list, &more))
		return bad(reason, "server chose more than one extension");
	if (answer->client_max_window_bits && !offered_client_bits)
		return bad(reason,
		    "server answered client_max_window_bits we did not offer");
	if (answer->client_max_window_bits == WS_PMD_BITS_ANY)
		return bad(reason, "client_max_window_bits without a value");
	return 0;
}
