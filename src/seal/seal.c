/* kensa seal: evidence files into the archive, day by day. Each file is read once
 * into memory (one snapshot: its hash, its records and its compressed copy all come
 * from the same bytes), its records are placed in the UTC day of their time, and
 * every day from the first new one to the last is sealed with its own key, derived
 * from the seed in the signing key file, which is then overwritten with the next
 * day's seed (src/seal/keys.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "kensa/evtx.h"
#include "kensa/source.h"
#include "seal/seal_internal.h"
#include "util/blake2b_lanes.h"

#define NS_PER_DAY 86400000000000ll
#define MAX_SEGMENT (1u << 30) /* a text record longer than this is cut in pieces */
#define MAX_SPAN_DAYS 3660     /* days before this run's last one that it may create */
#define ZSTD_LEVEL 1           /* about twice as fast as 3, archives as small (docs/seal.md) */

typedef struct rec {
    ks_seal_entry e;
    int64_t day; /* where it is sealed */
    uint8_t leaf[KS_HASH_SIZE];
} rec;

typedef struct seal_run {
    const char *dir;
    const ks_seal_opts *o;
    ks_seal_stats *st;
    ks_diag *diag;
    char key_path[4096], stage[4096], archive_real[4096];
    /* the archive as found */
    bool exists;
    int64_t last_day;
    uint64_t seq;
    uint8_t prev[KS_HASH_SIZE];
    uint32_t next_file;
    ks_seal_seed seed; /* of the next day to seal */
    ks_seal_keys keys; /* DIR/keys: every day's key and its certificate */
    uint32_t key_days; /* for a new archive */
    /* this run */
    int64_t today;
    rec *recs;
    size_t nrec, cap;
    ks_seal_file *files;
    size_t nfiles, fcap;
    char **paths;
    size_t npaths, pcap;
    /* hashes of the files already in the archive, sorted: an identical file is not
     * sealed twice (a nightly run over the same folder) */
    uint8_t (*have)[KS_HASH_SIZE];
    size_t nhave;
    ZSTD_CCtx *zc; /* one compression context and output buffer for every file */
    void *zbuf;
    size_t zcap;
} seal_run;

static int64_t day_of(int64_t ns)
{
    int64_t q = ns / NS_PER_DAY;
    return (ns % NS_PER_DAY < 0) ? q - 1 : q;
}

static void problem(seal_run *r, const char *file, ks_severity sev, const char *what)
{
    if (!r->o || !r->o->source.on_problem) return;
    ks_problem p = {file, 0, 0, 0, sev, KS_ERR_UNSUPPORTED, what, NULL, 0};
    r->o->source.on_problem(r->o->source.ctx, &p);
}

/* ---- the signing key ----------------------------------------------------------- */

static void fsync_dir(const char *path)
{
    if (!ks_seal_sync) return;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static void parent_of(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", path);
    char *s = strrchr(out, '/');
    if (!s)
        snprintf(out, cap, ".");
    else if (s == out)
        out[1] = 0;
    else
        *s = 0;
}

/* The seed of the day just sealed is erased: its file is overwritten with zeros and
 * replaced by the next day's seed (written beside it before the checkpoint was). */
static ks_status key_advance(seal_run *r, const ks_seal_seed *next_seed)
{
    char next[4200], parent[4096];
    snprintf(next, sizeof next, "%s.next", r->key_path);
    int fd = open(r->key_path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        uint8_t zero[KS_SEAL_SEED_SIZE] = {0};
        (void)!write(fd, zero, sizeof zero);
        (void)fsync(fd); /* always: this is the erasure */
        close(fd);
    }
    if (rename(next, r->key_path) != 0)
        return ks_diag_set(r->diag, KS_ERR_IO, r->key_path, 0, "cannot replace the signing key: %s",
                           strerror(errno));
    parent_of(r->key_path, parent, sizeof parent);
    fsync_dir(parent);
    r->seed = *next_seed;
    return KS_OK;
}

/* Whether the seed file at path is the one of day `index` of this archive. */
static bool seed_continues(const seal_run *r, const char *path, uint64_t index, ks_seal_seed *sd)
{
    if (ks_seal_seed_read(path, sd) != KS_OK || sd->index != index ||
        memcmp(sd->archive, r->keys.archive, KS_SEAL_KEY_SIZE) != 0)
        return false;
    if (index >= r->keys.count) return true; /* the keys are used up: nothing to compare */
    uint8_t pk[32], sk[64];
    ks_seal_seed_keypair(sd->s, pk, sk);
    sodium_memzero(sk, sizeof sk);
    return memcmp(pk, ks_seal_keys_pk(&r->keys, (uint32_t)index), 32) == 0;
}

/* ---- the archive as it is ------------------------------------------------------- */

static ks_status read_checkpoint(const char *dir, int64_t day, ks_checkpoint *c)
{
    char path[4200], name[16], why[128];
    ks_seal_day_format(day, name);
    snprintf(path, sizeof path, "%s/days/%s/checkpoint", dir, name);
    uint8_t *d;
    size_t n;
    ks_status st = ks_seal_slurp(path, KS_SEAL_MAX_CHECKPOINT, &d, &n);
    if (st != KS_OK) return st;
    st = ks_checkpoint_parse(d, n, c, why, sizeof why);
    free(d);
    return st;
}

/* A day directory without a checkpoint is what an interrupted run leaves: its
 * files (only sealing writes there) are removed so the day can be sealed again. */
static void remove_incomplete(const char *dir, int64_t day)
{
    char path[4200], name[16], file[4500];
    ks_seal_day_format(day, name);
    snprintf(path, sizeof path, "%s/days/%s", dir, name);
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        unlink(file);
    }
    closedir(d);
    rmdir(path);
}

static int cmp_hash(const void *a, const void *b)
{
    return memcmp(a, b, KS_HASH_SIZE);
}

/* The content hashes of every file in the archive (from the days' lists). */
static ks_status load_file_hashes(seal_run *r, const int64_t *days, size_t n)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4200], name[16];
        ks_seal_day_format(days[i], name);
        snprintf(path, sizeof path, "%s/days/%s/files", r->dir, name);
        uint8_t *d;
        size_t dn;
        if (ks_seal_slurp(path, 64ull << 20, &d, &dn) != KS_OK) continue;
        size_t at = 12;
        uint32_t k = dn >= 12 ? ks_get_u32(d + 8) : 0;
        for (uint32_t j = 0; j < k && dn - at >= KS_SEAL_FILE_FIXED; j++) {
            size_t nl = (size_t)d[at + 84] | (size_t)d[at + 85] << 8;
            if (nl > dn - at - KS_SEAL_FILE_FIXED) break;
            if (r->nhave == cap) {
                cap = cap ? cap * 2 : 64;
                uint8_t(*v)[KS_HASH_SIZE] = realloc(r->have, cap * KS_HASH_SIZE);
                if (!v) {
                    free(d);
                    return KS_ERR_NOMEM;
                }
                r->have = v;
            }
            memcpy(r->have[r->nhave++], d + at + 12, KS_HASH_SIZE);
            at += KS_SEAL_FILE_FIXED + nl;
        }
        free(d);
    }
    if (r->nhave) qsort(r->have, r->nhave, KS_HASH_SIZE, cmp_hash);
    return KS_OK;
}

static ks_status load_archive(seal_run *r)
{
    int64_t *days = NULL;
    size_t n = 0, other = 0;
    ks_status st = ks_seal_list_days(r->dir, &days, &n, &other);
    if (st != KS_OK) return ks_diag_set(r->diag, st, r->dir, 0, "cannot list the archive's days");
    char cp[4200], name[16];
    while (n > 0) {
        ks_seal_day_format(days[n - 1], name);
        snprintf(cp, sizeof cp, "%s/days/%s/checkpoint", r->dir, name);
        if (access(cp, F_OK) == 0) break;
        remove_incomplete(r->dir, days[n - 1]);
        n--;
    }
    if (n == 0) {
        free(days);
        r->exists = false;
        return KS_OK;
    }
    ks_checkpoint c;
    st = load_file_hashes(r, days, n);
    if (st == KS_OK) st = read_checkpoint(r->dir, days[n - 1], &c);
    uint8_t *head = NULL;
    size_t hn = 0;
    if (st != KS_OK && ks_seal_slurp(cp, KS_SEAL_MAX_CHECKPOINT, &head, &hn) == KS_OK &&
        hn >= sizeof KS_SEAL_CKPT_HEAD_V1 - 1 &&
        memcmp(head, KS_SEAL_CKPT_HEAD_V1, sizeof KS_SEAL_CKPT_HEAD_V1 - 1) == 0) {
        free(head);
        free(days);
        return ks_diag_set(r->diag, KS_ERR_UNSUPPORTED, cp, 0,
                           "this archive was sealed in the first format (v1, a \"ks1-\" key), "
                           "which this kensa cannot continue: seal into a new archive");
    }
    free(head);
    if (st != KS_OK) {
        ks_diag_set(r->diag, KS_ERR_FORMAT, cp, 0,
                    "the last checkpoint cannot be read; run kensa verify on the archive");
        free(days);
        return KS_ERR_FORMAT;
    }
    free(days);
    r->exists = true;
    r->last_day = c.day;
    r->seq = c.seq + 1;
    memcpy(r->prev, c.hash, KS_HASH_SIZE);
    r->next_file = c.next_file;
    /* the day keys, and the seed of the day after the last checkpoint's */
    char why[160], kp[4200];
    snprintf(kp, sizeof kp, "%s/keys", r->dir);
    if (ks_seal_keys_load(r->dir, &r->keys, why, sizeof why) != KS_OK)
        return ks_diag_set(r->diag, KS_ERR_FORMAT, kp, 0, "%s; run kensa verify on the archive",
                           why);
    if (!ks_seal_keys_signed(&r->keys))
        return ks_diag_set(r->diag, KS_ERR_FORMAT, kp, 0,
                           "the list of day keys was changed (the archive key's signature over "
                           "it does not hold); run kensa verify on the archive");
    ks_seal_seed sd;
    char next[4200];
    snprintf(next, sizeof next, "%s.next", r->key_path);
    if (seed_continues(r, r->key_path, r->seq, &sd)) {
        r->seed = sd;
    } else if (seed_continues(r, next, r->seq, &sd)) {
        /* interrupted after the checkpoint was written: finish replacing the key */
        if (rename(next, r->key_path) != 0) {
            sodium_memzero(&sd, sizeof sd);
            return ks_diag_set(r->diag, KS_ERR_IO, r->key_path, 0, "%s", strerror(errno));
        }
        r->seed = sd;
    } else {
        sodium_memzero(&sd, sizeof sd);
        return ks_diag_set(r->diag, KS_ERR_ARG, r->key_path, 0,
                           "this signing key does not continue the archive (it is not the key "
                           "of the day after %s, the last one sealed)",
                           name);
    }
    sodium_memzero(&sd, sizeof sd);
    return KS_OK;
}

static ks_status create_archive(seal_run *r)
{
    char path[4200];
    if (access(r->key_path, F_OK) == 0) {
        /* a run that created the archive and stopped before its first day left the
         * seed of its day 0 there: new keys replace it. Any other key is kept. */
        ks_seal_seed sd;
        ks_seal_keys k = {0};
        char why[160];
        bool ours = ks_seal_seed_read(r->key_path, &sd) == KS_OK && sd.index == 0 &&
                    ks_seal_keys_load(r->dir, &k, why, sizeof why) == KS_OK &&
                    memcmp(k.archive, sd.archive, KS_SEAL_KEY_SIZE) == 0;
        ks_seal_keys_free(&k);
        sodium_memzero(&sd, sizeof sd);
        if (!ours)
            return ks_diag_set(r->diag, KS_ERR_ARG, r->key_path, 0,
                               "a signing key is already there, but the archive has no sealed "
                               "day; move the key away to start a new archive");
    }
    if (mkdir(r->dir, 0755) != 0 && errno != EEXIST)
        return ks_diag_set(r->diag, KS_ERR_IO, r->dir, 0, "%s", strerror(errno));
    snprintf(path, sizeof path, "%s/days", r->dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return ks_diag_set(r->diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
    static const char readme[] =
        "kensa sealed log archive\n\n"
        "days/YYYY-MM-DD/ holds one UTC day: the original files first stored that day\n"
        "(NNNNNNNN.zst, zstd, byte for byte), their list (files), the records of the day\n"
        "(records) and the day's signed checkpoint. keys lists the key of every day and\n"
        "its certificate. Check it offline with\n"
        "  kensa verify --archive THIS-FOLDER --key ARCHIVE-KEY\n"
        "where ARCHIVE-KEY is the key (ks2-...) printed when the archive was created (also\n"
        "in archive-key.pub: keep a copy of it away from the archive). signing.key, when\n"
        "present, is the secret of the next day to seal: it is not part of the archive.\n";
    snprintf(path, sizeof path, "%s/README.txt", r->dir);
    ks_status st = ks_seal_write_file(path, readme, sizeof readme - 1, r->diag);
    if (st != KS_OK) return st;
    r->exists = false;
    r->seq = 0;
    memset(r->prev, 0, sizeof r->prev);
    r->next_file = 0;
    return KS_OK;
}

/* A new archive's keys, once its first day is known (docs/seal.md): DIR/keys, the
 * seed of the first day in the signing key file, the archive key printed to
 * archive-key.pub. */
static ks_status start_keys(seal_run *r, int64_t first_day)
{
    char path[4200], why[160];
    ks_status st = ks_seal_keys_create(r->dir, first_day, r->key_days, &r->seed, r->diag);
    if (st == KS_OK) st = ks_seal_seed_write(r->key_path, &r->seed, r->diag);
    if (st != KS_OK) return st;
    ks_seal_keys_free(&r->keys);
    if (ks_seal_keys_load(r->dir, &r->keys, why, sizeof why) != KS_OK)
        return ks_diag_set(r->diag, KS_ERR_IO, r->dir, 0, "%s", why);
    char printable[96], text[256];
    ks_seal_key_format(r->keys.archive, printable);
    int len = snprintf(text, sizeof text, "%s\n", printable);
    snprintf(path, sizeof path, "%s/archive-key.pub", r->dir);
    st = ks_seal_write_file(path, text, (size_t)len, r->diag);
    if (st != KS_OK) return st;
    r->st->created = true;
    memcpy(r->st->archive_key, r->keys.archive, KS_SEAL_KEY_SIZE);
    return KS_OK;
}

/* ---- reading the evidence --------------------------------------------------------- */

/* A record's entry; its leaf is computed with the file's others (record_leaves). */
static bool push_rec(seal_run *r, const ks_seal_entry *e)
{
    if (r->nrec == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 4096;
        rec *v = realloc(r->recs, nc * sizeof *v);
        if (!v) return false;
        r->recs = v;
        r->cap = nc;
    }
    rec *x = &r->recs[r->nrec++];
    x->e = *e;
    x->day = 0;
    return true;
}

/* The leaves of records [from, r->nrec), whose bytes are in data: the content hashes
 * H(bytes), then H(0x00 || entry || content) (ks_seal_record_leaf's), each many at a
 * time in SIMD lanes. The entry is final but for the time of untimed records, which
 * is stored as 0 and does not change. */
_Static_assert(KS_SEAL_HASH == KS_HASH_BLAKE2B256, "record_leaves hashes with BLAKE2b");
static void record_leaves(seal_run *r, size_t from, const uint8_t *data)
{
    enum { CHUNK = 256 };
    uint8_t in[CHUNK][KS_SEAL_LEAF_SIZE], leaf[CHUNK][KS_HASH_SIZE];
    ks_b2_job jobs[CHUNK];
    for (size_t i = from; i < r->nrec; i += CHUNK) {
        size_t k = r->nrec - i < CHUNK ? r->nrec - i : CHUNK;
        for (size_t j = 0; j < k; j++) {
            const ks_seal_entry *e = &r->recs[i + j].e;
            ks_seal_entry_encode(e, in[j]);
            jobs[j] = (ks_b2_job){data + e->offset, e->size, in[j] + KS_SEAL_ENTRY_SIZE};
        }
        ks_blake2b_jobs(jobs, k, KS_HASH_SIZE, NULL, 0);
        ks_merkle_leaves(KS_SEAL_HASH, in[0], KS_SEAL_LEAF_SIZE, KS_SEAL_LEAF_SIZE, k, leaf);
        for (size_t j = 0; j < k; j++) memcpy(r->recs[i + j].leaf, leaf[j], KS_HASH_SIZE);
    }
}

static bool push_segment(seal_run *r, uint32_t file, uint64_t from, uint64_t to, int64_t t,
                         uint64_t id)
{
    while (from < to) {
        uint64_t len = to - from > MAX_SEGMENT ? MAX_SEGMENT : to - from;
        ks_seal_entry e = {file, (uint32_t)len, from, t, id};
        if (!push_rec(r, &e)) return false;
        from += len;
    }
    return true;
}

static ks_status read_whole(const char *path, uint8_t **data, size_t *cap, size_t *n, ks_diag *diag)
{
    ks_status st = ks_seal_slurp_into(path, KS_SEAL_MAX_FILE_SIZE, data, cap, n);
    if (st != KS_OK)
        return ks_diag_set(diag, st, path, 0, "cannot read the file: %s",
                           st == KS_ERR_IO ? strerror(errno) : ks_status_str(st));
    return KS_OK;
}

static void forward_evtx_problem(void *ctx, const ks_evtx_problem *p)
{
    (void)ctx;
    (void)p; /* damaged EVTX data is sealed as it is: the bytes are the evidence */
}

/* The records of one file: EVTX records as the EVTX reader finds them (their exact
 * bytes), other formats as the byte ranges from one event's start to the next's. */
static ks_status file_records(seal_run *r, const char *path, ks_format f, uint32_t id,
                              const uint8_t *data, size_t n)
{
    size_t from = r->nrec;
    if (f == KS_FORMAT_EVTX) {
        ks_evtx *ev;
        if (ks_evtx_open_mem(&ev, data, n, path, NULL) == KS_OK) {
            ks_evtx_on_problem(ev, forward_evtx_problem, NULL);
            const ks_evtx_record *er;
            while (ks_evtx_next(ev, &er) == KS_OK && er) {
                if (er->offset > n || er->size > n - er->offset) continue;
                ks_seal_entry e = {id, er->size, er->offset,
                                   er->written_ns > 0 ? er->written_ns : 0, er->record_id};
                if (!push_rec(r, &e)) {
                    ks_evtx_close(&ev);
                    return KS_ERR_NOMEM;
                }
            }
            ks_evtx_close(&ev);
        }
    } else {
        ks_source *s;
        ks_source_opts so = r->o ? r->o->source : (ks_source_opts){0};
        so.format = f;
        so.on_problem = NULL; /* lines kensa cannot read are sealed all the same */
        so.time_only = true;  /* offsets, times and ids are all a record needs */
        uint64_t at = 0, id_at = 0;
        int64_t t_at = 0;
        if (ks_source_open(&s, path, &so, NULL) == KS_OK) {
            const ks_event *ev;
            while (ks_source_next(s, &ev) == KS_OK && ev) {
                uint64_t off = ev->offset;
                if (off <= at || off >= n) continue; /* same record, or past our snapshot */
                if (!push_segment(r, id, at, off, t_at, id_at)) {
                    ks_source_close(&s);
                    return KS_ERR_NOMEM;
                }
                at = off;
                t_at = ev->time_ns > 0 ? ev->time_ns : 0;
                id_at = ev->record_id;
            }
            ks_source_close(&s);
        }
        if (!push_segment(r, id, at, n, t_at, id_at)) return KS_ERR_NOMEM;
    }
    record_leaves(r, from, data);
    return KS_OK;
}

/* Days for the records of one file: a record's own UTC day; records without a time
 * take the day of the record before them in the file (the first ones, of the first
 * record with a time); a file without any time goes to the run's first day. */
static void assign_days(seal_run *r, size_t from, int64_t none)
{
    int64_t cur = INT64_MIN;
    for (size_t i = from; i < r->nrec; i++)
        if (r->recs[i].e.time_ns) {
            cur = day_of(r->recs[i].e.time_ns);
            break;
        }
    for (size_t i = from; i < r->nrec; i++) {
        if (r->recs[i].e.time_ns) cur = day_of(r->recs[i].e.time_ns);
        r->recs[i].day = cur == INT64_MIN ? none : cur;
        if (!r->recs[i].e.time_ns && r->st) r->st->untimed++;
    }
}

static ks_status stage_file(seal_run *r, ks_seal_file *sf, const uint8_t *data, size_t n)
{
    uint32_t id = sf->id;
    size_t cap = ZSTD_compressBound(n);
    if (!cap) cap = 1;
    if (r->zcap < cap) {
        free(r->zbuf);
        r->zcap = 0;
        if (!(r->zbuf = malloc(cap))) return KS_ERR_NOMEM;
        r->zcap = cap;
    }
    if (!r->zc && !(r->zc = ZSTD_createCCtx())) return KS_ERR_NOMEM;
    size_t zn = ZSTD_compressCCtx(r->zc, r->zbuf, r->zcap, data, n, ZSTD_LEVEL);
    if (ZSTD_isError(zn))
        return ks_diag_set(r->diag, KS_ERR_FORMAT, NULL, 0, "zstd: %s", ZSTD_getErrorName(zn));
    char path[4200];
    snprintf(path, sizeof path, "%s/%08u.zst", r->stage, id);
    sf->zsize = zn;
    ks_hash(KS_SEAL_HASH, r->zbuf, zn, sf->zhash);
    /* not synced one by one: sync_staged does it for all before the first checkpoint */
    bool sync = ks_seal_sync;
    ks_seal_sync = false;
    ks_status st = ks_seal_write_file(path, r->zbuf, zn, r->diag);
    ks_seal_sync = sync;
    return st;
}

/* The staged copies on stable storage before any checkpoint names them: one syncfs
 * of the archive's file system instead of an fsync per file (each of which waits for
 * its own journal commit). */
static ks_status sync_staged(seal_run *r)
{
    if (!ks_seal_sync || !r->nfiles) return KS_OK;
    int fd = open(r->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ks_diag_set(r->diag, KS_ERR_IO, r->stage, 0, "%s", strerror(errno));
    int rc = syncfs(fd);
    int e = errno;
    close(fd);
    return rc == 0 ? KS_OK : ks_diag_set(r->diag, KS_ERR_IO, r->stage, 0, "%s", strerror(e));
}

typedef struct walk_ctx {
    seal_run *r;
    bool nomem;
} walk_ctx;

static void on_walk(void *ctx, const char *path, ks_format f, const char *why)
{
    walk_ctx *w = ctx;
    seal_run *r = w->r;
    if (f == KS_FORMAT_UNKNOWN) {
        problem(r, path, KS_SEV_WARNING, why ? why : "not evidence kensa reads; not sealed");
        return;
    }
    char real[4096];
    if (realpath(path, real) && r->archive_real[0]) {
        size_t al = strlen(r->archive_real);
        if (strncmp(real, r->archive_real, al) == 0 && (real[al] == '/' || real[al] == 0)) return;
    }
    if (r->npaths == r->pcap) {
        size_t nc = r->pcap ? r->pcap * 2 : 16;
        char **v = realloc(r->paths, nc * sizeof *v);
        if (!v) {
            w->nomem = true;
            return;
        }
        r->paths = v;
        r->pcap = nc;
    }
    size_t len = strlen(path);
    char *p = malloc(len + 2);
    if (!p) {
        w->nomem = true;
        return;
    }
    p[0] = (char)f;
    memcpy(p + 1, path, len + 1);
    r->paths[r->npaths++] = p;
}

/* ---- sealing one day ------------------------------------------------------------- */

static ks_status month_week_roots(seal_run *r, ks_checkpoint *c)
{
    bool week = ks_seal_ends_week(c->day), month = ks_seal_ends_month(c->day);
    if (!week && !month) return KS_OK;
    for (int pass = 0; pass < 2; pass++) {
        if ((pass == 0 && !week) || (pass == 1 && !month)) continue;
        int64_t from = c->day - 6;
        if (pass == 1) {
            char m[16];
            ks_seal_month_name(c->day, m);
            from = c->day;
            char n2[16];
            for (int k = 0; k < 31; k++) {
                ks_seal_month_name(from - 1, n2);
                if (strcmp(n2, m) != 0) break;
                from--;
            }
        }
        ks_merkle m;
        ks_merkle_init(&m, KS_SEAL_HASH);
        for (int64_t d = from; d <= c->day; d++) {
            ks_checkpoint pc;
            uint8_t leaf[KS_HASH_SIZE];
            if (d == c->day)
                ks_seal_day_leaf(c, leaf);
            else if (read_checkpoint(r->dir, d, &pc) == KS_OK)
                ks_seal_day_leaf(&pc, leaf);
            else
                continue; /* before the archive began */
            ks_merkle_push(&m, leaf);
        }
        if (pass == 0) {
            c->has_week = true;
            ks_seal_week_name(c->day, c->week);
            c->week_days = (uint32_t)m.n;
            ks_merkle_root(&m, NULL, c->week_root);
        } else {
            c->has_month = true;
            ks_seal_month_name(c->day, c->month);
            c->month_days = (uint32_t)m.n;
            ks_merkle_root(&m, NULL, c->month_root);
        }
    }
    return KS_OK;
}

static ks_status seal_day(seal_run *r, int64_t day, const size_t *idx, size_t n, bool store_files)
{
    char ddir[4200], path[4400], name[16];
    ks_seal_day_format(day, name);
    snprintf(ddir, sizeof ddir, "%s/days/%s", r->dir, name);
    if (mkdir(ddir, 0755) != 0)
        return ks_diag_set(r->diag, KS_ERR_IO, ddir, 0, "%s", strerror(errno));
    ks_checkpoint c;
    memset(&c, 0, sizeof c);
    c.day = day;
    c.seq = r->seq;
    memcpy(c.prev, r->prev, KS_HASH_SIZE);
    /* the day's key, from the seed, as the list certifies it */
    uint32_t seq = (uint32_t)r->seq;
    if (r->seq >= r->keys.count || r->seed.index != r->seq ||
        day != r->keys.first_day + (int64_t)r->seq) {
        char end[16];
        ks_seal_day_format(r->keys.first_day + (int64_t)r->keys.count - 1, end);
        return ks_diag_set(r->diag, KS_ERR_LIMIT, r->dir, 0,
                           "the archive's day keys end at %s (%u days); seal into a new archive",
                           end, r->keys.count);
    }
    uint8_t sk[64]; /* derived again when the checkpoint is signed */
    ks_seal_seed_keypair(r->seed.s, c.key, sk);
    sodium_memzero(sk, sizeof sk);
    memcpy(c.cert, ks_seal_keys_cert(&r->keys, seq), KS_SEAL_CERT_SIZE);
    if (memcmp(c.key, ks_seal_keys_pk(&r->keys, seq), 32) != 0 ||
        !ks_seal_cert_check(r->keys.archive, day, seq, c.key, c.cert)) {
        return ks_diag_set(r->diag, KS_ERR_FORMAT, r->dir, 0,
                           "the signing key and the list of day keys (keys) do not agree on "
                           "%s; run kensa verify on the archive",
                           name);
    }

    /* files first stored this day */
    ks_buf fb = {0};
    ks_buf_append(&fb, KS_SEAL_FIL_MAGIC, 8);
    uint8_t cnt[4];
    uint32_t nf = store_files ? (uint32_t)r->nfiles : 0;
    ks_put_u32(cnt, nf);
    ks_buf_append(&fb, cnt, 4);
    ks_merkle fm;
    ks_merkle_init(&fm, KS_SEAL_HASH);
    for (uint32_t i = 0; i < nf; i++) {
        uint8_t leaf[KS_HASH_SIZE];
        ks_seal_file_encode(&r->files[i], &fb);
        ks_seal_file_leaf(&r->files[i], leaf);
        ks_merkle_push(&fm, leaf);
        char from[4400];
        snprintf(from, sizeof from, "%s/%08u.zst", r->stage, r->files[i].id);
        snprintf(path, sizeof path, "%s/%08u.zst", ddir, r->files[i].id);
        if (rename(from, path) != 0) {
            ks_buf_free(&fb);
            return ks_diag_set(r->diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
        }
    }
    ks_merkle_root(&fm, NULL, c.files_root);
    c.files = nf;
    c.next_file = r->next_file + (store_files ? (uint32_t)r->nfiles : 0);
    snprintf(path, sizeof path, "%s/files", ddir);
    ks_status st = fb.failed ? KS_ERR_NOMEM : ks_seal_write_file(path, fb.data, fb.len, r->diag);
    ks_buf_free(&fb);
    if (st != KS_OK) return st;

    /* records, with the root of every tile of 256 */
    ks_buf rb = {0};
    size_t ntiles = (n + KS_SEAL_TILE - 1) / KS_SEAL_TILE;
    if (ks_buf_reserve(&rb, 16 + n * KS_SEAL_ENTRY_SIZE + 8 + ntiles * KS_HASH_SIZE) != 0)
        return KS_ERR_NOMEM;
    ks_buf_append(&rb, KS_SEAL_REC_MAGIC, 8);
    uint8_t u[8];
    ks_put_u64(u, n);
    ks_buf_append(&rb, u, 8);
    for (size_t i = 0; i < n; i++) {
        uint8_t enc[KS_SEAL_ENTRY_SIZE];
        ks_seal_entry_encode(&r->recs[idx[i]].e, enc);
        ks_buf_append(&rb, enc, sizeof enc);
    }
    ks_put_u64(u, ntiles);
    ks_buf_append(&rb, u, 8);
    /* the tree level by level, the pairs of a level hashed many at once: 8 levels
     * up from the leaves are the tiles' roots (the last one's over what it has), and
     * the rest of the way up, the day's root */
    _Static_assert(KS_SEAL_TILE == 1 << 8, "a tile is 8 levels");
    uint8_t(*h)[KS_HASH_SIZE] = malloc((n ? n : 1) * KS_HASH_SIZE);
    if (!h) {
        ks_buf_free(&rb);
        return KS_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) memcpy(h[i], r->recs[idx[i]].leaf, KS_HASH_SIZE);
    uint64_t nt = ks_merkle_up(KS_SEAL_HASH, h, n, 8);
    ks_buf_append(&rb, h, nt * KS_HASH_SIZE);
    if (n == 0)
        ks_hash(KS_SEAL_HASH, "", 0, c.records_root);
    else if (ks_merkle_up(KS_SEAL_HASH, h, nt, KS_MERKLE_MAX_PATH) == 1)
        memcpy(c.records_root, h[0], KS_HASH_SIZE);
    free(h);
    c.records = n;
    snprintf(path, sizeof path, "%s/records", ddir);
    st = rb.failed ? KS_ERR_NOMEM : ks_seal_write_file(path, rb.data, rb.len, r->diag);
    ks_buf_free(&rb);
    if (st != KS_OK) return st;

    /* the next day's seed, kept beside the current one until the checkpoint is down */
    if (seq + 1 < r->keys.count) memcpy(c.next_key, ks_seal_keys_pk(&r->keys, seq + 1), 32);
    ks_seal_seed next_seed = r->seed;
    next_seed.index = seq + 1;
    ks_seal_seed_next(r->seed.s, next_seed.s);
    char next[4200];
    snprintf(next, sizeof next, "%s.next", r->key_path);
    st = ks_seal_seed_write(next, &next_seed, r->diag);
    if (st == KS_OK) st = month_week_roots(r, &c);
    if (st != KS_OK) {
        sodium_memzero(&next_seed, sizeof next_seed);
        return st;
    }
    ks_buf cb = {0};
    ks_checkpoint_body(&c, &cb);
    uint8_t sig[64], pk[32];
    ks_seal_seed_keypair(r->seed.s, pk, sk);
    crypto_sign_detached(sig, NULL, (const uint8_t *)cb.data, cb.len, sk);
    sodium_memzero(sk, sizeof sk);
    char hex[129];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    ks_buf_printf(&cb, "signature: %s\n", hex);
    char tmp[4400];
    snprintf(tmp, sizeof tmp, "%s/.checkpoint.tmp", ddir);
    snprintf(path, sizeof path, "%s/checkpoint", ddir);
    st = cb.failed ? KS_ERR_NOMEM : ks_seal_write_file(tmp, cb.data, cb.len, r->diag);
    if (st == KS_OK && rename(tmp, path) != 0)
        st = ks_diag_set(r->diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
    if (st == KS_OK) {
        ks_hash(KS_SEAL_HASH, cb.data, cb.len, r->prev);
        fsync_dir(ddir);
        st = key_advance(r, &next_seed);
    }
    ks_buf_free(&cb);
    sodium_memzero(&next_seed, sizeof next_seed);
    if (st != KS_OK) return st;
    r->seq++;
    r->next_file = c.next_file;
    r->last_day = day;
    r->exists = true;
    return KS_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

ks_status ks_seal(const char *dir, const char *const *evidence, size_t n, const ks_seal_opts *o,
                  ks_seal_stats *stats, ks_diag *diag)
{
    if (sodium_init() < 0) return ks_diag_set(diag, KS_ERR_UNSUPPORTED, NULL, 0, "libsodium");
    seal_run r;
    memset(&r, 0, sizeof r);
    ks_seal_stats dummy;
    r.dir = dir;
    r.o = o;
    r.st = stats ? stats : &dummy;
    memset(r.st, 0, sizeof *r.st);
    r.st->first_day = r.st->last_day = INT64_MIN;
    r.diag = diag;
    r.key_days = o && o->key_days ? o->key_days : KS_SEAL_KEY_DAYS;
    const char *kd = getenv("KS_SEAL_KEY_DAYS"); /* benchmarks and tests: fewer days of keys */
    if (!(o && o->key_days) && kd && *kd) {
        char *end;
        unsigned long v = strtoul(kd, &end, 10);
        if (!*end && v >= 1 && v <= KS_SEAL_MAX_KEY_DAYS) r.key_days = (uint32_t)v;
    }
    if (o && o->key_path)
        snprintf(r.key_path, sizeof r.key_path, "%s", o->key_path);
    else
        snprintf(r.key_path, sizeof r.key_path, "%s/signing.key", dir);
    int64_t now = o && o->now_ns ? o->now_ns : (int64_t)time(NULL) * 1000000000ll;
    r.today = day_of(now);
    ks_status st = KS_OK;
    size_t *idx = NULL;
    ks_seal_sync = !(o && o->no_sync);
    uint8_t *data = NULL; /* one buffer for every file (fresh memory costs page faults) */
    size_t data_cap = 0;

    struct stat sb;
    bool have_dir = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (have_dir) st = load_archive(&r);
    if (st != KS_OK) goto out;
    if (!r.exists) st = create_archive(&r);
    if (st != KS_OK) goto out;
    if (r.exists) memcpy(r.st->archive_key, r.keys.archive, KS_SEAL_KEY_SIZE);
    if (!realpath(dir, r.archive_real)) r.archive_real[0] = 0;

    /* the evidence, in name order */
    walk_ctx w = {&r, false};
    for (size_t i = 0; i < n; i++) {
        ks_diag d2 = {0};
        if (ks_evidence_walk(evidence[i], on_walk, &w, &d2) != KS_OK)
            problem(&r, evidence[i], KS_SEV_ERROR, d2.what);
    }
    if (w.nomem) {
        st = KS_ERR_NOMEM;
        goto out;
    }
    if (r.npaths) qsort(r.paths, r.npaths, sizeof *r.paths, cmp_str);
    r.files = calloc(r.npaths ? r.npaths : 1, sizeof *r.files);
    if (!r.files) {
        st = KS_ERR_NOMEM;
        goto out;
    }
    snprintf(r.stage, sizeof r.stage, "%s/.staging", dir);
    if (mkdir(r.stage, 0700) != 0 && errno != EEXIST) {
        st = ks_diag_set(diag, KS_ERR_IO, r.stage, 0, "%s", strerror(errno));
        goto out;
    }
    /* the first new day: after the last sealed one; in a new archive, the day of
     * the earliest record (at most MAX_SPAN_DAYS before today) */
    int64_t first_new = r.exists ? r.last_day + 1 : INT64_MAX;
    for (size_t i = 0; i < r.npaths; i++) {
        const char *path = r.paths[i] + 1;
        ks_format f = (ks_format)r.paths[i][0];
        size_t size = 0;
        ks_diag rd = {0};
        if (read_whole(path, &data, &data_cap, &size, &rd) != KS_OK) {
            /* reported; the run goes on */
            problem(&r, path, KS_SEV_ERROR, rd.what);
            continue;
        }
        ks_seal_file *sf = &r.files[r.nfiles];
        sf->id = r.next_file + (uint32_t)r.nfiles;
        sf->size = size;
        ks_hash(KS_SEAL_HASH, data, size, sf->hash);
        if (r.nhave && bsearch(sf->hash, r.have, r.nhave, KS_HASH_SIZE, cmp_hash)) {
            problem(&r, path, KS_SEV_WARNING,
                    "already in the archive, byte for byte; not sealed again");
            r.st->duplicates++;
            continue;
        }
        snprintf(sf->name, sizeof sf->name, "%s", path);
        size_t from = r.nrec;
        st = file_records(&r, path, f, sf->id, data, size);
        if (st == KS_OK) st = stage_file(&r, sf, data, size);
        if (st != KS_OK) goto out;
        assign_days(&r, from, INT64_MIN);
        r.nfiles++;
        r.st->files++;
        r.st->bytes += size;
    }
    free(data);
    data = NULL;
    free(r.zbuf);
    r.zbuf = NULL, r.zcap = 0;
    if (!r.exists) {
        for (size_t i = 0; i < r.nrec; i++) {
            int64_t d = r.recs[i].day;
            if (d != INT64_MIN && d <= r.today && d >= r.today - MAX_SPAN_DAYS && d < first_new)
                first_new = d;
        }
        if (first_new == INT64_MAX) first_new = r.today;
    }
    bool through = o && o->through_day != INT64_MIN && o->through_day >= first_new;
    if (r.exists && r.nrec == 0 && r.nfiles == 0 && !through) goto out; /* nothing asked */
    if (first_new > r.today) {
        if (r.nrec == 0 && r.nfiles == 0) goto out; /* today is sealed already */
        char td[16];
        ks_seal_day_format(r.today, td);
        st = ks_diag_set(diag, KS_ERR_ARG, dir, 0,
                         "the archive is sealed up to %s already; seal these files tomorrow", td);
        goto out;
    }
    int64_t last = first_new;
    int64_t ceiling = r.today > first_new ? r.today : first_new;
    for (size_t i = 0; i < r.nrec; i++) {
        int64_t d = r.recs[i].day;
        if (d == INT64_MIN || d < first_new) {
            if (d != INT64_MIN) r.st->late++;
            d = first_new;
        }
        if (d > ceiling) d = ceiling;
        r.recs[i].day = d;
        if (d > last) last = d;
    }
    if (o && o->through_day != INT64_MIN && o->through_day > last)
        last = o->through_day > ceiling ? ceiling : o->through_day;
    if (!r.exists) st = start_keys(&r, first_new);
    if (st != KS_OK) goto out;
    if (last - r.keys.first_day >= (int64_t)r.keys.count) {
        char end[16];
        ks_seal_day_format(r.keys.first_day + (int64_t)r.keys.count - 1, end);
        st = ks_diag_set(diag, KS_ERR_LIMIT, dir, 0,
                         "the archive's day keys end at %s (%u days); seal into a new archive", end,
                         r.keys.count);
        goto out;
    }

    /* records by day, file order kept within a day (a counting sort) */
    size_t ndays = (size_t)(last - first_new + 1);
    size_t *start = calloc(ndays + 1, sizeof *start);
    idx = malloc((r.nrec ? r.nrec : 1) * sizeof *idx);
    if (!start || !idx) {
        free(start);
        st = KS_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < r.nrec; i++) start[r.recs[i].day - first_new + 1]++;
    for (size_t d = 0; d < ndays; d++) start[d + 1] += start[d];
    size_t *fill = calloc(ndays, sizeof *fill);
    if (!fill) {
        free(start);
        st = KS_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < r.nrec; i++) {
        size_t d = (size_t)(r.recs[i].day - first_new);
        idx[start[d] + fill[d]++] = i;
    }
    free(fill);
    st = sync_staged(&r);
    for (size_t d = 0; d < ndays && st == KS_OK; d++) {
        st = seal_day(&r, first_new + (int64_t)d, idx + start[d], start[d + 1] - start[d], d == 0);
        if (st == KS_OK) r.st->days++;
    }
    free(start);
    if (st != KS_OK) goto out;
    r.st->records = r.nrec;
    r.st->first_day = first_new;
    r.st->last_day = last;
out:
    for (size_t i = 0; i < r.nfiles && r.stage[0]; i++) { /* left over when a run fails */
        char sp[4200];
        snprintf(sp, sizeof sp, "%s/%08u.zst", r.stage, r.files[i].id);
        unlink(sp);
    }
    if (r.stage[0]) rmdir(r.stage);
    free(data);
    free(idx);
    free(r.recs);
    free(r.files);
    for (size_t i = 0; i < r.npaths; i++) free(r.paths[i]);
    free(r.paths);
    free(r.have);
    ZSTD_freeCCtx(r.zc);
    free(r.zbuf);
    sodium_memzero(&r.seed, sizeof r.seed);
    ks_seal_keys_free(&r.keys);
    ks_seal_sync = true;
    return st;
}
