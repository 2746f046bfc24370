/* Time: kensa keeps UTC nanoseconds since 1970 everywhere (int64: years 1678-2262). */
#ifndef KENSA_TIME_H
#define KENSA_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"

/* FILETIME (100 ns ticks since 1601) to ns since 1970, saturating outside int64. */
int64_t ks_time_from_filetime(uint64_t ft);

/* Append "YYYY-MM-DDTHH:MM:SS.fffffffffZ" with `digits` fraction digits (0-9). */
void ks_time_format(ks_buf *out, int64_t ns, int digits);
/* The same for a FILETIME over its whole range (years 1601-60056). */
void ks_filetime_format(ks_buf *out, uint64_t ft, int digits);

/* Days since 1970-01-01 to a civil date, and back (proleptic Gregorian). */
void ks_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
int64_t ks_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Parse ISO 8601 / RFC 3339 "YYYY-MM-DD[T ]HH:MM:SS[.f...][Z|+HH[:]MM]" (exactly n
 * bytes, fraction up to 9 digits kept). Without a zone the time is taken as UTC and
 * *has_zone (may be NULL) is false, so the caller can apply a local zone. 1 if parsed. */
int ks_time_parse_iso8601(const char *p, size_t n, int64_t *ns, bool *has_zone);

#endif
