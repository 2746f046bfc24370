/* SQL over evidence files without a case: the table-valued functions evtx('file'),
 * syslog('file'), xml(), csv(), jsonl() and events('file or folder') (also named
 * logs(), since in a case `events` is the table), SQLite
 * eponymous virtual tables over ks_source with the columns of the case's `events`
 * table, plus file, format and offset. An optional second argument is the zone of
 * times written without one, a third the year of syslog lines: syslog('vpn.log',
 * 'Asia/Tokyo', 2026). A folder is searched like `kensa ingest` does. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kensa/source.h"
#include "store.h"

/* Columns after the event's: where it came from, then the hidden arguments. */
enum {
    COL_ID = 0,
    COL_FIRST_EVENT = 1,
    COL_FILE = COL_FIRST_EVENT + KS_COL_COUNT,
    COL_FORMAT,
    COL_OFFSET,
    COL_ARG_PATH,
    COL_ARG_TZ,
    COL_ARG_YEAR,
};

#define ARG_PATH 1
#define ARG_TZ 2
#define ARG_YEAR 4

/* The module's client data: which format it reads, for which case. */
typedef struct module_aux {
    ks_case *c;
    ks_format format; /* KS_FORMAT_UNKNOWN: any */
    const char *name;
} module_aux;

typedef struct file_vtab {
    sqlite3_vtab base;
    module_aux *aux;
} file_vtab;

typedef struct file_list {
    char **path;
    ks_format *format;
    size_t n, cap;
    ks_format want;
    ks_case *c;
} file_list;

typedef struct file_cursor {
    sqlite3_vtab_cursor base;
    file_vtab *vt;
    file_list files;
    size_t next_file;
    ks_source *src;
    const char *cur_path;
    const ks_event *ev;
    ks_store_row row;
    int64_t rowid;
    char *arg_path, *arg_tz;
    int arg_year, eof;
} file_cursor;

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
                      char **err)
{
    ks_buf sql = {0};
    ks_buf_puts(&sql, "CREATE TABLE x(id INTEGER");
    for (int i = 0; i < KS_COL_COUNT; i++) {
        ks_buf_putc(&sql, ',');
        ks_buf_puts(&sql, ks_store_col_name[i]);
        ks_buf_putc(&sql, ' ');
        ks_buf_puts(&sql, ks_store_col_type[i]);
    }
    ks_buf_puts(&sql, ",file TEXT,format TEXT,offset INTEGER,path HIDDEN,tz HIDDEN,year HIDDEN)");
    ks_buf_putc(&sql, 0);
    if (sql.failed) return SQLITE_NOMEM;
    int rc = sqlite3_declare_vtab(db, sql.data);
    ks_buf_free(&sql);
    if (rc != SQLITE_OK) return rc;
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    file_vtab *vt = sqlite3_malloc(sizeof *vt);
    if (!vt) return SQLITE_NOMEM;
    memset(vt, 0, sizeof *vt);
    vt->aux = aux;
    *out = &vt->base;
    return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

static int vt_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
    file_vtab *vt = (file_vtab *)base;
    int at[3] = {-1, -1, -1}, seen_path = 0;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *k = &info->aConstraint[i];
        if (k->iColumn < COL_ARG_PATH) continue;
        int which = k->iColumn - COL_ARG_PATH;
        if (which > 2) continue;
        if (which == 0) seen_path = 1;
        if (k->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        if (!k->usable) return SQLITE_CONSTRAINT;
        at[which] = i;
    }
    if (at[0] < 0) {
        if (seen_path) return SQLITE_CONSTRAINT;
        sqlite3_free(base->zErrMsg);
        base->zErrMsg = sqlite3_mprintf("%s(): name the file, as in %s('Security.evtx')",
                                        vt->aux->name, vt->aux->name);
        return SQLITE_ERROR;
    }
    int arg = 1, mask = 0;
    for (int w = 0; w < 3; w++) {
        if (at[w] < 0) continue;
        info->aConstraintUsage[at[w]].argvIndex = arg++;
        info->aConstraintUsage[at[w]].omit = 1;
        mask |= 1 << w;
    }
    info->idxNum = mask;
    info->estimatedCost = 1e6;
    info->estimatedRows = 100000;
    return SQLITE_OK;
}

static void list_free(file_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->path[i]);
    free(l->path);
    free(l->format);
    memset(l, 0, sizeof *l);
}

static void on_walk(void *ctx, const char *path, ks_format f, const char *why)
{
    file_list *l = ctx;
    /* files of no known format (READMEs, ...) or of another format than the function
     * reads are passed over quietly: a query names what it wants */
    if (f == KS_FORMAT_UNKNOWN || (l->want != KS_FORMAT_UNKNOWN && f != l->want)) return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **pv = realloc(l->path, cap * sizeof *pv);
        if (!pv) return;
        l->path = pv;
        ks_format *fv = realloc(l->format, cap * sizeof *fv);
        if (!fv) return;
        l->format = fv;
        l->cap = cap;
    }
    char *dup = strdup(path);
    if (!dup) return;
    l->path[l->n] = dup;
    l->format[l->n++] = f;
}

static int vt_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
    file_cursor *cur = calloc(1, sizeof *cur);
    if (!cur) return SQLITE_NOMEM;
    cur->vt = (file_vtab *)base;
    *out = &cur->base;
    return SQLITE_OK;
}

static void cursor_reset(file_cursor *cur)
{
    ks_source_close(&cur->src);
    list_free(&cur->files);
    free(cur->arg_path);
    free(cur->arg_tz);
    cur->arg_path = cur->arg_tz = NULL;
    cur->arg_year = 0;
    cur->next_file = 0;
    cur->ev = NULL;
    cur->cur_path = NULL;
    cur->rowid = 0;
    cur->eof = 1;
}

static int vt_close(sqlite3_vtab_cursor *base)
{
    file_cursor *cur = (file_cursor *)base;
    cursor_reset(cur);
    ks_store_row_free(&cur->row);
    free(cur);
    return SQLITE_OK;
}

static void forward_problem(void *ctx, const ks_problem *p)
{
    ks_store_problem(ctx, p);
}

static int set_error(file_cursor *cur, const char *fmt, const char *a, const char *b)
{
    sqlite3_free(cur->vt->base.zErrMsg);
    cur->vt->base.zErrMsg = sqlite3_mprintf(fmt, a, b);
    return SQLITE_ERROR;
}

/* The next event, opening the next file when one ends. */
static int advance(file_cursor *cur)
{
    for (;;) {
        if (cur->src) {
            const ks_event *ev = NULL;
            ks_status st = ks_source_next(cur->src, &ev);
            if (st == KS_OK && ev) {
                cur->ev = ev;
                cur->rowid++;
                ks_store_row_set(&cur->row, ev);
                return SQLITE_OK;
            }
            if (st != KS_OK) {
                ks_problem p = {.file = cur->cur_path,
                                .severity = KS_SEV_ERROR,
                                .status = st,
                                .what = "the file could not be read to its end"};
                ks_store_problem(cur->vt->aux->c, &p);
            }
            ks_source_close(&cur->src);
        }
        if (cur->next_file >= cur->files.n) {
            cur->eof = 1;
            cur->ev = NULL;
            return SQLITE_OK;
        }
        size_t i = cur->next_file++;
        ks_source_opts o = {.format = cur->files.format[i],
                            .tz = cur->arg_tz,
                            .year = cur->arg_year,
                            .on_problem = forward_problem,
                            .ctx = cur->vt->aux->c};
        ks_diag d = {0};
        cur->cur_path = cur->files.path[i];
        if (ks_source_open(&cur->src, cur->cur_path, &o, &d) != KS_OK) {
            if (cur->files.n == 1)
                return set_error(cur, "%s: cannot be read: %s", cur->cur_path, d.what);
            ks_problem p = {.file = cur->cur_path, .severity = KS_SEV_ERROR, .what = d.what};
            ks_store_problem(cur->vt->aux->c, &p);
        }
    }
}

static int vt_filter(sqlite3_vtab_cursor *base, int idx_num, const char *idx_str, int argc,
                     sqlite3_value **argv)
{
    file_cursor *cur = (file_cursor *)base;
    module_aux *aux = cur->vt->aux;
    cursor_reset(cur);
    cur->eof = 0;
    int a = 0;
    if ((idx_num & ARG_PATH) && a < argc) {
        const unsigned char *p = sqlite3_value_text(argv[a++]);
        if (p) cur->arg_path = strdup((const char *)p);
    }
    if ((idx_num & ARG_TZ) && a < argc) {
        const unsigned char *p = sqlite3_value_text(argv[a++]);
        if (p && *p) cur->arg_tz = strdup((const char *)p);
    }
    if ((idx_num & ARG_YEAR) && a < argc) {
        sqlite3_int64 y = sqlite3_value_int64(argv[a++]);
        if (y < 0 || y > 9999)
            return set_error(cur, "%s(): the year must be from 0 to 9999%s", aux->name, "");
        cur->arg_year = (int)y;
    }
    if (!cur->arg_path) return set_error(cur, "%s(): name the file%s", aux->name, "");
    struct stat sb;
    if (stat(cur->arg_path, &sb) != 0)
        return set_error(cur, "%s: cannot be read: %s", cur->arg_path, "no such file or folder");
    cur->files.want = aux->format;
    cur->files.c = aux->c;
    cur->row.geo = ks_store_geoip(aux->c);
    if (S_ISDIR(sb.st_mode)) {
        ks_diag d = {0};
        if (ks_evidence_walk(cur->arg_path, on_walk, &cur->files, &d) != KS_OK)
            return set_error(cur, "%s: cannot be read: %s", cur->arg_path, d.what);
    } else {
        /* one file: read as the function says, unless it is plainly another format
         * (syslog('Security.evtx') would read binary as lines) */
        if (aux->format != KS_FORMAT_UNKNOWN) {
            file_list probe = {.want = KS_FORMAT_UNKNOWN, .c = aux->c};
            ks_evidence_walk(cur->arg_path, on_walk, &probe, NULL);
            ks_format seen = probe.n ? probe.format[0] : KS_FORMAT_UNKNOWN;
            list_free(&probe);
            if (seen != KS_FORMAT_UNKNOWN && seen != aux->format) {
                sqlite3_free(cur->vt->base.zErrMsg);
                cur->vt->base.zErrMsg = sqlite3_mprintf(
                    "%s: this file is %s, not %s (use %s('...') or events('...'))", cur->arg_path,
                    ks_format_name(seen), aux->name, ks_format_name(seen));
                return SQLITE_ERROR;
            }
        }
        file_list *l = &cur->files;
        l->path = malloc(sizeof *l->path);
        l->format = malloc(sizeof *l->format);
        if (!l->path || !l->format || !(l->path[0] = strdup(cur->arg_path))) return SQLITE_NOMEM;
        l->format[0] = aux->format;
        l->n = l->cap = 1;
    }
    return advance(cur);
}

static int vt_next(sqlite3_vtab_cursor *base)
{
    return advance((file_cursor *)base);
}

static int vt_eof(sqlite3_vtab_cursor *base)
{
    return ((file_cursor *)base)->eof;
}

static int vt_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    file_cursor *cur = (file_cursor *)base;
    if (!cur->ev) return SQLITE_OK;
    if (col == COL_ID) {
        sqlite3_result_int64(ctx, cur->rowid);
    } else if (col >= COL_FIRST_EVENT && col < COL_FILE) {
        ks_store_val v;
        ks_store_value(&cur->row, (ks_col)(col - COL_FIRST_EVENT), &v);
        if (v.type == SQLITE_INTEGER)
            sqlite3_result_int64(ctx, v.i);
        else if (v.type == SQLITE_TEXT)
            sqlite3_result_text64(ctx, v.p, v.n, SQLITE_TRANSIENT, SQLITE_UTF8);
    } else if (col == COL_FILE) {
        sqlite3_result_text(ctx, cur->cur_path, -1, SQLITE_TRANSIENT);
    } else if (col == COL_FORMAT) {
        sqlite3_result_text(ctx, ks_format_name(ks_source_format(cur->src)), -1, SQLITE_STATIC);
    } else if (col == COL_OFFSET) {
        sqlite3_result_int64(ctx, cur->ev->offset > INT64_MAX ? INT64_MAX
                                                              : (sqlite3_int64)cur->ev->offset);
    } else if (col == COL_ARG_PATH && cur->arg_path) {
        sqlite3_result_text(ctx, cur->arg_path, -1, SQLITE_TRANSIENT);
    } else if (col == COL_ARG_TZ && cur->arg_tz) {
        sqlite3_result_text(ctx, cur->arg_tz, -1, SQLITE_TRANSIENT);
    } else if (col == COL_ARG_YEAR && cur->arg_year) {
        sqlite3_result_int(ctx, cur->arg_year);
    }
    return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    *rowid = ((file_cursor *)base)->rowid;
    return SQLITE_OK;
}

static const sqlite3_module file_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only: evtx('x') needs no CREATE VIRTUAL TABLE */
    .xConnect = vt_connect,
    .xBestIndex = vt_best_index,
    .xDisconnect = vt_disconnect,
    .xDestroy = NULL,
    .xOpen = vt_open,
    .xClose = vt_close,
    .xFilter = vt_filter,
    .xNext = vt_next,
    .xEof = vt_eof,
    .xColumn = vt_column,
    .xRowid = vt_rowid,
};

int ks_store_register_vtabs(sqlite3 *db, ks_case *c)
{
    static const struct {
        const char *name;
        ks_format format;
    } fns[] = {
        {"evtx", KS_FORMAT_EVTX},
        {"syslog", KS_FORMAT_SYSLOG},
        {"xml", KS_FORMAT_XML},
        {"csv", KS_FORMAT_CSV},
        {"jsonl", KS_FORMAT_JSONL},
        {"events", KS_FORMAT_UNKNOWN},
        /* in a case, `events` is the table: logs('file') is the same function */
        {"logs", KS_FORMAT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        module_aux *aux = malloc(sizeof *aux);
        if (!aux) return SQLITE_NOMEM;
        *aux = (module_aux){c, fns[i].format, fns[i].name};
        int rc = sqlite3_create_module_v2(db, fns[i].name, &file_module, aux, free);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}
