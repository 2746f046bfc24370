/* kensa investigate on the shared attack samples (EVTX-to-MITRE-Attack): files that
 * hold an attack give a chain, cleared logs are named as coverage that bounds the
 * estimate, and a benign log gives no chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "harness.h"
#include "kensa/investigate.h"
#include "kensa/sigma.h"
#include "kensa/simulate.h"

static ks_investigation *run(const char *data, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", data, rel);
    char *paths[1] = {path};
    ks_investigate_opts o = {.tz = "UTC"};
    ks_investigation *inv = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_investigate_run(&inv, paths, 1, &o, &d), KS_OK);
    if (inv && !inv->nfiles) fprintf(stderr, "  %s: not read\n", rel);
    return inv;
}

static int has_stage(const ks_investigation *inv, ks_stage s)
{
    for (size_t i = 0; i < inv->nchains; i++)
        if (inv->chains[i].stages & (1u << s)) return 1;
    return 0;
}

#define ATT "evtx/attack/EVTX-to-MITRE-Attack/"

int main(void)
{
    const char *data = ks_test_data_dir();
    /* a cleared Security and System log: an evasion chain, both logs bound the estimate */
    ks_investigation *inv =
        run(data, ATT "TA0005-Defense Evasion/T1070.001-Clear Windows event logs/"
                      "ID104-1102-Event log cleared.evtx");
    if (inv) {
        CHECK(inv->nchains >= 1 && has_stage(inv, KS_STAGE_EVASION));
        CHECK(inv->estimate.found && inv->estimate.confidence == KS_CONF_LOW);
        CHECK(inv->estimate.maybe_earlier);
        /* every log of the host was cleared (wevtutil cl over wevtutil el): each one
         * is named, Security (1102) and System (104) among them */
        int cleared = 0, security = 0, system = 0;
        for (size_t i = 0; i < inv->ncoverage; i++)
            if (inv->coverage[i].cleared_ns) {
                cleared++;
                CHECK(inv->coverage[i].bounds);
                CHECK_STR(inv->coverage[i].cleared_by, "admmig");
                security += !strcmp(inv->coverage[i].channel, "Security");
                system += !strcmp(inv->coverage[i].channel, "System");
            }
        CHECK(cleared >= 50);
        CHECK_INT(security, 1);
        CHECK_INT(system, 1);
    }
    ks_investigate_free(&inv);
    /* PsExec over the admin share alone: one step (spread), a finding but no chain */
    inv = run(data, ATT "TA0008-Lateral Movement/T1021.002-SMB Windows Admin Shares/"
                        "ID4688,4697,5140-5145 PSexec remote execution + admin share.evtx");
    if (inv) {
        CHECK_INT(inv->nchains, 0);
        CHECK(inv->nfindings >= 1 && !strcmp(inv->findings[0].detector->id, "remote_access_tool"));
        CHECK(!inv->estimate.found);
    }
    ks_investigate_free(&inv);
    /* a payload deployed as a service over SMB, and a day later on another host the
     * same account clears the Security log: one chain across the two files */
    char a[1024], b[1024];
    snprintf(a, sizeof a,
             "%s/" ATT "EVTX_full_APT_attack_steps/ID5140-5145,4688,4697-Encrypted "
             "payload deployed with service over SMB (GLOBAL).evtx",
             data);
    snprintf(b, sizeof b,
             "%s/" ATT "EVTX_full_APT_attack_steps/ID4624,4688,5140,5145-Eternal "
             "Romance - MS17_010_psexec (GLOBAL).evtx",
             data);
    char *two[2] = {a, b};
    ks_investigate_opts o = {.tz = "UTC"};
    ks_diag d = {0};
    CHECK_INT(ks_investigate_run(&inv, two, 2, &o, &d), KS_OK);
    if (inv) {
        CHECK_INT(inv->nchains, 1);
        CHECK(inv->nchains && inv->chains[0].nsteps == 2);
        CHECK(has_stage(inv, KS_STAGE_PERSISTENCE) && has_stage(inv, KS_STAGE_EVASION));
        CHECK(inv->estimate.found && inv->estimate.confidence == KS_CONF_LOW);
        CHECK(inv->estimate.maybe_earlier);
        CHECK(inv->nchains && inv->estimate.time_ns == inv->chains[0].first_ns);
    }
    ks_investigate_free(&inv);
    /* the whole folder of full attack steps at once: several chains, one estimate */
    inv = run(data, ATT "EVTX_full_APT_attack_steps");
    if (inv) {
        CHECK(inv->nfiles >= 8);
        CHECK(inv->nchains >= 2);
        CHECK(inv->estimate.found);
        int64_t earliest = 0;
        for (size_t i = 0; i < inv->nchains; i++)
            if (!earliest || inv->chains[i].first_ns < earliest) earliest = inv->chains[i].first_ns;
        /* with no entry anywhere, the estimate is the earliest sign */
        CHECK_INT(inv->estimate.time_ns, earliest);
    }
    ks_investigate_free(&inv);
    /* benign logs of a developer's machine: no chain from the Security log */
    inv = run(data, "evtx/normal/omerbenamram-evtx/security.evtx");
    if (inv) {
        CHECK_INT(inv->nchains, 0);
        CHECK(!inv->estimate.found);
    }
    ks_investigate_free(&inv);
    /* a simulated day with SigmaHQ's Windows rules beside the detectors: the rules add
     * findings, the estimate stays the planted first intrusion */
    char dir[] = "/tmp/ks-investigate-sigma-XXXXXX", rules_dir[1024];
    ks_sigma_rules *rules = NULL;
    snprintf(rules_dir, sizeof rules_dir, "%s/sigma/rules/windows", data);
    if (mkdtemp(dir) && ks_sigma_open(&rules) == KS_OK &&
        ks_sigma_load_path(rules, rules_dir, &d) == KS_OK) {
        CHECK(ks_sigma_count(rules) > 1000);
        ks_sim_result res;
        CHECK_INT(ks_sim_write(dir, 4, &res, &d), KS_OK);
        char *one[1] = {dir};
        ks_investigate_opts so = {.tz = "Asia/Tokyo", .sigma = rules};
        CHECK_INT(ks_investigate_run(&inv, one, 1, &so, &d), KS_OK);
        if (inv) {
            size_t sigma = 0;
            for (size_t i = 0; i < inv->nfindings; i++)
                sigma += !strcmp(inv->findings[i].categories[0], "sigma");
            CHECK(sigma > 0);
            CHECK(inv->estimate.found && inv->estimate.time_ns == res.intrusion_ns);
            CHECK_INT(inv->estimate.confidence, KS_CONF_HIGH);
            CHECK_INT(inv->nchains, 1);
        }
        ks_investigate_free(&inv);
        for (unsigned i = 0; i < res.nfiles; i++) unlink(res.files[i].path);
        rmdir(dir);
    } else {
        CHECK(0);
    }
    ks_sigma_close(&rules);
    return ks_test_done();
}
