/* Dumping a file: chunks are the unit of parallel work. Workers each hold a cursor
 * and render runs of consecutive chunks (batches, so that threads meet rarely) into
 * slot buffers; the calling thread writes the slots out in file order and replays
 * the problems they collected, so output and messages are the same whatever the
 * thread count. A bounded window of slots keeps memory flat. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "evtx/evtx_internal.h"

typedef struct slot {
    ks_buf out;
    ks_buf probs; /* problems, serialized: struct pentry then `what` bytes */
    int done;
} slot;

typedef struct pentry {
    ks_evtx_problem p;
    size_t what_len;
} pentry;

typedef struct job {
    const ks_dump_opts *o;
    uint32_t nchunks;
    uint32_t batch; /* chunks per slot */
    uint32_t nbatches;
    uint32_t window; /* slots */
    slot *slots;
    pthread_mutex_t mu;
    pthread_cond_t done_cv, space_cv;
    uint32_t next_claim, next_write;
    ks_evtx_stats totals;
} job;

typedef struct worker {
    job *j;
    ks_evtx_cursor *c;
    slot *cur;
} worker;

static void collect_problem(void *ctx, const ks_evtx_problem *p)
{
    worker *w = ctx;
    pentry e = {*p, strlen(p->what)};
    e.p.what = NULL;
    ks_buf_append(&w->cur->probs, &e, sizeof e);
    ks_buf_append(&w->cur->probs, p->what, e.what_len);
}

static void replay_problems(const ks_dump_opts *o, ks_buf *probs)
{
    size_t pos = 0;
    char what[512];
    while (pos + sizeof(pentry) <= probs->len) {
        pentry e;
        memcpy(&e, probs->data + pos, sizeof e);
        pos += sizeof e;
        size_t n = e.what_len < sizeof what - 1 ? e.what_len : sizeof what - 1;
        memcpy(what, probs->data + pos, n);
        what[n] = 0;
        pos += e.what_len;
        e.p.what = what;
        if (o->on_problem) o->on_problem(o->problem_ctx, &e.p);
    }
    ks_buf_reset(probs);
}

static void render_chunk(ks_evtx_cursor *c, uint32_t index, ks_dump_format fmt, ks_buf *out)
{
    if (ks_evtx_cursor_chunk(c, index) != KS_OK) return;
    const ks_evtx_record *rec;
    while (ks_evtx_cursor_next(c, &rec) == KS_OK && rec) {
        if (fmt == KS_DUMP_XML)
            ks_evtx_render_xml(rec, out);
        else
            ks_evtx_render_json(rec, out);
    }
}

static void add_stats(ks_evtx_stats *t, const ks_evtx_stats *s)
{
    t->records += s->records;
    t->records_skipped += s->records_skipped;
    t->records_recovered += s->records_recovered;
    t->chunks += s->chunks;
    t->chunks_empty += s->chunks_empty;
    t->chunks_bad += s->chunks_bad;
    t->chunks_crc += s->chunks_crc;
}

static void *work(void *arg)
{
    worker *w = arg;
    job *j = w->j;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (j->next_claim < j->nbatches && j->next_claim >= j->next_write + j->window)
            pthread_cond_wait(&j->space_cv, &j->mu);
        if (j->next_claim >= j->nbatches) {
            pthread_mutex_unlock(&j->mu);
            break;
        }
        uint32_t idx = j->next_claim++;
        pthread_mutex_unlock(&j->mu);
        w->cur = &j->slots[idx % j->window];
        uint32_t end = (idx + 1) * j->batch < j->nchunks ? (idx + 1) * j->batch : j->nchunks;
        for (uint32_t ci = idx * j->batch; ci < end; ci++)
            render_chunk(w->c, ci, j->o->format, &w->cur->out);
        pthread_mutex_lock(&j->mu);
        w->cur->done = 1;
        pthread_cond_signal(&j->done_cv); /* only the writing thread waits for it */
        pthread_mutex_unlock(&j->mu);
    }
    return NULL;
}

static int flush(const ks_dump_opts *o, ks_buf *b)
{
    /* an empty chunk has no data yet (NULL), which fwrite may not be given */
    int ok = !b->failed && (b->len == 0 || fwrite(b->data, 1, b->len, o->out) == b->len);
    ks_buf_reset(b);
    b->failed = 0;
    return ok;
}

static ks_status dump_serial(ks_evtx *r, const ks_dump_opts *o, uint32_t n, ks_evtx_stats *stats)
{
    ks_status st = KS_OK;
    worker w = {0};
    slot s = {0};
    w.cur = &s;
    if (ks_evtx_cursor_open(&w.c, r)) return KS_ERR_NOMEM;
    ks_evtx_cursor_on_problem(w.c, collect_problem, &w);
    for (uint32_t i = 0; i < n; i++) {
        render_chunk(w.c, i, o->format, &s.out);
        replay_problems(o, &s.probs);
        if (!flush(o, &s.out)) st = KS_ERR_IO;
        if (o->on_progress) o->on_progress(o->progress_ctx, i + 1, n);
    }
    *stats = *ks_evtx_cursor_stats(w.c);
    ks_evtx_cursor_close(&w.c);
    ks_buf_free(&s.out);
    ks_buf_free(&s.probs);
    return st;
}

ks_status ks_evtx_dump(ks_evtx *r, const ks_dump_opts *o, ks_evtx_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    ks_evtx_report_header(r, o->on_problem, o->problem_ctx);
    uint32_t n = ks_evtx_get_info(r)->chunks;
    int threads = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
    if ((uint32_t)threads > n) threads = n ? (int)n : 1;
    if (threads == 1) return dump_serial(r, o, n, stats);
    ks_status st = KS_OK;

    /* batches of up to 8 chunks (a few hundred microseconds of work, so that threads
     * meet rarely), small enough that every thread gets several and that the slots'
     * output stays a few megabytes */
    uint32_t batch = n / ((uint32_t)threads * 8);
    batch = batch < 1 ? 1 : batch > 8 ? 8 : batch;
    job j = {.o = o,
             .nchunks = n,
             .batch = batch,
             .nbatches = (n + batch - 1) / batch,
             .window = (uint32_t)threads * 3};
    j.slots = calloc(j.window, sizeof *j.slots);
    worker *ws = calloc((size_t)threads, sizeof *ws);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!j.slots || !ws || !tids) {
        free(j.slots);
        free(ws);
        free(tids);
        return KS_ERR_NOMEM;
    }
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.done_cv, NULL);
    pthread_cond_init(&j.space_cv, NULL);
    int started = 0;
    for (int t = 0; t < threads; t++) {
        ws[t].j = &j;
        if (ks_evtx_cursor_open(&ws[t].c, r)) break;
        ks_evtx_cursor_on_problem(ws[t].c, collect_problem, &ws[t]);
        if (pthread_create(&tids[t], NULL, work, &ws[t]) != 0) {
            ks_evtx_cursor_close(&ws[t].c);
            break;
        }
        started++;
    }
    for (uint32_t i = 0; started && i < j.nbatches; i++) {
        slot *s = &j.slots[i % j.window];
        pthread_mutex_lock(&j.mu);
        while (!s->done) pthread_cond_wait(&j.done_cv, &j.mu);
        pthread_mutex_unlock(&j.mu);
        replay_problems(o, &s->probs);
        if (!flush(o, &s->out)) st = KS_ERR_IO;
        if (o->on_progress)
            o->on_progress(o->progress_ctx, (i + 1) * batch < n ? (i + 1) * batch : n, n);
        pthread_mutex_lock(&j.mu);
        s->done = 0;
        j.next_write++;
        pthread_cond_broadcast(&j.space_cv);
        pthread_mutex_unlock(&j.mu);
    }
    for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
    for (int t = 0; t < threads; t++) {
        if (ws[t].c) add_stats(stats, ks_evtx_cursor_stats(ws[t].c));
        ks_evtx_cursor_close(&ws[t].c);
    }
    for (uint32_t i = 0; i < j.window; i++) {
        ks_buf_free(&j.slots[i].out);
        ks_buf_free(&j.slots[i].probs);
    }
    pthread_mutex_destroy(&j.mu);
    pthread_cond_destroy(&j.done_cv);
    pthread_cond_destroy(&j.space_cv);
    free(j.slots);
    free(ws);
    free(tids);
    if (!started) return dump_serial(r, o, n, stats); /* no thread could start */
    return st;
}
