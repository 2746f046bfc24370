/* The byte stream under content analysis: every byte read from a file passes through
 * here once and is hashed and counted into 1 KiB block statistics; the format walkers
 * (formats.c) pull bytes from it and say which spans are compressed payload (where
 * random-looking bytes are expected). Internal to src/backup/. */
#ifndef KS_BACKUP_STREAM_H
#define KS_BACKUP_STREAM_H

#include <stdint.h>

#include "kensa/backup.h"
#include "util/sha256.h"

#define KS_BK_BLOCK 1024u
#define KS_BK_BUF (64u * 1024u) /* under malloc's mmap threshold: reused, not mapped */
#define KS_BK_RING (KS_BK_BUF / KS_BK_BLOCK + 8u)
#define KS_BK_HEAD (64u * 1024u)
#define KS_BK_TAIL 64u
#define KS_BK_SCRATCH (64u * 1024u)

typedef struct ks_bk_block {
    uint64_t index;   /* block number + 1 (0: unused slot) */
    uint32_t n;       /* bytes in it so far */
    uint32_t payload; /* bytes of it the walker consumed as payload */
    uint32_t used;    /* bytes of it the walker consumed */
    uint8_t random;   /* judged when full (or at the end) */
    uint8_t judged;
} ks_bk_block;

typedef struct ks_bk_stream {
    ks_backup_read_fn fn;
    void *ctx;
    uint8_t *buf;  /* KS_BK_BUF bytes */
    size_t pos;    /* walker position in buf */
    size_t len;    /* bytes in buf */
    uint64_t base; /* file offset of buf[0] */
    int eof, err;
    ks_sha256 sha;
    uint64_t hist[256];
    uint32_t bhist[256]; /* the block being filled */
    uint32_t bfill;
    uint64_t nblock; /* blocks started */
    ks_bk_block ring[KS_BK_RING];
    size_t head_len;
    size_t tail_len;
    /* text damage: blocks of clean text, and blocks with both control bytes and
     * bytes >= 0x80 (random bytes written into text) */
    uint64_t text_blocks, junk_blocks, other_blocks, first_junk;
    /* the whole file again, for formats that can only be checked by seeking (7z):
     * its bytes (analyze_mem) or its path (analyze_path); else neither */
    const uint8_t *mem;
    size_t mem_n;
    const char *path;
    int quick; /* KS_BACKUP_QUICK */
    ks_backup_file *out;
    int broken; /* the walker recorded a structure break */
    /* last: not cleared per file (only head_len / tail_len bytes are valid) */
    uint8_t tail[KS_BK_TAIL];
    uint8_t head[KS_BK_HEAD];
    uint8_t scratch[KS_BK_SCRATCH]; /* decoder output, lowercased notes */
    uint8_t bufmem[KS_BK_BUF];
} ks_bk_stream;

/* Bytes available from the walker position, after trying to have at least n there
 * (n <= KS_BK_BUF / 2). Fewer than n only at the end of the file (or on an error). */
size_t ks_bk_need(ks_bk_stream *s, size_t n);
static inline const uint8_t *ks_bk_ptr(const ks_bk_stream *s)
{
    return s->buf + s->pos;
}
static inline uint64_t ks_bk_offset(const ks_bk_stream *s)
{
    return s->base + s->pos;
}
/* Move the walker over n bytes (any size), marking them as payload or not; if crc is
 * not NULL it is updated (zlib crc32) over those bytes. Returns the bytes moved over
 * (fewer than n at the end of the file). */
uint64_t ks_bk_skip(ks_bk_stream *s, uint64_t n, int payload, uint32_t *crc);
/* Record a structure break at offset (the first one counts). Returns 0. */
int ks_bk_break(ks_bk_stream *s, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The format walkers (formats.c): each walks from the walker position (just after
 * nothing: position 0) and returns 1 if the structure was consistent to its end, 0 if
 * not (after ks_bk_break). They stop at the end of the format's data; what follows is
 * consumed by the caller as plain data. */
int ks_bk_walk_png(ks_bk_stream *s);
int ks_bk_walk_gzip(ks_bk_stream *s);
int ks_bk_walk_zip(ks_bk_stream *s);
int ks_bk_walk_jpeg(ks_bk_stream *s, uint64_t limit);
int ks_bk_walk_pdf(ks_bk_stream *s);
int ks_bk_walk_7z(ks_bk_stream *s);
int ks_bk_walk_dicom(ks_bk_stream *s);
/* xz, bzip2, zstd: decoded (what names the format in messages) */
int ks_bk_walk_decode(ks_bk_stream *s, const char *what);

#endif
