/* The site file (site.yaml) read with libyaml into a ks_site: zone, home country,
 * business hours, hosts and roles, accounts and groups with duty hours, allowed
 * administrator addresses, backup systems and detector settings. Every error names
 * the line; unknown keys are errors too, so that a typo never goes unnoticed. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "kensa/site.h"

#define KS_SITE_MAX_ITEMS 100000 /* entries in one list */
#define KS_SITE_MAX_BYTES (16u << 20)

static const char *const ROLES[] = {
    "",
    "emr_terminal",
    "emr_server",
    "file_server",
    "backup_server",
    "domain_controller",
    "terminal_server",
    "vpn_gateway",
    "workstation",
    "other",
};

const char *ks_site_role_name(ks_site_role r)
{
    return (unsigned)r < sizeof ROLES / sizeof ROLES[0] ? ROLES[r] : "";
}

typedef struct rd {
    yaml_document_t doc;
    const char *name;
    ks_diag *diag;
    ks_site *s;
    ks_status st;
} rd;

static const char *base_name(const char *path)
{
    const char *b = path ? strrchr(path, '/') : NULL;
    return b ? b + 1 : path ? path : "site file";
}

static ks_status fail(rd *r, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ks_status fail(rd *r, const yaml_node_t *n, const char *fmt, ...)
{
    if (r->st) return r->st;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    unsigned line = n ? (unsigned)n->start_mark.line + 1 : 0;
    r->st = ks_diag_set(r->diag, KS_ERR_FORMAT, r->name, line, "%.60s line %u: %s",
                        base_name(r->name), line, what);
    return r->st;
}

static yaml_node_t *node(rd *r, int id)
{
    /* never NULL: a missing node reads as an empty value */
    static yaml_node_t empty = {.type = YAML_SCALAR_NODE,
                                .data.scalar = {(yaml_char_t *)"", 0, YAML_PLAIN_SCALAR_STYLE}};
    yaml_node_t *n = yaml_document_get_node(&r->doc, id);
    return n ? n : &empty;
}

/* The text of a scalar, or NULL (and an error) for a list or mapping. */
static const char *scalar(rd *r, const yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        fail(r, n, "%s must be a single value", what);
        return NULL;
    }
    const char *v = (const char *)n->data.scalar.value;
    if (strlen(v) != n->data.scalar.length) {
        fail(r, n, "%s holds a NUL byte", what);
        return NULL;
    }
    return v;
}

static char *dup_scalar(rd *r, const yaml_node_t *n, const char *what)
{
    const char *v = scalar(r, n, what);
    if (!v) return NULL;
    char *d = strdup(v);
    if (!d && !r->st) r->st = ks_diag_set(r->diag, KS_ERR_NOMEM, r->name, 0, "out of memory");
    return d;
}

static int is_mapping(rd *r, const yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE) return 1;
    fail(r, n, "%s must be a mapping (key: value lines)", what);
    return 0;
}

/* A list, or a single value taken as a list of one. Returns the item count. */
static size_t items(rd *r, const yaml_node_t *n, yaml_node_item_t **first)
{
    if (n && n->type == YAML_SEQUENCE_NODE) {
        *first = n->data.sequence.items.start;
        size_t k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        if (k > KS_SITE_MAX_ITEMS) {
            fail(r, n, "more than %d entries in one list", KS_SITE_MAX_ITEMS);
            return 0;
        }
        return k;
    }
    *first = NULL;
    return 0;
}

static int get_bool(rd *r, const yaml_node_t *n, const char *what, bool *out)
{
    const char *v = scalar(r, n, what);
    if (!v) return -1;
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
        !strcmp(v, "1")) {
        *out = true;
        return 0;
    }
    if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") ||
        !strcmp(v, "0")) {
        *out = false;
        return 0;
    }
    fail(r, n, "%s must be true or false, not \"%.40s\"", what, v);
    return -1;
}

static int get_u32(rd *r, const yaml_node_t *n, const char *what, int64_t max, int64_t *out)
{
    const char *v = scalar(r, n, what);
    if (!v) return -1;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno || x < 0 || x > max) {
        fail(r, n, "%s must be a whole number from 0 to %lld, not \"%.40s\"", what, (long long)max,
             v);
        return -1;
    }
    *out = x;
    return 0;
}

/* "08:00", "8", "8:30", "24:00" as minutes after midnight. */
static int get_time(rd *r, const yaml_node_t *n, const char *what, uint16_t *out)
{
    const char *v = scalar(r, n, what);
    if (!v) return -1;
    unsigned h = 0, m = 0;
    const char *p = v;
    int digits = 0;
    while (isdigit((unsigned char)*p) && digits < 2) h = h * 10 + (unsigned)(*p++ - '0'), digits++;
    if (digits && *p == ':' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
        m = (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
        p += 3;
    }
    if (!digits || *p || h > 24 || m > 59 || (h == 24 && m)) {
        fail(r, n, "%s must be a time such as 08:00, not \"%.40s\"", what, v);
        return -1;
    }
    *out = (uint16_t)(h * 60 + m);
    return 0;
}

static const char *const DAYS[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int day_index(const char *v)
{
    for (int i = 0; i < 7; i++)
        if (!strncasecmp(v, DAYS[i], 3)) return i;
    return -1;
}

/* "mon-fri", "weekdays", "every day", "sat", or a list of days. */
static int get_days(rd *r, const yaml_node_t *n, uint8_t *out)
{
    *out = 0;
    yaml_node_item_t *it;
    size_t k = items(r, n, &it);
    if (r->st) return -1;
    if (n && n->type == YAML_SEQUENCE_NODE) {
        for (size_t i = 0; i < k; i++) {
            const yaml_node_t *d = node(r, it[i]);
            const char *v = scalar(r, d, "a day");
            if (!v) return -1;
            int x = day_index(v);
            if (x < 0 || (strlen(v) != 3 && strlen(v) < 6)) {
                fail(r, d, "a day is mon, tue, wed, thu, fri, sat or sun, not \"%.40s\"", v);
                return -1;
            }
            *out |= (uint8_t)(1u << x);
        }
        return 0;
    }
    const char *v = scalar(r, n, "days");
    if (!v) return -1;
    if (!strcasecmp(v, "weekdays")) {
        *out = 0x3e;
        return 0;
    }
    if (!strcasecmp(v, "every day") || !strcasecmp(v, "all") || !strcasecmp(v, "daily")) {
        *out = 0x7f;
        return 0;
    }
    const char *dash = strchr(v, '-');
    int a = day_index(v), b = dash ? day_index(dash + 1) : a;
    if (a < 0 || b < 0 || (dash && (dash - v != 3 || strlen(dash + 1) != 3)) ||
        (!dash && strlen(v) != 3)) {
        fail(r, n, "days must be like mon-fri, weekdays, every day or a list, not \"%.40s\"", v);
        return -1;
    }
    for (int d = a;; d = (d + 1) % 7) {
        *out |= (uint8_t)(1u << d);
        if (d == b) break;
    }
    return 0;
}

/* {days: mon-fri, start: "08:00", end: "18:00"} or "08:00-18:00". */
static int get_hours(rd *r, const yaml_node_t *n, const char *what, ks_site_hours *h)
{
    *h = (ks_site_hours){.set = true, .days = 0x7f};
    if (n && n->type == YAML_SCALAR_NODE) {
        const char *v = (const char *)n->data.scalar.value;
        const char *dash = strchr(v, '-');
        char a[16], b[16];
        if (!dash || (size_t)(dash - v) >= sizeof a || strlen(dash + 1) >= sizeof b) {
            fail(r, n, "%s must be like 08:00-18:00 or a mapping with start and end", what);
            return -1;
        }
        memcpy(a, v, (size_t)(dash - v));
        a[dash - v] = 0;
        memcpy(b, dash + 1, strlen(dash + 1) + 1);
        yaml_node_t tmp = *n;
        tmp.data.scalar.value = (yaml_char_t *)a;
        tmp.data.scalar.length = strlen(a);
        if (get_time(r, &tmp, what, &h->start_min)) return -1;
        tmp.data.scalar.value = (yaml_char_t *)b;
        tmp.data.scalar.length = strlen(b);
        return get_time(r, &tmp, what, &h->end_min);
    }
    if (!is_mapping(r, n, what)) return -1;
    int have_start = 0, have_end = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *key = scalar(r, k, "a key");
        if (!key) return -1;
        if (!strcmp(key, "start")) {
            if (get_time(r, v, "start", &h->start_min)) return -1;
            have_start = 1;
        } else if (!strcmp(key, "end")) {
            if (get_time(r, v, "end", &h->end_min)) return -1;
            have_end = 1;
        } else if (!strcmp(key, "days")) {
            if (get_days(r, v, &h->days)) return -1;
        } else {
            fail(r, k, "unknown key \"%.40s\" in %s (start, end, days)", key, what);
            return -1;
        }
    }
    if (!have_start || !have_end) {
        fail(r, n, "%s needs both start and end", what);
        return -1;
    }
    return 0;
}

static int parse_net(const char *v, ks_site_net *out)
{
    char buf[64];
    const char *slash = strchr(v, '/');
    size_t n = slash ? (size_t)(slash - v) : strlen(v);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, v, n);
    buf[n] = 0;
    memset(out, 0, sizeof *out);
    int max;
    if (inet_pton(AF_INET, buf, out->addr + 12) == 1) {
        out->addr[10] = out->addr[11] = 0xff;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        max = 128;
    } else {
        return -1;
    }
    int bits = max;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || b < 0 || b > max) return -1;
        bits = (int)b;
    }
    out->bits = (uint8_t)(bits + (max == 32 ? 96 : 0));
    return 0;
}

static int get_nets(rd *r, const yaml_node_t *n, const char *what, ks_site_net **out, size_t *nout)
{
    yaml_node_item_t *it;
    size_t k = items(r, n, &it);
    if (r->st) return -1;
    int single = !n || n->type != YAML_SEQUENCE_NODE;
    if (single) k = 1;
    ks_site_net *v = calloc(k ? k : 1, sizeof *v);
    if (!v) {
        r->st = ks_diag_set(r->diag, KS_ERR_NOMEM, r->name, 0, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < k; i++) {
        const yaml_node_t *a = single ? n : node(r, it[i]);
        const char *s = scalar(r, a, what);
        if (!s || parse_net(s, &v[i])) {
            if (s) fail(r, a, "%s: \"%.60s\" is not an address or network (10.0.0.0/8)", what, s);
            free(v);
            return -1;
        }
    }
    free(*out);
    *out = v;
    *nout = k;
    return 0;
}

static int get_role(rd *r, const yaml_node_t *n, ks_site_role *out)
{
    const char *v = scalar(r, n, "role");
    if (!v) return -1;
    for (size_t i = 1; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (!strcasecmp(v, ROLES[i])) {
            *out = (ks_site_role)i;
            return 0;
        }
    fail(r, n,
         "role \"%.30s\" is not one of emr_terminal, emr_server, file_server, backup_server, "
         "domain_controller, terminal_server, vpn_gateway, workstation, other",
         v);
    return -1;
}

/* Grow a list to hold k more. */
static void *grow(rd *r, void *v, size_t size, size_t n, size_t k)
{
    void *p = realloc(v, (n + k) * size);
    if (!p) {
        r->st = ks_diag_set(r->diag, KS_ERR_NOMEM, r->name, 0, "out of memory");
        return NULL;
    }
    memset((char *)p + n * size, 0, k * size);
    return p;
}

static int parse_hosts(rd *r, const yaml_node_t *n)
{
    yaml_node_item_t *it;
    size_t k = items(r, n, &it);
    if (r->st) return -1;
    if (n->type != YAML_SEQUENCE_NODE) return fail(r, n, "hosts must be a list"), -1;
    ks_site *s = r->s;
    ks_site_host *v = grow(r, s->hosts, sizeof *v, s->nhosts, k);
    if (!v) return -1;
    s->hosts = v;
    for (size_t i = 0; i < k; i++) {
        const yaml_node_t *h = node(r, it[i]);
        if (!is_mapping(r, h, "a host")) return -1;
        ks_site_host *e = &s->hosts[s->nhosts++];
        e->line = (unsigned)h->start_mark.line + 1;
        for (yaml_node_pair_t *p = h->data.mapping.pairs.start; p < h->data.mapping.pairs.top;
             p++) {
            const yaml_node_t *kn = node(r, p->key), *vn = node(r, p->value);
            const char *key = scalar(r, kn, "a key");
            if (!key) return -1;
            if (!strcmp(key, "name")) {
                free(e->name);
                if (!(e->name = dup_scalar(r, vn, "name"))) return -1;
            } else if (!strcmp(key, "role")) {
                if (get_role(r, vn, &e->role)) return -1;
            } else if (!strcmp(key, "addresses") || !strcmp(key, "address")) {
                if (get_nets(r, vn, key, &e->addresses, &e->naddresses)) return -1;
            } else {
                return fail(r, kn, "unknown key \"%.40s\" in a host (name, role, addresses)", key),
                       -1;
            }
        }
        if (!e->name || !*e->name) return fail(r, h, "a host needs a name"), -1;
    }
    return 0;
}

static int parse_accounts(rd *r, const yaml_node_t *n, bool groups)
{
    yaml_node_item_t *it;
    size_t k = items(r, n, &it);
    if (r->st) return -1;
    const char *what = groups ? "groups" : "accounts";
    if (n->type != YAML_SEQUENCE_NODE) return fail(r, n, "%s must be a list", what), -1;
    ks_site *s = r->s;
    ks_site_account *v = grow(r, s->accounts, sizeof *v, s->naccounts, k);
    if (!v) return -1;
    s->accounts = v;
    for (size_t i = 0; i < k; i++) {
        const yaml_node_t *a = node(r, it[i]);
        if (!is_mapping(r, a, groups ? "a group" : "an account")) return -1;
        ks_site_account *e = &s->accounts[s->naccounts++];
        e->line = (unsigned)a->start_mark.line + 1;
        e->group = groups;
        for (yaml_node_pair_t *p = a->data.mapping.pairs.start; p < a->data.mapping.pairs.top;
             p++) {
            const yaml_node_t *kn = node(r, p->key), *vn = node(r, p->value);
            const char *key = scalar(r, kn, "a key");
            if (!key) return -1;
            if (!strcmp(key, "name")) {
                free(e->name);
                if (!(e->name = dup_scalar(r, vn, "name"))) return -1;
            } else if (!strcmp(key, "duty") || !strcmp(key, "duty_hours")) {
                if (get_hours(r, vn, "duty hours", &e->duty)) return -1;
            } else if (!strcmp(key, "admin")) {
                if (get_bool(r, vn, "admin", &e->admin)) return -1;
            } else if (!strcmp(key, "addresses")) {
                if (get_nets(r, vn, key, &e->addresses, &e->naddresses)) return -1;
            } else if (groups && !strcmp(key, "members")) {
                yaml_node_item_t *mi;
                size_t mk = items(r, vn, &mi);
                if (r->st) return -1;
                if (vn->type != YAML_SEQUENCE_NODE)
                    return fail(r, vn, "members must be a list"), -1;
                char **m = grow(r, e->members, sizeof *m, e->nmembers, mk);
                if (!m) return -1;
                e->members = m;
                for (size_t j = 0; j < mk; j++) {
                    if (!(m[e->nmembers] = dup_scalar(r, node(r, mi[j]), "a member"))) return -1;
                    e->nmembers++;
                }
            } else {
                return fail(r, kn,
                            groups ? "unknown key \"%.40s\" in a group (name, members, duty, "
                                     "admin, addresses)"
                                   : "unknown key \"%.40s\" in an account (name, duty, admin, "
                                     "addresses)",
                            key),
                       -1;
            }
        }
        if (!e->name || !*e->name) return fail(r, a, "%s need a name", what), -1;
    }
    return 0;
}

static int parse_backups(rd *r, const yaml_node_t *n)
{
    yaml_node_item_t *it;
    size_t k = items(r, n, &it);
    if (r->st) return -1;
    if (n->type != YAML_SEQUENCE_NODE) return fail(r, n, "backups must be a list"), -1;
    ks_site *s = r->s;
    ks_site_backup *v = grow(r, s->backups, sizeof *v, s->nbackups, k);
    if (!v) return -1;
    s->backups = v;
    for (size_t i = 0; i < k; i++) {
        const yaml_node_t *b = node(r, it[i]);
        if (!is_mapping(r, b, "a backup system")) return -1;
        ks_site_backup *e = &s->backups[s->nbackups++];
        e->line = (unsigned)b->start_mark.line + 1;
        for (yaml_node_pair_t *p = b->data.mapping.pairs.start; p < b->data.mapping.pairs.top;
             p++) {
            const yaml_node_t *kn = node(r, p->key), *vn = node(r, p->value);
            const char *key = scalar(r, kn, "a key");
            if (!key) return -1;
            char **str = !strcmp(key, "name")   ? &e->name
                         : !strcmp(key, "host") ? &e->host
                         : !strcmp(key, "kind") ? &e->kind
                         : !strcmp(key, "path") ? &e->path
                                                : NULL;
            if (str) {
                free(*str);
                if (!(*str = dup_scalar(r, vn, key))) return -1;
            } else if (!strcmp(key, "offline")) {
                if (get_bool(r, vn, "offline", &e->offline)) return -1;
            } else if (!strcmp(key, "retention")) {
                if (!is_mapping(r, vn, "retention")) return -1;
                for (yaml_node_pair_t *q = vn->data.mapping.pairs.start;
                     q < vn->data.mapping.pairs.top; q++) {
                    const yaml_node_t *rk = node(r, q->key), *rv = node(r, q->value);
                    const char *gen = scalar(r, rk, "a key");
                    if (!gen) return -1;
                    uint32_t *slot = !strcmp(gen, "daily")     ? &e->daily
                                     : !strcmp(gen, "weekly")  ? &e->weekly
                                     : !strcmp(gen, "monthly") ? &e->monthly
                                     : !strcmp(gen, "yearly")  ? &e->yearly
                                                               : NULL;
                    int64_t x;
                    if (!slot)
                        return fail(r, rk,
                                    "unknown key \"%.40s\" in retention (daily, weekly, "
                                    "monthly, yearly)",
                                    gen),
                               -1;
                    if (get_u32(r, rv, gen, 100000, &x)) return -1;
                    *slot = (uint32_t)x;
                }
            } else {
                return fail(r, kn,
                            "unknown key \"%.40s\" in a backup system (name, host, kind, "
                            "path, offline, retention)",
                            key),
                       -1;
            }
        }
        const char *none = "";
        for (char **str = &e->name; str <= &e->path; str++)
            if (!*str && !(*str = strdup(none))) {
                r->st = ks_diag_set(r->diag, KS_ERR_NOMEM, r->name, 0, "out of memory");
                return -1;
            }
        if (!*e->name) return fail(r, b, "a backup system needs a name"), -1;
    }
    return 0;
}

static int add_override(rd *r, const yaml_node_t *at, const char *det, const char *param,
                        int64_t value)
{
    const ks_detector_info *di = ks_detector_find(det);
    if (!di) return fail(r, at, "no detector is called \"%.40s\" (kensa hunt --list)", det), -1;
    const char *pname = NULL;
    if (!strcmp(param, "enabled")) pname = "enabled";
    for (int i = 0; !pname && i < KS_DETECT_MAX_PARAMS && di->params[i].name; i++)
        if (!strcmp(di->params[i].name, param)) pname = di->params[i].name;
    if (!pname)
        return fail(r, at, "detector %s has no setting \"%.40s\" (kensa hunt --list)", di->id,
                    param),
               -1;
    ks_site *s = r->s;
    ks_detect_override *v = grow(r, s->overrides, sizeof *v, s->noverrides, 1);
    if (!v) return -1;
    s->overrides = v;
    v[s->noverrides++] = (ks_detect_override){di->id, pname, value};
    return 0;
}

static int parse_detectors(rd *r, const yaml_node_t *n)
{
    if (!is_mapping(r, n, "detectors")) return -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *kn = node(r, p->key), *vn = node(r, p->value);
        const char *det = scalar(r, kn, "a detector");
        if (!det) return -1;
        if (vn && vn->type == YAML_SCALAR_NODE) { /* brute_force: off */
            bool on;
            if (get_bool(r, vn, det, &on)) return -1;
            if (add_override(r, kn, det, "enabled", on)) return -1;
            continue;
        }
        if (!is_mapping(r, vn, det)) return -1;
        for (yaml_node_pair_t *q = vn->data.mapping.pairs.start; q < vn->data.mapping.pairs.top;
             q++) {
            const yaml_node_t *pk = node(r, q->key), *pv = node(r, q->value);
            const char *param = scalar(r, pk, "a setting");
            if (!param) return -1;
            int64_t x;
            if (!strcmp(param, "enabled")) {
                bool on;
                if (get_bool(r, pv, param, &on)) return -1;
                x = on;
            } else if (get_u32(r, pv, param, 1000000000, &x)) {
                return -1;
            }
            if (add_override(r, pk, det, param, x)) return -1;
        }
    }
    return 0;
}

static int parse_top(rd *r, const yaml_node_t *root, const yaml_node_t **dets)
{
    ks_site *s = r->s;
    if (!root) return 0; /* an empty file: all defaults */
    if (!is_mapping(r, root, "the site file")) return -1;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *kn = node(r, p->key), *vn = node(r, p->value);
        const char *key = scalar(r, kn, "a key");
        if (!key) return -1;
        if (vn && vn->type == YAML_SCALAR_NODE && !vn->data.scalar.length &&
            vn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            continue; /* "hosts:" with nothing under it */
        int rc = 0;
        if (!strcmp(key, "site") || !strcmp(key, "name")) {
            free(s->name);
            rc = (s->name = dup_scalar(r, vn, key)) ? 0 : -1;
        } else if (!strcmp(key, "timezone") || !strcmp(key, "tz")) {
            free(s->tz);
            rc = (s->tz = dup_scalar(r, vn, key)) ? 0 : -1;
        } else if (!strcmp(key, "home_country")) {
            const char *v = scalar(r, vn, key);
            if (!v) return -1;
            if (strlen(v) != 2 || !isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1]))
                return fail(r, vn, "home_country must be a two-letter code such as JP"), -1;
            s->home_country[0] = (char)toupper((unsigned char)v[0]);
            s->home_country[1] = (char)toupper((unsigned char)v[1]);
        } else if (!strcmp(key, "business_hours")) {
            rc = get_hours(r, vn, "business_hours", &s->business);
        } else if (!strcmp(key, "hosts")) {
            rc = parse_hosts(r, vn);
        } else if (!strcmp(key, "accounts")) {
            rc = parse_accounts(r, vn, false);
        } else if (!strcmp(key, "groups")) {
            rc = parse_accounts(r, vn, true);
        } else if (!strcmp(key, "admin_addresses")) {
            rc = get_nets(r, vn, key, &s->admin_addresses, &s->nadmin_addresses);
        } else if (!strcmp(key, "backups")) {
            rc = parse_backups(r, vn);
        } else if (!strcmp(key, "detectors")) {
            *dets = vn; /* after business hours, so that explicit settings win */
        } else {
            return fail(r, kn,
                        "unknown key \"%.40s\" (site, timezone, home_country, business_hours, "
                        "hosts, accounts, groups, admin_addresses, backups, detectors)",
                        key),
                   -1;
        }
        if (rc || r->st) return -1;
    }
    return 0;
}

/* What business hours mean for the detectors' hour settings. */
static int implied_overrides(rd *r)
{
    ks_site *s = r->s;
    if (s->business.set && s->business.start_min < s->business.end_min) {
        if (add_override(r, NULL, "rdp_logon", "business_start", s->business.start_min / 60) ||
            add_override(r, NULL, "rdp_logon", "business_end", (s->business.end_min + 59) / 60))
            return -1;
    }
    /* duty hours are per account: off_duty_logon learns each account's hours from the
     * logs, and the investigation checks logons against the site's duty hours */
    return 0;
}

/* The nesting of lists and mappings, read as a stream of events (libyaml's parser
 * keeps its own stacks) before the document is built: a site file is shallow, and a
 * deep one is refused before anything recurses over it. */
#define KS_SITE_MAX_DEPTH 32

static ks_status check_depth(const void *data, size_t size, const char *name, ks_diag *diag)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return ks_diag_set(diag, KS_ERR_NOMEM, name, 0, "out of memory");
    yaml_parser_set_input_string(&p, data ? data : (const unsigned char *)"", data ? size : 0);
    ks_status st = KS_OK;
    int depth = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) break; /* the loader reports the syntax error */
        yaml_event_type_t t = ev.type;
        unsigned line = (unsigned)ev.start_mark.line + 1;
        yaml_event_delete(&ev);
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) depth++;
        if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) depth--;
        if (depth > KS_SITE_MAX_DEPTH) {
            st = ks_diag_set(diag, KS_ERR_FORMAT, name, line,
                             "%.60s line %u: nested more than %d deep", base_name(name), line,
                             KS_SITE_MAX_DEPTH);
            break;
        }
        if (t == YAML_STREAM_END_EVENT) break;
    }
    yaml_parser_delete(&p);
    return st;
}

ks_status ks_site_load_mem(ks_site **out, const void *data, size_t size, const char *name,
                           ks_diag *diag)
{
    *out = NULL;
    if (size > KS_SITE_MAX_BYTES)
        return ks_diag_set(diag, KS_ERR_FORMAT, name, 0, "a site file over 16 MiB");
    rd r = {.name = name, .diag = diag};
    if (!(r.s = calloc(1, sizeof *r.s)))
        return ks_diag_set(diag, KS_ERR_NOMEM, name, 0, "out of memory");
    if (name && !(r.s->path = strdup(name))) {
        free(r.s);
        return ks_diag_set(diag, KS_ERR_NOMEM, name, 0, "out of memory");
    }
    ks_status st = check_depth(data, size, name, diag);
    if (st) {
        ks_site_free(&r.s);
        return st;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        ks_site_free(&r.s);
        return ks_diag_set(diag, KS_ERR_NOMEM, name, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, data ? data : (const unsigned char *)"", data ? size : 0);
    if (!yaml_parser_load(&parser, &r.doc)) {
        unsigned line = (unsigned)parser.problem_mark.line + 1;
        st = ks_diag_set(diag, KS_ERR_FORMAT, name, line, "%.60s line %u: %s%s%s", base_name(name),
                         line, parser.problem ? parser.problem : "not YAML",
                         parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        ks_site_free(&r.s);
        return st;
    }
    yaml_parser_delete(&parser);
    const yaml_node_t *dets = NULL;
    if (!parse_top(&r, yaml_document_get_root_node(&r.doc), &dets) && !implied_overrides(&r) &&
        dets)
        parse_detectors(&r, dets);
    yaml_document_delete(&r.doc);
    if (r.st) {
        ks_site_free(&r.s);
        return r.st;
    }
    *out = r.s;
    return KS_OK;
}

ks_status ks_site_load(ks_site **out, const char *path, ks_diag *diag)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
    char *buf = malloc(KS_SITE_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, KS_SITE_MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return ks_diag_set(diag, buf ? KS_ERR_IO : KS_ERR_NOMEM, path, 0, "cannot read");
    }
    ks_status st = ks_site_load_mem(out, buf, n, path, diag);
    free(buf);
    return st;
}

void ks_site_free(ks_site **ps)
{
    if (!ps || !*ps) return;
    ks_site *s = *ps;
    for (size_t i = 0; i < s->nhosts; i++) {
        free(s->hosts[i].name);
        free(s->hosts[i].addresses);
    }
    for (size_t i = 0; i < s->naccounts; i++) {
        ks_site_account *a = &s->accounts[i];
        free(a->name);
        for (size_t j = 0; j < a->nmembers; j++) free(a->members[j]);
        free(a->members);
        free(a->addresses);
    }
    for (size_t i = 0; i < s->nbackups; i++) {
        free(s->backups[i].name);
        free(s->backups[i].host);
        free(s->backups[i].kind);
        free(s->backups[i].path);
    }
    free(s->hosts);
    free(s->accounts);
    free(s->backups);
    free(s->admin_addresses);
    free(s->overrides);
    free(s->path);
    free(s->name);
    free(s->tz);
    free(s);
    *ps = NULL;
}

ks_detect_override *ks_site_overrides(const ks_site *s, const ks_detect_override *more,
                                      size_t nmore, size_t *n)
{
    size_t ns = s ? s->noverrides : 0;
    ks_detect_override *v = calloc(ns + nmore + 1, sizeof *v);
    if (!v) return NULL;
    if (ns) memcpy(v, s->overrides, ns * sizeof *v);
    if (nmore) memcpy(v + ns, more, nmore * sizeof *v);
    *n = ns + nmore;
    return v;
}

/* --- look-ups --------------------------------------------------------------- */

/* Shell-style match, case-insensitive, without recursion: '*' backtracks to the
 * last star only, which is enough for one pattern and bounded by n*m steps. */
static int glob_match(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?' || (*p && tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*') p++;
    return !*p;
}

static int host_match(const char *pattern, const char *name)
{
    if (glob_match(pattern, name)) return 1;
    /* RDS01.hosp.local against RDS01: compare the first label */
    const char *dot = strchr(name, '.');
    if (!dot || strchr(pattern, '.')) return 0;
    char shortname[256];
    size_t n = (size_t)(dot - name);
    if (n >= sizeof shortname) return 0;
    memcpy(shortname, name, n);
    shortname[n] = 0;
    return glob_match(pattern, shortname);
}

const ks_site_host *ks_site_host_find(const ks_site *s, const char *name)
{
    if (!s || !name || !*name) return NULL;
    for (size_t i = 0; i < s->nhosts; i++)
        if (host_match(s->hosts[i].name, name)) return &s->hosts[i];
    return NULL;
}

int ks_site_net_match(const ks_site_net *nets, size_t n, const char *ip)
{
    ks_site_net a;
    if (!ip || !*ip || parse_net(ip, &a) || strchr(ip, '/')) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned bits = nets[i].bits, k = 0;
        for (; k + 8 <= bits; k += 8)
            if (a.addr[k / 8] != nets[i].addr[k / 8]) break;
        if (k + 8 <= bits) continue;
        if (k < bits) {
            uint8_t mask = (uint8_t)(0xff << (8 - (bits - k)));
            if ((a.addr[k / 8] & mask) != (nets[i].addr[k / 8] & mask)) continue;
        }
        return 1;
    }
    return 0;
}

const char *ks_site_host_by_address(const ks_site *s, const char *ip)
{
    for (size_t i = 0; s && i < s->nhosts; i++)
        if (s->hosts[i].naddresses &&
            ks_site_net_match(s->hosts[i].addresses, s->hosts[i].naddresses, ip))
            return s->hosts[i].name;
    return NULL;
}

ks_site_role ks_site_role_of(const ks_site *s, const char *host)
{
    const ks_site_host *h = ks_site_host_find(s, host);
    if (!h) {
        const char *name = ks_site_host_by_address(s, host);
        h = name ? ks_site_host_find(s, name) : NULL;
    }
    return h ? h->role : KS_ROLE_NONE;
}

/* "HOSP\\user", "user@domain" -> "user" in out. */
static void bare_user(const char *user, char *out, size_t cap)
{
    const char *b = strrchr(user, '\\');
    b = b ? b + 1 : user;
    size_t n = strcspn(b, "@");
    if (n >= cap) n = cap - 1;
    memcpy(out, b, n);
    out[n] = 0;
}

const ks_site_account *ks_site_account_find(const ks_site *s, const char *user)
{
    if (!s || !user || !*user) return NULL;
    char u[256];
    bare_user(user, u, sizeof u);
    for (size_t i = 0; i < s->naccounts; i++)
        if (!s->accounts[i].group && glob_match(s->accounts[i].name, u)) return &s->accounts[i];
    for (size_t i = 0; i < s->naccounts; i++)
        for (size_t j = 0; s->accounts[i].group && j < s->accounts[i].nmembers; j++)
            if (glob_match(s->accounts[i].members[j], u)) return &s->accounts[i];
    return NULL;
}

int ks_site_address_allowed(const ks_site *s, const char *user, const char *ip)
{
    if (!s || !ip || !*ip) return 0;
    if (ks_site_net_match(s->admin_addresses, s->nadmin_addresses, ip)) return 1;
    const ks_site_account *a = user ? ks_site_account_find(s, user) : NULL;
    return a && ks_site_net_match(a->addresses, a->naddresses, ip);
}

int ks_site_hours_within(const ks_site_hours *h, int wday, int minute)
{
    if (!h || !h->set) return 1;
    if (h->start_min == h->end_min) return (h->days >> wday) & 1;
    if (h->start_min < h->end_min)
        return ((h->days >> wday) & 1) && minute >= h->start_min && minute < h->end_min;
    /* overnight: the evening belongs to this day, the early morning to the day before */
    if (minute >= h->start_min) return (h->days >> wday) & 1;
    if (minute < h->end_min) return (h->days >> ((wday + 6) % 7)) & 1;
    return 0;
}
