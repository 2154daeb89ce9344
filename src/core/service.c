/* SPDX-License-Identifier: ISC */
/*
 * The built-in services as pure functions: hello (the reference exchange
 * in DESIGN.md) and echo. They say what to send; the engine sends it.
 */
#include <stddef.h>

#include "ws.h"

static const char welcome[] = "Welcome to the WebSocket server!";
static const char you_said[] = "You said: ";

static void
reply(struct ws_reply *r, int opcode, const char *prefix, size_t prefix_len,
    int with_payload)
{
	r->opcode = opcode;
	r->prefix = prefix;
	r->prefix_len = prefix_len;
	r->with_payload = with_payload;
}

void
ws_service_open(enum ws_service s, struct ws_reply *r)
{
	if (s == WS_SERVICE_HELLO)
		reply(r, WS_OP_TEXT, welcome, sizeof(welcome) - 1, 0);
	else
		reply(r, 0, "", 0, 0);
}

void
ws_service_message(enum ws_service s, int opcode, struct ws_reply *r)
{
	/* Only whole data messages get an answer; control frames are the
	 * engine's business. */
	if (opcode != WS_OP_TEXT && opcode != WS_OP_BINARY)
		reply(r, 0, "", 0, 0);
	else if (s == WS_SERVICE_HELLO && opcode == WS_OP_TEXT)
		reply(r, WS_OP_TEXT, you_said, sizeof(you_said) - 1, 1);
	else
		reply(r, opcode, "", 0, 1);
}
