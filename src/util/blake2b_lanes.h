/* Many independent BLAKE2b hashes at once, one message per 64-bit SIMD lane (8 with
 * AVX-512, 4 with AVX2, chosen at run time), byte for byte what libsodium's
 * crypto_generichash gives, which is also the fallback. The sealed archive hashes
 * millions of short, independent messages (records, leaves, tree nodes): one message
 * at a time, BLAKE2b's rounds leave most of a vector unit idle. */
#ifndef KS_UTIL_BLAKE2B_LANES_H
#define KS_UTIL_BLAKE2B_LANES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One hash to compute: len bytes at data (borrowed) into out (outlen bytes). */
typedef struct ks_b2_job {
    const void *data;
    size_t len;
    uint8_t *out;
} ks_b2_job;

typedef enum ks_b2_impl {
    KS_B2_AUTO = 0, /* the fastest this CPU has */
    KS_B2_SODIUM,   /* one at a time, libsodium */
    KS_B2_AVX2,     /* 4 lanes */
    KS_B2_AVX512,   /* 8 lanes (AVX-512F and BW) */
} ks_b2_impl;

#define KS_B2_MAX_OUT 64
#define KS_B2_MAX_KEY 64

/* Hash every job: outlen 1..64 bytes each, keyed with key (keylen 0..64, the same
 * key for all; NULL and 0 for none). Jobs may have any lengths, in any order; an out
 * may not overlap any job's data. */
void ks_blake2b_jobs(const ks_b2_job *jobs, size_t n, size_t outlen, const void *key,
                     size_t keylen);
/* The same with one implementation; false (nothing hashed) when the CPU lacks it or
 * outlen/keylen are out of range. For tests and benchmarks. */
bool ks_blake2b_jobs_with(ks_b2_impl impl, const ks_b2_job *jobs, size_t n, size_t outlen,
                          const void *key, size_t keylen);
/* What KS_B2_AUTO runs on this CPU. */
ks_b2_impl ks_blake2b_best(void);

#endif
