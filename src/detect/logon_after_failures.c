/* logon_after_failures: a successful logon (4624, VPN login success) from a source
 * or for an account that was just brute-forced: the moment the door opened.
 *
 * Failures are counted per host + source and host + account as brute_force counts
 * them (`count` within `window_s`); a burst is remembered, with its first events as
 * evidence, until `after_s` after its last failure. A success for a key with a
 * remembered burst is the finding: the burst's failures and the logon itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#define LAF_MAX_COUNT 64
#define LAF_REFS (KS_FINDING_EVIDENCE - 1)

typedef struct laf_key {
    int64_t last;
    int64_t burst_first, burst_last; /* burst_last 0: no burst */
    uint64_t burst_count;
    uint32_t n, nrefs;
    ks_ref refs[LAF_REFS]; /* the burst's first failures */
    ks_ref w[];            /* the last failures, time-ordered */
} laf_key;

typedef struct laf {
    ks_keys *keys;
    uint32_t count;
    int64_t window, after, now, swept;
} laf;

static int laf_open(ks_det *d, void **state)
{
    laf *l = calloc(1, sizeof *l);
    if (!l) return -1;
    int64_t c = ks_det_param(d, "count");
    l->count = (uint32_t)(c < 2 ? 2 : c > LAF_MAX_COUNT ? LAF_MAX_COUNT : c);
    l->window = ks_det_param(d, "window_s") * KS_SECOND_NS;
    l->after = ks_det_param(d, "after_s") * KS_SECOND_NS;
    l->swept = INT64_MIN;
    l->keys = ks_keys_new(sizeof(laf_key) + l->count * sizeof(ks_ref), 32768);
    if (!l->keys) {
        free(l);
        return -1;
    }
    *state = l;
    return 0;
}

static bool expire(void *ctx, void *state)
{
    laf *l = ctx;
    laf_key *k = state;
    int64_t keep = k->burst_last ? l->after : l->window;
    return l->now - k->last > keep;
}

static void failure(ks_det *d, laf *l, const char *kind, const ks_event *ev, ks_str key)
{
    laf_key *k = ks_keys_get(l->keys, d, kind, ev->host, key, true);
    if (!k) return;
    ks_ref r = ks_ref_of(d, ev, 0);
    if (ev->time_ns > k->last) k->last = ev->time_ns;
    if (k->burst_last && ev->time_ns - k->burst_last <= l->window) { /* the burst goes on */
        k->burst_count++;
        if (ev->time_ns > k->burst_last) k->burst_last = ev->time_ns;
        if (k->nrefs < LAF_REFS) k->refs[k->nrefs++] = r;
        return;
    }
    ks_window_add(k->w, &k->n, l->count, r, l->window);
    if (k->n < l->count) return;
    k->burst_first = k->w[0].t;
    k->burst_last = k->w[k->n - 1].t;
    k->burst_count = k->n;
    k->nrefs = 0;
    for (uint32_t i = 0; i < k->n && k->nrefs < LAF_REFS; i++) k->refs[k->nrefs++] = k->w[i];
    k->n = 0;
}

static laf_key *burst_of(laf *l, const char *kind, ks_str host, ks_str key, int64_t t)
{
    if (!key.len) return NULL;
    laf_key *k = ks_keys_get(l->keys, NULL, kind, host, key, false);
    if (!k || !k->burst_last) return NULL;
    if (t < k->burst_first || t - k->burst_last > l->after) return NULL;
    return k;
}

static void success(ks_det *d, laf *l, int vpn, const ks_event *ev)
{
    const ks_semantic *s = &ev->sem;
    laf_key *ks = burst_of(l, vpn ? "vs" : "s", ev->host, s->src_ip, ev->time_ns);
    laf_key *ku = burst_of(l, vpn ? "vu" : "u", ev->host, s->user, ev->time_ns);
    laf_key *k = ks ? ks : ku;
    if (!k) return;
    ks_finding *f = ks_finding_new(d, ev);
    if (!f) return;
    f->variant = vpn;
    for (uint32_t i = 0; i < k->nrefs; i++) ks_finding_add(f, d, k->refs[i]);
    f->count = k->burst_count;
    ks_finding_add(f, d, ks_ref_of(d, ev, 0));
    snprintf(f->detail, sizeof f->detail, "%llu", (unsigned long long)k->burst_count);
    if (s->src_ip.len && !ks_addr_is_internal(s->src_ip)) f->severity = KS_LEVEL_CRITICAL;
    /* one finding per opening: both bursts are spent */
    if (ks) ks->burst_last = 0, ks->n = 0;
    if (ku) ku->burst_last = 0, ku->n = 0;
    ks_finding_emit(d, f);
}

static void laf_event(ks_det *d, void *state, const ks_event *ev)
{
    laf *l = state;
    const ks_semantic *s = &ev->sem;
    int kind; /* 1 failure, 2 success; +2 for VPN */
    if (ks_event_is_security(ev) && ev->event_id == 4625)
        kind = 1;
    else if (ks_event_is_security(ev) && ev->event_id == 4624)
        kind = s->logon_type == 0 || s->logon_type == 4 || s->logon_type == 5 ? 0 : 2;
    else if (ks_str_eq(s->action, KS_ACTION_VPN_LOGIN) && s->outcome != KS_OUTCOME_UNKNOWN)
        kind = s->outcome == KS_OUTCOME_FAILURE ? 3 : 4;
    else
        kind = 0;
    if (!kind) return;
    if (ev->time_ns > l->now || l->swept == INT64_MIN) l->now = ev->time_ns;
    if (l->swept == INT64_MIN) {
        l->swept = l->now;
    } else if (l->now - l->swept > l->window) {
        ks_keys_sweep(l->keys, expire, l);
        l->swept = l->now;
    }
    bool vpn = kind > 2;
    if (kind == 1 || kind == 3) {
        if (s->src_ip.len) failure(d, l, vpn ? "vs" : "s", ev, s->src_ip);
        if (s->user.len) failure(d, l, vpn ? "vu" : "u", ev, s->user);
    } else {
        success(d, l, vpn, ev);
    }
}

static void laf_end_file(ks_det *d, void *state)
{
    laf *l = state;
    ks_keys_sweep(l->keys, NULL, NULL);
    l->swept = INT64_MIN;
}

static void laf_close(ks_det *d, void *state)
{
    laf *l = state;
    ks_keys_free(&l->keys);
    free(l);
}

const ks_detector_def ks_detector_logon_after_failures = {
    .info =
        {
            .id = "logon_after_failures",
            .title = {"Logon right after failed attempts", "失敗の連続の直後のログオン"},
            .explain =
                {
                    {"{user} logged on to {host} from {src} right after {detail} failed logons",
                     "{detail} 回のログオン失敗の直後に {user} が {src} から {host} にログオン"},
                    {"{user} logged in to the VPN on {host} from {src} right after {detail} failed "
                     "logins",
                     "{detail} 回のログイン失敗の直後に {user} が {src} から {host} の VPN "
                     "にログイン"},
                },
            .categories = {"logon_after_failures", "brute_force"},
            .attack = "T1110 T1078",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"count", 8, "failures that make a burst (as brute_force.count)"},
                    {"window_s", 240, "seconds the failures must fit in"},
                    {"after_s", 3600, "seconds after the last failure a logon still counts"},
                },
        },
    .open = laf_open,
    .event = laf_event,
    .end_file = laf_end_file,
    .close = laf_close,
};
