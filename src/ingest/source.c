/* ks_source: one evidence file of any format as a stream of normalized events. It maps
 * the file read-only, tells its format from its content, decodes text to UTF-8 lines
 * for the text readers (reader.h), runs EVTX files through the EVTX reader, fills the
 * semantic fields from the mapping table and keeps the counts. */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/map.h"
#include "ingest/reader.h"
#include "kensa/evtx.h"
#include "util/tz.h"
#include "util/utf16.h"

/* The text readers, asked in this order; the most confident sniff wins. */
static const ks_reader_ops *const readers[] = {
    &ks_reader_xml,
    &ks_reader_jsonl,
    &ks_reader_csv,
    &ks_reader_syslog,
};

#define KS_SNIFF_BYTES (64 * 1024)
#define KS_DROP_EVERY (8u << 20)         /* release consumed pages of a mapped file this often */
#define KS_EVENT_ARENA_LIMIT (64u << 20) /* per event: bounds what one line can make us hold */

struct ks_source {
    char *name;
    const uint8_t *data;
    size_t size;
    void *map;
    size_t map_size;
    int64_t mtime;
    ks_source_opts opts;
    ks_format format;
    ks_encoding enc;
    ks_source_stats stats;
    char assumed_reader[128], assumed_zone[96];
    /* text */
    size_t start, pos; /* after the BOM; the next line */
    uint64_t lineno;
    ks_line last;
    size_t last_end; /* pos after the last line */
    int unread;
    size_t dropped;       /* mapped bytes before this were released */
    ks_buf linebuf, swap; /* the decoded line; UTF-16BE swapped */
    iconv_t cd;
    /* events */
    ks_arena arena;
    ks_buf scratch;
    ks_event ev;
    const ks_reader_ops *ops;
    void *state;
    ks_evtx *evtx;
    ks_tz *tz;
    int tz_failed, zone_noted;
    uint64_t event_skips; /* EVTX records whose XML was not an event */
};

const char *ks_format_name(ks_format f)
{
    static const char *const names[] = {"unknown", "evtx", "xml", "csv", "jsonl", "syslog"};
    return f < KS_FORMAT_COUNT ? names[f] : "unknown";
}

const char *ks_encoding_name(ks_encoding e)
{
    static const char *const names[] = {"auto",     "UTF-8", "UTF-16LE",
                                        "UTF-16BE", "CP932", "Windows-1252"};
    return e <= KS_ENC_CP1252 ? names[e] : "auto";
}

/* ---- encoding ------------------------------------------------------------------ */

/* Length of the valid UTF-8 prefix of p[0..n). */
static size_t utf8_valid_prefix(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) { /* ASCII: eight bytes at a time */
            uint64_t w;
            while (i + 8 <= n && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080ull))) i += 8;
            while (i < n && p[i] < 0x80) i++;
            continue;
        }
        unsigned c = p[i];
        size_t len = c >= 0xf5 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (!len || i + len > n) return i;
        uint32_t cp = len == 4 ? c & 7 : len == 3 ? c & 15 : c & 31;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) return i;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += len;
    }
    return n;
}

/* Is p[0..n) Shift_JIS / CP932 throughout (a cut-off last character allowed)? */
static int cp932_plausible(const uint8_t *p, size_t n)
{
    size_t multi = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c < 0x80 || (c >= 0xa1 && c <= 0xdf)) continue; /* ASCII, half-width kana */
        if ((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) {
            if (i + 1 == n) break;
            uint8_t t = p[++i];
            if (t < 0x40 || t == 0x7f || t > 0xfc) return 0;
            multi++;
            continue;
        }
        return 0;
    }
    return multi > 0;
}

static ks_encoding detect_encoding(const uint8_t *p, size_t n, size_t *bom)
{
    *bom = 0;
    if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) return *bom = 3, KS_ENC_UTF8;
    if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) return *bom = 2, KS_ENC_UTF16LE;
    if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) return *bom = 2, KS_ENC_UTF16BE;
    size_t look = n < 4096 ? n : 4096, even = 0, odd = 0;
    for (size_t i = 0; i + 1 < look; i += 2) even += !p[i], odd += !p[i + 1];
    if (look >= 4 && odd > look / 4 && even < look / 32) return KS_ENC_UTF16LE;
    if (look >= 4 && even > look / 4 && odd < look / 32) return KS_ENC_UTF16BE;
    size_t v = utf8_valid_prefix(p, n);
    if (v == n || n - v < 4) return KS_ENC_UTF8; /* a character cut at the end of the head */
    if (cp932_plausible(p, n)) return KS_ENC_CP932;
    return KS_ENC_CP1252;
}

/* ---- lines --------------------------------------------------------------------- */

/* Append n CP932 bytes to out as UTF-8, opening *cd on first use. */
static void decode_cp932(iconv_t *cd, ks_buf *out, const uint8_t *p, size_t n)
{
    if (*cd == (iconv_t)-1 && (*cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1) {
        ks_cp1252_append(out, p, n, KS_ESC_NONE); /* checked at open; cannot happen */
        return;
    }
    char *in = (char *)p;
    size_t left = n;
    iconv(*cd, NULL, NULL, NULL, NULL);
    while (left && !out->failed) {
        if (ks_buf_reserve(out, left * 3 + 4)) return;
        char *o = out->data + out->len;
        size_t room = out->cap - out->len, before = room;
        size_t r = iconv(*cd, &in, &left, &o, &room);
        out->len += before - room;
        if (r == (size_t)-1 && (errno == EILSEQ || errno == EINVAL)) {
            ks_buf_puts(out, "\xef\xbf\xbd"); /* U+FFFD, then resynchronize */
            in++, left--;
        } else if (r == (size_t)-1 && errno != E2BIG) {
            return;
        }
    }
}

ks_status ks_text_to_utf8(const void *data, size_t n, ks_buf *out, ks_encoding *enc)
{
    const uint8_t *p = data;
    size_t bom;
    ks_encoding e = detect_encoding(p, n < KS_SNIFF_BYTES ? n : KS_SNIFF_BYTES, &bom);
    if (enc && *enc != KS_ENC_AUTO && *enc != e) e = *enc, bom = 0;
    if (enc) *enc = e;
    p += bom, n -= bom;
    if (e == KS_ENC_UTF16LE) {
        ks_utf16_append(out, p, n / 2, KS_ESC_NONE);
    } else if (e == KS_ENC_UTF16BE) {
        ks_buf swap = {0}; /* byte-swap to little-endian, then convert */
        if (!ks_buf_reserve(&swap, n / 2 * 2 + 1)) {
            for (size_t i = 0; i + 1 < n; i += 2) {
                swap.data[i] = (char)p[i + 1];
                swap.data[i + 1] = (char)p[i];
            }
            ks_utf16_append(out, (const uint8_t *)swap.data, n / 2, KS_ESC_NONE);
        } else {
            out->failed = 1;
        }
        ks_buf_free(&swap);
    } else if (e == KS_ENC_CP932) {
        iconv_t cd = (iconv_t)-1;
        decode_cp932(&cd, out, p, n);
        if (cd != (iconv_t)-1) iconv_close(cd);
    } else if (e == KS_ENC_CP1252) {
        ks_cp1252_append(out, p, n, KS_ESC_NONE);
    } else {
        ks_escape_utf8(out, (const char *)p, n, KS_ESC_NONE);
    }
    return out->failed ? KS_ERR_NOMEM : KS_OK;
}

bool ks_source_line(ks_source *s, ks_line *line)
{
    if (s->unread) {
        s->unread = 0;
        *line = s->last;
        s->pos = s->last_end;
        return true;
    }
    const uint8_t *d = s->data;
    size_t pos = s->pos, n = s->size;
    if (pos >= n) return false;
    size_t end, next;
    if (s->enc == KS_ENC_UTF16LE || s->enc == KS_ENC_UTF16BE) {
        size_t lo = s->enc == KS_ENC_UTF16LE ? 0 : 1;
        end = pos;
        while (end + 1 < n && !(d[end + lo] == '\n' && d[end + 1 - lo] == 0)) end += 2;
        if (end + 1 >= n)
            end = n & ~(size_t)1, next = n;
        else
            next = end + 2;
        if (end < pos) end = pos;
        size_t units = (end - pos) / 2;
        if (units && d[end - 2 + lo] == '\r' && d[end - 1 - lo] == 0) units--;
        ks_buf_reset(&s->linebuf);
        if (s->enc == KS_ENC_UTF16LE) {
            ks_utf16_append(&s->linebuf, d + pos, units, KS_ESC_NONE);
        } else {
            ks_buf_reset(&s->swap); /* byte-swap to little-endian, then convert */
            if (!ks_buf_reserve(&s->swap, units * 2)) {
                for (size_t i = 0; i < units; i++) {
                    s->swap.data[2 * i] = (char)d[pos + 2 * i + 1];
                    s->swap.data[2 * i + 1] = (char)d[pos + 2 * i];
                }
                ks_utf16_append(&s->linebuf, (const uint8_t *)s->swap.data, units, KS_ESC_NONE);
            }
        }
        line->p = s->linebuf.data ? s->linebuf.data : "";
        line->len = s->linebuf.failed ? 0 : s->linebuf.len;
    } else {
        const uint8_t *nl = memchr(d + pos, '\n', n - pos);
        end = nl ? (size_t)(nl - d) : n;
        next = nl ? end + 1 : n;
        size_t len = end - pos;
        if (len && d[pos + len - 1] == '\r') len--;
        if (s->enc == KS_ENC_UTF8 && utf8_valid_prefix(d + pos, len) == len) {
            line->p = (const char *)d + pos; /* zero copy */
            line->len = len;
        } else {
            ks_buf_reset(&s->linebuf);
            if (s->enc == KS_ENC_CP932)
                decode_cp932(&s->cd, &s->linebuf, d + pos, len);
            else if (s->enc == KS_ENC_CP1252)
                ks_cp1252_append(&s->linebuf, d + pos, len, KS_ESC_NONE);
            else
                ks_escape_utf8(&s->linebuf, (const char *)d + pos, len, KS_ESC_NONE);
            line->p = s->linebuf.data ? s->linebuf.data : "";
            line->len = s->linebuf.failed ? 0 : s->linebuf.len;
        }
    }
    if (s->map && pos - s->dropped > KS_DROP_EVERY) {
        /* pages behind the cursor are not needed again (a re-read would fault them
         * back in from the file): keep resident memory flat on big logs */
        size_t upto = pos & ~(size_t)(KS_DROP_EVERY - 1);
        madvise(s->map, upto, MADV_DONTNEED);
        s->dropped = upto;
    }
    line->offset = pos;
    line->lineno = ++s->lineno;
    s->pos = next;
    s->last = *line;
    s->last_end = next;
    return true;
}

void ks_source_unread_line(ks_source *s)
{
    if (s->lineno) s->unread = 1;
}

/* ---- services for readers ----------------------------------------------------------- */

void *ks_source_alloc(ks_source *s, size_t n)
{
    return ks_arena_alloc(&s->arena, n);
}

ks_str ks_source_str(ks_source *s, const char *p, size_t n)
{
    char *d = ks_arena_alloc(&s->arena, n + 1);
    if (!d) return (ks_str){"", 0};
    if (n) memcpy(d, p, n);
    d[n] = 0;
    return (ks_str){d, n};
}

ks_buf *ks_source_scratch(ks_source *s)
{
    return &s->scratch;
}

static void emit(ks_source *s, const ks_problem *p)
{
    if (p->severity == KS_SEV_ERROR) s->stats.skipped++;
    if (s->opts.on_problem) s->opts.on_problem(s->opts.ctx, p);
}

void ks_source_report(ks_source *s, ks_severity sev, ks_status st, uint64_t offset, uint64_t lineno,
                      const char *excerpt, size_t excerpt_len, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ks_problem p = {s->name, offset, lineno, 0, sev, st, what, excerpt, excerpt_len};
    emit(s, &p);
}

void ks_source_count_ignored(ks_source *s)
{
    s->stats.ignored++;
}
void ks_source_count_unrecognized(ks_source *s)
{
    s->stats.unrecognized++;
}

static void update_assumed(ks_source *s)
{
    const char *a = s->assumed_reader, *z = s->assumed_zone;
    snprintf(s->stats.assumed, sizeof s->stats.assumed, "%s%s%s", a, *a && *z ? "; " : "", z);
}

void ks_source_assume(ks_source *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->assumed_reader, sizeof s->assumed_reader, fmt, ap);
    va_end(ap);
    update_assumed(s);
}

const ks_source_opts *ks_source_get_opts(const ks_source *s)
{
    return &s->opts;
}
const char *ks_source_path(const ks_source *s)
{
    return s->name;
}
int64_t ks_source_mtime(const ks_source *s)
{
    return s->mtime;
}

int64_t ks_source_local_to_utc(ks_source *s, int64_t local_ns)
{
    if (!s->tz && !s->tz_failed) {
        ks_diag d;
        if (ks_tz_open(&s->tz, s->opts.tz, &d) != KS_OK) {
            s->tz_failed = 1; /* a given opts.tz was checked at open: the machine's zone */
            ks_source_report(s, KS_SEV_WARNING, KS_ERR_ARG, 0, 0, NULL, 0, "%s; using UTC", d.what);
        }
    }
    if (!s->zone_noted) {
        s->zone_noted = 1;
        snprintf(s->assumed_zone, sizeof s->assumed_zone, "times without a zone read as %s",
                 s->tz ? ks_tz_name(s->tz) : "UTC");
        update_assumed(s);
    }
    /* saturated times (outside years 1678-2262) stay as they are */
    if (!s->tz || local_ns >= INT64_MAX - 86400 * 1000000000LL ||
        local_ns <= INT64_MIN + 86400 * 1000000000LL)
        return local_ns;
    int64_t sec = local_ns / 1000000000, frac = local_ns % 1000000000;
    if (frac < 0) sec--, frac += 1000000000;
    return ks_tz_local_to_utc(s->tz, sec) * 1000000000 + frac;
}

/* ---- EVTX through the same interface ------------------------------------------------ */

static void evtx_problem(void *ctx, const ks_evtx_problem *e)
{
    ks_source *s = ctx;
    ks_problem p = {e->file,
                    e->offset,
                    0,
                    e->record_id,
                    e->severity == KS_EVTX_ERROR ? KS_SEV_ERROR : KS_SEV_WARNING,
                    e->status,
                    e->what,
                    NULL,
                    0};
    if (s->opts.on_problem) s->opts.on_problem(s->opts.ctx, &p);
}

static void sync_evtx_stats(ks_source *s)
{
    if (!s->evtx) return;
    const ks_evtx_stats *e = ks_evtx_get_stats(s->evtx);
    s->stats.skipped = e->records_skipped + s->event_skips;
    s->stats.chunks_bad = e->chunks_bad;
    s->stats.chunks_crc = e->chunks_crc;
}

/* ---- open, detect, next ----------------------------------------------------------- */

/* A name for what the head looks like when no reader claims it. */
static const char *describe(const ks_source *s)
{
    if (!s->size) return "an empty file";
    size_t look = s->size < 4096 ? s->size : 4096, ctl = 0;
    for (size_t i = 0; i < look; i++) {
        uint8_t c = s->data[i];
        ctl += c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b;
    }
    if (s->enc != KS_ENC_UTF16LE && s->enc != KS_ENC_UTF16BE && ctl > look / 100)
        return "binary data";
    return "text in no format kensa reads";
}

/* The text encoding (unless the caller gave one) and where the text starts. */
static void set_encoding(ks_source *s)
{
    size_t head = s->size < KS_SNIFF_BYTES ? s->size : KS_SNIFF_BYTES, bom;
    ks_encoding enc = detect_encoding(s->data, head, &bom);
    s->enc = s->opts.encoding ? s->opts.encoding : enc;
    s->start = s->pos = bom;
}

static ks_format detect(ks_source *s)
{
    if (s->size >= 8 && !memcmp(s->data, "ElfFile", 8)) return KS_FORMAT_EVTX;
    set_encoding(s);
    if (!strcmp(describe(s), "binary data")) return KS_FORMAT_UNKNOWN;
    /* the first lines, decoded, for the sniffers */
    ks_buf text = {0};
    ks_line ln;
    while (text.len < KS_SNIFF_BYTES && s->pos - s->start < KS_SNIFF_BYTES &&
           ks_source_line(s, &ln)) {
        ks_buf_append(&text, ln.p, ln.len);
        ks_buf_putc(&text, '\n');
    }
    s->pos = s->start, s->lineno = 0, s->unread = 0;
    int best = 0;
    ks_format f = KS_FORMAT_UNKNOWN;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        if (text.failed) continue;
        int c = readers[i]->sniff(text.data ? text.data : "", text.len);
        if (c > best) best = c, f = readers[i]->format;
    }
    ks_buf_free(&text);
    return f;
}

static const ks_reader_ops *reader_for(ks_format f)
{
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (readers[i]->format == f) return readers[i];
    return NULL;
}

static ks_status open_common(ks_source *s, ks_diag *diag)
{
    ks_status st;
    s->arena.limit = KS_EVENT_ARENA_LIMIT;
    if (s->opts.format)
        s->format = s->opts.format, set_encoding(s);
    else
        s->format = detect(s);
    if (s->opts.tz) { /* a bad --tz is the caller's error, found before reading */
        if ((st = ks_tz_open(&s->tz, s->opts.tz, diag)) != KS_OK) return st;
    }
    if (s->enc == KS_ENC_CP932 && s->cd == (iconv_t)-1 &&
        (s->cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1)
        return ks_diag_set(diag, KS_ERR_UNSUPPORTED, s->name, 0,
                           "this system cannot convert CP932 (Shift_JIS) text");
    if (s->format == KS_FORMAT_EVTX) {
        /* a file is read with the EVTX reader's own chunk reads, not through the map,
         * so that memory stays flat */
        st = s->map ? ks_evtx_open(&s->evtx, s->name, diag)
                    : ks_evtx_open_mem(&s->evtx, s->data, s->size, s->name, diag);
        if (s->map) {
            munmap(s->map, s->map_size);
            s->map = NULL, s->data = NULL, s->size = 0;
        }
        if (st != KS_OK) return st;
        ks_evtx_on_problem(s->evtx, evtx_problem, s);
        return KS_OK;
    }
    s->ops = reader_for(s->format);
    if (!s->ops)
        return ks_diag_set(diag, KS_ERR_UNSUPPORTED, s->name, 0, "%s, not an event log",
                           describe(s));
    return s->ops->open(s, &s->state, diag);
}

static ks_source *new_source(const char *name, const ks_source_opts *o)
{
    ks_source *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (o) s->opts = *o;
    s->cd = (iconv_t)-1;
    s->name = strdup(name ? name : "(memory)");
    if (!s->name) free(s), s = NULL;
    return s;
}

ks_status ks_source_open_mem(ks_source **out, const void *data, size_t size, const char *name,
                             const ks_source_opts *o, ks_diag *diag)
{
    *out = NULL;
    ks_source *s = new_source(name, o);
    if (!s) return KS_ERR_NOMEM;
    s->data = data;
    s->size = data ? size : 0;
    ks_status st = open_common(s, diag);
    if (st != KS_OK) {
        ks_source_close(&s);
        return st;
    }
    *out = s;
    return KS_OK;
}

ks_status ks_source_open(ks_source **out, const char *path, const ks_source_opts *o, ks_diag *diag)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "not a regular file");
    }
    ks_source *s = new_source(path, o);
    if (!s) {
        close(fd);
        return KS_ERR_NOMEM;
    }
    s->mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            ks_source_close(&s);
            return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot map: %s", strerror(errno));
        }
        madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
        s->map = m, s->map_size = (size_t)st.st_size;
        s->data = m, s->size = (size_t)st.st_size;
    }
    close(fd);
    ks_status r = open_common(s, diag);
    if (r != KS_OK) {
        ks_source_close(&s);
        return r;
    }
    *out = s;
    return KS_OK;
}

void ks_source_close(ks_source **sp)
{
    if (!sp || !*sp) return;
    ks_source *s = *sp;
    if (s->ops && s->state) s->ops->close(s->state);
    ks_evtx_close(&s->evtx);
    ks_tz_close(&s->tz);
    if (s->cd != (iconv_t)-1) iconv_close(s->cd);
    if (s->map) munmap(s->map, s->map_size);
    ks_arena_free(&s->arena);
    ks_buf_free(&s->linebuf);
    ks_buf_free(&s->swap);
    ks_buf_free(&s->scratch);
    free(s->name);
    free(s);
    *sp = NULL;
}

static ks_status next_evtx(ks_source *s, bool *got)
{
    for (;;) {
        const ks_evtx_record *rec;
        ks_status st = ks_evtx_next(s->evtx, &rec);
        if (st != KS_OK) return st;
        if (!rec) return *got = false, KS_OK;
        if ((st = ks_evtx_record_event(rec, &s->ev)) == KS_OK) return *got = true, KS_OK;
        ks_problem p = {s->name,
                        rec->offset,
                        0,
                        rec->record_id,
                        KS_SEV_ERROR,
                        st,
                        "the record's XML could not be read as an event",
                        NULL,
                        0};
        s->event_skips++;
        if (s->opts.on_problem) s->opts.on_problem(s->opts.ctx, &p);
    }
}

ks_status ks_source_next(ks_source *s, const ks_event **ev)
{
    *ev = NULL;
    ks_arena_reset(&s->arena);
    memset(&s->ev, 0, sizeof s->ev);
    s->ev.sem.logon_type = -1;
    bool got = false;
    ks_status st = s->evtx ? next_evtx(s, &got) : s->ops->next(s, s->state, &s->ev, &got);
    if (s->evtx) {
        sync_evtx_stats(s);
        s->ev.sem.logon_type = -1; /* ks_evtx_record_event cleared the event */
    }
    if (st != KS_OK || !got) return st;
    if (!s->opts.time_only) ks_event_map(&s->ev, &s->arena);
    ks_source_stats *t = &s->stats;
    if (s->ev.time_ns) {
        if (!t->first_ns || s->ev.time_ns < t->first_ns) t->first_ns = s->ev.time_ns;
        if (!t->last_ns || s->ev.time_ns > t->last_ns) t->last_ns = s->ev.time_ns;
    }
    t->events++;
    *ev = &s->ev;
    return KS_OK;
}

ks_format ks_source_format(const ks_source *s)
{
    return s->format;
}
ks_encoding ks_source_encoding(const ks_source *s)
{
    return s->evtx ? KS_ENC_AUTO : s->enc;
}
const char *ks_source_name(const ks_source *s)
{
    return s->name;
}
const ks_source_stats *ks_source_get_stats(const ks_source *s)
{
    return &s->stats;
}

ks_format ks_format_detect(const void *head, size_t n, const char **why)
{
    ks_source s = {.data = head, .size = head ? n : 0, .cd = (iconv_t)-1};
    ks_format f = detect(&s);
    if (why) *why = f == KS_FORMAT_UNKNOWN ? describe(&s) : NULL;
    if (s.cd != (iconv_t)-1) iconv_close(s.cd);
    ks_buf_free(&s.linebuf);
    ks_buf_free(&s.swap);
    return f;
}
