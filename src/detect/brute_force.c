/* brute_force: many failed logons for one account or from one source within a
 * window (4625 from the Security-Auditing provider only, VPN login failures), and
 * bursts of RDP connections or RDP password failures (RdpCoreTS 131 / 140).
 *
 * Each key (host + account, host + source) keeps its last `count` failures in time
 * order; when they fit in `window_s` a burst opens and collects every later failure
 * until a quiet gap longer than the window closes it: one finding per burst. A burst
 * per account whose failures all came from one source is left out, since that
 * source's own burst (the same events) already says it. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#define BF_USERS 64
#define BF_MAX_COUNT 256

enum { V_ACCOUNT, V_SOURCE, V_VPN_ACCOUNT, V_VPN_SOURCE, V_RDP_CONN, V_RDP_FAIL };
static const char *const KINDS[] = {"u", "s", "vu", "vs", "rc", "rf"};

typedef struct bf_key {
    ks_finding *open;
    int64_t last;
    uint32_t n, nusers;
    uint32_t src0; /* account keys: the source of the failures, while only one */
    bool mixed;    /* ... or they came from several sources, or none */
    uint32_t users[BF_USERS];
    ks_ref w[]; /* the last failures, time-ordered */
} bf_key;

typedef struct bf {
    ks_keys *keys;
    uint32_t cap;
    int64_t window, now, swept;
    uint32_t count, conn_count;
} bf;

static int bf_open(ks_det *d, void **state)
{
    bf *b = calloc(1, sizeof *b);
    if (!b) return -1;
    int64_t c = ks_det_param(d, "count"), cc = ks_det_param(d, "rdp_connections");
    b->count = (uint32_t)(c < 2 ? 2 : c > BF_MAX_COUNT ? BF_MAX_COUNT : c);
    b->conn_count = (uint32_t)(cc < 2 ? 2 : cc > BF_MAX_COUNT ? BF_MAX_COUNT : cc);
    b->cap = b->count > b->conn_count ? b->count : b->conn_count;
    b->window = ks_det_param(d, "window_s") * KS_SECOND_NS;
    b->now = b->swept = INT64_MIN;
    b->keys = ks_keys_new(sizeof(bf_key) + b->cap * sizeof(ks_ref), 65536);
    if (!b->keys) {
        free(b);
        return -1;
    }
    *state = b;
    return 0;
}

static void note_user(bf_key *k, uint32_t h)
{
    if (!h) return;
    for (uint32_t i = 0; i < k->nusers; i++)
        if (k->users[i] == h) return;
    if (k->nusers < BF_USERS) k->users[k->nusers++] = h;
}

static void finish(ks_det *d, bf_key *k)
{
    ks_finding *f = k->open;
    k->open = NULL;
    if (!f) return;
    bool account = f->variant == V_ACCOUNT || f->variant == V_VPN_ACCOUNT;
    if (account && !k->mixed) { /* one source: its burst says it */
        free(f);
        return;
    }
    if (!account && k->nusers) f->accounts = k->nusers;
    ks_finding_emit(d, f);
}

typedef struct sweep_ctx {
    ks_det *d;
    bf *b;
    bool all;
} sweep_ctx;

static bool expire(void *ctx, void *state)
{
    sweep_ctx *s = ctx;
    bf_key *k = state;
    if (!s->all && s->b->now - k->last <= s->b->window) return false;
    finish(s->d, k);
    return true;
}

static void failure(ks_det *d, bf *b, int variant, const ks_event *ev, ks_str key, uint32_t aux,
                    ks_str src)
{
    uint32_t threshold = variant == V_RDP_CONN ? b->conn_count : b->count;
    bf_key *k = ks_keys_get(b->keys, d, KINDS[variant], ev->host, key, true);
    if (!k) return;
    ks_ref r = ks_ref_of(d, ev, aux);
    uint32_t src_hash = ks_str_hash(src);
    if (k->open && (ev->time_ns - k->open->last_ns > b->window)) {
        finish(d, k);
        k->n = 0;
    }
    if (ev->time_ns > k->last || !k->last) k->last = ev->time_ns;
    bool account = variant == V_ACCOUNT || variant == V_VPN_ACCOUNT;
    if (account) {
        if (!k->n && !k->open) {
            k->src0 = src_hash;
            k->mixed = !src_hash;
        } else if (src_hash != k->src0) {
            k->mixed = true;
        }
    }
    if (k->open) {
        ks_finding_add(k->open, d, r);
        note_user(k, aux);
        if (!account) ks_finding_add_user(k->open, ev->sem.user);
        if (account && k->mixed) k->open->src_ip[0] = 0;
        return;
    }
    ks_window_add(k->w, &k->n, threshold, r, b->window);
    if (k->n < threshold) return;
    ks_finding *f = ks_finding_new(d, ev);
    if (!f) return;
    f->variant = variant;
    f->user[0] = 0;
    f->accounts = 0;
    ks_finding_add_user(f, ev->sem.user);
    if (account && k->mixed) f->src_ip[0] = 0;
    k->nusers = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        ks_finding_add(f, d, k->w[i]);
        note_user(k, k->w[i].aux);
    }
    if (variant == V_RDP_CONN) f->severity = KS_LEVEL_MEDIUM;
    k->open = f;
    k->n = 0;
}

static void bf_event(ks_det *d, void *state, const ks_event *ev)
{
    bf *b = state;
    const ks_semantic *s = &ev->sem;
    if (ev->time_ns > b->now) b->now = ev->time_ns;
    if (b->swept == INT64_MIN)
        b->swept = b->now;
    else if (b->now - b->swept > b->window && ks_keys_size(b->keys)) {
        sweep_ctx c = {d, b, false};
        ks_keys_sweep(b->keys, expire, &c);
        b->swept = b->now;
    }
    if (ev->event_id == 4625 && ks_event_is_security(ev)) {
        if (s->user.len) failure(d, b, V_ACCOUNT, ev, s->user, 0, s->src_ip);
        if (s->src_ip.len) failure(d, b, V_SOURCE, ev, s->src_ip, ks_str_hash(s->user), s->src_ip);
    } else if (ks_str_eq(s->action, KS_ACTION_VPN_LOGIN) && s->outcome == KS_OUTCOME_FAILURE) {
        if (s->user.len) failure(d, b, V_VPN_ACCOUNT, ev, s->user, 0, s->src_ip);
        if (s->src_ip.len)
            failure(d, b, V_VPN_SOURCE, ev, s->src_ip, ks_str_hash(s->user), s->src_ip);
    } else if ((ev->event_id == 131 || ev->event_id == 140) && s->src_ip.len &&
               ks_str_eq(ev->provider, "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS")) {
        failure(d, b, ev->event_id == 131 ? V_RDP_CONN : V_RDP_FAIL, ev, s->src_ip, 0, s->src_ip);
    }
}

static void bf_end_file(ks_det *d, void *state)
{
    bf *b = state;
    sweep_ctx c = {d, b, true};
    ks_keys_sweep(b->keys, expire, &c);
    b->now = b->swept = INT64_MIN;
}

static void bf_close(ks_det *d, void *state)
{
    bf *b = state;
    ks_keys_free(&b->keys);
    free(b);
}

const ks_detector_def ks_detector_brute_force = {
    .info =
        {
            .id = "brute_force",
            .title = {"Password guessing (brute force)", "パスワードの総当たり (ブルートフォース)"},
            .explain =
                {
                    {"{count} failed logons for account {user} on {host} within {minutes} min",
                     "{host} でアカウント {user} のログオン失敗が {minutes} 分間に {count} 回"},
                    {"{count} failed logons from {src} on {host} within {minutes} min "
                     "({accounts} accounts: {user})",
                     "{src} から {host} へのログオン失敗が {minutes} 分間に {count} 回 (アカウント "
                     "{accounts} 個: {user})"},
                    {"{count} failed VPN logins for account {user} on {host} within {minutes} min",
                     "{host} で VPN アカウント {user} のログイン失敗が {minutes} 分間に {count} "
                     "回"},
                    {"{count} failed VPN logins from {src} on {host} within {minutes} min "
                     "({accounts} accounts: {user})",
                     "{src} から {host} への VPN ログイン失敗が {minutes} 分間に {count} 回 "
                     "(アカウント {accounts} 個: {user})"},
                    {"{count} RDP connections from {src} to {host} within {minutes} min",
                     "{src} から {host} への RDP 接続が {minutes} 分間に {count} 回"},
                    {"{count} RDP logons from {src} to {host} failed (wrong user name or password) "
                     "within {minutes} min",
                     "{src} から {host} への RDP ログオンが {minutes} 分間に {count} 回失敗 "
                     "(ユーザー名またはパスワードの誤り)"},
                },
            .categories = {"brute_force"},
            .attack = "T1110 T1110.001",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"count", 8, "failures that make a burst"},
                    {"window_s", 240,
                     "seconds the failures must fit in; a longer quiet gap "
                     "ends the burst"},
                    {"rdp_connections", 10, "RDP connections (RdpCoreTS 131) that make a burst"},
                },
        },
    .open = bf_open,
    .event = bf_event,
    .end_file = bf_end_file,
    .close = bf_close,
};
