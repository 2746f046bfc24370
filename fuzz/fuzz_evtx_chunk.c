/* Fuzz target: the input is one chunk. A valid file header is put in front so that
 * the fuzzer spends its time in chunk, record and Binary XML code; the chunk is
 * padded with zeros to its 512-byte header and cut at 64 KiB, then walked with a
 * cursor (twice for odd sizes, so that a reload meets the previous chunk's caches). */
#include <stdlib.h>
#include <zlib.h>

#include "fuzz_common.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* A file header claiming one chunk, with a correct checksum. */
static void file_header(uint8_t *h)
{
    memset(h, 0, KS_EVTX_HEADER_SIZE);
    memcpy(h, "ElfFile", 8);
    h[24] = 1;    /* next record id */
    h[32] = 128;  /* header size */
    h[36] = 1;    /* minor version */
    h[38] = 3;    /* major version */
    h[41] = 0x10; /* header block size 4096 */
    h[42] = 1;    /* chunk count */
    put32(h + 124, (uint32_t)crc32(0, h, 120));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size < 512 ? 512 : size > KS_EVTX_CHUNK_SIZE ? KS_EVTX_CHUNK_SIZE : size;
    uint8_t *file = malloc(KS_EVTX_HEADER_SIZE + n); /* exact size: overreads are caught */
    if (!file) return 0;
    file_header(file);
    memcpy(file + KS_EVTX_HEADER_SIZE, data, size < n ? size : n);
    memset(file + KS_EVTX_HEADER_SIZE + (size < n ? size : n), 0, n - (size < n ? size : n));

    size_t problems = 0;
    ks_evtx *r = NULL;
    ks_evtx_cursor *c = NULL;
    ks_buf out = {0};
    if (ks_evtx_open_mem(&r, file, KS_EVTX_HEADER_SIZE + n, "fuzz.evtx", NULL) != KS_OK) goto out;
    if (ks_evtx_cursor_open(&c, r) != KS_OK) goto out;
    ks_evtx_cursor_on_problem(c, ks_fz_problem, &problems);
    const ks_evtx_record *rec;
    if (ks_evtx_cursor_chunk(c, 0) == KS_OK)
        while (ks_evtx_cursor_next(c, &rec) == KS_OK && rec) ks_fz_record(rec, &out);
    if ((size & 1) && ks_evtx_cursor_chunk(c, 0) == KS_OK)
        while (ks_evtx_cursor_next(c, &rec) == KS_OK && rec) problems += rec->size;
    ks_evtx_cursor_chunk(c, 1); /* past the end: refused */
    problems += ks_evtx_cursor_stats(c)->records;
out:
    ks_buf_free(&out);
    ks_evtx_cursor_close(&c);
    ks_evtx_close(&r);
    free(file);
    return 0;
}
