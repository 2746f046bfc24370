/* vpn_foreign: a VPN login that succeeded from an address outside the home country
 * (the site file's home_country; "JP" by default). The country is the event's own
 * (a VPN that logs it) or looked up in the GeoIP country database (geoip.c), opened
 * at the first VPN success; without a database the detector says so in one line on
 * stderr and stays off. Internal addresses are never foreign. Logins of one account
 * closer than `merge_s` are one finding, listing country and address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

typedef struct vf {
    ks_group g;
    ks_geoip *geo;
    bool tried, off;
} vf;

static int vf_open(ks_det *d, void **state)
{
    vf *v = calloc(1, sizeof *v);
    if (!v || ks_group_open(&v->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(v);
        return -1;
    }
    *state = v;
    return 0;
}

static bool vf_country(ks_det *d, vf *v, const ks_event *ev, char cc[3])
{
    ks_str c = ev->sem.country;
    if (c.len == 2) {
        cc[0] = (char)(c.p[0] & ~0x20), cc[1] = (char)(c.p[1] & ~0x20), cc[2] = 0;
        return cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z';
    }
    if (!v->tried) {
        char why[512];
        v->tried = true;
        v->geo = ks_geoip_open(ks_det_geoip(d), why, sizeof why);
        if (!v->geo) {
            v->off = true;
            fprintf(stderr, "kensa: vpn_foreign is off: %s\n", why);
        }
    }
    return !v->off && ks_geoip_country(v->geo, ev->sem.src_ip, cc);
}

static void vf_event(ks_det *d, void *state, const ks_event *ev)
{
    vf *v = state;
    const ks_semantic *s = &ev->sem;
    if (s->outcome != KS_OUTCOME_SUCCESS || !s->src_ip.len ||
        !ks_str_eq(s->action, KS_ACTION_VPN_LOGIN) || ks_addr_is_internal(s->src_ip))
        return;
    char cc[3];
    if (!vf_country(d, v, ev, cc) || !strcmp(cc, ks_det_home_country(d))) return;
    bool fresh;
    ks_finding *f = ks_group_add(&v->g, d, "f", ev->host, s->user, ev, &fresh);
    if (!f) return;
    if (fresh) f->accounts = 0;
    if (!fresh && !ks_str_ieq(s->src_ip, f->src_ip)) f->src_ip[0] = 0;
    char what[96];
    char ip[64];
    ks_str_copy(ip, sizeof ip, s->src_ip);
    int w = snprintf(what, sizeof what, "%s %s", cc, ip);
    ks_finding_add_detail(f, (ks_str){what, w > 0 ? (size_t)w : 0});
}

static void vf_close(ks_det *d, void *state)
{
    (void)d;
    vf *v = state;
    ks_group_close(&v->g);
    ks_geoip_close(&v->geo);
    free(v);
}

const ks_detector_def ks_detector_vpn_foreign = {
    .info =
        {
            .id = "vpn_foreign",
            .title = {"VPN login from abroad", "海外からの VPN ログイン"},
            .explain =
                {
                    {"{count} VPN login(s) for {user} on {host} from outside the home "
                     "country: {detail}",
                     "{host} で {user} が国外から VPN に {count} 回ログインしました: {detail}"},
                },
            .categories = {"vpn_foreign"},
            .attack = "T1133 T1078",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 86400,
                     "logins of one account within this many seconds are one finding"},
                },
        },
    .open = vf_open,
    .event = vf_event,
    .end_file = ks_group_state_end_file,
    .close = vf_close,
};
