/* vpn_new_source: a VPN login that succeeded for an account from an address never
 * seen for that account earlier in the log (a stolen password used from the
 * attacker's own network). The first successes of an account (`learn` of them)
 * only teach its addresses; each account remembers at most VNS_ADDRS of them, the
 * least recently used forgotten first. One finding per new address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#define VNS_ADDRS 32

typedef struct vns_key {
    uint32_t logins; /* successes seen */
    uint32_t n;
    uint32_t addr[VNS_ADDRS];
    int64_t used[VNS_ADDRS];
} vns_key;

typedef struct vns {
    ks_keys *keys;
    uint32_t learn;
} vns;

static int vns_open(ks_det *d, void **state)
{
    vns *v = calloc(1, sizeof *v);
    if (!v) return -1;
    int64_t l = ks_det_param(d, "learn");
    v->learn = (uint32_t)(l < 1 ? 1 : l > 1000 ? 1000 : l);
    v->keys = ks_keys_new(sizeof(vns_key), 65536);
    if (!v->keys) {
        free(v);
        return -1;
    }
    *state = v;
    return 0;
}

/* Remember h for the account; true if it was known already. */
static bool vns_remember(vns_key *k, uint32_t h, int64_t t)
{
    uint32_t oldest = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        if (k->addr[i] == h) {
            if (t > k->used[i]) k->used[i] = t;
            return true;
        }
        if (k->used[i] < k->used[oldest]) oldest = i;
    }
    uint32_t at = k->n < VNS_ADDRS ? k->n++ : oldest;
    k->addr[at] = h;
    k->used[at] = t;
    return false;
}

static void vns_event(ks_det *d, void *state, const ks_event *ev)
{
    vns *v = state;
    const ks_semantic *s = &ev->sem;
    if (s->outcome != KS_OUTCOME_SUCCESS || !s->user.len || !s->src_ip.len ||
        !ks_str_eq(s->action, KS_ACTION_VPN_LOGIN))
        return;
    vns_key *k = ks_keys_get(v->keys, d, "v", ev->host, s->user, true);
    if (!k) return;
    bool known = vns_remember(k, ks_str_hash(s->src_ip), ev->time_ns);
    bool learning = k->logins < v->learn;
    k->logins++;
    if (known || learning) return;
    ks_finding *f = ks_finding_new(d, ev);
    if (!f) return;
    f->accounts = 0;
    ks_finding_add(f, d, ks_ref_of(d, ev, 0));
    char what[64];
    int w = snprintf(what, sizeof what, "%u", (unsigned)(k->n - 1));
    ks_finding_add_detail(f, (ks_str){what, w > 0 ? (size_t)w : 0});
    ks_finding_emit(d, f);
}

static void vns_end_file(ks_det *d, void *state)
{
    (void)d;
    ks_keys_sweep(((vns *)state)->keys, NULL, NULL);
}

static void vns_close(ks_det *d, void *state)
{
    (void)d;
    vns *v = state;
    ks_keys_free(&v->keys);
    free(v);
}

const ks_detector_def ks_detector_vpn_new_source = {
    .info =
        {
            .id = "vpn_new_source",
            .title = {"VPN login from a new address", "新しいアドレスからの VPN ログイン"},
            .explain =
                {
                    {"VPN login for {user} on {host} from {src}, an address not seen for this "
                     "account before; {detail} other address(es) known",
                     "{host} で {user} が {src} から VPN にログインしました。このアカウントでは"
                     "初めてのアドレスです (既知のアドレス {detail} 個)"},
                },
            .categories = {"vpn_new_source"},
            .attack = "T1133 T1078",
            .severity = KS_LEVEL_MEDIUM,
            .params =
                {
                    {"learn", 1,
                     "successes per account that only teach its addresses before new "
                     "ones are reported"},
                },
        },
    .open = vns_open,
    .event = vns_event,
    .end_file = vns_end_file,
    .close = vns_close,
};
