/* The practice hospital's backups: the file server's share (FS01) as the nightly
 * backup keeps it, one folder per generation. Daily generations at 02:00 Japan time
 * for the ten days before the simulated day's night and the two after, and two
 * monthly ones on tape (offline). The share holds memos, tables, images and
 * compressed exports (text, CSV, PNG, gzip) that change a little from day to day.
 * Ransomware runs three hours after the intrusion: the generations taken after that
 * hold most files encrypted (whole, or one block in twenty), renamed .lockbit, and a
 * ransom note in every folder. DIR/generations.tsv lists the generations for
 * `kensa backup add`; the result names the one to restore. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
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

/* A chart: gradients and a few bars, deflated, with valid CRCs; with noise (0: none)
 * it is a photograph, whose IDAT compresses to nearly random bytes. */
static int png_image(ks_buf *b, uint64_t *r, unsigned w, unsigned h, unsigned noise)
{
    size_t stride = 1 + (size_t)w * 3, rawn = stride * h;
    uLongf zn = compressBound((uLong)rawn);
    uint8_t *raw = malloc(rawn), *z = malloc(zn);
    unsigned bars[8];
    for (int i = 0; i < 8; i++) bars[i] = 8 + ks_sim_below(r, h - 10);
    for (unsigned y = 0; raw && z && y < h; y++) {
        uint8_t *row = raw + y * stride;
        row[0] = 0;
        for (unsigned x = 0; x < w; x++) {
            unsigned bar = (x * 8 / w) & 7, in = h - y <= bars[bar] && x % (w / 8) > 3;
            uint8_t n = noise ? (uint8_t)ks_sim_below(r, noise) : 0;
            row[1 + x * 3] = (uint8_t)((in ? 40 * bar : 255 - y) + n);
            row[2 + x * 3] = (uint8_t)((in ? 90 : 255 - y / 2) + n);
            row[3 + x * 3] = (uint8_t)((in ? 200 - 20 * bar : 250) - n);
        }
    }
    int rc = raw && z && compress2(z, &zn, raw, (uLong)rawn, 6) == Z_OK ? 0 : -1;
    if (rc == 0) {
        static const uint8_t SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        const uint8_t ihdr[13] = {(uint8_t)(w >> 24),
                                  (uint8_t)(w >> 16),
                                  (uint8_t)(w >> 8),
                                  (uint8_t)w,
                                  (uint8_t)(h >> 24),
                                  (uint8_t)(h >> 16),
                                  (uint8_t)(h >> 8),
                                  (uint8_t)h,
                                  8,
                                  2,
                                  0,
                                  0,
                                  0};
        ks_buf_append(b, SIG, 8);
        png_chunk(b, "IHDR", ihdr, sizeof ihdr);
        png_chunk(b, "IDAT", z, zn);
        png_chunk(b, "IEND", NULL, 0);
    }
    free(raw);
    free(z);
    return rc;
}

static int png_body(ks_buf *b, uint64_t *r)
{
    return png_image(b, r, 96, 48, 0);
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

/* ---- a year of generations (ks_sim_write_backup_year) ----------------------------------
 * The share lives through 2025 day by day: staff edit a few files each working day
 * (shift tables and daily reports every day, other files now and then), add claims
 * tables, memos, Word and Excel files, photographs and PDFs, delete some, rename and
 * move some; the database dump changes every Friday; the claims folder is zipped into
 * an archive at the end of each quarter; April 1st reorganises departments; two folders
 * are renamed during the year; weekends and holidays change nothing. Every generation
 * is a full tree, but a file whose content did not change is a hard link to where it
 * was first written (as rsnapshot keeps generations), so a year fits in a few tens of
 * MB. */

enum {
    Y_TXT,
    Y_CSV,
    Y_CHART,
    Y_CSVGZ,
    Y_DOCX,
    Y_XLSX,
    Y_PHOTO,
    Y_PDF,
    Y_VIDEO,   /* big, never changes */
    Y_DUMP,    /* big, changes on Fridays */
    Y_ARCHIVE, /* a quarter's claims, zipped */
    Y_NOTE,    /* the ransom note */
    Y_KINDS
};
static const char *const Y_EXT[Y_KINDS] = {"txt", "csv", "png", "csv.gz", "docx", "xlsx",
                                           "png", "pdf", "mp4", "sql.gz", "zip",  "txt"};

#define Y_MAX_FILES 256
#define Y_MAX_FOLDERS 32
#define Y_MAX_ARCHIVES 8
#define Y_START (INT64_C(1735657200)) /* 2025-01-01T00:00+09:00, seconds */

typedef struct yfile {
    char name[96];
    unsigned folder, kind, version, hot; /* hot: 2 every day, 1 now and then, 0 never */
    uint64_t id;                         /* the content's seed: a rename keeps it */
    int64_t mtime;                       /* seconds */
    int alive, enc;                      /* enc: 1 whole, 2 one KiB in twenty */
    int blob;                            /* Y_ARCHIVE: index of its bytes, else -1 */
    char src[320];                       /* where this content was written ("" not yet) */
} yfile;

typedef struct year {
    yfile f[Y_MAX_FILES];
    size_t nf;
    char folder[Y_MAX_FOLDERS][128];
    size_t nfolders;
    ks_buf blob[Y_MAX_ARCHIVES];
    size_t nblob;
    uint64_t r, seed, next_id;
    ks_sim_year_result *res;
} year;

static unsigned y_folder(year *y, const char *name)
{
    for (size_t i = 0; i < y->nfolders; i++)
        if (strcmp(y->folder[i], name) == 0) return (unsigned)i;
    if (y->nfolders == Y_MAX_FOLDERS) return 0;
    snprintf(y->folder[y->nfolders], sizeof y->folder[0], "%s", name);
    return (unsigned)y->nfolders++;
}

static const char *const Y_STEMS[] = {"会議録", "申し送り", "手順書",   "連絡",   "報告",
                                      "集計",   "予定",     "研修資料", "議事録", "お知らせ",
                                      "名簿",   "点検",     "発注",     "在庫",   "統計"};

static yfile *y_add(year *y, unsigned folder, unsigned kind, unsigned hot, int64_t when,
                    const char *name)
{
    size_t slot = 0;
    while (slot < y->nf && y->f[slot].alive) slot++; /* a deleted file's slot is reused */
    if (slot == Y_MAX_FILES) return NULL;
    if (slot == y->nf) y->nf++;
    yfile *f = &y->f[slot];
    memset(f, 0, sizeof *f);
    f->folder = folder;
    f->kind = kind;
    f->hot = hot;
    f->id = ++y->next_id;
    f->mtime = when;
    f->alive = 1;
    f->blob = -1;
    if (name)
        snprintf(f->name, sizeof f->name, "%s", name);
    else
        snprintf(f->name, sizeof f->name, "%s-%03u.%s",
                 Y_STEMS[ks_sim_below(&y->r, sizeof Y_STEMS / sizeof Y_STEMS[0])],
                 (unsigned)(f->id % 1000), Y_EXT[kind]);
    /* two files of one folder never share a name */
    for (size_t i = 0; i < y->nf; i++)
        if (i != slot && y->f[i].alive && y->f[i].folder == folder &&
            strcmp(y->f[i].name, f->name) == 0) {
            size_t n = strlen(f->name);
            if (n + 5 < sizeof f->name) {
                memmove(f->name + 4, f->name, n + 1);
                memcpy(f->name, "新-", 4); /* 3 bytes of UTF-8 and the dash */
            }
        }
    return f;
}

/* An Office Open XML package or any zip: members written through libarchive. */
static int zip_body(ks_buf *out, const char *const *names, const ks_buf *parts, size_t n,
                    int64_t mtime)
{
    size_t cap = 4096;
    for (size_t i = 0; i < n; i++) cap += parts[i].len + parts[i].len / 8 + 256;
    ks_buf_reset(out);
    if (ks_buf_reserve(out, cap) != 0) return -1;
    struct archive *a = archive_write_new();
    size_t used = 0;
    int ok = a && archive_write_set_format_zip(a) == ARCHIVE_OK &&
             archive_write_open_memory(a, out->data, cap, &used) == ARCHIVE_OK;
    for (size_t i = 0; ok && i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        if (!e) {
            ok = 0;
            break;
        }
        archive_entry_set_pathname(e, names[i]);
        archive_entry_set_size(e, (la_int64_t)parts[i].len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_mtime(e, mtime, 0);
        ok = archive_write_header(a, e) == ARCHIVE_OK &&
             (parts[i].len == 0 ||
              archive_write_data(a, parts[i].data, parts[i].len) == (la_ssize_t)parts[i].len);
        archive_entry_free(e);
    }
    if (a) {
        if (archive_write_close(a) != ARCHIVE_OK) ok = 0;
        archive_write_free(a);
    }
    out->len = ok ? used : 0;
    return ok ? 0 : -1;
}

static void xml_text(ks_buf *b, uint64_t *r, unsigned words)
{
    static const char *const W[] = {"外来", "入院", "処方", "検査", "予約",     "会計",
                                    "病棟", "確認", "済み", "至急", "患者さま", "説明",
                                    "同意", "手術", "退院", "調整", "委員会",   "報告"};
    for (unsigned i = 0; i < words; i++) ks_buf_puts(b, W[ks_sim_below(r, 18)]);
}

static int docx_body(ks_buf *out, uint64_t *r, int64_t mtime)
{
    static const char *const names[4] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml",
                                         "docProps/core.xml"};
    ks_buf p[4] = {{0}};
    ks_buf_puts(&p[0], "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
                       "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                       "content-types\"><Default Extension=\"rels\" ContentType=\"application/"
                       "vnd.openxmlformats-package.relationships+xml\"/><Override PartName="
                       "\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-"
                       "officedocument.wordprocessingml.document.main+xml\"/></Types>");
    ks_buf_puts(&p[1], "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
                       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                       "relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas."
                       "openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
                       "Target=\"word/document.xml\"/></Relationships>");
    ks_buf_puts(&p[2], "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
                       "<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
                       "wordprocessingml/2006/main\"><w:body>");
    for (unsigned i = 0, n = 20 + ks_sim_below(r, 200); i < n; i++) {
        ks_buf_puts(&p[2], "<w:p><w:r><w:t>");
        xml_text(&p[2], r, 4 + ks_sim_below(r, 20));
        ks_buf_puts(&p[2], "</w:t></w:r></w:p>");
    }
    ks_buf_puts(&p[2], "</w:body></w:document>");
    ks_buf_printf(&p[3],
                  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
                  "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/"
                  "2006/metadata/core-properties\"><cp:revision>%u</cp:revision>"
                  "</cp:coreProperties>",
                  1 + ks_sim_below(r, 30));
    int rc = p[0].failed || p[1].failed || p[2].failed || p[3].failed
                 ? -1
                 : zip_body(out, names, p, 4, mtime);
    for (int i = 0; i < 4; i++) ks_buf_free(&p[i]);
    return rc;
}

static int xlsx_body(ks_buf *out, uint64_t *r, int64_t mtime)
{
    static const char *const names[3] = {"[Content_Types].xml", "xl/workbook.xml",
                                         "xl/worksheets/sheet1.xml"};
    ks_buf p[3] = {{0}};
    ks_buf_puts(&p[0], "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
                       "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                       "content-types\"><Override PartName=\"/xl/workbook.xml\" ContentType="
                       "\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."
                       "main+xml\"/></Types>");
    ks_buf_puts(&p[1], "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
                       "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
                       "2006/main\"><sheets><sheet name=\"集計\" sheetId=\"1\"/></sheets>"
                       "</workbook>");
    ks_buf_puts(&p[2], "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
                       "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
                       "2006/main\"><sheetData>");
    for (unsigned i = 1, n = 30 + ks_sim_below(r, 400); i <= n; i++) {
        ks_buf_printf(&p[2], "<row r=\"%u\">", i);
        for (unsigned c = 0; c < 6; c++)
            ks_buf_printf(&p[2], "<c r=\"%c%u\"><v>%u</v></c>", 'A' + c, i,
                          ks_sim_below(r, c ? 100 : 100000));
        ks_buf_puts(&p[2], "</row>");
    }
    ks_buf_puts(&p[2], "</sheetData></worksheet>");
    int rc = p[0].failed || p[1].failed || p[2].failed ? -1 : zip_body(out, names, p, 3, mtime);
    for (int i = 0; i < 3; i++) ks_buf_free(&p[i]);
    return rc;
}

/* A one-page PDF: its content stream deflated, an xref table with true offsets. */
static int pdf_body(ks_buf *b, uint64_t *r)
{
    ks_buf text = {0};
    for (unsigned i = 0, n = 40 + ks_sim_below(r, 300); i < n; i++)
        ks_buf_printf(&text, "BT /F1 10 Tf 50 %u Td (line %u: %u mg, %u/%u) Tj ET\n", 800 - i % 760,
                      i, ks_sim_below(r, 500), ks_sim_below(r, 12) + 1, ks_sim_below(r, 28) + 1);
    uLongf zn = compressBound((uLong)text.len);
    uint8_t *z = text.failed ? NULL : malloc(zn);
    if (!z || compress2(z, &zn, (const Bytef *)text.data, (uLong)text.len, 6) != Z_OK) {
        free(z);
        ks_buf_free(&text);
        return -1;
    }
    size_t off[6];
    ks_buf_puts(b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    off[1] = b->len;
    ks_buf_puts(b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = b->len;
    ks_buf_puts(b, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = b->len;
    ks_buf_puts(b, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                   "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n");
    off[4] = b->len;
    ks_buf_printf(b, "4 0 obj\n<< /Length %lu /Filter /FlateDecode >>\nstream\n",
                  (unsigned long)zn);
    ks_buf_append(b, z, zn);
    ks_buf_puts(b, "\nendstream\nendobj\n");
    off[5] = b->len;
    ks_buf_puts(b, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n");
    size_t xref = b->len;
    ks_buf_puts(b, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i < 6; i++) ks_buf_printf(b, "%010lu 00000 n \n", (unsigned long)off[i]);
    ks_buf_printf(b, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%lu\n%%%%EOF\n",
                  (unsigned long)xref);
    free(z);
    ks_buf_free(&text);
    return 0;
}

/* A training video: an MP4 file type box and a media data box of coded frames (as
 * random-looking as real H.264 data). */
static void video_body(ks_buf *b, uint64_t *r, size_t n)
{
    static const uint8_t FTYP[24] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
                                     0, 0, 2, 0,  'i', 's', 'o', 'm', 'm', 'p', '4', '1'};
    ks_buf_append(b, FTYP, sizeof FTYP);
    be32(b, (uint32_t)(n + 8));
    ks_buf_puts(b, "mdat");
    if (ks_buf_reserve(b, n) != 0) return;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = ks_sim_rng(r);
        size_t k = n - i < 8 ? n - i : 8;
        memcpy(b->data + b->len, &v, k);
        b->len += k;
    }
}

static int y_content(year *y, const yfile *f, ks_buf *b)
{
    uint64_t r = y->seed ^ f->id * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)f->version << 48;
    ks_sim_rng(&r);
    ks_buf_reset(b);
    int rc = 0;
    switch (f->kind) {
    case Y_TXT: text_body(b, &r, 20 + ks_sim_below(&r, 200)); break;
    case Y_CSV: csv_body(b, &r, 30 + ks_sim_below(&r, 300)); break;
    case Y_CHART: rc = png_body(b, &r); break;
    case Y_PHOTO: rc = png_image(b, &r, 160 + ks_sim_below(&r, 160), 120, 64); break;
    case Y_DOCX: rc = docx_body(b, &r, f->mtime); break;
    case Y_XLSX: rc = xlsx_body(b, &r, f->mtime); break;
    case Y_PDF: rc = pdf_body(b, &r); break;
    case Y_VIDEO: video_body(b, &r, 400000); break;
    case Y_NOTE: ks_buf_append(b, NOTE, sizeof NOTE - 1); break;
    case Y_ARCHIVE:
        if (f->blob >= 0) ks_buf_append(b, y->blob[f->blob].data, y->blob[f->blob].len);
        break;
    default: { /* Y_CSVGZ, Y_DUMP */
        ks_buf csv = {0};
        if (f->kind == Y_DUMP) {
            ks_buf_puts(&csv, "-- PostgreSQL database dump\nCOPY visits (id, ward, day, n) "
                              "FROM stdin;\n");
            for (unsigned i = 0; i < 30000; i++)
                ks_buf_printf(&csv, "%u\tW%u\t2025-%02u-%02u\t%u\n", i, ks_sim_below(&r, 9),
                              1 + ks_sim_below(&r, 12), 1 + ks_sim_below(&r, 28),
                              ks_sim_below(&r, 40));
            ks_buf_puts(&csv, "\\.\n");
        } else {
            csv_body(&csv, &r, 200 + ks_sim_below(&r, 600));
        }
        rc = csv.failed ? -1 : gzip_body(b, &csv);
        ks_buf_free(&csv);
    }
    }
    if (f->enc) encrypt(b, &r, f->enc == 1);
    return rc || b->failed ? -1 : 0;
}

/* --- the calendar of 2025 ---------------------------------------------------------- */

static void y_date(unsigned day, unsigned *month, unsigned *mday)
{
    static const unsigned DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned m = 0;
    day %= 365;
    while (m < 11 && day >= DAYS[m]) day -= DAYS[m++];
    *month = m + 1;
    *mday = day + 1;
}

/* 0 Sunday ... 6 Saturday (2025-01-01 was a Wednesday). */
static unsigned y_weekday(unsigned day)
{
    return (day + 3) % 7;
}

static int y_holiday(unsigned day)
{
    static const uint16_t H[] = {101, 102,  103,  113,  211,  224,  320, 429, 503,
                                 504, 505,  506,  721,  811,  813,  814, 815, 915,
                                 923, 1013, 1103, 1124, 1229, 1230, 1231};
    unsigned m, d;
    y_date(day, &m, &d);
    for (size_t i = 0; i < sizeof H / sizeof H[0]; i++)
        if (H[i] == m * 100 + d) return 1;
    return 0;
}

static int y_workday(unsigned day)
{
    unsigned w = y_weekday(day);
    return w != 0 && w != 6 && !y_holiday(day);
}

/* --- what happens on one day -------------------------------------------------------- */

static yfile *y_pick(year *y, int (*ok)(const yfile *))
{
    size_t alive = 0;
    for (size_t i = 0; i < y->nf; i++) alive += y->f[i].alive && ok(&y->f[i]);
    if (!alive) return NULL;
    size_t k = ks_sim_below(&y->r, (uint32_t)alive);
    for (size_t i = 0; i < y->nf; i++)
        if (y->f[i].alive && ok(&y->f[i]) && k-- == 0) return &y->f[i];
    return NULL;
}

static int y_ordinary(const yfile *f)
{
    return f->kind != Y_ARCHIVE && f->kind != Y_VIDEO && f->kind != Y_DUMP && !f->hot;
}

static void y_change(yfile *f, int64_t when)
{
    f->version++;
    f->mtime = when;
    f->src[0] = 0;
}

/* Zip every file of a folder into an archive in another, and delete them. */
static void y_archive(year *y, unsigned from, unsigned to, const char *name, int64_t when)
{
    if (y->nblob == Y_MAX_ARCHIVES) return;
    const char *names[Y_MAX_FILES];
    ks_buf parts[Y_MAX_FILES];
    char paths[Y_MAX_FILES][100];
    size_t n = 0;
    memset(parts, 0, sizeof parts);
    for (size_t i = 0; i < y->nf; i++) {
        yfile *f = &y->f[i];
        if (!f->alive || f->folder != from) continue;
        if (y_content(y, f, &parts[n]) != 0) break;
        snprintf(paths[n], sizeof paths[n], "%s", f->name);
        names[n] = paths[n];
        f->alive = 0;
        n++;
        y->res->deletions++;
    }
    ks_buf *blob = &y->blob[y->nblob];
    if (n && zip_body(blob, names, parts, n, when) == 0) {
        yfile *z = y_add(y, to, Y_ARCHIVE, 0, when, name);
        if (z) z->blob = (int)y->nblob;
        y->nblob++;
        y->res->archives++;
    }
    for (size_t i = 0; i < n; i++) ks_buf_free(&parts[i]);
}

/* Rename a folder: the folder itself and every folder under it. */
static void y_rename_folder(year *y, const char *from, const char *to)
{
    size_t n = strlen(from);
    for (size_t i = 0; i < y->nfolders; i++) {
        char *p = y->folder[i];
        if (strncmp(p, from, n) != 0 || (p[n] && p[n] != '/')) continue;
        char next[128];
        snprintf(next, sizeof next, "%s%s", to, p + n);
        snprintf(p, sizeof y->folder[0], "%s", next);
    }
    for (size_t i = 0; i < y->nf; i++)
        if (y->f[i].alive && strncmp(y->folder[y->f[i].folder], to, strlen(to)) == 0)
            y->res->renames++;
    y->res->folder_renames++;
}

static void y_day(year *y, unsigned day)
{
    unsigned m, d, w = y_weekday(day);
    y_date(day, &m, &d);
    int64_t when = Y_START + (int64_t)day * 86400 + 9 * 3600 + ks_sim_below(&y->r, 9 * 3600);
    ks_sim_year_result *res = y->res;
    if (!y_workday(day)) {
        /* Saturday morning clinics: sometimes one table is updated */
        if (w == 6 && !y_holiday(day) && ks_sim_below(&y->r, 3) == 0) {
            yfile *f = y_pick(y, y_ordinary);
            if (f) y_change(f, when), res->edits++;
        } else {
            res->quiet_days++;
        }
        return;
    }
    if (m == 4 && d == 1) { /* the new fiscal year: departments reorganised */
        unsigned plan = y_folder(y, "経営企画室"), old = y_folder(y, "総務課/企画");
        unsigned y2025 = y_folder(y, "看護部/2025年度");
        for (size_t i = 0; i < y->nf; i++) {
            yfile *f = &y->f[i];
            if (!f->alive) continue;
            if (f->folder == old || (y_ordinary(f) && ks_sim_below(&y->r, 5) == 0)) {
                f->folder = f->folder == old ? plan : y2025;
                res->moves++;
            }
        }
        res->reorganisations++;
    }
    if (m == 7 && d == 1) y_rename_folder(y, "検査科", "臨床検査科");
    if (m == 10 && d == 14) y_rename_folder(y, "共有/資料", "共有/参考資料");
    /* every working day: the hot files, and a few others */
    for (size_t i = 0; i < y->nf; i++) {
        yfile *f = &y->f[i];
        if (f->alive && f->hot == 2 && ks_sim_below(&y->r, 3) != 0) y_change(f, when), res->edits++;
        if (f->alive && f->hot == 1 && ks_sim_below(&y->r, 12) == 0)
            y_change(f, when), res->edits++;
        if (f->alive && f->kind == Y_DUMP && w == 5) y_change(f, when), res->edits++;
    }
    for (unsigned k = 0, n = ks_sim_below(&y->r, 3); k < n; k++) {
        yfile *f = y_pick(y, y_ordinary);
        if (f) y_change(f, when), res->edits++;
    }
    /* new files: claims tables most days, other documents now and then */
    if (ks_sim_below(&y->r, 10) < 6 && y_add(y, y_folder(y, "医事課/請求"), Y_CSV, 0, when, NULL))
        res->additions++;
    if (ks_sim_below(&y->r, 10) < 3) {
        static const unsigned KINDS[] = {Y_TXT, Y_DOCX, Y_XLSX, Y_PHOTO, Y_PDF, Y_CHART, Y_CSVGZ};
        unsigned folder = (unsigned)ks_sim_below(&y->r, (uint32_t)y->nfolders);
        if (y_add(y, folder, KINDS[ks_sim_below(&y->r, 7)], ks_sim_below(&y->r, 6) == 0, when,
                  NULL))
            res->additions++;
    }
    if (d <= 3 && ks_sim_below(&y->r, 2) == 0) {
        char name[64];
        snprintf(name, sizeof name, "月報-2025-%02u.%s", m,
                 ks_sim_below(&y->r, 2) ? "pdf" : "docx");
        if (y_add(y, y_folder(y, "総務課/月報"), name[strlen(name) - 1] == 'f' ? Y_PDF : Y_DOCX, 0,
                  when, name))
            res->additions++;
    }
    /* deletions, renames, moves */
    if (ks_sim_below(&y->r, 100) < 22) {
        yfile *f = y_pick(y, y_ordinary);
        if (f) f->alive = 0, res->deletions++;
    }
    if (ks_sim_below(&y->r, 100) < 6) {
        yfile *f = y_pick(y, y_ordinary);
        if (f && strlen(f->name) + 8 < sizeof f->name) {
            size_t n = strlen(f->name);
            memmove(f->name + 4, f->name, n + 1); /* "済-" / "旧-": 4 bytes */
            memcpy(f->name, ks_sim_below(&y->r, 2) ? "済-" : "旧-", 4);
            res->renames++;
        }
    }
    if (ks_sim_below(&y->r, 100) < 6) {
        yfile *f = y_pick(y, y_ordinary);
        if (f) f->folder = (unsigned)ks_sim_below(&y->r, (uint32_t)y->nfolders), res->moves++;
    }
    /* the quarter's claims into an archive, on the last working day of the quarter */
    if (m % 3 == 0) {
        unsigned next_m, next_d, k = day + 1;
        while (k < day + 10 && !y_workday(k)) k++;
        y_date(k, &next_m, &next_d);
        if (next_m != m) {
            char name[64];
            snprintf(name, sizeof name, "請求-2025Q%u.zip", m / 3);
            y_archive(y, y_folder(y, "医事課/請求"), y_folder(y, "共有/アーカイブ"), name, when);
        }
    }
}

/* --- writing a generation ----------------------------------------------------------- */

static ks_status y_write_file(year *y, const char *dir, const char *rel, yfile *f, ks_buf *b,
                              ks_diag *diag)
{
    char full[4096], src[4096];
    if (!path_of(full, sizeof full, diag, "%s/%s", dir, rel)) return KS_ERR_ARG;
    if (f->src[0]) {
        if (!path_of(src, sizeof src, diag, "%s/%s", dir, f->src)) return KS_ERR_ARG;
        if (link(src, full) == 0) return KS_OK;
        if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP)
            return ks_diag_set(diag, KS_ERR_IO, full, 0, "%s", strerror(errno));
    }
    if (y_content(y, f, b) != 0) return ks_diag_set(diag, KS_ERR_NOMEM, full, 0, "out of memory");
    ks_status st = ks_sim_write_file(full, b->data, b->len, diag);
    if (st != KS_OK) return st;
    struct timespec ts[2] = {{(time_t)f->mtime, 0}, {(time_t)f->mtime, 0}};
    utimensat(AT_FDCWD, full, ts, 0);
    y->res->bytes_written += b->len;
    size_t n = strlen(rel);
    if (n < sizeof f->src) memcpy(f->src, rel, n + 1);
    return KS_OK;
}

static ks_status y_generation(year *y, const char *dir, const char *gen, ks_buf *b,
                              ks_sim_year_result *res, ks_diag *diag)
{
    char rel[512], full[4096];
    ks_status st = KS_OK;
    for (size_t i = 0; i < y->nfolders && st == KS_OK; i++) {
        if (!path_of(full, sizeof full, diag, "%s/%s/%s", dir, gen, y->folder[i]))
            return KS_ERR_ARG;
        st = ks_sim_make_dir(full, diag);
    }
    uint64_t files = 0, bytes = 0;
    for (size_t i = 0; i < y->nf && st == KS_OK; i++) {
        yfile *f = &y->f[i];
        if (!f->alive) continue;
        int n = snprintf(rel, sizeof rel, "%s/%s/%s%s", gen, y->folder[f->folder], f->name,
                         f->enc && f->id % 2 ? ".lockbit" : "");
        if (n < 0 || (size_t)n >= sizeof rel)
            return ks_diag_set(diag, KS_ERR_ARG, gen, 0, "path too long");
        st = y_write_file(y, dir, rel, f, b, diag);
        struct stat sb;
        if (st == KS_OK && path_of(full, sizeof full, diag, "%s/%s", dir, rel) &&
            stat(full, &sb) == 0)
            bytes += (uint64_t)sb.st_size;
        files++;
    }
    if (files > res->max_files) res->max_files = files;
    res->files_total += files;
    res->bytes_total += bytes;
    return st;
}

ks_status ks_sim_write_backup_year(const char *dir, uint64_t seed, unsigned days, int ransom_day,
                                   ks_sim_year_result *res, ks_diag *diag)
{
    ks_sim_year_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    if (!dir || !*dir || strlen(dir) > 3000 || days == 0 || days > 400)
        return ks_diag_set(diag, KS_ERR_ARG, dir, 0,
                           "no output folder given (or too long), or days not in 1..400");
    year *y = calloc(1, sizeof *y);
    if (!y) return ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory");
    y->seed = seed * UINT64_C(0x2545f4914f6cdd1d) + 11;
    y->r = y->seed;
    y->res = res;
    res->ransom_day = ransom_day;
    /* the share on January 1st */
    static const struct {
        const char *folder;
        unsigned kind, hot, n;
        const char *name;
    } START[] = {
        {"医事課/請求", Y_CSV, 0, 8, NULL},
        {"医事課/統計", Y_XLSX, 1, 3, NULL},
        {"医事課", Y_DUMP, 0, 1, "受付DB.sql.gz"},
        {"看護部/勤務表", Y_XLSX, 2, 2, NULL},
        {"看護部", Y_DOCX, 1, 4, NULL},
        {"看護部/日報", Y_TXT, 2, 2, NULL},
        {"薬剤部", Y_CSV, 1, 3, NULL},
        {"薬剤部", Y_PDF, 0, 3, NULL},
        {"検査科", Y_CHART, 0, 3, NULL},
        {"検査科/精度管理", Y_CSVGZ, 1, 3, NULL},
        {"総務課/企画", Y_DOCX, 0, 3, NULL},
        {"総務課/規程", Y_PDF, 0, 4, NULL},
        {"総務課/研修", Y_VIDEO, 0, 1, "感染対策研修.mp4"},
        {"総務課/行事", Y_PHOTO, 0, 4, NULL},
        {"共有/資料", Y_PDF, 0, 3, NULL},
        {"共有/資料", Y_TXT, 0, 2, NULL},
        {"共有/アーカイブ", Y_CSVGZ, 0, 1, NULL},
    };
    for (size_t i = 0; i < sizeof START / sizeof START[0]; i++) {
        unsigned fo = y_folder(y, START[i].folder);
        for (unsigned k = 0; k < START[i].n; k++)
            y_add(y, fo, START[i].kind, START[i].hot, Y_START - 86400 * (int64_t)(30 + k),
                  START[i].name);
    }
    char path[4096];
    ks_status st = ks_sim_make_dir(dir, diag);
    snprintf(path, sizeof path, "%s/FS01", dir);
    if (st == KS_OK) st = ks_sim_make_dir(path, diag);
    ks_buf tsv = {0}, b = {0};
    ks_buf_puts(&tsv, "# system\tgeneration\ttaken\tmedia\tkept as (daily every day; weekly on "
                      "Sundays; monthly on the 1st)\n");
    for (unsigned day = 0; day < days && st == KS_OK; day++) {
        if (ransom_day >= 0 && day == (unsigned)ransom_day) {
            /* the night before the backup: most files encrypted, a note per department */
            for (size_t i = 0; i < y->nf; i++) {
                yfile *f = &y->f[i];
                if (!f->alive || ks_sim_below(&y->r, 10) >= 8) continue;
                f->enc = ks_sim_below(&y->r, 4) ? 1 : 2;
                f->src[0] = 0;
                res->encrypted++;
            }
            static const char *const DEPTS[] = {"医事課", "看護部", "薬剤部", "総務課", "共有"};
            for (size_t k = 0; k < sizeof DEPTS / sizeof DEPTS[0]; k++)
                y_add(y, y_folder(y, DEPTS[k]), Y_NOTE, 0, Y_START + (int64_t)day * 86400,
                      NOTE_NAME);
        } else if (ransom_day < 0 || day < (unsigned)ransom_day) {
            y_day(y, day);
        }
        /* the backup of the day, at 02:00 the next morning */
        unsigned m, d;
        y_date(day + 1, &m, &d);
        char gen[64];
        snprintf(gen, sizeof gen, "FS01/%04u-%02u-%02u", day + 1 >= 365 ? 2026 : 2025, m, d);
        st = y_generation(y, dir, gen, &b, res, diag);
        int64_t taken = (Y_START + (int64_t)(day + 1) * 86400 + 2 * 3600) * 1000000000;
        char when[40];
        iso(when, sizeof when, taken);
        const char *kept = d == 1 ? "monthly" : y_weekday(day + 1) == 0 ? "weekly" : "daily";
        ks_buf_printf(&tsv, "FS01\t%s/%s\t%s\t%s\t%s\n", dir, gen, when,
                      d == 1 ? "offline" : "online", kept);
        if (res->generations == 0) res->first_taken_ns = taken;
        res->generations++;
    }
    snprintf(path, sizeof path, "%s/generations.tsv", dir);
    if (st == KS_OK)
        st = tsv.failed ? ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory")
                        : ks_sim_write_file(path, tsv.data, tsv.len, diag);
    ks_buf_free(&tsv);
    ks_buf_free(&b);
    for (size_t i = 0; i < y->nblob; i++) ks_buf_free(&y->blob[i]);
    free(y);
    return st;
}
