/* The readiness checks (src/audit/checks.c), each both ways: the simulated hardened
 * host passes every check and a host weak in one setting fails exactly the checks of
 * that setting (ks_sim_audit_render: UTF-16 INF and reg files, auditpol CSV, English
 * and Japanese Windows); small hand-written exports then take each check down its
 * other paths (defaults, Group Policy keys, the site file's roles and administrators),
 * a check without its export is not_checked and names the export, the retention
 * estimate matches hand-computed values, and audit.json / audit.html are sound. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/audit.h"
#include "kensa/evtx_writer.h"
#include "kensa/kensa.h"
#include "kensa/simulate.h"
#include "kensa/site.h"
#include "util/json.h"

/* ---- building exports ---- */

/* UTF-8 text as UTF-16LE with a BOM, as secedit and reg export write it (BMP only). */
static void utf16(ks_buf *out, const char *s)
{
    ks_buf_reset(out);
    ks_buf_append(out, "\xff\xfe", 2);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p++;
        if (cp >= 0xe0 && p[0] && p[1]) {
            cp = ((cp & 0x0fu) << 12) | ((p[0] & 0x3fu) << 6) | (p[1] & 0x3fu);
            p += 2;
        } else if (cp >= 0xc0 && p[0]) {
            cp = ((cp & 0x1fu) << 6) | (p[0] & 0x3fu);
            p++;
        }
        if (cp == '\n') ks_buf_append(out, "\r\0", 2);
        char u[2] = {(char)(cp & 0xff), (char)(cp >> 8)};
        ks_buf_append(out, u, 2);
    }
}

static void add_utf16(ks_audit *a, const char *host, const char *name, const char *text)
{
    ks_buf b = {0};
    utf16(&b, text);
    CHECK_INT(ks_audit_add_mem(a, host, name, b.data, b.len), KS_OK);
    ks_buf_free(&b);
}

static void add_text(ks_audit *a, const char *host, const char *name, const char *text)
{
    CHECK_INT(ks_audit_add_mem(a, host, name, text, strlen(text)), KS_OK);
}

#define REG_HEAD "Windows Registry Editor Version 5.00\n\n"
#define POL_SYS                                                                                    \
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System]\n"

static const char LOCALGROUP[] =
    "Alias name     administrators\r\n"
    "Comment        Administrators have complete and unrestricted access to the computer/domain\r\n"
    "\r\n"
    "Members\r\n"
    "\r\n"
    "-------------------------------------------------------------------------------\r\n"
    "%s"
    "The command completed successfully.\r\n"
    "\r\n";

static void add_admins(ks_audit *a, const char *host, const char *members)
{
    char t[2048];
    snprintf(t, sizeof t, LOCALGROUP, members);
    add_text(a, host, "administrators.txt", t);
}

/* ---- reading outcomes ---- */

static size_t host_index(const ks_audit *a, const char *name)
{
    for (size_t i = 0; i < ks_audit_host_count(a); i++)
        if (!strcasecmp(ks_audit_host_at(a, i)->name, name)) return i;
    return (size_t)-1;
}

/* The outcome of check id on host (after ks_audit_run), or NULL. */
static const ks_audit_outcome *outcome(ks_audit *a, const char *host, const char *id)
{
    const ks_audit_outcome *o;
    size_t n, nc;
    const ks_audit_check *c = ks_audit_checks(&nc);
    if (ks_audit_run(a, &o, &n) != KS_OK) return NULL;
    size_t h = host_index(a, host);
    if (h == (size_t)-1) return NULL;
    for (size_t i = 0; i < nc; i++)
        if (!strcmp(c[i].id, id)) return &o[h * nc + i];
    return NULL;
}

static ks_audit_result result(ks_audit *a, const char *host, const char *id)
{
    const ks_audit_outcome *o = outcome(a, host, id);
    return o ? o->result : (ks_audit_result)-1;
}

static const char *detail(ks_audit *a, const char *host, const char *id)
{
    const ks_audit_outcome *o = outcome(a, host, id);
    return o ? o->detail : "";
}

#define CHECK_RESULT(a, host, id, want)                                                            \
    do {                                                                                           \
        ks_audit_result got_ = result(a, host, id);                                                \
        if (got_ != (want))                                                                        \
            fprintf(stderr, "  %s %s: %s (%s)\n", host, id, ks_audit_result_name(got_),            \
                    detail(a, host, id));                                                          \
        CHECK_INT(got_, want);                                                                     \
    } while (0)

#define CHECK_DETAIL(a, host, id, text)                                                            \
    do {                                                                                           \
        const char *d_ = detail(a, host, id);                                                      \
        if (!strstr(d_, text)) fprintf(stderr, "  %s %s: detail \"%s\"\n", host, id, d_);          \
        CHECK(strstr(d_, text) != NULL);                                                           \
    } while (0)

/* ---- a Security log with a known rate ---- */

/* Write n 4624 events of host, evenly over hours, to path; 0 on success. */
static int write_security(const char *path, const char *host, int n, double hours)
{
    ks_evtx_writer *w = NULL;
    ks_diag d = {0};
    if (ks_evtx_writer_open(&w, path, &d) != KS_OK) return -1;
    int64_t t0 = INT64_C(1764115200) * 1000000000; /* 2025-11-26 00:00 UTC */
    for (int i = 0; i < n; i++) {
        char user[32];
        snprintf(user, sizeof user, "nurse%02d", i % 40);
        ks_field f[3] = {
            {{"TargetUserName", 14}, {(const uint8_t *)user, (uint32_t)strlen(user), KS_VT_UTF8}},
            {{"LogonType", 9}, {(const uint8_t *)"2", 1, KS_VT_UTF8}},
            {{"IpAddress", 9}, {(const uint8_t *)"10.10.2.15", 10, KS_VT_UTF8}},
        };
        ks_event ev;
        memset(&ev, 0, sizeof ev);
        ev.time_ns = t0 + (int64_t)(hours * 3600e9 * i / (n - 1));
        ev.host = (ks_str){host, strlen(host)};
        ev.channel = (ks_str){"Security", 8};
        ev.provider = (ks_str){"Microsoft-Windows-Security-Auditing", 35};
        ev.event_id = 4624;
        ev.fields = f;
        ev.nfields = 3;
        if (ks_evtx_writer_add(w, &ev) != KS_OK) {
            ks_evtx_writer_close(&w);
            return -1;
        }
    }
    return ks_evtx_writer_close(&w) == KS_OK ? 0 : -1;
}

static void add_security(ks_audit *a, const char *host, int n, double hours)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/ks-audit-checks-%d-%s.evtx", (int)getpid(), host);
    CHECK_INT(write_security(path, host, n, hours), 0);
    size_t size;
    uint8_t *p = ks_test_slurp(path, &size);
    CHECK(p != NULL);
    if (p) CHECK_INT(ks_audit_add_mem(a, host, "Security.evtx", p, size), KS_OK);
    free(p);
    unlink(path);
}

/* ---- the simulated hosts: every check both ways ---- */

static const struct {
    unsigned weak;
    const char *fails[3];
} WEAK[] = {
    {KS_SIM_WEAK_LOCKOUT, {"account_lockout"}},
    {KS_SIM_WEAK_ADMINS, {"local_admins"}},
    {KS_SIM_WEAK_UAC, {"uac"}},
    {KS_SIM_WEAK_SMB1, {"smb1_server", "smb1_client"}},
    {KS_SIM_WEAK_MACROS, {"office_macros"}},
    {KS_SIM_WEAK_RDP, {"rdp"}},
    {KS_SIM_WEAK_USB, {"usb_storage"}},
    {KS_SIM_WEAK_AUDIT, {"audit_policy", "audit_cmdline"}},
    {KS_SIM_WEAK_LOG, {"log_retention", "log_archive"}},
};

static const char SITE[] = "hosts:\n"
                           "  - name: \"EMR-*\"\n"
                           "    role: emr_terminal\n"
                           "accounts:\n"
                           "  - name: admin.kimura\n"
                           "    admin: true\n";

/* Render host (name, weak bits, language) into the audit, with a Security log. */
static int add_sim_host(ks_audit *a, const char *name, unsigned weak, ks_sim_lang lang)
{
    ks_sim_audit_host h = {.role = KS_ROLE_EMR_TERMINAL, .lang = lang, .weak = weak};
    snprintf(h.name, sizeof h.name, "%s", name);
    ks_sim_audit_file files[KS_SIM_AUDIT_MAX_FILES];
    size_t n = 0;
    ks_status st = ks_sim_audit_render(&h, 7, files, &n);
    if (st == KS_ERR_UNSUPPORTED) return 77;
    CHECK_INT(st, KS_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(ks_audit_add_mem(a, name, files[i].name, files[i].data.data, files[i].data.len),
                  KS_OK);
    ks_sim_audit_files_free(files, n);
    /* 600 logons over a day, about 0.3 MB: a 20 MB log holds weeks, 1 GB years */
    add_security(a, name, 600, 24);
    return 0;
}

static int test_simulated(void)
{
    ks_site *site = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_site_load_mem(&site, SITE, strlen(SITE), "site.yaml", &d), KS_OK);
    ks_audit *a = ks_audit_new(site);
    size_t nc;
    const ks_audit_check *checks = ks_audit_checks(&nc);
    CHECK_INT(nc, 12);
    if (add_sim_host(a, "EMR-GOOD", 0, KS_SIM_EN) == 77 ||
        add_sim_host(a, "EMR-GOOD-JA", 0, KS_SIM_JA) == 77) {
        fprintf(stderr, "this system cannot convert to CP932/UTF-16: simulated hosts skipped\n");
        ks_audit_free(&a);
        ks_site_free(&site);
        return 0;
    }
    for (size_t w = 0; w < sizeof WEAK / sizeof *WEAK; w++) {
        char name[32];
        snprintf(name, sizeof name, "EMR-WEAK-%zu", w);
        add_sim_host(a, name, WEAK[w].weak, w % 2 ? KS_SIM_JA : KS_SIM_EN);
    }
    /* hardened, English and Japanese Windows: every check passes */
    for (size_t c = 0; c < nc; c++) {
        CHECK_RESULT(a, "EMR-GOOD", checks[c].id, KS_AUDIT_PASS);
        CHECK_RESULT(a, "EMR-GOOD-JA", checks[c].id, KS_AUDIT_PASS);
    }
    /* weak in one setting: exactly its checks fail */
    for (size_t w = 0; w < sizeof WEAK / sizeof *WEAK; w++) {
        char name[32];
        snprintf(name, sizeof name, "EMR-WEAK-%zu", w);
        for (size_t c = 0; c < nc; c++) {
            int fails = 0;
            for (int k = 0; k < 3 && WEAK[w].fails[k]; k++)
                fails |= !strcmp(WEAK[w].fails[k], checks[c].id);
            CHECK_RESULT(a, name, checks[c].id, fails ? KS_AUDIT_FAIL : KS_AUDIT_PASS);
        }
    }
    /* the values seen are named */
    CHECK_DETAIL(a, "EMR-WEAK-0", "account_lockout", "LockoutBadCount = 0");
    CHECK_DETAIL(a, "EMR-WEAK-2", "uac", "EnableLUA = 0");
    CHECK_DETAIL(a, "EMR-WEAK-8", "log_retention", "a year needs MaxSize");
    CHECK_DETAIL(a, "EMR-WEAK-8", "log_archive", "retention = false");
    CHECK(outcome(a, "EMR-WEAK-0", "account_lockout")->fact != NULL);
    CHECK_STR(outcome(a, "EMR-WEAK-0", "account_lockout")->fact->key,
              "secedit:System Access:LockoutBadCount");
    /* twelve failures, nine of them of high severity (usb_storage, audit_cmdline and
     * log_retention are medium) */
    ks_audit_summary s = ks_audit_summarize(a);
    CHECK_INT(s.hosts, 2 + sizeof WEAK / sizeof *WEAK);
    CHECK_INT(s.fail, 12);
    CHECK_INT(s.high_failed, 9);
    ks_audit_free(&a);
    ks_site_free(&site);
    return 0;
}

/* ---- hand-written exports: the other paths ---- */

static void test_lockout(void)
{
    ks_audit *a = ks_audit_new(NULL);
    add_utf16(a, "A", "secedit.inf",
              "[Unicode]\nUnicode=yes\n[System Access]\nLockoutBadCount = 15\n"
              "LockoutDuration = 30\n[Version]\nsignature=\"$CHICAGO$\"\nRevision=1\n");
    add_utf16(a, "B", "secedit.inf",
              "[Unicode]\nUnicode=yes\n[System Access]\nLockoutBadCount = 5\n"
              "LockoutDuration = 5\n");
    add_utf16(a, "C", "secedit.inf",
              "[Unicode]\nUnicode=yes\n[System Access]\nLockoutBadCount = 10\n"
              "LockoutDuration = -1\n");
    add_utf16(a, "D", "secedit.inf",
              "[Unicode]\nUnicode=yes\n[System Access]\nMinimumPasswordLength = 8\n");
    CHECK_RESULT(a, "A", "account_lockout", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "A", "account_lockout", "LockoutBadCount = 15 (more than 10)");
    CHECK_RESULT(a, "B", "account_lockout", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "B", "account_lockout", "LockoutDuration = 5 min (under 15 minutes)");
    CHECK_RESULT(a, "C", "account_lockout", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "C", "account_lockout", "until an administrator unlocks");
    /* a secedit export without the setting: not checked, naming the setting */
    CHECK_RESULT(a, "D", "account_lockout", KS_AUDIT_NOT_CHECKED);
    CHECK_DETAIL(a, "D", "account_lockout", "LockoutBadCount");
    ks_audit_free(&a);
}

static void test_admins(void)
{
    ks_site *site = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_site_load_mem(&site, SITE, strlen(SITE), "site.yaml", &d), KS_OK);
    const char *members = "Administrator\r\nHOSP\\Domain Admins\r\nHOSP\\admin.kimura\r\n"
                          "S-1-5-21-1111-2222-3333-500\r\n";
    ks_audit *a = ks_audit_new(site), *b = ks_audit_new(NULL);
    add_admins(a, "PC1", members);
    add_admins(b, "PC1", members);
    add_admins(a, "PC2", "Administrator\r\nHOSP\\nurse.sato\r\nHOSP\\dr.ito\r\n");
    /* with the site file admin.kimura is an administrator; without it, an ordinary user */
    CHECK_RESULT(a, "PC1", "local_admins", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "PC1", "local_admins", "4 members");
    CHECK_RESULT(b, "PC1", "local_admins", KS_AUDIT_FAIL);
    CHECK_DETAIL(b, "PC1", "local_admins", "HOSP\\admin.kimura (1 of 4");
    CHECK_RESULT(a, "PC2", "local_admins", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "PC2", "local_admins", "HOSP\\nurse.sato, HOSP\\dr.ito (2 of 3");
    ks_audit_free(&a);
    ks_audit_free(&b);
    ks_site_free(&site);
}

static void test_uac(void)
{
    ks_audit *a = ks_audit_new(NULL);
    /* the key exported without the values: Windows' defaults (on, prompt) apply */
    add_utf16(a, "A", "uac.reg", REG_HEAD POL_SYS "\"EnableCursorSuppression\"=dword:00000001\n");
    add_utf16(a, "B", "uac.reg",
              REG_HEAD POL_SYS "\"EnableLUA\"=dword:00000001\n"
                               "\"ConsentPromptBehaviorAdmin\"=dword:00000000\n");
    /* secedit's [Registry Values] alone */
    add_utf16(
        a, "C", "secedit.inf",
        "[Unicode]\nUnicode=yes\n[Registry Values]\n"
        "MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\EnableLUA=4,1\n"
        "MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\"
        "ConsentPromptBehaviorAdmin=4,5\n");
    CHECK_RESULT(a, "A", "uac", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "A", "uac", "EnableLUA not set (default 1)");
    CHECK_RESULT(a, "B", "uac", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "B", "uac", "ConsentPromptBehaviorAdmin = 0");
    CHECK_RESULT(a, "C", "uac", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "C", "uac", "ConsentPromptBehaviorAdmin = 5");
    ks_audit_free(&a);
}

#define LANMAN                                                                                     \
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\n"

static void test_smb1(void)
{
    ks_audit *a = ks_audit_new(NULL);
    add_utf16(a, "A", "smb.reg", REG_HEAD LANMAN "\"SMB1\"=dword:00000000\n");
    add_utf16(a, "B", "smb.reg", REG_HEAD LANMAN "\"Size\"=dword:00000001\n");
    add_text(a, "C", "smbserver.txt",
             "\xef\xbb\xbf\r\nAnnounceComment      : \r\nEnableSMB1Protocol   : True\r\n"
             "EnableSMB2Protocol   : True\r\n\r\n");
    /* Get-SmbServerConfiguration wins over the registry */
    add_utf16(a, "C", "smb.reg", REG_HEAD LANMAN "\"SMB1\"=dword:00000000\n");
    add_utf16(a, "D", "client.reg",
              REG_HEAD "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10]\n"
                       "\"Start\"=dword:00000002\n\"Type\"=dword:00000002\n");
    CHECK_RESULT(a, "A", "smb1_server", KS_AUDIT_PASS);
    CHECK_RESULT(a, "B", "smb1_server", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "B", "smb1_server", "SMB1 not set");
    CHECK_RESULT(a, "C", "smb1_server", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "C", "smb1_server", "EnableSMB1Protocol = True");
    CHECK_RESULT(a, "D", "smb1_client", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "D", "smb1_client", "mrxsmb10\\Start = 2");
    CHECK_RESULT(a, "A", "smb1_client", KS_AUDIT_NOT_CHECKED);
    CHECK_DETAIL(a, "A", "smb1_client",
                 "reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10\"");
    ks_audit_free(&a);

    /* the collector found no mrxsmb10 key (Windows 10 1709 and later without SMB 1.0):
     * the client driver is not installed */
    a = ks_audit_new(NULL);
    add_text(a, "E", "collect.log",
             "\xef\xbb\xbfkensa-collect 1.0 on E, ja-JP, as HOSP\\admin (administrator)\r\n"
             "ok       secedit.inf\r\n"
             "missing  reg-mrxsmb10.reg  HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services"
             "\\mrxsmb10 (reg export: the key does not exist)\r\n"
             "missing  reg-ts-policies.reg  HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\"
             "Windows NT\\Terminal Services (reg export: the key does not exist)\r\n");
    const ks_audit_host *h = ks_audit_host_at(a, 0);
    CHECK(h && h->nexports == 1 && h->exports[0].kind == KS_AUDIT_COLLECTLOG &&
          h->exports[0].status == KS_AUDIT_READ_OK && h->exports[0].nfacts == 2);
    const ks_audit_fact *f = NULL;
    CHECK(h &&
          ks_audit_fact_get(h,
                            "regabsent:HKLM\\software\\policies\\microsoft\\windows nt\\"
                            "terminal services",
                            &f) != NULL &&
          f && f->line == 4);
    CHECK_RESULT(a, "E", "smb1_client", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "E", "smb1_client", "not installed");
    ks_audit_free(&a);
}

#define OFFICE(hive, ver, app)                                                                     \
    "[" hive "\\Software\\Policies\\Microsoft\\Office\\" ver "\\" app "\\Security]\n"

static void test_macros(void)
{
    ks_audit *a = ks_audit_new(NULL);
    add_utf16(
        a, "A", "office.reg",
        REG_HEAD
            OFFICE("HKEY_CURRENT_USER", "16.0", "Word") "\"VBAWarnings\"=dword:00000003\n\n" OFFICE(
                "HKEY_CURRENT_USER", "16.0", "Excel") "\"blockcontentexecutionfrominternet\"=dword:"
                                                      "00000001\n\n" OFFICE("HKEY_LOCAL_MACHINE",
                                                                            "15.0",
                                                                            "PowerPoint") "\"VBAWar"
                                                                                          "nings\"="
                                                                                          "dword:"
                                                                                          "00000004"
                                                                                          "\n");
    /* every macro runs in Excel, whatever else is set; Word 16.0 has no policy at all */
    add_utf16(a, "B", "office.reg",
              REG_HEAD OFFICE("HKEY_CURRENT_USER", "16.0",
                              "Excel") "\"VBAWarnings\"=dword:00000001\n"
                                       "\"blockcontentexecutionfrominternet\"=dword:00000001\n\n"
                                       "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16."
                                       "0\\Word\\Options]\n\"x\"=dword:00000000\n");
    add_utf16(a, "C", "uac.reg", REG_HEAD POL_SYS "\"EnableLUA\"=dword:00000001\n");
    CHECK_RESULT(a, "A", "office_macros", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "A", "office_macros", "PowerPoint 15.0: VBAWarnings = 4");
    CHECK_RESULT(a, "B", "office_macros", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "B", "office_macros", "Excel 16.0: VBAWarnings = 1");
    CHECK_DETAIL(a, "B", "office_macros", "Word 16.0: no macro policy");
    CHECK_RESULT(a, "C", "office_macros", KS_AUDIT_NOT_CHECKED);
    CHECK_DETAIL(a, "C", "office_macros", "Software\\Policies\\Microsoft\\Office");
    ks_audit_free(&a);
}

#define TS "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server]\n"
#define TS_TCP                                                                                     \
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal "                           \
    "Server\\WinStations\\RDP-Tcp]\n"
#define TS_POL                                                                                     \
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services]\n"

static void test_rdp(void)
{
    ks_audit *a = ks_audit_new(NULL);
    add_utf16(a, "A", "rdp.reg", REG_HEAD TS "\"fDenyTSConnections\"=dword:00000001\n");
    /* on, the local NLA setting off, but Group Policy requires NLA */
    add_utf16(a, "B", "rdp.reg",
              REG_HEAD TS "\"fDenyTSConnections\"=dword:00000000\n\n" TS_TCP
                          "\"UserAuthentication\"=dword:00000000\n\n" TS_POL
                          "\"UserAuthentication\"=dword:00000001\n");
    add_utf16(a, "C", "rdp.reg",
              REG_HEAD TS "\"fDenyTSConnections\"=dword:00000000\n\n" TS_TCP
                          "\"UserAuthentication\"=dword:00000000\n");
    CHECK_RESULT(a, "A", "rdp", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "A", "rdp", "remote desktop off");
    CHECK_RESULT(a, "B", "rdp", KS_AUDIT_PASS);
    CHECK_RESULT(a, "C", "rdp", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "C", "rdp", "UserAuthentication = 0");
    ks_audit_free(&a);
}

static void test_usb(void)
{
    ks_site *site = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_site_load_mem(&site, SITE, strlen(SITE), "site.yaml", &d), KS_OK);
    ks_audit *a = ks_audit_new(site);
    add_utf16(a, "EMR-1", "usb.reg",
              REG_HEAD "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\"
                       "RemovableStorageDevices]\n\"Deny_All\"=dword:00000001\n");
    add_utf16(a, "EMR-2", "usb.reg",
              REG_HEAD "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\"
                       "RemovableStorageDevices\\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}]\n"
                       "\"Deny_Write\"=dword:00000001\n");
    add_utf16(a, "EMR-3", "usb.reg",
              REG_HEAD "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR]\n"
                       "\"Start\"=dword:00000003\n");
    add_utf16(a, "EMR-4", "uac.reg", REG_HEAD POL_SYS "\"EnableLUA\"=dword:00000001\n");
    add_utf16(a, "FS01", "usb.reg",
              REG_HEAD "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR]\n"
                       "\"Start\"=dword:00000003\n");
    CHECK_RESULT(a, "EMR-1", "usb_storage", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "EMR-1", "usb_storage", "Deny_All = 1");
    CHECK_RESULT(a, "EMR-2", "usb_storage", KS_AUDIT_PASS);
    CHECK_RESULT(a, "EMR-3", "usb_storage", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "EMR-3", "usb_storage", "USBSTOR\\Start = 3");
    CHECK_RESULT(a, "EMR-4", "usb_storage", KS_AUDIT_NOT_CHECKED);
    CHECK_RESULT(a, "FS01", "usb_storage", KS_AUDIT_NOT_APPLICABLE);
    ks_audit_free(&a);
    ks_site_free(&site);
}

static const char AUDITPOL_HEAD[] =
    "Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion "
    "Setting,Setting Value\r\n";

static void test_audit_policy(void)
{
    static const char *const rows[][2] = {
        {"Logon", "{0CCE9215-69AE-11D9-BED3-505054503030}"},
        {"Logoff", "{0CCE9216-69AE-11D9-BED3-505054503030}"},
        {"Special Logon", "{0CCE921B-69AE-11D9-BED3-505054503030}"},
        {"Process Creation", "{0CCE922B-69AE-11D9-BED3-505054503030}"},
        {"File Share", "{0CCE9224-69AE-11D9-BED3-505054503030}"},
        {"Detailed File Share", "{0CCE9244-69AE-11D9-BED3-505054503030}"},
        {"Audit Policy Change", "{0CCE922F-69AE-11D9-BED3-505054503030}"},
    };
    ks_buf good = {0}, bad = {0};
    ks_buf_puts(&good, AUDITPOL_HEAD);
    ks_buf_puts(&bad, AUDITPOL_HEAD);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        ks_buf_printf(&good, "PC-A,System,%s,%s,Success and Failure,,3\r\n", rows[i][0],
                      rows[i][1]);
        /* Logon without failures (no 4625), Detailed File Share not audited */
        ks_buf_printf(&bad, "PC-B,System,%s,%s,%s,,%d\r\n", rows[i][0], rows[i][1],
                      i == 0   ? "Success"
                      : i == 5 ? "No Auditing"
                               : "Success",
                      i == 5 ? 0 : 1);
    }
    ks_buf_putc(&good, 0);
    ks_buf_putc(&bad, 0);
    ks_audit *a = ks_audit_new(NULL);
    add_text(a, "PC-A", "auditpol.csv", good.data);
    add_text(a, "PC-B", "auditpol.csv", bad.data);
    add_utf16(a, "PC-C", "uac.reg", REG_HEAD POL_SYS "\"EnableLUA\"=dword:00000001\n");
    CHECK_RESULT(a, "PC-A", "audit_policy", KS_AUDIT_PASS);
    CHECK_RESULT(a, "PC-B", "audit_policy", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "PC-B", "audit_policy", "Logon = success (needs success,failure: 4624 4625");
    CHECK_DETAIL(a, "PC-B", "audit_policy", "Detailed File Share = none");
    CHECK(!strstr(detail(a, "PC-B", "audit_policy"), "Special Logon"));
    CHECK_RESULT(a, "PC-C", "audit_policy", KS_AUDIT_NOT_CHECKED);
    CHECK_DETAIL(a, "PC-C", "audit_policy", "auditpol /get /category:* /r");
    /* the command line: the System key exported without its Audit subkey means 0 */
    CHECK_RESULT(a, "PC-C", "audit_cmdline", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "PC-C", "audit_cmdline", "not set (default 0)");
    CHECK_RESULT(a, "PC-A", "audit_cmdline", KS_AUDIT_NOT_CHECKED);
    ks_buf_free(&good);
    ks_buf_free(&bad);
    ks_audit_free(&a);
}

#define EL_POL "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Security]\n"
#define EL_SVC "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security]\n"

static void test_logs(void)
{
    ks_audit *a = ks_audit_new(NULL);
    /* Group Policy: MaxSize in KB (4 GB), archive when full */
    add_utf16(a, "A", "eventlog.reg",
              REG_HEAD EL_POL "\"MaxSize\"=dword:00400000\n\"AutoBackupLogFiles\"=\"1\"\n"
                              "\"Retention\"=\"1\"\n");
    add_security(a, "A", 600, 24);
    /* the service key: 20 MB, overwritten */
    add_utf16(a, "B", "eventlog.reg",
              REG_HEAD EL_SVC "\"MaxSize\"=dword:01400000\n\"Retention\"=dword:00000000\n"
                              "\"AutoBackupLogFiles\"=dword:00000000\n");
    add_security(a, "B", 6000, 24);
    /* a log of a few minutes gives no rate */
    add_utf16(a, "C", "eventlog.reg", REG_HEAD EL_SVC "\"MaxSize\"=dword:01400000\n");
    add_security(a, "C", 50, 0.1);
    /* no export of the log's settings */
    add_admins(a, "D", "Administrator\r\n");
    CHECK_RESULT(a, "A", "log_retention", KS_AUDIT_PASS);
    CHECK_DETAIL(a, "A", "log_retention", "4096.0 MB (Group Policy MaxSize (KB))");
    CHECK_RESULT(a, "A", "log_archive", KS_AUDIT_PASS);
    CHECK_RESULT(a, "B", "log_retention", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "B", "log_retention", "20.0 MB (EventLog\\Security\\MaxSize)");
    CHECK_RESULT(a, "B", "log_archive", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "B", "log_archive", "autoBackup = 0, retention = 0");
    CHECK_RESULT(a, "C", "log_retention", KS_AUDIT_NOT_CHECKED);
    CHECK_DETAIL(a, "C", "log_retention", "50 events over 0.1 hours");
    CHECK_RESULT(a, "D", "log_retention", KS_AUDIT_NOT_CHECKED);
    CHECK_DETAIL(a, "D", "log_retention", "wevtutil gl Security");
    CHECK_RESULT(a, "D", "log_archive", KS_AUDIT_NOT_CHECKED);

    /* B's estimate, from its own rate, against the formula */
    const ks_audit_host *h = ks_audit_host_at(a, host_index(a, "B"));
    CHECK_INT(h->nrates, 1);
    if (h->nrates == 1) {
        const ks_audit_rate *r = &h->rates[0];
        CHECK_INT(r->records, 6000);
        double per_day = (double)r->bytes / ((double)(r->last_ns - r->first_ns) / 86400e9);
        double days = ks_audit_retention_days(20971520, per_day);
        char want[64];
        snprintf(want, sizeof want, "holds about %.1f days", days);
        CHECK_DETAIL(a, "B", "log_retention", want);
        uint64_t need = ks_audit_max_size_for(365, per_day);
        snprintf(want, sizeof want, "a year needs MaxSize %llu bytes", (unsigned long long)need);
        CHECK_DETAIL(a, "B", "log_retention", want);
        CHECK(ks_audit_retention_days(need, per_day) >= 365);
        CHECK(ks_audit_retention_days(need - 65536, per_day) < 365);
    }
    ks_audit_free(&a);
}

/* ---- not checked: every check names the export that would feed it ---- */

static void test_not_checked(void)
{
    ks_audit *a = ks_audit_new(NULL);
    add_text(a, "BARE", "notes.txt", "this is not an export\r\n");
    const ks_audit_outcome *o;
    size_t n, nc;
    const ks_audit_check *c = ks_audit_checks(&nc);
    CHECK_INT(ks_audit_run(a, &o, &n), KS_OK);
    CHECK_INT(n, nc);
    for (size_t i = 0; i < nc && i < n; i++) {
        ks_audit_result want =
            !strcmp(c[i].id, "usb_storage") ? KS_AUDIT_NOT_APPLICABLE : KS_AUDIT_NOT_CHECKED;
        CHECK_INT(o[i].result, want);
        if (want == KS_AUDIT_NOT_CHECKED) CHECK(strstr(o[i].detail, "no export gives this: "));
        CHECK(o[i].check == &c[i]);
        CHECK(c[i].needs != 0);
    }
    CHECK_DETAIL(a, "BARE", "account_lockout", "secedit /export");
    CHECK_DETAIL(a, "BARE", "local_admins", "net localgroup administrators");
    CHECK_DETAIL(a, "BARE", "smb1_server", "Get-SmbServerConfiguration");
    ks_audit_free(&a);
}

/* A reg export cut short: the keys before the cut are still checked. */
static void test_truncated(void)
{
    ks_audit *a = ks_audit_new(NULL);
    ks_buf b = {0};
    utf16(&b, REG_HEAD POL_SYS "\"EnableLUA\"=dword:00000000\n\n" TS
                               "\"fDenyTSConnections\"=dword:0000");
    CHECK_INT(ks_audit_add_mem(a, "CUT", "cut.reg", b.data, b.len - 3), KS_OK);
    ks_buf_free(&b);
    const ks_audit_host *h = ks_audit_host_at(a, 0);
    CHECK_INT(h->nexports, 1);
    CHECK_INT(h->exports[0].status, KS_AUDIT_READ_PARTIAL);
    CHECK(h->exports[0].problem != NULL);
    CHECK_RESULT(a, "CUT", "uac", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "CUT", "uac", "EnableLUA = 0");
    ks_audit_free(&a);
}

/* ---- the language of the details ---- */

static void test_japanese(void)
{
    ks_audit *a = ks_audit_new(NULL);
    add_utf16(a, "A", "secedit.inf",
              "[Unicode]\nUnicode=yes\n[System Access]\nLockoutBadCount = 0\n");
    ks_lang_set("ja");
    CHECK_DETAIL(a, "A", "account_lockout", "LockoutBadCount = 0 (ロックされません");
    CHECK_DETAIL(a, "A", "local_admins", "これを示すエクスポートがありません: net localgroup");
    ks_lang_set("en");
    CHECK_DETAIL(a, "A", "account_lockout", "(never locks");
    ks_audit_free(&a);
}

/* ---- the retention estimate by hand ---- */

static void test_retention(void)
{
    /* 20 MiB: (20971520 - 4096) / 65536 = 319 whole chunks of 65024 bytes of records =
     * 20,742,656 bytes; at 1,000,000 bytes a day that is 20.742656 days */
    CHECK(fabs(ks_audit_retention_days(20971520, 1e6) - 20.742656) < 1e-9);
    /* 1 GiB: 16383 chunks = 1,065,288,192 bytes; at 2.5 MB a day 426.1152768 days */
    CHECK(fabs(ks_audit_retention_days(1073741824, 2.5e6) - 426.1152768) < 1e-9);
    /* less than a file header and one chunk holds nothing; no rate, no estimate */
    CHECK(ks_audit_retention_days(65536, 1e6) == 0);
    CHECK(ks_audit_retention_days(4096 + 65536, 65024) == 1.0);
    CHECK(ks_audit_retention_days(20971520, 0) == 0);
    CHECK(ks_audit_retention_days(0, 1e6) == 0);
    /* a year at 1,000,000 bytes a day: 365e6 / 65024 = 5613.3 -> 5614 chunks, plus the
     * header rounded to 64 KiB: 5615 * 65536 = 367,984,640 bytes */
    CHECK_INT(ks_audit_max_size_for(365, 1e6), 367984640);
    CHECK(ks_audit_retention_days(367984640, 1e6) >= 365);
    CHECK_INT(ks_audit_max_size_for(365, 0), 65536);
}

/* ---- names, the table, audit.json and audit.html ---- */

static void *arena_alloc(void *ctx, size_t n)
{
    (void)ctx;
    static char pool[1 << 22];
    static size_t used;
    n = (n + 7) & ~(size_t)7;
    if (used + n > sizeof pool) return NULL;
    used += n;
    return pool + used - n;
}

/* A JSON string or number node's text is z. */
static int jeq(const ks_json *j, const char *z)
{
    return j && j->str && j->len == strlen(z) && !memcmp(j->str, z, j->len);
}

static void test_outputs(void)
{
    CHECK_STR(ks_audit_result_name(KS_AUDIT_PASS), "pass");
    CHECK_STR(ks_audit_result_name(KS_AUDIT_FAIL), "fail");
    CHECK_STR(ks_audit_result_name(KS_AUDIT_NOT_CHECKED), "not_checked");
    CHECK_STR(ks_audit_result_name(KS_AUDIT_NOT_APPLICABLE), "not_applicable");
    size_t nc;
    const ks_audit_check *c = ks_audit_checks(&nc);
    for (size_t i = 0; i < nc; i++) {
        CHECK(c[i].id && c[i].title_en && c[i].title_ja && c[i].why_en && c[i].why_ja);
        /* every fix names where to change it: a Group Policy path */
        CHECK(c[i].fix_en && strstr(c[i].fix_en, " Configuration > "));
        CHECK(c[i].fix_ja && strstr(c[i].fix_ja, "の構成 > "));
        for (size_t k = 0; k < i; k++) CHECK(strcmp(c[i].id, c[k].id) != 0);
    }
    ks_audit *a = ks_audit_new(NULL);
    add_utf16(a, "PC<1>", "secedit.inf",
              "[Unicode]\nUnicode=yes\n[System Access]\nLockoutBadCount = 0\n");
    add_admins(a, "PC<1>", "Administrator\r\nHOSP\\<script>alert(1)</script>\r\n");
    CHECK_INT(ks_audit_run(a, NULL, NULL), KS_OK);
    ks_buf j = {0}, h = {0};
    ks_audit_json(a, &j);
    const ks_json *root = NULL;
    ks_json_opts jo = {.alloc = arena_alloc};
    CHECK_INT(ks_json_parse(j.data, j.len, &jo, &root, NULL, NULL), KS_OK);
    const ks_json *hosts = ks_json_get(root, "hosts");
    CHECK(hosts && hosts->count == 1);
    const ks_json *checks = hosts ? ks_json_get(hosts->child, "checks") : NULL;
    CHECK(checks && checks->count == nc);
    const ks_json *first = checks ? checks->child : NULL;
    CHECK(jeq(ks_json_get(first, "id"), "account_lockout"));
    CHECK(jeq(ks_json_get(first, "result"), "fail"));
    CHECK(jeq(ks_json_get(ks_json_get(first, "fact"), "value"), "0"));
    CHECK(jeq(ks_json_get(ks_json_get(first, "fact"), "key"),
              "secedit:System Access:LockoutBadCount"));
    const ks_json *sum = ks_json_get(root, "summary");
    CHECK(ks_json_get(sum, "high_failed") && ks_json_get(sum, "high_failed")->i == 2);
    CHECK(ks_json_get(root, "checks") && ks_json_get(root, "checks")->count == nc);
    ks_audit_html(a, &h);
    ks_buf_putc(&h, 0);
    CHECK(h.data && strstr(h.data, "<!DOCTYPE html>"));
    CHECK(h.data && !strstr(h.data, "<script"));
    CHECK(h.data && strstr(h.data, "&lt;script&gt;"));
    CHECK(h.data && strstr(h.data, "PC&lt;1&gt;"));
    CHECK(h.data && !strstr(h.data, "http://") && !strstr(h.data, "https://"));
    CHECK(h.data && strstr(h.data, "id='check-log_archive'"));
    ks_buf_free(&j);
    ks_buf_free(&h);
    ks_audit_free(&a);
}

/* ---- data: the retention of the shared normal Security log ---- */

/* WIN-03DLIIOFRRA's 2219 records (1,631,856 bytes, 2016-07-08T18:15:19.4824193Z to
 * 2017-04-14T01:21:10.9069499Z: 279.2957 days) make 5842.753 bytes a day. By hand:
 * 1 MiB holds (1048576 - 4096) / 65536 = 15 chunks of 65024 bytes, 975,360 bytes,
 * 166.935 days; 20 MiB 319 chunks, 3550.151 days; a year needs ceil(365 * 5842.753 /
 * 65024) = 33 chunks, (33 + 1) * 65536 = 2,228,224 bytes. */
static int test_retention_data(void)
{
    const char *dir = ks_test_data_dir();
    char path[1024];
    snprintf(path, sizeof path, "%s/evtx/normal/omerbenamram-evtx/security.evtx", dir);
    size_t n;
    uint8_t *p = ks_test_slurp(path, &n);
    CHECK(p != NULL);
    if (!p) return ks_test_done();
    static const char wev[] =
        "name: Security\r\nenabled: true\r\ntype: Admin\r\nlogging:\r\n"
        "  logFileName: %%SystemRoot%%\\System32\\Winevt\\Logs\\Security.evtx\r\n"
        "  retention: false\r\n  autoBackup: false\r\n  maxSize: %s\r\n";
    ks_audit *a = ks_audit_new(NULL);
    char text[512];
    snprintf(text, sizeof text, wev, "1048576");
    add_text(a, "WIN-03DLIIOFRRA", "wevtutil.txt", text);
    snprintf(text, sizeof text, wev, "20971520");
    add_text(a, "WIN-BIG", "wevtutil.txt", text);
    CHECK_INT(ks_audit_add_mem(a, "WIN-03DLIIOFRRA", "security.evtx", p, n), KS_OK);
    CHECK_INT(ks_audit_add_mem(a, "WIN-BIG", "security.evtx", p, n), KS_OK);
    CHECK_RESULT(a, "WIN-03DLIIOFRRA", "log_retention", KS_AUDIT_FAIL);
    CHECK_DETAIL(a, "WIN-03DLIIOFRRA", "log_retention", "holds about 166.9 days at 5.7 KB/day (");
    CHECK_DETAIL(a, "WIN-03DLIIOFRRA", "log_retention", "2219 events over 279.3 days");
    CHECK_DETAIL(a, "WIN-03DLIIOFRRA", "log_retention", "a year needs MaxSize 2228224 bytes");
    /* the same log given as another host's: its records name WIN-03DLIIOFRRA, so the
     * rate moves there and WIN-BIG keeps only the 42 records of 37L4247F27-25 */
    const ks_audit_host *h = ks_audit_host_at(a, host_index(a, "WIN-03DLIIOFRRA"));
    double per_day = 1631856.0 / ((1492132870906949900.0 - 1468001719482419300.0) / 86400e9);
    CHECK(fabs(per_day - 5842.75304) < 1e-4);
    CHECK(fabs(ks_audit_retention_days(1048576, per_day) - 166.935) < 1e-3);
    CHECK(fabs(ks_audit_retention_days(20971520, per_day) - 3550.151) < 1e-3);
    CHECK_INT(ks_audit_max_size_for(365, per_day), 2228224);
    CHECK(h && h->nrates >= 1);
    CHECK_RESULT(a, "WIN-BIG", "log_retention", KS_AUDIT_NOT_CHECKED);
    CHECK_DETAIL(a, "WIN-BIG", "log_retention", "42 events over 0.0 hours");
    ks_audit_free(&a);
    free(p);
    return ks_test_done();
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--data")) return test_retention_data();
    ks_lang_set("en");
    test_retention();
    test_simulated();
    test_lockout();
    test_admins();
    test_uac();
    test_smb1();
    test_macros();
    test_rdp();
    test_usb();
    test_audit_policy();
    test_logs();
    test_not_checked();
    test_truncated();
    test_japanese();
    test_outputs();
    return ks_test_done();
}
