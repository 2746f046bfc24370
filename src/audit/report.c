/* What kensa audit writes: audit.json (every host, its exports and what each check
 * found, and the checks themselves) and audit.html, one self-contained page in the
 * investigation report's style (report/report.h) that leads with what failed and
 * says for each check why it matters and which setting to change. */
#include <stdio.h>
#include <string.h>

#include "audit/audit_int.h"
#include "kensa/i18n.h"
#include "kensa/kensa.h"
#include "report/report.h"

static int ja(void)
{
    return ks_lang_get() == KS_LANG_JA;
}

static const char *read_name(ks_audit_read r)
{
    return r == KS_AUDIT_READ_OK ? "ok" : r == KS_AUDIT_READ_PARTIAL ? "partial" : "failed";
}

ks_audit_summary ks_audit_summarize(const ks_audit *a)
{
    ks_audit_summary s = {0};
    if (!a) return s;
    s.hosts = a->nhosts;
    for (size_t i = 0; i < a->noutcomes; i++) {
        const ks_audit_outcome *o = &a->outcomes[i];
        switch (o->result) {
        case KS_AUDIT_PASS: s.pass++; break;
        case KS_AUDIT_FAIL:
            s.fail++;
            if (o->check->severity >= KS_LEVEL_HIGH) s.high_failed++;
            break;
        case KS_AUDIT_NOT_CHECKED: s.not_checked++; break;
        case KS_AUDIT_NOT_APPLICABLE: s.not_applicable++; break;
        }
    }
    for (size_t h = 0; h < a->nhosts; h++) {
        const ks_audit_host *host = &a->hosts[h]->pub;
        for (size_t e = 0; e < host->nexports; e++) {
            const ks_audit_export *x = &host->exports[e];
            if (x->kind == KS_AUDIT_UNKNOWN) {
                s.files_skipped++;
                continue;
            }
            s.exports_failed += x->status == KS_AUDIT_READ_FAILED;
            s.exports_partial += x->status == KS_AUDIT_READ_PARTIAL;
        }
    }
    return s;
}

/* The outcomes of host h (ncheck of them), or NULL before ks_audit_run. */
static const ks_audit_outcome *host_outcomes(const ks_audit *a, size_t h, size_t ncheck)
{
    if (!a->outcomes || (h + 1) * ncheck > a->noutcomes) return NULL;
    return &a->outcomes[h * ncheck];
}

/* ---- audit.json ---- */

static void json_kv(ks_buf *b, const char *key, const char *val, int comma)
{
    ks_buf_printf(b, "%s\"%s\": ", comma ? ", " : "", key);
    ks_report_json_str(b, val);
}

static void json_needs(ks_buf *b, unsigned needs)
{
    ks_buf_puts(b, "[");
    for (int k = 1, n = 0; k < KS_AUDIT_KIND_COUNT; k++)
        if (needs & (1u << k)) {
            ks_buf_printf(b, "%s\"%s\"", n++ ? ", " : "", ks_audit_kind_name((ks_audit_kind)k));
        }
    ks_buf_puts(b, "]");
}

static void json_host(ks_buf *b, const ks_audit *a, size_t hi, const ks_audit_check *checks,
                      size_t nc)
{
    const ks_audit_host *h = &a->hosts[hi]->pub;
    ks_buf_puts(b, "    {");
    json_kv(b, "name", h->name, 0);
    json_kv(b, "role", ks_site_role_name(h->role), 1);
    ks_buf_puts(b, ",\n     \"exports\": [");
    for (size_t e = 0; e < h->nexports; e++) {
        const ks_audit_export *x = &h->exports[e];
        ks_buf_puts(b, e ? ",\n       {" : "\n       {");
        json_kv(b, "file", x->path, 0);
        json_kv(b, "kind", ks_audit_kind_name(x->kind), 1);
        json_kv(b, "status", read_name(x->status), 1);
        ks_buf_printf(b, ", \"facts\": %zu, \"problems\": %u, \"problem\": ", x->nfacts,
                      x->nproblems);
        if (x->problem)
            ks_report_json_str(b, x->problem);
        else
            ks_buf_puts(b, "null");
        ks_buf_printf(b, ", \"problem_line\": %u}", x->problem_line);
    }
    ks_buf_puts(b, "],\n     \"rates\": [");
    for (size_t r = 0; r < h->nrates; r++) {
        const ks_audit_rate *t = &h->rates[r];
        ks_buf_puts(b, r ? ", {" : "{");
        json_kv(b, "channel", t->channel, 0);
        json_kv(b, "file", t->file, 1);
        ks_buf_printf(
            b, ", \"records\": %llu, \"bytes\": %llu, \"first_ns\": %lld, \"last_ns\": %lld}",
            (unsigned long long)t->records, (unsigned long long)t->bytes, (long long)t->first_ns,
            (long long)t->last_ns);
    }
    ks_buf_puts(b, "],\n     \"checks\": [");
    const ks_audit_outcome *o = host_outcomes(a, hi, nc);
    for (size_t c = 0; o && c < nc; c++) {
        ks_buf_puts(b, c ? ",\n       {" : "\n       {");
        json_kv(b, "id", checks[c].id, 0);
        json_kv(b, "severity", ks_level_name(checks[c].severity), 1);
        json_kv(b, "result", ks_audit_result_name(o[c].result), 1);
        json_kv(b, "title", ja() ? checks[c].title_ja : checks[c].title_en, 1);
        json_kv(b, "detail", o[c].detail, 1);
        ks_buf_puts(b, ", \"fact\": ");
        if (o[c].fact) {
            ks_buf_puts(b, "{");
            json_kv(b, "key", o[c].fact->key, 0);
            json_kv(b, "value", o[c].fact->value, 1);
            json_kv(b, "file", o[c].fact->file, 1);
            ks_buf_printf(b, ", \"line\": %u}", o[c].fact->line);
        } else {
            ks_buf_puts(b, "null");
        }
        ks_buf_puts(b, "}");
    }
    ks_buf_puts(b, "]}");
}

void ks_audit_json(const ks_audit *a, ks_buf *b)
{
    size_t nc;
    const ks_audit_check *checks = ks_audit_checks(&nc);
    ks_audit_summary s = ks_audit_summarize(a);
    ks_buf_printf(b, "{\n  \"kensa\": \"%s\", \"lang\": \"%s\",\n", KS_VERSION, ja() ? "ja" : "en");
    ks_buf_printf(b,
                  "  \"summary\": {\"hosts\": %zu, \"pass\": %zu, \"fail\": %zu, "
                  "\"not_checked\": %zu, \"not_applicable\": %zu, \"high_failed\": %zu, "
                  "\"exports_failed\": %zu, \"exports_partial\": %zu, \"files_skipped\": %zu},\n",
                  s.hosts, s.pass, s.fail, s.not_checked, s.not_applicable, s.high_failed,
                  s.exports_failed, s.exports_partial, s.files_skipped);
    ks_buf_puts(b, "  \"hosts\": [\n");
    for (size_t h = 0; a && h < a->nhosts; h++) {
        if (h) ks_buf_puts(b, ",\n");
        json_host(b, a, h, checks, nc);
    }
    ks_buf_puts(b, "\n  ],\n  \"checks\": [\n");
    for (size_t c = 0; c < nc; c++) {
        const ks_audit_check *k = &checks[c];
        ks_buf_puts(b, c ? ",\n    {" : "    {");
        json_kv(b, "id", k->id, 0);
        json_kv(b, "severity", ks_level_name(k->severity), 1);
        json_kv(b, "title_en", k->title_en, 1);
        json_kv(b, "title_ja", k->title_ja, 1);
        json_kv(b, "why_en", k->why_en, 1);
        json_kv(b, "why_ja", k->why_ja, 1);
        json_kv(b, "fix_en", k->fix_en, 1);
        json_kv(b, "fix_ja", k->fix_ja, 1);
        ks_buf_puts(b, ", \"needs\": ");
        json_needs(b, k->needs);
        ks_buf_puts(b, "}");
    }
    ks_buf_puts(b, "\n  ]\n}\n");
}

/* ---- audit.html ---- */

enum {
    L_TITLE,
    L_SUMMARY,
    L_ALL_PASS,
    L_FAILED,
    L_COUNTS,
    L_HOST,
    L_ROLE,
    L_NO_ROLE,
    L_CHECK,
    L_SEVERITY,
    L_RESULT,
    L_SEEN,
    L_EXPORTS,
    L_FILE,
    L_KIND,
    L_STATUS,
    L_FACTS,
    L_PROBLEM,
    L_CHECKS,
    L_WHY,
    L_FIX,
    L_NEEDS,
    L_PASS,
    L_FAIL,
    L_NOT_CHECKED,
    L_NOT_APPLICABLE,
    L_NO_HOSTS,
    L_COUNT
};

static const char *const LABELS[L_COUNT][2] = {
    [L_TITLE] = {"kensa readiness audit", "kensa 事前点検"},
    [L_SUMMARY] = {"Summary", "まとめ"},
    [L_ALL_PASS] = {"No check of high severity failed.",
                    "重要度「高」のチェックに不合格はありません。"},
    [L_FAILED] = {"%zu check(s) of high severity failed: change these settings first.",
                  "重要度「高」のチェックが %zu 件不合格です。まずこれらの設定を変えてください。"},
    [L_COUNTS] = {"%zu hosts: %zu passed, %zu failed, %zu not checked (exports missing), %zu "
                  "not applicable; %zu exports could not be read, %zu only partly.",
                  "ホスト %zu 台: 合格 %zu、不合格 %zu、未確認 (エクスポートなし) %zu、対象外 %zu。"
                  "読めなかったエクスポート %zu、一部だけ読めたもの %zu。"},
    [L_HOST] = {"Host", "ホスト"},
    [L_ROLE] = {"role", "役割"},
    [L_NO_ROLE] = {"no role in the site file", "サイトファイルに役割なし"},
    [L_CHECK] = {"Check", "チェック"},
    [L_SEVERITY] = {"Severity", "重要度"},
    [L_RESULT] = {"Result", "結果"},
    [L_SEEN] = {"What was seen", "確認した値"},
    [L_EXPORTS] = {"Exports read", "読んだエクスポート"},
    [L_FILE] = {"File", "ファイル"},
    [L_KIND] = {"Kind", "種類"},
    [L_STATUS] = {"Read", "読み込み"},
    [L_FACTS] = {"Settings", "設定数"},
    [L_PROBLEM] = {"Problem", "問題"},
    [L_CHECKS] = {"The checks: why, and how to fix", "チェックの理由と直し方"},
    [L_WHY] = {"Why", "理由"},
    [L_FIX] = {"How to fix", "直し方"},
    [L_NEEDS] = {"Read from", "使うエクスポート"},
    [L_PASS] = {"pass", "合格"},
    [L_FAIL] = {"FAIL", "不合格"},
    [L_NOT_CHECKED] = {"not checked", "未確認"},
    [L_NOT_APPLICABLE] = {"not applicable", "対象外"},
    [L_NO_HOSTS] = {"No host exports were read.", "ホストのエクスポートを読めませんでした。"},
};

static const char *L(int id)
{
    return LABELS[id][ja()];
}

static const char *result_label(ks_audit_result r)
{
    return L(r == KS_AUDIT_PASS             ? L_PASS
             : r == KS_AUDIT_FAIL           ? L_FAIL
             : r == KS_AUDIT_NOT_APPLICABLE ? L_NOT_APPLICABLE
                                            : L_NOT_CHECKED);
}

static const char AUDIT_CSS[] =
    "td.res{white-space:nowrap}.res-pass{color:#1e7e34}.res-fail{color:#c0392b;font-weight:700}"
    ".res-not_checked{color:#a04000}.res-not_applicable{color:#888}"
    "tr.row-fail td:first-child{border-left:4px solid #c0392b}"
    ".ok{font-size:1.2em;background:#eef8f0;border-left:6px solid #1e7e34;padding:.6em 1em}"
    "dl.fix dt{font-weight:600;margin-top:.4em}dl.fix dd{margin:0 0 0 1.2em}";

static void html_host(ks_buf *b, const ks_audit *a, size_t hi, const ks_audit_check *checks,
                      size_t nc)
{
    const ks_audit_host *h = &a->hosts[hi]->pub;
    ks_buf_printf(b, "<section class=host id='host-%zu'><h2>", hi + 1);
    ks_report_esc(b, h->name);
    ks_buf_printf(b, " <small>(%s: ", L(L_ROLE));
    ks_report_esc(b, h->role ? ks_site_role_name(h->role) : L(L_NO_ROLE));
    ks_buf_printf(b, ")</small></h2><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
                  L(L_CHECK), L(L_SEVERITY), L(L_RESULT), L(L_SEEN));
    const ks_audit_outcome *o = host_outcomes(a, hi, nc);
    for (size_t c = 0; o && c < nc; c++) {
        const char *res = ks_audit_result_name(o[c].result);
        ks_buf_printf(b, "<tr class='row-%s' data-check='%s'><td><a href='#check-%s'>", res,
                      checks[c].id, checks[c].id);
        ks_report_esc(b, ja() ? checks[c].title_ja : checks[c].title_en);
        ks_buf_printf(b,
                      "</a></td><td><span class=sev>%s</span></td><td class='res res-%s'>%s</td>",
                      ks_level_name(checks[c].severity), res, result_label(o[c].result));
        ks_buf_puts(b, "<td>");
        ks_report_esc(b, o[c].detail);
        if (o[c].fact && o[c].fact->file) {
            const char *base = strrchr(o[c].fact->file, '/');
            ks_buf_puts(b, " <span class=ev>(");
            ks_report_esc(b, base ? base + 1 : o[c].fact->file);
            if (o[c].fact->line) ks_buf_printf(b, ":%u", o[c].fact->line);
            ks_buf_puts(b, ")</span>");
        }
        ks_buf_puts(b, "</td></tr>");
    }
    ks_buf_printf(b,
                  "</table><h3>%s</h3><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                  "<th>%s</th></tr>",
                  L(L_EXPORTS), L(L_FILE), L(L_KIND), L(L_STATUS), L(L_FACTS), L(L_PROBLEM));
    for (size_t e = 0; e < h->nexports; e++) {
        const ks_audit_export *x = &h->exports[e];
        ks_buf_printf(b, "<tr%s>", x->status != KS_AUDIT_READ_OK ? " class=cleared" : "");
        ks_buf_puts(b, "<td class=ev>");
        ks_report_esc(b, x->path);
        ks_buf_puts(b, "</td>");
        ks_report_td(b, ks_audit_kind_name(x->kind));
        ks_report_td(b, read_name(x->status));
        ks_buf_printf(b, "<td class=n>%zu</td>", x->nfacts);
        ks_report_td(b, x->problem);
        ks_buf_puts(b, "</tr>");
    }
    ks_buf_puts(b, "</table></section>\n");
}

void ks_audit_html(const ks_audit *a, ks_buf *b)
{
    size_t nc;
    const ks_audit_check *checks = ks_audit_checks(&nc);
    ks_audit_summary s = ks_audit_summarize(a);
    ks_report_page_begin(b, ja() ? "ja" : "en", L(L_TITLE), AUDIT_CSS);
    ks_buf_printf(b, "<section id=summary><h2>%s</h2>", L(L_SUMMARY));
    if (!s.hosts)
        ks_buf_printf(b, "<p class=big>%s</p>", L(L_NO_HOSTS));
    else if (s.high_failed) {
        ks_buf_puts(b, "<p class=big>");
        ks_buf_printf(b, L(L_FAILED), s.high_failed);
        ks_buf_puts(b, "</p>");
    } else {
        ks_buf_printf(b, "<p class=ok>%s</p>", L(L_ALL_PASS));
    }
    ks_buf_puts(b, "<p class=meta>");
    ks_buf_printf(b, L(L_COUNTS), s.hosts, s.pass, s.fail, s.not_checked, s.not_applicable,
                  s.exports_failed, s.exports_partial);
    ks_buf_puts(b, "</p>");
    /* failures of every host first, most severe first */
    if (s.fail) {
        ks_buf_printf(b, "<table id=failures><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
                      L(L_HOST), L(L_CHECK), L(L_SEVERITY), L(L_SEEN));
        for (int lv = KS_LEVEL_CRITICAL; lv >= KS_LEVEL_INFO; lv--)
            for (size_t h = 0; h < s.hosts; h++) {
                const ks_audit_outcome *o = host_outcomes(a, h, nc);
                for (size_t c = 0; o && c < nc; c++) {
                    if (o[c].result != KS_AUDIT_FAIL || (int)checks[c].severity != lv) continue;
                    ks_buf_puts(b, "<tr class=row-fail>");
                    ks_report_td(b, a->hosts[h]->pub.name);
                    ks_report_td(b, ja() ? checks[c].title_ja : checks[c].title_en);
                    ks_buf_printf(b, "<td><span class=sev>%s</span></td>",
                                  ks_level_name(checks[c].severity));
                    ks_report_td(b, o[c].detail);
                    ks_buf_puts(b, "</tr>");
                }
            }
        ks_buf_puts(b, "</table>");
    }
    ks_buf_puts(b, "</section>\n");
    for (size_t h = 0; h < s.hosts; h++) html_host(b, a, h, checks, nc);
    ks_buf_printf(b, "<section id=checks><h2>%s</h2>", L(L_CHECKS));
    for (size_t c = 0; c < nc; c++) {
        const ks_audit_check *k = &checks[c];
        ks_buf_printf(b, "<div class='finding sev-%s' id='check-%s'><h3><span class=sev>%s</span> ",
                      ks_level_name(k->severity), k->id, ks_level_name(k->severity));
        ks_report_esc(b, ja() ? k->title_ja : k->title_en);
        ks_buf_printf(b, " <small>(%s)</small></h3><dl class=fix><dt>%s</dt><dd>", k->id, L(L_WHY));
        ks_report_esc(b, ja() ? k->why_ja : k->why_en);
        ks_buf_printf(b, "</dd><dt>%s</dt><dd>", L(L_FIX));
        ks_report_esc(b, ja() ? k->fix_ja : k->fix_en);
        ks_buf_printf(b, "</dd><dt>%s</dt><dd>", L(L_NEEDS));
        for (int kind = 1, n = 0; kind < KS_AUDIT_KIND_COUNT; kind++)
            if (k->needs & (1u << kind))
                ks_buf_printf(b, "%s%s", n++ ? ", " : "", ks_audit_kind_name((ks_audit_kind)kind));
        ks_buf_puts(b, "</dd></dl></div>");
    }
    ks_buf_puts(b, "</section>\n");
    ks_report_page_end(b);
}

ks_status ks_audit_write(const ks_audit *a, const char *dir, ks_diag *diag)
{
    ks_status st = ks_report_mkdir(dir, diag);
    if (st) return st;
    ks_buf b = {0};
    ks_audit_json(a, &b);
    st = ks_report_save(&b, dir, "audit.json", diag);
    if (!st) {
        ks_buf_reset(&b);
        ks_audit_html(a, &b);
        st = ks_report_save(&b, dir, "audit.html", diag);
    }
    ks_buf_free(&b);
    return st;
}
