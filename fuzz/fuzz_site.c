/* Fuzz target: the site file (site.yaml through libyaml) on any bytes, then every
 * look-up over what was read: hosts by name and address, accounts and groups, allowed
 * addresses, duty hours at every hour of a week, and the detector settings merged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kensa/site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(const char *s)
{
    if (s) sink += strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ks_site *s = NULL;
    ks_diag d = {0};
    if (ks_site_load_mem(&s, data, size, "fuzz.yaml", &d) != KS_OK) {
        touch(d.what);
        return 0;
    }
    static const char *const probes[] = {
        "DC01", "emr-term-01.hosp.local", "10.0.0.1", "2001:db8::1", "HOSP\\vendor.emr", "x@y", "",
        "*"};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        const ks_site_host *h = ks_site_host_find(s, probes[i]);
        if (h) touch(h->name);
        touch(ks_site_role_name(ks_site_role_of(s, probes[i])));
        touch(ks_site_host_by_address(s, probes[i]));
        const ks_site_account *a = ks_site_account_find(s, probes[i]);
        if (a) touch(a->name);
        sink += (size_t)ks_site_address_allowed(s, probes[i], "10.0.0.1");
        sink += (size_t)ks_site_address_allowed(s, NULL, probes[i]);
    }
    touch(s->name);
    touch(s->tz);
    touch(s->home_country);
    for (size_t i = 0; i < s->nhosts; i++) {
        touch(s->hosts[i].name);
        sink += (size_t)ks_site_role_of(s, s->hosts[i].name);
    }
    for (size_t i = 0; i < s->naccounts; i++) {
        const ks_site_account *a = &s->accounts[i];
        touch(a->name);
        for (size_t k = 0; k < a->nmembers; k++) touch(a->members[k]);
        for (int day = 0; day < 7; day++)
            for (int m = 0; m < 24 * 60; m += 37)
                sink += (size_t)ks_site_hours_within(&a->duty, day, m);
    }
    for (size_t i = 0; i < s->nbackups; i++) {
        touch(s->backups[i].name);
        touch(s->backups[i].host);
        touch(s->backups[i].kind);
        touch(s->backups[i].path);
        sink += s->backups[i].daily + s->backups[i].yearly;
    }
    size_t n = 0;
    ks_detect_override *o = ks_site_overrides(s, NULL, 0, &n);
    for (size_t i = 0; o && i < n; i++) {
        touch(o[i].detector);
        touch(o[i].param);
    }
    free(o);
    ks_site_free(&s);
    return 0;
}
