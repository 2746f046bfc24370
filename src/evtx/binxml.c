/* Binary XML: the token stream of an EVTX record, decoded into a node tree.
 *
 * Templates are compiled once per chunk into node trees holding substitution slots;
 * a record then only reads its substitution array and the template is copied with
 * the values filled in. Values of type Binary XML are decoded in place, so nested
 * templates disappear from the result. Every read is checked against the bytes that
 * remain, recursion is capped, and the node count per record is bounded. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx/evtx_internal.h"
#include "util/utf16.h"

typedef struct bx {
    ks_evtx_cursor *c;
    const uint8_t *ck;
    uint32_t cklen;
    ks_arena *arena;
    int tmpl_mode;    /* compiling a template: substitutions allowed */
    int strict_types; /* values must have the types their template declares */
    int symbolic;     /* values are slot markers (compiling a render program) */
    size_t nodes;
    ks_status st;
    uint32_t err_off;
    char *err; /* the cursor's message buffer */
} bx;

typedef struct list {
    ks_xnode *head, *tail;
} list;

static ks_status fail(bx *b, uint32_t off, ks_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ks_status fail(bx *b, uint32_t off, ks_status st, const char *fmt, ...)
{
    if (b->st == KS_OK) {
        b->st = st;
        b->err_off = off;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, KS_ERRMSG_SIZE, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* A node, uninitialised, within the per-record budget. */
static inline ks_xnode *alloc_node(bx *b, uint32_t off)
{
    if (++b->nodes > KS_BX_MAX_NODES) {
        fail(b, off, KS_ERR_LIMIT, "more than %d XML nodes in one record", KS_BX_MAX_NODES);
        return NULL;
    }
    ks_xnode *n = ks_arena_alloc(b->arena, sizeof *n);
    if (!n) fail(b, off, KS_ERR_LIMIT, "record needs more memory than the per-record limit");
    return n;
}

static ks_xnode *new_node(bx *b, uint8_t kind, uint32_t off)
{
    ks_xnode *n = alloc_node(b, off);
    if (n) *n = (ks_xnode){.kind = kind};
    return n;
}

static inline void append(list *l, ks_xnode *n)
{
    if (!n) return;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
    while (l->tail->next) l->tail = (ks_xnode *)l->tail->next;
}

static inline int need(bx *b, uint32_t p, uint32_t n, uint32_t end, const char *what)
{
    if (p > end || end - p < n) {
        fail(b, p, KS_ERR_TRUNCATED, "%s runs past the end of its data", what);
        return 0;
    }
    return 1;
}

/* A name stored at chunk offset `off`: 4 bytes (next name), hash, count, UTF-16
 * characters, NUL. Converted to UTF-8 once per chunk. Sets *size to the bytes the
 * structure takes (for inline names). */
/* Printable ASCII other than the characters XML or JSON escape. */
static uint8_t plain_name(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\' || ch == '<' || ch == '>' ||
            ch == '&')
            return 0;
    }
    return 1;
}

static int read_name(bx *b, uint32_t ref, uint32_t off, const char **name, uint16_t *len,
                     uint8_t *plain, uint32_t *size)
{
    ks_evtx_cursor *c = b->c;
    if (off > b->cklen || b->cklen - off < 8) {
        fail(b, ref, KS_ERR_FORMAT, "name offset 0x%x is outside the chunk", off);
        return 0;
    }
    uint32_t nch = ks_rd16(b->ck + off + 6);
    if ((b->cklen - off - 8) / 2 < nch) {
        fail(b, ref, KS_ERR_TRUNCATED, "name at 0x%x of %u characters runs past the chunk", off,
             nch);
        return 0;
    }
    *size = 8 + 2 * nch + 2;
    uint32_t h = (off * 2654435761u) >> (32 - 11);
    for (int probe = 0; probe < 8; probe++) {
        ks_name_slot *s = &c->names[(h + probe) & (KS_NAME_SLOTS - 1)];
        if (s->gen == c->gen && s->key == off + 1) {
            *name = s->name;
            *len = s->len;
            *plain = s->plain;
            return 1;
        }
        if (s->gen != c->gen) {
            ks_buf *sb = &c->scratch;
            ks_buf_reset(sb);
            ks_utf16_append(sb, b->ck + off + 8, nch, KS_ESC_NONE);
            if (sb->failed || sb->len > 0xffff) {
                fail(b, ref, KS_ERR_NOMEM, "cannot convert a name");
                return 0;
            }
            char *s8 = ks_arena_alloc(&c->chunk_arena, sb->len + 1);
            if (!s8) {
                fail(b, ref, KS_ERR_NOMEM, "out of memory for names");
                return 0;
            }
            if (sb->len) memcpy(s8, sb->data, sb->len); /* data is NULL for an empty name */
            s8[sb->len] = 0;
            s->gen = c->gen;
            s->key = off + 1;
            s->name = s8;
            s->len = (uint16_t)sb->len;
            s->plain = plain_name(s8, sb->len);
            *name = s8;
            *len = s->len;
            *plain = s->plain;
            return 1;
        }
    }
    /* table crowded: convert without caching */
    ks_buf *sb = &c->scratch;
    ks_buf_reset(sb);
    ks_utf16_append(sb, b->ck + off + 8, nch, KS_ESC_NONE);
    char *s8 = ks_arena_alloc(b->arena, sb->len + 1);
    if (!s8 || sb->failed || sb->len > 0xffff) {
        fail(b, ref, KS_ERR_NOMEM, "out of memory for names");
        return 0;
    }
    if (sb->len) memcpy(s8, sb->data, sb->len);
    s8[sb->len] = 0;
    *name = s8;
    *len = (uint16_t)sb->len;
    *plain = plain_name(s8, sb->len);
    return 1;
}

/* A name reference at *pp: 4-byte offset, and the name itself when it is stored
 * right there. */
static int name_ref(bx *b, uint32_t *pp, uint32_t end, ks_xnode *n)
{
    uint32_t p = *pp;
    if (!need(b, p, 4, end, "name reference")) return 0;
    uint32_t off = ks_rd32(b->ck + p);
    p += 4;
    uint32_t size;
    if (!read_name(b, p - 4, off, &n->name, &n->name_len, &n->name_plain, &size)) return 0;
    if (off == p) {
        if (!need(b, p, size, end, "inline name")) return 0;
        p += size;
    }
    *pp = p;
    return 1;
}

static ks_status parse_seq(bx *b, uint32_t *pp, uint32_t end, int depth, int in_element,
                           int in_subst, list *out);

/* A UTF-16 text with a 16-bit character count, as in value text, CDATA, PI data. */
static int counted_text(bx *b, uint32_t *pp, uint32_t end, ks_value *v, const char *what)
{
    uint32_t p = *pp;
    if (!need(b, p, 2, end, what)) return 0;
    uint32_t nch = ks_rd16(b->ck + p);
    p += 2;
    if (!need(b, p, 2 * nch, end, what)) return 0;
    v->data = b->ck + p;
    v->size = 2 * nch;
    v->type = KS_VT_STRING;
    *pp = p + 2 * nch;
    return 1;
}

/* One token that can appear in an attribute value or in content: value text,
 * substitution, character or entity reference. Returns 1 if consumed, 0 if the
 * token is not one of these, -1 on error. */
static int value_part(bx *b, uint32_t *pp, uint32_t end, list *out)
{
    uint32_t p = *pp;
    uint8_t tok = b->ck[p];
    ks_xnode *n;
    switch (tok) {
    case 0x05:
    case 0x45: {
        if (!need(b, p, 2, end, "value text")) return -1;
        uint8_t type = b->ck[p + 1];
        p += 2;
        if (!(n = new_node(b, KS_X_VALUE, p))) return -1;
        if (type == KS_VT_STRING) {
            if (!counted_text(b, &p, end, &n->value, "value text")) return -1;
        } else if (type == KS_VT_ANSI) {
            if (!need(b, p, 2, end, "value text")) return -1;
            uint32_t nb = ks_rd16(b->ck + p);
            p += 2;
            if (!need(b, p, nb, end, "value text")) return -1;
            n->value = (ks_value){b->ck + p, nb, KS_VT_ANSI};
            p += nb;
        } else {
            fail(b, p - 2, KS_ERR_UNSUPPORTED, "value text of type 0x%02x", type);
            return -1;
        }
        break;
    }
    case 0x0d:
    case 0x0e: {
        if (!b->tmpl_mode) {
            fail(b, p, KS_ERR_FORMAT, "substitution token outside a template");
            return -1;
        }
        if (!need(b, p, 4, end, "substitution")) return -1;
        if (!(n = new_node(b, KS_X_SUBST, p))) return -1;
        n->ch = ks_rd16(b->ck + p + 1);
        n->value.type = b->ck[p + 3];
        n->name_len = tok == 0x0e ? KS_SUBST_OPTIONAL : 0;
        p += 4;
        break;
    }
    case 0x08:
    case 0x48:
        if (!need(b, p, 3, end, "character reference")) return -1;
        if (!(n = new_node(b, KS_X_CHARREF, p))) return -1;
        n->ch = ks_rd16(b->ck + p + 1);
        p += 3;
        break;
    case 0x09:
    case 0x49:
        if (!(n = new_node(b, KS_X_ENTITY, p))) return -1;
        p += 1;
        if (!name_ref(b, &p, end, n)) return -1;
        break;
    default: return 0;
    }
    append(out, n);
    *pp = p;
    return 1;
}

/* Whether a plausible element layout has its name offset field at p: either the
 * name follows right after it, or it refers back to a name earlier in the chunk. */
static int name_field_plausible(const bx *b, uint32_t p, uint32_t end)
{
    if (p > end || end - p < 4) return 0;
    uint32_t off = ks_rd32(b->ck + p);
    if (off == p + 4) return 1;
    return off >= 512 && off < p && b->cklen - off >= 8 &&
           (b->cklen - off - 8) / 2 >= ks_rd16(b->ck + off + 6);
}

/* An element start normally carries a 2-byte dependency identifier, except inside
 * Binary XML substitution values; some writers leave it out elsewhere too, so when
 * the expected layout does not hold and the other one does, the other one wins.
 * p is just after the token. */
static int has_dependency_id(const bx *b, uint32_t p, uint32_t end, int expected)
{
    int with = name_field_plausible(b, p + 6, end);
    int without = name_field_plausible(b, p + 4, end);
    if (expected) return with || !without;
    return !without && with;
}

static ks_status parse_element(bx *b, uint32_t *pp, uint32_t end, int depth, int in_subst,
                               list *out)
{
    uint32_t p = *pp;
    if (depth > KS_BX_MAX_DEPTH)
        return fail(b, p, KS_ERR_LIMIT, "elements nested more than %d deep", KS_BX_MAX_DEPTH);
    uint8_t tok = b->ck[p++];
    if (has_dependency_id(b, p, end, !in_subst)) p += 2;
    if (!need(b, p, 4, end, "element start")) return b->st;
    p += 4; /* data size */
    ks_xnode *el = new_node(b, KS_X_ELEMENT, p);
    if (!el || !name_ref(b, &p, end, el)) return b->st;
    list kids = {0};
    if (tok & 0x40) {
        if (!need(b, p, 4, end, "attribute list")) return b->st;
        p += 4;
        while (p < end && (b->ck[p] & 0x1f) == 0x06) {
            ks_xnode *at = new_node(b, KS_X_ATTR, p);
            p++;
            if (!at || !name_ref(b, &p, end, at)) return b->st;
            list parts = {0};
            int r;
            while (p < end && (r = value_part(b, &p, end, &parts)) == 1) {
            }
            if (b->st) return b->st;
            at->child = parts.head;
            append(&kids, at);
        }
    }
    if (!need(b, p, 1, end, "element")) return b->st;
    tok = b->ck[p++];
    if (tok == 0x02) {
        list content = {0};
        if (parse_seq(b, &p, end, depth + 1, 1, in_subst, &content)) return b->st;
        if (content.head) append(&kids, content.head);
    } else if (tok != 0x03) {
        return fail(b, p - 1, KS_ERR_FORMAT, "token 0x%02x where an element start should close",
                    tok);
    }
    el->child = kids.head;
    append(out, el);
    *pp = p;
    return KS_OK;
}

static const ks_tmpl *get_template(bx *b, uint32_t off);
static ks_status instantiate(bx *b, const ks_xnode *t, const ks_xnode *stop, const ks_bx_doc *doc,
                             int depth, list *out);
static ks_status inst_doc(bx *b, const ks_bx_doc *doc, int depth, list *out);
static ks_status parse_doc(bx *b, uint32_t p, uint32_t end, int depth, int in_subst,
                           const ks_bx_doc **out);

static inline int slot_used(const ks_tmpl *t, uint32_t i)
{
    return i < 256 ? (t->used[i >> 3] >> (i & 7)) & 1 : t->used_high;
}

/* What a template instance expands to: nodes (the body's, plus at each use of a
 * nested document all of its own) and value bytes (each value at each use). */
static void expansion(const ks_tmpl *t, const ks_value *subs, const ks_bx_doc *const *nested,
                      uint32_t nsubs, size_t *nodes, uint64_t *bytes)
{
    size_t w = t->nodes;
    uint64_t sz = 0;
    for (uint32_t i = 0; i < t->nuses; i++) {
        const ks_slot_use *u = &t->uses[i];
        if (u->slot >= nsubs) continue;
        const ks_bx_doc *nd = nested ? nested[u->slot] : NULL;
        if (nd) {
            w += (size_t)u->count * nd->weight - u->count;
            sz += (uint64_t)u->count * nd->bytes;
        } else {
            sz += (uint64_t)u->count * subs[u->slot].size;
        }
    }
    *nodes = w;
    *bytes = sz;
}

/* A template instance at *pp: the template (compiled once per chunk), its values,
 * and the Binary XML values the template uses, decoded in turn. */
static ks_status parse_ti(bx *b, uint32_t *pp, uint32_t end, int depth, const ks_bx_doc **out)
{
    uint32_t p = *pp + 1;
    if (b->tmpl_mode) return fail(b, *pp, KS_ERR_FORMAT, "template instance inside a template");
    if (depth > KS_BX_MAX_DEPTH)
        return fail(b, p, KS_ERR_LIMIT, "templates nested more than %d deep", KS_BX_MAX_DEPTH);
    if (!need(b, p, 9, end, "template instance")) return b->st;
    uint32_t def = ks_rd32(b->ck + p + 5);
    p += 9;
    if (def == p) { /* the definition follows inline */
        if (!need(b, p, 24, end, "template definition")) return b->st;
        uint32_t dsize = ks_rd32(b->ck + p + 20);
        p += 24;
        if (!need(b, p, dsize, end, "template definition")) return b->st;
        p += dsize;
    }
    const ks_tmpl *t = get_template(b, def);
    if (!t) return b->st;
    if (!need(b, p, 4, end, "substitution array")) return b->st;
    uint32_t n = ks_rd32(b->ck + p);
    p += 4;
    if (n > (end - p) / 4)
        return fail(b, p - 4, KS_ERR_FORMAT, "%u substitution values do not fit the record", n);
    const uint8_t *desc = b->ck + p;
    p += 4 * n;
    ks_bx_doc *d = ks_arena_alloc(b->arena, sizeof *d);
    ks_value *subs = n ? ks_arena_alloc(b->arena, sizeof *subs * n) : NULL;
    if (!d || (n && !subs)) return fail(b, p, KS_ERR_LIMIT, "too many substitution values");
    const ks_bx_doc **nested = NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size = ks_rd16(desc + 4 * i);
        if (!need(b, p, size, end, "substitution value")) return b->st;
        subs[i] = (ks_value){b->ck + p, size, desc[4 * i + 2]};
        if (subs[i].type == KS_VT_BINXML && slot_used(t, i)) {
            if (!nested) {
                nested = ks_arena_alloc(b->arena, sizeof *nested * n);
                if (!nested) return fail(b, p, KS_ERR_LIMIT, "too many substitution values");
                memset(nested, 0, sizeof *nested * n);
            }
            if (parse_doc(b, p, p + size, depth + 1, 1, &nested[i])) return b->st;
        }
        p += size;
    }
    *d = (ks_bx_doc){.tmpl = t, .subs = subs, .nested = nested, .nsubs = n};
    /* a value or nested document used several times is written at each use, and so
     * on down: bound what the record expands to before anything renders it */
    size_t w;
    uint64_t bytes;
    expansion(t, subs, nested, n, &w, &bytes);
    if (w + 1 > KS_BX_MAX_NODES)
        return fail(b, *pp, KS_ERR_LIMIT, "Binary XML expands to more than %d XML nodes",
                    KS_BX_MAX_NODES);
    if (bytes > KS_BX_MAX_BYTES)
        return fail(b, *pp, KS_ERR_LIMIT, "values repeated to more than %u MiB in one record",
                    KS_BX_MAX_BYTES >> 20);
    d->weight = (uint32_t)(w + 1);
    d->bytes = (uint32_t)bytes;
    *out = d;
    *pp = p;
    return KS_OK;
}

/* A template instance inside other content: decoded and instantiated at once. */
static ks_status parse_template_instance(bx *b, uint32_t *pp, uint32_t end, int depth, list *out)
{
    const ks_bx_doc *d = NULL;
    if (parse_ti(b, pp, end, depth, &d)) return b->st;
    return inst_doc(b, d, depth + 1, out);
}

static ks_status parse_seq(bx *b, uint32_t *pp, uint32_t end, int depth, int in_element,
                           int in_subst, list *out)
{
    uint32_t p = *pp;
    ks_xnode *last_pi = NULL;
    while (p < end) {
        uint8_t tok = b->ck[p];
        switch (tok) {
        case 0x00: /* end of fragment */
            if (in_element) return fail(b, p, KS_ERR_FORMAT, "end of data inside an element");
            *pp = p + 1;
            return KS_OK;
        case 0x0f:
            if (!need(b, p, 4, end, "fragment header")) return b->st;
            p += 4;
            continue;
        case 0x01:
        case 0x41:
            if (parse_element(b, &p, end, depth, in_subst, out)) return b->st;
            continue;
        case 0x04:
            if (!in_element) return fail(b, p, KS_ERR_FORMAT, "end element outside an element");
            *pp = p + 1;
            return KS_OK;
        case 0x07:
        case 0x47: {
            p++;
            ks_xnode *n = new_node(b, KS_X_CDATA, p);
            if (!n || !counted_text(b, &p, end, &n->value, "CDATA section")) return b->st;
            append(out, n);
            continue;
        }
        case 0x0a: {
            p++;
            ks_xnode *n = new_node(b, KS_X_PI, p);
            if (!n || !name_ref(b, &p, end, n)) return b->st;
            append(out, n);
            last_pi = n;
            continue;
        }
        case 0x0b: {
            p++;
            ks_xnode *n = last_pi;
            if (!n) {
                if (!(n = new_node(b, KS_X_PI, p))) return b->st;
                append(out, n);
            }
            if (!counted_text(b, &p, end, &n->value, "PI data")) return b->st;
            last_pi = NULL;
            continue;
        }
        case 0x0c:
            if (parse_template_instance(b, &p, end, depth, out)) return b->st;
            continue;
        default: {
            int r = value_part(b, &p, end, out);
            if (r < 0) return b->st;
            if (r == 0) return fail(b, p, KS_ERR_FORMAT, "unknown Binary XML token 0x%02x", tok);
            continue;
        }
        }
    }
    if (in_element) return fail(b, p, KS_ERR_TRUNCATED, "element not closed before its data ends");
    *pp = p;
    return KS_OK;
}

/* Record which slots a template body uses and its node count; uses gets one entry
 * per substitution node, merged by finish_uses. */
static void mark_used(ks_tmpl *t, ks_slot_use *uses, uint32_t cap, const ks_xnode *n, int depth)
{
    for (; n && depth < 2 * KS_BX_MAX_DEPTH; n = n->next) {
        t->nodes++;
        if (n->kind == KS_X_SUBST) {
            if (n->ch < 256)
                t->used[n->ch >> 3] |= (uint8_t)(1u << (n->ch & 7));
            else
                t->used_high = 1;
            if (t->nuses < cap) uses[t->nuses++] = (ks_slot_use){n->ch, 1};
        }
        mark_used(t, uses, cap, n->child, depth + 1);
    }
}

static int by_slot(const void *a, const void *b)
{
    uint32_t x = ((const ks_slot_use *)a)->slot, y = ((const ks_slot_use *)b)->slot;
    return (x > y) - (x < y);
}

/* Sort the uses by slot and merge them into one entry per slot with its count. */
static void finish_uses(ks_tmpl *t, ks_slot_use *uses)
{
    if (!t->nuses) return;
    qsort(uses, t->nuses, sizeof *uses, by_slot);
    uint32_t k = 0;
    for (uint32_t i = 1; i < t->nuses; i++) {
        if (uses[i].slot == uses[k].slot)
            uses[k].count++;
        else
            uses[++k] = uses[i];
    }
    t->nuses = k + 1;
}

static uint32_t count_subst(const ks_xnode *n, int depth)
{
    uint32_t k = 0;
    for (; n && depth < 2 * KS_BX_MAX_DEPTH; n = n->next)
        k += (n->kind == KS_X_SUBST) + count_subst(n->child, depth + 1);
    return k;
}

/* An element that instantiation never leaves out or repeats: one with attributes,
 * or whose content is not a lone substitution. */
static int always_there(const ks_xnode *el)
{
    const ks_xnode *c = el->child;
    if (c && c->kind == KS_X_ATTR) return 1;
    return !(c && c->kind == KS_X_SUBST && !c->next);
}

/* The compiled template whose definition is at chunk offset `off` (next-offset,
 * GUID, data size, then the fragment). Compiled at most once per chunk. */
static const ks_tmpl *get_template(bx *b, uint32_t off)
{
    ks_evtx_cursor *c = b->c;
    uint32_t h = (off * 2654435761u) >> (32 - 9);
    ks_tmpl_slot *slot = NULL;
    for (int probe = 0; probe < 8; probe++) {
        ks_tmpl_slot *s = &c->tmpls[(h + probe) & (KS_TMPL_SLOTS - 1)];
        if (s->gen == c->gen && s->key == off + 1) {
            if (!s->tmpl) fail(b, off, KS_ERR_FORMAT, "template at 0x%x could not be decoded", off);
            return s->tmpl;
        }
        if (s->gen != c->gen) {
            slot = s;
            break;
        }
    }
    bx tb = {.c = c,
             .ck = b->ck,
             .cklen = b->cklen,
             .arena = &c->chunk_arena,
             .tmpl_mode = 1,
             .err = b->err};
    list l = {0};
    if (off > b->cklen || b->cklen - off < 24) {
        fail(&tb, off, KS_ERR_FORMAT, "definition offset 0x%x is outside the chunk", off);
    } else {
        uint32_t dsize = ks_rd32(b->ck + off + 20);
        uint32_t p = off + 24;
        if (dsize > b->cklen - p) {
            fail(&tb, off, KS_ERR_TRUNCATED, "definition of %u bytes runs past the chunk", dsize);
        } else {
            parse_seq(&tb, &p, p + dsize, 0, 0, 0, &l);
            if (!tb.st && !l.head) fail(&tb, off, KS_ERR_FORMAT, "empty template definition");
        }
    }
    ks_tmpl *t = NULL;
    if (!tb.st) {
        t = ks_arena_alloc(&c->chunk_arena, sizeof *t);
        if (!t) fail(&tb, off, KS_ERR_NOMEM, "out of memory for templates");
    }
    uint32_t nsubst = t ? count_subst(l.head, 0) : 0;
    ks_slot_use *uses = nsubst ? ks_arena_alloc(&c->chunk_arena, sizeof *uses * nsubst) : NULL;
    if (nsubst && !uses) {
        fail(&tb, off, KS_ERR_NOMEM, "out of memory for templates");
        t = NULL;
    }
    if (t) {
        *t = (ks_tmpl){.body = l.head, .stable_top = 1, .uses = uses};
        mark_used(t, uses, nsubst, l.head, 0);
        finish_uses(t, uses);
        for (const ks_xnode *n = l.head; n; n = n->next)
            t->stable_top &= n->kind == KS_X_ELEMENT && always_there(n);
    }
    if (slot) {
        slot->gen = c->gen;
        slot->key = off + 1;
        slot->tmpl = t;
    }
    if (tb.st) {
        b->st = tb.st;
        b->err_off = tb.err_off;
        return NULL;
    }
    return t;
}

/* Whether a value of type `actual` may fill a slot declared `declared`: the same
 * type, SizeT filled by a hex integer, or an array slot filled by one item. */
static int type_fits(uint8_t declared, uint8_t actual)
{
    if (declared == actual) return 1;
    uint8_t d = declared & 0x7f, a = actual & 0x7f;
    if ((actual & KS_VT_ARRAY) && !(declared & KS_VT_ARRAY)) return 0;
    if (d == a) return 1;
    return d == KS_VT_SIZET && (a == KS_VT_HEX32 || a == KS_VT_HEX64);
}

/* Copy one template element, its attributes instantiated, with `content` (if any)
 * as its only content. */
static ks_status element_with(bx *b, const ks_xnode *t, const ks_xnode *first_content,
                              const ks_bx_doc *doc, int depth, const ks_value *content, list *out)
{
    ks_xnode *n = alloc_node(b, 0);
    if (!n) return b->st;
    *n = *t;
    n->next = n->child = NULL;
    list kids = {0};
    if (instantiate(b, t->child, first_content, doc, depth + 1, &kids)) return b->st;
    if (content) {
        ks_xnode *v = new_node(b, KS_X_VALUE, 0);
        if (!v) return b->st;
        v->value = *content;
        append(&kids, v);
    }
    n->child = kids.head;
    append(out, n);
    return KS_OK;
}

/* A copy of a node list (a nested document used more than once). */
static ks_status copy_nodes(bx *b, const ks_xnode *n, int depth, list *out)
{
    if (depth > 2 * KS_BX_MAX_DEPTH) return fail(b, 0, KS_ERR_LIMIT, "nodes nested too deep");
    for (; n; n = n->next) {
        ks_xnode *m = alloc_node(b, 0);
        if (!m) return b->st;
        *m = *n;
        m->next = m->child = NULL;
        list kids = {0};
        if (n->child && copy_nodes(b, n->child, depth + 1, &kids)) return b->st;
        m->child = kids.head;
        append(out, m);
    }
    return KS_OK;
}

/* The nodes of a document, appended to out. */
static ks_status inst_doc(bx *b, const ks_bx_doc *doc, int depth, list *out)
{
    if (!doc->tmpl) return copy_nodes(b, doc->tree, depth, out);
    return instantiate(b, doc->tmpl->body, NULL, doc, depth, out);
}

/* Copy the template nodes from t up to (not including) stop, filling substitutions
 * from the document's values. Following Windows' rendering rules: an attribute or
 * element whose only content is an optional substitution without a value is left
 * out, and an element whose content is an array is repeated once per item. */
static ks_status instantiate(bx *b, const ks_xnode *t, const ks_xnode *stop, const ks_bx_doc *doc,
                             int depth, list *out)
{
    if (depth > KS_BX_MAX_DEPTH)
        return fail(b, 0, KS_ERR_LIMIT, "templates nested more than %d deep", KS_BX_MAX_DEPTH);
    const ks_value *subs = doc->subs;
    uint32_t nsubs = doc->nsubs;
    for (; t && t != stop; t = t->next) {
        if (t->kind == KS_X_SUBST) {
            if (t->ch >= nsubs) continue; /* no value given: nothing to show */
            const ks_value *v = &subs[t->ch];
            if (v->type == KS_VT_NULL) continue;
            if (b->strict_types && !type_fits(t->value.type, v->type))
                return fail(b, (uint32_t)(v->data - b->ck), KS_ERR_FORMAT,
                            "value %u has type 0x%02x where its template expects 0x%02x", t->ch,
                            v->type, t->value.type);
            if (v->type == KS_VT_BINXML && !b->symbolic) {
                const ks_bx_doc *nd = doc->nested ? doc->nested[t->ch] : NULL;
                if (nd && inst_doc(b, nd, depth + 1, out)) return b->st;
                continue;
            }
            ks_xnode *n = alloc_node(b, 0);
            if (!n) return b->st;
            *n = (ks_xnode){.kind = KS_X_VALUE, .value = *v};
            append(out, n);
            continue;
        }
        if (t->kind == KS_X_ELEMENT) {
            const ks_xnode *tc = t->child;
            while (tc && tc->kind == KS_X_ATTR) tc = tc->next;
            if (tc && tc->kind == KS_X_SUBST && !tc->next && tc->ch < nsubs) {
                const ks_value *v = &subs[tc->ch];
                if (v->type == KS_VT_NULL && (tc->name_len & KS_SUBST_OPTIONAL) && tc == t->child)
                    continue;
                if ((v->type & KS_VT_ARRAY) && (v->type & 0x7f) != KS_VT_BINXML) {
                    if (b->strict_types && !type_fits(tc->value.type, v->type))
                        return fail(b, (uint32_t)(v->data - b->ck), KS_ERR_FORMAT,
                                    "value %u has type 0x%02x where its template expects 0x%02x",
                                    tc->ch, v->type, tc->value.type);
                    ks_value item;
                    uint32_t i = 0;
                    for (; ks_value_item(v, i, &item); i++)
                        if (element_with(b, t, tc, doc, depth, &item, out)) return b->st;
                    if (i == 0 && element_with(b, t, tc, doc, depth, NULL, out)) return b->st;
                    continue;
                }
            }
        }
        ks_xnode *n = alloc_node(b, 0);
        if (!n) return b->st;
        *n = *t;
        n->next = NULL;
        if (t->child && (t->kind == KS_X_ELEMENT || t->kind == KS_X_ATTR)) {
            list kids = {0};
            if (instantiate(b, t->child, NULL, doc, depth + 1, &kids)) return b->st;
            n->child = kids.head;
            /* an attribute whose optional substitution has no value is left out */
            if (t->kind == KS_X_ATTR && !kids.head) {
                int optional = 0;
                for (const ks_xnode *k = t->child; k; k = k->next)
                    optional |= k->kind == KS_X_SUBST && (k->name_len & KS_SUBST_OPTIONAL);
                if (optional) continue;
            }
        }
        append(out, n);
    }
    return KS_OK;
}

/* A Binary XML document in [p, end): a single template instance is kept as such;
 * anything else is decoded into nodes. */
static ks_status parse_doc(bx *b, uint32_t p, uint32_t end, int depth, int in_subst,
                           const ks_bx_doc **out)
{
    uint32_t start = p;
    size_t nodes = b->nodes;
    list l = {0};
    while (p < end && b->ck[p] == 0x0f && end - p >= 4) p += 4; /* fragment headers */
    if (p < end && b->ck[p] == 0x0c && !b->strict_types) {
        const ks_bx_doc *d = NULL;
        if (parse_ti(b, &p, end, depth, &d)) return b->st;
        if (p >= end || b->ck[p] == 0x00) { /* nothing else but the end */
            *out = d;
            return KS_OK;
        }
        /* more follows: the instance's nodes, then the rest (decoding the instance
         * again would double the work at every level of nesting) */
        if (inst_doc(b, d, depth + 1, &l)) return b->st;
        start = p;
    }
    /* the general case: nodes */
    p = start;
    if (parse_seq(b, &p, end, depth, 0, in_subst, &l)) return b->st;
    ks_bx_doc *d = ks_arena_alloc(b->arena, sizeof *d);
    if (!d) return fail(b, p, KS_ERR_LIMIT, "record needs more memory than the per-record limit");
    *d = (ks_bx_doc){
        .tree = l.head, .weight = (uint32_t)(1 + b->nodes - nodes), .bytes = end - start};
    *out = d;
    return KS_OK;
}

ks_status ks_bx_record(ks_evtx_cursor *c, uint32_t pos, uint32_t end, int strict,
                       const ks_bx_doc **out, const char **err, uint32_t *err_off)
{
    bx b = {.c = c,
            .ck = c->ck,
            .cklen = c->cklen,
            .arena = &c->rec_arena,
            .err = c->errmsg,
            .strict_types = strict};
    const ks_bx_doc *d = NULL;
    parse_doc(&b, pos, end, 0, 0, &d);
    if (!b.st && !d->tmpl && !d->tree) fail(&b, pos, KS_ERR_FORMAT, "record holds no XML");
    if (b.st) {
        *err = c->errmsg;
        *err_off = b.err_off;
        return b.st;
    }
    *out = d;
    return KS_OK;
}

const ks_xnode *ks_bx_tree(ks_evtx_cursor *c, const ks_bx_doc *doc)
{
    if (!doc->tmpl) return doc->tree;
    bx b = {.c = c, .ck = c->ck, .cklen = c->cklen, .arena = &c->rec_arena, .err = c->errmsg};
    list l = {0};
    if (instantiate(&b, doc->tmpl->body, NULL, doc, 1, &l)) return NULL;
    return l.head;
}

/* The node tree of a template with slot markers for values (for the program
 * compiler): a value of type Binary XML becomes a marker node in place. */
const ks_xnode *ks_bx_symbolic(ks_evtx_cursor *c, const ks_tmpl *t, const ks_value *marks,
                               uint32_t n)
{
    bx b = {.c = c,
            .ck = c->ck,
            .cklen = c->cklen,
            .arena = &c->rec_arena,
            .err = c->errmsg,
            .symbolic = 1};
    ks_bx_doc d = {.tmpl = t, .subs = marks, .nsubs = n};
    list l = {0};
    if (instantiate(&b, t->body, NULL, &d, 1, &l)) return NULL;
    return l.head;
}
