/* reg export / regedit files for the readiness audit ("Windows Registry Editor Version
 * 5.00", UTF-16LE, or "REGEDIT4", ANSI): [KEY] lines and "name"=data values. Each key
 * gives regkey:<HIVE>\<key>; each value reg:<HIVE>\<key>\<name>, DWORD and QWORD in
 * decimal, strings unescaped, other types as written (continuation lines joined).
 * Deletions ([-KEY], "name"=-) are not settings and are left out. The collector's log
 * says which keys reg export found missing: regabsent:<HIVE>\<key>. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_int.h"
#include "util/str.h"

#define KS_REG_MAX_JOIN 4096 /* continuation lines of one value */

static const struct {
    const char *name, *abbrev;
} hives[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM"},
    {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_USERS", "HKU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},
    {"HKEY_CURRENT_CONFIG", "HKCC"},
    {"HKLM", "HKLM"},
    {"HKCU", "HKCU"},
    {"HKU", "HKU"},
    {"HKCR", "HKCR"},
};

/* The key of a "[...]" line into rd->key as "<HIVE>\rest" (no prefix); false when its
 * hive is unknown. */
static bool key_path(ks_buf *out, ks_str k)
{
    ks_str hive = ks_str_until(k, "\\");
    for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++) {
        if (!ks_str_ci_eq(hive, hives[i].name)) continue;
        ks_buf_reset(out);
        ks_buf_puts(out, hives[i].abbrev);
        ks_str rest = ks_str_skip(k, hive.len);
        while (rest.len > 1 && rest.p[rest.len - 1] == '\\') rest.len--;
        if (rest.len > 1) ks_buf_append(out, rest.p, rest.len);
        return true;
    }
    return false;
}

/* A quoted string at s (s->p[0] == '"'): its text unescaped into out, s moved past the
 * closing quote; false when it is not closed. */
static bool quoted(ks_str *s, ks_buf *out)
{
    size_t i = 1;
    for (; i < s->len && s->p[i] != '"'; i++) {
        if (s->p[i] == '\\' && i + 1 < s->len) i++;
        ks_buf_putc(out, s->p[i]);
    }
    if (i >= s->len) return false;
    *s = ks_str_skip(*s, i + 1);
    return true;
}

/* Bytes "01,00,..." as a little-endian integer of `size` bytes; false if not that. */
static bool hex_le(ks_str s, size_t size, uint64_t *v)
{
    size_t nbytes = 0;
    *v = 0;
    for (size_t i = 0; i <= s.len; i++) { /* bounded by the text: each pass eats a byte */
        ks_str b = ks_audit_trim(ks_str_until(ks_str_skip(s, i), ","));
        size_t field = ks_str_until(ks_str_skip(s, i), ",").len;
        if (b.len != 2 || nbytes >= size) return false;
        unsigned x = 0;
        for (size_t k = 0; k < 2; k++) {
            char c = b.p[k];
            unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                         : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                                : 16;
            if (d > 15) return false;
            x = x * 16 + d;
        }
        *v |= (uint64_t)x << (8 * nbytes++);
        i += field; /* at the comma, or the end */
    }
    return nbytes == size;
}

/* One value line ("name"=data, joined). */
static void value_line(ks_audit_rd *rd, const ks_buf *keypath, ks_str ln, unsigned line,
                       ks_buf *val)
{
    ks_buf_reset(&rd->key);
    ks_buf_puts(&rd->key, "reg:");
    ks_buf_append(&rd->key, keypath->data, keypath->len);
    ks_buf_putc(&rd->key, '\\');
    if (ln.p[0] == '@') {
        ks_buf_puts(&rd->key, "(default)");
        ln = ks_str_skip(ln, 1);
    } else if (!quoted(&ln, &rd->key)) {
        ks_audit_problem(rd, line, "value name without its closing quote");
        return;
    }
    ln = ks_audit_trim(ln);
    if (!ks_str_eat(&ln, "=")) {
        ks_audit_problem(rd, line, "expected '=' after the value name");
        return;
    }
    ln = ks_audit_trim(ln);
    if (ks_str_eq(ln, "-")) return; /* a deletion */
    ks_buf_reset(val);
    uint64_t v;
    if (ln.len && ln.p[0] == '"') {
        ks_str rest = ln;
        if (!quoted(&rest, val)) {
            ks_audit_problem(rd, line, "string value without its closing quote (cut short?)");
            return;
        }
        if (ks_audit_trim(rest).len) {
            ks_audit_problem(rd, line, "text after the closing quote: %.*s",
                             KS_AUDIT_EXCERPT(rest));
            return;
        }
    } else if (ks_str_has_prefix(ln, "dword:") || ks_str_has_prefix(ln, "qword:")) {
        /* "qword:" is not what reg export writes (it uses hex(b):), but hand-written
         * files and some tools do */
        size_t digits = ln.p[0] == 'd' ? 8 : 16;
        ln = ks_audit_trim(ks_str_skip(ln, 6));
        v = 0;
        bool ok = ln.len >= 1 && ln.len <= digits;
        for (size_t i = 0; ok && i < ln.len; i++) {
            char c = ln.p[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            ok = d >= 0;
            v = v * 16 + (uint64_t)(d < 0 ? 0 : d);
        }
        if (!ok) {
            ks_audit_problem(rd, line, "bad %s (%zu hex digits expected): %.*s",
                             digits == 8 ? "dword" : "qword", digits, KS_AUDIT_EXCERPT(ln));
            return;
        }
        ks_buf_u64(val, v);
    } else if (ks_str_ci_has(ks_str_until(ln, ":"), "hex(b)") ||
               ks_str_ci_has(ks_str_until(ln, ":"), "hex(4)")) {
        size_t size = ks_str_ci_has(ks_str_until(ln, ":"), "hex(b)") ? 8 : 4;
        if (!hex_le(ks_str_skip(ln, ks_str_until(ln, ":").len + 1), size, &v)) {
            ks_audit_problem(rd, line, "bad %s (%zu bytes expected)", size == 8 ? "qword" : "dword",
                             size);
            return;
        }
        ks_buf_u64(val, v);
    } else if (ks_str_has_prefix(ln, "hex")) {
        ks_buf_append(val, ln.p, ln.len);
    } else {
        ks_audit_problem(rd, line, "value of no known type: %.*s", KS_AUDIT_EXCERPT(ln));
        return;
    }
    if (val->failed) {
        ks_audit_problem(rd, line, "out of memory");
        return;
    }
    ks_audit_fact_addk(rd, val->data ? val->data : "", val->len, line);
}

/* Does a value line go on? A hex list ending in '\' continues on the next line; a
 * string whose quote is still open continues too (an embedded line break). ln is the
 * first line (from its name) or, with in_string, a line that continues a string. */
static int continues(ks_str ln, bool in_string)
{
    bool in = in_string;
    size_t i = 0;
    if (!in_string && ln.len && ln.p[0] == '"') { /* the name */
        for (i = 1; i < ln.len && ln.p[i] != '"'; i++)
            if (ln.p[i] == '\\') i++;
        i++;
    }
    for (; i < ln.len; i++) {
        if (ln.p[i] == '"') in = !in;
        if (in && ln.p[i] == '\\') i++;
    }
    if (in) return 2;
    return ln.len && ln.p[ln.len - 1] == '\\' ? 1 : 0;
}

void ks_audit_read_reg(ks_audit_rd *rd, const char *text, size_t n)
{
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln;
    ks_buf keypath = {0}, joined = {0}, val = {0};
    bool header = false, inkey = false;
    size_t keys = 0;
    while (ks_audit_line(&it, &ln)) {
        unsigned at = it.lineno;
        ln = ks_audit_trim(ln);
        if (!ln.len || ln.p[0] == ';') continue;
        if (!header) {
            header = true;
            if (!ks_str_has_prefix(ln, "Windows Registry Editor Version") &&
                !ks_str_eq(ln, "REGEDIT4"))
                ks_audit_problem(rd, at, "no \"Windows Registry Editor\" header");
            else
                continue;
        }
        if (ln.p[0] == '[') {
            if (ks_audit_line_cut(rd, &it, ln)) break;
            inkey = false;
            if (ln.p[ln.len - 1] != ']') {
                ks_audit_problem(rd, at, "key without its closing ']'");
                continue;
            }
            ks_str k = {ln.p + 1, ln.len - 2};
            if (k.len && k.p[0] == '-') continue; /* a deletion */
            if (!key_path(&keypath, k)) {
                ks_audit_problem(rd, at, "key under no known hive: %.*s", KS_AUDIT_EXCERPT(k));
                continue;
            }
            inkey = true;
            keys++;
            ks_buf_reset(&rd->key);
            ks_buf_puts(&rd->key, "regkey:");
            ks_buf_append(&rd->key, keypath.data, keypath.len);
            ks_audit_fact_addk(rd, "", 0, at);
            continue;
        }
        if (ln.p[0] != '"' && ln.p[0] != '@') {
            ks_audit_problem(rd, at, "expected a [key] or a \"name\"=value line: %.*s",
                             KS_AUDIT_EXCERPT(ln));
            continue;
        }
        /* the value's whole text, over its continuation lines */
        ks_buf_reset(&joined);
        ks_buf_append(&joined, ln.p, ln.len);
        int more = continues(ln, false), cut = it.cut;
        for (size_t j = 0; more && j < KS_REG_MAX_JOIN; j++) {
            if (more == 1) joined.len--; /* the backslash */
            if (!ks_audit_line(&it, &ln)) break;
            cut = it.cut;
            if (more == 2) {
                ks_buf_putc(&joined, '\n');
            } else {
                ln = ks_audit_trim(ln);
            }
            ks_buf_append(&joined, ln.p, ln.len);
            if (joined.failed) break;
            more = continues(ln, more == 2);
        }
        if (joined.failed) {
            ks_audit_problem(rd, at, "out of memory");
            break;
        }
        if (more || cut) {
            ks_audit_problem(rd, at, "the export ends inside this value (cut short?)");
            break;
        }
        if (!inkey) {
            if (!keys) ks_audit_problem(rd, at, "value before any [key]");
            continue;
        }
        value_line(rd, &keypath, (ks_str){joined.data, joined.len}, at, &val);
    }
    if (!header) ks_audit_problem(rd, 1, "empty export");
    ks_buf_free(&keypath);
    ks_buf_free(&joined);
    ks_buf_free(&val);
}

/* collect.log: "missing  FILE  KEY (reg export: the key does not exist)" lines. */
void ks_audit_read_collectlog(ks_audit_rd *rd, const char *text, size_t n)
{
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_buf keypath = {0};
    ks_str ln;
    while (ks_audit_line(&it, &ln)) {
        long end = ks_str_find(ln, " (reg export: the key does not exist)");
        if (!ks_str_eat(&ln, "missing ") || end < 8) continue;
        /* the file name, then the key */
        ks_str rest = ks_audit_trim((ks_str){ln.p, (size_t)end - 8});
        ks_str key = ks_audit_trim(ks_str_skip(rest, ks_str_word(rest).len));
        if (!key_path(&keypath, key)) {
            ks_audit_problem(rd, it.lineno, "key under no known hive: %.*s", KS_AUDIT_EXCERPT(key));
            continue;
        }
        ks_buf_reset(&rd->key);
        ks_buf_puts(&rd->key, "regabsent:");
        ks_buf_append(&rd->key, keypath.data, keypath.len);
        ks_audit_fact_addk(rd, "", 0, it.lineno);
    }
    ks_buf_free(&keypath);
}
