/* The readiness audit's core: hosts, their exports and facts, and what the readers
 * (read_*.c) call. Exports are added as files, folders (one per host) or memory; their
 * kind is found from their content, their text decoded to UTF-8 (source.c's
 * ks_text_to_utf8) and handed to the reader of that kind. Everything lives in one
 * arena per audit; the growing arrays are malloc'd and freed with it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_int.h"
#include "kensa/source.h"
#include "util/str.h"

/* ---- memory -------------------------------------------------------------------- */

void *ks_audit_alloc(ks_audit *a, size_t n)
{
    return ks_arena_alloc(&a->arena, n);
}

/* A NUL-terminated copy of n bytes in the arena, or NULL. */
static char *dup_or_null(ks_audit *a, const char *p, size_t n)
{
    char *s = n < KS_AUDIT_ARENA_LIMIT ? ks_audit_alloc(a, n + 1) : NULL;
    if (!s) return NULL;
    if (n) memcpy(s, p, n);
    s[n] = 0;
    return s;
}

const char *ks_audit_strndup(ks_audit *a, const char *p, size_t n)
{
    const char *s = dup_or_null(a, p, n);
    return s ? s : "";
}

/* Room for one more item in *arr (of *cap items of size sz); false when out of memory. */
static bool grow(void *arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap) return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (ncap > SIZE_MAX / sz / 2) return false;
    void *p = realloc(*(void **)arr, ncap * sz);
    if (!p) return false;
    *(void **)arr = p;
    *cap = ncap;
    return true;
}

ks_audit *ks_audit_new(const ks_site *site)
{
    ks_audit *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->site = site;
    a->arena.limit = KS_AUDIT_ARENA_LIMIT;
    return a;
}

/* The host's arrays (the host itself is in the arena). */
static void host_free(ks_audit_hostx *h)
{
    free(h->pub.exports);
    free(h->pub.facts);
    free(h->pub.rates);
    free(h->rate_computer);
}

void ks_audit_free(ks_audit **ap)
{
    ks_audit *a = ap ? *ap : NULL;
    if (!a) return;
    for (size_t i = 0; i < a->nhosts; i++) host_free(a->hosts[i]);
    free(a->hosts);
    ks_arena_free(&a->arena);
    free(a);
    *ap = NULL;
}

/* ---- hosts --------------------------------------------------------------------- */

/* a and b name the same machine: equal, or equal up to the first dot of either
 * ("PC01.hosp.local" is "pc01"), ignoring ASCII case. */
static bool same_machine(const char *a, const char *b)
{
    size_t na = strcspn(a, "."), nb = strcspn(b, ".");
    if (!strcasecmp(a, b)) return true;
    return na && na == nb && !strncasecmp(a, b, na);
}

static ks_audit_hostx *host_by_key(ks_audit *a, const char *key)
{
    for (size_t i = 0; i < a->nhosts; i++)
        if (!strcmp(a->hosts[i]->key, key)) return a->hosts[i];
    return NULL;
}

/* Rates placed on a host only for want of a better one move to h when their records
 * name it. */
static void claim_rates(ks_audit *a, ks_audit_hostx *h)
{
    for (size_t i = 0; i < a->nhosts; i++) {
        ks_audit_hostx *o = a->hosts[i];
        if (o == h) continue;
        for (size_t r = 0; r < o->pub.nrates;) {
            const char *c = o->rate_computer[r];
            bool mine = *c && same_machine(c, h->pub.name) && !same_machine(c, o->pub.name);
            if (!mine || !grow(&h->pub.rates, &h->caprates, h->pub.nrates, sizeof *h->pub.rates) ||
                !grow(&h->rate_computer, &h->capcomputers, h->pub.nrates, sizeof(char *))) {
                r++;
                continue;
            }
            h->pub.rates[h->pub.nrates] = o->pub.rates[r];
            h->rate_computer[h->pub.nrates++] = c;
            memmove(o->pub.rates + r, o->pub.rates + r + 1,
                    (o->pub.nrates - r - 1) * sizeof *o->pub.rates);
            memmove(o->rate_computer + r, o->rate_computer + r + 1,
                    (o->pub.nrates - r - 1) * sizeof(char *));
            o->pub.nrates--;
        }
    }
}

static void name_host(ks_audit *a, ks_audit_hostx *h, const char *name)
{
    h->pub.name = name;
    h->pub.role = a->site ? ks_site_role_of(a->site, name) : KS_ROLE_NONE;
    claim_rates(a, h);
}

static ks_audit_hostx *host_get(ks_audit *a, const char *key, const char *name)
{
    ks_audit_hostx *h = host_by_key(a, key);
    if (h) return h;
    if (!grow(&a->hosts, &a->caphosts, a->nhosts, sizeof *a->hosts)) return NULL;
    h = ks_audit_alloc(a, sizeof *h);
    if (!h) return NULL;
    memset(h, 0, sizeof *h);
    h->key = ks_audit_strndup(a, key, strlen(key));
    a->hosts[a->nhosts++] = h;
    name_host(a, h, ks_audit_strndup(a, name, strlen(name)));
    return h;
}

/* A folder that held only event logs, whose rates went to the hosts their records
 * name, is no host: it would list every check as not checked. */
static bool only_claimed_logs(const ks_audit_hostx *h)
{
    if (h->pub.nrates || !h->pub.nexports) return false;
    for (size_t i = 0; i < h->pub.nexports; i++)
        if (h->pub.exports[i].kind != KS_AUDIT_EVTX || h->pub.exports[i].status != KS_AUDIT_READ_OK)
            return false;
    return true;
}

void ks_audit_prune(ks_audit *a)
{
    size_t k = 0;
    for (size_t i = 0; i < a->nhosts; i++) {
        if (!only_claimed_logs(a->hosts[i]))
            a->hosts[k++] = a->hosts[i];
        else
            host_free(a->hosts[i]);
    }
    a->nhosts = k;
}

size_t ks_audit_host_count(const ks_audit *a)
{
    return a ? a->nhosts : 0;
}

const ks_audit_host *ks_audit_host_at(const ks_audit *a, size_t i)
{
    return a && i < a->nhosts ? &a->hosts[i]->pub : NULL;
}

const char *ks_audit_fact_get(const ks_audit_host *h, const char *key, const ks_audit_fact **fact)
{
    if (fact) *fact = NULL;
    if (!h || !key) return NULL;
    for (size_t i = h->nfacts; i-- > 0;) {
        if (strcasecmp(h->facts[i].key, key)) continue;
        if (fact) *fact = &h->facts[i];
        return h->facts[i].value;
    }
    return NULL;
}

bool ks_audit_has(const ks_audit_host *h, ks_audit_kind k)
{
    for (size_t i = 0; h && i < h->nexports; i++)
        if (h->exports[i].kind == k && h->exports[i].status != KS_AUDIT_READ_FAILED) return true;
    return false;
}

/* ---- what readers call --------------------------------------------------------- */

void ks_audit_fact_add(ks_audit_rd *rd, const char *key, size_t klen, const char *val, size_t vlen,
                       unsigned line)
{
    ks_audit_hostx *h = rd->h;
    const char *k = dup_or_null(rd->a, key, klen), *v = dup_or_null(rd->a, val, vlen);
    if (!k || !v || !grow(&h->pub.facts, &h->capfacts, h->pub.nfacts, sizeof *h->pub.facts)) {
        ks_audit_problem(rd, line, "out of memory: facts dropped");
        return;
    }
    ks_audit_fact *f = &h->pub.facts[h->pub.nfacts++];
    f->key = k;
    f->value = v;
    f->file = rd->file;
    f->line = line;
    h->pub.exports[rd->ex].nfacts++;
}

void ks_audit_fact_addk(ks_audit_rd *rd, const char *val, size_t vlen, unsigned line)
{
    if (rd->key.failed) {
        ks_audit_problem(rd, line, "out of memory: fact dropped");
        return;
    }
    ks_audit_fact_add(rd, rd->key.data ? rd->key.data : "", rd->key.len, val, vlen, line);
}

void ks_audit_problem(ks_audit_rd *rd, unsigned line, const char *fmt, ...)
{
    ks_audit_export *ex = &rd->h->pub.exports[rd->ex];
    ex->status = KS_AUDIT_READ_PARTIAL;
    if (ex->nproblems++) return;
    char what[256];
    int n = line ? snprintf(what, sizeof what, "line %u: ", line) : 0;
    if (n < 0) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what + n, sizeof what - (size_t)n, fmt, ap);
    va_end(ap);
    ex->problem = ks_audit_strndup(rd->a, what, strlen(what));
    ex->problem_line = line;
}

void ks_audit_set_host_name(ks_audit_rd *rd, const char *name, size_t n)
{
    ks_audit_hostx *h = rd->h;
    if (!n || h->named) return;
    h->named = true;
    name_host(rd->a, h, ks_audit_strndup(rd->a, name, n));
}

void ks_audit_rate_add(ks_audit_rd *rd, const ks_audit_rate *r, const char *computer)
{
    ks_audit_hostx *h = rd->h;
    for (size_t i = 0; computer && *computer && i < rd->a->nhosts; i++) {
        if (same_machine(computer, rd->a->hosts[i]->pub.name)) {
            h = rd->a->hosts[i];
            break;
        }
    }
    if (!grow(&h->pub.rates, &h->caprates, h->pub.nrates, sizeof *h->pub.rates) ||
        !grow(&h->rate_computer, &h->capcomputers, h->pub.nrates, sizeof(char *))) {
        ks_audit_problem(rd, 0, "out of memory: event rate dropped");
        return;
    }
    h->pub.rates[h->pub.nrates] = *r;
    h->rate_computer[h->pub.nrates++] =
        ks_audit_strndup(rd->a, computer ? computer : "", computer ? strlen(computer) : 0);
}

bool ks_audit_line(ks_audit_lines *it, ks_str *line)
{
    if (!it->p || it->p >= it->end) return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *e = nl ? nl : it->end;
    line->p = it->p;
    line->len = (size_t)(e - it->p);
    if (line->len && line->p[line->len - 1] == '\r') line->len--;
    it->p = nl ? nl + 1 : it->end;
    it->cut = !nl;
    it->lineno++;
    return true;
}

bool ks_audit_line_cut(ks_audit_rd *rd, const ks_audit_lines *it, ks_str line)
{
    if (!it->cut || !ks_audit_trim(line).len) return false;
    ks_audit_problem(rd, it->lineno, "the export ends inside this line (cut short?)");
    return true;
}

ks_str ks_audit_trim(ks_str s)
{
    for (;;) {
        size_t n = s.len;
        s = ks_str_trim(s, " \t\r\f\v");
        if (s.len >= 3 && !memcmp(s.p, "\xe3\x80\x80", 3)) s = ks_str_skip(s, 3);
        if (s.len >= 3 && !memcmp(s.p + s.len - 3, "\xe3\x80\x80", 3)) s.len -= 3;
        if (s.len == n) return s;
    }
}

/* ---- kinds --------------------------------------------------------------------- */

const char *ks_audit_kind_name(ks_audit_kind k)
{
    static const char *const names[] = {"unknown",  "secedit",    "auditpol",  "reg",
                                        "wevtutil", "localgroup", "smbconfig", "hotfix",
                                        "evtx",     "collectlog"};
    return (unsigned)k < KS_AUDIT_KIND_COUNT ? names[k] : "unknown";
}

ks_audit_kind ks_audit_kind_of_text(const char *text, size_t n)
{
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln;
    /* the first line that is not blank */
    while (ks_audit_line(&it, &ln) && it.lineno < 200) {
        ln = ks_audit_trim(ln);
        if (!ln.len) continue;
        if (ks_str_has_prefix(ln, "Windows Registry Editor Version") || ks_str_eq(ln, "REGEDIT4"))
            return KS_AUDIT_REG;
        if (ks_str_has_prefix(ln, "kensa-collect ")) return KS_AUDIT_COLLECTLOG;
        if (ks_str_ci_eq(ln, "[Unicode]") || ks_str_ci_eq(ln, "[System Access]") ||
            ks_str_ci_eq(ln, "[Version]") || ks_str_ci_eq(ln, "[Event Audit]") ||
            ks_str_ci_eq(ln, "[Privilege Rights]") || ks_str_ci_eq(ln, "[Registry Values]"))
            return KS_AUDIT_SECEDIT;
        break;
    }
    ks_str all = {text, n < 65536 ? n : 65536};
    /* every auditpol subcategory GUID ends so */
    if (ks_str_ci_has(all, "-69AE-11D9-BED3-505054503030") ||
        ks_str_has(all, "Machine Name,Policy Target,Subcategory"))
        return KS_AUDIT_AUDITPOL;
    if (ks_str_has(all, "HotFixID")) return KS_AUDIT_HOTFIX;
    if (ks_str_has(all, "EnableSMB1Protocol") || ks_str_has(all, "EnableSMB2Protocol"))
        return KS_AUDIT_SMBCONFIG;
    if ((ks_str_has(all, "Alias name") || ks_str_has(all, "エイリアス名")) &&
        (ks_str_has(all, "Members") || ks_str_has(all, "メンバー")))
        return KS_AUDIT_LOCALGROUP;
    it = ks_audit_lines_of(all.p, all.len);
    bool name = false, logging = false;
    while (ks_audit_line(&it, &ln)) {
        name |= ks_str_has_prefix(ln, "name: ");
        logging |= ks_str_eq(ks_audit_trim(ln), "logging:");
    }
    if (name && logging) return KS_AUDIT_WEVTUTIL;
    return KS_AUDIT_UNKNOWN;
}

ks_audit_kind ks_audit_kind_detect(const void *head, size_t n)
{
    if (!head) return KS_AUDIT_UNKNOWN;
    if (n >= 8 && !memcmp(head, "ElfFile", 8)) return KS_AUDIT_EVTX;
    ks_buf text = {0};
    ks_text_to_utf8(head, n < 65536 ? n : 65536, &text, NULL);
    ks_audit_kind k = text.failed ? KS_AUDIT_UNKNOWN
                                  : ks_audit_kind_of_text(text.data ? text.data : "", text.len);
    ks_buf_free(&text);
    return k;
}

/* ---- adding exports ------------------------------------------------------------ */

/* Why bytes that are no export were not read. */
static const char *describe(const uint8_t *p, size_t n)
{
    if (!n) return "an empty file";
    size_t look = n < 4096 ? n : 4096, ctl = 0, nul = 0;
    for (size_t i = 0; i < look; i++) {
        ctl += p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != 0;
        nul += !p[i];
    }
    if (ctl > look / 100 || (nul && nul < look / 8)) return "binary data";
    return "text in no format kensa audit reads";
}

/* Read one export (data, or the file when data is NULL and it is an event log). */
static ks_status add_export(ks_audit *a, ks_audit_hostx *h, const char *file, const uint8_t *data,
                            size_t size, ks_audit_kind kind)
{
    if (!grow(&h->pub.exports, &h->capexports, h->pub.nexports, sizeof *h->pub.exports))
        return KS_ERR_NOMEM;
    ks_audit_export *ex = &h->pub.exports[h->pub.nexports++];
    memset(ex, 0, sizeof *ex);
    ex->path = ks_audit_strndup(a, file, strlen(file));
    ks_audit_rd rd = {.a = a, .h = h, .ex = h->pub.nexports - 1, .file = ex->path};
    if (data && kind == KS_AUDIT_UNKNOWN) kind = ks_audit_kind_detect(data, size);
    ex->kind = kind;
    ex->status = KS_AUDIT_READ_OK;
    if (kind == KS_AUDIT_EVTX) {
        ks_audit_read_evtx(&rd, data, size);
        return KS_OK;
    }
    if (kind == KS_AUDIT_UNKNOWN) {
        ex->status = KS_AUDIT_READ_FAILED;
        ex->problem = describe(data, size);
        ex->nproblems = 1;
        return KS_OK;
    }
    ks_buf text = {0};
    ks_status st = ks_text_to_utf8(data, size, &text, NULL);
    ks_buf_putc(&text, 0); /* readers never need it; a guard against overreads */
    if (st != KS_OK || text.failed) {
        ks_buf_free(&text);
        ex->status = KS_AUDIT_READ_FAILED;
        ex->problem = "out of memory";
        return KS_ERR_NOMEM;
    }
    text.len--;
    const char *t = text.data;
    switch (kind) {
    case KS_AUDIT_SECEDIT: ks_audit_read_secedit(&rd, t, text.len); break;
    case KS_AUDIT_REG: ks_audit_read_reg(&rd, t, text.len); break;
    case KS_AUDIT_AUDITPOL: ks_audit_read_auditpol(&rd, t, text.len); break;
    case KS_AUDIT_WEVTUTIL: ks_audit_read_wevtutil(&rd, t, text.len); break;
    case KS_AUDIT_LOCALGROUP: ks_audit_read_localgroup(&rd, t, text.len); break;
    case KS_AUDIT_SMBCONFIG: ks_audit_read_smbconfig(&rd, t, text.len); break;
    case KS_AUDIT_HOTFIX: ks_audit_read_hotfix(&rd, t, text.len); break;
    case KS_AUDIT_COLLECTLOG: ks_audit_read_collectlog(&rd, t, text.len); break;
    default: break;
    }
    ks_buf_free(&text);
    ks_buf_free(&rd.key);
    if (ex->status == KS_AUDIT_READ_PARTIAL && !ex->nfacts) ex->status = KS_AUDIT_READ_FAILED;
    return KS_OK;
}

ks_status ks_audit_add_mem_kind(ks_audit *a, const char *host, const char *name, const void *data,
                                size_t size, ks_audit_kind kind)
{
    if (!a || !host || (!data && size) || (unsigned)kind >= KS_AUDIT_KIND_COUNT) return KS_ERR_ARG;
    ks_audit_hostx *h = host_get(a, host, host);
    if (!h) return KS_ERR_NOMEM;
    return add_export(a, h, name ? name : "(memory)", data ? data : "", size, kind);
}

ks_status ks_audit_add_mem(ks_audit *a, const char *host, const char *name, const void *data,
                           size_t size)
{
    return ks_audit_add_mem_kind(a, host, name, data, size, KS_AUDIT_UNKNOWN);
}

/* The last component of a folder's path without trailing slashes ("." and ".." as
 * the folder's own name), as a new string in the arena. */
static const char *base_name(ks_audit *a, const char *path)
{
    char *real = NULL;
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    size_t s = n;
    while (s && path[s - 1] != '/') s--;
    if ((n - s == 1 && path[s] == '.') || (n - s == 2 && path[s] == '.' && path[s + 1] == '.')) {
        if ((real = realpath(path, NULL)) != NULL) {
            path = real;
            n = strlen(path);
            s = n;
            while (s && path[s - 1] != '/') s--;
            if (s == n) s = 0; /* "/" */
        }
    }
    const char *r = ks_audit_strndup(a, path + s, n - s);
    free(real);
    return r;
}

static ks_status add_file(ks_audit *a, const char *path, const char *dir)
{
    ks_audit_hostx *h = host_get(a, dir, base_name(a, dir));
    if (!h) return KS_ERR_NOMEM;
    uint8_t head[8];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        const char *why = strerror(errno);
        why = ks_audit_strndup(a, why, strlen(why));
        if (fd >= 0) close(fd);
        ks_status s = add_export(a, h, path, NULL, 0, KS_AUDIT_UNKNOWN);
        if (s == KS_OK) h->pub.exports[h->pub.nexports - 1].problem = why;
        return s;
    }
    ssize_t got = read(fd, head, sizeof head);
    if (got >= 8 && !memcmp(head, "ElfFile", 8)) {
        close(fd);
        return add_export(a, h, path, NULL, 0, KS_AUDIT_EVTX);
    }
    size_t size = st.st_size > 0 ? (size_t)st.st_size : 0;
    if (size > KS_AUDIT_MAX_FILE) {
        close(fd);
        ks_status s = add_export(a, h, path, (const uint8_t *)"", 0, KS_AUDIT_UNKNOWN);
        if (s == KS_OK)
            h->pub.exports[h->pub.nexports - 1].problem = "too large for an export (over 64 MiB)";
        return s;
    }
    uint8_t *data = malloc(size ? size : 1);
    if (!data) {
        close(fd);
        return KS_ERR_NOMEM;
    }
    size_t have = 0;
    if (lseek(fd, 0, SEEK_SET) == 0) {
        while (have < size) {
            ssize_t r = read(fd, data + have, size - have);
            if (r <= 0) break;
            have += (size_t)r;
        }
    }
    close(fd);
    ks_status s = add_export(a, h, path, data, have, KS_AUDIT_UNKNOWN);
    free(data);
    return s;
}

static int by_name(const struct dirent **x, const struct dirent **y)
{
    return strcmp((*x)->d_name, (*y)->d_name);
}

static ks_status add_dir(ks_audit *a, const char *dir, int depth, ks_diag *diag)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, by_name);
    if (n < 0)
        return ks_diag_set(diag, KS_ERR_IO, dir, 0, "cannot read the folder: %s", strerror(errno));
    ks_status st = KS_OK;
    ks_buf path = {0};
    /* files first (this host), then subfolders (hosts of their own) */
    for (int pass = 0; pass < 2 && st == KS_OK; pass++) {
        for (int i = 0; i < n && st == KS_OK; i++) {
            const char *e = list[i]->d_name;
            if (e[0] == '.') continue;
            ks_buf_reset(&path);
            ks_buf_printf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e);
            ks_buf_putc(&path, 0);
            if (path.failed) {
                st = KS_ERR_NOMEM;
                break;
            }
            struct stat sb;
            if (lstat(path.data, &sb) != 0) continue;
            if (pass == 0 && S_ISREG(sb.st_mode)) st = add_file(a, path.data, dir);
            if (pass == 1 && S_ISDIR(sb.st_mode) && depth < KS_AUDIT_MAX_DEPTH)
                st = add_dir(a, path.data, depth + 1, NULL);
        }
    }
    for (int i = 0; i < n; i++) free(list[i]);
    free(list);
    ks_buf_free(&path);
    return st;
}

ks_status ks_audit_add_path(ks_audit *a, const char *path, ks_diag *diag)
{
    if (!a || !path || !*path) return ks_diag_set(diag, KS_ERR_ARG, path, 0, "no path given");
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
    if (S_ISDIR(sb.st_mode)) return add_dir(a, path, 0, diag);
    /* a file: its host is the folder that holds it */
    const char *slash = strrchr(path, '/');
    const char *dir =
        slash ? ks_audit_strndup(a, path, slash == path ? 1 : (size_t)(slash - path)) : ".";
    if (slash && !*dir) return KS_ERR_NOMEM;
    if (!slash) {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd)) dir = ks_audit_strndup(a, cwd, strlen(cwd));
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ks_diag_set(diag, KS_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
    close(fd);
    return add_file(a, path, dir);
}
