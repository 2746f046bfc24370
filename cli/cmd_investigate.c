/* kensa investigate: read the evidence, find the attack chains and the first
 * intrusion time, write report.html, findings.jsonl, timeline.csv and summary.json,
 * and print the answer in a few lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kensa/case.h"
#include "kensa/investigate.h"
#include "kensa/kensa.h"
#include "kensa/sigma.h"
#include "kensa/site.h"

static const char help_en[] =
    "usage: kensa investigate FILE|DIR... [--site site.yaml] [--rules PATH]... [-o DIR]\n"
    "                         [--lang ja|en] [--tz ZONE] [--year YYYY]\n"
    "                         [--set DETECTOR.SETTING=VALUE]... [--case CASE] [-q]\n"
    "\n"
    "Reads every evidence file given (every format `kensa dump` reads), runs the\n"
    "detectors, links what they find into attack chains (entry, spread, persistence,\n"
    "evasion, impact) by account, source address, host and time, and estimates when\n"
    "the intrusion began, with a confidence, the reason, and the log coverage that\n"
    "bounds it (cleared logs, logs that start late).\n"
    "\n"
    "Writes into DIR (default kensa-report): report.html (one file, opens offline),\n"
    "findings.jsonl, timeline.csv and summary.json.\n"
    "\n"
    "options:\n"
    "  --rules PATH    also run the Sigma rules in PATH (a .yml file or a folder; again for\n"
    "                  more)\n"
    "  --site FILE     the hospital's site file: zone, business hours, hosts and roles,\n"
    "                  duty hours, allowed administrator addresses (docs/site.example.yaml)\n"
    "  -o DIR          where to write the report (created when missing)\n"
    "  --tz ZONE       zone of the times shown and of business hours (default: the site\n"
    "                  file's, else this machine's)\n"
    "  --year YYYY     year of syslog lines that carry none\n"
    "  --set D.S=V     change a detector's setting (kensa hunt --list)\n"
    "  --case CASE     also keep the findings and the estimate in the case (CASE.kensa,\n"
    "                  created if missing): kensa backup advise --case CASE then picks\n"
    "                  the backup to restore; SQL: SELECT * FROM intrusions. (The events\n"
    "                  go into a case with kensa ingest --case CASE EVIDENCE.)\n"
    "  --lang ja|en    language of the report and of this summary\n"
    "  -q, --quiet     no progress and no summary\n"
    "\n"
    "exit status: 0 done; 1 done, but some evidence could not be read; 2 bad arguments;\n"
    "3 the report could not be written.\n"
    "\n"
    "example:\n"
    "  kensa simulate -o practice && kensa investigate practice --site practice/site.yaml\n";

static const char help_ja[] =
    "使い方: kensa investigate ファイル|フォルダ... [--site site.yaml] [--rules パス]...\n"
    "                          [-o フォルダ]\n"
    "                          [--lang ja|en] [--tz ゾーン] [--year 年]\n"
    "                          [--set 検出器.設定=値]... [--case ケース] [-q]\n"
    "\n"
    "指定した証拠 (kensa dump が読めるすべての形式) を読み、検出器で調べ、見つかったものを\n"
    "アカウント、接続元、ホスト、時刻で攻撃の連鎖 (侵入、拡大、永続化、隠蔽、被害) に\n"
    "つなぎ、侵入が始まった時刻を推定します。確からしさ、理由、推定の前提となるログの\n"
    "範囲 (消去されたログ、遅く始まるログ) も示します。\n"
    "\n"
    "フォルダ (既定 kensa-report) に report.html (1 ファイルでオフラインで開けます)、\n"
    "findings.jsonl、timeline.csv、summary.json を書き出します。\n"
    "\n"
    "オプション:\n"
    "  --rules パス     パス (.yml ファイルまたはフォルダ) の Sigma ルールも使う (複数指定可)\n"
    "  --site ファイル  病院のサイトファイル: タイムゾーン、業務時間、ホストと役割、勤務時間、\n"
    "                  管理者の接続元 (docs/site.example.yaml)\n"
    "  -o フォルダ      報告書の書き出し先 (なければ作成)\n"
    "  --tz ゾーン      表示する時刻と業務時間のタイムゾーン (既定はサイトファイルの設定、\n"
    "                  なければこのマシンの設定)\n"
    "  --year 年        年の書かれていない syslog の年\n"
    "  --set 検出器.設定=値  検出器の設定を変える (kensa hunt --list)\n"
    "  --case ケース    検出結果と侵入時刻の推定をケース (ケース.kensa、なければ作成) にも\n"
    "                  保存する: kensa backup advise --case ケース で復元するバックアップを\n"
    "                  選べる。SQL: SELECT * FROM intrusions。(イベントは kensa ingest\n"
    "                  --case ケース 証拠 でケースに入る)\n"
    "  --lang ja|en     報告書とこの要約の言語\n"
    "  -q, --quiet      進み具合と要約を出さない\n"
    "\n"
    "終了コード: 0 完了、1 完了したが読めない証拠があった、2 引数の誤り、\n"
    "3 報告書を書けなかった。\n"
    "\n"
    "例:\n"
    "  kensa simulate -o practice && kensa investigate practice --site practice/site.yaml\n";

#define KS_INV_MAX_SETS 64

typedef struct ui {
    int quiet, tty;
    unsigned unreadable;
} ui;

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    ui *u = ctx;
    if (f != KS_FORMAT_UNKNOWN) return;
    u->unreadable++;
    if (!u->quiet) fprintf(stderr, ks_msg(KS_MSG_SKIPPED_FILE), path, why);
}

static void on_progress(void *ctx, const char *file, unsigned pass, size_t i, size_t n)
{
    ui *u = ctx;
    if (u->quiet || !u->tty) return;
    fprintf(stderr, ks_msg(KS_MSG_INV_PROGRESS), pass, i + 1, n, file);
    fflush(stderr);
}

static const char *conf_word(ks_confidence c)
{
    return ks_msg(c == KS_CONF_HIGH     ? KS_MSG_INV_CONF_HIGH
                  : c == KS_CONF_MEDIUM ? KS_MSG_INV_CONF_MEDIUM
                                        : KS_MSG_INV_CONF_LOW);
}

static void print_summary(const ks_investigation *inv, const char *dir)
{
    const ks_estimate *e = &inv->estimate;
    char t[40];
    fprintf(stdout, ks_msg(KS_MSG_INV_READ), inv->nfiles, (unsigned long long)inv->events,
            inv->nfindings, inv->nchains, inv->files_failed);
    if (e->found && !inv->chains[e->chain].has_entry) {
        const ks_chain *c = &inv->chains[e->chain];
        ks_investigate_local(inv, e->time_ns, t, sizeof t, true);
        const ks_step *s = c->nsteps ? &c->steps[0] : NULL;
        const char *what = !s                ? ""
                           : s->finding >= 0 ? inv->findings[s->finding].explanation
                                             : s->what;
        fprintf(stdout, ks_msg(KS_MSG_INV_SIGN), t, inv->zone, e->host, what);
    } else if (e->found) {
        ks_investigate_local(inv, e->time_ns, t, sizeof t, true);
        fprintf(stdout, ks_msg(KS_MSG_INV_FOUND), t, inv->zone, e->user[0] ? e->user : "-",
                e->src_ip[0] ? e->src_ip : "-", e->host[0] ? e->host : "-",
                conf_word(e->confidence));
        if (e->attempt_ns && e->attempt_ns < e->time_ns) {
            ks_investigate_local(inv, e->attempt_ns, t, sizeof t, true);
            fprintf(stdout, ks_msg(KS_MSG_INV_ATTEMPT), t);
        }
    } else {
        fprintf(stdout, ks_msg(KS_MSG_INV_NONE), inv->nfindings);
    }
    size_t bounds = 0;
    for (size_t i = 0; e->found && i < inv->ncoverage; i++)
        if (inv->coverage[i].bounds && bounds++ < 5) {
            char why[512];
            ks_investigate_bound_text(inv, &inv->coverage[i], why, sizeof why);
            fprintf(stdout, ks_msg(KS_MSG_INV_EARLIER), why);
        }
    if (bounds > 5) fprintf(stdout, ks_msg(KS_MSG_INV_MORE), bounds - 5);
    for (size_t i = 0; i < inv->nchains && i < 5; i++) {
        const ks_chain *c = &inv->chains[i];
        char stages[96] = "";
        size_t n = 0;
        for (int s = 0; s < KS_STAGE_COUNT; s++)
            if (c->stages & (1u << s)) {
                int w = snprintf(stages + n, sizeof stages - n, "%s%s", n ? ", " : "",
                                 ks_msg(KS_MSG_INV_ST_ENTRY + s));
                if (w > 0 && (size_t)w < sizeof stages - n) n += (size_t)w;
            }
        fprintf(stdout, ks_msg(KS_MSG_INV_CHAIN), i + 1, c->account[0] ? c->account : "-",
                c->src_ip[0] ? c->src_ip : "-", c->entry_host, c->nsteps, stages);
    }
    fprintf(stdout, ks_msg(KS_MSG_INV_WROTE), dir);
}

/* --case: the findings, then the estimate with summary.json beside it. */
static int store(const ks_investigation *inv, const char *path, int quiet)
{
    ks_case *c = NULL;
    int64_t run = 0;
    if (cli_case_store(path, "investigate", inv->findings, inv->nfindings, quiet, &c, &run) != 0)
        return -1;
    ks_buf b = {0};
    ks_diag d = {0};
    ks_investigate_summary_json(&b, inv);
    ks_buf_putc(&b, 0);
    const ks_estimate *e = &inv->estimate;
    int rc = 0;
    if (b.failed || ks_case_put_intrusion(c, run, e->found, e->time_ns, b.data, &d) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), path, b.failed ? "out of memory" : d.what);
        rc = -1;
    }
    ks_buf_free(&b);
    ks_case_close(&c);
    return rc;
}

int cmd_investigate(int argc, char **argv)
{
    const char *outdir = "kensa-report", *site_path = NULL, *case_path = NULL;
    ks_investigate_opts o = {0};
    ks_detect_override sets[KS_INV_MAX_SETS];
    char set_names[KS_INV_MAX_SETS][2][64];
    size_t nsets = 0;
    ui u = {0};
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t ninputs = 0;
    int rc = KS_EXIT_USAGE;
    ks_site *site = NULL;
    ks_investigation *inv = NULL;
    ks_sigma_rules *rules = NULL;
    if (!inputs) return KS_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            rc = KS_EXIT_OK;
            goto out;
        } else if (!strcmp(a, "--site") && i + 1 < argc) {
            site_path = argv[++i];
        } else if (!strcmp(a, "--rules") && i + 1 < argc) {
            ks_diag rd = {0};
            if ((!rules && ks_sigma_open(&rules) != KS_OK) ||
                ks_sigma_load_path(rules, argv[++i], &rd) != KS_OK) {
                fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), argv[i], rd.what);
                rc = KS_EXIT_USAGE;
                goto out;
            }
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(a, "--case") && i + 1 < argc) {
            case_path = argv[++i];
        } else if (!strcmp(a, "--tz") && i + 1 < argc) {
            o.tz = argv[++i];
        } else if (!strcmp(a, "--lang") && i + 1 < argc) {
            if (ks_lang_set(argv[++i]) != 0) {
                fprintf(stderr, "--lang: ja or en\n");
                goto out;
            }
        } else if (!strcmp(a, "--year") && i + 1 < argc) {
            if (cli_year(argv[++i], &o.year) != 0) {
                goto out;
            }
        } else if (!strcmp(a, "--set") && i + 1 < argc) {
            a = argv[++i];
            if (nsets == KS_INV_MAX_SETS) {
                fprintf(stderr, ks_msg(KS_MSG_HUNT_BAD_SET), a);
                goto out;
            }
            if (cli_set(a, set_names[nsets], &sets[nsets]) != 0) goto out;
            nsets++;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            u.quiet = 1;
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
    ks_diag diag = {0};
    if (site_path && ks_site_load(&site, site_path, &diag) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_INV_SITE), diag.what);
        goto out;
    }
    u.tty = isatty(2);
    o.site = site;
    o.sigma = rules;
    if (rules && !u.quiet) {
        const ks_sigma_report *rep = ks_sigma_get_report(rules);
        fprintf(stderr, "sigma: %zu rules loaded from %zu files, %zu not loaded\n", rep->loaded,
                rep->files, rep->failed);
    }
    o.overrides = sets;
    o.noverrides = nsets;
    o.on_file = on_file;
    o.progress = on_progress;
    o.ctx = &u;
    ks_status st = ks_investigate_run(&inv, inputs, ninputs, &o, &diag);
    if (u.tty && !u.quiet) fputs("\r\033[K", stderr);
    if (st != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_HUNT_SETUP), diag.what);
        rc = st == KS_ERR_ARG ? KS_EXIT_USAGE : KS_EXIT_FAIL;
        goto out;
    }
    if (ks_investigate_write(inv, outdir, &diag) != KS_OK) {
        fprintf(stderr, "%s: %s\n", diag.file ? diag.file : outdir, diag.what);
        rc = KS_EXIT_FAIL;
        goto out;
    }
    if (case_path && store(inv, case_path, u.quiet) != 0) {
        rc = KS_EXIT_FAIL;
        goto out;
    }
    if (!u.quiet) print_summary(inv, outdir);
    rc = inv->files_failed || u.unreadable ? KS_EXIT_PARTIAL : KS_EXIT_OK;
out:
    ks_investigate_free(&inv); /* before the rules: findings name them */
    ks_sigma_close(&rules);
    ks_site_free(&site);
    free(inputs);
    return rc;
}
