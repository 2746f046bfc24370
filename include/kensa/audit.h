/* The readiness audit: settings exported by Windows' own tools (secedit /export,
 * auditpol /r, reg export, wevtutil gl, net localgroup administrators,
 * Get-SmbServerConfiguration, Get-HotFix) read into facts per host, and checked
 * against what hospital security training asks (lockout, administrators, UAC, SMBv1,
 * macros, RDP, USB, audit policy, log retention).
 *
 * Readers turn exports into facts (key = namespace:path, value = text); checks read
 * facts only, so a check never knows which tool or language produced them. */
#ifndef KENSA_AUDIT_H
#define KENSA_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/detect.h"
#include "kensa/site.h"
#include "kensa/status.h"

/* What an export is, found from its content (never from its file name). */
typedef enum ks_audit_kind {
    KS_AUDIT_UNKNOWN = 0,
    KS_AUDIT_SECEDIT,    /* secedit /export /cfg: INF, usually UTF-16LE with BOM */
    KS_AUDIT_AUDITPOL,   /* auditpol /get /category:* /r: CSV */
    KS_AUDIT_REG,        /* reg export: "Windows Registry Editor Version 5.00" */
    KS_AUDIT_WEVTUTIL,   /* wevtutil gl CHANNEL */
    KS_AUDIT_LOCALGROUP, /* net localgroup administrators */
    KS_AUDIT_SMBCONFIG,  /* Get-SmbServerConfiguration, as Format-List text or JSON */
    KS_AUDIT_HOTFIX,     /* Get-HotFix, as table text or JSON */
    KS_AUDIT_EVTX,       /* an event log: its event rate feeds the retention estimate */
    KS_AUDIT_COLLECTLOG, /* scripts/windows/kensa-collect.ps1's collect.log */
    KS_AUDIT_KIND_COUNT
} ks_audit_kind;

/* "secedit", "auditpol", "reg", "wevtutil", "localgroup", "smbconfig", "hotfix",
 * "evtx", "collectlog", "unknown". */
const char *ks_audit_kind_name(ks_audit_kind k);

/* The kind of an export from its first bytes (any encoding: UTF-8, UTF-16LE/BE with
 * or without BOM, CP932); KS_AUDIT_UNKNOWN when none fits. */
ks_audit_kind ks_audit_kind_detect(const void *head, size_t n);

/* One setting as read. Keys, compared case-insensitively (ASCII):
 *   secedit:<section>:<key>     "secedit:System Access:LockoutBadCount" = "10"
 *                               "secedit:Privilege Rights:SeRemoteInteractiveLogonRight"
 *                                 = "*S-1-5-32-544,*S-1-5-32-555" (as written)
 *   reg:<HIVE>\<key>\<value>    HIVE is HKLM, HKCU, HKU or HKCR; value "(default)" for @;
 *                               REG_DWORD and REG_QWORD in decimal, REG_SZ as text,
 *                               others as written after "=". secedit's [Registry Values]
 *                               ("MACHINE\...\EnableLUA=4,1") also give reg:HKLM\... facts.
 *   regkey:<HIVE>\<key>         "" for every key an export contains, so that a check can
 *                               tell "value absent" (a default applies) from "not exported"
 *   regabsent:<HIVE>\<key>      "" for every key the collector's log says does not exist
 *                               (reg export found no such key: the feature is not there)
 *   auditpol:<guid>             subcategory GUID in lower case without braces, value
 *                               "success,failure", "success", "failure" or "none", whatever
 *                               the export's language
 *   auditpol-name:<guid>        the subcategory's name as written
 *   wevtutil:<channel>:<key>    "wevtutil:Security:maxSize" = "20971520"; keys as written
 *                               (name, enabled, retention, autoBackup, maxSize, logFileName)
 *   localgroup:administrators   one fact per member, as written ("HOSP\Domain Admins")
 *   smb:<property>              "smb:EnableSMB1Protocol" = "False" (as written)
 *   hotfix:<KB id>              "hotfix:KB5012170" = installed-on date as written, or "" */
typedef struct ks_audit_fact {
    const char *key;
    const char *value;
    const char *file; /* the export it came from */
    unsigned line;    /* 1-based line in that export, 0 when not known */
} ks_audit_fact;

typedef enum ks_audit_read {
    KS_AUDIT_READ_OK,      /* read whole */
    KS_AUDIT_READ_PARTIAL, /* read, with problems (lines skipped, cut short) */
    KS_AUDIT_READ_FAILED   /* not read: unknown content, unreadable, empty */
} ks_audit_read;

typedef struct ks_audit_export {
    const char *path;
    ks_audit_kind kind;
    ks_audit_read status;
    unsigned nproblems;
    const char *problem; /* the first problem, with its line: "line 12: ..." or NULL */
    unsigned problem_line;
    size_t nfacts; /* facts it gave */
} ks_audit_export;

/* An event log's rate, for the retention estimate. */
typedef struct ks_audit_rate {
    const char *channel; /* "Security" */
    const char *file;
    uint64_t records;
    uint64_t bytes;            /* sum of the records' sizes (EVTX record header size field) */
    int64_t first_ns, last_ns; /* event times, UTC */
} ks_audit_rate;

/* What one host exported. Memory belongs to the audit (ks_audit_free). */
typedef struct ks_audit_host {
    const char *name;  /* auditpol's Machine Name when an export gives it, else the folder's */
    ks_site_role role; /* from the site file, KS_ROLE_NONE without one */
    ks_audit_export *exports;
    size_t nexports;
    ks_audit_fact *facts;
    size_t nfacts;
    ks_audit_rate *rates;
    size_t nrates;
} ks_audit_host;

typedef struct ks_audit ks_audit;

ks_audit *ks_audit_new(const ks_site *site); /* site may be NULL; NULL if out of memory */
void ks_audit_free(ks_audit **a);

/* Add an export file or a folder of them (one folder per host, as the collector
 * writes; subfolders are hosts of their own). Files are grouped into hosts by the
 * folder that holds them. Problems go to diag-like messages on the export; only a
 * path that cannot be opened at all fails (KS_ERR_IO, diag names it). */
ks_status ks_audit_add_path(ks_audit *a, const char *path, ks_diag *diag);
/* Add one export from memory, for host `host` (tests, fuzzing). */
ks_status ks_audit_add_mem(ks_audit *a, const char *host, const char *name, const void *data,
                           size_t size);

size_t ks_audit_host_count(const ks_audit *a);
const ks_audit_host *ks_audit_host_at(const ks_audit *a, size_t i);

/* The value of the last fact with this key (case-insensitive), or NULL; *fact, when
 * not NULL, receives the fact. */
const char *ks_audit_fact_get(const ks_audit_host *h, const char *key, const ks_audit_fact **fact);
/* True when the host has an export of this kind that was read (whole or partly). */
bool ks_audit_has(const ks_audit_host *h, ks_audit_kind k);

/* ---- checks ---- */

typedef enum ks_audit_result {
    KS_AUDIT_PASS,
    KS_AUDIT_FAIL,
    KS_AUDIT_NOT_CHECKED,   /* the exports it needs are missing or unreadable */
    KS_AUDIT_NOT_APPLICABLE /* not asked of this host (USB on a non-EMR terminal) */
} ks_audit_result;

/* "pass", "fail", "not_checked", "not_applicable". */
const char *ks_audit_result_name(ks_audit_result r);

typedef struct ks_audit_check {
    const char *id; /* "lockout_threshold" */
    ks_level severity;
    const char *title_en, *title_ja;
    const char *why_en, *why_ja; /* what the training says it protects against */
    const char *fix_en, *fix_ja; /* Group Policy path and registry value to set */
    unsigned needs;              /* bit (1u << ks_audit_kind) of each export that feeds it */
} ks_audit_check;

/* The checks, in report order. */
const ks_audit_check *ks_audit_checks(size_t *n);

typedef struct ks_audit_outcome {
    const ks_audit_check *check;
    ks_audit_result result;
    const char *detail;        /* what was seen, in the current language ("LockoutBadCount = 0") */
    const ks_audit_fact *fact; /* the fact that decided, or NULL */
} ks_audit_outcome;

/* Run every check on every host. outcomes[host * ncheck + check]; memory belongs to
 * the audit. */
ks_status ks_audit_run(ks_audit *a, const ks_audit_outcome **outcomes, size_t *n);

/* Days a log of max_size bytes holds at `bytes_per_day` (EVTX: 4 KiB file header,
 * 64 KiB chunks of which 512 bytes are header); 0 when the rate is 0. */
double ks_audit_retention_days(uint64_t max_size, double bytes_per_day);
/* The MaxSize (bytes, a multiple of 64 KiB) a log needs to hold `days` at
 * `bytes_per_day`: whole chunks for the data, plus the file header. */
uint64_t ks_audit_max_size_for(double days, double bytes_per_day);

/* ---- output (src/audit/report.c) ---- */

/* Counts over ks_audit_run's outcomes. */
typedef struct ks_audit_summary {
    size_t hosts, pass, fail, not_checked, not_applicable;
    /* failed checks of severity high or critical */
    size_t high_failed;
    /* exports of a known kind not read, or read in part; files that are no export */
    size_t exports_failed, exports_partial, files_skipped;
} ks_audit_summary;
ks_audit_summary ks_audit_summarize(const ks_audit *a);

/* audit.json (hosts, their exports and outcomes, the checks) and audit.html (one
 * self-contained page, the investigation report's style), appended to out. They show
 * the last ks_audit_run; run it first. Texts in the current language. */
void ks_audit_json(const ks_audit *a, ks_buf *out);
void ks_audit_html(const ks_audit *a, ks_buf *out);
/* Both into dir (created when missing). KS_ERR_IO with diag naming the file. */
ks_status ks_audit_write(const ks_audit *a, const char *dir, ks_diag *diag);

#endif
