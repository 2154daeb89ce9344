/* SPDX-License-Identifier: ISC */
/*
 * Throughput of the protocol core's per-byte work: unmasking and UTF-8
 * validation of a 1 MiB payload, in MB/s (median of rounds). A table for
 * docs/benchmarks.md; it asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws.h"

#define SIZE (1 << 20)
#define ROUNDS 7

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Fills p with copies of unit, then ASCII up to n. */
static void
fill(uint8_t *p, size_t n, const char *unit)
{
	size_t u = strlen(unit), i = 0;

	for (; i + u <= n; i += u)
		memcpy(p + i, unit, u);
	memset(p + i, 'a', n - i);
}

static double
run(uint8_t *p, int what)
{
	static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	double t[ROUNDS], t0;
	int r, k, reps = 50;
	volatile size_t sink = 0;

	for (r = 0; r < ROUNDS; r++) {
		t0 = now_s();
		for (k = 0; k < reps; k++) {
			if (what)
				sink += (size_t)ws_utf8_valid(p, SIZE);
			else
				ws_mask(p, SIZE, key, (uint64_t)k);
		}
		t[r] = (double)SIZE * reps / (now_s() - t0) / 1e6;
	}
	(void)sink;
	qsort(t, ROUNDS, sizeof(t[0]), cmp);
	return t[ROUNDS / 2];
}

int
main(void)
{
	static const struct {
		const char *name, *unit;
	} texts[] = {
		{ "UTF-8 ASCII", "a" },
		{ "UTF-8 2-byte (\\u00e9)", "\xc3\xa9" },
		{ "UTF-8 3-byte (\\u20ac)", "\xe2\x82\xac" },
		{ "UTF-8 4-byte (U+1D11E)", "\xf0\x9d\x84\x9e" },
		{ "UTF-8 mixed text", "caf\xc3\xa9 \xe2\x82\xac 5 " },
	};
	uint8_t *p = malloc(SIZE + 1);
	size_t i;

	if (p == NULL)
		return 1;
	printf("| 1 MiB payload | MB/s |\n|---|---|\n");
	memset(p, 'x', SIZE);
	printf("| unmask | %.0f |\n", run(p + 1, 0));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		fill(p, SIZE, texts[i].unit);
		printf("| %s | %.0f |\n", texts[i].name, run(p, 1));
	}
	free(p);
	return 0;
}
