/* The event: one normalized record, whatever its source (EVTX, exports, syslog).
 *
 * An event handed out by a reader is a borrowed view, valid until the reader's next
 * read; strings point into the reader's buffers. */
#ifndef KENSA_EVENT_H
#define KENSA_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
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

/* What a line or event says happened, when the source says it (VPN lines, logons). */
typedef enum ks_outcome {
    KS_OUTCOME_UNKNOWN = 0,
    KS_OUTCOME_SUCCESS,
    KS_OUTCOME_FAILURE,
} ks_outcome;

/* The semantic fields detectors use, the same whatever the source. Filled by the
 * field-mapping table (src/event/map.c) for Windows events, by the vendor parser for
 * syslog lines. Absent strings have len 0. */
typedef struct ks_semantic {
    ks_str user;     /* the account acted on or logging on (TargetUserName, VPN user) */
    ks_str domain;   /* its domain */
    ks_str src_ip;   /* the remote address (IpAddress, VPN client address) */
    ks_str src_host; /* the remote workstation name */
    ks_str status;   /* failure status / reason code, as written ("0xc000006d") */
    ks_str process;  /* image path of the process created or acting */
    ks_str command_line;
    ks_str parent_process;
    ks_str service; /* service name (7045, 7036) or the VPN / auth service */
    ks_str share;   /* share name (5140, 5145) */
    ks_str country; /* enrichment: ISO 3166 code of src_ip, when known */
    ks_str session; /* logon id (TargetLogonId) or the VPN session / tunnel id */
    ks_str action;  /* syslog: what the line reports, one word of KS_ACTION_* */
    int logon_type; /* 4624/4625 LogonType; -1 when the event has none */
    ks_outcome outcome;
} ks_semantic;

/* Values of ks_semantic.action for VPN / firewall lines. */
#define KS_ACTION_VPN_LOGIN "vpn_login"     /* a VPN user authenticates (outcome says how) */
#define KS_ACTION_VPN_LOGOUT "vpn_logout"   /* a VPN session ends */
#define KS_ACTION_TUNNEL_UP "tunnel_up"     /* an IPsec / SSL tunnel comes up */
#define KS_ACTION_TUNNEL_DOWN "tunnel_down" /* ... or goes down */
#define KS_ACTION_ADMIN_LOGIN "admin_login" /* someone logs on to the device itself */
#define KS_ACTION_AUTH "auth"               /* other authentication (AAA, RADIUS, sshd) */
#define KS_ACTION_TRAFFIC "traffic"         /* a firewall allow / deny line */

typedef struct ks_event {
    /* where it came from */
    uint64_t offset;    /* byte offset of the record (or line) in its file */
    uint64_t record_id; /* EventRecordID (EVTX, exports) or line number (syslog) */
    /* when: UTC, nanoseconds since 1970 (FILETIME's 100 ns kept) */
    int64_t time_ns;
    /* System. A syslog line has host = the device's name, channel = "syslog",
     * provider = the vendor parser's name ("fortigate", "cisco-asa", ...) and
     * event_id = the vendor's numeric message id when the line has one (else 0). */
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
    /* EventData / UserData (or the line's key=value pairs), in document order */
    const ks_field *fields;
    size_t nfields;
    /* filled by field mapping; see ks_semantic */
    ks_semantic sem;
} ks_event;

/* The first field called `name` (exact, case-sensitive), or NULL. */
const ks_field *ks_event_field(const ks_event *ev, const char *name);

/* Append ev as one line of normalized JSON ({"time":..,"host":..,..,"fields":{..},
 * "source":{"file":..,"format":..,"offset":..}}). The semantic fields appear only
 * when set. file and format may be NULL. */
void ks_event_write_json(ks_buf *out, const ks_event *ev, const char *file, const char *format);
/* Append only its "fields" object: every field as text, in document order. */
void ks_event_write_fields_json(ks_buf *out, const ks_event *ev);

#endif
