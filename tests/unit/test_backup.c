/* Backup generation scans: a folder generation and the same generation as a tar.gz,
 * daily churn (clean), mass encryption with renames and a note (encrypted, Veeam's 200
 * renames in a folder), mass deletion of one extension (suspicious, 100 deletions),
 * and a manifest written as JSON lines and read back as the previous generation. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/backup.h"
#include "kensa/buf.h"

static char base[256];

static void write_file(const char *gen, const char *rel, const void *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", base, gen, rel);
    for (char *s = path + strlen(base) + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(3);
    }
    fwrite(p, 1, n, f);
    fclose(f);
}

static void note_text(char *buf, size_t n, int i, int version)
{
    size_t k = 0;
    while (k + 80 < n)
        k += (size_t)snprintf(buf + k, n - k,
                              "patient %05d ward %d visit %d: blood pressure normal, "
                              "follow up\n",
                              i, i % 7, version);
    buf[k] = 0;
}

/* One generation: 250 notes in ward/, 120 CSV exports in exports/; `changed` notes
 * rewritten; optionally encrypted and renamed (.akira) with a note, or without CSVs. */
static void make_gen(const char *gen, int changed, int encrypt, int drop_csv)
{
    static char buf[4096];
    uint8_t key[32] = {7}, nonce[8] = {0};
    for (int i = 0; i < 250; i++) {
        char rel[64];
        note_text(buf, sizeof buf, i, i < changed ? 2 : 1);
        size_t n = strlen(buf);
        if (encrypt) {
            nonce[0] = (uint8_t)i;
            crypto_stream_chacha20_xor((uint8_t *)buf, (uint8_t *)buf, n, nonce, key);
            snprintf(rel, sizeof rel, "ward/note-%03d.txt.akira", i);
        } else {
            snprintf(rel, sizeof rel, "ward/note-%03d.txt", i);
        }
        write_file(gen, rel, buf, n);
    }
    for (int i = 0; i < 120 && !drop_csv; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "exports/export-%03d.csv", i);
        snprintf(buf, sizeof buf, "id,name,value\n%d,sample %d,%d\n", i, i, i * 3);
        write_file(gen, rel, buf, strlen(buf));
    }
    if (encrypt) {
        const char *note = "Hi friends. Your network was encrypted and your data downloaded. "
                           "To decrypt, contact us at https://akiral2iz6a7qgd3ayp3l6yub7xx2.onion "
                           "with Tor Browser. Ransom payable in Bitcoin.\n";
        write_file(gen, "ward/akira_readme.txt", note, strlen(note));
    }
}

typedef struct counts {
    uint64_t files;
    ks_buf manifest;
} counts;

static void on_file(void *ctx, const char *path, int64_t mtime, const ks_backup_file *f)
{
    counts *c = ctx;
    c->files++;
    ks_backup_file_write_json(&c->manifest, path, mtime, f);
}

static void count_change(void *ctx, ks_backup_change c, const char *path)
{
    uint64_t *n = ctx;
    (void)path;
    n[c]++;
}

static void tar_gz(const char *gen, const char *out)
{
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", base, out);
    archive_write_open_filename(a, path);
    const char *dirs[] = {"ward", "exports"};
    for (int d = 0; d < 2; d++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s/%s", base, gen, dirs[d]);
        DIR *dp = opendir(dir);
        struct dirent *de;
        while (dp && (de = readdir(dp)) != NULL) {
            if (de->d_name[0] == '.') continue;
            char full[1024], rel[600];
            snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
            snprintf(rel, sizeof rel, "./%s/%s", dirs[d], de->d_name);
            size_t n;
            uint8_t *p = ks_test_slurp(full, &n);
            struct archive_entry *e = archive_entry_new();
            archive_entry_set_pathname(e, rel);
            archive_entry_set_size(e, (la_int64_t)n);
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_write_header(a, e);
            archive_write_data(a, p, n);
            archive_entry_free(e);
            free(p);
        }
        if (dp) closedir(dp);
    }
    archive_write_close(a);
    archive_write_free(a);
}

int main(void)
{
    if (sodium_init() < 0) return 3;
    snprintf(base, sizeof base, "/tmp/kensa-test-backup-XXXXXX");
    if (!mkdtemp(base)) return 3;
    make_gen("daily-1", 0, 0, 0);
    make_gen("daily-2", 12, 0, 0);
    make_gen("daily-3", 12, 1, 0);
    make_gen("daily-4", 12, 0, 1);
    char path[512];
    ks_diag d = {0};

    /* the first generation: clean, with its index and manifest */
    counts c1 = {0};
    ks_backup_gen g;
    ks_backup_index *i1 = NULL;
    snprintf(path, sizeof path, "%s/daily-1", base);
    CHECK_INT(ks_backup_scan(path, NULL, 0, on_file, &c1, &g, &i1, &d), KS_OK);
    CHECK_INT(g.files, 370);
    CHECK_INT(c1.files, 370);
    CHECK_INT(g.by_verdict[KS_BV_CLEAN], 370);
    CHECK_INT(g.verdict, KS_BG_CLEAN);
    CHECK(i1 != NULL);

    /* daily churn: 12 notes changed */
    snprintf(path, sizeof path, "%s/daily-2", base);
    ks_backup_index *i2 = NULL;
    CHECK_INT(ks_backup_scan(path, i1, 0, NULL, NULL, &g, &i2, &d), KS_OK);
    CHECK_INT(g.modified, 12);
    CHECK_INT(g.unchanged, 358);
    CHECK_INT(g.added + g.deleted + g.renamed, 0);
    CHECK_STR(ks_backup_gen_verdict_name(g.verdict), "clean");

    /* encrypted, renamed to .akira, with a note */
    snprintf(path, sizeof path, "%s/daily-3", base);
    ks_backup_index *i3 = NULL;
    CHECK_INT(ks_backup_scan(path, i2, 0, NULL, NULL, &g, &i3, &d), KS_OK);
    CHECK_STR(ks_backup_gen_verdict_name(g.verdict), "encrypted");
    CHECK_INT(g.by_verdict[KS_BV_ENCRYPTED], 250);
    CHECK_INT(g.by_verdict[KS_BV_RANSOM_NOTE], 1);
    CHECK_INT(g.renamed, 250);
    CHECK_INT(g.max_folder_renames, 250);
    CHECK_STR(g.renames_folder, "ward");
    CHECK_INT(g.new_extensions, 1);
    CHECK_STR(g.new_extension, "akira");
    CHECK(strstr(g.reason, "250 files renamed in ward") != NULL);
    printf("encrypted generation: %s\n", g.reason);

    /* advice: the newest clean generation a margin before the intrusion, and what
     * changed up to the first bad one */
    const int64_t day = 86400ll * 1000000000ll, t0 = 1764000000ll * 1000000000ll;
    int64_t taken[3] = {t0, t0 + day, t0 + 2 * day};
    ks_backup_gen_verdict vs[3] = {KS_BG_CLEAN, KS_BG_CLEAN, KS_BG_ENCRYPTED};
    size_t restore, first_bad;
    CHECK(ks_backup_choose(taken, vs, 3, t0 + 2 * day - 3600ll * 1000000000ll, day, &restore,
                           &first_bad));
    CHECK_INT(restore, 0);
    CHECK_INT(first_bad, 2);
    CHECK(ks_backup_choose(taken, vs, 3, t0 + 2 * day + 3 * day, day, &restore, &first_bad));
    CHECK_INT(restore, 1);
    CHECK_INT(first_bad, 2);
    CHECK(!ks_backup_choose(taken, vs, 3, t0, day, &restore, &first_bad));
    CHECK_INT(restore, SIZE_MAX);
    uint64_t changes[4] = {0};
    CHECK_INT(ks_backup_diff(i1, i3, count_change, changes), 501);
    CHECK_INT(changes[KS_BD_ENCRYPTED], 251); /* 250 notes and the ransom note */
    CHECK_INT(changes[KS_BD_REMOVED], 250);
    CHECK_INT(changes[KS_BD_MODIFIED], 0);
    CHECK_INT(changes[KS_BD_ADDED], 0);
    memset(changes, 0, sizeof changes);
    CHECK_INT(ks_backup_diff(i1, i2, count_change, changes), 12);
    CHECK_INT(changes[KS_BD_MODIFIED], 12);

    /* retention: a week of dailies, one offline */
    int64_t week[7];
    ks_backup_media media[7] = {0};
    for (int k = 0; k < 7; k++) week[k] = t0 - k * day - 3600ll * 1000000000ll;
    media[3] = KS_BM_OFFLINE;
    ks_backup_policy pol = KS_BACKUP_POLICY_DEFAULT;
    ks_backup_policy_result pr;
    ks_backup_policy_check(&pol, week, media, 7, t0, &pr);
    CHECK_INT(pr.daily, 7);
    CHECK_INT(pr.weekly, 1);
    CHECK_INT(pr.monthly, 1);
    CHECK_INT(pr.offline, 1);
    CHECK(!pr.ok);
    CHECK(strstr(pr.missing, "weekly: 3 of the last 4 weeks") != NULL);
    pol.weekly = 1, pol.monthly = 1;
    ks_backup_policy_check(&pol, week, media, 7, t0, &pr);
    CHECK(pr.ok);
    ks_backup_index_free(&i3);

    /* 120 CSV files deleted */
    snprintf(path, sizeof path, "%s/daily-4", base);
    CHECK_INT(ks_backup_scan(path, i2, 0, NULL, NULL, &g, NULL, &d), KS_OK);
    CHECK_STR(ks_backup_gen_verdict_name(g.verdict), "suspicious");
    CHECK_INT(g.deleted, 120);
    CHECK_INT(g.max_ext_deletions, 120);
    CHECK_STR(g.deletions_ext, "csv");
    printf("suspicious generation: %s\n", g.reason);

    /* the first generation as a tar.gz: the same paths and contents */
    tar_gz("daily-1", "daily-1.tar.gz");
    snprintf(path, sizeof path, "%s/daily-1.tar.gz", base);
    CHECK_INT(ks_backup_scan(path, i1, 0, NULL, NULL, &g, NULL, &d), KS_OK);
    CHECK_INT(g.files, 370);
    CHECK_INT(g.unchanged, 370);
    CHECK_STR(ks_backup_gen_verdict_name(g.verdict), "clean");

    /* the manifest (JSON lines) read back as the previous generation */
    snprintf(path, sizeof path, "%s/daily-1.manifest.jsonl", base);
    FILE *f = fopen(path, "wb");
    fwrite(c1.manifest.data, 1, c1.manifest.len, f);
    fclose(f);
    ks_backup_index *m1 = NULL;
    CHECK_INT(ks_backup_index_load(path, &m1, &d), KS_OK);
    snprintf(path, sizeof path, "%s/daily-2", base);
    CHECK_INT(ks_backup_scan(path, m1, 0, NULL, NULL, &g, NULL, &d), KS_OK);
    CHECK_INT(g.prev_files, 370);
    CHECK_INT(g.modified, 12);
    CHECK_INT(g.unchanged, 358);

    /* not a generation */
    snprintf(path, sizeof path, "%s/daily-1/ward/note-000.txt", base);
    CHECK(ks_backup_scan(path, NULL, 0, NULL, NULL, &g, NULL, &d) != KS_OK);
    CHECK(d.what[0] != 0);
    snprintf(path, sizeof path, "%s/no-such-generation", base);
    CHECK_INT(ks_backup_scan(path, NULL, 0, NULL, NULL, &g, NULL, &d), KS_ERR_IO);

    ks_backup_index_free(&i1);
    ks_backup_index_free(&i2);
    ks_backup_index_free(&m1);
    CHECK(i1 == NULL);
    ks_buf_free(&c1.manifest);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", base);
    return ks_test_done();
}
