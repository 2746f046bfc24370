/* Event XML reader: `wevtutil qe /f:xml` (and /f:RenderedXml), Get-WinEvent's ToXml(),
 * Event Viewer's "Save as XML" and `kensa dump --format xml`, read into the same
 * ks_event the EVTX reader makes (ks_evtx_record_event in src/evtx/event.c). A small
 * bounded tokenizer: an event's text is gathered from the source's lines up to its end
 * tag (4 MiB at most), then parsed in place into a flat node list the fields come from. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
#include "kensa/time.h"
#include "util/str.h"

#define XML_EVENT_MAX ((size_t)4 << 20) /* bytes of one event's text */
#define XML_DEPTH_MAX 64                /* element nesting inside an event */
#define XML_NODES_MAX 262144            /* elements and text runs of one event */
#define XML_LEAF_DEPTH 8                /* UserData flattening, as event.c */
#define XML_EXCERPT 80

/* Where the in-event scanner is: in text, in a start tag's name or the rest of the
 * tag, in an attribute value, in an end tag, or in a comment / CDATA / PI / <!...>. */
enum {
    SC_TEXT,
    SC_NAME,
    SC_TAG,
    SC_QUOTE,
    SC_ENDNAME,
    SC_ENDREST,
    SC_COMMENT,
    SC_CDATA,
    SC_PI,
    SC_DECL
};
/* Between events: whitespace (or junk), <?...?>, <!--...-->, <!...> or <Events>. */
enum { OUT_WS, OUT_PI, OUT_COMMENT, OUT_MARKUP };
/* Looking for an event, gathering one, or passing over one that is too large. */
enum { M_OUT, M_IN, M_SKIP };
/* What the scanner found: the line's end, the event's end, bad text, an event cut
 * short (a new <Event, a new document or </Events> inside it). */
enum { R_MORE, R_DONE, R_BROKEN, R_CUT };

enum { XN_ELEM, XN_TEXT };

typedef struct xml_node {
    uint32_t off, len;    /* element: its name; text: the decoded text (both in ev) */
    uint32_t attr, nattr; /* element: its attributes, attrs[attr ..] */
    int32_t first, last;  /* element: first and last child (-1: none) */
    int32_t next;         /* next sibling (-1: none) */
    uint8_t kind;
    uint8_t blank;  /* text: whitespace only */
    uint8_t cdata;  /* text: from a CDATA section (never trimmed) */
    uint8_t has_el; /* element: has element children */
} xml_node;

typedef struct xml_attr {
    uint32_t name, name_len, val, val_len;
} xml_attr;

typedef struct xml_reader {
    ks_source *src;
    ks_encoding enc;
    /* the current line: the source's, or what is left of it copied into `rest` */
    const char *cur;
    size_t cur_len, cur_pos;
    bool have_line, cur_is_rest, line_used, eof;
    uint64_t lineno, line_off, prev_end; /* prev_end: where the last line's text ended */
    uint64_t cur_units;                  /* bytes (file encoding) of the line before cur[0] */
    size_t upos;                         /* cur[0 .. upos) is uacc bytes in the file's encoding */
    uint64_t uacc;
    ks_buf rest;
    /* scanner */
    int mode, out, sc, depth;
    char quote;
    bool slash, recovering;
    size_t name_at, tag_at; /* in cur; names and tag starts never span lines */
    const char *why;        /* what R_BROKEN / R_CUT found */
    /* the event being gathered: cur[ev_from ..] is not yet in ev */
    ks_buf ev;
    size_t ev_from;
    uint64_t ev_line, ev_off;
    /* a run of text outside any event, reported when it ends */
    bool junk, junk_event;
    uint64_t junk_line, junk_off;
    char junk_text[XML_EXCERPT];
    size_t junk_len;
    /* the parsed event */
    xml_node *nodes;
    size_t nnodes, cap_nodes;
    xml_attr *attrs;
    size_t nattrs, cap_attrs;
    ks_field *fields;
    size_t cap_fields;
    ks_buf join; /* texts made of several runs; reserved so that pointers stay valid */
} xml_reader;

/* ---- small text helpers ------------------------------------------------------ */

/* Byte classes: blanks, and bytes that end a tag's name (the end of a line ends any
 * name too). */
enum { C_SPACE = 1, C_NAME_END = 2 };
static const uint8_t byte_class[256] = {
    ['\t'] = 3, ['\n'] = 3, ['\r'] = 3, [' '] = 3, ['/'] = 2,
    ['>'] = 2,  ['<'] = 2,  ['='] = 2,  ['?'] = 2,
};

static inline bool is_space(unsigned char c)
{
    return byte_class[c] & C_SPACE;
}

static inline bool ends_name(unsigned char c)
{
    return byte_class[c] & C_NAME_END;
}

/* p[i ..] starts with the string literal lit (i <= n). */
#define starts(p, n, i, lit)                                                                       \
    ((n) - (i) >= sizeof(lit) - 1 && memcmp((p) + (i), (lit), sizeof(lit) - 1) == 0)

/* The position of lit (2 or 3 bytes) in p[i .. n), or n. */
static size_t find(const char *p, size_t n, size_t i, const char *lit)
{
    size_t k = strlen(lit);
    while (i < n) {
        const char *q = memchr(p + i, lit[0], n - i);
        if (!q) return n;
        i = (size_t)(q - p);
        if (n - i >= k && memcmp(q, lit, k) == 0) return i;
        i++;
    }
    return n;
}

/* `<Event` followed by a delimiter (or the line's end) at p[i]. */
static bool is_event_start(const char *p, size_t n, size_t i)
{
    return starts(p, n, i, "<Event") && (i + 6 == n || ends_name((unsigned char)p[i + 6]));
}

/* Bytes that p[0 .. n) (UTF-8) took in the file's encoding, for byte offsets. */
static uint64_t enc_units(ks_encoding enc, const char *p, size_t n)
{
    if (enc != KS_ENC_UTF16LE && enc != KS_ENC_UTF16BE && enc != KS_ENC_CP932 &&
        enc != KS_ENC_CP1252)
        return n;
    uint64_t u = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (len > n - i) len = n - i;
        if (enc == KS_ENC_UTF16LE || enc == KS_ENC_UTF16BE) {
            u += len == 4 ? 4 : 2;
        } else if (enc == KS_ENC_CP1252 || c < 0x80) {
            u += 1;
        } else {
            /* CP932: half-width katakana (U+FF61..U+FF9F) is one byte, the rest two */
            bool kana = len == 3 && c == 0xef &&
                        (((unsigned char)p[i + 1] == 0xbd && (unsigned char)p[i + 2] >= 0xa1) ||
                         (unsigned char)p[i + 1] == 0xbe);
            u += kana ? 1 : 2;
        }
        i += len;
    }
    return u;
}

/* The byte offset in the file of cur[i] (i never goes back within one cur). */
static uint64_t offset_at(xml_reader *x, size_t i)
{
    if (i > x->upos) {
        x->uacc += enc_units(x->enc, x->cur + x->upos, i - x->upos);
        x->upos = i;
    }
    return x->line_off + x->cur_units + x->uacc;
}

/* At most XML_EXCERPT bytes of p[0 .. n), up to the first line end, not cutting a
 * UTF-8 sequence. */
static size_t excerpt_len(const char *p, size_t n)
{
    size_t k = 0;
    while (k < n && k < XML_EXCERPT && p[k] != '\n' && p[k] != '\r') k++;
    if (k == XML_EXCERPT && k < n) /* cut before p[k]: not inside a UTF-8 sequence */
        while (k > 0 && ((unsigned char)p[k] & 0xc0) == 0x80) k--;
    return k;
}

/* Decode character and entity references in b[0 .. n) in place (a reference is never
 * shorter than what it stands for); returns the new length. Unknown or malformed
 * references are kept as written. */
static size_t decode_refs(char *b, size_t n)
{
    char *amp = memchr(b, '&', n);
    if (!amp) return n;
    size_t o = (size_t)(amp - b), i = o;
    while (i < n) {
        if (b[i] != '&') {
            b[o++] = b[i++];
            continue;
        }
        size_t semi = i + 1;
        while (semi < n && semi - i <= 12 && b[semi] != ';') semi++;
        if (semi >= n || b[semi] != ';') {
            b[o++] = b[i++];
            continue;
        }
        const char *e = b + i + 1;
        size_t elen = semi - i - 1;
        static const char *const named[][2] = {
            {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}};
        int ch = -1;
        for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
            if (ks_str_eq((ks_str){e, elen}, named[k][0])) ch = named[k][1][0];
        if (ch >= 0) {
            b[o++] = (char)ch;
            i = semi + 1;
            continue;
        }
        if (elen < 2 || e[0] != '#') {
            b[o++] = b[i++];
            continue;
        }
        bool hex = e[1] == 'x' || e[1] == 'X';
        size_t k = hex ? 2 : 1;
        uint32_t cp = 0;
        bool ok = k < elen;
        for (; ok && k < elen; k++) {
            unsigned c = (unsigned char)e[k], d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                d = (c | 0x20) - 'a' + 10;
            else
                ok = false, d = 0;
            cp = cp * (hex ? 16 : 10) + d;
            if (cp > 0x10ffff) cp = 0x110000; /* stays out of range, no overflow */
        }
        if (!ok) {
            b[o++] = b[i++];
            continue;
        }
        if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) cp = 0xfffd;
        if (cp < 0x80) {
            b[o++] = (char)cp;
        } else if (cp < 0x800) {
            b[o++] = (char)(0xc0 | (cp >> 6));
            b[o++] = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            b[o++] = (char)(0xe0 | (cp >> 12));
            b[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            b[o++] = (char)(0x80 | (cp & 0x3f));
        } else {
            b[o++] = (char)(0xf0 | (cp >> 18));
            b[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
            b[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            b[o++] = (char)(0x80 | (cp & 0x3f));
        }
        i = semi + 1;
    }
    return o;
}

/* ---- reports ------------------------------------------------------------------- */

/* Report the current event as skipped: st and a reason; the excerpt is its start. */
static void report_event(xml_reader *x, ks_status st, size_t upto, const char *what)
{
    /* make sure the excerpt has the event's first bytes even when they are all
     * still in the line */
    if (x->ev.len < XML_EXCERPT && x->mode == M_IN && upto > x->ev_from) {
        size_t add = upto - x->ev_from;
        if (add > XML_EXCERPT - x->ev.len) add = XML_EXCERPT - x->ev.len;
        ks_buf_append(&x->ev, x->cur + x->ev_from, add);
    }
    const char *p = x->ev.failed ? NULL : x->ev.data;
    size_t n = p ? excerpt_len(p, x->ev.len) : 0;
    ks_source_report(x->src, KS_SEV_ERROR, st, x->ev_off, x->ev_line, p, n,
                     "Event XML starting on line %llu skipped: %s (line %llu)",
                     (unsigned long long)x->ev_line, what, (unsigned long long)x->lineno);
}

static void junk_at(xml_reader *x, size_t i)
{
    x->line_used = true;
    if (x->recovering || x->junk) return;
    x->junk = true;
    x->junk_event = false;
    x->junk_line = x->lineno;
    x->junk_off = offset_at(x, i);
    x->junk_len = excerpt_len(x->cur + i, x->cur_len - i);
    memcpy(x->junk_text, x->cur + i, x->junk_len);
}

/* The end of a run of text outside events: text holding an event's end tag is what
 * is left of an event (skipped, an error), other text only a warning. */
static void junk_flush(xml_reader *x)
{
    if (!x->junk) return;
    x->junk = false;
    if (x->junk_event)
        ks_source_report(x->src, KS_SEV_ERROR, KS_ERR_FORMAT, x->junk_off, x->junk_line,
                         x->junk_text, x->junk_len,
                         "text with an </Event> but no <Event> start skipped (from line %llu)",
                         (unsigned long long)x->junk_line);
    else
        ks_source_report(x->src, KS_SEV_WARNING, KS_ERR_FORMAT, x->junk_off, x->junk_line,
                         x->junk_text, x->junk_len,
                         "text outside any Event element ignored (from line %llu)",
                         (unsigned long long)x->junk_line);
}

/* ---- finding events in the lines --------------------------------------------------- */

/* Between events: pass over whitespace, declarations, comments and the <Events>
 * wrapper, note junk, and stop at the next `<Event` (true, *at = its '<'). */
static bool out_scan(xml_reader *x, size_t *at)
{
    const char *p = x->cur;
    size_t n = x->cur_len, i = x->cur_pos, k;
    while (i < n) {
        switch (x->out) {
        case OUT_PI:
            k = find(p, n, i, "?>");
            i = k == n ? n : k + 2;
            if (k < n) x->out = OUT_WS;
            break;
        case OUT_COMMENT:
            k = find(p, n, i, "-->");
            i = k == n ? n : k + 3;
            if (k < n) x->out = OUT_WS;
            break;
        case OUT_MARKUP: {
            const char *q = memchr(p + i, '>', n - i);
            i = q ? (size_t)(q - p) + 1 : n;
            if (q) x->out = OUT_WS;
            break;
        }
        default: {
            unsigned char c = (unsigned char)p[i];
            if (is_space(c)) {
                i++;
                break;
            }
            if (c == '<') {
                if (is_event_start(p, n, i)) {
                    x->cur_pos = i;
                    *at = i;
                    return true;
                }
                if (starts(p, n, i, "<?")) {
                    x->out = OUT_PI;
                    i += 2;
                    break;
                }
                if (starts(p, n, i, "<!--")) {
                    x->out = OUT_COMMENT;
                    i += 4;
                    break;
                }
                if (starts(p, n, i, "<!") ||
                    (starts(p, n, i, "<Events") && (i + 7 == n || ends_name(p[i + 7]))) ||
                    (starts(p, n, i, "</Events") && (i + 8 == n || ends_name(p[i + 8])))) {
                    x->out = OUT_MARKUP;
                    i += 2;
                    break;
                }
            }
            junk_at(x, i);
            if (c == '<' && starts(p, n, i, "</Event") && (i + 7 == n || ends_name(p[i + 7])))
                x->junk_event = true;
            i++;
            break;
        }
        }
    }
    x->cur_pos = n;
    return false;
}

static int broken(xml_reader *x, size_t *at, size_t i, const char *why)
{
    x->why = why;
    *at = i;
    return R_BROKEN;
}

static int cut(xml_reader *x, size_t *at, size_t i, const char *why)
{
    x->why = why;
    *at = i;
    return R_CUT;
}

/* Inside an event: follow tags and nesting through cur from cur_pos. R_MORE at the
 * line's end; otherwise *at is where the event ends (R_DONE) or where the text that
 * is wrong starts. */
static int in_scan(xml_reader *x, size_t *at)
{
    const char *p = x->cur;
    size_t n = x->cur_len, i = x->cur_pos, j, k;
    while (i < n) {
        switch (x->sc) {
        case SC_TEXT: {
            const char *lt = memchr(p + i, '<', n - i);
            if (!lt) {
                i = n;
                break;
            }
            i = (size_t)(lt - p);
            x->tag_at = i;
            char c = i + 1 < n ? p[i + 1] : '\n';
            if (c == '/') {
                x->sc = SC_ENDNAME;
                x->name_at = i += 2;
            } else if (c == '?') {
                if (starts(p, n, i, "<?xml") && (i + 5 == n || is_space(p[i + 5])))
                    return cut(x, at, i, "a new XML document starts before its end");
                x->sc = SC_PI;
                i += 2;
            } else if (c == '!') {
                if (starts(p, n, i, "<!--"))
                    x->sc = SC_COMMENT, i += 4;
                else if (starts(p, n, i, "<![CDATA["))
                    x->sc = SC_CDATA, i += 9;
                else
                    x->sc = SC_DECL, i += 2;
            } else {
                x->sc = SC_NAME;
                x->name_at = i += 1;
            }
            break;
        }
        case SC_NAME:
            for (j = i; j < n && !ends_name((unsigned char)p[j]);) j++;
            if (j == x->name_at) return broken(x, at, x->tag_at, "'<' not followed by a name");
            if (x->depth > 0 && ks_str_eq((ks_str){p + x->name_at, j - x->name_at}, "Event"))
                return cut(x, at, x->tag_at, "a new Event starts before its end");
            x->sc = SC_TAG;
            x->slash = false;
            i = j;
            break;
        case SC_TAG:
            for (; i < n; i++) {
                char c = p[i];
                if (c == '>' || c == '"' || c == '\'') break;
                if (c == '<') return broken(x, at, i, "'<' inside a tag");
                x->slash = c == '/';
            }
            if (i == n) break;
            if (p[i] == '>') {
                i++;
                x->sc = SC_TEXT;
                if (!x->slash) {
                    if (++x->depth > XML_DEPTH_MAX)
                        return broken(x, at, i, "elements nested too deeply");
                } else if (x->depth == 0) {
                    *at = i;
                    return R_DONE;
                }
            } else {
                x->quote = p[i++];
                x->sc = SC_QUOTE;
            }
            break;
        case SC_QUOTE:
            for (; i < n && p[i] != x->quote; i++)
                if (p[i] == '<') return broken(x, at, i, "'<' inside an attribute value");
            if (i < n) {
                i++;
                x->sc = SC_TAG;
                x->slash = false;
            }
            break;
        case SC_ENDNAME:
            for (j = i; j < n && !ends_name((unsigned char)p[j]);) j++;
            if (j == x->name_at) return broken(x, at, x->tag_at, "'</' not followed by a name");
            if (ks_str_eq((ks_str){p + x->name_at, j - x->name_at}, "Events"))
                return cut(x, at, x->tag_at, "</Events> comes before its end");
            x->sc = SC_ENDREST;
            i = j;
            break;
        case SC_ENDREST:
            while (i < n && is_space((unsigned char)p[i])) i++;
            if (i == n) break;
            if (p[i] != '>') return broken(x, at, i, "an end tag not closed by '>'");
            i++;
            x->sc = SC_TEXT;
            if (--x->depth <= 0) {
                *at = i;
                return R_DONE;
            }
            break;
        case SC_COMMENT:
        case SC_CDATA:
        case SC_PI:
            k = find(p, n, i, x->sc == SC_COMMENT ? "-->" : x->sc == SC_CDATA ? "]]>" : "?>");
            if (k == n) {
                i = n;
                break;
            }
            i = k + (x->sc == SC_PI ? 2 : 3);
            x->sc = SC_TEXT;
            break;
        default: { /* SC_DECL */
            const char *q = memchr(p + i, '>', n - i);
            i = q ? (size_t)(q - p) + 1 : n;
            if (q) x->sc = SC_TEXT;
            break;
        }
        }
    }
    return R_MORE;
}

/* ---- parsing one event's text --------------------------------------------------------- */

static int32_t node_add(xml_reader *x, int kind, int32_t parent)
{
    if (x->nnodes >= XML_NODES_MAX) return -1;
    if (x->nnodes == x->cap_nodes) {
        size_t cap = x->cap_nodes ? x->cap_nodes * 2 : 256;
        xml_node *n = realloc(x->nodes, cap * sizeof *n);
        if (!n) return -1;
        x->nodes = n;
        x->cap_nodes = cap;
    }
    int32_t id = (int32_t)x->nnodes++;
    xml_node *nd = &x->nodes[id];
    memset(nd, 0, sizeof *nd);
    nd->kind = (uint8_t)kind;
    nd->first = nd->last = nd->next = -1;
    if (parent >= 0) {
        xml_node *pa = &x->nodes[parent];
        if (pa->last >= 0)
            x->nodes[pa->last].next = id;
        else
            pa->first = id;
        pa->last = id;
        if (kind == XN_ELEM) pa->has_el = 1;
    }
    return id;
}

static bool attr_add(xml_reader *x, size_t name, size_t name_len, size_t val, size_t val_len)
{
    if (x->nattrs == x->cap_attrs) {
        size_t cap = x->cap_attrs ? x->cap_attrs * 2 : 64;
        if (cap > XML_NODES_MAX) return false;
        xml_attr *a = realloc(x->attrs, cap * sizeof *a);
        if (!a) return false;
        x->attrs = a;
        x->cap_attrs = cap;
    }
    x->attrs[x->nattrs++] =
        (xml_attr){(uint32_t)name, (uint32_t)name_len, (uint32_t)val, (uint32_t)val_len};
    return true;
}

static bool text_add(xml_reader *x, int32_t parent, size_t from, size_t to, bool cdata)
{
    char *b = x->ev.data;
    size_t len = cdata ? to - from : decode_refs(b + from, to - from);
    int32_t id = node_add(x, XN_TEXT, parent);
    if (id < 0) return false;
    xml_node *t = &x->nodes[id];
    t->off = (uint32_t)from;
    t->len = (uint32_t)len;
    t->cdata = cdata;
    t->blank = !cdata;
    for (size_t k = 0; k < len && t->blank; k++) t->blank = is_space((unsigned char)b[from + k]);
    return true;
}

static size_t skip_space(const char *b, size_t n, size_t i)
{
    while (i < n && is_space((unsigned char)b[i])) i++;
    return i;
}

/* Parse ev (one whole event, root element first) into nodes. NULL, or what is wrong. */
static const char *parse_tree(xml_reader *x)
{
    char *b = x->ev.data;
    size_t n = x->ev.len, i = 0, j, k;
    int32_t stack[XML_DEPTH_MAX + 1];
    int depth = 0;
    x->nnodes = x->nattrs = 0;
    while (i < n) {
        if (b[i] != '<') {
            const char *lt = memchr(b + i, '<', n - i);
            j = lt ? (size_t)(lt - b) : n;
            if (depth == 0) return "text outside the Event element";
            if (!text_add(x, stack[depth - 1], i, j, false)) return "too many nodes";
            i = j;
            continue;
        }
        char c1 = i + 1 < n ? b[i + 1] : 0;
        if (c1 == '!' && starts(b, n, i, "<!--")) {
            k = find(b, n, i + 4, "-->");
            if (k == n) return "a comment without its end";
            i = k + 3;
        } else if (c1 == '!' && starts(b, n, i, "<![CDATA[")) {
            k = find(b, n, i + 9, "]]>");
            if (k == n) return "a CDATA section without its end";
            if (depth == 0) return "CDATA outside the Event element";
            if (!text_add(x, stack[depth - 1], i + 9, k, true)) return "too many nodes";
            i = k + 3;
        } else if (c1 == '?') {
            k = find(b, n, i + 2, "?>");
            if (k == n) return "a processing instruction without its end";
            i = k + 2;
        } else if (c1 == '!') {
            const char *gt = memchr(b + i, '>', n - i);
            if (!gt) return "a declaration without its end";
            i = (size_t)(gt - b) + 1;
        } else if (c1 == '/') {
            for (j = i + 2; j < n && !ends_name((unsigned char)b[j]);) j++;
            k = skip_space(b, n, j);
            if (k == n || b[k] != '>') return "an end tag not closed by '>'";
            if (depth == 0) return "an end tag without a start tag";
            const xml_node *top = &x->nodes[stack[depth - 1]];
            if (top->len != j - i - 2 || memcmp(b + top->off, b + i + 2, top->len) != 0)
                return "an end tag that does not match its start tag";
            i = k + 1;
            if (--depth == 0) return i == n || skip_space(b, n, i) == n ? NULL : "text after it";
        } else {
            for (j = i + 1; j < n && !ends_name((unsigned char)b[j]);) j++;
            if (j == i + 1) return "'<' not followed by a name";
            if (depth == 0 && x->nnodes) return "a second root element";
            int32_t id = node_add(x, XN_ELEM, depth ? stack[depth - 1] : -1);
            if (id < 0) return "too many nodes";
            x->nodes[id].off = (uint32_t)(i + 1);
            x->nodes[id].len = (uint32_t)(j - i - 1);
            x->nodes[id].attr = (uint32_t)x->nattrs;
            i = j;
            bool open = false;
            for (;;) {
                i = skip_space(b, n, i);
                if (i == n) return "a tag without its end";
                if (b[i] == '>') {
                    open = true;
                    i++;
                    break;
                }
                if (b[i] == '/') {
                    if (i + 1 == n || b[i + 1] != '>') return "'/' inside a tag";
                    i += 2;
                    break;
                }
                size_t an = i;
                while (i < n && !ends_name((unsigned char)b[i])) i++;
                if (i == an) return "a bad attribute";
                size_t an_len = i - an;
                i = skip_space(b, n, i);
                if (i == n || b[i] != '=') return "an attribute without '='";
                i = skip_space(b, n, i + 1);
                if (i == n || (b[i] != '"' && b[i] != '\'')) return "an attribute value not quoted";
                const char *q = memchr(b + i + 1, b[i], n - i - 1);
                if (!q) return "an attribute value without its end quote";
                size_t v = i + 1, vend = (size_t)(q - b);
                size_t vlen = decode_refs(b + v, vend - v);
                if (!attr_add(x, an, an_len, v, vlen)) return "too many attributes";
                x->nodes[id].nattr++;
                i = vend + 1;
            }
            if (open) {
                if (depth >= XML_DEPTH_MAX) return "elements nested too deeply";
                stack[depth++] = id;
            } else if (depth == 0) {
                return skip_space(b, n, i) == n ? NULL : "text after it";
            }
        }
    }
    return "it ends before the Event's end tag";
}

/* ---- the event from the nodes, as ks_evtx_record_event makes it -------------------------- */

static inline bool el_is(const xml_reader *x, const xml_node *e, const char *lit)
{
    return e->kind == XN_ELEM && ks_str_eq((ks_str){x->ev.data + e->off, e->len}, lit);
}

static const xml_attr *attr_of(const xml_reader *x, const xml_node *e, const char *lit)
{
    for (uint32_t k = 0; k < e->nattr; k++) {
        const xml_attr *a = &x->attrs[e->attr + k];
        if (ks_str_eq((ks_str){x->ev.data + a->name, a->name_len}, lit)) return a;
    }
    return NULL;
}

static ks_str attr_str(const xml_reader *x, const xml_attr *a)
{
    return a ? (ks_str){x->ev.data + a->val, a->val_len} : (ks_str){"", 0};
}

/* The element's text: its text runs up to its first child element (event.c's
 * parts_value). Where an element has element children, the runs are the indentation
 * around them, trimmed (and dropped when blank). No text at all: a NULL value. */
static ks_value el_value(xml_reader *x, const xml_node *e)
{
    ks_value v = {(const uint8_t *)"", 0, KS_VT_NULL};
    const char *b = x->ev.data;
    const char *one = NULL;
    size_t one_len = 0, pieces = 0, mark = x->join.len;
    for (int32_t c = e->first; c >= 0 && x->nodes[c].kind == XN_TEXT; c = x->nodes[c].next) {
        const xml_node *t = &x->nodes[c];
        if (pieces == 1 && x->join.cap - x->join.len < one_len + t->len) break; /* never */
        if (pieces > 1 && x->join.cap - x->join.len < t->len) break;
        const char *p = b + t->off;
        size_t len = t->len;
        if (e->has_el && !t->cdata) {
            if (t->blank) continue;
            while (len && is_space((unsigned char)p[len - 1])) len--;
            while (len && is_space((unsigned char)*p)) p++, len--;
        }
        if (pieces++ == 0) {
            one = p;
            one_len = len;
        } else {
            if (pieces == 2) ks_buf_append(&x->join, one, one_len);
            ks_buf_append(&x->join, p, len);
        }
    }
    if (pieces == 0) return v;
    if (pieces > 1 && !x->join.failed) {
        one = x->join.data + mark;
        one_len = x->join.len - mark;
    }
    return ks_str_value((ks_str){one, one_len});
}

static ks_str el_str(xml_reader *x, const xml_node *e)
{
    ks_value v = el_value(x, e);
    return (ks_str){(const char *)v.data, v.size};
}

/* A number written as text (decimal or 0x-hex, blanks around it allowed). */
static bool text_u64(ks_str s, uint64_t *out)
{
    s = ks_str_trim(s, " \t\n\r");
    ks_value v = ks_str_value(s);
    return s.len && ks_value_u64(&v, out);
}

static uint64_t el_u64(xml_reader *x, const xml_node *e)
{
    uint64_t r = 0;
    return text_u64(el_str(x, e), &r) ? r : 0;
}

static uint64_t attr_u64(const xml_reader *x, const xml_attr *a)
{
    uint64_t r = 0;
    return a && text_u64(attr_str(x, a), &r) ? r : 0;
}

static void system_fields(xml_reader *x, const xml_node *sys, ks_event *ev, bool *timed)
{
    for (int32_t c = sys->first; c >= 0; c = x->nodes[c].next) {
        const xml_node *n = &x->nodes[c];
        const xml_attr *a;
        if (n->kind != XN_ELEM) continue;
        if (el_is(x, n, "Provider")) {
            if ((a = attr_of(x, n, "Name"))) ev->provider = attr_str(x, a);
            if (!ev->provider.len && (a = attr_of(x, n, "EventSourceName")))
                ev->provider = attr_str(x, a);
            if ((a = attr_of(x, n, "Guid"))) ev->provider_guid = attr_str(x, a);
        } else if (el_is(x, n, "EventID")) {
            ev->event_id = (uint32_t)el_u64(x, n);
            uint64_t q;
            if ((a = attr_of(x, n, "Qualifiers")) && text_u64(attr_str(x, a), &q)) {
                ev->qualifiers = (uint16_t)q;
                ev->has_qualifiers = true;
            }
        } else if (el_is(x, n, "EventRecordID")) {
            uint64_t id;
            if (text_u64(el_str(x, n), &id)) ev->record_id = id;
        } else if (el_is(x, n, "Execution")) {
            ev->process_id = (uint32_t)attr_u64(x, attr_of(x, n, "ProcessID"));
            ev->thread_id = (uint32_t)attr_u64(x, attr_of(x, n, "ThreadID"));
        } else if (el_is(x, n, "Version")) {
            ev->version = (uint8_t)el_u64(x, n);
        } else if (el_is(x, n, "Level")) {
            ev->level = (uint8_t)el_u64(x, n);
        } else if (el_is(x, n, "Task")) {
            ev->task = (uint16_t)el_u64(x, n);
        } else if (el_is(x, n, "TimeCreated")) {
            ks_str t = attr_str(x, attr_of(x, n, "SystemTime"));
            while (t.len && is_space((unsigned char)*t.p)) t.p++, t.len--;
            while (t.len && is_space((unsigned char)t.p[t.len - 1])) t.len--;
            int64_t ns;
            if (t.len && ks_time_parse_iso8601(t.p, t.len, &ns, NULL)) {
                ev->time_ns = ns;
                *timed = true;
            }
        } else if (el_is(x, n, "Opcode")) {
            ev->opcode = (uint8_t)el_u64(x, n);
        } else if (el_is(x, n, "Keywords")) {
            ev->keywords = el_u64(x, n);
        } else if (el_is(x, n, "Channel")) {
            ev->channel = el_str(x, n);
        } else if (el_is(x, n, "Computer")) {
            ev->host = el_str(x, n);
        } else if (el_is(x, n, "Security")) {
            if ((a = attr_of(x, n, "UserID"))) ev->user_sid = attr_str(x, a);
        }
    }
}

static void field_set(xml_reader *x, ks_field *out, size_t cap, size_t k, ks_str name,
                      const xml_node *e)
{
    if (!out || k >= cap) return;
    out[k].name = name;
    out[k].value = el_value(x, e);
}

/* Leaf elements from node c on (UserData's payload), flattened in document order. */
static size_t leaves(xml_reader *x, int32_t c, ks_field *out, size_t cap, size_t k, int depth)
{
    for (; c >= 0; c = x->nodes[c].next) {
        const xml_node *n = &x->nodes[c];
        if (n->kind != XN_ELEM) continue;
        if (n->has_el && depth < XML_LEAF_DEPTH) {
            k = leaves(x, n->first, out, cap, k, depth + 1);
        } else {
            field_set(x, out, cap, k, (ks_str){x->ev.data + n->off, n->len}, n);
            k++;
        }
    }
    return k;
}

/* EventData's elements: <Data Name="X"> is field X; an element without Name is named
 * after itself (<Data>, <Binary>). */
static size_t data_fields(xml_reader *x, const xml_node *ed, ks_field *out, size_t cap)
{
    size_t k = 0;
    for (int32_t c = ed->first; c >= 0; c = x->nodes[c].next) {
        const xml_node *n = &x->nodes[c];
        if (n->kind != XN_ELEM) continue;
        const xml_attr *na = attr_of(x, n, "Name");
        field_set(x, out, cap, k, na ? attr_str(x, na) : (ks_str){x->ev.data + n->off, n->len}, n);
        k++;
    }
    return k;
}

/* The first element child of e, or -1. */
static int32_t first_el(const xml_reader *x, const xml_node *e)
{
    int32_t c = e->first;
    while (c >= 0 && x->nodes[c].kind != XN_ELEM) c = x->nodes[c].next;
    return c;
}

/* ks_event from the parsed nodes; NULL, or why the event is skipped. */
static const char *make_event(xml_reader *x, ks_event *ev)
{
    const xml_node *root = &x->nodes[0];
    const xml_node *sys = NULL, *data = NULL, *user = NULL;
    bool timed = false;
    ks_buf_reset(&x->join);
    x->join.failed = 0;
    if (ks_buf_reserve(&x->join, x->ev.len + 1) != 0) return "out of memory";
    for (int32_t c = root->first; c >= 0; c = x->nodes[c].next) {
        const xml_node *n = &x->nodes[c];
        if (el_is(x, n, "System")) {
            sys = n;
            system_fields(x, n, ev, &timed);
        } else if (el_is(x, n, "EventData")) {
            data = n;
        } else if (el_is(x, n, "UserData")) {
            user = n; /* RenderingInfo (wevtutil /f:RenderedXml) is left out, as in EVTX */
        }
    }
    if (!sys) return "it has no System element";
    int32_t payload = user ? first_el(x, user) : -1;
    size_t count = 0;
    if (data) count += data_fields(x, data, NULL, 0);
    if (payload >= 0) count = leaves(x, x->nodes[payload].first, NULL, 0, count, 0);
    if (count > x->cap_fields) {
        ks_field *f = realloc(x->fields, count * sizeof *f);
        if (!f) return "out of memory";
        x->fields = f;
        x->cap_fields = count;
    }
    size_t k = 0;
    if (data) k = data_fields(x, data, x->fields, count);
    if (payload >= 0) k = leaves(x, x->nodes[payload].first, x->fields, count, k, 0);
    if (x->join.failed) return "out of memory";
    ev->fields = count ? x->fields : NULL;
    ev->nfields = k;
    ev->offset = x->ev_off;
    if (!timed)
        ks_source_report(x->src, KS_SEV_WARNING, KS_ERR_FORMAT, x->ev_off, x->ev_line, NULL, 0,
                         "Event on line %llu has no valid TimeCreated SystemTime; its time is "
                         "left at 0",
                         (unsigned long long)x->ev_line);
    return NULL;
}

/* ---- the reader ----------------------------------------------------------------------- */

static int xml_sniff(const char *head, size_t n)
{
    size_t i = 0;
    if (starts(head, n, 0, "\xef\xbb\xbf")) i = 3;
    i = skip_space(head, n, i);
    for (int k = 0; k < 16 && i < n; k++) {
        size_t e;
        if (starts(head, n, i, "<?"))
            e = find(head, n, i + 2, "?>"), e = e == n ? n : e + 2;
        else if (starts(head, n, i, "<!--"))
            e = find(head, n, i + 4, "-->"), e = e == n ? n : e + 3;
        else if (starts(head, n, i, "<!") && !starts(head, n, i, "<![")) {
            const char *gt = memchr(head + i, '>', n - i);
            e = gt ? (size_t)(gt - head) + 1 : n;
        } else {
            break;
        }
        i = skip_space(head, n, e);
    }
    if (is_event_start(head, n, i) ||
        (starts(head, n, i, "<Events") && (i + 7 == n || ends_name((unsigned char)head[i + 7]))))
        return 95;
    /* a line of its own starting with <Event (after some other text) */
    for (size_t l = 0; l < n;) {
        size_t s = l;
        while (s < n && (head[s] == ' ' || head[s] == '\t')) s++;
        if (starts(head, n, s, "<Event ") || starts(head, n, s, "<Event>")) return 80;
        const char *nl = memchr(head + l, '\n', n - l);
        if (!nl) break;
        l = (size_t)(nl - head) + 1;
    }
    return 0;
}

static ks_status xml_open(ks_source *s, void **state, ks_diag *diag)
{
    (void)diag;
    xml_reader *x = calloc(1, sizeof *x);
    if (!x) return KS_ERR_NOMEM;
    x->src = s;
    x->enc = ks_source_encoding(s);
    *state = x;
    return KS_OK;
}

static void xml_close(void *state)
{
    xml_reader *x = state;
    if (!x) return;
    ks_buf_free(&x->rest);
    ks_buf_free(&x->ev);
    ks_buf_free(&x->join);
    free(x->nodes);
    free(x->attrs);
    free(x->fields);
    free(x);
}

static void start_event(xml_reader *x, size_t at)
{
    junk_flush(x);
    x->line_used = true;
    x->recovering = false;
    x->mode = M_IN;
    x->ev_line = x->lineno;
    x->ev_off = offset_at(x, at);
    x->ev_from = at;
    ks_buf_reset(&x->ev);
    x->ev.failed = 0;
    x->depth = 0;
    x->sc = SC_NAME;
    x->tag_at = at;
    x->name_at = at + 1;
    x->cur_pos = at + 1;
}

/* Keep what is left of the line past the event (the source's line may not outlive
 * this event); copied once per line at most. */
static void keep_rest(xml_reader *x)
{
    if (x->cur_is_rest || !x->have_line) return;
    offset_at(x, x->cur_pos);
    x->cur_units += x->uacc;
    ks_buf_reset(&x->rest);
    x->rest.failed = 0;
    ks_buf_append(&x->rest, x->cur + x->cur_pos, x->cur_len - x->cur_pos);
    if (x->rest.failed) {
        x->have_line = false; /* out of memory: drop the rest of the line */
        return;
    }
    x->cur = x->rest.data;
    x->cur_len = x->rest.len;
    x->cur_pos = x->upos = 0;
    x->uacc = 0;
    x->cur_is_rest = true;
}

/* Gather the event's bytes cur[ev_from .. upto), unless that passes the size limit
 * (then the event is reported and passed over). */
static void gather(xml_reader *x, size_t upto, bool newline)
{
    if (x->mode != M_IN) return;
    size_t add = upto - x->ev_from + newline;
    if (x->ev.len + add > XML_EVENT_MAX) {
        report_event(x, KS_ERR_LIMIT, upto, "larger than 4 MiB");
        x->mode = M_SKIP;
        return;
    }
    ks_buf_append(&x->ev, x->cur + x->ev_from, upto - x->ev_from);
    if (newline) ks_buf_putc(&x->ev, '\n');
    x->ev_from = upto;
}

/* The source gives lines without their ends; inside an event a line that ended in
 * CR LF (the next line starts two characters after its text) keeps its CR, so that
 * text spanning lines reads as the file has it. */
static void keep_crlf(xml_reader *x, uint64_t next_off)
{
    uint64_t unit = x->enc == KS_ENC_UTF16LE || x->enc == KS_ENC_UTF16BE ? 2 : 1;
    if (!x->ev.len || x->ev.failed || x->ev.data[x->ev.len - 1] != '\n') return;
    if (next_off < x->prev_end || next_off - x->prev_end != 2 * unit) return;
    if (x->ev.len + 1 > XML_EVENT_MAX) return; /* the next gather reports the size */
    x->ev.data[x->ev.len - 1] = '\r';
    ks_buf_putc(&x->ev, '\n');
}

static ks_status xml_next(ks_source *s, void *state, ks_event *ev, bool *got)
{
    xml_reader *x = state;
    *got = false;
    for (;;) {
        if (!x->have_line) {
            ks_line ln;
            if (x->eof || !ks_source_line(s, &ln)) {
                if (!x->eof && x->mode == M_IN)
                    report_event(x, KS_ERR_TRUNCATED, x->ev_from,
                                 "the file ends before its end tag");
                x->mode = M_OUT;
                junk_flush(x);
                x->eof = true;
                return KS_OK;
            }
            if (x->mode == M_IN) keep_crlf(x, ln.offset);
            x->cur = ln.p ? ln.p : "";
            x->cur_len = ln.len;
            x->cur_pos = x->upos = 0;
            x->uacc = x->cur_units = 0;
            x->lineno = ln.lineno;
            x->line_off = ln.offset;
            x->have_line = true;
            x->cur_is_rest = false;
            x->line_used = x->mode != M_OUT;
            x->ev_from = 0;
        }
        size_t at;
        if (x->mode == M_OUT) {
            if (!out_scan(x, &at)) {
                if (!x->line_used) ks_source_count_ignored(s);
                x->have_line = false;
                continue;
            }
            start_event(x, at);
        }
        int r = in_scan(x, &at);
        if (r == R_MORE) {
            gather(x, x->cur_len, true);
            x->prev_end = offset_at(x, x->cur_len);
            x->have_line = false;
            continue;
        }
        if (r != R_DONE) {
            if (x->mode == M_IN)
                report_event(x, r == R_CUT ? KS_ERR_TRUNCATED : KS_ERR_FORMAT, at, x->why);
            x->mode = M_OUT;
            x->out = OUT_WS;
            x->recovering = r == R_BROKEN; /* the rest of it is not junk of its own */
            x->cur_pos = at;
            continue;
        }
        gather(x, at, false);
        x->cur_pos = at;
        x->out = OUT_WS;
        if (x->mode != M_IN) {
            x->mode = M_OUT;
            continue;
        }
        x->mode = M_OUT;
        if (x->ev.failed) {
            report_event(x, KS_ERR_NOMEM, at, "out of memory");
            continue;
        }
        const char *why = parse_tree(x);
        if (!why) why = make_event(x, ev);
        if (why) {
            report_event(x, KS_ERR_FORMAT, at, why);
            x->recovering = true; /* what follows up to the next <Event is part of it */
            continue;
        }
        keep_rest(x);
        *got = true;
        return KS_OK;
    }
}

const ks_reader_ops ks_reader_xml = {
    .format = KS_FORMAT_XML,
    .sniff = xml_sniff,
    .open = xml_open,
    .next = xml_next,
    .close = xml_close,
};
