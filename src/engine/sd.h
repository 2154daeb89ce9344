/* SPDX-License-Identifier: ISC */
/*
 * What wsinetd needs from systemd's sd-daemon, without linking
 * libsystemd: the LISTEN_FDS protocol of sd_listen_fds(3).
 */
#ifndef SD_H
#define SD_H

/* The first fd systemd passes (SD_LISTEN_FDS_START). */
#define SD_FIRST_FD 3

/* sd_listen_fds(0): the number of fds passed from SD_FIRST_FD on when
 * LISTEN_PID names this process, 0 when none were passed (or they were
 * meant for another process), -errno when LISTEN_FDS is malformed. Marks
 * them close-on-exec and removes LISTEN_PID, LISTEN_FDS and
 * LISTEN_FDNAMES from the environment, so no child inherits them. */
int sd_fds_passed(void);
/* 1 when fd is a stream socket that is listening (want_listening 1) or
 * not (0), else 0. */
int sd_fd_is_stream(int fd, int want_listening);

#endif
