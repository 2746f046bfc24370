/* Inside the sealed archive: the on-disk formats (records, files, checkpoints, the
 * signing key) shared by sealing, verification and proofs. docs/seal.md describes
 * the same formats for someone checking an archive without kensa. */
#ifndef KS_SEAL_INTERNAL_H
#define KS_SEAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/seal.h"

#define KS_SEAL_HASH KS_HASH_BLAKE2B256
#define KS_SEAL_ENTRY_SIZE 32       /* file u32, size u32, offset u64, time i64, record id u64 */
#define KS_SEAL_LEAF_SIZE 64        /* entry, then the hash of the record's bytes */
#define KS_SEAL_MAX_NAME 1024       /* of an original file's name in the files list */
#define KS_SEAL_MAX_CHECKPOINT 4096 /* bytes of a checkpoint file */
#define KS_SEAL_MAX_RECORDS (1ull << 34)
#define KS_SEAL_MAX_FILES (1u << 24)
#define KS_SEAL_MAX_FILE_SIZE (1ull << 40)

#define KS_SEAL_REC_MAGIC "KSREC001"
#define KS_SEAL_FIL_MAGIC "KSFIL001"
#define KS_SEAL_PROOF_MAGIC "KSPRF002"
#define KS_SEAL_CKPT_HEAD "kensa sealed archive checkpoint v2\n"
#define KS_SEAL_CKPT_HEAD_V1 "kensa sealed archive checkpoint v1\n"

/* The day keys (src/seal/keys.c, docs/seal.md "Forward security"): a chain of seeds
 * s(i+1) = KDF(s(i)), day i signed with the key derived from s(i); every day key
 * certified at creation by the archive key, whose secret half is then erased. */
#define KS_SEAL_SEED_MAGIC "KSSEED02"           /* the signing key file: the seed of the next day */
#define KS_SEAL_SEED_SIZE (8 + 32 + 4 + 32)     /* magic, archive key, day index, seed */
#define KS_SEAL_KEYS_MAGIC "KSKEYS02"           /* DIR/keys: every day's key and certificate */
#define KS_SEAL_KEYS_HEAD (8 + 32 + 8 + 4 + 64) /* magic, archive key, first day, count, sig */
#define KS_SEAL_KEYS_ENTRY (32 + 64)            /* day key, its certificate */
#define KS_SEAL_KEY_DAYS 32768u                 /* days of keys by default (89 years) */
#define KS_SEAL_MAX_KEY_DAYS (1u << 16)
#define KS_SEAL_CERT_SIZE 64
#define KS_SEAL_CKPT_BIN_MAX (8 + 4 + 32 + 32 + 64 + 32 + 8 + 32 + 4 + 32 + 4 + 1 + 66 + 64)

/* One record: where its bytes are, and when it happened (time 0: none). */
typedef struct ks_seal_entry {
    uint32_t file;
    uint32_t size;
    uint64_t offset;
    int64_t time_ns;
    uint64_t record_id;
} ks_seal_entry;

/* One original file stored in a day: its bytes' hash, and its compressed copy's
 * (so that any change to the stored bytes shows, even one zstd would not notice). */
typedef struct ks_seal_file {
    uint32_t id;
    uint64_t size;
    uint8_t hash[KS_HASH_SIZE];
    uint64_t zsize;
    uint8_t zhash[KS_HASH_SIZE];
    char name[KS_SEAL_MAX_NAME + 1];
} ks_seal_file;

/* What a checkpoint says. */
typedef struct ks_checkpoint {
    int64_t day;
    uint64_t seq;
    uint8_t prev[KS_HASH_SIZE];
    uint8_t key[KS_SEAL_KEY_SIZE];
    uint8_t cert[KS_SEAL_CERT_SIZE]; /* the archive key's signature over (day, seq, key) */
    uint8_t next_key[KS_SEAL_KEY_SIZE];
    uint64_t records;
    uint8_t records_root[KS_HASH_SIZE];
    uint32_t files;
    uint8_t files_root[KS_HASH_SIZE];
    uint32_t next_file;
    bool has_week, has_month;
    char week[16], month[16];
    uint32_t week_days, month_days;
    uint8_t week_root[KS_HASH_SIZE], month_root[KS_HASH_SIZE];
    uint8_t sig[64];
    size_t body_len;            /* bytes signed: everything before the signature line */
    uint8_t hash[KS_HASH_SIZE]; /* of the whole checkpoint file */
} ks_checkpoint;

void ks_seal_entry_encode(const ks_seal_entry *e, uint8_t out[KS_SEAL_ENTRY_SIZE]);
void ks_seal_entry_decode(const uint8_t in[KS_SEAL_ENTRY_SIZE], ks_seal_entry *e);
/* The leaf hash of a record: H(0x00 || entry || H(bytes)). */
void ks_seal_record_leaf(const uint8_t entry[KS_SEAL_ENTRY_SIZE],
                         const uint8_t content[KS_HASH_SIZE], uint8_t out[KS_HASH_SIZE]);
/* A stored file's entry: id u32, size u64, hash, zsize u64, zhash, name length u16,
 * name; its leaf is H(0x00 || entry). */
#define KS_SEAL_FILE_FIXED (4 + 8 + 32 + 8 + 32 + 2)
void ks_seal_file_leaf(const ks_seal_file *f, uint8_t out[KS_HASH_SIZE]);
void ks_seal_file_encode(const ks_seal_file *f, ks_buf *out);
/* The leaf of a day in week and month trees. */
void ks_seal_day_leaf(const ks_checkpoint *c, uint8_t out[KS_HASH_SIZE]);

/* Checkpoint text without its signature line (the bytes to sign). */
void ks_checkpoint_body(const ks_checkpoint *c, ks_buf *out);
/* Parse a checkpoint file; fills c (hash included). KS_ERR_FORMAT with why. */
ks_status ks_checkpoint_parse(const void *data, size_t n, ks_checkpoint *c, char *why,
                              size_t why_n);
/* Signature check of a parsed checkpoint against key. */
bool ks_checkpoint_signed_by(const ks_checkpoint *c, const void *data,
                             const uint8_t key[KS_SEAL_KEY_SIZE]);
/* The checkpoint as fixed binary fields (what a proof carries: the signed text is
 * rebuilt from them with ks_checkpoint_body), and back: *used bytes read, body_len
 * and hash left 0. KS_ERR_FORMAT when cut short or out of range. */
void ks_checkpoint_encode(const ks_checkpoint *c, ks_buf *out);
ks_status ks_checkpoint_decode(const uint8_t *p, size_t n, ks_checkpoint *c, size_t *used);

/* A proof (prove.c): magic, index u64, the record's entry and content hash, path
 * length u8 and audit path, the day's checkpoint encoded. */
void ks_seal_proof_write(uint64_t index, const uint8_t entry[KS_SEAL_ENTRY_SIZE],
                         const uint8_t content[KS_HASH_SIZE], const uint8_t (*path)[KS_HASH_SIZE],
                         unsigned len, const ks_checkpoint *c, ks_buf *out);

/* ---- day keys (keys.c) ---- */
/* The next seed, and the day key of a seed (both one-way: BLAKE2b-keyed KDF). */
void ks_seal_seed_next(const uint8_t s[32], uint8_t out[32]);
void ks_seal_seed_keypair(const uint8_t s[32], uint8_t pk[32], uint8_t sk[64]);
/* Whether cert is the archive key's certificate of pk as the key of day `day`, the
 * seq-th day of the archive. */
bool ks_seal_cert_check(const uint8_t archive[KS_SEAL_KEY_SIZE], int64_t day, uint64_t seq,
                        const uint8_t pk[KS_SEAL_KEY_SIZE], const uint8_t cert[KS_SEAL_CERT_SIZE]);

/* The signing key file: the seed of day `index` of the archive `archive`. */
typedef struct ks_seal_seed {
    uint8_t archive[KS_SEAL_KEY_SIZE];
    uint32_t index;
    uint8_t s[32];
} ks_seal_seed;
/* KS_ERR_FORMAT: not a seed file (an old KSKEY001 key, zeros). */
ks_status ks_seal_seed_read(const char *path, ks_seal_seed *seed);
ks_status ks_seal_seed_write(const char *path, const ks_seal_seed *seed, ks_diag *diag);

/* DIR/keys as read (data malloc'd; ks_seal_keys_free). */
typedef struct ks_seal_keys {
    uint8_t archive[KS_SEAL_KEY_SIZE];
    int64_t first_day;
    uint32_t count;
    uint8_t sig[64];
    uint8_t *data;
    size_t n;
} ks_seal_keys;
/* A new archive's keys for `count` days from first_day: the archive key drawn, every
 * day key derived from a fresh seed and certified, DIR/keys written, the archive
 * key's secret erased. seed gets the first day's seed. */
ks_status ks_seal_keys_create(const char *dir, int64_t first_day, uint32_t count,
                              ks_seal_seed *seed, ks_diag *diag);
/* Parse keys bytes (taken over: freed by ks_seal_keys_free) or read DIR/keys. */
ks_status ks_seal_keys_parse(uint8_t *data, size_t n, ks_seal_keys *k, char *why, size_t why_n);
ks_status ks_seal_keys_load(const char *dir, ks_seal_keys *k, char *why, size_t why_n);
void ks_seal_keys_free(ks_seal_keys *k);
/* Day i's key and certificate in the list (i < count). */
const uint8_t *ks_seal_keys_pk(const ks_seal_keys *k, uint32_t i);
const uint8_t *ks_seal_keys_cert(const ks_seal_keys *k, uint32_t i);
/* The archive key's signature over the whole list holds. */
bool ks_seal_keys_signed(const ks_seal_keys *k);
/* The first entry from `from` on whose certificate does not hold, or count. */
uint32_t ks_seal_keys_first_bad(const ks_seal_keys *k, uint32_t from);

/* "2026-W48" (ISO week) and "2026-11", and whether day ends its week or month. */
void ks_seal_week_name(int64_t day, char out[16]);
void ks_seal_month_name(int64_t day, char out[16]);
bool ks_seal_ends_week(int64_t day);
bool ks_seal_ends_month(int64_t day);

/* Whole small files (checkpoints, lists), at most max bytes; malloc'd. */
ks_status ks_seal_slurp(const char *path, size_t max, uint8_t **data, size_t *n);
/* Memory for a large buffer (free() it): from 2 MiB on, aligned and marked for huge
 * pages, so that filling it costs few page faults. */
#define KS_SEAL_HUGE ((size_t)2 << 20)
void *ks_seal_big_alloc(size_t n);
/* The same into *buf (malloc'd, *cap bytes), which grows when the file is larger:
 * one buffer for many files. */
ks_status ks_seal_slurp_into(const char *path, size_t max, uint8_t **buf, size_t *cap, size_t *n);
/* Write a whole file (created new, fsync'd unless ks_seal_sync is false). */
ks_status ks_seal_write_file(const char *path, const void *data, size_t n, ks_diag *diag);
extern _Thread_local bool ks_seal_sync;

/* Day directories under DIR/days, sorted; names that are not dates are counted in
 * *other. Caller frees *days. */
ks_status ks_seal_list_days(const char *dir, int64_t **days, size_t *n, size_t *other);

static inline void ks_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void ks_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t ks_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static inline uint64_t ks_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

#endif
