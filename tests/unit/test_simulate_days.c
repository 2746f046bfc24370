/* Days of the simulated hospital (ks_sim_write_days): one day of the small hospital is
 * ks_sim_write's files byte for byte; three days are the same bytes for the same seed,
 * roll over into Windows-named archives below the size asked for, run in time order
 * across the archives from the first day's morning to the intrusion's night, have the
 * fuller event mix and a quieter weekend, and kensa investigate finds the planted first
 * intrusion in them; the midsize hospital has its own hosts and staff. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/investigate.h"
#include "kensa/kensa.h"
#include "kensa/simulate.h"
#include "kensa/time.h"

#define MAXF 64

typedef struct listing {
    char name[MAXF][260];
    size_t n;
} listing;

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The .evtx files of dir, archives first (oldest first: their names carry the time),
 * then Security.evtx and System.evtx. */
static void list_evtx(const char *dir, listing *l)
{
    l->n = 0;
    DIR *dp = opendir(dir);
    CHECK(dp != NULL);
    if (!dp) return;
    struct dirent *de;
    while ((de = readdir(dp)))
        if (strstr(de->d_name, ".evtx") && l->n < MAXF)
            snprintf(l->name[l->n++], sizeof l->name[0], "%s", de->d_name);
    closedir(dp);
    qsort(l->name, l->n, sizeof l->name[0], by_name);
}

static int same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    uint8_t *pa = ks_test_slurp(a, &na), *pb = ks_test_slurp(b, &nb);
    int same = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
    free(pa);
    free(pb);
    return same;
}

static void remove_dir(const char *dir)
{
    listing l;
    list_evtx(dir, &l);
    char p[1400];
    for (size_t i = 0; i < l.n; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, l.name[i]);
        unlink(p);
    }
    rmdir(dir);
}

static int64_t jst_midnight(int y, unsigned m, unsigned d)
{
    return (ks_days_from_civil(y, m, d) * 86400 - 9 * 3600) * INT64_C(1000000000);
}

typedef struct tally {
    uint64_t events, by_id[6]; /* 4624 4625 4672 4688 5140 5145 */
    uint64_t per_day[3];       /* Security events on 10-13 (Sun), 10-14 (holiday), 10-15 */
    int64_t first, last;
    int ordered;
    int hosts_mid; /* events of a midsize-only host */
} tally;

static void read_log(const char *path, tally *t, int64_t *prev)
{
    ks_evtx *r = NULL;
    CHECK_INT(ks_evtx_open(&r, path, NULL), KS_OK);
    if (!r) return;
    static const uint32_t IDS[6] = {4624, 4625, 4672, 4688, 5140, 5145};
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        ks_event ev;
        if (ks_evtx_record_event(rec, &ev) != KS_OK) {
            CHECK(0);
            continue;
        }
        t->events++;
        if (ev.time_ns < *prev) t->ordered = 0;
        *prev = ev.time_ns;
        if (!t->first || ev.time_ns < t->first) t->first = ev.time_ns;
        if (ev.time_ns > t->last) t->last = ev.time_ns;
        for (int i = 0; i < 6; i++) t->by_id[i] += ev.event_id == IDS[i];
        for (int i = 0; i < 3; i++)
            t->per_day[i] += ev.time_ns >= jst_midnight(2024, 10, 13 + (unsigned)i) &&
                             ev.time_ns < jst_midnight(2024, 10, 14 + (unsigned)i);
        t->hosts_mid += ev.host.len >= 10 &&
                        (!memcmp(ev.host.p, "EMR-TERM-6", 10) || !memcmp(ev.host.p, "DC02.", 5));
    }
    ks_evtx_close(&r);
}

/* Every event of one log (NAME-prefixed archives then NAME.evtx), in file order. */
static void read_series(const char *dir, const listing *l, const char *name, tally *t)
{
    memset(t, 0, sizeof *t);
    t->ordered = 1;
    int64_t prev = INT64_MIN;
    char arch[64], cur[64], p[1400];
    snprintf(arch, sizeof arch, "Archive-%s-", name);
    snprintf(cur, sizeof cur, "%s.evtx", name);
    for (size_t i = 0; i < l->n; i++)
        if (!strncmp(l->name[i], arch, strlen(arch))) {
            snprintf(p, sizeof p, "%s/%s", dir, l->name[i]);
            read_log(p, t, &prev);
        }
    snprintf(p, sizeof p, "%s/%s", dir, cur);
    read_log(p, t, &prev);
}

static void test_one_day_is_the_day(const char *dir)
{
    char a[1100], b[1100];
    snprintf(a, sizeof a, "%s/one-a", dir);
    snprintf(b, sizeof b, "%s/one-b", dir);
    ks_sim_result ra, rb;
    ks_diag d = {0};
    ks_sim_days_opts o = {.days = 1};
    CHECK_INT(ks_sim_write(a, 3, &ra, &d), KS_OK);
    CHECK_INT(ks_sim_write_days(b, 3, &o, &rb, &d), KS_OK);
    CHECK_INT(rb.days, 1);
    CHECK_INT(rb.archives, 0);
    CHECK_INT(rb.intrusion_ns, ra.intrusion_ns);
    for (unsigned i = 0; i < 2; i++) CHECK(same_file(ra.files[i].path, rb.files[i].path));
    remove_dir(a);
    remove_dir(b);
}

static void test_three_days(const char *dir)
{
    char a[1100], b[1100], c[1100], p[1400], q[1400];
    snprintf(a, sizeof a, "%s/days-a", dir);
    snprintf(b, sizeof b, "%s/days-b", dir);
    snprintf(c, sizeof c, "%s/days-c", dir);
    ks_sim_result ra, rb, rc, one;
    ks_diag d = {0};
    ks_sim_days_opts o = {.days = 3, .max_file_bytes = 1u << 20};
    CHECK_INT(ks_sim_write_days(a, 5, &o, &ra, &d), KS_OK);
    CHECK_INT(ks_sim_write_days(b, 5, &o, &rb, &d), KS_OK);
    CHECK_INT(ks_sim_write_days(c, 6, &o, &rc, &d), KS_OK);
    CHECK_INT(ra.days, 3);
    CHECK(ra.archives >= 1);
    /* deterministic: the same names, the same bytes; another seed, other bytes */
    listing la, lb, lc;
    list_evtx(a, &la);
    list_evtx(b, &lb);
    list_evtx(c, &lc);
    CHECK_INT(la.n, 2 + ra.archives);
    CHECK_INT(lb.n, la.n);
    uint64_t bytes = 0;
    for (size_t i = 0; i < la.n && i < lb.n; i++) {
        CHECK_STR(la.name[i], lb.name[i]);
        snprintf(p, sizeof p, "%s/%s", a, la.name[i]);
        snprintf(q, sizeof q, "%s/%s", b, lb.name[i]);
        CHECK(same_file(p, q));
        struct stat st;
        CHECK(stat(p, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= o.max_file_bytes);
        bytes += (uint64_t)st.st_size;
        if (i < ra.archives) /* Archive-Security-2024-10-1D-HH-MM-SS-mmm.evtx */
            CHECK(strlen(la.name[i]) == 45 &&
                  !strncmp(la.name[i], "Archive-Security-2024-10-1", 26));
    }
    CHECK_INT(bytes, ra.evtx_bytes);
    snprintf(p, sizeof p, "%s/Security.evtx", a);
    snprintf(q, sizeof q, "%s/Security.evtx", c);
    CHECK(!same_file(p, q));
    /* the intrusion stays in the last night: the same story as the one day of seed 5 */
    snprintf(q, sizeof q, "%s/one", dir);
    CHECK_INT(ks_sim_write(q, 5, &one, &d), KS_OK);
    remove_dir(q);
    CHECK(ra.intrusion_ns > jst_midnight(2024, 10, 16) &&
          ra.intrusion_ns < jst_midnight(2024, 10, 16) + INT64_C(4) * 3600 * 1000000000);
    CHECK_INT(ra.nchain, one.nchain);
    CHECK_STR(ra.entry_host, one.entry_host);
    CHECK(ra.failed_logons >= 60 && ra.failed_logons <= 120);
    CHECK(ra.chain[ra.nchain - 1].time_ns <
          jst_midnight(2024, 10, 16) + INT64_C(6) * 3600000000000);
    /* every event in time order across the archives, three days of them */
    tally sec, sys;
    read_series(a, &la, "Security", &sec);
    read_series(a, &la, "System", &sys);
    CHECK(sec.ordered);
    CHECK(sys.ordered);
    CHECK_INT(sec.events, ra.files[0].events);
    CHECK_INT(sys.events, ra.files[1].events);
    CHECK_INT(sec.first, ra.files[0].first_ns);
    CHECK(sec.first >= jst_midnight(2024, 10, 13) && sec.first < jst_midnight(2024, 10, 14));
    CHECK(sec.last > ra.intrusion_ns && sec.last < jst_midnight(2024, 10, 17));
    /* the fuller mix; the Sunday and the holiday quieter than the Tuesday */
    for (int i = 0; i < 6; i++) CHECK(sec.by_id[i] > 0);
    CHECK(sec.by_id[1] > ra.failed_logons); /* mistyped passwords besides the attack */
    CHECK(sec.by_id[5] > sec.by_id[4]);     /* several files per share visit */
    CHECK(sec.per_day[0] * 2 < sec.per_day[2]);
    CHECK(sec.per_day[1] * 2 < sec.per_day[2]);
    CHECK_INT(sec.hosts_mid, 0);
    fprintf(stderr,
            "  3 days: %llu + %llu events, %u archives, %llu bytes; per day %llu %llu %llu\n",
            (unsigned long long)sec.events, (unsigned long long)sys.events, ra.archives,
            (unsigned long long)ra.evtx_bytes, (unsigned long long)sec.per_day[0],
            (unsigned long long)sec.per_day[1], (unsigned long long)sec.per_day[2]);

    /* the investigation finds the planted first intrusion in the three days */
    ks_investigate_opts io = {.tz = "Asia/Tokyo"};
    ks_investigation *inv = NULL;
    char *paths[1] = {a};
    CHECK_INT(ks_investigate_run(&inv, paths, 1, &io, &d), KS_OK);
    if (inv) {
        CHECK_INT(inv->nfiles, la.n);
        CHECK_INT(inv->files_failed, 0);
        CHECK_INT(inv->events, sec.events + sys.events);
        CHECK(inv->estimate.found);
        CHECK_INT(inv->estimate.time_ns, ra.intrusion_ns);
        CHECK_INT(inv->estimate.attempt_ns, ra.attempt_ns);
        CHECK_STR(inv->estimate.src_ip, ra.attacker_ip);
        CHECK_INT(inv->estimate.confidence, KS_CONF_HIGH);
    }
    ks_investigate_free(&inv);
    /* a run with other options leaves no archives of this one behind */
    ks_sim_days_opts big = {.days = 2};
    CHECK_INT(ks_sim_write_days(a, 5, &big, &ra, &d), KS_OK);
    list_evtx(a, &la);
    CHECK_INT(la.n, 2);
    CHECK_INT(ra.archives, 0);
    remove_dir(a);
    remove_dir(b);
    remove_dir(c);
}

static void test_midsize(const char *dir)
{
    char a[1100];
    snprintf(a, sizeof a, "%s/mid", dir);
    ks_sim_result r;
    ks_diag d = {0};
    ks_sim_days_opts o = {.days = 1, .size = KS_SIM_MIDSIZE, .scenario = KS_SIM_NO_ATTACK};
    CHECK_INT(ks_sim_write_days(a, 2, &o, &r, &d), KS_OK);
    CHECK_INT(r.intrusion_ns, 0);
    CHECK_INT(r.nchain, 0);
    listing l;
    list_evtx(a, &l);
    tally sec;
    read_series(a, &l, "Security", &sec);
    CHECK(sec.ordered);
    CHECK(sec.hosts_mid > 0);
    CHECK(sec.events > 10000); /* 300 staff on a Tuesday */
    remove_dir(a);
    CHECK_STR(ks_sim_size_name(KS_SIM_MIDSIZE), "midsize");
    CHECK_INT(ks_sim_size_find("small"), KS_SIM_SMALL);
    CHECK_INT(ks_sim_size_find("huge"), -1);
    ks_sim_days_opts bad = {.days = KS_SIM_MAX_DAYS + 1};
    CHECK_INT(ks_sim_write_days(a, 1, &bad, NULL, &d), KS_ERR_ARG);

    /* its site file names the second servers with their roles, and keeps the rest */
    char site_path[1200];
    snprintf(site_path, sizeof site_path, "%s/mid-site.yaml", dir);
    CHECK_INT(ks_sim_write_site_size(site_path, KS_SIM_MIDSIZE, &d), KS_OK);
    ks_site *site = NULL;
    CHECK_INT(ks_site_load(&site, site_path, &d), KS_OK);
    CHECK_INT(ks_site_role_of(site, "FS02.hosp.local"), KS_ROLE_FILE_SERVER);
    CHECK_INT(ks_site_role_of(site, "DC02"), KS_ROLE_DOMAIN_CONTROLLER);
    CHECK_INT(ks_site_role_of(site, "PACS01"), KS_ROLE_OTHER);
    CHECK_INT(ks_site_role_of(site, "EMR-TERM-60"), KS_ROLE_EMR_TERMINAL);
    CHECK_INT(ks_site_role_of(site, "BK01"), KS_ROLE_BACKUP_SERVER);
    ks_site_free(&site);
    unlink(site_path);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/kensa-simdays-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_one_day_is_the_day(dir);
    test_three_days(dir);
    test_midsize(dir);
    rmdir(dir);
    return ks_test_done();
}
