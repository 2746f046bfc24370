/* Fuzz target: the JSON lines reader (src/ingest/jsonl.c) and the JSON parser under it
 * (src/util/json.c). The input is read as a JSON lines file (format forced, encoding
 * detected) and every event's strings and fields are touched; then it is parsed whole
 * by the JSON parser, building a tree and validating only, and the tree walked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kensa/kensa.h"
#include "util/arena.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(ks_buf *out, ks_str s)
{
    ks_escape_utf8(out, s.p, s.len, KS_ESC_JSON);
}

static void on_problem(void *ctx, const ks_problem *p)
{
    (void)ctx;
    sink += strlen(p->what) + p->line + p->offset;
    for (size_t i = 0; p->excerpt && i < p->excerpt_len; i++) sink += (unsigned char)p->excerpt[i];
}

static void *alloc(void *ctx, size_t n)
{
    return ks_arena_alloc(ctx, n);
}

/* Walk a tree, bounded by the parser's own depth cap. */
static void walk(const ks_json *j, int depth)
{
    for (; j; j = j->next) {
        sink += j->type + j->len + j->key_len + (size_t)j->i + (j->d != j->d);
        for (uint32_t i = 0; i < j->len; i++) sink += (unsigned char)j->str[i];
        for (uint32_t i = 0; i < j->key_len; i++) sink += (unsigned char)j->key[i];
        uint64_t u;
        if (ks_json_u64(j, &u)) sink += u;
        if (depth < 600) walk(j->child, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ks_buf out;
    ks_source_opts o = {.format = KS_FORMAT_JSONL, .on_problem = on_problem};
    ks_source *s = NULL;
    if (ks_source_open_mem(&s, data, size, "fuzz.jsonl", &o, NULL) == KS_OK) {
        const ks_event *ev;
        while (ks_source_next(s, &ev) == KS_OK && ev) {
            ks_buf_reset(&out);
            ks_event_write_json(&out, ev, "fuzz.jsonl", "jsonl");
            touch(&out, ev->host);
            touch(&out, ev->provider_guid);
            touch(&out, ev->user_sid);
            for (size_t i = 0; i < ev->nfields; i++) {
                touch(&out, ev->fields[i].name);
                ks_value_format(&out, &ev->fields[i].value, KS_ESC_XML_TEXT);
                uint64_t u;
                if (ks_value_u64(&ev->fields[i].value, &u)) ks_buf_u64(&out, u);
            }
            sink += out.len + ev->nfields + ev->event_id + (size_t)ev->time_ns + ev->offset;
        }
        const ks_source_stats *st = ks_source_get_stats(s);
        sink += st->events + st->skipped + st->ignored;
        ks_source_close(&s);
    }
    /* the parser alone: whole input, then value after value */
    static ks_arena arena = {.limit = 64u << 20};
    ks_json_opts jo = {.alloc = alloc, .ctx = &arena, .drop_nul = size & 1};
    const ks_json *j = NULL;
    ks_diag d;
    ks_arena_reset(&arena);
    if (ks_json_parse((const char *)data, size, &jo, &j, NULL, &d) == KS_OK) walk(j, 0);
    jo.allow_trailing = true;
    size_t pos = 0, used = 0;
    for (int k = 0; k < 64 && pos < size; k++) {
        ks_arena_reset(&arena);
        if (ks_json_parse((const char *)data + pos, size - pos, &jo, &j, &used, NULL) != KS_OK ||
            !used)
            break;
        walk(j, 0);
        pos += used;
    }
    ks_json_opts vo = {.max_depth = 512};
    sink += ks_json_parse((const char *)data, size, &vo, NULL, NULL, NULL);
    return 0;
}
