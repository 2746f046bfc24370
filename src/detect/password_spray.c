/* password_spray: one source failing against many different accounts in a short
 * time (4625, Kerberos pre-authentication 4771, NTLM validation 4776 with a failure
 * status, VPN login failures): a few common passwords tried on every account.
 *
 * Per host and source, the failures of the last window are kept (up to a bound)
 * with a hash of their account; when `accounts` different accounts appear, a
 * finding opens and grows until the source stays quiet for a window. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#define PS_CAP 64
#define PS_USERS 128

typedef struct ps_key {
    ks_finding *open;
    int64_t last;
    uint32_t n, nusers;
    ks_ref w[PS_CAP];
    uint32_t users[PS_USERS];
} ps_key;

typedef struct ps {
    ks_keys *keys;
    int64_t window, now, swept;
    uint32_t accounts;
} ps;

static int ps_open(ks_det *d, void **state)
{
    ps *p = calloc(1, sizeof *p);
    if (!p) return -1;
    int64_t a = ks_det_param(d, "accounts");
    p->accounts = (uint32_t)(a < 2 ? 2 : a > PS_CAP ? PS_CAP : a);
    p->window = ks_det_param(d, "window_s") * KS_SECOND_NS;
    p->swept = INT64_MIN;
    p->keys = ks_keys_new(sizeof(ps_key), 8192);
    if (!p->keys) {
        free(p);
        return -1;
    }
    *state = p;
    return 0;
}

static void note_user(ps_key *k, uint32_t h)
{
    if (!h) return;
    for (uint32_t i = 0; i < k->nusers; i++)
        if (k->users[i] == h) return;
    if (k->nusers < PS_USERS) k->users[k->nusers++] = h;
}

static uint32_t distinct(const ps_key *k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        uint32_t j = 0;
        while (j < i && k->w[j].aux != k->w[i].aux) j++;
        n += j == i && k->w[i].aux;
    }
    return n;
}

static void finish(ks_det *d, ps_key *k)
{
    if (!k->open) return;
    k->open->accounts = k->nusers;
    ks_finding_emit(d, k->open);
    k->open = NULL;
}

typedef struct sweep_ctx {
    ks_det *d;
    ps *p;
    bool all;
} sweep_ctx;

static bool expire(void *ctx, void *state)
{
    sweep_ctx *s = ctx;
    ps_key *k = state;
    if (!s->all && s->p->now - k->last <= s->p->window) return false;
    finish(s->d, k);
    return true;
}

static void ps_event(ks_det *d, void *state, const ks_event *ev)
{
    ps *p = state;
    const ks_semantic *s = &ev->sem;
    ks_str src = s->src_ip;
    int vpn = 0;
    if (ks_event_is_security(ev) && ev->event_id == 4625) {
    } else if (ks_event_is_security(ev) && (ev->event_id == 4771 || ev->event_id == 4776) &&
               s->outcome == KS_OUTCOME_FAILURE) {
        if (!src.len) src = s->src_host;
    } else if (ks_str_eq(s->action, KS_ACTION_VPN_LOGIN) && s->outcome == KS_OUTCOME_FAILURE) {
        vpn = 1;
    } else {
        return;
    }
    if (!src.len || !s->user.len) return;
    if (ev->time_ns > p->now || p->swept == INT64_MIN) p->now = ev->time_ns;
    if (p->swept == INT64_MIN) {
        p->swept = p->now;
    } else if (p->now - p->swept > p->window) {
        sweep_ctx c = {d, p, false};
        ks_keys_sweep(p->keys, expire, &c);
        p->swept = p->now;
    }
    ps_key *k = ks_keys_get(p->keys, d, vpn ? "v" : "w", ev->host, src, true);
    if (!k) return;
    uint32_t h = ks_str_hash(s->user);
    ks_ref r = ks_ref_of(d, ev, h);
    if (k->open && ev->time_ns - k->open->last_ns > p->window) {
        finish(d, k);
        k->n = 0;
    }
    if (ev->time_ns > k->last) k->last = ev->time_ns;
    if (k->open) {
        ks_finding_add(k->open, d, r);
        ks_finding_add_user(k->open, s->user);
        note_user(k, h);
        return;
    }
    ks_window_add(k->w, &k->n, PS_CAP, r, p->window);
    if (distinct(k) < p->accounts) return;
    ks_finding *f = ks_finding_new(d, ev);
    if (!f) return;
    ks_str_copy(f->src_ip, sizeof f->src_ip, src);
    f->variant = vpn;
    k->nusers = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        ks_finding_add(f, d, k->w[i]);
        note_user(k, k->w[i].aux);
    }
    k->open = f;
    k->n = 0;
}

static void ps_end_file(ks_det *d, void *state)
{
    ps *p = state;
    sweep_ctx c = {d, p, true};
    ks_keys_sweep(p->keys, expire, &c);
    p->swept = INT64_MIN;
}

static void ps_close(ks_det *d, void *state)
{
    ps *p = state;
    ks_keys_free(&p->keys);
    free(p);
}

const ks_detector_def ks_detector_password_spray = {
    .info =
        {
            .id = "password_spray",
            .title = {"Password spraying", "パスワードスプレー"},
            .explain =
                {
                    {"{src} failed to log on to {host} as {accounts} different accounts ({count} "
                     "failures in {minutes} min; {user})",
                     "{src} から {host} へ {accounts} 個の異なるアカウントでログオンが失敗 "
                     "({minutes} "
                     "分間に {count} 回; {user})"},
                    {"{src} failed VPN logins on {host} as {accounts} different accounts ({count} "
                     "failures in {minutes} min; {user})",
                     "{src} から {host} へ {accounts} 個の異なるアカウントで VPN ログインが失敗 "
                     "({minutes} 分間に {count} 回; {user})"},
                },
            .categories = {"password_spray"},
            .attack = "T1110.003",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"accounts", 5, "different accounts one source fails on"},
                    {"window_s", 600, "seconds those failures must fit in"},
                },
        },
    .open = ps_open,
    .event = ps_event,
    .end_file = ps_end_file,
    .close = ps_close,
};
