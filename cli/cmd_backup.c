/* kensa backup: check backup generations for encrypted files and mass changes (scan),
 * choose the one to restore (advise) and check retention (policy), with generations
 * given on the command line; `add` (generations kept in a case) comes next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "kensa/case.h"
#include "kensa/kensa.h"

static const char help_en[] =
    "usage: kensa backup scan GENERATION... [--previous GENERATION|MANIFEST]\n"
    "                         [--format table|jsonl] [--quick] [--all] [-o OUT]\n"
    "                         [--yara RULES] [--clamav-db DIR]\n"
    "\n"
    "Checks backup generations for ransomware damage. A generation is a folder or an\n"
    "archive (tar, tar.gz, zip, 7z, ...); its files are only read, never changed.\n"
    "\n"
    "Each file is read once: SHA-256, size, entropy and chi-square of every 1 KiB\n"
    "block, the type from its first bytes (never from its name), and a walk of its\n"
    "structure (zip / docx / xlsx headers and central directory with CRCs, gzip and\n"
    "PDF streams inflated and checked, PNG chunks and CRCs, JPEG markers, 7z and xz\n"
    "headers, DICOM elements and compressed pixel fragments). Verdicts:\n"
    "  encrypted           the whole file looks random, or only its signature is left\n"
    "  partly_encrypted    random blocks where the type holds plain data, or a broken\n"
    "                      structure (header-only and intermittent encryption)\n"
    "  ransom_note         a note asking for payment to decrypt\n"
    "  ransom_extension    a known ransomware extension (.lockbit, .akira, ...)\n"
    "  extension_mismatch  the name says one type, the content is another\n"
    "  malware             with --yara / --clamav-db: a rule or signature matched\n"
    "Compressed formats are recognized by their structure, so a real .zip or .jpg is\n"
    "clean and a random file named .zip is not.\n"
    "\n"
    "Generations given together are compared in order, each with the one before (the\n"
    "first with --previous): files renamed (per folder), deleted (per extension),\n"
    "modified, new extensions. A generation is ENCRYPTED when files in it are, and\n"
    "SUSPICIOUS after 200 renames in one folder, 100 deletions of one extension, half\n"
    "of the files rewritten with content the check could not vouch for, or two thirds\n"
    "of them gone (moves that keep every byte do not count).\n"
    "\n"
    "options:\n"
    "  --previous PATH     the generation before the first one: a folder, an archive,\n"
    "                      or a manifest (the --format jsonl output of an earlier scan)\n"
    "  --format table      flagged files and a summary per generation (default)\n"
    "  --format jsonl      one JSON object per file and one per generation; this is the\n"
    "                      generation's manifest (see docs/backup.md)\n"
    "  --quick             do not decode compressed data (gzip, zip, PDF streams, xz,\n"
    "                      bzip2, zstd, 7z): faster, but encrypted runs inside\n"
    "                      compressed data are missed; headers, PNG CRCs and JPEG\n"
    "                      markers are still checked\n"
    "  --all               table: list clean files too\n"
    "  -o FILE             write to FILE instead of standard output\n"
    "  --yara RULES        also check every file with YARA rules: a .yar file or a\n"
    "                      folder of .yar / .yara files (dormant malware, web shells)\n"
    "  --clamav-db DIR     also check every file with ClamAV signatures from DIR.\n"
    "                      kensa downloads nothing: bring main.cvd, daily.cvd and\n"
    "                      bytecode.cvd copied from a machine that runs freshclam (or\n"
    "                      your own .hdb / .ndb files). A finding makes the file\n"
    "                      MALWARE (the signature or rule is the reason) and the\n"
    "                      generation at least SUSPICIOUS. Archive members over 64 MiB\n"
    "                      are not checked. Both need a kensa built with libyara /\n"
    "                      libclamav (scripts/install-deps); otherwise they say so\n"
    "\n"
    "exit status: 0 every file was read; 1 some could not be read; 2 bad arguments;\n"
    "3 a generation could not be opened or the output not written.\n"
    "\n"
    "examples:\n"
    "  kensa backup scan /mnt/backup/daily-2026-11-24 /mnt/backup/daily-2026-11-25\n"
    "  kensa backup scan --format jsonl emr-weekly.tar.gz > emr-weekly.manifest.jsonl\n"
    "  kensa backup scan --previous emr-weekly.manifest.jsonl emr-daily.tar.gz\n";

static const char help_ja[] =
    "使い方: kensa backup scan 世代... [--previous 世代|マニフェスト]\n"
    "                         [--format table|jsonl] [--quick] [--all] [-o 出力]\n"
    "                         [--yara ルール] [--clamav-db フォルダ]\n"
    "\n"
    "バックアップの世代にランサムウェアの被害がないかを調べます。世代はフォルダまたは\n"
    "アーカイブ (tar、tar.gz、zip、7z など) です。ファイルは読むだけで、変更しません。\n"
    "\n"
    "各ファイルを 1 回だけ読み、SHA-256、サイズ、1 KiB ブロックごとのエントロピーと\n"
    "カイ二乗値、先頭のバイトから判定した種類 (名前では判定しません)、構造の検査\n"
    "(zip・docx・xlsx のヘッダと中央ディレクトリと CRC、gzip と PDF のストリームの展開と\n"
    "検査、PNG のチャンクと CRC、JPEG のマーカー、7z と xz のヘッダ、DICOM の要素と圧縮\n"
    "画素のフラグメント) を行います。判定:\n"
    "  encrypted           ファイル全体がランダムに見える、またはシグネチャしか残っていない\n"
    "  partly_encrypted    平文のはずの所にランダムなブロックがある、または構造が壊れている\n"
    "                      (先頭だけ・飛び飛びの暗号化)\n"
    "  ransom_note         復号と引き換えに支払いを求める脅迫文\n"
    "  ransom_extension    ランサムウェアが付ける拡張子 (.lockbit、.akira など)\n"
    "  extension_mismatch  名前の種類と中身の種類が違う\n"
    "  malware             --yara / --clamav-db 指定時: ルールまたはシグネチャに一致\n"
    "圧縮形式は構造で見分けるので、本物の .zip や .jpg は問題なしと判定し、.zip という\n"
    "名前のランダムなファイルは問題ありと判定します。\n"
    "\n"
    "複数の世代を指定すると、順に一つ前の世代と比べます (最初の世代は --previous と):\n"
    "フォルダごとの名前の変更、拡張子ごとの削除、変更、新しい拡張子。ファイルが暗号化\n"
    "されていれば「暗号化されたファイルあり」、1 つのフォルダで 200 件の名前の変更、\n"
    "1 つの拡張子で 100 件の削除、内容を確かめられない書き換えがファイルの半分以上、または\n"
    "ファイルの 3 分の 2 以上の消失があれば「要注意」です (内容が同じままの移動は数えません)。\n"
    "\n"
    "オプション:\n"
    "  --previous パス     最初の世代の一つ前の世代: フォルダ、アーカイブ、または\n"
    "                      マニフェスト (以前のスキャンの --format jsonl の出力)\n"
    "  --format table      問題のあるファイルと世代ごとの集計 (既定)\n"
    "  --format jsonl      ファイルごと・世代ごとに 1 行の JSON。世代のマニフェストに\n"
    "                      なります (docs/backup.md を参照)\n"
    "  --quick             圧縮されたデータ (gzip、zip、PDF のストリーム、xz、bzip2、\n"
    "                      zstd、7z) を展開しない: 速いが、圧縮データの中の部分的な暗号化は\n"
    "                      見逃す。ヘッダ、PNG の CRC、JPEG のマーカーは検査する\n"
    "  --all               table: 問題のないファイルも一覧に出す\n"
    "  -o ファイル         標準出力の代わりにファイルへ書く\n"
    "  --yara ルール       各ファイルを YARA ルールでも検査する: .yar ファイル、または\n"
    "                      .yar / .yara ファイルのフォルダ (潜伏するマルウェアなど)\n"
    "  --clamav-db フォルダ 各ファイルを ClamAV のシグネチャでも検査する。kensa は何も\n"
    "                      ダウンロードしません: freshclam で更新した端末から main.cvd、\n"
    "                      daily.cvd、bytecode.cvd をコピーして持ち込む (または独自の\n"
    "                      .hdb / .ndb)。検出されたファイルは malware (理由はシグネチャ名\n"
    "                      またはルール名)、その世代は少なくとも「要注意」です。64 MiB を\n"
    "                      超えるアーカイブ内のファイルは検査しません。libyara / libclamav\n"
    "                      付きでビルドした kensa が必要です (なければその旨を表示します)\n"
    "\n"
    "終了コード: 0 すべてのファイルを読めた、1 読めないファイルがあった、2 引数の誤り、\n"
    "3 世代を開けなかった、または出力を書けなかった。\n"
    "\n"
    "例:\n"
    "  kensa backup scan /mnt/backup/daily-2026-11-24 /mnt/backup/daily-2026-11-25\n"
    "  kensa backup scan --format jsonl emr-weekly.tar.gz > emr-weekly.manifest.jsonl\n"
    "  kensa backup scan --previous emr-weekly.manifest.jsonl emr-daily.tar.gz\n";

typedef struct out {
    FILE *f;
    int jsonl, all;
    unsigned flags;
    uint64_t hidden;
    ks_buf b;
} out;

static void on_file(void *ctx, const char *path, int64_t mtime, const ks_backup_file *f)
{
    out *o = ctx;
    if (o->jsonl) {
        ks_buf_reset(&o->b);
        ks_backup_file_write_json(&o->b, path, mtime, f);
        fwrite(o->b.data, 1, o->b.len, o->f);
        return;
    }
    if (f->verdict == KS_BV_CLEAN && !o->all) {
        o->hidden++;
        return;
    }
    fprintf(o->f, "%-18s %-8s %7.3f  %s\n%27s%s\n", ks_backup_verdict_name(f->verdict),
            ks_backup_type_name(f->type), f->entropy, path, "", f->reason);
}

/* A manifest: a regular file whose first byte is '{'. */
static int is_manifest(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    int c = fgetc(f);
    fclose(f);
    return c == '{';
}

/* --yara / --clamav-db: load the engines once (nothing asked: *m stays NULL). */
static int open_malware(const char *yara, const char *clamav, ks_backup_malware **m)
{
    *m = NULL;
    if (!yara && !clamav) return KS_EXIT_OK;
    ks_diag d = {0};
    ks_status st = ks_backup_malware_open(yara, clamav, m, &d);
    if (st == KS_ERR_UNSUPPORTED) {
        fprintf(stderr, "%s: %s\n", d.file ? d.file : "", d.what);
        return KS_EXIT_USAGE;
    }
    if (st != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), d.file ? d.file : "",
                d.what[0] ? d.what : ks_status_str(st));
        return KS_EXIT_FAIL;
    }
    unsigned sigs, rules;
    ks_backup_malware_counts(*m, &sigs, &rules);
    fprintf(stderr, "malware checks: %u ClamAV signatures, %u YARA rules\n", sigs, rules);
    return KS_EXIT_OK;
}

static int scan_main(int argc, char **argv)
{
    const char *previous = NULL, *outpath = NULL, *yara = NULL, *clamav = NULL;
    ks_backup_malware *mw = NULL;
    out o = {.f = stdout};
    const char **gens = calloc((size_t)argc, sizeof *gens);
    size_t ngens = 0;
    if (!gens) return KS_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            free(gens);
            return KS_EXIT_OK;
        } else if (strcmp(a, "--previous") == 0 && i + 1 < argc) {
            previous = argv[++i];
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "jsonl") == 0)
                o.jsonl = 1;
            else if (strcmp(v, "table") == 0)
                o.jsonl = 0;
            else {
                fprintf(stderr, "--format: table or jsonl\n");
                free(gens);
                return KS_EXIT_USAGE;
            }
        } else if (strcmp(a, "--quick") == 0) {
            o.flags |= KS_BACKUP_QUICK;
        } else if (strcmp(a, "--all") == 0) {
            o.all = 1;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            outpath = argv[++i];
        } else if (strcmp(a, "--yara") == 0 && i + 1 < argc) {
            yara = argv[++i];
        } else if (strcmp(a, "--clamav-db") == 0 && i + 1 < argc) {
            clamav = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            free(gens);
            return KS_EXIT_USAGE;
        } else {
            gens[ngens++] = a;
        }
    }
    if (!ngens) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stderr);
        free(gens);
        return KS_EXIT_USAGE;
    }
    int mrc = open_malware(yara, clamav, &mw);
    if (mrc != KS_EXIT_OK) {
        free(gens);
        return mrc;
    }
    if (outpath && !(o.f = fopen(outpath, "w"))) {
        fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), outpath, "cannot be written");
        ks_backup_malware_close(&mw);
        free(gens);
        return KS_EXIT_FAIL;
    }
    int rc = KS_EXIT_OK;
    ks_backup_index *prev = NULL;
    ks_diag d = {0};
    if (previous) {
        ks_backup_gen pg;
        ks_status st = is_manifest(previous)
                           ? ks_backup_index_load(previous, &prev, &d)
                           : ks_backup_scan(previous, NULL, o.flags, NULL, NULL, &pg, &prev, &d);
        if (st != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), previous,
                    d.what[0] ? d.what : ks_status_str(st));
            rc = KS_EXIT_FAIL;
            goto out;
        }
    }
    for (size_t g = 0; g < ngens; g++) {
        ks_backup_gen gen;
        ks_backup_index *idx = NULL;
        memset(&d, 0, sizeof d);
        o.hidden = 0;
        if (!o.jsonl) fputs(ks_msg(KS_MSG_BACKUP_HEADER), o.f);
        ks_status st = ks_backup_scan_malware(gens[g], prev, o.flags, mw, on_file, &o, &gen,
                                              g + 1 < ngens ? &idx : NULL, &d);
        if (st != KS_OK && gen.files == 0) {
            fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), gens[g],
                    d.what[0] ? d.what : ks_status_str(st));
            rc = KS_EXIT_FAIL;
            ks_backup_index_free(&prev);
            continue;
        }
        if (st != KS_OK || gen.by_verdict[KS_BV_UNREADABLE]) {
            if (d.what[0]) fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), gens[g], d.what);
            if (rc == KS_EXIT_OK) rc = KS_EXIT_PARTIAL;
        }
        if (o.jsonl) {
            ks_buf_reset(&o.b);
            ks_backup_gen_write_json(&o.b, gens[g], &gen);
            fwrite(o.b.data, 1, o.b.len, o.f);
        } else {
            if (o.hidden)
                fprintf(o.f, ks_msg(KS_MSG_BACKUP_CLEAN_FILES), (unsigned long long)o.hidden);
            ks_msg_id w = gen.verdict == KS_BG_ENCRYPTED    ? KS_MSG_BACKUP_G_ENCRYPTED
                          : gen.verdict == KS_BG_SUSPICIOUS ? KS_MSG_BACKUP_G_SUSPICIOUS
                                                            : KS_MSG_BACKUP_G_CLEAN;
            fprintf(o.f, ks_msg(KS_MSG_BACKUP_GENERATION), gens[g], (unsigned long long)gen.files,
                    (double)gen.bytes / 1e6, ks_msg(w), gen.reason);
            if (gen.has_previous)
                fprintf(o.f, ks_msg(KS_MSG_BACKUP_CHANGES), (unsigned long long)gen.prev_files,
                        (unsigned long long)gen.added, (unsigned long long)gen.deleted,
                        (unsigned long long)gen.modified, (unsigned long long)gen.renamed,
                        100.0 * gen.share_changed);
            if (g + 1 < ngens) fputc('\n', o.f);
        }
        ks_backup_index_free(&prev);
        prev = idx;
    }
out:
    ks_backup_index_free(&prev);
    ks_backup_malware_close(&mw);
    ks_buf_free(&o.b);
    free(gens);
    if (o.f != stdout && fclose(o.f) != 0) rc = KS_EXIT_FAIL;
    if (o.f == stdout && fflush(stdout) != 0) rc = KS_EXIT_FAIL;
    return rc;
}

/* --- advise and policy: generations with --taken times ------------------------------- */

static const char help_gens_en[] =
    "usage: kensa backup add --case CASE [--system NAME] GENERATION --taken TIME\n"
    "                        [--media online|offline|worm] ... [--quick]\n"
    "                        [--yara RULES] [--clamav-db DIR]\n"
    "       kensa backup advise --intrusion TIME|--case CASE [--margin HOURS]\n"
    "                           [--format table|jsonl]\n"
    "                           [--system NAME] [GENERATION --taken TIME ...]\n"
    "       kensa backup policy [--daily N] [--weekly N] [--monthly N] [--offline N]\n"
    "                           [--now TIME] [--case CASE] [--system NAME]\n"
    "                           [GENERATION --taken TIME [--media online|offline|worm] ...]\n"
    "\n"
    "add scans each generation (compared with the one taken before it of the same\n"
    "system in the case) and keeps it in the case's catalogue: when it was taken, its\n"
    "media, its verdict, and every file's size, SHA-256, type, entropy and verdict.\n"
    "The generation is only read. --yara and --clamav-db check every file as in\n"
    "kensa backup scan (see kensa backup scan --help; the ClamAV database is brought\n"
    "from an updated machine, nothing is downloaded). With --case, advise and policy use the "
    "catalogue (no\n"
    "generation is read again), and advise takes the intrusion time that kensa\n"
    "investigate --case stored unless --intrusion is given. The catalogue is SQL:\n"
    "kensa query --case CASE \"SELECT * FROM backup_generations\".\n"
    "\n"
    "Each GENERATION (a folder or an archive) is followed by --taken TIME, when it was\n"
    "taken (ISO 8601; UTC unless a zone is given: 2026-11-24T02:00+09:00), and optionally\n"
    "--media. --system NAME applies to the generations after it (default: one system).\n"
    "\n"
    "advise scans every generation (compared with the one before, in time order) and\n"
    "names, per system, the newest clean generation taken at least --margin hours\n"
    "(default 24) before the intrusion (--intrusion, or the estimate kensa investigate\n"
    "--case CASE stored), the first generation after it that is not\n"
    "clean, and the files added, removed, modified or encrypted between the two: the\n"
    "files staff must check before trusting later data.\n"
    "\n"
    "policy checks, per system, that there is a generation in each of the last --daily\n"
    "days (default 7), --weekly weeks (4) and --monthly 30-day months (12), and at least\n"
    "--offline copies (1) on offline or WORM media, as of --now (default: now). It reads\n"
    "no files.\n"
    "\n"
    "exit status: 0 a clean generation was found / the policy is met; 1 not; 2 bad\n"
    "arguments; 3 a generation could not be read.\n";

static const char help_gens_ja[] =
    "使い方: kensa backup add --case ケース [--system 名前] 世代 --taken 時刻\n"
    "                        [--media online|offline|worm] ... [--quick]\n"
    "                        [--yara ルール] [--clamav-db フォルダ]\n"
    "        kensa backup advise --intrusion 時刻|--case ケース [--margin 時間]\n"
    "                           [--format table|jsonl]\n"
    "                           [--system 名前] [世代 --taken 時刻 ...]\n"
    "        kensa backup policy [--daily N] [--weekly N] [--monthly N] [--offline N]\n"
    "                           [--now 時刻] [--case ケース] [--system 名前]\n"
    "                           [世代 --taken 時刻 [--media online|offline|worm] ...]\n"
    "\n"
    "add は各世代をスキャンし (ケース内の同じシステムで直前に取得された世代と比較)、\n"
    "ケースの目録に記録します: 取得時刻、媒体、判定、各ファイルのサイズ・SHA-256・種類・\n"
    "エントロピー・判定。世代は読むだけです。--case を付けると advise と policy は目録を\n"
    "使い (世代を読み直しません)、advise は --intrusion がなければ kensa investigate\n"
    "--case が保存した侵入時刻を使います。目録は SQL で見られます: kensa query --case\n"
    "ケース \"SELECT * FROM backup_generations\"。\n"
    "\n"
    "各世代 (フォルダまたはアーカイブ) の後に --taken で取得時刻を指定します (ISO 8601。\n"
    "時差がなければ UTC: 2026-11-24T02:00+09:00)。--media は任意です。--system 名前 は\n"
    "その後の世代に適用されます (既定はシステム 1 つ)。\n"
    "\n"
    "advise はすべての世代をスキャンし (時刻順に一つ前の世代と比較)、システムごとに、\n"
    "侵入 (--intrusion、または kensa investigate --case がケースに保存した推定) の\n"
    "--margin 時間 (既定 24) 以上前に取得された問題のない最新の世代、その後で最初に\n"
    "問題のあった世代、その間に追加・削除・変更・暗号化されたファイルを示します。後の\n"
    "データを信頼する前に確認すべきファイルです。\n"
    "\n"
    "policy はシステムごとに、直近 --daily 日 (既定 7)、--weekly 週 (4)、--monthly か月\n"
    "(30 日単位、12) のそれぞれに世代があるか、オフラインまたは WORM の媒体に --offline\n"
    "個 (1) 以上あるかを --now (既定は現在) の時点で調べます。ファイルは読みません。\n"
    "\n"
    "終了コード: 0 問題のない世代が見つかった / 方針を満たす、1 そうでない、2 引数の誤り、\n"
    "3 世代を読めなかった。\n";

typedef struct gen_arg {
    const char *path, *system;
    int64_t taken;
    int has_taken;
    ks_backup_media media;
    ks_backup_gen gen;
    ks_backup_index *idx;
    int64_t case_id; /* from the case's catalogue (not scanned again), or 0 */
    char *owned;     /* path and system of a catalogue entry */
} gen_arg;

/* ISO 8601; seconds may be left out (2026-11-24T02:00+09:00) and so may the time of
 * day (2026-11-24: midnight UTC). */
static int parse_time(const char *s, int64_t *ns)
{
    size_t n = strlen(s);
    if (ks_time_parse_iso8601(s, n, ns, NULL) == 1) return 1;
    char t[64];
    if (n == 10) {
        snprintf(t, sizeof t, "%sT00:00:00Z", s);
    } else if (n >= 16 && n < 40 && (s[10] == 'T' || s[10] == ' ') && s[13] == ':') {
        snprintf(t, sizeof t, "%.16s:00%s", s, s + 16);
    } else {
        return 0;
    }
    return ks_time_parse_iso8601(t, strlen(t), ns, NULL) == 1;
}

static void fmt_time(char *dst, size_t cap, int64_t ns)
{
    ks_buf b = {0};
    ks_time_format(&b, ns, 0);
    snprintf(dst, cap, "%.*s", (int)b.len, b.data ? b.data : "");
    ks_buf_free(&b);
}

typedef struct diff_out {
    FILE *f;
    int jsonl;
    const char *system;
    uint64_t n[4];
    ks_buf b;
} diff_out;

static void on_change(void *ctx, ks_backup_change c, const char *path)
{
    diff_out *o = ctx;
    o->n[c]++;
    if (!o->f) return;
    if (o->jsonl) {
        ks_buf_reset(&o->b);
        ks_buf_printf(&o->b, "{\"type\":\"change\",\"change\":\"%s\",\"path\":\"",
                      ks_backup_change_name(c));
        for (const char *p = path; *p; p++) {
            unsigned char ch = (unsigned char)*p;
            if (ch == '"' || ch == '\\')
                ks_buf_printf(&o->b, "\\%c", ch);
            else if (ch < 0x20)
                ks_buf_printf(&o->b, "\\u%04x", ch);
            else
                ks_buf_putc(&o->b, (char)ch);
        }
        ks_buf_puts(&o->b, "\"}\n");
        fwrite(o->b.data, 1, o->b.len, o->f);
    } else {
        fprintf(o->f, "  %-10s %s\n", ks_backup_change_name(c), path);
    }
}

static int cmp_taken(const void *a, const void *b)
{
    const gen_arg *x = a, *y = b;
    int s = strcmp(x->system, y->system);
    if (s) return s;
    return x->taken < y->taken ? -1 : x->taken > y->taken;
}

/* The intrusion time kensa investigate --case stored; 0 with a message if none. */
static int intrusion_of_case(ks_case *c, const char *path, int64_t *ns)
{
    ks_diag d = {0};
    bool stored = false, found = false;
    if (ks_case_get_intrusion(c, &stored, &found, ns, &d) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), path, d.what);
        return 0;
    }
    if (!found) fprintf(stderr, ks_msg(KS_MSG_CASE_NO_ESTIMATE), path);
    return found;
}

typedef struct gens {
    gen_arg *v;
    size_t n, cap;
} gens;

static gen_arg *gens_push(gens *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        gen_arg *v = realloc(l->v, cap * sizeof *v);
        if (!v) return NULL;
        l->v = v;
        l->cap = cap;
    }
    gen_arg *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    return x;
}

/* The catalogue's generations join those of the command line. */
static int on_case_gen(void *ctx, const ks_case_gen *cg)
{
    gens *l = ctx;
    size_t ls = strlen(cg->system) + 1, lp = strlen(cg->path) + 1;
    gen_arg *x = gens_push(l);
    char *own = x ? malloc(ls + lp) : NULL;
    if (!own) {
        if (x) l->n--;
        return 1;
    }
    memcpy(own, cg->system, ls);
    memcpy(own + ls, cg->path, lp);
    x->owned = own;
    x->system = own;
    x->path = own + ls;
    x->taken = cg->taken_ns;
    x->has_taken = 1;
    x->media = cg->media;
    x->case_id = cg->id;
    x->gen.files = cg->files;
    x->gen.bytes = cg->bytes;
    x->gen.verdict = cg->verdict;
    snprintf(x->gen.reason, sizeof x->gen.reason, "%s", cg->reason);
    return 0;
}

/* The files of a catalogue generation, read from the case when first needed. */
static int need_index(ks_case *c, gen_arg *x)
{
    if (x->idx || !x->case_id) return 0;
    ks_diag d = {0};
    if (ks_case_backup_index(c, x->case_id, &x->idx, &d) == KS_OK) return 0;
    fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), x->path, d.what);
    return -1;
}

/* kensa backup add: scan each generation against the one before it in the case
 * (same system, taken earlier) and keep it, with its files, in the catalogue. */
static void on_add_file(void *ctx, const char *path, int64_t mtime, const ks_backup_file *f)
{
    ks_case_backup_file(ctx, path, mtime, f);
}

static int find_previous(void *ctx, const ks_case_gen *cg)
{
    *(int64_t *)ctx = cg->id; /* in time order: the last one called is the newest */
    return 0;
}

static int add_one(ks_case *c, gen_arg *x, unsigned flags, const ks_backup_malware *mw)
{
    ks_diag d = {0};
    int64_t prev = 0, id = 0;
    ks_backup_index *pidx = NULL;
    ks_case_backup *b = NULL;
    char *abs = realpath(x->path, NULL); /* the catalogue names it wherever run from */
    const char *where = abs ? abs : x->path;
    ks_status st = ks_case_backup_list(c, x->system, x->taken, find_previous, &prev, &d);
    if (st == KS_OK && prev) st = ks_case_backup_index(c, prev, &pidx, &d);
    if (st == KS_OK) st = ks_case_backup_begin(c, x->system, where, x->taken, x->media, &b, &d);
    free(abs);
    if (st != KS_OK) {
        ks_backup_index_free(&pidx);
        if (st == KS_ERR_ARG) { /* the same generation again: nothing to do */
            char t[48];
            fmt_time(t, sizeof t, x->taken);
            fprintf(stderr, ks_msg(KS_MSG_BACKUP_ALREADY), x->path, x->system, t);
            return KS_EXIT_OK;
        }
        fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), x->path, d.what);
        return KS_EXIT_FAIL;
    }
    st = ks_backup_scan_malware(x->path, pidx, flags, mw, on_add_file, b, &x->gen, NULL, &d);
    ks_backup_index_free(&pidx);
    if (st != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), x->path,
                d.what[0] ? d.what : ks_status_str(st));
        ks_case_backup_end(&b, NULL, NULL, NULL, &d);
        return KS_EXIT_FAIL;
    }
    ks_buf j = {0};
    ks_backup_gen_write_json(&j, x->path, &x->gen);
    ks_buf_putc(&j, 0);
    st = ks_case_backup_end(&b, &x->gen, j.failed ? NULL : j.data, &id, &d);
    ks_buf_free(&j);
    if (st != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), x->path, d.what);
        return KS_EXIT_FAIL;
    }
    ks_msg_id w = x->gen.verdict == KS_BG_ENCRYPTED    ? KS_MSG_BACKUP_G_ENCRYPTED
                  : x->gen.verdict == KS_BG_SUSPICIOUS ? KS_MSG_BACKUP_G_SUSPICIOUS
                                                       : KS_MSG_BACKUP_G_CLEAN;
    printf(ks_msg(KS_MSG_BACKUP_GENERATION), x->path, (unsigned long long)x->gen.files,
           (double)x->gen.bytes / 1e6, ks_msg(w), x->gen.reason);
    return x->gen.by_verdict[KS_BV_UNREADABLE] ? KS_EXIT_PARTIAL : KS_EXIT_OK;
}

enum { GENS_POLICY, GENS_ADVISE, GENS_ADD };

static int gens_main(int argc, char **argv, int mode)
{
    int advise = mode == GENS_ADVISE;
    gens l = {0};
    const char *system = "-", *case_path = NULL, *yara = NULL, *clamav = NULL;
    ks_backup_malware *mw = NULL;
    ks_case *c = NULL;
    unsigned flags = 0;
    int64_t intrusion = 0, now = (int64_t)time(NULL) * 1000000000ll;
    double margin_h = 24;
    int has_intrusion = 0, jsonl = 0, rc = KS_EXIT_USAGE;
    ks_backup_policy pol = KS_BACKUP_POLICY_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        gen_arg *last = l.n ? &l.v[l.n - 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_gens_ja : help_gens_en, stdout);
            rc = KS_EXIT_OK;
            goto out;
        }
        int ok = 1, m;
        if (mode == GENS_ADD && strcmp(a, "--quick") == 0) {
            flags |= KS_BACKUP_QUICK;
        } else if (!v && a[0] == '-') {
            ok = 0;
        } else if (mode == GENS_ADD && strcmp(a, "--yara") == 0) {
            yara = v;
            i++;
        } else if (mode == GENS_ADD && strcmp(a, "--clamav-db") == 0) {
            clamav = v;
            i++;
        } else if (strcmp(a, "--taken") == 0) {
            ok = last && parse_time(v, &last->taken);
            if (ok) last->has_taken = 1;
            i++;
        } else if (strcmp(a, "--media") == 0) {
            ok = last && (m = ks_backup_media_find(v)) >= 0;
            if (ok) last->media = (ks_backup_media)m;
            i++;
        } else if (strcmp(a, "--system") == 0) {
            system = v;
            i++;
        } else if (strcmp(a, "--case") == 0) {
            case_path = v;
            i++;
        } else if (advise && strcmp(a, "--intrusion") == 0) {
            ok = has_intrusion = parse_time(v, &intrusion);
            i++;
        } else if (advise && strcmp(a, "--margin") == 0) {
            margin_h = strtod(v, &end);
            ok = end && !*end && margin_h >= 0 && margin_h < 24 * 3650;
            i++;
        } else if (advise && strcmp(a, "--format") == 0) {
            ok = strcmp(v, "jsonl") == 0 || strcmp(v, "table") == 0;
            jsonl = strcmp(v, "jsonl") == 0;
            i++;
        } else if (mode == GENS_POLICY && strcmp(a, "--now") == 0) {
            ok = parse_time(v, &now);
            i++;
        } else if (mode == GENS_POLICY &&
                   (strcmp(a, "--daily") == 0 || strcmp(a, "--weekly") == 0 ||
                    strcmp(a, "--monthly") == 0 || strcmp(a, "--offline") == 0)) {
            unsigned long k = strtoul(v, &end, 10);
            ok = end && !*end && k <= 1000;
            unsigned *dst = a[2] == 'd'   ? &pol.daily
                            : a[2] == 'w' ? &pol.weekly
                            : a[2] == 'm' ? &pol.monthly
                                          : &pol.offline;
            *dst = (unsigned)k;
            i++;
        } else if (a[0] == '-') {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            goto out;
        } else if (!(last = gens_push(&l))) {
            rc = KS_EXIT_FAIL;
            goto out;
        } else {
            last->path = a;
            last->system = system;
        }
        if (!ok) {
            fprintf(stderr, "%s: %s\n", a, "missing or invalid value (see --help)");
            goto out;
        }
    }
    for (size_t i = 0; i < l.n; i++)
        if (!l.v[i].has_taken) {
            fprintf(stderr, "%s: --taken TIME is required after each generation\n", l.v[i].path);
            goto out;
        }
    if (mode == GENS_ADD && (!case_path || !l.n)) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_gens_ja : help_gens_en, stderr);
        goto out;
    }
    if (case_path) {
        ks_diag d = {0};
        ks_status st = mode == GENS_ADD ? ks_case_open(&c, case_path, &d)
                                        : ks_case_open_query(&c, case_path, &d);
        if (st != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), case_path, d.what);
            rc = KS_EXIT_FAIL;
            goto out;
        }
        if (advise && !has_intrusion &&
            !(has_intrusion = intrusion_of_case(c, case_path, &intrusion)))
            goto out;
    }
    if (mode == GENS_ADD) {
        /* in time order, so that each one is compared with the one before */
        qsort(l.v, l.n, sizeof *l.v, cmp_taken);
        if ((rc = open_malware(yara, clamav, &mw)) != KS_EXIT_OK) goto out;
        for (size_t i = 0; i < l.n; i++) {
            int r = add_one(c, &l.v[i], flags, mw);
            if (r > rc) rc = r;
        }
        goto out;
    }
    if (c) {
        ks_diag d = {0};
        if (ks_case_backup_list(c, NULL, INT64_MAX, on_case_gen, &l, &d) != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), case_path, d.what);
            rc = KS_EXIT_FAIL;
            goto out;
        }
    }
    if (!l.n || (advise && !has_intrusion)) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_gens_ja : help_gens_en, stderr);
        goto out;
    }
    rc = KS_EXIT_OK;
    gen_arg *g = l.v;
    size_t n = l.n;
    qsort(g, n, sizeof *g, cmp_taken);
    for (size_t s0 = 0; s0 < n;) {
        size_t s1 = s0;
        while (s1 < n && strcmp(g[s1].system, g[s0].system) == 0) s1++;
        size_t k = s1 - s0;
        int64_t *taken = calloc(k, sizeof *taken);
        ks_backup_media *media = calloc(k, sizeof *media);
        ks_backup_gen_verdict *verdicts = calloc(k, sizeof *verdicts);
        if (!taken || !media || !verdicts) {
            free(taken), free(media), free(verdicts);
            rc = KS_EXIT_FAIL;
            break;
        }
        for (size_t i = 0; i < k; i++) taken[i] = g[s0 + i].taken, media[i] = g[s0 + i].media;
        const char *sys = g[s0].system;
        if (!advise) {
            ks_backup_policy_result r;
            ks_backup_policy_check(&pol, taken, media, k, now, &r);
            if (r.ok)
                printf(ks_msg(KS_MSG_BACKUP_POLICY_OK), sys, (unsigned)k, r.daily, r.weekly,
                       r.monthly, r.offline);
            else
                printf(ks_msg(KS_MSG_BACKUP_POLICY_MISSING), sys, (unsigned)k, r.missing);
            if (!r.ok && rc == KS_EXIT_OK) rc = KS_EXIT_PARTIAL;
        } else {
            int failed = 0;
            for (size_t i = 0; i < k && !failed; i++) {
                ks_diag d = {0};
                gen_arg *x = &g[s0 + i];
                verdicts[i] = x->gen.verdict;
                if (x->case_id) continue; /* judged when it was added */
                if (i && need_index(c, &g[s0 + i - 1]) != 0) {
                    failed = 1;
                    break;
                }
                ks_status st = ks_backup_scan(x->path, i ? g[s0 + i - 1].idx : NULL, 0, NULL, NULL,
                                              &x->gen, &x->idx, &d);
                if (st != KS_OK) {
                    fprintf(stderr, ks_msg(KS_MSG_BACKUP_CANNOT_SCAN), x->path,
                            d.what[0] ? d.what : ks_status_str(st));
                    failed = 1;
                }
                verdicts[i] = x->gen.verdict;
            }
            if (failed) {
                rc = KS_EXIT_FAIL;
            } else {
                size_t best, bad;
                int64_t margin = (int64_t)(margin_h * 3600.0) * 1000000000ll;
                char t1[48], t2[48];
                ks_backup_choose(taken, verdicts, k, intrusion, margin, &best, &bad);
                if (best == SIZE_MAX) {
                    fmt_time(t1, sizeof t1, intrusion);
                    printf(ks_msg(KS_MSG_BACKUP_NO_RESTORE), sys, margin_h, t1);
                    if (rc == KS_EXIT_OK) rc = KS_EXIT_PARTIAL;
                } else {
                    fmt_time(t1, sizeof t1, taken[best]);
                    if (jsonl)
                        printf("{\"type\":\"advice\",\"system\":\"%s\",\"restore\":\"%s\","
                               "\"taken\":\"%s\"}\n",
                               sys, g[s0 + best].path, t1);
                    else
                        printf(ks_msg(KS_MSG_BACKUP_RESTORE), sys, g[s0 + best].path, t1, margin_h);
                }
                if (bad != SIZE_MAX) {
                    gen_arg *b = &g[s0 + bad];
                    fmt_time(t2, sizeof t2, taken[bad]);
                    ks_msg_id w = b->gen.verdict == KS_BG_ENCRYPTED    ? KS_MSG_BACKUP_G_ENCRYPTED
                                  : b->gen.verdict == KS_BG_SUSPICIOUS ? KS_MSG_BACKUP_G_SUSPICIOUS
                                                                       : KS_MSG_BACKUP_G_CLEAN;
                    if (!jsonl && b->gen.verdict != KS_BG_CLEAN)
                        printf(ks_msg(KS_MSG_BACKUP_FIRST_BAD), b->path, t2, ks_msg(w),
                               b->gen.reason);
                    if (best != SIZE_MAX &&
                        (need_index(c, &g[s0 + best]) != 0 || need_index(c, b) != 0))
                        rc = KS_EXIT_FAIL;
                    else if (best != SIZE_MAX) {
                        diff_out o = {.jsonl = jsonl, .system = sys};
                        ks_backup_diff(g[s0 + best].idx, b->idx, on_change, &o);
                        if (!jsonl)
                            printf(ks_msg(KS_MSG_BACKUP_DIFF), g[s0 + best].path, b->path,
                                   (unsigned long long)o.n[KS_BD_ADDED],
                                   (unsigned long long)o.n[KS_BD_REMOVED],
                                   (unsigned long long)o.n[KS_BD_MODIFIED],
                                   (unsigned long long)o.n[KS_BD_ENCRYPTED]);
                        o.f = stdout;
                        ks_backup_diff(g[s0 + best].idx, b->idx, on_change, &o);
                        ks_buf_free(&o.b);
                    }
                }
            }
        }
        free(taken), free(media), free(verdicts);
        s0 = s1;
    }
out:
    for (size_t i = 0; i < l.n; i++) {
        ks_backup_index_free(&l.v[i].idx);
        free(l.v[i].owned);
    }
    free(l.v);
    ks_backup_malware_close(&mw);
    ks_case_close(&c);
    if (fflush(stdout) != 0) rc = KS_EXIT_FAIL;
    return rc;
}

int cmd_backup(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "scan") == 0) return scan_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "add") == 0) return gens_main(argc - 1, argv + 1, GENS_ADD);
    if (argc >= 2 && strcmp(argv[1], "advise") == 0)
        return gens_main(argc - 1, argv + 1, GENS_ADVISE);
    if (argc >= 2 && strcmp(argv[1], "policy") == 0)
        return gens_main(argc - 1, argv + 1, GENS_POLICY);
    FILE *f = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? stdout
                                                                                          : stderr;
    fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, f);
    fputc('\n', f);
    fputs(ks_lang_get() == KS_LANG_JA ? help_gens_ja : help_gens_en, f);
    return f == stdout ? KS_EXIT_OK : KS_EXIT_USAGE;
}
