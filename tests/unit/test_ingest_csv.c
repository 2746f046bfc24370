/* The CSV reader on synthetic exports: LogParser's CSV (Strings split into named
 * fields, template chosen by the number of strings, '|' inside a command line, quoted
 * newlines, EventLog given as a file path, CP932 from Japanese LogParser) and Event
 * Viewer's "Save as CSV" in English and Japanese (Level and Keywords headers, locale
 * dates, messages read section by section, UTF-16LE with BOM), bad rows reported with
 * their line numbers, unknown CSV refused, and the writer's exact output. */
#include <iconv.h>
#include <stdint.h>

#include "harness.h"
#include "kensa/csv.h"
#include "kensa/kensa.h"

#define MAX_EVENTS 32

typedef struct result {
    ks_status open_status;
    char open_what[192];
    ks_format format;
    int n;
    char *ev[MAX_EVENTS];     /* "provider|channel|host|id|record|level|kw|time" */
    char *fields[MAX_EVENTS]; /* "Name=value\n"... */
    char sem[MAX_EVENTS][160];
    int errors, warnings;
    uint64_t problem_line[8];
    char problem[8][300];
    ks_source_stats stats;
} result;

static void on_problem(void *ctx, const ks_problem *p)
{
    result *r = ctx;
    int k = r->errors + r->warnings;
    if (p->severity == KS_SEV_ERROR)
        r->errors++;
    else
        r->warnings++;
    if (k < 8) {
        r->problem_line[k] = p->line;
        snprintf(r->problem[k], sizeof r->problem[k], "%s [%.*s]", p->what, (int)p->excerpt_len,
                 p->excerpt ? p->excerpt : "");
    }
}

static char *event_text(const ks_event *ev)
{
    ks_buf b = {0};
    ks_buf_printf(&b, "%.*s|%.*s|%.*s|%u|%llu|%u|", (int)ev->provider.len, ev->provider.p,
                  (int)ev->channel.len, ev->channel.p, (int)ev->host.len, ev->host.p, ev->event_id,
                  (unsigned long long)ev->record_id, ev->level);
    ks_buf_hex(&b, ev->keywords);
    ks_buf_putc(&b, '|');
    ks_time_format(&b, ev->time_ns, 0);
    ks_buf_putc(&b, 0);
    return b.data;
}

static char *fields_text(const ks_event *ev)
{
    ks_buf b = {0};
    for (size_t i = 0; i < ev->nfields; i++) {
        ks_buf_append(&b, ev->fields[i].name.p, ev->fields[i].name.len);
        ks_buf_putc(&b, '=');
        ks_value_text(&b, &ev->fields[i].value);
        ks_buf_putc(&b, '\n');
    }
    ks_buf_putc(&b, 0);
    return b.data;
}

static void read_all(result *r, const void *data, size_t n, const char *tz, ks_format force)
{
    memset(r, 0, sizeof *r);
    ks_source_opts o = {.format = force, .tz = tz, .on_problem = on_problem, .ctx = r};
    ks_source *s = NULL;
    ks_diag d = {0};
    r->open_status = ks_source_open_mem(&s, data, n, "test.csv", &o, &d);
    snprintf(r->open_what, sizeof r->open_what, "%s", d.what);
    if (!s) return;
    r->format = ks_source_format(s);
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        if (r->n == MAX_EVENTS) continue;
        r->ev[r->n] = event_text(ev);
        r->fields[r->n] = fields_text(ev);
        snprintf(r->sem[r->n], sizeof r->sem[r->n], "user=%.*s domain=%.*s ip=%.*s lt=%d",
                 (int)ev->sem.user.len, ev->sem.user.p, (int)ev->sem.domain.len, ev->sem.domain.p,
                 (int)ev->sem.src_ip.len, ev->sem.src_ip.p, ev->sem.logon_type);
        r->n++;
    }
    r->stats = *ks_source_get_stats(s);
    ks_source_close(&s);
}

static void read_text(result *r, const char *text, const char *tz)
{
    read_all(r, text, strlen(text), tz, KS_FORMAT_UNKNOWN);
}

static void done(result *r)
{
    for (int i = 0; i < r->n; i++) free(r->ev[i]), free(r->fields[i]);
}

/* true when `want` ("A=1\nB=2\n") appears in the fields text as consecutive lines */
static int has(const char *fields, const char *want)
{
    return fields && strstr(fields, want) != NULL;
}

#define LP_HEADER                                                                                  \
    "EventLog,RecordNumber,TimeGenerated,TimeWritten,EventID,EventType,EventTypeName,"             \
    "EventCategory,EventCategoryName,SourceName,Strings,ComputerName,SID,Message,Data\r\n"

/* ---- LogParser ------------------------------------------------------------------- */

static void test_logparser(void)
{
    const char *text = LP_HEADER
        /* 4624 v2: 27 strings */
        "Security,1001,2024-01-02 03:04:05,2024-01-02 03:04:05,4624,8,Success Audit event,12544,"
        "Logon,Microsoft-Windows-Security-Auditing,"
        "S-1-5-18|WS01$|CORP|0x3e7|S-1-5-21-1-2-3-1104|alice|CORP|0x1a2b3c|10|User32 |Negotiate|"
        "WS01|{00000000-0000-0000-0000-000000000000}|-|-|0|0x2d4|C:\\Windows\\System32\\svchost."
        "exe|"
        "192.0.2.7|51234|%%1833|-|-|-|%%1843|0x0|%%1842,WS01.corp.local,,An account was "
        "successfully logged on.  Subject: ...,\r\n"
        /* 4625: 21 strings */
        "Security,1002,2024-01-02 03:05:00,2024-01-02 03:05:00,4625,16,Failure Audit event,12544,"
        "Logon,Microsoft-Windows-Security-Auditing,"
        "S-1-0-0|-|-|0x0|S-1-0-0|administrator|CORP|0xc000006d|%%2313|0xc000006a|3|NtLmSsp |NTLM|"
        "ATTACKER|-|-|0|0x0|-|203.0.113.9|0,WS01.corp.local,,,\r\n"
        /* 4688 v2 with a pipe in the command line: 16 pieces for 15 names */
        "Security,1003,2024-01-02 03:06:00,2024-01-02 03:06:00,4688,8,Success Audit event,13312,,"
        "Microsoft-Windows-Security-Auditing,"
        "S-1-5-18|WS01$|CORP|0x3e7|0x1f0|C:\\Windows\\System32\\cmd.exe|%%1936|0x2a0|"
        "cmd /c dir | findstr secret|S-1-0-0|-|-|0x0|C:\\Windows\\explorer.exe|"
        "Mandatory Label\\High Mandatory Level,WS01.corp.local,,,\r\n"
        /* 7036 with its binary data in Data */
        "System,55,2024-01-02 03:07:00,2024-01-02 03:07:00,7036,4,Information event,0,,"
        "Service Control Manager,Windows Update|running,WS01.corp.local,,,"
        "770075006100750073007600\r\n"
        /* an event the tables do not know */
        "Application,77,2024-01-02 03:08:00,2024-01-02 03:08:00,1000,1,Error event,100,,"
        "Application Error,app.exe|1.0|ntdll.dll,WS01.corp.local,,,\r\n"
        /* a bad time: reported with its line, skipped */
        "Security,1004,not a time,2024-01-02 03:09:00,4624,8,,0,,"
        "Microsoft-Windows-Security-Auditing,a|b,WS01,,,\r\n"
        /* EventLog given as a file path (the query read an .evtx) */
        "C:\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx,9,2024-01-02 03:10:00,"
        "2024-01-02 03:10:00,1,4,Information event,1,,Microsoft-Windows-Sysmon,x|y,WS01,,,\r\n"
        "C:\\Logs\\Security.evtx,10,2024-01-02 03:11:00,2024-01-02 03:11:00,4647,8,,12545,,"
        "Microsoft-Windows-Security-Auditing,S-1-5-21-9|bob|CORP|0x99,WS01,,,\r\n";
    result r;
    read_text(&r, text, "+09:00");
    CHECK_INT(r.open_status, KS_OK);
    CHECK_INT(r.format, KS_FORMAT_CSV);
    CHECK_INT(r.n, 7);
    CHECK_INT(r.errors, 1);
    CHECK_INT(r.problem_line[0], 7);
    CHECK(strstr(r.problem[0], "TimeGenerated") != NULL);
    CHECK(strstr(r.problem[0], "[Security,1004,not a time") != NULL);
    CHECK_INT(r.stats.events, 7);
    CHECK_INT(r.stats.skipped, 1);
    CHECK_INT(r.stats.ignored, 1); /* the header */
    /* local 03:04:05 at +09:00 is 18:04:05 UTC the day before */
    CHECK_STR(r.ev[0], "Microsoft-Windows-Security-Auditing|Security|WS01.corp.local|4624|1001|"
                       "0|0x8020000000000000|2024-01-01T18:04:05Z");
    CHECK(has(r.fields[0], "SubjectUserSid=S-1-5-18\nSubjectUserName=WS01$\n"
                           "SubjectDomainName=CORP\nSubjectLogonId=0x3e7\n"
                           "TargetUserSid=S-1-5-21-1-2-3-1104\nTargetUserName=alice\n"));
    CHECK(has(r.fields[0], "LogonType=10\nLogonProcessName=User32 \n"));
    CHECK(has(r.fields[0], "IpAddress=192.0.2.7\nIpPort=51234\nImpersonationLevel=%%1833\n"));
    CHECK(has(r.fields[0], "TargetLinkedLogonId=0x0\nElevatedToken=%%1842\n"));
    CHECK_STR(r.sem[0], "user=alice domain=CORP ip=192.0.2.7 lt=10");
    CHECK(has(r.fields[1], "TargetUserName=administrator\nTargetDomainName=CORP\n"
                           "Status=0xc000006d\nFailureReason=%%2313\nSubStatus=0xc000006a\n"
                           "LogonType=3\n"));
    CHECK_STR(r.sem[1], "user=administrator domain=CORP ip=203.0.113.9 lt=3");
    CHECK(strstr(r.ev[1], "|0x8010000000000000|") != NULL);
    CHECK(has(r.fields[2], "CommandLine=cmd /c dir | findstr secret\nTargetUserSid=S-1-0-0\n"));
    CHECK(has(r.fields[2], "ParentProcessName=C:\\Windows\\explorer.exe\n"
                           "MandatoryLabel=Mandatory Label\\High Mandatory Level\n"));
    CHECK_STR(r.fields[3],
              "param1=Windows Update\nparam2=running\nBinary=770075006100750073007600\n");
    CHECK_STR(r.ev[3], "Service Control Manager|System|WS01.corp.local|7036|55|4|0x0|"
                       "2024-01-01T18:07:00Z");
    CHECK_STR(r.fields[4], "String1=app.exe\nString2=1.0\nString3=ntdll.dll\n");
    CHECK(strncmp(r.ev[4], "Application Error|Application|", 30) == 0);
    CHECK(strncmp(r.ev[5], "Microsoft-Windows-Sysmon|Microsoft-Windows-Sysmon/Operational|", 62) ==
          0);
    CHECK(strncmp(r.ev[6], "Microsoft-Windows-Security-Auditing|Security|WS01|4647|10|", 58) == 0);
    CHECK_STR(r.fields[6], "TargetUserSid=S-1-5-21-9\nTargetUserName=bob\nTargetDomainName=CORP\n"
                           "TargetLogonId=0x99\n");
    done(&r);
}

/* A task's XML in Strings spans lines inside quotes; 4688 v0/v1 chosen by count. */
static void test_logparser_quoted(void)
{
    const char *text = LP_HEADER
        "Security,20,2024-03-04 05:06:07,2024-03-04 05:06:07,4698,8,,12804,,"
        "Microsoft-Windows-Security-Auditing,\"S-1-5-21-5|eve|CORP|0x77|\\Evil|<?xml "
        "version=\"\"1.0\"\"?>\r\n<Task>\r\n  <Exec>a|b, c</Exec>\r\n</Task>\",WS02,,,\r\n"
        "Security,21,2024-03-04 05:06:08,2024-03-04 05:06:08,4688,8,,13312,,"
        "Microsoft-Windows-Security-Auditing,S-1-5-18|WS02$|CORP|0x3e7|0x10|C:\\a.exe|%%1936|0x4|"
        "a.exe -x,WS02,,,\r\n"
        "Security,22,2024-03-04 05:06:09,2024-03-04 05:06:09,4688,8,,13312,,"
        "Microsoft-Windows-Security-Auditing,S-1-5-18|WS02$|CORP|0x3e7|0x10|C:\\a.exe|%%1936|0x4,"
        "WS02,,,\r\n";
    result r;
    read_text(&r, text, "UTC");
    CHECK_INT(r.n, 3);
    CHECK_INT(r.errors + r.warnings, 0);
    CHECK_STR(r.fields[0],
              "SubjectUserSid=S-1-5-21-5\nSubjectUserName=eve\nSubjectDomainName=CORP\n"
              "SubjectLogonId=0x77\nTaskName=\\Evil\nTaskContent=<?xml "
              "version=\"1.0\"?>\n<Task>\n  <Exec>a|b, c</Exec>\n</Task>\n");
    CHECK(strstr(r.ev[0], "|2024-03-04T05:06:07Z") != NULL);
    CHECK(has(r.fields[1], "ProcessId=0x4\nCommandLine=a.exe -x\n"));
    CHECK(has(r.fields[2], "TokenElevationType=%%1936\nProcessId=0x4\n"));
    CHECK(!has(r.fields[2], "CommandLine"));
    done(&r);
}

/* Unterminated quote: the reader resynchronizes on the next record's start. */
static void test_logparser_bad_quote(void)
{
    const char *text =
        LP_HEADER "Security,30,2024-03-04 05:06:07,2024-03-04 05:06:07,4647,8,,0,,"
                  "Microsoft-Windows-Security-Auditing,a|b|c|d,H,,,\r\n"
                  "Security,31,2024-03-04 05:06:08,2024-03-04 05:06:08,4647,8,,0,,"
                  "Microsoft-Windows-Security-Auditing,\"a|b|c|d,H,,,\r\n"
                  "Security,32,2024-03-04 05:06:09,2024-03-04 05:06:09,4647,8,,0,,"
                  "Microsoft-Windows-Security-Auditing,a|b|c|e,H,,,\r\n"
                  "Security,33,2024-03-04 05:06:10,2024-03-04 05:06:10,4647,8,,0,,"
                  "Microsoft-Windows-Security-Auditing,a|b|c|f,H,,,\r\n"
                  "Security,34,2024-03-04 05:06:10,2024-03-04 05:06:10,4647,8,,0,,\"unclosed\r\n";
    result r;
    read_text(&r, text, "UTC");
    CHECK_INT(r.n, 3);
    CHECK_INT(r.errors, 2);
    CHECK_INT(r.problem_line[0], 3);
    CHECK(strstr(r.problem[0], "not closed before line 4") != NULL);
    CHECK_INT(r.problem_line[1], 6);
    CHECK(strstr(r.problem[1], "end of the file") != NULL);
    CHECK(r.n == 3 && has(r.fields[1], "TargetLogonId=e\n") &&
          has(r.fields[2], "TargetLogonId=f\n"));
    done(&r);
}

/* A record over the 1 MiB bound is reported and skipped; the next one is read. */
static void test_record_limit(void)
{
    ks_buf b = {0};
    ks_buf_puts(&b, LP_HEADER "Security,40,2024-03-04 05:06:07,2024-03-04 05:06:07,4698,8,,0,,"
                              "Microsoft-Windows-Security-Auditing,\"a|b|c|d|e|");
    for (int i = 0; i < 20000; i++)
        ks_buf_puts(&b,
                    "<Line>0123456789012345678901234567890123456789012345678901234567890123456789</"
                    "Line>\r\n");
    ks_buf_puts(&b, "\",H,,,\r\nSecurity,41,2024-03-04 05:06:08,2024-03-04 05:06:08,4647,8,,0,,"
                    "Microsoft-Windows-Security-Auditing,a|b|c|d,H,,,\r\n");
    result r;
    read_all(&r, b.data, b.len, "UTC", KS_FORMAT_UNKNOWN);
    CHECK_INT(r.n, 1);
    CHECK_INT(r.errors, 1);
    CHECK_INT(r.problem_line[0], 2);
    CHECK(strstr(r.problem[0], "longer than 1048576 bytes") != NULL);
    CHECK(r.n == 1 && strstr(r.ev[0], "|4647|41|") != NULL);
    done(&r);
    ks_buf_free(&b);
}

/* ---- Event Viewer ---------------------------------------------------------------- */

static const char viewer_en[] =
    "Level,Date and Time,Source,Event ID,Task Category\r\n"
    "Information,1/2/2024 3:04:05 PM,Microsoft-Windows-Security-Auditing,4624,Logon,"
    "\"An account was successfully logged on.\r\n\r\n"
    "Subject:\r\n\tSecurity ID:\t\tSYSTEM\r\n\tAccount Name:\t\tWS01$\r\n"
    "\tAccount Domain:\t\tCORP\r\n\tLogon ID:\t\t0x3E7\r\n\r\n"
    "Logon Information:\r\n\tLogon Type:\t\t10\r\n\tRestricted Admin Mode:\t-\r\n"
    "\tVirtual Account:\t\tNo\r\n\tElevated Token:\t\tYes\r\n\r\n"
    "Impersonation Level:\t\tImpersonation\r\n\r\n"
    "New Logon:\r\n\tSecurity ID:\t\tCORP\\alice\r\n\tAccount Name:\t\talice\r\n"
    "\tAccount Domain:\t\tCORP\r\n\tLogon ID:\t\t0x1A2B3C\r\n\tLinked Logon ID:\t\t0x0\r\n"
    "\tNetwork Account Name:\t-\r\n\tNetwork Account Domain:\t-\r\n"
    "\tLogon GUID:\t\t{00000000-0000-0000-0000-000000000000}\r\n\r\n"
    "Process Information:\r\n\tProcess ID:\t\t0x2d4\r\n"
    "\tProcess Name:\t\tC:\\Windows\\System32\\svchost.exe\r\n\r\n"
    "Network Information:\r\n\tWorkstation Name:\tWS01\r\n"
    "\tSource Network Address:\t192.0.2.7\r\n\tSource Port:\t\t51234\r\n\r\n"
    "Detailed Authentication Information:\r\n\tLogon Process:\t\tUser32 \r\n"
    "\tAuthentication Package:\tNegotiate\r\n\tTransited Services:\t-\r\n"
    "\tPackage Name (NTLM only):\t-\r\n\tKey Length:\t\t0\r\n\r\n"
    "This event is generated when a logon session is created. The Subject fields: "
    "x.\"\r\n"
    "Information,1/13/2024 11:00:00 AM,Service Control Manager,7045,None,"
    "\"A service was installed in the system.\r\n\r\n"
    "Service Name:  PSEXESVC\r\nService File Name:  %SystemRoot%\\PSEXESVC.exe\r\n"
    "Service Type:  user mode service\r\nService Start Type:  demand start\r\n"
    "Service Account:  LocalSystem\"\r\n"
    "Information,1/13/2024 11:00:01 AM,Service Control Manager,7036,None,"
    "\"The Windows Update service entered the running state.\"\r\n"
    "Warning,1/13/2024 12:00:01 AM,Some-Provider,42,None,\"Something, happened.\"\r\n"
    "Information,13/13/2024 11:00:00 AM,Service Control Manager,7036,None,\"x\"\r\n";

static void test_viewer_english(void)
{
    result r;
    read_text(&r, viewer_en, "UTC");
    CHECK_INT(r.format, KS_FORMAT_CSV);
    CHECK_INT(r.n, 4);
    CHECK_INT(r.errors, 1);
    int last_line = 1; /* the bad record is the file's last line */
    for (const char *q = viewer_en; *q; q++) last_line += *q == '\n';
    CHECK_INT(r.problem_line[0], last_line - 1);
    CHECK(strstr(r.problem[0], "date and time") != NULL);
    CHECK_STR(r.ev[0], "Microsoft-Windows-Security-Auditing|Security||4624|0|4|0x0|"
                       "2024-01-02T15:04:05Z");
    /* in EventData order, from the right sections */
    CHECK_STR(r.fields[0],
              "SubjectUserSid=SYSTEM\nSubjectUserName=WS01$\nSubjectDomainName=CORP\n"
              "SubjectLogonId=0x3E7\nTargetUserSid=CORP\\alice\nTargetUserName=alice\n"
              "TargetDomainName=CORP\nTargetLogonId=0x1A2B3C\nLogonType=10\n"
              "LogonProcessName=User32\nAuthenticationPackageName=Negotiate\n"
              "WorkstationName=WS01\nLogonGuid={00000000-0000-0000-0000-000000000000}\n"
              "TransmittedServices=-\nLmPackageName=-\nKeyLength=0\nProcessId=0x2d4\n"
              "ProcessName=C:\\Windows\\System32\\svchost.exe\nIpAddress=192.0.2.7\n"
              "IpPort=51234\nImpersonationLevel=Impersonation\nRestrictedAdminMode=-\n"
              "TargetOutboundUserName=-\nTargetOutboundDomainName=-\nVirtualAccount=No\n"
              "TargetLinkedLogonId=0x0\nElevatedToken=Yes\n");
    CHECK_STR(r.sem[0], "user=alice domain=CORP ip=192.0.2.7 lt=10");
    CHECK_STR(r.fields[1], "ServiceName=PSEXESVC\nImagePath=%SystemRoot%\\PSEXESVC.exe\n"
                           "ServiceType=user mode service\nStartType=demand start\n"
                           "AccountName=LocalSystem\n");
    CHECK_STR(r.ev[1], "Service Control Manager|System||7045|0|4|0x0|2024-01-13T11:00:00Z");
    CHECK_STR(r.fields[2], "param1=Windows Update\nparam2=running\n");
    CHECK_STR(r.fields[3], "Message=Something, happened.\n");
    CHECK_STR(r.ev[3], "Some-Provider|||42|0|3|0x0|2024-01-13T00:00:01Z");
    done(&r);
}

/* The Security log's export begins with Keywords; Japanese labels (as Windows Server
 * writes 4625, see csv_strings.c), yyyy/MM/dd dates, 4672's privilege list. */
static const char viewer_ja_security[] =
    "キーワード,日付と時刻,ソース,イベント ID,タスクのカテゴリ\r\n"
    "失敗の監査,2024/01/02 3:04:05,Microsoft-Windows-Security-Auditing,4625,ログオン,"
    "\"アカウントがログオンに失敗しました。\r\n\r\n"
    "サブジェクト:\r\n\tセキュリティ ID:\t\tNULL SID\r\n\tアカウント名:\t\t-\r\n"
    "\tアカウント ドメイン:\t\t-\r\n\tログオン ID:\t\t0x0\r\n\r\n"
    "ログオン タイプ:\t\t\t3\r\n\r\n"
    "ログオンを失敗したアカウント:\r\n\tセキュリティ ID:\t\tNULL SID\r\n"
    "\tアカウント名:\t\t管理者\r\n\tアカウント ドメイン:\t\t\r\n\r\n"
    "エラー情報:\r\n\t失敗の原因:"
    "\t\tユーザー名を認識できないか、またはパスワードが間違っています。\r\n"
    "\t状態:\t\t\t0xC000006D\r\n\tサブ ステータス:\t\t0xC000006A\r\n\r\n"
    "プロセス情報:\r\n\t呼び出し側プロセス ID:\t0x0\r\n\t呼び出し側プロセス名:\t-\r\n\r\n"
    "ネットワーク情報:\r\n\tワークステーション名:\tKALI\r\n"
    "\tソース ネットワーク アドレス:\t198.51.100.23\r\n\tソース ポート:\t\t0\r\n\r\n"
    "詳細な認証情報:\r\n\tログオン プロセス:\t\tNtLmSsp \r\n\t認証パッケージ:\tNTLM\r\n"
    "\t移行されたサービス:\t-\r\n\tパッケージ名 (NTLM のみ):\t-\r\n\tキーの長さ:\t\t0\r\n\r\n"
    "このイベントは、ログオン要求が失敗したときに生成されます。\"\r\n"
    "成功の監査,2024/01/02 13:00:00,Microsoft-Windows-Security-Auditing,4624,ログオン,"
    "\"アカウントが正常にログオンしました。\r\n\r\n"
    "サブジェクト:\r\n\tセキュリティ ID:\t\tSYSTEM\r\n\tアカウント名:\t\tWS01$\r\n"
    "\tアカウント ドメイン:\t\tCORP\r\n\tログオン ID:\t\t0x3E7\r\n\r\n"
    "ログオンの種類:\t\t\t3\r\n\r\n"
    "新しいログオン:\r\n\tセキュリティ ID:\t\tCORP\\看護師01\r\n\tアカウント名:\t\t看護師01\r\n"
    "\tアカウント ドメイン:\t\tCORP\r\n\tログオン ID:\t\t0x5F5E1\r\n\r\n"
    "ネットワーク情報:\r\n\tワークステーション名:\tNS-PC01\r\n"
    "\tソース ネットワーク アドレス:\t10.1.2.3\r\n\tソース ポート:\t\t49152\"\r\n"
    "成功の監査,2024/01/02 13:00:01,Microsoft-Windows-Security-Auditing,4672,特殊ログオン,"
    "\"新しいログオンに特権が割り当てられました。\r\n\r\n"
    "サブジェクト:\r\n\tセキュリティ ID:\t\tSYSTEM\r\n\tアカウント名:\t\tSYSTEM\r\n"
    "\tアカウント ドメイン:\t\tNT AUTHORITY\r\n\tログオン ID:\t\t0x3E7\r\n\r\n"
    "特権:\t\tSeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n"
    "\t\t\tSeSecurityPrivilege\"\r\n";

static void test_viewer_japanese(void)
{
    result r;
    read_text(&r, viewer_ja_security, "Asia/Tokyo");
    CHECK_INT(r.format, KS_FORMAT_CSV);
    CHECK_INT(r.n, 3);
    CHECK_INT(r.errors + r.warnings, 0);
    CHECK_STR(r.ev[0], "Microsoft-Windows-Security-Auditing|Security||4625|0|0|"
                       "0x8010000000000000|2024-01-01T18:04:05Z");
    CHECK_STR(r.fields[0],
              "SubjectUserSid=NULL SID\nSubjectUserName=-\nSubjectDomainName=-\n"
              "SubjectLogonId=0x0\nTargetUserSid=NULL SID\nTargetUserName=管理者\n"
              "TargetDomainName=\nStatus=0xC000006D\n"
              "FailureReason=ユーザー名を認識できないか、またはパスワードが間違っています。\n"
              "SubStatus=0xC000006A\nLogonType=3\nLogonProcessName=NtLmSsp\n"
              "AuthenticationPackageName=NTLM\nWorkstationName=KALI\nTransmittedServices=-\n"
              "LmPackageName=-\nKeyLength=0\nProcessId=0x0\nProcessName=-\n"
              "IpAddress=198.51.100.23\nIpPort=0\n");
    CHECK_STR(r.sem[0], "user=管理者 domain= ip=198.51.100.23 lt=3");
    CHECK_STR(r.ev[1], "Microsoft-Windows-Security-Auditing|Security||4624|0|0|"
                       "0x8020000000000000|2024-01-02T04:00:00Z");
    CHECK(has(r.fields[1], "SubjectUserName=WS01$\n"));
    CHECK(has(r.fields[1], "TargetUserName=看護師01\nTargetDomainName=CORP\n"
                           "TargetLogonId=0x5F5E1\nLogonType=3\n"));
    CHECK_STR(r.sem[1], "user=看護師01 domain=CORP ip=10.1.2.3 lt=3");
    CHECK(has(r.fields[2], "PrivilegeList=SeAssignPrimaryTokenPrivilege\n\t\t\tSeTcbPrivilege\n"
                           "\t\t\tSeSecurityPrivilege\n"));
    done(&r);
}

/* An unclosed quote ends at the next line that starts a record (a level word, a comma,
 * a date); dates that cannot be read are reported. */
static void test_viewer_bad_quote(void)
{
    const char *text = "Level,Date and Time,Source,Event ID,Task Category\r\n"
                       "Information,1/2/2024 3:04:05 PM,A,1,,\"unclosed\r\nline\r\n"
                       "Error,1/2/2024 3:04:06 PM,A,2,,\"ok\"\r\n"
                       "Error,2/30/2024 3:04:07 PM,A,3,,\"bad day\"\r\n"
                       "Error,1/2/2024 3:04:08 PM,A,4,,\"also \"\"quoted\"\", ok\"\r\n";
    result r;
    read_text(&r, text, "UTC");
    CHECK_INT(r.n, 2);
    CHECK_INT(r.errors, 2);
    CHECK_INT(r.problem_line[0], 2);
    CHECK(strstr(r.problem[0], "not closed before line 4") != NULL);
    CHECK_INT(r.problem_line[1], 5);
    CHECK(r.n == 2 && strcmp(r.fields[1], "Message=also \"quoted\", ok\n") == 0);
    CHECK(r.n == 2 && strcmp(r.ev[0], "A|||2|0|2|0x0|2024-01-02T15:04:06Z") == 0);
    done(&r);
}

/* UTF-8 to UTF-16LE with a BOM, as Event Viewer saves CSV. */
static uint8_t *utf16le(const char *s, size_t *n)
{
    size_t len = strlen(s);
    uint8_t *out = malloc(2 * len + 2), *o = out;
    *o++ = 0xff, *o++ = 0xfe;
    for (size_t i = 0; i < len;) {
        uint32_t c = (uint8_t)s[i];
        int k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (k > 1) c &= 0x3f >> (k - 1);
        for (int j = 1; j < k; j++) c = c << 6 | ((uint8_t)s[i + j] & 0x3f);
        i += (size_t)k;
        if (c >= 0x10000) {
            c -= 0x10000;
            uint16_t hi = (uint16_t)(0xd800 | c >> 10), lo = (uint16_t)(0xdc00 | (c & 0x3ff));
            *o++ = (uint8_t)hi, *o++ = (uint8_t)(hi >> 8), *o++ = (uint8_t)lo,
            *o++ = (uint8_t)(lo >> 8);
        } else {
            *o++ = (uint8_t)c, *o++ = (uint8_t)(c >> 8);
        }
    }
    *n = (size_t)(o - out);
    return out;
}

static void test_viewer_utf16_japanese_level(void)
{
    const char *text =
        "レベル,日付と時刻,ソース,イベント ID,タスクのカテゴリ\r\n"
        "情報,2024/02/03 午後 1:02:03,Service Control Manager,7045,なし,"
        "\"サービスがシステムにインストールされました。\r\n\r\n"
        "サービス名:  AnyDesk\r\nサービス ファイル名:  \"\"C:\\ProgramData\\AnyDesk.exe\"\" "
        "--service\r\nサービスの種類:  ユーザー モード サービス\r\n"
        "サービス開始の種類:  自動的な開始\r\nサービス アカウント:  LocalSystem\"\r\n"
        "警告,2024/02/03 13:02:04,Microsoft-Windows-Eventlog,1102,ログの消去,"
        "\"監査ログが消去されました。\r\n"
        "サブジェクト:\r\n\tセキュリティ ID:\tCORP\\admin\r\n\tアカウント名:\tadmin\r\n"
        "\tログオン ID:\t0x1234\"\r\n";
    size_t n;
    uint8_t *b = utf16le(text, &n);
    result r;
    read_all(&r, b, n, "+09:00", KS_FORMAT_UNKNOWN);
    CHECK_INT(r.format, KS_FORMAT_CSV);
    CHECK_INT(r.n, 2);
    CHECK_STR(r.ev[0], "Service Control Manager|System||7045|0|4|0x0|2024-02-03T04:02:03Z");
    CHECK_STR(r.fields[0], "ServiceName=AnyDesk\nImagePath=\"C:\\ProgramData\\AnyDesk.exe\" "
                           "--service\nServiceType=ユーザー モード サービス\n"
                           "StartType=自動的な開始\nAccountName=LocalSystem\n");
    CHECK_STR(r.ev[1], "Microsoft-Windows-Eventlog|Security||1102|0|3|0x0|2024-02-03T04:02:04Z");
    CHECK_STR(r.fields[1], "SubjectUserSid=CORP\\admin\nSubjectUserName=admin\n"
                           "SubjectLogonId=0x1234\n");
    done(&r);
    free(b);
}

/* Japanese LogParser output in CP932: the source decodes, the reader splits. */
static void test_logparser_cp932(void)
{
    const char *text = LP_HEADER
        "Security,5,2024-05-06 07:08:09,2024-05-06 07:08:09,4624,8,成功の監査イベント,12544,"
        "ログオン,Microsoft-Windows-Security-Auditing,"
        "S-1-5-18|病院PC$|病院|0x3e7|S-1-5-21-7|医師01|病院|0x1|2|User32|Negotiate|病院PC|"
        "{00000000-0000-0000-0000-000000000000}|-|-|0|0x1|C:\\Windows\\System32\\winlogon.exe|"
        "127.0.0.1|0,病院PC,,,\r\n";
    iconv_t cd = iconv_open("CP932", "UTF-8");
    CHECK(cd != (iconv_t)-1);
    if (cd == (iconv_t)-1) return;
    size_t in_left = strlen(text), out_cap = in_left * 2, out_left = out_cap;
    char *out = malloc(out_cap), *in = (char *)text, *o = out;
    CHECK(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
    iconv_close(cd);
    result r;
    read_all(&r, out, out_cap - out_left, "+09:00", KS_FORMAT_UNKNOWN);
    CHECK_INT(r.format, KS_FORMAT_CSV);
    CHECK_INT(r.n, 1);
    CHECK_STR(r.ev[0], "Microsoft-Windows-Security-Auditing|Security|病院PC|4624|5|0|"
                       "0x8020000000000000|2024-05-05T22:08:09Z");
    CHECK(has(r.fields[0], "TargetUserName=医師01\nTargetDomainName=病院\n"));
    CHECK_STR(r.sem[0], "user=医師01 domain=病院 ip=127.0.0.1 lt=2");
    done(&r);
    free(out);
}

/* ---- detection ------------------------------------------------------------------- */

static void test_detection(void)
{
    result r;
    const char *other = "name,age,city\r\nalice,30,Tokyo\r\n";
    read_text(&r, other, NULL);
    CHECK_INT(r.open_status, KS_ERR_UNSUPPORTED);
    CHECK(strstr(r.open_what, "neither LogParser's nor Event Viewer's") != NULL);
    CHECK(strstr(r.open_what, "name,age,city") != NULL);
    CHECK_INT(r.n, 0);
    done(&r);
    CHECK_INT(ks_format_detect(viewer_en, strlen(viewer_en), NULL), KS_FORMAT_CSV);
    CHECK_INT(ks_format_detect(viewer_ja_security, strlen(viewer_ja_security), NULL),
              KS_FORMAT_CSV);
    CHECK_INT(ks_format_detect(LP_HEADER, strlen(LP_HEADER), NULL), KS_FORMAT_CSV);
    /* a header with columns in another order (SELECT with a column list) */
    const char *subset = "TimeGenerated,SourceName,EventID,Strings\r\n"
                         "2024-01-02 03:04:05,Microsoft-Windows-Security-Auditing,4776,"
                         "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0|bob|WS9|0xc000006a\r\n";
    read_text(&r, subset, "UTC");
    CHECK_INT(r.n, 1);
    CHECK_STR(r.fields[0], "PackageName=MICROSOFT_AUTHENTICATION_PACKAGE_V1_0\n"
                           "TargetUserName=bob\nWorkstation=WS9\nStatus=0xc000006a\n");
    CHECK(strncmp(r.ev[0], "Microsoft-Windows-Security-Auditing|Security||4776|0|", 53) == 0);
    done(&r);
    /* forced to CSV, an unknown header is still refused, not read as garbage */
    read_all(&r, other, strlen(other), NULL, KS_FORMAT_CSV);
    CHECK_INT(r.open_status, KS_ERR_UNSUPPORTED);
    done(&r);
}

/* ---- writer ---------------------------------------------------------------------- */

static void test_writer(void)
{
    uint8_t lt[4] = {3, 0, 0, 0};
    uint8_t bin[3] = {0xde, 0xad, 0x01};
    ks_field f[4] = {{{"TargetUserName", 14}, {(const uint8_t *)"a,\"b\"", 5, KS_VT_UTF8}},
                     {{"LogonType", 9}, {lt, 4, KS_VT_UINT32}},
                     {{"CommandLine", 11}, {(const uint8_t *)"x\r\ny", 4, KS_VT_UTF8}},
                     {{"Binary", 6}, {bin, 3, KS_VT_BINARY}}};
    ks_event ev = {.time_ns = INT64_C(1704164645123456700), /* 2024-01-02T03:04:05.1234567Z */
                   .record_id = 42,
                   .host = {"WS01", 4},
                   .channel = {"Security", 8},
                   .provider = {"Microsoft-Windows-Security-Auditing", 35},
                   .event_id = 4625,
                   .task = 12544,
                   .keywords = 0x8010000000000000ull,
                   .user_sid = {"S-1-5-18", 8},
                   .fields = f,
                   .nfields = 4};
    ks_buf b = {0};
    ks_csv_write_header(&b);
    CHECK(ks_csv_write_event_tz(&b, &ev, "+09:00") == KS_OK);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, LP_HEADER "Security,42,2024-01-02 12:04:05,2024-01-02 12:04:05,4625,16,"
                                "Failure Audit event,12544,,Microsoft-Windows-Security-Auditing,"
                                "\"a,\"\"b\"\"|3|x\r\ny\",WS01,S-1-5-18,,DEAD01\r\n");
    ks_buf_reset(&b);
    CHECK(ks_csv_write_event_tz(&b, &ev, "Not/AZone") == KS_ERR_ARG);
    CHECK_INT(b.len, 0);
    ks_buf_free(&b);
}

int main(void)
{
    test_logparser();
    test_logparser_quoted();
    test_logparser_bad_quote();
    test_record_limit();
    test_viewer_bad_quote();
    test_viewer_english();
    test_viewer_japanese();
    test_viewer_utf16_japanese_level();
    test_logparser_cp932();
    test_detection();
    test_writer();
    return ks_test_done();
}
