/* Fuzz target: the Event XML reader (src/ingest/xml.c). The input is read as an Event
 * XML file (format forced) twice, as UTF-8 and as UTF-16LE, and every event's strings
 * and fields are touched; the sniffer and format detection see it too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
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
    ks_source_opts o = {.format = KS_FORMAT_XML, .encoding = enc, .on_problem = on_problem};
    ks_source *s = NULL;
    if (ks_source_open_mem(&s, data, size, "fuzz.xml", &o, NULL) != KS_OK) return;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        ks_buf_reset(&out);
        ks_event_write_json(&out, ev, "fuzz.xml", "xml");
        touch(&out, ev->host);
        touch(&out, ev->channel);
        touch(&out, ev->provider);
        touch(&out, ev->provider_guid);
        touch(&out, ev->user_sid);
        touch(&out, ev->sem.user);
        for (size_t i = 0; i < ev->nfields; i++) {
            touch(&out, ev->fields[i].name);
            ks_value_format(&out, &ev->fields[i].value, KS_ESC_XML_TEXT);
            ks_value_text(&out, &ev->fields[i].value);
            uint64_t u;
            if (ks_value_u64(&ev->fields[i].value, &u)) ks_buf_u64(&out, u);
        }
        sink += out.len + ev->nfields + ev->event_id + ev->qualifiers + ev->level + ev->task +
                ev->keywords + ev->process_id + ev->thread_id + (size_t)ev->time_ns +
                ev->record_id + ev->offset;
    }
    const ks_source_stats *st = ks_source_get_stats(s);
    sink += st->events + st->skipped + st->ignored;
    ks_source_close(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sink += (size_t)ks_reader_xml.sniff((const char *)data, size);
    sink += ks_format_detect(data, size, NULL);
    read_as(data, size, KS_ENC_UTF8);
    read_as(data, size, KS_ENC_UTF16LE);
    return 0;
}
