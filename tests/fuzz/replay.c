/* SPDX-License-Identifier: ISC */
/*
 * Replays inputs through a fuzz target without libFuzzer, so that the
 * corpus and the kept crashers run in make check under any compiler.
 * Arguments are files or directories (their regular files, sorted);
 * speaks TAP: one test per input. A crash aborts, which prove reports.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int ran;

static int
replay_file(const char *path)
{
	uint8_t *data = NULL, *exact;
	size_t len = 0, cap = 0, n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			CHECK((data = realloc(data, cap)) != NULL);
		}
		if ((n = fread(data + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	/* An exact-size copy, as libFuzzer gives, so overreads show. */
	CHECK((exact = malloc(len ? len : 1)) != NULL);
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	printf("ok %d - %s\n", ++ran, path);
	fflush(stdout);
	return 0;
}

static int
replay_one(const char *path)
{
	if (replay_file(path) == 0)
		return 0;
	printf("not ok %d - %s cannot be read\n", ++ran, path);
	return -1;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0, i;
	int failed = 0;
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return replay_one(dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		CHECK(
		    (names = realloc(names, (n + 1) * sizeof(*names))) != NULL);
		CHECK((names[n++] = strdup(e->d_name)) != NULL);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (replay_one(path) == -1)
			failed = -1;
		free(names[i]);
	}
	free(names);
	return failed;
}

int
main(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 1; i < argc; i++)
		if (replay_dir(argv[i]) == -1)
			failed = 1;
	if (ran == 0)
		printf("not ok 1 - no inputs to replay\n"), ran = 1, failed = 1;
	printf("1..%d\n", ran);
	return failed;
}
