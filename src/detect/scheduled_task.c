/* scheduled_task: a scheduled task created (4698) or changed (4702), or made with
 * schtasks /create or at (4688, Sysmon 1). What the task runs (<Command> and
 * <Arguments> of its XML, /tr of schtasks) is judged as service_install judges a
 * service: a shell or a program in a writable folder makes it high. Creations are
 * always reported (low when nothing looks wrong); changes only when suspicious. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

typedef struct st {
    ks_group g;
} st;

static int st_open(ks_det *d, void **state)
{
    st *s = calloc(1, sizeof *s);
    if (!s || ks_group_open(&s->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

/* The text between <tag> and </tag> in xml. */
static ks_str element(ks_str xml, const char *open, const char *close)
{
    size_t no = strlen(open), nc = strlen(close);
    for (size_t i = 0; i + no <= xml.len; i++) {
        if (memcmp(xml.p + i, open, no)) continue;
        size_t start = i + no;
        for (size_t k = start; k + nc <= xml.len; k++)
            if (!memcmp(xml.p + k, close, nc)) return (ks_str){xml.p + start, k - start};
        break;
    }
    return (ks_str){"", 0};
}

/* XML text with &lt; &gt; &amp; &quot; &apos; undone, at most cap bytes; the length. */
static size_t unescape(ks_str s, char *out, size_t cap)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    size_t n = 0;
    for (size_t i = 0; i < s.len && n < cap;) {
        size_t k = 0;
        while (k < 5 && !(s.p[i] == '&' && s.len - i >= strlen(ents[k].ent) &&
                          !memcmp(s.p + i, ents[k].ent, strlen(ents[k].ent))))
            k++;
        if (k < 5) {
            out[n++] = ents[k].c;
            i += strlen(ents[k].ent);
        } else {
            out[n++] = s.p[i++];
        }
    }
    return n;
}

/* After the first occurrence of lit (case-insensitive), or empty. */
static ks_str after(ks_str s, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t i = 0; i + n <= s.len; i++)
        if (ks_str_ieq((ks_str){s.p + i, n}, lit)) return (ks_str){s.p + i + n, s.len - i - n};
    return (ks_str){"", 0};
}

static void st_event(ks_det *d, void *state, const ks_event *ev)
{
    st *s = state;
    ks_str name = {"", 0}, run = {"", 0};
    char buf[600];
    bool change = false, at = false;
    if ((ev->event_id == 4698 || ev->event_id == 4702) && ks_event_is_security(ev)) {
        name = ks_det_text(d, ev, "TaskName");
        ks_str xml = ks_det_text(d, ev, "TaskContent");
        if (!xml.len) xml = ks_det_text(d, ev, "TaskContentNew");
        ks_str cmd = element(xml, "<Command>", "</Command>");
        ks_str args = element(xml, "<Arguments>", "</Arguments>");
        size_t n = unescape(cmd, buf, 300);
        if (args.len) {
            buf[n++] = ' ';
            n += unescape(args, buf + n, 290);
        }
        run = (ks_str){buf, n};
        change = ev->event_id == 4702;
    } else if ((ev->event_id == 4688 && ks_event_is_security(ev)) ||
               (ev->event_id == 1 && ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon"))) {
        ks_str image = ks_str_basename(ev->sem.process);
        ks_str cl = ev->sem.command_line;
        bool schtasks = ks_str_ieq(image, "schtasks.exe") && ks_str_icontains(cl, "/create");
        at = ks_str_ieq(image, "at.exe") && cl.len > 3;
        if (!schtasks && !at) return;
        run = schtasks ? after(cl, "/tr ") : after(cl, "at ");
        ks_str tn = after(cl, "/tn ");
        size_t k = 0;
        while (k < tn.len && tn.p[k] != ' ') k++;
        name = (ks_str){tn.p, k};
        if (!run.len) run = cl;
    } else {
        return;
    }
    ks_why why = ks_command_suspicion(run);
    if (at && why == KS_WHY_NONE) why = KS_WHY_COMMAND; /* at /interactive: always a shell */
    if (change && why == KS_WHY_NONE) return;
    bool fresh;
    ks_finding *f = ks_group_add(&s->g, d, "t", ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh) f->severity = KS_LEVEL_LOW;
    ks_level lv = why == KS_WHY_NONE      ? KS_LEVEL_LOW
                  : why == KS_WHY_UNUSUAL ? KS_LEVEL_MEDIUM
                                          : KS_LEVEL_HIGH;
    if (lv > f->severity) f->severity = lv;
    if (!fresh) ks_finding_add_user(f, ev->sem.user);
    ks_finding_add_detail(f, name);
    if (run.len) {
        char what[200];
        ks_str_copy(what, sizeof what, run);
        ks_finding_add_detail(f, (ks_str){what, strlen(what)});
    }
}

const ks_detector_def ks_detector_scheduled_task = {
    .info =
        {
            .id = "scheduled_task",
            .title = {"Scheduled task created", "タスクスケジューラへの登録"},
            .explain =
                {
                    {"{count} scheduled task(s) created or changed on {host} by {user}: {detail}",
                     "{host} で {user} がタスクを {count} 件登録・変更: {detail}"},
                },
            .categories = {"scheduled_task"},
            .attack = "T1053.005",
            .severity = KS_LEVEL_MEDIUM,
            .params =
                {
                    {"merge_s", 600,
                     "tasks on one host within this many seconds are one "
                     "finding"},
                },
        },
    .open = st_open,
    .event = st_event,
    .end_file = ks_group_state_end_file,
    .close = ks_group_state_close,
};
