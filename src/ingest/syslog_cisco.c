/* Cisco ASA, Firepower Threat Defense and PIX: "%ASA-6-113005: text" (also %FTD-, %PIX-,
 * %FWSM-). provider is "cisco-ftd" for %FTD- and "cisco-asa" for the others (PIX and
 * FWSM write the ASA message catalogue); event_id is the six-digit message id, level
 * the message's severity digit.
 *
 * One table gives the meaning of the ids that matter (AAA 113004/113005/113015/109005/
 * 109006, device logins 605004/605005/611101/611102, AnyConnect and WebVPN 113039/716001/
 * 716002/722022/722023/722051/734001/751025/..., denied traffic); the parts of the text
 * are found by the phrases Cisco's catalogue uses ("User = x", "Username:x", "User <x>",
 * "for user \"x\"", "Uname: x", "IP = a", "IP <a>", "Addr a", "from a/port"), so that the
 * ids not in the table still give their user and address. src_ip is the remote client:
 * for 751025 "Remote:" (Elastic calls it destination.*; "Local:" is the ASA itself), else
 * the user's "IP" or the "from" / "src" address. Fields: the message and the parts
 * found (user, src_ip, group, assigned_ip, session, reason). */
#include <string.h>

#include "ingest/syslog.h"
#include "util/str.h"

typedef struct cs_rule {
    uint32_t id;
    const char *action;
    ks_outcome outcome;
    const char *service;
} cs_rule;

#define S KS_OUTCOME_SUCCESS
#define F KS_OUTCOME_FAILURE
#define U KS_OUTCOME_UNKNOWN
static const cs_rule cs_rules[] = {
    {109005, KS_ACTION_AUTH, S, NULL},
    {109006, KS_ACTION_AUTH, F, NULL},
    {113004, KS_ACTION_AUTH, S, "aaa"},
    {113005, KS_ACTION_AUTH, F, "aaa"},
    {113006, KS_ACTION_AUTH, F, "aaa"},
    {113008, KS_ACTION_AUTH, S, "aaa"},
    {113012, KS_ACTION_AUTH, S, "aaa"},
    {113015, KS_ACTION_AUTH, F, "aaa"},
    {113019, KS_ACTION_VPN_LOGOUT, U, NULL},
    {113029, KS_ACTION_VPN_LOGIN, F, "anyconnect"},
    {113035, KS_ACTION_VPN_LOGIN, F, "anyconnect"},
    {113037, KS_ACTION_VPN_LOGIN, F, NULL},
    {113038, KS_ACTION_VPN_LOGIN, F, "anyconnect"},
    {113039, KS_ACTION_VPN_LOGIN, S, "anyconnect"},
    {302013, KS_ACTION_TRAFFIC, S, NULL},
    {302015, KS_ACTION_TRAFFIC, S, NULL},
    {106001, KS_ACTION_TRAFFIC, F, NULL},
    {106006, KS_ACTION_TRAFFIC, F, NULL},
    {106007, KS_ACTION_TRAFFIC, F, NULL},
    {106010, KS_ACTION_TRAFFIC, F, NULL},
    {106014, KS_ACTION_TRAFFIC, F, NULL},
    {106015, KS_ACTION_TRAFFIC, F, NULL},
    {106016, KS_ACTION_TRAFFIC, F, NULL},
    {106017, KS_ACTION_TRAFFIC, F, NULL},
    {106020, KS_ACTION_TRAFFIC, F, NULL},
    {106021, KS_ACTION_TRAFFIC, F, NULL},
    {106022, KS_ACTION_TRAFFIC, F, NULL},
    {106023, KS_ACTION_TRAFFIC, F, NULL},
    {106100, KS_ACTION_TRAFFIC, U, NULL},
    {308001, KS_ACTION_ADMIN_LOGIN, F, "enable"},
    {602303, KS_ACTION_TUNNEL_UP, S, "ipsec"},
    {602304, KS_ACTION_TUNNEL_DOWN, U, "ipsec"},
    {603108, KS_ACTION_TUNNEL_UP, S, "pptp"},
    {603109, KS_ACTION_TUNNEL_DOWN, U, "pptp"},
    {605004, KS_ACTION_ADMIN_LOGIN, F, NULL},
    {605005, KS_ACTION_ADMIN_LOGIN, S, NULL},
    {611101, KS_ACTION_ADMIN_LOGIN, S, NULL},
    {611102, KS_ACTION_ADMIN_LOGIN, F, NULL},
    {710003, KS_ACTION_TRAFFIC, F, NULL},
    {713050, KS_ACTION_TUNNEL_DOWN, U, "ipsec"},
    {713198, KS_ACTION_VPN_LOGIN, F, "ipsec"},
    {713228, KS_ACTION_TUNNEL_UP, S, "ipsec"},
    {716001, KS_ACTION_VPN_LOGIN, S, "webvpn"},
    {716002, KS_ACTION_VPN_LOGOUT, U, "webvpn"},
    {716038, KS_ACTION_VPN_LOGIN, S, "webvpn"},
    {716039, KS_ACTION_VPN_LOGIN, F, "webvpn"},
    {722022, KS_ACTION_TUNNEL_UP, S, "anyconnect"},
    {722023, KS_ACTION_TUNNEL_DOWN, U, "anyconnect"},
    {722028, KS_ACTION_TUNNEL_DOWN, U, "anyconnect"},
    {722033, KS_ACTION_TUNNEL_UP, S, "anyconnect"},
    {722037, KS_ACTION_TUNNEL_DOWN, U, "anyconnect"},
    {722051, KS_ACTION_TUNNEL_UP, S, "anyconnect"},
    {734001, KS_ACTION_AUTH, U, "dap"},
    {751025, KS_ACTION_TUNNEL_UP, S, "ikev2"},
};
#undef S
#undef F
#undef U

static const cs_rule *cs_rule_for(uint32_t id)
{
    for (size_t i = 0; i < sizeof cs_rules / sizeof cs_rules[0]; i++)
        if (cs_rules[i].id == id) return &cs_rules[i];
    return NULL;
}

typedef struct cs_marker {
    const char *marker, *stops;
} cs_marker;

/* The text after the first of the markers that t has (see ks_str_after), or "". */
static ks_str cs_first(ks_str t, const cs_marker *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ks_str v = ks_str_after(t, m[i].marker, m[i].stops);
        if (v.len) return v;
    }
    return (ks_str){"", 0};
}

/* user, by the catalogue's phrases, most specific first */
static ks_str cs_user(ks_str t)
{
    static const cs_marker um[] = {
        {"Username = ", ","}, {"Username:", " ,"},   {"username = ", ","}, {"User = ", ":, "},
        {"user = ", ":, "},   {"Uname: ", " ,"},     {"User <", ">"},      {"User '", "'"},
        {"user '", "'"},      {"for user \"", "\""}, {"for user '", "'"},  {"(user=", ") ,"},
        {"User (", ")"},      {"for user ", " :,"},
    };
    ks_str v = cs_first(t, um, sizeof um / sizeof um[0]);
    if (v.len) return v;
    /* "Group g User u IP a ...", "DAP: User u, Addr a", "User u locked out|executed" */
    const char *p = t.p, *end = t.p + t.len;
    for (int guard = 0; guard < 8 && p < end; guard++) {
        const char *at = memmem(p, (size_t)(end - p), "User ", 5);
        if (!at) break;
        p = at + 5;
        if (at > t.p && at[-1] != ' ') continue;
        const char *e = p;
        while (e < end && *e != ' ' && *e != ',') e++;
        if (e == p) continue;
        ks_str u = {p, (size_t)(e - p)};
        if (e < end && *e == ',') return u;
        static const char *const next[] = {" IP ", " locked ", " executed ", " Addr "};
        for (size_t k = 0; k < 4; k++) {
            size_t nl = strlen(next[k]);
            if ((size_t)(end - e) >= nl && !memcmp(e, next[k], nl)) return u;
        }
    }
    return (ks_str){"", 0};
}

/* An address token: "1.2.3.4", "1.2.3.4/80", "inside:1.2.3.4/80", "IP 1.2.3.4". */
static ks_str cs_addr_token(const char *p, const char *end)
{
    static const char *const skip[] = {"IP ", "laddr ", "= ", "host "};
    for (size_t k = 0; k < 4; k++) {
        size_t l = strlen(skip[k]);
        if ((size_t)(end - p) >= l && !memcmp(p, skip[k], l)) p += l;
    }
    const char *e = p;
    while (e < end && !strchr(" ,()[]<>", *e)) e++;
    ks_str t = {p, (size_t)(e - p)};
    const char *sl = t.len ? memrchr(t.p, '/', t.len) : NULL;
    if (sl) t.len = (size_t)(sl - t.p);
    if (ks_syslog_is_ip(t)) return t;
    const char *c = t.len ? memchr(t.p, ':', t.len) : NULL;
    if (c) {
        ks_str r = {c + 1, t.len - (size_t)(c + 1 - t.p)};
        if (ks_syslog_is_ip(r)) return r;
    }
    return (ks_str){"", 0};
}

/* Every occurrence of a word (not inside another word) followed by an address. */
static ks_str cs_addr_after_word(ks_str t, const char *word)
{
    size_t wl = strlen(word);
    const char *p = t.p, *end = t.p + t.len;
    for (int guard = 0; guard < 16 && p < end; guard++) {
        const char *at = memmem(p, (size_t)(end - p), word, wl);
        if (!at) break;
        p = at + wl;
        char before = at > t.p ? at[-1] : ' ';
        if ((before >= 'A' && before <= 'Z') || (before >= 'a' && before <= 'z') ||
            (before >= '0' && before <= '9') || before == '_' || before == '-')
            continue;
        ks_str a = cs_addr_token(p, end);
        if (a.len) return a;
    }
    return (ks_str){"", 0};
}

/* The remote client's address (or name, for 751025). */
static ks_str cs_src(ks_str t)
{
    ks_str r = ks_str_after(t, "Remote:", " ");
    if (r.len) { /* "Remote:198.51.100.25:50466", "Remote:2001:db8::2:50470" */
        const char *c = memrchr(r.p, ':', r.len);
        if (c) r.len = (size_t)(c - r.p);
        if (r.len) return r;
    }
    static const cs_marker am[] = {
        {"IP = ", ", "},        {"IP <", ">"},   {" IP ", " ,"},
        {"IP address: ", ", "}, {"Addr ", ", "}, {"remote-peer = ", ", "},
    };
    for (size_t i = 0; i < sizeof am / sizeof am[0]; i++) {
        ks_str v = ks_str_after(t, am[i].marker, am[i].stops);
        if (v.len && ks_syslog_is_ip(v)) return v;
    }
    static const char *const words[] = {"from ", "src ", "SRC "};
    for (size_t i = 0; i < 3; i++) {
        ks_str v = cs_addr_after_word(t, words[i]);
        if (v.len) return v;
    }
    return (ks_str){"", 0};
}

/* "%ASA-6-113005:" somewhere near the start of the message. */
static bool cs_code(ks_str msg, ks_str *prefix, int *sev, uint32_t *id, ks_str *text)
{
    size_t look = msg.len < 64 ? msg.len : 64;
    const char *p = msg.p, *end = msg.p + msg.len;
    for (size_t i = 0; i < look; i++) {
        if (p[i] != '%') continue;
        const char *q = p + i + 1, *a = q;
        while (q < end && q - a < 6 && *q >= 'A' && *q <= 'Z') q++;
        ks_str pre = {a, (size_t)(q - a)};
        bool known = (pre.len == 3 &&
                      (!memcmp(a, "ASA", 3) || !memcmp(a, "FTD", 3) || !memcmp(a, "PIX", 3))) ||
                     (pre.len == 4 && !memcmp(a, "FWSM", 4));
        if (!known || end - q < 4 || q[0] != '-' || q[1] < '0' || q[1] > '7' || q[2] != '-')
            continue;
        const char *d = q + 3, *e = d;
        uint32_t v = 0;
        while (e < end && e - d < 7 && *e >= '0' && *e <= '9') v = v * 10 + (uint32_t)(*e++ - '0');
        if (e - d < 5 || e - d > 6 || (e < end && *e != ':' && *e != ' ')) continue;
        if (e < end && *e == ':') e++;
        while (e < end && *e == ' ') e++;
        *prefix = pre;
        *sev = q[1] - '0';
        *id = v;
        *text = (ks_str){e, (size_t)(end - e)};
        return true;
    }
    return false;
}

static bool cs_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    ks_str pre, t;
    int sev;
    uint32_t id;
    if (!cs_code(m->msg, &pre, &sev, &id, &t)) return false;
    ks_semantic *sem = &ev->sem;
    ev->provider = pre.len == 3 && !memcmp(pre.p, "FTD", 3) ? (ks_str){"cisco-ftd", 9}
                                                            : (ks_str){"cisco-asa", 9};
    ev->event_id = id;
    ev->level = ks_syslog_level(sev);

    sem->user = cs_user(t);
    sem->src_ip = cs_src(t);
    static const cs_marker gm[] = {
        {"Group = ", ","}, {"Group <", ">"}, {"Group:", " "}, {"Group ", " "}};
    ks_str group = cs_first(t, gm, 4);
    static const cs_marker im[] = {
        {"IPv4 Address=", " "}, {"IPv4 Address <", ">"}, {"client-dynamic-ip = ", ","}};
    ks_str assigned = cs_first(t, im, 3);
    static const cs_marker sm[] = {{"tunnel-id = ", ","}, {", sid ", ","}, {"Session ID: ", " ,"}};
    sem->session = cs_first(t, sm, 3);
    static const cs_marker rm[] = {{"reason = ", ":"}, {"Reason: ", ""}};
    ks_str reason = cs_first(t, rm, 2);

    const cs_rule *r = cs_rule_for(id);
    if (r) {
        sem->action = ks_str_of(r->action);
        sem->outcome = r->outcome;
        if (r->service) sem->service = ks_str_of(r->service);
    }
    if (id == 605004 || id == 605005) { /* "to outside:192.168.2.14/ssh" */
        ks_str to = ks_str_after(t, " to ", " ");
        const char *sl = to.len ? memrchr(to.p, '/', to.len) : NULL;
        if (sl) sem->service = (ks_str){sl + 1, to.len - (size_t)(sl + 1 - to.p)};
    } else if (id == 106100) {
        if (ks_str_has(t, " permitted "))
            sem->outcome = KS_OUTCOME_SUCCESS;
        else if (ks_str_has(t, " denied "))
            sem->outcome = KS_OUTCOME_FAILURE;
    }
    if (sem->outcome == KS_OUTCOME_FAILURE && reason.len) sem->status = reason;

    ks_syslog_fields b = ks_syslog_fields_new(s, 7);
    ks_syslog_fields_add(&b, "message", t);
    ks_syslog_fields_add(&b, "user", sem->user);
    ks_syslog_fields_add(&b, "src_ip", sem->src_ip);
    ks_syslog_fields_add(&b, "group", group);
    ks_syslog_fields_add(&b, "assigned_ip", assigned);
    ks_syslog_fields_add(&b, "session", sem->session);
    ks_syslog_fields_add(&b, "reason", reason);
    ks_syslog_fields_put(&b, ev);
    return true;
}

const ks_syslog_vendor ks_syslog_cisco_asa = {"cisco-asa", cs_parse};
