/* Scans of a backup generation: every regular file of a directory tree (symbolic links
 * not followed) or of an archive read through libarchive (tar, zip, 7z, cpio, with any
 * compression) is analyzed once; the generation's verdict comes from the file verdicts
 * and from the change against the previous generation's index (renames per folder,
 * deletions per extension, new extensions, share of files changed). The index is the
 * generation's manifest in memory; manifests on disk are JSON lines (docs/backup.md). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/index.h"
#include "kensa/backup.h"
#include "kensa/buf.h"
#include "util/json.h"
#include "util/sha256.h"

/* --- the index: path -> size, hash, verdict ------------------------------------------ */

static uint64_t fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

ks_bk_entry *ks_bk_index_find(const ks_backup_index *x, const char *path)
{
    if (!x || !x->cap) return NULL;
    size_t mask = x->cap - 1, i = fnv(path, strlen(path)) & mask;
    for (size_t k = 0; k < x->cap; k++, i = (i + 1) & mask) {
        if (!x->v[i].path) return NULL;
        if (strcmp(x->v[i].path, path) == 0) return &x->v[i];
    }
    return NULL;
}

static int index_grow(ks_backup_index *x)
{
    size_t cap = x->cap ? x->cap * 2 : 1024;
    ks_bk_entry *v = calloc(cap, sizeof *v);
    if (!v) return -1;
    for (size_t i = 0; i < x->cap; i++) {
        if (!x->v[i].path) continue;
        size_t j = fnv(x->v[i].path, strlen(x->v[i].path)) & (cap - 1);
        while (v[j].path) j = (j + 1) & (cap - 1);
        v[j] = x->v[i];
    }
    free(x->v);
    free(x->by_hash);
    x->by_hash = NULL;
    x->v = v;
    x->cap = cap;
    return 0;
}

ks_backup_index *ks_backup_index_new(void)
{
    return calloc(1, sizeof(ks_backup_index));
}

int ks_backup_index_add(ks_backup_index *x, const char *path, const ks_backup_file *f)
{
    if ((x->n + 1) * 2 > x->cap && index_grow(x) != 0) return -1;
    size_t mask = x->cap - 1, i = fnv(path, strlen(path)) & mask;
    while (x->v[i].path) {
        if (strcmp(x->v[i].path, path) == 0) break; /* the same path twice (archives): last wins */
        i = (i + 1) & mask;
    }
    ks_bk_entry *e = &x->v[i];
    if (!e->path) {
        e->path = strdup(path);
        if (!e->path) return -1;
        x->n++;
    }
    e->size = f->size;
    memcpy(e->sha256, f->sha256, 32);
    e->verdict = (uint8_t)f->verdict;
    e->checked = f->verdict == KS_BV_CLEAN &&
                 (f->structure == KS_BS_OK || f->type == KS_BT_TEXT || f->type == KS_BT_EMPTY);
    return 0;
}

static int hash_table(ks_backup_index *x)
{
    if (x->by_hash || !x->cap) return x->by_hash || !x->cap ? 0 : -1;
    x->by_hash = calloc(x->cap, sizeof *x->by_hash);
    if (!x->by_hash) return -1;
    for (size_t i = 0; i < x->cap; i++) {
        if (!x->v[i].path || x->v[i].size == 0) continue;
        size_t j = fnv(x->v[i].sha256, 32) & (x->cap - 1);
        while (x->by_hash[j]) j = (j + 1) & (x->cap - 1);
        x->by_hash[j] = i + 1;
    }
    return 0;
}

/* An entry of x with this content that the other generation does not have. */
static ks_bk_entry *hash_find_unseen(ks_backup_index *x, const uint8_t sha[32])
{
    if (!x->by_hash) return NULL;
    size_t mask = x->cap - 1, j = fnv(sha, 32) & mask;
    for (size_t k = 0; k < x->cap && x->by_hash[j]; k++, j = (j + 1) & mask) {
        ks_bk_entry *e = &x->v[x->by_hash[j] - 1];
        if (!e->seen && memcmp(e->sha256, sha, 32) == 0) return e;
    }
    return NULL;
}

void ks_backup_index_free(ks_backup_index **idx)
{
    if (!idx || !*idx) return;
    ks_backup_index *x = *idx;
    for (size_t i = 0; i < x->cap; i++) free(x->v[i].path);
    free(x->v);
    free(x->by_hash);
    free(x);
    *idx = NULL;
}

/* --- counts by name (folders, extensions) ----------------------------------------- */

typedef struct counter {
    struct {
        char *key;
        uint64_t n;
    } * v;
    size_t cap, n;
} counter;

static void counter_add(counter *c, const char *key, size_t klen)
{
    if ((c->n + 1) * 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        __typeof__(c->v) v = calloc(cap, sizeof *v);
        if (!v) return;
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->v[i].key) continue;
            size_t j = fnv(c->v[i].key, strlen(c->v[i].key)) & (cap - 1);
            while (v[j].key) j = (j + 1) & (cap - 1);
            v[j] = c->v[i];
        }
        free(c->v);
        c->v = v;
        c->cap = cap;
    }
    size_t mask = c->cap - 1, i = fnv(key, klen) & mask;
    while (c->v[i].key) {
        if (strlen(c->v[i].key) == klen && memcmp(c->v[i].key, key, klen) == 0) {
            c->v[i].n++;
            return;
        }
        i = (i + 1) & mask;
    }
    c->v[i].key = strndup(key, klen);
    if (!c->v[i].key) return;
    c->v[i].n = 1;
    c->n++;
}

static uint64_t counter_get(const counter *c, const char *key)
{
    if (!c->cap) return 0;
    size_t mask = c->cap - 1, i = fnv(key, strlen(key)) & mask;
    while (c->v[i].key) {
        if (strcmp(c->v[i].key, key) == 0) return c->v[i].n;
        i = (i + 1) & mask;
    }
    return 0;
}

static void counter_free(counter *c)
{
    for (size_t i = 0; i < c->cap; i++) free(c->v[i].key);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static const char *ext_of(const char *path, size_t *n)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    if (!dot || dot == b || !dot[1] || strlen(dot + 1) > 16) {
        *n = 0;
        return "";
    }
    *n = strlen(dot + 1);
    return dot + 1;
}

static void ext_lower(char *dst, size_t cap, const char *e, size_t n)
{
    size_t k = 0;
    for (; k < n && k + 1 < cap; k++) {
        char c = e[k];
        dst[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    dst[k] = 0;
}

/* --- comparing two generations ----------------------------------------------------- */

static void compare(ks_backup_index *cur, ks_backup_index *prev, ks_backup_gen *g)
{
    counter folders = {0}, deleted_ext = {0}, prev_ext = {0}, new_ext = {0};
    g->has_previous = 1;
    g->prev_files = prev->n;
    hash_table(prev);
    for (size_t i = 0; i < prev->cap; i++) {
        if (!prev->v[i].path) continue;
        prev->v[i].seen = 0;
        size_t n;
        const char *e = ext_of(prev->v[i].path, &n);
        char low[20];
        ext_lower(low, sizeof low, e, n);
        counter_add(&prev_ext, low, strlen(low));
    }
    /* same path: unchanged or modified */
    for (size_t i = 0; i < cur->cap; i++) {
        ks_bk_entry *c = &cur->v[i];
        if (!c->path) continue;
        c->seen = 0;
        ks_bk_entry *p = ks_bk_index_find(prev, c->path);
        if (!p) continue;
        p->seen = c->seen = 1;
        if (p->size == c->size && memcmp(p->sha256, c->sha256, 32) == 0) {
            g->unchanged++;
        } else {
            g->modified++;
            if (!c->checked) g->unverified++;
        }
    }
    /* new paths: renamed (an extension appended or changed, or the same content
     * moved) or added */
    for (size_t i = 0; i < cur->cap; i++) {
        ks_bk_entry *c = &cur->v[i];
        if (!c->path || c->seen) continue;
        ks_bk_entry *from = NULL;
        const char *slash = strrchr(c->path, '/');
        const char *dot = strrchr(slash ? slash + 1 : c->path, '.');
        if (dot && dot > (slash ? slash + 1 : c->path)) {
            char *stem = strndup(c->path, (size_t)(dot - c->path));
            if (stem) {
                ks_bk_entry *p = ks_bk_index_find(prev, stem);
                if (p && !p->seen && !ks_bk_index_find(cur, stem)) from = p;
                free(stem);
            }
        }
        int moved = 0;
        if (!from && c->size && (from = hash_find_unseen(prev, c->sha256)) != NULL) moved = 1;
        if (from && !moved && from->size == c->size && memcmp(from->sha256, c->sha256, 32) == 0)
            moved = 1;
        size_t n;
        const char *e = ext_of(c->path, &n);
        char low[20];
        ext_lower(low, sizeof low, e, n);
        if (n && !counter_get(&prev_ext, low)) counter_add(&new_ext, low, strlen(low));
        if (from) {
            from->seen = c->seen = 1;
            g->renamed++;
            /* the same bytes under another name or in another folder (a folder renamed,
             * files reorganised) lose nothing: not counted as ransomware renames */
            if (moved) {
                g->moved++;
            } else {
                size_t dl = slash ? (size_t)(slash - c->path) : 0;
                counter_add(&folders, c->path, dl);
                if (!c->checked) g->unverified++;
            }
        } else {
            g->added++;
        }
    }
    for (size_t i = 0; i < prev->cap; i++) {
        ks_bk_entry *p = &prev->v[i];
        if (!p->path || p->seen) continue;
        g->deleted++;
        size_t n;
        const char *e = ext_of(p->path, &n);
        char low[20];
        ext_lower(low, sizeof low, e, n);
        counter_add(&deleted_ext, low, strlen(low));
    }
    for (size_t i = 0; i < folders.cap; i++)
        if (folders.v[i].key && folders.v[i].n > g->max_folder_renames) {
            g->max_folder_renames = folders.v[i].n;
            snprintf(g->renames_folder, sizeof g->renames_folder, "%s",
                     folders.v[i].key[0] ? folders.v[i].key : ".");
        }
    for (size_t i = 0; i < deleted_ext.cap; i++)
        if (deleted_ext.v[i].key && deleted_ext.v[i].n > g->max_ext_deletions) {
            g->max_ext_deletions = deleted_ext.v[i].n;
            snprintf(g->deletions_ext, sizeof g->deletions_ext, "%.30s", deleted_ext.v[i].key);
        }
    uint64_t best = 0;
    for (size_t i = 0; i < new_ext.cap; i++) {
        if (!new_ext.v[i].key || new_ext.v[i].n < 3) continue;
        g->new_extensions++;
        if (new_ext.v[i].n > best) {
            best = new_ext.v[i].n;
            snprintf(g->new_extension, sizeof g->new_extension, "%.30s", new_ext.v[i].key);
        }
    }
    g->share_changed =
        prev->n ? (double)(g->modified + g->renamed + g->deleted) / (double)prev->n : 0.0;
    counter_free(&folders);
    counter_free(&deleted_ext);
    counter_free(&prev_ext);
    counter_free(&new_ext);
}

static void append(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *dst, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(dst);
    if (n + 1 >= cap) return;
    if (n) {
        snprintf(dst + n, cap - n, "; ");
        n = strlen(dst);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst + n, cap - n, fmt, ap);
    va_end(ap);
}

static void judge(ks_backup_gen *g)
{
    const uint64_t *v = g->by_verdict;
    g->reason[0] = 0;
    g->verdict = KS_BG_CLEAN;
    uint64_t enc = v[KS_BV_ENCRYPTED] + v[KS_BV_PARTLY_ENCRYPTED];
    if (enc)
        append(g->reason, sizeof g->reason, "%llu files encrypted (%llu whole, %llu partly)",
               (unsigned long long)enc, (unsigned long long)v[KS_BV_ENCRYPTED],
               (unsigned long long)v[KS_BV_PARTLY_ENCRYPTED]);
    if (v[KS_BV_RANSOM_NOTE])
        append(g->reason, sizeof g->reason, "%llu ransom notes",
               (unsigned long long)v[KS_BV_RANSOM_NOTE]);
    if (v[KS_BV_RANSOM_EXTENSION])
        append(g->reason, sizeof g->reason, "%llu files with ransomware extensions",
               (unsigned long long)v[KS_BV_RANSOM_EXTENSION]);
    if (g->reason[0]) g->verdict = KS_BG_ENCRYPTED;
    int mass = 0;
    if (g->has_previous) {
        if (g->max_folder_renames >= KS_BACKUP_RENAMES_PER_FOLDER) {
            append(g->reason, sizeof g->reason, "%llu files renamed in %.120s",
                   (unsigned long long)g->max_folder_renames, g->renames_folder);
            mass = 1;
        }
        if (g->max_ext_deletions >= KS_BACKUP_DELETIONS_PER_EXT) {
            append(g->reason, sizeof g->reason, "%llu .%s files deleted",
                   (unsigned long long)g->max_ext_deletions, g->deletions_ext);
            mass = 1;
        }
        /* files rewritten: only those whose new content could not be checked (a
         * rewrite the content check judged clean is ordinary work, however many there
         * are between two monthly generations) */
        double unverified = g->prev_files ? (double)g->unverified / (double)g->prev_files : 0;
        if (g->prev_files >= 20 && unverified >= KS_BACKUP_SHARE_CHANGED) {
            append(g->reason, sizeof g->reason,
                   "%.0f%% of the files rewritten with content that could not be checked",
                   100.0 * unverified);
            mass = 1;
        }
        /* files gone: most of the generation (archiving a folder and deleting it, or a
         * reorganisation, leaves far more) */
        if (g->prev_files >= 20 && g->deleted > g->added &&
            (g->deleted - g->added) * 3 >= g->prev_files * 2) {
            append(g->reason, sizeof g->reason, "%llu of %llu files gone",
                   (unsigned long long)(g->deleted - g->added), (unsigned long long)g->prev_files);
            mass = 1;
        }
        if (g->new_extensions && (mass || g->verdict == KS_BG_ENCRYPTED))
            append(g->reason, sizeof g->reason, "new extension .%s", g->new_extension);
    }
    if (v[KS_BV_MALWARE]) {
        append(g->reason, sizeof g->reason, "%llu files with malware (ClamAV / YARA)",
               (unsigned long long)v[KS_BV_MALWARE]);
        mass = 1;
    }
    if (v[KS_BV_UNREADABLE]) {
        append(g->reason, sizeof g->reason, "%llu files could not be read",
               (unsigned long long)v[KS_BV_UNREADABLE]);
        mass = 1;
    }
    uint64_t mism = v[KS_BV_EXTENSION_MISMATCH];
    if (mism >= 10 && mism * 100 >= g->files) {
        append(g->reason, sizeof g->reason, "%llu files whose content does not match the name",
               (unsigned long long)mism);
        mass = 1;
    }
    if (mass && g->verdict == KS_BG_CLEAN) g->verdict = KS_BG_SUSPICIOUS;
    if (!g->reason[0])
        snprintf(g->reason, sizeof g->reason,
                 g->has_previous ? "no encrypted files, no mass changes"
                                 : "no encrypted files (no previous generation to compare)");
}

const char *ks_backup_gen_verdict_name(ks_backup_gen_verdict v)
{
    switch (v) {
    case KS_BG_CLEAN: return "clean";
    case KS_BG_SUSPICIOUS: return "suspicious";
    case KS_BG_ENCRYPTED: return "encrypted";
    }
    return "unknown";
}

/* --- walking a generation ---------------------------------------------------------- */

typedef struct scan {
    ks_backup_file_cb cb;
    void *ctx;
    ks_backup_gen *g;
    ks_backup_index *idx;
    unsigned flags;
    int nomem;
    const ks_backup_malware *malware;
} scan;

static void one(scan *sc, const char *path, int64_t mtime, const ks_backup_file *f)
{
    ks_backup_gen *g = sc->g;
    if (f->verdict == KS_BV_MALWARE) g->malware++;
    g->files++;
    g->bytes += f->size;
    g->by_verdict[f->verdict < KS_BV_COUNT ? f->verdict : KS_BV_UNREADABLE]++;
    if (sc->idx && ks_backup_index_add(sc->idx, path, f) != 0) sc->nomem = 1;
    if (sc->cb) sc->cb(sc->ctx, path, mtime, f);
}

static void unreadable(scan *sc, const char *rel, int64_t mtime, const char *why)
{
    ks_backup_file f;
    memset(&f, 0, sizeof f);
    f.verdict = KS_BV_UNREADABLE;
    snprintf(f.reason, sizeof f.reason, "cannot be read: %.200s", why);
    one(sc, rel, mtime, &f);
}

#define KS_BK_MAX_DEPTH 64

static void walk_dir(scan *sc, int dfd, char *rel, size_t rlen, size_t rcap, int depth)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        unreadable(sc, rlen ? rel : ".", 0, strerror(errno));
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) continue;
        size_t nl = strlen(nm);
        if (rlen + nl + 2 > rcap) continue;
        size_t k = rlen;
        if (k) rel[k++] = '/';
        memcpy(rel + k, nm, nl + 1);
        struct stat st;
        if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            unreadable(sc, rel, 0, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (depth >= KS_BK_MAX_DEPTH) {
                unreadable(sc, rel, st.st_mtime, "folders nested too deep");
            } else {
                int sub = openat(dirfd(d), nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                    unreadable(sc, rel, st.st_mtime, strerror(errno));
                else
                    walk_dir(sc, sub, rel, k + nl, rcap, depth + 1);
            }
        } else if (S_ISREG(st.st_mode)) {
            int fd = openat(dirfd(d), nm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                unreadable(sc, rel, st.st_mtime, strerror(errno));
            } else {
                ks_backup_file f;
                /* the path again for 7z's second read: relative to the folder we are in */
                char proc[64];
                snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
                if (ks_backup_analyze_fd(rel, fd, proc, sc->flags, &f) == KS_ERR_NOMEM)
                    sc->nomem = 1;
                if (sc->malware && f.verdict != KS_BV_UNREADABLE && lseek(fd, 0, SEEK_SET) == 0)
                    ks_backup_malware_check_fd(sc->malware, rel, fd, &f);
                close(fd);
                one(sc, rel, st.st_mtime, &f);
            }
        }
        rel[rlen] = 0;
    }
    closedir(d);
}

typedef struct arc_ctx {
    struct archive *a;
    ks_buf *keep; /* the member's bytes for the malware check (NULL: not kept) */
    int too_big;
} arc_ctx;

static ssize_t arc_read(void *ctx, void *buf, size_t n)
{
    arc_ctx *c = ctx;
    la_ssize_t r = archive_read_data(c->a, buf, n);
    if (r > 0 && c->keep && !c->too_big) {
        if (c->keep->len + (size_t)r > KS_BACKUP_MALWARE_MAX_MEMBER) {
            c->too_big = 1;
        } else {
            ks_buf_append(c->keep, buf, (size_t)r);
            if (c->keep->failed) c->too_big = 1;
        }
    }
    return r < 0 ? -1 : (ssize_t)r;
}

static ks_status walk_archive(scan *sc, const char *path, ks_diag *d)
{
    struct archive *a = archive_read_new();
    if (!a) return KS_ERR_NOMEM;
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, path, 256 * 1024) != ARCHIVE_OK) {
        ks_status st = ks_diag_set(d, KS_ERR_FORMAT, path, 0,
                                   "neither a folder nor an archive kensa can read (%s)",
                                   archive_error_string(a) ? archive_error_string(a) : "unknown");
        archive_read_free(a);
        return st;
    }
    struct archive_entry *e;
    ks_status st = KS_OK;
    ks_buf keep = {0};
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        if (archive_entry_filetype(e) != AE_IFREG) continue;
        const char *name = archive_entry_pathname(e);
        if (!name) name = "(no name)";
        while (name[0] == '.' && name[1] == '/') name += 2;
        int64_t mtime = archive_entry_mtime(e);
        ks_buf_reset(&keep);
        keep.failed = 0;
        arc_ctx c = {a, sc->malware ? &keep : NULL, 0};
        ks_backup_file f;
        if (ks_backup_analyze(name, arc_read, &c, sc->flags, &f) == KS_ERR_NOMEM) sc->nomem = 1;
        if (f.verdict == KS_BV_UNREADABLE && archive_error_string(a))
            snprintf(f.reason, sizeof f.reason, "cannot be read from the archive: %.180s",
                     archive_error_string(a));
        else if (sc->malware && !c.too_big)
            ks_backup_malware_check_mem(sc->malware, name, keep.data, keep.len, &f);
        one(sc, name, mtime, &f);
    }
    if (r != ARCHIVE_EOF) {
        /* the rest of the archive cannot be read: say so and count it */
        unreadable(sc, path, 0,
                   archive_error_string(a) ? archive_error_string(a) : "archive damaged");
        ks_diag_set(d, KS_ERR_FORMAT, path, 0, "archive damaged: %s",
                    archive_error_string(a) ? archive_error_string(a) : "unknown");
    }
    archive_read_free(a);
    ks_buf_free(&keep);
    return st;
}

ks_status ks_backup_scan(const char *path, const ks_backup_index *previous, unsigned flags,
                         ks_backup_file_cb cb, void *ctx, ks_backup_gen *gen,
                         ks_backup_index **index_out, ks_diag *d)
{
    return ks_backup_scan_malware(path, previous, flags, NULL, cb, ctx, gen, index_out, d);
}

ks_status ks_backup_scan_malware(const char *path, const ks_backup_index *previous, unsigned flags,
                                 const ks_backup_malware *m, ks_backup_file_cb cb, void *ctx,
                                 ks_backup_gen *gen, ks_backup_index **index_out, ks_diag *d)
{
    if (!path || !gen) return KS_ERR_ARG;
    memset(gen, 0, sizeof *gen);
    if (index_out) *index_out = NULL;
    scan sc = {cb, ctx, gen, NULL, flags, 0, m};
    if (previous || index_out) {
        sc.idx = calloc(1, sizeof *sc.idx);
        if (!sc.idx) return KS_ERR_NOMEM;
    }
    struct stat st;
    ks_status ret = KS_OK;
    if (stat(path, &st) != 0) {
        ret = ks_diag_set(d, KS_ERR_IO, path, 0, "%s", strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            ret = ks_diag_set(d, KS_ERR_IO, path, 0, "%s", strerror(errno));
        } else {
            char rel[4096];
            rel[0] = 0;
            walk_dir(&sc, fd, rel, 0, sizeof rel, 0);
        }
    } else {
        ret = walk_archive(&sc, path, d);
    }
    if (ret == KS_OK && sc.nomem) ret = KS_ERR_NOMEM;
    if (ret == KS_OK && previous) compare(sc.idx, (ks_backup_index *)previous, gen);
    judge(gen);
    if (index_out && ret == KS_OK)
        *index_out = sc.idx;
    else
        ks_backup_index_free(&sc.idx);
    return ret;
}

/* --- manifests ------------------------------------------------------------------------ */

static void *arena_alloc(void *ctx, size_t n)
{
    ks_buf *b = ctx;
    n = (n + 7) & ~(size_t)7;
    if (b->len + n > b->cap) return NULL;
    void *p = b->data + b->len;
    b->len += n;
    return p;
}

/* A JSON string equal to s (strings point into the line: not NUL-terminated). */
static int jeq(const ks_json *j, const char *s)
{
    return j && j->type == KS_JSON_STRING && j->len == strlen(s) && memcmp(j->str, s, j->len) == 0;
}

ks_status ks_backup_index_load(const char *manifest, ks_backup_index **out, ks_diag *d)
{
    if (!manifest || !out) return KS_ERR_ARG;
    *out = NULL;
    FILE *f = fopen(manifest, "rb");
    if (!f) return ks_diag_set(d, KS_ERR_IO, manifest, 0, "%s", strerror(errno));
    ks_backup_index *x = calloc(1, sizeof *x);
    ks_buf arena = {0};
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n;
    uint64_t lineno = 0, files = 0;
    ks_status st = KS_OK;
    if (!x) st = KS_ERR_NOMEM;
    while (st == KS_OK && (n = getline(&line, &lcap, f)) > 0) {
        lineno++;
        arena.len = 0;
        size_t need = (size_t)n * 4 + 4096;
        if (arena.cap < need) {
            ks_buf_free(&arena);
            if (ks_buf_reserve(&arena, need) != 0) {
                st = KS_ERR_NOMEM;
                break;
            }
        }
        arena.len = 0;
        ks_json_opts o = {.alloc = arena_alloc, .ctx = &arena, .max_depth = 8};
        const ks_json *j = NULL;
        if (ks_json_parse(line, (size_t)n, &o, &j, NULL, NULL) != KS_OK || !j) continue;
        const ks_json *type = ks_json_get(j, "type"), *path = ks_json_get(j, "path");
        if (!jeq(type, "file")) continue;
        if (!path || path->type != KS_JSON_STRING) continue;
        ks_backup_file bf;
        memset(&bf, 0, sizeof bf);
        ks_json_u64(ks_json_get(j, "size"), &bf.size);
        const ks_json *h = ks_json_get(j, "sha256"), *v = ks_json_get(j, "verdict");
        if (h && h->type == KS_JSON_STRING) ks_sha256_from_hex(h->str, h->len, bf.sha256);
        if (v && v->type == KS_JSON_STRING)
            for (int k = 0; k < KS_BV_COUNT; k++)
                if (jeq(v, ks_backup_verdict_name((ks_backup_verdict)k)))
                    bf.verdict = (ks_backup_verdict)k;
        char *p = strndup(path->str, path->len);
        if (!p || ks_backup_index_add(x, p, &bf) != 0) st = KS_ERR_NOMEM;
        free(p);
        files++;
    }
    free(line);
    ks_buf_free(&arena);
    fclose(f);
    if (st == KS_OK && files == 0)
        st = ks_diag_set(d, KS_ERR_FORMAT, manifest, 0,
                         "no file records (a manifest is the JSON lines of kensa backup scan)");
    if (st != KS_OK) {
        ks_backup_index_free(&x);
        return st;
    }
    *out = x;
    return KS_OK;
}
