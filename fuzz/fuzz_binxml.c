/* Fuzz target: the input is one record's Binary XML, wrapped in a valid file header,
 * chunk header and record header so that the fuzzer works on tokens, templates,
 * substitutions and nested Binary XML. The checksums are made with zlib, so the
 * reader's own CRC-32 is checked on the way. The first three bytes choose the layout
 * (below); the Binary XML sits at a fixed chunk offset, so its offsets stay valid. */
#include <stdlib.h>
#include <zlib.h>

#include "fuzz_common.h"

/* Input: [options] [split, 16 bits LE] [bytes...]
 *   options bit 0: the records' ids lie outside the chunk's range (leftover data,
 *                  read with strict type checks)
 *   options bits 1-2, the layout of the bytes:
 *     0  one record holding all of them
 *     1  two records, the first holding `split` bytes and the second the rest (the
 *        second may refer back to templates and names of the first)
 *     2  one record of `split` bytes, the rest placed after it, past the chunk's
 *        free-space offset, where template definitions and names can be referred to
 *     3  one record of all the bytes, twice (the copy meets its templates
 *        already compiled, and its inline definitions become references)
 * The first record's Binary XML starts at chunk offset 536 (512 + 24); a second
 * record's at 536 + split + 28. */
#define REC_HDR 24
#define REC_BX (512 + REC_HDR)

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* Write a record holding n bytes of Binary XML at p; returns its size. */
static uint32_t record(uint8_t *p, uint64_t id, const uint8_t *bx, uint32_t n)
{
    uint32_t size = REC_HDR + n + 4;
    put32(p, 0x00002a2a);
    put32(p + 4, size);
    put64(p + 8, id);
    put64(p + 16, UINT64_C(133500000000000000)); /* 2024-01-18 */
    memcpy(p + REC_HDR, bx, n);
    put32(p + REC_HDR + n, size);
    return size;
}

/* The checksums here are right (zlib computed them), so the reader's own CRC-32
 * must agree: a checksum complaint is a bug in it. */
static void problem(void *ctx, const ks_evtx_problem *p)
{
    if (p->status == KS_ERR_CHECKSUM) {
        fprintf(stderr, "fuzz_binxml: correct checksum reported as wrong: %s\n", p->what);
        abort();
    }
    ks_fz_problem(ctx, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    unsigned opts = data[0], layout = (opts >> 1) & 3;
    const uint8_t *bx = data + 3;
    /* room in a chunk for two record headers and the bytes */
    size_t max = KS_EVTX_CHUNK_SIZE - 512 - 2 * (REC_HDR + 4);
    uint32_t n = (uint32_t)(size - 3 < max ? size - 3 : max);
    uint32_t split = (uint32_t)(data[1] | (data[2] << 8));
    if (layout == 3 && n > max / 2) n = (uint32_t)(max / 2);
    if (layout == 0 || layout == 3 || split > n) split = n;
    uint64_t id = opts & 1 ? 1000 : 1;
    int two = layout == 1 || layout == 3;
    uint32_t total = 512 + (REC_HDR + 4) * (two ? 2 : 1) + n * (layout == 3 ? 2 : 1);
    uint8_t *file = calloc(1, KS_EVTX_HEADER_SIZE + total); /* exact: overreads are caught */
    if (!file) return 0;
    uint8_t *h = file;
    memcpy(h, "ElfFile", 8);
    put64(h + 24, 3); /* next record id */
    put32(h + 32, 128);
    h[36] = 1;    /* minor version */
    h[38] = 3;    /* major version */
    h[41] = 0x10; /* header block size 4096 */
    h[42] = 1;    /* chunk count */
    put32(h + 124, (uint32_t)crc32(0, h, 120));

    uint8_t *ck = file + KS_EVTX_HEADER_SIZE;
    uint32_t pos = 512, last = 512;
    pos += record(ck + pos, id, bx, split);
    if (two) {
        last = pos;
        pos += layout == 1 ? record(ck + pos, id + 1, bx + split, n - split)
                           : record(ck + pos, id + 1, bx, split);
    } else if (layout == 2) {
        memcpy(ck + pos, bx + split, n - split);
    }
    memcpy(ck, "ElfChnk", 8);
    put64(ck + 8, 1);  /* first record number */
    put64(ck + 16, 2); /* last record number */
    put64(ck + 24, 1); /* first record id */
    put64(ck + 32, 2); /* last record id */
    put32(ck + 40, 128);
    put32(ck + 44, last);
    put32(ck + 48, pos); /* free-space offset */
    put32(ck + 52, (uint32_t)crc32(0, ck + 512, pos - 512));
    put32(ck + 124, (uint32_t)crc32(crc32(0, ck, 120), ck + 128, 384));

    size_t problems = 0;
    ks_evtx *r = NULL;
    ks_buf out = {0};
    if (ks_evtx_open_mem(&r, file, KS_EVTX_HEADER_SIZE + total, "fuzz.evtx", NULL) == KS_OK) {
        ks_evtx_on_problem(r, problem, &problems);
        const ks_evtx_record *rec;
        while (ks_evtx_next(r, &rec) == KS_OK && rec) ks_fz_record(rec, &out);
        ks_evtx_close(&r);
    }
    ks_buf_free(&out);
    free(file);
    return 0;
}
