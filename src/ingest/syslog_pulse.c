/* Pulse Secure / Ivanti Connect Secure (and Juniper SA before them), in both of their
 * syslog formats: the standard "2021-10-19 09:16:53 - node - [1.2.3.4]
 * user(realm)[roles][session] - message" and WELF "id=firewall ... vpn=ive user=...
 * src=... msg=\"AUT24326: ...\"". The client is the bracketed address (src= in WELF),
 * the message says what happened; a message id (AUT24326) is kept as msg_id and its
 * digits become event_id. Field values follow Elastic's pulse_connect_secure pipeline. */
#include <stdbool.h>
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"
#include "util/str.h"

#define PULSE_MAX_FIELDS 16
#define PULSE_MAX_PAIRS 48

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "YYYY-MM-DD HH:MM:SS" at p (19 bytes available). */
static bool is_datetime(const char *p)
{
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    for (size_t i = 0; i < 19; i++)
        if (shape[i] == 'd' ? !digit(p[i]) : p[i] != shape[i]) return false;
    return true;
}

typedef struct pulse_line {
    ks_str when, node, addr, network, user, realm, roles, session, text;
} pulse_line;

/* The standard format, anywhere in t: "DATE TIME - NODE - [ADDR] USERPART - MESSAGE". */
static bool standard(ks_str t, pulse_line *o)
{
    for (size_t i = 0; i + 19 + 3 <= t.len; i++) {
        if ((i > 0 && digit(t.p[i - 1])) || !is_datetime(t.p + i) ||
            memcmp(t.p + i + 19, " - ", 3) != 0)
            continue;
        pulse_line l = {0};
        l.when = (ks_str){t.p + i, 19};
        ks_str r = ks_str_skip(t, i + 22);
        l.node = ks_str_until(r, " ");
        r = ks_str_skip(r, l.node.len);
        if (!l.node.len || !ks_str_eat(&r, " - [")) continue;
        l.addr = ks_str_until(r, "]");
        r = ks_str_skip(r, l.addr.len);
        if (!ks_syslog_looks_like_ip(l.addr) || !ks_str_eat(&r, "] ")) continue;
        /* USERPART: [NETWORK::]USER(REALM)[ROLES][SESSION] */
        long end = ks_str_find(r, " - ");
        if (end < 0) continue;
        ks_str up = {r.p, (size_t)end};
        l.text = ks_str_skip(r, (size_t)end + 3);
        long open = ks_str_find(up, "(");
        if (open < 0) continue;
        ks_str who = {up.p, (size_t)open};
        long net = ks_str_find_last(who, "::"); /* "Default Network::user" (Ivanti 22.x) */
        if (net >= 0) {
            l.network = (ks_str){who.p, (size_t)net};
            who = ks_str_skip(who, (size_t)net + 2);
        }
        l.user = who;
        ks_str rest = ks_str_skip(up, (size_t)open + 1);
        long close = ks_str_find(rest, ")[");
        if (close < 0) close = ks_str_find(rest, ")");
        if (close < 0) continue;
        l.realm = (ks_str){rest.p, (size_t)close};
        rest = ks_str_skip(rest, (size_t)close + 1);
        if (ks_str_eat(&rest, "[")) {
            l.roles = ks_str_until(rest, "]");
            rest = ks_str_skip(rest, l.roles.len + 1);
            if (ks_str_eat(&rest, "[")) l.session = ks_str_until(rest, "]");
        }
        *o = l;
        return true;
    }
    return false;
}

/* "AUT24326: ..." -> the code, and its digits as a number. */
static ks_str message_id(ks_str text, uint32_t *num)
{
    size_t i = 0;
    while (i < text.len && i < 4 && text.p[i] >= 'A' && text.p[i] <= 'Z') i++;
    if (i < 3) return (ks_str){NULL, 0};
    size_t d = i;
    uint32_t n = 0;
    while (d < text.len && d - i < 9 && digit(text.p[d]))
        n = n * 10 + (uint32_t)(text.p[d++] - '0');
    if (d == i || d + 1 >= text.len || text.p[d] != ':' || text.p[d + 1] != ' ')
        return (ks_str){NULL, 0};
    *num = n;
    return (ks_str){text.p, d};
}

/* The session id written in a message: "(session:sid74fa...)", "(session: sid...)". */
static ks_str sid(ks_str text)
{
    long f = ks_str_find(text, "(session:");
    if (f < 0) return (ks_str){NULL, 0};
    ks_str r = ks_str_skip(text, (size_t)f + 9);
    ks_str_eat(&r, " ");
    return ks_str_until(r, ") ");
}

typedef struct pulse_what {
    const char *action;
    ks_outcome outcome;
    ks_str reason, assigned, host;
} pulse_what;

static pulse_what classify(ks_str text, ks_str realm)
{
    pulse_what w = {NULL, KS_OUTCOME_UNKNOWN, {NULL, 0}, {NULL, 0}, {NULL, 0}};
    bool admin = ks_str_ci_has(realm, "admin");
    const char *login = admin ? KS_ACTION_ADMIN_LOGIN : KS_ACTION_VPN_LOGIN;
    ks_str r = text;
    if (ks_str_has_prefix(r, "Primary authentication successful") ||
        ks_str_has_prefix(r, "Secondary authentication successful")) {
        /* one step of a sign-in; the login is "Login succeeded" / "Session created" */
        w.action = KS_ACTION_AUTH, w.outcome = KS_OUTCOME_SUCCESS;
    } else if (ks_str_has_prefix(r, "Primary authentication failed")) {
        /* the one line every failed sign-in writes, with the user and the address */
        w.action = login, w.outcome = KS_OUTCOME_FAILURE;
    } else if (ks_str_has_prefix(r, "Secondary authentication failed")) {
        w.action = KS_ACTION_AUTH, w.outcome = KS_OUTCOME_FAILURE;
    } else if (ks_str_has_prefix(r, "Login succeeded") ||
               ks_str_has_prefix(r, "Agent login succeeded") ||
               ks_str_has_prefix(r, "Session created for user")) {
        w.action = login, w.outcome = KS_OUTCOME_SUCCESS;
    } else if (ks_str_has_prefix(r, "Login failed") || ks_str_has_prefix(r, "Agent login failed")) {
        /* "Login failed. Reason: Wrong Password", "Login failed using auth server ..." */
        w.action = KS_ACTION_AUTH, w.outcome = KS_OUTCOME_FAILURE;
        long f = ks_str_find(r, "Reason: ");
        if (f >= 0) w.reason = ks_str_until(ks_str_skip(r, (size_t)f + 8), "\r");
    } else if (ks_str_has_prefix(r, "VPN Tunneling: Session started") ||
               ks_str_has_prefix(r, "VPN Tunneling: Session ended")) {
        bool up = ks_str_has_prefix(r, "VPN Tunneling: Session started");
        w.action = up ? KS_ACTION_TUNNEL_UP : KS_ACTION_TUNNEL_DOWN;
        long a = ks_str_find(r, "IPv4 address ");
        if (a >= 0) w.assigned = ks_str_until(ks_str_skip(r, (size_t)a + 13), ", ");
        long h = ks_str_find(r, ", hostname ");
        if (h >= 0) w.host = ks_str_until(ks_str_skip(r, (size_t)h + 11), " ");
    } else if (ks_str_has_prefix(r, "VPN Tunneling: User with IP ")) {
        w.assigned = ks_str_until(ks_str_skip(r, 28), " ");
    } else if (ks_str_has_prefix(r, "Logout from") || ks_str_has_prefix(r, "Session timed out") ||
               (ks_str_has_prefix(r, "Session:[") && ks_str_find(r, " deleted") > 0) ||
               ks_str_has_prefix(r, "Max session timeout") ||
               ks_str_has_prefix(r, "Session switched")) {
        w.action = KS_ACTION_VPN_LOGOUT;
    }
    return w;
}

/* "user@domain" -> user and domain, as Elastic splits it. */
static void split_user(ks_str u, ks_str *user, ks_str *domain)
{
    const char *at = memchr(u.p, '@', u.len);
    if (at && at > u.p && at + 1 < u.p + u.len) {
        *user = (ks_str){u.p, (size_t)(at - u.p)};
        *domain = (ks_str){at + 1, (size_t)(u.p + u.len - at - 1)};
    } else {
        *user = u;
    }
}

static void set_time(ks_source *s, const ks_syslog_msg *m, ks_str when, ks_event *ev)
{
    int64_t ns;
    if (m->time_ns || when.len != 19 || !ks_time_parse_iso8601(when.p, 19, &ns, NULL)) return;
    if (ns <= 0 || ns >= KS_SYSLOG_LATEST_NS) return; /* not a plausible log time */
    ev->time_ns = ks_source_local_to_utc(s, ns);      /* the appliance's local time */
}

static bool pulse_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    pulse_line l = {0};
    ks_field *kv = NULL;
    size_t nkv = 0;
    /* the message normally ends the line; a framing that cut it short is covered too */
    ks_str whole = m->line.len ? m->line : m->msg;
    if (!standard(whole, &l)) {
        /* WELF: id=firewall time="..." pri=6 fw=... vpn=ive user=... msg="..." */
        ks_str t = m->msg;
        long at = ks_syslog_welf_start(t);
        if (at < 0) at = ks_syslog_welf_start(t = whole);
        if (at < 0) return false;
        t = ks_str_skip(t, (size_t)at);
        if (!ks_str_has(t, " vpn=")) return false;
        if (!(kv = ks_source_alloc(s, PULSE_MAX_PAIRS * sizeof(ks_field)))) return false;
        nkv = ks_syslog_kv(t, kv, PULSE_MAX_PAIRS);
        if (ks_syslog_kv_get(kv, nkv, "sn").len) return false; /* SonicWall */
        ks_str id = ks_syslog_kv_get(kv, nkv, "id");
        if (!ks_str_eq(id, "firewall") || !ks_syslog_kv_get(kv, nkv, "vpn").len ||
            !ks_syslog_kv_get(kv, nkv, "msg").len || !ks_syslog_kv_get(kv, nkv, "fw").len ||
            !ks_syslog_kv_get(kv, nkv, "time").len)
            return false;
        l.when = ks_syslog_kv_get(kv, nkv, "time");
        l.node = ks_syslog_kv_get(kv, nkv, "fw");
        l.addr = ks_syslog_kv_get(kv, nkv, "src");
        l.user = ks_syslog_kv_get(kv, nkv, "user");
        l.realm = ks_syslog_kv_get(kv, nkv, "realm");
        l.roles = ks_syslog_kv_get(kv, nkv, "roles");
        l.text = ks_syslog_kv_get(kv, nkv, "msg");
    }

    uint32_t num = 0;
    ks_str code = message_id(l.text, &num), text = l.text;
    if (code.len) text = ks_str_skip(text, code.len + 2);
    pulse_what w = classify(text, l.realm);
    ks_str user = {NULL, 0}, domain = {NULL, 0};
    if (!ks_str_eq(l.user, "System")) split_user(l.user, &user, &domain);
    ks_str session = sid(text);

    ev->provider = ks_str_of(ks_syslog_pulse.name);
    ev->event_id = num;
    set_time(s, m, l.when, ev);
    ev->sem.user = user;
    ev->sem.domain = domain;
    ev->sem.src_ip = l.addr;
    ev->sem.src_host = w.host;
    ev->sem.session = session.len ? session : l.session;
    ev->sem.status = w.reason;
    if (w.action) ev->sem.action = ks_str_of(w.action);
    ev->sem.outcome = w.outcome;

    if (kv) { /* WELF: the pairs as written, then what was read from msg */
        ks_field *f = ks_source_alloc(s, (nkv + 4) * sizeof(ks_field));
        if (f) memcpy(f, kv, nkv * sizeof(ks_field));
        ks_syslog_fields b = {f, f ? nkv : 0, f ? nkv + 4 : 0};
        ks_syslog_fields_add(&b, "msg_id", code);
        ks_syslog_fields_add(&b, "session_id", session);
        ks_syslog_fields_add(&b, "assigned_ip", w.assigned);
        ks_syslog_fields_add(&b, "reason", w.reason);
        ks_syslog_fields_put(&b, ev);
        return true;
    }
    ks_syslog_fields b = ks_syslog_fields_new(s, PULSE_MAX_FIELDS);
    ks_syslog_fields_add(&b, "time", l.when);
    ks_syslog_fields_add(&b, "node", l.node);
    ks_syslog_fields_add(&b, "address", l.addr);
    ks_syslog_fields_add(&b, "network", l.network);
    ks_syslog_fields_add(&b, "user", l.user);
    ks_syslog_fields_add(&b, "realm", l.realm);
    ks_syslog_fields_add(&b, "roles", l.roles);
    ks_syslog_fields_add(&b, "session", l.session);
    ks_syslog_fields_add(&b, "msg_id", code);
    ks_syslog_fields_add(&b, "message", text);
    ks_syslog_fields_add(&b, "session_id", session);
    ks_syslog_fields_add(&b, "assigned_ip", w.assigned);
    ks_syslog_fields_add(&b, "hostname", w.host);
    ks_syslog_fields_add(&b, "reason", w.reason);
    ks_syslog_fields_put(&b, ev);
    return true;
}

const ks_syslog_vendor ks_syslog_pulse = {"pulse", pulse_parse};
