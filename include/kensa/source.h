/* Evidence files of every format kensa reads, as one stream of normalized events.
 *
 * A ks_source is one open evidence file: its format is detected from its content
 * (never its name), and ks_source_next hands out its events one at a time with the
 * semantic fields filled. Events are borrowed views, valid until the next call to
 * ks_source_next or ks_source_close. The file is opened read-only and never written. */
#ifndef KENSA_SOURCE_H
#define KENSA_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/event.h"
#include "kensa/status.h"

typedef enum ks_format {
    KS_FORMAT_UNKNOWN = 0,
    KS_FORMAT_EVTX,   /* Windows event log file */
    KS_FORMAT_XML,    /* Event XML: wevtutil qe /f:xml, Get-WinEvent ToXml, Event Viewer */
    KS_FORMAT_CSV,    /* Event Viewer "Save as CSV", LogParser CSV */
    KS_FORMAT_JSONL,  /* kensa dump, evtx_dump, Winlogbeat / ECS, Wazuh eventchannel */
    KS_FORMAT_SYSLOG, /* RFC 3164 / 5424 lines from VPN and firewall devices */
    KS_FORMAT_COUNT
} ks_format;

/* "evtx", "xml", "csv", "jsonl", "syslog", "unknown". */
const char *ks_format_name(ks_format f);

/* Text encodings of the text formats (detected from BOM and content). */
typedef enum ks_encoding {
    KS_ENC_AUTO = 0,
    KS_ENC_UTF8,
    KS_ENC_UTF16LE,
    KS_ENC_UTF16BE,
    KS_ENC_CP932, /* Shift_JIS as Japanese Windows writes it */
    KS_ENC_CP1252,
} ks_encoding;

const char *ks_encoding_name(ks_encoding e);

/* Text in any of these encodings, detected from BOM and content as the text readers
 * do (or *enc when it is not KS_ENC_AUTO), appended to out as UTF-8 without the BOM;
 * *enc (may be NULL) receives the encoding used. Bytes that do not decode become
 * U+FFFD and NUL characters are dropped. KS_ERR_NOMEM when out could not grow. */
ks_status ks_text_to_utf8(const void *data, size_t n, ks_buf *out, ks_encoding *enc);

typedef enum ks_severity {
    KS_SEV_WARNING, /* something is off, the data was still read */
    KS_SEV_ERROR    /* data was skipped (counted in ks_source_stats.skipped) */
} ks_severity;

/* One problem met while reading. Strings are borrowed for the callback's duration. */
typedef struct ks_problem {
    const char *file;
    uint64_t offset; /* byte offset in the file */
    uint64_t line;   /* 1-based line of a text format; 0 for EVTX */
    uint64_t record_id;
    ks_severity severity;
    ks_status status;
    const char *what;    /* one English sentence */
    const char *excerpt; /* the start of the offending line (UTF-8), or NULL */
    size_t excerpt_len;
} ks_problem;

typedef void (*ks_problem_fn)(void *ctx, const ks_problem *p);

typedef struct ks_source_opts {
    ks_format format;     /* KS_FORMAT_UNKNOWN: detect from content */
    ks_encoding encoding; /* KS_ENC_AUTO: detect */
    /* RFC 3164 lines carry no year and no zone. year 0: infer it (from the file's
     * modification time and the order of lines); tz NULL: the machine's zone (TZ).
     * tz is an IANA name ("Asia/Tokyo") or a fixed offset ("+09:00", "UTC"). */
    int year;
    const char *tz;
    ks_problem_fn on_problem;
    void *ctx;
    /* Only each event's offset, record_id and time_ns are needed (kensa seal): they
     * are the same as without it, but readers may leave the rest of the event empty
     * and the semantic fields are not mapped. */
    bool time_only;
} ks_source_opts;

typedef struct ks_source_stats {
    uint64_t events;                 /* handed out */
    uint64_t skipped;                /* records or lines that could not be read (each reported) */
    uint64_t ignored;                /* lines that carry no event: blank, comments, headers */
    uint64_t unrecognized;           /* syslog lines of no known vendor (handed out as plain
                                        syslog events, with no semantic fields) */
    uint32_t chunks_bad, chunks_crc; /* EVTX only, as ks_evtx_stats */
    int64_t first_ns, last_ns;       /* time range of the events (0 when none) */
    /* What had to be assumed to read the file, in English, for the summary
     * ("year 2026 inferred from the file's modification time; zone Asia/Tokyo"). */
    char assumed[256];
} ks_source_stats;

typedef struct ks_source ks_source;

/* Open an evidence file. A file of no known format fails with KS_ERR_UNSUPPORTED and
 * a diagnostic saying what it looked like ("binary data", "empty file"). o may be NULL
 * (defaults). */
ks_status ks_source_open(ks_source **out, const char *path, const ks_source_opts *o, ks_diag *diag);
/* The same over memory the caller keeps alive until close (tests, fuzzing). */
ks_status ks_source_open_mem(ks_source **out, const void *data, size_t size, const char *name,
                             const ks_source_opts *o, ks_diag *diag);
void ks_source_close(ks_source **s);

/* The next event in *ev, or *ev = NULL at the end. Bad records or lines are reported
 * through on_problem, counted, and skipped; an error status means the file itself
 * could not be read any further. */
ks_status ks_source_next(ks_source *s, const ks_event **ev);

ks_format ks_source_format(const ks_source *s);
ks_encoding ks_source_encoding(const ks_source *s);
const char *ks_source_name(const ks_source *s);
const ks_source_stats *ks_source_get_stats(const ks_source *s);

/* Detect the format of the first bytes of a file (up to 64 KiB are looked at). For
 * KS_FORMAT_UNKNOWN, *why (may be NULL) says what it looked like ("binary data"). */
ks_format ks_format_detect(const void *head, size_t n, const char **why);

/* Evidence under a path: a file as given, a directory walked depth-first in name
 * order (symbolic links not followed, 32 levels at most). fn gets every regular file
 * with its detected format, or KS_FORMAT_UNKNOWN and the reason it cannot be read.
 * Returns KS_ERR_IO (with diag) when path itself cannot be opened. */
typedef void (*ks_walk_fn)(void *ctx, const char *path, ks_format f, const char *why);
ks_status ks_evidence_walk(const char *path, ks_walk_fn fn, void *ctx, ks_diag *diag);

#endif
