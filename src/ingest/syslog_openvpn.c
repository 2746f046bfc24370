/* OpenVPN server lines ("openvpn[pid]: client1/203.0.113.5:51234 MULTI: ..."): the
 * peer prefix gives the client's certificate name and address; "Peer Connection
 * Initiated" is a VPN login, "TLS Auth Error" / "VERIFY ERROR" a failed one, and the end
 * of a client instance (SIGTERM / SIGUSR1 "client-instance exiting|restarting") a
 * logout. LDAP / PAM plugin failures (Wazuh openvpn_ldap.ini) are "auth" failures. */
#include <stdbool.h>
#include <string.h>

#include "ingest/syslog.h"

#define OVPN_MAX_FIELDS 8

typedef struct ovpn_fields {
    ks_field *f;
    size_t n;
} ovpn_fields;

static void add(ovpn_fields *b, const char *name, ks_str v)
{
    if (!b->f || !v.len || b->n >= OVPN_MAX_FIELDS) return;
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

static ks_str word(ks_str s)
{
    size_t i = 0;
    while (i < s.len && s.p[i] != ' ') i++;
    return (ks_str){s.p, i};
}

static bool is_digits(ks_str w)
{
    if (!w.len || w.len > 5) return false;
    for (size_t i = 0; i < w.len; i++)
        if (w.p[i] < '0' || w.p[i] > '9') return false;
    return true;
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

typedef struct ovpn_peer {
    ks_str cn, addr, port, text; /* text: the peer token as written */
} ovpn_peer;

/* "[AF_INET]1.2.3.4:51234", "1.2.3.4:51234", "::ffff:1.2.3.4:51234", "2001:db8::5:51234"
 * (OpenVPN writes IPv6 peers with the port after a last colon) into address and port. */
static bool addr_port(ks_str t, ovpn_peer *o)
{
    if (!eat(&t, "[AF_INET]")) eat(&t, "[AF_INET6]");
    size_t c = t.len;
    while (c > 0 && t.p[c - 1] != ':') c--;
    if (c < 2) return false;
    ks_str a = {t.p, c - 1}, port = skip(t, c);
    if (!is_digits(port) || !is_addr(a)) return false;
    if (has_prefix(a, "::ffff:") && memchr(a.p, '.', a.len)) a = skip(a, 7);
    o->addr = a, o->port = port;
    return true;
}

/* The peer at the start of a line: "CN/ADDR:PORT " or "ADDR:PORT ". */
static bool peer_prefix(ks_str msg, ovpn_peer *o)
{
    ks_str t = word(msg);
    if (t.len < 4 || t.len >= msg.len) return false;
    size_t slash = t.len;
    while (slash > 0 && t.p[slash - 1] != '/') slash--;
    ovpn_peer p = {0};
    if (!addr_port(skip(t, slash), &p)) return false;
    if (slash > 1) p.cn = (ks_str){t.p, slash - 1};
    p.text = t;
    *o = p;
    return true;
}

/* "'name'" right after key, quotes removed. */
static ks_str quoted_after(ks_str s, const char *key)
{
    long f = find(s, key);
    if (f < 0) return (ks_str){NULL, 0};
    ks_str r = skip(s, (size_t)f + strlen(key));
    if (!eat(&r, "'")) return (ks_str){NULL, 0};
    const char *q = memchr(r.p, '\'', r.len);
    return q ? (ks_str){r.p, (size_t)(q - r.p)} : (ks_str){NULL, 0};
}

/* The CN= value of a certificate subject ("/C=US/CN=client1", "C=US, CN=client1") or
 * an LDAP DN ("CN=Harry T. Hacker,OU=..."): up to ',', '/', '"' or the end. */
static ks_str cn_value(ks_str s)
{
    long f = find(s, "CN=");
    if (f < 0) return (ks_str){NULL, 0};
    ks_str r = skip(s, (size_t)f + 3);
    size_t i = 0;
    while (i < r.len && r.p[i] != ',' && r.p[i] != '"' && r.p[i] != '/') i++;
    return (ks_str){r.p, i};
}

static bool is_openvpn_tag(ks_str app)
{
    /* "openvpn", "openvpn-server", "openvpn@server", "ovpn-server" (Debian units) */
    return has_prefix(app, "openvpn") || has_prefix(app, "ovpn-");
}

static bool openvpn_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    if (!is_openvpn_tag(m->app)) return false;
    ks_str msg = m->msg;
    ovpn_peer peer = {0};
    ks_str rest = msg;
    if (peer_prefix(msg, &peer)) rest = skip(msg, peer.text.len + 1);

    const char *action = NULL;
    ks_outcome outcome = KS_OUTCOME_UNKNOWN;
    ks_str user = peer.cn, status = {NULL, 0}, assigned = {NULL, 0};
    /* the "[name]" form: "ADDR:PORT [name] Peer Connection Initiated with ..." */
    if (has_prefix(rest, "[")) {
        const char *e = memchr(rest.p, ']', rest.len);
        if (e && (size_t)(e - rest.p) + 2 <= rest.len && e[1] == ' ') {
            ks_str name = {rest.p + 1, (size_t)(e - rest.p) - 1};
            if (name.len && !(name.len == 5 && memcmp(name.p, "UNDEF", 5) == 0)) user = name;
            rest = skip(rest, (size_t)(e - rest.p) + 2);
        }
    }

    if (has_prefix(rest, "Peer Connection Initiated with ")) {
        action = KS_ACTION_VPN_LOGIN, outcome = KS_OUTCOME_SUCCESS;
        if (!peer.addr.len) addr_port(word(skip(rest, 31)), &peer);
    } else if (has_prefix(rest, "TLS Auth Error:")) {
        /* "TLS Auth Error: Auth Username/Password verification failed for peer" */
        action = KS_ACTION_VPN_LOGIN, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"auth_failed", 11};
    } else if (has_prefix(rest, "VERIFY ERROR:")) {
        /* "VERIFY ERROR: depth=0, error=certificate has expired: CN=client1" */
        action = KS_ACTION_VPN_LOGIN, outcome = KS_OUTCOME_FAILURE;
        ks_str cn = cn_value(rest);
        if (cn.len) user = cn;
        long e = find(rest, "error=");
        if (e >= 0) {
            ks_str r = skip(rest, (size_t)e + 6);
            long c = find(r, ": ");
            status = (ks_str){r.p, c >= 0 ? (size_t)c : r.len};
        }
    } else if (find(rest, "Username/Password authentication ") >= 0) {
        /* "TLS: Username/Password authentication succeeded for username 'alice'" */
        ks_str u = quoted_after(rest, "for username ");
        if (u.len) user = u;
        if (find(rest, "authentication succeeded") >= 0)
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_SUCCESS;
        else if (find(rest, "authentication failed") >= 0)
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
    } else if (find(rest, "AUTH_FAILED") >= 0) {
        /* "SENT CONTROL [alice]: 'AUTH_FAILED' (status=1)", client side "AUTH: Received
         * control message: AUTH_FAILED"; the server's TLS Auth Error is the VPN login */
        long sc = find(rest, "SENT CONTROL [");
        if (sc >= 0) {
            ks_str r = skip(rest, (size_t)sc + 14);
            const char *e = memchr(r.p, ']', r.len);
            if (e && e > r.p) user = (ks_str){r.p, (size_t)(e - r.p)};
        }
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"AUTH_FAILED", 11};
    } else if (find(rest, "client-instance exiting") >= 0 ||
               find(rest, "client-instance restarting") >= 0) {
        /* "SIGTERM[soft,remote-exit] received, client-instance exiting" */
        action = KS_ACTION_VPN_LOGOUT;
        const char *b = memchr(rest.p, '[', rest.len);
        if (b) {
            ks_str r = skip(rest, (size_t)(b - rest.p) + 1);
            const char *e = memchr(r.p, ']', r.len);
            if (e) status = (ks_str){r.p, (size_t)(e - r.p)};
        }
    } else if (has_prefix(rest, "LDAP bind failed:")) {
        /* openvpn-auth-ldap: "LDAP bind failed: Invalid credentials (80090308: ...)" */
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        ks_str r = skip(rest, 18);
        long p = find(r, " (");
        status = (ks_str){r.p, p >= 0 ? (size_t)p : r.len};
    } else if (has_prefix(rest, "Incorrect password supplied for LDAP DN")) {
        /* "Incorrect password supplied for LDAP DN \"CN=Harry T. Hacker,OU=...\"" */
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        ks_str cn = cn_value(rest);
        if (cn.len) user = cn;
        status = (ks_str){"incorrect_password", 18};
    } else if (has_prefix(rest, "pam_unix(") && find(rest, "authentication failure") >= 0) {
        /* "pam_unix(openvpn:auth): authentication failure; ... user=alice" */
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        long u = find(rest, " user=");
        if (u >= 0) user = word(skip(rest, (size_t)u + 6));
    } else if (find(rest, "primary virtual IP for ") >= 0) {
        /* "MULTI: primary virtual IP for client1/1.2.3.4:51234: 10.8.0.6" */
        long c = find(rest, "primary virtual IP for ");
        ks_str r = skip(rest, (size_t)c + 23);
        long sp = find(r, ": ");
        if (sp >= 0) assigned = word(skip(r, (size_t)sp + 2));
    } else if (find(rest, "pool returned IPv4=") >= 0) {
        /* "MULTI_sva: pool returned IPv4=10.8.0.6, IPv6=(Not enabled)" */
        ks_str r = skip(rest, (size_t)find(rest, "pool returned IPv4=") + 19);
        size_t i = 0;
        while (i < r.len && r.p[i] != ',' && r.p[i] != ' ') i++;
        assigned = (ks_str){r.p, i};
    }

    ev->provider = (ks_str){ks_syslog_openvpn.name, strlen(ks_syslog_openvpn.name)};
    ev->sem.user = user;
    ev->sem.src_ip = peer.addr;
    ev->sem.status = status;
    if (action) ev->sem.action = (ks_str){action, strlen(action)};
    ev->sem.outcome = outcome;
    /* the session is OpenVPN's own name for the client instance: "CN/ADDR:PORT" */
    if (peer.cn.len) {
        ev->sem.session = peer.text;
    } else if (user.len && peer.addr.len && peer.text.len) {
        size_t n = user.len + 1 + peer.text.len;
        char *d = ks_source_alloc(s, n);
        if (d) {
            memcpy(d, user.p, user.len);
            d[user.len] = '/';
            memcpy(d + user.len + 1, peer.text.p, peer.text.len);
            ev->sem.session = (ks_str){d, n};
        }
    }

    ovpn_fields b = {ks_source_alloc(s, OVPN_MAX_FIELDS * sizeof(ks_field)), 0};
    add(&b, "message", rest);
    add(&b, "peer", peer.text);
    add(&b, "common_name", user);
    add(&b, "address", peer.addr);
    add(&b, "port", peer.port);
    add(&b, "assigned_ip", assigned);
    ev->fields = b.f;
    ev->nfields = b.n;
    return true;
}

const ks_syslog_vendor ks_syslog_openvpn = {"openvpn", openvpn_parse};
