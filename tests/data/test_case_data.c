/* The case over the real samples (../shared/data/evtx): every event ks_source reads
 * (what `kensa dump` reads) is in the case, linked to its file; ingesting everything
 * again changes nothing; an SQL function over a file counts what the case counts. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/kensa.h"

typedef struct files {
    char **v;
    size_t n, cap;
} files;

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    files *l = ctx;
    if (f == KS_FORMAT_UNKNOWN) return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) exit(1);
    }
    l->v[l->n++] = strdup(path);
}

static long long query_int(ks_case *c, const char *sql)
{
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(ks_case_db(c), sql, -1, &q, NULL) != SQLITE_OK) return -2;
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Events ks_source hands out for the file, or -1 when it cannot be opened. */
static long long source_events(const char *path)
{
    ks_source *s = NULL;
    if (ks_source_open(&s, path, NULL, NULL) != KS_OK) return -1;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
    }
    long long n = (long long)ks_source_get_stats(s)->events;
    ks_source_close(&s);
    return n;
}

int main(void)
{
    const char *data = ks_test_data_dir();
    char evtx[1024], casep[256];
    snprintf(evtx, sizeof evtx, "%s/evtx", data);
    snprintf(casep, sizeof casep, "%s/test_case_data.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(casep);
    if (fd < 0) return 1;
    close(fd);
    unlink(casep);

    files l = {0};
    CHECK_INT(ks_evidence_walk(evtx, on_file, &l, NULL), KS_OK);
    CHECK(l.n > 100);
    long long expected = 0;
    size_t readable = 0;
    long long *per = calloc(l.n, sizeof *per);
    for (size_t i = 0; i < l.n; i++) {
        per[i] = source_events(l.v[i]);
        if (per[i] >= 0) {
            expected += per[i];
            readable++;
        }
    }

    ks_case *c = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return ks_test_done();
    long long read = 0, added = 0, mismatched = 0;
    size_t ingested = 0;
    for (size_t i = 0; i < l.n; i++) {
        ks_ingest_stats s;
        ks_status st = ks_case_ingest(c, l.v[i], NULL, &s, &d);
        if (per[i] < 0) {
            CHECK(st != KS_OK);
            continue;
        }
        if (s.evidence_id == 0) {
            fprintf(stderr, "%s: not ingested: %s\n", l.v[i], d.what);
            CHECK(0);
            continue;
        }
        ingested++;
        read += (long long)s.events;
        added += (long long)s.added;
        if ((long long)s.events != per[i]) {
            mismatched++;
            fprintf(stderr, "%s: %llu events ingested, ks_source reads %lld\n", l.v[i],
                    (unsigned long long)s.events, per[i]);
        }
        CHECK(!s.changed);
    }
    CHECK_INT(mismatched, 0);
    CHECK_INT(ingested, readable);
    CHECK_INT(read, expected);
    ks_case_counts n;
    CHECK_INT(ks_case_counts_get(c, &n, &d), KS_OK);
    CHECK_INT(n.links, expected);
    CHECK_INT(n.events, added);
    CHECK_INT(n.evidence, readable);
    CHECK(n.events <= (uint64_t)expected && n.events > 0);
    CHECK_INT(query_int(c, "SELECT sum(events) FROM evidence"), expected);
    CHECK_INT(query_int(c, "SELECT count(*) FROM evidence WHERE complete = 0 OR changed = 1 OR "
                           "sha256 != sha256_end"),
              0);
    printf("%zu files, %lld events read (ks_source: %lld), %llu distinct in the case\n", readable,
           read, expected, (unsigned long long)n.events);

    /* twice: nothing changes */
    long long already = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (per[i] < 0) continue;
        ks_ingest_stats s;
        CHECK_INT(ks_case_ingest(c, l.v[i], NULL, &s, &d), KS_OK);
        already += s.already;
    }
    CHECK_INT(already, readable);
    ks_case_counts m;
    CHECK_INT(ks_case_counts_get(c, &m, &d), KS_OK);
    CHECK_INT(m.events, n.events);
    CHECK_INT(m.links, n.links);
    CHECK_INT(m.evidence, n.evidence);

    /* a file function counts what ks_source reads */
    for (size_t i = 0; i < l.n && i < 20; i++) {
        if (per[i] < 0) continue;
        char *sql = sqlite3_mprintf("SELECT count(*) FROM logs(%Q)", l.v[i]);
        CHECK_INT(query_int(c, sql), per[i]);
        sqlite3_free(sql);
    }
    ks_case_close(&c);
    unlink(casep);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", casep);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", casep);
    unlink(side);
    for (size_t i = 0; i < l.n; i++) free(l.v[i]);
    free(l.v);
    free(per);
    return ks_test_done();
}
