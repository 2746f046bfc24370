/* YAML documents as a small tree (scalars, sequences, maps) for the Sigma loader,
 * built from libyaml's event stream. Depth, node count and input size are bounded;
 * anchors and aliases are refused (Sigma rules do not use them). All nodes live in
 * one arena freed with the tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "detect/sigma_internal.h"

#define SG_YAML_MAX_DEPTH 64
#define SG_YAML_MAX_NODES 200000
#define SG_YAML_MAX_BYTES (8u << 20)

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

static void *arena_alloc(sg_ydoc *d, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    arena_block *b = d->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        arena_block *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        d->arena = b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

typedef struct frame {
    sg_ynode *node;
    sg_ynode **kids;
    size_t n, cap;
} frame;

static int frame_push_kid(frame *f, sg_ynode *k)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        sg_ynode **v = realloc(f->kids, cap * sizeof *v);
        if (!v) return -1;
        f->kids = v;
        f->cap = cap;
    }
    f->kids[f->n++] = k;
    return 0;
}

static void set_error(sg_ydoc *d, const char *what, size_t line)
{
    if (!d->error[0]) snprintf(d->error, sizeof d->error, "YAML: %s (line %zu)", what, line + 1);
}

void sg_yaml_parse(sg_ydoc *d, const void *data, size_t n)
{
    memset(d, 0, sizeof *d);
    if (n > SG_YAML_MAX_BYTES) {
        set_error(d, "file too large", 0);
        return;
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        set_error(d, "out of memory", 0);
        return;
    }
    yaml_parser_set_input_string(&p, data ? data : (const unsigned char *)"", data ? n : 0);
    frame st[SG_YAML_MAX_DEPTH + 1];
    int depth = 0;
    size_t nodes = 0, capdocs = 0;
    bool done = false;
    while (!done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            set_error(d, p.problem ? p.problem : "syntax error", p.problem_mark.line);
            break;
        }
        size_t line = e.start_mark.line;
        sg_ynode *node = NULL;
        bool open = false, close = false;
        switch (e.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_ALIAS_EVENT:
            set_error(d, "aliases are not supported", line);
            done = true;
            break;
        case YAML_SCALAR_EVENT:
            node = arena_alloc(d, sizeof *node);
            if (node) {
                memset(node, 0, sizeof *node);
                node->kind = SG_Y_SCALAR;
                node->plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                node->n = e.data.scalar.length;
                node->s = arena_alloc(d, node->n + 1);
                if (node->s) {
                    memcpy(node->s, e.data.scalar.value, node->n);
                    node->s[node->n] = 0;
                } else
                    node = NULL;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            node = arena_alloc(d, sizeof *node);
            if (node) {
                memset(node, 0, sizeof *node);
                node->kind = e.type == YAML_SEQUENCE_START_EVENT ? SG_Y_SEQ : SG_Y_MAP;
            }
            open = true;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: close = true; break;
        default: break;
        }
        yaml_event_delete(&e);
        if (done) break;
        if ((open || node) && (!node || ++nodes > SG_YAML_MAX_NODES)) {
            set_error(d, node ? "too many nodes" : "out of memory", line);
            break;
        }
        if (node) node->line = line;
        if (close) {
            if (depth == 0) continue;
            frame *f = &st[--depth];
            sg_ynode *done_node = f->node;
            done_node->nkids = f->n;
            done_node->kids = f->n ? arena_alloc(d, f->n * sizeof *f->kids) : NULL;
            if (f->n && !done_node->kids) {
                free(f->kids);
                set_error(d, "out of memory", line);
                break;
            }
            if (f->n) memcpy(done_node->kids, f->kids, f->n * sizeof *f->kids);
            free(f->kids);
            if (done_node->kind == SG_Y_MAP && (done_node->nkids & 1)) {
                set_error(d, "map with a key and no value", line);
                break;
            }
            node = done_node;
        } else if (!node)
            continue;
        /* a container joins its parent when it opens */
        if (!close && depth > 0 && frame_push_kid(&st[depth - 1], node) != 0) {
            set_error(d, "out of memory", line);
            break;
        }
        if (depth == 0 && (close || !open)) {
            if (d->ndocs == capdocs) {
                size_t cap = capdocs ? capdocs * 2 : 4;
                sg_ynode **v = realloc(d->docs, cap * sizeof *v);
                if (!v) {
                    set_error(d, "out of memory", line);
                    break;
                }
                d->docs = v;
                capdocs = cap;
            }
            d->docs[d->ndocs++] = node;
        }
        if (open) {
            if (depth == SG_YAML_MAX_DEPTH) {
                set_error(d, "nested too deeply", line);
                break;
            }
            st[depth++] = (frame){node, NULL, 0, 0};
        }
    }
    /* On an error, nodes still open are not handed out. */
    while (depth > 0) free(st[--depth].kids);
    yaml_parser_delete(&p);
}

void sg_yaml_free(sg_ydoc *d)
{
    arena_block *b = d->arena;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(d->docs);
    memset(d, 0, sizeof *d);
}

const sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key)
{
    if (!map || map->kind != SG_Y_MAP) return NULL;
    for (size_t i = 0; i + 1 < map->nkids; i += 2) {
        const sg_ynode *k = map->kids[i];
        if (k->kind == SG_Y_SCALAR && !strcmp(k->s, key)) return map->kids[i + 1];
    }
    return NULL;
}

bool sg_yscalar_is_null(const sg_ynode *n)
{
    return n->kind == SG_Y_SCALAR && n->plain &&
           (n->n == 0 || !strcmp(n->s, "null") || !strcmp(n->s, "~") || !strcmp(n->s, "Null") ||
            !strcmp(n->s, "NULL"));
}
