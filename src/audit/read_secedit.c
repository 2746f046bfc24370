/* secedit /export /cfg FILE for the readiness audit: an INF of [Section] headers and
 * "Key = Value" lines, UTF-16LE with BOM as written (decoded by the core). Every entry
 * becomes secedit:<section>:<key>; [Registry Values] entries ("MACHINE\...\Name=4,1",
 * type then data) also become reg:HKLM\...\Name facts as a reg export would give. */
#include <string.h>

#include "audit/audit_int.h"
#include "util/str.h"

/* The reg: fact of a [Registry Values] entry: path "MACHINE\...\Name", data "4,1". */
static void registry_value(ks_audit_rd *rd, ks_str path, ks_str data, unsigned line)
{
    static const struct {
        const char *root, *hive;
    } roots[] = {{"MACHINE\\", "HKLM\\"},
                 {"USER\\", "HKU\\"},
                 {"CLASSES_ROOT\\", "HKCR\\"},
                 {"CURRENT_USER\\", "HKCU\\"}};
    const char *hive = NULL;
    for (size_t i = 0; i < sizeof roots / sizeof roots[0] && !hive; i++)
        if (ks_str_eat(&path, roots[i].root)) hive = roots[i].hive;
    if (!hive) {
        ks_audit_problem(rd, line, "registry value under no known root: %.*s",
                         KS_AUDIT_EXCERPT(path));
        return;
    }
    long comma = ks_str_find(data, ",");
    if (comma < 0) {
        ks_audit_problem(rd, line, "registry value without a type (\"4,1\" expected)");
        return;
    }
    ks_str type = ks_audit_trim((ks_str){data.p, (size_t)comma});
    ks_str val = ks_audit_trim(ks_str_skip(data, (size_t)comma + 1));
    int t = 0;
    if (!ks_digits(type.p, type.len, &t)) {
        ks_audit_problem(rd, line, "registry value type is not a number");
        return;
    }
    if ((t == 1 || t == 2) && val.len >= 2 && val.p[0] == '"' && val.p[val.len - 1] == '"')
        val.p++, val.len -= 2; /* REG_SZ, REG_EXPAND_SZ: the text */
    ks_buf_reset(&rd->key);
    ks_buf_puts(&rd->key, "reg:");
    ks_buf_puts(&rd->key, hive);
    ks_buf_append(&rd->key, path.p, path.len);
    ks_audit_fact_addk(rd, val.p, val.len, line);
}

void ks_audit_read_secedit(ks_audit_rd *rd, const char *text, size_t n)
{
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln, section = {NULL, 0};
    size_t entries = 0;
    while (ks_audit_line(&it, &ln)) {
        ln = ks_audit_trim(ln);
        if (!ln.len || ln.p[0] == ';') continue;
        if (ks_audit_line_cut(rd, &it, ln)) break;
        if (ln.p[0] == '[') {
            if (ln.p[ln.len - 1] != ']' || ln.len < 3) {
                ks_audit_problem(rd, it.lineno, "section header without its closing ']'");
                section = (ks_str){NULL, 0};
                continue;
            }
            section = ks_audit_trim((ks_str){ln.p + 1, ln.len - 2});
            continue;
        }
        long eq = ks_str_find(ln, "=");
        if (eq <= 0) {
            ks_audit_problem(rd, it.lineno, "expected \"Key = Value\": %.*s", KS_AUDIT_EXCERPT(ln));
            continue;
        }
        if (!section.p) {
            ks_audit_problem(rd, it.lineno, "entry before any [Section]");
            continue;
        }
        ks_str key = ks_audit_trim((ks_str){ln.p, (size_t)eq});
        ks_str val = ks_audit_trim(ks_str_skip(ln, (size_t)eq + 1));
        ks_buf_reset(&rd->key);
        ks_buf_puts(&rd->key, "secedit:");
        ks_buf_append(&rd->key, section.p, section.len);
        ks_buf_putc(&rd->key, ':');
        ks_buf_append(&rd->key, key.p, key.len);
        ks_audit_fact_addk(rd, val.p, val.len, it.lineno);
        entries++;
        if (ks_str_ci_eq(section, "Registry Values")) registry_value(rd, key, val, it.lineno);
    }
    if (!entries && !rd->h->pub.exports[rd->ex].nproblems)
        ks_audit_problem(rd, it.lineno, "no settings in the export (cut short?)");
}
