/* SPDX-License-Identifier: ISC */
/*
 * Latency histogram with log-linear buckets: exact below 16, then 16
 * buckets per power of two, so any value is kept within 1/16 (6%) of
 * itself in fixed memory, whatever the range.
 */
#ifndef HIST_H
#define HIST_H

#include <stdint.h>

#define HIST_SUB 16
#define HIST_BUCKETS (61 * HIST_SUB)

struct hist {
	uint64_t n[HIST_BUCKETS];
	uint64_t count, max;
};

void hist_add(struct hist *h, uint64_t v);
/* The value below which a fraction p (0 to 1) of the samples fall, to
 * the bucket's resolution; the exact maximum for p = 1; 0 when empty. */
uint64_t hist_percentile(const struct hist *h, double p);

#endif
