/* SPDX-License-Identifier: ISC */
/*
 * A server's private key from a PEM file, the cheap way when it can be:
 * an Accept=yes wsinetd loads it once per connection.
 */
#ifndef TLSKEY_H
#define TLSKEY_H

#include <openssl/ssl.h>

/* SSL_CTX_use_PrivateKey_file's contract: 1 when the key is in ctx,
 * otherwise anything else with OpenSSL's reason queued. */
int tlskey_use_file(SSL_CTX *ctx, const char *path);

#endif
