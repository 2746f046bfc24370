/* A synthetic hospital day as Windows event logs, for `kensa simulate`, demos and
 * tests: staff logons during business hours, an administrator's RDP sessions, a
 * vendor's maintenance, the nightly backup, then an RDP (or SSL-VPN, with the
 * FortiGate's syslog) brute force from outside, the logon after it, network logons to
 * the servers, a service installed and a log cleared. Every name and address is
 * invented; a seed always gives the same files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "kensa/evtx_writer.h"
#include "kensa/simulate.h"
#include "sim/sim.h"
#include "kensa/time.h"

#define DOMAIN "HOSP"
#define FQDN ".hosp.local"
#define NS_PER_S INT64_C(1000000000)
#define MINUTE (60 * NS_PER_S)

/* The invented domain: S-1-5-21-2715348816-1609428393-3127498823-RID. */
static const uint32_t DOMAIN_SUBAUTH[4] = {21, 2715348816u, 1609428393u, 3127498823u};

typedef struct host {
    const char *name, *ip;
} host;

enum { H_DC01, H_FS01, H_EMRDB01, H_BK01, H_RDS01, H_ITPC01, H_TERM, NTERM = 12 };

static const host HOSTS[H_TERM + NTERM] = {
    {"DC01", "10.10.1.10"},        {"FS01", "10.10.1.20"},        {"EMR-DB01", "10.10.1.30"},
    {"BK01", "10.10.1.40"},        {"RDS01", "10.10.1.50"},       {"IT-PC01", "10.10.3.5"},
    {"EMR-TERM-01", "10.10.2.11"}, {"EMR-TERM-02", "10.10.2.12"}, {"EMR-TERM-03", "10.10.2.13"},
    {"EMR-TERM-04", "10.10.2.14"}, {"EMR-TERM-05", "10.10.2.15"}, {"EMR-TERM-06", "10.10.2.16"},
    {"EMR-TERM-07", "10.10.2.17"}, {"EMR-TERM-08", "10.10.2.18"}, {"EMR-TERM-09", "10.10.2.19"},
    {"EMR-TERM-10", "10.10.2.20"}, {"EMR-TERM-11", "10.10.2.21"}, {"EMR-TERM-12", "10.10.2.22"},
};

typedef struct account {
    const char *name;
    uint32_t rid;
    int admin; /* gets an elevated token */
} account;

static const account STAFF[] = {
    {"tanaka.h", 1105, 0},    {"suzuki.y", 1106, 0},    {"sato.k", 1107, 0},
    {"takahashi.m", 1108, 0}, {"watanabe.a", 1109, 0},  {"ito.r", 1110, 0},
    {"yamamoto.s", 1111, 0},  {"nakamura.e", 1112, 0},  {"kobayashi.t", 1113, 0},
    {"kato.n", 1114, 0},      {"yoshida.m", 1115, 0},   {"yamada.k", 1116, 0},
    {"sasaki.y", 1117, 0},    {"yamaguchi.r", 1118, 0}, {"matsumoto.h", 1119, 0},
    {"inoue.a", 1121, 0},
};
static const account ADMIN = {"admin.kimura", 1103, 1};
static const account BACKUP = {"svc-backup", 1104, 1};
static const account VENDOR = {"vendor.emr", 1120, 1};

#define VENDOR_IP "198.51.100.23" /* the EMR vendor's office (RFC 5737) */

/* The VPN device of scenario vpn: a FortiGate whose SSL-VPN gives addresses from
 * FortiOS's default tunnel range; the vendor logs in with a local VPN account. */
#define FGT_NAME "FGT-HOSP01"
#define FGT_SERIAL "FG100FTK19004217"
#define VPN_VENDOR_USER "maint-emr"

enum kind {
    K_LOGON,
    K_LOGOFF,
    K_FAIL,
    K_SVC_STATE,
    K_SVC_INSTALL,
    K_CLEARED,
    K_PROCESS, /* 4688: PROCS[item] */
    K_SEC_CLEARED,
    K_PRIV,      /* 4672: an administrator's logon */
    K_SHARE,     /* 5140: SHARES[item] */
    K_SHARE_FILE /* 5145: SHARES[item], SHARE_FILES[type] */
};

/* One event to write, before it is turned into fields. */
typedef struct sev {
    int64_t t;
    uint32_t seq; /* creation order: ties keep it */
    uint8_t kind, type, host, ntlm;
    const account *acct;
    const char *ip, *workstation, *target_name;
    uint64_t logon_id;
    uint16_t port, item;
} sev;

/* One line of the VPN device's log. */
enum vkind { V_FAIL, V_UP, V_DOWN };
typedef struct vline {
    int64_t t; /* whole seconds: the device logs seconds */
    uint32_t seq, tunnelid;
    uint8_t kind;
    const char *user, *remip, *group, *reason;
    char tunnelip[16];
    int64_t up; /* V_DOWN: when the tunnel came up */
} vline;

typedef struct sim {
    uint64_t rng;
    uint64_t next_logon_id;
    sev *ev;
    size_t n, cap;
    uint32_t seq;
    /* the hospital: hosts (HOSTS's first H_TERM, then nterm terminals, then the other
     * servers), its staff; ks_sim_write_days's days have the fuller mix (rich), and
     * some are quiet (weekends, holidays) */
    const host *hosts;
    unsigned nterm, nhosts;
    const account *staff;
    size_t nstaff;
    int rich, quiet, day;
    vline *vl; /* scenario vpn: the FortiGate's lines */
    size_t nv, capv;
    int failed; /* out of memory */
    char attacker_ip[48], attacker_ws[32];
    const char *vendor_ip; /* where the vendor's RDP comes from */
    char vendor_tunnel[16];
    int64_t vendor_rdp; /* when it comes */
} sim;

uint64_t ks_sim_rng(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rnd(sim *s)
{
    return ks_sim_rng(&s->rng);
}

static uint32_t below(sim *s, uint32_t n)
{
    return (uint32_t)(rnd(s) % n);
}

/* Japan time on the simulated day (2024-10-15, a Tuesday; day 1 is the night after),
 * as UTC ns, plus a random part below one second in FILETIME's 100 ns steps. */
static int64_t jst(sim *s, int day, int h, int m, int sec)
{
    int64_t days = ks_days_from_civil(2024, 10, 15) + day;
    int64_t t = ((days * 86400) + h * 3600 + m * 60 + sec - 9 * 3600) * NS_PER_S;
    return t + (int64_t)below(s, 10000000) * 100;
}

static sev *add(sim *s, int64_t t, enum kind k, uint8_t where)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        sev *e = realloc(s->ev, cap * sizeof *e);
        if (!e) {
            s->failed = 1;
            return NULL;
        }
        s->ev = e;
        s->cap = cap;
    }
    sev *e = &s->ev[s->n];
    *e = (sev){.t = t, .seq = s->seq++, .kind = (uint8_t)k, .host = where};
    s->n++;
    return e;
}

/* A logon (and its logoff after `dur`, if dur > 0). */
static sev *logon(sim *s, int64_t t, uint8_t type, uint8_t where, const account *a, const char *ip,
                  const char *ws, int64_t dur)
{
    sev *e = add(s, t, K_LOGON, where);
    if (!e) return NULL;
    size_t at = s->n - 1;
    e->type = type;
    e->acct = a;
    e->ip = ip;
    e->workstation = ws;
    e->logon_id = s->next_logon_id += 0x1000 + below(s, 0x40000);
    e->port = type == 3 ? (uint16_t)(49152 + below(s, 16000)) : 0;
    sev copy = *e;
    if (s->rich && a->admin) { /* the special privileges of the new logon */
        sev *p = add(s, t, K_PRIV, where);
        if (!p) return NULL;
        p->acct = a;
        p->logon_id = copy.logon_id;
    }
    if (dur > 0) {
        sev *o = add(s, t + dur, K_LOGOFF, where);
        if (!o) return NULL;
        o->type = copy.type;
        o->acct = copy.acct;
        o->logon_id = copy.logon_id;
    }
    return &s->ev[at];
}

/* The programs a user starts on a terminal (4688, PROCS), and the files of a share
 * they open (5140 once, 5145 per file): only on the days of ks_sim_write_days. */
enum { P_VSSADMIN, P_USERINIT, P_EXPLORER, P_EMR, P_WORD, P_EXCEL, P_EDGE, P_PDF, NPROCS };
enum { NSHARES = 4, NSHARE_FILES = 12 };

static void desk_processes(sim *s, int64_t in, int64_t out, uint8_t term, const account *a,
                           uint64_t id)
{
    static const uint8_t first[3] = {P_USERINIT, P_EXPLORER, P_EMR};
    for (int k = 0; k < 3; k++) {
        sev *p = add(s, in + (3 + 2 * k) * NS_PER_S + below(s, 10000000) * 100, K_PROCESS, term);
        if (!p) return;
        p->acct = a;
        p->logon_id = id;
        p->item = first[k];
    }
    unsigned more = 2 + below(s, 6);
    for (unsigned k = 0; k < more; k++) {
        int64_t t = in + (int64_t)below(s, (uint32_t)((out - in) / NS_PER_S)) * NS_PER_S;
        sev *p = add(s, t, K_PROCESS, term);
        if (!p) return;
        p->acct = a;
        p->logon_id = id;
        p->item = (uint16_t)(P_EMR + below(s, NPROCS - P_EMR));
    }
}

static void share_access(sim *s, const sev *lo, int64_t dur)
{
    sev copy = *lo;
    uint16_t share = (uint16_t)below(s, NSHARES);
    sev *e = add(s, copy.t + 1 + below(s, 1000) * 100, K_SHARE, copy.host);
    if (!e) return;
    e->acct = copy.acct;
    e->logon_id = copy.logon_id;
    e->ip = copy.ip;
    e->port = copy.port;
    e->item = share;
    unsigned files = 4 + below(s, 17);
    for (unsigned k = 0; k < files; k++) {
        int64_t t = copy.t + (int64_t)below(s, (uint32_t)(dur / NS_PER_S)) * NS_PER_S +
                    below(s, 10000000) * 100;
        sev *f = add(s, t, K_SHARE_FILE, copy.host);
        if (!f) return;
        f->acct = copy.acct;
        f->logon_id = copy.logon_id;
        f->ip = copy.ip;
        f->port = copy.port;
        f->item = share;
        f->type = (uint8_t)below(s, NSHARE_FILES);
    }
}

/* The host of the midsize hospital's second server of a kind (FS02, EMR-AP01), or
 * the small hospital's only one. */
static uint8_t server_of(const sim *s, uint8_t h, unsigned extra)
{
    unsigned at = H_TERM + s->nterm + extra;
    return at < s->nhosts ? (uint8_t)at : h;
}

enum { X_DC02, X_FS02, X_EMRAP01, X_PACS01, X_LAB01, X_PRINT01, X_WSUS01, NEXTRA };

static void ordinary_day(sim *s)
{
    const int d = s->day, quiet = s->rich && s->quiet;
    /* staff: a session on their terminal, Kerberos logons to the domain controller,
     * file server visits during the day (on quiet days one in four is on duty) */
    for (size_t i = 0; i < s->nstaff; i++) {
        const account *a = &s->staff[i];
        if (quiet && below(s, 4)) continue;
        uint8_t term = (uint8_t)(H_TERM + (i + below(s, 3)) % s->nterm);
        const host *h = &s->hosts[term];
        int64_t in = jst(s, d, 7, 45, 0) + (int64_t)below(s, 75) * MINUTE;
        int64_t out = jst(s, d, 17, 0, 0) + (int64_t)below(s, 120) * MINUTE;
        if (s->rich && !below(s, 40)) { /* a mistyped password first */
            sev *f = add(s, in - (5 + below(s, 20)) * NS_PER_S, K_FAIL, term);
            if (!f) return;
            f->type = 2;
            f->ip = "127.0.0.1";
            f->workstation = h->name;
            f->target_name = a->name;
        }
        sev *lo = logon(s, in, 2, term, a, "127.0.0.1", h->name, out - in);
        if (lo && s->rich) desk_processes(s, in, out, term, a, lo->logon_id);
        uint8_t dc = s->rich && below(s, 2) ? server_of(s, H_DC01, X_DC02) : H_DC01;
        logon(s, in + (2 + below(s, 5)) * NS_PER_S, 3, dc, a, h->ip, "-",
              (1 + below(s, 20)) * NS_PER_S);
        unsigned visits = 2 + below(s, 4);
        for (unsigned v = 0; v < visits; v++) {
            int64_t t = in + (int64_t)below(s, (uint32_t)((out - in) / MINUTE)) * MINUTE;
            uint8_t fs = s->rich && below(s, 3) == 0 ? server_of(s, H_FS01, X_FS02) : H_FS01;
            int64_t dur = (1 + below(s, 25)) * MINUTE;
            lo = logon(s, t, 3, fs, a, h->ip, "-", dur);
            if (lo && s->rich) share_access(s, lo, dur);
            logon(s, t - 2 * NS_PER_S, 3, dc, a, h->ip, "-", 3 * NS_PER_S);
        }
        /* the EMR client's logons to its application server */
        unsigned emr = s->rich ? 2 + below(s, 5) : 0;
        for (unsigned v = 0; v < emr; v++) {
            int64_t t = in + (int64_t)below(s, (uint32_t)((out - in) / MINUTE)) * MINUTE;
            logon(s, t, 3, server_of(s, H_EMRDB01, X_EMRAP01), a, h->ip, "-",
                  (1 + below(s, 30)) * MINUTE);
        }
    }
    /* the administrator: a desk session and RDP to the servers */
    const host *it = &s->hosts[H_ITPC01];
    int64_t t;
    if (!quiet) {
        int64_t in = jst(s, d, 8, 50, 0), out = jst(s, d, 18, 20, 0);
        logon(s, in, 2, H_ITPC01, &ADMIN, "127.0.0.1", it->name, out - in);
        static const uint8_t servers[] = {H_FS01, H_DC01, H_EMRDB01, H_BK01};
        for (int k = 0; k < 3; k++) {
            uint8_t to = servers[below(s, 4)];
            t = jst(s, d, 9 + 3 * k, (int)below(s, 50), 0);
            logon(s, t, 10, to, &ADMIN, it->ip, s->hosts[to].name, (10 + below(s, 40)) * MINUTE);
        }
        /* the vendor's remote maintenance: RDP to RDS01, then to the EMR database */
        t = jst(s, d, 14, 5 + (int)below(s, 20), 0);
        s->vendor_rdp = t;
        logon(s, t, 10, H_RDS01, &VENDOR, s->vendor_ip, "RDS01", 35 * MINUTE);
        sev *e = logon(s, t + 4 * MINUTE, 3, H_EMRDB01, &VENDOR, s->hosts[H_RDS01].ip, "RDS01",
                       20 * MINUTE);
        if (e) e->ntlm = 1;
    }
    /* the nightly backup */
    t = jst(s, d + 1, 1, 0, 0);
    static const uint8_t backed_up[] = {H_DC01, H_FS01, H_EMRDB01};
    for (int k = 0; k < 3; k++)
        logon(s, t + (k * 12 + (int)below(s, 4)) * MINUTE, 3, backed_up[k], &BACKUP,
              s->hosts[H_BK01].ip, "-", (5 + below(s, 10)) * MINUTE);
    /* services starting and stopping on the servers (BK01's System log is cleared
     * later, so it has none) */
    static const uint8_t svc_hosts[] = {H_DC01, H_FS01, H_EMRDB01, H_RDS01};
    int nsvc = s->rich ? 8 + 2 * (int)(s->nhosts - H_TERM - s->nterm) : 8;
    for (int k = 0; k < nsvc; k++) {
        int64_t ts = jst(s, d, 8 + (int)below(s, 10), (int)below(s, 60), 0);
        uint8_t h = k < 8 ? svc_hosts[below(s, 4)] : server_of(s, H_DC01, (unsigned)(k - 8) / 2);
        uint16_t svc = (uint16_t)below(s, 3);
        sev *a = add(s, ts, K_SVC_STATE, h);
        sev *b = add(s, ts + (2 + below(s, 10)) * MINUTE, K_SVC_STATE, h);
        if (a && b) {
            a->item = (uint16_t)(svc * 2);     /* running */
            b->item = (uint16_t)(svc * 2 + 1); /* stopped */
        }
    }
}

static const char *const IMPLANTS[4][3];

/* where: a host of HOSTS, or H_VPN for the VPN device. */
#define H_VPN 255
static ks_sim_step *truth_step(ks_sim_result *res, const char *stage, const char *kind, int64_t t,
                               uint8_t where)
{
    if (res->nchain == KS_SIM_MAX_STEPS) return NULL;
    ks_sim_step *st = &res->chain[res->nchain++];
    memset(st, 0, sizeof *st);
    st->stage = stage;
    st->kind = kind;
    st->time_ns = t / 100 * 100;
    if (where == H_VPN)
        snprintf(st->host, sizeof st->host, "%s", FGT_NAME);
    else
        snprintf(st->host, sizeof st->host, "%s" FQDN, HOSTS[where].name);
    return st;
}

static void chain_sort(ks_sim_result *res)
{
    for (unsigned i = 1; i < res->nchain; i++)
        for (unsigned k = i; k > 0 && res->chain[k].time_ns < res->chain[k - 1].time_ns; k--) {
            ks_sim_step x = res->chain[k];
            res->chain[k] = res->chain[k - 1];
            res->chain[k - 1] = x;
        }
}

static void intrusion(sim *s, ks_sim_result *res)
{
    snprintf(s->attacker_ip, sizeof s->attacker_ip, "203.0.113.%u", 10 + below(s, 240));
    static const char ALNUM[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    memcpy(s->attacker_ws, "WIN-", 4);
    for (int i = 0; i < 11; i++) s->attacker_ws[4 + i] = ALNUM[below(s, sizeof ALNUM - 1)];
    s->attacker_ws[15] = 0;
    /* the brute force: RDP with network level authentication fails as type 3 */
    uint8_t type = below(s, 2) ? 3 : 10;
    unsigned n = 60 + below(s, 61);
    int64_t t = jst(s, 1, 2, 10 + (int)below(s, 5), 0);
    for (unsigned i = 0; i < n; i++) {
        t += (2 + below(s, 8)) * NS_PER_S + below(s, 10000000) * 100;
        sev *e = add(s, t, K_FAIL, H_RDS01);
        if (!e) return;
        if (!i) res->attempt_ns = t / 100 * 100;
        e->type = type;
        e->ip = s->attacker_ip;
        e->workstation = s->attacker_ws;
        e->port = (uint16_t)(40000 + below(s, 25000));
        e->target_name = i < n / 3 ? "administrator" : i < n / 2 ? "admin" : VENDOR.name;
        /* "admin" does not exist: the other status Windows gives */
        e->item = !strcmp(e->target_name, "admin");
    }
    /* the password is found */
    t += (30 + below(s, 120)) * NS_PER_S;
    sev *e = logon(s, t, 10, H_RDS01, &VENDOR, s->attacker_ip, "RDS01", 0);
    if (!e) return;
    res->intrusion_ns = t / 100 * 100;
    res->failed_logons = n;
    snprintf(res->attacker_ip, sizeof res->attacker_ip, "%s", s->attacker_ip);
    snprintf(res->account, sizeof res->account, DOMAIN "\\%s", VENDOR.name);
    snprintf(res->entry_host, sizeof res->entry_host, "RDS01" FQDN);
    ks_sim_step *st = truth_step(res, "entry", "brute_force", res->attempt_ns, H_RDS01);
    if (st) snprintf(st->what, sizeof st->what, "%u failed logons from %s", n, s->attacker_ip);
    st = truth_step(res, "entry", "logon", res->intrusion_ns, H_RDS01);
    if (st)
        snprintf(st->what, sizeof st->what, "RDP logon as %.40s from %.47s", res->account,
                 s->attacker_ip);
    /* from RDS01 to the servers, NTLM with the stolen password */
    uint8_t order[4] = {H_DC01, H_FS01, H_EMRDB01, H_BK01};
    for (int i = 3; i > 0; i--) {
        int j = (int)below(s, (uint32_t)i + 1);
        uint8_t x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    int64_t fs_t = 0, bk_t = 0;
    for (int i = 0; i < 4; i++) {
        t += (3 + below(s, 10)) * MINUTE + below(s, 60) * NS_PER_S;
        e = logon(s, t, 3, order[i], &VENDOR, HOSTS[H_RDS01].ip, "RDS01",
                  (1 + below(s, 5)) * MINUTE);
        if (!e) return;
        e->ntlm = 1;
        if (order[i] == H_FS01) fs_t = t;
        if (order[i] == H_BK01) bk_t = t;
        res->lateral_logons++;
        st = truth_step(res, "spread", "network_logon", t, order[i]);
        if (st) snprintf(st->what, sizeof st->what, "network logon from RDS01 (NTLM)");
    }
    /* a service on the file server, the backup server's System log cleared */
    e = add(s, fs_t + (2 + below(s, 3)) * MINUTE, K_SVC_INSTALL, H_FS01);
    if (e) e->item = (uint16_t)below(s, 3);
    /* PsExec's service is remote execution (spread); the others stay (persistence) */
    if (e && (st = truth_step(res, e->item == 1 ? "spread" : "persistence",
                              e->item == 1 ? "remote_service" : "service_install", e->t, H_FS01)))
        snprintf(st->what, sizeof st->what, "service %s installed", IMPLANTS[e->item][0]);
    e = add(s, bk_t + (4 + below(s, 4)) * MINUTE, K_CLEARED, H_BK01);
    if (e && (st = truth_step(res, "evasion", "log_cleared", e->t, H_BK01)))
        snprintf(st->what, sizeof st->what, "System log cleared by %s", VENDOR.name);
    chain_sort(res);
}

/* --- scenario vpn: the FortiGate's log and the intrusion through it ---------------- */

static vline *vpn_add(sim *s, int64_t t, enum vkind k, const char *user, const char *remip)
{
    if (s->nv == s->capv) {
        size_t cap = s->capv ? s->capv * 2 : 256;
        vline *v = realloc(s->vl, cap * sizeof *v);
        if (!v) {
            s->failed = 1;
            return NULL;
        }
        s->vl = v;
        s->capv = cap;
    }
    vline *v = &s->vl[s->nv];
    *v = (vline){.t = t / NS_PER_S * NS_PER_S,
                 .seq = (uint32_t)s->nv,
                 .kind = (uint8_t)k,
                 .user = user,
                 .remip = remip,
                 .group = "N/A",
                 .reason = "N/A"};
    s->nv++;
    return v;
}

/* A tunnel from up to down: its address from the pool (FortiOS's default
 * 10.212.134.200-210), written to tip. */
static void vpn_session(sim *s, int64_t up, int64_t down, const char *user, const char *remip,
                        const char *group, char tip[16])
{
    char addr[16];
    if (tip && tip[0])
        memcpy(addr, tip, sizeof addr);
    else
        snprintf(addr, sizeof addr, "10.212.134.%u", 200 + below(s, 11));
    uint32_t id = 0x40000000u + (uint32_t)below(s, 0x3fffffff);
    vline *v = vpn_add(s, up, V_UP, user, remip);
    if (v) {
        v->group = group;
        v->tunnelid = id;
        memcpy(v->tunnelip, addr, sizeof addr);
    }
    v = vpn_add(s, down, V_DOWN, user, remip);
    if (v) {
        v->group = group;
        v->tunnelid = id;
        v->up = up / NS_PER_S * NS_PER_S;
        memcpy(v->tunnelip, addr, sizeof addr);
    }
    if (tip) memcpy(tip, addr, sizeof addr);
}

typedef struct vpn_staff {
    const char *user, *home;
} vpn_staff;

/* Doctors reading results from home in the evening (from their ISPs). */
static const vpn_staff VPN_STAFF[] = {
    {"sato.k", "192.0.2.41"}, {"ito.r", "192.0.2.87"}, {"yamada.k", "192.0.2.133"}};

/* Four weeks of ordinary VPN use before the night: the vendor's maintenance on
 * weekday afternoons from its office (within site.yaml's duty hours for vendor.emr;
 * on the simulated Tuesday the session that carries its RDP to RDS01), and staff in
 * the evenings, now and then after mistyping the password once. */
static void vpn_background(sim *s)
{
    for (int day = -28; day <= 0; day++) {
        int wday = ((2 + day) % 7 + 7) % 7; /* day 0 is a Tuesday */
        if (day == 0) {
            int64_t up = s->vendor_rdp - (int64_t)(60 + below(s, 120)) * NS_PER_S;
            int64_t down = s->vendor_rdp + (int64_t)(37 + below(s, 5)) * MINUTE;
            vpn_session(s, up, down, VPN_VENDOR_USER, VENDOR_IP, "vpn-vendor", s->vendor_tunnel);
        } else if (wday >= 1 && wday <= 5 && below(s, 2)) {
            int64_t up = jst(s, day, 13, 0, 0) + (int64_t)below(s, 150) * MINUTE;
            vpn_session(s, up, up + (int64_t)(20 + below(s, 70)) * MINUTE, VPN_VENDOR_USER,
                        VENDOR_IP, "vpn-vendor", NULL);
        }
        for (size_t i = 0; i < sizeof VPN_STAFF / sizeof VPN_STAFF[0]; i++) {
            if (below(s, 10) >= 3) continue;
            const vpn_staff *p = &VPN_STAFF[i];
            int64_t up = jst(s, day, 19, 0, 0) + (int64_t)below(s, 180) * MINUTE;
            if (!below(s, 6)) {
                vline *f = vpn_add(s, up - (int64_t)(8 + below(s, 30)) * NS_PER_S, V_FAIL, p->user,
                                   p->home);
                if (f) f->reason = "sslvpn_login_permission_denied";
            }
            vpn_session(s, up, up + (int64_t)(15 + below(s, 80)) * MINUTE, p->user, p->home,
                        "vpn-staff", NULL);
        }
    }
}

/* The night: the VPN brute-forced from abroad until the vendor's maintenance account
 * opens it; from the VPN's address an RDP logon to RDS01 as the vendor's Windows
 * account, AnyDesk installed there as a service, SMB logons from RDS01 to the file
 * server and the EMR database, vssadmin deleting the file server's shadow copies,
 * RDS01's Security log cleared, the tunnel closed. */
static void vpn_intrusion(sim *s, ks_sim_result *res)
{
    snprintf(s->attacker_ip, sizeof s->attacker_ip, "203.0.113.%u", 10 + below(s, 240));
    static const char ALNUM[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    memcpy(s->attacker_ws, "WIN-", 4);
    for (int i = 0; i < 11; i++) s->attacker_ws[4 + i] = ALNUM[below(s, sizeof ALNUM - 1)];
    s->attacker_ws[15] = 0;
    static const char *const GUESSES[] = {"admin", "administrator", "fortinet", "test",
                                          "guest", "vpn",           "user",     "support"};
    unsigned n = 40 + below(s, 41);
    int64_t t = jst(s, 1, 1, 20 + (int)below(s, 20), 0) / NS_PER_S * NS_PER_S;
    for (unsigned i = 0; i < n; i++) {
        t += (2 + below(s, 8)) * NS_PER_S;
        int known = i >= n / 3;
        vline *v =
            vpn_add(s, t, V_FAIL, known ? VPN_VENDOR_USER : GUESSES[below(s, 8)], s->attacker_ip);
        if (!v) return;
        v->reason = known ? "sslvpn_login_permission_denied" : "sslvpn_login_unknown_user";
        if (!i) res->attempt_ns = t;
    }
    /* the password is found: the tunnel comes up (FortiOS's only success line) */
    t += (20 + below(s, 70)) * NS_PER_S;
    int64_t up = t;
    res->intrusion_ns = up;
    res->failed_logons = n;
    snprintf(res->attacker_ip, sizeof res->attacker_ip, "%s", s->attacker_ip);
    snprintf(res->account, sizeof res->account, "%s", VPN_VENDOR_USER);
    snprintf(res->entry_host, sizeof res->entry_host, "%s", FGT_NAME);
    snprintf(res->windows_account, sizeof res->windows_account, DOMAIN "\\%s", VENDOR.name);
    ks_sim_step *st = truth_step(res, "entry", "brute_force", res->attempt_ns, H_VPN);
    if (st)
        snprintf(st->what, sizeof st->what, "%u failed SSL-VPN logins from %s", n, s->attacker_ip);
    st = truth_step(res, "entry", "vpn_login", up, H_VPN);
    if (st)
        snprintf(st->what, sizeof st->what, "SSL-VPN login as %s from %.47s", VPN_VENDOR_USER,
                 s->attacker_ip);
    /* RDP from the VPN's address with the vendor's Windows password */
    int64_t rdp =
        up + (2 + below(s, 5)) * MINUTE + below(s, 60) * NS_PER_S + below(s, 10000000) * 100;
    int64_t clear_t = 0;
    char tip[16] = "";
    /* the tunnel's address, then the session (closed after the log is cleared) */
    snprintf(tip, sizeof tip, "10.212.134.%u", 200 + below(s, 11));
    memcpy(res->vpn_address, tip, sizeof tip);
    sev *e = logon(s, rdp, 10, H_RDS01, &VENDOR, res->vpn_address, s->attacker_ws, 0);
    if (!e) return;
    uint64_t rdp_id = e->logon_id;
    if ((st = truth_step(res, "spread", "rdp_logon", rdp, H_RDS01)))
        snprintf(st->what, sizeof st->what, "RDP logon as %s from the VPN address %s", VENDOR.name,
                 tip);
    /* AnyDesk as a service on RDS01 */
    t = rdp + (4 + below(s, 5)) * MINUTE + below(s, 60) * NS_PER_S;
    e = add(s, t, K_SVC_INSTALL, H_RDS01);
    if (e) e->item = 3;
    if (e && (st = truth_step(res, "persistence", "remote_access_tool", t, H_RDS01)))
        snprintf(st->what, sizeof st->what, "service %s installed", IMPLANTS[3][0]);
    /* SMB from RDS01 at night: the file server, the EMR database, the file server */
    static const uint8_t smb[3] = {H_FS01, H_EMRDB01, H_FS01};
    uint64_t fs_id = 0;
    for (int i = 0; i < 3; i++) {
        t += (16 + below(s, 10)) * MINUTE + below(s, 60) * NS_PER_S;
        e = logon(s, t, 3, smb[i], &VENDOR, HOSTS[H_RDS01].ip, "RDS01", (2 + below(s, 6)) * MINUTE);
        if (!e) return;
        e->ntlm = 1;
        fs_id = e->logon_id;
        res->lateral_logons++;
        if ((st = truth_step(res, "spread", "network_logon", t, smb[i])))
            snprintf(st->what, sizeof st->what, "SMB network logon from RDS01 (NTLM)");
    }
    /* the file server's shadow copies, in that last session */
    t += (1 + below(s, 2)) * MINUTE + below(s, 60) * NS_PER_S;
    e = add(s, t, K_PROCESS, H_FS01);
    if (e) {
        e->acct = &VENDOR;
        e->logon_id = fs_id;
    }
    if (e && (st = truth_step(res, "evasion", "shadow_copy_deletion", t, H_FS01)))
        snprintf(st->what, sizeof st->what, "vssadmin.exe delete shadows /all /quiet");
    /* RDS01's Security log cleared */
    clear_t = t + (3 + below(s, 4)) * MINUTE + below(s, 60) * NS_PER_S;
    e = add(s, clear_t, K_SEC_CLEARED, H_RDS01);
    if (e) {
        e->acct = &VENDOR;
        e->logon_id = rdp_id;
    }
    if (e && (st = truth_step(res, "evasion", "log_cleared", clear_t, H_RDS01)))
        snprintf(st->what, sizeof st->what, "Security log cleared by %s", VENDOR.name);
    /* the tunnel: its lines carry the address the RDP came from */
    int64_t down = clear_t + (2 + below(s, 4)) * MINUTE;
    uint32_t id = 0x40000000u + (uint32_t)below(s, 0x3fffffff);
    vline *v = vpn_add(s, up, V_UP, VPN_VENDOR_USER, s->attacker_ip);
    if (v) {
        v->group = "vpn-vendor";
        v->tunnelid = id;
        memcpy(v->tunnelip, tip, sizeof tip);
    }
    v = vpn_add(s, down, V_DOWN, VPN_VENDOR_USER, s->attacker_ip);
    if (v) {
        v->group = "vpn-vendor";
        v->tunnelid = id;
        v->up = up;
        memcpy(v->tunnelip, tip, sizeof tip);
    }
    chain_sort(res);
}

/* --- events to fields ----------------------------------------------------- */

typedef struct fb {
    ks_field f[32];
    size_t n;
    uint8_t pool[4096];
    size_t used;
    char computer[64], user_sid[80];
} fb;

static const uint8_t *keep(fb *b, const void *p, size_t n)
{
    if (b->used + n > sizeof b->pool) return NULL;
    uint8_t *d = b->pool + b->used;
    memcpy(d, p, n);
    b->used += (n + 7) & ~(size_t)7;
    return d;
}

static void put(fb *b, const char *name, uint8_t type, const void *p, size_t n)
{
    if (b->n == sizeof b->f / sizeof b->f[0]) return;
    const uint8_t *d = n ? keep(b, p, n) : NULL;
    if (n && !d) return;
    b->f[b->n++] = (ks_field){{name, strlen(name)}, {d, (uint32_t)n, type}};
}

static void str(fb *b, const char *name, const char *s)
{
    put(b, name, KS_VT_UTF8, s, strlen(s));
}

static void num(fb *b, const char *name, uint8_t type, uint64_t v, size_t n)
{
    uint8_t le[8];
    for (size_t i = 0; i < 8; i++) le[i] = (uint8_t)(v >> (8 * i));
    put(b, name, type, le, n);
}

/* S-1-5-21-...-rid, S-1-5-18 (rid 18, local) or S-1-0-0 (rid 0). */
static void sid(fb *b, const char *name, uint32_t rid, int domain)
{
    uint8_t s[28] = {1, 1, 0, 0, 0, 0, 0, 5};
    if (!domain) {
        if (!rid) s[7] = 0;
        for (int k = 0; k < 4; k++) s[8 + k] = (uint8_t)(rid >> (8 * k));
        put(b, name, KS_VT_SID, s, 12);
        return;
    }
    s[1] = 5;
    for (int i = 0; i < 5; i++) {
        uint32_t v = i < 4 ? DOMAIN_SUBAUTH[i] : rid;
        for (int k = 0; k < 4; k++) s[8 + 4 * i + k] = (uint8_t)(v >> (8 * k));
    }
    put(b, name, KS_VT_SID, s, 28);
}

static void guid(fb *b, const char *name, sim *s, int zero)
{
    uint8_t g[16] = {0};
    if (!zero) {
        uint64_t a = rnd(s), c = rnd(s);
        for (int i = 0; i < 8; i++) {
            g[i] = (uint8_t)(a >> (8 * i));
            g[8 + i] = (uint8_t)(c >> (8 * i));
        }
        g[7] = (uint8_t)((g[7] & 0x0f) | 0x40); /* version 4 */
        g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);
    }
    put(b, name, KS_VT_GUID, g, 16);
}

static const char SECURITY_GUID[] = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
static const char SCM_GUID[] = "{555908D1-A6D7-4695-8E1E-26931D2012F4}";
static const char EVENTLOG_GUID[] = "{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}";

static void security_event(ks_event *ev, uint32_t id, uint16_t task, uint8_t version,
                           uint64_t keywords)
{
    ev->provider = (ks_str){"Microsoft-Windows-Security-Auditing", 35};
    ev->provider_guid = (ks_str){SECURITY_GUID, sizeof SECURITY_GUID - 1};
    ev->channel = (ks_str){"Security", 8};
    ev->event_id = id;
    ev->task = task;
    ev->version = version;
    ev->keywords = keywords;
}

static void system_event(ks_event *ev, int scm, uint32_t id)
{
    ev->channel = (ks_str){"System", 6};
    ev->event_id = id;
    ev->level = 4;
    if (scm) {
        ev->provider = (ks_str){"Service Control Manager", 23};
        ev->provider_guid = (ks_str){SCM_GUID, sizeof SCM_GUID - 1};
        ev->has_qualifiers = true;
        ev->qualifiers = 16384;
        ev->keywords = UINT64_C(0x8080000000000000);
    } else {
        ev->provider = (ks_str){"Microsoft-Windows-Eventlog", 26};
        ev->provider_guid = (ks_str){EVENTLOG_GUID, sizeof EVENTLOG_GUID - 1};
        ev->task = 104;
        ev->keywords = UINT64_C(0x8000000000000000);
    }
}

/* The 4624 fields (version 2) for a logon. */
static void logon_fields(fb *b, sim *s, const sev *e)
{
    const host *h = &s->hosts[e->host];
    const account *a = e->acct;
    char machine[48];
    snprintf(machine, sizeof machine, "%s$", h->name);
    int local = e->type != 3; /* interactive and RDP: the machine logs the user on */
    if (local) {
        sid(b, "SubjectUserSid", 18, 0);
        str(b, "SubjectUserName", machine);
        str(b, "SubjectDomainName", DOMAIN);
        num(b, "SubjectLogonId", KS_VT_HEX64, 0x3e7, 8);
    } else {
        sid(b, "SubjectUserSid", 0, 0);
        str(b, "SubjectUserName", "-");
        str(b, "SubjectDomainName", "-");
        num(b, "SubjectLogonId", KS_VT_HEX64, 0, 8);
    }
    sid(b, "TargetUserSid", a->rid, 1);
    str(b, "TargetUserName", a->name);
    str(b, "TargetDomainName", DOMAIN);
    num(b, "TargetLogonId", KS_VT_HEX64, e->logon_id, 8);
    num(b, "LogonType", KS_VT_UINT32, e->type, 4);
    str(b, "LogonProcessName", local ? "User32 " : e->ntlm ? "NtLmSsp " : "Kerberos");
    str(b, "AuthenticationPackageName", local ? "Negotiate" : e->ntlm ? "NTLM" : "Kerberos");
    str(b, "WorkstationName", e->workstation);
    guid(b, "LogonGuid", s, e->ntlm);
    str(b, "TransmittedServices", "-");
    str(b, "LmPackageName", e->ntlm ? "NTLM V2" : "-");
    num(b, "KeyLength", KS_VT_UINT32, e->ntlm ? 128 : 0, 4);
    num(b, "ProcessId", KS_VT_HEX64, local ? 0x2d4 + 4 * (uint64_t)e->host : 0, 8);
    str(b, "ProcessName", local ? "C:\\Windows\\System32\\svchost.exe" : "-");
    str(b, "IpAddress", e->ip);
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)e->port);
    str(b, "IpPort", port);
    str(b, "ImpersonationLevel", "%%1833");
    str(b, "RestrictedAdminMode", e->type == 10 ? "%%1843" : "-");
    str(b, "TargetOutboundUserName", "-");
    str(b, "TargetOutboundDomainName", "-");
    str(b, "VirtualAccount", "%%1843");
    num(b, "TargetLinkedLogonId", KS_VT_HEX64, 0, 8);
    str(b, "ElevatedToken", a->admin ? "%%1842" : "%%1843");
}

static void fail_fields(fb *b, const sev *e)
{
    sid(b, "SubjectUserSid", 0, 0);
    str(b, "SubjectUserName", "-");
    str(b, "SubjectDomainName", "-");
    num(b, "SubjectLogonId", KS_VT_HEX64, 0, 8);
    sid(b, "TargetUserSid", 0, 0);
    str(b, "TargetUserName", e->target_name);
    str(b, "TargetDomainName", "");
    num(b, "Status", KS_VT_HEX32, 0xc000006d, 4);
    str(b, "FailureReason", "%%2313");
    num(b, "SubStatus", KS_VT_HEX32, e->item ? 0xc0000064 : 0xc000006a, 4);
    num(b, "LogonType", KS_VT_UINT32, e->type, 4);
    str(b, "LogonProcessName", "NtLmSsp ");
    str(b, "AuthenticationPackageName", "NTLM");
    str(b, "WorkstationName", e->workstation);
    str(b, "TransmittedServices", "-");
    str(b, "LmPackageName", "-");
    num(b, "KeyLength", KS_VT_UINT32, 0, 4);
    num(b, "ProcessId", KS_VT_HEX64, 0, 8);
    str(b, "ProcessName", "-");
    str(b, "IpAddress", e->ip);
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)e->port);
    str(b, "IpPort", port);
}

static const char *const SERVICES[3][2] = {
    {"Windows Modules Installer", "TrustedInstaller"},
    {"Windows Update", "wuauserv"},
    {"Background Intelligent Transfer Service", "BITS"},
};

static const char *const IMPLANTS[4][3] = {
    {"WinUpdSvc", "C:\\Windows\\Temp\\winupd.exe -k netsvcs", "auto start"},
    {"PSEXESVC", "%SystemRoot%\\PSEXESVC.exe", "demand start"},
    {"SysHealthAgent", "C:\\ProgramData\\Health\\agent.exe", "auto start"},
    {"AnyDesk", "\"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe\" --service", "auto start"},
};

typedef struct proc {
    const char *image, *command, *parent, *elevation, *label;
    uint64_t parent_id;
} proc;

static const proc PROCS[NPROCS] = {
    {"C:\\Windows\\System32\\vssadmin.exe", "vssadmin.exe delete shadows /all /quiet",
     "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "%%1936", "S-1-16-12288", 0xe14},
    {"C:\\Windows\\System32\\userinit.exe", "C:\\Windows\\system32\\userinit.exe",
     "C:\\Windows\\System32\\winlogon.exe", "%%1938", "S-1-16-8192", 0x2f0},
    {"C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE",
     "C:\\Windows\\System32\\userinit.exe", "%%1938", "S-1-16-8192", 0x1b3c},
    {"C:\\Program Files\\HospEMR\\EmrClient.exe",
     "\"C:\\Program Files\\HospEMR\\EmrClient.exe\" /server:EMR-DB01", "C:\\Windows\\explorer.exe",
     "%%1938", "S-1-16-8192", 0x1c20},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n",
     "C:\\Windows\\explorer.exe", "%%1938", "S-1-16-8192", 0x1c20},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\"",
     "C:\\Windows\\explorer.exe", "%%1938", "S-1-16-8192", 0x1c20},
    {"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
     "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\"",
     "C:\\Windows\\explorer.exe", "%%1938", "S-1-16-8192", 0x1c20},
    {"C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe",
     "\"C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe\"", "C:\\Windows\\explorer.exe",
     "%%1938", "S-1-16-8192", 0x1c20},
};

static const char *const SHARES[NSHARES][2] = {
    {"\\\\*\\Nursing", "\\??\\D:\\Shares\\Nursing"},
    {"\\\\*\\Medical", "\\??\\D:\\Shares\\Medical"},
    {"\\\\*\\Admin", "\\??\\D:\\Shares\\Admin"},
    {"\\\\*\\Common", "\\??\\D:\\Shares\\Common"},
};

static const char *const SHARE_FILES[NSHARE_FILES] = {
    "shift\\2024\\roster.xlsx",    "manuals\\infection-control.pdf", "forms\\incident-report.docx",
    "meetings\\minutes.docx",      "stats\\beds-occupancy.xlsx",     "desktop.ini",
    "training\\bls-schedule.xlsx", "orders\\supplies.xlsx",          "handover\\ward-3.docx",
    "lab\\reference-ranges.pdf",   "it\\printer-setup.pdf",          "forms\\leave-request.docx",
};

/* Turn e into an event; returns 1 for the System log, 0 for Security. */
static int build(sim *s, const sev *e, fb *b, ks_event *ev)
{
    memset(ev, 0, sizeof *ev);
    b->n = 0;
    b->used = 0;
    const host *h = &s->hosts[e->host];
    snprintf(b->computer, sizeof b->computer, "%s" FQDN, h->name);
    ev->time_ns = e->t;
    ev->host = (ks_str){b->computer, strlen(b->computer)};
    ev->thread_id = 1000 + 4 * below(s, 5000);
    int system = 0;
    switch (e->kind) {
    case K_LOGON:
        security_event(ev, 4624, 12544, 2, UINT64_C(0x8020000000000000));
        logon_fields(b, s, e);
        break;
    case K_LOGOFF:
        security_event(ev, 4634, 12545, 0, UINT64_C(0x8020000000000000));
        sid(b, "TargetUserSid", e->acct->rid, 1);
        str(b, "TargetUserName", e->acct->name);
        str(b, "TargetDomainName", DOMAIN);
        num(b, "TargetLogonId", KS_VT_HEX64, e->logon_id, 8);
        num(b, "LogonType", KS_VT_UINT32, e->type, 4);
        break;
    case K_FAIL:
        security_event(ev, 4625, 12544, 0, UINT64_C(0x8010000000000000));
        fail_fields(b, e);
        break;
    case K_SVC_STATE: {
        system = 1;
        system_event(ev, 1, 7036);
        const char *const *svc = SERVICES[e->item / 2];
        int running = e->item % 2 == 0;
        str(b, "param1", svc[0]);
        str(b, "param2", running ? "running" : "stopped");
        /* the service's key name and new state, as UTF-16 with a terminator */
        char key[64];
        int n = snprintf(key, sizeof key, "%s/%d", svc[1], running ? 4 : 1);
        uint8_t bin[130];
        for (int i = 0; i <= n && i < 64; i++) {
            bin[2 * i] = (uint8_t)key[i];
            bin[2 * i + 1] = 0;
        }
        put(b, "Binary", KS_VT_BINARY, bin, 2 * ((size_t)n + 1));
        break;
    }
    case K_SVC_INSTALL: {
        system = 1;
        system_event(ev, 1, 7045);
        const char *const *svc = IMPLANTS[e->item];
        str(b, "ServiceName", svc[0]);
        str(b, "ImagePath", svc[1]);
        str(b, "ServiceType", "user mode service");
        str(b, "StartType", svc[2]);
        str(b, "AccountName", "LocalSystem");
        break;
    }
    case K_PROCESS: { /* P_VSSADMIN: from WMI in the network logon's session */
        const proc *p = &PROCS[e->item < NPROCS ? e->item : 0];
        security_event(ev, 4688, 13312, 2, UINT64_C(0x8020000000000000));
        sid(b, "SubjectUserSid", e->acct->rid, 1);
        str(b, "SubjectUserName", e->acct->name);
        str(b, "SubjectDomainName", DOMAIN);
        num(b, "SubjectLogonId", KS_VT_HEX64, e->logon_id, 8);
        num(b, "NewProcessId", KS_VT_HEX64, 0x1a00 + 4 * (uint64_t)below(s, 0x400), 8);
        str(b, "NewProcessName", p->image);
        str(b, "TokenElevationType", p->elevation);
        num(b, "ProcessId", KS_VT_HEX64, p->parent_id, 8);
        str(b, "CommandLine", p->command);
        sid(b, "TargetUserSid", 0, 0);
        str(b, "TargetUserName", "-");
        str(b, "TargetDomainName", "-");
        num(b, "TargetLogonId", KS_VT_HEX64, 0, 8);
        str(b, "ParentProcessName", p->parent);
        str(b, "MandatoryLabel", p->label);
        break;
    }
    case K_PRIV: /* 4672 */
        security_event(ev, 4672, 12548, 0, UINT64_C(0x8020000000000000));
        sid(b, "SubjectUserSid", e->acct->rid, 1);
        str(b, "SubjectUserName", e->acct->name);
        str(b, "SubjectDomainName", DOMAIN);
        num(b, "SubjectLogonId", KS_VT_HEX64, e->logon_id, 8);
        str(b, "PrivilegeList",
            "SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\t"
            "SeRestorePrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n"
            "\t\t\tSeDebugPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege"
            "\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\t"
            "SeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonate"
            "Privilege\r\n\t\t\tSeEnableDelegationPrivilege");
        break;
    case K_SHARE:      /* 5140 */
    case K_SHARE_FILE: /* 5145 */
    {
        int file = e->kind == K_SHARE_FILE;
        const char *const *sh = SHARES[e->item % NSHARES];
        security_event(ev, file ? 5145 : 5140, file ? 12811 : 12808, file ? 0 : 1,
                       UINT64_C(0x8020000000000000));
        sid(b, "SubjectUserSid", e->acct->rid, 1);
        str(b, "SubjectUserName", e->acct->name);
        str(b, "SubjectDomainName", DOMAIN);
        num(b, "SubjectLogonId", KS_VT_HEX64, e->logon_id, 8);
        str(b, "ObjectType", "File");
        str(b, "IpAddress", e->ip);
        char port[8];
        snprintf(port, sizeof port, "%u", (unsigned)e->port);
        str(b, "IpPort", port);
        str(b, "ShareName", sh[0]);
        str(b, "ShareLocalPath", sh[1]);
        if (file) {
            str(b, "RelativeTargetName", SHARE_FILES[e->type % NSHARE_FILES]);
            num(b, "AccessMask", KS_VT_HEX32, 0x120089, 4);
            str(b, "AccessList",
                "%%1538\r\n\t\t\t\t%%1541\r\n\t\t\t\t%%4416\r\n"
                "\t\t\t\t%%4419\r\n\t\t\t\t%%4423\r\n\t\t\t\t");
            str(b, "AccessReason", "-");
        } else {
            num(b, "AccessMask", KS_VT_HEX32, 0x1, 4);
            str(b, "AccessList", "%%4416\r\n\t\t\t\t");
        }
        break;
    }
    case K_SEC_CLEARED: /* 1102: the event log service writes it into Security */
        system_event(ev, 0, 1102);
        ev->channel = (ks_str){"Security", 8};
        ev->task = 104;
        ev->keywords = UINT64_C(0x4020000000000000);
        sid(b, "SubjectUserSid", e->acct->rid, 1);
        str(b, "SubjectUserName", e->acct->name);
        str(b, "SubjectDomainName", DOMAIN);
        num(b, "SubjectLogonId", KS_VT_HEX64, e->logon_id, 8);
        break;
    case K_CLEARED:
        system = 1;
        system_event(ev, 0, 104);
        str(b, "SubjectUserName", VENDOR.name);
        str(b, "SubjectDomainName", DOMAIN);
        str(b, "Channel", "System");
        str(b, "BackupPath", "");
        break;
    }
    if (system) {
        ev->process_id = 700 + 4u * e->host; /* services.exe, or the event log's svchost */
        if (e->kind != K_SVC_STATE) {
            snprintf(b->user_sid, sizeof b->user_sid, "S-1-5-21-%u-%u-%u-%u", DOMAIN_SUBAUTH[1],
                     DOMAIN_SUBAUTH[2], DOMAIN_SUBAUTH[3], VENDOR.rid);
            ev->user_sid = (ks_str){b->user_sid, strlen(b->user_sid)};
        }
    } else {
        ev->process_id = 640 + 4u * e->host; /* lsass.exe */
    }
    ev->fields = b->f;
    ev->nfields = b->n;
    return system;
}

static int by_time(const void *pa, const void *pb)
{
    const sev *a = pa, *b = pb;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const char *const SCENARIOS[KS_SIM_SCENARIO_COUNT] = {"rdp_bruteforce", "none", "vpn"};

const char *ks_sim_scenario_name(ks_sim_scenario s)
{
    return (unsigned)s < KS_SIM_SCENARIO_COUNT ? SCENARIOS[s] : "";
}

/* The index of name in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (!strcmp(name, names[i])) return i;
    return -1;
}

int ks_sim_scenario_find(const char *name)
{
    return name_index(SCENARIOS, KS_SIM_SCENARIO_COUNT, name);
}

static int by_vtime(const void *pa, const void *pb)
{
    const vline *a = pa, *b = pb;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* One FortiOS 6.4 SSL-VPN event as rsyslog stores it: an RFC 3164 header in the
 * device's local time (JST), then the key=value message with date=, time= and tz=
 * (the year and zone that the header lacks). */
static void vpn_line(ks_buf *b, const vline *v)
{
    static const char *const MON[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t local = v->t / NS_PER_S + 9 * 3600;
    int64_t days = local / 86400 - (local % 86400 < 0), rem = local - days * 86400, y;
    unsigned m, d;
    ks_civil_from_days(days, &y, &m, &d);
    int hh = (int)(rem / 3600), mi = (int)(rem / 60 % 60), ss = (int)(rem % 60);
    ks_buf_printf(b, "%s %2u %02d:%02d:%02d %s ", MON[(m - 1) % 12], d, hh, mi, ss, FGT_NAME);
    static const char *const LOGID[3] = {"0101039426", "0101039947", "0101039948"};
    static const char *const DESC[3] = {"SSL VPN login fail", "SSL VPN tunnel up",
                                        "SSL VPN tunnel down"};
    static const char *const ACTION[3] = {"ssl-login-fail", "tunnel-up", "tunnel-down"};
    ks_buf_printf(b,
                  "date=%04lld-%02u-%02u time=%02d:%02d:%02d devname=\"" FGT_NAME
                  "\" devid=\"" FGT_SERIAL "\" eventtime=%lld000000000 tz=\"+0900\" "
                  "logid=\"%s\" type=\"event\" subtype=\"vpn\" level=\"%s\" vd=\"root\" "
                  "logdesc=\"%s\" action=\"%s\" tunneltype=\"%s\" tunnelid=%u remip=%s ",
                  (long long)y, m, d, hh, mi, ss, (long long)(v->t / NS_PER_S), LOGID[v->kind],
                  v->kind == V_FAIL ? "alert" : "information", DESC[v->kind], ACTION[v->kind],
                  v->kind == V_FAIL ? "ssl-web" : "ssl-tunnel", v->tunnelid, v->remip);
    ks_buf_printf(b, "tunnelip=%s user=\"%s\" group=\"%s\" dst_host=\"N/A\" reason=\"%s\" ",
                  v->kind == V_FAIL ? "(null)" : v->tunnelip, v->user, v->group, v->reason);
    if (v->kind == V_DOWN) {
        long long dur = (long long)((v->t - v->up) / NS_PER_S);
        ks_buf_printf(b, "duration=%lld sentbyte=%lld rcvdbyte=%lld ", dur, dur * 5231 + 977,
                      dur * 18443 + 4012);
    }
    ks_buf_printf(b, "msg=\"%s\"\n",
                  v->kind == V_FAIL ? "SSL user failed to logged in"
                  : v->kind == V_UP ? "SSL tunnel established"
                                    : "SSL tunnel shutdown");
}

/* DIR/vpn/fortigate.log, in time order. */
static ks_status vpn_write(sim *s, const char *dir, ks_sim_result *res, ks_diag *diag)
{
    ks_sim_file *f = &res->files[2];
    int n = snprintf(f->path, sizeof f->path, "%s/vpn", dir);
    if (n < 0 || (size_t)n + 16 >= sizeof f->path)
        return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "folder name too long");
    ks_status mk = ks_sim_make_dir(f->path, diag);
    if (mk != KS_OK) return mk;
    snprintf(f->path + n, sizeof f->path - (size_t)n, "/fortigate.log");
    res->nfiles = 3;
    qsort(s->vl, s->nv, sizeof *s->vl, by_vtime);
    ks_buf b = {0};
    for (size_t i = 0; i < s->nv; i++) vpn_line(&b, &s->vl[i]);
    f->events = s->nv;
    f->first_ns = s->nv ? s->vl[0].t : 0;
    f->last_ns = s->nv ? s->vl[s->nv - 1].t : 0;
    ks_status st = b.failed ? ks_diag_set(diag, KS_ERR_NOMEM, f->path, 0, "out of memory")
                            : ks_sim_write_file(f->path, b.data, b.len, diag);
    ks_buf_free(&b);
    return st;
}

ks_status ks_sim_write(const char *dir, uint64_t seed, ks_sim_result *res, ks_diag *diag)
{
    return ks_sim_write_scenario(dir, seed, KS_SIM_RDP_BRUTEFORCE, res, diag);
}

ks_status ks_sim_write_scenario(const char *dir, uint64_t seed, ks_sim_scenario scenario,
                                ks_sim_result *res, ks_diag *diag)
{
    ks_sim_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    if ((unsigned)scenario >= KS_SIM_SCENARIO_COUNT)
        return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no such scenario");
    res->scenario = scenario;
    if (!dir || !*dir) return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no output folder given");
    ks_status mk = ks_sim_make_dir(dir, diag);
    if (mk != KS_OK) return mk;
    static const char *const NAMES[2] = {"Security.evtx", "System.evtx"};
    for (int i = 0; i < 2; i++) {
        int n = snprintf(res->files[i].path, sizeof res->files[i].path, "%s/%s", dir, NAMES[i]);
        if (n < 0 || (size_t)n >= sizeof res->files[i].path)
            return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "folder name too long");
    }
    res->nfiles = 2;

    sim s = {.rng = seed,
             .next_logon_id = 0x3a0000 + (seed % 0x10000) * 0x100,
             .vendor_ip = VENDOR_IP,
             .hosts = HOSTS,
             .nterm = NTERM,
             .nhosts = H_TERM + NTERM,
             .staff = STAFF,
             .nstaff = sizeof STAFF / sizeof STAFF[0]};
    ks_evtx_writer *w[2] = {NULL, NULL};
    fb *b = malloc(sizeof *b);
    ks_status st = KS_OK;
    if (!b) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory");
        goto out;
    }
    if (scenario == KS_SIM_VPN) {
        /* the vendor's maintenance comes through the VPN: its RDP from a tunnel address */
        snprintf(s.vendor_tunnel, sizeof s.vendor_tunnel, "10.212.134.%u", 200 + below(&s, 11));
        s.vendor_ip = s.vendor_tunnel;
    }
    ordinary_day(&s);
    if (scenario == KS_SIM_RDP_BRUTEFORCE) intrusion(&s, res);
    if (scenario == KS_SIM_VPN) {
        vpn_background(&s);
        vpn_intrusion(&s, res);
    }
    if (s.failed) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory");
        goto out;
    }
    if (scenario == KS_SIM_VPN && (st = vpn_write(&s, dir, res, diag))) goto out;
    qsort(s.ev, s.n, sizeof *s.ev, by_time);
    for (int i = 0; i < 2; i++)
        if ((st = ks_evtx_writer_open(&w[i], res->files[i].path, diag))) goto out;
    for (size_t i = 0; i < s.n; i++) {
        ks_event ev;
        int f = build(&s, &s.ev[i], b, &ev);
        if ((st = ks_evtx_writer_add(w[f], &ev))) goto out;
        ks_sim_file *sf = &res->files[f];
        if (!sf->events++) sf->first_ns = ev.time_ns / 100 * 100;
        sf->last_ns = ev.time_ns / 100 * 100;
    }
out:
    for (int i = 0; i < 2; i++) {
        ks_status cs = ks_evtx_writer_close(&w[i]);
        if (!st) st = cs;
    }
    free(s.ev);
    free(s.vl);
    free(b);
    return st;
}

/* --- days of a hospital (ks_sim_write_days) ------------------------------------ */

static const char *const SIZES[KS_SIM_SIZE_COUNT] = {"small", "midsize"};

const char *ks_sim_size_name(ks_sim_size s)
{
    return (unsigned)s < KS_SIM_SIZE_COUNT ? SIZES[s] : "";
}

int ks_sim_size_find(const char *name)
{
    return name_index(SIZES, KS_SIM_SIZE_COUNT, name);
}

enum { MID_TERMS = 60, MID_STAFF = 300 };

static const host MID_EXTRA[NEXTRA] = {
    {"DC02", "10.10.1.11"},   {"FS02", "10.10.1.21"},  {"EMR-AP01", "10.10.1.31"},
    {"PACS01", "10.10.1.60"}, {"LAB01", "10.10.1.70"}, {"PRINT01", "10.10.1.80"},
    {"WSUS01", "10.10.1.90"},
};

/* The midsize hospital: its tables and the names they point to. */
typedef struct hospital {
    host hosts[H_TERM + MID_TERMS + NEXTRA];
    char term_name[MID_TERMS][16], term_ip[MID_TERMS][16];
    account staff[MID_STAFF];
    char staff_name[MID_STAFF][24];
} hospital;

static void hospital_midsize(hospital *hp)
{
    static const char *const SURNAMES[40] = {
        "tanaka",    "suzuki",    "sato",     "takahashi", "watanabe",  "ito",      "yamamoto",
        "nakamura",  "kobayashi", "kato",     "yoshida",   "yamada",    "sasaki",   "yamaguchi",
        "matsumoto", "inoue",     "kimura",   "hayashi",   "saito",     "shimizu",  "yamazaki",
        "mori",      "abe",       "ikeda",    "hashimoto", "yamashita", "ishikawa", "nakajima",
        "maeda",     "fujita",    "ogawa",    "goto",      "okada",     "hasegawa", "murakami",
        "kondo",     "ishii",     "sakamoto", "endo",      "aoki"};
    static const char INITIALS[] = "dfgijouw"; /* none of STAFF's: names stay unique */
    memcpy(hp->hosts, HOSTS, H_TERM * sizeof *hp->hosts);
    for (unsigned k = 0; k < MID_TERMS; k++) {
        snprintf(hp->term_name[k], sizeof hp->term_name[k], "EMR-TERM-%02u", k + 1);
        snprintf(hp->term_ip[k], sizeof hp->term_ip[k], "10.10.2.%u", 11 + k);
        hp->hosts[H_TERM + k] = (host){hp->term_name[k], hp->term_ip[k]};
    }
    memcpy(hp->hosts + H_TERM + MID_TERMS, MID_EXTRA, sizeof MID_EXTRA);
    size_t nstaff = sizeof STAFF / sizeof STAFF[0];
    memcpy(hp->staff, STAFF, sizeof STAFF);
    for (size_t i = nstaff; i < MID_STAFF; i++) {
        snprintf(hp->staff_name[i], sizeof hp->staff_name[i], "%s.%c", SURNAMES[i % 40],
                 INITIALS[(i / 40) % 8]);
        hp->staff[i] = (account){hp->staff_name[i], (uint32_t)(2000 + i), 0};
    }
}

/* Days since 1970-01-01 of the simulated day's day-th neighbour. */
static int64_t day_number(int day)
{
    return ks_days_from_civil(2024, 10, 15) + day;
}

/* Saturdays, Sundays, Japan's public holidays (October 2023 to October 2024) and the
 * New Year's break (December 29 to January 3). */
static int quiet_day(int day)
{
    int64_t dn = day_number(day), y;
    unsigned m, d;
    int wday = (int)(((dn % 7) + 11) % 7); /* 1970-01-01 was a Thursday; 0 is Sunday */
    if (wday == 0 || wday == 6) return 1;
    ks_civil_from_days(dn, &y, &m, &d);
    if ((m == 12 && d >= 29) || (m == 1 && d <= 3)) return 1;
    static const uint16_t HOLIDAYS[] = {/* yyyy-mm-dd as (yy - 23) * 1000 + mm * 50 + dd */
                                        509,  553,  573,  1051, 1058, 1111, 1112,
                                        1123, 1170, 1229, 1253, 1254, 1255, 1256,
                                        1365, 1411, 1412, 1466, 1472, 1473, 1514};
    if (y < 2023 || y > 2024) return 0;
    unsigned key = (unsigned)(y - 2023) * 1000 + m * 50 + d;
    for (size_t i = 0; i < sizeof HOLIDAYS / sizeof HOLIDAYS[0]; i++)
        if (HOLIDAYS[i] == key) return 1;
    return 0;
}

/* One log of ks_sim_write_days: the current file, rolled over into archives. */
typedef struct roll {
    ks_evtx_writer *w;
    const char *name; /* "Security" */
    ks_sim_file *total;
    uint64_t events; /* in the current file */
    int64_t last_ns;
} roll;

static ks_status roll_open(roll *r, ks_diag *diag)
{
    r->events = 0;
    return ks_evtx_writer_open(&r->w, r->total->path, diag);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

/* Close the current file into DIR/Archive-NAME-<UTC of its last event>.evtx and start
 * a new one when it would pass max (the writer still holds up to a chunk, and up to
 * ROLL_EVERY events come before the next look). */
enum { ROLL_EVERY = 256, ROLL_SLACK = 512 * 1024 };

static ks_status roll_check(roll *r, const char *dir, uint64_t max, ks_sim_result *res,
                            ks_diag *diag)
{
    if (!r->events || file_size(r->total->path) + ROLL_SLACK < max) return KS_OK;
    ks_status st = ks_evtx_writer_close(&r->w);
    if (st) return st;
    int64_t sec = r->last_ns / NS_PER_S - (r->last_ns % NS_PER_S < 0);
    int64_t days = sec / 86400 - (sec % 86400 < 0), rem = sec - days * 86400, y;
    unsigned m, d;
    ks_civil_from_days(days, &y, &m, &d);
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/Archive-%s-%04lld-%02u-%02u-%02d-%02d-%02d-%03d.evtx",
                     dir, r->name, (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
                     (int)(rem % 60), (int)((r->last_ns - sec * NS_PER_S) / 1000000));
    if (n < 0 || (size_t)n >= sizeof path)
        return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "folder name too long");
    if (rename(r->total->path, path) != 0)
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot rename: %s", strerror(errno));
    res->evtx_bytes += file_size(path);
    res->archives++;
    return roll_open(r, diag);
}

/* Archives a run before this one left (another seed or size has others). */
static void remove_archives(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) return;
    struct dirent *de;
    char path[4096];
    while ((de = readdir(dp))) {
        const char *nm = de->d_name;
        size_t len = strlen(nm);
        if ((strncmp(nm, "Archive-Security-", 17) && strncmp(nm, "Archive-System-", 15)) ||
            len < 5 || strcmp(nm + len - 5, ".evtx"))
            continue;
        int n = snprintf(path, sizeof path, "%s/%s", dir, nm);
        if (n > 0 && (size_t)n < sizeof path) remove(path);
    }
    closedir(dp);
}

ks_status ks_sim_write_days(const char *dir, uint64_t seed, const ks_sim_days_opts *o,
                            ks_sim_result *res, ks_diag *diag)
{
    ks_sim_result local;
    if (!res) res = &local;
    ks_sim_days_opts def = {0};
    if (!o) o = &def;
    unsigned ndays = o->days ? o->days : 1;
    if (ndays > KS_SIM_MAX_DAYS || (unsigned)o->size >= KS_SIM_SIZE_COUNT) {
        memset(res, 0, sizeof *res);
        return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "days 1 to %d, size small or midsize",
                           KS_SIM_MAX_DAYS);
    }
    if (ndays == 1 && o->size == KS_SIM_SMALL) { /* the one day, as it always was */
        ks_status st = ks_sim_write_scenario(dir, seed, o->scenario, res, diag);
        if (st == KS_OK && dir) {
            remove_archives(dir);
            res->days = 1;
            res->evtx_bytes = file_size(res->files[0].path) + file_size(res->files[1].path);
        }
        return st;
    }
    memset(res, 0, sizeof *res);
    if ((unsigned)o->scenario >= KS_SIM_SCENARIO_COUNT)
        return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no such scenario");
    res->scenario = o->scenario;
    if (!dir || !*dir) return ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no output folder given");
    ks_status st = ks_sim_make_dir(dir, diag);
    if (st != KS_OK) return st;
    remove_archives(dir);
    uint64_t max = o->max_file_bytes ? o->max_file_bytes : UINT64_C(256) << 20;
    if (max < (UINT64_C(1) << 20)) max = UINT64_C(1) << 20;
    static const char *const NAMES[2] = {"Security", "System"};
    roll logs[2];
    memset(logs, 0, sizeof logs);
    for (int i = 0; i < 2; i++) {
        int n =
            snprintf(res->files[i].path, sizeof res->files[i].path, "%s/%s.evtx", dir, NAMES[i]);
        if (n < 0 || (size_t)n >= sizeof res->files[i].path - 40)
            return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "folder name too long");
        logs[i].name = NAMES[i];
        logs[i].total = &res->files[i];
    }
    res->nfiles = 2;

    sim s = {.rng = seed,
             .next_logon_id = 0x3a0000 + (seed % 0x10000) * 0x100,
             .vendor_ip = VENDOR_IP,
             .hosts = HOSTS,
             .nterm = NTERM,
             .nhosts = H_TERM + NTERM,
             .staff = STAFF,
             .nstaff = sizeof STAFF / sizeof STAFF[0],
             .rich = 1};
    hospital *hp = NULL;
    fb *b = malloc(sizeof *b);
    if (!b) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory");
        goto out;
    }
    if (o->size == KS_SIM_MIDSIZE) {
        if (!(hp = malloc(sizeof *hp))) {
            st = ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory");
            goto out;
        }
        hospital_midsize(hp);
        s.hosts = hp->hosts;
        s.nterm = MID_TERMS;
        s.nhosts = H_TERM + MID_TERMS + NEXTRA;
        s.staff = hp->staff;
        s.nstaff = MID_STAFF;
    }
    if (o->scenario == KS_SIM_VPN) {
        snprintf(s.vendor_tunnel, sizeof s.vendor_tunnel, "10.212.134.%u", 200 + below(&s, 11));
        s.vendor_ip = s.vendor_tunnel;
    }
    for (int i = 0; i < 2; i++)
        if ((st = roll_open(&logs[i], diag))) goto out;
    for (int day = 1 - (int)ndays; day <= 0; day++) {
        s.day = day;
        s.quiet = day != 0 && quiet_day(day); /* the simulated Tuesday is a working day */
        ordinary_day(&s);
        if (day == 0 && o->scenario == KS_SIM_RDP_BRUTEFORCE) intrusion(&s, res);
        if (day == 0 && o->scenario == KS_SIM_VPN) {
            vpn_background(&s);
            vpn_intrusion(&s, res);
        }
        if (s.failed) {
            st = ks_diag_set(diag, KS_ERR_NOMEM, dir, 0, "out of memory");
            goto out;
        }
        /* what happened before the next midnight (Japan time) now; the rest (the
         * night's backup, sessions still open) with the next day's events */
        qsort(s.ev, s.n, sizeof *s.ev, by_time);
        int64_t cut = day == 0 ? INT64_MAX : (day_number(day + 1) * 86400 - 9 * 3600) * NS_PER_S;
        size_t k = 0;
        for (; k < s.n && s.ev[k].t < cut; k++) {
            ks_event ev;
            int f = build(&s, &s.ev[k], b, &ev);
            roll *r = &logs[f];
            if ((st = ks_evtx_writer_add(r->w, &ev))) goto out;
            ks_sim_file *sf = r->total;
            if (!sf->events++) sf->first_ns = ev.time_ns / 100 * 100;
            sf->last_ns = r->last_ns = ev.time_ns / 100 * 100;
            if (++r->events % ROLL_EVERY == 0 && (st = roll_check(r, dir, max, res, diag)))
                goto out;
        }
        memmove(s.ev, s.ev + k, (s.n - k) * sizeof *s.ev);
        s.n -= k;
        for (int i = 0; i < 2; i++)
            if ((st = roll_check(&logs[i], dir, max, res, diag))) goto out;
        res->days++;
        if (o->progress)
            o->progress(o->ctx, res->days, ndays,
                        res->evtx_bytes + file_size(logs[0].total->path) +
                            file_size(logs[1].total->path));
    }
    if (o->scenario == KS_SIM_VPN && (st = vpn_write(&s, dir, res, diag))) goto out;
out:
    for (int i = 0; i < 2; i++) {
        ks_status cs = ks_evtx_writer_close(&logs[i].w);
        if (!st) st = cs;
    }
    res->evtx_bytes += file_size(res->files[0].path) + file_size(res->files[1].path);
    free(s.ev);
    free(s.vl);
    free(b);
    free(hp);
    return st;
}

/* --- ground truth and the practice hospital's site file ------------------------ */

ks_status ks_sim_make_dir(const char *path, ks_diag *diag)
{
    char p[4096];
    size_t n = strlen(path);
    if (n >= sizeof p) return ks_diag_set(diag, KS_ERR_ARG, path, 0, "folder name too long");
    memcpy(p, path, n + 1);
    /* the folders above it first, as mkdir -p */
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0) continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot create the folder: %s",
                               strerror(errno));
        p[i] = c;
    }
    return KS_OK;
}

ks_status ks_sim_write_file(const char *path, const void *data, size_t n, ks_diag *diag)
{
    FILE *f = fopen(path, "wb");
    if (!f) return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot write: %s", strerror(errno));
    int bad = n && fwrite(data, 1, n, f) != n;
    if (fclose(f) != 0) bad = 1;
    if (bad) return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot write: %s", strerror(errno));
    return KS_OK;
}

static void json_field(ks_buf *b, const char *name, const char *v, int comma)
{
    ks_buf_printf(b, "%s\"%s\": \"", comma ? ", " : "", name);
    ks_escape_utf8(b, v, strlen(v), KS_ESC_JSON);
    ks_buf_putc(b, '"');
}

static void json_time(ks_buf *b, const char *name, int64_t ns)
{
    ks_buf_printf(b, ", \"%s\": \"", name);
    ks_time_format(b, ns, 7);
    ks_buf_putc(b, '"');
}

ks_status ks_sim_write_truth(const char *path, uint64_t seed, const ks_sim_result *res,
                             ks_diag *diag)
{
    ks_buf b = {0};
    ks_buf_printf(&b, "{\"seed\": %llu, \"scenario\": \"%s\"", (unsigned long long)seed,
                  ks_sim_scenario_name(res->scenario));
    if (res->intrusion_ns) {
        json_time(&b, "first_intrusion", res->intrusion_ns);
        ks_buf_printf(&b, ", \"first_intrusion_ns\": %lld", (long long)res->intrusion_ns);
        json_time(&b, "first_attempt", res->attempt_ns);
    } else {
        ks_buf_puts(&b, ", \"first_intrusion\": null, \"first_intrusion_ns\": null, "
                        "\"first_attempt\": null");
    }
    json_field(&b, "attacker_ip", res->attacker_ip, 1);
    json_field(&b, "account", res->account, 1);
    json_field(&b, "entry_host", res->entry_host, 1);
    if (res->vpn_address[0]) {
        json_field(&b, "vpn_address", res->vpn_address, 1);
        json_field(&b, "windows_account", res->windows_account, 1);
    }
    ks_buf_printf(&b, ", \"failed_logons\": %u, \"lateral_logons\": %u", res->failed_logons,
                  res->lateral_logons);
    if (res->nbackups) {
        ks_buf_printf(&b, ", \"backups\": %u", res->nbackups);
        json_field(&b, "backup_restore", res->backup_restore, 1);
        json_field(&b, "backup_first_bad", res->backup_first_bad, 1);
    }
    ks_buf_puts(&b, ",\n \"chain\": [");
    for (unsigned i = 0; i < res->nchain; i++) {
        const ks_sim_step *st = &res->chain[i];
        ks_buf_puts(&b, i ? ",\n  {" : "\n  {");
        json_field(&b, "stage", st->stage, 0);
        json_field(&b, "kind", st->kind, 1);
        json_time(&b, "time", st->time_ns);
        json_field(&b, "host", st->host, 1);
        json_field(&b, "what", st->what, 1);
        ks_buf_putc(&b, '}');
    }
    ks_buf_puts(&b, "\n ]}\n");
    ks_status st = b.failed ? ks_diag_set(diag, KS_ERR_NOMEM, path, 0, "out of memory")
                            : ks_sim_write_file(path, b.data, b.len, diag);
    ks_buf_free(&b);
    return st;
}

static const char SITE_YAML[] =
    "# The practice hospital of `kensa simulate` (invented names; RFC 5737 addresses).\n"
    "# kensa simulate の練習用病院 (架空の名前、RFC 5737 のアドレス)。\n"
    "# See docs/site.example.yaml for every key. / 全項目の説明は docs/site.example.yaml。\n"
    "site: Practice General Hospital\n"
    "timezone: Asia/Tokyo\n"
    "home_country: JP\n"
    "business_hours: {days: mon-fri, start: \"08:00\", end: \"18:00\"}\n"
    "hosts:\n"
    "  - {name: DC01, role: domain_controller, addresses: [10.10.1.10]}\n"
    "  - {name: FS01, role: file_server, addresses: [10.10.1.20]}\n"
    "  - {name: EMR-DB01, role: emr_server, addresses: [10.10.1.30]}\n"
    "  - {name: BK01, role: backup_server, addresses: [10.10.1.40]}\n"
    "  - {name: RDS01, role: terminal_server, addresses: [10.10.1.50]}\n"
    "  - {name: IT-PC01, role: workstation, addresses: [10.10.3.5]}\n"
    "  - {name: \"EMR-TERM-*\", role: emr_terminal, addresses: [10.10.2.0/24]}\n"
    "accounts:\n"
    "  - {name: admin.kimura, admin: true, duty: \"08:30-19:00\"}\n"
    "  - name: vendor.emr\n"
    "    duty: {days: mon-fri, start: \"13:00\", end: \"17:00\"}\n"
    "    addresses: [" VENDOR_IP "]\n"
    "  - name: " VPN_VENDOR_USER " # the vendor's account on the VPN (scenario vpn)\n"
    "    duty: {days: mon-fri, start: \"13:00\", end: \"17:00\"}\n"
    "    addresses: [" VENDOR_IP "]\n"
    "  - {name: svc-backup, duty: \"00:30-02:30\"}\n"
    "groups:\n"
    "  - name: ward-staff\n"
    "    members: [tanaka.h, suzuki.y, sato.k, takahashi.m, watanabe.a, ito.r, yamamoto.s,\n"
    "              nakamura.e, kobayashi.t, kato.n, yoshida.m, yamada.k, sasaki.y,\n"
    "              yamaguchi.r, matsumoto.h, inoue.a]\n"
    "    duty: {days: every day, start: \"07:00\", end: \"21:00\"}\n"
    "admin_addresses: [10.10.3.0/24]\n"
    "backups:\n"
    "  - name: nightly-nas\n"
    "    host: BK01\n"
    "    kind: nas\n"
    "    retention: {daily: 7, weekly: 4, monthly: 12}\n";

ks_status ks_sim_write_site(const char *path, ks_diag *diag)
{
    return ks_sim_write_site_size(path, KS_SIM_SMALL, diag);
}

ks_status ks_sim_write_site_size(const char *path, ks_sim_size size, ks_diag *diag)
{
    if (size != KS_SIM_MIDSIZE)
        return ks_sim_write_file(path, SITE_YAML, sizeof SITE_YAML - 1, diag);
    /* the mid-size hospital: its second servers after the small one's hosts (the
     * terminals' pattern and network cover all 60) */
    static const char *const ROLES[NEXTRA] = {
        "domain_controller", "file_server", "emr_server", "other", "other", "other", "other"};
    const char *at = strstr(SITE_YAML, "  - {name: \"EMR-TERM-*\"");
    ks_buf b = {0};
    ks_buf_append(&b, SITE_YAML, (size_t)(at - SITE_YAML));
    for (int i = 0; i < NEXTRA; i++)
        ks_buf_printf(&b, "  - {name: %s, role: %s, addresses: [%s]}\n", MID_EXTRA[i].name,
                      ROLES[i], MID_EXTRA[i].ip);
    ks_buf_puts(&b, at);
    ks_status st = b.failed ? ks_diag_set(diag, KS_ERR_NOMEM, path, 0, "out of memory")
                            : ks_sim_write_file(path, b.data, b.len, diag);
    ks_buf_free(&b);
    return st;
}
