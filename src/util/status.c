/* Names for status codes, and filling diagnostics without allocating. */
#include <stdarg.h>
#include <stdio.h>

#include "kensa/status.h"

const char *ks_status_str(ks_status st)
{
    switch (st) {
    case KS_OK: return "ok";
    case KS_ERR_ARG: return "invalid argument";
    case KS_ERR_NOMEM: return "out of memory";
    case KS_ERR_IO: return "I/O error";
    case KS_ERR_FORMAT: return "format error";
    case KS_ERR_TRUNCATED: return "truncated data";
    case KS_ERR_CHECKSUM: return "checksum mismatch";
    case KS_ERR_LIMIT: return "safety limit reached";
    case KS_ERR_UNSUPPORTED: return "unsupported";
    }
    return "unknown status";
}

ks_status ks_diag_set(ks_diag *d, ks_status st, const char *file, uint64_t offset, const char *fmt,
                      ...)
{
    if (!d) return st;
    d->file = file;
    d->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->what, sizeof d->what, fmt, ap);
    va_end(ap);
    return st;
}
