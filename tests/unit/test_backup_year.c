/* A year of backup generations (ks_sim_write_backup_year: a file server's share with
 * realistic churn through 2025, ransomware on December 25th) scanned as the daily,
 * weekly (Sundays) and monthly (the 1st) series and as the set a GFS rotation keeps at
 * the end (12 monthly, 4 weekly, 7 daily), each generation against the one before it
 * in its series: no generation before the ransomware may be judged suspicious or
 * encrypted and no file in them flagged; the first generation after it must be
 * encrypted, and ks_backup_choose must name the last clean one. */
#include <time.h>

#include "harness.h"
#include "kensa/backup.h"
#include "kensa/simulate.h"

#define DAYS 365
#define RANSOM_DAY 358 /* the night of December 25th: the generation of the 26th */

typedef struct gen {
    char path[512];
    int64_t taken;
    char kept[16];
} gen;

static gen gens[DAYS];
static size_t ngens;

static void read_tsv(const char *base)
{
    char path[600], line[1200];
    snprintf(path, sizeof path, "%s/generations.tsv", base);
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(line, sizeof line, f) && ngens < DAYS) {
        if (line[0] == '#') continue;
        char *field[5] = {0};
        size_t k = 0;
        for (char *p = line; p && k < 5; k++) {
            field[k] = p;
            p = strpbrk(p, "\t\n");
            if (p) *p++ = 0;
        }
        if (k < 5 || !field[4]) continue;
        gen *x = &gens[ngens++];
        snprintf(x->path, sizeof x->path, "%s", field[1]);
        snprintf(x->kept, sizeof x->kept, "%s", field[4]);
    }
    fclose(f);
}

typedef struct flagged_files {
    uint64_t n;
    const char *gen;
    int after; /* taken after the ransomware: flagged files expected */
} flagged_files;

static void on_file(void *ctx, const char *path, int64_t mtime, const ks_backup_file *f)
{
    flagged_files *c = ctx;
    (void)mtime;
    if (f->verdict == KS_BV_CLEAN || c->after) return;
    if (c->n++ < 10)
        fprintf(stderr, "  flagged file in %s: %s: %s (%s)\n", c->gen, path,
                ks_backup_verdict_name(f->verdict), f->reason);
}

/* Scan the generations idx[0..n) in order; returns the generations before the
 * ransomware that were not clean. */
static unsigned series(const char *name, const size_t *idx, size_t n, int64_t ransom_taken,
                       ks_backup_gen_verdict *verdicts)
{
    ks_backup_index *prev = NULL;
    unsigned flagged = 0, clean_before = 0, first_after = 1;
    uint64_t files = 0, bad_files = 0;
    double max_share = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t k = 0; k < n; k++) {
        gen *x = &gens[idx[k]];
        ks_backup_gen g;
        ks_backup_index *cur = NULL;
        ks_diag d = {0};
        flagged_files ff = {0, x->path, x->taken >= ransom_taken};
        ks_status st = ks_backup_scan(x->path, prev, 0, on_file, &ff, &g, &cur, &d);
        CHECK_INT(st, KS_OK);
        verdicts[k] = g.verdict;
        files += g.files;
        if (x->taken < ransom_taken) {
            bad_files += ff.n;
            if (g.share_changed > max_share) max_share = g.share_changed;
            if (g.verdict != KS_BG_CLEAN || ff.n) {
                flagged++;
                fprintf(stderr,
                        "%s: %s judged %s: %s (of %llu: %llu added, %llu deleted, %llu "
                        "modified, %llu renamed)\n",
                        name, x->path, ks_backup_gen_verdict_name(g.verdict), g.reason,
                        (unsigned long long)g.prev_files, (unsigned long long)g.added,
                        (unsigned long long)g.deleted, (unsigned long long)g.modified,
                        (unsigned long long)g.renamed);
            } else {
                clean_before++;
            }
        } else if (first_after) {
            first_after = 0;
            CHECK_STR(ks_backup_gen_verdict_name(g.verdict), "encrypted");
            CHECK(g.by_verdict[KS_BV_ENCRYPTED] + g.by_verdict[KS_BV_PARTLY_ENCRYPTED] > 10);
            CHECK_INT(g.by_verdict[KS_BV_RANSOM_NOTE], 5);
            printf("%s: ransomware generation %s: %s\n", name, x->path, g.reason);
        }
        ks_backup_index_free(&prev);
        prev = cur;
    }
    ks_backup_index_free(&prev);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_INT(flagged, 0);
    CHECK_INT(bad_files, 0);
    CHECK(!first_after); /* a generation after the ransomware was scanned */
    printf("%-8s %3zu generations, %u clean before the ransomware, %u flagged, %llu files "
           "scanned (%llu flagged), largest share changed %.1f%%, %.1f s\n",
           name, n, clean_before, flagged, (unsigned long long)files, (unsigned long long)bad_files,
           100.0 * max_share,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return flagged;
}

int main(void)
{
    char base[256];
    /* memory when there is a tmpfs: some 40,000 links and folders are written and
     * removed again, which a busy disk makes slow */
    snprintf(base, sizeof base, "/dev/shm/kensa-test-year-XXXXXX");
    if (!mkdtemp(base)) {
        snprintf(base, sizeof base, "/tmp/kensa-test-year-XXXXXX");
        if (!mkdtemp(base)) return 3;
    }
    ks_sim_year_result res;
    ks_diag d = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(ks_sim_write_backup_year(base, 1, DAYS, RANSOM_DAY, &res, &d), KS_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("written in %.1f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (d.what[0]) fprintf(stderr, "%s\n", d.what);
    CHECK_INT(res.generations, DAYS);
    printf("a year: %u generations, %llu files in all (largest %llu), %.1f MB in all, %.1f MB "
           "written; %u edits, %u added, %u deleted, %u renamed, %u moved, %u folder renames, "
           "%u archives, %u reorganisation, %u quiet days, %u encrypted\n",
           res.generations, (unsigned long long)res.files_total, (unsigned long long)res.max_files,
           (double)res.bytes_total / 1e6, (double)res.bytes_written / 1e6, res.edits, res.additions,
           res.deletions, res.renames, res.moves, res.folder_renames, res.archives,
           res.reorganisations, res.quiet_days, res.encrypted);
    CHECK(res.edits > 300 && res.additions > 100 && res.deletions > 50);
    CHECK(res.renames > 5 && res.moves > 5);
    CHECK_INT(res.folder_renames, 2);
    CHECK_INT(res.archives, 3); /* the fourth quarter ends after the ransomware */
    CHECK_INT(res.reorganisations, 1);
    CHECK(res.quiet_days > 100);
    CHECK(res.encrypted > 20);
    read_tsv(base);
    CHECK_INT(ngens, DAYS);
    for (size_t i = 0; i < ngens; i++)
        gens[i].taken = res.first_taken_ns + (int64_t)i * 86400000000000;
    int64_t ransom_taken = res.first_taken_ns + (int64_t)RANSOM_DAY * 86400000000000;

    static size_t idx[DAYS];
    static ks_backup_gen_verdict verdicts[DAYS];
    static int64_t taken[DAYS];
    size_t n = 0;
    /* daily: every generation */
    for (size_t i = 0; i < ngens; i++) idx[n++] = i;
    series("daily", idx, n, ransom_taken, verdicts);
    for (size_t i = 0; i < n; i++) taken[i] = gens[idx[i]].taken;
    size_t restore, first_bad;
    const int64_t hour = 3600000000000;
    /* the ransomware ran at night: the intrusion a day earlier, a day's margin */
    CHECK(ks_backup_choose(taken, verdicts, n, ransom_taken - 30 * hour, 24 * hour, &restore,
                           &first_bad));
    CHECK_INT(restore, RANSOM_DAY - 3);
    CHECK_INT(first_bad, RANSOM_DAY);
    /* weekly: the Sundays; monthly: the 1st */
    n = 0;
    for (size_t i = 0; i < ngens; i++)
        if (strcmp(gens[i].kept, "weekly") == 0 ||
            (strcmp(gens[i].kept, "monthly") == 0 && (i + 1 + 3) % 7 == 0))
            idx[n++] = i;
    CHECK(n >= 52);
    series("weekly", idx, n, ransom_taken, verdicts);
    n = 0;
    for (size_t i = 0; i < ngens; i++)
        if (strcmp(gens[i].kept, "monthly") == 0) idx[n++] = i;
    CHECK_INT(n, 12);
    idx[n++] = ngens - 1; /* and the newest, after the ransomware */
    series("monthly", idx, n, ransom_taken, verdicts);
    /* what a GFS rotation keeps at the end: 12 monthly, the last 4 Sundays, 7 daily */
    n = 0;
    size_t sundays = 0;
    for (size_t i = ngens; i-- > 0;) {
        int sunday = (i + 1 + 3) % 7 == 0, monthly = strcmp(gens[i].kept, "monthly") == 0;
        if (i + 7 >= ngens || monthly || (sunday && sundays < 4)) idx[n++] = i;
        if (sunday) sundays++;
    }
    for (size_t a = 0, b = n - 1; a < b; a++, b--) {
        size_t t = idx[a];
        idx[a] = idx[b];
        idx[b] = t;
    }
    series("kept", idx, n, ransom_taken, verdicts);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", base);
    return ks_test_done();
}
