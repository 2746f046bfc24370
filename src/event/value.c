/* Typed values: item access, integer conversion and the Windows text rendering of
 * every Binary XML value type. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kensa/time.h"
#include "kensa/value.h"
#include "util/utf16.h"

static inline uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

uint32_t ks_vtype_size(uint8_t type)
{
    switch (type) {
    case KS_VT_INT8:
    case KS_VT_UINT8: return 1;
    case KS_VT_INT16:
    case KS_VT_UINT16: return 2;
    case KS_VT_INT32:
    case KS_VT_UINT32:
    case KS_VT_REAL32:
    case KS_VT_BOOL:
    case KS_VT_HEX32: return 4;
    case KS_VT_INT64:
    case KS_VT_UINT64:
    case KS_VT_REAL64:
    case KS_VT_FILETIME:
    case KS_VT_HEX64: return 8;
    case KS_VT_GUID:
    case KS_VT_SYSTIME: return 16;
    default: return 0;
    }
}

/* Size of one item of a type with fixed-size items (SizeT: 8 or 4 bytes, whichever
 * divides the total), 0 for variable-size types. */
static uint32_t fixed_size(uint8_t base, uint32_t total)
{
    if (base == KS_VT_SIZET) return total % 8 == 0 ? 8 : 4;
    return ks_vtype_size(base);
}

/* Length of the SID at p (at most n bytes), or 0 if it is not one. */
static uint32_t sid_len(const uint8_t *p, uint32_t n)
{
    if (n < 8) return 0;
    uint32_t len = 8 + 4u * p[1];
    return len <= n ? len : 0;
}

/* Next item of a variable-size array starting at byte `pos`; returns its length
 * and sets *skip to the bytes consumed (item plus separator). */
static uint32_t var_item(const ks_value *v, uint32_t pos, uint32_t *skip)
{
    uint8_t base = v->type & 0x7f;
    const uint8_t *p = v->data + pos;
    uint32_t n = v->size - pos;
    if (base == KS_VT_STRING) {
        uint32_t i = 0;
        while (i + 1 < n && (p[i] | p[i + 1])) i += 2;
        *skip = i + 2 <= n ? i + 2 : n;
        return i;
    }
    if (base == KS_VT_ANSI || base == KS_VT_UTF8) {
        uint32_t i = 0;
        while (i < n && p[i]) i++;
        *skip = i < n ? i + 1 : n;
        return i;
    }
    if (base == KS_VT_SID) {
        uint32_t l = sid_len(p, n);
        *skip = l ? l : n;
        return l ? l : n;
    }
    *skip = n;
    return n;
}

uint32_t ks_value_count(const ks_value *v)
{
    if (!(v->type & KS_VT_ARRAY)) return v->type == KS_VT_NULL ? 0 : 1;
    uint32_t fs = fixed_size(v->type & 0x7f, v->size);
    if (fs) return v->size / fs;
    uint32_t pos = 0, count = 0, skip;
    while (pos < v->size) {
        var_item(v, pos, &skip);
        pos += skip;
        count++;
    }
    return count;
}

bool ks_value_item(const ks_value *v, uint32_t i, ks_value *item)
{
    if (!(v->type & KS_VT_ARRAY)) {
        if (i != 0) return false;
        *item = *v;
        return true;
    }
    uint8_t base = v->type & 0x7f;
    uint32_t fs = fixed_size(base, v->size);
    if (fs) {
        if (i >= v->size / fs) return false;
        item->data = v->data + (size_t)i * fs;
        item->size = fs;
        item->type = base;
        return true;
    }
    uint32_t pos = 0, skip;
    for (uint32_t k = 0; pos < v->size; k++) {
        uint32_t len = var_item(v, pos, &skip);
        if (k == i) {
            item->data = v->data + pos;
            item->size = len;
            item->type = base;
            return true;
        }
        pos += skip;
    }
    return false;
}

static void put_hexbytes(ks_buf *out, const uint8_t *p, uint32_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    /* n == 0: an unused buffer's data is NULL, where even + 0 is not allowed */
    if (n == 0 || ks_buf_reserve(out, (size_t)n * 2) != 0) return;
    char *d = out->data + out->len;
    for (uint32_t i = 0; i < n; i++) {
        d[2 * i] = hex[p[i] >> 4];
        d[2 * i + 1] = hex[p[i] & 15];
    }
    out->len += (size_t)n * 2;
}

static void put_guid(ks_buf *out, const uint8_t *p)
{
    /* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}: the first three groups are little-endian */
    static const char hex[] = "0123456789ABCDEF";
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    char s[38];
    char *d = s;
    *d++ = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *d++ = '-';
        uint8_t c = p[order[i]];
        *d++ = hex[c >> 4];
        *d++ = hex[c & 15];
    }
    *d++ = '}';
    ks_buf_append(out, s, sizeof s);
}

static void put_sid(ks_buf *out, const uint8_t *p, uint32_t n)
{
    uint32_t len = sid_len(p, n);
    if (!len) {
        put_hexbytes(out, p, n);
        return;
    }
    ks_buf_append(out, "S-", 2);
    ks_buf_u64(out, p[0]);
    ks_buf_putc(out, '-');
    uint64_t auth = 0;
    for (int i = 2; i < 8; i++) auth = (auth << 8) | p[i];
    if (auth >= (UINT64_C(1) << 32))
        ks_buf_hex(out, auth);
    else
        ks_buf_u64(out, auth);
    for (uint32_t i = 0; i < p[1]; i++) {
        ks_buf_putc(out, '-');
        ks_buf_u64(out, rd32(p + 8 + 4 * i));
    }
}

static void put_systime(ks_buf *out, const uint8_t *p)
{
    char s[64];
    snprintf(s, sizeof s, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", rd16(p), rd16(p + 2), rd16(p + 6),
             rd16(p + 8), rd16(p + 10), rd16(p + 12), rd16(p + 14));
    ks_buf_puts(out, s);
}

static void put_real(ks_buf *out, double d, int prec)
{
    if (isnan(d)) {
        ks_buf_puts(out, "-1.#IND");
    } else if (isinf(d)) {
        ks_buf_puts(out, d < 0 ? "-1.#INF" : "1.#INF");
    } else {
        char s[40];
        snprintf(s, sizeof s, "%.*g", prec, d);
        ks_buf_puts(out, s);
    }
}

static void format_scalar(ks_buf *out, const ks_value *v, ks_escape esc)
{
    const uint8_t *p = v->data;
    uint32_t n = v->size;
    uint32_t fs = fixed_size(v->type, n);
    if (fs && n != fs && !(v->type == KS_VT_SIZET && (n == 4 || n == 8))) {
        put_hexbytes(out, p, n); /* wrong size for its type: show the bytes */
        return;
    }
    switch (v->type) {
    case KS_VT_NULL: return;
    case KS_VT_STRING: ks_utf16_append(out, p, ks_utf16_trim(p, n / 2), esc); return;
    case KS_VT_ANSI: {
        while (n > 0 && p[n - 1] == 0) n--;
        ks_cp1252_append(out, p, n, esc);
        return;
    }
    case KS_VT_UTF8: ks_escape_utf8(out, (const char *)p, n, esc); return;
    case KS_VT_INT8: ks_buf_i64(out, (int8_t)p[0]); return;
    case KS_VT_UINT8: ks_buf_u64(out, p[0]); return;
    case KS_VT_INT16: ks_buf_i64(out, (int16_t)rd16(p)); return;
    case KS_VT_UINT16: ks_buf_u64(out, rd16(p)); return;
    case KS_VT_INT32: ks_buf_i64(out, (int32_t)rd32(p)); return;
    case KS_VT_UINT32: ks_buf_u64(out, rd32(p)); return;
    case KS_VT_INT64: ks_buf_i64(out, (int64_t)rd64(p)); return;
    case KS_VT_UINT64: ks_buf_u64(out, rd64(p)); return;
    case KS_VT_REAL32: {
        float f;
        memcpy(&f, p, 4);
        put_real(out, f, 9);
        return;
    }
    case KS_VT_REAL64: {
        double d;
        memcpy(&d, p, 8);
        put_real(out, d, 17);
        return;
    }
    case KS_VT_BOOL: ks_buf_puts(out, rd32(p) ? "true" : "false"); return;
    case KS_VT_GUID: put_guid(out, p); return;
    case KS_VT_SIZET: ks_buf_hex(out, n == 8 ? rd64(p) : rd32(p)); return;
    case KS_VT_HEX32: ks_buf_hex(out, rd32(p)); return;
    case KS_VT_HEX64: ks_buf_hex(out, rd64(p)); return;
    case KS_VT_FILETIME: ks_filetime_format(out, rd64(p), 9); return;
    case KS_VT_SYSTIME: put_systime(out, p); return;
    case KS_VT_SID: put_sid(out, p, n); return;
    default: put_hexbytes(out, p, n); return; /* binary and unknown types */
    }
}

void ks_value_format(ks_buf *out, const ks_value *v, ks_escape esc)
{
    if (!(v->type & KS_VT_ARRAY)) {
        format_scalar(out, v, esc);
        return;
    }
    ks_value item;
    for (uint32_t i = 0; ks_value_item(v, i, &item); i++) {
        if (i) ks_buf_append(out, ", ", 2);
        format_scalar(out, &item, esc);
    }
}

void ks_value_text(ks_buf *out, const ks_value *v)
{
    ks_value_format(out, v, KS_ESC_NONE);
}

bool ks_value_is_number(const ks_value *v)
{
    uint32_t fs = fixed_size(v->type, v->size);
    if (fs != v->size) return false;
    return v->type >= KS_VT_INT8 && v->type <= KS_VT_UINT64;
}

static bool parse_u64(const uint8_t *p, size_t n, size_t step, uint64_t *out)
{
    /* p holds n characters of `step` bytes (1: ASCII/UTF-8, 2: UTF-16LE) */
    size_t i = 0;
    while (i < n && (p[i * step] == ' ') && (step == 1 || p[i * step + 1] == 0)) i++;
    while (n > i && p[(n - 1) * step] == 0 && (step == 1 || p[(n - 1) * step + 1] == 0)) n--;
    if (i >= n) return false;
    int base = 10;
    if (n - i > 2 && p[i * step] == '0' && (p[(i + 1) * step] | 0x20) == 'x') {
        base = 16;
        i += 2;
    }
    uint64_t r = 0;
    size_t digits = 0;
    for (; i < n; i++) {
        if (step == 2 && p[i * step + 1] != 0) return false;
        unsigned c = p[i * step], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return false;
        if (r > (UINT64_MAX - d) / (uint64_t)base) return false;
        r = r * (uint64_t)base + d;
        digits++;
    }
    if (!digits) return false;
    *out = r;
    return true;
}

bool ks_value_u64(const ks_value *v, uint64_t *out)
{
    const uint8_t *p = v->data;
    uint32_t n = v->size;
    switch (v->type) {
    case KS_VT_INT8:
    case KS_VT_UINT8:
        if (n != 1) return false;
        *out = p[0];
        return true;
    case KS_VT_INT16:
    case KS_VT_UINT16:
        if (n != 2) return false;
        *out = rd16(p);
        return true;
    case KS_VT_INT32:
    case KS_VT_UINT32:
    case KS_VT_HEX32:
    case KS_VT_BOOL:
        if (n != 4) return false;
        *out = rd32(p);
        return true;
    case KS_VT_INT64:
    case KS_VT_UINT64:
    case KS_VT_HEX64:
    case KS_VT_FILETIME:
        if (n != 8) return false;
        *out = rd64(p);
        return true;
    case KS_VT_SIZET:
        if (n == 4)
            *out = rd32(p);
        else if (n == 8)
            *out = rd64(p);
        else
            return false;
        return true;
    case KS_VT_STRING: return parse_u64(p, n / 2, 2, out);
    case KS_VT_ANSI:
    case KS_VT_UTF8: return parse_u64(p, n, 1, out);
    default: return false;
    }
}
