/* Built-in detectors on real logs (../shared/data): each detector finds its signal
 * in the attack samples that carry it, and the normal logs raise only the findings
 * listed here, each with the reason it is right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensa/detect.h"
#include "kensa/kensa.h"

#include "detect_hunt.h"

/* Run every detector over a file or folder under the shared data. */
static void hunt(got *g, const char *rel, const ks_detect_override *ov, size_t nov)
{
    hunt_in(g, rel, ov, nov, NULL);
}

#define ATTACK "evtx/attack/EVTX-to-MITRE-Attack/"

static void test_brute_force(void)
{
    got g;
    /* AccountRestore guessing local passwords: 16 failures in under a second, 8 for
     * Admin and 8 for Administrator, no address (local logons) */
    hunt(&g,
         ATTACK "TA0006-Credential Access/T1110.xxx-Brut force/ID 4776,4625-AccountRestore local "
                "bruteforce.evtx",
         NULL, 0);
    CHECK_INT(g.n, 2);
    CHECK_INT(count_of(&g, "brute_force"), 2);
    const ks_finding *a = nth(&g, "brute_force", 0), *b = nth(&g, "brute_force", 1);
    if (a && b) {
        CHECK_STR(a->host, "WIN");
        CHECK_INT(a->count + b->count, 16);
        CHECK(!strcmp(a->user, "Admin") || !strcmp(b->user, "Admin"));
        CHECK(!strcmp(a->user, "Administrator") || !strcmp(b->user, "Administrator"));
        CHECK_INT(a->variant, 0);
    }
    /* OpenSSH guessing: 5 failures for one account: below the default (8), found at 5 */
    const char *ssh = ATTACK "TA0006-Credential Access/T1110.xxx-Brut force/ID4625-OpenSSH "
                             "brutforce with valid users.evtx";
    hunt(&g, ssh, NULL, 0);
    CHECK_INT(count_of(&g, "brute_force"), 0);
    ks_detect_override five[] = {{"brute_force", "count", 5}};
    hunt(&g, ssh, five, 1);
    CHECK_INT(count_of(&g, "brute_force"), 1);
    a = nth(&g, "brute_force", 0);
    if (a) {
        CHECK_STR(a->user, "admmig@offsec.lan");
        CHECK_INT(a->count, 5);
        CHECK_INT(a->nevidence, 5);
    }
    /* RdpCoreTS 131: 14 connections within 2 s from 10.23.123.11 to each of 11
     * servers (a scan and guessing without user names) */
    hunt(&g,
         ATTACK
         "TA0007-Discovery/T1046-Network Service Scanning/ID131-RDP brutforce (no user info).evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "brute_force"), 11);
    for (int i = 0; i < 11; i++) {
        a = nth(&g, "brute_force", i);
        if (!a) break;
        CHECK_STR(a->src_ip, "10.23.123.11");
        CHECK_INT(a->count, 14);
        CHECK_INT(a->variant, 4);
        CHECK_INT(a->severity, KS_LEVEL_MEDIUM);
    }
}

static void test_password_spray(void)
{
    got g;
    /* Kerbrute: 4771 pre-authentication failures for 22 accounts from one address */
    hunt(&g,
         ATTACK "TA0006-Credential Access/T1110.xxx-Brut force/ID4768-4771-Kerberos user "
                "enumeration (Kerbrute).evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "password_spray"), 1);
    const ks_finding *f = nth(&g, "password_spray", 0);
    if (f) {
        CHECK_STR(f->src_ip, "10.23.123.11");
        CHECK_STR(f->host, "rootdc1.offsec.lan");
        CHECK_INT(f->accounts, 22);
        CHECK_STR(f->categories[0], "password_spray");
    }
}

static void test_rdp_logon(void)
{
    got g;
    /* 1149 from 10.23.123.11 to 11 hosts around 10:25 UTC: inside, in business hours
     * (8-18 UTC here): nothing; with business from 11:00 they are after hours */
    const char *rdp = ATTACK "TA0001-Initial access/T1078-Valid accounts/ID1149-RDP success logins "
                             "to multiple hosts.evtx";
    hunt(&g, rdp, NULL, 0);
    CHECK_INT(count_of(&g, "rdp_logon"), 0);
    ks_detect_override late[] = {{"rdp_logon", "business_start", 11}};
    hunt(&g, rdp, late, 1);
    CHECK_INT(count_of(&g, "rdp_logon"), 11);
    const ks_finding *f = nth(&g, "rdp_logon", 0);
    if (f) {
        CHECK_STR(f->user, "admmig");
        CHECK_STR(f->src_ip, "10.23.123.11");
        CHECK_INT(f->variant, 2);
        CHECK_INT(f->severity, KS_LEVEL_MEDIUM);
    }
}

static void test_logs(void)
{
    got g;
    /* 90 x 104 and a 1102 by admmig: one finding naming the logs */
    hunt(&g,
         ATTACK "TA0005-Defense Evasion/T1070.001-Clear Windows event logs/ID104-1102-Event log "
                "cleared.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "log_cleared"), 1);
    const ks_finding *f = nth(&g, "log_cleared", 0);
    if (f) {
        CHECK_INT(f->count, 91);
        CHECK_STR(f->user, "admmig");
        CHECK_STR(f->host, "FS03.offsec.lan");
        CHECK(!strncmp(f->detail, "System, Security, Application", 29));
    }
    /* the System log of a lab machine: Windows 7 logs the event log service
     * stopping at every shutdown, always followed by a boot: nothing */
    hunt(&g, "evtx/realistic-mixed", NULL, 0);
    CHECK_INT(count_of(&g, "eventlog_tampering"), 0);
}

static void test_persistence(void)
{
    got g;
    hunt(&g,
         ATTACK "TA0003-Persistence/T1543.003-Create or Modify System Process-Windows "
                "Service/ID7045-4697-SMBexec service registration.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "service_install"), 1);
    const ks_finding *f = nth(&g, "service_install", 0);
    if (f) {
        CHECK(!strncmp(f->detail, "BTOBTO, %COMSPEC% /Q /c echo", 28));
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK_INT(f->count, 2); /* 7045 and 4697 of the same install */
    }
    /* 244 services whose names are a base64 script (Tchopper): one finding */
    hunt(&g,
         ATTACK "TA0002-Execution/T1569.002-Service execution/ID7000,7009,7045-Payload deployed "
                "via service - Tchopper.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "service_install"), 1);
    f = nth(&g, "service_install", 0);
    if (f) CHECK_INT(f->count, 244);

    hunt(&g,
         ATTACK "TA0002-Execution/T1053.005-Scheduled Task/ID4688-4698 Persistent scheduled task "
                "with SYSTEM privileges creation.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "scheduled_task"), 1);
    f = nth(&g, "scheduled_task", 0);
    if (f) {
        CHECK_INT(f->severity, KS_LEVEL_HIGH); /* C:\tools: outside Windows and Program Files */
        CHECK(strstr(f->detail, "eviltask") != NULL);
        CHECK_INT(f->count, 2); /* schtasks /create and 4698 */
    }
    hunt(&g,
         ATTACK "TA0002-Execution/T1053.005-Scheduled Task/ID4698-4699-Fast created & deleted task "
                "by ATexec (susp. arg.).evtx",
         NULL, 0);
    f = nth(&g, "scheduled_task", 0);
    CHECK(f && f->severity == KS_LEVEL_HIGH && strstr(f->detail, "cmd.exe /C whoami"));

    hunt(&g,
         ATTACK "TA0003-Persistence/T1098.xxx-Account manipulation/ID4728-4756-Member added to "
                "sensitive domain groups.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "account_manipulation"), 1);
    f = nth(&g, "account_manipulation", 0);
    if (f) {
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK(strstr(f->detail, "Domain Admins") && strstr(f->detail, "Enterprise Admins"));
        CHECK_STR(f->user, "honey-pot1");
    }
    hunt(&g, ATTACK "TA0003-Persistence/T1136-Create account/ID4720-Admin like user created.evtx",
         NULL, 0);
    f = nth(&g, "account_manipulation", 0);
    CHECK(f && !strcmp(f->user, "admin-kriss") && f->severity == KS_LEVEL_MEDIUM);
    /* net user toto3 PASSWORD /add: the finding names the account, not the password;
     * the member added by SID is named from the 4720 that created it */
    hunt(&g,
         ATTACK "TA0003-Persistence/T1136-Create account/ID4688-User creation via commandline.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "account_manipulation"), 1);
    f = nth(&g, "account_manipulation", 0);
    if (f) {
        CHECK_STR(f->user, "toto3");
        CHECK(strstr(f->detail, "net  user toto3 **** /add") != NULL);
        CHECK(strstr(f->detail, "kjh") == NULL && strstr(f->explanation, "kjh") == NULL);
    }
}

static void test_recovery(void)
{
    got g;
    static const struct {
        const char *file;
        const char *category;
        ks_level level;
        const char *cmd;
    } cases[] = {
        {ATTACK "TA0040-Impact/T1490-Inhibit System Recovery/ID4688-Delete VSS backup (WMI).evtx",
         "shadow_copy_deletion", KS_LEVEL_CRITICAL, "wmic  shadowcopy delete /nointeractive"},
        {ATTACK "TA0040-Impact/T1490-Inhibit System Recovery/ID800-4103-4104-Delete VSS backup "
                "(PowerShell).evtx",
         "shadow_copy_deletion", KS_LEVEL_CRITICAL,
         "Get-WmiObject Win32_Shadowcopy | ForEach-Object {$_.Delete();}"},
        {ATTACK
         "TA0040-Impact/T1490-Inhibit System Recovery/ID4688-Delete Window backup (webadmin).evtx",
         "inhibit_recovery", KS_LEVEL_HIGH,
         "wbadmin  delete backup -backupTarget:m:\\ -deleteOldest"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hunt(&g, cases[i].file, NULL, 0);
        CHECK_INT(count_of(&g, "shadow_copy_deletion"), 1);
        const ks_finding *f = nth(&g, "shadow_copy_deletion", 0);
        if (!f) continue;
        CHECK_STR(f->categories[0], cases[i].category);
        CHECK_INT(f->severity, cases[i].level);
        CHECK_STR(f->detail, cases[i].cmd);
        CHECK_STR(f->host, "FS03.offsec.lan");
    }
}

static void test_remote_tools(void)
{
    got g;
    hunt(&g,
         ATTACK "TA0003-Persistence/T1543.003-Create or Modify System Process-Windows "
                "Service/ID7045-7036 PSexec service installation.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "remote_access_tool"), 1);
    const ks_finding *f = nth(&g, "remote_access_tool", 0);
    CHECK(f && !strncmp(f->detail, "PsExec, PSEXESVC", 16));
    /* Sysmon: PsExec64.exe started, PSEXESVC's pipes */
    hunt(&g, ATTACK "EVTX_full_APT_attack_steps/ID11,13,17,18-PSexec as system execution.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "remote_access_tool"), 1);
    f = nth(&g, "remote_access_tool", 0);
    if (f) {
        CHECK(strstr(f->detail, "PsExec64.exe") && strstr(f->detail, "PSEXESVC"));
        CHECK(f->count >= 8);
    }
    /* the SANS lab's System log: PSEXESVC installed 4 times on 2 days */
    hunt(&g, "evtx/realistic-mixed", NULL, 0);
    CHECK_INT(count_of(&g, "remote_access_tool"), 2);
    int installs = 0;
    for (int i = 0; i < 2; i++)
        if ((f = nth(&g, "remote_access_tool", i))) installs += (int)f->count;
    CHECK_INT(installs, 4);
}

static void test_credential_dumping(void)
{
    got g;
    static const struct {
        const char *file;
        ks_level level;
        const char *detail;
    } cases[] = {
        {ATTACK
         "TA0006-Credential Access/T1003-Credential dumping/ID10-Mimikatz LSASS process dump.evtx",
         KS_LEVEL_CRITICAL, "C:\\TOOLS\\Mimikatzx64\\mimikatz.exe"},
        {ATTACK "TA0006-Credential Access/T1003-Credential dumping/ID4688-IFM created.evtx",
         KS_LEVEL_CRITICAL, "ntdsutil.exe  'ac i ntds' 'ifm' 'create full c:\\hacker' q q"},
        {ATTACK "TA0008-Lateral Movement/T1550-Use Alternate Authentication "
                "Material/ID4624-Mimikatz Pass the hash.evtx",
         KS_LEVEL_HIGH, "logon type 9 (seclogo)"},
        {ATTACK "TA0006-Credential Access/T1003-Credential dumping/ID4663-Task Manager used to "
                "dump LSASS process.evtx",
         KS_LEVEL_HIGH, "C:\\Windows\\System32\\Taskmgr.exe"},
        {ATTACK "TA0006-Credential Access/T1003-Credential dumping/ID800-4103-4104-LSASS dump with "
                "LSASSY (PowerShell).evtx",
         KS_LEVEL_CRITICAL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hunt(&g, cases[i].file, NULL, 0);
        CHECK_INT(count_of(&g, "credential_dumping"), 1);
        const ks_finding *f = nth(&g, "credential_dumping", 0);
        if (!f) continue;
        CHECK_INT(f->severity, cases[i].level);
        if (cases[i].detail)
            CHECK(!strncmp(f->detail, cases[i].detail, strlen(cases[i].detail)));
        else
            CHECK(strstr(f->detail, "comsvcs.dll, MiniDump") != NULL);
    }
}

static void test_impairment(void)
{
    got g;
    static const struct {
        const char *file, *detector;
        int count;
        const char *detail;
    } cases[] = {
        {ATTACK "TA0005-Defense Evasion/T1562.001-Impair Defenses-Disable or Modify "
                "tool/ID4688-Defender service deactivation attempt.evtx",
         "defense_impairment", 3, "sc  config sense start= disabled"},
        {ATTACK "TA0005-Defense Evasion/T1562.002-Disable Windows Event Logging/ID4688-Audit "
                "policy clear attempt.evtx",
         "defense_impairment", 1, "\"C:\\Windows\\system32\\auditpol.exe\"  /clear /y"},
        {ATTACK "TA0005-Defense Evasion/T1562.001-Impair Defenses-Disable or Modify "
                "tool/ID800-4103-4104 Defender default action allow any (PowerShell).evtx",
         "defense_impairment", 1, "Set-MpPreference -HighThreatDefaultAction 6 -Force"},
        {ATTACK "TA0005-Defense Evasion/T1070.001-Clear Windows event logs/ID4688-Clear event log "
                "attempt (native).evtx",
         "anti_forensics", 14, "\"C:\\Windows\\system32\\wevtutil.exe\"  cl "},
        {ATTACK "TA0005-Defense Evasion/T1070.001-Clear Windows event logs/ID800-4103-4104-Clear "
                "event log attempt.evtx",
         "anti_forensics", 1, "Clear-EventLog -LogName application, system -confirm"},
        {ATTACK "TA0005-Defense Evasion/T1027-Obfuscated Files or Information/ID1-CrackMapExec "
                "payload execution.evtx",
         "attacker_tool", 2, "NetExec/CrackMapExec, cmd.exe /Q /c powershell.exe -exec bypass"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hunt(&g, cases[i].file, NULL, 0);
        CHECK_INT(count_of(&g, cases[i].detector), 1);
        const ks_finding *f = nth(&g, cases[i].detector, 0);
        if (!f) continue;
        CHECK_INT(f->count, cases[i].count);
        if (strncmp(f->detail, cases[i].detail, strlen(cases[i].detail)))
            fprintf(stderr, "%s: %s\n", cases[i].detector, f->detail);
        CHECK(!strncmp(f->detail, cases[i].detail, strlen(cases[i].detail)));
    }
    /* a PowerShell module manifest lists Clear-EventLog; it clears nothing */
    hunt(&g,
         ATTACK "TA0006-Credential Access/T1003-Credential dumping/ID800-4103-4104-LSASS dump with "
                "LSASSY (PowerShell).evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "anti_forensics"), 0);
}

/* Logs copied out of volume shadow copies, with records the reader recovers from
 * overwritten space and a few it cannot read: record ids jump, but that is damage,
 * and it is reported as such (low), never as records deleted (high). */
static void test_damaged(void)
{
    got g;
    hunt(&g, "evtx/corrupted/omerbenamram-evtx", NULL, 0);
    int gaps = 0;
    for (int i = 0; i < g.n && i < MAXF; i++) {
        const ks_finding *f = &g.f[i];
        if (strcmp(f->detector->id, "eventlog_tampering")) continue;
        CHECK_INT(f->variant, 3);
        CHECK_INT(f->severity, KS_LEVEL_LOW);
        gaps++;
    }
    CHECK(gaps > 0);
}

/* share_enumeration: 10.23.23.9 reaching ADMIN$, IPC$ and C$ on rootdc1 within 3
 * minutes (8 accesses, failed ADMIN$ attempts among them): three shares, below the
 * default (6), found at 3; no sample walks files on a data share */
static void test_share_enumeration(void)
{
    got g;
    const char *f5140 =
        ATTACK "TA0007-Discovery/T1135.xxx-Network Share Discovery/ID5140-Failed ADMIN$ share "
               "access.evtx";
    hunt(&g, f5140, NULL, 0);
    CHECK_INT(count_of(&g, "share_enumeration"), 0);
    ks_detect_override three[] = {{"share_enumeration", "shares", 3}};
    hunt(&g, f5140, three, 1);
    CHECK_INT(count_of(&g, "share_enumeration"), 1);
    const ks_finding *f = nth(&g, "share_enumeration", 0);
    if (f) {
        CHECK_STR(f->host, "rootdc1.offsec.lan");
        CHECK_STR(f->src_ip, "10.23.23.9");
        CHECK_STR(f->detail, "ADMIN$, IPC$, C$");
        CHECK_INT(f->count, 8);
        CHECK_INT(f->variant, 0);
    }
    /* the whole attack corpus at the defaults: no walk of 6 shares or 200 files */
    hunt(&g, "evtx/attack", NULL, 0);
    CHECK_INT(count_of(&g, "share_enumeration"), 0);
    CHECK_INT(count_of(&g, "long_session"), 0);
    CHECK_INT(count_of(&g, "smb1_use"), 0);
}

/* rdp_config_change: netsh port forwarding to RDP, abbreviated ("netsh I p a v
 * l=8001 listena=0.0.0.0 connectp=3389") and in full, two commands on fs01: one
 * finding; nothing else in the attack corpus opens RDP up */
static void test_rdp_config(void)
{
    got g;
    hunt(&g,
         ATTACK "TA0011-Command and Control/T1572-Protocol tunneling/ID4688-netsh RDP port "
                "forwarding abuse.evtx",
         NULL, 0);
    CHECK_INT(count_of(&g, "rdp_config_change"), 1);
    const ks_finding *f = nth(&g, "rdp_config_change", 0);
    if (f) {
        CHECK_STR(f->host, "fs01.offsec.lan");
        CHECK_STR(f->user, "admmig");
        CHECK_INT(f->count, 2);
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK(!strncmp(f->detail, "netsh  I p a v l=8001 listena=0.0.0.0 connectp=3389", 51));
        CHECK(strstr(f->detail, "portproxy add v4tov4") != NULL);
    }
    hunt(&g, "evtx/attack", NULL, 0);
    CHECK_INT(count_of(&g, "rdp_config_change"), 1);
}

/* The VPN samples: every successful login is its account's first in its log (nothing
 * new for vpn_new_source); from outside Japan by the CC0 country database (when
 * installed): Cisco AnyConnect from 81.2.69.144 (GB) and 67.43.156.14, Pulse Secure
 * from 89.160.20.156 (SE), twice in two logs */
static void test_vpn(void)
{
    got g;
    hunt(&g, "syslog", NULL, 0);
    CHECK_INT(count_of(&g, "vpn_new_source"), 0);
    CHECK_INT(count_of(&g, "brute_force"), 0);
    int foreign = count_of(&g, "vpn_foreign");
    if (!foreign) {
        fprintf(stderr, "test_vpn: no GeoIP database: vpn_foreign not checked\n");
        return;
    }
    CHECK_INT(foreign, 5);
    int gb = 0, se = 0;
    for (int i = 0; i < foreign; i++) {
        const ks_finding *f = nth(&g, "vpn_foreign", i);
        if (!f) break;
        gb += !strcmp(f->detail, "GB 81.2.69.144");
        se += !strcmp(f->detail, "SE 89.160.20.156") && !strcmp(f->user, "user.name");
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
    }
    CHECK_INT(gb, 2);
    CHECK_INT(se, 2);
    /* with the home country GB the British logins are not foreign */
    ks_detect_opts o = {NULL, 0, "UTC", on_finding, &g, "GB", NULL, NULL};
    ks_detect *d = NULL;
    ks_diag diag = {0};
    memset(&g, 0, sizeof g);
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    char path[1024];
    snprintf(path, sizeof path, "%s/syslog", data);
    CHECK_INT(ks_evidence_walk(path, on_file, d, &diag), KS_OK);
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "vpn_foreign"), 3);
}

/* The benign logs. Every finding they raise is listed with why it is right. */
static void test_normal(void)
{
    got g;
    hunt(&g, "evtx/normal", NULL, 0);
    /* none of these may appear in benign logs */
    CHECK_INT(count_of(&g, "brute_force"), 0);
    CHECK_INT(count_of(&g, "password_spray"), 0);
    CHECK_INT(count_of(&g, "logon_after_failures"), 0);
    CHECK_INT(count_of(&g, "rdp_logon"), 0);
    CHECK_INT(count_of(&g, "shadow_copy_deletion"), 0);
    CHECK_INT(count_of(&g, "remote_access_tool"), 0);
    CHECK_INT(count_of(&g, "scheduled_task"), 0);
    CHECK_INT(count_of(&g, "vpn_new_source"), 0);
    CHECK_INT(count_of(&g, "share_enumeration"), 0);
    CHECK_INT(count_of(&g, "smb1_use"), 0);
    CHECK_INT(count_of(&g, "ransomware_execution"), 0);
    CHECK_INT(count_of(&g, "rdp_config_change"), 0);
    /* no network or RDP logon session lasts 12 h on a host with 20 such logons */
    CHECK_INT(count_of(&g, "long_session"), 0);
    /* 39 network logons, none at a new hour outside 07-20 UTC for a known account */
    CHECK_INT(count_of(&g, "off_duty_logon"), 0);
    /* 36 x 1100 in security.evtx are shutdowns: each followed by 4608 at the next
     * boot, or by nothing (the log ends, or the host was renamed at the reboot) */
    CHECK_INT(count_of(&g, "eventlog_tampering"), 0);
    /* system.evtx: tony cleared the Sysmon log twice on his dev box (104 x 2, one
     * minute apart): a real clear, reported as one finding */
    CHECK_INT(count_of(&g, "log_cleared"), 1);
    const ks_finding *f = nth(&g, "log_cleared", 0);
    if (f) {
        CHECK_STR(f->user, "tony");
        CHECK_INT(f->count, 2);
        CHECK_STR(f->detail, "Microsoft-Windows-Sysmon/Operational");
    }
    /* system.evtx: 57 x 7045, all legitimate; one, Pathfinder, runs from
     * C:\Users\tony\AppData\Local\Temp\pytest-...: a program in a user's temp folder
     * run as a service is exactly what the detector is for (pytest installed it) */
    CHECK_INT(count_of(&g, "service_install"), 1);
    f = nth(&g, "service_install", 0);
    if (f)
        CHECK(!strncmp(f->detail, "Pathfinder, ", 12) && strstr(f->detail, "user-writable folder"));
    /* security.evtx: local accounts fsir and archir created and added to Users and
     * Administrators on 2016-07-08 (a new machine being set up), later Administrators
     * again twice and Performance Log Users: real account changes, each to review */
    CHECK_INT(count_of(&g, "account_manipulation"), 5);
    int high = 0;
    for (int i = 0; i < 5; i++)
        if ((f = nth(&g, "account_manipulation", i))) high += f->severity == KS_LEVEL_HIGH;
    CHECK_INT(high, 3); /* the three batches that add to Administrators */
    f = nth(&g, "account_manipulation", 0);
    if (f) {
        CHECK_STR(f->user, "fsir");
        CHECK_STR(f->detail, "None, Users, Administrators");
    }
    /* sysmon.evtx: tony's Procmon64.exe, run from his Temp folder, opened lsass
     * with full access (0x1fffff, 0x1410: memory reads), 4 times: exactly what a
     * dumping tool does; benign here (a developer tracing), worth a look anywhere */
    CHECK_INT(count_of(&g, "credential_dumping"), 1);
    f = nth(&g, "credential_dumping", 0);
    if (f) {
        CHECK_STR(f->detail, "C:\\Users\\tony\\AppData\\Local\\Temp\\Procmon64.exe");
        CHECK_INT(f->count, 4);
    }
    /* system.evtx: DESKTOP-2KGM189 got a removable volume (WPD, 2017-07-20) and a USB
     * SD card reader (2017-07-27): real USB storage, low without a site file, one
     * finding per day (checked in test_detect_terminal_data) */
    CHECK_INT(count_of(&g, "usb_storage"), 2);
    for (int i = 0; i < 2; i++)
        if ((f = nth(&g, "usb_storage", i))) CHECK_INT(f->severity, KS_LEVEL_LOW);
    /* no Office program, mail client or browser starts a shell in these logs */
    CHECK_INT(count_of(&g, "policy_violation"), 0);
    CHECK_INT(g.n, 10);
}

int main(void)
{
    data = ks_test_data_dir();
    ks_lang_set("en");
    test_brute_force();
    test_password_spray();
    test_rdp_logon();
    test_logs();
    test_persistence();
    test_recovery();
    test_remote_tools();
    test_credential_dumping();
    test_impairment();
    test_damaged();
    test_share_enumeration();
    test_vpn();
    test_rdp_config();
    test_normal();
    return ks_test_done();
}
