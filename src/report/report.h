/* Pieces the report writers share (the investigation's report.html and summary.json,
 * the audit's audit.html and audit.json): the page's style, HTML escaping and table
 * cells, JSON strings, and writing a finished buffer into a folder. One look and one
 * way to write, whatever the report. */
#ifndef KS_REPORT_REPORT_H
#define KS_REPORT_REPORT_H

#include "kensa/buf.h"
#include "kensa/status.h"

/* The style of every kensa page (no fonts, images or scripts from outside). */
extern const char ks_report_css[];

/* s escaped for HTML text and attribute values; NULL appends nothing. */
void ks_report_esc(ks_buf *b, const char *s);
/* <td>s</td>, "-" when s is NULL or empty. */
void ks_report_td(ks_buf *b, const char *s);
/* From <!DOCTYPE html> to the <h1> title, with ks_report_css and more_css (may be
 * NULL) inlined; lang is "ja" or "en". title is written as given (a label, not data). */
void ks_report_page_begin(ks_buf *b, const char *lang, const char *title, const char *more_css);
/* The footer (kensa's version) and the closing tags. */
void ks_report_page_end(ks_buf *b);

/* s as a JSON string, quotes included (NULL as ""). */
void ks_report_json_str(ks_buf *b, const char *s);

/* Create dir when missing; KS_ERR_IO when it cannot be made or is not a folder. */
ks_status ks_report_mkdir(const char *dir, ks_diag *diag);
/* Write b to dir/name (dir NULL: to the path name). KS_ERR_NOMEM when b failed,
 * KS_ERR_IO otherwise; diag names dir (or the path). */
ks_status ks_report_save(const ks_buf *b, const char *dir, const char *name, ks_diag *diag);

#endif
