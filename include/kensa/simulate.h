/* Synthetic evidence: one day of a small hospital's Windows event logs with an
 * intrusion in it (RDP brute force at night, a logon after the failures, network
 * logons to the servers, a service installed, a log cleared), written as real .evtx
 * files for demos, tests and benchmarks. Nothing in it is real: host and account
 * names, SIDs and addresses are invented; outside addresses are RFC 5737's. */
#ifndef KENSA_SIMULATE_H
#define KENSA_SIMULATE_H

#include <stdint.h>

#include "kensa/status.h"

typedef struct ks_sim_file {
    char path[4096];
    uint64_t events;
    int64_t first_ns, last_ns; /* times of the first and last event, UTC ns */
} ks_sim_file;

/* What was written, and what an investigation of it should find. */
typedef struct ks_sim_result {
    ks_sim_file files[2]; /* DIR/Security.evtx, DIR/System.evtx */
    unsigned nfiles;
    int64_t intrusion_ns;    /* the attacker's first successful logon */
    char attacker_ip[48];    /* where it came from */
    char account[64];        /* DOMAIN\user the attacker logged on as */
    char entry_host[64];     /* the host the attacker logged on to */
    unsigned failed_logons;  /* 4625 events of the brute force */
    unsigned lateral_logons; /* network logons from the entry host afterwards */
} ks_sim_result;

/* Write DIR/Security.evtx and DIR/System.evtx (DIR is created if missing; existing
 * files are replaced). The same seed always gives the same files, byte for byte.
 * res (if not NULL) is filled; diag (if not NULL) says what failed. */
ks_status ks_sim_write(const char *dir, uint64_t seed, ks_sim_result *res, ks_diag *diag);

#endif
