/* SPDX-License-Identifier: ISC */
/*
 * Logging for both programs: stderr with sd-daemon "<N>" priority
 * prefixes, or syslog when stderr is the client connection itself.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <syslog.h>

enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG };

/* Chooses the target; may be called again once the connection is known.
 * With rfd/wfd >= 0 (wsinetd), stderr that is closed, the same file as
 * the connection, or a TCP socket means syslog: under inetd, xinetd and
 * systemd's StandardInput=socket fd 2 is the connection, and one log line
 * there would corrupt the stream. The journal's own stream (named by
 * JOURNAL_STREAM) stays stderr. prefixed selects the "<N>" priority
 * markers journald reads (wsinetd) instead of "ident: " (wsclient, a
 * command for people). */
void log_init(const char *ident, int prefixed, int rfd, int wfd);
enum log_target log_target(void);
/* Messages of lower priority than level (LOG_ERR .. LOG_DEBUG) are
 * dropped; LOG_INFO until set. */
void log_set_level(int level);
/* "err", "warning", "notice", "info" or "debug" (or 3..7); -1 if not. */
int log_level_parse(const char *name);
/* 1 when a message of this priority would be written. */
int log_wants(int prio);
/* One event with structured fields ("NAME=value", names as journald
 * wants them: upper case, digits, underscores). When stderr is the
 * journal's stream they go to the journal with MESSAGE, PRIORITY and
 * SYSLOG_IDENTIFIER; elsewhere only the message is written, as
 * log_msg would. */
void log_fields(int prio, const char *const *fields, size_t n, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
/* 1 when log_fields would send its fields, so that a caller formats them
 * only then. */
int log_takes_fields(void);
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copies at most n peer-supplied bytes into out as printable ASCII,
 * escaping the rest as \xHH and cutting at cap - 1 with "...". */
void log_clean(char *out, size_t cap, const char *in, size_t n);

#endif
