/* kensa prove / verify-proof: that one record is in the sealed archive, shown to
 * someone who has only the proof and the archive key. The proof is the record's
 * leaf and audit path (RFC 6962) and the day's signed checkpoint, which carries the
 * day key's certificate by the archive key: its size does not grow with the day. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "seal/seal_internal.h"

static void day_file(const char *dir, int64_t day, const char *leaf, char *out, size_t cap)
{
    char name[16];
    ks_seal_day_format(day, name);
    snprintf(out, cap, "%s/days/%s/%s", dir, name, leaf);
}

/* Where each file id is stored: the day of every id below next_file. */
static ks_status file_days(const char *dir, const int64_t *days, size_t n, int64_t **where,
                           uint32_t *count)
{
    *where = NULL;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        day_file(dir, days[i], "files", path, sizeof path);
        uint8_t *d;
        size_t dn;
        if (ks_seal_slurp(path, 64ull << 20, &d, &dn) != KS_OK) continue;
        if (dn >= 12 && memcmp(d, KS_SEAL_FIL_MAGIC, 8) == 0) {
            uint32_t k = ks_get_u32(d + 8);
            size_t at = 12;
            for (uint32_t j = 0; j < k && dn - at >= KS_SEAL_FILE_FIXED; j++) {
                uint32_t id = ks_get_u32(d + at);
                size_t nl = (size_t)d[at + 84] | (size_t)d[at + 85] << 8;
                if (nl > dn - at - KS_SEAL_FILE_FIXED || id >= KS_SEAL_MAX_FILES) break;
                if (id >= *count) {
                    int64_t *w = realloc(*where, (size_t)(id + 1) * sizeof *w);
                    if (!w) {
                        free(d);
                        return KS_ERR_NOMEM;
                    }
                    for (uint32_t q = *count; q <= id; q++) w[q] = INT64_MIN;
                    *where = w;
                    *count = id + 1;
                }
                (*where)[id] = days[i];
                at += KS_SEAL_FILE_FIXED + nl;
            }
        }
        free(d);
    }
    return KS_OK;
}

static uint8_t *load(const char *dir, int64_t day, uint32_t id, size_t *n)
{
    char leaf[32], path[4400];
    snprintf(leaf, sizeof leaf, "%08u.zst", id);
    day_file(dir, day, leaf, path, sizeof path);
    uint8_t *z;
    size_t zn;
    *n = 0;
    if (ks_seal_slurp(path, KS_SEAL_MAX_FILE_SIZE, &z, &zn) != KS_OK) return NULL;
    unsigned long long cs = ZSTD_getFrameContentSize(z, zn);
    if (cs == ZSTD_CONTENTSIZE_ERROR || cs == ZSTD_CONTENTSIZE_UNKNOWN ||
        cs > KS_SEAL_MAX_FILE_SIZE) {
        free(z);
        return NULL;
    }
    uint8_t *d = malloc(cs ? cs : 1);
    size_t got = d ? ZSTD_decompress(d, cs, z, zn) : 0;
    free(z);
    if (!d || ZSTD_isError(got) || got != cs) {
        free(d);
        return NULL;
    }
    *n = cs;
    return d;
}

void ks_seal_proof_write(uint64_t index, const uint8_t entry[KS_SEAL_ENTRY_SIZE],
                         const uint8_t content[KS_HASH_SIZE], const uint8_t (*path)[KS_HASH_SIZE],
                         unsigned len, const ks_checkpoint *c, ks_buf *out)
{
    uint8_t u[8];
    ks_buf_append(out, KS_SEAL_PROOF_MAGIC, 8);
    ks_put_u64(u, index);
    ks_buf_append(out, u, 8);
    ks_buf_append(out, entry, KS_SEAL_ENTRY_SIZE);
    ks_buf_append(out, content, KS_HASH_SIZE);
    uint8_t l8 = (uint8_t)len;
    ks_buf_append(out, &l8, 1);
    ks_buf_append(out, path, (size_t)len * KS_HASH_SIZE);
    ks_checkpoint_encode(c, out);
}

ks_status ks_seal_prove(const char *dir, int64_t day, uint64_t index, ks_buf *out, ks_diag *diag)
{
    int64_t *days = NULL, *where = NULL;
    size_t n = 0, other = 0, nd = 0;
    uint32_t nwhere = 0;
    uint8_t *recs = NULL, (*leaves)[KS_HASH_SIZE] = NULL;
    ks_status st = ks_seal_list_days(dir, &days, &n, &other);
    if (st != KS_OK) return ks_diag_set(diag, st, dir, 0, "cannot list the archive's days");
    while (nd < n && days[nd] <= day) nd++;
    char name[16], path[4400];
    ks_seal_day_format(day, name);
    if (nd == 0 || days[nd - 1] != day) {
        st = ks_diag_set(diag, KS_ERR_ARG, dir, 0, "the archive has no day %s", name);
        goto out;
    }
    st = file_days(dir, days, nd, &where, &nwhere);
    if (st != KS_OK) goto out;
    day_file(dir, day, "records", path, sizeof path);
    size_t rn;
    st = ks_seal_slurp(path, KS_SEAL_MAX_RECORDS * KS_SEAL_ENTRY_SIZE, &recs, &rn);
    if (st != KS_OK || rn < 16 || memcmp(recs, KS_SEAL_REC_MAGIC, 8) != 0) {
        st = ks_diag_set(diag, KS_ERR_FORMAT, path, 0, "the list of records cannot be read");
        goto out;
    }
    uint64_t count = ks_get_u64(recs + 8);
    if (count > (rn - 16) / KS_SEAL_ENTRY_SIZE) {
        st = ks_diag_set(diag, KS_ERR_FORMAT, path, 0, "the list of records is damaged");
        goto out;
    }
    if (index >= count) {
        st = ks_diag_set(diag, KS_ERR_ARG, path, 0, "day %s has %llu records", name,
                         (unsigned long long)count);
        goto out;
    }
    leaves = malloc((size_t)(count ? count : 1) * sizeof *leaves);
    if (!leaves) {
        st = KS_ERR_NOMEM;
        goto out;
    }
    /* every leaf of the day, the files decompressed one at a time in record order */
    uint8_t *data = NULL, content[KS_HASH_SIZE], want[KS_HASH_SIZE];
    size_t dn = 0;
    uint32_t have = UINT32_MAX;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *enc = recs + 16 + i * KS_SEAL_ENTRY_SIZE;
        ks_seal_entry e;
        ks_seal_entry_decode(enc, &e);
        if (e.file != have) {
            free(data);
            data = NULL;
            have = e.file;
            if (e.file < nwhere && where[e.file] != INT64_MIN)
                data = load(dir, where[e.file], e.file, &dn);
        }
        if (!data || e.offset > dn || e.size > dn - e.offset) {
            free(data);
            st = ks_diag_set(diag, KS_ERR_FORMAT, path, 0,
                             "record %llu of day %s cannot be read; run kensa verify",
                             (unsigned long long)i, name);
            goto out;
        }
        ks_hash(KS_SEAL_HASH, data + e.offset, e.size, content);
        ks_seal_record_leaf(enc, content, leaves[i]);
        if (i == index) memcpy(want, content, KS_HASH_SIZE);
    }
    free(data);
    uint8_t p[KS_MERKLE_MAX_PATH][KS_HASH_SIZE];
    unsigned len = 0;
    st =
        ks_merkle_path(KS_SEAL_HASH, (const uint8_t(*)[KS_HASH_SIZE])leaves, count, index, p, &len);
    if (st != KS_OK) goto out;
    /* the day's checkpoint, which must be the one over these records */
    uint8_t *cd;
    size_t cn;
    ks_checkpoint ck;
    char why[160];
    day_file(dir, day, "checkpoint", path, sizeof path);
    if (ks_seal_slurp(path, KS_SEAL_MAX_CHECKPOINT, &cd, &cn) != KS_OK) {
        st = ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot read the checkpoint");
        goto out;
    }
    st = ks_checkpoint_parse(cd, cn, &ck, why, sizeof why);
    free(cd);
    if (st != KS_OK) {
        st = ks_diag_set(diag, KS_ERR_FORMAT, path, 0, "%s; run kensa verify", why);
        goto out;
    }
    if (ck.records != count) {
        st = ks_diag_set(diag, KS_ERR_FORMAT, path, 0,
                         "the checkpoint of %s is not over its records; run kensa verify", name);
        goto out;
    }
    ks_seal_proof_write(index, recs + 16 + index * KS_SEAL_ENTRY_SIZE, want,
                        (const uint8_t(*)[KS_HASH_SIZE])p, len, &ck, out);
    if (out->failed) st = KS_ERR_NOMEM;
out:
    free(days);
    free(where);
    free(recs);
    free(leaves);
    return st;
}

ks_status ks_seal_find(const char *dir, const char *file, uint64_t record_id, int64_t *day,
                       uint64_t *index, ks_diag *diag)
{
    int64_t *days = NULL;
    size_t n = 0, other = 0;
    ks_status st = ks_seal_list_days(dir, &days, &n, &other);
    if (st != KS_OK) return ks_diag_set(diag, st, dir, 0, "cannot list the archive's days");
    /* the ids of files whose name is `file` or ends in "/file" */
    uint8_t *ids = calloc(KS_SEAL_MAX_FILES / 8, 1);
    if (!ids) {
        free(days);
        return KS_ERR_NOMEM;
    }
    size_t fl = strlen(file);
    st = ks_diag_set(diag, KS_ERR_ARG, dir, 0, "no record %llu of %s in the archive",
                     (unsigned long long)record_id, file);
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        uint8_t *d;
        size_t dn;
        day_file(dir, days[i], "files", path, sizeof path);
        if (ks_seal_slurp(path, 64ull << 20, &d, &dn) == KS_OK && dn >= 12) {
            uint32_t k = ks_get_u32(d + 8);
            size_t at = 12;
            for (uint32_t j = 0; j < k && dn - at >= KS_SEAL_FILE_FIXED; j++) {
                uint32_t id = ks_get_u32(d + at);
                size_t nl = (size_t)d[at + 84] | (size_t)d[at + 85] << 8;
                if (nl > dn - at - KS_SEAL_FILE_FIXED) break;
                const char *nm = (const char *)d + at + KS_SEAL_FILE_FIXED;
                bool match =
                    (nl == fl && memcmp(nm, file, fl) == 0) ||
                    (nl > fl && memcmp(nm + nl - fl, file, fl) == 0 && nm[nl - fl - 1] == '/');
                if (match && id < KS_SEAL_MAX_FILES) ids[id / 8] |= (uint8_t)(1u << (id % 8));
                at += KS_SEAL_FILE_FIXED + nl;
            }
        }
        free(d);
        day_file(dir, days[i], "records", path, sizeof path);
        if (ks_seal_slurp(path, KS_SEAL_MAX_RECORDS * KS_SEAL_ENTRY_SIZE, &d, &dn) != KS_OK)
            continue;
        uint64_t count = dn >= 16 ? ks_get_u64(d + 8) : 0;
        if (count > (dn - (dn >= 16 ? 16 : dn)) / KS_SEAL_ENTRY_SIZE) count = 0;
        for (uint64_t r = 0; r < count; r++) {
            ks_seal_entry e;
            ks_seal_entry_decode(d + 16 + r * KS_SEAL_ENTRY_SIZE, &e);
            if (e.record_id == record_id && e.file < KS_SEAL_MAX_FILES &&
                (ids[e.file / 8] & (1u << (e.file % 8)))) {
                *day = days[i];
                *index = r;
                st = KS_OK;
                break;
            }
        }
        free(d);
        if (st == KS_OK) break;
    }
    free(ids);
    free(days);
    return st;
}

ks_status ks_seal_verify_proof(const void *proof, size_t n, const uint8_t key[KS_SEAL_KEY_SIZE],
                               ks_seal_proof_info *info, ks_diag *diag)
{
    const uint8_t *p = proof;
    memset(info, 0, sizeof *info);
    if (sodium_init() < 0) return KS_ERR_UNSUPPORTED;
    size_t head = 8 + 8 + KS_SEAL_ENTRY_SIZE + KS_HASH_SIZE + 1;
    if (n >= 8 && memcmp(p, "KSPRF001", 8) == 0)
        return ks_diag_set(diag, KS_ERR_UNSUPPORTED, NULL, 0,
                           "a proof of the first archive format (KSPRF001, \"ks1-\" keys), which "
                           "this kensa no longer reads: check it with the kensa that wrote it");
    if (n < head || memcmp(p, KS_SEAL_PROOF_MAGIC, 8) != 0)
        return ks_diag_set(diag, KS_ERR_FORMAT, NULL, 0, "not a kensa proof");
    info->index = ks_get_u64(p + 8);
    const uint8_t *entry = p + 16;
    ks_seal_entry e;
    ks_seal_entry_decode(entry, &e);
    info->file = e.file;
    info->size = e.size;
    info->offset = e.offset;
    info->record_id = e.record_id;
    info->time_ns = e.time_ns;
    memcpy(info->content, p + 16 + KS_SEAL_ENTRY_SIZE, KS_HASH_SIZE);
    unsigned len = p[head - 1];
    size_t at = head;
    if (len > KS_MERKLE_MAX_PATH || n - at < (size_t)len * KS_HASH_SIZE)
        return ks_diag_set(diag, KS_ERR_FORMAT, NULL, at, "the proof is cut short");
    const uint8_t(*path)[KS_HASH_SIZE] = (const uint8_t(*)[KS_HASH_SIZE])(p + at);
    at += (size_t)len * KS_HASH_SIZE;
    info->inclusion_bytes = at;
    ks_checkpoint c;
    size_t used = 0;
    if (ks_checkpoint_decode(p + at, n - at, &c, &used) != KS_OK)
        return ks_diag_set(diag, KS_ERR_FORMAT, NULL, at, "the proof's checkpoint is damaged");
    at += used;
    info->checkpoint_bytes = used;
    if (at != n) return ks_diag_set(diag, KS_ERR_FORMAT, NULL, at, "unexpected bytes at the end");
    info->day = c.day;
    info->tree_size = c.records;
    char dn[16];
    ks_seal_day_format(c.day, dn);
    /* the day's key, certified by the archive key for this day; the checkpoint
     * signed by it; the record in the tree the checkpoint names */
    if (!ks_seal_cert_check(key, c.day, c.seq, c.key, c.cert))
        return ks_diag_set(diag, KS_ERR_CHECKSUM, NULL, 0,
                           "the key that signed %s is not certified by this archive key", dn);
    ks_buf body = {0};
    ks_checkpoint_body(&c, &body);
    bool sig_ok = !body.failed && crypto_sign_verify_detached(c.sig, (const uint8_t *)body.data,
                                                              body.len, c.key) == 0;
    ks_buf_free(&body);
    if (!sig_ok)
        return ks_diag_set(diag, KS_ERR_CHECKSUM, NULL, 0,
                           "the checkpoint of %s is not signed by the key of its day", dn);
    uint8_t leaf[KS_HASH_SIZE], root[KS_HASH_SIZE];
    ks_seal_record_leaf(entry, info->content, leaf);
    if (ks_merkle_root_from_path(KS_SEAL_HASH, leaf, info->index, info->tree_size, path, len,
                                 root) != KS_OK ||
        memcmp(root, c.records_root, KS_HASH_SIZE) != 0)
        return ks_diag_set(diag, KS_ERR_CHECKSUM, NULL, 0,
                           "the record is not in the signed tree of %s", dn);
    return KS_OK;
}
