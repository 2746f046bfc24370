/* The sealed archive's day keys: a one-way chain of seeds (the signing key file
 * holds the seed of the next day only), each day's Ed25519 key derived from its
 * seed, and every day key certified once, at creation, by the archive key, whose
 * secret half is erased right after. A day's checkpoint and its certificate are
 * then checkable with the archive key alone (docs/seal.md, "Forward security"). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seal/seal_internal.h"

#define KDF_CONTEXT "kensaday" /* crypto_kdf: 8 bytes */
#define KDF_SIGN 1
#define KDF_NEXT 2
#define CERT_DOMAIN "kensa day key v2" /* 16 bytes, then day, sequence, key */
#define CERT_MSG (16 + 8 + 4 + 32)

void ks_seal_seed_next(const uint8_t s[32], uint8_t out[32])
{
    uint8_t t[32];
    crypto_kdf_derive_from_key(t, sizeof t, KDF_NEXT, KDF_CONTEXT, s);
    memcpy(out, t, 32);
    sodium_memzero(t, sizeof t);
}

void ks_seal_seed_keypair(const uint8_t s[32], uint8_t pk[32], uint8_t sk[64])
{
    uint8_t k[crypto_sign_SEEDBYTES];
    crypto_kdf_derive_from_key(k, sizeof k, KDF_SIGN, KDF_CONTEXT, s);
    crypto_sign_seed_keypair(pk, sk, k);
    sodium_memzero(k, sizeof k);
}

static void cert_message(int64_t day, uint32_t seq, const uint8_t pk[32], uint8_t m[CERT_MSG])
{
    memcpy(m, CERT_DOMAIN, 16);
    ks_put_u64(m + 16, (uint64_t)day);
    ks_put_u32(m + 24, seq);
    memcpy(m + 28, pk, 32);
}

bool ks_seal_cert_check(const uint8_t archive[KS_SEAL_KEY_SIZE], int64_t day, uint64_t seq,
                        const uint8_t pk[KS_SEAL_KEY_SIZE], const uint8_t cert[KS_SEAL_CERT_SIZE])
{
    if (seq > UINT32_MAX) return false;
    uint8_t m[CERT_MSG];
    cert_message(day, (uint32_t)seq, pk, m);
    return crypto_sign_verify_detached(cert, m, sizeof m, archive) == 0;
}

/* ---- the seed file ------------------------------------------------------------- */

ks_status ks_seal_seed_read(const char *path, ks_seal_seed *seed)
{
    uint8_t *d = NULL;
    size_t n = 0;
    ks_status st = ks_seal_slurp(path, 4096, &d, &n);
    if (st != KS_OK) return st;
    st = n == KS_SEAL_SEED_SIZE && memcmp(d, KS_SEAL_SEED_MAGIC, 8) == 0 ? KS_OK : KS_ERR_FORMAT;
    if (st == KS_OK) {
        memcpy(seed->archive, d + 8, 32);
        seed->index = ks_get_u32(d + 40);
        memcpy(seed->s, d + 44, 32);
    }
    sodium_memzero(d, n);
    free(d);
    return st;
}

ks_status ks_seal_seed_write(const char *path, const ks_seal_seed *seed, ks_diag *diag)
{
    uint8_t d[KS_SEAL_SEED_SIZE];
    memcpy(d, KS_SEAL_SEED_MAGIC, 8);
    memcpy(d + 8, seed->archive, 32);
    ks_put_u32(d + 40, seed->index);
    memcpy(d + 44, seed->s, 32);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        sodium_memzero(d, sizeof d);
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
    }
    bool ok = write(fd, d, sizeof d) == (ssize_t)sizeof d && (!ks_seal_sync || fsync(fd) == 0);
    sodium_memzero(d, sizeof d);
    if (close(fd) != 0) ok = false;
    return ok ? KS_OK : ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot write the signing key");
}

/* ---- DIR/keys ------------------------------------------------------------------- */

/* What the archive key signs over the list: BLAKE2b-256 of everything but the
 * signature (the magic in front keeps it apart from a certificate's message). */
static void keys_digest(const uint8_t *data, size_t n, uint8_t out[KS_HASH_SIZE])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, KS_HASH_SIZE);
    crypto_generichash_update(&st, data, KS_SEAL_KEYS_HEAD - 64);
    crypto_generichash_update(&st, data + KS_SEAL_KEYS_HEAD, n - KS_SEAL_KEYS_HEAD);
    crypto_generichash_final(&st, out, KS_HASH_SIZE);
}

ks_status ks_seal_keys_create(const char *dir, int64_t first_day, uint32_t count,
                              ks_seal_seed *seed, ks_diag *diag)
{
    if (count < 1 || count > KS_SEAL_MAX_KEY_DAYS)
        return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "days of keys: 1 to %u", KS_SEAL_MAX_KEY_DAYS);
    size_t n = KS_SEAL_KEYS_HEAD + (size_t)count * KS_SEAL_KEYS_ENTRY;
    uint8_t *d = malloc(n);
    if (!d) return KS_ERR_NOMEM;
    uint8_t apk[32], ask[64], s[32], pk[32], sk[64], m[CERT_MSG];
    crypto_sign_keypair(apk, ask);
    randombytes_buf(s, sizeof s);
    memcpy(seed->archive, apk, 32);
    seed->index = 0;
    memcpy(seed->s, s, 32);
    memcpy(d, KS_SEAL_KEYS_MAGIC, 8);
    memcpy(d + 8, apk, 32);
    ks_put_u64(d + 40, (uint64_t)first_day);
    ks_put_u32(d + 48, count);
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = d + KS_SEAL_KEYS_HEAD + (size_t)i * KS_SEAL_KEYS_ENTRY;
        ks_seal_seed_keypair(s, pk, sk);
        cert_message(first_day + i, i, pk, m);
        memcpy(e, pk, 32);
        crypto_sign_detached(e + 32, NULL, m, sizeof m, ask);
        ks_seal_seed_next(s, s);
    }
    uint8_t h[KS_HASH_SIZE];
    keys_digest(d, n, h);
    crypto_sign_detached(d + KS_SEAL_KEYS_HEAD - 64, NULL, h, sizeof h, ask);
    /* the archive key's secret and the later seeds are never written anywhere */
    sodium_memzero(ask, sizeof ask);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(s, sizeof s);
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/keys", dir);
    snprintf(tmp, sizeof tmp, "%s/.keys.tmp", dir);
    ks_status st = ks_seal_write_file(tmp, d, n, diag);
    free(d);
    if (st == KS_OK && rename(tmp, path) != 0)
        st = ks_diag_set(diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
    return st;
}

ks_status ks_seal_keys_parse(uint8_t *data, size_t n, ks_seal_keys *k, char *why, size_t why_n)
{
    memset(k, 0, sizeof *k);
    k->data = data;
    k->n = n;
    if (n < KS_SEAL_KEYS_HEAD || memcmp(data, KS_SEAL_KEYS_MAGIC, 8) != 0) {
        snprintf(why, why_n, "not a list of day keys");
        return KS_ERR_FORMAT;
    }
    memcpy(k->archive, data + 8, 32);
    k->first_day = (int64_t)ks_get_u64(data + 40);
    k->count = ks_get_u32(data + 48);
    memcpy(k->sig, data + KS_SEAL_KEYS_HEAD - 64, 64);
    if (k->count < 1 || k->count > KS_SEAL_MAX_KEY_DAYS ||
        n != KS_SEAL_KEYS_HEAD + (size_t)k->count * KS_SEAL_KEYS_ENTRY) {
        snprintf(why, why_n, "the list of day keys has the wrong size (%zu bytes)", n);
        return KS_ERR_FORMAT;
    }
    return KS_OK;
}

ks_status ks_seal_keys_load(const char *dir, ks_seal_keys *k, char *why, size_t why_n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/keys", dir);
    uint8_t *d = NULL;
    size_t n = 0;
    memset(k, 0, sizeof *k);
    size_t max = KS_SEAL_KEYS_HEAD + (size_t)KS_SEAL_MAX_KEY_DAYS * KS_SEAL_KEYS_ENTRY;
    ks_status st = ks_seal_slurp(path, max, &d, &n);
    if (st != KS_OK) {
        snprintf(why, why_n, "%s",
                 st == KS_ERR_LIMIT ? "the list of day keys is too large"
                                    : "the list of day keys cannot be read");
        return st == KS_ERR_LIMIT ? KS_ERR_FORMAT : st;
    }
    return ks_seal_keys_parse(d, n, k, why, why_n);
}

void ks_seal_keys_free(ks_seal_keys *k)
{
    free(k->data);
    memset(k, 0, sizeof *k);
}

const uint8_t *ks_seal_keys_pk(const ks_seal_keys *k, uint32_t i)
{
    return k->data + KS_SEAL_KEYS_HEAD + (size_t)i * KS_SEAL_KEYS_ENTRY;
}

const uint8_t *ks_seal_keys_cert(const ks_seal_keys *k, uint32_t i)
{
    return ks_seal_keys_pk(k, i) + 32;
}

bool ks_seal_keys_signed(const ks_seal_keys *k)
{
    uint8_t h[KS_HASH_SIZE];
    keys_digest(k->data, k->n, h);
    return crypto_sign_verify_detached(k->sig, h, sizeof h, k->archive) == 0;
}

uint32_t ks_seal_keys_first_bad(const ks_seal_keys *k, uint32_t from)
{
    for (uint32_t i = from; i < k->count; i++)
        if (!ks_seal_cert_check(k->archive, k->first_day + i, i, ks_seal_keys_pk(k, i),
                                ks_seal_keys_cert(k, i)))
            return i;
    return k->count;
}
