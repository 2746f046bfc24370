/* kensa: the command-line entry point; dispatches to cmd_<verb>.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kensa/kensa.h"

static const struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *en, *ja;
} verbs[] = {
    {"audit", cmd_audit, "check Windows settings against the training: lockout, SMBv1, logs...",
     "Windows の設定を研修の要求と照合する: ロックアウト、SMBv1、ログの保持など"},
    {"backup", cmd_backup, "check backup generations for encrypted files and mass changes",
     "バックアップの世代に暗号化されたファイルや大量の変更がないか調べる"},
    {"dump", cmd_dump, "print every record of .evtx files as JSON lines or Event XML",
     ".evtx ファイルの全レコードを JSON Lines または Event XML で出力"},
    {"hunt", cmd_hunt, "look for the signs of an intrusion: findings from built-in detectors",
     "侵入の兆候を探す: 組み込みの検出器による検出結果"},
    {"investigate", cmd_investigate,
     "find the intrusion: chains, first intrusion time, report.html",
     "侵入を調べる: 攻撃の連鎖、最初の侵入時刻、report.html"},
    {"simulate", cmd_simulate, "write a synthetic hospital day with an intrusion as .evtx files",
     "侵入を含む病院の 1 日を模した .evtx ファイルを書き出す"},
    {"ingest", cmd_ingest, "add evidence files to a case (CASE.kensa) for SQL queries",
     "証拠のファイルをケース (ケース.kensa) に取り込み SQL で検索できるようにする"},
    {"query", cmd_query, "SQL over a case, or over evidence files: evtx('Security.evtx')",
     "ケースまたは証拠のファイルに SQL で問い合わせる: evtx('Security.evtx')"},
    {"seal", cmd_seal, "seal evidence into a day-by-day archive that shows any change",
     "証拠を日ごとの封印アーカイブに入れ、後からの変更が分かるようにする"},
    {"verify", cmd_verify, "check a sealed archive offline with its archive key",
     "封印アーカイブをアーカイブ鍵でオフライン検証する"},
    {"prove", cmd_prove, "a proof that one record is in a sealed archive",
     "あるレコードが封印アーカイブにあることの証明を書き出す"},
    {"verify-proof", cmd_verify_proof, "check a proof written by kensa prove",
     "kensa prove の証明を確認する"},
};

static void usage(FILE *f)
{
    int ja = ks_lang_get() == KS_LANG_JA;
    fputs(ja ? "kensa " KS_VERSION " — 病院のログからランサムウェアの侵入を調べる\n\n"
               "使い方: kensa [--lang ja|en] <コマンド> [引数...]\n\nコマンド:\n"
             : "kensa " KS_VERSION " — find a ransomware intrusion in hospital logs\n\n"
               "usage: kensa [--lang ja|en] <command> [arguments...]\n\ncommands:\n",
          f);
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(f, "  %-13s %s\n", verbs[i].name, ja ? verbs[i].ja : verbs[i].en);
    fputs(
        ja ? "\n各コマンドの説明: kensa <コマンド> --help\n"
             "終了コード: 0 すべて読めた、1 一部をスキップした、2 引数の誤り、3 実行できなかった\n"
           : "\nhelp on a command: kensa <command> --help\n"
             "exit status: 0 everything read, 1 something skipped, 2 bad arguments, 3 could "
             "not run\n",
        f);
}

int main(int argc, char **argv)
{
    ks_lang_set(ks_lang_from_env() == KS_LANG_JA ? "ja" : "en");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            if (ks_lang_set(argv[++i]) != 0) {
                fprintf(stderr, "--lang: ja or en\n");
                return KS_EXIT_USAGE;
            }
        } else if (strncmp(argv[i], "--lang=", 7) == 0) {
            if (ks_lang_set(argv[i] + 7) != 0) {
                fprintf(stderr, "--lang: ja or en\n");
                return KS_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return KS_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            puts("kensa " KS_VERSION);
            return KS_EXIT_OK;
        } else {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), argv[i]);
            return KS_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return KS_EXIT_USAGE;
    }
    for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
        if (strcmp(argv[i], verbs[v].name) == 0) return verbs[v].run(argc - i, argv + i);
    fprintf(stderr,
            ks_lang_get() == KS_LANG_JA ? "不明なコマンドです: %s\n\n" : "unknown command: %s\n\n",
            argv[i]);
    usage(stderr);
    return KS_EXIT_USAGE;
}
