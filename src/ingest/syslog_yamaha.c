/* YAMAHA RTX / NVR / FWX routers, common in Japanese clinics: remote-access L2TP/IPsec,
 * IPsec tunnels, logins to the router. Their lines carry no tag ("[L2TP] TUNNEL[1]
 * connected from 198.51.100.7"), so the text is matched from the message, the tag or the
 * host on; a "YYYY/MM/DD HH:MM:SS: " prefix (show log output) gives the time.
 * Wording seen in real logs: "[L2TP] TUNNEL[n] connected from ADDR", "... tunnel N
 * established", "PP[ANONYMOUSnn] Call detected from user 'x'", "PP[nn] PPP/IPCP up
 * (Local: a, Remote: b)", "IP Tunnel[n] Up|Down", "[IKE] respond ISAKMP phase to ADDR",
 * "Login succeeded for Serial", "Logout from Serial", "'administrator' succeeded for
 * Serial user" (sources: YAMAHA's own trouble-shooting pages network.yamaha.com
 * /setting/router_firewall/ts_router/{internet_connect,vpn_connect} as quoted by public
 * RTX log tools, an RTX1100 "show log" in a public IPsec write-up, and a RADIUS vendor's
 * RTX troubleshooting page). Not seen, matched generically: "Login failed for ...",
 * "' failed for", L2TP disconnects ("disconnect"), anonymous-PP authentication failures
 * ("fail"/"rejected" with CHAP/PAP/authentication) and "PPP/IPCP down". */
#include <stdbool.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"

#define RTX_MAX_FIELDS 8

typedef struct rtx_fields {
    ks_field *f;
    size_t n;
} rtx_fields;

static void add(rtx_fields *b, const char *name, ks_str v)
{
    if (!b->f || !v.len || b->n >= RTX_MAX_FIELDS) return;
    b->f[b->n++] =
        (ks_field){{name, strlen(name)}, {(const uint8_t *)v.p, (uint32_t)v.len, KS_VT_UTF8}};
}

static bool has_prefix(ks_str s, const char *z)
{
    size_t n = strlen(z);
    return s.len >= n && memcmp(s.p, z, n) == 0;
}

static ks_str skip(ks_str s, size_t n)
{
    if (n > s.len) n = s.len;
    return (ks_str){s.p + n, s.len - n};
}

static bool eat(ks_str *s, const char *z)
{
    if (!has_prefix(*s, z)) return false;
    *s = skip(*s, strlen(z));
    return true;
}

static long find(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return -1;
    const char *p = memmem(s.p, s.len, z, n);
    return p ? (long)(p - s.p) : -1;
}

static bool ci_has(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return false;
    for (size_t i = 0; i + n <= s.len; i++)
        if (strncasecmp(s.p + i, z, n) == 0) return true;
    return false;
}

static ks_str until(ks_str s, const char *stops)
{
    size_t i = 0;
    while (i < s.len && !strchr(stops, s.p[i])) i++;
    return (ks_str){s.p, i};
}

static bool is_addr(ks_str w)
{
    if (w.len < 2 || w.len > 45) return false;
    bool dot = false, colon = false;
    for (size_t i = 0; i < w.len; i++) {
        char c = w.p[i];
        if (c == '.')
            dot = true;
        else if (c == ':')
            colon = true;
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return dot || colon;
}

/* The address after key ("connected from 1.2.3.4", "phase to 1.2.3.4 (local ..."). */
static ks_str addr_after(ks_str s, const char *key)
{
    long f = find(s, key);
    if (f < 0) return (ks_str){NULL, 0};
    ks_str a = until(skip(s, (size_t)f + strlen(key)), " ,)");
    return is_addr(a) ? a : (ks_str){NULL, 0};
}

/* "'name'" after key. */
static ks_str quoted_after(ks_str s, const char *key)
{
    long f = find(s, key);
    if (f < 0) return (ks_str){NULL, 0};
    ks_str r = skip(s, (size_t)f + strlen(key));
    if (!eat(&r, "'")) return (ks_str){NULL, 0};
    const char *q = memchr(r.p, '\'', r.len);
    return q ? (ks_str){r.p, (size_t)(q - r.p)} : (ks_str){NULL, 0};
}

/* The decimal number in p[0..n), up to 9 digits; -1 if it is not one. */
static int num(const char *p, size_t n)
{
    int v = 0;
    if (!n || n > 9) return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* "2015/04/24 12:01:34: " (show log): true if the line starts so; *local_ns is then the
 * router's local time, or 0 when the date is not a plausible one. */
static bool show_log_time(ks_str s, int64_t *local_ns)
{
    *local_ns = 0;
    if (s.len < 21 || s.p[4] != '/' || s.p[7] != '/' || s.p[10] != ' ' || s.p[13] != ':' ||
        s.p[16] != ':' || s.p[19] != ':' || s.p[20] != ' ')
        return false;
    int y = num(s.p, 4), mo = num(s.p + 5, 2), d = num(s.p + 8, 2);
    int h = num(s.p + 11, 2), mi = num(s.p + 14, 2), se = num(s.p + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return false;
    if (y < 1970 || y >= 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60)
        return true;
    int64_t days = ks_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *local_ns = ((days * 24 + h) * 60 + mi) * (int64_t)60000000000 + se * (int64_t)1000000000;
    return true;
}

typedef struct rtx_what {
    const char *action;
    ks_outcome outcome;
    ks_str user, addr, iface, service, assigned, status;
    int tunnel; /* IP Tunnel[n]: the session is built as "TUNNEL[n]"; -1 if none */
} rtx_what;

/* The bracketed name after a prefix: "PP[ANONYMOUS01] ..." -> "ANONYMOUS01". */
static bool bracket(ks_str *r, const char *prefix, ks_str *inside, ks_str *whole)
{
    if (!has_prefix(*r, prefix)) return false;
    ks_str t = skip(*r, strlen(prefix));
    const char *e = memchr(t.p, ']', t.len > 32 ? 32 : t.len);
    if (!e || e == t.p) return false;
    *inside = (ks_str){t.p, (size_t)(e - t.p)};
    *whole = (ks_str){r->p, strlen(prefix) + inside->len + 1};
    *r = skip(t, inside->len + 1);
    eat(r, " ");
    return true;
}

/* Recognize one line; generic: whether wording other programs could also write
 * ("Login succeeded for ...") may be taken. */
static bool match(ks_str b, bool generic, rtx_what *w)
{
    ks_str r = b, in, whole;
    if (eat(&r, "[L2TP] ")) {
        if (bracket(&r, "TUNNEL[", &in, &whole)) w->iface = whole;
        if ((w->addr = addr_after(r, "connected from ")).len && !ci_has(r, "disconnect")) {
            w->action = KS_ACTION_TUNNEL_UP, w->outcome = KS_OUTCOME_SUCCESS;
        } else if (ci_has(r, "disconnect")) {
            w->action = KS_ACTION_TUNNEL_DOWN;
            w->addr = addr_after(r, "from ");
        }
        return true;
    }
    if (eat(&r, "[IKE] ") || eat(&r, "[IKEv2] ")) {
        w->addr = addr_after(r, " to ");
        if (!w->addr.len) w->addr = addr_after(r, "from ");
        return true;
    }
    if (bracket(&r, "IP Tunnel[", &in, &whole) || bracket(&r, "TUNNEL[", &in, &whole)) {
        int n = num(in.p, in.len);
        if (n < 0) return false;
        w->tunnel = n;
        if (has_prefix(r, "Up"))
            w->action = KS_ACTION_TUNNEL_UP;
        else if (has_prefix(r, "Down"))
            w->action = KS_ACTION_TUNNEL_DOWN;
        return true;
    }
    if (bracket(&r, "PP[", &in, &whole)) {
        w->iface = whole;
        bool anon = has_prefix(in, "ANONYMOUS");
        ks_str u = quoted_after(r, "from user ");
        if (!u.len) u = quoted_after(r, "user ");
        w->user = u;
        if (has_prefix(r, "Call detected from user")) {
            /* the start of the user's PPP authentication (outcome not yet known) */
            w->action = KS_ACTION_AUTH;
        } else if (has_prefix(r, "PPP/IPCP up")) {
            long rem = find(r, "Remote: ");
            if (rem >= 0) w->assigned = until(skip(r, (size_t)rem + 8), " ,)");
            if (anon) w->action = KS_ACTION_VPN_LOGIN, w->outcome = KS_OUTCOME_SUCCESS;
        } else if (anon && (has_prefix(r, "PPP/IPCP down") || has_prefix(r, "Disconnected"))) {
            w->action = KS_ACTION_VPN_LOGOUT;
        } else if (anon && (ci_has(r, "fail") || ci_has(r, "rejected")) &&
                   (ci_has(r, "auth") || ci_has(r, "chap") || ci_has(r, "pap") ||
                    ci_has(r, "password"))) {
            w->action = KS_ACTION_VPN_LOGIN, w->outcome = KS_OUTCOME_FAILURE;
        }
        return true;
    }
    if (bracket(&r, "PPPOE[", &in, &whole)) { /* the router's own WAN session */
        w->iface = whole;
        return true;
    }
    if (!generic) return false;
    bool ok = false, logout = false;
    if ((ok = eat(&r, "Login succeeded for ")) || eat(&r, "Login failed for ") ||
        (logout = eat(&r, "Logout from "))) {
        /* "Login succeeded for Serial", "... for TELNET: 192.168.100.2" */
        w->service = until(r, ": ");
        w->addr = addr_after(r, ": ");
        if (!logout) {
            w->action = KS_ACTION_ADMIN_LOGIN;
            w->outcome = ok ? KS_OUTCOME_SUCCESS : KS_OUTCOME_FAILURE;
        }
        return true;
    }
    if (has_prefix(r, "'")) {
        /* "'administrator' succeeded for Serial user": the administrator password */
        const char *q = memchr(r.p + 1, '\'', r.len - 1);
        if (!q) return false;
        ks_str name = {r.p + 1, (size_t)(q - r.p - 1)};
        ks_str t = skip(r, name.len + 2);
        bool good = eat(&t, " succeeded for ");
        if (!good && !eat(&t, " failed for ")) return false;
        w->user = name;
        w->service = until(t, ": ");
        w->addr = addr_after(t, ": ");
        w->action = KS_ACTION_AUTH;
        w->outcome = good ? KS_OUTCOME_SUCCESS : KS_OUTCOME_FAILURE;
        return true;
    }
    return false;
}

/* s from p to the end of the line, if p lies in the line. */
static ks_str from(const ks_syslog_msg *m, const char *p)
{
    const char *b = m->line.p, *e = m->line.p + m->line.len;
    if (!p || !b || p < b || p >= e) return (ks_str){NULL, 0};
    return (ks_str){p, (size_t)(e - p)};
}

static bool yamaha_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    /* the text may start in the message, or where a framing took a tag or a host */
    ks_str cand[3] = {m->msg, from(m, m->app.len ? m->app.p : NULL),
                      from(m, m->host.len ? m->host.p : NULL)};
    rtx_what w = {.tunnel = -1};
    ks_str body = {NULL, 0};
    int64_t local = 0;
    bool have_time = false;
    for (size_t i = 0; i < 3 && !body.p; i++) {
        ks_str c = cand[i];
        if (!c.len) continue;
        int64_t t = 0;
        bool dated = show_log_time(c, &t);
        if (dated) c = skip(c, 21);
        rtx_what x = {.tunnel = -1};
        /* generic wording only where no program tag precedes it */
        if (!match(c, i > 0 || !m->app.len || dated, &x)) continue;
        w = x, body = c, have_time = dated, local = t;
    }
    if (!body.p) return false;

    ev->provider = (ks_str){ks_syslog_yamaha.name, strlen(ks_syslog_yamaha.name)};
    if (have_time && local > 0 && !m->time_ns) ev->time_ns = ks_source_local_to_utc(s, local);
    ev->sem.user = w.user;
    ev->sem.src_ip = w.addr;
    ev->sem.service = w.service;
    ev->sem.session = w.iface;
    if (w.tunnel >= 0 && w.action && !w.iface.len) {
        char *d = ks_source_alloc(s, 24);
        if (d) {
            int n = snprintf(d, 24, "TUNNEL[%d]", w.tunnel);
            if (n > 0 && n < 24) ev->sem.session = (ks_str){d, (size_t)n};
        }
    }
    if (w.action) ev->sem.action = (ks_str){w.action, strlen(w.action)};
    ev->sem.outcome = w.outcome;

    rtx_fields b = {ks_source_alloc(s, RTX_MAX_FIELDS * sizeof(ks_field)), 0};
    add(&b, "message", body);
    add(&b, "interface", w.iface);
    add(&b, "user", w.user);
    add(&b, "address", w.addr);
    add(&b, "service", w.service);
    add(&b, "assigned_ip", w.assigned);
    ev->fields = b.f;
    ev->nfields = b.n;
    return true;
}

const ks_syslog_vendor ks_syslog_yamaha = {"yamaha-rtx", yamaha_parse};
