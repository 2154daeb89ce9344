/* SPDX-License-Identifier: ISC */
/*
 * The PROXY protocol header (haproxy's proxy-protocol.txt, versions 1
 * and 2) that a balancer sends before the client's bytes: fed in any
 * split, it takes exactly the header and never a byte past it, so what
 * follows (the HTTP request, a TLS ClientHello) stays the caller's.
 */
#include <string.h>

#include "ws.h"

static const uint8_t V1_SIG[] = "PROXY ";
#define V1_SIG_LEN 6
static const uint8_t V2_SIG[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a,
	0x51, 0x55, 0x49, 0x54, 0x0a };
/* Address blocks of TCP over IPv4 and IPv6: both addresses, both ports. */
#define V2_INET_LEN 12
#define V2_INET6_LEN 36

void
ws_proxy_init(struct ws_proxy *p)
{
	memset(p, 0, sizeof(*p));
}

int
ws_proxy_sniff(const uint8_t *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (buf[0] == 'P')
		return memcmp(buf, V1_SIG,
			   len < V1_SIG_LEN ? len : V1_SIG_LEN) == 0;
	return memcmp(buf, V2_SIG,
		   len < sizeof(V2_SIG) ? len : sizeof(V2_SIG)) == 0;
}

static long
fail(struct ws_proxy *p, const char *reason)
{
	p->reason = reason;
	return -1;
}

/* ---- version 1: "PROXY TCP4 src dst sport dport\r\n" ---- */

/* The next space-separated field of the line at *pos, or the rest. */
static struct ws_str
field(const uint8_t *line, size_t n, size_t *pos)
{
	struct ws_str f = { (const char *)line + *pos, 0 };

	while (*pos < n && line[*pos] != ' ') {
		(*pos)++;
		f.n++;
	}
	if (*pos < n)
		(*pos)++; /* the space */
	return f;
}

/* The whole line, CRLF excluded, n bytes. */
static long
v1_line(struct ws_proxy *p, size_t n)
{
	struct ws_str proto, src, dst, sport, dport;
	size_t pos = V1_SIG_LEN;
	int family;

	proto = field(p->buf, n, &pos);
	if (proto.n == 7 && memcmp(proto.p, "UNKNOWN", 7) == 0) {
		p->kind = WS_PROXY_OWN; /* the rest of the line is ignored */
		return 0;
	}
	if (proto.n == 4 && memcmp(proto.p, "TCP4", 4) == 0)
		family = 4;
	else if (proto.n == 4 && memcmp(proto.p, "TCP6", 4) == 0)
		family = 6;
	else
		return fail(p,
		    "PROXY v1: protocol is not TCP4, TCP6 or UNKNOWN");
	src = field(p->buf, n, &pos);
	dst = field(p->buf, n, &pos);
	sport = field(p->buf, n, &pos);
	dport = field(p->buf, n, &pos);
	if (pos != n || dport.n == 0 || p->buf[n - 1] == ' ')
		return fail(p, "PROXY v1: not five fields after PROXY");
	if (ws_addr_parse(src, &p->src) == -1 ||
	    ws_addr_parse(dst, &p->dst) == -1 || p->src.family != family ||
	    p->dst.family != family)
		return fail(p, "PROXY v1: bad address");
	if (ws_port_parse(sport, &p->sport) == -1 ||
	    ws_port_parse(dport, &p->dport) == -1)
		return fail(p, "PROXY v1: bad port");
	p->kind = WS_PROXY_CLIENT;
	return 0;
}

static long
v1_feed(struct ws_proxy *p, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (p->got < V1_SIG_LEN && c != V1_SIG[p->got])
			return fail(p, "no PROXY header");
		if (p->got > 0 && p->buf[p->got - 1] == '\r' && c != '\n')
			return fail(p, "PROXY v1: CR not followed by LF");
		if (c == '\n' && (p->got == 0 || p->buf[p->got - 1] != '\r'))
			return fail(p, "PROXY v1: LF without CR");
		p->buf[p->got++] = c;
		if (c == '\n') {
			p->done = 1;
			if (v1_line(p, p->got - 2) == -1)
				return -1;
			return (long)(i + 1);
		}
		if (p->got == WS_PROXY_V1_MAX)
			return fail(p, "PROXY v1: line longer than 107 bytes");
	}
	return (long)len;
}

/* ---- version 2: a binary head, an address block, TLVs ---- */

/* The 16-byte head is in: what it announces. */
static long
v2_head(struct ws_proxy *p)
{
	uint8_t ver_cmd = p->buf[12], fam = p->buf[13];
	size_t len = (size_t)p->buf[14] << 8 | p->buf[15], need = 0;

	if (ver_cmd >> 4 != 2)
		return fail(p, "PROXY v2: version is not 2");
	if ((ver_cmd & 0xf) > 1)
		return fail(p, "PROXY v2: command is not LOCAL or PROXY");
	if (len > WS_PROXY_V2_MAX_LEN)
		return fail(p, "PROXY v2: header longer than 2048 bytes");
	p->total = WS_PROXY_V2_HEAD + len;
	p->kind = WS_PROXY_OWN;
	if ((ver_cmd & 0xf) == 0) /* LOCAL: the block is skipped unread */
		return 0;
	if (fam == 0x11)
		need = V2_INET_LEN;
	else if (fam == 0x21)
		need = V2_INET6_LEN;
	else if (fam >> 4 == 0)
		return 0; /* UNSPEC: as v1 UNKNOWN */
	else if (fam >> 4 == 3)
		return fail(p, "PROXY v2: UNIX family not supported");
	else if ((fam >> 4 == 1 || fam >> 4 == 2) && (fam & 0xf) == 2)
		return fail(p, "PROXY v2: UDP not supported");
	else
		return fail(p, "PROXY v2: unknown family or transport");
	if (len < need)
		return fail(p, "PROXY v2: length shorter than its addresses");
	p->kind = WS_PROXY_CLIENT;
	p->tlv_left = 0;
	return 0;
}

/* The address block is in buf after the head. */
static void
v2_addresses(struct ws_proxy *p)
{
	const uint8_t *b = p->buf + WS_PROXY_V2_HEAD;
	size_t alen = p->buf[13] == 0x11 ? 4 : 16;

	p->src.family = p->dst.family = alen == 4 ? 4 : 6;
	memcpy(p->src.a, b, alen);
	memcpy(p->dst.a, b + alen, alen);
	p->sport = (uint16_t)(b[2 * alen] << 8 | b[2 * alen + 1]);
	p->dport = (uint16_t)(b[2 * alen + 2] << 8 | b[2 * alen + 3]);
}

static size_t
addr_block_len(const struct ws_proxy *p)
{
	if (p->kind != WS_PROXY_CLIENT)
		return 0;
	return p->buf[13] == 0x11 ? V2_INET_LEN : V2_INET6_LEN;
}

/* One byte of the TLV area: type, two length bytes, then the value
 * skipped. */
static long
v2_tlv_byte(struct ws_proxy *p, uint8_t c)
{
	if (p->tlv_left > 0) {
		p->tlv_left--;
		return 0;
	}
	p->tlv[p->tlv_got++] = c;
	if (p->tlv_got == 3) {
		p->tlv_left = (size_t)p->tlv[1] << 8 | p->tlv[2];
		p->tlv_got = 0;
		if (p->tlv_left > p->total - p->got - 1)
			return fail(p, "PROXY v2: TLV runs past the header");
	}
	return 0;
}

static long
v2_feed(struct ws_proxy *p, const uint8_t *buf, size_t len)
{
	size_t i, keep;

	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (p->got < sizeof(V2_SIG) && c != V2_SIG[p->got])
			return fail(p, "no PROXY header");
		keep = WS_PROXY_V2_HEAD + addr_block_len(p);
		if (p->got < keep)
			p->buf[p->got] = c;
		else if (p->kind == WS_PROXY_CLIENT && v2_tlv_byte(p, c) == -1)
			return -1;
		p->got++;
		if (p->got == WS_PROXY_V2_HEAD && v2_head(p) == -1)
			return -1;
		if (p->kind == WS_PROXY_CLIENT &&
		    p->got == WS_PROXY_V2_HEAD + addr_block_len(p))
			v2_addresses(p);
		if (p->got >= WS_PROXY_V2_HEAD && p->got == p->total) {
			if (p->tlv_got != 0)
				return fail(p, "PROXY v2: TLV cut short");
			p->done = 1;
			return (long)(i + 1);
		}
	}
	return (long)len;
}

long
ws_proxy_parse(struct ws_proxy *p, const uint8_t *buf, size_t len)
{
	if (p->done || len == 0)
		return 0;
	if (p->got == 0) {
		if (buf[0] == 'P')
			p->version = 1;
		else if (buf[0] == V2_SIG[0])
			p->version = 2;
		else
			return fail(p, "no PROXY header");
	}
	return p->version == 1 ? v1_feed(p, buf, len) : v2_feed(p, buf, len);
}
