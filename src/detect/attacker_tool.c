/* attacker_tool: the tools ransomware operators bring for discovery, credential
 * theft and exfiltration: AdFind, Advanced IP Scanner, SoftPerfect NetScan, Angry IP
 * Scanner, Nmap, NetExec / CrackMapExec (and its PowerShell launcher), Rclone,
 * MEGAsync, Mimikatz, LaZagne, Rubeus, SharpHound / BloodHound, Kerbrute. Seen in
 * processes started (4688, Sysmon 1: program name, Sysmon's OriginalFileName) and in
 * services installed (7045, 4697). One finding per host and tool until quiet for
 * `merge_s`. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

typedef struct tool {
    const char *name;
    const char *marks[4]; /* lowercase prefixes of a program's file name */
} tool;

static const tool TOOLS[] = {
    {"AdFind", {"adfind", NULL}},
    {"Advanced IP Scanner", {"advanced_ip_scanner", "advanced ip scanner", NULL}},
    {"SoftPerfect NetScan", {"netscan", NULL}},
    {"Angry IP Scanner", {"ipscan", "angryip", NULL}},
    {"Nmap", {"nmap", "zenmap", NULL}},
    {"NetExec/CrackMapExec", {"crackmapexec", "netexec", "nxc.exe", "cme.exe"}},
    {"Rclone", {"rclone", NULL}},
    {"MEGAsync", {"megasync", "megacmd", NULL}},
    {"Mimikatz", {"mimikatz", "mimilib", NULL}},
    {"LaZagne", {"lazagne", NULL}},
    {"Rubeus", {"rubeus", NULL}},
    {"SharpHound", {"sharphound", "bloodhound", NULL}},
    {"Kerbrute", {"kerbrute", NULL}},
};

/* NetExec / CrackMapExec run PowerShell through this launcher. */
static const char CME_LAUNCHER[] = "-exec bypass -noni -nop -w 1 -c";

typedef struct at {
    ks_group g;
} at;

static int at_open(ks_det *d, void **state)
{
    at *s = calloc(1, sizeof *s);
    if (!s || ks_group_open(&s->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static const tool *which(ks_str program)
{
    ks_str base = ks_str_basename(program);
    for (size_t i = 0; i < sizeof TOOLS / sizeof TOOLS[0]; i++)
        for (int k = 0; k < 4 && TOOLS[i].marks[k]; k++) {
            size_t n = strlen(TOOLS[i].marks[k]);
            if (base.len >= n && ks_str_ieq((ks_str){base.p, n}, TOOLS[i].marks[k]))
                return &TOOLS[i];
        }
    return NULL;
}

static void at_event(ks_det *d, void *state, const ks_event *ev)
{
    at *s = state;
    const tool *t = NULL;
    ks_str seen = {"", 0};
    bool sysmon = ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon");
    if ((ev->event_id == 4688 && ks_event_is_security(ev)) || (ev->event_id == 1 && sysmon)) {
        if ((t = which(ev->sem.process))) {
            seen = ev->sem.process;
        } else if (sysmon && (t = which(ks_det_text(d, ev, "OriginalFileName")))) {
            seen = ev->sem.process;
        } else if (ev->sem.command_line.len) {
            if (strstr(ks_det_command(d, ev), CME_LAUNCHER)) {
                t = &TOOLS[5];
                seen = ev->sem.command_line;
            }
        }
    } else if ((ev->event_id == 7045 && ks_str_eq(ev->provider, "Service Control Manager")) ||
               (ev->event_id == 4697 && ks_event_is_security(ev))) {
        if ((t = which(ev->sem.command_line))) seen = ev->sem.command_line;
    }
    if (!t) return;
    bool fresh;
    ks_finding *f =
        ks_group_add(&s->g, d, "t", ev->host, (ks_str){t->name, strlen(t->name)}, ev, &fresh);
    if (!f) return;
    if (fresh)
        ks_finding_add_detail(f, (ks_str){t->name, strlen(t->name)});
    else
        ks_finding_add_user(f, ev->sem.user);
    char what[200];
    ks_str_copy(what, sizeof what, seen);
    ks_finding_add_detail(f, (ks_str){what, strlen(what)});
}

const ks_detector_def ks_detector_attacker_tool = {
    .info =
        {
            .id = "attacker_tool",
            .title = {"Attacker tool", "攻撃者のツール"},
            .explain =
                {
                    {"attacker tool on {host} ({count} events): {detail}",
                     "{host} で攻撃者のツール ({count} 件): {detail}"},
                },
            .categories = {"attacker_tool"},
            .attack = "T1087.002 T1018 T1046 T1567.002 T1003 T1558",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 3600,
                     "sightings of one tool on one host within this many "
                     "seconds are one finding"},
                },
        },
    .open = at_open,
    .event = at_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
