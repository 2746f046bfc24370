/* ks_evtx_dump: the same bytes and the same problems, in the same order, whatever
 * the number of threads, on a clean file and on a damaged copy of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/kensa.h"

static void make_file(const char *path, int n)
{
    ks_evtx_writer *w = NULL;
    CHECK(ks_evtx_writer_open(&w, path, NULL) == KS_OK);
    if (!w) return;
    for (int i = 0; i < n; i++) {
        char user[32], ip[32];
        snprintf(user, sizeof user, "user%03d", i % 97);
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 250 % 250, i % 250);
        uint8_t lt[4] = {(uint8_t)(i % 3 ? 3 : 10), 0, 0, 0};
        ks_field f[3] = {
            {{"TargetUserName", 14}, {(const uint8_t *)user, (uint32_t)strlen(user), KS_VT_UTF8}},
            {{"LogonType", 9}, {lt, 4, KS_VT_UINT32}},
            {{"IpAddress", 9}, {(const uint8_t *)ip, (uint32_t)strlen(ip), KS_VT_UTF8}}};
        ks_event ev = {.time_ns = INT64_C(1700000000000000000) + (int64_t)i * 1000000000,
                       .host = {"FS01", 4},
                       .channel = {"Security", 8},
                       .provider = {"Microsoft-Windows-Security-Auditing", 35},
                       .event_id = (uint32_t)(i % 5 ? 4624 : 4625),
                       .fields = f,
                       .nfields = i % 7 ? 3 : 2};
        CHECK(ks_evtx_writer_add(w, &ev) == KS_OK);
    }
    CHECK(ks_evtx_writer_close(&w) == KS_OK);
}

static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    ks_buf_printf(ctx, "%llu %u %d %s\n", (unsigned long long)p->offset, p->chunk, p->severity,
                  p->what);
}

/* Dump with t threads; returns the output, problems in *probs. */
static char *dump(const char *path, int threads, ks_dump_format fmt, size_t *len, ks_buf *probs,
                  ks_evtx_stats *st)
{
    char *data = NULL;
    FILE *f = open_memstream(&data, len);
    ks_evtx *r = NULL;
    CHECK(ks_evtx_open(&r, path, NULL) == KS_OK);
    ks_dump_opts o = {.format = fmt,
                      .threads = threads,
                      .out = f,
                      .on_problem = on_problem,
                      .problem_ctx = probs};
    CHECK(ks_evtx_dump(r, &o, st) == KS_OK);
    ks_evtx_close(&r);
    fclose(f);
    return data;
}

static void same_for_all_threads(const char *path, long records, int damaged)
{
    for (int fmt = 0; fmt < 2; fmt++) {
        size_t len1;
        ks_buf p1 = {0};
        ks_evtx_stats s1;
        char *one = dump(path, 1, (ks_dump_format)fmt, &len1, &p1, &s1);
        CHECK_INT(s1.records, records);
        CHECK(damaged ? p1.len > 0 : p1.len == 0);
        const int counts[] = {2, 3, 7, 64};
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            size_t len;
            ks_buf p = {0};
            ks_evtx_stats s;
            char *out = dump(path, counts[k], (ks_dump_format)fmt, &len, &p, &s);
            CHECK(len == len1 && memcmp(out, one, len) == 0);
            CHECK(p.len == p1.len && (p.len == 0 || memcmp(p.data, p1.data, p.len) == 0));
            CHECK(s.records == s1.records && s.records_skipped == s1.records_skipped &&
                  s.chunks_bad == s1.chunks_bad && s.chunks_crc == s1.chunks_crc);
            free(out);
            ks_buf_free(&p);
        }
        free(one);
        ks_buf_free(&p1);
    }
}

int main(void)
{
    char dir[] = "/tmp/kensa-test-dump-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/clean.evtx", dir);
    snprintf(bad, sizeof bad, "%s/damaged.evtx", dir);
    const int n = 20000;
    make_file(path, n);
    same_for_all_threads(path, n, 0);

    /* damage: a chunk without signature, and garbage in another chunk's records */
    size_t size;
    uint8_t *data = ks_test_slurp(path, &size);
    CHECK(data && size > 4096 + 20 * 65536);
    if (!data) return ks_test_done();
    memset(data + 4096 + 5 * 65536, 0, 8);
    memset(data + 4096 + 11 * 65536 + 3000, 0x41, 600);
    FILE *f = fopen(bad, "wb");
    CHECK(f && fwrite(data, 1, size, f) == size);
    if (f) fclose(f);
    free(data);
    ks_evtx *r = NULL;
    CHECK(ks_evtx_open(&r, bad, NULL) == KS_OK);
    const ks_evtx_record *rec;
    long good = 0;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) good++;
    CHECK(good < n && good > n - 700);
    CHECK_INT(ks_evtx_get_stats(r)->chunks_bad, 1);
    ks_evtx_close(&r);
    same_for_all_threads(bad, good, 1);

    unlink(path);
    unlink(bad);
    rmdir(dir);
    return ks_test_done();
}
