/* The Sigma rule loader: YAML files and folders -> compiled rules (selections of
 * field patterns with their modifiers applied once, a condition tree, the log
 * targets of the logsource), and a report naming every rule not loaded and why. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "detect/sigma_internal.h"
#include "kensa/buf.h"

#define SG_MAX_COND_NODES 4096
#define SG_MAX_COND_DEPTH 64
#define SG_MAX_VARIANTS 64
#define SG_MAX_WALK_DEPTH 32
#define SG_MAX_FILE (8u << 20)

/* --- allocation ----------------------------------------------------------------- */

typedef struct rblock {
    struct rblock *next;
    size_t used, cap;
    max_align_t data[];
} rblock;

static void *ralloc(sg_rule *r, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!n) n = sizeof(max_align_t);
    rblock *b = r->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 8192 ? n : 8192;
        rblock *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        r->arena = b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static char *rstrdup(sg_rule *r, const char *s, size_t n)
{
    char *p = ralloc(r, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void sg_rule_free(sg_rule *rule)
{
    if (!rule) return;
    for (uint32_t i = 0; rule->sels && i < rule->nsels; i++)
        for (uint32_t a = 0; rule->sels[i].alts && a < rule->sels[i].nalts; a++)
            for (uint32_t k = 0; rule->sels[i].alts[a].items && k < rule->sels[i].alts[a].nitems;
                 k++) {
                sg_item *it = &rule->sels[i].alts[a].items[k];
                for (uint32_t p = 0; it->pats && p < it->npats; p++)
                    if (it->pats[p].re) pcre2_code_free(it->pats[p].re);
            }
    free(rule->targets);
    free(rule->gate);
    free(rule->feeds);
    rblock *b = rule->arena;
    while (b) {
        rblock *next = b->next;
        free(b);
        b = next;
    }
    free(rule);
}

/* --- field names ---------------------------------------------------------------- */

uint32_t sg_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const struct {
    const char *name;
    uint8_t sys;
} SYSTEM_FIELDS[] = {
    {"EventID", SG_SYS_EVENTID},
    {"Channel", SG_SYS_CHANNEL},
    {"Provider_Name", SG_SYS_PROVIDER},
    {"Provider", SG_SYS_PROVIDER},
    {"Computer", SG_SYS_COMPUTER},
    {"Level", SG_SYS_LEVEL},
    {"Task", SG_SYS_TASK},
    {"Opcode", SG_SYS_OPCODE},
    {"Keywords", SG_SYS_KEYWORDS},
    {"EventRecordID", SG_SYS_RECORDID},
    {"Version", SG_SYS_VERSION},
    {"Provider_Guid", SG_SYS_PROVIDER_GUID},
    {"UserID", SG_SYS_USERID},
    {"Security_UserID", SG_SYS_USERID},
    {"ProcessID", SG_SYS_PID},
    {"ThreadID", SG_SYS_TID},
};

uint32_t sg_field_lookup(const ks_sigma_rules *r, const char *name, size_t n)
{
    if (!r->fhcap) return UINT32_MAX;
    uint32_t h = sg_hash(name, n);
    for (uint32_t i = h & (r->fhcap - 1), k = 0; k < r->fhcap; i = (i + 1) & (r->fhcap - 1), k++) {
        uint32_t v = r->fhash[i];
        if (!v) return UINT32_MAX;
        const sg_fname *f = &r->fields[v - 1];
        if (f->hash == h && !strncmp(f->name, name, n) && !f->name[n]) return v - 1;
    }
    return UINT32_MAX;
}

static int fhash_grow(ks_sigma_rules *r)
{
    uint32_t cap = r->fhcap ? r->fhcap * 2 : 256;
    uint32_t *v = calloc(cap, sizeof *v);
    if (!v) return -1;
    for (uint32_t id = 0; id < r->nfields; id++) {
        uint32_t i = r->fields[id].hash & (cap - 1);
        while (v[i]) i = (i + 1) & (cap - 1);
        v[i] = id + 1;
    }
    free(r->fhash);
    r->fhash = v;
    r->fhcap = cap;
    return 0;
}

uint32_t sg_field_intern(ks_sigma_rules *r, const char *name)
{
    size_t n = strlen(name);
    uint32_t id = sg_field_lookup(r, name, n);
    if (id != UINT32_MAX) return id;
    if ((r->nfields + 1) * 2 > r->fhcap && fhash_grow(r) != 0) return UINT32_MAX;
    if (r->nfields == r->capfields) {
        uint32_t cap = r->capfields ? r->capfields * 2 : 64;
        sg_fname *v = realloc(r->fields, cap * sizeof *v);
        if (!v) return UINT32_MAX;
        r->fields = v;
        r->capfields = cap;
    }
    char *copy = strdup(name);
    if (!copy) return UINT32_MAX;
    sg_fname *f = &r->fields[r->nfields];
    *f = (sg_fname){copy, sg_hash(name, n), UINT32_MAX, SG_SYS_NONE};
    for (size_t i = 0; i < sizeof SYSTEM_FIELDS / sizeof SYSTEM_FIELDS[0]; i++)
        if (!strcmp(SYSTEM_FIELDS[i].name, name)) f->sys = SYSTEM_FIELDS[i].sys;
    id = r->nfields++;
    uint32_t i = f->hash & (r->fhcap - 1);
    while (r->fhash[i]) i = (i + 1) & (r->fhcap - 1);
    r->fhash[i] = id + 1;
    return id;
}

/* --- the rule set ----------------------------------------------------------------- */

ks_status ks_sigma_open(ks_sigma_rules **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? KS_OK : KS_ERR_NOMEM;
}

void ks_sigma_close(ks_sigma_rules **pr)
{
    ks_sigma_rules *r = pr ? *pr : NULL;
    if (!r) return;
    sg_index_free(r);
    for (size_t i = 0; i < r->nrules; i++) sg_rule_free(r->rules[i]);
    free(r->rules);
    for (uint32_t i = 0; i < r->nfields; i++) free(r->fields[i].name);
    free(r->fields);
    free(r->fhash);
    for (size_t i = 0; i < r->report.failed; i++) {
        free((char *)r->failures[i].file);
        free((char *)r->failures[i].reason);
    }
    free(r->failures);
    free(r);
    *pr = NULL;
}

const ks_sigma_report *ks_sigma_get_report(const ks_sigma_rules *r)
{
    return &r->report;
}

size_t ks_sigma_count(const ks_sigma_rules *r)
{
    return r->nrules;
}

const ks_sigma_rule_info *ks_sigma_rule_at(const ks_sigma_rules *r, size_t i)
{
    return i < r->nrules ? &r->rules[i]->info : NULL;
}

long ks_sigma_find(const ks_sigma_rules *r, const char *id)
{
    for (size_t i = 0; i < r->nrules; i++)
        if (!strcmp(r->rules[i]->info.id, id)) return (long)i;
    return -1;
}

static void add_failure(ks_sigma_rules *r, const char *file, const char *fmt, ...)
{
    if (r->report.failed == r->capfailures) {
        size_t cap = r->capfailures ? r->capfailures * 2 : 16;
        ks_sigma_failure *v = realloc(r->failures, cap * sizeof *v);
        if (!v) return;
        r->failures = v;
        r->capfailures = cap;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *f = strdup(file ? file : ""), *m = strdup(msg);
    if (!f || !m) {
        free(f);
        free(m);
        return;
    }
    r->failures[r->report.failed++] = (ks_sigma_failure){f, m};
    r->report.failures = r->failures;
}

/* --- compiling one rule ------------------------------------------------------------ */

typedef struct comp {
    ks_sigma_rules *set;
    sg_rule *rule;
    char why[300];
} comp;

static int fail(comp *c, const char *fmt, ...)
{
    if (!c->why[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const char *scalar_or(comp *c, const sg_ynode *map, const char *key, const char *dflt)
{
    const sg_ynode *n = sg_ymap_get(map, key);
    if (!n || n->kind != SG_Y_SCALAR) return dflt;
    return rstrdup(c->rule, n->s, n->n);
}

/* A scalar or a list of scalars, joined with ", ". */
static const char *list_or(comp *c, const sg_ynode *map, const char *key)
{
    const sg_ynode *n = sg_ymap_get(map, key);
    if (!n) return "";
    if (n->kind == SG_Y_SCALAR) return rstrdup(c->rule, n->s, n->n);
    ks_buf b = {0};
    for (size_t i = 0; n->kind == SG_Y_SEQ && i < n->nkids; i++) {
        if (n->kids[i]->kind != SG_Y_SCALAR) continue;
        if (b.len) ks_buf_puts(&b, ", ");
        ks_buf_append(&b, n->kids[i]->s, n->kids[i]->n);
    }
    const char *out = b.failed ? "" : rstrdup(c->rule, b.data ? b.data : "", b.len);
    ks_buf_free(&b);
    return out ? out : "";
}

/* A value's bytes, with Sigma's wildcards as SG_WILD_* bytes. */
typedef struct sval {
    char *p;
    size_t n;
} sval;

static void sval_free(sval *v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i].p);
}

static int sval_set(sval *v, const char *p, size_t n)
{
    v->p = malloc(n + 1);
    if (!v->p) return -1;
    memcpy(v->p, p, n);
    v->p[n] = 0;
    v->n = n;
    return 0;
}

/* Sigma's escapes: \* \? \\ are literal; any other backslash is itself. */
static int sval_parse(sval *v, const char *s, size_t n, bool wildcards)
{
    v->p = malloc(n + 1);
    if (!v->p) return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (wildcards && ch == '\\' && i + 1 < n &&
            (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
            v->p[o++] = s[++i];
        } else if (wildcards && ch == '*')
            v->p[o++] = (char)SG_WILD_ANY;
        else if (wildcards && ch == '?')
            v->p[o++] = (char)SG_WILD_ONE;
        else
            v->p[o++] = ch;
    }
    v->p[o] = 0;
    v->n = o;
    return 0;
}

/* The value with wildcards written back as text (for encodings). */
static void sval_plain(ks_buf *b, const sval *v)
{
    for (size_t i = 0; i < v->n; i++) {
        unsigned char ch = (unsigned char)v->p[i];
        ks_buf_putc(b, ch == SG_WILD_ANY ? '*' : ch == SG_WILD_ONE ? '?' : (char)ch);
    }
}

static size_t utf8_next(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + (size_t)len > n) len = 1;
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (int k = 1; k < len; k++) v = (v << 6) | (s[i + k] & 0x3f);
    *cp = v;
    return i + (size_t)len;
}

static void put_u16(ks_buf *b, uint32_t u, bool be)
{
    ks_buf_putc(b, (char)(be ? u >> 8 : u & 0xff));
    ks_buf_putc(b, (char)(be ? u & 0xff : u >> 8));
}

static int to_utf16(sval *v, bool be, bool bom)
{
    ks_buf b = {0};
    ks_buf tmp = {0};
    sval_plain(&tmp, v);
    if (bom) put_u16(&b, 0xfeff, be);
    const unsigned char *s = (const unsigned char *)(tmp.data ? tmp.data : "");
    for (size_t i = 0; i < tmp.len;) {
        uint32_t cp;
        i = utf8_next(s, tmp.len, i, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_u16(&b, 0xd800 + (cp >> 10), be);
            put_u16(&b, 0xdc00 + (cp & 0x3ff), be);
        } else
            put_u16(&b, cp, be);
    }
    ks_buf_free(&tmp);
    if (b.failed) {
        ks_buf_free(&b);
        return -1;
    }
    free(v->p);
    v->p = b.data ? b.data : strdup("");
    v->n = b.len;
    return v->p ? 0 : -1;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64(ks_buf *out, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n) v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        ks_buf_putc(out, B64[v >> 18 & 63]);
        ks_buf_putc(out, B64[v >> 12 & 63]);
        ks_buf_putc(out, i + 1 < n ? B64[v >> 6 & 63] : '=');
        ks_buf_putc(out, i + 2 < n ? B64[v & 63] : '=');
    }
}

/* base64offset: the three encodings of the value at offsets 0, 1, 2 in a stream,
 * without the characters that depend on the neighbouring bytes. */
static int base64_variants(sval *in, size_t nin, sval *out, size_t *nout, bool offsets)
{
    size_t o = 0;
    for (size_t i = 0; i < nin; i++) {
        ks_buf plain = {0};
        for (size_t k = 0; k < in[i].n; k++) {
            unsigned char ch = (unsigned char)in[i].p[k];
            ks_buf_putc(&plain, ch == SG_WILD_ANY ? '*' : ch == SG_WILD_ONE ? '?' : (char)ch);
        }
        for (int shift = 0; shift < (offsets ? 3 : 1); shift++) {
            ks_buf src = {0}, enc = {0};
            for (int k = 0; k < shift; k++) ks_buf_putc(&src, ' ');
            ks_buf_append(&src, plain.data ? plain.data : "", plain.len);
            b64(&enc, (const unsigned char *)(src.data ? src.data : ""), src.len);
            size_t start = 0, end = enc.len;
            if (offsets) {
                static const size_t starts[3] = {0, 2, 3};
                static const size_t ends[3] = {0, 3, 2};
                start = starts[shift];
                size_t cut = ends[(in[i].n + (size_t)shift) % 3];
                end = enc.len >= cut ? enc.len - cut : 0;
            }
            int rc = -1;
            if (!src.failed && !enc.failed && o < SG_MAX_VARIANTS && start <= end)
                rc = sval_set(&out[o], enc.data ? enc.data + start : "", end - start);
            if (rc == 0) o++;
            ks_buf_free(&src);
            ks_buf_free(&enc);
        }
        ks_buf_free(&plain);
    }
    *nout = o;
    return 0;
}

static bool isalnum_ascii(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z');
}

/* windash: a dash or slash starting an option ("\B[-/]\b") in each of the forms
 * Windows programs accept. */
static int windash_variants(sval *in, size_t nin, sval *out, size_t *nout)
{
    static const char *const dashes[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"};
    size_t o = 0;
    for (size_t i = 0; i < nin; i++) {
        for (size_t d = 0; d < 5 && o < SG_MAX_VARIANTS; d++) {
            ks_buf b = {0};
            const unsigned char *s = (const unsigned char *)in[i].p;
            for (size_t k = 0; k < in[i].n; k++) {
                bool prev_word = k > 0 && (isalnum_ascii(s[k - 1]) || s[k - 1] == '_');
                bool next_word = k + 1 < in[i].n && (isalnum_ascii(s[k + 1]) || s[k + 1] == '_');
                if ((s[k] == '-' || s[k] == '/') && !prev_word && next_word)
                    ks_buf_puts(&b, dashes[d]);
                else
                    ks_buf_putc(&b, (char)s[k]);
            }
            if (!b.failed && sval_set(&out[o], b.data ? b.data : "", b.len) == 0) o++;
            ks_buf_free(&b);
        }
    }
    *nout = o;
    return 0;
}

enum {
    M_CONTAINS = 1 << 0,
    M_STARTS = 1 << 1,
    M_ENDS = 1 << 2,
    M_ALL = 1 << 3,
    M_RE = 1 << 4,
    M_CIDR = 1 << 5,
    M_EXISTS = 1 << 6,
    M_FIELDREF = 1 << 7,
    M_CASED = 1 << 8,
    M_EXPAND = 1 << 9,
    M_LT = 1 << 10,
    M_LTE = 1 << 11,
    M_GT = 1 << 12,
    M_GTE = 1 << 13,
    M_RE_I = 1 << 14,
    M_RE_M = 1 << 15,
    M_RE_S = 1 << 16,
};

/* Transformations, in the order written. */
enum { T_WIDE = 1, T_UTF16BE, T_UTF16, T_BASE64, T_BASE64OFFSET, T_WINDASH };

typedef struct mods {
    uint32_t flags;
    uint8_t transforms[8];
    int ntransforms;
} mods;

static int parse_mods(comp *c, const char *spec, mods *m)
{
    memset(m, 0, sizeof *m);
    const char *p = spec;
    while (*p) {
        const char *e = strchr(p, '|');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char w[32];
        if (n == 0 || n >= sizeof w) return fail(c, "bad modifier in \"%s\"", spec);
        memcpy(w, p, n);
        w[n] = 0;
        static const struct {
            const char *name;
            uint32_t flag;
            uint8_t transform;
        } T[] = {
            {"contains", M_CONTAINS, 0},
            {"startswith", M_STARTS, 0},
            {"endswith", M_ENDS, 0},
            {"all", M_ALL, 0},
            {"re", M_RE, 0},
            {"i", M_RE_I, 0},
            {"m", M_RE_M, 0},
            {"s", M_RE_S, 0},
            {"cidr", M_CIDR, 0},
            {"exists", M_EXISTS, 0},
            {"fieldref", M_FIELDREF, 0},
            {"cased", M_CASED, 0},
            {"expand", M_EXPAND, 0},
            {"lt", M_LT, 0},
            {"lte", M_LTE, 0},
            {"gt", M_GT, 0},
            {"gte", M_GTE, 0},
            {"wide", 0, T_WIDE},
            {"utf16le", 0, T_WIDE},
            {"utf16be", 0, T_UTF16BE},
            {"utf16", 0, T_UTF16},
            {"base64", 0, T_BASE64},
            {"base64offset", 0, T_BASE64OFFSET},
            {"windash", 0, T_WINDASH},
        };
        size_t k = 0;
        while (k < sizeof T / sizeof T[0] && strcmp(T[k].name, w)) k++;
        if (k == sizeof T / sizeof T[0]) return fail(c, "unknown modifier \"%s\"", w);
        m->flags |= T[k].flag;
        if (T[k].transform) {
            if (m->ntransforms == 8) return fail(c, "too many modifiers in \"%s\"", spec);
            m->transforms[m->ntransforms++] = T[k].transform;
        }
        p += n + (e ? 1 : 0);
    }
    if ((m->flags & (M_RE_I | M_RE_M | M_RE_S)) && !(m->flags & M_RE))
        return fail(c, "modifier i, m or s without re in \"%s\"", spec);
    return 0;
}

static void lower_ascii(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
}

static int parse_cidr(sg_pat *p, const char *s)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof addr) return -1;
    memcpy(addr, s, n);
    addr[n] = 0;
    long bits;
    if (inet_pton(AF_INET, addr, p->addr) == 1)
        p->family = 4, bits = 32;
    else if (inet_pton(AF_INET6, addr, p->addr) == 1)
        p->family = 6, bits = 128;
    else
        return -1;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || b < 0 || b > bits) return -1;
        bits = b;
    }
    p->prefix = (uint8_t)bits;
    return 0;
}

/* One pattern from one string variant. */
static int make_pat(comp *c, sg_pat *p, const sval *v, uint32_t flags)
{
    p->cased = (flags & M_CASED) != 0;
    bool wild = memchr(v->p, SG_WILD_ANY, v->n) || memchr(v->p, SG_WILD_ONE, v->n);
    uint8_t op = flags & M_CONTAINS ? SG_OP_CONTAINS
                 : flags & M_STARTS ? SG_OP_STARTS
                 : flags & M_ENDS   ? SG_OP_ENDS
                                    : SG_OP_EQ;
    ks_buf b = {0};
    if (wild) {
        if (op == SG_OP_CONTAINS || op == SG_OP_ENDS) ks_buf_putc(&b, (char)SG_WILD_ANY);
        ks_buf_append(&b, v->p, v->n);
        if (op == SG_OP_CONTAINS || op == SG_OP_STARTS) ks_buf_putc(&b, (char)SG_WILD_ANY);
        op = SG_OP_GLOB;
    } else
        ks_buf_append(&b, v->p, v->n);
    if (b.failed) {
        ks_buf_free(&b);
        return fail(c, "out of memory");
    }
    p->op = op;
    p->n = (uint32_t)b.len;
    p->s = rstrdup(c->rule, b.data ? b.data : "", b.len);
    ks_buf_free(&b);
    if (!p->s) return fail(c, "out of memory");
    if (!p->cased) lower_ascii(p->s, p->n);
    return 0;
}

/* The patterns of one value (several for base64offset, windash). */
/* --- a literal every match of a regular expression contains ----------------------- */

/* Skip a group or class starting at re[i] ('(' or '['); the index after it, or
 * SIZE_MAX when it cannot be followed (then no literal is taken). */
static size_t re_skip(const char *re, size_t n, size_t i)
{
    int depth = 0;
    bool cls = false;
    for (; i < n; i++) {
        char ch = re[i];
        if (ch == '\\') {
            if (i + 1 < n && (re[i + 1] == 'Q' || re[i + 1] == 'E')) return SIZE_MAX;
            i++;
        } else if (cls) {
            if (ch == '[' && i + 1 < n && re[i + 1] == ':') return SIZE_MAX; /* POSIX class */
            if (ch == ']') {
                cls = false;
                if (!depth) return i + 1;
            }
        } else if (ch == '[') {
            cls = true;
            if (i + 1 < n && re[i + 1] == '^') i++;
            if (i + 1 < n && re[i + 1] == ']') i++; /* a leading ] is literal */
        } else if (ch == '(')
            depth++;
        else if (ch == ')' && --depth == 0)
            return i + 1;
    }
    return SIZE_MAX;
}

/* A quantifier at re[i]: 0 none, else its length; *zero when it allows no repeat. */
static size_t re_quant(const char *re, size_t n, size_t i, bool *zero)
{
    size_t k = i;
    *zero = false;
    if (i >= n) return 0;
    if (re[i] == '*' || re[i] == '?')
        *zero = true, k++;
    else if (re[i] == '+')
        k++;
    else if (re[i] == '{') {
        size_t j = i + 1, lo = j;
        while (j < n && re[j] >= '0' && re[j] <= '9') j++;
        if (j == lo) return SIZE_MAX; /* {,m} or a literal brace: not sure */
        *zero = strspn(re + lo, "0") == j - lo;
        if (j < n && re[j] == ',') {
            j++;
            while (j < n && re[j] >= '0' && re[j] <= '9') j++;
        }
        if (j >= n || re[j] != '}') return SIZE_MAX;
        k = j + 1;
    } else
        return 0;
    if (k < n && (re[k] == '?' || re[k] == '+')) k++; /* lazy, possessive */
    return k - i;
}

/* The longest run of plain characters every match of re must contain, lowercased into
 * out (cap bytes); its length, or 0 when none is sure (top-level |, \Q, extended
 * mode, ...). Caseless: k and s end runs (PCRE2 folds U+212A and U+017F to them).
 * count[b]: how many times every match holds byte b (ASCII, no letter; all 0 when
 * nothing is sure). */
static size_t re_literal(const char *re, size_t n, bool caseless, char *out, size_t cap,
                         uint16_t count[128])
{
    char run[256];
    size_t rn = 0, best = 0;
    memset(count, 0, 128 * sizeof *count);
    for (size_t i = 0; i + 2 < n; i++) /* inline flags: (?i) (?x) (?i:...) */
        if (re[i] == '(' && re[i + 1] == '?')
            for (size_t j = i + 2; j < n && re[j] != ')' && re[j] != ':'; j++) {
                if (re[j] == 'x' || re[j] == 'n' || re[j] == 'J') goto unsure;
                if (re[j] == 'i') caseless = true;
            }
    for (size_t i = 0; i < n;) {
        char ch = re[i];
        size_t atom = 1;
        int lit = -1; /* the literal character of this atom, if it is one */
        if (ch == '|') goto unsure;
        if (ch == '(' || ch == '[') {
            size_t j = re_skip(re, n, i);
            if (j == SIZE_MAX) goto unsure;
            atom = j - i;
        } else if (ch == '\\') {
            if (i + 1 >= n) goto unsure;
            char e = re[i + 1];
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                if (e == 'Q' || e == 'E' || strchr("pPxoNgkcu", e)) goto unsure;
                atom = 2;
            } else {
                lit = (unsigned char)e;
                atom = 2;
            }
        } else if (ch == ')' || ch == ']' || ch == '{' || ch == '*' || ch == '+' || ch == '?')
            goto unsure; /* stray: not sure what it means here */
        else if (ch != '.' && ch != '^' && ch != '$' && !((unsigned char)ch & 0x80) && ch != '#')
            lit = (unsigned char)ch;
        bool zero;
        size_t q = re_quant(re, n, i + atom, &zero);
        if (q == SIZE_MAX) goto unsure;
        /* a byte that is no letter, at least once in every match */
        if (lit > 0 && lit < 128 && !zero && !((lit | 32) >= 'a' && (lit | 32) <= 'z') &&
            count[lit] < UINT16_MAX)
            count[lit]++;
        if (lit >= 'A' && lit <= 'Z') lit += 32;
        if (caseless && (lit == 'k' || lit == 's')) lit = -1;
        if (lit < 0 || zero) {
            rn = 0; /* the run ends before this atom */
        } else {
            if (rn < sizeof run) run[rn++] = (char)lit;
            if (rn > best && rn <= cap) {
                best = rn;
                memcpy(out, run, rn);
            }
            if (q) rn = 0; /* repeated: what follows is not next to it */
        }
        i += atom + q;
    }
    return best;
unsure: /* nothing is sure */
    memset(count, 0, 128 * sizeof *count);
    return 0;
}

/* Whether re is c.*c.* ... .*c (k >= 2 times the same punctuation byte c, escaped or
 * not): without DOTALL, over text of printable ASCII and tabs (no newline, valid
 * UTF-8) it matches exactly when the text holds c k times. */
static bool re_countonly(const char *re, size_t n, uint8_t *c, uint32_t *k)
{
    *k = 0;
    for (size_t i = 0; i < n;) {
        if (*k && (i + 2 > n || re[i] != '.' || re[i + 1] != '*')) return false;
        if (*k) i += 2;
        int ch = -1;
        if (i + 1 < n && re[i] == '\\' && strchr("+{}^`$.*?|()[]", re[i + 1]) && re[i + 1]) {
            ch = (unsigned char)re[i + 1];
            i += 2;
        } else if (i < n && re[i] && strchr("`~!@%&-=_;:'\",<>/", re[i])) {
            ch = (unsigned char)re[i];
            i += 1;
        }
        if (ch < 0 || (*k && ch != *c)) return false;
        *c = (uint8_t)ch;
        (*k)++;
    }
    return *k >= 2 && *k <= 255;
}

static int compile_value(comp *c, const sg_ynode *val, const mods *m, sg_pat **pats, uint32_t *n,
                         uint32_t *cap)
{
    uint32_t f = m->flags;
    sval vars[SG_MAX_VARIANTS], next[SG_MAX_VARIANTS];
    size_t nv = 0;
    if (val->kind != SG_Y_SCALAR) return fail(c, "a value is a list or map where text belongs");
    if (*n + SG_MAX_VARIANTS > *cap) { /* a heap array while compiling (compile_item) */
        uint32_t ncap = (*cap + SG_MAX_VARIANTS) * 2;
        sg_pat *v = realloc(*pats, ncap * sizeof *v);
        if (!v) return fail(c, "out of memory");
        *pats = v;
        *cap = ncap;
    }
    sg_pat *p = &(*pats)[*n];
    memset(p, 0, sizeof *p);
    if (f & M_EXISTS) {
        if (strcmp(val->s, "true") && strcmp(val->s, "false"))
            return fail(c, "exists takes true or false, not \"%s\"", val->s);
        p->op = SG_OP_EXISTS;
        p->exists = !strcmp(val->s, "true");
        (*n)++;
        return 0;
    }
    if (sg_yscalar_is_null(val) && !(f & ~(M_ALL | M_CASED))) {
        p->op = SG_OP_NULL;
        (*n)++;
        return 0;
    }
    if (f & M_RE) {
        uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
        if (f & M_RE_I) opts |= PCRE2_CASELESS;
        if (f & M_RE_M) opts |= PCRE2_MULTILINE;
        if (f & M_RE_S) opts |= PCRE2_DOTALL;
        int err;
        PCRE2_SIZE off;
        p->re = pcre2_compile((PCRE2_SPTR)val->s, val->n, opts, &err, &off, NULL);
        if (!p->re) {
            PCRE2_UCHAR msg[120];
            pcre2_get_error_message(err, msg, sizeof msg);
            return fail(c, "regular expression \"%.60s\": %s at %zu", val->s, (char *)msg,
                        (size_t)off);
        }
        pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE);
        p->op = SG_OP_RE;
        p->cased = true;
        /* p->s: a literal every match contains, for the automata (sigma_ac.c) */
        char lit[256];
        uint16_t count[128];
        size_t ln = re_literal(val->s, val->n, f & M_RE_I, lit, sizeof lit, count);
        /* the bytes needed most often, counted before PCRE2 runs (sigma_match.c) */
        for (int k = 0; k < SG_RE_COUNTS; k++) {
            int best = 0;
            for (int b = 1; b < 128; b++)
                if (count[b] > count[best]) best = b;
            if (!count[best]) break;
            p->cbyte[k] = (uint8_t)best;
            p->cmin[k] = (uint8_t)(count[best] < 255 ? count[best] : 255);
            count[best] = 0;
        }
        if (ln >= 3 && !(p->s = rstrdup(c->rule, lit, ln))) return fail(c, "out of memory");
        p->n = p->s ? (uint32_t)ln : 0;
        uint8_t cb;
        uint32_t k;
        if (!(f & M_RE_S) && re_countonly(val->s, val->n, &cb, &k) && p->cbyte[0] == cb &&
            p->cmin[0] == k)
            p->countonly = true;
        (*n)++;
        return 0;
    }
    if (f & M_CIDR) {
        if (parse_cidr(p, val->s) != 0) return fail(c, "bad cidr \"%.60s\"", val->s);
        p->op = SG_OP_CIDR;
        (*n)++;
        return 0;
    }
    if (f & (M_LT | M_LTE | M_GT | M_GTE)) {
        char *end;
        errno = 0;
        double d = strtod(val->s, &end);
        if (end == val->s || *end || errno || !isfinite(d))
            return fail(c, "lt/lte/gt/gte need a number, not \"%.60s\"", val->s);
        p->num = d;
        p->op = f & M_LT ? SG_OP_LT : f & M_LTE ? SG_OP_LTE : f & M_GT ? SG_OP_GT : SG_OP_GTE;
        (*n)++;
        return 0;
    }
    if (f & M_FIELDREF) {
        p->op = SG_OP_FIELDREF;
        p->refop = f & M_CONTAINS ? SG_OP_CONTAINS
                   : f & M_STARTS ? SG_OP_STARTS
                   : f & M_ENDS   ? SG_OP_ENDS
                                  : SG_OP_EQ;
        p->cased = (f & M_CASED) != 0;
        p->ref = sg_field_intern(c->set, val->s);
        if (p->ref == UINT32_MAX) return fail(c, "out of memory");
        (*n)++;
        return 0;
    }
    if ((f & M_EXPAND) && strchr(val->s, '%')) {
        /* placeholders need a site file's values; with none, the value matches nothing */
        p->op = SG_OP_NEVER;
        (*n)++;
        return 0;
    }
    if (sval_parse(&vars[0], val->s, val->n, true) != 0) return fail(c, "out of memory");
    nv = 1;
    int rc = 0;
    for (int t = 0; t < m->ntransforms && rc == 0; t++) {
        size_t nn = 0;
        switch (m->transforms[t]) {
        case T_WIDE:
        case T_UTF16BE:
        case T_UTF16:
            for (size_t i = 0; i < nv && rc == 0; i++)
                rc = to_utf16(&vars[i], m->transforms[t] == T_UTF16BE, m->transforms[t] == T_UTF16);
            continue;
        case T_BASE64:
        case T_BASE64OFFSET:
            base64_variants(vars, nv, next, &nn, m->transforms[t] == T_BASE64OFFSET);
            break;
        case T_WINDASH: windash_variants(vars, nv, next, &nn); break;
        }
        sval_free(vars, nv);
        memcpy(vars, next, nn * sizeof *vars);
        nv = nn;
    }
    if (rc != 0) {
        sval_free(vars, nv);
        return fail(c, "out of memory");
    }
    for (size_t i = 0; i < nv && rc == 0; i++) {
        memset(&(*pats)[*n], 0, sizeof(sg_pat));
        rc = make_pat(c, &(*pats)[*n], &vars[i], f);
        if (rc == 0) (*n)++;
    }
    sval_free(vars, nv);
    return rc;
}

static int compile_item(comp *c, const char *key, const sg_ynode *val, sg_item *it)
{
    const char *bar = strchr(key, '|');
    size_t flen = bar ? (size_t)(bar - key) : strlen(key);
    mods m;
    if (parse_mods(c, bar ? bar + 1 : "", &m) != 0) return -1;
    if (flen == 0)
        it->field = SG_KEYWORDS;
    else {
        char name[256];
        if (flen >= sizeof name) return fail(c, "field name too long");
        memcpy(name, key, flen);
        name[flen] = 0;
        it->field = sg_field_intern(c->set, name);
        if (it->field == UINT32_MAX) return fail(c, "out of memory");
    }
    it->all = (m.flags & M_ALL) != 0;
    uint32_t cap = 0;
    int rc = 0;
    sg_pat *heap = NULL;
    if (val->kind == SG_Y_SEQ) {
        if (val->nkids == 0) return fail(c, "field %.*s has an empty list", (int)flen, key);
        for (size_t i = 0; i < val->nkids && rc == 0; i++)
            rc = compile_value(c, val->kids[i], &m, &heap, &it->npats, &cap);
    } else
        rc = compile_value(c, val, &m, &heap, &it->npats, &cap);
    /* into the rule's arena (regular expressions are freed with the rule, so the
     * patterns compiled before a failure are kept too) */
    it->pats = it->npats ? ralloc(c->rule, it->npats * sizeof *it->pats) : NULL;
    if (it->pats)
        memcpy(it->pats, heap, it->npats * sizeof *it->pats);
    else if (it->npats) {
        for (uint32_t i = 0; i < it->npats; i++)
            if (heap[i].re) pcre2_code_free(heap[i].re);
        it->npats = 0;
        rc = fail(c, "out of memory");
    }
    free(heap);
    if (rc != 0) return -1;
    /* |all over variants of one value (windash, base64offset) would need every form:
     * keep all only where each value gave one pattern. */
    if (it->all && it->npats != (val->kind == SG_Y_SEQ ? val->nkids : 1))
        return fail(c, "|all with a modifier that gives several forms of a value");
    return 0;
}

static int compile_map(comp *c, const sg_ynode *map, sg_alt *alt)
{
    alt->nitems = (uint32_t)(map->nkids / 2);
    alt->items = ralloc(c->rule, (alt->nitems ? alt->nitems : 1) * sizeof *alt->items);
    if (!alt->items) return fail(c, "out of memory");
    for (uint32_t i = 0; i < alt->nitems; i++) {
        const sg_ynode *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
        if (k->kind != SG_Y_SCALAR) return fail(c, "a selection key is not text");
        if (compile_item(c, k->s, v, &alt->items[i]) != 0) return -1;
    }
    return 0;
}

static int compile_keywords(comp *c, const sg_ynode *list, sg_alt *alt)
{
    alt->nitems = 1;
    alt->items = ralloc(c->rule, sizeof *alt->items);
    if (!alt->items) return fail(c, "out of memory");
    return compile_item(c, "|contains", list, &alt->items[0]);
}

static int compile_selection(comp *c, const char *name, const sg_ynode *v, sg_sel *sel)
{
    sel->name = rstrdup(c->rule, name, strlen(name));
    if (!sel->name) return fail(c, "out of memory");
    if (v->kind == SG_Y_MAP) {
        sel->nalts = 1;
        sel->alts = ralloc(c->rule, sizeof *sel->alts);
        if (!sel->alts) return fail(c, "out of memory");
        return compile_map(c, v, &sel->alts[0]);
    }
    if (v->kind == SG_Y_SCALAR) {
        if (sg_yscalar_is_null(v)) return fail(c, "selection %s is empty", name);
        sel->nalts = 1;
        sel->alts = ralloc(c->rule, sizeof *sel->alts);
        if (!sel->alts) return fail(c, "out of memory");
        return compile_keywords(c, v, &sel->alts[0]);
    }
    /* a list: maps are alternatives; plain values are keywords (one alternative) */
    size_t nmaps = 0, nscalars = 0;
    for (size_t i = 0; i < v->nkids; i++) {
        if (v->kids[i]->kind == SG_Y_MAP)
            nmaps++;
        else if (v->kids[i]->kind == SG_Y_SCALAR)
            nscalars++;
        else
            return fail(c, "selection %s holds a nested list", name);
    }
    if (!nmaps && !nscalars) return fail(c, "selection %s is empty", name);
    sel->nalts = (uint32_t)(nmaps + (nscalars ? 1 : 0));
    sel->alts = ralloc(c->rule, sel->nalts * sizeof *sel->alts);
    if (!sel->alts) return fail(c, "out of memory");
    uint32_t a = 0;
    for (size_t i = 0; i < v->nkids; i++)
        if (v->kids[i]->kind == SG_Y_MAP && compile_map(c, v->kids[i], &sel->alts[a++]) != 0)
            return -1;
    if (nscalars) {
        /* keywords: the scalars only */
        sg_ynode tmp = *v;
        sg_ynode *kids[256];
        if (nscalars > 256) return fail(c, "too many keywords in %s", name);
        size_t k = 0;
        for (size_t i = 0; i < v->nkids; i++)
            if (v->kids[i]->kind == SG_Y_SCALAR) kids[k++] = v->kids[i];
        tmp.kids = kids;
        tmp.nkids = k;
        if (compile_keywords(c, &tmp, &sel->alts[a]) != 0) return -1;
    }
    return 0;
}

/* --- conditions ------------------------------------------------------------------ */

typedef struct cparse {
    comp *c;
    const char *s;
    size_t pos, len;
    char tok[128];
    size_t toklen;
    uint32_t *ofs;
    uint32_t nofs, capofs;
    uint32_t capcond; /* rule->cond is malloc'd while parsing, then moved to the arena */
} cparse;

static bool next_tok(cparse *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
    p->toklen = 0;
    if (p->pos >= p->len) return false;
    char ch = p->s[p->pos];
    if (ch == '(' || ch == ')' || ch == '|') {
        p->tok[0] = ch;
        p->toklen = 1;
        p->pos++;
    } else {
        while (p->pos < p->len && !strchr(" \t\r\n()|", p->s[p->pos])) {
            if (p->toklen + 1 < sizeof p->tok) p->tok[p->toklen++] = p->s[p->pos];
            p->pos++;
        }
    }
    p->tok[p->toklen] = 0;
    return true;
}

static size_t peek_save(const cparse *p)
{
    return p->pos;
}

static bool tok_is(const cparse *p, const char *w)
{
    return p->toklen && !strcasecmp(p->tok, w);
}

static int new_node(cparse *p, uint8_t op, uint32_t a, uint32_t b, uint32_t n, uint32_t *out)
{
    sg_rule *r = p->c->rule;
    if (r->ncond >= SG_MAX_COND_NODES) return fail(p->c, "condition too long");
    if (r->ncond == p->capcond) {
        uint32_t cap = p->capcond ? p->capcond * 2 : 16;
        sg_cnode *v = realloc(r->cond, cap * sizeof *v);
        if (!v) return fail(p->c, "out of memory");
        r->cond = v;
        p->capcond = cap;
    }
    r->cond[r->ncond] = (sg_cnode){op, a, b, n};
    *out = r->ncond++;
    return 0;
}

static bool glob_name(const char *pat, const char *s)
{
    const char *star = NULL, *ss = NULL;
    size_t guard = 0;
    while (*s && guard++ < 100000) {
        if (*pat == '*') {
            star = pat++;
            ss = s;
        } else if (*pat == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++ss;
        } else
            return false;
    }
    while (*pat == '*') pat++;
    return !*pat;
}

static int parse_or(cparse *p, int depth, uint32_t *out);

static int parse_primary(cparse *p, int depth, uint32_t *out)
{
    comp *c = p->c;
    sg_rule *r = c->rule;
    if (depth > SG_MAX_COND_DEPTH) return fail(c, "condition nested too deeply");
    if (!p->toklen) return fail(c, "condition ends too early");
    if (tok_is(p, "not")) {
        next_tok(p);
        uint32_t a;
        if (parse_primary(p, depth + 1, &a) != 0) return -1;
        return new_node(p, SG_C_NOT, a, 0, 0, out);
    }
    if (tok_is(p, "(")) {
        next_tok(p);
        if (parse_or(p, depth + 1, out) != 0) return -1;
        if (!tok_is(p, ")")) return fail(c, "condition: ( without )");
        next_tok(p);
        return 0;
    }
    if (tok_is(p, "|"))
        return fail(c, "aggregation in the condition (| count() ...) is not supported; use a "
                       "correlation rule");
    if (tok_is(p, "1") || tok_is(p, "all") || tok_is(p, "any")) {
        size_t save = peek_save(p);
        char q[8];
        memcpy(q, p->tok, p->toklen + 1); /* "1", "all" or "any" */
        next_tok(p);
        if (tok_is(p, "of")) {
            next_tok(p);
            if (!p->toklen || tok_is(p, "(") || tok_is(p, ")"))
                return fail(c, "condition: \"of\" without selections");
            uint32_t start = p->nofs, cnt = 0;
            bool them = tok_is(p, "them");
            for (uint32_t i = 0; i < r->nsels; i++) {
                const char *name = r->sels[i].name;
                if (them ? name[0] == '_' : !glob_name(p->tok, name)) continue;
                if (p->nofs == p->capofs) {
                    uint32_t cap = p->capofs ? p->capofs * 2 : 16;
                    uint32_t *v = realloc(p->ofs, cap * sizeof *v);
                    if (!v) return fail(c, "out of memory");
                    p->ofs = v;
                    p->capofs = cap;
                }
                p->ofs[p->nofs++] = i;
                cnt++;
            }
            if (!cnt) return fail(c, "condition: no selection matches \"%s\"", p->tok);
            next_tok(p);
            return new_node(p, strcasecmp(q, "all") ? SG_C_ONE_OF : SG_C_ALL_OF, start, 0, cnt,
                            out);
        }
        /* a selection named 1, all or any */
        p->pos = save;
        snprintf(p->tok, sizeof p->tok, "%s", q);
        p->toklen = strlen(q);
    }
    if (tok_is(p, ")") || tok_is(p, "and") || tok_is(p, "or"))
        return fail(c, "condition: unexpected \"%s\"", p->tok);
    for (uint32_t i = 0; i < r->nsels; i++)
        if (!strcmp(r->sels[i].name, p->tok)) {
            next_tok(p);
            return new_node(p, SG_C_SEL, i, 0, 0, out);
        }
    return fail(c, "condition names \"%s\", which is not a selection", p->tok);
}

static int parse_and(cparse *p, int depth, uint32_t *out)
{
    if (parse_primary(p, depth, out) != 0) return -1;
    while (tok_is(p, "and")) {
        next_tok(p);
        uint32_t b;
        if (parse_primary(p, depth + 1, &b) != 0) return -1;
        if (new_node(p, SG_C_AND, *out, b, 0, out) != 0) return -1;
    }
    return 0;
}

static int parse_or(cparse *p, int depth, uint32_t *out)
{
    if (depth > SG_MAX_COND_DEPTH) return fail(p->c, "condition nested too deeply");
    if (parse_and(p, depth + 1, out) != 0) return -1;
    while (tok_is(p, "or")) {
        next_tok(p);
        uint32_t b;
        if (parse_and(p, depth + 1, &b) != 0) return -1;
        if (new_node(p, SG_C_OR, *out, b, 0, out) != 0) return -1;
    }
    return 0;
}

static int compile_condition(comp *c, const sg_ynode *cond)
{
    sg_rule *r = c->rule;
    cparse p = {c, NULL, 0, 0, {0}, 0, NULL, 0, 0, 0};
    size_t n = cond->kind == SG_Y_SEQ ? cond->nkids : 1;
    int rc = 0;
    bool have = false;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const sg_ynode *s = cond->kind == SG_Y_SEQ ? cond->kids[i] : cond;
        if (s->kind != SG_Y_SCALAR) {
            rc = fail(c, "condition is not text");
            break;
        }
        p.s = s->s;
        p.len = s->n;
        p.pos = 0;
        next_tok(&p);
        uint32_t root;
        if ((rc = parse_or(&p, 0, &root)) != 0) break;
        if (p.toklen) {
            rc = tok_is(&p, "|") ? fail(c, "aggregation in the condition (| count() ...) is not "
                                           "supported; use a correlation rule")
                                 : fail(c, "condition: unexpected \"%s\"", p.tok);
            break;
        }
        if (have)
            rc = new_node(&p, SG_C_OR, r->root, root, 0, &r->root);
        else
            r->root = root;
        have = true;
    }
    if (rc == 0 && !have) rc = fail(c, "condition is empty");
    if (rc == 0 && p.nofs) {
        r->oflist = ralloc(c->rule, p.nofs * sizeof *r->oflist);
        if (!r->oflist)
            rc = fail(c, "out of memory");
        else
            memcpy(r->oflist, p.ofs, p.nofs * sizeof *r->oflist);
        r->noflist = p.nofs;
    }
    free(p.ofs);
    sg_cnode *heap = r->cond;
    r->cond = r->ncond ? ralloc(c->rule, r->ncond * sizeof *r->cond) : NULL;
    if (r->cond) memcpy(r->cond, heap, r->ncond * sizeof *r->cond);
    free(heap);
    if (rc == 0 && !r->cond) rc = fail(c, "out of memory");
    return rc;
}

/* EventIDs every match must have (an AND'ed selection whose every alternative
 * names EventID with plain numbers), to offer the rule fewer events. */
static size_t required_eids(const ks_sigma_rules *set, const sg_rule *r, uint32_t node,
                            uint32_t *out, size_t cap, int depth)
{
    if (depth > SG_MAX_COND_DEPTH) return 0;
    const sg_cnode *c = &r->cond[node];
    if (c->op == SG_C_AND) {
        size_t n = required_eids(set, r, c->a, out, cap, depth + 1);
        return n ? n : required_eids(set, r, c->b, out, cap, depth + 1);
    }
    if (c->op != SG_C_SEL) return 0;
    const sg_sel *s = &r->sels[c->a];
    size_t n = 0;
    for (uint32_t a = 0; a < s->nalts; a++) {
        bool found = false;
        for (uint32_t k = 0; k < s->alts[a].nitems && !found; k++) {
            const sg_item *it = &s->alts[a].items[k];
            if (it->field == SG_KEYWORDS || set->fields[it->field].sys != SG_SYS_EVENTID) continue;
            if (it->all && it->npats > 1) continue;
            bool ok = true;
            for (uint32_t p = 0; p < it->npats && ok; p++) {
                const sg_pat *pt = &it->pats[p];
                char *end;
                unsigned long v = pt->op == SG_OP_EQ && pt->n ? strtoul(pt->s, &end, 10) : 0;
                if (pt->op != SG_OP_EQ || !pt->n || *end || !v || v > UINT32_MAX || n == cap)
                    ok = false;
                else
                    out[n++] = (uint32_t)v;
            }
            found = ok;
        }
        if (!found) return 0;
    }
    return n;
}

static int narrow_targets(comp *c)
{
    sg_rule *r = c->rule;
    uint32_t eids[64];
    size_t n = required_eids(c->set, r, r->root, eids, 64, 0);
    if (!n) return 0;
    size_t nt = 0;
    sg_target *v = malloc((r->ntargets * n + r->ntargets) * sizeof *v);
    if (!v) return fail(c, "out of memory");
    for (uint32_t t = 0; t < r->ntargets; t++) {
        if (r->targets[t].event_id) {
            bool keep = false;
            for (size_t k = 0; k < n; k++) keep |= eids[k] == r->targets[t].event_id;
            if (keep) v[nt++] = r->targets[t];
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            bool dup = false;
            for (size_t j = 0; j < nt; j++)
                dup |= v[j].event_id == eids[k] && !strcmp(v[j].channel, r->targets[t].channel);
            if (!dup) v[nt++] = (sg_target){r->targets[t].channel, eids[k]};
        }
    }
    free(r->targets);
    r->targets = v;
    r->ntargets = (uint32_t)nt;
    return 0;
}

static ks_level parse_level(const char *s)
{
    if (!strcmp(s, "informational")) return KS_LEVEL_INFO;
    if (!strcmp(s, "low")) return KS_LEVEL_LOW;
    if (!strcmp(s, "high")) return KS_LEVEL_HIGH;
    if (!strcmp(s, "critical")) return KS_LEVEL_CRITICAL;
    return KS_LEVEL_MEDIUM;
}

static int compile_meta(comp *c, const sg_ynode *doc, const char *file)
{
    sg_rule *r = c->rule;
    ks_sigma_rule_info *in = &r->info;
    const sg_ynode *title = sg_ymap_get(doc, "title");
    if (!title || title->kind != SG_Y_SCALAR || !title->n) return fail(c, "no title");
    in->title = rstrdup(r, title->s, title->n);
    in->id = scalar_or(c, doc, "id", "");
    in->status = scalar_or(c, doc, "status", "");
    in->description = scalar_or(c, doc, "description", "");
    in->file = rstrdup(r, file, strlen(file));
    const char *lv = scalar_or(c, doc, "level", "medium");
    if (!in->title || !in->id || !in->status || !in->description || !in->file || !lv)
        return fail(c, "out of memory");
    in->level = parse_level(lv);
    const sg_ynode *ls = sg_ymap_get(doc, "logsource");
    if (ls && ls->kind != SG_Y_MAP) return fail(c, "logsource is not a map");
    in->product = scalar_or(c, ls, "product", "");
    in->service = scalar_or(c, ls, "service", "");
    in->category = scalar_or(c, ls, "category", "");
    in->fields = list_or(c, doc, "fields");
    in->falsepositives = list_or(c, doc, "falsepositives");
    const sg_ynode *tags = sg_ymap_get(doc, "tags");
    size_t nt = 0;
    ks_buf attack = {0};
    for (size_t i = 0; tags && tags->kind == SG_Y_SEQ && i < tags->nkids; i++) {
        const sg_ynode *t = tags->kids[i];
        if (t->kind != SG_Y_SCALAR) continue;
        if (nt + 1 < KS_SIGMA_MAX_TAGS) in->tags[nt++] = rstrdup(r, t->s, t->n);
        if (!strncmp(t->s, "attack.t", 8)) {
            if (attack.len) ks_buf_putc(&attack, ' ');
            for (size_t k = 7; k < t->n; k++)
                ks_buf_putc(&attack,
                            t->s[k] >= 'a' && t->s[k] <= 'z' ? (char)(t->s[k] - 32) : t->s[k]);
        }
    }
    ks_detector_info *d = &in->detector;
    d->id = in->id[0] ? in->id : in->title;
    d->title[0] = d->title[1] = in->title;
    d->explain[0][0] = d->explain[0][1] = in->title;
    d->attack = attack.failed ? "" : rstrdup(r, attack.data ? attack.data : "", attack.len);
    ks_buf_free(&attack);
    d->severity = in->level;
    ks_sigma_categories(in, d->categories);
    if (!d->attack) return fail(c, "out of memory");
    if (*in->product && strcmp(in->product, "windows"))
        return fail(c, "logsource product \"%s\": kensa reads Windows event logs only",
                    in->product);
    return 0;
}

void ks_sigma_categories(const ks_sigma_rule_info *rule, const char **out)
{
    size_t n = 0;
    out[n++] = "sigma";
    for (int i = 0; i < KS_SIGMA_MAX_TAGS && rule->tags[i]; i++) {
        const char *cat = sg_attack_category(rule->tags[i]);
        bool dup = !cat;
        for (size_t k = 0; k < n && !dup; k++) dup = !strcmp(out[k], cat);
        if (!dup && n + 1 < KS_DETECT_MAX_CATEGORIES) out[n++] = cat;
    }
    for (size_t k = n; k < KS_DETECT_MAX_CATEGORIES; k++) out[k] = NULL;
}

static int parse_timespan(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    int64_t unit = end[0] && !end[1] ? (end[0] == 's'   ? 1
                                        : end[0] == 'm' ? 60
                                        : end[0] == 'h' ? 3600
                                        : end[0] == 'd' ? 86400
                                                        : 0)
                                     : 0;
    if (end == s || errno || v <= 0 || !unit || v > INT64_C(1000000000) / unit) return -1;
    *out = (int64_t)v * unit * INT64_C(1000000000);
    return 0;
}

/* A YAML boolean (true/false, yes/no, on/off in any case); -1 when not one. */
static int yaml_bool(const sg_ynode *n)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    if (!n || n->kind != SG_Y_SCALAR) return -1;
    for (int i = 0; i < 3; i++) {
        if (!strcasecmp(n->s, yes[i])) return 1;
        if (!strcasecmp(n->s, no[i])) return 0;
    }
    return -1;
}

/* `aliases:` of a correlation: alias -> {rule name or id: field}. */
static int compile_aliases(comp *c, sg_corr *k, const sg_ynode *al)
{
    if (!al) return 0;
    if (al->kind != SG_Y_MAP) return fail(c, "correlation aliases must be a map");
    if (al->nkids / 2 > SG_CORR_MAX_ALIASES) return fail(c, "correlation has more than 16 aliases");
    for (size_t i = 0; i + 1 < al->nkids; i += 2) {
        const sg_ynode *name = al->kids[i], *m = al->kids[i + 1];
        sg_alias *a = &k->aliases[k->naliases];
        if (name->kind != SG_Y_SCALAR || !name->n || m->kind != SG_Y_MAP)
            return fail(c, "correlation alias must map rule names to fields");
        if (m->nkids / 2 > SG_CORR_MAX_REFS) return fail(c, "alias names more than 16 rules");
        if (!(a->name = rstrdup(c->rule, name->s, name->n))) return fail(c, "out of memory");
        for (size_t j = 0; j + 1 < m->nkids; j += 2) {
            const sg_ynode *rn = m->kids[j], *fv = m->kids[j + 1];
            if (rn->kind != SG_Y_SCALAR || fv->kind != SG_Y_SCALAR || !fv->n)
                return fail(c, "alias \"%.40s\": each rule needs a field name", a->name);
            a->rule[a->n] = rstrdup(c->rule, rn->s, rn->n);
            a->field[a->n] = rstrdup(c->rule, fv->s, fv->n);
            if (!a->rule[a->n] || !a->field[a->n++]) return fail(c, "out of memory");
        }
        k->naliases++;
    }
    return 0;
}

/* condition: gt, gte, lt, lte, eq, neq (several together: all must hold) and, for
 * value_count, field. */
static int compile_corr_condition(comp *c, sg_corr *k, const sg_ynode *cond)
{
    bool temporal = k->type == SG_CORR_TEMPORAL || k->type == SG_CORR_TEMPORAL_ORDERED;
    k->need = 0;
    k->most = UINT64_MAX;
    if (!cond && temporal) {
        k->need = k->nrefs;
        return 0;
    }
    if (!cond || cond->kind != SG_Y_MAP) return fail(c, "correlation needs a condition (gte: N)");
    bool any = false;
    for (size_t i = 0; i + 1 < cond->nkids; i += 2) {
        const char *op = cond->kids[i]->s;
        const sg_ynode *v = cond->kids[i + 1];
        if (v->kind != SG_Y_SCALAR) return fail(c, "correlation condition values must be text");
        if (!strcmp(op, "field")) {
            if (!v->n) return fail(c, "correlation condition field is empty");
            if (!(k->value_name = rstrdup(c->rule, v->s, v->n))) return fail(c, "out of memory");
            continue;
        }
        char *end;
        errno = 0;
        long long n = strtoll(v->s, &end, 10);
        if (end == v->s || *end || errno || n < 0 || n >= SG_CORR_MAX_COUNT)
            return fail(c, "correlation condition %.10s needs a count below 100000", op);
        uint64_t u = (uint64_t)n;
        any = true;
        if (!strcmp(op, "gte"))
            k->need = u > k->need ? u : k->need;
        else if (!strcmp(op, "gt"))
            k->need = u + 1 > k->need ? u + 1 : k->need;
        else if (!strcmp(op, "lte"))
            k->most = u < k->most ? u : k->most;
        else if (!strcmp(op, "lt")) {
            if (!u) return fail(c, "correlation condition lt: 0 can never hold");
            k->most = u - 1 < k->most ? u - 1 : k->most;
        } else if (!strcmp(op, "eq")) {
            k->need = u > k->need ? u : k->need;
            k->most = u < k->most ? u : k->most;
        } else if (!strcmp(op, "neq")) {
            k->has_neq = true;
            k->neq = u;
        } else
            return fail(c,
                        "correlation condition \"%.10s\" is not one of gt, gte, lt, lte, eq, "
                        "neq",
                        op);
    }
    if (!any) return fail(c, "correlation condition needs a count (gte, gt, lt, lte, eq or neq)");
    k->bounded = k->most != UINT64_MAX || k->has_neq;
    if (temporal && k->bounded)
        return fail(c, "temporal correlations count rules: only gte or gt can be used");
    if (!k->need) k->need = temporal ? k->nrefs : 1;
    if (k->need > k->most) return fail(c, "correlation condition can never hold (empty range)");
    if (temporal && k->need > k->nrefs)
        return fail(c, "temporal condition asks for more rules than the correlation names");
    if (k->type == SG_CORR_TEMPORAL_ORDERED && k->need != k->nrefs)
        return fail(c, "temporal_ordered needs every rule it names, in order");
    if (k->type == SG_CORR_VALUE_COUNT && !k->value_name)
        return fail(c, "value_count needs condition.field");
    return 0;
}

/* A Sigma v2 correlation rule: type, rules (ids or names, resolved once every file
 * is loaded), aliases, group-by, timespan, condition, generate. */
static int compile_correlation(comp *c, const sg_ynode *doc, const char *file)
{
    sg_rule *r = c->rule;
    if (compile_meta(c, doc, file) != 0) return -1;
    r->name = scalar_or(c, doc, "name", "");
    const sg_ynode *cm = sg_ymap_get(doc, "correlation");
    if (!cm || cm->kind != SG_Y_MAP) return fail(c, "correlation is not a map");
    sg_corr *k = ralloc(r, sizeof *k);
    if (!k || !r->name) return fail(c, "out of memory");
    r->corr = k;
    const sg_ynode *type = sg_ymap_get(cm, "type"), *rules = sg_ymap_get(cm, "rules");
    const sg_ynode *group = sg_ymap_get(cm, "group-by"), *span = sg_ymap_get(cm, "timespan");
    const sg_ynode *cond = sg_ymap_get(cm, "condition"), *gen = sg_ymap_get(cm, "generate");
    if (!gen) gen = sg_ymap_get(doc, "generate"); /* the specification puts it at the top */
    if (!span) span = sg_ymap_get(cm, "timeframe");
    if (!type || type->kind != SG_Y_SCALAR) return fail(c, "correlation has no type");
    if (!strcmp(type->s, "event_count"))
        k->type = SG_CORR_EVENT_COUNT;
    else if (!strcmp(type->s, "value_count"))
        k->type = SG_CORR_VALUE_COUNT;
    else if (!strcmp(type->s, "temporal"))
        k->type = SG_CORR_TEMPORAL;
    else if (!strcmp(type->s, "temporal_ordered"))
        k->type = SG_CORR_TEMPORAL_ORDERED;
    else
        return fail(c,
                    "correlation type \"%.40s\" is not one of event_count, value_count, "
                    "temporal, temporal_ordered",
                    type->s);
    if (!span || span->kind != SG_Y_SCALAR || parse_timespan(span->s, &k->timespan_ns) != 0)
        return fail(c, "correlation needs a timespan such as 5m (s, m, h or d)");
    int g = gen ? yaml_bool(gen) : 0;
    if (g < 0) return fail(c, "correlation generate must be true or false");
    k->generate = g == 1;
    size_t nrefs = rules ? (rules->kind == SG_Y_SEQ ? rules->nkids : 1) : 0;
    if (!nrefs) return fail(c, "correlation names no rules");
    if (nrefs > SG_CORR_MAX_REFS) return fail(c, "correlation names more than 16 rules");
    for (size_t i = 0; i < nrefs; i++) {
        const sg_ynode *n = rules->kind == SG_Y_SEQ ? rules->kids[i] : rules;
        if (n->kind != SG_Y_SCALAR || !n->n)
            return fail(c, "correlation rules must be ids or names");
        if (!(k->refs[i] = rstrdup(r, n->s, n->n))) return fail(c, "out of memory");
    }
    k->nrefs = (uint32_t)nrefs;
    if (compile_aliases(c, k, sg_ymap_get(cm, "aliases")) != 0) return -1;
    size_t ng = group ? (group->kind == SG_Y_SEQ ? group->nkids : 1) : 0;
    if (ng > SG_CORR_MAX_GROUP) return fail(c, "group-by names more than 8 fields");
    for (size_t i = 0; i < ng; i++) {
        const sg_ynode *n = group->kind == SG_Y_SEQ ? group->kids[i] : group;
        if (n->kind != SG_Y_SCALAR || !n->n) return fail(c, "group-by must list field names");
        if (!(k->group_name[i] = rstrdup(r, n->s, n->n))) return fail(c, "out of memory");
    }
    k->ngroup = (uint32_t)ng;
    return compile_corr_condition(c, k, cond);
}

static int compile_rule(comp *c, const sg_ynode *doc, const char *file, const char **note)
{
    sg_rule *r = c->rule;
    if (sg_ymap_get(doc, "correlation")) return compile_correlation(c, doc, file);
    if (compile_meta(c, doc, file) != 0) return -1;
    r->name = scalar_or(c, doc, "name", "");
    if (!r->name) return fail(c, "out of memory");
    const sg_ynode *det = sg_ymap_get(doc, "detection");
    if (!det || det->kind != SG_Y_MAP) return fail(c, "no detection map");
    const sg_ynode *cond = NULL;
    size_t nsel = 0;
    for (size_t i = 0; i + 1 < det->nkids; i += 2) {
        const sg_ynode *k = det->kids[i];
        if (k->kind != SG_Y_SCALAR) return fail(c, "a detection key is not text");
        if (!strcmp(k->s, "condition"))
            cond = det->kids[i + 1];
        else if (strcmp(k->s, "timeframe"))
            nsel++;
    }
    if (!cond) return fail(c, "detection has no condition");
    if (!nsel) return fail(c, "detection has no selection");
    r->sels = ralloc(r, nsel * sizeof *r->sels);
    if (!r->sels) return fail(c, "out of memory");
    for (size_t i = 0; i + 1 < det->nkids; i += 2) {
        const char *name = det->kids[i]->s;
        if (!strcmp(name, "condition") || !strcmp(name, "timeframe")) continue;
        r->nsels++; /* first: what it compiled is freed with the rule */
        if (compile_selection(c, name, det->kids[i + 1], &r->sels[r->nsels - 1]) != 0) {
            char why[320];
            snprintf(why, sizeof why, "selection %.40s: %.240s", name, c->why);
            memcpy(c->why, why, sizeof c->why);
            return -1;
        }
    }
    if (compile_condition(c, cond) != 0) return -1;
    *note = sg_logsource_targets(r);
    if (*note && !strcmp(*note, "out of memory")) return fail(c, "out of memory");
    return narrow_targets(c);
}

/* Sysmon field names of process_creation rules and their 4688 names, both interned. */
static void map_4688_names(ks_sigma_rules *set)
{
    for (size_t i = 0; sg_map4688[i][0]; i++) {
        uint32_t evname = sg_field_intern(set, sg_map4688[i][0]);
        uint32_t rname = sg_field_intern(set, sg_map4688[i][1]);
        if (evname != UINT32_MAX && rname != UINT32_MAX) set->fields[rname].alt4688 = evname;
    }
}

static size_t load_mem(ks_sigma_rules *set, const void *data, size_t n, const char *name)
{
    sg_ydoc doc;
    size_t loaded = 0;
    if (!name) name = "";
    sg_yaml_parse(&doc, data, n);
    if (doc.error[0]) add_failure(set, name, "%s", doc.error);
    if (!doc.ndocs && !doc.error[0]) add_failure(set, name, "no YAML document");
    for (size_t i = 0; i < doc.ndocs; i++) {
        const sg_ynode *d = doc.docs[i];
        if (d->kind != SG_Y_MAP) {
            if (!(d->kind == SG_Y_SCALAR && sg_yscalar_is_null(d)))
                add_failure(set, name, "document %zu is not a map", i + 1);
            continue;
        }
        if (sg_ymap_get(d, "action")) {
            add_failure(set, name, "rule collections (action: global/repeat) are not supported");
            continue;
        }
        comp c = {set, calloc(1, sizeof(sg_rule)), {0}};
        const char *note = NULL;
        if (!c.rule) {
            add_failure(set, name, "out of memory");
            continue;
        }
        if (compile_rule(&c, d, name, &note) != 0) {
            const sg_ynode *t = sg_ymap_get(d, "title");
            add_failure(set, name, "%s%s%s%s", t && t->kind == SG_Y_SCALAR ? "\"" : "",
                        t && t->kind == SG_Y_SCALAR ? t->s : "",
                        t && t->kind == SG_Y_SCALAR ? "\": " : "", c.why);
            sg_rule_free(c.rule);
            continue;
        }
        if (set->nrules == set->caprules) {
            size_t cap = set->caprules ? set->caprules * 2 : 256;
            sg_rule **v = realloc(set->rules, cap * sizeof *v);
            if (!v) {
                add_failure(set, name, "out of memory");
                sg_rule_free(c.rule);
                continue;
            }
            set->rules = v;
            set->caprules = cap;
        }
        set->rules[set->nrules++] = c.rule;
        set->report.loaded++;
        if (note) set->report.notes++;
        loaded++;
        if (c.rule->map4688) map_4688_names(set);
    }
    sg_yaml_free(&doc);
    return loaded;
}

/* The field a correlation reads for group-by or value name at step s: an alias
 * resolved for that step's rule, or the name itself. */
static const char *corr_field_name(const sg_corr *k, const sg_rule *b, uint32_t s, const char *name)
{
    for (uint32_t a = 0; a < k->naliases; a++) {
        const sg_alias *al = &k->aliases[a];
        if (strcmp(al->name, name)) continue;
        for (uint32_t j = 0; j < al->n; j++)
            if (!strcmp(al->rule[j], k->refs[s]) || (b->name[0] && !strcmp(al->rule[j], b->name)) ||
                (b->info.id[0] && !strcmp(al->rule[j], b->info.id)))
                return al->field[j];
    }
    return name;
}

/* The field id of name at a step: a rule's event field, or for a correlation of
 * correlations SG_CORR_KEYPART | the index of that group-by in the inner key (read
 * from its key when it fires; a name it does not group by is read from the event). */
static uint32_t corr_field_id(ks_sigma_rules *set, const sg_rule *b, const char *name)
{
    for (uint32_t j = 0; b->corr && j < b->corr->ngroup; j++)
        if (!strcmp(b->corr->group_name[j], name)) return SG_CORR_KEYPART | j;
    return sg_field_intern(set, name);
}

/* Resolve correlation i: the rules it names (by id or name, a correlation too), and
 * per step its group-by and value fields. The reason when it cannot be, or NULL. */
static const char *resolve_one(ks_sigma_rules *set, size_t i, char *why, size_t cap)
{
    sg_corr *k = set->rules[i]->corr;
    for (uint32_t s = 0; s < k->nrefs; s++) {
        k->ref_rule[s] = UINT32_MAX;
        for (size_t j = 0; j < set->nrules && k->ref_rule[s] == UINT32_MAX; j++) {
            const sg_rule *b = set->rules[j];
            if (j != i && (!strcmp(b->info.id, k->refs[s]) || !strcmp(b->name, k->refs[s])))
                k->ref_rule[s] = (uint32_t)j;
        }
        if (k->ref_rule[s] == UINT32_MAX) {
            snprintf(why, cap, "correlation names rule \"%.80s\", which is not loaded", k->refs[s]);
            return why;
        }
        const sg_rule *b = set->rules[k->ref_rule[s]];
        for (uint32_t g = 0; g < k->ngroup; g++)
            k->group[s][g] = corr_field_id(set, b, corr_field_name(k, b, s, k->group_name[g]));
        k->value_field[s] =
            k->value_name ? corr_field_id(set, b, corr_field_name(k, b, s, k->value_name)) : 0;
    }
    return NULL;
}

/* How deep each correlation chains (1: of plain rules), by relaxation; a cycle or a
 * chain too deep ends at SG_CORR_MAX_CHAIN + 1. Returns the first such rule, or -1. */
static long chain_depths(ks_sigma_rules *set)
{
    for (size_t i = 0; i < set->nrules; i++) set->rules[i]->chain = set->rules[i]->corr ? 1 : 0;
    for (int pass = 0; pass <= SG_CORR_MAX_CHAIN; pass++) {
        bool changed = false;
        for (size_t i = 0; i < set->nrules; i++) {
            const sg_corr *k = set->rules[i]->corr;
            unsigned d = 1;
            for (uint32_t s = 0; k && s < k->nrefs; s++) {
                unsigned inner = set->rules[k->ref_rule[s]]->chain;
                if (inner + 1 > d) d = inner + 1;
            }
            if (d > SG_CORR_MAX_CHAIN + 1) d = SG_CORR_MAX_CHAIN + 1;
            if (k && d != set->rules[i]->chain) {
                set->rules[i]->chain = (uint8_t)d;
                changed = true;
            }
        }
        if (!changed) break;
    }
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i]->chain > SG_CORR_MAX_CHAIN) return (long)i;
    return -1;
}

static void remove_rule(ks_sigma_rules *set, size_t i, const char *why)
{
    sg_rule *r = set->rules[i];
    add_failure(set, r->info.file, "\"%s\": %s", r->info.title, why);
    sg_rule_free(r);
    memmove(set->rules + i, set->rules + i + 1, (set->nrules - i - 1) * sizeof *set->rules);
    set->nrules--;
    set->report.loaded--;
}

/* Correlations: find the rules they name once everything is loaded; one that names
 * a missing rule, or chains correlations deeper than SG_CORR_MAX_CHAIN (or in a
 * cycle), is taken out with the reason, and resolution starts again (indexes moved).
 * Then each rule lists the correlations it feeds (later steps first), and rules used
 * only by correlations without generate: true report no matches of their own. */
static void resolve_correlations(ks_sigma_rules *set)
{
    char why[160];
    for (size_t i = 0; i < set->nrules; i++) {
        sg_rule *r = set->rules[i];
        free(r->feeds);
        r->feeds = NULL;
        r->nfeeds = 0;
        r->quiet = false;
    }
again:
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i]->corr && resolve_one(set, i, why, sizeof why)) {
            remove_rule(set, i, why);
            goto again;
        }
    long deep = chain_depths(set);
    if (deep >= 0) {
        remove_rule(set, (size_t)deep, "correlations chained more than 8 deep, or in a cycle");
        goto again;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < set->nrules; i++) {
            const sg_corr *k = set->rules[i]->corr;
            for (uint32_t s = k ? k->nrefs : 0; s-- > 0;) {
                sg_rule *b = set->rules[k->ref_rule[s]];
                if (pass == 0) {
                    uint32_t *v = realloc(b->feeds, (b->nfeeds + 1) * 2 * sizeof *v);
                    if (!v) continue;
                    b->feeds = v;
                    b->feeds[2 * b->nfeeds] = (uint32_t)i;
                    b->feeds[2 * b->nfeeds++ + 1] = s;
                    if (!k->generate) b->quiet = true;
                } else if (k->generate)
                    b->quiet = false;
            }
        }
}

size_t ks_sigma_load_mem(ks_sigma_rules *set, const void *data, size_t n, const char *name)
{
    size_t loaded = load_mem(set, data, n, name);
    resolve_correlations(set);
    if (loaded && sg_index_build(set) != 0) add_failure(set, name, "out of memory (index)");
    return loaded;
}

static bool is_yaml_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && !strcmp(name + n - 4, ".yml")) || (n > 5 && !strcmp(name + n - 5, ".yaml"));
}

static void load_file(ks_sigma_rules *set, const char *path)
{
    set->report.files++;
    FILE *f = fopen(path, "rb");
    if (!f) {
        add_failure(set, path, "cannot open: %s", strerror(errno));
        return;
    }
    ks_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= SG_MAX_FILE)
        ks_buf_append(&b, chunk, n);
    bool err = ferror(f);
    fclose(f);
    if (err || b.failed || b.len > SG_MAX_FILE)
        add_failure(set, path, err ? "read error" : b.failed ? "out of memory" : "file too large");
    else
        load_mem(set, b.data ? b.data : "", b.len, path);
    ks_buf_free(&b);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(ks_sigma_rules *set, const char *dir, int depth)
{
    if (depth > SG_MAX_WALK_DEPTH) {
        add_failure(set, dir, "folder nested too deeply (32 levels at most)");
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        add_failure(set, dir, "cannot open folder: %s", strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(names, cap * sizeof *v);
            if (!v) break;
            names = v;
        }
        if (!(names[n] = strdup(e->d_name))) break;
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        ks_buf p = {0};
        ks_buf_printf(&p, "%s/%s", dir, names[i]);
        ks_buf_putc(&p, 0);
        struct stat st;
        if (!p.failed && lstat(p.data, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                walk(set, p.data, depth + 1);
            else if (S_ISREG(st.st_mode) && is_yaml_name(names[i]))
                load_file(set, p.data);
        }
        ks_buf_free(&p);
        free(names[i]);
    }
    free(names);
}

ks_status ks_sigma_load_path(ks_sigma_rules *set, const char *path, ks_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot read: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        walk(set, path, 0);
    else
        load_file(set, path);
    resolve_correlations(set);
    if (sg_index_build(set) != 0) add_failure(set, path, "out of memory (index)");
    return KS_OK;
}
