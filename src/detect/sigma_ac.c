/* Literal strings of all rules found together: every plain (not cased, no wildcard)
 * equals / contains / startswith / endswith value is one literal, shared by the rules
 * that use it, and the literals of one field make one trie, looked up once per event
 * over the field's text (A-Z folded to a-z as it goes). A rule's pattern is then one
 * lookup, whatever the number of rules (Sigma's process_creation rules are ~1,200).
 *
 * The text is walked down the trie from each position where a literal may start: a
 * filter of the literals' first one to four bytes (a few bitsets that stay in cache)
 * says where, or, when every literal is long, a filter of grams sampled every few
 * bytes; startswith and equals literals are only tried at the start. A walk that
 * reaches a literal's node found it: contains anywhere, endswith and equals when the
 * walk is at the last byte; a chain of nodes without literals is one label compared
 * eight bytes at a time. The keywords of each rule that has some make a trie of their
 * own, searched in every field of the events the rule reads, UTF-16 text straight
 * from the record when it is ASCII. */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "detect/sigma_internal.h"
#include "kensa/value.h"

typedef struct acnode {
    /* while building: first child, next sibling (node index; 0: none). Once compact,
     * a node with a label (lablen bytes at lab[laboff]) is followed by a chain of
     * nodes with one child and no literal: the walk compares the label with the text
     * and goes on at labend, the chain's last node. */
    union {
        uint32_t first, labend;
    };
    union {
        uint32_t next, laboff;
    };
    uint32_t outc, outs, oute, outq; /* first contains / startswith / endswith / equals
                                        literal ending here, + 1 (0: none) */
    uint16_t depth;                  /* bytes from the root (literals are at most 4096 bytes) */
    uint8_t byte, lablen;
} acnode;

#define SG_AC_FILTER_BITS 16 /* the two- and three-byte filters: 2^16 bits each */
#define SG_AC_GRAMS 4        /* pairs: the text is sampled at most every fourth byte */
#define SG_AC_GRAMS3 8       /* three-byte grams: at most every eighth byte */
#define SG_AC_FOUR_BITS 17
#define SG_AC_GRAM3_BITS 2048 /* ... while literals * stride stays below this */

typedef struct fac {
    acnode *nodes; /* 0 is the root */
    uint32_t n, cap;
    uint32_t root_next[256];
    /* for matching. Nodes are numbered so that the root, every node up to
     * SG_AC_ROW_DEPTH bytes deep and every node with many children come first (ids
     * below rows): each has a full row of children by byte class,
     * dense[s * ncls + cls[byte]] (0: none). The children of another node are
     * cbyte/cto[cs[s] .. cs[s + 1]), sorted. */
    uint32_t *cs;
    uint32_t rows;
    uint32_t *cto, *dense;
    uint8_t *cbyte, *lab;
    uint8_t cls[256]; /* byte -> class: 0 for bytes in no literal; A-Z as a-z */
    uint32_t ncls;
    /* where a contains / endswith literal may start: its first two bytes (pair; a
     * one-byte literal with every second byte), then either it is that short (short2)
     * or a hash of its first three bytes is in three. 2^16 bits each. */
    uint8_t *pair, *short2, *three;
    /* when the text is not sampled: the three-byte literals (short3: hashes of them)
     * and a hash of the first four bytes of the longer ones (four, 2^SG_AC_FOUR_BITS
     * bits), so that a start needs its four bytes to be a literal's */
    uint8_t *short3, *four;
    bool anchored; /* it has startswith / equals literals: the start is always tried */
    /* when every contains / endswith literal has at least 4 bytes (minlen), the text
     * is sampled every stride bytes: the bitset gram holds the grams (byte pairs, or
     * with gram3 hashes of three bytes) at offsets 0 .. stride - 1 of each literal, so
     * a literal at s shows at the sampled j in s .. s + stride - 1. Pairs: stride =
     * min(minlen - 1, SG_AC_GRAMS); three bytes (when minlen >= 5 and few literals):
     * min(minlen - 2, SG_AC_GRAMS3). stride 0: every byte is a possible start. */
    uint32_t minlen, nlits, stride;
    uint32_t minall; /* the shortest literal of any op: shorter text holds none */
    bool gram3;
    uint8_t *gram;
    /* no literal is made only of bytes of hex_text (so none can be in the text of a
     * number, GUID, SID or binary value) */
    bool no_hex;
} fac;

#define SG_AC_DENSE_MIN 8 /* children from which a node gets a full row */
#define SG_AC_ROW_DEPTH 1 /* nodes this close to the root all get one */

typedef struct lit {
    uint32_t field, n, hash, next_out; /* next_out: next literal of the same node, + 1 */
    uint8_t op;
    const char *s;
} lit;

typedef struct acset {
    fac **byfield; /* per automaton id */
    uint32_t nfields, nauto;
    lit *lits;
    uint32_t nlits, cap;
    uint32_t *slots, nslots;   /* literal id + 1 */
    uint32_t *gstart, *grules; /* rules gated by each literal: grules[gstart[l] .. gstart[l+1]) */
    uint32_t *itemlits;        /* the items' lits arrays */
} acset;

/* Call fn for every item of every rule. */
static void each_item(ks_sigma_rules *r, void (*fn)(sg_rule *rule, sg_item *it, void *ctx),
                      void *ctx)
{
    for (size_t ri = 0; ri < r->nrules; ri++) {
        sg_rule *rule = r->rules[ri];
        for (uint32_t s = 0; s < rule->nsels; s++)
            for (uint32_t al = 0; al < rule->sels[s].nalts; al++)
                for (uint32_t k = 0; k < rule->sels[s].alts[al].nitems; k++)
                    fn(rule, &rule->sels[s].alts[al].items[k], ctx);
    }
}

static void item_unlink(sg_rule *rule, sg_item *it, void *ctx)
{
    (void)rule;
    (void)ctx;
    it->lits = NULL;
    it->nlit = 0;
}

static void item_count(sg_rule *rule, sg_item *it, void *ctx)
{
    (void)rule;
    *(size_t *)ctx += it->npats;
}

static void item_link(sg_rule *rule, sg_item *it, void *ctx)
{
    uint32_t **next = ctx;
    (void)rule;
    uint32_t k = 0, *v = *next;
    for (uint32_t p = 0; p < it->npats; p++)
        if (it->pats[p].lit) { /* ascending, for a binary search */
            uint32_t j = k++;
            for (; j && v[j - 1] > it->pats[p].lit; j--) v[j] = v[j - 1];
            v[j] = it->pats[p].lit;
        }
    it->nlit = k;
    for (uint32_t p = 0; p < it->npats; p++)
        if (!it->pats[p].lit) (*next)[k++] = p;
    it->lits = *next;
    *next += it->npats;
}

void sg_ac_free(ks_sigma_rules *r)
{
    acset *a = r->ac;
    if (!a) return;
    for (uint32_t i = 0; a->byfield && i < a->nauto; i++)
        if (a->byfield[i]) {
            fac *f = a->byfield[i];
            free(f->nodes);
            free(f->cs);
            free(f->pair);
            free(f->short2);
            free(f->three);
            free(f->short3);
            free(f->four);
            free(f->gram);
            free(f->cto);
            free(f->dense);
            free(f->cbyte);
            free(f->lab);
            free(f);
        }
    free(a->byfield);
    free(a->lits);
    free(a->slots);
    free(a->gstart);
    free(a->grules);
    each_item(r, item_unlink, NULL);
    free(a->itemlits);
    free(a);
    r->ac = NULL;
    r->nlits = 0;
    r->nauto = 0;
}

bool sg_ac_has(const ks_sigma_rules *r, uint32_t field)
{
    const acset *a = r->ac;
    return a && field < a->nfields && a->byfield[field];
}

static int grow_slots(acset *a)
{
    uint32_t cap = a->nslots ? a->nslots * 2 : 4096;
    uint32_t *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (uint32_t i = 0; i < a->nlits; i++) {
        uint32_t j = a->lits[i].hash & (cap - 1);
        while (s[j]) j = (j + 1) & (cap - 1);
        s[j] = i + 1;
    }
    free(a->slots);
    a->slots = s;
    a->nslots = cap;
    return 0;
}

/* The id of (field, op, s), added if new; UINT32_MAX when out of memory. */
static uint32_t lit_intern(acset *a, uint32_t field, uint8_t op, const char *s, uint32_t n)
{
    uint32_t h = sg_hash(s, n) ^ (field * 2654435761u) ^ ((uint32_t)op << 29);
    if ((a->nlits + 1) * 2 > a->nslots && grow_slots(a) != 0) return UINT32_MAX;
    uint32_t j = h & (a->nslots - 1);
    for (; a->slots[j]; j = (j + 1) & (a->nslots - 1)) {
        const lit *l = &a->lits[a->slots[j] - 1];
        if (l->hash == h && l->field == field && l->op == op && l->n == n && !memcmp(l->s, s, n))
            return a->slots[j] - 1;
    }
    if (a->nlits == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 1024;
        lit *v = realloc(a->lits, cap * sizeof *v);
        if (!v) return UINT32_MAX;
        a->lits = v;
        a->cap = cap;
    }
    a->lits[a->nlits] = (lit){field, n, h, 0, op, s};
    a->slots[j] = a->nlits + 1;
    return a->nlits++;
}

static uint32_t child(const fac *f, uint32_t s, uint8_t c)
{
    if (s == 0) return f->root_next[c];
    for (uint32_t k = f->nodes[s].first; k; k = f->nodes[k].next)
        if (f->nodes[k].byte == c) return k;
    return 0;
}

static uint32_t new_node(fac *f, uint8_t c)
{
    if (f->n == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 64;
        acnode *v = realloc(f->nodes, cap * sizeof *v);
        if (!v) return 0;
        f->nodes = v;
        f->cap = cap;
    }
    f->nodes[f->n] = (acnode){.byte = c};
    return f->n++;
}

static const uint8_t fold_tab[256] = {
    /* A-Z to a-z */
    0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,  14,  15,  16,  17,  18,
    19,  20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,
    38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,  56,
    57,  58,  59,  60,  61,  62,  63,  64,  97,  98,  99,  100, 101, 102, 103, 104, 105, 106, 107,
    108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 91,  92,  93,  94,
    95,  96,  97,  98,  99,  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113,
    114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132,
    133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151,
    152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170,
    171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
    190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208,
    209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227,
    228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246,
    247, 248, 249, 250, 251, 252, 253, 254, 255,
};

static inline uint8_t fold(uint8_t c)
{
    return fold_tab[c];
}

/* A hash of three bytes held as a << 16 | b << 8 | c. */
static inline uint32_t hash3(uint32_t abc)
{
    return (abc * 0x9e3779b1u) >> (32 - SG_AC_FILTER_BITS);
}

/* A hash of four bytes held as a << 24 | b << 16 | c << 8 | d. */
static inline uint32_t hash4(uint32_t abcd)
{
    return (abcd * 0x85ebca6bu) >> (32 - SG_AC_FOUR_BITS);
}

#define BIT_SET(v, i) ((v)[(i) >> 3] |= (uint8_t)(1u << ((i)&7)))
#define BIT_GET(v, i) ((v)[(i) >> 3] & (1u << ((i)&7)))

/* Note where literal l may start (startswith / equals: only at the start). */
static int filter_add(fac *f, const lit *l)
{
    const uint8_t *u = (const uint8_t *)l->s;
    if (l->op == SG_OP_STARTS || l->op == SG_OP_EQ) {
        f->anchored = true;
        return 0;
    }
    size_t bytes = (size_t)1 << (SG_AC_FILTER_BITS - 3);
    if ((!f->pair && !(f->pair = calloc(bytes, 1))) ||
        (!f->short2 && !(f->short2 = calloc(bytes, 1))) ||
        (!f->three && !(f->three = calloc(bytes, 1))))
        return -1;
    for (uint32_t b = 0; b < 256; b++) {
        if (l->n > 1 && b != u[1]) continue;
        BIT_SET(f->pair, (uint32_t)u[0] << 8 | b);
        if (l->n <= 2) BIT_SET(f->short2, (uint32_t)u[0] << 8 | b);
    }
    if (l->n > 2) BIT_SET(f->three, hash3((uint32_t)u[0] << 16 | (uint32_t)u[1] << 8 | u[2]));
    if (!f->nlits++ || l->n < f->minlen) f->minlen = l->n;
    return 0;
}

/* The sampling stride of f and its grams, once every literal is in (ids first .. n
 * of field). */
static int gram_build(fac *f, const lit *lits, uint32_t nlits, uint32_t field)
{
    f->stride = 0;
    if (f->nlits && f->minlen < 4) { /* every byte: the four-byte filter */
        f->short3 = calloc((size_t)1 << (SG_AC_FILTER_BITS - 3), 1);
        f->four = calloc((size_t)1 << (SG_AC_FOUR_BITS - 3), 1);
        if (!f->short3 || !f->four) return -1;
        for (uint32_t id = 0; id < nlits; id++) {
            const lit *l = &lits[id];
            const uint8_t *u = (const uint8_t *)l->s;
            if (l->field != field || l->op == SG_OP_STARTS || l->op == SG_OP_EQ || l->n < 3)
                continue;
            uint32_t w = (uint32_t)u[0] << 16 | (uint32_t)u[1] << 8 | u[2];
            if (l->n == 3)
                BIT_SET(f->short3, hash3(w));
            else
                BIT_SET(f->four, hash4(w << 8 | u[3]));
        }
    }
    if (!f->nlits || f->minlen < 4) return 0;
    uint32_t s3 = f->minlen - 2 < SG_AC_GRAMS3 ? f->minlen - 2 : SG_AC_GRAMS3;
    f->gram3 = f->minlen >= 5 && (uint64_t)f->nlits * s3 <= SG_AC_GRAM3_BITS;
    f->stride = f->gram3 ? s3 : f->minlen - 1 < SG_AC_GRAMS ? f->minlen - 1 : SG_AC_GRAMS;
    if (!(f->gram = calloc((size_t)1 << (SG_AC_FILTER_BITS - 3), 1))) return -1;
    for (uint32_t id = 0; id < nlits; id++) {
        const lit *l = &lits[id];
        const uint8_t *u = (const uint8_t *)l->s;
        if (l->field != field || l->op == SG_OP_STARTS || l->op == SG_OP_EQ) continue;
        for (uint32_t o = 0; o < f->stride && o + 2 < l->n + !f->gram3; o++)
            if (f->gram3)
                BIT_SET(f->gram, hash3((uint32_t)u[o] << 16 | (uint32_t)u[o + 1] << 8 | u[o + 2]));
            else
                BIT_SET(f->gram, (uint32_t)u[o] << 8 | u[o + 1]);
    }
    return 0;
}

static int add_literal(acset *a, uint32_t id)
{
    lit *l = &a->lits[id];
    fac *f = a->byfield[l->field];
    if (!f) {
        if (!(f = calloc(1, sizeof *f))) return -1;
        a->byfield[l->field] = f;
        if (new_node(f, 0) != 0) return -1; /* the root */
    }
    uint32_t s = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        uint8_t c = (uint8_t)l->s[i];
        uint32_t t = child(f, s, c);
        if (!t) {
            if (!(t = new_node(f, c))) return -1;
            f->nodes[t].depth = (uint16_t)(i + 1);
            if (s == 0)
                f->root_next[c] = t;
            else {
                f->nodes[t].next = f->nodes[s].first;
                f->nodes[s].first = t;
            }
        }
        s = t;
    }
    if (f->minall == 0 || l->n < f->minall) f->minall = l->n;
    if (filter_add(f, l) != 0) return -1;
    uint32_t *head = l->op == SG_OP_CONTAINS ? &f->nodes[s].outc
                     : l->op == SG_OP_STARTS ? &f->nodes[s].outs
                     : l->op == SG_OP_ENDS   ? &f->nodes[s].oute
                                             : &f->nodes[s].outq;
    l->next_out = *head;
    *head = id + 1;
    return 0;
}

uint32_t sg_ac_lit_field(const ks_sigma_rules *r, uint32_t id)
{
    const acset *a = r->ac;
    return a && id < a->nlits ? a->lits[id].field : UINT32_MAX;
}

/* The shortest needed literal of an item all of whose values have one, or 0. */
static uint32_t item_score(const sg_item *it)
{
    if (!it->npats) return 0;
    uint32_t minlen = UINT32_MAX;
    for (uint32_t p = 0; p < it->npats && minlen; p++)
        minlen =
            it->pats[p].need ? (it->pats[p].needlen < minlen ? it->pats[p].needlen : minlen) : 0;
    return minlen;
}

/* A gate under construction: literals of which every match contains one. */
typedef struct gate {
    uint32_t lits[256];
    uint32_t n, score; /* score: the shortest literal (0: no gate) */
} gate;

static void gate_add_item(gate *g, const sg_item *it)
{
    for (uint32_t p = 0; p < it->npats; p++) {
        if (g->n == 256) {
            g->score = 0;
            return;
        }
        g->lits[g->n++] = it->pats[p].need - 1;
    }
}

/* A selection: in each alternative the item with the best score. */
static void sel_gate(const sg_sel *s, gate *g)
{
    g->n = 0;
    g->score = s->nalts ? UINT32_MAX : 0;
    for (uint32_t a = 0; a < s->nalts && g->score; a++) {
        const sg_item *pick = NULL;
        uint32_t best = 0;
        for (uint32_t i = 0; i < s->alts[a].nitems; i++) {
            uint32_t sc = item_score(&s->alts[a].items[i]);
            if (sc > best) {
                best = sc;
                pick = &s->alts[a].items[i];
            }
        }
        if (best < g->score) g->score = best;
        if (pick) gate_add_item(g, pick);
    }
}

static void gate_union(gate *g, const gate *o)
{
    if (!g->score || !o->score || g->n + o->n > 256) {
        g->score = 0;
        return;
    }
    memcpy(g->lits + g->n, o->lits, o->n * sizeof *o->lits);
    g->n += o->n;
    if (o->score < g->score) g->score = o->score;
}

/* The gate of a condition node: AND takes its better side, OR and `1 of` need one
 * of their sides (the union), NOT gives none. */
static void node_gate(const sg_rule *rule, uint32_t node, int depth, gate *g)
{
    g->n = g->score = 0;
    if (depth > 64) return;
    const sg_cnode *c = &rule->cond[node];
    gate *o = malloc(sizeof *o);
    if (!o) return;
    switch (c->op) {
    case SG_C_SEL: sel_gate(&rule->sels[c->a], g); break;
    case SG_C_AND:
    case SG_C_OR:
        node_gate(rule, c->a, depth + 1, g);
        node_gate(rule, c->b, depth + 1, o);
        if (c->op == SG_C_OR)
            gate_union(g, o);
        else if (o->score > g->score)
            *g = *o;
        break;
    case SG_C_ONE_OF:
    case SG_C_ALL_OF:
        for (uint32_t k = 0; k < c->nsels; k++) {
            sel_gate(&rule->sels[rule->oflist[c->a + k]], k ? o : g);
            if (!k) continue;
            if (c->op == SG_C_ONE_OF)
                gate_union(g, o);
            else if (o->score > g->score)
                *g = *o;
        }
        break;
    default: break;
    }
    free(o);
}

static int set_gate(sg_rule *rule)
{
    free(rule->gate);
    rule->gate = NULL;
    rule->ngate = 0;
    if (!rule->ncond) return 0;
    gate *g = malloc(sizeof *g);
    if (!g) return -1;
    node_gate(rule, rule->root, 0, g);
    int rc = 0;
    if (g->score && g->n) {
        if ((rule->gate = malloc(g->n * sizeof *rule->gate))) {
            memcpy(rule->gate, g->lits, g->n * sizeof *g->lits);
            rule->ngate = g->n;
        } else
            rc = -1;
    }
    free(g);
    return rc;
}

/* The longest part of a wildcard value without wildcards (for a needed literal). */
static void longest_plain(const sg_pat *p, uint32_t *start, uint32_t *len)
{
    *start = *len = 0;
    for (uint32_t i = 0; i < p->n;) {
        uint32_t j = i;
        while (j < p->n && (uint8_t)p->s[j] != SG_WILD_ANY && (uint8_t)p->s[j] != SG_WILD_ONE) j++;
        if (j - i > *len) {
            *start = i;
            *len = j - i;
        }
        i = j + 1;
    }
}

static int compact(fac *f);

/* Every byte (A-Z folded) ks_value_text writes for an integer, hex, GUID, SID or
 * binary value, including the hex bytes shown for a value of the wrong size. */
static const char hex_text[] = "0123456789abcdefxs-{}";

/* Whether no literal of f is made only of hex_text bytes. */
static bool no_hex_literal(const acset *a, uint32_t field)
{
    for (uint32_t id = 0; id < a->nlits; id++) {
        const lit *l = &a->lits[id];
        if (l->field != field) continue;
        uint32_t k = 0;
        while (k < l->n && l->s[k] && strchr(hex_text, l->s[k])) k++;
        if (k == l->n) return false;
    }
    return true;
}

bool sg_ac_skip_type(const ks_sigma_rules *r, uint32_t field, uint8_t type)
{
    const acset *a = r->ac;
    const fac *f = a && field < a->nauto ? a->byfield[field] : NULL;
    if (!f) return true; /* no literal at all */
    if (!f->no_hex) return false;
    switch (type) {
    case KS_VT_NULL:
    case KS_VT_INT8:
    case KS_VT_UINT8:
    case KS_VT_INT16:
    case KS_VT_UINT16:
    case KS_VT_INT32:
    case KS_VT_UINT32:
    case KS_VT_INT64:
    case KS_VT_UINT64:
    case KS_VT_BINARY:
    case KS_VT_GUID:
    case KS_VT_SIZET:
    case KS_VT_SID:
    case KS_VT_HEX32:
    case KS_VT_HEX64: return true;
    default: return false;
    }
}

int sg_ac_build(ks_sigma_rules *r)
{
    sg_ac_free(r);
    acset *a = calloc(1, sizeof *a);
    if (!a) return -1;
    r->ac = a;
    a->nfields = a->nauto = r->nfields;
    /* keywords: an automaton per rule that has some, run over every field (one shared
     * by all would make the keywords of a few Application rules searched in every
     * event, beside those of the one rule that reads every log) */
    for (size_t ri = 0; ri < r->nrules; ri++) {
        sg_rule *rule = r->rules[ri];
        rule->kwauto = UINT32_MAX;
        for (uint32_t s = 0; s < rule->nsels && rule->kwauto == UINT32_MAX; s++)
            for (uint32_t al = 0; al < rule->sels[s].nalts; al++)
                for (uint32_t k = 0; k < rule->sels[s].alts[al].nitems; k++)
                    if (rule->sels[s].alts[al].items[k].field == SG_KEYWORDS &&
                        rule->kwauto == UINT32_MAX) {
                        if (a->nauto == UINT32_MAX - 1) return -1;
                        rule->kwauto = a->nauto++;
                    }
    }
    r->nauto = a->nauto;
    a->byfield = calloc(a->nauto + 1, sizeof *a->byfield);
    if (!a->byfield) return -1;
    for (size_t ri = 0; ri < r->nrules; ri++) {
        sg_rule *rule = r->rules[ri];
        for (uint32_t s = 0; s < rule->nsels; s++)
            for (uint32_t al = 0; al < rule->sels[s].nalts; al++)
                for (uint32_t k = 0; k < rule->sels[s].alts[al].nitems; k++) {
                    sg_item *it = &rule->sels[s].alts[al].items[k];
                    uint32_t field = it->field == SG_KEYWORDS ? rule->kwauto : it->field;
                    it->litonly = false;
                    if (field >= a->nauto) continue;
                    bool litonly = it->npats > 0;
                    for (uint32_t p = 0; p < it->npats; p++) {
                        sg_pat *pt = &it->pats[p];
                        pt->lit = pt->need = pt->needlen = 0;
                        if (pt->op == SG_OP_RE) { /* its needed literal (sigma_load.c) */
                            if (pt->n < 3 || !pt->s) continue;
                            uint32_t id = lit_intern(a, field, SG_OP_CONTAINS, pt->s, pt->n);
                            if (id == UINT32_MAX) return -1;
                            pt->need = id + 1;
                            pt->needlen = pt->n;
                            continue;
                        }
                        if (pt->op == SG_OP_GLOB && !pt->cased) {
                            uint32_t st, len;
                            longest_plain(pt, &st, &len);
                            if (len < 3) continue;
                            uint32_t id = lit_intern(a, field, SG_OP_CONTAINS, pt->s + st, len);
                            if (id == UINT32_MAX) return -1;
                            pt->need = id + 1;
                            pt->needlen = len;
                            continue;
                        }
                        if (pt->cased || !pt->n || pt->n > 4096 ||
                            (pt->op != SG_OP_EQ && pt->op != SG_OP_CONTAINS &&
                             pt->op != SG_OP_STARTS && pt->op != SG_OP_ENDS))
                            continue;
                        uint32_t id = lit_intern(a, field, pt->op, pt->s, pt->n);
                        if (id == UINT32_MAX) return -1;
                        pt->lit = pt->need = id + 1;
                        pt->needlen = pt->n;
                    }
                    for (uint32_t p = 0; p < it->npats; p++) litonly = litonly && it->pats[p].lit;
                    it->litonly = litonly;
                }
    }
    /* each distinct (field, string) once in the trie; ops share its node */
    for (uint32_t id = 0; id < a->nlits; id++)
        if (add_literal(a, id) != 0) return -1;
    for (uint32_t f = 0; f < a->nauto; f++)
        if (a->byfield[f]) {
            if (compact(a->byfield[f]) != 0 || gram_build(a->byfield[f], a->lits, a->nlits, f) != 0)
                return -1;
            a->byfield[f]->no_hex = no_hex_literal(a, f);
        }
    r->nlits = a->nlits;
    size_t npats = 0;
    each_item(r, item_count, &npats);
    if (!(a->itemlits = malloc((npats + 1) * sizeof *a->itemlits))) return -1;
    uint32_t *next = a->itemlits;
    each_item(r, item_link, &next);
    size_t ngated = 0;
    for (size_t ri = 0; ri < r->nrules; ri++) {
        if (set_gate(r->rules[ri]) != 0) return -1;
        ngated += r->rules[ri]->ngate;
    }
    a->gstart = calloc(a->nlits + 2, sizeof *a->gstart);
    a->grules = malloc((ngated + 1) * sizeof *a->grules);
    if (!a->gstart || !a->grules) return -1;
    for (size_t ri = 0; ri < r->nrules; ri++)
        for (uint32_t k = 0; k < r->rules[ri]->ngate; k++) a->gstart[r->rules[ri]->gate[k] + 2]++;
    for (uint32_t l = 0; l < a->nlits; l++) a->gstart[l + 2] += a->gstart[l + 1];
    for (size_t ri = 0; ri < r->nrules; ri++)
        for (uint32_t k = 0; k < r->rules[ri]->ngate; k++)
            a->grules[a->gstart[r->rules[ri]->gate[k] + 1]++] = (uint32_t)ri;
    return 0;
}

const uint32_t *sg_ac_gated(const ks_sigma_rules *r, uint32_t id, uint32_t *n)
{
    const acset *a = r->ac;
    if (!a || id >= a->nlits || !a->gstart) {
        *n = 0;
        return NULL;
    }
    *n = a->gstart[id + 1] - a->gstart[id];
    return a->grules + a->gstart[id];
}

/* The child of s on byte c (folded), or 0. */
static inline uint32_t child_of(const fac *f, uint32_t s, uint8_t c)
{
    if (s < f->rows) return f->dense[(size_t)s * f->ncls + f->cls[c]];
    for (uint32_t j = f->cs[s], e = f->cs[s + 1]; j < e; j++)
        if (f->cbyte[j] >= c) return f->cbyte[j] == c ? f->cto[j] : 0;
    return 0;
}

/* Number the nodes with a row first (the root stays 0), keeping every link. */
static int renumber(fac *f)
{
    uint32_t *id = malloc(f->n * sizeof *id);
    acnode *v = malloc(f->n * sizeof *v);
    if (!id || !v) {
        free(id);
        free(v);
        return -1;
    }
    uint32_t next = 0;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t s = 0; s < f->n; s++) {
            uint32_t k = 0;
            for (uint32_t c = f->nodes[s].first; c && k < SG_AC_DENSE_MIN; c = f->nodes[c].next)
                k++;
            bool row = s == 0 || k >= SG_AC_DENSE_MIN || f->nodes[s].depth <= SG_AC_ROW_DEPTH;
            if (row == (pass == 0)) id[s] = next++;
            if (pass == 0 && row) f->rows = next;
        }
#define MAP(x) ((x) ? id[x] : 0)
    for (uint32_t s = 0; s < f->n; s++) {
        acnode d = f->nodes[s];
        d.first = MAP(d.first);
        d.next = MAP(d.next);
        v[id[s]] = d;
    }
    for (int c = 0; c < 256; c++) f->root_next[c] = MAP(f->root_next[c]);
#undef MAP
    free(f->nodes);
    f->nodes = v;
    f->cap = f->n;
    free(id);
    return 0;
}

static bool has_out(const acnode *x)
{
    return x->outc || x->outs || x->oute || x->outq;
}

/* Labels for the chains of nodes with one child and no literal, from every node the
 * walk can reach (the root's children, the children of a node without a label, the
 * end of a label). */
static int labels(fac *f)
{
    uint32_t *stack = malloc((f->n + 1) * sizeof *stack), top = 0, used = 0;
    uint32_t *end = malloc((f->n + 1) * sizeof *end), *off = malloc((f->n + 1) * sizeof *off);
    uint8_t *len = calloc(f->n + 1, 1);
    f->lab = malloc(f->n + 1);
    int rc = stack && end && off && len && f->lab ? 0 : -1;
    for (int c = 0; c < 256 && rc == 0; c++)
        if (f->root_next[c] && (c < 'A' || c > 'Z')) stack[top++] = f->root_next[c];
    while (top && rc == 0) {
        uint32_t s = stack[--top];
        if (f->cs[s + 1] - f->cs[s] != 1) {
            for (uint32_t j = f->cs[s]; j < f->cs[s + 1] && top < f->n; j++)
                stack[top++] = f->cto[j];
            continue;
        }
        uint32_t x = f->cto[f->cs[s]], m = 1, start = used;
        f->lab[used++] = f->cbyte[f->cs[s]];
        while (!has_out(&f->nodes[x]) && f->cs[x + 1] - f->cs[x] == 1 && m < 255 && used < f->n) {
            f->lab[used++] = f->cbyte[f->cs[x]];
            x = f->cto[f->cs[x]];
            m++;
        }
        if (m >= 2) {
            len[s] = (uint8_t)m;
            off[s] = start;
            end[s] = x;
        } else
            used = start;
        if (top < f->n) stack[top++] = x;
    }
    for (uint32_t s = 0; s < f->n && rc == 0; s++) { /* the build links are done with */
        f->nodes[s].lablen = len[s];
        f->nodes[s].laboff = len[s] ? off[s] : 0;
        f->nodes[s].labend = len[s] ? end[s] : 0;
    }
    free(stack);
    free(end);
    free(off);
    free(len);
    return rc;
}

/* The children of every node in sorted arrays, byte classes, and full rows. */
static int compact(fac *f)
{
    uint32_t edges = 0;
    bool used[256] = {false};
    if (renumber(f) != 0) return -1;
    for (uint32_t s = 1; s < f->n; s++) used[f->nodes[s].byte] = true;
    f->ncls = 1;
    for (int c = 0; c < 256; c++) f->cls[c] = used[c] ? (uint8_t)f->ncls++ : 0;
    for (int c = 'A'; c <= 'Z'; c++) f->cls[c] = f->cls[c + 32]; /* literals are lowercase */
    f->cs = calloc(f->n + 1, sizeof *f->cs);
    if (!f->cs) return -1;
    for (uint32_t s = 0; s < f->n; s++)
        for (uint32_t c = f->nodes[s].first; c; c = f->nodes[c].next) edges++;
    f->cto = malloc((edges + 1) * sizeof *f->cto);
    f->cbyte = malloc(edges + 1);
    f->dense = calloc((size_t)f->rows * f->ncls + 1, sizeof *f->dense);
    if (!f->cto || !f->cbyte || !f->dense) return -1;
    uint32_t e = 0;
    for (uint32_t s = 0; s < f->n; s++) {
        f->cs[s] = e;
        uint32_t first = e;
        for (uint32_t c = s ? f->nodes[s].first : 0; c; c = f->nodes[c].next) {
            uint32_t j = e++; /* insertion sort by byte */
            while (j > first && f->cbyte[j - 1] > f->nodes[c].byte) {
                f->cbyte[j] = f->cbyte[j - 1];
                f->cto[j] = f->cto[j - 1];
                j--;
            }
            f->cbyte[j] = f->nodes[c].byte;
            f->cto[j] = c;
        }
        if (s < f->rows) {
            uint32_t *row = f->dense + (size_t)s * f->ncls;
            if (s == 0)
                for (int c = 0; c < 256; c++) {
                    if (f->root_next[c]) row[f->cls[c]] = f->root_next[c];
                }
            else
                for (uint32_t j = first; j < e; j++) row[f->cls[f->cbyte[j]]] = f->cto[j];
        }
    }
    f->cs[f->n] = e;
    return labels(f);
}

static inline uint64_t load8(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* Eight bytes with A-Z folded to a-z (the others as they are). */
static inline uint64_t fold8(const uint8_t *p)
{
    const uint64_t hi = UINT64_C(0x8080808080808080), x = load8(p);
    uint64_t low7 = x & ~hi;
    uint64_t ge_a = low7 + UINT64_C(0x3f3f3f3f3f3f3f3f); /* high bit: >= 'A' */
    uint64_t gt_z = low7 + UINT64_C(0x2525252525252525); /* high bit: > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~x & hi;            /* ASCII 'A' .. 'Z' */
    return x | upper >> 2;
}

/* Mark the literals of list l (+ 1) as hit. */
static void mark(const acset *a, uint32_t l, uint32_t *hit, uint32_t gen, uint32_t *list,
                 uint32_t *nlist)
{
    for (; l; l = a->lits[l - 1].next_out)
        if (hit[l - 1] != gen) {
            hit[l - 1] = gen;
            if (list) list[(*nlist)++] = l - 1;
        }
}

/* Walk text[i ..] down the trie: every literal whose node it reaches is found (the
 * position rules of its op permitting). */
static void walk(const acset *a, const fac *f, const uint8_t *u, size_t n, size_t i, uint32_t *hit,
                 uint32_t gen, uint32_t *list, uint32_t *nlist)
{
    uint32_t s = 0;
    for (size_t k = i; k < n;) {
        const acnode *x = &f->nodes[s];
        if (x->lablen) { /* a chain without literals: all of it or nothing */
            const size_t len = x->lablen;
            const uint8_t *lab = f->lab + x->laboff;
            size_t t = 0;
            if (len > n - k) return;
            for (; t + 8 <= len; t += 8)
                if (fold8(u + k + t) != load8(lab + t)) return;
            for (; t < len; t++)
                if (fold(u[k + t]) != lab[t]) return;
            k += len;
            s = x->labend;
        } else {
            if (!(s = child_of(f, s, fold(u[k])))) return;
            k++;
        }
        x = &f->nodes[s];
        if (x->outc) mark(a, x->outc, hit, gen, list, nlist);
        if (!i && x->outs) mark(a, x->outs, hit, gen, list, nlist);
        if (k == n) {
            if (x->oute) mark(a, x->oute, hit, gen, list, nlist);
            if (!i && x->outq) mark(a, x->outq, hit, gen, list, nlist);
        }
    }
}

/* The sample at j passed: try the starts j - stride + 1 .. j. */
static void sampled_starts(const acset *a, const fac *f, const uint8_t *u, size_t n, size_t j,
                           uint32_t *hit, uint32_t gen, uint32_t *list, uint32_t *nlist)
{
    for (size_t o = f->stride; o-- > 0;) {
        if (j < o) continue;
        size_t i = j - o;
        if (!i && f->anchored) continue; /* that walk is done */
        uint32_t w = (uint32_t)fold(u[i]) << 16 | (i + 1 < n ? (uint32_t)fold(u[i + 1]) << 8 : 0) |
                     (i + 2 < n ? fold(u[i + 2]) : 0);
        uint32_t p = w >> 8;
        if (BIT_GET(f->pair, p) && (BIT_GET(f->short2, p) || BIT_GET(f->three, hash3(w))))
            walk(a, f, u, n, i, hit, gen, list, nlist);
    }
}

/* Whether a contains / endswith literal may start at i (w4: the folded bytes at
 * i .. i + 3, 0 past the end). */
static inline bool may_start(const fac *f, uint32_t w4)
{
    uint32_t p = w4 >> 16, w = w4 >> 8;
    return BIT_GET(f->pair, p) &&
           (BIT_GET(f->short2, p) ||
            (BIT_GET(f->three, hash3(w)) &&
             (!f->four || BIT_GET(f->short3, hash3(w)) || BIT_GET(f->four, hash4(w4)))));
}

void sg_ac_run(const ks_sigma_rules *r, uint32_t field, const char *text, size_t n, uint32_t *hit,
               uint32_t gen, uint32_t *list, uint32_t *nlist)
{
    const acset *a = r->ac;
    const fac *f = a && field < a->nauto ? a->byfield[field] : NULL;
    if (!f || !n || n < f->minall) return;
    const uint8_t *u = (const uint8_t *)text;
    if (f->anchored) walk(a, f, u, n, 0, hit, gen, list, nlist);
    if (!f->pair) return;
    if (f->stride) { /* starts i = j - o, o from stride - 1 down to 0 */
        const size_t stride = f->stride;
        const uint8_t *gram = f->gram;
        if (f->gram3) {
            for (size_t j = 0; j + 2 < n; j += stride)
                if (BIT_GET(gram, hash3((uint32_t)fold(u[j]) << 16 | (uint32_t)fold(u[j + 1]) << 8 |
                                        fold(u[j + 2]))))
                    sampled_starts(a, f, u, n, j, hit, gen, list, nlist);
        } else
            for (size_t j = 0; j + 1 < n; j += stride)
                if (BIT_GET(gram, (uint32_t)fold(u[j]) << 8 | fold(u[j + 1])))
                    sampled_starts(a, f, u, n, j, hit, gen, list, nlist);
        return;
    }
    uint32_t w4 = (uint32_t)fold(u[0]) << 24 | (n > 1 ? (uint32_t)fold(u[1]) << 16 : 0) |
                  (n > 2 ? (uint32_t)fold(u[2]) << 8 : 0) | (n > 3 ? fold(u[3]) : 0);
    size_t i = 0;
    if (f->anchored) { /* the walk from 0 is done */
        w4 = w4 << 8 | (n > 4 ? fold(u[4]) : 0);
        i = 1;
    }
    for (; i + 4 < n; i++) {
        if (may_start(f, w4)) walk(a, f, u, n, i, hit, gen, list, nlist);
        w4 = w4 << 8 | fold(u[i + 4]);
    }
    for (; i < n; i++) {
        if (may_start(f, w4)) walk(a, f, u, n, i, hit, gen, list, nlist);
        w4 <<= 8;
    }
}

bool sg_ac_run16(const ks_sigma_rules *r, uint32_t field, const uint8_t *p, size_t units,
                 uint32_t *hit, uint32_t gen, uint32_t *list, uint32_t *nlist)
{
    char buf[2048];
    size_t n = 0, i = 0;
    const acset *a = r->ac;
    if (!a || field >= a->nauto || !a->byfield[field]) return true; /* nothing to find */
    if (units < a->byfield[field]->minall) return true; /* too short for any (NULs dropped) */
    if (units > sizeof buf) return false;
#ifdef __SSE2__
    /* 16 units at a time: all ASCII and none NUL, packed to bytes */
    const __m128i high = _mm_set1_epi16((short)0xff80), zero = _mm_setzero_si128();
    for (; i + 16 <= units; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 2 * i));
        __m128i y = _mm_loadu_si128((const __m128i *)(p + 2 * i + 16));
        __m128i h = _mm_and_si128(_mm_or_si128(x, y), high);
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(h, zero)) != 0xffff) return false;
        __m128i b = _mm_packus_epi16(x, y);
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(b, zero))) break; /* a NUL: one by one */
        _mm_storeu_si128((__m128i *)(buf + n), b);
        n += 16;
    }
#endif
    for (; i + 4 <= units; i += 4) { /* four at a time */
        uint64_t x = load8(p + 2 * i);
        const uint64_t one = UINT64_C(0x0001000100010001), top = UINT64_C(0x8000800080008000);
        if (x & UINT64_C(0xff80ff80ff80ff80)) return false; /* not ASCII */
        if ((x - one) & ~x & top) break;                    /* a NUL unit */
        x = (x & 0xff) | (x >> 8 & 0xff00) | (x >> 16 & 0xff0000) | (x >> 24 & 0xff000000);
        uint32_t w = (uint32_t)x;
        memcpy(buf + n, &w, 4);
        n += 4;
    }
    for (; i < units; i++) { /* ASCII only, or the caller converts */
        if (p[2 * i + 1] || p[2 * i] >= 0x80) return false;
        if (p[2 * i]) buf[n++] = (char)p[2 * i]; /* NUL units are not text (ks_value_text) */
    }
    sg_ac_run(r, field, buf, n, hit, gen, list, nlist);
    return true;
}
