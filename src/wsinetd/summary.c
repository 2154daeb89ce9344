/* SPDX-License-Identifier: ISC */
/*
 * wsinetd's one log event per connection: who, how it ended, how long,
 * how much; a line, and the same as fields when the journal takes them.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "exits.h"
#include "log.h"
#include "summary.h"
#include "tls.h"

static int
priority_of(int status)
{
	switch (status) {
	case EXIT_OK:
		return LOG_INFO;
	case EXIT_HANDSHAKE:
		return LOG_NOTICE;
	case EXIT_SYSTEM:
		return LOG_ERR;
	default:
		return LOG_WARNING;
	}
}

/* A word for the journal's WS_OUTCOME, one per exit status. */
static const char *
outcome_of(int status)
{
	switch (status) {
	case EXIT_OK:
		return "closed";
	case EXIT_HANDSHAKE:
		return "refused";
	case EXIT_PROTOCOL:
		return "protocol-error";
	case EXIT_TIMEOUT:
		return "timeout";
	case EXIT_LOST:
		return "lost";
	case EXIT_TLS:
		return "tls-error";
	default:
		return "error";
	}
}

#define MAX_SUMMARY_FIELDS 13
#define FIELD_MAX (WS_MAX_CONTROL * 4 + 40)

/* "a.b.c.d:port" or "[v6]:port" into the address and the port. */
static void
split_peer(const char *peer, char *addr, size_t cap, const char **port)
{
	const char *colon = strrchr(peer, ':');
	size_t n;

	*port = "";
	snprintf(addr, cap, "%s", peer);
	if (colon == NULL)
		return;
	*port = colon + 1;
	n = (size_t)(colon - peer);
	if (peer[0] == '[' && n >= 2)
		snprintf(addr, cap, "%.*s", (int)(n - 2), peer + 1);
	else
		snprintf(addr, cap, "%.*s", (int)n, peer);
	/* An IPv4 client of an IPv6 socket, as systemd's own REMOTE_ADDR
	 * shows it: journalctl REMOTE_ADDR=a.b.c.d then finds it either way. */
	if (strncmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, ':') == NULL)
		memmove(addr, addr + 7, strlen(addr + 7) + 1);
}

/* The journal's fields of the event into f, pointed to by fields;
 * returns how many. */
static size_t
summary_fields(const struct conn *c, int status, const char *peer, long long ms,
    const char *reason, char (*f)[FIELD_MAX], const char **fields)
{
	const char *port, *proto, *cipher;
	char addr[80];
	int resumed;
	size_t n = 0, i;

	split_peer(peer, addr, sizeof(addr), &port);
	snprintf(f[n++], sizeof(f[0]), "REMOTE_ADDR=%s", addr);
	snprintf(f[n++], sizeof(f[0]), "REMOTE_PORT=%s", port);
	snprintf(f[n++], sizeof(f[0]), "WS_OUTCOME=%s", outcome_of(status));
	snprintf(f[n++], sizeof(f[0]), "WS_EXIT_STATUS=%d", status);
	snprintf(f[n++], sizeof(f[0]), "WS_DURATION_MS=%lld", ms);
	snprintf(f[n++], sizeof(f[0]), "WS_BYTES_IN=%llu",
	    (unsigned long long)c->bytes_in);
	snprintf(f[n++], sizeof(f[0]), "WS_BYTES_OUT=%llu",
	    (unsigned long long)c->bytes_out);
	if (c->protocol.n > 0)
		snprintf(f[n++], sizeof(f[0]), "WS_PROTOCOL=%.*s",
		    (int)c->protocol.n, c->protocol.p);
	if (c->got_close) {
		snprintf(f[n++], sizeof(f[0]), "WS_CLOSE_CODE=%u",
		    c->peer_code);
		snprintf(f[n++], sizeof(f[0]), "WS_CLOSE_REASON=%s", reason);
	}
	if (c->tls != NULL &&
	    tls_describe(c->tls, &proto, &cipher, &resumed) == 0) {
		snprintf(f[n++], sizeof(f[0]), "WS_TLS_PROTOCOL=%s", proto);
		snprintf(f[n++], sizeof(f[0]), "WS_TLS_CIPHER=%s", cipher);
		snprintf(f[n++], sizeof(f[0]), "WS_TLS_RESUMED=%d", resumed);
	}
	for (i = 0; i < n; i++)
		fields[i] = f[i];
	return n;
}

void
summary_log(const struct conn *c, int status, const char *peer,
    const char *program)
{
	char reason[WS_MAX_CONTROL * 4 + 4], code[WS_MAX_CONTROL * 4 + 40];
	char f[MAX_SUMMARY_FIELDS][FIELD_MAX];
	const char *fields[MAX_SUMMARY_FIELDS], *proto, *cipher;
	char tls[64] = "";
	int resumed, prio = priority_of(status);
	long long ms = clock_ms() - c->start_ms;
	size_t n = 0;

	if (!log_wants(prio))
		return;
	code[0] = reason[0] = '\0';
	if (c->got_close) {
		log_clean(reason, sizeof(reason), c->peer_reason,
		    strlen(c->peer_reason));
		snprintf(code, sizeof(code), " (peer sent %u \"%s\")",
		    c->peer_code, reason);
	}
	if (c->tls != NULL &&
	    tls_describe(c->tls, &proto, &cipher, &resumed) == 0)
		snprintf(tls, sizeof(tls), ", %s %s", proto,
		    resumed ? "resumed" : "full handshake");
	/* A dozen snprintf calls, a third of what a hello session costs,
	 * for fields that only the journal takes. */
	if (log_takes_fields())
		n = summary_fields(c, status, peer, ms, reason, f, fields);
	log_fields(prio, fields, n,
	    "%s %s%s, %lld.%03lld s, in %llu B, out %llu B%s%s%s", peer,
	    c->why[0] ? c->why : "closed", code, ms / 1000, ms % 1000,
	    (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out,
	    tls, program[0] ? ", program " : "", program);
}
