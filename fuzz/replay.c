/* Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without libFuzzer:
 * what ctest runs over fuzz/corpus/<target>/ and the shared samples, under ASan and
 * UBSan in the asan preset. Each input runs in a child process with a time limit, so
 * one crash or hang is reported with its file name and the others still run.
 *
 * usage: <target>_replay [--data SUBDIR] [--timeout SECONDS] [--no-fork] PATH... */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned timeout_s = 120;
static int no_fork;
static const char *current;

/* Sanitizers call this before they end the process: name the input. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void name_current(void)
{
    if (current) fprintf(stderr, "replay: the input was %s\n", current);
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *p = malloc(cap);
    while (p) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *q = realloc(p, cap *= 2);
        if (!q) {
            free(p);
            p = NULL;
        }
        p = q;
    }
    int bad = !p || ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        return -1;
    }
    /* a copy of exactly the input's size, so that reads past it are caught */
    *data = malloc(n ? n : 1);
    if (*data) memcpy(*data, p, n);
    free(p);
    *size = n;
    return *data ? 0 : -1;
}

/* Every target is also given the empty input (an empty file in a corpus would look
 * like a copy of the shared data's empty.evtx). */
static const char EMPTY[] = "(the empty input)";

static int run_one(const char *path)
{
    uint8_t *data = NULL;
    size_t size = 0;
    if (path == EMPTY) data = malloc(1); /* libFuzzer passes a valid pointer, size 0 */
    if (path == EMPTY ? !data : read_file(path, &data, &size) != 0) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    current = path;
    LLVMFuzzerTestOneInput(data, size);
    current = NULL;
    free(data);
    return 0;
}

/* Run one input, in a child unless --no-fork; 0 when it passed. */
static int replay(const char *path)
{
    if (no_fork) return run_one(path);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "replay: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        alarm(timeout_s);
        exit(run_one(path)); /* exit, not _exit: LeakSanitizer checks at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        fprintf(stderr, "FAILED: %s: no result after %u s (a hang?)\n", path, timeout_s);
    else if (WIFSIGNALED(status))
        fprintf(stderr, "FAILED: %s: killed by signal %d\n", path, WTERMSIG(status));
    else
        fprintf(stderr, "FAILED: %s: exit status %d\n", path, WEXITSTATUS(status));
    return 1;
}

static int skip_name(const char *name)
{
    return name[0] == '.';
}

/* Replay a file, or every file under a directory in name order. */
static void walk(const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "FAILED: %s: %s\n", path, strerror(errno));
        ks_t_fail++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (replay(path))
            ks_t_fail++;
        else
            ks_t_pass++;
        return;
    }
    if (depth > 32) return;
    struct dirent **ents;
    int n = scandir(path, &ents, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "FAILED: %s: %s\n", path, strerror(errno));
        ks_t_fail++;
        return;
    }
    for (int i = 0; i < n; i++) {
        if (!skip_name(ents[i]->d_name)) {
            size_t len = strlen(path) + strlen(ents[i]->d_name) + 2;
            char *sub = malloc(len);
            if (sub) {
                snprintf(sub, len, "%s/%s", path, ents[i]->d_name);
                walk(sub, depth + 1);
                free(sub);
            }
        }
        free(ents[i]);
    }
    free(ents);
}

int main(int argc, char **argv)
{
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(name_current);
    const char *data_sub = NULL;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--no-fork") == 0) {
            no_fork = 1;
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout_s = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data_sub = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--data SUBDIR] [--timeout S] [--no-fork] PATH...\n",
                    argv[0]);
            return 2;
        }
    }
    if (data_sub) {
        /* a folder of the shared samples; skipped (77) when they are absent */
        const char *d = ks_test_data_dir();
        size_t len = strlen(d) + strlen(data_sub) + 2;
        char *path = malloc(len);
        if (!path) return 1;
        snprintf(path, len, "%s/%s", d, data_sub);
        walk(path, 0);
        free(path);
    }
    if (replay(EMPTY))
        ks_t_fail++;
    else
        ks_t_pass++;
    for (; i < argc; i++) walk(argv[i], 0);
    return ks_test_done();
}
