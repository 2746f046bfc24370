/* The EVTX reader: Windows XML Event Log files (.evtx), record by record.
 *
 * A ks_evtx is an open file: its header and the list of its 64 KiB chunks. It is
 * read-only after open, so several ks_evtx_cursor objects (one per thread) can walk
 * different chunks of the same file at once; a chunk is self-contained (its own
 * string and template tables), which makes it the unit of parallel work.
 *
 * Records handed out are borrowed views, valid until the next call on the same
 * cursor. Damaged data never stops a run: each unreadable record or chunk is
 * reported through the problem callback (file, chunk, offset, reason) and counted
 * in the stats; every readable record is still returned. */
#ifndef KENSA_EVTX_H
#define KENSA_EVTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kensa/buf.h"
#include "kensa/event.h"
#include "kensa/status.h"
#include "kensa/value.h"

#define KS_EVTX_HEADER_SIZE 4096u
#define KS_EVTX_CHUNK_SIZE 65536u

typedef struct ks_evtx ks_evtx;
typedef struct ks_evtx_cursor ks_evtx_cursor;

/* What the file header says, and what the file really holds. */
typedef struct ks_evtx_info {
    uint64_t file_size;
    uint64_t next_record_id; /* from the header */
    uint32_t flags;          /* 1: dirty (header not flushed), 2: full, 4: no checksums */
    uint16_t major, minor;
    uint16_t header_chunks; /* chunk count the header claims */
    uint32_t chunks;        /* chunk slots present in the file, full or partial */
    bool header_valid;      /* signature present */
    bool header_crc_ok;
} ks_evtx_info;

/* Counts over what was read. chunks_bad are chunks none of whose records could be
 * read (bad signature, cut off before the records); chunks_crc are chunks read in
 * spite of a checksum mismatch. Recovered records lie outside the record range their
 * chunk header claims (data from a partly overwritten chunk) and passed a stricter
 * check; each one is also reported as a warning. */
typedef struct ks_evtx_stats {
    uint64_t records;           /* returned */
    uint64_t records_skipped;   /* found but unreadable */
    uint64_t records_recovered; /* returned, but from outside the chunk's record range */
    uint32_t chunks;            /* chunk slots visited */
    uint32_t chunks_empty;      /* never used (all zero) */
    uint32_t chunks_bad;
    uint32_t chunks_crc;
} ks_evtx_stats;

typedef enum ks_evtx_severity {
    KS_EVTX_WARNING, /* something is off, the data was still read */
    KS_EVTX_ERROR    /* data was skipped */
} ks_evtx_severity;

typedef struct ks_evtx_problem {
    const char *file;
    uint32_t chunk;     /* chunk index, UINT32_MAX for the file header */
    uint64_t offset;    /* byte offset in the file */
    uint64_t record_id; /* 0 when unknown */
    ks_evtx_severity severity;
    ks_status status;
    const char *what;
} ks_evtx_problem;

typedef void (*ks_evtx_problem_fn)(void *ctx, const ks_evtx_problem *p);

/* The decoded XML of a record: elements with their attributes (listed first among
 * the children) and content. Substitutions are already filled in and nested Binary
 * XML spliced in, so consumers never see templates. */
typedef enum ks_xkind {
    KS_X_ELEMENT,
    KS_X_ATTR,    /* children: the value parts */
    KS_X_VALUE,   /* a typed value */
    KS_X_CDATA,   /* value: the CDATA text */
    KS_X_CHARREF, /* ch: the character */
    KS_X_ENTITY,  /* name: lt, gt, amp, quot, apos, ... */
    KS_X_PI       /* name: target; value: data */
} ks_xkind;

typedef struct ks_xnode {
    const struct ks_xnode *next;  /* next sibling */
    const struct ks_xnode *child; /* first child */
    const char *name;             /* UTF-8, NUL-terminated */
    ks_value value;
    uint32_t ch;
    uint16_t name_len;
    uint8_t kind;
    uint8_t name_plain; /* the name needs no escaping in XML or JSON */
} ks_xnode;

typedef struct ks_evtx_record {
    uint64_t record_id;
    int64_t written_ns; /* record header time, ns since 1970 UTC */
    uint64_t offset;    /* of the record in the file */
    uint32_t chunk;
    uint32_t size;
    ks_evtx_cursor *cursor;
} ks_evtx_record;

/* Open a file read-only. On failure *out is NULL and diag says why. */
ks_status ks_evtx_open(ks_evtx **out, const char *path, ks_diag *diag);
/* Read from memory; the bytes must outlive the reader. `name` labels messages. */
ks_status ks_evtx_open_mem(ks_evtx **out, const void *data, size_t size, const char *name,
                           ks_diag *diag);
void ks_evtx_close(ks_evtx **r);
const ks_evtx_info *ks_evtx_get_info(const ks_evtx *r);
const char *ks_evtx_name(const ks_evtx *r);
/* Problems found while opening (file header) are reported at the first read. */
void ks_evtx_on_problem(ks_evtx *r, ks_evtx_problem_fn fn, void *ctx);

/* Sequential reading: *rec is NULL at the end of the file. */
ks_status ks_evtx_next(ks_evtx *r, const ks_evtx_record **rec);
const ks_evtx_stats *ks_evtx_get_stats(const ks_evtx *r);

/* Parallel reading: one cursor per thread, each reading whole chunks. */
ks_status ks_evtx_cursor_open(ks_evtx_cursor **out, ks_evtx *r);
void ks_evtx_cursor_close(ks_evtx_cursor **c);
void ks_evtx_cursor_on_problem(ks_evtx_cursor *c, ks_evtx_problem_fn fn, void *ctx);
/* Load chunk `index` (0 .. info.chunks-1). Returns KS_OK when its records can be
 * walked with ks_evtx_cursor_next (problems with the chunk are reported either way). */
ks_status ks_evtx_cursor_chunk(ks_evtx_cursor *c, uint32_t index);
/* Next record of the loaded chunk; *rec is NULL at the end of the chunk. */
ks_status ks_evtx_cursor_next(ks_evtx_cursor *c, const ks_evtx_record **rec);
const ks_evtx_stats *ks_evtx_cursor_stats(const ks_evtx_cursor *c);

/* The decoded XML of the record: its first top-level node, normally <Event>, built
 * on first use. NULL only if the record exceeds the per-record limits (200,000
 * nodes, 64 MiB). Valid as long as the record is. */
const ks_xnode *ks_evtx_record_root(const ks_evtx_record *rec);

/* The record as a normalized event (System fields, EventData/UserData fields).
 * The event borrows from the record and is valid as long as it is. */
ks_status ks_evtx_record_event(const ks_evtx_record *rec, ks_event *ev);

/* Rendering, a separate step: append the record as Event XML (indented, as Windows'
 * export and evtxexport write it) or as one line of JSON in the evtx_dump shape. */
void ks_evtx_render_xml(const ks_evtx_record *rec, ks_buf *out);
void ks_evtx_render_json(const ks_evtx_record *rec, ks_buf *out);

/* Dumping a whole file, chunks rendered in parallel and written in file order. */
typedef enum ks_dump_format { KS_DUMP_JSONL, KS_DUMP_XML } ks_dump_format;

typedef struct ks_dump_opts {
    ks_dump_format format;
    int threads; /* worker threads; 1 renders on the calling thread */
    FILE *out;
    ks_evtx_problem_fn on_problem; /* called in file order, on the calling thread */
    void *problem_ctx;
    void (*on_progress)(void *ctx, uint32_t chunks_done, uint32_t chunks_total);
    void *progress_ctx;
} ks_dump_opts;

/* Render every record of r to o->out. Fills *stats (records read, skipped, chunk
 * counts). Returns KS_ERR_IO if writing failed, KS_OK otherwise: damage in the file
 * is reported through on_problem and the stats, not as a failure. */
ks_status ks_evtx_dump(ks_evtx *r, const ks_dump_opts *o, ks_evtx_stats *stats);

#endif
