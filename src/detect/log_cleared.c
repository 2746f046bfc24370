/* log_cleared: an event log was cleared (1102 in Security, 104 in System, both
 * written by the Eventlog provider). Clears by one account on one host within
 * `merge_s` are one finding naming every log cleared. */
#include <stdlib.h>

#include "detect/detect.h"

typedef struct lc {
    ks_group g;
} lc;

static int lc_open(ks_det *d, void **state)
{
    lc *l = calloc(1, sizeof *l);
    if (!l || ks_group_open(&l->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(l);
        return -1;
    }
    *state = l;
    return 0;
}

static void lc_event(ks_det *d, void *state, const ks_event *ev)
{
    lc *l = state;
    if (ev->event_id != 1102 && ev->event_id != 104) return;
    if (!ks_str_eq(ev->provider, "Microsoft-Windows-Eventlog") &&
        !ks_str_eq(ev->provider, "Eventlog"))
        return;
    ks_str log = ev->event_id == 1102 ? (ks_str){"Security", 8} : ks_det_text(d, ev, "Channel");
    if (!log.len) log = ev->channel;
    bool fresh;
    ks_finding *f = ks_group_add(&l->g, d, "c", ev->host, ev->sem.user, ev, &fresh);
    if (f) ks_finding_add_detail(f, log);
}

const ks_detector_def ks_detector_log_cleared = {
    .info =
        {
            .id = "log_cleared",
            .title = {"Event log cleared", "イベントログの消去"},
            .explain =
                {
                    {"{user} cleared the {detail} log on {host}",
                     "{user} が {host} の {detail} ログを消去"},
                },
            .categories = {"log_cleared"},
            .attack = "T1070.001",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 600,
                     "clears by one account within this many seconds are one "
                     "finding"},
                },
        },
    .open = lc_open,
    .event = lc_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
