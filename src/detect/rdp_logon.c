/* rdp_logon: Remote Desktop logons worth a look: from an address outside the
 * private ranges, from loopback (RDP tunnelled through SSH, plink or ngrok), or
 * outside business hours (local time of the run's zone, `business_start` to
 * `business_end`). Read from 4624 logon type 10, TerminalServices
 * LocalSessionManager 21 (logon) and 25 (reconnect), and RemoteConnectionManager
 * 1149 (authenticated). Logons of one account from one address to one host closer
 * than `merge_s` are one finding. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

enum { V_EXTERNAL, V_TUNNEL, V_AFTER_HOURS };

typedef struct rl {
    ks_group g;
    int start, end; /* minutes since local midnight */
} rl;

static int rl_open(ks_det *d, void **state)
{
    rl *r = calloc(1, sizeof *r);
    if (!r || ks_group_open(&r->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(r);
        return -1;
    }
    r->start = (int)ks_det_param(d, "business_start") * 60;
    r->end = (int)ks_det_param(d, "business_end") * 60;
    *state = r;
    return 0;
}

static void rl_event(ks_det *d, void *state, const ks_event *ev)
{
    rl *r = state;
    const ks_semantic *s = &ev->sem;
    bool rdp =
        (ev->event_id == 4624 && ks_event_is_security(ev) && s->logon_type == 10) ||
        ((ev->event_id == 21 || ev->event_id == 25) &&
         ks_str_eq(ev->provider, "Microsoft-Windows-TerminalServices-LocalSessionManager")) ||
        (ev->event_id == 1149 &&
         ks_str_eq(ev->provider, "Microsoft-Windows-TerminalServices-RemoteConnectionManager"));
    if (!rdp || !s->src_ip.len) return;
    int variant;
    ks_level lv;
    int minutes = ks_det_local_minutes(d, ev->time_ns);
    bool after_hours = r->start < r->end ? minutes < r->start || minutes >= r->end
                                         : minutes < r->start && minutes >= r->end;
    if (ks_addr_is_loopback(s->src_ip))
        variant = V_TUNNEL, lv = KS_LEVEL_HIGH;
    else if (!ks_addr_is_internal(s->src_ip))
        variant = V_EXTERNAL, lv = after_hours ? KS_LEVEL_CRITICAL : KS_LEVEL_HIGH;
    else if (after_hours)
        variant = V_AFTER_HOURS, lv = KS_LEVEL_MEDIUM;
    else
        return;
    static const char *const CLASS[] = {"x", "l", "n"};
    char key[256];
    size_t n = 0;
    for (size_t i = 0; i < s->user.len && n < 160; i++) key[n++] = s->user.p[i];
    key[n++] = '|';
    for (size_t i = 0; i < s->src_ip.len && n < 250; i++) key[n++] = s->src_ip.p[i];
    bool fresh;
    ks_finding *f = ks_group_add(&r->g, d, CLASS[variant], ev->host, (ks_str){key, n}, ev, &fresh);
    if (!f) return;
    if (fresh) {
        f->variant = variant;
        f->severity = lv;
        if (variant == V_TUNNEL) {
            f->categories[0] = "rdp_tunnel";
            f->categories[1] = "rdp_logon";
            f->categories[2] = NULL;
        } else if (variant == V_AFTER_HOURS) {
            f->categories[0] = "rdp_logon";
            f->categories[1] = "off_duty_logon";
            f->categories[2] = NULL;
        }
    }
    if (lv > f->severity) f->severity = lv;
    if (!f->user[0]) ks_finding_add_user(f, s->user);
}

const ks_detector_def ks_detector_rdp_logon = {
    .info =
        {
            .id = "rdp_logon",
            .title = {"Remote Desktop logon from outside, tunnelled or at night",
                      "外部・トンネル経由・業務時間外のリモートデスクトップ接続"},
            .explain =
                {
                    {"{user} logged on to {host} by Remote Desktop from the outside address {src}",
                     "{user} が外部のアドレス {src} からリモートデスクトップで {host} にログオン"},
                    {"{user} logged on to {host} by Remote Desktop from loopback ({src}): RDP "
                     "tunnelled through another program",
                     "{user} がループバック ({src}) からリモートデスクトップで {host} にログオン: "
                     "別のプログラムによるトンネル経由の RDP"},
                    {"{user} logged on to {host} by Remote Desktop from {src} outside business "
                     "hours",
                     "{user} が業務時間外に {src} からリモートデスクトップで {host} にログオン"},
                },
            .categories = {"rdp_logon"},
            .attack = "T1021.001 T1133 T1572",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"business_start", 8, "hour business starts (local time of --tz)"},
                    {"business_end", 18, "hour business ends"},
                    {"merge_s", 600,
                     "logons of one account from one address within this many "
                     "seconds are one finding"},
                },
        },
    .open = rl_open,
    .event = rl_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
