/* kensa ingest: evidence files and folders into a case (CASE.kensa), with their
 * chain of custody; a summary per file and in total. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "kensa/kensa.h"

static const char help_en[] =
    "usage: kensa ingest --case CASE.kensa EVIDENCE... [--tz ZONE] [--year YYYY] [-q]\n"
    "\n"
    "Adds the events of the evidence given (files, or folders searched for them) to a\n"
    "case: one SQLite file to query with `kensa query`. Every format `kensa dump` reads\n"
    "is taken; files kensa cannot read are named with the reason and skipped.\n"
    "\n"
    "Evidence is opened read-only and never changed. Each file is recorded with its\n"
    "SHA-256, size, path, format, time range and how many events were read and\n"
    "skipped (table `evidence`); the hash is checked again at the end, and a file that\n"
    "changed while it was read is reported.\n"
    "\n"
    "An event seen in several files (a copy, a shadow copy, an export of the same log)\n"
    "is stored once, linked to every file (table `event_sources`). Ingesting a file\n"
    "again adds nothing. An ingest that was interrupted (power cut, Ctrl-C, kill)\n"
    "leaves the file marked incomplete; run the same command again to complete it.\n"
    "Another `kensa query` can read the case while an ingest runs.\n"
    "\n"
    "options:\n"
    "  --case FILE         the case (created if missing)\n"
    "  --tz ZONE           zone of times written without one (syslog, CSV): Asia/Tokyo,\n"
    "                      +09:00, UTC (default: this machine's zone)\n"
    "  --year YYYY         year of syslog lines that carry none (default: from the\n"
    "                      file's date and its lines)\n"
    "  -q, --quiet         no progress line and no per-file summary\n"
    "\n"
    "exit status: 0 everything read; 1 something was skipped, damaged or changed (see\n"
    "stderr); 2 bad arguments; 3 the case could not be opened or written.\n"
    "\n"
    "examples:\n"
    "  kensa ingest --case incident.kensa collected/\n"
    "  kensa ingest --case incident.kensa --tz Asia/Tokyo vpn.log Security.evtx\n"
    "  kensa query --case incident.kensa \"SELECT count(*) FROM events\"\n";

static const char help_ja[] =
    "使い方: kensa ingest --case ケース.kensa 証拠... [--tz ゾーン] [--year 年] [-q]\n"
    "\n"
    "指定した証拠 (ファイル、またはフォルダの中のファイル) のイベントをケースに\n"
    "取り込みます。ケースは 1 つの SQLite ファイルで、`kensa query` で検索できます。\n"
    "`kensa dump` が読める形式はすべて取り込み、読めないファイルは理由を示して\n"
    "スキップします。\n"
    "\n"
    "証拠は読み取り専用で開き、変更しません。ファイルごとに SHA-256、サイズ、パス、\n"
    "形式、期間、読めた件数とスキップした件数を記録します (evidence テーブル)。最後に\n"
    "ハッシュをもう一度計算し、読み込み中に変更されたファイルがあれば知らせます。\n"
    "\n"
    "複数のファイルにある同じイベント (コピー、シャドウコピー、同じログのエクスポート)\n"
    "は 1 件だけ保存し、すべてのファイルと結び付けます (event_sources テーブル)。同じ\n"
    "ファイルをもう一度取り込んでも何も増えません。取り込みが中断された場合 (停電、\n"
    "Ctrl-C、kill) そのファイルは未完了として残ります。同じコマンドをもう一度実行すると\n"
    "完了します。取り込み中でも別の `kensa query` でケースを検索できます。\n"
    "\n"
    "オプション:\n"
    "  --case ファイル     ケース (なければ作成)\n"
    "  --tz ゾーン         時差の書かれていない時刻 (syslog、CSV) のタイムゾーン:\n"
    "                      Asia/Tokyo、+09:00、UTC (既定はこのマシンの設定)\n"
    "  --year 年           年の書かれていない syslog の年 (既定はファイルの日付と内容から)\n"
    "  -q, --quiet         進捗表示とファイルごとの集計を出さない\n"
    "\n"
    "終了コード: 0 すべて読めた、1 スキップ・損傷・変更があった (標準エラーを参照)、\n"
    "2 引数の誤り、3 ケースを開けない・書けない。\n"
    "\n"
    "例:\n"
    "  kensa ingest --case incident.kensa collected/\n"
    "  kensa ingest --case incident.kensa --tz Asia/Tokyo vpn.log Security.evtx\n"
    "  kensa query --case incident.kensa \"SELECT count(*) FROM events\"\n";

/* Problems of one file: the first few are shown. */
#define KS_SHOW_PROBLEMS 10

typedef struct run {
    int quiet, tty;
    unsigned long long shown, hidden, errors;
    struct timespec last;
} run;

static void on_problem(void *ctx, const ks_problem *p)
{
    run *r = ctx;
    if (p->severity == KS_SEV_ERROR) r->errors++;
    if (r->quiet || r->shown >= KS_SHOW_PROBLEMS) {
        r->hidden++;
        return;
    }
    r->shown++;
    if (r->tty) fputs("\r\033[K", stderr);
    if (p->line) {
        int n = p->excerpt_len > 120 ? 120 : (int)p->excerpt_len;
        fprintf(stderr, ks_msg(KS_MSG_PROBLEM_LINE), p->file, (unsigned long long)p->line, p->what,
                p->excerpt ? n : 0, p->excerpt ? p->excerpt : "");
    } else {
        fprintf(stderr,
                ks_msg(p->severity == KS_SEV_ERROR ? KS_MSG_PROBLEM_ERROR : KS_MSG_PROBLEM_WARN),
                p->file, (unsigned long long)p->offset, "-", p->what);
    }
}

static void on_progress(void *ctx, const char *path, ks_ingest_phase phase, uint64_t done,
                        uint64_t size, uint64_t events)
{
    run *r = ctx;
    if (!r->tty || r->quiet) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - r->last.tv_sec) + (now.tv_nsec - r->last.tv_nsec) / 1e9;
    if (dt < 0.25 && done < size) return;
    r->last = now;
    unsigned pct =
        size ? (unsigned)(100.0 * (double)(done > size ? size : done) / (double)size) : 100;
    if (phase == KS_PHASE_READ)
        fprintf(stderr, ks_msg(KS_MSG_INGEST_PROGRESS), path, pct, (unsigned long long)events);
    else
        fprintf(stderr, ks_msg(KS_MSG_INGEST_HASHING), path, pct);
    if (done >= size) fputs("\r\033[K", stderr);
}

typedef struct list {
    char **v;
    size_t n, cap;
    unsigned unreadable;
    int quiet;
} list;

static int push(list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s))) return -1;
    l->n++;
    return 0;
}

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    list *l = ctx;
    if (f != KS_FORMAT_UNKNOWN) {
        if (push(l, path) != 0) l->unreadable++;
        return;
    }
    l->unreadable++;
    if (!l->quiet) fprintf(stderr, ks_msg(KS_MSG_SKIPPED_FILE), path, why);
}

static void free_list(list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
}

int cmd_ingest(int argc, char **argv)
{
    const char *case_path = NULL;
    ks_ingest_opts o = {0};
    run r = {.tty = isatty(2)};
    list inputs = {0}, files = {0};
    int rc = KS_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            goto out;
        } else if (strcmp(a, "--case") == 0 && i + 1 < argc) {
            case_path = argv[++i];
        } else if (strcmp(a, "--tz") == 0 && i + 1 < argc) {
            o.tz = argv[++i];
        } else if (strcmp(a, "--year") == 0 && i + 1 < argc) {
            if (cli_year(argv[++i], &o.year) != 0) {
                rc = KS_EXIT_USAGE;
                goto out;
            }
        } else if (strcmp(a, "--batch") == 0 && i + 1 < argc) { /* tests, benchmarks */
            char *end;
            long b = strtol(argv[++i], &end, 10);
            if (*end || b < 1 || b > 10000000) {
                fprintf(stderr, "--batch: a number from 1 to 10000000\n");
                rc = KS_EXIT_USAGE;
                goto out;
            }
            o.batch = (uint32_t)b;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            r.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            rc = KS_EXIT_USAGE;
            goto out;
        } else if (push(&inputs, a) != 0) {
            rc = KS_EXIT_FAIL;
            goto out;
        }
    }
    if (!case_path || !inputs.n) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stderr);
        rc = KS_EXIT_USAGE;
        goto out;
    }

    files.quiet = r.quiet;
    unsigned failed = 0;
    for (size_t i = 0; i < inputs.n; i++) {
        size_t before = files.n;
        unsigned unreadable = files.unreadable;
        ks_diag d = {0};
        if (ks_evidence_walk(inputs.v[i], on_file, &files, &d) != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), inputs.v[i], d.what);
            failed++;
        } else if (files.n == before) {
            if (files.unreadable == unreadable)
                fprintf(stderr, ks_msg(KS_MSG_NOTHING_FOUND), inputs.v[i]);
            failed++;
        }
    }
    /* files of no known format were named above; like `kensa dump`, they are not
     * failures unless nothing else was found (a folder holds READMEs and the like) */

    ks_case *c = NULL;
    ks_diag d = {0};
    if (ks_case_open(&c, case_path, &d) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), case_path, d.what);
        rc = KS_EXIT_FAIL;
        goto out;
    }
    o.on_problem = on_problem;
    o.on_progress = on_progress;
    o.ctx = &r;
    unsigned long long events = 0, added = 0, dups = 0, skipped = 0;
    int damaged = 0, case_failed = 0;
    for (size_t i = 0; i < files.n && !case_failed; i++) {
        ks_ingest_stats s;
        r.shown = r.hidden = r.errors = 0;
        memset(&d, 0, sizeof d);
        ks_status st = ks_case_ingest(c, files.v[i], &o, &s, &d);
        if (r.tty && !r.quiet) fputs("\r\033[K", stderr);
        if (!r.quiet && r.hidden)
            fprintf(stderr, ks_msg(KS_MSG_MORE_PROBLEMS), files.v[i], r.hidden);
        if (st != KS_OK && s.evidence_id == 0) {
            /* nothing recorded: not readable, or the case could not be written */
            if (s.case_failed) {
                fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), case_path, d.what);
                case_failed = 1;
            } else {
                fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), files.v[i], d.what);
            }
            failed++;
            continue;
        }
        if (st != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), files.v[i], d.what);
            if (s.case_failed) case_failed = 1;
            damaged = 1;
        }
        if (s.already) {
            if (!r.quiet) fprintf(stderr, ks_msg(KS_MSG_INGEST_ALREADY), files.v[i], s.sha256);
            events += s.events;
            dups += s.events;
            continue;
        }
        if (s.resumed && !r.quiet) fprintf(stderr, ks_msg(KS_MSG_INGEST_RESUMED), files.v[i]);
        if (s.changed) {
            fprintf(stderr, ks_msg(KS_MSG_INGEST_CHANGED), files.v[i], s.sha256);
            damaged = 1;
        }
        events += s.events;
        added += s.added;
        dups += s.duplicates;
        skipped += s.skipped;
        if (s.skipped || s.chunks_bad) damaged = 1;
        if (!r.quiet) {
            fprintf(stderr, ks_msg(KS_MSG_INGEST_SUMMARY), files.v[i], (unsigned long long)s.events,
                    (unsigned long long)s.added, (unsigned long long)s.duplicates,
                    (unsigned long long)s.skipped, ks_format_name(s.format), s.sha256);
            if (s.assumed[0]) fprintf(stderr, ks_msg(KS_MSG_ASSUMED), files.v[i], s.assumed);
        }
    }
    if (!r.quiet) {
        if (files.n > 1)
            fprintf(stderr, ks_msg(KS_MSG_INGEST_TOTAL), (unsigned)files.n, events, added, dups,
                    skipped, failed);
        ks_case_counts n;
        if (ks_case_counts_get(c, &n, &d) == KS_OK)
            fprintf(stderr, ks_msg(KS_MSG_CASE_TOTAL), case_path, (unsigned long long)n.events,
                    (unsigned long long)n.evidence, (unsigned long long)n.incomplete);
    }
    ks_case_close(&c);
    rc = case_failed ? KS_EXIT_FAIL : damaged || failed ? KS_EXIT_PARTIAL : KS_EXIT_OK;
out:
    free_list(&inputs);
    free_list(&files);
    return rc;
}
