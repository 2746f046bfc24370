/* The readiness audit's readers: synthetic exports in the shapes Windows' tools write
 * them (UTF-16LE with BOM, CP932 from a Japanese cmd, UTF-8 JSON), the facts each one
 * gives, located problems for malformed and cut-short exports, and hosts from folders.
 * With --data: the event rate of the shared normal Security log, against the counts,
 * sizes and times that `kensa dump` and the file's chunk headers give. */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/audit.h"
#include "kensa/site.h"
#include "kensa/source.h"

/* ---- helpers ---- */

/* utf8 converted to `to` ("UTF-16LE", "CP932"), with a BOM first when bom. */
static char *conv(const char *utf8, const char *to, int bom, size_t *n)
{
    size_t in_left = strlen(utf8), cap = in_left * 4 + 8, out_left = cap;
    char *out = malloc(cap), *o = out, *in = (char *)utf8;
    if (bom) *o++ = (char)0xff, *o++ = (char)0xfe, out_left -= 2;
    iconv_t cd = iconv_open(to, "UTF-8");
    if (cd == (iconv_t)-1 || iconv(cd, &in, &in_left, &o, &out_left) == (size_t)-1) {
        fprintf(stderr, "cannot convert to %s\n", to);
        exit(1);
    }
    iconv_close(cd);
    *n = (size_t)(o - out);
    return out;
}

/* Add text (UTF-8) in an encoding to host h; returns the export. */
static const ks_audit_export *add(ks_audit *a, const char *h, const char *name, const char *text,
                                  const char *enc)
{
    size_t n = strlen(text);
    char *data = enc ? conv(text, enc, !strcmp(enc, "UTF-16LE"), &n) : (char *)text;
    CHECK_INT(ks_audit_add_mem(a, h, name, data, n), KS_OK);
    if (enc) free(data);
    for (size_t i = 0; i < ks_audit_host_count(a); i++) {
        const ks_audit_host *ho = ks_audit_host_at(a, i);
        for (size_t k = ho->nexports; k-- > 0;)
            if (!strcmp(ho->exports[k].path, name)) return &ho->exports[k];
    }
    return NULL;
}

static const ks_audit_host *host(const ks_audit *a, const char *name)
{
    for (size_t i = 0; i < ks_audit_host_count(a); i++)
        if (!strcmp(ks_audit_host_at(a, i)->name, name)) return ks_audit_host_at(a, i);
    return NULL;
}

static const char *fact(const ks_audit *a, const char *h, const char *key)
{
    const char *v = ks_audit_fact_get(host(a, h), key, NULL);
    return v ? v : "(absent)";
}

static unsigned count_key(const ks_audit_host *h, const char *key)
{
    unsigned n = 0;
    for (size_t i = 0; h && i < h->nfacts; i++) n += !strcasecmp(h->facts[i].key, key);
    return n;
}

/* ---- secedit ---- */

static const char SECEDIT[] =
    "[Unicode]\r\n"
    "Unicode=yes\r\n"
    "[System Access]\r\n"
    "MinimumPasswordAge = 1\r\n"
    "MinimumPasswordLength = 12\r\n"
    "PasswordComplexity = 1\r\n"
    "LockoutBadCount = 10\r\n"
    "ResetLockoutCount = 30\r\n"
    "LockoutDuration = 30\r\n"
    "NewAdministratorName = \"Administrator\"\r\n"
    "[Event Audit]\r\n"
    "AuditLogonEvents = 3\r\n"
    "[Registry Values]\r\n"
    "MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\EnableLUA=4,1\r\n"
    "MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\"
    "ConsentPromptBehaviorAdmin=4,5\r\n"
    "MACHINE\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\ScRemoveOption=1,\"0\"\r\n"
    "MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\MSV1_0\\NTLMMinServerSec=4,537395200\r\n"
    "[Privilege Rights]\r\n"
    "SeRemoteInteractiveLogonRight = *S-1-5-32-544,*S-1-5-32-555\r\n"
    "SeDenyNetworkLogonRight = \r\n"
    "[Version]\r\n"
    "signature=\"$CHICAGO$\"\r\n"
    "Revision=1\r\n";

static void test_secedit(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "PC01", "secedit.inf", SECEDIT, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_SECEDIT);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_INT(ex->nproblems, 0);
    CHECK(ex->problem == NULL);
    CHECK_STR(fact(a, "PC01", "secedit:System Access:LockoutBadCount"), "10");
    CHECK_STR(fact(a, "PC01", "SECEDIT:system access:lockoutbadcount"), "10");
    CHECK_STR(fact(a, "PC01", "secedit:System Access:LockoutDuration"), "30");
    CHECK_STR(fact(a, "PC01", "secedit:System Access:NewAdministratorName"), "\"Administrator\"");
    CHECK_STR(fact(a, "PC01", "secedit:Unicode:Unicode"), "yes");
    CHECK_STR(fact(a, "PC01", "secedit:Event Audit:AuditLogonEvents"), "3");
    CHECK_STR(fact(a, "PC01", "secedit:Privilege Rights:SeRemoteInteractiveLogonRight"),
              "*S-1-5-32-544,*S-1-5-32-555");
    CHECK_STR(fact(a, "PC01", "secedit:Privilege Rights:SeDenyNetworkLogonRight"), "");
    CHECK_STR(fact(a, "PC01", "secedit:Version:signature"), "\"$CHICAGO$\"");
    /* [Registry Values] as registry facts */
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\"
                   "EnableLUA"),
              "1");
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\software\\microsoft\\windows\\currentversion\\policies\\system\\"
                   "consentpromptbehavioradmin"),
              "5");
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\"
                   "ScRemoveOption"),
              "0");
    CHECK_STR(fact(a, "PC01",
                   "secedit:Registry Values:MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\"
                   "MSV1_0\\NTLMMinServerSec"),
              "4,537395200");
    const ks_audit_fact *f;
    ks_audit_fact_get(host(a, "PC01"), "secedit:System Access:LockoutBadCount", &f);
    CHECK(f && f->line == 7);
    CHECK_STR(f ? f->file : NULL, "secedit.inf");
    CHECK(ks_audit_has(host(a, "PC01"), KS_AUDIT_SECEDIT));
    CHECK(!ks_audit_has(host(a, "PC01"), KS_AUDIT_REG));
    CHECK_INT(ex->nfacts, 21);
    ks_audit_free(&a);
    CHECK(a == NULL);
}

static void test_secedit_malformed(void)
{
    ks_audit *a = ks_audit_new(NULL);
    /* a line without '=', a line before any section, an open header, and the file cut
     * inside its last line */
    const char *text = "MinimumPasswordAge = 1\r\n"
                       "[System Access]\r\n"
                       "LockoutBadCount = 5\r\n"
                       "this line has no equals sign\r\n"
                       "[Privilege Rights\r\n"
                       "SeDebugPrivilege = *S-1-5-32-544\r\n"
                       "[System Access]\r\n"
                       "MinimumPasswordLength = 1";
    const ks_audit_export *ex = add(a, "PC01", "cut.inf", text, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_UNKNOWN); /* no [Section] first: not recognized */
    CHECK_INT(ex->status, KS_AUDIT_READ_FAILED);
    CHECK_STR(ex->problem, "text in no format kensa audit reads");
    ks_audit_free(&a);

    a = ks_audit_new(NULL);
    text = "[System Access]\r\n"
           "LockoutBadCount = 5\r\n"
           "this line has no equals sign\r\n"
           "[Privilege Rights\r\n"
           "SeDebugPrivilege = *S-1-5-32-544\r\n"
           "[System Access]\r\n"
           "MinimumPasswordLength = 1";
    ex = add(a, "PC01", "cut.inf", text, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_SECEDIT);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK_INT(ex->nproblems, 4);
    CHECK_STR(ex->problem, "line 3: expected \"Key = Value\": this line has no equals sign");
    CHECK_INT(ex->problem_line, 3);
    CHECK_STR(fact(a, "PC01", "secedit:System Access:LockoutBadCount"), "5");
    CHECK_STR(fact(a, "PC01", "secedit:System Access:MinimumPasswordLength"), "(absent)");
    CHECK_STR(fact(a, "PC01", "secedit:Privilege Rights:SeDebugPrivilege"), "(absent)");
    CHECK(ks_audit_has(host(a, "PC01"), KS_AUDIT_SECEDIT));
    ks_audit_free(&a);

    /* cut in the middle of a UTF-16 code unit: the last value is not trusted */
    a = ks_audit_new(NULL);
    size_t n;
    char *u = conv("[System Access]\r\nLockoutBadCount = 10\r\n", "UTF-16LE", 1, &n);
    CHECK_INT(ks_audit_add_mem(a, "PC02", "odd.inf", u, n - 3), KS_OK);
    ex = &host(a, "PC02")->exports[0];
    CHECK_INT(ex->status, KS_AUDIT_READ_FAILED); /* nothing left to read */
    CHECK_STR(ex->problem, "line 2: the export ends inside this line (cut short?)");
    CHECK_STR(fact(a, "PC02", "secedit:System Access:LockoutBadCount"), "(absent)");
    free(u);
    ks_audit_free(&a);
}

/* ---- reg ---- */

static const char REG5[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n"
    "\"SMB1\"=dword:00000000\r\n"
    "\"EnableSecuritySignature\"=dword:00000001\r\n"
    "\"ServiceDll\"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,\\\r\n"
    "  74,00,25,00,00,00\r\n"
    "\"NullSessionPipes\"=hex(7):00,00\r\n"
    "\"Big\"=hex(b):00,e4,0b,54,02,00,00,00\r\n"
    "\"Q\"=qword:00000002540be400\r\n"
    "\"Odd \\\"quoted\\\" name\"=\"C:\\\\Program Files\\\\x \\\"y\\\"\"\r\n"
    "@=\"the default\"\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security]\r\n"
    "\"MaxSize\"=dword:01400000\r\n"
    "\"Retention\"=dword:ffffffff\r\n"
    "\"AutoBackupLogFiles\"=dword:00000001\r\n"
    "\"Banner\"=\"line one\r\nline \\\"two\\\"\"\r\n"
    "\r\n"
    "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Word\\Security]\r\n"
    "\"VBAWarnings\"=dword:00000004\r\n"
    "\"blockcontentexecutionfrominternet\"=dword:00000001\r\n"
    "\"Gone\"=-\r\n"
    "\r\n"
    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Deleted]\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR]\r\n"
    "\r\n";

static void test_reg(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "PC01", "smb.reg", REG5, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_REG);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK(ex->problem == NULL);
    const char *P = "reg:HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\\";
    char k[256];
#define REGK(name) (snprintf(k, sizeof k, "%s%s", P, name), k)
    CHECK_STR(fact(a, "PC01", REGK("SMB1")), "0");
    CHECK_STR(fact(a, "PC01", REGK("EnableSecuritySignature")), "1");
    CHECK_STR(fact(a, "PC01", REGK("ServiceDll")),
              "hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,74,00,25,00,00,"
              "00");
    CHECK_STR(fact(a, "PC01", REGK("NullSessionPipes")), "hex(7):00,00");
    CHECK_STR(fact(a, "PC01", REGK("Big")), "10000000000");
    CHECK_STR(fact(a, "PC01", REGK("Q")), "10000000000");
    CHECK_STR(fact(a, "PC01", REGK("Odd \"quoted\" name")), "C:\\Program Files\\x \"y\"");
    CHECK_STR(fact(a, "PC01", REGK("(default)")), "the default");
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security\\MaxSize"),
              "20971520");
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security\\Retention"),
              "4294967295");
    CHECK_STR(
        fact(a, "PC01", "reg:HKCU\\Software\\Microsoft\\Office\\16.0\\Word\\Security\\VBAWarnings"),
        "4");
    CHECK_STR(fact(a, "PC01", "reg:HKCU\\Software\\Microsoft\\Office\\16.0\\Word\\Security\\Gone"),
              "(absent)");
    CHECK_STR(fact(a, "PC01", "regkey:HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR"), "");
    CHECK_STR(fact(a, "PC01", "regkey:HKLM\\SOFTWARE\\Deleted"), "(absent)");
    CHECK_STR(fact(a, "PC01",
                   "regkey:hklm\\system\\currentcontrolset\\services\\lanmanserver\\"
                   "parameters"),
              "");
    const ks_audit_fact *f;
    ks_audit_fact_get(host(a, "PC01"), REGK("NullSessionPipes"), &f);
    CHECK(f && f->line == 8);
    ks_audit_fact_get(host(a, "PC01"), REGK("Odd \"quoted\" name"), &f);
    CHECK(f && f->line == 11);
    CHECK_INT(ex->nfacts, 4 + 8 + 4 + 2);
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security\\Banner"),
              "line one\nline \"two\"");
    ks_audit_free(&a);

    /* REGEDIT4, as older tools write it (ANSI, here UTF-8), LF line ends */
    a = ks_audit_new(NULL);
    ex = add(a, "PC02", "old.reg",
             "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal "
             "Server]\n\"fDenyTSConnections\"=dword:00000001\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\"
             "Microsoft\\Windows\\CurrentVersion\\Policies\\System]\n\"EnableLUA\"=hex(4):01,00,"
             "00,00\n",
             NULL);
    CHECK_INT(ex->kind, KS_AUDIT_REG);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "PC02",
                   "reg:HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\"
                   "fDenyTSConnections"),
              "1");
    CHECK_STR(fact(a, "PC02",
                   "reg:HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\"
                   "EnableLUA"),
              "1");
    ks_audit_free(&a);
#undef REGK
}

static void test_reg_malformed(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const char *text =
        "Windows Registry Editor Version 5.00\r\n"
        "\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\RemovableStorageDevices]\r\n"
        "\"Deny_All\"=dword:0000000g\r\n"
        "\"Deny_Write\"=dword:00000001\r\n"
        "\"Broken=dword:00000001\r\n"
        "[HKEY_NOWHERE\\X]\r\n"
        "\"InNowhere\"=dword:00000001\r\n"
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR]\r\n"
        "\"Start\"=dword:00000004\r\n"
        "\"Type\"=junk\r\n"
        "\"ImagePath\"=hex(2):5c,00,53,00,\\\r\n"
        "  79,00,";
    const ks_audit_export *ex = add(a, "PC01", "usb.reg", text, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_REG);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK_INT(ex->nproblems, 5);
    CHECK_STR(ex->problem, "line 4: bad dword (8 hex digits expected): 0000000g");
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\RemovableStorageDevices\\"
                   "Deny_Write"),
              "1");
    CHECK_STR(fact(a, "PC01",
                   "reg:HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\RemovableStorageDevices\\"
                   "Deny_All"),
              "(absent)");
    CHECK_STR(fact(a, "PC01", "reg:HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR\\Start"),
              "4");
    CHECK_STR(fact(a, "PC01", "reg:HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR\\ImagePath"),
              "(absent)");
    ks_audit_free(&a);
}

/* ---- auditpol ---- */

static const char AUDITPOL_EN[] =
    "Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion "
    "Setting\r\n"
    "WS-NURSE01,System,Security System Extension,{0CCE9211-69AE-11D9-BED3-505054503030},No "
    "Auditing,\r\n"
    "WS-NURSE01,System,Logon,{0CCE9215-69AE-11D9-BED3-505054503030},Success and Failure,\r\n"
    "WS-NURSE01,System,Logoff,{0CCE9216-69AE-11D9-BED3-505054503030},Success,\r\n"
    "WS-NURSE01,System,\"Process Creation\",{0CCE922B-69AE-11D9-BED3-505054503030},Failure,\r\n";

static const char AUDITPOL_JA[] =
    "コンピューター名,ポリシー ターゲット,サブカテゴリ,サブカテゴリ GUID,包含設定,除外設定\r\n"
    "EMR-T01,システム,ログオン,{0CCE9215-69AE-11D9-BED3-505054503030},成功および失敗,\r\n"
    "EMR-T01,システム,ログオフ,{0CCE9216-69AE-11D9-BED3-505054503030},成功,\r\n"
    "EMR-T01,システム,特殊なログオン,{0CCE921B-69AE-11D9-BED3-505054503030},失敗,\r\n"
    "EMR-T01,システム,ファイル共有,{0CCE9224-69AE-11D9-BED3-505054503030},監査なし,\r\n";

static void test_auditpol(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "folder1", "auditpol.csv", AUDITPOL_EN, NULL);
    CHECK_INT(ex->kind, KS_AUDIT_AUDITPOL);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK(host(a, "folder1") == NULL); /* named by its Machine Name */
    CHECK_STR(fact(a, "WS-NURSE01", "auditpol:0cce9215-69ae-11d9-bed3-505054503030"),
              "success,failure");
    CHECK_STR(fact(a, "WS-NURSE01", "auditpol:0cce9216-69ae-11d9-bed3-505054503030"), "success");
    CHECK_STR(fact(a, "WS-NURSE01", "auditpol:0cce922b-69ae-11d9-bed3-505054503030"), "failure");
    CHECK_STR(fact(a, "WS-NURSE01", "auditpol:0cce9211-69ae-11d9-bed3-505054503030"), "none");
    CHECK_STR(fact(a, "WS-NURSE01", "auditpol-name:0cce922b-69ae-11d9-bed3-505054503030"),
              "Process Creation");
    CHECK_INT(ex->nfacts, 8);

    /* Japanese Windows, redirected by cmd: CP932 */
    ex = add(a, "folder2", "auditpol-ja.csv", AUDITPOL_JA, "CP932");
    CHECK_INT(ex->kind, KS_AUDIT_AUDITPOL);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "EMR-T01", "auditpol:0cce9215-69ae-11d9-bed3-505054503030"),
              "success,failure");
    CHECK_STR(fact(a, "EMR-T01", "auditpol:0cce9216-69ae-11d9-bed3-505054503030"), "success");
    CHECK_STR(fact(a, "EMR-T01", "auditpol:0cce921b-69ae-11d9-bed3-505054503030"), "failure");
    CHECK_STR(fact(a, "EMR-T01", "auditpol:0cce9224-69ae-11d9-bed3-505054503030"), "none");
    CHECK_STR(fact(a, "EMR-T01", "auditpol-name:0cce921b-69ae-11d9-bed3-505054503030"),
              "特殊なログオン");
    /* the same in UTF-16LE, as PowerShell's Out-File writes it */
    ex = add(a, "folder3", "auditpol-ja16.csv", AUDITPOL_JA, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_AUDITPOL);
    CHECK_INT(ks_audit_host_count(a), 3);
    ks_audit_free(&a);

    /* /backup form with Setting Value; a bad row and an unknown setting in between */
    a = ks_audit_new(NULL);
    ex = add(a, "PC9", "backup.csv",
             "Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion "
             "Setting,Setting Value\n"
             "PC9,System,Logon,{0CCE9215-69AE-11D9-BED3-505054503030},Erfolg und Fehler,,3\n"
             "PC9,System,Logoff,{0CCE9216-69AE-11D9-BED3-5050545030},Success,,1\n"
             "PC9,System,Other,{0CCE921C-69AE-11D9-BED3-505054503030},Sometimes,,\n"
             "PC9,System,\"Special Logon,{0CCE921B-69AE-11D9-BED3-505054503030},Success,,1\n"
             "PC9,System,File Share,{0CCE9224-69AE-11D9-BED3-505054503030},Success,,1\n",
             NULL);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK_INT(ex->nproblems, 3);
    CHECK_STR(ex->problem, "line 3: expected a subcategory row with its GUID: PC9,System,Logoff,"
                           "{0CCE9216-69AE-11D9-BED3-5050545030},Succe");
    CHECK_STR(fact(a, "PC9", "auditpol:0cce9215-69ae-11d9-bed3-505054503030"), "success,failure");
    CHECK_STR(fact(a, "PC9", "auditpol:0cce9224-69ae-11d9-bed3-505054503030"), "success");
    CHECK_STR(fact(a, "PC9", "auditpol:0cce921c-69ae-11d9-bed3-505054503030"), "(absent)");
    ks_audit_free(&a);
}

/* ---- wevtutil gl ---- */

static const char WEVTUTIL[] =
    "name: Security\r\n"
    "enabled: true\r\n"
    "type: Admin\r\n"
    "owningPublisher: \r\n"
    "isolation: Custom\r\n"
    "channelAccess: O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)\r\n"
    "logging:\r\n"
    "  logFileName: %SystemRoot%\\System32\\Winevt\\Logs\\Security.evtx\r\n"
    "  retention: false\r\n"
    "  autoBackup: false\r\n"
    "  maxSize: 20971520\r\n"
    "publishing:\r\n"
    "  fileMax: 1\r\n";

static void test_wevtutil(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "PC01", "wevtutil-security.txt", WEVTUTIL, NULL);
    CHECK_INT(ex->kind, KS_AUDIT_WEVTUTIL);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "PC01", "wevtutil:Security:maxSize"), "20971520");
    CHECK_STR(fact(a, "PC01", "wevtutil:Security:retention"), "false");
    CHECK_STR(fact(a, "PC01", "wevtutil:Security:autoBackup"), "false");
    CHECK_STR(fact(a, "PC01", "wevtutil:security:enabled"), "true");
    CHECK_STR(fact(a, "PC01", "wevtutil:Security:logFileName"),
              "%SystemRoot%\\System32\\Winevt\\Logs\\Security.evtx");
    CHECK_STR(fact(a, "PC01", "wevtutil:Security:channelAccess"),
              "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)");
    ks_audit_free(&a);

    /* cut before maxSize */
    a = ks_audit_new(NULL);
    ex =
        add(a, "PC01", "cut.txt",
            "name: Security\r\nenabled: true\r\nlogging:\r\n  retention: true\r\n  autoBack", NULL);
    CHECK_INT(ex->kind, KS_AUDIT_WEVTUTIL);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK_INT(ex->nproblems, 2);
    CHECK_STR(ex->problem, "line 5: the export ends inside this line (cut short?)");
    CHECK_STR(fact(a, "PC01", "wevtutil:Security:retention"), "true");
    ks_audit_free(&a);
}

/* ---- net localgroup administrators ---- */

static const char LOCALGROUP_EN[] =
    "Alias name     administrators\r\n"
    "Comment        Administrators have complete and unrestricted access to the "
    "computer/domain\r\n"
    "\r\n"
    "Members\r\n"
    "\r\n"
    "-------------------------------------------------------------------------------\r\n"
    "Administrator\r\n"
    "HOSP\\Domain Admins\r\n"
    "HOSP\\nurse01\r\n"
    "The command completed successfully.\r\n"
    "\r\n";

static const char LOCALGROUP_JA[] =
    "エイリアス名     Administrators\r\n"
    "コメント         コンピューター/ドメインに完全なアクセス権があります\r\n"
    "\r\n"
    "メンバー\r\n"
    "\r\n"
    "-------------------------------------------------------------------------------\r\n"
    "Administrator\r\n"
    "HOSP\\Domain Admins\r\n"
    "HOSP\\看護師02\r\n"
    "コマンドは正常に終了しました。\r\n"
    "\r\n";

static void test_localgroup(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "PC01", "admins.txt", LOCALGROUP_EN, NULL);
    CHECK_INT(ex->kind, KS_AUDIT_LOCALGROUP);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    const ks_audit_host *h = host(a, "PC01");
    CHECK_INT(count_key(h, "localgroup:administrators"), 3);
    CHECK_STR(h->facts[0].value, "Administrator");
    CHECK_STR(h->facts[1].value, "HOSP\\Domain Admins");
    CHECK_STR(h->facts[2].value, "HOSP\\nurse01");
    CHECK_INT(h->facts[2].line, 9);

    ex = add(a, "PC02", "admins-ja.txt", LOCALGROUP_JA, "CP932");
    CHECK_INT(ex->kind, KS_AUDIT_LOCALGROUP);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    h = host(a, "PC02");
    CHECK_INT(count_key(h, "localgroup:administrators"), 3);
    CHECK_STR(h->facts[2].value, "HOSP\\看護師02");
    CHECK_STR(h->facts[2].key, "localgroup:Administrators");

    /* cut before the closing line */
    ex = add(a, "PC03", "cut.txt",
             "Alias name     administrators\r\nComment\r\n\r\nMembers\r\n\r\n---------------------"
             "----------\r\nAdministrator\r\nHOSP\\it\r\n",
             NULL);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK_STR(ex->problem, "line 8: the list ends before \"The command completed successfully.\" "
                           "(cut short?)");
    CHECK_INT(count_key(host(a, "PC03"), "localgroup:administrators"), 2);
    ks_audit_free(&a);
}

/* ---- Get-SmbServerConfiguration ---- */

static const char SMB_LIST[] = "\r\n"
                               "AnnounceComment                 : \r\n"
                               "AnnounceServer                  : False\r\n"
                               "AsynchronousCredits             : 64\r\n"
                               "AuditSmb1Access                 : False\r\n"
                               "EnableSMB1Protocol              : True\r\n"
                               "EnableSMB2Protocol              : True\r\n"
                               "EncryptData                     : False\r\n"
                               "NullSessionPipes                : {}\r\n"
                               "RequireSecuritySignature        : False\r\n"
                               "ServerHidden                    : True\r\n"
                               "\r\n";

static const char SMB_JSON[] = "{\r\n"
                               "    \"AnnounceComment\":  \"\",\r\n"
                               "    \"AsynchronousCredits\":  64,\r\n"
                               "    \"EnableSMB1Protocol\":  false,\r\n"
                               "    \"EnableSMB2Protocol\":  true,\r\n"
                               "    \"NullSessionPipes\":  [\r\n\r\n    ],\r\n"
                               "    \"RequireSecuritySignature\":  true,\r\n"
                               "    \"PSComputerName\":  null,\r\n"
                               "    \"CimClass\":  {\r\n"
                               "        \"CimSuperClassName\":  null,\r\n"
                               "        \"CimClassName\":  \"MSFT_SmbServerConfiguration\"\r\n"
                               "    }\r\n"
                               "}\r\n";

static void test_smb(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "PC01", "smb.txt", SMB_LIST, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_SMBCONFIG);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "PC01", "smb:EnableSMB1Protocol"), "True");
    CHECK_STR(fact(a, "PC01", "smb:RequireSecuritySignature"), "False");
    CHECK_STR(fact(a, "PC01", "smb:AnnounceComment"), "");
    CHECK_STR(fact(a, "PC01", "smb:NullSessionPipes"), "{}");
    CHECK_INT(ex->nfacts, 10);

    ex = add(a, "PC02", "smb.json", SMB_JSON, NULL);
    CHECK_INT(ex->kind, KS_AUDIT_SMBCONFIG);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "PC02", "smb:EnableSMB1Protocol"), "False");
    CHECK_STR(fact(a, "PC02", "smb:EnableSMB2Protocol"), "True");
    CHECK_STR(fact(a, "PC02", "smb:AsynchronousCredits"), "64");
    CHECK_STR(fact(a, "PC02", "smb:PSComputerName"), "");
    CHECK_STR(fact(a, "PC02", "smb:CimClass"), "(absent)");
    CHECK_STR(fact(a, "PC02", "smb:CimClassName"), "(absent)");
    CHECK_INT(ex->nfacts, 6);

    /* JSON cut short: located, and the lines before the cut still read */
    char cut[256];
    snprintf(cut, sizeof cut, "%.*s", 120, SMB_JSON);
    ex = add(a, "PC03", "cut.json", cut, NULL);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK(ex->problem && !strncmp(ex->problem, "line 5: the JSON ends early (cut short?)", 40));
    CHECK_STR(fact(a, "PC03", "smb:EnableSMB1Protocol"), "False");
    CHECK_STR(fact(a, "PC03", "smb:EnableSMB2Protocol"), "(absent)"); /* its line is cut */
    ks_audit_free(&a);
}

/* ---- Get-HotFix ---- */

static const char HOTFIX_TABLE[] =
    "\r\n"
    "Source        Description      HotFixID      InstalledBy          InstalledOn\r\n"
    "------        -----------      --------      -----------          -----------\r\n"
    "EMR-T01       Update           KB5012170     NT AUTHORITY\\SYSTEM  4/13/2022 12:00:00 AM\r\n"
    "EMR-T01       Security Update  KB5013624     NT AUTHORITY\\SYSTEM  5/11/2022 12:00:00 AM\r\n"
    "EMR-T01       Update           KB5003791\r\n"
    "\r\n";

static const char HOTFIX_JSON[] =
    "[\r\n"
    "    {\r\n"
    "        \"Description\":  \"Security Update\",\r\n"
    "        \"HotFixID\":  \"KB5012170\",\r\n"
    "        \"InstalledBy\":  \"NT AUTHORITY\\\\SYSTEM\",\r\n"
    "        \"InstalledOn\":  {\r\n"
    "                            \"value\":  \"\\/Date(1650000000000)\\/\",\r\n"
    "                            \"DateTime\":  \"2022年4月15日 14:20:00\"\r\n"
    "                        }\r\n"
    "    },\r\n"
    "    {\r\n"
    "        \"HotFixID\":  \"KB5013624\",\r\n"
    "        \"InstalledOn\":  {\r\n"
    "                            \"value\":  \"\\/Date(1652227200000)\\/\"\r\n"
    "                        }\r\n"
    "    },\r\n"
    "    {\r\n"
    "        \"HotFixID\":  \"KB5003791\",\r\n"
    "        \"InstalledOn\":  null\r\n"
    "    }\r\n"
    "]\r\n";

static void test_hotfix(void)
{
    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "PC01", "hotfix.txt", HOTFIX_TABLE, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_HOTFIX);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "PC01", "hotfix:KB5012170"), "4/13/2022 12:00:00 AM");
    CHECK_STR(fact(a, "PC01", "hotfix:KB5013624"), "5/11/2022 12:00:00 AM");
    CHECK_STR(fact(a, "PC01", "hotfix:KB5003791"), "");
    CHECK_INT(ex->nfacts, 3);

    ex = add(a, "PC02", "hotfix.json", HOTFIX_JSON, "UTF-16LE");
    CHECK_INT(ex->kind, KS_AUDIT_HOTFIX);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "PC02", "hotfix:KB5012170"), "2022年4月15日 14:20:00");
    CHECK_STR(fact(a, "PC02", "hotfix:KB5013624"), "/Date(1652227200000)/");
    CHECK_STR(fact(a, "PC02", "hotfix:KB5003791"), "");

    /* cut short: the ids on whole lines before the cut still come out, without dates */
    char cut[400];
    snprintf(cut, sizeof cut, "%.*s", 380, HOTFIX_JSON);
    ex = add(a, "PC05", "cut.json", cut, NULL);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK(ex->problem && strstr(ex->problem, "the JSON ends early (cut short?)"));
    CHECK_STR(fact(a, "PC05", "hotfix:KB5012170"), "");
    CHECK_STR(fact(a, "PC05", "hotfix:KB5013624"), "");
    CHECK_STR(fact(a, "PC05", "hotfix:KB5003791"), "(absent)");

    /* one hotfix: an object, not an array; and a bad row in a table */
    ex = add(a, "PC03", "one.json", "{\"HotFixID\": \"KB1\", \"InstalledOn\": \"1/2/2023\"}", NULL);
    CHECK_INT(ex->status, KS_AUDIT_READ_OK);
    CHECK_STR(fact(a, "PC03", "hotfix:KB1"), "1/2/2023");
    ex = add(a, "PC04", "bad.txt",
             "Source  Description  HotFixID   InstalledBy  InstalledOn\n"
             "------  -----------  --------   -----------  -----------\n"
             "PC04    Update       (none)\n"
             "PC04    Update       KB42       SYSTEM       1/1/2024\n",
             NULL);
    CHECK_INT(ex->status, KS_AUDIT_READ_PARTIAL);
    CHECK_STR(ex->problem, "line 3: a row without a KB number: PC04    Update       (none)");
    CHECK_STR(fact(a, "PC04", "hotfix:KB42"), "1/1/2024");
    ks_audit_free(&a);
}

/* ---- kinds, unknown exports, fact lookup ---- */

static void test_kinds(void)
{
    CHECK_STR(ks_audit_kind_name(KS_AUDIT_SECEDIT), "secedit");
    CHECK_STR(ks_audit_kind_name(KS_AUDIT_LOCALGROUP), "localgroup");
    CHECK_STR(ks_audit_kind_name(KS_AUDIT_EVTX), "evtx");
    CHECK_STR(ks_audit_kind_name(KS_AUDIT_KIND_COUNT), "unknown");
    CHECK_INT(ks_audit_kind_detect("ElfFile\0xxxx", 12), KS_AUDIT_EVTX);
    CHECK_INT(ks_audit_kind_detect(REG5, strlen(REG5)), KS_AUDIT_REG);
    CHECK_INT(ks_audit_kind_detect(WEVTUTIL, strlen(WEVTUTIL)), KS_AUDIT_WEVTUTIL);
    CHECK_INT(ks_audit_kind_detect(HOTFIX_JSON, strlen(HOTFIX_JSON)), KS_AUDIT_HOTFIX);
    CHECK_INT(ks_audit_kind_detect("hello\n", 6), KS_AUDIT_UNKNOWN);
    CHECK_INT(ks_audit_kind_detect(NULL, 0), KS_AUDIT_UNKNOWN);
    size_t n;
    char *ja = conv(LOCALGROUP_JA, "CP932", 0, &n);
    CHECK_INT(ks_audit_kind_detect(ja, n), KS_AUDIT_LOCALGROUP);
    free(ja);
    /* UTF-8 with a BOM */
    char bom[sizeof SMB_JSON + 3] = "\xef\xbb\xbf";
    memcpy(bom + 3, SMB_JSON, sizeof SMB_JSON);
    CHECK_INT(ks_audit_kind_detect(bom, strlen(bom)), KS_AUDIT_SMBCONFIG);

    ks_audit *a = ks_audit_new(NULL);
    const ks_audit_export *ex = add(a, "PC01", "notes.txt", "Dear admin,\nplease patch.\n", NULL);
    CHECK_INT(ex->kind, KS_AUDIT_UNKNOWN);
    CHECK_INT(ex->status, KS_AUDIT_READ_FAILED);
    CHECK_STR(ex->problem, "text in no format kensa audit reads");
    ex = add(a, "PC01", "empty.txt", "", NULL);
    CHECK_INT(ex->status, KS_AUDIT_READ_FAILED);
    CHECK_STR(ex->problem, "an empty file");
    CHECK_INT(ks_audit_add_mem(a, "PC01", "bin", "\x01\x02\x03\x04\x05\x06\x07\x08", 8), KS_OK);
    ex = &host(a, "PC01")->exports[2];
    CHECK_STR(ex->problem, "binary data");
    CHECK(!ks_audit_has(host(a, "PC01"), KS_AUDIT_UNKNOWN));
    CHECK_INT(ks_audit_add_mem(a, NULL, "x", "", 0), KS_ERR_ARG);
    CHECK_INT(ks_audit_add_mem(NULL, "h", "x", "", 0), KS_ERR_ARG);

    /* the last fact wins: a later export overrides an earlier one */
    add(a, "PC01", "a.inf", "[System Access]\r\nLockoutBadCount = 0\r\n", NULL);
    add(a, "PC01", "b.inf", "[System Access]\r\nLockoutBadCount = 3\r\n", NULL);
    const ks_audit_fact *f;
    CHECK_STR(ks_audit_fact_get(host(a, "PC01"), "secedit:system access:LOCKOUTBADCOUNT", &f), "3");
    CHECK_STR(f ? f->file : NULL, "b.inf");
    CHECK(ks_audit_fact_get(host(a, "PC01"), "secedit:nothing", &f) == NULL && f == NULL);
    CHECK(ks_audit_fact_get(NULL, "x", NULL) == NULL);
    CHECK(ks_audit_host_at(a, 5) == NULL);
    ks_audit_free(&a);
    ks_audit_free(&a); /* freeing twice is harmless */

    /* ks_text_to_utf8 */
    ks_buf b = {0};
    ks_encoding e = KS_ENC_AUTO;
    char *u16 = conv("名前: Security\r\n", "UTF-16LE", 1, &n);
    CHECK_INT(ks_text_to_utf8(u16, n, &b, &e), KS_OK);
    CHECK_INT(e, KS_ENC_UTF16LE);
    CHECK(b.len == strlen("名前: Security\r\n") && !memcmp(b.data, "名前: Security\r\n", b.len));
    free(u16);
    ks_buf_reset(&b);
    char *sj = conv("コマンドは正常に終了しました。", "CP932", 0, &n);
    e = KS_ENC_AUTO;
    CHECK_INT(ks_text_to_utf8(sj, n, &b, &e), KS_OK);
    CHECK_INT(e, KS_ENC_CP932);
    CHECK(b.len == strlen("コマンドは正常に終了しました。") &&
          !memcmp(b.data, "コマンドは正常に終了しました。", b.len));
    free(sj);
    ks_buf_free(&b);
}

/* ---- folders: one per host ---- */

static void write_file(const char *dir, const char *name, const char *text, const char *enc)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n = strlen(text);
    char *data = enc ? conv(text, enc, !strcmp(enc, "UTF-16LE"), &n) : (char *)text;
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
    if (enc) free(data);
}

static void test_folders(void)
{
    char root[] = "/tmp/ks_audit_XXXXXX", d1[600], d2[600], d3[600];
    if (!mkdtemp(root)) {
        CHECK(0);
        return;
    }
    snprintf(d1, sizeof d1, "%s/ws-nurse01", root);
    snprintf(d2, sizeof d2, "%s/EMR-T01", root);
    snprintf(d3, sizeof d3, "%s/EMR-T01/old", root);
    mkdir(d1, 0700), mkdir(d2, 0700), mkdir(d3, 0700);
    write_file(d1, "secedit.inf", SECEDIT, "UTF-16LE");
    write_file(d1, "auditpol.csv", AUDITPOL_EN, NULL); /* names the host WS-NURSE01 */
    write_file(d1, "readme.txt", "collected on Monday\n", NULL);
    write_file(d2, "admins.txt", LOCALGROUP_JA, "CP932");
    write_file(d2, "smb.txt", SMB_LIST, "UTF-16LE");
    write_file(d3, "hotfix.txt", HOTFIX_TABLE, NULL);

    ks_site *site = NULL;
    const char *yaml = "hosts:\n  - name: EMR-T01\n    role: emr_terminal\n"
                       "  - name: WS-NURSE01\n    role: workstation\n";
    CHECK_INT(ks_site_load_mem(&site, yaml, strlen(yaml), "site.yaml", NULL), KS_OK);
    ks_audit *a = ks_audit_new(site);
    ks_diag d = {0};
    CHECK_INT(ks_audit_add_path(a, root, &d), KS_OK);
    CHECK_INT(ks_audit_host_count(a), 3);
    const ks_audit_host *h = host(a, "WS-NURSE01");
    CHECK(h != NULL);
    if (h) {
        CHECK_INT(h->nexports, 3);
        CHECK_INT(h->role, KS_ROLE_WORKSTATION);
        CHECK(ks_audit_has(h, KS_AUDIT_SECEDIT) && ks_audit_has(h, KS_AUDIT_AUDITPOL));
        CHECK_STR(ks_audit_fact_get(h, "secedit:System Access:LockoutBadCount", NULL), "10");
        /* the folder's files in name order: auditpol.csv, readme.txt, secedit.inf */
        CHECK_INT(h->exports[1].status, KS_AUDIT_READ_FAILED);
        CHECK(strstr(h->exports[1].path, "ws-nurse01/readme.txt") != NULL);
    }
    h = host(a, "EMR-T01");
    CHECK(h != NULL);
    if (h) {
        CHECK_INT(h->role, KS_ROLE_EMR_TERMINAL);
        CHECK_INT(h->nexports, 2);
        CHECK_INT(count_key(h, "localgroup:administrators"), 3);
        CHECK_STR(ks_audit_fact_get(h, "smb:EnableSMB1Protocol", NULL), "True");
    }
    h = host(a, "old");
    CHECK(h != NULL && h->nexports == 1 && h->role == KS_ROLE_NONE);
    CHECK_STR(ks_audit_fact_get(h, "hotfix:KB5013624", NULL), "5/11/2022 12:00:00 AM");

    /* one file given: its folder is its host, the same host as before */
    char file[700];
    snprintf(file, sizeof file, "%s/smb.txt", d2);
    CHECK_INT(ks_audit_add_path(a, file, &d), KS_OK);
    CHECK_INT(ks_audit_host_count(a), 3);
    CHECK_INT(host(a, "EMR-T01")->nexports, 3);
    snprintf(file, sizeof file, "%s/nothing-here", root);
    CHECK_INT(ks_audit_add_path(a, file, &d), KS_ERR_IO);
    CHECK(strstr(d.what, "cannot open") != NULL);
    ks_audit_free(&a);
    ks_site_free(&site);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK_INT(system(cmd), 0);
}

/* ---- data: the event rate of a real Security log ---- */

static void test_rate_data(void)
{
    const char *dir = ks_test_data_dir();
    char path[1024];
    snprintf(path, sizeof path, "%s/evtx/normal/omerbenamram-evtx/security.evtx", dir);
    ks_audit *a = ks_audit_new(NULL);
    ks_diag d = {0};
    CHECK_INT(ks_audit_add_path(a, path, &d), KS_OK);
    CHECK_INT(ks_audit_host_count(a), 1);
    const ks_audit_host *h = ks_audit_host_at(a, 0);
    CHECK_STR(h->name, "omerbenamram-evtx");
    CHECK_INT(h->nexports, 1);
    CHECK_INT(h->exports[0].kind, KS_AUDIT_EVTX);
    CHECK_INT(h->exports[0].status, KS_AUDIT_READ_OK);
    CHECK(ks_audit_has(h, KS_AUDIT_EVTX));
    /* `kensa dump` gives 2261 records: 42 from 37L4247F27-25, 2219 from WIN-03DLIIOFRRA;
     * the sizes are the chunks' used bytes (free space offset - 512), 1663800 in all */
    CHECK_INT(h->nrates, 2);
    uint64_t records = 0, bytes = 0;
    for (size_t i = 0; i < h->nrates; i++) {
        const ks_audit_rate *r = &h->rates[i];
        CHECK_STR(r->channel, "Security");
        CHECK_STR(r->file, path);
        records += r->records, bytes += r->bytes;
        if (r->records == 42) {
            CHECK_INT(r->bytes, 31944);
            CHECK_INT(r->first_ns, 1468001571681640800LL); /* 2016-07-08T18:12:51.6816408Z */
            CHECK_INT(r->last_ns, 1468001699617465500LL);  /* 2016-07-08T18:14:59.6174655Z */
        } else {
            CHECK_INT(r->records, 2219);
            CHECK_INT(r->bytes, 1631856);
            CHECK_INT(r->first_ns, 1468001719482419300LL); /* 2016-07-08T18:15:19.4824193Z */
            CHECK_INT(r->last_ns, 1492132870906949900LL);  /* 2017-04-14T01:21:10.9069499Z */
        }
    }
    CHECK_INT(records, 2261);
    CHECK_INT(bytes, 1663800);

    /* a host of that name, added later, takes the rate its records name */
    size_t n;
    uint8_t *data = ks_test_slurp(path, &n);
    CHECK(data != NULL);
    CHECK_INT(ks_audit_add_mem(a, "win-03dliiofrra.hosp.local", "wevtutil.txt", WEVTUTIL,
                               strlen(WEVTUTIL)),
              KS_OK);
    const ks_audit_host *w = host(a, "win-03dliiofrra.hosp.local");
    CHECK(w && w->nrates == 1 && w->rates[0].records == 2219);
    CHECK_INT(h->nrates, 1);
    CHECK_INT(h->rates[0].records, 42);
    /* and an export read after the host exists goes there at once */
    CHECK_INT(ks_audit_add_mem(a, "elsewhere", "sec.evtx", data, n), KS_OK);
    CHECK_INT(w->nrates, 2);
    CHECK_INT(host(a, "elsewhere")->nrates, 1);
    CHECK_INT(host(a, "elsewhere")->rates[0].records, 42);
    free(data);
    ks_audit_free(&a);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--data")) {
        test_rate_data();
        return ks_test_done();
    }
    test_secedit();
    test_secedit_malformed();
    test_reg();
    test_reg_malformed();
    test_auditpol();
    test_wevtutil();
    test_localgroup();
    test_smb();
    test_hotfix();
    test_kinds();
    test_folders();
    return ks_test_done();
}
