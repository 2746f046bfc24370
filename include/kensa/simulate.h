/* Synthetic evidence: one day of a small hospital's Windows event logs with an
 * intrusion in it (RDP or VPN brute force at night, a logon after the failures,
 * network logons to the servers, a service installed, a log cleared), written as real
 * .evtx files (and the VPN device's syslog) for demos, tests and benchmarks. Nothing
 * in it is real: host and account names, SIDs and addresses are invented; outside
 * addresses are RFC 5737's. */
#ifndef KENSA_SIMULATE_H
#define KENSA_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "kensa/buf.h"
#include "kensa/site.h"
#include "kensa/status.h"

typedef struct ks_sim_file {
    char path[4096];
    uint64_t events;
    int64_t first_ns, last_ns; /* times of the first and last event, UTC ns */
} ks_sim_file;

/* What happens on the simulated day. */
typedef enum ks_sim_scenario {
    KS_SIM_RDP_BRUTEFORCE = 0, /* the default: the intrusion described above */
    KS_SIM_NO_ATTACK,          /* an ordinary day and night, nothing else */
    KS_SIM_VPN,                /* as the Japanese hospitals met it (Handa 2021, Osaka 2022):
                                  SSL-VPN brute force from abroad, the vendor's maintenance
                                  account opens it, RDP from the VPN's address, SMB logons
                                  at night, AnyDesk as a service, vssadmin delete shadows,
                                  the Security log cleared; DIR/vpn/fortigate.log holds
                                  four weeks of the FortiGate's VPN log before it */
    KS_SIM_SCENARIO_COUNT
} ks_sim_scenario;

/* "rdp_bruteforce", "none", "vpn"; and back (-1 for an unknown name). */
const char *ks_sim_scenario_name(ks_sim_scenario s);
int ks_sim_scenario_find(const char *name);

/* One planted step of the attack: what an investigation should find. */
typedef struct ks_sim_step {
    const char *stage; /* "entry", "spread", "persistence", "evasion" */
    const char *kind;  /* "brute_force", "logon", "vpn_login", "rdp_logon", "network_logon",
                          "service_install", "shadow_copy_deletion", "log_cleared", ... */
    int64_t time_ns;   /* UTC, FILETIME precision */
    char host[64];
    char what[128];
} ks_sim_step;

#define KS_SIM_MAX_STEPS 12

/* What was written, and what an investigation of it should find. */
typedef struct ks_sim_result {
    ks_sim_file files[3]; /* DIR/Security.evtx, DIR/System.evtx (, DIR/vpn/fortigate.log) */
    unsigned nfiles;
    int64_t intrusion_ns;                /* the attacker's first successful logon */
    char attacker_ip[48];                /* where it came from */
    char account[64];                    /* DOMAIN\user the attacker logged on as (vpn: the
                                            VPN user) */
    char entry_host[64];                 /* the host the attacker logged on to (vpn: the
                                            VPN device) */
    char vpn_address[48];                /* vpn: the internal address the VPN gave it */
    char windows_account[64];            /* vpn: DOMAIN\user of its RDP logon */
    unsigned failed_logons;              /* 4625 events (vpn: failed VPN logins) */
    unsigned lateral_logons;             /* network logons from the entry host afterwards */
    int64_t attempt_ns;                  /* the first failed logon of the brute force */
    ks_sim_step chain[KS_SIM_MAX_STEPS]; /* the planted attack, in time order */
    unsigned nchain;
    ks_sim_scenario scenario;
    /* ks_sim_write_backups: generations written, the one kensa backup advise should
     * name (the newest taken at least a day before the intrusion) and the first
     * encrypted one ("" when there is no intrusion) */
    unsigned nbackups;
    char backup_restore[4096];
    char backup_first_bad[4096];
    /* ks_sim_write_days: the days written; the .evtx files rolled over into
     * DIR/Archive-<log>-<UTC time of its last event>.evtx (files[0..1] then count every
     * event of their log, archives included, and span all of them); the bytes of every
     * .evtx file written */
    unsigned days;
    unsigned archives;
    uint64_t evtx_bytes;
} ks_sim_result;

/* Write DIR/Security.evtx and DIR/System.evtx (DIR and the folders above it are
 * created if missing; existing files are replaced; scenario vpn adds
 * DIR/vpn/fortigate.log, RFC 3164 lines in FortiOS key=value form with date=, time=
 * and tz=). The same seed always gives the same files, byte for byte. res (if not NULL) is filled;
 * diag (if not NULL) says what failed. */
ks_status ks_sim_write(const char *dir, uint64_t seed, ks_sim_result *res, ks_diag *diag);
/* The same for a scenario (KS_SIM_NO_ATTACK: res says no intrusion, all zero). */
ks_status ks_sim_write_scenario(const char *dir, uint64_t seed, ks_sim_scenario scenario,
                                ks_sim_result *res, ks_diag *diag);

/* The size of the hospital: KS_SIM_SMALL is the practice hospital above (16 staff,
 * 12 EMR terminals, 5 servers); KS_SIM_MIDSIZE has the same servers and names plus
 * DC02, FS02, EMR-AP01, PACS01, LAB01, PRINT01 and WSUS01 (a dozen servers), 60 EMR
 * terminals (EMR-TERM-01..60, 10.10.2.11-70) and 300 staff (the 16 above first). */
typedef enum ks_sim_size { KS_SIM_SMALL = 0, KS_SIM_MIDSIZE, KS_SIM_SIZE_COUNT } ks_sim_size;

/* "small", "midsize"; and back (-1 for an unknown name). */
const char *ks_sim_size_name(ks_sim_size s);
int ks_sim_size_find(const char *name);

#define KS_SIM_MAX_DAYS 3660

typedef struct ks_sim_days_opts {
    ks_sim_scenario scenario;
    unsigned days; /* 1..KS_SIM_MAX_DAYS; 0 is 1 */
    ks_sim_size size;
    uint64_t max_file_bytes; /* roll an .evtx file over before it passes this; 0: 256 MiB;
                                at least 1 MiB is used */
    /* called after each day is written (may be NULL) */
    void (*progress)(void *ctx, unsigned day, unsigned days, uint64_t bytes);
    void *ctx;
} ks_sim_days_opts;

/* Days of a hospital ending with the simulated day of ks_sim_write_scenario and its
 * night (the intrusion stays there, so res and truth.json mean the same). One day of
 * the small hospital is exactly ks_sim_write_scenario's files. Otherwise every day
 * has the fuller event mix: 4624/4634 with 4672 for administrators, 4688 for the
 * programs staff start, 5140/5145 for the file shares, now and then a mistyped
 * password (4625), services starting and stopping (7036); weekends, Japanese
 * holidays and the New Year are quieter (one in four staff, no administrator, no
 * vendor). Written day by day: memory does not grow with days. Security.evtx and
 * System.evtx are the current logs; when one would pass max_file_bytes it is closed
 * and renamed DIR/Archive-Security-YYYY-MM-DD-HH-MM-SS-mmm.evtx (as Windows archives
 * a full log; record ids restart at 1 in each file) and a new one begun. Archives of
 * an earlier run in DIR are removed. The same seed and options always give the same
 * files. */
ks_status ks_sim_write_days(const char *dir, uint64_t seed, const ks_sim_days_opts *o,
                            ks_sim_result *res, ks_diag *diag);
/* The site file of a hospital of that size (KS_SIM_SMALL: ks_sim_write_site's; the
 * mid-size one adds its second servers with their roles). */
ks_status ks_sim_write_site_size(const char *path, ks_sim_size size, ks_diag *diag);

/* The ground truth of a run as JSON (truth.json): seed, first_intrusion (ISO 8601
 * UTC), first_attempt, attacker address, account, entry host and the chain. Kept out
 * of the evidence folder, so that tools reading the folder see only evidence. */
ks_status ks_sim_write_truth(const char *path, uint64_t seed, const ks_sim_result *res,
                             ks_diag *diag);
/* The practice hospital's site file (site.yaml: zone, hosts and roles, duty hours,
 * the vendor's address, backups), for `kensa investigate --site`. */
ks_status ks_sim_write_site(const char *path, ks_diag *diag);

/* ---- backup generations (src/sim/backups.c) ---------------------------------------
 * The file server's share (FS01) as the nightly backup keeps it: DIR/FS01/daily-DATE
 * at 02:00 Japan time for the ten days before the simulated day's night and the two
 * after, DIR/FS01/monthly-DATE on tape (offline) for September and October; text, CSV,
 * PNG and gzip files in five departments' folders, a few changed or added each day.
 * Ransomware runs three hours after res's intrusion: generations taken after that
 * hold most files encrypted (whole, or one block in twenty), renamed .lockbit, and a
 * ransom note per folder. DIR/generations.tsv lists them (system, folder, taken,
 * media) for kensa backup add. Fills res's backup fields; the same seed gives the same
 * files. */
ks_status ks_sim_write_backups(const char *dir, uint64_t seed, ks_sim_result *res, ks_diag *diag);

/* ---- a year of generations (src/sim/backups.c) -------------------------------------
 * The same share through 2025, one generation a day at 02:00 Japan time:
 * DIR/FS01/YYYY-MM-DD for each of `days` days (at most 400) from 2025-01-02, each a full
 * tree whose unchanged files are hard links to where they were first written (a year
 * takes some tens of MB). Realistic churn: shift tables and daily reports edited every
 * working day, other files now and then; claims tables, memos, docx, xlsx, PDFs,
 * photographs (PNG) added; files deleted, renamed and moved; a 400 KB video that never
 * changes and a database dump (.sql.gz) rewritten on Fridays; the claims folder zipped
 * into an archive on the last working day of each quarter; departments reorganised on
 * April 1st; a folder renamed on July 1st and on October 14th; weekends and Japanese
 * holidays without change. If ransom_day >= 0, that day's generation and every later
 * one hold about 80% of the files encrypted (whole, or one KiB in twenty; half renamed
 * .lockbit) and a ransom note per department, and nothing else changes after it.
 * DIR/generations.tsv lists system, generation, taken, media (the 1st of a month
 * offline) and the retention class it is kept under (monthly on the 1st, weekly on
 * Sundays, daily otherwise). The same seed gives the same files. */
typedef struct ks_sim_year_result {
    unsigned generations;   /* one a day */
    int64_t first_taken_ns; /* UTC; each next generation a day later */
    int ransom_day;
    uint64_t files_total, bytes_total; /* summed over the generations */
    uint64_t max_files;                /* in the largest generation */
    uint64_t bytes_written;            /* contents written once (the rest are hard links) */
    unsigned edits, additions, deletions, renames, moves, folder_renames, archives, reorganisations,
        quiet_days, encrypted;
} ks_sim_year_result;

ks_status ks_sim_write_backup_year(const char *dir, uint64_t seed, unsigned days, int ransom_day,
                                   ks_sim_year_result *res, ks_diag *diag);

/* ---- readiness exports (src/sim/audit_exports.c) ----------------------------------
 * What Windows' own tools write about a host's settings, as the collector
 * (scripts/windows/kensa-collect.ps1) saves them in one folder per host: secedit's
 * INF and reg export's files (UTF-16LE with BOM), auditpol's CSV, wevtutil gl and net
 * localgroup as cmd redirects them (ASCII, or CP932 on Japanese Windows),
 * Get-SmbServerConfiguration and Get-HotFix from PowerShell 5.1 (UTF-8 with BOM), and
 * the collector's own collect.log. All lines end in CR LF. */

/* The settings that make a host fail one readiness check each; 0 is hardened. */
enum {
    KS_SIM_WEAK_LOCKOUT = 1u << 0, /* LockoutBadCount = 0 (never locks out) */
    KS_SIM_WEAK_ADMINS = 1u << 1,  /* an ordinary staff account in Administrators */
    KS_SIM_WEAK_UAC = 1u << 2,     /* EnableLUA = 0 */
    KS_SIM_WEAK_SMB1 = 1u << 3,    /* SMB1 server and client on */
    KS_SIM_WEAK_MACROS = 1u << 4,  /* VBAWarnings = 1, no Office policy */
    KS_SIM_WEAK_RDP = 1u << 5,     /* RDP on without network level authentication */
    KS_SIM_WEAK_USB = 1u << 6,     /* USB storage allowed, no removable storage policy */
    KS_SIM_WEAK_AUDIT = 1u << 7,   /* logon, logoff, special logon, shares and process
                                      creation not audited; no command lines */
    KS_SIM_WEAK_LOG = 1u << 8,     /* Security log 20 MB, overwritten, no archive */
    KS_SIM_WEAK_ALL = (1u << 9) - 1
};

/* The language Windows speaks on a host: what auditpol and net localgroup print. */
typedef enum ks_sim_lang { KS_SIM_EN = 0, KS_SIM_JA } ks_sim_lang;

typedef struct ks_sim_audit_host {
    char name[32]; /* COMPUTERNAME, also the folder's name */
    ks_site_role role;
    ks_sim_lang lang;
    unsigned weak; /* KS_SIM_WEAK_* bits */
} ks_sim_audit_host;

/* One export: its file name in the host's folder and its bytes (owned). */
typedef struct ks_sim_audit_file {
    char name[96];
    ks_buf data;
} ks_sim_audit_file;

#define KS_SIM_AUDIT_MAX_FILES 32

/* Every export of one host; the same host and seed always give the same bytes.
 * files[] must hold KS_SIM_AUDIT_MAX_FILES; *n receives the count. Free the data
 * with ks_sim_audit_files_free. KS_ERR_NOMEM, or KS_ERR_UNSUPPORTED when this system
 * cannot convert to CP932 or UTF-16LE. */
ks_status ks_sim_audit_render(const ks_sim_audit_host *h, uint64_t seed, ks_sim_audit_file *files,
                              size_t *n);
void ks_sim_audit_files_free(ks_sim_audit_file *files, size_t n);
/* Render and write DIR/<name>/ (created if missing; files replaced). */
ks_status ks_sim_audit_write_host(const char *dir, const ks_sim_audit_host *h, uint64_t seed,
                                  ks_diag *diag);

/* The practice hospital's hosts (the names and roles of ks_sim_write_site) with the
 * story of the simulated night: RDS01, brute-forced over RDP, had no lockout and RDP
 * without NLA; one EMR terminal (which one depends on the seed) allows USB storage;
 * every other setting everywhere is hardened. Fills up to max hosts (hosts may be NULL
 * when max is 0) and returns how many there are. */
size_t ks_sim_audit_hospital(uint64_t seed, ks_sim_audit_host *hosts, size_t max);
/* Write DIR/<HOST>/ for every host of ks_sim_audit_hospital (DIR is created if
 * missing). kensa simulate --audit-out DIR; kept out of the evidence folder, which
 * holds only event logs. */
ks_status ks_sim_write_audit(const char *dir, uint64_t seed, ks_diag *diag);

#endif
