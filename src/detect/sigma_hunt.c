/* Sigma rules inside the detection engine (kensa hunt --rules): every event is
 * offered to the rules that can match it, and matches of one rule on one host that
 * follow each other within ten minutes make one finding (category "sigma" plus the
 * categories of the rule's ATT&CK tags; the rule is the finding's detector). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/sigma_internal.h"

#define SG_HUNT_GAP (10 * KS_MINUTE_NS)

struct ks_sigma_hunt {
    const ks_sigma_rules *rules;
    ks_sigma_matcher *m;
    ks_finding **open; /* per rule: its open finding, or NULL */
    size_t nrules;
    ks_detect *e; /* during a feed */
};

ks_sigma_hunt *ks_sigma_hunt_open(const ks_sigma_rules *rules)
{
    ks_sigma_hunt *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->rules = rules;
    h->nrules = ks_sigma_count(rules);
    h->open = calloc(h->nrules + 1, sizeof *h->open);
    if (!h->open || ks_sigma_matcher_open(&h->m, rules) != KS_OK) {
        ks_sigma_hunt_close(h);
        return NULL;
    }
    return h;
}

static void emit(ks_sigma_hunt *h, ks_detect *e, size_t i)
{
    ks_finding *f = h->open[i];
    if (!f) return;
    const ks_sigma_rule_info *r = ks_sigma_rule_at(h->rules, i);
    bool ja = ks_lang_get() == KS_LANG_JA;
    snprintf(f->explanation, sizeof f->explanation,
             ja ? "Sigma ルール「%s」(%s) に %llu 件のイベントが一致"
                : "Sigma rule \"%s\" (%s) matched %llu event(s)",
             r->title, r->id, (unsigned long long)f->count);
    ks_detect_deliver(e, f);
    free(f);
    h->open[i] = NULL;
}

static void on_match(void *ctx, size_t i, const ks_event *ev)
{
    ks_sigma_hunt *h = ctx;
    ks_detect *e = h->e;
    ks_finding *f = h->open[i];
    if (f && (ev->time_ns - f->last_ns > SG_HUNT_GAP || ev->time_ns < f->first_ns - SG_HUNT_GAP ||
              !ks_str_eq(ev->host, f->host))) {
        emit(h, e, i);
        f = NULL;
    }
    if (!f) {
        if (!(f = calloc(1, sizeof *f))) return;
        const ks_sigma_rule_info *r = ks_sigma_rule_at(h->rules, i);
        f->detector = &r->detector;
        memcpy(f->categories, r->detector.categories, sizeof f->categories);
        f->severity = r->level;
        ks_str_copy(f->host, sizeof f->host, ev->host);
        ks_str_copy(f->src_ip, sizeof f->src_ip, ev->sem.src_ip);
        f->first_ns = f->last_ns = ev->time_ns;
        h->open[i] = f;
    }
    if (ev->time_ns < f->first_ns) f->first_ns = ev->time_ns;
    if (ev->time_ns > f->last_ns) f->last_ns = ev->time_ns;
    f->count++;
    ks_finding_add_user(f, ev->sem.user);
    if (!f->src_ip[0]) ks_str_copy(f->src_ip, sizeof f->src_ip, ev->sem.src_ip);
    ks_finding_add_detail(f, ev->sem.command_line.len ? ev->sem.command_line
                             : ev->sem.process.len    ? ev->sem.process
                                                      : ev->sem.service);
    if (f->nevidence < KS_FINDING_EVIDENCE)
        f->evidence[f->nevidence++] =
            (ks_evidence){ks_detect_file_name(e), ev->record_id, ev->time_ns};
}

void ks_sigma_hunt_feed(ks_sigma_hunt *h, ks_detect *e, const ks_event *ev)
{
    h->e = e;
    ks_sigma_match(h->m, ev, on_match, h);
}

void ks_sigma_hunt_flush(ks_sigma_hunt *h, ks_detect *e)
{
    h->e = e;
    ks_sigma_matcher_flush(h->m, on_match, h);
    for (size_t i = 0; i < h->nrules; i++) emit(h, e, i);
}

void ks_sigma_hunt_close(ks_sigma_hunt *h)
{
    if (!h) return;
    for (size_t i = 0; h->open && i < h->nrules; i++) free(h->open[i]);
    free(h->open);
    ks_sigma_matcher_close(&h->m);
    free(h);
}
