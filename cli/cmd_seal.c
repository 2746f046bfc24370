/* kensa seal, verify, prove, verify-proof: the sealed log archive from the command
 * line (argument parsing and printing; the work is in src/seal/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "kensa/kensa.h"
#include "kensa/seal.h"

static const char seal_en[] =
    "usage: kensa seal --archive DIR [--key KEYFILE] [--through YYYY-MM-DD] [--tz ZONE]\n"
    "                  [--year YYYY] EVIDENCE...\n"
    "\n"
    "Adds evidence (files or folders of .evtx, exports and syslog) to a sealed archive\n"
    "that shows any later change. The archive is kept by UTC day: each original file\n"
    "byte for byte (zstd), a Merkle tree (RFC 6962) over the day's records (each EVTX\n"
    "record, each event's bytes in text logs) and files, and a checkpoint signed with\n"
    "Ed25519 that commits to the day before. Weeks and months get their own roots.\n"
    "A day without logs is sealed too, so a missing day shows.\n"
    "\n"
    "Each day is signed with its own key. The key file holds only the secret of the\n"
    "next day to seal, from which the days after it follow, never the days before;\n"
    "it is overwritten once a day is sealed. Whoever takes the machine later cannot\n"
    "re-sign a sealed day. Every day's key is certified, when the archive is created,\n"
    "by the archive key, which is printed then (ks2-...): keep it away from the\n"
    "archive; verification and proofs need only it.\n"
    "\n"
    "A record goes to the day of its own time. Records without one (headers, lines\n"
    "kensa cannot read) go with the record before them; records of days sealed\n"
    "already go to the first new day. Evidence files are only read.\n"
    "\n"
    "options:\n"
    "  --archive DIR        the archive (created if absent)\n"
    "  --key KEYFILE        the signing key file (default DIR/signing.key;\n"
    "                       keep it off the medium the archive is burned to)\n"
    "  --through YYYY-MM-DD also seal the days up to this one, with or without logs\n"
    "                       (at most today)\n"
    "  --tz ZONE, --year Y  for syslog times, as kensa dump\n"
    "\n"
    "exit status: 0 sealed; 1 some files could not be read (see stderr); 2 bad\n"
    "arguments; 3 nothing could be sealed.\n"
    "\n"
    "example (every night after midnight):\n"
    "  kensa seal --archive /srv/seal --key /root/seal.key --through yesterday \\\n"
    "      /var/log/vpn/ /srv/collected/evtx/\n";

static const char seal_ja[] =
    "使い方: kensa seal --archive フォルダ [--key 鍵ファイル] [--through 年-月-日]\n"
    "                  [--tz ゾーン] [--year 年] 証拠...\n"
    "\n"
    "証拠 (.evtx、エクスポート、syslog のファイルやフォルダ) を、後からの変更がすべて\n"
    "分かる封印アーカイブに加えます。アーカイブは UTC の日ごとに、元のファイルそのもの\n"
    "(zstd で圧縮)、その日のレコード (EVTX のレコード、テキストのログではイベントごとの\n"
    "バイト列) とファイルの Merkle 木 (RFC 6962)、前日を含めて Ed25519 で署名した\n"
    "チェックポイントを持ちます。週と月にも根を作ります。ログのない日も封印するので、\n"
    "日が抜ければ分かります。\n"
    "\n"
    "日ごとに別の鍵で署名します。鍵ファイルには次に封印する日の秘密だけがあり、そこから\n"
    "は後の日の鍵しか作れません。日を封印するたびに上書きします。後でマシンを乗っ取って\n"
    "も、封印済みの日に署名し直すことはできません。各日の鍵はアーカイブ作成時に\n"
    "アーカイブ鍵 (ks2-...) で証明され、その鍵をそのとき表示します。アーカイブとは別に\n"
    "保管してください。検証と証明に必要なのはこの鍵だけです。\n"
    "\n"
    "レコードは自身の時刻の日に入ります。時刻のないもの (ヘッダ、読めない行) は直前の\n"
    "レコードと同じ日に、封印済みの日のレコードは最初の新しい日に入ります。証拠の\n"
    "ファイルは読むだけです。\n"
    "\n"
    "オプション:\n"
    "  --archive フォルダ   アーカイブ (なければ作成)\n"
    "  --key 鍵ファイル     署名鍵のファイル (既定は フォルダ/signing.key。アーカイブを\n"
    "                       書き込む媒体には入れないでください)\n"
    "  --through 年-月-日   この日まで、ログの有無にかかわらず封印する (今日まで)\n"
    "  --tz ゾーン、--year 年  syslog の時刻の解釈 (kensa dump と同じ)\n"
    "\n"
    "終了コード: 0 封印した、1 読めないファイルがあった (標準エラーを参照)、2 引数の誤り、\n"
    "3 封印できなかった。\n"
    "\n"
    "例 (毎晩 0 時過ぎに):\n"
    "  kensa seal --archive /srv/seal --key /root/seal.key --through yesterday \\\n"
    "      /var/log/vpn/ /srv/collected/evtx/\n";

static const char verify_en[] =
    "usage: kensa verify --archive DIR --key PUBKEY [--until YYYY-MM-DD]\n"
    "\n"
    "Checks a sealed archive offline: every checkpoint's signature by a day key that\n"
    "the archive key certifies for that day, the chain of days, that no day is\n"
    "missing, every stored file and every record against the signed trees, weeks and\n"
    "months, and the list of day keys. Only reads the archive.\n"
    "Reports the first damaged day and the records affected, or that all is intact.\n"
    "\n"
    "options:\n"
    "  --key PUBKEY          the archive key (ks2-...), or a file holding it\n"
    "  --until YYYY-MM-DD    the archive must reach this day (a cut or rolled-back\n"
    "                        archive ends early)\n"
    "\n"
    "exit status: 0 intact; 1 tampered or damaged; 2 bad arguments; 3 not readable.\n";

static const char verify_ja[] =
    "使い方: kensa verify --archive フォルダ --key 公開鍵 [--until 年-月-日]\n"
    "\n"
    "封印アーカイブをオフラインで検証します: アーカイブ鍵がその日の鍵と証明した鍵による\n"
    "各チェックポイントの署名と日の連鎖、日の抜けがないこと、保存したファイルとレコードの\n"
    "すべてが署名済みの木と一致すること、週と月の根、日の鍵の一覧。アーカイブは読むだけ\n"
    "です。最初に損傷のあった日と\n"
    "該当するレコード、またはすべて改ざんがないことを報告します。\n"
    "\n"
    "オプション:\n"
    "  --key 公開鍵          アーカイブ鍵 (ks2-...) またはそのファイル\n"
    "  --until 年-月-日      アーカイブはこの日まであるはず (切り詰めや巻き戻しを検出)\n"
    "\n"
    "終了コード: 0 改ざんなし、1 改ざんまたは損傷、2 引数の誤り、3 読めない。\n";

static const char prove_en[] =
    "usage: kensa prove --archive DIR [-o PROOF] YYYY-MM-DD#N | FILE#RECORDID\n"
    "\n"
    "Writes a proof that one record is in the sealed archive: record N (from 0) of a\n"
    "day, or the record of an original file with that record id (EventRecordID; the\n"
    "line of the event for text logs). Anyone can check it with kensa verify-proof and\n"
    "the archive key, without the archive. A proof is the record, its audit path and\n"
    "the day's signed checkpoint: at most 1.5 KB even for a day of 2^30 records, on\n"
    "any day of the archive.\n";

static const char prove_ja[] =
    "使い方: kensa prove --archive フォルダ [-o 証明] 年-月-日#N | ファイル#レコードID\n"
    "\n"
    "あるレコードが封印アーカイブに含まれることの証明を書き出します: ある日の N 番目\n"
    "(0 から) のレコード、または元のファイルのレコード ID (EventRecordID。テキストの\n"
    "ログではイベントの行) のレコード。kensa verify-proof とアーカイブ鍵があれば、\n"
    "アーカイブなしで誰でも確認できます。証明はレコード、監査パス、その日の署名済み\n"
    "チェックポイントからなり、2^30 件の日でも、アーカイブのどの日でも 1.5 KB 以下です。\n";

static const char vproof_en[] = "usage: kensa verify-proof --key PUBKEY PROOF\n"
                                "\n"
                                "Checks a proof written by kensa prove against the archive "
                                "key (ks2-...).\n"
                                "exit status: 0 the proof holds; 1 it does not; 2 bad "
                                "arguments; 3 not readable.\n";

static const char vproof_ja[] = "使い方: kensa verify-proof --key 公開鍵 証明\n"
                                "\n"
                                "kensa prove の証明をアーカイブ鍵 (ks2-...) で確認します。\n"
                                "終了コード: 0 有効、1 無効、2 引数の誤り、3 読めない。\n";

static int help(const char *en, const char *ja, FILE *f, int code)
{
    fputs(ks_lang_get() == KS_LANG_JA ? ja : en, f);
    return code;
}

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* "YYYY-MM-DD", or "today" / "yesterday" (UTC). */
static int parse_day(const char *s, int64_t *day)
{
    int64_t today = (int64_t)time(NULL) / 86400;
    if (strcmp(s, "today") == 0)
        *day = today;
    else if (strcmp(s, "yesterday") == 0)
        *day = today - 1;
    else
        return ks_seal_day_parse(s, day);
    return 0;
}

/* --key of verify and verify-proof; a message when it is not a key. */
static int parse_key(const char *text, uint8_t key[KS_SEAL_KEY_SIZE])
{
    ks_status st = ks_seal_key_parse(text, key);
    if (st == KS_OK) return 0;
    fprintf(stderr, ks_msg(st == KS_ERR_UNSUPPORTED ? KS_MSG_SEAL_OLD_KEY : KS_MSG_SEAL_BAD_KEY),
            text);
    return -1;
}

static void on_problem(void *ctx, const ks_problem *p)
{
    int *bad = ctx;
    if (p->severity == KS_SEV_ERROR) (*bad)++;
    fprintf(stderr, ks_msg(KS_MSG_SKIPPED_FILE), p->file, p->what);
}

int cmd_seal(int argc, char **argv)
{
    ks_seal_opts o;
    memset(&o, 0, sizeof o);
    o.through_day = INT64_MIN;
    const char *dir = NULL;
    const char **ev = calloc((size_t)argc + 1, sizeof *ev);
    size_t nev = 0;
    int bad = 0;
    if (!ev) return KS_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) {
            free(ev);
            return help(seal_en, seal_ja, stdout, KS_EXIT_OK);
        } else if (strcmp(a, "--archive") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(a, "--key") == 0 && i + 1 < argc) {
            o.key_path = argv[++i];
        } else if (strcmp(a, "--through") == 0 && i + 1 < argc) {
            if (parse_day(argv[++i], &o.through_day) != 0) {
                fprintf(stderr, "--through: YYYY-MM-DD\n");
                free(ev);
                return KS_EXIT_USAGE;
            }
        } else if (strcmp(a, "--tz") == 0 && i + 1 < argc) {
            o.source.tz = argv[++i];
        } else if (strcmp(a, "--year") == 0 && i + 1 < argc) {
            if (cli_year(argv[++i], &o.source.year) != 0) {
                free(ev);
                return KS_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            free(ev);
            return KS_EXIT_USAGE;
        } else {
            ev[nev++] = a;
        }
    }
    if (!dir) {
        free(ev);
        return help(seal_en, seal_ja, stderr, KS_EXIT_USAGE);
    }
    o.source.on_problem = on_problem;
    o.source.ctx = &bad;
    ks_seal_stats st;
    ks_diag d = {0};
    ks_status s = ks_seal(dir, ev, nev, &o, &st, &d);
    free(ev);
    if (s != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_SEAL_FAILED), d.what[0] ? d.what : ks_status_str(s));
        return KS_EXIT_FAIL;
    }
    if (st.created) {
        char key[96];
        ks_seal_key_format(st.archive_key, key);
        printf(ks_msg(KS_MSG_SEAL_CREATED), dir, key, dir);
    }
    if (st.days == 0) {
        printf(ks_msg(KS_MSG_SEAL_NOTHING), dir);
    } else {
        char a[16], b[16];
        ks_seal_day_format(st.first_day, a);
        ks_seal_day_format(st.last_day, b);
        printf(ks_msg(KS_MSG_SEAL_SUMMARY), (unsigned long long)st.files,
               (unsigned long long)st.records, (unsigned long long)st.days, a, b,
               (unsigned long long)st.late, (unsigned long long)st.untimed);
    }
    return bad ? KS_EXIT_PARTIAL : KS_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
    const char *dir = NULL, *keytext = NULL;
    int64_t until = INT64_MIN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) return help(verify_en, verify_ja, stdout, KS_EXIT_OK);
        if (strcmp(a, "--archive") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(a, "--key") == 0 && i + 1 < argc) {
            keytext = argv[++i];
        } else if (strcmp(a, "--until") == 0 && i + 1 < argc) {
            if (parse_day(argv[++i], &until) != 0) {
                fprintf(stderr, "--until: YYYY-MM-DD\n");
                return KS_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            return KS_EXIT_USAGE;
        }
    }
    if (!dir || !keytext) return help(verify_en, verify_ja, stderr, KS_EXIT_USAGE);
    uint8_t key[KS_SEAL_KEY_SIZE];
    if (parse_key(keytext, key) != 0) return KS_EXIT_USAGE;
    ks_verify_result r;
    ks_status s = ks_seal_verify(dir, key, until, &r);
    if (s != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), dir, ks_status_str(s));
        return KS_EXIT_FAIL;
    }
    char a[16], b[16];
    if (r.intact) {
        ks_seal_day_format(r.first_day, a);
        ks_seal_day_format(r.last_day, b);
        printf(ks_msg(KS_MSG_VERIFY_INTACT), (unsigned long long)r.days, a, b,
               (unsigned long long)r.empty_days, (unsigned long long)r.records,
               (unsigned long long)r.files, (double)r.bytes / 1e6);
        return KS_EXIT_OK;
    }
    if (r.bad_day == INT64_MIN)
        snprintf(a, sizeof a, "-");
    else
        ks_seal_day_format(r.bad_day, a);
    printf(ks_msg(KS_MSG_VERIFY_DAMAGED), a, r.what);
    if (r.rec_first != UINT64_MAX)
        printf(ks_msg(KS_MSG_VERIFY_RANGE), (unsigned long long)r.rec_first,
               (unsigned long long)r.rec_last);
    if (r.file[0]) printf(ks_msg(KS_MSG_VERIFY_FILE), r.file);
    if (r.days) printf(ks_msg(KS_MSG_VERIFY_BEFORE), (unsigned long long)r.days);
    return KS_EXIT_PARTIAL;
}

int cmd_prove(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL, *what = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) return help(prove_en, prove_ja, stdout, KS_EXIT_OK);
        if (strcmp(a, "--archive") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            return KS_EXIT_USAGE;
        } else {
            what = a;
        }
    }
    const char *hash = what ? strrchr(what, '#') : NULL;
    if (!dir || !hash || !hash[1]) return help(prove_en, prove_ja, stderr, KS_EXIT_USAGE);
    char *end;
    unsigned long long num = strtoull(hash + 1, &end, 10);
    if (*end) return help(prove_en, prove_ja, stderr, KS_EXIT_USAGE);
    char left[4096];
    snprintf(left, sizeof left, "%.*s", (int)(hash - what), what);
    int64_t day;
    uint64_t index = num;
    ks_diag d = {0};
    ks_status s = KS_OK;
    if (ks_seal_day_parse(left, &day) != 0) s = ks_seal_find(dir, left, num, &day, &index, &d);
    ks_buf b = {0};
    if (s == KS_OK) s = ks_seal_prove(dir, day, index, &b, &d);
    if (s != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_SEAL_FAILED), d.what[0] ? d.what : ks_status_str(s));
        ks_buf_free(&b);
        return KS_EXIT_FAIL;
    }
    FILE *f = out ? fopen(out, "wb") : stdout;
    bool ok = f && fwrite(b.data, 1, b.len, f) == b.len;
    if (f && out && fclose(f) != 0) ok = false;
    /* magic, index, entry, content hash, path length, path; the checkpoint after */
    size_t inclusion = b.len > 80 ? 81 + (size_t)(uint8_t)b.data[80] * KS_HASH_SIZE : b.len;
    if (inclusion > b.len) inclusion = b.len;
    size_t chain = b.len - inclusion;
    ks_buf_free(&b);
    if (!ok) {
        fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), out ? out : "-", "cannot write");
        return KS_EXIT_FAIL;
    }
    char dn[16];
    ks_seal_day_format(day, dn);
    if (out) printf(ks_msg(KS_MSG_PROOF_WRITTEN), dn, (unsigned long long)index, inclusion, chain);
    return KS_EXIT_OK;
}

int cmd_verify_proof(int argc, char **argv)
{
    const char *keytext = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) return help(vproof_en, vproof_ja, stdout, KS_EXIT_OK);
        if (strcmp(a, "--key") == 0 && i + 1 < argc) {
            keytext = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            return KS_EXIT_USAGE;
        } else {
            file = a;
        }
    }
    if (!keytext || !file) return help(vproof_en, vproof_ja, stderr, KS_EXIT_USAGE);
    uint8_t key[KS_SEAL_KEY_SIZE];
    if (parse_key(keytext, key) != 0) return KS_EXIT_USAGE;
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), file, "cannot open");
        return KS_EXIT_FAIL;
    }
    ks_buf b = {0};
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (64u << 20))
        ks_buf_append(&b, chunk, k);
    if (f != stdin) fclose(f);
    ks_seal_proof_info info;
    ks_diag d = {0};
    ks_status s = ks_seal_verify_proof(b.data, b.len, key, &info, &d);
    ks_buf_free(&b);
    if (s != KS_OK) {
        printf(ks_msg(KS_MSG_PROOF_BAD), d.what[0] ? d.what : ks_status_str(s));
        return KS_EXIT_PARTIAL;
    }
    char dn[16], hex[65];
    ks_seal_day_format(info.day, dn);
    for (int i = 0; i < KS_HASH_SIZE; i++) snprintf(hex + 2 * i, 3, "%02x", info.content[i]);
    printf(ks_msg(KS_MSG_PROOF_OK), dn, (unsigned long long)info.index,
           (unsigned long long)info.record_id, info.file, (unsigned long long)info.offset,
           info.size, hex);
    return KS_EXIT_OK;
}
