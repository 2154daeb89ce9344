/* SPDX-License-Identifier: ISC */
/*
 * Sec-WebSocket-Accept (RFC 6455 section 4.2.2): base64 of the SHA-1 of
 * the client's key followed by the protocol's GUID.
 */

/*
 * OpenSSL 3 deprecates the low-level SHA1_* calls, but EVP and SHA1()
 * initialise the provider machinery on first use, about 1 ms per process,
 * and each connection is a new process. The low-level calls skip that, so
 * ask for the 1.1.1 API to keep them visible without warnings.
 */
#define OPENSSL_API_COMPAT 0x10100000L
#include <openssl/sha.h>

#include "ws.h"

static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void
ws_accept_key(const char *key, size_t keylen, char out[WS_ACCEPT_LEN + 1])
{
	SHA_CTX ctx;
	uint8_t md[SHA_DIGEST_LENGTH];
	size_t n;

	SHA1_Init(&ctx);
	SHA1_Update(&ctx, key, keylen);
	SHA1_Update(&ctx, guid, sizeof(guid) - 1);
	SHA1_Final(md, &ctx);
	n = ws_base64_encode(md, sizeof(md), out);
	out[n] = '\0';
}
