/* usb_storage: USB mass storage and portable storage devices (WPD) plugged into a
 * medical-record terminal, the way patient data leaves (T1052) and malware arrives
 * (T1091). Read from Security 6416 (a new external device: class DiskDrive or WPD, a
 * USBSTOR device id, or a USB mass-storage interface, USB\Class_08), DriverFrameworks-
 * UserMode 2003/2100 (Operational) and 10000 (System, first install), UserPnp
 * 20001/20003, Kernel-PnP 400/410 (USBSTOR or WPDBUSENUM device ids) and Partition
 * 1006 (a disk on the USB bus). Which hosts: when the site file names any
 * emr_terminal, those (high) and, with `every_host`, the others (low); without a site
 * file or terminals in it, every host (low). One finding per host per local day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "kensa/buf.h"
#include "kensa/site.h"

enum { V_TERMINAL, V_HOST };

typedef struct usb {
    ks_group g;
    bool terminals; /* the site file names at least one emr_terminal */
    bool every_host;
} usb;

static int usb_open(ks_det *d, void **state)
{
    usb *u = calloc(1, sizeof *u);
    /* a day's events always join (the key is the day): the gap only has to exceed it */
    if (!u || ks_group_open(&u->g, 25 * 60 * KS_MINUTE_NS) != 0) {
        free(u);
        return -1;
    }
    const ks_site *site = ks_det_site(d);
    for (size_t i = 0; site && i < site->nhosts; i++)
        if (site->hosts[i].role == KS_ROLE_EMR_TERMINAL) u->terminals = true;
    u->every_host = ks_det_param(d, "every_host") != 0;
    *state = u;
    return 0;
}

/* The vendor and product part of a device id ("DISK&VEN_SANDISK&PROD_CRUZER&REV_1.00"
 * after USBSTOR\ or USBSTOR#), else the id itself. */
static void device_name(ks_str id, char *out, size_t cap)
{
    for (size_t i = 0; i + 8 <= id.len; i++) {
        if (!ks_str_ieq((ks_str){id.p + i, 7}, "usbstor")) continue;
        size_t a = i + 8, b = a; /* past the separator */
        while (b < id.len && id.p[b] != '\\' && id.p[b] != '#') b++;
        if (b > a) {
            ks_str_copy(out, cap, (ks_str){id.p + a, b - a});
            return;
        }
        break;
    }
    ks_str_copy(out, cap, id);
}

static bool storage_id(ks_str id)
{
    return ks_str_icontains(id, "usbstor") || ks_str_icontains(id, "wpdbusenum");
}

/* A 6416 for a storage device: its name into out. */
static bool storage_6416(ks_det *d, const ks_event *ev, char *out, size_t cap)
{
    char id[256];
    ks_str_copy(id, sizeof id, ks_det_text(d, ev, "DeviceId"));
    ks_str sid = {id, strlen(id)};
    if (ks_str_icontains(sid, "ven_msft&prod_virtual")) return false; /* a mounted VHD */
    bool yes = storage_id(sid);
    if (!yes) {
        ks_str cls = ks_det_text(d, ev, "ClassName");
        yes = ks_str_ieq(cls, "DiskDrive") || ks_str_ieq(cls, "WPD");
    }
    if (!yes) {
        ks_str guid = ks_det_text(d, ev, "ClassId");
        yes = ks_str_ieq(guid, "{4d36e967-e325-11ce-bfc1-08002be10318}") || /* DiskDrive */
              ks_str_ieq(guid, "{eec5ad98-8080-425f-922a-dabf3de3f69a}");   /* WPD */
    }
    if (!yes) yes = ks_str_icontains(ks_det_text(d, ev, "CompatibleIds"), "usb\\class_08");
    if (!yes) return false;
    ks_str desc = ks_det_text(d, ev, "DeviceDescription");
    if (desc.len)
        ks_str_copy(out, cap, desc);
    else
        device_name(sid, out, cap);
    return true;
}

/* A device id field naming a USB or portable storage device: its name into out. */
static bool storage_field(ks_det *d, const ks_event *ev, char *out, size_t cap)
{
    static const char *const NAMES[] = {"InstanceId", "DeviceInstanceId", "DeviceInstanceID",
                                        "DeviceId"};
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        ks_str id = ks_det_text(d, ev, NAMES[i]);
        if (!id.len) continue;
        if (!storage_id(id)) return false;
        device_name(id, out, cap);
        return true;
    }
    return false;
}

/* Partition 1006 for a disk on the USB bus (BusType 7): manufacturer and model. */
static bool storage_partition(ks_det *d, const ks_event *ev, char *out, size_t cap)
{
    bool usb_bus =
        ks_str_eq(ks_det_text(d, ev, "BusType"), "7") || storage_id(ks_det_text(d, ev, "ParentId"));
    if (!usb_bus) return false;
    ks_buf b = {0};
    ks_str maker = ks_det_text(d, ev, "Manufacturer"), model = ks_det_text(d, ev, "Model");
    ks_buf_append(&b, maker.p, maker.len);
    if (maker.len && model.len) ks_buf_putc(&b, ' ');
    ks_buf_append(&b, model.p, model.len);
    if (b.failed || !b.len)
        ks_str_copy(out, cap, (ks_str){"USB disk", 8});
    else
        ks_str_copy(out, cap, (ks_str){b.data, b.len});
    ks_buf_free(&b);
    return true;
}

static bool usb_signal(ks_det *d, const ks_event *ev, char *out, size_t cap)
{
    switch (ev->event_id) {
    case 6416: return ks_event_is_security(ev) && storage_6416(d, ev, out, cap);
    case 2003:
    case 2100:
    case 10000:
        return ks_str_eq(ev->provider, "Microsoft-Windows-DriverFrameworks-UserMode") &&
               storage_field(d, ev, out, cap);
    case 20001:
    case 20003:
        return ks_str_eq(ev->provider, "Microsoft-Windows-UserPnp") &&
               storage_field(d, ev, out, cap);
    case 400:
    case 410:
        return ks_str_eq(ev->provider, "Microsoft-Windows-Kernel-PnP") &&
               storage_field(d, ev, out, cap);
    case 1006:
        return ks_str_eq(ev->provider, "Microsoft-Windows-Partition") &&
               storage_partition(d, ev, out, cap);
    default: return false;
    }
}

/* The local calendar day of t (zone of the run) as a number: the UTC instant of the
 * local midnight, shifted so that every zone's midnights fall inside one UTC day. */
static int64_t local_day(const ks_det *d, int64_t t)
{
    int64_t s = t / KS_SECOND_NS - (t % KS_SECOND_NS < 0);
    int64_t sec = s % 60 < 0 ? s % 60 + 60 : s % 60;
    int64_t midnight = s - (int64_t)ks_det_local_minutes(d, t) * 60 - sec + 13 * 3600;
    return midnight / 86400 - (midnight % 86400 < 0);
}

static void usb_event(ks_det *d, void *state, const ks_event *ev)
{
    usb *u = state;
    char what[160];
    if (!usb_signal(d, ev, what, sizeof what)) return;
    int variant = V_HOST;
    ks_level lv = KS_LEVEL_LOW;
    if (u->terminals) {
        char name[128];
        ks_str_copy(name, sizeof name, ev->host);
        if (ks_site_role_of(ks_det_site(d), name) == KS_ROLE_EMR_TERMINAL)
            variant = V_TERMINAL, lv = KS_LEVEL_HIGH;
        else if (!u->every_host)
            return;
    }
    char day[24];
    int n = snprintf(day, sizeof day, "%lld", (long long)local_day(d, ev->time_ns));
    bool fresh;
    ks_finding *f =
        ks_group_add(&u->g, d, "u", ev->host, (ks_str){day, n > 0 ? (size_t)n : 0}, ev, &fresh);
    if (!f) return;
    if (fresh) {
        f->variant = variant;
        f->severity = lv;
    } else {
        ks_finding_add_user(f, ev->sem.user);
    }
    ks_finding_add_detail(f, (ks_str){what, strlen(what)});
}

const ks_detector_def ks_detector_usb_storage = {
    .info =
        {
            .id = "usb_storage",
            .title = {"USB storage connected (on medical-record terminals: a violation)",
                      "USB ストレージの接続 (電子カルテ端末では違反)"},
            .explain =
                {
                    {"USB storage used on the medical-record terminal {host} ({count} events): "
                     "{detail}",
                     "電子カルテ端末 {host} で USB ストレージを使用 ({count} 件): {detail}"},
                    {"USB storage connected to {host} ({count} events): {detail}",
                     "{host} に USB ストレージを接続 ({count} 件): {detail}"},
                },
            .categories = {"usb_storage"},
            .attack = "T1052.001 T1091 T1200",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"every_host", 0,
                     "1: when the site file names terminals, also report other hosts "
                     "(low); without terminals every host is reported anyway"},
                },
        },
    .open = usb_open,
    .event = usb_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
