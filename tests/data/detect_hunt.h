/* What the data tests of the detectors share: run every built-in detector over a
 * file or folder of ../shared/data (reader damage noted, as kensa hunt does) and look
 * at the findings by detector. Include after harness.h; set `data` first. */
#ifndef KS_TEST_DETECT_HUNT_H
#define KS_TEST_DETECT_HUNT_H

#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "kensa/kensa.h"

#define MAXF 128

typedef struct got {
    ks_finding f[MAXF];
    int n;
} got;

static const char *data;

static void on_finding(void *ctx, const ks_finding *f)
{
    got *g = ctx;
    if (g->n < MAXF) g->f[g->n] = *f;
    g->n++;
}

static void on_problem(void *ctx, const ks_problem *p)
{
    (void)p;
    ks_detect_note_damage(ctx);
}

static void on_file(void *ctx, const char *path, ks_format f, const char *why)
{
    (void)why;
    ks_detect *d = ctx;
    if (f == KS_FORMAT_UNKNOWN) return;
    ks_source *s = NULL;
    ks_diag diag = {0};
    ks_source_opts o = {.on_problem = on_problem, .ctx = d};
    ks_detect_begin_file(d, path);
    if (ks_source_open(&s, path, &o, &diag) != KS_OK) {
        fprintf(stderr, "%s: %s\n", path, diag.what);
        CHECK(0);
        ks_detect_end_file(d);
        return;
    }
    const ks_event *ev;
    while (ks_source_next(s, &ev) == KS_OK && ev) ks_detect_feed(d, ev);
    ks_detect_end_file(d);
    ks_source_close(&s);
}

/* Every detector (settings ov, site file site; both may be NULL) over rel. */
static void hunt_in(got *g, const char *rel, const ks_detect_override *ov, size_t nov,
                    const ks_site *site)
{
    memset(g, 0, sizeof *g);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", data, rel);
    ks_detect_opts o = {ov, nov, "UTC", on_finding, g, NULL, NULL, site};
    ks_detect *d = NULL;
    ks_diag diag = {0};
    CHECK_INT(ks_detect_open(&d, &o, &diag), KS_OK);
    if (!d) return;
    if (ks_evidence_walk(path, on_file, d, &diag) != KS_OK) {
        fprintf(stderr, "%s: %s\n", path, diag.what);
        CHECK(0);
    }
    ks_detect_close(&d);
}

static int count_of(const got *g, const char *detector)
{
    int n = 0;
    for (int i = 0; i < g->n && i < MAXF; i++) n += !strcmp(g->f[i].detector->id, detector);
    return n;
}

static const ks_finding *nth(const got *g, const char *detector, int k)
{
    for (int i = 0; i < g->n && i < MAXF; i++)
        if (!strcmp(g->f[i].detector->id, detector) && k-- == 0) return &g->f[i];
    return NULL;
}

#endif
