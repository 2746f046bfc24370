/* service_install: a service installed (7045, 4697) that runs a shell or script
 * host, or a program from a folder users can write, a network path, or outside
 * the Windows and Program Files folders: how ransomware operators run their tools
 * as SYSTEM on every server (PsExec-like tools are remote_access_tool's). Installs
 * on one host closer than `merge_s` are one finding. Ordinary installs (drivers and
 * software under Windows or Program Files) raise nothing; all=1 reports them too. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

typedef struct si {
    ks_group g;
    bool all;
} si;

static int si_open(ks_det *d, void **state)
{
    si *s = calloc(1, sizeof *s);
    if (!s || ks_group_open(&s->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(s);
        return -1;
    }
    s->all = ks_det_param(d, "all") != 0;
    *state = s;
    return 0;
}

static void si_event(ks_det *d, void *state, const ks_event *ev)
{
    si *s = state;
    bool scm = ev->event_id == 7045 && ks_str_eq(ev->provider, "Service Control Manager");
    bool sec = ev->event_id == 4697 && ks_event_is_security(ev);
    if (!scm && !sec) return;
    ks_str path = ev->sem.command_line;
    ks_why why = ks_command_suspicion(path);
    if (why == KS_WHY_NONE && !s->all) return;
    bool fresh;
    ks_finding *f = ks_group_add(&s->g, d, "i", ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh) f->user[0] = 0, f->accounts = 0, f->severity = KS_LEVEL_INFO;
    ks_level lv = why == KS_WHY_NONE      ? KS_LEVEL_INFO
                  : why == KS_WHY_UNUSUAL ? KS_LEVEL_MEDIUM
                                          : KS_LEVEL_HIGH;
    if (lv > f->severity) f->severity = lv;
    /* 4697 names the account that installed it; 7045 the account it runs as */
    if (sec) ks_finding_add_user(f, ev->sem.user);
    ks_finding_add_detail(f, ev->sem.service);
    if (fresh) {
        char what[320];
        ks_str_copy(what, 300, path);
        ks_finding_add_detail(f, (ks_str){what, strlen(what)});
        if (why) ks_finding_add_detail(f, (ks_str){ks_why_name(why), strlen(ks_why_name(why))});
    }
}

const ks_detector_def ks_detector_service_install = {
    .info =
        {
            .id = "service_install",
            .title = {"Suspicious service installed", "不審なサービスの登録"},
            .explain =
                {
                    {"{count} service(s) installed on {host}: {detail}",
                     "{host} にサービスが {count} 件登録されました: {detail}"},
                },
            .categories = {"service_install"},
            .attack = "T1543.003 T1569.002",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 600,
                     "installs on one host within this many seconds are one "
                     "finding"},
                    {"all", 0, "1: report every service installed, suspicious or not"},
                },
        },
    .open = si_open,
    .event = si_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
