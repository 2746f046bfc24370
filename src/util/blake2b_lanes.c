/* BLAKE2b (RFC 7693) over many independent messages at once: the state of message k
 * is lane k of sixteen vectors, so one pass of the rounds compresses a block of each of
 * 4 (AVX2) or 8 (AVX-512) messages. A lane whose message ends takes the next job, so
 * messages of mixed lengths keep every lane busy. libsodium is the fallback and the
 * reference: tests/unit/test_blake2b_lanes.c compares the two for every length. */
#include <sodium.h>
#include <string.h>

#include "util/blake2b_lanes.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define KS_B2_X86 1
#include <immintrin.h>
#endif

#define LANES_MAX 8
#define BLOCK 128

/* The lanes' state between two compressions: chaining values, byte counters, final
 * flags, and the block each lane compresses next: len[l] bytes at blk[l], zeros after
 * them (a message's last block is read only as far as it goes). */
typedef struct b2_lanes {
    _Alignas(64) uint64_t h[8][LANES_MAX];
    _Alignas(64) uint64_t t[LANES_MAX];
    _Alignas(64) uint64_t f[LANES_MAX];
    const uint8_t *blk[LANES_MAX];
    uint32_t len[LANES_MAX];
    _Alignas(64) uint8_t pad[LANES_MAX][BLOCK]; /* AVX2: a last block, zero-padded */
} b2_lanes;

typedef void (*b2_compress_fn)(b2_lanes *s);

#ifdef KS_B2_X86

static const uint64_t b2_iv[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

/* The message schedule, as constants: ROUND(r) below indexes it with literal r. */
static const uint8_t b2_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

/* The rounds, for whichever vector type ADD, XOR and the rotations (right by 32, 24,
 * 16, 63) are defined on; v[16] is the work vector, m[16] the message words. */
#define B2_G(a, b, c, d, x, y)                                                                     \
    do {                                                                                           \
        a = ADD(ADD(a, b), x);                                                                     \
        d = ROR32(XOR(d, a));                                                                      \
        c = ADD(c, d);                                                                             \
        b = ROR24(XOR(b, c));                                                                      \
        a = ADD(ADD(a, b), y);                                                                     \
        d = ROR16(XOR(d, a));                                                                      \
        c = ADD(c, d);                                                                             \
        b = ROR63(XOR(b, c));                                                                      \
    } while (0)
#define B2_ROUND(r)                                                                                \
    do {                                                                                           \
        const uint8_t *S = b2_sigma[r];                                                            \
        B2_G(v[0], v[4], v[8], v[12], m[S[0]], m[S[1]]);                                           \
        B2_G(v[1], v[5], v[9], v[13], m[S[2]], m[S[3]]);                                           \
        B2_G(v[2], v[6], v[10], v[14], m[S[4]], m[S[5]]);                                          \
        B2_G(v[3], v[7], v[11], v[15], m[S[6]], m[S[7]]);                                          \
        B2_G(v[0], v[5], v[10], v[15], m[S[8]], m[S[9]]);                                          \
        B2_G(v[1], v[6], v[11], v[12], m[S[10]], m[S[11]]);                                        \
        B2_G(v[2], v[7], v[8], v[13], m[S[12]], m[S[13]]);                                         \
        B2_G(v[3], v[4], v[9], v[14], m[S[14]], m[S[15]]);                                         \
    } while (0)
#define B2_ROUNDS()                                                                                \
    do {                                                                                           \
        B2_ROUND(0);                                                                               \
        B2_ROUND(1);                                                                               \
        B2_ROUND(2);                                                                               \
        B2_ROUND(3);                                                                               \
        B2_ROUND(4);                                                                               \
        B2_ROUND(5);                                                                               \
        B2_ROUND(6);                                                                               \
        B2_ROUND(7);                                                                               \
        B2_ROUND(8);                                                                               \
        B2_ROUND(9);                                                                               \
        B2_ROUND(10);                                                                              \
        B2_ROUND(11);                                                                              \
    } while (0)

/* ---- 4 lanes, AVX2 ---- */

#define ADD _mm256_add_epi64
#define XOR _mm256_xor_si256
#define ROR32(x) _mm256_shuffle_epi32((x), _MM_SHUFFLE(2, 3, 0, 1))
#define ROR24(x) _mm256_shuffle_epi8((x), r24)
#define ROR16(x) _mm256_shuffle_epi8((x), r16)
#define ROR63(x) _mm256_or_si256(_mm256_srli_epi64((x), 63), _mm256_add_epi64((x), (x)))

/* Words w..w+3 of four lanes' rows into four vectors, one word each. */
__attribute__((target("avx2"))) static inline void b2_transpose4(__m256i r0, __m256i r1, __m256i r2,
                                                                 __m256i r3, __m256i *out)
{
    __m256i t0 = _mm256_unpacklo_epi64(r0, r1), t1 = _mm256_unpackhi_epi64(r0, r1);
    __m256i t2 = _mm256_unpacklo_epi64(r2, r3), t3 = _mm256_unpackhi_epi64(r2, r3);
    out[0] = _mm256_permute2x128_si256(t0, t2, 0x20);
    out[1] = _mm256_permute2x128_si256(t1, t3, 0x20);
    out[2] = _mm256_permute2x128_si256(t0, t2, 0x31);
    out[3] = _mm256_permute2x128_si256(t1, t3, 0x31);
}

__attribute__((target("avx2"))) static void b2_compress4(b2_lanes *s)
{
    const __m256i r24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4,
                                         5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    const __m256i r16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3,
                                         4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    __m256i m[16], v[16];
    const uint8_t *b[4];
    for (int l = 0; l < 4; l++) {
        b[l] = s->blk[l];
        if (s->len[l] < BLOCK) { /* a last block: copied, zero-padded */
            for (int k = 0; k < 4; k++)
                _mm256_store_si256((__m256i *)(s->pad[l] + 32 * k), _mm256_setzero_si256());
            if (s->len[l]) memcpy(s->pad[l], b[l], s->len[l]);
            b[l] = s->pad[l];
        }
    }
    for (int k = 0; k < 4; k++)
        b2_transpose4(_mm256_loadu_si256((const __m256i *)(b[0] + 32 * k)),
                      _mm256_loadu_si256((const __m256i *)(b[1] + 32 * k)),
                      _mm256_loadu_si256((const __m256i *)(b[2] + 32 * k)),
                      _mm256_loadu_si256((const __m256i *)(b[3] + 32 * k)), m + 4 * k);
    for (int i = 0; i < 8; i++) {
        v[i] = _mm256_load_si256((const __m256i *)s->h[i]);
        v[i + 8] = _mm256_set1_epi64x((long long)b2_iv[i]);
    }
    v[12] = XOR(v[12], _mm256_load_si256((const __m256i *)s->t));
    v[14] = XOR(v[14], _mm256_load_si256((const __m256i *)s->f));
    B2_ROUNDS();
    for (int i = 0; i < 8; i++)
        _mm256_store_si256((__m256i *)s->h[i],
                           XOR(XOR(v[i], v[i + 8]), _mm256_load_si256((const __m256i *)s->h[i])));
}

#undef ADD
#undef XOR
#undef ROR32
#undef ROR24
#undef ROR16
#undef ROR63

/* ---- 8 lanes, AVX-512F (and BW, for loads that stop at a message's end) ---- */

#define ADD _mm512_add_epi64
#define XOR _mm512_xor_si512
#define ROR32(x) _mm512_ror_epi64((x), 32)
#define ROR24(x) _mm512_ror_epi64((x), 24)
#define ROR16(x) _mm512_ror_epi64((x), 16)
#define ROR63(x) _mm512_ror_epi64((x), 63)

/* Eight lanes' words w..w+7 (one row a lane) into eight vectors, one word each. */
__attribute__((target("avx512f,avx512bw"))) static inline void b2_transpose8(const __m512i *r,
                                                                             __m512i *out)
{
    const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const __m512i hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    __m512i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm512_unpacklo_epi64(r[i], r[i + 1]);     /* words 0 2 4 6 of rows i, i+1 */
        t[i + 1] = _mm512_unpackhi_epi64(r[i], r[i + 1]); /* words 1 3 5 7 */
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm512_permutex2var_epi64(t[i], lo, t[i + 2]);         /* words 0 4, 4 rows */
        u[i + 1] = _mm512_permutex2var_epi64(t[i + 1], lo, t[i + 3]); /* words 1 5 */
        u[i + 2] = _mm512_permutex2var_epi64(t[i], hi, t[i + 2]);     /* words 2 6 */
        u[i + 3] = _mm512_permutex2var_epi64(t[i + 1], hi, t[i + 3]); /* words 3 7 */
    }
    for (int w = 0; w < 4; w++) {
        out[w] = _mm512_shuffle_i64x2(u[w], u[w + 4], 0x44);
        out[w + 4] = _mm512_shuffle_i64x2(u[w], u[w + 4], 0xEE);
    }
}

/* The bytes of a block half that has n of them (masked: nothing past n is read). */
__attribute__((target("avx512f,avx512bw"))) static inline __m512i b2_load64(const uint8_t *p,
                                                                            uint32_t n)
{
    if (n >= 64) return _mm512_loadu_si512(p);
    if (n == 0) return _mm512_setzero_si512();
    return _mm512_maskz_loadu_epi8((__mmask64)((1ull << n) - 1), p);
}

__attribute__((target("avx512f,avx512bw"))) static void b2_compress8(b2_lanes *s)
{
    __m512i m[16], v[16], r[8];
    for (int l = 0; l < 8; l++) r[l] = b2_load64(s->blk[l], s->len[l]);
    b2_transpose8(r, m);
    for (int l = 0; l < 8; l++)
        r[l] = s->len[l] > 64 ? b2_load64(s->blk[l] + 64, s->len[l] - 64) : _mm512_setzero_si512();
    b2_transpose8(r, m + 8);
    for (int i = 0; i < 8; i++) {
        v[i] = _mm512_load_si512(s->h[i]);
        v[i + 8] = _mm512_set1_epi64((long long)b2_iv[i]);
    }
    v[12] = XOR(v[12], _mm512_load_si512(s->t));
    v[14] = XOR(v[14], _mm512_load_si512(s->f));
    B2_ROUNDS();
    for (int i = 0; i < 8; i++)
        _mm512_store_si512(s->h[i], XOR(XOR(v[i], v[i + 8]), _mm512_load_si512(s->h[i])));
}

#undef ADD
#undef XOR
#undef ROR32
#undef ROR24
#undef ROR16
#undef ROR63

/* Where each lane is: its job, the bytes of it compressed, whether the key block is
 * still to come, and whether the block being compressed is its last. */
typedef struct b2_lane {
    const ks_b2_job *job;
    size_t pos;
    uint64_t count;
    bool key_next, last;
} b2_lane;

static void b2_run(const ks_b2_job *jobs, size_t n, size_t outlen, const uint8_t *keyblk,
                   size_t keylen, unsigned nl, b2_compress_fn compress)
{
    static const uint8_t zero[BLOCK];
    b2_lanes s;
    b2_lane ln[LANES_MAX];
    const uint64_t h0 = b2_iv[0] ^ 0x01010000ull ^ ((uint64_t)keylen << 8) ^ (uint64_t)outlen;
    size_t next = 0;
    unsigned busy = 0;
    for (unsigned l = 0; l < LANES_MAX; l++) {
        ln[l].job = NULL;
        s.blk[l] = zero;
        s.len[l] = 0;
        s.t[l] = s.f[l] = 0;
        for (int i = 0; i < 8; i++) s.h[i][l] = 0;
    }
    for (;;) {
        for (unsigned l = 0; l < nl; l++) {
            b2_lane *x = &ln[l];
            if (!x->job && next < n) { /* the next job into a free lane */
                x->job = &jobs[next++];
                x->pos = 0;
                x->count = 0;
                x->key_next = keylen > 0;
                s.h[0][l] = h0;
                for (int i = 1; i < 8; i++) s.h[i][l] = b2_iv[i];
                busy++;
            }
            if (!x->job) {
                s.blk[l] = zero; /* idle: computes nothing anyone reads */
                s.len[l] = 0;
                continue;
            }
            size_t rem = x->job->len - x->pos;
            const uint8_t *data = x->job->data ? (const uint8_t *)x->job->data : zero;
            if (x->key_next) {
                s.blk[l] = keyblk;
                s.len[l] = BLOCK;
                x->count = BLOCK;
                x->last = rem == 0;
                x->key_next = false;
            } else if (rem > BLOCK) {
                s.blk[l] = data + x->pos;
                s.len[l] = BLOCK;
                x->pos += BLOCK;
                x->count += BLOCK;
                x->last = false;
            } else {
                s.blk[l] = data + x->pos;
                s.len[l] = (uint32_t)rem;
                x->pos += rem;
                x->count += rem;
                x->last = true;
            }
            s.t[l] = x->count;
            s.f[l] = x->last ? ~0ull : 0;
        }
        if (!busy) break;
        compress(&s);
        for (unsigned l = 0; l < nl; l++) {
            b2_lane *x = &ln[l];
            if (!x->job || !x->last) continue;
            size_t i = 0;
            for (; i < outlen / 8; i++) memcpy(x->job->out + 8 * i, &s.h[i][l], 8);
            for (size_t b = 0; b < outlen % 8; b++)
                x->job->out[8 * i + b] = (uint8_t)(s.h[i][l] >> (8 * b));
            x->job = NULL;
            busy--;
        }
    }
    if (keylen) sodium_memzero(&s, sizeof s); /* the lanes' state derives from the key */
}

#endif /* KS_B2_X86 */

static void b2_sodium(const ks_b2_job *jobs, size_t n, size_t outlen, const void *key,
                      size_t keylen)
{
    for (size_t i = 0; i < n; i++)
        crypto_generichash(jobs[i].out, outlen, jobs[i].data, jobs[i].len, key, keylen);
}

static bool b2_has(ks_b2_impl impl)
{
#ifdef KS_B2_X86
    if (impl == KS_B2_AVX2) return __builtin_cpu_supports("avx2");
    if (impl == KS_B2_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
#endif
    return impl == KS_B2_SODIUM;
}

ks_b2_impl ks_blake2b_best(void)
{
    return b2_has(KS_B2_AVX512) ? KS_B2_AVX512 : b2_has(KS_B2_AVX2) ? KS_B2_AVX2 : KS_B2_SODIUM;
}

bool ks_blake2b_jobs_with(ks_b2_impl impl, const ks_b2_job *jobs, size_t n, size_t outlen,
                          const void *key, size_t keylen)
{
    if (impl == KS_B2_AUTO) impl = ks_blake2b_best();
    if (!b2_has(impl) || outlen < 1 || outlen > KS_B2_MAX_OUT || keylen > KS_B2_MAX_KEY ||
        (keylen && !key))
        return false;
    if (impl == KS_B2_SODIUM || n < 2) {
        b2_sodium(jobs, n, outlen, key, keylen);
        return true;
    }
#ifdef KS_B2_X86
    uint8_t keyblk[BLOCK]; /* the key, zero-padded: the first block of a keyed hash */
    if (keylen) {
        memset(keyblk, 0, sizeof keyblk);
        memcpy(keyblk, key, keylen);
    }
    if (impl == KS_B2_AVX512)
        b2_run(jobs, n, outlen, keyblk, keylen, 8, b2_compress8);
    else
        b2_run(jobs, n, outlen, keyblk, keylen, 4, b2_compress4);
    if (keylen) sodium_memzero(keyblk, sizeof keyblk);
#endif
    return true;
}

void ks_blake2b_jobs(const ks_b2_job *jobs, size_t n, size_t outlen, const void *key, size_t keylen)
{
    (void)ks_blake2b_jobs_with(KS_B2_AUTO, jobs, n, outlen, key, keylen);
}
