/* The message catalogue (ja, en); see include/kensa/i18n.h. */
#include <stdlib.h>
#include <string.h>

#include "kensa/i18n.h"

static ks_lang current = KS_LANG_EN;

static const char *const catalogue[KS_MSG_COUNT][2] = {
    [KS_MSG_FILE_SUMMARY] = {"%s: %llu records read (%llu recovered from overwritten data), "
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
    [KS_MSG_NOTHING_FOUND] = {"%s: no EVTX files found here\n",
                              "%s: EVTX ファイルが見つかりません\n"},
    [KS_MSG_UNKNOWN_OPTION] = {"unknown option: %s (see --help)\n",
                               "不明なオプションです: %s (--help を参照)\n"},
};

int ks_lang_set(const char *name)
{
    if (!name) return -1;
    if (strncmp(name, "ja", 2) == 0) current = KS_LANG_JA;
    else if (strncmp(name, "en", 2) == 0 || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0)
        current = KS_LANG_EN;
    else return -1;
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
