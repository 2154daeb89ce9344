/* SPDX-License-Identifier: ISC */
/*
 * wsinetd resolves no names. libcrypto's BIO_lookup (reachable from
 * libssl's DTLS code, which we never run) refers to getaddrinfo and
 * gethostbyname; these stand in for glibc's, so that the static binary
 * carries no resolver or NSS code and a name can never be looked up.
 */
#include <netdb.h>
#include <stddef.h>

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	(void)node;
	(void)service;
	(void)hints;
	*res = NULL;
	return EAI_FAIL;
}

void
freeaddrinfo(struct addrinfo *res)
{
	(void)res;
}

struct hostent *
gethostbyname(const char *name)
{
	(void)name;
	h_errno = NO_RECOVERY;
	return NULL;
}
