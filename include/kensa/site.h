/* The site file (site.yaml): what a hospital knows about itself. Its zone, home
 * country and business hours, its hosts and their roles, accounts and groups with
 * their duty hours, the addresses administrators and vendors may come from, its
 * backup systems and their retention, and detector settings. Every part is optional;
 * kensa works without a site file and gets sharper with one (docs/site.example.yaml). */
#ifndef KENSA_SITE_H
#define KENSA_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/detect.h"
#include "kensa/status.h"

typedef enum ks_site_role {
    KS_ROLE_NONE = 0,
    KS_ROLE_EMR_TERMINAL,
    KS_ROLE_EMR_SERVER,
    KS_ROLE_FILE_SERVER,
    KS_ROLE_BACKUP_SERVER,
    KS_ROLE_DOMAIN_CONTROLLER,
    KS_ROLE_TERMINAL_SERVER, /* RDS / jump host */
    KS_ROLE_VPN_GATEWAY,
    KS_ROLE_WORKSTATION,
    KS_ROLE_OTHER
} ks_site_role;

/* "emr_terminal", "file_server", ...; "" for KS_ROLE_NONE. */
const char *ks_site_role_name(ks_site_role r);

/* Hours of a week, in the site's zone: from start to end minutes after midnight
 * (end < start: overnight) on the days in the mask (bit 0 Sunday .. bit 6 Saturday). */
typedef struct ks_site_hours {
    bool set;
    uint8_t days;
    uint16_t start_min, end_min;
} ks_site_hours;

/* An address or a network (CIDR), IPv4 or IPv6. */
typedef struct ks_site_net {
    uint8_t addr[16];
    uint8_t bits; /* prefix length, over the 16-byte form (IPv4 is mapped) */
} ks_site_net;

typedef struct ks_site_host {
    char *name; /* as written; "*" and "?" match like a shell pattern */
    ks_site_role role;
    ks_site_net *addresses;
    size_t naddresses;
    unsigned line;
} ks_site_host;

/* An account, or a group of accounts (members) sharing duty hours and addresses. */
typedef struct ks_site_account {
    char *name;
    bool group;
    bool admin; /* an administrator (its remote logons are expected) */
    char **members;
    size_t nmembers;
    ks_site_hours duty;
    ks_site_net *addresses; /* where it may log on from, beyond admin_addresses */
    size_t naddresses;
    unsigned line;
} ks_site_account;

/* A backup system and its retention policy (generations kept). */
typedef struct ks_site_backup {
    char *name;
    char *host;   /* the backup server, or "" */
    char *kind;   /* "nas", "tape", "bd-r", "cloud", ... as written */
    char *path;   /* where its generations are, or "" */
    bool offline; /* kept disconnected (tape, BD-R, offline NAS) */
    uint32_t daily, weekly, monthly, yearly;
    unsigned line;
} ks_site_backup;

typedef struct ks_site {
    char *path;
    char *name;
    char *tz;               /* IANA zone or offset, or NULL */
    char home_country[3];   /* ISO 3166 alpha-2, or "" */
    ks_site_hours business; /* business hours */
    ks_site_host *hosts;
    size_t nhosts;
    ks_site_account *accounts; /* accounts and groups */
    size_t naccounts;
    ks_site_net *admin_addresses;
    size_t nadmin_addresses;
    ks_site_backup *backups;
    size_t nbackups;
    /* detector settings: what business hours imply (rdp_logon's hours) first, then
     * the `detectors:` section, so that explicit settings win (the last one counts) */
    ks_detect_override *overrides;
    size_t noverrides;
} ks_site;

/* Read a site file. Errors (a YAML syntax error, an unknown key, a bad value) fail
 * with KS_ERR_FORMAT and a diag naming the file and the line ("line 12: role must be
 * one of ..."); diag.offset holds the line. *out is owned by the caller. */
ks_status ks_site_load(ks_site **out, const char *path, ks_diag *diag);
ks_status ks_site_load_mem(ks_site **out, const void *data, size_t size, const char *name,
                           ks_diag *diag);
void ks_site_free(ks_site **s);

/* The site's detector settings followed by `more` (which win), as one array the
 * caller frees; s may be NULL. NULL when out of memory. */
ks_detect_override *ks_site_overrides(const ks_site *s, const ks_detect_override *more,
                                      size_t nmore, size_t *n);

/* The host entry for a host name (case-insensitive; "RDS01.hosp.local" matches an
 * entry "RDS01"), or NULL. */
const ks_site_host *ks_site_host_find(const ks_site *s, const char *name);
/* The role of a host by name, or of the host holding an address; KS_ROLE_NONE. */
ks_site_role ks_site_role_of(const ks_site *s, const char *host);
/* The site's host name for an address (from hosts' addresses), or NULL. */
const char *ks_site_host_by_address(const ks_site *s, const char *ip);
/* The account entry for a user ("HOSP\\vendor.emr", "vendor.emr@hosp.local" and
 * "vendor.emr" match "vendor.emr"; an account listed in a group gets the group's entry
 * when it has none of its own), or NULL. */
const ks_site_account *ks_site_account_find(const ks_site *s, const char *user);
/* 1 if ip is one of the allowed administrator addresses, or one of the user's own
 * addresses (user may be NULL). */
int ks_site_address_allowed(const ks_site *s, const char *user, const char *ip);
/* 1 if ip is in one of the networks. */
int ks_site_net_match(const ks_site_net *nets, size_t n, const char *ip);
/* 1 when a local time (day of week 0 = Sunday, minutes after midnight) falls within
 * the hours; hours not set count as always. */
int ks_site_hours_within(const ks_site_hours *h, int wday, int minute);

#endif
