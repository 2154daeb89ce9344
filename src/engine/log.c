/* SPDX-License-Identifier: ISC */
/*
 * stderr or syslog logging with sd-daemon priority prefixes; never the
 * connection. Peer bytes are escaped before they reach a log line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/* journald's native socket (systemd's "Native Journal Protocol"). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Fields of one event: ours plus MESSAGE, PRIORITY, SYSLOG_IDENTIFIER. */
#define MAX_FIELDS 32

/* The log's state, in one initialised struct and so in .data beside the
 * engine's other data: an inetd-style process writes that page anyway
 * (glibc relocates its .got.plt there), and a listener's child, which
 * keeps the listener's choice, writes none of it. */
static struct {
	const char *ident; /* NULL: "wsinetd" */
	enum log_target target;
	int with_prefix;
	int level;
	int to_journal; /* stderr is the journal's stream */
	/* Connected once, when stderr turns out to be the journal's
	 * stream, so that each event costs one sendmsg and a jailed
	 * process (jail.c), which may no longer create sockets or resolve
	 * paths, can still log. */
	int journal_fd;
} lg = { NULL, LOG_TO_STDERR, 0, LOG_INFO, 0, -1 };

static void
journal_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (lg.journal_fd >= 0)
		return;
	memcpy(sa.sun_path, JOURNAL_SOCKET, sizeof(JOURNAL_SOCKET));
	lg.journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (lg.journal_fd >= 0 &&
	    connect(lg.journal_fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(lg.journal_fd);
		lg.journal_fd = -1;
	}
}

/* Whether fd is the file st describes. */
static int
same_file(const struct stat *st, int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return 0;
	return st->st_dev == sb.st_dev && st->st_ino == sb.st_ino;
}

/* systemd names its stream "DEV:INODE" so programs can tell it apart. */
static int
stderr_is_journal(const struct stat *st)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	return st->st_dev == dev && st->st_ino == ino;
}

static int
is_inet_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

static int
stderr_is_connection(int rfd, int wfd)
{
	struct stat st;

	lg.to_journal = 0;
	if (fstat(2, &st) == -1)
		return 1; /* closed: nowhere safe but syslog */
	if (stderr_is_journal(&st)) {
		lg.to_journal = 1;
		journal_open();
		return 0;
	}
	return same_file(&st, rfd) || (wfd != rfd && same_file(&st, wfd)) ||
	    (S_ISSOCK(st.st_mode) && is_inet_socket(2));
}

void
log_init(const char *ident, int prefixed, int rfd, int wfd)
{
	lg.ident = ident;
	lg.with_prefix = prefixed;
	if (rfd >= 0 && stderr_is_connection(rfd, wfd)) {
		if (lg.target != LOG_TO_SYSLOG)
			openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		lg.target = LOG_TO_SYSLOG;
	} else {
		if (lg.target == LOG_TO_SYSLOG)
			closelog();
		lg.target = LOG_TO_STDERR;
	}
}

enum log_target
log_target(void)
{
	return lg.target;
}

void
log_set_level(int l)
{
	lg.level = l;
}

int
log_level_parse(const char *name)
{
	static const char *const names[] = { "err", "warning", "notice", "info",
		"debug" };
	size_t i;

	if (name[0] >= '3' && name[0] <= '7' && name[1] == '\0')
		return name[0] - '0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return LOG_ERR + (int)i;
	return -1;
}

int
log_wants(int prio)
{
	return prio <= lg.level;
}

static void
write_line(int prio, const char *line)
{
	if (lg.target == LOG_TO_SYSLOG) {
		syslog(prio, "%s", line);
		return;
	}
	if (lg.with_prefix)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "%s: %s\n", lg.ident ? lg.ident : "wsinetd",
		    line);
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!log_wants(prio))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	write_line(prio, line);
}

/*
 * All of the journal in one place: one datagram of "NAME=value" lines on
 * journald's native socket, which is what sd_journal_sendv sends for
 * values without newlines (ours are escaped). Done here rather than
 * through libsystemd, which a static wsinetd does without. Returns -1
 * when it cannot (no journal, too many fields, a send error), and the
 * caller writes a plain line instead.
 */
int
log_takes_fields(void)
{
	return lg.to_journal && lg.journal_fd >= 0 &&
	    lg.target == LOG_TO_STDERR;
}

static int
journal_send(int prio, const char *line, const char *const *fields, size_t n)
{
	static const char nl = '\n';
	char message[1100], priority[16], ident[64];
	struct iovec iov[2 * (MAX_FIELDS + 3)];
	const char *all[MAX_FIELDS + 3] = { message, priority, ident };
	struct msghdr mh = { .msg_iov = iov };
	size_t i;

	if (!log_takes_fields() || n > MAX_FIELDS || strchr(line, '\n') != NULL)
		return -1;
	snprintf(message, sizeof(message), "MESSAGE=%s", line);
	snprintf(priority, sizeof(priority), "PRIORITY=%d", prio);
	snprintf(ident, sizeof(ident), "SYSLOG_IDENTIFIER=%s",
	    lg.ident ? lg.ident : "wsinetd");
	for (i = 0; i < n; i++)
		all[3 + i] = fields[i];
	for (i = 0; i < n + 3; i++) {
		if (strchr(all[i], '\n') != NULL)
			return -1;
		iov[2 * i] = (struct iovec){ (void *)all[i], strlen(all[i]) };
		iov[2 * i + 1] = (struct iovec){ (void *)&nl, 1 };
	}
	mh.msg_iovlen = 2 * (n + 3);
	return sendmsg(lg.journal_fd, &mh, MSG_NOSIGNAL) == -1 ? -1 : 0;
}

void
log_fields(int prio, const char *const *fields, size_t n, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!log_wants(prio))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (journal_send(prio, line, fields, n) == -1)
		write_line(prio, line);
}

void
log_clean(char *out, size_t cap, const char *in, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (cap < 4) {
		if (cap)
			out[0] = '\0';
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		int plain = c >= 0x20 && c < 0x7f && c != '\\' && c != '"';

		if (o + (plain ? 1 : 4) > cap - 4) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (plain) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
}
