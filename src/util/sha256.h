/* SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA instructions where
 * there are any (about 15x libsodium's portable code on this project's machines):
 * evidence files are hashed twice per ingest, so this is what bounds its speed. */
#ifndef KS_UTIL_SHA256_H
#define KS_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct ks_sha256 {
    void *ctx; /* EVP_MD_CTX */
} ks_sha256;

/* 0 on success, -1 when out of memory. */
int ks_sha256_init(ks_sha256 *h);
void ks_sha256_update(ks_sha256 *h, const void *p, size_t n);
/* Write the digest and free the context (ks_sha256_init again to reuse). */
void ks_sha256_final(ks_sha256 *h, uint8_t out[32]);

/* The digest as 64 lower-case hex digits and a NUL. */
void ks_sha256_hex(const uint8_t md[32], char hex[65]);
/* The digest from 64 hex digits (either case); -1, md zeroed, when hex is not that. */
int ks_sha256_from_hex(const char *hex, size_t n, uint8_t md[32]);

#endif
