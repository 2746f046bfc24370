/* The case: one SQLite file (CASE.kensa) holding the events of every evidence file
 * ingested, with the chain of custody of each file (SHA-256, size, path, format, time
 * range, parse counts), queried with SQL. The same SQL also runs over evidence files
 * directly, without a case, through the table-valued functions evtx('file'),
 * syslog('file'), xml(), csv(), jsonl() and events('file') (any format; also named
 * logs('file'), for a case, where `events` is the table).
 *
 * Tables (docs/queries.md has the full description):
 *   events(id, time, time_ns, host, channel, provider, event_id, record_id, level,
 *          user, domain, src_ip, src_host, logon_type, status, process, command_line,
 *          parent_process, service, share, country, session, action, outcome, fields)
 *   evidence(id, path, sha256, size, format, ..., complete, changed)
 *   event_sources(event_id -> events.id, evidence_id -> evidence.id, offset)
 *   runs(id, tool, started, kensa, findings)      one row per hunt / investigate --case
 *   findings(id, run, detector, severity, ..., json)  the latest run's, per tool
 *   intrusions(run, found, time, time_ns, summary) the investigation's estimate
 *   backup_generations(id, system, path, taken, media, verdict, reason, ...)
 *   backup_files(generation, path, size, mtime, sha256, type, entropy, verdict, reason)
 * An event is stored once however many files it was seen in: its dedup key is the
 * BLAKE2b-128 hash of (provider, channel, host, record_id, time_ns, event_id, fields
 * as JSON), each length-prefixed; event_sources links it to every file and offset. */
#ifndef KENSA_CASE_H
#define KENSA_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/backup.h"
#include "kensa/detect.h"
#include "kensa/source.h"
#include "kensa/status.h"

/* The schema version this build writes (table schema_version). */
#define KS_CASE_SCHEMA_VERSION 2

typedef struct ks_case ks_case;

/* Open the case at path for ingest, creating it (and its schema) when missing and
 * migrating an older schema. A case written by a newer kensa fails with
 * KS_ERR_UNSUPPORTED. */
ks_status ks_case_open(ks_case **out, const char *path, ks_diag *diag);
/* Open a case read-only for queries (another process may be ingesting into it).
 * path NULL: no case, an empty in-memory database where only the table-valued
 * functions over files are there to query. */
ks_status ks_case_open_query(ks_case **out, const char *path, ks_diag *diag);
void ks_case_close(ks_case **c);

/* Problems met by the table-valued functions (evtx('...') and the others) while
 * reading files during a query; fn may be NULL (problems are only counted). */
void ks_case_set_problem_fn(ks_case *c, ks_problem_fn fn, void *ctx);

/* What an ingest is doing: hashing the file before reading it, reading its events,
 * hashing it again after. */
typedef enum ks_ingest_phase { KS_PHASE_HASH, KS_PHASE_READ, KS_PHASE_VERIFY } ks_ingest_phase;

/* Progress of one file: bytes done of size (while reading: up to the current record),
 * events read so far. Called every batch, and every 64 MiB hashed while the ingest
 * waits for the hash (KS_PHASE_HASH). */
typedef void (*ks_ingest_progress_fn)(void *ctx, const char *path, ks_ingest_phase phase,
                                      uint64_t done, uint64_t size, uint64_t events);

typedef struct ks_ingest_opts {
    ks_format format;     /* KS_FORMAT_UNKNOWN: detect */
    ks_encoding encoding; /* KS_ENC_AUTO: detect */
    int year;             /* as ks_source_opts */
    const char *tz;       /* as ks_source_opts */
    uint32_t batch;       /* events per transaction (0: 10000) */
    ks_ingest_progress_fn on_progress;
    ks_problem_fn on_problem;
    void *ctx; /* for both callbacks */
} ks_ingest_opts;

typedef struct ks_ingest_stats {
    int64_t evidence_id; /* the evidence row */
    char sha256[65];     /* hex, at the start of the read */
    uint64_t size;
    ks_format format;
    uint64_t events;     /* read from the file */
    uint64_t added;      /* new in the case */
    uint64_t duplicates; /* already in the case (from this file or another) */
    uint64_t skipped, ignored, unrecognized;
    uint32_t chunks_bad, chunks_crc;
    int64_t first_ns, last_ns; /* earliest and latest event (0 when none) */
    bool already;      /* this file (same path, SHA-256, tz and year) was complete: nothing done */
    bool resumed;      /* an interrupted ingest of this file was completed */
    bool changed;      /* the file's SHA-256 at the end differs from the start */
    bool case_failed;  /* the case could not be written (disk full, locked, ...) */
    char assumed[256]; /* as ks_source_stats */
} ks_ingest_stats;

/* Ingest one evidence file: it is opened read-only and hashed, recorded in
 * `evidence`, its events added in batched transactions (opts may be NULL), hashed
 * again at the end. The first hash runs in a second thread while the events are
 * read, ahead of the reader (it is what `evidence.sha256` records, written before the
 * first batch commits). A file already complete in the case is left alone
 * (stats->already). If the ingest is interrupted the evidence row stays incomplete
 * (complete = 0) and ingesting the file again completes it without duplicates.
 * Returns KS_ERR_UNSUPPORTED for a file of no known format, KS_ERR_IO when the case
 * cannot be written (diag says why). */
ks_status ks_case_ingest(ks_case *c, const char *path, const ks_ingest_opts *opts,
                         ks_ingest_stats *stats, ks_diag *diag);

/* Totals of the case: events stored, evidence files, of which incomplete. */
typedef struct ks_case_counts {
    uint64_t events, evidence, incomplete, links;
} ks_case_counts;
ks_status ks_case_counts_get(ks_case *c, ks_case_counts *out, ks_diag *diag);

/* Store the findings of one run of a tool ("hunt", "investigate") in the case,
 * replacing those of the tool's earlier runs (the runs table keeps the history);
 * *run (may be NULL) receives the new run's id. One transaction: a run is stored
 * whole or not at all. */
ks_status ks_case_put_findings(ks_case *c, const char *tool, const ks_finding *f, size_t n,
                               int64_t *run, ks_diag *diag);
/* The same with the findings handed out one at a time: get(ctx, i) for i from 0 to
 * n - 1, in that order (NULL when it cannot: nothing is stored). */
typedef const ks_finding *(*ks_finding_get_fn)(void *ctx, size_t i);
ks_status ks_case_put_findings_from(ks_case *c, const char *tool, size_t n, ks_finding_get_fn get,
                                    void *ctx, int64_t *run, ks_diag *diag);
/* Store an investigation's estimate for run: found, the time (UTC ns), and its
 * summary.json text. */
ks_status ks_case_put_intrusion(ks_case *c, int64_t run, bool found, int64_t time_ns,
                                const char *summary_json, ks_diag *diag);
/* The estimate of the latest investigation stored in the case: *stored false when
 * there is none, else *found and *time_ns. */
ks_status ks_case_get_intrusion(ks_case *c, bool *stored, bool *found, int64_t *time_ns,
                                ks_diag *diag);

/* The catalogue of backup generations (kensa backup add --case). Adding one is a
 * transaction: begin (KS_ERR_ARG when the same system, path and time are already
 * there), a call per file as the scan meets it, end with the generation's verdict
 * (NULL: the scan failed, nothing is kept). *id receives the generation's id. */
typedef struct ks_case_backup ks_case_backup;
ks_status ks_case_backup_begin(ks_case *c, const char *system, const char *path, int64_t taken_ns,
                               ks_backup_media media, ks_case_backup **out, ks_diag *diag);
void ks_case_backup_file(ks_case_backup *b, const char *path, int64_t mtime_ns,
                         const ks_backup_file *f);
ks_status ks_case_backup_end(ks_case_backup **b, const ks_backup_gen *g, const char *summary,
                             int64_t *id, ks_diag *diag);

/* A generation of the catalogue; strings borrowed for the callback's duration. */
typedef struct ks_case_gen {
    int64_t id;
    const char *system, *path, *reason;
    int64_t taken_ns;
    ks_backup_media media;
    uint64_t files, bytes;
    ks_backup_gen_verdict verdict;
} ks_case_gen;
/* Return nonzero to stop. */
typedef int (*ks_case_gen_fn)(void *ctx, const ks_case_gen *g);
/* The generations of system (NULL: every system) taken before before_ns (INT64_MAX:
 * all), by system and time. */
ks_status ks_case_backup_list(ks_case *c, const char *system, int64_t before_ns, ks_case_gen_fn fn,
                              void *ctx, ks_diag *diag);
/* A generation's files as an index (to compare with another generation). */
ks_status ks_case_backup_index(ks_case *c, int64_t id, ks_backup_index **out, ks_diag *diag);

/* One value of a query result. text is the value as text (numbers printed, blobs as
 * hex), NUL-terminated, borrowed for the callback's duration; NULL for SQL NULL. */
typedef enum ks_cell_type {
    KS_CELL_NULL,
    KS_CELL_INT,
    KS_CELL_REAL,
    KS_CELL_TEXT,
    KS_CELL_BLOB
} ks_cell_type;

typedef struct ks_cell {
    ks_cell_type type;
    const char *text;
    size_t len;
} ks_cell;

/* One result row; names and cells are borrowed for the callback's duration. stmt
 * counts the statements of the SQL (0-based), row the rows of that statement. */
typedef struct ks_row {
    unsigned stmt;
    uint64_t row;
    size_t ncol;
    const char *const *names;
    const ks_cell *cells;
} ks_row;

/* Return nonzero to stop the query. */
typedef int (*ks_row_fn)(void *ctx, const ks_row *row);

/* Run the SQL (one or more statements) and hand every row to fn. A statement with
 * no rows calls fn once with row = UINT64_MAX and cells = NULL, so its column names
 * can still be shown. Bad SQL gives KS_ERR_ARG with SQLite's message in diag (offset =
 * where in the SQL, when known); a file a table-valued function cannot open gives
 * KS_ERR_IO. */
ks_status ks_case_query(ks_case *c, const char *sql, ks_row_fn fn, void *ctx, ks_diag *diag);

/* The SQLite connection, for tests and tools that need more (borrowed). */
struct sqlite3;
struct sqlite3 *ks_case_db(ks_case *c);

#endif
