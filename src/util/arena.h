/* Arena: bump allocation for short-lived objects (a chunk's templates, a record's
 * nodes), freed all at once by reset. Blocks are kept across resets so that steady
 * state allocates nothing. A limit bounds what hostile input can make us allocate. */
#ifndef KS_UTIL_ARENA_H
#define KS_UTIL_ARENA_H

#include <stddef.h>

typedef struct ks_arena_block ks_arena_block;

typedef struct ks_arena {
    ks_arena_block *first, *cur;
    char *p, *end;
    size_t used;  /* bytes handed out since the last reset */
    size_t limit; /* 0: no limit */
} ks_arena;

/* 8-byte aligned memory, or NULL when out of memory or over the limit. */
void *ks_arena_alloc_slow(ks_arena *a, size_t n);

static inline void *ks_arena_alloc(ks_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (n && (size_t)(a->end - a->p) >= n && (!a->limit || a->used + n <= a->limit)) {
        void *r = a->p;
        a->p += n;
        a->used += n;
        return r;
    }
    return ks_arena_alloc_slow(a, n);
}
void ks_arena_reset(ks_arena *a);
void ks_arena_free(ks_arena *a);

#endif
