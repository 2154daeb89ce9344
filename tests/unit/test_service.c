/* SPDX-License-Identifier: ISC */
/*
 * The built-in services: what hello and echo send on open and in answer
 * to each kind of message.
 */
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	enum ws_service service;
	int open; /* 1: on open, 0: answer to a message of opcode in */
	int in;
	int opcode; /* what is sent; 0: nothing */
	const char *prefix;
	int with_payload;
} replies[] = {
	{ "hello on open", WS_SERVICE_HELLO, 1, 0, WS_OP_TEXT,
	    "Welcome to the WebSocket server!", 0 },
	{ "hello answers text", WS_SERVICE_HELLO, 0, WS_OP_TEXT, WS_OP_TEXT,
	    "You said: ", 1 },
	{ "hello echoes binary bare", WS_SERVICE_HELLO, 0, WS_OP_BINARY,
	    WS_OP_BINARY, "", 1 },
	{ "hello ignores a ping", WS_SERVICE_HELLO, 0, WS_OP_PING, 0, "", 0 },
	{ "hello ignores a close", WS_SERVICE_HELLO, 0, WS_OP_CLOSE, 0, "", 0 },
	{ "hello ignores a continuation", WS_SERVICE_HELLO, 0, WS_OP_CONT, 0,
	    "", 0 },
	{ "echo on open", WS_SERVICE_ECHO, 1, 0, 0, "", 0 },
	{ "echo answers text", WS_SERVICE_ECHO, 0, WS_OP_TEXT, WS_OP_TEXT, "",
	    1 },
	{ "echo answers binary", WS_SERVICE_ECHO, 0, WS_OP_BINARY, WS_OP_BINARY,
	    "", 1 },
	{ "echo ignores a pong", WS_SERVICE_ECHO, 0, WS_OP_PONG, 0, "", 0 },
	{ "echo ignores opcode 3", WS_SERVICE_ECHO, 0, 3, 0, "", 0 },
};

int
main(void)
{
	struct ws_reply r;
	size_t i, n;

	for (i = 0; i < NELEM(replies); i++) {
		memset(&r, 0xa5, sizeof(r));
		if (replies[i].open)
			ws_service_open(replies[i].service, &r);
		else
			ws_service_message(replies[i].service, replies[i].in,
			    &r);
		n = strlen(replies[i].prefix);
		is_int(r.opcode, replies[i].opcode, "%s: opcode",
		    replies[i].name);
		ok(r.prefix != NULL, "%s: prefix never NULL", replies[i].name);
		if (r.prefix != NULL)
			is_mem(r.prefix, r.prefix_len, replies[i].prefix, n,
			    "%s: prefix", replies[i].name);
		is_int(r.with_payload, replies[i].with_payload,
		    "%s: with payload", replies[i].name);
	}
	return done_testing();
}
