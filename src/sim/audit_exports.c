/* Synthetic readiness exports: what secedit, reg export, auditpol, wevtutil, net
 * localgroup, Get-SmbServerConfiguration and Get-HotFix write about a hardened or weak
 * Windows host, in English or Japanese, as scripts/windows/kensa-collect.ps1 saves them;
 * and the practice hospital's hosts with the simulated night's story. Every name is
 * invented; a seed always gives the same bytes. */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kensa/simulate.h"
#include "kensa/time.h"
#include "sim/sim.h"

#define DOMAIN "HOSP"

static unsigned pick(uint64_t *s, unsigned n)
{
    return ks_sim_below(s, n);
}

/* What one render works with. */
typedef struct gen {
    const ks_sim_audit_host *h;
    uint64_t rng;
    int ja, server, dc;
    ks_buf log; /* collect.log, in UTF-8 */
    ks_sim_audit_file *files;
    size_t n;
    int failed; /* 1 no memory, 2 no converter */
} gen;

static int weak(const gen *g, unsigned bit)
{
    return (g->h->weak & bit) != 0;
}

/* A line and its CR LF. */
static void ln(ks_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ln(ks_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) k = 0;
    ks_buf_append(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
    ks_buf_puts(b, "\r\n");
}

/* UTF-8 text to `to` ("UTF-16LE", "CP932") with iconv; 0 when it worked. */
static int convert(ks_buf *out, const char *to, const ks_buf *in)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    if (cd == (iconv_t)-1) return 2;
    size_t room = in->len * 2 + 16;
    if (ks_buf_reserve(out, room) != 0) {
        iconv_close(cd);
        return 1;
    }
    char *src = in->data ? in->data : (char *)"", *dst = out->data + out->len;
    size_t left = in->len, free_ = room;
    size_t r = iconv(cd, &src, &left, &dst, &free_);
    iconv_close(cd);
    if (r == (size_t)-1) return 2;
    out->len = (size_t)(dst - out->data);
    return 0;
}

/* Keep a finished text as file `name`: enc 0 as is (ASCII or UTF-8), 'u' UTF-8 with
 * BOM, 'w' UTF-16LE with BOM, 'j' CP932 on Japanese hosts (else as is). */
static void keep(gen *g, const char *name, ks_buf *text, int enc)
{
    if (g->n == KS_SIM_AUDIT_MAX_FILES || text->failed) {
        g->failed = g->failed ? g->failed : 1;
        ks_buf_free(text);
        return;
    }
    ks_sim_audit_file *f = &g->files[g->n++];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    if (enc == 'u') ks_buf_append(&f->data, "\xef\xbb\xbf", 3);
    if (enc == 'w') {
        ks_buf_append(&f->data, "\xff\xfe", 2);
        int r = convert(&f->data, "UTF-16LE", text);
        if (r) g->failed = r;
    } else if (enc == 'j' && g->ja) {
        int r = convert(&f->data, "CP932", text);
        if (r) g->failed = r;
    } else {
        ks_buf_append(&f->data, text->data, text->len);
    }
    if (f->data.failed) g->failed = 1;
    int is_log = text == &g->log;
    ks_buf_free(text);
    if (!is_log) ln(&g->log, "ok       %s", name);
}

/* A key the collector did not find: reg export fails, the log says so. */
static void missing(gen *g, const char *name, const char *key)
{
    ln(&g->log, "missing  %s  %s (reg export: the key does not exist)", name, key);
}

/* ---- secedit /export /cfg ------------------------------------------------------ */

static void secedit(gen *g)
{
    ks_buf b = {0};
    int lock = weak(g, KS_SIM_WEAK_LOCKOUT) ? 0 : (int)(5 + 5 * pick(&g->rng, 2));
    int hard = !weak(g, KS_SIM_WEAK_LOCKOUT); /* the password policy goes with the lockout */
    ln(&b, "[Unicode]");
    ln(&b, "Unicode=yes");
    ln(&b, "[System Access]");
    ln(&b, "MinimumPasswordAge = %d", hard ? 1 : 0);
    ln(&b, "MaximumPasswordAge = %d", hard ? 90 : 42);
    ln(&b, "MinimumPasswordLength = %d", hard ? 12 : 0);
    ln(&b, "PasswordComplexity = %d", hard ? 1 : 0);
    ln(&b, "PasswordHistorySize = %d", hard ? 24 : 0);
    ln(&b, "LockoutBadCount = %d", lock);
    if (lock) {
        ln(&b, "ResetLockoutCount = 15");
        ln(&b, "LockoutDuration = %d", 15 + 15 * (int)pick(&g->rng, 2));
    }
    ln(&b, "RequireLogonToChangePassword = 0");
    ln(&b, "ForceLogoffWhenHourExpire = 0");
    ln(&b, "NewAdministratorName = \"Administrator\"");
    ln(&b, "NewGuestName = \"Guest\"");
    ln(&b, "ClearTextPassword = 0");
    ln(&b, "LSAAnonymousNameLookup = 0");
    ln(&b, "EnableAdminAccount = %d", g->dc ? 1 : 0);
    ln(&b, "EnableGuestAccount = 0");
    ln(&b, "[Event Audit]");
    static const char *const LEGACY[] = {
        "AuditSystemEvents",    "AuditLogonEvents",  "AuditObjectAccess",
        "AuditPrivilegeUse",    "AuditPolicyChange", "AuditAccountManage",
        "AuditProcessTracking", "AuditDSAccess",     "AuditAccountLogon"};
    for (size_t i = 0; i < sizeof LEGACY / sizeof LEGACY[0]; i++) ln(&b, "%s = 0", LEGACY[i]);
    ln(&b, "[Registry Values]");
    const char *sys = "MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\";
    const char *lsa = "MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\";
    const char *srv = "MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\";
    const char *wks =
        "MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\";
    const char *wl = "MACHINE\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\";
    ln(&b, "MACHINE\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Setup\\RecoveryConsole\\"
           "SecurityLevel=4,0");
    ln(&b, "MACHINE\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Setup\\RecoveryConsole\\"
           "SetCommand=4,0");
    ln(&b, "%sCachedLogonsCount=1,\"%d\"", wl, g->server ? 2 : 10);
    ln(&b, "%sForceUnlockLogon=4,0", wl);
    ln(&b, "%sPasswordExpiryWarning=4,5", wl);
    ln(&b, "%sScRemoveOption=1,\"0\"", wl);
    ln(&b, "%sConsentPromptBehaviorAdmin=4,%d", sys, weak(g, KS_SIM_WEAK_UAC) ? 0 : 2);
    ln(&b, "%sConsentPromptBehaviorUser=4,%d", sys, weak(g, KS_SIM_WEAK_UAC) ? 3 : 0);
    ln(&b, "%sDontDisplayLastUserName=4,0", sys);
    ln(&b, "%sEnableInstallerDetection=4,1", sys);
    ln(&b, "%sEnableLUA=4,%d", sys, weak(g, KS_SIM_WEAK_UAC) ? 0 : 1);
    ln(&b, "%sEnableSecureUIAPaths=4,1", sys);
    ln(&b, "%sEnableUIADesktopToggle=4,0", sys);
    ln(&b, "%sEnableVirtualization=4,1", sys);
    ln(&b, "%sFilterAdministratorToken=4,0", sys);
    ln(&b, "%sLegalNoticeCaption=1,\"\"", sys);
    ln(&b, "%sLegalNoticeText=7,", sys);
    ln(&b, "%sPromptOnSecureDesktop=4,%d", sys, weak(g, KS_SIM_WEAK_UAC) ? 0 : 1);
    ln(&b, "%sScForceOption=4,0", sys);
    ln(&b, "%sShutdownWithoutLogon=4,%d", sys, g->server ? 0 : 1);
    ln(&b, "%sUndockWithoutLogon=4,1", sys);
    ln(&b, "%sValidateAdminCodeSignatures=4,0", sys);
    ln(&b, "%sAuditBaseObjects=4,0", lsa);
    ln(&b, "%sCrashOnAuditFail=4,0", lsa);
    ln(&b, "%sDisableDomainCreds=4,0", lsa);
    ln(&b, "%sEveryoneIncludesAnonymous=4,0", lsa);
    ln(&b, "%sForceGuest=4,0", lsa);
    ln(&b, "%sFullPrivilegeAuditing=3,0", lsa);
    ln(&b, "%sLimitBlankPasswordUse=4,1", lsa);
    ln(&b, "%sMSV1_0\\NTLMMinClientSec=4,536870912", lsa);
    ln(&b, "%sMSV1_0\\NTLMMinServerSec=4,536870912", lsa);
    ln(&b, "%sNoLMHash=4,1", lsa);
    ln(&b, "%sRestrictAnonymous=4,0", lsa);
    ln(&b, "%sRestrictAnonymousSAM=4,1", lsa);
    if (!weak(g, KS_SIM_WEAK_AUDIT)) ln(&b, "%sSCENoApplyLegacyAuditPolicy=4,1", lsa);
    ln(&b, "%sEnableForcedLogOff=4,1", srv);
    ln(&b, "%sEnableSecuritySignature=4,%d", srv, g->server ? 1 : 0);
    ln(&b, "%sNullSessionPipes=7,", srv);
    ln(&b, "%sRequireSecuritySignature=4,%d", srv, g->dc ? 1 : 0);
    ln(&b, "%sRestrictNullSessAccess=4,1", srv);
    ln(&b, "%sEnablePlainTextPassword=4,0", wks);
    ln(&b, "%sEnableSecuritySignature=4,1", wks);
    ln(&b, "%sRequireSecuritySignature=4,0", wks);
    ln(&b, "MACHINE\\System\\CurrentControlSet\\Services\\LDAP\\LDAPClientIntegrity=4,1");
    ln(&b, "MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\"
           "RequireSignOrSeal=4,1");
    ln(&b, "[Privilege Rights]");
    ln(&b, "SeNetworkLogonRight = *S-1-1-0,*S-1-5-32-544,*S-1-5-32-545,*S-1-5-32-551");
    ln(&b, "SeBackupPrivilege = *S-1-5-32-544,*S-1-5-32-551");
    ln(&b, "SeChangeNotifyPrivilege = *S-1-1-0,*S-1-5-19,*S-1-5-20,*S-1-5-32-544,*S-1-5-32-545,"
           "*S-1-5-32-551");
    ln(&b, "SeSystemtimePrivilege = *S-1-5-19,*S-1-5-32-544");
    ln(&b, "SeCreatePagefilePrivilege = *S-1-5-32-544");
    ln(&b, "SeDebugPrivilege = *S-1-5-32-544");
    ln(&b, "SeRemoteShutdownPrivilege = *S-1-5-32-544");
    ln(&b, "SeAuditPrivilege = *S-1-5-19,*S-1-5-20");
    ln(&b, "SeIncreaseQuotaPrivilege = *S-1-5-19,*S-1-5-20,*S-1-5-32-544");
    ln(&b, "SeIncreaseBasePriorityPrivilege = *S-1-5-32-544,*S-1-5-90-0");
    ln(&b, "SeLoadDriverPrivilege = *S-1-5-32-544");
    ln(&b, "SeBatchLogonRight = *S-1-5-32-544,*S-1-5-32-551,*S-1-5-32-559");
    ln(&b, "SeServiceLogonRight = *S-1-5-80-0");
    ln(&b, "SeInteractiveLogonRight = Guest,*S-1-5-32-544,*S-1-5-32-545,*S-1-5-32-551");
    ln(&b, "SeSecurityPrivilege = *S-1-5-32-544");
    ln(&b, "SeSystemEnvironmentPrivilege = *S-1-5-32-544");
    ln(&b, "SeProfileSingleProcessPrivilege = *S-1-5-32-544");
    ln(&b, "SeSystemProfilePrivilege = *S-1-5-32-544,"
           "*S-1-5-80-3139157870-2983391045-3678747466-658725712-1809340420");
    ln(&b, "SeAssignPrimaryTokenPrivilege = *S-1-5-19,*S-1-5-20");
    ln(&b, "SeRestorePrivilege = *S-1-5-32-544,*S-1-5-32-551");
    ln(&b, "SeShutdownPrivilege = *S-1-5-32-544,*S-1-5-32-545,*S-1-5-32-551");
    ln(&b, "SeTakeOwnershipPrivilege = *S-1-5-32-544");
    ln(&b, "SeDenyNetworkLogonRight = Guest");
    ln(&b, "SeDenyInteractiveLogonRight = Guest");
    ln(&b, "SeUndockPrivilege = *S-1-5-32-544,*S-1-5-32-545");
    ln(&b, "SeManageVolumePrivilege = *S-1-5-32-544");
    ln(&b, "SeRemoteInteractiveLogonRight = *S-1-5-32-544,*S-1-5-32-555");
    ln(&b, "SeImpersonatePrivilege = *S-1-5-19,*S-1-5-20,*S-1-5-32-544,*S-1-5-6");
    ln(&b, "SeCreateGlobalPrivilege = *S-1-5-19,*S-1-5-20,*S-1-5-32-544,*S-1-5-6");
    ln(&b, "SeIncreaseWorkingSetPrivilege = *S-1-5-32-545");
    ln(&b, "SeTimeZonePrivilege = *S-1-5-19,*S-1-5-32-544,*S-1-5-32-545");
    ln(&b, "SeCreateSymbolicLinkPrivilege = *S-1-5-32-544");
    ln(&b, "SeDelegateSessionUserImpersonatePrivilege = *S-1-5-32-544");
    ln(&b, "[Version]");
    ln(&b, "signature=\"$CHICAGO$\"");
    ln(&b, "Revision=1");
    keep(g, "secedit.inf", &b, 'w');
}

/* ---- auditpol /get /category:* /r --------------------------------------------- */

typedef struct subcat {
    uint16_t guid;      /* {0CCExxxx-69AE-11D9-BED3-505054503030} */
    uint8_t cat;        /* System, Logon/Logoff, Object Access, Privilege Use, Detailed Tracking,
                           Policy Change, Account Management, DS Access, Account Logon */
    uint8_t hard, weak; /* 1 success, 2 failure, 3 both */
    const char *en, *ja;
} subcat;

/* In auditpol's order; hard = what the training asks, weak = audit turned off where it
 * matters (the rest as Windows leaves it). */
static const subcat SUBCATS[] = {
    {0x9211, 0, 1, 0, "Security System Extension", "セキュリティ システムの拡張"},
    {0x9212, 0, 3, 3, "System Integrity", "システムの整合性"},
    {0x9213, 0, 0, 0, "IPsec Driver", "IPsec ドライバー"},
    {0x9214, 0, 3, 3, "Other System Events", "その他のシステム イベント"},
    {0x9210, 0, 1, 1, "Security State Change", "セキュリティ状態の変更"},
    {0x9215, 1, 3, 0, "Logon", "ログオン"},
    {0x9216, 1, 1, 0, "Logoff", "ログオフ"},
    {0x9217, 1, 3, 1, "Account Lockout", "アカウント ロックアウト"},
    {0x9218, 1, 0, 0, "IPsec Main Mode", "IPsec メイン モード"},
    {0x9219, 1, 0, 0, "IPsec Quick Mode", "IPsec クイック モード"},
    {0x921A, 1, 0, 0, "IPsec Extended Mode", "IPsec 拡張モード"},
    {0x921B, 1, 1, 0, "Special Logon", "特殊なログオン"},
    {0x921C, 1, 3, 0, "Other Logon/Logoff Events", "その他のログオン/ログオフ イベント"},
    {0x9243, 1, 3, 3, "Network Policy Server", "ネットワーク ポリシー サーバー"},
    {0x9247, 1, 0, 0, "User / Device Claims", "ユーザー要求/デバイスの信頼性情報"},
    {0x9249, 1, 0, 0, "Group Membership", "グループ メンバーシップ"},
    {0x921D, 2, 0, 0, "File System", "ファイル システム"},
    {0x921E, 2, 0, 0, "Registry", "レジストリ"},
    {0x921F, 2, 0, 0, "Kernel Object", "カーネル オブジェクト"},
    {0x9220, 2, 0, 0, "SAM", "SAM"},
    {0x9221, 2, 0, 0, "Certification Services", "証明書サービス"},
    {0x9222, 2, 0, 0, "Application Generated", "生成されたアプリケーション"},
    {0x9223, 2, 0, 0, "Handle Manipulation", "ハンドル操作"},
    {0x9224, 2, 3, 0, "File Share", "ファイル共有"},
    {0x9225, 2, 0, 0, "Filtering Platform Packet Drop",
     "フィルタリング プラットフォーム パケットのドロップ"},
    {0x9226, 2, 0, 0, "Filtering Platform Connection", "フィルタリング プラットフォームの接続"},
    {0x9227, 2, 3, 0, "Other Object Access Events", "その他のオブジェクト アクセス イベント"},
    {0x9244, 2, 3, 0, "Detailed File Share", "詳細なファイル共有"},
    {0x9245, 2, 3, 0, "Removable Storage", "リムーバブル記憶域"},
    {0x9246, 2, 0, 0, "Central Policy Staging", "集約型ポリシー ステージング"},
    {0x9229, 3, 0, 0, "Non Sensitive Privilege Use", "重要でない特権の使用"},
    {0x922A, 3, 0, 0, "Other Privilege Use Events", "その他の特権の使用イベント"},
    {0x9228, 3, 3, 0, "Sensitive Privilege Use", "重要な特権の使用"},
    {0x922B, 4, 1, 0, "Process Creation", "プロセス作成"},
    {0x922C, 4, 0, 0, "Process Termination", "プロセス終了"},
    {0x922D, 4, 0, 0, "DPAPI Activity", "DPAPI アクティビティ"},
    {0x922E, 4, 0, 0, "RPC Events", "RPC イベント"},
    {0x9248, 4, 1, 0, "Plug and Play Events", "プラグ アンド プレイ イベント"},
    {0x924A, 4, 0, 0, "Token Right Adjusted Events", "トークン権限調整済みイベント"},
    {0x922F, 5, 3, 1, "Audit Policy Change", "監査ポリシーの変更"},
    {0x9230, 5, 1, 1, "Authentication Policy Change", "認証ポリシーの変更"},
    {0x9231, 5, 0, 0, "Authorization Policy Change", "承認ポリシーの変更"},
    {0x9232, 5, 0, 0, "MPSSVC Rule-Level Policy Change", "MPSSVC ルールレベル ポリシーの変更"},
    {0x9233, 5, 0, 0, "Filtering Platform Policy Change",
     "フィルタリング プラットフォームのポリシーの変更"},
    {0x9234, 5, 0, 0, "Other Policy Change Events", "その他のポリシー変更イベント"},
    {0x9235, 6, 3, 1, "User Account Management", "ユーザー アカウント管理"},
    {0x9236, 6, 1, 0, "Computer Account Management", "コンピューター アカウント管理"},
    {0x9237, 6, 1, 1, "Security Group Management", "セキュリティ グループ管理"},
    {0x9238, 6, 0, 0, "Distribution Group Management", "配布グループの管理"},
    {0x9239, 6, 0, 0, "Application Group Management", "アプリケーション グループの管理"},
    {0x923A, 6, 0, 0, "Other Account Management Events", "その他のアカウント管理イベント"},
    {0x923B, 7, 0, 0, "Directory Service Access", "ディレクトリ サービス アクセス"},
    {0x923C, 7, 0, 0, "Directory Service Changes", "ディレクトリ サービスの変更"},
    {0x923D, 7, 0, 0, "Directory Service Replication", "ディレクトリ サービスのレプリケーション"},
    {0x923E, 7, 0, 0, "Detailed Directory Service Replication",
     "詳細なディレクトリ サービス レプリケーション"},
    {0x9240, 8, 0, 0, "Kerberos Service Ticket Operations", "Kerberos サービス チケット操作"},
    {0x9241, 8, 0, 0, "Other Account Logon Events", "その他のアカウント ログオン イベント"},
    {0x9242, 8, 0, 0, "Kerberos Authentication Service", "Kerberos 認証サービス"},
    {0x923F, 8, 3, 0, "Credential Validation", "資格情報の確認"},
};

static void auditpol(gen *g)
{
    static const char *const SET_EN[] = {"No Auditing", "Success", "Failure",
                                         "Success and Failure"};
    static const char *const SET_JA[] = {"監査なし", "成功", "失敗", "成功および失敗"};
    ks_buf b = {0};
    ln(&b,
       g->ja
           ? "コンピューター名,ポリシー ターゲット,サブカテゴリ,サブカテゴリ GUID,包含設定,除外設定"
           : "Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion "
             "Setting,Exclusion Setting");
    for (size_t i = 0; i < sizeof SUBCATS / sizeof SUBCATS[0]; i++) {
        const subcat *s = &SUBCATS[i];
        unsigned v = weak(g, KS_SIM_WEAK_AUDIT) ? s->weak : s->hard;
        /* a domain controller audits what happens in the directory and its tickets */
        if (g->dc && (s->cat == 7 || s->cat == 8) && s->guid != 0x923D && s->guid != 0x923E) v |= 1;
        if (g->dc && (s->guid == 0x9240 || s->guid == 0x9242)) v = 3;
        ln(&b, "%s,%s,%s,{0CCE%04X-69AE-11D9-BED3-505054503030},%s,", g->h->name,
           g->ja ? "システム" : "System", g->ja ? s->ja : s->en, (unsigned)s->guid,
           (g->ja ? SET_JA : SET_EN)[v & 3]);
    }
    ln(&b, "%s", "");
    keep(g, "auditpol.csv", &b, 'j');
}

/* ---- reg export ------------------------------------------------------------------ */

static void reg_begin(ks_buf *b)
{
    ln(b, "Windows Registry Editor Version 5.00");
    ln(b, "%s", "");
}

static void reg_key(ks_buf *b, const char *key)
{
    ln(b, "[%s]", key);
}

static void reg_end(ks_buf *b)
{
    ln(b, "%s", "");
}

static void reg_dword(ks_buf *b, const char *name, uint32_t v)
{
    ln(b, "\"%s\"=dword:%08x", name, v);
}

/* REG_SZ: backslashes and quotes escaped as regedit writes them. */
static void reg_sz(ks_buf *b, const char *name, const char *v)
{
    ks_buf_printf(b, "\"%s\"=\"", name);
    for (const char *p = v; *p; p++) {
        if (*p == '\\' || *p == '"') ks_buf_putc(b, '\\');
        ks_buf_putc(b, *p);
    }
    ks_buf_puts(b, "\"\r\n");
}

/* hex(2) (REG_EXPAND_SZ) or hex(7) (REG_MULTI_SZ, parts split by '|'): UTF-16LE with
 * its NULs, wrapped as regedit wraps: lines of at most 80 characters, "\" at the end
 * and two spaces before the next. ASCII values only. */
static void reg_hex(ks_buf *b, const char *name, int type, const char *v)
{
    size_t start = b->len;
    ks_buf_printf(b, "\"%s\"=hex(%d):", name, type);
    size_t col = b->len - start, n = strlen(v);
    size_t total = 2 * (n + 1);
    for (size_t i = 0; i < total; i++) {
        size_t ch = i / 2;
        unsigned byte = 0;
        if (!(i & 1) && ch < n) byte = v[ch] == '|' ? 0 : (unsigned char)v[ch];
        ks_buf_printf(b, "%02x", byte);
        col += 2;
        if (i + 1 < total) {
            ks_buf_putc(b, ',');
            col++;
            if (col > 76) {
                ks_buf_puts(b, "\\\r\n  ");
                col = 2;
            }
        }
    }
    ks_buf_puts(b, "\r\n");
}

static void reg_keep(gen *g, const char *name, ks_buf *b)
{
    keep(g, name, b, 'w');
}

static void reg_smb(gen *g)
{
    int on = weak(g, KS_SIM_WEAK_SMB1);
    ks_buf b = {0};
    reg_begin(&b);
    reg_key(&b,
            "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters");
    reg_dword(&b, "autodisconnect", 15);
    reg_dword(&b, "enableforcedlogoff", 1);
    reg_dword(&b, "enablesecuritysignature", g->server ? 1 : 0);
    ks_buf_printf(&b, "\"Guid\"=hex:");
    for (int i = 0; i < 16; i++) ks_buf_printf(&b, "%02x%s", pick(&g->rng, 256), i < 15 ? "," : "");
    ks_buf_puts(&b, "\r\n");
    reg_hex(&b, "NullSessionPipes", 7, "");
    reg_dword(&b, "requiresecuritysignature", g->dc ? 1 : 0);
    reg_dword(&b, "restrictnullsessaccess", 1);
    reg_hex(&b, "ServiceDll", 2, "%SystemRoot%\\system32\\srvsvc.dll");
    reg_dword(&b, "ServiceDllUnloadOnStop", 1);
    reg_dword(&b, "SMB1", on ? 1 : 0);
    reg_end(&b);
    reg_keep(g, "reg-lanmanserver.reg", &b);

    reg_begin(&b);
    reg_key(&b, "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10");
    reg_hex(&b, "DependOnService", 7, "mrxsmb|");
    reg_sz(&b, "Description", "@%SystemRoot%\\system32\\wkssvc.dll,-1005");
    reg_sz(&b, "DisplayName", "@%SystemRoot%\\system32\\wkssvc.dll,-1004");
    reg_dword(&b, "ErrorControl", 1);
    reg_sz(&b, "Group", "Network");
    reg_hex(&b, "ImagePath", 2, "system32\\DRIVERS\\mrxsmb10.sys");
    reg_dword(&b, "Start", on ? 2 : 4);
    reg_dword(&b, "Type", 2);
    reg_end(&b);
    reg_keep(g, "reg-mrxsmb10.reg", &b);
}

static void reg_uac(gen *g)
{
    int off = weak(g, KS_SIM_WEAK_UAC);
    ks_buf b = {0};
    const char *k =
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System";
    reg_begin(&b);
    reg_key(&b, k);
    reg_dword(&b, "ConsentPromptBehaviorAdmin", off ? 0 : 2);
    reg_dword(&b, "ConsentPromptBehaviorUser", off ? 3 : 0);
    reg_dword(&b, "DSCAutomationHostEnabled", 2);
    reg_dword(&b, "EnableCursorSuppression", 1);
    reg_dword(&b, "EnableFullTrustStartupTasks", 2);
    reg_dword(&b, "EnableInstallerDetection", 1);
    reg_dword(&b, "EnableLUA", off ? 0 : 1);
    reg_dword(&b, "EnableSecureUIAPaths", 1);
    reg_dword(&b, "EnableUIADesktopToggle", 0);
    reg_dword(&b, "EnableUwpStartupTasks", 2);
    reg_dword(&b, "EnableVirtualization", 1);
    reg_dword(&b, "PromptOnSecureDesktop", off ? 0 : 1);
    reg_dword(&b, "SupportFullTrustStartupTasks", 1);
    reg_dword(&b, "SupportUwpStartupTasks", 1);
    reg_dword(&b, "ValidateAdminCodeSignatures", 0);
    reg_dword(&b, "dontdisplaylastusername", 0);
    reg_sz(&b, "legalnoticecaption", "");
    reg_sz(&b, "legalnoticetext", "");
    reg_dword(&b, "scforceoption", 0);
    reg_dword(&b, "shutdownwithoutlogon", g->server ? 0 : 1);
    reg_dword(&b, "undockwithoutlogon", 1);
    reg_end(&b);
    ks_buf_printf(&b, "[%s\\Audit]\r\n", k);
    if (!weak(g, KS_SIM_WEAK_AUDIT)) reg_dword(&b, "ProcessCreationIncludeCmdLine_Enabled", 1);
    reg_end(&b);
    ks_buf_printf(&b, "[%s\\UIPI]\r\n", k);
    ln(&b, "@=\"\"");
    reg_end(&b);
    reg_keep(g, "reg-policies-system.reg", &b);
}

static void reg_rdp(gen *g)
{
    int open = weak(g, KS_SIM_WEAK_RDP), nla = !open;
    /* servers take the administrators' RDP; terminals and PCs have it off */
    int deny = open ? 0 : g->server || g->h->role == KS_ROLE_TERMINAL_SERVER ? 0 : 1;
    const char *ts = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server";
    ks_buf b = {0};
    reg_begin(&b);
    reg_key(&b, ts);
    reg_dword(&b, "AllowRemoteRPC", 0);
    reg_dword(&b, "DelayConMgrTimeout", 0);
    reg_dword(&b, "DeleteTempDirsOnExit", 1);
    reg_dword(&b, "fDenyTSConnections", (uint32_t)deny);
    reg_dword(&b, "fSingleSessionPerUser", 1);
    reg_dword(&b, "NotificationTimeOut", 0);
    reg_dword(&b, "PerSessionTempDir", 0);
    reg_sz(&b, "ProductVersion", "5.1");
    reg_hex(&b, "RCDependentServices", 7, "CertPropSvc|SessionEnv|");
    reg_sz(&b, "SnapshotMonitors", "1");
    reg_dword(&b, "StartRCM", 0);
    reg_dword(&b, "TSUserEnabled", 0);
    reg_end(&b);
    ks_buf_printf(&b, "[%s\\AddIns]\r\n\r\n", ts);
    ks_buf_printf(&b, "[%s\\WinStations]\r\n", ts);
    reg_dword(&b, "DWMFRAMEINTERVAL", 15);
    reg_dword(&b, "MaxOutstandingConnections", 3000);
    reg_end(&b);
    ks_buf_printf(&b, "[%s\\WinStations\\RDP-Tcp]\r\n", ts);
    reg_dword(&b, "fEnableWinStation", 1);
    reg_dword(&b, "fInheritAutoLogon", 1);
    reg_dword(&b, "MaxInstanceCount", 0xffffffffu);
    reg_dword(&b, "MinEncryptionLevel", 2);
    reg_dword(&b, "PortNumber", 3389);
    reg_dword(&b, "SecurityLayer", nla ? 2 : 1);
    reg_dword(&b, "UserAuthentication", (uint32_t)nla);
    reg_end(&b);
    reg_keep(g, "reg-terminal-server.reg", &b);

    const char *pol =
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services";
    if (open) {
        missing(g, "reg-ts-policies.reg", pol);
        return;
    }
    reg_begin(&b);
    reg_key(&b, pol);
    if (deny) reg_dword(&b, "fDenyTSConnections", 1);
    reg_dword(&b, "fEncryptRPCTraffic", 1);
    reg_dword(&b, "fPromptForPassword", 1);
    reg_dword(&b, "MinEncryptionLevel", 3);
    reg_dword(&b, "UserAuthentication", 1);
    reg_end(&b);
    reg_keep(g, "reg-ts-policies.reg", &b);
}

static const char *const OFFICE_APPS[3] = {"Word", "Excel", "PowerPoint"};

static void reg_office(gen *g)
{
    static const char *const FILES[3] = {"reg-office-word.reg", "reg-office-excel.reg",
                                         "reg-office-powerpoint.reg"};
    int open = weak(g, KS_SIM_WEAK_MACROS);
    ks_buf b = {0};
    /* Group Policy writes lower-case names under Policies, for the user and the machine */
    static const char *const POL[2][2] = {
        {"reg-office-policies-hkcu.reg",
         "HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\Office\\16.0"},
        {"reg-office-policies-hklm.reg",
         "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Office\\16.0"}};
    for (int p = 0; p < 2; p++) {
        if (open) {
            missing(g, POL[p][0], POL[p][1]);
            continue;
        }
        reg_begin(&b);
        reg_key(&b, POL[p][1]);
        reg_end(&b);
        for (int a = 0; a < 3; a++) {
            char app[16];
            snprintf(app, sizeof app, "%s", OFFICE_APPS[a]);
            for (char *c = app; *c; c++) *c = (char)(*c | 0x20);
            ks_buf_printf(&b, "[%s\\%s]\r\n\r\n", POL[p][1], app);
            ks_buf_printf(&b, "[%s\\%s\\security]\r\n", POL[p][1], app);
            reg_dword(&b, "blockcontentexecutionfrominternet", 1);
            reg_dword(&b, "vbawarnings", 4);
            reg_end(&b);
        }
        reg_keep(g, POL[p][0], &b);
    }
    /* what a user chose in the Trust Center, per application */
    for (int a = 0; a < 3; a++) {
        char key[128];
        snprintf(key, sizeof key,
                 "HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\%s\\Security",
                 OFFICE_APPS[a]);
        if (!open) {
            missing(g, FILES[a], key);
            continue;
        }
        reg_begin(&b);
        reg_key(&b, key);
        reg_dword(&b, "AccessVBOM", 1);
        reg_dword(&b, "VBAWarnings", 1);
        reg_dword(&b, "blockcontentexecutionfrominternet", 0);
        reg_end(&b);
        ks_buf_printf(&b, "[%s\\ProtectedView]\r\n", key);
        reg_dword(&b, "DisableInternetFilesInPV", 1);
        reg_end(&b);
        reg_keep(g, FILES[a], &b);
    }
}

static void reg_usb(gen *g)
{
    int open = weak(g, KS_SIM_WEAK_USB);
    const char *k = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR";
    ks_buf b = {0};
    reg_begin(&b);
    reg_key(&b, k);
    reg_sz(&b, "DisplayName", "@usbstor.inf,%USBSTOR.SvcDesc%;USB Mass Storage Driver");
    reg_dword(&b, "ErrorControl", 1);
    reg_sz(&b, "Group", "Base");
    reg_hex(&b, "ImagePath", 2, "\\SystemRoot\\System32\\drivers\\USBSTOR.SYS");
    reg_hex(&b, "Owners", 7, "usbstor.inf|");
    reg_dword(&b, "Start", open ? 3 : 4);
    reg_dword(&b, "Type", 1);
    reg_end(&b);
    if (open) { /* a stick is plugged in as the collector runs */
        static const char *const STICKS[] = {"USB\\VID_0781&PID_5581\\4C530001230831117352",
                                             "USB\\VID_090C&PID_1000\\0376118070012561",
                                             "USB\\VID_0951&PID_1666\\E0D55EA57414F4B0B9A1"};
        ks_buf_printf(&b, "[%s\\Enum]\r\n", k);
        reg_sz(&b, "0", STICKS[pick(&g->rng, 3)]);
        reg_dword(&b, "Count", 1);
        reg_dword(&b, "NextInstance", 1);
        reg_end(&b);
    }
    reg_keep(g, "reg-usbstor.reg", &b);

    const char *pol =
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\RemovableStorageDevices";
    if (open) {
        missing(g, "reg-removable-storage.reg", pol);
        return;
    }
    reg_begin(&b);
    reg_key(&b, pol);
    reg_dword(&b, "Deny_All", 1);
    reg_end(&b);
    ks_buf_printf(&b, "[%s\\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}]\r\n", pol);
    reg_dword(&b, "Deny_Read", 1);
    reg_dword(&b, "Deny_Write", 1);
    reg_end(&b);
    reg_keep(g, "reg-removable-storage.reg", &b);
}

/* The classic logs as the event log service keeps them: size and what happens when
 * full. The same numbers go to wevtutil gl. */
typedef struct logcfg {
    const char *channel, *file;
    uint32_t max;
    int archive;
} logcfg;

static void logcfgs(gen *g, logcfg out[3])
{
    static const uint32_t HARD_SEC[3] = {1073741824u, 2147483648u, 4194240u * 1024u};
    int small = weak(g, KS_SIM_WEAK_LOG);
    out[0] = (logcfg){"Security", "reg-eventlog-security.reg",
                      small ? 20971520u : HARD_SEC[pick(&g->rng, 3)], !small};
    out[1] = (logcfg){"System", "reg-eventlog-system.reg", small ? 20971520u : 268435456u, !small};
    out[2] = (logcfg){"Application", "reg-eventlog-application.reg", small ? 20971520u : 268435456u,
                      !small};
}

static void reg_eventlog(gen *g, const logcfg *c)
{
    ks_buf b = {0};
    char key[128], path[96];
    snprintf(key, sizeof key,
             "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\%s", c->channel);
    snprintf(path, sizeof path, "%%SystemRoot%%\\System32\\Winevt\\Logs\\%s.evtx", c->channel);
    reg_begin(&b);
    reg_key(&b, key);
    if (c->archive) reg_dword(&b, "AutoBackupLogFiles", 1);
    reg_hex(&b, "DisplayNameFile", 2, "%SystemRoot%\\system32\\wevtapi.dll");
    reg_dword(&b, "DisplayNameID",
              !strcmp(c->channel, "Security") ? 0x100
              : !strcmp(c->channel, "System") ? 0x102
                                              : 0x101);
    reg_hex(&b, "File", 2, path);
    reg_dword(&b, "MaxSize", c->max);
    reg_sz(&b, "PrimaryModule", c->channel);
    reg_dword(&b, "Retention", c->archive ? 0xffffffffu : 0);
    reg_end(&b);
    if (!strcmp(c->channel, "Security")) {
        ks_buf_printf(&b, "[%s\\Microsoft-Windows-Security-Auditing]\r\n", key);
        reg_sz(&b, "ProviderGuid", "{54849625-5478-4994-a5ba-3e3b0328c30d}");
        reg_end(&b);
        ks_buf_printf(&b, "[%s\\Security]\r\n", key);
        reg_hex(&b, "CategoryMessageFile", 2, "%SystemRoot%\\system32\\MsAuditE.dll");
        reg_dword(&b, "CategoryCount", 9);
        reg_end(&b);
    } else {
        ks_buf_printf(&b, "[%s\\EventLog]\r\n", key);
        reg_sz(&b, "ProviderGuid", "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}");
        reg_end(&b);
    }
    reg_keep(g, c->file, &b);
}

/* ---- wevtutil gl ----------------------------------------------------------------- */

static void wevtutil(gen *g, const char *channel, const char *file, const char *type,
                     const char *owner, const char *access, uint32_t max, int archive)
{
    ks_buf b = {0};
    ln(&b, "name: %s", channel);
    ln(&b, "enabled: true");
    ln(&b, "type: %s", type);
    ln(&b, "owningPublisher: %s", owner);
    /* Security keeps its own isolation; the other classic logs are named after theirs */
    ln(&b, "isolation: %s",
       !strcmp(channel, "Security") ? "Custom"
       : !strcmp(channel, "System") ? "System"
                                    : "Application");
    ln(&b, "channelAccess: %s", access);
    ln(&b, "logging:");
    /* the file of "A/B" is A%4B.evtx */
    const char *slash = strchr(channel, '/');
    int head = slash ? (int)(slash - channel) : (int)strlen(channel);
    ln(&b, "  logFileName: %%SystemRoot%%\\System32\\Winevt\\Logs\\%.*s%s%s.evtx", head, channel,
       slash ? "%4" : "", slash ? slash + 1 : "");
    ln(&b, "  retention: %s", archive ? "true" : "false");
    ln(&b, "  autoBackup: %s", archive ? "true" : "false");
    ln(&b, "  maxSize: %u", max);
    ln(&b, "publishing:");
    ln(&b, "  fileMax: 1");
    ln(&b, "%s", "");
    keep(g, file, &b, 'j');
}

static void wevtutils(gen *g, const logcfg cfg[3])
{
    static const char *const ACCESS[3] = {
        "O:BAG:SYD:(A;;CCLCSDRCWDWO;;;SY)(A;;CCLC;;;BA)(A;;CC;;;ER)(A;;CC;;;NS)",
        "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x3;;;BO)(A;;0x5;;;SO)(A;;0x1;;;IU)"
        "(A;;0x3;;;SU)(A;;0x1;;;S-1-5-3)(A;;0x2;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)",
        "O:BAG:SYD:(A;;0x2;;;S-1-15-2-1)(A;;0x2;;;S-1-15-3-1024-3153509613-960666767-3724611135-"
        "2725662640-12138253-543910227-1950414635-4190290187)(A;;0xf0007;;;SY)(A;;0x7;;;BA)"
        "(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)"
        "(A;;0x1;;;S-1-5-32-573)"};
    static const char *const FILES[3] = {"wevtutil-Security.txt", "wevtutil-System.txt",
                                         "wevtutil-Application.txt"};
    for (int i = 0; i < 3; i++)
        wevtutil(g, cfg[i].channel, FILES[i], "Admin", "", ACCESS[i], cfg[i].max, cfg[i].archive);
    static const char *const TS[2][2] = {
        {"Microsoft-Windows-TerminalServices-LocalSessionManager",
         "wevtutil-TerminalServices-LocalSessionManager-Operational.txt"},
        {"Microsoft-Windows-TerminalServices-RemoteConnectionManager",
         "wevtutil-TerminalServices-RemoteConnectionManager-Operational.txt"}};
    for (int i = 0; i < 2; i++) {
        char ch[96];
        snprintf(ch, sizeof ch, "%s/Operational", TS[i][0]);
        wevtutil(g, ch, TS[i][1], "Operational", TS[i][0],
                 "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)"
                 "(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)",
                 weak(g, KS_SIM_WEAK_LOG) ? 1052672u : 104857600u, 0);
    }
}

/* ---- net localgroup administrators ---------------------------------------------- */

static void localgroup(gen *g)
{
    static const char *const STAFF[] = {"tanaka.h",   "suzuki.y", "sato.k",     "takahashi.m",
                                        "watanabe.a", "ito.r",    "yamamoto.s", "nakamura.e"};
    ks_buf b = {0};
    ln(&b, g->ja ? "エイリアス名     administrators" : "Alias name     administrators");
    ln(&b, g->ja ? "コメント         コンピューター/ドメインに完全なアクセス権があります"
                 : "Comment        Administrators have complete and unrestricted access to the "
                   "computer/domain");
    ln(&b, "%s", "");
    ln(&b, g->ja ? "メンバー" : "Members");
    ln(&b, "%s", "");
    ln(&b, "-------------------------------------------------------------------------------");
    ln(&b, "Administrator");
    if (g->dc) {
        ln(&b, "Domain Admins");
        ln(&b, "Enterprise Admins");
    } else {
        ln(&b, DOMAIN "\\Domain Admins");
    }
    if (weak(g, KS_SIM_WEAK_ADMINS))
        ln(&b, DOMAIN "\\%s", STAFF[pick(&g->rng, sizeof STAFF / sizeof STAFF[0])]);
    ln(&b, g->ja ? "コマンドは正常に終了しました。" : "The command completed successfully.");
    ln(&b, "%s", "");
    keep(g, "localgroup-administrators.txt", &b, 'j');
}

/* ---- Get-SmbServerConfiguration -------------------------------------------------- */

typedef struct prop {
    const char *name;
    char kind; /* 'b' boolean, 'n' number, 's' string */
    long long num;
    const char *str;
} prop;

static size_t smb_props(gen *g, prop *p)
{
    int smb1 = weak(g, KS_SIM_WEAK_SMB1);
    size_t n = 0;
#define B(nm, v) p[n++] = (prop){nm, 'b', (v), NULL}
#define N(nm, v)                                                                                   \
    p[n++] = (prop)                                                                                \
    {                                                                                              \
        nm, 'n', (v), NULL                                                                         \
    }
#define S(nm, v)                                                                                   \
    p[n++] = (prop)                                                                                \
    {                                                                                              \
        nm, 's', 0, (v)                                                                            \
    }
    S("AnnounceComment", "");
    B("AnnounceServer", 0);
    N("AsynchronousCredits", 64);
    B("AuditSmb1Access", !smb1);
    N("AutoDisconnectTimeout", 15);
    B("AutoShareServer", 1);
    B("AutoShareWorkstation", 1);
    N("CachedOpenLimit", 10);
    N("DurableHandleV2TimeoutInSeconds", 180);
    B("EnableAuthenticateUserSharing", 0);
    B("EnableDownlevelTimewarp", 0);
    B("EnableForcedLogoff", 1);
    B("EnableLeasing", 1);
    B("EnableMultiChannel", 1);
    B("EnableOplocks", 1);
    B("EnableSecuritySignature", g->server);
    B("EnableSMB1Protocol", smb1);
    B("EnableSMB2Protocol", 1);
    B("EnableStrictNameChecking", 1);
    B("EncryptData", 0);
    N("IrpStackSize", 15);
    N("KeepAliveTime", 2);
    N("MaxChannelPerSession", 32);
    N("MaxMpxCount", 50);
    N("MaxSessionPerConnection", 16384);
    N("MaxThreadsPerQueue", 20);
    N("MaxWorkItems", 1);
    S("NullSessionPipes", "");
    S("NullSessionShares", "");
    N("OplockBreakWait", 35);
    N("PendingClientTimeoutInSeconds", 120);
    B("RejectUnencryptedAccess", 1);
    B("RequireSecuritySignature", g->dc);
    B("ServerHidden", 1);
    N("Smb2CreditsMax", 8192);
    N("Smb2CreditsMin", 512);
    N("SmbServerNameHardeningLevel", 0);
    B("TreatHostAsStableStorage", 0);
    B("ValidateAliasNotCircular", 1);
    B("ValidateShareScope", 1);
    B("ValidateShareScopeNotAliased", 1);
    B("ValidateTargetName", 1);
#undef B
#undef N
#undef S
    return n;
}

/* PowerShell 5.1's ConvertTo-Json: four spaces, two after the colon. */
static void json_value(ks_buf *b, const prop *p)
{
    if (p->kind == 'b')
        ks_buf_puts(b, p->num ? "true" : "false");
    else if (p->kind == 'n')
        ks_buf_printf(b, "%lld", p->num);
    else
        ks_buf_printf(b, "\"%s\"", p->str);
}

static void smbconfig(gen *g)
{
    prop p[48];
    size_t n = smb_props(g, p), w = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(p[i].name) > w) w = strlen(p[i].name);
    ks_buf b = {0};
    ln(&b, "%s", "");
    ln(&b, "%s", "");
    for (size_t i = 0; i < n; i++) {
        const char *v = p[i].kind == 'b' ? (p[i].num ? "True" : "False") : p[i].str;
        if (p[i].kind == 'n')
            ln(&b, "%-*s : %lld", (int)w, p[i].name, p[i].num);
        else
            ln(&b, "%-*s : %s", (int)w, p[i].name, v);
    }
    ln(&b, "%s", "");
    ln(&b, "%s", "");
    ln(&b, "%s", "");
    keep(g, "smb-server-config.txt", &b, 'u');

    ln(&b, "{");
    for (size_t i = 0; i < n; i++) {
        ks_buf_printf(&b, "    \"%s\":  ", p[i].name);
        json_value(&b, &p[i]);
        ln(&b, "%s", i + 1 < n ? "," : "");
    }
    ln(&b, "}");
    keep(g, "smb-server-config.json", &b, 'u');
}

/* ---- Get-HotFix | Select-Object Source,Description,HotFixID,InstalledBy,InstalledOn -- */

static void hotfix(gen *g)
{
    /* (KB, year, month, day, description): the October 2024 updates on a patched host;
     * a weak one stopped in 2023. Year 0: Windows recorded no date (InstalledOn null). */
    typedef struct kb {
        const char *id, *desc;
        int y, m, d;
    } kb;
    static const kb HARD[] = {{"KB4577586", "Update", 0, 0, 0},
                              {"KB5011048", "Update", 2022, 3, 9},
                              {"KB5015684", "Update", 2022, 8, 10},
                              {"KB5043935", "Update", 2024, 9, 11},
                              {"KB5043130", "Update", 2024, 9, 11},
                              {"KB5044029", "Update", 2024, 10, 9},
                              {"KB5044273", "Security Update", 2024, 10, 9}};
    static const kb WEAK[] = {{"KB4577586", "Update", 0, 0, 0},
                              {"KB5011048", "Update", 2022, 3, 9},
                              {"KB5015684", "Update", 2022, 8, 10},
                              {"KB5031356", "Security Update", 2023, 10, 11}};
    const kb *list = g->h->weak == KS_SIM_WEAK_ALL ? WEAK : HARD;
    size_t n = list == HARD ? sizeof HARD / sizeof HARD[0] : sizeof WEAK / sizeof WEAK[0];
    static const char *const WDAY_EN[7] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                           "Monday",   "Tuesday", "Wednesday"};
    static const char *const MON_EN[12] = {"January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December"};
    ks_buf b = {0};
    ln(&b, "[");
    for (size_t i = 0; i < n; i++) {
        const kb *k = &list[i];
        int64_t days = ks_days_from_civil(k->y, (unsigned)k->m, (unsigned)k->d);
        /* InstalledOn is local midnight; JSON's \/Date()\/ is UTC milliseconds */
        long long ms = (long long)(days * 86400 - 9 * 3600) * 1000;
        ln(&b, "    {");
        ln(&b, "        \"Source\":  \"%s\",", g->h->name);
        ln(&b, "        \"Description\":  \"%s\",", k->desc);
        ln(&b, "        \"HotFixID\":  \"%s\",", k->id);
        ln(&b, "        \"InstalledBy\":  \"%s\",", i < 3 ? "" : "NT AUTHORITY\\\\SYSTEM");
        if (!k->y) {
            ln(&b, "        \"InstalledOn\":  null");
            ln(&b, "    },");
            continue;
        }
        ln(&b, "        \"InstalledOn\":  {");
        ln(&b, "                            \"value\":  \"\\/Date(%lld)\\/\",", ms);
        if (g->ja)
            ln(&b, "                            \"DateTime\":  \"%d年%d月%d日 0:00:00\"", k->y,
               k->m, k->d);
        else
            ln(&b, "                            \"DateTime\":  \"%s, %s %d, %d 12:00:00 AM\"",
               WDAY_EN[((days % 7) + 7) % 7], MON_EN[k->m - 1], k->d, k->y);
        ln(&b, "                        }");
        ln(&b, "    }%s", i + 1 < n ? "," : "");
    }
    ln(&b, "]");
    keep(g, "hotfix.json", &b, 'u');
}

/* ---- one host ------------------------------------------------------------------- */

static uint64_t name_hash(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

ks_status ks_sim_audit_render(const ks_sim_audit_host *h, uint64_t seed, ks_sim_audit_file *files,
                              size_t *n)
{
    if (n) *n = 0;
    if (!h || !files || !n || !h->name[0]) return KS_ERR_ARG;
    gen g = {.h = h,
             .rng = seed ^ name_hash(h->name),
             .ja = h->lang == KS_SIM_JA,
             .dc = h->role == KS_ROLE_DOMAIN_CONTROLLER,
             .files = files};
    g.server = h->role == KS_ROLE_DOMAIN_CONTROLLER || h->role == KS_ROLE_FILE_SERVER ||
               h->role == KS_ROLE_BACKUP_SERVER || h->role == KS_ROLE_EMR_SERVER ||
               h->role == KS_ROLE_TERMINAL_SERVER;
    ln(&g.log, "kensa-collect 1.0 on %s, %s, as " DOMAIN "\\admin.kimura (administrator)", h->name,
       g.ja ? "ja-JP" : "en-US");
    ln(&g.log, "started 2024-10-16T09:%02u:%02u+09:00", 10 + pick(&g.rng, 40), pick(&g.rng, 60));
    secedit(&g);
    auditpol(&g);
    reg_smb(&g);
    reg_uac(&g);
    reg_rdp(&g);
    reg_office(&g);
    reg_usb(&g);
    logcfg cfg[3];
    logcfgs(&g, cfg);
    for (int i = 0; i < 3; i++) reg_eventlog(&g, &cfg[i]);
    /* the sizes were set on each host (wevtutil sl), not by Group Policy */
    missing(&g, "reg-eventlog-policies.reg",
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog");
    wevtutils(&g, cfg);
    localgroup(&g);
    smbconfig(&g);
    hotfix(&g);
    ln(&g.log, "done: %zu files; nothing was changed on this computer", g.n);
    keep(&g, "collect.log", &g.log, 'u');
    *n = g.n;
    if (g.failed) {
        ks_sim_audit_files_free(files, g.n);
        *n = 0;
        return g.failed == 2 ? KS_ERR_UNSUPPORTED : KS_ERR_NOMEM;
    }
    return KS_OK;
}

void ks_sim_audit_files_free(ks_sim_audit_file *files, size_t n)
{
    for (size_t i = 0; files && i < n; i++) ks_buf_free(&files[i].data);
}

ks_status ks_sim_audit_write_host(const char *dir, const ks_sim_audit_host *h, uint64_t seed,
                                  ks_diag *diag)
{
    char path[4096];
    int k = snprintf(path, sizeof path, "%s/%s", dir ? dir : "", h ? h->name : "");
    if (!dir || !h || k < 0 || (size_t)k + 100 >= sizeof path)
        return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "folder name too long or missing");
    ks_status st = ks_sim_make_dir(path, diag);
    if (st) return st;
    ks_sim_audit_file files[KS_SIM_AUDIT_MAX_FILES];
    size_t n = 0;
    if ((st = ks_sim_audit_render(h, seed, files, &n)))
        return ks_diag_set(diag, st, path, 0,
                           st == KS_ERR_UNSUPPORTED
                               ? "this system cannot convert text to UTF-16LE or CP932"
                               : "out of memory");
    for (size_t i = 0; i < n && !st; i++) {
        int w = snprintf(path + k, sizeof path - (size_t)k, "/%s", files[i].name);
        if (w < 0 || (size_t)w >= sizeof path - (size_t)k) {
            st = ks_diag_set(diag, KS_ERR_ARG, dir, 0, "folder name too long");
            break;
        }
        st = ks_sim_write_file(path, files[i].data.data, files[i].data.len, diag);
    }
    ks_sim_audit_files_free(files, n);
    return st;
}

/* ---- the practice hospital ------------------------------------------------------- */

size_t ks_sim_audit_hospital(uint64_t seed, ks_sim_audit_host *hosts, size_t max)
{
    /* the hosts and roles of ks_sim_write_site; the administrator's PC and the domain
     * controller were set up in English, the rest speak Japanese */
    static const struct {
        const char *name;
        ks_site_role role;
        ks_sim_lang lang;
    } SERVERS[] = {{"DC01", KS_ROLE_DOMAIN_CONTROLLER, KS_SIM_EN},
                   {"FS01", KS_ROLE_FILE_SERVER, KS_SIM_JA},
                   {"EMR-DB01", KS_ROLE_EMR_SERVER, KS_SIM_JA},
                   {"BK01", KS_ROLE_BACKUP_SERVER, KS_SIM_JA},
                   {"RDS01", KS_ROLE_TERMINAL_SERVER, KS_SIM_JA},
                   {"IT-PC01", KS_ROLE_WORKSTATION, KS_SIM_EN}};
    enum { NSERVERS = sizeof SERVERS / sizeof SERVERS[0], NTERMINALS = 12 };
    uint64_t rng = seed ^ UINT64_C(0x5ca1ab1e);
    unsigned usb = 1 + pick(&rng, NTERMINALS);
    for (size_t i = 0; i < NSERVERS + NTERMINALS && i < max; i++) {
        ks_sim_audit_host *h = &hosts[i];
        memset(h, 0, sizeof *h);
        if (i < NSERVERS) {
            snprintf(h->name, sizeof h->name, "%s", SERVERS[i].name);
            h->role = SERVERS[i].role;
            h->lang = SERVERS[i].lang;
        } else {
            unsigned t = (unsigned)(i - NSERVERS + 1);
            snprintf(h->name, sizeof h->name, "EMR-TERM-%02u", t);
            h->role = KS_ROLE_EMR_TERMINAL;
            h->lang = KS_SIM_JA;
            if (t == usb) h->weak = KS_SIM_WEAK_USB;
        }
        /* the host brute-forced over RDP: it never locked out, RDP asked for no NLA */
        if (h->role == KS_ROLE_TERMINAL_SERVER) h->weak = KS_SIM_WEAK_LOCKOUT | KS_SIM_WEAK_RDP;
    }
    return NSERVERS + NTERMINALS;
}

ks_status ks_sim_write_audit(const char *dir, uint64_t seed, ks_diag *diag)
{
    if (!dir || !*dir) return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no output folder given");
    ks_status st = ks_sim_make_dir(dir, diag);
    ks_sim_audit_host hosts[32];
    size_t n = ks_sim_audit_hospital(seed, hosts, 32);
    for (size_t i = 0; i < n && i < 32 && !st; i++)
        st = ks_sim_audit_write_host(dir, &hosts[i], seed, diag);
    return st;
}
