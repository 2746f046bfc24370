/* Text conversion to UTF-8 with escaping done in the same pass: UTF-16LE (EVTX
 * strings), Windows-1252 (EVTX ANSI strings) and UTF-8 (checked and repaired). */
#ifndef KS_UTIL_UTF16_H
#define KS_UTIL_UTF16_H

#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/value.h"

/* Append n UTF-16LE code units from p (unaligned is fine). Unpaired surrogates
 * become U+FFFD; NUL units are dropped for XML and kept as \u0000 for JSON. */
void ks_utf16_append(ks_buf *out, const uint8_t *p, size_t n, ks_escape esc);
/* Append n Windows-1252 bytes. */
void ks_cp1252_append(ks_buf *out, const uint8_t *p, size_t n, ks_escape esc);

/* Number of UTF-16 units in p[0..n) before trailing NULs. */
size_t ks_utf16_trim(const uint8_t *p, size_t n);

#endif
