/* The EVTX writer: events to a .evtx file laid out the way Windows writes one. A
 * chunk is built in memory (names and templates stored inline on first use and
 * referenced afterwards, one template per event shape, the common-string and template
 * tables filled, CRC32s computed) and written when full; the file header comes last.
 * Tests, examples and `kensa simulate` use it to make evidence with known content. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kensa/evtx.h"
#include "kensa/evtx_writer.h"
#include "util/crc32.h"

#define CK_SIZE KS_EVTX_CHUNK_SIZE
#define CK_HDR 512u
#define STR_BUCKETS 64u  /* common string offset table at chunk offset 128 */
#define TMPL_BUCKETS 32u /* template pointer table at chunk offset 384 */
#define FT_EPOCH_DIFF INT64_C(116444736000000000) /* 1601 -> 1970 in 100 ns ticks */

/* clang-format off */
/* Every element and attribute name the writer uses; each is stored once per chunk. */
enum name_id {
    N_EVENT, N_XMLNS, N_SYSTEM, N_PROVIDER, N_NAME, N_GUID, N_EVENTID, N_QUALIFIERS,
    N_VERSION, N_LEVEL, N_TASK, N_OPCODE, N_KEYWORDS, N_TIMECREATED, N_SYSTEMTIME,
    N_EVENTRECORDID, N_CORRELATION, N_ACTIVITYID, N_RELATEDACTIVITYID, N_EXECUTION,
    N_PROCESSID, N_THREADID, N_CHANNEL, N_COMPUTER, N_SECURITY, N_USERID, N_EVENTDATA,
    N_DATA, N_COUNT
};

static const char *const NAME_TEXT[N_COUNT] = {
    "Event", "xmlns", "System", "Provider", "Name", "Guid", "EventID", "Qualifiers",
    "Version", "Level", "Task", "Opcode", "Keywords", "TimeCreated", "SystemTime",
    "EventRecordID", "Correlation", "ActivityID", "RelatedActivityID", "Execution",
    "ProcessID", "ThreadID", "Channel", "Computer", "Security", "UserID", "EventData",
    "Data"};

/* Substitution slots of the System element, numbered as in Windows' templates (0-13),
 * then the values Windows writes as template text, then the EventData fields. */
enum {
    S_LEVEL, S_OPCODE, S_TASK, S_EVENTID, S_QUALIFIERS, S_KEYWORDS, S_TIME, S_RECORDID,
    S_PID, S_ACTIVITY, S_RELATED, S_VERSION, S_TID, S_USERID, S_PROVIDER, S_PROVIDER_GUID,
    S_CHANNEL, S_COMPUTER, S_FIELDS
};
/* clang-format on */

#define EVENT_NS "http://schemas.microsoft.com/win/2004/08/events/event"

typedef struct tmpl {
    uint64_t hash;
    size_t key_off, key_len; /* the shape key, in w->keys */
    uint32_t def_off;        /* chunk offset of the definition */
    uint32_t id;
} tmpl;

typedef struct sub {
    size_t off; /* in w->vals */
    uint32_t size;
    uint8_t type;
} sub;

struct ks_evtx_writer {
    FILE *f;
    char *path;
    ks_diag *diag;
    ks_status failed; /* a write failed: every later call fails the same way */
    uint64_t next_id;
    uint32_t chunks; /* chunks written to the file */
    /* the chunk being filled */
    uint8_t ck[CK_SIZE];
    uint32_t free_off, last_rec_off;
    uint64_t first_id, last_id;
    uint32_t names[N_COUNT]; /* chunk offset of each name, 0 while not stored */
    tmpl *tmpls;
    size_t ntmpls, cap_tmpls;
    ks_buf keys;
    /* scratch, kept between records */
    ks_buf rec, vals, key, text;
    sub *subs;
    size_t cap_subs;
};

/* --- little-endian output -------------------------------------------------- */

static void put8(ks_buf *b, uint8_t v)
{
    ks_buf_putc(b, (char)v);
}
static void put16(ks_buf *b, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    ks_buf_append(b, p, 2);
}
static void put32(ks_buf *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    ks_buf_append(b, p, 4);
}
static void put64(ks_buf *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}
/* Append n bytes; nothing (and no access to p) when n is 0. */
static void put_bytes(ks_buf *b, const void *p, size_t n)
{
    if (n) ks_buf_append(b, p, n);
}
static void set32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static void set16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void set64(uint8_t *p, uint64_t v)
{
    set32(p, (uint32_t)v);
    set32(p + 4, (uint32_t)(v >> 32));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* --- text ------------------------------------------------------------------ */

/* UTF-8 to UTF-16LE; each invalid or overlong sequence, encoded surrogate or code
 * point past U+10FFFF becomes U+FFFD. */
static void utf8_to_utf16(ks_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        uint32_t cp = 0xfffd;
        size_t used = 1;
        if (len == 1) {
            cp = c;
        } else if (len) {
            /* the lead byte and the continuation bytes that follow it */
            size_t avail = n - i < len ? n - i : len, k = 1;
            uint32_t v = c & (0x7fu >> len);
            for (; k < avail && (p[i + k] & 0xc0) == 0x80; k++) v = (v << 6) | (p[i + k] & 0x3f);
            static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
            if (k == len && v >= min[len] && v <= 0x10ffff && (v < 0xd800 || v > 0xdfff)) cp = v;
            used = k; /* a cut-off or invalid sequence is one bad character */
        }
        i += used;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put16(out, (uint16_t)(0xd800 + (cp >> 10)));
            put16(out, (uint16_t)(0xdc00 + (cp & 0x3ff)));
        } else {
            put16(out, (uint16_t)cp);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (braces optional, any case) to the 16 bytes
 * Windows stores: the first three groups little-endian, the rest in order. */
static int parse_guid(const char *s, size_t n, uint8_t g[16])
{
    if (n == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        n = 36;
    }
    if (n != 36) return 0;
    uint8_t raw[16];
    size_t k = 0;
    for (size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
            i++;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0) return 0;
        raw[k++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++) g[order[i]] = raw[i];
    return 1;
}

/* One decimal number (or 0x-hex when hex_ok) of s[*i..n) up to '-' or the end. */
static int parse_num(const char *s, size_t n, size_t *i, int hex_ok, uint64_t max, uint64_t *out)
{
    size_t p = *i;
    int base = 10;
    if (hex_ok && n - p > 2 && s[p] == '0' && (s[p + 1] | 0x20) == 'x') {
        base = 16;
        p += 2;
    }
    uint64_t v = 0;
    size_t start = p;
    for (; p < n && s[p] != '-'; p++) {
        int d = base == 16 ? hexval(s[p]) : (s[p] >= '0' && s[p] <= '9' ? s[p] - '0' : -1);
        if (d < 0 || v > (max - (uint64_t)d) / (uint64_t)base) return 0;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (p == start) return 0;
    *out = v;
    *i = p;
    return 1;
}

/* "S-1-5-21-..." to a binary SID (revision, count, 48-bit big-endian authority,
 * little-endian sub-authorities); returns its size, 0 if the text is not a SID. */
static size_t parse_sid(const char *s, size_t n, uint8_t sid[68])
{
    if (n < 4 || (s[0] != 'S' && s[0] != 's') || s[1] != '-') return 0;
    size_t i = 2;
    uint64_t rev, auth, part;
    if (!parse_num(s, n, &i, 0, 255, &rev) || i >= n) return 0;
    i++;
    if (!parse_num(s, n, &i, 1, (UINT64_C(1) << 48) - 1, &auth)) return 0;
    sid[0] = (uint8_t)rev;
    for (int k = 0; k < 6; k++) sid[2 + k] = (uint8_t)(auth >> (8 * (5 - k)));
    unsigned count = 0;
    while (i < n) {
        i++; /* the '-' */
        if (count == 15 || !parse_num(s, n, &i, 0, UINT32_MAX, &part)) return 0;
        set32(sid + 8 + 4 * count++, (uint32_t)part);
    }
    sid[1] = (uint8_t)count;
    return 8 + 4 * (size_t)count;
}

/* MS-EVEN6's name hash: h = h * 65599 + unit over the UTF-16 units, low 16 bits. */
static uint16_t name_hash(const uint8_t *u16, size_t units)
{
    uint32_t h = 0;
    for (size_t i = 0; i < units; i++)
        h = h * 65599u + (uint32_t)(u16[2 * i] | u16[2 * i + 1] << 8);
    return (uint16_t)h;
}

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* --- errors ---------------------------------------------------------------- */

static ks_status fail(ks_evtx_writer *w, ks_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ks_status fail(ks_evtx_writer *w, ks_status st, const char *fmt, ...)
{
    if (w->diag) {
        char what[sizeof w->diag->what];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        uint64_t off = KS_EVTX_HEADER_SIZE + (uint64_t)w->chunks * CK_SIZE + w->free_off;
        ks_diag_set(w->diag, st, w->path, off, "%s", what);
    }
    return st;
}

/* --- chunk ----------------------------------------------------------------- */

static void chunk_reset(ks_evtx_writer *w)
{
    memset(w->ck, 0, sizeof w->ck);
    memset(w->names, 0, sizeof w->names);
    w->free_off = CK_HDR;
    w->last_rec_off = 0;
    w->first_id = w->last_id = 0;
    w->ntmpls = 0;
    ks_buf_reset(&w->keys);
}

/* Fill in the chunk header and append the chunk to the file. */
static ks_status chunk_flush(ks_evtx_writer *w)
{
    uint8_t *ck = w->ck;
    memcpy(ck, "ElfChnk", 8);
    set64(ck + 8, w->first_id);
    set64(ck + 16, w->last_id);
    set64(ck + 24, w->first_id);
    set64(ck + 32, w->last_id);
    set32(ck + 40, 128);
    set32(ck + 44, w->last_rec_off);
    set32(ck + 48, w->free_off);
    set32(ck + 52, ks_crc32(0, ck + CK_HDR, w->free_off - CK_HDR));
    set32(ck + 120, 0);
    uint32_t h = ks_crc32(0, ck, 120);
    set32(ck + 124, ks_crc32(h, ck + 128, CK_HDR - 128));
    if (fwrite(ck, 1, CK_SIZE, w->f) != CK_SIZE)
        return w->failed =
                   fail(w, KS_ERR_IO, "cannot write chunk %u: %s", w->chunks, strerror(errno));
    w->chunks++;
    chunk_reset(w);
    return KS_OK;
}

/* What the chunk's tables look like before a record, to undo a record that does not
 * fit. */
typedef struct mark {
    uint8_t tables[CK_HDR - 128];
    uint32_t names[N_COUNT];
    size_t ntmpls, keys_len;
} mark;

static void mark_take(const ks_evtx_writer *w, mark *m)
{
    memcpy(m->tables, w->ck + 128, sizeof m->tables);
    memcpy(m->names, w->names, sizeof m->names);
    m->ntmpls = w->ntmpls;
    m->keys_len = w->keys.len;
}

static void mark_restore(ks_evtx_writer *w, const mark *m)
{
    memcpy(w->ck + 128, m->tables, sizeof m->tables);
    memcpy(w->names, m->names, sizeof m->names);
    w->ntmpls = m->ntmpls;
    w->keys.len = m->keys_len;
}

/* --- Binary XML of a template ---------------------------------------------- */

typedef struct bx {
    ks_evtx_writer *w;
    ks_buf *b;
    uint32_t base; /* chunk offset of b->data[0] */
} bx;

static uint32_t here(const bx *x)
{
    return x->base + (uint32_t)x->b->len;
}

/* A name reference; on the name's first use in the chunk the name follows inline and
 * joins its hash bucket in the common string table. */
static void put_name(bx *x, enum name_id id)
{
    ks_evtx_writer *w = x->w;
    if (w->names[id]) {
        put32(x->b, w->names[id]);
        return;
    }
    uint32_t off = here(x) + 4;
    put32(x->b, off);
    const char *s = NAME_TEXT[id];
    size_t n = strlen(s);
    uint8_t u16[64];
    for (size_t i = 0; i < n; i++) {
        u16[2 * i] = (uint8_t)s[i];
        u16[2 * i + 1] = 0;
    }
    uint16_t h = name_hash(u16, n);
    uint8_t *slot = w->ck + 128 + 4 * (h % STR_BUCKETS);
    put32(x->b, get32(slot)); /* the bucket's previous head */
    put16(x->b, h);
    put16(x->b, (uint16_t)n);
    ks_buf_append(x->b, u16, 2 * n);
    put16(x->b, 0);
    set32(slot, off);
    w->names[id] = off;
}

/* Open start element: token, dependency id -1, data size (patched by elem_end), name.
 * Returns the position of the size field. */
static size_t elem_open(bx *x, enum name_id id, int attrs)
{
    put8(x->b, attrs ? 0x41 : 0x01);
    put16(x->b, 0xffff);
    size_t at = x->b->len;
    put32(x->b, 0);
    put_name(x, id);
    return at;
}

static void patch_size(bx *x, size_t at)
{
    if (x->b->failed) return;
    set32((uint8_t *)x->b->data + at, (uint32_t)(x->b->len - at - 4));
}

/* Close the element after an empty start tag (0x03) or after content (0x04). */
static void elem_end(bx *x, size_t at, uint8_t tok)
{
    put8(x->b, tok);
    patch_size(x, at);
}

static size_t attrs_open(bx *x)
{
    size_t at = x->b->len;
    put32(x->b, 0);
    return at;
}

static void attr(bx *x, enum name_id id, int more)
{
    put8(x->b, more ? 0x46 : 0x06);
    put_name(x, id);
}

static void subst(bx *x, uint16_t idx, uint8_t type, int optional)
{
    put8(x->b, optional ? 0x0e : 0x0d);
    put16(x->b, idx);
    put8(x->b, type);
}

/* Value text (token 0x05, string type): a 16-bit character count and UTF-16LE. */
static int value_text(bx *x, const char *s, size_t n)
{
    ks_buf *t = &x->w->text;
    ks_buf_reset(t);
    utf8_to_utf16(t, s, n);
    if (t->len / 2 > 0xffff) return 0;
    put8(x->b, 0x05);
    put8(x->b, KS_VT_STRING);
    put16(x->b, (uint16_t)(t->len / 2));
    put_bytes(x->b, t->data, t->len);
    return 1;
}

/* <Name>substitution</Name> */
static void simple(bx *x, enum name_id id, uint16_t idx, uint8_t type, int optional)
{
    size_t at = elem_open(x, id, 0);
    put8(x->b, 0x02);
    subst(x, idx, type, optional);
    elem_end(x, at, 0x04);
}

/* The template body: fragment header, <Event> with System and EventData, end of
 * fragment. `key` is the shape: the EventID type, then per field its declared type,
 * the name's length (16 bits) and the name. */
static ks_status template_body(bx *x, const ks_event *ev)
{
    const uint8_t *key = (const uint8_t *)x->w->key.data;
    ks_buf *b = x->b;
    put32(b, 0x0001010f);
    size_t ev_at = elem_open(x, N_EVENT, 1);
    size_t al = attrs_open(x);
    attr(x, N_XMLNS, 0);
    value_text(x, EVENT_NS, sizeof EVENT_NS - 1);
    patch_size(x, al);
    put8(b, 0x02);

    size_t sys_at = elem_open(x, N_SYSTEM, 0);
    put8(b, 0x02);
    size_t at = elem_open(x, N_PROVIDER, 1);
    al = attrs_open(x);
    attr(x, N_NAME, 1);
    subst(x, S_PROVIDER, KS_VT_STRING, 0);
    attr(x, N_GUID, 0);
    subst(x, S_PROVIDER_GUID, KS_VT_GUID, 1);
    patch_size(x, al);
    elem_end(x, at, 0x03);

    at = elem_open(x, N_EVENTID, 1);
    al = attrs_open(x);
    attr(x, N_QUALIFIERS, 0);
    subst(x, S_QUALIFIERS, KS_VT_UINT16, 1);
    patch_size(x, al);
    put8(b, 0x02);
    subst(x, S_EVENTID, key[0], 0);
    elem_end(x, at, 0x04);

    simple(x, N_VERSION, S_VERSION, KS_VT_UINT8, 1);
    simple(x, N_LEVEL, S_LEVEL, KS_VT_UINT8, 1);
    simple(x, N_TASK, S_TASK, KS_VT_UINT16, 1);
    simple(x, N_OPCODE, S_OPCODE, KS_VT_UINT8, 1);
    simple(x, N_KEYWORDS, S_KEYWORDS, KS_VT_HEX64, 1);

    at = elem_open(x, N_TIMECREATED, 1);
    al = attrs_open(x);
    attr(x, N_SYSTEMTIME, 0);
    subst(x, S_TIME, KS_VT_FILETIME, 0);
    patch_size(x, al);
    elem_end(x, at, 0x03);

    simple(x, N_EVENTRECORDID, S_RECORDID, KS_VT_UINT64, 1);

    at = elem_open(x, N_CORRELATION, 1);
    al = attrs_open(x);
    attr(x, N_ACTIVITYID, 1);
    subst(x, S_ACTIVITY, KS_VT_GUID, 1);
    attr(x, N_RELATEDACTIVITYID, 0);
    subst(x, S_RELATED, KS_VT_GUID, 1);
    patch_size(x, al);
    elem_end(x, at, 0x03);

    at = elem_open(x, N_EXECUTION, 1);
    al = attrs_open(x);
    attr(x, N_PROCESSID, 1);
    subst(x, S_PID, KS_VT_UINT32, 1);
    attr(x, N_THREADID, 0);
    subst(x, S_TID, KS_VT_UINT32, 1);
    patch_size(x, al);
    elem_end(x, at, 0x03);

    simple(x, N_CHANNEL, S_CHANNEL, KS_VT_STRING, 0);
    simple(x, N_COMPUTER, S_COMPUTER, KS_VT_STRING, 0);

    at = elem_open(x, N_SECURITY, 1);
    al = attrs_open(x);
    attr(x, N_USERID, 0);
    subst(x, S_USERID, KS_VT_SID, 1);
    patch_size(x, al);
    elem_end(x, at, 0x03);
    elem_end(x, sys_at, 0x04);

    if (ev->nfields) {
        size_t ed_at = elem_open(x, N_EVENTDATA, 0);
        put8(b, 0x02);
        size_t k = 1;
        for (size_t i = 0; i < ev->nfields; i++) {
            uint8_t type = key[k];
            size_t nlen = (size_t)key[k + 1] | (size_t)key[k + 2] << 8;
            const char *name = (const char *)key + k + 3;
            k += 3 + nlen;
            at = elem_open(x, N_DATA, nlen > 0);
            if (nlen) {
                al = attrs_open(x);
                attr(x, N_NAME, 0);
                if (!value_text(x, name, nlen))
                    return fail(x->w, KS_ERR_LIMIT, "field %zu: name longer than 65535 characters",
                                i);
                patch_size(x, al);
            }
            put8(b, 0x02);
            subst(x, (uint16_t)(S_FIELDS + i), type, 0);
            elem_end(x, at, 0x04);
        }
        elem_end(x, ed_at, 0x04);
    }
    elem_end(x, ev_at, 0x04);
    put8(b, 0x00);
    return KS_OK;
}

/* --- substitution values --------------------------------------------------- */

static sub *add_sub(ks_evtx_writer *w, size_t i, uint8_t type, const void *p, size_t n)
{
    sub *s = &w->subs[i];
    s->off = w->vals.len;
    s->size = (uint32_t)n;
    s->type = n ? type : KS_VT_NULL;
    if (n) ks_buf_append(&w->vals, p, n);
    return s;
}

static void add_utf8(ks_evtx_writer *w, size_t i, ks_str s)
{
    size_t start = w->vals.len;
    utf8_to_utf16(&w->vals, s.p, s.len);
    sub *x = &w->subs[i];
    x->off = start;
    x->size = (uint32_t)(w->vals.len - start);
    x->type = KS_VT_STRING; /* even when empty: see field_value */
}

/* Whether p[0..n) is a run of whole SIDs (one when !array). */
static int sids_ok(const uint8_t *p, uint32_t n, int array)
{
    uint32_t pos = 0;
    do {
        if (n - pos < 8) return 0;
        uint32_t len = 8 + 4u * p[pos + 1];
        if (len > n - pos) return 0;
        pos += len;
    } while (array && pos < n);
    return pos == n;
}

/* Store the value of field i (converted where Windows' form differs: UTF-8 to
 * UTF-16, size_t to a hex integer) and give the type its template declares. */
static ks_status field_value(ks_evtx_writer *w, size_t i, const ks_field *f, uint8_t *declared)
{
    const ks_value *v = &f->value;
    uint8_t base = v->type & 0x7f;
    int array = (v->type & KS_VT_ARRAY) != 0;
    size_t slot = S_FIELDS + i;
    size_t start = w->vals.len;
    uint8_t type = v->type;
    if (v->size && !v->data) return fail(w, KS_ERR_ARG, "field %zu: value without data", i);
    if (base == KS_VT_UTF8) {
        if (!array) {
            utf8_to_utf16(&w->vals, (const char *)v->data, v->size);
        } else {
            /* items separated by NUL, each stored NUL-terminated */
            size_t p = 0;
            while (p < v->size) {
                const uint8_t *z = memchr(v->data + p, 0, v->size - p);
                size_t len = z ? (size_t)(z - (v->data + p)) : v->size - p;
                utf8_to_utf16(&w->vals, (const char *)v->data + p, len);
                put16(&w->vals, 0);
                p += len + 1;
            }
        }
        type = (uint8_t)(KS_VT_STRING | (array ? KS_VT_ARRAY : 0));
    } else if (base == KS_VT_NULL && !array) {
        type = KS_VT_STRING; /* stored as an empty string, see below */
    } else if (base == KS_VT_STRING || base == KS_VT_ANSI || base == KS_VT_BINARY) {
        if (base == KS_VT_STRING && v->size % 2)
            return fail(w, KS_ERR_ARG, "field %zu: UTF-16 string of odd size %u", i, v->size);
        if (base == KS_VT_BINARY && array)
            return fail(w, KS_ERR_UNSUPPORTED, "field %zu: arrays of binary values", i);
        put_bytes(&w->vals, v->data, v->size);
    } else if (base == KS_VT_SID) {
        if (v->size && !sids_ok(v->data, v->size, array))
            return fail(w, KS_ERR_ARG, "field %zu: not a binary SID (%u bytes)", i, v->size);
        put_bytes(&w->vals, v->data, v->size);
    } else if (base == KS_VT_SIZET) {
        /* written as the hex integer of its size, as Windows pairs SizeT values */
        if (v->size != 4 && v->size != 8)
            return fail(w, KS_ERR_ARG, "field %zu: size_t of %u bytes", i, v->size);
        if (array) return fail(w, KS_ERR_UNSUPPORTED, "field %zu: arrays of size_t", i);
        type = v->size == 4 ? KS_VT_HEX32 : KS_VT_HEX64;
        put_bytes(&w->vals, v->data, v->size);
    } else if (ks_vtype_size(base)) {
        uint32_t fs = ks_vtype_size(base);
        if (array ? v->size % fs != 0 : v->size != fs)
            return fail(w, KS_ERR_ARG, "field %zu: %u bytes for a value of type 0x%02x", i, v->size,
                        v->type);
        put_bytes(&w->vals, v->data, v->size);
    } else {
        return fail(w, KS_ERR_UNSUPPORTED, "field %zu: value type 0x%02x cannot be written", i,
                    v->type);
    }
    size_t n = w->vals.len - start;
    if (n > 0xffff)
        return fail(w, KS_ERR_LIMIT, "field %zu: value of %zu bytes (at most 65535)", i, n);
    /* An empty value keeps its type: libevtx refuses a null value (type 0) in the
     * normal substitution of a <Data> element, and so a null field becomes an empty
     * string. */
    sub *s = &w->subs[slot];
    s->off = start;
    s->size = (uint32_t)n;
    s->type = type;
    *declared = type;
    return KS_OK;
}

/* The substitution values of an event and its shape key (w->key). */
static ks_status event_values(ks_evtx_writer *w, const ks_event *ev)
{
    size_t nsubs = S_FIELDS + ev->nfields;
    if (nsubs > w->cap_subs) {
        sub *s = realloc(w->subs, nsubs * sizeof *s);
        if (!s) return fail(w, KS_ERR_NOMEM, "out of memory");
        w->subs = s;
        w->cap_subs = nsubs;
    }
    ks_buf_reset(&w->vals);
    ks_buf_reset(&w->key);
    uint8_t b8, le[8];
    const ks_str *strs[] = {&ev->host, &ev->channel, &ev->provider, &ev->provider_guid,
                            &ev->user_sid};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i]->len && !strs[i]->p) return fail(w, KS_ERR_ARG, "a System string without data");

    b8 = ev->level;
    add_sub(w, S_LEVEL, KS_VT_UINT8, &b8, 1);
    b8 = ev->opcode;
    add_sub(w, S_OPCODE, KS_VT_UINT8, &b8, 1);
    set16(le, ev->task);
    add_sub(w, S_TASK, KS_VT_UINT16, le, 2);
    if (ev->event_id <= 0xffff) {
        set16(le, (uint16_t)ev->event_id);
        add_sub(w, S_EVENTID, KS_VT_UINT16, le, 2);
        put8(&w->key, KS_VT_UINT16);
    } else {
        set32(le, ev->event_id);
        add_sub(w, S_EVENTID, KS_VT_UINT32, le, 4);
        put8(&w->key, KS_VT_UINT32);
    }
    set16(le, ev->qualifiers);
    add_sub(w, S_QUALIFIERS, KS_VT_UINT16, le, ev->has_qualifiers ? 2 : 0);
    set64(le, ev->keywords);
    add_sub(w, S_KEYWORDS, KS_VT_HEX64, le, 8);
    /* FILETIME: 100 ns ticks since 1601, rounded down */
    int64_t ticks = ev->time_ns / 100 - (ev->time_ns % 100 < 0);
    set64(le, (uint64_t)(ticks + FT_EPOCH_DIFF));
    add_sub(w, S_TIME, KS_VT_FILETIME, le, 8);
    set64(le, w->next_id);
    add_sub(w, S_RECORDID, KS_VT_UINT64, le, 8);
    set32(le, ev->process_id);
    add_sub(w, S_PID, KS_VT_UINT32, le, 4);
    add_sub(w, S_ACTIVITY, KS_VT_GUID, NULL, 0);
    add_sub(w, S_RELATED, KS_VT_GUID, NULL, 0);
    b8 = ev->version;
    add_sub(w, S_VERSION, KS_VT_UINT8, &b8, 1);
    set32(le, ev->thread_id);
    add_sub(w, S_TID, KS_VT_UINT32, le, 4);
    uint8_t sid[68];
    size_t sid_n = 0;
    if (ev->user_sid.len && !(sid_n = parse_sid(ev->user_sid.p, ev->user_sid.len, sid)))
        return fail(w, KS_ERR_ARG, "user_sid \"%.*s\" is not a SID (S-1-5-...)",
                    (int)(ev->user_sid.len > 80 ? 80 : ev->user_sid.len), ev->user_sid.p);
    add_sub(w, S_USERID, KS_VT_SID, sid, sid_n);
    add_utf8(w, S_PROVIDER, ev->provider);
    uint8_t guid[16];
    if (ev->provider_guid.len && !parse_guid(ev->provider_guid.p, ev->provider_guid.len, guid))
        return fail(w, KS_ERR_ARG, "provider_guid \"%.*s\" is not a GUID",
                    (int)(ev->provider_guid.len > 80 ? 80 : ev->provider_guid.len),
                    ev->provider_guid.p);
    add_sub(w, S_PROVIDER_GUID, KS_VT_GUID, guid, ev->provider_guid.len ? 16 : 0);
    add_utf8(w, S_CHANNEL, ev->channel);
    add_utf8(w, S_COMPUTER, ev->host);
    for (size_t s = S_PROVIDER; s <= S_COMPUTER; s++)
        if (w->subs[s].size > 0xffff)
            return fail(w, KS_ERR_LIMIT, "a System value is longer than 65535 bytes");

    for (size_t i = 0; i < ev->nfields; i++) {
        const ks_field *f = &ev->fields[i];
        uint8_t declared = 0;
        ks_status st = field_value(w, i, f, &declared);
        if (st) return st;
        if (f->name.len > 0xffff || (f->name.len && !f->name.p))
            return fail(w, KS_ERR_ARG, "field %zu: invalid name", i);
        put8(&w->key, declared);
        put16(&w->key, (uint16_t)f->name.len);
        put_bytes(&w->key, f->name.p, f->name.len);
    }
    if (w->vals.failed || w->key.failed) return fail(w, KS_ERR_NOMEM, "out of memory");
    return KS_OK;
}

/* --- records --------------------------------------------------------------- */

static tmpl *find_template(ks_evtx_writer *w, uint64_t hash)
{
    for (size_t i = 0; i < w->ntmpls; i++) {
        tmpl *t = &w->tmpls[i];
        if (t->hash == hash && t->key_len == w->key.len &&
            memcmp(w->keys.data + t->key_off, w->key.data, w->key.len) == 0)
            return t;
    }
    return NULL;
}

/* Build the record for ev into w->rec as it would lie at the chunk's free offset,
 * storing names and templates it uses for the first time in the chunk's tables. */
static ks_status build_record(ks_evtx_writer *w, const ks_event *ev)
{
    ks_buf *b = &w->rec;
    ks_buf_reset(b);
    bx x = {.w = w, .b = b, .base = w->free_off};
    int64_t ticks = ev->time_ns / 100 - (ev->time_ns % 100 < 0);
    put32(b, 0x00002a2a);
    put32(b, 0); /* size, patched */
    put64(b, w->next_id);
    put64(b, (uint64_t)(ticks + FT_EPOCH_DIFF));

    put32(b, 0x0001010f); /* fragment header */
    uint64_t hash = fnv1a((const uint8_t *)w->key.data, w->key.len, UINT64_C(0xcbf29ce484222325));
    tmpl *t = find_template(w, hash);
    put8(b, 0x0c);
    put8(b, 0x01);
    if (t) {
        put32(b, t->id);
        put32(b, t->def_off);
    } else {
        /* a new shape: its definition follows inline; the GUID is derived from the
         * shape, so a shape has the same identifier in every chunk */
        uint8_t guid[16];
        set64(guid, hash);
        set64(guid + 8,
              fnv1a((const uint8_t *)w->key.data, w->key.len, UINT64_C(0x84222325cbf29ce4)));
        uint32_t id = get32(guid);
        uint32_t def_off = here(&x) + 8;
        put32(b, id);
        put32(b, def_off);
        uint8_t *slot = w->ck + 384 + 4 * (id % TMPL_BUCKETS);
        put32(b, get32(slot)); /* next definition in the bucket */
        ks_buf_append(b, guid, 16);
        size_t size_at = b->len;
        put32(b, 0);
        ks_status st = template_body(&x, ev);
        if (st) return st;
        patch_size(&x, size_at);
        set32(slot, def_off);
        if (w->ntmpls == w->cap_tmpls) {
            size_t cap = w->cap_tmpls ? 2 * w->cap_tmpls : 16;
            tmpl *nt = realloc(w->tmpls, cap * sizeof *nt);
            if (!nt) return fail(w, KS_ERR_NOMEM, "out of memory");
            w->tmpls = nt;
            w->cap_tmpls = cap;
        }
        t = &w->tmpls[w->ntmpls++];
        *t = (tmpl){.hash = hash,
                    .key_off = w->keys.len,
                    .key_len = w->key.len,
                    .def_off = def_off,
                    .id = id};
        ks_buf_append(&w->keys, w->key.data, w->key.len);
    }
    size_t nsubs = S_FIELDS + ev->nfields;
    put32(b, (uint32_t)nsubs);
    for (size_t i = 0; i < nsubs; i++) {
        put16(b, (uint16_t)w->subs[i].size);
        put8(b, w->subs[i].type);
        put8(b, 0);
    }
    for (size_t i = 0; i < nsubs; i++)
        if (w->subs[i].size) put_bytes(b, w->vals.data + w->subs[i].off, w->subs[i].size);
    put8(b, 0x00); /* end of the document */
    /* records are 8-byte aligned, the size copy last */
    while ((b->len + 4) % 8) put8(b, 0);
    put32(b, (uint32_t)b->len + 4);
    if (b->failed || w->keys.failed) return fail(w, KS_ERR_NOMEM, "out of memory");
    set32((uint8_t *)b->data + 4, (uint32_t)b->len);
    return KS_OK;
}

ks_status ks_evtx_writer_open(ks_evtx_writer **out, const char *path, ks_diag *diag)
{
    *out = NULL;
    if (!path) return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no path given");
    ks_evtx_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return ks_diag_set(diag, KS_ERR_NOMEM, path, 0, "out of memory");
    }
    w->diag = diag;
    w->next_id = 1;
    chunk_reset(w);
    if (!(w->f = fopen(path, "wb"))) {
        ks_status st = ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot create: %s", strerror(errno));
        free(w->path);
        free(w);
        return st;
    }
    /* room for the header, written for real by close; until then the file is marked
     * dirty, as Windows marks an open log */
    uint8_t h[KS_EVTX_HEADER_SIZE] = {0};
    memcpy(h, "ElfFile", 8);
    set32(h + 120, 1);
    if (fwrite(h, 1, sizeof h, w->f) != sizeof h) {
        ks_status st = ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot write: %s", strerror(errno));
        fclose(w->f);
        free(w->path);
        free(w);
        return st;
    }
    *out = w;
    return KS_OK;
}

ks_status ks_evtx_writer_add(ks_evtx_writer *w, const ks_event *ev)
{
    if (!w || !ev) return KS_ERR_ARG;
    if (w->failed) return w->failed;
    if (ev->nfields && !ev->fields) return fail(w, KS_ERR_ARG, "fields missing");
    if (ev->nfields > 0xffff - S_FIELDS)
        return fail(w, KS_ERR_LIMIT, "%zu fields (at most %d)", ev->nfields, 0xffff - S_FIELDS);
    ks_status st = event_values(w, ev);
    if (st) return st;
    for (int attempt = 0;; attempt++) {
        mark m;
        mark_take(w, &m);
        st = build_record(w, ev);
        if (st) {
            mark_restore(w, &m);
            return st;
        }
        if (w->rec.len <= CK_SIZE - w->free_off) break;
        mark_restore(w, &m);
        /* in a new chunk its names and template would only add bytes */
        if (attempt || w->free_off == CK_HDR || w->rec.len > CK_SIZE - CK_HDR)
            return fail(w, KS_ERR_LIMIT, "event of %zu bytes does not fit in a 64 KiB chunk",
                        w->rec.len);
        if ((st = chunk_flush(w))) return st; /* full: the record starts a new chunk */
    }
    memcpy(w->ck + w->free_off, w->rec.data, w->rec.len);
    if (!w->first_id) w->first_id = w->next_id;
    w->last_id = w->next_id++;
    w->last_rec_off = w->free_off;
    w->free_off += (uint32_t)w->rec.len;
    return KS_OK;
}

ks_status ks_evtx_writer_close(ks_evtx_writer **pw)
{
    if (!pw || !*pw) return KS_OK;
    ks_evtx_writer *w = *pw;
    *pw = NULL;
    ks_status st = w->failed;
    if (!st && w->last_id) st = chunk_flush(w);
    if (!st && w->chunks > 0xffff)
        st = fail(w, KS_ERR_LIMIT, "%u chunks: more than the file header can count", w->chunks);
    if (!st) {
        uint8_t h[128] = {0};
        memcpy(h, "ElfFile", 8);
        set64(h + 8, 0);
        set64(h + 16, w->chunks ? w->chunks - 1 : 0);
        set64(h + 24, w->next_id);
        set32(h + 32, 128);
        set16(h + 36, 1);
        set16(h + 38, 3);
        set16(h + 40, KS_EVTX_HEADER_SIZE);
        set16(h + 42, (uint16_t)w->chunks);
        set32(h + 120, 0);
        set32(h + 124, ks_crc32(0, h, 120));
        if (fseek(w->f, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, w->f) != sizeof h)
            st = fail(w, KS_ERR_IO, "cannot write the file header: %s", strerror(errno));
    }
    if (fclose(w->f) != 0 && !st) st = fail(w, KS_ERR_IO, "cannot close: %s", strerror(errno));
    ks_buf_free(&w->keys);
    ks_buf_free(&w->rec);
    ks_buf_free(&w->vals);
    ks_buf_free(&w->key);
    ks_buf_free(&w->text);
    free(w->tmpls);
    free(w->subs);
    free(w->path);
    free(w);
    return st;
}
