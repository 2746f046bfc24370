/* The ready queries of docs/queries.md, run as written (read from the page) on a case,
 * their rows compared with the same answer counted directly from the events
 * ks_source reads (duplicates across files counted once, as the case keeps them).
 * Without arguments: the simulated hospital day (unit). With --data DIR: the shared
 * samples, EVTX under DIR/evtx and VPN syslog under DIR/syslog. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/kensa.h"
#include "util/addr.h"

/* The country database the case uses (opened once; NULL without one). */
static ks_geoip *geo(void)
{
    static ks_geoip *g;
    static int tried;
    if (!tried) {
        char why[256];
        tried = 1;
        g = ks_geoip_open(NULL, why, sizeof why);
    }
    return g;
}

/* ---- the queries, from the page ------------------------------------------ */

/* The SQL after the line "-- query: name" up to the end of its code block
 * (malloc'd), or NULL. */
static char *doc_query(const char *doc, const char *name)
{
    char marker[128];
    snprintf(marker, sizeof marker, "-- query: %s\n", name);
    const char *p = strstr(doc, marker);
    if (!p) return NULL;
    p += strlen(marker);
    const char *e = strstr(p, "```");
    if (!e) return NULL;
    return strndup(p, (size_t)(e - p));
}

/* ---- string lists -------------------------------------------------------- */

typedef struct strs {
    char **v;
    size_t n, cap;
} strs;

static void strs_add(strs *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) exit(1);
    }
    l->v[l->n++] = strdup(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strs_sort(strs *l)
{
    if (l->n) qsort(l->v, l->n, sizeof *l->v, cmp_str);
}

static void strs_free(strs *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- the events, counted directly --------------------------------------- */

/* What the queries need of one event, "|"-joined; one line per distinct event. */
typedef struct ev_row {
    char *key; /* the event's JSON without its source: what makes it distinct */
    int64_t ns;
    uint32_t event_id;
    int logon_type;
    char *host, *domain, *user, *src_ip, *country, *action, *outcome;
} ev_row;

typedef struct evs {
    ev_row *v;
    size_t n, cap;
} evs;

static char *dup_str(ks_str s)
{
    return strndup(s.len ? s.p : "", s.len);
}

static void collect(evs *out, const char *path, const char *tz)
{
    ks_source_opts o = {.tz = tz};
    ks_source *s = NULL;
    if (ks_source_open(&s, path, &o, NULL) != KS_OK) return;
    const ks_event *ev;
    ks_buf b = {0};
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        ks_buf_reset(&b);
        ks_event_write_json(&b, ev, NULL, NULL);
        ks_buf_putc(&b, 0);
        char *src = strstr(b.data, ",\"source\":");
        if (src) *src = 0;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 1024;
            out->v = realloc(out->v, out->cap * sizeof *out->v);
            if (!out->v) exit(1);
        }
        ev_row *r = &out->v[out->n++];
        r->key = strdup(b.data);
        r->ns = ev->time_ns;
        r->event_id = ev->event_id;
        r->logon_type = ev->sem.logon_type;
        r->host = dup_str(ev->host);
        r->domain = dup_str(ev->sem.domain);
        r->user = dup_str(ev->sem.user);
        r->src_ip = dup_str(ev->sem.src_ip);
        r->country = dup_str(ev->sem.country);
        /* the case names the country of an outside address the event does not */
        char cc[3];
        if (!ev->sem.country.len && ev->sem.src_ip.len && !ks_addr_is_internal(ev->sem.src_ip) &&
            geo() && ks_geoip_country(geo(), ev->sem.src_ip, cc)) {
            free(r->country);
            r->country = strdup(cc);
        }
        r->action = dup_str(ev->sem.action);
        r->outcome = strdup(ev->sem.outcome == KS_OUTCOME_SUCCESS   ? "success"
                            : ev->sem.outcome == KS_OUTCOME_FAILURE ? "failure"
                                                                    : "");
    }
    ks_buf_free(&b);
    ks_source_close(&s);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const ev_row *)a)->key, ((const ev_row *)b)->key);
}

static void row_free(ev_row *r)
{
    free(r->key);
    free(r->host);
    free(r->domain);
    free(r->user);
    free(r->src_ip);
    free(r->country);
    free(r->action);
    free(r->outcome);
}

/* Each distinct event once. */
static void dedup(evs *e)
{
    if (!e->n) return;
    qsort(e->v, e->n, sizeof *e->v, cmp_key);
    size_t k = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (k && strcmp(e->v[k - 1].key, e->v[i].key) == 0) {
            row_free(&e->v[i]);
            continue;
        }
        e->v[k++] = e->v[i];
    }
    e->n = k;
}

/* "YYYY-MM-DD HH:MM" (or ":00" when hour_only) of ns, 9 hours ahead of UTC. */
static void jst(char *out, size_t cap, int64_t ns, int hour_only)
{
    int64_t s = ns / 1000000000 - (ns % 1000000000 < 0) + 9 * 3600;
    int64_t days = s / 86400 - (s % 86400 < 0);
    int64_t sod = s - days * 86400;
    int64_t y;
    unsigned m, d;
    ks_civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%04lld-%02u-%02u %02d:%02d", (long long)y, m, d, (int)(sod / 3600),
             hour_only ? 0 : (int)(sod % 3600 / 60));
}

static int jst_hour(int64_t ns)
{
    int64_t s = ns / 1000000000 - (ns % 1000000000 < 0) + 9 * 3600;
    return (int)((s % 86400 + 86400) % 86400 / 3600);
}

static void utc(char *out, size_t cap, int64_t ns)
{
    ks_buf b = {0};
    ks_time_format(&b, ns, 7);
    snprintf(out, cap, "%.*s", (int)b.len, b.data ? b.data : "");
    ks_buf_free(&b);
}

/* Rows "k|count" from sorted lines "k" (count of equal lines). */
static void count_runs(strs *lines, strs *out)
{
    strs_sort(lines);
    char buf[2048];
    for (size_t i = 0; i < lines->n;) {
        size_t j = i;
        while (j < lines->n && strcmp(lines->v[j], lines->v[i]) == 0) j++;
        snprintf(buf, sizeof buf, "%s|%zu", lines->v[i], j - i);
        strs_add(out, buf);
        i = j;
    }
}

/* ---- the query's rows ----------------------------------------------------- */

static int on_row(void *ctx, const ks_row *row)
{
    strs *out = ctx;
    if (!row->cells) return 0;
    ks_buf b = {0};
    for (size_t i = 0; i < row->ncol; i++) {
        if (i) ks_buf_putc(&b, '|');
        if (row->cells[i].type != KS_CELL_NULL)
            ks_buf_append(&b, row->cells[i].text, row->cells[i].len);
    }
    ks_buf_putc(&b, 0);
    strs_add(out, b.data);
    ks_buf_free(&b);
    return 0;
}

static void run(ks_case *c, const char *doc, const char *name, strs *rows)
{
    char *sql = doc_query(doc, name);
    CHECK(sql != NULL);
    if (!sql) return;
    ks_diag d = {0};
    ks_status st = ks_case_query(c, sql, on_row, rows, &d);
    if (st != KS_OK) fprintf(stderr, "%s: %s\n", name, d.what);
    CHECK_INT(st, KS_OK);
    free(sql);
}

/* The query's rows equal the expected rows (both as sorted sets). */
static void same_rows(const char *name, strs *got, strs *want)
{
    strs_sort(got);
    strs_sort(want);
    CHECK_INT(got->n, want->n);
    size_t shown = 0;
    for (size_t i = 0; i < got->n && i < want->n; i++) {
        if (strcmp(got->v[i], want->v[i]) == 0) {
            ks_t_pass++;
            continue;
        }
        ks_t_fail++;
        if (shown++ < 5)
            fprintf(stderr, "%s: row %zu is \"%s\", expected \"%s\"\n", name, i, got->v[i],
                    want->v[i]);
    }
}

/* ---- the four queries ----------------------------------------------------- */

static size_t check_failed_logons(ks_case *c, const char *doc, const evs *e, const char *ip,
                                  unsigned ip_failures)
{
    strs lines = {0}, want = {0}, got = {0};
    char line[2048], hour[32];
    for (size_t i = 0; i < e->n; i++) {
        const ev_row *r = &e->v[i];
        if (r->event_id != 4625) continue;
        jst(hour, sizeof hour, r->ns, 1);
        snprintf(line, sizeof line, "%s|%s|%s|%s", hour, r->src_ip, r->domain, r->user);
        strs_add(&lines, line);
    }
    count_runs(&lines, &want);
    run(c, doc, "failed_logons_by_source_hour", &got);
    same_rows("failed_logons_by_source_hour", &got, &want);
    if (ip) {
        unsigned long sum = 0;
        for (size_t i = 0; i < got.n; i++) {
            char *last = strrchr(got.v[i], '|');
            if (strstr(got.v[i], ip) && last) sum += strtoul(last + 1, NULL, 10);
        }
        CHECK_INT(sum, ip_failures);
    }
    size_t n = got.n;
    strs_free(&lines);
    strs_free(&want);
    strs_free(&got);
    return n;
}

static size_t check_rdp(ks_case *c, const char *doc, const evs *e, const char *ip, int64_t ns)
{
    strs want = {0}, got = {0};
    char line[2048], t[64], local[32];
    for (size_t i = 0; i < e->n; i++) {
        const ev_row *r = &e->v[i];
        if (r->event_id != 4624 || r->logon_type != 10) continue;
        int h = jst_hour(r->ns);
        if (h >= 8 && h <= 17) continue;
        utc(t, sizeof t, r->ns);
        jst(local, sizeof local, r->ns, 0);
        snprintf(line, sizeof line, "%s|%s|%s|%s|%s|%s", t, local, r->host, r->domain, r->user,
                 r->src_ip);
        strs_add(&want, line);
    }
    run(c, doc, "rdp_outside_hours", &got);
    same_rows("rdp_outside_hours", &got, &want);
    if (ip) {
        utc(t, sizeof t, ns);
        int found = 0;
        for (size_t i = 0; i < got.n; i++)
            if (strncmp(got.v[i], t, strlen(t)) == 0 && strstr(got.v[i], ip)) found = 1;
        CHECK(found); /* the intruder's first logon is there */
    }
    size_t n = got.n;
    strs_free(&want);
    strs_free(&got);
    return n;
}

static size_t check_network_logons(ks_case *c, const char *doc, const evs *e)
{
    strs lines = {0}, want = {0}, got = {0};
    char line[2048], hour[32];
    for (size_t i = 0; i < e->n; i++) {
        const ev_row *r = &e->v[i];
        if (r->event_id != 4624 || r->logon_type != 3) continue;
        jst(hour, sizeof hour, r->ns, 1);
        snprintf(line, sizeof line, "%s|%s|%s\x01%s", hour, r->domain, r->user, r->host);
        strs_add(&lines, line);
    }
    strs_sort(&lines);
    /* per (hour, domain, user): logons, distinct hosts */
    for (size_t i = 0; i < lines.n;) {
        const char *sep = strchr(lines.v[i], '\x01');
        size_t klen = (size_t)(sep - lines.v[i]);
        size_t j = i, hosts = 0;
        while (j < lines.n && strncmp(lines.v[j], lines.v[i], klen + 1) == 0) {
            if (j == i || strcmp(lines.v[j], lines.v[j - 1]) != 0) hosts++;
            j++;
        }
        snprintf(line, sizeof line, "%.*s|%zu|%zu", (int)klen, lines.v[i], j - i, hosts);
        strs_add(&want, line);
        i = j;
    }
    run(c, doc, "network_logons_by_account_hour", &got);
    same_rows("network_logons_by_account_hour", &got, &want);
    size_t n = got.n;
    strs_free(&lines);
    strs_free(&want);
    strs_free(&got);
    return n;
}

static size_t check_vpn(ks_case *c, const char *doc, const evs *e)
{
    strs lines = {0}, want = {0}, got = {0};
    char line[4096], t[64];
    for (size_t i = 0; i < e->n; i++) {
        const ev_row *r = &e->v[i];
        if (strcmp(r->action, KS_ACTION_VPN_LOGIN) != 0) continue;
        utc(t, sizeof t, r->ns);
        snprintf(line, sizeof line, "%s|%s|%s\x01%s\x01%s", r->src_ip, r->country, r->user,
                 r->outcome, t);
        strs_add(&lines, line);
    }
    strs_sort(&lines);
    for (size_t i = 0; i < lines.n;) {
        size_t klen = (size_t)(strchr(lines.v[i], '\x01') - lines.v[i]);
        size_t j = i, ok = 0, bad = 0;
        char first[64] = "", last[64] = "";
        while (j < lines.n && strncmp(lines.v[j], lines.v[i], klen + 1) == 0) {
            const char *o = lines.v[j] + klen + 1;
            const char *tm = strchr(o, '\x01') + 1;
            if (strncmp(o, "success", 7) == 0) ok++;
            if (strncmp(o, "failure", 7) == 0) bad++;
            if (!first[0] || strcmp(tm, first) < 0) snprintf(first, sizeof first, "%s", tm);
            if (strcmp(tm, last) > 0) snprintf(last, sizeof last, "%s", tm);
            j++;
        }
        snprintf(line, sizeof line, "%.*s|%zu|%zu|%s|%s", (int)klen, lines.v[i], ok, bad, first,
                 last);
        strs_add(&want, line);
        i = j;
    }
    run(c, doc, "vpn_logons_by_source", &got);
    same_rows("vpn_logons_by_source", &got, &want);
    size_t n = got.n;
    strs_free(&lines);
    strs_free(&want);
    strs_free(&got);
    return n;
}

/* ---- the data sets -------------------------------------------------------- */

typedef struct walk_ctx {
    ks_case *c;
    evs *e;
    const char *tz;
    size_t files;
} walk_ctx;

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    walk_ctx *w = ctx;
    if (f == KS_FORMAT_UNKNOWN) return;
    ks_ingest_opts o = {.tz = w->tz};
    ks_ingest_stats s;
    if (ks_case_ingest(w->c, path, &o, &s, NULL) != KS_OK && !s.evidence_id) return;
    collect(w->e, path, w->tz);
    w->files++;
}

static void evs_free(evs *e)
{
    for (size_t i = 0; i < e->n; i++) row_free(&e->v[i]);
    free(e->v);
}

int main(int argc, char **argv)
{
    size_t doclen = 0;
    char *doc = (char *)ks_test_slurp(KS_SOURCE_DIR "/docs/queries.md", &doclen);
    CHECK(doc != NULL);
    if (!doc) return ks_test_done();
    doc = realloc(doc, doclen + 1);
    doc[doclen] = 0;

    char dir[256], casep[300];
    snprintf(dir, sizeof dir, "%s/test_queries.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) return 1;
    snprintf(casep, sizeof casep, "%s/case.kensa", dir);
    ks_case *c = NULL;
    CHECK_INT(ks_case_open(&c, casep, NULL), KS_OK);
    if (!c) return ks_test_done();
    evs e = {0};

    if (argc > 1 && strcmp(argv[1], "--data") == 0) {
        const char *data = ks_test_data_dir();
        char path[1024];
        walk_ctx w = {c, &e, NULL, 0};
        snprintf(path, sizeof path, "%s/evtx", data);
        CHECK_INT(ks_evidence_walk(path, on_file, &w, NULL), KS_OK);
        w.tz = "UTC"; /* the samples' syslog lines carry no zone; they were written in UTC */
        snprintf(path, sizeof path, "%s/syslog", data);
        CHECK_INT(ks_evidence_walk(path, on_file, &w, NULL), KS_OK);
        dedup(&e);
        CHECK(w.files > 100);
        size_t n1 = check_failed_logons(c, doc, &e, NULL, 0);
        size_t n2 = check_rdp(c, doc, &e, NULL, 0);
        size_t n3 = check_network_logons(c, doc, &e);
        size_t n4 = check_vpn(c, doc, &e);
        CHECK(n1 > 10 && n3 > 10 && n4 > 3);
        printf("shared samples: %zu files, %zu distinct events; rows: %zu failed-logon, %zu RDP "
               "outside hours, %zu network-logon, %zu VPN\n",
               w.files, e.n, n1, n2, n3, n4);
    } else {
        char sim[300];
        snprintf(sim, sizeof sim, "%s/sim", dir);
        ks_sim_result res;
        CHECK_INT(ks_sim_write(sim, 11, &res, NULL), KS_OK);
        for (unsigned i = 0; i < res.nfiles; i++) {
            CHECK_INT(ks_case_ingest(c, res.files[i].path, NULL, NULL, NULL), KS_OK);
            collect(&e, res.files[i].path, NULL);
        }
        dedup(&e);
        CHECK_INT(e.n, res.files[0].events + res.files[1].events);
        size_t n1 = check_failed_logons(c, doc, &e, res.attacker_ip, res.failed_logons);
        size_t n2 = check_rdp(c, doc, &e, res.attacker_ip, res.intrusion_ns);
        size_t n3 = check_network_logons(c, doc, &e);
        CHECK(n1 > 0 && n2 > 0 && n3 > 0);
        /* VPN: no syslog in the simulated day; the query runs and finds nothing */
        size_t n4 = check_vpn(c, doc, &e);
        CHECK_INT(n4, 0);
        printf("simulated day: rows: %zu failed-logon, %zu RDP outside hours, %zu "
               "network-logon\n",
               n1, n2, n3);
    }
    /* the case keeps each distinct event once, as counted here */
    ks_case_counts n;
    CHECK_INT(ks_case_counts_get(c, &n, NULL), KS_OK);
    CHECK_INT(n.events, e.n);
    ks_case_close(&c);
    evs_free(&e);
    free(doc);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (ks_t_fail == 0 && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return ks_test_done();
}
