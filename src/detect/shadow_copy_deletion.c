/* shadow_copy_deletion (and inhibit_recovery): the commands ransomware runs just
 * before encrypting so that nothing can be restored: vssadmin delete shadows,
 * wmic shadowcopy delete, Win32_ShadowCopy deleted from PowerShell, vssadmin
 * resize shadowstorage, wbadmin delete catalog/backup, bcdedit recoveryenabled no
 * or bootstatuspolicy ignoreallfailures. Read from process creations (4688,
 * Sysmon 1) and PowerShell script blocks (4104). Matching ignores case, carets and
 * quotes ("v^ss^admin", "vssadmin" "delete") and repeated spaces; other
 * obfuscation (variables, encoded commands) is beyond it. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

enum { V_SHADOWS, V_RECOVERY };

static const ks_cmd_rule RULES[] = {
    {{"vssadmin", "delete", "shadows"}, {NULL}, V_SHADOWS, KS_LEVEL_CRITICAL},
    {{"shadowcopy", "delete", NULL}, {"wmic", NULL}, V_SHADOWS, KS_LEVEL_CRITICAL},
    {{"win32_shadowcopy", NULL},
     {".delete(", "remove-wmiobject", "remove-ciminstance"},
     V_SHADOWS,
     KS_LEVEL_CRITICAL},
    {{"diskshadow", "delete", "shadows"}, {NULL}, V_SHADOWS, KS_LEVEL_CRITICAL},
    {{"vssadmin", "resize", "shadowstorage"}, {NULL}, V_RECOVERY, KS_LEVEL_HIGH},
    {{"wbadmin", "delete", NULL},
     {"catalog", "backup", "systemstatebackup"},
     V_RECOVERY,
     KS_LEVEL_HIGH},
    {{"bcdedit", "recoveryenabled", NULL}, {" no", "=no", "off"}, V_RECOVERY, KS_LEVEL_HIGH},
    {{"bcdedit", "bootstatuspolicy", "ignoreallfailures"}, {NULL}, V_RECOVERY, KS_LEVEL_HIGH},
};

typedef struct sc {
    ks_group g;
} sc;

static int sc_open(ks_det *d, void **state)
{
    sc *s = calloc(1, sizeof *s);
    if (!s || ks_group_open(&s->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static void sc_event(ks_det *d, void *state, const ks_event *ev)
{
    sc *s = state;
    ks_str cmd;
    if ((ev->event_id == 4688 && ks_event_is_security(ev)) ||
        (ev->event_id == 1 && ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon")))
        cmd = ev->sem.command_line;
    else if (ev->event_id == 4104 && ks_str_eq(ev->provider, "Microsoft-Windows-PowerShell"))
        cmd = ks_det_script(d, ev);
    else
        return;
    if (!cmd.len) return;
    const char *text = ks_det_command(d, ev);
    const ks_cmd_rule *ru = ks_cmd_match(RULES, sizeof RULES / sizeof RULES[0], text);
    if (!ru) return;
    bool fresh;
    ks_finding *f = ks_group_add(&s->g, d, "r", ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh) {
        f->variant = ru->variant;
        f->severity = ru->level;
        f->categories[0] = ru->variant == V_SHADOWS ? "shadow_copy_deletion" : "inhibit_recovery";
        f->categories[1] = ru->variant == V_SHADOWS ? "inhibit_recovery" : NULL;
        f->categories[2] = NULL;
    } else {
        if (ru->level > f->severity) f->severity = ru->level;
        if (ru->variant == V_SHADOWS && f->variant != V_SHADOWS) {
            f->variant = V_SHADOWS;
            f->categories[0] = "shadow_copy_deletion";
            f->categories[1] = "inhibit_recovery";
        }
        ks_finding_add_user(f, ev->sem.user);
    }
    char what[200];
    ks_str_copy(what, sizeof what, cmd);
    ks_finding_add_detail(f, (ks_str){what, strlen(what)});
}

const ks_detector_def ks_detector_shadow_copy_deletion = {
    .info =
        {
            .id = "shadow_copy_deletion",
            .title = {"Shadow copies or backups deleted", "シャドウコピー・バックアップの削除"},
            .explain =
                {
                    {"shadow copies deleted on {host} by {user}: {detail}",
                     "{host} で {user} がシャドウコピーを削除: {detail}"},
                    {"system recovery disabled or backups deleted on {host} by {user}: {detail}",
                     "{host} で {user} が回復機能を無効化またはバックアップを削除: {detail}"},
                },
            .categories = {"shadow_copy_deletion", "inhibit_recovery"},
            .attack = "T1490",
            .severity = KS_LEVEL_CRITICAL,
            .params =
                {
                    {"merge_s", 600,
                     "commands on one host within this many seconds are one "
                     "finding"},
                },
        },
    .open = sc_open,
    .event = sc_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
