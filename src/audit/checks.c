/* The readiness audit's checks: one table entry per thing hospital security training
 * asks of a Windows host (lockout, administrators, UAC, SMBv1, macros, RDP, USB,
 * audit policy, log size and archiving), each with its reason, severity and the exact
 * setting to change, and one function that decides it from the host's facts alone.
 * Details name the value seen, in the current language (ks_lang_get()). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_int.h"
#include "kensa/i18n.h"

/* ---- EVTX geometry and the retention estimate ---- */

#define EVTX_FILE_HEADER 4096u
#define EVTX_CHUNK 65536u
#define EVTX_CHUNK_HEADER 512u
#define YEAR_DAYS 365.0
#define NS_PER_DAY 86400e9
/* a rate measured over less is no rate: a few events seconds apart say nothing */
#define MIN_RATE_RECORDS 10
#define MIN_RATE_SPAN_NS 3600e9

double ks_audit_retention_days(uint64_t max_size, double bytes_per_day)
{
    if (!(bytes_per_day > 0) || max_size <= EVTX_FILE_HEADER) return 0;
    uint64_t chunks = (max_size - EVTX_FILE_HEADER) / EVTX_CHUNK;
    return (double)chunks * (double)(EVTX_CHUNK - EVTX_CHUNK_HEADER) / bytes_per_day;
}

uint64_t ks_audit_max_size_for(double days, double bytes_per_day)
{
    if (!(days > 0) || !(bytes_per_day > 0)) return EVTX_CHUNK;
    double chunks = ceil(days * bytes_per_day / (double)(EVTX_CHUNK - EVTX_CHUNK_HEADER));
    if (chunks > 1e12) chunks = 1e12; /* a rate nobody has: keep the product in range */
    /* the file header and the chunks, rounded up to 64 KiB as Windows keeps MaxSize */
    return ((uint64_t)chunks + 1) * EVTX_CHUNK;
}

const char *ks_audit_result_name(ks_audit_result r)
{
    switch (r) {
    case KS_AUDIT_PASS: return "pass";
    case KS_AUDIT_FAIL: return "fail";
    case KS_AUDIT_NOT_CHECKED: return "not_checked";
    case KS_AUDIT_NOT_APPLICABLE: return "not_applicable";
    }
    return "unknown";
}

/* ---- what a check works with ---- */

typedef struct run {
    ks_audit *a;
    const ks_audit_host *h;
    ks_buf d; /* the detail being written */
    ks_audit_result result;
    const ks_audit_fact *fact;
} run;

static int ja(void)
{
    return ks_lang_get() == KS_LANG_JA;
}

static const char *T(const char *en, const char *jp)
{
    return ja() ? jp : en;
}

static void say(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(run *r, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    ks_buf_append(&r->d, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Separator between parts of a detail. */
static void sep(run *r)
{
    if (r->d.len) ks_buf_puts(&r->d, T("; ", "、"));
}

static void verdict(run *r, ks_audit_result res, const ks_audit_fact *f)
{
    r->result = res;
    if (f) r->fact = f;
}

/* The value of a fact built from parts, or NULL; *f gets the fact. */
static const char *get(const run *r, const ks_audit_fact **f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *get(const run *r, const ks_audit_fact **f, const char *fmt, ...)
{
    char key[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    if (f) *f = NULL;
    if (n < 0 || (size_t)n >= sizeof key) return NULL;
    return ks_audit_fact_get(r->h, key, f);
}

/* True when the collector's log says reg export found no such key. */
static bool key_absent(const run *r, const char *key)
{
    return get(r, NULL, "regabsent:%s", key) != NULL;
}

/* True when an export held the registry key, or the key is known not to exist (so an
 * absent value means its default). */
static bool has_key(const run *r, const char *key)
{
    return get(r, NULL, "regkey:%s", key) != NULL || key_absent(r, key);
}

/* A number as the readers give it: decimal (REG_DWORD, secedit), 0x or dword: hex,
 * secedit's "4,1" (type, value) form, surrounding blanks and quotes allowed. */
static bool num(const char *v, long long *out)
{
    if (!v) return false;
    while (*v == ' ' || *v == '\t' || *v == '"') v++;
    if (v[0] >= '1' && v[0] <= '7' && v[1] == ',') v += 2; /* secedit: type,value */
    while (*v == ' ' || *v == '"') v++;
    int base = 10;
    if (!strncasecmp(v, "dword:", 6))
        v += 6, base = 16;
    else if (!strncasecmp(v, "0x", 2))
        v += 2, base = 16;
    if (!*v) return false;
    char *end;
    errno = 0;
    long long x = base == 16 ? (long long)strtoull(v, &end, 16) : strtoll(v, &end, 10);
    if (errno || end == v) return false;
    while (*end == ' ' || *end == '"' || *end == '\t' || *end == '\r') end++;
    if (*end) return false;
    *out = x;
    return true;
}

/* "True"/"False" as PowerShell and wevtutil write them (also 1/0): 1, 0, or -1. */
static int truth(const char *v)
{
    long long x;
    if (!v) return -1;
    while (*v == ' ') v++;
    if (!strncasecmp(v, "true", 4)) return 1;
    if (!strncasecmp(v, "false", 5)) return 0;
    if (num(v, &x)) return x != 0;
    return -1;
}

/* A shown value: the text as written, or "-" when absent. */
static const char *shown(const char *v)
{
    return v && *v ? v : "-";
}

/* Not checked: name the export that would feed the check. */
static void missing(run *r, const char *what_en, const char *what_ja)
{
    r->result = KS_AUDIT_NOT_CHECKED;
    ks_buf_reset(&r->d);
    say(r, T("no export gives this: %s", "これを示すエクスポートがありません: %s"),
        T(what_en, what_ja));
}

/* ---- the checks ---- */

static void check_lockout(run *r)
{
    const ks_audit_fact *f, *fd;
    const char *v = get(r, &f, "secedit:System Access:LockoutBadCount");
    const char *dur = get(r, &fd, "secedit:System Access:LockoutDuration");
    long long n, d;
    if (!v || !num(v, &n)) {
        if (v) {
            verdict(r, KS_AUDIT_FAIL, f);
            say(r,
                T("LockoutBadCount = %s (not a number)",
                  "LockoutBadCount = %s (数値ではありません)"),
                v);
            return;
        }
        missing(r, "secedit /export /cfg secedit.inf ([System Access] LockoutBadCount)",
                "secedit /export /cfg secedit.inf ([System Access] の LockoutBadCount)");
        return;
    }
    say(r, "LockoutBadCount = %lld", n);
    if (n <= 0) {
        verdict(r, KS_AUDIT_FAIL, f);
        say(r, "%s",
            T(" (never locks: passwords can be guessed without end)",
              " (ロックされません: パスワードを際限なく試せます)"));
        return;
    }
    if (n > 10) {
        verdict(r, KS_AUDIT_FAIL, f);
        say(r, "%s", T(" (more than 10)", " (10 回を超えています)"));
        return;
    }
    verdict(r, KS_AUDIT_PASS, f);
    if (dur && num(dur, &d)) {
        sep(r);
        if (d <= 0) {
            say(r,
                T("LockoutDuration = %lld (until an administrator unlocks)",
                  "LockoutDuration = %lld (管理者が解除するまで)"),
                d);
        } else {
            say(r, T("LockoutDuration = %lld min", "LockoutDuration = %lld 分"), d);
            if (d < 15) {
                verdict(r, KS_AUDIT_FAIL, fd);
                say(r, "%s", T(" (under 15 minutes)", " (15 分未満)"));
            }
        }
    }
}

/* The name after a "DOMAIN\" prefix. */
static const char *base_name(const char *m)
{
    const char *s = strrchr(m, '\\');
    return s ? s + 1 : m;
}

static bool builtin_admin(const char *m)
{
    const char *b = base_name(m);
    size_t n = strlen(m);
    if (!strcasecmp(b, "Administrator") || !strcasecmp(b, "Domain Admins") ||
        !strcasecmp(b, "Enterprise Admins"))
        return true;
    /* an unresolved SID: the built-in Administrator (-500), Domain Admins (-512),
     * Enterprise Admins (-519, a member on domain controllers) */
    return !strncasecmp(m, "S-1-5-21-", 9) && n > 4 &&
           (!strcmp(m + n - 4, "-500") || !strcmp(m + n - 4, "-512") || !strcmp(m + n - 4, "-519"));
}

static void check_admins(run *r)
{
    const ks_site *site = r->a->site;
    size_t members = 0, ordinary = 0;
    if (!ks_audit_has(r->h, KS_AUDIT_LOCALGROUP)) {
        missing(r, "net localgroup administrators", "net localgroup administrators");
        return;
    }
    for (size_t i = 0; i < r->h->nfacts; i++) {
        const ks_audit_fact *f = &r->h->facts[i];
        if (strcasecmp(f->key, "localgroup:administrators") != 0 || !f->value[0]) continue;
        members++;
        if (builtin_admin(f->value)) continue;
        const ks_site_account *acc = site ? ks_site_account_find(site, f->value) : NULL;
        if (acc && acc->admin) continue;
        if (!ordinary++) {
            verdict(r, KS_AUDIT_FAIL, f);
            say(r, "%s",
                T("ordinary accounts in Administrators: ", "Administrators に一般のアカウント: "));
        } else {
            ks_buf_puts(&r->d, ", ");
        }
        say(r, "%s", f->value);
    }
    if (ordinary) {
        say(r,
            T(" (%zu of %zu members; mark real administrators admin: true in site.yaml)",
              " (メンバー %2$zu 人中 %1$zu 人。本当の管理者は site.yaml で admin: true に)"),
            ordinary, members);
        return;
    }
    verdict(r, KS_AUDIT_PASS, NULL);
    say(r,
        T("%zu members, all Administrator, Domain Admins or site administrators",
          "メンバー %zu 人: すべて Administrator、Domain Admins、サイトファイルの管理者"),
        members);
}

#define POLICIES_SYSTEM "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"

static void check_uac(run *r)
{
    const ks_audit_fact *fl, *fc;
    const char *lua = get(r, &fl, "reg:" POLICIES_SYSTEM "\\EnableLUA");
    const char *cpba = get(r, &fc, "reg:" POLICIES_SYSTEM "\\ConsentPromptBehaviorAdmin");
    bool key = has_key(r, POLICIES_SYSTEM);
    long long l = 1, c = 5; /* Windows' defaults */
    if (!lua && !cpba && !key) {
        missing(r, "reg export \"" POLICIES_SYSTEM "\" (or secedit /export)",
                "reg export \"" POLICIES_SYSTEM "\" (または secedit /export)");
        return;
    }
    bool lbad = lua && !num(lua, &l), cbad = cpba && !num(cpba, &c);
    say(r, lua ? "EnableLUA = %s" : T("EnableLUA not set (default 1)", "EnableLUA 未設定 (既定 1)"),
        shown(lua));
    sep(r);
    say(r,
        cpba ? "ConsentPromptBehaviorAdmin = %s"
             : T("ConsentPromptBehaviorAdmin not set (default 5)",
                 "ConsentPromptBehaviorAdmin 未設定 (既定 5)"),
        shown(cpba));
    if (lbad || l == 0) {
        verdict(r, KS_AUDIT_FAIL, fl);
        say(r, "%s",
            T(": UAC is off, every program of an administrator runs with full rights",
              ": UAC が無効で、管理者の全プログラムが最大の権限で動きます"));
    } else if (cbad || c == 0) {
        verdict(r, KS_AUDIT_FAIL, fc);
        say(r, "%s",
            T(": administrators are elevated without a prompt", ": 管理者は確認なしで昇格します"));
    } else {
        verdict(r, KS_AUDIT_PASS, fl ? fl : fc);
    }
}

#define LANMAN_PARAMS "HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters"
#define MRXSMB10 "HKLM\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10"

static void check_smb1_server(run *r)
{
    const ks_audit_fact *f;
    const char *v = get(r, &f, "smb:EnableSMB1Protocol");
    long long x;
    if (v && truth(v) >= 0) {
        say(r, "EnableSMB1Protocol = %s (Get-SmbServerConfiguration)", v);
        verdict(r, truth(v) ? KS_AUDIT_FAIL : KS_AUDIT_PASS, f);
        return;
    }
    v = get(r, &f, "reg:" LANMAN_PARAMS "\\SMB1");
    if (v) {
        say(r, "LanmanServer\\Parameters\\SMB1 = %s", v);
        verdict(r, num(v, &x) && x == 0 ? KS_AUDIT_PASS : KS_AUDIT_FAIL, f);
        return;
    }
    if (has_key(r, LANMAN_PARAMS)) {
        verdict(r, KS_AUDIT_FAIL, NULL);
        say(r, "%s",
            T("LanmanServer\\Parameters\\SMB1 not set: the SMB1 server is on wherever the "
              "SMB 1.0/CIFS feature is installed (Get-SmbServerConfiguration tells for sure)",
              "LanmanServer\\Parameters\\SMB1 が未設定: SMB 1.0/CIFS 機能が入っていれば "
              "SMB1 サーバーは有効です (Get-SmbServerConfiguration で確実に分かります)"));
        return;
    }
    missing(r, "Get-SmbServerConfiguration, or reg export \"" LANMAN_PARAMS "\"",
            "Get-SmbServerConfiguration、または reg export \"" LANMAN_PARAMS "\"");
}

static void check_smb1_client(run *r)
{
    const ks_audit_fact *f;
    const char *v = get(r, &f, "reg:" MRXSMB10 "\\Start");
    long long x;
    if (v) {
        say(r, "mrxsmb10\\Start = %s", v);
        bool off = num(v, &x) && x == 4;
        if (!off)
            say(r, "%s", T(" (4 turns the SMB1 client off)", " (4 で SMB1 クライアントが無効)"));
        verdict(r, off ? KS_AUDIT_PASS : KS_AUDIT_FAIL, f);
        return;
    }
    if (key_absent(r, MRXSMB10) ||
        (!has_key(r, MRXSMB10) && has_key(r, "HKLM\\SYSTEM\\CurrentControlSet\\Services"))) {
        /* no mrxsmb10 service key: the driver is not installed */
        verdict(r, KS_AUDIT_PASS, NULL);
        say(r, "%s",
            T("the mrxsmb10 driver is not installed (SMB 1.0 client removed)",
              "mrxsmb10 ドライバーはありません (SMB 1.0 クライアントは削除済み)"));
        return;
    }
    if (has_key(r, MRXSMB10)) {
        verdict(r, KS_AUDIT_FAIL, NULL);
        say(r, "%s", T("mrxsmb10 has no Start value", "mrxsmb10 に Start の値がありません"));
        return;
    }
    missing(r, "reg export \"" MRXSMB10 "\"", "reg export \"" MRXSMB10 "\"");
}

/* Office: one (version, application) pair seen in the exports, and its policy. */
#define MAX_OFFICE 24
typedef struct office {
    char ver[8];
    char app[16];
    const ks_audit_fact *vba, *block;
} office;

static const char *const OFFICE_APPS[] = {"Word", "Excel", "PowerPoint"};

/* The pair a registry key names after "\Office\": "16.0\Excel\Security" -> 16.0, Excel. */
static office *office_pair(office *o, size_t *n, const char *key)
{
    const char *p = NULL;
    for (const char *s = key; (s = strchr(s, '\\')) != NULL; s++)
        if (!strncasecmp(s, "\\Office\\", 8)) {
            p = s + 8;
            break;
        }
    if (!p) return NULL;
    size_t vl = strspn(p, "0123456789.");
    if (!vl || vl >= sizeof o->ver || p[vl] != '\\') return NULL;
    const char *app = p + vl + 1, *app_name = NULL;
    size_t al = strcspn(app, "\\");
    for (size_t i = 0; i < sizeof OFFICE_APPS / sizeof *OFFICE_APPS; i++)
        if (al == strlen(OFFICE_APPS[i]) && !strncasecmp(app, OFFICE_APPS[i], al))
            app_name = OFFICE_APPS[i];
    if (!app_name) return NULL;
    for (size_t i = 0; i < *n; i++)
        if (!strncmp(o[i].ver, p, vl) && !o[i].ver[vl] && !strcmp(o[i].app, app_name)) return &o[i];
    if (*n == MAX_OFFICE) return NULL;
    office *e = &o[(*n)++];
    memset(e, 0, sizeof *e);
    memcpy(e->ver, p, vl);
    snprintf(e->app, sizeof e->app, "%s", app_name);
    return e;
}

static bool ci_has(const char *s, const char *z)
{
    size_t n = strlen(z);
    for (; *s; s++)
        if (!strncasecmp(s, z, n)) return true;
    return false;
}

static void check_macros(run *r)
{
    office o[MAX_OFFICE];
    size_t n = 0, bad = 0;
    for (size_t i = 0; i < r->h->nfacts; i++) {
        const ks_audit_fact *f = &r->h->facts[i];
        bool rk = !strncasecmp(f->key, "regkey:", 7), rv = !strncasecmp(f->key, "reg:", 4);
        if (!rk && !rv) continue;
        office *e = office_pair(o, &n, f->key);
        if (!e || !rv || !ci_has(f->key, "\\Policies\\Microsoft\\Office\\")) continue;
        const char *name = base_name(f->key);
        if (!strcasecmp(name, "VBAWarnings")) e->vba = f;
        if (!strcasecmp(name, "blockcontentexecutionfrominternet")) e->block = f;
    }
    if (!n) {
        missing(r,
                "reg export \"HKCU\\Software\\Policies\\Microsoft\\Office\" and "
                "\"HKCU\\Software\\Microsoft\\Office\" (none: Office is not installed, or "
                "they were not exported)",
                "reg export \"HKCU\\Software\\Policies\\Microsoft\\Office\" と "
                "\"HKCU\\Software\\Microsoft\\Office\" (Office が入っていないか、"
                "エクスポートされていません)");
        return;
    }
    const ks_audit_fact *first_bad = NULL, *first = NULL;
    for (size_t i = 0; i < n; i++) {
        long long v = 0, b = 0;
        bool vok = o[i].vba && num(o[i].vba->value, &v);
        bool bok = o[i].block && num(o[i].block->value, &b);
        bool safe = (vok && (v == 3 || v == 4)) || (bok && b == 1);
        if (vok && v == 1) safe = false; /* every macro runs, whatever else is set */
        sep(r);
        say(r, "%s %s: ", o[i].app, o[i].ver);
        if (o[i].vba) say(r, "VBAWarnings = %s", o[i].vba->value);
        if (o[i].vba && o[i].block) ks_buf_puts(&r->d, ", ");
        if (o[i].block) say(r, "blockcontentexecutionfrominternet = %s", o[i].block->value);
        if (!o[i].vba && !o[i].block)
            say(r, "%s",
                T("no macro policy (default: users may enable macros)",
                  "マクロのポリシーなし (既定: 利用者がマクロを有効にできます)"));
        if (!safe) {
            bad++;
            if (!first_bad) first_bad = o[i].vba ? o[i].vba : o[i].block;
        } else if (!first) {
            first = o[i].vba ? o[i].vba : o[i].block;
        }
    }
    verdict(r, bad ? KS_AUDIT_FAIL : KS_AUDIT_PASS, bad ? first_bad : first);
}

#define TS_POLICY "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"
#define TS_LOCAL "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server"
#define TS_RDPTCP TS_LOCAL "\\WinStations\\RDP-Tcp"

static void check_rdp(run *r)
{
    const ks_audit_fact *fd, *fn;
    const char *deny = get(r, &fd, "reg:" TS_POLICY "\\fDenyTSConnections");
    if (!deny) deny = get(r, &fd, "reg:" TS_LOCAL "\\fDenyTSConnections");
    const char *nla = get(r, &fn, "reg:" TS_POLICY "\\UserAuthentication");
    if (!nla) nla = get(r, &fn, "reg:" TS_RDPTCP "\\UserAuthentication");
    long long d = 1, u = 1;
    if (!deny && !has_key(r, TS_LOCAL) && !has_key(r, TS_POLICY)) {
        missing(r, "reg export \"" TS_LOCAL "\"", "reg export \"" TS_LOCAL "\"");
        return;
    }
    if (deny && num(deny, &d) && d == 1) {
        say(r,
            T("fDenyTSConnections = %s (remote desktop off)",
              "fDenyTSConnections = %s (リモートデスクトップは無効)"),
            deny);
        verdict(r, KS_AUDIT_PASS, fd);
        return;
    }
    say(r,
        deny ? "fDenyTSConnections = %s"
             : T("fDenyTSConnections not set", "fDenyTSConnections 未設定"),
        shown(deny));
    sep(r);
    if (!nla && !has_key(r, TS_RDPTCP)) {
        r->result = KS_AUDIT_NOT_CHECKED;
        say(r,
            T("remote desktop is on; RDP-Tcp was not exported to see NLA (reg export \"%s\")",
              "リモートデスクトップは有効。NLA を確かめる RDP-Tcp がエクスポートにありません "
              "(reg export \"%s\")"),
            TS_RDPTCP);
        return;
    }
    if (!nla || (num(nla, &u) && u == 1)) {
        say(r,
            nla ? T("UserAuthentication = %s (remote desktop on, NLA required)",
                    "UserAuthentication = %s (リモートデスクトップは有効、NLA 必須)")
                : T("UserAuthentication not set (default 1: NLA required)",
                    "UserAuthentication 未設定 (既定 1: NLA 必須)"),
            shown(nla));
        verdict(r, KS_AUDIT_PASS, fn ? fn : fd);
        return;
    }
    say(r,
        T("UserAuthentication = %s: remote desktop is on without NLA",
          "UserAuthentication = %s: リモートデスクトップが NLA なしで有効です"),
        nla);
    verdict(r, KS_AUDIT_FAIL, fn);
}

#define USBSTOR "HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR"
#define RSD "Software\\Policies\\Microsoft\\Windows\\RemovableStorageDevices"
#define RSD_DISKS "{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}"

static void check_usb(run *r)
{
    static const char *const hives[] = {"HKLM", "HKCU"};
    const ks_audit_fact *f;
    const char *v;
    long long x;
    if (r->h->role != KS_ROLE_EMR_TERMINAL) {
        r->result = KS_AUDIT_NOT_APPLICABLE;
        say(r,
            T("asked of medical-record terminals only (role in site.yaml: %s)",
              "電子カルテ端末だけが対象です (site.yaml の役割: %s)"),
            r->h->role ? ks_site_role_name(r->h->role) : T("none", "なし"));
        return;
    }
    for (size_t i = 0; i < 2; i++) {
        if ((v = get(r, &f, "reg:%s\\" RSD "\\Deny_All", hives[i])) && num(v, &x) && x == 1) {
            say(r, "RemovableStorageDevices\\Deny_All = %s (%s)", v, hives[i]);
            verdict(r, KS_AUDIT_PASS, f);
            return;
        }
        if ((v = get(r, &f, "reg:%s\\" RSD "\\" RSD_DISKS "\\Deny_Write", hives[i])) &&
            num(v, &x) && x == 1) {
            say(r,
                T("Removable Disks Deny_Write = %s (%s)",
                  "リムーバブル ディスク Deny_Write = %s (%s)"),
                v, hives[i]);
            verdict(r, KS_AUDIT_PASS, f);
            return;
        }
    }
    v = get(r, &f, "reg:" USBSTOR "\\Start");
    if (v && num(v, &x) && x == 4) {
        say(r,
            T("USBSTOR\\Start = %s (USB storage driver off)",
              "USBSTOR\\Start = %s (USB ストレージのドライバーは無効)"),
            v);
        verdict(r, KS_AUDIT_PASS, f);
        return;
    }
    if (!v && !has_key(r, USBSTOR) && !has_key(r, "HKLM\\" RSD)) {
        missing(r, "reg export \"" USBSTOR "\" and \"HKLM\\" RSD "\"",
                "reg export \"" USBSTOR "\" と \"HKLM\\" RSD "\"");
        return;
    }
    say(r, v ? "USBSTOR\\Start = %s" : T("USBSTOR\\Start not set", "USBSTOR\\Start 未設定"),
        shown(v));
    say(r, "%s",
        T("; no removable storage policy (Deny_All, Deny_Write)",
          "、リムーバブル記憶域のポリシー (Deny_All、Deny_Write) なし"));
    verdict(r, KS_AUDIT_FAIL, f);
}

/* The subcategories the training's events need. */
static const struct subcat {
    const char *guid, *en, *ja, *events;
    bool success, failure;
} SUBCATS[] = {
    {"0cce9215-69ae-11d9-bed3-505054503030", "Logon", "ログオン", "4624 4625 4648", true, true},
    {"0cce9216-69ae-11d9-bed3-505054503030", "Logoff", "ログオフ", "4634", true, false},
    {"0cce921b-69ae-11d9-bed3-505054503030", "Special Logon", "特殊なログオン", "4672", true,
     false},
    {"0cce922b-69ae-11d9-bed3-505054503030", "Process Creation", "プロセス作成", "4688", true,
     false},
    {"0cce9224-69ae-11d9-bed3-505054503030", "File Share", "ファイル共有", "5140", true, false},
    {"0cce9244-69ae-11d9-bed3-505054503030", "Detailed File Share", "詳細なファイル共有", "5145",
     true, false},
    {"0cce922f-69ae-11d9-bed3-505054503030", "Audit Policy Change", "監査ポリシーの変更", "4719",
     true, false},
};

static void check_audit_policy(run *r)
{
    size_t n = sizeof SUBCATS / sizeof *SUBCATS, bad = 0;
    if (!ks_audit_has(r->h, KS_AUDIT_AUDITPOL)) {
        missing(r, "auditpol /get /category:* /r", "auditpol /get /category:* /r");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct subcat *s = &SUBCATS[i];
        const ks_audit_fact *f;
        const char *v = get(r, &f, "auditpol:%s", s->guid);
        bool ok =
            v && (!s->success || strstr(v, "success")) && (!s->failure || strstr(v, "failure"));
        if (ok) continue;
        if (!bad++) verdict(r, KS_AUDIT_FAIL, f);
        sep(r);
        say(r, "%s = %s", T(s->en, s->ja), v ? v : T("not in the export", "エクスポートになし"));
        say(r, T(" (needs %s: %s not recorded)", " (%s が必要: %s が記録されません)"),
            s->failure ? "success,failure" : "success", s->events);
    }
    if (bad) return;
    verdict(r, KS_AUDIT_PASS, NULL);
    say(r,
        T("all %zu subcategories audited as needed (4624 4625 4634 4648 4672 4688 5140 5145 "
          "4719; 1102 is always recorded)",
          "必要な %zu サブカテゴリがすべて監査されています (4624 4625 4634 4648 4672 4688 5140 "
          "5145 4719。1102 は常に記録されます)"),
        n);
}

static void check_cmdline(run *r)
{
    const ks_audit_fact *f;
    const char *v =
        get(r, &f, "reg:" POLICIES_SYSTEM "\\Audit\\ProcessCreationIncludeCmdLine_Enabled");
    long long x;
    if (!v && !has_key(r, POLICIES_SYSTEM) && !has_key(r, POLICIES_SYSTEM "\\Audit")) {
        missing(r, "reg export \"" POLICIES_SYSTEM "\"", "reg export \"" POLICIES_SYSTEM "\"");
        return;
    }
    if (v && num(v, &x) && x == 1) {
        say(r, "ProcessCreationIncludeCmdLine_Enabled = %s", v);
        verdict(r, KS_AUDIT_PASS, f);
        return;
    }
    say(r,
        v ? "ProcessCreationIncludeCmdLine_Enabled = %s"
          : T("ProcessCreationIncludeCmdLine_Enabled not set (default 0)",
              "ProcessCreationIncludeCmdLine_Enabled 未設定 (既定 0)"),
        shown(v));
    say(r, "%s",
        T(": 4688 will not show the command line", ": 4688 にコマンドラインが記録されません"));
    verdict(r, KS_AUDIT_FAIL, f);
}

#define EL_POLICY "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Security"
#define EL_SERVICE "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Security"

/* The Security log's maximum size in bytes, and where it was read. */
static bool security_max_size(run *r, uint64_t *max, const ks_audit_fact **f, const char **from)
{
    long long x;
    const char *v = get(r, f, "wevtutil:Security:maxSize");
    if (v && num(v, &x) && x > 0) {
        *max = (uint64_t)x, *from = "wevtutil maxSize";
        return true;
    }
    v = get(r, f, "reg:" EL_POLICY "\\MaxSize"); /* Group Policy: kilobytes */
    if (v && num(v, &x) && x > 0) {
        *max = (uint64_t)x * 1024, *from = "Group Policy MaxSize (KB)";
        return true;
    }
    v = get(r, f, "reg:" EL_SERVICE "\\MaxSize");
    if (v && num(v, &x) && x > 0) {
        *max = (uint64_t)x, *from = "EventLog\\Security\\MaxSize";
        return true;
    }
    return false;
}

/* The Security log's rate with the most records. */
static const ks_audit_rate *security_rate(const ks_audit_host *h)
{
    const ks_audit_rate *best = NULL;
    for (size_t i = 0; i < h->nrates; i++) {
        const ks_audit_rate *t = &h->rates[i];
        if (t->channel && !strcasecmp(t->channel, "Security") &&
            (!best || t->records > best->records))
            best = &h->rates[i];
    }
    return best;
}

static void check_log_size(run *r)
{
    uint64_t max = 0;
    const ks_audit_fact *f = NULL;
    const char *from = NULL;
    if (!security_max_size(r, &max, &f, &from)) {
        missing(r, "wevtutil gl Security, or reg export \"" EL_SERVICE "\"",
                "wevtutil gl Security、または reg export \"" EL_SERVICE "\"");
        return;
    }
    r->fact = f;
    say(r, T("Security log maximum %.1f MB (%s)", "Security ログの最大サイズ %.1f MB (%s)"),
        (double)max / 1048576.0, from);
    const ks_audit_rate *rt = security_rate(r->h);
    double span = rt ? (double)(rt->last_ns - rt->first_ns) : 0;
    if (!rt || rt->records < MIN_RATE_RECORDS || !(span >= MIN_RATE_SPAN_NS) || !rt->bytes) {
        r->result = KS_AUDIT_NOT_CHECKED;
        if (rt)
            say(r,
                T("; %s holds too little of this host's Security log to measure its rate (%" PRIu64
                  " events over %.1f hours; %d events over an hour or more needed)",
                  "。%1$s にはこのホストの Security ログが少なく、量を測れません (%3$.1f 時間に "
                  "%2$" PRIu64 " 件。1 時間以上にわたる %4$d 件以上が必要)"),
                shown(rt->file), rt->records, span / 3600e9, MIN_RATE_RECORDS);
        else
            say(r, "%s",
                T("; give this host's Security.evtx to measure how fast it fills",
                  "。埋まる速さを測るには、このホストの Security.evtx を指定してください"));
        return;
    }
    double per_day = (double)rt->bytes / (span / NS_PER_DAY);
    double days = ks_audit_retention_days(max, per_day);
    uint64_t need = ks_audit_max_size_for(YEAR_DAYS, per_day);
    char rate[48], over[48];
    if (per_day >= 1048576.0)
        snprintf(rate, sizeof rate, "%.2f MB", per_day / 1048576.0);
    else
        snprintf(rate, sizeof rate, "%.1f KB", per_day / 1024.0);
    if (span >= 2 * NS_PER_DAY)
        snprintf(over, sizeof over, T("%.1f days", "%.1f 日間"), span / NS_PER_DAY);
    else
        snprintf(over, sizeof over, T("%.1f hours", "%.1f 時間"), span / 3600e9);
    say(r,
        T(" holds about %.1f days at %s/day (%s: %" PRIu64 " events over %s)",
          " は 1 日 %2$s の量で約 %1$.1f 日分です (%3$s: %5$s に %4$" PRIu64 " 件)"),
        days, rate, shown(rt->file), rt->records, over);
    if (days >= YEAR_DAYS) {
        verdict(r, KS_AUDIT_PASS, NULL);
        return;
    }
    verdict(r, KS_AUDIT_FAIL, NULL);
    say(r,
        T("; a year needs MaxSize %" PRIu64 " bytes (%" PRIu64 " KB, %.0f MB)",
          "。1 年分には MaxSize %" PRIu64 " バイト (%" PRIu64 " KB、%.0f MB) が必要です"),
        need, need / 1024, ceil((double)need / 1048576.0));
}

static void check_log_archive(run *r)
{
    const ks_audit_fact *fa, *fr;
    const char *ab = get(r, &fa, "wevtutil:Security:autoBackup");
    const char *rt = get(r, &fr, "wevtutil:Security:retention");
    const char *src = "wevtutil";
    if (!ab && !rt) {
        ab = get(r, &fa, "reg:" EL_POLICY "\\AutoBackupLogFiles");
        rt = get(r, &fr, "reg:" EL_POLICY "\\Retention");
        src = "Group Policy";
    }
    if (!ab && !rt) {
        ab = get(r, &fa, "reg:" EL_SERVICE "\\AutoBackupLogFiles");
        rt = get(r, &fr, "reg:" EL_SERVICE "\\Retention");
        src = "EventLog\\Security";
        if (!ab && !rt && !has_key(r, EL_SERVICE)) {
            missing(r, "wevtutil gl Security, or reg export \"" EL_SERVICE "\"",
                    "wevtutil gl Security、または reg export \"" EL_SERVICE "\"");
            return;
        }
    }
    int a = truth(ab), t = truth(rt); /* Retention 4294967295 (-1): keep, do not overwrite */
    say(r, "%s: autoBackup = %s, retention = %s", src, shown(ab), shown(rt));
    if (a == 1 && t != 0) {
        verdict(r, KS_AUDIT_PASS, fa);
        return;
    }
    say(r, "%s",
        T(": when the log is full its oldest events are overwritten",
          ": ログが一杯になると古いイベントから上書きされます"));
    verdict(r, KS_AUDIT_FAIL, a == 1 ? fr : fa);
}

/* ---- the table ---- */

#define NEED(k) (1u << (k))

typedef void (*check_fn)(run *r);

static const ks_audit_check CHECKS[] = {
    {"account_lockout", KS_LEVEL_HIGH, "Account lockout after at most 10 failed logons",
     "10 回以下のログオン失敗でアカウントをロック",
     "Intruders guess passwords over RDP, VPN and SMB; without a lockout threshold the guessing "
     "never stops, and a short lockout only slows it a little.",
     "侵入者は RDP、VPN、SMB 越しにパスワードを推測します。ロックアウトのしきい値がなければ"
     "推測は止まらず、短いロックアウトでは少し遅くなるだけです。",
     "Computer Configuration > Windows Settings > Security Settings > Account Policies > Account "
     "Lockout Policy: Account lockout threshold = 5 to 10 invalid logon attempts "
     "(LockoutBadCount), Account lockout duration = 15 minutes or more (LockoutDuration), Reset "
     "account lockout counter after = 15 minutes or more. On a domain, set it in the Default "
     "Domain Policy.",
     "コンピューターの構成 > Windows の設定 > セキュリティの設定 > アカウント ポリシー > "
     "アカウント ロックアウトのポリシー: アカウント ロックアウトのしきい値 = 5 〜 10 回 "
     "(LockoutBadCount)、ロックアウト期間 = 15 分以上 (LockoutDuration)、ロックアウト カウンターの"
     "リセット = 15 分以上。ドメインでは Default Domain Policy で設定します。",
     NEED(KS_AUDIT_SECEDIT)},
    {"local_admins", KS_LEVEL_HIGH, "No everyday accounts in local Administrators",
     "ローカルの Administrators に日常業務のアカウントがない",
     "An account that is an administrator in daily work hands an intruder (a macro, a phishing "
     "link, a stolen password) full control of the host: turning off protection, dumping "
     "credentials, encrypting everything.",
     "日常業務で管理者権限を持つアカウントは、侵入者 (マクロ、フィッシングのリンク、盗まれた"
     "パスワード) にホストの全権を渡します: 防御の停止、認証情報の窃取、全データの暗号化。",
     "Remove everyday accounts from the local Administrators group (lusrmgr.msc, or by Group "
     "Policy: Computer Configuration > Windows Settings > Security Settings > Restricted Groups, "
     "or Computer Configuration > Preferences > Control Panel Settings > Local Users and Groups "
     "> Administrators (built-in): remove the members). Give administrators a separate "
     "administrator account, and list it with admin: true in site.yaml.",
     "日常業務のアカウントをローカルの Administrators グループから外します (lusrmgr.msc、"
     "またはグループ ポリシー: コンピューターの構成 > Windows の設定 > セキュリティの設定 > "
     "制限されたグループ、あるいはコンピューターの構成 > 基本設定 > コントロール パネルの設定 > "
     "ローカル ユーザーとグループ > Administrators (ビルトイン) でメンバーを削除)。管理者には"
     "管理専用のアカウントを別に用意し、site.yaml に admin: true で記載します。",
     NEED(KS_AUDIT_LOCALGROUP)},
    {"uac", KS_LEVEL_HIGH, "User Account Control on", "ユーザー アカウント制御 (UAC) が有効",
     "With UAC off, anything an administrator runs, including a malicious attachment, runs "
     "with full rights at once and without a prompt.",
     "UAC が無効だと、管理者が実行したもの (悪意のある添付ファイルを含む) が確認なしで直ちに"
     "最大の権限で動きます。",
     "Computer Configuration > Windows Settings > Security Settings > Local Policies > Security "
     "Options: User Account Control: Run all administrators in Admin Approval Mode = Enabled "
     "(EnableLUA = 1); User Account Control: Behavior of the elevation prompt for "
     "administrators in Admin Approval Mode = Prompt for consent on the secure desktop "
     "(ConsentPromptBehaviorAdmin = 2; never 0). Registry: "
     "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System.",
     "コンピューターの構成 > Windows の設定 > セキュリティの設定 > ローカル ポリシー > "
     "セキュリティ オプション: ユーザー アカウント制御: 管理者承認モードですべての管理者を実行する "
     "= 有効 (EnableLUA = 1)、ユーザー アカウント制御: 管理者承認モードでの管理者に対する昇格"
     "時のプロンプトの動作 = セキュリティで保護されたデスクトップで同意を要求する "
     "(ConsentPromptBehaviorAdmin = 2。0 にしない)。レジストリ: "
     "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System。",
     NEED(KS_AUDIT_REG) | NEED(KS_AUDIT_SECEDIT)},
    {"smb1_server", KS_LEVEL_HIGH, "SMBv1 server off", "SMBv1 サーバーが無効",
     "SMBv1 is how WannaCry and its successors spread from one host to every other on the "
     "network; file servers, NAS-facing hosts and clients alike must not offer it.",
     "SMBv1 は WannaCry などがネットワーク上の全ホストに広がった経路です。ファイルサーバー、"
     "NAS を使うホスト、クライアントのいずれも提供してはいけません。",
     "Set-SmbServerConfiguration -EnableSMB1Protocol $false, or remove the SMB 1.0/CIFS "
     "feature (Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol). By Group "
     "Policy (MS Security Guide template): Computer Configuration > Administrative Templates > "
     "MS Security Guide > Configure SMB v1 server = Disabled "
     "(HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\\SMB1 = 0).",
     "Set-SmbServerConfiguration -EnableSMB1Protocol $false を実行するか、SMB 1.0/CIFS 機能を"
     "削除します (Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol)。グループ "
     "ポリシー (MS Security Guide テンプレート): コンピューターの構成 > 管理用テンプレート > "
     "MS Security Guide > Configure SMB v1 server = 無効 "
     "(HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\\SMB1 = 0)。",
     NEED(KS_AUDIT_SMBCONFIG) | NEED(KS_AUDIT_REG)},
    {"smb1_client", KS_LEVEL_HIGH, "SMBv1 client off", "SMBv1 クライアントが無効",
     "A host whose SMBv1 client is on still talks SMBv1 to an old NAS or server, where the "
     "protocol's flaws can be used against it and its credentials.",
     "SMBv1 クライアントが有効なホストは古い NAS やサーバーと SMBv1 で通信し、プロトコルの"
     "欠陥を突かれて認証情報ごと攻撃されます。",
     "Computer Configuration > Administrative Templates > MS Security Guide > Configure SMB v1 "
     "client driver = Enabled: Disable driver "
     "(HKLM\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10\\Start = 4), or remove the SMB "
     "1.0/CIFS Client feature. Replace a NAS that speaks only SMBv1.",
     "コンピューターの構成 > 管理用テンプレート > MS Security Guide > Configure SMB v1 client "
     "driver = 有効: Disable driver "
     "(HKLM\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10\\Start = 4)、または SMB 1.0/CIFS "
     "クライアント機能を削除します。SMBv1 しか話せない NAS は更新します。",
     NEED(KS_AUDIT_REG)},
    {"office_macros", KS_LEVEL_HIGH, "Office macros blocked or signed only",
     "Office マクロが禁止または署名付きのみ",
     "A macro in a mailed Word or Excel file is one of the commonest ways in (Emotet and the "
     "ransomware that follows it); a warning the user can click away does not stop it.",
     "メールで届く Word や Excel のマクロは最も多い侵入口の一つです (Emotet とその後のランサム"
     "ウェア)。利用者がクリックして閉じられる警告では防げません。",
     "User Configuration > Administrative Templates > Microsoft Word / Excel / PowerPoint 2016 "
     "> <application> Options > Security > Trust Center: VBA Macro Notification Settings = "
     "Enabled, Disable all except digitally signed macros (VBAWarnings = 3) or Disable all "
     "without notification (VBAWarnings = 4); and Block macros from running in Office files "
     "from the Internet = Enabled (blockcontentexecutionfrominternet = 1). Registry: "
     "HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\<application>\\Security, for every "
     "Office version installed (Office administrative templates needed).",
     "ユーザーの構成 > 管理用テンプレート > Microsoft Word / Excel / PowerPoint 2016 > "
     "<アプリケーション> のオプション > セキュリティ > セキュリティ センター: VBA マクロ通知の"
     "設定 = 有効、デジタル署名されたマクロを除き、すべてのマクロを無効にする (VBAWarnings = 3) "
     "または警告を表示せずにすべてのマクロを無効にする (VBAWarnings = 4)。さらにインターネット"
     "から取得した Office ファイル内のマクロの実行をブロックする = 有効 "
     "(blockcontentexecutionfrominternet = 1)。レジストリ: "
     "HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\<アプリケーション>\\Security。"
     "入っている Office のバージョンごとに設定します (Office の管理用テンプレートが必要)。",
     NEED(KS_AUDIT_REG)},
    {"rdp", KS_LEVEL_HIGH, "Remote desktop off, or only with NLA",
     "リモートデスクトップが無効、または NLA 必須",
     "Remote desktop reachable without Network Level Authentication shows a logon screen to "
     "anyone and is attacked by password guessing and by flaws such as BlueKeep; most "
     "ransomware intrusions in hospitals used RDP or a VPN.",
     "ネットワーク レベル認証 (NLA) なしのリモートデスクトップは誰にでもログオン画面を見せ、"
     "パスワード推測や BlueKeep のような欠陥で攻撃されます。病院のランサムウェア被害の多くは "
     "RDP か VPN から侵入されています。",
     "Where remote desktop is not needed: Computer Configuration > Administrative Templates > "
     "Windows Components > Remote Desktop Services > Remote Desktop Session Host > Connections "
     "> Allow users to connect remotely by using Remote Desktop Services = Disabled "
     "(fDenyTSConnections = 1). Where it is: ... > Remote Desktop Session Host > Security > "
     "Require user authentication for remote connections by using Network Level "
     "Authentication = Enabled (UserAuthentication = 1). Registry: "
     "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services.",
     "リモートデスクトップが不要なホスト: コンピューターの構成 > 管理用テンプレート > "
     "Windows コンポーネント > リモート デスクトップ サービス > リモート デスクトップ セッション "
     "ホスト > 接続 > ユーザーがリモート デスクトップ サービスを使用してリモート接続することを"
     "許可する = 無効 (fDenyTSConnections = 1)。必要なホスト: ... > リモート デスクトップ "
     "セッション ホスト > セキュリティ > ネットワーク レベル認証を使用したリモート接続にユーザー"
     "認証を必要とする = 有効 (UserAuthentication = 1)。レジストリ: "
     "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services。",
     NEED(KS_AUDIT_REG)},
    {"usb_storage", KS_LEVEL_MEDIUM, "USB storage restricted on medical-record terminals",
     "電子カルテ端末で USB 記憶装置を制限",
     "A USB stick carries malware into a closed medical-record network and carries patient "
     "data out of it; medical-record terminals should not accept one.",
     "USB メモリは閉じた電子カルテのネットワークにマルウェアを持ち込み、患者情報を持ち出します。"
     "電子カルテ端末では使えないようにします。",
     "Computer Configuration > Administrative Templates > System > Removable Storage Access > "
     "All Removable Storage classes: Deny all access = Enabled "
     "(HKLM\\Software\\Policies\\Microsoft\\Windows\\RemovableStorageDevices\\Deny_All = 1), or "
     "Removable Disks: Deny write access = Enabled "
     "(...\\RemovableStorageDevices\\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}\\Deny_Write = 1); "
     "or turn the USB storage driver off "
     "(HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR\\Start = 4). Mark the terminals "
     "role: emr_terminal in site.yaml.",
     "コンピューターの構成 > 管理用テンプレート > システム > リムーバブル記憶域へのアクセス > "
     "すべてのリムーバブル記憶域クラス: すべてのアクセスを拒否 = 有効 "
     "(HKLM\\Software\\Policies\\Microsoft\\Windows\\RemovableStorageDevices\\Deny_All = 1)、"
     "またはリムーバブル ディスク: 書き込みアクセスの拒否 = 有効 "
     "(...\\RemovableStorageDevices\\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}\\Deny_Write = 1)、"
     "または USB ストレージのドライバーを無効に "
     "(HKLM\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR\\Start = 4)。端末は site.yaml で "
     "role: emr_terminal とします。",
     NEED(KS_AUDIT_REG)},
    {"audit_policy", KS_LEVEL_HIGH, "Audit policy records logons, processes and share access",
     "監査ポリシーでログオン、プロセス、共有へのアクセスを記録",
     "Without these events (4624 4625 4634 4648 4672 logons, 4688 processes, 5140 5145 share "
     "access, 4719 and 1102 audit tampering) nobody can tell afterwards when the intruder came "
     "in, as whom, and what was touched.",
     "これらのイベント (ログオン 4624 4625 4634 4648 4672、プロセス 4688、共有へのアクセス "
     "5140 5145、監査の改ざん 4719 1102) がなければ、侵入がいつ、誰として行われ、何に触れたかを"
     "後から確かめられません。",
     "Computer Configuration > Windows Settings > Security Settings > Advanced Audit Policy "
     "Configuration > Audit Policies: Logon/Logoff > Audit Logon = Success and Failure, Audit "
     "Logoff = Success, Audit Special Logon = Success; Detailed Tracking > Audit Process "
     "Creation = Success; Object Access > Audit File Share = Success, Audit Detailed File Share "
     "= Success; Policy Change > Audit Audit Policy Change = Success. Also Security Options > "
     "Audit: Force audit policy subcategory settings to override audit policy category "
     "settings = Enabled. Check with auditpol /get /category:*.",
     "コンピューターの構成 > Windows の設定 > セキュリティの設定 > 監査ポリシーの詳細な構成 > "
     "監査ポリシー: ログオン/ログオフ > ログオンの監査 = 成功と失敗、ログオフの監査 = 成功、"
     "特殊なログオンの監査 = 成功。詳細追跡 > プロセス作成の監査 = 成功。オブジェクト アクセス > "
     "ファイル共有の監査 = 成功、詳細なファイル共有の監査 = 成功。ポリシーの変更 > 監査ポリシーの"
     "変更の監査 = 成功。あわせてセキュリティ オプション > 監査: 監査ポリシー サブカテゴリの設定 "
     "(Windows Vista 以降) を強制して、監査ポリシー カテゴリの設定を上書きする = 有効。"
     "auditpol /get /category:* で確認します。",
     NEED(KS_AUDIT_AUDITPOL)},
    {"audit_cmdline", KS_LEVEL_MEDIUM, "Process creation events include the command line",
     "プロセス作成イベントにコマンドラインを含める",
     "4688 without its command line shows that powershell.exe or vssadmin.exe ran, but not "
     "what it did (encoded scripts, deleting shadow copies).",
     "コマンドラインのない 4688 では powershell.exe や vssadmin.exe が動いたことしか分からず、"
     "何をしたか (エンコードされたスクリプト、シャドウ コピーの削除) が分かりません。",
     "Computer Configuration > Administrative Templates > System > Audit Process Creation > "
     "Include command line in process creation events = Enabled "
     "(HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit\\"
     "ProcessCreationIncludeCmdLine_Enabled = 1).",
     "コンピューターの構成 > 管理用テンプレート > システム > プロセス作成の監査 > "
     "プロセス作成イベントにコマンド ラインを含める = 有効 "
     "(HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit\\"
     "ProcessCreationIncludeCmdLine_Enabled = 1)。",
     NEED(KS_AUDIT_REG)},
    {"log_retention", KS_LEVEL_MEDIUM, "Security log large enough to hold a year",
     "Security ログが 1 年分を保持できる大きさ",
     "An intrusion is often found months after it began; the training asks that a year of "
     "Security events be kept so that its start can still be established. The default 20 MB "
     "holds days or weeks on a busy host.",
     "侵入は始まってから何か月も後に見つかることが多く、その始まりを確かめられるよう研修では "
     "Security イベントを 1 年分残すよう求めています。既定の 20 MB は忙しいホストでは数日から"
     "数週間分です。",
     "Computer Configuration > Administrative Templates > Windows Components > Event Log "
     "Service > Security > Specify the maximum log file size (KB) = the size this check names "
     "(HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Security\\MaxSize, in KB), or "
     "wevtutil sl Security /ms:<bytes>. Where a year does not fit, archive the log (next "
     "check) and keep the archives.",
     "コンピューターの構成 > 管理用テンプレート > Windows コンポーネント > イベント ログ "
     "サービス > セキュリティ > ログ ファイルの最大サイズ (KB) を指定する = このチェックが示す"
     "大きさ (HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Security\\MaxSize、KB 単位)"
     "、または wevtutil sl Security /ms:<バイト数>。1 年分が収まらない場合はログを保存 "
     "(次のチェック) し、保存したファイルを保管します。",
     NEED(KS_AUDIT_WEVTUTIL) | NEED(KS_AUDIT_REG) | NEED(KS_AUDIT_EVTX)},
    {"log_archive", KS_LEVEL_HIGH, "Security log archived when full, not overwritten",
     "Security ログを一杯になったら上書きせず保存",
     "A full log that overwrites its oldest events destroys the record of how the intrusion "
     "began, and an intruder can flood the log to the same end.",
     "一杯になると古いイベントを上書きするログは、侵入の始まりの記録を消してしまいます。侵入者が"
     "大量のイベントでログをあふれさせても同じことが起きます。",
     "Computer Configuration > Administrative Templates > Windows Components > Event Log "
     "Service > Security > Back up log automatically when full = Enabled (AutoBackupLogFiles = "
     "\"1\") and Control Event Log behavior when the log file reaches its maximum size = "
     "Enabled (Retention = \"1\"), under "
     "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Security; or wevtutil sl Security "
     "/rt:true /ab:true. Move the Archive-Security-*.evtx files from "
     "%SystemRoot%\\System32\\winevt\\Logs to the log archive regularly (kensa seal).",
     "コンピューターの構成 > 管理用テンプレート > Windows コンポーネント > イベント ログ "
     "サービス > セキュリティ > いっぱいになったときにログを自動的にバックアップする = 有効 "
     "(AutoBackupLogFiles = \"1\")、ログ ファイルが最大サイズに達したときのイベント ログの動作を"
     "制御する = 有効 (Retention = \"1\")。レジストリは "
     "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Security。または wevtutil sl "
     "Security /rt:true /ab:true。%SystemRoot%\\System32\\winevt\\Logs の "
     "Archive-Security-*.evtx は定期的にログの保管先へ移します (kensa seal)。",
     NEED(KS_AUDIT_WEVTUTIL) | NEED(KS_AUDIT_REG)},
};

static const check_fn CHECK_FNS[] = {
    check_lockout,      check_admins,  check_uac,      check_smb1_server,
    check_smb1_client,  check_macros,  check_rdp,      check_usb,
    check_audit_policy, check_cmdline, check_log_size, check_log_archive,
};

_Static_assert(sizeof CHECKS / sizeof *CHECKS == sizeof CHECK_FNS / sizeof *CHECK_FNS,
               "one function per check");

#define NCHECKS (sizeof CHECKS / sizeof *CHECKS)

const ks_audit_check *ks_audit_checks(size_t *n)
{
    if (n) *n = NCHECKS;
    return CHECKS;
}

ks_status ks_audit_run(ks_audit *a, const ks_audit_outcome **outcomes, size_t *n)
{
    if (!a) return KS_ERR_ARG;
    ks_audit_prune(a);
    size_t nh = ks_audit_host_count(a), total;
    if (nh > SIZE_MAX / NCHECKS / sizeof(ks_audit_outcome)) return KS_ERR_NOMEM;
    total = nh * NCHECKS;
    ks_audit_outcome *o = NULL;
    if (total && !(o = ks_audit_alloc(a, total * sizeof *o))) return KS_ERR_NOMEM;
    ks_status st = KS_OK;
    run r = {.a = a};
    for (size_t h = 0; h < nh && st == KS_OK; h++) {
        r.h = ks_audit_host_at(a, h);
        for (size_t c = 0; c < NCHECKS; c++) {
            ks_buf_reset(&r.d);
            r.result = KS_AUDIT_NOT_CHECKED;
            r.fact = NULL;
            CHECK_FNS[c](&r);
            if (r.d.failed) {
                st = KS_ERR_NOMEM;
                break;
            }
            o[h * NCHECKS + c] =
                (ks_audit_outcome){&CHECKS[c], r.result,
                                   ks_audit_strndup(a, r.d.data ? r.d.data : "", r.d.len), r.fact};
        }
    }
    ks_buf_free(&r.d);
    if (st != KS_OK) return st;
    a->outcomes = o;
    a->noutcomes = total;
    if (outcomes) *outcomes = o;
    if (n) *n = total;
    return KS_OK;
}
