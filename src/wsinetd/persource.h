/* SPDX-License-Identifier: ISC */
/*
 * --max-per-source: live connections by client address, in one table the
 * listener and its children share (one slot per connection the listener
 * may have, so its memory is fixed by --max-connections).
 */
#ifndef PERSOURCE_H
#define PERSOURCE_H

#include <sys/types.h>

#include "ws.h"

struct persource;

/* A table of slots entries, shared with the children forked after it;
 * NULL when out of memory. */
struct persource *persource_new(unsigned slots);
/* The key an address is counted by: IPv4 (or IPv4-mapped) per address,
 * IPv6 per /64, the least a single host or site is handed. */
void persource_key(const struct ws_addr *a, struct ws_addr *key);
/* Listener: live connections counted under key. */
unsigned persource_count(const struct persource *t, const struct ws_addr *key);
/* Listener, before fork: a free slot (one exists while fewer than slots
 * connections live), marked for key, or pending (key NULL) when the
 * child learns its address itself. Returns its index. */
int persource_take(struct persource *t, const struct ws_addr *key);
/* Listener, after fork: whose slot it is; -1 frees it (fork failed). */
void persource_own(struct persource *t, int slot, pid_t pid);
/* Listener: the reaped child's slot is free again. */
void persource_free(struct persource *t, pid_t pid);
/* Child, with a pending slot: counts itself under key; returns 1 when
 * that makes more than max, and then leaves its slot pending (not
 * counted). Two children claiming the last place at the same instant
 * may both be refused; never are both admitted past max. */
int persource_claim(struct persource *t, int slot, const struct ws_addr *key,
    unsigned max);

#endif
