/* Growable output buffer; see include/kensa/buf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kensa/buf.h"

int ks_buf_reserve(ks_buf *b, size_t n)
{
    if (b->failed) return -1;
    if (b->cap - b->len >= n) return 0;
    size_t want = b->len + n;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < want) {
        if (cap > SIZE_MAX / 2) goto fail;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) goto fail;
    b->data = p;
    b->cap = cap;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

void ks_buf_free(ks_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void ks_buf_printf(ks_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        ks_buf_append(b, tmp, (size_t)n);
        return;
    }
    if (ks_buf_reserve(b, (size_t)n + 1) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ks_buf_u64(ks_buf *b, uint64_t v)
{
    char tmp[20];
    int i = 20;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ks_buf_append(b, tmp + i, (size_t)(20 - i));
}

void ks_buf_i64(ks_buf *b, int64_t v)
{
    if (v < 0) {
        ks_buf_putc(b, '-');
        ks_buf_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        ks_buf_u64(b, (uint64_t)v);
    }
}

void ks_buf_hex(ks_buf *b, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[18];
    int i = 18;
    do {
        tmp[--i] = hex[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    ks_buf_append(b, tmp + i, (size_t)(18 - i));
}
