/* kensa hunt: run the built-in detectors over evidence files and folders and print
 * the findings (table, JSON lines or CSV), oldest first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kensa/case.h"
#include "kensa/detect.h"
#include "kensa/kensa.h"
#include "kensa/sigma.h"
#include "kensa/site.h"

static const char help_en[] =
    "usage: kensa hunt FILE|DIR... [--format table|jsonl|csv] [--tz ZONE] [--year YYYY]\n"
    "                  [--set DETECTOR.SETTING=VALUE]... [--rules DIR]... [--strict]\n"
    "                  [--case CASE] [--list] [-o OUT] [-q]\n"
    "\n"
    "Looks for the signs of a ransomware intrusion in the evidence given (every format\n"
    "`kensa dump` reads): password guessing, password spraying, a logon right after\n"
    "many failures, remote desktop logons from outside or at night, logons at an\n"
    "account's unusual hours, cleared or stopped event logs, services and scheduled\n"
    "tasks installed, accounts created or added to groups, shadow copies and backups\n"
    "deleted, passwords dumped, security tools turned off, traces wiped, remote\n"
    "access tools and attacker tools, mass encryption, and on the medical-record\n"
    "terminals the site file names, USB storage and Office or mail starting a shell.\n"
    "`kensa hunt --list` shows them all.\n"
    "Each finding names its detector, categories, severity, host, account, source\n"
    "address, first and last time, a one-line explanation, and the events that prove\n"
    "it (file and record number). Times come from the events, never from this machine.\n"
    "\n"
    "Each file is read on its own: a burst of failures is counted within one log.\n"
    "\n"
    "options:\n"
    "  --format table      one block per finding, for reading (default)\n"
    "  --format jsonl      one JSON object per finding (categories, detector, severity,\n"
    "                      host, user, src_ip, first, last, explanation, evidence, count)\n"
    "  --format csv        one row per finding\n"
    "  --tz ZONE           zone of business hours and of the times shown, and of syslog\n"
    "                      and CSV times written without one (default: this machine's)\n"
    "  --site FILE         the hospital's site.yaml: zone, business hours, detector\n"
    "                      settings (docs/site.example.yaml)\n"
    "  --year YYYY         year of syslog lines that carry none\n"
    "  --set D.S=V         change a detector's setting, e.g. brute_force.count=10,\n"
    "                      rdp_logon.business_start=7; D.enabled=0 turns D off\n"
    "  --rules PATH        also run the Sigma rules in PATH (a .yml file or a folder);\n"
    "                      their findings have category sigma, the rule's id as\n"
    "                      detector, its title and level. Rules that cannot be loaded\n"
    "                      are listed with the reason\n"
    "  --strict            stop (exit 2) if any Sigma rule cannot be loaded\n"
    "  --case CASE         also keep the findings in the case (CASE.kensa, created if\n"
    "                      missing) for SQL: kensa query --case CASE \"SELECT detector,\n"
    "                      host, first_time FROM findings\"; they replace the previous\n"
    "                      hunt's\n"
    "  --list              list the detectors and their settings, then exit\n"
    "  --lang ja|en        language of the explanations\n"
    "  -o FILE             write to FILE instead of standard output\n"
    "  -q, --quiet         no summary on standard error\n"
    "\n"
    "Findings wait in a temporary file in TMPDIR (default /tmp) until they are printed\n"
    "in time order, so memory stays small however many there are.\n"
    "\n"
    "exit status: 0 everything read; 1 something was skipped or damaged; 2 bad\n"
    "arguments; 3 the output (or the temporary file) could not be written.\n"
    "\n"
    "examples:\n"
    "  kensa hunt collected/\n"
    "  kensa hunt --format jsonl Security.evtx | jq 'select(.severity == \"high\")'\n"
    "  kensa hunt --set brute_force.count=5 --tz Asia/Tokyo vpn.log\n";

static const char help_ja[] =
    "使い方: kensa hunt ファイル|フォルダ... [--format table|jsonl|csv] [--tz ゾーン]\n"
    "                  [--year 年] [--set 検出器.設定=値]... [--rules フォルダ]...\n"
    "                  [--strict] [--case ケース] [--list] [-o 出力] [-q]\n"
    "\n"
    "指定した証拠 (kensa dump が読めるすべての形式) からランサムウェアの侵入の兆候を探します:\n"
    "パスワードの総当たり、パスワードスプレー、多数の失敗の直後のログオン、外部や夜間の\n"
    "リモートデスクトップのログオン、普段と違う時間帯のログオン、イベントログの消去や\n"
    "停止、サービスやタスクの登録、アカウントの作成やグループへの追加、シャドウコピーや\n"
    "バックアップの削除、パスワードの窃取、セキュリティ機能の無効化、痕跡の消去、\n"
    "リモート操作ツールや攻撃者のツール、大量の暗号化、サイトファイルで指定した電子\n"
    "カルテ端末での USB ストレージや Office・メールからのシェル起動 (一覧は kensa hunt\n"
    "--list)。\n"
    "検出ごとに検出器、カテゴリ、重要度、ホスト、アカウント、接続元、最初と\n"
    "最後の時刻、1 行の説明、根拠となるイベント (ファイルとレコード番号) を示します。\n"
    "時刻はイベントに書かれたものを使い、このマシンの時計は使いません。\n"
    "\n"
    "ファイルは 1 つずつ調べます: 連続した失敗は 1 つのログの中で数えます。\n"
    "\n"
    "オプション:\n"
    "  --format table      検出ごとのまとまりで表示 (既定)\n"
    "  --format jsonl      検出ごとに 1 行の JSON (categories、detector、severity、host、\n"
    "                      user、src_ip、first、last、explanation、evidence、count)\n"
    "  --format csv        検出ごとに 1 行の CSV\n"
    "  --tz ゾーン         業務時間と表示する時刻のタイムゾーン。時差の書かれていない\n"
    "                      syslog や CSV の時刻にも使います (既定はこのマシンの設定)\n"
    "  --site ファイル     病院の site.yaml: タイムゾーン、業務時間、検出器の設定\n"
    "                      (docs/site.example.yaml)\n"
    "  --year 年           年の書かれていない syslog の年\n"
    "  --set 検出器.設定=値 検出器の設定を変える。例: brute_force.count=10、\n"
    "                      rdp_logon.business_start=7。検出器.enabled=0 で無効\n"
    "  --rules パス        パス (.yml ファイルまたはフォルダ) の Sigma ルールも実行する。\n"
    "                      検出のカテゴリは sigma、検出器はルールの id で、タイトルと\n"
    "                      レベルを示します。読み込めないルールは理由とともに表示します\n"
    "  --strict            読み込めない Sigma ルールが 1 つでもあれば中止 (終了コード 2)\n"
    "  --case ケース       検出結果をケース (ケース.kensa、なければ作成) にも保存し SQL\n"
    "                      で調べられるようにする: kensa query --case ケース \"SELECT\n"
    "                      detector, host, first_time FROM findings\"。前回の hunt の\n"
    "                      結果は置き換える\n"
    "  --list              検出器と設定の一覧を表示して終了\n"
    "  --lang ja|en        説明の言語\n"
    "  -o ファイル         標準出力の代わりにファイルへ書く\n"
    "  -q, --quiet         標準エラーに集計を出さない\n"
    "\n"
    "検出結果は時刻順に出力するまで TMPDIR (既定は /tmp) の一時ファイルに置くので、\n"
    "件数が多くてもメモリはわずかで済みます。\n"
    "\n"
    "終了コード: 0 すべて読めた、1 スキップや損傷があった、2 引数の誤り、\n"
    "3 出力 (または一時ファイル) を書けなかった。\n"
    "\n"
    "例:\n"
    "  kensa hunt collected/\n"
    "  kensa hunt --format jsonl Security.evtx | jq 'select(.severity == \"high\")'\n"
    "  kensa hunt --set brute_force.count=5 --tz Asia/Tokyo vpn.log\n";

enum { FMT_TABLE, FMT_JSONL, FMT_CSV };

/* The findings wait in a temporary file until they are printed in time order (a year
 * of logs can give very many, a few KB each); memory holds what sorts them. */
typedef struct found_key {
    int64_t first_ns;
    const char *detector;
    size_t at; /* the finding's place in the file, in findings */
} found_key;

typedef struct findings {
    FILE *spill;
    found_key *v;
    size_t n, cap;
    int failed;
    ks_finding one; /* the one read back last */
} findings;

static void on_finding(void *ctx, const ks_finding *f)
{
    findings *l = ctx;
    if (l->failed) return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        found_key *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->failed = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    if (!l->spill) {
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir) dir = "/tmp";
        char path[4096];
        snprintf(path, sizeof path, "%s/kensa-hunt.XXXXXX", dir);
        int fd = mkstemp(path);
        if (fd >= 0) unlink(path); /* gone with the process */
        if (fd < 0 || !(l->spill = fdopen(fd, "w+b"))) {
            fprintf(stderr, ks_msg(KS_MSG_HUNT_SPILL), dir, strerror(errno));
            if (fd >= 0) close(fd);
            l->failed = 1;
            return;
        }
    }
    if (fwrite(f, sizeof *f, 1, l->spill) != 1) {
        fprintf(stderr, ks_msg(KS_MSG_HUNT_SPILL), "TMPDIR", strerror(errno));
        l->failed = 1;
        return;
    }
    l->v[l->n] = (found_key){f->first_ns, f->detector->id, l->n};
    l->n++;
}

/* The i-th finding in time order (after sorting), or NULL when it cannot be read. */
static const ks_finding *found_get(void *ctx, size_t i)
{
    findings *l = ctx;
    off_t at = (off_t)(l->v[i].at * sizeof l->one);
    if (fseeko(l->spill, at, SEEK_SET) != 0 || fread(&l->one, sizeof l->one, 1, l->spill) != 1)
        return NULL;
    return &l->one;
}

static void found_free(findings *l)
{
    if (l->spill) fclose(l->spill);
    free(l->v);
}

static int by_time(const void *pa, const void *pb)
{
    const found_key *a = pa, *b = pb;
    if (a->first_ns != b->first_ns) return a->first_ns < b->first_ns ? -1 : 1;
    int c = strcmp(a->detector, b->detector);
    if (c) return c;
    return a->at < b->at ? -1 : a->at > b->at; /* in the order they were found */
}

typedef struct files {
    char **v;
    ks_format *f;
    size_t n, cap;
    unsigned unreadable;
    int quiet;
} files;

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    files *w = ctx;
    if (f == KS_FORMAT_UNKNOWN) {
        w->unreadable++;
        if (!w->quiet) fprintf(stderr, ks_msg(KS_MSG_SKIPPED_FILE), path, why);
        return;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        char **v = realloc(w->v, cap * sizeof *v);
        if (v) w->v = v;
        ks_format *fv = realloc(w->f, cap * sizeof *fv);
        if (fv) w->f = fv;
        if (!v || !fv) return;
        w->cap = cap;
    }
    if (!(w->v[w->n] = strdup(path))) return;
    w->f[w->n++] = f;
}

typedef struct reading {
    ks_detect *det;
    int damaged;
} reading;

/* Problems are counted in the summary of `kensa dump`; here they only say the file
 * is damaged, which the detectors take into account (record-id gaps). */
static void on_problem(void *ctx, const ks_problem *p)
{
    reading *r = ctx;
    if (p->severity == KS_SEV_ERROR) r->damaged = 1;
    ks_detect_note_damage(r->det);
}

static void csv_field(ks_buf *b, const char *s, int last)
{
    ks_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"') ks_buf_putc(b, '"');
        ks_buf_putc(b, *s);
    }
    ks_buf_putc(b, '"');
    ks_buf_putc(b, last ? '\n' : ',');
}

/* "file#1, #2, other#7": each file named once for its run of records. */
static void evidence_list(ks_buf *b, const ks_finding *f, const char *sep)
{
    for (size_t i = 0; i < f->nevidence; i++) {
        const ks_evidence *e = &f->evidence[i];
        if (i) ks_buf_puts(b, sep);
        if (!i || strcmp(e->file, f->evidence[i - 1].file)) ks_buf_puts(b, e->file);
        ks_buf_printf(b, "#%llu", (unsigned long long)e->record_id);
    }
}

static void write_csv(ks_buf *b, const ks_finding *f)
{
    ks_buf t = {0};
    char cats[160];
    ks_time_format(&t, f->first_ns, 7);
    ks_buf_putc(&t, 0);
    ks_time_format(&t, f->last_ns, 7);
    ks_buf_putc(&t, 0);
    if (t.failed) return;
    csv_field(b, t.data, 0);
    csv_field(b, t.data + strlen(t.data) + 1, 0);
    ks_buf_free(&t);
    csv_field(b, ks_level_name(f->severity), 0);
    csv_field(b, f->detector->id, 0);
    ks_finding_categories(f, cats, sizeof cats);
    csv_field(b, cats, 0);
    csv_field(b, f->host, 0);
    csv_field(b, f->user, 0);
    csv_field(b, f->src_ip, 0);
    char count[24];
    snprintf(count, sizeof count, "%llu", (unsigned long long)f->count);
    csv_field(b, count, 0);
    csv_field(b, f->explanation, 0);
    ks_buf_reset(&t);
    evidence_list(&t, f, ";");
    ks_buf_putc(&t, 0);
    csv_field(b, t.failed ? "" : t.data, 1);
    ks_buf_free(&t);
}

static void write_table(ks_buf *b, const ks_detect *d, const ks_finding *f)
{
    char first[40], last[40], cats[160];
    ks_detect_format_time(d, f->first_ns, first, sizeof first);
    ks_detect_format_time(d, f->last_ns, last, sizeof last);
    ks_finding_categories(f, cats, sizeof cats);
    const char *lv = ks_level_name(f->severity);
    ks_buf_printf(b, "%s .. %s  [%s] %s (%s)\n", first, last, lv, f->detector->id, cats);
    ks_buf_printf(b, "  %s\n", f->explanation);
    int ja = ks_lang_get() == KS_LANG_JA;
    ks_buf_printf(
        b, ja ? "  ホスト %s  ユーザー %s  接続元 %s\n" : "  host %s  user %s  source %s\n",
        f->host[0] ? f->host : "-", f->user[0] ? f->user : "-", f->src_ip[0] ? f->src_ip : "-");
    ks_buf t = {0};
    evidence_list(&t, f, ", ");
    ks_buf_putc(&t, 0);
    ks_buf_printf(b, ks_msg(KS_MSG_HUNT_EVIDENCE), (unsigned long long)f->count,
                  t.failed ? "" : t.data);
    ks_buf_free(&t);
    ks_buf_putc(b, '\n');
}

static void list_detectors(FILE *out)
{
    int ja = ks_lang_get() == KS_LANG_JA;
    for (size_t i = 0; i < ks_detector_count(); i++) {
        const ks_detector_info *di = ks_detector_at(i);
        fprintf(out, "%-22s %-8s %s\n", di->id, ks_level_name(di->severity), di->title[ja]);
        fprintf(out, "  categories:");
        for (int c = 0; c < KS_DETECT_MAX_CATEGORIES && di->categories[c]; c++)
            fprintf(out, " %s", di->categories[c]);
        fprintf(out, "  ATT&CK: %s\n", di->attack);
        for (int p = 0; p < KS_DETECT_MAX_PARAMS && di->params[p].name; p++)
            fprintf(out, "  %s.%s=%lld  %s\n", di->id, di->params[p].name,
                    (long long)di->params[p].value, di->params[p].what);
    }
}

#define KS_HUNT_MAX_SETS 64

int cmd_hunt(int argc, char **argv)
{
    int format = FMT_TABLE, quiet = 0;
    const char *outpath = NULL, *case_path = NULL;
    ks_source_opts so = {0};
    ks_detect_override sets[KS_HUNT_MAX_SETS];
    char set_names[KS_HUNT_MAX_SETS][2][64];
    size_t nsets = 0;
    files w = {0};
    char **inputs = calloc((size_t)argc, sizeof *inputs);
    size_t ninputs = 0;
    const char **rule_paths = calloc((size_t)argc, sizeof *rule_paths);
    size_t nrule_paths = 0;
    int strict = 0;
    ks_sigma_rules *rules = NULL;
    ks_site *site = NULL;
    ks_detect_override *all_sets = NULL;
    int rc = KS_EXIT_USAGE;
    if (!inputs || !rule_paths) {
        free(inputs);
        free(rule_paths);
        return KS_EXIT_FAIL;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            rc = KS_EXIT_OK;
            goto out;
        } else if (!strcmp(a, "--list")) {
            list_detectors(stdout);
            rc = KS_EXIT_OK;
            goto out;
        } else if (!strcmp(a, "--format") && i + 1 < argc) {
            a = argv[++i];
            if (!strcmp(a, "table"))
                format = FMT_TABLE;
            else if (!strcmp(a, "jsonl") || !strcmp(a, "json"))
                format = FMT_JSONL;
            else if (!strcmp(a, "csv"))
                format = FMT_CSV;
            else {
                fprintf(stderr, "--format: table, jsonl or csv\n");
                goto out;
            }
        } else if (!strcmp(a, "--tz") && i + 1 < argc) {
            so.tz = argv[++i];
        } else if (!strcmp(a, "--site") && i + 1 < argc) {
            ks_diag sd = {0};
            ks_site_free(&site);
            if (ks_site_load(&site, argv[++i], &sd) != KS_OK) {
                fprintf(stderr, ks_msg(KS_MSG_INV_SITE), sd.what);
                goto out;
            }
        } else if (!strcmp(a, "--lang") && i + 1 < argc) {
            if (ks_lang_set(argv[++i]) != 0) {
                fprintf(stderr, "--lang: ja or en\n");
                goto out;
            }
        } else if (!strcmp(a, "--year") && i + 1 < argc) {
            if (cli_year(argv[++i], &so.year) != 0) {
                goto out;
            }
        } else if (!strcmp(a, "--set") && i + 1 < argc) {
            a = argv[++i];
            if (nsets == KS_HUNT_MAX_SETS) {
                fprintf(stderr, ks_msg(KS_MSG_HUNT_BAD_SET), a);
                goto out;
            }
            if (cli_set(a, set_names[nsets], &sets[nsets]) != 0) goto out;
            nsets++;
        } else if (!strcmp(a, "--rules") && i + 1 < argc) {
            rule_paths[nrule_paths++] = argv[++i];
        } else if (!strcmp(a, "--strict")) {
            strict = 1;
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            outpath = argv[++i];
        } else if (!strcmp(a, "--case") && i + 1 < argc) {
            case_path = argv[++i];
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            goto out;
        } else {
            inputs[ninputs++] = argv[i];
        }
    }
    if (!ninputs) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stderr);
        goto out;
    }

    if (nrule_paths) {
        if (ks_sigma_open(&rules) != KS_OK) {
            rc = KS_EXIT_FAIL;
            goto out;
        }
        for (size_t i = 0; i < nrule_paths; i++) {
            ks_diag d = {0};
            if (ks_sigma_load_path(rules, rule_paths[i], &d) != KS_OK) {
                fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), rule_paths[i], d.what);
                goto out;
            }
        }
        const ks_sigma_report *rep = ks_sigma_get_report(rules);
        for (size_t i = 0; i < rep->failed; i++)
            fprintf(stderr, "sigma: not loaded: %s: %s\n", rep->failures[i].file,
                    rep->failures[i].reason);
        if (!quiet || rep->failed)
            fprintf(stderr, "sigma: %zu rules loaded from %zu files, %zu not loaded\n", rep->loaded,
                    rep->files, rep->failed);
        if (strict && rep->failed) goto out;
    }

    findings found = {0};
    if (site && !so.tz) so.tz = site->tz; /* --tz wins, wherever it is */
    size_t nall = 0;
    if (!(all_sets = ks_site_overrides(site, sets, nsets, &nall))) {
        rc = KS_EXIT_FAIL;
        goto out;
    }
    ks_detect_opts dopts = {all_sets, nall, so.tz, on_finding, &found, NULL, NULL, site};
    ks_diag diag = {0};
    ks_detect *det = NULL;
    if (ks_detect_open(&det, &dopts, &diag) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_HUNT_SETUP), diag.what);
        goto out;
    }
    if (rules && ks_detect_add_sigma(det, rules) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_HUNT_SETUP), "out of memory");
        ks_detect_close(&det);
        rc = KS_EXIT_FAIL;
        goto out;
    }
    w.quiet = quiet;
    unsigned failed = 0;
    for (size_t i = 0; i < ninputs; i++) {
        size_t before = w.n;
        unsigned unreadable = w.unreadable;
        ks_diag d = {0};
        if (ks_evidence_walk(inputs[i], on_file, &w, &d) != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), inputs[i], d.what);
            failed++;
        } else if (w.n == before) {
            if (w.unreadable == unreadable)
                fprintf(stderr, ks_msg(KS_MSG_NOTHING_FOUND), inputs[i]);
            failed++;
        }
    }
    reading rd = {det, w.unreadable > 0};
    for (size_t i = 0; i < w.n; i++) {
        ks_source_opts o = so;
        o.format = w.f[i];
        o.on_problem = on_problem;
        o.ctx = &rd;
        ks_source *s = NULL;
        ks_diag d = {0};
        ks_detect_begin_file(det, w.v[i]); /* first: problems met opening it count */
        if (ks_source_open(&s, w.v[i], &o, &d) != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), w.v[i], d.what);
            ks_detect_end_file(det);
            failed++;
            continue;
        }
        const ks_event *ev;
        ks_status st;
        while ((st = ks_source_next(s, &ev)) == KS_OK && ev) ks_detect_feed(det, ev);
        ks_detect_end_file(det);
        if (st != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), w.v[i], ks_status_str(st));
            rd.damaged = 1;
        }
        const ks_source_stats *ss = ks_source_get_stats(s);
        if (ss->skipped || ss->chunks_bad) rd.damaged = 1;
        ks_source_close(&s);
    }

    FILE *out = stdout;
    if (outpath && !(out = fopen(outpath, "wb"))) {
        perror(outpath);
        rc = KS_EXIT_FAIL;
        ks_detect_close(&det);
        found_free(&found);
        goto out;
    }
    if (found.n) qsort(found.v, found.n, sizeof *found.v, by_time);
    ks_buf b = {0};
    if (format == FMT_TABLE && found.n)
        ks_buf_printf(&b, ks_msg(KS_MSG_HUNT_HEADER), ks_detect_zone(det));
    if (format == FMT_CSV)
        ks_buf_puts(&b, "first,last,severity,detector,categories,host,user,src_ip,count,"
                        "explanation,evidence\n");
    int io_failed = 0;
    for (size_t i = 0; i < found.n; i++) {
        const ks_finding *f = found_get(&found, i);
        if (!f) { /* the temporary file could not be written out or read back */
            fprintf(stderr, ks_msg(KS_MSG_HUNT_SPILL), "TMPDIR", strerror(errno));
            found.failed = 1;
            break;
        }
        if (format == FMT_JSONL) {
            ks_finding_write_json(&b, f, NULL);
            ks_buf_putc(&b, '\n');
        } else if (format == FMT_CSV)
            write_csv(&b, f);
        else
            write_table(&b, det, f);
        if (b.len > (1u << 16) || i + 1 == found.n) {
            if (!b.failed && fwrite(b.data, 1, b.len, out) != b.len) io_failed = 1;
            ks_buf_reset(&b);
        }
    }
    if (b.len && !b.failed && fwrite(b.data, 1, b.len, out) != b.len) io_failed = 1;
    if (b.failed || found.failed) io_failed = 1;
    ks_buf_free(&b);
    if (fflush(out) != 0 || ferror(out)) io_failed = 1;
    if (outpath && fclose(out) != 0) io_failed = 1;
    /* a run whose findings could not all be kept does not replace the stored ones */
    if (case_path && !found.failed &&
        cli_case_store_from(case_path, "hunt", found.n, found_get, &found, quiet, NULL, NULL) != 0)
        io_failed = 1;
    const ks_detect_stats *st = ks_detect_get_stats(det);
    if (!quiet) {
        fprintf(stderr, ks_msg(KS_MSG_HUNT_SUMMARY), (unsigned long long)st->findings,
                (unsigned long long)st->events, (unsigned)w.n, failed);
        if (st->keys_dropped)
            fprintf(stderr, ks_msg(KS_MSG_HUNT_DROPPED), (unsigned long long)st->keys_dropped);
    }
    ks_detect_close(&det);
    found_free(&found);
    rc = io_failed ? KS_EXIT_FAIL : (rd.damaged || failed) ? KS_EXIT_PARTIAL : KS_EXIT_OK;
out:
    for (size_t i = 0; i < w.n; i++) free(w.v[i]);
    free(w.v);
    free(w.f);
    free(inputs);
    free(rule_paths);
    ks_sigma_close(&rules);
    free(all_sets);
    ks_site_free(&site);
    return rc;
}
