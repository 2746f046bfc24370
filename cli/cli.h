/* The kensa command line: one cmd_<verb>.c per verb, argument parsing and printing
 * only; everything else is a libkensa call. */
#ifndef KS_CLI_H
#define KS_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses, the same for every verb. */
enum {
    KS_EXIT_OK = 0,      /* everything was read */
    KS_EXIT_PARTIAL = 1, /* the run finished, but something was skipped or damaged */
    KS_EXIT_USAGE = 2,   /* bad arguments */
    KS_EXIT_FAIL = 3     /* nothing useful could be done (output not writable, ...) */
};

int cmd_audit(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_investigate(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify_proof(int argc, char **argv);

/* --year YYYY (1970-2200) and --set DETECTOR.SETTING=VALUE (names copied into
 * names); -1, with a message on stderr, when the value is bad. */
struct ks_detect_override;
int cli_year(const char *s, int *year);
int cli_set(const char *a, char names[2][64], struct ks_detect_override *out);

/* --case CASE of hunt and investigate: open (or create) the case and store the
 * findings of this run of `tool`, replacing its earlier run's. keep (may be NULL)
 * receives the open case, run (may be NULL) the run's id. -1, with a message on
 * stderr, when the case cannot be opened or written. */
struct ks_finding;
struct ks_case;
int cli_case_store(const char *path, const char *tool, const struct ks_finding *f, size_t n,
                   int quiet, struct ks_case **keep, int64_t *run);
/* The same with the findings from get (as ks_case_put_findings_from). */
int cli_case_store_from(const char *path, const char *tool, size_t n,
                        const struct ks_finding *(*get)(void *ctx, size_t i), void *ctx, int quiet,
                        struct ks_case **keep, int64_t *run);

#endif
