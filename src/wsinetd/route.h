/* SPDX-License-Identifier: ISC */
/*
 * --dir: the request path picks an executable file under a directory,
 * as websocketd's --dir does; --static: a file to send. Segments are
 * walked one at a time from a descriptor of the directory, never through
 * a symbolic link.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <sys/stat.h>

#include <limits.h>
#include <stddef.h>

#include "ws.h"

/* Longest path segment (a file name on Linux). */
#define ROUTE_SEGMENT_MAX 256

struct route {
	char program[PATH_MAX]; /* DIR/seg/seg: what to execute */
	char script_name[PATH_MAX]; /* "/seg/seg", decoded */
	char path_info[PATH_MAX]; /* the rest, decoded; may be "" */
	const char *reason; /* on failure: why, for the log */
};

/* Opens DIR for routing (O_PATH, close-on-exec). Returns the fd, or -1
 * with errno set. */
int route_open(const char *dir);
/* Finds the program for path (the request target without its query)
 * under dirfd, which route_open made from dir. Returns 0, or -1 with
 * rt->reason set when the path is refused or names no executable
 * regular file: the answer is 404 either way. */
int route_find(int dirfd, const char *dir, struct ws_str path,
    struct route *rt);
/* What route_file returns for a directory named without its trailing
 * '/' (the answer is a redirect to the name with one). */
#define ROUTE_SLASHLESS (-2)

/* --static: opens the regular file path names under dirfd for reading,
 * each segment checked and looked up as route_find does; a directory
 * gives its file named index (and *indexed set). Returns the fd
 * (close-on-exec) with *st its status, ROUTE_SLASHLESS, or -1 with
 * *reason set (the answer is 404). */
int route_file(int dirfd, struct ws_str path, const char *index,
    struct stat *st, int *indexed, const char **reason);

#endif
