/* off_duty_logon (network_logon): network (type 3) and Remote Desktop (type 10)
 * logons by an account outside business hours at an hour it has not worked before.
 * Without a duty roster (the site file will bring one), an account's hours are
 * learned from the earlier part of the same log: once it has `learn` logons, a logon
 * outside `business_start`..`business_end` (local time of the run's zone) at an hour
 * (give or take one) it never logged on before is reported. Accounts with no history
 * (a backup job's first night) stay silent; machine and built-in accounts are
 * skipped. One account's off-duty logons within `merge_s` are one finding. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

typedef struct od_key {
    uint32_t hours; /* bit h: logged on in local hour h */
    uint32_t logons;
} od_key;

typedef struct od {
    ks_keys *keys;
    ks_group g;
    int start, end;
    uint32_t learn;
} od;

static int od_open(ks_det *d, void **state)
{
    od *o = calloc(1, sizeof *o);
    if (!o) return -1;
    o->keys = ks_keys_new(sizeof(od_key), 65536);
    if (!o->keys || ks_group_open(&o->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        ks_keys_free(&o->keys);
        free(o);
        return -1;
    }
    o->start = (int)ks_det_param(d, "business_start") * 60;
    o->end = (int)ks_det_param(d, "business_end") * 60;
    int64_t l = ks_det_param(d, "learn");
    o->learn = (uint32_t)(l < 1 ? 1 : l > 100000 ? 100000 : l);
    *state = o;
    return 0;
}

static bool builtin(ks_str user)
{
    static const char *const NAMES[] = {"ANONYMOUS LOGON", "SYSTEM", "LOCAL SERVICE",
                                        "NETWORK SERVICE", "Guest"};
    if (!user.len || user.p[user.len - 1] == '$') return true;
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (ks_str_ieq(user, NAMES[i])) return true;
    return (user.len > 4 &&
            (ks_str_ieq((ks_str){user.p, 4}, "DWM-") || ks_str_ieq((ks_str){user.p, 5}, "UMFD-")));
}

static void od_event(ks_det *d, void *state, const ks_event *ev)
{
    od *o = state;
    const ks_semantic *s = &ev->sem;
    if (ev->event_id != 4624 || !ks_event_is_security(ev)) return;
    if (s->logon_type != 3 && s->logon_type != 10) return;
    if (builtin(s->user)) return;
    od_key *k = ks_keys_get(o->keys, d, "a", (ks_str){"", 0}, s->user, true);
    if (!k) return;
    int minutes = ks_det_local_minutes(d, ev->time_ns), hour = minutes / 60;
    bool after_hours = o->start < o->end ? minutes < o->start || minutes >= o->end
                                         : minutes < o->start && minutes >= o->end;
    uint32_t near = (1u << hour) | (1u << (hour + 23) % 24) | (1u << (hour + 1) % 24);
    bool new_hour = !(k->hours & near);
    bool known = k->logons >= o->learn;
    k->hours |= 1u << hour;
    if (k->logons < UINT32_MAX) k->logons++;
    /* the rest of a reported night joins its finding */
    bool fresh;
    ks_finding *f = NULL;
    if (after_hours && new_hour && known)
        f = ks_group_add(&o->g, d, "o", (ks_str){"", 0}, s->user, ev, &fresh);
    else if (after_hours && ks_group_has(&o->g, "o", (ks_str){"", 0}, s->user, ev->time_ns))
        f = ks_group_add(&o->g, d, "o", (ks_str){"", 0}, s->user, ev, &fresh);
    if (!f) return;
    if (fresh && s->logon_type == 3) {
        f->categories[0] = "off_duty_logon";
        f->categories[1] = "network_logon";
        f->categories[2] = NULL;
    }
    ks_finding_add_detail(f, ev->host);
}

static void od_end_file(ks_det *d, void *state)
{
    od *o = state;
    ks_group_flush(&o->g, d);
    ks_keys_sweep(o->keys, NULL, NULL);
}

static void od_close(ks_det *d, void *state)
{
    od *o = state;
    ks_group_close(&o->g);
    ks_keys_free(&o->keys);
    free(o);
}

const ks_detector_def ks_detector_off_duty_logon = {
    .info =
        {
            .id = "off_duty_logon",
            .title = {"Logon outside the account's working hours", "勤務時間外のログオン"},
            .explain =
                {
                    {"{user} logged on at an hour it never worked before, outside business "
                     "hours ({count} logons from {src}: {detail})",
                     "{user} がこれまでにない時間帯 (業務時間外) にログオン ({src} から {count} "
                     "回: "
                     "{detail})"},
                },
            .categories = {"off_duty_logon"},
            .attack = "T1078 T1021",
            .severity = KS_LEVEL_MEDIUM,
            .params =
                {
                    {"business_start", 7,
                     "hour the working day starts (local time of --tz); "
                     "wider than rdp_logon's: early and late shifts"},
                    {"business_end", 20, "hour the working day ends"},
                    {"learn", 2, "logons of an account seen before its hours count as known"},
                    {"merge_s", 7200,
                     "one account's off-duty logons within this many seconds "
                     "are one finding"},
                },
        },
    .open = od_open,
    .event = od_event,
    .end_file = od_end_file,
    .close = od_close,
};
