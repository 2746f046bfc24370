/* UTF-16LE / Windows-1252 / UTF-8 to escaped UTF-8. The ASCII path is the hot one:
 * most event text is ASCII, so runs of plain characters are copied in bulk. */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/utf16.h"

/* 1 where a character below 0x80 needs escaping in a mode, per mode. */
static unsigned char special[4][128];
static int special_ready;

static void init_special(void)
{
    for (int c = 0; c < 0x20; c++) {
        special[KS_ESC_XML_TEXT][c] = special[KS_ESC_XML_ATTR][c] =
            (c != '\t' && c != '\n' && c != '\r');
        special[KS_ESC_JSON][c] = 1;
    }
    special[KS_ESC_NONE][0] = 1; /* NUL is dropped */
    special[KS_ESC_XML_TEXT][0] = special[KS_ESC_XML_ATTR][0] = 1;
    special[KS_ESC_XML_TEXT]['&'] = special[KS_ESC_XML_TEXT]['<'] = special[KS_ESC_XML_TEXT]['>'] =
        1;
    special[KS_ESC_XML_ATTR]['&'] = special[KS_ESC_XML_ATTR]['<'] = special[KS_ESC_XML_ATTR]['>'] =
        1;
    special[KS_ESC_XML_ATTR]['"'] = 1;
    special[KS_ESC_JSON]['"'] = special[KS_ESC_JSON]['\\'] = 1;
    special[KS_ESC_JSON][0x7f] = 0;
    __atomic_store_n(&special_ready, 1, __ATOMIC_RELEASE);
}

static inline const unsigned char *table(ks_escape esc)
{
    if (!__atomic_load_n(&special_ready, __ATOMIC_ACQUIRE)) init_special();
    return special[esc];
}

static void put_escaped_ascii(ks_buf *out, unsigned c, ks_escape esc)
{
    static const char hex[] = "0123456789abcdef";
    if (esc == KS_ESC_JSON) {
        switch (c) {
        case '"': ks_buf_append(out, "\\\"", 2); return;
        case '\\': ks_buf_append(out, "\\\\", 2); return;
        case '\n': ks_buf_append(out, "\\n", 2); return;
        case '\r': ks_buf_append(out, "\\r", 2); return;
        case '\t': ks_buf_append(out, "\\t", 2); return;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            ks_buf_append(out, u, 6);
            return;
        }
        }
    }
    switch (c) {
    case 0: return; /* not representable in XML */
    case '&': ks_buf_append(out, "&amp;", 5); return;
    case '<': ks_buf_append(out, "&lt;", 4); return;
    case '>': ks_buf_append(out, "&gt;", 4); return;
    case '"': ks_buf_append(out, "&quot;", 6); return;
    default: {
        /* other control characters are not allowed in XML 1.0, not even as character
         * references: show them as their Unicode control pictures (U+2400 + c) */
        char u[3] = {(char)0xe2, (char)(0x90 + (c >> 6)), (char)(0x80 | (c & 0x3f))};
        ks_buf_append(out, u, 3);
        return;
    }
    }
}

static inline void put_cp(ks_buf *out, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    ks_buf_append(out, u, n);
}

size_t ks_utf16_trim(const uint8_t *p, size_t n)
{
    while (n > 0 && p[2 * n - 2] == 0 && p[2 * n - 1] == 0) n--;
    return n;
}

void ks_utf16_append(ks_buf *out, const uint8_t *p, size_t n, ks_escape esc)
{
    const unsigned char *sp = table(esc);
    /* room for the common case; escapes and long sequences reserve more below */
    if (n > SIZE_MAX / 6 || (out->cap - out->len < n * 3 && ks_buf_reserve(out, n * 3) != 0))
        return;
    size_t i = 0;
    while (i < n) {
        /* bulk ASCII: write directly while the buffer has room */
        size_t room = out->cap - out->len;
        char *d = out->data + out->len;
        size_t k = 0;
#ifdef __SSE2__
        /* eight units at a time while all are plain: 0x20-0x7e other than the
         * characters some escaping mode cares about (" & < > \) */
        const __m128i lo20 = _mm_set1_epi16(0x1f), hi7f = _mm_set1_epi16(0x7f);
        const __m128i q = _mm_set1_epi16('"'), amp = _mm_set1_epi16('&'), lt = _mm_set1_epi16('<'),
                      gt = _mm_set1_epi16('>'), bs = _mm_set1_epi16('\\');
        while (n - i >= 8 && room - k >= 8) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i));
            __m128i ok = _mm_and_si128(_mm_cmpgt_epi16(v, lo20), _mm_cmplt_epi16(v, hi7f));
            __m128i bad = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi16(v, q), _mm_cmpeq_epi16(v, amp)),
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi16(v, lt), _mm_cmpeq_epi16(v, gt)),
                             _mm_cmpeq_epi16(v, bs)));
            if (_mm_movemask_epi8(_mm_andnot_si128(bad, ok)) != 0xffff) break;
            _mm_storel_epi64((__m128i *)(void *)(d + k), _mm_packus_epi16(v, v));
            k += 8;
            i += 8;
        }
#endif
        while (i < n && k < room) {
            unsigned u = (unsigned)p[2 * i] | ((unsigned)p[2 * i + 1] << 8);
            if (u >= 0x80 || sp[u]) break;
            d[k++] = (char)u;
            i++;
        }
        out->len += k;
        if (i >= n) break;
        if (k == room) {
            if (ks_buf_reserve(out, (n - i) * 3 + 8) != 0) return;
            continue;
        }
        unsigned u = (unsigned)p[2 * i] | ((unsigned)p[2 * i + 1] << 8);
        i++;
        if (u < 0x80) {
            if (u == 0 && esc == KS_ESC_NONE) continue;
            put_escaped_ascii(out, u, esc);
        } else if (u >= 0xd800 && u <= 0xdbff && i < n) {
            unsigned lo = (unsigned)p[2 * i] | ((unsigned)p[2 * i + 1] << 8);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                i++;
                put_cp(out, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
            } else {
                put_cp(out, 0xfffd);
            }
        } else if (u >= 0xd800 && u <= 0xdfff) {
            put_cp(out, 0xfffd);
        } else {
            put_cp(out, u);
        }
    }
}

/* Windows-1252 0x80..0x9f; 0 marks the five undefined positions. */
static const uint16_t cp1252_hi[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178};

void ks_cp1252_append(ks_buf *out, const uint8_t *p, size_t n, ks_escape esc)
{
    const unsigned char *sp = table(esc);
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (sp[c]) {
                if (c == 0 && esc == KS_ESC_NONE) continue;
                put_escaped_ascii(out, c, esc);
            } else {
                ks_buf_putc(out, (char)c);
            }
        } else if (c < 0xa0) {
            put_cp(out, cp1252_hi[c - 0x80] ? cp1252_hi[c - 0x80] : 0xfffd);
        } else {
            put_cp(out, c);
        }
    }
}

void ks_escape_utf8(ks_buf *out, const char *s, size_t n, ks_escape esc)
{
    const unsigned char *sp = table(esc);
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] < 0x80 && !sp[p[j]]) j++;
        ks_buf_append(out, p + i, j - i);
        if (j >= n) break;
        unsigned c = p[j];
        if (c < 0x80) {
            if (!(c == 0 && esc == KS_ESC_NONE)) put_escaped_ascii(out, c, esc);
            i = j + 1;
            continue;
        }
        /* validate one UTF-8 sequence; invalid bytes become U+FFFD */
        size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        uint32_t cp = len == 4 ? c & 7 : len == 3 ? c & 15 : c & 31;
        size_t k = 1;
        for (; len && k < len && j + k < n && (p[j + k] & 0xc0) == 0x80; k++)
            cp = (cp << 6) | (p[j + k] & 0x3f);
        if (!len || k < len || (len == 3 && cp < 0x800) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) {
            put_cp(out, 0xfffd);
            i = j + (k > 1 ? k : 1);
        } else {
            ks_buf_append(out, p + j, len);
            i = j + len;
        }
    }
}
