/* The backup content-analysis corpus: benign files of many formats (files Debian
 * packages install under /usr/share and /usr/lib, plus files generated here: text,
 * CSV, gzip, PNG, zip/docx/xlsx, 7z, xz, bzip2, PDF with Flate streams, DICOM with JPEG
 * and RLE pixel data) and copies "encrypted" by a simulated ransomware (ChaCha20) in
 * five modes. Measures and asserts the targets and prints the numbers:
 * >= 99.5% of whole-file and >= 97% of intermittent encryptions flagged, <= 0.1% of
 * benign high-entropy files flagged. Everything runs in memory; nothing is written. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "harness.h"
#include "kensa/backup.h"

#define MIN_SIZE 4096u
#define MAX_SIZE (4u << 20)

typedef struct sample {
    char name[160];
    uint8_t *p;
    size_t n;
} sample;

static sample *samples;
static size_t nsamples, capsamples;

static void add(const char *name, uint8_t *p, size_t n)
{
    if (n < MIN_SIZE || n > MAX_SIZE) {
        free(p);
        return;
    }
    if (nsamples == capsamples) {
        capsamples = capsamples ? capsamples * 2 : 256;
        samples = realloc(samples, capsamples * sizeof *samples);
        if (!samples) exit(3);
    }
    sample *s = &samples[nsamples++];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->p = p;
    s->n = n;
}

/* --- a deterministic PRNG for the generated content --------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* --- files Debian installed ---------------------------------------------------------- */

typedef struct quota {
    const char *what;
    const char *magic;
    size_t mlen, off;
    unsigned want, have;
} quota;

static quota quotas[] = {
    {"gzip", "\x1f\x8b\x08", 3, 0, 300, 0},
    {"png", "\x89PNG", 4, 0, 300, 0},
    {"zip", "PK\x03\x04", 4, 0, 120, 0},
    {"jpeg", "\xff\xd8\xff", 3, 0, 50, 0},
    {"pdf", "%PDF-", 5, 0, 20, 0},
    {"xz",
     "\xfd"
     "7zXZ",
     5, 0, 20, 0},
    {"bzip2", "BZh", 3, 0, 20, 0},
    {"7z", "7z\xbc\xaf", 4, 0, 20, 0},
    {"dicom", "DICM", 4, 128, 20, 0},
    {"text", NULL, 0, 0, 150, 0},
};

static int looks_text(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t') || p[i] == 0x7f) return 0;
    return 1;
}

static void debian_dir(const char *dir, int depth)
{
    if (depth > 10) return;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            debian_dir(path, depth + 1);
            continue;
        }
        if (!S_ISREG(st.st_mode) || st.st_size < (off_t)MIN_SIZE || st.st_size > (off_t)MAX_SIZE)
            continue;
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        uint8_t head[512];
        ssize_t r = read(fd, head, sizeof head);
        close(fd);
        if (r < 64) continue;
        for (size_t q = 0; q < sizeof quotas / sizeof quotas[0]; q++) {
            quota *k = &quotas[q];
            int hit = k->magic ? (size_t)r >= k->off + k->mlen &&
                                     memcmp(head + k->off, k->magic, k->mlen) == 0
                               : looks_text(head, (size_t)r) && (next() % 64 == 0);
            if (!hit || k->have >= k->want) continue;
            size_t n;
            uint8_t *p = ks_test_slurp(path, &n);
            if (!p) break;
            k->have++;
            add(path, p, n);
            break;
        }
    }
    closedir(d);
}

/* --- generated benign files ------------------------------------------------------------ */

static const char *const words[] = {
    "patient", "record", "ward", "order",  "dose",       "mg",   "blood", "pressure",
    "normal",  "follow", "up",   "clinic", "電子カルテ", "患者", "検査",  "結果",
    "予約",    "外来",   "病棟", "the",    "and",        "of",   "note",  "2026-11-24",
};

static uint8_t *gen_text(size_t n, int csv)
{
    uint8_t *p = malloc(n + 64);
    size_t k = 0;
    unsigned col = 0;
    while (k < n) {
        const char *w = words[next() % (sizeof words / sizeof words[0])];
        size_t l = strlen(w);
        memcpy(p + k, w, l);
        k += l;
        if (csv) {
            p[k++] = (++col % 8) ? ',' : '\n';
        } else {
            p[k++] = next() % 12 ? ' ' : '\n';
        }
    }
    return p;
}

static uint8_t *gen_gzip(const uint8_t *in, size_t n, size_t *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, n) + 64;
    uint8_t *p = malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = p;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out = cap - z.avail_out;
    deflateEnd(&z);
    return p;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

/* An RGB PNG: a gradient with noise (photographs compress to near-random IDAT). */
static uint8_t *gen_png(unsigned w, unsigned h, unsigned noise, size_t *out)
{
    size_t raw_n = (size_t)(w * 3 + 1) * h;
    uint8_t *raw = malloc(raw_n);
    for (unsigned y = 0; y < h; y++) {
        uint8_t *row = raw + (size_t)y * (w * 3 + 1);
        row[0] = 0;
        for (unsigned x = 0; x < w * 3; x++)
            row[1 + x] = (uint8_t)((x + y) + (noise ? next() % noise : 0));
    }
    uLongf zn = compressBound(raw_n);
    uint8_t *z = malloc(zn);
    compress2(z, &zn, raw, raw_n, 6);
    free(raw);
    uint8_t *p = malloc(zn + 128);
    size_t k = 0;
    memcpy(p, "\x89PNG\r\n\x1a\n", 8);
    k = 8;
    uint8_t ihdr[13];
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = 8, ihdr[9] = 2, ihdr[10] = ihdr[11] = ihdr[12] = 0;
    const struct {
        const char *t;
        const uint8_t *d;
        size_t n;
    } ch[] = {{"IHDR", ihdr, 13}, {"IDAT", z, zn}, {"IEND", NULL, 0}};
    for (int i = 0; i < 3; i++) {
        put32(p + k, (uint32_t)ch[i].n);
        memcpy(p + k + 4, ch[i].t, 4);
        if (ch[i].n) memcpy(p + k + 8, ch[i].d, ch[i].n);
        put32(p + k + 8 + ch[i].n, (uint32_t)crc32(0, p + k + 4, (uInt)(4 + ch[i].n)));
        k += 12 + ch[i].n;
    }
    free(z);
    *out = k;
    return p;
}

/* An archive written by libarchive in memory: zip (docx/xlsx members), 7z, or a raw
 * xz / bzip2 stream of one member. */
static uint8_t *gen_archive(const char *kind, size_t *out)
{
    size_t cap = 8u << 20, used = 0;
    uint8_t *p = malloc(cap);
    struct archive *a = archive_write_new();
    if (strcmp(kind, "7z") == 0) {
        archive_write_set_format_7zip(a);
    } else if (strcmp(kind, "xz") == 0 || strcmp(kind, "bz2") == 0) {
        archive_write_set_format_raw(a);
        if (strcmp(kind, "xz") == 0)
            archive_write_add_filter_xz(a);
        else
            archive_write_add_filter_bzip2(a);
    } else {
        archive_write_set_format_zip(a);
    }
    archive_write_open_memory(a, p, cap, &used);
    const char *members[] = {"[Content_Types].xml", "word/document.xml", "word/media/image1.png",
                             "xl/worksheets/sheet1.xml"};
    int nm = strcmp(kind, "xz") == 0 || strcmp(kind, "bz2") == 0 ? 1 : 4;
    for (int i = 0; i < nm; i++) {
        size_t n = 2000 + next() % 60000;
        uint8_t *d;
        if (i == 2) {
            d = gen_png(64 + (unsigned)(next() % 128), 64, 64, &n);
        } else {
            d = gen_text(n, i == 3);
        }
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, members[i]);
        archive_entry_set_size(e, (la_int64_t)n);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, d, n);
        archive_entry_free(e);
        free(d);
    }
    archive_write_close(a);
    archive_write_free(a);
    *out = used;
    return p;
}

/* A PDF whose page and image are Flate streams (direct and indirect /Length). */
static uint8_t *gen_pdf(size_t *out)
{
    size_t tn = 3000 + next() % 20000, in = 20000 + next() % 100000;
    uint8_t *text = gen_text(tn, 0), *img = malloc(in);
    for (size_t i = 0; i < in; i++) img[i] = (uint8_t)(i / 7 + next() % 48);
    uLongf zt = compressBound(tn), zi = compressBound(in);
    uint8_t *ct = malloc(zt), *ci = malloc(zi);
    compress2(ct, &zt, text, tn, 6);
    compress2(ci, &zi, img, in, 6);
    uint8_t *p = malloc(zt + zi + 4096);
    size_t k = 0;
    k += (size_t)snprintf((char *)p + k, 200, "%%PDF-1.5\n%%\xe2\xe3\xcf\xd3\n");
    k += (size_t)snprintf((char *)p + k, 200,
                          "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                          "4 0 obj\n<< /Length %lu /Filter /FlateDecode >>\nstream\n",
                          (unsigned long)zt);
    memcpy(p + k, ct, zt);
    k += zt;
    k += (size_t)snprintf((char *)p + k, 200,
                          "\nendstream\nendobj\n5 0 obj\n<< /Type /XObject /Subtype /Image "
                          "/Length 6 0 R /Filter /FlateDecode >>\nstream\r\n");
    memcpy(p + k, ci, zi);
    k += zi;
    k += (size_t)snprintf((char *)p + k, 400,
                          "\r\nendstream\nendobj\n6 0 obj\n%lu\nendobj\nxref\n0 7\n"
                          "trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%lu\n%%%%EOF\n",
                          (unsigned long)zi, (unsigned long)k);
    free(text), free(img), free(ct), free(ci);
    *out = k;
    return p;
}

static size_t dicom_el(uint8_t *p, uint16_t g, uint16_t e, const char *vr, const void *v,
                       uint32_t n)
{
    size_t k = 0;
    p[k++] = (uint8_t)g, p[k++] = (uint8_t)(g >> 8), p[k++] = (uint8_t)e,
    p[k++] = (uint8_t)(e >> 8);
    p[k++] = (uint8_t)vr[0], p[k++] = (uint8_t)vr[1];
    int longvr = strcmp(vr, "OB") == 0 || strcmp(vr, "OW") == 0 || strcmp(vr, "SQ") == 0 ||
                 strcmp(vr, "UN") == 0;
    if (longvr) {
        p[k++] = 0, p[k++] = 0;
        for (int i = 0; i < 4; i++) p[k++] = (uint8_t)(n >> (8 * i));
    } else {
        p[k++] = (uint8_t)n, p[k++] = (uint8_t)(n >> 8);
    }
    if (v && n != 0xffffffffu) memcpy(p + k, v, n), k += n;
    return k;
}

static size_t dicom_item(uint8_t *p, uint16_t e, uint32_t n)
{
    uint8_t h[8] = {0xfe,
                    0xff,
                    (uint8_t)e,
                    (uint8_t)(e >> 8),
                    (uint8_t)n,
                    (uint8_t)(n >> 8),
                    (uint8_t)(n >> 16),
                    (uint8_t)(n >> 24)};
    memcpy(p, h, 8);
    return 8;
}

/* A DICOM file with encapsulated pixel data: JPEG baseline fragments (a real JPEG) or
 * RLE-like opaque fragments. */
static uint8_t *gen_dicom(const uint8_t *jpeg, size_t jn, size_t *out)
{
    size_t frag = jpeg ? jn : 20000 + next() % 40000;
    uint8_t *p = calloc(1, frag + 4096);
    size_t k = 128;
    memcpy(p + k, "DICM", 4);
    k += 4;
    const char *ts = jpeg ? "1.2.840.10008.1.2.4.50" : "1.2.840.10008.1.2.5\0";
    uint32_t tl = (uint32_t)strlen(ts);
    if (tl & 1) tl++;
    k += dicom_el(p + k, 2, 0x10, "UI", ts, tl);
    k += dicom_el(p + k, 0x10, 0x10, "PN", "YAMADA^TARO ", 12);
    k += dicom_el(p + k, 0x10, 0x20, "LO", "00012345", 8);
    k += dicom_el(p + k, 0x28, 0x10, "US", "\x00\x02", 2);
    k += dicom_el(p + k, 0x7fe0, 0x10, "OB", NULL, 0xffffffffu);
    k += dicom_item(p + k, 0xe000, 0); /* basic offset table, empty */
    uint32_t fl = (uint32_t)((frag + 1) & ~(size_t)1);
    k += dicom_item(p + k, 0xe000, fl);
    if (jpeg) {
        memcpy(p + k, jpeg, jn);
    } else { /* RLE: a 64-byte header (one segment at 64), then PackBits runs */
        uint8_t *f = p + k;
        memset(f, 0, 64);
        f[0] = 1;
        f[4] = 64;
        size_t i = 64;
        uint8_t v = 0;
        while (i + 130 < frag) {
            if (next() % 2) { /* a replicate run */
                unsigned run = 2 + (unsigned)(next() % 100);
                f[i++] = (uint8_t)(257 - run);
                f[i++] = v;
            } else { /* a literal run of a slowly changing signal */
                unsigned run = 1 + (unsigned)(next() % 100);
                f[i++] = (uint8_t)(run - 1);
                for (unsigned r = 0; r < run; r++) f[i++] = (uint8_t)(v + next() % 8);
            }
            v = (uint8_t)(v + next() % 5);
        }
        while (i < frag) f[i++] = 0x80; /* no-op */
    }
    k += fl;
    k += dicom_item(p + k, 0xe0dd, 0);
    *out = k;
    return p;
}

static void generate(void)
{
    const uint8_t *jpeg = NULL;
    size_t jn = 0;
    for (size_t i = 0; i < nsamples; i++)
        if (samples[i].n > 3 && samples[i].p[0] == 0xff && samples[i].p[1] == 0xd8) {
            jpeg = samples[i].p, jn = samples[i].n;
            break;
        }
    char name[64];
    for (int i = 0; i < 100; i++) {
        size_t n = 4096 + next() % 200000;
        snprintf(name, sizeof name, "gen/note-%d.%s", i, i % 3 ? "txt" : "csv");
        add(name, gen_text(n, i % 3 == 0), n);
    }
    for (int i = 0; i < 60; i++) {
        size_t tn = 20000 + next() % 400000, n;
        uint8_t *t = gen_text(tn, i & 1);
        snprintf(name, sizeof name, "gen/export-%d.csv.gz", i);
        uint8_t *z = gen_gzip(t, tn, &n);
        add(name, z, n);
        free(t);
    }
    for (int i = 0; i < 60; i++) {
        size_t n;
        snprintf(name, sizeof name, "gen/scan-%d.png", i);
        uint8_t *p = gen_png(100 + (unsigned)(next() % 400), 100 + (unsigned)(next() % 300),
                             i % 4 ? 255 : 16, &n);
        add(name, p, n);
    }
    const char *kinds[] = {"docx", "xlsx", "zip", "7z", "xz", "bz2"};
    for (int i = 0; i < 90; i++) {
        size_t n;
        const char *kd = kinds[i % 6];
        snprintf(name, sizeof name, "gen/archive-%d.%s", i, kd);
        uint8_t *a = gen_archive(kd, &n);
        add(name, a, n);
    }
    for (int i = 0; i < 40; i++) {
        size_t n;
        snprintf(name, sizeof name, "gen/report-%d.pdf", i);
        uint8_t *p = gen_pdf(&n);
        add(name, p, n);
    }
    for (int i = 0; i < 30; i++) {
        size_t n;
        snprintf(name, sizeof name, "gen/ct-%d.dcm", i);
        uint8_t *p = gen_dicom(i % 2 && jpeg ? jpeg : NULL, jn, &n);
        add(name, p, n);
    }
}

/* --- the simulated ransomware ------------------------------------------------------------ */

enum { M_WHOLE, M_HEADER, M_INTERMITTENT, M_MAGIC, M_BASE64, M_COUNT };
static const char *const mode_names[M_COUNT] = {
    "whole file", "header only (first 4 KiB)", "intermittent (4% in 4 KiB runs)",
    "magic bytes kept (first 16)", "whole, base64-wrapped"};

static uint8_t key[crypto_stream_chacha20_KEYBYTES];

static void xor_range(uint8_t *p, size_t off, size_t n, uint64_t nonce_v)
{
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
    memcpy(nonce, &nonce_v, sizeof nonce_v < sizeof nonce ? sizeof nonce_v : sizeof nonce);
    crypto_stream_chacha20_xor(p + off, p + off, n, nonce, key);
}

static uint8_t *attack(const sample *s, int mode, size_t *out)
{
    uint8_t *p = malloc(s->n);
    memcpy(p, s->p, s->n);
    size_t n = s->n;
    switch (mode) {
    case M_WHOLE:
    case M_BASE64: xor_range(p, 0, n, 1); break;
    case M_HEADER: xor_range(p, 0, n < 4096 ? n : 4096, 2); break;
    case M_MAGIC: xor_range(p, 16, n - 16, 3); break;
    case M_INTERMITTENT: {
        const size_t stride = 100 * 1024, run = 4096;
        if (n < stride) { /* one run of 4% of the file at a random place */
            size_t r = n * 4 / 100, at = (size_t)(next() % (n - r));
            xor_range(p, at, r, 4);
        } else {
            size_t phase = (size_t)(next() % (stride - run));
            for (size_t o = phase, i = 0; o + run <= n; o += stride, i++)
                xor_range(p, o, run, 5 + i);
        }
        break;
    }
    }
    if (mode == M_BASE64) {
        size_t bl = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
        char *b = malloc(bl);
        sodium_bin2base64(b, bl, p, n, sodium_base64_VARIANT_ORIGINAL);
        size_t len = strlen(b);
        uint8_t *w = malloc(len + len / 76 + 2);
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            w[k++] = (uint8_t)b[i];
            if (i % 76 == 75) w[k++] = '\n';
        }
        w[k++] = '\n';
        free(b);
        free(p);
        *out = k;
        return w;
    }
    *out = n;
    return p;
}

static int flagged(ks_backup_verdict v)
{
    return v == KS_BV_ENCRYPTED || v == KS_BV_PARTLY_ENCRYPTED;
}

/* --- notes, extensions, names ------------------------------------------------------------ */

static void check_names_and_notes(void)
{
    ks_backup_file f;
    const char *notes[][2] = {
        {"README_TO_DECRYPT.txt",
         "All your files have been encrypted by LockBit.\nTo decrypt them you must pay in "
         "Bitcoin.\nDownload Tor Browser and open http://lockbitapt.onion\nIf you do not "
         "contact us, your data will be published.\n"},
        {"復元方法.txt",
         "あなたのファイルはすべて暗号化されました。\n復号するにはビットコインで支払って"
         "ください。\n連絡がない場合、データを公開します。\nTor Browser で "
         "http://abcdefgh.onion に接続してください。\n"},
        {"!!!RECOVER-FILES!!!.txt",
         "YOUR NETWORK HAS BEEN PENETRATED. All files are encrypted.\nPrivate key is stored "
         "on our server. Price: 50 BTC . Contact us via qTox.\n"},
        {"akira_readme.txt",
         "Hi friends, whatever who you are, your network was encrypted. We downloaded your "
         "data and will leak it. To restore, use our chat at https://akiral2.onion and the "
         "code below. Ransom negotiable.\n"},
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        ks_backup_analyze_mem(notes[i][0], notes[i][1], strlen(notes[i][1]), &f);
        CHECK_STR(ks_backup_verdict_name(f.verdict), "ransom_note");
    }
    const char *manual = "Backup policy of the hospital.\nBackups are encrypted with AES "
                         "before they leave the server; to decrypt and restore a file, ask the "
                         "system administrator. Keep one copy offline.\n";
    ks_backup_analyze_mem("backup-policy.txt", manual, strlen(manual), &f);
    CHECK_STR(ks_backup_verdict_name(f.verdict), "clean");

    const char *text = "ordinary text of a ward report, nothing random in it at all\n";
    ks_backup_analyze_mem("ward/report.docx.lockbit", text, strlen(text), &f);
    CHECK_STR(ks_backup_verdict_name(f.verdict), "ransom_extension");
    CHECK(ks_backup_ransom_extension("a/b/c.AKIRA"));
    CHECK(!ks_backup_ransom_extension("a/b/c.java"));
    CHECK(!ks_backup_ransom_extension("noextension"));

    size_t n;
    uint8_t *png = gen_png(64, 64, 16, &n);
    ks_backup_analyze_mem("xray.pdf", png, n, &f);
    CHECK_STR(ks_backup_verdict_name(f.verdict), "extension_mismatch");
    CHECK_STR(ks_backup_type_name(f.type), "png");
    CHECK_INT(f.structure, KS_BS_OK);
    free(png);

    uint8_t rnd[8192];
    randombytes_buf(rnd, sizeof rnd);
    ks_backup_analyze_mem("data.zip", rnd, sizeof rnd, &f);
    CHECK_STR(ks_backup_verdict_name(f.verdict), "encrypted");
    CHECK_INT(f.random_blocks, 8);
    /* SHA-256 and size come from the same pass */
    uint8_t md[32];
    crypto_hash_sha256(md, rnd, sizeof rnd);
    CHECK(memcmp(md, f.sha256, 32) == 0);
    CHECK_INT(f.size, sizeof rnd);
    CHECK(f.entropy > 7.97 && f.entropy <= 8.0);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 3;
    memset(key, 0x5a, sizeof key);
    check_names_and_notes();

    debian_dir("/usr/share", 0);
    debian_dir("/usr/lib", 0);
    size_t debian = nsamples;
    generate();
    printf("corpus: %zu files (%zu installed by Debian packages, %zu generated)\n", nsamples,
           debian, nsamples - debian);
    for (size_t q = 0; q < sizeof quotas / sizeof quotas[0]; q++)
        printf("  Debian %-6s %u\n", quotas[q].what, quotas[q].have);
    {
        const char *ext[] = {".txt", ".csv", ".gz", ".png", ".docx", ".xlsx",
                             ".zip", ".7z",  ".xz", ".bz2", ".pdf",  ".dcm"};
        for (size_t e = 0; e < sizeof ext / sizeof ext[0]; e++) {
            unsigned c = 0;
            for (size_t i = debian; i < nsamples; i++) {
                size_t l = strlen(samples[i].name), el = strlen(ext[e]);
                c += l > el && strcmp(samples[i].name + l - el, ext[e]) == 0;
            }
            printf("  generated %-5s %u\n", ext[e], c);
        }
    }

    uint64_t benign = 0, benign_flag = 0, he = 0, he_flag = 0;
    uint64_t total[M_COUNT] = {0}, hit[M_COUNT] = {0};
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    for (size_t i = 0; i < nsamples; i++) {
        const sample *s = &samples[i];
        ks_backup_file f;
        ks_backup_analyze_mem(s->name, s->p, s->n, &f);
        int high = f.entropy >= 7.0;
        benign++;
        he += high;
        if (f.verdict != KS_BV_CLEAN) {
            benign_flag++;
            he_flag += high;
            fprintf(stderr, "benign flagged: %s (%s): %s\n", s->name,
                    ks_backup_verdict_name(f.verdict), f.reason);
        }
        for (int m = 0; m < M_COUNT; m++) {
            size_t n;
            uint8_t *p = attack(s, m, &n);
            char name[200];
            snprintf(name, sizeof name, "%s%s", s->name, i % 3 == 0 ? ".lockbit" : "");
            /* the rename is counted separately: judge the content under the old name */
            ks_backup_analyze_mem(i % 3 == 0 ? s->name : name, p, n, &f);
            total[m]++;
            if (flagged(f.verdict)) {
                hit[m]++;
            } else if (verbose || m != M_HEADER) {
                fprintf(stderr, "missed (%s): %s: %s: %s\n", mode_names[m], s->name,
                        ks_backup_verdict_name(f.verdict), f.reason);
            }
            free(p);
        }
    }
    printf("benign files flagged: %llu of %llu (%.3f%%); high-entropy (>= 7 bits/byte): %llu of "
           "%llu (%.3f%%)\n",
           (unsigned long long)benign_flag, (unsigned long long)benign,
           100.0 * (double)benign_flag / (double)benign, (unsigned long long)he_flag,
           (unsigned long long)he, he ? 100.0 * (double)he_flag / (double)he : 0.0);
    double rate[M_COUNT];
    for (int m = 0; m < M_COUNT; m++) {
        rate[m] = 100.0 * (double)hit[m] / (double)total[m];
        printf("encrypted, %-34s flagged %llu of %llu (%.2f%%)\n", mode_names[m],
               (unsigned long long)hit[m], (unsigned long long)total[m], rate[m]);
    }
    CHECK(nsamples >= 300);
    CHECK(he >= 200);
    CHECK(rate[M_WHOLE] >= 99.5);
    CHECK(rate[M_INTERMITTENT] >= 97.0);
    CHECK(rate[M_MAGIC] >= 99.5);
    CHECK(rate[M_BASE64] >= 99.5);
    CHECK(rate[M_HEADER] >= 97.0);
    CHECK(he_flag * 1000 <= he); /* at most 0.1% */
    for (size_t i = 0; i < nsamples; i++) free(samples[i].p);
    free(samples);
    return ks_test_done();
}
