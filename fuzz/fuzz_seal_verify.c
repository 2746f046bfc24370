/* Fuzz target: the sealed archive's verifier (src/seal/verify.c, format.c, prove.c)
 * over damaged archives. The input is one or two days of an archive, their files
 * separated by "\xffKS\xff" in the order checkpoint, records, files, 00000000.zst,
 * 00000001.zst (fuzz/gen_seal_corpus.py packs real sealed days this way); they are
 * written to a scratch folder and verified with the key the first checkpoint names
 * (so undamaged days pass and damage deeper in is reached). The raw input is also
 * read as a checkpoint, as a proof and as a public key. */
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
    for (int d = 0; d < 2; d++) {
        for (int i = 0; i < 5; i++) {
            char path[512];
            snprintf(path, sizeof path, "%s/days/%s/%s", scratch, days[d], names[i]);
            unlink(path);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scratch[0]) {
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
    /* split into at most 10 parts: day 1's five files, then day 2's */
    size_t at = 0;
    int part = 0;
    while (part < 10) {
        size_t end = at;
        while (end + 4 <= size && memcmp(data + end, "\xffKS\xff", 4) != 0) end++;
        if (end + 4 > size) end = size;
        put(days[part / 5], names[part % 5], data + at, end - at);
        part++;
        if (end >= size) break;
        at = end + 4;
    }
    if (part <= 5) { /* one day only: the second folder must not be there */
        char p[300];
        snprintf(p, sizeof p, "%s/days/%s", scratch, days[1]);
        rmdir(p);
    }
    /* the key the first checkpoint names, so that undamaged days verify and the
     * fuzzer reaches the second day; a fixed key when there is none */
    uint8_t key[KS_SEAL_KEY_SIZE];
    memset(key, 0x5a, sizeof key);
    size_t first_len = 0;
    while (first_len + 4 <= size && memcmp(data + first_len, "\xffKS\xff", 4) != 0) first_len++;
    if (first_len + 4 > size) first_len = size;
    ks_checkpoint c0;
    char why0[160];
    if (ks_checkpoint_parse(data, first_len, &c0, why0, sizeof why0) == KS_OK)
        memcpy(key, c0.key, sizeof key);
    ks_verify_result r;
    if (ks_seal_verify(scratch, key, INT64_MIN, &r) == KS_OK)
        sink += r.intact + r.days + r.records + r.files + strlen(r.what) + strlen(r.file) +
                (size_t)r.rec_first;
    if (part <= 5) {
        char p[300];
        snprintf(p, sizeof p, "%s/days/%s", scratch, days[1]);
        mkdir(p, 0700);
    }
    /* the same bytes as a checkpoint, a proof, a key */
    ks_checkpoint c;
    char why[160];
    if (ks_checkpoint_parse(data, size, &c, why, sizeof why) == KS_OK)
        sink += c.records + c.files + c.has_week + c.has_month;
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
