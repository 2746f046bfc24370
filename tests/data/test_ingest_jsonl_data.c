/* The JSON lines reader on real data: every record of the shared attack and normal
 * .evtx files, rendered as `kensa dump` prints it (ks_evtx_render_json) and read back
 * through ks_source, must give the event ks_evtx_record_event gives (System fields and
 * fields as text, in order); and every Wazuh eventchannel `log N pass` line must read
 * as an event with provider, event id, host and fields. */
#include <dirent.h>
#include <stdint.h>

#include "harness.h"
#include "kensa/kensa.h"

/* One event as comparable text: its parts separated by \x1f, fields by \x1e. */
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
    P_FIELDS
};
static const char *const part_names[] = {
    "time",    "record_id", "event_id",      "qualifiers", "level",       "version",
    "task",    "opcode",    "keywords",      "process_id", "thread_id",   "host",
    "channel", "provider",  "provider_guid", "user_sid",   "field count", "field name or text"};

static char *canon(const ks_event *ev)
{
    ks_buf b = {0};
    ks_buf_i64(&b, ev->time_ns);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->record_id);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->event_id);
    ks_buf_putc(&b, 0x1f);
    if (ev->has_qualifiers) ks_buf_u64(&b, ev->qualifiers);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->level);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->version);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->task);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->opcode);
    ks_buf_putc(&b, 0x1f);
    ks_buf_hex(&b, ev->keywords);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->process_id);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->thread_id);
    const ks_str *strs[] = {&ev->host, &ev->channel, &ev->provider, &ev->provider_guid,
                            &ev->user_sid};
    for (size_t i = 0; i < 5; i++) {
        ks_buf_putc(&b, 0x1f);
        ks_buf_append(&b, strs[i]->p, strs[i]->len);
    }
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->nfields);
    ks_buf_putc(&b, 0x1f);
    for (size_t i = 0; i < ev->nfields; i++) {
        if (i) ks_buf_putc(&b, 0x1e);
        ks_buf_append(&b, ev->fields[i].name.p, ev->fields[i].name.len);
        ks_buf_putc(&b, '=');
        ks_value_text(&b, &ev->fields[i].value);
    }
    ks_buf_putc(&b, 0);
    return b.data;
}

/* What kensa's normalized event JSON carries: the main System fields, the fields as
 * text and the semantic fields. */
static char *canon_events(const ks_event *ev)
{
    ks_buf b = {0};
    ks_buf_i64(&b, ev->time_ns);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->record_id);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->event_id);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, ev->level);
    const ks_semantic *m = &ev->sem;
    const ks_str *strs[] = {&ev->host,   &ev->channel, &ev->provider,    &ev->user_sid,
                            &m->user,    &m->domain,   &m->src_ip,       &m->src_host,
                            &m->status,  &m->process,  &m->command_line, &m->parent_process,
                            &m->service, &m->share,    &m->country,      &m->session,
                            &m->action};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        ks_buf_putc(&b, 0x1f);
        ks_buf_append(&b, strs[i]->p, strs[i]->len);
    }
    ks_buf_putc(&b, 0x1f);
    ks_buf_i64(&b, m->logon_type);
    ks_buf_putc(&b, 0x1f);
    ks_buf_u64(&b, (uint64_t)m->outcome);
    ks_buf_putc(&b, 0x1f);
    for (size_t i = 0; i < ev->nfields; i++) {
        if (i) ks_buf_putc(&b, 0x1e);
        ks_buf_append(&b, ev->fields[i].name.p, ev->fields[i].name.len);
        ks_buf_putc(&b, '=');
        ks_value_text(&b, &ev->fields[i].value);
    }
    ks_buf_putc(&b, 0);
    return b.data;
}

/* The first part where a and b differ, or -1. */
static int first_diff(const char *a, const char *b)
{
    int part = 0;
    for (;; a++, b++) {
        if (*a != *b) return part;
        if (!*a) return -1;
        if (*a == 0x1f) part++;
    }
}

static unsigned long long n_files, n_records, n_same, n_missing, n_extra, n_bad_evtx;
static unsigned long long n_class[P_FIELDS + 1];
static unsigned long long n_problems;
static unsigned long long n_ev_records, n_ev_same, n_ev_diff;

static void on_problem(void *ctx, const ks_problem *p)
{
    n_problems++;
    if (n_problems <= 5)
        fprintf(stderr, "%s: line %llu: %s\n", (const char *)ctx, (unsigned long long)p->line,
                p->what);
}

static void show(const char *file, const char *what, const char *s)
{
    fprintf(stderr, "  %s %s: ", file, what);
    for (; *s; s++) fputc(*s == 0x1f ? '|' : *s == 0x1e ? ';' : *s, stderr);
    fputc('\n', stderr);
}

static void check_events(const char *path);

static void check_file(const char *path)
{
    ks_evtx *r = NULL;
    if (ks_evtx_open(&r, path, NULL) != KS_OK) {
        n_bad_evtx++;
        return;
    }
    n_files++;
    ks_buf json = {0};
    char **want = NULL;
    size_t nwant = 0, cap = 0;
    const ks_evtx_record *rec;
    ks_event ev;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        if (ks_evtx_record_event(rec, &ev) != KS_OK) continue;
        size_t before = json.len;
        ks_evtx_render_json(rec, &json);
        if (json.len == before) continue;
        if (nwant == cap) {
            cap = cap ? cap * 2 : 256;
            want = realloc(want, cap * sizeof *want);
        }
        want[nwant++] = canon(&ev);
    }
    ks_evtx_close(&r);
    n_records += nwant;

    /* the format detected from the content, as `kensa dump FILE.jsonl` would */
    ks_source_opts o = {.on_problem = on_problem, .ctx = (void *)path};
    ks_source *s = NULL;
    ks_diag d;
    ks_status st = ks_source_open_mem(&s, json.data ? json.data : "", json.len, path, &o, &d);
    CHECK(st == KS_OK);
    if (st == KS_OK) {
        CHECK_INT(ks_source_format(s), KS_FORMAT_JSONL);
        const ks_event *got;
        size_t i = 0;
        while (ks_source_next(s, &got) == KS_OK && got) {
            if (i >= nwant) {
                n_extra++;
                continue;
            }
            char *c = canon(got);
            int diff = first_diff(want[i], c);
            if (diff < 0) {
                n_same++;
            } else {
                if (n_class[diff]++ < 3) {
                    fprintf(stderr, "%s: record %zu differs in %s\n", path, i, part_names[diff]);
                    show(path, "evtx", want[i]);
                    show(path, "json", c);
                }
            }
            free(c);
            i++;
        }
        if (i < nwant) n_missing += nwant - i;
        ks_source_close(&s);
    }
    for (size_t i = 0; i < nwant; i++) free(want[i]);
    free(want);
    ks_buf_free(&json);
    check_events(path);
}

/* `kensa dump --format events` of the file read back: the same events, with the
 * semantic fields the mapping table filled. */
static void check_events(const char *path)
{
    ks_source *s = NULL;
    if (ks_source_open(&s, path, NULL, NULL) != KS_OK) return;
    ks_buf json = {0};
    char **want = NULL;
    size_t nwant = 0, cap = 0;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        ks_event_write_json(&json, ev, path, "evtx");
        if (nwant == cap) {
            cap = cap ? cap * 2 : 256;
            want = realloc(want, cap * sizeof *want);
        }
        want[nwant++] = canon_events(ev);
    }
    ks_source_close(&s);
    n_ev_records += nwant;
    ks_source_opts o = {.format = KS_FORMAT_JSONL, .on_problem = on_problem, .ctx = (void *)path};
    CHECK(ks_source_open_mem(&s, json.data ? json.data : "", json.len, path, &o, NULL) == KS_OK);
    size_t i = 0;
    while (s && ks_source_next(s, &ev) == KS_OK && ev) {
        char *c = i < nwant ? canon_events(ev) : NULL;
        if (c && strcmp(c, want[i]) == 0) {
            n_ev_same++;
        } else if (n_ev_diff++ < 3) {
            fprintf(stderr, "%s: event %zu differs after the events JSON\n", path, i);
            if (i < nwant) show(path, "evtx", want[i]);
            if (c) show(path, "json", c);
        }
        free(c);
        i++;
    }
    if (i != nwant) n_ev_diff += i > nwant ? i - nwant : nwant - i;
    ks_source_close(&s);
    for (size_t k = 0; k < nwant; k++) free(want[k]);
    free(want);
    ks_buf_free(&json);
}

static void walk(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 8) {
        if (d) closedir(d);
        return;
    }
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat stt;
        if (stat(path, &stt) != 0) continue;
        if (S_ISDIR(stt.st_mode)) {
            walk(path, depth + 1);
        } else {
            size_t n = strlen(e->d_name);
            if (n > 5 && strcmp(e->d_name + n - 5, ".evtx") == 0) check_file(path);
        }
    }
    closedir(d);
}

/* ---- Wazuh eventchannel JSON ---------------------------------------------------------- */

static void wazuh(const char *dir)
{
    static const char *const files[] = {"win_security.ini",
                                        "windows_baseline_intrusion_detection.ini",
                                        "win_event_channel.ini", "win-generic_rules.ini"};
    ks_buf all = {0};
    size_t lines = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/syslog/wazuh-ruleset-tests/tests/%s", dir, files[i]);
        size_t n;
        char *text = (char *)ks_test_slurp(path, &n);
        CHECK(text != NULL);
        if (!text) continue;
        for (size_t p = 0; p < n;) {
            char *nl = memchr(text + p, '\n', n - p);
            size_t end = nl ? (size_t)(nl - text) : n;
            const char *ln = text + p;
            size_t len = end - p;
            const char *eq = memchr(ln, '=', len);
            if (len > 4 && !memcmp(ln, "log ", 4) && eq && eq - ln < 24 &&
                memmem(ln, (size_t)(eq - ln), " pass ", 6) && eq + 2 < ln + len && eq[2] == '{') {
                ks_buf_append(&all, eq + 2, len - (size_t)(eq + 2 - ln));
                ks_buf_putc(&all, '\n');
                lines++;
            }
            p = end + 1;
        }
        free(text);
    }
    ks_source_opts o = {.on_problem = on_problem, .ctx = (void *)"wazuh"};
    ks_source *s = NULL;
    CHECK(ks_source_open_mem(&s, all.data, all.len, "wazuh", &o, NULL) == KS_OK);
    size_t events = 0, complete = 0, timed = 0, user = 0;
    const ks_event *ev;
    while (s && ks_source_next(s, &ev) == KS_OK && ev) {
        events++;
        int ok = ev->provider.len && ev->event_id && ev->host.len && ev->nfields;
        complete += ok;
        timed += ev->time_ns != 0;
        user += ev->sem.user.len != 0;
        if (!ok)
            fprintf(stderr, "wazuh event %zu: provider %.*s event %u host %.*s fields %zu\n",
                    events, (int)ev->provider.len, ev->provider.p, ev->event_id, (int)ev->host.len,
                    ev->host.p, ev->nfields);
    }
    printf("wazuh: %zu pass lines, %zu events, %zu with provider, event id, host and fields, "
           "%zu with a time, %zu with sem.user\n",
           lines, events, complete, timed, user);
    CHECK(lines >= 40);
    CHECK_INT(events, lines);
    CHECK_INT(complete, lines);
    CHECK_INT(timed, lines);
    ks_source_close(&s);
    ks_buf_free(&all);
}

int main(void)
{
    const char *dir = ks_test_data_dir();
    char path[2048];
    snprintf(path, sizeof path, "%s/evtx/attack", dir);
    walk(path, 0);
    snprintf(path, sizeof path, "%s/evtx/normal", dir);
    walk(path, 0);
    unsigned long long mismatched = 0;
    for (int i = 0; i <= P_FIELDS; i++) mismatched += n_class[i];
    printf("evtx -> kensa dump JSON -> jsonl reader: %llu files (%llu not readable as EVTX), "
           "%llu records, %llu identical, %llu different, %llu missing, %llu extra, %llu "
           "problems\n",
           n_files, n_bad_evtx, n_records, n_same, mismatched, n_missing, n_extra, n_problems);
    for (int i = 0; i <= P_FIELDS; i++)
        if (n_class[i]) printf("  differ first in %s: %llu\n", part_names[i], n_class[i]);
    CHECK(n_files >= 200);
    CHECK(n_records >= 7000);
    CHECK_INT(n_missing, 0);
    CHECK_INT(n_extra, 0);
    CHECK_INT(n_same, n_records);
    printf("evtx -> kensa dump --format events -> jsonl reader: %llu events, %llu identical "
           "(with semantic fields), %llu different or missing\n",
           n_ev_records, n_ev_same, n_ev_diff);
    CHECK(n_ev_records >= 7000);
    CHECK_INT(n_ev_same, n_ev_records);

    wazuh(dir);
    return ks_test_done();
}
