/* report.html: the investigation as one self-contained page (no scripts, fonts or
 * images from outside, so it opens on a closed hospital network). It leads with the
 * answer in plain words, then the timeline drawn here as inline SVG, the chains, the
 * log coverage, logons per host and per account, and every finding with its evidence.
 * Japanese or English, as ks_lang_get() says. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "investigate/output.h"
#include "report/report.h"
#include "kensa/i18n.h"
#include "kensa/kensa.h"
#include "kensa/time.h"

#define NS_PER_S INT64_C(1000000000)

/* Labels of the page, English and Japanese. */
enum {
    L_TITLE,
    L_ANSWER,
    L_GOT_IN,
    L_SIGNS,
    L_NO_INTRUSION,
    L_NO_INTRUSION_MORE,
    L_CONFIDENCE,
    L_CONF_HIGH,
    L_CONF_MEDIUM,
    L_CONF_LOW,
    L_FIRST_ATTEMPT,
    L_MAYBE_EARLIER,
    L_EVIDENCE,
    L_TIMELINE,
    L_TIMELINE_NOTE,
    L_CHAINS,
    L_CHAIN,
    L_NO_ENTRY,
    L_TIME,
    L_STAGE,
    L_WHAT,
    L_HOST,
    L_USER,
    L_SOURCE,
    L_FILE,
    L_COVERAGE,
    L_COVERAGE_NOTE,
    L_LOG,
    L_EVENTS,
    L_FIRST,
    L_LAST,
    L_GAP,
    L_CLEARED,
    L_LOGONS_HOST,
    L_LOGONS_ACCOUNT,
    L_INTERACTIVE,
    L_NETWORK,
    L_RDP,
    L_FAILED,
    L_SOURCES,
    L_FINDINGS,
    L_NOT_IN_CHAIN,
    L_ZONE,
    L_READ,
    L_ST_ENTRY,
    L_ST_SPREAD,
    L_ST_PERSISTENCE,
    L_ST_EVASION,
    L_ST_IMPACT,
    L_MORE_ROWS,
    L_REASON_ATTEMPT,
    L_MORE_LOGS,
    L_REASON_ENTRY,
    L_REASON_NO_ENTRY,
    L_COUNT
};

static const char *const LABELS[L_COUNT][2] = {
    [L_TITLE] = {"kensa investigation report", "kensa 調査報告書"},
    [L_ANSWER] = {"The answer", "結論"},
    [L_GOT_IN] = {"Someone got in at <b>%s</b> (%s): %s logged on to %s from %s.",
                  "<b>%s</b> (%s) に侵入されました: %s が %s から %s にログオンしています。"},
    [L_SIGNS] = {"Signs of an attack from <b>%s</b> (%s) on %s, but no way in was found in "
                 "these logs.",
                 "<b>%s</b> (%s) から %s に攻撃の兆候がありますが、これらのログには侵入口が"
                 "見つかりません。"},
    [L_NO_INTRUSION] = {"No intrusion was found in these logs.",
                        "これらのログには侵入の形跡は見つかりませんでした。"},
    [L_NO_INTRUSION_MORE] =
        {"No chain of attack (entry, spread, persistence, evasion, impact) links the findings "
         "below. Check the coverage: logs that are missing or cleared cannot show an intrusion.",
         "以下の検出は攻撃の連鎖 (侵入、拡大、永続化、隠蔽、被害) としてつながりません。"
         "ログの範囲も確認してください: ないログや消去されたログには侵入は現れません。"},
    [L_CONFIDENCE] = {"Confidence", "確からしさ"},
    [L_CONF_HIGH] = {"high: failed logons, then a success, then more steps of an attack",
                     "高: ログオンの失敗の後に成功し、その後に攻撃の手順が続いています"},
    [L_CONF_MEDIUM] = {"medium: an entry and what followed it, without the failures before it",
                       "中: 侵入とその後の動きはありますが、その前の失敗は見えていません"},
    [L_CONF_LOW] = {"low: signs of an attack, but no entry was found",
                    "低: 攻撃の兆候はありますが、侵入口は見つかっていません"},
    [L_FIRST_ATTEMPT] = {"The attempts began at %s.", "試行は %s に始まっています。"},
    [L_MAYBE_EARLIER] = {"The intrusion may be earlier: ", "侵入はこれより早い可能性があります: "},
    [L_EVIDENCE] = {"Evidence", "根拠"},
    [L_TIMELINE] = {"Timeline", "時系列"},
    [L_TIMELINE_NOTE] = {"Each dot is a step of a chain, by stage; the red line is the estimated "
                         "first intrusion. Times in %s.",
                         "点は連鎖の各段階の出来事、赤い線は推定した最初の侵入です。時刻は %s。"},
    [L_CHAINS] = {"Attack chains", "攻撃の連鎖"},
    [L_CHAIN] = {"Chain %zu", "連鎖 %zu"},
    [L_NO_ENTRY] = {"(no entry found)", "(侵入口は見つかっていません)"},
    [L_TIME] = {"Time", "時刻"},
    [L_STAGE] = {"Stage", "段階"},
    [L_WHAT] = {"What", "内容"},
    [L_HOST] = {"Host", "ホスト"},
    [L_USER] = {"Account", "アカウント"},
    [L_SOURCE] = {"Source", "接続元"},
    [L_FILE] = {"Evidence (file #record)", "根拠 (ファイル #レコード)"},
    [L_COVERAGE] = {"Log coverage", "ログの範囲"},
    [L_COVERAGE_NOTE] = {"What each log on each host holds: an intrusion before a log's first "
                         "event, or in a cleared log, cannot be seen in it.",
                         "各ホストの各ログが含む期間です。最初のイベントより前や、消去された"
                         "ログの中の侵入は、そのログには現れません。"},
    [L_LOG] = {"Log", "ログ"},
    [L_EVENTS] = {"Events", "イベント数"},
    [L_FIRST] = {"First event", "最初"},
    [L_LAST] = {"Last event", "最後"},
    [L_GAP] = {"Longest gap", "最長の空白"},
    [L_CLEARED] = {"Cleared", "消去"},
    [L_LOGONS_HOST] = {"Logons per host", "ホストごとのログオン"},
    [L_LOGONS_ACCOUNT] = {"Logons per account", "アカウントごとのログオン"},
    [L_INTERACTIVE] = {"Interactive", "対話型"},
    [L_NETWORK] = {"Network", "ネットワーク"},
    [L_RDP] = {"RDP", "RDP"},
    [L_FAILED] = {"Failed", "失敗"},
    [L_SOURCES] = {"Sources (last)", "接続元 (最後)"},
    [L_FINDINGS] = {"Findings", "検出"},
    [L_NOT_IN_CHAIN] = {"not in a chain", "連鎖外"},
    [L_ZONE] = {"times in %s", "時刻は %s"},
    [L_READ] = {"%zu files, %llu events read (%u could not be read); %zu findings.",
                "ファイル %zu 個、イベント %llu 件を読みました (読めなかったファイル %u 個)。"
                "検出 %zu 件。"},
    [L_ST_ENTRY] = {"entry", "侵入"},
    [L_ST_SPREAD] = {"spread", "拡大"},
    [L_ST_PERSISTENCE] = {"persistence", "永続化"},
    [L_ST_EVASION] = {"evasion", "隠蔽"},
    [L_ST_IMPACT] = {"impact", "被害"},
    [L_MORE_LOGS] = {"... and %zu more: see the log coverage below.",
                     "... ほか %zu 件: 下の「ログの範囲」を見てください。"},
    [L_REASON_ATTEMPT] = {"This is the first successful logon of %s from %s to %s after failed "
                          "attempts from the same address; %d later stage(s) of the attack follow "
                          "from it.",
                          "同じアドレスからの失敗の後、%s が %s から %s に初めてログオンに成功した"
                          "時刻です。その後に攻撃の %d 段階が続いています。"},
    [L_REASON_ENTRY] = {"This is the first logon of %s from %s to %s that starts the chain; %d "
                        "later stage(s) of the attack follow from it.",
                        "%s が %s から %s にログオンした、連鎖の最初の時刻です。その後に攻撃の "
                        "%d 段階が続いています。"},
    [L_REASON_NO_ENTRY] = {"No entry was found in the logs: this is the earliest sign of the "
                           "attack (%s%s%s).",
                           "ログには侵入口が見つかりません: 攻撃の最も早い兆候の時刻です "
                           "(%s%s%s)。"},
    [L_MORE_ROWS] = {"%zu more rows are in timeline.csv and summary.json.",
                     "残りの %zu 行は timeline.csv と summary.json にあります。"},
};

static const char *const STAGE_COLOR[KS_STAGE_COUNT] = {"#c0392b", "#d35400", "#8e44ad", "#2c3e50",
                                                        "#000000"};

static int ja(void)
{
    return ks_lang_get() == KS_LANG_JA;
}

static const char *L(int id)
{
    return LABELS[id][ja()];
}

static void local(const ks_investigation *inv, int64_t ns, char *out, size_t cap)
{
    if (!ns) {
        snprintf(out, cap, "-");
        return;
    }
    ks_investigate_local(inv, ns, out, cap, true);
}

static void td_u64(ks_buf *b, uint64_t v)
{
    ks_buf_printf(b, "<td class=n>%llu</td>", (unsigned long long)v);
}

static const char *stage_label(ks_stage s)
{
    return (unsigned)s < KS_STAGE_COUNT ? L(L_ST_ENTRY + (int)s) : "";
}

static void answer(ks_buf *b, const ks_investigation *inv)
{
    const ks_estimate *e = &inv->estimate;
    char t[40], a[40];
    ks_buf_printf(b, "<section id=answer><h2>%s</h2>", L(L_ANSWER));
    if (!e->found) {
        ks_buf_printf(b, "<p class=big>%s</p><p>%s</p>", L(L_NO_INTRUSION), L(L_NO_INTRUSION_MORE));
    } else {
        local(inv, e->time_ns, t, sizeof t);
        ks_buf u = {0}, h = {0}, s = {0}, z = {0};
        ks_report_esc(&u, e->user[0] ? e->user : "-");
        ks_report_esc(&h, e->src_ip[0] ? e->src_ip : "-");
        ks_report_esc(&s, e->host[0] ? e->host : "-");
        ks_report_esc(&z, inv->zone);
        ks_buf_putc(&u, 0);
        ks_buf_putc(&h, 0);
        ks_buf_putc(&s, 0);
        ks_buf_putc(&z, 0);
        ks_buf_puts(b, "<p class=big>");
        if (u.failed || h.failed || s.failed || z.failed)
            ;
        else if (inv->chains[e->chain].has_entry)
            ks_buf_printf(b, L(L_GOT_IN), t, z.data, u.data, h.data, s.data);
        else
            ks_buf_printf(b, L(L_SIGNS), t, z.data, s.data);
        ks_buf_puts(b, "</p>");
        ks_buf_free(&u);
        ks_buf_free(&h);
        ks_buf_free(&s);
        ks_buf_free(&z);
        ks_buf_puts(b, "<p class=utc>UTC: ");
        ks_time_format(b, e->time_ns, 0);
        ks_buf_puts(b, "</p>");
        if (e->attempt_ns && e->attempt_ns < e->time_ns) {
            local(inv, e->attempt_ns, a, sizeof a);
            ks_buf_puts(b, "<p>");
            ks_buf_printf(b, L(L_FIRST_ATTEMPT), a);
            ks_buf_puts(b, "</p>");
        }
        int conf = e->confidence == KS_CONF_HIGH     ? L_CONF_HIGH
                   : e->confidence == KS_CONF_MEDIUM ? L_CONF_MEDIUM
                                                     : L_CONF_LOW;
        ks_buf_printf(b, "<p><b>%s</b>: <span id=confidence class=conf-%s>%s</span></p>",
                      L(L_CONFIDENCE), ks_confidence_name(e->confidence), L(conf));
        ks_buf_puts(b, "<p class=reason>");
        const ks_chain *c = &inv->chains[e->chain];
        int later = __builtin_popcount(c->stages & ~1u);
        char why[768];
        if (c->has_entry)
            snprintf(why, sizeof why, L(c->attempt_ns ? L_REASON_ATTEMPT : L_REASON_ENTRY),
                     c->account, c->src_ip[0] ? c->src_ip : "-", e->host, later);
        else
            snprintf(why, sizeof why, L(L_REASON_NO_ENTRY), e->host, "", "");
        ks_report_esc(b, why);
        if (e->file) {
            ks_buf_printf(b, " — %s: ", L(L_EVIDENCE));
            ks_report_esc(b, e->file);
            ks_buf_printf(b, " #%llu", (unsigned long long)e->record_id);
        }
        ks_buf_puts(b, "</p>");
        if (e->maybe_earlier) {
            ks_buf_printf(b, "<div id=earlier class=warn>%s<ul>", L(L_MAYBE_EARLIER));
            size_t shown = 0, more = 0;
            for (size_t i = 0; i < inv->ncoverage; i++)
                if (inv->coverage[i].bounds && shown++ >= 10)
                    more++;
                else if (inv->coverage[i].bounds) {
                    char bound[512];
                    ks_investigate_bound_text(inv, &inv->coverage[i], bound, sizeof bound);
                    ks_buf_puts(b, "<li>");
                    ks_report_esc(b, bound);
                    ks_buf_puts(b, "</li>");
                }
            if (more) {
                ks_buf_puts(b, "<li>");
                ks_buf_printf(b, L(L_MORE_LOGS), more);
                ks_buf_puts(b, "</li>");
            }
            ks_buf_puts(b, "</ul></div>");
        }
    }
    ks_buf_puts(b, "<p class=meta>");
    ks_buf_printf(b, L(L_READ), inv->nfiles, (unsigned long long)inv->events, inv->files_failed,
                  inv->nfindings);
    ks_buf_puts(b, "</p></section>\n");
}

/* One timeline from lo to hi: a lane per stage, a dot per step of every chain
 * (findings not in a chain as grey dots on the lane of their stage), a red line at
 * the estimate. Dots outside [lo, hi] are left out. */
static void draw_svg(ks_buf *b, const ks_investigation *inv, int64_t lo, int64_t hi, const char *id,
                     const char *line_id)
{
    const int W = 960, left = 110, right = 20, lane = 34, top = 20;
    int H = top + lane * KS_STAGE_COUNT + 50;
    ks_buf_printf(b,
                  "<svg id=%s xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' "
                  "width='100%%' role='img'>",
                  id, W, H);
    for (int s = 0; s < KS_STAGE_COUNT; s++) {
        int y = top + lane * s + lane / 2;
        ks_buf_printf(b,
                      "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#ddd'/>"
                      "<text x='4' y='%d' font-size='13' fill='%s'>",
                      left, y, W - right, y, y + 4, STAGE_COLOR[s]);
        ks_report_esc(b, stage_label((ks_stage)s));
        ks_buf_puts(b, "</text>");
    }
    if (hi - lo < 60 * NS_PER_S) {
        lo -= 30 * NS_PER_S;
        hi += 30 * NS_PER_S;
    }
    double span = (double)(hi - lo), width = W - left - right;
#define XPOS(t) (left + (int)(width * (double)((t)-lo) / span))
#define INSIDE(t) ((t) >= lo && (t) <= hi)
    /* axis: five ticks */
    int axis = top + lane * KS_STAGE_COUNT + 8;
    ks_buf_printf(b, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#888'/>", left, axis, W - right,
                  axis);
    for (int k = 0; k <= 4; k++) {
        int64_t tt = lo + (int64_t)((double)(hi - lo) * k / 4);
        char lt[40];
        ks_investigate_local(inv, tt, lt, sizeof lt, false);
        int x = XPOS(tt);
        ks_buf_printf(b,
                      "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#888'/>"
                      "<text x='%d' y='%d' font-size='11' text-anchor='%s'>%s</text>",
                      x, axis, x, axis + 5, x, axis + 20,
                      k == 0   ? "start"
                      : k == 4 ? "end"
                               : "middle",
                      lt);
    }
    for (size_t i = 0; i < inv->nfindings; i++) {
        const ks_finding *f = &inv->findings[i];
        if (inv->finding_chain[i] >= 0 || !INSIDE(f->first_ns)) continue;
        int s = KS_STAGE_SPREAD;
        for (int c = 0; c < KS_DETECT_MAX_CATEGORIES && f->categories[c]; c++)
            if (strstr("brute_force password_spray rdp_logon vpn_foreign logon_after_failures",
                       f->categories[c]))
                s = KS_STAGE_ENTRY;
        ks_buf_printf(b, "<circle cx='%d' cy='%d' r='4' fill='#aaa'><title>", XPOS(f->first_ns),
                      top + lane * s + lane / 2);
        ks_report_esc(b, f->explanation);
        ks_buf_puts(b, "</title></circle>");
    }
    for (size_t i = 0; i < inv->nchains; i++)
        for (size_t k = 0; k < inv->chains[i].nsteps; k++) {
            const ks_step *s = &inv->chains[i].steps[k];
            if (!INSIDE(s->time_ns)) continue;
            char lt[40];
            ks_investigate_local(inv, s->time_ns, lt, sizeof lt, true);
            ks_buf_printf(b, "<circle cx='%d' cy='%d' r='6' fill='%s' opacity='0.8'><title>%s ",
                          XPOS(s->time_ns), top + lane * (int)s->stage + lane / 2,
                          STAGE_COLOR[s->stage], lt);
            ks_report_esc(b, s->host);
            ks_buf_puts(b, ": ");
            ks_report_esc(b, s->finding >= 0 ? inv->findings[s->finding].explanation : s->what);
            ks_buf_puts(b, "</title></circle>");
        }
    if (inv->estimate.found && INSIDE(inv->estimate.time_ns)) {
        int x = XPOS(inv->estimate.time_ns);
        ks_buf_printf(b,
                      "<line id=%s x1='%d' y1='%d' x2='%d' y2='%d' stroke='red' "
                      "stroke-width='2'/>",
                      line_id, x, top - 8, x, axis);
    }
#undef INSIDE
#undef XPOS
    ks_buf_puts(b, "</svg>");
}

/* The whole period, then (when the attack is a small part of it) the first chain
 * close up. */
static void timeline_svg(ks_buf *b, const ks_investigation *inv)
{
    int64_t lo = 0, hi = 0;
    size_t n = 0;
    for (size_t i = 0; i < inv->nchains; i++)
        for (size_t k = 0; k < inv->chains[i].nsteps; k++, n++) {
            int64_t t = inv->chains[i].steps[k].time_ns;
            if (!n || t < lo) lo = t;
            if (!n || t > hi) hi = t;
        }
    for (size_t i = 0; i < inv->nfindings; i++, n++) {
        int64_t t = inv->findings[i].first_ns;
        if (!n || t < lo) lo = t;
        if (!n || t > hi) hi = t;
    }
    ks_buf_printf(b, "<section id=timeline><h2>%s</h2><p class=meta>", L(L_TIMELINE));
    ks_buf t = {0};
    ks_report_esc(&t, inv->zone);
    ks_buf_putc(&t, 0);
    if (!t.failed) ks_buf_printf(b, L(L_TIMELINE_NOTE), t.data);
    ks_buf_free(&t);
    ks_buf_puts(b, "</p>");
    draw_svg(b, inv, lo, hi, "timeline-svg", "estimate-line");
    if (inv->nchains) {
        const ks_chain *c = &inv->chains[0];
        int64_t margin = (c->last_ns - c->first_ns) / 10 + 60 * NS_PER_S;
        if ((c->last_ns - c->first_ns) * 4 < hi - lo) {
            ks_buf_printf(b, "<h3>");
            ks_buf_printf(b, L(L_CHAIN), (size_t)1);
            ks_buf_printf(b, "</h3>");
            draw_svg(b, inv, c->first_ns - margin, c->last_ns + margin, "timeline-chain-svg",
                     "estimate-line-chain");
        }
    }
    ks_buf_puts(b, "</section>\n");
}

static void evidence_cell(ks_buf *b, const char *file, uint64_t rec)
{
    ks_buf_puts(b, "<td class=ev>");
    if (file) {
        const char *base = strrchr(file, '/');
        ks_buf_puts(b, "<span title='");
        ks_report_esc(b, file);
        ks_buf_puts(b, "'>");
        ks_report_esc(b, base ? base + 1 : file);
        ks_buf_printf(b, "</span> #%llu", (unsigned long long)rec);
    } else {
        ks_buf_puts(b, "-");
    }
    ks_buf_puts(b, "</td>");
}

static void chains(ks_buf *b, const ks_investigation *inv)
{
    ks_buf_printf(b, "<section id=chains><h2>%s</h2>", L(L_CHAINS));
    for (size_t i = 0; i < inv->nchains; i++) {
        const ks_chain *c = &inv->chains[i];
        ks_buf_puts(b, "<h3>");
        ks_buf_printf(b, L(L_CHAIN), i + 1);
        ks_buf_puts(b, ": ");
        if (c->has_entry) {
            ks_report_esc(b, c->account);
            ks_buf_puts(b, " ← ");
            ks_report_esc(b, c->src_ip[0] ? c->src_ip : "-");
            ks_buf_puts(b, " → ");
            ks_report_esc(b, c->entry_host);
        } else {
            ks_report_esc(b, c->entry_host);
            ks_buf_printf(b, " %s", L(L_NO_ENTRY));
        }
        ks_buf_printf(b,
                      "</h3><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                      "<th>%s</th><th>%s</th><th>%s</th></tr>",
                      L(L_TIME), L(L_STAGE), L(L_WHAT), L(L_HOST), L(L_USER), L(L_SOURCE),
                      L(L_FILE));
        size_t shown = c->nsteps < 400 ? c->nsteps : 400;
        for (size_t k = 0; k < shown; k++) {
            const ks_step *s = &c->steps[k];
            char lt[40];
            local(inv, s->time_ns, lt, sizeof lt);
            ks_buf_printf(b, "<tr class=st-%s><td class=t>%s</td>", ks_stage_name(s->stage), lt);
            ks_report_td(b, stage_label(s->stage));
            ks_report_td(b, s->finding >= 0 ? inv->findings[s->finding].explanation : s->what);
            ks_report_td(b, s->host);
            ks_report_td(b, s->user);
            ks_report_td(b, s->src_ip);
            evidence_cell(b, s->file, s->record_id);
            ks_buf_puts(b, "</tr>");
        }
        ks_buf_puts(b, "</table>");
        if (shown < c->nsteps) {
            ks_buf_puts(b, "<p class=meta>");
            ks_buf_printf(b, L(L_MORE_ROWS), c->nsteps - shown);
            ks_buf_puts(b, "</p>");
        }
    }
    ks_buf_puts(b, "</section>\n");
}

static void coverage(ks_buf *b, const ks_investigation *inv)
{
    ks_buf_printf(b,
                  "<section id=coverage><h2>%s</h2><p class=meta>%s</p><table><tr><th>%s</th>"
                  "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
                  L(L_COVERAGE), L(L_COVERAGE_NOTE), L(L_HOST), L(L_LOG), L(L_EVENTS), L(L_FIRST),
                  L(L_LAST), L(L_GAP), L(L_CLEARED));
    size_t shown = inv->ncoverage < 1000 ? inv->ncoverage : 1000;
    for (size_t i = 0; i < shown; i++) {
        const ks_coverage *c = &inv->coverage[i];
        char f[40], l[40], g1[40], g2[40], cl[40];
        local(inv, c->first_ns, f, sizeof f);
        local(inv, c->last_ns, l, sizeof l);
        ks_buf_printf(b, "<tr%s>", c->cleared_ns ? " class=cleared" : "");
        ks_report_td(b, c->host);
        ks_report_td(b, c->channel);
        td_u64(b, c->events);
        ks_report_td(b, f);
        ks_report_td(b, l);
        if (c->gap_to > c->gap_from) {
            local(inv, c->gap_from, g1, sizeof g1);
            local(inv, c->gap_to, g2, sizeof g2);
            ks_buf_printf(b, "<td>%s – %s (%.1f h)</td>", g1, g2,
                          (double)(c->gap_to - c->gap_from) / 3600e9);
        } else {
            ks_report_td(b, "-");
        }
        if (c->cleared_ns) {
            local(inv, c->cleared_ns, cl, sizeof cl);
            ks_buf_printf(b, "<td class=warn>%s ", cl);
            ks_report_esc(b, c->cleared_by);
            ks_buf_puts(b, "</td>");
        } else {
            ks_report_td(b, "-");
        }
        ks_buf_puts(b, "</tr>");
    }
    ks_buf_puts(b, "</table></section>\n");
}

static int logon_by_host(const void *pa, const void *pb)
{
    const ks_logon_sum *a = pa, *b = pb;
    int c = strcasecmp(a->host, b->host);
    return c ? c : strcasecmp(a->user, b->user);
}

static int logon_by_user(const void *pa, const void *pb)
{
    const ks_logon_sum *a = pa, *b = pb;
    int c = strcasecmp(a->user, b->user);
    return c ? c : strcasecmp(a->host, b->host);
}

static void logon_head(ks_buf *b, int first_col)
{
    ks_buf_printf(b,
                  "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                  "<th>%s</th><th>%s</th><th>%s</th></tr>",
                  L(first_col), L(first_col == L_HOST ? L_USER : L_HOST), L(L_INTERACTIVE),
                  L(L_NETWORK), L(L_RDP), L(L_FAILED), L(L_FIRST), L(L_LAST), L(L_SOURCES));
}

static void logon_row(ks_buf *b, const ks_investigation *inv, const ks_logon_sum *s, int by_host)
{
    char f[40], l[40], src[96];
    local(inv, s->first_ns, f, sizeof f);
    local(inv, s->last_ns, l, sizeof l);
    ks_buf_puts(b, "<tr>");
    ks_report_td(b, by_host ? s->host : s->user);
    ks_report_td(b, by_host ? s->user : s->host);
    td_u64(b, s->interactive);
    td_u64(b, s->network);
    td_u64(b, s->rdp);
    td_u64(b, s->failed);
    ks_report_td(b, f);
    ks_report_td(b, l);
    snprintf(src, sizeof src, "%u (%s)", s->sources, s->last_src[0] ? s->last_src : "-");
    ks_report_td(b, src);
    ks_buf_puts(b, "</tr>");
}

static void logons(ks_buf *b, const ks_investigation *inv)
{
    size_t n = inv->nlogons, shown = n < 2000 ? n : 2000;
    ks_logon_sum *v = malloc((n + 1) * sizeof *v);
    if (!v) {
        b->failed = 1;
        return;
    }
    if (n) memcpy(v, inv->logons, n * sizeof *v);
    for (int pass = 0; pass < 2; pass++) {
        qsort(v, n, sizeof *v, pass ? logon_by_user : logon_by_host);
        ks_buf_printf(b, "<section id=%s><h2>%s</h2>", pass ? "logons-account" : "logons-host",
                      L(pass ? L_LOGONS_ACCOUNT : L_LOGONS_HOST));
        logon_head(b, pass ? L_USER : L_HOST);
        for (size_t i = 0; i < shown; i++) logon_row(b, inv, &v[i], !pass);
        ks_buf_puts(b, "</table>");
        if (shown < n) {
            ks_buf_puts(b, "<p class=meta>");
            ks_buf_printf(b, L(L_MORE_ROWS), n - shown);
            ks_buf_puts(b, "</p>");
        }
        ks_buf_puts(b, "</section>\n");
    }
    free(v);
}

static void findings(ks_buf *b, const ks_investigation *inv)
{
    ks_buf_printf(b, "<section id=findings><h2>%s</h2>", L(L_FINDINGS));
    size_t shown = inv->nfindings < 3000 ? inv->nfindings : 3000;
    for (size_t i = 0; i < shown; i++) {
        const ks_finding *f = &inv->findings[i];
        char a[40], z[40];
        local(inv, f->first_ns, a, sizeof a);
        local(inv, f->last_ns, z, sizeof z);
        ks_buf_printf(b, "<div class='finding sev-%s'><h3><span class=sev>%s</span> ",
                      ks_level_name(f->severity), ks_level_name(f->severity));
        ks_report_esc(b, f->detector->title[ja()]);
        ks_buf_puts(b, " <small>(");
        ks_report_esc(b, f->detector->id);
        ks_buf_puts(b, ")</small></h3><p>");
        ks_report_esc(b, f->explanation);
        ks_buf_printf(b, "</p><p class=meta>%s – %s · %s ", a, z, L(L_HOST));
        ks_report_esc(b, f->host[0] ? f->host : "-");
        ks_buf_printf(b, " · %s ", L(L_USER));
        ks_report_esc(b, f->user[0] ? f->user : "-");
        ks_buf_printf(b, " · %s ", L(L_SOURCE));
        ks_report_esc(b, f->src_ip[0] ? f->src_ip : "-");
        int c = inv->finding_chain[i];
        if (c >= 0) {
            ks_buf_puts(b, " · ");
            ks_buf_printf(b, L(L_CHAIN), (size_t)c + 1);
            ks_buf_printf(b, " (%s)", stage_label(ks_inv_finding_stage(inv, i)));
        } else {
            ks_buf_printf(b, " · %s", L(L_NOT_IN_CHAIN));
        }
        if (f->detector->attack && *f->detector->attack) {
            ks_buf_puts(b, " · ATT&amp;CK ");
            ks_report_esc(b, f->detector->attack);
        }
        ks_buf_printf(b, "</p><p class=ev>%s (%llu): ", L(L_EVIDENCE),
                      (unsigned long long)f->count);
        for (size_t k = 0; k < f->nevidence; k++) {
            const ks_evidence *e = &f->evidence[k];
            if (k) ks_buf_puts(b, ", ");
            if (!k || e->file != f->evidence[k - 1].file) ks_report_esc(b, e->file);
            ks_buf_printf(b, "#%llu", (unsigned long long)e->record_id);
        }
        if (f->count > f->nevidence) ks_buf_puts(b, ", …");
        ks_buf_puts(b, "</p></div>");
    }
    if (shown < inv->nfindings) {
        ks_buf_puts(b, "<p class=meta>");
        ks_buf_printf(b, L(L_MORE_ROWS), inv->nfindings - shown);
        ks_buf_puts(b, "</p>");
    }
    ks_buf_puts(b, "</section>\n");
}

ks_status ks_investigate_write_html(const ks_investigation *inv, const char *path, ks_diag *diag)
{
    ks_buf b = {0};
    ks_report_page_begin(&b, ja() ? "ja" : "en", L(L_TITLE), NULL);
    answer(&b, inv);
    timeline_svg(&b, inv);
    if (inv->nchains) chains(&b, inv);
    coverage(&b, inv);
    logons(&b, inv);
    findings(&b, inv);
    ks_report_page_end(&b);
    ks_status st = ks_report_save(&b, NULL, path, diag);
    ks_buf_free(&b);
    return st;
}
