/* What an investigation writes for machines: findings.jsonl (one finding a line,
 * with its chain and stage), timeline.csv (every chain step and every finding in
 * time order, UTC and local) and summary.json (the estimate, its confidence and
 * reason, what may make it earlier, the chains and the log coverage). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "investigate/output.h"
#include "report/report.h"
#include "kensa/time.h"

void ks_inv_json_str(ks_buf *b, const char *s)
{
    ks_report_json_str(b, s);
}

static void json_time(ks_buf *b, int64_t ns)
{
    if (!ns) {
        ks_buf_puts(b, "null");
        return;
    }
    ks_buf_putc(b, '"');
    ks_time_format(b, ns, 7); /* FILETIME's 100 ns: the record's own time */
    ks_buf_putc(b, '"');
}

ks_stage ks_inv_finding_stage(const ks_investigation *inv, size_t fi)
{
    int c = inv->finding_chain[fi];
    if (c >= 0)
        for (size_t k = 0; k < inv->chains[c].nsteps; k++)
            if (inv->chains[c].steps[k].finding == (long)fi) return inv->chains[c].steps[k].stage;
    return KS_STAGE_COUNT;
}

static ks_status write_file(const char *dir, const char *name, const ks_buf *b, ks_diag *diag)
{
    return ks_report_save(b, dir, name, diag);
}

static void finding_json(ks_buf *b, const ks_investigation *inv, size_t i)
{
    char extra[96];
    int c = inv->finding_chain[i];
    ks_stage st = ks_inv_finding_stage(inv, i);
    char chain[16] = "null";
    if (c >= 0) snprintf(chain, sizeof chain, "%d", c + 1);
    if (st < KS_STAGE_COUNT)
        snprintf(extra, sizeof extra, ",\"chain\":%s,\"stage\":\"%s\"", chain, ks_stage_name(st));
    else
        snprintf(extra, sizeof extra, ",\"chain\":%s,\"stage\":null", chain);
    ks_finding_write_json(b, &inv->findings[i], extra);
}

static void csv_field(ks_buf *b, const char *s, int last)
{
    ks_buf_putc(b, '"');
    for (; s && *s; s++) {
        if (*s == '"') ks_buf_putc(b, '"');
        ks_buf_putc(b, *s);
    }
    ks_buf_putc(b, '"');
    ks_buf_putc(b, last ? '\n' : ',');
}

/* One row of the timeline. */
typedef struct row {
    int64_t t;
    int chain; /* 0: none */
    const ks_step *step;
    size_t finding; /* when step is NULL */
} row;

static int row_order(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->chain - b->chain;
}

static void timeline_csv(ks_buf *b, const ks_investigation *inv)
{
    size_t n = inv->nfindings;
    for (size_t i = 0; i < inv->nchains; i++) n += inv->chains[i].nsteps;
    row *rows = calloc(n + 1, sizeof *rows);
    if (!rows) {
        b->failed = 1;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < inv->nchains; i++)
        for (size_t j = 0; j < inv->chains[i].nsteps; j++)
            rows[k++] =
                (row){inv->chains[i].steps[j].time_ns, (int)i + 1, &inv->chains[i].steps[j], 0};
    for (size_t i = 0; i < inv->nfindings; i++)
        if (inv->finding_chain[i] < 0) rows[k++] = (row){inv->findings[i].first_ns, 0, NULL, i};
    qsort(rows, k, sizeof *rows, row_order);
    ks_buf_printf(b, "time_utc,time_local,chain,stage,kind,severity,host,user,src_ip,what,"
                     "file,record_id\n");
    for (size_t i = 0; i < k; i++) {
        const row *r = &rows[i];
        char local[40], chain[16], rec[24];
        ks_buf t = {0};
        ks_time_format(&t, r->t, 7);
        ks_buf_putc(&t, 0);
        ks_investigate_local(inv, r->t, local, sizeof local, true);
        csv_field(b, t.failed ? "" : t.data, 0);
        ks_buf_free(&t);
        csv_field(b, local, 0);
        snprintf(chain, sizeof chain, "%d", r->chain);
        csv_field(b, r->chain ? chain : "", 0);
        const ks_finding *f = NULL;
        if (r->step) {
            const ks_step *s = r->step;
            if (s->finding >= 0) f = &inv->findings[s->finding];
            csv_field(b, ks_stage_name(s->stage), 0);
            csv_field(b, s->kind, 0);
            csv_field(b, f ? ks_level_name(f->severity) : "", 0);
            csv_field(b, s->host, 0);
            csv_field(b, s->user, 0);
            csv_field(b, s->src_ip, 0);
            csv_field(b, f ? f->explanation : s->what, 0);
            csv_field(b, s->file, 0);
            snprintf(rec, sizeof rec, "%llu", (unsigned long long)s->record_id);
            csv_field(b, s->file ? rec : "", 1);
        } else {
            f = &inv->findings[r->finding];
            csv_field(b, "", 0);
            csv_field(b, f->detector->id, 0);
            csv_field(b, ks_level_name(f->severity), 0);
            csv_field(b, f->host, 0);
            csv_field(b, f->user, 0);
            csv_field(b, f->src_ip, 0);
            csv_field(b, f->explanation, 0);
            csv_field(b, f->nevidence ? f->evidence[0].file : "", 0);
            snprintf(rec, sizeof rec, "%llu",
                     (unsigned long long)(f->nevidence ? f->evidence[0].record_id : 0));
            csv_field(b, f->nevidence ? rec : "", 1);
        }
    }
    free(rows);
}

void ks_investigate_summary_json(ks_buf *b, const ks_investigation *inv)
{
    const ks_estimate *e = &inv->estimate;
    ks_buf_puts(b, "{\n  \"first_intrusion\": ");
    json_time(b, e->found ? e->time_ns : 0);
    ks_buf_puts(b, ",\n  \"first_intrusion_ns\": ");
    if (e->found)
        ks_buf_i64(b, e->time_ns);
    else
        ks_buf_puts(b, "null");
    ks_buf_puts(b, ",\n  \"first_attempt\": ");
    json_time(b, e->found ? e->attempt_ns : 0);
    ks_buf_puts(b, ",\n  \"confidence\": ");
    ks_inv_json_str(b, ks_confidence_name(e->confidence));
    ks_buf_puts(b, ",\n  \"reason\": ");
    ks_inv_json_str(b, e->reason);
    ks_buf_puts(b, ",\n  \"host\": ");
    ks_inv_json_str(b, e->host);
    ks_buf_puts(b, ",\n  \"account\": ");
    ks_inv_json_str(b, e->user);
    ks_buf_puts(b, ",\n  \"src_ip\": ");
    ks_inv_json_str(b, e->src_ip);
    ks_buf_puts(b, ",\n  \"evidence\": ");
    if (e->file) {
        ks_buf_puts(b, "{\"file\": ");
        ks_inv_json_str(b, e->file);
        ks_buf_puts(b, ", \"record_id\": ");
        ks_buf_u64(b, e->record_id);
        ks_buf_putc(b, '}');
    } else {
        ks_buf_puts(b, "null");
    }
    ks_buf_printf(b, ",\n  \"maybe_earlier\": %s", e->maybe_earlier ? "true" : "false");
    ks_buf_puts(b, ",\n  \"earlier_why\": ");
    ks_inv_json_str(b, e->earlier_why);
    ks_buf_puts(b, ",\n  \"zone\": ");
    ks_inv_json_str(b, inv->zone);
    ks_buf_printf(b,
                  ",\n  \"events\": %llu, \"files\": %zu, \"files_failed\": %u, "
                  "\"findings\": %zu, \"findings_not_kept\": %llu,",
                  (unsigned long long)inv->events, inv->nfiles, inv->files_failed, inv->nfindings,
                  (unsigned long long)inv->findings_dropped);
    ks_buf_puts(b, "\n  \"chains\": [");
    for (size_t i = 0; i < inv->nchains; i++) {
        const ks_chain *c = &inv->chains[i];
        ks_buf_printf(b, "%s\n    {\"id\": %zu, \"entry\": ", i ? "," : "", i + 1);
        json_time(b, c->has_entry ? c->entry_ns : 0);
        ks_buf_puts(b, ", \"first\": ");
        json_time(b, c->first_ns);
        ks_buf_puts(b, ", \"last\": ");
        json_time(b, c->last_ns);
        ks_buf_printf(b, ", \"strong\": %s, \"account\": ", c->strong ? "true" : "false");
        ks_inv_json_str(b, c->account);
        ks_buf_puts(b, ", \"src_ip\": ");
        ks_inv_json_str(b, c->src_ip);
        ks_buf_puts(b, ", \"entry_host\": ");
        ks_inv_json_str(b, c->entry_host);
        if (c->via_ip[0]) { /* a VPN entry: the address it gave, the account used from it */
            ks_buf_puts(b, ", \"vpn_address\": ");
            ks_inv_json_str(b, c->via_ip);
            ks_buf_puts(b, ", \"vpn_windows_account\": ");
            ks_inv_json_str(b, c->via_account);
        }
        ks_buf_puts(b, ", \"severity\": ");
        ks_inv_json_str(b, ks_level_name(c->severity));
        ks_buf_puts(b, ", \"stages\": [");
        int first = 1;
        for (int s = 0; s < KS_STAGE_COUNT; s++)
            if (c->stages & (1u << s)) {
                if (!first) ks_buf_putc(b, ',');
                first = 0;
                ks_inv_json_str(b, ks_stage_name((ks_stage)s));
            }
        ks_buf_printf(b, "], \"steps_dropped\": %llu, \"steps\": [",
                      (unsigned long long)c->steps_dropped);
        for (size_t k = 0; k < c->nsteps; k++) {
            const ks_step *s = &c->steps[k];
            ks_buf_puts(b, k ? ",\n      {\"time\": " : "\n      {\"time\": ");
            json_time(b, s->time_ns);
            ks_buf_puts(b, ", \"stage\": ");
            ks_inv_json_str(b, ks_stage_name(s->stage));
            ks_buf_puts(b, ", \"kind\": ");
            ks_inv_json_str(b, s->kind);
            ks_buf_puts(b, ", \"host\": ");
            ks_inv_json_str(b, s->host);
            ks_buf_puts(b, ", \"user\": ");
            ks_inv_json_str(b, s->user);
            ks_buf_puts(b, ", \"src_ip\": ");
            ks_inv_json_str(b, s->src_ip);
            ks_buf_puts(b, ", \"what\": ");
            ks_inv_json_str(b, s->what);
            ks_buf_puts(b, ", \"file\": ");
            ks_inv_json_str(b, s->file);
            ks_buf_printf(b, ", \"record_id\": %llu}", (unsigned long long)s->record_id);
        }
        ks_buf_puts(b, "]}");
    }
    ks_buf_puts(b, "\n  ],\n  \"coverage\": [");
    for (size_t i = 0; i < inv->ncoverage; i++) {
        const ks_coverage *c = &inv->coverage[i];
        ks_buf_puts(b, i ? ",\n    {\"host\": " : "\n    {\"host\": ");
        ks_inv_json_str(b, c->host);
        ks_buf_puts(b, ", \"log\": ");
        ks_inv_json_str(b, c->channel);
        ks_buf_printf(b, ", \"events\": %llu, \"first\": ", (unsigned long long)c->events);
        json_time(b, c->events ? c->first_ns : 0);
        ks_buf_puts(b, ", \"last\": ");
        json_time(b, c->events ? c->last_ns : 0);
        ks_buf_puts(b, ", \"longest_gap\": [");
        json_time(b, c->gap_to > c->gap_from ? c->gap_from : 0);
        ks_buf_putc(b, ',');
        json_time(b, c->gap_to > c->gap_from ? c->gap_to : 0);
        ks_buf_puts(b, "], \"cleared\": ");
        json_time(b, c->cleared_ns);
        ks_buf_puts(b, ", \"cleared_by\": ");
        ks_inv_json_str(b, c->cleared_by);
        ks_buf_putc(b, '}');
    }
    ks_buf_puts(b, "\n  ]\n}\n");
}

ks_status ks_investigate_write(const ks_investigation *inv, const char *dir, ks_diag *diag)
{
    ks_status st = ks_report_mkdir(dir, diag);
    if (st) return st;
    ks_buf b = {0};
    for (size_t i = 0; i < inv->nfindings; i++) {
        finding_json(&b, inv, i);
        ks_buf_putc(&b, '\n');
    }
    st = write_file(dir, "findings.jsonl", &b, diag);
    if (!st) {
        ks_buf_reset(&b);
        timeline_csv(&b, inv);
        st = write_file(dir, "timeline.csv", &b, diag);
    }
    if (!st) {
        ks_buf_reset(&b);
        ks_investigate_summary_json(&b, inv);
        st = write_file(dir, "summary.json", &b, diag);
    }
    ks_buf_free(&b);
    if (st) return st;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/report.html", dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return ks_diag_set(diag, KS_ERR_ARG, dir, 0, "folder name too long");
    st = ks_investigate_write_html(inv, path, diag);
    if (st && diag) diag->file = dir; /* path is ours, and gone on return */
    return st;
}
