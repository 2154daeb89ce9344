/* SPDX-License-Identifier: ISC */
/* Option value parsing shared by both programs: sizes and durations. */
#ifndef OPT_H
#define OPT_H

#include <stdint.h>

/* "1048576", "64k", "1M", "2g" (binary units). Returns -1 when invalid,
 * zero, or above max. */
int opt_bytes(const char *s, uint64_t max, uint64_t *out);
/* Seconds, decimals allowed ("0.5"), 0 allowed, at most a day; stored as
 * milliseconds. Returns -1 when invalid. */
int opt_seconds(const char *s, int *ms);
/* A whole number from 0 to max. Returns -1 when invalid. */
int opt_count(const char *s, long max, long *out);

#endif
