/* Records of the shared real logs as normalized events: the System fields and the
 * EventData / UserData fields, typed, read without rendering any XML. */
#include <stdint.h>

#include "harness.h"
#include "kensa/kensa.h"

static int str_is(ks_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static const char *text(const ks_field *f)
{
    static ks_buf b;
    ks_buf_reset(&b);
    if (f) ks_value_text(&b, &f->value);
    ks_buf_putc(&b, 0);
    return b.data;
}

/* The event of the record with EventRecordID `rid` (the reader stays open). */
static int find(ks_evtx *r, uint64_t rid, ks_event *ev)
{
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec)
        if (ks_evtx_record_event(rec, ev) == KS_OK && ev->record_id == rid) return 1;
    return 0;
}

int main(void)
{
    const char *dir = ks_test_data_dir();
    char path[1024];
    ks_evtx *r = NULL;
    ks_event ev;

    snprintf(path, sizeof path, "%s/evtx/normal/omerbenamram-evtx/security.evtx", dir);
    CHECK(ks_evtx_open(&r, path, NULL) == KS_OK);
    CHECK(find(r, 2, &ev));
    CHECK_INT(ev.event_id, 4624);
    CHECK(str_is(ev.provider, "Microsoft-Windows-Security-Auditing"));
    CHECK(str_is(ev.provider_guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}"));
    CHECK(str_is(ev.channel, "Security"));
    CHECK(str_is(ev.host, "37L4247F27-25"));
    CHECK(ev.user_sid.len == 0);
    CHECK_INT(ev.level, 0);
    CHECK_INT(ev.task, 12544);
    CHECK(ev.keywords == UINT64_C(0x8020000000000000));
    CHECK_INT(ev.process_id, 456);
    CHECK_INT(ev.thread_id, 460);
    CHECK(!ev.has_qualifiers);
    ks_buf b = {0};
    ks_time_format(&b, ev.time_ns, 7);
    ks_buf_putc(&b, 0);
    CHECK_STR(b.data, "2016-07-08T18:12:51.6816408Z");
    CHECK_INT(ev.nfields, 20);
    CHECK_STR(text(ks_event_field(&ev, "TargetUserName")), "SYSTEM");
    CHECK_STR(text(ks_event_field(&ev, "TargetLogonId")), "0x3e7");
    CHECK_STR(text(ks_event_field(&ev, "TargetUserSid")), "S-1-5-18");
    const ks_field *lt = ks_event_field(&ev, "LogonType");
    CHECK(lt && lt->value.type == KS_VT_UINT32);
    uint64_t u = 99;
    CHECK(lt && ks_value_u64(&lt->value, &u) && u == 0);
    ks_evtx_close(&r);

    /* System log: service installs (7045, with Qualifiers) and a log cleared (104,
     * UserData); the shared README: 57 x 7045 (one of them Pathfinder, run from a
     * Temp folder), 2 x 104 (tony cleared the Sysmon log) */
    snprintf(path, sizeof path, "%s/evtx/normal/omerbenamram-evtx/system.evtx", dir);
    CHECK(ks_evtx_open(&r, path, NULL) == KS_OK);
    const ks_evtx_record *rec;
    int n7045 = 0, n104 = 0, pathfinder = 0;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        CHECK(ks_evtx_record_event(rec, &ev) == KS_OK);
        if (ev.event_id == 7045) {
            n7045++;
            CHECK(ev.has_qualifiers && ev.qualifiers == 16384);
            CHECK(str_is(ev.provider, "Service Control Manager"));
            CHECK(ks_event_field(&ev, "ImagePath") != NULL);
            if (strcmp(text(ks_event_field(&ev, "ServiceName")), "Pathfinder") == 0) {
                pathfinder++;
                CHECK(strstr(text(ks_event_field(&ev, "ImagePath")), "\\Temp\\") != NULL);
            }
        }
        if (ev.event_id == 104 && !n104++) {
            CHECK(str_is(ev.channel, "System"));
            CHECK(str_is(ev.user_sid, "S-1-5-21-2595688666-2948619230-3055395256-1001"));
            CHECK_STR(text(ks_event_field(&ev, "SubjectUserName")), "tony");
            CHECK_STR(text(ks_event_field(&ev, "Channel")), "Microsoft-Windows-Sysmon/Operational");
        }
    }
    CHECK_INT(n7045, 57);
    CHECK_INT(pathfinder, 1);
    CHECK_INT(n104, 2); /* the shared README: two 104s, tony cleared the Sysmon log */
    CHECK_INT(ks_evtx_get_stats(r)->records, 1881);
    ks_evtx_close(&r);
    ks_buf_free(&b);
    return ks_test_done();
}
