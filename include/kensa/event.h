/* The event: one normalized record, whatever its source (EVTX, exports, syslog).
 *
 * An event handed out by a reader is a borrowed view, valid until the reader's next
 * read; strings point into the reader's buffers. */
#ifndef KENSA_EVENT_H
#define KENSA_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/value.h"

/* A UTF-8 string view (not NUL-terminated; len 0 when absent). */
typedef struct ks_str {
    const char *p;
    size_t len;
} ks_str;

/* One named field (EventData Data Name=..., a UserData element, a syslog key). */
typedef struct ks_field {
    ks_str name;
    ks_value value;
} ks_field;

typedef struct ks_event {
    /* where it came from */
    uint64_t offset;    /* byte offset of the record in its file */
    uint64_t record_id; /* EventRecordID (EVTX) or line number */
    /* when: UTC, nanoseconds since 1970 (FILETIME's 100 ns kept) */
    int64_t time_ns;
    /* System */
    ks_str host;     /* Computer */
    ks_str channel;  /* Channel */
    ks_str provider; /* Provider Name (or EventSourceName) */
    ks_str provider_guid;
    ks_str user_sid; /* Security UserID */
    uint32_t event_id;
    uint16_t qualifiers;
    bool has_qualifiers;
    uint8_t level;
    uint8_t version;
    uint8_t opcode;
    uint16_t task;
    uint64_t keywords;
    uint32_t process_id, thread_id;
    /* EventData / UserData, in document order */
    const ks_field *fields;
    size_t nfields;
} ks_event;

/* The first field called `name` (exact, case-sensitive), or NULL. */
const ks_field *ks_event_field(const ks_event *ev, const char *name);

#endif
