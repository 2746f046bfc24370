/* Backup generations: per-file content analysis and generation scans.
 *
 * One streaming pass per file (bounded memory) measures what a file is made of (SHA-256,
 * size, Shannon entropy and chi-square over 1 KiB blocks, type from magic bytes, a walk
 * of the format's structure) and gives a verdict with its reason. A scan runs that over
 * a generation (a directory tree or a tar/zip archive) and judges the generation from
 * the file verdicts and from what changed since the previous generation. */
#ifndef KENSA_BACKUP_H
#define KENSA_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kensa/status.h"

/* What the content is, from magic bytes and structure (never from the name). */
typedef enum ks_backup_type {
    KS_BT_EMPTY,
    KS_BT_UNKNOWN, /* binary without a known signature */
    KS_BT_TEXT,
    KS_BT_ZIP, /* zip and its family: docx, xlsx, pptx, odt, jar */
    KS_BT_GZIP,
    KS_BT_7Z,
    KS_BT_PNG,
    KS_BT_JPEG,
    KS_BT_PDF,
    KS_BT_DICOM,
    KS_BT_XZ,
    KS_BT_BZIP2,
    KS_BT_ZSTD,
    KS_BT_GIF,
    KS_BT_MEDIA, /* ogg, mp3, mp4/mov, RIFF (wav, webp, avi), woff/woff2 */
    KS_BT_ELF,
    KS_BT_PE,
    KS_BT_SQLITE,
    KS_BT_OLE,     /* old Office (.doc, .xls), MSI */
    KS_BT_KEY,     /* OpenPGP keyrings, DER certificates: random-looking by nature */
    KS_BT_PROGRAM, /* ar archives (.a), Java class and jimage, Python bytecode */
    KS_BT_COUNT
} ks_backup_type;

typedef enum ks_backup_verdict {
    KS_BV_CLEAN,
    KS_BV_ENCRYPTED,        /* the whole file looks random, or nothing but the magic is left */
    KS_BV_PARTLY_ENCRYPTED, /* some blocks random where the type allows none, or the
                               structure is broken (header-only, intermittent) */
    KS_BV_RANSOM_NOTE,
    KS_BV_RANSOM_EXTENSION,   /* a known ransomware extension (.lockbit, .akira, ...) */
    KS_BV_EXTENSION_MISMATCH, /* the name says one type, the content is another */
    KS_BV_UNREADABLE,
    KS_BV_MALWARE, /* a ClamAV signature or a YARA rule matched (optional scanning) */
    KS_BV_COUNT
} ks_backup_verdict;

typedef enum ks_backup_structure {
    KS_BS_NONE,   /* the type has no structure kensa checks (text, unknown, media) */
    KS_BS_OK,     /* walked to the end: lengths, checksums, markers all consistent */
    KS_BS_BROKEN, /* see structure_what and structure_offset */
} ks_backup_structure;

/* The measures and the verdict of one file. Plain data, no pointers. */
typedef struct ks_backup_file {
    uint64_t size;
    uint8_t sha256[32];
    double entropy;             /* bits per byte over the whole file */
    double chi2;                /* chi-square of the byte counts against uniform (255 df) */
    uint64_t blocks;            /* 1 KiB blocks judged (a last block under 256 bytes is not) */
    uint64_t random_blocks;     /* blocks that pass as random (chi-square <= 400) */
    uint64_t unexpected_blocks; /* random blocks where the structure says plain data */
    uint64_t first_unexpected;  /* offset of the first of those */
    ks_backup_type type;
    ks_backup_structure structure;
    uint64_t structure_offset;
    char structure_what[112];
    char subtype[32]; /* e.g. "Office Open XML", "JPEG baseline", "password-protected" */
    ks_backup_verdict verdict;
    char reason[256]; /* English, one sentence */
} ks_backup_file;

/* Reads up to n bytes into buf: returns the count, 0 at the end, -1 on an error. */
typedef ssize_t (*ks_backup_read_fn)(void *ctx, void *buf, size_t n);

/* Analyze one file read through fn (flags: KS_BACKUP_QUICK or 0). name is its path or name in the
 * generation (used only for the extension and ransom-note name checks). Returns KS_OK with a
 * verdict (KS_BV_UNREADABLE and KS_ERR_IO if fn failed; the measures then cover what was read), or
 * KS_ERR_NOMEM. Memory stays bounded (about 300 KiB, plus 4 bytes per zip entry up to a million
 * entries) whatever the size. */
ks_status ks_backup_analyze(const char *name, ks_backup_read_fn fn, void *ctx, unsigned flags,
                            ks_backup_file *out);
ks_status ks_backup_analyze_mem(const char *name, const void *p, size_t n, ks_backup_file *out);
/* The same for an open file: fd is read from where it is; path (may be NULL) lets
 * formats that need a second, seeking read (7z, whose header is at the end) check
 * their packed data too. */
ks_status ks_backup_analyze_fd(const char *name, int fd, const char *path, unsigned flags,
                               ks_backup_file *out);

/* Flags: KS_BACKUP_QUICK walks structures without decoding compressed data (deflate
 * in gzip, zip and PDF; xz, bzip2, zstd, 7z): headers, lengths, PNG CRCs and JPEG
 * markers are still checked, but encrypted runs inside compressed data are missed. */
#define KS_BACKUP_QUICK 1u

const char *ks_backup_type_name(ks_backup_type t);
/* "clean", "encrypted", "partly_encrypted", "ransom_note", "ransom_extension",
 * "extension_mismatch", "unreadable", "malware" */
const char *ks_backup_verdict_name(ks_backup_verdict v);
/* Non-zero if the extension of name (case-insensitive, the last one) is in the table
 * of known ransomware extensions. */
int ks_backup_ransom_extension(const char *name);

/* --- generations ---------------------------------------------------------------- */

typedef enum ks_backup_gen_verdict {
    KS_BG_CLEAN,
    KS_BG_SUSPICIOUS, /* mass changes (renames, deletions, share changed) or damaged files */
    KS_BG_ENCRYPTED,  /* files encrypted, ransom notes or ransomware extensions */
} ks_backup_gen_verdict;

/* The files of one generation by path: size, SHA-256 and verdict (the manifest, held in
 * memory for comparing two generations). Owned by whoever got it; free with
 * ks_backup_index_free. */
typedef struct ks_backup_index ks_backup_index;
void ks_backup_index_free(ks_backup_index **idx);

/* An empty index, and a file added to it (the same path again replaces it): for
 * indexes kept elsewhere, such as a case's catalogue. NULL / -1 when out of memory. */
ks_backup_index *ks_backup_index_new(void);
int ks_backup_index_add(ks_backup_index *x, const char *path, const ks_backup_file *f);

/* Read a manifest written by a scan (JSON lines, see docs/backup.md) back as an index. */
ks_status ks_backup_index_load(const char *manifest, ks_backup_index **out, ks_diag *d);

typedef struct ks_backup_gen {
    uint64_t files, bytes;
    uint64_t by_verdict[KS_BV_COUNT];
    /* against the previous generation (has_previous) */
    int has_previous;
    uint64_t prev_files, added, deleted, modified, renamed, unchanged;
    uint64_t max_folder_renames; /* renames in the folder with the most */
    char renames_folder[256];
    uint64_t max_ext_deletions; /* deletions of the extension deleted most */
    char deletions_ext[32];
    uint64_t new_extensions; /* extensions (of 3+ files) absent from the previous one */
    char new_extension[32];  /* the most frequent of them */
    double share_changed;    /* (modified + renamed + deleted) / files before */
    ks_backup_gen_verdict verdict;
    char reason[384];
    uint64_t moved;      /* of renamed: the same bytes under another path */
    uint64_t unverified; /* modified or renamed with new bytes that the content check
                            could not vouch for (not clean, or only recognized by signature) */
    uint64_t malware;    /* files with a ClamAV or YARA finding (KS_BV_MALWARE) */
} ks_backup_gen;

/* Called for each file of a generation, in the order read; path is borrowed for the call. */
typedef void (*ks_backup_file_cb)(void *ctx, const char *path, int64_t mtime,
                                  const ks_backup_file *f);

/* Veeam's thresholds, and kensa's: half of the files before rewritten with content the
 * check could not vouch for, or two thirds of them gone. */
#define KS_BACKUP_RENAMES_PER_FOLDER 200
#define KS_BACKUP_DELETIONS_PER_EXT 100
#define KS_BACKUP_SHARE_CHANGED 0.5

/* Scan the generation at path (a directory, or a tar/zip/7z/cpio archive, compressed or
 * not) and fill gen; previous (may be NULL) is the previous generation's index. If
 * index_out is not NULL it receives this generation's index (the caller frees it).
 * Unreadable files are passed to cb with KS_BV_UNREADABLE and counted; KS_ERR_IO only
 * when path itself cannot be read (d says why). */
ks_status ks_backup_scan(const char *path, const ks_backup_index *previous, unsigned flags,
                         ks_backup_file_cb cb, void *ctx, ks_backup_gen *gen,
                         ks_backup_index **index_out, ks_diag *d);

const char *ks_backup_gen_verdict_name(ks_backup_gen_verdict v);

/* --- optional malware scanning (src/backup/malware.c) ---------------------------------
 * ClamAV (libclamav) signatures from a database folder the site brings (main.cvd,
 * daily.cvd copied from an updated machine, or its own .hdb / .ndb files: nothing is
 * downloaded), and YARA (libyara) rules from a .yar file or a folder of them. Either
 * engine may be missing from a build: ks_backup_malware_support says which are there. */
#define KS_BACKUP_HAVE_CLAMAV 1u
#define KS_BACKUP_HAVE_YARA 2u
unsigned ks_backup_malware_support(void);

typedef struct ks_backup_malware ks_backup_malware;
/* Load the rules (yara: a file, or every .yar / .yara file of a folder; may be NULL)
 * and the ClamAV database folder (may be NULL). KS_ERR_UNSUPPORTED when an engine asked
 * for is not in this build; KS_ERR_FORMAT when rules do not compile or the database
 * does not load (d says why). */
ks_status ks_backup_malware_open(const char *yara, const char *clamav_db, ks_backup_malware **out,
                                 ks_diag *d);
void ks_backup_malware_close(ks_backup_malware **m);
/* Signatures and rules loaded. */
void ks_backup_malware_counts(const ks_backup_malware *m, unsigned *clamav_sigs,
                              unsigned *yara_rules);
/* Check bytes (or an open file, read from its start) with every engine loaded; on a
 * match set f's verdict to KS_BV_MALWARE with the signature or rule in the reason
 * (what the content analysis said follows it). Returns 1 on a match, 0 if none. */
int ks_backup_malware_check_mem(const ks_backup_malware *m, const char *name, const void *p,
                                size_t n, ks_backup_file *f);
int ks_backup_malware_check_fd(const ks_backup_malware *m, const char *name, int fd,
                               ks_backup_file *f);
/* Archive members are held in memory to be checked: larger ones are not checked. */
#define KS_BACKUP_MALWARE_MAX_MEMBER (64u << 20)

/* ks_backup_scan with every file also checked by m (may be NULL). Files with a
 * finding make the generation at least suspicious. */
ks_status ks_backup_scan_malware(const char *path, const ks_backup_index *previous, unsigned flags,
                                 const ks_backup_malware *m, ks_backup_file_cb cb, void *ctx,
                                 ks_backup_gen *gen, ks_backup_index **index_out, ks_diag *d);

/* --- advice without a case ---------------------------------------------------------- */

typedef enum ks_backup_change {
    KS_BD_ADDED,
    KS_BD_REMOVED,
    KS_BD_MODIFIED,
    KS_BD_ENCRYPTED, /* new or changed, and judged encrypted, a note or a ransom extension */
} ks_backup_change;
const char *ks_backup_change_name(ks_backup_change c);

/* Called per difference; path is borrowed for the call. */
typedef void (*ks_backup_diff_cb)(void *ctx, ks_backup_change c, const char *path);
/* The differences from generation `from` to `to` (index order); returns their count. */
uint64_t ks_backup_diff(const ks_backup_index *from, const ks_backup_index *to,
                        ks_backup_diff_cb cb, void *ctx);

/* Of n generations (times in ns since the epoch, UTC, any order), the newest clean one
 * taken at or before intrusion - margin (*restore; SIZE_MAX if none, and 0 returned),
 * and the first one after it that is not clean, else the first taken after the
 * intrusion (*first_bad; SIZE_MAX if none). */
int ks_backup_choose(const int64_t *taken_ns, const ks_backup_gen_verdict *verdicts, size_t n,
                     int64_t intrusion_ns, int64_t margin_ns, size_t *restore, size_t *first_bad);

typedef enum ks_backup_media { KS_BM_ONLINE, KS_BM_OFFLINE, KS_BM_WORM } ks_backup_media;
/* "online", "offline", "worm"; ks_backup_media_find gives -1 for another name. */
const char *ks_backup_media_name(ks_backup_media m);
int ks_backup_media_find(const char *name);

/* A retention policy: generations wanted in each of the last `daily` days, `weekly`
 * weeks and `monthly` 30-day months, and `offline` copies on offline or WORM media. */
typedef struct ks_backup_policy {
    unsigned daily, weekly, monthly, offline;
} ks_backup_policy;
#define KS_BACKUP_POLICY_DEFAULT                                                                   \
    {                                                                                              \
        7, 4, 12, 1                                                                                \
    }

typedef struct ks_backup_policy_result {
    unsigned daily, weekly, monthly, offline; /* windows covered, copies offline */
    int ok;
    char missing[512]; /* English, "; "-separated; empty when ok */
} ks_backup_policy_result;

/* Check one system's generations (taken times and media) against p at time now. */
void ks_backup_policy_check(const ks_backup_policy *p, const int64_t *taken_ns,
                            const ks_backup_media *media, size_t n, int64_t now_ns,
                            ks_backup_policy_result *r);

/* One JSON object and a newline, appended to b: a file record of the manifest
 * ({"type":"file","path":...,"verdict":...,"reason":...}) and the generation record
 * ({"type":"generation",...}). See docs/backup.md for the fields. */
struct ks_buf;
void ks_backup_file_write_json(struct ks_buf *b, const char *path, int64_t mtime,
                               const ks_backup_file *f);
void ks_backup_gen_write_json(struct ks_buf *b, const char *path, const ks_backup_gen *g);

#endif
