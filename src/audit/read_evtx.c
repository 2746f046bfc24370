/* Event logs for the readiness audit: an exported .evtx gives, per channel and
 * Computer, how many records it holds, the sum of their sizes and the time of its
 * first and last event; ks_audit_checks turns that into days of retention. The rate
 * goes to the host the records name, else to the host of the folder the log is in. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "kensa/evtx.h"

#define KS_EVTX_MAX_GROUPS 256 /* channel and Computer pairs kept per log */

typedef struct group {
    char channel[128], computer[256];
    ks_audit_rate r;
} group;

typedef struct evtx_ctx {
    ks_audit_rd *rd;
    group *g;
    size_t n;
    size_t last; /* the group of the last readable record */
} evtx_ctx;

static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    ks_audit_rd *rd = ctx;
    if (p->severity != KS_EVTX_ERROR) return;
    ks_audit_problem(rd, 0, "offset %llu: %s", (unsigned long long)p->offset, p->what);
}

static void copy_str(char *dst, size_t cap, ks_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) memcpy(dst, s.p, n);
    dst[n] = 0;
}

/* The group of (channel, computer), made when new; SIZE_MAX when there are too many. */
static size_t group_of(evtx_ctx *c, ks_str channel, ks_str computer)
{
    char ch[128], co[256];
    copy_str(ch, sizeof ch, channel);
    copy_str(co, sizeof co, computer);
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->g[i].channel, ch) && !strcmp(c->g[i].computer, co)) return i;
    if (c->n >= KS_EVTX_MAX_GROUPS) return SIZE_MAX;
    group *g = &c->g[c->n];
    memset(g, 0, sizeof *g);
    memcpy(g->channel, ch, sizeof ch);
    memcpy(g->computer, co, sizeof co);
    return c->n++;
}

static void count(group *g, const ks_evtx_record *rec, int64_t t)
{
    g->r.records++;
    g->r.bytes += rec->size;
    if (t && (!g->r.first_ns || t < g->r.first_ns)) g->r.first_ns = t;
    if (t && (!g->r.last_ns || t > g->r.last_ns)) g->r.last_ns = t;
}

void ks_audit_read_evtx(ks_audit_rd *rd, const void *data, size_t n)
{
    ks_evtx *ev = NULL;
    ks_diag d = {0};
    ks_status st =
        data ? ks_evtx_open_mem(&ev, data, n, rd->file, &d) : ks_evtx_open(&ev, rd->file, &d);
    ks_audit_export *ex = &rd->h->pub.exports[rd->ex];
    if (st != KS_OK) {
        ex->status = KS_AUDIT_READ_FAILED;
        ex->nproblems = 1;
        ex->problem = ks_audit_strndup(rd->a, d.what, strlen(d.what));
        return;
    }
    ks_evtx_on_problem(ev, on_problem, rd);
    evtx_ctx c = {.rd = rd, .g = calloc(KS_EVTX_MAX_GROUPS, sizeof(group)), .last = SIZE_MAX};
    if (!c.g) {
        ks_evtx_close(&ev);
        ks_audit_problem(rd, 0, "out of memory");
        return;
    }
    uint64_t unread = 0;
    for (;;) { /* bounded: the reader ends at the end of the file's chunks */
        const ks_evtx_record *rec;
        if (ks_evtx_next(ev, &rec) != KS_OK || !rec) break;
        ks_event e;
        memset(&e, 0, sizeof e);
        size_t gi = c.last;
        int64_t t = rec->written_ns;
        if (ks_evtx_record_event(rec, &e) == KS_OK) {
            gi = group_of(&c, e.channel, e.host);
            if (e.time_ns) t = e.time_ns;
            if (gi != SIZE_MAX) c.last = gi;
        } else {
            unread++;
            if (gi == SIZE_MAX) gi = group_of(&c, (ks_str){"", 0}, (ks_str){"", 0});
        }
        if (gi != SIZE_MAX) count(&c.g[gi], rec, t);
    }
    if (unread)
        ks_audit_problem(rd, 0, "%llu records could not be read as events",
                         (unsigned long long)unread);
    if (!c.n && !ex->nproblems) ks_audit_problem(rd, 0, "no records");
    for (size_t i = 0; i < c.n; i++) {
        ks_audit_rate r = c.g[i].r;
        r.channel = ks_audit_strndup(rd->a, c.g[i].channel, strlen(c.g[i].channel));
        r.file = rd->file;
        ks_audit_rate_add(rd, &r, c.g[i].computer);
    }
    free(c.g);
    ks_evtx_close(&ev);
}
