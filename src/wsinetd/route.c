/* SPDX-License-Identifier: ISC */
/*
 * --dir routing and --static lookup. Each path segment is checked
 * (cgienv_segment_next: no "", ".", "..", hidden names, backslashes,
 * encoded slashes or NULs) and then looked up with fstatat/openat
 * relative to a descriptor of the directory above it, never following a
 * symbolic link. So no request can reach outside DIR, whatever is in it,
 * and there is no path string to canonicalise: realpath plus a prefix
 * check would follow links and would race with renames between the
 * check and the walk.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgienv.h"
#include "route.h"

int
route_open(const char *dir)
{
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int
refuse(struct route *rt, const char *why)
{
	rt->reason = why;
	return -1;
}

/* Appends "/" and seg to out; -1 when it does not fit. */
static int
append(char *out, const char *seg)
{
	size_t n = strlen(out), m = strlen(seg);

	if (n + 1 + m + 1 > PATH_MAX)
		return -1;
	out[n] = '/';
	memcpy(out + n + 1, seg, m + 1);
	return 0;
}

/* What follows the program becomes PATH_INFO: checked like the rest of
 * the path (a trailing '/' allowed), then decoded. */
static int
path_info(struct ws_str rest, struct route *rt)
{
	struct ws_str check = rest;
	char seg[ROUTE_SEGMENT_MAX];
	int rc;

	if (check.n > 0 && check.p[check.n - 1] == '/')
		check.n--;
	while ((rc = cgienv_segment_next(&check, seg, sizeof(seg),
		    &rt->reason)) == 1)
		continue;
	if (rc == -1)
		return -1;
	if (cgienv_path_decode(rest.p, rest.n, rt->path_info,
		sizeof(rt->path_info)) < 0)
		return refuse(rt, "path too long");
	return 0;
}

/* One step down from *cur: 1 when seg is a regular file (*st its
 * status), 0 when it is a directory (*cur replaced by it), -1 when
 * neither or not found. Never follows a symbolic link. */
static int
lookup(int *cur, int top, const char *seg, struct stat *st, const char **reason)
{
	int next;

	if (fstatat(*cur, seg, st, AT_SYMLINK_NOFOLLOW) == -1) {
		*reason =
		    errno == ENOENT ? "no such file" : "cannot look it up";
		return -1;
	}
	if (S_ISREG(st->st_mode))
		return 1;
	*reason = S_ISLNK(st->st_mode) ? "symbolic links are not followed"
				       : "not a regular file or directory";
	if (!S_ISDIR(st->st_mode))
		return -1;
	next = openat(*cur, seg, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (next == -1) {
		*reason = "cannot open directory";
		return -1;
	}
	if (*cur != top)
		close(*cur);
	*cur = next;
	return 0;
}

/* One step of --dir: 1 when seg is the program, 0 when it is a
 * directory (*cur replaced by it), -1 when neither. */
static int
step(int *cur, int top, const char *seg, struct route *rt)
{
	struct stat st;
	int rc;

	if ((rc = lookup(cur, top, seg, &st, &rt->reason)) == -1) {
		if (strcmp(rt->reason, "no such file") == 0)
			rt->reason = "no such program";
		else if (strcmp(rt->reason, "cannot look it up") == 0)
			rt->reason = "cannot look up program";
		return -1;
	}
	if (rc == 1 &&
	    ((st.st_mode & 0111) == 0 ||
		faccessat(*cur, seg, X_OK, AT_EACCESS) == -1))
		return refuse(rt, "program is not executable");
	return rc;
}

/* The file a segment names at last: opened for reading, never through
 * a link (O_NOFOLLOW), never blocking on a FIFO put there meanwhile;
 * and it must still be a regular file once open. */
static int
open_file(int dir, const char *seg, struct stat *st, const char **reason)
{
	int fd;

	fd = openat(dir, seg, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		*reason = errno == ELOOP ? "symbolic links are not followed"
					 : "cannot open file";
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		*reason = "not a regular file";
		close(fd);
		return -1;
	}
	return fd;
}

int
route_file(int dirfd, struct ws_str path, const char *index, struct stat *st,
    int *indexed, const char **reason)
{
	char seg[ROUTE_SEGMENT_MAX];
	const char *name = seg;
	int cur = dirfd, rc, fd = -1, slash = 0;

	*indexed = 0;
	/* "/dir/" is "/dir", and "/" is DIR itself. */
	if (path.n > 0 && path.p[path.n - 1] == '/') {
		path.n--;
		slash = 1;
	}
	while (
	    (rc = cgienv_segment_next(&path, seg, sizeof(seg), reason)) == 1 &&
	    (rc = lookup(&cur, dirfd, seg, st, reason)) == 0)
		continue;
	if (rc == 1 && path.n > 0) {
		*reason = "a file is not a directory";
		rc = -1;
	}
	if (rc == 0 && !slash) { /* a directory, but not named as one */
		fd = ROUTE_SLASHLESS;
		rc = -1;
	}
	if (rc == 0) { /* a directory: its index */
		name = index;
		*indexed = 1;
		rc = lookup(&cur, dirfd, index, st, reason);
	}
	if (rc == 1)
		fd = open_file(cur, name, st, reason);
	else if (rc == 0)
		*reason = "index is a directory";
	if (cur != dirfd)
		close(cur);
	return fd;
}

int
route_find(int dirfd, const char *dir, struct ws_str path, struct route *rt)
{
	struct ws_str rest = path;
	char seg[ROUTE_SEGMENT_MAX];
	int cur = dirfd, rc = 0, found = 0;

	rt->reason = NULL;
	rt->script_name[0] = rt->path_info[0] = '\0';
	if (snprintf(rt->program, sizeof(rt->program), "%s", dir) >= PATH_MAX)
		return refuse(rt, "path too long");
	while (!found &&
	    (rc = cgienv_segment_next(&rest, seg, sizeof(seg), &rt->reason)) ==
		1) {
		if (append(rt->program, seg) == -1 ||
		    append(rt->script_name, seg) == -1) {
			rc = refuse(rt, "path too long");
			break;
		}
		if ((rc = step(&cur, dirfd, seg, rt)) == -1)
			break;
		found = rc;
	}
	if (cur != dirfd)
		close(cur);
	if (rc == -1)
		return -1;
	if (!found)
		return refuse(rt, "path names a directory, not a program");
	return path_info(rest, rt);
}
