/* The bounded JSON parser of json.h: recursive descent with a depth cap, nodes from
 * the caller's allocator, strings unescaped only when they hold escapes (otherwise
 * they point into the input). Every read is checked against the end of the input. */
#include <string.h>

#include "util/json.h"

#define DEFAULT_DEPTH 64
#define MAX_DEPTH 512
#define DEFAULT_NODES 1000000u

typedef struct parser {
    const char *p;
    size_t n, pos;
    const ks_json_opts *o;
    int max_depth;
    size_t max_nodes, nodes;
    ks_status st;
    ks_diag *diag;
    ks_json scratch; /* the node every value uses when only validating */
} parser;

static void fail(parser *ps, ks_status st, const char *what)
{
    if (ps->st != KS_OK) return;
    ps->st = st;
    if (ps->diag) ks_diag_set(ps->diag, st, NULL, ps->pos, "%s at byte %zu", what, ps->pos);
}

/* The input ended inside a value: more bytes could complete it. */
static void truncated(parser *ps)
{
    fail(ps, KS_ERR_TRUNCATED, "JSON text ends inside a value");
}

static inline void skip_ws(parser *ps)
{
    while (ps->pos < ps->n) {
        char c = ps->p[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        ps->pos++;
    }
}

static ks_json *new_node(parser *ps, uint8_t type)
{
    if (++ps->nodes > ps->max_nodes) {
        fail(ps, KS_ERR_LIMIT, "too many JSON values");
        return NULL;
    }
    ks_json *j;
    if (ps->o->alloc) {
        j = ps->o->alloc(ps->o->ctx, sizeof *j);
        if (!j) {
            fail(ps, KS_ERR_NOMEM, "out of memory for JSON values");
            return NULL;
        }
    } else {
        j = &ps->scratch;
    }
    memset(j, 0, sizeof *j);
    j->type = type;
    return j;
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* 1 for the bytes a string holds as they are. */
static const unsigned char plain[256] = {
#define R4(b) [b] = 1, [b + 1] = 1, [b + 2] = 1, [b + 3] = 1
#define R16(b) R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
    ['\t'] = 1, [0x20] = 1, [0x21] = 1, R4(0x23),  R4(0x27),  R4(0x2b),   [0x2f] = 1, /* not '"' */
    R16(0x30),  R16(0x40),  R4(0x50),   R4(0x54),  R4(0x58),  [0x5d] = 1, [0x5e] = 1,
    [0x5f] = 1, /* not '\\' */
    R16(0x60),  R16(0x70),  R16(0x80),  R16(0x90), R16(0xa0), R16(0xb0),  R16(0xc0),
    R16(0xd0),  R16(0xe0),  R16(0xf0),
#undef R16
#undef R4
};

/* A string starting at the opening quote: *s / *len get its unescaped text. The
 * first pass finds the end and checks the escapes; the second, only when there are
 * escapes, decodes them (never longer than the escaped text). */
static int string(parser *ps, const char **s, uint32_t *len)
{
    size_t start = ++ps->pos, i = start;
    int escapes = 0;
    for (;;) {
        /* the run of plain characters: not '"', '\\' or a control character */
        while (i < ps->n && plain[(unsigned char)ps->p[i]]) i++;
        if (i >= ps->n) {
            ps->pos = i;
            truncated(ps);
            return 0;
        }
        unsigned char c = (unsigned char)ps->p[i];
        if (c == '"') break;
        if (c == '\\') {
            escapes = 1;
            if (i + 1 >= ps->n) {
                ps->pos = i + 1;
                truncated(ps);
                return 0;
            }
            char e = ps->p[i + 1];
            if (e == 'u') {
                uint32_t cp;
                if (ps->n - i < 6) {
                    /* a partial escape at the end: bad if what is there is not hex */
                    for (size_t k = i + 2; k < ps->n; k++) {
                        unsigned h = (unsigned char)ps->p[k] | 0x20;
                        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f'))) {
                            ps->pos = k;
                            fail(ps, KS_ERR_FORMAT, "bad \\u escape in a JSON string");
                            return 0;
                        }
                    }
                    ps->pos = ps->n;
                    truncated(ps);
                    return 0;
                }
                if (!hex4(ps->p + i + 2, &cp)) {
                    ps->pos = i;
                    fail(ps, KS_ERR_FORMAT, "bad \\u escape in a JSON string");
                    return 0;
                }
                i += 6;
                continue;
            }
            if (e == 0 || !strchr("\"\\/bfnrt", e)) {
                ps->pos = i;
                fail(ps, KS_ERR_FORMAT, "bad escape in a JSON string");
                return 0;
            }
            i += 2;
            continue;
        }
        if (c < 0x20 && c != '\t') {
            ps->pos = i;
            fail(ps, KS_ERR_FORMAT, "control character in a JSON string");
            return 0;
        }
        i++;
    }
    size_t end = i;
    ps->pos = end + 1;
    if (end - start > UINT32_MAX - 1) {
        fail(ps, KS_ERR_LIMIT, "JSON string too long");
        return 0;
    }
    if (!escapes || !ps->o->alloc) {
        *s = ps->p + start;
        *len = (uint32_t)(end - start);
        return 1;
    }
    char *d = ps->o->alloc(ps->o->ctx, end - start + 1);
    if (!d) {
        fail(ps, KS_ERR_NOMEM, "out of memory for a JSON string");
        return 0;
    }
    size_t k = 0;
    for (i = start; i < end;) {
        char c = ps->p[i];
        if (c != '\\') {
            /* copy the run up to the next escape */
            const char *bs = memchr(ps->p + i, '\\', end - i);
            size_t run = bs ? (size_t)(bs - (ps->p + i)) : end - i;
            memcpy(d + k, ps->p + i, run);
            k += run;
            i += run;
            continue;
        }
        char e = ps->p[i + 1];
        if (e != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            d[k++] = to[strchr(from, e) - from];
            i += 2;
            continue;
        }
        uint32_t cp = 0xfffd;
        hex4(ps->p + i + 2, &cp); /* checked by the first pass */
        i += 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t lo;
            if (i + 6 <= end && ps->p[i] == '\\' && ps->p[i + 1] == 'u' &&
                hex4(ps->p + i + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            } else {
                cp = 0xfffd;
            }
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            cp = 0xfffd;
        }
        if (cp == 0 && ps->o->drop_nul) continue;
        k += put_utf8(d + k, cp);
    }
    d[k] = 0;
    *s = d;
    *len = (uint32_t)k;
    return 1;
}

static double pow10_of(int e)
{
    static const double small[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double r = 1;
    while (e > 22) {
        r *= 1e22;
        e -= 22;
    }
    return r * small[e];
}

static ks_json *number(parser *ps)
{
    size_t start = ps->pos, i = start;
    const char *p = ps->p;
    int neg = 0;
    if (p[i] == '-') {
        neg = 1;
        if (++i >= ps->n) {
            ps->pos = i;
            truncated(ps);
            return NULL;
        }
    }
    if (p[i] < '0' || p[i] > '9') {
        ps->pos = i;
        fail(ps, KS_ERR_FORMAT, "bad JSON number");
        return NULL;
    }
    uint64_t mant = 0;
    int sig = 0, dexp = 0, overflow = 0, frac = 0;
    if (p[i] == '0') {
        i++;
    } else {
        for (; i < ps->n && p[i] >= '0' && p[i] <= '9'; i++) {
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)(p[i] - '0');
                sig++;
            } else {
                if (dexp < 100000) dexp++;
                overflow = 1;
            }
        }
    }
    if (i < ps->n && p[i] == '.') {
        frac = 1;
        if (++i >= ps->n) {
            ps->pos = i;
            truncated(ps);
            return NULL;
        }
        if (p[i] < '0' || p[i] > '9') {
            ps->pos = i;
            fail(ps, KS_ERR_FORMAT, "bad JSON number");
            return NULL;
        }
        for (; i < ps->n && p[i] >= '0' && p[i] <= '9'; i++) {
            if (sig >= 19) continue; /* digits past what a double holds */
            if (mant || p[i] != '0') {
                mant = mant * 10 + (uint64_t)(p[i] - '0');
                sig++;
            }
            if (dexp > -100000) dexp--;
        }
    }
    if (i < ps->n && (p[i] == 'e' || p[i] == 'E')) {
        frac = 1;
        if (++i < ps->n && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= ps->n) {
            ps->pos = i;
            truncated(ps);
            return NULL;
        }
        if (p[i] < '0' || p[i] > '9') {
            ps->pos = i;
            fail(ps, KS_ERR_FORMAT, "bad JSON number");
            return NULL;
        }
        int eneg = p[i - 1] == '-';
        int e = 0;
        for (; i < ps->n && p[i] >= '0' && p[i] <= '9'; i++)
            if (e < 100000) e = e * 10 + (p[i] - '0');
        dexp += eneg ? -e : e;
    }
    ps->pos = i;
    ks_json *j = new_node(ps, KS_JSON_NUMBER);
    if (!j) return NULL;
    j->str = p + start;
    j->len = (uint32_t)(i - start);
    if (frac) j->flags |= KS_JSON_FRAC;
    if (!frac && !overflow) {
        if (!neg && mant <= (uint64_t)INT64_MAX) {
            j->i = (int64_t)mant;
            j->flags |= KS_JSON_INT;
        } else if (neg && mant <= (uint64_t)INT64_MAX + 1) {
            j->i = mant == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mant;
            j->flags |= KS_JSON_INT;
        }
    }
    double d = (double)mant;
    if (mant == 0 || dexp == 0)
        ;
    else if (dexp > 308 + 19)
        d = d * 1e308 * 10; /* infinity */
    else if (dexp > 0)
        d *= pow10_of(dexp);
    else if (dexp < -(324 + 19))
        d = 0;
    else if (dexp >= -22)
        d /= pow10_of(-dexp);
    else
        d = d / pow10_of(-dexp - 22) / 1e22;
    j->d = neg ? -d : d;
    return j;
}

static ks_json *literal(parser *ps, const char *word, uint8_t type)
{
    size_t len = strlen(word), have = ps->n - ps->pos;
    size_t cmp = have < len ? have : len;
    if (memcmp(ps->p + ps->pos, word, cmp) != 0) {
        fail(ps, KS_ERR_FORMAT, "unexpected character in JSON");
        return NULL;
    }
    if (have < len) {
        ps->pos = ps->n;
        truncated(ps);
        return NULL;
    }
    ks_json *j = new_node(ps, type);
    if (!j) return NULL;
    j->str = ps->p + ps->pos;
    j->len = (uint32_t)len;
    ps->pos += len;
    return j;
}

static ks_json *value(parser *ps, int depth);

/* An array or an object; the opening bracket is at pos. */
static ks_json *container(parser *ps, int depth, int object)
{
    if (depth >= ps->max_depth) {
        fail(ps, KS_ERR_LIMIT, "JSON nested too deeply");
        return NULL;
    }
    ks_json *j = new_node(ps, object ? KS_JSON_OBJECT : KS_JSON_ARRAY);
    if (!j) return NULL;
    int build = ps->o->alloc != NULL;
    char close = object ? '}' : ']';
    ps->pos++;
    ks_json *tail = NULL;
    uint32_t count = 0;
    skip_ws(ps);
    if (ps->pos < ps->n && ps->p[ps->pos] == close) {
        ps->pos++;
        return j;
    }
    for (;;) {
        skip_ws(ps);
        if (ps->pos >= ps->n) {
            truncated(ps);
            return NULL;
        }
        const char *key = NULL;
        uint32_t key_len = 0;
        if (object) {
            if (ps->p[ps->pos] != '"') {
                fail(ps, KS_ERR_FORMAT, "expected a member name in a JSON object");
                return NULL;
            }
            if (!string(ps, &key, &key_len)) return NULL;
            skip_ws(ps);
            if (ps->pos >= ps->n) {
                truncated(ps);
                return NULL;
            }
            if (ps->p[ps->pos] != ':') {
                fail(ps, KS_ERR_FORMAT, "expected ':' in a JSON object");
                return NULL;
            }
            ps->pos++;
        }
        ks_json *v = value(ps, depth + 1);
        if (!v) return NULL;
        if (build) {
            v->key = key;
            v->key_len = key_len;
            if (tail)
                tail->next = v;
            else
                j->child = v;
            tail = v;
        }
        if (count < UINT32_MAX) count++;
        skip_ws(ps);
        if (ps->pos >= ps->n) {
            truncated(ps);
            return NULL;
        }
        char c = ps->p[ps->pos];
        if (c == ',') {
            ps->pos++;
            continue;
        }
        if (c == close) {
            ps->pos++;
            break;
        }
        fail(ps, KS_ERR_FORMAT,
             object ? "expected ',' or '}' in a JSON object"
                    : "expected ',' or ']' in a JSON array");
        return NULL;
    }
    if (build) j->count = count;
    return j;
}

static ks_json *value(parser *ps, int depth)
{
    skip_ws(ps);
    if (ps->pos >= ps->n) {
        truncated(ps);
        return NULL;
    }
    switch (ps->p[ps->pos]) {
    case '{': return container(ps, depth, 1);
    case '[': return container(ps, depth, 0);
    case '"': {
        const char *s;
        uint32_t len;
        if (!string(ps, &s, &len)) return NULL;
        ks_json *j = new_node(ps, KS_JSON_STRING);
        if (!j) return NULL;
        j->str = s;
        j->len = len;
        return j;
    }
    case 't': return literal(ps, "true", KS_JSON_TRUE);
    case 'f': return literal(ps, "false", KS_JSON_FALSE);
    case 'n': return literal(ps, "null", KS_JSON_NULL);
    default:
        if (ps->p[ps->pos] == '-' || (ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9'))
            return number(ps);
        fail(ps, KS_ERR_FORMAT, "unexpected character in JSON");
        return NULL;
    }
}

ks_status ks_json_parse(const char *p, size_t n, const ks_json_opts *o, const ks_json **out,
                        size_t *used, ks_diag *diag)
{
    static const ks_json_opts none;
    if (out) *out = NULL;
    if (used) *used = 0;
    if (!p && n) return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no JSON text");
    parser ps = {.p = p, .n = n, .o = o ? o : &none, .diag = diag};
    ps.max_depth = ps.o->max_depth > 0 ? ps.o->max_depth : DEFAULT_DEPTH;
    if (ps.max_depth > MAX_DEPTH) ps.max_depth = MAX_DEPTH;
    ps.max_nodes = ps.o->max_nodes ? ps.o->max_nodes : DEFAULT_NODES;
    ks_json *j = value(&ps, 0);
    if (!j) return ps.st;
    skip_ws(&ps);
    if (!ps.o->allow_trailing && ps.pos < n) {
        fail(&ps, KS_ERR_FORMAT, "text after the JSON value");
        return ps.st;
    }
    if (used) *used = ps.pos;
    if (out && ps.o->alloc) *out = j;
    return KS_OK;
}

const ks_json *ks_json_getn(const ks_json *obj, const char *key, size_t n)
{
    if (!obj || obj->type != KS_JSON_OBJECT) return NULL;
    for (const ks_json *m = obj->child; m; m = m->next)
        if (m->key_len == n && (n == 0 || memcmp(m->key, key, n) == 0)) return m;
    return NULL;
}

const ks_json *ks_json_get(const ks_json *obj, const char *key)
{
    return ks_json_getn(obj, key, strlen(key));
}

const ks_json *ks_json_path(const ks_json *obj, const char *path)
{
    const char *s = path;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        obj = ks_json_getn(obj, s, len);
        if (!obj || !dot) return obj;
        s = dot + 1;
    }
}

bool ks_json_u64(const ks_json *j, uint64_t *out)
{
    if (!ks_json_is_text(j)) return false;
    const char *p = j->str;
    size_t n = j->len, i = 0;
    while (i < n && p[i] == ' ') i++;
    while (n > i && p[n - 1] == ' ') n--;
    if (i >= n) return false;
    int base = 10;
    if (n - i > 2 && p[i] == '0' && (p[i + 1] | 0x20) == 'x') {
        base = 16;
        i += 2;
    }
    uint64_t r = 0;
    for (; i < n; i++) {
        unsigned c = (unsigned char)p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return false;
        if (r > (UINT64_MAX - d) / (unsigned)base) return false;
        r = r * (unsigned)base + d;
    }
    *out = r;
    return true;
}

const char *ks_json_type_name(ks_json_type t)
{
    static const char *const names[] = {"null",   "false", "true",  "number",
                                        "string", "array", "object"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}
