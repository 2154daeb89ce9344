/* SPDX-License-Identifier: ISC */
/*
 * The self-jail: what a wsinetd process gives up before it talks to a
 * peer (no new privileges, no core, rlimits, Landlock, a seccomp-bpf
 * allowlist). OS glue only; which mode applies where is the caller's.
 */
#ifndef JAIL_H
#define JAIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum jail_mode {
	/* hello and echo: I/O on fds already open, poll, clocks, memory,
	 * the log and exit; nothing else. */
	JAIL_SERVICE,
	/* The bridge's engine once its program runs: the service's calls
	 * plus waiting for the program and signalling its process group. */
	JAIL_BRIDGE,
	/* The Accept=no listener (hello and echo only): accept and fork,
	 * and what a child does before it jails itself as JAIL_SERVICE. */
	JAIL_LISTENER,
};

struct jail {
	enum jail_mode mode;
	uint64_t max_message; /* bounds the address space */
	pid_t program; /* JAIL_BRIDGE: the program, leader of its group */
	/* JAIL_SERVICE: a directory whose files may be read (--static), as
	 * an O_PATH fd, or -1 for none. */
	int read_dirfd;
	/* The PROXY header is peeked at (--proxy-protocol): recvfrom. */
	int peek;
};

/* Applies the jail to the calling process for good. Returns 0, or -1
 * with the reason in err: the caller refuses to serve. Landlock missing
 * from the kernel is not a failure (logged at debug). */
int jail_enter(const struct jail *j, char *err, size_t errcap);

#endif
