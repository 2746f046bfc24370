/* The lane-parallel BLAKE2b (src/util/blake2b_lanes.c) against libsodium's
 * crypto_generichash: every message length from 0 to 1100 bytes, keyed and unkeyed,
 * the output sizes kensa uses (32) and the edges (1, 16, 64), random batches of mixed
 * lengths at odd offsets, and RFC 7693's test vector; for every implementation this
 * CPU has (AVX-512 and AVX2 when present, the libsodium fallback always). Then the
 * Merkle tree built with it level by level (ks_merkle_leaves, ks_merkle_up) against
 * the leaf-by-leaf one, for every size up to 1100 and both hashes. */
#include <sodium.h>

#include "harness.h"
#include "kensa/seal.h"
#include "sim/sim.h"
#include "util/blake2b_lanes.h"

#define MAXLEN 1100
#define NJOBS (MAXLEN + 1)

static const char *impl_name[] = {"auto", "sodium", "avx2", "avx512"};

static uint8_t data[4 * MAXLEN + 256];
static ks_b2_job jobs[NJOBS];
static uint8_t got[NJOBS][KS_B2_MAX_OUT], want[NJOBS][KS_B2_MAX_OUT];

/* Hash jobs[0..n) with impl and with libsodium; the number of jobs that differ. */
static int compare(ks_b2_impl impl, size_t n, size_t outlen, const uint8_t *key, size_t keylen,
                   const char *what)
{
    for (size_t i = 0; i < n; i++) {
        jobs[i].out = want[i];
        if (crypto_generichash(want[i], outlen, jobs[i].data, jobs[i].len, key, keylen) != 0)
            return -1;
    }
    memset(got, 0xa5, sizeof got);
    for (size_t i = 0; i < n; i++) jobs[i].out = got[i];
    if (!ks_blake2b_jobs_with(impl, jobs, n, outlen, key, keylen)) return -1;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        /* outlen bytes equal, and nothing written past them */
        bool ok = memcmp(got[i], want[i], outlen) == 0 &&
                  (outlen == KS_B2_MAX_OUT || got[i][outlen] == 0xa5);
        if (!ok && bad++ == 0)
            fprintf(stderr, "%s %s: job %zu (%zu bytes, out %zu, key %zu) differs\n",
                    impl_name[impl], what, i, jobs[i].len, outlen, keylen);
    }
    return bad;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    return ks_sim_rng(&rng_state);
}

static void every_length(ks_b2_impl impl)
{
    static const size_t outs[] = {32, 64, 16, 1};
    static const size_t keys[] = {0, 32, 64, 16, 1};
    uint8_t key[KS_B2_MAX_KEY];
    for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(0x40 + i);
    for (size_t o = 0; o < sizeof outs / sizeof *outs; o++)
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            /* lengths 0..1100 in order, then in reverse: neighbours in the lanes differ */
            for (size_t i = 0; i < NJOBS; i++) jobs[i] = (ks_b2_job){data + i, i, NULL};
            CHECK_INT(compare(impl, NJOBS, outs[o], keys[k] ? key : NULL, keys[k], "ascending"), 0);
            for (size_t i = 0; i < NJOBS; i++)
                jobs[i] = (ks_b2_job){data + 3 * i + 1, MAXLEN - i, NULL};
            CHECK_INT(compare(impl, NJOBS, outs[o], keys[k] ? key : NULL, keys[k], "descending"),
                      0);
        }
    /* each length alone in a batch of eight equal messages, and one by one */
    int bad = 0;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t i = 0; i < 8; i++) jobs[i] = (ks_b2_job){data + 7 * i, len, NULL};
        bad += compare(impl, 8, 32, NULL, 0, "eight");
        bad += compare(impl, 1, 32, NULL, 0, "one");
    }
    CHECK_INT(bad, 0);
}

static void random_batches(ks_b2_impl impl)
{
    static const size_t outs[] = {32, 32, 64, 16, 20};
    uint8_t key[KS_B2_MAX_KEY];
    randombytes_buf(key, sizeof key);
    int bad = 0;
    for (int b = 0; b < 400; b++) {
        size_t n = 1 + rnd() % 64;
        for (size_t i = 0; i < n; i++) {
            /* mostly short (records, leaves, nodes), some long */
            size_t len = rnd() % 4 == 0 ? rnd() % (2 * MAXLEN) : rnd() % 200;
            size_t off = rnd() % (sizeof data - len);
            jobs[i] = (ks_b2_job){data + off, len, NULL};
        }
        size_t keylen = b % 3 == 0 ? rnd() % (KS_B2_MAX_KEY + 1) : 0;
        bad += compare(impl, n, outs[b % 5], keylen ? key : NULL, keylen, "random");
    }
    CHECK_INT(bad, 0);
}

/* Leaves, tiles (8 levels up) and roots of trees of n = 0..1100 leaves, level by
 * level, equal to ks_merkle_leaf, ks_merkle_root_of and ks_merkle_push/root. */
static void merkle_levels(ks_hash_alg a)
{
    enum { N = 1100, LEN = 64 };
    static uint8_t leaves[N][KS_HASH_SIZE], one[N][KS_HASH_SIZE], h[N][KS_HASH_SIZE];
    static uint8_t in[5 + N * (LEN + 3)];
    for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(rnd() >> 40);
    ks_merkle_leaves(a, in + 5, LEN + 3, LEN, N, leaves);
    for (size_t i = 0; i < N; i++) ks_merkle_leaf(a, in + 5 + i * (LEN + 3), LEN, one[i]);
    CHECK(memcmp(leaves, one, sizeof leaves) == 0);
    /* an input longer than one block after the prefix: hashed one by one */
    uint8_t lo[2][KS_HASH_SIZE], lw[KS_HASH_SIZE];
    ks_merkle_leaves(a, data, 300, 200, 2, lo);
    ks_merkle_leaf(a, data + 300, 200, lw);
    CHECK(memcmp(lo[1], lw, KS_HASH_SIZE) == 0);
    int bad_root = 0, bad_tile = 0;
    for (size_t n = 0; n <= N; n++) {
        uint8_t root[KS_HASH_SIZE];
        ks_merkle_root_of(a, (const uint8_t(*)[KS_HASH_SIZE])leaves, n, root);
        memcpy(h, leaves, n * KS_HASH_SIZE);
        uint64_t nt = ks_merkle_up(a, h, n, 8);
        if (nt != (n + KS_SEAL_TILE - 1) / KS_SEAL_TILE) bad_tile++;
        for (uint64_t t = 0; t < nt; t++) {
            uint64_t k = n - t * KS_SEAL_TILE < KS_SEAL_TILE ? n - t * KS_SEAL_TILE : KS_SEAL_TILE;
            uint8_t tr[KS_HASH_SIZE];
            ks_merkle_root_of(a, (const uint8_t(*)[KS_HASH_SIZE])leaves + t * KS_SEAL_TILE, k, tr);
            if (memcmp(tr, h[t], KS_HASH_SIZE) != 0) bad_tile++;
        }
        uint64_t left = ks_merkle_up(a, h, nt, KS_MERKLE_MAX_PATH);
        if (n == 0 ? left != 0 : (left != 1 || memcmp(h[0], root, KS_HASH_SIZE) != 0)) bad_root++;
        /* all the way up at once gives the same */
        memcpy(h, leaves, n * KS_HASH_SIZE);
        if (n && (ks_merkle_up(a, h, n, 64) != 1 || memcmp(h[0], root, KS_HASH_SIZE) != 0))
            bad_root++;
    }
    CHECK_INT(bad_tile, 0);
    CHECK_INT(bad_root, 0);
    /* zero levels change nothing */
    memcpy(h, leaves, 3 * KS_HASH_SIZE);
    CHECK_INT(ks_merkle_up(a, h, 3, 0), 3);
    CHECK(memcmp(h, leaves, 3 * KS_HASH_SIZE) == 0);
}

int main(void)
{
    CHECK(sodium_init() >= 0);
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(rnd() >> 32);

    /* RFC 7693 appendix A: BLAKE2b-512("abc"); and BLAKE2b-256 of nothing */
    static const char abc512[] = "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                                 "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
    static const char empty256[] =
        "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8";
    int tested = 0;
    for (int impl = KS_B2_SODIUM; impl <= KS_B2_AVX512; impl++) {
        uint8_t o[2][64];
        char hex[129];
        ks_b2_job v[2] = {{"abc", 3, o[0]}, {"", 0, o[1]}};
        if (!ks_blake2b_jobs_with((ks_b2_impl)impl, v, 1, 64, NULL, 0)) {
            printf("%s: not on this CPU\n", impl_name[impl]);
            continue;
        }
        tested++;
        CHECK_STR(sodium_bin2hex(hex, sizeof hex, o[0], 64), abc512);
        /* two jobs of one batch: the lanes, not the one-job shortcut */
        memset(o, 0, sizeof o);
        CHECK(ks_blake2b_jobs_with((ks_b2_impl)impl, v, 2, 64, NULL, 0));
        CHECK_STR(sodium_bin2hex(hex, sizeof hex, o[0], 64), abc512);
        CHECK(ks_blake2b_jobs_with((ks_b2_impl)impl, v, 2, 32, NULL, 0));
        CHECK_STR(sodium_bin2hex(hex, sizeof hex, o[1], 32), empty256);
        v[1].data = NULL; /* nothing at no address is the empty message too */
        memset(o, 0, sizeof o);
        CHECK(ks_blake2b_jobs_with((ks_b2_impl)impl, v, 2, 32, NULL, 0));
        CHECK_STR(sodium_bin2hex(hex, sizeof hex, o[1], 32), empty256);
        /* nothing to do, and arguments out of range */
        CHECK(ks_blake2b_jobs_with((ks_b2_impl)impl, v, 0, 32, NULL, 0));
        CHECK(!ks_blake2b_jobs_with((ks_b2_impl)impl, v, 2, 0, NULL, 0));
        CHECK(!ks_blake2b_jobs_with((ks_b2_impl)impl, v, 2, 65, NULL, 0));
        CHECK(!ks_blake2b_jobs_with((ks_b2_impl)impl, v, 2, 32, "k", 65));
        CHECK(!ks_blake2b_jobs_with((ks_b2_impl)impl, v, 2, 32, NULL, 16));
        every_length((ks_b2_impl)impl);
        random_batches((ks_b2_impl)impl);
        printf("%s: compared with crypto_generichash\n", impl_name[impl]);
    }
    CHECK(tested >= 1);
    /* the automatic choice is one of those */
    ks_b2_impl best = ks_blake2b_best();
    CHECK(best == KS_B2_SODIUM || best == KS_B2_AVX2 || best == KS_B2_AVX512);
    printf("best here: %s\n", impl_name[best]);
    merkle_levels(KS_HASH_BLAKE2B256);
    merkle_levels(KS_HASH_SHA256);
    return ks_test_done();
}
