/* credential_dumping: passwords and hashes taken from memory or from the registry
 * and the AD database, the step before ransomware spreads with a domain admin's
 * password.
 * - lsass opened for reading its memory (Sysmon 10 TargetImage lsass.exe, 4656 /
 *   4663 on \lsass.exe; access with PROCESS_VM_READ 0x10) by a program that is not
 *   one of Windows' own readers (svchost, wmiprvse, csrss, Defender, ...);
 * - commands: comsvcs.dll MiniDump, procdump of lsass, Mimikatz modules
 *   (sekurlsa::, lsadump::), ntdsutil ifm, reg save of SAM/SECURITY/SYSTEM, WDigest
 *   UseLogonCredential turned on (4688, Sysmon 1, PowerShell 4104); mimikatz.exe;
 * - a logon of type 9 by seclogo: Mimikatz's pass-the-hash (sekurlsa::pth).
 * One finding per host until quiet for `merge_s`. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

static const ks_cmd_rule RULES[] = {
    {{"comsvcs", "minidump", NULL}, {NULL}, 0, KS_LEVEL_CRITICAL},
    {{"procdump", "lsass", NULL}, {NULL}, 0, KS_LEVEL_CRITICAL},
    {{"::", NULL},
     {"sekurlsa::", "lsadump::", "privilege::debug", "kerberos::golden"},
     0,
     KS_LEVEL_CRITICAL},
    {{"ntdsutil", "ifm", NULL}, {NULL}, 0, KS_LEVEL_CRITICAL},
    {{"reg", "save", NULL}, {"hklm\\sam", "hklm\\security", "hklm\\system "}, 0, KS_LEVEL_HIGH},
    {{"wdigest", "uselogoncredential", NULL}, {NULL}, 0, KS_LEVEL_HIGH},
};

/* Windows' own programs that open lsass every day. */
static const char *const READERS[] = {
    "svchost.exe", "wmiprvse.exe", "csrss.exe", "wininit.exe", "services.exe", "lsm.exe",
    "smss.exe",    "msmpeng.exe",  "mrt.exe",   "lsass.exe",   "wininit.exe",  "taskhostw.exe",
};

typedef struct cd {
    ks_group g;
} cd;

static int cd_open(ks_det *d, void **state)
{
    cd *c = calloc(1, sizeof *c);
    if (!c || ks_group_open(&c->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

static bool windows_reader(ks_str image)
{
    ks_str base = ks_str_basename(image);
    bool system_dir = ks_str_icontains(image, "\\windows\\system32\\") ||
                      ks_str_icontains(image, "\\windows defender\\") ||
                      ks_str_icontains(image, "\\windows\\syswow64\\");
    if (!system_dir) return false;
    for (size_t i = 0; i < sizeof READERS / sizeof READERS[0]; i++)
        if (ks_str_ieq(base, READERS[i])) return true;
    return false;
}

/* An access mask ("0x1410", "0x1fffff") that includes PROCESS_VM_READ. */
static bool reads_memory(ks_str mask)
{
    uint64_t v = 0;
    size_t i = mask.len > 2 && mask.p[0] == '0' && (mask.p[1] == 'x' || mask.p[1] == 'X') ? 2 : 0;
    if (i == mask.len) return false;
    for (; i < mask.len && i < 18; i++) {
        char c = mask.p[i];
        int digit = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
        if (digit < 0) return false;
        v = v * 16 + (uint64_t)digit;
    }
    return (v & 0x10) != 0;
}

static void cd_event(ks_det *d, void *state, const ks_event *ev)
{
    cd *c = state;
    ks_level lv = KS_LEVEL_HIGH;
    ks_str what = {"", 0};
    bool sysmon = ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon");
    bool security = ks_event_is_security(ev);
    if (sysmon && ev->event_id == 10) {
        ks_str target = ks_det_text(d, ev, "TargetImage");
        if (!ks_str_ieq(ks_str_basename(target), "lsass.exe")) return;
        if (!reads_memory(ks_det_text(d, ev, "GrantedAccess"))) return;
        if (windows_reader(ev->sem.process)) return;
        what = ev->sem.process;
    } else if (security && (ev->event_id == 4656 || ev->event_id == 4663)) {
        ks_str object = ks_det_text(d, ev, "ObjectName");
        if (!ks_str_ieq(ks_str_basename(object), "lsass.exe")) return;
        if (!reads_memory(ks_det_text(d, ev, "AccessMask"))) return;
        ks_str proc = ks_det_text(d, ev, "ProcessName");
        if (windows_reader(proc)) return;
        what = proc;
    } else if (security && ev->event_id == 4624) {
        if (ev->sem.logon_type != 9) return;
        ks_str lp = ks_det_text(d, ev, "LogonProcessName");
        if (!ks_str_icontains(lp, "seclogo")) return;
        what = (ks_str){"logon type 9 (seclogo)", 22};
    } else if ((security && ev->event_id == 4688) || (sysmon && ev->event_id == 1) ||
               (ev->event_id == 4104 && ks_str_eq(ev->provider, "Microsoft-Windows-PowerShell"))) {
        ks_str cmd = ev->event_id == 4104 ? ks_det_script(d, ev) : ev->sem.command_line;
        ks_str base = ks_str_basename(ev->sem.process);
        if (ev->event_id != 4104 &&
            (ks_str_ieq(base, "mimikatz.exe") ||
             ks_str_ieq(ks_det_text(d, ev, "OriginalFileName"), "mimikatz.exe"))) {
            what = ev->sem.process;
            lv = KS_LEVEL_CRITICAL;
        } else {
            if (!cmd.len) return;
            const char *text = ks_det_command(d, ev);
            const ks_cmd_rule *ru = ks_cmd_match(RULES, sizeof RULES / sizeof RULES[0], text);
            if (!ru) return;
            what = cmd;
            lv = ru->level;
        }
    } else {
        return;
    }
    ks_group_note(&c->g, d, "c", ev, lv, what);
}

const ks_detector_def ks_detector_credential_dumping = {
    .info =
        {
            .id = "credential_dumping",
            .title = {"Passwords taken from memory or the registry",
                      "パスワード・ハッシュの窃取 (クレデンシャルダンプ)"},
            .explain =
                {
                    {"credentials dumped on {host} ({count} events): {detail}",
                     "{host} で認証情報の窃取 ({count} 件): {detail}"},
                },
            .categories = {"credential_dumping"},
            .attack = "T1003 T1003.001 T1003.002 T1003.003 T1550.002",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 3600,
                     "signs on one host within this many seconds are one "
                     "finding"},
                },
        },
    .open = cd_open,
    .event = cd_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
