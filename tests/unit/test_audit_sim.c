/* The readiness audit on the synthetic exports: every check passes on a hardened host
 * and fails on a weak one, in English and Japanese (USB not_applicable off the EMR
 * terminals, retention not_checked without an event log); the simulated Security.evtx
 * gives the retention verdicts; the simulated hospital audited tells its story (RDS01:
 * no lockout, RDP without NLA; one EMR terminal allows USB; DC01 and BK01 clean). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/audit.h"
#include "kensa/i18n.h"
#include "kensa/kensa.h"
#include "kensa/simulate.h"

static ks_site *site;
static char tmp[64];

static size_t check_index(const char *id)
{
    size_t n = 0;
    const ks_audit_check *c = ks_audit_checks(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].id, id)) return i;
    return (size_t)-1;
}

static const ks_audit_host *host_named(const ks_audit *a, const char *name, size_t *at)
{
    for (size_t i = 0; i < ks_audit_host_count(a); i++) {
        const ks_audit_host *h = ks_audit_host_at(a, i);
        if (h && h->name && !strcasecmp(h->name, name)) {
            if (at) *at = i;
            return h;
        }
    }
    return NULL;
}

/* What a check may say of a host: the profile's verdict, or its one allowed exception. */
static int expected(const char *id, int weak, ks_site_role role, int have_rate, ks_audit_result r)
{
    if (!strcmp(id, "usb_storage") && role != KS_ROLE_EMR_TERMINAL)
        return r == KS_AUDIT_NOT_APPLICABLE;
    if (!strcmp(id, "log_retention") && !have_rate) return r == KS_AUDIT_NOT_CHECKED;
    return r == (weak ? KS_AUDIT_FAIL : KS_AUDIT_PASS);
}

static void report_outcome(const char *host, const ks_audit_outcome *o)
{
    fprintf(stderr, "  %s %s: %s (%s)\n", host, o->check->id, ks_audit_result_name(o->result),
            o->detail ? o->detail : "");
}

/* Every export read whole (collect.log is the collector's own log, not an export). */
static void check_reads(const ks_audit_host *h)
{
    for (size_t i = 0; i < h->nexports; i++) {
        const ks_audit_export *e = &h->exports[i];
        const char *base = strrchr(e->path, '/');
        base = base ? base + 1 : e->path;
        if (!strcmp(base, "collect.log")) continue;
        if (e->status != KS_AUDIT_READ_OK || e->kind == KS_AUDIT_UNKNOWN)
            fprintf(stderr, "  %s: %s, %s: %s\n", e->path, ks_audit_kind_name(e->kind),
                    e->status == KS_AUDIT_READ_OK ? "ok" : "not whole",
                    e->problem ? e->problem : "");
        CHECK(e->kind != KS_AUDIT_UNKNOWN);
        CHECK_INT(e->status, KS_AUDIT_READ_OK);
        CHECK(e->nfacts > 0);
    }
}

/* One host from memory: hardened passes everything, weak fails everything. */
static void check_profile(const char *name, ks_sim_lang lang, int weak)
{
    ks_sim_audit_host h = {.lang = lang, .weak = weak ? KS_SIM_WEAK_ALL : 0};
    snprintf(h.name, sizeof h.name, "%s", name);
    h.role = ks_site_role_of(site, name);
    ks_sim_audit_file f[KS_SIM_AUDIT_MAX_FILES];
    size_t nf = 0;
    CHECK_INT(ks_sim_audit_render(&h, 11, f, &nf), KS_OK);
    ks_audit *a = ks_audit_new(site);
    CHECK(a != NULL);
    if (!a) return;
    for (size_t i = 0; i < nf; i++)
        CHECK_INT(ks_audit_add_mem(a, name, f[i].name, f[i].data.data, f[i].data.len), KS_OK);
    const ks_audit_outcome *o = NULL;
    size_t n = 0, nc = 0, at = 0;
    ks_audit_checks(&nc);
    CHECK_INT(ks_audit_run(a, &o, &n), KS_OK);
    CHECK_INT(ks_audit_host_count(a), 1);
    const ks_audit_host *ah = host_named(a, name, &at);
    CHECK(ah != NULL);
    if (ah) {
        CHECK_INT(ah->role, h.role);
        check_reads(ah);
        for (size_t c = 0; c < nc && at * nc + c < n; c++) {
            const ks_audit_outcome *oc = &o[at * nc + c];
            int ok = expected(oc->check->id, weak, h.role, 0, oc->result);
            if (!ok) {
                fprintf(stderr, "%s %s %s:\n", weak ? "weak" : "hardened",
                        lang == KS_SIM_JA ? "ja" : "en", name);
                report_outcome(name, oc);
            }
            CHECK(ok);
        }
    }
    ks_audit_free(&a);
    ks_sim_audit_files_free(f, nf);
}

/* The simulated day's Security.evtx gives the hosts their rates: a hardened host's
 * 1 GB or more holds a year, the weak one's 20 MB does not. */
static void check_retention(const char *evtx)
{
    for (int weak = 0; weak < 2; weak++) {
        ks_sim_audit_host h = {.lang = KS_SIM_JA, .weak = weak ? KS_SIM_WEAK_ALL : 0};
        snprintf(h.name, sizeof h.name, "DC01");
        h.role = KS_ROLE_DOMAIN_CONTROLLER;
        ks_sim_audit_file f[KS_SIM_AUDIT_MAX_FILES];
        size_t nf = 0;
        CHECK_INT(ks_sim_audit_render(&h, 5, f, &nf), KS_OK);
        ks_audit *a = ks_audit_new(site);
        for (size_t i = 0; a && i < nf; i++)
            ks_audit_add_mem(a, "DC01", f[i].name, f[i].data.data, f[i].data.len);
        ks_diag d = {0};
        CHECK_INT(ks_audit_add_path(a, evtx, &d), KS_OK);
        const ks_audit_outcome *o = NULL;
        size_t n = 0, nc = 0, at = 0;
        ks_audit_checks(&nc);
        CHECK_INT(ks_audit_run(a, &o, &n), KS_OK);
        const ks_audit_host *dc = host_named(a, "DC01", &at);
        CHECK(dc && dc->nrates > 0);
        size_t c = check_index("log_retention");
        if (dc && c < nc && at * nc + c < n) {
            const ks_audit_outcome *oc = &o[at * nc + c];
            if (oc->result != (weak ? KS_AUDIT_FAIL : KS_AUDIT_PASS)) report_outcome("DC01", oc);
            CHECK_INT(oc->result, weak ? KS_AUDIT_FAIL : KS_AUDIT_PASS);
        }
        ks_audit_free(&a);
        ks_sim_audit_files_free(f, nf);
    }
}

/* kensa simulate --audit-out: the story, read back from the folders as a user gives
 * them, with the simulated Security.evtx for the rates. */
static void check_story(const char *audit_dir, const char *evtx)
{
    ks_audit *a = ks_audit_new(site);
    ks_diag d = {0};
    CHECK(a != NULL);
    if (!a) return;
    CHECK_INT(ks_audit_add_path(a, audit_dir, &d), KS_OK);
    CHECK_INT(ks_audit_add_path(a, evtx, &d), KS_OK);
    const ks_audit_outcome *o = NULL;
    size_t n = 0, nc = 0;
    ks_audit_checks(&nc);
    CHECK_INT(ks_audit_run(a, &o, &n), KS_OK);
    ks_sim_audit_host hosts[32];
    size_t nh = ks_sim_audit_hospital(1, hosts, 32);
    size_t lock = check_index("account_lockout"), rdp = check_index("rdp"),
           usb = check_index("usb_storage"), ret = check_index("log_retention");
    unsigned fails = 0, usb_fails = 0;
    for (size_t i = 0; i < nh; i++) {
        size_t at = 0;
        const ks_audit_host *h = host_named(a, hosts[i].name, &at);
        CHECK(h != NULL);
        if (!h) continue;
        CHECK_INT(h->role, hosts[i].role);
        check_reads(h);
        for (size_t c = 0; c < nc && at * nc + c < n; c++) {
            const ks_audit_outcome *oc = &o[at * nc + c];
            int want_fail = (!strcmp(hosts[i].name, "RDS01") && (c == lock || c == rdp)) ||
                            (hosts[i].weak == KS_SIM_WEAK_USB && c == usb);
            int ok;
            if (want_fail)
                ok = oc->result == KS_AUDIT_FAIL;
            else if (c == usb && hosts[i].role != KS_ROLE_EMR_TERMINAL)
                ok = oc->result == KS_AUDIT_NOT_APPLICABLE;
            else if (c == ret) /* a host with too few events for a rate is not checked */
                ok = oc->result == KS_AUDIT_PASS || oc->result == KS_AUDIT_NOT_CHECKED;
            else
                ok = oc->result == KS_AUDIT_PASS;
            if (!ok) report_outcome(hosts[i].name, oc);
            CHECK(ok);
            fails += oc->result == KS_AUDIT_FAIL;
            usb_fails += oc->result == KS_AUDIT_FAIL && c == usb;
        }
        /* the domain controller's and backup server's logs are busy enough to measure */
        if (!strcmp(hosts[i].name, "DC01") && ret < nc && at * nc + ret < n)
            CHECK_INT(o[at * nc + ret].result, KS_AUDIT_PASS);
    }
    CHECK_INT(fails, 3);
    CHECK_INT(usb_fails, 1);
    ks_audit_free(&a);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/ks_audit_sim_XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    char site_path[128], ev[128], audit_dir[128];
    snprintf(site_path, sizeof site_path, "%s/site.yaml", tmp);
    snprintf(ev, sizeof ev, "%s/ev", tmp);
    snprintf(audit_dir, sizeof audit_dir, "%s/audit", tmp);
    ks_diag d = {0};
    CHECK_INT(ks_sim_write_site(site_path, &d), KS_OK);
    CHECK_INT(ks_site_load(&site, site_path, &d), KS_OK);
    CHECK_INT(ks_sim_write(ev, 1, NULL, &d), KS_OK);
    CHECK_INT(ks_sim_write_audit(audit_dir, 1, &d), KS_OK);
    char evtx[160];
    snprintf(evtx, sizeof evtx, "%s/Security.evtx", ev);

    for (int lang = 0; lang < 2; lang++) {
        ks_lang_set(lang ? "ja" : "en"); /* the details' language, too */
        static const char *const NAMES[] = {"EMR-TERM-03", "FS01", "IT-PC01", "DC01"};
        for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
            for (int weak = 0; weak < 2; weak++)
                check_profile(NAMES[i], lang ? KS_SIM_JA : KS_SIM_EN, weak);
    }
    check_retention(evtx);
    check_story(audit_dir, evtx);

    ks_site_free(&site);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    return ks_test_done();
}
