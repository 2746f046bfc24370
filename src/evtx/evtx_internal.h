/* Shared between the EVTX reader's files: the open file, the cursor that walks a
 * chunk, and the Binary XML decoder. Not part of the public API. */
#ifndef KS_EVTX_INTERNAL_H
#define KS_EVTX_INTERNAL_H

#include "kensa/evtx.h"
#include "util/arena.h"

static inline uint16_t ks_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t ks_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t ks_rd64(const uint8_t *p)
{
    return (uint64_t)ks_rd32(p) | ((uint64_t)ks_rd32(p + 4) << 32);
}

/* Node kinds that only exist inside compiled templates. */
enum { KS_X_SUBST = 0x20 };
#define KS_SUBST_OPTIONAL 1 /* in ks_xnode.name_len of a KS_X_SUBST node */

/* Safety limits for hostile input. */
#define KS_BX_MAX_DEPTH 48            /* element nesting plus nested Binary XML */
#define KS_BX_MAX_NODES 200000        /* nodes per record after instantiation */
#define KS_REC_ARENA_LIMIT (64u << 20) /* bytes per record */

typedef struct ks_name_slot {
    uint32_t key; /* chunk offset + 1; 0 = empty */
    uint32_t gen;
    const char *name;
    uint16_t len;
    uint8_t plain;
} ks_name_slot;

typedef struct ks_tmpl_slot {
    uint32_t key; /* chunk offset + 1 */
    uint32_t gen;
    const ks_xnode *body; /* NULL: the template could not be compiled */
    const char *err;
} ks_tmpl_slot;

#define KS_ERRMSG_SIZE 160
#define KS_NAME_SLOTS 2048
#define KS_TMPL_SLOTS 512

struct ks_evtx_cursor {
    ks_evtx *file;
    uint8_t *buf;      /* KS_EVTX_CHUNK_SIZE bytes, for files read with pread */
    const uint8_t *ck; /* the chunk's bytes */
    uint32_t cklen;    /* bytes available (less than 64 KiB for a truncated file) */
    uint32_t index;
    uint64_t base; /* file offset of the chunk */
    uint32_t pos;  /* next record offset in the chunk */
    uint32_t end;  /* end of record data */
    uint64_t last_id;
    uint64_t first_id, last_id_hdr; /* record range the chunk header claims */
    int loaded;
    uint32_t gen; /* cache generation, bumped per chunk */
    ks_name_slot names[KS_NAME_SLOTS];
    ks_tmpl_slot tmpls[KS_TMPL_SLOTS];
    ks_arena chunk_arena; /* names and templates of the loaded chunk */
    ks_arena rec_arena;   /* the current record's nodes and event fields */
    ks_evtx_record rec;
    ks_evtx_stats stats;
    ks_evtx_problem_fn fn;
    void *fn_ctx;
    ks_buf scratch;
    char errmsg[KS_ERRMSG_SIZE];
};

/* Decode the Binary XML of one record, bytes [pos, end) of the loaded chunk, into a
 * node list allocated from the record arena. `strict` also requires every value to
 * have the type its template declares (for leftover data, where a template may have
 * been overwritten). On failure returns a status and sets *err and *err_off (chunk
 * offset). */
ks_status ks_bx_record(ks_evtx_cursor *c, uint32_t pos, uint32_t end, int strict,
                       const ks_xnode **out, const char **err, uint32_t *err_off);

/* Report what is wrong with the file header (if anything) through fn. */
void ks_evtx_report_header(const ks_evtx *r, ks_evtx_problem_fn fn, void *ctx);

#endif
