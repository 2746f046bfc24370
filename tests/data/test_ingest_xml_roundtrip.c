/* The Event XML reader on real data: every record of the shared attack and normal
 * .evtx files, rendered as `kensa dump --format xml` writes it (ks_evtx_render_xml in
 * one <Events> document) and read back through ks_source (format detected), must give
 * the event ks_evtx_record_event gives: System fields, and fields as text in order.
 * The same document in UTF-16LE with a BOM must read the same. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>

#include "harness.h"
#include "kensa/kensa.h"

/* The parts of an event compared, each a mismatch class of its own. */
enum {
    P_TIME,
    P_RID,
    P_EID,
    P_QUAL,
    P_LEVEL,
    P_VER,
    P_TASK,
    P_OPCODE,
    P_KEYWORDS,
    P_PID,
    P_TID,
    P_HOST,
    P_CHANNEL,
    P_PROVIDER,
    P_GUID,
    P_SID,
    P_NFIELDS,
    P_FNAME,
    P_FVALUE,
    P_COUNT
};
static const char *const part_name[P_COUNT] = {
    "time",          "record_id", "event_id",    "qualifiers", "level",      "version", "task",
    "opcode",        "keywords",  "process_id",  "thread_id",  "host",       "channel", "provider",
    "provider_guid", "user_sid",  "field count", "field name", "field value"};

/* One event as text: one string per part (fields: "name\x1evalue\x1f..." in order). */
typedef struct canon {
    char *part[P_NFIELDS + 1];
    size_t nfields;
    char **fname, **fvalue;
} canon;

static char *dup_buf(ks_buf *b)
{
    ks_buf_putc(b, 0);
    char *p = malloc(b->len);
    if (p) memcpy(p, b->data, b->len);
    ks_buf_reset(b);
    return p;
}

static char *str_of(ks_str s)
{
    char *p = malloc(s.len + 1);
    if (s.len) memcpy(p, s.p, s.len);
    p[s.len] = 0;
    return p;
}

static void canon_make(canon *c, const ks_event *ev)
{
    static ks_buf b;
    memset(c, 0, sizeof *c);
    uint64_t nums[] = {ev->record_id, ev->event_id, ev->qualifiers, ev->level,      ev->version,
                       ev->task,      ev->opcode,   ev->keywords,   ev->process_id, ev->thread_id};
    ks_buf_i64(&b, ev->time_ns);
    c->part[P_TIME] = dup_buf(&b);
    for (int i = 0; i < 10; i++) {
        if (P_RID + i == P_QUAL && !ev->has_qualifiers)
            ks_buf_puts(&b, "none");
        else
            ks_buf_u64(&b, nums[i]);
        c->part[P_RID + i] = dup_buf(&b);
    }
    c->part[P_HOST] = str_of(ev->host);
    c->part[P_CHANNEL] = str_of(ev->channel);
    c->part[P_PROVIDER] = str_of(ev->provider);
    c->part[P_GUID] = str_of(ev->provider_guid);
    c->part[P_SID] = str_of(ev->user_sid);
    ks_buf_u64(&b, ev->nfields);
    c->part[P_NFIELDS] = dup_buf(&b);
    c->nfields = ev->nfields;
    c->fname = calloc(ev->nfields + 1, sizeof *c->fname);
    c->fvalue = calloc(ev->nfields + 1, sizeof *c->fvalue);
    for (size_t i = 0; i < ev->nfields; i++) {
        c->fname[i] = str_of(ev->fields[i].name);
        ks_value_format(&b, &ev->fields[i].value, KS_ESC_NONE);
        c->fvalue[i] = dup_buf(&b);
    }
}

static void canon_free(canon *c)
{
    for (int i = 0; i <= P_NFIELDS; i++) free(c->part[i]);
    for (size_t i = 0; i < c->nfields; i++) free(c->fname[i]), free(c->fvalue[i]);
    free(c->fname);
    free(c->fvalue);
}

/* ---- counts and mismatch classes --------------------------------------------------- */

static struct {
    unsigned long files, records, compared, equal, missing, extra, problems, pictures;
    unsigned long mismatch[P_COUNT];
    char example[P_COUNT][600];
} tally;

static const char *current_file;
static int current_utf16;

static void mismatch(int part, uint64_t rid, const char *want, const char *got)
{
    if (!tally.mismatch[part]++)
        snprintf(tally.example[part], sizeof tally.example[part],
                 "%s%s record %llu: expected \"%.200s\", read \"%.200s\"", current_file,
                 current_utf16 ? " (UTF-16)" : "", (unsigned long long)rid, want, got);
}

/* The text as the XML renderer can write it: XML 1.0 holds no control characters but
 * tab, LF and CR, not even as references, so it drops NUL and shows the others as
 * their control pictures (U+2400 + c; src/util/utf16.c). */
static char *as_xml_can_hold(const char *v)
{
    size_t n = strlen(v);
    char *o = malloc(3 * n + 1), *w = o;
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            *w++ = (char)c;
        } else {
            *w++ = (char)0xe2, *w++ = (char)(0x90 + (c >> 6)), *w++ = (char)(0x80 | (c & 0x3f));
        }
    }
    *w = 0;
    return o;
}

static int compare(const canon *want, const canon *got, uint64_t rid)
{
    int bad = 0;
    for (int i = 0; i <= P_NFIELDS; i++)
        if (strcmp(want->part[i], got->part[i]) != 0)
            mismatch(i, rid, want->part[i], got->part[i]), bad = 1;
    size_t n = want->nfields < got->nfields ? want->nfields : got->nfields;
    int name_bad = 0, value_bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!name_bad && strcmp(want->fname[i], got->fname[i]) != 0)
            mismatch(P_FNAME, rid, want->fname[i], got->fname[i]), name_bad = bad = 1;
        if (!value_bad && strcmp(want->fvalue[i], got->fvalue[i]) != 0) {
            char *shown = as_xml_can_hold(want->fvalue[i]);
            int same = strcmp(shown, got->fvalue[i]) == 0;
            free(shown);
            if (same) {
                tally.pictures++;
                continue;
            }
            char w[400], g[400];
            snprintf(w, sizeof w, "%s=%s", want->fname[i], want->fvalue[i]);
            snprintf(g, sizeof g, "%s=%s", got->fname[i], got->fvalue[i]);
            mismatch(P_FVALUE, rid, w, g);
            value_bad = bad = 1;
        }
    }
    return !bad;
}

static void on_problem(void *ctx, const ks_problem *p)
{
    (void)ctx;
    if (tally.problems++ < 10)
        fprintf(stderr, "%s%s line %llu: %s\n", current_file, current_utf16 ? " (UTF-16)" : "",
                (unsigned long long)p->line, p->what);
}

/* ---- one file ---------------------------------------------------------------------- */

/* UTF-8 to UTF-16LE with a BOM (the rendered XML is valid UTF-8). */
static uint8_t *to_utf16le(const char *p, size_t n, size_t *out_n)
{
    uint8_t *o = malloc(2 + 4 * n + 2), *w = o;
    *w++ = 0xff, *w++ = 0xfe;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        uint32_t cp;
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (len > n - i) len = n - i;
        cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
        for (size_t k = 1; k < len; k++) cp = cp << 6 | ((unsigned char)p[i + k] & 0x3f);
        i += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            uint32_t hi = 0xd800 | (cp >> 10), lo = 0xdc00 | (cp & 0x3ff);
            *w++ = (uint8_t)hi, *w++ = (uint8_t)(hi >> 8), *w++ = (uint8_t)lo,
            *w++ = (uint8_t)(lo >> 8);
        } else {
            *w++ = (uint8_t)cp, *w++ = (uint8_t)(cp >> 8);
        }
    }
    *out_n = (size_t)(w - o);
    return o;
}

static void read_back(const void *doc, size_t n, canon *want, uint64_t *rids, size_t nwant)
{
    ks_source_opts o = {0};
    o.on_problem = on_problem;
    ks_source *s = NULL;
    ks_diag d;
    if (ks_source_open_mem(&s, doc, n, current_file, &o, &d) != KS_OK) {
        fprintf(stderr, "%s: cannot open the rendered XML: %s\n", current_file, d.what);
        CHECK(0);
        return;
    }
    CHECK_INT(ks_source_format(s), KS_FORMAT_XML);
    CHECK_INT(ks_source_encoding(s), current_utf16 ? KS_ENC_UTF16LE : KS_ENC_UTF8);
    const ks_event *ev;
    size_t k = 0;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        if (k >= nwant) {
            tally.extra++;
            continue;
        }
        canon got;
        canon_make(&got, ev);
        tally.compared++;
        tally.equal += compare(&want[k], &got, rids[k]);
        canon_free(&got);
        k++;
    }
    tally.missing += nwant - k;
    ks_source_close(&s);
}

static void one_file(const char *path)
{
    ks_evtx *r = NULL;
    ks_diag d;
    if (ks_evtx_open(&r, path, &d) != KS_OK) return;
    tally.files++;
    current_file = path;
    ks_buf doc = {0};
    ks_buf_puts(&doc, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n");
    size_t n = 0, cap = 0;
    canon *want = NULL;
    uint64_t *rids = NULL;
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        ks_event ev;
        if (ks_evtx_record_event(rec, &ev) != KS_OK) continue; /* ks_source skips it too */
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            want = realloc(want, cap * sizeof *want);
            rids = realloc(rids, cap * sizeof *rids);
        }
        canon_make(&want[n], &ev);
        rids[n] = rec->record_id;
        n++;
        ks_evtx_render_xml(rec, &doc);
    }
    ks_evtx_close(&r);
    ks_buf_puts(&doc, "</Events>\n");
    tally.records += n;
    CHECK(!doc.failed);

    current_utf16 = 0;
    read_back(doc.data, doc.len, want, rids, n);
    size_t un;
    uint8_t *u = to_utf16le(doc.data, doc.len, &un);
    current_utf16 = 1;
    read_back(u, un, want, rids, n);
    free(u);

    for (size_t i = 0; i < n; i++) canon_free(&want[i]);
    free(want);
    free(rids);
    ks_buf_free(&doc);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, int depth)
{
    if (depth > 16) return;
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        size_t len = strlen(names[i]);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            walk(path, depth + 1);
        else if (len > 5 && strcmp(names[i] + len - 5, ".evtx") == 0)
            one_file(path);
        free(names[i]);
    }
    free(names);
}

int main(void)
{
    const char *data = ks_test_data_dir();
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/evtx/attack", data);
    walk(dir, 0);
    snprintf(dir, sizeof dir, "%s/evtx/normal", data);
    walk(dir, 0);

    printf("%lu files, %lu records; %lu events compared (UTF-8 and UTF-16LE), %lu equal, "
           "%lu missing, %lu extra, %lu problems reported\n",
           tally.files, tally.records, tally.compared, tally.equal, tally.missing, tally.extra,
           tally.problems);
    printf("%lu field values equal once control characters are shown as the XML renderer "
           "shows them (U+2400 + c)\n",
           tally.pictures);
    for (int i = 0; i < P_COUNT; i++)
        if (tally.mismatch[i])
            printf("mismatch %s: %lu, first: %s\n", part_name[i], tally.mismatch[i],
                   tally.example[i]);
    CHECK(tally.files > 200);
    CHECK(tally.records > 5000);
    CHECK_INT(tally.compared, 2 * tally.records);
    CHECK_INT(tally.equal, tally.compared);
    CHECK_INT(tally.missing, 0);
    CHECK_INT(tally.extra, 0);
    CHECK_INT(tally.problems, 0);
    return ks_test_done();
}
