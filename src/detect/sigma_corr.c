/* Sigma v2 correlation rules at match time: windows kept per correlation and
 * group-by key, by event time only. event_count and value_count fire when the
 * threshold is reached inside one timespan (the oldest and newest counted events are
 * never further apart than the timespan); temporal when every referenced rule matched
 * inside one timespan; temporal_ordered when they matched in the order listed. A
 * window that fires starts again empty. State is bounded (keys, values per key). */
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
    uint32_t *vals; /* value_count: value hashes beside t */
    size_t keylen;
    char key[];
} centry;

typedef struct ctable {
    centry *b[SG_CORR_BUCKETS];
    size_t n;
} ctable;

struct sg_corr_state {
    ctable *t; /* per rule index (only correlations use theirs) */
    size_t nrules;
    size_t stored; /* capacity of all windows, bounded by SG_CORR_MAX_STORED */
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
        for (int k = 0; k < SG_CORR_BUCKETS; k++) {
            centry *e = s->t[i].b[k];
            while (e) {
                centry *next = e->next;
                free(e->t);
                free(e->vals);
                free(e);
                e = next;
            }
            s->t[i].b[k] = NULL;
            s->t[i].n = 0;
        }
    s->stored = 0;
}

void sg_corr_state_free(sg_corr_state *s)
{
    if (!s) return;
    sg_corr_state_reset(s);
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
    if (c->type == SG_CORR_TEMPORAL) {
        if (e->t[step] == INT64_MIN || t > e->t[step]) e->t[step] = t;
        for (uint32_t k = 0; k < c->nrefs; k++)
            if (e->t[k] == INT64_MIN || t - e->t[k] > c->timespan_ns ||
                e->t[k] - t > c->timespan_ns)
                return false;
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

bool sg_corr_feed(sg_corr_state *s, const ks_sigma_rules *r, uint32_t ci, uint32_t step,
                  const ks_event *ev, const char *key, size_t keylen, uint32_t val)
{
    if (!s || ci >= s->nrules || ci >= r->nrules || !r->rules[ci]->corr) return false;
    const sg_corr *c = r->rules[ci]->corr;
    centry *e = entry(&s->t[ci], key, keylen);
    if (!e) return false;
    switch (c->type) {
    case SG_CORR_EVENT_COUNT: return feed_count(s, c, e, ev->time_ns);
    case SG_CORR_VALUE_COUNT: return feed_values(s, c, e, ev->time_ns, val);
    default: return step < c->nrefs && feed_temporal(s, c, e, step, ev->time_ns);
    }
}
