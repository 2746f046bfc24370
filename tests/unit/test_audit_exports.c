/* The synthetic readiness exports (ks_sim_audit_render) are shaped as Windows writes
 * them (INF and reg UTF-16LE with BOM, auditpol and net localgroup ASCII or CP932,
 * PowerShell UTF-8 with BOM, CR LF, reg hex wrapped at 80 columns), differ between
 * hardened and weak hosts where it matters, repeat for a seed, carry the collector's
 * file names, and the practice hospital's hosts keep the site file's roles. */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensa/kensa.h"
#include "kensa/simulate.h"

static const ks_sim_audit_file *find(const ks_sim_audit_file *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f[i].name, name)) return &f[i];
    return NULL;
}

/* The file's text as UTF-8 (BOM dropped), NUL-terminated, in out (reset first). */
static int decode(const ks_sim_audit_file *f, const char *from, ks_buf *out)
{
    ks_buf_reset(out);
    if (!f) return -1;
    const char *p = f->data.data;
    size_t n = f->data.len;
    if (!strcmp(from, "UTF-16LE")) {
        if (n < 2 || memcmp(p, "\xff\xfe", 2)) return -1;
        p += 2, n -= 2;
    } else if (!strcmp(from, "UTF-8-BOM")) {
        if (n < 3 || memcmp(p, "\xef\xbb\xbf", 3)) return -1;
        p += 3, n -= 3;
        from = "UTF-8";
    }
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) return -1;
    if (ks_buf_reserve(out, n * 2 + 8)) return iconv_close(cd), -1;
    char *src = (char *)p, *dst = out->data;
    size_t left = n, room = out->cap - 1;
    size_t r = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    out->len = (size_t)(dst - out->data);
    out->data[out->len] = 0;
    return r == (size_t)-1 ? -1 : 0;
}

/* Every LF has its CR, the text ends in CR LF, no line of `limit` or more bytes
 * (limit 0: any) except lines starting with skip. */
static int crlf(const char *t, size_t n, size_t limit, char skip)
{
    if (n < 2 || memcmp(t + n - 2, "\r\n", 2)) return 0;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\r' && (i + 1 == n || t[i + 1] != '\n')) return 0;
        if (t[i] != '\n') continue;
        if (!i || t[i - 1] != '\r') return 0;
        if (limit && i - 1 - start > limit && t[start] != skip) return 0;
        start = i + 1;
    }
    return 1;
}

static int ascii(const ks_buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if ((unsigned char)b->data[i] >= 0x80) return 0;
    return 1;
}

static size_t count(const char *hay, const char *needle)
{
    size_t k = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) k++;
    return k;
}

static const char *const REG_FILES[] = {"reg-lanmanserver.reg",    "reg-mrxsmb10.reg",
                                        "reg-policies-system.reg", "reg-terminal-server.reg",
                                        "reg-usbstor.reg",         "reg-eventlog-security.reg",
                                        "reg-eventlog-system.reg", "reg-eventlog-application.reg"};

/* One host: the shape of every file, and the settings its profile says. */
static void check_host(ks_sim_lang lang, unsigned weakbits, uint64_t seed)
{
    int ja = lang == KS_SIM_JA, weak = weakbits == KS_SIM_WEAK_ALL;
    ks_sim_audit_host h = {.role = KS_ROLE_EMR_TERMINAL, .lang = lang, .weak = weakbits};
    snprintf(h.name, sizeof h.name, "%s", ja ? "EMR-TERM-03" : "IT-PC01");
    ks_sim_audit_file f[KS_SIM_AUDIT_MAX_FILES];
    size_t n = 0;
    CHECK_INT(ks_sim_audit_render(&h, seed, f, &n), KS_OK);
    CHECK(n >= 18);
    ks_buf t = {0};

    /* secedit: UTF-16LE with BOM, sections in Windows' order, lockout as the profile */
    CHECK_INT(decode(find(f, n, "secedit.inf"), "UTF-16LE", &t), 0);
    CHECK(crlf(t.data, t.len, 0, 0));
    const char *sec[] = {"[Unicode]\r\nUnicode=yes\r\n",
                         "[System Access]\r\n",
                         "[Event Audit]\r\n",
                         "[Registry Values]\r\n",
                         "[Privilege Rights]\r\n",
                         "[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n"};
    const char *prev = t.data;
    for (size_t i = 0; i < 6; i++) {
        const char *at = strstr(t.data, sec[i]);
        CHECK(at && at >= prev);
        if (at) prev = at;
    }
    CHECK(strstr(t.data, weak ? "\r\nLockoutBadCount = 0\r\n" : "\r\nLockoutBadCount = ") != NULL);
    CHECK((strstr(t.data, "LockoutDuration = ") != NULL) == !weak);
    CHECK(strstr(t.data, weak ? "\\Policies\\System\\EnableLUA=4,0\r\n"
                              : "\\Policies\\System\\EnableLUA=4,1\r\n") != NULL);
    if (!weak) {
        const char *lb = strstr(t.data, "LockoutBadCount = ");
        long v = lb ? strtol(lb + 18, NULL, 10) : -1;
        CHECK(v >= 1 && v <= 10);
    }

    /* reg export: UTF-16LE with BOM, the header, CR LF, hex wrapped within 80 columns */
    for (size_t i = 0; i < sizeof REG_FILES / sizeof REG_FILES[0]; i++) {
        const ks_sim_audit_file *r = find(f, n, REG_FILES[i]);
        CHECK(r != NULL);
        CHECK(r && r->data.len % 2 == 0);
        CHECK_INT(decode(r, "UTF-16LE", &t), 0);
        static const char head[] = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_";
        CHECK(!strncmp(t.data ? t.data : "", head, sizeof head - 1));
        CHECK(crlf(t.data, t.len, 80, '['));
        CHECK(t.len > 4 && !memcmp(t.data + t.len - 4, "\r\n\r\n", 4));
    }
    decode(find(f, n, "reg-lanmanserver.reg"), "UTF-16LE", &t);
    CHECK(strstr(t.data, weak ? "\"SMB1\"=dword:00000001\r\n" : "\"SMB1\"=dword:00000000\r\n"));
    /* %SystemRoot%\system32\srvsvc.dll as REG_EXPAND_SZ, wrapped after 25 bytes */
    CHECK(strstr(t.data, "\"ServiceDll\"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,"
                         "6f,00,6f,\\\r\n  00,74,00,25,00,5c,00"));
    CHECK(strstr(t.data, "\"NullSessionPipes\"=hex(7):00,00\r\n"));
    decode(find(f, n, "reg-mrxsmb10.reg"), "UTF-16LE", &t);
    CHECK(strstr(t.data, weak ? "\"Start\"=dword:00000002" : "\"Start\"=dword:00000004"));
    decode(find(f, n, "reg-policies-system.reg"), "UTF-16LE", &t);
    CHECK(strstr(t.data, weak ? "\"EnableLUA\"=dword:00000000" : "\"EnableLUA\"=dword:00000001"));
    CHECK((strstr(t.data, "\"ProcessCreationIncludeCmdLine_Enabled\"=dword:00000001") != NULL) ==
          !weak);
    CHECK(strstr(t.data, "\\Policies\\System\\Audit]\r\n"));
    decode(find(f, n, "reg-terminal-server.reg"), "UTF-16LE", &t);
    CHECK(strstr(t.data, weak ? "\"fDenyTSConnections\"=dword:00000000"
                              : "\"fDenyTSConnections\"=dword:00000001"));
    CHECK(strstr(t.data, "\\WinStations\\RDP-Tcp]\r\n"));
    CHECK(strstr(t.data, weak ? "\"UserAuthentication\"=dword:00000000"
                              : "\"UserAuthentication\"=dword:00000001"));
    CHECK(strstr(t.data, "\"PortNumber\"=dword:00000d3d"));
    decode(find(f, n, "reg-usbstor.reg"), "UTF-16LE", &t);
    CHECK(strstr(t.data, weak ? "\"Start\"=dword:00000003" : "\"Start\"=dword:00000004"));
    CHECK((find(f, n, "reg-removable-storage.reg") != NULL) == !weak);
    decode(find(f, n, "reg-eventlog-security.reg"), "UTF-16LE", &t);
    CHECK(strstr(t.data, weak ? "\"MaxSize\"=dword:01400000" : "\"Retention\"=dword:ffffffff"));
    CHECK((strstr(t.data, "\"AutoBackupLogFiles\"=dword:00000001") != NULL) == !weak);
    /* Office: policies when hardened, a user's Trust Center choice when weak */
    CHECK((find(f, n, "reg-office-policies-hkcu.reg") != NULL) == !weak);
    CHECK((find(f, n, "reg-office-policies-hklm.reg") != NULL) == !weak);
    const char *app = weak ? "reg-office-excel.reg" : "reg-office-policies-hkcu.reg";
    decode(find(f, n, app), "UTF-16LE", &t);
    CHECK(strstr(t.data, weak
                             ? "Office\\16.0\\Excel\\Security]\r\n\"AccessVBOM\"=dword:00000001\r\n"
                               "\"VBAWarnings\"=dword:00000001"
                             : "Office\\16.0\\powerpoint\\security]\r\n"
                               "\"blockcontentexecutionfrominternet\"=dword:00000001\r\n"
                               "\"vbawarnings\"=dword:00000004"));

    /* auditpol: ASCII or CP932, a header and 59 subcategories with their GUIDs */
    const ks_sim_audit_file *ap = find(f, n, "auditpol.csv");
    CHECK(ap && ascii(&ap->data) == !ja);
    CHECK_INT(decode(ap, ja ? "CP932" : "ASCII", &t), 0);
    CHECK(crlf(t.data, t.len, 0, 0));
    CHECK_INT(count(t.data, "-69AE-11D9-BED3-505054503030},"), 59);
    CHECK(
        !strncmp(t.data,
                 ja ? "コンピューター名,ポリシー ターゲット,サブカテゴリ,サブカテゴリ GUID,"
                    : "Machine Name,Policy Target,Subcategory,Subcategory GUID,",
                 strlen(ja ? "コンピューター名,ポリシー ターゲット,サブカテゴリ,サブカテゴリ GUID,"
                           : "Machine Name,Policy Target,Subcategory,Subcategory GUID,")));
    char row[256];
    snprintf(row, sizeof row, "%s,%s,%s,{0CCE9215-69AE-11D9-BED3-505054503030},%s,\r\n", h.name,
             ja ? "システム" : "System", ja ? "ログオン" : "Logon",
             weak ? (ja ? "監査なし" : "No Auditing")
                  : (ja ? "成功および失敗" : "Success and Failure"));
    CHECK(strstr(t.data, row) != NULL);
    snprintf(row, sizeof row, ",%s,{0CCE922B-69AE-11D9-BED3-505054503030},%s,\r\n",
             ja ? "プロセス作成" : "Process Creation",
             weak ? (ja ? "監査なし" : "No Auditing") : (ja ? "成功" : "Success"));
    CHECK(strstr(t.data, row) != NULL);
    snprintf(row, sizeof row, ",%s,{0CCE9244-69AE-11D9-BED3-505054503030},%s,\r\n",
             ja ? "詳細なファイル共有" : "Detailed File Share",
             weak ? (ja ? "監査なし" : "No Auditing")
                  : (ja ? "成功および失敗" : "Success and Failure"));
    CHECK(strstr(t.data, row) != NULL);
    /* every GUID once */
    for (unsigned g = 0x9210; g <= 0x924a; g++) {
        char guid[48];
        snprintf(guid, sizeof guid, "{0CCE%04X-69AE-11D9-BED3-505054503030}", g);
        CHECK(count(t.data, guid) <= 1);
    }

    /* net localgroup: the localized frame, a staff member only when weak */
    const ks_sim_audit_file *lg = find(f, n, "localgroup-administrators.txt");
    CHECK(lg && ascii(&lg->data) == !ja);
    CHECK_INT(decode(lg, ja ? "CP932" : "ASCII", &t), 0);
    CHECK(crlf(t.data, t.len, 0, 0));
    CHECK(!strncmp(
        t.data, ja ? "エイリアス名     administrators\r\n" : "Alias name     administrators\r\n",
        strlen(ja ? "エイリアス名     administrators\r\n" : "Alias name     administrators\r\n")));
    CHECK(strstr(t.data, ja ? "\r\nメンバー\r\n\r\n-----" : "\r\nMembers\r\n\r\n-----"));
    CHECK(strstr(t.data, ja ? "\r\nコマンドは正常に終了しました。\r\n\r\n"
                            : "\r\nThe command completed successfully.\r\n\r\n"));
    CHECK(strstr(t.data, "\r\nAdministrator\r\nHOSP\\Domain Admins\r\n"));
    CHECK_INT(count(t.data, "HOSP\\"), weak ? 2 : 1);

    /* wevtutil gl: ASCII whatever the language; the Security log's size and archive */
    const ks_sim_audit_file *wv = find(f, n, "wevtutil-Security.txt");
    CHECK(wv && ascii(&wv->data));
    CHECK_INT(decode(wv, "ASCII", &t), 0);
    CHECK(crlf(t.data, t.len, 0, 0));
    CHECK(!strncmp(t.data, "name: Security\r\nenabled: true\r\ntype: Admin\r\n", 44));
    CHECK(strstr(t.data,
                 weak ? "\r\n  retention: false\r\n  autoBackup: false\r\n  maxSize: 20971520\r\n"
                      : "\r\n  retention: true\r\n  autoBackup: true\r\n  maxSize: "));
    decode(find(f, n, "wevtutil-TerminalServices-LocalSessionManager-Operational.txt"), "ASCII",
           &t);
    CHECK(strstr(t.data, "Logs\\Microsoft-Windows-TerminalServices-LocalSessionManager%4Operational"
                         ".evtx\r\n"));

    /* PowerShell: UTF-8 with BOM, Format-List aligned, ConvertTo-Json 5.1's spacing */
    CHECK_INT(decode(find(f, n, "smb-server-config.txt"), "UTF-8-BOM", &t), 0);
    CHECK(crlf(t.data, t.len, 0, 0));
    CHECK(strstr(t.data, weak ? "\r\nEnableSMB1Protocol              : True\r\n"
                              : "\r\nEnableSMB1Protocol              : False\r\n"));
    CHECK_INT(decode(find(f, n, "smb-server-config.json"), "UTF-8-BOM", &t), 0);
    CHECK(crlf(t.data, t.len, 0, 0));
    CHECK(strstr(t.data,
                 weak ? "\"EnableSMB1Protocol\":  true," : "\"EnableSMB1Protocol\":  false,"));
    CHECK(t.len > 3 && !memcmp(t.data + t.len - 3, "}\r\n", 3));
    CHECK_INT(decode(find(f, n, "hotfix.json"), "UTF-8-BOM", &t), 0);
    CHECK(crlf(t.data, t.len, 0, 0));
    CHECK_INT(count(t.data, "\"HotFixID\":  \"KB"), weak ? 4 : 7);
    CHECK_INT(count(t.data, "\"InstalledOn\":  null\r\n"), 1);
    CHECK(strstr(t.data, ja ? "\"DateTime\":  \"2022年3月9日 0:00:00\""
                            : "\"DateTime\":  \"Wednesday, March 9, 2022 12:00:00 AM\""));
    /* 2022-03-09 00:00 JST */
    CHECK(strstr(t.data, "\"value\":  \"\\/Date(1646751600000)\\/\""));
    CHECK_INT(decode(find(f, n, "collect.log"), "UTF-8-BOM", &t), 0);
    CHECK(strstr(t.data, "nothing was changed on this computer\r\n"));
    CHECK_INT(count(t.data, "\r\nmissing  "), weak ? 5 : 4);

    /* deterministic: the same seed, the same bytes; another seed, another Guid */
    ks_sim_audit_file g2[KS_SIM_AUDIT_MAX_FILES];
    size_t n2 = 0;
    CHECK_INT(ks_sim_audit_render(&h, seed, g2, &n2), KS_OK);
    CHECK_INT(n2, n);
    int same = n2 == n;
    for (size_t i = 0; same && i < n; i++)
        same = !strcmp(f[i].name, g2[i].name) && f[i].data.len == g2[i].data.len &&
               !memcmp(f[i].data.data, g2[i].data.data, f[i].data.len);
    CHECK(same);
    ks_sim_audit_files_free(g2, n2);
    CHECK_INT(ks_sim_audit_render(&h, seed + 1, g2, &n2), KS_OK);
    const ks_sim_audit_file *a = find(f, n, "reg-lanmanserver.reg"),
                            *b = find(g2, n2, "reg-lanmanserver.reg");
    CHECK(a && b &&
          (a->data.len != b->data.len || memcmp(a->data.data, b->data.data, a->data.len)));
    ks_sim_audit_files_free(g2, n2);

    ks_buf_free(&t);
    ks_sim_audit_files_free(f, n);
}

/* One weak setting at a time changes only its own exports. */
static void check_single_bits(void)
{
    ks_sim_audit_host h = {.role = KS_ROLE_FILE_SERVER, .lang = KS_SIM_EN};
    snprintf(h.name, sizeof h.name, "FS01");
    ks_sim_audit_file base[KS_SIM_AUDIT_MAX_FILES], one[KS_SIM_AUDIT_MAX_FILES];
    size_t nb = 0, no = 0;
    CHECK_INT(ks_sim_audit_render(&h, 7, base, &nb), KS_OK);
    static const struct {
        unsigned bit;
        const char *file;
    } CASES[] = {{KS_SIM_WEAK_SMB1, "smb-server-config.json"},
                 {KS_SIM_WEAK_ADMINS, "localgroup-administrators.txt"},
                 {KS_SIM_WEAK_AUDIT, "auditpol.csv"},
                 {KS_SIM_WEAK_LOG, "wevtutil-Security.txt"},
                 {KS_SIM_WEAK_UAC, "reg-policies-system.reg"},
                 {KS_SIM_WEAK_RDP, "reg-terminal-server.reg"}};
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        h.weak = CASES[c].bit;
        CHECK_INT(ks_sim_audit_render(&h, 7, one, &no), KS_OK);
        const ks_sim_audit_file *x = find(base, nb, CASES[c].file),
                                *y = find(one, no, CASES[c].file);
        CHECK(x && y &&
              (x->data.len != y->data.len || memcmp(x->data.data, y->data.data, x->data.len)));
        /* secedit changes only with the lockout and UAC bits, the hot fixes never */
        const ks_sim_audit_file *s1 = find(base, nb, "hotfix.json"),
                                *s2 = find(one, no, "hotfix.json");
        CHECK(s1 && s2 && s1->data.len == s2->data.len &&
              !memcmp(s1->data.data, s2->data.data, s1->data.len));
        ks_sim_audit_files_free(one, no);
    }
    ks_sim_audit_files_free(base, nb);
}

/* The practice hospital: 18 hosts, the site file's roles, the story. */
static void check_hospital(void)
{
    ks_sim_audit_host hosts[32];
    size_t n = ks_sim_audit_hospital(1, hosts, 32);
    CHECK_INT(n, 18);
    char tmpl[] = "/tmp/ks_audit_site_XXXXXX";
    int fd = mkstemp(tmpl);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    ks_diag d = {0};
    ks_site *site = NULL;
    CHECK_INT(ks_sim_write_site(tmpl, &d), KS_OK);
    CHECK_INT(ks_site_load(&site, tmpl, &d), KS_OK);
    unlink(tmpl);
    unsigned usb = 0;
    for (size_t i = 0; i < n; i++) {
        const ks_sim_audit_host *h = &hosts[i];
        CHECK_INT(ks_site_role_of(site, h->name), h->role);
        if (!strcmp(h->name, "RDS01")) CHECK_INT(h->weak, KS_SIM_WEAK_LOCKOUT | KS_SIM_WEAK_RDP);
        if (!strcmp(h->name, "DC01") || !strcmp(h->name, "BK01")) CHECK_INT(h->weak, 0);
        if (h->weak == KS_SIM_WEAK_USB) {
            usb++;
            CHECK_INT(h->role, KS_ROLE_EMR_TERMINAL);
        } else if (strcmp(h->name, "RDS01")) {
            CHECK_INT(h->weak, 0);
        }
    }
    CHECK_INT(usb, 1);
    ks_site_free(&site);
    /* another seed may pick another terminal, but always one */
    unsigned seen = 0;
    for (uint64_t s = 0; s < 40; s++) {
        n = ks_sim_audit_hospital(s, hosts, 32);
        for (size_t i = 0; i < n; i++)
            if (hosts[i].weak == KS_SIM_WEAK_USB) seen |= 1u << (hosts[i].name[10] - '0');
    }
    CHECK(seen != 0 && (seen & (seen - 1)) != 0);

    /* written to DIR/<HOST>/, byte for byte what render gives */
    char dir[] = "/tmp/ks_audit_sim_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT(ks_sim_write_audit(dir, 1, &d), KS_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/RDS01/secedit.inf", dir);
    size_t len = 0;
    uint8_t *got = ks_test_slurp(path, &len);
    ks_sim_audit_file f[KS_SIM_AUDIT_MAX_FILES];
    size_t nf = 0;
    ks_sim_audit_hospital(1, hosts, 32);
    const ks_sim_audit_host *rds = NULL;
    for (size_t i = 0; i < 18; i++)
        if (!strcmp(hosts[i].name, "RDS01")) rds = &hosts[i];
    CHECK(rds && ks_sim_audit_render(rds, 1, f, &nf) == KS_OK);
    const ks_sim_audit_file *s = find(f, nf, "secedit.inf");
    CHECK(got && s && len == s->data.len && !memcmp(got, s->data.data, len));
    free(got);
    ks_sim_audit_files_free(f, nf);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
}

/* The collector writes the names the generator writes: every file rendered (and every
 * key noted missing) is named in scripts/windows/kensa-collect.ps1, in quotes. */
static void check_collector_names(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scripts/windows/kensa-collect.ps1", KS_SOURCE_DIR);
    size_t len = 0;
    char *ps = (char *)ks_test_slurp(path, &len);
    CHECK(ps != NULL);
    if (!ps) return;
    char *z = realloc(ps, len + 1);
    if (!z) {
        free(ps);
        return;
    }
    ps = z;
    ps[len] = 0;
    CHECK(len > 3 && !memcmp(ps, "\xef\xbb\xbf", 3)); /* PowerShell 5.1 reads Japanese only so */
    for (int weak = 0; weak < 2; weak++) {
        ks_sim_audit_host h = {.role = KS_ROLE_EMR_TERMINAL, .weak = weak ? KS_SIM_WEAK_ALL : 0};
        snprintf(h.name, sizeof h.name, "X");
        ks_sim_audit_file f[KS_SIM_AUDIT_MAX_FILES];
        size_t n = 0;
        CHECK_INT(ks_sim_audit_render(&h, 1, f, &n), KS_OK);
        for (size_t i = 0; i < n; i++) {
            char q[128];
            snprintf(q, sizeof q, "'%s'", f[i].name);
            if (!strstr(ps, q)) fprintf(stderr, "collector does not write %s\n", q);
            CHECK(strstr(ps, q) != NULL);
        }
        ks_buf t = {0};
        CHECK_INT(decode(find(f, n, "collect.log"), "UTF-8-BOM", &t), 0);
        for (const char *m = t.data; m && (m = strstr(m, "\nmissing  "));) {
            m += 10;
            char q[128];
            size_t k = strcspn(m, " ");
            snprintf(q, sizeof q, "'%.*s'", (int)(k < 100 ? k : 100), m);
            CHECK(strstr(ps, q) != NULL);
        }
        ks_buf_free(&t);
        ks_sim_audit_files_free(f, n);
    }
    free(ps);
}

int main(void)
{
    check_collector_names();
    for (uint64_t seed = 1; seed <= 3; seed++) {
        check_host(KS_SIM_EN, 0, seed);
        check_host(KS_SIM_EN, KS_SIM_WEAK_ALL, seed);
        check_host(KS_SIM_JA, 0, seed);
        check_host(KS_SIM_JA, KS_SIM_WEAK_ALL, seed);
    }
    check_single_bits();
    check_hospital();
    return ks_test_done();
}
