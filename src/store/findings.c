/* What hunt and investigate found, kept in the case: a run per invocation, the
 * findings of each tool's latest run (columns for SQL, the whole finding as JSON)
 * and the investigation's intrusion estimate, which `kensa backup advise --case`
 * reads. The tables are in schema version 2 (case.c). */
#include <sqlite3.h>
#include <string.h>

#include "kensa/case.h"
#include "kensa/kensa.h"
#include "kensa/time.h"
#include "store.h"

static ks_status fail(ks_diag *d, sqlite3 *db, const char *what)
{
    return ks_diag_set(d, KS_ERR_IO, NULL, 0, "%s: %s", what, sqlite3_errmsg(db));
}

static void bind_time(sqlite3_stmt *q, int col, int64_t ns, ks_buf *b)
{
    ks_buf_reset(b);
    ks_time_format(b, ns, 7);
    if (b->failed)
        sqlite3_bind_null(q, col);
    else
        sqlite3_bind_text(q, col, b->data, (int)b->len, SQLITE_TRANSIENT);
}

static void bind_str(sqlite3_stmt *q, int col, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(q, col, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, col);
}

static ks_status put_finding(sqlite3 *db, sqlite3_stmt *q, int64_t run, const ks_finding *f,
                             ks_buf *json, ks_buf *t, ks_diag *d)
{
    char cats[160];
    ks_finding_categories(f, cats, sizeof cats);
    ks_buf_reset(json);
    ks_finding_write_json(json, f, NULL);
    if (json->failed) return ks_diag_set(d, KS_ERR_NOMEM, NULL, 0, "out of memory");
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_text(q, 2, f->detector->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, ks_level_name(f->severity), -1, SQLITE_STATIC);
    bind_str(q, 4, cats);
    bind_str(q, 5, f->host);
    bind_str(q, 6, f->user);
    bind_str(q, 7, f->src_ip);
    bind_time(q, 8, f->first_ns, t);
    bind_time(q, 9, f->last_ns, t);
    sqlite3_bind_int64(q, 10, f->first_ns);
    sqlite3_bind_int64(q, 11, f->last_ns);
    sqlite3_bind_int64(q, 12, (int64_t)f->count);
    bind_str(q, 13, f->explanation);
    sqlite3_bind_text(q, 14, json->data, (int)json->len, SQLITE_TRANSIENT);
    return sqlite3_step(q) == SQLITE_DONE ? KS_OK : fail(d, db, "cannot store a finding");
}

static const ks_finding *from_array(void *ctx, size_t i)
{
    return (const ks_finding *)ctx + i;
}

ks_status ks_case_put_findings(ks_case *c, const char *tool, const ks_finding *f, size_t n,
                               int64_t *run, ks_diag *diag)
{
    return ks_case_put_findings_from(c, tool, n, from_array, (void *)f, run, diag);
}

ks_status ks_case_put_findings_from(ks_case *c, const char *tool, size_t n, ks_finding_get_fn get,
                                    void *ctx, int64_t *run, ks_diag *diag)
{
    sqlite3 *db = ks_case_db(c);
    sqlite3_stmt *q = NULL;
    ks_buf json = {0}, t = {0};
    ks_status st = KS_OK;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(diag, db, "cannot lock the case");
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO runs(tool, started, kensa, findings) VALUES(?1, "
                           "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3)",
                           -1, &q, NULL) != SQLITE_OK) {
        st = fail(diag, db, "cannot store the run");
        goto out;
    }
    sqlite3_bind_text(q, 1, tool, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, KS_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (int64_t)n);
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = fail(diag, db, "cannot store the run");
        goto out;
    }
    int64_t id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(q);
    q = NULL;
    /* the tool's earlier findings give way to this run's */
    if (sqlite3_prepare_v2(db,
                           "DELETE FROM findings WHERE run IN (SELECT id FROM runs WHERE tool = "
                           "?1 AND id <> ?2)",
                           -1, &q, NULL) != SQLITE_OK) {
        st = fail(diag, db, "cannot replace the earlier findings");
        goto out;
    }
    sqlite3_bind_text(q, 1, tool, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, id);
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = fail(diag, db, "cannot replace the earlier findings");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO findings(run, detector, severity, categories, host, "
                           "user, src_ip, first_time, last_time, first_ns, last_ns, count, "
                           "explanation, json) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
                           "?14)",
                           -1, &q, NULL) != SQLITE_OK) {
        st = fail(diag, db, "cannot store the findings");
        goto out;
    }
    for (size_t i = 0; i < n && st == KS_OK; i++) {
        const ks_finding *f = get(ctx, i);
        st = f ? put_finding(db, q, id, f, &json, &t, diag)
               : ks_diag_set(diag, KS_ERR_IO, NULL, 0, "cannot read the findings back");
    }
    if (st == KS_OK && run) *run = id;
out:
    sqlite3_finalize(q);
    ks_buf_free(&json);
    ks_buf_free(&t);
    if (st == KS_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        st = fail(diag, db, "cannot write the case");
    if (st != KS_OK) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

ks_status ks_case_put_intrusion(ks_case *c, int64_t run, bool found, int64_t time_ns,
                                const char *summary_json, ks_diag *diag)
{
    sqlite3 *db = ks_case_db(c);
    sqlite3_stmt *q = NULL;
    ks_buf t = {0};
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO intrusions VALUES(?1, ?2, ?3, ?4, ?5)", -1,
                           &q, NULL) != SQLITE_OK)
        return fail(diag, db, "cannot store the estimate");
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_int(q, 2, found);
    if (found) {
        bind_time(q, 3, time_ns, &t);
        sqlite3_bind_int64(q, 4, time_ns);
    }
    sqlite3_bind_text(q, 5, summary_json ? summary_json : "{}", -1, SQLITE_STATIC);
    ks_status st =
        sqlite3_step(q) == SQLITE_DONE ? KS_OK : fail(diag, db, "cannot store the estimate");
    sqlite3_finalize(q);
    ks_buf_free(&t);
    return st;
}

ks_status ks_case_get_intrusion(ks_case *c, bool *stored, bool *found, int64_t *time_ns,
                                ks_diag *diag)
{
    sqlite3 *db = ks_case_db(c);
    sqlite3_stmt *q = NULL;
    *stored = *found = false;
    *time_ns = 0;
    if (sqlite3_prepare_v2(db, "SELECT found, time_ns FROM intrusions ORDER BY run DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK) {
        /* a case of schema 1, opened read-only, has no such table: nothing stored */
        if (strstr(sqlite3_errmsg(db), "no such table")) return KS_OK;
        return fail(diag, db, "cannot read the estimate");
    }
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *stored = true;
        *found = sqlite3_column_int(q, 0) != 0 && sqlite3_column_type(q, 1) == SQLITE_INTEGER;
        *time_ns = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KS_OK
                                                 : fail(diag, db, "cannot read the estimate");
}
