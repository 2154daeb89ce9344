/* SPDX-License-Identifier: ISC */
/*
 * Messages on a bridged program's pipes, pure like the rest of the core:
 * finding whole messages in what the program wrote (lines, NUL-separated
 * text, len32 frames or raw chunks) and framing messages for its stdin.
 * No I/O and no allocation; the caller owns the buffers.
 */
#ifndef PIPEFRAME_H
#define PIPEFRAME_H

#include <stddef.h>
#include <stdint.h>

enum ws_pipe_framing {
	WS_PIPE_LINE, /* text, one message per '\n'-terminated line */
	WS_PIPE_NUL, /* text, messages separated by NUL bytes */
	WS_PIPE_LEN32, /* 4-byte big-endian length, type byte, payload */
	WS_PIPE_RAW, /* binary, bytes as they come (--binary) */
};

/* len32: the header before each payload, and its type bytes. */
#define WS_PIPE_LEN32_HEADER 5
#define WS_PIPE_TYPE_TEXT 1
#define WS_PIPE_TYPE_BINARY 2

struct ws_pipe_reader {
	enum ws_pipe_framing framing;
	uint64_t max; /* largest message payload */
	size_t scanned; /* line/nul: bytes already searched for the end */
	unsigned code; /* after a failure: the close code to send */
	const char *reason; /* after a failure: why, static */
};

struct ws_pipe_msg {
	int opcode; /* WS_OP_TEXT or WS_OP_BINARY */
	const uint8_t *data; /* points into the caller's buffer */
	size_t len;
};

void ws_pipe_reader_init(struct ws_pipe_reader *r, enum ws_pipe_framing f,
    uint64_t max);
/* The buffer a reader needs beyond max: a separator (and a CR) or a
 * len32 header. */
size_t ws_pipe_slack(enum ws_pipe_framing f);
/* Looks for the next whole message at the start of buf[0..len). Returns
 * the bytes it spans (the caller drops them) with *m set, 0 when more
 * input is needed, or -1 with code and reason set: a message over max
 * (1009), text that is not UTF-8 or a broken len32 frame (1011). With
 * at_eof set no more input will come: a last line without its separator
 * is still a message; a partial len32 frame is a failure. In line mode
 * one CR before the LF is dropped too. Pass the same (grown) buffer again
 * after a 0: the search resumes where it stopped. */
long ws_pipe_next(struct ws_pipe_reader *r, const uint8_t *buf, size_t len,
    int at_eof, struct ws_pipe_msg *m);

/* Whether a received message can cross the pipe in this framing: 0, or
 * the close code (1003) with *reason set. Line and NUL framing carry text
 * only, and NUL framing no text holding a NUL. */
unsigned ws_pipe_accepts(enum ws_pipe_framing f, int opcode,
    const uint8_t *data, size_t len, const char **reason);
/* What goes before a message on the program's stdin (len32 header);
 * returns its length, 0 for none. */
size_t ws_pipe_prefix(enum ws_pipe_framing f, int opcode, size_t len,
    uint8_t out[WS_PIPE_LEN32_HEADER]);
/* What goes after it ('\n' or NUL); returns its length, 0 or 1. */
size_t ws_pipe_suffix(enum ws_pipe_framing f, uint8_t out[1]);

#endif
