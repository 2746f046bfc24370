/* Writing .evtx files from events: what tests, examples and `kensa simulate` use to
 * make evidence with known content. The output is a valid EVTX file (file header,
 * 64 KiB chunks with correct CRC32s, templates and a string table) that Windows'
 * own tools and other parsers read. */
#ifndef KENSA_EVTX_WRITER_H
#define KENSA_EVTX_WRITER_H

#include "kensa/event.h"
#include "kensa/status.h"

typedef struct ks_evtx_writer ks_evtx_writer;

/* Create (or truncate) the file at path. */
ks_status ks_evtx_writer_open(ks_evtx_writer **out, const char *path, ks_diag *diag);

/* Append one record. The System element is written from the event's fields
 * (provider and its GUID, event_id with qualifiers when has_qualifiers, version,
 * level, task, opcode, keywords, time_ns, process/thread id, channel, host,
 * user_sid) and ev->fields become <EventData><Data Name="...">; values keep their
 * types (KS_VT_UTF8 strings are written as UTF-16). EventRecordID is assigned in
 * sequence from 1. The event is only read. */
ks_status ks_evtx_writer_add(ks_evtx_writer *w, const ks_event *ev);

/* Flush the last chunk, write the file header and close. *w is set to NULL. */
ks_status ks_evtx_writer_close(ks_evtx_writer **w);

#endif
