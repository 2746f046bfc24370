/* Time zones: fixed offsets and TZif files (RFC 8536, versions 1-4: the 64-bit block
 * when present). Only the transition table is used; times after the last transition
 * keep its offset (the footer's POSIX rule is not read; zones with DST after the
 * table's end are rare in the files Debian ships, which extend the table to 2037). */
#include "util/tz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KS_TZ_MAX_TRANS 4096
#define KS_TZ_MAX_TYPES 256

struct ks_tz {
    char name[96];
    int32_t fixed; /* offset when ntrans == 0 */
    uint32_t ntrans;
    int64_t *at;     /* transition times (UTC seconds), ascending */
    int32_t *offset; /* offset in force from at[i] */
    int32_t before;  /* offset before the first transition */
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int parse_fixed(const char *s, int32_t *off)
{
    if (!strcmp(s, "UTC") || !strcmp(s, "Z") || !strcmp(s, "GMT") || !strcmp(s, "utc")) {
        *off = 0;
        return 1;
    }
    const char *p = s;
    if (!strncmp(p, "UTC", 3) || !strncmp(p, "GMT", 3)) p += 3;
    if (*p != '+' && *p != '-') return 0;
    int sign = *p++ == '-' ? -1 : 1, hh = 0, mm = 0, nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 2) hh = hh * 10 + (*p++ - '0'), nd++;
    if (!nd) return 0;
    if (*p == ':') p++;
    nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 2) mm = mm * 10 + (*p++ - '0'), nd++;
    if (*p || hh > 14 || mm > 59) return 0;
    *off = sign * (hh * 3600 + mm * 60);
    return 1;
}

/* Read a TZif file into tz. 1 on success. */
static int load_tzif(ks_tz *tz, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static const size_t cap = 1 << 20;
    uint8_t *d = malloc(cap);
    size_t n = d ? fread(d, 1, cap, f) : 0;
    fclose(f);
    int ok = 0;
    if (n < 44 || memcmp(d, "TZif", 4)) goto out;
    const uint8_t *h = d;
    size_t tsize = 4, base = 44;
    uint32_t cnt[6];
    for (int i = 0; i < 6; i++) cnt[i] = be32(h + 20 + 4 * i);
    /* counts: isutc, isstd, leap, time, type, char */
    if (d[4] >= '2') { /* skip the 32-bit block; use the 64-bit one */
        size_t v1 =
            (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 + cnt[5] + (size_t)cnt[2] * 8 + cnt[1] + cnt[0];
        if (v1 > n - 44 || n - 44 - v1 < 44 || memcmp(d + 44 + v1, "TZif", 4)) goto out;
        h = d + 44 + v1;
        for (int i = 0; i < 6; i++) cnt[i] = be32(h + 20 + 4 * i);
        tsize = 8;
        base = (size_t)(h - d) + 44;
    }
    uint32_t ntrans = cnt[3], ntypes = cnt[4];
    if (ntrans > KS_TZ_MAX_TRANS || ntypes == 0 || ntypes > KS_TZ_MAX_TYPES) goto out;
    size_t need = base + (size_t)ntrans * (tsize + 1) + (size_t)ntypes * 6;
    if (need > n) goto out;
    const uint8_t *tt = d + base, *ti = tt + (size_t)ntrans * tsize, *ty = ti + ntrans;
    tz->at = malloc(sizeof *tz->at * (ntrans ? ntrans : 1));
    tz->offset = malloc(sizeof *tz->offset * (ntrans ? ntrans : 1));
    if (!tz->at || !tz->offset) goto out;
    for (uint32_t i = 0; i < ntrans; i++) {
        int64_t t = tsize == 8 ? (int64_t)((uint64_t)be32(tt + 8 * i) << 32 | be32(tt + 8 * i + 4))
                               : (int64_t)(int32_t)be32(tt + 4 * i);
        uint8_t k = ti[i];
        if (k >= ntypes || (i && t < tz->at[i - 1])) goto out;
        tz->at[i] = t;
        tz->offset[i] = (int32_t)be32(ty + 6 * k);
    }
    tz->ntrans = ntrans;
    tz->before = (int32_t)be32(ty); /* type 0 applies before the first transition */
    tz->fixed = tz->before;
    ok = 1;
out:
    free(d);
    return ok;
}

static int safe_zone_name(const char *s)
{
    if (!*s || *s == '/' || strstr(s, "..") || strlen(s) > 64) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return 0;
    return 1;
}

ks_status ks_tz_open(ks_tz **out, const char *name, ks_diag *diag)
{
    *out = NULL;
    ks_tz *tz = calloc(1, sizeof *tz);
    if (!tz) return KS_ERR_NOMEM;
    const char *want = name;
    if (!want) {
        want = getenv("TZ");
        if (want && *want == ':') want++;
        if (want && !*want) want = NULL;
    }
    int ok = 0;
    if (want && parse_fixed(want, &tz->fixed)) {
        ok = 1;
    } else if (want && safe_zone_name(want)) {
        char path[160];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", want);
        ok = load_tzif(tz, path);
    } else if (!want) {
        /* the machine's zone: /etc/localtime, named after its link target */
        ok = 1;
        char link[256];
        ssize_t k = readlink("/etc/localtime", link, sizeof link - 1);
        link[k > 0 ? k : 0] = 0;
        const char *z = strstr(link, "zoneinfo/");
        if (!load_tzif(tz, "/etc/localtime"))
            want = "UTC (the machine has no time zone set)";
        else
            want = z ? z + 9 : "/etc/localtime";
        snprintf(tz->name, sizeof tz->name, "%s", want);
        want = tz->name;
    }
    if (!ok) {
        ks_tz_close(&tz);
        return ks_diag_set(diag, KS_ERR_ARG, NULL, 0,
                           "unknown time zone '%s' (use a name such as Asia/Tokyo or an offset "
                           "such as +09:00)",
                           want);
    }
    if (want != tz->name) snprintf(tz->name, sizeof tz->name, "%s", want);
    *out = tz;
    return KS_OK;
}

void ks_tz_close(ks_tz **tz)
{
    if (!tz || !*tz) return;
    free((*tz)->at);
    free((*tz)->offset);
    free(*tz);
    *tz = NULL;
}

const char *ks_tz_name(const ks_tz *tz)
{
    return tz->name;
}

int32_t ks_tz_offset_at(const ks_tz *tz, int64_t t)
{
    if (!tz->ntrans || t < tz->at[0]) return tz->ntrans ? tz->before : tz->fixed;
    uint32_t lo = 0, hi = tz->ntrans; /* last i with at[i] <= t */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return tz->offset[lo];
}

int64_t ks_tz_local_to_utc(const ks_tz *tz, int64_t local)
{
    /* two rounds settle it everywhere except in gaps/overlaps, where the earlier
     * of the candidate readings is taken */
    int64_t u1 = local - ks_tz_offset_at(tz, local);
    int64_t u2 = local - ks_tz_offset_at(tz, u1);
    if (u2 == u1) return u1;
    int64_t u3 = local - ks_tz_offset_at(tz, u2);
    return u3 < u2 ? u3 : u2;
}
