/* The simulated hospital day (ks_sim_write): the same seed gives the same bytes, and
 * the files tell the story the result describes: ordinary logons in business hours
 * with their logoffs, the brute force from one outside address, the logon after it,
 * network logons from the entry host, a service installed and a log cleared; and
 * scenario vpn's FortiGate log, read back as syslog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/kensa.h"

static int same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    uint8_t *pa = ks_test_slurp(a, &na), *pb = ks_test_slurp(b, &nb);
    int same = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
    free(pa);
    free(pb);
    return same;
}

/* The field's text, NUL-terminated, valid until the next call. */
static const char *text(const ks_event *ev, const char *name)
{
    static ks_buf b;
    ks_buf_reset(&b);
    const ks_field *f = ks_event_field(ev, name);
    if (f) ks_value_text(&b, &f->value);
    ks_buf_putc(&b, 0);
    return b.data;
}

static int problems;

static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    problems++;
    fprintf(stderr, "reader problem: %s: %s\n", p->file, p->what);
}

/* Hour of the day in Japan time. */
static int jst_hour(int64_t ns)
{
    int64_t s = ns / 1000000000 + 9 * 3600;
    return (int)((s % 86400 + 86400) % 86400 / 3600);
}

#define MAX_LOGONS 4096

static void check_security(const char *path, const ks_sim_result *res)
{
    ks_evtx *r = NULL;
    CHECK_INT(ks_evtx_open(&r, path, NULL), KS_OK);
    if (!r) return;
    ks_evtx_on_problem(r, on_problem, NULL);
    static struct {
        uint64_t id;
        char host[64];
    } open[MAX_LOGONS];
    size_t nopen = 0;
    uint64_t n = 0, fails = 0, fails_ok = 0, ordinary_ok = 0, ordinary = 0, unmatched = 0;
    uint64_t lateral = 0;
    int64_t prev = INT64_MIN, intrusion = 0;
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        ks_event ev;
        CHECK_INT(ks_evtx_record_event(rec, &ev), KS_OK);
        n++;
        CHECK(ev.time_ns >= prev); /* in time order */
        prev = ev.time_ns;
        char host[64];
        snprintf(host, sizeof host, "%.*s", (int)ev.host.len, ev.host.p);
        char ip[48], type[8];
        snprintf(ip, sizeof ip, "%s", text(&ev, "IpAddress"));
        snprintf(type, sizeof type, "%s", text(&ev, "LogonType"));
        int from_attacker = strcmp(ip, res->attacker_ip) == 0;
        if (ev.event_id == 4625) {
            fails++;
            fails_ok += from_attacker && !strcmp(text(&ev, "Status"), "0xc000006d") &&
                        (!strcmp(text(&ev, "SubStatus"), "0xc000006a") ||
                         !strcmp(text(&ev, "SubStatus"), "0xc0000064")) &&
                        !strcmp(host, res->entry_host) && jst_hour(ev.time_ns) == 2;
        } else if (ev.event_id == 4624) {
            if (from_attacker && !intrusion) {
                intrusion = ev.time_ns;
                CHECK_STR(type, "10");
                CHECK_STR(host, res->entry_host);
                CHECK(strstr(res->account, text(&ev, "TargetUserName")) != NULL);
            } else if (intrusion && !strcmp(ip, "10.10.1.50") && !strcmp(type, "3")) {
                lateral++;
                CHECK_STR(text(&ev, "AuthenticationPackageName"), "NTLM");
            } else if (!intrusion && strcmp(text(&ev, "TargetUserName"), "svc-backup") != 0) {
                ordinary++;
                int h = jst_hour(ev.time_ns);
                ordinary_ok += h >= 7 && h < 19;
            }
            CHECK(!strcmp(type, "2") || !strcmp(type, "3") || !strcmp(type, "10"));
            CHECK(strncmp(text(&ev, "TargetUserSid"), "S-1-5-21-", 9) == 0);
            if (nopen < MAX_LOGONS) {
                ks_value_u64(&ks_event_field(&ev, "TargetLogonId")->value, &open[nopen].id);
                snprintf(open[nopen++].host, sizeof open[0].host, "%s", host);
            }
        } else if (ev.event_id == 4634) {
            uint64_t id = 0;
            ks_value_u64(&ks_event_field(&ev, "TargetLogonId")->value, &id);
            int found = 0;
            for (size_t i = 0; i < nopen && !found; i++)
                found = open[i].id == id && !strcmp(open[i].host, host);
            unmatched += !found;
        } else {
            CHECK(0); /* nothing else in this Security log */
        }
        CHECK(ev.channel.len == 8 && memcmp(ev.channel.p, "Security", 8) == 0);
    }
    CHECK_INT(n, res->files[0].events);
    CHECK(n >= 300 && n <= 800);
    CHECK_INT(fails, res->failed_logons);
    CHECK_INT(fails_ok, fails);
    CHECK(fails >= 60);
    CHECK_INT(intrusion, res->intrusion_ns);
    CHECK_INT(lateral, res->lateral_logons);
    CHECK(lateral >= 3);
    CHECK(ordinary > 50);
    CHECK_INT(ordinary_ok, ordinary);
    CHECK_INT(unmatched, 0); /* every logoff follows its logon */
    ks_evtx_close(&r);
}

static void check_system(const char *path, const ks_sim_result *res)
{
    ks_evtx *r = NULL;
    CHECK_INT(ks_evtx_open(&r, path, NULL), KS_OK);
    if (!r) return;
    ks_evtx_on_problem(r, on_problem, NULL);
    int installs = 0, cleared = 0, states = 0;
    uint64_t n = 0;
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        ks_event ev;
        CHECK_INT(ks_evtx_record_event(rec, &ev), KS_OK);
        n++;
        if (ev.event_id == 7045) {
            installs++;
            CHECK(ev.time_ns > res->intrusion_ns);
            CHECK(*text(&ev, "ServiceName") && *text(&ev, "ImagePath"));
            CHECK_STR(text(&ev, "AccountName"), "LocalSystem");
            CHECK(ev.has_qualifiers && ev.qualifiers == 16384);
        } else if (ev.event_id == 104) {
            cleared++;
            CHECK(ev.time_ns > res->intrusion_ns);
            CHECK_STR(text(&ev, "Channel"), "System");
            CHECK(ev.user_sid.len > 9);
        } else if (ev.event_id == 7036) {
            states++;
            CHECK(ev.time_ns < res->intrusion_ns);
        }
    }
    CHECK_INT(n, res->files[1].events);
    CHECK_INT(installs, 1);
    CHECK_INT(cleared, 1);
    CHECK(states >= 8);
    ks_evtx_close(&r);
}

static int str_is(ks_str s, const char *z)
{
    return s.len == strlen(z) && (!s.len || !memcmp(s.p, z, s.len));
}

/* Scenario vpn: the FortiGate's log reads as syslog with no line skipped, in UTC
 * from its date=/time=/tz=, and holds the brute force, the tunnel that opened the
 * door (with the address the RDP logon then comes from) and ordinary use before. */
static void check_vpn(const char *dir)
{
    char a[1100], b[1100], vdir[1200];
    snprintf(a, sizeof a, "%s/vpn-a", dir);
    snprintf(b, sizeof b, "%s/vpn-b", dir);
    ks_sim_result ra, rb;
    ks_diag d = {0};
    CHECK_INT(ks_sim_write_scenario(a, 5, KS_SIM_VPN, &ra, &d), KS_OK);
    CHECK_INT(ks_sim_write_scenario(b, 5, KS_SIM_VPN, &rb, &d), KS_OK);
    CHECK_INT(ra.nfiles, 3);
    CHECK_INT(ra.scenario, KS_SIM_VPN);
    for (unsigned i = 0; i < ra.nfiles; i++) CHECK(same_file(ra.files[i].path, rb.files[i].path));
    CHECK(strstr(ra.files[2].path, "/vpn/fortigate.log") != NULL);
    CHECK_STR(ra.entry_host, "FGT-HOSP01");
    CHECK_STR(ra.account, "maint-emr");
    CHECK_STR(ra.windows_account, "HOSP\\vendor.emr");
    CHECK(!strncmp(ra.vpn_address, "10.212.134.2", 12));
    CHECK(ra.attempt_ns < ra.intrusion_ns && ra.intrusion_ns % 1000000000 == 0);
    CHECK_INT(ra.nchain, 9);
    CHECK_STR(ra.chain[1].kind, "vpn_login");
    CHECK_INT(ra.chain[1].time_ns, ra.intrusion_ns);
    ks_source_opts o = {.tz = "UTC"};
    ks_source *src = NULL;
    CHECK_INT(ks_source_open(&src, ra.files[2].path, &o, &d), KS_OK);
    const ks_event *ev;
    uint64_t n = 0, fails = 0, ups = 0, attacker_up = 0, other_up = 0;
    int64_t prev = 0;
    while (src && ks_source_next(src, &ev) == KS_OK && ev) {
        n++;
        CHECK(ev->time_ns >= prev);
        prev = ev->time_ns;
        CHECK(str_is(ev->provider, "fortigate") && str_is(ev->host, "FGT-HOSP01"));
        int from_attacker = str_is(ev->sem.src_ip, ra.attacker_ip);
        if (str_is(ev->sem.action, KS_ACTION_VPN_LOGIN)) {
            if (ev->sem.outcome == KS_OUTCOME_FAILURE) fails += from_attacker;
            if (ev->sem.outcome == KS_OUTCOME_SUCCESS) {
                ups++;
                if (from_attacker) {
                    attacker_up++;
                    CHECK_INT(ev->time_ns, ra.intrusion_ns);
                    CHECK(str_is(ev->sem.user, "maint-emr"));
                    CHECK_STR(text(ev, "tunnelip"), ra.vpn_address);
                } else if (ev->time_ns < ra.attempt_ns) {
                    other_up++;
                }
            }
        }
    }
    CHECK_INT(n, ra.files[2].events);
    CHECK_INT(fails, ra.failed_logons);
    CHECK_INT(attacker_up, 1);
    CHECK(other_up >= 10 && ups == attacker_up + other_up); /* four weeks of ordinary use */
    if (src) {
        CHECK_INT(ks_source_get_stats(src)->skipped, 0);
        CHECK_INT(ks_source_format(src), KS_FORMAT_SYSLOG);
    }
    ks_source_close(&src);
    ks_sim_result *all[2] = {&ra, &rb};
    const char *dirs[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        for (unsigned i = 0; i < all[k]->nfiles; i++) unlink(all[k]->files[i].path);
        snprintf(vdir, sizeof vdir, "%s/vpn", dirs[k]);
        rmdir(vdir);
        rmdir(dirs[k]);
    }
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[1024], a[1100], b[1100], c[1100];
    snprintf(dir, sizeof dir, "%s/kensa-sim-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(c, sizeof c, "%s/c", dir);
    ks_sim_result ra, rb, rc;
    ks_diag d = {0};
    CHECK_INT(ks_sim_write(a, 7, &ra, &d), KS_OK);
    CHECK_INT(ks_sim_write(b, 7, &rb, &d), KS_OK);
    CHECK_INT(ks_sim_write(c, 8, &rc, NULL), KS_OK);
    CHECK_INT(ra.nfiles, 2);
    for (unsigned i = 0; i < ra.nfiles; i++) {
        CHECK(same_file(ra.files[i].path, rb.files[i].path)); /* same seed, same bytes */
        CHECK(!same_file(ra.files[i].path, rc.files[i].path));
    }
    CHECK(strstr(ra.files[0].path, "/Security.evtx") != NULL);
    CHECK(strstr(ra.files[1].path, "/System.evtx") != NULL);
    CHECK(strncmp(ra.attacker_ip, "203.0.113.", 10) == 0);
    CHECK_STR(ra.account, "HOSP\\vendor.emr");
    check_security(ra.files[0].path, &ra);
    check_system(ra.files[1].path, &ra);
    check_security(rc.files[0].path, &rc);
    check_system(rc.files[1].path, &rc);
    CHECK_INT(problems, 0);
    CHECK_INT(ks_sim_write("/dev/null/x", 1, NULL, &d), KS_ERR_IO);
    CHECK(strstr(d.what, "cannot create") != NULL);

    check_vpn(dir);

    ks_sim_result *all[3] = {&ra, &rb, &rc};
    for (int k = 0; k < 3; k++)
        for (unsigned i = 0; i < all[k]->nfiles; i++) unlink(all[k]->files[i].path);
    rmdir(a);
    rmdir(b);
    rmdir(c);
    rmdir(dir);
    return ks_test_done();
}
