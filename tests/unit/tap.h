/* SPDX-License-Identifier: ISC */
/*
 * A tiny TAP producer for the unit tests: ok(), is_int(), is_mem() and
 * done_testing(). Output goes to stdout for prove; failures add a
 * diagnostic line on stdout prefixed with '#'.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

static int __attribute__((format(printf, 2, 0)))
tap_report(int pass, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	printf("\n");
	return pass;
}

static int __attribute__((format(printf, 2, 3), unused))
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = tap_report(pass, fmt, ap);
	va_end(ap);
	return pass;
}

static int __attribute__((format(printf, 3, 4), unused))
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;

	va_start(ap, fmt);
	tap_report(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got %lld, want %lld\n", got, want);
	return pass;
}

static int __attribute__((format(printf, 5, 6), unused)) is_mem(const void *got,
    size_t gotn, const void *want, size_t wantn, const char *fmt, ...)
{
	va_list ap;
	int pass = gotn == wantn && memcmp(got, want, gotn) == 0;

	va_start(ap, fmt);
	tap_report(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got %zu bytes \"%.*s\", want %zu bytes \"%.*s\"\n",
		    gotn, (int)(gotn > 200 ? 200 : gotn), (const char *)got,
		    wantn, (int)(wantn > 200 ? 200 : wantn),
		    (const char *)want);
	return pass;
}

static int __attribute__((unused)) done_testing(void)
{
	printf("1..%d\n", tap_run);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_run);
	return tap_failed != 0;
}

#endif
