/* A growable byte buffer for building output (XML, JSON, messages).
 *
 * A buffer owns its bytes. Appending never fails loudly: if memory runs out the
 * buffer keeps what it had, sets `failed`, and ignores further appends, so a long
 * render can be checked once at the end. */
#ifndef KENSA_BUF_H
#define KENSA_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ks_buf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} ks_buf;

/* Make room for n more bytes; returns 0 on success, -1 (and sets failed) if not. */
int ks_buf_reserve(ks_buf *b, size_t n);
void ks_buf_free(ks_buf *b);
void ks_buf_printf(ks_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ks_buf_u64(ks_buf *b, uint64_t v);
void ks_buf_i64(ks_buf *b, int64_t v);
/* "0x" followed by lowercase hex digits without leading zeros (Windows' HexInt form). */
void ks_buf_hex(ks_buf *b, uint64_t v);

static inline void ks_buf_append(ks_buf *b, const void *p, size_t n)
{
    /* nothing to add: p (an absent name) or b->data (an empty buffer) may be NULL,
     * which memcpy does not allow even for 0 bytes */
    if (n == 0) return;
    if (b->cap - b->len < n && ks_buf_reserve(b, n) != 0) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static inline void ks_buf_puts(ks_buf *b, const char *s)
{
    ks_buf_append(b, s, strlen(s));
}

static inline void ks_buf_putc(ks_buf *b, char c)
{
    if (b->cap == b->len && ks_buf_reserve(b, 1) != 0) return;
    b->data[b->len++] = c;
}

static inline void ks_buf_reset(ks_buf *b)
{
    b->len = 0;
}

#endif
