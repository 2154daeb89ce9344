/* SPDX-License-Identifier: ISC */
/*
 * sessions HOST PORT CONCURRENCY SECONDS: complete WebSocket sessions
 * per second against a server: connect, upgrade, one masked close frame,
 * read until the server closes. CONCURRENCY threads, each one session at
 * a time. Prints sessions/s and failures; a table row, not a test.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;
static double stop_at;

static const char REQUEST[] = "GET / HTTP/1.1\r\n"
			      "Host: bench\r\n"
			      "Upgrade: websocket\r\n"
			      "Connection: Upgrade\r\n"
			      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			      "Sec-WebSocket-Version: 13\r\n\r\n";
/* Close 1000, masked with a zero key. */
static const char CLOSE[] = { (char)0x88, (char)0x82, 0, 0, 0, 0, 0x03,
	(char)0xe8 };

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One session; 0 when the server answered 101 and closed. */
static int
session(void)
{
	char buf[4096];
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, ok = 0;
	ssize_t n;

	if (fd == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1 ||
	    write(fd, REQUEST, sizeof(REQUEST) - 1) < 0)
		goto out;
	if ((n = read(fd, buf, sizeof(buf))) < 12 ||
	    memcmp(buf, "HTTP/1.1 101", 12) != 0)
		goto out;
	if (write(fd, CLOSE, sizeof(CLOSE)) < 0)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	ok = n == 0;
out:
	close(fd);
	return ok ? 0 : -1;
}

struct counts {
	long done, failed;
};

static void *
worker(void *arg)
{
	struct counts *c = arg;

	while (now_s() < stop_at) {
		if (session() == 0)
			c->done++;
		else
			c->failed++;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct counts c[256];
	pthread_t t[256];
	long done = 0, failed = 0;
	int i, conc;
	double secs, t0;

	if (argc != 5 || (conc = atoi(argv[3])) < 1 || conc > 256) {
		fprintf(stderr, "usage: sessions HOST PORT CONCURRENCY SECS\n");
		return 2;
	}
	secs = atof(argv[4]);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &addr.sin_addr);
	t0 = now_s();
	stop_at = t0 + secs;
	memset(c, 0, sizeof(c));
	for (i = 0; i < conc; i++)
		pthread_create(&t[i], NULL, worker, &c[i]);
	for (i = 0; i < conc; i++) {
		pthread_join(t[i], NULL);
		done += c[i].done;
		failed += c[i].failed;
	}
	printf("%.0f sessions/s (%ld failed)\n", (double)done / (now_s() - t0),
	    failed);
	return 0;
}
