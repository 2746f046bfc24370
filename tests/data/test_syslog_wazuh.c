/* Wazuh's labelled lines (../shared/data/syslog/wazuh-ruleset-tests/tests/, the .ini files): every
 * "log N pass = <line>" of the files of a registered vendor, read on its own (as Wazuh
 * tests it), must come out as that vendor, with the user and the client address when the
 * line has them. A vendor not in syslog.c's table is skipped with a message (weak
 * references tell which are linked). No PIX .ini exists in the data (only its rules).
 *
 * "The line has them" is decided here by plain text checks, independent of the parsers:
 *   FortiGate  user: xauthuser= / eapuser= / user= that is not N/A nor an address;
 *              address: remip= / srcip= / src=, else ui=...(address).
 *   Cisco      user: the catalogue's phrases (regular expressions in cisco_user);
 *              address: the first "IP = a", "IP <a>", "from [iface:]a", "src a", ...
 *   PAN-OS     CSV columns: GLOBALPROTECT source user (12) and public IP (15);
 *              TRAFFIC / THREAT source user (12) and source address (7, not 0.0.0.0).
 *   SonicWall  usr="u"; the address in src=a[:port...].
 *   sshd       "for [invalid user] u from", "Invalid user u from", "User u from", ...;
 *              the first IPv4 address after the tag.
 *   OpenVPN    the first IPv4 address after the tag (its LDAP lines name a DN, no user).
 * A user matches when it equals the expected one, or is its part before '@' / after
 * '\' with the rest in domain. The address must be equal. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ingest/syslog.h"
#include "kensa/kensa.h"

#pragma weak ks_syslog_fortigate
#pragma weak ks_syslog_cisco_asa
#pragma weak ks_syslog_paloalto
#pragma weak ks_syslog_sonicwall
#pragma weak ks_syslog_openvpn
#pragma weak ks_syslog_sshd

typedef void (*expect_fn)(const char *line, char *user, char *addr);

typedef struct ini_spec {
    const char *file;
    const ks_syslog_vendor *vendor;
    const char *provider; /* NULL: the vendor's name */
    expect_fn expect;
    int lines, users, addrs; /* pass lines; those with a user; with an address */
} ini_spec;

/* ---- plain text checks ----------------------------------------------------------- */

static int is_ipv4(const char *p, size_t n)
{
    int parts = 0, digits = 0, v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            v = v * 10 + (p[i] - '0');
            if (++digits > 3 || v > 255) return 0;
        } else if (p[i] == '.' && digits) {
            parts++, digits = 0, v = 0;
        } else {
            return 0;
        }
    }
    return parts == 3 && digits;
}

static void put(char *out, const char *p, size_t n)
{
    if (n > 127) n = 127;
    memcpy(out, p, n);
    out[n] = 0;
}

/* First match of an extended regular expression; group `g` into out. */
static int rx(const char *line, const char *re, int g, char *out)
{
    regex_t r;
    regmatch_t m[8];
    if (regcomp(&r, re, REG_EXTENDED) != 0) {
        fprintf(stderr, "bad regex %s\n", re);
        abort();
    }
    int ok = regexec(&r, line, 8, m, 0) == 0 && m[g].rm_so >= 0;
    if (ok) put(out, line + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
    regfree(&r);
    return ok;
}

/* key=value at the start or after a space; quotes removed. */
static int kv(const char *line, const char *key, char *out)
{
    size_t kl = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p += kl) {
        if ((p != line && p[-1] != ' ') || p[kl] != '=') continue;
        const char *v = p + kl + 1, *e;
        if (*v == '"')
            e = strchr(++v, '"');
        else
            e = v + strcspn(v, " ");
        if (!e) e = v + strlen(v);
        put(out, v, (size_t)(e - v));
        return 1;
    }
    return 0;
}

static void fortigate_expect(const char *line, char *user, char *addr)
{
    static const char *const ukeys[] = {"xauthuser", "eapuser", "user"};
    for (size_t i = 0; i < 3 && !*user; i++)
        if (kv(line, ukeys[i], user) && (!strcmp(user, "N/A") || is_ipv4(user, strlen(user))))
            user[0] = 0;
    static const char *const akeys[] = {"remip", "srcip", "src"};
    for (size_t i = 0; i < 3 && !*addr; i++)
        if (kv(line, akeys[i], addr) && !is_ipv4(addr, strlen(addr))) addr[0] = 0;
    char ui[128];
    if (!*addr && kv(line, "ui", ui)) rx(ui, "\\(([0-9.]+)\\)$", 1, addr);
}

static void cisco_user(const char *line, char *user)
{
    static const struct {
        const char *re;
        int g;
    } u[] = {
        {"Username = ([^,]+)", 1},
        {"Username:([^ ,]+)", 1},
        {"username = ([^,]+)", 1},
        {"User = ([^:, ]+)", 1},
        {"user = ([^:, ]+)", 1},
        {"Uname: ([^ ,]+)", 1},
        {"User <([^>]+)>", 1},
        {"[Uu]ser '([^']+)'", 1},
        {"for user \"([^\"]+)\"", 1},
        {"for user ([^ \":,]+)", 1},
        {"User ([^ ,<']+) (IP|locked|executed) ", 1},
        {"DAP: User ([^ ,]+),", 1},
        {"\\(user=([^)]+)\\)", 1},
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (rx(line, u[i].re, u[i].g, user)) return;
}

static void cisco_expect(const char *line, char *user, char *addr)
{
    cisco_user(line, user);
    rx(line,
       "(Remote:|IP = |IP <| IP |IP address: |Addr |remote-peer = |from (IP |laddr )?|[ (]src "
       "(= )?|SRC )([A-Za-z0-9_-]+:)?([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})",
       5, addr);
}

static void pan_expect(const char *line, char *user, char *addr)
{
    const char *p = strchr(line, ',');
    while (p && p > line && p[-1] >= '0' && p[-1] <= '9') p--;
    if (!p) return;
    char col[40][128];
    int n = 0;
    while (n < 40 && *p) {
        const char *e;
        if (*p == '"') {
            e = strchr(p + 1, '"');
            if (!e) e = p + strlen(p);
            put(col[n++], p + 1, (size_t)(e - p - 1));
            e = *e ? e + 1 : e;
        } else {
            e = p + strcspn(p, ",");
            put(col[n++], p, (size_t)(e - p));
        }
        if (*e != ',') break;
        p = e + 1;
    }
    if (n < 16) return;
    int gp = !strcmp(col[3], "GLOBALPROTECT");
    int tt = !strcmp(col[3], "TRAFFIC") || !strcmp(col[3], "THREAT");
    if (gp || tt) snprintf(user, 128, "%s", col[12]);
    const char *a = gp ? col[15] : tt ? col[7] : "";
    if (is_ipv4(a, strlen(a)) && strspn(a, "0.") != strlen(a)) snprintf(addr, 128, "%.127s", a);
}

static void sonicwall_expect(const char *line, char *user, char *addr)
{
    rx(line, "(^| )usr=\"([^\"]+)\"", 2, user);
    rx(line, "(^| )src=([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})([: ]|$)", 2, addr);
}

static void after_tag_ip(const char *line, char *addr)
{
    const char *t = strstr(line, "]: ");
    if (!t) t = strstr(line, ": ");
    if (t) rx(t, "([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})([^0-9.]|$)", 1, addr);
}

static void sshd_expect(const char *line, char *user, char *addr)
{
    static const struct {
        const char *re;
        int g;
    } u[] = {
        {"for (invalid user |illegal user )?([^ ]+) from ", 2},
        {"[Ii]nvalid user ([^ ]+) from ", 1},
        {"User ([^ ]+) from .* not allowed", 1},
        {"(Disconnected from|Disconnecting|reset by) (invalid |authenticating )?user ([^ ]+) [0-9]",
         3},
        {"by user ([^ ]+) ", 1},
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (rx(line, u[i].re, u[i].g, user)) break;
    after_tag_ip(line, addr);
}

static void openvpn_expect(const char *line, char *user, char *addr)
{
    (void)user;
    after_tag_ip(line, addr);
}

/* ---- reading one line ---------------------------------------------------------------- */

typedef struct one {
    char provider[32], user[128], domain[128], src_ip[64];
} one;

static void cp(char *dst, size_t cap, ks_str s)
{
    snprintf(dst, cap, "%.*s", (int)s.len, s.p ? s.p : "");
}

static int read_one(const char *line, one *o)
{
    ks_source_opts opts = {.format = KS_FORMAT_SYSLOG, .tz = "UTC", .year = 2020};
    ks_source *s = NULL;
    ks_diag d;
    memset(o, 0, sizeof *o);
    if (ks_source_open_mem(&s, line, strlen(line), "wazuh", &opts, &d) != KS_OK) return 0;
    const ks_event *ev;
    int got = ks_source_next(s, &ev) == KS_OK && ev;
    if (got) {
        cp(o->provider, sizeof o->provider, ev->provider);
        cp(o->user, sizeof o->user, ev->sem.user);
        cp(o->domain, sizeof o->domain, ev->sem.domain);
        cp(o->src_ip, sizeof o->src_ip, ev->sem.src_ip);
    }
    ks_source_close(&s);
    return got;
}

static int user_matches(const one *o, const char *want)
{
    char whole[300];
    if (!strcmp(o->user, want)) return 1;
    snprintf(whole, sizeof whole, "%s@%s", o->user, o->domain);
    if (*o->domain && !strcmp(whole, want)) return 1;
    snprintf(whole, sizeof whole, "%s\\%s", o->domain, o->user);
    if (*o->domain && !strcmp(whole, want)) return 1;
    snprintf(whole, sizeof whole, "%s\\\\%s", o->domain, o->user);
    return *o->domain && !strcmp(whole, want);
}

static void run_ini(const char *dir, const ini_spec *sp)
{
    const char *provider = sp->provider ? sp->provider : sp->vendor->name;
    char path[1024];
    snprintf(path, sizeof path, "%s/syslog/wazuh-ruleset-tests/tests/%s", dir, sp->file);
    size_t n;
    char *text = (char *)ks_test_slurp(path, &n);
    CHECK(text != NULL);
    if (!text) return;
    text = realloc(text, n + 1);
    text[n] = 0;
    int lines = 0, recognized = 0, users = 0, users_ok = 0, addrs = 0, addrs_ok = 0;
    for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
        nl = strchr(l, '\n');
        if (nl) *nl = 0;
        if (strncmp(l, "log ", 4) != 0) continue;
        char *eq = strstr(l, " pass = ");
        if (!eq || eq - l > 12) continue;
        const char *line = eq + 8;
        lines++;
        one o;
        CHECK(read_one(line, &o));
        if (!strcmp(o.provider, provider))
            recognized++;
        else
            fprintf(stderr, "%s: \"%s\" read as %s: %s\n", sp->file, provider, o.provider, line);
        char user[128] = "", addr[128] = "";
        sp->expect(line, user, addr);
        if (*user) {
            users++;
            if (user_matches(&o, user))
                users_ok++;
            else
                fprintf(stderr, "%s: user \"%s\" (domain \"%s\"), expected \"%s\": %s\n", sp->file,
                        o.user, o.domain, user, line);
        }
        if (*addr) {
            addrs++;
            if (!strcmp(o.src_ip, addr))
                addrs_ok++;
            else
                fprintf(stderr, "%s: src_ip \"%s\", expected \"%s\": %s\n", sp->file, o.src_ip,
                        addr, line);
        }
        /* an address that is not in the line would be an invention */
        if (*o.src_ip) CHECK(strstr(line, o.src_ip) != NULL);
    }
    printf("%-18s %2d/%2d lines recognized as %-10s user %2d/%2d  address %2d/%2d\n", sp->file,
           recognized, lines, provider, users_ok, users, addrs_ok, addrs);
    CHECK_INT(lines, sp->lines);
    CHECK_INT(users, sp->users);
    CHECK_INT(addrs, sp->addrs);
    CHECK_INT(recognized, lines);
    CHECK_INT(users_ok, users);
    CHECK_INT(addrs_ok, addrs);
    free(text);
}

int main(void)
{
    const char *dir = ks_test_data_dir();
    /* pass lines, of which with a user, with an address (by the checks above) */
    const ini_spec specs[] = {
        {"fortigate.ini", &ks_syslog_fortigate, NULL, fortigate_expect, 46, 12, 45},
        {"cisco_asa.ini", &ks_syslog_cisco_asa, "cisco-asa", cisco_expect, 88, 14, 45},
        {"cisco_ftd.ini", &ks_syslog_cisco_asa, "cisco-ftd", cisco_expect, 42, 11, 9},
        {"paloalto.ini", &ks_syslog_paloalto, NULL, pan_expect, 16, 0, 2},
        {"SonicWall.ini", &ks_syslog_sonicwall, NULL, sonicwall_expect, 11, 0, 10},
        {"openvpn_ldap.ini", &ks_syslog_openvpn, NULL, openvpn_expect, 2, 0, 0},
        {"sshd.ini", &ks_syslog_sshd, NULL, sshd_expect, 69, 44, 51},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        if (!specs[i].vendor) {
            printf("%-18s skipped: its vendor parser is not registered\n", specs[i].file);
            continue;
        }
        run_ini(dir, &specs[i]);
    }
    return ks_test_done();
}
