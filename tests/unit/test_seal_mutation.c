/* The sealed archive under attack: a year sealed in two runs (the simulated day's
 * .evtx files and a year of synthetic VPN syslog), then every tampering the issue
 * names, each undone after its check: bit flips in sampled sealed bytes of every
 * kind of file, records deleted / inserted / reordered / duplicated, an original
 * file edited, truncated then continued (CVE-2023-31438), a day resealed with a
 * later key (CVE-2023-31439), days removed or swapped, checkpoints rolled back, the
 * list of day keys altered, a day's key replaced. Every case must fail and name the
 * day (and the records, where they are known); the untouched archive must verify,
 * before and after: zero false alarms. Proofs: the same size on day 1 and day 300,
 * 1,358 bytes for a record in a day of 2^30 records, and every forged one refused. */
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "harness.h"
#include "kensa/seal.h"
#include "kensa/simulate.h"
#include "kensa/time.h"
#include "seal/seal_internal.h"

#define NS_DAY 86400000000000ll

static char root[4096], arc[4200], ev1[4200], ev2[4200];
static uint8_t key[KS_SEAL_KEY_SIZE];
static int64_t day0; /* the first day of the archive */
static int cases, caught, named;

static int64_t day_of(int64_t ns)
{
    return ns / NS_DAY - (ns % NS_DAY < 0);
}

static void path_of(int64_t day, const char *leaf, char *out, size_t cap)
{
    char d[16];
    ks_seal_day_format(day, d);
    snprintf(out, cap, "%s/days/%s/%s", arc, d, leaf);
}

static void write_all(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(p, 1, n, f) == n);
    fclose(f);
}

/* Syslog lines (RFC 5424, UTC) for days [from, to): `per_day` lines a day, none on
 * days divisible by 29 (empty days are sealed too), 700 on day from + 50. */
static void write_syslog(const char *path, int64_t from, int64_t to, int per_day)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    for (int64_t d = from; d < to; d++) {
        int n = (d - from) == 50 ? 700 : ((d % 29) == 0 ? 0 : per_day);
        for (int i = 0; i < n; i++) {
            int64_t s = d * 86400 + (int64_t)i * 86000 / (n ? n : 1);
            ks_buf b = {0};
            ks_time_format(&b, s * 1000000000ll, 0);
            fprintf(f,
                    "<134>1 %.*s vpn01 sshd 77 - - Failed password for user%d from "
                    "198.51.100.%d port %d ssh2\n",
                    (int)b.len, b.data, i % 13, (int)(d % 200), 30000 + i);
            ks_buf_free(&b);
        }
    }
    fclose(f);
}

/* Verify, and count the case as caught when the archive is not intact and the
 * named day is `day` (and, when want_rec is given, the range holds it). */
static void expect_caught(const char *what, int64_t day, uint64_t want_rec, int64_t until)
{
    ks_verify_result r;
    cases++;
    CHECK_INT(ks_seal_verify(arc, key, until, &r), KS_OK);
    if (r.intact) {
        fprintf(stderr, "MISSED: %s\n", what);
        return;
    }
    caught++;
    bool ok = r.bad_day == day;
    if (want_rec != UINT64_MAX)
        ok = ok && r.rec_first != UINT64_MAX && r.rec_first <= want_rec && want_rec <= r.rec_last;
    if (ok) {
        named++;
    } else {
        char a[16], b[16];
        ks_seal_day_format(r.bad_day, a);
        ks_seal_day_format(day, b);
        fprintf(stderr, "WRONG PLACE: %s: named %s records %lld-%lld (%s), expected %s rec %lld\n",
                what, a, (long long)r.rec_first, (long long)r.rec_last, r.what, b,
                (long long)want_rec);
    }
}

static void expect_intact(const char *when)
{
    ks_verify_result r;
    CHECK_INT(ks_seal_verify(arc, key, INT64_MIN, &r), KS_OK);
    if (!r.intact) fprintf(stderr, "FALSE ALARM (%s): %s\n", when, r.what);
    CHECK(r.intact);
    CHECK_INT(r.first_day, day0);
    CHECK_INT(r.days, 365);
}

/* ---- bit flips ------------------------------------------------------------------- */

typedef struct sealed_file {
    char path[4800];
    int64_t day;
    size_t size;
} sealed_file;

static sealed_file *list_sealed(size_t *n)
{
    sealed_file *v = NULL;
    size_t cap = 0;
    *n = 0;
    for (int64_t d = day0; d < day0 + 365; d++) {
        char dir[4400];
        path_of(d, "", dir, sizeof dir);
        DIR *dd = opendir(dir);
        if (!dd) continue;
        struct dirent *e;
        while ((e = readdir(dd)) != NULL) {
            if (e->d_name[0] == '.') continue;
            if (*n == cap) {
                cap = cap ? cap * 2 : 256;
                v = realloc(v, cap * sizeof *v);
            }
            snprintf(v[*n].path, sizeof v[*n].path, "%s/%s", dir, e->d_name);
            struct stat st;
            stat(v[*n].path, &st);
            v[*n].size = (size_t)st.st_size;
            v[*n].day = d;
            (*n)++;
        }
        closedir(dd);
    }
    return v;
}

static void flip_bits(void)
{
    size_t n;
    sealed_file *f = list_sealed(&n);
    const char *kinds[] = {"checkpoint", "records", "files", ".zst"};
    uint64_t seed = 12345;
    int per_kind = 40;
    for (int k = 0; k < 4; k++) {
        int done = 0;
        for (int tries = 0; done < per_kind && tries < 100000; tries++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            sealed_file *s = &f[(seed >> 33) % n];
            if (!strstr(s->path, kinds[k]) || s->size == 0) continue;
            size_t len;
            uint8_t *d = ks_test_slurp(s->path, &len);
            if (!d) continue;
            size_t at = (size_t)((seed >> 11) % len);
            int bit = (int)((seed >> 5) & 7);
            d[at] ^= (uint8_t)(1u << bit);
            write_all(s->path, d, len);
            char what[4900];
            snprintf(what, sizeof what, "bit %d of byte %zu of %s", bit, at, s->path);
            expect_caught(what, s->day, UINT64_MAX, INT64_MIN);
            d[at] ^= (uint8_t)(1u << bit);
            write_all(s->path, d, len);
            free(d);
            done++;
        }
        CHECK_INT(done, per_kind);
    }
    free(f);
}

/* ---- records ----------------------------------------------------------------------- */

static uint8_t *load_records(int64_t day, size_t *n, char *path, size_t cap)
{
    path_of(day, "records", path, cap);
    return ks_test_slurp(path, n);
}

/* Rewrite a day's records with entry k removed (or duplicated, or swapped with k+1,
 * or a forged entry inserted), tiles left as they were. */
static void mutate_records(int64_t day, uint64_t k, const char *how)
{
    char path[4400];
    size_t n;
    uint8_t *d = load_records(day, &n, path, sizeof path);
    CHECK(d != NULL);
    if (!d) return;
    uint64_t count = ks_get_u64(d + 8);
    CHECK(k + 1 < count);
    uint8_t *e = d + 16;
    size_t es = KS_SEAL_ENTRY_SIZE, tail_at = 16 + count * es;
    ks_buf b = {0};
    ks_buf_append(&b, d, 8);
    uint8_t u[8];
    if (!strcmp(how, "deleted")) {
        ks_put_u64(u, count - 1);
        ks_buf_append(&b, u, 8);
        ks_buf_append(&b, e, k * es);
        ks_buf_append(&b, e + (k + 1) * es, (count - k - 1) * es);
    } else if (!strcmp(how, "duplicated") || !strcmp(how, "inserted")) {
        ks_put_u64(u, count + 1);
        ks_buf_append(&b, u, 8);
        ks_buf_append(&b, e, (k + 1) * es);
        uint8_t extra[KS_SEAL_ENTRY_SIZE];
        memcpy(extra, e + k * es, es);
        if (!strcmp(how, "inserted")) {
            /* a forged record: the next one's bytes, with a new record id and time */
            memcpy(extra, e + (k + 1) * es, es);
            ks_put_u64(extra + 24, 999999);
            ks_put_u64(extra + 16, ks_get_u64(extra + 16) + 1000000000ull);
        }
        ks_buf_append(&b, extra, es);
        ks_buf_append(&b, e + (k + 1) * es, (count - k - 1) * es);
    } else { /* reordered */
        ks_buf_append(&b, d + 8, 8);
        ks_buf_append(&b, e, k * es);
        ks_buf_append(&b, e + (k + 1) * es, es);
        ks_buf_append(&b, e + k * es, es);
        ks_buf_append(&b, e + (k + 2) * es, (count - k - 2) * es);
    }
    ks_buf_append(&b, d + tail_at, n - tail_at);
    write_all(path, b.data, b.len);
    char what[256];
    snprintf(what, sizeof what, "record %llu %s", (unsigned long long)k, how);
    expect_caught(what, day, k, INT64_MIN);
    write_all(path, d, n);
    ks_buf_free(&b);
    free(d);
}

/* ---- original files ---------------------------------------------------------------- */

/* The stored copy of file `id` (in `day`) replaced by edit(original); the files list
 * updated to match, as an attacker who knows the format would. */
typedef void (*edit_fn)(ks_buf *out, const uint8_t *orig, size_t n);

static void edit_stored(int64_t day, uint32_t id, edit_fn edit, const char *what)
{
    char zpath[4400], fpath[4400], leaf[32];
    snprintf(leaf, sizeof leaf, "%08u.zst", id);
    path_of(day, leaf, zpath, sizeof zpath);
    path_of(day, "files", fpath, sizeof fpath);
    size_t zn, fn;
    uint8_t *z = ks_test_slurp(zpath, &zn), *fl = ks_test_slurp(fpath, &fn);
    CHECK(z && fl);
    if (!z || !fl) return;
    unsigned long long cs = ZSTD_getFrameContentSize(z, zn);
    uint8_t *orig = malloc(cs + 1);
    CHECK(ZSTD_decompress(orig, cs, z, zn) == cs);
    ks_buf nb = {0};
    edit(&nb, orig, cs);
    size_t cap = ZSTD_compressBound(nb.len);
    uint8_t *nz = malloc(cap);
    size_t nzn = ZSTD_compress(nz, cap, nb.data, nb.len, 3);
    write_all(zpath, nz, nzn);
    /* fix the list: find the entry of id, put the new sizes and hashes in */
    uint8_t *copy = malloc(fn);
    memcpy(copy, fl, fn);
    size_t at = 12;
    for (uint32_t i = 0; i < ks_get_u32(fl + 8); i++) {
        size_t nl = (size_t)copy[at + 84] | (size_t)copy[at + 85] << 8;
        if (ks_get_u32(copy + at) == id) {
            ks_put_u64(copy + at + 4, nb.len);
            ks_hash(KS_HASH_BLAKE2B256, nb.data, nb.len, copy + at + 12);
            ks_put_u64(copy + at + 44, nzn);
            ks_hash(KS_HASH_BLAKE2B256, nz, nzn, copy + at + 52);
        }
        at += KS_SEAL_FILE_FIXED + nl;
    }
    write_all(fpath, copy, fn);
    expect_caught(what, day, UINT64_MAX, INT64_MIN);
    write_all(zpath, z, zn);
    write_all(fpath, fl, fn);
    free(copy);
    free(nz);
    ks_buf_free(&nb);
    free(orig);
    free(z);
    free(fl);
}

static void drop_line(ks_buf *out, const uint8_t *p, size_t n) /* the 1000th line removed */
{
    size_t start = 0, line = 1;
    while (line < 1000 && start < n) {
        const uint8_t *nl = memchr(p + start, '\n', n - start);
        if (!nl) break;
        start = (size_t)(nl - p) + 1;
        line++;
    }
    const uint8_t *nl = memchr(p + start, '\n', n - start);
    size_t end = nl ? (size_t)(nl - p) + 1 : n;
    ks_buf_append(out, p, start);
    ks_buf_append(out, p + end, n - end);
}

static void truncate_continue(ks_buf *out, const uint8_t *p, size_t n)
{
    ks_buf_append(out, p, n / 2);
    const char more[] = "<134>1 2025-06-01T00:00:00Z vpn01 sshd 77 - - Accepted password for "
                        "admin from 203.0.113.9 port 1 ssh2\n";
    ks_buf_append(out, more, sizeof more - 1);
    ks_buf_append(out, p + n / 2 + 200, n - n / 2 - 200);
}

static void evtx_record_zeroed(ks_buf *out, const uint8_t *p, size_t n)
{
    ks_buf_append(out, p, n);
    if (n > 8192) memset(out->data + 4096 + 512 + 100, 0, 64); /* inside the first records */
}

/* ---- checkpoints and keys --------------------------------------------------------- */

/* The key of the next day to seal, as whoever takes the sealing machine has it: from
 * the seed in signing.key, with its certificate from the list of day keys. */
static void later_key(uint8_t pk[32], uint8_t sk[64], uint8_t cert[64], uint32_t *index)
{
    char kpath[4300];
    snprintf(kpath, sizeof kpath, "%s/signing.key", arc);
    ks_seal_seed sd;
    CHECK_INT(ks_seal_seed_read(kpath, &sd), KS_OK);
    ks_seal_seed_keypair(sd.s, pk, sk);
    ks_seal_keys k;
    char why[160];
    CHECK_INT(ks_seal_keys_load(arc, &k, why, sizeof why), KS_OK);
    CHECK(sd.index < k.count && memcmp(ks_seal_keys_pk(&k, sd.index), pk, 32) == 0);
    memcpy(cert, ks_seal_keys_cert(&k, sd.index), 64);
    *index = sd.index;
    ks_seal_keys_free(&k);
}

/* The attacker holds signing.key (the seed of the next day to seal) and re-signs a
 * sealed day with the key it gives after changing its records: with that key's own
 * certificate (mode 0), or with the certificate the day had (mode 1), or with a
 * fresh key of their own and the day's certificate (mode 2). */
static void reseal_with_later_key(int64_t day, int mode)
{
    char cpath[4400], rpath[4400];
    size_t cn, rn;
    uint8_t pk[32], sk[64], cert[64];
    uint32_t index;
    later_key(pk, sk, cert, &index);
    if (mode == 2) crypto_sign_keypair(pk, sk);
    path_of(day, "checkpoint", cpath, sizeof cpath);
    uint8_t *c = ks_test_slurp(cpath, &cn);
    uint8_t *rec = load_records(day, &rn, rpath, sizeof rpath);
    CHECK(c && rec);
    if (!c || !rec) return;
    ks_checkpoint ck;
    char why[160];
    CHECK_INT(ks_checkpoint_parse(c, cn, &ck, why, sizeof why), KS_OK);
    /* drop the day's last record, recompute the root from the stored tiles' leaves */
    uint64_t count = ks_get_u64(rec + 8);
    CHECK(count > 1);
    ks_buf nb = {0};
    ks_buf_append(&nb, rec, 8);
    uint8_t u[8];
    ks_put_u64(u, count - 1);
    ks_buf_append(&nb, u, 8);
    ks_buf_append(&nb, rec + 16, (count - 1) * KS_SEAL_ENTRY_SIZE);
    ks_put_u64(u, 0);
    ks_buf_append(&nb, u, 8);
    write_all(rpath, nb.data, nb.len);
    ck.records = count - 1;
    memcpy(ck.key, pk, 32);
    if (mode == 0) memcpy(ck.cert, cert, 64);
    ks_buf body = {0};
    ks_checkpoint_body(&ck, &body);
    uint8_t sig[64];
    crypto_sign_detached(sig, NULL, (const uint8_t *)body.data, body.len, sk);
    char hex[129];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    ks_buf_printf(&body, "signature: %s\n", hex);
    write_all(cpath, body.data, body.len);
    expect_caught(mode == 0   ? "day resealed with a later key and its certificate"
                  : mode == 1 ? "day resealed with a later key and the day's certificate"
                              : "day resealed with a key of the attacker's own",
                  day, UINT64_MAX, INT64_MIN);
    write_all(cpath, c, cn);
    write_all(rpath, rec, rn);
    ks_buf_free(&body);
    ks_buf_free(&nb);
    free(c);
    free(rec);
}

/* DIR/keys altered: a byte of a sealed day's entry, a sealed day's key and
 * certificate replaced by the next day's, an entry of a day not sealed yet, the
 * archive key in its head. And a checkpoint whose key (and certificate) is the next
 * day's, not re-signed (whoever changes it has no earlier day's secret). */
static void keys_altered(void)
{
    char kp[4300];
    snprintf(kp, sizeof kp, "%s/keys", arc);
    size_t n;
    uint8_t *k = ks_test_slurp(kp, &n);
    CHECK(k != NULL && n > KS_SEAL_KEYS_HEAD + 400 * KS_SEAL_KEYS_ENTRY - 1);
    if (!k) return;
    uint8_t *copy = malloc(n);
    size_t e = KS_SEAL_KEYS_ENTRY;
    struct {
        const char *what;
        size_t at; /* byte flipped, or entry replaced */
        bool replace;
        int64_t day;
    } cases_[] = {
        {"keys: a byte of day 120's key", KS_SEAL_KEYS_HEAD + 120 * e + 5, false, day0 + 120},
        {"keys: a byte of day 7's certificate", KS_SEAL_KEYS_HEAD + 7 * e + 40, false, day0 + 7},
        {"keys: day 200's entry replaced by day 201's", 200, true, day0 + 200},
        {"keys: an entry of a day not sealed yet", KS_SEAL_KEYS_HEAD + 380 * e + 1, false,
         day0 + 380},
        {"keys: the archive key in its head", 9, false, day0 + 365},
    };
    for (size_t i = 0; i < sizeof cases_ / sizeof cases_[0]; i++) {
        memcpy(copy, k, n);
        if (cases_[i].replace) {
            size_t at = KS_SEAL_KEYS_HEAD + cases_[i].at * e;
            memcpy(copy + at, k + at + e, e);
        } else {
            copy[cases_[i].at] ^= 0x04;
        }
        write_all(kp, copy, n);
        expect_caught(cases_[i].what, cases_[i].day, UINT64_MAX, INT64_MIN);
    }
    write_all(kp, k, n);
    /* a checkpoint with the next day's key and certificate in place of its own */
    char cpath[4400];
    path_of(day0 + 150, "checkpoint", cpath, sizeof cpath);
    size_t cn;
    uint8_t *c = ks_test_slurp(cpath, &cn);
    ks_checkpoint ck;
    char why[160];
    CHECK_INT(ks_checkpoint_parse(c, cn, &ck, why, sizeof why), KS_OK);
    memcpy(ck.key, k + KS_SEAL_KEYS_HEAD + 151 * e, 32);
    memcpy(ck.cert, k + KS_SEAL_KEYS_HEAD + 151 * e + 32, 64);
    ks_buf b = {0};
    ks_checkpoint_body(&ck, &b);
    char hex[129];
    sodium_bin2hex(hex, sizeof hex, ck.sig, sizeof ck.sig);
    ks_buf_printf(&b, "signature: %s\n", hex);
    write_all(cpath, b.data, b.len);
    expect_caught("a day's key replaced by the next day's", day0 + 150, UINT64_MAX, INT64_MIN);
    write_all(cpath, c, cn);
    ks_buf_free(&b);
    free(c);
    free(copy);
    free(k);
}

static void day_dir(int64_t day, char *out, size_t cap)
{
    char d[16];
    ks_seal_day_format(day, d);
    snprintf(out, cap, "%s/days/%s", arc, d);
}

static void days_removed_swapped(void)
{
    char a[4300], b[4300], t[4400];
    /* a day removed from the middle, the first day, the last day (with --until) */
    int64_t mids[] = {day0 + 100, day0, day0 + 364};
    for (int i = 0; i < 3; i++) {
        day_dir(mids[i], a, sizeof a);
        snprintf(t, sizeof t, "%s/removed", root);
        CHECK(rename(a, t) == 0);
        int64_t until = i == 2 ? day0 + 364 : INT64_MIN;
        expect_caught(i == 0   ? "day removed"
                      : i == 1 ? "first day removed"
                               : "last day removed",
                      i == 1 ? day0 + 1 : mids[i], UINT64_MAX, until);
        CHECK(rename(t, a) == 0);
    }
    /* two days swapped */
    day_dir(day0 + 200, a, sizeof a);
    day_dir(day0 + 201, b, sizeof b);
    snprintf(t, sizeof t, "%s/swap", root);
    CHECK(rename(a, t) == 0 && rename(b, a) == 0 && rename(t, b) == 0);
    expect_caught("two days swapped", day0 + 200, UINT64_MAX, INT64_MIN);
    CHECK(rename(a, t) == 0 && rename(b, a) == 0 && rename(t, b) == 0);
    /* a checkpoint rolled back to the day before's */
    char c1[4400], c2[4400];
    path_of(day0 + 250, "checkpoint", c1, sizeof c1);
    path_of(day0 + 249, "checkpoint", c2, sizeof c2);
    size_t n1, n2;
    uint8_t *d1 = ks_test_slurp(c1, &n1), *d2 = ks_test_slurp(c2, &n2);
    write_all(c1, d2, n2);
    expect_caught("checkpoint rolled back to the day before's", day0 + 250, UINT64_MAX, INT64_MIN);
    write_all(c1, d1, n1);
    free(d1);
    free(d2);
    /* the archive rolled back to its state after the first run: the days of the
     * second run gone; verify --until the last day sealed must say so */
    char moved[4400];
    snprintf(moved, sizeof moved, "%s/rolled", root);
    mkdir(moved, 0755);
    for (int64_t d = day0 + 181; d < day0 + 365; d++) {
        char dd[4300], to[4500], nm[16];
        day_dir(d, dd, sizeof dd);
        ks_seal_day_format(d, nm);
        snprintf(to, sizeof to, "%s/%s", moved, nm);
        CHECK(rename(dd, to) == 0);
    }
    expect_caught("archive rolled back to an earlier state", day0 + 181, UINT64_MAX, day0 + 364);
    for (int64_t d = day0 + 181; d < day0 + 365; d++) {
        char dd[4300], to[4500], nm[16];
        day_dir(d, dd, sizeof dd);
        ks_seal_day_format(d, nm);
        snprintf(to, sizeof to, "%s/%s", moved, nm);
        CHECK(rename(to, dd) == 0);
    }
    rmdir(moved);
    /* a stray file in a day, and one in days/ */
    char stray[4400];
    path_of(day0 + 10, "extra.log", stray, sizeof stray);
    write_all(stray, "x", 1);
    expect_caught("file added to a day", day0 + 10, UINT64_MAX, INT64_MIN);
    unlink(stray);
}

static void build(void)
{
    snprintf(root, sizeof root, "%s/test_seal_mutation.tmp", KS_BINARY_DIR);
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
    mkdir(root, 0755);
    snprintf(arc, sizeof arc, "%s/archive", root);
    snprintf(ev1, sizeof ev1, "%s/run1", root);
    snprintf(ev2, sizeof ev2, "%s/run2", root);
    ks_sim_result sim;
    CHECK_INT(ks_sim_write(ev1, 7, &sim, NULL), KS_OK);
    day0 = day_of(sim.files[0].first_ns);
    char p[4400];
    /* run 1: the evtx day and the syslog of days 0..180 */
    snprintf(p, sizeof p, "%s/vpn-a.log", ev1);
    write_syslog(p, day0, day0 + 181, 24);
    ks_seal_opts o;
    memset(&o, 0, sizeof o);
    o.through_day = INT64_MIN;
    o.no_sync = true;
    o.source.tz = "UTC";
    o.now_ns = (day0 + 180) * NS_DAY + 3600ll * 1000000000;
    o.key_days = 400; /* keys for 400 days: creation in 15 ms, not 1.3 s */
    ks_seal_stats st;
    ks_diag d = {0};
    const char *e1[] = {ev1};
    CHECK_INT(ks_seal(arc, e1, 1, &o, &st, &d), KS_OK);
    if (d.what[0]) fprintf(stderr, "seal 1: %s\n", d.what);
    CHECK(st.created);
    CHECK_INT(st.files, 3);
    CHECK_INT(st.days, 181);
    CHECK_INT(st.first_day, day0);
    memcpy(key, st.archive_key, sizeof key);
    uint64_t records1 = st.records;
    /* run 2: days 181..364 (empty last days sealed with --through), and late lines of
     * day 100, which go to the first new day */
    mkdir(ev2, 0755);
    snprintf(p, sizeof p, "%s/vpn-b.log", ev2);
    write_syslog(p, day0 + 181, day0 + 360, 24);
    snprintf(p, sizeof p, "%s/late.log", ev2);
    write_syslog(p, day0 + 100, day0 + 101, 5);
    o.now_ns = (day0 + 366) * NS_DAY;
    o.through_day = day0 + 364;
    const char *e2[] = {ev2};
    CHECK_INT(ks_seal(arc, e2, 1, &o, &st, &d), KS_OK);
    CHECK(!st.created);
    CHECK_INT(st.files, 2);
    CHECK_INT(st.first_day, day0 + 181);
    CHECK_INT(st.last_day, day0 + 364);
    CHECK_INT(st.days, 184);
    CHECK_INT(st.late, 5);
    uint64_t records2 = st.records;
    /* a third run with nothing new: today is not sealed twice */
    o.now_ns = (day0 + 364) * NS_DAY;
    const char *none[] = {NULL};
    CHECK_INT(ks_seal(arc, none, 0, &o, &st, &d), KS_OK);
    CHECK_INT(st.days, 0);
    ks_verify_result r;
    CHECK_INT(ks_seal_verify(arc, key, day0 + 364, &r), KS_OK);
    CHECK(r.intact);
    CHECK_INT(r.days, 365);
    CHECK_INT(r.files, 5);
    CHECK_INT(r.records, records1 + records2);
    CHECK(r.empty_days >= 12);
    printf("sealed: %llu days (%llu empty), %llu records, %llu files\n", (unsigned long long)r.days,
           (unsigned long long)r.empty_days, (unsigned long long)r.records,
           (unsigned long long)r.files);
    /* a wrong key: nothing verifies */
    uint8_t other[KS_SEAL_KEY_SIZE];
    memcpy(other, key, sizeof other);
    other[5] ^= 1;
    CHECK_INT(ks_seal_verify(arc, other, INT64_MIN, &r), KS_OK);
    CHECK(!r.intact && r.bad_day == day0);
}

static int periods(int64_t day) /* week and month lines in the day's checkpoint */
{
    return ks_seal_ends_week(day) + ks_seal_ends_month(day);
}

/* A proof for record 5 of the first day from `from` on with 24 records and no week
 * or month line; its size. */
static size_t proof_size_from(int64_t from, int64_t *day)
{
    ks_diag d = {0};
    for (int64_t x = from; x < from + 40; x++) {
        ks_buf b = {0};
        ks_seal_proof_info info;
        if (periods(x) == 0 && ks_seal_prove(arc, x, 5, &b, &d) == KS_OK &&
            ks_seal_verify_proof(b.data, b.len, key, &info, &d) == KS_OK && info.tree_size == 24) {
            size_t n = b.len;
            ks_buf_free(&b);
            *day = x;
            return n;
        }
        ks_buf_free(&b);
    }
    return 0;
}

/* A record in a day of 2^30 records: a real proof, checked with the archive key. The
 * day after the last one sealed is signed with its key (from signing.key, as the
 * sealing machine has it) over a tree of 2^30 equal leaves, whose audit path is the
 * roots of 1, 2, 4 ... 2^29 of them. */
static void proof_of_2_30(void)
{
    uint8_t pk[32], sk[64], cert[64];
    uint32_t index;
    later_key(pk, sk, cert, &index);
    ks_checkpoint c;
    memset(&c, 0, sizeof c);
    c.day = day0 + index;
    c.seq = index;
    memcpy(c.key, pk, 32);
    memcpy(c.cert, cert, 64);
    c.records = 1ull << 30;
    ks_seal_entry e = {0, 812, 4096, (day0 + index) * NS_DAY + 5, 123456789};
    uint8_t entry[KS_SEAL_ENTRY_SIZE], content[KS_HASH_SIZE], level[31][KS_HASH_SIZE];
    ks_seal_entry_encode(&e, entry);
    randombytes_buf(content, sizeof content);
    ks_seal_record_leaf(entry, content, level[0]);
    for (int k = 0; k < 30; k++)
        ks_merkle_node(KS_HASH_BLAKE2B256, level[k], level[k], level[k + 1]);
    memcpy(c.records_root, level[30], KS_HASH_SIZE);
    ks_buf body = {0};
    ks_checkpoint_body(&c, &body);
    crypto_sign_detached(c.sig, NULL, (const uint8_t *)body.data, body.len, sk);
    ks_buf_free(&body);
    ks_buf b = {0};
    ks_seal_proof_write(700000000, entry, content, (const uint8_t(*)[KS_HASH_SIZE])level, 30, &c,
                        &b);
    ks_seal_proof_info info;
    ks_diag d = {0};
    CHECK_INT(ks_seal_verify_proof(b.data, b.len, key, &info, &d), KS_OK);
    CHECK_INT(info.tree_size, 1ull << 30);
    CHECK_INT(info.inclusion_bytes, 81 + 30 * 32);
    CHECK_INT(info.checkpoint_bytes, 317);
    CHECK_INT(b.len, 1358);
    printf("proof of one record among 2^30: %zu bytes (%zu record and audit path, %zu the day's "
           "checkpoint with its key's certificate; %d more with a week and a month line)\n",
           b.len, info.inclusion_bytes, info.checkpoint_bytes, 2 * 33);
    b.data[100] ^= 1; /* a hash of the path */
    CHECK(ks_seal_verify_proof(b.data, b.len, key, &info, &d) != KS_OK);
    ks_buf_free(&b);
    sodium_memzero(sk, sizeof sk);
}

static void proofs(void)
{
    ks_buf b = {0};
    ks_diag d = {0};
    CHECK_INT(ks_seal_prove(arc, day0 + 50, 300, &b, &d), KS_OK);
    ks_seal_proof_info info;
    CHECK_INT(ks_seal_verify_proof(b.data, b.len, key, &info, &d), KS_OK);
    CHECK_INT(info.day, day0 + 50);
    CHECK_INT(info.index, 300);
    CHECK_INT(info.tree_size, 700);
    CHECK(info.inclusion_bytes <= 81 + 10 * 32);
    CHECK_INT(info.checkpoint_bytes, 317 + 33 * (size_t)periods(day0 + 50));
    /* every byte of the proof matters */
    int held = 0;
    for (size_t i = 0; i < b.len; i++) {
        b.data[i] ^= 0x10;
        if (ks_seal_verify_proof(b.data, b.len, key, &info, &d) == KS_OK) held++;
        b.data[i] ^= 0x10;
    }
    CHECK_INT(held, 0);
    uint8_t other[KS_SEAL_KEY_SIZE];
    memcpy(other, key, sizeof other);
    other[0] ^= 1;
    CHECK(ks_seal_verify_proof(b.data, b.len, other, &info, &d) != KS_OK);
    /* the key and certificate of another day (the next) in the proof's checkpoint */
    ks_seal_keys k;
    char why[160];
    CHECK_INT(ks_seal_keys_load(arc, &k, why, sizeof why), KS_OK);
    ks_buf forged = {0};
    ks_buf_append(&forged, b.data, b.len);
    size_t ck_at = 81 + (size_t)(uint8_t)b.data[80] * 32;
    memcpy(forged.data + ck_at + 44, ks_seal_keys_pk(&k, 51), 96);
    CHECK(ks_seal_verify_proof(forged.data, forged.len, key, &info, &d) != KS_OK);
    CHECK(strstr(d.what, "not certified") != NULL);
    /* the record of day 50 with the (genuine) checkpoint of day 52 */
    ks_buf other_day = {0};
    CHECK_INT(ks_seal_prove(arc, day0 + 52, 3, &other_day, &d), KS_OK);
    size_t o_at = 81 + (size_t)(uint8_t)other_day.data[80] * 32;
    forged.len = 0;
    ks_buf_append(&forged, b.data, ck_at);
    ks_buf_append(&forged, other_day.data + o_at, other_day.len - o_at);
    CHECK(ks_seal_verify_proof(forged.data, forged.len, key, &info, &d) != KS_OK);
    /* a first-format proof is named as such */
    memcpy(forged.data, "KSPRF001", 8);
    CHECK_INT(ks_seal_verify_proof(forged.data, forged.len, key, &info, &d), KS_ERR_UNSUPPORTED);
    ks_buf_free(&forged);
    ks_buf_free(&other_day);
    ks_seal_keys_free(&k);
    ks_buf_free(&b);
    /* the size does not grow with the day: day 1 and day 300 */
    int64_t d1 = 0, d300 = 0;
    size_t s1 = proof_size_from(day0 + 1, &d1), s300 = proof_size_from(day0 + 300, &d300);
    printf("proof of record 5 of 24: %zu bytes on day %lld, %zu bytes on day %lld\n", s1,
           (long long)(d1 - day0), s300, (long long)(d300 - day0));
    CHECK(s1 > 0 && s1 == s300);
    CHECK_INT(s300, 81 + 5 * 32 + 317);
    proof_of_2_30();
    /* by file and record id: the EVTX record 42 of Security.evtx */
    int64_t day;
    uint64_t idx;
    CHECK_INT(ks_seal_find(arc, "Security.evtx", 42, &day, &idx, &d), KS_OK);
    CHECK_INT(ks_seal_prove(arc, day, idx, &b, &d), KS_OK);
    CHECK_INT(ks_seal_verify_proof(b.data, b.len, key, &info, &d), KS_OK);
    CHECK_INT(info.record_id, 42);
    ks_buf_free(&b);
}

/* A run that stopped before its checkpoint left a day folder behind: the next run
 * removes it and seals the day; the key left by a run that stopped after its
 * checkpoint (signing.key.next) is taken up. */
static void interrupted_run(void)
{
    char junk[4400], dir[4300];
    day_dir(day0 + 365, dir, sizeof dir);
    mkdir(dir, 0755);
    path_of(day0 + 365, "records", junk, sizeof junk);
    write_all(junk, "half", 4);
    char kpath[4300], next[4400];
    snprintf(kpath, sizeof kpath, "%s/signing.key", arc);
    snprintf(next, sizeof next, "%s.next", kpath);
    CHECK(rename(kpath, next) == 0);
    write_all(kpath, "KSKEY001 zeroed", 15);
    ks_seal_opts o;
    memset(&o, 0, sizeof o);
    o.through_day = INT64_MIN;
    o.no_sync = true;
    o.now_ns = (day0 + 365) * NS_DAY;
    o.through_day = day0 + 365;
    ks_seal_stats st;
    ks_diag d = {0};
    const char *none[] = {NULL};
    CHECK_INT(ks_seal(arc, none, 0, &o, &st, &d), KS_OK);
    CHECK_INT(st.days, 1);
    CHECK_INT(st.first_day, day0 + 365);
    ks_verify_result r;
    CHECK_INT(ks_seal_verify(arc, key, day0 + 365, &r), KS_OK);
    CHECK(r.intact);
    CHECK_INT(r.days, 366);
    /* a key that does not continue the archive is refused */
    size_t kn;
    uint8_t *good = ks_test_slurp(kpath, &kn);
    write_all(kpath, "KSKEY001 zeroed", 15);
    o.now_ns = (day0 + 366) * NS_DAY;
    CHECK_INT(ks_seal(arc, none, 0, &o, &st, &d), KS_ERR_ARG);
    CHECK(strstr(d.what, "does not continue the archive") != NULL);
    /* the archive's keys cover 400 days: the 401st is refused, nothing is sealed */
    write_all(kpath, good, kn);
    free(good);
    o.now_ns = (day0 + 420) * NS_DAY;
    o.through_day = day0 + 400;
    memset(&d, 0, sizeof d);
    CHECK_INT(ks_seal(arc, none, 0, &o, &st, &d), KS_ERR_LIMIT);
    CHECK(strstr(d.what, "day keys end at") != NULL);
    CHECK_INT(ks_seal_verify(arc, key, day0 + 365, &r), KS_OK);
    CHECK(r.intact);
    CHECK_INT(r.days, 366);
}

/* A run that created an archive's keys and stopped before its first checkpoint: the
 * next run makes new keys (the archive key printed then is the one that counts);
 * the signing key of another archive is never overwritten. A first-format archive
 * is named as such. */
static void interrupted_creation(void)
{
    char dir[4300], ev[4300], kpath[4400], p[4500];
    snprintf(dir, sizeof dir, "%s/second", root);
    snprintf(ev, sizeof ev, "%s/ev3", root);
    mkdir(ev, 0755);
    snprintf(p, sizeof p, "%s/vpn.log", ev);
    write_syslog(p, day0 + 10, day0 + 12, 5);
    ks_seal_opts o;
    memset(&o, 0, sizeof o);
    o.through_day = INT64_MIN;
    o.no_sync = true;
    o.source.tz = "UTC";
    o.key_days = 20;
    o.now_ns = (day0 + 12) * NS_DAY;
    ks_seal_stats st;
    ks_diag d = {0};
    const char *e[] = {ev};
    CHECK_INT(ks_seal(dir, e, 1, &o, &st, &d), KS_OK);
    CHECK(st.created);
    uint8_t k1[KS_SEAL_KEY_SIZE];
    memcpy(k1, st.archive_key, sizeof k1);
    /* undo the days and the seed, as if the run had stopped after making the keys */
    for (int64_t x = day0 + 10; x <= day0 + 12; x++) {
        const char *names[] = {"checkpoint", "records", "files", "00000000.zst"};
        char nm[16], f[4500];
        ks_seal_day_format(x, nm);
        for (int i = 0; i < 4; i++) {
            snprintf(f, sizeof f, "%s/days/%s/%s", dir, nm, names[i]);
            unlink(f);
        }
        snprintf(f, sizeof f, "%s/days/%s", dir, nm);
        rmdir(f);
    }
    ks_seal_seed sd;
    memcpy(sd.archive, k1, sizeof k1);
    sd.index = 0;
    randombytes_buf(sd.s, sizeof sd.s);
    snprintf(kpath, sizeof kpath, "%s/signing.key", dir);
    CHECK_INT(ks_seal_seed_write(kpath, &sd, &d), KS_OK);
    CHECK_INT(ks_seal(dir, e, 1, &o, &st, &d), KS_OK);
    CHECK(st.created && st.days == 2);
    CHECK(memcmp(st.archive_key, k1, sizeof k1) != 0);
    ks_verify_result r;
    CHECK_INT(ks_seal_verify(dir, st.archive_key, INT64_MIN, &r), KS_OK);
    CHECK(r.intact && r.days == 2);
    CHECK_INT(ks_seal_verify(dir, k1, INT64_MIN, &r), KS_OK);
    CHECK(!r.intact && r.bad_day == day0 + 10);
    /* a new archive given the first archive's signing key: refused, the key kept */
    snprintf(kpath, sizeof kpath, "%s/signing.key", arc);
    size_t n1, n2;
    uint8_t *before = ks_test_slurp(kpath, &n1);
    snprintf(p, sizeof p, "%s/third", root);
    o.key_path = kpath;
    CHECK_INT(ks_seal(p, e, 1, &o, &st, &d), KS_ERR_ARG);
    uint8_t *after = ks_test_slurp(kpath, &n2);
    CHECK(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
    free(before);
    free(after);
    /* a first-format archive: named, neither continued nor verified */
    char v1[4600];
    snprintf(p, sizeof p, "%s/old", root);
    mkdir(p, 0755);
    snprintf(v1, sizeof v1, "%s/days", p);
    mkdir(v1, 0755);
    snprintf(v1, sizeof v1, "%s/days/2026-01-01", p);
    mkdir(v1, 0755);
    snprintf(v1, sizeof v1, "%s/days/2026-01-01/checkpoint", p);
    write_all(v1, KS_SEAL_CKPT_HEAD_V1 "day: 2026-01-01\n", sizeof KS_SEAL_CKPT_HEAD_V1 + 15);
    o.key_path = NULL;
    CHECK_INT(ks_seal(p, e, 1, &o, &st, &d), KS_ERR_UNSUPPORTED);
    CHECK(strstr(d.what, "first format") != NULL);
    CHECK_INT(ks_seal_verify(p, key, INT64_MIN, &r), KS_OK);
    CHECK(!r.intact && strstr(r.what, "first archive format") != NULL);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    build();
    expect_intact("after sealing");
    proofs();
    flip_bits();
    expect_intact("after the bit flips");
    /* day 50 holds 700 records: damage is placed within its tile of 256 */
    mutate_records(day0 + 50, 300, "deleted");
    mutate_records(day0 + 50, 300, "inserted");
    mutate_records(day0 + 50, 300, "reordered");
    mutate_records(day0 + 50, 600, "duplicated");
    mutate_records(day0 + 7, 3, "deleted");
    mutate_records(day0 + 181, 0, "reordered");
    edit_stored(day0 + 181, 4, drop_line, "a line removed from an original file");
    edit_stored(day0 + 181, 4, truncate_continue, "file truncated, then continued");
    edit_stored(day0, 0, evtx_record_zeroed, "bytes of an EVTX record zeroed");
    reseal_with_later_key(day0 + 300, 0);
    reseal_with_later_key(day0 + 181, 0);
    reseal_with_later_key(day0 + 181, 1);
    reseal_with_later_key(day0 + 20, 2);
    keys_altered();
    days_removed_swapped();
    expect_intact("after every mutation was undone");
    interrupted_run();
    interrupted_creation();
    printf("%d tamperings: %d caught, %d with the right day (and records)\n", cases, caught, named);
    CHECK_INT(caught, cases);
    CHECK_INT(named, cases);
    return ks_test_done();
}
