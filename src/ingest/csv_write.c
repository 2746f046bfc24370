/* Writing events in LogParser's CSV shape (include/kensa/csv.h), for `kensa dump
 * --format csv` and for the round trip that tests the CSV reader. Fields become the
 * pipe-joined Strings in event order; a final <Binary> goes to the Data column, as the
 * classic event log API keeps it apart from the strings. */
#include "kensa/csv.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "ingest/csv_tables.h"
#include "kensa/time.h"
#include "util/tz.h"

void ks_csv_write_header(ks_buf *out)
{
    ks_buf_puts(out, "EventLog,RecordNumber,TimeGenerated,TimeWritten,EventID,EventType,"
                     "EventTypeName,EventCategory,EventCategoryName,SourceName,Strings,"
                     "ComputerName,SID,Message,Data\r\n");
}

/* One cell: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
static void put_cell(ks_buf *out, const char *p, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!quote) {
        ks_buf_append(out, p, n);
        return;
    }
    ks_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"') ks_buf_putc(out, '"');
        ks_buf_putc(out, p[i]);
    }
    ks_buf_putc(out, '"');
}

static void put_str(ks_buf *out, ks_str s)
{
    put_cell(out, s.p, s.len);
}

/* "YYYY-MM-DD HH:MM:SS" of UTC ns shifted by off seconds. */
static void put_local(ks_buf *out, int64_t ns, int32_t off)
{
    int64_t sec = ns / 1000000000;
    if (ns % 1000000000 < 0) sec--;
    sec += off;
    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0) days--, rem += 86400;
    int64_t y;
    unsigned m, d;
    ks_civil_from_days(days, &y, &m, &d);
    ks_buf_printf(out, "%04lld-%02u-%02u %02u:%02u:%02u", (long long)y, m, d,
                  (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

/* The zone of the last call, kept open: opening a zone reads a TZif file. */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static ks_tz *zone;
static char zone_name[128];
static bool zone_machine;

static bool zone_offset(const char *tz, int64_t ns, int32_t *off)
{
    bool ok = true;
    pthread_mutex_lock(&zone_lock);
    bool same = zone && (tz ? !zone_machine && strcmp(zone_name, tz) == 0 : zone_machine);
    if (!same) {
        ks_tz_close(&zone);
        ks_diag d;
        if (tz && strlen(tz) >= sizeof zone_name) {
            ok = false;
        } else if (ks_tz_open(&zone, tz, &d) != KS_OK) {
            zone = NULL, ok = false;
        } else {
            zone_machine = !tz;
            if (tz) memcpy(zone_name, tz, strlen(tz) + 1);
        }
    }
    if (ok) {
        int64_t sec = ns / 1000000000;
        if (ns % 1000000000 < 0) sec--;
        *off = ks_tz_offset_at(zone, sec);
    }
    pthread_mutex_unlock(&zone_lock);
    return ok;
}

static bool is_binary(const ks_field *f)
{
    return f->name.len == 6 && memcmp(f->name.p, "Binary", 6) == 0;
}

ks_status ks_csv_write_event_tz(ks_buf *out, const ks_event *ev, const char *tz)
{
    int32_t off = 0;
    if (!zone_offset(tz, ev->time_ns, &off)) return KS_ERR_ARG;
    /* EventType as the classic API reports it */
    unsigned type = 4;
    const char *type_name = "Information event";
    if (ev->keywords & KS_KW_AUDIT_SUCCESS) {
        type = 8, type_name = "Success Audit event";
    } else if (ev->keywords & KS_KW_AUDIT_FAILURE) {
        type = 16, type_name = "Failure Audit event";
    } else if (ev->level == 1 || ev->level == 2) {
        type = 1, type_name = "Error event";
    } else if (ev->level == 3) {
        type = 2, type_name = "Warning event";
    }
    size_t nf = ev->nfields;
    const ks_field *bin = NULL;
    if (nf && is_binary(&ev->fields[nf - 1])) bin = &ev->fields[--nf];

    put_str(out, ev->channel);
    ks_buf_printf(out, ",%llu,", (unsigned long long)ev->record_id);
    put_local(out, ev->time_ns, off);
    ks_buf_putc(out, ',');
    put_local(out, ev->time_ns, off);
    ks_buf_printf(out, ",%u,%u,%s,%u,,", ev->event_id, type, type_name, ev->task);
    put_str(out, ev->provider);
    ks_buf_putc(out, ',');
    ks_buf strings = {0};
    for (size_t i = 0; i < nf; i++) {
        if (i) ks_buf_putc(&strings, '|');
        ks_value_text(&strings, &ev->fields[i].value);
    }
    put_cell(out, strings.data, strings.failed ? 0 : strings.len);
    ks_buf_putc(out, ',');
    put_str(out, ev->host);
    ks_buf_putc(out, ',');
    put_str(out, ev->user_sid);
    ks_buf_puts(out, ",,"); /* Message: needs the provider's message file */
    if (bin) {
        ks_buf_reset(&strings);
        ks_value_text(&strings, &bin->value);
        put_cell(out, strings.data, strings.failed ? 0 : strings.len);
    }
    ks_buf_free(&strings);
    ks_buf_puts(out, "\r\n");
    return KS_OK;
}

void ks_csv_write_event(ks_buf *out, const ks_event *ev)
{
    if (ks_csv_write_event_tz(out, ev, NULL) != KS_OK) /* no machine zone: UTC */
        (void)ks_csv_write_event_tz(out, ev, "UTC");
}
