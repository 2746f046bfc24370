/* The damaged and odd EVTX files of ../shared/data/evtx/corrupted: record counts
 * against EXPECTED.md ("upstream ok / err", python-evtx and libevtx), and where
 * kensa reads more, the reason. Every file must be read without a crash and
 * every skip reported with its file and offset. */
#include <stdint.h>

#include "harness.h"
#include "kensa/kensa.h"

typedef struct seen {
    int errors, warnings;
    char first_error[256];
    int has_offset; /* every problem carried a file and an offset */
} seen;

static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    seen *s = ctx;
    if (p->severity == KS_EVTX_ERROR) {
        if (!s->errors) snprintf(s->first_error, sizeof s->first_error, "%s", p->what);
        s->errors++;
    } else {
        s->warnings++;
    }
    if (!p->file || (!p->offset && p->chunk != UINT32_MAX)) s->has_offset = 0;
}

typedef struct expect {
    const char *file;
    long records, recovered, skipped, chunks_bad;
    const char *why; /* where kensa differs from the upstream count, and why */
} expect;

static const expect cases[] = {
    {"omerbenamram-evtx/"
     "2-vss_0-Microsoft-Windows-RemoteDesktopServices-RdpCoreTS%4Operational.evtx",
     1950, 40, 27, 0,
     "upstream 1910 ok / 4 err: the 1910 records inside the chunks' record ranges are read as "
     "upstream; 40 more are recovered from chunks 0 and 13, caught half rewritten (outside the "
     "header's range, accepted only if every value has its template's type); upstream stops a "
     "chunk at its first bad record, kensa resynchronises and reports each of the 27 it cannot "
     "decode"},
    {"omerbenamram-evtx/"
     "2-vss_0-Microsoft-Windows-TerminalServices-RemoteConnectionManager%4Operational.evtx",
     1795, 97, 1, 0,
     "upstream 1774 ok / 2 err, python-evtx 1775: five chunks carry stale headers over newer "
     "records; 97 are recovered under the strict type check"},
    {"omerbenamram-evtx/2-vss_7-System.evtx", 1160, 0, 0, 0, "upstream 1160 / 0"},
    {"omerbenamram-evtx/sample_with_a_bad_chunk_magic.evtx", 270, 0, 0, 2, "upstream 270 / 2"},
    {"omerbenamram-evtx/Microsoft-Windows-HelloForBusiness%4Operational.evtx", 6, 0, 0, 0,
     "upstream 6 / 0 (libevtx 5)"},
    {"omerbenamram-evtx/Microsoft-Windows-LanguagePackSetup%4Operational.evtx", 17, 0, 0, 0,
     "upstream 17 / 0 (libevtx 16)"},
    {"omerbenamram-evtx/"
     "E_Windows_system32_winevt_logs_Microsoft-Windows-Shell-Core%4Operational.evtx",
     1146, 0, 0, 0, "upstream 1146 / 0"},
    {"omerbenamram-evtx/"
     "E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
     459, 0, 0, 0, "upstream 459 / 0 (libevtx fails 23)"},
    {"omerbenamram-evtx/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
     340, 0, 0, 0, "upstream 340 / 0 (libevtx fails 3)"},
    {"omerbenamram-evtx/Application_no_crc32.evtx", 17, 0, 0, 0, "upstream 17 / 0"},
    {"omerbenamram-evtx/post-Security.evtx", 126, 0, 0, 0, "upstream 126 / 0"},
    {"omerbenamram-evtx/sample-with-zero-data-size-event.evtx", 449, 0, 1, 0,
     "upstream 335 records and 1 error: upstream abandons chunk 0 at the record of size 0; "
     "kensa reports it and resynchronises on the next record signature, reading records 4-117 "
     "of chunk 0 (inside the chunk's record range)"},
    {"omerbenamram-evtx/security_bad_string_cache.evtx", 2261, 0, 0, 0,
     "names are read by offset, so a bad string-cache entry loses nothing"},
    {"omerbenamram-evtx/MSExchange_Management_wec.evtx", 1, 0, 0, 0, "libevtx 1 (1 failed)"},
    {"omerbenamram-evtx/Security_with_size_t.evtx", 636, 0, 0, 0, "libevtx 636"},
    {"python-evtx/dns_log_malformed.evtx", 5, 0, 0, 0,
     "python-evtx raises on records 2-5 (bytes invalid in its decoding); kensa reads all 5"},
    {"python-evtx/issue_38.evtx", 1, 0, 0, 0, "one record"},
    {"plaso/System2.evtx", 283, 0, 1, 0,
     "plaso and python-evtx 194: the file is cut inside its third chunk, which they do not "
     "read; kensa reads the 89 complete records of it and reports the cut one"},
    {"derived/security.truncated-300000.evtx", 392, 0, 1, 0,
     "libevtx and python-evtx 349 (chunks 0-3): kensa also reads the 43 complete records of the "
     "cut chunk 4 and reports the cut one"},
    {"derived/security.header-only-4096.evtx", 0, 0, 0, 0, "no chunks: a warning says so"},
};

static void run_case(const char *dir, const expect *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/evtx/corrupted/%s", dir, e->file);
    ks_evtx *r = NULL;
    ks_diag d = {0};
    if (ks_evtx_open(&r, path, &d) != KS_OK) {
        fprintf(stderr, "%s: %s\n", e->file, d.what);
        CHECK(!"open");
        return;
    }
    seen s = {.has_offset = 1};
    ks_evtx_on_problem(r, on_problem, &s);
    const ks_evtx_record *rec;
    long n = 0;
    ks_buf b = {0};
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        ks_event ev;
        CHECK(ks_evtx_record_event(rec, &ev) == KS_OK);
        ks_buf_reset(&b);
        ks_evtx_render_xml(rec, &b);
        ks_evtx_render_json(rec, &b);
        n++;
    }
    ks_buf_free(&b);
    const ks_evtx_stats *st = ks_evtx_get_stats(r);
    int ok = n == e->records && (long)st->records == n &&
             (long)st->records_recovered == e->recovered &&
             (long)st->records_skipped == e->skipped && (long)st->chunks_bad == e->chunks_bad;
    if (!ok)
        fprintf(stderr,
                "%s: %ld records (%llu recovered), %llu skipped, %u bad chunks; expected %ld "
                "(%ld), %ld, %ld - %s\n",
                e->file, n, (unsigned long long)st->records_recovered,
                (unsigned long long)st->records_skipped, st->chunks_bad, e->records, e->recovered,
                e->skipped, e->chunks_bad, e->why);
    CHECK(ok);
    /* each skipped record and bad chunk is reported as an error, with an offset */
    CHECK(s.errors >= e->skipped + e->chunks_bad);
    CHECK(s.has_offset);
    /* each recovered record is reported as a warning */
    CHECK(s.warnings >= e->recovered);
    ks_evtx_close(&r);
}

int main(void)
{
    const char *dir = ks_test_data_dir();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(dir, &cases[i]);

    /* specific reasons in messages */
    char path[1024];
    snprintf(path, sizeof path, "%s/evtx/corrupted/omerbenamram-evtx/%s", dir,
             "sample-with-zero-data-size-event.evtx");
    ks_evtx *r = NULL;
    CHECK(ks_evtx_open(&r, path, NULL) == KS_OK);
    seen s = {.has_offset = 1};
    ks_evtx_on_problem(r, on_problem, &s);
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
    }
    CHECK(strstr(s.first_error, "invalid size 0") != NULL);
    ks_evtx_close(&r);

    /* an empty file is not opened, and says why */
    snprintf(path, sizeof path, "%s/evtx/corrupted/derived/empty.evtx", dir);
    ks_diag d = {0};
    CHECK(ks_evtx_open(&r, path, &d) == KS_ERR_FORMAT && r == NULL);
    CHECK(strstr(d.what, "empty") != NULL && d.file != NULL);

    /* issue_38: SubjectLogonId is a HexInt64, written the Windows way */
    snprintf(path, sizeof path, "%s/evtx/corrupted/python-evtx/issue_38.evtx", dir);
    CHECK(ks_evtx_open(&r, path, NULL) == KS_OK);
    CHECK(ks_evtx_next(r, &rec) == KS_OK && rec);
    if (rec) {
        ks_event ev;
        CHECK(ks_evtx_record_event(rec, &ev) == KS_OK);
        const ks_field *f = ks_event_field(&ev, "SubjectLogonId");
        CHECK(f && f->value.type == KS_VT_HEX64);
        if (f) {
            ks_buf b = {0};
            ks_value_format(&b, &f->value, KS_ESC_NONE);
            ks_buf_putc(&b, 0);
            CHECK_STR(b.data, "0x19d3af");
            ks_buf_free(&b);
        }
    }
    ks_evtx_close(&r);

    /* plaso: record index 178 is EventID 4624, record number 179, written
     * 2015-08-09T09:15:48.4341250Z */
    snprintf(path, sizeof path, "%s/evtx/corrupted/plaso/System2.evtx", dir);
    CHECK(ks_evtx_open(&r, path, NULL) == KS_OK);
    for (int i = 0; i <= 178; i++) CHECK(ks_evtx_next(r, &rec) == KS_OK && rec);
    if (rec) {
        ks_event ev;
        CHECK(ks_evtx_record_event(rec, &ev) == KS_OK);
        CHECK_INT(ev.event_id, 4624);
        CHECK_INT(ev.record_id, 179);
        ks_buf b = {0};
        ks_time_format(&b, rec->written_ns, 7);
        ks_buf_putc(&b, 0);
        CHECK_STR(b.data, "2015-08-09T09:15:48.4341250Z");
        ks_buf_free(&b);
    }
    ks_evtx_close(&r);
    return ks_test_done();
}
