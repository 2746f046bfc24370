/* Merkle trees as RFC 6962 (and RFC 9162 section 2.1) define them: leaf hash
 * H(0x00 || d), node hash H(0x01 || l || r), the left subtree the largest power of
 * two smaller than n. Used for a day's records, a day's files, weeks and months. */
#include <sodium.h>
#include <string.h>

#include "kensa/seal.h"
#include "util/blake2b_lanes.h"

void ks_hash(ks_hash_alg a, const void *data, size_t n, uint8_t out[KS_HASH_SIZE])
{
    if (a == KS_HASH_SHA256)
        crypto_hash_sha256(out, data, n);
    else
        crypto_generichash(out, KS_HASH_SIZE, data, n, NULL, 0);
}

/* H(prefix || a || b) without copying a and b together. */
static void hash2(ks_hash_alg alg, uint8_t prefix, const void *a, size_t na, const void *b,
                  size_t nb, uint8_t out[KS_HASH_SIZE])
{
    if (alg == KS_HASH_SHA256) {
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, &prefix, 1);
        if (na) crypto_hash_sha256_update(&st, a, na);
        if (nb) crypto_hash_sha256_update(&st, b, nb);
        crypto_hash_sha256_final(&st, out);
    } else if (na + nb < 128) {
        /* leaves and nodes: one block, hashed in one call (no streaming state) */
        uint8_t d[128];
        d[0] = prefix;
        if (na) memcpy(d + 1, a, na);
        if (nb) memcpy(d + 1 + na, b, nb);
        crypto_generichash(out, KS_HASH_SIZE, d, 1 + na + nb, NULL, 0);
    } else {
        crypto_generichash_state st;
        crypto_generichash_init(&st, NULL, 0, KS_HASH_SIZE);
        crypto_generichash_update(&st, &prefix, 1);
        if (na) crypto_generichash_update(&st, a, na);
        if (nb) crypto_generichash_update(&st, b, nb);
        crypto_generichash_final(&st, out, KS_HASH_SIZE);
    }
}

void ks_merkle_leaf(ks_hash_alg a, const void *data, size_t n, uint8_t out[KS_HASH_SIZE])
{
    hash2(a, 0x00, data, n, NULL, 0, out);
}

void ks_merkle_node(ks_hash_alg a, const uint8_t l[KS_HASH_SIZE], const uint8_t r[KS_HASH_SIZE],
                    uint8_t out[KS_HASH_SIZE])
{
    hash2(a, 0x01, l, KS_HASH_SIZE, r, KS_HASH_SIZE, out);
}

/* Many hashes H(prefix || one input): BLAKE2b in SIMD lanes, a chunk at a time (the
 * prefixed inputs copied side by side), or one by one for SHA-256 and long inputs. */
#define MANY_CHUNK 128
#define MANY_MAX 127 /* bytes of an input after the prefix: one BLAKE2b block */

static void hash_many(ks_hash_alg a, uint8_t prefix, const uint8_t *data, size_t stride, size_t len,
                      size_t n, uint8_t (*out)[KS_HASH_SIZE])
{
    if (a != KS_HASH_BLAKE2B256 || len > MANY_MAX) {
        for (size_t i = 0; i < n; i++) hash2(a, prefix, data + i * stride, len, NULL, 0, out[i]);
        return;
    }
    uint8_t in[MANY_CHUNK][1 + MANY_MAX];
    ks_b2_job jobs[MANY_CHUNK];
    for (size_t i = 0; i < n; i += MANY_CHUNK) {
        size_t k = n - i < MANY_CHUNK ? n - i : MANY_CHUNK;
        for (size_t j = 0; j < k; j++) {
            in[j][0] = prefix;
            memcpy(in[j] + 1, data + (i + j) * stride, len);
            jobs[j] = (ks_b2_job){in[j], 1 + len, out[i + j]};
        }
        ks_blake2b_jobs(jobs, k, KS_HASH_SIZE, NULL, 0);
    }
}

void ks_merkle_leaves(ks_hash_alg a, const uint8_t *data, size_t stride, size_t len, size_t n,
                      uint8_t (*out)[KS_HASH_SIZE])
{
    hash_many(a, 0x00, data, stride, len, n, out);
}

/* Each level: the pairs (2i, 2i+1) become node i, an odd last hash moves up as it
 * is. Started on leaves this is RFC 6962's shape: node i of level l is the root over
 * leaves [i 2^l, (i+1) 2^l), cut at n (the left subtree is always the largest power
 * of two). Node i's inputs are at 2i and 2i+1 >= i, read before i is written. */
uint64_t ks_merkle_up(ks_hash_alg a, uint8_t (*h)[KS_HASH_SIZE], uint64_t n, unsigned levels)
{
    for (; levels > 0 && n > 1; levels--) {
        uint64_t pairs = n / 2;
        for (uint64_t i = 0; i < pairs; i += MANY_CHUNK) {
            size_t k = pairs - i < MANY_CHUNK ? (size_t)(pairs - i) : MANY_CHUNK;
            hash_many(a, 0x01, h[2 * i], 2 * KS_HASH_SIZE, 2 * KS_HASH_SIZE, k, h + i);
        }
        if (n & 1) memmove(h[pairs], h[n - 1], KS_HASH_SIZE);
        n = pairs + (n & 1);
    }
    return n;
}

void ks_merkle_init(ks_merkle *m, ks_hash_alg a)
{
    memset(m, 0, sizeof *m);
    m->alg = a;
}

/* The stack holds one complete subtree per set bit of n, largest first; a push
 * merges equal subtrees like a binary counter carries. */
void ks_merkle_push(ks_merkle *m, const uint8_t h[KS_HASH_SIZE])
{
    uint8_t cur[KS_HASH_SIZE];
    memcpy(cur, h, KS_HASH_SIZE);
    for (uint64_t k = m->n; (k & 1) && m->top > 0; k >>= 1)
        ks_merkle_node(m->alg, m->stack[--m->top], cur, cur);
    if (m->top < KS_MERKLE_MAX_PATH) memcpy(m->stack[m->top++], cur, KS_HASH_SIZE);
    m->n++;
}

/* Folding the stack right to left gives RFC 6962's shape: every left subtree is the
 * largest power of two below the size of its parent. */
void ks_merkle_root(const ks_merkle *m, const uint8_t *tail, uint8_t out[KS_HASH_SIZE])
{
    uint8_t cur[KS_HASH_SIZE];
    unsigned i = m->top;
    if (tail) {
        memcpy(cur, tail, KS_HASH_SIZE);
    } else if (i == 0) {
        ks_hash(m->alg, "", 0, out);
        return;
    } else {
        memcpy(cur, m->stack[--i], KS_HASH_SIZE);
    }
    while (i > 0) ks_merkle_node(m->alg, m->stack[--i], cur, cur);
    memcpy(out, cur, KS_HASH_SIZE);
}

void ks_merkle_root_of(ks_hash_alg a, const uint8_t (*leaves)[KS_HASH_SIZE], uint64_t n,
                       uint8_t out[KS_HASH_SIZE])
{
    ks_merkle m;
    ks_merkle_init(&m, a);
    for (uint64_t i = 0; i < n; i++) ks_merkle_push(&m, leaves[i]);
    ks_merkle_root(&m, NULL, out);
}

static uint64_t split_point(uint64_t n) /* largest power of two < n (n >= 2) */
{
    uint64_t k = 1;
    while (k < n - k) k <<= 1;
    return k;
}

ks_status ks_merkle_path(ks_hash_alg a, const uint8_t (*leaves)[KS_HASH_SIZE], uint64_t n,
                         uint64_t i, uint8_t path[KS_MERKLE_MAX_PATH][KS_HASH_SIZE], unsigned *len)
{
    *len = 0;
    if (i >= n) return KS_ERR_ARG;
    uint8_t rev[KS_MERKLE_MAX_PATH][KS_HASH_SIZE];
    unsigned k = 0;
    uint64_t lo = 0, hi = n;
    while (hi - lo > 1 && k < KS_MERKLE_MAX_PATH) {
        uint64_t s = split_point(hi - lo);
        if (i - lo < s) {
            ks_merkle_root_of(a, leaves + lo + s, hi - lo - s, rev[k++]);
            hi = lo + s;
        } else {
            ks_merkle_root_of(a, leaves + lo, s, rev[k++]);
            lo += s;
        }
    }
    for (unsigned j = 0; j < k; j++) memcpy(path[j], rev[k - 1 - j], KS_HASH_SIZE);
    *len = k;
    return KS_OK;
}

ks_status ks_merkle_root_from_path(ks_hash_alg a, const uint8_t leaf[KS_HASH_SIZE], uint64_t i,
                                   uint64_t n, const uint8_t (*path)[KS_HASH_SIZE], unsigned len,
                                   uint8_t out[KS_HASH_SIZE])
{
    if (i >= n || len > KS_MERKLE_MAX_PATH) return KS_ERR_FORMAT;
    uint64_t fn = i, sn = n - 1;
    uint8_t r[KS_HASH_SIZE];
    memcpy(r, leaf, KS_HASH_SIZE);
    for (unsigned k = 0; k < len; k++) {
        if (sn == 0) return KS_ERR_FORMAT;
        if ((fn & 1) || fn == sn) {
            ks_merkle_node(a, path[k], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            ks_merkle_node(a, r, path[k], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) return KS_ERR_FORMAT;
    memcpy(out, r, KS_HASH_SIZE);
    return KS_OK;
}
