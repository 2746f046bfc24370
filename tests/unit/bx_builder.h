/* A small Binary XML builder for tests: writes EVTX files token by token, so that
 * every token type, value type and layout (inline or shared templates and names,
 * nested Binary XML, arrays) can be checked against the reader. Test code only. */
#ifndef KS_TEST_BX_BUILDER_H
#define KS_TEST_BX_BUILDER_H

#include <stdint.h>
#include <string.h>
#include <zlib.h>

typedef struct bxb {
    uint8_t file[4096 + 65536];
    uint8_t *ck;  /* the chunk */
    uint32_t pos; /* write position in the chunk */
    uint32_t rec_start;
    uint64_t next_id;
    struct {
        char name[32];
        uint32_t off;
    } names[64];
    int nnames;
} bxb;

static inline void bx_u8(bxb *b, uint8_t v)
{
    b->ck[b->pos++] = v;
}
static inline void bx_u16(bxb *b, uint16_t v)
{
    bx_u8(b, (uint8_t)v);
    bx_u8(b, (uint8_t)(v >> 8));
}
static inline void bx_u32(bxb *b, uint32_t v)
{
    bx_u16(b, (uint16_t)v);
    bx_u16(b, (uint16_t)(v >> 16));
}
static inline void bx_u64(bxb *b, uint64_t v)
{
    bx_u32(b, (uint32_t)v);
    bx_u32(b, (uint32_t)(v >> 32));
}
static inline void bx_bytes(bxb *b, const void *p, size_t n)
{
    if (n) memcpy(b->ck + b->pos, p, n);
    b->pos += (uint32_t)n;
}
/* ASCII as UTF-16LE, no count */
static inline void bx_utf16(bxb *b, const char *s)
{
    for (; *s; s++) bx_u16(b, (uint8_t)*s);
}

static inline void bx_init(bxb *b)
{
    memset(b, 0, sizeof *b);
    b->ck = b->file + 4096;
    memcpy(b->ck, "ElfChnk", 8);
    b->pos = 512;
    b->next_id = 1;
}

/* A name reference: the offset, then the name itself on first use. */
static inline void bx_name(bxb *b, const char *name)
{
    for (int i = 0; i < b->nnames; i++)
        if (strcmp(b->names[i].name, name) == 0) {
            bx_u32(b, b->names[i].off);
            return;
        }
    uint32_t off = b->pos + 4;
    bx_u32(b, off);
    snprintf(b->names[b->nnames].name, sizeof b->names[0].name, "%s", name);
    b->names[b->nnames++].off = off;
    bx_u32(b, 0); /* next name in the hash chain */
    bx_u16(b, 0); /* hash (unused by readers) */
    bx_u16(b, (uint16_t)strlen(name));
    bx_utf16(b, name);
    bx_u16(b, 0);
}

static inline void bx_fragment(bxb *b)
{
    bx_bytes(b, "\x0f\x01\x01\x00", 4);
}
/* open element; attrs: whether an attribute list follows (its size is patched by
 * bx_attrs_end); dep: write the dependency identifier */
static inline uint32_t bx_open(bxb *b, const char *name, int attrs, int dep)
{
    bx_u8(b, attrs ? 0x41 : 0x01);
    if (dep) bx_u16(b, 0xffff);
    bx_u32(b, 0); /* data size, unused by readers */
    bx_name(b, name);
    uint32_t at = b->pos;
    if (attrs) bx_u32(b, 0);
    return at;
}
static inline void bx_attrs_end(bxb *b, uint32_t at)
{
    uint32_t n = b->pos - at - 4;
    memcpy(b->ck + at, &n, 4);
}
static inline void bx_attr(bxb *b, const char *name)
{
    bx_u8(b, 0x06);
    bx_name(b, name);
}
static inline void bx_close_start(bxb *b)
{
    bx_u8(b, 0x02);
}
static inline void bx_close_empty(bxb *b)
{
    bx_u8(b, 0x03);
}
static inline void bx_end(bxb *b)
{
    bx_u8(b, 0x04);
}
static inline void bx_text(bxb *b, const char *s)
{
    bx_u8(b, 0x05);
    bx_u8(b, 0x01);
    bx_u16(b, (uint16_t)strlen(s));
    bx_utf16(b, s);
}
static inline void bx_subst(bxb *b, uint16_t id, uint8_t type, int optional)
{
    bx_u8(b, optional ? 0x0e : 0x0d);
    bx_u16(b, id);
    bx_u8(b, type);
}
static inline void bx_charref(bxb *b, uint16_t c)
{
    bx_u8(b, 0x08);
    bx_u16(b, c);
}
static inline void bx_entity(bxb *b, const char *name)
{
    bx_u8(b, 0x09);
    bx_name(b, name);
}
static inline void bx_cdata(bxb *b, const char *s)
{
    bx_u8(b, 0x07);
    bx_u16(b, (uint16_t)strlen(s));
    bx_utf16(b, s);
}
static inline void bx_pi(bxb *b, const char *target, const char *data)
{
    bx_u8(b, 0x0a);
    bx_name(b, target);
    bx_u8(b, 0x0b);
    bx_u16(b, (uint16_t)strlen(data));
    bx_utf16(b, data);
}
static inline void bx_eof(bxb *b)
{
    bx_u8(b, 0x00);
}

/* Template instance: returns the definition offset; when def is 0 the definition
 * follows inline and the caller writes its body and then calls bx_template_end. */
static inline uint32_t bx_template(bxb *b, uint32_t def, uint32_t *size_at)
{
    bx_u8(b, 0x0c);
    bx_u8(b, 0x01);
    bx_u32(b, 0x1234); /* template id */
    if (def) {
        bx_u32(b, def);
        return def;
    }
    uint32_t off = b->pos + 4;
    bx_u32(b, off);
    bx_u32(b, 0); /* next template */
    bx_bytes(b, "0123456789abcdef", 16);
    *size_at = b->pos;
    bx_u32(b, 0);
    return off;
}
static inline void bx_template_end(bxb *b, uint32_t size_at)
{
    uint32_t n = b->pos - size_at - 4;
    memcpy(b->ck + size_at, &n, 4);
}
/* substitution array: n values given as (type, bytes, size) */
typedef struct bx_val {
    uint8_t type;
    const void *data;
    uint16_t size;
} bx_val;
static inline void bx_values(bxb *b, const bx_val *v, uint32_t n)
{
    bx_u32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        bx_u16(b, v[i].size);
        bx_u8(b, v[i].type);
        bx_u8(b, 0);
    }
    for (uint32_t i = 0; i < n; i++) bx_bytes(b, v[i].data, v[i].size);
}

static inline void bx_record_begin(bxb *b)
{
    b->rec_start = b->pos;
    bx_bytes(b, "**\0\0", 4);
    bx_u32(b, 0);
    bx_u64(b, b->next_id++);
    bx_u64(b, UINT64_C(131124751716816408)); /* 2016-07-08T18:12:51.6816408Z */
}
static inline void bx_record_end(bxb *b)
{
    while ((b->pos - b->rec_start + 4) % 8) bx_u8(b, 0);
    uint32_t size = b->pos - b->rec_start + 4;
    bx_u32(b, size);
    memcpy(b->ck + b->rec_start + 4, &size, 4);
}

/* Finish chunk and file headers with correct checksums; returns the file size. */
static inline size_t bx_finish(bxb *b)
{
    uint8_t *ck = b->ck;
    uint64_t first = 1, last = b->next_id - 1;
    memcpy(ck + 8, &first, 8);
    memcpy(ck + 16, &last, 8);
    memcpy(ck + 24, &first, 8);
    memcpy(ck + 32, &last, 8);
    uint32_t v = 128;
    memcpy(ck + 40, &v, 4);
    memcpy(ck + 44, &b->rec_start, 4);
    memcpy(ck + 48, &b->pos, 4);
    v = (uint32_t)crc32(0, ck + 512, b->pos - 512);
    memcpy(ck + 52, &v, 4);
    v = (uint32_t)crc32(crc32(0, ck, 120), ck + 128, 384);
    memcpy(ck + 124, &v, 4);
    uint8_t *h = b->file;
    memcpy(h, "ElfFile", 8);
    uint64_t next = b->next_id;
    memcpy(h + 24, &next, 8);
    v = 128;
    memcpy(h + 32, &v, 4);
    uint16_t s16 = 1;
    memcpy(h + 36, &s16, 2);
    s16 = 3;
    memcpy(h + 38, &s16, 2);
    s16 = 4096;
    memcpy(h + 40, &s16, 2);
    s16 = 1;
    memcpy(h + 42, &s16, 2);
    v = (uint32_t)crc32(0, h, 120);
    memcpy(h + 124, &v, 4);
    return sizeof b->file;
}

#endif
