/* The EVTX writer, checked through the reader and byte by byte: thousands of events
 * (every value type, Japanese text, XML specials, empty values, arrays, one event
 * filling most of a chunk) read back exactly; headers, CRCs, records and the string
 * and template tables checked against the format. `test_writer --sample FILE
 * [--arrays] [--ascii]` only writes a sample for tests/integration/test_writer_peers.py. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "harness.h"
#include "kensa/kensa.h"

#define NEVENTS 2400
#define BIG_AT 700                           /* the event that needs most of a chunk */
#define BIG_SIZE 40000                       /* bytes of its binary field */
#define BASE_NS INT64_C(1728946800000000000) /* 2024-10-14T23:00:00Z */

/* --- building events ----------------------------------------------------- */

typedef struct gen {
    ks_event ev;
    ks_field f[48];
    size_t nf;
    uint8_t pool[BIG_SIZE + 16384];
    size_t used;
} gen;

static const uint8_t *keep(gen *g, const void *p, size_t n)
{
    if (g->used + n > sizeof g->pool) {
        fprintf(stderr, "test pool too small\n");
        exit(2);
    }
    uint8_t *d = g->pool + g->used;
    if (n) memcpy(d, p, n);
    g->used += (n + 7) & ~(size_t)7;
    return d;
}

static void fld(gen *g, const char *name, uint8_t type, const void *p, size_t n)
{
    ks_field *f = &g->f[g->nf++];
    f->name = (ks_str){name, strlen(name)};
    f->value = (ks_value){n ? keep(g, p, n) : NULL, (uint32_t)n, type};
}

static void fstr(gen *g, const char *name, const char *s)
{
    fld(g, name, KS_VT_UTF8, s, strlen(s));
}

static void fprintf_str(gen *g, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fprintf_str(gen *g, const char *name, const char *fmt, ...)
{
    char s[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    fstr(g, name, s);
}

static void fu32(gen *g, const char *name, uint8_t type, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fld(g, name, type, le, 4);
}

static void fu64(gen *g, const char *name, uint8_t type, uint64_t v)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)(v >> (8 * i));
    fld(g, name, type, le, 8);
}

/* A binary SID S-1-5-21-a-b-c-rid (or S-1-5-18 when rid is 0). */
static void fsid(gen *g, const char *name, uint32_t rid)
{
    uint8_t s[28] = {1, 0, 0, 0, 0, 0, 0, 5};
    if (!rid) {
        s[1] = 1;
        s[8] = 18;
        fld(g, name, KS_VT_SID, s, 12);
        return;
    }
    const uint32_t sub[5] = {21, 1004336348, 1177238915, 682003330, rid};
    s[1] = 5;
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 4; k++) s[8 + 4 * i + k] = (uint8_t)(sub[i] >> (8 * k));
    fld(g, name, KS_VT_SID, s, 28);
}

static const char *const PEOPLE[] = {"田中 花子", "suzuki.y",    "佐藤 健",
                                     "ﾀﾅｶ ｲﾁﾛｳ",  "山本 さくら", "Müller-Lüdenscheidt",
                                     "watanabe.a"};
static const uint8_t GUID_A[16] = {0x67, 0x45, 0x23, 0x01, 0xab, 0x89, 0xef, 0xcd,
                                   0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

/* Event i of the test files. Shapes: 0 a successful logon, 1 a failed one, 2 every
 * value type, 3 no EventData, 4 a 32-bit event id and unnamed Data, 5 long text and
 * empty values. Event BIG_AT carries BIG_SIZE bytes of binary data. */
enum { F_ARRAYS = 1, F_ASCII = 2 };

static void make_event(gen *g, int i, int flags)
{
    int arrays = flags & F_ARRAYS;
    memset(&g->ev, 0, sizeof g->ev);
    g->nf = 0;
    g->used = 0;
    ks_event *ev = &g->ev;
    ev->time_ns = BASE_NS + (int64_t)i * INT64_C(7300000037);
    ev->host = (ks_str){"EMR-TERM-03.hosp.example", 24};
    ev->channel = (ks_str){"Security", 8};
    ev->provider = (ks_str){"Microsoft-Windows-Security-Auditing", 35};
    ev->provider_guid = (ks_str){"{54849625-5478-4994-a5ba-3e3b0328c30d}", 38};
    ev->keywords = UINT64_C(0x8020000000000000);
    ev->task = 12544;
    ev->process_id = 640 + (uint32_t)(i % 3);
    ev->thread_id = 7000 + (uint32_t)i;
    const char *person = PEOPLE[i % 7];
    int shape = i == BIG_AT ? 6 : i % 6;
    switch (shape) {
    case 0:
        ev->event_id = 4624;
        ev->version = 2;
        fsid(g, "SubjectUserSid", 0);
        fstr(g, "SubjectUserName", "EMR-TERM-03$");
        fstr(g, "SubjectDomainName", "HOSP");
        fu64(g, "SubjectLogonId", KS_VT_HEX64, 0x3e7);
        fsid(g, "TargetUserSid", 1100 + (uint32_t)(i % 50));
        fstr(g, "TargetUserName", person);
        fstr(g, "TargetDomainName", "HOSP");
        fu64(g, "TargetLogonId", KS_VT_HEX64, 0x1000000 + (uint64_t)i * 7);
        fu32(g, "LogonType", KS_VT_UINT32, (uint32_t[]){2, 3, 10}[i % 3]);
        fstr(g, "LogonProcessName", "User32 ");
        fstr(g, "AuthenticationPackageName", "Negotiate");
        fprintf_str(g, "WorkstationName", "EMR-TERM-%02d", i % 12);
        fld(g, "LogonGuid", KS_VT_GUID, GUID_A, 16);
        fprintf_str(g, "IpAddress", "10.10.2.%d", 10 + i % 200);
        fprintf_str(g, "IpPort", "%d", 49152 + i);
        break;
    case 1:
        ev->event_id = 4625;
        ev->keywords = UINT64_C(0x8010000000000000);
        fsid(g, "SubjectUserSid", 0);
        fstr(g, "TargetUserName", i % 4 ? "administrator" : "管理者");
        fu32(g, "Status", KS_VT_HEX32, 0xc000006d);
        fstr(g, "FailureReason", "%%2313");
        fu32(g, "SubStatus", KS_VT_HEX32, 0xc000006a);
        fu32(g, "LogonType", KS_VT_UINT32, i % 2 ? 3 : 10);
        fstr(g, "IpAddress", "203.0.113.77");
        fprintf_str(g, "IpPort", "%d", 50000 + i % 1000);
        break;
    case 2: {
        ev->event_id = 9999;
        ev->provider = (ks_str){"Kensa-Test", 10};
        ev->provider_guid = (ks_str){NULL, 0};
        ev->channel = (ks_str){"Application", 11};
        ev->user_sid = (ks_str){"S-1-5-21-1004336348-1177238915-682003330-1105", 45};
        ev->level = 4;
        ev->opcode = 1;
        ev->version = 3;
        ev->task = 0;
        ev->keywords = 0;
        int8_t i8 = -5;
        fld(g, "Int8", KS_VT_INT8, &i8, 1);
        uint8_t u8 = 250;
        fld(g, "UInt8", KS_VT_UINT8, &u8, 1);
        uint8_t i16[2] = {0x00, 0x80}; /* -32768 */
        fld(g, "Int16", KS_VT_INT16, i16, 2);
        uint8_t u16[2] = {0xff, 0xff};
        fld(g, "UInt16", KS_VT_UINT16, u16, 2);
        fu32(g, "Int32", KS_VT_INT32, (uint32_t)-123456);
        fu32(g, "UInt32", KS_VT_UINT32, 4000000000u + (uint32_t)i);
        fu64(g, "Int64", KS_VT_INT64, (uint64_t)INT64_MIN);
        fu64(g, "UInt64", KS_VT_UINT64, UINT64_MAX);
        float r32 = 1.5f;
        fld(g, "Real32", KS_VT_REAL32, &r32, 4);
        double r64 = -2.25;
        fld(g, "Real64", KS_VT_REAL64, &r64, 8);
        fu32(g, "Bool", KS_VT_BOOL, 1);
        fu32(g, "BoolFalse", KS_VT_BOOL, 0);
        uint8_t bin[4] = {0x00, 0xff, 0x10, 0xab};
        fld(g, "Binary", KS_VT_BINARY, bin, 4);
        fld(g, "Guid", KS_VT_GUID, GUID_A, 16);
        fu32(g, "SizeT32", KS_VT_SIZET, 0x1234);
        fu64(g, "SizeT64", KS_VT_SIZET, UINT64_C(0x7ff612340000));
        fu64(g, "FileTime", KS_VT_FILETIME, UINT64_C(133733521234567890));
        /* 2024-10-15 (Tuesday) 01:02:03.456 */
        uint8_t st[16] = {0xe8, 0x07, 10, 0, 2, 0, 15, 0, 1, 0, 2, 0, 3, 0, 0xc8, 0x01};
        fld(g, "SysTime", KS_VT_SYSTIME, st, 16);
        fsid(g, "Sid", 500);
        fu32(g, "Hex32", KS_VT_HEX32, 0xc0000064);
        fu64(g, "Hex64", KS_VT_HEX64, UINT64_C(0xfedcba9876543210));
        uint8_t u16s[8] = {'U', 0, 'T', 0, 'F', 0, 0x16, 0x20}; /* "UTF‖" */
        fld(g, "Utf16", KS_VT_STRING, u16s, 8);
        /* café in Windows-1252 (python-evtx decodes ANSI strings as ASCII only) */
        fld(g, "Ansi", KS_VT_ANSI, flags & F_ASCII ? "cafe" : "caf\xe9", 4);
        fstr(g, "Japanese", "患者 記録 ｶﾙﾃ「電子カルテ」😀");
        fstr(g, "Special", "<tag attr=\"v\">&amp; 'q'</tag>");
        fstr(g, "Lines", "line one\nline two\tand a tab");
        fstr(g, "Empty", "");
        fld(g, "Null", KS_VT_NULL, NULL, 0);
        fld(g, "BadUtf8", KS_VT_UTF8,
            "a\xff"
            "b\xe3\x81",
            5);
        fprintf_str(g, "Index", "%d", i);
        if (arrays) {
            uint8_t a32[12] = {1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
            fld(g, "UInt32Array", KS_VT_UINT32 | KS_VT_ARRAY, a32, 12);
            fld(g, "StringArray", KS_VT_UTF8 | KS_VT_ARRAY, "eins\0\0drei\0日本", 17);
            uint8_t h64[16] = {0x10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0x80};
            fld(g, "Hex64Array", KS_VT_HEX64 | KS_VT_ARRAY, h64, 16);
        }
        break;
    }
    case 3:
        ev->event_id = 1100;
        ev->provider = (ks_str){"Microsoft-Windows-Eventlog", 26};
        ev->provider_guid = (ks_str){"fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148", 36};
        ev->has_qualifiers = true;
        ev->qualifiers = 16384;
        ev->level = 4;
        ev->task = 103;
        ev->keywords = UINT64_C(0x4020000000000000);
        break;
    case 4:
        ev->event_id = 0x10000u + (uint32_t)i;
        ev->provider = (ks_str){"Classic Source", 14};
        ev->provider_guid = (ks_str){NULL, 0};
        ev->channel = (ks_str){"Application", 11};
        ev->has_qualifiers = true;
        ev->qualifiers = 0;
        ev->level = 2;
        ev->task = 0;
        ev->keywords = UINT64_C(0x80000000000000);
        fprintf_str(g, "", "classic message part %d", i);
        fstr(g, "", "second part");
        break;
    case 5: {
        ev->event_id = 4688;
        ev->user_sid = (ks_str){"S-1-5-18", 8};
        char cmd[2400];
        size_t n = 0;
        n += (size_t)snprintf(cmd + n, sizeof cmd - n, "cmd.exe /c echo %d ", i);
        while (n + 40 < sizeof cmd)
            n += (size_t)snprintf(cmd + n, sizeof cmd - n, "電子カルテ&<>\"' ");
        fstr(g, "CommandLine", cmd);
        fstr(g, "NewProcessName", "C:\\Windows\\System32\\cmd.exe");
        fstr(g, "ParentProcessName", "");
        fld(g, "TokenElevationType", KS_VT_NULL, NULL, 0);
        fstr(g, "SubjectUserName", person);
        break;
    }
    case 6: {
        ev->event_id = 1;
        ev->provider = (ks_str){"Kensa-Big", 9};
        ev->provider_guid = (ks_str){NULL, 0};
        static uint8_t big[BIG_SIZE];
        for (size_t k = 0; k < sizeof big; k++) big[k] = (uint8_t)(k * 31 + 7);
        fld(g, "Blob", KS_VT_BINARY, big, sizeof big);
        fstr(g, "After", "after the blob");
        break;
    }
    }
    ev->fields = g->f;
    ev->nfields = g->nf;
}

static ks_status write_events(const char *path, int n, int flags, ks_diag *d)
{
    static gen g;
    ks_evtx_writer *w = NULL;
    ks_status st = ks_evtx_writer_open(&w, path, d);
    if (st) return st;
    for (int i = 0; i < n && !st; i++) {
        make_event(&g, i, flags);
        st = ks_evtx_writer_add(w, &g.ev);
    }
    ks_status cs = ks_evtx_writer_close(&w);
    return st ? st : cs;
}

/* --- reading back ---------------------------------------------------------- */

typedef struct problems {
    int n;
} problems;

static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    ((problems *)ctx)->n++;
    fprintf(stderr, "reader problem: %s chunk %u offset %llu: %s\n", p->file, p->chunk,
            (unsigned long long)p->offset, p->what);
}

static char *str0(ks_str s)
{
    static char b[4][4096];
    static int k;
    char *o = b[k++ & 3];
    size_t n = s.len < 4095 ? s.len : 4095;
    if (n) memcpy(o, s.p, n);
    o[n] = 0;
    return o;
}

/* What a field holds once read: arrays come back as one field per item, UTF-8 as
 * UTF-16, size_t as a hex integer, null as an empty string. */
typedef struct expect {
    ks_str name;
    uint8_t type;
    const uint8_t *data;
    uint32_t size;
    int utf8; /* data is UTF-8 text to compare with the value's text */
} expect;

static size_t expected_fields(const ks_event *ev, expect *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < ev->nfields && k < cap; i++) {
        const ks_field *f = &ev->fields[i];
        ks_str name = f->name.len ? f->name : (ks_str){"Data", 4};
        uint8_t base = f->value.type & 0x7f;
        if (f->value.type & KS_VT_ARRAY) {
            ks_value item;
            for (uint32_t j = 0; ks_value_item(&f->value, j, &item) && k < cap; j++)
                out[k++] = (expect){name, base == KS_VT_UTF8 ? KS_VT_STRING : base, item.data,
                                    item.size, base == KS_VT_UTF8};
            continue;
        }
        uint8_t t = base;
        if (t == KS_VT_UTF8 || t == KS_VT_NULL) t = KS_VT_STRING;
        if (t == KS_VT_SIZET) t = f->value.size == 4 ? KS_VT_HEX32 : KS_VT_HEX64;
        out[k++] = (expect){name, t, f->value.data, f->value.size,
                            base == KS_VT_UTF8 || base == KS_VT_NULL};
    }
    return k;
}

/* Valid UTF-8 with every bad byte sequence replaced by U+FFFD, as the writer does. */
static void repair_utf8(const uint8_t *p, size_t n, ks_buf *out)
{
    /* only the sample's bad bytes need handling: "a\xff" "b\xe3\x81" */
    for (size_t i = 0; i < n;) {
        if (p[i] == 0xff) {
            ks_buf_puts(out, "\xef\xbf\xbd");
            i++;
        } else if (p[i] == 0xe3 && i + 2 >= n) {
            ks_buf_puts(out, "\xef\xbf\xbd");
            i = n;
        } else {
            ks_buf_putc(out, (char)p[i++]);
        }
    }
}

static void check_event(const ks_evtx_record *rec, const ks_event *want, uint64_t id)
{
    ks_event got;
    CHECK_INT(ks_evtx_record_event(rec, &got), KS_OK);
    int64_t t = want->time_ns / 100 * 100;
    if (want->time_ns % 100 < 0) t -= 100;
    CHECK_INT(rec->record_id, id);
    CHECK_INT(got.record_id, id);
    CHECK_INT(rec->written_ns, t);
    CHECK_INT(got.time_ns, t);
    CHECK_INT(got.event_id, want->event_id);
    CHECK_INT(got.has_qualifiers, want->has_qualifiers);
    CHECK_INT(got.qualifiers, want->has_qualifiers ? want->qualifiers : 0);
    CHECK_INT(got.level, want->level);
    CHECK_INT(got.version, want->version);
    CHECK_INT(got.opcode, want->opcode);
    CHECK_INT(got.task, want->task);
    CHECK(got.keywords == want->keywords);
    CHECK_INT(got.process_id, want->process_id);
    CHECK_INT(got.thread_id, want->thread_id);
    CHECK_STR(str0(got.host), str0(want->host));
    CHECK_STR(str0(got.channel), str0(want->channel));
    CHECK_STR(str0(got.provider), str0(want->provider));
    CHECK_STR(str0(got.user_sid), str0(want->user_sid));
    /* GUIDs come back in Windows' form: braces, upper case */
    char guid[40] = "";
    if (want->provider_guid.len) {
        const char *s = want->provider_guid.p;
        size_t n = want->provider_guid.len, k = 0;
        if (s[0] != '{') guid[k++] = '{';
        for (size_t i = 0; i < n; i++)
            guid[k++] = (char)(s[i] >= 'a' && s[i] <= 'f' ? s[i] - 32 : s[i]);
        if (s[n - 1] != '}') guid[k++] = '}';
        guid[k] = 0;
    }
    CHECK_STR(str0(got.provider_guid), guid);

    static expect exp[64];
    size_t ne = expected_fields(want, exp, 64);
    CHECK_INT(got.nfields, ne);
    ks_buf a = {0}, b = {0};
    for (size_t i = 0; i < ne && i < got.nfields; i++) {
        const ks_field *f = &got.fields[i];
        const expect *e = &exp[i];
        int ok = f->name.len == e->name.len && memcmp(f->name.p, e->name.p, e->name.len) == 0;
        ok &= f->value.type == e->type;
        if (e->utf8) {
            ks_buf_reset(&a);
            ks_buf_reset(&b);
            ks_value_text(&a, &f->value);
            repair_utf8(e->data, e->size, &b);
            ok &= a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
        } else {
            ok &= f->value.size == e->size &&
                  (e->size == 0 || memcmp(f->value.data, e->data, e->size) == 0);
        }
        CHECK(ok);
        if (!ok)
            fprintf(stderr,
                    "  record %llu field %zu (%s): type 0x%02x size %u, expected 0x%02x %u\n",
                    (unsigned long long)id, i, str0(e->name), f->value.type, f->value.size, e->type,
                    e->size);
    }
    ks_buf_free(&a);
    ks_buf_free(&b);
}

static int contains(const ks_buf *b, const char *s)
{
    return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

/* Rendered text of the shape-2 event (every value type) as Windows shows it. */
static void check_rendering(const ks_evtx_record *rec, int arrays)
{
    ks_buf x = {0}, j = {0};
    ks_evtx_render_xml(rec, &x);
    ks_evtx_render_json(rec, &j);
    static const char *const xml[] = {
        "<Provider Name=\"Kensa-Test\"/>",
        "<EventID>9999</EventID>",
        "<Version>3</Version>",
        "<Level>4</Level>",
        "<Opcode>1</Opcode>",
        "<Keywords>0x0</Keywords>",
        "<Correlation/>",
        "<Channel>Application</Channel>",
        "<Computer>EMR-TERM-03.hosp.example</Computer>",
        "<Security UserID=\"S-1-5-21-1004336348-1177238915-682003330-1105\"/>",
        "<Data Name=\"Int8\">-5</Data>",
        "<Data Name=\"UInt8\">250</Data>",
        "<Data Name=\"Int16\">-32768</Data>",
        "<Data Name=\"UInt16\">65535</Data>",
        "<Data Name=\"Int32\">-123456</Data>",
        "<Data Name=\"Int64\">-9223372036854775808</Data>",
        "<Data Name=\"UInt64\">18446744073709551615</Data>",
        "<Data Name=\"Real32\">1.5</Data>",
        "<Data Name=\"Real64\">-2.25</Data>",
        "<Data Name=\"Bool\">true</Data>",
        "<Data Name=\"BoolFalse\">false</Data>",
        "<Data Name=\"Binary\">00FF10AB</Data>",
        "<Data Name=\"Guid\">{01234567-89AB-CDEF-0123-456789ABCDEF}</Data>",
        "<Data Name=\"SizeT32\">0x1234</Data>",
        "<Data Name=\"SizeT64\">0x7ff612340000</Data>",
        "<Data Name=\"FileTime\">2024-10-14T04:02:03.456789000Z</Data>",
        "<Data Name=\"SysTime\">2024-10-15T01:02:03.456Z</Data>",
        "<Data Name=\"Sid\">S-1-5-21-1004336348-1177238915-682003330-500</Data>",
        "<Data Name=\"Hex32\">0xc0000064</Data>",
        "<Data Name=\"Hex64\">0xfedcba9876543210</Data>",
        "<Data Name=\"Utf16\">UTF‖</Data>",
        "<Data Name=\"Ansi\">café</Data>",
        "<Data Name=\"Japanese\">患者 記録 ｶﾙﾃ「電子カルテ」😀</Data>",
        "<Data Name=\"Special\">&lt;tag attr=\"v\"&gt;&amp;amp; 'q'&lt;/tag&gt;</Data>",
        "<Data Name=\"Lines\">line one\nline two\tand a tab</Data>",
        "<Data Name=\"Empty\"/>",
        "<Data Name=\"Null\"/>",
        ("<Data Name=\"BadUtf8\">a\xef\xbf\xbd"
         "b\xef\xbf\xbd</Data>"),
    };
    for (size_t i = 0; i < sizeof xml / sizeof xml[0]; i++) {
        CHECK(contains(&x, xml[i]));
        if (!contains(&x, xml[i])) fprintf(stderr, "  XML lacks: %s\n", xml[i]);
    }
    if (arrays) {
        static const char *const arr[] = {
            "<Data Name=\"UInt32Array\">1</Data>\n    <Data Name=\"UInt32Array\">2</Data>\n"
            "    <Data Name=\"UInt32Array\">4294967295</Data>",
            "<Data Name=\"StringArray\">eins</Data>\n    <Data Name=\"StringArray\"/>\n"
            "    <Data Name=\"StringArray\">drei</Data>\n    <Data "
            "Name=\"StringArray\">日本</Data>",
            "<Data Name=\"Hex64Array\">0x10</Data>\n    <Data "
            "Name=\"Hex64Array\">0x8000000000000020</Data>",
        };
        for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++) {
            CHECK(contains(&x, arr[i]));
            if (!contains(&x, arr[i])) fprintf(stderr, "  XML lacks: %s\n", arr[i]);
        }
    }
    static const char *const json[] = {
        "\"EventID\":9999",
        "\"Int8\":-5",
        "\"UInt64\":18446744073709551615",
        "\"Hex32\":\"0xc0000064\"",
        "\"Guid\":\"{01234567-89AB-CDEF-0123-456789ABCDEF}\"",
        "\"Japanese\":\"患者 記録 ｶﾙﾃ「電子カルテ」😀\"",
        "\"Special\":\"<tag attr=\\\"v\\\">&amp; 'q'</tag>\"",
        "\"Lines\":\"line one\\nline two\\tand a tab\"",
        "\"Empty\":\"\"",
    };
    for (size_t i = 0; i < sizeof json / sizeof json[0]; i++) {
        CHECK(contains(&j, json[i]));
        if (!contains(&j, json[i])) fprintf(stderr, "  JSON lacks: %s\n", json[i]);
    }
    ks_buf_free(&x);
    ks_buf_free(&j);
}

/* Read the file with the reader and compare every record with what was written. */
static void check_read_back(const char *path, int n, int arrays)
{
    ks_diag d = {0};
    ks_evtx *r = NULL;
    CHECK_INT(ks_evtx_open(&r, path, &d), KS_OK);
    if (!r) return;
    problems pr = {0};
    ks_evtx_on_problem(r, on_problem, &pr);
    const ks_evtx_info *in = ks_evtx_get_info(r);
    CHECK(in->header_valid);
    CHECK(in->header_crc_ok);
    CHECK_INT(in->major, 3);
    CHECK_INT(in->minor, 1);
    CHECK_INT(in->flags, 0);
    CHECK_INT(in->next_record_id, (uint64_t)n + 1);
    CHECK_INT(in->header_chunks, in->chunks);
    static gen g;
    const ks_evtx_record *rec;
    int k = 0, rendered = 0;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        if (k < n) {
            make_event(&g, k, arrays);
            check_event(rec, &g.ev, (uint64_t)k + 1);
            if (k % 6 == 2 && k != BIG_AT && rendered++ < 3) check_rendering(rec, arrays);
        }
        k++;
    }
    CHECK_INT(k, n);
    CHECK(rendered > 0 || n < 3);
    const ks_evtx_stats *s = ks_evtx_get_stats(r);
    CHECK_INT(s->records, n);
    CHECK_INT(s->records_skipped, 0);
    CHECK_INT(s->records_recovered, 0);
    CHECK_INT(s->chunks_bad, 0);
    CHECK_INT(s->chunks_crc, 0);
    CHECK_INT(pr.n, 0);
    ks_evtx_close(&r);
}

/* --- the bytes ---------------------------------------------------------------- */

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)(p[0] | p[1] << 8);
}
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Check one chunk's layout; returns the number of records it holds. */
static uint64_t check_chunk(const uint8_t *ck, uint64_t first_expected, int *templates_inline)
{
    int ok = memcmp(ck, "ElfChnk", 8) == 0;
    CHECK(ok);
    uint64_t first = rd64(ck + 8), last = rd64(ck + 16);
    CHECK(first == first_expected);
    CHECK(rd64(ck + 24) == first && rd64(ck + 32) == last);
    CHECK_INT(rd32(ck + 40), 128);
    uint32_t last_off = rd32(ck + 44), free_off = rd32(ck + 48);
    CHECK(free_off > 512 && free_off <= 65536);
    CHECK_INT(rd32(ck + 52), (uint32_t)crc32(0, ck + 512, free_off - 512));
    CHECK_INT(rd32(ck + 120), 0);
    uint32_t h = (uint32_t)crc32(0, ck, 120);
    CHECK_INT(rd32(ck + 124), (uint32_t)crc32(h, ck + 128, 384));
    int zeros = 1;
    for (uint32_t i = free_off; i < 65536; i++) zeros &= ck[i] == 0;
    CHECK(zeros);

    /* records: signature, 8-byte aligned size, size copy, ids in sequence */
    uint32_t pos = 512, prev = 0, ntmpl_inline = 0;
    uint64_t id = first;
    uint32_t tmpl_ids[64];
    while (pos < free_off) {
        const uint8_t *p = ck + pos;
        uint32_t size = rd32(p + 4);
        int rec_ok = rd32(p) == 0x2a2a && size % 8 == 0 && size >= 32 && size <= free_off - pos &&
                     rd32(p + size - 4) == size && rd64(p + 8) == id;
        CHECK(rec_ok);
        if (!rec_ok) return 0;
        /* fragment header, then a template instance */
        CHECK(rd32(p + 24) == 0x0001010f && p[28] == 0x0c && p[29] == 0x01);
        uint32_t tid = rd32(p + 30), def = rd32(p + 34);
        if (def == pos + 38) { /* defined here: the first use of this shape in the chunk */
            int seen = 0;
            for (uint32_t i = 0; i < ntmpl_inline; i++) seen |= tmpl_ids[i] == tid;
            CHECK(!seen);
            if (ntmpl_inline < 64) tmpl_ids[ntmpl_inline++] = tid;
            CHECK_INT(rd32(ck + def + 4), tid); /* the GUID starts with the id */
        } else {
            CHECK(def > 512 && def < pos); /* a definition earlier in this chunk */
            CHECK(ck[def - 10] == 0x0c && rd32(ck + def - 4) == def && rd32(ck + def + 4) == tid);
        }
        prev = pos;
        pos += size;
        id++;
    }
    CHECK_INT(pos, free_off);
    CHECK_INT(prev, last_off);
    CHECK(id - 1 == last);

    /* template pointer table: each chain holds definitions of its bucket, each right
     * after the instance that defined it (token 0x0c 10 bytes before, the offset 4
     * bytes before), every inline definition listed once */
    uint32_t listed = 0;
    for (uint32_t b = 0; b < 32; b++) {
        for (uint32_t off = rd32(ck + 384 + 4 * b), steps = 0; off && steps < 64; steps++) {
            int t_ok = off > 512 && off < free_off && ck[off - 10] == 0x0c &&
                       rd32(ck + off - 4) == off && rd32(ck + off - 8) % 32 == b;
            CHECK(t_ok);
            if (!t_ok) break;
            listed++;
            off = rd32(ck + off);
        }
    }
    CHECK_INT(listed, ntmpl_inline);
    *templates_inline += (int)ntmpl_inline;

    /* common string table: every name in the bucket of its hash (h = h * 65599 + unit,
     * low 16 bits, modulo 64), each name stored once */
    char names[64][32];
    int nnames = 0;
    for (uint32_t b = 0; b < 64; b++) {
        for (uint32_t off = rd32(ck + 128 + 4 * b), steps = 0; off && steps < 64; steps++) {
            uint32_t nch = rd16(ck + off + 6), hh = 0;
            int n_ok = off > 512 && off + 10 + 2 * nch <= free_off && nch < 32 &&
                       rd16(ck + off + 8 + 2 * nch) == 0;
            CHECK(n_ok);
            if (!n_ok) break;
            char s[32];
            for (uint32_t i = 0; i < nch; i++) {
                uint32_t u = rd16(ck + off + 8 + 2 * i);
                hh = hh * 65599u + u;
                s[i] = (char)u;
            }
            s[nch] = 0;
            CHECK_INT(rd16(ck + off + 4), hh & 0xffff);
            CHECK_INT((hh & 0xffff) % 64, b);
            for (int i = 0; i < nnames; i++) CHECK(strcmp(names[i], s) != 0);
            if (nnames < 64) snprintf(names[nnames++], sizeof names[0], "%s", s);
            off = rd32(ck + off);
        }
    }
    CHECK(nnames >= 26 && nnames <= 28); /* 26 names, 28 with EventData */
    return last - first + 1;
}

static int check_bytes(const char *path, int n)
{
    size_t size = 0;
    uint8_t *f = ks_test_slurp(path, &size);
    CHECK(f != NULL);
    if (!f) return 0;
    uint32_t chunks = (uint32_t)((size - 4096) / 65536);
    CHECK(size >= 4096 && (size - 4096) % 65536 == 0);
    CHECK(memcmp(f, "ElfFile", 8) == 0);
    CHECK(rd64(f + 8) == 0);
    CHECK(rd64(f + 16) == (chunks ? chunks - 1 : 0));
    CHECK(rd64(f + 24) == (uint64_t)n + 1);
    CHECK_INT(rd32(f + 32), 128);
    CHECK_INT(rd16(f + 36), 1);
    CHECK_INT(rd16(f + 38), 3);
    CHECK_INT(rd16(f + 40), 4096);
    CHECK_INT(rd16(f + 42), chunks);
    CHECK_INT(rd32(f + 120), 0);
    CHECK_INT(rd32(f + 124), (uint32_t)crc32(0, f, 120));
    int zeros = 1;
    for (size_t i = 128; i < 4096; i++) zeros &= f[i] == 0;
    CHECK(zeros);
    uint64_t next = 1;
    int tmpl_inline = 0;
    for (uint32_t c = 0; c < chunks; c++)
        next += check_chunk(f + 4096 + (size_t)c * 65536, next, &tmpl_inline);
    CHECK_INT(next, (uint64_t)n + 1);
    /* templates are shared: far fewer definitions than records */
    CHECK(n < 100 || tmpl_inline * 5 < n);
    free(f);
    return (int)chunks;
}

/* --- errors and edges -------------------------------------------------------- */

static void check_errors(const char *dir)
{
    char path[4200];
    ks_diag d = {0};
    ks_evtx_writer *w = NULL;
    CHECK_INT(ks_evtx_writer_open(&w, "/nonexistent-dir/x.evtx", &d), KS_ERR_IO);
    CHECK(w == NULL);
    CHECK(strstr(d.what, "cannot create") != NULL);
    CHECK_STR(d.file, "/nonexistent-dir/x.evtx");

    snprintf(path, sizeof path, "%s/errors.evtx", dir);
    CHECK_INT(ks_evtx_writer_open(&w, path, &d), KS_OK);
    static gen g;
    make_event(&g, 0, 0);
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_OK);

    /* each bad event is refused with a reason, and writing goes on */
    memset(&d, 0, sizeof d);
    g.ev.user_sid = (ks_str){"S-1-5-x", 7};
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_ARG);
    CHECK(strstr(d.what, "user_sid") != NULL);
    CHECK_STR(d.file, path);
    g.ev.user_sid = (ks_str){"S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", 45};
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_ARG); /* 16 sub-authorities */
    g.ev.user_sid = (ks_str){NULL, 0};
    g.ev.provider_guid = (ks_str){"{not-a-guid}", 12};
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_ARG);
    CHECK(strstr(d.what, "provider_guid") != NULL);
    make_event(&g, 0, 0);
    ks_field bad = {{"X", 1}, {(const uint8_t *)"abc", 3, KS_VT_UINT32}};
    g.ev.fields = &bad;
    g.ev.nfields = 1;
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_ARG);
    bad.value.type = KS_VT_BINXML;
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_UNSUPPORTED);
    bad.value.type = KS_VT_STRING; /* odd size */
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_ARG);
    static uint8_t huge[70000];
    bad.value = (ks_value){huge, sizeof huge, KS_VT_BINARY};
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_LIMIT);
    bad.value.size = 65000; /* a value that fits its descriptor, not a chunk */
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_ERR_LIMIT);
    CHECK(strstr(d.what, "does not fit") != NULL);

    /* edge values: before 1970 (FILETIME rounds down), an SID with a hex authority,
     * empty values without data and a field without a name */
    make_event(&g, 3, 0);
    g.ev.time_ns = -50;
    g.ev.user_sid = (ks_str){"S-1-0x123456789ABC-7", 20};
    ks_field empty[3] = {{{NULL, 0}, {NULL, 0, KS_VT_BINARY}},
                         {{"E", 1}, {NULL, 0, KS_VT_UINT32 | KS_VT_ARRAY}},
                         {{"S", 1}, {NULL, 0, KS_VT_UTF8}}};
    g.ev.fields = empty;
    g.ev.nfields = 3;
    CHECK_INT(ks_evtx_writer_add(w, &g.ev), KS_OK);
    CHECK_INT(ks_evtx_writer_close(&w), KS_OK);
    CHECK(w == NULL);
    CHECK_INT(ks_evtx_writer_close(&w), KS_OK); /* NULL is fine */

    ks_evtx *r = NULL;
    CHECK_INT(ks_evtx_open(&r, path, &d), KS_OK);
    if (!r) return;
    problems pr = {0};
    ks_evtx_on_problem(r, on_problem, &pr);
    const ks_evtx_record *rec;
    int k = 0;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        ks_event ev;
        ks_evtx_record_event(rec, &ev);
        CHECK_INT(rec->record_id, (uint64_t)k + 1); /* no gap for the refused events */
        if (k == 1) {
            CHECK_INT(ev.time_ns, -100);
            CHECK_STR(str0(ev.user_sid), "S-1-0x123456789abc-7");
            /* an empty array is one empty element, as Windows renders it */
            CHECK_INT(ev.nfields, 3);
            if (ev.nfields == 3) {
                CHECK_STR(str0(ev.fields[0].name), "Data");
                CHECK_INT(ev.fields[0].value.type, KS_VT_BINARY);
                CHECK_INT(ev.fields[0].value.size, 0);
                CHECK_STR(str0(ev.fields[1].name), "E");
                CHECK_INT(ev.fields[1].value.size, 0);
                CHECK_INT(ev.fields[2].value.type, KS_VT_STRING);
                CHECK_INT(ev.fields[2].value.size, 0);
            }
        }
        k++;
    }
    CHECK_INT(k, 2);
    CHECK_INT(pr.n, 0);
    ks_evtx_close(&r);
    unlink(path);

    /* no events: a header and no chunks, read as an empty log */
    snprintf(path, sizeof path, "%s/empty.evtx", dir);
    CHECK_INT(ks_evtx_writer_open(&w, path, &d), KS_OK);
    CHECK_INT(ks_evtx_writer_close(&w), KS_OK);
    CHECK_INT(check_bytes(path, 0), 0);
    CHECK_INT(ks_evtx_open(&r, path, &d), KS_OK);
    if (r) {
        ks_evtx_on_problem(r, on_problem, &pr);
        CHECK_INT(ks_evtx_next(r, &rec), KS_OK);
        CHECK(rec == NULL);
        CHECK_INT(ks_evtx_get_info(r)->next_record_id, 1);
        ks_evtx_close(&r);
    }
    CHECK_INT(pr.n, 0);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--sample") == 0) {
        int flags = 0;
        for (int i = 3; i < argc; i++) {
            if (strcmp(argv[i], "--arrays") == 0)
                flags |= F_ARRAYS;
            else if (strcmp(argv[i], "--ascii") == 0)
                flags |= F_ASCII;
        }
        ks_diag d = {0};
        ks_status st = write_events(argv[2], 1200, flags, &d);
        if (st) fprintf(stderr, "%s: %s\n", argv[2], d.what);
        return st ? 1 : 0;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/kensa-writer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[4200], path2[4200];
    for (int arrays = 0; arrays <= 1; arrays++) {
        snprintf(path, sizeof path, "%s/events%d.evtx", dir, arrays);
        ks_diag d = {0};
        ks_status st = write_events(path, NEVENTS, arrays, &d);
        CHECK_INT(st, KS_OK);
        if (st) fprintf(stderr, "%s\n", d.what);
        int chunks = check_bytes(path, NEVENTS);
        CHECK(chunks > 10);
        check_read_back(path, NEVENTS, arrays);
        /* the same events make the same bytes */
        snprintf(path2, sizeof path2, "%s/again.evtx", dir);
        CHECK_INT(write_events(path2, NEVENTS, arrays, &d), KS_OK);
        size_t n1 = 0, n2 = 0;
        uint8_t *a = ks_test_slurp(path, &n1), *b = ks_test_slurp(path2, &n2);
        CHECK(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
        free(a);
        free(b);
        unlink(path);
        unlink(path2);
    }
    /* a few events: one chunk, templates still shared */
    snprintf(path, sizeof path, "%s/small.evtx", dir);
    CHECK_INT(write_events(path, 13, 0, NULL), KS_OK);
    CHECK_INT(check_bytes(path, 13), 1);
    check_read_back(path, 13, 0);
    unlink(path);
    check_errors(dir);
    rmdir(dir);
    return ks_test_done();
}
