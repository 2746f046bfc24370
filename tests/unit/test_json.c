/* The bounded JSON parser (src/util/json.c): values, escapes and surrogate pairs,
 * numbers as text and as int64 / double, the depth and node limits, truncated and
 * malformed input, and trailing text. */
#include <math.h>

#include "harness.h"
#include "util/arena.h"
#include "util/json.h"

static ks_arena arena;

static void *alloc(void *ctx, size_t n)
{
    return ks_arena_alloc(ctx, n);
}

static ks_json_opts opts(void)
{
    return (ks_json_opts){.alloc = alloc, .ctx = &arena};
}

/* Parse s whole; NULL when it fails (the status in *st). */
static const ks_json *parse_st(const char *s, ks_status *st)
{
    ks_json_opts o = opts();
    const ks_json *j = NULL;
    *st = ks_json_parse(s, strlen(s), &o, &j, NULL, NULL);
    return j;
}

static const ks_json *parse(const char *s)
{
    ks_status st;
    return parse_st(s, &st);
}

static ks_status status_of(const char *s)
{
    ks_status st;
    parse_st(s, &st);
    return st;
}

/* A string value as a NUL-terminated copy (for CHECK_STR). */
static const char *text(const ks_json *j)
{
    static char buf[256];
    if (!j || j->len >= sizeof buf) return "(none)";
    memcpy(buf, j->str, j->len);
    buf[j->len] = 0;
    return buf;
}

static void test_values(void)
{
    const ks_json *j = parse(" {\"a\": [1, -2, 3.5e2, true, false, null, \"x\"], \"b\": {}, "
                             "\"c\": [], \"a\": \"dup\"}\n");
    CHECK(j && j->type == KS_JSON_OBJECT);
    CHECK_INT(j ? j->count : 0, 4);
    const ks_json *a = ks_json_get(j, "a");
    CHECK(a && a->type == KS_JSON_ARRAY && a->count == 7);
    const ks_json *i = a ? a->child : NULL;
    CHECK(i && i->type == KS_JSON_NUMBER && (i->flags & KS_JSON_INT) && i->i == 1);
    i = i ? i->next : NULL;
    CHECK(i && i->i == -2 && (i->flags & KS_JSON_INT));
    i = i ? i->next : NULL;
    CHECK(i && !(i->flags & KS_JSON_INT) && (i->flags & KS_JSON_FRAC) && i->d == 350.0);
    CHECK_STR(text(i), "3.5e2");
    i = i ? i->next : NULL;
    CHECK(i && i->type == KS_JSON_TRUE);
    CHECK_STR(text(i), "true");
    i = i ? i->next : NULL;
    CHECK(i && i->type == KS_JSON_FALSE);
    i = i ? i->next : NULL;
    CHECK(i && i->type == KS_JSON_NULL);
    i = i ? i->next : NULL;
    CHECK(i && i->type == KS_JSON_STRING);
    CHECK_STR(text(i), "x");
    CHECK(i && !i->next);
    const ks_json *b = ks_json_get(j, "b");
    CHECK(b && b->type == KS_JSON_OBJECT && b->count == 0 && !b->child);
    CHECK(ks_json_get(j, "c") && ks_json_get(j, "c")->type == KS_JSON_ARRAY);
    /* the first of duplicate keys; both kept in order */
    CHECK(ks_json_get(j, "a") == a);
    CHECK_STR(text(ks_json_get(j, "c")->next), "dup");
    CHECK(ks_json_get(j, "zz") == NULL);
    CHECK(ks_json_get(a, "a") == NULL); /* not an object */
    CHECK(ks_json_get(NULL, "a") == NULL);

    j = parse("{\"winlog\":{\"event_data\":{\"X\":\"1\"}}}");
    CHECK_STR(text(ks_json_path(j, "winlog.event_data.X")), "1");
    CHECK(ks_json_path(j, "winlog.nope.X") == NULL);

    /* scalars at the top */
    j = parse("42");
    CHECK(j && j->type == KS_JSON_NUMBER && j->i == 42);
    j = parse("\"s\"");
    CHECK(j && j->type == KS_JSON_STRING && j->len == 1);
    CHECK_STR(ks_json_type_name(KS_JSON_OBJECT), "object");
}

static void test_strings(void)
{
    const ks_json *j = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\"");
    CHECK(j && j->len == 13 && memcmp(j->str, "a\"b\\c/d\b\f\n\r\te", 13) == 0);
    /* \u escapes: ASCII, two- and three-byte UTF-8, a surrogate pair (U+1F600) */
    j = parse("\"\\u0041\\u00e9\\u65e5\\ud83d\\ude00\"");
    CHECK_STR(text(j), "A\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80");
    /* upper-case hex digits */
    j = parse("\"\\u00C9\"");
    CHECK_STR(text(j), "\xc3\x89");
    /* lone surrogates become U+FFFD; a high one followed by a non-low escape too */
    j = parse("\"\\ud800x\\udc00\\ud800\\u0041\"");
    CHECK_STR(text(j), "\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd"
                       "A");
    /* raw UTF-8 passes through; strings without escapes point into the input */
    const char *in = "\"\xe6\x97\xa5\xe6\x9c\xac\"";
    j = parse(in);
    CHECK(j && j->str == in + 1 && j->len == 6);
    /* \u0000: kept, or dropped with drop_nul */
    j = parse("\"a\\u0000b\"");
    CHECK(j && j->len == 3 && j->str[1] == 0);
    ks_json_opts o = opts();
    o.drop_nul = true;
    const ks_json *k = NULL;
    CHECK(ks_json_parse("\"a\\u0000b\"", 10, &o, &k, NULL, NULL) == KS_OK);
    CHECK_STR(text(k), "ab");
    /* keys are unescaped too */
    j = parse("{\"T\\u0061rget\":1}");
    CHECK(ks_json_get(j, "Target") != NULL);
    /* a raw tab is allowed, other control characters are not */
    CHECK(status_of("\"a\tb\"") == KS_OK);
    CHECK(status_of("\"a\nb\"") == KS_ERR_FORMAT);
    CHECK(status_of("\"a\x01\"") == KS_ERR_FORMAT);
    /* bad escapes */
    CHECK(status_of("\"\\x\"") == KS_ERR_FORMAT);
    CHECK(status_of("\"\\u12G4\"") == KS_ERR_FORMAT);
    CHECK(status_of("\"\\u12\"") == KS_ERR_FORMAT);
    CHECK(status_of("\"\\") == KS_ERR_TRUNCATED);
    CHECK(status_of("\"\\u12") == KS_ERR_TRUNCATED);
    CHECK(status_of("\"\\u1x") == KS_ERR_FORMAT);
}

static void test_numbers(void)
{
    const ks_json *j = parse("[0, -0, 9223372036854775807, -9223372036854775808, "
                             "9223372036854775808, 18446744073709551616, 0.5, -1.25e-3, 1E3, "
                             "12345678901234567890123, 1e400, 1e-400, 0.000001]");
    const ks_json *n = j ? j->child : NULL;
    CHECK(n && (n->flags & KS_JSON_INT) && n->i == 0);
    n = n ? n->next : NULL;
    CHECK(n && (n->flags & KS_JSON_INT) && n->i == 0);
    CHECK_STR(text(n), "-0");
    n = n ? n->next : NULL;
    CHECK(n && (n->flags & KS_JSON_INT) && n->i == INT64_MAX);
    n = n ? n->next : NULL;
    CHECK(n && (n->flags & KS_JSON_INT) && n->i == INT64_MIN);
    n = n ? n->next : NULL;
    CHECK(n && !(n->flags & KS_JSON_INT) && n->d == 9223372036854775808.0);
    CHECK_STR(text(n), "9223372036854775808");
    n = n ? n->next : NULL;
    CHECK(n && !(n->flags & KS_JSON_INT) && fabs(n->d - 18446744073709551616.0) < 1e5);
    n = n ? n->next : NULL;
    CHECK(n && n->d == 0.5);
    n = n ? n->next : NULL;
    CHECK(n && fabs(n->d + 0.00125) < 1e-15);
    n = n ? n->next : NULL;
    CHECK(n && n->d == 1000.0 && (n->flags & KS_JSON_FRAC));
    n = n ? n->next : NULL;
    CHECK(n && fabs(n->d / 1.2345678901234567e22 - 1) < 1e-12);
    n = n ? n->next : NULL;
    CHECK(n && isinf(n->d));
    n = n ? n->next : NULL;
    CHECK(n && n->d == 0.0);
    n = n ? n->next : NULL;
    CHECK(n && fabs(n->d - 1e-6) < 1e-20);

    uint64_t u = 0;
    CHECK(ks_json_u64(parse("\"0x8010000000000000\""), &u) && u == UINT64_C(0x8010000000000000));
    CHECK(ks_json_u64(parse("4625"), &u) && u == 4625);
    CHECK(ks_json_u64(parse("\" 17 \""), &u) && u == 17);
    CHECK(!ks_json_u64(parse("\"x1\""), &u));
    CHECK(!ks_json_u64(parse("1.5"), &u));
    CHECK(!ks_json_u64(parse("-1"), &u));
    CHECK(!ks_json_u64(parse("\"18446744073709551616\""), &u));
    CHECK(!ks_json_u64(parse("null"), &u));

    CHECK(status_of("01") == KS_ERR_FORMAT);
    CHECK(status_of("-x") == KS_ERR_FORMAT);
    CHECK(status_of("1.x") == KS_ERR_FORMAT);
    CHECK(status_of("1e+") == KS_ERR_TRUNCATED);
    CHECK(status_of("[1.") == KS_ERR_TRUNCATED);
    CHECK(status_of("+1") == KS_ERR_FORMAT);
    CHECK(status_of(".5") == KS_ERR_FORMAT);
}

static void test_errors(void)
{
    /* truncated: more text could complete the value */
    static const char *const cut[] = {
        "",  "   ", "{",     "{\"a\"", "{\"a\":", "{\"a\":1",          "{\"a\":1,",
        "[", "[1,", "\"abc", "tr",     "nul",     "{\"a\":[{\"b\":\"c"};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        ks_status st = status_of(cut[i]);
        if (st != KS_ERR_TRUNCATED) fprintf(stderr, "cut %zu: %s\n", i, ks_status_str(st));
        CHECK(st == KS_ERR_TRUNCATED);
    }
    /* malformed */
    static const char *const bad[] = {"{a:1}",     "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]",
                                      "{\"a\":1]", "tru e",     "nulx",       "{} x", "]",
                                      "{\"a\":}",  "'a'",       "NaN",        "[,1]", "{,}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ks_status st = status_of(bad[i]);
        if (st != KS_ERR_FORMAT) fprintf(stderr, "bad %zu: %s\n", i, ks_status_str(st));
        CHECK(st == KS_ERR_FORMAT);
    }
    /* the diagnostic names the byte */
    ks_diag d;
    ks_json_opts o = opts();
    CHECK(ks_json_parse("[1, x]", 6, &o, NULL, NULL, &d) == KS_ERR_FORMAT);
    CHECK(d.offset == 4 && strstr(d.what, "byte 4") != NULL);
    /* NULL input */
    CHECK(ks_json_parse(NULL, 3, &o, NULL, NULL, NULL) == KS_ERR_ARG);
}

static void test_limits(void)
{
    char deep[2100];
    size_t n = 0;
    for (int i = 0; i < 1000; i++) deep[n++] = '[';
    for (int i = 0; i < 1000; i++) deep[n++] = ']';
    ks_json_opts o = opts();
    CHECK(ks_json_parse(deep, n, &o, NULL, NULL, NULL) == KS_ERR_LIMIT);
    /* 64 levels pass by default, 65 do not; the cap is adjustable up to 512 */
    CHECK(ks_json_parse(deep + 1000 - 64, 128, &o, NULL, NULL, NULL) == KS_OK);
    CHECK(ks_json_parse(deep + 1000 - 65, 130, &o, NULL, NULL, NULL) == KS_ERR_LIMIT);
    o.max_depth = 3;
    CHECK(ks_json_parse("[[[1]]]", 7, &o, NULL, NULL, NULL) == KS_OK);
    CHECK(ks_json_parse("[[[[1]]]]", 9, &o, NULL, NULL, NULL) == KS_ERR_LIMIT);
    o.max_depth = 100000; /* capped at 512 */
    CHECK(ks_json_parse(deep, n, &o, NULL, NULL, NULL) == KS_ERR_LIMIT);
    /* the node count */
    o = opts();
    o.max_nodes = 4;
    CHECK(ks_json_parse("[1,2,3]", 7, &o, NULL, NULL, NULL) == KS_OK);
    CHECK(ks_json_parse("[1,2,3,4]", 9, &o, NULL, NULL, NULL) == KS_ERR_LIMIT);
    /* out of memory from the allocator */
    ks_arena small = {.limit = 64};
    ks_json_opts so = {.alloc = alloc, .ctx = &small};
    CHECK(ks_json_parse("[1,2,3,4,5,6]", 13, &so, NULL, NULL, NULL) == KS_ERR_NOMEM);
    CHECK(ks_json_parse("\"\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041\\"
                        "u0041\\u0041\"",
                        74, &so, NULL, NULL, NULL) == KS_ERR_NOMEM);
    ks_arena_free(&small);

    /* a huge input: 4 MiB of one string and 200,000 numbers, bounded and fast */
    size_t big = 4u << 20;
    char *p = malloc(big + 8);
    p[0] = '"';
    memset(p + 1, 'a', big);
    p[big + 1] = '"';
    o = opts();
    const ks_json *j = NULL;
    CHECK(ks_json_parse(p, big + 2, &o, &j, NULL, NULL) == KS_OK);
    CHECK(j && j->len == big);
    CHECK(ks_json_parse(p, big + 1, &o, &j, NULL, NULL) == KS_ERR_TRUNCATED);
    size_t m = 0;
    p[m++] = '[';
    for (int i = 0; i < 200000; i++) {
        p[m++] = '7';
        p[m++] = ',';
    }
    p[m - 1] = ']';
    CHECK(ks_json_parse(p, m, &o, &j, NULL, NULL) == KS_OK);
    CHECK(j && j->count == 200000);
    o.max_nodes = 1000;
    CHECK(ks_json_parse(p, m, &o, &j, NULL, NULL) == KS_ERR_LIMIT);
    /* a huge run of digits and of leading fraction zeros */
    memset(p, '9', big);
    o = opts();
    CHECK(ks_json_parse(p, big, &o, &j, NULL, NULL) == KS_OK);
    CHECK(j && isinf(j->d) && j->len == big);
    p[0] = '0';
    p[1] = '.';
    memset(p + 2, '0', big - 3);
    p[big - 1] = '1';
    CHECK(ks_json_parse(p, big, &o, &j, NULL, NULL) == KS_OK);
    CHECK(j && j->d == 0.0);
    free(p);
}

static void test_trailing(void)
{
    const char *s = "{\"a\":1} {\"b\":2}\n[3]";
    size_t n = strlen(s), used = 0;
    ks_json_opts o = opts();
    const ks_json *j;
    CHECK(ks_json_parse(s, n, &o, &j, &used, NULL) == KS_ERR_FORMAT);
    o.allow_trailing = true;
    CHECK(ks_json_parse(s, n, &o, &j, &used, NULL) == KS_OK);
    CHECK_INT(used, 8);
    CHECK(ks_json_get(j, "a") != NULL);
    CHECK(ks_json_parse(s + used, n - used, &o, &j, &used, NULL) == KS_OK);
    CHECK(ks_json_get(j, "b") != NULL);
    CHECK_INT(used, 8); /* with the newline */
    /* validating only: no tree, same answers */
    ks_json_opts v = {.max_depth = 8};
    j = (const ks_json *)1;
    const char *doc = "{\"a\":[1,{\"b\":\"\\u00e9\"}]}";
    CHECK(ks_json_parse(doc, strlen(doc), &v, &j, NULL, NULL) == KS_OK);
    CHECK(j == NULL);
    CHECK(ks_json_parse("{\"a\":[1,", 8, &v, NULL, NULL, NULL) == KS_ERR_TRUNCATED);
    CHECK(ks_json_parse(NULL, 0, NULL, NULL, NULL, NULL) == KS_ERR_TRUNCATED);
}

/* Every prefix of a valid document is truncated (never an error, never a crash), and
 * every single-byte change parses or fails cleanly. */
static void test_prefixes(void)
{
    const char *doc =
        "{\"Event\":{\"System\":{\"EventID\":{\"#attributes\":{\"Qualifiers\":16384},"
        "\"#text\":7045},\"Keywords\":\"0x8080000000000000\"},\"EventData\":{\"Data\":"
        "{\"#text\":[\"a\\u00e9\",\"\\ud83d\\ude00\",null,true,-1.5e3]}}}}";
    size_t n = strlen(doc);
    ks_json_opts o = opts();
    int trunc = 1;
    for (size_t i = 0; i < n; i++) {
        ks_arena_reset(&arena);
        ks_status st = ks_json_parse(doc, i, &o, NULL, NULL, NULL);
        if (st != KS_ERR_TRUNCATED) {
            fprintf(stderr, "prefix %zu: %s\n", i, ks_status_str(st));
            trunc = 0;
        }
    }
    CHECK(trunc);
    CHECK(ks_json_parse(doc, n, &o, NULL, NULL, NULL) == KS_OK);
    char *copy = malloc(n);
    int clean = 1;
    static const char subst[] = {0, '"', '\\', '{', '}', '[', ']', ',', ':', 'u', '0', 'x', '\n'};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof subst; k++) {
            memcpy(copy, doc, n);
            copy[i] = subst[k];
            ks_arena_reset(&arena);
            ks_status st = ks_json_parse(copy, n, &o, NULL, NULL, NULL);
            clean &= st == KS_OK || st == KS_ERR_FORMAT || st == KS_ERR_TRUNCATED;
        }
    CHECK(clean);
    free(copy);
}

int main(void)
{
    test_values();
    test_strings();
    test_numbers();
    test_errors();
    test_limits();
    test_trailing();
    test_prefixes();
    ks_arena_free(&arena);
    return ks_test_done();
}
