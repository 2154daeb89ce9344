/* SPDX-License-Identifier: ISC */
/*
 * The incremental frame decoder and RFC 6455 message rules: fragmentation,
 * control frames, masking per role, limits, UTF-8 of text and close codes.
 * Any split of the input gives the same messages; no I/O, no allocation.
 */
#include <string.h>

#include "ws.h"

#define FIN_BIT 0x80
#define RSV1_BIT 0x40
#define RSV23_BITS 0x30
#define MASK_BIT 0x80
#define LEN_BITS 0x7f
#define LEN_16 126
#define LEN_64 127

static int
is_control(int opcode)
{
	return (opcode & 0x8) != 0;
}

static int
is_known(int opcode)
{
	return opcode <= WS_OP_BINARY ||
	    (opcode >= WS_OP_CLOSE && opcode <= WS_OP_PONG);
}

static int
fail(struct ws_parser *p, struct ws_event *ev, unsigned code,
    const char *reason)
{
	p->err_code = code;
	p->err_reason = reason;
	*ev = (struct ws_event){ .type = WS_EV_ERROR,
		.code = code,
		.reason = reason };
	return -1;
}

/* The close event, rebuilt from the frame kept in the parser so that it
 * can be repeated after the parser is finished. */
static void
close_event(struct ws_parser *p, struct ws_event *ev)
{
	ev->type = WS_EV_CLOSE;
	if (p->frame_len < 2) {
		ev->code = WS_CLOSE_NO_STATUS;
		ev->data = p->ctl;
		ev->len = 0;
		return;
	}
	ev->code = (unsigned)p->ctl[0] << 8 | p->ctl[1];
	ev->data = p->ctl + 2;
	ev->len = (size_t)p->frame_len - 2;
}

static size_t
finished(struct ws_parser *p, struct ws_event *ev)
{
	if (p->err_code != 0)
		fail(p, ev, p->err_code, p->err_reason);
	else
		close_event(p, ev);
	return 0;
}

/* ---- header, checked byte by byte as it arrives ---- */

static size_t
ext_bytes(const struct ws_parser *p)
{
	switch (p->hdr[1] & LEN_BITS) {
	case LEN_16:
		return 2;
	case LEN_64:
		return 8;
	default:
		return 0;
	}
}

static size_t
header_len(const struct ws_parser *p)
{
	return 2 + ext_bytes(p) + (p->masked ? 4 : 0);
}

static uint64_t
declared_length(const struct ws_parser *p)
{
	size_t i, n = ext_bytes(p);
	uint64_t len = 0;

	if (n == 0)
		return p->hdr[1] & LEN_BITS;
	for (i = 0; i < n; i++)
		len = len << 8 | p->hdr[2 + i];
	return len;
}

static int
check_first(struct ws_parser *p, struct ws_event *ev)
{
	p->fin = (p->hdr[0] & FIN_BIT) != 0;
	p->opcode = p->hdr[0] & 0x0f;
	/* RSV2 and RSV3 belong to no extension we speak; RSV1 to
	 * permessage-deflate, once negotiated (RFC 7692 section 6). */
	if ((p->hdr[0] & RSV23_BITS) || ((p->hdr[0] & RSV1_BIT) && !p->rsv1_ok))
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "reserved bits set");
	if (!is_known(p->opcode))
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR, "unknown opcode");
	if ((p->hdr[0] & RSV1_BIT) && is_control(p->opcode))
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "RSV1 on a control frame");
	if ((p->hdr[0] & RSV1_BIT) && p->opcode == WS_OP_CONT)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "RSV1 on a continuation frame");
	if (is_control(p->opcode) && !p->fin)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "fragmented control frame");
	if (is_control(p->opcode))
		return 0;
	if (p->opcode == WS_OP_CONT && p->msg_opcode == 0)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "continuation without a message");
	if (p->opcode != WS_OP_CONT && p->msg_opcode != 0)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "new message inside a fragmented one");
	return 0;
}

static int
check_second(struct ws_parser *p, struct ws_event *ev)
{
	p->masked = (p->hdr[1] & MASK_BIT) != 0;
	if (p->role == WS_ROLE_SERVER && !p->masked)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "unmasked client frame");
	if (p->role == WS_ROLE_CLIENT && p->masked)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "masked server frame");
	if (is_control(p->opcode) && (p->hdr[1] & LEN_BITS) > WS_MAX_CONTROL)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "control frame too long");
	return 0;
}

/* Runs as soon as the length is known, before the mask key and payload:
 * a declared length is never waited for, let alone allocated. */
static int
check_length(struct ws_parser *p, struct ws_event *ev)
{
	uint64_t limit, so_far;

	p->frame_len = declared_length(p);
	if (p->frame_len >> 63)
		return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
		    "frame length has the top bit set");
	if (is_control(p->opcode))
		return 0;
	limit = p->max_message ? p->max_message : WS_MAX_MESSAGE_DEFAULT;
	/* A compressed message is bounded by its inflated size, which the
	 * engine checks as it inflates; what arrives may be a little
	 * larger than that when the data did not shrink (deflate's stored
	 * blocks), so its wire length gets deflate's worst growth. */
	if (p->opcode == WS_OP_CONT ? p->msg_compressed
				    : (p->hdr[0] & RSV1_BIT) != 0)
		limit += WS_DEFLATE_GROWTH(limit);
	so_far = p->opcode == WS_OP_CONT ? p->msg_len : 0;
	/* Subtract rather than add: the sum could wrap. */
	if (so_far > limit || p->frame_len > limit - so_far)
		return fail(p, ev, WS_CLOSE_MESSAGE_TOO_BIG, "message too big");
	/* Not a size but a rate of work per byte: a policy, hence 1008. */
	if (p->opcode == WS_OP_CONT && p->max_frames &&
	    p->msg_frames >= p->max_frames)
		return fail(p, ev, WS_CLOSE_POLICY_VIOLATION,
		    "too many frames in one message");
	return 0;
}

static void
start_frame(struct ws_parser *p)
{
	if (p->masked)
		memcpy(p->mask, p->hdr + p->hdr_have - 4, 4);
	p->frame_done = 0;
	p->in_payload = 1;
	if (is_control(p->opcode))
		return;
	if (p->opcode != WS_OP_CONT) {
		p->msg_opcode = p->opcode;
		p->msg_started = 0;
		p->msg_compressed = (p->hdr[0] & RSV1_BIT) != 0;
		p->msg_len = 0;
		p->msg_frames = 0;
		memset(&p->utf8, 0, sizeof(p->utf8));
	}
	p->msg_len += p->frame_len;
	p->msg_frames++;
}

static int
header_byte(struct ws_parser *p, uint8_t b, struct ws_event *ev)
{
	size_t have;

	p->hdr[p->hdr_have++] = b;
	have = p->hdr_have;
	if (have == 1)
		return check_first(p, ev);
	if (have == 2 && check_second(p, ev) == -1)
		return -1;
	if (have == 2 + ext_bytes(p) && check_length(p, ev) == -1)
		return -1;
	if (have == header_len(p))
		start_frame(p);
	return 0;
}

/* The header's length from its first two bytes. */
static size_t
header_len_at(const uint8_t *b)
{
	size_t n = (b[1] & LEN_BITS) == LEN_16 ? 4
	    : (b[1] & LEN_BITS) == LEN_64      ? 10
					       : 2;

	return n + ((b[1] & MASK_BIT) ? 4 : 0);
}

/* The whole header is in buf: the same checks as header_byte, in the
 * same order, each when its byte would have arrived, without a round of
 * the byte loop for each. Returns the bytes taken, up to and including
 * the one that revealed an error. */
static size_t
header_whole(struct ws_parser *p, const uint8_t *buf, size_t n,
    struct ws_event *ev)
{
	size_t ext;

	memcpy(p->hdr, buf, n);
	p->hdr_have = 1;
	if (check_first(p, ev) == -1)
		return 1;
	p->hdr_have = 2;
	if (check_second(p, ev) == -1)
		return 2;
	ext = ext_bytes(p);
	p->hdr_have = (uint8_t)(2 + ext);
	if (check_length(p, ev) == -1)
		return 2 + ext;
	p->hdr_have = (uint8_t)n;
	start_frame(p);
	return n;
}

/* Takes header bytes until the header is complete or refused. */
static size_t
header_feed(struct ws_parser *p, const uint8_t *buf, size_t len,
    struct ws_event *ev)
{
	size_t i = 0;

	if (p->hdr_have == 0 && len >= 2 && len >= header_len_at(buf))
		return header_whole(p, buf, header_len_at(buf), ev);

	while (i < len && !p->in_payload)
		if (header_byte(p, buf[i++], ev) == -1)
			break;
	return i;
}

/* ---- payload ---- */

static void
next_frame(struct ws_parser *p)
{
	p->hdr_have = 0;
	p->in_payload = 0;
}

static void
data_event(struct ws_parser *p, uint8_t *data, size_t n, struct ws_event *ev)
{
	ev->type = WS_EV_DATA;
	ev->opcode = p->msg_opcode;
	ev->first = !p->msg_started;
	ev->compressed = p->msg_compressed;
	ev->data = data;
	ev->len = n;
	p->msg_started = 1;
}

/* The data frame is complete, and the message too when it was final:
 * only then can a text message be found to stop mid-character. */
static void
end_data_frame(struct ws_parser *p, struct ws_event *ev)
{
	next_frame(p);
	if (!p->fin)
		return;
	if (p->msg_opcode == WS_OP_TEXT && !p->msg_compressed &&
	    !ws_utf8_complete(&p->utf8)) {
		fail(p, ev, WS_CLOSE_INVALID_PAYLOAD, "invalid UTF-8 in text");
		return;
	}
	ev->fin = 1;
	p->msg_opcode = 0;
	p->msg_started = 0;
	p->msg_compressed = 0;
	p->msg_len = 0;
	memset(&p->utf8, 0, sizeof(p->utf8));
}

static size_t
data_chunk(struct ws_parser *p, uint8_t *buf, size_t n, struct ws_event *ev)
{
	size_t ok;
	int ascii = 0;

	if (p->masked)
		ascii = ws_mask(buf, n, p->mask, p->frame_done);
	/* ASCII between characters is valid and leaves the state as it
	 * was: the mask has looked at every byte already. */
	if (p->msg_opcode == WS_OP_TEXT && !p->msg_compressed &&
	    !(ascii && p->utf8.state == 0)) {
		/* Refuse before handing out a single bad byte. */
		ok = ws_utf8_feed(&p->utf8, buf, n);
		if (ok < n) {
			fail(p, ev, WS_CLOSE_INVALID_PAYLOAD,
			    "invalid UTF-8 in text");
			return ok + 1;
		}
	}
	p->frame_done += n;
	data_event(p, buf, n, ev);
	if (p->frame_done == p->frame_len)
		end_data_frame(p, ev);
	return n;
}

static void
close_done(struct ws_parser *p, struct ws_event *ev)
{
	size_t n = (size_t)p->frame_len;
	unsigned code;

	if (n == 1) {
		fail(p, ev, WS_CLOSE_PROTOCOL_ERROR, "close payload of 1 byte");
		return;
	}
	if (n >= 2) {
		code = (unsigned)p->ctl[0] << 8 | p->ctl[1];
		if (!ws_close_code_valid(code)) {
			fail(p, ev, WS_CLOSE_PROTOCOL_ERROR,
			    "invalid close code");
			return;
		}
		if (!ws_utf8_valid(p->ctl + 2, n - 2)) {
			fail(p, ev, WS_CLOSE_INVALID_PAYLOAD,
			    "invalid UTF-8 in close reason");
			return;
		}
	}
	p->closed = 1;
	close_event(p, ev);
}

/* Control frames never touch the message in progress, nor its UTF-8
 * state: they may come between its fragments. */
static void
control_done(struct ws_parser *p, struct ws_event *ev)
{
	if (p->opcode == WS_OP_CLOSE) {
		close_done(p, ev);
		return;
	}
	ev->type = p->opcode == WS_OP_PING ? WS_EV_PING : WS_EV_PONG;
	ev->data = p->ctl;
	ev->len = (size_t)p->frame_len;
	next_frame(p);
}

/* Control payloads are copied out, since they are reported whole and
 * may arrive over several calls. */
static size_t
control_chunk(struct ws_parser *p, const uint8_t *buf, size_t n,
    struct ws_event *ev)
{
	uint8_t *dst = p->ctl + p->frame_done;

	memcpy(dst, buf, n);
	if (p->masked)
		ws_mask(dst, n, p->mask, p->frame_done);
	p->frame_done += n;
	if (p->frame_done == p->frame_len)
		control_done(p, ev);
	return n;
}

/* A frame without payload ends with its header. at is where it ended in
 * the caller's buffer: an empty DATA event points there, never at NULL. */
static void
empty_frame(struct ws_parser *p, uint8_t *at, struct ws_event *ev)
{
	if (is_control(p->opcode)) {
		control_done(p, ev);
		return;
	}
	if (p->fin)
		data_event(p, at, 0, ev);
	end_data_frame(p, ev);
}

static size_t
payload_feed(struct ws_parser *p, uint8_t *buf, size_t len, struct ws_event *ev)
{
	uint64_t left = p->frame_len - p->frame_done;
	size_t n = left < len ? (size_t)left : len;

	if (n == 0)
		return 0;
	if (is_control(p->opcode))
		return control_chunk(p, buf, n, ev);
	if (p->frame_done == 0 && p->frame_len <= p->whole_max &&
	    n < p->frame_len)
		return 0; /* the rest first, to hand it out in one piece */
	return data_chunk(p, buf, n, ev);
}

void
ws_parser_init(struct ws_parser *p, enum ws_role role, uint64_t max_message)
{
	memset(p, 0, sizeof(*p));
	p->role = role;
	p->max_message = max_message ? max_message : WS_MAX_MESSAGE_DEFAULT;
	p->max_frames = p->max_message / WS_FRAME_BYTES_MIN;
	if (p->max_frames < WS_MAX_FRAMES_MIN)
		p->max_frames = WS_MAX_FRAMES_MIN;
}

/*
 * On ERROR, the count returned includes the byte that revealed the error
 * (for a frame checked whole, its last byte), so the caller can tell where
 * it was whatever the split. Bytes of a text chunk before a bad one are
 * not handed out.
 */
size_t
ws_parser_feed(struct ws_parser *p, uint8_t *buf, size_t len,
    struct ws_event *ev)
{
	size_t used = 0;

	*ev = (struct ws_event){ .type = WS_EV_NONE };
	if (p->err_code != 0 || p->closed)
		return finished(p, ev);
	if (len == 0)
		return 0;
	if (!p->in_payload) {
		used = header_feed(p, buf, len, ev);
		if (ev->type != WS_EV_NONE || !p->in_payload)
			return used;
		if (p->frame_len == 0) {
			empty_frame(p, buf + used, ev);
			return used;
		}
	}
	return used + payload_feed(p, buf + used, len - used, ev);
}
