/* Structure walks of the formats that are high-entropy by nature (PNG, gzip, zip and
 * its Office family, JPEG, PDF streams, 7z, xz, compressed DICOM): lengths, markers and
 * checksums are followed through the stream so that encrypted bytes show up as a break
 * instead of passing for compressed data. Deflate data is inflated (into a scratch
 * buffer) to check its CRC; nothing is kept. Every loop consumes input or ends. */
#include <archive.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "backup/stream.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Inflate from the walker position, consuming at most limit input bytes as payload.
 * window_bits: -15 raw deflate, 15 zlib. Fills the CRC-32 and length of the output.
 * Returns 1 at the end of the deflate stream, 0 after ks_bk_break. */
static int inflate_run(ks_bk_stream *s, int window_bits, uint64_t limit, uint32_t *ocrc,
                       uint64_t *olen, const char *what)
{
    enum { OUT = KS_BK_SCRATCH };
    uint8_t *out = s->scratch;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, window_bits) != Z_OK) {
        return ks_bk_break(s, ks_bk_offset(s), "%s: out of memory", what);
    }
    uint32_t crc = (uint32_t)crc32(0, NULL, 0);
    uint64_t used_total = 0, produced = 0;
    int ok = 0;
    for (;;) {
        size_t avail = s->len - s->pos;
        if (avail == 0) avail = ks_bk_need(s, KS_BK_BUF / 2);
        if (avail > limit - used_total) avail = (size_t)(limit - used_total);
        if (avail == 0) {
            ks_bk_break(s, ks_bk_offset(s), "%s: the data ends inside deflate data", what);
            break;
        }
        z.next_in = (Bytef *)ks_bk_ptr(s);
        z.avail_in = (uInt)(avail > (1u << 30) ? (1u << 30) : avail);
        uInt given = z.avail_in;
        z.next_out = out;
        z.avail_out = OUT;
        int r = inflate(&z, Z_NO_FLUSH);
        size_t used = given - z.avail_in, made = OUT - z.avail_out;
        crc = (uint32_t)crc32(crc, out, (uInt)made);
        produced += made;
        uint64_t at = ks_bk_offset(s) + used;
        ks_bk_skip(s, used, 1, NULL);
        used_total += used;
        if (r == Z_STREAM_END) {
            ok = 1;
            break;
        }
        if (r == Z_OK) continue;
        if (r == Z_BUF_ERROR && (used || made)) continue;
        ks_bk_break(s, at, "%s: deflate data invalid (%s)", what,
                    z.msg ? z.msg : (r == Z_BUF_ERROR ? "cut off" : "error"));
        break;
    }
    inflateEnd(&z);
    *ocrc = crc;
    *olen = produced;
    return ok;
}

/* --- PNG ------------------------------------------------------------------------ */

int ks_bk_walk_png(ks_bk_stream *s)
{
    ks_bk_skip(s, 8, 0, NULL);
    for (unsigned i = 0;; i++) {
        uint64_t off = ks_bk_offset(s);
        if (ks_bk_need(s, 8) < 8) return ks_bk_break(s, off, "PNG ends before IEND (chunk %u)", i);
        const uint8_t *p = ks_bk_ptr(s);
        uint32_t len = be32(p);
        char type[5];
        memcpy(type, p + 4, 4);
        type[4] = 0;
        if (len > 0x7fffffffu) return ks_bk_break(s, off, "PNG chunk %u length %u invalid", i, len);
        for (int k = 0; k < 4; k++) {
            char c = type[k];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                return ks_bk_break(s, off, "PNG chunk %u type is not four letters", i);
        }
        uint32_t crc = (uint32_t)crc32(0, NULL, 0);
        ks_bk_skip(s, 4, 0, NULL);
        ks_bk_skip(s, 4, 0, &crc);
        if (ks_bk_skip(s, len, 1, &crc) < len || ks_bk_need(s, 4) < 4)
            return ks_bk_break(s, off, "PNG chunk %s cut off", type);
        uint32_t stored = be32(ks_bk_ptr(s));
        ks_bk_skip(s, 4, 0, NULL);
        if (stored != crc)
            return ks_bk_break(s, off, "PNG chunk %s CRC mismatch (stored %08x, computed %08x)",
                               type, stored, crc);
        if (strcmp(type, "IEND") == 0) return 1;
    }
}

/* --- gzip ------------------------------------------------------------------------ */

static int skip_cstring(ks_bk_stream *s)
{
    for (unsigned guard = 0; guard < 64; guard++) {
        size_t avail = ks_bk_need(s, 4096);
        if (!avail) return 0;
        const uint8_t *z = memchr(ks_bk_ptr(s), 0, avail);
        if (z) {
            ks_bk_skip(s, (uint64_t)(z - ks_bk_ptr(s)) + 1, 0, NULL);
            return 1;
        }
        ks_bk_skip(s, avail, 0, NULL);
    }
    return 0;
}

int ks_bk_walk_gzip(ks_bk_stream *s)
{
    for (unsigned member = 0;; member++) {
        uint64_t off = ks_bk_offset(s);
        size_t avail = ks_bk_need(s, 10);
        if (member > 0 && avail == 0) return 1;
        const uint8_t *p = ks_bk_ptr(s);
        if (avail < 10 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8) {
            if (member > 0) return 1; /* trailing bytes (often zeros) after the last member */
            return ks_bk_break(s, off, "gzip header cut off");
        }
        uint8_t flg = p[3];
        if (flg & 0xe0) return ks_bk_break(s, off, "gzip reserved flags set (0x%02x)", flg);
        ks_bk_skip(s, 10, 0, NULL);
        if (flg & 4) {
            if (ks_bk_need(s, 2) < 2) return ks_bk_break(s, off, "gzip extra field cut off");
            uint16_t xlen = le16(ks_bk_ptr(s));
            if (ks_bk_skip(s, 2u + xlen, 0, NULL) < 2u + xlen)
                return ks_bk_break(s, off, "gzip extra field cut off");
        }
        if ((flg & 8) && !skip_cstring(s)) return ks_bk_break(s, off, "gzip name not ended");
        if ((flg & 16) && !skip_cstring(s)) return ks_bk_break(s, off, "gzip comment not ended");
        if ((flg & 2) && ks_bk_skip(s, 2, 0, NULL) < 2)
            return ks_bk_break(s, off, "gzip header cut off");
        uint32_t crc;
        uint64_t len;
        if (s->quick) { /* the end of the data is only known by inflating it */
            snprintf(s->out->subtype, sizeof s->out->subtype, "(data not decoded)");
            ks_bk_skip(s, UINT64_MAX, 1, NULL);
            return 1;
        }
        if (!inflate_run(s, -15, UINT64_MAX, &crc, &len, "gzip")) return 0;
        uint64_t toff = ks_bk_offset(s);
        if (ks_bk_need(s, 8) < 8) return ks_bk_break(s, toff, "gzip trailer cut off");
        p = ks_bk_ptr(s);
        uint32_t scrc = le32(p), ssize = le32(p + 4);
        ks_bk_skip(s, 8, 0, NULL);
        if (scrc != crc)
            return ks_bk_break(s, toff, "gzip CRC mismatch (stored %08x, data %08x)", scrc, crc);
        if (ssize != (uint32_t)len)
            return ks_bk_break(s, toff, "gzip size mismatch (stored %u, data %u)", ssize,
                               (uint32_t)len);
    }
}

/* --- zip ------------------------------------------------------------------------- */

#define ZIP_MAX_CRCS (1u << 20)

typedef struct zip_state {
    uint32_t *crcs;
    uint32_t n, cap;
} zip_state;

static void zip_push(zip_state *z, uint32_t crc)
{
    if (z->n == z->cap) {
        if (z->cap >= ZIP_MAX_CRCS) return;
        uint32_t cap = z->cap ? z->cap * 2 : 256;
        uint32_t *v = realloc(z->crcs, cap * sizeof *v);
        if (!v) return;
        z->crcs = v;
        z->cap = cap;
    }
    z->crcs[z->n++] = crc;
}

static int zip_local(ks_bk_stream *s, zip_state *zs, unsigned idx)
{
    uint64_t off = ks_bk_offset(s);
    if (ks_bk_need(s, 30) < 30) return ks_bk_break(s, off, "zip local header cut off");
    const uint8_t *p = ks_bk_ptr(s);
    uint16_t flags = le16(p + 6), method = le16(p + 8), nlen = le16(p + 26), xlen = le16(p + 28);
    uint32_t hcrc = le32(p + 14);
    uint64_t csize = le32(p + 18), usize = le32(p + 22);
    ks_bk_skip(s, 30, 0, NULL);
    if (ks_bk_need(s, nlen) < nlen) return ks_bk_break(s, off, "zip name cut off");
    if (idx == 0) {
        const char *name = (const char *)ks_bk_ptr(s);
        if (nlen == 19 && memcmp(name, "[Content_Types].xml", 19) == 0)
            snprintf(s->out->subtype, sizeof s->out->subtype, "(Office Open XML)");
        else if (nlen == 8 && memcmp(name, "mimetype", 8) == 0)
            snprintf(s->out->subtype, sizeof s->out->subtype, "(OpenDocument)");
    } else if (nlen == 19 && memcmp(ks_bk_ptr(s), "[Content_Types].xml", 19) == 0) {
        snprintf(s->out->subtype, sizeof s->out->subtype, "(Office Open XML)");
    }
    ks_bk_skip(s, nlen, 0, NULL);
    if (ks_bk_need(s, xlen) < xlen) return ks_bk_break(s, off, "zip extra field cut off");
    p = ks_bk_ptr(s);
    for (size_t i = 0; i + 4 <= xlen;) {
        uint16_t id = le16(p + i), sz = le16(p + i + 2);
        if (i + 4u + sz > xlen) break;
        if (id == 1) { /* zip64: the sizes that are 0xffffffff, in this order */
            size_t k = i + 4;
            if (usize == 0xffffffffu && k + 8 <= i + 4u + sz) usize = le64(p + k), k += 8;
            if (csize == 0xffffffffu && k + 8 <= i + 4u + sz) csize = le64(p + k), k += 8;
        }
        i += 4u + sz;
    }
    ks_bk_skip(s, xlen, 0, NULL);
    int descriptor = (flags & 8) != 0;
    if (flags & 1) { /* password-protected: random by design, nothing to check */
        snprintf(s->out->subtype, sizeof s->out->subtype, "(password-protected)");
        if (descriptor && csize == 0) {
            ks_bk_skip(s, UINT64_MAX, 1, NULL);
            return 2;
        }
        if (ks_bk_skip(s, csize, 1, NULL) < csize) return ks_bk_break(s, off, "zip data cut off");
        zip_push(zs, hcrc);
        return 1;
    }
    uint32_t crc = (uint32_t)crc32(0, NULL, 0);
    if (method == 8 && s->quick && !(descriptor && csize == 0)) {
        if (ks_bk_skip(s, csize, 1, NULL) < csize) return ks_bk_break(s, off, "zip data cut off");
        zip_push(zs, hcrc);
        if (descriptor) {
            if (ks_bk_need(s, 16) < 12) return ks_bk_break(s, off, "zip data descriptor cut off");
            size_t k = le32(ks_bk_ptr(s)) == 0x08074b50u ? 4 : 0;
            ks_bk_skip(s, k + 12, 0, NULL);
        }
        return 1;
    }
    if (method == 8) {
        uint64_t before = ks_bk_offset(s), len;
        uint64_t limit = descriptor && csize == 0 ? UINT64_MAX : csize;
        if (!inflate_run(s, -15, limit, &crc, &len, "zip entry")) return 0;
        if (!descriptor && ks_bk_offset(s) - before != csize)
            return ks_bk_break(s, off, "zip entry %u: compressed size %llu, deflate data %llu", idx,
                               (unsigned long long)csize,
                               (unsigned long long)(ks_bk_offset(s) - before));
        (void)usize;
    } else if (method == 0 && !(descriptor && csize == 0)) {
        if (ks_bk_skip(s, csize, 1, &crc) < csize) return ks_bk_break(s, off, "zip data cut off");
    } else {
        /* other methods (bzip2, LZMA, zstd, ...) or a stored entry of unknown size */
        if (descriptor && csize == 0) {
            ks_bk_skip(s, UINT64_MAX, 1, NULL);
            return 2;
        }
        if (ks_bk_skip(s, csize, 1, NULL) < csize) return ks_bk_break(s, off, "zip data cut off");
        zip_push(zs, hcrc);
        return 1;
    }
    uint32_t want = hcrc;
    if (descriptor) {
        uint64_t doff = ks_bk_offset(s);
        if (ks_bk_need(s, 16) < 12) return ks_bk_break(s, doff, "zip data descriptor cut off");
        p = ks_bk_ptr(s);
        size_t k = le32(p) == 0x08074b50u ? 4 : 0;
        want = le32(p + k);
        /* sizes: 4+4, or 8+8 for zip64; the next signature says which */
        size_t dlen = k + 12;
        if (ks_bk_need(s, k + 24) >= k + 24) { /* may move the buffer: p again */
            p = ks_bk_ptr(s);
            uint32_t next = le32(p + k + 12);
            if (next != 0x04034b50u && next != 0x02014b50u && next != 0x06054b50u &&
                next != 0x06064b50u)
                dlen = k + 20;
        }
        ks_bk_skip(s, dlen, 0, NULL);
    }
    if (want != crc)
        return ks_bk_break(s, off, "zip entry %u CRC mismatch (stored %08x, data %08x)", idx, want,
                           crc);
    zip_push(zs, crc);
    return 1;
}

int ks_bk_walk_zip(ks_bk_stream *s)
{
    zip_state zs = {0};
    if (ks_bk_need(s, 4) >= 4 && memcmp(ks_bk_ptr(s), "JM\x01\x00", 4) == 0) {
        snprintf(s->out->subtype, sizeof s->out->subtype, "(JMOD)");
        ks_bk_skip(s, 4, 0, NULL);
    }
    unsigned locals = 0, centrals = 0;
    int ret = 0;
    for (;;) {
        uint64_t off = ks_bk_offset(s);
        if (ks_bk_need(s, 4) < 4) {
            ks_bk_break(s, off, "zip ends before its end of central directory");
            break;
        }
        uint32_t sig = le32(ks_bk_ptr(s));
        if (sig == 0x04034b50u) {
            if (centrals) {
                ks_bk_break(s, off, "zip local header after the central directory");
                break;
            }
            int r = zip_local(s, &zs, locals++);
            if (r == 0) break;
            if (r == 2) { /* the rest cannot be followed; it was consumed as payload */
                ret = 1;
                break;
            }
        } else if (sig == 0x02014b50u) {
            if (ks_bk_need(s, 46) < 46) {
                ks_bk_break(s, off, "zip central directory cut off");
                break;
            }
            const uint8_t *p = ks_bk_ptr(s);
            uint32_t crc = le32(p + 16);
            uint64_t len = 46u + le16(p + 28) + le16(p + 30) + le16(p + 32);
            if (centrals < zs.n && zs.crcs[centrals] != crc) {
                ks_bk_break(s, off,
                            "zip central directory CRC of entry %u (%08x) differs from its data "
                            "(%08x)",
                            centrals, crc, zs.crcs[centrals]);
                break;
            }
            centrals++;
            if (ks_bk_skip(s, len, 0, NULL) < len) {
                ks_bk_break(s, off, "zip central directory cut off");
                break;
            }
        } else if (sig == 0x06054b50u) {
            if (ks_bk_need(s, 22) < 22) {
                ks_bk_break(s, off, "zip end record cut off");
                break;
            }
            const uint8_t *p = ks_bk_ptr(s);
            uint16_t total = le16(p + 10), clen = le16(p + 20);
            if (total != 0xffff && total != (uint16_t)centrals) {
                ks_bk_break(s, off, "zip end record counts %u entries, the directory has %u", total,
                            centrals);
                break;
            }
            if (centrals != locals) {
                ks_bk_break(s, off, "zip has %u entries but %u directory records", locals,
                            centrals);
                break;
            }
            ks_bk_skip(s, 22u + clen, 0, NULL);
            ret = 1;
            break;
        } else if (sig == 0x06064b50u) {
            if (ks_bk_need(s, 12) < 12) {
                ks_bk_break(s, off, "zip64 end record cut off");
                break;
            }
            uint64_t len = 12 + le64(ks_bk_ptr(s) + 4);
            if (ks_bk_skip(s, len, 0, NULL) < len) {
                ks_bk_break(s, off, "zip64 end record cut off");
                break;
            }
        } else if (sig == 0x07064b50u) {
            ks_bk_skip(s, 20, 0, NULL);
        } else if (sig == 0x05054b50u) {
            if (ks_bk_need(s, 6) < 6) {
                ks_bk_break(s, off, "zip signature record cut off");
                break;
            }
            ks_bk_skip(s, 6u + le16(ks_bk_ptr(s) + 4), 0, NULL);
        } else {
            ks_bk_break(s, off, "zip record with unknown signature %08x", sig);
            break;
        }
    }
    free(zs.crcs);
    return ret;
}

/* --- JPEG ------------------------------------------------------------------------ */

/* Markers that may end entropy-coded data (the next segment or the end). */
static int jpeg_marker_after_scan(uint8_t m)
{
    return (m >= 0xc0 && m <= 0xcf && m != 0xc8) || (m >= 0xd9 && m <= 0xdf) ||
           (m >= 0xe0 && m <= 0xef) || m == 0xfe;
}

int ks_bk_walk_jpeg(ks_bk_stream *s, uint64_t length)
{
    uint64_t start = ks_bk_offset(s);
    uint64_t end = length == UINT64_MAX ? UINT64_MAX : start + length;
    if (ks_bk_need(s, 2) < 2 || ks_bk_ptr(s)[0] != 0xff || ks_bk_ptr(s)[1] != 0xd8)
        return ks_bk_break(s, start, "JPEG without a start-of-image marker");
    ks_bk_skip(s, 2, 0, NULL);
    unsigned restart = 0;
    for (;;) {
        uint64_t off = ks_bk_offset(s);
        if (off + 2 > end || ks_bk_need(s, 2) < 2)
            return ks_bk_break(s, off, "JPEG ends before its end-of-image marker");
        const uint8_t *p = ks_bk_ptr(s);
        if (p[0] != 0xff)
            return ks_bk_break(s, off, "JPEG: expected a marker, found byte %02x", p[0]);
        uint8_t m = p[1];
        if (m == 0xff) {
            ks_bk_skip(s, 1, 0, NULL);
            continue;
        }
        if (m == 0xd9) {
            ks_bk_skip(s, 2, 0, NULL);
            return 1;
        }
        if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) {
            ks_bk_skip(s, 2, 0, NULL);
            continue;
        }
        if (m == 0x00 || !jpeg_marker_after_scan(m))
            return ks_bk_break(s, off, "JPEG: invalid marker ff%02x", m);
        if (ks_bk_need(s, 6) < 4) return ks_bk_break(s, off, "JPEG segment cut off");
        p = ks_bk_ptr(s);
        uint16_t len = be16(p + 2);
        if (len < 2) return ks_bk_break(s, off, "JPEG segment ff%02x length %u", m, len);
        if (m == 0xdd && len >= 4) restart = be16(p + 4);
        ks_bk_skip(s, 2, 0, NULL);
        if (off + 2 + len > end || ks_bk_skip(s, len, m >= 0xe0, NULL) < len)
            return ks_bk_break(s, off, "JPEG segment ff%02x cut off", m);
        if (m != 0xda) continue;
        /* entropy-coded data: 0xff only as ff00, RSTn in order, or the next marker */
        unsigned rst = 0;
        for (;;) {
            uint64_t at = ks_bk_offset(s);
            size_t avail = ks_bk_need(s, 4096);
            if (end != UINT64_MAX && avail > end - at) avail = (size_t)(end - at);
            if (avail < 2) return ks_bk_break(s, at, "JPEG ends inside scan data");
            const uint8_t *q = ks_bk_ptr(s);
            const uint8_t *ff = memchr(q, 0xff, avail - 1);
            if (!ff) {
                ks_bk_skip(s, avail - 1, 1, NULL);
                continue;
            }
            ks_bk_skip(s, (uint64_t)(ff - q), 1, NULL);
            at = ks_bk_offset(s);
            uint8_t n2 = ks_bk_ptr(s)[1];
            if (n2 == 0x00) {
                ks_bk_skip(s, 2, 1, NULL);
            } else if (n2 == 0xff) {
                ks_bk_skip(s, 1, 1, NULL);
            } else if (n2 >= 0xd0 && n2 <= 0xd7) {
                if (restart && (unsigned)(n2 - 0xd0) != (rst & 7))
                    return ks_bk_break(s, at, "JPEG restart marker RST%u out of order (RST%u due)",
                                       n2 - 0xd0u, rst & 7);
                rst++;
                ks_bk_skip(s, 2, 1, NULL);
            } else if (jpeg_marker_after_scan(n2)) {
                break;
            } else {
                return ks_bk_break(s, at, "JPEG: invalid marker ff%02x in scan data", n2);
            }
        }
    }
}

/* --- PDF ------------------------------------------------------------------------- */

#define PDF_WIN 2048

static const uint8_t *find(const uint8_t *p, size_t n, const char *w)
{
    return memmem(p, n, w, strlen(w));
}

/* Keep the last bytes of plain PDF text (the dictionary before "stream"). */
static void pdf_window(uint8_t *win, size_t *wn, const uint8_t *p, size_t n)
{
    if (n >= PDF_WIN) {
        memcpy(win, p + n - PDF_WIN, PDF_WIN);
        *wn = PDF_WIN;
        return;
    }
    size_t keep = *wn + n > PDF_WIN ? PDF_WIN - n : *wn;
    memmove(win, win + *wn - keep, keep);
    memcpy(win + keep, p, n);
    *wn = keep + n;
}

/* The stream's /Length if it is a direct number, else UINT64_MAX; and its filter. */
static void pdf_dict(const uint8_t *win, size_t wn, uint64_t *length, int *flate, int *dct)
{
    *length = UINT64_MAX;
    *flate = *dct = 0;
    /* the dictionary starts after the last "obj" */
    const uint8_t *d = win, *q;
    while ((q = find(d, wn - (size_t)(d - win), " obj")) != NULL) d = q + 4;
    size_t dn = wn - (size_t)(d - win);
    *flate = find(d, dn, "/FlateDecode") != NULL;
    *dct = find(d, dn, "/DCTDecode") != NULL;
    const uint8_t *l = find(d, dn, "/Length");
    if (!l || (l + 7 < d + dn && l[7] >= '0' && l[7] <= '9')) return; /* /Length1.. of fonts */
    const uint8_t *e = d + dn;
    l += 7;
    while (l < e && (*l == ' ' || *l == '\r' || *l == '\n')) l++;
    uint64_t v = 0;
    int digits = 0;
    while (l < e && *l >= '0' && *l <= '9' && digits < 15)
        v = v * 10 + (uint64_t)(*l++ - '0'), digits++;
    if (!digits) return;
    /* "12 0 R" is a reference to the length, not the length */
    const uint8_t *r = l;
    while (r < e && *r == ' ') r++;
    if (r < e && *r >= '0' && *r <= '9') return;
    *length = v;
}

/* Move to just after "endstream" (searched within limit bytes); 1 if found. */
static int pdf_to_endstream(ks_bk_stream *s, uint64_t limit)
{
    uint64_t done = 0;
    while (done < limit) {
        size_t avail = ks_bk_need(s, 64 * 1024);
        if (avail < 9) return 0;
        const uint8_t *e = find(ks_bk_ptr(s), avail, "endstream");
        if (e) {
            ks_bk_skip(s, (uint64_t)(e - ks_bk_ptr(s)), 1, NULL);
            ks_bk_skip(s, 9, 0, NULL);
            return 1;
        }
        ks_bk_skip(s, avail - 8, 1, NULL);
        done += avail - 8;
    }
    return 0;
}

int ks_bk_walk_pdf(ks_bk_stream *s)
{
    uint8_t win[PDF_WIN];
    size_t wn = 0;
    int encrypted = 0, failed = 0;
    uint64_t fail_off = 0;
    char fail_what[96] = "";
    unsigned streams = 0;
    for (;;) {
        size_t avail = ks_bk_need(s, 64 * 1024);
        if (avail == 0) break;
        const uint8_t *p = ks_bk_ptr(s);
        const uint8_t *k = find(p, avail, "stream");
        /* "endstream" and "stream" not at a dictionary's end are not stream starts */
        size_t text = k ? (size_t)(k - p) : (avail > 16 ? avail - 16 : avail);
        if (!k && avail <= 16) text = avail;
        if (find(p, text, "/Encrypt")) encrypted = 1;
        pdf_window(win, &wn, p, text);
        ks_bk_skip(s, text, 0, NULL);
        if (!k) {
            if (s->eof && s->len == s->pos) break;
            continue;
        }
        /* at "stream" */
        if (ks_bk_need(s, 8) < 8) break;
        p = ks_bk_ptr(s);
        size_t eol = p[6] == '\r' && p[7] == '\n' ? 2 : (p[6] == '\n' || p[6] == '\r') ? 1 : 0;
        size_t t = wn;
        while (t && (win[t - 1] == ' ' || win[t - 1] == '\r' || win[t - 1] == '\n')) t--;
        int dict_end = t >= 2 && win[t - 1] == '>' && win[t - 2] == '>';
        if (!eol || !dict_end) {
            pdf_window(win, &wn, p, 6);
            ks_bk_skip(s, 6, 0, NULL);
            continue;
        }
        uint64_t length;
        int flate, dct;
        pdf_dict(win, wn, &length, &flate, &dct);
        ks_bk_skip(s, 6 + eol, 0, NULL);
        uint64_t off = ks_bk_offset(s);
        streams++;
        int ok = 1;
        if (flate && !encrypted && !s->quick && ks_bk_need(s, 2) >= 2 &&
            (ks_bk_ptr(s)[0] & 0x0f) == 8 &&
            ((unsigned)ks_bk_ptr(s)[0] << 8 | ks_bk_ptr(s)[1]) % 31 == 0) {
            uint32_t crc;
            uint64_t len;
            /* a break is recorded by inflate_run; undo it if the file turns out to be a
             * password-protected PDF (its streams are encrypted by design) */
            int was = s->broken;
            ok = inflate_run(s, 15, length, &crc, &len, "PDF stream");
            if (!ok && !was && !failed) {
                failed = 1;
                fail_off = s->out->structure_offset;
                snprintf(fail_what, sizeof fail_what, "%.90s", s->out->structure_what);
                s->broken = 0;
                s->out->structure = KS_BS_NONE;
                s->out->structure_what[0] = 0;
            }
        } else if (dct && length != UINT64_MAX && !encrypted && !s->quick) {
            int was = s->broken;
            ok = ks_bk_walk_jpeg(s, length);
            if (!ok && !was && !failed) {
                failed = 1;
                fail_off = s->out->structure_offset;
                snprintf(fail_what, sizeof fail_what, "image stream: %.80s",
                         s->out->structure_what);
                s->broken = 0;
                s->out->structure = KS_BS_NONE;
                s->out->structure_what[0] = 0;
            }
        } else if (length != UINT64_MAX) {
            ks_bk_skip(s, length, 1, NULL);
        }
        if (!pdf_to_endstream(s, ok && length != UINT64_MAX ? 4096 : UINT64_MAX)) {
            if (!failed) {
                failed = 1;
                fail_off = off;
                snprintf(fail_what, sizeof fail_what, "PDF stream %u has no endstream", streams);
            }
            if (!pdf_to_endstream(s, UINT64_MAX)) break;
        }
        wn = 0;
    }
    if (failed && !encrypted) return ks_bk_break(s, fail_off, "%s", fail_what);
    if (encrypted) snprintf(s->out->subtype, sizeof s->out->subtype, "(password-protected)");
    if (!find(s->tail, s->tail_len, "%%EOF"))
        return ks_bk_break(s, ks_bk_offset(s), "PDF without %%%%EOF at its end");
    return 1;
}

/* --- 7z, xz ------------------------------------------------------------------------ */

/* 7z keeps its header (coders, CRCs of the unpacked data) at the end: the entries are
 * decoded in a second read that seeks, of the file or of the caller's memory. */
static int walk_7z_entries(ks_bk_stream *s)
{
    if (s->quick || (!s->mem && !s->path)) {
        snprintf(s->out->subtype, sizeof s->out->subtype, "(packed data not checked)");
        return 1;
    }
    struct archive *a = archive_read_new();
    uint8_t *out = s->scratch;
    int ok = 0;
    if (!a) {
        ks_bk_break(s, 0, "7z: out of memory");
        goto out;
    }
    archive_read_support_format_7zip(a);
    int r = s->mem ? archive_read_open_memory(a, s->mem, s->mem_n)
                   : archive_read_open_filename(a, s->path, 256 * 1024);
    if (r != ARCHIVE_OK) {
        ks_bk_break(s, 0, "7z: %s",
                    archive_error_string(a) ? archive_error_string(a) : "unreadable");
        goto out;
    }
    struct archive_entry *e;
    for (unsigned n = 0;; n++) {
        r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF) {
            ok = 1;
            break;
        }
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            ks_bk_break(s, 0, "7z entry %u: %s", n,
                        archive_error_string(a) ? archive_error_string(a) : "unreadable");
            break;
        }
        la_ssize_t got;
        while ((got = archive_read_data(a, out, KS_BK_SCRATCH)) > 0) continue;
        if (got < 0) {
            ks_bk_break(s, 0, "7z entry %u: packed data invalid (%s)", n,
                        archive_error_string(a) ? archive_error_string(a) : "error");
            break;
        }
    }
out:
    if (a) archive_read_free(a);
    return ok;
}

int ks_bk_walk_7z(ks_bk_stream *s)
{
    if (ks_bk_need(s, 32) < 32) return ks_bk_break(s, 0, "7z start header cut off");
    const uint8_t *p = ks_bk_ptr(s);
    uint32_t crc = (uint32_t)crc32(0, p + 12, 20);
    if (crc != le32(p + 8))
        return ks_bk_break(s, 8, "7z start header CRC mismatch (stored %08x, computed %08x)",
                           le32(p + 8), crc);
    uint64_t next_off = le64(p + 12), next_size = le64(p + 20);
    uint32_t next_crc = le32(p + 28);
    ks_bk_skip(s, 32, 0, NULL);
    if (next_size > (1ull << 32)) return ks_bk_break(s, 20, "7z header size invalid");
    if (ks_bk_skip(s, next_off, 1, NULL) < next_off)
        return ks_bk_break(s, ks_bk_offset(s), "7z packed data cut off");
    uint32_t c = (uint32_t)crc32(0, NULL, 0);
    uint64_t hoff = ks_bk_offset(s);
    if (ks_bk_skip(s, next_size, 1, &c) < next_size)
        return ks_bk_break(s, hoff, "7z header cut off");
    if (c != next_crc)
        return ks_bk_break(s, hoff, "7z header CRC mismatch (stored %08x, computed %08x)", next_crc,
                           c);
    return walk_7z_entries(s);
}

/* xz, bzip2 and zstd streams are decoded through libarchive's filters (liblzma, libbz2,
 * libzstd), which check the formats' own CRCs; the output goes to a scratch buffer. */
static la_ssize_t pull(struct archive *a, void *ctx, const void **buf)
{
    ks_bk_stream *s = ctx;
    (void)a;
    size_t avail = s->len - s->pos;
    if (avail == 0) avail = ks_bk_need(s, KS_BK_BUF / 2);
    *buf = ks_bk_ptr(s);
    if (avail) ks_bk_skip(s, avail, 1, NULL); /* stays in buf until the next call */
    return (la_ssize_t)avail;
}

int ks_bk_walk_decode(ks_bk_stream *s, const char *what)
{
    if (s->quick) {
        snprintf(s->out->subtype, sizeof s->out->subtype, "(data not decoded)");
        ks_bk_skip(s, UINT64_MAX, 1, NULL);
        return 1;
    }
    struct archive *a = archive_read_new();
    uint8_t *out = s->scratch;
    if (!a) {
        return ks_bk_break(s, 0, "%s: out of memory", what);
    }
    archive_read_support_filter_xz(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_raw(a);
    int ok = 0;
    struct archive_entry *e;
    if (archive_read_open(a, s, NULL, pull, NULL) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        ks_bk_break(s, 0, "%s: %s", what,
                    archive_error_string(a) ? archive_error_string(a) : "cannot be decoded");
    } else {
        for (;;) {
            la_ssize_t r = archive_read_data(a, out, KS_BK_SCRATCH);
            if (r == 0) {
                ok = 1;
                break;
            }
            if (r < 0) {
                ks_bk_break(s, ks_bk_offset(s), "%s: compressed data invalid (%s)", what,
                            archive_error_string(a) ? archive_error_string(a) : "error");
                break;
            }
        }
    }
    archive_read_free(a);
    return ok;
}

/* --- DICOM ------------------------------------------------------------------------ */

static int vr_long(const uint8_t *v)
{
    static const char *const l[] = {"OB", "OD", "OF", "OL", "OW", "SQ", "UC",
                                    "UR", "UT", "UN", "OV", "SV", "UV"};
    for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
        if (v[0] == (uint8_t)l[i][0] && v[1] == (uint8_t)l[i][1]) return 1;
    return 0;
}

int ks_bk_walk_dicom(ks_bk_stream *s)
{
    ks_bk_skip(s, 132, 0, NULL);
    char ts[65] = "";
    int implicit = 0, in_pixels = 0, jpeg = 0, compressed = 0, rle = 0;
    unsigned fragment = 0;
    for (;;) {
        uint64_t off = ks_bk_offset(s);
        size_t avail = ks_bk_need(s, 12);
        if (avail == 0) return !in_pixels ? 1 : ks_bk_break(s, off, "DICOM pixel data not ended");
        if (avail < 8) return ks_bk_break(s, off, "DICOM element cut off");
        const uint8_t *p = ks_bk_ptr(s);
        uint16_t group = le16(p), elem = le16(p + 2);
        if (group == 0xfffe) {
            uint32_t len = le32(p + 4);
            ks_bk_skip(s, 8, 0, NULL);
            if (elem == 0xe0dd) {
                in_pixels = 0;
            } else if (elem == 0xe000 && in_pixels) {
                if (len == 0xffffffffu) return ks_bk_break(s, off, "DICOM fragment without length");
                uint64_t fs = ks_bk_offset(s);
                if (jpeg && fragment > 0 && len > 0) {
                    if (!ks_bk_walk_jpeg(s, len)) return 0;
                    uint64_t used = ks_bk_offset(s) - fs;
                    if (used < len) ks_bk_skip(s, len - used, 1, NULL);
                } else if (rle && fragment > 0 && len >= 64 && ks_bk_need(s, 64) >= 64) {
                    /* RLE header: 1..15 segments at increasing offsets inside the fragment */
                    const uint8_t *h = ks_bk_ptr(s);
                    uint32_t segs = le32(h), prev = 0;
                    if (segs < 1 || segs > 15)
                        return ks_bk_break(s, fs, "DICOM RLE fragment with %u segments", segs);
                    for (uint32_t k = 0; k < segs; k++) {
                        uint32_t o = le32(h + 4 + 4 * k);
                        if (o < 64 || o <= prev || o >= len)
                            return ks_bk_break(s, fs, "DICOM RLE segment %u offset %u invalid", k,
                                               o);
                        prev = o;
                    }
                    if (ks_bk_skip(s, len, 0, NULL) < len)
                        return ks_bk_break(s, off, "DICOM fragment cut off");
                } else if (ks_bk_skip(s, len, compressed, NULL) < len) {
                    return ks_bk_break(s, off, "DICOM fragment cut off");
                }
                fragment++;
            } else if (elem != 0xe000 && elem != 0xe00d) {
                return ks_bk_break(s, off, "DICOM item tag (fffe,%04x) invalid", elem);
            }
            continue;
        }
        if (group != 2 && ts[0] && !implicit && strcmp(ts, "1.2.840.10008.1.2") == 0) implicit = 1;
        uint32_t len;
        size_t hdr;
        if (implicit && group != 2) {
            len = le32(p + 4);
            hdr = 8;
        } else {
            if (p[4] < 'A' || p[4] > 'Z' || p[5] < 'A' || p[5] > 'Z')
                return ks_bk_break(s, off, "DICOM element (%04x,%04x) has no valid VR", group,
                                   elem);
            if (vr_long(p + 4)) {
                if (avail < 12) return ks_bk_break(s, off, "DICOM element cut off");
                len = le32(p + 8);
                hdr = 12;
            } else {
                len = le16(p + 6);
                hdr = 8;
            }
        }
        ks_bk_skip(s, hdr, 0, NULL);
        if (group == 2 && elem == 0x10 && len < sizeof ts) {
            if (ks_bk_need(s, len) < len) return ks_bk_break(s, off, "DICOM header cut off");
            memcpy(ts, ks_bk_ptr(s), len);
            ts[len] = 0;
            for (size_t t = len; t && (ts[t - 1] == 0 || ts[t - 1] == ' '); t--) ts[t - 1] = 0;
            /* JPEG family: random-looking fragments; RLE (1.2.5) is weak compression and
             * its fragments are judged like plain data */
            compressed = strncmp(ts, "1.2.840.10008.1.2.4.", 20) == 0;
            rle = strcmp(ts, "1.2.840.10008.1.2.5") == 0;
            jpeg = strcmp(ts, "1.2.840.10008.1.2.4.50") == 0 ||
                   strcmp(ts, "1.2.840.10008.1.2.4.51") == 0 ||
                   strcmp(ts, "1.2.840.10008.1.2.4.57") == 0 ||
                   strcmp(ts, "1.2.840.10008.1.2.4.70") == 0;
            snprintf(s->out->subtype, sizeof s->out->subtype, "(%.29s)", ts);
        }
        if (len == 0xffffffffu) {
            if (group == 0x7fe0 && elem == 0x10) {
                in_pixels = 1;
                fragment = 0;
            }
            continue;
        }
        if (ks_bk_skip(s, len, 0, NULL) < len)
            return ks_bk_break(s, off, "DICOM element (%04x,%04x) cut off", group, elem);
    }
}
