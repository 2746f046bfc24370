/* Literal strings of all rules found together: every plain (not cased, no wildcard)
 * equals / contains / startswith / endswith value is one literal, shared by the rules
 * that use it, and the literals of one field make one Aho-Corasick automaton run
 * once over the field's lowercased text per event. A rule's pattern is then one
 * lookup, whatever the number of rules (Sigma's process_creation rules are ~1,200). */
#include <stdlib.h>
#include <string.h>

#include "detect/sigma_internal.h"

typedef struct acnode {
    uint32_t first, next; /* first child, next sibling (node index; 0: none) */
    uint32_t fail, dict;  /* failure link; next node on it with outputs (0: none) */
    uint32_t out;         /* first literal ending here, + 1 (0: none) */
    uint8_t byte;
} acnode;

typedef struct fac {
    acnode *nodes; /* 0 is the root */
    uint32_t n, cap;
    uint32_t root_next[256];
    /* for matching: children of node s are cbyte/cto[cstart[s] .. cstart[s + 1]), sorted;
     * a node with many children has a full row dense[drow[s] - 1][256] instead */
    uint32_t *cstart, *cto, *drow, *dense;
    uint8_t *cbyte;
} fac;

#define SG_AC_DENSE_MIN 8 /* children from which a node gets a full row */

typedef struct lit {
    uint32_t field, n, hash, next_out; /* next_out: next literal of the same node, + 1 */
    uint8_t op;
    const char *s;
} lit;

typedef struct acset {
    fac **byfield;
    uint32_t nfields;
    lit *lits;
    uint32_t nlits, cap;
    uint32_t *slots, nslots;   /* literal id + 1 */
    uint32_t *gstart, *grules; /* rules gated by each literal: grules[gstart[l] .. gstart[l+1]) */
} acset;

void sg_ac_free(ks_sigma_rules *r)
{
    acset *a = r->ac;
    if (!a) return;
    for (uint32_t i = 0; a->byfield && i <= a->nfields; i++)
        if (a->byfield[i]) {
            fac *f = a->byfield[i];
            free(f->nodes);
            free(f->cstart);
            free(f->cto);
            free(f->drow);
            free(f->dense);
            free(f->cbyte);
            free(f);
        }
    free(a->byfield);
    free(a->lits);
    free(a->slots);
    free(a->gstart);
    free(a->grules);
    free(a);
    r->ac = NULL;
    r->nlits = 0;
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
    f->nodes[f->n] = (acnode){0, 0, 0, 0, 0, c};
    return f->n++;
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
            if (s == 0)
                f->root_next[c] = t;
            else {
                f->nodes[t].next = f->nodes[s].first;
                f->nodes[s].first = t;
            }
        }
        s = t;
    }
    l->next_out = f->nodes[s].out;
    f->nodes[s].out = id + 1;
    return 0;
}

/* Failure and output links, breadth first. */
static int link(fac *f)
{
    uint32_t *queue = malloc(f->n * sizeof *queue);
    if (!queue) return -1;
    uint32_t head = 0, tail = 0;
    for (int c = 0; c < 256; c++)
        if (f->root_next[c]) {
            f->nodes[f->root_next[c]].fail = 0;
            queue[tail++] = f->root_next[c];
        }
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t v = f->nodes[u].first; v; v = f->nodes[v].next) {
            uint8_t c = f->nodes[v].byte;
            uint32_t x = f->nodes[u].fail, t;
            while (!(t = child(f, x, c)) && x) x = f->nodes[x].fail;
            f->nodes[v].fail = t != v ? t : 0;
            uint32_t fl = f->nodes[v].fail;
            f->nodes[v].dict = f->nodes[fl].out ? fl : f->nodes[fl].dict;
            if (tail < f->n) queue[tail++] = v;
        }
    }
    free(queue);
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

int sg_ac_build(ks_sigma_rules *r)
{
    sg_ac_free(r);
    acset *a = calloc(1, sizeof *a);
    if (!a) return -1;
    r->ac = a;
    a->nfields = r->nfields;
    a->byfield = calloc(a->nfields + 1, sizeof *a->byfield);
    if (!a->byfield) return -1;
    for (size_t ri = 0; ri < r->nrules; ri++) {
        sg_rule *rule = r->rules[ri];
        for (uint32_t s = 0; s < rule->nsels; s++)
            for (uint32_t al = 0; al < rule->sels[s].nalts; al++)
                for (uint32_t k = 0; k < rule->sels[s].alts[al].nitems; k++) {
                    sg_item *it = &rule->sels[s].alts[al].items[k];
                    /* keywords: one more automaton (index nfields), run over every field */
                    uint32_t field = it->field == SG_KEYWORDS ? a->nfields : it->field;
                    if (field > a->nfields) continue;
                    for (uint32_t p = 0; p < it->npats; p++) {
                        sg_pat *pt = &it->pats[p];
                        pt->lit = pt->need = pt->needlen = 0;
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
                }
    }
    /* each distinct (field, string) once in the trie; ops share its node */
    for (uint32_t id = 0; id < a->nlits; id++)
        if (add_literal(a, id) != 0) return -1;
    for (uint32_t f = 0; f <= a->nfields; f++)
        if (a->byfield[f] && (link(a->byfield[f]) != 0 || compact(a->byfield[f]) != 0)) return -1;
    r->nlits = a->nlits;
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

/* The children of every node in arrays (and full rows for wide nodes). */
static int compact(fac *f)
{
    uint32_t edges = 0, rows = 0;
    for (uint32_t s = 1; s < f->n; s++) {
        uint32_t k = 0;
        for (uint32_t c = f->nodes[s].first; c; c = f->nodes[c].next) k++;
        edges += k;
        rows += k >= SG_AC_DENSE_MIN;
    }
    f->cstart = calloc(f->n + 1, sizeof *f->cstart);
    f->cto = malloc((edges + 1) * sizeof *f->cto);
    f->cbyte = malloc(edges + 1);
    f->drow = calloc(f->n, sizeof *f->drow);
    f->dense = calloc((size_t)rows * 256 + 1, sizeof *f->dense);
    if (!f->cstart || !f->cto || !f->cbyte || !f->drow || !f->dense) return -1;
    uint32_t e = 0, row = 0;
    for (uint32_t s = 0; s < f->n; s++) {
        f->cstart[s] = e;
        if (s == 0) continue;
        uint32_t first = e;
        for (uint32_t c = f->nodes[s].first; c; c = f->nodes[c].next) {
            uint32_t j = e++; /* insertion sort by byte */
            while (j > first && f->cbyte[j - 1] > f->nodes[c].byte) {
                f->cbyte[j] = f->cbyte[j - 1];
                f->cto[j] = f->cto[j - 1];
                j--;
            }
            f->cbyte[j] = f->nodes[c].byte;
            f->cto[j] = c;
        }
        if (e - first >= SG_AC_DENSE_MIN) {
            uint32_t *d = f->dense + (size_t)row * 256;
            for (uint32_t j = first; j < e; j++) d[f->cbyte[j]] = f->cto[j];
            f->drow[s] = ++row;
        }
    }
    f->cstart[f->n] = e;
    return 0;
}

static inline uint32_t step(const fac *f, uint32_t s, uint8_t c)
{
    if (s == 0) return f->root_next[c];
    if (f->drow[s]) return f->dense[(size_t)(f->drow[s] - 1) * 256 + c];
    for (uint32_t j = f->cstart[s], e = f->cstart[s + 1]; j < e; j++)
        if (f->cbyte[j] >= c) return f->cbyte[j] == c ? f->cto[j] : 0;
    return 0;
}

void sg_ac_run(const ks_sigma_rules *r, uint32_t field, const char *text, size_t n, uint32_t *hit,
               uint32_t gen, uint32_t *list, uint32_t *nlist)
{
    const acset *a = r->ac;
    const fac *f = a && field <= a->nfields ? a->byfield[field] : NULL;
    if (!f) return;
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)text[i];
        uint32_t t;
        while (!(t = step(f, s, c)) && s) s = f->nodes[s].fail;
        s = t;
        for (uint32_t o = f->nodes[s].out ? s : f->nodes[s].dict; o; o = f->nodes[o].dict)
            for (uint32_t l = f->nodes[o].out; l; l = a->lits[l - 1].next_out) {
                const lit *x = &a->lits[l - 1];
                bool at_start = i + 1 == x->n, at_end = i + 1 == n;
                bool ok = x->op == SG_OP_CONTAINS || (x->op == SG_OP_STARTS && at_start) ||
                          (x->op == SG_OP_ENDS && at_end) ||
                          (x->op == SG_OP_EQ && at_start && at_end);
                if (ok && hit[l - 1] != gen) {
                    hit[l - 1] = gen;
                    if (list) list[(*nlist)++] = l - 1;
                }
            }
    }
}
