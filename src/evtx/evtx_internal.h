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
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t ks_rd64(const uint8_t *p)
{
    return (uint64_t)ks_rd32(p) | ((uint64_t)ks_rd32(p + 4) << 32);
}

/* Node kinds that only exist inside compiled templates. */
enum { KS_X_SUBST = 0x20 };
#define KS_SUBST_OPTIONAL 1 /* in ks_xnode.name_len of a KS_X_SUBST node */

/* Safety limits for hostile input. */
#define KS_BX_MAX_DEPTH 48             /* element nesting plus nested Binary XML */
#define KS_BX_MAX_NODES 200000         /* nodes per record after instantiation */
#define KS_BX_MAX_BYTES (8u << 20)     /* value bytes per record, repeated uses counted */
#define KS_REC_ARENA_LIMIT (64u << 20) /* bytes per record */

typedef struct ks_name_slot {
    uint32_t key; /* chunk offset + 1; 0 = empty */
    uint32_t gen;
    const char *name;
    uint16_t len;
    uint8_t plain;
} ks_name_slot;

/* A compiled template: its body (nodes with KS_X_SUBST slots) and what the fast
 * renderer needs to know about it. */
typedef struct ks_slot_use {
    uint32_t slot;
    uint32_t count; /* substitution nodes that use the slot */
} ks_slot_use;

typedef struct ks_tmpl {
    const ks_xnode *body;
    uint32_t nodes;          /* nodes in the body, a substitution counting one */
    const ks_slot_use *uses; /* each slot the body uses, once */
    uint32_t nuses;
    uint8_t used[32];   /* bit i: slot i (< 256) appears in the body */
    uint8_t used_high;  /* some slot >= 256 appears */
    uint8_t stable_top; /* every top-level node is an element that is always there */
} ks_tmpl;

typedef struct ks_tmpl_slot {
    uint32_t key; /* chunk offset + 1 */
    uint32_t gen;
    const ks_tmpl *tmpl; /* NULL: the template could not be compiled */
} ks_tmpl_slot;

/* A decoded Binary XML document: one template instance (the usual case: a
 * template and its values, nested Binary XML values decoded in turn), or, for
 * anything else, the node tree. */
typedef struct ks_bx_doc ks_bx_doc;
struct ks_bx_doc {
    const ks_tmpl *tmpl; /* NULL: see tree */
    const ks_value *subs;
    const ks_bx_doc *const *nested; /* per value of type Binary XML used by the template */
    uint32_t nsubs;
    const ks_xnode *tree;
    uint32_t weight; /* nodes it expands to, nested documents counted at each use */
    uint32_t bytes;  /* value bytes it writes, each value counted at each use */
};

/* A render program, compiled once per chunk for a template, an output format and
 * context, and the shape of its values (types, which are empty). */
typedef struct ks_prog ks_prog;

typedef struct ks_prog_slot {
    uint32_t hash;
    uint32_t gen;
    const ks_prog *prog;
} ks_prog_slot;

#define KS_ERRMSG_SIZE 160
#define KS_NAME_SLOTS 2048
#define KS_TMPL_SLOTS 512
#define KS_PROG_SLOTS 1024

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
    ks_prog_slot progs[KS_PROG_SLOTS];
    ks_evtx_record rec;
    const ks_bx_doc *doc; /* the current record, decoded */
    const ks_xnode *root; /* its node tree, built on demand */
    int root_built;
    ks_evtx_stats stats;
    ks_evtx_problem_fn fn;
    void *fn_ctx;
    ks_buf scratch;
    ks_buf progbuf; /* a template rendered with slot markers, while compiling */
    char errmsg[KS_ERRMSG_SIZE];
};

/* Decode the Binary XML of one record, bytes [pos, end) of the loaded chunk, into a
 * document allocated from the record arena. Everything the record refers to is
 * checked here (templates, values, nested Binary XML), so that a record returned
 * can always be rendered. `strict` also requires every value to have the type its
 * template declares (for leftover data, where a template may have been
 * overwritten). On failure returns a status and sets *err and *err_off (chunk
 * offset). */
ks_status ks_bx_record(ks_evtx_cursor *c, uint32_t pos, uint32_t end, int strict,
                       const ks_bx_doc **out, const char **err, uint32_t *err_off);

/* The node tree of a document (values filled in, nested documents spliced), from
 * the record arena; NULL if it exceeds the per-record limits. */
const ks_xnode *ks_bx_tree(ks_evtx_cursor *c, const ks_bx_doc *doc);

/* The node tree of template t with values `marks` standing for its slots. */
const ks_xnode *ks_bx_symbolic(ks_evtx_cursor *c, const ks_tmpl *t, const ks_value *marks,
                               uint32_t n);

/* Render a document with a compiled program: format 0 XML (ctx: indentation depth),
 * 1 JSON (ctx 0: a whole record, 1: members of an enclosing object). Returns
 * KS_ERR_UNSUPPORTED, with nothing written, when the document needs the node tree
 * (arrays, unusual nesting); the caller then renders the tree. */
enum { KS_FMT_XML = 0, KS_FMT_JSON = 1 };
ks_status ks_prog_render(ks_evtx_cursor *c, const ks_bx_doc *doc, int fmt, int ctx, ks_buf *out);
extern int ks_evtx_programs; /* 0 turns compiled rendering off (tests compare both) */

/* The tree renderers, shared with the program compiler. A value whose data points
 * into the compiler's marker block stands for a slot: renderers write it with
 * ks_prog_value(), and a Binary XML slot (nested document) with ks_prog_nest(). */
void ks_render_xml_nodes(ks_buf *out, const ks_xnode *n, int depth);
void ks_render_json_members(ks_buf *out, const ks_xnode *content, int *first);
extern uint8_t ks_prog_markers[];
#define KS_PROG_MARKERS (2u * 65536u) /* two per slot: the value renders empty or not */
static inline int ks_prog_slot_of(const ks_value *v) /* -1 for an ordinary value */
{
    uintptr_t d = (uintptr_t)v->data - (uintptr_t)ks_prog_markers;
    return d < KS_PROG_MARKERS ? (int)(d >> 1) : -1;
}
void ks_prog_value(ks_buf *out, const ks_value *v, ks_escape esc);
void ks_prog_nest(ks_buf *out, int slot, int ctx, const ks_xnode *siblings);
void ks_prog_unsupported(ks_buf *out);

/* Format a value, or the slot it stands for while compiling a program. */
static inline void ks_evtx_value(ks_buf *out, const ks_value *v, ks_escape esc)
{
    if (ks_prog_slot_of(v) >= 0)
        ks_prog_value(out, v, esc);
    else
        ks_value_format(out, v, esc);
}

/* A Binary XML slot while compiling a program. */
static inline int ks_is_nest(const ks_xnode *n)
{
    return n->kind == KS_X_VALUE && n->value.type == KS_VT_BINXML &&
           ks_prog_slot_of(&n->value) >= 0;
}

/* Report what is wrong with the file header (if anything) through fn. */
void ks_evtx_report_header(const ks_evtx *r, ks_evtx_problem_fn fn, void *ctx);

#endif
