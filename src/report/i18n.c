/* The message catalogue (ja, en); see include/kensa/i18n.h. */
#include <stdlib.h>
#include <string.h>

#include "kensa/i18n.h"

static ks_lang current = KS_LANG_EN;

static const char *const catalogue[KS_MSG_COUNT][2] = {
    [KS_MSG_FILE_SUMMARY] =
        {"%s: %llu records read (%llu recovered from overwritten data), "
         "%llu skipped; %u chunks (%u unreadable, %u with checksum mismatch, "
         "%u unused)\n",
         "%s: %llu 件のレコードを読み込み (うち上書き跡からの復元 %llu 件)、"
         "%llu 件をスキップ。チャンク %u 個 (読めないもの %u、チェックサム不一致 "
         "%u、未使用 %u)\n"},
    [KS_MSG_TOTAL_SUMMARY] = {"total: %u files, %llu records read, %llu skipped, %u files "
                              "could not be read\n",
                              "合計: %u ファイル、%llu 件を読み込み、%llu 件をスキップ、"
                              "読めなかったファイル %u\n"},
    [KS_MSG_PROBLEM_ERROR] = {"%s: offset %llu (chunk %s): error: %s\n",
                              "%s: オフセット %llu (チャンク %s): エラー: %s\n"},
    [KS_MSG_PROBLEM_WARN] = {"%s: offset %llu (chunk %s): warning: %s\n",
                             "%s: オフセット %llu (チャンク %s): 警告: %s\n"},
    [KS_MSG_CANNOT_READ] = {"%s: cannot be read: %s\n", "%s: 読み込めません: %s\n"},
    [KS_MSG_PROGRESS] = {"\r%s: %3u%% (%u/%u chunks)", "\r%s: %3u%% (チャンク %u/%u)"},
    [KS_MSG_NOTHING_FOUND] = {"%s: no event log files found here\n",
                              "%s: イベントログのファイルが見つかりません\n"},
    [KS_MSG_SOURCE_SUMMARY] = {"%s: %llu events read (%s, %s), %llu lines skipped, %llu lines "
                               "of no known device, %llu lines without events\n",
                               "%s: %llu 件を読み込み (%s、%s)、スキップ %llu 行、"
                               "機器を特定できない行 %llu、イベントのない行 %llu\n"},
    [KS_MSG_EVENTS_SUMMARY] = {"%s: %llu events read, %llu skipped\n",
                               "%s: %llu 件を読み込み、%llu 件をスキップ\n"},
    [KS_MSG_ASSUMED] = {"%s: assumed: %s\n", "%s: 推定した内容: %s\n"},
    [KS_MSG_SKIPPED_FILE] = {"%s: skipped: %s\n", "%s: スキップしました: %s\n"},
    [KS_MSG_PROBLEM_LINE] = {"%s: line %llu: %s: %.*s\n", "%s: %llu 行目: %s: %.*s\n"},
    [KS_MSG_MORE_PROBLEMS] = {"%s: %llu more problems not shown\n",
                              "%s: ほかに %llu 件の問題があります (表示を省略)\n"},
    [KS_MSG_XML_ONLY_EVTX] =
        {"%s: only EVTX files can be written as Event XML; this file is %s "
         "(use --format events)\n",
         "%s: Event XML で出力できるのは EVTX ファイルだけです。このファイルは "
         "%s です (--format events を使ってください)\n"},
    [KS_MSG_UNKNOWN_OPTION] = {"unknown option: %s (see --help)\n",
                               "不明なオプションです: %s (--help を参照)\n"},
    [KS_MSG_INGEST_SUMMARY] = {"%s: %llu events read, %llu new, %llu already in the case, %llu "
                               "skipped (%s, SHA-256 %s)\n",
                               "%s: %llu 件を読み込み、新規 %llu 件、登録済み %llu 件、スキップ "
                               "%llu 件 (%s、SHA-256 %s)\n"},
    [KS_MSG_INGEST_ALREADY] = {"%s: already in the case (SHA-256 %s); nothing added\n",
                               "%s: このケースに登録済みです (SHA-256 %s)。追加はありません\n"},
    [KS_MSG_INGEST_RESUMED] = {"%s: completing an ingest that was interrupted\n",
                               "%s: 中断された取り込みを再開します\n"},
    [KS_MSG_INGEST_CHANGED] = {"%s: WARNING: the file changed while it was read (SHA-256 before: "
                               "%s); copy it and ingest the copy\n",
                               "%s: 警告: 読み込み中にファイルが変更されました (読み込み前の "
                               "SHA-256: %s)。コピーを取って、そのコピーを取り込んでください\n"},
    [KS_MSG_INGEST_PROGRESS] = {"\r%s: %3u%% (%llu events)", "\r%s: %3u%% (%llu 件)"},
    [KS_MSG_INGEST_HASHING] = {"\r%s: SHA-256 %3u%%", "\r%s: SHA-256 を計算中 %3u%%"},
    [KS_MSG_INGEST_TOTAL] = {"total: %u files, %llu events read, %llu new, %llu already in the "
                             "case, %llu skipped, %u files could not be read\n",
                             "合計: %u ファイル、%llu 件を読み込み、新規 %llu 件、登録済み %llu "
                             "件、スキップ %llu 件、読めなかったファイル %u\n"},
    [KS_MSG_CASE_TOTAL] = {"%s: the case holds %llu events from %llu evidence files (%llu "
                           "incomplete)\n",
                           "%s: ケースのイベントは %llu 件、証拠ファイルは %llu 個 (未完了 "
                           "%llu 個)\n"},
    [KS_MSG_CASE_CANNOT_OPEN] = {"%s: cannot open the case: %s\n", "%s: ケースを開けません: %s\n"},
    [KS_MSG_QUERY_ERROR] = {"query error: %s\n", "クエリのエラー: %s\n"},
    [KS_MSG_QUERY_ROWS] = {"(%llu rows)\n", "(%llu 行)\n"},
    [KS_MSG_CASE_FINDINGS] =
        {"%zu findings of %s stored in %s (SQL: SELECT * FROM findings)\n",
         "検出 %zu 件 (%s) を %s に保存しました (SQL: SELECT * FROM findings)\n"},
    [KS_MSG_CASE_NO_ESTIMATE] =
        {"%s: the case holds no intrusion time (kensa investigate "
         "--case stores it when it finds one); give --intrusion TIME\n",
         "%s: ケースに侵入時刻がありません (kensa investigate --case が"
         "見つけたときに保存します)。--intrusion 時刻 を指定してください\n"},
    [KS_MSG_HUNT_SUMMARY] = {"%llu findings from %llu events in %u files (%u could not be read)\n",
                             "検出 %llu 件 (イベント %llu 件、ファイル %u 個、読めなかったファイル "
                             "%u 個)\n"},
    [KS_MSG_HUNT_DROPPED] =
        {"warning: %llu accounts or sources were not tracked (too many at "
         "once); some bursts may be missed\n",
         "警告: アカウントまたは接続元 %llu 個を追跡できませんでした (同時に多すぎ"
         "ます)。見逃した連続失敗があるかもしれません\n"},
    [KS_MSG_HUNT_BAD_SET] = {"--set: %s\n", "--set: %s\n"},
    [KS_MSG_HUNT_HEADER] = {"times in %s\n\n", "時刻は %s\n\n"},
    [KS_MSG_HUNT_SETUP] = {"cannot start the detectors: %s\n", "検出器を開始できません: %s\n"},
    [KS_MSG_HUNT_SPILL] = {"cannot keep the findings in a temporary file in %s (set TMPDIR to "
                           "another folder): %s\n",
                           "検出結果を一時ファイルに保存できません (%s。TMPDIR で別のフォルダを"
                           "指定してください): %s\n"},
    [KS_MSG_HUNT_EVIDENCE] = {"  evidence (%llu events): %s\n", "  証拠 (イベント %llu 件): %s\n"},
    [KS_MSG_EVTX_CHUNK_IO] = {"cannot read chunk %u: %s", "チャンク %u を読めません: %s"},
    [KS_MSG_EVTX_CHUNK_CUT_HEADER] =
        {"chunk %u is cut off after %zu bytes, before its records start",
         "チャンク %u は %zu バイトで途切れていて、レコードがありません"},
    [KS_MSG_EVTX_CHUNK_NO_SIGNATURE] =
        {"chunk %u has no \"ElfChnk\" signature; its records are not read",
         "チャンク %u に \"ElfChnk\" のシグネチャがないため、そのレコードは読みません"},
    [KS_MSG_EVTX_CHUNK_HEADER_CRC] =
        {"chunk %u header checksum mismatch (stored 0x%08x, computed 0x%08x); records read anyway",
         "チャンク %u のヘッダのチェックサムが一致しません (記録値 0x%08x、計算値 "
         "0x%08x)。レコードは読みます"},
    [KS_MSG_EVTX_CHUNK_FREE_OFFSET] =
        {"chunk %u free-space offset 0x%x is invalid; records are read up to the first gap",
         "チャンク %u の空き領域オフセット 0x%x が不正です。最初の空きまでレコードを読みます"},
    [KS_MSG_EVTX_CHUNK_CUT] =
        {"chunk %u is cut off after %u of %u bytes; the records that are complete are read",
         "チャンク %u は %u バイト目で途切れています (本来 %u バイト)。完全なレコードは読みます"},
    [KS_MSG_EVTX_CHUNK_DATA_CRC] =
        {"chunk %u records checksum mismatch (stored 0x%08x, computed 0x%08x); records read anyway",
         "チャンク %u のレコード部のチェックサムが一致しません (記録値 0x%08x、計算値 "
         "0x%08x)。レコードは読みます"},
    [KS_MSG_EVTX_PAST_FREE] =
        {"record past the chunk's free-space offset (header not updated); read",
         "チャンクの空き領域オフセットより後ろのレコードです (ヘッダ未更新)。読みます"},
    [KS_MSG_EVTX_NO_RECORD_SIGNATURE] =
        {"no record signature; skipped %u bytes to the next record",
         "レコードのシグネチャがありません。次のレコードまで %u バイトを飛ばしました"},
    [KS_MSG_EVTX_RECORD_CUT] =
        {"record %llu is cut off: %u bytes long, the file ends after %u",
         "レコード %llu は途切れています: 長さ %u バイト、ファイルは残り %u バイトで終わります"},
    [KS_MSG_EVTX_RECORD_SIZE] =
        {"record %llu has an invalid size %u (must be 28 to %u); skipped",
         "レコード %llu のサイズ %u が不正です (28 から %u まで)。スキップしました"},
    [KS_MSG_EVTX_RECORD_SIZE_COPY] =
        {"record %llu size copy %u does not match its size %u",
         "レコード %llu の末尾のサイズ %u が先頭のサイズ %u と一致しません"},
    [KS_MSG_EVTX_RECORD_SKIPPED] = {"record %llu skipped: %s",
                                    "レコード %llu をスキップしました: %s"},
    [KS_MSG_EVTX_RECORD_RECOVERED] = {"record %llu lies outside the chunk's record range %llu-%llu "
                                      "(recovered from partly overwritten data)",
                                      "レコード %llu はチャンクのレコード範囲 %llu-%llu "
                                      "の外にあります (一部上書きされた領域から復元)"},
    [KS_MSG_EVTX_HEADER_DAMAGED] =
        {"file header damaged (no \"ElfFile\" signature); chunks read anyway",
         "ファイルヘッダが壊れています (\"ElfFile\" のシグネチャがありません)。チャンクは読みます"},
    [KS_MSG_EVTX_HEADER_CRC] = {"file header checksum mismatch; chunks read anyway",
                                "ファイルヘッダのチェックサムが一致しません。チャンクは読みます"},
    [KS_MSG_EVTX_FILE_CUT] =
        {"the header counts %u chunks but the file holds %u: it is cut off after %llu bytes",
         "ヘッダではチャンクが %u 個ですが、ファイルには %u 個しかありません: %llu "
         "バイトで途切れています"},
    [KS_MSG_SEAL_CREATED] = {"%s: new archive. Its archive key, which verification needs "
                             "(keep a copy away from the archive, on paper or offline):\n  %s\n"
                             "(also in %s/archive-key.pub)\n",
                             "%s: 新しいアーカイブを作成しました。検証に必要なアーカイブ鍵 "
                             "(アーカイブとは別に、紙やオフラインの媒体に控えてください):\n  %s\n"
                             "(%s/archive-key.pub にも保存しました)\n"},
    [KS_MSG_SEAL_SUMMARY] = {"sealed %llu files, %llu records into %llu days (%s to %s); %llu "
                             "records of days sealed before went to the first new day, %llu "
                             "records without a time of their own\n",
                             "%llu ファイル、%llu レコードを %llu 日分 (%s〜%s) に封印しました。"
                             "封印済みの日のレコード %llu 件は最初の新しい日に、自身の時刻を"
                             "持たないレコードは %llu 件でした\n"},
    [KS_MSG_SEAL_NOTHING] = {"%s: nothing new to seal (days without logs are sealed with "
                             "--through, up to today)\n",
                             "%s: 新たに封印するものはありません (ログのない日は --through で"
                             "今日まで封印できます)\n"},
    [KS_MSG_SEAL_FAILED] = {"seal: %s\n", "封印: %s\n"},
    [KS_MSG_SEAL_BAD_KEY] = {"--key: not an archive key or a file holding one: %s\n",
                             "--key: アーカイブ鍵でもそのファイルでもありません: %s\n"},
    [KS_MSG_SEAL_OLD_KEY] = {"--key: %s is a key of the first archive format (ks1-), which this "
                             "kensa no longer reads; archives sealed now have a ks2- archive key\n",
                             "--key: %s は最初の形式 (ks1-) の鍵で、この kensa では読めません。"
                             "現在の封印アーカイブの鍵は ks2- で始まります\n"},
    [KS_MSG_VERIFY_INTACT] = {"intact: %llu days (%s to %s, %llu without logs), %llu records, "
                              "%llu files (%.1f MB)\n",
                              "改ざんなし: %llu 日分 (%s〜%s、ログのない日 %llu)、%llu "
                              "レコード、%llu ファイル (%.1f MB)\n"},
    [KS_MSG_VERIFY_DAMAGED] = {"TAMPERED OR DAMAGED: day %s: %s\n", "改ざんまたは損傷: %s: %s\n"},
    [KS_MSG_VERIFY_RANGE] = {"  records %llu to %llu of that day\n",
                             "  その日のレコード %llu〜%llu\n"},
    [KS_MSG_VERIFY_FILE] = {"  original file: %s\n", "  元のファイル: %s\n"},
    [KS_MSG_VERIFY_BEFORE] = {"  the %llu days before it are intact\n",
                              "  それより前の %llu 日分は改ざんなし\n"},
    [KS_MSG_PROOF_WRITTEN] = {"proof of record %2$llu of %1$s: %3$zu bytes (record and audit "
                              "path) + %4$zu bytes (the day's signed checkpoint and its key's "
                              "certificate)\n",
                              "%1$s のレコード %2$llu の証明: %3$zu バイト (レコードと監査パス)"
                              " + %4$zu バイト (その日の署名済みチェックポイントと鍵の証明書)\n"},
    [KS_MSG_PROOF_OK] = {"proof holds: record %2$llu of %1$s (record id %3$llu, file #%4$u, "
                         "offset %5$llu, %6$u bytes, BLAKE2b-256 %7$s) is in the sealed archive\n",
                         "証明は有効です: %1$s のレコード %2$llu (レコード ID %3$llu、ファイル "
                         "#%4$u、オフセット %5$llu、%6$u バイト、BLAKE2b-256 %7$s) は封印された"
                         "アーカイブに含まれています\n"},
    [KS_MSG_PROOF_BAD] = {"the proof does NOT hold: %s\n", "証明は無効です: %s\n"},
    [KS_MSG_BACKUP_GENERATION] = {"generation %s: %llu files, %.1f MB: %s (%s)\n",
                                  "世代 %s: %llu ファイル、%.1f MB: %s (%s)\n"},
    [KS_MSG_BACKUP_CHANGES] = {"  since the previous generation (%llu files): %llu added, %llu "
                               "deleted, %llu modified, %llu renamed; %.1f%% changed\n",
                               "  前の世代 (%llu ファイル) からの変化: 追加 %llu、削除 %llu、"
                               "変更 %llu、名前の変更 %llu。変化した割合 %.1f%%\n"},
    [KS_MSG_BACKUP_CLEAN_FILES] = {"  %llu files clean (not listed; --all lists them)\n",
                                   "  問題のないファイル %llu 個 (一覧は --all)\n"},
    [KS_MSG_BACKUP_HEADER] = {"verdict            type     entropy  path\n",
                              "判定               種類     エントロピー  パス\n"},
    [KS_MSG_BACKUP_CANNOT_SCAN] = {"%s: cannot scan: %s\n", "%s: スキャンできません: %s\n"},
    [KS_MSG_BACKUP_G_CLEAN] = {"clean", "問題なし"},
    [KS_MSG_BACKUP_G_SUSPICIOUS] = {"SUSPICIOUS", "要注意"},
    [KS_MSG_BACKUP_G_ENCRYPTED] = {"ENCRYPTED FILES", "暗号化されたファイルあり"},
    [KS_MSG_BACKUP_RESTORE] = {"%s: restore %s (taken %s): the newest clean generation taken "
                               "at least %.0f hours before the intrusion\n",
                               "%s: %s (取得 %s) を復元してください: 侵入の %.0f 時間以上前に"
                               "取得された、問題のない最新の世代です\n"},
    [KS_MSG_BACKUP_NO_RESTORE] =
        {"%s: no clean generation was taken at least %.0f hours before "
         "the intrusion (%s)\n",
         "%s: 侵入の %.0f 時間以上前に取得された問題のない世代がありません (侵入: "
         "%s)\n"},
    [KS_MSG_BACKUP_FIRST_BAD] = {"  first generation after it that is not clean: %s (taken %s): "
                                 "%s (%s)\n",
                                 "  その後で最初に問題のあった世代: %s (取得 %s): %s (%s)\n"},
    [KS_MSG_BACKUP_DIFF] = {"  from %s to %s: %llu added, %llu removed, %llu modified, %llu "
                            "encrypted; check these before trusting later data:\n",
                            "  %s から %s まで: 追加 %llu、削除 %llu、変更 %llu、暗号化 %llu。"
                            "後の世代のデータを信頼する前に次のファイルを確認してください:\n"},
    [KS_MSG_BACKUP_POLICY_OK] = {"%s: %u generations meet the policy (daily %u, weekly %u, "
                                 "monthly %u, offline or WORM %u)\n",
                                 "%s: 世代 %u 個で方針を満たしています (日次 %u、週次 %u、月次 "
                                 "%u、オフラインまたは WORM %u)\n"},
    [KS_MSG_BACKUP_ALREADY] = {"%s: already in the case (system %s, taken %s); nothing added\n",
                               "%s: すでにケースにあります (システム %s、取得 %s)。追加しません\n"},
    [KS_MSG_BACKUP_POLICY_MISSING] = {"%s: %u generations; missing: %s\n",
                                      "%s: 世代 %u 個。不足: %s\n"},
    [KS_MSG_INV_FOUND] = {"first intrusion: %s (%s): %s from %s logged on to %s; confidence %s\n",
                          "最初の侵入: %s (%s): %s が %s から %s にログオン。確からしさ %s\n"},
    [KS_MSG_INV_ATTEMPT] = {"  the attempts began at %s\n", "  試行の開始: %s\n"},
    [KS_MSG_INV_NONE] = {"no intrusion found: no chain of attack links the %zu findings\n",
                         "侵入は見つかりませんでした: %zu 件の検出は攻撃の連鎖になりません\n"},
    [KS_MSG_INV_EARLIER] = {"  it may be earlier: %s\n", "  これより早い可能性があります: %s\n"},
    [KS_MSG_INV_CHAIN] = {"chain %zu: %s from %s to %s, %zu steps (%s)\n",
                          "連鎖 %zu: %s (%s から %s)、出来事 %zu 件 (%s)\n"},
    [KS_MSG_INV_READ] =
        {"%zu files, %llu events, %zu findings, %zu chains (%u could not be read)\n",
         "ファイル %zu 個、イベント %llu 件、検出 %zu 件、連鎖 %zu 個 "
         "(読めなかったもの %u)\n"},
    [KS_MSG_INV_WROTE] =
        {"report: %s/report.html (and findings.jsonl, timeline.csv, summary.json)\n",
         "報告書: %s/report.html (ほかに findings.jsonl、timeline.csv、"
         "summary.json)\n"},
    [KS_MSG_INV_PROGRESS] = {"\rpass %u: file %zu of %zu: %.60s\033[K",
                             "\r%u 回目: ファイル %zu / %zu: %.60s\033[K"},
    [KS_MSG_INV_SITE] = {"site file: %s\n", "サイトファイル: %s\n"},
    [KS_MSG_INV_CONF_HIGH] = {"high", "高"},
    [KS_MSG_INV_CONF_MEDIUM] = {"medium", "中"},
    [KS_MSG_INV_CONF_LOW] = {"low", "低"},
    [KS_MSG_INV_SIGN] = {"earliest sign of an attack: %s (%s) on %s: %s; no entry found, "
                         "confidence low\n",
                         "攻撃の最も早い兆候: %s (%s)、%s: %s。侵入口は見つかっていません "
                         "(確からしさ 低)\n"},
    [KS_MSG_INV_CLEARED] =
        {"the %1$s log of %2$s was cleared at %3$s (by %4$s): what it held before "
         "is lost",
         "%2$s の %1$s ログは %3$s に消去されています (%4$s): それ以前の記録は"
         "失われています"},
    [KS_MSG_INV_LATE_LOG] = {"the %1$s log of %2$s starts only at %3$s",
                             "%2$s の %1$s ログは %3$s からしかありません"},
    [KS_MSG_INV_MORE] = {"  ... and %zu more (report.html lists them all)\n",
                         "  ... ほか %zu 件 (すべて report.html にあります)\n"},
    [KS_MSG_INV_ALLOWED] = {" (an address the site file allows for this account: expected)",
                            " (サイトファイルでこのアカウントに許可された接続元: 想定内)"},
    [KS_MSG_INV_ST_ENTRY] = {"entry", "侵入"},
    [KS_MSG_INV_ST_SPREAD] = {"spread", "拡大"},
    [KS_MSG_INV_ST_PERSISTENCE] = {"persistence", "永続化"},
    [KS_MSG_INV_ST_EVASION] = {"evasion", "隠蔽"},
    [KS_MSG_INV_ST_IMPACT] = {"impact", "被害"},
    /* kensa audit */
    [KS_MSG_AUDIT_HOST] = {"%s (role: %s), %zu exports read\n",
                           "%s (役割: %s)、エクスポート %zu 個を読み込み\n"},
    [KS_MSG_AUDIT_COL_CHECK] = {"check", "チェック"},
    [KS_MSG_AUDIT_COL_SEVERITY] = {"severity", "重要度"},
    [KS_MSG_AUDIT_COL_RESULT] = {"result", "結果"},
    [KS_MSG_AUDIT_COL_SEEN] = {"what was seen", "確認した値"},
    [KS_MSG_AUDIT_PASS] = {"pass", "合格"},
    [KS_MSG_AUDIT_FAIL] = {"FAIL", "不合格"},
    [KS_MSG_AUDIT_NOT_CHECKED] = {"not checked", "未確認"},
    [KS_MSG_AUDIT_NOT_APPLICABLE] = {"n/a", "対象外"},
    [KS_MSG_AUDIT_EXPORT_PARTIAL] = {"%s: %s export read in part: %s (%u problems; the rest "
                                     "was read)\n",
                                     "%s: %s のエクスポートは一部だけ読めました: %s (問題 %u 件。"
                                     "残りは読み込み済み)\n"},
    [KS_MSG_AUDIT_EXPORT_FAILED] = {"%s: not read: %s; the checks it would feed are not checked\n",
                                    "%s: 読めませんでした: %s。これを使うチェックは未確認に"
                                    "なります\n"},
    [KS_MSG_AUDIT_SUMMARY] = {"%zu hosts: %zu passed, %zu failed (%zu of high severity), %zu "
                              "not checked, %zu not applicable\n",
                              "ホスト %zu 台: 合格 %zu、不合格 %zu (うち重要度「高」%zu)、"
                              "未確認 %zu、対象外 %zu\n"},
    [KS_MSG_AUDIT_HIGH] = {"%zu checks of high severity failed: change those settings first "
                           "(kensa audit --help, docs/audit.md)\n",
                           "重要度「高」のチェックが %zu 件不合格です。まずその設定を変えて"
                           "ください (kensa audit --help、docs/audit.md)\n"},
    [KS_MSG_AUDIT_ALL_HIGH_PASS] = {"no check of high severity failed\n",
                                    "重要度「高」のチェックに不合格はありません\n"},
    [KS_MSG_AUDIT_WROTE] = {"wrote %s/audit.json and %s/audit.html\n",
                            "%s/audit.json と %s/audit.html を書き出しました\n"},
    [KS_MSG_AUDIT_NO_HOSTS] = {"no exports were found in the paths given (see kensa audit "
                               "--help for how to make them)\n",
                               "指定したパスにエクスポートがありません (作り方は kensa audit "
                               "--help を参照)\n"},
    [KS_MSG_AUDIT_FAILED] = {"the audit could not run: %s\n", "点検を実行できませんでした: %s\n"},
};

int ks_lang_set(const char *name)
{
    if (!name) return -1;
    if (strncmp(name, "ja", 2) == 0)
        current = KS_LANG_JA;
    else if (strncmp(name, "en", 2) == 0 || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0)
        current = KS_LANG_EN;
    else
        return -1;
    return 0;
}

ks_lang ks_lang_from_env(void)
{
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return strncmp(v, "ja", 2) == 0 ? KS_LANG_JA : KS_LANG_EN;
    }
    return KS_LANG_EN;
}

ks_lang ks_lang_get(void)
{
    return current;
}

const char *ks_msg(ks_msg_id id)
{
    if ((unsigned)id >= KS_MSG_COUNT) return "";
    const char *s = catalogue[id][current];
    return s ? s : catalogue[id][KS_LANG_EN];
}
