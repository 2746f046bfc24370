/* The EVTX file and its chunks: open, check headers and checksums, walk records.
 *
 * Damage is expected (files copied while being written, volume shadow copies,
 * truncated exports): chunks past the header's count are read, a chunk with a bad
 * checksum is still read (and reported), records are resynchronised on their
 * signature after a bad one, and every skip is reported and counted. Files are read
 * with pread, one 64 KiB chunk at a time per cursor, so memory stays flat. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtx/evtx_internal.h"
#include "kensa/i18n.h"
#include "kensa/time.h"
#include "util/crc32.h"

struct ks_evtx {
    char *name;
    int fd; /* -1 when reading from memory */
    const uint8_t *mem;
    ks_evtx_info info;
    ks_evtx_cursor *seq; /* for ks_evtx_next */
    uint32_t seq_next;   /* next chunk for ks_evtx_next */
    int seq_started;
    ks_evtx_problem_fn fn;
    void *fn_ctx;
};

static const uint8_t FILE_MAGIC[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};
static const uint8_t CHUNK_MAGIC[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};

static uint32_t crc(uint32_t c, const uint8_t *p, size_t n)
{
    return ks_crc32(c, p, n);
}

static ks_status read_at(const ks_evtx *r, uint64_t off, void *dst, size_t n, size_t *got)
{
    if (off >= r->info.file_size) {
        *got = 0;
        return KS_OK;
    }
    if (n > r->info.file_size - off) n = (size_t)(r->info.file_size - off);
    if (r->fd < 0) {
        memcpy(dst, r->mem + off, n);
        *got = n;
        return KS_OK;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t k = pread(r->fd, (char *)dst + done, n - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        done += (size_t)k;
    }
    *got = done;
    return done == n ? KS_OK : KS_ERR_IO;
}

static ks_status setup(ks_evtx *r, ks_diag *diag)
{
    uint8_t h[128];
    size_t got = 0;
    ks_evtx_info *in = &r->info;
    if (in->file_size == 0)
        return ks_diag_set(diag, KS_ERR_FORMAT, r->name, 0, "the file is empty (0 bytes)");
    if (read_at(r, 0, h, sizeof h, &got) != KS_OK)
        return ks_diag_set(diag, KS_ERR_IO, r->name, 0, "cannot read the file header: %s",
                           strerror(errno));
    in->header_valid = got == sizeof h && memcmp(h, FILE_MAGIC, 8) == 0;
    if (in->header_valid) {
        in->next_record_id = ks_rd64(h + 24);
        in->minor = ks_rd16(h + 36);
        in->major = ks_rd16(h + 38);
        in->header_chunks = ks_rd16(h + 42);
        in->flags = ks_rd32(h + 120);
        in->header_crc_ok = (in->flags & 4) || crc(0, h, 120) == ks_rd32(h + 124);
    }
    in->chunks = in->file_size > KS_EVTX_HEADER_SIZE
                     ? (uint32_t)((in->file_size - KS_EVTX_HEADER_SIZE + KS_EVTX_CHUNK_SIZE - 1) /
                                  KS_EVTX_CHUNK_SIZE)
                     : 0;
    if (!in->header_valid) {
        /* a damaged header is survivable if chunks follow */
        uint8_t m[8];
        if (in->chunks == 0 || read_at(r, KS_EVTX_HEADER_SIZE, m, 8, &got) != KS_OK || got != 8 ||
            memcmp(m, CHUNK_MAGIC, 8) != 0)
            return ks_diag_set(diag, KS_ERR_FORMAT, r->name, 0,
                               "not an EVTX file: no \"ElfFile\" signature at offset 0");
    }
    return KS_OK;
}

static ks_evtx *new_reader(const char *name)
{
    ks_evtx *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->name = strdup(name ? name : "(memory)");
    r->fd = -1;
    if (!r->name) {
        free(r);
        return NULL;
    }
    return r;
}

ks_status ks_evtx_open(ks_evtx **out, const char *path, ks_diag *diag)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "not a regular file");
    }
    ks_evtx *r = new_reader(path);
    if (!r) {
        close(fd);
        return ks_diag_set(diag, KS_ERR_NOMEM, path, 0, "out of memory");
    }
    r->fd = fd;
    r->info.file_size = (uint64_t)st.st_size;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    ks_status s = setup(r, diag);
    if (s) {
        ks_evtx_close(&r);
        return s;
    }
    *out = r;
    return KS_OK;
}

ks_status ks_evtx_open_mem(ks_evtx **out, const void *data, size_t size, const char *name,
                           ks_diag *diag)
{
    *out = NULL;
    ks_evtx *r = new_reader(name);
    if (!r) return ks_diag_set(diag, KS_ERR_NOMEM, name, 0, "out of memory");
    r->mem = data;
    r->info.file_size = size;
    ks_status s = setup(r, diag);
    if (s) {
        ks_evtx_close(&r);
        return s;
    }
    *out = r;
    return KS_OK;
}

void ks_evtx_close(ks_evtx **pr)
{
    if (!pr || !*pr) return;
    ks_evtx *r = *pr;
    ks_evtx_cursor_close(&r->seq);
    if (r->fd >= 0) close(r->fd);
    free(r->name);
    free(r);
    *pr = NULL;
}

const ks_evtx_info *ks_evtx_get_info(const ks_evtx *r)
{
    return &r->info;
}

const char *ks_evtx_name(const ks_evtx *r)
{
    return r->name;
}

void ks_evtx_on_problem(ks_evtx *r, ks_evtx_problem_fn fn, void *ctx)
{
    r->fn = fn;
    r->fn_ctx = ctx;
    if (r->seq) ks_evtx_cursor_on_problem(r->seq, fn, ctx);
}

/* --- cursor ---------------------------------------------------------------- */

static void problem(ks_evtx_cursor *c, ks_evtx_severity sev, ks_status st, uint32_t chunk_off,
                    uint64_t rid, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void problem(ks_evtx_cursor *c, ks_evtx_severity sev, ks_status st, uint32_t chunk_off,
                    uint64_t rid, const char *fmt, ...)
{
    if (!c->fn) return;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ks_evtx_problem p = {.file = c->file->name,
                         .chunk = c->index,
                         .offset = c->base + chunk_off,
                         .record_id = rid,
                         .severity = sev,
                         .status = st,
                         .what = what};
    c->fn(c->fn_ctx, &p);
}

ks_status ks_evtx_cursor_open(ks_evtx_cursor **out, ks_evtx *r)
{
    ks_evtx_cursor *c = calloc(1, sizeof *c);
    if (!c) return KS_ERR_NOMEM;
    if (r->fd >= 0 && !(c->buf = malloc(KS_EVTX_CHUNK_SIZE))) {
        free(c);
        return KS_ERR_NOMEM;
    }
    c->file = r;
    c->rec_arena.limit = KS_REC_ARENA_LIMIT;
    c->chunk_arena.limit = KS_REC_ARENA_LIMIT;
    c->rec.cursor = c;
    c->fn = r->fn;
    c->fn_ctx = r->fn_ctx;
    *out = c;
    return KS_OK;
}

void ks_evtx_cursor_close(ks_evtx_cursor **pc)
{
    if (!pc || !*pc) return;
    ks_evtx_cursor *c = *pc;
    ks_arena_free(&c->chunk_arena);
    ks_arena_free(&c->rec_arena);
    ks_buf_free(&c->scratch);
    ks_buf_free(&c->progbuf);
    free(c->buf);
    free(c);
    *pc = NULL;
}

void ks_evtx_cursor_on_problem(ks_evtx_cursor *c, ks_evtx_problem_fn fn, void *ctx)
{
    c->fn = fn;
    c->fn_ctx = ctx;
}

const ks_evtx_stats *ks_evtx_cursor_stats(const ks_evtx_cursor *c)
{
    return &c->stats;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

ks_status ks_evtx_cursor_chunk(ks_evtx_cursor *c, uint32_t index)
{
    ks_evtx *r = c->file;
    c->loaded = 0;
    c->index = index;
    c->base = KS_EVTX_HEADER_SIZE + (uint64_t)index * KS_EVTX_CHUNK_SIZE;
    c->gen++;
    if (c->gen == 0) { /* wrapped: clear the caches for real */
        memset(c->names, 0, sizeof c->names);
        memset(c->tmpls, 0, sizeof c->tmpls);
        memset(c->progs, 0, sizeof c->progs);
        c->gen = 1;
    }
    ks_arena_reset(&c->chunk_arena);
    if (index >= r->info.chunks) return KS_ERR_ARG;
    c->stats.chunks++;
    size_t got = 0;
    if (r->fd < 0) {
        c->ck = r->mem + c->base;
        got =
            (size_t)(r->info.file_size - c->base < KS_EVTX_CHUNK_SIZE ? r->info.file_size - c->base
                                                                      : KS_EVTX_CHUNK_SIZE);
    } else {
        if (read_at(r, c->base, c->buf, KS_EVTX_CHUNK_SIZE, &got) != KS_OK &&
            got < KS_EVTX_CHUNK_SIZE && c->base + got < r->info.file_size) {
            problem(c, KS_EVTX_ERROR, KS_ERR_IO, 0, 0, ks_msg(KS_MSG_EVTX_CHUNK_IO), index,
                    strerror(errno));
            c->stats.chunks_bad++;
            return KS_ERR_IO;
        }
        c->ck = c->buf;
    }
    c->cklen = (uint32_t)got;
    const uint8_t *ck = c->ck;
    if (got < 512 || memcmp(ck, CHUNK_MAGIC, 8) != 0) {
        /* never used: zeros at the end of a log, or whatever the disk held in space
         * preallocated past the chunks the header counts */
        if (all_zero(ck, got) || (r->info.header_valid && index >= r->info.header_chunks)) {
            c->stats.chunks_empty++;
            return KS_OK;
        }
        c->stats.chunks_bad++;
        if (got < 512)
            problem(c, KS_EVTX_ERROR, KS_ERR_TRUNCATED, 0, 0, ks_msg(KS_MSG_EVTX_CHUNK_CUT_HEADER),
                    index, got);
        else
            problem(c, KS_EVTX_ERROR, KS_ERR_FORMAT, 0, 0, ks_msg(KS_MSG_EVTX_CHUNK_NO_SIGNATURE),
                    index);
        return KS_ERR_FORMAT;
    }
    uint32_t free_off = ks_rd32(ck + 48);
    int crc_bad = 0;
    /* flag 4 (file or chunk): written without checksums */
    int no_crc = (ks_rd32(ck + 120) & 4) || (r->info.header_valid && (r->info.flags & 4));
    uint32_t hcrc = crc(crc(0, ck, 120), ck + 128, 384);
    if (!no_crc && hcrc != ks_rd32(ck + 124)) {
        problem(c, KS_EVTX_WARNING, KS_ERR_CHECKSUM, 124, 0, ks_msg(KS_MSG_EVTX_CHUNK_HEADER_CRC),
                index, ks_rd32(ck + 124), hcrc);
        crc_bad = 1;
    }
    if (free_off < 512 || free_off > KS_EVTX_CHUNK_SIZE) {
        problem(c, KS_EVTX_WARNING, KS_ERR_FORMAT, 48, 0, ks_msg(KS_MSG_EVTX_CHUNK_FREE_OFFSET),
                index, free_off);
        free_off = c->cklen;
    } else if (free_off > c->cklen) {
        problem(c, KS_EVTX_WARNING, KS_ERR_TRUNCATED, 0, 0, ks_msg(KS_MSG_EVTX_CHUNK_CUT), index,
                c->cklen, free_off);
        free_off = c->cklen;
    } else if (!no_crc) {
        uint32_t dcrc = crc(0, ck + 512, free_off - 512);
        if (dcrc != ks_rd32(ck + 52)) {
            problem(c, KS_EVTX_WARNING, KS_ERR_CHECKSUM, 52, 0, ks_msg(KS_MSG_EVTX_CHUNK_DATA_CRC),
                    index, ks_rd32(ck + 52), dcrc);
            crc_bad = 1;
        }
    }
    c->stats.chunks_crc += (uint32_t)crc_bad;
    c->first_id = ks_rd64(ck + 24);
    c->last_id_hdr = ks_rd64(ck + 32);
    if (c->last_id_hdr < c->first_id) { /* no usable range: accept every record */
        c->first_id = 0;
        c->last_id_hdr = UINT64_MAX;
    }
    c->pos = 512;
    c->end = free_off;
    c->last_id = 0;
    c->loaded = 1;
    return KS_OK;
}

/* A plausible record header at chunk offset pos (signature, size, size copy). */
static int record_at(const ks_evtx_cursor *c, uint32_t pos, uint32_t limit)
{
    if (pos > limit || limit - pos < 28) return 0;
    const uint8_t *p = c->ck + pos;
    if (ks_rd32(p) != 0x00002a2a) return 0;
    uint32_t size = ks_rd32(p + 4);
    if (size < 28 || size > limit - pos) return 0;
    return ks_rd32(p + size - 4) == size;
}

/* Find the next plausible record after a damaged one, or `limit`. */
static uint32_t resync(const ks_evtx_cursor *c, uint32_t pos, uint32_t limit)
{
    for (pos = (pos + 8) & ~7u; pos + 28 <= limit; pos += 8)
        if (record_at(c, pos, limit)) return pos;
    return limit;
}

ks_status ks_evtx_cursor_next(ks_evtx_cursor *c, const ks_evtx_record **out)
{
    *out = NULL;
    if (!c->loaded) return KS_OK;
    const uint8_t *ck = c->ck;
    while (c->pos + 24 <= c->cklen) {
        uint32_t pos = c->pos;
        const uint8_t *p = ck + pos;
        if (pos >= c->end) {
            /* past the free-space offset: only a record that continues the sequence
             * (a header not updated) is read; older leftovers are not */
            if (!record_at(c, pos, c->cklen) || ks_rd64(p + 8) != c->last_id + 1) break;
            problem(c, KS_EVTX_WARNING, KS_ERR_FORMAT, pos, ks_rd64(p + 8), "%s",
                    ks_msg(KS_MSG_EVTX_PAST_FREE));
            c->end = c->cklen;
        }
        if (ks_rd32(p) != 0x00002a2a) {
            if (all_zero(p, c->end - pos < 24 ? c->end - pos : 24)) break; /* end of records */
            uint32_t next = resync(c, pos, c->end);
            problem(c, KS_EVTX_ERROR, KS_ERR_FORMAT, pos, 0,
                    ks_msg(KS_MSG_EVTX_NO_RECORD_SIGNATURE), next - pos);
            c->stats.records_skipped++;
            c->pos = next;
            continue;
        }
        uint32_t size = ks_rd32(p + 4);
        uint64_t rid = ks_rd64(p + 8);
        if (size < 28 || size > c->end - pos) {
            uint32_t next = resync(c, pos, c->end);
            if (size >= 28 && c->cklen < KS_EVTX_CHUNK_SIZE && pos + (uint64_t)size > c->cklen)
                problem(c, KS_EVTX_ERROR, KS_ERR_TRUNCATED, pos, rid,
                        ks_msg(KS_MSG_EVTX_RECORD_CUT), (unsigned long long)rid, size,
                        c->cklen - pos);
            else
                problem(c, KS_EVTX_ERROR, KS_ERR_FORMAT, pos, rid, ks_msg(KS_MSG_EVTX_RECORD_SIZE),
                        (unsigned long long)rid, size, c->end - pos);
            c->stats.records_skipped++;
            c->pos = next;
            continue;
        }
        if (ks_rd32(p + size - 4) != size) {
            problem(c, KS_EVTX_WARNING, KS_ERR_FORMAT, pos + size - 4, rid,
                    ks_msg(KS_MSG_EVTX_RECORD_SIZE_COPY), (unsigned long long)rid,
                    ks_rd32(p + size - 4), size);
        }
        ks_arena_reset(&c->rec_arena);
        const ks_bx_doc *doc = NULL;
        const char *err = NULL;
        uint32_t err_off = 0;
        /* outside the header's range (which grows by records that continue it: a
         * header not updated): data left from an earlier use of the chunk, or a
         * chunk caught half rewritten */
        int leftover = (rid < c->first_id || rid > c->last_id_hdr) && rid != c->last_id_hdr + 1;
        ks_status st = ks_bx_record(c, pos + 24, pos + size - 4, leftover, &doc, &err, &err_off);
        if (st) {
            problem(c, KS_EVTX_ERROR, st, err_off, rid, ks_msg(KS_MSG_EVTX_RECORD_SKIPPED),
                    (unsigned long long)rid, err);
            c->stats.records_skipped++;
            if (ks_rd32(p + size - 4) != size) {
                c->pos = resync(c, pos, c->end);
            } else {
                c->pos = pos + size;
            }
            c->last_id = rid;
            continue;
        }
        c->pos = pos + size;
        c->last_id = rid;
        if (rid == c->last_id_hdr + 1) c->last_id_hdr = rid;
        if (leftover) {
            problem(c, KS_EVTX_WARNING, KS_ERR_FORMAT, pos, rid,
                    ks_msg(KS_MSG_EVTX_RECORD_RECOVERED), (unsigned long long)rid,
                    (unsigned long long)c->first_id, (unsigned long long)c->last_id_hdr);
            c->stats.records_recovered++;
        }
        ks_evtx_record *rec = &c->rec;
        rec->record_id = rid;
        rec->written_ns = ks_time_from_filetime(ks_rd64(p + 16));
        rec->offset = c->base + pos;
        rec->chunk = c->index;
        rec->size = size;
        c->doc = doc;
        c->root = NULL;
        c->root_built = 0;
        c->stats.records++;
        *out = rec;
        return KS_OK;
    }
    c->loaded = 0;
    return KS_OK;
}

const ks_xnode *ks_evtx_record_root(const ks_evtx_record *rec)
{
    ks_evtx_cursor *c = rec->cursor;
    if (!c->root_built) {
        c->root = ks_bx_tree(c, c->doc);
        c->root_built = 1;
    }
    return c->root;
}

/* --- sequential reading ---------------------------------------------------- */

void ks_evtx_report_header(const ks_evtx *r, ks_evtx_problem_fn fn, void *ctx)
{
    if (!fn) return;
    const ks_evtx_info *in = &r->info;
    ks_evtx_problem p = {.file = r->name, .chunk = UINT32_MAX, .severity = KS_EVTX_WARNING};
    if (!in->header_valid) {
        p.status = KS_ERR_FORMAT;
        p.what = ks_msg(KS_MSG_EVTX_HEADER_DAMAGED);
        fn(ctx, &p);
    } else if (!in->header_crc_ok) {
        p.status = KS_ERR_CHECKSUM;
        p.offset = 124;
        p.what = ks_msg(KS_MSG_EVTX_HEADER_CRC);
        fn(ctx, &p);
    }
    if (in->header_valid && in->header_chunks > in->chunks) {
        char what[160];
        snprintf(what, sizeof what, ks_msg(KS_MSG_EVTX_FILE_CUT), in->header_chunks, in->chunks,
                 (unsigned long long)in->file_size);
        p.status = KS_ERR_TRUNCATED;
        p.offset = in->file_size;
        p.what = what;
        fn(ctx, &p);
    }
}

ks_status ks_evtx_next(ks_evtx *r, const ks_evtx_record **rec)
{
    *rec = NULL;
    if (!r->seq) {
        ks_status s = ks_evtx_cursor_open(&r->seq, r);
        if (s) return s;
    }
    if (!r->seq_started) {
        r->seq_started = 1;
        ks_evtx_report_header(r, r->fn, r->fn_ctx);
    }
    for (;;) {
        if (r->seq->loaded) {
            ks_status s = ks_evtx_cursor_next(r->seq, rec);
            if (s || *rec) return s;
        }
        if (r->seq_next >= r->info.chunks) return KS_OK;
        ks_evtx_cursor_chunk(r->seq, r->seq_next++);
    }
}

const ks_evtx_stats *ks_evtx_get_stats(const ks_evtx *r)
{
    static const ks_evtx_stats none;
    return r->seq ? &r->seq->stats : &none;
}
