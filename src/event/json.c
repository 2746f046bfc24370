/* The normalized event as one JSON object per line (`kensa dump --format events`, and
 * the default for sources other than EVTX): the event model's columns, the semantic
 * fields that are set, all named fields as text, and where the event came from. */
#include <string.h>

#include "kensa/event.h"
#include "kensa/time.h"

static void key(ks_buf *out, const char *k)
{
    ks_buf_puts(out, ",\"");
    ks_buf_puts(out, k);
    ks_buf_puts(out, "\":");
}

static void str(ks_buf *out, const char *k, ks_str v, int always)
{
    if (!v.len && !always) return;
    key(out, k);
    ks_buf_putc(out, '"');
    ks_escape_utf8(out, v.p, v.len, KS_ESC_JSON);
    ks_buf_putc(out, '"');
}

static void num(ks_buf *out, const char *k, uint64_t v)
{
    key(out, k);
    ks_buf_u64(out, v);
}

void ks_event_write_fields_json(ks_buf *out, const ks_event *ev)
{
    ks_buf_putc(out, '{');
    for (size_t i = 0; i < ev->nfields; i++) {
        const ks_field *f = &ev->fields[i];
        if (i) ks_buf_putc(out, ',');
        ks_buf_putc(out, '"');
        ks_escape_utf8(out, f->name.p, f->name.len, KS_ESC_JSON);
        ks_buf_puts(out, "\":\"");
        ks_value_format(out, &f->value, KS_ESC_JSON);
        ks_buf_putc(out, '"');
    }
    ks_buf_putc(out, '}');
}

void ks_event_write_json(ks_buf *out, const ks_event *ev, const char *file, const char *format)
{
    ks_buf_puts(out, "{\"time\":\"");
    ks_time_format(out, ev->time_ns, ev->time_ns % 100 ? 9 : 7);
    ks_buf_putc(out, '"');
    str(out, "host", ev->host, 1);
    str(out, "channel", ev->channel, 1);
    str(out, "provider", ev->provider, 1);
    num(out, "event_id", ev->event_id);
    num(out, "record_id", ev->record_id);
    num(out, "level", ev->level);
    str(out, "user_sid", ev->user_sid, 0);
    const ks_semantic *s = &ev->sem;
    str(out, "user", s->user, 0);
    str(out, "domain", s->domain, 0);
    str(out, "src_ip", s->src_ip, 0);
    str(out, "src_host", s->src_host, 0);
    str(out, "status", s->status, 0);
    str(out, "process", s->process, 0);
    str(out, "command_line", s->command_line, 0);
    str(out, "parent_process", s->parent_process, 0);
    str(out, "service", s->service, 0);
    str(out, "share", s->share, 0);
    str(out, "country", s->country, 0);
    str(out, "session", s->session, 0);
    str(out, "action", s->action, 0);
    if (s->logon_type >= 0) num(out, "logon_type", (uint64_t)s->logon_type);
    if (s->outcome != KS_OUTCOME_UNKNOWN)
        str(out, "outcome",
            s->outcome == KS_OUTCOME_SUCCESS ? (ks_str){"success", 7} : (ks_str){"failure", 7}, 1);
    ks_buf_puts(out, ",\"fields\":");
    ks_event_write_fields_json(out, ev);
    ks_buf_puts(out, ",\"source\":{\"file\":\"");
    if (file) ks_escape_utf8(out, file, strlen(file), KS_ESC_JSON);
    ks_buf_puts(out, "\",\"format\":\"");
    if (format) ks_buf_puts(out, format);
    ks_buf_puts(out, "\",\"offset\":");
    ks_buf_u64(out, ev->offset);
    ks_buf_puts(out, "}}\n");
}
