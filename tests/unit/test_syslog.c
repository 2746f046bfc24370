/* The syslog reader on synthetic lines: RFC 3164 / 5424 framing and its real-world
 * variants, the year of lines without one (given, from a date in the lines, from the
 * file's time, rollover at New Year), zones, key=value pairs, bad lines (reported with
 * their line number and counted), and the semantic fields of the vendors in syslog-a's
 * files (FortiGate, Cisco ASA/FTD, PAN-OS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"
#include "ingest/syslog.h"
#include "kensa/kensa.h"

typedef struct got {
    char provider[32], host[64], user[64], domain[64], src_ip[64], src_host[64];
    char session[64], action[32], service[32], status[64], message[256], app[32];
    int outcome;
    unsigned level;
    uint32_t event_id;
    int64_t time_ns;
    uint64_t record_id, offset;
    size_t nfields;
} got;

typedef struct problems {
    int n, errors;
    uint64_t line[8];
    char what[8][160];
} problems;

static void on_problem(void *ctx, const ks_problem *p)
{
    problems *pr = ctx;
    if (pr->n < 8) {
        pr->line[pr->n] = p->line;
        snprintf(pr->what[pr->n], sizeof pr->what[0], "%s", p->what);
    }
    pr->n++;
    pr->errors += p->severity == KS_SEV_ERROR;
}

static void cp(char *dst, size_t cap, ks_str s)
{
    snprintf(dst, cap, "%.*s", (int)s.len, s.p ? s.p : "");
}

static void field(char *dst, size_t cap, const ks_event *ev, const char *name)
{
    const ks_field *f = ks_event_field(ev, name);
    snprintf(dst, cap, "%.*s", f ? (int)f->value.size : 0, f ? (const char *)f->value.data : "");
}

/* Read every event of `text` as syslog; returns the count. */
static size_t read_all(const char *text, ks_source_opts o, got *out, size_t max,
                       ks_source_stats *stats, problems *pr, char *assumed, size_t acap)
{
    ks_source *s = NULL;
    ks_diag d;
    o.format = KS_FORMAT_SYSLOG;
    o.on_problem = on_problem;
    problems dummy = {0};
    o.ctx = pr ? pr : &dummy;
    if (ks_source_open_mem(&s, text, strlen(text), "mem.log", &o, &d) != KS_OK) return 0;
    size_t n = 0;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        if (n < max) {
            got *g = &out[n];
            memset(g, 0, sizeof *g);
            cp(g->provider, sizeof g->provider, ev->provider);
            cp(g->host, sizeof g->host, ev->host);
            cp(g->user, sizeof g->user, ev->sem.user);
            cp(g->domain, sizeof g->domain, ev->sem.domain);
            cp(g->src_ip, sizeof g->src_ip, ev->sem.src_ip);
            cp(g->src_host, sizeof g->src_host, ev->sem.src_host);
            cp(g->session, sizeof g->session, ev->sem.session);
            cp(g->action, sizeof g->action, ev->sem.action);
            cp(g->service, sizeof g->service, ev->sem.service);
            cp(g->status, sizeof g->status, ev->sem.status);
            field(g->message, sizeof g->message, ev, "message");
            field(g->app, sizeof g->app, ev, "app");
            g->outcome = ev->sem.outcome;
            g->level = ev->level;
            g->event_id = ev->event_id;
            g->time_ns = ev->time_ns;
            g->record_id = ev->record_id;
            g->offset = ev->offset;
            g->nfields = ev->nfields;
            CHECK_STR(g->provider[0] ? "ok" : "", "ok");
        }
        n++;
    }
    if (stats) *stats = *ks_source_get_stats(s);
    if (assumed) snprintf(assumed, acap, "%.199s", ks_source_get_stats(s)->assumed);
    ks_source_close(&s);
    return n;
}

static int64_t T(const char *iso)
{
    int64_t ns = 0;
    bool zone;
    if (!ks_time_parse_iso8601(iso, strlen(iso), &ns, &zone)) {
        fprintf(stderr, "bad test time %s\n", iso);
        abort();
    }
    return ns;
}

static void test_kv(void)
{
    const char *t = "a=1 b=\"x y\"  c='z w' d= e=f=g junk time=10: 13:03 q=\"esc \\\" q\" u";
    ks_field kv[16];
    size_t n = ks_syslog_kv((ks_str){t, strlen(t)}, kv, 16);
    CHECK_INT(n, 7);
    char v[64];
    ks_str s = ks_syslog_kv_get(kv, n, "b");
    cp(v, sizeof v, s);
    CHECK_STR(v, "x y");
    cp(v, sizeof v, ks_syslog_kv_get(kv, n, "c"));
    CHECK_STR(v, "z w");
    CHECK_INT(ks_syslog_kv_get(kv, n, "d").len, 0);
    cp(v, sizeof v, ks_syslog_kv_get(kv, n, "e"));
    CHECK_STR(v, "f=g");
    cp(v, sizeof v, ks_syslog_kv_get(kv, n, "time"));
    CHECK_STR(v, "10:");
    cp(v, sizeof v, ks_syslog_kv_get(kv, n, "q"));
    CHECK_STR(v, "esc \\\" q");
    CHECK_INT(ks_syslog_kv_get(kv, n, "missing").len, 0);
    CHECK_INT(kv[0].value.type, KS_VT_UTF8);
    /* bounded by max; an unterminated quote ends at the end of the text */
    CHECK_INT(ks_syslog_kv((ks_str){t, strlen(t)}, kv, 2), 2);
    const char *u = "k=\"never closed";
    CHECK_INT(ks_syslog_kv((ks_str){u, strlen(u)}, kv, 4), 1);
    cp(v, sizeof v, ks_syslog_kv_get(kv, 1, "k"));
    CHECK_STR(v, "never closed");
}

static void test_framing(void)
{
    ks_source_opts o = {.tz = "UTC", .year = 2024};
    got g[16];
    const char *text =
        /* RFC 3164 (RFC 3164 4.3.1's own example) */
        "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n"
        /* RFC 5424 (RFC 5424 6.5, example 3) */
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] An "
        "application event log entry...\n"
        /* RFC 5424 with an offset and no SD */
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time\n"
        /* no PRI, day padded with a space, tag with pid */
        "Jan  3 13:45:36 host1 app[42]: hello world\n"
        /* ISO header with zone, then host, no tag */
        "2026-04-03T00:31:09.976660+00:00 192.168.2.1 plain words here\n"
        /* Cisco: year after the day, "host : " */
        "<166>Aug 20 2026 08:53:11 asa-vpn-01 : %ASA-6-113039: Group <G> User <u1> IP "
        "<198.51.100.9> AnyConnect parent session started.\n"
        /* no host; the time ends with ':' */
        "Oct 03 2018 17:34:08: %ASA-4-106023: Deny udp src office:1.1.1.1/3217 dst FE:x/15000 "
        "by access-group \"ACL\" [0x0, 0x0]\n"
        /* no header at all */
        "%FTD-6-113005: AAA user authentication Rejected: reason = bad: server = 10.0.0.1, "
        "User = bob: user IP = 203.0.113.7\n"
        /* a 5424 message relayed inside a 3164 one */
        "Oct 19 09:16:53 pcs-node1 1 2021-10-19T09:16:53+02:00 10.5.2.3 Relay: - - - inner msg\n"
        /* ISO with a space and a -0700 offset, double space, then host and tag */
        "2020-03-23 06:47:42.801612-0700  localhost myapp[3186]: error: x\n"
        /* wazuh's "yyyy Mmm dd" and an agent->ip host */
        "2018 Apr 09 16:03:37 mgr->172.24.0.253 kernel: y\n"
        /* a relay's address and then the message */
        "10.0.0.1 id=thing sn=1 other=2\n";
    size_t n = read_all(text, o, g, 16, NULL, NULL, NULL, 0);
    CHECK_INT(n, 12);
    CHECK_STR(g[0].provider, "syslog");
    CHECK_STR(g[0].host, "mymachine");
    CHECK_STR(g[0].app, "su");
    CHECK_STR(g[0].message, "'su root' failed for lonvick on /dev/pts/8");
    CHECK_INT(g[0].time_ns, T("2024-10-11T22:14:15Z"));
    CHECK_INT(g[0].level, 1); /* severity 2 (crit) -> Windows level 1, critical */
    CHECK_INT(g[0].record_id, 1);
    CHECK_INT(g[0].offset, 0);

    CHECK_STR(g[1].host, "mymachine.example.com");
    CHECK_STR(g[1].app, "evntslog");
    CHECK_STR(g[1].message, "An application event log entry...");
    CHECK_INT(g[1].time_ns, T("2003-10-11T22:14:15.003Z"));
    CHECK_INT(g[1].record_id, 2);
    CHECK(g[1].offset > 0);

    CHECK_STR(g[2].host, "192.0.2.1");
    CHECK_STR(g[2].message, "%% It's time");
    CHECK_INT(g[2].time_ns, T("2003-08-24T12:14:15.000003Z"));

    CHECK_STR(g[3].host, "host1");
    CHECK_STR(g[3].app, "app");
    CHECK_STR(g[3].message, "hello world");
    CHECK_INT(g[3].time_ns, T("2025-01-03T13:45:36Z")); /* January after October (line 1) */

    CHECK_STR(g[4].host, "192.168.2.1");
    CHECK_STR(g[4].message, "plain words here");
    CHECK_INT(g[4].time_ns, T("2026-04-03T00:31:09.976660Z"));

    CHECK_STR(g[5].provider, "cisco-asa");
    CHECK_STR(g[5].host, "asa-vpn-01");
    CHECK_INT(g[5].event_id, 113039);
    CHECK_INT(g[5].time_ns, T("2026-08-20T08:53:11Z"));
    CHECK_STR(g[5].user, "u1");
    CHECK_STR(g[5].src_ip, "198.51.100.9");
    CHECK_STR(g[5].action, KS_ACTION_VPN_LOGIN);
    CHECK_INT(g[5].outcome, KS_OUTCOME_SUCCESS);

    CHECK_STR(g[6].provider, "cisco-asa");
    CHECK_STR(g[6].host, "");
    CHECK_INT(g[6].time_ns, T("2018-10-03T17:34:08Z"));
    CHECK_STR(g[6].src_ip, "1.1.1.1");
    CHECK_STR(g[6].action, KS_ACTION_TRAFFIC);
    CHECK_INT(g[6].outcome, KS_OUTCOME_FAILURE);

    CHECK_STR(g[7].provider, "cisco-ftd");
    CHECK_INT(g[7].time_ns, 0);
    CHECK_STR(g[7].user, "bob");
    CHECK_STR(g[7].src_ip, "203.0.113.7");
    CHECK_STR(g[7].action, KS_ACTION_AUTH);
    CHECK_INT(g[7].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[7].status, "bad");

    CHECK_STR(g[8].host, "pcs-node1");
    CHECK_STR(g[8].app, "Relay");
    CHECK_STR(g[8].message, "inner msg");
    CHECK_INT(g[8].time_ns, T("2021-10-19T07:16:53Z"));

    CHECK_STR(g[9].host, "localhost");
    CHECK_STR(g[9].app, "myapp");
    CHECK_INT(g[9].time_ns, T("2020-03-23T13:47:42.801612Z"));

    CHECK_STR(g[10].host, "mgr->172.24.0.253");
    CHECK_STR(g[10].app, "kernel");
    CHECK_INT(g[10].time_ns, T("2018-04-09T16:03:37Z"));

    CHECK_STR(g[11].host, "10.0.0.1");
    CHECK_STR(g[11].message, "id=thing sn=1 other=2");
    CHECK_INT(g[11].time_ns, 0);
}

static void test_year_given_rollover(void)
{
    ks_source_opts o = {.tz = "UTC", .year = 2023};
    got g[8];
    const char *text = "Dec 31 23:59:58 h a: 1\n"
                       "Dec 31 23:59:59 h a: 2\n"
                       "Jan  1 00:00:00 h a: 3\n"
                       "Dec 31 23:59:59 h a: 4 (late, from a relay)\n"
                       "Jan  1 00:00:01 h a: 5\n"
                       "Mar  2 00:00:00 h a: 6\n"
                       "Feb 28 00:00:00 h a: 7 (a little out of order)\n"
                       "Dec  1 00:00:00 h a: 8\n";
    char assumed[200];
    size_t n = read_all(text, o, g, 8, NULL, NULL, assumed, sizeof assumed);
    CHECK_INT(n, 8);
    CHECK_INT(g[0].time_ns, T("2023-12-31T23:59:58Z"));
    CHECK_INT(g[1].time_ns, T("2023-12-31T23:59:59Z"));
    CHECK_INT(g[2].time_ns, T("2024-01-01T00:00:00Z"));
    CHECK_INT(g[3].time_ns, T("2023-12-31T23:59:59Z"));
    CHECK_INT(g[4].time_ns, T("2024-01-01T00:00:01Z"));
    CHECK_INT(g[5].time_ns, T("2024-03-02T00:00:00Z"));
    CHECK_INT(g[6].time_ns, T("2024-02-28T00:00:00Z"));
    CHECK_INT(g[7].time_ns, T("2024-12-01T00:00:00Z"));
    /* a given year (or zone) is not an assumption */
    CHECK(strstr(assumed, "year") == NULL);
}

static void test_year_from_content(void)
{
    /* memory source: no file time; the FortiGate line 3 says 2024-01-01, so lines 1-2
     * (December) are 2023 */
    ks_source_opts o = {.tz = "UTC"};
    got g[4];
    const char *text =
        "Dec 31 23:00:00 gw sshd[1]: one\n"
        "Dec 31 23:30:00 gw sshd[1]: two\n"
        "Jan  1 00:10:00 fgt date=2024-01-01 time=00:10:00 devname=\"F1\" logid=\"0100032001\" "
        "type=\"event\" subtype=\"system\" user=\"admin\" ui=\"https(10.0.0.5)\" action=\"login\" "
        "status=\"success\"\n"
        "Jan  1 00:20:00 gw sshd[1]: four\n";
    char assumed[200];
    problems pr = {0};
    size_t n = read_all(text, o, g, 4, NULL, &pr, assumed, sizeof assumed);
    CHECK_INT(n, 4);
    CHECK_INT(g[0].time_ns, T("2023-12-31T23:00:00Z"));
    CHECK_INT(g[1].time_ns, T("2023-12-31T23:30:00Z"));
    CHECK_INT(g[2].time_ns, T("2024-01-01T00:10:00Z"));
    CHECK_STR(g[2].provider, "fortigate");
    CHECK_STR(g[2].host, "F1");
    CHECK_INT(g[3].time_ns, T("2024-01-01T00:20:00Z"));
    CHECK(strstr(assumed, "year 2023") != NULL);
    CHECK(strstr(assumed, "line 3") != NULL);
    CHECK_INT(pr.n, 0);
}

static void test_year_from_mtime(void)
{
    char path[] = "/tmp/ks_test_syslog_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    const char *text = "Nov 30 10:00:00 h a: x\n"
                       "Dec 31 23:59:59 h a: x\n"
                       "Jan  1 00:00:00 h a: x\n"
                       "Feb  9 12:00:00 h a: x\n";
    CHECK_INT(write(fd, text, strlen(text)), (long long)strlen(text));
    close(fd);
    /* modified 2025-02-10 12:00 UTC */
    struct timeval tv[2] = {{1739188800, 0}, {1739188800, 0}};
    CHECK_INT(utimes(path, tv), 0);
    /* no --tz: the machine's zone, from TZ */
    setenv("TZ", "+09:00", 1);
    ks_source_opts o = {0};
    ks_source *s = NULL;
    ks_diag d;
    CHECK_INT(ks_source_open(&s, path, &o, &d), KS_OK);
    if (s) {
        CHECK_INT(ks_source_format(s), KS_FORMAT_SYSLOG);
        const ks_event *ev;
        const char *want[] = {"2024-11-30T01:00:00Z", "2024-12-31T14:59:59Z",
                              "2024-12-31T15:00:00Z", "2025-02-09T03:00:00Z"};
        for (int i = 0; i < 4; i++) {
            CHECK_INT(ks_source_next(s, &ev), KS_OK);
            CHECK(ev != NULL);
            if (ev) CHECK_INT(ev->time_ns, T(want[i]));
        }
        CHECK_INT(ks_source_next(s, &ev), KS_OK);
        CHECK(ev == NULL);
        const char *a = ks_source_get_stats(s)->assumed;
        CHECK(strstr(a, "year 2024") != NULL);
        CHECK(strstr(a, "modification time") != NULL);
        CHECK(strstr(a, "+09:00") != NULL);
        ks_source_close(&s);
    }
    unlink(path);
}

static void test_year_none(void)
{
    ks_source_opts o = {.tz = "UTC"};
    got g[2];
    problems pr = {0};
    char assumed[200];
    size_t n = read_all("Mar  1 00:00:00 h a: x\nMar  1 00:00:01 h a: y\n", o, g, 2, NULL, &pr,
                        assumed, sizeof assumed);
    CHECK_INT(n, 2);
    CHECK_INT(g[0].time_ns, T("1970-03-01T00:00:00Z"));
    CHECK_INT(g[1].time_ns, T("1970-03-01T00:00:01Z"));
    CHECK_INT(pr.n, 1); /* one warning, not one per line */
    CHECK_INT(pr.errors, 0);
    CHECK_INT(pr.line[0], 1);
    CHECK(strstr(pr.what[0], "1970") != NULL);
    CHECK(strstr(assumed, "1970") != NULL);
}

static void test_zones(void)
{
    ks_source_opts o = {.tz = "+09:00", .year = 2024};
    got g[4];
    const char *text =
        "Jan 10 09:00:00 h a: local\n"
        "<13>1 2024-01-10T09:00:00+09:00 h a - - - zoned\n"
        "Jan 10 09:00:00 fgt date=2024-01-10 time=09:00:00 devname=\"F\" tz=\"-0700\" "
        "logid=\"0100032002\" type=\"event\" subtype=\"system\" user=\"root\" "
        "ui=ssh(222.186.130.227) action=login status=failed reason=\"name_invalid\"\n"
        "Jan 10 09:00:00 fgt date=2024-01-10 time=09:00:00 devname=\"F\" logid=\"0100032002\" "
        "type=\"event\" subtype=\"system\"\n";
    size_t n = read_all(text, o, g, 4, NULL, NULL, NULL, 0);
    CHECK_INT(n, 4);
    CHECK_INT(g[0].time_ns, T("2024-01-10T00:00:00Z"));
    CHECK_INT(g[1].time_ns, T("2024-01-10T00:00:00Z"));
    CHECK_INT(g[2].time_ns, T("2024-01-10T16:00:00Z")); /* tz= wins over --tz */
    CHECK_INT(g[3].time_ns, T("2024-01-10T00:00:00Z")); /* no tz=: --tz */
    CHECK_STR(g[2].action, KS_ACTION_ADMIN_LOGIN);
    CHECK_INT(g[2].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[2].user, "root");
    CHECK_STR(g[2].src_ip, "222.186.130.227");
    CHECK_STR(g[2].service, "ssh");
    CHECK_STR(g[2].status, "name_invalid");
    CHECK_INT(g[2].event_id, 32002);
}

static void test_bad_lines(void)
{
    ks_source_opts o = {.tz = "UTC", .year = 2024};
    got g[8];
    problems pr = {0};
    ks_source_stats st;
    /* line 2: binary junk; line 3: blank; line 4: text of no vendor */
    static const char text[] = "Jan  1 00:00:00 h a: first\n"
                               "\x01\x02\x03\x04\x05\x06garbage\x07\x08\x09\x0b\x0c\x0e\n"
                               "   \n"
                               "just some words\n"
                               "%ASA-6-605005: Login permitted from 192.168.0.1/11 to "
                               "outside:192.168.0.2/ssh for user \"username\"\n";
    size_t n = read_all(text, o, g, 8, &st, &pr, NULL, 0);
    CHECK_INT(n, 3);
    CHECK_INT(pr.n, 1);
    CHECK_INT(pr.errors, 1);
    CHECK_INT(pr.line[0], 2);
    CHECK(strstr(pr.what[0], "binary") != NULL);
    CHECK_INT(st.skipped, 1);
    CHECK_INT(st.ignored, 1);
    CHECK_INT(st.unrecognized, 2);
    CHECK_INT(st.events, 3);
    CHECK_INT(g[0].record_id, 1);
    CHECK_INT(g[1].record_id, 4);
    CHECK_STR(g[1].provider, "syslog");
    CHECK_STR(g[1].message, "just some words");
    CHECK_INT(g[1].time_ns, 0);
    CHECK_INT(g[2].record_id, 5);
    CHECK_STR(g[2].provider, "cisco-asa");
    CHECK_STR(g[2].user, "username");
    CHECK_STR(g[2].src_ip, "192.168.0.1");
    CHECK_STR(g[2].service, "ssh");
    CHECK_STR(g[2].action, KS_ACTION_ADMIN_LOGIN);
    CHECK_INT(g[2].outcome, KS_OUTCOME_SUCCESS);

    /* a NUL in a line, CRLF endings, no final newline */
    static const char nul[] = "Jan  1 00:00:00 h a: ok\r\nbad\0line\r\nJan  1 00:00:01 h a: ok";
    ks_source *s = NULL;
    ks_diag d;
    problems p2 = {0};
    ks_source_opts o2 = {.format = KS_FORMAT_SYSLOG,
                         .tz = "UTC",
                         .year = 2024,
                         .on_problem = on_problem,
                         .ctx = &p2};
    CHECK_INT(ks_source_open_mem(&s, nul, sizeof nul - 1, "nul", &o2, &d), KS_OK);
    if (s) {
        const ks_event *ev;
        int k = 0;
        while (ks_source_next(s, &ev) == KS_OK && ev) {
            const ks_field *f = ks_event_field(ev, "message");
            CHECK(f && f->value.size == 2 && !memcmp(f->value.data, "ok", 2));
            k++;
        }
        CHECK_INT(k, 2);
        CHECK_INT(p2.errors, 1);
        CHECK_INT(p2.line[0], 2);
        ks_source_close(&s);
    }
}

static void test_sniff(void)
{
    const char *sys = "<34>Oct 11 22:14:15 mymachine su: x\nOct 11 22:14:16 mymachine su: y\n";
    CHECK_INT(ks_format_detect(sys, strlen(sys), NULL), KS_FORMAT_SYSLOG);
    const char *fgt = "date=2016-06-15 time=10:42:31 devname=D devid=F logid=0101039426 "
                      "type=event subtype=vpn\n";
    CHECK_INT(ks_format_detect(fgt, strlen(fgt), NULL), KS_FORMAT_SYSLOG);
    const char *pan = "1,2021/03/24 11:30:00,0131,GLOBALPROTECT,0,2305,2021/03/24 11:30:00,vsys1\n";
    CHECK_INT(ks_format_detect(pan, strlen(pan), NULL), KS_FORMAT_SYSLOG);
    const char *asa = "%ASA-6-113005: AAA user authentication Rejected\n";
    CHECK_INT(ks_format_detect(asa, strlen(asa), NULL), KS_FORMAT_SYSLOG);
    const char *iso = "2026-04-03T00:31:09.976660+00:00 192.168.2.1 hello\n";
    CHECK_INT(ks_format_detect(iso, strlen(iso), NULL), KS_FORMAT_SYSLOG);
    /* not ours */
    CHECK_INT(ks_reader_syslog.sniff("{\"a\":1}\n{\"a\":2}\n", 16), 5);
    const char *xml = "<?xml version=\"1.0\"?>\n<Events><Event/></Events>\n";
    CHECK_INT(ks_reader_syslog.sniff(xml, strlen(xml)), 0);
    const char *ev = "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n";
    CHECK_INT(ks_reader_syslog.sniff(ev, strlen(ev)), 0);
    const char *csv = "Level,Date and Time,Source,Event ID,Task Category\n"
                      "Information,3/24/2021 11:30:00 AM,Microsoft-Windows-Security,4624,Logon\n";
    CHECK_INT(ks_reader_syslog.sniff(csv, strlen(csv)), 0);
    CHECK_INT(ks_reader_syslog.sniff("", 0), 0);
}

static void test_fortigate(void)
{
    ks_source_opts o = {.tz = "UTC"};
    got g[8];
    const char *text =
        "date=2016-06-15 time=21:35:09 devname=Dev devid=FGT logid=0101039426 type=event "
        "subtype=vpn level=alert vd=\"root\" logdesc=\"SSL VPN login fail\" "
        "action=\"ssl-login-fail\" tunneltype=\"ssl-web\" tunnelid=0 remip=2.4.6.8 "
        "tunnelip=(null) user=\"CORP\\\\alice\" group=\"N/A\" "
        "reason=\"sslvpn_login_unknown_user\"\n"
        "date=2016-06-16 time=08:47:00 devname=Dev logid=0101039947 type=event subtype=vpn "
        "action=\"tunnel-up\" tunneltype=\"ssl-tunnel\" tunnelid=1050355638 remip=9.8.7.7 "
        "tunnelip=1.2.4.6 user=\"bob@example.jp\" group=\"SSL_VPN\"\n"
        "date=2016-06-16 time=08:49:26 devname=Dev logid=0101039948 type=event subtype=vpn "
        "action=\"tunnel-down\" tunneltype=\"ssl-tunnel\" tunnelid=1050355638 remip=9.8.7.7 "
        "user=\"bob\"\n"
        "date=2024-05-01 time=01:02:03 devname=Dev logid=\"0101037138\" type=\"event\" "
        "subtype=\"vpn\" action=\"tunnel-up\" remip=198.51.100.1 user=\"198.51.100.1\" "
        "xauthuser=\"N/A\" tunnelid=77 vpntunnel=\"site\"\n"
        "date=2024-05-01 time=01:02:04 devname=Dev logid=\"0101037120\" type=\"event\" "
        "subtype=\"vpn\" action=\"negotiate\" remip=198.51.100.2 user=\"198.51.100.2\" "
        "xauthuser=\"carol\" status=\"failure\" result=\"XAUTH authentication failed\"\n"
        "date=2016-06-15 time=10:42:31 devname=Dev logid=9999999999 type=event subtype=vpn "
        "action=dpd remip=1.2.3.4 user=\"N/A\" status=dpd_failure\n"
        "date=2019-05-15 time=15:08:49 logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" "
        "srcip=10.1.100.22 sessionid=6887 action=\"deny\" service=\"DNS\"\n";
    size_t n = read_all(text, o, g, 8, NULL, NULL, NULL, 0);
    CHECK_INT(n, 7);
    CHECK_STR(g[0].provider, "fortigate");
    CHECK_INT(g[0].event_id, 39426);
    CHECK_INT(g[0].time_ns, T("2016-06-15T21:35:09Z"));
    CHECK_STR(g[0].action, KS_ACTION_VPN_LOGIN);
    CHECK_INT(g[0].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[0].user, "alice");
    CHECK_STR(g[0].domain, "CORP");
    CHECK_STR(g[0].src_ip, "2.4.6.8");
    CHECK_STR(g[0].session, "");
    CHECK_STR(g[0].status, "sslvpn_login_unknown_user");
    CHECK_STR(g[0].service, "ssl-web");
    CHECK_STR(g[0].host, "Dev");
    CHECK(g[0].nfields >= 15);

    CHECK_STR(g[1].action, KS_ACTION_VPN_LOGIN);
    CHECK_INT(g[1].outcome, KS_OUTCOME_SUCCESS);
    CHECK_STR(g[1].user, "bob");
    CHECK_STR(g[1].domain, "example.jp");
    CHECK_STR(g[1].session, "1050355638");
    CHECK_STR(g[1].src_ip, "9.8.7.7");
    CHECK_STR(g[2].action, KS_ACTION_VPN_LOGOUT);
    CHECK_STR(g[2].session, "1050355638");

    CHECK_STR(g[3].action, KS_ACTION_TUNNEL_UP);
    CHECK_STR(g[3].user, ""); /* user= is the peer's address on IPsec lines */
    CHECK_STR(g[3].src_ip, "198.51.100.1");
    CHECK_STR(g[3].session, "77");
    CHECK_INT(g[3].event_id, 37138);

    CHECK_STR(g[4].action, KS_ACTION_VPN_LOGIN);
    CHECK_INT(g[4].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[4].user, "carol");
    CHECK_STR(g[4].status, "XAUTH authentication failed");

    CHECK_STR(g[5].action, KS_ACTION_TUNNEL_DOWN);
    CHECK_INT(g[5].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[5].user, "");
    CHECK_INT(g[5].event_id, 99999);

    CHECK_STR(g[6].action, KS_ACTION_TRAFFIC);
    CHECK_INT(g[6].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[6].src_ip, "10.1.100.22");
    CHECK_STR(g[6].session, "6887");
    CHECK_INT(g[6].event_id, 13);
}

static void test_cisco(void)
{
    ks_source_opts o = {.tz = "UTC", .year = 2024};
    got g[10];
    const char *text =
        "%ASA-6-113004: AAA user authentication Successful: server = 10.1.1.1, User = dave\n"
        "%ASA-6-722051: Group <GP> User <CORP\\eve> IP <203.0.113.5> IPv4 Address <10.8.0.2> "
        "IPv6 address <::> assigned to session\n"
        "%ASA-6-751025: Local:203.0.113.10:4500 Remote:client-01.example.net:50469 "
        "Username:dave.miller@example.com Group:GP IPv4 Address=172.16.58.33 assigned to session\n"
        "%ASA-6-751025: Local:2001:db8::1:4500 Remote:2001:db8::2:50470 Username:erin IKEv2 "
        "Group:GP IPv4 Address=172.16.58.34 assigned to session\n"
        "%ASA-4-113019: Group = GP, Username = frank, IP = 192.0.2.44, Session disconnected. "
        "Session Type: SSL, Duration: 0h:05m:00s, Bytes xmt: 1, Bytes rcv: 2, Reason: User "
        "Requested\n"
        "%ASA-6-716039: Group <DfltGrpPolicy> User <mallory> IP <198.51.100.66> Authentication: "
        "rejected, Session Type: WebVPN.\n"
        "%ASA-6-734001: DAP: User grace, Addr 192.0.2.9, Connection AnyConnect: The following "
        "DAP records were selected for this connection: DfltAccessPolicy\n"
        "%ASA-6-603108: Built PPTP Tunnel at outside, tunnel-id = 32135, remote-peer = "
        "192.168.0.1, virtual-interface = 3141, client-dynamic-ip = 192.168.0.2, username = "
        "userex, MPPE-key-strength = 15412\n"
        "%PIX-6-605004: Login denied from 192.168.2.10/32597 to outside:192.168.2.14/https for "
        "user \"root\"\n";
    size_t n = read_all(text, o, g, 10, NULL, NULL, NULL, 0);
    CHECK_INT(n, 9);
    CHECK_STR(g[0].user, "dave");
    CHECK_STR(g[0].src_ip, "");
    CHECK_INT(g[0].outcome, KS_OUTCOME_SUCCESS);
    CHECK_INT(g[0].level, 4);

    CHECK_STR(g[1].user, "eve");
    CHECK_STR(g[1].domain, "CORP");
    CHECK_STR(g[1].src_ip, "203.0.113.5");
    CHECK_STR(g[1].action, KS_ACTION_TUNNEL_UP);

    CHECK_STR(g[2].src_ip, "");
    CHECK_STR(g[2].src_host, "client-01.example.net");
    CHECK_STR(g[2].user, "dave.miller");
    CHECK_STR(g[2].domain, "example.com");
    CHECK_STR(g[3].src_ip, "2001:db8::2");
    CHECK_STR(g[3].user, "erin");

    CHECK_STR(g[4].user, "frank");
    CHECK_STR(g[4].src_ip, "192.0.2.44");
    CHECK_STR(g[4].action, KS_ACTION_VPN_LOGOUT);

    CHECK_STR(g[5].user, "mallory");
    CHECK_STR(g[5].src_ip, "198.51.100.66");
    CHECK_STR(g[5].action, KS_ACTION_VPN_LOGIN);
    CHECK_INT(g[5].outcome, KS_OUTCOME_FAILURE);

    CHECK_STR(g[6].user, "grace");
    CHECK_STR(g[6].src_ip, "192.0.2.9");

    CHECK_STR(g[7].user, "userex");
    CHECK_STR(g[7].src_ip, "192.168.0.1");
    CHECK_STR(g[7].session, "32135");
    CHECK_STR(g[7].action, KS_ACTION_TUNNEL_UP);

    CHECK_STR(g[8].provider, "cisco-asa");
    CHECK_STR(g[8].service, "https");
    CHECK_INT(g[8].outcome, KS_OUTCOME_FAILURE);
}

static void test_paloalto(void)
{
    ks_source_opts o = {.tz = "-05:00"};
    got g[6];
    const char *text =
        "Nov 30 16:09:08 pa1 1,2024/03/02 09:55:42,0123,GLOBALPROTECT,0,2305,2024/03/02 "
        "09:55:39,vsys1,gateway-auth,login,LDAP,,CORP\\\\alice,JP,PC1,198.51.100.7,,10.0.0.9,,"
        "hostid,SER,5.1.1,OS,\"Windows 10, 64-bit\",1,,auth failed,\"Bad, creds\",failure,,0,"
        "user-logon,0,GP GW,1,0x0\n"
        "1,2024/03/02 09:56:00,0123,SYSTEM,globalprotect,0,2024/03/02 09:56:00,,"
        "globalprotectportal-auth-fail,GP-Portal,0,0,general,medium,\"GlobalProtect portal "
        "user authentication failed. Login from: 203.0.113.50, Source region: CN, User name: "
        "admin, Client OS version: Microsoft Windows, Reason: Authentication failed: Invalid "
        "username or password, Auth type: profile.\",123,0x0,0,0,0,0,,pa1\n"
        "1,2024/03/02 09:57:00,0123,SYSTEM,auth,0,2024/03/02 09:57:00,,auth-success,Admin-Auth,"
        "0,0,general,informational,\"authenticated for user 'admin'.   From: 192.0.2.10.\",124,"
        "0x0\n"
        "0,2021/07/15 11:58:58,1321564321,TRAFFIC,end,0,2021/07/15 11:59:02,10.210.0.84,"
        "51.11.168.232,,,DENY-ALL,bob,,not-applicable,vsys1,IN,OUT,ethernet1/1,,FWD,"
        "2021/07/15 11:59:02,991,1,500,500,0,0,0x0,udp,deny,0,0\n"
        "1,2020/00/00 00:00:00,00000000,OTHERS,\n";
    size_t n = read_all(text, o, g, 6, NULL, NULL, NULL, 0);
    CHECK_INT(n, 5);
    CHECK_STR(g[0].provider, "paloalto");
    CHECK_INT(g[0].time_ns, T("2024-03-02T14:55:39Z"));
    CHECK_STR(g[0].user, "alice");
    CHECK_STR(g[0].domain, "CORP");
    CHECK_STR(g[0].src_ip, "198.51.100.7");
    CHECK_STR(g[0].src_host, "PC1");
    CHECK_STR(g[0].action, KS_ACTION_VPN_LOGIN);
    CHECK_INT(g[0].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[0].status, "auth failed");

    CHECK_STR(g[1].user, "admin");
    CHECK_STR(g[1].src_ip, "203.0.113.50");
    CHECK_STR(g[1].action, KS_ACTION_VPN_LOGIN);
    CHECK_INT(g[1].outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(g[1].service, "globalprotect");

    CHECK_STR(g[2].user, "admin");
    CHECK_STR(g[2].src_ip, "192.0.2.10");
    CHECK_STR(g[2].action, KS_ACTION_AUTH);
    CHECK_INT(g[2].outcome, KS_OUTCOME_SUCCESS);

    CHECK_STR(g[3].src_ip, "10.210.0.84");
    CHECK_STR(g[3].user, "bob");
    CHECK_STR(g[3].session, "991");
    CHECK_STR(g[3].action, KS_ACTION_TRAFFIC);
    CHECK_INT(g[3].outcome, KS_OUTCOME_FAILURE);

    CHECK_STR(g[4].provider, "paloalto");
    CHECK_INT(g[4].time_ns, 0);
}

int main(void)
{
    test_kv();
    test_framing();
    test_year_given_rollover();
    test_year_from_content();
    test_year_from_mtime();
    test_year_none();
    test_zones();
    test_bad_lines();
    test_sniff();
    test_fortigate();
    test_cisco();
    test_paloalto();
    return ks_test_done();
}
