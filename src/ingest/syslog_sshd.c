/* The OpenSSH server's syslog lines (Linux jump hosts, VPN appliances): accepted and
 * failed logons, invalid users, PAM failures, disconnects. Only lines whose tag is
 * sshd (or sshd-session / sshd-auth, OpenSSH 9.8+) are claimed. Wording follows
 * OpenSSH's auth.c / auth2.c and the labelled lines of Wazuh's sshd.ini. Authentication
 * outcomes get action "auth"; disconnects and session lines only name the user. */
#include <stdbool.h>
#include <string.h>

#include "ingest/syslog.h"

#define SSHD_MAX_FIELDS 8

typedef struct sshd_fields {
    ks_field *f;
    size_t n;
} sshd_fields;

static void add(sshd_fields *b, const char *name, ks_str v)
{
    if (!b->f || !v.len || b->n >= SSHD_MAX_FIELDS) return;
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

/* The first occurrence of z in s, or -1. */
static long find(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return -1;
    const char *p = memmem(s.p, s.len, z, n);
    return p ? (long)(p - s.p) : -1;
}

/* The last occurrence of z in s, or -1. */
static long find_last(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return -1;
    for (size_t i = s.len - n + 1; i-- > 0;)
        if (memcmp(s.p + i, z, n) == 0) return (long)i;
    return -1;
}

/* The next space-delimited word of s. */
static ks_str word(ks_str s)
{
    size_t i = 0;
    while (i < s.len && s.p[i] != ' ') i++;
    return (ks_str){s.p, i};
}

/* True if w looks like an IPv4 or IPv6 address (digits, hex, dots, colons). */
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

typedef struct sshd_parts {
    ks_str user, addr, port, method;
    bool invalid;
} sshd_parts;

/* Consume prefix z from *s if it is there. */
static bool eat(ks_str *s, const char *z)
{
    if (!has_prefix(*s, z)) return false;
    *s = skip(*s, strlen(z));
    return true;
}

/* Strip "invalid user " / "illegal user " (what OpenSSH writes before a name the system
 * does not know); with all, also "authenticating user " / "user " (disconnect lines,
 * where "user" always precedes the name). */
static void qualifier(ks_str *s, sshd_parts *o, bool all)
{
    if (eat(s, "invalid user ") || eat(s, "illegal user "))
        o->invalid = true;
    else if (all && !eat(s, "authenticating user "))
        eat(s, "user ");
}

/* "[invalid user |illegal user ]NAME from ADDR[ port N]..." (what follows "for "): NAME is what
 * lies before the last " from " that is followed by an address, so that a name containing " from "
 * still parses. */
static void user_from(ks_str s, sshd_parts *o)
{
    qualifier(&s, o, false);
    long best = -1;
    for (long at = 0;;) {
        long f = find(skip(s, (size_t)at), " from ");
        if (f < 0) break;
        f += at;
        if (is_addr(word(skip(s, (size_t)f + 6)))) best = f;
        at = f + 1;
    }
    if (best < 0) { /* an address sshd could not write ("1.2.3.x"): the name still is */
        long f = find_last(s, " from ");
        if (f > 0) o->user = (ks_str){s.p, (size_t)f};
        return;
    }
    o->user = (ks_str){s.p, (size_t)best};
    ks_str rest = skip(s, (size_t)best + 6);
    o->addr = word(rest);
    rest = skip(rest, o->addr.len);
    if (eat(&rest, " port ")) o->port = word(rest);
}

/* "[invalid user |authenticating user |user ]NAME ADDR port N" (Disconnected from,
 * Connection closed by, ...), or just "ADDR port N". */
static void user_addr_port(ks_str s, sshd_parts *o)
{
    long p = find_last(s, " port ");
    ks_str head = p >= 0 ? (ks_str){s.p, (size_t)p} : s;
    if (p >= 0) o->port = word(skip(s, (size_t)p + 6));
    long sp = find_last(head, " ");
    ks_str a = sp >= 0 ? skip(head, (size_t)sp + 1) : head;
    if (!is_addr(a)) return;
    o->addr = a;
    if (sp < 0) return;
    head.len = (size_t)sp;
    qualifier(&head, o, true);
    o->user = head;
}

/* The value of "key=" in a PAM line ("rhost=1.2.3.4  user=bob"), up to a space. */
static ks_str pam_value(ks_str s, const char *key)
{
    long f = find(s, key);
    while (f > 0 && s.p[f - 1] != ' ' && s.p[f - 1] != ';') {
        ks_str rest = skip(s, (size_t)f + 1);
        long g = find(rest, key);
        f = g < 0 ? -1 : f + 1 + g;
    }
    if (f < 0) return (ks_str){NULL, 0};
    return word(skip(s, (size_t)f + strlen(key)));
}

static bool is_sshd_tag(ks_str app)
{
    static const char *const tags[] = {"sshd", "sshd-session", "sshd-auth"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (app.len == strlen(tags[i]) && memcmp(app.p, tags[i], app.len) == 0) return true;
    return false;
}

static bool sshd_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    ks_str msg = m->msg;
    if (!is_sshd_tag(m->app)) {
        /* a framing that left the tag in the message: "sshd[123]: ..." */
        if (m->app.len || !(has_prefix(msg, "sshd[") || has_prefix(msg, "sshd:"))) return false;
        long c = find(msg, ": ");
        if (c < 0 || c > 24) return false;
        msg = skip(msg, (size_t)c + 2);
    }
    /* Solaris: "[ID 800047 auth.notice] Failed none for ..." */
    if (has_prefix(msg, "[ID ")) {
        long c = find(msg, "] ");
        if (c > 0 && c < 40) msg = skip(msg, (size_t)c + 2);
    }
    ks_str body = msg;
    if (has_prefix(body, "error: "))
        body = skip(body, 7);
    else if (has_prefix(body, "fatal: "))
        body = skip(body, 7);

    sshd_parts o = {0};
    const char *action = NULL;
    ks_outcome outcome = KS_OUTCOME_UNKNOWN;
    ks_str status = {NULL, 0}, rest = body;

    bool ok = false, postponed = false;
    if ((ok = eat(&rest, "Accepted ")) || eat(&rest, "Failed ") ||
        (postponed = eat(&rest, "Postponed "))) {
        /* "Accepted password for bob from 1.2.3.4 port 22 ssh2" */
        o.method = word(rest);
        rest = skip(rest, o.method.len);
        if (eat(&rest, " for ")) {
            user_from(rest, &o);
            /* "Failed none" is the client asking which methods exist, not a failure */
            bool probe = o.method.len == 4 && memcmp(o.method.p, "none", 4) == 0;
            if (!postponed && !probe) {
                action = KS_ACTION_AUTH;
                outcome = ok ? KS_OUTCOME_SUCCESS : KS_OUTCOME_FAILURE;
            }
        }
    } else if (eat(&rest, "Invalid user ") || eat(&rest, "Illegal user ")) {
        /* "Invalid user NAME from ADDR[ port N]" */
        user_from(rest, &o);
        o.invalid = true;
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
    } else if (eat(&rest, "maximum authentication attempts exceeded for ")) {
        user_from(rest, &o);
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"max_attempts", 12};
    } else if (eat(&rest, "PAM: ")) {
        /* "PAM: authentication error for [illegal user ]X from ADDR",
         * "PAM: unknown user for illegal user X from ADDR",
         * "PAM: User not known to the underlying authentication module for ..." */
        long f = find(rest, " for ");
        if (f >= 0) user_from(skip(rest, (size_t)f + 5), &o);
        if (has_prefix(rest, "authentication error") || has_prefix(rest, "unknown user")) {
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
            status = has_prefix(rest, "unknown") ? (ks_str){"unknown_user", 12}
                                                 : (ks_str){"authentication_error", 20};
        }
    } else if (has_prefix(body, "User ") && find(skip(body, 5), " not allowed because ") > 0) {
        /* "User root from 1.2.3.4 not allowed because not listed in AllowUsers" */
        rest = skip(body, 5);
        ks_str head = {rest.p, (size_t)find(rest, " not allowed because ")};
        long f = find_last(head, " from ");
        if (f > 0) {
            o.user = (ks_str){head.p, (size_t)f};
            ks_str a = skip(head, (size_t)f + 6);
            if (is_addr(a)) o.addr = a;
        }
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"not_allowed", 11};
    } else if (has_prefix(body, "pam_unix(") || has_prefix(body, "pam_sss(") ||
               has_prefix(body, "pam_ldap(")) {
        /* "pam_unix(sshd:auth): authentication failure; logname= ... rhost=ADDR  user=X" */
        ks_str r = pam_value(body, "rhost=");
        if (is_addr(r)) o.addr = r;
        o.user = pam_value(body, "user=");
        if (find(body, "authentication failure") > 0) {
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        } else {
            /* "session opened for user bob(uid=1000) by (uid=0)" */
            long f = find(body, " for user ");
            if (f > 0) {
                ks_str u = word(skip(body, (size_t)f + 10));
                for (size_t i = 0; i < u.len; i++)
                    if (u.p[i] == '(') u.len = i;
                o.user = u;
            }
        }
    } else if (eat(&rest, "Disconnected from ") || eat(&rest, "Disconnecting ") ||
               eat(&rest, "Connection closed by ") || eat(&rest, "Connection reset by ")) {
        /* "Disconnected from [invalid |authenticating ]user X ADDR port N [preauth]" */
        long pre = find(rest, " [preauth]");
        if (pre > 0) rest.len = (size_t)pre;
        long colon = find(rest, ": "); /* "...: Too many authentication failures" */
        if (colon >= 0) rest.len = (size_t)colon;
        user_addr_port(rest, &o);
    } else {
        /* an address in the usual places: "Received disconnect from", "Connection from",
         * "Did not receive identification string from", "Unable to negotiate with",
         * "Bad protocol version identification '...' from", "Address X maps to",
         * "Read error from remote host X: ..." */
        static const char *const keys[] = {" from ", "Unable to negotiate with ", "Address ",
                                           "remote host ", " ["};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !o.addr.len; i++) {
            long f = find(body, keys[i]);
            if (f < 0) continue;
            ks_str a = word(skip(body, (size_t)f + strlen(keys[i])));
            while (a.len && (a.p[a.len - 1] == ':' || a.p[a.len - 1] == ']')) a.len--;
            if (is_addr(a)) o.addr = a;
        }
        /* "subsystem request for netconf by user checker failed, subsystem not found" */
        long by = find(body, " by user ");
        if (by >= 0) o.user = word(skip(body, (size_t)by + 9));
    }

    if (o.user.len == 0 || (o.user.len == 1 && o.user.p[0] == '-')) o.user.len = 0;
    ev->provider = (ks_str){ks_syslog_sshd.name, strlen(ks_syslog_sshd.name)};
    ev->sem.user = o.user;
    ev->sem.src_ip = o.addr;
    ev->sem.session = m->procid;
    ev->sem.status = status.len ? status : o.invalid ? (ks_str){"invalid_user", 12} : status;
    if (action) ev->sem.action = (ks_str){action, strlen(action)};
    ev->sem.outcome = outcome;

    sshd_fields b = {ks_source_alloc(s, SSHD_MAX_FIELDS * sizeof(ks_field)), 0};
    add(&b, "message", msg);
    add(&b, "method", o.method);
    add(&b, "user", o.user);
    add(&b, "address", o.addr);
    add(&b, "port", o.port);
    if (o.invalid) add(&b, "invalid_user", (ks_str){"true", 4});
    ev->fields = b.f;
    ev->nfields = b.n;
    return true;
}

const ks_syslog_vendor ks_syslog_sshd = {"sshd", sshd_parse};
