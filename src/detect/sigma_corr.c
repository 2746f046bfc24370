/* Sigma v2 correlation rules at match time: windows kept per correlation and
 * group-by key, by event time only. A condition with only a lower bound (gte, gt)
 * fires as soon as one timespan holds enough (the oldest and newest counted events
 * are never further apart than the timespan; temporal_ordered also checks the order);
 * one with an upper bound (lt, lte, eq, neq) is judged on anchored windows when they
 * close. A window that fires starts again empty. State is bounded (keys, values). */
#include <stdlib.h>
#include <string.h>

#include "detect/sigma_internal.h"

#define SG_CORR_MAX_KEYS 65536
#define SG_CORR_MAX_VALUES 4096
#define SG_CORR_BUCKETS 1024
#define SG_CORR_MAX_STORED (4u << 20) /* times kept in all windows of a matcher */

typedef struct centry {
    struct centry *next;
    uint32_t hash;
    uint32_t n, cap;
    int64_t *t;     /* times (event_count: sorted; temporal*: per step, INT64_MIN unset) */
    uint32_t *vals; /* value_count: value hashes beside t (bounded: the distinct ones) */
    /* a bounded window: its first and last times, events, the last record and host */
    int64_t first, last;
    uint64_t count, last_rec;
    char *host;
    size_t hostlen;
    size_t keylen;
    char key[];
} centry;

typedef struct ctable {
    centry *b[SG_CORR_BUCKETS];
    size_t n;
} ctable;

struct sg_corr_state {
    ctable **t; /* per rule index: a table for each correlation, NULL for the others */
    size_t nrules;
    size_t stored; /* capacity of all windows, bounded by SG_CORR_MAX_STORED */
    ks_event stub; /* what a closed window fires on */
    char stubhost[256];
};

static size_t budget_left(const sg_corr_state *s)
{
    return s->stored < SG_CORR_MAX_STORED ? SG_CORR_MAX_STORED - s->stored : 0;
}

sg_corr_state *sg_corr_state_new(const ks_sigma_rules *r)
{
    sg_corr_state *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->nrules = r->nrules;
    s->t = calloc(r->nrules + 1, sizeof *s->t);
    for (size_t i = 0; s->t && i < r->nrules; i++)
        if (r->rules[i]->corr && !(s->t[i] = calloc(1, sizeof *s->t[i]))) {
            sg_corr_state_free(s);
            return NULL;
        }
    if (!s->t) {
        free(s);
        return NULL;
    }
    return s;
}

void sg_corr_state_reset(sg_corr_state *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nrules; i++)
        for (int k = 0; s->t[i] && k < SG_CORR_BUCKETS; k++) {
            centry *e = s->t[i]->b[k];
            while (e) {
                centry *next = e->next;
                free(e->t);
                free(e->vals);
                free(e->host);
                free(e);
                e = next;
            }
            s->t[i]->b[k] = NULL;
            s->t[i]->n = 0;
        }
    s->stored = 0;
}

void sg_corr_state_free(sg_corr_state *s)
{
    if (!s) return;
    if (s->t) {
        sg_corr_state_reset(s);
        for (size_t i = 0; i < s->nrules; i++) free(s->t[i]);
    }
    free(s->t);
    free(s);
}

static centry *entry(ctable *t, const char *key, size_t n)
{
    uint32_t h = sg_hash(key, n);
    centry **pp = &t->b[h % SG_CORR_BUCKETS];
    for (centry *e = *pp; e; e = e->next)
        if (e->hash == h && e->keylen == n && !memcmp(e->key, key, n)) return e;
    if (t->n >= SG_CORR_MAX_KEYS) return NULL;
    centry *e = calloc(1, sizeof *e + n + 1);
    if (!e) return NULL;
    e->hash = h;
    e->keylen = n;
    memcpy(e->key, key, n);
    e->next = *pp;
    *pp = e;
    t->n++;
    return e;
}

/* Room for `want` entries (grown by doubling, within the matcher's budget). */
static int reserve(sg_corr_state *s, centry *e, uint32_t want, bool vals)
{
    if (e->cap >= want) return 0;
    uint32_t cap = e->cap ? e->cap * 2 : 8;
    if (cap < want) cap = want;
    if (cap - e->cap > budget_left(s)) return -1;
    s->stored += cap - e->cap;
    int64_t *t = realloc(e->t, cap * sizeof *t);
    if (!t) return -1;
    e->t = t;
    if (vals) {
        uint32_t *v = realloc(e->vals, cap * sizeof *v);
        if (!v) return -1;
        e->vals = v;
    }
    e->cap = cap;
    return 0;
}

/* event_count: the times of the last `need` events, sorted; fires when they fit
 * in the timespan. */
static bool feed_count(sg_corr_state *s, const sg_corr *c, centry *e, int64_t t)
{
    uint32_t need = (uint32_t)c->need;
    if (reserve(s, e, e->n < need ? e->n + 1 : need, false) != 0) return false;
    if (e->n == need) { /* drop the oldest, unless t is older still */
        if (t < e->t[0]) return false;
        memmove(e->t, e->t + 1, (size_t)(need - 1) * sizeof *e->t);
        e->n--;
    }
    uint32_t i = e->n;
    while (i > 0 && e->t[i - 1] > t) {
        e->t[i] = e->t[i - 1];
        i--;
    }
    e->t[i] = t;
    e->n++;
    if (e->n == need && e->t[need - 1] - e->t[0] <= c->timespan_ns) {
        e->n = 0;
        return true;
    }
    return false;
}

/* value_count: each distinct value with the last time it was seen; values older
 * than the timespan before t are dropped. */
static bool feed_values(sg_corr_state *s, const sg_corr *c, centry *e, int64_t t, uint32_t val)
{
    uint32_t k = 0, w = 0;
    bool found = false;
    for (k = 0; k < e->n; k++) {
        if (e->vals[k] == val) {
            if (t > e->t[k]) e->t[k] = t;
            found = true;
        }
        if (t - e->t[k] <= c->timespan_ns) {
            e->t[w] = e->t[k];
            e->vals[w++] = e->vals[k];
        }
    }
    e->n = w;
    if (!found) {
        if (e->n == SG_CORR_MAX_VALUES) return false;
        if (reserve(s, e, e->n + 1, true) != 0) return false;
        e->t[e->n] = t;
        e->vals[e->n++] = val;
    }
    /* the distinct values inside [t - timespan, t] */
    uint64_t inside = 0;
    for (k = 0; k < e->n; k++) inside += e->t[k] <= t;
    if (inside >= c->need) {
        e->n = 0;
        return true;
    }
    return false;
}

static bool feed_temporal(sg_corr_state *s, const sg_corr *c, centry *e, uint32_t step, int64_t t)
{
    if (reserve(s, e, c->nrefs, false) != 0) return false;
    if (e->n < c->nrefs) {
        for (uint32_t k = e->n; k < c->nrefs; k++) e->t[k] = INT64_MIN;
        e->n = c->nrefs;
    }
    if (c->type == SG_CORR_TEMPORAL) { /* the rules seen within the timespan of t */
        if (e->t[step] == INT64_MIN || t > e->t[step]) e->t[step] = t;
        uint64_t seen = 0;
        for (uint32_t k = 0; k < c->nrefs; k++)
            seen += e->t[k] != INT64_MIN && t - e->t[k] <= c->timespan_ns &&
                    e->t[k] - t <= c->timespan_ns;
        if (seen < c->need) return false;
        e->n = 0;
        return true;
    }
    /* ordered: t[k] is the start time of the latest chain that reached step k */
    if (step == 0)
        e->t[0] = t;
    else if (e->t[step - 1] != INT64_MIN && t - e->t[step - 1] <= c->timespan_ns &&
             (e->t[step] == INT64_MIN || e->t[step - 1] > e->t[step]))
        e->t[step] = e->t[step - 1];
    if (step + 1 == c->nrefs && e->t[step] != INT64_MIN && t - e->t[step] <= c->timespan_ns) {
        e->n = 0;
        return true;
    }
    return false;
}

/* Whether a closed bounded window satisfies the condition. */
static bool judge(const sg_corr *c, const centry *e)
{
    uint64_t n = c->type == SG_CORR_VALUE_COUNT ? e->n : e->count;
    return n && n >= c->need && n <= c->most && !(c->has_neq && n == c->neq);
}

/* Fire a closed window: hit gets a stub event with its last time, record and host. */
static void stub_hit(sg_corr_state *s, const centry *e, sg_corr_hit *hit)
{
    size_t n = e->hostlen < sizeof s->stubhost ? e->hostlen : sizeof s->stubhost - 1;
    if (n) memcpy(s->stubhost, e->host, n);
    s->stubhost[n] = 0;
    memset(&s->stub, 0, sizeof s->stub);
    s->stub.time_ns = e->last;
    s->stub.record_id = e->last_rec;
    s->stub.host = (ks_str){s->stubhost, n};
    hit->ev = &s->stub;
    hit->key = e->key;
    hit->keylen = e->keylen;
}

static void clear_window(centry *e)
{
    e->count = 0;
    e->n = 0;
}

/* A bounded condition: anchored windows, judged when an event of the key falls
 * beyond the timespan (or at sg_corr_close). */
static bool feed_bounded(sg_corr_state *s, const sg_corr *c, centry *e, const ks_event *ev,
                         uint32_t val, sg_corr_hit *hit)
{
    int64_t t = ev->time_ns;
    bool fired = false;
    if (e->count) {
        int64_t lo = t < e->first ? t : e->first, hi = t > e->last ? t : e->last;
        if (hi - lo > c->timespan_ns) {
            if ((fired = judge(c, e))) stub_hit(s, e, hit);
            clear_window(e);
        }
    }
    if (!e->count) e->first = e->last = t;
    if (t < e->first) e->first = t;
    if (t >= e->last) {
        e->last = t;
        e->last_rec = ev->record_id;
        size_t hn = ev->host.len < sizeof s->stubhost ? ev->host.len : sizeof s->stubhost - 1;
        if (e->hostlen != hn || (hn && memcmp(e->host, ev->host.p, hn))) {
            char *h = realloc(e->host, hn + 1);
            if (h) {
                if (hn) memcpy(h, ev->host.p, hn);
                h[hn] = 0;
                e->host = h;
                e->hostlen = hn;
            }
        }
    }
    e->count++;
    if (c->type == SG_CORR_VALUE_COUNT) {
        uint32_t k = 0;
        while (k < e->n && e->vals[k] != val) k++;
        if (k == e->n && e->n < SG_CORR_MAX_VALUES && reserve(s, e, e->n + 1, true) == 0)
            e->vals[e->n++] = val;
    }
    return fired;
}

size_t sg_corr_close(sg_corr_state *s, const ks_sigma_rules *r, uint32_t ci,
                     void (*fn)(void *ctx, uint32_t ci, const sg_corr_hit *hit), void *ctx)
{
    if (!s || ci >= s->nrules || ci >= r->nrules || !r->rules[ci]->corr || !s->t[ci]) return 0;
    const sg_corr *c = r->rules[ci]->corr;
    size_t fired = 0;
    if (!c->bounded) return 0;
    for (int k = 0; k < SG_CORR_BUCKETS; k++)
        for (centry *e = s->t[ci]->b[k]; e; e = e->next) {
            if (!e->count) continue;
            if (judge(c, e)) {
                sg_corr_hit hit;
                stub_hit(s, e, &hit);
                clear_window(e);
                fired++;
                if (fn) fn(ctx, ci, &hit);
            } else
                clear_window(e);
        }
    return fired;
}

bool sg_corr_feed(sg_corr_state *s, const ks_sigma_rules *r, uint32_t ci, uint32_t step,
                  const ks_event *ev, const char *key, size_t keylen, uint32_t val,
                  sg_corr_hit *hit)
{
    if (!s || ci >= s->nrules || ci >= r->nrules || !r->rules[ci]->corr || !s->t[ci]) return false;
    const sg_corr *c = r->rules[ci]->corr;
    centry *e = entry(s->t[ci], key, keylen);
    if (!e) return false;
    hit->ev = ev;
    hit->key = e->key;
    hit->keylen = e->keylen;
    if (c->bounded) return feed_bounded(s, c, e, ev, val, hit);
    switch (c->type) {
    case SG_CORR_EVENT_COUNT: return feed_count(s, c, e, ev->time_ns);
    case SG_CORR_VALUE_COUNT: return feed_values(s, c, e, ev->time_ns, val);
    default: return step < c->nrefs && feed_temporal(s, c, e, step, ev->time_ns);
    }
}
