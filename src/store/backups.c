/* The catalogue of backup generations in the case (kensa backup add --case): one row
 * per generation (system, path, when taken, media, verdict) and one per file (size,
 * mtime, SHA-256, type, entropy, verdict), written in one transaction so that an
 * interrupted add leaves nothing behind. advise and policy read it back. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "kensa/case.h"
#include "kensa/kensa.h"
#include "kensa/time.h"
#include "util/sha256.h"

static ks_status fail(ks_diag *d, sqlite3 *db, const char *what)
{
    return ks_diag_set(d, KS_ERR_IO, NULL, 0, "%s: %s", what, sqlite3_errmsg(db));
}

static void bind_time(sqlite3_stmt *q, int col, int64_t ns)
{
    ks_buf b = {0};
    ks_time_format(&b, ns, 0);
    if (b.failed)
        sqlite3_bind_null(q, col);
    else
        sqlite3_bind_text(q, col, b.data, (int)b.len, SQLITE_TRANSIENT);
    ks_buf_free(&b);
}

struct ks_case_backup {
    ks_case *c;
    sqlite3_stmt *ins_file;
    int64_t id;
    ks_status st;
    ks_diag diag;
};

ks_status ks_case_backup_begin(ks_case *c, const char *system, const char *path, int64_t taken_ns,
                               ks_backup_media media, ks_case_backup **out, ks_diag *diag)
{
    sqlite3 *db = ks_case_db(c);
    sqlite3_stmt *q = NULL;
    *out = NULL;
    ks_case_backup *b = calloc(1, sizeof *b);
    if (!b) return ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
    b->c = c;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        free(b);
        return fail(diag, db, "cannot lock the case");
    }
    ks_status st = KS_OK;
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO backup_generations(system, path, taken, taken_ns, media, "
            "added, kensa) VALUES(?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', "
            "'now'), ?6)",
            -1, &q, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO backup_files VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                           "?8, ?9)",
                           -1, &b->ins_file, NULL) != SQLITE_OK) {
        st = fail(diag, db, "cannot add the generation");
        goto out;
    }
    sqlite3_bind_text(q, 1, system, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
    bind_time(q, 3, taken_ns);
    sqlite3_bind_int64(q, 4, taken_ns);
    sqlite3_bind_text(q, 5, ks_backup_media_name(media), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, KS_VERSION, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        st = ks_diag_set(diag, KS_ERR_ARG, path, 0,
                         "this generation (%s, taken then) is already in the case", system);
    else if (rc != SQLITE_DONE)
        st = fail(diag, db, "cannot add the generation");
    b->id = sqlite3_last_insert_rowid(db);
out:
    sqlite3_finalize(q);
    if (st != KS_OK) {
        sqlite3_finalize(b->ins_file);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        free(b);
        return st;
    }
    *out = b;
    return KS_OK;
}

void ks_case_backup_file(ks_case_backup *b, const char *path, int64_t mtime_ns,
                         const ks_backup_file *f)
{
    if (b->st != KS_OK) return;
    sqlite3_stmt *q = b->ins_file;
    char hex[65];
    ks_sha256_hex(f->sha256, hex);
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, b->id);
    sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (int64_t)f->size);
    bind_time(q, 4, mtime_ns);
    sqlite3_bind_text(q, 5, hex, 64, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, ks_backup_type_name(f->type), -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 7, f->entropy);
    sqlite3_bind_text(q, 8, ks_backup_verdict_name(f->verdict), -1, SQLITE_STATIC);
    if (f->verdict != KS_BV_CLEAN)
        sqlite3_bind_text(q, 9, f->reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 9);
    if (sqlite3_step(q) != SQLITE_DONE)
        b->st = fail(&b->diag, ks_case_db(b->c), "cannot add a file of the generation");
}

ks_status ks_case_backup_end(ks_case_backup **bp, const ks_backup_gen *g, const char *summary,
                             int64_t *id, ks_diag *diag)
{
    ks_case_backup *b = *bp;
    *bp = NULL;
    if (!b) return KS_OK;
    sqlite3 *db = ks_case_db(b->c);
    ks_status st = b->st;
    if (st != KS_OK) *diag = b->diag;
    sqlite3_finalize(b->ins_file);
    sqlite3_stmt *q = NULL;
    if (g && st == KS_OK) {
        if (sqlite3_prepare_v2(
                db,
                "UPDATE backup_generations SET files = ?2, bytes = ?3, verdict = ?4, "
                "reason = ?5, summary = ?6 WHERE id = ?1",
                -1, &q, NULL) != SQLITE_OK)
            st = fail(diag, db, "cannot finish the generation");
        else {
            sqlite3_bind_int64(q, 1, b->id);
            sqlite3_bind_int64(q, 2, (int64_t)g->files);
            sqlite3_bind_int64(q, 3, (int64_t)g->bytes);
            sqlite3_bind_text(q, 4, ks_backup_gen_verdict_name(g->verdict), -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 5, g->reason, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 6, summary ? summary : "{}", -1, SQLITE_STATIC);
            if (sqlite3_step(q) != SQLITE_DONE) st = fail(diag, db, "cannot finish the generation");
        }
        sqlite3_finalize(q);
    }
    /* without g (the scan failed) the generation is not kept */
    if (g && st == KS_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        st = fail(diag, db, "cannot write the case");
    if (!g || st != KS_OK) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (id) *id = g && st == KS_OK ? b->id : 0;
    free(b);
    return st;
}

ks_status ks_case_backup_list(ks_case *c, const char *system, int64_t before_ns, ks_case_gen_fn fn,
                              void *ctx, ks_diag *diag)
{
    sqlite3 *db = ks_case_db(c);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, system, path, taken_ns, media, files, bytes, verdict, "
                           "reason FROM backup_generations WHERE verdict IS NOT NULL AND (?1 IS "
                           "NULL OR system = ?1) AND taken_ns < ?2 ORDER BY system, taken_ns, id",
                           -1, &q, NULL) != SQLITE_OK) {
        if (strstr(sqlite3_errmsg(db), "no such table")) return KS_OK; /* schema 1, read-only */
        return fail(diag, db, "cannot read the backup generations");
    }
    if (system) sqlite3_bind_text(q, 1, system, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, before_ns);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ks_case_gen g = {0};
        g.id = sqlite3_column_int64(q, 0);
        g.system = (const char *)sqlite3_column_text(q, 1);
        g.path = (const char *)sqlite3_column_text(q, 2);
        g.taken_ns = sqlite3_column_int64(q, 3);
        int m = ks_backup_media_find((const char *)sqlite3_column_text(q, 4));
        g.media = m < 0 ? KS_BM_ONLINE : (ks_backup_media)m;
        g.files = (uint64_t)sqlite3_column_int64(q, 5);
        g.bytes = (uint64_t)sqlite3_column_int64(q, 6);
        const char *v = (const char *)sqlite3_column_text(q, 7);
        g.verdict = v && !strcmp(v, "encrypted")    ? KS_BG_ENCRYPTED
                    : v && !strcmp(v, "suspicious") ? KS_BG_SUSPICIOUS
                                                    : KS_BG_CLEAN;
        g.reason = (const char *)sqlite3_column_text(q, 8);
        if (!g.system || !g.path) continue;
        if (!g.reason) g.reason = "";
        if (fn(ctx, &g) != 0) break;
    }
    ks_status st = rc == SQLITE_ROW || rc == SQLITE_DONE
                       ? KS_OK
                       : fail(diag, db, "cannot read the backup generations");
    sqlite3_finalize(q);
    return st;
}

ks_status ks_case_backup_index(ks_case *c, int64_t id, ks_backup_index **out, ks_diag *diag)
{
    sqlite3 *db = ks_case_db(c);
    sqlite3_stmt *q = NULL;
    *out = NULL;
    ks_backup_index *x = ks_backup_index_new();
    if (!x) return ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
    if (sqlite3_prepare_v2(db,
                           "SELECT path, size, sha256, verdict FROM backup_files WHERE "
                           "generation = ?1",
                           -1, &q, NULL) != SQLITE_OK) {
        ks_backup_index_free(&x);
        return fail(diag, db, "cannot read the generation's files");
    }
    sqlite3_bind_int64(q, 1, id);
    ks_status st = KS_OK;
    int rc = SQLITE_DONE;
    while (st == KS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(q, 0);
        const char *hex = (const char *)sqlite3_column_text(q, 2);
        const char *v = (const char *)sqlite3_column_text(q, 3);
        if (!path) continue;
        ks_backup_file f;
        memset(&f, 0, sizeof f);
        f.size = (uint64_t)sqlite3_column_int64(q, 1);
        ks_sha256_from_hex(hex, hex ? strlen(hex) : 0, f.sha256);
        for (int k = 0; v && k < KS_BV_COUNT; k++)
            if (!strcmp(v, ks_backup_verdict_name((ks_backup_verdict)k)))
                f.verdict = (ks_backup_verdict)k;
        if (ks_backup_index_add(x, path, &f) != 0)
            st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
    }
    if (st == KS_OK && rc != SQLITE_DONE) st = fail(diag, db, "cannot read the generation's files");
    sqlite3_finalize(q);
    if (st != KS_OK) {
        ks_backup_index_free(&x);
        return st;
    }
    *out = x;
    return KS_OK;
}
