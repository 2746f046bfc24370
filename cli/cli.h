/* The kensa command line: one cmd_<verb>.c per verb, argument parsing and printing
 * only; everything else is a libkensa call. */
#ifndef KS_CLI_H
#define KS_CLI_H

/* Exit statuses, the same for every verb. */
enum {
    KS_EXIT_OK = 0,      /* everything was read */
    KS_EXIT_PARTIAL = 1, /* the run finished, but something was skipped or damaged */
    KS_EXIT_USAGE = 2,   /* bad arguments */
    KS_EXIT_FAIL = 3     /* nothing useful could be done (output not writable, ...) */
};

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

#endif
