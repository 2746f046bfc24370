/* The event columns of the case (table `events`) and of the table-valued functions
 * over files: names, types, and the value of each column for one ks_event. Absent
 * semantic fields are SQL NULL; time is ISO 8601 UTC with 7 fraction digits, so
 * that text order is time order. `country` is the event's own, else the country
 * database's for an outside src_ip. */
#include <stdlib.h>
#include <string.h>

#include "kensa/time.h"
#include "kensa/value.h"
#include "store.h"
#include "util/addr.h"

const char *const ks_store_col_name[KS_COL_COUNT] = {
    "time",       "time_ns", "host",    "channel",      "provider",       "event_id",
    "record_id",  "level",   "user",    "domain",       "src_ip",         "src_host",
    "logon_type", "status",  "process", "command_line", "parent_process", "service",
    "share",      "country", "session", "action",       "outcome",        "fields",
};

const char *const ks_store_col_type[KS_COL_COUNT] = {
    "TEXT", "INTEGER", "TEXT", "TEXT", "TEXT",    "INTEGER", "INTEGER", "INTEGER",
    "TEXT", "TEXT",    "TEXT", "TEXT", "INTEGER", "TEXT",    "TEXT",    "TEXT",
    "TEXT", "TEXT",    "TEXT", "TEXT", "TEXT",    "TEXT",    "TEXT",    "TEXT",
};

void ks_store_row_set(ks_store_row *r, const ks_event *ev)
{
    r->ev = ev;
    r->have_time = r->have_fields = r->have_country = 0;
}

void ks_store_row_free(ks_store_row *r)
{
    ks_buf_free(&r->time);
    ks_buf_free(&r->fields);
    r->ev = NULL;
}

static void text(ks_store_val *v, ks_str s, int always)
{
    if (!s.len && !always) {
        v->type = SQLITE_NULL;
        return;
    }
    v->type = SQLITE_TEXT;
    v->p = s.len ? s.p : "";
    v->n = s.len;
}

static void integer(ks_store_val *v, int64_t i)
{
    v->type = SQLITE_INTEGER;
    v->i = i;
}

void ks_store_value(ks_store_row *r, ks_col col, ks_store_val *v)
{
    const ks_event *ev = r->ev;
    const ks_semantic *s = &ev->sem;
    memset(v, 0, sizeof *v);
    switch (col) {
    case KS_COL_TIME:
        if (!r->have_time) {
            ks_buf_reset(&r->time);
            ks_time_format(&r->time, ev->time_ns, 7);
            r->have_time = 1;
        }
        if (r->time.failed) {
            v->type = SQLITE_NULL;
            return;
        }
        v->type = SQLITE_TEXT;
        v->p = r->time.data;
        v->n = r->time.len;
        return;
    case KS_COL_TIME_NS: integer(v, ev->time_ns); return;
    case KS_COL_HOST: text(v, ev->host, 1); return;
    case KS_COL_CHANNEL: text(v, ev->channel, 1); return;
    case KS_COL_PROVIDER: text(v, ev->provider, 1); return;
    case KS_COL_EVENT_ID: integer(v, ev->event_id); return;
    case KS_COL_RECORD_ID:
        /* SQLite integers are signed; record ids past 2^63 would be bad data */
        integer(v, ev->record_id > INT64_MAX ? INT64_MAX : (int64_t)ev->record_id);
        return;
    case KS_COL_LEVEL: integer(v, ev->level); return;
    case KS_COL_USER: text(v, s->user, 0); return;
    case KS_COL_DOMAIN: text(v, s->domain, 0); return;
    case KS_COL_SRC_IP: text(v, s->src_ip, 0); return;
    case KS_COL_SRC_HOST: text(v, s->src_host, 0); return;
    case KS_COL_LOGON_TYPE:
        if (s->logon_type < 0)
            v->type = SQLITE_NULL;
        else
            integer(v, s->logon_type);
        return;
    case KS_COL_STATUS: text(v, s->status, 0); return;
    case KS_COL_PROCESS: text(v, s->process, 0); return;
    case KS_COL_COMMAND_LINE: text(v, s->command_line, 0); return;
    case KS_COL_PARENT_PROCESS: text(v, s->parent_process, 0); return;
    case KS_COL_SERVICE: text(v, s->service, 0); return;
    case KS_COL_SHARE: text(v, s->share, 0); return;
    case KS_COL_COUNTRY:
        if (s->country.len || !r->geo || !s->src_ip.len || ks_addr_is_internal(s->src_ip)) {
            text(v, s->country, 0);
            return;
        }
        if (!r->have_country && !ks_geoip_country(r->geo, s->src_ip, r->country)) r->country[0] = 0;
        r->have_country = 1;
        text(v, (ks_str){r->country, strlen(r->country)}, 0);
        return;
    case KS_COL_SESSION: text(v, s->session, 0); return;
    case KS_COL_ACTION: text(v, s->action, 0); return;
    case KS_COL_OUTCOME:
        if (s->outcome == KS_OUTCOME_SUCCESS)
            text(v, (ks_str){"success", 7}, 1);
        else if (s->outcome == KS_OUTCOME_FAILURE)
            text(v, (ks_str){"failure", 7}, 1);
        else
            v->type = SQLITE_NULL;
        return;
    case KS_COL_FIELDS:
        if (!r->have_fields) {
            ks_buf_reset(&r->fields);
            ks_event_write_fields_json(&r->fields, ev);
            r->have_fields = 1;
        }
        if (r->fields.failed) {
            v->type = SQLITE_NULL;
            return;
        }
        v->type = SQLITE_TEXT;
        v->p = r->fields.data;
        v->n = r->fields.len;
        return;
    case KS_COL_COUNT: break;
    }
    v->type = SQLITE_NULL;
}
