/* anti_forensics: traces wiped by command: event logs cleared from the command line
 * (wevtutil cl, wmic nteventlog ... cleareventlog, Clear-EventLog, Remove-EventLog;
 * the clear itself is log_cleared's when 1102/104 survive), free space wiped
 * (cipher /w, sdelete), the NTFS change journal deleted (fsutil usn deletejournal).
 * Read from 4688, Sysmon 1 and PowerShell 4104. One finding per host until quiet
 * for `merge_s`. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

static const ks_cmd_rule RULES[] = {
    {{"wevtutil", NULL}, {" cl ", " clear-log "}, 0, KS_LEVEL_HIGH},
    {{"nteventlog", NULL}, {" cl", "cleareventlog"}, 0, KS_LEVEL_HIGH},
    {{"eventlog", NULL}, {"clear-eventlog", "remove-eventlog", ".clearlog("}, 0, KS_LEVEL_HIGH},
    {{"cipher", "/w", NULL}, {NULL}, 0, KS_LEVEL_HIGH},
    {{"sdelete", NULL}, {NULL}, 0, KS_LEVEL_HIGH},
    {{"fsutil", "usn", "deletejournal"}, {NULL}, 0, KS_LEVEL_HIGH},
};

typedef struct af {
    ks_group g;
} af;

static int af_open(ks_det *d, void **state)
{
    af *s = calloc(1, sizeof *s);
    if (!s || ks_group_open(&s->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static void af_event(ks_det *d, void *state, const ks_event *ev)
{
    af *s = state;
    bool sysmon = ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon");
    bool ps = ev->event_id == 4104 && ks_str_eq(ev->provider, "Microsoft-Windows-PowerShell");
    if (!(ev->event_id == 4688 && ks_event_is_security(ev)) && !(sysmon && ev->event_id == 1) &&
        !ps)
        return;
    ks_str cmd = ps ? ks_det_script(d, ev) : ev->sem.command_line;
    if (!cmd.len) return;
    const char *text = ks_det_command(d, ev);
    const ks_cmd_rule *ru = ks_cmd_match(RULES, sizeof RULES / sizeof RULES[0], text);
    if (!ru) return;
    bool fresh;
    ks_finding *f = ks_group_add(&s->g, d, "f", ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (!fresh) ks_finding_add_user(f, ev->sem.user);
    char item[200];
    ks_str_copy(item, sizeof item, cmd);
    ks_finding_add_detail(f, (ks_str){item, strlen(item)});
}

const ks_detector_def ks_detector_anti_forensics = {
    .info =
        {
            .id = "anti_forensics",
            .title = {"Traces wiped", "痕跡の消去"},
            .explain =
                {
                    {"traces wiped on {host} by {user} ({count} commands): {detail}",
                     "{host} で {user} が痕跡を消去 (コマンド {count} 件): {detail}"},
                },
            .categories = {"anti_forensics"},
            .attack = "T1070.001 T1070.004 T1485",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 3600,
                     "commands on one host within this many seconds are one "
                     "finding"},
                },
        },
    .open = af_open,
    .event = af_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
