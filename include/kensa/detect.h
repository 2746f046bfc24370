/* Built-in detectors: the signs of a ransomware intrusion, found in a stream of
 * normalized events (brute force, logons after failures, cleared logs, services
 * installed, shadow copies deleted, remote access tools, ...).
 *
 * The engine is fed one evidence file at a time (begin_file, feed every event,
 * end_file). Windows are kept by event time, keyed by host and account or source,
 * and expire as event time moves on; nothing ever reads the clock of the machine
 * running kensa. Findings are handed to a callback as soon as they are complete. */
#ifndef KENSA_DETECT_H
#define KENSA_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/event.h"
#include "kensa/i18n.h"
#include "kensa/status.h"

/* How urgent a finding is. */
typedef enum ks_level {
    KS_LEVEL_INFO,
    KS_LEVEL_LOW,
    KS_LEVEL_MEDIUM,
    KS_LEVEL_HIGH,
    KS_LEVEL_CRITICAL
} ks_level;

/* "info", "low", "medium", "high", "critical". */
const char *ks_level_name(ks_level l);

/* A tunable number of a detector, with its default (site.yaml overrides it). */
typedef struct ks_param {
    const char *name; /* "count", "window_s", ... */
    int64_t value;    /* the default */
    const char *what; /* one English line for --help and docs */
} ks_param;

#define KS_DETECT_MAX_PARAMS 8
#define KS_DETECT_MAX_CATEGORIES 4
#define KS_DETECT_MAX_VARIANTS 6

/* One built-in detector, as registered in the table (src/detect/detectors.c).
 * Texts are indexed by ks_lang (0 English, 1 Japanese). An explanation is a
 * template whose {count}, {user}, {src}, {host}, {detail}, {accounts} and {minutes}
 * are replaced by the finding's values; a detector has one template per variant
 * (for example failures per account and per source). */
typedef struct ks_detector_info {
    const char *id;
    const char *title[2];
    const char *explain[KS_DETECT_MAX_VARIANTS][2];
    const char *categories[KS_DETECT_MAX_CATEGORIES]; /* DESIGN.md names, NULL-ended */
    const char *attack;                               /* ATT&CK ids, space-separated */
    ks_level severity;                                /* the usual level of its findings */
    ks_param params[KS_DETECT_MAX_PARAMS];            /* name NULL ends the list */
} ks_detector_info;

size_t ks_detector_count(void);
const ks_detector_info *ks_detector_at(size_t i);
const ks_detector_info *ks_detector_find(const char *id);

/* One event that proves a finding: its evidence file and record id (line number
 * for text formats). */
typedef struct ks_evidence {
    const char *file;
    uint64_t record_id;
    int64_t time_ns;
} ks_evidence;

#define KS_FINDING_EVIDENCE 16

/* A finding. Handed to the callback by pointer, valid for the callback's duration;
 * the struct itself holds no owned memory (its strings are arrays; categories,
 * detector and evidence file names live as long as the engine), so a plain copy
 * stays usable until ks_detect_close. */
typedef struct ks_finding {
    const ks_detector_info *detector;
    const char *categories[KS_DETECT_MAX_CATEGORIES]; /* NULL-ended */
    ks_level severity;
    int variant; /* which explanation template */
    char host[128];
    char user[160];   /* the account (several, comma-separated, for a source's burst) */
    char src_ip[64];  /* the remote address, when known */
    char detail[256]; /* what was seen: a service, a command line, a tool, a group */
    int64_t first_ns, last_ns;
    uint64_t count;        /* events that make up the finding */
    uint32_t accounts;     /* distinct accounts involved (0: not counted) */
    char explanation[512]; /* one line in the language of ks_lang_get() */
    size_t nevidence;      /* at most KS_FINDING_EVIDENCE; count says how many in all */
    ks_evidence evidence[KS_FINDING_EVIDENCE];
} ks_finding;

/* Append f as one JSON object (detector, categories, attack, severity, host, user,
 * src_ip, first, last, title, explanation, detail, count, evidence [{file, record_id,
 * time}]). extra (may be NULL) is JSON text inserted before "evidence", starting with
 * a comma (",\"chain\":1"). */
void ks_finding_write_json(ks_buf *b, const ks_finding *f, const char *extra);

typedef void (*ks_finding_fn)(void *ctx, const ks_finding *f);

/* A threshold or setting of one detector changed from its default; param "enabled"
 * with value 0 turns the detector off. */
typedef struct ks_detect_override {
    const char *detector;
    const char *param;
    int64_t value;
} ks_detect_override;

typedef struct ks_detect_opts {
    const ks_detect_override *overrides;
    size_t noverrides;
    /* zone of business hours (rdp_logon): IANA name or offset; NULL: the machine's */
    const char *tz;
    ks_finding_fn on_finding;
    void *ctx;
    /* vpn_foreign: the home country (ISO 3166 alpha-2); NULL or "": the site file's
     * home_country, else "JP" */
    const char *home_country;
    /* vpn_foreign: the country database (.mmdb); NULL: $KENSA_GEOIP, else the one
     * scripts/install-deps installed (data/geoip/). Without one vpn_foreign is off. */
    const char *geoip;
    /* the site file (kensa/site.h), borrowed until ks_detect_close: host roles
     * (long_session on file and backup servers), home_country; NULL: none */
    const struct ks_site *site;
} ks_detect_opts;

typedef struct ks_detect_stats {
    uint64_t events;
    uint64_t findings;
    uint64_t keys_dropped; /* keys not tracked because the state table was full */
    uint64_t bad_time;     /* events left out: a time before 1824 or after 2116 */
} ks_detect_stats;

typedef struct ks_detect ks_detect;

/* Fails with KS_ERR_ARG (and diag) for an override naming an unknown detector or
 * parameter or out of range (0 to 10^9), or an unknown zone. */
ks_status ks_detect_open(ks_detect **out, const ks_detect_opts *o, ks_diag *diag);
/* The effective value of a parameter (after overrides); 0 if there is none. */
int64_t ks_detect_param(const ks_detect *d, const char *detector, const char *param);
struct ks_sigma_rules;
/* Also run Sigma rules (kensa/sigma.h), borrowed until ks_detect_close; their findings
 * carry category "sigma" (and those of the rule's ATT&CK tags) and the rule as
 * detector (id, title, level). KS_ERR_NOMEM, or KS_ERR_ARG if rules were added already. */
ks_status ks_detect_add_sigma(ks_detect *d, const struct ks_sigma_rules *rules);
/* Start a file: evidence of the following events names it (copied). */
void ks_detect_begin_file(ks_detect *d, const char *file);
/* One event, borrowed for the call. Events of a file are expected roughly in time
 * order (as a log is written); each window sorts what arrives within its span. */
void ks_detect_feed(ks_detect *d, const ks_event *ev);
/* The reader met damage in the current file (records skipped, or recovered from
 * overwritten data): call it from the source's on_problem. Record-id gaps in the
 * file are then reported as possible corruption, not as records deleted. */
void ks_detect_note_damage(ks_detect *d);
/* End the file: every open window is closed and its finding reported, and all
 * per-key state is dropped, so correlation stays within one log. */
void ks_detect_end_file(ks_detect *d);
const ks_detect_stats *ks_detect_get_stats(const ks_detect *d);
/* Ends the current file if one is open. NULL is fine; *d is set to NULL. */
void ks_detect_close(ks_detect **d);

/* A time as "YYYY-MM-DD HH:MM:SS" in the run's zone (opts.tz), and that zone's name. */
void ks_detect_format_time(const ks_detect *d, int64_t ns, char *out, size_t cap);
const char *ks_detect_zone(const ks_detect *d);

/* The categories of a finding as text ("brute_force,logon_after_failures"). */
void ks_finding_categories(const ks_finding *f, char *out, size_t cap);

#endif
