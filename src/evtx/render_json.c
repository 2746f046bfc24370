/* JSON rendering of a decoded record in the shape evtx_dump made common, so that
 * existing jq scripts work: {"Event":{"#attributes":{...},"System":{...},...}}.
 * Elements with only text become their value (numbers for integer types), empty
 * elements null, attributes go under "#attributes", text beside child elements
 * under "#text", repeated names get _1, _2 ..., and EventData's
 * <Data Name="X">v</Data> becomes "X": v. */
#include <string.h>

#include "evtx/evtx_internal.h"

static void put_key(ks_buf *out, const ks_xnode *n, unsigned suffix)
{
    ks_buf_putc(out, '"');
    if (n->name_plain)
        ks_buf_append(out, n->name, n->name_len);
    else
        ks_escape_utf8(out, n->name, n->name_len, KS_ESC_JSON);
    if (suffix) {
        ks_buf_putc(out, '_');
        ks_buf_u64(out, suffix);
    }
    ks_buf_append(out, "\":", 2);
}

static const ks_xnode *first_content(const ks_xnode *el)
{
    const ks_xnode *k = el->child;
    while (k && k->kind == KS_X_ATTR) k = k->next;
    return k;
}

static void put_scalar(ks_buf *out, const ks_value *v)
{
    if (v->type == KS_VT_NULL) {
        ks_buf_append(out, "null", 4);
    } else if (ks_value_is_number(v)) {
        ks_evtx_value(out, v, KS_ESC_NONE);
    } else if (v->type == KS_VT_BOOL && v->size == 4) {
        ks_evtx_value(out, v, KS_ESC_NONE);
    } else {
        ks_buf_putc(out, '"');
        ks_evtx_value(out, v, KS_ESC_JSON);
        ks_buf_putc(out, '"');
    }
}

/* Value parts (text, references) from n up to the next element: one typed value
 * when there is a single value, else one string. */
static void put_parts(ks_buf *out, const ks_xnode *n)
{
    if (n && n->kind == KS_X_VALUE && (!n->next || n->next->kind == KS_X_ELEMENT)) {
        const ks_value *v = &n->value;
        if (v->type & KS_VT_ARRAY) {
            ks_buf_putc(out, '[');
            ks_value item;
            for (uint32_t i = 0; ks_value_item(v, i, &item); i++) {
                if (i) ks_buf_putc(out, ',');
                put_scalar(out, &item);
            }
            ks_buf_putc(out, ']');
        } else {
            put_scalar(out, v);
        }
        return;
    }
    ks_buf_putc(out, '"');
    for (; n && n->kind != KS_X_ELEMENT; n = n->next) {
        switch (n->kind) {
        case KS_X_VALUE:
        case KS_X_CDATA:
            if (ks_is_nest(n))
                ks_prog_unsupported(out);
            else
                ks_evtx_value(out, &n->value, KS_ESC_JSON);
            break;
        case KS_X_CHARREF: {
            uint16_t u = (uint16_t)n->ch;
            ks_value v = {(const uint8_t *)&u, 2, KS_VT_STRING};
            ks_evtx_value(out, &v, KS_ESC_JSON);
            break;
        }
        case KS_X_ENTITY: {
            static const char *const ent[][2] = {
                {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\\\""}, {"apos", "'"}};
            const char *s = NULL;
            for (size_t i = 0; i < sizeof ent / sizeof ent[0]; i++)
                if (strcmp(n->name, ent[i][0]) == 0) s = ent[i][1];
            if (s) {
                ks_buf_puts(out, s);
            } else {
                ks_buf_putc(out, '&');
                ks_escape_utf8(out, n->name, n->name_len, KS_ESC_JSON);
                ks_buf_putc(out, ';');
            }
            break;
        }
        default: break;
        }
    }
    ks_buf_putc(out, '"');
}

static int has_parts(const ks_xnode *n)
{
    for (; n; n = n->next)
        if (n->kind != KS_X_ELEMENT && n->kind != KS_X_PI && !ks_is_nest(n)) return 1;
    return 0;
}

static const ks_xnode *name_attr(const ks_xnode *el)
{
    for (const ks_xnode *k = el->child; k && k->kind == KS_X_ATTR; k = k->next)
        if (k->name_len == 4 && memcmp(k->name, "Name", 4) == 0) return k;
    return NULL;
}

static void put_value(ks_buf *out, const ks_xnode *el, int in_eventdata);

/* The children of an element as object members (after an opening '{' and possibly
 * other members: *first says whether a comma is needed). */
static void put_members(ks_buf *out, const ks_xnode *content, int eventdata, int *first)
{
    /* EventData: unnamed <Data> elements are gathered into "Data": {"#text": [...]} */
    int unnamed = 0;
    if (eventdata)
        for (const ks_xnode *m = content; m; m = m->next)
            unnamed += m->kind == KS_X_ELEMENT && !name_attr(m) && m->name_len == 4 &&
                       memcmp(m->name, "Data", 4) == 0;
    int data_done = 0;
    unsigned index = 0;
    uint64_t seen = 0;
    for (const ks_xnode *m = content; m; m = m->next) {
        if (ks_is_nest(m)) { /* compiling: the members of a nested document go here */
            if (eventdata) {
                ks_prog_unsupported(out);
                continue;
            }
            if (!*first) ks_buf_putc(out, ',');
            *first = 0;
            ks_prog_nest(out, ks_prog_slot_of(&m->value), 1, content);
            continue;
        }
        if (m->kind != KS_X_ELEMENT) continue;
        index++;
        const ks_xnode *na = eventdata ? name_attr(m) : NULL;
        if (eventdata && !na && unnamed > 1 && m->name_len == 4 &&
            memcmp(m->name, "Data", 4) == 0) {
            if (data_done) continue;
            data_done = 1;
            if (!*first) ks_buf_putc(out, ',');
            *first = 0;
            ks_buf_append(out, "\"Data\":{\"#text\":[", 17);
            int f = 1;
            for (const ks_xnode *d = m; d; d = d->next) {
                if (d->kind != KS_X_ELEMENT || name_attr(d) || d->name_len != 4 ||
                    memcmp(d->name, "Data", 4) != 0)
                    continue;
                if (!f) ks_buf_putc(out, ',');
                f = 0;
                const ks_xnode *c = first_content(d);
                if (c)
                    put_parts(out, c);
                else
                    ks_buf_append(out, "\"\"", 2);
            }
            ks_buf_append(out, "]}", 2);
            continue;
        }
        if (!*first) ks_buf_putc(out, ',');
        *first = 0;
        if (na) {
            /* "Name": text of the Data element */
            ks_buf_putc(out, '"');
            for (const ks_xnode *p = na->child; p; p = p->next)
                if (p->kind == KS_X_VALUE) ks_evtx_value(out, &p->value, KS_ESC_JSON);
            ks_buf_append(out, "\":", 2);
            const ks_xnode *c = first_content(m);
            if (c && has_parts(c))
                put_parts(out, c);
            else
                ks_buf_append(out, "null", 4);
            continue;
        }
        /* repeated names get a suffix: the count of earlier siblings of that name
         * (a 64-bit filter over name lengths skips the count for most names) */
        unsigned dup = 0;
        uint64_t bit = UINT64_C(1) << (m->name_len & 63);
        if (index > 1024) {
            dup = index;
        } else if (seen & bit) {
            for (const ks_xnode *p = content; p != m; p = p->next)
                dup += p->kind == KS_X_ELEMENT && p->name_len == m->name_len &&
                       (p->name == m->name || memcmp(p->name, m->name, m->name_len) == 0);
        }
        seen |= bit;
        put_key(out, m, dup);
        put_value(out, m, m->name_len == 9 && memcmp(m->name, "EventData", 9) == 0);
    }
}

static void put_value(ks_buf *out, const ks_xnode *el, int eventdata)
{
    const ks_xnode *attrs = el->child && el->child->kind == KS_X_ATTR ? el->child : NULL;
    const ks_xnode *content = first_content(el);
    int elements = 0;
    for (const ks_xnode *m = content; m; m = m->next)
        elements |= m->kind == KS_X_ELEMENT || ks_is_nest(m);
    int text = has_parts(content);
    if (!attrs && !elements) {
        if (text)
            put_parts(out, content);
        else
            ks_buf_append(out, "null", 4);
        return;
    }
    ks_buf_putc(out, '{');
    int first = 1;
    if (attrs) {
        ks_buf_append(out, "\"#attributes\":{", 15);
        int f = 1;
        for (const ks_xnode *a = attrs; a && a->kind == KS_X_ATTR; a = a->next) {
            if (!f) ks_buf_putc(out, ',');
            f = 0;
            put_key(out, a, 0);
            if (a->child)
                put_parts(out, a->child);
            else
                ks_buf_append(out, "\"\"", 2);
        }
        ks_buf_putc(out, '}');
        first = 0;
    }
    put_members(out, content, eventdata, &first);
    if (text && elements) {
        /* mixed content: the text parts joined */
        if (!first) ks_buf_putc(out, ',');
        first = 0;
        ks_buf_append(out, "\"#text\":", 8);
        ks_buf_putc(out, '"');
        for (const ks_xnode *m = content; m; m = m->next)
            if (m->kind == KS_X_VALUE && !ks_is_nest(m)) ks_evtx_value(out, &m->value, KS_ESC_JSON);
        ks_buf_putc(out, '"');
    } else if (text) {
        if (!first) ks_buf_putc(out, ',');
        ks_buf_append(out, "\"#text\":", 8);
        put_parts(out, content);
    }
    ks_buf_putc(out, '}');
}

void ks_render_json_members(ks_buf *out, const ks_xnode *content, int *first)
{
    put_members(out, content, 0, first);
}

void ks_evtx_render_json(const ks_evtx_record *rec, ks_buf *out)
{
    ks_evtx_cursor *c = rec->cursor;
    if (ks_evtx_programs && ks_prog_render(c, c->doc, KS_FMT_JSON, 0, out) == KS_OK) return;
    ks_buf_putc(out, '{');
    int first = 1;
    put_members(out, ks_evtx_record_root(rec), 0, &first);
    ks_buf_append(out, "}\n", 2);
}
