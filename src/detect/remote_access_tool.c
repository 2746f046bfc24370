/* remote_access_tool: remote control and tunnelling tools that ransomware
 * operators install or bring (AnyDesk, TeamViewer, ScreenConnect, Splashtop,
 * RustDesk, ngrok, PsExec and its service PSEXESVC, PAExec, RemCom, plink), seen
 * in services installed (7045, 4697: name and program), processes started (4688,
 * Sysmon 1: program name, and Sysmon's OriginalFileName, which survives renaming)
 * and named pipes (Sysmon 17/18, \PSEXESVC). One finding per host and tool until
 * it is quiet for `merge_s`. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

typedef struct tool {
    const char *name;
    const char *marks[4]; /* lowercase prefixes of a program name, substrings of a service */
} tool;

static const tool TOOLS[] = {
    {"AnyDesk", {"anydesk", NULL}},
    {"TeamViewer", {"teamviewer", "tv_w32", "tv_x64", NULL}},
    {"ScreenConnect", {"screenconnect", "connectwisecontrol", NULL}},
    {"Splashtop", {"splashtop", "srservice", "strwinclt", NULL}},
    {"RustDesk", {"rustdesk", NULL}},
    {"ngrok", {"ngrok", NULL}},
    {"PsExec", {"psexec", "psexesvc", "paexec", "remcom"}},
    {"plink", {"plink", NULL}},
};

typedef struct rat {
    ks_group g;
} rat;

static int rat_open(ks_det *d, void **state)
{
    rat *r = calloc(1, sizeof *r);
    if (!r || ks_group_open(&r->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(r);
        return -1;
    }
    *state = r;
    return 0;
}

static bool prefix_i(ks_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len >= n && ks_str_ieq((ks_str){s.p, n}, lit);
}

/* The tool a program (basename prefix) or a service text (substring) names. */
static const tool *which(ks_str s, bool program)
{
    if (!s.len) return NULL;
    if (program) {
        s = ks_str_basename(s);
        for (size_t i = 0; i < sizeof TOOLS / sizeof TOOLS[0]; i++)
            for (int k = 0; k < 4 && TOOLS[i].marks[k]; k++)
                if (prefix_i(s, TOOLS[i].marks[k])) return &TOOLS[i];
        return NULL;
    }
    char low[512]; /* lowercased once, then searched for each mark */
    size_t n = s.len < sizeof low - 1 ? s.len : sizeof low - 1;
    for (size_t i = 0; i < n; i++) {
        char c = s.p[i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c ? c : ' ';
    }
    low[n] = 0;
    for (size_t i = 0; i < sizeof TOOLS / sizeof TOOLS[0]; i++)
        for (int k = 0; k < 4 && TOOLS[i].marks[k]; k++)
            if (strstr(low, TOOLS[i].marks[k])) return &TOOLS[i];
    return NULL;
}

static void rat_event(ks_det *d, void *state, const ks_event *ev)
{
    rat *r = state;
    const tool *t = NULL;
    ks_str seen = {"", 0};
    bool sysmon = ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon");
    if ((ev->event_id == 7045 && ks_str_eq(ev->provider, "Service Control Manager")) ||
        (ev->event_id == 4697 && ks_event_is_security(ev))) {
        if ((t = which(ev->sem.service, false)))
            seen = ev->sem.service;
        else if ((t = which(ks_str_basename(ev->sem.command_line), false)))
            seen = ev->sem.command_line;
    } else if ((ev->event_id == 4688 && ks_event_is_security(ev)) ||
               (ev->event_id == 1 && sysmon)) {
        if ((t = which(ev->sem.process, true)))
            seen = ev->sem.process;
        else if (sysmon) {
            ks_str orig = ks_det_text(d, ev, "OriginalFileName");
            if ((t = which(orig, true))) seen = ev->sem.process;
        }
    } else if ((ev->event_id == 17 || ev->event_id == 18) && sysmon) {
        ks_str pipe = ks_det_text(d, ev, "PipeName");
        while (pipe.len && pipe.p[0] == '\\') pipe.p++, pipe.len--;
        if ((t = which(pipe, true))) seen = pipe;
    }
    if (!t) return;
    bool fresh;
    ks_finding *f =
        ks_group_add(&r->g, d, "t", ev->host, (ks_str){t->name, strlen(t->name)}, ev, &fresh);
    if (!f) return;
    if (fresh)
        ks_finding_add_detail(f, (ks_str){t->name, strlen(t->name)});
    else
        ks_finding_add_user(f, ev->sem.user);
    char what[200];
    ks_str_copy(what, sizeof what, seen);
    ks_finding_add_detail(f, (ks_str){what, strlen(what)});
}

const ks_detector_def ks_detector_remote_access_tool = {
    .info =
        {
            .id = "remote_access_tool",
            .title = {"Remote access tool", "リモート操作ツール"},
            .explain =
                {
                    {"remote access tool on {host} ({count} events): {detail}",
                     "{host} でリモート操作ツール ({count} 件): {detail}"},
                },
            .categories = {"remote_access_tool"},
            .attack = "T1219 T1569.002 T1572",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 3600,
                     "sightings of one tool on one host within this many "
                     "seconds are one finding"},
                },
        },
    .open = rat_open,
    .event = rat_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
