/* Pulse Secure / Ivanti Connect Secure (and Juniper SA before them), in both of their
 * syslog formats: the standard "2021-10-19 09:16:53 - node - [1.2.3.4]
 * user(realm)[roles][session] - message" and WELF "id=firewall ... vpn=ive user=...
 * src=... msg=\"AUT24326: ...\"". The client is the bracketed address (src= in WELF),
 * the message says what happened; a message id (AUT24326) is kept as msg_id and its
 * digits become event_id. Field values follow Elastic's pulse_connect_secure pipeline. */
#include <stdbool.h>
#include <strings.h>
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"

#define PULSE_MAX_FIELDS 16
#define PULSE_LATEST_NS ((int64_t)7258118400 * 1000000000) /* 2200-01-01 */
#define PULSE_MAX_PAIRS 48

typedef struct pulse_fields {
    ks_field *f;
    size_t n, cap;
} pulse_fields;

static void add(pulse_fields *b, const char *name, ks_str v)
{
    if (!b->f || !v.len || b->n >= b->cap) return;
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

static long find_last(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return -1;
    for (size_t i = s.len - n + 1; i-- > 0;)
        if (memcmp(s.p + i, z, n) == 0) return (long)i;
    return -1;
}

static bool ci_has(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return false;
    for (size_t i = 0; i + n <= s.len; i++)
        if (strncasecmp(s.p + i, z, n) == 0) return true;
    return false;
}

/* s up to the first of the stop characters. */
static ks_str until(ks_str s, const char *stops)
{
    size_t i = 0;
    while (i < s.len && !strchr(stops, s.p[i])) i++;
    return (ks_str){s.p, i};
}

/* True if w looks like an IPv4 or IPv6 address. */
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
        ks_str r = skip(t, i + 22);
        l.node = until(r, " ");
        r = skip(r, l.node.len);
        if (!l.node.len || !eat(&r, " - [")) continue;
        l.addr = until(r, "]");
        r = skip(r, l.addr.len);
        if (!is_addr(l.addr) || !eat(&r, "] ")) continue;
        /* USERPART: [NETWORK::]USER(REALM)[ROLES][SESSION] */
        long end = find(r, " - ");
        if (end < 0) continue;
        ks_str up = {r.p, (size_t)end};
        l.text = skip(r, (size_t)end + 3);
        long open = find(up, "(");
        if (open < 0) continue;
        ks_str who = {up.p, (size_t)open};
        long net = find_last(who, "::"); /* "Default Network::user" (Ivanti 22.x) */
        if (net >= 0) {
            l.network = (ks_str){who.p, (size_t)net};
            who = skip(who, (size_t)net + 2);
        }
        l.user = who;
        ks_str rest = skip(up, (size_t)open + 1);
        long close = find(rest, ")[");
        if (close < 0) close = find(rest, ")");
        if (close < 0) continue;
        l.realm = (ks_str){rest.p, (size_t)close};
        rest = skip(rest, (size_t)close + 1);
        if (eat(&rest, "[")) {
            l.roles = until(rest, "]");
            rest = skip(rest, l.roles.len + 1);
            if (eat(&rest, "[")) l.session = until(rest, "]");
        }
        *o = l;
        return true;
    }
    return false;
}

/* The "id=" that starts a WELF line (at the start or after a space), or -1. */
static long id_start(ks_str t)
{
    for (size_t i = 0; i + 3 <= t.len; i++)
        if ((i == 0 || t.p[i - 1] == ' ') && memcmp(t.p + i, "id=", 3) == 0) return (long)i;
    return -1;
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
    long f = find(text, "(session:");
    if (f < 0) return (ks_str){NULL, 0};
    ks_str r = skip(text, (size_t)f + 9);
    eat(&r, " ");
    return until(r, ") ");
}

typedef struct pulse_what {
    const char *action;
    ks_outcome outcome;
    ks_str reason, assigned, host;
} pulse_what;

static pulse_what classify(ks_str text, ks_str realm)
{
    pulse_what w = {NULL, KS_OUTCOME_UNKNOWN, {NULL, 0}, {NULL, 0}, {NULL, 0}};
    bool admin = ci_has(realm, "admin");
    const char *login = admin ? KS_ACTION_ADMIN_LOGIN : KS_ACTION_VPN_LOGIN;
    ks_str r = text;
    if (has_prefix(r, "Primary authentication successful") ||
        has_prefix(r, "Secondary authentication successful")) {
        /* one step of a sign-in; the login is "Login succeeded" / "Session created" */
        w.action = KS_ACTION_AUTH, w.outcome = KS_OUTCOME_SUCCESS;
    } else if (has_prefix(r, "Primary authentication failed")) {
        /* the one line every failed sign-in writes, with the user and the address */
        w.action = login, w.outcome = KS_OUTCOME_FAILURE;
    } else if (has_prefix(r, "Secondary authentication failed")) {
        w.action = KS_ACTION_AUTH, w.outcome = KS_OUTCOME_FAILURE;
    } else if (has_prefix(r, "Login succeeded") || has_prefix(r, "Agent login succeeded") ||
               has_prefix(r, "Session created for user")) {
        w.action = login, w.outcome = KS_OUTCOME_SUCCESS;
    } else if (has_prefix(r, "Login failed") || has_prefix(r, "Agent login failed")) {
        /* "Login failed. Reason: Wrong Password", "Login failed using auth server ..." */
        w.action = KS_ACTION_AUTH, w.outcome = KS_OUTCOME_FAILURE;
        long f = find(r, "Reason: ");
        if (f >= 0) w.reason = until(skip(r, (size_t)f + 8), "\r");
    } else if (has_prefix(r, "VPN Tunneling: Session started") ||
               has_prefix(r, "VPN Tunneling: Session ended")) {
        bool up = has_prefix(r, "VPN Tunneling: Session started");
        w.action = up ? KS_ACTION_TUNNEL_UP : KS_ACTION_TUNNEL_DOWN;
        long a = find(r, "IPv4 address ");
        if (a >= 0) w.assigned = until(skip(r, (size_t)a + 13), ", ");
        long h = find(r, ", hostname ");
        if (h >= 0) w.host = until(skip(r, (size_t)h + 11), " ");
    } else if (has_prefix(r, "VPN Tunneling: User with IP ")) {
        w.assigned = until(skip(r, 28), " ");
    } else if (has_prefix(r, "Logout from") || has_prefix(r, "Session timed out") ||
               (has_prefix(r, "Session:[") && find(r, " deleted") > 0) ||
               has_prefix(r, "Max session timeout") || has_prefix(r, "Session switched")) {
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
    if (ns <= 0 || ns >= PULSE_LATEST_NS) return; /* not a plausible log time */
    ev->time_ns = ks_source_local_to_utc(s, ns);  /* the appliance's local time */
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
        long at = id_start(t);
        if (at < 0) at = id_start(t = whole);
        if (at < 0) return false;
        t = skip(t, (size_t)at);
        if (!memmem(t.p, t.len, " vpn=", 5)) return false;
        if (!(kv = ks_source_alloc(s, PULSE_MAX_PAIRS * sizeof(ks_field)))) return false;
        nkv = ks_syslog_kv(t, kv, PULSE_MAX_PAIRS);
        if (ks_syslog_kv_get(kv, nkv, "sn").len) return false; /* SonicWall */
        ks_str id = ks_syslog_kv_get(kv, nkv, "id");
        if (!(id.len == 8 && !memcmp(id.p, "firewall", 8)) ||
            !ks_syslog_kv_get(kv, nkv, "vpn").len || !ks_syslog_kv_get(kv, nkv, "msg").len ||
            !ks_syslog_kv_get(kv, nkv, "fw").len || !ks_syslog_kv_get(kv, nkv, "time").len)
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
    if (code.len) text = skip(text, code.len + 2);
    pulse_what w = classify(text, l.realm);
    ks_str user = {NULL, 0}, domain = {NULL, 0};
    if (!(l.user.len == 6 && memcmp(l.user.p, "System", 6) == 0))
        split_user(l.user, &user, &domain);
    ks_str session = sid(text);

    ev->provider = (ks_str){ks_syslog_pulse.name, strlen(ks_syslog_pulse.name)};
    ev->event_id = num;
    set_time(s, m, l.when, ev);
    ev->sem.user = user;
    ev->sem.domain = domain;
    ev->sem.src_ip = l.addr;
    ev->sem.src_host = w.host;
    ev->sem.session = session.len ? session : l.session;
    ev->sem.status = w.reason;
    if (w.action) ev->sem.action = (ks_str){w.action, strlen(w.action)};
    ev->sem.outcome = w.outcome;

    if (kv) { /* WELF: the pairs as written, then what was read from msg */
        ks_field *f = ks_source_alloc(s, (nkv + 4) * sizeof(ks_field));
        if (f) memcpy(f, kv, nkv * sizeof(ks_field));
        pulse_fields b = {f, f ? nkv : 0, f ? nkv + 4 : 0};
        add(&b, "msg_id", code);
        add(&b, "session_id", session);
        add(&b, "assigned_ip", w.assigned);
        add(&b, "reason", w.reason);
        ev->fields = b.f, ev->nfields = b.n;
        return true;
    }
    pulse_fields b = {ks_source_alloc(s, PULSE_MAX_FIELDS * sizeof(ks_field)), 0, PULSE_MAX_FIELDS};
    add(&b, "time", l.when);
    add(&b, "node", l.node);
    add(&b, "address", l.addr);
    add(&b, "network", l.network);
    add(&b, "user", l.user);
    add(&b, "realm", l.realm);
    add(&b, "roles", l.roles);
    add(&b, "session", l.session);
    add(&b, "msg_id", code);
    add(&b, "message", text);
    add(&b, "session_id", session);
    add(&b, "assigned_ip", w.assigned);
    add(&b, "hostname", w.host);
    add(&b, "reason", w.reason);
    ev->fields = b.f, ev->nfields = b.n;
    return true;
}

const ks_syslog_vendor ks_syslog_pulse = {"pulse", pulse_parse};
