/* Internals of the readiness audit shared by its core (audit.c), its readers
 * (read_*.c) and its checks (checks.c): the audit object, and what a reader calls to
 * add facts and report problems. Not part of the public interface (kensa/audit.h).
 * All memory handed out here belongs to the audit and lives until ks_audit_free. */
#ifndef KS_AUDIT_INT_H
#define KS_AUDIT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "kensa/audit.h"
#include "kensa/event.h"
#include "util/arena.h"

#define KS_AUDIT_ARENA_LIMIT (512u << 20) /* what all exports together may make us hold */
#define KS_AUDIT_MAX_FILE (64u << 20)     /* a text export larger than this is not read */
#define KS_AUDIT_MAX_DEPTH 8              /* folder levels below a path given */

/* A host as the core keeps it; pub first, so a ks_audit_host * is one of these. */
typedef struct ks_audit_hostx {
    ks_audit_host pub;
    const char *key; /* the folder path, or the host given to ks_audit_add_mem */
    bool named;      /* pub.name came from an export (auditpol's Machine Name) */
    size_t capexports, capfacts, caprates, capcomputers;
    const char **rate_computer; /* per rate: the Computer its records name, or "" */
} ks_audit_hostx;

struct ks_audit {
    ks_arena arena;
    const ks_site *site;
    ks_audit_hostx **hosts;
    size_t nhosts, caphosts;
    /* ks_audit_run's results (checks.c), in the arena */
    const ks_audit_outcome *outcomes;
    size_t noutcomes;
};

/* What a reader works on: one export of one host. */
typedef struct ks_audit_rd {
    ks_audit *a;
    ks_audit_hostx *h;
    size_t ex; /* the export's index in h->pub.exports */
    const char *file;
    ks_buf key; /* scratch for building keys */
} ks_audit_rd;

/* Memory from the audit's arena (NULL when out of memory or over the limit), and a
 * NUL-terminated copy of n bytes ("" when out of memory). */
void *ks_audit_alloc(ks_audit *a, size_t n);
const char *ks_audit_strndup(ks_audit *a, const char *p, size_t n);

/* Add a fact; key and value are copied. */
void ks_audit_fact_add(ks_audit_rd *rd, const char *key, size_t klen, const char *val, size_t vlen,
                       unsigned line);
/* Add a fact whose key is rd->key (built by the reader). */
void ks_audit_fact_addk(ks_audit_rd *rd, const char *val, size_t vlen, unsigned line);
/* A problem in the export: counted, the first one kept ("line 12: ..."), the export
 * marked PARTIAL. line 0: not at a line. */
void ks_audit_problem(ks_audit_rd *rd, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The host's name as an export gives it (auditpol's Machine Name). */
void ks_audit_set_host_name(ks_audit_rd *rd, const char *name, size_t n);
/* Add an event rate to the host whose name is `computer` (short name, ignoring case),
 * else to the reader's host. */
void ks_audit_rate_add(ks_audit_rd *rd, const ks_audit_rate *r, const char *computer);

/* Lines of UTF-8 text, CR LF or LF, numbered from 1. */
typedef struct ks_audit_lines {
    const char *p, *end;
    unsigned lineno;
    bool cut; /* the line just read is the last and has no line end: cut short? */
} ks_audit_lines;

static inline ks_audit_lines ks_audit_lines_of(const char *text, size_t n)
{
    return (ks_audit_lines){text, text + n, 0, false};
}
bool ks_audit_line(ks_audit_lines *it, ks_str *line);
/* it->cut with text on the line: report it (the export was cut short) and return
 * true, so that the reader skips the line rather than trust a value cut in two. */
bool ks_audit_line_cut(ks_audit_rd *rd, const ks_audit_lines *it, ks_str line);

/* How many bytes of s to quote in a problem: at most 60, not cutting a character.
 * Use as ("%.*s", KS_AUDIT_EXCERPT(s)). */
static inline int ks_audit_excerpt_len(ks_str s)
{
    size_t n = s.len < 60 ? s.len : 60;
    if (n < s.len)
        while (n && ((unsigned char)s.p[n] & 0xc0) == 0x80) n--;
    return (int)n;
}
#define KS_AUDIT_EXCERPT(s) ks_audit_excerpt_len(s), (s).p

/* s without blanks (space, tab, CR, U+3000 ideographic space) at either end. */
ks_str ks_audit_trim(ks_str s);

/* The readers. Text readers get the export decoded to UTF-8 (no BOM, no NUL bytes). */
void ks_audit_read_secedit(ks_audit_rd *rd, const char *text, size_t n);
void ks_audit_read_reg(ks_audit_rd *rd, const char *text, size_t n);
void ks_audit_read_auditpol(ks_audit_rd *rd, const char *text, size_t n);
void ks_audit_read_wevtutil(ks_audit_rd *rd, const char *text, size_t n);
void ks_audit_read_localgroup(ks_audit_rd *rd, const char *text, size_t n);
void ks_audit_read_smbconfig(ks_audit_rd *rd, const char *text, size_t n);
void ks_audit_read_hotfix(ks_audit_rd *rd, const char *text, size_t n);
void ks_audit_read_collectlog(ks_audit_rd *rd, const char *text, size_t n);
/* An event log: from memory when data is not NULL, else from rd->file. */
void ks_audit_read_evtx(ks_audit_rd *rd, const void *data, size_t n);

/* ks_audit_add_mem with the kind forced (KS_AUDIT_UNKNOWN: detect), for fuzzing. */
ks_status ks_audit_add_mem_kind(ks_audit *a, const char *host, const char *name, const void *data,
                                size_t size, ks_audit_kind kind);

/* The kind of decoded text (no EVTX). */
ks_audit_kind ks_audit_kind_of_text(const char *text, size_t n);

/* Drop the hosts that held only event logs whose rates moved to named hosts
 * (ks_audit_run does, before the checks). */
void ks_audit_prune(ks_audit *a);

#endif
