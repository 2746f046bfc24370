/* Per-file content analysis for backup generations: one streaming pass that hashes,
 * counts bytes into 1 KiB block statistics, recognizes the type by magic bytes, walks
 * the format's structure (formats.c) and turns the measures into a verdict with its
 * reason. Memory is bounded by the stream buffer, whatever the file size. */
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "backup/stream.h"

/* --- block statistics ------------------------------------------------------------ */

static double clog_table[KS_BK_BLOCK + 1]; /* c * log2(c) */
static pthread_once_t clog_once = PTHREAD_ONCE_INIT;

static void clog_init(void)
{
    clog_table[0] = 0;
    for (unsigned c = 1; c <= KS_BK_BLOCK; c++) clog_table[c] = c * log2((double)c);
}

/* Random-looking: chi-square of a random 1 KiB block is 255 +- 22.6; 400 is six
 * standard deviations above. Text, code, tables and most binaries are far above. */
#define KS_BK_CHI2_RANDOM 400.0
#define KS_BK_MIN_BLOCK 256u

static void block_judge(ks_bk_stream *s)
{
    ks_bk_block *b = &s->ring[(s->nblock - 1) % KS_BK_RING];
    uint32_t n = s->bfill;
    double sum_clog = 0, sum_sq = 0;
    for (int i = 0; i < 256; i++) {
        uint32_t c = s->bhist[i];
        sum_clog += clog_table[c];
        sum_sq += (double)c * c;
        s->hist[i] += c;
    }
    if (n >= 64) {
        uint32_t ctrl = s->bhist[0x7f], kinds = 0;
        for (int i = 0; i < 0x20; i++)
            if (i != '\t' && i != '\n' && i != '\r' && i != '\f' && i != '\v' && i != 0x1b)
                ctrl += s->bhist[i];
        for (int i = 0x80; i < 256; i++) kinds += s->bhist[i] != 0;
        /* 160 random bytes hold ~16 control bytes and ~60 different high bytes; text
         * in Latin-1 or Shift_JIS repeats a few high bytes and has no control bytes */
        if (ctrl == 0) {
            s->text_blocks++;
        } else if (ctrl >= 3 && kinds >= 24) {
            if (s->junk_blocks++ == 0) s->first_junk = (s->nblock - 1) * KS_BK_BLOCK;
        } else {
            s->other_blocks++;
        }
    }
    b->n = n;
    b->judged = 1;
    b->random = 0;
    if (n >= KS_BK_MIN_BLOCK) {
        double chi2 = 256.0 * sum_sq / n - n;
        double h = log2((double)n) - sum_clog / n;
        b->random = chi2 <= KS_BK_CHI2_RANDOM && h > 6.8;
    }
    memset(s->bhist, 0, sizeof s->bhist);
    s->bfill = 0;
}

static void block_final(ks_bk_stream *s, ks_bk_block *b)
{
    if (b->n < KS_BK_MIN_BLOCK) return;
    ks_backup_file *o = s->out;
    o->blocks++;
    if (!b->random) return;
    o->random_blocks++;
    if (b->payload * 2 < b->n) {
        if (o->unexpected_blocks++ == 0) o->first_unexpected = (b->index - 1) * KS_BK_BLOCK;
    }
}

static void account(ks_bk_stream *s, const uint8_t *p, size_t k)
{
    ks_sha256_update(&s->sha, p, k);
    uint64_t off = s->base + s->len; /* offset of p[0] */
    if (off < KS_BK_HEAD) {
        size_t m = KS_BK_HEAD - (size_t)off < k ? KS_BK_HEAD - (size_t)off : k;
        memcpy(s->head + off, p, m);
        s->head_len = (size_t)off + m;
    }
    if (k >= KS_BK_TAIL) {
        memcpy(s->tail, p + k - KS_BK_TAIL, KS_BK_TAIL);
        s->tail_len = KS_BK_TAIL;
    } else {
        size_t keep = s->tail_len + k > KS_BK_TAIL ? KS_BK_TAIL - k : s->tail_len;
        memmove(s->tail, s->tail + s->tail_len - keep, keep);
        memcpy(s->tail + keep, p, k);
        s->tail_len = keep + k;
    }
    while (k) {
        if (s->bfill == 0) {
            s->nblock++;
            ks_bk_block *b = &s->ring[(s->nblock - 1) % KS_BK_RING];
            memset(b, 0, sizeof *b);
            b->index = s->nblock;
        }
        size_t m = KS_BK_BLOCK - s->bfill;
        if (m > k) m = k;
        uint32_t *h = s->bhist;
        for (size_t i = 0; i < m; i++) h[p[i]]++;
        s->bfill += (uint32_t)m;
        p += m;
        k -= m;
        if (s->bfill == KS_BK_BLOCK) block_judge(s);
    }
}

size_t ks_bk_need(ks_bk_stream *s, size_t n)
{
    if (n > KS_BK_BUF / 2) n = KS_BK_BUF / 2;
    if (s->len - s->pos >= n || s->eof) return s->len - s->pos;
    if (s->pos) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->base += s->pos;
        s->len -= s->pos;
        s->pos = 0;
    }
    while (s->len < n && !s->eof) {
        ssize_t r = s->fn(s->ctx, s->buf + s->len, KS_BK_BUF - s->len);
        if (r <= 0) {
            s->eof = 1;
            if (r < 0) s->err = 1;
            break;
        }
        if ((size_t)r > KS_BK_BUF - s->len) r = (ssize_t)(KS_BK_BUF - s->len);
        account(s, s->buf + s->len, (size_t)r);
        s->len += (size_t)r;
    }
    return s->len - s->pos;
}

static void consume(ks_bk_stream *s, size_t m, int payload)
{
    uint64_t o = s->base + s->pos, end = o + m;
    while (o < end) {
        uint64_t bi = o / KS_BK_BLOCK;
        ks_bk_block *b = &s->ring[bi % KS_BK_RING];
        uint64_t bend = (bi + 1) * KS_BK_BLOCK;
        uint32_t k = (uint32_t)((bend < end ? bend : end) - o);
        if (b->index == bi + 1) {
            b->used += k;
            if (payload) b->payload += k;
            if (b->used == KS_BK_BLOCK && b->judged) block_final(s, b);
        }
        o += k;
    }
    s->pos += m;
}

uint64_t ks_bk_skip(ks_bk_stream *s, uint64_t n, int payload, uint32_t *crc)
{
    uint64_t done = 0;
    while (done < n) {
        size_t avail = s->len - s->pos;
        if (avail == 0) {
            avail = ks_bk_need(s, KS_BK_BUF / 2);
            if (avail == 0) break;
        }
        size_t m = n - done < avail ? (size_t)(n - done) : avail;
        if (crc) *crc = (uint32_t)crc32(*crc, s->buf + s->pos, (uInt)m);
        consume(s, m, payload);
        done += m;
    }
    return done;
}

int ks_bk_break(ks_bk_stream *s, uint64_t offset, const char *fmt, ...)
{
    if (s->broken) return 0;
    s->broken = 1;
    s->out->structure = KS_BS_BROKEN;
    s->out->structure_offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->out->structure_what, sizeof s->out->structure_what, fmt, ap);
    va_end(ap);
    return 0;
}

/* --- types ------------------------------------------------------------------------ */

static const char *const type_names[KS_BT_COUNT] = {
    [KS_BT_EMPTY] = "empty", [KS_BT_UNKNOWN] = "unknown", [KS_BT_TEXT] = "text",
    [KS_BT_ZIP] = "zip",     [KS_BT_GZIP] = "gzip",       [KS_BT_7Z] = "7z",
    [KS_BT_PNG] = "png",     [KS_BT_JPEG] = "jpeg",       [KS_BT_PDF] = "pdf",
    [KS_BT_DICOM] = "dicom", [KS_BT_XZ] = "xz",           [KS_BT_BZIP2] = "bzip2",
    [KS_BT_ZSTD] = "zstd",   [KS_BT_GIF] = "gif",         [KS_BT_MEDIA] = "media",
    [KS_BT_ELF] = "elf",     [KS_BT_PE] = "pe",           [KS_BT_SQLITE] = "sqlite",
    [KS_BT_OLE] = "ole",     [KS_BT_KEY] = "key",         [KS_BT_PROGRAM] = "program",
};

const char *ks_backup_type_name(ks_backup_type t)
{
    return (unsigned)t < KS_BT_COUNT ? type_names[t] : "unknown";
}

static const char *const verdict_names[KS_BV_COUNT] = {
    "clean",       "encrypted",        "partly_encrypted",
    "ransom_note", "ransom_extension", "extension_mismatch",
    "unreadable",  "malware"};

const char *ks_backup_verdict_name(ks_backup_verdict v)
{
    return (unsigned)v < KS_BV_COUNT ? verdict_names[v] : "unknown";
}

static int starts(const uint8_t *p, size_t n, const char *magic, size_t m)
{
    return n >= m && memcmp(p, magic, m) == 0;
}

static int is_text(const uint8_t *p, size_t n)
{
    if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) return 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b)
            return 0;
        if (c == 0x7f) return 0;
    }
    return 1;
}

/* The type from the first bytes (at most 4 KiB). */
static ks_backup_type detect(const uint8_t *p, size_t n)
{
    if (n == 0) return KS_BT_EMPTY;
    if (starts(p, n, "\x89PNG\r\n\x1a\n", 8)) return KS_BT_PNG;
    if (starts(p, n, "\xff\xd8\xff", 3)) return KS_BT_JPEG;
    if (starts(p, n, "\x1f\x8b\x08", 3)) return KS_BT_GZIP;
    if (starts(p, n, "PK\x03\x04", 4) || starts(p, n, "PK\x05\x06", 4) ||
        starts(p, n, "JM\x01\x00PK\x03\x04", 8))
        return KS_BT_ZIP;
    if (starts(p, n, "7z\xbc\xaf\x27\x1c", 6)) return KS_BT_7Z;
    if (starts(p, n, "%PDF-", 5)) return KS_BT_PDF;
    if (n >= 132 && memcmp(p + 128, "DICM", 4) == 0) return KS_BT_DICOM;
    if (starts(p, n,
               "\xfd"
               "7zXZ\0",
               6))
        return KS_BT_XZ;
    if (n >= 10 && starts(p, n, "BZh", 3) && p[3] >= '1' && p[3] <= '9' &&
        (memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
         memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0))
        return KS_BT_BZIP2;
    if (starts(p, n, "\x28\xb5\x2f\xfd", 4)) return KS_BT_ZSTD;
    if (starts(p, n, "GIF87a", 6) || starts(p, n, "GIF89a", 6)) return KS_BT_GIF;
    if (starts(p, n, "OggS", 4) || starts(p, n, "ID3", 3) || starts(p, n, "fLaC", 4) ||
        starts(p, n, "wOFF", 4) || starts(p, n, "wOF2", 4) ||
        (starts(p, n, "RIFF", 4) && n >= 12) || (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0) ||
        (n >= 2 && p[0] == 0xff && (p[1] & 0xf6) == 0xf2))
        return KS_BT_MEDIA;
    if (starts(p, n,
               "\x7f"
               "ELF",
               4))
        return KS_BT_ELF;
    if (starts(p, n, "MZ", 2) && n >= 64) return KS_BT_PE;
    if (starts(p, n, "SQLite format 3\0", 16)) return KS_BT_SQLITE;
    if (starts(p, n, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)) return KS_BT_OLE;
    /* OpenPGP public key packets (old format tag 6, version 4), DER certificates */
    if (n >= 8 && ((p[0] == 0x99 && p[3] == 4) || (p[0] == 0x98 && p[2] == 4) ||
                   (p[0] == 0xc6 && (p[2] == 4 || p[3] == 4 || p[2] == 5))))
        return KS_BT_KEY;
    if (n >= 8 && p[0] == 0x30 && p[1] >= 0x81 && p[1] <= 0x83 &&
        (p[p[1] - 0x7e] == 0x30 || p[p[1] - 0x7e] == 0x02))
        return KS_BT_KEY;
    if (starts(p, n, "!<arch>\n", 8) || starts(p, n, "\xca\xfe\xba\xbe", 4) ||
        starts(p, n, "\xda\xda\xfe\xca", 4) || (n >= 16 && p[2] == '\r' && p[3] == '\n'))
        return KS_BT_PROGRAM;
    if (is_text(p, n)) return KS_BT_TEXT;
    return KS_BT_UNKNOWN;
}

/* Types whose bytes are compressed or coded without a structure kensa walks: random
 * blocks are expected anywhere in them. */
static int opaque(ks_backup_type t)
{
    return t == KS_BT_GIF || t == KS_BT_MEDIA || t == KS_BT_ELF || t == KS_BT_PE ||
           t == KS_BT_OLE || t == KS_BT_KEY || t == KS_BT_PROGRAM;
}

/* --- names -------------------------------------------------------------------------- */

static const char *basename_of(const char *name)
{
    const char *b = strrchr(name, '/');
    return b ? b + 1 : name;
}

static const char *extension_of(const char *name)
{
    const char *b = basename_of(name);
    const char *dot = strrchr(b, '.');
    return dot && dot != b && dot[1] ? dot + 1 : "";
}

/* Extensions that ransomware families append (lowercase). Random per-victim
 * extensions (LockBit 3.0's nine characters, Phobos' id-...-[mail].ext) are caught by
 * content, not here. */
static const char *const ransom_exts[] = {
    "locked",     "lockbit",     "lockbit3",  "encrypted",   "crypt",    "crypted",   "cry",
    "crypto",     "cerber",      "locky",     "zepto",       "aesir",    "wncry",     "wnry",
    "wcry",       "wncryt",      "ryk",       "conti",       "akira",    "akiranew",  "basta",
    "hive",       "royal",       "rhysida",   "8base",       "medusa",   "blackcat",  "alphv",
    "babuk",      "babyk",       "clop",      "cl0p",        "ragnar",   "ragnarok",  "revil",
    "sodinokibi", "maze",        "egregor",   "netwalker",   "djvu",     "phobos",    "eking",
    "devos",      "elbie",       "makop",     "dharma",      "crysis",   "gandcrab",  "krab",
    "ransom",     "pay2key",     "darkside",  "blackmatter", "quantum",  "avos",      "avoslocker",
    "lorenz",     "cuba",        "mallox",    "bianlian",    "noescape", "3am",       "cactus",
    "trigona",    "qilin",       "hunters",   "lynx",        "nokoyawa", "blacksuit", "zeppelin",
    "snatch",     "mountlocker", "ransomhub", "abcd",
};

int ks_backup_ransom_extension(const char *name)
{
    const char *e = extension_of(name);
    if (!*e) return 0;
    for (size_t i = 0; i < sizeof ransom_exts / sizeof ransom_exts[0]; i++)
        if (strcasecmp(e, ransom_exts[i]) == 0) return 1;
    return 0;
}

/* What a file with this extension must contain. */
static const struct {
    const char *ext;
    ks_backup_type type;
} ext_types[] = {
    {"png", KS_BT_PNG},   {"jpg", KS_BT_JPEG},      {"jpeg", KS_BT_JPEG}, {"gz", KS_BT_GZIP},
    {"tgz", KS_BT_GZIP},  {"zip", KS_BT_ZIP},       {"docx", KS_BT_ZIP},  {"xlsx", KS_BT_ZIP},
    {"pptx", KS_BT_ZIP},  {"odt", KS_BT_ZIP},       {"ods", KS_BT_ZIP},   {"jar", KS_BT_ZIP},
    {"7z", KS_BT_7Z},     {"pdf", KS_BT_PDF},       {"dcm", KS_BT_DICOM}, {"xz", KS_BT_XZ},
    {"bz2", KS_BT_BZIP2}, {"zst", KS_BT_ZSTD},      {"gif", KS_BT_GIF},   {"txt", KS_BT_TEXT},
    {"csv", KS_BT_TEXT},  {"log", KS_BT_TEXT},      {"xml", KS_BT_TEXT},  {"html", KS_BT_TEXT},
    {"htm", KS_BT_TEXT},  {"json", KS_BT_TEXT},     {"md", KS_BT_TEXT},   {"doc", KS_BT_OLE},
    {"xls", KS_BT_OLE},   {"sqlite", KS_BT_SQLITE}, {"db", KS_BT_SQLITE},
};

static int ext_mismatch(const char *name, ks_backup_type t, ks_backup_type *want)
{
    const char *e = extension_of(name);
    for (size_t i = 0; i < sizeof ext_types / sizeof ext_types[0]; i++) {
        if (strcasecmp(e, ext_types[i].ext) != 0) continue;
        *want = ext_types[i].type;
        if (t == KS_BT_EMPTY) return 0;
        if (*want == KS_BT_TEXT) return t != KS_BT_TEXT && t != KS_BT_UNKNOWN;
        if (*want == KS_BT_SQLITE && strcasecmp(e, "db") == 0) return 0; /* Thumbs.db etc. */
        return t != *want;
    }
    return 0;
}

/* Ransom notes: names and words. A note needs a payment word and an encryption word,
 * and a third sign (a note-like name or a word about getting files back). */
static const char *const note_names[] = {
    "readme",  "read_me",      "read-me", "how_to", "how-to", "howto",
    "decrypt", "restore",      "recover", "help_",  "!!!",    "ransom",
    "_info",   "instructions", "攻撃",    "復号",   "復元",
};
static const char *const pay_words[] = {
    "bitcoin", " btc ",        "monero", "tor browser", ".onion",
    "ransom",  "ビットコイン", "身代金", "tox id",      "qtox",
};
static const char *const crypt_words[] = {"encrypted", "encryption", "decrypt", "暗号化", "復号"};
static const char *const more_words[] = {
    "your files", "your data", "your network", "recover",  "restore", "private key",
    "contact us", "leak",      "publish",      "deadline", "price",   "wallet",
    "データ",     "ファイル",  "公開",         "連絡",
};

/* Case-insensitive (ASCII) search of w (lowercase) in n bytes. Notes are searched in
 * a lowercased copy with memmem instead (fast); this is for short strings. */
static int has_word(const uint8_t *p, size_t n, const char *w)
{
    size_t m = strlen(w);
    if (m > n) return 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m) {
            uint8_t c = p[i + j];
            if (c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
            if (c != (uint8_t)w[j]) break;
            j++;
        }
        if (j == m) return 1;
    }
    return 0;
}

static int count_words(const uint8_t *p, size_t n, const char *const *w, size_t k)
{
    int c = 0;
    for (size_t i = 0; i < k; i++) c += memmem(p, n, w[i], strlen(w[i])) != NULL;
    return c;
}

static int note_name(const char *name)
{
    const char *b = basename_of(name);
    size_t n = strlen(b);
    for (size_t i = 0; i < sizeof note_names / sizeof note_names[0]; i++)
        if (has_word((const uint8_t *)b, n, note_names[i])) return 1;
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int ransom_note(const char *name, const uint8_t *p, size_t n, uint64_t size, uint8_t *low)
{
    if (size > KS_BK_HEAD) return 0; /* notes are short; manuals and word lists are not */
    if (n > KS_BK_SCRATCH) n = KS_BK_SCRATCH;
    for (size_t i = 0; i < n; i++)
        low[i] = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];
    int pay = count_words(low, n, pay_words, COUNT(pay_words));
    int cry = pay ? count_words(low, n, crypt_words, COUNT(crypt_words)) : 0;
    int more = pay && cry ? count_words(low, n, more_words, COUNT(more_words)) : 0;
    if (!pay || !cry) return 0;
    return note_name(name) || more >= 3;
}

/* --- base64 ------------------------------------------------------------------------ */

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* A text file that is nothing but base64 of random-looking bytes (encrypted, then
 * wrapped so that entropy checks see 6 bits per byte). Base64 of a known format
 * (a PNG in a mail, a certificate) is not. */
static int base64_random(const ks_bk_stream *s, const ks_backup_file *o)
{
    uint64_t sym = 0, other = 0;
    for (int c = 0; c < 256; c++) {
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == '=') continue;
        if (b64_value((uint8_t)c) >= 0)
            sym += s->hist[c];
        else
            other += s->hist[c];
    }
    if (sym < 512 || other * 1000 > sym) return 0;
    /* armored keys, certificates and signatures are base64 of random-looking bytes */
    if (has_word(s->head, s->head_len, "-----begin ")) return 0;
    double h = 0;
    for (int c = 0; c < 256; c++) {
        if (b64_value((uint8_t)c) < 0 || !s->hist[c]) continue;
        double q = (double)s->hist[c] / (double)sym;
        h -= q * log2(q);
    }
    double expect = 6.0 - 63.0 / (2.0 * (double)sym * log(2.0));
    if (h < expect - 0.05) return 0;
    /* decode the first bytes and look for a known signature */
    uint8_t dec[192];
    size_t nd = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < s->head_len && nd < sizeof dec; i++) {
        int v = b64_value(s->head[i]);
        if (v < 0) continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            dec[nd++] = (uint8_t)(acc >> bits);
        }
    }
    ks_backup_type t = detect(dec, nd);
    (void)o;
    return t == KS_BT_UNKNOWN;
}

/* A text file with runs of random bytes too short for a block to look random
 * (intermittent encryption of small files): blocks with both control bytes and bytes
 * >= 0x80 in a file that is otherwise clean text (Shift_JIS text has the latter only,
 * groff and terminfo the former only). The count of such blocks, or 0. */
static uint64_t binary_in_text(const ks_bk_stream *s, const ks_backup_file *o)
{
    if (o->type != KS_BT_TEXT && o->type != KS_BT_UNKNOWN) return 0;
    uint64_t all = s->text_blocks + s->junk_blocks + s->other_blocks;
    if (!s->junk_blocks || s->text_blocks * 10 < all * 6) return 0;
    return s->junk_blocks;
}

/* --- the pass ------------------------------------------------------------------------ */

static double small_random_threshold(uint64_t n)
{
    /* mean - 4 sd of the entropy of n random bytes (measured): 64: 5.77/0.077,
     * 128: 6.55/0.067, 256: 7.17/0.052 */
    if (n < 128) return 5.45;
    if (n < 256) return 6.28;
    return 6.96;
}

static void walk(ks_bk_stream *s, ks_backup_file *o)
{
    int ok = -1;
    switch (o->type) {
    case KS_BT_PNG: ok = ks_bk_walk_png(s); break;
    case KS_BT_GZIP: ok = ks_bk_walk_gzip(s); break;
    case KS_BT_ZIP: ok = ks_bk_walk_zip(s); break;
    case KS_BT_JPEG: ok = ks_bk_walk_jpeg(s, UINT64_MAX); break;
    case KS_BT_PDF: ok = ks_bk_walk_pdf(s); break;
    case KS_BT_7Z: ok = ks_bk_walk_7z(s); break;
    case KS_BT_DICOM: ok = ks_bk_walk_dicom(s); break;
    case KS_BT_XZ: ok = ks_bk_walk_decode(s, "xz"); break;
    case KS_BT_BZIP2: ok = ks_bk_walk_decode(s, "bzip2"); break;
    case KS_BT_ZSTD: ok = ks_bk_walk_decode(s, "zstd"); break;
    default: break;
    }
    if (ok == 1) o->structure = KS_BS_OK;
    /* what follows the format's end (or everything, for types without a walk) */
    int payload = opaque(o->type) || (ok == 0 && o->type != KS_BT_TEXT);
    ks_bk_skip(s, UINT64_MAX, payload, NULL);
}

/* The reason, cut to fit (reasons are one sentence; a cut one still reads). */
static void say(ks_backup_file *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(ks_backup_file *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->reason, sizeof o->reason, fmt, ap);
    va_end(ap);
}

static void verdict(ks_bk_stream *s, const char *name, ks_backup_file *o)
{
    const char *tn = ks_backup_type_name(o->type);
    int whole = o->blocks ? o->random_blocks * 10 >= o->blocks * 9
                          : o->size >= 64 && o->type == KS_BT_UNKNOWN &&
                                o->entropy >= small_random_threshold(o->size);
    int rext = ks_backup_ransom_extension(name);
    const char *ext = extension_of(name);
    char tail[64] = "";
    if (rext) snprintf(tail, sizeof tail, "; .%.24s is a ransomware extension", ext);

    if (o->type == KS_BT_EMPTY) {
        o->verdict = rext ? KS_BV_RANSOM_EXTENSION : KS_BV_CLEAN;
        say(o, rext ? "empty file named like ransomware output (.%.40s)" : "empty file%s",
            rext ? ext : "");
        return;
    }
    if (o->type == KS_BT_UNKNOWN && whole && !rext &&
        (strcasecmp(ext, "br") == 0 || strcasecmp(ext, "brotli") == 0)) {
        /* brotli has no signature at all: the one case taken on the name */
        o->verdict = KS_BV_CLEAN;
        say(o, "random-looking, no signature; taken for brotli on its name (.%.20s)", ext);
        return;
    }
    if (o->type == KS_BT_UNKNOWN && whole) {
        o->verdict = KS_BV_ENCRYPTED;
        say(o,
            "no known format and the bytes look random (%llu of %llu blocks; entropy %.3f, "
            "chi-square %.0f)%s",
            (unsigned long long)o->random_blocks, (unsigned long long)o->blocks, o->entropy,
            o->chi2, tail);
        return;
    }
    if (o->structure == KS_BS_BROKEN) {
        if (whole && o->structure_offset < 4096 && o->type != KS_BT_TEXT) {
            o->verdict = KS_BV_ENCRYPTED;
            say(o,
                "only the %s signature is left: the structure breaks at offset %llu (%.100s) "
                "and %llu of %llu blocks look random%s",
                tn, (unsigned long long)o->structure_offset, o->structure_what,
                (unsigned long long)o->random_blocks, (unsigned long long)o->blocks, tail);
        } else {
            o->verdict = KS_BV_PARTLY_ENCRYPTED;
            say(o, "%s structure broken at offset %llu: %.112s%s", tn,
                (unsigned long long)o->structure_offset, o->structure_what, tail);
        }
        return;
    }
    /* one random block is enough where a walk marked the compressed parts (what is
     * left is headers, text objects, raw pixels) and in text; two elsewhere */
    uint64_t need = o->type == KS_BT_TEXT || o->structure == KS_BS_OK ? 1 : 2;
    if (o->unexpected_blocks >= need) {
        o->verdict = whole && o->type == KS_BT_UNKNOWN ? KS_BV_ENCRYPTED : KS_BV_PARTLY_ENCRYPTED;
        say(o,
            "%llu of %llu blocks look random where a %s file holds plain data (first at "
            "offset %llu)%s",
            (unsigned long long)o->unexpected_blocks, (unsigned long long)o->blocks, tn,
            (unsigned long long)o->first_unexpected, tail);
        return;
    }
    uint64_t junk = binary_in_text(s, o);
    if (junk) {
        o->verdict = KS_BV_PARTLY_ENCRYPTED;
        say(o, "%llu of %llu blocks of a text file hold random bytes (first at offset %llu)%s",
            (unsigned long long)junk,
            (unsigned long long)(s->text_blocks + s->junk_blocks + s->other_blocks),
            (unsigned long long)s->first_junk, tail);
        return;
    }
    if (o->type == KS_BT_TEXT && base64_random(s, o)) {
        o->verdict = KS_BV_ENCRYPTED;
        say(o, "base64 text of random-looking bytes (encrypted, then encoded)%s", tail);
        return;
    }
    if (o->type == KS_BT_TEXT && ransom_note(name, s->head, s->head_len, o->size, s->scratch)) {
        o->verdict = KS_BV_RANSOM_NOTE;
        say(o, "ransom note: asks for payment to decrypt files%s", tail);
        return;
    }
    if (rext) {
        o->verdict = KS_BV_RANSOM_EXTENSION;
        say(o, ".%.40s is a known ransomware extension (content: %s)", ext, tn);
        return;
    }
    ks_backup_type want;
    if (ext_mismatch(name, o->type, &want)) {
        o->verdict = KS_BV_EXTENSION_MISMATCH;
        say(o, "named .%.40s (%s) but the content is %s", ext, ks_backup_type_name(want), tn);
        return;
    }
    o->verdict = KS_BV_CLEAN;
    if (o->structure == KS_BS_OK)
        say(o, "%s%s%s, structure consistent to the end", tn, o->subtype[0] ? " " : "", o->subtype);
    else if (opaque(o->type))
        say(o, "%s (recognized by signature; contents not checked)", tn);
    else
        say(o, "%s, %llu of %llu blocks random", tn, (unsigned long long)o->random_blocks,
            (unsigned long long)o->blocks);
}

static _Thread_local ks_bk_stream *spare;

static void release(ks_bk_stream *s)
{
    if (!spare)
        spare = s;
    else
        free(s);
}

static ks_status analyze(const char *name, ks_backup_read_fn fn, void *ctx, const void *mem,
                         size_t mem_n, const char *path, unsigned flags, ks_backup_file *out)
{
    if (!fn || !out) return KS_ERR_ARG;
    if (!name) name = "";
    pthread_once(&clog_once, clog_init);
    memset(out, 0, sizeof *out);
    /* one stream per thread is kept for the next file: a scan of many small files
     * then neither maps nor faults in this memory again for each */
    ks_bk_stream *s = spare;
    spare = NULL;
    if (!s) s = malloc(sizeof *s);
    if (!s) return KS_ERR_NOMEM;
    uint8_t *buf = s->bufmem;
    memset(s, 0, offsetof(ks_bk_stream, tail));
    s->fn = fn;
    s->ctx = ctx;
    s->buf = buf;
    s->out = out;
    s->mem = mem;
    s->mem_n = mem_n;
    s->path = path;
    s->quick = (flags & KS_BACKUP_QUICK) != 0;
    if (ks_sha256_init(&s->sha) != 0) {
        release(s);
        return KS_ERR_NOMEM;
    }

    size_t n = ks_bk_need(s, 4096);
    out->type = detect(ks_bk_ptr(s), n);
    walk(s, out);
    if (s->bfill) {
        block_judge(s);
        ks_bk_block *b = &s->ring[(s->nblock - 1) % KS_BK_RING];
        block_final(s, b);
    }
    out->size = s->base + s->len;
    ks_sha256_final(&s->sha, out->sha256);
    double sum_clog = 0, sum_sq = 0, total = (double)out->size;
    for (int i = 0; i < 256; i++) {
        double c = (double)s->hist[i];
        if (c > 0) sum_clog += c * log2(c);
        sum_sq += c * c;
    }
    if (total > 0) {
        out->entropy = log2(total) - sum_clog / total;
        out->chi2 = 256.0 * sum_sq / total - total;
    }
    ks_status st = KS_OK;
    if (s->err) {
        out->verdict = KS_BV_UNREADABLE;
        snprintf(out->reason, sizeof out->reason, "read error after %llu bytes",
                 (unsigned long long)out->size);
        st = KS_ERR_IO;
    } else {
        verdict(s, name, out);
    }
    release(s);
    return st;
}

ks_status ks_backup_analyze(const char *name, ks_backup_read_fn fn, void *ctx, unsigned flags,
                            ks_backup_file *out)
{
    return analyze(name, fn, ctx, NULL, 0, NULL, flags, out);
}

static ssize_t fd_read(void *ctx, void *buf, size_t n)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r < 0 && errno == EINTR) continue;
        return r;
    }
}

ks_status ks_backup_analyze_fd(const char *name, int fd, const char *path, unsigned flags,
                               ks_backup_file *out)
{
    return analyze(name, fd_read, &fd, NULL, 0, path, flags, out);
}

typedef struct mem_reader {
    const uint8_t *p;
    size_t n, off;
} mem_reader;

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
    mem_reader *m = ctx;
    size_t k = m->n - m->off < n ? m->n - m->off : n;
    if (k) memcpy(buf, m->p + m->off, k);
    m->off += k;
    return (ssize_t)k;
}

ks_status ks_backup_analyze_mem(const char *name, const void *p, size_t n, ks_backup_file *out)
{
    mem_reader m = {p, p ? n : 0, 0};
    return analyze(name, mem_read, &m, p, p ? n : 0, NULL, 0, out);
}
