/* The sealed archive's formats: record entries and leaves, the files list, the
 * checkpoint text (written, parsed strictly, signature checked), day names, and the
 * small file helpers sealing and verification share. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kensa/time.h"
#include "seal/seal_internal.h"

void ks_seal_entry_encode(const ks_seal_entry *e, uint8_t out[KS_SEAL_ENTRY_SIZE])
{
    ks_put_u32(out, e->file);
    ks_put_u32(out + 4, e->size);
    ks_put_u64(out + 8, e->offset);
    ks_put_u64(out + 16, (uint64_t)e->time_ns);
    ks_put_u64(out + 24, e->record_id);
}

void ks_seal_entry_decode(const uint8_t in[KS_SEAL_ENTRY_SIZE], ks_seal_entry *e)
{
    e->file = ks_get_u32(in);
    e->size = ks_get_u32(in + 4);
    e->offset = ks_get_u64(in + 8);
    e->time_ns = (int64_t)ks_get_u64(in + 16);
    e->record_id = ks_get_u64(in + 24);
}

void ks_seal_record_leaf(const uint8_t entry[KS_SEAL_ENTRY_SIZE],
                         const uint8_t content[KS_HASH_SIZE], uint8_t out[KS_HASH_SIZE])
{
    uint8_t d[KS_SEAL_LEAF_SIZE];
    memcpy(d, entry, KS_SEAL_ENTRY_SIZE);
    memcpy(d + KS_SEAL_ENTRY_SIZE, content, KS_HASH_SIZE);
    ks_merkle_leaf(KS_SEAL_HASH, d, sizeof d, out);
}

void ks_seal_file_encode(const ks_seal_file *f, ks_buf *out)
{
    uint8_t h[KS_SEAL_FILE_FIXED];
    size_t nlen = strnlen(f->name, KS_SEAL_MAX_NAME);
    ks_put_u32(h, f->id);
    ks_put_u64(h + 4, f->size);
    memcpy(h + 12, f->hash, KS_HASH_SIZE);
    ks_put_u64(h + 44, f->zsize);
    memcpy(h + 52, f->zhash, KS_HASH_SIZE);
    h[84] = (uint8_t)nlen;
    h[85] = (uint8_t)(nlen >> 8);
    ks_buf_append(out, h, sizeof h);
    ks_buf_append(out, f->name, nlen);
}

void ks_seal_file_leaf(const ks_seal_file *f, uint8_t out[KS_HASH_SIZE])
{
    ks_buf b = {0};
    ks_seal_file_encode(f, &b);
    ks_merkle_leaf(KS_SEAL_HASH, b.data, b.len, out);
    ks_buf_free(&b);
}

void ks_seal_day_leaf(const ks_checkpoint *c, uint8_t out[KS_HASH_SIZE])
{
    uint8_t d[8 + 8 + KS_HASH_SIZE + 4 + KS_HASH_SIZE];
    ks_put_u64(d, (uint64_t)c->day);
    ks_put_u64(d + 8, c->records);
    memcpy(d + 16, c->records_root, KS_HASH_SIZE);
    ks_put_u32(d + 48, c->files);
    memcpy(d + 52, c->files_root, KS_HASH_SIZE);
    ks_merkle_leaf(KS_SEAL_HASH, d, sizeof d, out);
}

void ks_seal_day_format(int64_t day, char out[16])
{
    int64_t y;
    unsigned m, d;
    ks_civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, 16, "out-of-range");
        return;
    }
    snprintf(out, 16, "%04d-%02u-%02u", (int)y, m, d);
}

static int digits(const char *s, size_t n, unsigned *v)
{
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return 0;
}

int ks_seal_day_parse(const char *s, int64_t *day)
{
    unsigned y, m, d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d)) return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
    int64_t v = ks_days_from_civil(y, m, d);
    char back[16];
    ks_seal_day_format(v, back);
    if (strcmp(back, s) != 0) return -1; /* 2026-02-30 */
    *day = v;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static unsigned weekday(int64_t day) /* 0 Monday .. 6 Sunday; 1970-01-01 was a Thursday */
{
    return (unsigned)((day + 3) - 7 * floor_div(day + 3, 7));
}

void ks_seal_week_name(int64_t day, char out[16])
{
    /* ISO 8601: the week belongs to the year of its Thursday */
    int64_t thursday = day - weekday(day) + 3, y;
    unsigned m, d;
    ks_civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = ks_days_from_civil(y, 1, 1);
    snprintf(out, 16, "%04d-W%02d", (int)y, (int)((thursday - jan1) / 7 + 1));
}

void ks_seal_month_name(int64_t day, char out[16])
{
    int64_t y;
    unsigned m, d;
    ks_civil_from_days(day, &y, &m, &d);
    snprintf(out, 16, "%04d-%02u", (int)y, m);
}

bool ks_seal_ends_week(int64_t day)
{
    return weekday(day) == 6;
}

bool ks_seal_ends_month(int64_t day)
{
    int64_t y1, y2;
    unsigned m1, m2, d;
    ks_civil_from_days(day, &y1, &m1, &d);
    ks_civil_from_days(day + 1, &y2, &m2, &d);
    return m1 != m2;
}

static void put_hex(ks_buf *b, const uint8_t *p, size_t n)
{
    char h[2 * 64 + 1];
    if (n > 64) return;
    sodium_bin2hex(h, sizeof h, p, n);
    ks_buf_append(b, h, 2 * n);
}

void ks_checkpoint_body(const ks_checkpoint *c, ks_buf *out)
{
    char day[16];
    ks_seal_day_format(c->day, day);
    ks_buf_puts(out, KS_SEAL_CKPT_HEAD);
    ks_buf_printf(out, "day: %s\nsequence: %llu\nprevious: ", day, (unsigned long long)c->seq);
    put_hex(out, c->prev, KS_HASH_SIZE);
    ks_buf_puts(out, "\nkey: ");
    put_hex(out, c->key, KS_SEAL_KEY_SIZE);
    ks_buf_puts(out, "\nkey-certificate: ");
    put_hex(out, c->cert, KS_SEAL_CERT_SIZE);
    ks_buf_puts(out, "\nnext-key: ");
    put_hex(out, c->next_key, KS_SEAL_KEY_SIZE);
    ks_buf_printf(out, "\nrecords: %llu ", (unsigned long long)c->records);
    put_hex(out, c->records_root, KS_HASH_SIZE);
    ks_buf_printf(out, "\nfiles: %u ", c->files);
    put_hex(out, c->files_root, KS_HASH_SIZE);
    ks_buf_printf(out, "\nnext-file: %u\n", c->next_file);
    if (c->has_week) {
        ks_buf_printf(out, "week: %s %u ", c->week, c->week_days);
        put_hex(out, c->week_root, KS_HASH_SIZE);
        ks_buf_putc(out, '\n');
    }
    if (c->has_month) {
        ks_buf_printf(out, "month: %s %u ", c->month, c->month_days);
        put_hex(out, c->month_root, KS_HASH_SIZE);
        ks_buf_putc(out, '\n');
    }
}

/* A tiny strict line reader over the checkpoint text. */
typedef struct cur {
    const char *p, *end;
} cur;

static bool take(cur *c, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0) return false;
    c->p += n;
    return true;
}

static bool take_hex(cur *c, uint8_t *out, size_t n)
{
    if ((size_t)(c->end - c->p) < 2 * n) return false;
    for (size_t i = 0; i < 2 * n; i++) {
        char ch = c->p[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
    }
    size_t got = 0;
    if (sodium_hex2bin(out, n, c->p, 2 * n, NULL, &got, NULL) != 0 || got != n) return false;
    c->p += 2 * n;
    return true;
}

static bool take_u64(cur *c, uint64_t *v, uint64_t max)
{
    uint64_t x = 0;
    const char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - s < 20) {
        unsigned dgt = (unsigned)(*c->p - '0');
        if (x > (max - dgt) / 10) return false;
        x = x * 10 + dgt;
        c->p++;
    }
    if (c->p == s || (c->p - s > 1 && *s == '0')) return false;
    *v = x;
    return true;
}

static bool take_word(cur *c, char *out, size_t cap)
{
    size_t n = 0;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\n' && n + 1 < cap) out[n++] = *c->p++;
    out[n] = 0;
    return n > 0;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(why, why_n, __VA_ARGS__);                                                         \
        return KS_ERR_FORMAT;                                                                      \
    } while (0)

ks_status ks_checkpoint_parse(const void *data, size_t n, ks_checkpoint *ck, char *why,
                              size_t why_n)
{
    memset(ck, 0, sizeof *ck);
    if (n > KS_SEAL_MAX_CHECKPOINT) FAIL("the checkpoint is too large (%zu bytes)", n);
    cur c = {data, (const char *)data + n};
    char day[16];
    uint64_t v;
    if (take(&c, KS_SEAL_CKPT_HEAD_V1))
        FAIL("a checkpoint of the first archive format (v1, \"ks1-\" keys), which this kensa "
             "no longer reads: check it with the kensa that sealed it");
    if (!take(&c, KS_SEAL_CKPT_HEAD)) FAIL("not a kensa checkpoint (first line)");
    if (!take(&c, "day: ") || !take_word(&c, day, sizeof day) || ks_seal_day_parse(day, &ck->day))
        FAIL("bad or missing day line");
    if (!take(&c, "\nsequence: ") || !take_u64(&c, &ck->seq, UINT32_MAX))
        FAIL("bad or missing sequence line");
    if (!take(&c, "\nprevious: ") || !take_hex(&c, ck->prev, KS_HASH_SIZE))
        FAIL("bad or missing previous line");
    if (!take(&c, "\nkey: ") || !take_hex(&c, ck->key, KS_SEAL_KEY_SIZE))
        FAIL("bad or missing key line");
    if (!take(&c, "\nkey-certificate: ") || !take_hex(&c, ck->cert, KS_SEAL_CERT_SIZE))
        FAIL("bad or missing key-certificate line");
    if (!take(&c, "\nnext-key: ") || !take_hex(&c, ck->next_key, KS_SEAL_KEY_SIZE))
        FAIL("bad or missing next-key line");
    if (!take(&c, "\nrecords: ") || !take_u64(&c, &ck->records, KS_SEAL_MAX_RECORDS) ||
        !take(&c, " ") || !take_hex(&c, ck->records_root, KS_HASH_SIZE))
        FAIL("bad or missing records line");
    if (!take(&c, "\nfiles: ") || !take_u64(&c, &v, KS_SEAL_MAX_FILES) || !take(&c, " ") ||
        !take_hex(&c, ck->files_root, KS_HASH_SIZE))
        FAIL("bad or missing files line");
    ck->files = (uint32_t)v;
    if (!take(&c, "\nnext-file: ") || !take_u64(&c, &v, UINT32_MAX))
        FAIL("bad or missing next-file line");
    ck->next_file = (uint32_t)v;
    if (!take(&c, "\n")) FAIL("bad line end after next-file");
    if (take(&c, "week: ")) {
        ck->has_week = true;
        if (!take_word(&c, ck->week, sizeof ck->week) || !take(&c, " ") || !take_u64(&c, &v, 7) ||
            !take(&c, " ") || !take_hex(&c, ck->week_root, KS_HASH_SIZE) || !take(&c, "\n"))
            FAIL("bad week line");
        ck->week_days = (uint32_t)v;
    }
    if (take(&c, "month: ")) {
        ck->has_month = true;
        if (!take_word(&c, ck->month, sizeof ck->month) || !take(&c, " ") ||
            !take_u64(&c, &v, 31) || !take(&c, " ") ||
            !take_hex(&c, ck->month_root, KS_HASH_SIZE) || !take(&c, "\n"))
            FAIL("bad month line");
        ck->month_days = (uint32_t)v;
    }
    ck->body_len = (size_t)(c.p - (const char *)data);
    if (!take(&c, "signature: ") || !take_hex(&c, ck->sig, 64) || !take(&c, "\n"))
        FAIL("bad or missing signature line");
    if (c.p != c.end) FAIL("unexpected bytes after the signature");
    /* the text must be exactly what sealing writes: no second spelling of a checkpoint */
    ks_buf b = {0};
    ks_checkpoint_body(ck, &b);
    bool same = !b.failed && b.len == ck->body_len && memcmp(b.data, data, b.len) == 0;
    ks_buf_free(&b);
    if (!same) FAIL("the checkpoint is not in its canonical form");
    ks_hash(KS_SEAL_HASH, data, n, ck->hash);
    return KS_OK;
}

bool ks_checkpoint_signed_by(const ks_checkpoint *c, const void *data,
                             const uint8_t key[KS_SEAL_KEY_SIZE])
{
    return crypto_sign_verify_detached(c->sig, data, c->body_len, key) == 0;
}

void ks_seal_key_format(const uint8_t key[KS_SEAL_KEY_SIZE], char out[96])
{
    char h[65];
    sodium_bin2hex(h, sizeof h, key, KS_SEAL_KEY_SIZE);
    size_t o = 0;
    memcpy(out, "ks2", 3);
    o = 3;
    for (int g = 0; g < 8; g++) {
        out[o++] = '-';
        memcpy(out + o, h + 8 * g, 8);
        o += 8;
    }
    out[o] = 0;
}

/* The key as text: "ks2-" and 64 hex digits (dashes and spaces anywhere), or bare.
 * A first-format key ("ks1-") is KS_ERR_UNSUPPORTED. */
static ks_status parse_key_text(const char *p, size_t len, uint8_t key[KS_SEAL_KEY_SIZE])
{
    char h[65];
    size_t n = 0, i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t')) i++;
    if (len - i >= 4 && memcmp(p + i, "ks1-", 4) == 0) return KS_ERR_UNSUPPORTED;
    if (len - i >= 3 && memcmp(p + i, "ks2", 3) == 0) i += 3;
    for (; i < len; i++) {
        char c = p[i];
        if (c == '-' || c == ' ') continue;
        if (c == '\n' || c == '\r') break;
        if (c >= 'A' && c <= 'F') c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 64) return KS_ERR_FORMAT;
        h[n++] = c;
    }
    for (; i < len; i++)
        if (p[i] != '\n' && p[i] != '\r' && p[i] != ' ') return KS_ERR_FORMAT;
    size_t got = 0;
    if (n != 64 || sodium_hex2bin(key, KS_SEAL_KEY_SIZE, h, 64, NULL, &got, NULL) != 0 ||
        got != KS_SEAL_KEY_SIZE)
        return KS_ERR_FORMAT;
    return KS_OK;
}

ks_status ks_seal_key_parse(const char *text, uint8_t key[KS_SEAL_KEY_SIZE])
{
    ks_status t = parse_key_text(text, strlen(text), key);
    if (t != KS_ERR_FORMAT) return t;
    uint8_t *d = NULL;
    size_t dn = 0;
    ks_status st = ks_seal_slurp(text, 512, &d, &dn);
    if (st != KS_OK) return st == KS_ERR_LIMIT ? KS_ERR_FORMAT : KS_ERR_IO;
    st = parse_key_text((const char *)d, dn, key);
    free(d);
    return st;
}

/* ---- the checkpoint in binary, for proofs ---- */

#define FLAG_WEEK 1
#define FLAG_MONTH 2

void ks_checkpoint_encode(const ks_checkpoint *c, ks_buf *out)
{
    uint8_t b[KS_SEAL_CKPT_BIN_MAX];
    size_t o = 0;
    ks_put_u64(b + o, (uint64_t)c->day), o += 8;
    ks_put_u32(b + o, (uint32_t)c->seq), o += 4;
    memcpy(b + o, c->prev, 32), o += 32;
    memcpy(b + o, c->key, 32), o += 32;
    memcpy(b + o, c->cert, 64), o += 64;
    memcpy(b + o, c->next_key, 32), o += 32;
    ks_put_u64(b + o, c->records), o += 8;
    memcpy(b + o, c->records_root, 32), o += 32;
    ks_put_u32(b + o, c->files), o += 4;
    memcpy(b + o, c->files_root, 32), o += 32;
    ks_put_u32(b + o, c->next_file), o += 4;
    b[o++] = (uint8_t)((c->has_week ? FLAG_WEEK : 0) | (c->has_month ? FLAG_MONTH : 0));
    if (c->has_week) {
        b[o++] = (uint8_t)c->week_days;
        memcpy(b + o, c->week_root, 32), o += 32;
    }
    if (c->has_month) {
        b[o++] = (uint8_t)c->month_days;
        memcpy(b + o, c->month_root, 32), o += 32;
    }
    memcpy(b + o, c->sig, 64), o += 64;
    ks_buf_append(out, b, o);
}

ks_status ks_checkpoint_decode(const uint8_t *p, size_t n, ks_checkpoint *c, size_t *used)
{
    memset(c, 0, sizeof *c);
    *used = 0;
    const size_t fixed = 8 + 4 + 32 + 32 + 64 + 32 + 8 + 32 + 4 + 32 + 4 + 1;
    if (n < fixed + 64) return KS_ERR_FORMAT;
    size_t o = 0;
    c->day = (int64_t)ks_get_u64(p + o), o += 8;
    c->seq = ks_get_u32(p + o), o += 4;
    memcpy(c->prev, p + o, 32), o += 32;
    memcpy(c->key, p + o, 32), o += 32;
    memcpy(c->cert, p + o, 64), o += 64;
    memcpy(c->next_key, p + o, 32), o += 32;
    c->records = ks_get_u64(p + o), o += 8;
    memcpy(c->records_root, p + o, 32), o += 32;
    c->files = ks_get_u32(p + o), o += 4;
    memcpy(c->files_root, p + o, 32), o += 32;
    c->next_file = ks_get_u32(p + o), o += 4;
    uint8_t flags = p[o++];
    /* the days a checkpoint can name: 1970 to 9999 */
    if ((flags & ~(FLAG_WEEK | FLAG_MONTH)) || c->day < 0 ||
        c->day > ks_days_from_civil(9999, 12, 31) || c->records > KS_SEAL_MAX_RECORDS ||
        c->files > KS_SEAL_MAX_FILES)
        return KS_ERR_FORMAT;
    for (int k = 0; k < 2; k++) {
        if (!(flags & (k == 0 ? FLAG_WEEK : FLAG_MONTH))) continue;
        if (n - o < 33 + 64) return KS_ERR_FORMAT;
        uint8_t days = p[o++];
        if (days > (k == 0 ? 7 : 31)) return KS_ERR_FORMAT;
        if (k == 0) {
            c->has_week = true;
            c->week_days = days;
            memcpy(c->week_root, p + o, 32);
            ks_seal_week_name(c->day, c->week);
        } else {
            c->has_month = true;
            c->month_days = days;
            memcpy(c->month_root, p + o, 32);
            ks_seal_month_name(c->day, c->month);
        }
        o += 32;
    }
    if (n - o < 64) return KS_ERR_FORMAT;
    memcpy(c->sig, p + o, 64), o += 64;
    *used = o;
    return KS_OK;
}

void *ks_seal_big_alloc(size_t n)
{
    if (n < KS_SEAL_HUGE) return malloc(n);
    void *p = NULL;
    if (posix_memalign(&p, KS_SEAL_HUGE, n) != 0) return NULL;
    (void)madvise(p, n & ~(size_t)(KS_SEAL_HUGE - 1), MADV_HUGEPAGE); /* a hint only */
    return p;
}

ks_status ks_seal_slurp_into(const char *path, size_t max, uint8_t **buf, size_t *cap, size_t *n)
{
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return KS_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return KS_ERR_IO;
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return KS_ERR_LIMIT;
    }
    size_t size = (size_t)st.st_size;
    if (!*buf || *cap < (size ? size : 1)) {
        free(*buf); /* not realloc: the old bytes are not needed */
        *cap = 0;
        if (!(*buf = ks_seal_big_alloc(size ? size : 1))) {
            close(fd);
            return KS_ERR_NOMEM;
        }
        *cap = size ? size : 1;
    }
    uint8_t *p = *buf;
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, p + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != size) return KS_ERR_IO;
    *n = size;
    return KS_OK;
}

ks_status ks_seal_slurp(const char *path, size_t max, uint8_t **data, size_t *n)
{
    size_t cap = 0;
    *data = NULL;
    ks_status st = ks_seal_slurp_into(path, max, data, &cap, n);
    if (st != KS_OK) {
        free(*data);
        *data = NULL;
    }
    return st;
}

_Thread_local bool ks_seal_sync = true;

ks_status ks_seal_write_file(const char *path, const void *data, size_t n, ks_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ks_diag_set(diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
    const uint8_t *p = data;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return ks_diag_set(diag, KS_ERR_IO, path, done, "%s", strerror(e));
        }
        done += (size_t)w;
    }
    if ((ks_seal_sync && fsync(fd) != 0) || close(fd) != 0)
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
    return KS_OK;
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

ks_status ks_seal_list_days(const char *dir, int64_t **days, size_t *n, size_t *other)
{
    *days = NULL;
    *n = 0;
    *other = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/days", dir);
    DIR *d = opendir(path);
    if (!d) return errno == ENOENT ? KS_OK : KS_ERR_IO;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        int64_t day;
        if (ks_seal_day_parse(e->d_name, &day) != 0) {
            (*other)++;
            continue;
        }
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            int64_t *v = realloc(*days, nc * sizeof *v);
            if (!v) {
                closedir(d);
                free(*days);
                *days = NULL;
                *n = 0;
                return KS_ERR_NOMEM;
            }
            *days = v;
            cap = nc;
        }
        (*days)[(*n)++] = day;
    }
    closedir(d);
    if (*n) qsort(*days, *n, sizeof **days, cmp_day);
    return KS_OK;
}
