/* The JSON lines reader (src/ingest/jsonl.c) on synthetic lines of each shape it
 * reads: kensa dump / evtx_dump, kensa's normalized events, Winlogbeat / ECS and Wazuh
 * eventchannel JSON; arrays and pretty-printed objects; and bad lines, which are
 * reported with their line numbers, counted and skipped. Only what the reader sets
 * is asserted (the semantic fields of Windows events come from the mapping table). */
#include <stdint.h>

#include "harness.h"
#include "kensa/kensa.h"

/* What one event carried, copied out of the reader's borrowed views. */
typedef struct snap {
    char host[64], channel[96], provider[96], guid[48], sid[48];
    char fields[2048]; /* "Name=text;Name=text" */
    char user[32], domain[32], src_ip[48], action[24];
    int logon_type, outcome;
    int64_t time_ns;
    uint64_t record_id, offset, keywords;
    uint32_t event_id, pid, tid;
    uint16_t task, qualifiers;
    bool has_qualifiers;
    uint8_t level, version, opcode;
} snap;

static void cp(char *dst, size_t cap, ks_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) memcpy(dst, s.p, n);
    dst[n] = 0;
}

static void take(snap *o, const ks_event *ev)
{
    memset(o, 0, sizeof *o);
    cp(o->host, sizeof o->host, ev->host);
    cp(o->channel, sizeof o->channel, ev->channel);
    cp(o->provider, sizeof o->provider, ev->provider);
    cp(o->guid, sizeof o->guid, ev->provider_guid);
    cp(o->sid, sizeof o->sid, ev->user_sid);
    cp(o->user, sizeof o->user, ev->sem.user);
    cp(o->domain, sizeof o->domain, ev->sem.domain);
    cp(o->src_ip, sizeof o->src_ip, ev->sem.src_ip);
    cp(o->action, sizeof o->action, ev->sem.action);
    o->logon_type = ev->sem.logon_type;
    o->outcome = (int)ev->sem.outcome;
    ks_buf b = {0};
    for (size_t i = 0; i < ev->nfields; i++) {
        if (i) ks_buf_putc(&b, ';');
        ks_buf_append(&b, ev->fields[i].name.p, ev->fields[i].name.len);
        ks_buf_putc(&b, '=');
        ks_value_text(&b, &ev->fields[i].value);
    }
    cp(o->fields, sizeof o->fields, (ks_str){b.data ? b.data : "", b.len});
    ks_buf_free(&b);
    o->time_ns = ev->time_ns;
    o->record_id = ev->record_id;
    o->offset = ev->offset;
    o->keywords = ev->keywords;
    o->event_id = ev->event_id;
    o->pid = ev->process_id;
    o->tid = ev->thread_id;
    o->task = ev->task;
    o->qualifiers = ev->qualifiers;
    o->has_qualifiers = ev->has_qualifiers;
    o->level = ev->level;
    o->version = ev->version;
    o->opcode = ev->opcode;
}

#define MAX_EV 16
#define MAX_PROB 16

typedef struct run {
    snap ev[MAX_EV];
    size_t n;
    uint64_t prob_line[MAX_PROB];
    char prob_what[MAX_PROB][160];
    char prob_excerpt[MAX_PROB][48];
    size_t nprob;
    ks_source_stats stats;
    ks_format format;
    ks_status open;
} run;

static void on_problem(void *ctx, const ks_problem *p)
{
    run *r = ctx;
    if (r->nprob < MAX_PROB) {
        r->prob_line[r->nprob] = p->line;
        snprintf(r->prob_what[r->nprob], sizeof r->prob_what[0], "%s", p->what);
        cp(r->prob_excerpt[r->nprob], sizeof r->prob_excerpt[0],
           (ks_str){p->excerpt ? p->excerpt : "", p->excerpt ? p->excerpt_len : 0});
    }
    r->nprob++;
}

/* Read text (n bytes; strlen when 0) with the format detected, or forced. */
static run *read_n(const char *text, size_t n, ks_format force)
{
    static run r;
    memset(&r, 0, sizeof r);
    ks_source_opts o = {.format = force, .on_problem = on_problem, .ctx = &r};
    ks_source *s = NULL;
    r.open = ks_source_open_mem(&s, text, n ? n : strlen(text), "test.jsonl", &o, NULL);
    if (r.open != KS_OK) return &r;
    r.format = ks_source_format(s);
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        if (r.n < MAX_EV) take(&r.ev[r.n], ev);
        r.n++;
    }
    r.stats = *ks_source_get_stats(s);
    ks_source_close(&s);
    return &r;
}

static run *read_text(const char *text)
{
    return read_n(text, 0, KS_FORMAT_UNKNOWN);
}

static int64_t iso(const char *s)
{
    int64_t ns = 0;
    ks_time_parse_iso8601(s, strlen(s), &ns, NULL);
    return ns;
}

/* ---- kensa dump / evtx_dump ---------------------------------------------------------- */

static const char evtx_4625[] =
    "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/"
    "event\"},\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Security-"
    "Auditing\",\"Guid\":\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"}},\"EventID\":4625,"
    "\"Version\":0,\"Level\":0,\"Task\":12544,\"Opcode\":0,\"Keywords\":\"0x8010000000000000\","
    "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-02T03:04:05.123456700Z\"}},"
    "\"EventRecordID\":81234,\"Correlation\":null,\"Execution\":{\"#attributes\":{\"ProcessID\":"
    "612,\"ThreadID\":3380}},\"Channel\":\"Security\",\"Computer\":\"EMR-SV01.hosp.local\","
    "\"Security\":null},\"EventData\":{\"SubjectUserSid\":\"S-1-0-0\",\"TargetUserName\":"
    "\"\\u7530\\u4e2d\",\"TargetDomainName\":\"HOSP\",\"Status\":\"0xc000006d\",\"LogonType\":3,"
    "\"KeyLength\":0,\"IpAddress\":\"203.0.113.7\",\"Empty\":null,\"Flag\":true,\"Path\":"
    "\"C:\\\\Windows\\\\x \\\"q\\\"\"}}}\n";

static void test_evtx_shape(void)
{
    run *r = read_text(evtx_4625);
    CHECK(r->open == KS_OK);
    CHECK_INT(r->format, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 1);
    snap *e = &r->ev[0];
    CHECK_STR(e->provider, "Microsoft-Windows-Security-Auditing");
    CHECK_STR(e->guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    CHECK_STR(e->channel, "Security");
    CHECK_STR(e->host, "EMR-SV01.hosp.local");
    CHECK_STR(e->sid, "");
    CHECK_INT(e->event_id, 4625);
    CHECK(!e->has_qualifiers);
    CHECK_INT(e->record_id, 81234);
    CHECK_INT(e->task, 12544);
    CHECK(e->keywords == UINT64_C(0x8010000000000000));
    CHECK_INT(e->pid, 612);
    CHECK_INT(e->tid, 3380);
    CHECK(e->time_ns == iso("2024-01-02T03:04:05.1234567Z"));
    CHECK_INT(e->offset, 0);
    CHECK_STR(e->fields, "SubjectUserSid=S-1-0-0;TargetUserName=\xe7\x94\xb0\xe4\xb8\xad;"
                         "TargetDomainName=HOSP;Status=0xc000006d;LogonType=3;KeyLength=0;"
                         "IpAddress=203.0.113.7;Empty=;Flag=true;Path=C:\\Windows\\x \"q\"");

    /* EventID with Qualifiers, unnamed Data (several, one, an array), repeated elements
     * with evtx_dump's _1 suffix, Binary, a Security UserID */
    r = read_text(
        "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Service Control "
        "Manager\",\"EventSourceName\":\"Service Control Manager\"}},\"EventID\":{\"#attributes\":"
        "{\"Qualifiers\":16384},\"#text\":7045},\"Level\":4,\"Keywords\":\"0x8080000000000000\","
        "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2017-07-12T17:16:28.2141616Z\"}},"
        "\"EventRecordID\":7,\"Channel\":\"System\",\"Computer\":\"PC1\",\"Security\":"
        "{\"#attributes\":{\"UserID\":\"S-1-5-18\"}}},\"EventData\":{\"Data\":{\"#text\":"
        "[\"10.00.\",\"\",[1,2],\"x\"]},\"Binary\":\"E107\",\"Binary_1\":\"FF\",\"Foo_1\":\"k\"}}}"
        "\n"
        "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"EventSourceName\":\"Src\"}},"
        "\"EventID\":\"0x10\"},\"EventData\":{\"Data\":\"only\",\"Arr\":[\"a\",\"b\"]}}}\n");
    CHECK_INT(r->n, 2);
    e = &r->ev[0];
    CHECK_STR(e->provider, "Service Control Manager");
    CHECK_INT(e->event_id, 7045);
    CHECK(e->has_qualifiers && e->qualifiers == 16384);
    CHECK_INT(e->level, 4);
    CHECK_STR(e->sid, "S-1-5-18");
    CHECK_STR(e->fields, "Data=10.00.;Data=;Data=1, 2;Data=x;Binary=E107;Binary=FF;Foo_1=k");
    CHECK(r->ev[1].offset > 0);
    CHECK_STR(r->ev[1].provider, "Src");
    CHECK_INT(r->ev[1].event_id, 16);
    CHECK_STR(r->ev[1].fields, "Data=only;Arr=a, b");

    /* UserData: the leaves under its one element, nested, in document order; attributes
     * and mixed text left out; repeated names without the suffix */
    r = read_text(
        "{\"Event\":{\"System\":{\"EventID\":104,\"Channel\":\"System\"},\"UserData\":"
        "{\"LogFileCleared\":{\"#attributes\":{\"xmlns\":\"http://x\"},\"SubjectUserName\":"
        "\"tony\",\"Inner\":{\"A\":\"1\",\"B\":{\"#attributes\":{\"k\":\"v\"}},\"C\":"
        "{\"#attributes\":{\"k\":\"v\"},\"#text\":\"c\"}},\"Item\":\"x\",\"Item_1\":\"y\","
        "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"}}}}");
    CHECK_INT(r->n, 1);
    CHECK_STR(r->ev[0].fields, "SubjectUserName=tony;A=1;B=;C=c;Item=x;Item=y;"
                               "Channel=Microsoft-Windows-Sysmon/Operational");
    CHECK_INT(r->ev[0].event_id, 104);
    CHECK_INT(r->stats.skipped, 0);

    /* a root element not called Event */
    r = read_text("{\"Evt\":{\"System\":{\"EventID\":1}}}");
    CHECK_INT(r->n, 1);
    CHECK_INT(r->ev[0].event_id, 1);
}

/* ---- kensa's normalized events --------------------------------------------------------- */

static void test_events_shape(void)
{
    run *r = read_text(
        "{\"time\":\"2024-01-02T03:04:05.1234567Z\",\"host\":\"EMR-SV01\",\"channel\":\"Security\","
        "\"provider\":\"Microsoft-Windows-Security-Auditing\",\"event_id\":4624,\"record_id\":9,"
        "\"level\":0,\"user_sid\":\"S-1-5-18\",\"user\":\"alice\",\"domain\":\"HOSP\",\"src_ip\":"
        "\"10.0.0.5\",\"action\":\"vpn_login\",\"logon_type\":10,\"outcome\":\"success\","
        "\"fields\":{\"TargetUserName\":\"alice\",\"Data\":\"1\",\"Data\":\"2\",\"Empty\":\"\"},"
        "\"source\":{\"file\":\"a.evtx\",\"format\":\"evtx\",\"offset\":4096}}\n"
        "{\"time\":\"2024-05-06T07:08:09Z\",\"host\":\"fw\",\"channel\":\"syslog\",\"provider\":"
        "\"fortigate\",\"event_id\":0,\"outcome\":\"failure\",\"fields\":[[\"user\",\"bob\"],"
        "{\"name\":\"srcip\",\"value\":\"198.51.100.1\"}]}\n");
    CHECK_INT(r->n, 2);
    snap *e = &r->ev[0];
    CHECK(e->time_ns == iso("2024-01-02T03:04:05.1234567Z"));
    CHECK_STR(e->host, "EMR-SV01");
    CHECK_STR(e->provider, "Microsoft-Windows-Security-Auditing");
    CHECK_INT(e->event_id, 4624);
    CHECK_INT(e->record_id, 9);
    CHECK_STR(e->sid, "S-1-5-18");
    CHECK_STR(e->user, "alice");
    CHECK_STR(e->domain, "HOSP");
    CHECK_STR(e->src_ip, "10.0.0.5");
    CHECK_STR(e->action, "vpn_login");
    CHECK_INT(e->logon_type, 10);
    CHECK_INT(e->outcome, KS_OUTCOME_SUCCESS);
    CHECK_STR(e->fields, "TargetUserName=alice;Data=1;Data=2;Empty=");
    CHECK_INT(e->offset, 0); /* in this file, not the original's */
    e = &r->ev[1];
    CHECK_STR(e->provider, "fortigate");
    CHECK_INT(e->outcome, KS_OUTCOME_FAILURE);
    CHECK_STR(e->fields, "user=bob;srcip=198.51.100.1");
    CHECK(e->time_ns == iso("2024-05-06T07:08:09Z"));
}

/* ---- Winlogbeat / ECS ------------------------------------------------------------------ */

static void test_ecs_shape(void)
{
    /* Winlogbeat 8: event_id and record_id as strings, keywords and level as names */
    run *r = read_text(
        "{\"@timestamp\":\"2019-03-29T21:10:39.7868321Z\",\"event\":{\"code\":\"4624\","
        "\"provider\":\"Microsoft-Windows-Security-Auditing\"},\"host\":{\"name\":\"vagrant\"},"
        "\"log\":{\"level\":\"information\"},\"winlog\":{\"api\":\"wineventlog\",\"channel\":"
        "\"Security\",\"computer_name\":\"vagrant-2012-r2\",\"event_data\":{\"LogonType\":\"5\","
        "\"TargetUserName\":\"SYSTEM\",\"IpAddress\":\"-\"},\"event_id\":\"4624\",\"keywords\":"
        "[\"Audit Success\"],\"opcode\":\"Info\",\"process\":{\"pid\":516,\"thread\":{\"id\":536}},"
        "\"provider_guid\":\"{54849625-5478-4994-a5ba-3e3b0328c30d}\",\"provider_name\":"
        "\"Microsoft-Windows-Security-Auditing\",\"record_id\":\"1535\",\"task\":\"Logon\","
        "\"version\":1,\"user\":{\"identifier\":\"S-1-5-18\"}}}\n"
        /* Winlogbeat 7: numbers; user_data with xml_name; log.level in Japanese */
        "{\"@timestamp\":\"2020-01-01T00:00:00.000Z\",\"log\":{\"level\":"
        "\"\xe8\xad\xa6\xe5\x91\x8a\"},"
        "\"winlog\":{\"channel\":\"System\",\"computer_name\":\"PC2\",\"event_id\":104,"
        "\"provider_name\":\"Microsoft-Windows-Eventlog\",\"record_id\":77,\"keywords\":"
        "[\"\xe5\xa4\xb1\xe6\x95\x97\xe3\x81\xae\xe7\x9b\xa3\xe6\x9f\xbb\"],\"user_data\":"
        "{\"xml_name\":\"LogFileCleared\",\"SubjectUserName\":\"tony\",\"Channel\":\"Sysmon\"}}}\n"
        /* flattened keys, and an Elasticsearch hit */
        "{\"@timestamp\":\"2021-02-03T04:05:06Z\",\"winlog.channel\":\"Security\","
        "\"winlog.event_id\":4625,\"host.name\":\"h3\",\"winlog.provider_name\":\"P\","
        "\"winlog.event_data.TargetUserName\":\"eve\"}\n"
        "{\"_index\":\"winlogbeat-8\",\"_source\":{\"@timestamp\":\"2021-02-03T04:05:07Z\","
        "\"winlog\":{\"channel\":\"Security\",\"event_id\":\"4634\",\"computer_name\":\"h4\"}}}\n");
    CHECK_INT(r->n, 4);
    snap *e = &r->ev[0];
    CHECK(e->time_ns == iso("2019-03-29T21:10:39.7868321Z"));
    CHECK_STR(e->provider, "Microsoft-Windows-Security-Auditing");
    CHECK_STR(e->guid, "{54849625-5478-4994-a5ba-3e3b0328c30d}");
    CHECK_STR(e->channel, "Security");
    CHECK_STR(e->host, "vagrant-2012-r2");
    CHECK_STR(e->sid, "S-1-5-18");
    CHECK_INT(e->event_id, 4624);
    CHECK_INT(e->record_id, 1535);
    CHECK_INT(e->version, 1);
    CHECK_INT(e->level, 4);
    CHECK_INT(e->task, 0); /* "Logon": a name, not the number */
    CHECK(e->keywords == UINT64_C(0x8020000000000000));
    CHECK_INT(e->pid, 516);
    CHECK_INT(e->tid, 536);
    CHECK_STR(e->fields, "LogonType=5;TargetUserName=SYSTEM;IpAddress=-");
    e = &r->ev[1];
    CHECK_INT(e->event_id, 104);
    CHECK_INT(e->record_id, 77);
    CHECK_INT(e->level, 3);
    CHECK(e->keywords == UINT64_C(0x8010000000000000));
    CHECK_STR(e->fields, "SubjectUserName=tony;Channel=Sysmon");
    e = &r->ev[2];
    CHECK_STR(e->channel, "Security");
    CHECK_STR(e->host, "h3");
    CHECK_STR(e->provider, "P");
    CHECK_INT(e->event_id, 4625);
    CHECK_STR(e->fields, "TargetUserName=eve");
    e = &r->ev[3];
    CHECK_INT(e->event_id, 4634);
    CHECK_STR(e->host, "h4");
    CHECK(e->time_ns == iso("2021-02-03T04:05:07Z"));
}

/* ---- Wazuh ------------------------------------------------------------------------------ */

static void test_wazuh_shape(void)
{
    run *r = read_text(
        "{\"win\":{\"eventdata\":{\"subjectUserSid\":\"S-1-0-0\",\"targetUserName\":"
        "\"Administrator\","
        "\"ipAddress\":\"192.168.0.121\",\"logonType\":\"3\",\"keyLength\":\"0\"},\"system\":"
        "{\"eventID\":\"4624\",\"keywords\":\"0x8020000000000000\",\"providerGuid\":"
        "\"{54849625-5478-4994-A5BA-3E3B0328C30D}\",\"level\":\"0\",\"channel\":\"Security\","
        "\"opcode\":\"0\",\"message\":\"\\\"An account was successfully logged on.\\\"\","
        "\"version\":\"2\",\"systemTime\":\"2021-05-07T21:36:19.887424400Z\",\"eventRecordID\":"
        "\"1718492\",\"threadID\":\"1776\",\"computer\":\"bankdc.ExchangeTest.com\",\"task\":"
        "\"12544\",\"processID\":\"536\",\"severityValue\":\"AUDIT_SUCCESS\",\"providerName\":"
        "\"Microsoft-Windows-Security-Auditing\"}}}\n"
        /* classic names kept (param1), Wazuh's own names dropped, UserData payload */
        "{\"win\":{\"system\":{\"eventSourceName\":\"Service Control "
        "Manager\",\"eventID\":\"7036\","
        "\"computer\":\"PC\",\"systemTime\":\"2021-01-01T00:00:00Z\",\"securityUserID\":\"S-1-5-"
        "18\"},"
        "\"eventdata\":{\"param1\":\"Windows "
        "Update\",\"param2\":\"running\",\"categoryId\":\"%%8272\","
        "\"subcategoryId\":\"%%12288\",\"auditPolicyChangesId\":\"%%8448\",\"category\":\"System\","
        "\"subcategory\":\"Security State Change\",\"auditPolicyChanges\":\"Success removed\","
        "\"data\":\"a, b\"}}}\n"
        /* an alert from alerts.json: the event under data.win; UserData named after it */
        "{\"timestamp\":\"2021-06-25T18:34:00.000+0000\",\"rule\":{\"id\":\"63103\"},\"data\":"
        "{\"win\":{\"system\":{\"providerName\":\"Microsoft-Windows-Eventlog\",\"eventID\":\"104\","
        "\"computer\":\"DC1\",\"channel\":\"System\",\"systemTime\":\"2021-06-25T18:33:57Z\"},"
        "\"logFileCleared\":{\"subjectUserName\":\"admin\",\"channel\":\"Security\"}}}}\n");
    CHECK_INT(r->n, 3);
    snap *e = &r->ev[0];
    CHECK_STR(e->provider, "Microsoft-Windows-Security-Auditing");
    CHECK_STR(e->guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    CHECK_STR(e->channel, "Security");
    CHECK_STR(e->host, "bankdc.ExchangeTest.com");
    CHECK_INT(e->event_id, 4624);
    CHECK_INT(e->record_id, 1718492);
    CHECK_INT(e->version, 2);
    CHECK_INT(e->task, 12544);
    CHECK_INT(e->pid, 536);
    CHECK_INT(e->tid, 1776);
    CHECK(e->keywords == UINT64_C(0x8020000000000000));
    CHECK(e->time_ns == iso("2021-05-07T21:36:19.8874244Z"));
    CHECK_STR(e->fields, "SubjectUserSid=S-1-0-0;TargetUserName=Administrator;"
                         "IpAddress=192.168.0.121;LogonType=3;KeyLength=0");
    e = &r->ev[1];
    CHECK_STR(e->provider, "Service Control Manager");
    CHECK_STR(e->sid, "S-1-5-18");
    CHECK_STR(e->fields, "param1=Windows Update;param2=running;CategoryId=%%8272;"
                         "SubcategoryId=%%12288;AuditPolicyChanges=%%8448;Data=a, b");
    e = &r->ev[2];
    CHECK_STR(e->provider, "Microsoft-Windows-Eventlog");
    CHECK_INT(e->event_id, 104);
    CHECK_STR(e->fields, "SubjectUserName=admin;Channel=Security");
}

/* ---- layouts: arrays, pretty-printed records, mixed shapes ----------------------------- */

static void test_layouts(void)
{
    /* one line holding an array of events, then a plain line */
    const char *one = "[{\"Event\":{\"System\":{\"EventID\":1}}}, {\"Event\":{\"System\":"
                      "{\"EventID\":2}}}]\n{\"Event\":{\"System\":{\"EventID\":3}}}\n";
    run *r = read_text(one);
    CHECK_INT(r->format, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 3);
    CHECK_INT(r->ev[0].event_id, 1);
    CHECK_INT(r->ev[1].event_id, 2);
    CHECK_INT(r->ev[2].event_id, 3);
    CHECK_INT(r->ev[0].offset, 1);
    CHECK_INT(r->ev[1].offset, 37);
    CHECK_INT(r->ev[2].offset, 73);
    CHECK_INT(r->nprob, 0);

    /* pretty-printed (jq), with evtx_dump's "Record N" headers and a CRLF */
    const char *pretty =
        "Record 1\n{\n  \"Event\": {\n    \"System\": {\n      \"EventID\": 4624,\n"
        "      \"Computer\": \"a\\nb\"\n    }\n  }\n}\r\nRecord 2\n{\n  \"Event\": {\n"
        "    \"System\": { \"EventID\": 4625 }\n  }\n}\n";
    r = read_text(pretty);
    CHECK_INT(r->format, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 2);
    CHECK_INT(r->ev[0].event_id, 4624);
    CHECK_STR(r->ev[0].host, "a\nb");
    CHECK_INT(r->ev[0].offset, 9);
    CHECK_INT(r->ev[1].event_id, 4625);
    CHECK_INT(r->nprob, 0);
    CHECK_INT(r->stats.ignored, 2);

    /* a pretty-printed array (Python's json.dump with indent), mixing shapes */
    const char *arr = "[\n  {\n    \"win\": {\n      \"system\": {\n        \"eventID\": \"4625\"\n"
                      "      }\n    }\n  },\n  {\n    \"winlog\": {\n      \"event_id\": 4624\n"
                      "    }\n  },\n  {\"Event\": {\"System\": {\"EventID\": 1102}}}\n]\n";
    r = read_text(arr);
    CHECK_INT(r->format, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 3);
    CHECK_INT(r->ev[0].event_id, 4625);
    CHECK_INT(r->ev[1].event_id, 4624);
    CHECK_INT(r->ev[2].event_id, 1102);
    CHECK_INT(r->nprob, 0);

    /* UTF-16LE with a BOM (as PowerShell writes): offsets are the lines' */
    const char *u8 = "{\"Event\":{\"System\":{\"EventID\":7}}}\r\n{\"Event\":{\"System\":{"
                     "\"EventID\":8,\"Computer\":\"\xe6\x97\xa5\"}}}\r\n";
    uint8_t u16[256];
    size_t n = 0;
    u16[n++] = 0xff;
    u16[n++] = 0xfe;
    for (const unsigned char *p = (const unsigned char *)u8; *p;) {
        uint32_t cp = *p++;
        if (cp >= 0xe0) { /* the one 3-byte character */
            cp = ((cp & 15) << 12) | ((p[0] & 0x3fu) << 6) | (p[1] & 0x3fu);
            p += 2;
        }
        u16[n++] = (uint8_t)cp;
        u16[n++] = (uint8_t)(cp >> 8);
    }
    r = read_n((const char *)u16, n, KS_FORMAT_UNKNOWN);
    CHECK_INT(r->format, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 2);
    CHECK_INT(r->ev[1].event_id, 8);
    CHECK_STR(r->ev[1].host, "\xe6\x97\xa5");
    CHECK_INT(r->ev[1].offset, 2 + 2 * 36);
}

/* ---- bad input: reported with its line, counted, skipped --------------------------------- */

static void test_bad_lines(void)
{
    const char *text = "{\"Event\":{\"System\":{\"EventID\":1}}}\n"
                       "garbage here\n"                              /* 2 */
                       "{\"Event\":{\"System\":{\"EventID\":2}},}\n" /* 3: bad JSON */
                       "\n"                                          /* 4: blank */
                       "{\"Event\":{\"System\":{\"Event\n"           /* 5: cut off */
                       "{\"Event\":{\"System\":{\"EventID\":3}}}\n"  /* 6 */
                       "[1,2]\n"                                     /* 7: not objects */
                       "{\"something\":\"else\"}\n"                  /* 8: no known shape */
                       "42\n"                                        /* 9 */
                       "{\"Event\":{\"System\":{\"EventID\":4}}}\n"  /* 10 */
                       "{\"Event\":{\"System\":{\"EventID\":5}}";    /* 11: cut at the end */
    run *r = read_n(text, 0, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 3);
    CHECK_INT(r->ev[0].event_id, 1);
    CHECK_INT(r->ev[1].event_id, 3);
    CHECK_INT(r->ev[2].event_id, 4);
    CHECK_INT(r->nprob, 7);
    static const uint64_t lines[] = {2, 3, 5, 7, 8, 9, 11};
    for (size_t i = 0; i < 7 && i < r->nprob; i++) CHECK_INT(r->prob_line[i], lines[i]);
    CHECK_STR(r->prob_excerpt[0], "garbage here");
    CHECK(strstr(r->prob_what[1], "not valid JSON") != NULL);
    CHECK(strstr(r->prob_what[2], "cut off") != NULL);
    CHECK(strstr(r->prob_what[4], "no known event shape") != NULL);
    CHECK_INT(r->stats.skipped, 7);
    CHECK_INT(r->stats.events, 3);
    CHECK_INT(r->stats.ignored, 1);

    /* nested too deeply: skipped, the next line read */
    char deep[400];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "{\"Event\":");
    for (int i = 0; i < 100; i++) deep[n++] = '[';
    for (int i = 0; i < 100; i++) deep[n++] = ']';
    n += (size_t)snprintf(deep + n, sizeof deep - n,
                          "}\n{\"Event\":{\"System\":{\"EventID\":9}}}\n");
    r = read_n(deep, n, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 1);
    CHECK_INT(r->n ? r->ev[0].event_id : 0, 9);
    CHECK_INT(r->stats.skipped, 1);

    /* a pretty-printed record with a bad line inside: one problem, the rest skipped up to
     * the next record */
    r = read_n("{\n  \"Event\": {\n    \"System\": {\n      \"EventID\": 1,,\n    }\n  }\n}\n"
               "{\"Event\":{\"System\":{\"EventID\":2}}}\n",
               0, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 1);
    CHECK_INT(r->n ? r->ev[0].event_id : 0, 2);
    CHECK_INT(r->nprob, 1);
    CHECK_INT(r->prob_line[0], 1);

    /* a record cut over two lines that are not valid UTF-8 (the source hands them out
     * from its own buffer, overwritten by the next line): fuzz crash-cut-record-... */
    r = read_n(
        "{\"Event\":{\"System\":{\"Computer\":\"a\xff\",\n  \"EventID\":5,\"X\":\"\xfe\"}}}\n"
        "{\"Event\":{\"System\":{\"EventID\":6}}}\n",
        0, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 2);
    CHECK_INT(r->n ? r->ev[0].event_id : 0, 5);
    /* U+FFFD or U+00FF, as the source decodes the byte; either way a copy */
    CHECK(r->n && r->ev[0].host[0] == 'a' && strlen(r->ev[0].host) >= 3);
    CHECK_INT(r->n > 1 ? r->ev[1].event_id : 0, 6);
    CHECK_INT(r->nprob, 0);

    /* an array that is not closed */
    r = read_n("[\n{\"Event\":{\"System\":{\"EventID\":1}}},\n", 0, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 1);
    CHECK_INT(r->nprob, 1);
    CHECK_INT(r->stats.skipped, 0); /* a warning: nothing was lost */

    /* empty input and white space only */
    r = read_n(" \n\n", 0, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 0);
    CHECK_INT(r->nprob, 0);
}

static void test_sniff(void)
{
    /* not JSON lines: the reader does not claim them */
    run *r = read_text("Jan  2 03:04:05 host sshd[1]: Accepted password for a from 10.0.0.1\n");
    CHECK(r->format != KS_FORMAT_JSONL);
    r = read_text("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'/>\n");
    CHECK(r->format != KS_FORMAT_JSONL);
    r = read_text("{not json at all\n");
    CHECK(r->format != KS_FORMAT_JSONL);
    /* a line too long for the sniffing head still counts */
    size_t big = 200000;
    char *p = malloc(big + 64);
    size_t n = (size_t)snprintf(p, 64, "{\"Event\":{\"System\":{\"EventID\":5}},\"x\":\"");
    memset(p + n, 'a', big);
    n += big;
    n += (size_t)snprintf(p + n, 16, "\"}\n");
    r = read_n(p, n, KS_FORMAT_UNKNOWN);
    CHECK_INT(r->format, KS_FORMAT_JSONL);
    CHECK_INT(r->n, 1);
    free(p);
}

/* Big records stay linear: 200,000 members with suffix-like names, and a record of
 * 20,000 pretty-printed lines. */
static void test_big(void)
{
    size_t cap = 8u << 20, n = 0;
    char *p = malloc(cap);
    n += (size_t)snprintf(p, cap, "{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{");
    for (int i = 0; i < 200000; i++)
        n += (size_t)snprintf(p + n, cap - n, "%s\"X_1\":%d", i ? "," : "", i);
    n += (size_t)snprintf(p + n, cap - n, "}}}\n");
    static ks_source_stats stats;
    ks_source *s = NULL;
    ks_source_opts o = {.format = KS_FORMAT_JSONL};
    CHECK(ks_source_open_mem(&s, p, n, "big", &o, NULL) == KS_OK);
    const ks_event *ev = NULL;
    CHECK(s && ks_source_next(s, &ev) == KS_OK && ev);
    CHECK_INT(ev ? ev->nfields : 0, 200000);
    if (ev && ev->nfields == 200000) {
        CHECK(ev->fields[0].name.len == 3);        /* no earlier "X": the name as written */
        CHECK(ev->fields[199999].value.size == 6); /* "199999" */
    }
    ks_source_close(&s);

    n = (size_t)snprintf(p, cap, "{\n \"Event\": {\n  \"EventData\": {\n");
    for (int i = 0; i < 20000; i++)
        n += (size_t)snprintf(p + n, cap - n, "   %s\"F%d\": [{\"a\": \"}\"}]\n", i ? "," : "", i);
    n += (size_t)snprintf(p + n, cap - n, "  }\n }\n}\n");
    CHECK(ks_source_open_mem(&s, p, n, "big", &o, NULL) == KS_OK);
    CHECK(s && ks_source_next(s, &ev) == KS_OK && ev);
    CHECK_INT(ev ? ev->nfields : 0, 20000);
    stats = *ks_source_get_stats(s);
    CHECK_INT(stats.skipped, 0);
    ks_source_close(&s);
    free(p);
}

int main(void)
{
    test_evtx_shape();
    test_events_shape();
    test_ecs_shape();
    test_wazuh_shape();
    test_layouts();
    test_bad_lines();
    test_sniff();
    test_big();
    return ks_test_done();
}
