/* FortiGate (FortiOS 3 to 7) key=value syslog: SSL-VPN and IPsec logins and tunnels,
 * admin logins, firewall authentication, traffic. Fields are all the line's pairs.
 *
 * event_id is the message id: the last five digits of logid (0100032002 -> 32002, "Admin
 * login failed"), as FortiOS's log reference numbers its messages; the whole logid
 * stays in the "logid" field. host is devname. Time: date= time= with tz= as written;
 * without tz=, eventtime= (UTC); else date= time= in the zone assumed for the file.
 * src_ip is the remote client: remip= for VPN lines, else srcip= (src= in FortiOS 3/4),
 * else the address in ui="https(1.2.3.4)". user: for VPN lines the XAUTH / EAP user
 * before user= (which IPsec lines fill with the peer address). session: tunnelid= for
 * VPN lines, else sessionid=. An SSL-VPN "tunnel-up" is the login (FortiOS writes no
 * other success line), "tunnel-down" the logout; IPsec tunnel-up/down are tunnel events
 * and an XAUTH phase-1 result is a VPN login. */
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"
#include "util/str.h"

#define FGT_MAX_PAIRS 256

typedef struct fgt {
    const ks_field *kv;
    size_t n;
} fgt;

static ks_str fgt_get(const fgt *f, const char *key)
{
    return ks_syslog_kv_get(f->kv, f->n, key);
}

/* A usable value: present and not a placeholder. */
static bool fgt_ok(ks_str s)
{
    return s.len && !ks_str_eq(s, "N/A") && !ks_str_eq(s, "n/a") && !ks_str_eq(s, "(null)");
}

static ks_str fgt_first(const fgt *f, const char *const *keys, size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++) {
        ks_str v = fgt_get(f, keys[i]);
        if (fgt_ok(v)) return v;
    }
    return (ks_str){"", 0};
}

/* "-0700", "+09:00", "+0900" -> seconds east of UTC. */
static bool fgt_tz(ks_str tz, int *off)
{
    const char *p = tz.p;
    size_t n = tz.len;
    int hh, mm;
    if (n < 5 || (p[0] != '+' && p[0] != '-') || !ks_digits(p + 1, 2, &hh)) return false;
    size_t m = p[3] == ':' ? 4 : 3;
    if (n != m + 2 || !ks_digits(p + m, 2, &mm) || hh > 14 || mm > 59) return false;
    *off = (hh * 3600 + mm * 60) * (p[0] == '-' ? -1 : 1);
    return true;
}

/* The line's own time in UTC, 0 if it has none that reads. */
static int64_t fgt_time(ks_source *s, const fgt *f)
{
    ks_str d = fgt_get(f, "date"), t = fgt_get(f, "time");
    int y, mo, da, hh, mi, ss, off;
    bool have = d.len == 10 && t.len == 8 && ks_digits(d.p, 4, &y) && ks_digits(d.p + 5, 2, &mo) &&
                ks_digits(d.p + 8, 2, &da) && t.p[2] == ':' && t.p[5] == ':' &&
                ks_digits(t.p, 2, &hh) && ks_digits(t.p + 3, 2, &mi) &&
                ks_digits(t.p + 6, 2, &ss) && y >= 1971 && y < 2262 && mo >= 1 && mo <= 12 &&
                da >= 1 && da <= 31 && hh < 24 && mi < 60 && ss <= 60;
    int64_t local = 0;
    if (have)
        local = ((ks_days_from_civil(y, (unsigned)mo, (unsigned)da) * 86400 + hh * 3600 + mi * 60 +
                  ss) *
                 1000000000LL);
    if (have && fgt_tz(fgt_get(f, "tz"), &off)) return local - (int64_t)off * 1000000000LL;
    /* eventtime: seconds, micro- or nanoseconds since 1970, by its size */
    ks_str et = fgt_get(f, "eventtime");
    if (et.len >= 9 && et.len <= 19) {
        int64_t v = 0;
        size_t i = 0;
        for (; i < et.len && et.p[i] >= '0' && et.p[i] <= '9'; i++) v = v * 10 + (et.p[i] - '0');
        if (i == et.len) {
            if (et.len <= 10) return v * 1000000000LL;
            if (et.len <= 13) return v * 1000000LL;
            if (et.len <= 16) return v * 1000LL;
            return v;
        }
    }
    return have ? ks_source_local_to_utc(s, local) : 0;
}

/* "https(1.2.3.4)" -> service "https", address "1.2.3.4". */
static void fgt_ui(ks_str ui, ks_str *svc, ks_str *addr)
{
    const char *lp = ui.len ? memchr(ui.p, '(', ui.len) : NULL;
    if (!lp || ui.p[ui.len - 1] != ')') return;
    size_t a = (size_t)(lp - ui.p);
    *svc = (ks_str){ui.p, a};
    *addr = (ks_str){lp + 1, ui.len - a - 2};
}

static ks_outcome fgt_outcome(ks_str st)
{
    if (ks_str_eq(st, "success") || ks_str_eq(st, "succeeded") || ks_str_eq(st, "successful"))
        return KS_OUTCOME_SUCCESS;
    if (ks_str_eq(st, "failed") || ks_str_eq(st, "failure") || ks_str_eq(st, "fail") ||
        ks_str_has_prefix(st, "negotiate_error"))
        return KS_OUTCOME_FAILURE;
    return KS_OUTCOME_UNKNOWN;
}

static void fgt_vpn(const fgt *f, ks_event *ev)
{
    ks_semantic *sem = &ev->sem;
    ks_str action = fgt_get(f, "action"), tt = fgt_get(f, "tunneltype");
    ks_str result = fgt_get(f, "result"), status = fgt_get(f, "status");
    bool ssl = ks_str_has_prefix(tt, "ssl") || ks_str_has_prefix(action, "ssl-");
    ks_str remip = fgt_get(f, "remip");
    static const char *const ukeys[] = {"xauthuser", "eapuser"};
    sem->user = fgt_first(f, ukeys, 2);
    ks_str u = fgt_get(f, "user");
    if (!sem->user.len && fgt_ok(u) && !ks_str_eq(u, "N/A") &&
        !(remip.len && u.len == remip.len && !memcmp(u.p, remip.p, u.len)))
        sem->user = u;
    sem->src_ip = remip;
    ks_str tid = fgt_get(f, "tunnelid");
    if (tid.len && !ks_str_eq(tid, "0")) sem->session = tid;
    sem->service = tt.len ? tt : ssl ? (ks_str){"ssl-vpn", 7} : (ks_str){"ipsec", 5};
    ks_str reason = fgt_get(f, "reason");
    if (fgt_ok(reason)) sem->status = reason;
    sem->outcome = fgt_outcome(status);
    if (ks_str_eq(action, "ssl-login-fail")) {
        sem->action = ks_str_of(KS_ACTION_VPN_LOGIN);
        sem->outcome = KS_OUTCOME_FAILURE;
    } else if (ks_str_eq(action, "tunnel-up") || ks_str_eq(action, "phase2-up") ||
               ks_str_eq(action, "install_sa")) {
        const char *a = ssl ? KS_ACTION_VPN_LOGIN : KS_ACTION_TUNNEL_UP;
        sem->action = ks_str_of(a);
        if (!sem->outcome) sem->outcome = KS_OUTCOME_SUCCESS;
    } else if (ks_str_eq(action, "tunnel-down") || ks_str_eq(action, "phase2-down") ||
               ks_str_eq(action, "delete_phase1_sa") || ks_str_eq(action, "dpd")) {
        const char *a = ssl ? KS_ACTION_VPN_LOGOUT : KS_ACTION_TUNNEL_DOWN;
        sem->action = ks_str_of(a);
        if (ks_str_eq(action, "dpd")) {
            sem->outcome = KS_OUTCOME_FAILURE;
            if (!sem->status.len) sem->status = status;
        }
    } else if (ks_str_eq(action, "negotiate")) {
        if (ks_str_has(result, "XAUTH") || ks_str_has(result, "EAP")) {
            sem->action = ks_str_of(KS_ACTION_VPN_LOGIN);
            sem->outcome = ks_str_has(result, "success") ? KS_OUTCOME_SUCCESS
                           : ks_str_has(result, "fail")  ? KS_OUTCOME_FAILURE
                                                         : sem->outcome;
        } else {
            sem->action = ks_str_of(KS_ACTION_TUNNEL_UP);
        }
        if (sem->outcome == KS_OUTCOME_FAILURE && !sem->status.len && fgt_ok(result))
            sem->status = result;
    }
}

static void fgt_other(const fgt *f, ks_event *ev)
{
    ks_semantic *sem = &ev->sem;
    ks_str type = fgt_get(f, "type"), sub = fgt_get(f, "subtype");
    ks_str action = fgt_get(f, "action"), status = fgt_get(f, "status");
    static const char *const ukeys[] = {"user", "unauthuser"};
    sem->user = fgt_first(f, ukeys, 2);
    static const char *const ipkeys[] = {"srcip", "src"};
    sem->src_ip = fgt_first(f, ipkeys, 2);
    ks_str svc = {"", 0}, uiaddr = {"", 0};
    fgt_ui(fgt_get(f, "ui"), &svc, &uiaddr);
    if (!sem->src_ip.len) sem->src_ip = uiaddr;
    ks_str srcname = fgt_get(f, "srcname");
    if (fgt_ok(srcname)) sem->src_host = srcname;
    ks_str sid = fgt_get(f, "sessionid");
    if (sid.len && !ks_str_eq(sid, "0")) sem->session = sid;
    ks_str method = fgt_get(f, "method");
    ks_str service = fgt_get(f, "service");
    sem->service = method.len ? method : svc.len ? svc : service;
    sem->outcome = fgt_outcome(status);
    ks_str reason = fgt_get(f, "reason");
    if (sem->outcome == KS_OUTCOME_FAILURE && fgt_ok(reason)) sem->status = reason;

    if (ks_str_eq(type, "event") && ks_str_eq(sub, "system") && ks_str_eq(action, "login")) {
        sem->action = ks_str_of(KS_ACTION_ADMIN_LOGIN);
    } else if (ks_str_eq(type, "event") && ks_str_eq(sub, "user") &&
               (ks_str_eq(action, "authentication") ||
                ks_str_has(fgt_get(f, "logdesc"), "uthentication"))) {
        sem->action = ks_str_of(KS_ACTION_AUTH);
    } else if (ks_str_eq(type, "traffic")) {
        sem->action = ks_str_of(KS_ACTION_TRAFFIC);
        ks_str verdict = action.len ? action : status; /* FortiOS 3/4: status=deny|accept */
        if (ks_str_eq(verdict, "deny") || ks_str_eq(verdict, "drop") ||
            ks_str_eq(verdict, "block") || ks_str_eq(verdict, "blocked"))
            sem->outcome = KS_OUTCOME_FAILURE;
        else if (verdict.len)
            sem->outcome = KS_OUTCOME_SUCCESS;
    }
}

static bool fgt_parse(ks_source *s, const ks_syslog_msg *m, ks_event *ev)
{
    ks_str msg = m->msg;
    if (msg.len < 16) return false;
    bool logid = ks_str_has(msg, "logid=") || ks_str_has(msg, "log_id=");
    if (!logid) return false;
    ks_field kv[FGT_MAX_PAIRS];
    size_t n = ks_syslog_kv(msg, kv, FGT_MAX_PAIRS);
    fgt f = {kv, n};
    ks_str id = fgt_get(&f, "logid");
    if (!id.len) id = fgt_get(&f, "log_id");
    if (!id.len || !(fgt_get(&f, "type").len || fgt_get(&f, "devname").len)) return false;
    ks_field *fields = ks_source_alloc(s, n * sizeof *fields);
    if (!fields) return false;
    memcpy(fields, kv, n * sizeof *fields);
    f.kv = fields;
    ev->fields = fields;
    ev->nfields = n;
    ev->provider = (ks_str){"fortigate", 9};
    /* the message id: the last five digits of the logid */
    uint32_t eid = 0;
    bool digits = true;
    for (size_t i = 0; i < id.len; i++) digits &= id.p[i] >= '0' && id.p[i] <= '9';
    if (digits)
        for (size_t i = id.len > 5 ? id.len - 5 : 0; i < id.len; i++)
            eid = eid * 10 + (uint32_t)(id.p[i] - '0');
    ev->event_id = eid;
    ks_str dev = fgt_get(&f, "devname");
    if (fgt_ok(dev)) ev->host = dev;
    ev->time_ns = fgt_time(s, &f);
    ks_str level = fgt_get(&f, "level");
    if (!level.len) level = fgt_get(&f, "pri");
    static const char *const lv[] = {"emergency", "alert",  "critical",   "error",
                                     "warning",   "notice", "information"};
    static const uint8_t lvv[] = {1, 1, 1, 2, 3, 4, 4};
    for (size_t i = 0; i < sizeof lv / sizeof lv[0]; i++)
        if (ks_str_eq(level, lv[i])) ev->level = lvv[i];
    if (ks_str_eq(fgt_get(&f, "subtype"), "vpn"))
        fgt_vpn(&f, ev);
    else
        fgt_other(&f, ev);
    return true;
}

const ks_syslog_vendor ks_syslog_fortigate = {"fortigate", fgt_parse};
