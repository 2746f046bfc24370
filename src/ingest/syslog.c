/* Syslog reader: frames RFC 3164 / RFC 5424 lines as VPN and firewall devices and relays
 * really write them (no PRI, ISO times, a year after the day, no host, bare vendor lines,
 * a 5424 message relayed inside a 3164 one), gives times without a year or zone a year
 * and a zone, and hands each message to the vendor parsers (syslog.h) in the order of
 * the table below. One line is one event; a line no vendor knows is still one. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/syslog.h"
#include "kensa/time.h"
#include "util/str.h"

/* The vendors, tried in this order: the most specific signatures first. */
static const ks_syslog_vendor *const vendors[] = {
    &ks_syslog_fortigate, &ks_syslog_cisco_asa, &ks_syslog_paloalto, &ks_syslog_sonicwall,
    &ks_syslog_pulse,     &ks_syslog_openvpn,   &ks_syslog_yamaha,   &ks_syslog_sshd,
};

#define SL_PREFETCH_LINES 256
#define SL_PREFETCH_BYTES (1u << 20)
#define SL_SNIFF_LINES 20

/* How the year of lines without one was found. */
enum { SL_YEAR_NONE, SL_YEAR_GIVEN, SL_YEAR_CONTENT, SL_YEAR_MTIME, SL_YEAR_1970 };

/* A framed line: syslog.h's message plus the parts of its time. */
typedef struct sl_head {
    ks_syslog_msg m;
    ks_str sd; /* RFC 5424 STRUCTURED-DATA, "-" dropped */
    int year, mon, day, hh, mi, ss;
    int64_t frac_ns;
    bool has_time; /* at least month, day and time of day */
    bool has_year;
    bool zoned;       /* the time carried its zone: zoned_ns is UTC */
    int64_t zoned_ns; /* for ISO times without a zone: the local time as if UTC */
    bool iso_local;
} sl_head;

typedef struct sl_state {
    int cur_year, cur_mon; /* where in time the previous dated line was; 0: unknown */
    int year_from, anchor_year;
    uint64_t hint_lineno;
    bool said_year, warned_1970;
    /* the first lines, read ahead (copied) to find a year for those without one */
    bool prefetched;
    ks_buf qbuf;
    ks_line *q;
    int *qmon; /* header month of each queued line, 0 if it has none or has its year */
    size_t qn, qi;
    long hint_at; /* queue index of the first line with a full date, -1 if none */
    int hint_year, hint_mon;
} sl_state;

/* ---- small text helpers ---------------------------------------------------------- */

/* 1..12 for "Jan".."Dec" (any case), else 0. */
static int sl_month(const char *p, size_t n)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (n < 3) return 0;
    char lc[3];
    for (int i = 0; i < 3; i++) lc[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    for (int m = 0; m < 12; m++)
        if (!memcmp(names + 3 * m, lc, 3)) return m + 1;
    return 0;
}

static size_t sl_skip_sp(const char *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    return i;
}

static size_t sl_token_end(const char *p, size_t n, size_t i)
{
    while (i < n && p[i] != ' ' && p[i] != '\t') i++;
    return i;
}

/* "hh:mm:ss[.fff]" at p[i..]: returns the end, or 0. */
static size_t sl_clock(const char *p, size_t n, size_t i, sl_head *h)
{
    if (i + 8 > n || p[i + 2] != ':' || p[i + 5] != ':') return 0;
    if (!ks_digits(p + i, 2, &h->hh) || !ks_digits(p + i + 3, 2, &h->mi) ||
        !ks_digits(p + i + 6, 2, &h->ss))
        return 0;
    i += 8;
    h->frac_ns = 0;
    if (i + 1 < n && (p[i] == '.' || p[i] == ',') && p[i + 1] >= '0' && p[i + 1] <= '9') {
        int digits = 0;
        for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            if (digits < 9) h->frac_ns = h->frac_ns * 10 + (p[i] - '0'), digits++;
        while (digits++ < 9) h->frac_ns *= 10;
    }
    return i;
}

/* RFC 3164 style times: "Mmm dd hh:mm:ss", "Mmm dd yyyy hh:mm:ss" (Cisco), "yyyy Mmm dd
 * hh:mm:ss", each with an optional fraction and a trailing ':'. Returns the length used
 * (0 if none). Days and times are checked later, so "May 00 00:00:00" still frames. */
static size_t sl_time_3164(const char *p, size_t n, sl_head *h)
{
    size_t i = 0;
    int y = 0;
    bool lead_year = false;
    if (n >= 5 && ks_digits(p, 4, &y) && p[4] == ' ') {
        lead_year = true;
        i = 5;
    }
    int mon = sl_month(p + i, n - i);
    if (!mon || i + 4 > n || p[i + 3] != ' ') return 0;
    i = sl_skip_sp(p, n, i + 3);
    size_t d0 = i;
    while (i < n && i - d0 < 3 && p[i] >= '0' && p[i] <= '9') i++;
    int day;
    if (i - d0 < 1 || i - d0 > 2 || !ks_digits(p + d0, i - d0, &day) || i >= n || p[i] != ' ')
        return 0;
    i = sl_skip_sp(p, n, i);
    if (!lead_year && i + 5 <= n && ks_digits(p + i, 4, &y) && p[i + 4] == ' ') {
        lead_year = true;
        i = sl_skip_sp(p, n, i + 4);
    }
    size_t e = sl_clock(p, n, i, h);
    if (!e) return 0;
    if (e < n && p[e] == ':') e++;
    if (e < n && p[e] != ' ' && p[e] != '\t') return 0;
    h->mon = mon;
    h->day = day;
    h->year = lead_year ? y : 0;
    h->has_year = lead_year;
    h->has_time = true;
    return e;
}

/* An ISO 8601 time token (up to the next space; "2020-03-23 06:47:42.8-0700" too). */
static size_t sl_time_iso(const char *p, size_t n, sl_head *h)
{
    if (n < 19 || p[4] != '-' || p[7] != '-') return 0;
    size_t e = sl_token_end(p, n, p[10] == ' ' ? 11 : 0);
    if (e < 19 || e > 40) return 0;
    size_t tn = e;
    if (p[tn - 1] == ':') tn--; /* "2024-01-02T03:04:05Z:" */
    int64_t ns;
    bool zone;
    if (!ks_time_parse_iso8601(p, tn, &ns, &zone)) return 0;
    ks_digits(p, 4, &h->year);
    ks_digits(p + 5, 2, &h->mon);
    ks_digits(p + 8, 2, &h->day);
    h->has_time = h->has_year = true;
    h->zoned = zone;
    h->iso_local = !zone;
    h->zoned_ns = ns;
    return e;
}

/* Could this token be a HOSTNAME (not a tag, a key=value pair or a vendor message)? */
static bool sl_is_host(const char *p, size_t n)
{
    if (!n || n > 255 || p[n - 1] == ':') return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c == 0x7f || strchr("=,[]\"'%<{}()", c)) return false;
    }
    return true;
}

/* A TAG: "app:", "app[pid]:" (APP of letters, digits and "_.-/"). */
static bool sl_is_tag(const char *p, size_t n, ks_str *app, ks_str *pid)
{
    if (n < 2 || n > 96 || p[n - 1] != ':') return false;
    size_t e = n - 1, a = e;
    const char *lb = memchr(p, '[', e);
    if (lb) {
        a = (size_t)(lb - p);
        if (p[e - 1] != ']' || e - 1 <= a) return false;
    }
    if (!a) return false;
    char c0 = p[0];
    if (!((c0 >= 'A' && c0 <= 'Z') || (c0 >= 'a' && c0 <= 'z') || (c0 >= '0' && c0 <= '9') ||
          c0 == '_'))
        return false;
    for (size_t i = 0; i < a; i++) {
        char c = p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || c == '/'))
            return false;
    }
    *app = (ks_str){p, a};
    *pid = lb ? (ks_str){lb + 1, e - 1 - a - 1} : (ks_str){"", 0};
    return true;
}

static bool sl_is_ipv4(const char *p, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (parts < 4) {
        size_t s = i;
        int v = 0;
        while (i < n && i - s < 4 && p[i] >= '0' && p[i] <= '9') v = v * 10 + (p[i++] - '0');
        if (i == s || i - s > 3 || v > 255 || (i - s > 1 && p[s] == '0')) return false;
        if (++parts < 4) {
            if (i >= n || p[i] != '.') return false;
            i++;
        }
    }
    return i == n;
}

bool ks_syslog_is_ip(ks_str t)
{
    if (sl_is_ipv4(t.p, t.len)) return true;
    char tmp[64];
    if (t.len < 2 || t.len >= sizeof tmp || !memchr(t.p, ':', t.len)) return false;
    memcpy(tmp, t.p, t.len);
    tmp[t.len] = 0;
    unsigned char bin[16];
    return inet_pton(AF_INET6, tmp, bin) == 1;
}

/* ---- RFC 5424 ------------------------------------------------------------------ */

static ks_str sl_nil(const char *p, size_t a, size_t b)
{
    if (b - a == 1 && p[a] == '-') return (ks_str){"", 0};
    return (ks_str){p + a, b - a};
}

/* "TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]" after "1 " (p points past it). */
static bool sl_frame_5424(const char *p, size_t n, sl_head *h)
{
    size_t i = 0, e;
    sl_head t = *h;
    t.has_time = t.has_year = t.zoned = t.iso_local = false;
    if (i < n && p[i] == '-' && (i + 1 == n || p[i + 1] == ' ')) {
        e = 1;
    } else {
        e = sl_time_iso(p, n, &t);
        if (!e) return false;
    }
    ks_str part[4];
    i = e;
    for (int k = 0; k < 4; k++) {
        if (i >= n || p[i] != ' ') return false;
        i = sl_skip_sp(p, n, i);
        e = sl_token_end(p, n, i);
        if (e == i) return false;
        part[k] = sl_nil(p, i, e);
        i = e;
    }
    i = sl_skip_sp(p, n, i);
    size_t sd0 = i;
    if (i < n && p[i] == '-') {
        i++;
    } else {
        /* SD-ELEMENTs: "[id k="v" ...]" repeated; \" \\ \] escaped inside values */
        while (i < n && p[i] == '[') {
            bool quoted = false;
            for (i++; i < n; i++) {
                if (quoted && p[i] == '\\' && i + 1 < n)
                    i++;
                else if (p[i] == '"')
                    quoted = !quoted;
                else if (!quoted && p[i] == ']')
                    break;
            }
            if (i >= n) return false;
            i++;
        }
    }
    ks_str sd = sl_nil(p, sd0, i);
    if (i < n && p[i] != ' ') return false;
    i = sl_skip_sp(p, n, i);
    if (n - i >= 3 && !memcmp(p + i, "\xef\xbb\xbf", 3)) i += 3; /* BOM before MSG */
    *h = t;
    if (part[0].len) h->m.host = part[0];
    h->m.app = part[1];
    if (h->m.app.len > 1 && h->m.app.p[h->m.app.len - 1] == ':') h->m.app.len--;
    h->m.procid = part[2];
    h->m.msgid = part[3];
    h->sd = sd;
    h->m.msg = (ks_str){p + i, n - i};
    return true;
}

/* ---- framing ------------------------------------------------------------------- */

/* Frame one line. Never fails: a line of no known shape is all message. */
static void sl_frame(const char *p, size_t n, sl_head *h)
{
    memset(h, 0, sizeof *h);
    h->m.line = (ks_str){p, n};
    h->m.pri = -1;
    size_t i = sl_skip_sp(p, n, 0);
    if (i < n && p[i] == '<') {
        size_t j = i + 1;
        int v = 0;
        while (j < n && j - i <= 3 && p[j] >= '0' && p[j] <= '9') v = v * 10 + (p[j++] - '0');
        if (j > i + 1 && j < n && p[j] == '>' && v <= 191) {
            h->m.pri = v;
            i = sl_skip_sp(p, n, j + 1);
        }
    }
    if (n - i > 2 && p[i] == '1' && p[i + 1] == ' ' && sl_frame_5424(p + i + 2, n - i - 2, h))
        return;
    size_t used = sl_time_3164(p + i, n - i, h);
    if (!used) used = sl_time_iso(p + i, n - i, h);
    if (used) {
        i = sl_skip_sp(p, n, i + used);
        size_t e = sl_token_end(p, n, i);
        ks_str app, pid;
        if (sl_is_tag(p + i, e - i, &app, &pid)) {
            h->m.app = app, h->m.procid = pid;
            i = sl_skip_sp(p, n, e);
        } else if (e < n && sl_is_host(p + i, e - i)) {
            h->m.host = (ks_str){p + i, e - i};
            i = sl_skip_sp(p, n, e);
            e = sl_token_end(p, n, i);
            if (e - i == 1 && p[i] == ':') {
                i = sl_skip_sp(p, n, e); /* Cisco: "host : %ASA-..." */
            } else if (sl_is_tag(p + i, e - i, &app, &pid)) {
                h->m.app = app, h->m.procid = pid;
                i = sl_skip_sp(p, n, e);
            }
        }
    } else {
        /* no time: a relay may still have put the sender's address first */
        size_t e = sl_token_end(p, n, i);
        if (e < n && sl_is_ipv4(p + i, e - i)) {
            h->m.host = (ks_str){p + i, e - i};
            i = sl_skip_sp(p, n, e);
        }
    }
    /* a 5424 message relayed inside a 3164 one: "Oct 19 09:16:53 node 1 2021-10-19T..." */
    if (!h->m.app.len && n - i > 21 && p[i] == '1' && p[i + 1] == ' ' && p[i + 2] >= '0' &&
        p[i + 2] <= '9') {
        sl_head inner = *h;
        if (sl_frame_5424(p + i + 2, n - i - 2, &inner)) {
            if (!inner.has_time || (h->has_time && !inner.zoned)) {
                inner.year = h->year, inner.mon = h->mon, inner.day = h->day;
                inner.hh = h->hh, inner.mi = h->mi, inner.ss = h->ss, inner.frac_ns = h->frac_ns;
                inner.has_time = h->has_time, inner.has_year = h->has_year;
                inner.zoned = h->zoned, inner.zoned_ns = h->zoned_ns;
                inner.iso_local = h->iso_local;
            }
            if (h->m.host.len) inner.m.host = h->m.host; /* the relay named the device */
            *h = inner;
            return;
        }
    }
    h->m.msg = (ks_str){p + i, n - i};
}

/* A full date written in the message by the vendor: FortiGate date=YYYY-MM-DD, PAN-OS
 * "N,YYYY/MM/DD ...", SonicWall time="YYYY-MM-DD ...". Only for finding the year. */
static bool sl_date_at(const char *p, size_t n, int *y, int *m)
{
    int d;
    if (n < 10 || (p[4] != '-' && p[4] != '/') || p[7] != p[4]) return false;
    if (!ks_digits(p, 4, y) || !ks_digits(p + 5, 2, m) || !ks_digits(p + 8, 2, &d)) return false;
    return *y >= 1971 && *y <= 2200 && *m >= 1 && *m <= 12 && d >= 1 && d <= 31;
}

static bool sl_year_hint(ks_str msg, int *y, int *m)
{
    const char *p = msg.p;
    size_t n = msg.len, i = 0;
    while (i < n && i < 12 && p[i] >= '0' && p[i] <= '9') i++;
    if (i && i < n && p[i] == ',' && sl_date_at(p + i + 1, n - i - 1, y, m)) return true;
    static const char *const keys[] = {"date=", "time=\""};
    for (size_t k = 0; k < 2; k++) {
        const char *at = n ? memmem(p, n, keys[k], strlen(keys[k])) : NULL;
        if (!at) continue;
        size_t off = (size_t)(at - p) + strlen(keys[k]);
        if (off < n && p[off] == '"') off++;
        if (sl_date_at(p + off, n - off, y, m)) return true;
    }
    return false;
}

/* ---- lines: the read-ahead queue, blank and binary lines -------------------------- */

static void sl_queue_free(sl_state *st)
{
    ks_buf_free(&st->qbuf);
    free(st->q);
    free(st->qmon);
    st->q = NULL;
    st->qmon = NULL;
    st->qn = st->qi = 0;
}

/* Read the first lines ahead (copies) until one carries a full date. */
static void sl_prefetch(ks_source *s, sl_state *st)
{
    st->prefetched = true;
    st->hint_at = -1;
    if (ks_source_get_opts(s)->year) return;
    size_t cap = 0;
    size_t *offs = NULL;
    ks_line ln;
    while (st->qn < SL_PREFETCH_LINES && st->qbuf.len < SL_PREFETCH_BYTES &&
           ks_source_line(s, &ln)) {
        if (st->qn == cap) {
            size_t nc = cap ? cap * 2 : 16;
            ks_line *q = realloc(st->q, nc * sizeof *q);
            if (q) st->q = q;
            int *qm = q ? realloc(st->qmon, nc * sizeof *qm) : NULL;
            if (qm) st->qmon = qm;
            size_t *o = qm ? realloc(offs, nc * sizeof *o) : NULL;
            if (!o) {
                ks_source_unread_line(s); /* out of memory: read it again normally */
                break;
            }
            offs = o;
            cap = nc;
        }
        offs[st->qn] = st->qbuf.len;
        ks_buf_append(&st->qbuf, ln.p, ln.len);
        if (st->qbuf.failed) {
            ks_source_unread_line(s);
            break;
        }
        st->q[st->qn] = ln;
        sl_head h;
        sl_frame(ln.p, ln.len, &h);
        int y, m;
        st->qmon[st->qn] = h.has_time && !h.has_year ? h.mon : 0;
        if (h.has_time && h.has_year && h.mon >= 1 && h.mon <= 12) {
            y = h.year, m = h.mon;
        } else if (!sl_year_hint(h.m.msg, &y, &m)) {
            st->qn++;
            continue;
        }
        st->hint_at = (long)st->qn;
        st->hint_year = y, st->hint_mon = m;
        st->hint_lineno = ln.lineno;
        st->qn++;
        break;
    }
    for (size_t k = 0; k < st->qn; k++) /* blank lines only: no data at all */
        st->q[k].p = st->qbuf.data ? st->qbuf.data + offs[k] : "";
    free(offs);
    if (!st->qn) sl_queue_free(st);
}

static bool sl_get_line(ks_source *s, sl_state *st, ks_line *line)
{
    if (st->qi < st->qn) {
        *line = st->q[st->qi++];
        return true;
    }
    if (st->q) sl_queue_free(st); /* the previous event, which used it, is done */
    return ks_source_line(s, line);
}

/* Binary junk: a NUL, or a quarter of the bytes control characters or U+FFFD (bytes
 * the source could not decode). */
static bool sl_is_junk(const char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t w; /* eight printable ASCII bytes (0x20..0x7e) at once: nothing to count */
        if (i + 8 <= n &&
            (memcpy(&w, p + i, 8), !((((w - 0x20 * ones) & ~w) | (w + ones) | w) & high))) {
            i += 7;
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (!c) return true;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            bad++;
        else if (c == 0xef && i + 2 < n && (unsigned char)p[i + 1] == 0xbf &&
                 (unsigned char)p[i + 2] == 0xbd)
            bad += 3, i += 2;
    }
    return bad * 4 > n;
}

/* ---- time ----------------------------------------------------------------------
 *
 * Year of RFC 3164 times: opts.year (the year of the first line; later lines roll over);
 * else a date written in the first lines (the header's own year, FortiGate date=, PAN-OS
 * CSV times, SonicWall time=), walked back month by month to the first line; else the
 * file's modification time (a month after its month is last year); else 1970, with a
 * warning. Lines are in time order (sl_roll). A line's full date (in its header, or the
 * vendor's own time: FortiGate date/time/tz, PAN-OS generated time) replaces the
 * header's time and, unless the year was given, re-anchors the lines that follow. */

static void sl_civil(int64_t ns, int *y, int *m)
{
    int64_t days = ns / 86400000000000LL;
    if (ns % 86400000000000LL < 0) days--;
    int64_t yy;
    unsigned mm, dd;
    ks_civil_from_days(days, &yy, &mm, &dd);
    *y = (int)yy, *m = (int)mm;
}

/* How the year changes from a line of month `prev` to the next line, of month `mon`,
 * when lines are in time order: a month six or more below is the next year (Dec -> Jan);
 * a December right after a January is a late line of the previous year (a relay's
 * reordering at New Year); anything else, forward or a little back, the same year. */
static int sl_roll(int prev, int mon)
{
    if (prev - mon >= 6) return 1;
    if (prev == 1 && mon == 12) return -1;
    return 0;
}

/* The year of a line with month `mon` and no year, the first time one is needed. */
static int sl_anchor(ks_source *s, sl_state *st, int mon, uint64_t lineno)
{
    const ks_source_opts *o = ks_source_get_opts(s);
    if (o->year) {
        st->year_from = SL_YEAR_GIVEN;
        return o->year;
    }
    long at = (long)st->qi - 1; /* this line's place in the queue, when it came from there */
    if (st->hint_at >= 0 && st->q && at >= 0 && at <= st->hint_at) {
        /* walk back from the dated line: undo each step's rollover */
        int y = st->hint_year, m = st->hint_mon;
        for (long k = st->hint_at; k >= at; k--) {
            int mk = st->qmon[k];
            if (!mk) continue;
            y -= sl_roll(mk, m);
            m = mk;
        }
        st->year_from = SL_YEAR_CONTENT;
        return y;
    }
    int64_t mt = ks_source_mtime(s);
    if (mt > 0) {
        int y, m;
        sl_civil(mt, &y, &m);
        st->year_from = SL_YEAR_MTIME;
        return mon > m ? y - 1 : y;
    }
    st->year_from = SL_YEAR_1970;
    if (!st->warned_1970) {
        st->warned_1970 = true;
        ks_source_report(s, KS_SEV_WARNING, KS_ERR_FORMAT, 0, lineno, NULL, 0,
                         "no year in the lines or the file's time; times without a year "
                         "are read as 1970 (give the year with --year)");
    }
    return 1970;
}

static int64_t sl_local_ns(int y, int mon, int day, int hh, int mi, int ss, int64_t frac)
{
    int64_t days = ks_days_from_civil(y, (unsigned)mon, (unsigned)day);
    return ((days * 86400 + hh * 3600 + mi * 60 + ss) * 1000000000LL) + frac;
}

/* The header's time in UTC (0 if none); *inferred: its year was inferred here. */
static int64_t sl_head_time(ks_source *s, sl_state *st, sl_head *h, uint64_t lineno, bool *inferred)
{
    *inferred = false;
    if (!h->has_time) return 0;
    bool given = ks_source_get_opts(s)->year != 0; /* then dated lines do not re-anchor */
    if (h->zoned || h->iso_local) {
        if (!given) sl_civil(h->zoned_ns, &st->cur_year, &st->cur_mon);
        return h->zoned ? h->zoned_ns : ks_source_local_to_utc(s, h->zoned_ns);
    }
    if (h->mon < 1 || h->mon > 12) return 0;
    int y = h->year;
    if (h->has_year) {
        if (!given) st->cur_year = y, st->cur_mon = h->mon;
    } else {
        if (!st->cur_year) {
            y = sl_anchor(s, st, h->mon, lineno);
            st->anchor_year = y;
        } else {
            y = st->cur_year + sl_roll(st->cur_mon, h->mon);
        }
        st->cur_year = y, st->cur_mon = h->mon;
        *inferred = true;
    }
    if (h->day < 1 || h->day > 31 || h->hh > 23 || h->mi > 59 || h->ss > 60 || y < 1678 || y > 2261)
        return 0;
    return ks_source_local_to_utc(s,
                                  sl_local_ns(y, h->mon, h->day, h->hh, h->mi, h->ss, h->frac_ns));
}

static void sl_say_year(ks_source *s, sl_state *st)
{
    if (st->said_year || st->year_from == SL_YEAR_GIVEN || st->year_from == SL_YEAR_NONE) return;
    st->said_year = true;
    if (st->year_from == SL_YEAR_CONTENT)
        ks_source_assume(s, "year %d assumed for lines without one, from the date in line %llu",
                         st->anchor_year, (unsigned long long)st->hint_lineno);
    else if (st->year_from == SL_YEAR_MTIME)
        ks_source_assume(s,
                         "year %d assumed for lines without one, from the file's "
                         "modification time",
                         st->anchor_year);
    else
        ks_source_assume(s, "year 1970 assumed for lines without one (no year found)");
}

/* ---- the event ----------------------------------------------------------------- */

static bool sl_is_nil_value(ks_str v)
{
    static const char *const nils[] = {"n/a", "-", "(null)", "null", "none", "0.0.0.0", "::"};
    if (!v.len) return true;
    for (size_t i = 0; i < sizeof nils / sizeof nils[0]; i++)
        if (ks_str_ci_eq(v, nils[i])) return true;
    return false;
}

static bool sl_is_hostname(ks_str v)
{
    if (!v.len || v.len > 253) return false;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* The same semantic shape whatever the vendor: placeholder values ("N/A", "0.0.0.0",
 * "(null)") are dropped, a src_ip that is a host name moves to src_host, and
 * "DOMAIN\user" / "user@domain" users are split into user and domain (as Elastic's
 * pipelines do), so that VPN users meet the Windows accounts of the same people. */
static void sl_normalize(ks_semantic *sem)
{
    sem->user = ks_str_trim(sem->user, " \t");
    if (sem->user.len && sl_is_nil_value(sem->user) && !ks_str_eq(sem->user, "none"))
        sem->user = (ks_str){"", 0};
    if (sem->user.len && !sem->domain.len) {
        const char *u = sem->user.p;
        size_t n = sem->user.len;
        const char *bs = memchr(u, '\\', n);
        if (bs) {
            size_t d = (size_t)(bs - u), a = d;
            while (a < n && u[a] == '\\') a++;
            if (d && a < n) {
                sem->domain = (ks_str){u, d};
                sem->user = (ks_str){u + a, n - a};
            }
        } else {
            size_t at = n;
            while (at && u[at - 1] != '@') at--;
            if (at > 1 && at < n) {
                sem->domain = (ks_str){u + at, n - at};
                sem->user = (ks_str){u, at - 1};
            }
        }
    }
    sem->src_ip = ks_str_trim(sem->src_ip, " \t");
    if (sem->src_ip.len > 2 && sem->src_ip.p[0] == '[' && sem->src_ip.p[sem->src_ip.len - 1] == ']')
        sem->src_ip = (ks_str){sem->src_ip.p + 1, sem->src_ip.len - 2};
    if (sem->src_ip.len && (sl_is_nil_value(sem->src_ip) || !ks_syslog_is_ip(sem->src_ip))) {
        if (!sem->src_host.len && !sl_is_nil_value(sem->src_ip) && sl_is_hostname(sem->src_ip))
            sem->src_host = sem->src_ip;
        sem->src_ip = (ks_str){"", 0};
    }
    if (sem->src_host.len && sl_is_nil_value(sem->src_host)) sem->src_host = (ks_str){"", 0};
    if (sem->session.len && sl_is_nil_value(sem->session)) sem->session = (ks_str){"", 0};
}

uint8_t ks_syslog_level(int pri)
{
    static const uint8_t lv[8] = {1, 1, 1, 2, 3, 4, 4, 5};
    return pri < 0 ? 0 : lv[pri & 7];
}

/* Fields of a line no vendor knows: its framing parts and the message (even empty). */
static void sl_plain_fields(ks_source *s, const sl_head *h, ks_event *ev)
{
    ks_syslog_fields b = ks_syslog_fields_new(s, 5);
    if (!b.f) return;
    ks_syslog_fields_add(&b, "app", h->m.app);
    ks_syslog_fields_add(&b, "procid", h->m.procid);
    ks_syslog_fields_add(&b, "msgid", h->m.msgid);
    ks_syslog_fields_add(&b, "structured_data", h->sd);
    b.f[b.n++] = (ks_field){ks_str_of("message"), ks_str_value(h->m.msg)};
    ks_syslog_fields_put(&b, ev);
}

/* opts.time_only: is the header's time the event's for sure, with no vendor parser
 * run? A vendor's own time replaces a header time only for FortiGate (date= time=,
 * eventtime=), SonicWall (time="... UTC") and PAN-OS (a CSV message that starts
 * "SERIAL,YYYY/MM/DD"); Pulse, Yamaha and SonicWall's local times only fill a missing
 * one. Lines where one of them might (a "time" anywhere, a message starting with a
 * digit, no header time) go through the vendors as always. */
static bool sl_header_time_stands(const sl_head *h, const ks_line *line)
{
    if (!h->m.time_ns) return false;
    if (h->m.msg.len && h->m.msg.p[0] >= '0' && h->m.msg.p[0] <= '9') return false;
    const char *p = line->p, *end = line->p + line->len;
    while (end - p >= 4 && (p = memchr(p, 't', (size_t)(end - p - 3))) != NULL) {
        if (!memcmp(p, "time", 4)) return false;
        p++;
    }
    return true;
}

static void sl_event(ks_source *s, sl_state *st, const ks_line *line, ks_event *ev)
{
    sl_head h;
    sl_frame(line->p, line->len, &h);
    h.m.lineno = line->lineno;
    h.m.offset = line->offset;
    bool inferred;
    h.m.time_ns = sl_head_time(s, st, &h, line->lineno, &inferred);

    ev->record_id = line->lineno;
    ev->offset = line->offset;
    if (ks_source_get_opts(s)->time_only && sl_header_time_stands(&h, line)) {
        ev->time_ns = h.m.time_ns; /* what the end of this function would give */
        if (inferred) sl_say_year(s, st);
        return;
    }
    ev->host = h.m.host;
    ev->channel = (ks_str){"syslog", 6};
    ev->level = ks_syslog_level(h.m.pri);
    ev->time_ns = 0;
    const ks_syslog_vendor *hit = NULL;
    ks_event blank = *ev;
    for (size_t i = 0; i < sizeof vendors / sizeof vendors[0]; i++) {
        if (vendors[i]->parse(s, &h.m, ev)) {
            hit = vendors[i];
            break;
        }
        *ev = blank; /* a parser that said no leaves nothing behind */
    }
    if (hit) {
        if (!ev->provider.len) ev->provider = (ks_str){hit->name, strlen(hit->name)};
        if (!ev->nfields) sl_plain_fields(s, &h, ev);
    } else {
        ev->provider = (ks_str){"syslog", 6};
        sl_plain_fields(s, &h, ev);
        ks_source_count_unrecognized(s);
    }
    if (ev->time_ns) {
        if (!ks_source_get_opts(s)->year) /* the vendor's date re-anchors */
            sl_civil(ev->time_ns, &st->cur_year, &st->cur_mon);
    } else {
        ev->time_ns = h.m.time_ns;
        if (inferred && ev->time_ns) sl_say_year(s, st);
    }
    sl_normalize(&ev->sem);
}

/* ---- the reader ------------------------------------------------------------------ */

static ks_status sl_open(ks_source *s, void **state, ks_diag *diag)
{
    (void)s;
    (void)diag;
    sl_state *st = calloc(1, sizeof *st);
    if (!st) return KS_ERR_NOMEM;
    st->hint_at = -1;
    *state = st;
    return KS_OK;
}

static ks_status sl_next(ks_source *s, void *state, ks_event *ev, bool *got)
{
    sl_state *st = state;
    if (!st->prefetched) sl_prefetch(s, st);
    ks_line line;
    while (sl_get_line(s, st, &line)) {
        size_t i = sl_skip_sp(line.p, line.len, 0);
        if (i == line.len) {
            ks_source_count_ignored(s);
            continue;
        }
        if (sl_is_junk(line.p, line.len)) {
            ks_source_report(s, KS_SEV_ERROR, KS_ERR_FORMAT, line.offset, line.lineno, line.p,
                             line.len < 64 ? line.len : 64,
                             "not a syslog line (binary data); skipped");
            continue;
        }
        sl_event(s, st, &line, ev);
        *got = true;
        return KS_OK;
    }
    *got = false;
    return KS_OK;
}

static void sl_close(void *state)
{
    sl_state *st = state;
    if (!st) return;
    sl_queue_free(st);
    free(st);
}

/* Does this one line look like syslog? */
static bool sl_line_looks(const char *p, size_t n)
{
    sl_head h;
    sl_frame(p, n, &h);
    if (h.m.pri >= 0 || h.has_time) return true;
    ks_str m = h.m.msg;
    if (m.len > 5 && m.p[0] == '%' && (memmem(m.p, m.len < 12 ? m.len : 12, "-", 1)))
        return true; /* %ASA-6-113005: */
    int y, mon;
    size_t i = 0;
    while (i < m.len && i < 12 && m.p[i] >= '0' && m.p[i] <= '9') i++;
    if (i && i < m.len && m.p[i] == ',' && sl_date_at(m.p + i + 1, m.len - i - 1, &y, &mon))
        return true; /* PAN-OS CSV */
    ks_field kv[8];
    size_t k = ks_syslog_kv(m, kv, 8);
    return k >= 3 && kv[0].name.len > 0 && m.p == (const char *)kv[0].name.p;
}

static int sl_sniff(const char *head, size_t n)
{
    size_t i = 0, lines = 0, hits = 0;
    bool first_hit = false;
    while (i < n && lines < SL_SNIFF_LINES) {
        const char *nl = memchr(head + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - head) : n, len = e - i;
        const char *p = head + i;
        i = nl ? e + 1 : n;
        if (len && p[len - 1] == '\r') len--;
        size_t b = sl_skip_sp(p, len, 0);
        if (b == len) continue;
        if (!lines) {
            if (p[b] == '{' || p[b] == '[') return 5; /* JSON */
            if ((len - b >= 5 && !memcmp(p + b, "<?xml", 5)) ||
                (len - b >= 6 && !memcmp(p + b, "<Event", 6)) ||
                (len - b >= 4 && !memcmp(p + b, "<!--", 4)))
                return 0;
        }
        bool ok = sl_line_looks(p, len);
        if (!lines) first_hit = ok;
        hits += ok;
        lines++;
    }
    if (!lines || !hits) return 0;
    if (hits * 2 >= lines) return first_hit ? 90 : 70;
    return 30;
}

const ks_reader_ops ks_reader_syslog = {KS_FORMAT_SYSLOG, sl_sniff, sl_open, sl_next, sl_close};

/* ---- key=value ----------------------------------------------------------------- */

static bool sl_key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

size_t ks_syslog_kv(ks_str text, ks_field *out, size_t max)
{
    const char *p = text.p;
    size_t n = text.len, i = 0, k = 0;
    while (i < n && k < max) {
        i = sl_skip_sp(p, n, i);
        size_t ks = i;
        while (i < n && sl_key_char(p[i])) i++;
        if (i == ks || i >= n || p[i] != '=') {
            i = sl_token_end(p, n, i); /* not a pair: skip the word */
            continue;
        }
        size_t ke = i++, vs, ve;
        if (i < n && (p[i] == '"' || p[i] == '\'')) {
            char q = p[i];
            vs = ++i;
            while (i < n && p[i] != q) i += (p[i] == '\\' && i + 1 < n) ? 2 : 1;
            ve = i < n ? i : n;
            if (i < n) i++;
        } else {
            vs = i;
            i = sl_token_end(p, n, i);
            ve = i;
        }
        out[k].name = (ks_str){p + ks, ke - ks};
        out[k].value = ks_str_value((ks_str){p + vs, ve - vs});
        k++;
    }
    return k;
}

ks_str ks_syslog_kv_get(const ks_field *kv, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (kv[i].name.len == kl && !memcmp(kv[i].name.p, key, kl))
            return (ks_str){(const char *)kv[i].value.data, kv[i].value.size};
    return (ks_str){"", 0};
}

/* ---- helpers for the vendor parsers --------------------------------------------- */

ks_syslog_fields ks_syslog_fields_new(ks_source *s, size_t cap)
{
    ks_field *f = ks_source_alloc(s, cap * sizeof *f);
    return (ks_syslog_fields){f, 0, f ? cap : 0};
}

void ks_syslog_fields_add(ks_syslog_fields *b, const char *name, ks_str v)
{
    if (!b->f || !v.len || b->n >= b->cap) return;
    b->f[b->n++] = (ks_field){ks_str_of(name), ks_str_value(v)};
}

void ks_syslog_fields_put(const ks_syslog_fields *b, ks_event *ev)
{
    ev->fields = b->f;
    ev->nfields = b->n;
}

bool ks_syslog_looks_like_ip(ks_str w)
{
    if (w.len < 2 || w.len > 45) return false;
    bool dot = false, colon = false;
    for (size_t i = 0; i < w.len; i++) {
        char c = w.p[i];
        if (c == '.')
            dot = true;
        else if (c == ':')
            colon = true;
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return dot || colon;
}

long ks_syslog_welf_start(ks_str t)
{
    size_t i = 0;
    while (i + 3 <= t.len) {
        const char *at = memmem(t.p + i, t.len - i, "id=", 3);
        if (!at) return -1;
        i = (size_t)(at - t.p);
        if (i == 0 || t.p[i - 1] == ' ') return (long)i;
        i++;
    }
    return -1;
}
