/* The OpenSSH server's syslog lines (Linux jump hosts, VPN appliances): accepted and
 * failed logons, invalid users, PAM failures, disconnects. Only lines whose tag is
 * sshd (or sshd-session / sshd-auth, OpenSSH 9.8+) are claimed. Wording follows
 * OpenSSH's auth.c / auth2.c and the labelled lines of Wazuh's sshd.ini. Authentication
 * outcomes get action "auth"; disconnects and session lines only name the user. */
#include <stdbool.h>
#include <string.h>

#include "ingest/syslog.h"
#include "util/str.h"

#define SSHD_MAX_FIELDS 8

typedef struct sshd_parts {
    ks_str user, addr, port, method;
    bool invalid;
} sshd_parts;

/* Strip "invalid user " / "illegal user " (what OpenSSH writes before a name the system
 * does not know); with all, also "authenticating user " / "user " (disconnect lines,
 * where "user" always precedes the name). */
static void qualifier(ks_str *s, sshd_parts *o, bool all)
{
    if (ks_str_eat(s, "invalid user ") || ks_str_eat(s, "illegal user "))
        o->invalid = true;
    else if (all && !ks_str_eat(s, "authenticating user "))
        ks_str_eat(s, "user ");
}

/* "[invalid user |illegal user ]NAME from ADDR[ port N]..." (what follows "for "): NAME is what
 * lies before the last " from " that is followed by an address, so that a name containing " from "
 * still parses. */
static void user_from(ks_str s, sshd_parts *o)
{
    qualifier(&s, o, false);
    long best = -1;
    for (long at = 0;;) {
        long f = ks_str_find(ks_str_skip(s, (size_t)at), " from ");
        if (f < 0) break;
        f += at;
        if (ks_syslog_looks_like_ip(ks_str_word(ks_str_skip(s, (size_t)f + 6)))) best = f;
        at = f + 1;
    }
    if (best < 0) { /* an address sshd could not write ("1.2.3.x"): the name still is */
        long f = ks_str_find_last(s, " from ");
        if (f > 0) o->user = (ks_str){s.p, (size_t)f};
        return;
    }
    o->user = (ks_str){s.p, (size_t)best};
    ks_str rest = ks_str_skip(s, (size_t)best + 6);
    o->addr = ks_str_word(rest);
    rest = ks_str_skip(rest, o->addr.len);
    if (ks_str_eat(&rest, " port ")) o->port = ks_str_word(rest);
}

/* "[invalid user |authenticating user |user ]NAME ADDR port N" (Disconnected from,
 * Connection closed by, ...), or just "ADDR port N". */
static void user_addr_port(ks_str s, sshd_parts *o)
{
    long p = ks_str_find_last(s, " port ");
    ks_str head = p >= 0 ? (ks_str){s.p, (size_t)p} : s;
    if (p >= 0) o->port = ks_str_word(ks_str_skip(s, (size_t)p + 6));
    long sp = ks_str_find_last(head, " ");
    ks_str a = sp >= 0 ? ks_str_skip(head, (size_t)sp + 1) : head;
    if (!ks_syslog_looks_like_ip(a)) return;
    o->addr = a;
    if (sp < 0) return;
    head.len = (size_t)sp;
    qualifier(&head, o, true);
    o->user = head;
}

/* The value of "key=" in a PAM line ("rhost=1.2.3.4  user=bob"), up to a space. */
static ks_str pam_value(ks_str s, const char *key)
{
    long f = ks_str_find(s, key);
    while (f > 0 && s.p[f - 1] != ' ' && s.p[f - 1] != ';') {
        ks_str rest = ks_str_skip(s, (size_t)f + 1);
        long g = ks_str_find(rest, key);
        f = g < 0 ? -1 : f + 1 + g;
    }
    if (f < 0) return (ks_str){NULL, 0};
    return ks_str_word(ks_str_skip(s, (size_t)f + strlen(key)));
}

static bool is_sshd_tag(ks_str app)
{
    static const char *const tags[] = {"sshd", "sshd-session", "sshd-auth"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (ks_str_eq(app, tags[i])) return true;
    return false;
}

static bool sshd_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    ks_str msg = m->msg;
    if (!is_sshd_tag(m->app)) {
        /* a framing that left the tag in the message: "sshd[123]: ..." */
        if (m->app.len || !(ks_str_has_prefix(msg, "sshd[") || ks_str_has_prefix(msg, "sshd:")))
            return false;
        long c = ks_str_find(msg, ": ");
        if (c < 0 || c > 24) return false;
        msg = ks_str_skip(msg, (size_t)c + 2);
    }
    /* Solaris: "[ID 800047 auth.notice] Failed none for ..." */
    if (ks_str_has_prefix(msg, "[ID ")) {
        long c = ks_str_find(msg, "] ");
        if (c > 0 && c < 40) msg = ks_str_skip(msg, (size_t)c + 2);
    }
    ks_str body = msg;
    if (ks_str_has_prefix(body, "error: "))
        body = ks_str_skip(body, 7);
    else if (ks_str_has_prefix(body, "fatal: "))
        body = ks_str_skip(body, 7);

    sshd_parts o = {0};
    const char *action = NULL;
    ks_outcome outcome = KS_OUTCOME_UNKNOWN;
    ks_str status = {NULL, 0}, rest = body;

    bool ok = false, postponed = false;
    if ((ok = ks_str_eat(&rest, "Accepted ")) || ks_str_eat(&rest, "Failed ") ||
        (postponed = ks_str_eat(&rest, "Postponed "))) {
        /* "Accepted password for bob from 1.2.3.4 port 22 ssh2" */
        o.method = ks_str_word(rest);
        rest = ks_str_skip(rest, o.method.len);
        if (ks_str_eat(&rest, " for ")) {
            user_from(rest, &o);
            /* "Failed none" is the client asking which methods exist, not a failure */
            bool probe = ks_str_eq(o.method, "none");
            if (!postponed && !probe) {
                action = KS_ACTION_AUTH;
                outcome = ok ? KS_OUTCOME_SUCCESS : KS_OUTCOME_FAILURE;
            }
        }
    } else if (ks_str_eat(&rest, "Invalid user ") || ks_str_eat(&rest, "Illegal user ")) {
        /* "Invalid user NAME from ADDR[ port N]" */
        user_from(rest, &o);
        o.invalid = true;
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
    } else if (ks_str_eat(&rest, "maximum authentication attempts exceeded for ")) {
        user_from(rest, &o);
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"max_attempts", 12};
    } else if (ks_str_eat(&rest, "PAM: ")) {
        /* "PAM: authentication error for [illegal user ]X from ADDR",
         * "PAM: unknown user for illegal user X from ADDR",
         * "PAM: User not known to the underlying authentication module for ..." */
        long f = ks_str_find(rest, " for ");
        if (f >= 0) user_from(ks_str_skip(rest, (size_t)f + 5), &o);
        if (ks_str_has_prefix(rest, "authentication error") ||
            ks_str_has_prefix(rest, "unknown user")) {
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
            status = ks_str_has_prefix(rest, "unknown") ? (ks_str){"unknown_user", 12}
                                                        : (ks_str){"authentication_error", 20};
        }
    } else if (ks_str_has_prefix(body, "User ") &&
               ks_str_find(ks_str_skip(body, 5), " not allowed because ") > 0) {
        /* "User root from 1.2.3.4 not allowed because not listed in AllowUsers" */
        rest = ks_str_skip(body, 5);
        ks_str head = {rest.p, (size_t)ks_str_find(rest, " not allowed because ")};
        long f = ks_str_find_last(head, " from ");
        if (f > 0) {
            o.user = (ks_str){head.p, (size_t)f};
            ks_str a = ks_str_skip(head, (size_t)f + 6);
            if (ks_syslog_looks_like_ip(a)) o.addr = a;
        }
        action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        status = (ks_str){"not_allowed", 11};
    } else if (ks_str_has_prefix(body, "pam_unix(") || ks_str_has_prefix(body, "pam_sss(") ||
               ks_str_has_prefix(body, "pam_ldap(")) {
        /* "pam_unix(sshd:auth): authentication failure; logname= ... rhost=ADDR  user=X" */
        ks_str r = pam_value(body, "rhost=");
        if (ks_syslog_looks_like_ip(r)) o.addr = r;
        o.user = pam_value(body, "user=");
        if (ks_str_find(body, "authentication failure") > 0) {
            action = KS_ACTION_AUTH, outcome = KS_OUTCOME_FAILURE;
        } else {
            /* "session opened for user bob(uid=1000) by (uid=0)" */
            long f = ks_str_find(body, " for user ");
            if (f > 0) {
                ks_str u = ks_str_word(ks_str_skip(body, (size_t)f + 10));
                for (size_t i = 0; i < u.len; i++)
                    if (u.p[i] == '(') u.len = i;
                o.user = u;
            }
        }
    } else if (ks_str_eat(&rest, "Disconnected from ") || ks_str_eat(&rest, "Disconnecting ") ||
               ks_str_eat(&rest, "Connection closed by ") ||
               ks_str_eat(&rest, "Connection reset by ")) {
        /* "Disconnected from [invalid |authenticating ]user X ADDR port N [preauth]" */
        long pre = ks_str_find(rest, " [preauth]");
        if (pre > 0) rest.len = (size_t)pre;
        long colon = ks_str_find(rest, ": "); /* "...: Too many authentication failures" */
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
            ks_str a = ks_str_after(body, keys[i], " ");
            while (a.len && (a.p[a.len - 1] == ':' || a.p[a.len - 1] == ']')) a.len--;
            if (ks_syslog_looks_like_ip(a)) o.addr = a;
        }
        /* "subsystem request for netconf by user checker failed, subsystem not found" */
        long by = ks_str_find(body, " by user ");
        if (by >= 0) o.user = ks_str_word(ks_str_skip(body, (size_t)by + 9));
    }

    if (o.user.len == 0 || (o.user.len == 1 && o.user.p[0] == '-')) o.user.len = 0;
    ev->provider = ks_str_of(ks_syslog_sshd.name);
    ev->sem.user = o.user;
    ev->sem.src_ip = o.addr;
    ev->sem.session = m->procid;
    ev->sem.status = status.len ? status : o.invalid ? (ks_str){"invalid_user", 12} : status;
    if (action) ev->sem.action = ks_str_of(action);
    ev->sem.outcome = outcome;

    ks_syslog_fields b = ks_syslog_fields_new(s, SSHD_MAX_FIELDS);
    ks_syslog_fields_add(&b, "message", msg);
    ks_syslog_fields_add(&b, "method", o.method);
    ks_syslog_fields_add(&b, "user", o.user);
    ks_syslog_fields_add(&b, "address", o.addr);
    ks_syslog_fields_add(&b, "port", o.port);
    if (o.invalid) ks_syslog_fields_add(&b, "invalid_user", ks_str_of("true"));
    ks_syslog_fields_put(&b, ev);
    return true;
}

const ks_syslog_vendor ks_syslog_sshd = {"sshd", sshd_parse};
