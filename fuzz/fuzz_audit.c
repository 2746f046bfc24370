/* Fuzz target: the readiness audit's readers on any bytes. The first byte picks the
 * reader (0: detect from content, 1..8: ks_audit_kind), the rest is the export; then
 * every host, export, fact and rate is walked, facts looked up, and the checks run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "kensa/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(const char *s)
{
    if (s) sink += strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    ks_audit_kind kind = (ks_audit_kind)(data[0] % KS_AUDIT_KIND_COUNT);
    ks_audit *a = ks_audit_new(NULL);
    if (!a) return 0;
    sink += (size_t)ks_audit_kind_detect(data + 1, size - 1);
    ks_audit_add_mem_kind(a, "fuzz-host", "fuzz.txt", data + 1, size - 1, kind);
    for (size_t i = 0; i < ks_audit_host_count(a); i++) {
        const ks_audit_host *h = ks_audit_host_at(a, i);
        touch(h->name);
        for (size_t k = 0; k < h->nexports; k++) {
            const ks_audit_export *ex = &h->exports[k];
            touch(ex->path);
            touch(ex->problem);
            touch(ks_audit_kind_name(ex->kind));
            sink += ex->nproblems + ex->problem_line + ex->nfacts + (size_t)ex->status;
        }
        for (size_t k = 0; k < h->nfacts; k++) {
            const ks_audit_fact *f = &h->facts[k];
            touch(f->key);
            touch(f->value);
            touch(f->file);
            const ks_audit_fact *got = NULL;
            touch(ks_audit_fact_get(h, f->key, &got));
            if (!got) abort(); /* a fact's own key always finds a fact */
        }
        for (size_t k = 0; k < h->nrates; k++) {
            touch(h->rates[k].channel);
            touch(h->rates[k].file);
            sink += (size_t)(h->rates[k].records + h->rates[k].bytes) +
                    (size_t)(h->rates[k].last_ns - h->rates[k].first_ns);
        }
        for (int k = 0; k < KS_AUDIT_KIND_COUNT; k++) sink += ks_audit_has(h, (ks_audit_kind)k);
    }
    const ks_audit_outcome *o = NULL;
    size_t n = 0;
    if (ks_audit_run(a, &o, &n) == KS_OK) {
        for (size_t i = 0; i < n; i++) {
            touch(o[i].detail);
            touch(ks_audit_result_name(o[i].result));
            if (o[i].fact) touch(o[i].fact->value);
        }
    }
    ks_audit_free(&a);
    return 0;
}
