/* SPDX-License-Identifier: ISC */
/*
 * Strict parsing of option values: no silent wrap-around, no trailing
 * junk, units spelled out in the man pages.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "opt.h"

int
opt_bytes(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end != '\0' || v == 0 || v > (max >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int
opt_seconds(const char *s, int *ms)
{
	double v;
	char *end;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < 0 || v > 86400)
		return -1;
	*ms = (int)(v * 1000 + 0.5);
	if (v > 0 && *ms == 0)
		*ms = 1;
	return 0;
}

int
opt_count(const char *s, long max, long *out)
{
	long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}
