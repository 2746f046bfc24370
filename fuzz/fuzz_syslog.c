/* Fuzz target: the syslog reader (src/ingest/syslog.c) and every vendor parser in its
 * table. The input is read as syslog (format forced) with the year inferred (read-ahead,
 * walk-back, 1970) and with a given year and zone, in UTF-8 and auto-detected encodings;
 * every event's strings, fields and semantic fields are touched; the sniffer, format
 * detection and the key=value splitter see the raw bytes too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/syslog.h"
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

static void read_as(const uint8_t *data, size_t size, ks_encoding enc, int year, const char *tz)
{
    static ks_buf out;
    ks_source_opts o = {.format = KS_FORMAT_SYSLOG,
                        .encoding = enc,
                        .year = year,
                        .tz = tz,
                        .on_problem = on_problem};
    ks_source *s = NULL;
    if (ks_source_open_mem(&s, data, size, "fuzz.log", &o, NULL) != KS_OK) return;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        ks_buf_reset(&out);
        touch(&out, ev->host);
        touch(&out, ev->channel);
        touch(&out, ev->provider);
        const ks_semantic *m = &ev->sem;
        ks_str sem[] = {m->user,    m->domain,       m->src_ip,         m->src_host, m->status,
                        m->process, m->command_line, m->parent_process, m->service,  m->share,
                        m->country, m->session,      m->action};
        for (size_t i = 0; i < sizeof sem / sizeof sem[0]; i++) touch(&out, sem[i]);
        for (size_t i = 0; i < ev->nfields; i++) {
            touch(&out, ev->fields[i].name);
            ks_value_format(&out, &ev->fields[i].value, KS_ESC_JSON);
            ks_value_text(&out, &ev->fields[i].value);
        }
        sink += out.len + ev->nfields + ev->event_id + ev->level + (size_t)ev->time_ns +
                ev->record_id + ev->offset + (size_t)m->outcome + (size_t)m->logon_type;
    }
    const ks_source_stats *st = ks_source_get_stats(s);
    sink += st->events + st->skipped + st->ignored + st->unrecognized + strlen(st->assumed);
    ks_source_close(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sink += (size_t)ks_reader_syslog.sniff((const char *)data, size);
    sink += ks_format_detect(data, size, NULL);
    ks_field kv[64];
    size_t n = ks_syslog_kv((ks_str){(const char *)data, size}, kv, 64);
    for (size_t i = 0; i < n; i++) sink += kv[i].name.len + kv[i].value.size;
    sink += ks_syslog_kv_get(kv, n, "user").len;
    read_as(data, size, KS_ENC_UTF8, 0, NULL);
    read_as(data, size, KS_ENC_AUTO, 2024, "+09:00");
    return 0;
}
