/* Tables shared by the CSV reader (csv.c) and writer (csv_write.c), defined in
 * csv_strings.c: the EventData names behind LogParser's pipe-joined `Strings` column,
 * and the labels of the messages Event Viewer writes in its "Save as CSV" exports
 * (English and Japanese), mapped to the same EventData names. */
#ifndef KS_INGEST_CSV_TABLES_H
#define KS_INGEST_CSV_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/event.h"

#define KS_PROVIDER_SECURITY "Microsoft-Windows-Security-Auditing"
#define KS_PROVIDER_EVENTLOG "Microsoft-Windows-Eventlog"
#define KS_PROVIDER_SCM "Service Control Manager"

/* One template of one event: its EventData (or UserData) names in the order Windows
 * writes them, which is the order of LogParser's Strings. */
typedef struct ks_csv_strings {
    const char *provider;
    uint32_t event_id;
    uint8_t version; /* the template's version, for reference (LogParser does not say) */
    int8_t greedy;   /* index of a name whose value may hold '|' (a command line), or -1 */
    bool binary;     /* the event also has <Binary> (LogParser's Data column) */
    uint8_t count;   /* number of names */
    const char *const *names;
} ks_csv_strings;

/* The template of (provider, event id) with `n` strings. When no template has exactly
 * n names but one with a greedy name has fewer, that one is returned and *extra says
 * how many '|'-separated pieces its greedy name absorbs (0 otherwise). NULL when the
 * event is not in the table or no template fits. */
const ks_csv_strings *ks_csv_strings_find(ks_str provider, uint32_t event_id, size_t n,
                                          size_t *extra);
/* The template of the event with the most names (the newest), or NULL. */
const ks_csv_strings *ks_csv_strings_newest(ks_str provider, uint32_t event_id);

/* The channel an event of this provider is written to, for exports that do not say
 * ("Security", "System"), or NULL when unknown. */
const char *ks_csv_channel_of(ks_str provider, uint32_t event_id);

/* Event Viewer message labels. A label ("Account Name", "アカウント名") is mapped to
 * its canonical English text; NULL when it is not a label kensa knows. *section is set
 * when the label is a section heading ("Subject", "サブジェクト"). */
const char *ks_csv_label(const char *p, size_t n, bool *section);
/* The EventData name of the item `label` under `section` (canonical English; section
 * NULL for an item outside any section) in the message of (provider, event id), or
 * NULL when the item is not mapped. */
const char *ks_csv_label_field(ks_str provider, uint32_t event_id, const char *section,
                               const char *label);

/* A message that is one sentence with values in it (System 7036, 7040, 104): the
 * pattern with %1..%3 for the values and the names of the values. */
typedef struct ks_csv_sentence {
    const char *provider;
    uint32_t event_id;
    const char *pattern;
    const char *names[3];
} ks_csv_sentence;
extern const ks_csv_sentence ks_csv_sentences[];
extern const size_t ks_csv_nsentences;

/* Level and keyword words of the first column ("Information", "情報", "Audit Success",
 * "成功の監査"): true when known, with the level and the keyword bits they stand for. */
bool ks_csv_level_word(const char *p, size_t n, uint8_t *level, uint64_t *keywords);

#define KS_KW_AUDIT_SUCCESS 0x0020000000000000ull
#define KS_KW_AUDIT_FAILURE 0x0010000000000000ull
#define KS_KW_CLASSIC 0x0080000000000000ull

#endif
