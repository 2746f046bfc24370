/* The tables behind the CSV reader and writer (csv_tables.h): which EventData names
 * LogParser's pipe-joined `Strings` stand for, event by event and template by template,
 * and how the labelled lines of Event Viewer's messages (English, Japanese) map to the
 * same names, so that a CSV export gives the fields an .evtx file gives. */

/* Sources, checked with the search tool and the shared samples.
 *
 * Strings (names and order): kensa dump of the real samples under ../shared/data/evtx:
 * Security 4624 v0/v1/v2 (20/21/27 strings), 4625 (21), 4634 (5), 4647 (4), 4648 (14),
 * 4672 (5), 4688 v1 (9), v2 (13 and 15), 4697 (9), 4698 (6), 4720 (26), 4728/4732/4756
 * (10), 4768 (14), 4769 (11), 4771 (11), 4776 (4), 5140 v1 (11), 5145 (13); Eventlog
 * 1102 and 104 (UserData, 4); Service Control Manager 7045 (5), 7036 (2 + Binary),
 * 7040 (4). Not in the samples: 4688 v0 (8, no CommandLine: "Win2012R2 adds Process
 * Command Line", and Windows 2008 messages without it), 4702 (6, TaskContentNew:
 * Microsoft's 4702(S) page), 4740 (7: the adtschema.dll template, %1 Account Name ..
 * %7 Logon ID). Assumed, not verified: 5140 v0 (10, before AccessList). Not listed,
 * not verified: the v1 templates of 4697/4698/4702 (Windows 11 / Server 2022+, with
 * ClientProcessStartKey ...): such rows fall back to String1..N.
 *
 * Event Viewer labels, English: the message templates as Windows writes them
 * (adtschema.dll templates quoted on eventopedia, eventsentry and Elastic's Windows
 * Event Explorer; Microsoft's auditing reference). Japanese:
 *  - verified from Microsoft: a real 4625 export in Microsoft Japan's Azure Identity
 *    support blog ("Extranet Lockout について", 2018): サブジェクト, セキュリティ ID,
 *    アカウント名, アカウント ドメイン, ログオン ID, ログオン タイプ,
 *    ログオンを失敗したアカウント, エラー情報, 失敗の原因, 状態, サブ ステータス,
 *    プロセス情報, 呼び出し側プロセス ID, 呼び出し側プロセス名, ネットワーク情報,
 *    ワークステーション名, ソース ネットワーク アドレス, ソース ポート, and the header
 *    words レベル, 情報, キーワード, 失敗の監査 (also in Microsoft KB 2462055);
 *    Microsoft's Japanese 4625 reference page (a translation of the field list, not the
 *    message): ログオンに失敗したアカウント, 失敗情報, 失敗理由, ステータス,
 *    サブステータス, 呼び出し元プロセス ID/名 (kept as variants);
 *  - Windows' own 4624 template in Japanese (Windows 7 / 2008 R2 resource strings on
 *    uitranslation.com; whitefox.jp): 新しいログオン, ログオンの種類 (a variant of
 *    ログオン タイプ), ログオン GUID, プロセス ID, プロセス名, 詳細な認証情報,
 *    ログオン プロセス, 認証パッケージ, 移行されたサービス, パッケージ名 (NTLM のみ),
 *    キーの長さ;
 *  - a real Get-WinEvent 7045 message from a Japanese server (public repository):
 *    サービス名, サービス ファイル名, サービスの種類, サービス開始の種類,
 *    サービス アカウント;
 *  - NOT verified against Microsoft, from third-party parsers of Japanese exports
 *    (Exabeam content library, Oraculum): 4688 作成元サブジェクト, ターゲット サブジェクト,
 *    新しいプロセス ID, 新しいプロセス名, トークン昇格の種類, 作成元プロセス ID,
 *    クリエーター プロセス ID, 作成元プロセス名, プロセスのコマンド ライン; 4624
 *    ログオン情報, ネットワーク アカウント名, ネットワーク アカウント ドメイン; 4648
 *    資格情報が使用されたアカウント, ターゲット サーバー, ターゲット サーバー名,
 *    ネットワーク アドレス, ポート; 4672 特権; 4698 タスク情報, タスク名; 4720
 *    新しいアカウント; 4728/4732/4756 メンバ(ー), グループ, グループ名, グループ ドメイン;
 *    4768/4769 アカウント情報, 提供された領域名, サービス情報, クライアント アドレス,
 *    クライアント ポート; 5140 共有情報, 共有名, 送信元アドレス. Other Japanese labels
 *    (4720's attributes, 4740, 4771, 4776, 5145, 1102, 必須ラベル) are not known: those
 *    items are not read from Japanese messages.
 *  Japanese sentences of 7036/7040/104 are not known: those messages give no fields
 *  (the whole text is kept as a field "Message"). */
#include "ingest/csv_tables.h"
#include "util/str.h"

#include <string.h>

/* ---- LogParser Strings ------------------------------------------------------------ */

#define SUBJECT "SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId"
#define LOGON_V0                                                                                   \
    SUBJECT, "TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId", "LogonType",  \
        "LogonProcessName", "AuthenticationPackageName", "WorkstationName", "LogonGuid",           \
        "TransmittedServices", "LmPackageName", "KeyLength", "ProcessId", "ProcessName",           \
        "IpAddress", "IpPort"
#define PROC_V0 SUBJECT, "NewProcessId", "NewProcessName", "TokenElevationType", "ProcessId"
#define GROUP_ADD                                                                                  \
    "MemberName", "MemberSid", "TargetUserName", "TargetDomainName", "TargetSid", SUBJECT,         \
        "PrivilegeList"
#define SHARE_V0                                                                                   \
    SUBJECT, "ObjectType", "IpAddress", "IpPort", "ShareName", "ShareLocalPath", "AccessMask"

static const char *const n4624_0[] = {LOGON_V0};
static const char *const n4624_1[] = {LOGON_V0, "ImpersonationLevel"};
static const char *const n4624_2[] = {LOGON_V0,
                                      "ImpersonationLevel",
                                      "RestrictedAdminMode",
                                      "TargetOutboundUserName",
                                      "TargetOutboundDomainName",
                                      "VirtualAccount",
                                      "TargetLinkedLogonId",
                                      "ElevatedToken"};
static const char *const n4625[] = {SUBJECT,
                                    "TargetUserSid",
                                    "TargetUserName",
                                    "TargetDomainName",
                                    "Status",
                                    "FailureReason",
                                    "SubStatus",
                                    "LogonType",
                                    "LogonProcessName",
                                    "AuthenticationPackageName",
                                    "WorkstationName",
                                    "TransmittedServices",
                                    "LmPackageName",
                                    "KeyLength",
                                    "ProcessId",
                                    "ProcessName",
                                    "IpAddress",
                                    "IpPort"};
static const char *const n4634[] = {"TargetUserSid", "TargetUserName", "TargetDomainName",
                                    "TargetLogonId", "LogonType"};
static const char *const n4647[] = {"TargetUserSid", "TargetUserName", "TargetDomainName",
                                    "TargetLogonId"};
static const char *const n4648[] = {
    SUBJECT,           "LogonGuid",        "TargetUserName", "TargetDomainName",
    "TargetLogonGuid", "TargetServerName", "TargetInfo",     "ProcessId",
    "ProcessName",     "IpAddress",        "IpPort"};
static const char *const n4672[] = {SUBJECT, "PrivilegeList"};
static const char *const n4688_0[] = {PROC_V0};
static const char *const n4688_1[] = {PROC_V0, "CommandLine"};
static const char *const n4688_2a[] = {PROC_V0,          "CommandLine",      "TargetUserSid",
                                       "TargetUserName", "TargetDomainName", "TargetLogonId"};
static const char *const n4688_2[] = {
    PROC_V0,         "CommandLine",       "TargetUserSid", "TargetUserName", "TargetDomainName",
    "TargetLogonId", "ParentProcessName", "MandatoryLabel"};
static const char *const n4697[] = {SUBJECT,       "ServiceName",      "ServiceFileName",
                                    "ServiceType", "ServiceStartType", "ServiceAccount"};
static const char *const n4698[] = {SUBJECT, "TaskName", "TaskContent"};
static const char *const n4702[] = {SUBJECT, "TaskName", "TaskContentNew"};
static const char *const n4720[] = {
    "TargetUserName",      "TargetDomainName", "TargetSid",      SUBJECT,
    "PrivilegeList",       "SamAccountName",   "DisplayName",    "UserPrincipalName",
    "HomeDirectory",       "HomePath",         "ScriptPath",     "ProfilePath",
    "UserWorkstations",    "PasswordLastSet",  "AccountExpires", "PrimaryGroupId",
    "AllowedToDelegateTo", "OldUacValue",      "NewUacValue",    "UserAccountControl",
    "UserParameters",      "SidHistory",       "LogonHours"};
static const char *const ngroup[] = {GROUP_ADD};
static const char *const n4740[] = {"TargetUserName", "TargetDomainName", "TargetSid", SUBJECT};
static const char *const n4768[] = {
    "TargetUserName",   "TargetDomainName", "TargetSid", "ServiceName",
    "ServiceSid",       "TicketOptions",    "Status",    "TicketEncryptionType",
    "PreAuthType",      "IpAddress",        "IpPort",    "CertIssuerName",
    "CertSerialNumber", "CertThumbprint"};
static const char *const n4769[] = {
    "TargetUserName",       "TargetDomainName", "ServiceName", "ServiceSid", "TicketOptions",
    "TicketEncryptionType", "IpAddress",        "IpPort",      "Status",     "LogonGuid",
    "TransmittedServices"};
static const char *const n4771[] = {"TargetUserName",   "TargetSid",     "ServiceName",
                                    "TicketOptions",    "Status",        "PreAuthType",
                                    "IpAddress",        "IpPort",        "CertIssuerName",
                                    "CertSerialNumber", "CertThumbprint"};
static const char *const n4776[] = {"PackageName", "TargetUserName", "Workstation", "Status"};
static const char *const n5140_0[] = {SHARE_V0};
static const char *const n5140_1[] = {SHARE_V0, "AccessList"};
static const char *const n5145[] = {
    SUBJECT,          "ObjectType",         "IpAddress",  "IpPort",     "ShareName",
    "ShareLocalPath", "RelativeTargetName", "AccessMask", "AccessList", "AccessReason"};
static const char *const n1102[] = {SUBJECT};
static const char *const n104[] = {"SubjectUserName", "SubjectDomainName", "Channel", "BackupPath"};
static const char *const n7045[] = {"ServiceName", "ImagePath", "ServiceType", "StartType",
                                    "AccountName"};
static const char *const n7036[] = {"param1", "param2"};
static const char *const n7040[] = {"param1", "param2", "param3", "param4"};

#define N(a) (uint8_t)(sizeof(a) / sizeof((a)[0])), a
#define SEC KS_PROVIDER_SECURITY
#define EVL KS_PROVIDER_EVENTLOG
#define SCM KS_PROVIDER_SCM

/* Greedy names hold free text that may contain '|' (a command line, a task's XML, a
 * service's command). */
static const ks_csv_strings strings_table[] = {
    {SEC, 4624, 0, -1, false, N(n4624_0)}, {SEC, 4624, 1, -1, false, N(n4624_1)},
    {SEC, 4624, 2, -1, false, N(n4624_2)}, {SEC, 4625, 0, -1, false, N(n4625)},
    {SEC, 4634, 0, -1, false, N(n4634)},   {SEC, 4647, 0, -1, false, N(n4647)},
    {SEC, 4648, 0, -1, false, N(n4648)},   {SEC, 4672, 0, -1, false, N(n4672)},
    {SEC, 4688, 0, -1, false, N(n4688_0)}, {SEC, 4688, 1, 8, false, N(n4688_1)},
    {SEC, 4688, 2, 8, false, N(n4688_2a)}, {SEC, 4688, 2, 8, false, N(n4688_2)},
    {SEC, 4697, 0, 5, false, N(n4697)},    {SEC, 4698, 0, 5, false, N(n4698)},
    {SEC, 4702, 0, 5, false, N(n4702)},    {SEC, 4720, 0, -1, false, N(n4720)},
    {SEC, 4728, 0, -1, false, N(ngroup)},  {SEC, 4732, 0, -1, false, N(ngroup)},
    {SEC, 4740, 0, -1, false, N(n4740)},   {SEC, 4756, 0, -1, false, N(ngroup)},
    {SEC, 4768, 0, -1, false, N(n4768)},   {SEC, 4769, 0, -1, false, N(n4769)},
    {SEC, 4771, 0, -1, false, N(n4771)},   {SEC, 4776, 0, -1, false, N(n4776)},
    {SEC, 5140, 0, -1, false, N(n5140_0)}, {SEC, 5140, 1, -1, false, N(n5140_1)},
    {SEC, 5145, 0, -1, false, N(n5145)},   {EVL, 1102, 0, -1, false, N(n1102)},
    {EVL, 104, 0, -1, false, N(n104)},     {SCM, 7045, 0, 1, false, N(n7045)},
    {SCM, 7036, 0, -1, true, N(n7036)},    {SCM, 7040, 0, -1, false, N(n7040)},
};

#undef N

static size_t count_of(const ks_csv_strings *t)
{
    return t->count;
}

const ks_csv_strings *ks_csv_strings_find(ks_str provider, uint32_t event_id, size_t n,
                                          size_t *extra)
{
    const ks_csv_strings *greedy = NULL;
    *extra = 0;
    for (size_t i = 0; i < sizeof strings_table / sizeof strings_table[0]; i++) {
        const ks_csv_strings *t = &strings_table[i];
        if (t->event_id != event_id || !ks_str_eq(provider, t->provider)) continue;
        size_t c = count_of(t);
        if (c == n) return t;
        /* the template with the most names that a greedy name can stretch to n */
        if (t->greedy >= 0 && c < n && (!greedy || c > count_of(greedy))) greedy = t;
    }
    if (greedy) *extra = n - count_of(greedy);
    return greedy;
}

const ks_csv_strings *ks_csv_strings_newest(ks_str provider, uint32_t event_id)
{
    const ks_csv_strings *best = NULL;
    for (size_t i = 0; i < sizeof strings_table / sizeof strings_table[0]; i++) {
        const ks_csv_strings *t = &strings_table[i];
        if (t->event_id == event_id && ks_str_eq(provider, t->provider) &&
            (!best || count_of(t) > count_of(best)))
            best = t;
    }
    return best;
}

const char *ks_csv_channel_of(ks_str provider, uint32_t event_id)
{
    if (ks_str_eq(provider, SEC)) return "Security";
    if (ks_str_eq(provider, SCM)) return "System";
    if (ks_str_eq(provider, EVL)) return event_id == 1102 ? "Security" : "System";
    if (ks_str_eq(provider, "Microsoft-Windows-Kernel-General") ||
        ks_str_eq(provider, "Microsoft-Windows-Kernel-Power") || ks_str_eq(provider, "EventLog") ||
        ks_str_eq(provider, "Microsoft-Windows-Winlogon") ||
        ks_str_eq(provider, "Microsoft-Windows-Time-Service"))
        return "System";
    return NULL;
}

/* ---- Event Viewer labels ---------------------------------------------------------- */

typedef struct label_alias {
    const char *text;  /* as written in a message */
    const char *canon; /* canonical English; NULL: text itself */
    bool section;
} label_alias;

/* clang-format off */
static const label_alias labels[] = {
    /* sections, English */
    {"Subject", NULL, true},                       {"New Logon", NULL, true},
    {"Account For Which Logon Failed", NULL, true}, {"Failure Information", NULL, true},
    {"Process Information", NULL, true},           {"Network Information", NULL, true},
    {"Detailed Authentication Information", NULL, true}, {"Logon Information", NULL, true},
    {"Creator Subject", NULL, true},               {"Target Subject", NULL, true},
    {"Account Whose Credentials Were Used", NULL, true}, {"Target Server", NULL, true},
    {"Service Information", NULL, true},           {"Task Information", NULL, true},
    {"New Account", NULL, true},                   {"Attributes", NULL, true},
    {"Additional Information", NULL, true},        {"Member", NULL, true},
    {"Group", NULL, true},                         {"Account That Was Locked Out", NULL, true},
    {"Account Information", NULL, true},           {"Certificate Information", NULL, true},
    {"Share Information", NULL, true},             {"Access Request Information", NULL, true},
    /* sections, Japanese */
    {"サブジェクト", "Subject", true},
    {"新しいログオン", "New Logon", true},
    {"ログオンを失敗したアカウント", "Account For Which Logon Failed", true},
    {"ログオンに失敗したアカウント", "Account For Which Logon Failed", true},
    {"エラー情報", "Failure Information", true},
    {"失敗情報", "Failure Information", true},
    {"プロセス情報", "Process Information", true},
    {"ネットワーク情報", "Network Information", true},
    {"詳細な認証情報", "Detailed Authentication Information", true},
    {"ログオン情報", "Logon Information", true},
    {"作成元サブジェクト", "Creator Subject", true},
    {"ターゲット サブジェクト", "Target Subject", true},
    {"資格情報が使用されたアカウント", "Account Whose Credentials Were Used", true},
    {"ターゲット サーバー", "Target Server", true},
    {"サービス情報", "Service Information", true},
    {"タスク情報", "Task Information", true},
    {"新しいアカウント", "New Account", true},
    {"メンバ", "Member", true},
    {"メンバー", "Member", true},
    {"グループ", "Group", true},
    {"アカウント情報", "Account Information", true},
    {"共有情報", "Share Information", true},
    /* items, English */
    {"Security ID", NULL, false},          {"Account Name", NULL, false},
    {"Account Domain", NULL, false},       {"Logon ID", NULL, false},
    {"Logon Type", NULL, false},           {"Logon GUID", NULL, false},
    {"Linked Logon ID", NULL, false},      {"Network Account Name", NULL, false},
    {"Network Account Domain", NULL, false}, {"Restricted Admin Mode", NULL, false},
    {"Virtual Account", NULL, false},      {"Elevated Token", NULL, false},
    {"Impersonation Level", NULL, false},  {"Process ID", NULL, false},
    {"Process Name", NULL, false},         {"Caller Process ID", NULL, false},
    {"Caller Process Name", NULL, false},  {"Workstation Name", NULL, false},
    {"Source Network Address", NULL, false}, {"Source Port", NULL, false},
    {"Source Address", NULL, false},       {"Network Address", NULL, false},
    {"Port", NULL, false},                 {"Client Address", NULL, false},
    {"Client Port", NULL, false},          {"Object Type", NULL, false},
    {"Logon Process", NULL, false},        {"Authentication Package", NULL, false},
    {"Transited Services", NULL, false},   {"Package Name (NTLM only)", NULL, false},
    {"Key Length", NULL, false},           {"Failure Reason", NULL, false},
    {"Status", NULL, false},               {"Sub Status", NULL, false},
    {"New Process ID", NULL, false},       {"New Process Name", NULL, false},
    {"Token Elevation Type", NULL, false}, {"Mandatory Label", NULL, false},
    {"Creator Process ID", NULL, false},   {"Creator Process Name", NULL, false},
    {"Process Command Line", NULL, false}, {"Target Server Name", NULL, false},
    {"Privileges", NULL, false},           {"Service Name", NULL, false},
    {"Service File Name", NULL, false},    {"Service Type", NULL, false},
    {"Service Start Type", NULL, false},   {"Service Account", NULL, false},
    {"Service ID", NULL, false},           {"Task Name", NULL, false},
    {"Task Content", NULL, false},         {"Task New Content", NULL, false},
    {"SAM Account Name", NULL, false},     {"Display Name", NULL, false},
    {"User Principal Name", NULL, false},  {"Home Directory", NULL, false},
    {"Home Drive", NULL, false},           {"Script Path", NULL, false},
    {"Profile Path", NULL, false},         {"User Workstations", NULL, false},
    {"Password Last Set", NULL, false},    {"Account Expires", NULL, false},
    {"Primary Group ID", NULL, false},     {"Allowed To Delegate To", NULL, false},
    {"Old UAC Value", NULL, false},        {"New UAC Value", NULL, false},
    {"User Account Control", NULL, false}, {"User Parameters", NULL, false},
    {"SID History", NULL, false},          {"Logon Hours", NULL, false},
    {"Group Name", NULL, false},           {"Group Domain", NULL, false},
    {"Caller Computer Name", NULL, false}, {"Supplied Realm Name", NULL, false},
    {"User ID", NULL, false},              {"Ticket Options", NULL, false},
    {"Result Code", NULL, false},          {"Ticket Encryption Type", NULL, false},
    {"Pre-Authentication Type", NULL, false}, {"Failure Code", NULL, false},
    {"Certificate Issuer Name", NULL, false}, {"Certificate Serial Number", NULL, false},
    {"Certificate Thumbprint", NULL, false}, {"Logon Account", NULL, false},
    {"Source Workstation", NULL, false},   {"Error Code", NULL, false},
    {"Share Name", NULL, false},           {"Share Path", NULL, false},
    {"Relative Target Name", NULL, false}, {"Access Mask", NULL, false},
    {"Accesses", NULL, false},             {"Access Check Results", NULL, false},
    {"Domain Name", NULL, false},
    /* items, Japanese */
    {"セキュリティ ID", "Security ID", false},
    {"アカウント名", "Account Name", false},
    {"アカウント ドメイン", "Account Domain", false},
    {"ログオン ID", "Logon ID", false},
    {"ログオン タイプ", "Logon Type", false},
    {"ログオンの種類", "Logon Type", false},
    {"ログオン GUID", "Logon GUID", false},
    {"ネットワーク アカウント名", "Network Account Name", false},
    {"ネットワーク アカウント ドメイン", "Network Account Domain", false},
    {"プロセス ID", "Process ID", false},
    {"プロセス名", "Process Name", false},
    {"呼び出し側プロセス ID", "Caller Process ID", false},
    {"呼び出し側プロセス名", "Caller Process Name", false},
    {"呼び出し元プロセス ID", "Caller Process ID", false},
    {"呼び出し元プロセス名", "Caller Process Name", false},
    {"ワークステーション名", "Workstation Name", false},
    {"ソース ネットワーク アドレス", "Source Network Address", false},
    {"ソース ポート", "Source Port", false},
    {"送信元アドレス", "Source Address", false},
    {"ネットワーク アドレス", "Network Address", false},
    {"ポート", "Port", false},
    {"クライアント アドレス", "Client Address", false},
    {"クライアント ポート", "Client Port", false},
    {"ログオン プロセス", "Logon Process", false},
    {"認証パッケージ", "Authentication Package", false},
    {"移行されたサービス", "Transited Services", false},
    {"パッケージ名 (NTLM のみ)", "Package Name (NTLM only)", false},
    {"キーの長さ", "Key Length", false},
    {"失敗の原因", "Failure Reason", false},
    {"失敗理由", "Failure Reason", false},
    {"状態", "Status", false},
    {"ステータス", "Status", false},
    {"サブ ステータス", "Sub Status", false},
    {"サブステータス", "Sub Status", false},
    {"新しいプロセス ID", "New Process ID", false},
    {"新しいプロセス名", "New Process Name", false},
    {"トークン昇格の種類", "Token Elevation Type", false},
    {"作成元プロセス ID", "Creator Process ID", false},
    {"クリエーター プロセス ID", "Creator Process ID", false},
    {"作成元プロセス名", "Creator Process Name", false},
    {"プロセスのコマンド ライン", "Process Command Line", false},
    {"ターゲット サーバー名", "Target Server Name", false},
    {"特権", "Privileges", false},
    {"サービス名", "Service Name", false},
    {"サービス ファイル名", "Service File Name", false},
    {"サービスの種類", "Service Type", false},
    {"サービス開始の種類", "Service Start Type", false},
    {"サービス アカウント", "Service Account", false},
    {"タスク名", "Task Name", false},
    {"グループ名", "Group Name", false},
    {"グループ ドメイン", "Group Domain", false},
    {"提供された領域名", "Supplied Realm Name", false},
    {"共有名", "Share Name", false},
};

/* Items of a section, mapped to EventData names; event 0 rows apply to every event
 * of the provider that has no row of its own for the item. Section NULL: an item
 * outside any section, or one found in any section when no row names its section. */
typedef struct label_row {
    const char *provider;
    uint32_t event_id;
    const char *section, *label, *field;
} label_row;

static const label_row label_rows[] = {
    /* the account acting */
    {SEC, 0, "Subject", "Security ID", "SubjectUserSid"},
    {SEC, 0, "Subject", "Account Name", "SubjectUserName"},
    {SEC, 0, "Subject", "Account Domain", "SubjectDomainName"},
    {SEC, 0, "Subject", "Logon ID", "SubjectLogonId"},
    {SEC, 0, "Subject", "Logon GUID", "LogonGuid"},
    {SEC, 0, "Creator Subject", "Security ID", "SubjectUserSid"},
    {SEC, 0, "Creator Subject", "Account Name", "SubjectUserName"},
    {SEC, 0, "Creator Subject", "Account Domain", "SubjectDomainName"},
    {SEC, 0, "Creator Subject", "Logon ID", "SubjectLogonId"},
    /* logoff: the session that ends is written as the Subject */
    {SEC, 4634, "Subject", "Security ID", "TargetUserSid"},
    {SEC, 4634, "Subject", "Account Name", "TargetUserName"},
    {SEC, 4634, "Subject", "Account Domain", "TargetDomainName"},
    {SEC, 4634, "Subject", "Logon ID", "TargetLogonId"},
    {SEC, 4647, "Subject", "Security ID", "TargetUserSid"},
    {SEC, 4647, "Subject", "Account Name", "TargetUserName"},
    {SEC, 4647, "Subject", "Account Domain", "TargetDomainName"},
    {SEC, 4647, "Subject", "Logon ID", "TargetLogonId"},
    /* the account logging on, or failing to */
    {SEC, 0, NULL, "Logon Type", "LogonType"},
    {SEC, 0, NULL, "Impersonation Level", "ImpersonationLevel"},
    {SEC, 0, "Logon Information", "Restricted Admin Mode", "RestrictedAdminMode"},
    {SEC, 0, "Logon Information", "Virtual Account", "VirtualAccount"},
    {SEC, 0, "Logon Information", "Elevated Token", "ElevatedToken"},
    {SEC, 0, "New Logon", "Security ID", "TargetUserSid"},
    {SEC, 0, "New Logon", "Account Name", "TargetUserName"},
    {SEC, 0, "New Logon", "Account Domain", "TargetDomainName"},
    {SEC, 0, "New Logon", "Logon ID", "TargetLogonId"},
    {SEC, 0, "New Logon", "Linked Logon ID", "TargetLinkedLogonId"},
    {SEC, 0, "New Logon", "Network Account Name", "TargetOutboundUserName"},
    {SEC, 0, "New Logon", "Network Account Domain", "TargetOutboundDomainName"},
    {SEC, 0, "New Logon", "Logon GUID", "LogonGuid"},
    {SEC, 0, "Account For Which Logon Failed", "Security ID", "TargetUserSid"},
    {SEC, 0, "Account For Which Logon Failed", "Account Name", "TargetUserName"},
    {SEC, 0, "Account For Which Logon Failed", "Account Domain", "TargetDomainName"},
    {SEC, 0, "Target Subject", "Security ID", "TargetUserSid"},
    {SEC, 0, "Target Subject", "Account Name", "TargetUserName"},
    {SEC, 0, "Target Subject", "Account Domain", "TargetDomainName"},
    {SEC, 0, "Target Subject", "Logon ID", "TargetLogonId"},
    {SEC, 0, "Failure Information", "Failure Reason", "FailureReason"},
    {SEC, 0, "Failure Information", "Status", "Status"},
    {SEC, 0, "Failure Information", "Sub Status", "SubStatus"},
    /* processes */
    {SEC, 0, "Process Information", "Process ID", "ProcessId"},
    {SEC, 0, "Process Information", "Process Name", "ProcessName"},
    {SEC, 0, "Process Information", "Caller Process ID", "ProcessId"},
    {SEC, 0, "Process Information", "Caller Process Name", "ProcessName"},
    {SEC, 0, "Process Information", "New Process ID", "NewProcessId"},
    {SEC, 0, "Process Information", "New Process Name", "NewProcessName"},
    {SEC, 0, "Process Information", "Token Elevation Type", "TokenElevationType"},
    {SEC, 0, "Process Information", "Mandatory Label", "MandatoryLabel"},
    {SEC, 0, "Process Information", "Creator Process ID", "ProcessId"},
    {SEC, 0, "Process Information", "Creator Process Name", "ParentProcessName"},
    {SEC, 0, "Process Information", "Process Command Line", "CommandLine"},
    /* where from */
    {SEC, 0, "Network Information", "Workstation Name", "WorkstationName"},
    {SEC, 0, "Network Information", "Source Network Address", "IpAddress"},
    {SEC, 0, "Network Information", "Source Port", "IpPort"},
    {SEC, 0, "Network Information", "Source Address", "IpAddress"},
    {SEC, 0, "Network Information", "Network Address", "IpAddress"},
    {SEC, 0, "Network Information", "Port", "IpPort"},
    {SEC, 0, "Network Information", "Client Address", "IpAddress"},
    {SEC, 0, "Network Information", "Client Port", "IpPort"},
    {SEC, 0, "Network Information", "Object Type", "ObjectType"},
    {SEC, 0, "Detailed Authentication Information", "Logon Process", "LogonProcessName"},
    {SEC, 0, "Detailed Authentication Information", "Authentication Package",
     "AuthenticationPackageName"},
    {SEC, 0, "Detailed Authentication Information", "Transited Services", "TransmittedServices"},
    {SEC, 0, "Detailed Authentication Information", "Package Name (NTLM only)", "LmPackageName"},
    {SEC, 0, "Detailed Authentication Information", "Key Length", "KeyLength"},
    /* 4648 explicit credentials */
    {SEC, 0, "Account Whose Credentials Were Used", "Account Name", "TargetUserName"},
    {SEC, 0, "Account Whose Credentials Were Used", "Account Domain", "TargetDomainName"},
    {SEC, 0, "Account Whose Credentials Were Used", "Logon GUID", "TargetLogonGuid"},
    {SEC, 0, "Target Server", "Target Server Name", "TargetServerName"},
    {SEC, 0, "Target Server", "Additional Information", "TargetInfo"},
    /* 4672 */
    {SEC, 0, NULL, "Privileges", "PrivilegeList"},
    /* 4697 services, 4698 / 4702 tasks */
    {SEC, 0, "Service Information", "Service Name", "ServiceName"},
    {SEC, 0, "Service Information", "Service File Name", "ServiceFileName"},
    {SEC, 0, "Service Information", "Service Type", "ServiceType"},
    {SEC, 0, "Service Information", "Service Start Type", "ServiceStartType"},
    {SEC, 0, "Service Information", "Service Account", "ServiceAccount"},
    {SEC, 0, "Service Information", "Service ID", "ServiceSid"},
    {SEC, 0, "Task Information", "Task Name", "TaskName"},
    {SEC, 0, "Task Information", "Task Content", "TaskContent"},
    {SEC, 0, "Task Information", "Task New Content", "TaskContentNew"},
    /* 4720 */
    {SEC, 0, "New Account", "Security ID", "TargetSid"},
    {SEC, 0, "New Account", "Account Name", "TargetUserName"},
    {SEC, 0, "New Account", "Account Domain", "TargetDomainName"},
    {SEC, 0, "Attributes", "SAM Account Name", "SamAccountName"},
    {SEC, 0, "Attributes", "Display Name", "DisplayName"},
    {SEC, 0, "Attributes", "User Principal Name", "UserPrincipalName"},
    {SEC, 0, "Attributes", "Home Directory", "HomeDirectory"},
    {SEC, 0, "Attributes", "Home Drive", "HomePath"},
    {SEC, 0, "Attributes", "Script Path", "ScriptPath"},
    {SEC, 0, "Attributes", "Profile Path", "ProfilePath"},
    {SEC, 0, "Attributes", "User Workstations", "UserWorkstations"},
    {SEC, 0, "Attributes", "Password Last Set", "PasswordLastSet"},
    {SEC, 0, "Attributes", "Account Expires", "AccountExpires"},
    {SEC, 0, "Attributes", "Primary Group ID", "PrimaryGroupId"},
    {SEC, 0, "Attributes", "Allowed To Delegate To", "AllowedToDelegateTo"},
    {SEC, 0, "Attributes", "Old UAC Value", "OldUacValue"},
    {SEC, 0, "Attributes", "New UAC Value", "NewUacValue"},
    {SEC, 0, "Attributes", "User Account Control", "UserAccountControl"},
    {SEC, 0, "Attributes", "User Parameters", "UserParameters"},
    {SEC, 0, "Attributes", "SID History", "SidHistory"},
    {SEC, 0, "Attributes", "Logon Hours", "LogonHours"},
    /* 4728 / 4732 / 4756 group membership */
    {SEC, 0, "Member", "Security ID", "MemberSid"},
    {SEC, 0, "Member", "Account Name", "MemberName"},
    {SEC, 0, "Group", "Security ID", "TargetSid"},
    {SEC, 0, "Group", "Group Name", "TargetUserName"},
    {SEC, 0, "Group", "Group Domain", "TargetDomainName"},
    /* 4740 lockout */
    {SEC, 0, "Account That Was Locked Out", "Security ID", "TargetSid"},
    {SEC, 0, "Account That Was Locked Out", "Account Name", "TargetUserName"},
    {SEC, 0, "Additional Information", "Caller Computer Name", "TargetDomainName"},
    /* Kerberos 4768 / 4769 / 4771 */
    {SEC, 0, "Account Information", "Account Name", "TargetUserName"},
    {SEC, 0, "Account Information", "Supplied Realm Name", "TargetDomainName"},
    {SEC, 0, "Account Information", "Account Domain", "TargetDomainName"},
    {SEC, 0, "Account Information", "User ID", "TargetSid"},
    {SEC, 0, "Account Information", "Security ID", "TargetSid"},
    {SEC, 0, "Account Information", "Logon GUID", "LogonGuid"},
    {SEC, 0, "Additional Information", "Ticket Options", "TicketOptions"},
    {SEC, 0, "Additional Information", "Result Code", "Status"},
    {SEC, 0, "Additional Information", "Failure Code", "Status"},
    {SEC, 0, "Additional Information", "Ticket Encryption Type", "TicketEncryptionType"},
    {SEC, 0, "Additional Information", "Pre-Authentication Type", "PreAuthType"},
    {SEC, 0, "Additional Information", "Transited Services", "TransmittedServices"},
    {SEC, 0, "Additional Information", "Privileges", "PrivilegeList"},
    {SEC, 0, "Certificate Information", "Certificate Issuer Name", "CertIssuerName"},
    {SEC, 0, "Certificate Information", "Certificate Serial Number", "CertSerialNumber"},
    {SEC, 0, "Certificate Information", "Certificate Thumbprint", "CertThumbprint"},
    /* 4776 NTLM validation: items outside any section */
    {SEC, 4776, NULL, "Authentication Package", "PackageName"},
    {SEC, 4776, NULL, "Logon Account", "TargetUserName"},
    {SEC, 4776, NULL, "Source Workstation", "Workstation"},
    {SEC, 4776, NULL, "Error Code", "Status"},
    /* 5140 / 5145 shares */
    {SEC, 0, "Share Information", "Share Name", "ShareName"},
    {SEC, 0, "Share Information", "Share Path", "ShareLocalPath"},
    {SEC, 0, "Share Information", "Relative Target Name", "RelativeTargetName"},
    {SEC, 0, NULL, "Share Name", "ShareName"}, /* older 5140: no Share Information heading */
    {SEC, 0, NULL, "Share Path", "ShareLocalPath"},
    {SEC, 0, "Access Request Information", "Access Mask", "AccessMask"},
    {SEC, 0, "Access Request Information", "Accesses", "AccessList"},
    {SEC, 0, "Access Request Information", "Access Check Results", "AccessReason"},
    /* 1102 log cleared (Eventlog provider, UserData) */
    {EVL, 1102, "Subject", "Security ID", "SubjectUserSid"},
    {EVL, 1102, "Subject", "Account Name", "SubjectUserName"},
    {EVL, 1102, "Subject", "Domain Name", "SubjectDomainName"},
    {EVL, 1102, "Subject", "Account Domain", "SubjectDomainName"},
    {EVL, 1102, "Subject", "Logon ID", "SubjectLogonId"},
    /* 7045 service installed (System) */
    {SCM, 7045, NULL, "Service Name", "ServiceName"},
    {SCM, 7045, NULL, "Service File Name", "ImagePath"},
    {SCM, 7045, NULL, "Service Type", "ServiceType"},
    {SCM, 7045, NULL, "Service Start Type", "StartType"},
    {SCM, 7045, NULL, "Service Account", "AccountName"},
};

const ks_csv_sentence ks_csv_sentences[] = {
    {SCM, 7036, "The %1 service entered the %2 state.", {"param1", "param2", NULL}},
    {SCM, 7040, "The start type of the %1 service was changed from %2 to %3.",
     {"param1", "param2", "param3"}},
    {EVL, 104, "The %1 log file was cleared.", {"Channel", NULL, NULL}},
};
/* clang-format on */
const size_t ks_csv_nsentences = sizeof ks_csv_sentences / sizeof ks_csv_sentences[0];

const char *ks_csv_label(const char *p, size_t n, bool *section)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        const label_alias *a = &labels[i];
        if (ks_str_eq((ks_str){p, n}, a->text)) {
            *section = a->section;
            return a->canon ? a->canon : a->text;
        }
    }
    return NULL;
}

static const char *find_row(ks_str provider, uint32_t event_id, const char *section,
                            const char *label)
{
    for (size_t i = 0; i < sizeof label_rows / sizeof label_rows[0]; i++) {
        const label_row *r = &label_rows[i];
        if (r->event_id != event_id || strcmp(r->label, label) != 0) continue;
        if ((r->section == NULL) != (section == NULL)) continue;
        if (section && strcmp(r->section, section) != 0) continue;
        if (ks_str_eq(provider, r->provider)) return r->field;
    }
    return NULL;
}

const char *ks_csv_label_field(ks_str provider, uint32_t event_id, const char *section,
                               const char *label)
{
    const char *f;
    /* the event's own row, then the provider's, each by section and then without */
    if ((f = find_row(provider, event_id, section, label))) return f;
    if (section && (f = find_row(provider, event_id, NULL, label))) return f;
    if ((f = find_row(provider, 0, section, label))) return f;
    if (section && (f = find_row(provider, 0, NULL, label))) return f;
    return NULL;
}

/* ---- level words ---------------------------------------------------------------- */

typedef struct level_word {
    const char *text;
    uint8_t level;
    uint64_t keywords;
} level_word;

static const level_word level_words[] = {
    {"Information", 4, 0},
    {"Warning", 3, 0},
    {"Error", 2, 0},
    {"Critical", 1, 0},
    {"Verbose", 5, 0},
    {"情報", 4, 0},
    {"警告", 3, 0},
    {"エラー", 2, 0},
    {"重大", 1, 0},
    {"詳細", 5, 0},
    {"Audit Success", 0, KS_KW_AUDIT_SUCCESS},
    {"Audit Failure", 0, KS_KW_AUDIT_FAILURE},
    {"Classic", 0, KS_KW_CLASSIC},
    {"成功の監査", 0, KS_KW_AUDIT_SUCCESS},
    {"失敗の監査", 0, KS_KW_AUDIT_FAILURE},
    {"クラシック", 0, KS_KW_CLASSIC},
};

bool ks_csv_level_word(const char *p, size_t n, uint8_t *level, uint64_t *keywords)
{
    for (size_t i = 0; i < sizeof level_words / sizeof level_words[0]; i++) {
        const level_word *w = &level_words[i];
        if (ks_str_eq((ks_str){p, n}, w->text)) {
            *level = w->level;
            *keywords = w->keywords;
            return true;
        }
    }
    return false;
}
