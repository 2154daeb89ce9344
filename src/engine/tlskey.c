/* SPDX-License-Identifier: ISC */
/*
 * OpenSSL 3's generic key loader builds a chain of every decoder it has
 * (each key type, each structure, PEM and DER) before it tries one. An
 * unencrypted PKCS#8 key ("BEGIN PRIVATE KEY", what openssl req,
 * genpkey and certbot write) names its algorithm inside, so here the
 * PEM is unwrapped and only that algorithm's PrivateKeyInfo decoder is
 * asked: about 1.4 million instructions instead of 4.6 for a P-256 key
 * (docs/benchmarks.md). Anything else, or any doubt, goes the generic
 * way, which then also gives the error.
 */
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tlskey.h"

/* The key type of a PKCS#8 structure, as text OpenSSL's decoders know
 * (its short name, e.g. id-ecPublicKey). Returns 0 or -1. */
static int
pkcs8_type(const unsigned char *der, long len, char *type, int cap)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len);
	const ASN1_OBJECT *alg = NULL;
	int n = -1;

	if (p8 != NULL && PKCS8_pkey_get0(&alg, NULL, NULL, NULL, p8) == 1)
		n = OBJ_obj2txt(type, cap, alg, 0);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return n > 0 && n < cap ? 0 : -1;
}

static EVP_PKEY *
decode(const unsigned char *der, long len, const char *type)
{
	EVP_PKEY *pk = NULL;
	OSSL_DECODER_CTX *d = OSSL_DECODER_CTX_new_for_pkey(&pk, "DER",
	    "PrivateKeyInfo", type, EVP_PKEY_KEYPAIR, NULL, NULL);
	const unsigned char *p = der;
	size_t left = (size_t)len;

	if (d == NULL || OSSL_DECODER_from_data(d, &p, &left) != 1) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	OSSL_DECODER_CTX_free(d);
	return pk;
}

/* The key of a file whose first PEM block is an unencrypted PKCS#8
 * key, or NULL. */
static EVP_PKEY *
pkcs8_key(const char *path)
{
	BIO *in = BIO_new_file(path, "r");
	char *name = NULL, *header = NULL, type[80];
	unsigned char *der = NULL;
	long len = 0;
	EVP_PKEY *pk = NULL;

	if (in != NULL && PEM_read_bio(in, &name, &header, &der, &len) == 1 &&
	    strcmp(name, "PRIVATE KEY") == 0 &&
	    pkcs8_type(der, len, type, sizeof(type)) == 0)
		pk = decode(der, len, type);
	BIO_free(in);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_clear_free(der, (size_t)len);
	return pk;
}

int
tlskey_use_file(SSL_CTX *ctx, const char *path)
{
	EVP_PKEY *pk = pkcs8_key(path);
	int rc;

	if (pk == NULL) {
		ERR_clear_error();
		return SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM);
	}
	rc = SSL_CTX_use_PrivateKey(ctx, pk);
	EVP_PKEY_free(pk);
	return rc;
}
