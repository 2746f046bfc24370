/* Unit tests for src/util and value formatting: time, UTF-16, escaping, values. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "kensa/kensa.h"
#include "util/arena.h"
#include "util/crc32.h"
#include "util/sha256.h"
#include <zlib.h>
#include "util/utf16.h"

static const char *fmt(const ks_value *v, ks_escape esc)
{
    static ks_buf b;
    ks_buf_reset(&b);
    ks_value_format(&b, v, esc);
    ks_buf_putc(&b, 0);
    return b.data;
}

static void test_time(void)
{
    ks_buf b = {0};
    /* 2016-07-08T18:12:51.6816408Z, the first record of the shared security.evtx */
    uint64_t ft = UINT64_C(131124751716816408);
    ks_filetime_format(&b, ft, 9);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "2016-07-08T18:12:51.681640800Z");
    ks_buf_reset(&b);
    ks_time_format(&b, ks_time_from_filetime(ft), 7);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "2016-07-08T18:12:51.6816408Z");
    ks_buf_reset(&b);
    ks_time_format(&b, 0, 0);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "1970-01-01T00:00:00Z");
    ks_buf_reset(&b);
    ks_time_format(&b, -1, 3); /* one ns before the epoch */
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "1969-12-31T23:59:59.999Z");
    /* the whole FILETIME range formats without overflow */
    ks_buf_reset(&b);
    ks_filetime_format(&b, UINT64_MAX, 9);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "60056-05-28T05:36:10.955161500Z");
    CHECK(ks_time_from_filetime(UINT64_MAX) == INT64_MAX);
    CHECK(ks_time_from_filetime(0) == INT64_MIN);
    CHECK_INT(ks_days_from_civil(2000, 3, 1), 11017);
    int64_t y;
    unsigned m, d;
    ks_civil_from_days(11017, &y, &m, &d);
    CHECK(y == 2000 && m == 3 && d == 1);
    ks_buf_free(&b);
}

static void test_utf16(void)
{
    ks_buf b = {0};
    /* "a<&é😀" + lone high surrogate + NUL */
    const uint8_t s[] = {'a', 0, '<', 0, '&', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde, 0x3d, 0xd8, 0, 0};
    ks_utf16_append(&b, s, 7, KS_ESC_XML_TEXT);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "a&lt;&amp;\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd");
    ks_buf_reset(&b);
    ks_utf16_append(&b, s, 8, KS_ESC_JSON);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "a<&\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd\\u0000");
    CHECK_INT(ks_utf16_trim(s, 8), 7);
    ks_buf_reset(&b);
    ks_escape_utf8(&b, "q\"\\\n\x01", 5, KS_ESC_JSON);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "q\\\"\\\\\\n\\u0001");
    ks_buf_reset(&b);
    ks_escape_utf8(&b, "\xff\xc3\xa9\xed\xa0\x80", 6, KS_ESC_NONE); /* bad, é, surrogate */
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd");
    ks_buf_reset(&b);
    const uint8_t ansi[] = {'x', 0x80, 0x81, 0xe9};
    ks_cp1252_append(&b, ansi, 4, KS_ESC_NONE);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "x\xe2\x82\xac\xef\xbf\xbd\xc3\xa9");
    ks_buf_free(&b);
}

static void test_values(void)
{
    const uint8_t guid[16] = {0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49,
                              0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d};
    ks_value v = {guid, 16, KS_VT_GUID};
    CHECK_STR(fmt(&v, KS_ESC_NONE), "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    const uint8_t sid[] = {1,   5,  0,   0,  0,   0,   0,   5,   21, 0,  0,    0,    242, 10,
                           234, 72, 189, 34, 174, 196, 166, 255, 38, 87, 0xf4, 0x01, 0,   0};
    v = (ks_value){sid, sizeof sid, KS_VT_SID};
    CHECK_STR(fmt(&v, KS_ESC_NONE), "S-1-5-21-1223297778-3299746493-1462173606-500");
    v.size = 10; /* an incomplete SID is shown as bytes, not read past its end */
    CHECK_STR(fmt(&v, KS_ESC_NONE), "01050000000000051500");
    const uint8_t hex[8] = {0xe7, 0x03, 0, 0, 0, 0, 0, 0};
    v = (ks_value){hex, 8, KS_VT_HEX64};
    CHECK_STR(fmt(&v, KS_ESC_NONE), "0x3e7");
    v.type = KS_VT_UINT64;
    CHECK_STR(fmt(&v, KS_ESC_NONE), "999");
    CHECK(ks_value_is_number(&v));
    v.type = KS_VT_SIZET;
    CHECK_STR(fmt(&v, KS_ESC_NONE), "0x3e7");
    v = (ks_value){hex, 4, KS_VT_INT32};
    uint64_t u = 0;
    CHECK(ks_value_u64(&v, &u) && u == 999);
    v = (ks_value){hex, 3, KS_VT_INT32}; /* wrong size: bytes, and no integer */
    CHECK_STR(fmt(&v, KS_ESC_NONE), "E70300");
    CHECK(!ks_value_u64(&v, &u));
    const uint8_t st[16] = {0xe1, 0x07, 5, 0, 5, 0, 19, 0, 2, 0, 2, 0, 36, 0, 203, 0};
    v = (ks_value){st, 16, KS_VT_SYSTIME};
    CHECK_STR(fmt(&v, KS_ESC_NONE), "2017-05-19T02:02:36.203Z");
    /* arrays: strings split on NUL, fixed-size items by size */
    const uint8_t arr[] = {'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0};
    v = (ks_value){arr, sizeof arr, KS_VT_STRING | KS_VT_ARRAY};
    CHECK_INT(ks_value_count(&v), 2);
    CHECK_STR(fmt(&v, KS_ESC_NONE), "a, bc");
    const uint8_t u16s[] = {1, 0, 2, 0, 3, 0};
    v = (ks_value){u16s, 6, KS_VT_UINT16 | KS_VT_ARRAY};
    CHECK_INT(ks_value_count(&v), 3);
    ks_value item;
    CHECK(ks_value_item(&v, 2, &item) && item.type == KS_VT_UINT16 && item.data[0] == 3);
    CHECK(!ks_value_item(&v, 3, &item));
    /* strings that hold numbers */
    const uint8_t num[] = {'4', 0, '6', 0, '2', 0, '5', 0};
    v = (ks_value){num, 8, KS_VT_STRING};
    CHECK(ks_value_u64(&v, &u) && u == 4625);
    v = (ks_value){(const uint8_t *)"0x1F", 4, KS_VT_UTF8};
    CHECK(ks_value_u64(&v, &u) && u == 31);
    v = (ks_value){(const uint8_t *)"99999999999999999999", 20, KS_VT_UTF8};
    CHECK(!ks_value_u64(&v, &u)); /* overflow is not a number */
    const uint8_t b32[4] = {1, 0, 0, 0};
    v = (ks_value){b32, 4, KS_VT_BOOL};
    CHECK_STR(fmt(&v, KS_ESC_NONE), "true");
    const uint8_t bin[3] = {0xde, 0xad, 0x01};
    v = (ks_value){bin, 3, KS_VT_BINARY};
    CHECK_STR(fmt(&v, KS_ESC_NONE), "DEAD01");
}

static void test_arena(void)
{
    ks_arena a = {.limit = 1 << 20};
    char *p = ks_arena_alloc(&a, 10);
    CHECK(p != NULL && ((uintptr_t)p & 7) == 0);
    void *big = ks_arena_alloc(&a, 200000); /* larger than a block */
    CHECK(big != NULL);
    CHECK(ks_arena_alloc(&a, 2 << 20) == NULL); /* over the limit */
    ks_arena_reset(&a);
    CHECK(a.used == 0);
    char *q = ks_arena_alloc(&a, 10);
    CHECK(q == p); /* blocks are reused after a reset */
    ks_arena_free(&a);
}

static void test_buf(void)
{
    ks_buf b = {0};
    ks_buf_u64(&b, 0);
    ks_buf_putc(&b, ' ');
    ks_buf_i64(&b, INT64_MIN);
    ks_buf_putc(&b, ' ');
    ks_buf_hex(&b, 0);
    ks_buf_putc(&b, ' ');
    ks_buf_hex(&b, UINT64_MAX);
    ks_buf_printf(&b, " %s", "end");
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "0 -9223372036854775808 0x0 0xffffffffffffffff end");
    ks_buf_free(&b);
}

static void test_crc32(void)
{
    /* the fast CRC equals zlib's for every length and alignment, in pieces too */
    static uint8_t data[70000];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof data; i++) {
        seed = seed * 1103515245 + 12345;
        data[i] = (uint8_t)(seed >> 16);
    }
    int bad = 0;
    for (size_t n = 0; n < 600; n++)
        for (size_t off = 0; off < 3; off++)
            bad += ks_crc32(0, data + off, n) != (uint32_t)crc32(0, data + off, (uInt)n);
    CHECK_INT(bad, 0);
    CHECK(ks_crc32(0, data, sizeof data) == (uint32_t)crc32(0, data, sizeof data));
    uint32_t c = ks_crc32(0, data, 1000);
    c = ks_crc32(c, data + 1000, sizeof data - 1000);
    CHECK(c == (uint32_t)crc32(0, data, sizeof data));
    CHECK(ks_crc32(0, (const uint8_t *)"123456789", 9) == 0xcbf43926u); /* the check value */
}

/* The conversions of a printf format, in order ("%u%s%llu"). */
static void conversions(const char *f, char *out, size_t cap)
{
    size_t k = 0;
    for (; *f && k + 8 < cap; f++) {
        if (*f != '%') continue;
        f++;
        while (*f && strchr("0123456789.-+ #", *f)) f++;
        while (*f && strchr("hlzjt", *f)) out[k++] = *f++;
        if (*f) out[k++] = *f;
        if (!*f) break;
    }
    out[k] = 0;
}

static void test_catalogue(void)
{
    /* every message has the same conversions, in the same order, in both languages */
    for (int id = 0; id < KS_MSG_COUNT; id++) {
        char en[64], ja[64];
        CHECK(ks_lang_set("en") == 0);
        conversions(ks_msg((ks_msg_id)id), en, sizeof en);
        CHECK(ks_lang_set("ja_JP.UTF-8") == 0);
        conversions(ks_msg((ks_msg_id)id), ja, sizeof ja);
        if (strcmp(en, ja) != 0) fprintf(stderr, "message %d: %s vs %s\n", id, en, ja);
        CHECK_STR(ja, en);
        CHECK(ks_msg((ks_msg_id)id)[0] != 0);
    }
    CHECK(ks_lang_set("fr") == -1);
    CHECK(ks_lang_get() == KS_LANG_JA);
    ks_lang_set("en");
}

/* SHA-256 of "abc" (FIPS 180-2), to hex and back. */
static void test_sha256_hex(void)
{
    static const char abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    uint8_t md[32], back[32];
    ks_sha256 h;
    CHECK_INT(ks_sha256_init(&h), 0);
    ks_sha256_update(&h, "abc", 3);
    ks_sha256_final(&h, md);
    char hex[65];
    ks_sha256_hex(md, hex);
    CHECK_STR(hex, abc);
    CHECK_INT(ks_sha256_from_hex(abc, 64, back), 0);
    CHECK(memcmp(md, back, 32) == 0);
    char upper[65];
    for (int i = 0; i < 65; i++) upper[i] = (char)toupper((unsigned char)abc[i]);
    CHECK_INT(ks_sha256_from_hex(upper, 64, back), 0);
    CHECK(memcmp(md, back, 32) == 0);
    CHECK_INT(ks_sha256_from_hex(abc, 63, back), -1);
    upper[10] = 'g';
    CHECK_INT(ks_sha256_from_hex(upper, 64, back), -1);
    CHECK(back[0] == 0 && back[31] == 0); /* zeroed on failure */
    CHECK_INT(ks_sha256_from_hex(NULL, 0, back), -1);
}

int main(void)
{
    test_catalogue();
    test_sha256_hex();
    test_crc32();
    test_time();
    test_utf16();
    test_values();
    test_arena();
    test_buf();
    return ks_test_done();
}
