/* Internals of the case store shared by the case database (case.c) and the
 * table-valued functions over files (vtab.c): the event columns, in one place, so
 * that `events` and evtx('...') have the same columns with the same values. */
#ifndef KS_STORE_H
#define KS_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/case.h"
#include "kensa/event.h"

/* The columns of an event after `id`, in table order. */
typedef enum ks_col {
    KS_COL_TIME,
    KS_COL_TIME_NS,
    KS_COL_HOST,
    KS_COL_CHANNEL,
    KS_COL_PROVIDER,
    KS_COL_EVENT_ID,
    KS_COL_RECORD_ID,
    KS_COL_LEVEL,
    KS_COL_USER,
    KS_COL_DOMAIN,
    KS_COL_SRC_IP,
    KS_COL_SRC_HOST,
    KS_COL_LOGON_TYPE,
    KS_COL_STATUS,
    KS_COL_PROCESS,
    KS_COL_COMMAND_LINE,
    KS_COL_PARENT_PROCESS,
    KS_COL_SERVICE,
    KS_COL_SHARE,
    KS_COL_COUNTRY,
    KS_COL_SESSION,
    KS_COL_ACTION,
    KS_COL_OUTCOME,
    KS_COL_FIELDS,
    KS_COL_COUNT
} ks_col;

/* Column names and SQL types ("time", "TEXT"). */
extern const char *const ks_store_col_name[KS_COL_COUNT];
extern const char *const ks_store_col_type[KS_COL_COUNT];

/* One column's value: SQLITE_NULL, SQLITE_INTEGER (i) or SQLITE_TEXT (p, n; borrowed
 * from the event or from the scratch buffers, valid until the next event). */
typedef struct ks_store_val {
    int type;
    int64_t i;
    const char *p;
    size_t n;
} ks_store_val;

/* The time and fields text of one event, built once when first asked for. */
typedef struct ks_store_row {
    const ks_event *ev;
    ks_buf time, fields;
    int have_time, have_fields, have_country;
    /* the country of an outside src_ip the event does not name (NULL: not looked up) */
    struct ks_geoip *geo;
    char country[3];
} ks_store_row;

/* Point row at a new event (keeps the buffers). */
void ks_store_row_set(ks_store_row *r, const ks_event *ev);
void ks_store_row_free(ks_store_row *r);
void ks_store_value(ks_store_row *r, ks_col col, ks_store_val *v);

/* The case's country database, opened on first use (NULL when there is none: the
 * `country` column then holds only what the events say). */
struct ks_geoip *ks_store_geoip(ks_case *c);

/* Register evtx(), syslog(), xml(), csv(), jsonl() and events() on db. */
int ks_store_register_vtabs(sqlite3 *db, ks_case *c);

/* Problems of the table-valued functions go to the case's callback. */
void ks_store_problem(ks_case *c, const ks_problem *p);

#endif
