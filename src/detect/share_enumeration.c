/* share_enumeration: one source (or account, when the address is not logged)
 * touching many shares (5140) or many files on shares (5145) in a short time, the
 * way ransomware and its scouts walk SMB shares. Each key keeps the distinct shares
 * and files it touched, first-seen time order, within `window_s`; reaching `shares`
 * or `files` opens a finding that collects every later access until the key is quiet
 * for a whole window. Files under IPC$ (named pipes), SYSVOL and NETLOGON (group
 * policy read at every logon) are not counted as files. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#define SE_MAX 1024

enum { V_SHARES, V_FILES };

typedef struct se_key {
    ks_finding *open;
    int64_t last;
    uint32_t ns, nf;
    char names[200]; /* the shares touched before the finding opened, ", "-separated */
    ks_ref *sh;      /* distinct shares, first-seen order */
    ks_ref *fl;      /* distinct files */
} se_key;

typedef struct se {
    ks_keys *keys;
    uint32_t shares, files;
    int64_t window, now, swept;
    size_t ksize;
} se;

static uint32_t clamp(int64_t v)
{
    return (uint32_t)(v < 2 ? 2 : v > SE_MAX ? SE_MAX : v);
}

static int se_open(ks_det *d, void **state)
{
    se *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->shares = clamp(ks_det_param(d, "shares"));
    s->files = clamp(ks_det_param(d, "files"));
    s->window = ks_det_param(d, "window_s") * KS_SECOND_NS;
    s->now = s->swept = INT64_MIN;
    s->ksize = sizeof(se_key) + (s->shares + s->files) * sizeof(ks_ref);
    s->keys = ks_keys_new(s->ksize, 16384);
    if (!s->keys) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

typedef struct sweep_ctx {
    ks_det *d;
    se *s;
    bool all;
} sweep_ctx;

static bool expire(void *ctx, void *state)
{
    sweep_ctx *c = ctx;
    se_key *k = state;
    if (!c->all && c->s->now - k->last <= c->s->window) return false;
    if (k->open) ks_finding_emit(c->d, k->open);
    k->open = NULL;
    return true;
}

/* Add r unless its aux is in the window already; true when it was new. */
static bool add_distinct(ks_ref *w, uint32_t *n, uint32_t cap, ks_ref r, int64_t span)
{
    uint32_t old = 0;
    while (old < *n && w[old].t < r.t - span) old++;
    if (old) {
        memmove(w, w + old, (*n - old) * sizeof *w);
        *n -= old;
    }
    for (uint32_t i = 0; i < *n; i++)
        if (w[i].aux == r.aux) return false;
    ks_window_add(w, n, cap, r, span);
    return true;
}

static void open_finding(ks_det *d, se_key *k, const ks_event *ev, int variant, ks_ref *w,
                         uint32_t n)
{
    ks_finding *f = ks_finding_new(d, ev);
    if (!f) return;
    f->variant = variant;
    if (variant == V_SHARES)
        ks_str_copy(f->detail, sizeof f->detail, (ks_str){k->names, strlen(k->names)});
    k->names[0] = 0;
    for (uint32_t i = 0; i < n; i++) ks_finding_add(f, d, w[i]);
    k->open = f;
    k->ns = k->nf = 0;
}

/* A share's name without the \\*\ prefix of 5140/5145 (and without a trailing
 * backslash: "\\*\Data\" is Data). */
static ks_str share_name(ks_str share)
{
    if (share.len >= 4 && memcmp(share.p, "\\\\*\\", 4) == 0) share.p += 4, share.len -= 4;
    while (share.len && (share.p[share.len - 1] == '\\' || share.p[share.len - 1] == '/'))
        share.len--;
    return ks_str_basename(share);
}

/* A share's name as a detail. */
static void note_share(ks_finding *f, ks_str share)
{
    char sh[128];
    ks_str_copy(sh, sizeof sh, share_name(share));
    ks_finding_add_detail(f, (ks_str){sh, strlen(sh)});
}

static void remember_name(se_key *k, ks_str share)
{
    char sh[64];
    ks_str_copy(sh, sizeof sh, share_name(share));
    size_t n = strlen(k->names), m = strlen(sh);
    if (!m) return; /* no name to add (and strstr would find "" forever) */
    for (const char *p = k->names; (p = strstr(p, sh)); p += m) /* already named */
        if ((p == k->names || p[-1] == ' ') && (p[m] == 0 || p[m] == ',')) return;
    if (n + m + 3 > sizeof k->names) return;
    if (n) memcpy(k->names + n, ", ", 2), n += 2;
    memcpy(k->names + n, sh, m + 1);
}

static bool is_quiet_share(ks_str share)
{
    ks_str b = share_name(share);
    return ks_str_ieq(b, "IPC$") || ks_str_ieq(b, "SYSVOL") || ks_str_ieq(b, "NETLOGON");
}

static void se_event(ks_det *d, void *state, const ks_event *ev)
{
    se *s = state;
    if ((ev->event_id != 5140 && ev->event_id != 5145) || !ks_event_is_security(ev)) return;
    const ks_semantic *sm = &ev->sem;
    if (ev->time_ns > s->now) s->now = ev->time_ns;
    if (s->swept == INT64_MIN)
        s->swept = s->now;
    else if (s->now - s->swept > s->window && ks_keys_size(s->keys)) {
        sweep_ctx c = {d, s, false};
        ks_keys_sweep(s->keys, expire, &c);
        s->swept = s->now;
    }
    ks_str key = sm->src_ip.len ? sm->src_ip : sm->user;
    if (!key.len || !sm->share.len) return;
    /* the machine's own logons reading policy, and loopback */
    if (ks_addr_is_loopback(sm->src_ip)) return;
    se_key *k = ks_keys_get(s->keys, d, sm->src_ip.len ? "s" : "u", ev->host, key, true);
    if (!k) return;
    k->sh = (ks_ref *)(k + 1);
    k->fl = k->sh + s->shares;
    if (k->open && ev->time_ns - k->open->last_ns > s->window) {
        ks_finding_emit(d, k->open);
        k->open = NULL;
    }
    if (ev->time_ns > k->last) k->last = ev->time_ns;
    uint32_t share_h = ks_str_hash(sm->share);
    if (k->open) {
        ks_finding_add(k->open, d, ks_ref_of(d, ev, 0));
        ks_finding_add_user(k->open, sm->user);
        if (k->open->variant == V_SHARES) note_share(k->open, sm->share);
        return;
    }
    bool new_share = add_distinct(k->sh, &k->ns, s->shares, ks_ref_of(d, ev, share_h), s->window);
    if (new_share) remember_name(k, sm->share);
    if (new_share && k->ns >= s->shares) {
        open_finding(d, k, ev, V_SHARES, k->sh, s->shares);
        if (k->open) note_share(k->open, sm->share);
        return;
    }
    if (ev->event_id != 5145 || is_quiet_share(sm->share)) return;
    ks_str target = ks_det_text(d, ev, "RelativeTargetName");
    if (!target.len) return;
    uint32_t fh = ks_str_hash(target) * 31u + share_h;
    if (!fh) fh = 1;
    if (add_distinct(k->fl, &k->nf, s->files, ks_ref_of(d, ev, fh), s->window) &&
        k->nf >= s->files) {
        open_finding(d, k, ev, V_FILES, k->fl, s->files);
        if (k->open) note_share(k->open, sm->share);
    }
}

static void se_end_file(ks_det *d, void *state)
{
    se *s = state;
    sweep_ctx c = {d, s, true};
    ks_keys_sweep(s->keys, expire, &c);
    s->now = s->swept = INT64_MIN;
}

static void se_close(ks_det *d, void *state)
{
    (void)d;
    se *s = state;
    ks_keys_free(&s->keys);
    free(s);
}

const ks_detector_def ks_detector_share_enumeration = {
    .info =
        {
            .id = "share_enumeration",
            .title = {"Many shares or files touched over SMB", "SMB 共有・ファイルの大量アクセス"},
            .explain =
                {
                    {"{src} touched many shares on {host} within {minutes} min ({count} "
                     "accesses by {user}): {detail}",
                     "{src} が {minutes} 分間に {host} の多数の共有にアクセスしました ({user} "
                     "による {count} 件): {detail}"},
                    {"{src} touched many files on {host} within {minutes} min ({count} "
                     "accesses by {user}, share {detail})",
                     "{src} が {minutes} 分間に {host} の多数のファイルにアクセスしました "
                     "({user} による {count} 件、共有 {detail})"},
                },
            .categories = {"share_enumeration"},
            .attack = "T1135 T1039 T1021.002",
            .severity = KS_LEVEL_MEDIUM,
            .params =
                {
                    {"shares", 6, "distinct shares (5140/5145) that make a walk"},
                    {"files", 200, "distinct files on shares (5145) that make a walk"},
                    {"window_s", 300,
                     "seconds they must fit in; a longer quiet gap ends the finding"},
                },
        },
    .open = se_open,
    .event = se_event,
    .end_file = se_end_file,
    .close = se_close,
};
