/* A tiny test harness: CHECK macros that count, and a summary line
 * "N passed, N failed" that every test program ends with.
 *
 * Data-driven tests that need ../shared/data call ks_test_data_dir(), which ends
 * the program with exit code 77 (ctest: skipped) and a clear message when the data
 * is absent. */
#ifndef KS_TEST_HARNESS_H
#define KS_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ks_t_pass, ks_t_fail;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            ks_t_pass++;                                                                           \
        } else {                                                                                   \
            ks_t_fail++;                                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long ks_a_ = (long long)(a), ks_b_ = (long long)(b);                                  \
        if (ks_a_ == ks_b_) {                                                                      \
            ks_t_pass++;                                                                           \
        } else {                                                                                   \
            ks_t_fail++;                                                                           \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a,    \
                    ks_a_, #b, ks_b_);                                                             \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *ks_a_ = (a), *ks_b_ = (b);                                                     \
        if (ks_a_ && ks_b_ && strcmp(ks_a_, ks_b_) == 0) {                                         \
            ks_t_pass++;                                                                           \
        } else {                                                                                   \
            ks_t_fail++;                                                                           \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,      \
                    ks_a_ ? ks_a_ : "(null)", ks_b_ ? ks_b_ : "(null)");                           \
        }                                                                                          \
    } while (0)

/* Print the summary; the exit status is 0 only if nothing failed. */
static inline int ks_test_done(void)
{
    printf("%d passed, %d failed\n", ks_t_pass, ks_t_fail);
    return ks_t_fail ? 1 : 0;
}

/* The whole file at path (malloc'd, caller frees), its size in *n; NULL if unreadable. */
static inline uint8_t *ks_test_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    *n = 0;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(size > 0 ? (size_t)size : 1);
    if (p) *n = fread(p, 1, size > 0 ? (size_t)size : 0, f);
    fclose(f);
    return p;
}

/* The shared real-data folder (KS_SHARED_DATA env, else the build's default), or
 * skip the whole program. */
static inline const char *ks_test_data_dir(void)
{
    const char *d = getenv("KS_SHARED_DATA");
#ifdef KS_SHARED_DATA_DEFAULT
    if (!d || !*d) d = KS_SHARED_DATA_DEFAULT;
#endif
    struct stat st;
    if (!d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIPPED: shared test data not found at %s (set KS_SHARED_DATA to ../shared/data)\n",
               d ? d : "(unset)");
        printf("0 passed, 0 failed\n");
        exit(77);
    }
    return d;
}

#endif
