/* SPDX-License-Identifier: ISC */
/*
 * Bridge mode: the program starts once the handshake has succeeded; its
 * stdout becomes messages, messages go to its stdin, its stderr goes to
 * the log. Each direction stops reading while the other side's buffer is
 * full, so memory stays bounded whatever either side does.
 */
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "clock.h"
#include "exits.h"
#include "jail.h"
#include "log.h"
#include "spawn.h"

/* The program's stdout is read in chunks of this size. */
#define OUT_CHUNK (64 * 1024)
/* Stop reading the peer while this much waits for the program's stdin. */
#define IN_HIGH (256 * 1024)

enum slot { SLOT_OUT, SLOT_IN, SLOT_ERR, SLOT_SIG };

static int sig_fd = -1;

void
bridge_prepare(void)
{
	spawn_learn_signals();
}

int
bridge_init(struct bridge *b, const struct bridge_opts *o)
{
	memset(b, 0, sizeof(*b));
	b->o = *o;
	b->in_fd = b->out_fd = b->err_fd = -1;
	if ((sig_fd = spawn_init()) == -1)
		return -1;
	return 0;
}

void
bridge_free(struct bridge *b)
{
	free(b->to_prog.p);
	free(b->from_prog.p);
	b->to_prog.p = b->from_prog.p = NULL;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The program is out of the engine's hands (it is the admin's to
 * confine), so the engine can give up all it no longer needs. */
static void
jail_engine(struct conn *c, struct bridge *b)
{
	struct jail j = { .mode = JAIL_BRIDGE,
		/* a line of the program's may be the larger message */
		.max_message =
		    c->o.max_message > b->rd.max ? c->o.max_message : b->rd.max,
		.program = b->pid,
		.read_dirfd = -1 };
	char err[160];

	if (!b->o.sandbox || jail_enter(&j, err, sizeof(err)) == 0)
		return;
	conn_end(c, EXIT_SYSTEM, "%s", err);
	conn_close(c, WS_CLOSE_INTERNAL_ERROR, "internal error");
}

static void program_ended(struct conn *c, struct bridge *b);

/* What a shell says of a program it cannot run: exit 127 when it is not
 * there, 126 when it is but cannot be executed; the log says why. */
static void
cannot_run(struct conn *c, struct bridge *b, int e)
{
	log_msg(LOG_NOTICE, "%s program: cannot run %s: %s", b->o.peer,
	    b->o.argv[0], strerror(e));
	b->exited = 1;
	b->wstatus = W_EXITCODE(e == EACCES || e == ENOEXEC ? 126 : 127, 0);
	program_ended(c, b);
}

static void
on_open(struct conn *c)
{
	struct bridge *b = c->ctx;
	const char *why = "";
	struct child ch;
	char **envp;
	int rc, e, exec_failed;

	ws_pipe_reader_init(&b->rd, b->o.framing,
	    b->o.max_line ? b->o.max_line : c->o.max_message);
	if ((envp = b->o.environ(c, &why)) == NULL) {
		conn_end(c, EXIT_SYSTEM, "cannot make the environment: %s",
		    why);
		conn_close(c, WS_CLOSE_INTERNAL_ERROR, "internal error");
		return;
	}
	rc = spawn_start(&ch, b->o.argv, envp, &exec_failed);
	e = errno;
	free(envp);
	if (rc == -1 && exec_failed) {
		cannot_run(c, b, e);
		return;
	}
	if (rc == -1) {
		conn_end(c, EXIT_SYSTEM, "cannot start the program: %s",
		    strerror(e));
		conn_close(c, WS_CLOSE_INTERNAL_ERROR, "internal error");
		return;
	}
	b->pid = ch.pid;
	b->in_fd = ch.in_fd;
	b->out_fd = ch.out_fd;
	b->err_fd = ch.err_fd;
	jail_engine(c, b);
}

/* One line of the program's stderr to our log, never to the peer. */
static void
log_err_line(struct bridge *b, int cut)
{
	char clean[sizeof(b->err_line) * 4 + 4];

	log_clean(clean, sizeof(clean), b->err_line, b->err_len);
	log_msg(LOG_NOTICE, "%s program: %s%s", b->o.peer, clean,
	    cut ? " [cut]" : "");
	b->err_len = 0;
}

static void
err_bytes(struct bridge *b, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (!b->err_skip)
				log_err_line(b, 0);
			b->err_skip = 0;
			b->err_len = 0;
		} else if (b->err_skip) {
			continue;
		} else if (b->err_len == sizeof(b->err_line)) {
			log_err_line(b, 1);
			b->err_skip = 1;
		} else {
			b->err_line[b->err_len++] = p[i];
		}
	}
}

static void
read_stderr(struct bridge *b)
{
	char buf[4096];
	ssize_t n;

	while (b->err_fd >= 0) {
		n = read(b->err_fd, buf, sizeof(buf));
		if (n > 0) {
			err_bytes(b, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (b->err_len && !b->err_skip)
			log_err_line(b, 0); /* a last line without '\n' */
		close_fd(&b->err_fd);
	}
}

/* The program wrote something that cannot become a message. */
static void
bad_output(struct conn *c, struct bridge *b)
{
	b->bad_output = 1;
	conn_end(c, EXIT_PROGRAM, "%s", b->rd.reason);
	conn_close(c, b->rd.code, b->rd.reason);
}

/* Sends every whole message in what the program wrote. */
static void
emit(struct conn *c, struct bridge *b, int at_eof)
{
	struct conn_buf *f = &b->from_prog;
	struct ws_pipe_msg m;
	long n;

	while (f->off < f->len || at_eof) {
		n = ws_pipe_next(&b->rd, f->p + f->off, f->len - f->off, at_eof,
		    &m);
		if (n == -1) {
			bad_output(c, b);
			return;
		}
		if (n == 0)
			break;
		f->off += (size_t)n;
		if (conn_send(c, m.opcode, NULL, 0, m.data, m.len) == -1)
			return;
	}
	if (f->off == f->len)
		f->off = f->len = 0;
}

/* Room to read into: never more than a message and its framing. */
static size_t
out_room(struct bridge *b)
{
	struct conn_buf *f = &b->from_prog;
	size_t limit = (size_t)b->rd.max + ws_pipe_slack(b->o.framing);
	size_t want, have = f->len - f->off;

	want = limit - have < OUT_CHUNK ? limit - have : OUT_CHUNK;
	if (want == 0)
		return 0;
	/* The start of a line already held need not double the buffer:
	 * read into what is left while that is a fair part of a chunk. */
	if (f->cap > f->len && f->cap - f->len >= want / 4)
		return f->cap - f->len < want ? f->cap - f->len : want;
	if (conn_buf_reserve(f, want) == -1)
		return 0;
	return want;
}

/* Reads the program's stdout while the peer keeps up. */
static void
read_stdout(struct conn *c, struct bridge *b)
{
	struct conn_buf *f = &b->from_prog;
	size_t room;
	ssize_t n;

	while (b->out_fd >= 0 && !b->bad_output && conn_may_send(c)) {
		if ((room = out_room(b)) == 0) {
			conn_end(c, EXIT_SYSTEM, "out of memory for output");
			conn_close(c, WS_CLOSE_INTERNAL_ERROR,
			    "internal error");
			return;
		}
		n = read(b->out_fd, f->p + f->len, room);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			b->out_dry = b->exited;
			return;
		}
		if (n <= 0) {
			close_fd(&b->out_fd);
			emit(c, b, 1);
			return;
		}
		f->len += (size_t)n;
		emit(c, b, 0);
	}
}

static void
write_stdin(struct conn *c, struct bridge *b)
{
	struct conn_buf *t = &b->to_prog;
	ssize_t n;

	while (b->in_fd >= 0 && t->off < t->len) {
		n = write(b->in_fd, t->p + t->off, t->len - t->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			/* The program closed its stdin: it reads no more. */
			close_fd(&b->in_fd);
			break;
		}
		t->off += (size_t)n;
	}
	if (b->in_fd < 0 || t->off == t->len)
		t->off = t->len = 0;
	c->hold_input = t->len - t->off >= IN_HIGH;
	if (b->peer_closed && b->in_fd >= 0 && t->len == 0) {
		close_fd(&b->in_fd); /* all the client said: now EOF */
		b->eof_ms = clock_ms();
	}
}

/* The client's close came first: the program gets EOF once all the
 * client sent is written, and what it still writes goes out before our
 * close (program_ended sends it, or the engine's close timeout). */
static int
on_peer_close(struct conn *c)
{
	struct bridge *b = c->ctx;

	if (b->pid == 0 || b->ended || b->bad_output)
		return 0;
	b->peer_closed = 1;
	write_stdin(c, b);
	return 1;
}

static void
on_message(struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	struct bridge *b = c->ctx;
	struct conn_buf *t = &b->to_prog;
	uint8_t pre[WS_PIPE_LEN32_HEADER], post[1];
	size_t plen, slen;
	const char *why;
	unsigned code;

	if ((code = ws_pipe_accepts(b->o.framing, opcode, data, len, &why))) {
		conn_end(c, EXIT_PROTOCOL, "failed the connection: %u %s", code,
		    why);
		conn_close(c, code, why);
		return;
	}
	if (b->in_fd < 0)
		return; /* not started, or it closed its stdin */
	plen = ws_pipe_prefix(b->o.framing, opcode, len, pre);
	slen = ws_pipe_suffix(b->o.framing, post);
	if (conn_buf_reserve(t, plen + len + slen) == -1) {
		conn_end(c, EXIT_SYSTEM, "out of memory for a message");
		conn_close(c, WS_CLOSE_INTERNAL_ERROR, "internal error");
		return;
	}
	memcpy(t->p + t->len, pre, plen);
	memcpy(t->p + t->len + plen, data, len);
	memcpy(t->p + t->len + plen + len, post, slen);
	t->len += plen + len + slen;
	write_stdin(c, b);
}

/* The program is gone and all it wrote is queued: close like it did. */
static void
program_ended(struct conn *c, struct bridge *b)
{
	char how[32];

	b->ended = 1;
	/* Whatever kept its stdin open (a leftover grandchild) must not
	 * hold the peer's input, close frame included. */
	close_fd(&b->in_fd);
	b->to_prog.off = b->to_prog.len = 0;
	c->hold_input = 0;
	if (b->bad_output)
		return;
	if (b->from_prog.len > b->from_prog.off)
		emit(c, b, 1);
	if (b->bad_output)
		return;
	spawn_describe(b->wstatus, how, sizeof(how));
	if (WIFEXITED(b->wstatus) && WEXITSTATUS(b->wstatus) == 0) {
		conn_close(c, WS_CLOSE_NORMAL, how);
		return;
	}
	conn_end(c, EXIT_PROGRAM, "program %s", how);
	conn_close(c, WS_CLOSE_INTERNAL_ERROR, how);
}

static int
aux_poll(struct conn *c, struct pollfd *pf)
{
	struct bridge *b = c->ctx;
	int n = 0;

	if (b->pid == 0)
		return 0;
	if (b->out_fd >= 0 && !b->bad_output && conn_may_send(c)) {
		pf[n] = (struct pollfd){ .fd = b->out_fd, .events = POLLIN };
		b->slot[n++] = SLOT_OUT;
	}
	if (b->in_fd >= 0 && b->to_prog.len > b->to_prog.off) {
		pf[n] = (struct pollfd){ .fd = b->in_fd, .events = POLLOUT };
		b->slot[n++] = SLOT_IN;
	}
	if (b->err_fd >= 0) {
		pf[n] = (struct pollfd){ .fd = b->err_fd, .events = POLLIN };
		b->slot[n++] = SLOT_ERR;
	}
	if (!b->exited) {
		pf[n] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		b->slot[n++] = SLOT_SIG;
	}
	return n;
}

static void
aux_ready(struct conn *c, const struct pollfd *pf, int n)
{
	struct bridge *b = c->ctx;
	int i;

	for (i = 0; i < n; i++) {
		if (pf[i].revents == 0)
			continue;
		if (b->slot[i] == SLOT_OUT)
			read_stdout(c, b);
		else if (b->slot[i] == SLOT_IN)
			write_stdin(c, b);
		else if (b->slot[i] == SLOT_ERR)
			read_stderr(b);
		else if (spawn_reap(b->pid, &b->wstatus))
			b->exited = 1;
	}
	/* Both pipes at EOF: the exit is likely there already, and asking
	 * now spares a wake-up for the signalfd. */
	if (!b->exited && b->out_fd < 0 && b->err_fd < 0 &&
	    spawn_reap(b->pid, &b->wstatus))
		b->exited = 1;
	/* After the exit, stdout may still hold output; a grandchild that
	 * keeps the pipe open must not hide the exit. */
	if (b->exited && !b->ended && !b->out_dry)
		read_stdout(c, b);
	if (b->exited && !b->ended &&
	    (b->out_fd < 0 || b->out_dry || b->bad_output))
		program_ended(c, b);
}

const struct conn_handler bridge_handler = {
	.open = on_open,
	.message = on_message,
	.aux_poll = aux_poll,
	.aux_ready = aux_ready,
	.peer_close = on_peer_close,
};

/* After the connection: output has nowhere to go. */
static void
discard_stdout(struct bridge *b)
{
	char buf[OUT_CHUNK];
	ssize_t n;

	while (b->out_fd >= 0) {
		n = read(b->out_fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0)
			close_fd(&b->out_fd);
	}
}

/* To the process group, which setsid made; to the child alone if it has
 * not got that far. */
static void
signal_program(struct bridge *b, int sig)
{
	if (kill(-b->pid, sig) == -1)
		kill(b->pid, sig);
}

/* The next step when the program outlives its deadline. */
static long long
escalate(struct bridge *b, int *phase)
{
	int ms = b->o.kill_ms;

	if (*phase == 0) {
		close_fd(&b->in_fd);
		log_msg(LOG_NOTICE,
		    "%s program still running %d ms after EOF "
		    "on its stdin: SIGTERM",
		    b->o.peer, ms);
		signal_program(b, SIGTERM);
	} else if (*phase == 1) {
		log_msg(LOG_WARNING,
		    "%s program still running %d ms after "
		    "SIGTERM: SIGKILL",
		    b->o.peer, ms);
		signal_program(b, SIGKILL);
	} else {
		ms = 1000; /* SIGKILL cannot be refused: just wait */
	}
	(*phase)++;
	return clock_ms() + ms;
}

static int
finish_poll_set(struct bridge *b, struct pollfd *pf)
{
	int n = 0;

	if (b->in_fd >= 0) {
		pf[n] = (struct pollfd){ .fd = b->in_fd, .events = POLLOUT };
		b->slot[n++] = SLOT_IN;
	}
	if (b->out_fd >= 0) {
		pf[n] = (struct pollfd){ .fd = b->out_fd, .events = POLLIN };
		b->slot[n++] = SLOT_OUT;
	}
	if (b->err_fd >= 0) {
		pf[n] = (struct pollfd){ .fd = b->err_fd, .events = POLLIN };
		b->slot[n++] = SLOT_ERR;
	}
	pf[n] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
	b->slot[n++] = SLOT_SIG;
	return n;
}

/* EOF on stdin once what the peer sent is written, then SIGTERM, then
 * SIGKILL, kill_ms apart; meanwhile stderr still reaches the log.
 * Returns 1 when the group had SIGKILL. */
static int
stop_program(struct bridge *b, struct conn *c)
{
	struct pollfd pf[CONN_AUX_MAX];
	long long deadline, now;
	int i, n, phase = 0;

	/* A program given EOF at the peer's close has had that long. */
	deadline = (b->eof_ms ? b->eof_ms : clock_ms()) + b->o.kill_ms;

	while (!spawn_reap(b->pid, &b->wstatus)) {
		if (b->in_fd >= 0 && b->to_prog.len == b->to_prog.off)
			close_fd(&b->in_fd);
		if ((now = clock_ms()) >= deadline) {
			deadline = escalate(b, &phase);
			continue;
		}
		n = finish_poll_set(b, pf);
		if (poll(pf, (nfds_t)n, (int)(deadline - now)) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (pf[i].revents == 0)
				continue;
			if (b->slot[i] == SLOT_IN)
				write_stdin(c, b);
			else if (b->slot[i] == SLOT_OUT)
				discard_stdout(b);
			else if (b->slot[i] == SLOT_ERR)
				read_stderr(b);
		}
	}
	b->exited = 1;
	return phase >= 2; /* the whole group had SIGKILL */
}

void
bridge_finish(struct bridge *b, struct conn *c)
{
	int killed = 0;

	if (b->pid == 0)
		return;
	if (!b->exited)
		killed = stop_program(b, c);
	close_fd(&b->in_fd);
	close_fd(&b->out_fd);
	/* Nothing of the program outlives the connection. */
	if (!killed && kill(-b->pid, 0) == 0) {
		log_msg(LOG_NOTICE,
		    "%s program left processes behind in "
		    "its group: SIGKILL",
		    b->o.peer);
		kill(-b->pid, SIGKILL);
	}
	read_stderr(b);
	close_fd(&b->err_fd);
}

void
bridge_describe(const struct bridge *b, char *out, size_t cap)
{
	if (b->pid == 0 && !b->exited)
		snprintf(out, cap, "not started");
	else if (!b->exited)
		snprintf(out, cap, "running");
	else
		spawn_describe(b->wstatus, out, cap);
}
