/* SPDX-License-Identifier: ISC */
/*
 * Message framing on a bridged program's pipes. The program's output is
 * searched in the caller's buffer, so a message is passed on whole and
 * only once it is complete; nothing here reads, writes or allocates.
 */
#include <string.h>

#include "pipeframe.h"
#include "ws.h"

void
ws_pipe_reader_init(struct ws_pipe_reader *r, enum ws_pipe_framing f,
    uint64_t max)
{
	memset(r, 0, sizeof(*r));
	r->framing = f;
	r->max = max;
}

size_t
ws_pipe_slack(enum ws_pipe_framing f)
{
	return f == WS_PIPE_LEN32 ? WS_PIPE_LEN32_HEADER : 2;
}

static long
failure(struct ws_pipe_reader *r, unsigned code, const char *reason)
{
	r->code = code;
	r->reason = reason;
	return -1;
}

/* A text message found: it must be UTF-8 and within the limit. */
static long
text(struct ws_pipe_reader *r, const uint8_t *p, size_t n, size_t span,
    struct ws_pipe_msg *m)
{
	if (n > r->max)
		return failure(r, WS_CLOSE_MESSAGE_TOO_BIG,
		    "program message over the limit");
	if (!ws_utf8_valid(p, n))
		return failure(r, WS_CLOSE_INTERNAL_ERROR,
		    "program wrote invalid UTF-8");
	m->opcode = WS_OP_TEXT;
	m->data = p;
	m->len = n;
	r->scanned = 0;
	return (long)span;
}

/* Line and NUL framing: text up to the separator. */
static long
separated(struct ws_pipe_reader *r, const uint8_t *buf, size_t len, int at_eof,
    struct ws_pipe_msg *m)
{
	int sep = r->framing == WS_PIPE_LINE ? '\n' : '\0';
	int strip_cr = r->framing == WS_PIPE_LINE;
	const uint8_t *end = NULL;
	size_t n, least;

	if (r->scanned < len)
		end = memchr(buf + r->scanned, sep, len - r->scanned);
	if (end != NULL) {
		n = (size_t)(end - buf);
		if (strip_cr && n > 0 && buf[n - 1] == '\r')
			return text(r, buf, n - 1, n + 1, m);
		return text(r, buf, n, n + 1, m);
	}
	r->scanned = len;
	/* A CR at the end may yet be dropped; anything more is over. */
	least = len - (strip_cr && len > 0 && buf[len - 1] == '\r');
	if (least > r->max)
		return failure(r, WS_CLOSE_MESSAGE_TOO_BIG,
		    "program message over the limit");
	if (!at_eof || len == 0)
		return 0;
	return text(r, buf, least, len, m);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static long
len32(struct ws_pipe_reader *r, const uint8_t *buf, size_t len, int at_eof,
    struct ws_pipe_msg *m)
{
	uint32_t n;

	if (len < WS_PIPE_LEN32_HEADER)
		goto partial;
	n = be32(buf);
	if (buf[4] != WS_PIPE_TYPE_TEXT && buf[4] != WS_PIPE_TYPE_BINARY)
		return failure(r, WS_CLOSE_INTERNAL_ERROR,
		    "program frame of an unknown type");
	if (n > r->max)
		return failure(r, WS_CLOSE_MESSAGE_TOO_BIG,
		    "program message over the limit");
	if (len - WS_PIPE_LEN32_HEADER < n)
		goto partial;
	if (buf[4] == WS_PIPE_TYPE_TEXT)
		return text(r, buf + WS_PIPE_LEN32_HEADER, n,
		    WS_PIPE_LEN32_HEADER + (size_t)n, m);
	m->opcode = WS_OP_BINARY;
	m->data = buf + WS_PIPE_LEN32_HEADER;
	m->len = n;
	return WS_PIPE_LEN32_HEADER + (long)n;
partial:
	if (at_eof && len > 0)
		return failure(r, WS_CLOSE_INTERNAL_ERROR,
		    "program output ends mid-frame");
	return 0;
}

long
ws_pipe_next(struct ws_pipe_reader *r, const uint8_t *buf, size_t len,
    int at_eof, struct ws_pipe_msg *m)
{
	switch (r->framing) {
	case WS_PIPE_LINE:
	case WS_PIPE_NUL:
		return separated(r, buf, len, at_eof, m);
	case WS_PIPE_LEN32:
		return len32(r, buf, len, at_eof, m);
	case WS_PIPE_RAW:
		break;
	}
	if (len > r->max)
		len = (size_t)r->max;
	m->opcode = WS_OP_BINARY;
	m->data = buf;
	m->len = len;
	return (long)len;
}

unsigned
ws_pipe_accepts(enum ws_pipe_framing f, int opcode, const uint8_t *data,
    size_t len, const char **reason)
{
	if (f == WS_PIPE_LEN32 || f == WS_PIPE_RAW)
		return 0;
	if (opcode != WS_OP_TEXT) {
		*reason = "text messages only";
		return WS_CLOSE_UNSUPPORTED_DATA;
	}
	if (f == WS_PIPE_NUL && len > 0 && memchr(data, '\0', len) != NULL) {
		*reason = "a NUL byte in a message";
		return WS_CLOSE_UNSUPPORTED_DATA;
	}
	return 0;
}

size_t
ws_pipe_prefix(enum ws_pipe_framing f, int opcode, size_t len,
    uint8_t out[WS_PIPE_LEN32_HEADER])
{
	if (f != WS_PIPE_LEN32)
		return 0;
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	out[4] = opcode == WS_OP_TEXT ? WS_PIPE_TYPE_TEXT : WS_PIPE_TYPE_BINARY;
	return WS_PIPE_LEN32_HEADER;
}

size_t
ws_pipe_suffix(enum ws_pipe_framing f, uint8_t out[1])
{
	if (f == WS_PIPE_LINE)
		out[0] = '\n';
	else if (f == WS_PIPE_NUL)
		out[0] = '\0';
	else
		return 0;
	return 1;
}
