/* The Event XML reader on synthetic exports: wevtutil's concatenated events, Event
 * Viewer's "Save as XML", RenderedXml, UserData, entities, and damaged files
 * (truncated, garbage between events, malformed, oversized), each event checked
 * field by field against what the EVTX reader would make of the same record. */
#include <stdint.h>

#include "harness.h"
#include "kensa/kensa.h"

#define MAX_EVENTS 300

/* What a file read back as: each event as one line of text, and the problems. */
typedef struct result {
    int n;
    char *ev[MAX_EVENTS];
    uint64_t offset[MAX_EVENTS];
    char sem_user[MAX_EVENTS][32];
    int warnings, errors;
    uint64_t problem_line[16];
    char problem[16][300];
    ks_format format;
    ks_source_stats stats;
} result;

static void on_problem(void *ctx, const ks_problem *p)
{
    result *r = ctx;
    int k = r->warnings + r->errors;
    if (p->severity == KS_SEV_ERROR)
        r->errors++;
    else
        r->warnings++;
    if (k < 16) {
        r->problem_line[k] = p->line;
        snprintf(r->problem[k], sizeof r->problem[k], "%s [%.*s]", p->what, (int)p->excerpt_len,
                 p->excerpt ? p->excerpt : "");
    }
}

static void put_str(ks_buf *b, const char *label, ks_str s)
{
    ks_buf_puts(b, label);
    ks_buf_append(b, s.p, s.len);
}

/* "4624/q-/v0/l0/t12544/o0/k0x8020000000000000/2016-...Z/r2/p456:460/Security/host/
 *  Provider/{guid}/sid | Name=value | ..." */
static char *event_text(const ks_event *ev)
{
    ks_buf b = {0};
    ks_buf_u64(&b, ev->event_id);
    ks_buf_puts(&b, "/q");
    if (ev->has_qualifiers)
        ks_buf_u64(&b, ev->qualifiers);
    else
        ks_buf_putc(&b, '-');
    ks_buf_printf(&b, "/v%u/l%u/t%u/o%u/k", ev->version, ev->level, ev->task, ev->opcode);
    ks_buf_hex(&b, ev->keywords);
    ks_buf_putc(&b, '/');
    ks_time_format(&b, ev->time_ns, 9);
    ks_buf_printf(&b, "/r%llu/p%u:%u", (unsigned long long)ev->record_id, ev->process_id,
                  ev->thread_id);
    put_str(&b, "/", ev->channel);
    put_str(&b, "/", ev->host);
    put_str(&b, "/", ev->provider);
    put_str(&b, "/", ev->provider_guid);
    put_str(&b, "/", ev->user_sid);
    for (size_t i = 0; i < ev->nfields; i++) {
        put_str(&b, " | ", ev->fields[i].name);
        ks_buf_putc(&b, '=');
        if (ev->fields[i].value.type == KS_VT_NULL)
            ks_buf_puts(&b, "(null)");
        else
            ks_value_format(&b, &ev->fields[i].value, KS_ESC_NONE);
    }
    ks_buf_putc(&b, 0);
    return b.data;
}

static void result_free(result *r)
{
    for (int i = 0; i < r->n; i++) free(r->ev[i]);
    memset(r, 0, sizeof *r);
}

/* Read text (format detected from content unless forced). */
static void read_all(result *r, const char *data, size_t n, ks_format force)
{
    memset(r, 0, sizeof *r);
    ks_source_opts o = {0};
    o.format = force;
    o.on_problem = on_problem;
    o.ctx = r;
    ks_source *s = NULL;
    ks_diag d;
    if (ks_source_open_mem(&s, data, n, "test.xml", &o, &d) != KS_OK) {
        r->format = KS_FORMAT_UNKNOWN;
        return;
    }
    r->format = ks_source_format(s);
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        if (r->n < MAX_EVENTS) {
            r->offset[r->n] = ev->offset;
            snprintf(r->sem_user[r->n], sizeof r->sem_user[0], "%.*s", (int)ev->sem.user.len,
                     ev->sem.user.p ? ev->sem.user.p : "");
            r->ev[r->n] = event_text(ev);
        }
        r->n++;
    }
    r->stats = *ks_source_get_stats(s);
    ks_source_close(&s);
}

static void read_str(result *r, const char *xml)
{
    read_all(r, xml, strlen(xml), KS_FORMAT_UNKNOWN);
}

#define NS "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'"

/* wevtutil qe Security /f:xml: events back to back on one line, single quotes */
static const char wevtutil[] =
    "<Event " NS "><System><Provider Name='Microsoft-Windows-Security-Auditing' "
    "Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4624</EventID><Version>2</Version>"
    "<Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>"
    "<TimeCreated SystemTime='2024-03-01T01:02:03.123456700Z'/><EventRecordID>1001</EventRecordID>"
    "<Correlation ActivityID='{01234567-89AB-CDEF-0123-456789ABCDEF}'/>"
    "<Execution ProcessID='676' ThreadID='1234'/><Channel>Security</Channel>"
    "<Computer>emr-01.hosp.local</Computer><Security/></System><EventData>"
    "<Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='TargetUserName'>alice</Data>"
    "<Data Name='TargetDomainName'>HOSP</Data><Data Name='LogonType'>10</Data>"
    "<Data Name='IpAddress'>203.0.113.7</Data><Data Name='ProcessName'>-</Data>"
    "<Data Name='ImpersonationLevel'>%%1833</Data></EventData></Event>"
    "<Event " NS "><System><Provider Name='Microsoft-Windows-Security-Auditing' "
    "Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4625</EventID><Version>0</Version>"
    "<Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8010000000000000</Keywords>"
    "<TimeCreated SystemTime='2024-03-01T01:02:04.5Z'/><EventRecordID>1002</EventRecordID>"
    "<Correlation/><Execution ProcessID='676' ThreadID='1240'/><Channel>Security</Channel>"
    "<Computer>emr-01.hosp.local</Computer><Security/></System><EventData>"
    "<Data Name='TargetUserName'>bob</Data><Data Name='Status'>0xc000006d</Data>"
    "<Data Name='WorkstationName'></Data></EventData></Event>\r\n";

static void test_wevtutil(void)
{
    result r;
    read_str(&r, wevtutil);
    CHECK_INT(r.format, KS_FORMAT_XML);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.errors + r.warnings, 0);
    CHECK_STR(r.ev[0], "4624/q-/v2/l0/t12544/o0/k0x8020000000000000/2024-03-01T01:02:03.123456700Z/"
                       "r1001/p676:1234/Security/emr-01.hosp.local/"
                       "Microsoft-Windows-Security-Auditing/{54849625-5478-4994-A5BA-3E3B0328C30D}/"
                       " | SubjectUserSid=S-1-5-18 | TargetUserName=alice | TargetDomainName=HOSP"
                       " | LogonType=10 | IpAddress=203.0.113.7 | ProcessName=-"
                       " | ImpersonationLevel=%%1833");
    CHECK_STR(r.ev[1], "4625/q-/v0/l0/t12544/o0/k0x8010000000000000/2024-03-01T01:02:04.500000000Z/"
                       "r1002/p676:1240/Security/emr-01.hosp.local/"
                       "Microsoft-Windows-Security-Auditing/{54849625-5478-4994-A5BA-3E3B0328C30D}/"
                       " | TargetUserName=bob | Status=0xc000006d | WorkstationName=(null)");
    /* byte offsets of each <Event, both on line 1 */
    CHECK_INT(r.offset[0], 0);
    CHECK_INT(r.offset[1], strstr(wevtutil + 1, "<Event ") - wevtutil);
    /* the source's field mapping ran on the events */
    CHECK_STR(r.sem_user[0], "alice");
    CHECK_INT(r.stats.events, 2);
    CHECK_INT(r.stats.skipped, 0);
    result_free(&r);
}

/* Event Viewer "Save as XML": declaration, <Events> wrapper, CR LF, indented */
static const char saved[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
    "<Events>\r\n"
    "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\r\n"
    "  <System>\r\n"
    "    <Provider Name=\"Service Control Manager\" "
    "Guid=\"{555908d1-a6d7-4695-8e1e-26931d2012f4}\" "
    "EventSourceName=\"Service Control Manager\"/>\r\n"
    "    <EventID Qualifiers=\"16384\">7045</EventID>\r\n"
    "    <Version>0</Version>\r\n"
    "    <Level>4</Level>\r\n"
    "    <Task>0</Task>\r\n"
    "    <Opcode>0</Opcode>\r\n"
    "    <Keywords>0x8080000000000000</Keywords>\r\n"
    "    <TimeCreated SystemTime=\"2023-12-31T23:59:59.9999999Z\"/>\r\n"
    "    <EventRecordID>77</EventRecordID>\r\n"
    "    <Correlation/>\r\n"
    "    <Execution\r\n      ProcessID=\"640\" ThreadID=\"5400\"/>\r\n"
    "    <Channel>System</Channel>\r\n"
    "    <Computer>FS01</Computer>\r\n"
    "    <Security UserID=\"S-1-5-21-1111-2222-3333-500\"/>\r\n"
    "  </System>\r\n"
    "  <EventData>\r\n"
    "    <Data Name=\"ServiceName\">PSEXESVC</Data>\r\n"
    "    <Data Name=\"ImagePath\">%SystemRoot%\\PSEXESVC.exe</Data>\r\n"
    "    <Data Name=\"ServiceType\">user mode service</Data>\r\n"
    "    <Data Name=\"StartType\">demand start</Data>\r\n"
    "    <Data Name=\"AccountName\">LocalSystem</Data>\r\n"
    "  </EventData>\r\n"
    "</Event>\r\n"
    "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\r\n"
    "  <System>\r\n"
    "    <Provider EventSourceName=\"Service Control Manager\"/>\r\n"
    "    <EventID Qualifiers=\"49152\">7034</EventID>\r\n"
    "    <TimeCreated SystemTime=\"2024-01-01T00:00:00Z\"/>\r\n"
    "    <EventRecordID>78</EventRecordID>\r\n"
    "    <Channel>System</Channel>\r\n"
    "    <Computer>FS01</Computer>\r\n"
    "  </System>\r\n"
    "  <EventData>\r\n"
    "    <Data>Backup Agent</Data>\r\n"
    "    <Data>3</Data>\r\n"
    "    <Binary>0A0B0C</Binary>\r\n"
    "  </EventData>\r\n"
    "</Event>\r\n"
    "</Events>\r\n";

static void test_saved(void)
{
    result r;
    read_str(&r, saved);
    CHECK_INT(r.format, KS_FORMAT_XML);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.errors + r.warnings, 0);
    CHECK_STR(r.ev[0], "7045/q16384/v0/l4/t0/o0/k0x8080000000000000/2023-12-31T23:59:59.999999900Z/"
                       "r77/p640:5400/System/FS01/Service Control Manager/"
                       "{555908d1-a6d7-4695-8e1e-26931d2012f4}/S-1-5-21-1111-2222-3333-500"
                       " | ServiceName=PSEXESVC | ImagePath=%SystemRoot%\\PSEXESVC.exe"
                       " | ServiceType=user mode service | StartType=demand start"
                       " | AccountName=LocalSystem");
    /* no Provider Name: EventSourceName; unnamed Data elements named after themselves */
    CHECK_STR(r.ev[1],
              "7034/q49152/v0/l0/t0/o0/k0x0/2024-01-01T00:00:00.000000000Z/r78/p0:0/System/"
              "FS01/Service Control Manager// | Data=Backup Agent | Data=3"
              " | Binary=0A0B0C");
    CHECK_INT(r.offset[0], strstr(saved, "<Event ") - saved);
    /* the declaration, <Events> and </Events> lines carry no event */
    CHECK_INT(r.stats.ignored, 3);
    result_free(&r);
}

/* Many events on one line, and one event over many lines */
static void test_one_line_many(void)
{
    ks_buf b = {0};
    ks_buf_puts(&b, "<?xml version='1.0'?><Events>");
    for (int i = 0; i < 250; i++)
        ks_buf_printf(&b,
                      "<Event " NS "><System><Provider Name='P'/><EventID>%d</EventID>"
                      "<TimeCreated SystemTime='2024-05-05T05:05:%02d.000000001Z'/>"
                      "<EventRecordID>%d</EventRecordID><Channel>C</Channel><Computer>H</Computer>"
                      "</System><EventData><Data Name='N'>v%d</Data></EventData></Event>",
                      4000 + i, i % 60, i + 1, i);
    ks_buf_puts(&b, "</Events>");
    result r;
    read_all(&r, b.data, b.len, KS_FORMAT_UNKNOWN);
    CHECK_INT(r.format, KS_FORMAT_XML);
    CHECK_INT(r.n, 250);
    CHECK_INT(r.errors + r.warnings, 0);
    int good = 0;
    for (int i = 0; i < r.n && i < 250; i++) {
        char want[256];
        snprintf(want, sizeof want,
                 "%d/q-/v0/l0/t0/o0/k0x0/2024-05-05T05:05:%02d.000000001Z/r%d/p0:0/C/H/P// | N=v%d",
                 4000 + i, i % 60, i + 1, i);
        good += strcmp(r.ev[i], want) == 0;
        if (i == 249) CHECK_STR(r.ev[i], want);
    }
    CHECK_INT(good, 250);
    /* the 100th event's offset is where its <Event is */
    const char *p = b.data;
    for (int i = 0; i < 100; i++) p = strstr(p + 1, "<Event ");
    CHECK_INT(r.offset[99], p - b.data);
    result_free(&r);
    ks_buf_free(&b);
}

/* wevtutil /f:RenderedXml: RenderingInfo is read past, not turned into fields */
static void test_rendered(void)
{
    const char *xml =
        "<Event " NS "><System><Provider Name='Microsoft-Windows-Security-Auditing' "
        "Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4688</EventID><Version>2</Version>"
        "<Level>0</Level><Task>13312</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</"
        "Keywords>"
        "<TimeCreated SystemTime='2024-02-02T10:00:00.000000000Z'/><EventRecordID>5</EventRecordID>"
        "<Correlation/><Execution ProcessID='4' ThreadID='8'/><Channel>Security</Channel>"
        "<Computer>pc1</Computer><Security/></System><EventData>"
        "<Data Name='NewProcessName'>C:\\Windows\\System32\\vssadmin.exe</Data>"
        "<Data Name='CommandLine'>vssadmin delete shadows /all /quiet</Data></EventData>"
        "<RenderingInfo Culture='en-US'><Message>A new process has been "
        "created.&#13;&#10;&#13;&#10;"
        "Creator Subject:</Message><Level>Information</Level><Task>Process Creation</Task>"
        "<Opcode>Info</Opcode><Channel>Security</Channel><Provider>Microsoft Windows security "
        "auditing.</Provider><Keywords><Keyword>Audit Success</Keyword></Keywords>"
        "</RenderingInfo></Event>";
    result r;
    read_str(&r, xml);
    CHECK_INT(r.n, 1);
    CHECK_INT(r.errors + r.warnings, 0);
    CHECK_STR(r.ev[0], "4688/q-/v2/l0/t13312/o0/k0x8020000000000000/2024-02-02T10:00:00.000000000Z/"
                       "r5/p4:8/Security/pc1/Microsoft-Windows-Security-Auditing/"
                       "{54849625-5478-4994-A5BA-3E3B0328C30D}/"
                       " | NewProcessName=C:\\Windows\\System32\\vssadmin.exe"
                       " | CommandLine=vssadmin delete shadows /all /quiet");
    result_free(&r);
}

/* UserData: the payload element's children are the fields (1102, 104), nested ones
 * flattened; an empty element is a NULL value, as the EVTX reader makes it */
static void test_userdata(void)
{
    const char *xml =
        "<Event " NS ">\n"
        " <System><Provider Name='Microsoft-Windows-Eventlog' "
        "Guid='{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}'/>\n"
        "  <EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task>"
        "<Opcode>0</Opcode><Keywords>0x4020000000000000</Keywords>\n"
        "  <TimeCreated SystemTime='2024-03-03T03:03:03.3Z'/><EventRecordID>9</EventRecordID>\n"
        "  <Channel>Security</Channel><Computer>dc1</Computer><Security/></System>\n"
        " <UserData>\n"
        "  <LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>\n"
        "   <SubjectUserSid>S-1-5-21-1-2-3-1104</SubjectUserSid>\n"
        "   <SubjectUserName>mallory</SubjectUserName>\n"
        "   <SubjectDomainName>HOSP</SubjectDomainName>\n"
        "   <SubjectLogonId>0x3e7</SubjectLogonId>\n"
        "   <Extra><Inner>deep</Inner><Empty/></Extra>\n"
        "   <BackupPath></BackupPath>\n"
        "  </LogFileCleared>\n"
        " </UserData>\n"
        "</Event>\n";
    result r;
    read_str(&r, xml);
    CHECK_INT(r.n, 1);
    CHECK_INT(r.errors + r.warnings, 0);
    CHECK_STR(r.ev[0], "1102/q-/v0/l4/t104/o0/k0x4020000000000000/2024-03-03T03:03:03.300000000Z/"
                       "r9/p0:0/Security/dc1/Microsoft-Windows-Eventlog/"
                       "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}/"
                       " | SubjectUserSid=S-1-5-21-1-2-3-1104 | SubjectUserName=mallory"
                       " | SubjectDomainName=HOSP | SubjectLogonId=0x3e7 | Inner=deep"
                       " | Empty=(null) | BackupPath=(null)");
    result_free(&r);
}

/* Entity and character references, CDATA, comments, and text over lines */
static void test_entities(void)
{
    const char *xml =
        "<Event><System><Provider Name='a&amp;b &quot;c&quot;'/><EventID>4104</EventID>"
        "<TimeCreated SystemTime='2024-01-01T00:00:00Z'/><Computer>h&#x41;&#66;</Computer>"
        "</System><EventData>"
        "<Data Name='Script'>&lt;script&gt; &amp; &apos;x&apos; &#x3042;&#128512; &bogus; & "
        "a</Data>"
        "<Data Name='C'><![CDATA[<raw> & stuff]]></Data>"
        "<Data Name='M'>a<!-- note -->b<![CDATA[c]]>d</Data>"
        "<Data Name='Bad'>&#0;&#xD800;&#x110000;</Data>"
        "<Data Name='Lines'>one\r\ntwo\nthree</Data>"
        "<Data Name='Sp'>  padded  </Data>"
        "</EventData></Event>\n";
    result r;
    read_str(&r, xml);
    CHECK_INT(r.n, 1);
    CHECK_INT(r.errors + r.warnings, 0);
    CHECK_STR(r.ev[0],
              "4104/q-/v0/l0/t0/o0/k0x0/2024-01-01T00:00:00.000000000Z/r0/p0:0//hAB/"
              "a&b \"c\"// | Script=<script> & 'x' \xe3\x81\x82\xf0\x9f\x98\x80 &bogus; & a"
              " | C=<raw> & stuff | M=abcd"
              " | Bad=\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
              " | Lines=one\r\ntwo\nthree | Sp=  padded  ");
    result_free(&r);
}

static const char ev_ok[] =
    "<Event " NS "><System><Provider Name='P'/><EventID>%d</EventID>"
    "<TimeCreated SystemTime='2024-01-01T00:00:00Z'/><EventRecordID>%d</EventRecordID>"
    "<Computer>H</Computer></System><EventData><Data Name='X'>%d</Data></EventData></Event>\n";

/* A file cut in the middle of its last event: reported (line, excerpt) and counted */
static void test_truncated(void)
{
    ks_buf b = {0};
    ks_buf_printf(&b, ev_ok, 1, 1, 1);
    ks_buf_printf(&b, ev_ok, 2, 2, 2);
    ks_buf_puts(&b, "<Event " NS ">\n<System><Provider Name='P'/><EventID>3</EventID>\n<Time");
    result r;
    read_all(&r, b.data, b.len, KS_FORMAT_UNKNOWN);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.errors, 1);
    CHECK_INT(r.warnings, 0);
    CHECK_INT(r.problem_line[0], 3);
    CHECK(strstr(r.problem[0], "ends before") != NULL);
    CHECK(strstr(r.problem[0], "[<Event xmlns=") != NULL);
    CHECK_INT(r.stats.skipped, 1);
    CHECK_INT(r.stats.events, 2);
    result_free(&r);
    ks_buf_free(&b);
}

/* Junk between events: a warning, the events around it still read; the tail of an
 * event whose start is missing is an error */
static void test_garbage(void)
{
    ks_buf b = {0};
    ks_buf_puts(&b, "PS C:\\> wevtutil qe Security /f:xml\n");
    ks_buf_printf(&b, ev_ok, 1, 1, 1);
    ks_buf_puts(&b, "some text that is not XML\nand more\n");
    ks_buf_printf(&b, ev_ok, 2, 2, 2);
    ks_buf_puts(&b, "<Data Name='X'>lost</Data></EventData></Event>");
    ks_buf_printf(&b, ev_ok, 3, 3, 3);
    result r;
    read_all(&r, b.data, b.len, KS_FORMAT_UNKNOWN);
    CHECK_INT(r.format, KS_FORMAT_XML);
    CHECK_INT(r.n, 3);
    CHECK_INT(r.warnings, 2);
    CHECK_INT(r.errors, 1);
    CHECK_INT(r.problem_line[0], 1);
    CHECK(strstr(r.problem[0], "[PS C:\\> wevtutil") != NULL);
    CHECK_INT(r.problem_line[1], 3);
    CHECK_INT(r.problem_line[2], 6);
    CHECK(strstr(r.problem[2], "</Event>") != NULL);
    CHECK_INT(r.stats.skipped, 1);
    for (int i = 0; i < r.n && i < 3; i++) {
        char want[128];
        snprintf(want, sizeof want,
                 "%d/q-/v0/l0/t0/o0/k0x0/2024-01-01T00:00:00.000000000Z/r%d/"
                 "p0:0//H/P// | X=%d",
                 i + 1, i + 1, i + 1);
        CHECK_STR(r.ev[i], want);
    }
    result_free(&r);
    ks_buf_free(&b);
}

/* Malformed events are reported and skipped; reading goes on at the next <Event */
static void test_malformed(void)
{
    ks_buf b = {0};
    ks_buf_printf(&b, ev_ok, 1, 1, 1);
    /* mismatched end tag */
    ks_buf_puts(&b, "<Event><System><EventID>2</EventID></Sys></System></Event>\n");
    /* '<' in an attribute value, then more of the broken event on the next line */
    ks_buf_puts(&b, "<Event><System><Provider Name='a<b'/>\n</System></Event>\n");
    /* cut short by the next event on the same line */
    ks_buf_puts(&b, "<Event><System><EventID>4</EventID>");
    ks_buf_printf(&b, ev_ok, 5, 5, 5);
    /* no System element */
    ks_buf_puts(&b, "<Event><EventData/></Event>\n");
    /* a bare '<' in text */
    ks_buf_puts(&b, "<Event><System><Computer>a < b</Computer></System></Event>\n");
    ks_buf_printf(&b, ev_ok, 7, 7, 7);
    result r;
    read_all(&r, b.data, b.len, KS_FORMAT_UNKNOWN);
    CHECK_INT(r.n, 3);
    CHECK_INT(r.errors, 5);
    CHECK_INT(r.warnings, 0);
    CHECK_INT(r.problem_line[0], 2);
    CHECK(strstr(r.problem[0], "does not match") != NULL);
    CHECK_INT(r.problem_line[1], 3);
    CHECK(strstr(r.problem[1], "attribute value") != NULL);
    CHECK_INT(r.problem_line[2], 5);
    CHECK(strstr(r.problem[2], "new Event") != NULL);
    CHECK_INT(r.problem_line[3], 6);
    CHECK(strstr(r.problem[3], "no System") != NULL);
    CHECK_INT(r.problem_line[4], 7);
    CHECK(r.ev[0] && strstr(r.ev[0], "/r1/") != NULL);
    CHECK(r.ev[1] && strstr(r.ev[1], "/r5/") != NULL);
    CHECK(r.ev[2] && strstr(r.ev[2], "/r7/") != NULL);
    CHECK_INT(r.stats.skipped, 5);
    result_free(&r);
    ks_buf_free(&b);
}

/* An event over the size limit is reported and passed over, on one line or many */
static void test_oversized(void)
{
    for (int lines = 0; lines < 2; lines++) {
        ks_buf b = {0};
        ks_buf_printf(&b, ev_ok, 1, 1, 1);
        ks_buf_puts(&b, "<Event><System><EventID>2</EventID></System><EventData><Data>");
        for (int i = 0; i < 5 * 1024; i++) {
            for (int k = 0; k < 1023; k++) ks_buf_putc(&b, 'a' + k % 26);
            ks_buf_putc(&b, lines ? '\n' : ' ');
        }
        ks_buf_puts(&b, "</Data></EventData></Event>\n");
        ks_buf_printf(&b, ev_ok, 3, 3, 3);
        result r;
        read_all(&r, b.data, b.len, KS_FORMAT_XML);
        CHECK_INT(r.n, 2);
        CHECK_INT(r.errors, 1);
        CHECK(strstr(r.problem[0], "4 MiB") != NULL);
        CHECK_INT(r.problem_line[0], 2);
        CHECK(r.ev[1] && strstr(r.ev[1], "/r3/") != NULL);
        result_free(&r);
        ks_buf_free(&b);
    }
}

/* The same events in UTF-16LE with a BOM (PowerShell's redirection writes that) */
static void test_utf16(void)
{
    size_t n = strlen(saved);
    uint8_t *u = malloc(2 + 2 * n);
    u[0] = 0xff, u[1] = 0xfe;
    for (size_t i = 0; i < n; i++) u[2 + 2 * i] = (uint8_t)saved[i], u[3 + 2 * i] = 0;
    result r, want;
    read_all(&r, (const char *)u, 2 + 2 * n, KS_FORMAT_UNKNOWN);
    read_str(&want, saved);
    CHECK_INT(r.format, KS_FORMAT_XML);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.errors + r.warnings, 0);
    for (int i = 0; i < 2 && i < r.n; i++) CHECK_STR(r.ev[i], want.ev[i]);
    /* offsets count the file's bytes: the BOM and two bytes a character */
    CHECK_INT(r.offset[0], 2 + 2 * (uint64_t)(strstr(saved, "<Event ") - saved));
    result_free(&r);
    result_free(&want);
    free(u);

    /* two events on one line, one with a character outside the BMP (4 bytes in both) */
    char one[4096];
    snprintf(one, sizeof one, "%s", wevtutil);
    char *alice = strstr(one, "alice");
    memcpy(alice,
           "\xf0\x9f\x98\x80"
           "e",
           5);
    n = strlen(one);
    u = malloc(2 + 2 * n);
    size_t un = 2;
    u[0] = 0xff, u[1] = 0xfe;
    for (size_t i = 0; i < n;) {
        if ((unsigned char)one[i] == 0xf0) { /* U+1F600 as a surrogate pair */
            memcpy(u + un, "\x3d\xd8\x00\xde", 4);
            un += 4, i += 4;
        } else {
            u[un++] = (uint8_t)one[i++], u[un++] = 0;
        }
    }
    read_all(&r, (const char *)u, un, KS_FORMAT_UNKNOWN);
    CHECK_INT(r.n, 2);
    CHECK(r.ev[0] && strstr(r.ev[0], "TargetUserName=\xf0\x9f\x98\x80"
                                     "e |") != NULL);
    CHECK_INT(r.offset[0], 2);
    /* 2 bytes a character before it, but 4 (not 8) for the four UTF-8 bytes of U+1F600 */
    CHECK_INT(r.offset[1], 2 + 2 * (uint64_t)(strstr(one + 1, "<Event ") - one) - 4);
    result_free(&r);
    free(u);
}

static void test_sniff(void)
{
    static const struct {
        const char *text;
        ks_format want;
    } cases[] = {
        {"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n<Event xmlns=\"x\">",
         KS_FORMAT_XML},
        {"<?xml version='1.0'?><!-- saved --><Events><Event>", KS_FORMAT_XML},
        {"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>",
         KS_FORMAT_XML},
        {"<Event><System><EventID>1</EventID></System></Event>", KS_FORMAT_XML},
        {"header line\n  <Event xmlns='x'>\n", KS_FORMAT_XML},
        {"<?xml version='1.0'?><config><Eventful/></config>", KS_FORMAT_UNKNOWN},
        {"<Eventlog>\n", KS_FORMAT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ks_format f = ks_format_detect(cases[i].text, strlen(cases[i].text), NULL);
        if (cases[i].want == KS_FORMAT_XML)
            CHECK_INT(f, KS_FORMAT_XML);
        else
            CHECK(f != KS_FORMAT_XML);
    }
}

/* Hostile shapes end cleanly: deep nesting, huge attribute lists, stray bytes */
static void test_hostile(void)
{
    ks_buf b = {0};
    ks_buf_puts(&b, "<Event><System><EventID>1</EventID></System><UserData>");
    for (int i = 0; i < 100; i++) ks_buf_puts(&b, "<a>");
    for (int i = 0; i < 100; i++) ks_buf_puts(&b, "</a>");
    ks_buf_puts(&b, "</UserData></Event>\n");
    /* nesting within the limit: UserData flattened to depth 8, as the EVTX reader does */
    ks_buf_puts(&b, "<Event><System><EventID>2</EventID></System><UserData><P>");
    for (int i = 0; i < 12; i++) ks_buf_printf(&b, "<L%d>", i);
    ks_buf_puts(&b, "x");
    for (int i = 11; i >= 0; i--) ks_buf_printf(&b, "</L%d>", i);
    ks_buf_puts(&b, "</P></UserData></Event>\n");
    ks_buf_puts(&b, "\x01\xff\xfe<Eventful>\n");
    result r;
    read_all(&r, b.data, b.len, KS_FORMAT_XML);
    CHECK_INT(r.n, 1);
    CHECK(r.ev[0] && strstr(r.ev[0], " | L8=(null)") != NULL);
    CHECK_INT(r.errors, 1);
    CHECK_INT(r.warnings, 2); /* event 2 has no TimeCreated; the stray bytes */
    CHECK(strstr(r.problem[1], "TimeCreated") != NULL);
    CHECK_INT(r.problem_line[2], 3);
    CHECK(strstr(r.problem[0], "nested too deeply") != NULL);
    result_free(&r);
    ks_buf_free(&b);
}

int main(void)
{
    test_wevtutil();
    test_saved();
    test_one_line_many();
    test_rendered();
    test_userdata();
    test_entities();
    test_truncated();
    test_garbage();
    test_malformed();
    test_oversized();
    test_utf16();
    test_sniff();
    test_hostile();
    return ks_test_done();
}
