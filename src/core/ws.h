/* SPDX-License-Identifier: ISC */
/*
 * The protocol core's whole API: RFC 6455 handshake, frames, messages,
 * UTF-8, URLs and the built-in services. Pure and I/O-free: callers push
 * bytes and get events or bytes back; nothing here reads a socket,
 * allocates, logs, looks at a clock or exits.
 */
#ifndef WS_H
#define WS_H

#include <stddef.h>
#include <stdint.h>

/* Limits, each with why. */

/* Header block of a request or response. 8 KiB is what nginx and most
 * servers allow by default; a browser's upgrade request is under 1 KiB. */
#define WS_MAX_HEADER_DEFAULT 8192
/* Header lines kept per request; more is answered 431. Browsers send ~15. */
#define WS_MAX_HEADERS 64
/* Largest message, default. Python websockets' default (1 MiB). */
#define WS_MAX_MESSAGE_DEFAULT (1024 * 1024)
/* Control frame payload, fixed by RFC 6455 section 5.5. */
#define WS_MAX_CONTROL 125
/* Frames per message, default: one per 64 bytes of the message limit
 * (16384 for 1 MiB), and at least 1024. Tiny frames cost a parse and an
 * event each for one byte of payload; 64 bytes is the smallest fragment
 * Autobahn's 9.3/9.4 cases send, so a message limit raised for their
 * 4 MiB messages admits them too. */
#define WS_FRAME_BYTES_MIN 64
#define WS_MAX_FRAMES_MIN 1024
/* Longest frame header: 2 + 8 (64-bit length) + 4 (mask). */
#define WS_FRAME_HEADER_MAX 14
/* Sec-WebSocket-Key: base64 of 16 bytes; Sec-WebSocket-Accept: of 20. */
#define WS_KEY_LEN 24
#define WS_ACCEPT_LEN 28

enum ws_role { WS_ROLE_SERVER, WS_ROLE_CLIENT };

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

enum ws_close_code {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_GOING_AWAY = 1001,
	WS_CLOSE_PROTOCOL_ERROR = 1002,
	WS_CLOSE_UNSUPPORTED_DATA = 1003,
	WS_CLOSE_NO_STATUS = 1005, /* never on the wire */
	WS_CLOSE_ABNORMAL = 1006, /* never on the wire */
	WS_CLOSE_INVALID_PAYLOAD = 1007,
	WS_CLOSE_POLICY_VIOLATION = 1008,
	WS_CLOSE_MESSAGE_TOO_BIG = 1009,
	WS_CLOSE_MANDATORY_EXTENSION = 1010,
	WS_CLOSE_INTERNAL_ERROR = 1011,
};

/* A byte range inside a caller's buffer; not NUL-terminated. */
struct ws_str {
	const char *p;
	size_t n;
};

/* ASCII case-insensitive equality, as header names, schemes and tokens
 * compare (http.c). */
int ws_str_ieq(struct ws_str a, struct ws_str b);
int ws_str_ieq_c(struct ws_str a, const char *b);

struct ws_header {
	struct ws_str name;
	struct ws_str value;
};

/* ---- sha1.c: SHA-1, for the accept key only ---- */

#define WS_SHA1_LEN 20

struct ws_sha1 {
	uint32_t h[5];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
};

void ws_sha1_init(struct ws_sha1 *s);
void ws_sha1_update(struct ws_sha1 *s, const void *data, size_t n);
void ws_sha1_final(struct ws_sha1 *s, uint8_t out[WS_SHA1_LEN]);

/* ---- base64.c, accept.c ---- */

/* Standard alphabet with padding. Returns the length written (no NUL
 * is added). out needs 4 * ((n + 2) / 3) bytes. */
size_t ws_base64_encode(const uint8_t *in, size_t n, char *out);
/* Strict decode: padding required, no whitespace, no trailing bits.
 * Returns the decoded length, or -1 when invalid or over cap. */
long ws_base64_decode(const char *in, size_t n, uint8_t *out, size_t cap);
/* Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)), NUL-ended.
 * The one place that touches a digest, so start-up cost lives here. */
void ws_accept_key(const char *key, size_t keylen, char out[WS_ACCEPT_LEN + 1]);

/* ---- utf8.c: incremental validator ---- */

struct ws_utf8 {
	uint32_t state; /* 0: between characters; ready when zeroed */
};

/* Validates n more bytes. Returns n when they are valid so far, or the
 * index of the first byte that can never be part of valid UTF-8: a
 * sequence is refused at the first byte that rules it out (overlong,
 * surrogate, above U+10FFFF), not at its end. After a refusal the state
 * stays refused. */
size_t ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t n);
/* 1 when the input so far ends on a character boundary. */
int ws_utf8_complete(const struct ws_utf8 *u);
/* 1 when the whole buffer is valid, complete UTF-8. */
int ws_utf8_valid(const uint8_t *p, size_t n);

/* ---- frame.c: header encoder, masking ---- */

/* The most a deflate stream can exceed its input by, for n bytes of
 * input, with some margin: stored blocks, at worst 5 bytes of header
 * for every 128 bytes when the compressor's buffers are at their
 * smallest, and the stream's own ending. A compressed message's wire
 * length may be this much over the message limit. */
#define WS_DEFLATE_GROWTH(n) ((n) / 16 + 64)
/* RSV1 in a frame's first byte: the message is compressed (RFC 7692). */
#define WS_FRAME_RSV1 0x40

/* Writes a frame header; mask NULL means unmasked. Returns its length
 * (2 to 14). */
size_t ws_frame_header(uint8_t out[WS_FRAME_HEADER_MAX], int fin, int opcode,
    uint64_t len, const uint8_t mask[4]);
/* XORs p with the mask, starting at mask byte offset % 4. Its own inverse.
 * Returns 1 when every byte it leaves is ASCII (below 0x80), so that the
 * parser can skip the UTF-8 scan of an unmasked text chunk. */
int ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset);
/* Close frame payload: 2-byte code then reason, the reason cut to fit
 * 125 bytes on a UTF-8 boundary. code 0 gives an empty payload. Returns
 * the payload length. */
size_t ws_close_payload(uint8_t out[WS_MAX_CONTROL], unsigned code,
    const char *reason);
/* 1 when a peer may send this code in a close frame (RFC 6455 7.4 and
 * the IANA registry: 1000-1003, 1007-1014, 3000-4999). */
int ws_close_code_valid(unsigned code);

/* ---- frame.c + msg.c: the incremental decoder ---- */

enum ws_event_type {
	WS_EV_NONE, /* all input consumed, nothing to report yet */
	WS_EV_DATA, /* a chunk of a text or binary message */
	WS_EV_PING, /* answer with a pong carrying data/len */
	WS_EV_PONG,
	WS_EV_CLOSE, /* the peer's close frame; the parser is finished */
	WS_EV_ERROR, /* fail the connection with code; reason says why */
};

struct ws_event {
	enum ws_event_type type;
	int opcode; /* DATA: WS_OP_TEXT or WS_OP_BINARY of the message */
	int first; /* DATA: first chunk of its message */
	int fin; /* DATA: last chunk of its message */
	int compressed; /* DATA: the message is deflated (RFC 7692) */
	uint8_t *data; /* DATA: in the caller's buffer, unmasked in place;
			    * PING/PONG: the payload; CLOSE: the reason.
			    * Control payloads live in the parser. */
	size_t len;
	unsigned code; /* CLOSE: peer's code (1005 if none); ERROR: ours */
	const char *reason; /* ERROR: static text, for the close and the log */
};

struct ws_parser {
	/* settings */
	enum ws_role role; /* a server requires masked frames */
	uint64_t max_message;
	uint64_t max_frames; /* per message; init sets the default */
	/* Data frames of up to this payload are handed out whole, in one
	 * DATA event, once the caller's buffer holds all of it; 0 (the
	 * default): payload as it comes. */
	uint64_t whole_max;

	/* permessage-deflate was negotiated: RSV1 on the first frame of a
	 * data message marks it compressed (RFC 7692 section 6) */
	int rsv1_ok;

	/* current frame */
	uint8_t hdr[WS_FRAME_HEADER_MAX];
	uint8_t hdr_have;
	uint8_t in_payload;
	uint8_t fin, opcode, masked;
	uint8_t mask[4];
	uint64_t frame_len, frame_done;

	/* current control frame payload */
	uint8_t ctl[WS_MAX_CONTROL];

	/* current message */
	int msg_opcode; /* 0: none in progress */
	int msg_started; /* a DATA event of it was already returned */
	int msg_compressed; /* its first frame had RSV1: the payload is
			     * deflated, and its UTF-8 is the caller's to
			     * check once inflated */
	uint64_t msg_len;
	uint64_t msg_frames;
	struct ws_utf8 utf8;

	/* end states */
	int closed;
	unsigned err_code;
	const char *err_reason;
};

/* Zeroes the parser and sets its role and limit (0: the default), and
 * max_frames to max_message / WS_FRAME_BYTES_MIN (at least
 * WS_MAX_FRAMES_MIN); set
 * max_frames after this call to change it. A message in more frames fails
 * with 1008 at the header of the first frame too many. */
void ws_parser_init(struct ws_parser *p, enum ws_role role,
    uint64_t max_message);
/* Consumes bytes from buf (which it may modify: payload is unmasked in
 * place) and returns how many, filling ev. Each call consumes at least one
 * byte or returns an event other than NONE, but one: with whole_max set, a
 * data frame's payload that is not all in buf yet is left there (0 and
 * NONE, its header already taken); feed it again with more after it,
 * frame_len bytes from its start. Checks, in this order as bytes
 * arrive: reserved bits, opcodes, masking per role, control frame length
 * and fragmentation, RSV1 (only with rsv1_ok, and only on the first frame
 * of a data message), continuation without a message, a new message inside
 * one, the 64-bit length's top bit, the message limit (from the header,
 * before any payload), UTF-8 of text (at the failing byte) and of a close
 * reason, close codes. After ERROR or CLOSE it keeps returning that event
 * and consumes nothing. */
size_t ws_parser_feed(struct ws_parser *p, uint8_t *buf, size_t len,
    struct ws_event *ev);

/* ---- http.c: opening handshake, server side ---- */

struct ws_request {
	size_t max_header; /* setting */
	size_t scanned; /* bytes already searched for the blank line */

	/* results, pointing into the caller's buffer */
	struct ws_str method, target, host, origin, key, protocols, extensions;
	struct ws_header headers[WS_MAX_HEADERS];
	size_t nheaders;
	size_t len; /* the header block's length, once it is complete */

	/* failure */
	int status; /* 400, 426 or 431 */
	const char *reason; /* static, short, safe to send and log */
	/* Set with a refusal when the request is well-formed HTTP/1.1 that
	 * asks for no WebSocket at all (no "Upgrade: websocket"): a server
	 * may answer it as plain HTTP instead; method, target and headers
	 * are filled in. */
	int plain;
};

/* max_header 0 means WS_MAX_HEADER_DEFAULT. */
void ws_request_init(struct ws_request *r, size_t max_header);
/* Feed the whole buffer received so far (the same buffer, grown, on each
 * call; it need not be NUL-terminated). Returns the length of the header
 * block when it is complete and a valid upgrade request; 0 when more
 * bytes are needed; -1 when refused, with status and reason set. Requires
 * GET, HTTP/1.1 or later, Host, Upgrade: websocket, Connection with the
 * Upgrade token, Sec-WebSocket-Version: 13 (else 426) and a key of 16
 * bytes; a block over max_header is 431. */
long ws_request_parse(struct ws_request *r, const char *buf, size_t len);

/* How many header lines are named name (case-insensitively); the first
 * one's value in *value (p NULL when none). */
size_t ws_request_header(const struct ws_request *r, const char *name,
    struct ws_str *value);

/* 101 answer. protocol may be NULL or "" for none. Returns the length, or
 * 0 if cap is too small or protocol holds a CR or LF. */
size_t ws_response_101(char *out, size_t cap, const char *key, size_t keylen,
    const char *protocol);

/* What a server adds to its 101: the chosen subprotocol (n 0: none),
 * extra "Name: value" lines, each one ws_header_line_ok accepts, and the
 * Sec-WebSocket-Extensions value agreed (n 0: none). */
struct ws_answer {
	struct ws_str protocol;
	const char *const *headers;
	size_t nheaders;
	struct ws_str extensions;
};

/* ws_response_101 with a full answer. Returns the length, or 0 if cap is
 * too small, the protocol is not a token or an extra line is refused. */
size_t ws_response_101_answer(char *out, size_t cap, const char *key,
    size_t keylen, const struct ws_answer *a);
/* 1 when line is "Name: value" that a server may add to its 101: the name
 * a token, no CR, LF or other control byte, and not a header the
 * handshake owns (Upgrade, Connection, Sec-WebSocket-*, Content-Length,
 * Transfer-Encoding). */
int ws_header_line_ok(const char *line);
/* Takes the next element of a comma-separated list off *list, trimmed;
 * empty elements are skipped. Returns 0 when the list is used up. */
int ws_list_next(struct ws_str *list, struct ws_str *item);
/* 1 when s is a non-empty RFC 9110 token. */
int ws_token_ok(struct ws_str s);
/* Refusal: status line, Content-Type text/plain, Content-Length,
 * Connection: close, Sec-WebSocket-Version: 13 for 426, and the reason
 * plus a newline as the body. Returns the length, or 0 if cap is too
 * small. */
size_t ws_response_error(char *out, size_t cap, int status, const char *reason);
/* Standard reason phrase for the statuses we send. */
const char *ws_status_text(int status);

/* ---- httpfile.c: plain HTTP answers, for static files ---- */

/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7 IMF-fixdate). */
#define WS_HTTP_DATE_LEN 29
/* "\"<mtime hex>-<size hex>\"", as nginx writes it, with room to spare. */
#define WS_ETAG_MAX 40

/* Content-Type for a file name, by its extension (case-insensitive):
 * html, css, js, json, svg, png, jpeg, ico, txt, wasm; any other is
 * application/octet-stream. Text types say charset=utf-8. */
const char *ws_mime_type(const char *name);
/* t (seconds since the epoch, UTC) as an IMF-fixdate, NUL-terminated.
 * Returns the length, or 0 for a t before 1970 or after 9999. */
size_t ws_http_date(char out[WS_HTTP_DATE_LEN + 1], int64_t t);
/* Parses an IMF-fixdate, the only form a server must send (obsolete
 * forms are refused). Returns 0 and *t, or -1. */
int ws_http_date_parse(struct ws_str s, int64_t *t);
/* An entity tag from a file's size and modification time. */
void ws_etag(char out[WS_ETAG_MAX], uint64_t size, int64_t mtime);
/* 1 when a GET or HEAD may be answered 304 (RFC 9110 13.2.2): the
 * If-None-Match list names etag (weakly) or is "*"; or, without
 * If-None-Match, If-Modified-Since is a date at or after mtime (mtime
 * below 0: unknown, never fresh by date). */
int ws_http_not_modified(const struct ws_request *r, const char *etag,
    int64_t mtime);
/* 1 when the connection may carry another request after this one's
 * answer: no "Connection: close" and no request body (a body we do not
 * read would be taken for the next request). */
int ws_http_keep_alive(const struct ws_request *r);

/* The head of a plain answer. */
struct ws_http_head {
	int status; /* 200, 301, 304, 400, 404, 405 ... */
	const char *type; /* Content-Type; NULL: none */
	uint64_t length; /* Content-Length; not sent with 304 */
	const char *etag; /* NULL: none */
	int64_t mtime; /* Last-Modified; below 0: none */
	int64_t date; /* Date; below 0: none */
	int keep_alive;
	const char *location; /* Location; NULL: none. No CR or LF in it. */
};

/* Status line and headers, X-Content-Type-Options: nosniff always, Allow
 * with 405, then the blank line. Returns the length, or 0 if cap is too
 * small. */
size_t ws_http_head(char *out, size_t cap, const struct ws_http_head *h);

/* ---- http.c: opening handshake, client side ---- */

/* GET request with the given Host value, path (with query) and key.
 * Each extra header is a full "Name: value" line without CRLF; one whose
 * name matches a default header (case-insensitively) replaces it, so a
 * tester can send a wrong version or key on purpose. An extra is malformed
 * unless it starts with a token and ':' and holds no CR or LF. A path not
 * starting with '/' gets one put before it. Returns the length, or 0 if
 * cap is too small, an extra is malformed, or host or path would break
 * their line. */
size_t ws_client_request(char *out, size_t cap, const char *host,
    const char *path, const char key[WS_KEY_LEN], const char *const *extra,
    size_t nextra);

struct ws_response {
	size_t max_header;
	size_t scanned;

	int status; /* once the status line is complete */
	struct ws_str status_line; /* without CRLF, for messages */
	struct ws_str protocol, extensions;
	/* set before parsing: we offered extensions, so one answer line
	 * of them is the caller's to judge (ws_pmd_answer); else any is a
	 * failure */
	int extensions_offered;
	const char *reason; /* on failure: why */
};

/* max_header 0 means WS_MAX_HEADER_DEFAULT. */
void ws_response_init(struct ws_response *r, size_t max_header);
/* Like ws_request_parse, for the server's answer: returns the header
 * length for a valid 101 whose Sec-WebSocket-Accept matches accept (as
 * from ws_accept_key), 0 for more, -1 on failure with reason set (and
 * status set when a status line was read). An extension or subprotocol we
 * did not offer is a failure. */
long ws_response_parse(struct ws_response *r, const char *buf, size_t len,
    const char *accept, const char *offered_protocols);

/* ---- pmd.c: permessage-deflate negotiation (RFC 7692 section 7) ---- */

/* LZ77 window sizes, as base-2 logarithms (RFC 7692 7.1.2). */
#define WS_PMD_BITS_MIN 8
#define WS_PMD_BITS_MAX 15
/* client_max_window_bits offered without a value. */
#define WS_PMD_BITS_ANY 1
/* What a client offers by default: Chrome's offer. It lets the server
 * cap our window, so a server short of memory need not decline. */
#define WS_PMD_OFFER "permessage-deflate; client_max_window_bits"
/* The longest value ws_pmd_format writes: both flags and two two-digit
 * windows (Autobahn's case 13.6 asks for just that). Its size, with the
 * NUL, is the buffer an answer needs. */
#define WS_PMD_LONGEST \
	"permessage-deflate; server_no_context_takeover; " \
	"client_no_context_takeover; server_max_window_bits=15; " \
	"client_max_window_bits=15"
#define WS_PMD_FORMAT_MAX sizeof(WS_PMD_LONGEST)

/* The parameters of one offer or answer. A window of 0 is absent. */
struct ws_pmd {
	uint8_t server_no_context_takeover;
	uint8_t client_no_context_takeover;
	uint8_t server_max_window_bits; /* 0, or 8 to 15 */
	uint8_t client_max_window_bits; /* 0, WS_PMD_BITS_ANY, or 8 to 15 */
};

/* Takes the next element of a Sec-WebSocket-Extensions list off *list,
 * trimmed, splitting at commas outside quoted strings; empty elements are
 * skipped. Returns 0 when the list is used up. */
int ws_ext_next(struct ws_str *list, struct ws_str *elem);
/* Parses one element, "name; param[=value]...". Returns 1 for
 * permessage-deflate with valid parameters (filling *pmd), 0 for another
 * extension, -1 for a malformed element or an unknown, duplicate, or
 * out-of-range parameter, with *reason set. */
int ws_pmd_parse(struct ws_str elem, struct ws_pmd *pmd, const char **reason);
/* Server: the first offer of the request (every Sec-WebSocket-Extensions
 * line, in order) that can be honoured with our window of at most window
 * bits (8 to 15). Returns 1 and fills *answer with what to answer; 0
 * when there is none, *reason saying why the last permessage-deflate
 * offer was declined (NULL when there was none). Never answers a window
 * larger than offered, nor client_max_window_bits unless offered. */
int ws_pmd_choose(const struct ws_request *r, unsigned window,
    struct ws_pmd *answer, const char **reason);
/* Writes an answer (or offer) as a header value, NUL-terminated. Returns
 * its length, or 0 when cap is too small. */
size_t ws_pmd_format(const struct ws_pmd *p, char *out, size_t cap);
/* Client: judges the server's Sec-WebSocket-Extensions value against what
 * we offered (whether with client_max_window_bits). Returns 0 and fills
 * *answer, or -1 with *reason: another extension, several, a malformed or
 * out-of-range parameter, client_max_window_bits not offered or without a
 * value. */
int ws_pmd_answer(struct ws_str value, int offered_client_bits,
    struct ws_pmd *answer, const char **reason);

/* ---- policy.c: which upgrade requests a server accepts ---- */

/*
 * Origin (RFC 6454) policy against cross-site WebSocket hijacking, and
 * subprotocol choice. Only browsers send Origin, and the attack needs a
 * browser, so a request without Origin passes any origin policy.
 */
struct ws_policy {
	/* Comma-separated origins, "scheme://host[:port]", or "*" for any;
	 * NULL: none listed. */
	const char *origins;
	/* Accept an Origin whose host[:port] is the request's Host. With
	 * neither origins nor same_origin set, every origin passes. */
	int same_origin;
	/* Comma-separated subprotocols in our order of preference; NULL:
	 * none, and the client's offers are left unanswered. */
	const char *protocols;
	/* Refuse (400) a client that offers none of ours. */
	int require_protocol;
};

/* The parts of a serialized origin; host without brackets. port 0: the
 * scheme's default (http and ws 80, https and wss 443) was meant. */
struct ws_origin {
	struct ws_str scheme, host;
	unsigned port;
};

/* Parses "scheme://host[:port]" (what browsers send and --origin takes:
 * no path, no user). Returns 0, or -1 when malformed. */
int ws_origin_parse(struct ws_str s, struct ws_origin *o);
/* Same scheme and host, case-insensitively, and the same port once
 * default ports are made explicit. */
int ws_origin_eq(const struct ws_origin *a, const struct ws_origin *b);
/* 1 when origin's host[:port] names the same server as the Host header:
 * hosts equal case-insensitively, ports equal with 80 and 443 taken as
 * "no port" on the Host side and the scheme's default on the Origin's. */
int ws_origin_same_host(struct ws_str origin, struct ws_str host);
/* 1 when a list for ws_policy.origins is well formed; else 0 with *bad
 * set to the offending element. */
int ws_origin_list_ok(const char *list, struct ws_str *bad);
/* 1 when a list for ws_policy.protocols holds only tokens, at least one. */
int ws_protocol_list_ok(const char *list);
/* Applies the policy to a parsed request. Returns 0 and fills
 * *protocol (pointing into p->protocols; n 0: none chosen), or the HTTP
 * status to refuse with (403 for the origin, 400 for the subprotocol)
 * and *reason. */
int ws_policy_check(const struct ws_policy *p, const struct ws_request *r,
    struct ws_str *protocol, const char **reason);

/* ---- url.c ---- */

struct ws_url {
	int tls; /* wss:// */
	char host[256]; /* without brackets */
	char port[6]; /* decimal, defaulted to 80 or 443 */
	int port_explicit;
	int ipv6; /* host was a [literal] */
	/* Into the parsed string, from the '/' or '?' ending the authority;
	 * "/" when there is neither. "ws://h?x" gives "?x": the request
	 * target needs a '/' before it, which ws_client_request adds. */
	const char *path;
};

/* Parses ws:// and wss:// URLs (scheme case-insensitive; host names,
 * IPv4, [IPv6]; optional port 1-65535; path and query kept; fragment and
 * userinfo refused). Returns 0, or -1 with *err set to a static reason. */
int ws_url_parse(struct ws_url *u, const char *s, const char **err);
/* The Host header value: host, bracketed when IPv6, with :port unless it
 * is the scheme's default. NUL-terminated; returns the length without the
 * NUL, or 0 if cap is too small. */
size_t ws_url_host_header(const struct ws_url *u, char *out, size_t cap);

/* ---- addr.c: IP addresses and trusted prefixes, as text ---- */

/* An IPv4 address sits in a[0..3] (family 4); IPv6 uses all 16 bytes
 * (family 6). */
struct ws_addr {
	uint8_t family;
	uint8_t a[16];
};

/* A prefix: addr with its host bits zero, and bits of it significant. */
struct ws_prefix {
	struct ws_addr addr;
	unsigned bits;
};

/* Trusted sources (--proxy-protocol, --trust-forwarded). 64 entries
 * cover any real fleet of balancers given as prefixes; more is refused
 * so the per-connection lookup stays a short scan. */
#define WS_TRUST_MAX 64
struct ws_trust {
	struct ws_prefix p[WS_TRUST_MAX];
	size_t n;
};

/* Parses an address in its text form: IPv4 as four decimal octets
 * without leading zeros (so "010.1.1.1" cannot mean octal to one parser
 * and decimal to another), IPv6 as RFC 4291 writes it (a trailing
 * dotted IPv4 allowed, no zone). Returns 0, or -1. */
int ws_addr_parse(struct ws_str s, struct ws_addr *out);
/* A port, 0 to 65535 in decimal: "0" or digits without a leading zero.
 * Returns 0, or -1. */
int ws_port_parse(struct ws_str s, uint16_t *out);
/* ::ffff:a.b.c.d becomes a.b.c.d, as the programs show an IPv4 client
 * of an IPv6 socket; others are left alone. */
void ws_addr_unmap(struct ws_addr *a);
/* "ADDR" (a whole address: /32 or /128) or "ADDR/BITS", host bits zero.
 * Returns 0, or -1. */
int ws_prefix_parse(struct ws_str s, struct ws_prefix *out);
/* Adds a comma-separated list of prefixes. Returns 0, or -1 with
 * *bad set to the element refused (or the whole list when full). */
int ws_trust_add(struct ws_trust *t, const char *list, struct ws_str *bad);
/* 1 when a (unmapped first) lies in one of t's prefixes. */
int ws_trust_match(const struct ws_trust *t, const struct ws_addr *a);

/* ---- proxy.c: the PROXY protocol header, versions 1 and 2 ---- */

/* Longest version 1 line, CRLF included, as the specification bounds it
 * ("PROXY UNKNOWN" followed by anything fits in it too). */
#define WS_PROXY_V1_MAX 107
/* Version 2: the fixed head, and the most we take after it. The address
 * block is at most 36 bytes for TCP over IPv6; the rest are TLVs, which
 * we skip: ALPN, authority (a host name, <= 255), unique ID (<= 128),
 * the TLS subtree with a client's subject. 2 KiB holds what haproxy and
 * the cloud balancers send with room to spare, and bounds what a
 * trusted but broken sender can make us read. */
#define WS_PROXY_V2_HEAD 16
#define WS_PROXY_V2_MAX_LEN 2048

enum ws_proxy_kind {
	/* The sender relays a client: src and dst hold its addresses. */
	WS_PROXY_CLIENT = 1,
	/* The sender speaks for itself (v2 LOCAL, a health check), or does
	 * not know the client (v1 UNKNOWN, v2 UNSPEC): keep the peer's. */
	WS_PROXY_OWN,
};

struct ws_proxy {
	/* state; ready once zeroed (or ws_proxy_init) */
	size_t got; /* bytes of the header consumed so far */
	size_t total; /* v2: head plus its length, once the head is in */
	uint8_t buf[WS_PROXY_V1_MAX + 1]; /* the v1 line, or v2 head+addr */
	uint8_t tlv[3]; /* v2: the current TLV's type and length */
	size_t tlv_got, tlv_left;

	/* results */
	int version; /* 1 or 2, once the signature tells */
	int done;
	enum ws_proxy_kind kind;
	struct ws_addr src, dst;
	uint16_t sport, dport;
	const char *reason; /* on failure: static, safe to log */
};

void ws_proxy_init(struct ws_proxy *p);
/* Feed the next len bytes of the connection. Returns how many of them
 * belong to the header, at least one unless len is 0 or it is done
 * already, never one past its end; done is set on the call that takes
 * its last byte. -1 when it is refused, with reason: a wrong signature
 * (at the first byte that differs), a v1 line longer than
 * WS_PROXY_V1_MAX or malformed (address, port out of 0..65535, port
 * with a leading zero, family and address disagreeing), a v2 version
 * or command other than 2 and LOCAL/PROXY, a family other than UNSPEC,
 * TCP over IPv4 or IPv6 (UNIX and UDP are refused), a length short of
 * its address block or over WS_PROXY_V2_MAX_LEN, a TLV running past
 * the end. */
long ws_proxy_parse(struct ws_proxy *p, const uint8_t *buf, size_t len);
/* 1 when the len bytes could begin a PROXY header (either signature),
 * so a server that takes none from this peer can say so; len 0 is 0. */
int ws_proxy_sniff(const uint8_t *buf, size_t len);

/* ---- forwarded.c: the client behind an HTTP proxy ---- */

/* Which header the trusted proxies write. */
enum ws_fwd_header { WS_FWD_XFF, WS_FWD_FORWARDED };

/* Hops looked at, from the right: past this many trusted ones the
 * leftmost seen is taken. A real chain has two or three. */
#define WS_FWD_MAX_HOPS 32

/* The client's address by the request's X-Forwarded-For or Forwarded
 * (RFC 7239 "for=") lines, every line of the one header in order,
 * walked from the right: each hop in t was written by a trusted proxy,
 * so the one before it is believed, until the first address not in t,
 * which is the client. All of them trusted: the leftmost. An element
 * that is not an address ("unknown", an obfuscated name, a typo) ends
 * the walk: the hop after it stands. Returns 1 with *out and *port (0
 * when the header gives none), 0 when there is no such header or its
 * last element names no address (keep the peer's), -1 when the header
 * is malformed (Forwarded: bad syntax; either: a last element that is
 * not an address nor "unknown"), with *reason. */
int ws_forwarded_client(const struct ws_request *r, enum ws_fwd_header h,
    const struct ws_trust *t, struct ws_addr *out, uint16_t *port,
    const char **reason);

/* ---- service.c: the built-in services ---- */

enum ws_service { WS_SERVICE_HELLO, WS_SERVICE_ECHO };

/* What to send in answer to an event: one message of opcode made of
 * prefix followed, when with_payload, by the received message. opcode 0
 * means send nothing. */
struct ws_reply {
	int opcode;
	const char *prefix;
	size_t prefix_len;
	int with_payload;
};

void ws_service_open(enum ws_service s, struct ws_reply *r);
void ws_service_message(enum ws_service s, int opcode, struct ws_reply *r);

#endif
