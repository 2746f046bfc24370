/* The case database on synthetic evidence (kensa simulate's day, and a large file
 * from the EVTX writer): ingest counts and columns, re-ingest adds nothing, a copy
 * under another name adds only source links, a killed ingest completes without
 * duplicates, a second connection reads during an ingest (WAL), and the SQL
 * functions over files give what the case gives. */
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/kensa.h"
#include "util/addr.h"

static char dir[256];

/* The first column of the first row of sql, as an integer (-1 when none). */
static long long query_int(ks_case *c, const char *sql)
{
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(ks_case_db(c), sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "SQL error: %s: %s\n", sql, sqlite3_errmsg(ks_case_db(c)));
        return -2;
    }
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* The first column of the first row as text (static buffer). */
static const char *query_text(ks_case *c, const char *sql)
{
    static char out[8192];
    sqlite3_stmt *q = NULL;
    out[0] = 0;
    if (sqlite3_prepare_v2(ks_case_db(c), sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "SQL error: %s: %s\n", sql, sqlite3_errmsg(ks_case_db(c)));
        return "(error)";
    }
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return out;
}

static int copy_file(const char *from, const char *to)
{
    size_t n = 0;
    uint8_t *p = ks_test_slurp(from, &n);
    FILE *f = fopen(to, "wb");
    int ok = p && f && fwrite(p, 1, n, f) == n;
    if (f) fclose(f);
    free(p);
    return ok ? 0 : -1;
}

/* The "fields" object of ks_event_write_json for the record at record_id. */
static void fields_of(const char *path, uint64_t record_id, char *out, size_t cap)
{
    ks_source *s = NULL;
    out[0] = 0;
    if (ks_source_open(&s, path, NULL, NULL) != KS_OK) return;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        if (ev->record_id != record_id) continue;
        ks_buf b = {0};
        ks_event_write_json(&b, ev, NULL, NULL);
        ks_buf_putc(&b, 0);
        const char *f = strstr(b.data, ",\"fields\":");
        const char *e = f ? strstr(f, "},\"source\":") : NULL;
        if (f && e) snprintf(out, cap, "%.*s", (int)(e + 1 - (f + 10)), f + 10);
        ks_buf_free(&b);
        break;
    }
    ks_source_close(&s);
}

static void test_simulated(void)
{
    char sim[300], casep[300], copy[300];
    snprintf(sim, sizeof sim, "%s/sim", dir);
    snprintf(casep, sizeof casep, "%s/sim.kensa", dir);
    ks_sim_result res;
    CHECK_INT(ks_sim_write(sim, 7, &res, NULL), KS_OK);
    uint64_t total = res.files[0].events + res.files[1].events;

    ks_case *c = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return;
    CHECK_INT(query_int(c, "SELECT max(version) FROM schema_version"), KS_CASE_SCHEMA_VERSION);
    CHECK_STR(query_text(c, "PRAGMA journal_mode"), "wal");

    ks_ingest_stats s[2];
    for (int i = 0; i < 2; i++) {
        CHECK_INT(ks_case_ingest(c, res.files[i].path, NULL, &s[i], &d), KS_OK);
        CHECK_INT(s[i].events, res.files[i].events);
        CHECK_INT(s[i].added, res.files[i].events);
        CHECK_INT(s[i].duplicates, 0);
        CHECK(!s[i].already && !s[i].changed && !s[i].resumed);
        CHECK_INT(s[i].format, KS_FORMAT_EVTX);
        CHECK_INT(strlen(s[i].sha256), 64);
        CHECK_INT(s[i].first_ns, res.files[i].first_ns);
        CHECK_INT(s[i].last_ns, res.files[i].last_ns);
    }
    ks_case_counts n;
    CHECK_INT(ks_case_counts_get(c, &n, &d), KS_OK);
    CHECK_INT(n.events, total);
    CHECK_INT(n.evidence, 2);
    CHECK_INT(n.incomplete, 0);
    CHECK_INT(n.links, total);

    /* the country of the attacker's outside address, from the country database;
     * internal addresses have none */
    char why[256], cc[3] = "";
    ks_geoip *g = ks_geoip_open(NULL, why, sizeof why);
    if (g && ks_geoip_country(g, (ks_str){res.attacker_ip, strlen(res.attacker_ip)}, cc)) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT group_concat(DISTINCT country) FROM events WHERE src_ip = '%s'",
                 res.attacker_ip);
        CHECK_STR(query_text(c, sql), cc);
    } else {
        fprintf(stderr, "test_simulated: country part skipped: %s\n", g ? "address unknown" : why);
    }
    ks_geoip_close(&g);
    CHECK_INT(query_int(c, "SELECT count(*) FROM events WHERE country IS NOT NULL AND src_ip "
                           "LIKE '10.%'"),
              0);

    /* chain of custody: the hash is the file's, recorded before and after */
    size_t size = 0;
    uint8_t *bytes = ks_test_slurp(res.files[0].path, &size);
    unsigned char md[32];
    char hex[65];
    crypto_hash_sha256(md, bytes, size);
    sodium_bin2hex(hex, sizeof hex, md, sizeof md);
    free(bytes);
    CHECK_STR(s[0].sha256, hex);
    CHECK_INT(s[0].size, size);
    char sql[8192];
    snprintf(sql, sizeof sql,
             "SELECT sha256 = sha256_end AND complete = 1 AND changed = 0 AND "
             "format = 'evtx' AND size = %zu FROM evidence WHERE id = 1",
             size);
    CHECK_INT(query_int(c, sql), 1);
    CHECK_INT(query_int(c, "SELECT first_time < last_time AND length(first_time) = 28 FROM "
                           "evidence WHERE id = 1"),
              1);

    /* columns: the brute force, the intrusion logon */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE event_id = 4625 AND src_ip = '%s' AND "
             "outcome = 'failure' AND logon_type IS NOT NULL",
             res.attacker_ip);
    CHECK_INT(query_int(c, sql), res.failed_logons);
    snprintf(sql, sizeof sql,
             "SELECT time_ns FROM events WHERE event_id = 4624 AND src_ip = '%s' ORDER BY time "
             "LIMIT 1",
             res.attacker_ip);
    CHECK_INT(query_int(c, sql), res.intrusion_ns);
    snprintf(sql, sizeof sql,
             "SELECT domain || '\\' || user FROM events WHERE event_id = 4624 AND src_ip = '%s'",
             res.attacker_ip);
    CHECK_STR(query_text(c, sql), res.account);
    CHECK_INT(query_int(c, "SELECT count(*) FROM events WHERE length(time) != 28 OR time NOT "
                           "LIKE '____-__-__T__:__:__._______Z'"),
              0);
    CHECK_INT(query_int(c, "SELECT count(*) FROM events e1 JOIN events e2 ON e2.id = e1.id + 1 "
                           "WHERE e1.channel = e2.channel AND e1.time > e2.time"),
              0); /* the simulated files are in time order */
    CHECK_INT(query_int(c, "SELECT count(*) FROM events WHERE json_valid(fields) = 0"), 0);
    CHECK_INT(query_int(c, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                           "('events_time', 'events_host', 'events_user', 'events_src_ip', "
                           "'events_event_id')"),
              5);
    /* fields: the shape of ks_event_write_json's "fields" */
    char want[8192];
    fields_of(res.files[0].path, 5, want, sizeof want);
    CHECK(want[0] == '{');
    CHECK_STR(query_text(c, "SELECT fields FROM events e JOIN event_sources s ON s.event_id = "
                            "e.id WHERE s.evidence_id = 1 AND e.record_id = 5"),
              want);

    /* again: nothing added, and said so */
    ks_ingest_stats again;
    CHECK_INT(ks_case_ingest(c, res.files[0].path, NULL, &again, &d), KS_OK);
    CHECK(again.already);
    CHECK_INT(again.added, 0);
    CHECK_INT(again.events, res.files[0].events);
    CHECK_INT(again.evidence_id, s[0].evidence_id);
    CHECK_INT(ks_case_counts_get(c, &n, &d), KS_OK);
    CHECK_INT(n.events, total);
    CHECK_INT(n.evidence, 2);
    CHECK_INT(n.links, total);

    /* a copy under another name: no new events, a second source for each */
    snprintf(copy, sizeof copy, "%s/copy-of-security.evtx", dir);
    CHECK_INT(copy_file(res.files[0].path, copy), 0);
    ks_ingest_stats cs;
    CHECK_INT(ks_case_ingest(c, copy, NULL, &cs, &d), KS_OK);
    CHECK(!cs.already);
    CHECK_INT(cs.added, 0);
    CHECK_INT(cs.duplicates, res.files[0].events);
    CHECK_STR(cs.sha256, s[0].sha256);
    CHECK_INT(ks_case_counts_get(c, &n, &d), KS_OK);
    CHECK_INT(n.events, total);
    CHECK_INT(n.evidence, 3);
    CHECK_INT(n.links, total + res.files[0].events);
    CHECK_INT(query_int(c, "SELECT count(*) FROM (SELECT event_id FROM event_sources GROUP BY "
                           "event_id HAVING count(DISTINCT evidence_id) = 2)"),
              res.files[0].events);
    CHECK_INT(query_int(c, "SELECT count(*) FROM event_sources a JOIN event_sources b ON "
                           "a.event_id = b.event_id AND a.evidence_id = 1 AND b.evidence_id = 3 "
                           "WHERE a.offset != b.offset"),
              0);

    /* the table-valued functions over the file give what the case holds */
    ks_case *f = NULL;
    CHECK_INT(ks_case_open_query(&f, NULL, &d), KS_OK);
    if (f) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM evtx('%s')", res.files[0].path);
        CHECK_INT(query_int(f, sql), res.files[0].events);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM events('%s')", sim);
        CHECK_INT(query_int(f, sql), total);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM evtx('%s') WHERE event_id = 4625 AND src_ip = '%s'",
                 res.files[0].path, res.attacker_ip);
        CHECK_INT(query_int(f, sql), res.failed_logons);
        snprintf(sql, sizeof sql, "SELECT fields FROM evtx('%s') WHERE record_id = 5",
                 res.files[0].path);
        CHECK_STR(query_text(f, sql), want);
        /* every column of every event equals the case's */
        sqlite3 *db = ks_case_db(f);
        snprintf(sql, sizeof sql, "ATTACH '%s' AS k", casep);
        CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM (SELECT time, time_ns, host, channel, provider, event_id, "
                 "record_id, level, user, domain, src_ip, src_host, logon_type, status, process, "
                 "command_line, parent_process, service, share, country, session, action, "
                 "outcome, fields FROM logs('%s') INTERSECT SELECT time, time_ns, host, "
                 "channel, provider, event_id, record_id, level, user, domain, src_ip, src_host, "
                 "logon_type, status, process, command_line, parent_process, service, share, "
                 "country, session, action, outcome, fields FROM k.events)",
                 sim);
        CHECK_INT(query_int(f, sql), total);
        /* errors say what is wrong */
        ks_diag qd = {0};
        CHECK_INT(ks_case_query(f, "SELECT * FROM evtx('/nonexistent.evtx')", NULL, NULL, &qd),
                  KS_ERR_IO);
        CHECK(strstr(qd.what, "/nonexistent.evtx") != NULL);
        CHECK_INT(ks_case_query(f, "SELECT * FROM evtx()", NULL, NULL, &qd), KS_ERR_ARG);
        CHECK(strstr(qd.what, "name the file") != NULL);
        CHECK_INT(ks_case_query(f, "SELEC 1", NULL, NULL, &qd), KS_ERR_ARG);
        CHECK(strstr(qd.what, "syntax error") != NULL);
        ks_case_close(&f);
    }
    ks_case_close(&c);

    /* read-only: a query cannot change the case */
    ks_case *r = NULL;
    CHECK_INT(ks_case_open_query(&r, casep, &d), KS_OK);
    if (r) {
        ks_diag qd = {0};
        CHECK_INT(ks_case_query(r, "DELETE FROM events", NULL, NULL, &qd), KS_ERR_ARG);
        CHECK_INT(query_int(r, "SELECT count(*) FROM events"), total);
        ks_case_close(&r);
    }
    /* not a case */
    CHECK(ks_case_open_query(&r, "/nonexistent.kensa", &d) != KS_OK);
}

/* ---- a large file, a killed ingest ------------------------------------- */

#define BIG_EVENTS 60000

static void write_big(const char *path)
{
    ks_evtx_writer *w = NULL;
    CHECK_INT(ks_evtx_writer_open(&w, path, NULL), KS_OK);
    if (!w) return;
    char user[32], ip[32], type[4];
    for (int i = 0; i < BIG_EVENTS; i++) {
        snprintf(user, sizeof user, "user%03d", i % 257);
        snprintf(ip, sizeof ip, "10.0.%d.%d", (i / 250) % 250, i % 250);
        snprintf(type, sizeof type, "%d", i % 5 ? 3 : 10);
        ks_field f[3] = {
            {{"TargetUserName", 14},
             {.data = (const uint8_t *)user, .size = (uint32_t)strlen(user), .type = KS_VT_UTF8}},
            {{"IpAddress", 9},
             {.data = (const uint8_t *)ip, .size = (uint32_t)strlen(ip), .type = KS_VT_UTF8}},
            {{"LogonType", 9},
             {.data = (const uint8_t *)type, .size = (uint32_t)strlen(type), .type = KS_VT_UTF8}},
        };
        ks_event ev = {0};
        ev.time_ns = 1728946020000000000LL + (int64_t)i * 1000000000;
        ev.host = (ks_str){"DC01.hosp.local", 15};
        ev.channel = (ks_str){"Security", 8};
        ev.provider = (ks_str){"Microsoft-Windows-Security-Auditing", 35};
        ev.event_id = i % 3 ? 4624 : 4625;
        ev.fields = f;
        ev.nfields = 3;
        if (ks_evtx_writer_add(w, &ev) != KS_OK) {
            CHECK(0);
            break;
        }
    }
    CHECK_INT(ks_evtx_writer_close(&w), KS_OK);
}

typedef struct child_ctx {
    int fd, batches;
} child_ctx;

static void child_progress(void *ctx, const char *path, ks_ingest_phase phase, uint64_t done,
                           uint64_t size, uint64_t events)
{
    child_ctx *cc = ctx;
    if (phase != KS_PHASE_READ) return;
    char b = 1;
    if (++cc->batches > 5) /* never finish, however late the kill comes */
        for (;;) sleep(100);
    if (write(cc->fd, &b, 1) != 1) _exit(3);
    usleep(20000); /* the parent looks (batch 2), or kills during the next batch (5) */
}

static void test_killed(void)
{
    char big[300], killed[300], clean[300];
    snprintf(big, sizeof big, "%s/big.evtx", dir);
    snprintf(killed, sizeof killed, "%s/killed.kensa", dir);
    snprintf(clean, sizeof clean, "%s/clean.kensa", dir);
    write_big(big);

    int fds[2];
    CHECK_INT(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        ks_case *c = NULL;
        if (ks_case_open(&c, killed, NULL) != KS_OK) _exit(2);
        child_ctx cc = {fds[1], 0};
        ks_ingest_opts o = {.batch = 2000, .on_progress = child_progress, .ctx = &cc};
        ks_case_ingest(c, big, &o, NULL, NULL);
        _exit(0); /* not reached before the kill: 30 batches take longer */
    }
    close(fds[1]);
    char b;
    int batches = 0;
    long long seen_during = -1;
    while (batches < 5 && read(fds[0], &b, 1) == 1) {
        batches++;
        if (batches == 2) {
            /* a second connection reads while the ingest writes (WAL) */
            ks_case *q = NULL;
            ks_diag d = {0};
            CHECK_INT(ks_case_open_query(&q, killed, &d), KS_OK);
            if (q) {
                seen_during = query_int(q, "SELECT count(*) FROM events");
                ks_case_close(&q);
            }
        }
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    close(fds[0]);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK_INT(batches, 5);
    CHECK(seen_during >= 2000 && seen_during < BIG_EVENTS);

    ks_case *c = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_case_open(&c, killed, &d), KS_OK);
    if (!c) return;
    ks_case_counts n;
    CHECK_INT(ks_case_counts_get(c, &n, &d), KS_OK);
    CHECK_INT(n.evidence, 1);
    CHECK_INT(n.incomplete, 1);
    CHECK(n.events >= 10000 && n.events < BIG_EVENTS);
    CHECK_INT(n.events % 2000, 0); /* whole batches only */
    CHECK_INT(query_int(c, "SELECT complete FROM evidence"), 0);
    CHECK_INT(query_int(c, "SELECT events FROM evidence"), n.events);
    uint64_t before = n.events;

    ks_ingest_stats s;
    CHECK_INT(ks_case_ingest(c, big, NULL, &s, &d), KS_OK);
    CHECK(s.resumed);
    CHECK_INT(s.events, BIG_EVENTS);
    CHECK_INT(s.added, BIG_EVENTS - before);
    CHECK_INT(s.duplicates, before);
    CHECK_INT(ks_case_counts_get(c, &n, &d), KS_OK);
    CHECK_INT(n.events, BIG_EVENTS);
    CHECK_INT(n.evidence, 1);
    CHECK_INT(n.incomplete, 0);
    CHECK_INT(n.links, BIG_EVENTS);
    CHECK_INT(query_int(c, "SELECT count(DISTINCT record_id) FROM events"), BIG_EVENTS);
    CHECK_INT(query_int(c, "SELECT complete FROM evidence"), 1);
    CHECK_INT(query_int(c, "SELECT events FROM evidence"), BIG_EVENTS);
    long long sum = query_int(c, "SELECT sum(record_id * 7 + logon_type) FROM events");

    /* a clean ingest of the same file gives the same case */
    ks_case *k = NULL;
    CHECK_INT(ks_case_open(&k, clean, &d), KS_OK);
    if (k) {
        CHECK_INT(ks_case_ingest(k, big, NULL, &s, &d), KS_OK);
        CHECK_INT(s.added, BIG_EVENTS);
        CHECK_INT(query_int(k, "SELECT count(*) FROM events"), BIG_EVENTS);
        CHECK_INT(query_int(k, "SELECT sum(record_id * 7 + logon_type) FROM events"), sum);
        CHECK_INT(query_int(k, "SELECT count(*) FROM events WHERE logon_type = 10"),
                  BIG_EVENTS / 5);
        ks_case_close(&k);
    }
    ks_case_close(&c);
}

static void test_bad_files(void)
{
    char path[300], casep[300];
    snprintf(path, sizeof path, "%s/notes.bin", dir);
    snprintf(casep, sizeof casep, "%s/bad.kensa", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        for (int i = 0; i < 4096; i++) fputc((i * 131) & 0xff, f);
        fclose(f);
    }
    ks_case *c = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return;
    ks_ingest_stats s;
    CHECK_INT(ks_case_ingest(c, path, NULL, &s, &d), KS_ERR_UNSUPPORTED);
    CHECK_INT(s.evidence_id, 0);
    CHECK(!s.case_failed);
    ks_case_counts n;
    CHECK_INT(ks_case_counts_get(c, &n, &d), KS_OK);
    CHECK_INT(n.evidence, 0);
    ks_case_close(&c);
    /* some other SQLite file is not turned into a case */
    sqlite3 *db = NULL;
    snprintf(casep, sizeof casep, "%s/other.sqlite", dir);
    sqlite3_open(casep, &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK_INT(ks_case_open(&c, casep, &d), KS_ERR_FORMAT);
    CHECK(strstr(d.what, "not a kensa case") != NULL);
    CHECK_INT(ks_case_open_query(&c, casep, &d), KS_ERR_FORMAT);
}

/* A damaged file large enough to be read in a thread of its own: every problem the
 * reader meets reaches the caller's callback, in the calling thread, in file order,
 * and the counts are those of reading the file directly. */
typedef struct seen_problems {
    pthread_t caller;
    int count, other_thread, out_of_order, errors;
    uint64_t last_offset;
    const char *path;
} seen_problems;

static void note_problem(void *ctx, const ks_problem *p)
{
    seen_problems *sp = ctx;
    sp->count++;
    if (!pthread_equal(pthread_self(), sp->caller)) sp->other_thread++;
    if (p->offset < sp->last_offset) sp->out_of_order++;
    sp->last_offset = p->offset;
    if (p->severity == KS_SEV_ERROR) sp->errors++;
    if (!p->file || strcmp(p->file, sp->path) != 0 || !p->what || !p->what[0]) sp->out_of_order++;
}

static void test_damaged_big(void)
{
    char big[300], bad[300], casep[300];
    snprintf(big, sizeof big, "%s/big.evtx", dir);
    snprintf(bad, sizeof bad, "%s/damaged-big.evtx", dir);
    snprintf(casep, sizeof casep, "%s/damaged.kensa", dir);
    size_t n = 0;
    uint8_t *bytes = ks_test_slurp(big, &n);
    CHECK(bytes && n > (4u << 20));
    if (!bytes || n <= (4u << 20)) {
        free(bytes);
        return;
    }
    /* the first record of chunks 3, 20 and 40: its magic and size zeroed */
    const size_t chunks[] = {3, 20, 40};
    for (size_t i = 0; i < 3; i++) {
        size_t at = 4096 + chunks[i] * 65536 + 512;
        if (at + 8 <= n) memset(bytes + at, 0, 8);
    }
    FILE *f = fopen(bad, "wb");
    CHECK(f && fwrite(bytes, 1, n, f) == n);
    if (f) fclose(f);
    free(bytes);

    /* read directly */
    seen_problems direct = {.caller = pthread_self(), .path = bad};
    ks_source_opts so = {.on_problem = note_problem, .ctx = &direct};
    ks_source *src = NULL;
    ks_diag d = {0};
    uint64_t events = 0, skipped = 0;
    CHECK_INT(ks_source_open(&src, bad, &so, &d), KS_OK);
    if (src) {
        const ks_event *ev;
        while (ks_source_next(src, &ev) == KS_OK && ev) events++;
        skipped = ks_source_get_stats(src)->skipped;
        ks_source_close(&src);
    }
    CHECK(skipped > 0);
    CHECK(events > 50000 && events < BIG_EVENTS);
    CHECK(direct.errors > 0);

    /* ingested */
    seen_problems via = {.caller = pthread_self(), .path = bad};
    ks_case *c = NULL;
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return;
    ks_ingest_opts o = {.on_problem = note_problem, .ctx = &via};
    ks_ingest_stats s;
    CHECK_INT(ks_case_ingest(c, bad, &o, &s, &d), KS_OK);
    CHECK_INT(s.events, events);
    CHECK_INT(s.added, events);
    CHECK_INT(s.skipped, skipped);
    CHECK_INT(via.count, direct.count);
    CHECK_INT(via.errors, direct.errors);
    CHECK_INT(via.other_thread, 0);
    CHECK_INT(via.out_of_order, 0);
    CHECK_INT(direct.out_of_order, 0);
    CHECK_INT(query_int(c, "SELECT skipped FROM evidence"), (long long)skipped);
    CHECK_INT(query_int(c, "SELECT count(*) FROM events"), (long long)events);
    ks_case_close(&c);
}

/* A file written to while it is read: reported, and recorded with both hashes. */
static void append_once(void *ctx, const char *path, ks_ingest_phase phase, uint64_t done,
                        uint64_t size, uint64_t events)
{
    int *appended = ctx;
    if (phase != KS_PHASE_READ || *appended) return;
    FILE *f = fopen(path, "ab");
    if (f) {
        fputs("appended while read", f);
        fclose(f);
        *appended = 1;
    }
}

static void test_changed(void)
{
    char sim[300], casep[300];
    snprintf(sim, sizeof sim, "%s/changing", dir);
    snprintf(casep, sizeof casep, "%s/changed.kensa", dir);
    ks_sim_result res;
    CHECK_INT(ks_sim_write(sim, 3, &res, NULL), KS_OK);
    ks_case *c = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return;
    int appended = 0;
    ks_ingest_opts o = {.batch = 100, .on_progress = append_once, .ctx = &appended};
    ks_ingest_stats s;
    CHECK_INT(ks_case_ingest(c, res.files[0].path, &o, &s, &d), KS_OK);
    CHECK_INT(appended, 1);
    CHECK(s.changed);
    CHECK_INT(s.events, res.files[0].events);
    CHECK_INT(query_int(c, "SELECT changed = 1 AND complete = 1 AND sha256 != sha256_end FROM "
                           "evidence"),
              1);
    /* read again: a new file as far as the case knows (another hash), no new events */
    CHECK_INT(ks_case_ingest(c, res.files[0].path, NULL, &s, &d), KS_OK);
    CHECK(!s.already && !s.changed);
    CHECK_INT(s.added, 0);
    ks_case_close(&c);
}

/* A text source: the same file read with another zone is another reading of it. */
static void test_syslog(void)
{
    char path[300], casep[300];
    snprintf(path, sizeof path, "%s/device.log", dir);
    snprintf(casep, sizeof casep, "%s/syslog.kensa", dir);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    for (int i = 0; i < 3; i++)
        fprintf(f, "<134>1 2026-11-20T10:0%d:00Z fw01 app - - - line %d from 192.0.2.%d\n", i, i,
                i + 1);
    fclose(f);
    ks_case *c = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return;
    ks_ingest_opts o = {.tz = "UTC"};
    ks_ingest_stats s;
    CHECK_INT(ks_case_ingest(c, path, &o, &s, &d), KS_OK);
    CHECK_INT(s.format, KS_FORMAT_SYSLOG);
    CHECK_INT(s.events, 3);
    CHECK_INT(s.added, 3);
    CHECK_INT(ks_case_ingest(c, path, &o, &s, &d), KS_OK);
    CHECK(s.already);
    o.tz = "+09:00"; /* these lines carry their zone: the same events, a second reading */
    CHECK_INT(ks_case_ingest(c, path, &o, &s, &d), KS_OK);
    CHECK(!s.already);
    CHECK_INT(s.added, 0);
    CHECK_INT(s.duplicates, 3);
    CHECK_INT(query_int(c, "SELECT count(*) FROM events WHERE channel = 'syslog' AND host = "
                           "'fw01' AND time >= '2026-11-20T10:00:00' AND time < "
                           "'2026-11-20T10:03:00'"),
              3);
    CHECK_INT(query_int(c, "SELECT count(*) FROM evidence WHERE tz = '+09:00' AND complete = 1"),
              1);
    ks_case_close(&c);
}

/* Findings and the estimate: stored, replaced per tool, read back; a case of schema 1
 * gains the tables when opened. */
static void test_findings(void)
{
    char casep[600];
    snprintf(casep, sizeof casep, "%s/findings.kensa", dir);
    ks_case *c = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return;
    bool stored = true, found = true;
    int64_t t = 1;
    CHECK_INT(ks_case_get_intrusion(c, &stored, &found, &t, &d), KS_OK);
    CHECK(!stored && !found && t == 0);
    ks_finding f[2] = {{.detector = ks_detector_find("brute_force"),
                        .severity = KS_LEVEL_HIGH,
                        .first_ns = 1700000000000000000,
                        .last_ns = 1700000060000000000,
                        .count = 8},
                       {.detector = ks_detector_find("log_cleared"),
                        .severity = KS_LEVEL_HIGH,
                        .first_ns = 1700000100000000000,
                        .last_ns = 1700000100000000000,
                        .count = 1}};
    snprintf(f[0].host, sizeof f[0].host, "RDS01");
    snprintf(f[0].user, sizeof f[0].user, "admin");
    f[0].nevidence = 1;
    f[0].evidence[0] = (ks_evidence){"Security.evtx", 42, f[0].first_ns};
    int64_t run1 = 0, run2 = 0, run3 = 0;
    CHECK_INT(ks_case_put_findings(c, "hunt", f, 2, &run1, &d), KS_OK);
    CHECK_INT(ks_case_put_findings(c, "investigate", f, 1, &run2, &d), KS_OK);
    CHECK_INT(ks_case_put_findings(c, "hunt", f, 1, &run3, &d), KS_OK);
    CHECK(run1 > 0 && run2 > run1 && run3 > run2);
    CHECK_INT(query_int(c, "SELECT count(*) FROM findings"), 2); /* hunt's first run replaced */
    CHECK_INT(query_int(c, "SELECT count(*) FROM runs"), 3);
    CHECK_STR(query_text(c, "SELECT host || ' ' || user || ' ' || severity || ' ' || first_time || "
                            "' ' || json_extract(json, '$.evidence[0].record_id') FROM findings "
                            "ORDER BY id DESC LIMIT 1"),
              "RDS01 admin high 2023-11-14T22:13:20.0000000Z 42");
    CHECK_INT(ks_case_put_intrusion(c, run2, true, 1700000000000000000, "{\"x\":1}", &d), KS_OK);
    CHECK_INT(ks_case_get_intrusion(c, &stored, &found, &t, &d), KS_OK);
    CHECK(stored && found && t == 1700000000000000000);
    /* back to schema 1, as an older kensa left it */
    CHECK_INT(sqlite3_exec(ks_case_db(c),
                           "DROP TABLE runs; DROP TABLE findings; DROP TABLE intrusions; UPDATE "
                           "schema_version SET version = 1",
                           NULL, NULL, NULL),
              SQLITE_OK);
    ks_case_close(&c);
    CHECK_INT(ks_case_open_query(&c, casep, &d), KS_OK); /* read-only: left as it is */
    CHECK_INT(ks_case_get_intrusion(c, &stored, &found, &t, &d), KS_OK);
    CHECK(!stored);
    ks_case_close(&c);
    CHECK_INT(ks_case_open(&c, casep, &d), KS_OK);
    if (!c) return;
    CHECK_INT(query_int(c, "SELECT max(version) FROM schema_version"), 2);
    CHECK_INT(query_int(c, "SELECT count(*) FROM findings"), 0);
    CHECK_INT(ks_case_put_findings(c, "hunt", f, 2, NULL, &d), KS_OK);
    CHECK_INT(query_int(c, "SELECT count(*) FROM findings"), 2);
    ks_case_close(&c);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_case.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_simulated();
    test_killed();
    test_damaged_big();
    test_bad_files();
    test_syslog();
    test_changed();
    test_findings();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (ks_t_fail == 0 && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return ks_test_done();
}
