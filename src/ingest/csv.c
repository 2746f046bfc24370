/* The CSV reader: Windows event logs exported as CSV by LogParser (`-i:EVT -o:CSV`)
 * or by Event Viewer ("Save as CSV", English or Japanese), turned into the events the
 * EVTX reader gives: provider, channel, host, ids, UTC time, and fields named like the
 * EventData names. The tables it relies on are in csv_strings.c. */

/* LogParser: one row per event, columns named in the header (EventLog, RecordNumber,
 * TimeGenerated, ..., Strings, ...). TimeGenerated is local time (opts.tz); `Strings`
 * holds the EventData values joined with '|', split back into named fields with the
 * tables (the template is chosen by the number of strings). Events not in the tables
 * keep fields String1 .. StringN, and the Data column as "Binary". A '|' inside a value
 * cannot be told from a separator: when the template has a free-text field
 * (CommandLine, TaskContent, ImagePath) the extra pieces are given back to it;
 * otherwise such a row has too many strings and falls back to String1..N. One empty
 * string cannot be told from none.
 *
 * Event Viewer: Level (or Keywords, in the Security log's export), Date and Time,
 * Source, Event ID, Task Category, then the rendered message as a sixth, unnamed
 * column. The message's labelled lines are read section by section and mapped to the
 * EventData names; values are as Event Viewer shows them (SIDs resolved to names,
 * "%%1833" rendered). The export has no computer name, record number or channel: host
 * and record_id stay empty, the channel is inferred from the provider. Dates are in the
 * locale's short format; day/month order is inferred (see viewer_time).
 *
 * Quoted fields may span lines; a record is bounded to 1 MiB and an unclosed quote
 * ends at the next line that starts a record. Line breaks inside values come back as
 * "\n" (the source drops the '\r' of "\r\n"). A file whose header is neither shape
 * is not read: sniff gives it a low confidence and open says what it found. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv_tables.h"
#include "ingest/reader.h"
#include "kensa/time.h"
#include "util/str.h"

#define KS_CSV_MAX_RECORD (1u << 20) /* bytes of one record, quoted newlines included */
#define KS_CSV_MAX_CELLS 64
#define KS_CSV_MAX_FIELDS 512 /* strings of one event, labelled items of one message */

enum shape { SHAPE_LOGPARSER = 1, SHAPE_VIEWER };

enum lp_col {
    LP_EVENTLOG,
    LP_RECORD,
    LP_TIMEGENERATED,
    LP_TIMEWRITTEN,
    LP_EVENTID,
    LP_EVENTTYPE,
    LP_EVENTTYPENAME,
    LP_CATEGORY,
    LP_CATEGORYNAME,
    LP_SOURCE,
    LP_STRINGS,
    LP_COMPUTER,
    LP_SID,
    LP_MESSAGE,
    LP_DATA,
    LP_NCOLS
};

static const char *const lp_names[LP_NCOLS] = {
    "EventLog",  "RecordNumber",  "TimeGenerated", "TimeWritten",       "EventID",
    "EventType", "EventTypeName", "EventCategory", "EventCategoryName", "SourceName",
    "Strings",   "ComputerName",  "SID",           "Message",           "Data"};

/* Event Viewer's five named columns, English and Japanese. */
static const char *const viewer_names[5][3] = {
    {"Level", "レベル", NULL},
    {"Date and Time", "日付と時刻", NULL},
    {"Source", "ソース", NULL},
    {"Event ID", "イベント ID", NULL},
    {"Task Category", "タスクのカテゴリ", NULL},
};

/* quoting states of the RFC 4180 scanner */
enum { Q_START, Q_PLAIN, Q_QUOTED, Q_QUOTE };

typedef struct csv_state {
    int shape;
    bool keyword_first; /* Event Viewer's Security export: the first column is Keywords */
    int col[LP_NCOLS];  /* LogParser: the cell of each column, -1 when absent */
    size_t ncols;       /* cells of the header */
    ks_buf rec;         /* the raw record: its lines joined with \n */
    ks_buf cells;       /* the record's cells, unquoted, each followed by a NUL */
    size_t cell_at[KS_CSV_MAX_CELLS], cell_len[KS_CSV_MAX_CELLS];
    size_t ncells;
    uint64_t lineno, offset; /* of the record's first line */
    int order;               /* Event Viewer dates with the year last: 0 unknown, 1 D/M, 2 M/D */
    bool order_assumed;
    char first[64]; /* LogParser: the EventLog cell of the last good row, for resync */
    size_t first_len;
    ks_field fields[KS_CSV_MAX_FIELDS];
    size_t rank[KS_CSV_MAX_FIELDS];
} csv_state;

/* ---- small text helpers ------------------------------------------------------------ */

/* p[0 .. n) without the blanks (spaces, tabs, stray '\r') at either end. */
static ks_str trim(const char *p, size_t n)
{
    return ks_str_trim((ks_str){p, n}, " \t\r");
}

/* A decimal number of up to 20 digits, the whole of s. */
static bool parse_u64(ks_str s, uint64_t *v)
{
    uint64_t r = 0;
    if (!s.len || s.len > 20) return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.p[i] - '0';
        if (d > 9 || r > (UINT64_MAX - d) / 10) return false;
        r = r * 10 + d;
    }
    *v = r;
    return true;
}

/* The cell, blanks trimmed. */
#define TCELL(c, i) trim(cell((c), (i)).p, cell((c), (i)).len)

static bool ends_with_ci(ks_str s, const char *suffix)
{
    size_t n = strlen(suffix);
    return s.len >= n && ks_str_ci_eq(ks_str_skip(s, s.len - n), suffix);
}

static bool blank(const char *p, size_t n)
{
    return trim(p, n).len == 0;
}

/* Split one line into header cells: commas outside quotes, quotes and blanks removed
 * (headers have no escaped quotes). Returns the number of cells (at most max). */
static size_t header_cells(const char *p, size_t n, ks_str *out, size_t max)
{
    size_t k = 0, start = 0;
    bool q = false;
    for (size_t i = 0; i <= n && k < max; i++) {
        if (i < n && p[i] == '"') q = !q;
        if (i < n && (q || p[i] != ',')) continue;
        ks_str c = trim(p + start, i - start);
        if (c.len >= 2 && c.p[0] == '"' && c.p[c.len - 1] == '"') c = trim(c.p + 1, c.len - 2);
        out[k++] = c;
        start = i + 1;
    }
    return k;
}

/* The header's shape; for LogParser the columns are found by name. */
static int header_shape(const ks_str *h, size_t n, bool *keyword_first, int *col)
{
    if (n >= 5) {
        bool ok = true, kw = false;
        for (size_t i = 0; i < 5 && ok; i++) {
            ok = false;
            for (size_t j = 0; viewer_names[i][j] && !ok; j++)
                ok = ks_str_eq(h[i], viewer_names[i][j]);
            if (i == 0 && !ok && (ks_str_eq(h[0], "Keywords") || ks_str_eq(h[0], "キーワード")))
                ok = kw = true;
        }
        if (ok) {
            *keyword_first = kw;
            return SHAPE_VIEWER;
        }
    }
    int found[LP_NCOLS];
    for (size_t j = 0; j < LP_NCOLS; j++) found[j] = -1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < LP_NCOLS; j++)
            if (found[j] < 0 && ks_str_eq(h[i], lp_names[j])) found[j] = (int)i;
    if (found[LP_TIMEGENERATED] < 0 || found[LP_EVENTID] < 0 || found[LP_SOURCE] < 0) return 0;
    if (col) memcpy(col, found, sizeof found);
    return SHAPE_LOGPARSER;
}

/* ---- sniff ------------------------------------------------------------------------- */

static int csv_sniff(const char *head, size_t n)
{
    /* the first line that is not blank */
    size_t at = 0;
    for (int lines = 0; at < n && lines < 16; lines++) {
        const char *nl = memchr(head + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - head) : n;
        if (!blank(head + at, end - at)) {
            ks_str h[KS_CSV_MAX_CELLS];
            size_t k = header_cells(head + at, end - at, h, KS_CSV_MAX_CELLS);
            bool kw = false;
            if (header_shape(h, k, &kw, NULL)) return 95;
            /* another CSV: claim it weakly, so that open names it as unsupported */
            if (k < 3) return 0;
            for (size_t i = 0; i < k; i++)
                if (!h[i].len || h[i].len > 64) return 0;
            return 5;
        }
        at = end + 1;
    }
    return 0;
}

/* ---- open / close ------------------------------------------------------------------ */

static ks_status csv_open(ks_source *s, void **state, ks_diag *diag)
{
    ks_line ln;
    *state = NULL;
    for (;;) {
        if (!ks_source_line(s, &ln))
            return ks_diag_set(diag, KS_ERR_UNSUPPORTED, ks_source_path(s), 0,
                               "an empty file, not a CSV export of an event log");
        if (!blank(ln.p, ln.len)) break;
        ks_source_count_ignored(s);
    }
    csv_state *c = calloc(1, sizeof *c);
    if (!c) return KS_ERR_NOMEM;
    ks_str h[KS_CSV_MAX_CELLS];
    c->ncols = header_cells(ln.p, ln.len, h, KS_CSV_MAX_CELLS);
    c->shape = header_shape(h, c->ncols, &c->keyword_first, c->col);
    if (!c->shape) {
        free(c);
        int shown = ln.len > 80 ? 80 : (int)ln.len;
        return ks_diag_set(diag, KS_ERR_UNSUPPORTED, ks_source_path(s), ln.offset,
                           "a CSV file whose columns are neither LogParser's nor Event "
                           "Viewer's (header: %.*s)",
                           shown, ln.p);
    }
    ks_source_count_ignored(s); /* the header */
    *state = c;
    return KS_OK;
}

static void csv_close(void *state)
{
    csv_state *c = state;
    if (!c) return;
    ks_buf_free(&c->rec);
    ks_buf_free(&c->cells);
    free(c);
}

/* ---- records ----------------------------------------------------------------------- */

static int scan(int st, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        switch (st) {
        case Q_START: st = ch == '"' ? Q_QUOTED : ch == ',' ? Q_START : Q_PLAIN; break;
        case Q_PLAIN: st = ch == ',' ? Q_START : Q_PLAIN; break;
        case Q_QUOTED: st = ch == '"' ? Q_QUOTE : Q_QUOTED; break;
        default: st = ch == '"' ? Q_QUOTED : ch == ',' ? Q_START : Q_PLAIN; break;
        }
    }
    return st;
}

/* Report a problem with the current record (its first line is the excerpt). */
static void bad(ks_source *s, csv_state *c, ks_severity sev, ks_status st, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void bad(ks_source *s, csv_state *c, ks_severity sev, ks_status st, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *ex = c->rec.data ? c->rec.data : "";
    size_t exn = c->rec.failed ? 0 : c->rec.len;
    const char *nl = exn ? memchr(ex, '\n', exn) : NULL;
    if (nl) exn = (size_t)(nl - ex);
    if (exn > 120) exn = 120;
    ks_source_report(s, sev, st, c->offset, c->lineno, ex, exn, "%s", what);
}

/* Does this line look like the start of a record (so that an unclosed quote before it
 * ended its record)? Event Viewer: a level or keyword word, a comma and a digit.
 * LogParser: the EventLog value of the last good row, a comma and a digit. */
static bool record_start(const csv_state *c, const char *p, size_t n)
{
    const char *comma = memchr(p, ',', n < 64 ? n : 64);
    if (!comma || (size_t)(comma - p) + 1 >= n) return false;
    size_t k = (size_t)(comma - p);
    if (comma[1] < '0' || comma[1] > '9') return false;
    if (c->shape == SHAPE_VIEWER) {
        uint8_t lv;
        uint64_t kw;
        ks_str w = trim(p, k);
        if (w.len && w.p[0] == '"') return false;
        return ks_csv_level_word(w.p, w.len, &lv, &kw);
    }
    return c->first_len && k == c->first_len && memcmp(p, c->first, k) == 0;
}

/* The next record's raw text in c->rec: 1, 0 at the end, -1 for a record that was
 * reported and skipped. */
static int read_record(ks_source *s, csv_state *c)
{
    ks_line ln;
    for (;;) {
        if (!ks_source_line(s, &ln)) return 0;
        if (!blank(ln.p, ln.len)) break;
        ks_source_count_ignored(s);
    }
    ks_buf_reset(&c->rec);
    c->lineno = ln.lineno;
    c->offset = ln.offset;
    bool over = ln.len > KS_CSV_MAX_RECORD;
    ks_buf_append(&c->rec, ln.p, over ? KS_CSV_MAX_RECORD : ln.len);
    int st = scan(Q_START, ln.p, ln.len);
    while (st == Q_QUOTED) {
        if (!ks_source_line(s, &ln)) {
            bad(s, c, KS_SEV_ERROR, KS_ERR_TRUNCATED,
                "a quoted field is not closed before the end of the file");
            return -1;
        }
        if (record_start(c, ln.p, ln.len)) {
            ks_source_unread_line(s);
            bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "a quoted field is not closed before line %llu",
                (unsigned long long)ln.lineno);
            return -1;
        }
        if (!over && c->rec.len + 1 + ln.len > KS_CSV_MAX_RECORD) over = true;
        if (!over) {
            ks_buf_putc(&c->rec, '\n');
            ks_buf_append(&c->rec, ln.p, ln.len);
        }
        st = scan(st, ln.p, ln.len);
    }
    if (over || c->rec.failed) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_LIMIT, "a record longer than %u bytes", KS_CSV_MAX_RECORD);
        return -1;
    }
    return 1;
}

/* Split c->rec into unquoted cells. false when there are too many. */
static bool split_cells(csv_state *c)
{
    const char *p = c->rec.data ? c->rec.data : "";
    size_t n = c->rec.len;
    ks_buf *o = &c->cells;
    ks_buf_reset(o);
    if (ks_buf_reserve(o, n + KS_CSV_MAX_CELLS + 1)) return false;
    c->ncells = 0;
    int st = Q_START;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = i < n ? p[i] : ',';
        bool end = false;
        switch (st) {
        case Q_START:
            if (ch == '"')
                st = Q_QUOTED;
            else if (ch == ',')
                end = true;
            else
                o->data[o->len++] = ch, st = Q_PLAIN;
            break;
        case Q_PLAIN:
            if (ch == ',')
                end = true;
            else
                o->data[o->len++] = ch;
            break;
        case Q_QUOTED:
            if (i == n)
                end = true; /* cannot happen: read_record closes quotes */
            else if (ch == '"')
                st = Q_QUOTE;
            else
                o->data[o->len++] = ch;
            break;
        default:
            if (ch == '"')
                o->data[o->len++] = '"', st = Q_QUOTED;
            else if (ch == ',')
                end = true;
            else
                o->data[o->len++] = ch, st = Q_PLAIN;
            break;
        }
        if (!end) continue;
        if (c->ncells == KS_CSV_MAX_CELLS) return false;
        c->cell_at[c->ncells] = start;
        c->cell_len[c->ncells++] = o->len - start;
        o->data[o->len++] = 0;
        start = o->len;
        st = Q_START;
    }
    return true;
}

static ks_str cell(const csv_state *c, int i)
{
    if (i < 0 || (size_t)i >= c->ncells) return (ks_str){"", 0};
    return (ks_str){c->cells.data + c->cell_at[i], c->cell_len[i]};
}

/* ---- fields ------------------------------------------------------------------------ */

static bool add_field(csv_state *c, size_t *k, const char *name, size_t name_len, ks_str v)
{
    for (size_t i = 0; i < *k; i++)
        if (c->fields[i].name.len == name_len && !memcmp(c->fields[i].name.p, name, name_len))
            return false; /* the first wins */
    if (*k == KS_CSV_MAX_FIELDS) return false;
    c->fields[*k].name = (ks_str){name, name_len};
    c->fields[*k].value = ks_str_value(v);
    (*k)++;
    return true;
}

/* Copy the fields into the event's arena. */
static bool publish(ks_source *s, csv_state *c, ks_event *ev, size_t k)
{
    if (!k) return true;
    ks_field *f = ks_source_alloc(s, sizeof *f * k);
    if (!f) return false;
    memcpy(f, c->fields, sizeof *f * k);
    ev->fields = f;
    ev->nfields = k;
    return true;
}

/* Names "String1" .. in the arena. */
static ks_str numbered(ks_source *s, const char *prefix, size_t i)
{
    char name[32];
    int len = snprintf(name, sizeof name, "%s%zu", prefix, i);
    return ks_source_str(s, name, len > 0 ? (size_t)len : 0);
}

/* ---- LogParser rows -------------------------------------------------------------- */

/* The channel of a LogParser row: the EventLog column, unless it names a file (the
 * query read an .evtx), then the file's name when it is a channel's ("Security.evtx",
 * "Microsoft-Windows-Sysmon%4Operational.evtx"), else the provider's usual channel. */
static ks_str lp_channel(ks_source *s, ks_str log, ks_str provider, uint32_t id)
{
    const char *known = ks_csv_channel_of(provider, id);
    if (!log.len) return known ? ks_str_of(known) : log;
    /* channel names hold '/' ("Microsoft-Windows-Sysmon/Operational"), paths '\\' */
    bool file = ends_with_ci(log, ".evtx") || memchr(log.p, '\\', log.len) != NULL;
    if (!file) return log;
    size_t base = 0;
    for (size_t i = 0; i < log.len; i++)
        if (log.p[i] == '\\' || log.p[i] == '/') base = i + 1;
    ks_str name = {log.p + base, log.len - base};
    if (ends_with_ci(name, ".evtx")) name.len -= 5;
    static const char *const channels[] = {"Security", "System", "Application", "Setup"};
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (ks_str_eq(name, channels[i])) return ks_str_of(channels[i]);
    const char *pct = NULL;
    for (size_t i = 0; i + 1 < name.len && !pct; i++)
        if (name.p[i] == '%' && name.p[i + 1] == '4') pct = name.p + i;
    if (pct) { /* "%4" stands for '/' in channel file names */
        ks_str out = ks_source_str(s, name.p, name.len);
        char *w = (char *)out.p;
        size_t j = 0;
        for (size_t i = 0; i < out.len; i++) {
            if (i + 1 < out.len && out.p[i] == '%' && out.p[i + 1] == '4')
                w[j++] = '/', i++;
            else
                w[j++] = out.p[i];
        }
        out.len = j;
        return out;
    }
    return known ? ks_str_of(known) : (ks_str){"", 0};
}

/* Times kensa takes from a CSV: years 1700-2200, far from int64's ends whatever the
 * zone's offset. */
static bool sane_time(int64_t ns)
{
    const int64_t lo = ks_days_from_civil(1700, 1, 1) * 86400 * INT64_C(1000000000);
    const int64_t hi = ks_days_from_civil(2201, 1, 1) * 86400 * INT64_C(1000000000);
    return ns >= lo && ns < hi;
}

static bool lp_event(ks_source *s, csv_state *c, ks_event *ev)
{
    if (c->ncells != c->ncols) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "%zu columns where the header has %zu", c->ncells,
            c->ncols);
        return false;
    }
    ks_str t = TCELL(c, c->col[LP_TIMEGENERATED]);
    int64_t ns;
    bool zone = false;
    if (!ks_time_parse_iso8601(t.p, t.len, &ns, &zone)) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "TimeGenerated is not a time");
        return false;
    }
    if (!sane_time(ns)) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "TimeGenerated is outside the years 1700-2200");
        return false;
    }
    ev->time_ns = zone ? ns : ks_source_local_to_utc(s, ns);
    uint64_t v;
    if (!parse_u64(TCELL(c, c->col[LP_EVENTID]), &v) || v > UINT32_MAX) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "EventID is not a number");
        return false;
    }
    ev->event_id = (uint32_t)v;
    ks_str rn = TCELL(c, c->col[LP_RECORD]);
    if (rn.len && !parse_u64(rn, &ev->record_id))
        bad(s, c, KS_SEV_WARNING, KS_ERR_FORMAT, "RecordNumber is not a number");
    if (parse_u64(TCELL(c, c->col[LP_CATEGORY]), &v)) ev->task = (uint16_t)v;
    if (parse_u64(TCELL(c, c->col[LP_EVENTTYPE]), &v)) {
        switch (v) {
        case 1: ev->level = 2; break; /* error */
        case 2: ev->level = 3; break; /* warning */
        case 4: ev->level = 4; break; /* information */
        case 8: ev->keywords = KS_KW_AUDIT_SUCCESS | 0x8000000000000000ull; break;
        case 16: ev->keywords = KS_KW_AUDIT_FAILURE | 0x8000000000000000ull; break;
        default: break;
        }
    }
    ev->provider = cell(c, c->col[LP_SOURCE]);
    ev->host = cell(c, c->col[LP_COMPUTER]);
    ev->user_sid = cell(c, c->col[LP_SID]);
    ev->offset = c->offset;
    ks_str log = cell(c, c->col[LP_EVENTLOG]);
    ev->channel = lp_channel(s, log, ev->provider, ev->event_id);
    c->first_len = log.len <= sizeof c->first ? log.len : 0;
    if (c->first_len) memcpy(c->first, log.p, log.len);

    /* Strings, split on '|' */
    ks_str str = cell(c, c->col[LP_STRINGS]);
    size_t n = 0, at[KS_CSV_MAX_FIELDS + 1];
    if (str.len) {
        at[n++] = 0;
        for (size_t i = 0; i < str.len && n <= KS_CSV_MAX_FIELDS; i++)
            if (str.p[i] == '|') at[n++] = i + 1;
    }
    if (n > KS_CSV_MAX_FIELDS) {
        bad(s, c, KS_SEV_WARNING, KS_ERR_LIMIT, "more than %d strings; the rest are dropped",
            KS_CSV_MAX_FIELDS);
        n = KS_CSV_MAX_FIELDS;
    }
    size_t extra = 0, k = 0;
    const ks_csv_strings *tpl = ks_csv_strings_find(ev->provider, ev->event_id, n, &extra);
#define PIECE_END(j) ((j) + 1 < n ? at[(j) + 1] - 1 : str.len)
    if (tpl) {
        for (size_t i = 0, j = 0; i < tpl->count; i++) {
            size_t last = j + ((int)i == tpl->greedy ? extra : 0);
            ks_str val = {str.p + at[j], PIECE_END(last) - at[j]};
            add_field(c, &k, tpl->names[i], strlen(tpl->names[i]), val);
            j = last + 1;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            ks_str name = numbered(s, "String", i + 1);
            add_field(c, &k, name.p, name.len, (ks_str){str.p + at[i], PIECE_END(i) - at[i]});
        }
    }
#undef PIECE_END
    ks_str data = cell(c, c->col[LP_DATA]);
    if ((tpl && tpl->binary) || (!tpl && data.len)) add_field(c, &k, "Binary", 6, data);
    if (!publish(s, c, ev, k)) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_NOMEM, "out of memory for the event's fields");
        return false;
    }
    return true;
}

/* ---- Event Viewer rows ----------------------------------------------------------- */

/* "午前" / "午後" / "AM" / "PM" (also "a.m.", "p.m."): 1 for AM, 2 for PM, 0 none; *len
 * is the marker's length. */
static int ampm(const char *p, size_t n, size_t *len)
{
    static const struct {
        const char *w;
        int v;
    } m[] = {{"午前", 1}, {"午後", 2}, {"AM", 1},   {"PM", 2},   {"am", 1},
             {"pm", 2},   {"a.m.", 1}, {"p.m.", 2}, {"A.M.", 1}, {"P.M.", 2}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        size_t l = strlen(m[i].w);
        if (l <= n && !memcmp(p, m[i].w, l)) return *len = l, m[i].v;
    }
    return 0;
}

static bool number(const char *p, size_t n, size_t *i, unsigned *v, size_t *digits)
{
    unsigned r = 0;
    size_t d = 0;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9' && d < 5)
        r = r * 10 + (unsigned)(p[(*i)++] - '0'), d++;
    *v = r;
    if (digits) *digits = d;
    return d > 0;
}

static void skip_spaces(const char *p, size_t n, size_t *i)
{
    while (*i < n && (p[*i] == ' ' || p[*i] == '\t')) (*i)++;
}

/* Event Viewer's "Date and Time" in the locale's short format: "2024/01/02 3:04:05",
 * "1/2/2024 3:04:05 AM", "02.01.2024 03:04:05", "2024/01/02 午前 3:04:05". Dates with
 * the year last are day/month or month/day: a part over 12 decides it for the file;
 * until then month/day is assumed with an AM/PM clock (en-US) and day/month without. */
static bool viewer_time(ks_source *s, csv_state *c, ks_str t, int64_t *ns)
{
    const char *p = t.p;
    size_t n = t.len, i = 0, d1, d3, ml = 0;
    unsigned a, b, y, h, mi, se = 0;
    if (!number(p, n, &i, &a, &d1) || i >= n) return false;
    char sep = p[i];
    if (sep != '/' && sep != '-' && sep != '.') return false;
    i++;
    if (!number(p, n, &i, &b, NULL) || i >= n || p[i] != sep) return false;
    i++;
    if (!number(p, n, &i, &y, &d3)) return false;
    skip_spaces(p, n, &i);
    int mark = ampm(p + i, n - i, &ml);
    if (mark) i += ml, skip_spaces(p, n, &i);
    if (!number(p, n, &i, &h, NULL) || i >= n || p[i] != ':') return false;
    i++;
    if (!number(p, n, &i, &mi, NULL)) return false;
    if (i < n && p[i] == ':') {
        i++;
        if (!number(p, n, &i, &se, NULL)) return false;
    }
    skip_spaces(p, n, &i);
    if (!mark && i < n) {
        mark = ampm(p + i, n - i, &ml);
        if (mark) i += ml;
    }
    skip_spaces(p, n, &i);
    if (i != n) return false;
    unsigned year, mon, day;
    if (d1 == 4) {
        year = a, mon = b, day = y;
    } else {
        if (d3 == 2) y += 2000;
        year = y;
        int order = a > 12 ? 1 : b > 12 ? 2 : 0;
        if (order) {
            c->order = order;
        } else if (!c->order) {
            order = mark ? 2 : 1;
            if (!c->order_assumed)
                ks_source_assume(s, "dates read as %s",
                                 order == 2 ? "month/day/year" : "day/month/year");
            c->order_assumed = true;
        }
        if (!order) order = c->order;
        mon = order == 1 ? b : a;
        day = order == 1 ? a : b;
    }
    if (mark) {
        if (h < 1 || h > 12) return false;
        h = h % 12 + (mark == 2 ? 12 : 0);
    }
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || h > 23 || mi > 59 || se > 60 ||
        year < 1700 || year > 2200)
        return false;
    int64_t days = ks_days_from_civil(year, mon, day);
    *ns = ((days * 86400) + h * 3600 + mi * 60 + se) * 1000000000ll;
    return true;
}

/* The message's first line against the sentence patterns (System 7036, 7040, 104). */
static void sentence_fields(csv_state *c, size_t *k, const ks_event *ev, ks_str msg)
{
    const char *nl = memchr(msg.p, '\n', msg.len);
    ks_str line = trim(msg.p, nl ? (size_t)(nl - msg.p) : msg.len);
    for (size_t i = 0; i < ks_csv_nsentences; i++) {
        const ks_csv_sentence *t = &ks_csv_sentences[i];
        if (t->event_id != ev->event_id || !ks_str_eq(ev->provider, t->provider)) continue;
        /* literal parts between %1 .. %3, matched left to right */
        const char *pat = t->pattern;
        size_t pos = 0, nv = 0;
        ks_str vals[3];
        bool ok = true;
        while (*pat && ok) {
            if (pat[0] == '%' && pat[1] >= '1' && pat[1] <= '3') {
                const char *lit = pat + 2, *lit_end = strchr(lit, '%');
                size_t ll = lit_end ? (size_t)(lit_end - lit) : strlen(lit);
                /* the value runs to the next occurrence of the literal after it */
                size_t j = pos;
                while (j + ll <= line.len && memcmp(line.p + j, lit, ll) != 0) j++;
                if (j + ll > line.len || nv == 3)
                    ok = false;
                else
                    vals[nv++] = (ks_str){line.p + pos, j - pos}, pos = j + ll;
                pat = lit + ll;
            } else {
                const char *lit_end = strchr(pat, '%');
                size_t ll = lit_end ? (size_t)(lit_end - pat) : strlen(pat);
                ok = pos + ll <= line.len && !memcmp(line.p + pos, pat, ll);
                pos += ll, pat += ll;
            }
        }
        if (!ok || pos != line.len) continue;
        for (size_t j = 0; j < nv && t->names[j]; j++)
            add_field(c, k, t->names[j], strlen(t->names[j]), vals[j]);
        return;
    }
}

/* Labelled lines of a rendered message: "Label:<tabs>value", sections headed by a label
 * with no value, continuation lines (privilege lists, task XML) appended to the value
 * above them; a blank line ends a section. */
static void message_fields(csv_state *c, size_t *k, const ks_event *ev, ks_str msg)
{
    const char *section = NULL;
    long open = -1; /* the field the next unlabelled line continues */
    size_t at = 0;
    for (int lines = 0; at <= msg.len && lines < 100000; lines++) {
        const char *nl = memchr(msg.p + at, '\n', msg.len - at);
        size_t end = nl ? (size_t)(nl - msg.p) : msg.len;
        ks_str raw = {msg.p + at, end - at};
        ks_str t = trim(raw.p, raw.len);
        at = end + 1;
        if (!t.len) {
            section = NULL, open = -1;
        } else {
            const char *colon = NULL;
            size_t clen = 0;
            for (size_t i = 0; i < t.len && i < 96 && !colon; i++) {
                if (t.p[i] == ':')
                    colon = t.p + i, clen = 1;
                else if (i + 2 < t.len && !memcmp(t.p + i, "\xef\xbc\x9a", 3)) /* '：' */
                    colon = t.p + i, clen = 3;
            }
            bool is_section = false;
            ks_str lab = colon ? trim(t.p, (size_t)(colon - t.p)) : (ks_str){NULL, 0};
            const char *canon = colon ? ks_csv_label(lab.p, lab.len, &is_section) : NULL;
            if (!canon) {
                if (open >= 0) { /* the value goes on over this line */
                    ks_value *v = &c->fields[open].value;
                    v->size = (uint32_t)(t.p + t.len - (const char *)v->data);
                }
            } else {
                const char *vp = colon + clen;
                ks_str val = trim(vp, (size_t)(t.p + t.len - vp));
                if (!val.len) val.p = vp;
                if (is_section && !val.len) {
                    section = canon, open = -1;
                } else {
                    const char *f = ks_csv_label_field(ev->provider, ev->event_id, section, canon);
                    open = -1;
                    if (f && add_field(c, k, f, strlen(f), val) && val.len) open = (long)*k - 1;
                }
            }
        }
        if (!nl) break;
    }
}

/* Order fields as the event's template does (EventData order); others keep theirs. */
static void template_order(csv_state *c, size_t k, const ks_event *ev)
{
    const ks_csv_strings *t = ks_csv_strings_newest(ev->provider, ev->event_id);
    if (!t) return;
    for (size_t i = 0; i < k; i++) {
        c->rank[i] = 1000 + i;
        for (size_t j = 0; j < t->count; j++)
            if (ks_str_eq(c->fields[i].name, t->names[j])) c->rank[i] = j;
    }
    for (size_t i = 1; i < k; i++) { /* insertion sort: k is small */
        ks_field f = c->fields[i];
        size_t r = c->rank[i], j = i;
        for (; j > 0 && c->rank[j - 1] > r; j--) {
            c->fields[j] = c->fields[j - 1];
            c->rank[j] = c->rank[j - 1];
        }
        c->fields[j] = f;
        c->rank[j] = r;
    }
}

static bool viewer_event(ks_source *s, csv_state *c, ks_event *ev)
{
    if (c->ncells < 5 || c->ncells > 6) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "%zu columns where Event Viewer writes 6",
            c->ncells);
        return false;
    }
    ks_str when = TCELL(c, 1);
    int64_t ns;
    if (!viewer_time(s, c, when, &ns)) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "the date and time are in no format kensa knows");
        return false;
    }
    ev->time_ns = ks_source_local_to_utc(s, ns);
    uint64_t v;
    if (!parse_u64(TCELL(c, 3), &v) || v > UINT32_MAX) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_FORMAT, "the event ID is not a number");
        return false;
    }
    ev->event_id = (uint32_t)v;
    /* level, or keywords ("Audit Success", "クラシック,失敗の監査") */
    ks_str w = cell(c, 0);
    for (size_t i = 0, start = 0; i <= w.len; i++) {
        if (i < w.len && w.p[i] != ',') continue;
        ks_str one = trim(w.p + start, i - start);
        uint8_t lv;
        uint64_t kw;
        if (ks_csv_level_word(one.p, one.len, &lv, &kw)) {
            if (kw)
                ev->keywords |= kw | 0x8000000000000000ull;
            else
                ev->level = lv;
        }
        start = i + 1;
    }
    ev->provider = TCELL(c, 2);
    const char *ch = ks_csv_channel_of(ev->provider, ev->event_id);
    if (!ch && c->keyword_first) ch = "Security";
    if (ch) ev->channel = ks_str_of(ch);
    ev->offset = c->offset;
    ks_str msg = cell(c, 5);
    size_t k = 0;
    message_fields(c, &k, ev, msg);
    if (!k) sentence_fields(c, &k, ev, msg);
    template_order(c, k, ev);
    ks_str m = trim(msg.p, msg.len);
    if (!k && m.len) add_field(c, &k, "Message", 7, m); /* nothing known: keep the text */
    if (!publish(s, c, ev, k)) {
        bad(s, c, KS_SEV_ERROR, KS_ERR_NOMEM, "out of memory for the event's fields");
        return false;
    }
    return true;
}

/* ---- next -------------------------------------------------------------------------- */

static ks_status csv_next(ks_source *s, void *state, ks_event *ev, bool *got)
{
    csv_state *c = state;
    *got = false;
    for (;;) {
        int r = read_record(s, c);
        if (r == 0) return KS_OK;
        if (r < 0) continue;
        if (!split_cells(c)) {
            bad(s, c, KS_SEV_ERROR, c->cells.failed ? KS_ERR_NOMEM : KS_ERR_LIMIT,
                "more than %d columns", KS_CSV_MAX_CELLS);
            continue;
        }
        /* a header repeated (files appended to each other) */
        ks_str h[KS_CSV_MAX_CELLS];
        for (size_t i = 0; i < c->ncells; i++) h[i] = cell(c, (int)i);
        bool kw = false;
        if (header_shape(h, c->ncells, &kw, NULL) == c->shape) {
            ks_source_count_ignored(s);
            continue;
        }
        memset(ev, 0, sizeof *ev);
        ev->sem.logon_type = -1;
        bool ok = c->shape == SHAPE_LOGPARSER ? lp_event(s, c, ev) : viewer_event(s, c, ev);
        if (ok) return *got = true, KS_OK;
    }
}

const ks_reader_ops ks_reader_csv = {KS_FORMAT_CSV, csv_sniff, csv_open, csv_next, csv_close};
