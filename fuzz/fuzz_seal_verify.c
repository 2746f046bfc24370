/* Fuzz target: the sealed archive's verifier (src/seal/verify.c, format.c, prove.c,
 * keys.c) over damaged archives. The input is the archive key (32 bytes), then one
 * or two days of an archive, their files in the order checkpoint, records, files,
 * 00000000.zst, 00000001.zst, then the list of day keys, all separated by
 * "\xffKS\xff" (fuzz/gen_seal_corpus.py packs real sealed days this way); they are
 * written to a scratch folder and verified with that key (so undamaged days pass
 * and damage deeper in is reached). The raw input is also read as a checkpoint (text
 * and binary), as a proof, as a list of day keys and as an archive key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kensa/seal.h"
#include "seal/seal_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;
static char scratch[256];

static const char *const names[] = {"checkpoint", "records", "files", "00000000.zst",
                                    "00000001.zst"};
static const char *const days[] = {"2026-01-01", "2026-01-02"};

static void put(const char *day, const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/days/%s/%s", scratch, day, name);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

static void clear(void)
{
    char keys[300];
    snprintf(keys, sizeof keys, "%s/keys", scratch);
    unlink(keys);
    for (int d = 0; d < 2; d++) {
        for (int i = 0; i < 5; i++) {
            char path[512];
            snprintf(path, sizeof path, "%s/days/%s/%s", scratch, days[d], names[i]);
            unlink(path);
        }
    }
}

/* The scratch folder goes when the process ends (a replay leaves nothing in /tmp). */
static void remove_scratch(void)
{
    clear();
    char p[300];
    for (int d = 0; d < 2; d++) {
        snprintf(p, sizeof p, "%s/days/%s", scratch, days[d]);
        rmdir(p);
    }
    snprintf(p, sizeof p, "%s/days", scratch);
    rmdir(p);
    rmdir(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scratch[0]) {
        atexit(remove_scratch);
        snprintf(scratch, sizeof scratch, "/tmp/kensa-fuzz-seal.%d", (int)getpid());
        mkdir(scratch, 0700);
        char p[300];
        snprintf(p, sizeof p, "%s/days", scratch);
        mkdir(p, 0700);
        for (int d = 0; d < 2; d++) {
            snprintf(p, sizeof p, "%s/days/%s", scratch, days[d]);
            mkdir(p, 0700);
        }
    }
    clear();
    /* the archive key; a fixed one when the first part is not 32 bytes */
    uint8_t key[KS_SEAL_KEY_SIZE];
    memset(key, 0x5a, sizeof key);
    size_t at = 0;
    while (at + 4 <= size && memcmp(data + at, "\xffKS\xff", 4) != 0) at++;
    if (at + 4 > size) at = size;
    if (at == KS_SEAL_KEY_SIZE) memcpy(key, data, sizeof key);
    at = at < size ? at + 4 : size;
    /* then at most 11 parts: day 1's five files, day 2's, the list of day keys */
    int part = 0;
    while (part < 11 && at < size) {
        size_t end = at;
        while (end + 4 <= size && memcmp(data + end, "\xffKS\xff", 4) != 0) end++;
        if (end + 4 > size) end = size;
        if (part < 10) {
            put(days[part / 5], names[part % 5], data + at, end - at);
        } else {
            char kp[300];
            snprintf(kp, sizeof kp, "%s/keys", scratch);
            FILE *f = fopen(kp, "wb");
            if (f) {
                if (end > at) fwrite(data + at, 1, end - at, f);
                fclose(f);
            }
        }
        part++;
        if (end >= size) break;
        at = end + 4;
    }
    if (part <= 5) { /* one day only: the second folder must not be there */
        char p[300];
        snprintf(p, sizeof p, "%s/days/%s", scratch, days[1]);
        rmdir(p);
    }
    ks_verify_result r;
    if (ks_seal_verify(scratch, key, INT64_MIN, &r) == KS_OK)
        sink += r.intact + r.days + r.records + r.files + strlen(r.what) + strlen(r.file) +
                (size_t)r.rec_first;
    if (part <= 5) {
        char p[300];
        snprintf(p, sizeof p, "%s/days/%s", scratch, days[1]);
        mkdir(p, 0700);
    }
    /* the same bytes as a checkpoint (text, binary), a proof, a list of keys, a key */
    ks_checkpoint c;
    char why[160];
    if (ks_checkpoint_parse(data, size, &c, why, sizeof why) == KS_OK)
        sink += c.records + c.files + c.has_week + c.has_month;
    size_t used = 0;
    if (ks_checkpoint_decode(data, size, &c, &used) == KS_OK) {
        ks_buf b = {0};
        ks_checkpoint_body(&c, &b);
        sink += b.len + used;
        ks_buf_free(&b);
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (copy) {
        if (size) memcpy(copy, data, size);
        ks_seal_keys k;
        if (ks_seal_keys_parse(copy, size, &k, why, sizeof why) == KS_OK)
            sink += ks_seal_keys_signed(&k) + ks_seal_keys_first_bad(&k, 0);
        ks_seal_keys_free(&k); /* frees copy */
    }
    ks_seal_proof_info info;
    ks_diag d = {0};
    if (ks_seal_verify_proof(data, size, key, &info, &d) == KS_OK) abort(); /* cannot hold */
    sink += strlen(d.what);
    if (size < 200) {
        char text[256];
        memcpy(text, data, size);
        text[size] = 0;
        if (!memchr(data, '/', size) && ks_seal_key_parse(text, key) == KS_OK) sink += key[0];
    }
    return 0;
}
