/* Sigma rules: loaded from YAML files and folders, compiled once, and matched against
 * normalized events (EVTX and every export format).
 *
 * A ks_sigma_rules set owns every rule and the load report; it is read-only once
 * loaded, so several matchers (one per thread) may share it. */
#ifndef KENSA_SIGMA_H
#define KENSA_SIGMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/detect.h"
#include "kensa/event.h"
#include "kensa/status.h"

#define KS_SIGMA_MAX_TAGS 16

/* What a loaded rule says about itself. Strings live as long as the rule set. */
typedef struct ks_sigma_rule_info {
    const char *id, *title, *status, *description, *file;
    ks_level level;
    const char *product, *service, *category; /* logsource; "" when absent */
    const char *tags[KS_SIGMA_MAX_TAGS];      /* NULL-ended ("attack.t1490", ...) */
    const char *fields;                       /* the `fields` list, comma-separated */
    const char *falsepositives;               /* the same for `falsepositives` */
    /* as a built-in detector (id, title, categories, ATT&CK ids, level), for hunt */
    ks_detector_info detector;
} ks_sigma_rule_info;

/* A rule that was not loaded: its file and why, in one English sentence. */
typedef struct ks_sigma_failure {
    const char *file;
    const char *reason;
} ks_sigma_failure;

typedef struct ks_sigma_report {
    size_t files;  /* YAML files read */
    size_t loaded; /* rules compiled */
    size_t failed; /* rules (or files) not loaded, each in failures[] */
    size_t notes;  /* rules loaded with a remark (unmapped logsource, ...) */
    const ks_sigma_failure *failures;
} ks_sigma_report;

typedef struct ks_sigma_rules ks_sigma_rules;

ks_status ks_sigma_open(ks_sigma_rules **out);
/* Load a .yml/.yaml file, or every such file under a folder (name order, 32 levels).
 * Rules that cannot be loaded are recorded in the report, not returned as errors;
 * KS_ERR_IO (with diag) only when path itself cannot be read. */
ks_status ks_sigma_load_path(ks_sigma_rules *r, const char *path, ks_diag *diag);
/* Load the rule (or rules: several YAML documents) in memory; name is for the report.
 * Returns the number of rules loaded from it. */
size_t ks_sigma_load_mem(ks_sigma_rules *r, const void *yaml, size_t n, const char *name);
const ks_sigma_report *ks_sigma_get_report(const ks_sigma_rules *r);
size_t ks_sigma_count(const ks_sigma_rules *r);
const ks_sigma_rule_info *ks_sigma_rule_at(const ks_sigma_rules *r, size_t i);
/* The index of the rule with that id, or -1. */
long ks_sigma_find(const ks_sigma_rules *r, const char *id);
void ks_sigma_close(ks_sigma_rules **r);

/* Per-thread matching state over a shared rule set. */
typedef struct ks_sigma_matcher ks_sigma_matcher;

typedef void (*ks_sigma_match_fn)(void *ctx, size_t rule, const ks_event *ev);

ks_status ks_sigma_matcher_open(ks_sigma_matcher **out, const ks_sigma_rules *r);
/* Offer ev to every rule whose logsource and event id it can match; fn (may be NULL)
 * is called for each rule that matches, and for each correlation rule that fires on
 * ev (its window reached the condition; a window of a bounded condition, lt / lte /
 * eq / neq, is judged when ev of its key falls beyond the timespan, and fires with an
 * event that holds only the time, record id and host of the window's last event).
 * Rules named only by correlations without `generate: true` feed them and are not
 * reported. Returns the number of calls.
 * Events of a file are expected in time order, as a log is written. */
size_t ks_sigma_match(ks_sigma_matcher *m, const ks_event *ev, ks_sigma_match_fn fn, void *ctx);
/* At the end of each evidence file: judge the open windows of correlations whose
 * condition has an upper bound (lt, lte, eq, neq), calling fn for each that fires
 * (with an event that holds only the time, record id and host of the window's last
 * event), then forget every window. Returns the number of calls. */
size_t ks_sigma_matcher_flush(ks_sigma_matcher *m, ks_sigma_match_fn fn, void *ctx);
/* Forget every correlation window without judging them. */
void ks_sigma_matcher_reset(ks_sigma_matcher *m);
/* Whether rule i matches ev (no index, no correlation: for tests). */
bool ks_sigma_match_rule(ks_sigma_matcher *m, size_t i, const ks_event *ev);
void ks_sigma_matcher_close(ks_sigma_matcher **m);

/* The finding categories a rule's ATT&CK tags imply ("sigma" first), NULL-ended,
 * at most KS_DETECT_MAX_CATEGORIES entries. */
void ks_sigma_categories(const ks_sigma_rule_info *rule, const char **out);

#endif
