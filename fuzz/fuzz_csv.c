/* Fuzz target: the CSV reader (src/ingest/csv.c) and writer (csv_write.c). The input
 * is read as a CSV export (format forced), as UTF-8 and as CP932, every event's
 * strings and fields are touched and written back as LogParser CSV; the sniffer and
 * format detection see it too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
#include "kensa/csv.h"
#include "kensa/kensa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(ks_buf *out, ks_str s)
{
    ks_escape_utf8(out, s.p, s.len, KS_ESC_JSON);
}

static void on_problem(void *ctx, const ks_problem *p)
{
    (void)ctx;
    sink += strlen(p->what) + p->line + p->offset + p->severity;
    for (size_t i = 0; p->excerpt && i < p->excerpt_len; i++) sink += (unsigned char)p->excerpt[i];
}

static void read_as(const uint8_t *data, size_t size, ks_encoding enc)
{
    static ks_buf out;
    ks_source_opts o = {
        .format = KS_FORMAT_CSV, .encoding = enc, .tz = "+09:00", .on_problem = on_problem};
    ks_source *s = NULL;
    if (ks_source_open_mem(&s, data, size, "fuzz.csv", &o, NULL) != KS_OK) return;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        ks_buf_reset(&out);
        touch(&out, ev->host);
        touch(&out, ev->channel);
        touch(&out, ev->provider);
        touch(&out, ev->user_sid);
        touch(&out, ev->sem.user);
        touch(&out, ev->sem.domain);
        touch(&out, ev->sem.src_ip);
        for (size_t i = 0; i < ev->nfields; i++) {
            touch(&out, ev->fields[i].name);
            ks_value_format(&out, &ev->fields[i].value, KS_ESC_XML_TEXT);
            ks_value_text(&out, &ev->fields[i].value);
            uint64_t u;
            if (ks_value_u64(&ev->fields[i].value, &u)) ks_buf_u64(&out, u);
        }
        (void)ks_csv_write_event_tz(&out, ev, "UTC");
        sink += out.len + ev->nfields + ev->event_id + ev->level + ev->task + ev->keywords +
                (size_t)ev->time_ns + ev->record_id + ev->offset + (size_t)ev->sem.logon_type;
    }
    const ks_source_stats *st = ks_source_get_stats(s);
    sink += st->events + st->skipped + st->ignored + strlen(st->assumed);
    ks_source_close(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sink += (size_t)ks_reader_csv.sniff((const char *)data, size);
    sink += ks_format_detect(data, size, NULL);
    read_as(data, size, KS_ENC_UTF8);
    read_as(data, size, KS_ENC_CP932);
    return 0;
}
