/* Binary XML decoding, token by token and value type by value type, on records
 * built with tests/unit/bx_builder.h: rendered XML and JSON must be exactly what
 * Windows and evtx_dump write, and the event fields typed. */
#include <stdio.h>

#include "bx_builder.h"
#include "harness.h"
#include "kensa/kensa.h"

static bxb B;
static ks_buf out;

static int problems;
static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    (void)ctx;
    (void)p;
    problems++;
}

/* Decode the built file; calls fn on each record. */
static int decode(void (*fn)(const ks_evtx_record *, int), size_t size)
{
    ks_evtx *r = NULL;
    ks_diag d = {0};
    if (ks_evtx_open_mem(&r, B.file, size, "built", &d) != KS_OK) {
        fprintf(stderr, "open: %s\n", d.what);
        return -1;
    }
    ks_evtx_on_problem(r, on_problem, NULL);
    const ks_evtx_record *rec;
    int n = 0;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) fn(rec, n++);
    ks_evtx_close(&r);
    return n;
}

static const char *xml(const ks_evtx_record *rec)
{
    ks_buf_reset(&out);
    ks_evtx_render_xml(rec, &out);
    ks_buf_putc(&out, 0);
    return out.data;
}

static const char *json(const ks_evtx_record *rec)
{
    ks_buf_reset(&out);
    ks_evtx_render_json(rec, &out);
    ks_buf_putc(&out, 0);
    return out.data;
}

/* 1. tokens without a template: attributes, text spanning several value tokens,
 * character and entity references, CDATA, a processing instruction */
static void check_plain(const ks_evtx_record *rec, int i)
{
    (void)i;
    CHECK_STR(xml(rec), "<Event xmlns=\"urn:x\">\n"
                        "  <System>\n"
                        "    <EventID>46&#50;5</EventID>\n"
                        "    <Note>a&amp;b<![CDATA[<raw>]]></Note>\n"
                        "    <Empty/>\n"
                        "  </System>\n"
                        "  <?target some data?>\n"
                        "</Event>\n");
    CHECK_STR(json(rec), "{\"Event\":{\"#attributes\":{\"xmlns\":\"urn:x\"},\"System\":{"
                         "\"EventID\":\"4625\",\"Note\":\"a&b<raw>\",\"Empty\":null}}}\n");
    ks_event ev;
    CHECK(ks_evtx_record_event(rec, &ev) == KS_OK);
    CHECK_INT(ev.event_id, 4625);
}

static void test_plain(void)
{
    bx_init(&B);
    bx_record_begin(&B);
    bx_fragment(&B);
    uint32_t at = bx_open(&B, "Event", 1, 1);
    bx_attr(&B, "xmlns");
    bx_text(&B, "urn:x");
    bx_attrs_end(&B, at);
    bx_close_start(&B);
    bx_open(&B, "System", 0, 1);
    bx_close_start(&B);
    bx_open(&B, "EventID", 0, 1);
    bx_close_start(&B);
    bx_text(&B, "46");
    bx_charref(&B, '2');
    bx_text(&B, "5");
    bx_end(&B);
    bx_open(&B, "Note", 0, 1);
    bx_close_start(&B);
    bx_text(&B, "a");
    bx_entity(&B, "amp");
    bx_text(&B, "b");
    bx_cdata(&B, "<raw>");
    bx_end(&B);
    bx_open(&B, "Empty", 0, 1);
    bx_close_empty(&B);
    bx_end(&B); /* System */
    bx_pi(&B, "target", "some data");
    bx_end(&B); /* Event */
    bx_eof(&B);
    bx_record_end(&B);
    problems = 0;
    CHECK_INT(decode(check_plain, bx_finish(&B)), 1);
    CHECK_INT(problems, 0);
}

/* 2. a template with every value type, used by two records (inline definition,
 * then by offset), with optional values absent and arrays. An attribute whose
 * optional value is absent is left out. */
static const uint8_t guid[16] = {0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49,
                                 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d};
static const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
static const uint8_t ft[8] = {0x18, 0x96, 0x57, 0x57, 0x44, 0xd9, 0xd1, 0x01}; /* FILETIME */
static const uint8_t systime[16] = {0xe1, 0x07, 5, 0, 5, 0, 19, 0, 2, 0, 2, 0, 36, 0, 203, 0};

#define NTYPES 22
static const char *const names[NTYPES] = {
    "Str", "Ansi", "I8",  "U8",   "I16",  "U16",  "I32",     "U32", "I64", "U64", "R32",
    "R64", "Bool", "Bin", "Guid", "Size", "Time", "SysTime", "Sid", "H32", "H64", "Null"};
static const uint8_t types[NTYPES] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
                                      0x11, 0x12, 0x13, 0x14, 0x15, 0x01};

static void write_typed_record(uint32_t *def)
{
    bx_record_begin(&B);
    bx_fragment(&B);
    uint32_t size_at = 0;
    uint32_t d = bx_template(&B, *def, &size_at);
    if (!*def) {
        bx_fragment(&B);
        bx_open(&B, "Event", 0, 1);
        bx_close_start(&B);
        bx_open(&B, "System", 0, 1);
        bx_close_start(&B);
        uint32_t at = bx_open(&B, "EventID", 1, 1);
        bx_attr(&B, "Qualifiers");
        bx_subst(&B, NTYPES + 2, 0x06, 1); /* optional, absent: attribute left out */
        bx_attrs_end(&B, at);
        bx_close_start(&B);
        bx_subst(&B, NTYPES, 0x06, 0);
        bx_end(&B);
        bx_end(&B);
        bx_open(&B, "EventData", 0, 1);
        bx_close_start(&B);
        for (int i = 0; i < NTYPES; i++) {
            at = bx_open(&B, "Data", 1, 1);
            bx_attr(&B, "Name");
            bx_text(&B, names[i]);
            bx_attrs_end(&B, at);
            bx_close_start(&B);
            bx_subst(&B, (uint16_t)i, types[i], 1);
            bx_end(&B);
        }
        /* an array of strings repeats its element */
        bx_open(&B, "Item", 0, 1);
        bx_close_start(&B);
        bx_subst(&B, NTYPES + 1, 0x81, 0);
        bx_end(&B);
        bx_end(&B); /* EventData */
        bx_end(&B); /* Event */
        bx_eof(&B);
        bx_template_end(&B, size_at);
        *def = d;
    }
    static const uint8_t str[] = {'a', 0, '<', 0, 0xe9, 0, 0, 0};
    static const uint8_t i8 = 0xff, u8 = 200;
    static const uint8_t i16[2] = {0xfe, 0xff}, u16[2] = {0x34, 0x12};
    static const uint8_t i32[4] = {0xfd, 0xff, 0xff, 0xff}, u32[4] = {0x40, 0xe2, 0x01, 0};
    static const uint8_t i64[8] = {0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t u64[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    static const uint8_t r32[4] = {0, 0, 0xc0, 0x3f};             /* 1.5 */
    static const uint8_t r64[8] = {0, 0, 0, 0, 0, 0, 0x04, 0xc0}; /* -2.5 */
    static const uint8_t one[4] = {1, 0, 0, 0}, bin[3] = {0xde, 0xad, 0x01};
    static const uint8_t h32[4] = {0xe7, 0x03, 0, 0}, h64[8] = {0x10, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t eid[2] = {0x11, 0x12}; /* 4625 */
    static const uint8_t arr[] = {'x', 0, 0, 0, 'y', 0, 'z', 0, 0, 0};
    bx_val v[NTYPES + 2] = {{0x01, str, 8}, {0x02, "ansi\0", 5}, {0x03, &i8, 1},   {0x04, &u8, 1},
                            {0x05, i16, 2}, {0x06, u16, 2},      {0x07, i32, 4},   {0x08, u32, 4},
                            {0x09, i64, 8}, {0x0a, u64, 8},      {0x0b, r32, 4},   {0x0c, r64, 8},
                            {0x0d, one, 4}, {0x0e, bin, 3},      {0x0f, guid, 16}, {0x15, h64, 8},
                            {0x11, ft, 8},  {0x12, systime, 16}, {0x13, sid, 12},  {0x14, h32, 4},
                            {0x15, h64, 8}, {0x00, NULL, 0},     {0x06, eid, 2},   {0x81, arr, 10}};
    bx_values(&B, v, NTYPES + 2);
    bx_record_end(&B);
}

static const char typed_xml[] =
    "<Event>\n"
    "  <System>\n"
    "    <EventID>4625</EventID>\n"
    "  </System>\n"
    "  <EventData>\n"
    "    <Data Name=\"Str\">a&lt;\xc3\xa9</Data>\n"
    "    <Data Name=\"Ansi\">ansi</Data>\n"
    "    <Data Name=\"I8\">-1</Data>\n"
    "    <Data Name=\"U8\">200</Data>\n"
    "    <Data Name=\"I16\">-2</Data>\n"
    "    <Data Name=\"U16\">4660</Data>\n"
    "    <Data Name=\"I32\">-3</Data>\n"
    "    <Data Name=\"U32\">123456</Data>\n"
    "    <Data Name=\"I64\">-4</Data>\n"
    "    <Data Name=\"U64\">9223372036854775808</Data>\n"
    "    <Data Name=\"R32\">1.5</Data>\n"
    "    <Data Name=\"R64\">-2.5</Data>\n"
    "    <Data Name=\"Bool\">true</Data>\n"
    "    <Data Name=\"Bin\">DEAD01</Data>\n"
    "    <Data Name=\"Guid\">{54849625-5478-4994-A5BA-3E3B0328C30D}</Data>\n"
    "    <Data Name=\"Size\">0x10</Data>\n"
    "    <Data Name=\"Time\">2016-07-08T18:12:51.681640800Z</Data>\n"
    "    <Data Name=\"SysTime\">2017-05-19T02:02:36.203Z</Data>\n"
    "    <Data Name=\"Sid\">S-1-5-18</Data>\n"
    "    <Data Name=\"H32\">0x3e7</Data>\n"
    "    <Data Name=\"H64\">0x10</Data>\n"
    "    <Data Name=\"Null\"/>\n"
    "    <Item>x</Item>\n"
    "    <Item>yz</Item>\n"
    "  </EventData>\n"
    "</Event>\n";

static const char typed_json[] =
    "{\"Event\":{\"System\":{\"EventID\":4625},\"EventData\":{\"Str\":\"a<\xc3\xa9\","
    "\"Ansi\":\"ansi\",\"I8\":-1,\"U8\":200,\"I16\":-2,\"U16\":4660,\"I32\":-3,\"U32\":123456,"
    "\"I64\":-4,\"U64\":9223372036854775808,\"R32\":\"1.5\",\"R64\":\"-2.5\",\"Bool\":true,"
    "\"Bin\":\"DEAD01\",\"Guid\":\"{54849625-5478-4994-A5BA-3E3B0328C30D}\",\"Size\":\"0x10\","
    "\"Time\":\"2016-07-08T18:12:51.681640800Z\",\"SysTime\":\"2017-05-19T02:02:36.203Z\","
    "\"Sid\":\"S-1-5-18\",\"H32\":\"0x3e7\",\"H64\":\"0x10\",\"Null\":null,\"Item\":\"x\",\"Item_"
    "1\":\"yz\"}}}\n";

static void check_typed(const ks_evtx_record *rec, int i)
{
    (void)i;
    CHECK_STR(xml(rec), typed_xml);
    CHECK_STR(json(rec), typed_json);
    ks_event ev;
    CHECK(ks_evtx_record_event(rec, &ev) == KS_OK);
    CHECK_INT(ev.event_id, 4625);
    CHECK(!ev.has_qualifiers);
    CHECK_INT(ev.nfields, NTYPES + 2); /* two Items */
    const ks_field *f = ks_event_field(&ev, "U32");
    CHECK(f && f->value.type == KS_VT_UINT32);
    uint64_t u = 0;
    CHECK(f && ks_value_u64(&f->value, &u) && u == 123456);
    f = ks_event_field(&ev, "Sid");
    CHECK(f && f->value.type == KS_VT_SID);
    /* an element with attributes stays when its optional value is absent (as
     * Windows and evtxexport write it); the field is there, without a value */
    f = ks_event_field(&ev, "Null");
    CHECK(f && f->value.type == KS_VT_NULL);
    CHECK(ks_evtx_record_event(rec, &ev) == KS_OK); /* again: same answer */
    CHECK_INT(ev.nfields, NTYPES + 2);
}

static void test_typed(void)
{
    bx_init(&B);
    uint32_t def = 0;
    write_typed_record(&def);
    write_typed_record(&def); /* the definition by offset */
    problems = 0;
    CHECK_INT(decode(check_typed, bx_finish(&B)), 2);
    CHECK_INT(problems, 0);
}

/* 3. nested Binary XML in a substitution (as Windows writes EventData inside the
 * System template), and elements without dependency identifier there */
static void check_nested(const ks_evtx_record *rec, int i)
{
    (void)i;
    CHECK_STR(xml(rec), "<Event>\n"
                        "  <System>\n"
                        "    <Channel>Security</Channel>\n"
                        "  </System>\n"
                        "  <EventData>\n"
                        "    <Data Name=\"TargetUserName\">SYSTEM</Data>\n"
                        "  </EventData>\n"
                        "</Event>\n");
    ks_event ev;
    CHECK(ks_evtx_record_event(rec, &ev) == KS_OK);
    CHECK(ev.channel.len == 8 && memcmp(ev.channel.p, "Security", 8) == 0);
    const ks_field *f = ks_event_field(&ev, "TargetUserName");
    CHECK(f && f->value.type == KS_VT_STRING && f->value.size == 12);
}

static void test_nested(void)
{
    bx_init(&B);
    bx_record_begin(&B);
    bx_fragment(&B);
    uint32_t size_at;
    bx_template(&B, 0, &size_at);
    bx_fragment(&B);
    bx_open(&B, "Event", 0, 1);
    bx_close_start(&B);
    bx_open(&B, "System", 0, 1);
    bx_close_start(&B);
    bx_open(&B, "Channel", 0, 1);
    bx_close_start(&B);
    bx_subst(&B, 0, 0x01, 0);
    bx_end(&B);
    bx_end(&B);
    bx_subst(&B, 1, 0x21, 1);
    bx_end(&B);
    bx_eof(&B);
    bx_template_end(&B, size_at);
    /* values: the channel, then the nested EventData, without dependency ids. Its
     * names are written inline, so it is built where it will sit: after the value
     * count, two descriptors and the channel */
    static const uint8_t chan[] = {'S', 0, 'e', 0, 'c', 0, 'u', 0, 'r', 0, 'i', 0, 't', 0, 'y', 0};
    uint8_t nested[256];
    bxb tmp = B;
    tmp.pos = B.pos + 4 + 2 * 4 + sizeof chan;
    uint32_t start = tmp.pos;
    bx_open(&tmp, "EventData", 0, 0);
    bx_close_start(&tmp);
    uint32_t at = bx_open(&tmp, "Data", 1, 0);
    bx_attr(&tmp, "Name");
    bx_text(&tmp, "TargetUserName");
    bx_attrs_end(&tmp, at);
    bx_close_start(&tmp);
    bx_text(&tmp, "SYSTEM");
    bx_end(&tmp);
    bx_end(&tmp);
    bx_eof(&tmp);
    uint32_t n = tmp.pos - start;
    memcpy(nested, tmp.ck + start, n);
    bx_val v[2] = {{0x01, chan, sizeof chan}, {0x21, nested, (uint16_t)n}};
    bx_values(&B, v, 2);
    bx_record_end(&B);
    problems = 0;
    CHECK_INT(decode(check_nested, bx_finish(&B)), 1);
    CHECK_INT(problems, 0);
}

/* 4. damage inside a record: an unknown token skips that record only */
static int seen_ids[4];
static void check_damaged(const ks_evtx_record *rec, int i)
{
    if (i < 4) seen_ids[i] = (int)rec->record_id;
}

static void test_damaged(void)
{
    bx_init(&B);
    for (int r = 0; r < 3; r++) {
        bx_record_begin(&B);
        bx_fragment(&B);
        bx_open(&B, "Event", 0, 1);
        bx_close_start(&B);
        if (r == 1) bx_u8(&B, 0x1f); /* not a token */
        bx_end(&B);
        bx_eof(&B);
        bx_record_end(&B);
    }
    problems = 0;
    CHECK_INT(decode(check_damaged, bx_finish(&B)), 2);
    CHECK_INT(problems, 1);
    CHECK(seen_ids[0] == 1 && seen_ids[1] == 3);
}

int main(void)
{
    test_plain();
    test_typed();
    test_nested();
    test_damaged();
    ks_buf_free(&out);
    return ks_test_done();
}
