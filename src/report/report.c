/* The report writers' shared pieces (report.h): kensa's page style, HTML escaping,
 * JSON strings and saving a buffer, used by the investigation report and the audit. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kensa/kensa.h"
#include "report/report.h"

const char ks_report_css[] =
    "body{font-family:system-ui,'Hiragino Sans','Noto Sans CJK JP','Yu Gothic',"
    "'IPAexGothic','IPAGothic',sans-serif;margin:2em auto;max-width:1100px;padding:0 "
    "1em;color:#222;line-height:1.5}"
    "h1{font-size:1.6em;border-bottom:2px solid #333}h2{margin-top:1.6em;font-size:1.3em;"
    "border-bottom:1px solid #ccc}h3{font-size:1.05em;margin:1em 0 .3em}"
    ".big{font-size:1.35em;background:#fff3f0;border-left:6px solid #c0392b;padding:.6em 1em}"
    ".meta{color:#666;font-size:.9em}.utc{color:#555;font-size:.9em;margin-top:-.5em}"
    ".warn{color:#a04000;font-weight:600}table{border-collapse:collapse;width:100%;"
    "font-size:.88em;margin:.4em 0}th,td{border:1px solid #ddd;padding:.25em .4em;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}"
    "td.t{white-space:nowrap}tr.cleared td{background:#fff6e5}.ev{font-family:monospace;"
    "font-size:.85em;word-break:break-all}.finding{border:1px solid #ddd;border-left-width:6px;"
    "padding:.2em .8em;margin:.6em 0}.sev{text-transform:uppercase;font-size:.8em;"
    "padding:0 .4em;border-radius:3px;background:#eee}.sev-critical{border-left-color:#7b0000}"
    ".sev-high{border-left-color:#c0392b}.sev-medium{border-left-color:#e67e22}"
    ".sev-low,.sev-info{border-left-color:#95a5a6}.conf-high{color:#7b0000;font-weight:600}"
    "tr.st-entry td:first-child{border-left:4px solid #c0392b}"
    "@media print{.finding{break-inside:avoid}}";

void ks_report_esc(ks_buf *b, const char *s)
{
    if (s) ks_escape_utf8(b, s, strlen(s), KS_ESC_XML_ATTR);
}

void ks_report_td(ks_buf *b, const char *s)
{
    ks_buf_puts(b, "<td>");
    ks_report_esc(b, s && *s ? s : "-");
    ks_buf_puts(b, "</td>");
}

void ks_report_page_begin(ks_buf *b, const char *lang, const char *title, const char *more_css)
{
    ks_buf_printf(b,
                  "<!DOCTYPE html>\n<html lang=%s><head><meta charset=utf-8>"
                  "<meta name=viewport content='width=device-width,initial-scale=1'>"
                  "<title>%s</title><style>%s%s</style></head><body>\n<h1>%s</h1>\n",
                  lang, title, ks_report_css, more_css ? more_css : "", title);
}

void ks_report_page_end(ks_buf *b)
{
    ks_buf_puts(b, "<p class=meta>kensa " KS_VERSION "</p></body></html>\n");
}

void ks_report_json_str(ks_buf *b, const char *s)
{
    ks_buf_putc(b, '"');
    ks_escape_utf8(b, s ? s : "", s ? strlen(s) : 0, KS_ESC_JSON);
    ks_buf_putc(b, '"');
}

ks_status ks_report_mkdir(const char *dir, ks_diag *diag)
{
    struct stat sb;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ks_diag_set(diag, KS_ERR_IO, dir, 0, "cannot create the folder: %s",
                           strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ks_diag_set(diag, KS_ERR_IO, dir, 0, "not a folder");
    return KS_OK;
}

ks_status ks_report_save(const ks_buf *b, const char *dir, const char *name, ks_diag *diag)
{
    char path[4096];
    const char *where = dir ? dir : name;
    int n = dir ? snprintf(path, sizeof path, "%s/%s", dir, name)
                : snprintf(path, sizeof path, "%s", name);
    if (n < 0 || (size_t)n >= sizeof path)
        return ks_diag_set(diag, KS_ERR_ARG, where, 0, "folder name too long");
    if (b->failed) return ks_diag_set(diag, KS_ERR_NOMEM, where, 0, "out of memory");
    FILE *f = fopen(path, "wb");
    if (!f)
        return ks_diag_set(diag, KS_ERR_IO, where, 0, "cannot write %s: %s", name, strerror(errno));
    int bad = b->len && fwrite(b->data, 1, b->len, f) != b->len;
    if (fclose(f) != 0) bad = 1;
    if (bad)
        return ks_diag_set(diag, KS_ERR_IO, where, 0, "cannot write %s: %s", name, strerror(errno));
    return KS_OK;
}
