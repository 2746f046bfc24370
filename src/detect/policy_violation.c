/* policy_violation: an Office program, a mail client or a browser starting a shell or
 * script host (4688 ParentProcessName, Sysmon 1 ParentImage): a macro (the Emotet
 * pattern), an attachment or a download running code. Office doing it is reported on
 * every host (high; critical on a medical-record terminal of the site file), and so is
 * a mail client or browser starting a script host (wscript, cscript, mshta: medium;
 * high on a terminal); a mail client or browser starting any other shell is reported
 * on terminals only (high). One finding per host and kind of parent until quiet for
 * `merge_s`. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "kensa/site.h"

enum { V_OFFICE, V_MAIL, V_BROWSER };

static const char *const OFFICE[] = {"winword.exe", "excel.exe",    "powerpnt.exe", "mspub.exe",
                                     "onenote.exe", "msaccess.exe", "visio.exe",    "eqnedt32.exe"};
static const char *const MAIL[] = {"outlook.exe", "thunderbird.exe"};
static const char *const BROWSERS[] = {"chrome.exe", "msedge.exe", "firefox.exe", "iexplore.exe"};
/* script hosts run a downloaded or attached script on any host */
static const char *const SCRIPTS[] = {"wscript.exe", "cscript.exe", "mshta.exe"};
static const char *const SHELLS[] = {"powershell.exe", "pwsh.exe",     "cmd.exe",
                                     "rundll32.exe",   "regsvr32.exe", "certutil.exe",
                                     "bitsadmin.exe",  "msdt.exe"};
/* Children that are part of normal use: browser extensions' native messaging hosts
 * (a .bat run by cmd /c) and the "Open with" dialog. Normalized command lines. */
static const char *const BENIGN[] = {"chrome-extension://", "moz-extension://",
                                     "shell32.dll,openas_rundll"};

#define IN(list, name) in_list(list, sizeof list / sizeof list[0], name)

static bool in_list(const char *const *list, size_t n, ks_str name)
{
    for (size_t i = 0; i < n; i++)
        if (ks_str_ieq(name, list[i])) return true;
    return false;
}

typedef struct pv {
    ks_group g;
    bool office_anywhere, scripts_anywhere;
} pv;

static int pv_open(ks_det *d, void **state)
{
    pv *p = calloc(1, sizeof *p);
    if (!p || ks_group_open(&p->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(p);
        return -1;
    }
    p->office_anywhere = ks_det_param(d, "office_anywhere") != 0;
    p->scripts_anywhere = ks_det_param(d, "scripts_anywhere") != 0;
    *state = p;
    return 0;
}

static bool on_terminal(ks_det *d, ks_str host)
{
    const ks_site *site = ks_det_site(d);
    if (!site) return false;
    char name[128];
    ks_str_copy(name, sizeof name, host);
    return ks_site_role_of(site, name) == KS_ROLE_EMR_TERMINAL;
}

static void pv_event(ks_det *d, void *state, const ks_event *ev)
{
    pv *p = state;
    if (!((ev->event_id == 4688 && ks_event_is_security(ev)) ||
          (ev->event_id == 1 && ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon"))))
        return;
    ks_str parent = ks_str_basename(ev->sem.parent_process);
    if (!parent.len) return;
    int variant = IN(OFFICE, parent)     ? V_OFFICE
                  : IN(MAIL, parent)     ? V_MAIL
                  : IN(BROWSERS, parent) ? V_BROWSER
                                         : -1;
    if (variant < 0) return;
    ks_str child = ks_str_basename(ev->sem.process);
    bool script = IN(SCRIPTS, child);
    if (!script && !IN(SHELLS, child)) return;
    const char *cmd = ks_det_command(d, ev);
    for (size_t i = 0; i < sizeof BENIGN / sizeof BENIGN[0]; i++)
        if (strstr(cmd, BENIGN[i])) return;
    bool terminal = on_terminal(d, ev->host);
    ks_level lv;
    if (variant == V_OFFICE) {
        if (!terminal && !p->office_anywhere) return;
        lv = terminal ? KS_LEVEL_CRITICAL : KS_LEVEL_HIGH;
    } else if (terminal) {
        lv = KS_LEVEL_HIGH;
    } else if (script && p->scripts_anywhere) {
        lv = KS_LEVEL_MEDIUM;
    } else {
        return;
    }
    static const char *const KIND[] = {"o", "m", "b"};
    bool fresh;
    ks_finding *f = ks_group_add(&p->g, d, KIND[variant], ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh) {
        f->variant = variant;
        f->severity = lv;
    } else {
        ks_finding_add_user(f, ev->sem.user);
    }
    if (lv > f->severity) f->severity = lv;
    /* "WINWORD.EXE > powershell.exe -nop -enc ..." */
    char what[200];
    size_t n = 0;
    ks_str_copy(what, 64, parent);
    n = strlen(what);
    memcpy(what + n, " > ", 4);
    n += 3;
    ks_str_copy(what + n, sizeof what - n,
                ev->sem.command_line.len ? ev->sem.command_line : ev->sem.process);
    ks_finding_add_detail(f, (ks_str){what, strlen(what)});
}

const ks_detector_def ks_detector_policy_violation = {
    .info =
        {
            .id = "policy_violation",
            .title = {"Office, mail or a browser starting a shell or script",
                      "Office・メール・ブラウザからのシェルやスクリプトの起動"},
            .explain =
                {
                    {"an Office program on {host} started a shell or script host, as a macro "
                     "does ({count} processes, {user}): {detail}",
                     "{host} で Office がマクロのようにシェルやスクリプトを起動 ({count} 件, "
                     "{user}): {detail}"},
                    {"a mail client on {host} started a shell or script host: an attachment "
                     "run ({count} processes, {user}): {detail}",
                     "{host} でメールソフトがシェルやスクリプトを起動: 添付ファイルの実行 "
                     "({count} 件, {user}): {detail}"},
                    {"a web browser on {host} started a shell or script host: a download run "
                     "({count} processes, {user}): {detail}",
                     "{host} でブラウザがシェルやスクリプトを起動: ダウンロードしたものの実行 "
                     "({count} 件, {user}): {detail}"},
                },
            .categories = {"policy_violation"},
            .attack = "T1204.002 T1566.001 T1059",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"office_anywhere", 1,
                     "1: Office starting a shell is reported on every host (high), "
                     "0: on medical-record terminals only"},
                    {"scripts_anywhere", 1,
                     "1: a mail client or browser starting wscript, cscript or mshta is "
                     "reported on every host (medium), 0: on terminals only"},
                    {"merge_s", 3600,
                     "processes started by one kind of parent on one host within this "
                     "many seconds are one finding"},
                },
        },
    .open = pv_open,
    .event = pv_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
