/* Sigma rules on synthetic rules and events: every modifier, wildcards and escapes,
 * null, keywords, conditions, the literal tries and regular expressions' needed
 * literals, logsource mapping (4688 field names), the index, correlation rules (every
 * type and condition operator, timespan edges, group-by keys apart, aliases, generate,
 * correlations of correlations), and the load report's reasons for rules that cannot
 * be loaded. Each case is a rule, an event and the expected result. */
#include <string.h>

#include "harness.h"
#include "kensa/detect.h"
#include "kensa/sigma.h"

#define MAXF 12

typedef struct tev {
    ks_event ev;
    ks_field f[MAXF];
} tev;

/* An event of channel/provider/id with fields given as "Name=Value" strings. */
static void mk(tev *t, const char *channel, uint32_t eid, const char *const *kv)
{
    memset(t, 0, sizeof *t);
    t->ev.channel = (ks_str){channel, strlen(channel)};
    t->ev.provider = (ks_str){"Test-Provider", 13};
    t->ev.host = (ks_str){"HOST1", 5};
    t->ev.event_id = eid;
    size_t n = 0;
    for (; kv && kv[n] && n < MAXF; n++) {
        const char *eq = strchr(kv[n], '=');
        t->f[n].name = (ks_str){kv[n], (size_t)(eq - kv[n])};
        t->f[n].value = (ks_value){(const uint8_t *)eq + 1, (uint32_t)strlen(eq + 1), KS_VT_UTF8};
    }
    t->ev.fields = t->f;
    t->ev.nfields = n;
}

static const char HEAD[] = "title: t\nid: r\nlogsource:\n  product: windows\n  service: security\n"
                           "detection:\n";

/* Load `detection` (indented by 4) under a security-service rule; match ev. */
static int run(const char *detection, const tev *t)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s%s", HEAD, detection);
    ks_sigma_rules *r = NULL;
    ks_sigma_matcher *m = NULL;
    int out = -1;
    if (ks_sigma_open(&r) != KS_OK) return -1;
    if (ks_sigma_load_mem(r, yaml, strlen(yaml), "inline") == 1 &&
        ks_sigma_matcher_open(&m, r) == KS_OK)
        out = ks_sigma_match_rule(m, 0, &t->ev);
    else if (ks_sigma_get_report(r)->failed)
        fprintf(stderr, "not loaded: %s\n", ks_sigma_get_report(r)->failures[0].reason);
    ks_sigma_matcher_close(&m);
    ks_sigma_close(&r);
    return out;
}

/* The reason a rule is not loaded ("" when it loads). */
static char reason[512];
static const char *why(const char *yaml)
{
    ks_sigma_rules *r = NULL;
    reason[0] = 0;
    if (ks_sigma_open(&r) != KS_OK) return "open";
    ks_sigma_load_mem(r, yaml, strlen(yaml), "bad.yml");
    const ks_sigma_report *rep = ks_sigma_get_report(r);
    if (rep->failed) snprintf(reason, sizeof reason, "%s", rep->failures[0].reason);
    ks_sigma_close(&r);
    return reason;
}

static void test_values(void)
{
    tev t;
    const char *kv[] = {"Image=C:\\Windows\\System32\\CMD.exe",
                        "CommandLine=cmd.exe /c whoami /all",
                        "ParentImage=C:\\Windows\\explorer.exe",
                        "IpAddress=10.1.2.3",
                        "LogonType=10",
                        "SubjectUserName=alice",
                        "TargetUserName=ALICE",
                        "Star=a*b",
                        "Empty=",
                        NULL};
    mk(&t, "Security", 4688, kv);
    /* equality is case-insensitive; a backslash before a plain letter is itself */
    CHECK_INT(run("  s:\n    Image: 'c:\\windows\\system32\\cmd.exe'\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Image: 'cmd.exe'\n  condition: s\n", &t), 0);
    /* wildcards, ? for one character, escaped \* literal */
    CHECK_INT(run("  s:\n    Image: '*\\cmd.exe'\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Image: 'C:\\Windows\\System3?\\cmd.exe'\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Image: 'C:\\Windows\\System?\\cmd.exe'\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    Star: 'a\\*b'\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Star: 'a\\*c'\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    Star: 'a*'\n  condition: s\n", &t), 1);
    /* contains, startswith, endswith; lists are or, |all is and */
    CHECK_INT(
        run("  s:\n    CommandLine|contains:\n      - nothing\n      - whoami\n  condition: s\n",
            &t),
        1);
    CHECK_INT(
        run("  s:\n    CommandLine|contains|all:\n      - whoami\n      - /all\n  condition: s\n",
            &t),
        1);
    CHECK_INT(
        run("  s:\n    CommandLine|contains|all:\n      - whoami\n      - /none\n  condition: s\n",
            &t),
        0);
    CHECK_INT(run("  s:\n    CommandLine|startswith: 'CMD.EXE '\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    CommandLine|endswith: 'whoami'\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    CommandLine|endswith: ' /ALL'\n  condition: s\n", &t), 1);
    /* map entries are and */
    CHECK_INT(run("  s:\n    Image|endswith: cmd.exe\n    LogonType: 3\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    Image|endswith: cmd.exe\n    LogonType: 10\n  condition: s\n", &t), 1);
    /* null: absent or empty */
    CHECK_INT(run("  s:\n    Missing: null\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Empty: null\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Image: null\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    Empty: ''\n  condition: s\n", &t), 1);
    /* re: case-sensitive unless |i */
    CHECK_INT(run("  s:\n    CommandLine|re: 'who[a-z]+ /all$'\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Image|re: 'cmd\\.exe$'\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    Image|re|i: 'cmd\\.exe$'\n  condition: s\n", &t), 1);
    /* cased */
    CHECK_INT(run("  s:\n    Image|cased|endswith: 'CMD.exe'\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Image|cased|endswith: 'cmd.exe'\n  condition: s\n", &t), 0);
    /* windash: -, /, en dash, em dash, horizontal bar */
    CHECK_INT(run("  s:\n    CommandLine|windash|contains: ' -c '\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    CommandLine|contains: ' -c '\n  condition: s\n", &t), 0);
    /* cidr */
    CHECK_INT(run("  s:\n    IpAddress|cidr: 10.0.0.0/8\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    IpAddress|cidr:\n      - 192.168.0.0/16\n      - 10.1.2.0/25\n"
                  "  condition: s\n",
                  &t),
              1);
    CHECK_INT(run("  s:\n    IpAddress|cidr: 10.1.3.0/24\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    IpAddress|cidr: 'fe80::/10'\n  condition: s\n", &t), 0);
    /* numbers */
    CHECK_INT(run("  s:\n    LogonType|gte: 10\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    LogonType|gt: 10\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    LogonType|lt: 11\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    LogonType|lte: 9\n  condition: s\n", &t), 0);
    /* exists */
    CHECK_INT(run("  s:\n    Image|exists: true\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Missing|exists: true\n  condition: s\n", &t), 0);
    CHECK_INT(run("  s:\n    Missing|exists: false\n  condition: s\n", &t), 1);
    /* fieldref (case-insensitive unless cased) */
    CHECK_INT(run("  s:\n    TargetUserName|fieldref: SubjectUserName\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    TargetUserName|fieldref|cased: SubjectUserName\n  condition: s\n", &t),
              0);
    CHECK_INT(run("  s:\n    Image|fieldref: ParentImage\n  condition: s\n", &t), 0);
    /* System fields by their names */
    CHECK_INT(run("  s:\n    EventID: 4688\n    Channel: security\n  condition: s\n", &t), 1);
    CHECK_INT(
        run("  s:\n    Computer: host1\n    Provider_Name: test-provider\n  condition: s\n", &t),
        1);
    /* keyword lists: anywhere in any field */
    CHECK_INT(run("  keywords:\n    - 'nothing here'\n    - 'WHOAMI'\n  condition: keywords\n", &t),
              1);
    CHECK_INT(run("  keywords:\n    - 'mimikatz'\n  condition: keywords\n", &t), 0);
    /* expand without a site file matches nothing */
    CHECK_INT(run("  s:\n    Image|expand: '%Admins%'\n  condition: s\n", &t), 0);
}

/* The automata: literal positions where texts and literals overlap, and regular
 * expressions whose needed literal is found first (and must never hide a match). */
static void test_automata(void)
{
    tev t;
    const char *kv[] = {"A=aaab", "B=xabcabc", "C=C:\\Tools\\KERBEROS.exe -x",
                        "D=\xe2\x84\xaa"
                        "erberos",
                        NULL};
    mk(&t, "Security", 4688, kv);
#define ONE(field_mod, value) "  s:\n    " field_mod ": '" value "'\n  condition: s\n"
    CHECK_INT(run(ONE("A|endswith", "aab"), &t), 1); /* found through a failure link */
    CHECK_INT(run(ONE("A|startswith", "aab"), &t), 0);
    CHECK_INT(run(ONE("A|startswith", "aa"), &t), 1);
    CHECK_INT(run(ONE("A", "aab"), &t), 0);
    CHECK_INT(run(ONE("A", "AAAB"), &t), 1);
    CHECK_INT(run(ONE("B|startswith", "abc"), &t), 0);
    CHECK_INT(run(ONE("B|endswith", "cabc"), &t), 1);
    CHECK_INT(run(ONE("B|contains", "bca"), &t), 1);
    /* several values on one field, one of them a wildcard (not a literal) */
    CHECK_INT(run("  s:\n    B|endswith:\n      - zzz\n      - 'a*c'\n  condition: s\n", &t), 1);
    /* regular expressions: optional, repeated and grouped parts take no literal */
    CHECK_INT(run(ONE("C|re", "Tools\\\\K?ERBEROS"), &t), 1);
    CHECK_INT(run(ONE("C|re", "Tools\\\\X?KERBEROS"), &t), 1);
    CHECK_INT(run(ONE("C|re", "Tools\\\\X{0,2}KERBEROS\\.exe"), &t), 1);
    CHECK_INT(run(ONE("C|re", "Too+ls.{0,3}KERBE(?:ROS|XX)"), &t), 1);
    CHECK_INT(run(ONE("C|re", "nothing|KERBEROS"), &t), 1); /* top-level or: none needed */
    CHECK_INT(run(ONE("C|re", "KERBEROS\\.dll"), &t), 0);
    CHECK_INT(run(ONE("C|re", "kerberos"), &t), 0); /* case-sensitive */
    CHECK_INT(run(ONE("C|re|i", "kerberos"), &t), 1);
    CHECK_INT(run(ONE("C|re", "(?i)tools\\\\kerberos"), &t), 1);
    CHECK_INT(run(ONE("C|re", "[A-Z]:\\\\Tools\\\\[A-Z]+\\.exe -x$"), &t), 1);
    /* caseless K also matches the Kelvin sign (U+212A), which no literal finds */
    CHECK_INT(run(ONE("D|re|i", "kerberos"), &t), 1);
#undef ONE
}

static void test_encodings(void)
{
    tev t;
    const char *kv[] = {"CommandLine=powershell -e eHhJRVggKE5ldy1PYmplY3QgTmV0LldlYkNsaWVudCk=",
                        "ScriptBlockText=x SQBFAFgAIAAoAE4AZQB3AA== y",
                        "Payload=SW52b2tlLU1pbWlrYXR6", NULL};
    mk(&t, "Security", 1, kv);
    /* base64offset finds "IEX (New-Object" at an offset of 2 in the encoded stream */
    CHECK_INT(run("  s:\n    CommandLine|base64offset|contains: 'IEX (New-Object'\n"
                  "  condition: s\n",
                  &t),
              1);
    CHECK_INT(run("  s:\n    CommandLine|base64offset|contains: 'Invoke-Expression'\n"
                  "  condition: s\n",
                  &t),
              0);
    /* UTF-16LE then base64 (PowerShell -EncodedCommand) */
    CHECK_INT(run("  s:\n    ScriptBlockText|wide|base64offset|contains: 'IEX (New'\n"
                  "  condition: s\n",
                  &t),
              1);
    CHECK_INT(run("  s:\n    ScriptBlockText|utf16le|base64offset|contains: 'IEX (New'\n"
                  "  condition: s\n",
                  &t),
              1);
    CHECK_INT(run("  s:\n    ScriptBlockText|utf16be|base64offset|contains: 'IEX (New'\n"
                  "  condition: s\n",
                  &t),
              0);
    CHECK_INT(run("  s:\n    Payload|base64: 'Invoke-Mimikatz'\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    Payload|base64|contains: 'Invoke-Mimi'\n  condition: s\n", &t), 0);
}

static void test_conditions(void)
{
    tev t;
    const char *kv[] = {"A=1", "B=2", "C=3", NULL};
    mk(&t, "Security", 1, kv);
    const char *sels = "  sel_a:\n    A: 1\n  sel_b:\n    B: 2\n  sel_x:\n    C: 9\n"
                       "  filter:\n    C: 3\n  _private:\n    A: 7\n";
    static const struct {
        const char *cond;
        int want;
    } cases[] = {
        {"sel_a and sel_b", 1},
        {"sel_a and sel_x", 0},
        {"sel_a or sel_x", 1},
        {"sel_a and not filter", 0},
        {"sel_a and not sel_x", 1},
        {"not (sel_x or filter)", 0},
        {"(sel_a or sel_x) and (sel_b and filter)", 1},
        {"1 of sel_*", 1},
        {"all of sel_*", 0},
        {"all of sel_a*", 1},
        {"1 of them", 1},
        {"all of them", 0},
        {"all of them or _private", 0},
        {"not 1 of sel_x*", 1},
        {"sel_a and sel_b and filter and not sel_x", 1},
        {"sel_x or sel_a and sel_b", 1}, /* and binds tighter than or */
        {"NOT sel_a OR sel_x", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char det[1024];
        snprintf(det, sizeof det, "%s  condition: %s\n", sels, cases[i].cond);
        int got = run(det, &t);
        if (got != cases[i].want) fprintf(stderr, "condition \"%s\"\n", cases[i].cond);
        CHECK_INT(got, cases[i].want);
    }
    /* a list of conditions is or; a list of maps is or */
    CHECK_INT(run("  a:\n    A: 5\n  b:\n    B: 2\n  condition:\n    - a\n    - b\n", &t), 1);
    CHECK_INT(run("  s:\n    - A: 5\n    - B: 2\n  condition: s\n", &t), 1);
    CHECK_INT(run("  s:\n    - A: 5\n    - B: 5\n  condition: s\n", &t), 0);
}

static int hits;
static void count(void *ctx, size_t rule, const ks_event *ev)
{
    (void)ctx;
    (void)rule;
    (void)ev;
    hits++;
}

static void test_logsource(void)
{
    static const char rule[] =
        "title: cmd\nid: p1\nlevel: high\ntags:\n  - attack.t1490\n  - attack.t1059.003\n"
        "logsource:\n  product: windows\n  category: process_creation\n"
        "detection:\n  s:\n    Image|endswith: '\\cmd.exe'\n    ParentImage|endswith: "
        "'\\explorer.exe'\n  condition: s\n---\n"
        "title: failures\nid: p2\nlogsource:\n  product: windows\n  service: security\n"
        "detection:\n  s:\n    EventID: 4625\n  condition: s\n---\n"
        "title: macro\nid: p3\ntags:\n  - attack.execution\n  - attack.t1204.002\n"
        "logsource:\n  product: windows\n  category: process_creation\n"
        "detection:\n  s:\n    ParentImage|endswith: '\\winword.exe'\n  condition: s\n";
    ks_sigma_rules *r = NULL;
    ks_sigma_matcher *m = NULL;
    CHECK(ks_sigma_open(&r) == KS_OK);
    CHECK_INT(ks_sigma_load_mem(r, rule, strlen(rule), "two.yml"), 3);
    CHECK(ks_sigma_matcher_open(&m, r) == KS_OK);
    const ks_sigma_rule_info *info = ks_sigma_rule_at(r, 0);
    CHECK_STR(info->id, "p1");
    CHECK_INT(info->level, KS_LEVEL_HIGH);
    CHECK_STR(info->category, "process_creation");
    CHECK_STR(info->detector.categories[0], "sigma");
    CHECK_STR(info->detector.categories[1], "inhibit_recovery");
    CHECK_STR(info->detector.attack, "T1490 T1059.003");
    /* a macro document starting a program: the category of such findings */
    CHECK_STR(ks_sigma_rule_at(r, 2)->detector.categories[1], "policy_violation");
    tev t;
    const char *sysmon[] = {"Image=C:\\Windows\\System32\\cmd.exe",
                            "ParentImage=C:\\Windows\\explorer.exe", NULL};
    const char *sec4688[] = {"NewProcessName=C:\\Windows\\System32\\cmd.exe",
                             "ParentProcessName=C:\\Windows\\explorer.exe", NULL};
    hits = 0;
    mk(&t, "Microsoft-Windows-Sysmon/Operational", 1, sysmon);
    ks_sigma_match(m, &t.ev, count, NULL);
    CHECK_INT(hits, 1);
    mk(&t, "Microsoft-Windows-Sysmon/Operational", 3, sysmon); /* not process creation */
    ks_sigma_match(m, &t.ev, count, NULL);
    CHECK_INT(hits, 1);
    mk(&t, "Security", 4688, sec4688); /* 4688's names stand for Sysmon's */
    ks_sigma_match(m, &t.ev, count, NULL);
    CHECK_INT(hits, 2);
    mk(&t, "Application", 4688, sec4688);
    ks_sigma_match(m, &t.ev, count, NULL);
    CHECK_INT(hits, 2);
    /* a service rule naming EventID is offered only those events */
    mk(&t, "Security", 4625, NULL);
    CHECK_INT(ks_sigma_match(m, &t.ev, count, NULL), 1);
    mk(&t, "Security", 4624, NULL);
    CHECK_INT(ks_sigma_match(m, &t.ev, count, NULL), 0);
    mk(&t, "System", 4625, NULL);
    CHECK_INT(ks_sigma_match(m, &t.ev, count, NULL), 0);
    ks_sigma_matcher_close(&m);
    ks_sigma_close(&r);
}

static void test_failures(void)
{
    char y[2048];
#define RULE(det) (snprintf(y, sizeof y, "%s%s", HEAD, det), y)
    CHECK(strstr(why(RULE("  s:\n    A|nosuch: 1\n  condition: s\n")),
                 "unknown modifier \"nosuch\""));
    CHECK(strstr(why(RULE("  s:\n    A: 1\n  condition: s and t\n")),
                 "\"t\", which is not a selection"));
    CHECK(strstr(why(RULE("  s:\n    A: 1\n")), "no condition"));
    CHECK(strstr(why(RULE("  s:\n    A|re: '(unclosed'\n  condition: s\n")), "regular expression"));
    CHECK(strstr(why(RULE("  s:\n    A: 1\n  condition: s | count() > 5\n")), "aggregation"));
    CHECK(strstr(why(RULE("  s:\n    A|cidr: 10.0.0.0/33\n  condition: s\n")), "bad cidr"));
    CHECK(strstr(why(RULE("  s:\n    A|gt: many\n  condition: s\n")), "need a number"));
    CHECK(strstr(why(RULE("  s:\n    A: 1\n  condition: (s\n")), "( without )"));
    CHECK(strstr(why(RULE("  s:\n    A: 1\n  condition: 1 of x*\n")), "no selection matches"));
    CHECK(strstr(why("title: x\ndetection: [1\n"), "YAML"));
    CHECK(strstr(why("detection:\n  s:\n    A: 1\n  condition: s\n"), "no title"));
    CHECK(strstr(why("title: c\ncorrelation:\n  type: event_count\n"), "timespan"));
    CHECK_STR(why(RULE("  s:\n    A: 1\n  condition: s\n")), "");
    /* the report counts rules and names files */
    ks_sigma_rules *r = NULL;
    CHECK(ks_sigma_open(&r) == KS_OK);
    RULE("  s:\n    A: 1\n  condition: s\n");
    ks_sigma_load_mem(r, y, strlen(y), "good.yml");
    RULE("  s:\n    A|bad: 1\n  condition: s\n");
    ks_sigma_load_mem(r, y, strlen(y), "bad.yml");
    const ks_sigma_report *rep = ks_sigma_get_report(r);
    CHECK_INT(rep->loaded, 1);
    CHECK_INT(rep->failed, 1);
    CHECK_STR(rep->failures[0].file, "bad.yml");
    CHECK(strstr(rep->failures[0].reason, "\"t\": selection s: unknown modifier") != NULL);
    ks_sigma_close(&r);
#undef RULE
}

/* --- correlation rules ----------------------------------------------------------- */

static const char CORR_BASE[] = "title: failed logon\nid: base-fail\nname: failed_logon\n"
                                "logsource:\n  product: windows\n  service: security\n"
                                "detection:\n  s:\n    EventID: 4625\n  condition: s\n---\n"
                                "title: logon\nid: base-ok\nname: logon\n"
                                "logsource:\n  product: windows\n  service: security\n"
                                "detection:\n  s:\n    EventID: 4624\n  condition: s\n---\n"
                                "title: special privileges\nid: base-priv\n"
                                "logsource:\n  product: windows\n  service: security\n"
                                "detection:\n  s:\n    EventID: 4672\n  condition: s\n---\n";

static char fired[64];
static int64_t fired_at; /* the event time of the last call */

static void on_fire(void *ctx, size_t rule, const ks_event *ev)
{
    const ks_sigma_rules *r = ctx;
    fired_at = ev->time_ns;
    size_t n = strlen(fired);
    snprintf(fired + n, sizeof fired - n, "%s%s", n ? "," : "", ks_sigma_rule_at(r, rule)->id);
}

typedef struct step {
    uint32_t eid;
    const char *ip, *user;
    int64_t t_s;
} step;

/* Run the steps; out gets, per event, what fired ("-" for nothing), joined by ' '. */
static void run_corr(const char *corr, const step *steps, size_t n, char *out, size_t cap)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s%s", CORR_BASE, corr);
    ks_sigma_rules *r = NULL;
    ks_sigma_matcher *m = NULL;
    out[0] = 0;
    if (ks_sigma_open(&r) != KS_OK) return;
    ks_sigma_load_mem(r, yaml, strlen(yaml), "corr.yml");
    if (ks_sigma_get_report(r)->failed)
        snprintf(out, cap, "not loaded: %s", ks_sigma_get_report(r)->failures[0].reason);
    else if (ks_sigma_matcher_open(&m, r) == KS_OK)
        for (size_t i = 0; i < n; i++) {
            char ip[64], user[64];
            snprintf(ip, sizeof ip, "IpAddress=%s", steps[i].ip);
            snprintf(user, sizeof user, "TargetUserName=%s", steps[i].user);
            const char *kv[] = {ip, user, NULL};
            tev t;
            mk(&t, "Security", steps[i].eid, kv);
            t.ev.time_ns = steps[i].t_s * INT64_C(1000000000);
            fired[0] = 0;
            ks_sigma_match(m, &t.ev, on_fire, r);
            size_t len = strlen(out);
            snprintf(out + len, cap - len, "%s%s", i ? " " : "", fired[0] ? fired : "-");
        }
    if (m) { /* the end of the file closes the windows of bounded conditions */
        fired[0] = 0;
        size_t calls = ks_sigma_matcher_flush(m, on_fire, r), len = strlen(out);
        if (calls) snprintf(out + len, cap - len, " end:%s", fired);
    }
    ks_sigma_matcher_close(&m);
    ks_sigma_close(&r);
}

#define RUN(corr, steps, want)                                                                     \
    do {                                                                                           \
        char out_[512];                                                                            \
        run_corr(corr, steps, sizeof steps / sizeof steps[0], out_, sizeof out_);                  \
        CHECK_STR(out_, want);                                                                     \
    } while (0)

static void test_correlation(void)
{
    static const char count[] = "title: many failures\nid: C\ncorrelation:\n  type: event_count\n"
                                "  rules:\n    - failed_logon\n  group-by:\n    - IpAddress\n"
                                "  timespan: 5m\n  condition:\n    gte: 3\nlevel: high\n";
    /* three in five minutes: fires on the third; the base rule reports nothing itself */
    static const step burst[] = {{4625, "1.1.1.1", "a", 0},
                                 {4625, "1.1.1.1", "a", 60},
                                 {4625, "1.1.1.1", "a", 120},
                                 {4625, "1.1.1.1", "a", 130}};
    RUN(count, burst, "- - C -");
    /* every two within five minutes, but never three: no finding until three fit */
    static const step spread[] = {{4625, "1.1.1.1", "a", 0},
                                  {4625, "1.1.1.1", "a", 240},
                                  {4625, "1.1.1.1", "a", 480},
                                  {4625, "1.1.1.1", "a", 720},
                                  {4625, "1.1.1.1", "a", 730}};
    RUN(count, spread, "- - - - C");
    /* exactly the timespan apart still counts; one second more does not */
    static const step edge[] = {{4625, "1.1.1.1", "a", 0},   {4625, "1.1.1.1", "a", 100},
                                {4625, "1.1.1.1", "a", 300}, {4625, "2.2.2.2", "a", 0},
                                {4625, "2.2.2.2", "a", 100}, {4625, "2.2.2.2", "a", 301}};
    RUN(count, edge, "- - C - - -");
    /* two keys interleaved are kept apart */
    static const step inter[] = {{4625, "1.1.1.1", "a", 0}, {4625, "2.2.2.2", "a", 1},
                                 {4625, "1.1.1.1", "a", 2}, {4625, "2.2.2.2", "a", 3},
                                 {4625, "1.1.1.1", "a", 4}, {4625, "2.2.2.2", "a", 5}};
    RUN(count, inter, "- - - - C C");
    /* other events do not count */
    static const step other[] = {{4625, "1.1.1.1", "a", 0},
                                 {4624, "1.1.1.1", "a", 1},
                                 {4625, "1.1.1.1", "a", 2},
                                 {4625, "1.1.1.1", "a", 3}};
    RUN(count, other, "- base-ok - C"); /* base-ok feeds no correlation here */

    static const char values[] =
        "title: spray\nid: V\ncorrelation:\n  type: value_count\n  rules: base-fail\n"
        "  group-by: [IpAddress]\n  timespan: 5m\n  condition:\n    field: TargetUserName\n"
        "    gt: 2\n";
    static const step spray[] = {{4625, "1.1.1.1", "a", 0},
                                 {4625, "1.1.1.1", "a", 10},
                                 {4625, "1.1.1.1", "b", 20},
                                 {4625, "2.2.2.2", "c", 25},
                                 {4625, "1.1.1.1", "c", 30}};
    RUN(values, spray, "- - - - V");
    static const step slow[] = {{4625, "1.1.1.1", "a", 0},
                                {4625, "1.1.1.1", "b", 200},
                                {4625, "1.1.1.1", "c", 400},
                                {4625, "1.1.1.1", "d", 410}};
    RUN(values, slow, "- - - V");

    static const char temporal[] = "title: both\nid: T\ncorrelation:\n  type: temporal\n"
                                   "  rules: [logon, base-priv]\n  group-by: [TargetUserName]\n"
                                   "  timespan: 1m\n";
    static const step any_order[] = {
        {4672, "x", "bob", 0}, {4624, "x", "ann", 10}, {4624, "x", "bob", 20}};
    RUN(temporal, any_order, "- - T");
    static const step too_far[] = {{4672, "x", "bob", 0}, {4624, "x", "bob", 61}};
    RUN(temporal, too_far, "- -");

    static const char ordered[] = "title: in order\nid: O\ncorrelation:\n"
                                  "  type: temporal_ordered\n  rules: [failed_logon, logon]\n"
                                  "  group-by: [TargetUserName]\n  timespan: 1m\n";
    static const step right[] = {{4625, "x", "bob", 0}, {4624, "x", "bob", 30}};
    RUN(ordered, right, "- O");
    static const step wrong[] = {{4624, "x", "bob", 0}, {4625, "x", "bob", 30}};
    RUN(ordered, wrong, "- -");
    static const step late[] = {{4625, "x", "bob", 0}, {4624, "x", "bob", 61}};
    RUN(ordered, late, "- -");

    /* what cannot be loaded says why */
    static const char missing[] = "title: m\nid: M\ncorrelation:\n  type: event_count\n"
                                  "  rules: [no_such_rule]\n  timespan: 5m\n  condition:\n"
                                  "    gte: 2\n";
    static const step none[] = {{4625, "x", "a", 0}};
    RUN(missing, none,
        "not loaded: \"m\": correlation names rule \"no_such_rule\", which is not loaded");
    static const char badspan[] = "title: b\nid: B\ncorrelation:\n  type: event_count\n"
                                  "  rules: [logon]\n  timespan: soon\n  condition:\n    gte: 2\n";
    RUN(badspan, none, "not loaded: \"b\": correlation needs a timespan such as 5m (s, m, h or d)");
}

/* Conditions with an upper bound (lt, lte, eq, neq, ranges): windows anchored at their
 * first event, judged when an event of the same key falls beyond the timespan or the
 * file ends ("end:"). */
static void test_correlation_bounds(void)
{
#define COUNT_RULE(cond)                                                                           \
    "title: c\nid: E\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n"                \
    "  group-by: [IpAddress]\n  timespan: 5m\n  condition:\n" cond
    static const char eq3[] = COUNT_RULE("    eq: 3\n");
    static const step three[] = {
        {4625, "1.1.1.1", "a", 0}, {4625, "1.1.1.1", "a", 10}, {4625, "1.1.1.1", "a", 20}};
    RUN(eq3, three, "- - - end:E");
    static const step four[] = {{4625, "1.1.1.1", "a", 0},
                                {4625, "1.1.1.1", "a", 10},
                                {4625, "1.1.1.1", "a", 20},
                                {4625, "1.1.1.1", "a", 30}};
    RUN(eq3, four, "- - - -");
    /* a window holds events at most the timespan apart: 0..300 is one, 301 opens the
     * next (301, 302 and 601 fit in one again), and the first window is judged then,
     * on its last event's time */
    static const step edge[] = {{4625, "1.1.1.1", "a", 0},   {4625, "1.1.1.1", "a", 150},
                                {4625, "1.1.1.1", "a", 300}, {4625, "1.1.1.1", "a", 301},
                                {4625, "1.1.1.1", "a", 302}, {4625, "1.1.1.1", "a", 601}};
    RUN(eq3, edge, "- - - E - - end:E");
    CHECK(fired_at == 601 * INT64_C(1000000000));
    {
        char out[256];
        run_corr(eq3, edge, 4, out, sizeof out);
        CHECK_STR(out, "- - - E");
        CHECK(fired_at == 300 * INT64_C(1000000000));
    }
    /* lt: fewer than three per key; keys interleaved are judged apart */
    static const char lt3[] = COUNT_RULE("    lt: 3\n");
    static const step inter[] = {{4625, "1.1.1.1", "a", 0},
                                 {4625, "2.2.2.2", "a", 1},
                                 {4625, "1.1.1.1", "a", 2},
                                 {4625, "2.2.2.2", "a", 3},
                                 {4625, "1.1.1.1", "a", 4}};
    RUN(lt3, inter, "- - - - - end:E");
    static const char lte2[] = COUNT_RULE("    lte: 2\n");
    static const step two_then_one[] = {
        {4625, "1.1.1.1", "a", 0}, {4625, "1.1.1.1", "a", 60}, {4625, "1.1.1.1", "a", 400}};
    RUN(lte2, two_then_one, "- - E end:E");
    /* a range: more than one and at most three */
    static const char range[] = COUNT_RULE("    gt: 1\n    lte: 3\n");
    static const step one_two[] = {
        {4625, "1.1.1.1", "a", 0}, {4625, "2.2.2.2", "a", 0}, {4625, "2.2.2.2", "a", 30}};
    RUN(range, one_two, "- - - end:E");
    static const char neq2[] = COUNT_RULE("    neq: 2\n");
    RUN(neq2, one_two, "- - - end:E");
    RUN(neq2, three, "- - - end:E");
    /* value_count with a bound: exactly two distinct users per address */
    static const char v2[] =
        "title: v\nid: V2\ncorrelation:\n  type: value_count\n  rules: [failed_logon]\n"
        "  group-by: [IpAddress]\n  timespan: 5m\n  condition:\n    field: TargetUserName\n"
        "    eq: 2\n";
    static const step users[] = {{4625, "1.1.1.1", "a", 0}, {4625, "1.1.1.1", "a", 5},
                                 {4625, "1.1.1.1", "b", 6}, {4625, "2.2.2.2", "a", 7},
                                 {4625, "2.2.2.2", "b", 8}, {4625, "2.2.2.2", "c", 9}};
    RUN(v2, users, "- - - - - - end:V2");
    /* what cannot hold, or is not defined, is refused with the reason */
    static const char lt0[] = COUNT_RULE("    lt: 0\n");
    RUN(lt0, three, "not loaded: \"c\": correlation condition lt: 0 can never hold");
    static const char empty[] = COUNT_RULE("    gt: 5\n    lt: 4\n");
    RUN(empty, three, "not loaded: \"c\": correlation condition can never hold (empty range)");
    static const char unknown[] = COUNT_RULE("    about: 5\n");
    RUN(unknown, three,
        "not loaded: \"c\": correlation condition \"about\" is not one of gt, gte, lt, lte, "
        "eq, neq");
#undef COUNT_RULE
    static const char tlt[] = "title: t\nid: T\ncorrelation:\n  type: temporal\n"
                              "  rules: [logon, base-priv]\n  timespan: 1m\n  condition:\n"
                              "    lt: 2\n";
    RUN(tlt, three,
        "not loaded: \"t\": temporal correlations count rules: only gte or gt can be used");
}

/* Aliases, generate, references by name and id, temporal with a count, and
 * correlations of correlations. */
static void test_correlation_more(void)
{
    /* group-by an alias: the failed logon's IpAddress is the logon's TargetUserName */
    static const char alias[] =
        "title: a\nid: A\ncorrelation:\n  type: temporal_ordered\n"
        "  rules: [failed_logon, base-ok]\n  group-by: [who]\n  timespan: 1m\n"
        "  aliases:\n    who:\n      failed_logon: IpAddress\n      logon: TargetUserName\n";
    static const step same[] = {{4625, "bob", "x", 0}, {4624, "y", "bob", 10}};
    RUN(alias, same, "- A");
    static const step differ[] = {{4625, "bob", "x", 0}, {4624, "bob", "x", 10}};
    RUN(alias, differ, "- -");
    /* generate: true keeps the rules' own matches (at the top or in correlation:) */
    static const char gen[] = "title: g\nid: G\ncorrelation:\n  type: event_count\n"
                              "  rules: [base-fail]\n  group-by: [IpAddress]\n  timespan: 5m\n"
                              "  condition:\n    gte: 2\ngenerate: true\n";
    static const step two[] = {{4625, "1.1.1.1", "a", 0}, {4625, "1.1.1.1", "a", 1}};
    RUN(gen, two, "base-fail base-fail,G");
    static const char gen_in[] = "title: g\nid: G\ncorrelation:\n  type: event_count\n"
                                 "  rules: [base-fail]\n  group-by: [IpAddress]\n"
                                 "  timespan: 5m\n  generate: yes\n  condition:\n    gte: 2\n";
    RUN(gen_in, two, "base-fail base-fail,G");
    static const char gen_no[] = "title: g\nid: G\ncorrelation:\n  type: event_count\n"
                                 "  rules: [base-fail]\n  group-by: [IpAddress]\n"
                                 "  timespan: 5m\n  condition:\n    gte: 2\ngenerate: false\n";
    RUN(gen_no, two, "- G");
    static const char gen_bad[] = "title: g\nid: G\ncorrelation:\n  type: event_count\n"
                                  "  rules: [base-fail]\n  timespan: 5m\n  condition:\n"
                                  "    gte: 2\ngenerate: maybe\n";
    RUN(gen_bad, two, "not loaded: \"g\": correlation generate must be true or false");
    /* temporal with a count: two of the three rules, by name and by id */
    static const char two_of[] = "title: t\nid: T2\ncorrelation:\n  type: temporal\n"
                                 "  rules: [failed_logon, base-ok, base-priv]\n"
                                 "  group-by: [TargetUserName]\n  timespan: 1m\n"
                                 "  condition:\n    gte: 2\n";
    static const step pair[] = {
        {4672, "x", "bob", 0}, {4625, "x", "ann", 5}, {4624, "x", "bob", 9}};
    RUN(two_of, pair, "- - T2");
    /* a correlation of a correlation: three failures per address (quiet: only the
     * outer one uses it), then a logon of the same address within ten minutes */
    static const char chain[] =
        "title: burst\nid: C1\nname: burst\ncorrelation:\n  type: event_count\n"
        "  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 5m\n"
        "  condition:\n    gte: 3\n---\n"
        "title: then in\nid: C2\ncorrelation:\n  type: temporal_ordered\n"
        "  rules: [burst, logon]\n  group-by: [IpAddress]\n  timespan: 10m\n";
    static const step brute[] = {{4625, "1.1.1.1", "a", 0},  {4625, "1.1.1.1", "b", 10},
                                 {4624, "2.2.2.2", "c", 15}, {4625, "1.1.1.1", "c", 20},
                                 {4624, "2.2.2.2", "c", 30}, {4624, "1.1.1.1", "c", 40}};
    RUN(chain, brute, "- - - - - C2"); /* logon too is used only by C2 */
    /* a bounded inner correlation fires when the file ends, and feeds the outer one
     * with its group-by value */
    static const char chain_end[] =
        "title: two\nid: C3\nname: two\ncorrelation:\n  type: event_count\n"
        "  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 5m\n"
        "  condition:\n    eq: 2\n---\n"
        "title: after two\nid: C4\ncorrelation:\n  type: event_count\n  rules: [two]\n"
        "  group-by: [IpAddress]\n  timespan: 1h\n  condition:\n    gte: 1\n";
    static const step pairs[] = {
        {4625, "1.1.1.1", "a", 0}, {4625, "1.1.1.1", "b", 10}, {4625, "2.2.2.2", "c", 20}};
    RUN(chain_end, pairs, "- - - end:C4");
    /* a cycle is refused */
    static const char cycle[] =
        "title: x\nid: X\ncorrelation:\n  type: event_count\n  rules: [Y]\n  timespan: 5m\n"
        "  condition:\n    gte: 2\n---\ntitle: y\nid: Y\ncorrelation:\n  type: event_count\n"
        "  rules: [X]\n  timespan: 5m\n  condition:\n    gte: 2\n";
    RUN(cycle, two, "not loaded: \"x\": correlations chained more than 8 deep, or in a cycle");
}

/* --- kensa hunt: Sigma findings beside the built-in ones ------------------------------ */

static ks_finding found[8];
static int nfound;

static void on_finding(void *ctx, const ks_finding *f)
{
    (void)ctx;
    if (nfound < 8 && f->categories[0] && !strcmp(f->categories[0], "sigma")) found[nfound++] = *f;
}

static void test_hunt(void)
{
    static const char rule[] =
        "title: cmd from explorer\nid: p1\nlevel: high\ntags:\n  - attack.t1490\n"
        "logsource:\n  product: windows\n  category: process_creation\n"
        "detection:\n  s:\n    Image|endswith: '\\cmd.exe'\n  condition: s\n";
    ks_sigma_rules *r = NULL;
    CHECK(ks_sigma_open(&r) == KS_OK);
    CHECK_INT(ks_sigma_load_mem(r, rule, strlen(rule), "hunt.yml"), 1);
    ks_detect_opts o = {NULL, 0, "UTC", on_finding, NULL, NULL, NULL, NULL};
    ks_detect *d = NULL;
    CHECK(ks_detect_open(&d, &o, NULL) == KS_OK);
    CHECK(ks_detect_add_sigma(d, r) == KS_OK);
    CHECK(ks_detect_add_sigma(d, r) == KS_ERR_ARG);
    ks_detect_begin_file(d, "evidence.evtx");
    const char *kv[] = {"Image=C:\\Windows\\System32\\cmd.exe", NULL};
    const int64_t times[] = {0, 60, 3600}; /* the third is more than ten minutes later */
    for (int i = 0; i < 3; i++) {
        tev t;
        mk(&t, "Microsoft-Windows-Sysmon/Operational", 1, kv);
        t.ev.time_ns = (INT64_C(1700000000) + times[i]) * INT64_C(1000000000);
        t.ev.record_id = (uint64_t)(100 + i);
        ks_detect_feed(d, &t.ev);
    }
    ks_detect_end_file(d);
    CHECK_INT(nfound, 2);
    const ks_finding *f = &found[0];
    CHECK_STR(f->detector->id, "p1");
    CHECK_STR(f->detector->title[0], "cmd from explorer");
    CHECK_STR(f->categories[1], "inhibit_recovery");
    CHECK_INT(f->severity, KS_LEVEL_HIGH);
    CHECK_INT(f->count, 2);
    CHECK_INT(f->nevidence, 2);
    CHECK_STR(f->evidence[0].file, "evidence.evtx");
    CHECK_INT(f->evidence[1].record_id, 101);
    CHECK_STR(f->host, "HOST1");
    CHECK(strstr(f->explanation, "cmd from explorer") != NULL);
    CHECK_INT(found[1].count, 1);
    CHECK_INT(ks_detect_get_stats(d)->findings >= 2, 1);
    ks_detect_close(&d);
    ks_sigma_close(&r);
}

int main(void)
{
    test_values();
    test_automata();
    test_encodings();
    test_conditions();
    test_logsource();
    test_failures();
    test_correlation();
    test_correlation_bounds();
    test_correlation_more();
    test_hunt();
    return ks_test_done();
}
