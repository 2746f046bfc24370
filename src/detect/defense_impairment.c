/* defense_impairment: security products, services and auditing turned off before
 * the encryption: Defender's real-time protection off or its exclusions widened
 * (Set-MpPreference, Defender 5001/5010/5012, tamper protection blocking a change
 * 5013), security or backup services stopped or disabled (sc, net stop), audit
 * policy cleared (auditpol, 4719 removing auditing), the firewall turned off, Safe
 * Mode boot set (bcdedit safeboot). Read from 4688, Sysmon 1 and PowerShell 4104
 * command lines and the Defender and Security logs. One finding per host until
 * quiet for `merge_s`. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

static const ks_cmd_rule RULES[] = {
    {{"set-mppreference", NULL},
     {"-disable", "defaultaction", "-exclusion", "-submitsamplesconsent"},
     0,
     KS_LEVEL_HIGH},
    {{"add-mppreference", "-exclusion", NULL}, {NULL}, 0, KS_LEVEL_HIGH},
    {{"sc", "config", NULL},
     {"start= disabled", "start=disabled", "start= demand"},
     0,
     KS_LEVEL_HIGH},
    {{"stop", NULL}, {"windefend", "sense", "mpssvc", "wscsvc"}, 0, KS_LEVEL_HIGH},
    {{"stop", NULL}, {"vss", "veeam", "backup", "sql"}, 0, KS_LEVEL_HIGH},
    {{"stop", NULL}, {"sophos", "mcafee", "symantec", "sentinel"}, 0, KS_LEVEL_HIGH},
    {{"auditpol", NULL}, {"/clear", "/remove", ":disable"}, 0, KS_LEVEL_HIGH},
    {{"netsh", "firewall", NULL},
     {"state off", "opmode disable", "mode=disable"},
     0,
     KS_LEVEL_HIGH},
    {{"bcdedit", "safeboot", NULL}, {NULL}, 0, KS_LEVEL_HIGH},
    {{"wmic", "product", "uninstall"}, {NULL}, 0, KS_LEVEL_MEDIUM},
};

typedef struct di {
    ks_group g;
} di;

static int di_open(ks_det *d, void **state)
{
    di *s = calloc(1, sizeof *s);
    if (!s || ks_group_open(&s->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

/* Only commands that stop, disable or change something are looked at: the word
 * lists above would match "sc query" or a path with "sql" in it otherwise. */
static bool acts(const char *text)
{
    return strstr(text, "net stop") || strstr(text, "net1 stop") || strstr(text, "sc stop") ||
           strstr(text, "sc.exe stop") || strstr(text, "stop-service") ||
           strstr(text, "mppreference") || strstr(text, "sc config") ||
           strstr(text, "sc.exe config") || strstr(text, "auditpol") || strstr(text, "netsh") ||
           strstr(text, "bcdedit") || strstr(text, "wmic");
}

static void di_event(ks_det *d, void *state, const ks_event *ev)
{
    di *s = state;
    ks_str what = {"", 0};
    ks_level lv = KS_LEVEL_HIGH;
    bool security = ks_event_is_security(ev);
    if (ks_str_eq(ev->provider, "Microsoft-Windows-Windows Defender") &&
        (ev->event_id == 5001 || ev->event_id == 5010 || ev->event_id == 5012 ||
         ev->event_id == 5013)) {
        static const char *const WHAT[] = {"Defender real-time protection disabled (5001)",
                                           "Defender antispyware disabled (5010)",
                                           "Defender antivirus disabled (5012)",
                                           "Defender tamper protection blocked a change (5013)"};
        int k = ev->event_id == 5001 ? 0 : ev->event_id == 5010 ? 1 : ev->event_id == 5012 ? 2 : 3;
        what = (ks_str){WHAT[k], strlen(WHAT[k])};
    } else if (security && ev->event_id == 4719) {
        /* %%8448 success removed, %%8450 failure removed */
        ks_str ch = ks_det_text(d, ev, "AuditPolicyChanges");
        if (!ks_str_icontains(ch, "%%8448") && !ks_str_icontains(ch, "%%8450")) return;
        what = (ks_str){"audit policy: auditing removed (4719)", 37};
        lv = KS_LEVEL_MEDIUM;
    } else if ((security && ev->event_id == 4688) ||
               (ev->event_id == 1 && ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon")) ||
               (ev->event_id == 4104 && ks_str_eq(ev->provider, "Microsoft-Windows-PowerShell"))) {
        ks_str cmd = ev->event_id == 4104 ? ks_det_script(d, ev) : ev->sem.command_line;
        if (!cmd.len) return;
        const char *text = ks_det_command(d, ev);
        if (!acts(text)) return;
        const ks_cmd_rule *ru = ks_cmd_match(RULES, sizeof RULES / sizeof RULES[0], text);
        if (!ru) return;
        what = cmd;
        lv = ru->level;
    } else {
        return;
    }
    ks_group_note(&s->g, d, "d", ev, lv, what);
}

const ks_detector_def ks_detector_defense_impairment = {
    .info =
        {
            .id = "defense_impairment",
            .title = {"Security tools or auditing turned off", "セキュリティ機能・監査の無効化"},
            .explain =
                {
                    {"defences weakened on {host} ({count} events): {detail}",
                     "{host} で防御機能が弱められました ({count} 件): {detail}"},
                },
            .categories = {"defense_impairment"},
            .attack = "T1562.001 T1562.002 T1562.004 T1489",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 3600,
                     "signs on one host within this many seconds are one "
                     "finding"},
                },
        },
    .open = di_open,
    .event = di_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
