/* The investigation: from evidence files to "they got in at 02:24 on the 16th".
 *
 * Reads every evidence file, runs the built-in detectors, links the findings and the
 * logons around them into attack chains (entry -> spread -> persistence -> evasion ->
 * impact) by account, source address, host and time, estimates the first intrusion
 * time with a confidence and the reason, and measures the log coverage that bounds the
 * estimate (per host and log: first and last event, gaps, cleared logs). The result is
 * written as findings.jsonl, timeline.csv, summary.json and report.html. */
#ifndef KENSA_INVESTIGATE_H
#define KENSA_INVESTIGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/detect.h"
#include "kensa/site.h"
#include "kensa/source.h"
#include "kensa/status.h"

/* The stages of an intrusion, in the order they usually come. */
typedef enum ks_stage {
    KS_STAGE_ENTRY,       /* VPN or RDP from outside, brute force then success */
    KS_STAGE_SPREAD,      /* logons to other hosts, remote services, PsExec, tools */
    KS_STAGE_PERSISTENCE, /* services, tasks, accounts, remote-access tools */
    KS_STAGE_EVASION,     /* cleared logs, deleted shadow copies, security turned off */
    KS_STAGE_IMPACT,      /* encryption, ransom notes */
    KS_STAGE_COUNT
} ks_stage;

/* "entry", "spread", "persistence", "evasion", "impact". */
const char *ks_stage_name(ks_stage s);

/* One step of a chain: a finding, or a logon seen around it. */
typedef struct ks_step {
    ks_stage stage;
    int64_t time_ns;
    long finding;     /* index in ks_investigation.findings, or -1 for a logon */
    const char *kind; /* detector id, or "network_logon" / "rdp_logon_to" for logons */
    char host[128];
    char user[160];
    char src_ip[64];
    char what[256];   /* a short description (English for logons; the finding's detail) */
    const char *file; /* evidence of the step (lives as long as the investigation) */
    uint64_t record_id;
} ks_step;

typedef struct ks_chain {
    ks_step *steps; /* in time order */
    size_t nsteps;
    uint64_t steps_dropped; /* beyond KS_CHAIN_MAX_STEPS */
    bool has_entry;         /* starts at an entry; else signs without a known entry */
    bool strong;            /* an entry proven by failures then success, or followed up */
    int64_t first_ns, last_ns;
    int64_t entry_ns;   /* the first successful access (has_entry) */
    int64_t attempt_ns; /* the first attempt (first failure of the burst), or 0 */
    char account[160];  /* the account the attacker used */
    char src_ip[64];    /* where from */
    char entry_host[128];
    /* An entry through a VPN: the internal address the VPN gave the attacker
     * (FortiGate tunnelip=, assigned_ip= of the other vendors) while the tunnel was up
     * (via_to 0: its end was not seen; a day then), and the account of the first
     * logon from that address when it is not `account` (the VPN's user is often a
     * local one of the device: the Windows account is another). Logons from via_ip in
     * that time, and of via_account afterwards, belong to the chain. */
    char via_ip[64];
    int64_t via_from, via_to;
    char via_account[160];
    unsigned stages; /* bit per ks_stage seen */
    ks_level severity;
} ks_chain;

#define KS_CHAIN_MAX_STEPS 4096
#define KS_INV_MAX_MINOR 100000

/* Coverage of one log on one host. */
typedef struct ks_coverage {
    char host[128];
    char channel[64];
    const char *file;
    uint64_t events;
    int64_t first_ns, last_ns;
    int64_t gap_from, gap_to; /* the longest silence between two events */
    int64_t cleared_ns;       /* the log was cleared at (1102, 104), or 0 */
    char cleared_by[160];
    bool bounds; /* cleared, or the entry host's Security log starting late: the
                    intrusion may be earlier than the estimate */
} ks_coverage;

/* Logons of one account on one host. */
typedef struct ks_logon_sum {
    char host[128];
    char user[160];
    uint64_t interactive, network, rdp, other, failed;
    int64_t first_ns, last_ns;
    char last_src[64];
    uint32_t sources; /* distinct source addresses (up to 255 counted) */
} ks_logon_sum;

typedef enum ks_confidence {
    KS_CONF_NONE,
    KS_CONF_LOW,
    KS_CONF_MEDIUM,
    KS_CONF_HIGH
} ks_confidence;
/* "none", "low", "medium", "high". */
const char *ks_confidence_name(ks_confidence c);

typedef struct ks_estimate {
    bool found;
    int64_t time_ns;    /* the first intrusion: earliest entry of a strong chain */
    int64_t attempt_ns; /* the first attempt that led to it (0: none seen) */
    ks_confidence confidence;
    size_t chain; /* index of the chain it comes from */
    char host[128], user[160], src_ip[64];
    const char *file;
    uint64_t record_id;
    /* English: why this time; the report writes its own words from the fields */
    char reason[512];
    /* the intrusion may be earlier: the logs that bound the estimate start late or
     * were cleared */
    bool maybe_earlier;
    char earlier_why[512];
} ks_estimate;

typedef struct ks_investigation {
    ks_finding *findings; /* in time order */
    size_t nfindings;
    /* info and low findings beyond KS_INV_MAX_MINOR are counted, not kept (an
     * informational Sigma rule may fire on every logon of a year) */
    uint64_t findings_dropped;
    int *finding_chain; /* per finding: chain index, or -1 */
    ks_chain *chains;   /* strongest first: the intrusion is chains[0] */
    size_t nchains;
    ks_coverage *coverage;
    size_t ncoverage;
    ks_logon_sum *logons;
    size_t nlogons;
    uint64_t logons_dropped; /* (host, account) pairs beyond the table */
    ks_estimate estimate;
    char **files; /* evidence files read */
    size_t nfiles;
    unsigned files_failed;
    uint64_t events, skipped;
    char zone[64]; /* zone of local times */
    void *tz;      /* the zone (internal) */
} ks_investigation;

typedef void (*ks_investigate_progress_fn)(void *ctx, const char *file, unsigned pass, size_t index,
                                           size_t nfiles);

typedef struct ks_investigate_opts {
    const ks_site *site; /* may be NULL */
    const char *tz;      /* overrides the site's zone; NULL: site's, else this machine's */
    int year;            /* syslog lines without a year */
    /* Sigma rules run beside the detectors (kensa/sigma.h); their findings name the
     * rule as detector, so the rules must outlive the investigation. NULL: none. */
    const struct ks_sigma_rules *sigma;
    const ks_detect_override *overrides; /* after the site's */
    size_t noverrides;
    ks_problem_fn on_problem; /* problems met reading evidence; may be NULL */
    ks_walk_fn on_file;       /* every file found (also those that cannot be read) */
    ks_investigate_progress_fn progress;
    void *ctx;
} ks_investigate_opts;

/* Investigate the evidence under paths (files or folders). Fails only when nothing
 * could be set up (a bad zone or setting: KS_ERR_ARG with diag); files that cannot
 * be read are counted in files_failed. *out is owned by the caller. */
ks_status ks_investigate_run(ks_investigation **out, char *const *paths, size_t npaths,
                             const ks_investigate_opts *o, ks_diag *diag);
void ks_investigate_free(ks_investigation **inv);

/* A time as "YYYY-MM-DD HH:MM" (seconds when secs) in the investigation's zone. */
void ks_investigate_local(const ks_investigation *inv, int64_t ns, char *out, size_t cap,
                          bool secs);

/* One line on why the intrusion may be earlier, from a coverage entry with bounds
 * set, in the current language. */
void ks_investigate_bound_text(const ks_investigation *inv, const ks_coverage *c, char *out,
                               size_t cap);

/* Write DIR/findings.jsonl, DIR/timeline.csv, DIR/summary.json and DIR/report.html
 * (DIR is created when missing). Texts in the current language (ks_lang_get). */
ks_status ks_investigate_write(const ks_investigation *inv, const char *dir, ks_diag *diag);
/* summary.json's text: the estimate, its confidence and reason, the chains. */
void ks_investigate_summary_json(ks_buf *b, const ks_investigation *inv);
/* The report alone. */
ks_status ks_investigate_write_html(const ks_investigation *inv, const char *path, ks_diag *diag);

#endif
