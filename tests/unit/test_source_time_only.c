/* ks_source_opts.time_only (what kensa seal reads with): every event's offset, record
 * id and time must be those of a full read. Compared over synthetic syslog lines
 * where a vendor's own time replaces the header's or fills a missing one, over the
 * syslog fuzz seeds, and over the shared real syslog files when they are there. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "kensa/source.h"

typedef struct ev_key {
    uint64_t offset, record_id;
    int64_t time_ns;
} ev_key;

/* The events of data read with or without time_only; *n of them, malloc'd. */
static ev_key *read_keys(const void *data, size_t size, ks_format f, bool time_only, size_t *n)
{
    ks_source_opts o = {0};
    o.format = f;
    o.tz = "+09:00";
    o.time_only = time_only;
    ks_source *s;
    *n = 0;
    if (ks_source_open_mem(&s, data, size, "t", &o, NULL) != KS_OK) return NULL;
    ev_key *k = NULL;
    size_t cap = 0;
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            ev_key *v = realloc(k, cap * sizeof *k);
            if (!v) break;
            k = v;
        }
        k[(*n)++] = (ev_key){ev->offset, ev->record_id, ev->time_ns};
    }
    ks_source_close(&s);
    return k;
}

/* Same keys both ways; returns the number of events. */
static size_t same_keys(const char *what, const void *data, size_t size, ks_format f)
{
    size_t na, nb;
    ev_key *a = read_keys(data, size, f, false, &na);
    ev_key *b = read_keys(data, size, f, true, &nb);
    CHECK_INT(nb, na);
    size_t bad = 0;
    for (size_t i = 0; i < na && i < nb; i++)
        if (a[i].offset != b[i].offset || a[i].record_id != b[i].record_id ||
            a[i].time_ns != b[i].time_ns) {
            if (!bad++)
                printf("%s: event %zu differs: offset %llu/%llu id %llu/%llu time %lld/%lld\n",
                       what, i, (unsigned long long)a[i].offset, (unsigned long long)b[i].offset,
                       (unsigned long long)a[i].record_id, (unsigned long long)b[i].record_id,
                       (long long)a[i].time_ns, (long long)b[i].time_ns);
        }
    CHECK_INT(bad, 0);
    free(a);
    free(b);
    return na;
}

/* The time of event i of a full read. */
static int64_t time_of(const char *text, size_t i)
{
    size_t n;
    ev_key *k = read_keys(text, strlen(text), KS_FORMAT_SYSLOG, true, &n);
    int64_t t = i < n ? k[i].time_ns : -1;
    free(k);
    return t;
}

static void test_vendor_times(void)
{
    static const char text[] =
        /* FortiGate: date/time/tz replace the header's time */
        "<189>Nov 20 10:00:00 fw1 date=2026-11-19 time=08:30:00 devname=\"FG1\" "
        "logid=\"0101039424\" "
        "type=\"event\" subtype=\"vpn\" level=\"notice\" tz=\"+0100\" msg=\"SSL tunnel up\"\n"
        /* SonicWall time="... UTC" replaces it too */
        "<134>Nov 20 10:00:01 sw1 id=firewall sn=C0EAE4000000 time=\"2026-11-18 01:02:03 UTC\" "
        "fw=203.0.113.9 pri=6 c=1024 m=1080 msg=\"SSL VPN zone remote user login allowed\" "
        "usr=\"alice\" src=198.51.100.7:0:X1\n"
        /* PAN-OS CSV: the generated time */
        "<14>Nov 20 10:00:02 pa1 1,2026/11/17 12:00:00,0123456789,SYSTEM,globalprotect,0,"
        "2026/11/17 12:00:00,,globalprotectgateway-auth-succ,GP-GW,0,0,general,informational,"
        "\"GlobalProtect gateway user authentication succeeded. Login from: 198.51.100.8, User "
        "name: bob.\",1,0x0,0,0,0,0,,pa1\n"
        /* Pulse without a header time: its own time fills it */
        "2026-11-16 07:00:00 - ive - [198.51.100.9] carol(Users)[Staff] - Login succeeded for "
        "carol/Users from 198.51.100.9.\n"
        /* plain lines: the header's time */
        "<38>1 2026-11-20T10:00:03Z vpn01 sshd 77 - - Failed password for dave from "
        "198.51.100.10 port 4242 ssh2\n"
        "<38>Nov 20 10:00:04 vpn01 sshd[77]: Accepted password for erin from 198.51.100.11 port 22 "
        "ssh2\n"
        "no header at all, no time\n"
        "<134>Nov 20 10:00:05 sw1 a message that mentions the time but has no time key\n";
    size_t n = same_keys("vendors", text, strlen(text), KS_FORMAT_SYSLOG);
    CHECK_INT(n, 8);
    /* the vendor times really differ from the headers' (so the slow path is tested) */
    CHECK(time_of(text, 0) == 1795073400ll * 1000000000ll); /* 2026-11-19 07:30:00 UTC */
    CHECK(time_of(text, 1) == 1794963723ll * 1000000000ll); /* 2026-11-18 01:02:03 UTC */
    CHECK(time_of(text, 4) == 1795168803ll * 1000000000ll); /* the 5424 header */
    CHECK(time_of(text, 6) == 0);
}

/* Variants of a seed with bytes changed to ones that matter to times and framing. */
static void mutate(const char *path, const uint8_t *data, size_t n)
{
    static const char alphabet[] = "time0123456789 <>:-/,T.Z+\n\"=";
    uint8_t *m = malloc(n ? n : 1);
    if (!m || !n) {
        free(m);
        return;
    }
    uint32_t x = 2463534242u;
    for (int k = 0; k < 40; k++) {
        memcpy(m, data, n);
        for (int j = 0; j < 4; j++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            size_t at = x % n;
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            m[at] = (uint8_t)alphabet[x % (sizeof alphabet - 1)];
        }
        same_keys(path, m, n, KS_FORMAT_SYSLOG);
    }
    free(m);
}

static void test_files_under(const char *dir, size_t *files, size_t *events, int depth,
                             bool mutants)
{
    DIR *d = opendir(dir);
    if (!d || depth > 8) {
        if (d) closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            test_files_under(path, files, events, depth + 1, mutants);
            continue;
        }
        size_t n;
        uint8_t *data = ks_test_slurp(path, &n);
        if (!data) continue;
        if (ks_format_detect(data, n, NULL) == KS_FORMAT_SYSLOG || strstr(dir, "fuzz_syslog")) {
            *events += same_keys(path, data, n, KS_FORMAT_SYSLOG);
            (*files)++;
            if (mutants) mutate(path, data, n);
        }
        free(data);
    }
    closedir(d);
}

int main(void)
{
    test_vendor_times();
    size_t files = 0, events = 0;
    test_files_under(KS_SOURCE_DIR "/fuzz/corpus/fuzz_syslog", &files, &events, 0, true);
    CHECK(files >= 20);
    CHECK(events >= 50);
    printf("fuzz seeds: %zu files, %zu events the same both ways\n", files, events);
    const char *shared = getenv("KS_SHARED_DATA");
#ifdef KS_SHARED_DATA_DEFAULT
    if (!shared || !*shared) shared = KS_SHARED_DATA_DEFAULT;
#endif
    if (shared && *shared) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/syslog", shared);
        files = events = 0;
        test_files_under(dir, &files, &events, 0, false);
        printf("shared syslog files: %zu files, %zu events the same both ways\n", files, events);
    }
    return ks_test_done();
}
