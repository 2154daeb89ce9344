/* SPDX-License-Identifier: ISC */
/*
 * permessage-deflate negotiation: the input is a Sec-WebSocket-Extensions
 * value, offered to a server (with a window from its first byte) and
 * taken as a server's answer by a client. An answer chosen never exceeds
 * our window nor the offer's, names client_max_window_bits only when it
 * was offered, and is accepted by the client as formatted; an answer the
 * client accepts formats to itself.
 */
#include <string.h>

#include "fuzz.h"
#include "ws.h"

static int
offers_client_bits(struct ws_str value)
{
	struct ws_str list = value, elem;
	struct ws_pmd o;
	const char *why;

	while (ws_ext_next(&list, &elem))
		if (ws_pmd_parse(elem, &o, &why) == 1)
			return o.client_max_window_bits != 0;
	return 0;
}

static void
check_server(struct ws_str value, unsigned window)
{
	struct ws_request r;
	struct ws_pmd a, back;
	char out[WS_PMD_FORMAT_MAX];
	const char *why = NULL;
	int client_bits = offers_client_bits(value);

	memset(&r, 0, sizeof(r));
	r.headers[0] =
	    (struct ws_header){ { "Sec-WebSocket-Extensions", 24 }, value };
	r.nheaders = 1;
	if (!ws_pmd_choose(&r, window, &a, &why))
		return;
	CHECK(a.server_max_window_bits == 0 ||
	    (a.server_max_window_bits >= WS_PMD_BITS_MIN &&
		a.server_max_window_bits <= window));
	CHECK(a.client_max_window_bits == 0 ||
	    (a.client_max_window_bits >= WS_PMD_BITS_MIN &&
		a.client_max_window_bits <= window));
	CHECK(client_bits || a.client_max_window_bits == 0);
	CHECK(ws_pmd_format(&a, out, sizeof(out)) > 0);
	CHECK(ws_pmd_answer((struct ws_str){ out, strlen(out) }, client_bits,
		  &back, &why) == 0);
	CHECK(memcmp(&a, &back, sizeof(a)) == 0);
}

static void
check_client(struct ws_str value)
{
	struct ws_pmd a, back;
	char out[WS_PMD_FORMAT_MAX];
	const char *why = NULL;

	if (ws_pmd_answer(value, 1, &a, &why) != 0) {
		CHECK(why != NULL);
		return;
	}
	CHECK(a.client_max_window_bits != WS_PMD_BITS_ANY);
	CHECK(ws_pmd_format(&a, out, sizeof(out)) > 0);
	CHECK(ws_pmd_answer((struct ws_str){ out, strlen(out) }, 1, &back,
		  &why) == 0);
	CHECK(memcmp(&a, &back, sizeof(a)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_str value;
	char *s;

	if (size == 0)
		return 0;
	/* An exact-size copy, so that a read past the value is caught. */
	CHECK((s = malloc(size - 1 ? size - 1 : 1)) != NULL);
	memcpy(s, data + 1, size - 1);
	value = (struct ws_str){ s, size - 1 };
	check_server(value, WS_PMD_BITS_MIN + data[0] % 8);
	check_client(value);
	free(s);
	return 0;
}
