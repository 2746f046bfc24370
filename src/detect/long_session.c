/* long_session: a network or remote desktop logon (4624 type 3 or 10) whose logoff
 * (4634/4647 with the same TargetLogonId on the same host) comes `hours` or more
 * later, or not at all within the log, on a file or backup server (by the site
 * file's roles) or a host with at least `min_logons` such logons (a server: they
 * hold the data ransomware wants). An intruder's
 * session to a file server stays open while data is copied out or encrypted.
 * Sessions are kept by host and logon id (bounded: 65,536; finished ones are swept
 * as event time moves on); findings merge per host and kind within a day. Machine
 * accounts and the built-in service and anonymous accounts are left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "kensa/site.h"

enum { V_LONG, V_OPEN };

typedef struct ls_sess {
    ks_ref logon;
    bool done;
    char user[64];
    char src[48];
    char host[128];
} ls_sess;

typedef struct ls_host {
    uint64_t logons;
} ls_host;

typedef struct ls {
    ks_keys *sessions, *hosts;
    ks_group g;
    int64_t limit, now, swept;
    uint64_t min_logons;
} ls;

static int ls_open(ks_det *d, void **state)
{
    ls *s = calloc(1, sizeof *s);
    if (!s) return -1;
    int64_t h = ks_det_param(d, "hours");
    s->limit = (h < 1 ? 1 : h) * 60 * KS_MINUTE_NS;
    s->min_logons = (uint64_t)ks_det_param(d, "min_logons");
    s->now = s->swept = INT64_MIN;
    s->sessions = ks_keys_new(sizeof(ls_sess), 65536);
    s->hosts = ks_keys_new(sizeof(ls_host), 8192);
    if (!s->sessions || !s->hosts || ks_group_open(&s->g, 24 * 60 * KS_MINUTE_NS) != 0) {
        ks_keys_free(&s->sessions);
        ks_keys_free(&s->hosts);
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static bool ignored_user(ks_str u)
{
    return !u.len || u.p[u.len - 1] == '$' || ks_str_ieq(u, "ANONYMOUS LOGON") ||
           ks_str_ieq(u, "SYSTEM") || ks_str_ieq(u, "LOCAL SERVICE") ||
           ks_str_ieq(u, "NETWORK SERVICE") || ks_str_icontains(u, "DWM-") ||
           ks_str_icontains(u, "UMFD-");
}

/* A server: the site file says it is a file or backup server, or it had at least
 * min_logons network and RDP logons in the log. */
static bool is_server(ks_det *d, ls *s, ks_str host)
{
    const ks_site *site = ks_det_site(d);
    if (site) {
        char name[128];
        ks_str_copy(name, sizeof name, host);
        ks_site_role r = ks_site_role_of(site, name);
        if (r == KS_ROLE_FILE_SERVER || r == KS_ROLE_BACKUP_SERVER) return true;
    }
    ls_host *h = ks_keys_get(s->hosts, NULL, "h", host, (ks_str){"", 0}, false);
    return h && h->logons >= s->min_logons;
}

/* Report a session: variant V_LONG at its logoff (ev), V_OPEN at the end of the log
 * (ev NULL, host given). */
static void report(ks_det *d, ls *s, ls_sess *x, int variant, const ks_event *ev, ks_str host,
                   int64_t end)
{
    ks_event fake;
    if (!ev) {
        memset(&fake, 0, sizeof fake);
        fake.host = host;
        fake.time_ns = x->logon.t;
        fake.record_id = x->logon.record_id;
        ev = &fake;
    }
    bool fresh;
    ks_finding *f =
        ks_group_add(&s->g, d, variant == V_LONG ? "l" : "o", host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh) {
        f->variant = variant;
        f->user[0] = 0;
        f->src_ip[0] = 0;
        f->accounts = 0;
        ks_str_copy(f->src_ip, sizeof f->src_ip, (ks_str){x->src, strlen(x->src)});
    } else if (strcmp(f->src_ip, x->src)) {
        f->src_ip[0] = 0;
    }
    if (ev != &fake) ks_finding_add(f, d, x->logon);
    ks_finding_add_user(f, (ks_str){x->user, strlen(x->user)});
    char what[96];
    int64_t hours = (end - x->logon.t) / (60 * KS_MINUTE_NS);
    int w = snprintf(what, sizeof what, "%s %lldh", x->user, (long long)hours);
    ks_finding_add_detail(f, (ks_str){what, w > 0 ? (size_t)w : 0});
}

static bool sweep_done(void *ctx, void *state)
{
    (void)ctx;
    return ((ls_sess *)state)->done;
}

typedef struct end_ctx {
    ks_det *d;
    ls *s;
} end_ctx;

/* End of the log: report the sessions still open `hours` after their logon. */
static bool sweep_open(void *ctx, void *state)
{
    end_ctx *c = ctx;
    ls_sess *x = state;
    ks_str host = {x->host, strlen(x->host)};
    if (!x->done && c->s->now - x->logon.t >= c->s->limit && is_server(c->d, c->s, host))
        report(c->d, c->s, x, V_OPEN, NULL, host, c->s->now);
    return true;
}

static void ls_event(ks_det *d, void *state, const ks_event *ev)
{
    ls *s = state;
    uint32_t id = ev->event_id;
    if ((id != 4624 && id != 4634 && id != 4647) || !ks_event_is_security(ev)) return;
    const ks_semantic *sm = &ev->sem;
    if (!sm->session.len) return;
    if (ev->time_ns > s->now) s->now = ev->time_ns;
    if (s->swept == INT64_MIN)
        s->swept = s->now;
    else if (s->now - s->swept > 60 * KS_MINUTE_NS) {
        ks_keys_sweep(s->sessions, sweep_done, NULL);
        s->swept = s->now;
    }
    if (id == 4624) {
        if (sm->logon_type != 3 && sm->logon_type != 10) return;
        if (ignored_user(sm->user) || ks_addr_is_loopback(sm->src_ip)) return;
        ls_host *h = ks_keys_get(s->hosts, d, "h", ev->host, (ks_str){"", 0}, true);
        if (h) h->logons++;
        ls_sess *x = ks_keys_get(s->sessions, d, "s", ev->host, sm->session, true);
        if (!x) return;
        x->logon = ks_ref_of(d, ev, 0);
        x->done = false;
        ks_str_copy(x->user, sizeof x->user, sm->user);
        ks_str_copy(x->src, sizeof x->src, sm->src_ip);
        ks_str_copy(x->host, sizeof x->host, ev->host);
        return;
    }
    ls_sess *x = ks_keys_get(s->sessions, d, "s", ev->host, sm->session, false);
    if (!x || x->done) return;
    x->done = true;
    if (ev->time_ns - x->logon.t < s->limit || !is_server(d, s, ev->host)) return;
    report(d, s, x, V_LONG, ev, ev->host, ev->time_ns);
}

static void ls_end_file(ks_det *d, void *state)
{
    ls *s = state;
    end_ctx c = {d, s};
    ks_keys_sweep(s->sessions, sweep_open, &c);
    ks_group_flush(&s->g, d);
    ks_keys_sweep(s->hosts, NULL, NULL);
    s->now = s->swept = INT64_MIN;
}

static void ls_close(ks_det *d, void *state)
{
    (void)d;
    ls *s = state;
    ks_keys_free(&s->sessions);
    ks_keys_free(&s->hosts);
    ks_group_close(&s->g);
    free(s);
}

const ks_detector_def ks_detector_long_session = {
    .info =
        {
            .id = "long_session",
            .title = {"Long session on a server", "サーバーへの長時間のセッション"},
            .explain =
                {
                    {"Long session(s) on {host} (account, hours until logoff): {detail}",
                     "{host} への長時間のセッション (アカウント、ログオフまでの時間): {detail}"},
                    {"Session(s) on {host} still open when the log ended (account, hours so "
                     "far): {detail}",
                     "{host} へのセッションがログの終わりまで続いています (アカウント、経過時間): "
                     "{detail}"},
                },
            .categories = {"long_session"},
            .attack = "T1021 T1078",
            .severity = KS_LEVEL_LOW,
            .params =
                {
                    {"hours", 12, "a session this many hours long, or longer, is reported"},
                    {"min_logons", 20,
                     "network and RDP logons a host needs in the log to count as a server"},
                },
        },
    .open = ls_open,
    .event = ls_event,
    .end_file = ls_end_file,
    .close = ls_close,
};
