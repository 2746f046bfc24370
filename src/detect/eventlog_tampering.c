/* eventlog_tampering: the event log stopped or records taken out of it.
 * - 1100 "the event logging service has shut down" followed on that host by
 *   anything but 4608 "Windows is starting up" (or System 6005/6009): the service
 *   was stopped and started again, not the machine (a log that ends after 1100 is
 *   a machine shut down, or collected then, and says nothing);
 * - 7036 saying the Windows Event Log service stopped, then running again with no
 *   boot (6005/6009, Kernel-General 12) in between (at every shutdown Windows 7
 *   logs it stopping among the other services);
 * - record ids that jump forward inside one log whose records are otherwise
 *   consecutive (`context` records on both sides): records deleted from the file.
 * Filtered exports number their records with gaps everywhere; the context rule
 * keeps them quiet. Record ids are followed per host and channel within a file;
 * gaps in a file where the reader met damage (ks_detect_note_damage) are reported
 * as possible corruption, low. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

enum { V_STOPPED, V_SERVICE, V_GAP, V_DAMAGED_GAP };

typedef struct host_state {
    bool pending, svc_pending;
    ks_ref stop;     /* the 1100 */
    ks_ref svc_stop; /* the 7036 "Windows Event Log ... stopped" */
    char host[128];
} host_state;

typedef struct seq_state {
    uint64_t last_id;
    uint64_t run; /* consecutive records up to last_id */
    bool gap;     /* a gap waits for its after-context */
    uint64_t gap_from, gap_to, run_before;
    ks_ref before, after;
    size_t host_len, channel_len; /* of the names below, SIZE_MAX when cut */
    char host[128], channel[96];
} seq_state;

#define ET_GAPS 32

typedef struct et {
    ks_finding *gaps[ET_GAPS]; /* record-id gaps of the current file */
    unsigned ngaps;
    ks_keys *hosts, *seqs;
    seq_state *last_seq; /* the sequence of the previous event */
    int64_t slack;
    uint64_t context;
    ks_det *d;
} et;

static int et_open(ks_det *d, void **state)
{
    et *e = calloc(1, sizeof *e);
    if (!e) return -1;
    e->slack = ks_det_param(d, "slack_s") * KS_SECOND_NS;
    int64_t c = ks_det_param(d, "context");
    e->context = c < 1 ? 1 : (uint64_t)c;
    e->hosts = ks_keys_new(sizeof(host_state), 4096);
    e->seqs = ks_keys_new(sizeof(seq_state), 4096);
    if (!e->hosts || !e->seqs) {
        ks_keys_free(&e->hosts);
        ks_keys_free(&e->seqs);
        free(e);
        return -1;
    }
    *state = e;
    return 0;
}

static void report_stop(ks_det *d, host_state *h, int variant)
{
    ks_finding *f = ks_finding_new(d, NULL);
    if (!f) return;
    f->variant = variant;
    snprintf(f->host, sizeof f->host, "%s", h->host);
    ks_finding_add(f, d, variant == V_STOPPED ? h->stop : h->svc_stop);
    if (variant == V_STOPPED) h->pending = false;
    ks_finding_emit(d, f);
}

static void report_gap(ks_det *d, seq_state *s)
{
    ks_finding *f = ks_finding_new(d, NULL);
    if (!f) return;
    f->variant = V_GAP;
    snprintf(f->host, sizeof f->host, "%s", s->host);
    snprintf(f->detail, sizeof f->detail, "%s %llu-%llu, %llu", s->channel,
             (unsigned long long)s->gap_from, (unsigned long long)s->gap_to,
             (unsigned long long)(s->gap_to - s->gap_from + 1));
    ks_finding_add(f, d, s->before);
    ks_finding_add(f, d, s->after);
    s->gap = false;
    /* held to the end of the file: only then is it known whether the reader met
     * damage in it, which makes gaps corruption rather than deletion */
    et *e = ks_det_state(d);
    if (e->ngaps < ET_GAPS) {
        e->gaps[e->ngaps++] = f;
    } else {
        e->gaps[ET_GAPS - 1]->count += 2; /* the last one held stands for the rest */
        free(f);
    }
}

/* The sequence of the event's host and channel: the last one again (logs are read
 * one at a time, so it nearly always is), else looked up. */
static seq_state *sequence_of(ks_det *d, et *e, const ks_event *ev)
{
    seq_state *s = e->last_seq;
    if (s && ev->host.len == s->host_len && ev->channel.len == s->channel_len &&
        (!s->host_len || !memcmp(ev->host.p, s->host, s->host_len)) &&
        (!s->channel_len || !memcmp(ev->channel.p, s->channel, s->channel_len)))
        return s;
    s = ks_keys_get(e->seqs, d, "q", ev->host, ev->channel, true);
    if (!s) return NULL;
    if (!s->run) {
        ks_str_copy(s->host, sizeof s->host, ev->host);
        ks_str_copy(s->channel, sizeof s->channel, ev->channel);
    }
    /* cache only names kept whole (and so comparable byte for byte) */
    s->host_len = strlen(s->host) == ev->host.len ? ev->host.len : SIZE_MAX;
    s->channel_len = strlen(s->channel) == ev->channel.len ? ev->channel.len : SIZE_MAX;
    e->last_seq = s;
    return s;
}

static void sequence(ks_det *d, et *e, const ks_event *ev)
{
    if (!ev->record_id || !ev->channel.len || ks_str_eq(ev->channel, "syslog")) return;
    seq_state *s = sequence_of(d, e, ev);
    if (!s) return;
    ks_ref r = ks_ref_of(d, ev, 0);
    uint64_t id = ev->record_id;
    if (!s->run) {
        s->last_id = id;
        s->run = 1;
        s->before = r;
        return;
    }
    if (id == s->last_id + 1) {
        s->run++;
        s->last_id = id;
        if (s->gap && s->run >= e->context) report_gap(d, s);
        if (!s->gap) s->before = r;
        return;
    }
    if (id <= s->last_id) { /* a wrapped or recovered record: start over */
        if (id < s->last_id) s->gap = false, s->run = 1, s->last_id = id, s->before = r;
        return;
    }
    /* a forward jump: a gap if enough consecutive records led up to it */
    s->gap = false; /* two gaps close together: an export, not a deletion */
    if (s->run >= e->context) {
        s->gap = true;
        s->gap_from = s->last_id + 1;
        s->gap_to = id - 1;
        s->after = r;
    } else {
        s->before = r;
    }
    s->run = 1;
    s->last_id = id;
}

static void et_event(ks_det *d, void *state, const ks_event *ev)
{
    et *e = state;
    sequence(d, e, ev);

    bool eventlog = ks_str_eq(ev->provider, "Microsoft-Windows-Eventlog") ||
                    ks_str_eq(ev->provider, "EventLog");
    bool boot = (ev->event_id == 4608 && ks_event_is_security(ev)) ||
                ((ev->event_id == 6005 || ev->event_id == 6009) && eventlog) ||
                (ev->event_id == 12 && ks_str_eq(ev->provider, "Microsoft-Windows-Kernel-General"));
    host_state *h = ks_keys_size(e->hosts)
                        ? ks_keys_get(e->hosts, NULL, "h", ev->host, (ks_str){"", 0}, false)
                        : NULL;
    if (h && boot) h->svc_pending = false;
    /* the first event of the host after the stop (records written a moment before
     * it may come after it in the file): a boot, or the log simply going on */
    if (h && h->pending && ev->time_ns > h->stop.t + e->slack) {
        if (boot)
            h->pending = false;
        else
            report_stop(d, h, V_STOPPED);
    }
    if (ev->event_id == 1100 && eventlog) {
        h = ks_keys_get(e->hosts, d, "h", ev->host, (ks_str){"", 0}, true);
        if (!h) return;
        h->pending = true;
        h->stop = ks_ref_of(d, ev, 0);
        ks_str_copy(h->host, sizeof h->host, ev->host);
        return;
    }
    if (ev->event_id != 7036 || !ks_str_eq(ev->provider, "Service Control Manager")) return;
    ks_str svc = ev->sem.service;
    ks_str st = ks_det_text(d, ev, "param2");
    ks_str bin = ks_det_text(d, ev, "Binary");
    bool is_log = ks_str_icontains(svc, "Event Log") || ks_str_icontains(svc, "EventLog") ||
                  ks_str_icontains(svc, "イベント ログ");
    if (!is_log) return;
    /* Binary is the service's key name and state as UTF-16 hex: "EventLog/1", "/4" */
    bool stopped = ks_str_icontains(st, "stopped") || ks_str_icontains(st, "停止") ||
                   ks_str_icontains(bin, "4500760065006E0074004C006F0067002F003100");
    bool running = ks_str_icontains(st, "running") || ks_str_icontains(st, "実行") ||
                   ks_str_icontains(bin, "4500760065006E0074004C006F0067002F003400");
    if (stopped) {
        h = ks_keys_get(e->hosts, d, "h", ev->host, (ks_str){"", 0}, true);
        if (!h) return;
        h->svc_pending = true;
        h->svc_stop = ks_ref_of(d, ev, 0);
        ks_str_copy(h->host, sizeof h->host, ev->host);
    } else if (running && h && h->svc_pending) {
        h->svc_pending = false;
        report_stop(d, h, V_SERVICE);
    }
}

static bool flush_host(void *ctx, void *state)
{
    et *e = ctx;
    host_state *h = state;
    (void)e;
    h->pending = h->svc_pending = false; /* the log ends after the stop: shut down, or
                                            collected then */
    return true;
}

static void et_end_file(ks_det *d, void *state)
{
    et *e = state;
    e->d = d;
    ks_keys_sweep(e->hosts, flush_host, e);
    ks_keys_sweep(e->seqs, NULL, NULL); /* a gap without its after-context is not reported */
    e->last_seq = NULL;
    bool damaged = ks_det_file_damaged(d);
    for (unsigned i = 0; i < e->ngaps; i++) {
        ks_finding *f = e->gaps[i];
        if (damaged) {
            f->variant = V_DAMAGED_GAP;
            f->severity = KS_LEVEL_LOW;
        }
        ks_finding_emit(d, f);
    }
    e->ngaps = 0;
}

static void et_close(ks_det *d, void *state)
{
    et *e = state;
    for (unsigned i = 0; i < e->ngaps; i++) free(e->gaps[i]);
    ks_keys_free(&e->hosts);
    ks_keys_free(&e->seqs);
    free(e);
}

const ks_detector_def ks_detector_eventlog_tampering = {
    .info =
        {
            .id = "eventlog_tampering",
            .title = {"Event log stopped or records removed", "イベントログの停止・レコードの削除"},
            .explain =
                {
                    {"the event log service on {host} shut down (1100) and the log went on "
                     "without Windows starting again: the service was stopped",
                     "{host} のイベントログサービスが停止 (1100) した後、Windows "
                     "の起動なしにログが続いています: サービスが止められました"},
                    {"the Windows Event Log service on {host} was stopped and started again "
                     "without a restart of Windows (7036)",
                     "{host} の Windows Event Log サービスが Windows "
                     "の再起動なしに停止・再開されました "
                     "(7036)"},
                    {"records are missing from a log on {host} ({detail} missing) while the "
                     "records around them are consecutive",
                     "{host} のログでレコードが欠けています ({detail} 件が欠落)。前後のレコードは"
                     "連続しています"},
                    {"records are missing from a damaged log on {host} ({detail} missing): the "
                     "reader met damage in this file, so this may be corruption, not deletion",
                     "{host} の壊れたログでレコードが欠けています ({detail} 件が欠落)。"
                     "ファイルに損傷があるため、削除ではなく破損の可能性があります"},
                },
            .categories = {"eventlog_tampering"},
            .attack = "T1562.002 T1070.001",
            .severity = KS_LEVEL_HIGH,
            .params =
                {
                    {"slack_s", 5,
                     "seconds after 1100 in which records written just before "
                     "it may still appear"},
                    {"context", 20,
                     "consecutive records needed on both sides of a record-id "
                     "gap"},
                },
        },
    .open = et_open,
    .event = et_event,
    .end_file = et_end_file,
    .close = et_close,
};
