/* OpenVPN server lines ("openvpn[pid]: client1/203.0.113.5:51234 MULTI: ..."): the
 * peer prefix gives the client's certificate name and address; "Peer Connection
 * Initiated" is a VPN login, "TLS Auth Error" / "VERIFY ERROR" a failed one, and the end
 * of a client instance (SIGTERM / SIGUSR1 "client-instance exiting|restarting") a
 * logout. LDAP / PAM plugin failures (Wazuh openvpn_ldap.ini) are "auth" failures. */
#include <stdbool.h>
#include <string.h>

#include "ingest/syslog.h"
#include "util/str.h"

#define OVPN_MAX_FIELDS 8

typedef struct ovpn_peer {
    ks_str cn, addr, port, text; /* text: the peer token as written */
} ovpn_peer;

/* "[AF_INET]1.2.3.4:51234", "1.2.3.4:51234", "::ffff:1.2.3.4:51234", "2001:db8::5:51234"
 * (OpenVPN writes IPv6 peers with the port after a last colon) into address and port. */
static bool addr_port(ks_str t, ovpn_peer *o)
{
    if (!ks_str_eat(&t, "[AF_INET]")) ks_str_eat(&t, "[AF_INET6]");
    size_t c = t.len;
    while (c > 0 && t.p[c - 1] != ':') c--;
    if (c < 2) return false;
    ks_str a = {t.p, c - 1}, port = ks_str_skip(t, c);
    int port_no;
    if (port.len > 5 || !ks_digits(port.p, port.len, &port_no) || !ks_syslog_looks_like_ip(a))
        return false;
    if (ks_str_has_prefix(a, "::ffff:") && memchr(a.p, '.', a.len)) a = ks_str_skip(a, 7);
    o->addr = a, o->port = port;
    return true;
}

/* The peer at the start of a line: "CN/ADDR:PORT " or "ADDR:PORT ". */
static bool peer_prefix(ks_str msg, ovpn_peer *o)
{
    ks_str t = ks_str_word(msg);
    if (t.len < 4 || t.len >= msg.len) return false;
    size_t slash = t.len;
    while (slash > 0 && t.p[slash - 1] != '/') slash--;
    ovpn_peer p = {0};
    if (!addr_port(ks_str_skip(t, slash), &p)) return false;
    if (slash > 1) p.cn = (ks_str){t.p, slash - 1};
    p.text = t;
    *o = p;
    return true;
}

/* The CN= value of a certificate subject ("/C=US/CN=client1", "C=US, CN=client1") or
 * an LDAP DN ("CN=Harry T. Hacker,OU=..."): up to ',', '/', '"' or the end. */
static ks_str cn_value(ks_str s)
{
    long f = ks_str_find(s, "CN=");
    if (f < 0) return (ks_str){NULL, 0};
    return ks_str_until(ks_str_skip(s, (size_t)f + 3), ",\"/");
}

static bool is_openvpn_tag(ks_str app)
{
    /* "openvpn", "openvpn-server", "openvpn@server", "ovpn-server" (Debian units) */
    return ks_str_has_prefix(app, "openvpn") || ks_str_has_prefix(app, "ovpn-");
}

static bool openvpn_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    if (!is_openvpn_tag(m->app)) return false;
    ks_str msg = m->msg;
    ovpn_peer peer = {0};
    ks_str rest = msg;
    if (peer_prefix(msg, &peer)) rest = ks_str_skip(msg, peer.text.len + 1);

    const char *action = NULL;
    ks_outcome outcome = KS_OUTCOME_UNKNOWN;
    ks_str user = peer.cn, status = {NULL, 0}, assigned = {NULL, 0};
    /* the "[name]" form: "ADDR:PORT [name] Peer Connection Initiated with ..." */
    if (ks_str_has_prefix(rest, "[")) {
        const char *e = memchr(rest.p, ']', rest.len);
        if (e && (size_t)(e - rest.p) + 2 <= rest.len && e[1] == ' ') {
            ks_str name = {rest.p + 1, (size_t)(e - rest.p) - 1};
            if (name.len && !ks_str_eq(name, "UNDEF")) user = name;
            rest = ks_str_skip(rest, (size_t)(e - rest.p) + 2);
        }
    }

    if (ks_str_has_prefix(rest, "Peer Connection Initiated with ")) {
        action = KS_ACTION_VPN_LOGIN, outcome = KS_OUTCOME_SUCCESS;
        if (!peer.addr.len) addr_port(ks_str_word(ks_str_skip(rest, 31)), &peer);
    } else if (ks_str_has_prefix(rest, "TLS Auth Error:")) {
        /* "TLS Auth Error: Auth Username/Password verification failed for peer" */
        action = KS_ACTION_VPN_LOGIN, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"auth_failed", 11};
    } else if (ks_str_has_prefix(rest, "VERIFY ERROR:")) {
        /* "VERIFY ERROR: depth=0, error=certificate has expired: CN=client1" */
        action = KS_ACTION_VPN_LOGIN, outcome = KS_OUTCOME_FAILURE;
        ks_str cn = cn_value(rest);
        if (cn.len) user = cn;
        long e = ks_str_find(rest, "error=");
        if (e >= 0) {
            ks_str r = ks_str_skip(rest, (size_t)e + 6);
            long c = ks_str_find(r, ": ");
            status = (ks_str){r.p, c >= 0 ? (size_t)c : r.len};
        }
    } else if (ks_str_has(rest, "Username/Password authentication ")) {
        /* "TLS: Username/Password authentication succeeded for username 'alice'" */
        ks_str u = ks_str_quoted_after(rest, "for username ");
        if (u.len) user = u;
        if (ks_str_has(rest, "authentication succeeded"))
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_SUCCESS;
        else if (ks_str_has(rest, "authentication failed"))
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
    } else if (ks_str_has(rest, "AUTH_FAILED")) {
        /* "SENT CONTROL [alice]: 'AUTH_FAILED' (status=1)", client side "AUTH: Received
         * control message: AUTH_FAILED"; the server's TLS Auth Error is the VPN login */
        long sc = ks_str_find(rest, "SENT CONTROL [");
        if (sc >= 0) {
            ks_str r = ks_str_skip(rest, (size_t)sc + 14);
            const char *e = memchr(r.p, ']', r.len);
            if (e && e > r.p) user = (ks_str){r.p, (size_t)(e - r.p)};
        }
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"AUTH_FAILED", 11};
    } else if (ks_str_has(rest, "client-instance exiting") ||
               ks_str_has(rest, "client-instance restarting")) {
        /* "SIGTERM[soft,remote-exit] received, client-instance exiting" */
        action = KS_ACTION_VPN_LOGOUT;
        const char *b = memchr(rest.p, '[', rest.len);
        if (b) {
            ks_str r = ks_str_skip(rest, (size_t)(b - rest.p) + 1);
            const char *e = memchr(r.p, ']', r.len);
            if (e) status = (ks_str){r.p, (size_t)(e - r.p)};
        }
    } else if (ks_str_has_prefix(rest, "LDAP bind failed:")) {
        /* openvpn-auth-ldap: "LDAP bind failed: Invalid credentials (80090308: ...)" */
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        ks_str r = ks_str_skip(rest, 18);
        long p = ks_str_find(r, " (");
        status = (ks_str){r.p, p >= 0 ? (size_t)p : r.len};
    } else if (ks_str_has_prefix(rest, "Incorrect password supplied for LDAP DN")) {
        /* "Incorrect password supplied for LDAP DN \"CN=Harry T. Hacker,OU=...\"" */
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        ks_str cn = cn_value(rest);
        if (cn.len) user = cn;
        status = (ks_str){"incorrect_password", 18};
    } else if (ks_str_has_prefix(rest, "pam_unix(") && ks_str_has(rest, "authentication failure")) {
        /* "pam_unix(openvpn:auth): authentication failure; ... user=alice" */
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        long u = ks_str_find(rest, " user=");
        if (u >= 0) user = ks_str_word(ks_str_skip(rest, (size_t)u + 6));
    } else if (ks_str_has(rest, "primary virtual IP for ")) {
        /* "MULTI: primary virtual IP for client1/1.2.3.4:51234: 10.8.0.6" */
        long c = ks_str_find(rest, "primary virtual IP for ");
        ks_str r = ks_str_skip(rest, (size_t)c + 23);
        long sp = ks_str_find(r, ": ");
        if (sp >= 0) assigned = ks_str_word(ks_str_skip(r, (size_t)sp + 2));
    } else if (ks_str_has(rest, "pool returned IPv4=")) {
        /* "MULTI_sva: pool returned IPv4=10.8.0.6, IPv6=(Not enabled)" */
        assigned = ks_str_after(rest, "pool returned IPv4=", ", ");
    }

    ev->provider = ks_str_of(ks_syslog_openvpn.name);
    ev->sem.user = user;
    ev->sem.src_ip = peer.addr;
    ev->sem.status = status;
    if (action) ev->sem.action = ks_str_of(action);
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

    ks_syslog_fields b = ks_syslog_fields_new(s, OVPN_MAX_FIELDS);
    ks_syslog_fields_add(&b, "message", rest);
    ks_syslog_fields_add(&b, "peer", peer.text);
    ks_syslog_fields_add(&b, "common_name", user);
    ks_syslog_fields_add(&b, "address", peer.addr);
    ks_syslog_fields_add(&b, "port", peer.port);
    ks_syslog_fields_add(&b, "assigned_ip", assigned);
    ks_syslog_fields_put(&b, ev);
    return true;
}

const ks_syslog_vendor ks_syslog_openvpn = {"openvpn", openvpn_parse};
