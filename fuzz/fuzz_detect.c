/* Fuzz target: the built-in detectors (src/detect/) over events the fuzzer writes
 * as JSON lines (provider, event id, time, host, named fields: command lines, task
 * XML, service paths, addresses). Thresholds are lowered so that windows, bursts,
 * merges and record-id gaps open on small inputs; every finding's strings are read. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kensa/detect.h"
#include "kensa/kensa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void on_finding(void *ctx, const ks_finding *f)
{
    (void)ctx;
    sink += strlen(f->host) + strlen(f->user) + strlen(f->src_ip) + strlen(f->detail) +
            strlen(f->explanation) + f->count + f->accounts + (size_t)(f->last_ns - f->first_ns);
    for (size_t i = 0; i < f->nevidence; i++)
        sink += strlen(f->evidence[i].file) + f->evidence[i].record_id;
    char cats[128];
    ks_finding_categories(f, cats, sizeof cats);
    sink += strlen(cats);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ks_detect_override low[] = {
        {"brute_force", "count", 2},          {"brute_force", "rdp_connections", 2},
        {"password_spray", "accounts", 2},    {"logon_after_failures", "count", 2},
        {"eventlog_tampering", "context", 2}, {"service_install", "all", 1},
    };
    ks_detect_opts dopts = {
        low, (size & 1) ? sizeof low / sizeof low[0] : 0, "+09:00", on_finding, NULL, NULL, NULL,
        NULL};
    ks_detect *d = NULL;
    if (ks_detect_open(&d, &dopts, NULL) != KS_OK) return 0;
    ks_source_opts o = {.format = KS_FORMAT_JSONL};
    ks_source *s = NULL;
    if (ks_source_open_mem(&s, data, size, "fuzz.jsonl", &o, NULL) == KS_OK) {
        ks_detect_begin_file(d, "fuzz.jsonl");
        const ks_event *ev;
        while (ks_source_next(s, &ev) == KS_OK && ev) ks_detect_feed(d, ev);
        ks_detect_end_file(d);
        ks_source_close(&s);
    }
    sink += ks_detect_get_stats(d)->findings;
    ks_detect_close(&d);
    return 0;
}
