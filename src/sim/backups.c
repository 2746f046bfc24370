/* The practice hospital's backups: the file server's share (FS01) as the nightly
 * backup keeps it, one folder per generation. Daily generations at 02:00 Japan time
 * for the ten days before the simulated day's night and the two after, and two
 * monthly ones on tape (offline). The share holds memos, tables, images and
 * compressed exports (text, CSV, PNG, gzip) that change a little from day to day.
 * Ransomware runs three hours after the intrusion: the generations taken after that
 * hold most files encrypted (whole, or one block in twenty), renamed .lockbit, and a
 * ransom note in every folder. DIR/generations.tsv lists the generations for
 * `kensa backup add`; the result names the one to restore. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "kensa/simulate.h"
#include "kensa/time.h"
#include "sim/sim.h"

#define HOUR (INT64_C(3600) * 1000000000)
#define DAY (24 * HOUR)
#define JST (9 * HOUR)
/* 2024-10-06T02:00+09:00, the first daily generation (the simulated day is the 15th) */
#define FIRST_DAILY (INT64_C(1728147600) * 1000000000)
#define NDAILY 12
#define NFOLDERS 5
#define NFILES 8 /* per folder at first; a few are added each day */
#define ENCRYPT_AFTER (3 * HOUR)

static const char *const FOLDERS[NFOLDERS] = {"医事課", "看護部", "薬剤部", "検査科", "総務課"};
static const char *const NOTE_NAME = "README-RESTORE-FILES.txt";
static const char NOTE[] =
    "Your network has been penetrated and all your files are encrypted.\r\n"
    "Do not try to restore them yourself: you will damage them.\r\n"
    "To get the private key and decrypt your data, pay in bitcoin and write to us.\r\n"
    "If you do not pay in 7 days your data will be published.\r\n";

typedef struct file {
    char name[64];
    unsigned kind; /* 0 text, 1 csv, 2 png, 3 csv.gz */
    unsigned version;
} file;

typedef struct share {
    file f[NFOLDERS][NFILES + NDAILY];
    unsigned n[NFOLDERS];
    uint64_t seed;
} share;

static const char *const EXT[4] = {"txt", "csv", "png", "csv.gz"};

/* The content of one file at one version, the same every time it is asked for. */
static void text_body(ks_buf *b, uint64_t *r, unsigned lines)
{
    static const char *const WORDS[] = {"外来", "入院",     "処方", "検査", "予約", "会計",
                                        "病棟", "申し送り", "確認", "済み", "未",   "至急"};
    for (unsigned i = 0; i < lines; i++) {
        ks_buf_printf(b, "%u. ", i + 1);
        for (unsigned w = 0, n = 3 + ks_sim_below(r, 6); w < n; w++)
            ks_buf_puts(b, WORDS[ks_sim_below(r, sizeof WORDS / sizeof WORDS[0])]);
        ks_buf_puts(b, "\r\n");
    }
}

static void csv_body(ks_buf *b, uint64_t *r, unsigned rows)
{
    ks_buf_puts(b, "date,ward,patients,admitted,discharged,note\r\n");
    for (unsigned i = 0; i < rows; i++)
        ks_buf_printf(b, "2024-%02u-%02u,W%u,%u,%u,%u,%s\r\n", 1 + ks_sim_below(r, 12),
                      1 + ks_sim_below(r, 28), 1 + ks_sim_below(r, 8), 20 + ks_sim_below(r, 40),
                      ks_sim_below(r, 9), ks_sim_below(r, 9), ks_sim_below(r, 4) ? "" : "check");
}

static void be32(ks_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    ks_buf_append(b, x, 4);
}

static void png_chunk(ks_buf *b, const char *type, const uint8_t *p, size_t n)
{
    be32(b, (uint32_t)n);
    size_t at = b->len;
    ks_buf_append(b, type, 4);
    if (n) ks_buf_append(b, p, n);
    if (!b->failed) be32(b, (uint32_t)crc32(0, (const uint8_t *)b->data + at, (uInt)(n + 4)));
}

/* A small chart: gradients and a few bars, deflated, with valid CRCs. */
static int png_body(ks_buf *b, uint64_t *r)
{
    enum { W = 96, H = 48 };
    uint8_t raw[H * (1 + W * 3)];
    unsigned bars[6];
    for (int i = 0; i < 6; i++) bars[i] = 8 + ks_sim_below(r, H - 10);
    for (int y = 0; y < H; y++) {
        uint8_t *row = raw + y * (1 + W * 3);
        row[0] = 0;
        for (int x = 0; x < W; x++) {
            int bar = x / 16, in = (unsigned)(H - y) <= bars[bar] && x % 16 > 3;
            row[1 + x * 3] = in ? (uint8_t)(40 * bar) : (uint8_t)(255 - y);
            row[2 + x * 3] = in ? 90 : (uint8_t)(255 - y / 2);
            row[3 + x * 3] = in ? (uint8_t)(200 - 20 * bar) : 250;
        }
    }
    uint8_t z[sizeof raw + 1024];
    uLongf zn = sizeof z;
    if (compress2(z, &zn, raw, sizeof raw, 6) != Z_OK) return -1;
    static const uint8_t SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const uint8_t ihdr[13] = {0, 0, 0, W, 0, 0, 0, H, 8, 2, 0, 0, 0};
    ks_buf_append(b, SIG, 8);
    png_chunk(b, "IHDR", ihdr, sizeof ihdr);
    png_chunk(b, "IDAT", z, zn);
    png_chunk(b, "IEND", NULL, 0);
    return 0;
}

static int gzip_body(ks_buf *out, const ks_buf *in)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    size_t cap = deflateBound(&z, in->len) + 32;
    if (ks_buf_reserve(out, out->len + cap) != 0) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)in->data;
    z.avail_in = (uInt)in->len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    out->len += cap - z.avail_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

static int content(ks_buf *b, const share *s, unsigned folder, const file *f)
{
    uint64_t r = s->seed ^ (uint64_t)folder << 40 ^ (uint64_t)f->version << 20;
    for (const char *p = f->name; *p; p++) r = r * 131 + (unsigned char)*p;
    ks_buf_reset(b);
    switch (f->kind) {
    case 0: text_body(b, &r, 20 + ks_sim_below(&r, 200)); break;
    case 1: csv_body(b, &r, 30 + ks_sim_below(&r, 300)); break;
    case 2:
        if (png_body(b, &r) != 0) return -1;
        break;
    default: {
        ks_buf csv = {0};
        csv_body(&csv, &r, 200 + ks_sim_below(&r, 600));
        int rc = csv.failed ? -1 : gzip_body(b, &csv);
        ks_buf_free(&csv);
        if (rc) return -1;
    }
    }
    return b->failed ? -1 : 0;
}

static void add_file(share *s, unsigned folder, uint64_t *r)
{
    unsigned i = s->n[folder];
    if (i >= NFILES + NDAILY) return;
    file *f = &s->f[folder][i];
    f->kind = ks_sim_below(r, 4);
    snprintf(f->name, sizeof f->name, "%04u-%02u.%s", 100 + i * 7 + ks_sim_below(r, 7),
             1 + ks_sim_below(r, 12), EXT[f->kind]);
    f->version = 0;
    s->n[folder]++;
}

/* What the ransomware leaves of a file: random bytes over all of it (most files) or
 * over one 1 KiB block in twenty (intermittent encryption, the fast kind). */
static void encrypt(ks_buf *b, uint64_t *r, int whole)
{
    uint8_t *p = (uint8_t *)b->data;
    for (size_t i = 0; i < b->len; i++) {
        if (!whole && (i / 1024) % 20 != 0) continue;
        p[i] = (uint8_t)ks_sim_rng(r);
    }
}

/* path = the printf of fmt; false (diag set) when it does not fit. */
static bool path_of(char *path, size_t cap, ks_diag *diag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool path_of(char *path, size_t cap, ks_diag *diag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(path, cap, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < cap) return true;
    ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "folder name too long");
    return false;
}

static ks_status write_generation(const share *s, const char *dir, int encrypted, uint64_t *r,
                                  ks_diag *diag)
{
    ks_status st = ks_sim_make_dir(dir, diag);
    ks_buf b = {0};
    char path[4096];
    for (unsigned d = 0; d < NFOLDERS && st == KS_OK; d++) {
        if (!path_of(path, sizeof path, diag, "%s/%s", dir, FOLDERS[d])) st = KS_ERR_ARG;
        if (st || (st = ks_sim_make_dir(path, diag))) break;
        for (unsigned i = 0; i < s->n[d] && st == KS_OK; i++) {
            const file *f = &s->f[d][i];
            if (content(&b, s, d, f) != 0) {
                st = ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory");
                break;
            }
            int hit = encrypted && ks_sim_below(r, 10) < 8;
            if (hit) encrypt(&b, r, ks_sim_below(r, 4) != 0);
            st = path_of(path, sizeof path, diag, "%s/%s/%s%s", dir, FOLDERS[d], f->name,
                         hit ? ".lockbit" : "")
                     ? ks_sim_write_file(path, b.data, b.len, diag)
                     : KS_ERR_ARG;
        }
        if (encrypted && st == KS_OK) {
            st = path_of(path, sizeof path, diag, "%s/%s/%s", dir, FOLDERS[d], NOTE_NAME)
                     ? ks_sim_write_file(path, NOTE, sizeof NOTE - 1, diag)
                     : KS_ERR_ARG;
        }
    }
    ks_buf_free(&b);
    return st;
}

static void iso(char *out, size_t cap, int64_t ns)
{
    ks_buf b = {0};
    ks_time_format(&b, ns, 0);
    snprintf(out, cap, "%.*s", b.failed ? 0 : (int)b.len, b.data ? b.data : "");
    ks_buf_free(&b);
}

ks_status ks_sim_write_backups(const char *dir, uint64_t seed, ks_sim_result *res, ks_diag *diag)
{
    if (!dir || !*dir || strlen(dir) > 3000)
        return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "no output folder given, or too long");
    ks_status st = ks_sim_make_dir(dir, diag);
    char path[4096];
    snprintf(path, sizeof path, "%s/FS01", dir);
    if (st || (st = ks_sim_make_dir(path, diag))) return st;
    share s;
    memset(&s, 0, sizeof s);
    s.seed = seed * UINT64_C(0x2545f4914f6cdd1d) + 7;
    uint64_t r = s.seed;
    for (unsigned d = 0; d < NFOLDERS; d++)
        for (unsigned i = 0; i < NFILES; i++) add_file(&s, d, &r);
    res->backup_restore[0] = res->backup_first_bad[0] = 0;
    res->nbackups = 0;
    int64_t encrypted_at = res->intrusion_ns ? res->intrusion_ns + ENCRYPT_AFTER : INT64_MAX;
    ks_buf tsv = {0};
    ks_buf_puts(&tsv, "# system\tgeneration\ttaken\tmedia (kensa backup add --case CASE "
                      "--system SYSTEM GENERATION --taken TAKEN --media MEDIA)\n");
    /* two monthly generations on tape, then the dailies */
    static const int64_t MONTHLY[2] = {INT64_C(1725123600) * 1000000000,  /* 2024-09-01T02:00+09 */
                                       INT64_C(1727715600) * 1000000000}; /* 2024-10-01T02:00+09 */
    for (int g = 0; g < 2 + NDAILY && st == KS_OK; g++) {
        int monthly = g < 2;
        int64_t taken = monthly ? MONTHLY[g] : FIRST_DAILY + (g - 2) * DAY;
        if (!monthly && g > 2) { /* a day's work: some files change, one or two are new */
            for (unsigned d = 0; d < NFOLDERS; d++)
                for (unsigned i = 0; i < s.n[d]; i++)
                    if (ks_sim_below(&r, 10) == 0) s.f[d][i].version++;
            for (unsigned k = 0, n = 1 + ks_sim_below(&r, 2); k < n; k++)
                add_file(&s, ks_sim_below(&r, NFOLDERS), &r);
        }
        char day[40];
        iso(day, sizeof day, taken + JST);
        snprintf(path, sizeof path, "%s/FS01/%s-%.10s", dir, monthly ? "monthly" : "daily", day);
        int enc = taken > encrypted_at;
        if ((st = write_generation(&s, path, enc, &r, diag))) break;
        char when[40];
        iso(when, sizeof when, taken);
        ks_buf_printf(&tsv, "FS01\t%s\t%s\t%s\n", path, when, monthly ? "offline" : "online");
        res->nbackups++;
        /* what kensa backup advise should say: the newest generation taken at least a
         * day before the intrusion, and the first encrypted one */
        if (res->intrusion_ns && taken <= res->intrusion_ns - DAY)
            snprintf(res->backup_restore, sizeof res->backup_restore, "%s", path);
        if (enc && !res->backup_first_bad[0])
            snprintf(res->backup_first_bad, sizeof res->backup_first_bad, "%s", path);
    }
    snprintf(path, sizeof path, "%s/generations.tsv", dir);
    if (st == KS_OK)
        st = tsv.failed ? ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory")
                        : ks_sim_write_file(path, tsv.data, tsv.len, diag);
    ks_buf_free(&tsv);
    return st;
}
