/* Merkle trees against RFC 6962's reference vectors (certificate-transparency's
 * eight leaves: roots of every size, audit paths), then every leaf of every tree up
 * to 300 leaves, tiles against whole trees, and damaged paths that must not hold. */
#include <sodium.h>

#include "harness.h"
#include "kensa/seal.h"

static const char *leaf_hex[8] = {"",
                                  "00",
                                  "10",
                                  "2021",
                                  "3031",
                                  "40414243",
                                  "5051525354555657",
                                  "606162636465666768696a6b6c6d6e6f"};

static const char *root_hex[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static const struct {
    uint64_t i, n;
    unsigned len;
    const char *path[3];
} paths[] = {
    {0, 1, 0, {0}},
    {0,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static void hex(const uint8_t *h, char out[65])
{
    sodium_bin2hex(out, 65, h, KS_HASH_SIZE);
}

static void leaves_of(ks_hash_alg a, uint64_t n, uint8_t (*out)[KS_HASH_SIZE])
{
    for (uint64_t i = 0; i < n; i++) {
        uint8_t d[8];
        for (int b = 0; b < 8; b++) d[b] = (uint8_t)(i >> (8 * b));
        ks_merkle_leaf(a, d, sizeof d, out[i]);
    }
}

static void test_vectors(void)
{
    uint8_t leaves[8][KS_HASH_SIZE], root[KS_HASH_SIZE];
    char h[65];
    for (int i = 0; i < 8; i++) {
        uint8_t d[16];
        size_t n = 0;
        CHECK(sodium_hex2bin(d, sizeof d, leaf_hex[i], strlen(leaf_hex[i]), NULL, &n, NULL) == 0);
        ks_merkle_leaf(KS_HASH_SHA256, d, n, leaves[i]);
    }
    for (int n = 0; n <= 8; n++) {
        ks_merkle_root_of(KS_HASH_SHA256, leaves, (uint64_t)n, root);
        hex(root, h);
        CHECK_STR(h, root_hex[n]);
    }
    for (size_t t = 0; t < sizeof paths / sizeof paths[0]; t++) {
        uint8_t p[KS_MERKLE_MAX_PATH][KS_HASH_SIZE];
        unsigned len = 99;
        CHECK_INT(ks_merkle_path(KS_HASH_SHA256, leaves, paths[t].n, paths[t].i, p, &len), KS_OK);
        CHECK_INT(len, paths[t].len);
        for (unsigned k = 0; k < len && k < 3; k++) {
            hex(p[k], h);
            CHECK_STR(h, paths[t].path[k]);
        }
        CHECK_INT(ks_merkle_root_from_path(KS_HASH_SHA256, leaves[paths[t].i], paths[t].i,
                                           paths[t].n, (const uint8_t(*)[KS_HASH_SIZE])p, len,
                                           root),
                  KS_OK);
        hex(root, h);
        CHECK_STR(h, root_hex[paths[t].n]);
    }
}

/* Every leaf of every tree of 1..300 leaves proves against the root; a flipped bit,
 * a wrong index or a cut path does not. (The size is not checked here: it is signed
 * in the checkpoint beside the root, and some sizes share a path shape.) */
static void test_all_paths(ks_hash_alg a)
{
    enum { N = 300 };
    static uint8_t leaves[N][KS_HASH_SIZE];
    leaves_of(a, N, leaves);
    int bad = 0, wrong_accepted = 0;
    for (uint64_t n = 1; n <= N; n++) {
        uint8_t root[KS_HASH_SIZE], got[KS_HASH_SIZE];
        ks_merkle_root_of(a, leaves, n, root);
        for (uint64_t i = 0; i < n; i++) {
            uint8_t p[KS_MERKLE_MAX_PATH][KS_HASH_SIZE];
            unsigned len;
            const uint8_t(*cp)[KS_HASH_SIZE] = (const uint8_t(*)[KS_HASH_SIZE])p;
            if (ks_merkle_path(a, leaves, n, i, p, &len) != KS_OK) bad++;
            if (ks_merkle_root_from_path(a, leaves[i], i, n, cp, len, got) != KS_OK ||
                memcmp(got, root, KS_HASH_SIZE) != 0)
                bad++;
            if (n % 37 != 1 && n != N) continue; /* the damaged cases on some sizes */
            for (unsigned k = 0; k < len; k++) {
                p[k][k % 32] ^= 1;
                if (ks_merkle_root_from_path(a, leaves[i], i, n, cp, len, got) == KS_OK &&
                    memcmp(got, root, KS_HASH_SIZE) == 0)
                    wrong_accepted++;
                p[k][k % 32] ^= 1;
            }
            if (i + 1 < n &&
                ks_merkle_root_from_path(a, leaves[i], i + 1, n, cp, len, got) == KS_OK &&
                memcmp(got, root, KS_HASH_SIZE) == 0)
                wrong_accepted++;
            if (len > 0 &&
                ks_merkle_root_from_path(a, leaves[i], i, n, cp, len - 1, got) == KS_OK &&
                memcmp(got, root, KS_HASH_SIZE) == 0)
                wrong_accepted++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(wrong_accepted, 0);
}

/* The archive stores the root of every 256 records (a tile): the tiles and the last
 * partial tile must give the same root as all the leaves. */
static void test_tiles(void)
{
    enum { N = 256 * 5 + 77 };
    static uint8_t leaves[N][KS_HASH_SIZE];
    leaves_of(KS_HASH_BLAKE2B256, N, leaves);
    uint64_t sizes[] = {0, 1, 255, 256, 257, 512, 700, 1024, 1100, N};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n = sizes[s];
        uint8_t want[KS_HASH_SIZE], got[KS_HASH_SIZE], tail[KS_HASH_SIZE];
        ks_merkle_root_of(KS_HASH_BLAKE2B256, leaves, n, want);
        ks_merkle tiles;
        ks_merkle_init(&tiles, KS_HASH_BLAKE2B256);
        uint64_t full = n / KS_SEAL_TILE;
        for (uint64_t t = 0; t < full; t++) {
            uint8_t h[KS_HASH_SIZE];
            ks_merkle_root_of(KS_HASH_BLAKE2B256, leaves + t * KS_SEAL_TILE, KS_SEAL_TILE, h);
            ks_merkle_push(&tiles, h);
        }
        if (n % KS_SEAL_TILE) {
            ks_merkle_root_of(KS_HASH_BLAKE2B256, leaves + full * KS_SEAL_TILE, n % KS_SEAL_TILE,
                              tail);
            ks_merkle_root(&tiles, tail, got);
        } else {
            ks_merkle_root(&tiles, NULL, got);
        }
        if (n == 0) ks_hash(KS_HASH_BLAKE2B256, "", 0, got);
        CHECK(memcmp(want, got, KS_HASH_SIZE) == 0);
    }
}

/* An audit path for one record among 2^30 is 30 hashes: 960 bytes. */
static void test_path_length(void)
{
    uint8_t leaf[KS_HASH_SIZE] = {1}, path[30][KS_HASH_SIZE], out[KS_HASH_SIZE];
    memset(path, 7, sizeof path);
    uint64_t n = 1ull << 30;
    CHECK_INT(ks_merkle_root_from_path(KS_HASH_BLAKE2B256, leaf, 12345, n,
                                       (const uint8_t(*)[KS_HASH_SIZE])path, 30, out),
              KS_OK);
    CHECK(ks_merkle_root_from_path(KS_HASH_BLAKE2B256, leaf, 12345, n,
                                   (const uint8_t(*)[KS_HASH_SIZE])path, 29, out) != KS_OK);
    CHECK_INT(sizeof path, 960);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    test_vectors();
    test_all_paths(KS_HASH_SHA256);
    test_all_paths(KS_HASH_BLAKE2B256);
    test_tiles();
    test_path_length();
    return ks_test_done();
}
