/* auditpol /get /category:* /r (or /backup) for the readiness audit: CSV rows of
 * Machine Name, Policy Target, Subcategory, Subcategory GUID, Inclusion Setting,
 * Exclusion Setting[, Setting Value]. The header and the settings are localized
 * (Japanese Windows writes "成功および失敗"), so rows are read by position and keyed by
 * the subcategory GUID: auditpol:<guid> = success,failure | success | failure | none. */
#include <string.h>

#include "audit/audit_int.h"
#include "util/str.h"

#define KS_AUDITPOL_COLS 12

/* Split a CSV line into at most max cells (quotes removed, "" kept as one quote in
 * place: cells point into the line, so a doubled quote stays doubled; auditpol writes
 * none). Returns the count, or -1 for a quote left open. */
static int cells(ks_str ln, ks_str *out, int max)
{
    int n = 0;
    size_t i = 0;
    while (n < max) {
        size_t start = i, end;
        if (i < ln.len && ln.p[i] == '"') {
            start = ++i;
            while (i < ln.len && !(ln.p[i] == '"' && (i + 1 >= ln.len || ln.p[i + 1] != '"')))
                i += ln.p[i] == '"' ? 2 : 1;
            if (i >= ln.len) return -1;
            end = i++;
            while (i < ln.len && ln.p[i] != ',') i++;
        } else {
            while (i < ln.len && ln.p[i] != ',') i++;
            end = i;
        }
        out[n++] = ks_audit_trim((ks_str){ln.p + start, end - start});
        if (i >= ln.len) break;
        i++; /* the comma */
    }
    return n;
}

/* "{0CCE9215-69AE-11D9-BED3-505054503030}" (braces optional) in lower case into out. */
static bool guid(ks_str s, char out[37])
{
    if (s.len == 38 && s.p[0] == '{' && s.p[37] == '}') s = (ks_str){s.p + 1, 36};
    if (s.len != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        char c = s.p[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
        out[i] = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
    }
    out[36] = 0;
    return true;
}

/* The inclusion setting in any language kensa knows, or the numeric Setting Value
 * (0 none, 1 success, 2 failure, 3 both); NULL when neither says. */
static const char *inclusion(ks_str s, ks_str value)
{
    static const struct {
        const char *text, *norm;
    } names[] = {
        {"Success and Failure", "success,failure"},
        {"成功および失敗", "success,failure"},
        {"Success", "success"},
        {"成功", "success"},
        {"Failure", "failure"},
        {"失敗", "failure"},
        {"No Auditing", "none"},
        {"監査なし", "none"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ks_str_ci_eq(s, names[i].text)) return names[i].norm;
    static const char *const by_value[] = {"none", "success", "failure", "success,failure"};
    if (value.len == 1 && value.p[0] >= '0' && value.p[0] <= '3') return by_value[value.p[0] - '0'];
    return NULL;
}

void ks_audit_read_auditpol(ks_audit_rd *rd, const char *text, size_t n)
{
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln, c[KS_AUDITPOL_COLS];
    int col_machine = 0, col_name = 2, col_guid = 3, col_incl = 4, col_value = 6;
    size_t rows = 0;
    bool named = false;
    while (ks_audit_line(&it, &ln)) {
        ln = ks_audit_trim(ln);
        if (!ln.len) continue;
        if (ks_audit_line_cut(rd, &it, ln)) break;
        int nc = cells(ln, c, KS_AUDITPOL_COLS);
        if (nc < 0) {
            ks_audit_problem(rd, it.lineno, "a quoted field is not closed");
            continue;
        }
        char g[37];
        if (nc <= col_guid || !guid(c[col_guid], g)) {
            /* the header (English names let columns move; others keep the order) */
            bool header = !rows && nc >= 5;
            for (int i = 0; header && i < nc; i++) {
                if (ks_str_ci_eq(c[i], "Machine Name")) col_machine = i;
                if (ks_str_ci_eq(c[i], "Subcategory")) col_name = i;
                if (ks_str_ci_eq(c[i], "Subcategory GUID")) col_guid = i;
                if (ks_str_ci_eq(c[i], "Inclusion Setting")) col_incl = i;
                if (ks_str_ci_eq(c[i], "Setting Value")) col_value = i;
            }
            if (!header)
                ks_audit_problem(rd, it.lineno, "expected a subcategory row with its GUID: %.*s",
                                 KS_AUDIT_EXCERPT(ln));
            continue;
        }
        rows++;
        if (nc <= col_incl) {
            ks_audit_problem(rd, it.lineno, "row without an inclusion setting");
            continue;
        }
        ks_str value = nc > col_value ? c[col_value] : (ks_str){"", 0};
        const char *norm = inclusion(c[col_incl], value);
        if (!norm) {
            ks_audit_problem(rd, it.lineno, "unknown inclusion setting: %.*s",
                             KS_AUDIT_EXCERPT(c[col_incl]));
            continue;
        }
        if (!named && nc > col_machine && c[col_machine].len) {
            ks_audit_set_host_name(rd, c[col_machine].p, c[col_machine].len);
            named = true;
        }
        ks_buf_reset(&rd->key);
        ks_buf_puts(&rd->key, "auditpol:");
        ks_buf_puts(&rd->key, g);
        ks_audit_fact_addk(rd, norm, strlen(norm), it.lineno);
        if (nc > col_name) {
            ks_buf_reset(&rd->key);
            ks_buf_puts(&rd->key, "auditpol-name:");
            ks_buf_puts(&rd->key, g);
            ks_audit_fact_addk(rd, c[col_name].p, c[col_name].len, it.lineno);
        }
    }
    if (!rows && !rd->h->pub.exports[rd->ex].nproblems)
        ks_audit_problem(rd, it.lineno, "no subcategory rows (cut short?)");
}
