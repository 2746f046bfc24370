/* Time zones for times written without one (RFC 3164 syslog, LogParser and Event
 * Viewer CSV): a fixed offset ("+09:00", "UTC") or an IANA zone read from the
 * system's TZif files (/usr/share/zoneinfo), with its DST history. */
#ifndef KS_UTIL_TZ_H
#define KS_UTIL_TZ_H

#include <stdint.h>

#include "kensa/status.h"

typedef struct ks_tz ks_tz;

/* name: "+09:00", "-0500", "UTC", "Z", an IANA name ("Asia/Tokyo"), or NULL for the
 * machine's zone (TZ, else /etc/localtime, else UTC). The zone's display name is
 * written to ks_tz_name. */
ks_status ks_tz_open(ks_tz **out, const char *name, ks_diag *diag);
void ks_tz_close(ks_tz **tz);
const char *ks_tz_name(const ks_tz *tz);

/* Offset from UTC in seconds at UTC time t (seconds since 1970). */
int32_t ks_tz_offset_at(const ks_tz *tz, int64_t t);
/* Local wall-clock seconds to UTC seconds (for a time that falls in a DST gap or
 * overlap, the earlier reading). */
int64_t ks_tz_local_to_utc(const ks_tz *tz, int64_t local);

#endif
