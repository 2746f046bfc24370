/* The case database: one SQLite file in WAL mode holding the events of every
 * evidence file ingested, each stored once (dedup key) and linked to every file it
 * was seen in, with each file's chain of custody (SHA-256 before and after, size,
 * path, format, time range, parse counts; hashed in a second thread while the events
 * are read). Ingest commits in batches, so a killed ingest leaves a case that opens,
 * with the file marked incomplete. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kensa/case.h"
#include "kensa/kensa.h"
#include "kensa/time.h"
#include "store.h"
#include "util/addr.h"
#include "util/sha256.h"

#define KS_CASE_BATCH_DEFAULT 10000
#define KS_DEDUP_BYTES 16
#define KS_STORE_VERSION KS_VERSION

struct ks_case {
    sqlite3 *db;
    int readonly;
    ks_problem_fn on_problem;
    void *problem_ctx;
    /* ingest statements, prepared once */
    sqlite3_stmt *ins_event, *find_event, *ins_link, *ins_links;
    /* the events of this ingest by dedup key (direct-mapped, emptied per file) */
    struct key_slot *keys;
    uint32_t keys_gen; /* slots of other generations are empty */
    int last_new;      /* the last event not in keys was new: insert before looking */
    /* source links not yet inserted (all of this transaction's evidence row) */
    struct src_link *links;
    size_t nlinks;
    /* the country database, opened on first use */
    ks_geoip *geo;
    int geo_tried;
};

/* A source link waiting for its insert: links are written sorted, KS_LINK_ROWS to a
 * statement, before each commit (one statement per link costs more than its B-tree
 * work: most events of a copied or re-read log are only a link). */
#define KS_LINK_BUF 4096
#define KS_LINK_ROWS 64
typedef struct src_link {
    int64_t event, offset;
} src_link;

/* A dedup key seen in this ingest (generation gen) and its events.id. A repeated
 * record (a chunk copied, a log read twice) is found here without the index. */
#define KS_KEY_SLOTS 65536 /* 2 MiB, pages touched as used */
typedef struct key_slot {
    unsigned char key[KS_DEDUP_BYTES];
    int64_t id;
    uint32_t gen;
} key_slot;

/* Version 1 of the schema. Every statement runs in one transaction. */
static const char schema_v1[] =
    "CREATE TABLE IF NOT EXISTS schema_version(\n"
    "  version INTEGER NOT NULL, applied TEXT NOT NULL, kensa TEXT NOT NULL);\n"
    "CREATE TABLE evidence(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  path TEXT NOT NULL,          -- absolute path when it was read\n"
    "  sha256 TEXT NOT NULL,        -- hex, before the read\n"
    "  size INTEGER NOT NULL,\n"
    "  mtime TEXT,                  -- modification time, UTC\n"
    "  format TEXT, encoding TEXT,\n"
    "  tz TEXT, year INTEGER,       -- options the file was read with\n"
    "  events INTEGER NOT NULL DEFAULT 0,     -- read from the file\n"
    "  added INTEGER NOT NULL DEFAULT 0,      -- new in the case\n"
    "  duplicates INTEGER NOT NULL DEFAULT 0, -- already in the case\n"
    "  skipped INTEGER NOT NULL DEFAULT 0, ignored INTEGER NOT NULL DEFAULT 0,\n"
    "  unrecognized INTEGER NOT NULL DEFAULT 0,\n"
    "  chunks_bad INTEGER NOT NULL DEFAULT 0, chunks_crc INTEGER NOT NULL DEFAULT 0,\n"
    "  first_time TEXT, last_time TEXT, first_ns INTEGER, last_ns INTEGER,\n"
    "  assumed TEXT,\n"
    "  started TEXT NOT NULL, finished TEXT,\n"
    "  complete INTEGER NOT NULL DEFAULT 0, -- 0: interrupted or still running\n"
    "  sha256_end TEXT,                     -- hex, after the read\n"
    "  changed INTEGER NOT NULL DEFAULT 0,  -- the file changed while it was read\n"
    "  kensa TEXT NOT NULL);\n"
    "CREATE INDEX evidence_sha256 ON evidence(sha256);\n"
    "CREATE TABLE events(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  dedup BLOB NOT NULL,\n"
    "  time TEXT NOT NULL, time_ns INTEGER NOT NULL,\n"
    "  host TEXT, channel TEXT, provider TEXT,\n"
    "  event_id INTEGER, record_id INTEGER, level INTEGER,\n"
    "  user TEXT, domain TEXT, src_ip TEXT, src_host TEXT, logon_type INTEGER,\n"
    "  status TEXT, process TEXT, command_line TEXT, parent_process TEXT,\n"
    "  service TEXT, share TEXT, country TEXT, session TEXT, action TEXT,\n"
    "  outcome TEXT, fields TEXT);\n"
    "CREATE UNIQUE INDEX events_dedup ON events(dedup);\n"
    "CREATE INDEX events_time ON events(time);\n"
    "CREATE INDEX events_host ON events(host);\n"
    "CREATE INDEX events_user ON events(user);\n"
    "CREATE INDEX events_src_ip ON events(src_ip);\n"
    "CREATE INDEX events_event_id ON events(event_id);\n"
    "CREATE TABLE event_sources(\n"
    "  event_id INTEGER NOT NULL,    -- events.id\n"
    "  evidence_id INTEGER NOT NULL, -- evidence.id\n"
    "  offset INTEGER NOT NULL,      -- byte offset of the record or line in the file\n"
    "  PRIMARY KEY(event_id, evidence_id, offset)) WITHOUT ROWID;\n"
    "CREATE INDEX event_sources_evidence ON event_sources(evidence_id);\n";

static ks_status db_fail(ks_diag *d, sqlite3 *db, const char *path, const char *what)
{
    return ks_diag_set(d, KS_ERR_IO, path, 0, "%s: %s", what,
                       db ? sqlite3_errmsg(db) : "out of memory");
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void now_text(char *out, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ks_buf b = {0};
    ks_time_format(&b, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, 0);
    snprintf(out, n, "%.*s", b.failed ? 0 : (int)b.len, b.data ? b.data : "");
    ks_buf_free(&b);
}

/* The schema version in the case, 0 when it has none (a new file). -1 on error. */
static int schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                           "name='schema_version'",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (have <= 0) return have;
    if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Version 2 adds what hunt and investigate found: their runs, the findings of each
 * tool's latest run (the whole finding as JSON, the usual columns beside it) and the
 * intrusion estimate (kensa backup advise --case reads it); and the catalogue of
 * backup generations (kensa backup add --case): each one's verdict and its files. */
static const char schema_v2[] =
    "CREATE TABLE IF NOT EXISTS runs(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  tool TEXT NOT NULL,           -- hunt, investigate\n"
    "  started TEXT NOT NULL, kensa TEXT NOT NULL,\n"
    "  findings INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE IF NOT EXISTS findings(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run INTEGER NOT NULL,          -- runs.id\n"
    "  detector TEXT NOT NULL, severity TEXT NOT NULL, categories TEXT,\n"
    "  host TEXT, user TEXT, src_ip TEXT,\n"
    "  first_time TEXT, last_time TEXT, first_ns INTEGER, last_ns INTEGER,\n"
    "  count INTEGER, explanation TEXT,\n"
    "  json TEXT NOT NULL);            -- the finding with its evidence, as hunt --format jsonl\n"
    "CREATE INDEX IF NOT EXISTS findings_run ON findings(run);\n"
    "CREATE INDEX IF NOT EXISTS findings_first ON findings(first_ns);\n"
    "CREATE TABLE IF NOT EXISTS intrusions(\n"
    "  run INTEGER PRIMARY KEY,       -- runs.id of the investigation\n"
    "  found INTEGER NOT NULL,\n"
    "  time TEXT, time_ns INTEGER,    -- the estimated first intrusion, UTC\n"
    "  summary TEXT NOT NULL);        -- summary.json of the investigation\n"
    "CREATE TABLE IF NOT EXISTS backup_generations(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  system TEXT NOT NULL, path TEXT NOT NULL,\n"
    "  taken TEXT NOT NULL, taken_ns INTEGER NOT NULL,\n"
    "  media TEXT NOT NULL,             -- online, offline, worm\n"
    "  files INTEGER, bytes INTEGER,\n"
    "  verdict TEXT, reason TEXT,       -- clean, suspicious, encrypted; against the one before\n"
    "  summary TEXT,                    -- the generation's line of backup scan --format jsonl\n"
    "  added TEXT NOT NULL, kensa TEXT NOT NULL,\n"
    "  UNIQUE(system, path, taken_ns));\n"
    "CREATE TABLE IF NOT EXISTS backup_files(\n"
    "  generation INTEGER NOT NULL,     -- backup_generations.id\n"
    "  path TEXT NOT NULL, size INTEGER, mtime TEXT, sha256 TEXT,\n"
    "  type TEXT, entropy REAL, verdict TEXT, reason TEXT, -- reason: when not clean\n"
    "  PRIMARY KEY(generation, path)) WITHOUT ROWID;\n";

/* Bring the schema to KS_CASE_SCHEMA_VERSION (in one transaction). */
static ks_status migrate(sqlite3 *db, const char *path, ks_diag *d)
{
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK)
        return db_fail(d, db, path, "cannot lock the case");
    int v = schema_version(db);
    ks_status st = KS_OK;
    if (v < 0) {
        st = db_fail(d, db, path, "cannot read the case");
        goto out;
    }
    if (v > KS_CASE_SCHEMA_VERSION) {
        st = ks_diag_set(d, KS_ERR_UNSUPPORTED, path, 0,
                         "the case was written by a newer kensa (schema %d; this one knows %d)", v,
                         KS_CASE_SCHEMA_VERSION);
        goto out;
    }
    if (v == 0) {
        /* a new case: refuse to add tables to some other SQLite database */
        sqlite3_stmt *q = NULL;
        int tables = -1;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL) ==
                SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            tables = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (tables != 0) {
            st = ks_diag_set(d, KS_ERR_FORMAT, path, 0,
                             "this SQLite file is not a kensa case (it has other tables)");
            goto out;
        }
        if (exec(db, schema_v1) != SQLITE_OK) {
            st = db_fail(d, db, path, "cannot create the case");
            goto out;
        }
    }
    if (v < 2 && exec(db, schema_v2) != SQLITE_OK) {
        st = db_fail(d, db, path, "cannot add the findings to the case");
        goto out;
    }
    /* later versions: if (v < 3) { ALTER TABLE ... } */
    if (v < KS_CASE_SCHEMA_VERSION) {
        char when[40], sql[160];
        now_text(when, sizeof when);
        snprintf(sql, sizeof sql,
                 "INSERT INTO schema_version VALUES(%d, '%s', '" KS_STORE_VERSION "')",
                 KS_CASE_SCHEMA_VERSION, when);
        if (exec(db, sql) != SQLITE_OK) st = db_fail(d, db, path, "cannot create the case");
    }
out:
    if (st == KS_OK && exec(db, "COMMIT") != SQLITE_OK)
        st = db_fail(d, db, path, "cannot write the case");
    if (st != KS_OK) exec(db, "ROLLBACK");
    return st;
}

/* SQLite's memory statistics take a global mutex on every allocation (dozens an
 * event); nothing in kensa reads them. Only possible before SQLite starts: when
 * something else started it first, it stays on (SQLITE_MISUSE, ignored). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static ks_status open_db(ks_case **out, const char *path, int readonly, ks_diag *d)
{
    pthread_once(&sqlite_once, sqlite_setup);
    *out = NULL;
    if (sodium_init() < 0)
        return ks_diag_set(d, KS_ERR_NOMEM, path, 0, "libsodium failed to start");
    ks_case *c = calloc(1, sizeof *c);
    if (!c) return ks_diag_set(d, KS_ERR_NOMEM, path, 0, "out of memory");
    c->readonly = readonly;
    ks_status st = KS_OK;
    /* a case is used by one thread at a time: no connection mutex */
    int flags =
        SQLITE_OPEN_NOMUTEX |
        (readonly && path ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (readonly && path) {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            st = ks_diag_set(d, KS_ERR_IO, path, 0, "no case here (%s)", strerror(errno));
            goto out;
        }
    }
    if (sqlite3_open_v2(path ? path : ":memory:", &c->db, flags, NULL) != SQLITE_OK) {
        st = db_fail(d, c->db, path, "cannot open the case");
        goto out;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 10000);
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    if (path && !readonly) {
        if (exec(c->db, "PRAGMA journal_mode=WAL") != SQLITE_OK ||
            exec(c->db, "PRAGMA synchronous=NORMAL") != SQLITE_OK ||
            exec(c->db, "PRAGMA cache_size=-65536") != SQLITE_OK) {
            st = db_fail(d, c->db, path, "cannot open the case");
            goto out;
        }
        if ((st = migrate(c->db, path, d)) != KS_OK) goto out;
    } else if (path) {
        int v = schema_version(c->db);
        if (v <= 0) {
            st = v < 0 ? db_fail(d, c->db, path, "cannot read the case")
                       : ks_diag_set(d, KS_ERR_FORMAT, path, 0, "not a kensa case");
            goto out;
        }
        if (v > KS_CASE_SCHEMA_VERSION) {
            st = ks_diag_set(d, KS_ERR_UNSUPPORTED, path, 0,
                             "the case was written by a newer kensa (schema %d; this one knows %d)",
                             v, KS_CASE_SCHEMA_VERSION);
            goto out;
        }
    }
    if (readonly) exec(c->db, "PRAGMA query_only=1");
    if (ks_store_register_vtabs(c->db, c) != SQLITE_OK) {
        st = db_fail(d, c->db, path, "cannot set up the file functions");
        goto out;
    }
out:
    if (st != KS_OK) {
        ks_case_close(&c);
        return st;
    }
    *out = c;
    return KS_OK;
}

ks_status ks_case_open(ks_case **out, const char *path, ks_diag *diag)
{
    if (!out || !path) return ks_diag_set(diag, KS_ERR_ARG, path, 0, "no case path");
    return open_db(out, path, 0, diag);
}

ks_status ks_case_open_query(ks_case **out, const char *path, ks_diag *diag)
{
    if (!out) return ks_diag_set(diag, KS_ERR_ARG, path, 0, "no case");
    return open_db(out, path, 1, diag);
}

void ks_case_close(ks_case **c)
{
    if (!c || !*c) return;
    sqlite3_finalize((*c)->ins_event);
    sqlite3_finalize((*c)->find_event);
    sqlite3_finalize((*c)->ins_link);
    sqlite3_finalize((*c)->ins_links);
    ks_geoip_close(&(*c)->geo);
    free((*c)->keys);
    free((*c)->links);
    sqlite3_close((*c)->db);
    free(*c);
    *c = NULL;
}

ks_geoip *ks_store_geoip(ks_case *c)
{
    if (!c->geo_tried) {
        char why[256];
        c->geo_tried = 1;
        c->geo = ks_geoip_open(NULL, why, sizeof why);
    }
    return c->geo;
}

struct sqlite3 *ks_case_db(ks_case *c)
{
    return c ? c->db : NULL;
}

void ks_case_set_problem_fn(ks_case *c, ks_problem_fn fn, void *ctx)
{
    c->on_problem = fn;
    c->problem_ctx = ctx;
}

void ks_store_problem(ks_case *c, const ks_problem *p)
{
    if (c && c->on_problem) c->on_problem(c->problem_ctx, p);
}

/* ---- ingest ------------------------------------------------------------- */

/* The two SHA-256 passes of an evidence file run in a second thread while the main
 * thread reads and stores the events. The first pass ("before", the one recorded)
 * stays ahead of the reader: before the reader is asked for the next event, the
 * first pass has hashed KS_HASH_LEAD bytes past the last event's offset (more than
 * any reader reads ahead: an EVTX chunk, a few lines), so every byte the events come
 * from was hashed before it was read, as when the whole file was hashed first.
 *
 * The second pass ("after") must see every byte as it is at the end, so that a change
 * to the file at any time between the first pass and the end makes the two differ
 * (reported as `changed`). It trails the reader: it hashes a byte only once the reader
 * is past it (the reader publishes its offset every KS_HASH_STEP), and the last MiB or
 * so when the reader is at the end. A change to a byte before it is hashed the second
 * time shows in the digests. A change after that (to a part already read and hashed
 * twice) shows in the file's status instead: the kernel sets the change time (ctime)
 * and mtime on every write (POSIX), so at the end the file's size, mtime, ctime, device
 * and inode are compared with those at open. The trailing pass starts only once the
 * clock is past the ctime and mtime seen at open, so that a write after its start
 * cannot leave them as they were (timestamps are coarse: a write in the same tick as
 * the last one before the open could). Only when all of that holds (the digests equal
 * and the status unchanged) is the trailing digest the one kept; otherwise the second
 * pass runs again from the start once the reader is at the end, as it always did
 * before, and its digest is the one recorded and compared: with any sign of a change,
 * the case records exactly what the strict check records. Without one the file did
 * not change after the open, and the trailing digest is the digest at the end. */
#define KS_HASH_STEP (1u << 20)
#define KS_HASH_LEAD (8u << 20)
/* Smaller files are hashed in the calling thread: the first pass would have to be
 * over before the first event anyway, and waking a thread on a busy machine costs
 * more than hashing a few MiB. Their second pass runs at the end (no trailing). */
#define KS_HASH_INLINE (16u << 20)
/* Batches the first transaction of a new evidence row may grow to while the first
 * pass is still running (the row commits with its hash). */
#define KS_HASH_DEFER 16

enum { PASS_BEFORE, PASS_TRAIL, PASS_AFTER };

typedef struct hasher {
    pthread_t thread;
    int started, fd;
    unsigned char *buf;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu */
    uint64_t before_done; /* bytes of the first pass hashed */
    int before_state;     /* 0 running, 1 done, -1 failed (errno in before_errno) */
    int before_errno;
    uint64_t read_upto; /* the reader is past every byte before this offset */
    int reader_done;    /* 1: read to the end, 2: stop, no second pass */
    int after_state;    /* 0 running, 1 done, -1 failed */
    /* results */
    char before_hex[65], after_hex[65];
    uint64_t before_size, after_size;
    uint64_t open_size; /* when the file was opened, as the reader saw it */
    struct stat open_st;
    struct timespec trail_start; /* CLOCK_REALTIME_COARSE when the trailing pass began */
    int trailed;                 /* 1: after_hex is from the trailing pass */
} hasher;

static void hasher_set(hasher *h, uint64_t *field, uint64_t v, int *state, int sv)
{
    pthread_mutex_lock(&h->mu);
    if (field) *field = v;
    if (state) *state = sv;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static int ts_after(struct timespec a, struct timespec b)
{
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

/* Wait (at most ~50 ms) until the coarse clock is past the file's ctime and mtime at
 * open; the time it is then into h->trail_start. 0 when it is not (a file time further
 * in the future: a copy from a machine whose clock was ahead): then the trailing
 * digest is not trusted and the second pass waits for the end. */
static int trail_clock(hasher *h)
{
    for (int i = 0; i < 50; i++) {
        clock_gettime(CLOCK_REALTIME_COARSE, &h->trail_start);
        if (ts_after(h->trail_start, h->open_st.st_ctim) &&
            ts_after(h->trail_start, h->open_st.st_mtim))
            return 1;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

/* One pass over the file from offset 0 with pread. PASS_BEFORE: publish progress;
 * PASS_TRAIL: stay behind the reader; PASS_AFTER: wait for the reader to be at the end
 * first (h->reader_done already set when called after the thread). 0, or an errno
 * value (ECANCELED: the reader stopped before the end). */
static int hash_pass(hasher *h, int mode, char hex[65], uint64_t *size)
{
    ks_sha256 sh;
    if (ks_sha256_init(&sh) != 0) return ENOMEM;
    uint64_t total = 0, upto = 0;
    int reader_done = 0;
    if (mode != PASS_BEFORE) {
        pthread_mutex_lock(&h->mu);
        while (mode == PASS_AFTER && !h->reader_done) pthread_cond_wait(&h->cv, &h->mu);
        reader_done = h->reader_done;
        pthread_mutex_unlock(&h->mu);
    }
    for (;;) {
        if (mode == PASS_TRAIL && !reader_done && upto < total + KS_HASH_STEP) {
            pthread_mutex_lock(&h->mu);
            while (!h->reader_done && h->read_upto < total + KS_HASH_STEP)
                pthread_cond_wait(&h->cv, &h->mu);
            reader_done = h->reader_done;
            upto = h->read_upto;
            pthread_mutex_unlock(&h->mu);
        }
        if (reader_done == 2) {
            uint8_t ignored[32];
            ks_sha256_final(&sh, ignored);
            return ECANCELED;
        }
        ssize_t n = pread(h->fd, h->buf, KS_HASH_STEP, (off_t)total);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            uint8_t ignored[32];
            ks_sha256_final(&sh, ignored);
            return e ? e : EIO;
        }
        if (n == 0) break;
        ks_sha256_update(&sh, h->buf, (size_t)n);
        total += (uint64_t)n;
        if (mode == PASS_BEFORE) hasher_set(h, &h->before_done, total, NULL, 0);
    }
    uint8_t md[32];
    ks_sha256_final(&sh, md);
    ks_sha256_hex(md, hex);
    *size = total;
    return 0;
}

static void *hasher_run(void *arg)
{
    hasher *h = arg;
    int e = hash_pass(h, PASS_BEFORE, h->before_hex, &h->before_size);
    pthread_mutex_lock(&h->mu);
    h->before_state = e ? -1 : 1;
    h->before_errno = e;
    if (e) h->after_state = -1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (e) return NULL;
    h->trailed = trail_clock(h);
    e = hash_pass(h, h->trailed ? PASS_TRAIL : PASS_AFTER, h->after_hex, &h->after_size);
    pthread_mutex_lock(&h->mu);
    h->after_state = e || h->reader_done == 2 ? -1 : 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Open the file (a regular file), note its size and mtime, start hashing it. */
static ks_status hasher_start(hasher *h, const char *path, uint64_t *size, int64_t *mtime_ns,
                              ks_diag *d)
{
    memset(h, 0, sizeof *h);
    h->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (h->fd < 0) return ks_diag_set(d, KS_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(h->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(h->fd);
        h->fd = -1;
        return ks_diag_set(d, KS_ERR_IO, path, 0, "not a regular file");
    }
    h->open_st = sb;
    *size = h->open_size = (uint64_t)sb.st_size;
    *mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(h->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    h->buf = malloc(KS_HASH_STEP);
    if (!h->buf || pthread_mutex_init(&h->mu, NULL) != 0) {
        free(h->buf);
        close(h->fd);
        h->fd = -1;
        return ks_diag_set(d, KS_ERR_NOMEM, path, 0, "out of memory");
    }
    if (pthread_cond_init(&h->cv, NULL) != 0) {
        pthread_mutex_destroy(&h->mu);
        free(h->buf);
        close(h->fd);
        h->fd = -1;
        return ks_diag_set(d, KS_ERR_NOMEM, path, 0, "out of memory");
    }
    h->started = 1;
    if (*size <= KS_HASH_INLINE || pthread_create(&h->thread, NULL, hasher_run, h) != 0) {
        /* no thread: hash here, as before (first pass now, second at the end) */
        h->started = 2;
        int e = hash_pass(h, PASS_BEFORE, h->before_hex, &h->before_size);
        h->before_state = e ? -1 : 1;
        h->before_errno = e;
    }
    return KS_OK;
}

/* Whether the first pass is over (done or failed), without waiting. */
static int hasher_before_over(hasher *h)
{
    pthread_mutex_lock(&h->mu);
    int over = h->before_state != 0;
    pthread_mutex_unlock(&h->mu);
    return over;
}

/* Wait until the first pass has hashed at least upto bytes (or is over). 0, or -1 when
 * it failed. *known caches what was seen, so most calls take no lock. */
static int hasher_wait_before(hasher *h, uint64_t upto, uint64_t *known)
{
    if (upto <= *known) return 0;
    pthread_mutex_lock(&h->mu);
    while (h->before_state == 0 && h->before_done < upto) pthread_cond_wait(&h->cv, &h->mu);
    int st = h->before_state;
    *known = st == 1 ? UINT64_MAX : h->before_done;
    pthread_mutex_unlock(&h->mu);
    return st < 0 ? -1 : 0;
}

/* The reader is past every byte before offset at (the offset of its latest event):
 * the trailing pass may hash them. Takes the lock once per KS_HASH_STEP. */
static void hasher_reader_at(hasher *h, uint64_t at, uint64_t *told)
{
    if (h->started != 1 || at < *told + KS_HASH_STEP) return;
    *told = at;
    hasher_set(h, &h->read_upto, at, NULL, 0);
}

/* Whether the trailing digest is the digest at the end: the digests equal, the trailing
 * pass started after the file's last change before the open, and the file's status now
 * is its status at open. */
static int trail_holds(hasher *h)
{
    struct stat now;
    const struct stat *o = &h->open_st;
    return h->trailed && h->after_state == 1 && strcmp(h->after_hex, h->before_hex) == 0 &&
           h->after_size == h->before_size && fstat(h->fd, &now) == 0 && now.st_dev == o->st_dev &&
           now.st_ino == o->st_ino && now.st_size == o->st_size &&
           now.st_mtim.tv_sec == o->st_mtim.tv_sec && now.st_mtim.tv_nsec == o->st_mtim.tv_nsec &&
           now.st_ctim.tv_sec == o->st_ctim.tv_sec && now.st_ctim.tv_nsec == o->st_ctim.tv_nsec;
}

/* End the hashing: done = 1 when the reader read the whole file (the second pass is
 * finished, hex/size set, 0 returned; -1 when the second pass failed), 0 to stop
 * without the second pass. Frees everything; safe on an unstarted hasher. */
static int hasher_end(hasher *h, int done)
{
    int rc = -1;
    if (!h->started) return rc;
    if (h->started == 1) {
        hasher_set(h, NULL, 0, &h->reader_done, done ? 1 : 2);
        pthread_join(h->thread, NULL);
        rc = h->after_state == 1 ? 0 : -1;
        if (done && h->before_state == 1 && h->trailed && !trail_holds(h)) {
            /* a sign of a change: the strict second pass, from the start, now */
            h->trailed = 0;
            rc = hash_pass(h, PASS_AFTER, h->after_hex, &h->after_size) == 0 ? 0 : -1;
        }
    } else if (done && h->before_state == 1) {
        h->reader_done = 1;
        rc = hash_pass(h, PASS_AFTER, h->after_hex, &h->after_size) == 0 ? 0 : -1;
    }
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h->buf);
    close(h->fd);
    h->started = 0;
    return rc;
}

/* ---- the reading thread ---------------------------------------------------- */

/* Reading an evidence file (parsing, the column values, the fields text) and storing
 * its events (the dedup key, SQLite) cost about the same; a file of more than
 * KS_PIPE_THREAD bytes is read in a thread of its own while the calling thread stores
 * what it read. Events go between them in batches (at most KS_PIPE_DEPTH in flight, so
 * memory does not grow with the file), each with its events' values copied out of the
 * reader, and the reader's problems, which are reported by the calling thread in
 * order with the events. A smaller file is read in the calling thread, batch by batch,
 * through the same code. */
#define KS_PIPE_THREAD (1u << 20)
#define KS_PIPE_DEPTH 4
#define KS_PIPE_EVENTS 256
#define KS_PIPE_BYTES (4u << 20) /* a batch's text: a full batch ends early past this */

typedef struct packed_val {
    int type; /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
    int64_t i;
    size_t at, n; /* text: bytes at `at` of the batch's text */
} packed_val;

typedef struct packed_event {
    int64_t time_ns;
    uint64_t offset;
    uint64_t record_id; /* as read (the column is capped at INT64_MAX) */
    packed_val v[KS_COL_COUNT];
} packed_event;

/* Append n bytes at *at of a buffer (the caller sized it). */
static void put_bytes(unsigned char *buf, size_t *at, const void *p, size_t n)
{
    if (n) memcpy(buf + *at, p, n);
    *at += n;
}

/* The dedup key: BLAKE2b-128 of provider, channel, host (each length-prefixed),
 * record_id, time_ns, event_id (little-endian on the machines kensa runs on) and
 * the fields JSON (length-prefixed), from an event's values as the reading side
 * copied them (text holds their bytes). The short head goes to the hash in one
 * update when it fits a stack buffer (the same bytes either way). */
static void dedup_key(const packed_event *pe, const char *text, unsigned char out[KS_DEDUP_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, KS_DEDUP_BYTES);
    const packed_val *parts[3] = {&pe->v[KS_COL_PROVIDER], &pe->v[KS_COL_CHANNEL],
                                  &pe->v[KS_COL_HOST]};
    const packed_val *fields = &pe->v[KS_COL_FIELDS];
    uint64_t rid = pe->record_id, flen = fields->n, len[3];
    int64_t t = pe->time_ns;
    uint32_t id = (uint32_t)pe->v[KS_COL_EVENT_ID].i;
    size_t need = 4 * sizeof(uint64_t) + sizeof rid + sizeof t + sizeof id;
    for (int i = 0; i < 3; i++) need += len[i] = parts[i]->n;
    unsigned char head[512];
    if (need <= sizeof head) {
        size_t at = 0;
        for (int i = 0; i < 3; i++) {
            put_bytes(head, &at, &len[i], sizeof len[i]);
            put_bytes(head, &at, text + parts[i]->at, parts[i]->n);
        }
        put_bytes(head, &at, &rid, sizeof rid);
        put_bytes(head, &at, &t, sizeof t);
        put_bytes(head, &at, &id, sizeof id);
        put_bytes(head, &at, &flen, sizeof flen);
        crypto_generichash_update(&h, head, at);
    } else {
        for (int i = 0; i < 3; i++) {
            crypto_generichash_update(&h, (const unsigned char *)&len[i], sizeof len[i]);
            if (len[i])
                crypto_generichash_update(&h, (const unsigned char *)text + parts[i]->at, len[i]);
        }
        crypto_generichash_update(&h, (const unsigned char *)&rid, sizeof rid);
        crypto_generichash_update(&h, (const unsigned char *)&t, sizeof t);
        crypto_generichash_update(&h, (const unsigned char *)&id, sizeof id);
        crypto_generichash_update(&h, (const unsigned char *)&flen, sizeof flen);
    }
    if (flen) crypto_generichash_update(&h, (const unsigned char *)text + fields->at, flen);
    crypto_generichash_final(&h, out, KS_DEDUP_BYTES);
}

typedef struct packed_problem {
    ks_problem p;               /* what and excerpt: set when it is replayed */
    size_t what_at, excerpt_at; /* in the batch's text */
    int has_excerpt;
} packed_problem;

typedef struct ingest_batch {
    packed_event ev[KS_PIPE_EVENTS];
    size_t n;
    ks_buf text;
    packed_problem *problems;
    size_t nproblems, cap_problems;
    uint64_t skipped, chunks_bad; /* the reader's counts after this batch */
    int end;                      /* 0 more to come; 1 the reader ended (rst); 2 hashing failed */
    ks_status rst;
} ingest_batch;

typedef struct ingest_pipe {
    ks_source *src;
    hasher *h;
    ks_store_row row;
    const ks_ingest_opts *o;
    uint64_t at, told, hashed; /* the reader's offset, as told to the hasher, hashed so far */
    ingest_batch *filling;     /* the batch the reader fills (its problems go there) */
    int threaded;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu when threaded: batches [head, head + full) are full, the rest free */
    ingest_batch *batch[KS_PIPE_DEPTH];
    unsigned head, full;
    int stop; /* the storing side gave up: the reader stops */
    int over; /* the reader handed over its last batch */
} ingest_pipe;

/* The reader's problems: reported at once outside a batch (while the source opens),
 * otherwise kept in the batch being filled. */
static void pipe_problem(void *ctx, const ks_problem *p)
{
    ingest_pipe *pl = ctx;
    ingest_batch *b = pl->filling;
    if (!b) {
        if (pl->o->on_problem) pl->o->on_problem(pl->o->ctx, p);
        return;
    }
    if (b->nproblems == b->cap_problems) {
        size_t cap = b->cap_problems ? 2 * b->cap_problems : 16;
        packed_problem *np = realloc(b->problems, cap * sizeof *np);
        if (!np) return; /* the count of skipped data still says it */
        b->problems = np;
        b->cap_problems = cap;
    }
    packed_problem *q = &b->problems[b->nproblems++];
    q->p = *p;
    q->what_at = b->text.len;
    ks_buf_puts(&b->text, p->what ? p->what : "");
    ks_buf_putc(&b->text, 0);
    q->has_excerpt = p->excerpt != NULL;
    q->excerpt_at = b->text.len;
    if (p->excerpt) ks_buf_append(&b->text, p->excerpt, p->excerpt_len);
}

/* Copy one event's column values and dedup key into the batch. */
static void pack_event(ingest_pipe *pl, ingest_batch *b, const ks_event *ev)
{
    packed_event *pe = &b->ev[b->n++];
    ks_store_row_set(&pl->row, ev);
    ks_store_val v;
    for (int i = 0; i < KS_COL_COUNT; i++) {
        ks_store_value(&pl->row, (ks_col)i, &v);
        packed_val *d = &pe->v[i];
        d->type = v.type;
        d->i = v.i;
        d->at = b->text.len;
        d->n = 0;
        if (v.type == SQLITE_TEXT) {
            d->n = v.n;
            ks_buf_append(&b->text, v.p, v.n);
        }
    }
    pe->record_id = ev->record_id;
    pe->time_ns = ev->time_ns;
    pe->offset = ev->offset;
}

/* Read the next events into b (emptied first) until it is full or the file ends. */
static void fill_batch(ingest_pipe *pl, ingest_batch *b)
{
    b->n = b->nproblems = 0;
    b->end = 0;
    b->rst = KS_OK;
    ks_buf_reset(&b->text);
    pl->filling = b;
    while (b->n < KS_PIPE_EVENTS && b->text.len < KS_PIPE_BYTES) {
        /* the first hash pass stays ahead of what the reader reads */
        uint64_t lead = pl->at + KS_HASH_LEAD < pl->at ? UINT64_MAX : pl->at + KS_HASH_LEAD;
        if (hasher_wait_before(pl->h, lead, &pl->hashed) != 0) {
            b->end = 2;
            break;
        }
        const ks_event *ev;
        ks_status rst = ks_source_next(pl->src, &ev);
        if (rst != KS_OK || !ev) {
            b->end = 1;
            b->rst = rst;
            break;
        }
        pl->at = ev->offset;
        hasher_reader_at(pl->h, pl->at, &pl->told);
        pack_event(pl, b, ev);
    }
    const ks_source_stats *ss = ks_source_get_stats(pl->src);
    b->skipped = ss->skipped;
    b->chunks_bad = ss->chunks_bad;
    pl->filling = NULL;
}

static void *pipe_run(void *arg)
{
    ingest_pipe *pl = arg;
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (!pl->stop && pl->full == KS_PIPE_DEPTH) pthread_cond_wait(&pl->cv, &pl->mu);
        if (pl->stop) {
            pl->over = 1;
            pthread_cond_broadcast(&pl->cv);
            pthread_mutex_unlock(&pl->mu);
            return NULL;
        }
        ingest_batch *b = pl->batch[(pl->head + pl->full) % KS_PIPE_DEPTH];
        pthread_mutex_unlock(&pl->mu);
        fill_batch(pl, b);
        pthread_mutex_lock(&pl->mu);
        pl->full++;
        if (b->end) pl->over = 1;
        pthread_cond_broadcast(&pl->cv);
        pthread_mutex_unlock(&pl->mu);
        if (b->end) return NULL;
    }
}

static void pipe_free_batches(ingest_pipe *pl)
{
    for (int i = 0; i < KS_PIPE_DEPTH; i++) {
        if (!pl->batch[i]) continue;
        ks_buf_free(&pl->batch[i]->text);
        free(pl->batch[i]->problems);
        free(pl->batch[i]);
        pl->batch[i] = NULL;
    }
}

/* Set up the reading side of src (opened with pipe_problem and pl as its callback);
 * threaded when the file is larger than KS_PIPE_THREAD (and a thread can be made). */
static int pipe_start(ingest_pipe *pl, uint64_t size)
{
    for (int i = 0; i < KS_PIPE_DEPTH; i++)
        if (!(pl->batch[i] = calloc(1, sizeof *pl->batch[i]))) {
            pipe_free_batches(pl);
            return -1;
        }
    if (size <= KS_PIPE_THREAD || pthread_mutex_init(&pl->mu, NULL) != 0) return 0;
    if (pthread_cond_init(&pl->cv, NULL) != 0) {
        pthread_mutex_destroy(&pl->mu);
        return 0;
    }
    if (pthread_create(&pl->thread, NULL, pipe_run, pl) != 0) {
        pthread_cond_destroy(&pl->cv);
        pthread_mutex_destroy(&pl->mu);
        return 0;
    }
    pl->threaded = 1;
    return 0;
}

/* The next batch of events to store (read here when not threaded); NULL after the
 * last one. Its problems are reported first. pipe_done hands it back. */
static ingest_batch *pipe_next(ingest_pipe *pl)
{
    ingest_batch *b;
    if (!pl->threaded) {
        if (pl->over) return NULL;
        b = pl->batch[0];
        fill_batch(pl, b);
        pl->over = b->end != 0;
    } else {
        pthread_mutex_lock(&pl->mu);
        while (!pl->full && !pl->over) pthread_cond_wait(&pl->cv, &pl->mu);
        b = pl->full ? pl->batch[pl->head] : NULL;
        pthread_mutex_unlock(&pl->mu);
        if (!b) return NULL;
    }
    for (size_t i = 0; i < b->nproblems && pl->o->on_problem; i++) {
        packed_problem *q = &b->problems[i];
        if (b->text.failed) break;
        q->p.what = b->text.data + q->what_at;
        q->p.excerpt = q->has_excerpt ? b->text.data + q->excerpt_at : NULL;
        pl->o->on_problem(pl->o->ctx, &q->p);
    }
    return b;
}

static void pipe_done(ingest_pipe *pl)
{
    if (!pl->threaded) return;
    pthread_mutex_lock(&pl->mu);
    pl->head = (pl->head + 1) % KS_PIPE_DEPTH;
    pl->full--;
    pthread_cond_broadcast(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
}

/* Stop the reading thread (when still running) and free everything. */
static void pipe_end(ingest_pipe *pl)
{
    if (pl->threaded) {
        pthread_mutex_lock(&pl->mu);
        pl->stop = 1;
        pthread_cond_broadcast(&pl->cv);
        pthread_mutex_unlock(&pl->mu);
        pthread_join(pl->thread, NULL);
        pthread_cond_destroy(&pl->cv);
        pthread_mutex_destroy(&pl->mu);
        pl->threaded = 0;
    }
    pipe_free_batches(pl);
    ks_store_row_free(&pl->row);
}

static int prepare(ks_case *c)
{
    if (!c->keys && !(c->keys = calloc(KS_KEY_SLOTS, sizeof *c->keys))) return SQLITE_NOMEM;
    if (!c->links && !(c->links = malloc(KS_LINK_BUF * sizeof *c->links))) return SQLITE_NOMEM;
    c->nlinks = 0;
    c->last_new = 1;
    /* a new generation: ids cached by an earlier ingest may have been rolled back */
    if (++c->keys_gen == 0) {
        memset(c->keys, 0, KS_KEY_SLOTS * sizeof *c->keys);
        c->keys_gen = 1;
    }
    if (c->ins_event) return SQLITE_OK;
    ks_buf sql = {0};
    ks_buf_puts(&sql, "INSERT OR IGNORE INTO events(dedup");
    for (int i = 0; i < KS_COL_COUNT; i++) {
        ks_buf_putc(&sql, ',');
        ks_buf_puts(&sql, ks_store_col_name[i]);
    }
    ks_buf_puts(&sql, ") VALUES(?");
    for (int i = 0; i < KS_COL_COUNT; i++) ks_buf_puts(&sql, ",?");
    ks_buf_puts(&sql, ")");
    ks_buf_putc(&sql, 0);
    int rc = sql.failed ? SQLITE_NOMEM
                        : sqlite3_prepare_v3(c->db, sql.data, -1, SQLITE_PREPARE_PERSISTENT,
                                             &c->ins_event, NULL);
    ks_buf_free(&sql);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(c->db, "SELECT id FROM events WHERE dedup=?", -1,
                                SQLITE_PREPARE_PERSISTENT, &c->find_event, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(c->db, "INSERT OR IGNORE INTO event_sources VALUES(?,?,?)", -1,
                                SQLITE_PREPARE_PERSISTENT, &c->ins_link, NULL);
    if (rc == SQLITE_OK) {
        ks_buf_puts(&sql, "INSERT OR IGNORE INTO event_sources VALUES(?,?,?)");
        for (int i = 1; i < KS_LINK_ROWS; i++) ks_buf_puts(&sql, ",(?,?,?)");
        ks_buf_putc(&sql, 0);
        rc = sql.failed ? SQLITE_NOMEM
                        : sqlite3_prepare_v3(c->db, sql.data, -1, SQLITE_PREPARE_PERSISTENT,
                                             &c->ins_links, NULL);
        ks_buf_free(&sql);
    }
    return rc;
}

static int link_cmp(const void *a, const void *b)
{
    const src_link *x = a, *y = b;
    if (x->event != y->event) return x->event < y->event ? -1 : 1;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Insert the buffered source links (in key order, KS_LINK_ROWS a statement). */
static int flush_links(ks_case *c, int64_t evidence_id)
{
    size_t n = c->nlinks, i = 0;
    c->nlinks = 0;
    if (!n) return SQLITE_OK;
    qsort(c->links, n, sizeof *c->links, link_cmp);
    int rc = SQLITE_DONE;
    for (; i + KS_LINK_ROWS <= n && rc == SQLITE_DONE; i += KS_LINK_ROWS) {
        for (int k = 0; k < KS_LINK_ROWS; k++) {
            sqlite3_bind_int64(c->ins_links, 3 * k + 1, c->links[i + k].event);
            sqlite3_bind_int64(c->ins_links, 3 * k + 2, evidence_id);
            sqlite3_bind_int64(c->ins_links, 3 * k + 3, c->links[i + k].offset);
        }
        rc = sqlite3_step(c->ins_links);
        sqlite3_reset(c->ins_links);
    }
    for (; i < n && rc == SQLITE_DONE; i++) {
        sqlite3_bind_int64(c->ins_link, 1, c->links[i].event);
        sqlite3_bind_int64(c->ins_link, 2, evidence_id);
        sqlite3_bind_int64(c->ins_link, 3, c->links[i].offset);
        rc = sqlite3_step(c->ins_link);
        sqlite3_reset(c->ins_link);
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* INSERT OR IGNORE the event (its values in text): *id its events.id, 0 when its key
 * was there already. */
static int insert_event(ks_case *c, const packed_event *pe, const char *text,
                        const unsigned char *key, int64_t *id)
{
    sqlite3_stmt *s = c->ins_event;
    int rc;
    *id = 0;
    sqlite3_bind_blob(s, 1, key, KS_DEDUP_BYTES, SQLITE_STATIC);
    for (int i = 0; i < KS_COL_COUNT; i++) {
        const packed_val *v = &pe->v[i];
        if (v->type == SQLITE_INTEGER)
            rc = sqlite3_bind_int64(s, i + 2, v->i);
        else if (v->type == SQLITE_TEXT)
            rc = sqlite3_bind_text64(s, i + 2, text + v->at, v->n, SQLITE_STATIC, SQLITE_UTF8);
        else
            rc = sqlite3_bind_null(s, i + 2);
        if (rc != SQLITE_OK) return rc;
    }
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return rc;
    if (sqlite3_changes(c->db) == 1) *id = sqlite3_last_insert_rowid(c->db);
    return SQLITE_OK;
}

/* Store one event and buffer its link to the evidence (flush_links writes it). *added
 * is 1 when it was new. */
static int store_event(ks_case *c, const packed_event *pe, const char *text, int64_t evidence_id,
                       int *added)
{
    if (pe->v[KS_COL_FIELDS].type != SQLITE_TEXT) return SQLITE_NOMEM;
    unsigned char key[KS_DEDUP_BYTES];
    dedup_key(pe, text, key);
    /* a key seen in this ingest is found in keys; otherwise look in the case first
     * when the last such event was there already (a re-read, a copy), else insert
     * first (new events: one index search instead of two) */
    int64_t id = 0;
    uint64_t k8;
    memcpy(&k8, key, sizeof k8);
    key_slot *slot = &c->keys[k8 & (KS_KEY_SLOTS - 1)];
    int rc = SQLITE_ROW, look = 1;
    *added = 0;
    if (slot->gen == c->keys_gen && memcmp(slot->key, key, KS_DEDUP_BYTES) == 0) {
        id = slot->id;
        look = 0;
    } else if (c->last_new) {
        if ((rc = insert_event(c, pe, text, key, &id)) != SQLITE_OK) return rc;
        look = !id;
        *added = id != 0;
    }
    if (look) {
        sqlite3_bind_blob(c->find_event, 1, key, KS_DEDUP_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(c->find_event);
        if (rc == SQLITE_ROW) id = sqlite3_column_int64(c->find_event, 0);
        sqlite3_reset(c->find_event);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rc;
        if (rc == SQLITE_DONE) {
            if (c->last_new) return SQLITE_CORRUPT; /* ignored as a duplicate, not found */
            if ((rc = insert_event(c, pe, text, key, &id)) != SQLITE_OK) return rc;
            if (!id) return SQLITE_CORRUPT; /* looked for, not found */
            *added = 1;
        }
        c->last_new = *added;
    }
    memcpy(slot->key, key, KS_DEDUP_BYTES);
    slot->id = id;
    slot->gen = c->keys_gen;
    if (c->nlinks == KS_LINK_BUF && (rc = flush_links(c, evidence_id)) != SQLITE_OK) return rc;
    c->links[c->nlinks++] =
        (src_link){id, pe->offset > INT64_MAX ? INT64_MAX : (int64_t)pe->offset};
    return SQLITE_OK;
}

static void bind_time(sqlite3_stmt *s, int i, int64_t ns, int have)
{
    if (!have) {
        sqlite3_bind_null(s, i);
        return;
    }
    ks_buf b = {0};
    ks_time_format(&b, ns, 7);
    if (b.failed)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, b.data, (int)b.len, SQLITE_TRANSIENT);
    ks_buf_free(&b);
}

/* Write the counts so far into the evidence row (inside the open transaction). */
static int update_evidence(ks_case *c, int64_t id, const ks_ingest_stats *s, int have_range,
                           const char *encoding)
{
    sqlite3_stmt *u = NULL;
    int rc = sqlite3_prepare_v2(c->db,
                                "UPDATE evidence SET events=?, added=?, duplicates=?, skipped=?, "
                                "ignored=?, unrecognized=?, chunks_bad=?, chunks_crc=?, "
                                "first_time=?, last_time=?, first_ns=?, last_ns=?, assumed=?, "
                                "encoding=? WHERE id=?",
                                -1, &u, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(u, 1, (int64_t)s->events);
    sqlite3_bind_int64(u, 2, (int64_t)s->added);
    sqlite3_bind_int64(u, 3, (int64_t)s->duplicates);
    sqlite3_bind_int64(u, 4, (int64_t)s->skipped);
    sqlite3_bind_int64(u, 5, (int64_t)s->ignored);
    sqlite3_bind_int64(u, 6, (int64_t)s->unrecognized);
    sqlite3_bind_int64(u, 7, s->chunks_bad);
    sqlite3_bind_int64(u, 8, s->chunks_crc);
    bind_time(u, 9, s->first_ns, have_range);
    bind_time(u, 10, s->last_ns, have_range);
    if (have_range) {
        sqlite3_bind_int64(u, 11, s->first_ns);
        sqlite3_bind_int64(u, 12, s->last_ns);
    }
    if (s->assumed[0]) sqlite3_bind_text(u, 13, s->assumed, -1, SQLITE_TRANSIENT);
    if (encoding) sqlite3_bind_text(u, 14, encoding, -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 15, id);
    rc = sqlite3_step(u);
    sqlite3_finalize(u);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The evidence row of this file (same path, same hash, read with the same --tz and
 * --year: syslog times depend on them), if any: its id and whether it is complete. 0
 * when there is none, -1 on error. */
static int find_evidence(ks_case *c, const char *path, const char *sha, const ks_ingest_opts *o,
                         int64_t *id, int *complete, ks_ingest_stats *stats)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id, complete, events, added, duplicates, skipped, ignored, "
                           "unrecognized, chunks_bad, chunks_crc, first_ns, last_ns, "
                           "coalesce(assumed,''), changed FROM evidence "
                           "WHERE path=? AND sha256=? AND coalesce(tz,'')=? AND "
                           "coalesce(year,0)=? ORDER BY complete DESC, id DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, o->tz ? o->tz : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, o->year);
    int rc = sqlite3_step(q), found = 0;
    if (rc == SQLITE_ROW) {
        found = 1;
        *id = sqlite3_column_int64(q, 0);
        *complete = sqlite3_column_int(q, 1);
        if (*complete) {
            stats->events = (uint64_t)sqlite3_column_int64(q, 2);
            stats->skipped = (uint64_t)sqlite3_column_int64(q, 5);
            stats->ignored = (uint64_t)sqlite3_column_int64(q, 6);
            stats->unrecognized = (uint64_t)sqlite3_column_int64(q, 7);
            stats->chunks_bad = (uint32_t)sqlite3_column_int64(q, 8);
            stats->chunks_crc = (uint32_t)sqlite3_column_int64(q, 9);
            stats->first_ns = sqlite3_column_int64(q, 10);
            stats->last_ns = sqlite3_column_int64(q, 11);
            snprintf(stats->assumed, sizeof stats->assumed, "%s",
                     (const char *)sqlite3_column_text(q, 12));
            stats->changed = sqlite3_column_int(q, 13) != 0;
        }
    } else if (rc != SQLITE_DONE) {
        found = -1;
    }
    sqlite3_finalize(q);
    return found;
}

static int new_evidence(ks_case *c, const char *path, const ks_ingest_stats *s, int64_t mtime_ns,
                        const ks_ingest_opts *o, int64_t *id)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(c->db,
                                "INSERT INTO evidence(path, sha256, size, mtime, format, tz, year, "
                                "started, kensa) VALUES(?,?,?,?,?,?,?,?,?)",
                                -1, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    char when[40];
    now_text(when, sizeof when);
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, s->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (int64_t)s->size);
    bind_time(q, 4, mtime_ns, 1);
    sqlite3_bind_text(q, 5, ks_format_name(s->format), -1, SQLITE_STATIC);
    if (o->tz) sqlite3_bind_text(q, 6, o->tz, -1, SQLITE_STATIC);
    if (o->year) sqlite3_bind_int(q, 7, o->year);
    sqlite3_bind_text(q, 8, when, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 9, KS_STORE_VERSION, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return rc;
    *id = sqlite3_last_insert_rowid(c->db);
    return SQLITE_OK;
}

static int finish_evidence(ks_case *c, int64_t id, const char *sha_end, int changed)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(
        c->db, "UPDATE evidence SET complete=1, finished=?, sha256_end=?, changed=? WHERE id=?", -1,
        &q, NULL);
    if (rc != SQLITE_OK) return rc;
    char when[40];
    now_text(when, sizeof when);
    sqlite3_bind_text(q, 1, when, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, sha_end, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, changed);
    sqlite3_bind_int64(q, 4, id);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* 1 when the case has evidence from this path, read with the same --tz and --year,
 * of this size (the only rows find_evidence could match), 0 when not, -1 on error. */
static int evidence_maybe(ks_case *c, const char *path, uint64_t size, const ks_ingest_opts *o)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT 1 FROM evidence WHERE path=? AND size=? AND "
                           "coalesce(tz,'')=? AND coalesce(year,0)=? LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, size > INT64_MAX ? INT64_MAX : (int64_t)size);
    sqlite3_bind_text(q, 3, o->tz ? o->tz : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, o->year);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Wait for the first hash pass; its digest and size into s. */
static ks_status before_hash(hasher *h, ks_ingest_stats *s, const char *path,
                             const ks_ingest_opts *o, ks_diag *d)
{
    uint64_t known = 0;
    while (known != UINT64_MAX) { /* progress every 64 MiB */
        if (o->on_progress) o->on_progress(o->ctx, path, KS_PHASE_HASH, known, s->size, 0);
        uint64_t next = known + (64u << 20) < known ? UINT64_MAX : known + (64u << 20);
        if (hasher_wait_before(h, next >= s->size ? UINT64_MAX : next, &known) != 0) {
            int e = h->before_errno;
            return e == ENOMEM ? ks_diag_set(d, KS_ERR_NOMEM, path, 0, "out of memory")
                               : ks_diag_set(d, KS_ERR_IO, path, 0, "cannot read: %s", strerror(e));
        }
    }
    memcpy(s->sha256, h->before_hex, sizeof s->sha256);
    s->size = h->before_size;
    if (o->on_progress) o->on_progress(o->ctx, path, KS_PHASE_HASH, s->size, s->size, 0);
    return KS_OK;
}

/* The hash and size of a new evidence row, known once the first pass is over (before
 * the transaction that inserted the row commits). */
static int evidence_set_sha(ks_case *c, int64_t id, const ks_ingest_stats *s)
{
    sqlite3_stmt *q = NULL;
    int rc =
        sqlite3_prepare_v2(c->db, "UPDATE evidence SET sha256=?, size=? WHERE id=?", -1, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(q, 1, s->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, s->size > INT64_MAX ? INT64_MAX : (int64_t)s->size);
    sqlite3_bind_int64(q, 3, id);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

ks_status ks_case_ingest(ks_case *c, const char *path, const ks_ingest_opts *opts,
                         ks_ingest_stats *stats, ks_diag *diag)
{
    ks_ingest_opts defaults = {0};
    const ks_ingest_opts *o = opts ? opts : &defaults;
    ks_ingest_stats local;
    ks_ingest_stats *s = stats ? stats : &local;
    memset(s, 0, sizeof *s);
    if (!c || !path || c->readonly)
        return ks_diag_set(diag, KS_ERR_ARG, path, 0, "no case to write");
    uint32_t batch = o->batch ? o->batch : KS_CASE_BATCH_DEFAULT;
    char abspath[PATH_MAX];
    if (!realpath(path, abspath))
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot open: %s", strerror(errno));

    hasher h;
    memset(&h, 0, sizeof h);
    ingest_pipe pl = {.h = &h, .o = o, .row = {.geo = ks_store_geoip(c)}};
    ks_source_opts so = {.format = o->format,
                         .encoding = o->encoding,
                         .year = o->year,
                         .tz = o->tz,
                         .on_problem = pipe_problem,
                         .ctx = &pl};
    ks_source *src = NULL;
    ks_status st = ks_source_open(&src, path, &so, diag);
    if (st != KS_OK) return st;
    pl.src = src;
    s->format = ks_source_format(src);
    int64_t mtime_ns = 0;
    int in_tx = 0, rc = SQLITE_OK, sha_written = 0;
    unsigned deferred = 0;
    if ((st = hasher_start(&h, path, &s->size, &mtime_ns, diag)) != KS_OK) goto out;
    if ((rc = prepare(c)) != SQLITE_OK) goto db_error;

    int64_t id = 0;
    int complete = 0;
    if (exec(c->db, "BEGIN IMMEDIATE") != SQLITE_OK) goto db_error;
    in_tx = 1;
    /* a file seen before has the same size: only then is its hash needed now */
    int maybe = evidence_maybe(c, abspath, s->size, o);
    if (maybe < 0) goto db_error;
    int found = 0;
    if (maybe) {
        if ((st = before_hash(&h, s, path, o, diag)) != KS_OK) goto out;
        found = find_evidence(c, abspath, s->sha256, o, &id, &complete, s);
        if (found < 0) goto db_error;
    }
    if (found && complete) {
        s->evidence_id = id;
        s->already = true;
        s->duplicates = s->events;
        goto out; /* rolled back below: nothing was written */
    }
    s->resumed = found != 0;
    sha_written = found != 0;
    /* a new row gets its hash before the first commit (the same transaction) */
    if (!found && (rc = new_evidence(c, abspath, s, mtime_ns, o, &id)) != SQLITE_OK) goto db_error;
    s->evidence_id = id;

    uint32_t in_batch = 0;
    int have_range = 0;
    ks_status rst = KS_OK;
    if (pipe_start(&pl, s->size) != 0) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, path, 0, "out of memory");
        goto out;
    }
    ingest_batch *b;
    while ((b = pipe_next(&pl)) != NULL) {
        if (b->text.failed) {
            pipe_done(&pl);
            st = ks_diag_set(diag, KS_ERR_NOMEM, path, 0, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < b->n; i++) {
            const packed_event *pe = &b->ev[i];
            int added = 0;
            if ((rc = store_event(c, pe, b->text.data, id, &added)) != SQLITE_OK) {
                pipe_done(&pl);
                goto db_error;
            }
            s->events++;
            if (added)
                s->added++;
            else
                s->duplicates++;
            if (!have_range || pe->time_ns < s->first_ns) s->first_ns = pe->time_ns;
            if (!have_range || pe->time_ns > s->last_ns) s->last_ns = pe->time_ns;
            have_range = 1;
            if (++in_batch < batch) continue;
            s->skipped = b->skipped;
            s->chunks_bad = b->chunks_bad;
            /* a new row commits with its hash: until the first pass is over, the first
             * transaction grows (up to KS_HASH_DEFER batches) rather than wait */
            if (!sha_written && deferred < KS_HASH_DEFER && !hasher_before_over(&h)) {
                deferred++;
                in_batch = 0;
                continue;
            }
            rc = SQLITE_OK;
            if (!sha_written) {
                if ((st = before_hash(&h, s, path, o, diag)) != KS_OK) {
                    pipe_done(&pl);
                    goto out;
                }
                sha_written = 1;
                rc = evidence_set_sha(c, id, s);
            }
            if (rc == SQLITE_OK) rc = flush_links(c, id);
            if (rc == SQLITE_OK) rc = update_evidence(c, id, s, have_range, NULL);
            if (rc != SQLITE_OK || exec(c->db, "COMMIT") != SQLITE_OK) {
                pipe_done(&pl);
                goto db_error;
            }
            in_tx = 0;
            if (o->on_progress)
                o->on_progress(o->ctx, path, KS_PHASE_READ, pe->offset, s->size, s->events);
            if (exec(c->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
                pipe_done(&pl);
                goto db_error;
            }
            in_tx = 1;
            in_batch = 0;
        }
        int end = b->end;
        rst = b->rst;
        pipe_done(&pl);
        if (end == 2) {
            st = before_hash(&h, s, path, o, diag); /* sets diag: the read failed */
            goto out;
        }
    }
    pipe_end(&pl); /* the reader is done: its counts are final */
    const ks_source_stats *ss = ks_source_get_stats(src);
    s->skipped = ss->skipped;
    s->ignored = ss->ignored;
    s->unrecognized = ss->unrecognized;
    s->chunks_bad = ss->chunks_bad;
    s->chunks_crc = ss->chunks_crc;
    snprintf(s->assumed, sizeof s->assumed, "%s", ss->assumed);
    if (rst != KS_OK) {
        /* the file could not be read further: keep what was read, stay incomplete */
        ks_problem p = {.file = path,
                        .severity = KS_SEV_ERROR,
                        .status = rst,
                        .what = "the file could not be read to its end; the evidence stays "
                                "incomplete"};
        if (o->on_problem) o->on_problem(o->ctx, &p);
    }
    if (!sha_written) {
        if ((st = before_hash(&h, s, path, o, diag)) != KS_OK) goto out;
        sha_written = 1;
        if ((rc = evidence_set_sha(c, id, s)) != SQLITE_OK) goto db_error;
    }
    if ((rc = flush_links(c, id)) != SQLITE_OK) goto db_error;
    if ((rc = update_evidence(c, id, s, have_range, ks_encoding_name(ks_source_encoding(src)))) !=
        SQLITE_OK)
        goto db_error;
    if (rst == KS_OK) {
        char sha_end[65];
        if (hasher_end(&h, 1) == 0)
            snprintf(sha_end, sizeof sha_end, "%s", h.after_hex);
        else
            snprintf(sha_end, sizeof sha_end, "unreadable");
        /* a file that grew or shrank while the first pass ran is changed too: the
         * reader saw its size at open */
        s->changed =
            strcmp(sha_end, s->sha256) != 0 || h.after_size != s->size || s->size != h.open_size;
        if ((rc = finish_evidence(c, id, sha_end, s->changed)) != SQLITE_OK) goto db_error;
    }
    if (exec(c->db, "COMMIT") != SQLITE_OK) goto db_error;
    in_tx = 0;
    if (o->on_progress) o->on_progress(o->ctx, path, KS_PHASE_READ, s->size, s->size, s->events);
    if (rst != KS_OK) st = ks_diag_set(diag, rst, path, 0, "the file could not be read to its end");
    goto out;
db_error:
    s->case_failed = true;
    st = ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot write the case: %s", sqlite3_errmsg(c->db));
out:
    if (in_tx) exec(c->db, "ROLLBACK");
    pipe_end(&pl);     /* nothing when already ended */
    hasher_end(&h, 0); /* nothing when already ended */
    if (c->ins_event) sqlite3_reset(c->ins_event);
    if (c->find_event) sqlite3_reset(c->find_event);
    if (c->ins_link) sqlite3_reset(c->ins_link);
    if (c->ins_links) sqlite3_reset(c->ins_links);
    c->nlinks = 0;
    ks_source_close(&src);
    (void)rc;
    return st;
}

ks_status ks_case_counts_get(ks_case *c, ks_case_counts *out, ks_diag *diag)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM evidence), "
                           "(SELECT count(*) FROM evidence WHERE complete=0), "
                           "(SELECT count(*) FROM event_sources)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(diag, c->db, NULL, "cannot read the case");
    ks_status st = KS_OK;
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->events = (uint64_t)sqlite3_column_int64(q, 0);
        out->evidence = (uint64_t)sqlite3_column_int64(q, 1);
        out->incomplete = (uint64_t)sqlite3_column_int64(q, 2);
        out->links = (uint64_t)sqlite3_column_int64(q, 3);
    } else {
        st = db_fail(diag, c->db, NULL, "cannot read the case");
    }
    sqlite3_finalize(q);
    return st;
}

/* ---- queries ------------------------------------------------------------ */

static const char hexdigits[] = "0123456789abcdef";

static ks_status run_stmt(ks_case *c, sqlite3_stmt *q, unsigned stmt_no, ks_row_fn fn, void *ctx,
                          int *stopped, ks_diag *d)
{
    int ncol = sqlite3_column_count(q);
    ks_status st = KS_OK;
    const char **names = calloc((size_t)ncol + 1, sizeof *names);
    ks_cell *cells = calloc((size_t)ncol + 1, sizeof *cells);
    size_t *offs = calloc((size_t)ncol + 1, sizeof *offs);
    ks_buf blobs = {0};
    if (!names || !cells || !offs) {
        st = ks_diag_set(d, KS_ERR_NOMEM, NULL, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < ncol; i++) {
        names[i] = sqlite3_column_name(q, i);
        if (!names[i]) names[i] = "";
    }
    uint64_t nrow = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ks_buf_reset(&blobs);
        for (int i = 0; i < ncol; i++) {
            int t = sqlite3_column_type(q, i);
            ks_cell *cell = &cells[i];
            if (t == SQLITE_NULL) {
                *cell = (ks_cell){KS_CELL_NULL, NULL, 0};
            } else if (t == SQLITE_BLOB) {
                const unsigned char *p = sqlite3_column_blob(q, i);
                int n = sqlite3_column_bytes(q, i);
                offs[i] = blobs.len;
                for (int k = 0; k < n; k++) {
                    ks_buf_putc(&blobs, hexdigits[p[k] >> 4]);
                    ks_buf_putc(&blobs, hexdigits[p[k] & 15]);
                }
                ks_buf_putc(&blobs, 0);
                *cell = (ks_cell){KS_CELL_BLOB, NULL, (size_t)n * 2};
            } else {
                const char *p = (const char *)sqlite3_column_text(q, i);
                size_t n = (size_t)sqlite3_column_bytes(q, i);
                *cell = (ks_cell){t == SQLITE_INTEGER ? KS_CELL_INT
                                  : t == SQLITE_FLOAT ? KS_CELL_REAL
                                                      : KS_CELL_TEXT,
                                  p ? p : "", p ? n : 0};
            }
        }
        if (blobs.failed) {
            st = ks_diag_set(d, KS_ERR_NOMEM, NULL, 0, "out of memory");
            goto out;
        }
        for (int i = 0; i < ncol; i++)
            if (cells[i].type == KS_CELL_BLOB) cells[i].text = blobs.data + offs[i];
        ks_row r = {stmt_no, nrow++, (size_t)ncol, names, cells};
        if (fn && fn(ctx, &r)) {
            *stopped = 1;
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        st = ks_diag_set(d, KS_ERR_IO, NULL, 0, "%s", sqlite3_errmsg(c->db));
        goto out;
    }
    if (!nrow && ncol && fn) {
        ks_row r = {stmt_no, UINT64_MAX, (size_t)ncol, names, NULL};
        if (fn(ctx, &r)) *stopped = 1;
    }
out:
    ks_buf_free(&blobs);
    free(names);
    free(cells);
    free(offs);
    return st;
}

ks_status ks_case_query(ks_case *c, const char *sql, ks_row_fn fn, void *ctx, ks_diag *d)
{
    if (!c || !sql) return ks_diag_set(d, KS_ERR_ARG, NULL, 0, "no query");
    const char *tail = sql;
    unsigned n = 0;
    int stopped = 0;
    while (*tail && !stopped) {
        sqlite3_stmt *q = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(c->db, tail, -1, &q, &next) != SQLITE_OK) {
            int at = sqlite3_error_offset(c->db);
            return ks_diag_set(d, KS_ERR_ARG, NULL,
                               at >= 0 ? (uint64_t)(tail - sql) + (uint64_t)at : 0, "%s",
                               sqlite3_errmsg(c->db));
        }
        if (!q) break; /* only whitespace or comments left */
        if (c->readonly && !sqlite3_stmt_readonly(q)) {
            sqlite3_finalize(q);
            return ks_diag_set(d, KS_ERR_ARG, NULL, (uint64_t)(tail - sql),
                               "queries only read the case; this statement would change it");
        }
        ks_status st = run_stmt(c, q, n++, fn, ctx, &stopped, d);
        sqlite3_finalize(q);
        if (st != KS_OK) return st;
        tail = next;
    }
    return KS_OK;
}
