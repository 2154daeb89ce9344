/* SPDX-License-Identifier: ISC */
/*
 * The per-source table lives in shared memory so that a child, once the
 * PROXY header told it who the client is, counts itself in the same
 * table the listener counts at accept: the listener never waits for a
 * client's header (a slow one would stall every other accept), and the
 * child's claim needs no system call, so the jail is unchanged. Lookups
 * scan the table: --max-connections entries, 256 by default.
 */
#include <sys/mman.h>

#include <stdatomic.h>
#include <string.h>

#include "persource.h"

enum { SLOT_FREE, SLOT_PENDING, SLOT_COUNTED };

struct slot {
	_Atomic int state;
	pid_t pid;
	struct ws_addr key;
};

struct persource {
	unsigned n;
	struct slot s[];
};

struct persource *
persource_new(unsigned slots)
{
	size_t size = sizeof(struct persource) + slots * sizeof(struct slot);
	struct persource *t = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (t == MAP_FAILED)
		return NULL;
	t->n = slots; /* the rest is zero: every slot free */
	return t;
}

void
persource_key(const struct ws_addr *a, struct ws_addr *key)
{
	*key = *a;
	ws_addr_unmap(key);
	if (key->family == 6)
		memset(key->a + 8, 0, 8);
}

static int
same(const struct ws_addr *a, const struct ws_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, 16) == 0;
}

unsigned
persource_count(const struct persource *t, const struct ws_addr *key)
{
	unsigned i, n = 0;

	for (i = 0; i < t->n; i++)
		if (atomic_load(&t->s[i].state) == SLOT_COUNTED &&
		    same(&t->s[i].key, key))
			n++;
	return n;
}

int
persource_take(struct persource *t, const struct ws_addr *key)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (atomic_load(&t->s[i].state) == SLOT_FREE)
			break;
	if (i == t->n)
		return -1;
	t->s[i].pid = 0;
	if (key != NULL)
		t->s[i].key = *key;
	atomic_store(&t->s[i].state, key != NULL ? SLOT_COUNTED : SLOT_PENDING);
	return (int)i;
}

void
persource_own(struct persource *t, int slot, pid_t pid)
{
	if (slot < 0)
		return;
	if (pid == -1)
		atomic_store(&t->s[slot].state, SLOT_FREE);
	else
		t->s[slot].pid = pid;
}

void
persource_free(struct persource *t, pid_t pid)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->s[i].pid == pid &&
		    atomic_load(&t->s[i].state) != SLOT_FREE) {
			t->s[i].pid = 0;
			atomic_store(&t->s[i].state, SLOT_FREE);
			return;
		}
}

/* Published before counting (sequentially consistent), so of two
 * children racing for the last place each sees the other. */
int
persource_claim(struct persource *t, int slot, const struct ws_addr *key,
    unsigned max)
{
	struct slot *s = &t->s[slot];

	s->key = *key;
	atomic_store(&s->state, SLOT_COUNTED);
	if (persource_count(t, key) <= max)
		return 0;
	atomic_store(&s->state, SLOT_PENDING);
	return 1;
}
