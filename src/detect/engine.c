/* The detection engine: runs every enabled built-in detector over a stream of
 * events, one evidence file at a time, and hands complete findings to the caller.
 * Also the helpers detectors share (keyed state, windows, findings, text). Time
 * comes from events only; state is bounded (ks_keys) and dropped at each file end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "kensa/buf.h"
#include "kensa/site.h"
#include "kensa/time.h"
#include "kensa/value.h"
#include "util/tz.h"

#define KS_DET_SCRATCH 4
/* Settings are seconds or counts: at most 10^9 (31 years), so seconds * 10^9 fit. */
#define KS_PARAM_MAX INT64_C(1000000000)
#define KS_TIME_LIMIT (INT64_C(1) << 62)

struct ks_det {
    const ks_detector_def *def;
    ks_detect *engine;
    void *state;
    int64_t params[KS_DETECT_MAX_PARAMS];
    bool enabled;
    ks_buf scratch[KS_DET_SCRATCH];
    unsigned next_scratch;
};

struct ks_detect {
    ks_det *dets;
    size_t ndets;
    ks_tz *tz;
    ks_finding_fn on_finding;
    void *ctx;
    char **files;
    size_t nfiles, capfiles;
    bool in_file, file_named, damaged;
    uint64_t seq, command_seq; /* events fed; the one command[] belongs to */
    char command[4096];
    ks_detect_stats stats;
    ks_sigma_hunt *sigma;
    char home_country[3];
    char *geoip;
    const ks_site *site;
};

static const char *const LEVELS[] = {"info", "low", "medium", "high", "critical"};

const char *ks_level_name(ks_level l)
{
    return (unsigned)l < sizeof LEVELS / sizeof LEVELS[0] ? LEVELS[l] : "unknown";
}

size_t ks_detector_count(void)
{
    return ks_ndetectors;
}

const ks_detector_info *ks_detector_at(size_t i)
{
    return i < ks_ndetectors ? &ks_detectors[i]->info : NULL;
}

const ks_detector_info *ks_detector_find(const char *id)
{
    for (size_t i = 0; id && i < ks_ndetectors; i++)
        if (!strcmp(ks_detectors[i]->info.id, id)) return &ks_detectors[i]->info;
    return NULL;
}

static int param_index(const ks_detector_info *info, const char *name)
{
    for (int i = 0; i < KS_DETECT_MAX_PARAMS && info->params[i].name; i++)
        if (!strcmp(info->params[i].name, name)) return i;
    return -1;
}

ks_status ks_detect_open(ks_detect **out, const ks_detect_opts *o, ks_diag *diag)
{
    *out = NULL;
    ks_detect_opts none = {0};
    if (!o) o = &none;
    ks_detect *e = calloc(1, sizeof *e);
    if (!e) return ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
    e->on_finding = o->on_finding;
    e->ctx = o->ctx;
    ks_status st = KS_OK;
    const char *hc = o->home_country && o->home_country[0] ? o->home_country
                     : o->site && o->site->home_country[0] ? o->site->home_country
                                                           : "JP";
    e->site = o->site;
    if (strlen(hc) != 2 || !((hc[0] | 0x20) >= 'a' && (hc[0] | 0x20) <= 'z') ||
        !((hc[1] | 0x20) >= 'a' && (hc[1] | 0x20) <= 'z')) {
        st = ks_diag_set(diag, KS_ERR_ARG, NULL, 0,
                         "home country \"%s\" is not a two-letter code (ISO 3166)", hc);
        goto out;
    }
    e->home_country[0] = (char)(hc[0] & ~0x20);
    e->home_country[1] = (char)(hc[1] & ~0x20);
    if (o->geoip && o->geoip[0] && !(e->geoip = strdup(o->geoip))) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
        goto out;
    }
    if ((st = ks_tz_open(&e->tz, o->tz, diag)) != KS_OK) goto out;
    e->dets = calloc(ks_ndetectors, sizeof *e->dets);
    if (!e->dets) {
        st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
        goto out;
    }
    e->ndets = ks_ndetectors;
    for (size_t i = 0; i < ks_ndetectors; i++) {
        ks_det *d = &e->dets[i];
        d->def = ks_detectors[i];
        d->engine = e;
        d->enabled = true;
        for (int p = 0; p < KS_DETECT_MAX_PARAMS && d->def->info.params[p].name; p++)
            d->params[p] = d->def->info.params[p].value;
    }
    for (size_t i = 0; i < o->noverrides; i++) {
        const ks_detect_override *ov = &o->overrides[i];
        ks_det *d = NULL;
        for (size_t k = 0; ov->detector && k < e->ndets; k++)
            if (!strcmp(e->dets[k].def->info.id, ov->detector)) d = &e->dets[k];
        if (!d) {
            st = ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "no detector called \"%s\"",
                             ov->detector ? ov->detector : "");
            goto out;
        }
        if (ov->param && !strcmp(ov->param, "enabled")) {
            d->enabled = ov->value != 0;
            continue;
        }
        if (ov->value < 0 || ov->value > KS_PARAM_MAX) {
            st = ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "%s.%s: %lld is out of range (0 to %lld)",
                             ov->detector, ov->param ? ov->param : "", (long long)ov->value,
                             (long long)KS_PARAM_MAX);
            goto out;
        }
        int p = ov->param ? param_index(&d->def->info, ov->param) : -1;
        if (p < 0) {
            st = ks_diag_set(diag, KS_ERR_ARG, NULL, 0, "detector %s has no setting \"%s\"",
                             ov->detector, ov->param ? ov->param : "");
            goto out;
        }
        d->params[p] = ov->value;
    }
    for (size_t i = 0; i < e->ndets; i++) {
        ks_det *d = &e->dets[i];
        if (d->enabled && d->def->open && d->def->open(d, &d->state) != 0) {
            d->enabled = false;
            st = ks_diag_set(diag, KS_ERR_NOMEM, NULL, 0, "out of memory");
            goto out;
        }
    }
out:
    if (st != KS_OK) {
        ks_detect_close(&e);
        return st;
    }
    *out = e;
    return KS_OK;
}

int64_t ks_detect_param(const ks_detect *e, const char *detector, const char *param)
{
    for (size_t i = 0; e && i < e->ndets; i++) {
        const ks_det *d = &e->dets[i];
        if (strcmp(d->def->info.id, detector)) continue;
        if (!strcmp(param, "enabled")) return d->enabled;
        int p = param_index(&d->def->info, param);
        return p < 0 ? 0 : d->params[p];
    }
    return 0;
}

void ks_detect_begin_file(ks_detect *e, const char *file)
{
    if (e->in_file) ks_detect_end_file(e);
    e->damaged = false;
    if (e->nfiles == e->capfiles) {
        size_t cap = e->capfiles ? e->capfiles * 2 : 16;
        char **v = realloc(e->files, cap * sizeof *v);
        if (!v) goto nomem;
        e->files = v;
        e->capfiles = cap;
    }
    char *copy = strdup(file ? file : "");
    if (!copy) goto nomem;
    e->files[e->nfiles++] = copy;
    e->in_file = e->file_named = true;
    return;
nomem:
    /* keep going: the evidence of this file names none */
    e->in_file = true;
    e->file_named = false;
}

void ks_detect_feed(ks_detect *e, const ks_event *ev)
{
    if (!e->in_file) ks_detect_begin_file(e, "");
    e->stats.events++;
    e->seq++;
    /* Times outside 1824-2116 are damage (FILETIME 0 is 1601); keeping them out also
     * keeps every difference of two times, plus a window, inside int64. */
    if (ev->time_ns <= -KS_TIME_LIMIT || ev->time_ns >= KS_TIME_LIMIT) {
        e->stats.bad_time++;
        return;
    }
    for (size_t i = 0; i < e->ndets; i++) {
        ks_det *d = &e->dets[i];
        if (d->enabled) d->def->event(d, d->state, ev);
    }
    if (e->sigma) ks_sigma_hunt_feed(e->sigma, e, ev);
}

void ks_detect_end_file(ks_detect *e)
{
    if (!e->in_file) return;
    for (size_t i = 0; i < e->ndets; i++) {
        ks_det *d = &e->dets[i];
        if (d->enabled && d->def->end_file) d->def->end_file(d, d->state);
    }
    if (e->sigma) ks_sigma_hunt_flush(e->sigma, e);
    e->in_file = false;
}

ks_status ks_detect_add_sigma(ks_detect *e, const struct ks_sigma_rules *rules)
{
    if (e->sigma) return KS_ERR_ARG;
    return (e->sigma = ks_sigma_hunt_open(rules)) ? KS_OK : KS_ERR_NOMEM;
}

const char *ks_detect_file_name(const ks_detect *e)
{
    return e->nfiles && e->file_named ? e->files[e->nfiles - 1] : "";
}

void ks_detect_deliver(ks_detect *e, const ks_finding *f)
{
    e->stats.findings++;
    if (e->on_finding) e->on_finding(e->ctx, f);
}

const ks_detect_stats *ks_detect_get_stats(const ks_detect *e)
{
    return &e->stats;
}

void ks_detect_close(ks_detect **pe)
{
    ks_detect *e = pe ? *pe : NULL;
    if (!e) return;
    if (e->in_file) ks_detect_end_file(e);
    for (size_t i = 0; e->dets && i < e->ndets; i++) {
        ks_det *d = &e->dets[i];
        if (d->def->close && d->state) d->def->close(d, d->state);
        for (int k = 0; k < KS_DET_SCRATCH; k++) ks_buf_free(&d->scratch[k]);
    }
    free(e->dets);
    ks_sigma_hunt_close(e->sigma);
    for (size_t i = 0; i < e->nfiles; i++) free(e->files[i]);
    free(e->files);
    ks_tz_close(&e->tz);
    free(e->geoip);
    free(e);
    *pe = NULL;
}

void ks_detect_format_time(const ks_detect *e, int64_t ns, char *out, size_t cap)
{
    int64_t s = ns / KS_SECOND_NS - (ns % KS_SECOND_NS < 0);
    s += ks_tz_offset_at(e->tz, s);
    int64_t days = s / 86400 - (s % 86400 < 0), rem = s - days * 86400, y;
    unsigned m, dd;
    ks_civil_from_days(days, &y, &m, &dd);
    snprintf(out, cap, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, dd, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

const char *ks_detect_zone(const ks_detect *e)
{
    return ks_tz_name(e->tz);
}

void ks_finding_categories(const ks_finding *f, char *out, size_t cap)
{
    ks_buf b = {0};
    for (int i = 0; i < KS_DETECT_MAX_CATEGORIES && f->categories[i]; i++) {
        if (i) ks_buf_putc(&b, ',');
        ks_buf_puts(&b, f->categories[i]);
    }
    ks_str_copy(out, cap, (ks_str){b.data ? b.data : "", b.failed ? 0 : b.len});
    ks_buf_free(&b);
}

/* --- helpers for detectors --------------------------------------------------- */

int64_t ks_det_param(const ks_det *d, const char *name)
{
    int p = param_index(&d->def->info, name);
    return p < 0 ? 0 : d->params[p];
}

int ks_det_local_minutes(const ks_det *d, int64_t t_ns)
{
    int64_t s = t_ns / KS_SECOND_NS - (t_ns % KS_SECOND_NS < 0);
    s += ks_tz_offset_at(d->engine->tz, s);
    int64_t m = (s / 60) % 1440;
    return (int)(m < 0 ? m + 1440 : m);
}

uint32_t ks_det_file(const ks_det *d)
{
    const ks_detect *e = d->engine;
    return e->nfiles && e->file_named ? (uint32_t)(e->nfiles - 1) : UINT32_MAX;
}

const char *ks_det_home_country(const ks_det *d)
{
    return d->engine->home_country;
}

const char *ks_det_geoip(const ks_det *d)
{
    return d->engine->geoip;
}

const ks_site *ks_det_site(const ks_det *d)
{
    return d->engine->site;
}

void *ks_det_state(const ks_det *d)
{
    return d->state;
}

bool ks_det_file_damaged(const ks_det *d)
{
    return d->engine->damaged;
}

void ks_detect_note_damage(ks_detect *e)
{
    e->damaged = true;
}

void ks_det_dropped(ks_det *d)
{
    d->engine->stats.keys_dropped++;
}

ks_str ks_det_text(ks_det *d, const ks_event *ev, const char *name)
{
    const ks_field *f = ks_event_field(ev, name);
    if (!f) return (ks_str){"", 0};
    if (f->value.type == KS_VT_UTF8) return (ks_str){(const char *)f->value.data, f->value.size};
    ks_buf *b = &d->scratch[d->next_scratch++ % KS_DET_SCRATCH];
    ks_buf_reset(b);
    b->failed = 0;
    ks_value_text(b, &f->value);
    if (b->failed || !b->data) return (ks_str){"", 0};
    return (ks_str){b->data, b->len};
}

ks_str ks_det_script(ks_det *d, const ks_event *ev)
{
    ks_str s = ks_det_text(d, ev, "ScriptBlockText");
    if (ks_str_icontains(s, "CmdletsToExport") || ks_str_icontains(s, "FunctionsToExport"))
        return (ks_str){"", 0};
    return s;
}

const char *ks_det_command(ks_det *d, const ks_event *ev)
{
    ks_detect *e = d->engine;
    if (e->command_seq != e->seq) {
        ks_str cmd = ev->event_id == 4104 && ks_str_eq(ev->provider, "Microsoft-Windows-PowerShell")
                         ? ks_det_script(d, ev)
                         : ev->sem.command_line;
        size_t n = ks_cmd_normalize(cmd, e->command, sizeof e->command - 1);
        e->command[n] = ' ';
        e->command[n + 1] = 0;
        e->command_seq = e->seq;
    }
    return e->command;
}

ks_ref ks_ref_of(const ks_det *d, const ks_event *ev, uint32_t aux)
{
    return (ks_ref){ev->time_ns, ev->record_id, ks_det_file(d), aux};
}

void ks_window_add(ks_ref *w, uint32_t *n, uint32_t cap, ks_ref r, int64_t span)
{
    if (!cap) return;
    if (*n == cap) {
        if (r.t < w[0].t) return; /* older than everything kept: nothing to learn */
        memmove(w, w + 1, (size_t)(cap - 1) * sizeof *w);
        (*n)--;
    }
    uint32_t i = *n;
    while (i > 0 && w[i - 1].t > r.t) {
        w[i] = w[i - 1];
        i--;
    }
    w[i] = r;
    (*n)++;
    int64_t newest = w[*n - 1].t;
    uint32_t drop = 0;
    while (drop < *n && w[drop].t < newest - span) drop++;
    if (drop) {
        memmove(w, w + drop, (size_t)(*n - drop) * sizeof *w);
        *n -= drop;
    }
}

void ks_str_copy(char *dst, size_t cap, ks_str s)
{
    if (!cap) return;
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n < s.len)
        while (n > 0 && ((unsigned char)s.p[n] & 0xc0) == 0x80) n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        dst[i] = (char)(c < 0x20 || c == 0x7f ? ' ' : c); /* no line breaks in a finding */
    }
    dst[n] = 0;
}

ks_finding *ks_finding_new(ks_det *d, const ks_event *ev)
{
    ks_finding *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    const ks_detector_info *info = &d->def->info;
    f->detector = info;
    memcpy(f->categories, info->categories, sizeof f->categories);
    f->severity = info->severity;
    if (ev) {
        ks_str_copy(f->host, sizeof f->host, ev->host);
        ks_finding_add_user(f, ev->sem.user);
        ks_str_copy(f->src_ip, sizeof f->src_ip, ev->sem.src_ip);
        f->first_ns = f->last_ns = ev->time_ns;
    }
    return f;
}

void ks_finding_add(ks_finding *f, const ks_det *d, ks_ref r)
{
    if (!f->count || r.t < f->first_ns) f->first_ns = r.t;
    if (!f->count || r.t > f->last_ns) f->last_ns = r.t;
    f->count++;
    if (f->nevidence < KS_FINDING_EVIDENCE) {
        const ks_detect *e = d->engine;
        f->evidence[f->nevidence++] =
            (ks_evidence){r.file < e->nfiles ? e->files[r.file] : "", r.record_id, r.t};
    }
}

/* Append item to a ", "-separated list in buf unless it is there; true if new. */
static bool list_add(char *buf, size_t cap, ks_str item)
{
    if (!item.len) return false;
    char tmp[256];
    ks_str_copy(tmp, sizeof tmp, item);
    size_t len = strlen(buf);
    const char *p = buf;
    while (*p) {
        const char *end = strstr(p, ", ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (ks_str_ieq((ks_str){p, n}, tmp)) return false;
        p = end ? end + 2 : p + n;
    }
    if (len && len + 2 + strlen(tmp) >= cap) return true; /* the list is long enough */
    if (len) {
        buf[len++] = ',';
        buf[len++] = ' ';
    }
    ks_str_copy(buf + len, cap - len, (ks_str){tmp, strlen(tmp)});
    return true;
}

void ks_finding_add_user(ks_finding *f, ks_str name)
{
    if (list_add(f->user, sizeof f->user, name)) f->accounts++;
}

void ks_finding_add_detail(ks_finding *f, ks_str item)
{
    list_add(f->detail, sizeof f->detail, item);
}

static void put_field(ks_buf *b, const ks_finding *f, const char *name, size_t n)
{
#define IS(lit) (n == sizeof lit - 1 && !memcmp(name, lit, n))
    if (IS("count"))
        ks_buf_u64(b, f->count);
    else if (IS("accounts"))
        ks_buf_u64(b, f->accounts);
    else if (IS("user"))
        ks_buf_puts(b, f->user[0] ? f->user : "-");
    else if (IS("src"))
        ks_buf_puts(b, f->src_ip[0] ? f->src_ip : "-");
    else if (IS("host"))
        ks_buf_puts(b, f->host[0] ? f->host : "-");
    else if (IS("detail"))
        ks_buf_puts(b, f->detail);
    else if (IS("minutes")) {
        int64_t m = (f->last_ns - f->first_ns + KS_MINUTE_NS - 1) / KS_MINUTE_NS;
        ks_buf_i64(b, m < 1 ? 1 : m);
    } else {
        ks_buf_putc(b, '{');
        ks_buf_append(b, name, n);
        ks_buf_putc(b, '}');
    }
#undef IS
}

/* Replace {name} in the template with the finding's values. */
static void render(const ks_finding *f, const char *tpl, char *out, size_t cap)
{
    ks_buf b = {0};
    for (const char *p = tpl; p && *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            put_field(&b, f, p + 1, (size_t)(close - p - 1));
            p = close + 1;
        } else {
            ks_buf_putc(&b, *p++);
        }
    }
    ks_str_copy(out, cap, (ks_str){b.data ? b.data : "", b.failed ? 0 : b.len});
    ks_buf_free(&b);
}

void ks_finding_emit(ks_det *d, ks_finding *f)
{
    if (!f) return;
    int lang = ks_lang_get() == KS_LANG_JA ? 1 : 0;
    int v = f->variant >= 0 && f->variant < KS_DETECT_MAX_VARIANTS ? f->variant : 0;
    const char *tpl = d->def->info.explain[v][lang];
    if (!tpl) tpl = d->def->info.explain[0][lang];
    render(f, tpl, f->explanation, sizeof f->explanation);
    d->engine->stats.findings++;
    if (d->engine->on_finding) d->engine->on_finding(d->engine->ctx, f);
    free(f);
}

/* --- keyed state ---------------------------------------------------------------- */

#define KS_KEYS_BUCKETS 4096u
#define KS_KEY_PART_MAX 200

typedef struct key_entry {
    struct key_entry *next;
    uint32_t hash;
    uint16_t klen;
    char *key; /* points after the state */
    _Alignas(16) unsigned char state[];
} key_entry;

struct ks_keys {
    key_entry *buckets[KS_KEYS_BUCKETS];
    size_t state_size, n, max;
};

ks_keys *ks_keys_new(size_t state_size, size_t max_entries)
{
    ks_keys *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->state_size = (state_size + 15) & ~(size_t)15;
    k->max = max_entries ? max_entries : 65536;
    return k;
}

static size_t make_key(char *out, const char *kind, ks_str host, ks_str value)
{
    size_t n = 0;
    for (const char *p = kind; *p && n < 16; p++) out[n++] = *p;
    out[n++] = 0;
    for (size_t i = 0; i < host.len && i < KS_KEY_PART_MAX; i++) {
        char c = host.p[i];
        out[n++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    out[n++] = 0;
    for (size_t i = 0; i < value.len && i < KS_KEY_PART_MAX; i++) {
        char c = value.p[i];
        out[n++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    return n;
}

static uint32_t fnv(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

void *ks_keys_get(ks_keys *k, ks_det *d, const char *kind, ks_str host, ks_str value, bool create)
{
    if (!k) return NULL;
    char key[16 + 2 * KS_KEY_PART_MAX + 4];
    size_t n = make_key(key, kind, host, value);
    uint32_t h = fnv(key, n);
    key_entry **b = &k->buckets[h % KS_KEYS_BUCKETS];
    for (key_entry *e = *b; e; e = e->next)
        if (e->hash == h && e->klen == n && !memcmp(e->key, key, n)) return e->state;
    if (!create) return NULL;
    if (k->n >= k->max) {
        if (d) ks_det_dropped(d);
        return NULL;
    }
    key_entry *e = calloc(1, sizeof *e + k->state_size + n);
    if (!e) {
        if (d) ks_det_dropped(d);
        return NULL;
    }
    e->hash = h;
    e->klen = (uint16_t)n;
    e->key = (char *)e->state + k->state_size;
    memcpy(e->key, key, n);
    e->next = *b;
    *b = e;
    k->n++;
    return e->state;
}

void ks_keys_sweep(ks_keys *k, bool (*fn)(void *ctx, void *state), void *ctx)
{
    if (!k) return;
    for (size_t i = 0; i < KS_KEYS_BUCKETS; i++) {
        key_entry **pp = &k->buckets[i];
        while (*pp) {
            key_entry *e = *pp;
            if (!fn || fn(ctx, e->state)) {
                *pp = e->next;
                free(e);
                k->n--;
            } else {
                pp = &e->next;
            }
        }
    }
}

size_t ks_keys_size(const ks_keys *k)
{
    return k ? k->n : 0;
}

void ks_keys_free(ks_keys **pk)
{
    if (!pk || !*pk) return;
    ks_keys_sweep(*pk, NULL, NULL);
    free(*pk);
    *pk = NULL;
}

/* --- groups of events merged into one finding ---------------------------------- */

typedef struct group_state {
    ks_finding *open;
} group_state;

typedef struct group_sweep {
    ks_group *g;
    ks_det *d;
    bool all;
} group_sweep;

static bool group_expire(void *ctx, void *state)
{
    group_sweep *s = ctx;
    group_state *gs = state;
    if (!s->all && gs->open && s->g->now - gs->open->last_ns <= s->g->gap) return false;
    ks_finding_emit(s->d, gs->open);
    gs->open = NULL;
    return true;
}

int ks_group_open(ks_group *g, int64_t gap)
{
    g->gap = gap;
    g->now = INT64_MIN;
    g->keys = ks_keys_new(sizeof(group_state), 16384);
    return g->keys ? 0 : -1;
}

ks_finding *ks_group_add(ks_group *g, ks_det *d, const char *kind, ks_str host, ks_str value,
                         const ks_event *ev, bool *fresh)
{
    *fresh = false;
    if (ev->time_ns > g->now) g->now = ev->time_ns;
    group_state *gs = ks_keys_get(g->keys, d, kind, host, value, true);
    if (!gs && ks_keys_size(g->keys)) { /* full: report what is over, then retry */
        group_sweep s = {g, d, false};
        ks_keys_sweep(g->keys, group_expire, &s);
        gs = ks_keys_get(g->keys, d, kind, host, value, true);
    }
    ks_ref r = ks_ref_of(d, ev, 0);
    if (!gs) { /* not tracked: a finding of its own */
        ks_finding *f = ks_finding_new(d, ev);
        if (f) ks_finding_add(f, d, r);
        ks_finding_emit(d, f);
        return NULL;
    }
    if (gs->open &&
        (ev->time_ns - gs->open->last_ns > g->gap || ev->time_ns < gs->open->first_ns - g->gap)) {
        ks_finding_emit(d, gs->open);
        gs->open = NULL;
    }
    if (!gs->open) {
        gs->open = ks_finding_new(d, ev);
        if (!gs->open) return NULL;
        *fresh = true;
    }
    ks_finding_add(gs->open, d, r);
    return gs->open;
}

void ks_group_note(ks_group *g, ks_det *d, const char *kind, const ks_event *ev, ks_level lv,
                   ks_str what)
{
    bool fresh;
    ks_finding *f = ks_group_add(g, d, kind, ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh)
        f->severity = lv;
    else
        ks_finding_add_user(f, ev->sem.user);
    if (lv > f->severity) f->severity = lv;
    char item[200];
    ks_str_copy(item, sizeof item, what);
    ks_finding_add_detail(f, (ks_str){item, strlen(item)});
}

bool ks_group_has(ks_group *g, const char *kind, ks_str host, ks_str value, int64_t t)
{
    group_state *gs = ks_keys_get(g->keys, NULL, kind, host, value, false);
    return gs && gs->open && t - gs->open->last_ns <= g->gap && t >= gs->open->first_ns - g->gap;
}

void ks_group_flush(ks_group *g, ks_det *d)
{
    group_sweep s = {g, d, true};
    ks_keys_sweep(g->keys, group_expire, &s);
    g->now = INT64_MIN;
}

void ks_group_close(ks_group *g)
{
    ks_keys_sweep(g->keys, NULL, NULL); /* flushed before: nothing open */
    ks_keys_free(&g->keys);
}

void ks_group_state_end_file(ks_det *d, void *state)
{
    ks_group_flush((ks_group *)state, d);
}

void ks_group_state_close(ks_det *d, void *state)
{
    (void)d;
    ks_group_close((ks_group *)state);
    free(state);
}

/* --- text ------------------------------------------------------------------------ */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

bool ks_str_ieq(ks_str s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i])) return false;
    return true;
}

bool ks_str_icontains(ks_str s, const char *lit)
{
    size_t n = strlen(lit);
    if (!n) return true;
    if (s.len < n) return false;
    char first = lower(lit[0]);
    for (size_t i = 0; i + n <= s.len; i++) {
        if (lower(s.p[i]) != first) continue;
        size_t k = 1;
        while (k < n && lower(s.p[i + k]) == lower(lit[k])) k++;
        if (k == n) return true;
    }
    return false;
}

ks_str ks_str_basename(ks_str s)
{
    if (!s.len) return s; /* p may be NULL */
    size_t i = s.len;
    while (i > 0 && s.p[i - 1] != '\\' && s.p[i - 1] != '/') i--;
    return (ks_str){s.p + i, s.len - i};
}

uint32_t ks_str_hash(ks_str s)
{
    if (!s.len) return 0;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < s.len; i++) h = (h ^ (unsigned char)lower(s.p[i])) * 16777619u;
    return h ? h : 1;
}

/* --- what a service or task runs ------------------------------------------------ */

static const char *const SHELLS[] = {
    "%comspec%", "cmd.exe",   "cmd /",      "powershell",      "pwsh",
    "mshta",     "rundll32",  "regsvr32",   "wscript",         "cscript",
    "certutil",  "bitsadmin", "msiexec /q", "-encodedcommand", " -enc ",
};
static const char *const WRITABLE[] = {
    "\\temp\\",
    "\\tmp\\",
    "\\appdata\\",
    "\\users\\",
    "\\programdata\\",
    "\\perflogs\\",
    "\\windows\\tasks\\",
    "\\$recycle",
    "\\downloads\\",
    "%temp%",
    "%tmp%",
    "%appdata%",
    "%localappdata%",
    "%public%",
    "%userprofile%",
    "%programdata%",
};
/* Folders of the system and of installed software (prefixes, quotes removed). */
static const char *const USUAL[] = {
    "c:\\windows\\", "%systemroot%\\",    "\\systemroot\\", "system32\\",          "syswow64\\",
    "%windir%\\",    "c:\\program files", "%programfiles",  "\\??\\c:\\windows\\",
};
/* Writable folders that Windows itself uses for services. */
static const char *const TRUSTED_WRITABLE[] = {
    "c:\\programdata\\microsoft\\windows defender\\",
};

static bool has_prefix_i(ks_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len >= n && ks_str_ieq((ks_str){s.p, n}, lit);
}

ks_why ks_command_suspicion(ks_str cmd)
{
    while (cmd.len && (cmd.p[0] == ' ' || cmd.p[0] == '"' || cmd.p[0] == '\'')) cmd.p++, cmd.len--;
    if (!cmd.len) return KS_WHY_NONE;
    for (size_t i = 0; i < sizeof SHELLS / sizeof SHELLS[0]; i++)
        if (ks_str_icontains(cmd, SHELLS[i])) return KS_WHY_COMMAND;
    if (has_prefix_i(cmd, "\\\\") && !has_prefix_i(cmd, "\\\\?\\")) return KS_WHY_UNC;
    for (size_t i = 0; i < sizeof TRUSTED_WRITABLE / sizeof TRUSTED_WRITABLE[0]; i++)
        if (has_prefix_i(cmd, TRUSTED_WRITABLE[i])) return KS_WHY_NONE;
    for (size_t i = 0; i < sizeof WRITABLE / sizeof WRITABLE[0]; i++)
        if (ks_str_icontains(cmd, WRITABLE[i])) return KS_WHY_WRITABLE;
    for (size_t i = 0; i < sizeof USUAL / sizeof USUAL[0]; i++)
        if (has_prefix_i(cmd, USUAL[i])) return KS_WHY_NONE;
    return KS_WHY_UNUSUAL;
}

const char *ks_why_name(ks_why w)
{
    static const char *const N[] = {"", "unusual folder", "network path", "user-writable folder",
                                    "command interpreter"};
    return (unsigned)w < sizeof N / sizeof N[0] ? N[w] : "";
}

/* --- command lines ---------------------------------------------------------------- */

size_t ks_cmd_normalize(ks_str in, char *out, size_t cap)
{
    size_t n = 0;
    if (!cap) return 0;
    for (size_t i = 0; i < in.len && n + 1 < cap; i++) {
        char c = in.p[i];
        if (c == '^' || c == '"' || c == '\'') continue;
        if (c == '\t' || c == '\r' || c == '\n' || c == 0) c = ' ';
        if (c == ' ' && n && out[n - 1] == ' ') continue;
        out[n++] = lower(c);
    }
    out[n] = 0;
    return n;
}

const ks_cmd_rule *ks_cmd_match(const ks_cmd_rule *rules, size_t n, const char *text)
{
    for (size_t r = 0; r < n; r++) {
        const ks_cmd_rule *ru = &rules[r];
        bool ok = true;
        for (int i = 0; i < 3 && ru->all[i] && ok; i++) ok = strstr(text, ru->all[i]) != NULL;
        if (ok && ru->any[0]) {
            ok = false;
            for (int i = 0; i < 4 && ru->any[i] && !ok; i++) ok = strstr(text, ru->any[i]) != NULL;
        }
        if (ok) return ru;
    }
    return NULL;
}
