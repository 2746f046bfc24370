/* The index of a generation (its manifest in memory): path -> size, SHA-256, verdict,
 * open addressing by path, and by SHA-256 on demand (renames). Internal to
 * src/backup/ (scan.c builds and compares indexes, advise.c diffs them). */
#ifndef KS_BACKUP_INDEX_H
#define KS_BACKUP_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "kensa/backup.h"

typedef struct ks_bk_entry {
    char *path;
    uint64_t size;
    uint8_t sha256[32];
    uint8_t verdict;
    uint8_t seen;    /* compare: matched by the other generation */
    uint8_t checked; /* clean, and its content was checked: a structure walked to its end,
                        or text; not only recognized by a signature */
} ks_bk_entry;

struct ks_backup_index {
    ks_bk_entry *v; /* open addressing by path; cap is a power of two */
    size_t cap, n;
    size_t *by_hash; /* open addressing by SHA-256: slot + 1, 0 empty */
};

/* The entry for path, or NULL. */
ks_bk_entry *ks_bk_index_find(const ks_backup_index *x, const char *path);

#endif
