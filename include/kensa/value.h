/* Typed values: what an event field holds, whatever the source.
 *
 * The type codes are those of Windows Binary XML (so EVTX values need no
 * translation), extended with a few kensa codes for values read from text sources.
 * A ks_value is a borrowed view of bytes owned by whoever produced it. */
#ifndef KENSA_VALUE_H
#define KENSA_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "kensa/buf.h"

typedef enum ks_vtype {
    KS_VT_NULL = 0x00,
    KS_VT_STRING = 0x01, /* UTF-16LE, not NUL-terminated (may carry trailing NULs) */
    KS_VT_ANSI = 0x02,   /* 8-bit string in a code page (treated as Windows-1252) */
    KS_VT_INT8 = 0x03,
    KS_VT_UINT8 = 0x04,
    KS_VT_INT16 = 0x05,
    KS_VT_UINT16 = 0x06,
    KS_VT_INT32 = 0x07,
    KS_VT_UINT32 = 0x08,
    KS_VT_INT64 = 0x09,
    KS_VT_UINT64 = 0x0a,
    KS_VT_REAL32 = 0x0b,
    KS_VT_REAL64 = 0x0c,
    KS_VT_BOOL = 0x0d, /* 32-bit */
    KS_VT_BINARY = 0x0e,
    KS_VT_GUID = 0x0f,
    KS_VT_SIZET = 0x10, /* 4 or 8 bytes, shown in hex */
    KS_VT_FILETIME = 0x11,
    KS_VT_SYSTIME = 0x12,
    KS_VT_SID = 0x13,
    KS_VT_HEX32 = 0x14,
    KS_VT_HEX64 = 0x15,
    KS_VT_EVTHANDLE = 0x20,
    KS_VT_BINXML = 0x21,
    KS_VT_EVTXML = 0x23,
    KS_VT_UTF8 = 0x30, /* kensa: UTF-8 text, not NUL-terminated */
    KS_VT_ARRAY = 0x80 /* flag: an array of the base type */
} ks_vtype;

typedef struct ks_value {
    const uint8_t *data;
    uint32_t size;
    uint8_t type; /* ks_vtype, possibly | KS_VT_ARRAY */
} ks_value;

/* How text is escaped while formatting. */
typedef enum ks_escape {
    KS_ESC_NONE = 0,
    KS_ESC_XML_TEXT, /* & < > */
    KS_ESC_XML_ATTR, /* & < > " */
    KS_ESC_JSON      /* the inside of a JSON string */
} ks_escape;

/* Append the value's text the way Windows renders it (decimal integers, 0x-hex,
 * {GUID} upper case, S-1-... SIDs, ISO 8601 UTC times with 100 ns digits, upper
 * case hex for binary). Arrays are written item by item, separated by ", "
 * (renderers write an array in an element as one element per item instead).
 * Malformed values (wrong size) are written as their hex bytes. */
void ks_value_format(ks_buf *out, const ks_value *v, ks_escape esc);

/* The size of a value of a fixed-size type (1 for INT8 ... 16 for GUID), 0 for
 * variable-size types and SizeT (4 or 8). */
uint32_t ks_vtype_size(uint8_t type);

/* Item `i` of an array value (or the value itself for i == 0 of a scalar); returns
 * false when there is no such item. ks_value_count gives the number of items. */
bool ks_value_item(const ks_value *v, uint32_t i, ks_value *item);
uint32_t ks_value_count(const ks_value *v);

/* The value as an unsigned integer: integer types directly, strings parsed as
 * decimal or 0x-hex. Returns false if it is not one. */
bool ks_value_u64(const ks_value *v, uint64_t *out);

/* True for the integer types whose natural JSON form is a number. */
bool ks_value_is_number(const ks_value *v);

/* Append a NUL-free UTF-8 version of a string value (UTF-16, ANSI or UTF-8), or its
 * formatted text for other types. */
void ks_value_text(ks_buf *out, const ks_value *v);

/* Escape UTF-8 text into out. */
void ks_escape_utf8(ks_buf *out, const char *s, size_t n, ks_escape esc);

#endif
