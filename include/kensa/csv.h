/* Windows events as LogParser's CSV (`LogParser -i:EVT -o:CSV "SELECT * FROM ..."`):
 * what `kensa dump --format csv` writes, and what the CSV reader reads back.
 *
 * Columns: EventLog, RecordNumber, TimeGenerated, TimeWritten, EventID, EventType,
 * EventTypeName, EventCategory, EventCategoryName, SourceName, Strings, ComputerName,
 * SID, Message, Data. Times are local wall-clock time to the second ("2024-01-02
 * 03:04:05"); Strings are the EventData / UserData values joined with '|'; Data is the
 * event's <Binary> in hex. Message and EventCategoryName stay empty (rendering them
 * needs the providers' message files). Records end with CRLF, as on Windows. */
#ifndef KENSA_CSV_H
#define KENSA_CSV_H

#include "kensa/buf.h"
#include "kensa/event.h"
#include "kensa/status.h"

/* Append the header line. */
void ks_csv_write_header(ks_buf *out);

/* Append one event, times in the machine's zone (TZ, else /etc/localtime). */
void ks_csv_write_event(ks_buf *out, const ks_event *ev);

/* The same with times in `tz` (as ks_source_opts.tz: "+09:00", "UTC", "Asia/Tokyo";
 * NULL for the machine's zone). KS_ERR_ARG, and nothing written, when tz is not a
 * zone. */
ks_status ks_csv_write_event_tz(ks_buf *out, const ks_event *ev, const char *tz);

#endif
