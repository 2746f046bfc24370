/* kensa query: SQL over a case, or over evidence files directly (evtx('x.evtx'));
 * results as an aligned table on a terminal, or CSV, JSON, JSON lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kensa/kensa.h"

static const char help_en[] =
    "usage: kensa query [--case CASE.kensa] [--format table|csv|json|jsonl] \"SQL\"\n"
    "\n"
    "Runs SQL (SQLite's dialect) over a case made by `kensa ingest`, or over evidence\n"
    "files directly, the way LogParser's `FROM file` works:\n"
    "\n"
    "  FROM events                    the case's events (with --case)\n"
    "  FROM evtx('Security.evtx')     a Windows event log\n"
    "  FROM syslog('vpn.log')         VPN / firewall syslog; syslog('vpn.log',\n"
    "                                 'Asia/Tokyo', 2026) gives its zone and year\n"
    "  FROM xml(...), csv(...), jsonl(...), events('file or folder')  any format\n"
    "\n"
    "Columns: id, time (UTC, ISO 8601), time_ns, host, channel, provider, event_id,\n"
    "record_id, level, user, domain, src_ip, src_host, logon_type, status, process,\n"
    "command_line, parent_process, service, share, country, session, action, outcome,\n"
    "fields (all event data as JSON: json_extract(fields, '$.TargetUserName')). Over\n"
    "files also: file, format, offset. The case also has the tables evidence (chain of\n"
    "custody of each file) and event_sources (which file each event was seen in).\n"
    "Ready queries for common questions: docs/queries.md.\n"
    "\n"
    "The case is opened read-only: queries never change it, and they can run while an\n"
    "ingest is adding to it.\n"
    "\n"
    "options:\n"
    "  --case FILE         the case to query (without it, only files can be queried)\n"
    "  --format table      aligned columns (default on a terminal)\n"
    "  --format csv        comma-separated, with a header line (default otherwise)\n"
    "  --format json       one JSON array of objects\n"
    "  --format jsonl      one JSON object per line\n"
    "  -q, --quiet         no problem reports from files read\n"
    "\n"
    "exit status: 0 done; 1 done, but a file read had problems; 2 bad arguments or\n"
    "bad SQL; 3 the case could not be opened.\n"
    "\n"
    "examples:\n"
    "  kensa query \"SELECT src_ip, user, count(*) FROM evtx('Security.evtx')\n"
    "               WHERE event_id = 4625 GROUP BY 1, 2 ORDER BY 3 DESC\"\n"
    "  kensa query --case incident.kensa \"SELECT * FROM evidence\"\n";

static const char help_ja[] =
    "使い方: kensa query [--case ケース.kensa] [--format table|csv|json|jsonl] \"SQL\"\n"
    "\n"
    "`kensa ingest` で作ったケース、または証拠のファイルそのものに SQL (SQLite の文法) で\n"
    "問い合わせます。LogParser の `FROM ファイル` と同じ使い方ができます:\n"
    "\n"
    "  FROM events                    ケースのイベント (--case を指定したとき)\n"
    "  FROM evtx('Security.evtx')     Windows イベントログ\n"
    "  FROM syslog('vpn.log')         VPN・ファイアウォールの syslog。syslog('vpn.log',\n"
    "                                 'Asia/Tokyo', 2026) でタイムゾーンと年を指定\n"
    "  FROM xml(...)、csv(...)、jsonl(...)、events('ファイルかフォルダ')  任意の形式\n"
    "\n"
    "列: id、time (UTC、ISO 8601)、time_ns、host、channel、provider、event_id、\n"
    "record_id、level、user、domain、src_ip、src_host、logon_type、status、process、\n"
    "command_line、parent_process、service、share、country、session、action、outcome、\n"
    "fields (イベントのデータすべてを JSON で: json_extract(fields, '$.TargetUserName'))。\n"
    "ファイルに対しては file、format、offset も。ケースには evidence (各ファイルの\n"
    "保全記録) と event_sources (各イベントがどのファイルにあったか) の表もあります。\n"
    "よく使う問い合わせ: docs/queries.md。\n"
    "\n"
    "ケースは読み取り専用で開くため、問い合わせでケースが変わることはなく、取り込み中\n"
    "でも実行できます。\n"
    "\n"
    "オプション:\n"
    "  --case ファイル     問い合わせるケース (なければファイルだけを対象にできます)\n"
    "  --format table      列をそろえた表 (端末での既定)\n"
    "  --format csv        カンマ区切り、見出し行つき (端末以外での既定)\n"
    "  --format json       オブジェクトの JSON 配列\n"
    "  --format jsonl      1 行に 1 つの JSON オブジェクト\n"
    "  -q, --quiet         読んだファイルの問題を表示しない\n"
    "\n"
    "終了コード: 0 完了、1 完了したが読んだファイルに問題があった、2 引数または SQL の\n"
    "誤り、3 ケースを開けない。\n"
    "\n"
    "例:\n"
    "  kensa query \"SELECT src_ip, user, count(*) FROM evtx('Security.evtx')\n"
    "               WHERE event_id = 4625 GROUP BY 1, 2 ORDER BY 3 DESC\"\n"
    "  kensa query --case incident.kensa \"SELECT * FROM evidence\"\n";

enum { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_JSONL };

/* Table output: the first rows are kept to size the columns, later rows follow in
 * those widths (cut with "…" when wider). */
#define KS_TABLE_SAMPLE 1000
#define KS_TABLE_MAX_WIDTH 60

typedef struct table {
    size_t ncol;
    char **names;
    size_t *width;
    int *right;   /* numbers are right-aligned */
    char **cells; /* nrows * ncol, NULL for SQL NULL */
    size_t nrows, cap;
    int flushed;
} table;

typedef struct out {
    int format;
    FILE *f;
    unsigned stmt;
    int started, any_stmt;
    unsigned long long rows;
    table t;
    int quiet;
    unsigned long long problems, shown;
} out;

/* Display width of UTF-8 text: East Asian wide characters take two columns. */
static size_t utf8_width(const char *s, size_t n, size_t *bytes_for, size_t limit)
{
    size_t w = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + len > n) len = n - i;
        uint32_t cp = c;
        if (len == 3) cp = ((c & 15u) << 12) | ((s[i + 1] & 63u) << 6) | (s[i + 2] & 63u);
        if (len == 4) cp = 0x10000;
        int cw = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                         (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                         (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                         (cp >= 0xffe0 && cp <= 0xffe6) || len == 4
                     ? 2
                     : 1;
        if (bytes_for && w + (size_t)cw > limit) break;
        w += (size_t)cw;
        i += len;
    }
    if (bytes_for) *bytes_for = i;
    return w;
}

/* A cell as one line: control characters become spaces. */
static char *flat(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    p[n] = 0;
    return p;
}

static void table_print_cell(out *o, size_t col, const char *s)
{
    table *t = &o->t;
    if (col) fputs("  ", o->f);
    if (!s) s = "";
    size_t n = strlen(s), cut = n;
    size_t w = utf8_width(s, n, NULL, 0);
    if (w > t->width[col]) {
        w = utf8_width(s, n, &cut, t->width[col] - 1);
        fwrite(s, 1, cut, o->f);
        fputs("…", o->f);
        w++;
    } else {
        size_t pad = t->width[col] - w;
        if (t->right[col])
            for (size_t k = 0; k < pad; k++) fputc(' ', o->f);
        fwrite(s, 1, n, o->f);
        if (!t->right[col] && col + 1 < t->ncol)
            for (size_t k = 0; k < pad; k++) fputc(' ', o->f);
        return;
    }
    if (col + 1 < t->ncol)
        for (size_t k = w; k < t->width[col]; k++) fputc(' ', o->f);
}

static void table_print_row(out *o, char **cells)
{
    for (size_t i = 0; i < o->t.ncol; i++) table_print_cell(o, i, cells[i]);
    fputc('\n', o->f);
}

static void table_flush(out *o)
{
    table *t = &o->t;
    if (t->flushed || !t->ncol) return;
    t->flushed = 1;
    for (size_t i = 0; i < t->ncol; i++) {
        int was = t->right[i];
        t->right[i] = 0;
        table_print_cell(o, i, t->names[i]);
        t->right[i] = was;
    }
    fputc('\n', o->f);
    for (size_t i = 0; i < t->ncol; i++) {
        if (i) fputs("  ", o->f);
        for (size_t k = 0; k < t->width[i]; k++) fputc('-', o->f);
    }
    fputc('\n', o->f);
    for (size_t r = 0; r < t->nrows; r++) table_print_row(o, t->cells + r * t->ncol);
}

static void table_end(out *o)
{
    table *t = &o->t;
    table_flush(o);
    for (size_t i = 0; i < t->nrows * t->ncol; i++) free(t->cells[i]);
    for (size_t i = 0; i < t->ncol; i++) free(t->names[i]);
    free(t->cells);
    free(t->names);
    free(t->width);
    free(t->right);
    memset(t, 0, sizeof *t);
}

static int table_row(out *o, const ks_row *row)
{
    table *t = &o->t;
    if (!t->ncol) {
        t->ncol = row->ncol;
        t->names = calloc(row->ncol, sizeof *t->names);
        t->width = calloc(row->ncol, sizeof *t->width);
        t->right = calloc(row->ncol, sizeof *t->right);
        if (!t->names || !t->width || !t->right) return 1;
        for (size_t i = 0; i < row->ncol; i++) {
            t->names[i] = flat(row->names[i], strlen(row->names[i]));
            if (!t->names[i]) return 1;
            size_t w = utf8_width(t->names[i], strlen(t->names[i]), NULL, 0);
            t->width[i] = w > KS_TABLE_MAX_WIDTH ? KS_TABLE_MAX_WIDTH : w < 1 ? 1 : w;
            t->right[i] = 1;
        }
    }
    if (!row->cells) return 0;
    char **cells = calloc(row->ncol, sizeof *cells);
    if (!cells) return 1;
    for (size_t i = 0; i < row->ncol; i++) {
        const ks_cell *c = &row->cells[i];
        if (c->type != KS_CELL_INT && c->type != KS_CELL_REAL && !t->flushed) t->right[i] = 0;
        if (c->type == KS_CELL_NULL) continue;
        cells[i] = flat(c->text, c->len);
        if (!cells[i]) {
            for (size_t k = 0; k < i; k++) free(cells[k]);
            free(cells);
            return 1;
        }
    }
    if (t->flushed) {
        table_print_row(o, cells);
        for (size_t i = 0; i < row->ncol; i++) free(cells[i]);
        free(cells);
        return 0;
    }
    for (size_t i = 0; i < row->ncol; i++) {
        if (!cells[i]) continue;
        size_t w = utf8_width(cells[i], strlen(cells[i]), NULL, 0);
        if (w > t->width[i]) t->width[i] = w > KS_TABLE_MAX_WIDTH ? KS_TABLE_MAX_WIDTH : w;
    }
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **v = realloc(t->cells, cap * t->ncol * sizeof *v);
        if (!v) return 1;
        t->cells = v;
        t->cap = cap;
    }
    memcpy(t->cells + t->nrows * t->ncol, cells, t->ncol * sizeof *cells);
    t->nrows++;
    free(cells);
    if (t->nrows >= KS_TABLE_SAMPLE) table_flush(o);
    return 0;
}

static void csv_cell(FILE *f, const char *s, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static void json_str(FILE *f, const char *s, size_t n)
{
    ks_buf b = {0};
    ks_buf_putc(&b, '"');
    ks_escape_utf8(&b, s, n, KS_ESC_JSON);
    ks_buf_putc(&b, '"');
    if (!b.failed) fwrite(b.data, 1, b.len, f);
    ks_buf_free(&b);
}

static void json_row(out *o, const ks_row *row)
{
    fputc('{', o->f);
    for (size_t i = 0; i < row->ncol; i++) {
        const ks_cell *c = &row->cells[i];
        if (i) fputc(',', o->f);
        json_str(o->f, row->names[i], strlen(row->names[i]));
        fputc(':', o->f);
        if (c->type == KS_CELL_NULL)
            fputs("null", o->f);
        else if (c->type == KS_CELL_INT)
            fwrite(c->text, 1, c->len, o->f);
        else if (c->type == KS_CELL_REAL && strspn(c->text, "0123456789.-+eE") == c->len)
            fwrite(c->text, 1, c->len, o->f); /* not Inf or NaN */
        else
            json_str(o->f, c->text, c->len);
    }
    fputc('}', o->f);
}

static void end_stmt(out *o)
{
    if (!o->started) return;
    if (o->format == OUT_TABLE) {
        table_end(o);
        if (isatty(fileno(o->f))) fprintf(o->f, ks_msg(KS_MSG_QUERY_ROWS), o->rows);
    } else if (o->format == OUT_JSON) {
        fputs(o->rows ? "\n]\n" : "]\n", o->f);
    }
    o->started = 0;
}

static int on_row(void *ctx, const ks_row *row)
{
    out *o = ctx;
    if (!o->started || row->stmt != o->stmt) {
        end_stmt(o);
        if (o->any_stmt && (o->format == OUT_TABLE || o->format == OUT_CSV)) fputc('\n', o->f);
        o->started = o->any_stmt = 1;
        o->stmt = row->stmt;
        o->rows = 0;
        if (o->format == OUT_CSV) {
            for (size_t i = 0; i < row->ncol; i++) {
                if (i) fputc(',', o->f);
                csv_cell(o->f, row->names[i], strlen(row->names[i]));
            }
            fputs("\r\n", o->f);
        } else if (o->format == OUT_JSON) {
            fputc('[', o->f);
        }
    }
    if (o->format == OUT_TABLE) return table_row(o, row);
    if (!row->cells) return 0;
    if (o->format == OUT_CSV) {
        for (size_t i = 0; i < row->ncol; i++) {
            if (i) fputc(',', o->f);
            if (row->cells[i].type != KS_CELL_NULL)
                csv_cell(o->f, row->cells[i].text, row->cells[i].len);
        }
        fputs("\r\n", o->f);
    } else {
        if (o->format == OUT_JSON) fputs(o->rows ? ",\n" : "\n", o->f);
        json_row(o, row);
        if (o->format == OUT_JSONL) fputc('\n', o->f);
    }
    o->rows++;
    return ferror(o->f) ? 1 : 0;
}

static void on_problem(void *ctx, const ks_problem *p)
{
    out *o = ctx;
    o->problems++;
    if (o->quiet || o->shown >= 10) return;
    o->shown++;
    if (p->line) {
        int n = p->excerpt_len > 120 ? 120 : (int)p->excerpt_len;
        fprintf(stderr, ks_msg(KS_MSG_PROBLEM_LINE), p->file, (unsigned long long)p->line, p->what,
                p->excerpt ? n : 0, p->excerpt ? p->excerpt : "");
    } else {
        fprintf(stderr,
                ks_msg(p->severity == KS_SEV_ERROR ? KS_MSG_PROBLEM_ERROR : KS_MSG_PROBLEM_WARN),
                p->file ? p->file : "", (unsigned long long)p->offset, "-", p->what);
    }
}

/* Show where in the SQL the error is: the line, and a caret under the place. */
static void show_position(const char *sql, uint64_t at)
{
    size_t n = strlen(sql);
    if (at >= n) return;
    size_t start = at, end = at;
    while (start > 0 && sql[start - 1] != '\n') start--;
    while (end < n && sql[end] != '\n') end++;
    fprintf(stderr, "  %.*s\n  ", (int)(end - start), sql + start);
    size_t w = utf8_width(sql + start, at - start, NULL, 0);
    for (size_t k = 0; k < w; k++) fputc(' ', stderr);
    fputs("^\n", stderr);
}

int cmd_query(int argc, char **argv)
{
    const char *case_path = NULL, *sql = NULL;
    out o = {.format = isatty(1) ? OUT_TABLE : OUT_CSV, .f = stdout};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            return KS_EXIT_OK;
        } else if (strcmp(a, "--case") == 0 && i + 1 < argc) {
            case_path = argv[++i];
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            a = argv[++i];
            if (strcmp(a, "table") == 0)
                o.format = OUT_TABLE;
            else if (strcmp(a, "csv") == 0)
                o.format = OUT_CSV;
            else if (strcmp(a, "json") == 0)
                o.format = OUT_JSON;
            else if (strcmp(a, "jsonl") == 0)
                o.format = OUT_JSONL;
            else {
                fprintf(stderr, "--format: table, csv, json or jsonl\n");
                return KS_EXIT_USAGE;
            }
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o.quiet = 1;
        } else if (a[0] == '-' && a[1] && !sql) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            return KS_EXIT_USAGE;
        } else if (!sql) {
            sql = a;
        } else {
            fprintf(stderr, ks_lang_get() == KS_LANG_JA
                                ? "SQL は 1 つの引数にしてください (引用符で囲む)\n"
                                : "give the SQL as one argument (in quotes)\n");
            return KS_EXIT_USAGE;
        }
    }
    if (!sql) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stderr);
        return KS_EXIT_USAGE;
    }
    ks_case *c = NULL;
    ks_diag d = {0};
    if (ks_case_open_query(&c, case_path, &d) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), case_path ? case_path : "", d.what);
        return KS_EXIT_FAIL;
    }
    ks_case_set_problem_fn(c, on_problem, &o);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    ks_status st = ks_case_query(c, sql, on_row, &o, &d);
    end_stmt(&o);
    fflush(stdout);
    ks_case_close(&c);
    if (st != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_QUERY_ERROR), d.what);
        if (st == KS_ERR_ARG && d.offset) show_position(sql, d.offset);
        return st == KS_ERR_ARG || st == KS_ERR_IO ? KS_EXIT_USAGE : KS_EXIT_FAIL;
    }
    if (!o.quiet && o.problems > o.shown)
        fprintf(stderr, ks_msg(KS_MSG_MORE_PROBLEMS), "query", o.problems - o.shown);
    if (ferror(stdout)) return KS_EXIT_FAIL;
    return o.problems ? KS_EXIT_PARTIAL : KS_EXIT_OK;
}
