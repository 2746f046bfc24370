/* The contract between ks_source (src/ingest/source.c) and the readers of each text
 * format (one file per format: xml.c, csv.c, jsonl.c, syslog.c and its vendors).
 *
 * The source maps the file, detects its encoding and hands readers UTF-8 lines; a
 * reader turns lines into ks_event values whose strings live in the source's
 * per-event arena (reset before each event). After a reader returns an event, the
 * source fills the semantic fields from the field-mapping table (ks_event_map), only
 * where the reader left them empty, and keeps the counts. */
#ifndef KS_INGEST_READER_H
#define KS_INGEST_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/source.h"
#include "util/arena.h"

/* One line of text, UTF-8, without its line ending. Valid until the next
 * ks_source_line call or the next event. */
typedef struct ks_line {
    const char *p;
    size_t len;
    uint64_t offset; /* byte offset of the line's start in the file (original encoding) */
    uint64_t lineno; /* 1-based */
} ks_line;

/* The next line of the file decoded to UTF-8 (a BOM is dropped; bytes invalid in
 * the encoding become U+FFFD). false at the end. */
bool ks_source_line(ks_source *s, ks_line *line);
/* Give the last line back: the next ks_source_line returns it again (once). */
void ks_source_unread_line(ks_source *s);

/* Memory for the current event, freed when the next event is read. NULL when out of
 * memory or over the per-event limit. ks_source_str copies n bytes and adds a NUL. */
void *ks_source_alloc(ks_source *s, size_t n);
ks_str ks_source_str(ks_source *s, const char *p, size_t n);
/* A scratch buffer readers may use freely (reset it before use). */
ks_buf *ks_source_scratch(ks_source *s);

/* Report a problem. KS_SEV_ERROR means a record or line was skipped and is counted
 * in stats.skipped; the excerpt (may be NULL) is the start of the bad line. */
void ks_source_report(ks_source *s, ks_severity sev, ks_status st, uint64_t offset, uint64_t lineno,
                      const char *excerpt, size_t excerpt_len, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* Count a line that carries no event (blank, comment, header) or a syslog line of
 * no known vendor. */
void ks_source_count_ignored(ks_source *s);
void ks_source_count_unrecognized(ks_source *s);
/* Say what had to be assumed (appears in stats.assumed; printf-style, replaces). */
void ks_source_assume(ks_source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const ks_source_opts *ks_source_get_opts(const ks_source *s);
const char *ks_source_path(const ks_source *s); /* the name given at open */
/* The file's modification time (ns since 1970, 0 for memory sources). */
int64_t ks_source_mtime(const ks_source *s);

/* Local wall-clock time (ns since 1970 as if the local time were UTC) to UTC, in the
 * zone of opts.tz (the machine's when NULL). The first call records the zone in
 * stats.assumed. */
int64_t ks_source_local_to_utc(ks_source *s, int64_t local_ns);

typedef struct ks_reader_ops {
    ks_format format;
    /* Confidence 0..100 that this text (the file's first lines, UTF-8) is this
     * format; the highest wins, 0 means no. */
    int (*sniff)(const char *head, size_t n);
    ks_status (*open)(ks_source *s, void **state, ks_diag *diag);
    /* Fill ev (zeroed by the caller, sem.logon_type = -1) with the next event and set
     * *got; *got = false at the end. Bad input is reported and skipped, not
     * returned as an error; an error status stops the file. */
    ks_status (*next)(ks_source *s, void *state, ks_event *ev, bool *got);
    void (*close)(void *state);
} ks_reader_ops;

extern const ks_reader_ops ks_reader_xml;
extern const ks_reader_ops ks_reader_csv;
extern const ks_reader_ops ks_reader_jsonl;
extern const ks_reader_ops ks_reader_syslog;

#endif
