/* Matching events against compiled Sigma rules: the index of rules by channel and
 * event id (an event is offered only to rules that can match it), field values as
 * text made once per event (lowercased for the case-insensitive comparisons Sigma
 * asks for by default), patterns, keyword lists and the condition tree. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigma_internal.h"
#include "kensa/buf.h"

/* --- index ------------------------------------------------------------------------ */

typedef struct bucket {
    const char *channel; /* lowercase, "" for any */
    uint32_t eid;        /* 0 for any */
    uint32_t hash;
    uint32_t *rules; /* rule indexes, ascending */
    uint32_t n, cap;
    /* fields of the gates of its rules (bit 31: a 4688 name may stand for it) */
    uint32_t *gfields;
    uint32_t ngf;
    /* its rules without a gate (ascending), and a bitset of those with one: a gated
     * rule is looked at only when its gate opened (the event's candidates) */
    uint32_t *open, nopen;
    uint8_t *gated;
} bucket;

#define BIT_SET(v, i) ((v)[(i) >> 3] |= (uint8_t)(1u << ((i)&7)))
#define BIT_GET(v, i) ((v)[(i) >> 3] & (1u << ((i)&7)))

typedef struct sg_index {
    bucket *b;
    uint32_t nb, capb;
    uint32_t *slots; /* bucket + 1, 0 empty */
    uint32_t nslots;
} sg_index;

static uint32_t key_hash(const char *ch, size_t n, uint32_t eid)
{
    return sg_hash(ch, n) ^ (eid * 2654435761u);
}

static bucket *index_find(const sg_index *x, const char *ch, size_t n, uint32_t eid)
{
    if (!x || !x->nslots) return NULL;
    uint32_t h = key_hash(ch, n, eid);
    for (uint32_t i = h & (x->nslots - 1), k = 0; k < x->nslots;
         i = (i + 1) & (x->nslots - 1), k++) {
        uint32_t v = x->slots[i];
        if (!v) return NULL;
        bucket *b = &x->b[v - 1];
        if (b->hash == h && b->eid == eid && !strncmp(b->channel, ch, n) && !b->channel[n])
            return b;
    }
    return NULL;
}

void sg_index_free(ks_sigma_rules *r)
{
    sg_ac_free(r);
    sg_index *x = r->index;
    if (!x) return;
    for (uint32_t i = 0; i < x->nb; i++) {
        free(x->b[i].rules);
        free(x->b[i].gfields);
        free(x->b[i].open);
        free(x->b[i].gated);
    }
    free(x->b);
    free(x->slots);
    free(x);
    r->index = NULL;
}

static int index_add(sg_index *x, const char *ch, uint32_t eid, uint32_t rule)
{
    size_t n = strlen(ch);
    bucket *b = index_find(x, ch, n, eid);
    if (!b) {
        if (x->nb == x->capb) {
            uint32_t cap = x->capb ? x->capb * 2 : 64;
            bucket *v = realloc(x->b, cap * sizeof *v);
            if (!v) return -1;
            x->b = v;
            x->capb = cap;
        }
        if ((x->nb + 1) * 2 > x->nslots) {
            uint32_t cap = x->nslots ? x->nslots * 2 : 128;
            uint32_t *s = calloc(cap, sizeof *s);
            if (!s) return -1;
            for (uint32_t i = 0; i < x->nb; i++) {
                uint32_t j = x->b[i].hash & (cap - 1);
                while (s[j]) j = (j + 1) & (cap - 1);
                s[j] = i + 1;
            }
            free(x->slots);
            x->slots = s;
            x->nslots = cap;
        }
        b = &x->b[x->nb];
        *b = (bucket){ch, eid, key_hash(ch, n, eid), NULL, 0, 0, NULL, 0, NULL, 0, NULL};
        uint32_t j = b->hash & (x->nslots - 1);
        while (x->slots[j]) j = (j + 1) & (x->nslots - 1);
        x->slots[j] = ++x->nb;
    }
    if (b->n && b->rules[b->n - 1] == rule) return 0;
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 8;
        uint32_t *v = realloc(b->rules, cap * sizeof *v);
        if (!v) return -1;
        b->rules = v;
        b->cap = cap;
    }
    b->rules[b->n++] = rule;
    return 0;
}

int sg_index_build(ks_sigma_rules *r)
{
    sg_index_free(r);
    sg_index *x = calloc(1, sizeof *x);
    if (!x) return -1;
    r->index = x;
    if (sg_ac_build(r) != 0) return -1;
    for (size_t i = 0; i < r->nrules; i++) {
        const sg_rule *rule = r->rules[i];
        for (uint32_t t = 0; t < rule->ntargets; t++)
            if (index_add(x, rule->targets[t].channel, rule->targets[t].event_id, (uint32_t)i) != 0)
                return -1;
    }
    for (uint32_t bi = 0; bi < x->nb; bi++) {
        bucket *b = &x->b[bi];
        uint32_t cap = 0;
        for (uint32_t k = 0; k < b->n; k++) {
            const sg_rule *rule = r->rules[b->rules[k]];
            for (uint32_t g = 0; g < rule->ngate; g++) {
                uint32_t f = sg_ac_lit_field(r, rule->gate[g]);
                bool mp = rule->map4688 && f < r->nfields && r->fields[f].alt4688 != UINT32_MAX;
                uint32_t v = f | (mp ? UINT32_C(0x80000000) : 0), j = 0;
                while (j < b->ngf && b->gfields[j] != v) j++;
                if (j < b->ngf) continue;
                if (b->ngf == cap) {
                    cap = cap ? cap * 2 : 8;
                    uint32_t *nv = realloc(b->gfields, cap * sizeof *nv);
                    if (!nv) return -1;
                    b->gfields = nv;
                }
                b->gfields[b->ngf++] = v;
            }
        }
        b->open = malloc((b->n + 1) * sizeof *b->open);
        b->gated = calloc(r->nrules / 8 + 1, 1);
        if (!b->open || !b->gated) return -1;
        for (uint32_t k = 0; k < b->n; k++)
            if (r->rules[b->rules[k]]->ngate)
                BIT_SET(b->gated, b->rules[k]);
            else
                b->open[b->nopen++] = b->rules[k];
    }
    return 0;
}

/* --- per-event text ---------------------------------------------------------------- */

typedef struct ftext {
    uint32_t gen, lgen;
    bool present;
    ks_buf orig, low;
} ftext;

#define SG_NSYS 16

/* Field names seen lately and their ids: the names of an EVTX event point into its
 * template, the same for every event of that template in a chunk, so the pointer
 * says where to look and a copy of the name says whether it is still that name. */
#define SG_NAME_CACHE 512
#define SG_NAME_MAX 48

typedef struct name_slot {
    const char *p;
    uint32_t len, id;
    char copy[SG_NAME_MAX];
} name_slot;

struct ks_sigma_matcher {
    const ks_sigma_rules *r;
    const ks_event *ev;
    uint32_t gen;
    uint32_t nfields, nauto; /* field ids, automaton ids (field ids, then keywords) */
    uint32_t *fgen;          /* per field id: fidx valid when == gen */
    int32_t *fidx;
    bool mapped;
    ftext *ft; /* per event field index */
    size_t nft;
    ftext sys[SG_NSYS];
    uint32_t *seen; /* per rule: the gen it was last offered */
    int8_t *memo;   /* per selection of the rule being evaluated: -1 unknown */
    uint32_t capmemo;
    bool is4688;
    uint32_t *lithit; /* per literal: the gen it was found in */
    uint32_t *acgen;  /* per automaton id: the gen it ran */
    /* the same for a 4688 event's fields under their Sysmon names */
    uint32_t *lithit4688, *acgen4688;
    /* per mode and automaton id, once it ran: its literals found are
     * hl[mode][acfrom .. acto) */
    uint32_t *acfrom[2], *acto[2];
    /* literals found in this event, per mode (0 plain, 1 under 4688 names), and how
     * many of each list have marked their gated rules as candidates */
    uint32_t *hl[2], nhl[2], marked[2];
    uint32_t *cand;          /* per rule: the gen its gate was found open */
    uint32_t *clist, nclist; /* those rules, in the order found */
    uint32_t *ctmp;          /* the candidates of one bucket */
    sg_corr_state *corr;
    ks_buf key;
    name_slot *names; /* SG_NAME_CACHE */
    pcre2_match_data *md;
    char chan[256];
};

ks_status ks_sigma_matcher_open(ks_sigma_matcher **out, const ks_sigma_rules *r)
{
    ks_sigma_matcher *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m) return KS_ERR_NOMEM;
    m->r = r;
    m->nfields = r->nfields;
    m->nauto = r->nauto > r->nfields ? r->nauto : r->nfields;
    uint32_t maxsel = 1;
    for (size_t i = 0; i < r->nrules; i++)
        if (r->rules[i]->nsels > maxsel) maxsel = r->rules[i]->nsels;
    m->capmemo = maxsel;
    m->fgen = calloc(m->nfields + 1, sizeof *m->fgen);
    m->fidx = calloc(m->nfields + 1, sizeof *m->fidx);
    m->seen = calloc(r->nrules + 1, sizeof *m->seen);
    m->memo = calloc(maxsel, 1);
    m->md = pcre2_match_data_create(1, NULL);
    m->lithit = calloc(r->nlits + 1, sizeof *m->lithit);
    m->acgen = calloc(m->nauto + 1, sizeof *m->acgen);
    m->lithit4688 = calloc(r->nlits + 1, sizeof *m->lithit);
    m->acgen4688 = calloc(m->nauto + 1, sizeof *m->acgen);
    for (int k = 0; k < 2; k++) {
        m->acfrom[k] = calloc(m->nauto + 1, sizeof *m->acfrom[k]);
        m->acto[k] = calloc(m->nauto + 1, sizeof *m->acto[k]);
    }
    m->hl[0] = calloc(r->nlits + 1, sizeof *m->hl[0]);
    m->hl[1] = calloc(r->nlits + 1, sizeof *m->hl[1]);
    m->cand = calloc(r->nrules + 1, sizeof *m->cand);
    m->clist = malloc((r->nrules + 1) * sizeof *m->clist);
    m->names = calloc(SG_NAME_CACHE, sizeof *m->names);
    m->ctmp = malloc((r->nrules + 1) * sizeof *m->ctmp);
    m->corr = sg_corr_state_new(r);
    if (!m->fgen || !m->fidx || !m->seen || !m->memo || !m->md || !m->lithit || !m->acgen ||
        !m->lithit4688 || !m->acgen4688 || !m->hl[0] || !m->hl[1] || !m->cand || !m->clist ||
        !m->acfrom[0] || !m->acfrom[1] || !m->acto[0] || !m->acto[1] || !m->ctmp || !m->names ||
        !m->corr) {
        ks_sigma_matcher_close(&m);
        return KS_ERR_NOMEM;
    }
    *out = m;
    return KS_OK;
}

void ks_sigma_matcher_close(ks_sigma_matcher **pm)
{
    ks_sigma_matcher *m = pm ? *pm : NULL;
    if (!m) return;
    for (size_t i = 0; i < m->nft; i++) {
        ks_buf_free(&m->ft[i].orig);
        ks_buf_free(&m->ft[i].low);
    }
    for (int i = 0; i < SG_NSYS; i++) {
        ks_buf_free(&m->sys[i].orig);
        ks_buf_free(&m->sys[i].low);
    }
    free(m->ft);
    free(m->fgen);
    free(m->fidx);
    free(m->seen);
    free(m->memo);
    free(m->lithit);
    free(m->acgen);
    free(m->lithit4688);
    free(m->acgen4688);
    for (int k = 0; k < 2; k++) {
        free(m->acfrom[k]);
        free(m->acto[k]);
    }
    free(m->hl[0]);
    free(m->hl[1]);
    free(m->cand);
    free(m->clist);
    free(m->ctmp);
    free(m->names);
    sg_corr_state_free(m->corr);
    ks_buf_free(&m->key);
    if (m->md) pcre2_match_data_free(m->md);
    free(m);
    *pm = NULL;
}

static void begin_event(ks_sigma_matcher *m, const ks_event *ev)
{
    m->ev = ev;
    if (++m->gen == 0) { /* wrapped: forget everything */
        memset(m->fgen, 0, (m->nfields + 1) * sizeof *m->fgen);
        memset(m->seen, 0, (m->r->nrules + 1) * sizeof *m->seen);
        memset(m->lithit, 0, (m->r->nlits + 1) * sizeof *m->lithit);
        memset(m->acgen, 0, (m->nauto + 1) * sizeof *m->acgen);
        memset(m->lithit4688, 0, (m->r->nlits + 1) * sizeof *m->lithit);
        memset(m->acgen4688, 0, (m->nauto + 1) * sizeof *m->acgen);
        memset(m->cand, 0, (m->r->nrules + 1) * sizeof *m->cand);
        for (size_t i = 0; i < m->nft; i++) m->ft[i].gen = m->ft[i].lgen = 0;
        for (int i = 0; i < SG_NSYS; i++) m->sys[i].gen = m->sys[i].lgen = 0;
        m->gen = 1;
    }
    m->mapped = false;
    m->nhl[0] = m->nhl[1] = m->marked[0] = m->marked[1] = 0;
    m->nclist = 0;
    m->is4688 =
        ev->event_id == 4688 && ev->channel.len == 8 && !strncasecmp(ev->channel.p, "security", 8);
}

/* The id of a field name (UINT32_MAX: no rule reads it). */
static uint32_t name_id(ks_sigma_matcher *m, ks_str name)
{
    if (name.len > SG_NAME_MAX || !name.p) return sg_field_lookup(m->r, name.p, name.len);
    uintptr_t h = (uintptr_t)name.p;
    name_slot *e = &m->names[(h ^ h >> 9 ^ name.len) % SG_NAME_CACHE];
    if (e->p == name.p && e->len == name.len && !memcmp(e->copy, name.p, name.len)) return e->id;
    e->p = name.p;
    e->len = (uint32_t)name.len;
    memcpy(e->copy, name.p, name.len);
    return e->id = sg_field_lookup(m->r, name.p, name.len);
}

static void map_fields(ks_sigma_matcher *m)
{
    const ks_event *ev = m->ev;
    for (size_t i = 0; i < ev->nfields && i < INT32_MAX; i++) {
        uint32_t id = name_id(m, ev->fields[i].name);
        if (id == UINT32_MAX || id >= m->nfields || m->fgen[id] == m->gen) continue;
        m->fgen[id] = m->gen;
        m->fidx[id] = (int32_t)i;
    }
    if (ev->nfields > m->nft) {
        ftext *v = realloc(m->ft, ev->nfields * sizeof *v);
        if (v) {
            memset(v + m->nft, 0, (ev->nfields - m->nft) * sizeof *v);
            m->ft = v;
            m->nft = ev->nfields;
        }
    }
    m->mapped = true;
}

static void lower_into(ks_buf *dst, const char *s, size_t n)
{
    ks_buf_reset(dst);
    dst->failed = 0;
    if (ks_buf_reserve(dst, n + 1) != 0) return;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        dst->data[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
    }
    dst->len = n;
    dst->data[n] = 0;
}

/* Text of event field index i (orig, or lowercased). */
static bool field_text(ks_sigma_matcher *m, ftext *t, const ks_value *v, bool low, ks_str *out)
{
    if (t->gen != m->gen) {
        ks_buf_reset(&t->orig);
        t->orig.failed = 0;
        ks_value_text(&t->orig, v);
        ks_buf_putc(&t->orig, 0);
        t->gen = m->gen;
        t->present = !t->orig.failed;
        if (t->present) t->orig.len--;
    }
    if (!t->present) return false;
    if (!low) {
        *out = (ks_str){t->orig.data, t->orig.len};
        return true;
    }
    if (t->lgen != m->gen) {
        lower_into(&t->low, t->orig.data, t->orig.len);
        t->lgen = m->gen;
    }
    if (t->low.failed) return false;
    *out = (ks_str){t->low.data ? t->low.data : "", t->low.len};
    return true;
}

static void sys_value(const ks_event *ev, uint8_t sys, ks_buf *b)
{
    switch (sys) {
    case SG_SYS_EVENTID: ks_buf_u64(b, ev->event_id); break;
    case SG_SYS_CHANNEL: ks_buf_append(b, ev->channel.p, ev->channel.len); break;
    case SG_SYS_PROVIDER: ks_buf_append(b, ev->provider.p, ev->provider.len); break;
    case SG_SYS_COMPUTER: ks_buf_append(b, ev->host.p, ev->host.len); break;
    case SG_SYS_LEVEL: ks_buf_u64(b, ev->level); break;
    case SG_SYS_TASK: ks_buf_u64(b, ev->task); break;
    case SG_SYS_OPCODE: ks_buf_u64(b, ev->opcode); break;
    case SG_SYS_KEYWORDS: ks_buf_hex(b, ev->keywords); break;
    case SG_SYS_RECORDID: ks_buf_u64(b, ev->record_id); break;
    case SG_SYS_VERSION: ks_buf_u64(b, ev->version); break;
    case SG_SYS_PROVIDER_GUID: ks_buf_append(b, ev->provider_guid.p, ev->provider_guid.len); break;
    case SG_SYS_USERID: ks_buf_append(b, ev->user_sid.p, ev->user_sid.len); break;
    case SG_SYS_PID: ks_buf_u64(b, ev->process_id); break;
    case SG_SYS_TID: ks_buf_u64(b, ev->thread_id); break;
    default: break;
    }
}

/* The text of field id (EventData first, then the System value of that name). */
static bool get_field(ks_sigma_matcher *m, uint32_t id, bool map4688, bool low, ks_str *out)
{
    if (!m->mapped) map_fields(m);
    if (id >= m->nfields) return false;
    uint32_t use = id;
    if (map4688 && m->is4688 && m->r->fields[id].alt4688 != UINT32_MAX)
        use = m->r->fields[id].alt4688;
    if (use < m->nfields && m->fgen[use] == m->gen) {
        int32_t i = m->fidx[use];
        if ((size_t)i < m->nft) return field_text(m, &m->ft[i], &m->ev->fields[i].value, low, out);
        return false;
    }
    uint8_t sys = m->r->fields[id].sys;
    if (!sys || sys >= SG_NSYS) return false;
    ftext *t = &m->sys[sys];
    if (t->gen != m->gen) {
        ks_buf_reset(&t->orig);
        t->orig.failed = 0;
        sys_value(m->ev, sys, &t->orig);
        ks_buf_putc(&t->orig, 0);
        t->present = !t->orig.failed;
        if (t->present) t->orig.len--;
        t->gen = m->gen;
    }
    if (!t->present) return false;
    if (!low) {
        *out = (ks_str){t->orig.data, t->orig.len};
        return true;
    }
    if (t->lgen != m->gen) {
        lower_into(&t->low, t->orig.data, t->orig.len);
        t->lgen = m->gen;
    }
    if (t->low.failed) return false;
    *out = (ks_str){t->low.data ? t->low.data : "", t->low.len};
    return true;
}

/* --- patterns -------------------------------------------------------------------- */

static bool glob(const unsigned char *p, size_t pn, const unsigned char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == SG_WILD_ANY) {
            star = ++pi;
            mark = si;
        } else if (pi < pn && p[pi] == SG_WILD_ONE) {
            pi++;
            si++;
            while (si < sn && (s[si] & 0xc0) == 0x80) si++;
        } else if (pi < pn && p[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != SIZE_MAX) {
            pi = star;
            si = ++mark;
        } else
            return false;
    }
    while (pi < pn && p[pi] == SG_WILD_ANY) pi++;
    return pi == pn;
}

static bool text_op(uint8_t op, const char *p, size_t pn, ks_str t)
{
    switch (op) {
    case SG_OP_EQ: return t.len == pn && (!pn || !memcmp(t.p, p, pn));
    case SG_OP_CONTAINS: return pn == 0 || (t.len >= pn && memmem(t.p, t.len, p, pn));
    case SG_OP_STARTS: return t.len >= pn && !memcmp(t.p, p, pn);
    case SG_OP_ENDS: return t.len >= pn && !memcmp(t.p + t.len - pn, p, pn);
    case SG_OP_GLOB: return glob((const unsigned char *)p, pn, (const unsigned char *)t.p, t.len);
    default: return false;
    }
}

static bool as_number(ks_str t, double *out)
{
    char tmp[64];
    if (!t.len || t.len >= sizeof tmp) return false;
    memcpy(tmp, t.p, t.len);
    tmp[t.len] = 0;
    char *end;
    errno = 0;
    if (t.len > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X')) {
        unsigned long long v = strtoull(tmp + 2, &end, 16);
        if (*end || errno) return false;
        *out = (double)v;
        return true;
    }
    double d = strtod(tmp, &end);
    if (end == tmp || *end || errno) return false;
    *out = d;
    return true;
}

static bool cidr_match(const sg_pat *p, ks_str t)
{
    char tmp[64];
    uint8_t a[16];
    if (!t.len || t.len >= sizeof tmp) return false;
    memcpy(tmp, t.p, t.len);
    tmp[t.len] = 0;
    if (inet_pton(p->family == 4 ? AF_INET : AF_INET6, tmp, a) != 1) return false;
    unsigned bits = p->prefix, k = 0;
    for (; bits >= 8; bits -= 8, k++)
        if (a[k] != p->addr[k]) return false;
    if (bits) {
        uint8_t mask = (uint8_t)(0xff << (8 - bits));
        if ((a[k] & mask) != (p->addr[k] & mask)) return false;
    }
    return true;
}

/* Whether t holds the bytes a regular expression needs as often as it needs them (a
 * cheap test before PCRE2, which backtracks on `\+.*\+.*\+...` over long text). */
static bool re_counts(const sg_pat *p, ks_str t)
{
    for (int k = 0; k < SG_RE_COUNTS && p->cmin[k]; k++) {
        const char *s = t.p, *end = t.p + t.len;
        unsigned seen = 0;
        while (seen < p->cmin[k] && s < end && (s = memchr(s, p->cbyte[k], (size_t)(end - s)))) {
            seen++;
            s++;
        }
        if (seen < p->cmin[k]) return false;
    }
    return true;
}

/* Whether regular expression p matches t. */
static bool re_match(ks_sigma_matcher *m, const sg_pat *p, ks_str t)
{
    if (!re_counts(p, t)) return false;
    if (p->countonly) { /* printable ASCII: the count said it all */
        size_t i = 0;
        while (i < t.len && (((uint8_t)t.p[i] >= 0x20 && (uint8_t)t.p[i] < 0x80) || t.p[i] == '\t'))
            i++;
        if (i == t.len) return true;
    }
    return pcre2_match(p->re, (PCRE2_SPTR)t.p, t.len, 0, 0, m->md, NULL) >= 0;
}

/* Run keyword automaton kw over the text of every field of the event. */
static void run_keywords(ks_sigma_matcher *m, uint32_t kw)
{
    if (!m->mapped) map_fields(m);
    for (size_t i = 0; i < m->ev->nfields && i < m->nft; i++) {
        ks_str t;
        const ks_value *v = &m->ev->fields[i].value;
        if (sg_ac_skip_type(m->r, kw, v->type)) continue;
        /* ASCII UTF-16 straight from the record, unless already converted */
        if (v->type == KS_VT_STRING && m->ft[i].gen != m->gen &&
            sg_ac_run16(m->r, kw, v->data, v->size / 2, m->lithit, m->gen, m->hl[0], &m->nhl[0]))
            continue;
        if (field_text(m, &m->ft[i], v, false, &t))
            sg_ac_run(m->r, kw, t.p, t.len, m->lithit, m->gen, m->hl[0], &m->nhl[0]);
    }
}

/* Run the automaton of field over its text (mapped: under its Security 4688 name). */
static void run_field(ks_sigma_matcher *m, uint32_t field, bool mapped)
{
    uint32_t *hit = mapped ? m->lithit4688 : m->lithit;
    if (!m->mapped) map_fields(m);
    uint32_t use = mapped && m->is4688 && m->r->fields[field].alt4688 != UINT32_MAX
                       ? m->r->fields[field].alt4688
                       : field;
    if (use < m->nfields && m->fgen[use] == m->gen && (size_t)m->fidx[use] < m->nft) {
        /* ASCII UTF-16 straight from the record, unless already converted */
        int32_t i = m->fidx[use];
        const ks_value *v = &m->ev->fields[i].value;
        if (v->type == KS_VT_STRING && m->ft[i].gen != m->gen &&
            sg_ac_run16(m->r, field, v->data, v->size / 2, hit, m->gen, m->hl[mapped],
                        &m->nhl[mapped]))
            return;
    } else if (!m->r->fields[field].sys)
        return; /* not in the event (get_field would say so) */
    ks_str t;
    if (get_field(m, field, mapped, false, &t))
        sg_ac_run(m->r, field, t.p, t.len, hit, m->gen, m->hl[mapped], &m->nhl[mapped]);
}

/* The hit stamps of the literals of automaton field for this event (run once): a
 * field's, or a rule's keywords (ids from nfields on). */
static inline const uint32_t *run_ac(ks_sigma_matcher *m, uint32_t field, bool mapped)
{
    if (field >= m->nfields) { /* keywords: every field's text */
        if (field < m->nauto && m->acgen[field] != m->gen) {
            m->acgen[field] = m->gen;
            m->acfrom[0][field] = m->nhl[0];
            run_keywords(m, field);
            m->acto[0][field] = m->nhl[0];
        }
        return m->lithit;
    }
    uint32_t *gen = mapped ? m->acgen4688 : m->acgen;
    if (gen[field] != m->gen) {
        gen[field] = m->gen;
        m->acfrom[mapped][field] = m->nhl[mapped];
        run_field(m, field, mapped);
        m->acto[mapped][field] = m->nhl[mapped];
    }
    return mapped ? m->lithit4688 : m->lithit;
}

static const uint32_t *lit_hits(ks_sigma_matcher *m, const sg_rule *rule, uint32_t field)
{
    if (field == SG_KEYWORDS) return run_ac(m, rule->kwauto, false);
    bool mapped = field < m->nfields && rule->map4688 && m->is4688 &&
                  m->r->fields[field].alt4688 != UINT32_MAX;
    return run_ac(m, field, mapped);
}

/* Whether one of the literals (ids + 1) lits[0 .. n), ascending, of automaton id
 * (run in this mode) was found: each literal it found looked up in them. */
static bool found_among(const ks_sigma_matcher *m, int mode, uint32_t id, const uint32_t *lits,
                        uint32_t n)
{
    if (id >= m->nauto) return false;
    for (uint32_t k = m->acfrom[mode][id]; k < m->acto[mode][id]; k++) {
        uint32_t want = m->hl[mode][k] + 1, lo = 0, hi = n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (lits[mid] < want)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && lits[lo] == want) return true;
    }
    return false;
}

/* Rules gated by literals found since the last call become candidates. */
static void mark_candidates(ks_sigma_matcher *m)
{
    for (int mode = 0; mode < 2; mode++) {
        for (uint32_t k = m->marked[mode]; k < m->nhl[mode]; k++) {
            uint32_t lit = m->hl[mode][k], n;
            uint32_t f = sg_ac_lit_field(m->r, lit);
            bool can_map = m->is4688 && f < m->nfields && m->r->fields[f].alt4688 != UINT32_MAX;
            const uint32_t *rules = sg_ac_gated(m->r, lit, &n);
            for (uint32_t i = 0; i < n; i++) {
                bool mapped = can_map && m->r->rules[rules[i]]->map4688;
                if (mapped == (mode == 1) && m->cand[rules[i]] != m->gen) {
                    m->cand[rules[i]] = m->gen;
                    m->clist[m->nclist++] = rules[i];
                }
            }
        }
        m->marked[mode] = m->nhl[mode];
    }
}

static bool pat_match(ks_sigma_matcher *m, const sg_rule *rule, uint32_t field, const sg_pat *p)
{
    ks_str t;
    switch (p->op) {
    case SG_OP_EXISTS: return get_field(m, field, rule->map4688, false, &t) == p->exists;
    case SG_OP_NULL: return !get_field(m, field, rule->map4688, false, &t) || t.len == 0;
    case SG_OP_NEVER: return false;
    case SG_OP_RE:
        /* a literal every match contains, found by the automaton, or no match */
        if (p->need && field < m->nfields && lit_hits(m, rule, field)[p->need - 1] != m->gen)
            return false;
        return get_field(m, field, rule->map4688, false, &t) && re_match(m, p, t);
    case SG_OP_CIDR: return get_field(m, field, rule->map4688, false, &t) && cidr_match(p, t);
    case SG_OP_LT:
    case SG_OP_LTE:
    case SG_OP_GT:
    case SG_OP_GTE: {
        double d;
        if (!get_field(m, field, rule->map4688, false, &t) || !as_number(t, &d)) return false;
        return p->op == SG_OP_LT    ? d < p->num
               : p->op == SG_OP_LTE ? d <= p->num
               : p->op == SG_OP_GT  ? d > p->num
                                    : d >= p->num;
    }
    case SG_OP_FIELDREF: {
        ks_str other;
        if (!get_field(m, p->ref, rule->map4688, !p->cased, &other)) return false;
        /* the two texts may share a scratch buffer only for the same field id */
        if (!get_field(m, field, rule->map4688, !p->cased, &t)) return false;
        return text_op(p->refop, other.p, other.len, t);
    }
    default:
        if (p->lit && field < m->nfields) return lit_hits(m, rule, field)[p->lit - 1] == m->gen;
        /* a wildcard value's longest plain part, found by the automaton, or no match */
        if (p->op == SG_OP_GLOB && p->need && field < m->nfields &&
            lit_hits(m, rule, field)[p->need - 1] != m->gen)
            return false;
        if (!get_field(m, field, rule->map4688, !p->cased, &t)) return false;
        return text_op(p->op, p->s, p->n, t);
    }
}

static bool keyword_match(ks_sigma_matcher *m, const sg_rule *rule, const sg_pat *p)
{
    if (p->lit) return lit_hits(m, rule, SG_KEYWORDS)[p->lit - 1] == m->gen;
    if (p->op == SG_OP_RE && p->need && lit_hits(m, rule, SG_KEYWORDS)[p->need - 1] != m->gen)
        return false;
    const ks_event *ev = m->ev;
    if (!m->mapped) map_fields(m);
    for (size_t i = 0; i < ev->nfields && i < m->nft; i++) {
        ks_str t;
        if (!field_text(m, &m->ft[i], &ev->fields[i].value, !p->cased, &t)) continue;
        if (p->op == SG_OP_RE) {
            ks_str o;
            if (field_text(m, &m->ft[i], &ev->fields[i].value, false, &o) && re_match(m, p, o))
                return true;
        } else if (text_op(p->op, p->s, p->n, t))
            return true;
    }
    return false;
}

static bool item_match(ks_sigma_matcher *m, const sg_rule *rule, const sg_item *it)
{
    if (!it->lits) { /* not linked by sigma_ac.c: value by value */
        for (uint32_t k = 0; k < it->npats; k++) {
            const sg_pat *p = &it->pats[k];
            bool hit = it->field == SG_KEYWORDS ? keyword_match(m, rule, p)
                                                : pat_match(m, rule, it->field, p);
            if (it->all != hit) return hit;
        }
        return it->all;
    }
    /* the values that are literals first: their automaton's hits say it all */
    if (it->nlit) {
        const uint32_t *hit = lit_hits(m, rule, it->field), gen = m->gen;
        const uint32_t *l = it->lits, *end = l + it->nlit;
        int mode = hit == m->lithit4688;
        uint32_t id = it->field == SG_KEYWORDS ? rule->kwauto : it->field;
        if (it->all) {
            for (hit--; l < end; l++)
                if (hit[*l] != gen) return false;
        } else if (it->nlit >= 8 && id < m->nauto &&
                   (m->acto[mode][id] - m->acfrom[mode][id]) * 4 < it->nlit) {
            /* few literals found, many to look at: look the found ones up */
            if (found_among(m, mode, id, l, it->nlit)) return true;
        } else
            for (hit--; l < end; l++)
                if (hit[*l] == gen) return true;
    }
    for (uint32_t k = it->nlit; k < it->npats; k++) {
        const sg_pat *p = &it->pats[it->lits[k]];
        bool hit =
            it->field == SG_KEYWORDS ? keyword_match(m, rule, p) : pat_match(m, rule, it->field, p);
        if (it->all != hit) return hit;
    }
    return it->all;
}

static bool sel_match(ks_sigma_matcher *m, const sg_rule *rule, uint32_t s)
{
    if (m->memo[s] >= 0) return m->memo[s];
    const sg_sel *sel = &rule->sels[s];
    bool any = false;
    for (uint32_t a = 0; a < sel->nalts && !any; a++) {
        bool all = true;
        for (uint32_t k = 0; k < sel->alts[a].nitems && all; k++)
            all = item_match(m, rule, &sel->alts[a].items[k]);
        any = all;
    }
    m->memo[s] = any;
    return any;
}

static bool cond_eval(ks_sigma_matcher *m, const sg_rule *rule, uint32_t node, unsigned depth)
{
    if (depth > 8192) return false;
    const sg_cnode *c = &rule->cond[node];
    switch (c->op) {
    case SG_C_SEL: return sel_match(m, rule, c->a);
    case SG_C_AND:
        return cond_eval(m, rule, c->a, depth + 1) && cond_eval(m, rule, c->b, depth + 1);
    case SG_C_OR: return cond_eval(m, rule, c->a, depth + 1) || cond_eval(m, rule, c->b, depth + 1);
    case SG_C_NOT: return !cond_eval(m, rule, c->a, depth + 1);
    case SG_C_ONE_OF:
        for (uint32_t i = 0; i < c->nsels; i++)
            if (sel_match(m, rule, rule->oflist[c->a + i])) return true;
        return false;
    case SG_C_ALL_OF:
        for (uint32_t i = 0; i < c->nsels; i++)
            if (!sel_match(m, rule, rule->oflist[c->a + i])) return false;
        return true;
    default: return false;
    }
}

static bool rule_match(ks_sigma_matcher *m, const sg_rule *rule)
{
    memset(m->memo, 0xff, rule->nsels);
    return cond_eval(m, rule, rule->root, 0);
}

void ks_sigma_matcher_reset(ks_sigma_matcher *m)
{
    sg_corr_state_reset(m->corr);
}

/* The value of field id for a correlation fed by rule: a part of the inner
 * correlation's key (SG_CORR_KEYPART), else the event's field (a closed window's
 * stub event has none: ""). */
static bool corr_value(ks_sigma_matcher *m, const sg_rule *rule, uint32_t id,
                       const sg_corr_hit *inner, const ks_event *ev, ks_str *out)
{
    *out = (ks_str){"", 0};
    if (id & SG_CORR_KEYPART) {
        if (!inner) return false;
        uint32_t want = id & ~SG_CORR_KEYPART, part = 0;
        size_t start = 0;
        for (size_t i = 0; i <= inner->keylen; i++)
            if (i == inner->keylen || inner->key[i] == 0x1f) {
                if (part++ == want) {
                    *out = (ks_str){inner->key + start, i - start};
                    return true;
                }
                start = i + 1;
            }
        return false;
    }
    return ev == m->ev && get_field(m, id, rule->map4688, false, out);
}

static size_t feed_correlations(ks_sigma_matcher *m, const sg_rule *rule, const sg_corr_hit *inner,
                                ks_sigma_match_fn fn, void *ctx, unsigned depth);

/* Correlation ci fired (hit): report it unless only other correlations use it, and
 * feed the correlations of correlations. Returns the calls of fn. */
static size_t fire_correlation(ks_sigma_matcher *m, uint32_t ci, const sg_corr_hit *hit,
                               ks_sigma_match_fn fn, void *ctx, unsigned depth)
{
    const sg_rule *rule = m->r->rules[ci];
    size_t n = 0;
    if (!rule->quiet) {
        n++;
        if (fn) fn(ctx, ci, hit->ev);
    }
    if (rule->nfeeds && depth < SG_CORR_MAX_CHAIN)
        n += feed_correlations(m, rule, hit, fn, ctx, depth + 1);
    return n;
}

/* A rule matched m->ev, or a correlation fired (inner): feed the correlations that
 * use it, each with its group-by key for that step; returns the calls of fn. */
static size_t feed_correlations(ks_sigma_matcher *m, const sg_rule *rule, const sg_corr_hit *inner,
                                ks_sigma_match_fn fn, void *ctx, unsigned depth)
{
    size_t fired = 0;
    /* a closed window's stub event is rewritten by the next window that closes */
    ks_event stub;
    char host[256];
    const ks_event *ev = inner ? inner->ev : m->ev;
    if (ev != m->ev) {
        stub = *ev;
        size_t n = ev->host.len < sizeof host ? ev->host.len : sizeof host - 1;
        if (n) memcpy(host, ev->host.p, n);
        stub.host = (ks_str){host, n};
        ev = &stub;
    }
    for (uint32_t k = 0; k < rule->nfeeds; k++) {
        uint32_t ci = rule->feeds[2 * k], step = rule->feeds[2 * k + 1];
        const sg_corr *c = m->r->rules[ci]->corr;
        ks_buf_reset(&m->key);
        m->key.failed = 0;
        for (uint32_t g = 0; g < c->ngroup; g++) {
            ks_str t;
            if (g) ks_buf_putc(&m->key, 0x1f);
            if (corr_value(m, rule, c->group[step][g], inner, ev, &t))
                ks_buf_append(&m->key, t.p, t.len);
        }
        if (m->key.failed) continue;
        uint32_t val = 0;
        if (c->type == SG_CORR_VALUE_COUNT) {
            ks_str t;
            if (!corr_value(m, rule, c->value_field[step], inner, ev, &t)) continue;
            val = sg_hash(t.p, t.len);
        }
        sg_corr_hit hit;
        if (sg_corr_feed(m->corr, m->r, ci, step, ev, m->key.data ? m->key.data : "", m->key.len,
                         val, &hit))
            fired += fire_correlation(m, ci, &hit, fn, ctx, depth);
    }
    return fired;
}

typedef struct close_ctx {
    ks_sigma_matcher *m;
    ks_sigma_match_fn fn;
    void *ctx;
    size_t n;
    unsigned depth;
} close_ctx;

static void on_close(void *ctx, uint32_t ci, const sg_corr_hit *hit)
{
    close_ctx *c = ctx;
    c->n += fire_correlation(c->m, ci, hit, c->fn, c->ctx, c->depth);
}

size_t ks_sigma_matcher_flush(ks_sigma_matcher *m, ks_sigma_match_fn fn, void *ctx)
{
    close_ctx c = {m, fn, ctx, 0, 0};
    m->ev = NULL;
    /* inner correlations first: what they fire may fill the windows of outer ones */
    for (unsigned level = 1; level <= SG_CORR_MAX_CHAIN; level++)
        for (size_t i = 0; i < m->r->nrules; i++)
            if (m->r->rules[i]->corr && m->r->rules[i]->chain == level) {
                c.depth = level;
                sg_corr_close(m->corr, m->r, (uint32_t)i, on_close, &c);
            }
    sg_corr_state_reset(m->corr);
    return c.n;
}

bool ks_sigma_match_rule(ks_sigma_matcher *m, size_t i, const ks_event *ev)
{
    if (i >= m->r->nrules || m->r->rules[i]->nsels > m->capmemo || !m->r->rules[i]->ncond)
        return false;
    begin_event(m, ev);
    return rule_match(m, m->r->rules[i]);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static size_t run_bucket(ks_sigma_matcher *m, const bucket *b, ks_sigma_match_fn fn, void *ctx)
{
    size_t hits = 0;
    if (!b) return 0;
    /* the automata of the gate fields first: their literals name the candidates */
    for (uint32_t k = 0; k < b->ngf; k++)
        run_ac(m, b->gfields[k] & 0x7fffffff, (b->gfields[k] >> 31) && m->is4688);
    mark_candidates(m);
    /* the bucket's rules in order: those without a gate, and the candidates among
     * those with one */
    uint32_t nc = 0, *c = m->ctmp;
    for (uint32_t k = 0; k < m->nclist; k++)
        if (BIT_GET(b->gated, m->clist[k])) c[nc++] = m->clist[k];
    if (nc > 64)
        qsort(c, nc, sizeof *c, cmp_u32);
    else
        for (uint32_t k = 1; k < nc; k++) {
            uint32_t v = c[k], j = k;
            for (; j && c[j - 1] > v; j--) c[j] = c[j - 1];
            c[j] = v;
        }
    const uint32_t gen = m->gen;
    for (uint32_t oi = 0, ci = 0; oi < b->nopen || ci < nc;) {
        uint32_t i = ci == nc || (oi < b->nopen && b->open[oi] < c[ci]) ? b->open[oi++] : c[ci++];
        if (m->seen[i] == gen) continue;
        m->seen[i] = gen;
        const sg_rule *rule = m->r->rules[i];
        if (rule->nsels > m->capmemo) continue;
        if (rule_match(m, rule)) {
            if (!rule->quiet) {
                hits++;
                if (fn) fn(ctx, i, m->ev);
            }
            if (rule->nfeeds) hits += feed_correlations(m, rule, NULL, fn, ctx, 0);
        }
    }
    return hits;
}

size_t ks_sigma_match(ks_sigma_matcher *m, const ks_event *ev, ks_sigma_match_fn fn, void *ctx)
{
    const sg_index *x = m->r->index;
    if (!x) return 0;
    begin_event(m, ev);
    size_t n = ev->channel.len < sizeof m->chan ? ev->channel.len : 0;
    for (size_t i = 0; i < n; i++) {
        char ch = ev->channel.p[i];
        m->chan[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
    }
    size_t hits = 0;
    if (n) {
        hits += run_bucket(m, index_find(x, m->chan, n, ev->event_id), fn, ctx);
        hits += run_bucket(m, index_find(x, m->chan, n, 0), fn, ctx);
    }
    hits += run_bucket(m, index_find(x, "", 0, ev->event_id), fn, ctx);
    hits += run_bucket(m, index_find(x, "", 0, 0), fn, ctx);
    return hits;
}
