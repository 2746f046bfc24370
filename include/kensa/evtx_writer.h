/* Writing .evtx files from events: what tests, examples and `kensa simulate` use to
 * make evidence with known content. The output is a valid EVTX file (file header,
 * 64 KiB chunks with correct CRC32s, templates and a string table) that Windows'
 * own tools and other parsers read. */
#ifndef KENSA_EVTX_WRITER_H
#define KENSA_EVTX_WRITER_H

#include "kensa/event.h"
#include "kensa/status.h"

/* An open output file. The Binary XML is laid out as Windows writes it: each record
 * is a template instance; a template (one per event shape: the EventID type and the
 * EventData field names, order and value types) and every element name are stored
 * inline on their first use in a chunk and referenced afterwards. */
typedef struct ks_evtx_writer ks_evtx_writer;

/* Create (or truncate) the file at path. diag (optional) is kept by the writer and
 * filled on any failure of open, add or close, so it must outlive the writer. */
ks_status ks_evtx_writer_open(ks_evtx_writer **out, const char *path, ks_diag *diag);

/* Append one record. The System element is written from the event's fields
 * (provider and its GUID, event_id with qualifiers when has_qualifiers, version,
 * level, task, opcode, keywords, time_ns, process/thread id, channel, host,
 * user_sid) and ev->fields become <EventData><Data Name="...">; values keep their
 * types (KS_VT_UTF8 strings are written as UTF-16). EventRecordID is assigned in
 * sequence from 1. The event is only read.
 *
 * Details: provider_guid is GUID text ("{...}", braces optional) and user_sid SID
 * text ("S-1-5-21-..."); either may be empty (the attribute is left out). Times are
 * rounded down to FILETIME's 100 ns. A field with an empty name becomes a <Data>
 * without Name, as classic events have. Invalid UTF-8 becomes U+FFFD; a
 * KS_VT_SIZET value is written as the hex integer of its size (as Windows pairs
 * them); a KS_VT_NULL value as an empty string (libevtx refuses null values in a
 * <Data>). Arrays of fixed-size types, of strings (KS_VT_STRING, KS_VT_ANSI,
 * KS_VT_UTF8: items separated by NUL) and of SIDs are written; Binary XML and
 * handle values are not (KS_ERR_UNSUPPORTED). A value over 65535 bytes or an event
 * that does not fit in a chunk gives KS_ERR_LIMIT. A refused event writes nothing
 * and takes no record id; later events can still be added (after a failed write to
 * the file every call fails). */
ks_status ks_evtx_writer_add(ks_evtx_writer *w, const ks_event *ev);

/* Flush the last chunk, write the file header and close. *w is set to NULL (NULL
 * is fine). A file without events has a header and no chunks. */
ks_status ks_evtx_writer_close(ks_evtx_writer **w);

#endif
