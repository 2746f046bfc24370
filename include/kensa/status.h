/* Status codes and diagnostics shared by every part of kensa.
 *
 * Functions that can fail return a ks_status (0 is success). Parsers of untrusted
 * bytes also fill an optional caller-owned ks_diag saying what was wrong and where,
 * so that the error path never allocates. */
#ifndef KENSA_STATUS_H
#define KENSA_STATUS_H

#include <stdint.h>

typedef enum ks_status {
    KS_OK = 0,
    KS_ERR_ARG,       /* the caller passed something invalid */
    KS_ERR_NOMEM,     /* out of memory */
    KS_ERR_IO,        /* open/read/map failed (errno is in the diagnostic) */
    KS_ERR_FORMAT,    /* the bytes are not what the format says they must be */
    KS_ERR_TRUNCATED, /* the data ends before a structure does */
    KS_ERR_CHECKSUM,  /* a stored checksum does not match the data */
    KS_ERR_LIMIT,     /* a safety limit (depth, count, size) was reached */
    KS_ERR_UNSUPPORTED,
} ks_status;

/* Where and why something went wrong. Filled by parsers; never allocated. */
typedef struct ks_diag {
    const char *file; /* evidence path (borrowed), or NULL */
    uint64_t offset;  /* byte offset in the file where the problem is */
    char what[192];   /* one sentence, English, for the message catalogue to wrap */
} ks_diag;

/* A short English name for a status ("format error", ...); never NULL. */
const char *ks_status_str(ks_status st);

/* Fill d (if not NULL) with file, offset and a printf-style reason; returns st. */
ks_status ks_diag_set(ks_diag *d, ks_status st, const char *file, uint64_t offset, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));

#endif
