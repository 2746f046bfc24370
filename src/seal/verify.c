/* kensa verify: the archive checked offline, day by day, against the archive key:
 * the chain of checkpoints (each day key certified by the archive key, signatures,
 * sequence, previous hashes, no day missing), every stored file (decompressed and
 * hashed), every record (its bytes hashed into the day's tree), the tiles that
 * localize damage, weeks and months, then the list of day keys. Only reads. Stops
 * at the first damaged day and says which records. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "seal/seal_internal.h"

#define CACHE_BUDGET (1ull << 30) /* decompressed files kept for later days */
#define MAX_RATIO 65536ull        /* of a stored file's size to its compressed size */
#define KS_VERIFY_THREADS 8       /* at most, hashing a day's records */

typedef struct known {
    int64_t day; /* where it is stored */
    uint64_t size, zsize;
    uint8_t hash[KS_HASH_SIZE], zhash[KS_HASH_SIZE];
    char *name;
    uint8_t *data; /* cached bytes, or NULL */
    uint64_t used; /* for eviction */
    char why[160]; /* why it could not be loaded */
} known;

typedef struct ver {
    const char *dir;
    ks_verify_result *r;
    known *files;
    uint32_t nfiles; /* ids 0 .. nfiles-1, in order */
    uint64_t cached, tick;
    uint8_t archive[KS_SEAL_KEY_SIZE]; /* certifies every day key */
    uint8_t key[KS_SEAL_KEY_SIZE];     /* the key the day before named */
    uint8_t prev[KS_HASH_SIZE];
    /* each verified day's key and certificate, to compare with DIR/keys */
    uint8_t (*day_keys)[KS_SEAL_KEY_SIZE + KS_SEAL_CERT_SIZE];
    size_t ndays;
    uint64_t seq;
    /* leaves of the days verified, for weeks and months */
    int64_t *leaf_day;
    uint8_t (*leaf)[KS_HASH_SIZE];
    size_t nleaves;
    bool failed;
    bool full_hash;
    unsigned threads;
} ver;

static void fail(ver *v, int64_t day, uint64_t first, uint64_t last, const char *file,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void fail(ver *v, int64_t day, uint64_t first, uint64_t last, const char *file,
                 const char *fmt, ...)
{
    if (v->failed) return;
    v->failed = true;
    v->r->intact = false;
    v->r->bad_day = day;
    v->r->rec_first = first;
    v->r->rec_last = last;
    snprintf(v->r->file, sizeof v->r->file, "%s", file ? file : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->r->what, sizeof v->r->what, fmt, ap);
    va_end(ap);
}

static void day_path(const ver *v, int64_t day, const char *leaf, char *out, size_t cap)
{
    char name[16];
    ks_seal_day_format(day, name);
    snprintf(out, cap, "%s/days/%s/%s", v->dir, name, leaf);
}

/* Decompress a stored file after checking its compressed bytes; NULL when it
 * cannot be (why says). */
static uint8_t *load_file(const ver *v, int64_t day, uint32_t id, const known *k, char *why,
                          size_t why_n)
{
    char leaf[32], path[4400];
    snprintf(leaf, sizeof leaf, "%08u.zst", id);
    day_path(v, day, leaf, path, sizeof path);
    uint8_t *z;
    size_t zn;
    ks_status st = ks_seal_slurp(path, KS_SEAL_MAX_FILE_SIZE, &z, &zn);
    if (st != KS_OK) {
        snprintf(why, why_n, "the stored copy %s cannot be read", leaf);
        return NULL;
    }
    uint8_t zh[KS_HASH_SIZE];
    ks_hash(KS_SEAL_HASH, z, zn, zh);
    if (zn != k->zsize || memcmp(zh, k->zhash, KS_HASH_SIZE) != 0) {
        free(z);
        snprintf(why, why_n, "the stored copy %s is not the one sealed (hash mismatch)", leaf);
        return NULL;
    }
    uint64_t size = k->size;
    unsigned long long cs = ZSTD_getFrameContentSize(z, zn);
    if (cs == ZSTD_CONTENTSIZE_ERROR || cs == ZSTD_CONTENTSIZE_UNKNOWN || cs != size ||
        cs > (zn + 64) * MAX_RATIO) {
        free(z);
        snprintf(why, why_n, "the stored copy %s is damaged (its size does not match)", leaf);
        return NULL;
    }
    uint8_t *d = malloc(size ? size : 1);
    if (!d) {
        free(z);
        snprintf(why, why_n, "out of memory for %s (%llu bytes)", leaf, (unsigned long long)size);
        return NULL;
    }
    size_t got = ZSTD_decompress(d, size, z, zn);
    free(z);
    if (ZSTD_isError(got) || got != size) {
        free(d);
        snprintf(why, why_n, "the stored copy %s is damaged (%s)", leaf,
                 ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
        return NULL;
    }
    return d;
}

static void evict(ver *v, uint64_t need)
{
    while (v->cached + need > CACHE_BUDGET) {
        known *old = NULL;
        for (uint32_t i = 0; i < v->nfiles; i++)
            if (v->files[i].data && (!old || v->files[i].used < old->used)) old = &v->files[i];
        if (!old) return;
        free(old->data);
        old->data = NULL;
        v->cached -= old->size;
    }
}

static const uint8_t *file_bytes(ver *v, uint32_t id, char *why, size_t why_n)
{
    known *k = &v->files[id];
    if (!k->data) {
        k->data = load_file(v, k->day, id, k, why, why_n);
        if (!k->data) return NULL;
        v->cached += k->size;
    }
    k->used = ++v->tick;
    return k->data;
}

/* The files list of a day: every file decompressed and hashed; the files tree. */
/* Stored files [from, to) decompressed on every core (each checks its compressed
 * bytes first); then, in list order, each one that could not be is reported. */
typedef struct load_job {
    ver *v;
    uint32_t next, to;
    pthread_mutex_t lock;
} load_job;

static void *load_worker(void *arg)
{
    load_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        uint32_t i = j->next < j->to ? j->next++ : UINT32_MAX;
        pthread_mutex_unlock(&j->lock);
        if (i == UINT32_MAX) return NULL;
        known *k = &j->v->files[i];
        k->data = load_file(j->v, k->day, i, k, k->why, sizeof k->why);
    }
}

static void load_files(ver *v, const ks_checkpoint *c, uint32_t from, uint32_t to)
{
    load_job j = {v, from, to, PTHREAD_MUTEX_INITIALIZER};
    pthread_t tid[KS_VERIFY_THREADS];
    unsigned nt = to - from > 1 ? v->threads : 1, started = 0;
    for (unsigned t = 1; t < nt; t++)
        if (pthread_create(&tid[started], NULL, load_worker, &j) == 0) started++;
    load_worker(&j);
    for (unsigned t = 0; t < started; t++) pthread_join(tid[t], NULL);
    for (uint32_t i = from; i < to; i++) {
        known *k = &v->files[i];
        if (!k->data) {
            fail(v, c->day, UINT64_MAX, UINT64_MAX, k->name, "%s", k->why);
            continue;
        }
        v->cached += k->size;
        k->used = ++v->tick;
        /* the compressed bytes were checked against their signed hash and zstd is
         * deterministic, so the content is what was sealed; its own hash (in the list
         * for tools other than kensa) is checked only with KS_SEAL_FULL_HASH set */
        if (v->full_hash) {
            uint8_t h[KS_HASH_SIZE];
            ks_hash(KS_SEAL_HASH, k->data, k->size, h);
            if (memcmp(h, k->hash, KS_HASH_SIZE) != 0)
                fail(v, c->day, UINT64_MAX, UINT64_MAX, k->name,
                     "the stored copy of this file is not what was sealed (hash mismatch)");
        }
        v->r->files++;
        v->r->bytes += k->size;
    }
}

static void verify_files(ver *v, const ks_checkpoint *c, uint32_t first_id)
{
    char path[4400];
    day_path(v, c->day, "files", path, sizeof path);
    uint8_t *d;
    size_t n;
    if (ks_seal_slurp(path, 64ull << 20, &d, &n) != KS_OK) {
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "the list of files is missing");
        return;
    }
    if (n < 12 || memcmp(d, KS_SEAL_FIL_MAGIC, 8) != 0) {
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "the list of files is damaged");
        free(d);
        return;
    }
    uint32_t count = ks_get_u32(d + 8);
    if (count != c->files)
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL,
             "the list of files holds %u files; the checkpoint says %u", count, c->files);
    size_t at = 12;
    ks_merkle m;
    ks_merkle_init(&m, KS_SEAL_HASH);
    uint32_t registered = v->nfiles;
    for (uint32_t i = 0; i < count && i < KS_SEAL_MAX_FILES; i++) {
        ks_seal_file f;
        if (n - at < KS_SEAL_FILE_FIXED) {
            fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "the list of files is cut short");
            break;
        }
        f.id = ks_get_u32(d + at);
        f.size = ks_get_u64(d + at + 4);
        memcpy(f.hash, d + at + 12, KS_HASH_SIZE);
        f.zsize = ks_get_u64(d + at + 44);
        memcpy(f.zhash, d + at + 52, KS_HASH_SIZE);
        size_t nl = (size_t)d[at + 84] | (size_t)d[at + 85] << 8;
        at += KS_SEAL_FILE_FIXED;
        if (nl > KS_SEAL_MAX_NAME || n - at < nl) {
            fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "the list of files is damaged");
            break;
        }
        memcpy(f.name, d + at, nl);
        f.name[nl] = 0;
        at += nl;
        uint8_t leaf[KS_HASH_SIZE];
        ks_seal_file_leaf(&f, leaf);
        ks_merkle_push(&m, leaf);
        if (f.id != first_id + i || f.size > KS_SEAL_MAX_FILE_SIZE) {
            fail(v, c->day, UINT64_MAX, UINT64_MAX, f.name, "file %u is listed out of order", f.id);
            break;
        }
        known *nf = realloc(v->files, (size_t)(v->nfiles + 1) * sizeof *nf);
        if (!nf) {
            fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "out of memory");
            break;
        }
        v->files = nf;
        known *k = &v->files[v->nfiles++];
        memset(k, 0, sizeof *k);
        k->day = c->day;
        k->size = f.size;
        k->zsize = f.zsize;
        memcpy(k->hash, f.hash, KS_HASH_SIZE);
        memcpy(k->zhash, f.zhash, KS_HASH_SIZE);
        k->name = strdup(f.name);
    }
    load_files(v, c, registered, v->nfiles);
    if (at != n && !v->failed)
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "unexpected bytes after the list of files");
    uint8_t root[KS_HASH_SIZE];
    ks_merkle_root(&m, NULL, root);
    if (memcmp(root, c->files_root, KS_HASH_SIZE) != 0)
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL,
             "the list of files is not the one sealed (files root mismatch)");
    free(d);
}

/* Tiles [t0, t1) of a day: each record's bytes hashed, its leaf, the tile's root. */
typedef struct tile_job {
    const uint8_t *entries;
    const uint8_t **at;
    uint64_t count, t0, t1;
    uint8_t (*out)[KS_HASH_SIZE];
} tile_job;

static void *tile_worker(void *arg)
{
    const tile_job *j = arg;
    for (uint64_t t = j->t0; t < j->t1; t++) {
        ks_merkle m;
        ks_merkle_init(&m, KS_SEAL_HASH);
        uint64_t end = (t + 1) * KS_SEAL_TILE < j->count ? (t + 1) * KS_SEAL_TILE : j->count;
        for (uint64_t i = t * KS_SEAL_TILE; i < end; i++) {
            const uint8_t *enc = j->entries + i * KS_SEAL_ENTRY_SIZE;
            uint8_t content[KS_HASH_SIZE], leaf[KS_HASH_SIZE];
            if (j->at[i])
                ks_hash(KS_SEAL_HASH, j->at[i], ks_get_u32(enc + 4), content);
            else
                memset(content, 0, sizeof content);
            ks_seal_record_leaf(enc, content, leaf);
            ks_merkle_push(&m, leaf);
        }
        ks_merkle_root(&m, NULL, j->out[t]);
    }
    return NULL;
}

static const char *file_name(const ver *v, uint32_t id)
{
    return id < v->nfiles && v->files[id].name ? v->files[id].name : NULL;
}

/* The records of a day: each record's bytes hashed into its leaf, tiles compared to
 * the stored ones (which localize damage to 256 records), the root to the signed one. */
static void verify_records(ver *v, const ks_checkpoint *c)
{
    char path[4400], why[200];
    day_path(v, c->day, "records", path, sizeof path);
    uint8_t *d;
    size_t n;
    uint64_t all_last = c->records ? c->records - 1 : UINT64_MAX;
    if (ks_seal_slurp(path, KS_SEAL_MAX_RECORDS * KS_SEAL_ENTRY_SIZE, &d, &n) != KS_OK) {
        fail(v, c->day, c->records ? 0 : UINT64_MAX, all_last, NULL,
             "the list of records is missing");
        return;
    }
    uint64_t count = n >= 16 ? ks_get_u64(d + 8) : 0;
    if (n < 16 || memcmp(d, KS_SEAL_REC_MAGIC, 8) != 0 || count > (n - 16) / KS_SEAL_ENTRY_SIZE) {
        fail(v, c->day, c->records ? 0 : UINT64_MAX, all_last, NULL,
             "the list of records is damaged");
        free(d);
        return;
    }
    size_t tiles_at = 16 + (size_t)count * KS_SEAL_ENTRY_SIZE;
    uint64_t ntiles = n - tiles_at >= 8 ? ks_get_u64(d + tiles_at) : 0;
    bool tiles_ok = n - tiles_at >= 8 && ntiles == (count + KS_SEAL_TILE - 1) / KS_SEAL_TILE &&
                    (n - tiles_at - 8) / KS_HASH_SIZE == ntiles &&
                    (n - tiles_at - 8) % KS_HASH_SIZE == 0;
    const uint8_t(*tiles)[KS_HASH_SIZE] =
        tiles_ok ? (const uint8_t(*)[KS_HASH_SIZE])(d + tiles_at + 8) : NULL;
    /* do the stored tiles give the signed root? then they localize damage */
    bool tiles_signed = false;
    if (tiles_ok) {
        ks_merkle tm;
        ks_merkle_init(&tm, KS_SEAL_HASH);
        uint64_t full = count / KS_SEAL_TILE;
        for (uint64_t t = 0; t < full; t++) ks_merkle_push(&tm, tiles[t]);
        uint8_t root[KS_HASH_SIZE];
        ks_merkle_root(&tm, count % KS_SEAL_TILE ? tiles[full] : NULL, root);
        tiles_signed = count == c->records && memcmp(root, c->records_root, KS_HASH_SIZE) == 0;
    }
    uint64_t bad_tile = UINT64_MAX, bad_rec = UINT64_MAX;
    const char *bad_file = NULL;
    char bad_why[200] = "";
    /* where each record's bytes are (NULL: they cannot be read); the files stay in
     * memory for the whole day (eviction happens between days) */
    uint64_t nt = (count + KS_SEAL_TILE - 1) / KS_SEAL_TILE;
    const uint8_t **at = malloc((size_t)(count ? count : 1) * sizeof *at);
    uint8_t(*computed)[KS_HASH_SIZE] = malloc((size_t)(nt ? nt : 1) * KS_HASH_SIZE);
    if (!at || !computed) {
        free(at);
        free(computed);
        free(d);
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "out of memory");
        return;
    }
    for (uint64_t i = 0; i < count; i++) {
        ks_seal_entry e;
        ks_seal_entry_decode(d + 16 + i * KS_SEAL_ENTRY_SIZE, &e);
        const uint8_t *bytes = NULL;
        if (e.file >= v->nfiles) {
            snprintf(why, sizeof why, "record %llu names file %u, which is not in the archive",
                     (unsigned long long)i, e.file);
        } else if (e.offset > v->files[e.file].size || e.size > v->files[e.file].size - e.offset) {
            snprintf(why, sizeof why, "record %llu lies outside its file", (unsigned long long)i);
        } else {
            bytes = file_bytes(v, e.file, why, sizeof why);
        }
        at[i] = bytes ? bytes + e.offset : NULL;
        if (!bytes && bad_rec == UINT64_MAX) {
            bad_rec = i;
            bad_file = file_name(v, e.file);
            snprintf(bad_why, sizeof bad_why, "%s", why);
        }
    }
    tile_job jobs[KS_VERIFY_THREADS];
    unsigned nj = count >= 2 * KS_SEAL_TILE * 4 ? v->threads : 1;
    pthread_t tid[KS_VERIFY_THREADS];
    bool started[KS_VERIFY_THREADS] = {false};
    for (unsigned j = 0; j < nj; j++) {
        jobs[j] = (tile_job){d + 16, at, count, nt * j / nj, nt * (j + 1) / nj, computed};
        if (j > 0) started[j] = pthread_create(&tid[j], NULL, tile_worker, &jobs[j]) == 0;
    }
    tile_worker(&jobs[0]);
    for (unsigned j = 1; j < nj; j++)
        if (started[j])
            pthread_join(tid[j], NULL);
        else
            tile_worker(&jobs[j]);
    ks_merkle all;
    ks_merkle_init(&all, KS_SEAL_HASH);
    for (uint64_t t = 0; t < nt; t++) {
        if (bad_tile == UINT64_MAX &&
            (!tiles_ok || t >= ntiles || memcmp(computed[t], tiles[t], KS_HASH_SIZE) != 0)) {
            bad_tile = t;
            if (!bad_file) {
                ks_seal_entry e;
                ks_seal_entry_decode(d + 16 + t * KS_SEAL_TILE * KS_SEAL_ENTRY_SIZE, &e);
                bad_file = file_name(v, e.file);
            }
        }
        if (t + 1 < nt || count % KS_SEAL_TILE == 0) ks_merkle_push(&all, computed[t]);
    }
    uint8_t root[KS_HASH_SIZE];
    ks_merkle_root(&all, count % KS_SEAL_TILE ? computed[nt - 1] : NULL, root);
    free(at);
    free(computed);
    bool root_ok = count == c->records && memcmp(root, c->records_root, KS_HASH_SIZE) == 0;
    uint64_t last = (count > c->records ? count : c->records);
    last = last ? last - 1 : 0;
    if (!root_ok) {
        uint64_t first = 0, end = last;
        if (tiles_signed && bad_tile != UINT64_MAX) {
            first = bad_tile * KS_SEAL_TILE;
            end = first + KS_SEAL_TILE - 1 < last ? first + KS_SEAL_TILE - 1 : last;
        } else if (count != c->records && tiles_ok && bad_tile != UINT64_MAX) {
            first = bad_tile * KS_SEAL_TILE; /* records added or removed from here on */
        }
        if (bad_rec != UINT64_MAX && bad_rec >= first && bad_rec <= end)
            fail(v, c->day, first, end, bad_file, "%s", bad_why);
        else if (count != c->records)
            fail(v, c->day, first, end, bad_file,
                 "%llu records listed, %llu sealed: records were removed or added",
                 (unsigned long long)count, (unsigned long long)c->records);
        else
            fail(v, c->day, first, end, bad_file,
                 "records were changed, moved or replaced (records root mismatch)");
    } else if (!tiles_ok || bad_tile != UINT64_MAX) {
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL,
             "the stored tile hashes were changed (the records themselves are intact)");
    }
    v->r->records += count;
    free(d);
}

/* Week and month roots: over the days of the period present in the archive. */
static void verify_periods(ver *v, const ks_checkpoint *c, const uint8_t leaf[KS_HASH_SIZE])
{
    for (int pass = 0; pass < 2; pass++) {
        bool ends = pass == 0 ? ks_seal_ends_week(c->day) : ks_seal_ends_month(c->day);
        bool has = pass == 0 ? c->has_week : c->has_month;
        if (!ends && !has) continue;
        if (ends != has) {
            fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "the %s checkpoint is %s",
                 pass == 0 ? "week" : "month", has ? "out of place" : "missing");
            return;
        }
        char want[16];
        if (pass == 0)
            ks_seal_week_name(c->day, want);
        else
            ks_seal_month_name(c->day, want);
        ks_merkle m;
        ks_merkle_init(&m, KS_SEAL_HASH);
        for (size_t i = 0; i < v->nleaves; i++) {
            int64_t d = v->leaf_day[i];
            char name[16];
            if (pass == 0)
                ks_seal_week_name(d, name);
            else
                ks_seal_month_name(d, name);
            if (d <= c->day && d > c->day - 32 && strcmp(name, want) == 0)
                ks_merkle_push(&m, v->leaf[i]);
        }
        ks_merkle_push(&m, leaf);
        uint8_t root[KS_HASH_SIZE];
        ks_merkle_root(&m, NULL, root);
        const char *name = pass == 0 ? c->week : c->month;
        uint32_t days = pass == 0 ? c->week_days : c->month_days;
        const uint8_t *signed_root = pass == 0 ? c->week_root : c->month_root;
        if (strcmp(name, want) != 0 || days != m.n || memcmp(root, signed_root, KS_HASH_SIZE) != 0)
            fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL,
                 "the %s checkpoint %s does not match its days", pass == 0 ? "week" : "month",
                 want);
    }
}

/* Nothing in a day's folder but what sealing writes there. */
static void verify_listing(ver *v, const ks_checkpoint *c, uint32_t first_id)
{
    char path[4400];
    day_path(v, c->day, "", path, sizeof path);
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        if (!strcmp(s, ".") || !strcmp(s, "..") || !strcmp(s, "checkpoint") ||
            !strcmp(s, "records") || !strcmp(s, "files"))
            continue;
        unsigned id = 0;
        bool num = strlen(s) == 12 && !strcmp(s + 8, ".zst");
        for (int i = 0; num && i < 8; i++) {
            if (s[i] < '0' || s[i] > '9') num = false;
            id = id * 10 + (unsigned)(s[i] - '0');
        }
        if (num && id >= first_id && id < first_id + c->files) continue;
        fail(v, c->day, UINT64_MAX, UINT64_MAX, NULL, "unexpected file %s in the day's folder", s);
        break;
    }
    closedir(d);
}

static void verify_day(ver *v, int64_t day)
{
    evict(v, 0); /* bytes handed out stay valid for the whole day */
    char path[4400], why[160], name[16];
    ks_seal_day_format(day, name);
    day_path(v, day, "checkpoint", path, sizeof path);
    uint8_t *d;
    size_t n;
    ks_status st = ks_seal_slurp(path, KS_SEAL_MAX_CHECKPOINT, &d, &n);
    if (st != KS_OK) {
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL, "the checkpoint is missing or unreadable");
        return;
    }
    ks_checkpoint c;
    if (ks_checkpoint_parse(d, n, &c, why, sizeof why) != KS_OK) {
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL, "the checkpoint is damaged: %s", why);
        free(d);
        return;
    }
    if (c.day != day)
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL,
             "the folder holds the checkpoint of another day (swapped or rolled back)");
    if (!ks_seal_cert_check(v->archive, day, v->seq, c.key, c.cert))
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL,
             "signed with a key that the archive key does not certify for this day (resealed "
             "with a later key, a day removed, or another archive's key)");
    else if (v->seq > 0 && memcmp(c.key, v->key, KS_SEAL_KEY_SIZE) != 0)
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL,
             "signed with a key other than the one the day before named");
    else if (!ks_checkpoint_signed_by(&c, d, c.key))
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL, "the checkpoint's signature does not hold");
    if (c.seq != v->seq || memcmp(c.prev, v->prev, KS_HASH_SIZE) != 0)
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL,
             "the checkpoint does not follow the day before (sequence or previous hash)");
    uint32_t first_id = v->nfiles;
    if (c.next_file != first_id + c.files)
        fail(v, day, UINT64_MAX, UINT64_MAX, NULL, "the checkpoint's file numbering is wrong");
    {
        /* the rest is checked even after a problem (the report names the first one
         * found), so that every part of a damaged day is read */
        verify_files(v, &c, first_id);
        verify_records(v, &c);
        verify_listing(v, &c, first_id);
        uint8_t leaf[KS_HASH_SIZE];
        ks_seal_day_leaf(&c, leaf);
        verify_periods(v, &c, leaf);
        int64_t *nd = realloc(v->leaf_day, (v->nleaves + 1) * sizeof *nd);
        if (nd) v->leaf_day = nd;
        uint8_t(*nl)[KS_HASH_SIZE] = realloc(v->leaf, (v->nleaves + 1) * sizeof *nl);
        if (nl) v->leaf = nl;
        if (nd && nl) {
            v->leaf_day[v->nleaves] = day;
            memcpy(v->leaf[v->nleaves], leaf, KS_HASH_SIZE);
            v->nleaves++;
        }
    }
    if (c.records == 0) v->r->empty_days++;
    if (v->day_keys && v->seq < v->ndays) {
        memcpy(v->day_keys[v->seq], c.key, KS_SEAL_KEY_SIZE);
        memcpy(v->day_keys[v->seq] + KS_SEAL_KEY_SIZE, c.cert, KS_SEAL_CERT_SIZE);
    }
    memcpy(v->key, c.next_key, KS_SEAL_KEY_SIZE);
    memcpy(v->prev, c.hash, KS_HASH_SIZE);
    v->seq++;
    free(d);
}

/* DIR/keys, when there (it is needed to seal more days, not to verify them): signed
 * by the archive key as a whole; else the first entry that differs from a sealed
 * day's checkpoint, or the first one whose certificate fails, is named. */
static void verify_keys(ver *v, int64_t first_day)
{
    char path[4200], why[160];
    snprintf(path, sizeof path, "%s/keys", v->dir);
    if (access(path, F_OK) != 0) return;
    ks_seal_keys k;
    uint64_t sealed = v->r->days;
    int64_t after = first_day + (int64_t)sealed;
    if (ks_seal_keys_load(v->dir, &k, why, sizeof why) != KS_OK) {
        fail(v, after, UINT64_MAX, UINT64_MAX, NULL, "keys: %s", why);
    } else if (memcmp(k.archive, v->archive, KS_SEAL_KEY_SIZE) != 0 || k.first_day != first_day ||
               k.count < sealed) {
        fail(v, after, UINT64_MAX, UINT64_MAX, NULL,
             "the list of day keys is not this archive's (its head was changed)");
    } else if (!ks_seal_keys_signed(&k)) {
        uint64_t i = 0;
        while (i < sealed && memcmp(ks_seal_keys_pk(&k, (uint32_t)i), v->day_keys[i],
                                    KS_SEAL_KEY_SIZE + KS_SEAL_CERT_SIZE) == 0)
            i++;
        if (i == sealed) i = ks_seal_keys_first_bad(&k, (uint32_t)sealed);
        fail(v, first_day + (int64_t)i, UINT64_MAX, UINT64_MAX, NULL,
             i < sealed ? "the list of day keys was changed at this day's entry (the day "
                          "itself verifies)"
                        : "the list of day keys was changed at this day's entry (not sealed yet)");
    }
    ks_seal_keys_free(&k);
}

ks_status ks_seal_verify(const char *dir, const uint8_t key[KS_SEAL_KEY_SIZE], int64_t until_day,
                         ks_verify_result *r)
{
    memset(r, 0, sizeof *r);
    r->intact = true;
    r->first_day = r->last_day = r->bad_day = INT64_MIN;
    r->rec_first = r->rec_last = UINT64_MAX;
    if (sodium_init() < 0) return KS_ERR_UNSUPPORTED;
    ver v;
    memset(&v, 0, sizeof v);
    v.dir = dir;
    v.r = r;
    v.full_hash = getenv("KS_SEAL_FULL_HASH") != NULL;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    v.threads = cpus < 1 ? 1 : cpus > KS_VERIFY_THREADS ? KS_VERIFY_THREADS : (unsigned)cpus;
    memcpy(v.archive, key, KS_SEAL_KEY_SIZE);
    int64_t *days = NULL;
    size_t n = 0, other = 0;
    ks_status st = ks_seal_list_days(dir, &days, &n, &other);
    if (st != KS_OK) return st;
    v.ndays = n;
    v.day_keys = malloc((n ? n : 1) * sizeof *v.day_keys);
    if (!v.day_keys) {
        free(days);
        return KS_ERR_NOMEM;
    }
    if (n == 0) {
        fail(&v, INT64_MIN, UINT64_MAX, UINT64_MAX, NULL, "the archive holds no sealed day");
    } else {
        r->first_day = days[0];
        r->last_day = days[n - 1];
    }
    if (other)
        fail(&v, INT64_MIN, UINT64_MAX, UINT64_MAX, NULL,
             "%zu entries in days/ are not days of the archive", other);
    for (size_t i = 0; i < n && !v.failed; i++) {
        if (i > 0 && days[i] != days[i - 1] + 1) {
            char a[16], b[16];
            ks_seal_day_format(days[i - 1], a);
            ks_seal_day_format(days[i], b);
            fail(&v, days[i - 1] + 1, UINT64_MAX, UINT64_MAX, NULL,
                 "day missing: the archive goes from %s to %s", a, b);
            break;
        }
        verify_day(&v, days[i]);
        if (!v.failed) r->days++;
    }
    if (!v.failed && until_day != INT64_MIN && n > 0 && days[n - 1] < until_day) {
        char a[16];
        ks_seal_day_format(days[n - 1], a);
        fail(&v, days[n - 1] + 1, UINT64_MAX, UINT64_MAX, NULL,
             "the archive ends at %s, before the day it must reach (cut or rolled back)", a);
    }
    if (!v.failed && n > 0) verify_keys(&v, days[0]);
    free(days);
    free(v.day_keys);
    for (uint32_t i = 0; i < v.nfiles; i++) {
        free(v.files[i].data);
        free(v.files[i].name);
    }
    free(v.files);
    free(v.leaf_day);
    free(v.leaf);
    return KS_OK;
}
