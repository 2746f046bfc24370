/* SonicWall firewalls (SonicOS "id=firewall sn=... m=98 msg=...") and SMA / SRA SSL-VPN
 * appliances ("id=sslvpn sn=... m=1 msg=\"User login successful\""): key=value lines,
 * event_id = m=, the client = src= (IP:port:interface) or srcV6=. What happened is read
 * from msg= (the SonicOS 6.5 Log Events Reference wording, e.g. 29/30 administrator login
 * allowed/denied, 237/238/1080 remote user login allowed, 427 IPsec tunnel status). */
#include <stdbool.h>
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"
#include "util/str.h"

#define SW_MAX_PAIRS 96

static bool is_ipv4(ks_str w)
{
    if (w.len < 7 || w.len > 15) return false;
    int dots = 0;
    for (size_t i = 0; i < w.len; i++) {
        if (w.p[i] == '.')
            dots++;
        else if (w.p[i] < '0' || w.p[i] > '9')
            return false;
    }
    return dots == 3;
}

/* "192.168.0.62:54993:X0:pc048" -> "192.168.0.62"; IPv6 sources are in srcV6=. */
static ks_str address(ks_str v)
{
    const char *c = memchr(v.p, ':', v.len);
    ks_str a = {v.p, c ? (size_t)(c - v.p) : v.len};
    return is_ipv4(a) ? a : (ks_str){NULL, 0};
}

static uint32_t number(ks_str v)
{
    uint64_t n = 0;
    if (!v.len || v.len > 10) return 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9') return 0;
        n = n * 10 + (uint64_t)(v.p[i] - '0');
    }
    return n > UINT32_MAX ? 0 : (uint32_t)n;
}

/* time="2019-02-27 12:55:40 UTC" is exact; without " UTC" it is the device's local time,
 * used only when the syslog header had none. */
static void device_time(ks_source *s, const ks_syslog_msg *m, ks_str t, ks_event *ev)
{
    int64_t ns;
    bool utc = t.len > 4 && memcmp(t.p + t.len - 4, " UTC", 4) == 0;
    if (utc) t.len -= 4;
    if (!ks_time_parse_iso8601(t.p, t.len, &ns, NULL)) return;
    if (ns <= 0 || ns >= KS_SYSLOG_LATEST_NS) return; /* not a plausible log time */
    if (utc)
        ev->time_ns = ns;
    else if (!m->time_ns)
        ev->time_ns = ks_source_local_to_utc(s, ns);
}

typedef struct sw_what {
    const char *action;
    ks_outcome outcome;
} sw_what;

/* What msg= reports; vpn: the line is from an SSL-VPN appliance or session. */
static sw_what classify(ks_str msg, ks_str line, bool vpn)
{
    sw_what w = {NULL, KS_OUTCOME_UNKNOWN};
    const char *login = vpn ? KS_ACTION_VPN_LOGIN : KS_ACTION_AUTH;
    bool ok = ks_str_ci_has(msg, "allowed") || ks_str_ci_has(msg, "successful") ||
              ks_str_ci_has(msg, "succeeded") || ks_str_ci_has(msg, " success");
    bool bad = ks_str_ci_has(msg, "denied") || ks_str_ci_has(msg, "failed") ||
               ks_str_ci_has(msg, "failure") || ks_str_ci_has(msg, "bad credentials");
    ks_outcome o = bad ? KS_OUTCOME_FAILURE : ok ? KS_OUTCOME_SUCCESS : KS_OUTCOME_UNKNOWN;

    if (ks_str_ci_has(msg, "administrator login")) {
        /* 29 / 199 / 235 / 236 allowed; 30 / 35 / 200 denied */
        w.action = KS_ACTION_ADMIN_LOGIN, w.outcome = o;
    } else if (ks_str_ci_has(msg, "xauth")) {
        /* 139 "XAUTH Succeeded with VPN %s", 140 "XAUTH Failed with VPN %s" */
        w.action = KS_ACTION_VPN_LOGIN, w.outcome = o;
    } else if (ks_str_ci_has(msg, "remote user login")) {
        /* 237 VPN zone, 238 WAN zone, 1080 SSL VPN zone remote user login allowed */
        w.action = KS_ACTION_VPN_LOGIN, w.outcome = o;
    } else if (ks_str_ci_has(msg, "l2tp server")) {
        /* 311/312/344 authentication failure, 318/319 success, 336 deleting the tunnel */
        if (ks_str_ci_has(msg, "deleting the tunnel"))
            w.action = KS_ACTION_TUNNEL_DOWN;
        else if (ks_str_ci_has(msg, "authentication"))
            w.action = KS_ACTION_VPN_LOGIN, w.outcome = o;
    } else if (ks_str_ci_has(msg, "ipsec tunnel status changed")) {
        /* 427: the note says "Tunnel Up" or "Tunnel Down" */
        if (ks_str_ci_has(line, "tunnel up"))
            w.action = KS_ACTION_TUNNEL_UP;
        else if (ks_str_ci_has(line, "tunnel down"))
            w.action = KS_ACTION_TUNNEL_DOWN;
    } else if (ks_str_ci_has(msg, "ipsec authentication failed")) {
        /* 67: an IPsec peer failed to authenticate */
        w.action = KS_ACTION_VPN_LOGIN, w.outcome = KS_OUTCOME_FAILURE;
    } else if (ks_str_ci_has(msg, "netextender connected")) {
        w.action = KS_ACTION_TUNNEL_UP, w.outcome = KS_OUTCOME_SUCCESS;
    } else if (ks_str_ci_has(msg, "netextender disconnected")) {
        w.action = KS_ACTION_TUNNEL_DOWN;
    } else if (ks_str_ci_has(msg, "logged out") || ks_str_ci_has(msg, "user logout")) {
        /* 24 "User logged out - ...", SMA m=2 "User logged out" */
        if (vpn) w.action = KS_ACTION_VPN_LOGOUT;
    } else if (ks_str_ci_has(msg, "locked-out")) {
        /* 438 / 439 "Locked-out user logins allowed": not a logon */
    } else if (ks_str_ci_has(msg, "user login") || ks_str_ci_has(msg, "unknown user") ||
               ks_str_ci_has(msg, "login failure rate")) {
        /* 31 "User login from an internal zone allowed", 32/33 "User login denied due to
         * bad credentials", 243-246 / 745-757 RADIUS / LDAP denials, 329 lockout, SMA m=1
         * "User login successful" / "User login failed" */
        if (o != KS_OUTCOME_UNKNOWN) w.action = login, w.outcome = o;
    } else if (ks_str_ci_has(msg, "connection opened") || ks_str_ci_has(msg, "connection closed") ||
               ks_str_ci_has(msg, "web site hit")) {
        /* 98, 537, 97: traffic let through */
        w.action = KS_ACTION_TRAFFIC, w.outcome = KS_OUTCOME_SUCCESS;
    } else if (ks_str_ci_has(msg, "packet dropped") || ks_str_ci_has(msg, "connection dropped") ||
               ks_str_ci_has(msg, "access denied")) {
        /* 36, 37, 38, 173-175 dropped; 14 web site access denied */
        w.action = KS_ACTION_TRAFFIC, w.outcome = KS_OUTCOME_FAILURE;
    }
    return w;
}

static bool sonicwall_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    ks_str text = m->msg;
    long at = ks_syslog_welf_start(text);
    if (at < 0) {
        text = m->line;
        if ((at = ks_syslog_welf_start(text)) < 0) return false;
    }
    text.p += at, text.len -= (size_t)at;
    /* cheap checks before the pairs are split */
    if (!ks_str_has(text, " sn=")) return false;

    ks_field *kv = ks_source_alloc(s, SW_MAX_PAIRS * sizeof(ks_field));
    if (!kv) return false;
    size_t n = ks_syslog_kv(text, kv, SW_MAX_PAIRS);
    ks_str id = ks_syslog_kv_get(kv, n, "id"), sn = ks_syslog_kv_get(kv, n, "sn");
    ks_str fw = ks_syslog_kv_get(kv, n, "fw"), time = ks_syslog_kv_get(kv, n, "time");
    ks_str code = ks_syslog_kv_get(kv, n, "m"), msg = ks_syslog_kv_get(kv, n, "msg");
    if (!id.len || !sn.len || !(fw.len || time.len) || !(code.len || msg.len)) return false;

    ev->provider = ks_str_of(ks_syslog_sonicwall.name);
    ev->event_id = number(code);
    ev->fields = kv;
    ev->nfields = n;
    if (time.len) device_time(s, m, time, ev);

    ks_str user = ks_str_trim(ks_syslog_kv_get(kv, n, "usr"), " ");
    if (!user.len) user = ks_str_trim(ks_syslog_kv_get(kv, n, "user"), " ");
    if (ks_str_has_prefix(user, "Unknown ")) user.len = 0; /* "(SSO failed)" */
    ks_str domain = ks_syslog_kv_get(kv, n, "domain");
    if (domain.len && user.len > domain.len + 1 && user.p[user.len - domain.len - 1] == '@' &&
        memcmp(user.p + user.len - domain.len, domain.p, domain.len) == 0)
        user.len -= domain.len + 1; /* SMA: user="bob@LocalDomain" domain="LocalDomain" */
    ks_str src = address(ks_syslog_kv_get(kv, n, "src"));
    if (!src.len) src = ks_syslog_kv_get(kv, n, "srcV6");

    ks_str sess = ks_syslog_kv_get(kv, n, "sess");
    bool vpn = ks_str_eq(id, "sslvpn") || ks_str_ci_has(sess, "vpn") || ks_str_ci_has(msg, "vpn") ||
               ks_str_ci_has(msg, "netextender");
    sw_what w = classify(msg, text, vpn);

    ev->sem.user = user;
    ev->sem.domain = domain;
    ev->sem.src_ip = src;
    if (w.action) ev->sem.action = ks_str_of(w.action);
    ev->sem.outcome = w.outcome;
    return true;
}

const ks_syslog_vendor ks_syslog_sonicwall = {"sonicwall", sonicwall_parse};
