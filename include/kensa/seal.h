/* The sealed log archive: evidence kept day by day so that any change shows.
 *
 * RFC 6962 Merkle trees over each day's records and files, one Ed25519-signed
 * checkpoint per day chained to the one before, a new signing key every day (the
 * old one erased; every day key certified by the archive key when the archive was
 * created), and an offline verifier that needs nothing but the archive and the
 * archive key. The archive layout is described in docs/seal.md. */
#ifndef KENSA_SEAL_H
#define KENSA_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/source.h"
#include "kensa/status.h"

#define KS_HASH_SIZE 32
#define KS_SEAL_KEY_SIZE 32   /* Ed25519 public key (the archive key, a day key) */
#define KS_MERKLE_MAX_PATH 64 /* audit path length for any tree of < 2^64 leaves */
#define KS_SEAL_TILE 256      /* records per stored subtree hash (localizes damage) */

/* ---- Merkle trees (RFC 6962 / RFC 9162 section 2.1) ---------------------------- */

/* The hash under the tree. The archive uses BLAKE2b-256 (libsodium's is about four
 * times faster than its SHA-256, which has no SHA-NI path: verification must keep up
 * with the medium); SHA-256 is there for RFC 6962's test vectors and interoperation. */
typedef enum ks_hash_alg { KS_HASH_BLAKE2B256 = 0, KS_HASH_SHA256 = 1 } ks_hash_alg;

/* H(data) with the given algorithm (32 bytes). */
void ks_hash(ks_hash_alg a, const void *data, size_t n, uint8_t out[KS_HASH_SIZE]);
/* Leaf hash H(0x00 || data) and interior node H(0x01 || l || r). */
void ks_merkle_leaf(ks_hash_alg a, const void *data, size_t n, uint8_t out[KS_HASH_SIZE]);
void ks_merkle_node(ks_hash_alg a, const uint8_t l[KS_HASH_SIZE], const uint8_t r[KS_HASH_SIZE],
                    uint8_t out[KS_HASH_SIZE]);

/* A tree built leaf by leaf in O(log n) memory. Items pushed are hashes of equal
 * height (leaf hashes, or roots of equal complete subtrees such as tiles). */
typedef struct ks_merkle {
    ks_hash_alg alg;
    uint64_t n;
    unsigned top;
    uint8_t stack[KS_MERKLE_MAX_PATH][KS_HASH_SIZE];
} ks_merkle;

void ks_merkle_init(ks_merkle *m, ks_hash_alg a);
void ks_merkle_push(ks_merkle *m, const uint8_t h[KS_HASH_SIZE]);
/* The root of what was pushed, with `tail` (the root of a last, smaller subtree; may
 * be NULL) appended on the right. An empty tree's root is H(""). */
void ks_merkle_root(const ks_merkle *m, const uint8_t *tail, uint8_t out[KS_HASH_SIZE]);

/* Many at once (BLAKE2b in SIMD lanes): leaf hashes of n inputs of len bytes, input i
 * at data + i * stride, into out[i]; and `levels` levels of a tree over h[0..n), in
 * place: pairs become their node, an odd last hash moves up (RFC 6962's shape from
 * the leaves up: 8 levels give the tile roots). Returns the hashes left. */
void ks_merkle_leaves(ks_hash_alg a, const uint8_t *data, size_t stride, size_t len, size_t n,
                      uint8_t (*out)[KS_HASH_SIZE]);
uint64_t ks_merkle_up(ks_hash_alg a, uint8_t (*h)[KS_HASH_SIZE], uint64_t n, unsigned levels);

/* Root over n leaf hashes. */
void ks_merkle_root_of(ks_hash_alg a, const uint8_t (*leaves)[KS_HASH_SIZE], uint64_t n,
                       uint8_t out[KS_HASH_SIZE]);
/* The audit path of leaf i among n (RFC 6962 PATH(m, D[n])): *len hashes, leaf to
 * root. KS_ERR_ARG when i >= n. */
ks_status ks_merkle_path(ks_hash_alg a, const uint8_t (*leaves)[KS_HASH_SIZE], uint64_t n,
                         uint64_t i, uint8_t path[KS_MERKLE_MAX_PATH][KS_HASH_SIZE], unsigned *len);
/* The root that leaf hash `leaf` at index i of n and its path give (RFC 9162
 * 2.1.3.2). KS_ERR_FORMAT when the path has the wrong length for i and n. */
ks_status ks_merkle_root_from_path(ks_hash_alg a, const uint8_t leaf[KS_HASH_SIZE], uint64_t i,
                                   uint64_t n, const uint8_t (*path)[KS_HASH_SIZE], unsigned len,
                                   uint8_t out[KS_HASH_SIZE]);

/* ---- sealing ------------------------------------------------------------------- */

typedef struct ks_seal_opts {
    /* the signing key file (the seed of the next day to seal): created with the
     * archive, replaced after every sealed day (the old one overwritten).
     * NULL: DIR/signing.key */
    const char *key_path;
    /* days a new archive's keys cover (0: the environment's KS_SEAL_KEY_DAYS, else
     * 32768, about 89 years: making them takes about 1.3 s, once) */
    uint32_t key_days;
    /* also seal the days after the last record up to this day (days since 1970,
     * UTC), so that days without logs are sealed too; INT64_MIN: none */
    int64_t through_day;
    /* the clock (ns since 1970 UTC) for tests; 0: the real one. Days after the
     * clock's day are never sealed (their records wait in the clock's day). */
    int64_t now_ns;
    /* skip fsync (tests and benchmarks only: a crash may then lose the last day) */
    bool no_sync;
    ks_source_opts source; /* --tz, --year for syslog lines; on_problem */
} ks_seal_opts;

typedef struct ks_seal_stats {
    uint64_t files, records, bytes;
    uint64_t late;       /* records whose own day was sealed before: put in the first new day */
    uint64_t untimed;    /* records without a time of their own (see docs/seal.md) */
    uint64_t duplicates; /* files already in the archive byte for byte: not sealed again */
    uint64_t days;       /* days sealed by this run (empty ones included) */
    int64_t first_day, last_day;
    bool created;                          /* the archive was created by this run */
    uint8_t archive_key[KS_SEAL_KEY_SIZE]; /* the archive key (all verification needs) */
} ks_seal_stats;

/* Seal evidence files (paths of files or directories) into the archive at dir,
 * creating it if absent. Nothing is written to the evidence. */
ks_status ks_seal(const char *dir, const char *const *evidence, size_t n, const ks_seal_opts *o,
                  ks_seal_stats *st, ks_diag *diag);

/* The printable form of an archive key ("ks2-" and 64 hex digits in groups of 8)
 * and back (also accepts the bare 64 hex digits, or a file holding either). A key of
 * the first format ("ks1-", archives sealed before 2026-11-26) is
 * KS_ERR_UNSUPPORTED. */
void ks_seal_key_format(const uint8_t key[KS_SEAL_KEY_SIZE], char out[96]);
ks_status ks_seal_key_parse(const char *text, uint8_t key[KS_SEAL_KEY_SIZE]);

/* ---- verification ----------------------------------------------------------------- */

typedef struct ks_verify_result {
    bool intact;
    uint64_t days, empty_days, records, files, bytes;
    int64_t first_day, last_day; /* of the archive (INT64_MIN when none) */
    /* the first problem, when not intact */
    int64_t bad_day;              /* the day named (INT64_MIN: the archive as a whole) */
    uint64_t rec_first, rec_last; /* record range within the day; UINT64_MAX: none */
    char file[256];               /* the original file involved, when one is */
    char what[256];               /* one English sentence */
} ks_verify_result;

/* Check every file, record, tree and checkpoint of the archive (and DIR/keys when
 * present) against the archive key; only reads. until_day (INT64_MIN: none) is the last day the
 * archive must reach (a rolled-back archive ends early). KS_OK even when damage is found: r->intact
 * says; an error status only when the archive cannot be read at all. */
ks_status ks_seal_verify(const char *dir, const uint8_t key[KS_SEAL_KEY_SIZE], int64_t until_day,
                         ks_verify_result *r);

/* An inclusion proof for record `index` (0-based) of `day`, appended to out
 * (binary): the record's entry and content hash and its audit path (1,041 bytes for
 * a day of 2^30 records), then the day's checkpoint in binary with the certificate
 * of its key (317 to 383 bytes): 1,358 to 1,424 bytes, whatever the day. */
ks_status ks_seal_prove(const char *dir, int64_t day, uint64_t index, ks_buf *out, ks_diag *diag);
/* The record of an original file (its name as sealed, or its end after a '/') with
 * this record id (EventRecordID; for text, the line number of its event). */
ks_status ks_seal_find(const char *dir, const char *file, uint64_t record_id, int64_t *day,
                       uint64_t *index, ks_diag *diag);

/* What a proof proves. */
typedef struct ks_seal_proof_info {
    int64_t day;
    uint64_t index, tree_size;
    uint32_t file, size; /* the record's file (its number in the archive) and length */
    uint64_t offset, record_id;
    int64_t time_ns;               /* 0: the record has no time of its own */
    uint8_t content[KS_HASH_SIZE]; /* BLAKE2b-256 of the record's bytes */
    size_t inclusion_bytes, checkpoint_bytes;
} ks_seal_proof_info;

/* Check a proof against the archive key. KS_OK when it holds (info filled);
 * otherwise diag says why. */
ks_status ks_seal_verify_proof(const void *proof, size_t n, const uint8_t key[KS_SEAL_KEY_SIZE],
                               ks_seal_proof_info *info, ks_diag *diag);

/* "2026-11-25" for a day number, and back (-1 when not a date). */
void ks_seal_day_format(int64_t day, char out[16]);
int ks_seal_day_parse(const char *s, int64_t *day);

#endif
