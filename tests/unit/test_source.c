/* ks_source's own work: encodings to UTF-8 lines, format detection and the reasons
 * given for files kensa cannot read, time zones, ISO 8601 times, the field-mapping
 * table, and the evidence walk. The format readers have their own tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/map.h"
#include "harness.h"
#include "ingest/reader.h"
#include "kensa/kensa.h"
#include "util/tz.h"

/* A source over memory forced to a format whose reader we do not call: only the line
 * iterator is used. */
static ks_source *text_source(const void *data, size_t n, ks_encoding enc)
{
    ks_source_opts o = {.format = KS_FORMAT_SYSLOG, .encoding = enc};
    ks_source *s = NULL;
    ks_diag d;
    if (ks_source_open_mem(&s, data, n, "mem", &o, &d) != KS_OK) return NULL;
    return s;
}

static void check_lines(ks_source *s, const char *const *want, size_t n)
{
    ks_line ln;
    for (size_t i = 0; i < n; i++) {
        CHECK(ks_source_line(s, &ln));
        char got[256];
        snprintf(got, sizeof got, "%.*s", (int)ln.len, ln.p);
        CHECK_STR(got, want[i]);
        CHECK_INT((long long)ln.lineno, (long long)i + 1);
    }
    CHECK(!ks_source_line(s, &ln));
}

static void test_encodings(void)
{
    /* UTF-16LE with BOM, CRLF endings, a Japanese word (ログオン) */
    static const uint8_t u16[] = {0xff, 0xfe, 'a',  0,    '\r', 0,    '\n', 0, 0xed, 0x30,
                                  0xb0, 0x30, 0xaa, 0x30, 0xf3, 0x30, '\n', 0, 'z',  0};
    static const char *const want16[] = {"a", "\xe3\x83\xad\xe3\x82\xb0\xe3\x82\xaa\xe3\x83\xb3",
                                         "z"};
    ks_source *s = text_source(u16, sizeof u16, KS_ENC_AUTO);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(ks_source_encoding(s), KS_ENC_UTF16LE);
        check_lines(s, want16, 3);
        ks_source_close(&s);
    }
    /* CP932 (Shift_JIS): "ログオン" is 83 8d 83 4f 83 49 83 93 */
    static const uint8_t sjis[] = "id,\x83\x8d\x83\x4f\x83\x49\x83\x93\nx\n";
    static const char *const want_sjis[] = {"id,\xe3\x83\xad\xe3\x82\xb0\xe3\x82\xaa\xe3\x83\xb3",
                                            "x"};
    s = text_source(sjis, sizeof sjis - 1, KS_ENC_AUTO);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(ks_source_encoding(s), KS_ENC_CP932);
        check_lines(s, want_sjis, 2);
        ks_source_close(&s);
    }
    /* UTF-8 with BOM; an invalid byte in a line becomes U+FFFD; last line unterminated */
    static const uint8_t u8[] = "\xef\xbb\xbfok\nbad\xff!\nend";
    static const char *const want8[] = {"ok", "bad\xef\xbf\xbd!", "end"};
    s = text_source(u8, sizeof u8 - 1, KS_ENC_UTF8);
    CHECK(s != NULL);
    if (s) {
        check_lines(s, want8, 3);
        ks_source_close(&s);
    }
    /* unread gives the same line back once */
    static const char two[] = "one\ntwo\n";
    s = text_source(two, sizeof two - 1, KS_ENC_AUTO);
    if (s) {
        ks_line a, b;
        CHECK(ks_source_line(s, &a));
        ks_source_unread_line(s);
        CHECK(ks_source_line(s, &b) && b.lineno == 1 && b.len == 3);
        CHECK(ks_source_line(s, &b) && b.lineno == 2 && b.offset == 4);
        ks_source_close(&s);
    }
}

static void test_detect(void)
{
    const char *why = NULL;
    CHECK_INT(ks_format_detect("", 0, &why), KS_FORMAT_UNKNOWN);
    CHECK_STR(why, "an empty file");
    static const uint8_t bin[] = {0x7f, 'E', 'L', 'F', 2, 1, 1,    0, 0, 0, 0, 0,
                                  0,    0,   0,   0,   3, 0, 0x3e, 0, 1, 0, 0, 0};
    CHECK_INT(ks_format_detect(bin, sizeof bin, &why), KS_FORMAT_UNKNOWN);
    CHECK_STR(why, "binary data");
    static const char notes[] = "Dear team,\nthe backup ran fine.\n";
    CHECK_INT(ks_format_detect(notes, sizeof notes - 1, &why), KS_FORMAT_UNKNOWN);
    CHECK_STR(why, "text in no format kensa reads");
    CHECK_INT(ks_format_detect("ElfFile\0rest", 12, &why), KS_FORMAT_EVTX);
    ks_source *s = NULL;
    ks_diag d = {0};
    CHECK_INT(ks_source_open_mem(&s, notes, sizeof notes - 1, "notes.txt", NULL, &d),
              KS_ERR_UNSUPPORTED);
    CHECK(strstr(d.what, "not an event log") != NULL);
    CHECK(s == NULL);
}

static void test_tz(void)
{
    ks_tz *tz = NULL;
    ks_diag d;
    CHECK_INT(ks_tz_open(&tz, "+09:00", &d), KS_OK);
    CHECK_INT(ks_tz_local_to_utc(tz, 9 * 3600), 0);
    ks_tz_close(&tz);
    CHECK_INT(ks_tz_open(&tz, "-0530", &d), KS_OK);
    CHECK_INT(ks_tz_offset_at(tz, 0), -(5 * 3600 + 1800));
    ks_tz_close(&tz);
    CHECK_INT(ks_tz_open(&tz, "Not/AZone", &d), KS_ERR_ARG);
    CHECK(strstr(d.what, "Not/AZone") != NULL);
    CHECK_INT(ks_tz_open(&tz, "../../etc/passwd", &d), KS_ERR_ARG);
    if (access("/usr/share/zoneinfo/America/New_York", R_OK) != 0) {
        printf("skip: no tzdata in /usr/share/zoneinfo\n");
        return;
    }
    CHECK_INT(ks_tz_open(&tz, "Asia/Tokyo", &d), KS_OK);
    /* 2024-01-02 09:00 JST = 00:00 UTC */
    int64_t day = ks_days_from_civil(2024, 1, 2) * 86400;
    CHECK_INT(ks_tz_local_to_utc(tz, day + 9 * 3600), day);
    ks_tz_close(&tz);
    CHECK_INT(ks_tz_open(&tz, "America/New_York", &d), KS_OK);
    int64_t jan = ks_days_from_civil(2024, 1, 15) * 86400,
            jul = ks_days_from_civil(2024, 7, 15) * 86400;
    CHECK_INT(ks_tz_local_to_utc(tz, jan + 12 * 3600), jan + 17 * 3600); /* EST */
    CHECK_INT(ks_tz_local_to_utc(tz, jul + 12 * 3600), jul + 16 * 3600); /* EDT */
    ks_tz_close(&tz);
    ks_tz_close(&tz); /* NULL is fine */
}

static void test_iso8601(void)
{
    int64_t ns;
    bool zone;
    const char *a = "2024-01-02T03:04:05.1234567Z";
    CHECK(ks_time_parse_iso8601(a, strlen(a), &ns, &zone) && zone);
    CHECK_INT(ns, (ks_days_from_civil(2024, 1, 2) * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000000000LL +
                      123456700);
    const char *b = "2024-01-02 12:04:05+09:00";
    CHECK(ks_time_parse_iso8601(b, strlen(b), &ns, &zone) && zone);
    CHECK_INT(ns, (ks_days_from_civil(2024, 1, 2) * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000000000LL);
    const char *c = "2024-01-02T03:04:05";
    CHECK(ks_time_parse_iso8601(c, strlen(c), &ns, &zone) && !zone);
    const char *bad[] = {"2024-13-02T03:04:05Z", "2024-01-02T03:04", "2024-01-02T03:04:05Zjunk",
                         "yesterday"};
    for (size_t i = 0; i < 4; i++) CHECK(!ks_time_parse_iso8601(bad[i], strlen(bad[i]), &ns, NULL));
}

static ks_field f8(const char *name, const char *value)
{
    return (ks_field){{name, strlen(name)},
                      {(const uint8_t *)value, (uint32_t)strlen(value), KS_VT_UTF8}};
}

static void sem_is(ks_str got, const char *want)
{
    char b[128];
    snprintf(b, sizeof b, "%.*s", (int)got.len, got.p);
    CHECK_STR(b, want);
}

static void test_map(void)
{
    ks_arena a = {0};
    ks_field f4625[] = {f8("TargetUserName", "admin"), f8("TargetDomainName", "HOSP"),
                        f8("Status", "0xc000006d"),    f8("SubStatus", "0xc000006a"),
                        f8("LogonType", "3"),          f8("IpAddress", "::ffff:203.0.113.7"),
                        f8("WorkstationName", "-")};
    ks_event ev = {.provider = {"Microsoft-Windows-Security-Auditing", 35},
                   .event_id = 4625,
                   .fields = f4625,
                   .nfields = 7};
    ev.sem.logon_type = -1;
    ks_event_map(&ev, &a);
    sem_is(ev.sem.user, "admin");
    sem_is(ev.sem.domain, "HOSP");
    sem_is(ev.sem.status, "0xc000006a"); /* SubStatus says more than Status */
    sem_is(ev.sem.src_ip, "203.0.113.7");
    sem_is(ev.sem.src_host, ""); /* "-" is nothing */
    CHECK_INT(ev.sem.logon_type, 3);
    CHECK_INT(ev.sem.outcome, KS_OUTCOME_FAILURE);

    /* the same id from another provider is not a logon failure */
    ks_event other = ev;
    memset(&other.sem, 0, sizeof other.sem);
    other.sem.logon_type = -1;
    other.provider = (ks_str){"SomeApp", 7};
    ks_event_map(&other, &a);
    CHECK_INT(other.sem.user.len, 0);
    CHECK_INT(other.sem.outcome, KS_OUTCOME_UNKNOWN);

    /* RDP session logon: DOMAIN\user split, LOCAL is not an address */
    ks_field f21[] = {f8("User", "HOSP\\dr.sato"), f8("SessionID", "2"), f8("Address", "LOCAL")};
    ks_event rdp = {.provider = {"Microsoft-Windows-TerminalServices-LocalSessionManager", 54},
                    .event_id = 21,
                    .fields = f21,
                    .nfields = 3};
    rdp.sem.logon_type = -1;
    ks_event_map(&rdp, &a);
    sem_is(rdp.sem.user, "dr.sato");
    sem_is(rdp.sem.domain, "HOSP");
    sem_is(rdp.sem.session, "2");
    sem_is(rdp.sem.src_ip, "");

    /* a reader's own values are kept; RdpCoreTS "ip:port" loses the port */
    ks_field f131[] = {f8("ConnType", "TCP"), f8("ClientIP", "198.51.100.4:50321")};
    ks_event core = {.provider = {"Microsoft-Windows-RemoteDesktopServices-RdpCoreTS", 49},
                     .event_id = 131,
                     .fields = f131,
                     .nfields = 2};
    core.sem.logon_type = -1;
    core.sem.user = (ks_str){"kept", 4};
    ks_event_map(&core, &a);
    sem_is(core.sem.src_ip, "198.51.100.4");
    sem_is(core.sem.user, "kept");

    /* 4776: status 0x0 is success */
    ks_field f4776[] = {f8("TargetUserName", "nurse1"), f8("Workstation", "WS01"),
                        f8("Status", "0x0")};
    ks_event ntlm = {.provider = {"Microsoft-Windows-Security-Auditing", 35},
                     .event_id = 4776,
                     .fields = f4776,
                     .nfields = 3};
    ntlm.sem.logon_type = -1;
    ks_event_map(&ntlm, &a);
    CHECK_INT(ntlm.sem.outcome, KS_OUTCOME_SUCCESS);
    sem_is(ntlm.sem.src_host, "WS01");
    ks_arena_free(&a);
}

typedef struct seen {
    char names[8][64];
    ks_format f[8];
    int n;
} seen;

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    seen *s = ctx;
    const char *base = strrchr(path, '/');
    if (s->n < 8) {
        snprintf(s->names[s->n], 64, "%s", base ? base + 1 : path);
        s->f[s->n++] = f;
    }
    (void)why;
}

static void test_walk(void)
{
    char dir[] = "/tmp/ks_walk_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char p[256];
    snprintf(p, sizeof p, "%s/b.log", dir);
    FILE *f = fopen(p, "w");
    if (f) fputs("hello\n", f), fclose(f);
    snprintf(p, sizeof p, "%s/sub", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/sub/a.evtx", dir);
    f = fopen(p, "wb");
    if (f) fwrite("ElfFile\0", 1, 8, f), fclose(f);
    seen s = {0};
    ks_diag d;
    CHECK_INT(ks_evidence_walk(dir, on_file, &s, &d), KS_OK);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.names[0], "b.log"); /* name order: "b.log" < "sub" */
    CHECK_INT(s.f[0], KS_FORMAT_UNKNOWN);
    CHECK_STR(s.names[1], "a.evtx");
    CHECK_INT(s.f[1], KS_FORMAT_EVTX);
    CHECK_INT(ks_evidence_walk("/nonexistent/kensa", on_file, &s, &d), KS_ERR_IO);
    unlink(p);
    snprintf(p, sizeof p, "%s/sub", dir);
    rmdir(p);
    snprintf(p, sizeof p, "%s/b.log", dir);
    unlink(p);
    rmdir(dir);
}

int main(void)
{
    test_encodings();
    test_detect();
    test_tz();
    test_iso8601();
    test_map();
    test_walk();
    return ks_test_done();
}
