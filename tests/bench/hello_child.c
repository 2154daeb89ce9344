/* SPDX-License-Identifier: ISC */
/*
 * The hello exchange as a line program, for bridges (wsinetd -- PROGRAM,
 * websocketd): prints the welcome, then "You said: " before each line it
 * reads. Plain read/write, so nothing waits in a stdio buffer. Static,
 * so that it costs both bridges the same small start-up.
 */
#include <string.h>
#include <unistd.h>

static const char WELCOME[] = "Welcome to the WebSocket server!\n";
static const char PREFIX[] = "You said: ";

static int
write_all(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(1, s, n)) <= 0)
			return -1;
		s += w, n -= (size_t)w;
	}
	return 0;
}

int
main(void)
{
	char buf[4096];
	int line_start = 1;
	ssize_t n;
	char *p, *end, *nl;

	if (write_all(WELCOME, sizeof(WELCOME) - 1) == -1)
		return 1;
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (p = buf, end = buf + n; p < end; p = nl) {
			if (line_start &&
			    write_all(PREFIX, sizeof(PREFIX) - 1) == -1)
				return 1;
			nl = memchr(p, '\n', (size_t)(end - p));
			line_start = nl != NULL;
			nl = nl != NULL ? nl + 1 : end;
			if (write_all(p, (size_t)(nl - p)) == -1)
				return 1;
		}
	}
	return n == 0 ? 0 : 1;
}
