/* SPDX-License-Identifier: ISC */
/*
 * Bridge mode (wsinetd -- PROGRAM): runs the program once the handshake
 * has succeeded and moves messages between the connection and its pipes,
 * with backpressure both ways; then ends it (EOF, SIGTERM, SIGKILL to its
 * process group) and reaps it.
 */
#ifndef BRIDGE_H
#define BRIDGE_H

#include <sys/types.h>

#include <stdint.h>

#include "engine.h"
#include "pipeframe.h"

struct bridge_opts {
	enum ws_pipe_framing framing;
	int kill_ms; /* after EOF on stdin, then after SIGTERM */
	/* Largest message the program may write; 0: the connection's
	 * max_message. */
	uint64_t max_line;
	char *const *argv; /* the program and its arguments */
	const char *peer; /* who is connected, for log lines */
	/* The program's environment for this connection, one malloc'd
	 * block that the bridge frees once the program started; NULL with
	 * *why set when it cannot be made. */
	char **(*environ)(struct conn *c, const char **why);
	/* Jail the engine (jail.h, JAIL_BRIDGE) once the program runs. */
	int sandbox;
};

struct bridge {
	struct bridge_opts o;
	pid_t pid; /* 0: not started */
	int in_fd, out_fd, err_fd; /* the program's stdin, stdout, stderr */
	struct conn_buf to_prog; /* messages waiting for the program */
	struct conn_buf from_prog; /* its output, not yet a whole message */
	struct ws_pipe_reader rd;
	char err_line[512]; /* its stderr, one line at a time */
	size_t err_len;
	int err_skip; /* the rest of an overlong stderr line is dropped */
	int out_dry; /* stdout read empty or at EOF since the exit */
	int exited, wstatus, ended, bad_output; /* exited alone, pid 0:
						  * it could not be run */
	int peer_closed; /* the client's close came: EOF once to_prog is out */
	long long eof_ms; /* when that EOF was given, else 0 */
	int slot[CONN_AUX_MAX]; /* which fd each polled entry is */
};

/* Before any connection (a listener's, before it forks): what each
 * spawn would otherwise learn again. */
void bridge_prepare(void);
/* Prepares the bridge (SIGCHLD notification); -1 on failure. */
int bridge_init(struct bridge *b, const struct bridge_opts *o);
/* The connection handler; its ctx must be the bridge. */
extern const struct conn_handler bridge_handler;
/* After conn_run: closes the program's stdin, waits kill_ms, sends
 * SIGTERM, waits kill_ms, sends SIGKILL (each to the process group),
 * reaps it, and SIGKILLs whatever its group left behind. */
void bridge_finish(struct bridge *b, struct conn *c);
/* "exit 3", "signal 9" or "not started", for the summary line. */
void bridge_describe(const struct bridge *b, char *out, size_t cap);
void bridge_free(struct bridge *b);

#endif
