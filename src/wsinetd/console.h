/* SPDX-License-Identifier: ISC */
/*
 * --console: the browser console page (contrib/www), built into the
 * binary by scripts/embed at build time; static.c serves it.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stddef.h>

struct console_file {
	const char *path; /* "/index.html" */
	const char *data;
	size_t len;
	const char *etag; /* of the contents, quoted */
};

extern const struct console_file console_files[];
extern const unsigned console_nfiles;

#endif
