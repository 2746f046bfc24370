/* Sigma logsource to Windows event log: one table of (service or category) -> channel
 * and event ids, the 4688 field names that stand for Sysmon's in process_creation
 * rules, and the finding categories implied by ATT&CK technique tags. */
#include <stdlib.h>
#include <string.h>

#include "detect/sigma_internal.h"

#define SYSMON "microsoft-windows-sysmon/operational"
#define PS_OP "microsoft-windows-powershell/operational"

typedef struct source_row {
    const char *service;  /* NULL: this row is for a category */
    const char *category; /* NULL: this row is for a service */
    const char *channel;  /* lowercase */
    uint32_t eids[6];     /* 0-ended; none: any event id */
} source_row;

static const source_row SOURCES[] = {
    /* services */
    {"security", NULL, "security", {0}},
    {"system", NULL, "system", {0}},
    {"application", NULL, "application", {0}},
    {"sysmon", NULL, SYSMON, {0}},
    {"powershell", NULL, PS_OP, {0}},
    {"powershell-classic", NULL, "windows powershell", {0}},
    {"windefend", NULL, "microsoft-windows-windows defender/operational", {0}},
    {"codeintegrity-operational", NULL, "microsoft-windows-codeintegrity/operational", {0}},
    {"appxdeployment-server", NULL, "microsoft-windows-appxdeploymentserver/operational", {0}},
    {"firewall-as",
     NULL,
     "microsoft-windows-windows firewall with advanced security/firewall",
     {0}},
    {"msexchange-management", NULL, "msexchange management", {0}},
    {"bits-client", NULL, "microsoft-windows-bits-client/operational", {0}},
    {"dns-client", NULL, "microsoft-windows-dns client events/operational", {0}},
    {"iis-configuration", NULL, "microsoft-iis-configuration/operational", {0}},
    {"taskscheduler", NULL, "microsoft-windows-taskscheduler/operational", {0}},
    {"ntlm", NULL, "microsoft-windows-ntlm/operational", {0}},
    {"wmi", NULL, "microsoft-windows-wmi-activity/operational", {0}},
    {"security-mitigations", NULL, "microsoft-windows-security-mitigations/kernelmode", {0}},
    {"security-mitigations", NULL, "microsoft-windows-security-mitigations/usermode", {0}},
    {"dns-server", NULL, "dns server", {0}},
    {"dns-server-audit", NULL, "microsoft-windows-dns-server/audit", {0}},
    {"applocker", NULL, "microsoft-windows-applocker/msi and script", {0}},
    {"applocker", NULL, "microsoft-windows-applocker/exe and dll", {0}},
    {"applocker", NULL, "microsoft-windows-applocker/packaged app-deployment", {0}},
    {"applocker", NULL, "microsoft-windows-applocker/packaged app-execution", {0}},
    {"terminalservices-localsessionmanager",
     NULL,
     "microsoft-windows-terminalservices-localsessionmanager/operational",
     {0}},
    {"smbserver-connectivity", NULL, "microsoft-windows-smbserver/connectivity", {0}},
    {"smbclient-security", NULL, "microsoft-windows-smbclient/security", {0}},
    {"smbclient-connectivity", NULL, "microsoft-windows-smbclient/connectivity", {0}},
    {"shell-core", NULL, "microsoft-windows-shell-core/operational", {0}},
    {"openssh", NULL, "openssh/operational", {0}},
    {"microsoft-servicebus-client", NULL, "microsoft-servicebus-client", {0}},
    {"servicebus-client", NULL, "microsoft-servicebus-client", {0}},
    {"lsa-server", NULL, "microsoft-windows-lsa/operational", {0}},
    {"ldap", NULL, "microsoft-windows-ldap-client/debug", {0}},
    {"driver-framework", NULL, "microsoft-windows-driverframeworks-usermode/operational", {0}},
    {"diagnosis-scripted", NULL, "microsoft-windows-diagnosis-scripted/operational", {0}},
    {"certificateservicesclient-lifecycle-system",
     NULL,
     "microsoft-windows-certificateservicesclient-lifecycle-system/operational",
     {0}},
    {"capi2", NULL, "microsoft-windows-capi2/operational", {0}},
    {"appxpackaging-om", NULL, "microsoft-windows-appxpackaging/operational", {0}},
    {"appmodel-runtime", NULL, "microsoft-windows-appmodel-runtime/admin", {0}},
    {"dhcp", NULL, "microsoft-windows-dhcp-server/operational", {0}},
    {"printservice-admin", NULL, "microsoft-windows-printservice/admin", {0}},
    {"printservice-operational", NULL, "microsoft-windows-printservice/operational", {0}},
    {"vhdmp", NULL, "microsoft-windows-vhdmp/operational", {0}},
    {"bitlocker", NULL, "microsoft-windows-bitlocker/bitlocker management", {0}},
    {"kernel-shimengine", NULL, "microsoft-windows-kernel-shimengine/operational", {0}},
    {"hyper-v-worker", NULL, "microsoft-windows-hyper-v-worker", {0}},
    {"sysmon-operational", NULL, SYSMON, {0}},
    /* categories: Sysmon event ids, and Windows' own logs where they say the same */
    {NULL, "process_creation", SYSMON, {1}},
    {NULL, "process_creation", "security", {4688}},
    {NULL, "file_change", SYSMON, {2}},
    {NULL, "network_connection", SYSMON, {3}},
    {NULL, "sysmon_status", SYSMON, {4, 16}},
    {NULL, "process_termination", SYSMON, {5}},
    {NULL, "driver_load", SYSMON, {6}},
    {NULL, "image_load", SYSMON, {7}},
    {NULL, "create_remote_thread", SYSMON, {8}},
    {NULL, "raw_access_thread", SYSMON, {9}},
    {NULL, "process_access", SYSMON, {10}},
    {NULL, "file_event", SYSMON, {11}},
    {NULL, "registry_add", SYSMON, {12}},
    {NULL, "registry_delete", SYSMON, {12}},
    {NULL, "registry_set", SYSMON, {13}},
    {NULL, "registry_rename", SYSMON, {14}},
    {NULL, "registry_event", SYSMON, {12, 13, 14}},
    {NULL, "create_stream_hash", SYSMON, {15}},
    {NULL, "pipe_created", SYSMON, {17, 18}},
    {NULL, "wmi_event", SYSMON, {19, 20, 21}},
    {NULL, "dns_query", SYSMON, {22}},
    {NULL, "file_delete", SYSMON, {23, 26}},
    {NULL, "clipboard_capture", SYSMON, {24}},
    {NULL, "process_tampering", SYSMON, {25}},
    {NULL, "file_delete_detected", SYSMON, {26}},
    {NULL, "file_block_executable", SYSMON, {27}},
    {NULL, "file_block_shredding", SYSMON, {28}},
    {NULL, "file_executable_detected", SYSMON, {29}},
    {NULL, "sysmon_error", SYSMON, {255}},
    {NULL, "ps_module", PS_OP, {4103}},
    {NULL, "ps_script", PS_OP, {4104}},
    {NULL, "ps_classic_start", "windows powershell", {400}},
    {NULL, "ps_classic_provider_start", "windows powershell", {600}},
    {NULL, "ps_classic_script", "windows powershell", {800}},
    {NULL, "dns", "microsoft-windows-dns client events/operational", {0}},
};

const char *const sg_map4688[][2] = {
    {"NewProcessName", "Image"},          {"ParentProcessName", "ParentImage"},
    {"NewProcessId", "ProcessId"},        {"ProcessId", "ParentProcessId"},
    {"SubjectUserName", "User"},          {"SubjectLogonId", "LogonId"},
    {"MandatoryLabel", "IntegrityLevel"}, {NULL, NULL},
};

static int add_target(sg_rule *rule, const char *channel, uint32_t eid)
{
    sg_target *v = realloc(rule->targets, (rule->ntargets + 1) * sizeof *v);
    if (!v) return -1;
    rule->targets = v;
    v[rule->ntargets++] = (sg_target){channel, eid};
    return 0;
}

const char *sg_logsource_targets(sg_rule *rule)
{
    const char *svc = rule->info.service, *cat = rule->info.category;
    bool any = false;
    for (size_t i = 0; i < sizeof SOURCES / sizeof SOURCES[0]; i++) {
        const source_row *s = &SOURCES[i];
        bool hit = (s->service && *svc && !strcmp(s->service, svc) && !*cat) ||
                   (s->category && *cat && !strcmp(s->category, cat) &&
                    (!*svc || (!strcmp(svc, "sysmon") && !strcmp(s->channel, SYSMON)) ||
                     (!strcmp(svc, "security") && !strcmp(s->channel, "security"))));
        if (!hit) continue;
        any = true;
        if (!strcmp(cat, "process_creation") && !strcmp(s->channel, "security"))
            rule->map4688 = true;
        if (!s->eids[0]) {
            if (add_target(rule, s->channel, 0) != 0) return "out of memory";
            continue;
        }
        for (int k = 0; k < 6 && s->eids[k]; k++)
            if (add_target(rule, s->channel, s->eids[k]) != 0) return "out of memory";
    }
    if (any) return NULL;
    add_target(rule, "", 0);
    if (*cat) return "logsource category has no Windows event log here: offered every event";
    if (*svc) return "logsource service has no known channel: offered every event";
    return NULL;
}

/* ATT&CK techniques -> the categories of DESIGN.md; a sub-technique before its
 * technique (the first prefix that fits wins). */
static const char *const ATTACK[][2] = {
    {"t1490", "inhibit_recovery"},
    {"t1485", "inhibit_recovery"},
    {"t1562.002", "eventlog_tampering"},
    {"t1562", "defense_impairment"},
    {"t1070.001", "log_cleared"},
    {"t1070", "anti_forensics"},
    {"t1219", "remote_access_tool"},
    {"t1003", "credential_dumping"},
    {"t1110.003", "password_spray"},
    {"t1110", "brute_force"},
    {"t1136", "account_manipulation"},
    {"t1098", "account_manipulation"},
    {"t1531", "account_manipulation"},
    {"t1543.003", "service_install"},
    {"t1569.002", "service_install"},
    {"t1053", "scheduled_task"},
    {"t1021.001", "rdp_logon"},
    {"t1021", "lateral_movement"},
    {"t1570", "lateral_movement"},
    {"t1486", "ransomware_execution"},
    {"t1135", "share_enumeration"},
    {"t1091", "usb_storage"},
    {"t1052", "usb_storage"},
    {"t1204.002", "policy_violation"}, /* a document or file the user opened */
    {"t1566.001", "policy_violation"}, /* a mail attachment */
    {"t1588.002", "attacker_tool"},
};

const char *sg_attack_category(const char *tag)
{
    if (strncmp(tag, "attack.", 7) != 0) return NULL;
    tag += 7;
    for (size_t i = 0; i < sizeof ATTACK / sizeof ATTACK[0]; i++) {
        size_t n = strlen(ATTACK[i][0]);
        if (!strncmp(tag, ATTACK[i][0], n) && (tag[n] == 0 || tag[n] == '.')) return ATTACK[i][1];
    }
    return NULL;
}
