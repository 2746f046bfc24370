/* usb_storage and policy_violation on real logs (../shared/data): the SD card reader
 * and removable volume plugged into a desktop in the normal System log (found, low
 * without a site file, high when the site calls the host a terminal); the attack
 * samples' 6416 events for printers (PrintNightmare) and cmd starting Edge to download
 * Mimikatz are not USB storage nor a browser starting a shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensa/detect.h"
#include "kensa/kensa.h"
#include "kensa/site.h"

#include "detect_hunt.h"

static void hunt(got *g, const char *rel, const ks_site *site)
{
    hunt_in(g, rel, NULL, 0, site);
}

#define ATTACK "evtx/attack/EVTX-to-MITRE-Attack/"
#define SYSTEM "evtx/normal/omerbenamram-evtx/system.evtx"

/* system.evtx, DESKTOP-2KGM189: on 2017-07-20 a removable volume shown as a WPD
 * device (DriverFrameworks-UserMode 10000, UserPnp 20003 and 20001: the WPD FileSystem
 * Volume Driver installed for SWD\WPDBUSENUM\{668C4896-...}#0000000000008000), on
 * 2017-07-27 a USB SD card reader (USBSTOR#DISK&VEN_GENERIC-&PROD_USB3.0_CRW___-SD,
 * the same three events): two days, two findings */
static void check_reader(const got *g, ks_level lv, int variant)
{
    CHECK_INT(count_of(g, "usb_storage"), 2);
    int volume = 0, reader = 0;
    for (int i = 0; i < 2; i++) {
        const ks_finding *f = nth(g, "usb_storage", i);
        if (!f) break;
        CHECK_STR(f->host, "DESKTOP-2KGM189");
        CHECK_INT(f->severity, lv);
        CHECK_INT(f->variant, variant);
        CHECK_INT(f->count, 3);
        CHECK_INT(f->nevidence, 3);
        if (f->evidence[0].record_id == 509) {
            volume++;
            CHECK_STR(f->detail, "SWD\\WPDBUSENUM\\{668C4896-6726-11E7-BCE5-784F439FA657}"
                                 "#0000000000008000");
            CHECK_INT(f->evidence[1].record_id, 513);
            CHECK_INT(f->evidence[2].record_id, 518);
        } else if (f->evidence[0].record_id == 1040) {
            reader++;
            CHECK_STR(f->detail, "DISK&VEN_GENERIC-&PROD_USB3.0_CRW___-SD&REV_1.00");
            CHECK_INT(f->evidence[1].record_id, 1043);
        }
    }
    CHECK_INT(volume, 1);
    CHECK_INT(reader, 1);
}

static void test_usb_storage(void)
{
    got g;
    /* without a site file: every host, low */
    hunt(&g, SYSTEM, NULL);
    check_reader(&g, KS_LEVEL_LOW, 1);
    /* the site file calls the desktop a medical-record terminal: high */
    static const char TERM[] = "hosts:\n  - name: DESKTOP-2KGM189\n    role: emr_terminal\n";
    ks_site *site = NULL;
    ks_diag diag = {0};
    CHECK_INT(ks_site_load_mem(&site, TERM, sizeof TERM - 1, "site.yaml", &diag), KS_OK);
    hunt(&g, SYSTEM, site);
    check_reader(&g, KS_LEVEL_HIGH, 0);
    ks_site_free(&site);
    /* terminals named, this desktop not among them: nothing */
    static const char OTHER[] = "hosts:\n  - name: EMR-TERM-*\n    role: emr_terminal\n";
    CHECK_INT(ks_site_load_mem(&site, OTHER, sizeof OTHER - 1, "site.yaml", &diag), KS_OK);
    hunt(&g, SYSTEM, site);
    CHECK_INT(count_of(&g, "usb_storage"), 0);
    ks_site_free(&site);
    /* the 6416 events of the attack samples are printers (PrintNightmare's "Kiwi
     * Legit Printer", class PrintQueue or none): not storage */
    hunt(&g,
         ATTACK "EVTX_full_APT_attack_steps/ID4674,6416 New external device connected "
                "(PrintNightmare).evtx",
         NULL);
    CHECK_INT(count_of(&g, "usb_storage"), 0);
    hunt(&g,
         ATTACK
         "TA0004-Privilege Escalation/T1574-DLL side-loading/ID4688,6416,4648-SystemNightMare.evtx",
         NULL);
    CHECK_INT(count_of(&g, "usb_storage"), 0);
}

static void test_policy_violation(void)
{
    got g;
    /* Edge payload download: cmd.exe starts msedge.exe (the other way round) and Edge
     * starts its own helpers; even on a terminal nothing is a browser starting a shell */
    static const char ALL[] = "hosts:\n  - name: \"*\"\n    role: emr_terminal\n";
    ks_site *site = NULL;
    ks_diag diag = {0};
    CHECK_INT(ks_site_load_mem(&site, ALL, sizeof ALL - 1, "site.yaml", &diag), KS_OK);
    hunt(&g,
         ATTACK "TA0002-Execution/T1204-User execution/ID4688-Edge payload download via "
                "command.evtx",
         site);
    CHECK_INT(count_of(&g, "policy_violation"), 0);
    CHECK_INT(count_of(&g, "usb_storage"), 0);
    /* the whole attack corpus, every host a terminal: no Office, mail or browser
     * parent starts a shell there (no sample carries a macro or an attachment run) */
    hunt(&g, "evtx/attack", site);
    CHECK_INT(count_of(&g, "policy_violation"), 0);
    CHECK_INT(count_of(&g, "usb_storage"), 0);
    ks_site_free(&site);
}

int main(void)
{
    data = ks_test_data_dir();
    ks_lang_set("en");
    test_usb_storage();
    test_policy_violation();
    return ks_test_done();
}
