/* Elastic's pipeline samples (../shared/data/syslog/elastic-integrations): every line
 * with an *-expected.abridged.jsonl entry must read, format detected from content, to
 * the same timestamp, user, client address and outcome; the logs without expected
 * values must be recognized by their vendor. A log whose vendor parser is not in
 * syslog.c's table is skipped with a message (weak references tell which are linked).
 *
 * The client address is what Elastic calls the client: source.ip (FortiGate, Pulse),
 * destination.ip / destination.address for ASA 751025 ("Remote:"; Elastic puts the
 * ASA's own "Local:" in source.*), source.nat.ip for GlobalProtect (the public address;
 * Elastic's source.ip there is the tunnel's private one). A user matches when user and
 * domain equal Elastic's user.name / user.domain (or source.user.*), or when the vendor
 * kept "user@domain" / "domain\user" whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ingest/syslog.h"
#include "kensa/kensa.h"

#pragma weak ks_syslog_fortigate
#pragma weak ks_syslog_cisco_asa
#pragma weak ks_syslog_paloalto
#pragma weak ks_syslog_sonicwall
#pragma weak ks_syslog_pulse

#define MAX_LINES 64

typedef struct line_ev {
    int seen;
    char provider[32], user[128], domain[128], src_ip[64], src_host[128];
    int outcome;
    int64_t time_ns;
    uint32_t event_id;
} line_ev;

typedef struct spec {
    const char *log; /* under syslog/elastic-integrations */
    const ks_syslog_vendor *vendor;
    const char *provider; /* expected ev->provider */
    const char *tz;       /* the pipeline test's zone */
    const char *addr_key, *host_key;
    int expected; /* lines in the expected file (0: none) */
    int lines;    /* lines in the log */
} spec;

static void cp(char *dst, size_t cap, ks_str s)
{
    snprintf(dst, cap, "%.*s", (int)s.len, s.p ? s.p : "");
}

static void on_problem(void *ctx, const ks_problem *p)
{
    (void)ctx;
    fprintf(stderr, "  problem line %llu: %s\n", (unsigned long long)p->line, p->what);
}

/* Read a log into ev[line]; returns the number of events, -1 if it cannot be opened. */
static int read_log(const char *path, const char *tz, line_ev *ev)
{
    ks_source_opts o = {.tz = tz, .on_problem = on_problem};
    ks_source *s = NULL;
    ks_diag d;
    if (ks_source_open(&s, path, &o, &d) != KS_OK) {
        fprintf(stderr, "%s: %s\n", path, d.what);
        return -1;
    }
    CHECK_INT(ks_source_format(s), KS_FORMAT_SYSLOG);
    int n = 0;
    const ks_event *e;
    while (ks_source_next(s, &e) == KS_OK && e) {
        n++;
        if (e->record_id >= MAX_LINES) continue;
        line_ev *x = &ev[e->record_id];
        x->seen = 1;
        cp(x->provider, sizeof x->provider, e->provider);
        cp(x->user, sizeof x->user, e->sem.user);
        cp(x->domain, sizeof x->domain, e->sem.domain);
        cp(x->src_ip, sizeof x->src_ip, e->sem.src_ip);
        cp(x->src_host, sizeof x->src_host, e->sem.src_host);
        x->outcome = e->sem.outcome;
        x->time_ns = e->time_ns;
        x->event_id = e->event_id;
    }
    CHECK_INT(ks_source_get_stats(s)->skipped, 0);
    ks_source_close(&s);
    return n;
}

/* The value of "key" in a flat JSON object line (string unescaped, or a number). */
static int jget(const char *obj, const char *key, char *out, size_t cap)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(obj, pat);
    out[0] = 0;
    if (!p) return 0;
    p += strlen(pat);
    size_t k = 0;
    if (*p == '"') {
        for (p++; *p && *p != '"' && k + 1 < cap; p++) {
            if (*p == '\\' && p[1]) p++;
            out[k++] = *p;
        }
    } else {
        while (*p && *p != ',' && *p != '}' && k + 1 < cap) out[k++] = *p++;
    }
    out[k] = 0;
    return 1;
}

static int user_matches(const line_ev *x, const char *name, const char *dom)
{
    char whole[300];
    if (!strcmp(x->user, name) && !strcmp(x->domain, dom)) return 1;
    if (!*dom || *x->domain) return 0;
    snprintf(whole, sizeof whole, "%s@%s", name, dom);
    if (!strcmp(x->user, whole)) return 1;
    snprintf(whole, sizeof whole, "%s\\%s", dom, name);
    return !strcmp(x->user, whole);
}

static void check_expected(const char *dir, const spec *sp, line_ev *ev)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/syslog/elastic-integrations/%s-expected.abridged.jsonl", dir,
             sp->log);
    size_t n;
    char *text = (char *)ks_test_slurp(path, &n);
    CHECK(text != NULL);
    if (!text) return;
    text = realloc(text, n + 1);
    text[n] = 0;
    int lines = 0, ok_time = 0, ok_user = 0, ok_addr = 0, n_addr = 0, ok_out = 0, n_out = 0;
    int all_ok = 0;
    for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
        nl = strchr(l, '\n');
        if (nl) *nl = 0;
        char v[256], name[128], dom[128];
        if (!jget(l, "line", v, sizeof v)) continue;
        int ln = (int)strtol(v, NULL, 10);
        lines++;
        if (ln <= 0 || ln >= MAX_LINES || !ev[ln].seen) {
            fprintf(stderr, "%s line %d: no event\n", sp->log, ln);
            CHECK(0);
            continue;
        }
        line_ev *x = &ev[ln];
        int good = 1;
        /* timestamp */
        jget(l, "@timestamp", v, sizeof v);
        int64_t want = 0;
        bool zone;
        CHECK(ks_time_parse_iso8601(v, strlen(v), &want, &zone));
        if (x->time_ns == want)
            ok_time++;
        else
            good = 0, fprintf(stderr, "%s line %d: time %lld, expected %s\n", sp->log, ln,
                              (long long)x->time_ns, v);
        /* user */
        if (!jget(l, "user.name", name, sizeof name))
            jget(l, "source.user.name", name, sizeof name);
        if (!jget(l, "user.domain", dom, sizeof dom))
            jget(l, "source.user.domain", dom, sizeof dom);
        if (user_matches(x, name, dom))
            ok_user++;
        else
            good = 0,
            fprintf(stderr, "%s line %d: user \"%s\" domain \"%s\", expected \"%s\" \"%s\"\n",
                    sp->log, ln, x->user, x->domain, name, dom);
        /* the client's address (or name) */
        if (jget(l, sp->addr_key, v, sizeof v)) {
            n_addr++;
            if (!strcmp(x->src_ip, v))
                ok_addr++;
            else
                good = 0, fprintf(stderr, "%s line %d: src_ip \"%s\", expected %s \"%s\"\n",
                                  sp->log, ln, x->src_ip, sp->addr_key, v);
        } else if (sp->host_key && jget(l, sp->host_key, v, sizeof v)) {
            n_addr++;
            if (!strcmp(x->src_host, v) && !*x->src_ip)
                ok_addr++;
            else
                good = 0, fprintf(stderr, "%s line %d: src_host \"%s\", expected %s \"%s\"\n",
                                  sp->log, ln, x->src_host, sp->host_key, v);
        }
        /* outcome */
        if (jget(l, "event.outcome", v, sizeof v)) {
            n_out++;
            int w = !strcmp(v, "success")   ? KS_OUTCOME_SUCCESS
                    : !strcmp(v, "failure") ? KS_OUTCOME_FAILURE
                                            : KS_OUTCOME_UNKNOWN;
            if (x->outcome == w)
                ok_out++;
            else
                good = 0, fprintf(stderr, "%s line %d: outcome %d, expected %s\n", sp->log, ln,
                                  x->outcome, v);
        }
        /* the vendor's own id, where it numbers messages */
        if (jget(l, "event.code", v, sizeof v) && v[0] >= '0' && v[0] <= '9') {
            unsigned long code = strtoul(v, NULL, 10);
            if (!strcmp(sp->provider, "fortigate")) code %= 100000;
            CHECK_INT(x->event_id, code);
        }
        all_ok += good;
    }
    printf("%-60s %d/%d lines as expected (timestamp %d/%d, user %d/%d, address %d/%d, "
           "outcome %d/%d)\n",
           sp->log, all_ok, lines, ok_time, lines, ok_user, lines, ok_addr, n_addr, ok_out, n_out);
    CHECK_INT(lines, sp->expected);
    CHECK_INT(all_ok, lines);
    CHECK_INT(ok_time, lines);
    CHECK_INT(ok_user, lines);
    CHECK_INT(ok_addr, n_addr);
    CHECK_INT(ok_out, n_out);
    free(text);
}

/* The AnyConnect messages (no expected file): user and address of every line that has
 * them, checked by hand against the text. */
static void check_anyconnect(const line_ev *ev)
{
    for (int i = 1; i <= 15; i++) {
        CHECK_STR(ev[i].provider, "cisco-asa");
        CHECK_INT(ev[i].event_id, i <= 12 ? 113028 + i : 113039); /* 113029..113040 */
    }
    for (int i = 1; i <= 11; i++) {
        if (i == 9) continue; /* 113037: "Reboot pending ... Denied user login." */
        CHECK_STR(ev[i].user, "example.user");
        CHECK_STR(ev[i].src_ip, "67.43.156.14");
        CHECK_INT(ev[i].time_ns, 1539174896000000000LL); /* 2018-10-10T12:34:56Z */
    }
    CHECK_STR(ev[9].user, "");
    CHECK_STR(ev[12].user, "");
    CHECK_STR(ev[13].user, "user-1");
    for (int i = 14; i <= 15; i++) {
        CHECK_STR(ev[i].user, "first.o'last");
        CHECK_STR(ev[i].domain, "example.com");
    }
    for (int i = 13; i <= 15; i++) CHECK_STR(ev[i].src_ip, "81.2.69.144");
    CHECK_INT(ev[11].outcome, KS_OUTCOME_SUCCESS); /* 113039 parent session started */
    CHECK_INT(ev[1].outcome, KS_OUTCOME_FAILURE);  /* 113029 session limit */
}

int main(void)
{
    const char *dir = ks_test_data_dir();
    const spec specs[] = {
        {"panw/panos/test-panw-panos-globalprotect-sample.log", &ks_syslog_paloalto, "paloalto",
         "-05:00", "source.nat.ip", NULL, 12, 12},
        {"cisco_asa/log/test-751025-vpn-session.log", &ks_syslog_cisco_asa, "cisco-asa", "UTC",
         "destination.ip", "destination.address", 5, 5},
        {"cisco_asa/log/test-anyconnect-messages.log", &ks_syslog_cisco_asa, "cisco-asa", "UTC",
         NULL, NULL, 0, 15},
        {"fortinet_fortigate/log/test-fortinet-7-6.log", &ks_syslog_fortigate, "fortigate", "UTC",
         "source.ip", NULL, 12, 12},
        {"pulse_connect_secure/log/test-log-vpn.log", &ks_syslog_pulse, NULL, "UTC", "source.ip",
         NULL, 14, 25},
        {"sonicwall_firewall/log/test-general.log", &ks_syslog_sonicwall, NULL, "UTC", NULL, NULL,
         0, 38},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        spec sp = specs[i];
        if (!sp.vendor) {
            printf("%-60s skipped: its vendor parser is not registered\n", sp.log);
            continue;
        }
        if (!sp.provider) sp.provider = sp.vendor->name;
        char path[1024];
        snprintf(path, sizeof path, "%s/syslog/elastic-integrations/%s", dir, sp.log);
        static line_ev ev[MAX_LINES];
        memset(ev, 0, sizeof ev);
        int n = read_log(path, sp.tz, ev);
        CHECK_INT(n, sp.lines);
        int recognized = 0;
        for (int l = 1; l <= sp.lines && l < MAX_LINES; l++) {
            if (!strcmp(ev[l].provider, sp.provider))
                recognized++;
            else
                fprintf(stderr, "%s line %d: provider \"%s\"\n", sp.log, l, ev[l].provider);
        }
        printf("%-60s %d/%d lines recognized as %s\n", sp.log, recognized, sp.lines, sp.provider);
        CHECK_INT(recognized, sp.lines);
        if (sp.expected) check_expected(dir, &sp, ev);
        if (strstr(sp.log, "anyconnect")) check_anyconnect(ev);
        if (strstr(sp.log, "sonicwall")) { /* "Administrator login denied due to bad credentials" */
            CHECK_STR(ev[2].src_ip, "216.160.83.57");
            CHECK_STR(ev[9].src_ip, "216.160.83.57");
            CHECK_INT(ev[2].outcome, KS_OUTCOME_FAILURE);
        }
    }
    return ks_test_done();
}
