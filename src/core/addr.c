/* SPDX-License-Identifier: ISC */
/*
 * IP addresses and prefixes from text, strictly, for the PROXY header,
 * X-Forwarded-For and the lists of trusted sources. No resolving, no
 * formatting (the programs have inet_ntop for that).
 */
#include <string.h>

#include "ws.h"

static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
hexval(char c)
{
	if (digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four decimal octets, 0 to 255, no leading zeros, nothing else. */
static int
parse_v4(const char *p, size_t n, uint8_t out[4])
{
	size_t i = 0, k;
	unsigned v;

	for (k = 0; k < 4; k++) {
		if (k > 0 && (i >= n || p[i++] != '.'))
			return -1;
		if (i >= n || !digit(p[i]))
			return -1;
		if (p[i] == '0' && i + 1 < n && digit(p[i + 1]))
			return -1;
		for (v = 0; i < n && digit(p[i]) && v <= 255; i++)
			v = v * 10 + (unsigned)(p[i] - '0');
		if (v > 255)
			return -1;
		out[k] = (uint8_t)v;
	}
	return i == n ? 0 : -1;
}

/* One group of 1 to 4 hex digits at p[*i], into *v. */
static int
group(const char *p, size_t n, size_t *i, unsigned *v)
{
	size_t start = *i;
	int h;

	*v = 0;
	while (*i < n && *i - start < 5 && (h = hexval(p[*i])) >= 0) {
		*v = *v << 4 | (unsigned)h;
		(*i)++;
	}
	return *i > start && *i - start <= 4 ? 0 : -1;
}

/* The dotted IPv4 that may end an IPv6 address: p[i..n) when it holds
 * a dot and no colon. */
static int
v4_tail(const char *p, size_t n, size_t i)
{
	return memchr(p + i, '.', n - i) != NULL &&
	    memchr(p + i, ':', n - i) == NULL;
}

static int
parse_v6(const char *p, size_t n, uint8_t out[16])
{
	uint8_t w[16] = { 0 };
	size_t i = 0, k = 0;
	int gap = -1;
	unsigned v;

	if (n >= 2 && p[0] == ':' && p[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n >= 1 && p[0] == ':') {
		return -1;
	}
	while (i < n && k < 16) {
		if (v4_tail(p, n, i)) {
			if (k > 12 || parse_v4(p + i, n - i, w + k) == -1)
				return -1;
			k += 4;
			i = n;
			break;
		}
		if (group(p, n, &i, &v) == -1)
			return -1;
		w[k++] = (uint8_t)(v >> 8);
		w[k++] = (uint8_t)v;
		if (i == n)
			break;
		if (p[i++] != ':' || i == n)
			return -1;
		if (p[i] == ':') {
			if (gap >= 0)
				return -1;
			gap = (int)k;
			i++;
		}
	}
	if (i != n || (gap < 0 && k != 16) || (gap >= 0 && k > 14))
		return -1;
	memset(out, 0, 16);
	if (gap < 0) {
		memcpy(out, w, 16);
	} else {
		memcpy(out, w, (size_t)gap);
		memcpy(out + 16 - (k - (size_t)gap), w + gap, k - (size_t)gap);
	}
	return 0;
}

int
ws_addr_parse(struct ws_str s, struct ws_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (s.n == 0 || s.n > 45)
		return -1;
	if (memchr(s.p, ':', s.n) == NULL) {
		out->family = 4;
		return parse_v4(s.p, s.n, out->a);
	}
	out->family = 6;
	return parse_v6(s.p, s.n, out->a);
}

int
ws_port_parse(struct ws_str s, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (s.n == 0 || s.n > 5 || (s.p[0] == '0' && s.n > 1))
		return -1;
	for (i = 0; i < s.n; i++) {
		if (!digit(s.p[i]))
			return -1;
		v = v * 10 + (unsigned long)(s.p[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

void
ws_addr_unmap(struct ws_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };

	if (a->family != 6 || memcmp(a->a, mapped, sizeof(mapped)) != 0)
		return;
	memmove(a->a, a->a + 12, 4);
	memset(a->a + 4, 0, 12);
	a->family = 4;
}

/* Whether a's first bits equal p's. */
static int
prefix_covers(const struct ws_prefix *p, const struct ws_addr *a)
{
	unsigned whole = p->bits / 8, rest = p->bits % 8;
	uint8_t mask;

	if (p->addr.family != a->family)
		return 0;
	if (memcmp(p->addr.a, a->a, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (p->addr.a[whole] & mask) == (a->a[whole] & mask);
}

int
ws_prefix_parse(struct ws_str s, struct ws_prefix *out)
{
	const char *slash = memchr(s.p, '/', s.n);
	struct ws_str a = s;
	unsigned bits = 0, max;
	size_t i;

	if (slash != NULL)
		a.n = (size_t)(slash - s.p);
	if (ws_addr_parse(a, &out->addr) == -1)
		return -1;
	ws_addr_unmap(&out->addr);
	max = out->addr.family == 4 ? 32 : 128;
	if (slash == NULL) {
		out->bits = max;
		return 0;
	}
	i = a.n + 1;
	if (i == s.n || i + 3 < s.n || (s.p[i] == '0' && i + 1 < s.n))
		return -1;
	for (; i < s.n; i++) {
		if (!digit(s.p[i]))
			return -1;
		bits = bits * 10 + (unsigned)(s.p[i] - '0');
	}
	if (bits > max)
		return -1;
	out->bits = bits;
	/* Host bits set are a typo, which matching would silently drop. */
	for (; bits < max; bits++)
		if (out->addr.a[bits / 8] & (0x80 >> (bits % 8)))
			return -1;
	return 0;
}

int
ws_trust_add(struct ws_trust *t, const char *list, struct ws_str *bad)
{
	struct ws_str l = { list, strlen(list) }, item;
	int any = 0;

	while (ws_list_next(&l, &item)) {
		any = 1;
		*bad = item;
		if (t->n == WS_TRUST_MAX)
			return -1;
		if (ws_prefix_parse(item, &t->p[t->n]) == -1)
			return -1;
		t->n++;
	}
	if (!any) {
		*bad = (struct ws_str){ list, strlen(list) };
		return -1;
	}
	return 0;
}

int
ws_trust_match(const struct ws_trust *t, const struct ws_addr *a)
{
	struct ws_addr u = *a;
	size_t i;

	ws_addr_unmap(&u);
	for (i = 0; i < t->n; i++)
		if (prefix_covers(&t->p[i], &u))
			return 1;
	return 0;
}
