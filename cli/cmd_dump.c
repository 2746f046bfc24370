/* kensa dump: every record of .evtx files, as JSON lines or Event XML. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "kensa/kensa.h"
#include "kensa/site.h"

static const char help_en[] =
    "usage: kensa dump FILE|DIR... [--format jsonl|events|csv|xml] [--tz ZONE] [--year YYYY]\n"
    "                  [--threads N] [--strict] [-o OUT]\n"
    "\n"
    "Prints every event of the evidence given, in file order. kensa reads Windows event\n"
    "logs (.evtx), their exports (Event XML from wevtutil, PowerShell or Event Viewer;\n"
    "CSV from Event Viewer or LogParser, in UTF-8, UTF-16 or Shift_JIS), JSON lines\n"
    "(kensa, evtx_dump, Winlogbeat, Wazuh) and VPN / firewall syslog (FortiGate, Cisco,\n"
    "Palo Alto, SonicWall, Pulse Secure, OpenVPN, YAMAHA RTX). Formats are recognized\n"
    "by content, not by name; directories are searched, and files kensa cannot read\n"
    "are named with the reason. Evidence files are only read, never changed.\n"
    "\n"
    "Output: EVTX records as JSON in the evtx_dump shape (jq scripts keep working) or\n"
    "as Event XML; every other source as normalized events, one JSON object per line\n"
    "with the fields investigations use (user, src_ip, logon_type, outcome, ...).\n"
    "\n"
    "Damaged files are read as far as they can be: each record or line that cannot be\n"
    "read is reported on stderr with the file and byte offset or line, and a summary\n"
    "per file says how many were read and skipped, and what had to be assumed.\n"
    "\n"
    "options:\n"
    "  --format jsonl      EVTX in the evtx_dump shape, others as events (default)\n"
    "  --format events     every source as normalized events\n"
    "  --format csv        every source as LogParser's CSV (Strings joined with '|';\n"
    "                      times in the --tz zone)\n"
    "  --format xml        EVTX as Event XML (EVTX files only)\n"
    "  --tz ZONE           zone of times written without one (syslog, CSV): Asia/Tokyo,\n"
    "                      +09:00, UTC (default: this machine's zone)\n"
    "  --site FILE         take the zone from the hospital's site.yaml\n"
    "  --year YYYY         year of syslog lines that carry none (default: from the\n"
    "                      file's date and its lines)\n"
    "  --threads N         EVTX chunks decoded in parallel (default: number of CPUs)\n"
    "  --strict            also count warnings (checksum mismatches) as damage\n"
    "  -o FILE             write to FILE instead of standard output\n"
    "  -q, --quiet         no progress line and no per-file summary\n"
    "\n"
    "exit status: 0 everything read; 1 something was skipped or damaged (see stderr);\n"
    "2 bad arguments; 3 the output could not be written.\n"
    "\n"
    "examples:\n"
    "  kensa dump Security.evtx | jq 'select(.Event.System.EventID == 4625)'\n"
    "  kensa dump --tz Asia/Tokyo vpn.log | jq 'select(.outcome == \"failure\")'\n"
    "  kensa dump --format events collected/ -o all-events.jsonl\n";

static const char help_ja[] =
    "使い方: kensa dump ファイル|フォルダ... [--format jsonl|events|csv|xml] [--tz ゾーン]\n"
    "                  [--year 年] [--threads N] [--strict] [-o 出力]\n"
    "\n"
    "指定した証拠のイベントをすべてファイルの順に出力します。読める形式: Windows イベント\n"
    "ログ (.evtx)、そのエクスポート (wevtutil・PowerShell・イベントビューアーの Event XML、\n"
    "イベントビューアー・LogParser の CSV。UTF-8・UTF-16・Shift_JIS)、JSON lines (kensa、\n"
    "evtx_dump、Winlogbeat、Wazuh)、VPN・ファイアウォールの syslog (FortiGate、Cisco、\n"
    "Palo Alto、SonicWall、Pulse Secure、OpenVPN、YAMAHA RTX)。形式は名前ではなく中身で\n"
    "見分けます。フォルダは中を探し、読めないファイルは理由とともに示します。証拠の\n"
    "ファイルは読むだけで、変更しません。\n"
    "\n"
    "出力: EVTX のレコードは evtx_dump と同じ形の JSON (jq のスクリプトがそのまま使えます)\n"
    "または Event XML。その他は正規化したイベントを 1 行に 1 つの JSON で出力します\n"
    "(user、src_ip、logon_type、outcome など調査に使う項目つき)。\n"
    "\n"
    "壊れたファイルも読める所まで読みます。読めないレコードや行はファイル名とバイト位置\n"
    "または行番号を添えて標準エラーに報告し、ファイルごとに読めた件数、スキップした件数、\n"
    "推定した内容を示します。\n"
    "\n"
    "オプション:\n"
    "  --format jsonl      EVTX は evtx_dump の形、その他はイベント (既定)\n"
    "  --format events     すべてを正規化したイベントで出力\n"
    "  --format csv        すべてを LogParser と同じ CSV で出力 (Strings は '|' 区切り、\n"
    "                      時刻は --tz のタイムゾーン)\n"
    "  --format xml        EVTX を Event XML で出力 (EVTX のみ)\n"
    "  --tz ゾーン         時差の書かれていない時刻 (syslog、CSV) のタイムゾーン:\n"
    "                      Asia/Tokyo、+09:00、UTC (既定はこのマシンの設定)\n"
    "  --site ファイル     病院の site.yaml のタイムゾーンを使う\n"
    "  --year 年           年の書かれていない syslog の年 (既定はファイルの日付と内容から)\n"
    "  --threads N         EVTX を並列に処理するスレッド数 (既定は CPU の数)\n"
    "  --strict            警告 (チェックサム不一致) も損傷として数える\n"
    "  -o ファイル         標準出力の代わりにファイルへ書く\n"
    "  -q, --quiet         進捗表示とファイルごとの集計を出さない\n"
    "\n"
    "終了コード: 0 すべて読めた、1 スキップや損傷があった (標準エラーを参照)、\n"
    "2 引数の誤り、3 出力を書けなかった。\n"
    "\n"
    "例:\n"
    "  kensa dump Security.evtx | jq 'select(.Event.System.EventID == 4625)'\n"
    "  kensa dump --tz Asia/Tokyo vpn.log | jq 'select(.outcome == \"failure\")'\n"
    "  kensa dump --format events collected/ -o all-events.jsonl\n";

typedef struct run {
    int strict, quiet, tty;
    unsigned long long errors, warnings;
    const char *file;
    struct timespec last;
} run;

static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    run *r = ctx;
    if (p->severity == KS_EVTX_ERROR)
        r->errors++;
    else
        r->warnings++;
    char chunk[16];
    if (p->chunk == UINT32_MAX)
        snprintf(chunk, sizeof chunk, "-");
    else
        snprintf(chunk, sizeof chunk, "%u", p->chunk);
    if (r->tty && !r->quiet) fputs("\r\033[K", stderr);
    fprintf(stderr,
            ks_msg(p->severity == KS_EVTX_ERROR ? KS_MSG_PROBLEM_ERROR : KS_MSG_PROBLEM_WARN),
            p->file, (unsigned long long)p->offset, chunk, p->what);
}

static void on_progress(void *ctx, uint32_t done, uint32_t total)
{
    run *r = ctx;
    if (!r->tty || r->quiet || total < 64) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - r->last.tv_sec) + (now.tv_nsec - r->last.tv_nsec) / 1e9;
    if (dt < 0.25 && done != total) return;
    r->last = now;
    fprintf(stderr, ks_msg(KS_MSG_PROGRESS), r->file, (unsigned)(100ull * done / total), done,
            total);
    if (done == total) fputs("\r\033[K", stderr);
}

typedef struct list {
    char **v;
    ks_format *f;
    size_t n, cap;
} list;

static int push(list *l, const char *s, ks_format f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v) l->v = v;
        ks_format *fv = realloc(l->f, cap * sizeof *fv);
        if (fv) l->f = fv;
        if (!v || !fv) return -1;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s))) return -1;
    l->f[l->n++] = f;
    return 0;
}

typedef struct found {
    list *files;
    unsigned unreadable;
    int quiet;
} found;

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    found *w = ctx;
    if (f != KS_FORMAT_UNKNOWN) {
        push(w->files, path, f);
        return;
    }
    w->unreadable++;
    if (!w->quiet) fprintf(stderr, ks_msg(KS_MSG_SKIPPED_FILE), path, why);
}

/* Problems of text sources: the first few per file are shown with their line. */
#define KS_SHOW_PROBLEMS 10

typedef struct text_run {
    run *r;
    unsigned long long shown, hidden;
} text_run;

static void on_source_problem(void *ctx, const ks_problem *p)
{
    text_run *t = ctx;
    if (!p->line) { /* an EVTX problem, or one about the whole file */
        ks_evtx_problem e = {p->file,
                             UINT32_MAX,
                             p->offset,
                             p->record_id,
                             p->severity == KS_SEV_ERROR ? KS_EVTX_ERROR : KS_EVTX_WARNING,
                             p->status,
                             p->what};
        on_problem(t->r, &e);
        return;
    }
    if (p->severity == KS_SEV_ERROR)
        t->r->errors++;
    else
        t->r->warnings++;
    if (t->r->quiet || t->shown >= KS_SHOW_PROBLEMS) {
        t->hidden++;
        return;
    }
    t->shown++;
    int n = p->excerpt_len > 120 ? 120 : (int)p->excerpt_len;
    fprintf(stderr, ks_msg(KS_MSG_PROBLEM_LINE), p->file, (unsigned long long)p->line, p->what,
            p->excerpt ? n : 0, p->excerpt ? p->excerpt : "");
}

/* Any source as normalized events (one JSON object per line) or LogParser CSV. */
static int dump_events(const char *path, ks_format f, const ks_source_opts *base, int csv,
                       FILE *out, run *r, unsigned long long *events, unsigned long long *skipped,
                       int *damaged)
{
    text_run t = {r, 0, 0};
    ks_source_opts o = *base;
    o.format = f;
    o.on_problem = on_source_problem;
    o.ctx = &t;
    ks_diag d = {0};
    ks_source *s = NULL;
    if (ks_source_open(&s, path, &o, &d) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), path, d.what);
        return -1;
    }
    const char *fmt = ks_format_name(ks_source_format(s));
    ks_buf b = {0};
    const ks_event *ev;
    int io_failed = 0;
    ks_status st;
    while ((st = ks_source_next(s, &ev)) == KS_OK && ev) {
        ks_buf_reset(&b);
        if (csv)
            ks_csv_write_event_tz(&b, ev, base->tz);
        else
            ks_event_write_json(&b, ev, path, fmt);
        if (!b.failed && fwrite(b.data, 1, b.len, out) != b.len) io_failed = 1;
    }
    if (st != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), path, ks_status_str(st));
        *damaged = 1;
    }
    const ks_source_stats *ss = ks_source_get_stats(s);
    *events += ss->events;
    *skipped += ss->skipped;
    if (ss->skipped || ss->chunks_bad) *damaged = 1;
    if (!r->quiet && t.hidden) fprintf(stderr, ks_msg(KS_MSG_MORE_PROBLEMS), path, t.hidden);
    if (!r->quiet && f == KS_FORMAT_EVTX) {
        fprintf(stderr, ks_msg(KS_MSG_EVENTS_SUMMARY), path, (unsigned long long)ss->events,
                (unsigned long long)ss->skipped);
    } else if (!r->quiet) {
        fprintf(stderr, ks_msg(KS_MSG_SOURCE_SUMMARY), path, (unsigned long long)ss->events, fmt,
                ks_encoding_name(ks_source_encoding(s)), (unsigned long long)ss->skipped,
                (unsigned long long)ss->unrecognized, (unsigned long long)ss->ignored);
        if (ss->assumed[0]) fprintf(stderr, ks_msg(KS_MSG_ASSUMED), path, ss->assumed);
    }
    ks_buf_free(&b);
    ks_source_close(&s);
    return io_failed ? -2 : 0;
}

int cmd_dump(int argc, char **argv)
{
    ks_dump_opts o = {.format = KS_DUMP_JSONL, .out = stdout};
    ks_source_opts so = {0};
    int events_only = 0, csv = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    run r = {.tty = isatty(2)};
    const char *outpath = NULL;
    list inputs = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            return KS_EXIT_OK;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            a = argv[++i];
            if (strcmp(a, "jsonl") == 0 || strcmp(a, "json") == 0)
                o.format = KS_DUMP_JSONL;
            else if (strcmp(a, "xml") == 0)
                o.format = KS_DUMP_XML;
            else if (strcmp(a, "events") == 0)
                events_only = 1;
            else if (strcmp(a, "csv") == 0)
                events_only = csv = 1;
            else {
                fprintf(stderr, "--format: jsonl, events, csv or xml\n");
                return KS_EXIT_USAGE;
            }
        } else if (strcmp(a, "--tz") == 0 && i + 1 < argc) {
            so.tz = argv[++i];
        } else if (strcmp(a, "--site") == 0 && i + 1 < argc) {
            /* only the zone: --tz wins wherever it is */
            static char site_tz[128];
            ks_site *site = NULL;
            ks_diag sd = {0};
            if (ks_site_load(&site, argv[++i], &sd) != KS_OK) {
                fprintf(stderr, ks_msg(KS_MSG_INV_SITE), sd.what);
                return KS_EXIT_USAGE;
            }
            if (site->tz && !so.tz) {
                snprintf(site_tz, sizeof site_tz, "%.127s", site->tz);
                so.tz = site_tz;
            }
            ks_site_free(&site);
        } else if (strcmp(a, "--year") == 0 && i + 1 < argc) {
            if (cli_year(argv[++i], &so.year) != 0) {
                return KS_EXIT_USAGE;
            }
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 64) {
                fprintf(stderr, "--threads: a number from 1 to 64\n");
                return KS_EXIT_USAGE;
            }
            o.threads = (int)t;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            outpath = argv[++i];
        } else if (strcmp(a, "--strict") == 0) {
            r.strict = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            r.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            return KS_EXIT_USAGE;
        } else {
            push(&inputs, a, KS_FORMAT_UNKNOWN);
        }
    }
    if (!inputs.n) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stderr);
        return KS_EXIT_USAGE;
    }
    list files = {0};
    found w = {&files, 0, r.quiet};
    unsigned failed = 0;
    for (size_t i = 0; i < inputs.n; i++) {
        size_t before = files.n;
        unsigned unreadable = w.unreadable;
        ks_diag d = {0};
        if (ks_evidence_walk(inputs.v[i], on_file, &w, &d) != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), inputs.v[i], d.what);
            failed++;
        } else if (files.n == before) {
            if (w.unreadable == unreadable)
                fprintf(stderr, ks_msg(KS_MSG_NOTHING_FOUND), inputs.v[i]);
            failed++;
        }
    }
    if (outpath && !(o.out = fopen(outpath, "wb"))) {
        perror(outpath);
        return KS_EXIT_FAIL;
    }
    setvbuf(o.out, NULL, _IOFBF, 1 << 20);
    o.on_problem = on_problem;
    o.problem_ctx = &r;
    o.on_progress = on_progress;
    o.progress_ctx = &r;
    if (csv) {
        ks_buf h = {0};
        ks_csv_write_header(&h);
        if (!h.failed) fwrite(h.data, 1, h.len, o.out);
        ks_buf_free(&h);
    }
    if (o.format == KS_DUMP_XML)
        fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n", o.out);
    unsigned long long records = 0, skipped = 0;
    int io_failed = 0, damaged = 0;
    for (size_t i = 0; i < files.n; i++) {
        if (files.f[i] != KS_FORMAT_EVTX || events_only) {
            if (o.format == KS_DUMP_XML) {
                fprintf(stderr, ks_msg(KS_MSG_XML_ONLY_EVTX), files.v[i],
                        ks_format_name(files.f[i]));
                failed++;
                continue;
            }
            r.file = files.v[i];
            int rc = dump_events(files.v[i], files.f[i], &so, csv, o.out, &r, &records, &skipped,
                                 &damaged);
            if (rc == -1) failed++;
            if (rc == -2) io_failed = 1;
            continue;
        }
        ks_diag d = {0};
        ks_evtx *ev = NULL;
        if (ks_evtx_open(&ev, files.v[i], &d) != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), files.v[i], d.what);
            failed++;
            continue;
        }
        r.file = files.v[i];
        ks_evtx_stats s;
        unsigned long long errors_before = r.errors, warnings_before = r.warnings;
        if (ks_evtx_dump(ev, &o, &s) != KS_OK) io_failed = 1;
        ks_evtx_close(&ev);
        records += s.records;
        skipped += s.records_skipped;
        if (r.errors > errors_before || s.records_skipped || s.chunks_bad) damaged = 1;
        if (r.strict && r.warnings > warnings_before) damaged = 1;
        if (!r.quiet)
            fprintf(stderr, ks_msg(KS_MSG_FILE_SUMMARY), files.v[i], (unsigned long long)s.records,
                    (unsigned long long)s.records_recovered, (unsigned long long)s.records_skipped,
                    s.chunks, s.chunks_bad, s.chunks_crc, s.chunks_empty);
    }
    if (o.format == KS_DUMP_XML) fputs("</Events>\n", o.out);
    if (fflush(o.out) != 0 || ferror(o.out)) io_failed = 1;
    if (outpath && fclose(o.out) != 0) io_failed = 1;
    if (!r.quiet && files.n > 1)
        fprintf(stderr, ks_msg(KS_MSG_TOTAL_SUMMARY), (unsigned)files.n, records, skipped, failed);
    for (size_t i = 0; i < inputs.n; i++) free(inputs.v[i]);
    for (size_t i = 0; i < files.n; i++) free(files.v[i]);
    free(inputs.v);
    free(inputs.f);
    free(files.v);
    free(files.f);
    if (io_failed) return KS_EXIT_FAIL;
    return damaged || failed ? KS_EXIT_PARTIAL : KS_EXIT_OK;
}
