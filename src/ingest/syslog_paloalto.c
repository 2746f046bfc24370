/* Palo Alto Networks PAN-OS CSV syslog ("1,2024/01/02 03:04:05,SERIAL,TYPE,..."):
 * GLOBALPROTECT lines (PAN-OS 9.1+: portal and gateway authentication, tunnels), the
 * SYSTEM lines older PAN-OS writes for GlobalProtect and for logins to the firewall,
 * TRAFFIC and THREAT. Fields are the columns, named as PAN-OS's syslog field
 * reference names them for these four types ("field_N" past the known ones).
 *
 * Time: the generated time (column 6; the receive time if it does not read), in the
 * zone assumed for the file unless it is written with one. event_id is 0 (PAN-OS names
 * its events: the name is in the "eventid" field). GLOBALPROTECT: src_ip is the
 * client's public address (public_ip, else public_ipv6; Elastic calls it
 * source.nat.ip and the tunnel-side private_ip source.ip), user is source_user,
 * src_host the machine name, outcome the status column; *-auth is a VPN login,
 * gateway-connected/-register/-setup-* bring a tunnel up, gateway-logout logs out.
 * SYSTEM: user and address from the description ("Login from: a, ... User name: u",
 * "for user 'u'. From: a", "User u logged in via Web from a"). TRAFFIC / THREAT:
 * src_ip is the source address, user the source user, session the session id. */
#include <stdio.h>
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"
#include "util/str.h"

#define PAN_MAX_COLS 160

static const char *const pan_common[] = {
    "future_use1", "receive_time", "serial", "type", "subtype", "future_use2", "time_generated",
};
static const char *const pan_gp[] = {
    "vsys",           "eventid",
    "stage",          "auth_method",
    "tunnel_type",    "srcuser",
    "srcregion",      "machinename",
    "public_ip",      "public_ipv6",
    "private_ip",     "private_ipv6",
    "hostid",         "serialnumber",
    "client_ver",     "client_os",
    "client_os_ver",  "repeatcnt",
    "reason",         "error",
    "opaque",         "status",
    "location",       "login_duration",
    "connect_method", "error_code",
    "portal",         "seqno",
    "actionflags",    "high_res_timestamp",
    "selection_type", "response_time",
    "priority",       "attempted_gateways",
    "gateway",
};
static const char *const pan_system[] = {
    "vsys",   "eventid",  "object", "future_use3", "future_use4",
    "module", "severity", "opaque", "seqno",       "actionflags",
};
static const char *const pan_traffic[] = {
    "src",         "dst",      "natsrc",      "natdst",    "rule",      "srcuser",
    "dstuser",     "app",      "vsys",        "from",      "to",        "inbound_if",
    "outbound_if", "logset",   "future_use3", "sessionid", "repeatcnt", "sport",
    "dport",       "natsport", "natdport",    "flags",     "proto",     "action",
};

typedef struct pan {
    ks_str col[PAN_MAX_COLS];
    size_t n;
} pan;

static ks_str pan_col(const pan *c, size_t i)
{
    return i < c->n ? c->col[i] : (ks_str){"", 0};
}

/* Split CSV: quoted columns keep their text without the quotes ("" stays doubled). */
static void pan_split(ks_str t, pan *c)
{
    const char *p = t.p, *end = t.p + t.len;
    c->n = 0;
    while (c->n < PAN_MAX_COLS) {
        if (p < end && *p == '"') {
            const char *v = ++p;
            while (p < end && !(*p == '"' && (p + 1 == end || p[1] != '"'))) p += *p == '"' ? 2 : 1;
            if (p > end) p = end;
            c->col[c->n++] = (ks_str){v, (size_t)(p - v)};
            if (p < end) p++; /* the closing quote */
            while (p < end && *p != ',') p++;
        } else {
            const char *v = p;
            while (p < end && *p != ',') p++;
            c->col[c->n++] = (ks_str){v, (size_t)(p - v)};
        }
        if (p >= end) break;
        p++; /* the comma */
    }
}

static bool pan_looks(ks_str m)
{
    size_t i = 0;
    while (i < m.len && i < 12 && m.p[i] >= '0' && m.p[i] <= '9') i++;
    if (!i || i + 21 > m.len || m.p[i] != ',') return false;
    const char *d = m.p + i + 1;
    int x;
    if (!ks_digits(d, 4, &x) || (d[4] != '/' && d[4] != '-') || d[7] != d[4] ||
        (d[10] != ' ' && d[10] != 'T') || d[13] != ':' || d[16] != ':')
        return false;
    return true;
}

/* "YYYY/MM/DD hh:mm:ss" (local) or ISO 8601, to UTC; 0 if it does not read. */
static int64_t pan_time(ks_source *s, ks_str t)
{
    int64_t ns;
    bool zone;
    if (t.len >= 19 && t.p[4] == '-' && ks_time_parse_iso8601(t.p, t.len, &ns, &zone))
        return zone ? ns : ks_source_local_to_utc(s, ns);
    int y, mo, d, h, mi, sec;
    if (t.len != 19 || t.p[4] != '/' || t.p[7] != '/' || t.p[10] != ' ' || t.p[13] != ':' ||
        t.p[16] != ':' || !ks_digits(t.p, 4, &y) || !ks_digits(t.p + 5, 2, &mo) ||
        !ks_digits(t.p + 8, 2, &d) || !ks_digits(t.p + 11, 2, &h) || !ks_digits(t.p + 14, 2, &mi) ||
        !ks_digits(t.p + 17, 2, &sec))
        return 0;
    if (y < 1971 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return 0;
    int64_t days = ks_days_from_civil(y, (unsigned)mo, (unsigned)d);
    return ks_source_local_to_utc(s, (days * 86400 + h * 3600 + mi * 60 + sec) * 1000000000LL);
}

/* A usable client address: an address, and not 0.0.0.0 / :: */
static bool pan_addr_ok(ks_str t)
{
    return ks_syslog_is_ip(t) && !ks_str_eq(t, "0.0.0.0") && !ks_str_eq(t, "::");
}

static void pan_globalprotect(const pan *c, ks_semantic *sem)
{
    ks_str ev = pan_col(c, 8);
    sem->user = pan_col(c, 12);
    ks_str pub = pan_col(c, 15), pub6 = pan_col(c, 16);
    sem->src_ip = pan_addr_ok(pub) ? pub : pan_addr_ok(pub6) ? pub6 : (ks_str){"", 0};
    sem->src_host = pan_col(c, 14);
    sem->service = ks_str_of("globalprotect");
    ks_str status = pan_col(c, 28);
    sem->outcome = ks_str_eq(status, "success")   ? KS_OUTCOME_SUCCESS
                   : ks_str_eq(status, "failure") ? KS_OUTCOME_FAILURE
                                                  : KS_OUTCOME_UNKNOWN;
    if (sem->outcome == KS_OUTCOME_FAILURE) {
        ks_str err = pan_col(c, 26), reason = pan_col(c, 25);
        sem->status = err.len ? err : reason;
    }
    if (ks_str_eq(ev, "portal-auth") || ks_str_eq(ev, "gateway-auth"))
        sem->action = ks_str_of(KS_ACTION_VPN_LOGIN);
    else if (ks_str_eq(ev, "gateway-connected") || ks_str_eq(ev, "gateway-register") ||
             ks_str_eq(ev, "gateway-setup-ipsec") || ks_str_eq(ev, "gateway-setup-ssl"))
        sem->action = ks_str_of(KS_ACTION_TUNNEL_UP);
    else if (ks_str_eq(ev, "gateway-logout") || ks_str_eq(ev, "portal-logout"))
        sem->action = ks_str_of(KS_ACTION_VPN_LOGOUT);
}

static void pan_system_line(const pan *c, ks_semantic *sem)
{
    ks_str ev = pan_col(c, 8), d = pan_col(c, 14), sub = pan_col(c, 4);
    ks_str u = ks_str_after(d, "User name: ", ",");
    if (!u.len) u = ks_str_after(d, "for user '", "'");
    if (!u.len) u = ks_str_after(d, "User ", " ");
    sem->user = u;
    ks_str a = ks_str_after(d, "Login from: ", ",");
    if (!a.len) a = ks_str_after(d, "From: ", " ,");
    if (!a.len) a = ks_str_after(d, " from ", " ,");
    while (a.len && (a.p[a.len - 1] == '.')) a.len--;
    sem->src_ip = a;
    bool gp = ks_str_eq(sub, "globalprotect") || ks_str_has(ev, "globalprotect");
    if (gp) sem->service = ks_str_of("globalprotect");
    bool succ = ks_str_has(ev, "-succ") || ks_str_eq(ev, "auth-success");
    bool fail = ks_str_has(ev, "-fail");
    if (succ) sem->outcome = KS_OUTCOME_SUCCESS;
    if (fail) sem->outcome = KS_OUTCOME_FAILURE;
    if (gp && ks_str_has(ev, "auth-")) {
        sem->action = ks_str_of(KS_ACTION_VPN_LOGIN);
    } else if (gp && (ks_str_has(ev, "regist-") || ks_str_has(ev, "gateway-connect"))) {
        sem->action = ks_str_of(KS_ACTION_TUNNEL_UP);
    } else if (gp && ks_str_has(ev, "logout")) {
        sem->action = ks_str_of(KS_ACTION_VPN_LOGOUT);
    } else if (ks_str_eq(ev, "auth-success") || ks_str_eq(ev, "auth-fail")) {
        sem->action = ks_str_of(KS_ACTION_AUTH);
    } else if (ks_str_has(d, " logged in via ")) {
        sem->action = ks_str_of(KS_ACTION_ADMIN_LOGIN);
        sem->outcome = KS_OUTCOME_SUCCESS;
    } else if (ks_str_has(d, "failed authentication for user")) {
        sem->action = ks_str_of(KS_ACTION_AUTH);
        sem->outcome = KS_OUTCOME_FAILURE;
    }
    if (sem->outcome == KS_OUTCOME_FAILURE) {
        ks_str r = ks_str_after(d, "Reason: ", ",");
        while (r.len && r.p[r.len - 1] == '.') r.len--;
        sem->status = r;
    }
}

static void pan_traffic_line(const pan *c, ks_semantic *sem, bool traffic)
{
    sem->src_ip = pan_col(c, 7);
    sem->user = pan_col(c, 12);
    ks_str sid = pan_col(c, 22);
    if (sid.len && !ks_str_eq(sid, "0")) sem->session = sid;
    sem->service = pan_col(c, 14);
    if (!traffic) return;
    sem->action = ks_str_of(KS_ACTION_TRAFFIC);
    ks_str a = pan_col(c, 30);
    if (ks_str_eq(a, "allow"))
        sem->outcome = KS_OUTCOME_SUCCESS;
    else if (a.len)
        sem->outcome = KS_OUTCOME_FAILURE; /* deny, drop, reset-*, block-* */
}

static bool pan_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    if (!pan_looks(m->msg)) return false;
    pan *c = ks_source_alloc(s, sizeof *c);
    if (!c) return false;
    pan_split(m->msg, c);
    ks_str type = pan_col(c, 3);
    if (!type.len) return false;
    for (size_t i = 0; i < type.len; i++)
        if (!((type.p[i] >= 'A' && type.p[i] <= 'Z') || type.p[i] == '_')) return false;
    ev->provider = (ks_str){"paloalto", 8};
    ev->event_id = 0;
    int64_t t = pan_time(s, pan_col(c, 6));
    if (!t) t = pan_time(s, pan_col(c, 1));
    ev->time_ns = t;

    const char *const *names = NULL;
    size_t nnames = 0;
    bool gp = ks_str_eq(type, "GLOBALPROTECT"), sys = ks_str_eq(type, "SYSTEM");
    bool traffic = ks_str_eq(type, "TRAFFIC"), threat = ks_str_eq(type, "THREAT");
    if (gp) names = pan_gp, nnames = sizeof pan_gp / sizeof pan_gp[0];
    if (sys) names = pan_system, nnames = sizeof pan_system / sizeof pan_system[0];
    if (traffic || threat) names = pan_traffic, nnames = sizeof pan_traffic / sizeof pan_traffic[0];
    ks_field *f = ks_source_alloc(s, c->n * sizeof *f);
    if (!f) return false;
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->col[i].len) continue;
        ks_str name;
        if (i < 7) {
            name = ks_str_of(pan_common[i]);
        } else if (i - 7 < nnames) {
            name = ks_str_of(names[i - 7]);
        } else {
            char tmp[24];
            int l = snprintf(tmp, sizeof tmp, "field_%zu", i);
            name = ks_source_str(s, tmp, (size_t)(l > 0 ? l : 0));
        }
        f[k].name = name;
        f[k].value = ks_str_value(c->col[i]);
        k++;
    }
    ev->fields = f;
    ev->nfields = k;
    if (gp)
        pan_globalprotect(c, &ev->sem);
    else if (sys)
        pan_system_line(c, &ev->sem);
    else if (traffic || threat)
        pan_traffic_line(c, &ev->sem, traffic);
    if (sys || threat) {
        ks_str sev = sys ? pan_col(c, 13) : pan_col(c, 34);
        static const char *const lv[] = {"critical", "high", "medium", "low", "informational"};
        static const uint8_t lvv[] = {1, 2, 3, 4, 4};
        for (size_t i = 0; i < 5; i++)
            if (ks_str_eq(sev, lv[i])) ev->level = lvv[i];
    }
    return true;
}

const ks_syslog_vendor ks_syslog_paloalto = {"paloalto", pan_parse};
