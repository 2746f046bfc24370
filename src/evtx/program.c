/* Render programs: the fast way to write a record as XML or JSON.
 *
 * Records of one template differ only in their values, so a template is rendered
 * once per chunk with slot markers in place of its values, by the same tree
 * renderers that write any record, and that output is cut into literal text and
 * slot operations. A record whose values have the same shape (types, which ones
 * render empty) is then written by copying the text and formatting its values,
 * without building its node tree. Anything unusual (arrays, nested XML that is not
 * a plain list of elements) is left to the tree renderers, which stay the
 * reference: tests compare both on every shared real record. */
#include <string.h>

#include "evtx/evtx_internal.h"

uint8_t ks_prog_markers[KS_PROG_MARKERS];
int ks_evtx_programs = 1;

#define KS_PROG_MAX_SLOTS 512

enum { OP_LIT, OP_VAL, OP_NEST };

typedef struct op {
    uint8_t kind;
    uint8_t esc;
    uint16_t slot;
    uint32_t off, len;        /* OP_LIT: the text in lits */
    int ctx;                  /* OP_NEST: depth (XML) or 1 (JSON members) */
    const ks_xnode *siblings; /* OP_NEST in JSON: the enclosing object's members */
} op;

struct ks_prog {
    const ks_tmpl *tmpl;
    int fmt, ctx;
    uint32_t nsig;
    const uint8_t *sig;
    int ok; /* 0: records of this shape need the node tree */
    uint32_t nops;
    const op *ops;
    const char *lits;
};

/* --- called by the renderers while compiling --------------------------------- */

void ks_prog_value(ks_buf *out, const ks_value *v, ks_escape esc)
{
    int slot = ks_prog_slot_of(v);
    if (v->type == KS_VT_BINXML) { /* nested XML where text goes: the tree decides */
        ks_prog_unsupported(out);
        return;
    }
    if ((v->data - ks_prog_markers) & 1) return; /* a value that renders as nothing */
    char s[5] = {(char)0xff, 'V', (char)(slot & 0xff), (char)(slot >> 8), (char)esc};
    ks_buf_append(out, s, sizeof s);
}

void ks_prog_nest(ks_buf *out, int slot, int ctx, const ks_xnode *siblings)
{
    char s[8] = {(char)0xff,      'N', (char)(slot & 0xff), (char)(slot >> 8), (char)(ctx & 0xff),
                 (char)(ctx >> 8)};
    ks_buf_append(out, s, 6);
    ks_buf_append(out, &siblings, sizeof siblings);
}

void ks_prog_unsupported(ks_buf *out)
{
    ks_buf_append(out, "\xffX", 2);
}

/* --- shapes ---------------------------------------------------------------- */

static int renders_empty(const ks_value *v)
{
    if (v->size == 0) return 1;
    if (v->type == KS_VT_STRING) { /* whole UTF-16 units only, as formatting reads them */
        for (uint32_t i = 0; i + 1 < v->size; i += 2)
            if (v->data[i] | v->data[i + 1]) return 0;
        return 1;
    }
    if (v->type == KS_VT_ANSI) {
        for (uint32_t i = 0; i < v->size; i++)
            if (v->data[i]) return 0;
        return 1;
    }
    return 0;
}

/* One byte per value: its type, and 0x40 if it renders as nothing. 0 if a value
 * makes the shape unsuitable (arrays, unknown types). */
static int shape(const ks_bx_doc *d, uint8_t *sig)
{
    for (uint32_t i = 0; i < d->nsubs; i++) {
        uint8_t t = d->subs[i].type;
        if (t >= 0x40) return 0;
        sig[i] = (uint8_t)(t | (renders_empty(&d->subs[i]) ? 0x40 : 0));
    }
    return 1;
}

static uint32_t hash_shape(const ks_tmpl *t, int fmt, int ctx, const uint8_t *sig, uint32_t n)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)(uintptr_t)t;
    h = (h ^ (uint64_t)(fmt * 131 + ctx)) * 1099511628211u;
    for (uint32_t i = 0; i < n; i++) h = (h ^ sig[i]) * 1099511628211u;
    return (uint32_t)(h ^ (h >> 32));
}

/* --- compiling --------------------------------------------------------------- */

static const ks_prog *compile(ks_evtx_cursor *c, const ks_bx_doc *d, int fmt, int ctx,
                              const uint8_t *sig)
{
    ks_arena *ca = &c->chunk_arena;
    ks_prog *p = ks_arena_alloc(ca, sizeof *p);
    uint8_t *sigc = ks_arena_alloc(ca, d->nsubs ? d->nsubs : 1);
    if (!p || !sigc) return NULL;
    memcpy(sigc, sig, d->nsubs);
    *p = (ks_prog){.tmpl = d->tmpl, .fmt = fmt, .ctx = ctx, .nsig = d->nsubs, .sig = sigc};

    /* the template with markers for values, rendered by the tree renderers */
    ks_value *marks = ks_arena_alloc(&c->rec_arena, sizeof *marks * (d->nsubs ? d->nsubs : 1));
    if (!marks) return p;
    for (uint32_t i = 0; i < d->nsubs; i++)
        marks[i] = (ks_value){ks_prog_markers + 2 * i + ((sig[i] & 0x40) ? 1 : 0), d->subs[i].size,
                              d->subs[i].type};
    const ks_xnode *tree = ks_bx_symbolic(c, d->tmpl, marks, d->nsubs);
    if (!tree) return p;
    ks_buf *b = &c->progbuf;
    ks_buf_reset(b);
    if (fmt == KS_FMT_XML) {
        ks_render_xml_nodes(b, tree, ctx);
    } else {
        int first = 1;
        if (ctx == 0) ks_buf_putc(b, '{');
        ks_render_json_members(b, tree, &first);
        if (ctx == 0) ks_buf_append(b, "}\n", 2);
    }
    if (b->failed) return p;

    /* cut into operations */
    size_t nops = 1;
    for (size_t i = 0; i < b->len; i++) nops += (uint8_t)b->data[i] == 0xff ? 2 : 0;
    op *ops = ks_arena_alloc(ca, sizeof *ops * nops);
    char *lits = ks_arena_alloc(ca, b->len ? b->len : 1);
    if (!ops || !lits) return p;
    size_t k = 0, nl = 0, i = 0;
    while (i < b->len) {
        size_t j = i;
        while (j < b->len && (uint8_t)b->data[j] != 0xff) j++;
        if (j > i) {
            memcpy(lits + nl, b->data + i, j - i);
            ops[k++] = (op){.kind = OP_LIT, .off = (uint32_t)nl, .len = (uint32_t)(j - i)};
            nl += j - i;
        }
        if (j >= b->len) break;
        const uint8_t *s = (const uint8_t *)b->data + j;
        if (s[1] == 'V') {
            ops[k++] = (op){.kind = OP_VAL, .slot = (uint16_t)(s[2] | s[3] << 8), .esc = s[4]};
            i = j + 5;
        } else if (s[1] == 'N') {
            op o = {.kind = OP_NEST, .slot = (uint16_t)(s[2] | s[3] << 8), .ctx = s[4] | s[5] << 8};
            memcpy(&o.siblings, s + 6, sizeof o.siblings);
            ops[k++] = o;
            i = j + 6 + sizeof o.siblings;
        } else {
            return p; /* something only the tree renderers can write */
        }
    }
    /* the siblings a JSON nest refers to live in this record's arena: keep their
     * names only, in the chunk arena */
    for (size_t m = 0; m < k; m++) {
        if (ops[m].kind != OP_NEST || !ops[m].siblings) continue;
        size_t cnt = 0;
        for (const ks_xnode *s = ops[m].siblings; s; s = s->next) cnt += s->kind == KS_X_ELEMENT;
        ks_xnode *names = ks_arena_alloc(ca, sizeof *names * (cnt ? cnt : 1));
        if (!names) return p;
        size_t q = 0;
        for (const ks_xnode *s = ops[m].siblings; s; s = s->next)
            if (s->kind == KS_X_ELEMENT) {
                names[q] =
                    (ks_xnode){.kind = KS_X_ELEMENT, .name = s->name, .name_len = s->name_len};
                if (q) names[q - 1].next = &names[q];
                q++;
            }
        ops[m].siblings = cnt ? names : NULL;
    }
    p->ops = ops;
    p->nops = (uint32_t)k;
    p->lits = lits;
    p->ok = 1;
    return p;
}

/* --- running ----------------------------------------------------------------- */

/* The top-level nodes of a nested document, when they are a fixed, non-empty list
 * of elements (what the compiled parent assumed). */
static const ks_xnode *nested_top(const ks_bx_doc *nd)
{
    if (nd->tmpl) return nd->tmpl->stable_top ? nd->tmpl->body : NULL;
    if (!nd->tree) return NULL;
    for (const ks_xnode *n = nd->tree; n; n = n->next)
        if (n->kind != KS_X_ELEMENT) return NULL;
    return nd->tree;
}

/* Whether a nested document's top-level names meet its new siblings' (then the tree
 * renderer numbers the duplicates). Long lists are left to the tree as well. */
static int collides(const ks_xnode *top, const ks_xnode *siblings)
{
    unsigned budget = 4096;
    for (const ks_xnode *a = top; a; a = a->next)
        for (const ks_xnode *s = siblings; s; s = s->next) {
            if (!--budget) return 1;
            if (a->name_len == s->name_len && memcmp(a->name, s->name, a->name_len) == 0) return 1;
        }
    return 0;
}

static ks_status run(ks_evtx_cursor *c, const ks_prog *p, const ks_bx_doc *d, ks_buf *out)
{
    for (uint32_t i = 0; i < p->nops; i++) {
        const op *o = &p->ops[i];
        switch (o->kind) {
        case OP_LIT: ks_buf_append(out, p->lits + o->off, o->len); break;
        case OP_VAL: ks_value_format(out, &d->subs[o->slot], (ks_escape)o->esc); break;
        default: {
            const ks_bx_doc *nd = d->nested ? d->nested[o->slot] : NULL;
            const ks_xnode *top = nd ? nested_top(nd) : NULL;
            if (!top) return KS_ERR_UNSUPPORTED;
            if (p->fmt == KS_FMT_JSON && collides(top, o->siblings)) return KS_ERR_UNSUPPORTED;
            if (nd->tmpl) {
                ks_status st = ks_prog_render(c, nd, p->fmt, o->ctx, out);
                if (st) return st;
            } else if (p->fmt == KS_FMT_XML) {
                ks_render_xml_nodes(out, top, o->ctx);
            } else {
                int first = 1;
                ks_render_json_members(out, top, &first);
            }
        }
        }
    }
    return KS_OK;
}

ks_status ks_prog_render(ks_evtx_cursor *c, const ks_bx_doc *d, int fmt, int ctx, ks_buf *out)
{
    if (!d->tmpl || d->nsubs > KS_PROG_MAX_SLOTS) return KS_ERR_UNSUPPORTED;
    uint8_t sig[KS_PROG_MAX_SLOTS];
    if (!shape(d, sig)) return KS_ERR_UNSUPPORTED;
    uint32_t h = hash_shape(d->tmpl, fmt, ctx, sig, d->nsubs);
    const ks_prog *p = NULL;
    ks_prog_slot *free_slot = NULL;
    for (int probe = 0; probe < 8; probe++) {
        ks_prog_slot *s = &c->progs[(h + (uint32_t)probe) & (KS_PROG_SLOTS - 1)];
        if (s->gen != c->gen) {
            free_slot = s;
            break;
        }
        const ks_prog *q = s->prog;
        if (s->hash == h && q->tmpl == d->tmpl && q->fmt == fmt && q->ctx == ctx &&
            q->nsig == d->nsubs && memcmp(q->sig, sig, d->nsubs) == 0) {
            p = q;
            break;
        }
    }
    if (!p) {
        if (!free_slot) return KS_ERR_UNSUPPORTED; /* table crowded: the tree will do */
        p = compile(c, d, fmt, ctx, sig);
        if (!p) return KS_ERR_UNSUPPORTED;
        *free_slot = (ks_prog_slot){.hash = h, .gen = c->gen, .prog = p};
    }
    if (!p->ok) return KS_ERR_UNSUPPORTED;
    size_t mark = out->len;
    ks_status st = run(c, p, d, out);
    if (st) out->len = mark;
    return st;
}
