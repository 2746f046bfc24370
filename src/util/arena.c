/* Arena allocator; see arena.h. */
#include <stdint.h>
#include <stdlib.h>

#include "util/arena.h"

struct ks_arena_block {
    ks_arena_block *next;
    size_t size;
    max_align_t data[];
};

#define KS_ARENA_BLOCK (64u * 1024u)

static int use_block(ks_arena *a, ks_arena_block *b)
{
    a->cur = b;
    a->p = (char *)b->data;
    a->end = a->p + b->size;
    return 0;
}

void *ks_arena_alloc_slow(ks_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (n == 0) n = 8;
    if (a->limit && (n > a->limit || a->used > a->limit - n)) return NULL;
    while ((size_t)(a->end - a->p) < n) {
        /* move on to a kept block that fits, or add one */
        ks_arena_block *b = a->cur ? a->cur->next : a->first;
        while (b && b->size < n) b = b->next;
        if (!b) {
            size_t size = n > KS_ARENA_BLOCK ? n : KS_ARENA_BLOCK;
            b = malloc(sizeof *b + size);
            if (!b) return NULL;
            b->size = size;
            /* insert after cur so that kept blocks are reused in order */
            if (a->cur) {
                b->next = a->cur->next;
                a->cur->next = b;
            } else {
                b->next = a->first;
                a->first = b;
            }
        }
        use_block(a, b);
    }
    void *r = a->p;
    a->p += n;
    a->used += n;
    return r;
}

void ks_arena_reset(ks_arena *a)
{
    a->used = 0;
    if (a->first) {
        use_block(a, a->first);
    } else {
        a->cur = NULL;
        a->p = a->end = NULL;
    }
}

void ks_arena_free(ks_arena *a)
{
    ks_arena_block *b = a->first;
    while (b) {
        ks_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->first = a->cur = NULL;
    a->p = a->end = NULL;
    a->used = 0;
}
