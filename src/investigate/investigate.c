/* The investigation: reads the evidence twice. Pass 1 runs the detectors and
 * measures log coverage and logons per host and account; the findings then seed
 * attack chains (an entry: a logon after failures, RDP or VPN from outside), and
 * pass 2 collects the logons of the chains' accounts and addresses (spread, and
 * earlier logons from the attacker's address). A VPN entry links to Windows through
 * the address the VPN gave the attacker (pass 2 reads the syslog files first to learn
 * it, and the Windows logons from it bring in their account). Other findings join
 * the chain that reached their host or used their account last. Memory holds
 * findings, chains and bounded tables, never events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "kensa/investigate.h"
#include "kensa/time.h"
#include "kensa/value.h"
#include "util/tz.h"

#define NS_PER_S INT64_C(1000000000)
#define HOUR (3600 * NS_PER_S)
#define CHAIN_WINDOW (72 * HOUR) /* a chain goes on this long after its last step */
#define KS_INV_MAX_COVERAGE 8192
#define KS_INV_MAX_LOGONS 65536
#define KS_INV_MAX_CHAINS 256
#define KS_INV_TIME_LIMIT (INT64_C(1) << 62)

static const char *const STAGES[KS_STAGE_COUNT] = {"entry", "spread", "persistence", "evasion",
                                                   "impact"};

const char *ks_stage_name(ks_stage s)
{
    return (unsigned)s < KS_STAGE_COUNT ? STAGES[s] : "";
}

const char *ks_confidence_name(ks_confidence c)
{
    static const char *const N[] = {"none", "low", "medium", "high"};
    return (unsigned)c < 4 ? N[c] : "none";
}

/* --- small helpers ----------------------------------------------------------- */

static void copy_str(char *dst, size_t cap, ks_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) memcpy(dst, s.p, n);
    dst[n] = 0;
}

static void copy_cstr(char *dst, size_t cap, const char *s)
{
    copy_str(dst, cap, (ks_str){s, strlen(s)});
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (uint8_t)(*s | 0x20)) * UINT64_C(0x100000001b3);
    return h * UINT64_C(0x100000001b3);
}

/* The account without its domain ("HOSP\\x", "x@hosp.local" -> "x"). */
static const char *bare(const char *user, char *tmp, size_t cap)
{
    const char *b = strrchr(user, '\\');
    b = b ? b + 1 : user;
    size_t n = strcspn(b, "@");
    if (n >= cap) n = cap - 1;
    memcpy(tmp, b, n);
    tmp[n] = 0;
    return tmp;
}

static int same_user(const char *a, const char *b)
{
    char x[160], y[160];
    if (!*a || !*b) return 0;
    return !strcasecmp(bare(a, x, sizeof x), bare(b, y, sizeof y));
}

/* Host names compared case-insensitively on their first label. */
static int same_host(const char *a, const char *b)
{
    size_t na = strcspn(a, "."), nb = strcspn(b, ".");
    return *a && na == nb && !strncasecmp(a, b, na);
}

static int has_category(const ks_finding *f, const char *cat)
{
    for (int i = 0; i < KS_DETECT_MAX_CATEGORIES && f->categories[i]; i++)
        if (!strcmp(f->categories[i], cat)) return 1;
    return 0;
}

/* --- the run's state ----------------------------------------------------------- */

typedef struct cov_entry {
    ks_coverage c;
    int64_t prev;
} cov_entry;

typedef struct run {
    ks_investigation *inv;
    const ks_investigate_opts *o;
    ks_detect *det;
    ks_format *formats;
    size_t capfiles;
    size_t capfindings;
    size_t minor; /* info and low findings kept */
    cov_entry *cov;
    uint32_t *cov_slot; /* index + 1; KS_INV_MAX_COVERAGE * 2 slots */
    uint32_t *logon_slot;
    size_t caplogons;
    uint64_t cov_dropped;
    const char *file; /* the file being read (inv->files[i]) */
    size_t file_index;
    long linked_at; /* pass 2: file where a chain learned its via_account, or -1 */
    bool repeat;    /* pass 2 again over files read before that */
    int failed;
} run;

static void on_finding(void *ctx, const ks_finding *f)
{
    run *r = ctx;
    ks_investigation *inv = r->inv;
    if (f->severity < KS_LEVEL_MEDIUM && r->minor >= KS_INV_MAX_MINOR) {
        inv->findings_dropped++;
        return;
    }
    if (inv->nfindings == r->capfindings) {
        size_t cap = r->capfindings ? r->capfindings * 2 : 64;
        ks_finding *v = realloc(inv->findings, cap * sizeof *v);
        if (!v) {
            r->failed = 1;
            return;
        }
        inv->findings = v;
        r->capfindings = cap;
    }
    ks_finding *k = &inv->findings[inv->nfindings++];
    *k = *f;
    /* a remote logon from where the site says this account comes from is expected */
    if (r->o->site && f->src_ip[0] &&
        (has_category(f, "rdp_logon") || has_category(f, "vpn_foreign") ||
         has_category(f, "vpn_new_source")) &&
        !has_category(f, "logon_after_failures") &&
        ks_site_address_allowed(r->o->site, f->user, f->src_ip)) {
        k->severity = KS_LEVEL_LOW;
        size_t n = strlen(k->explanation);
        snprintf(k->explanation + n, sizeof k->explanation - n, "%s", ks_msg(KS_MSG_INV_ALLOWED));
    }
    r->minor += k->severity < KS_LEVEL_MEDIUM;
}

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    run *r = ctx;
    ks_investigation *inv = r->inv;
    if (r->o->on_file) r->o->on_file(r->o->ctx, path, f, why);
    if (f == KS_FORMAT_UNKNOWN) return;
    if (inv->nfiles == r->capfiles) {
        size_t cap = r->capfiles ? r->capfiles * 2 : 16;
        char **v = realloc(inv->files, cap * sizeof *v);
        if (v) inv->files = v;
        ks_format *fv = realloc(r->formats, cap * sizeof *fv);
        if (fv) r->formats = fv;
        if (!v || !fv) {
            r->failed = 1;
            return;
        }
        r->capfiles = cap;
    }
    if (!(inv->files[inv->nfiles] = strdup(path))) {
        r->failed = 1;
        return;
    }
    r->formats[inv->nfiles++] = f;
}

static void on_problem(void *ctx, const ks_problem *p)
{
    run *r = ctx;
    if (r->det) ks_detect_note_damage(r->det);
    if (r->o->on_problem) r->o->on_problem(r->o->ctx, p);
}

/* --- coverage per host and log ------------------------------------------------- */

static cov_entry *coverage_of(run *r, const char *host, const char *channel)
{
    uint64_t h = fnv(fnv(UINT64_C(0xcbf29ce484222325), host), channel);
    size_t mask = KS_INV_MAX_COVERAGE * 2 - 1;
    for (size_t i = h & mask, k = 0; k <= mask; i = (i + 1) & mask, k++) {
        uint32_t s = r->cov_slot[i];
        if (!s) {
            if (r->inv->ncoverage == KS_INV_MAX_COVERAGE) {
                r->cov_dropped++;
                return NULL;
            }
            cov_entry *e = &r->cov[r->inv->ncoverage];
            memset(e, 0, sizeof *e);
            copy_cstr(e->c.host, sizeof e->c.host, host);
            copy_cstr(e->c.channel, sizeof e->c.channel, channel);
            e->c.file = r->file;
            r->cov_slot[i] = (uint32_t)++r->inv->ncoverage;
            return e;
        }
        cov_entry *e = &r->cov[s - 1];
        if (!strcasecmp(e->c.host, host) && !strcasecmp(e->c.channel, channel)) return e;
    }
    return NULL;
}

/* A field's value as text (any type: EVTX strings are UTF-16), "" when absent. */
static void field_text(const ks_event *ev, const char *name, char *out, size_t cap)
{
    const ks_field *f = ks_event_field(ev, name);
    out[0] = 0;
    if (!f) return;
    ks_buf t = {0}; /* only for cleared logs: rare */
    ks_value_format(&t, &f->value, KS_ESC_NONE);
    if (!t.failed && t.len) copy_str(out, cap, (ks_str){t.data, t.len});
    ks_buf_free(&t);
}

static void coverage_add(run *r, const ks_event *ev)
{
    char host[128], channel[64];
    copy_str(host, sizeof host, ev->host);
    copy_str(channel, sizeof channel, ev->channel);
    cov_entry *e = coverage_of(r, host, channel);
    if (!e) return;
    int64_t t = ev->time_ns;
    if (!e->c.events++) {
        e->c.first_ns = e->c.last_ns = e->prev = t;
    } else {
        if (t < e->c.first_ns) e->c.first_ns = t;
        if (t > e->c.last_ns) e->c.last_ns = t;
        if (t - e->prev > e->c.gap_to - e->c.gap_from) {
            e->c.gap_from = e->prev;
            e->c.gap_to = t;
        }
        if (t > e->prev) e->prev = t;
    }
    /* a cleared log: 1102 (Security), 104 (the Channel field names which one) */
    int cleared = 0;
    const char *which = channel;
    char named[64];
    int eventlog = ks_str_eq(ev->provider, "Microsoft-Windows-Eventlog");
    if (ev->event_id == 1102 && (eventlog || ks_event_is_security(ev))) cleared = 1;
    if (ev->event_id == 104 && eventlog) {
        cleared = 1;
        field_text(ev, "Channel", named, sizeof named);
        if (named[0]) which = named;
    }
    if (cleared) {
        cov_entry *c = which == channel ? e : coverage_of(r, host, which);
        if (c && (!c->c.cleared_ns || t > c->c.cleared_ns)) {
            c->c.cleared_ns = t;
            field_text(ev, "SubjectUserName", c->c.cleared_by, sizeof c->c.cleared_by);
            if (!c->c.cleared_by[0])
                copy_str(c->c.cleared_by, sizeof c->c.cleared_by, ev->sem.user);
            if (!c->c.file) c->c.file = r->file;
        }
    }
}

/* --- logons per host and account ------------------------------------------------ */

static int is_logon(const ks_event *ev, int *failed)
{
    if (ks_event_is_security(ev) && (ev->event_id == 4624 || ev->event_id == 4625)) {
        *failed = ev->event_id == 4625;
        return 1;
    }
    if (ev->sem.action.len && ks_str_eq(ev->sem.action, KS_ACTION_VPN_LOGIN) &&
        ev->sem.outcome != KS_OUTCOME_UNKNOWN) {
        *failed = ev->sem.outcome == KS_OUTCOME_FAILURE;
        return 1;
    }
    return 0;
}

/* Machine accounts and the system's own: no person logs on with them. */
static int system_account(const char *user)
{
    size_t n = strlen(user);
    return !n || user[n - 1] == '$' || !strcmp(user, "-") || !strcasecmp(user, "SYSTEM") ||
           !strcasecmp(user, "ANONYMOUS LOGON") || !strcasecmp(user, "LOCAL SERVICE") ||
           !strcasecmp(user, "NETWORK SERVICE") || !strncasecmp(user, "DWM-", 4) ||
           !strncasecmp(user, "UMFD-", 5);
}

static void logon_add(run *r, const ks_event *ev)
{
    int failed;
    if (!is_logon(ev, &failed) || !ev->sem.user.len) return;
    char host[128], user[160], src[64];
    copy_str(host, sizeof host, ev->host);
    copy_str(user, sizeof user, ev->sem.user);
    copy_str(src, sizeof src, ev->sem.src_ip);
    if (system_account(user)) return;
    ks_investigation *inv = r->inv;
    uint64_t h = fnv(fnv(UINT64_C(0xcbf29ce484222325), host), user);
    size_t mask = KS_INV_MAX_LOGONS * 2 - 1;
    ks_logon_sum *e = NULL;
    for (size_t i = h & mask, k = 0; k <= mask; i = (i + 1) & mask, k++) {
        uint32_t s = r->logon_slot[i];
        if (!s) {
            if (inv->nlogons == KS_INV_MAX_LOGONS) {
                inv->logons_dropped++;
                return;
            }
            if (inv->nlogons == r->caplogons) {
                size_t cap = r->caplogons ? r->caplogons * 2 : 256;
                ks_logon_sum *v = realloc(inv->logons, cap * sizeof *v);
                if (!v) {
                    inv->logons_dropped++;
                    return;
                }
                inv->logons = v;
                r->caplogons = cap;
            }
            e = &inv->logons[inv->nlogons];
            memset(e, 0, sizeof *e);
            memcpy(e->host, host, sizeof host);
            memcpy(e->user, user, sizeof user);
            e->first_ns = e->last_ns = ev->time_ns;
            r->logon_slot[i] = (uint32_t)++inv->nlogons;
            break;
        }
        ks_logon_sum *x = &inv->logons[s - 1];
        if (!strcasecmp(x->host, host) && !strcasecmp(x->user, user)) {
            e = x;
            break;
        }
    }
    if (!e) return;
    if (failed) {
        e->failed++;
    } else {
        int t = ev->sem.logon_type;
        if (t == 2 || t == 11 || t == 7)
            e->interactive++;
        else if (t == 3)
            e->network++;
        else if (t == 10)
            e->rdp++;
        else
            e->other++;
    }
    if (ev->time_ns < e->first_ns) e->first_ns = ev->time_ns;
    if (ev->time_ns > e->last_ns) e->last_ns = ev->time_ns;
    if (src[0] && strcmp(src, "-") && strcmp(src, e->last_src)) {
        if (e->sources < 255) e->sources++;
        memcpy(e->last_src, src, sizeof src);
    }
}

/* --- chains ------------------------------------------------------------------------ */

static ks_chain *chain_new(ks_investigation *inv)
{
    if (inv->nchains == KS_INV_MAX_CHAINS) return NULL;
    ks_chain *v = realloc(inv->chains, (inv->nchains + 1) * sizeof *v);
    if (!v) return NULL;
    inv->chains = v;
    ks_chain *c = &v[inv->nchains++];
    memset(c, 0, sizeof *c);
    return c;
}

static ks_step *step_add(ks_chain *c, ks_stage stage, int64_t t)
{
    if (c->nsteps >= KS_CHAIN_MAX_STEPS) {
        c->steps_dropped++;
        return NULL;
    }
    ks_step *v = realloc(c->steps, (c->nsteps + 1) * sizeof *v);
    if (!v) {
        c->steps_dropped++;
        return NULL;
    }
    c->steps = v;
    ks_step *s = &v[c->nsteps++];
    memset(s, 0, sizeof *s);
    s->stage = stage;
    s->time_ns = t;
    s->finding = -1;
    c->stages |= 1u << stage;
    if (!c->first_ns || t < c->first_ns) c->first_ns = t;
    if (t > c->last_ns) c->last_ns = t;
    return s;
}

static void step_from_finding(ks_investigation *inv, ks_chain *c, size_t fi, ks_stage stage)
{
    const ks_finding *f = &inv->findings[fi];
    ks_step *s = step_add(c, stage, f->first_ns);
    inv->finding_chain[fi] = (int)(c - inv->chains);
    if (!s) return;
    s->finding = (long)fi;
    s->kind = f->detector->id;
    copy_cstr(s->host, sizeof s->host, f->host);
    copy_cstr(s->user, sizeof s->user, f->user);
    copy_cstr(s->src_ip, sizeof s->src_ip, f->src_ip);
    copy_cstr(s->what, sizeof s->what, f->explanation);
    if (f->nevidence) {
        s->file = f->evidence[0].file;
        s->record_id = f->evidence[0].record_id;
    }
    if (f->severity > c->severity) c->severity = f->severity;
}

/* The stage a finding belongs to, and whether it can start a chain (2: a proven
 * entry, 1: an entry to be confirmed by what follows, 0: not an entry). */
static ks_stage stage_of(const ks_investigate_opts *o, const ks_finding *f, int *entry)
{
    *entry = 0;
    ks_str src = {f->src_ip, strlen(f->src_ip)};
    int outside = src.len && strcmp(f->src_ip, "-") && !ks_addr_is_internal(src);
    int allowed = o->site && ks_site_address_allowed(o->site, f->user, f->src_ip);
    if (has_category(f, "logon_after_failures")) {
        *entry = allowed ? 1 : 2;
        return KS_STAGE_ENTRY;
    }
    if (has_category(f, "vpn_foreign") || has_category(f, "vpn_new_source")) {
        *entry = !allowed;
        return KS_STAGE_ENTRY;
    }
    if (has_category(f, "rdp_logon") || has_category(f, "rdp_tunnel")) {
        if (outside || has_category(f, "rdp_tunnel") || ks_addr_is_loopback(src)) {
            *entry = !allowed;
            return KS_STAGE_ENTRY;
        }
        return KS_STAGE_SPREAD;
    }
    if (has_category(f, "brute_force") || has_category(f, "password_spray")) return KS_STAGE_ENTRY;
    if (has_category(f, "ransomware_execution")) return KS_STAGE_IMPACT;
    if (has_category(f, "log_cleared") || has_category(f, "eventlog_tampering") ||
        has_category(f, "shadow_copy_deletion") || has_category(f, "inhibit_recovery") ||
        has_category(f, "defense_impairment") || has_category(f, "anti_forensics"))
        return KS_STAGE_EVASION;
    /* PsExec and its service: remote execution, the spread to another host */
    if (strcasestr(f->detail, "psexe") || strcasestr(f->explanation, "psexe"))
        return KS_STAGE_SPREAD;
    if (has_category(f, "service_install") || has_category(f, "scheduled_task") ||
        has_category(f, "account_manipulation") || has_category(f, "remote_access_tool"))
        return KS_STAGE_PERSISTENCE;
    return KS_STAGE_SPREAD; /* lateral movement, off-duty logons, tools, credentials */
}

/* Is src the address the chain's VPN gave the attacker, at t (while the tunnel was
 * up; a day when its end was not seen)? */
static int via_during(const ks_chain *c, const char *src, int64_t t)
{
    if (!c->via_ip[0] || strcmp(src, c->via_ip) || t < c->via_from) return 0;
    int64_t end = c->via_to ? c->via_to : c->via_from + 24 * HOUR;
    return t <= end;
}

/* Does the chain reach host, account or address by time t? */
static int chain_reaches(const ks_chain *c, const char *host, const char *user, const char *src,
                         int64_t t)
{
    if (!c->has_entry || t < c->entry_ns - HOUR || t > c->last_ns + CHAIN_WINDOW) return 0;
    if (src[0] && c->src_ip[0] && !strcmp(src, c->src_ip)) return 1;
    if (user[0] && same_user(user, c->account)) return 1;
    if (user[0] && c->via_account[0] && same_user(user, c->via_account)) return 1;
    if (src[0] && via_during(c, src, t)) return 1;
    if (host[0] && same_host(host, c->entry_host)) return 1;
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].stage == KS_STAGE_SPREAD && c->steps[i].time_ns <= t + 5 * 60 * NS_PER_S &&
            same_host(c->steps[i].host, host))
            return 1;
    return 0;
}

/* The chain that last reached the host, account or address before t. */
static long chain_for(const ks_investigation *inv, const char *host, const char *user,
                      const char *src, int64_t t)
{
    long best = -1;
    for (size_t i = 0; i < inv->nchains; i++) {
        const ks_chain *c = &inv->chains[i];
        if (!chain_reaches(c, host, user, src, t)) continue;
        if (best < 0 || c->entry_ns > inv->chains[best].entry_ns) best = (long)i;
    }
    return best;
}

/* 1 when the site gives the account duty hours and t (local) is outside them. */
static int off_duty(const run *r, const char *user, int64_t t)
{
    const ks_site_account *a = r->o->site ? ks_site_account_find(r->o->site, user) : NULL;
    if (!a || !a->duty.set) return 0;
    int64_t s = t / NS_PER_S - (t % NS_PER_S < 0);
    s += ks_tz_offset_at(r->inv->tz, s);
    int64_t days = s / 86400 - (s % 86400 < 0);
    int wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    int minute = (int)((s - days * 86400) / 60);
    return !ks_site_hours_within(&a->duty, wday, minute);
}

/* " (outside X's duty hours)" after a step's text when it is. */
static void mark_off_duty(const run *r, ks_step *s, const char *user)
{
    if (!off_duty(r, user, s->time_ns)) return;
    size_t n = strlen(s->what);
    snprintf(s->what + n, sizeof s->what - n, " (outside %.60s's duty hours)", user);
}

static void seed_chains(run *r)
{
    ks_investigation *inv = r->inv;
    for (int want = 2; want >= 1; want--) {
        for (size_t i = 0; i < inv->nfindings; i++) {
            const ks_finding *f = &inv->findings[i];
            int entry;
            if (inv->finding_chain[i] >= 0) continue;
            stage_of(r->o, f, &entry);
            if (entry != want) continue;
            /* the success after failures is the last event of the burst */
            int64_t t = f->first_ns;
            const ks_evidence *ev = f->nevidence ? &f->evidence[0] : NULL;
            if (has_category(f, "logon_after_failures")) {
                t = f->last_ns;
                ev = f->nevidence ? &f->evidence[f->nevidence - 1] : NULL;
            }
            /* the same address or account at the same time: one chain */
            long same = -1;
            for (size_t k = 0; k < inv->nchains; k++) {
                const ks_chain *c = &inv->chains[k];
                if (t >= c->entry_ns - HOUR && t <= c->last_ns + CHAIN_WINDOW &&
                    ((f->src_ip[0] && !strcmp(f->src_ip, c->src_ip)) ||
                     (want == 1 && c->strong && same_user(f->user, c->account) &&
                      t <= c->entry_ns + HOUR)))
                    same = (long)k;
            }
            ks_chain *c = same >= 0 ? &inv->chains[same] : chain_new(inv);
            if (!c) continue;
            if (same < 0) {
                c->has_entry = true;
                c->strong = want == 2;
                c->entry_ns = t;
                c->attempt_ns = want == 2 ? f->first_ns : 0;
                copy_cstr(c->account, sizeof c->account, f->user);
                copy_cstr(c->src_ip, sizeof c->src_ip, f->src_ip);
                copy_cstr(c->entry_host, sizeof c->entry_host, f->host);
            }
            step_from_finding(inv, c, i, KS_STAGE_ENTRY);
            ks_step *s = c->nsteps ? &c->steps[c->nsteps - 1] : NULL;
            if (s && s->finding == (long)i && ev) {
                s->time_ns = t;
                s->file = ev->file;
                s->record_id = ev->record_id;
                mark_off_duty(r, s, f->user);
            }
        }
    }
}

/* The address a VPN line says it gave the client, "" when none. */
static void vpn_assigned(const ks_event *ev, char *out, size_t cap)
{
    static const char *const KEYS[] = {"tunnelip", "assigned_ip"};
    out[0] = 0;
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0] && !out[0]; i++) {
        const ks_field *f = ks_event_field(ev, KEYS[i]);
        if (f && f->value.type == KS_VT_UTF8 && f->value.size < cap)
            copy_str(out, cap, (ks_str){(const char *)f->value.data, f->value.size});
    }
    /* only an address inside: "(null)", "N/A", "0.0.0.0" are none */
    if (out[0] && (!strcmp(out, "0.0.0.0") || !ks_addr_is_internal((ks_str){out, strlen(out)})))
        out[0] = 0;
}

/* Pass 2, the VPN device's lines of a chain that entered by it: the address its
 * tunnel got (a line of the entry's session, within ten minutes of it) and when the
 * tunnel went down. */
static void pass2_vpn(run *r, const ks_event *ev)
{
    ks_investigation *inv = r->inv;
    ks_str a = ev->sem.action;
    int login = ks_str_eq(a, KS_ACTION_VPN_LOGIN) && ev->sem.outcome != KS_OUTCOME_FAILURE;
    int down = ks_str_eq(a, KS_ACTION_VPN_LOGOUT) || ks_str_eq(a, KS_ACTION_TUNNEL_DOWN);
    if (!ev->sem.src_ip.len || (!login && !down && !ks_str_eq(a, KS_ACTION_TUNNEL_UP) &&
                                !ks_event_field(ev, "assigned_ip")))
        return;
    char host[128], user[160], src[64], addr[64];
    copy_str(host, sizeof host, ev->host);
    copy_str(user, sizeof user, ev->sem.user);
    copy_str(src, sizeof src, ev->sem.src_ip);
    int64_t t = ev->time_ns;
    for (size_t i = 0; i < inv->nchains; i++) {
        ks_chain *c = &inv->chains[i];
        if (!c->has_entry || strcmp(src, c->src_ip) || !same_host(host, c->entry_host) ||
            (user[0] && !same_user(user, c->account)))
            continue;
        if (down && c->via_ip[0] && t >= c->via_from && !c->via_to) {
            vpn_assigned(ev, addr, sizeof addr);
            if (!addr[0] || !strcmp(addr, c->via_ip)) c->via_to = t;
            continue;
        }
        if (down || c->via_ip[0] || t < c->entry_ns - NS_PER_S ||
            t > c->entry_ns + 10 * 60 * NS_PER_S)
            continue;
        vpn_assigned(ev, addr, sizeof addr);
        if (!addr[0]) continue;
        copy_cstr(c->via_ip, sizeof c->via_ip, addr);
        c->via_from = c->entry_ns < t ? c->entry_ns : t;
    }
}

/* Pass 2: logons of the chains' accounts on other hosts (spread), logons from the
 * address a chain's VPN gave the attacker, and successful logons from a chain's
 * address before its entry (an earlier entry). */
static void pass2_event(run *r, const ks_event *ev)
{
    int failed;
    ks_investigation *inv = r->inv;
    if (ev->sem.action.len) pass2_vpn(r, ev);
    if (!is_logon(ev, &failed) || failed || !ev->sem.user.len) return;
    char host[128], user[160], src[64];
    copy_str(host, sizeof host, ev->host);
    copy_str(user, sizeof user, ev->sem.user);
    copy_str(src, sizeof src, ev->sem.src_ip);
    int64_t t = ev->time_ns;
    long best = -1;
    int via = 0;
    for (size_t i = 0; i < inv->nchains; i++) {
        ks_chain *c = &inv->chains[i];
        if (!c->has_entry) continue;
        if (src[0] && via_during(c, src, t) && !ev->sem.action.len) {
            /* from the VPN's address: the attacker's first step inside */
            if (best < 0 || !via || c->entry_ns > inv->chains[best].entry_ns) best = (long)i;
            via = 1;
            continue;
        }
        if (via) continue;
        if (!r->repeat && src[0] && !strcmp(src, c->src_ip) && t < c->entry_ns &&
            t > c->entry_ns - 30 * 24 * HOUR) {
            /* an earlier success from the same address */
            ks_step *s = step_add(c, KS_STAGE_ENTRY, t);
            if (!s) continue;
            c->entry_ns = t;
            s->kind = "earlier_logon";
            copy_cstr(s->host, sizeof s->host, host);
            copy_cstr(s->user, sizeof s->user, user);
            copy_cstr(s->src_ip, sizeof s->src_ip, src);
            snprintf(s->what, sizeof s->what, "logon (type %d) from the chain's address",
                     ev->sem.logon_type);
            s->file = r->file;
            s->record_id = ev->record_id;
            continue;
        }
        if (!(same_user(user, c->account) ||
              (c->via_account[0] && same_user(user, c->via_account))) ||
            t <= c->entry_ns || t > c->entry_ns + CHAIN_WINDOW || same_host(host, c->entry_host))
            continue;
        int type = ev->sem.logon_type;
        if (type != 3 && type != 10 && ev->sem.action.len == 0) continue;
        if (best < 0 || c->entry_ns > inv->chains[best].entry_ns) best = (long)i;
    }
    if (best < 0) return;
    ks_chain *c = &inv->chains[best];
    if (via && !same_user(user, c->account) && !c->via_account[0] && !system_account(user)) {
        copy_cstr(c->via_account, sizeof c->via_account, user);
        r->linked_at = (long)r->file_index;
    }
    /* one step per host and quarter hour */
    for (size_t i = c->nsteps; i-- > 0;) {
        const ks_step *s = &c->steps[i];
        if (s->finding < 0 && s->stage == KS_STAGE_SPREAD && same_host(s->host, host) &&
            t - s->time_ns < 15 * 60 * NS_PER_S && t >= s->time_ns)
            return;
    }
    ks_step *s = step_add(c, KS_STAGE_SPREAD, t);
    if (!s) return;
    int type = ev->sem.logon_type;
    s->kind = type == 10 ? "rdp_logon_to" : "network_logon";
    copy_cstr(s->host, sizeof s->host, host);
    copy_cstr(s->user, sizeof s->user, user);
    copy_cstr(s->src_ip, sizeof s->src_ip, src);
    char ws[64];
    copy_str(ws, sizeof ws, ev->sem.src_host);
    snprintf(s->what, sizeof s->what, "%s logon to %.60s from %.40s%s%.40s",
             type == 10 ? "RDP" : "network", host, src[0] ? src : "-", ws[0] ? " / " : "", ws);
    s->file = r->file;
    s->record_id = ev->record_id;
    mark_off_duty(r, s, user);
}

static void attach_findings(run *r)
{
    ks_investigation *inv = r->inv;
    for (size_t i = 0; i < inv->nfindings; i++) {
        if (inv->finding_chain[i] >= 0) continue;
        const ks_finding *f = &inv->findings[i];
        if (f->severity < KS_LEVEL_MEDIUM) continue; /* informational rules link nothing */
        int entry;
        ks_stage st = stage_of(r->o, f, &entry);
        long c = chain_for(inv, f->host, f->user, f->src_ip, f->first_ns);
        /* a brute force belongs to a chain by its address only */
        if (c >= 0 && st == KS_STAGE_ENTRY && strcmp(f->src_ip, inv->chains[c].src_ip)) c = -1;
        if (c < 0) continue;
        ks_chain *ch = &inv->chains[c];
        step_from_finding(inv, ch, i, st);
        if (st >= KS_STAGE_PERSISTENCE && f->severity >= KS_LEVEL_HIGH) ch->strong = true;
        if (st == KS_STAGE_ENTRY && f->first_ns < ch->entry_ns &&
            (!ch->attempt_ns || f->first_ns < ch->attempt_ns))
            ch->attempt_ns = f->first_ns;
    }
    /* signs with no entry: one chain per host and day */
    for (size_t i = 0; i < inv->nfindings; i++) {
        if (inv->finding_chain[i] >= 0) continue;
        const ks_finding *f = &inv->findings[i];
        int entry;
        ks_stage st = stage_of(r->o, f, &entry);
        if (st < KS_STAGE_SPREAD || f->severity < KS_LEVEL_HIGH) continue;
        long same = -1;
        for (size_t k = 0; k < inv->nchains; k++) {
            const ks_chain *c = &inv->chains[k];
            if (c->has_entry || f->first_ns > c->last_ns + 24 * HOUR) continue;
            if (same_host(c->entry_host, f->host)) same = (long)k;
            for (size_t j = 0; same != (long)k && j < c->nsteps; j++)
                if (f->user[0] && strcasecmp(f->user, "LocalSystem") &&
                    strcasecmp(f->user, "SYSTEM") && same_user(c->steps[j].user, f->user))
                    same = (long)k;
        }
        ks_chain *c = same >= 0 ? &inv->chains[same] : chain_new(inv);
        if (!c) continue;
        if (same < 0) copy_cstr(c->entry_host, sizeof c->entry_host, f->host);
        step_from_finding(inv, c, i, st);
    }
}

static int step_by_time(const void *pa, const void *pb)
{
    const ks_step *a = pa, *b = pb;
    if (a->time_ns != b->time_ns) return a->time_ns < b->time_ns ? -1 : 1;
    return (int)a->stage - (int)b->stage;
}

static int chain_rank(const ks_chain *c)
{
    return c->has_entry * 4 + c->strong * 8 + __builtin_popcount(c->stages);
}

static int chain_order(const void *pa, const void *pb)
{
    const ks_chain *a = pa, *b = pb;
    int ra = chain_rank(a) >= 12, rb = chain_rank(b) >= 12; /* strong, with an entry */
    if (ra != rb) return rb - ra;
    if (!ra && chain_rank(a) != chain_rank(b)) return chain_rank(b) - chain_rank(a);
    int64_t ta = a->has_entry ? a->entry_ns : a->first_ns;
    int64_t tb = b->has_entry ? b->entry_ns : b->first_ns;
    return ta < tb ? -1 : ta > tb;
}

static int finding_by_time(const void *pa, const void *pb)
{
    const ks_finding *a = pa, *b = pb;
    if (a->first_ns != b->first_ns) return a->first_ns < b->first_ns ? -1 : 1;
    return strcmp(a->detector->id, b->detector->id);
}

/* --- the estimate ------------------------------------------------------------------ */

static void estimate(run *r)
{
    ks_investigation *inv = r->inv;
    ks_estimate *e = &inv->estimate;
    memset(e, 0, sizeof *e);
    if (!inv->nchains) return;
    const ks_chain *c = &inv->chains[0];
    e->found = true;
    e->chain = 0;
    int later = __builtin_popcount(c->stages & ~1u); /* stages after the entry */
    if (c->has_entry) {
        e->time_ns = c->entry_ns;
        e->attempt_ns = c->attempt_ns;
        e->confidence = c->strong && c->attempt_ns && later ? KS_CONF_HIGH
                        : c->strong                         ? KS_CONF_MEDIUM
                                                            : KS_CONF_LOW;
    } else {
        e->time_ns = c->first_ns;
        e->confidence = KS_CONF_LOW;
    }
    /* the step that dates it */
    const ks_step *s = NULL;
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].time_ns == e->time_ns) {
            s = &c->steps[i];
            break;
        }
    if (!s && c->nsteps) s = &c->steps[0];
    if (s) {
        copy_cstr(e->host, sizeof e->host, s->host);
        copy_cstr(e->user, sizeof e->user, c->has_entry ? c->account : s->user);
        copy_cstr(e->src_ip, sizeof e->src_ip, c->has_entry ? c->src_ip : s->src_ip);
        e->file = s->file;
        e->record_id = s->record_id;
    }
    if (c->has_entry && c->attempt_ns)
        snprintf(e->reason, sizeof e->reason,
                 "the first successful logon of %s from %s to %s after failed attempts that "
                 "began earlier; %d later stage(s) follow from it",
                 c->account, c->src_ip[0] ? c->src_ip : "-", e->host, later);
    else if (c->has_entry)
        snprintf(e->reason, sizeof e->reason,
                 "the first logon of %s from %s to %s that starts the chain; %d later stage(s) "
                 "follow from it",
                 c->account, c->src_ip[0] ? c->src_ip : "-", e->host, later);
    else
        snprintf(e->reason, sizeof e->reason,
                 "no entry was found in the logs: the earliest sign of the attack on %s",
                 c->entry_host);
    /* what bounds it: logs that start late, or were cleared */
    size_t n = 0;
    int64_t first = c->attempt_ns ? c->attempt_ns : e->time_ns;
    for (size_t i = 0; i < inv->ncoverage; i++) {
        ks_coverage *cv = &inv->coverage[i];
        int involved = same_host(cv->host, e->host); /* where the estimate's evidence is */
        int late = involved && !strcasecmp(cv->channel, "Security") && cv->events &&
                   cv->first_ns > first - HOUR;
        if (!cv->cleared_ns && !late) continue;
        cv->bounds = true;
        e->maybe_earlier = true;
        if (n + 100 >= sizeof e->earlier_why) continue; /* the text is a summary */
        int w = cv->cleared_ns ? snprintf(e->earlier_why + n, sizeof e->earlier_why - n,
                                          "%sthe %.60s log of %.60s was cleared", n ? "; " : "",
                                          cv->channel, cv->host)
                               : snprintf(e->earlier_why + n, sizeof e->earlier_why - n,
                                          "%sthe Security log of %.60s starts less than an hour "
                                          "before",
                                          n ? "; " : "", cv->host);
        if (w > 0 && (size_t)w < sizeof e->earlier_why - n) n += (size_t)w;
    }
}

/* --- the run ------------------------------------------------------------------------ */

/* Pass 2 reads the syslog files (VPN devices) first: the addresses they gave the
 * attackers link the Windows logons read after them. */
enum { FILES_ALL, FILES_SYSLOG, FILES_OTHER };

static void read_pass(run *r, unsigned pass, const ks_source_opts *so, int which, size_t end)
{
    ks_investigation *inv = r->inv;
    for (size_t i = 0; i < inv->nfiles && i < end; i++) {
        if (which != FILES_ALL && (r->formats[i] == KS_FORMAT_SYSLOG) != (which == FILES_SYSLOG))
            continue;
        r->file_index = i;
        ks_source_opts o = *so;
        o.format = r->formats[i];
        o.on_problem = on_problem;
        o.ctx = r;
        r->file = inv->files[i];
        if (r->o->progress) r->o->progress(r->o->ctx, r->file, pass, i, inv->nfiles);
        ks_source *s = NULL;
        ks_diag d = {0};
        if (pass == 1) ks_detect_begin_file(r->det, r->file);
        if (ks_source_open(&s, r->file, &o, &d) != KS_OK) {
            if (pass == 1) {
                ks_detect_end_file(r->det);
                inv->files_failed++;
            }
            continue;
        }
        const ks_event *ev;
        while (ks_source_next(s, &ev) == KS_OK && ev) {
            /* a time the detectors leave out too (before 1824, after 2116) dates nothing */
            int dated = ev->time_ns > -KS_INV_TIME_LIMIT && ev->time_ns < KS_INV_TIME_LIMIT;
            if (pass == 1) {
                ks_detect_feed(r->det, ev);
                if (dated) {
                    coverage_add(r, ev);
                    logon_add(r, ev);
                }
                inv->events++;
            } else if (dated) {
                pass2_event(r, ev);
            }
        }
        if (pass == 1) {
            ks_detect_end_file(r->det);
            inv->skipped += ks_source_get_stats(s)->skipped;
        }
        ks_source_close(&s);
    }
    r->file = NULL;
}

ks_status ks_investigate_run(ks_investigation **out, char *const *paths, size_t npaths,
                             const ks_investigate_opts *o, ks_diag *diag)
{
    *out = NULL;
    ks_investigate_opts none = {0};
    if (!o) o = &none;
    ks_investigation *inv = calloc(1, sizeof *inv);
    run r = {.inv = inv, .o = o};
    ks_status st = KS_OK;
    ks_detect_override *ov = NULL;
    if (!inv) return ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
    const char *tz = o->tz ? o->tz : o->site ? o->site->tz : NULL;
    ks_tz *zone = NULL;
    if ((st = ks_tz_open(&zone, tz, diag))) goto fail;
    inv->tz = zone;
    copy_cstr(inv->zone, sizeof inv->zone, ks_tz_name(zone));
    size_t nsite = o->site ? o->site->noverrides : 0;
    ov = calloc(nsite + o->noverrides + 1, sizeof *ov);
    r.cov = calloc(KS_INV_MAX_COVERAGE, sizeof *r.cov);
    r.cov_slot = calloc(KS_INV_MAX_COVERAGE * 2, sizeof *r.cov_slot);
    r.logon_slot = calloc(KS_INV_MAX_LOGONS * 2, sizeof *r.logon_slot);
    if (!ov || !r.cov || !r.cov_slot || !r.logon_slot) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    if (nsite) memcpy(ov, o->site->overrides, nsite * sizeof *ov);
    if (o->noverrides) memcpy(ov + nsite, o->overrides, o->noverrides * sizeof *ov);
    ks_detect_opts dopts = {.overrides = ov,
                            .noverrides = nsite + o->noverrides,
                            .tz = tz,
                            .on_finding = on_finding,
                            .ctx = &r};
    if ((st = ks_detect_open(&r.det, &dopts, diag))) goto fail;
    if (o->sigma && (st = ks_detect_add_sigma(r.det, o->sigma))) {
        ks_diag_set(diag, st, NULL, 0, "cannot add the Sigma rules");
        goto fail;
    }
    for (size_t i = 0; i < npaths; i++) {
        size_t before = inv->nfiles;
        ks_diag d = {0};
        if (ks_evidence_walk(paths[i], on_file, &r, &d) != KS_OK || inv->nfiles == before)
            inv->files_failed++;
    }
    ks_source_opts so = {.tz = tz, .year = o->year};
    read_pass(&r, 1, &so, FILES_ALL, inv->nfiles);
    if (r.failed) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    /* evidence names live as long as the engine: point them at our copies */
    const char *last_from = NULL, *last_to = NULL;
    for (size_t i = 0; i < inv->nfindings; i++)
        for (size_t k = 0; k < inv->findings[i].nevidence; k++) {
            ks_evidence *ev = &inv->findings[i].evidence[k];
            const char *same = ev->file && ev->file == last_from ? last_to : NULL;
            for (size_t f = 0; ev->file && !same && f < inv->nfiles; f++)
                if (!strcmp(ev->file, inv->files[f])) same = inv->files[f];
            last_from = ev->file;
            last_to = same;
            ev->file = same;
        }
    if (inv->nfindings)
        qsort(inv->findings, inv->nfindings, sizeof *inv->findings, finding_by_time);
    inv->finding_chain = malloc((inv->nfindings + 1) * sizeof *inv->finding_chain);
    if (!inv->finding_chain) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < inv->nfindings; i++) inv->finding_chain[i] = -1;
    seed_chains(&r);
    if (inv->nchains) {
        r.linked_at = -1;
        read_pass(&r, 2, &so, FILES_SYSLOG, inv->nfiles);
        read_pass(&r, 2, &so, FILES_OTHER, inv->nfiles);
        /* an account learned from the VPN's address: its logons in the files read
         * before (and earlier in that file) */
        if (r.linked_at >= 0) {
            r.repeat = true;
            read_pass(&r, 2, &so, FILES_OTHER, (size_t)r.linked_at + 1);
        }
    }
    for (size_t i = 0; i < inv->nchains; i++)
        qsort(inv->chains[i].steps, inv->chains[i].nsteps, sizeof(ks_step), step_by_time);
    attach_findings(&r);
    /* an entry from outside that nothing proves (no failures before it, no persistence
     * or evasion after it) is left as findings, not a chain: vendors and administrators
     * log on from outside too (site.yaml's admin_addresses says which) */
    size_t kept = 0;
    for (size_t i = 0; i < inv->nchains; i++) {
        ks_chain *c = &inv->chains[i];
        qsort(c->steps, c->nsteps, sizeof(ks_step), step_by_time);
        /* signs without an entry make a chain when they hide traces or do damage, or
         * when two stages meet on a host; one account created alone is a finding */
        int lone = !c->has_entry &&
                   !(c->stages & ((1u << KS_STAGE_EVASION) | (1u << KS_STAGE_IMPACT))) &&
                   c->nsteps < 2;
        if ((c->has_entry && !c->strong) || lone) {
            for (size_t k = 0; k < c->nsteps; k++)
                if (c->steps[k].finding >= 0) inv->finding_chain[c->steps[k].finding] = -1;
            free(c->steps);
            continue;
        }
        inv->chains[kept++] = *c;
    }
    inv->nchains = kept;
    if (inv->nchains) qsort(inv->chains, inv->nchains, sizeof *inv->chains, chain_order);
    /* finding -> chain after the chains moved */
    for (size_t i = 0; i < inv->nfindings; i++) inv->finding_chain[i] = -1;
    for (size_t i = 0; i < inv->nchains; i++)
        for (size_t k = 0; k < inv->chains[i].nsteps; k++)
            if (inv->chains[i].steps[k].finding >= 0)
                inv->finding_chain[inv->chains[i].steps[k].finding] = (int)i;
    inv->coverage = malloc((inv->ncoverage + 1) * sizeof *inv->coverage);
    if (!inv->coverage) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < inv->ncoverage; i++) inv->coverage[i] = r.cov[i].c;
    estimate(&r);
    ks_detect_close(&r.det);
    free(r.cov);
    free(r.cov_slot);
    free(r.logon_slot);
    free(r.formats);
    free(ov);
    *out = inv;
    return KS_OK;
fail:
    ks_detect_close(&r.det);
    free(r.cov);
    free(r.cov_slot);
    free(r.logon_slot);
    free(r.formats);
    free(ov);
    ks_investigate_free(&inv);
    return st;
}

void ks_investigate_free(ks_investigation **pinv)
{
    if (!pinv || !*pinv) return;
    ks_investigation *inv = *pinv;
    for (size_t i = 0; i < inv->nchains; i++) free(inv->chains[i].steps);
    free(inv->chains);
    free(inv->findings);
    free(inv->finding_chain);
    free(inv->coverage);
    free(inv->logons);
    for (size_t i = 0; i < inv->nfiles; i++) free(inv->files[i]);
    free(inv->files);
    ks_tz *zone = inv->tz;
    ks_tz_close(&zone);
    free(inv);
    *pinv = NULL;
}

void ks_investigate_local(const ks_investigation *inv, int64_t ns, char *out, size_t cap, bool secs)
{
    int64_t s = ns / NS_PER_S - (ns % NS_PER_S < 0);
    s += ks_tz_offset_at(inv->tz, s);
    int64_t days = s / 86400 - (s % 86400 < 0), rem = s - days * 86400;
    int64_t y;
    unsigned m, d;
    ks_civil_from_days(days, &y, &m, &d);
    if (secs)
        snprintf(out, cap, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
                 (int)(rem / 60 % 60), (int)(rem % 60));
    else
        snprintf(out, cap, "%04lld-%02u-%02u %02d:%02d", (long long)y, m, d, (int)(rem / 3600),
                 (int)(rem / 60 % 60));
}

void ks_investigate_bound_text(const ks_investigation *inv, const ks_coverage *c, char *out,
                               size_t cap)
{
    char t[40];
    if (c->cleared_ns) {
        ks_investigate_local(inv, c->cleared_ns, t, sizeof t, false);
        snprintf(out, cap, ks_msg(KS_MSG_INV_CLEARED), c->channel, c->host, t,
                 c->cleared_by[0] ? c->cleared_by : "-");
    } else {
        ks_investigate_local(inv, c->first_ns, t, sizeof t, false);
        snprintf(out, cap, ks_msg(KS_MSG_INV_LATE_LOG), c->channel, c->host, t);
    }
}
