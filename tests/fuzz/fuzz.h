/* SPDX-License-Identifier: ISC */
/*
 * What the fuzz targets share: the libFuzzer entry point's prototype, a
 * check that aborts (so libFuzzer and the replay runner both see it) and
 * a tiny generator that turns input bytes into split points.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the core; a failure is a finding, so abort loudly. */
#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
			    __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* Piece sizes from a seed taken from the input: the same input always
 * splits the same way, so a crash replays. */
struct splitter {
	uint32_t state;
	size_t max; /* largest piece */
};

static inline size_t
split_next(struct splitter *s)
{
	/* xorshift32: enough to spread pieces of 1..max bytes */
	s->state ^= s->state << 13;
	s->state ^= s->state >> 17;
	s->state ^= s->state << 5;
	return 1 + s->state % s->max;
}

static inline void
split_init(struct splitter *s, uint8_t a, uint8_t b)
{
	s->state = 0x9e3779b9u ^ ((uint32_t)a << 8 | b);
	/* Mostly tiny pieces (where split bugs live), sometimes larger. */
	s->max = (a & 0x80) ? 64 : 1 + (b & 7);
}

#endif
