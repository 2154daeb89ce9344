/* SPDX-License-Identifier: ISC */
/* Log-linear latency histogram; see hist.h. */
#include "hist.h"

static unsigned
bucket(uint64_t v)
{
	unsigned e;

	if (v < HIST_SUB)
		return (unsigned)v;
	e = 63 - (unsigned)__builtin_clzll(v); /* 4 and up */
	return (e - 3) * HIST_SUB + (unsigned)((v >> (e - 4)) & (HIST_SUB - 1));
}

/* The middle of a bucket, the value reported for its samples. */
static uint64_t
bucket_value(unsigned i)
{
	unsigned e, sub;
	uint64_t low, width;

	if (i < HIST_SUB)
		return i;
	e = i / HIST_SUB + 3;
	sub = i % HIST_SUB;
	low = (uint64_t)(HIST_SUB | sub) << (e - 4);
	width = (uint64_t)1 << (e - 4);
	return low + width / 2;
}

void
hist_add(struct hist *h, uint64_t v)
{
	unsigned i = bucket(v);

	if (i >= HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	h->n[i]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (h->count == 0)
		return 0;
	if (p >= 1.0)
		return h->max;
	rank = (uint64_t)(p * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->n[i];
		if (seen >= rank)
			break;
	}
	v = bucket_value(i < HIST_BUCKETS ? i : HIST_BUCKETS - 1);
	return v < h->max ? v : h->max;
}
