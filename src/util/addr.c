/* Addresses: internal or loopback, and the country of an outside one from a MaxMind
 * DB file (libmaxminddb): the CC0 geo-whois-asn-country database that
 * scripts/install-deps puts in data/geoip/, or any country database given by path or
 * $KENSA_GEOIP. Built without libmaxminddb, opening always fails with a reason,
 * vpn_foreign stays off and the case leaves `country` empty. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/addr.h"
#include "util/str.h"

#ifdef KS_HAVE_MAXMINDDB
#include <maxminddb.h>
#endif

#ifndef KS_GEOIP_DEFAULT
#define KS_GEOIP_DEFAULT ""
#endif

#define GEOIP_REL                                                                                  \
    "data/geoip/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/"                          \
    "geo-whois-asn-country.mmdb"

struct ks_geoip {
#ifdef KS_HAVE_MAXMINDDB
    MMDB_s db;
#endif
    char path[4096];
};

#ifdef KS_HAVE_MAXMINDDB
static ks_geoip *try_open(const char *path)
{
    if (!path || !path[0] || strlen(path) >= sizeof((ks_geoip *)0)->path) return NULL;
    if (access(path, R_OK) != 0) return NULL;
    ks_geoip *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    if (MMDB_open(path, MMDB_MODE_MMAP, &g->db) != MMDB_SUCCESS) {
        free(g);
        return NULL;
    }
    memcpy(g->path, path, strlen(path) + 1);
    return g;
}
#endif

ks_geoip *ks_geoip_open(const char *path, char *why, size_t cap)
{
#ifdef KS_HAVE_MAXMINDDB
    ks_geoip *g = NULL;
    if (path && path[0]) {
        if (!(g = try_open(path)) && why) snprintf(why, cap, "cannot open %s", path);
        return g;
    }
    const char *env = getenv("KENSA_GEOIP");
    if (env && env[0]) {
        if (!(g = try_open(env)) && why) snprintf(why, cap, "cannot open KENSA_GEOIP=%s", env);
        return g;
    }
    /* next to the executable: an install (../share/kensa), the source tree above a
     * build tree (build/NAME/kensa, build/NAME/tests/test_x) */
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        static const char *const UP[] = {"", "/..", "/../..", "/../../.."};
        char p[4096];
        for (size_t i = 0; !g && i < sizeof UP / sizeof UP[0]; i++) {
            snprintf(p, sizeof p, "%s%s/%s", exe, UP[i], GEOIP_REL);
            g = try_open(p);
        }
        if (!g) {
            snprintf(p, sizeof p, "%s/../share/kensa/geo-whois-asn-country.mmdb", exe);
            g = try_open(p);
        }
    }
    if (!g) g = try_open(KS_GEOIP_DEFAULT);
    if (!g && why)
        snprintf(why, cap, "no country database (set KENSA_GEOIP, or run scripts/install-deps)");
    return g;
#else
    (void)path;
    if (why) snprintf(why, cap, "kensa was built without libmaxminddb");
    return NULL;
#endif
}

bool ks_geoip_country(ks_geoip *g, ks_str ip, char cc[3])
{
    cc[0] = 0;
#ifdef KS_HAVE_MAXMINDDB
    if (!g || !ip.len || ip.len >= 64) return false;
    char a[64];
    memcpy(a, ip.p, ip.len);
    a[ip.len] = 0;
    char *zone = strchr(a, '%'); /* fe80::1%eth0 */
    if (zone) *zone = 0;
    int gai = 0, err = 0;
    MMDB_lookup_result_s r = MMDB_lookup_string(&g->db, a, &gai, &err);
    if (gai || err != MMDB_SUCCESS || !r.found_entry) return false;
    MMDB_entry_data_s v;
    /* ip-location-db: {country_code}; MaxMind GeoLite2: {country: {iso_code}} */
    if (MMDB_get_value(&r.entry, &v, "country_code", NULL) != MMDB_SUCCESS || !v.has_data ||
        v.type != MMDB_DATA_TYPE_UTF8_STRING) {
        if (MMDB_get_value(&r.entry, &v, "country", "iso_code", NULL) != MMDB_SUCCESS ||
            !v.has_data || v.type != MMDB_DATA_TYPE_UTF8_STRING)
            return false;
    }
    if (v.data_size != 2) return false;
    cc[0] = (char)(v.utf8_string[0] & ~0x20);
    cc[1] = (char)(v.utf8_string[1] & ~0x20);
    cc[2] = 0;
    return cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z';
#else
    (void)g;
    (void)ip;
    return false;
#endif
}

const char *ks_geoip_path(const ks_geoip *g)
{
    return g ? g->path : "";
}

void ks_geoip_close(ks_geoip **pg)
{
    if (!pg || !*pg) return;
#ifdef KS_HAVE_MAXMINDDB
    MMDB_close(&(*pg)->db);
#endif
    free(*pg);
    *pg = NULL;
}

/* --- internal addresses ------------------------------------------------------------ */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* The four bytes of a dotted IPv4 address; false if it is not one. */
static bool ipv4(ks_str s, unsigned char out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        while (i < s.len && s.p[i] >= '0' && s.p[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s.p[i++] - '0');
            digits++;
        }
        if (!digits || v > 255) return false;
        out[part] = (unsigned char)v;
        if (part < 3) {
            if (i >= s.len || s.p[i] != '.') return false;
            i++;
        }
    }
    return i == s.len;
}

bool ks_addr_is_loopback(ks_str ip)
{
    unsigned char b[4];
    if (ipv4(ip, b)) return b[0] == 127;
    return ks_str_eq(ip, "::1");
}

bool ks_addr_is_internal(ks_str ip)
{
    unsigned char b[4];
    if (ipv4(ip, b))
        return b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
               (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 100 && (b[1] & 0xc0) == 64);
    if (ks_str_eq(ip, "::1") || ks_str_eq(ip, "::")) return true;
    if (ip.len >= 2) {
        char a = lower(ip.p[0]), c = lower(ip.p[1]);
        if (a == 'f' && (c == 'c' || c == 'd')) return true; /* fc00::/7 */
        char d3 = ip.len >= 4 ? lower(ip.p[2]) : 0;
        if (a == 'f' && c == 'e' && (d3 == '8' || d3 == '9' || d3 == 'a' || d3 == 'b'))
            return true; /* fe80::/10 */
    }
    return false;
}
