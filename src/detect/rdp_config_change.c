/* rdp_config_change: Remote Desktop opened up or moved: RDP enabled
 * (fDenyTSConnections 0), its port changed (PortNumber), Network Level
 * Authentication or encryption lowered (UserAuthentication, SecurityLayer), session
 * shadowing allowed (Shadow), the firewall opened for it, or a port forwarded to
 * it (netsh interface portproxy). Seen in registry changes (Sysmon 12/13, Security
 * 4657), firewall rules added (2004/2005 for the RDP port) and command lines (reg,
 * netsh, PowerShell, wmic rdtoggle in 4688, Sysmon 1, PowerShell 4104). Signs on one
 * host closer than `merge_s` are one finding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

static const ks_cmd_rule RULES[] = {
    {{"netsh", "portproxy", NULL}, {" add", " set", " a ", " s "}, 0, KS_LEVEL_HIGH},
    {{"netsh", NULL}, {"listenport=", "listena", "connectp", "connecta"}, 0, KS_LEVEL_HIGH},
    {{"netsh", "firewall", NULL}, {"3389", "remote desktop", "remotedesktop"}, 0, KS_LEVEL_MEDIUM},
    {{"reg", " add ", "terminal serv"},
     {"fdenytsconnections", "portnumber", "userauthentication", "securitylayer"},
     0,
     KS_LEVEL_HIGH},
    {{"reg", " add ", "terminal serv"}, {"shadow", NULL}, 0, KS_LEVEL_HIGH},
    {{"-itemproperty", "terminal serv", NULL},
     {"fdenytsconnections", "portnumber", "userauthentication", "securitylayer"},
     0,
     KS_LEVEL_HIGH},
    {{"netfirewallrule", NULL}, {"remote desktop", "3389", "remotedesktop"}, 0, KS_LEVEL_MEDIUM},
    {{"wmic", "rdtoggle", "setallowtsconnections"}, {NULL}, 0, KS_LEVEL_HIGH},
};

/* Registry values under Terminal Server / Terminal Services that open RDP up. */
static const char *const VALUES[] = {"fDenyTSConnections", "PortNumber", "UserAuthentication",
                                     "SecurityLayer", "Shadow"};

static int rc_open(ks_det *d, void **state)
{
    ks_group *g = calloc(1, sizeof *g);
    if (!g || ks_group_open(g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(g);
        return -1;
    }
    *state = g;
    return 0;
}

static bool rdp_key(ks_str key)
{
    return ks_str_icontains(key, "\\Terminal Server\\") ||
           ks_str_icontains(key, "\\Terminal Services");
}

static const char *rdp_value(ks_str name)
{
    for (size_t i = 0; i < sizeof VALUES / sizeof VALUES[0]; i++)
        if (ks_str_ieq(name, VALUES[i])) return VALUES[i];
    return NULL;
}

/* A registry change: "name = value" into out, or false when it is not one of ours. */
static bool registry(ks_str key, ks_str name, ks_str value, char *out, size_t cap)
{
    char v[96];
    ks_str_copy(v, sizeof v, value);
    if (ks_str_icontains(key, "\\Services\\PortProxy\\")) {
        char k[160];
        ks_str_copy(k, sizeof k, key);
        snprintf(out, cap, "port forwarding: %s %s", k, v);
        return true;
    }
    const char *n = rdp_value(name);
    if (!n || !rdp_key(key)) return false;
    snprintf(out, cap, "%s = %s", n, v);
    return true;
}

static void rc_event(ks_det *d, void *state, const ks_event *ev)
{
    ks_group *g = state;
    bool sysmon = ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon");
    bool sec = ks_event_is_security(ev);
    char what[320];
    ks_level lv = KS_LEVEL_HIGH;
    if (sysmon && (ev->event_id == 13 || ev->event_id == 12)) {
        ks_str target = ks_det_text(d, ev, "TargetObject");
        ks_str details = ev->event_id == 13 ? ks_det_text(d, ev, "Details") : (ks_str){"", 0};
        if (ev->event_id == 12 && !ks_str_icontains(target, "\\Services\\PortProxy\\")) return;
        if (ks_str_icontains(target, "\\FirewallPolicy\\FirewallRules\\")) {
            /* v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|... */
            if (!ks_str_icontains(details, "Action=Allow") ||
                !ks_str_icontains(details, "Dir=In") || !ks_str_icontains(details, "LPort=3389|"))
                return;
            char dt[200];
            ks_str_copy(dt, sizeof dt, details);
            snprintf(what, sizeof what, "firewall rule: %s", dt);
            lv = KS_LEVEL_MEDIUM;
        } else if (!registry(target, ks_str_basename(target), details, what, sizeof what)) {
            return;
        }
    } else if (sec && ev->event_id == 4657) {
        if (!registry(ks_det_text(d, ev, "ObjectName"), ks_det_text(d, ev, "ObjectValueName"),
                      ks_det_text(d, ev, "NewValue"), what, sizeof what))
            return;
    } else if ((ev->event_id == 2004 || ev->event_id == 2005 || ev->event_id == 2097) &&
               ks_str_icontains(ev->provider, "Windows Firewall With Advanced Security")) {
        /* a rule added or changed that lets the RDP port in: Direction 1 in, Action 3 allow */
        ks_str ports = ks_det_text(d, ev, "LocalPorts");
        if (!ks_str_eq(ports, "3389") || !ks_str_eq(ks_det_text(d, ev, "Direction"), "1") ||
            !ks_str_eq(ks_det_text(d, ev, "Action"), "3"))
            return;
        char name[160];
        ks_str_copy(name, sizeof name, ks_det_text(d, ev, "RuleName"));
        snprintf(what, sizeof what, "firewall rule allows 3389: %s", name);
        lv = KS_LEVEL_MEDIUM;
    } else if ((sec && ev->event_id == 4688) || (sysmon && ev->event_id == 1) ||
               (ev->event_id == 4104 && ks_str_eq(ev->provider, "Microsoft-Windows-PowerShell"))) {
        ks_str cmd = ev->event_id == 4104 ? ks_det_script(d, ev) : ev->sem.command_line;
        if (!cmd.len) return;
        const char *text = ks_det_command(d, ev);
        const ks_cmd_rule *ru = ks_cmd_match(RULES, sizeof RULES / sizeof RULES[0], text);
        if (!ru) return;
        ks_str_copy(what, 300, cmd);
        lv = ru->level;
    } else {
        return;
    }
    ks_group_note(g, d, "r", ev, lv, (ks_str){what, strlen(what)});
}

static void rc_end_file(ks_det *d, void *state)
{
    ks_group_flush(state, d);
}

static void rc_close(ks_det *d, void *state)
{
    (void)d;
    ks_group_close(state);
    free(state);
}

const ks_detector_def ks_detector_rdp_config_change = {
    .info =
        {
            .id = "rdp_config_change",
            .title = {"Remote Desktop settings changed", "リモートデスクトップ設定の変更"},
            .explain =
                {
                    {"Remote Desktop opened up on {host} ({count} changes): {detail}",
                     "{host} でリモートデスクトップの設定が緩められました ({count} 件): "
                     "{detail}"},
                },
            .categories = {"rdp_config_change"},
            .attack = "T1021.001 T1112 T1562.004 T1572",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"merge_s", 3600,
                     "changes on one host within this many seconds are one finding"},
                },
        },
    .open = rc_open,
    .event = rc_event,
    .end_file = rc_end_file,
    .close = rc_close,
};
