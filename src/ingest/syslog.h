/* Syslog: the framing (RFC 3164 / RFC 5424, src/ingest/syslog.c) and the contract of
 * the vendor parsers (one file each: syslog_fortigate.c, syslog_cisco.c, ...), which
 * are tried in the order of the table in syslog.c; the first that recognizes a
 * message fills the event. A line no vendor recognizes is still an event (channel
 * "syslog", provider "syslog") with no semantic fields, and is counted. */
#ifndef KS_INGEST_SYSLOG_H
#define KS_INGEST_SYSLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "ingest/reader.h"
#include "kensa/event.h"

/* One framed syslog message. Strings point into the current line (valid until the
 * next line is read); absent parts have len 0. */
typedef struct ks_syslog_msg {
    ks_str line;     /* the whole line as read */
    int pri;         /* <PRI> value, -1 when absent */
    int64_t time_ns; /* header time, UTC (year and zone already applied), 0 if none */
    ks_str host;     /* HOSTNAME */
    ks_str app;      /* TAG / APP-NAME ("%ASA-6-113005" stays in msg for Cisco) */
    ks_str procid;
    ks_str msgid; /* RFC 5424 MSGID */
    ks_str msg;   /* the message after the header */
    uint64_t lineno, offset;
} ks_syslog_msg;

typedef struct ks_syslog_vendor {
    const char *name; /* becomes ev->provider: "fortigate", "cisco-asa", ... */
    /* If this vendor's message: fill ev (event_id when the vendor numbers messages,
     * fields, sem.user/src_ip/session/action/outcome/...; time_ns when the message
     * carries a better time than the header) and return true. Strings either point
     * into m->line or are copied with ks_source_str. Must not report problems for
     * lines that are simply not its own. */
    bool (*parse)(ks_source *s, const ks_syslog_msg *m, ks_event *ev);
} ks_syslog_vendor;

/* Helpers for the vendor parsers (syslog.c). */

/* Vendor times past this (2200-01-01) are not plausible log times. */
#define KS_SYSLOG_LATEST_NS ((int64_t)7258118400 * 1000000000)

/* A vendor's fields, built in the event's arena: at most cap, empty values left out. */
typedef struct ks_syslog_fields {
    ks_field *f; /* NULL when out of memory: adding does nothing */
    size_t n, cap;
} ks_syslog_fields;

ks_syslog_fields ks_syslog_fields_new(ks_source *s, size_t cap);
/* Append name = v (UTF-8 text) unless v is empty or the list is full. */
void ks_syslog_fields_add(ks_syslog_fields *b, const char *name, ks_str v);
/* Hand the list to ev (ev->fields, ev->nfields). */
void ks_syslog_fields_put(const ks_syslog_fields *b, ks_event *ev);

/* An IPv4 address (dotted quad, no leading zeros) or an IPv6 one. */
bool ks_syslog_is_ip(ks_str t);
/* Looks like an IPv4 or IPv6 address (2 to 45 hex digits, dots and colons, with a dot or
 * a colon): what the vendor parsers take as the address in their wording. */
bool ks_syslog_looks_like_ip(ks_str w);
/* The "id=" that starts a WELF key=value part (SonicWall, Pulse), at the start of t or
 * after a space; -1 if none. */
long ks_syslog_welf_start(ks_str t);
/* ev->level (1 critical .. 5 verbose) of a syslog severity (PRI & 7); 0 for pri -1. */
uint8_t ks_syslog_level(int pri);

/* key=value pairs ("k=v k2=\"quoted v\""), as FortiGate, SonicWall and Pulse write
 * them: up to max pairs into out (names and values point into text; quotes removed
 * from values). Returns the number of pairs. */
size_t ks_syslog_kv(ks_str text, ks_field *out, size_t max);
/* The value of key in pairs (exact match), or an empty ks_str. */
ks_str ks_syslog_kv_get(const ks_field *kv, size_t n, const char *key);

extern const ks_syslog_vendor ks_syslog_fortigate, ks_syslog_cisco_asa, ks_syslog_paloalto,
    ks_syslog_sonicwall, ks_syslog_pulse, ks_syslog_openvpn, ks_syslog_yamaha, ks_syslog_sshd;

#endif
