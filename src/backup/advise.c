/* Advice over generations without a case: the differences between two generations'
 * indexes (what staff must look at before trusting later data), the choice of the
 * generation to restore (newest clean one taken before the intrusion, less a margin),
 * and a retention-policy check (daily, weekly, monthly, offline copies). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/index.h"
#include "kensa/backup.h"

static int bad(uint8_t v)
{
    return v == KS_BV_ENCRYPTED || v == KS_BV_PARTLY_ENCRYPTED || v == KS_BV_RANSOM_NOTE ||
           v == KS_BV_RANSOM_EXTENSION;
}

uint64_t ks_backup_diff(const ks_backup_index *from, const ks_backup_index *to,
                        ks_backup_diff_cb cb, void *ctx)
{
    uint64_t n = 0;
    if (!from || !to) return 0;
    for (size_t i = 0; i < to->cap; i++) {
        const ks_bk_entry *t = &to->v[i];
        if (!t->path) continue;
        const ks_bk_entry *f = ks_bk_index_find(from, t->path);
        ks_backup_change c;
        if (bad(t->verdict) && (!f || f->size != t->size || memcmp(f->sha256, t->sha256, 32)))
            c = KS_BD_ENCRYPTED;
        else if (!f)
            c = KS_BD_ADDED;
        else if (f->size != t->size || memcmp(f->sha256, t->sha256, 32) != 0)
            c = KS_BD_MODIFIED;
        else
            continue;
        n++;
        if (cb) cb(ctx, c, t->path);
    }
    for (size_t i = 0; i < from->cap; i++) {
        const ks_bk_entry *f = &from->v[i];
        if (!f->path || ks_bk_index_find(to, f->path)) continue;
        n++;
        if (cb) cb(ctx, KS_BD_REMOVED, f->path);
    }
    return n;
}

const char *ks_backup_change_name(ks_backup_change c)
{
    switch (c) {
    case KS_BD_ADDED: return "added";
    case KS_BD_REMOVED: return "removed";
    case KS_BD_MODIFIED: return "modified";
    case KS_BD_ENCRYPTED: return "encrypted";
    }
    return "unknown";
}

int ks_backup_choose(const int64_t *taken_ns, const ks_backup_gen_verdict *verdicts, size_t n,
                     int64_t intrusion_ns, int64_t margin_ns, size_t *restore, size_t *first_bad)
{
    int64_t limit = intrusion_ns - margin_ns;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (taken_ns[i] <= limit && verdicts[i] == KS_BG_CLEAN &&
            (best == SIZE_MAX || taken_ns[i] > taken_ns[best]))
            best = i;
    /* the first generation after it that is not clean (or, if none, the first taken
     * after the intrusion): what changed up to there is what staff must look at */
    size_t bad_i = SIZE_MAX;
    int64_t after = best == SIZE_MAX ? INT64_MIN : taken_ns[best];
    for (size_t i = 0; i < n; i++)
        if (taken_ns[i] > after && verdicts[i] != KS_BG_CLEAN &&
            (bad_i == SIZE_MAX || taken_ns[i] < taken_ns[bad_i]))
            bad_i = i;
    if (bad_i == SIZE_MAX)
        for (size_t i = 0; i < n; i++)
            if (taken_ns[i] > intrusion_ns && taken_ns[i] > after &&
                (bad_i == SIZE_MAX || taken_ns[i] < taken_ns[bad_i]))
                bad_i = i;
    *restore = best;
    *first_bad = bad_i;
    return best != SIZE_MAX;
}

#define DAY_NS (86400ll * 1000000000ll)

static void add_missing(char *dst, size_t cap, const char *what)
{
    size_t n = strlen(dst);
    if (n + 1 >= cap) return;
    snprintf(dst + n, cap - n, "%s%s", n ? "; " : "", what);
}

/* How many of `windows` consecutive windows of `width` days, ending at now, hold a
 * generation. */
static unsigned covered(const int64_t *taken, size_t n, int64_t now, unsigned windows,
                        int64_t width)
{
    unsigned have = 0;
    for (unsigned w = 0; w < windows; w++) {
        int64_t hi = now - (int64_t)w * width, lo = hi - width;
        for (size_t i = 0; i < n; i++)
            if (taken[i] > lo && taken[i] <= hi) {
                have++;
                break;
            }
    }
    return have;
}

void ks_backup_policy_check(const ks_backup_policy *p, const int64_t *taken_ns,
                            const ks_backup_media *media, size_t n, int64_t now_ns,
                            ks_backup_policy_result *r)
{
    memset(r, 0, sizeof *r);
    r->daily = covered(taken_ns, n, now_ns, p->daily, DAY_NS);
    r->weekly = covered(taken_ns, n, now_ns, p->weekly, 7 * DAY_NS);
    r->monthly = covered(taken_ns, n, now_ns, p->monthly, 30 * DAY_NS);
    for (size_t i = 0; i < n; i++) r->offline += media[i] != KS_BM_ONLINE;
    char w[160];
    if (r->daily < p->daily) {
        snprintf(w, sizeof w, "daily: %u of the last %u days have no generation",
                 p->daily - r->daily, p->daily);
        add_missing(r->missing, sizeof r->missing, w);
    }
    if (r->weekly < p->weekly) {
        snprintf(w, sizeof w, "weekly: %u of the last %u weeks have no generation",
                 p->weekly - r->weekly, p->weekly);
        add_missing(r->missing, sizeof r->missing, w);
    }
    if (r->monthly < p->monthly) {
        snprintf(w, sizeof w, "monthly: %u of the last %u months (30 days) have no generation",
                 p->monthly - r->monthly, p->monthly);
        add_missing(r->missing, sizeof r->missing, w);
    }
    if (r->offline < p->offline) {
        snprintf(w, sizeof w, "offline or WORM: %u copies, %u required", r->offline, p->offline);
        add_missing(r->missing, sizeof r->missing, w);
    }
    r->ok = r->missing[0] == 0;
}

const char *ks_backup_media_name(ks_backup_media m)
{
    return m == KS_BM_WORM ? "worm" : m == KS_BM_OFFLINE ? "offline" : "online";
}

int ks_backup_media_find(const char *name)
{
    for (int m = KS_BM_ONLINE; m <= KS_BM_WORM; m++)
        if (strcmp(name, ks_backup_media_name((ks_backup_media)m)) == 0) return m;
    return -1;
}
