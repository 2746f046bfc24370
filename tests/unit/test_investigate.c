/* The site file and the investigation: site.yaml read into its parts, bad files
 * named with their line; and over simulated hospital days (several seeds, with and
 * without a site file) the estimate is exactly the planted first intrusion, every
 * planted step is in the chain, and the outputs hold the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/investigate.h"
#include "kensa/simulate.h"
#include "kensa/site.h"
#include "kensa/time.h"

static const char GOOD[] = "site: Test Hospital\n"
                           "timezone: Asia/Tokyo\n"
                           "home_country: jp\n"
                           "business_hours: {days: mon-fri, start: \"08:30\", end: \"17:15\"}\n"
                           "hosts:\n"
                           "  - {name: DC01, role: domain_controller, addresses: [10.0.0.10]}\n"
                           "  - name: \"EMR-TERM-*\"\n"
                           "    role: emr_terminal\n"
                           "    addresses: 10.0.2.0/24\n"
                           "  - {name: BK01, role: backup_server, address: \"2001:db8::40\"}\n"
                           "accounts:\n"
                           "  - name: vendor.emr\n"
                           "    duty: \"13:00-17:00\"\n"
                           "    addresses: [198.51.100.23]\n"
                           "  - {name: admin.kimura, admin: yes}\n"
                           "groups:\n"
                           "  - name: night-nurses\n"
                           "    members: [tanaka.h, \"suzuki.*\"]\n"
                           "    duty: {days: every day, start: \"22:00\", end: \"08:00\"}\n"
                           "admin_addresses: [10.0.3.0/24, 192.0.2.7]\n"
                           "backups:\n"
                           "  - name: nightly\n"
                           "    host: BK01\n"
                           "    kind: nas\n"
                           "    offline: false\n"
                           "    retention: {daily: 7, weekly: 4, monthly: 12}\n"
                           "  - {name: tape, kind: tape, offline: true, retention: {yearly: 5}}\n"
                           "detectors:\n"
                           "  brute_force: {count: 12}\n"
                           "  rdp_logon: {business_start: 7}\n"
                           "  scheduled_task: off\n";

static int64_t override_of(const ks_site *s, const char *det, const char *param)
{
    int64_t v = -1;
    for (size_t i = 0; i < s->noverrides; i++)
        if (!strcmp(s->overrides[i].detector, det) && !strcmp(s->overrides[i].param, param))
            v = s->overrides[i].value; /* the last one counts */
    return v;
}

static void test_site_good(void)
{
    ks_site *s = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_site_load_mem(&s, GOOD, sizeof GOOD - 1, "site.yaml", &d), KS_OK);
    if (!s) return;
    CHECK_STR(s->name, "Test Hospital");
    CHECK_STR(s->tz, "Asia/Tokyo");
    CHECK_STR(s->home_country, "JP");
    CHECK(s->business.set);
    CHECK_INT(s->business.days, 0x3e);
    CHECK_INT(s->business.start_min, 8 * 60 + 30);
    CHECK_INT(s->business.end_min, 17 * 60 + 15);
    CHECK_INT(s->nhosts, 3);
    CHECK_INT(ks_site_role_of(s, "DC01.hosp.local"), KS_ROLE_DOMAIN_CONTROLLER);
    CHECK_INT(ks_site_role_of(s, "emr-term-07.hosp.local"), KS_ROLE_EMR_TERMINAL);
    CHECK_INT(ks_site_role_of(s, "10.0.2.99"), KS_ROLE_EMR_TERMINAL);
    CHECK_INT(ks_site_role_of(s, "2001:db8::40"), KS_ROLE_BACKUP_SERVER);
    CHECK_INT(ks_site_role_of(s, "FS01"), KS_ROLE_NONE);
    CHECK_STR(ks_site_role_name(KS_ROLE_FILE_SERVER), "file_server");
    CHECK(ks_site_host_by_address(s, "10.0.0.10") != NULL);
    CHECK(ks_site_host_by_address(s, "10.0.0.11") == NULL);
    /* accounts, groups, duty hours */
    const ks_site_account *v = ks_site_account_find(s, "HOSP\\vendor.emr");
    CHECK(v && !v->group && v->duty.set && v->duty.start_min == 13 * 60);
    CHECK(ks_site_account_find(s, "vendor.emr@hosp.local") == v);
    const ks_site_account *n = ks_site_account_find(s, "suzuki.y");
    CHECK(n && n->group && !strcmp(n->name, "night-nurses"));
    const ks_site_account *a = ks_site_account_find(s, "admin.kimura");
    CHECK(a && a->admin);
    CHECK(ks_site_account_find(s, "nobody") == NULL);
    /* overnight: Tuesday 23:00 and Wednesday 03:00 are on duty, 12:00 is not */
    CHECK(ks_site_hours_within(&n->duty, 2, 23 * 60));
    CHECK(ks_site_hours_within(&n->duty, 3, 3 * 60));
    CHECK(!ks_site_hours_within(&n->duty, 3, 12 * 60));
    CHECK(ks_site_hours_within(&s->business, 1, 9 * 60));
    CHECK(!ks_site_hours_within(&s->business, 0, 9 * 60)); /* Sunday */
    CHECK(!ks_site_hours_within(&s->business, 1, 17 * 60 + 15));
    /* addresses */
    CHECK(ks_site_address_allowed(s, NULL, "10.0.3.200"));
    CHECK(ks_site_address_allowed(s, NULL, "192.0.2.7"));
    CHECK(!ks_site_address_allowed(s, NULL, "192.0.2.8"));
    CHECK(ks_site_address_allowed(s, "HOSP\\vendor.emr", "198.51.100.23"));
    CHECK(!ks_site_address_allowed(s, "tanaka.h", "198.51.100.23"));
    CHECK(!ks_site_address_allowed(s, NULL, "not an address"));
    /* backups */
    CHECK_INT(s->nbackups, 2);
    CHECK_STR(s->backups[0].host, "BK01");
    CHECK_INT(s->backups[0].daily, 7);
    CHECK_INT(s->backups[0].weekly, 4);
    CHECK_INT(s->backups[0].monthly, 12);
    CHECK(s->backups[1].offline);
    CHECK_INT(s->backups[1].yearly, 5);
    CHECK_STR(s->backups[1].host, "");
    /* detector settings: business hours give rdp_logon's, explicit ones win */
    CHECK_INT(override_of(s, "rdp_logon", "business_start"), 7);
    CHECK_INT(override_of(s, "rdp_logon", "business_end"), 18);
    CHECK_INT(override_of(s, "brute_force", "count"), 12);
    CHECK_INT(override_of(s, "scheduled_task", "enabled"), 0);
    size_t nall = 0;
    ks_detect_override more = {"brute_force", "count", 3};
    ks_detect_override *all = ks_site_overrides(s, &more, 1, &nall);
    CHECK(all && nall == s->noverrides + 1 && all[nall - 1].value == 3);
    ks_detect *det = NULL;
    ks_detect_opts o = {.overrides = all, .noverrides = nall, .tz = s->tz};
    CHECK_INT(ks_detect_open(&det, &o, &d), KS_OK);
    CHECK_INT(ks_detect_param(det, "brute_force", "count"), 3);
    CHECK_INT(ks_detect_param(det, "rdp_logon", "business_start"), 7);
    ks_detect_close(&det);
    free(all);
    ks_site_free(&s);
    CHECK(s == NULL);
    /* the documented example reads, and says what it documents */
    CHECK_INT(ks_site_load(&s, KS_SOURCE_DIR "/docs/site.example.yaml", &d), KS_OK);
    if (d.what[0]) fprintf(stderr, "  site.example.yaml: %s\n", d.what);
    CHECK(s && s->nhosts == 7 && s->nbackups == 2 && s->naccounts == 4);
    CHECK(s && ks_site_role_of(s, "EMR-TERM-03.hosp.local") == KS_ROLE_EMR_TERMINAL);
    CHECK(s && ks_site_address_allowed(s, "HOSP\\vendor.emr", "198.51.100.23"));
    CHECK(s && override_of(s, "brute_force", "count") == 8);
    ks_site_free(&s);
    /* an empty file is all defaults */
    CHECK_INT(ks_site_load_mem(&s, "", 0, "empty.yaml", &d), KS_OK);
    CHECK(s && !s->tz && !s->nhosts && !s->noverrides);
    ks_site_free(&s);
}

/* A bad file fails with the line of the mistake. */
static void bad(const char *yaml, unsigned line, const char *words)
{
    ks_site *s = NULL;
    ks_diag d = {0};
    ks_status st = ks_site_load_mem(&s, yaml, strlen(yaml), "site.yaml", &d);
    CHECK_INT(st, KS_ERR_FORMAT);
    CHECK(s == NULL);
    CHECK_INT(d.offset, line);
    char want[32];
    snprintf(want, sizeof want, "site.yaml line %u:", line);
    CHECK(strstr(d.what, want) == d.what);
    if (!strstr(d.what, words)) fprintf(stderr, "  expected \"%s\" in: %s\n", words, d.what);
    CHECK(strstr(d.what, words) != NULL);
}

static void test_site_bad(void)
{
    bad("timezone: Asia/Tokyo\ncolour: blue\n", 2, "unknown key \"colour\"");
    bad("hosts:\n  - name: A\n    role: boss\n", 3, "role \"boss\"");
    bad("hosts:\n  - role: file_server\n", 2, "a host needs a name");
    bad("business_hours: {start: \"25:00\", end: \"18:00\"}\n", 1, "a time such as 08:00");
    bad("business_hours: {start: \"08:00\"}\n", 1, "needs both start and end");
    bad("business_hours:\n  days: mon-xyz\n  start: 8\n  end: 18\n", 2, "days must be");
    bad("admin_addresses: [10.0.0.0/33]\n", 1, "not an address or network");
    bad("admin_addresses: [10.0.0.1, bogus]\n", 1, "\"bogus\"");
    bad("hosts: [a, [b\n", 2, "did not find expected");
    bad("timezone: [a, b]\n", 1, "must be a single value");
    bad("detectors:\n  brute_forse: {count: 3}\n", 2, "no detector is called \"brute_forse\"");
    bad("detectors:\n  brute_force:\n    cnt: 3\n", 3, "has no setting \"cnt\"");
    bad("detectors:\n  brute_force:\n    count: -1\n", 3, "whole number");
    bad("backups:\n  - name: x\n    retention: {daily: 7, hourly: 2}\n", 3, "\"hourly\"");
    bad("home_country: Japan\n", 1, "two-letter code");
    bad("accounts:\n  - name: a\n    members: [b]\n", 3, "unknown key \"members\"");
    bad("- just\n- a list\n", 1, "must be a mapping");
    char deep[256] = "site: x\nhosts:\n  - ";
    size_t k = strlen(deep);
    for (int i = 0; i < 40; i++) deep[k++] = '[';
    for (int i = 0; i < 40; i++) deep[k++] = ']';
    deep[k] = 0;
    bad(deep, 3, "nested more than 32 deep");
    /* the file itself */
    ks_site *s = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_site_load(&s, "/nonexistent/site.yaml", &d), KS_ERR_IO);
    CHECK(s == NULL);
}

static const ks_step *find_step(const ks_chain *c, const char *stage, const char *host, int64_t t)
{
    for (size_t i = 0; i < c->nsteps; i++) {
        const ks_step *s = &c->steps[i];
        size_t n = strcspn(host, ".");
        if (!strcmp(ks_stage_name(s->stage), stage) && s->time_ns == t &&
            !strncasecmp(s->host, host, n))
            return s;
    }
    return NULL;
}

static char *slurp_text(const char *path)
{
    size_t n = 0;
    uint8_t *p = ks_test_slurp(path, &n);
    if (!p) return NULL;
    char *s = realloc(p, n + 1);
    if (!s) {
        free(p);
        return NULL;
    }
    s[n] = 0;
    return s;
}

static void investigate_seed(const char *dir, uint64_t seed, const ks_site *site, int write)
{
    ks_sim_result res;
    ks_diag d = {0};
    char evidence[512];
    snprintf(evidence, sizeof evidence, "%s/logs-%llu", dir, (unsigned long long)seed);
    CHECK_INT(ks_sim_write(evidence, seed, &res, &d), KS_OK);
    ks_investigate_opts o = {.site = site, .tz = site ? NULL : "Asia/Tokyo"};
    ks_investigation *inv = NULL;
    char *paths[1] = {evidence};
    CHECK_INT(ks_investigate_run(&inv, paths, 1, &o, &d), KS_OK);
    if (!inv) return;
    CHECK_INT(inv->nfiles, 2);
    CHECK_INT(inv->files_failed, 0);
    CHECK_INT(inv->events, res.files[0].events + res.files[1].events);
    const ks_estimate *e = &inv->estimate;
    CHECK(e->found);
    /* the estimate is the planted first intrusion, to the 100 ns */
    CHECK_INT(e->time_ns, res.intrusion_ns);
    CHECK_INT(e->attempt_ns, res.attempt_ns);
    CHECK_INT(e->confidence, KS_CONF_HIGH);
    CHECK_STR(e->src_ip, res.attacker_ip);
    CHECK(strstr(res.account, e->user) != NULL && e->user[0]);
    CHECK_STR(e->host, res.entry_host);
    CHECK(e->file && strstr(e->file, "Security.evtx"));
    /* the cleared System log of BK01 says it may be earlier */
    CHECK(e->maybe_earlier);
    int cleared = 0;
    for (size_t i = 0; i < inv->ncoverage; i++)
        if (inv->coverage[i].cleared_ns) {
            cleared++;
            CHECK(inv->coverage[i].bounds);
            CHECK(!strncmp(inv->coverage[i].host, "BK01", 4));
            CHECK_STR(inv->coverage[i].channel, "System");
            CHECK_STR(inv->coverage[i].cleared_by, "vendor.emr");
        }
    CHECK_INT(cleared, 1);
    /* one chain: the vendor's daytime maintenance from its office is no chain */
    CHECK_INT(inv->nchains, 1);
    const ks_chain *c = &inv->chains[0];
    CHECK(c->has_entry && c->strong);
    unsigned planted = 0;
    for (unsigned i = 0; i < res.nchain; i++)
        for (int k = 0; k < KS_STAGE_COUNT; k++)
            if (!strcmp(res.chain[i].stage, ks_stage_name((ks_stage)k))) planted |= 1u << k;
    CHECK_INT(c->stages, planted);
    CHECK(planted & (1u << KS_STAGE_EVASION));
    /* every planted step is found, at its time, on its host, in its stage */
    CHECK(res.nchain >= 8);
    for (unsigned i = 0; i < res.nchain; i++) {
        const ks_sim_step *p = &res.chain[i];
        const ks_step *s = find_step(c, p->stage, p->host, p->time_ns);
        if (!s)
            fprintf(stderr, "  seed %llu: planted %s %s on %s not in the chain\n",
                    (unsigned long long)seed, p->stage, p->kind, p->host);
        CHECK(s != NULL);
    }
    /* the spread: exactly the planted logons, each with its evidence record */
    unsigned spread = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].finding < 0 && c->steps[i].stage == KS_STAGE_SPREAD) {
            spread++;
            CHECK(c->steps[i].file && c->steps[i].record_id > 0);
        }
    CHECK_INT(spread, res.lateral_logons);
    /* with the site's duty hours, the night's logons are marked as outside them */
    if (site)
        for (size_t i = 0; i < c->nsteps; i++)
            if (c->steps[i].finding < 0 && c->steps[i].stage == KS_STAGE_SPREAD)
                CHECK(strstr(c->steps[i].what, "outside vendor.emr's duty hours") != NULL);
    /* the vendor's daytime RDP is a finding outside the chain (high without a site
     * file, since nothing says the address is the vendor's; low with it) */
    int outside = 0;
    for (size_t i = 0; i < inv->nfindings; i++)
        if (inv->finding_chain[i] < 0) {
            outside++;
            CHECK_STR(inv->findings[i].src_ip, "198.51.100.23");
            CHECK_INT(inv->findings[i].severity, site ? KS_LEVEL_LOW : KS_LEVEL_HIGH);
        }
    CHECK_INT(outside, 1);
    /* logons per host and account */
    int vendor_rds = 0;
    for (size_t i = 0; i < inv->nlogons; i++)
        if (!strcmp(inv->logons[i].user, "vendor.emr") &&
            !strncmp(inv->logons[i].host, "RDS01", 5)) {
            vendor_rds = 1;
            CHECK_INT(inv->logons[i].rdp, 2);
        }
    CHECK(vendor_rds);

    if (write) {
        char out[600], path[700];
        snprintf(out, sizeof out, "%s/report-%llu", dir, (unsigned long long)seed);
        CHECK_INT(ks_investigate_write(inv, out, &d), KS_OK);
        snprintf(path, sizeof path, "%s/summary.json", out);
        char *sum = slurp_text(path);
        ks_buf iso = {0};
        ks_buf_puts(&iso, "\"first_intrusion\": \"");
        ks_time_format(&iso, res.intrusion_ns, 7);
        ks_buf_putc(&iso, 0);
        CHECK(sum && !iso.failed && strstr(sum, iso.data));
        CHECK(sum && strstr(sum, "\"confidence\": \"high\""));
        CHECK(sum && strstr(sum, "\"maybe_earlier\": true"));
        ks_buf_free(&iso);
        free(sum);
        snprintf(path, sizeof path, "%s/report.html", out);
        char *html = slurp_text(path);
        CHECK(html && strstr(html, "<section id=answer>") && strstr(html, "<svg id=timeline-svg"));
        CHECK(html && strstr(html, "id=estimate-line") && strstr(html, "<section id=findings>"));
        CHECK(html && strstr(html, res.attacker_ip));
        /* self-contained: nothing loaded from anywhere */
        CHECK(html && !strstr(html, "src=") && !strstr(html, "href=") && !strstr(html, "<script") &&
              !strstr(html, "@import"));
        free(html);
        snprintf(path, sizeof path, "%s/findings.jsonl", out);
        char *jl = slurp_text(path);
        size_t lines = 0;
        for (const char *p = jl; p && *p; p++) lines += *p == '\n';
        CHECK_INT(lines, inv->nfindings);
        free(jl);
        snprintf(path, sizeof path, "%s/timeline.csv", out);
        char *tl = slurp_text(path);
        CHECK(tl && !strncmp(tl, "time_utc,time_local,chain,stage,", 32));
        CHECK(tl && strstr(tl, "\"network_logon\""));
        free(tl);
        static const char *const NAMES[] = {"summary.json", "report.html", "findings.jsonl",
                                            "timeline.csv"};
        for (int i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "%s/%s", out, NAMES[i]);
            unlink(path);
        }
        rmdir(out);
    }
    ks_investigate_free(&inv);
    CHECK(inv == NULL);
    for (unsigned i = 0; i < res.nfiles; i++) unlink(res.files[i].path);
    rmdir(evidence);
}

/* Scenario vpn: the chain starts at the VPN login after the failures on the
 * FortiGate, and reaches Windows through the address the VPN gave the attacker. */
static void investigate_vpn_seed(const char *dir, uint64_t seed, const ks_site *site)
{
    ks_sim_result res;
    ks_diag d = {0};
    char evidence[512], vpndir[600];
    snprintf(evidence, sizeof evidence, "%s/vpn-%llu", dir, (unsigned long long)seed);
    CHECK_INT(ks_sim_write_scenario(evidence, seed, KS_SIM_VPN, &res, &d), KS_OK);
    CHECK_INT(res.nfiles, 3);
    CHECK(strstr(res.files[2].path, "/vpn/fortigate.log") != NULL);
    ks_investigate_opts o = {.site = site, .tz = site ? NULL : "Asia/Tokyo"};
    ks_investigation *inv = NULL;
    char *paths[1] = {evidence};
    CHECK_INT(ks_investigate_run(&inv, paths, 1, &o, &d), KS_OK);
    if (inv) {
        CHECK_INT(inv->nfiles, 3);
        CHECK_INT(inv->files_failed, 0);
        CHECK_INT(inv->skipped, 0);
        CHECK_INT(inv->events, res.files[0].events + res.files[1].events + res.files[2].events);
        const ks_estimate *e = &inv->estimate;
        CHECK(e->found);
        /* the estimate is the tunnel coming up, to the second the device logs */
        CHECK_INT(e->time_ns, res.intrusion_ns);
        CHECK_INT(e->attempt_ns, res.attempt_ns);
        CHECK_INT(e->confidence, KS_CONF_HIGH);
        CHECK_STR(e->src_ip, res.attacker_ip);
        CHECK_STR(e->user, "maint-emr");
        CHECK_STR(e->host, "FGT-HOSP01");
        CHECK(e->file && strstr(e->file, "fortigate.log"));
        CHECK(e->maybe_earlier); /* RDS01's Security log was cleared */
        CHECK_INT(inv->nchains, 1);
        const ks_chain *c = inv->nchains ? &inv->chains[0] : NULL;
        if (c) {
            CHECK(c->has_entry && c->strong);
            /* the link: the tunnel's address, and the Windows account used from it */
            CHECK_STR(c->via_ip, res.vpn_address);
            CHECK_STR(c->via_account, "vendor.emr");
            CHECK(c->via_to > c->via_from && c->via_from == res.intrusion_ns);
            unsigned planted = 0;
            for (unsigned i = 0; i < res.nchain; i++)
                for (int k = 0; k < KS_STAGE_COUNT; k++)
                    if (!strcmp(res.chain[i].stage, ks_stage_name((ks_stage)k))) planted |= 1u << k;
            CHECK_INT(c->stages, planted);
            CHECK_INT(res.nchain, 9);
            for (unsigned i = 0; i < res.nchain; i++) {
                const ks_sim_step *p = &res.chain[i];
                if (!find_step(c, p->stage, p->host, p->time_ns))
                    fprintf(stderr, "  vpn seed %llu: planted %s %s on %s not in the chain\n",
                            (unsigned long long)seed, p->stage, p->kind, p->host);
                CHECK(find_step(c, p->stage, p->host, p->time_ns) != NULL);
            }
            /* the logons: RDP from the VPN's address, then the SMB logons from RDS01 */
            unsigned spread = 0;
            for (size_t i = 0; i < c->nsteps; i++)
                if (c->steps[i].finding < 0 && c->steps[i].stage == KS_STAGE_SPREAD) {
                    spread++;
                    CHECK(c->steps[i].file && strstr(c->steps[i].file, "Security.evtx"));
                    CHECK_STR(c->steps[i].user, "vendor.emr");
                }
            CHECK_INT(spread, res.lateral_logons + 1);
        }
        /* summary.json names the link */
        char out[600], path[700];
        snprintf(out, sizeof out, "%s/vpn-report-%llu", dir, (unsigned long long)seed);
        CHECK_INT(ks_investigate_write(inv, out, &d), KS_OK);
        snprintf(path, sizeof path, "%s/summary.json", out);
        char *sum = slurp_text(path);
        char want[128];
        snprintf(want, sizeof want, "\"vpn_address\": \"%s\"", res.vpn_address);
        CHECK(sum && strstr(sum, want) && strstr(sum, "\"vpn_windows_account\": \"vendor.emr\""));
        free(sum);
        static const char *const NAMES[] = {"summary.json", "report.html", "findings.jsonl",
                                            "timeline.csv"};
        for (int i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "%s/%s", out, NAMES[i]);
            unlink(path);
        }
        rmdir(out);
        /* high findings outside the chain are shown, not failed: with a GeoIP database
         * vpn_foreign places RFC 5737 addresses (the vendor's, the staff's) abroad */
        for (size_t i = 0; i < inv->nfindings; i++)
            if (inv->finding_chain[i] < 0 && inv->findings[i].severity >= KS_LEVEL_HIGH)
                fprintf(stderr, "  vpn seed %llu: %s outside the chain (%s %s)\n",
                        (unsigned long long)seed, inv->findings[i].detector->id,
                        inv->findings[i].user, inv->findings[i].detail);
        ks_investigate_free(&inv);
    }
    for (unsigned i = 0; i < res.nfiles; i++) unlink(res.files[i].path);
    snprintf(vpndir, sizeof vpndir, "%s/vpn", evidence);
    rmdir(vpndir);
    rmdir(evidence);
}

static void test_simulated(void)
{
    char dir[] = "/tmp/ks-investigate-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    for (uint64_t seed = 1; seed <= 8; seed++) investigate_seed(dir, seed, NULL, seed <= 2);
    /* with the practice hospital's site file (as `kensa simulate --site-out` writes) */
    char path[600];
    snprintf(path, sizeof path, "%s/site.yaml", dir);
    ks_diag d = {0};
    CHECK_INT(ks_sim_write_site(path, &d), KS_OK);
    ks_site *site = NULL;
    CHECK_INT(ks_site_load(&site, path, &d), KS_OK);
    CHECK(site && site->tz && !strcmp(site->tz, "Asia/Tokyo"));
    CHECK(site && ks_site_address_allowed(site, "vendor.emr", "198.51.100.23"));
    CHECK_INT(ks_site_role_of(site, "RDS01.hosp.local"), KS_ROLE_TERMINAL_SERVER);
    for (uint64_t seed = 11; seed <= 13; seed++) investigate_seed(dir, seed, site, 0);
    /* the scenario without an attack: no chain, no estimate; and with the site file
     * (the vendor's address is its own) no finding of high severity either */
    for (uint64_t seed = 1; seed <= 4; seed++)
        for (int with_site = 0; with_site < 2; with_site++) {
            char ev[600];
            snprintf(ev, sizeof ev, "%s/quiet-%llu", dir, (unsigned long long)seed);
            ks_sim_result res;
            CHECK_INT(ks_sim_write_scenario(ev, seed, KS_SIM_NO_ATTACK, &res, &d), KS_OK);
            CHECK(res.intrusion_ns == 0 && res.nchain == 0 && res.scenario == KS_SIM_NO_ATTACK);
            char *one[1] = {ev};
            ks_investigate_opts o = {.site = with_site ? site : NULL, .tz = "Asia/Tokyo"};
            ks_investigation *inv = NULL;
            CHECK_INT(ks_investigate_run(&inv, one, 1, &o, &d), KS_OK);
            if (inv) {
                CHECK_INT(inv->nchains, 0);
                CHECK(!inv->estimate.found);
                CHECK(inv->events > 200);
                int high = 0;
                for (size_t i = 0; i < inv->nfindings; i++)
                    high += inv->findings[i].severity >= KS_LEVEL_HIGH;
                if (with_site) CHECK_INT(high, 0);
            }
            ks_investigate_free(&inv);
            for (unsigned i = 0; i < res.nfiles; i++) unlink(res.files[i].path);
            rmdir(ev);
        }
    for (uint64_t seed = 1; seed <= 6; seed++)
        investigate_vpn_seed(dir, seed, seed > 3 ? site : NULL);
    CHECK_STR(ks_sim_scenario_name(KS_SIM_NO_ATTACK), "none");
    CHECK_STR(ks_sim_scenario_name(KS_SIM_VPN), "vpn");
    CHECK_INT(ks_sim_scenario_find("vpn"), KS_SIM_VPN);
    CHECK_INT(ks_sim_scenario_find("rdp_bruteforce"), KS_SIM_RDP_BRUTEFORCE);
    CHECK_INT(ks_sim_scenario_find("nope"), -1);
    ks_site_free(&site);
    unlink(path);
    /* the ground truth as JSON */
    ks_sim_result res;
    char ev[600];
    snprintf(ev, sizeof ev, "%s/logs", dir);
    CHECK_INT(ks_sim_write(ev, 3, &res, &d), KS_OK);
    snprintf(path, sizeof path, "%s/truth.json", dir);
    CHECK_INT(ks_sim_write_truth(path, 3, &res, &d), KS_OK);
    char *truth = slurp_text(path);
    CHECK(truth && strstr(truth, "\"first_intrusion\": \"") && strstr(truth, "\"chain\": ["));
    CHECK(truth && strstr(truth, "\"stage\": \"persistence\""));
    CHECK(truth && strstr(truth, res.attacker_ip));
    free(truth);
    unlink(path);
    for (unsigned i = 0; i < res.nfiles; i++) unlink(res.files[i].path);
    rmdir(ev);
    rmdir(dir);
}

int main(void)
{
    test_site_good();
    test_site_bad();
    test_simulated();
    return ks_test_done();
}
