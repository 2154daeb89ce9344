/* SPDX-License-Identifier: ISC */
/*
 * Exit statuses shared by wsinetd and wsclient, documented in both man
 * pages under EXIT STATUS. Each outcome has its own code so scripts and
 * service managers can tell them apart.
 */
#ifndef EXITS_H
#define EXITS_H

enum exit_status {
	EXIT_OK = 0, /* close handshake completed */
	EXIT_SYSTEM = 1, /* system failure: memory, I/O, environment */
	EXIT_USAGE = 2, /* bad command line */
	EXIT_CONNECT = 3, /* wsclient: could not connect */
	EXIT_HANDSHAKE = 4, /* opening handshake refused or invalid */
	EXIT_PROTOCOL = 5, /* the peer broke the protocol; we failed it */
	EXIT_TIMEOUT = 6, /* a timeout expired */
	EXIT_PEER_CLOSE = 7, /* wsclient: peer closed with a code != 1000 */
	EXIT_LOST = 8, /* connection lost without a close handshake */
	EXIT_TLS = 9, /* TLS failure (wss://, later) */
	EXIT_PROGRAM = 10, /* bridge: the program failed or wrote bad output */
};

#endif
