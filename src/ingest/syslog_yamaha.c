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
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"
#include "util/str.h"

#define RTX_MAX_FIELDS 8

/* The address after key ("connected from 1.2.3.4", "phase to 1.2.3.4 (local ..."). */
static ks_str addr_after(ks_str s, const char *key)
{
    ks_str a = ks_str_after(s, key, " ,)");
    return ks_syslog_looks_like_ip(a) ? a : (ks_str){NULL, 0};
}

/* "2015/04/24 12:01:34: " (show log): true if the line starts so; *local_ns is then the
 * router's local time, or 0 when the date is not a plausible one. */
static bool show_log_time(ks_str s, int64_t *local_ns)
{
    *local_ns = 0;
    if (s.len < 21 || s.p[4] != '/' || s.p[7] != '/' || s.p[10] != ' ' || s.p[13] != ':' ||
        s.p[16] != ':' || s.p[19] != ':' || s.p[20] != ' ')
        return false;
    int y, mo, d, h, mi, se;
    if (!ks_digits(s.p, 4, &y) || !ks_digits(s.p + 5, 2, &mo) || !ks_digits(s.p + 8, 2, &d) ||
        !ks_digits(s.p + 11, 2, &h) || !ks_digits(s.p + 14, 2, &mi) || !ks_digits(s.p + 17, 2, &se))
        return false;
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
    if (!ks_str_has_prefix(*r, prefix)) return false;
    ks_str t = ks_str_skip(*r, strlen(prefix));
    const char *e = memchr(t.p, ']', t.len > 32 ? 32 : t.len);
    if (!e || e == t.p) return false;
    *inside = (ks_str){t.p, (size_t)(e - t.p)};
    *whole = (ks_str){r->p, strlen(prefix) + inside->len + 1};
    *r = ks_str_skip(t, inside->len + 1);
    ks_str_eat(r, " ");
    return true;
}

/* Recognize one line; generic: whether wording other programs could also write
 * ("Login succeeded for ...") may be taken. */
static bool match(ks_str b, bool generic, rtx_what *w)
{
    ks_str r = b, in, whole;
    if (ks_str_eat(&r, "[L2TP] ")) {
        if (bracket(&r, "TUNNEL[", &in, &whole)) w->iface = whole;
        if ((w->addr = addr_after(r, "connected from ")).len && !ks_str_ci_has(r, "disconnect")) {
            w->action = KS_ACTION_TUNNEL_UP, w->outcome = KS_OUTCOME_SUCCESS;
        } else if (ks_str_ci_has(r, "disconnect")) {
            w->action = KS_ACTION_TUNNEL_DOWN;
            w->addr = addr_after(r, "from ");
        }
        return true;
    }
    if (ks_str_eat(&r, "[IKE] ") || ks_str_eat(&r, "[IKEv2] ")) {
        w->addr = addr_after(r, " to ");
        if (!w->addr.len) w->addr = addr_after(r, "from ");
        return true;
    }
    if (bracket(&r, "IP Tunnel[", &in, &whole) || bracket(&r, "TUNNEL[", &in, &whole)) {
        int n;
        if (!ks_digits(in.p, in.len, &n)) return false;
        w->tunnel = n;
        if (ks_str_has_prefix(r, "Up"))
            w->action = KS_ACTION_TUNNEL_UP;
        else if (ks_str_has_prefix(r, "Down"))
            w->action = KS_ACTION_TUNNEL_DOWN;
        return true;
    }
    if (bracket(&r, "PP[", &in, &whole)) {
        w->iface = whole;
        bool anon = ks_str_has_prefix(in, "ANONYMOUS");
        ks_str u = ks_str_quoted_after(r, "from user ");
        if (!u.len) u = ks_str_quoted_after(r, "user ");
        w->user = u;
        if (ks_str_has_prefix(r, "Call detected from user")) {
            /* the start of the user's PPP authentication (outcome not yet known) */
            w->action = KS_ACTION_AUTH;
        } else if (ks_str_has_prefix(r, "PPP/IPCP up")) {
            long rem = ks_str_find(r, "Remote: ");
            if (rem >= 0) w->assigned = ks_str_until(ks_str_skip(r, (size_t)rem + 8), " ,)");
            if (anon) w->action = KS_ACTION_VPN_LOGIN, w->outcome = KS_OUTCOME_SUCCESS;
        } else if (anon && (ks_str_has_prefix(r, "PPP/IPCP down") ||
                            ks_str_has_prefix(r, "Disconnected"))) {
            w->action = KS_ACTION_VPN_LOGOUT;
        } else if (anon && (ks_str_ci_has(r, "fail") || ks_str_ci_has(r, "rejected")) &&
                   (ks_str_ci_has(r, "auth") || ks_str_ci_has(r, "chap") ||
                    ks_str_ci_has(r, "pap") || ks_str_ci_has(r, "password"))) {
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
    if ((ok = ks_str_eat(&r, "Login succeeded for ")) || ks_str_eat(&r, "Login failed for ") ||
        (logout = ks_str_eat(&r, "Logout from "))) {
        /* "Login succeeded for Serial", "... for TELNET: 192.168.100.2" */
        w->service = ks_str_until(r, ": ");
        w->addr = addr_after(r, ": ");
        if (!logout) {
            w->action = KS_ACTION_ADMIN_LOGIN;
            w->outcome = ok ? KS_OUTCOME_SUCCESS : KS_OUTCOME_FAILURE;
        }
        return true;
    }
    if (ks_str_has_prefix(r, "'")) {
        /* "'administrator' succeeded for Serial user": the administrator password */
        const char *q = memchr(r.p + 1, '\'', r.len - 1);
        if (!q) return false;
        ks_str name = {r.p + 1, (size_t)(q - r.p - 1)};
        ks_str t = ks_str_skip(r, name.len + 2);
        bool good = ks_str_eat(&t, " succeeded for ");
        if (!good && !ks_str_eat(&t, " failed for ")) return false;
        w->user = name;
        w->service = ks_str_until(t, ": ");
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
    size_t at = 0;
    for (size_t i = 0; i < 3 && !body.p; i++) {
        ks_str c = cand[i];
        if (!c.len) continue;
        int64_t t = 0;
        bool dated = show_log_time(c, &t);
        if (dated) c = ks_str_skip(c, 21);
        rtx_what x = {.tunnel = -1};
        /* generic wording only where no program tag precedes it */
        if (!match(c, i > 0 || !m->app.len || dated, &x)) continue;
        w = x, body = c, have_time = dated, local = t, at = i;
    }
    if (!body.p) return false;
    /* the router sent no host name: what the framing took for one is the message */
    if (at == 2) ev->host = (ks_str){"", 0};

    ev->provider = ks_str_of(ks_syslog_yamaha.name);
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
    if (w.action) ev->sem.action = ks_str_of(w.action);
    ev->sem.outcome = w.outcome;

    ks_syslog_fields b = ks_syslog_fields_new(s, RTX_MAX_FIELDS);
    ks_syslog_fields_add(&b, "message", body);
    ks_syslog_fields_add(&b, "interface", w.iface);
    ks_syslog_fields_add(&b, "user", w.user);
    ks_syslog_fields_add(&b, "address", w.addr);
    ks_syslog_fields_add(&b, "service", w.service);
    ks_syslog_fields_add(&b, "assigned_ip", w.assigned);
    ks_syslog_fields_put(&b, ev);
    return true;
}

const ks_syslog_vendor ks_syslog_yamaha = {"yamaha-rtx", yamaha_parse};
