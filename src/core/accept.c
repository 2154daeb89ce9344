/* SPDX-License-Identifier: ISC */
/*
 * Sec-WebSocket-Accept (RFC 6455 section 4.2.2): base64 of the SHA-1 of
 * the client's key followed by the protocol's GUID.
 */
#include "ws.h"

static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void
ws_accept_key(const char *key, size_t keylen, char out[WS_ACCEPT_LEN + 1])
{
	struct ws_sha1 s;
	uint8_t md[WS_SHA1_LEN];
	size_t n;

	ws_sha1_init(&s);
	ws_sha1_update(&s, key, keylen);
	ws_sha1_update(&s, guid, sizeof(guid) - 1);
	ws_sha1_final(&s, md);
	n = ws_base64_encode(md, sizeof(md), out);
	out[n] = '\0';
}
