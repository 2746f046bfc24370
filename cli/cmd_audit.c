/* kensa audit: read the settings Windows' own tools exported (one folder per host, as
 * scripts/windows/kensa-collect.ps1 writes them), run the readiness checks, print a
 * table per host and, with -o, write audit.json and audit.html. The exit status says
 * whether a check of high severity failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kensa/audit.h"
#include "kensa/kensa.h"
#include "kensa/site.h"

static const char help_en[] =
    "usage: kensa audit EXPORTS... [--site site.yaml] [-o DIR] [--lang ja|en]\n"
    "                   [--format table|json]\n"
    "\n"
    "Checks what hospital security training asks of every Windows host, from files that\n"
    "Windows' own tools export (on a machine that never has to touch the hospital\n"
    "network): account lockout, no everyday accounts among the administrators, UAC on,\n"
    "SMBv1 off (server and client), Office macros blocked or signed only, remote desktop\n"
    "off or with NLA, USB storage restricted on medical-record terminals, an audit\n"
    "policy that records logons, processes and share access (with command lines), and\n"
    "a Security log that is archived and large enough to hold a year. For each it says\n"
    "what it saw and, when it fails, which setting to change (docs/audit.md).\n"
    "\n"
    "EXPORTS are files or folders; each folder is one host (subfolders are hosts of\n"
    "their own). The kind of each file is found from its content, not its name.\n"
    "\n"
    "What to run on each Windows host (as administrator; nothing is changed):\n"
    "  powershell -ExecutionPolicy Bypass -File kensa-collect.ps1\n"
    "    (scripts/windows/kensa-collect.ps1, described in docs/collect.md: it writes all\n"
    "    of the following into one folder named after the host)\n"
    "or by hand, into one folder per host:\n"
    "  secedit /export /cfg secedit.inf\n"
    "  auditpol /get /category:* /r > auditpol.csv\n"
    "  net localgroup administrators > administrators.txt\n"
    "  wevtutil gl Security > wevtutil-security.txt\n"
    "  wevtutil epl Security Security.evtx      (its event rate: how long the log lasts)\n"
    "  powershell \"Get-SmbServerConfiguration | Format-List *\" > smbserver.txt\n"
    "  reg export \"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\" "
    "uac.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\" "
    "smb1-server.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10\" smb1-client.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\" rdp.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR\" usbstor.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security\" "
    "eventlog.reg\n"
    "  reg export \"HKLM\\SOFTWARE\\Policies\" policies-machine.reg\n"
    "  reg export \"HKCU\\Software\\Policies\" policies-user.reg\n"
    "  reg export \"HKCU\\Software\\Microsoft\\Office\" office-user.reg\n"
    "A check whose exports are missing is reported as not checked, naming the export\n"
    "that would feed it; an export that cannot be read is named with its line.\n"
    "\n"
    "options:\n"
    "  --site FILE     the site file (docs/site.example.yaml): hosts with role\n"
    "                  emr_terminal get the USB check; accounts with admin: true may be\n"
    "                  administrators\n"
    "  -o DIR          also write DIR/audit.json and DIR/audit.html (one file, opens\n"
    "                  offline)\n"
    "  --format table  a table per host on the terminal (default)\n"
    "  --format json   audit.json on standard output\n"
    "  --lang ja|en    language of the table and the report\n"
    "\n"
    "exit status: 0 no check of high severity failed; 1 one or more did; 2 bad\n"
    "arguments; 3 the audit could not run (nothing readable, output not writable).\n"
    "\n"
    "examples:\n"
    "  kensa audit exports/ --site site.yaml -o audit-2026-11\n"
    "  kensa simulate -o practice --site-out practice.yaml --audit-out practice-audit\n"
    "  kensa audit practice-audit --site practice.yaml      (a practice hospital)\n";

static const char help_ja[] =
    "使い方: kensa audit エクスポート... [--site site.yaml] [-o フォルダ] [--lang ja|en]\n"
    "                    [--format table|json]\n"
    "\n"
    "病院のセキュリティ研修が Windows の各ホストに求める設定を、Windows 自身のツールが\n"
    "書き出したファイルから確かめます (病院のネットワークにつながないマシンで実行できます):\n"
    "アカウントのロックアウト、日常業務のアカウントが管理者でないこと、UAC、SMBv1 の無効化\n"
    "(サーバーとクライアント)、Office マクロの禁止または署名付きのみ、リモートデスクトップの\n"
    "無効化または NLA、電子カルテ端末の USB 記憶装置の制限、ログオン・プロセス (コマンド\n"
    "ライン付き)・共有へのアクセスを記録する監査ポリシー、1 年分を保持し一杯になったら保存\n"
    "される Security ログ。それぞれ確認した値を示し、不合格なら変えるべき設定を示します\n"
    "(docs/audit.md)。\n"
    "\n"
    "エクスポートはファイルまたはフォルダです。フォルダ 1 つが 1 台のホストです (サブフォルダは\n"
    "別のホスト)。ファイルの種類は名前ではなく内容で判断します。\n"
    "\n"
    "各 Windows ホストで実行するもの (管理者として。設定は何も変えません):\n"
    "  powershell -ExecutionPolicy Bypass -File kensa-collect.ps1\n"
    "    (scripts/windows/kensa-collect.ps1。説明は docs/collect.md。以下のすべてをホスト名\n"
    "    のフォルダに書き出します)\n"
    "手作業なら、ホストごとのフォルダに:\n"
    "  secedit /export /cfg secedit.inf\n"
    "  auditpol /get /category:* /r > auditpol.csv\n"
    "  net localgroup administrators > administrators.txt\n"
    "  wevtutil gl Security > wevtutil-security.txt\n"
    "  wevtutil epl Security Security.evtx      (イベントの量から、ログが何日分もつかを計算)\n"
    "  powershell \"Get-SmbServerConfiguration | Format-List *\" > smbserver.txt\n"
    "  reg export \"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\" "
    "uac.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\" "
    "smb1-server.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10\" smb1-client.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\" rdp.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR\" usbstor.reg\n"
    "  reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security\" "
    "eventlog.reg\n"
    "  reg export \"HKLM\\SOFTWARE\\Policies\" policies-machine.reg\n"
    "  reg export \"HKCU\\Software\\Policies\" policies-user.reg\n"
    "  reg export \"HKCU\\Software\\Microsoft\\Office\" office-user.reg\n"
    "必要なエクスポートがないチェックは「未確認」とし、どのエクスポートがあれば確かめられるかを\n"
    "示します。読めないエクスポートはファイル名と行を示します。\n"
    "\n"
    "オプション:\n"
    "  --site ファイル  サイトファイル (docs/site.example.yaml): role が emr_terminal の\n"
    "                  ホストは USB のチェックの対象。admin: true のアカウントは管理者で可\n"
    "  -o フォルダ      フォルダに audit.json と audit.html (1 ファイルでオフラインで開けます)\n"
    "                  も書き出す\n"
    "  --format table  ホストごとの表を表示 (既定)\n"
    "  --format json   audit.json を標準出力に\n"
    "  --lang ja|en     表と報告書の言語\n"
    "\n"
    "終了コード: 0 重要度「高」の不合格なし、1 重要度「高」の不合格あり、2 引数の誤り、\n"
    "3 点検を実行できなかった (読めるものがない、書き出せない)。\n"
    "\n"
    "例:\n"
    "  kensa audit exports/ --site site.yaml -o audit-2026-11\n"
    "  kensa simulate -o practice --site-out practice.yaml --audit-out practice-audit\n"
    "  kensa audit practice-audit --site practice.yaml      (練習用の病院)\n";

/* Columns a short label takes on a terminal: each multi-byte character of these
 * labels is a two-column Japanese one. */
static int columns(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += *p < 0x80 ? 1 : (*p & 0xc0) == 0xc0 ? 2 : 0;
    return w;
}

static void cell(FILE *f, const char *s, int width)
{
    fputs(s, f);
    for (int w = columns(s); w < width; w++) fputc(' ', f);
    fputc(' ', f);
}

static const char *result_word(ks_audit_result r)
{
    return ks_msg(r == KS_AUDIT_PASS             ? KS_MSG_AUDIT_PASS
                  : r == KS_AUDIT_FAIL           ? KS_MSG_AUDIT_FAIL
                  : r == KS_AUDIT_NOT_APPLICABLE ? KS_MSG_AUDIT_NOT_APPLICABLE
                                                 : KS_MSG_AUDIT_NOT_CHECKED);
}

static void print_exports(const ks_audit *a)
{
    for (size_t h = 0; h < ks_audit_host_count(a); h++) {
        const ks_audit_host *host = ks_audit_host_at(a, h);
        for (size_t e = 0; e < host->nexports; e++) {
            const ks_audit_export *x = &host->exports[e];
            if (x->kind == KS_AUDIT_UNKNOWN)
                fprintf(stderr, ks_msg(KS_MSG_SKIPPED_FILE), x->path,
                        x->problem ? x->problem : "-");
            else if (x->status == KS_AUDIT_READ_FAILED)
                fprintf(stderr, ks_msg(KS_MSG_AUDIT_EXPORT_FAILED), x->path,
                        x->problem ? x->problem : "-");
            else if (x->status == KS_AUDIT_READ_PARTIAL)
                fprintf(stderr, ks_msg(KS_MSG_AUDIT_EXPORT_PARTIAL), x->path,
                        ks_audit_kind_name(x->kind), x->problem ? x->problem : "-", x->nproblems);
        }
    }
}

static void print_table(const ks_audit *a, const ks_audit_outcome *o, size_t nc)
{
    for (size_t h = 0; h < ks_audit_host_count(a); h++) {
        const ks_audit_host *host = ks_audit_host_at(a, h);
        if (h) fputc('\n', stdout);
        fprintf(stdout, ks_msg(KS_MSG_AUDIT_HOST), host->name,
                host->role ? ks_site_role_name(host->role) : "-", host->nexports);
        fputs("  ", stdout);
        cell(stdout, ks_msg(KS_MSG_AUDIT_COL_CHECK), 18);
        cell(stdout, ks_msg(KS_MSG_AUDIT_COL_SEVERITY), 8);
        cell(stdout, ks_msg(KS_MSG_AUDIT_COL_RESULT), 11);
        fprintf(stdout, "%s\n", ks_msg(KS_MSG_AUDIT_COL_SEEN));
        for (size_t c = 0; c < nc; c++) {
            const ks_audit_outcome *r = &o[h * nc + c];
            fputs("  ", stdout);
            cell(stdout, r->check->id, 18);
            cell(stdout, ks_level_name(r->check->severity), 8);
            cell(stdout, result_word(r->result), 11);
            fprintf(stdout, "%s\n", r->detail);
        }
    }
}

int cmd_audit(int argc, char **argv)
{
    const char *outdir = NULL, *site_path = NULL;
    int json = 0, rc = KS_EXIT_USAGE;
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t ninputs = 0;
    ks_site *site = NULL;
    ks_audit *a = NULL;
    ks_diag diag = {0};
    if (!inputs) return KS_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            rc = KS_EXIT_OK;
            goto out;
        } else if (!strcmp(arg, "--site") && i + 1 < argc) {
            site_path = argv[++i];
        } else if (!strcmp(arg, "-o") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(arg, "--format") && i + 1 < argc) {
            arg = argv[++i];
            if (!strcmp(arg, "table") || !strcmp(arg, "json")) {
                json = !strcmp(arg, "json");
            } else {
                fprintf(stderr, "--format: table or json\n");
                goto out;
            }
        } else if (!strcmp(arg, "--lang") && i + 1 < argc) {
            if (ks_lang_set(argv[++i]) != 0) {
                fprintf(stderr, "--lang: ja or en\n");
                goto out;
            }
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), arg);
            goto out;
        } else {
            inputs[ninputs++] = argv[i];
        }
    }
    if (!ninputs) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stderr);
        goto out;
    }
    if (site_path && ks_site_load(&site, site_path, &diag) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_INV_SITE), diag.what);
        goto out;
    }
    rc = KS_EXIT_FAIL;
    if (!(a = ks_audit_new(site))) {
        fprintf(stderr, ks_msg(KS_MSG_AUDIT_FAILED), "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ninputs; i++) {
        diag = (ks_diag){0};
        ks_status st = ks_audit_add_path(a, inputs[i], &diag);
        if (st == KS_ERR_NOMEM) {
            fprintf(stderr, ks_msg(KS_MSG_AUDIT_FAILED), "out of memory");
            goto out;
        }
        if (st != KS_OK)
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), inputs[i],
                    diag.what[0] ? diag.what : ks_status_str(st));
    }
    print_exports(a);
    if (!ks_audit_host_count(a)) {
        fputs(ks_msg(KS_MSG_AUDIT_NO_HOSTS), stderr);
        goto out;
    }
    const ks_audit_outcome *o;
    size_t n, nc;
    ks_audit_checks(&nc);
    ks_status st = ks_audit_run(a, &o, &n);
    if (st != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_AUDIT_FAILED), ks_status_str(st));
        goto out;
    }
    ks_audit_summary s = ks_audit_summarize(a);
    if (json) {
        ks_buf b = {0};
        ks_audit_json(a, &b);
        int bad = b.failed || fwrite(b.data, 1, b.len, stdout) != b.len;
        ks_buf_free(&b);
        if (bad) {
            fprintf(stderr, ks_msg(KS_MSG_AUDIT_FAILED), "cannot write the JSON");
            goto out;
        }
    } else {
        print_table(a, o, nc);
        fputc('\n', stdout);
    }
    FILE *sum = json ? stderr : stdout;
    fprintf(sum, ks_msg(KS_MSG_AUDIT_SUMMARY), s.hosts, s.pass, s.fail, s.high_failed,
            s.not_checked, s.not_applicable);
    if (s.high_failed)
        fprintf(sum, ks_msg(KS_MSG_AUDIT_HIGH), s.high_failed);
    else
        fputs(ks_msg(KS_MSG_AUDIT_ALL_HIGH_PASS), sum);
    if (outdir) {
        diag = (ks_diag){0};
        if (ks_audit_write(a, outdir, &diag) != KS_OK) {
            fprintf(stderr, "%s: %s\n", diag.file ? diag.file : outdir, diag.what);
            goto out;
        }
        fprintf(sum, ks_msg(KS_MSG_AUDIT_WROTE), outdir, outdir);
    }
    rc = s.high_failed ? 1 : KS_EXIT_OK; /* audit's 1: a check of high severity failed */
out:
    ks_audit_free(&a); /* before the site: hosts' roles came from it */
    ks_site_free(&site);
    free(inputs);
    return rc;
}
