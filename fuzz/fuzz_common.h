/* Shared by the EVTX fuzz targets: use every record the reader hands out the way a
 * caller would (Event XML, JSON, the normalized event and each field's value in
 * every form), so that the sanitizers see every byte the reader lets through. Each
 * target defines LLVMFuzzerTestOneInput; replay.c or libFuzzer supplies main(). */
#ifndef KS_FUZZ_COMMON_H
#define KS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx/evtx_internal.h" /* ks_evtx_programs: compiled or tree rendering */
#include "kensa/kensa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* KS_FUZZ_VERBOSE=1 in the environment prints problems and records (for looking at
 * one input with the replay driver); KS_FUZZ_DIFF=1 aborts when compiled rendering
 * and tree rendering of a record differ. */
static int ks_fz_env(const char *name, int *v)
{
    if (*v < 0) *v = getenv(name) != NULL;
    return *v;
}
static int ks_fz_verbose(void)
{
    static int v = -1;
    return ks_fz_env("KS_FUZZ_VERBOSE", &v);
}
static int ks_fz_diff(void)
{
    static int v = -1;
    return ks_fz_env("KS_FUZZ_DIFF", &v);
}

/* The problem callback: read everything a problem carries. */
static void ks_fz_problem(void *ctx, const ks_evtx_problem *p)
{
    size_t *n = ctx;
    *n += strlen(p->what) + (p->file ? strlen(p->file) : 0) + (p->severity == KS_EVTX_ERROR);
    if (ks_fz_verbose())
        printf("problem: chunk %d offset %llu record %llu: %s\n", (int)p->chunk,
               (unsigned long long)p->offset, (unsigned long long)p->record_id, p->what);
}

static void ks_fz_str(ks_buf *out, ks_str s)
{
    ks_escape_utf8(out, s.p, s.len, KS_ESC_JSON);
}

static void ks_fz_value(ks_buf *out, const ks_value *v)
{
    static const ks_escape esc[] = {KS_ESC_NONE, KS_ESC_XML_TEXT, KS_ESC_XML_ATTR, KS_ESC_JSON};
    for (size_t i = 0; i < sizeof esc / sizeof esc[0]; i++) ks_value_format(out, v, esc[i]);
    ks_value_text(out, v);
    uint64_t u;
    if (ks_value_u64(v, &u)) ks_buf_hex(out, u);
    ks_buf_putc(out, ks_value_is_number(v) ? 'n' : 's');
    uint32_t n = ks_value_count(v);
    ks_value item;
    uint32_t i = 0;
    for (; i < n && ks_value_item(v, i, &item); i++) {
        ks_value_format(out, &item, KS_ESC_XML_TEXT);
        if (ks_value_u64(&item, &u)) ks_buf_u64(out, u);
    }
    if (ks_value_item(v, i, &item) && i < n) ks_buf_putc(out, '!');
}

/* Render a record as XML and JSON, compiled (the usual path) or from its tree. */
static void ks_fz_render(const ks_evtx_record *rec, ks_buf *out, int programs)
{
    ks_evtx_programs = programs;
    ks_buf_reset(out);
    ks_evtx_render_xml(rec, out);
    ks_evtx_render_json(rec, out);
    ks_evtx_programs = 1;
}

/* Render and normalize one record; `out` is reused from record to record. */
static void ks_fz_record(const ks_evtx_record *rec, ks_buf *out)
{
    static ks_buf tree;
    ks_fz_render(rec, &tree, 0);
    ks_fz_render(rec, out, 1);
    if (ks_fz_diff() &&
        (tree.len != out->len || (out->len && memcmp(tree.data, out->data, out->len) != 0))) {
        fprintf(stderr, "record %llu: compiled rendering\n%.*s\ndiffers from the tree's\n%.*s\n",
                (unsigned long long)rec->record_id, (int)out->len, out->data, (int)tree.len,
                tree.data);
        abort();
    }
    if (ks_fz_verbose()) printf("%.*s", (int)out->len, out->data);
    ks_event ev;
    if (ks_evtx_record_event(rec, &ev) != KS_OK) return;
    ks_fz_str(out, ev.host);
    ks_fz_str(out, ev.channel);
    ks_fz_str(out, ev.provider);
    ks_fz_str(out, ev.provider_guid);
    ks_fz_str(out, ev.user_sid);
    ks_buf_u64(out, ev.event_id + ev.qualifiers + ev.level + ev.version + ev.opcode + ev.task +
                        ev.keywords + ev.process_id + ev.thread_id + ev.has_qualifiers);
    ks_buf_i64(out, ev.time_ns);
    ks_buf_u64(out, ev.record_id + ev.offset);
    for (size_t i = 0; i < ev.nfields; i++) {
        ks_fz_str(out, ev.fields[i].name);
        ks_fz_value(out, &ev.fields[i].value);
    }
    const ks_field *f = ks_event_field(&ev, "TargetUserName");
    if (f) ks_fz_value(out, &f->value);
}

#endif
