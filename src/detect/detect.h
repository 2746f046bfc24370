/* What a built-in detector is made of, and the helpers the engine gives it: keyed
 * state with expiry by event time, time-ordered windows of event references,
 * findings that grow while a burst lasts, and text matching helpers.
 *
 * One detector per file (src/detect/<id>.c) defines one ks_detector_def; the table
 * in src/detect/detectors.c lists them. */
#ifndef KS_DETECT_INTERNAL_H
#define KS_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kensa/detect.h"
#include "util/addr.h"

typedef struct ks_det ks_det;

typedef struct ks_detector_def {
    ks_detector_info info;
    /* Allocate the detector's state into *state (may leave it NULL); 0 on success. */
    int (*open)(ks_det *d, void **state);
    void (*event)(ks_det *d, void *state, const ks_event *ev);
    /* Report what is still open and drop all per-key state. */
    void (*end_file)(ks_det *d, void *state);
    void (*close)(ks_det *d, void *state);
} ks_detector_def;

extern const ks_detector_def *const ks_detectors[];
extern const size_t ks_ndetectors;

/* --- running detector ------------------------------------------------------ */

/* The effective value of one of the detector's parameters. */
int64_t ks_det_param(const ks_det *d, const char *name);
/* Minutes since local midnight (zone of the run) of an event time. */
int ks_det_local_minutes(const ks_det *d, int64_t t_ns);
/* Index of the current evidence file (for ks_ref). */
uint32_t ks_det_file(const ks_det *d);
/* The run's home country ("JP": two upper-case letters) and country database path
 * (NULL: find one; see ks_geoip_open). */
const char *ks_det_home_country(const ks_det *d);
const char *ks_det_geoip(const ks_det *d);
/* The site file of the run, or NULL (kensa/site.h). */
const struct ks_site *ks_det_site(const ks_det *d);
/* The detector's state (what open gave). */
void *ks_det_state(const ks_det *d);
/* The reader met damage in the current file (ks_detect_note_damage). */
bool ks_det_file_damaged(const ks_det *d);
/* Count one key that could not be tracked (table full). */
void ks_det_dropped(ks_det *d);

/* A reference to one event: enough to name it as evidence. aux is the detector's
 * (a hash of the account or source, say). */
typedef struct ks_ref {
    int64_t t;
    uint64_t record_id;
    uint32_t file;
    uint32_t aux;
} ks_ref;

ks_ref ks_ref_of(const ks_det *d, const ks_event *ev, uint32_t aux);

/* Add r to a time-ordered array of at most cap refs (the oldest is dropped when
 * full); then drop refs older than the newest minus span. */
void ks_window_add(ks_ref *w, uint32_t *n, uint32_t cap, ks_ref r, int64_t span);

/* --- findings ---------------------------------------------------------------- */

/* A new finding (malloc'd; NULL when out of memory) with the detector's defaults
 * and host, user, source copied from ev (ev may be NULL). */
ks_finding *ks_finding_new(ks_det *d, const ks_event *ev);
/* Count one more event: time range, evidence (the first KS_FINDING_EVIDENCE). */
void ks_finding_add(ks_finding *f, const ks_det *d, ks_ref r);
/* Render the explanation, hand the finding to the callback, free it. f may be NULL. */
void ks_finding_emit(ks_det *d, ks_finding *f);
/* Append name to f->user as a comma-separated list, unless already there. */
void ks_finding_add_user(ks_finding *f, ks_str name);
/* The same for f->detail. */
void ks_finding_add_detail(ks_finding *f, ks_str item);
/* Copy a view into a fixed buffer, truncated at a UTF-8 boundary. */
void ks_str_copy(char *dst, size_t cap, ks_str s);

/* --- keyed state ---------------------------------------------------------------- */

/* A table of fixed-size states keyed by (host, value) (ASCII case folded), bounded
 * in entries. Entries are zeroed when created. */
typedef struct ks_keys ks_keys;

ks_keys *ks_keys_new(size_t state_size, size_t max_entries);
/* The state for the key, created if create is set (NULL when absent, or when the
 * table is full: then the drop is counted in d). */
void *ks_keys_get(ks_keys *k, ks_det *d, const char *kind, ks_str host, ks_str value, bool create);
/* Remove every entry for which fn returns true (fn may emit its finding first). */
void ks_keys_sweep(ks_keys *k, bool (*fn)(void *ctx, void *state), void *ctx);
size_t ks_keys_size(const ks_keys *k);
void ks_keys_free(ks_keys **k);

/* A merge of related events into one finding per key: events of one key closer
 * than `gap` to the previous one join its finding. ks_group_add returns the
 * finding (new when *fresh) for the caller to fill, or NULL. */
typedef struct ks_group {
    ks_keys *keys;
    int64_t gap;
    int64_t now;
} ks_group;

int ks_group_open(ks_group *g, int64_t gap);
ks_finding *ks_group_add(ks_group *g, ks_det *d, const char *kind, ks_str host, ks_str value,
                         const ks_event *ev, bool *fresh);
/* Join ev to the open finding of this kind on its host (or start one), at level lv at
 * least, noting its account and `what` (a command line, an image path) as a detail. */
void ks_group_note(ks_group *g, ks_det *d, const char *kind, const ks_event *ev, ks_level lv,
                   ks_str what);
/* Whether the key has an open finding that an event at t would join. */
bool ks_group_has(ks_group *g, const char *kind, ks_str host, ks_str value, int64_t t);
/* Report every open finding and drop the keys. */
void ks_group_flush(ks_group *g, ks_det *d);
void ks_group_close(ks_group *g);
/* The end_file and close of a detector whose state is a malloc'd struct that starts
 * with its ks_group: flush the group; close it and free the state. */
void ks_group_state_end_file(ks_det *d, void *state);
void ks_group_state_close(ks_det *d, void *state);

/* --- text ------------------------------------------------------------------------ */

/* Exact comparison with a literal (inline: the literal's length is folded). */
static inline bool ks_str_eq(ks_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && (!n || !memcmp(s.p, lit, n));
}
bool ks_str_ieq(ks_str s, const char *lit);
/* ASCII case-insensitive substring search. */
bool ks_str_icontains(ks_str s, const char *lit);
/* The last path component (after \ or /). */
ks_str ks_str_basename(ks_str s);
/* A stable 32-bit hash of the ASCII-lowercased text (never 0 for non-empty). */
uint32_t ks_str_hash(ks_str s);
/* The named field's value as UTF-8 text (any type), in one of a few scratch buffers
 * of d: valid until the fourth next call. Empty when absent. */
ks_str ks_det_text(ks_det *d, const ks_event *ev, const char *name);
/* A PowerShell script block (4104 ScriptBlockText), or empty for a module manifest
 * (it lists cmdlet names such as Clear-EventLog without running them). */
ks_str ks_det_script(ks_det *d, const ks_event *ev);
/* The provider is Microsoft-Windows-Security-Auditing. */
static inline bool ks_event_is_security(const ks_event *ev)
{
    return ks_str_eq(ev->provider, "Microsoft-Windows-Security-Auditing");
}

/* Why a program path or command line that a service or task runs looks wrong, or
 * NULL: KS_WHY_COMMAND (a shell, script host or LOLBin), KS_WHY_WRITABLE (a folder
 * users can write: Temp, AppData, Users, ProgramData, PerfLogs), KS_WHY_UNC (a
 * network path), KS_WHY_UNUSUAL (outside Windows and Program Files). */
typedef enum ks_why {
    KS_WHY_NONE,
    KS_WHY_UNUSUAL,
    KS_WHY_UNC,
    KS_WHY_WRITABLE,
    KS_WHY_COMMAND
} ks_why;
ks_why ks_command_suspicion(ks_str cmd);
const char *ks_why_name(ks_why w);

/* Command lines matched by words: lowercased, without ^ and quotes, spaces
 * collapsed (ks_cmd_normalize, at most cap - 1 bytes kept); a rule matches when
 * every word of `all` is in the text and, if `any` is given, one of `any`. */
typedef struct ks_cmd_rule {
    const char *all[3]; /* NULL-ended */
    const char *any[4]; /* NULL-ended; none: no condition */
    int variant;
    ks_level level;
} ks_cmd_rule;

size_t ks_cmd_normalize(ks_str in, char *out, size_t cap);
/* The event's command normalized so (sem.command_line; for PowerShell 4104 the script
 * block, see ks_det_script), made once per event and shared by the detectors; a
 * trailing space is added so that a last word can be matched as " word ". Valid
 * during the event's feed. */
const char *ks_det_command(ks_det *d, const ks_event *ev);
const ks_cmd_rule *ks_cmd_match(const ks_cmd_rule *rules, size_t n, const char *text);

/* --- Sigma rules in the engine (sigma_hunt.c) --------------------------------------- */

typedef struct ks_sigma_hunt ks_sigma_hunt;
struct ks_sigma_rules;
ks_sigma_hunt *ks_sigma_hunt_open(const struct ks_sigma_rules *rules);
void ks_sigma_hunt_feed(ks_sigma_hunt *h, ks_detect *e, const ks_event *ev);
/* Report every open finding (end of a file). */
void ks_sigma_hunt_flush(ks_sigma_hunt *h, ks_detect *e);
void ks_sigma_hunt_close(ks_sigma_hunt *h);
/* The current evidence file's name (lives as long as the engine; "" when none). */
const char *ks_detect_file_name(const ks_detect *e);
/* Count a complete finding and hand it to the callback. */
void ks_detect_deliver(ks_detect *e, const ks_finding *f);

#define KS_MINUTE_NS (INT64_C(60) * 1000000000)
#define KS_SECOND_NS INT64_C(1000000000)

#endif
