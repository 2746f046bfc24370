/* A finding as one JSON object: what `kensa hunt --format jsonl` prints and what
 * `kensa investigate` writes to findings.jsonl (with its chain and stage added). */
#include <string.h>

#include "kensa/detect.h"
#include "kensa/time.h"

static void str(ks_buf *b, const char *s)
{
    ks_buf_putc(b, '"');
    if (s) ks_escape_utf8(b, s, strlen(s), KS_ESC_JSON);
    ks_buf_putc(b, '"');
}

static void key(ks_buf *b, const char *k, const char *v)
{
    ks_buf_puts(b, ",\"");
    ks_buf_puts(b, k);
    ks_buf_puts(b, "\":");
    str(b, v);
}

static void time_or_null(ks_buf *b, int64_t ns)
{
    if (!ns) {
        ks_buf_puts(b, "null");
        return;
    }
    ks_buf_putc(b, '"');
    ks_time_format(b, ns, 7); /* FILETIME's 100 ns: the record's own time */
    ks_buf_putc(b, '"');
}

void ks_finding_write_json(ks_buf *b, const ks_finding *f, const char *extra)
{
    ks_buf_puts(b, "{\"detector\":");
    str(b, f->detector->id);
    ks_buf_puts(b, ",\"categories\":[");
    for (int i = 0; i < KS_DETECT_MAX_CATEGORIES && f->categories[i]; i++) {
        if (i) ks_buf_putc(b, ',');
        str(b, f->categories[i]);
    }
    ks_buf_putc(b, ']');
    key(b, "attack", f->detector->attack);
    key(b, "severity", ks_level_name(f->severity));
    key(b, "host", f->host);
    key(b, "user", f->user);
    key(b, "src_ip", f->src_ip);
    ks_buf_puts(b, ",\"first\":");
    time_or_null(b, f->first_ns);
    ks_buf_puts(b, ",\"last\":");
    time_or_null(b, f->last_ns);
    key(b, "title", f->detector->title[ks_lang_get() == KS_LANG_JA]);
    key(b, "explanation", f->explanation);
    if (f->detail[0]) key(b, "detail", f->detail);
    ks_buf_puts(b, ",\"count\":");
    ks_buf_u64(b, f->count);
    if (extra) ks_buf_puts(b, extra);
    ks_buf_puts(b, ",\"evidence\":[");
    for (size_t i = 0; i < f->nevidence; i++) {
        if (i) ks_buf_putc(b, ',');
        ks_buf_puts(b, "{\"file\":");
        str(b, f->evidence[i].file);
        ks_buf_puts(b, ",\"record_id\":");
        ks_buf_u64(b, f->evidence[i].record_id);
        ks_buf_puts(b, ",\"time\":");
        time_or_null(b, f->evidence[i].time_ns);
        ks_buf_putc(b, '}');
    }
    ks_buf_puts(b, "]}");
}
