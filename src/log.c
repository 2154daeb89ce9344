/* SPDX-License-Identifier: ISC */
/*
 * stderr or syslog logging with sd-daemon priority prefixes; never the
 * connection. Peer bytes are escaped before they reach a log line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "log.h"

static const char *log_ident = "wsinetd";
static enum log_target target = LOG_TO_STDERR;
static int with_prefix;

static int
same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) == -1 || fstat(b, &sb) == -1)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
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

	if (fstat(2, &st) == -1)
		return 1; /* closed: nowhere safe but syslog */
	if (stderr_is_journal(&st))
		return 0;
	return same_file(2, rfd) || same_file(2, wfd) ||
	    (S_ISSOCK(st.st_mode) && is_inet_socket(2));
}

void
log_init(const char *ident, int prefixed, int rfd, int wfd)
{
	log_ident = ident;
	with_prefix = prefixed;
	if (rfd >= 0 && stderr_is_connection(rfd, wfd)) {
		if (target != LOG_TO_SYSLOG)
			openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		target = LOG_TO_SYSLOG;
	} else {
		if (target == LOG_TO_SYSLOG)
			closelog();
		target = LOG_TO_STDERR;
	}
}

enum log_target
log_target(void)
{
	return target;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (target == LOG_TO_SYSLOG) {
		syslog(prio, "%s", line);
		return;
	}
	if (with_prefix)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "%s: %s\n", log_ident, line);
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
