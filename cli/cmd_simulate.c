/* kensa simulate: write a synthetic hospital day with an intrusion as .evtx files
 * (the generation is ks_sim_write in the library; this file parses and prints). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kensa/kensa.h"
#include "kensa/simulate.h"

static const char help_en[] =
    "usage: kensa simulate -o DIR [--seed N] [--scenario NAME] [--truth FILE]\n"
    "                      [--site-out FILE] [--audit-out DIR2] [--backups-out DIR3]\n"
    "                      [--days N] [--size small|midsize] [--max-file-mb MB]\n"
    "\n"
    "Writes DIR/Security.evtx and DIR/System.evtx: a synthetic day of a small hospital\n"
    "(staff logons on EMR terminals and to the file server, an administrator's RDP\n"
    "sessions, a vendor's remote maintenance, the nightly backup) with an intrusion in\n"
    "the night: an RDP brute force from outside (4625), a successful logon from the\n"
    "same address (4624 type 10), network logons to the servers (4624 type 3), a new\n"
    "service (7045) and a cleared log (104). Every name and address is invented; no\n"
    "real patient or staff data is involved. Use it to try kensa, for training and\n"
    "for tests.\n"
    "\n"
    "options:\n"
    "  -o DIR      the folder to write to (created if missing; files are replaced)\n"
    "  --seed N    another day with the same story (default 1); the same seed always\n"
    "              gives the same files\n"
    "  --scenario NAME one of:\n"
    "              rdp_bruteforce  the default: the intrusion above\n"
    "              vpn             as Japanese hospitals met it: an SSL-VPN brute force\n"
    "                              from abroad until the vendor's maintenance account\n"
    "                              opens it, RDP from the VPN's address, SMB logons at\n"
    "                              night, AnyDesk as a service (7045), vssadmin delete\n"
    "                              shadows (4688), the Security log cleared (1102); adds\n"
    "                              DIR/vpn/fortigate.log (FortiGate syslog, four weeks)\n"
    "              none            an ordinary day and night, no attack\n"
    "  --days N    N days (1 to 3660) ending with that day and its night: ordinary work\n"
    "              with a fuller event mix (4672, 4688, 5140, 5145, mistyped passwords),\n"
    "              quieter weekends and holidays; the intrusion stays in the last night.\n"
    "              Written day by day; a full Security.evtx or System.evtx is renamed\n"
    "              DIR/Archive-Security-YYYY-MM-DD-HH-MM-SS-mmm.evtx, as Windows archives\n"
    "              it, and a new one begun\n"
    "  --size NAME small (the default: 16 staff, 12 EMR terminals, 5 servers) or\n"
    "              midsize (300 staff, 60 EMR terminals, a dozen servers; with --days 365\n"
    "              several GB)\n"
    "  --max-file-mb MB roll .evtx files over before this size (default 256, 1 to 4095)\n"
    "  --truth FILE    also write the ground truth as JSON: first_intrusion (ISO 8601\n"
    "              UTC), the attacker's address and account, the planted chain\n"
    "  --site-out FILE also write the practice hospital's site.yaml (for --site)\n"
    "  --audit-out DIR2 also write each host's settings as Windows' own tools export\n"
    "              them, DIR2/<HOST>/ as scripts/windows/kensa-collect.ps1 writes it (for\n"
    "              kensa audit; docs/collect.md): RDS01 never locks out and takes RDP\n"
    "              without NLA, one EMR terminal allows USB storage, the rest is hardened\n"
    "  --backups-out DIR3 also write the file server's backup generations:\n"
    "              DIR3/FS01/daily-DATE (02:00 each night, twelve days) and monthly-DATE\n"
    "              (offline), and DIR3/generations.tsv for kensa backup add; those\n"
    "              taken after the ransomware ran (three hours after the intrusion) hold\n"
    "              encrypted, renamed files and ransom notes\n"
    "              (all four are kept outside DIR, so DIR holds only evidence)\n"
    "\n"
    "exit status: 0 written; 2 bad arguments; 3 the files could not be written.\n"
    "\n"
    "example:\n"
    "  kensa simulate -o demo && kensa dump --format xml demo/Security.evtx\n";

static const char help_ja[] =
    "使い方: kensa simulate -o フォルダ [--seed N] [--scenario 名前] [--truth ファイル]\n"
    "                      [--site-out ファイル] [--audit-out フォルダ2]\n"
    "                      [--backups-out フォルダ3]\n"
    "\n"
    "フォルダに Security.evtx と System.evtx を書きます。小さな病院の 1 日を模した\n"
    "合成データで (電子カルテ端末とファイルサーバーへの職員のログオン、管理者の RDP、\n"
    "ベンダーのリモート保守、夜間バックアップ)、夜間に侵入が含まれます: 外部からの\n"
    "RDP ブルートフォース (4625)、同じアドレスからのログオン成功 (4624 タイプ 10)、\n"
    "サーバーへのネットワークログオン (4624 タイプ 3)、サービスの追加 (7045)、ログの\n"
    "消去 (104)。名前やアドレスはすべて架空で、実在の患者や職員の情報は含みません。\n"
    "kensa の試用、訓練、テストに使えます。\n"
    "\n"
    "オプション:\n"
    "  -o フォルダ  書き込み先 (なければ作成し、既存のファイルは置き換えます)\n"
    "  --seed N     同じ筋書きの別の 1 日 (既定は 1)。同じ値なら常に同じファイルになります\n"
    "  --scenario 名前      次のいずれか:\n"
    "               rdp_bruteforce  既定: 上記の侵入\n"
    "               vpn             国内の病院の事例と同じ筋書き: 海外からの SSL-VPN への\n"
    "                               ブルートフォース、ベンダー保守用アカウントでの接続\n"
    "                               成功、VPN のアドレスからの RDP、夜間の SMB ログオン、\n"
    "                               AnyDesk のサービス登録 (7045)、vssadmin によるシャドウ\n"
    "                               コピー削除 (4688)、Security ログの消去 (1102)。\n"
    "                               vpn/fortigate.log (FortiGate の syslog、4 週間分) も書く\n"
    "               none            攻撃のない普通の 1 日\n"
    "  --days N     その日と夜で終わる N 日分 (1〜3660)。普段の業務に 4672、4688、5140、\n"
    "               5145、パスワードの打ち間違いも加わり、土日祝日は少なめ。侵入は最後の夜\n"
    "               のまま。1 日ずつ書き、満杯になった Security.evtx や System.evtx は\n"
    "               Windows のアーカイブと同じく Archive-Security-YYYY-MM-DD-HH-MM-SS-mmm.evtx\n"
    "               に改名して新しいファイルを始めます\n"
    "  --size 名前  small (既定: 職員 16 人、電子カルテ端末 12 台、サーバー 5 台) か\n"
    "               midsize (職員 300 人、端末 60 台、サーバー 12 台。--days 365 で数 GB)\n"
    "  --max-file-mb MB  .evtx をこの大きさの手前で切り替える (既定 256、1〜4095)\n"
    "  --truth ファイル     正解 (最初の侵入時刻 first_intrusion、攻撃者のアドレスと\n"
    "               アカウント、仕込んだ攻撃の連鎖) を JSON で書く\n"
    "  --site-out ファイル  練習用病院の site.yaml を書く (--site 用)\n"
    "  --audit-out フォルダ2  各ホストの設定を Windows 標準ツールで書き出したファイルを\n"
    "               フォルダ2/<ホスト名>/ に書く (kensa-collect.ps1 と同じ形、kensa audit 用、\n"
    "               docs/collect.md): RDS01 はアカウント ロックアウトなし・NLA なしの RDP、\n"
    "               電子カルテ端末の 1 台は USB メモリ可、ほかは対策済み\n"
    "  --backups-out フォルダ3  ファイルサーバーのバックアップの世代を書く:\n"
    "               フォルダ3/FS01/daily-日付 (毎晩 2:00、12 日分) と monthly-日付 (オフライン)、\n"
    "               kensa backup add 用の フォルダ3/generations.tsv。ランサムウェアが動いた後\n"
    "               (侵入の 3 時間後) の世代には暗号化・改名されたファイルと脅迫文が入ります\n"
    "               (4 つともフォルダの外に置き、フォルダには証拠だけが入ります)\n"
    "\n"
    "終了コード: 0 書き込んだ、2 引数の誤り、3 書き込めなかった。\n"
    "\n"
    "例:\n"
    "  kensa simulate -o demo && kensa dump --format xml demo/Security.evtx\n";

/* A whole number from lo to hi, or -1. */
static long long whole(const char *v, long long lo, long long hi)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < lo || n > hi) return -1;
    return n;
}

static void on_day(void *ctx, unsigned day, unsigned days, uint64_t bytes)
{
    (void)ctx;
    if (day % 30 == 0 || day == days)
        fprintf(stderr, "\r%u/%u days, %.1f MB", day, days, (double)bytes / 1e6);
    if (day == days) fputc('\n', stderr);
}

static void put_time(FILE *f, int64_t ns)
{
    ks_buf b = {0};
    ks_time_format(&b, ns, 0);
    fprintf(f, "%.*s", (int)b.len, b.data ? b.data : "");
    ks_buf_free(&b);
}

int cmd_simulate(int argc, char **argv)
{
    int ja = ks_lang_get() == KS_LANG_JA;
    const char *dir = NULL, *truth = NULL, *site = NULL, *audit = NULL, *backups = NULL;
    uint64_t seed = 1;
    ks_sim_scenario scenario = KS_SIM_RDP_BRUTEFORCE;
    ks_sim_days_opts dopts = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(ja ? help_ja : help_en, stdout);
            return KS_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(a, "--scenario") == 0 && i + 1 < argc) {
            int sc = ks_sim_scenario_find(argv[++i]);
            if (sc < 0) {
                fprintf(stderr, "--scenario: rdp_bruteforce, vpn or none\n");
                return KS_EXIT_USAGE;
            }
            scenario = (ks_sim_scenario)sc;
        } else if (strcmp(a, "--days") == 0 && i + 1 < argc) {
            long long n = whole(argv[++i], 1, KS_SIM_MAX_DAYS);
            if (n < 0) {
                fprintf(stderr,
                        ja ? "--days: 1 から %d までの整数を指定してください\n"
                           : "--days: a whole number from 1 to %d\n",
                        KS_SIM_MAX_DAYS);
                return KS_EXIT_USAGE;
            }
            dopts.days = (unsigned)n;
        } else if (strcmp(a, "--size") == 0 && i + 1 < argc) {
            int sz = ks_sim_size_find(argv[++i]);
            if (sz < 0) {
                fprintf(stderr, "--size: small or midsize\n");
                return KS_EXIT_USAGE;
            }
            dopts.size = (ks_sim_size)sz;
        } else if (strcmp(a, "--max-file-mb") == 0 && i + 1 < argc) {
            long long n = whole(argv[++i], 1, 4095);
            if (n < 0) {
                fprintf(stderr, ja ? "--max-file-mb: 1 から 4095 までの整数を指定してください\n"
                                   : "--max-file-mb: a whole number from 1 to 4095\n");
                return KS_EXIT_USAGE;
            }
            dopts.max_file_bytes = (uint64_t)n << 20;
        } else if (strcmp(a, "--truth") == 0 && i + 1 < argc) {
            truth = argv[++i];
        } else if (strcmp(a, "--site-out") == 0 && i + 1 < argc) {
            site = argv[++i];
        } else if (strcmp(a, "--audit-out") == 0 && i + 1 < argc) {
            audit = argv[++i];
        } else if (strcmp(a, "--backups-out") == 0 && i + 1 < argc) {
            backups = argv[++i];
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            char *end;
            errno = 0;
            unsigned long long n = strtoull(v, &end, 0);
            if (!*v || *v == '-' || *end || errno) {
                fprintf(stderr, ja ? "--seed: 0 以上の整数を指定してください\n"
                                   : "--seed: a whole number, 0 or more\n");
                return KS_EXIT_USAGE;
            }
            seed = n;
        } else {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            return KS_EXIT_USAGE;
        }
    }
    if (!dir) {
        fputs(ja ? help_ja : help_en, stderr);
        return KS_EXIT_USAGE;
    }
    ks_sim_result res;
    ks_diag d = {0};
    dopts.scenario = scenario;
    if (isatty(fileno(stderr))) dopts.progress = on_day;
    if (ks_sim_write_days(dir, seed, &dopts, &res, &d) != KS_OK ||
        (audit && ks_sim_write_audit(audit, seed, &d) != KS_OK) ||
        (backups && ks_sim_write_backups(backups, seed, &res, &d) != KS_OK)) {
        fprintf(stderr, ja ? "%s: 書き込めません: %s\n" : "%s: cannot write: %s\n",
                d.file ? d.file : dir, d.what);
        return KS_EXIT_FAIL;
    }
    if ((truth && ks_sim_write_truth(truth, seed, &res, &d) != KS_OK) ||
        (site && ks_sim_write_site_size(site, dopts.size, &d) != KS_OK)) {
        fprintf(stderr, ja ? "%s: 書き込めません: %s\n" : "%s: cannot write: %s\n",
                d.file ? d.file : "", d.what);
        return KS_EXIT_FAIL;
    }
    if (res.days > 1 || res.archives)
        printf(ja ? "%u 日分、.evtx %.1f MB (アーカイブ %u 個)\n"
                  : "%u days, %.1f MB of .evtx (%u archived files)\n",
               res.days, (double)res.evtx_bytes / 1e6, res.archives);
    for (unsigned i = 0; i < res.nfiles; i++) {
        const ks_sim_file *f = &res.files[i];
        printf(ja ? "%s: %llu 件 (" : "%s: %llu events (", f->path, (unsigned long long)f->events);
        put_time(stdout, f->first_ns);
        fputs(ja ? " 〜 " : " to ", stdout);
        put_time(stdout, f->last_ns);
        puts(")");
    }
    if (audit)
        printf(ja ? "%s: %zu 台のホストの設定 (RDS01: ロックアウトなし、NLA なしの RDP)\n"
                  : "%s: settings of %zu hosts (RDS01: no lockout, RDP without NLA)\n",
               audit, ks_sim_audit_hospital(seed, NULL, 0));
    if (backups)
        printf(ja ? "%s: FS01 のバックアップ %u 世代 (generations.tsv)%s%s\n"
                  : "%s: %u backup generations of FS01 (generations.tsv)%s%s\n",
               backups, res.nbackups,
               res.backup_first_bad[0] ? (ja ? "、暗号化されたのは " : "; encrypted from ") : "",
               res.backup_first_bad);
    if (!res.intrusion_ns) {
        puts(ja ? "攻撃なし (シナリオ none)" : "no attack (scenario none)");
        return KS_EXIT_OK;
    }
    if (res.scenario == KS_SIM_VPN) {
        printf(ja ? "侵入: %s から %s として %s の VPN にログイン ("
                  : "intrusion: VPN login from %s as %s on %s at ",
               res.attacker_ip, res.account, res.entry_host);
        put_time(stdout, res.intrusion_ns);
        printf(ja ? ")、その前に %u 回のログイン失敗。VPN のアドレス %s から %s として RDP、"
                    "その後 %u 回のネットワークログオン\n"
                  : ", after %u failed logins; then RDP from the VPN's address %s as %s and "
                    "%u network logons to servers\n",
               res.failed_logons, res.vpn_address, res.windows_account, res.lateral_logons);
        return KS_EXIT_OK;
    }
    printf(ja ? "侵入: %s から %s として %s へ RDP ログオン ("
              : "intrusion: RDP logon from %s as %s to %s at ",
           res.attacker_ip, res.account, res.entry_host);
    put_time(stdout, res.intrusion_ns);
    printf(ja ? ")、その前に %u 回のログオン失敗、その後 %u 回のネットワークログオン\n"
              : ", after %u failed logons; then %u network logons to servers\n",
           res.failed_logons, res.lateral_logons);
    return KS_EXIT_OK;
}
