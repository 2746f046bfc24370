/* Fuzz target: the Sigma rule loader (YAML through libyaml, modifiers, wildcards,
 * conditions, regular expressions) on any bytes, then every loaded rule matched
 * against a few fixed events (Sysmon process creation, a Security 4688 and logon),
 * and every string of the load report and of the rules read. */
#include <stdint.h>
#include <string.h>

#include "kensa/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

#define F(n, v)                                                                                    \
    {                                                                                              \
        {n, sizeof n - 1},                                                                         \
        {                                                                                          \
            (const uint8_t *)v, sizeof v - 1, KS_VT_UTF8                                           \
        }                                                                                          \
    }

static const ks_field sysmon_fields[] = {
    F("Image", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"),
    F("CommandLine", "powershell -enc SQBFAFgAIAAoAE4AZQB3AA== -nop /w hidden"),
    F("ParentImage", "C:\\Windows\\explorer.exe"),
    F("User", "CORP\\alice"),
    F("DestinationIp", "10.1.2.3"),
    F("LogonType", "10"),
    F("Empty", ""),
};
static const ks_field sec_fields[] = {
    F("NewProcessName", "C:\\Windows\\System32\\cmd.exe"),
    F("ParentProcessName", "C:\\Windows\\System32\\services.exe"),
    F("CommandLine", "cmd.exe /c vssadmin delete shadows /all /quiet"),
    F("SubjectUserName", "alice"),
    F("TargetUserName", "ALICE"),
    F("IpAddress", "fe80::1"),
};

static ks_event event(const char *channel, uint32_t eid, const ks_field *f, size_t n)
{
    ks_event ev;
    memset(&ev, 0, sizeof ev);
    ev.channel = (ks_str){channel, strlen(channel)};
    ev.provider = (ks_str){"Microsoft-Windows-Sysmon", 24};
    ev.host = (ks_str){"PC1", 3};
    ev.event_id = eid;
    ev.fields = f;
    ev.nfields = n;
    return ev;
}

static void on_match(void *ctx, size_t rule, const ks_event *ev)
{
    (void)ctx;
    sink += rule + ev->event_id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ks_sigma_rules *r = NULL;
    if (ks_sigma_open(&r) != KS_OK) return 0;
    ks_sigma_load_mem(r, data, size, "fuzz.yml");
    const ks_sigma_report *rep = ks_sigma_get_report(r);
    for (size_t i = 0; i < rep->failed; i++)
        sink += strlen(rep->failures[i].file) + strlen(rep->failures[i].reason);
    ks_sigma_matcher *m = NULL;
    if (ks_sigma_count(r) && ks_sigma_matcher_open(&m, r) == KS_OK) {
        ks_event evs[3] = {
            event("Microsoft-Windows-Sysmon/Operational", 1, sysmon_fields,
                  sizeof sysmon_fields / sizeof sysmon_fields[0]),
            event("Security", 4688, sec_fields, sizeof sec_fields / sizeof sec_fields[0]),
            event("Security", 4624, sec_fields, sizeof sec_fields / sizeof sec_fields[0]),
        };
        for (int k = 0; k < 3; k++) {
            ks_sigma_match(m, &evs[k], on_match, NULL);
            for (size_t i = 0; i < ks_sigma_count(r); i++)
                sink += ks_sigma_match_rule(m, i, &evs[k]);
        }
        sink += ks_sigma_matcher_flush(m, on_match, NULL); /* bounded correlations */
        for (size_t i = 0; i < ks_sigma_count(r); i++) {
            const ks_sigma_rule_info *in = ks_sigma_rule_at(r, i);
            sink += strlen(in->id) + strlen(in->title) + strlen(in->fields) +
                    strlen(in->falsepositives) + strlen(in->detector.attack) + in->level;
            for (int t = 0; t < KS_SIGMA_MAX_TAGS && in->tags[t]; t++) sink += strlen(in->tags[t]);
        }
        ks_sigma_matcher_close(&m);
    }
    ks_sigma_close(&r);
    return 0;
}
