/* Event XML rendering of a decoded record, indented the way Windows' export and
 * evtxexport write it: attributes in order, empty elements as <X/>, text escaped. */
#include "evtx/evtx_internal.h"
#include "util/utf16.h"

static void put_parts(ks_buf *out, const ks_xnode *n, ks_escape esc)
{
    for (; n; n = n->next) {
        switch (n->kind) {
        case KS_X_VALUE:
            if (ks_is_nest(n))
                ks_prog_unsupported(out); /* nested XML inside text */
            else
                ks_evtx_value(out, &n->value, esc);
            break;
        case KS_X_CDATA:
            ks_buf_append(out, "<![CDATA[", 9);
            ks_evtx_value(out, &n->value, KS_ESC_NONE);
            ks_buf_append(out, "]]>", 3);
            break;
        case KS_X_CHARREF:
            ks_buf_append(out, "&#", 2);
            ks_buf_u64(out, n->ch);
            ks_buf_putc(out, ';');
            break;
        case KS_X_ENTITY:
            ks_buf_putc(out, '&');
            ks_buf_append(out, n->name, n->name_len);
            ks_buf_putc(out, ';');
            break;
        case KS_X_PI:
            ks_buf_append(out, "<?", 2);
            ks_buf_append(out, n->name, n->name_len);
            if (n->value.size) {
                ks_buf_putc(out, ' ');
                ks_evtx_value(out, &n->value, KS_ESC_NONE);
            }
            ks_buf_append(out, "?>", 2);
            break;
        default: break;
        }
    }
}

static void indent(ks_buf *out, int depth)
{
    static const char spaces[] = "                                                                ";
    size_t n = 2 * (size_t)depth;
    while (n > sizeof spaces - 1) {
        ks_buf_append(out, spaces, sizeof spaces - 1);
        n -= sizeof spaces - 1;
    }
    ks_buf_append(out, spaces, n);
}

static void put_node(ks_buf *out, const ks_xnode *n, int depth);

static void put_element(ks_buf *out, const ks_xnode *el, int depth)
{
    indent(out, depth);
    ks_buf_putc(out, '<');
    ks_buf_append(out, el->name, el->name_len);
    const ks_xnode *k = el->child;
    for (; k && k->kind == KS_X_ATTR; k = k->next) {
        ks_buf_putc(out, ' ');
        ks_buf_append(out, k->name, k->name_len);
        ks_buf_append(out, "=\"", 2);
        put_parts(out, k->child, KS_ESC_XML_ATTR);
        ks_buf_putc(out, '"');
    }
    if (!k) {
        ks_buf_append(out, "/>\n", 3);
        return;
    }
    int elements = 0;
    for (const ks_xnode *m = k; m; m = m->next)
        elements |= m->kind == KS_X_ELEMENT || ks_is_nest(m);
    if (!elements) {
        size_t mark = out->len;
        ks_buf_putc(out, '>');
        put_parts(out, k, KS_ESC_XML_TEXT);
        if (out->len == mark + 1) { /* content rendered as nothing: an empty element */
            out->len = mark;
            ks_buf_append(out, "/>\n", 3);
            return;
        }
    } else {
        ks_buf_append(out, ">\n", 2);
        for (const ks_xnode *m = k; m; m = m->next) put_node(out, m, depth + 1);
        indent(out, depth);
    }
    ks_buf_append(out, "</", 2);
    ks_buf_append(out, el->name, el->name_len);
    ks_buf_append(out, ">\n", 2);
}

static void put_node(ks_buf *out, const ks_xnode *n, int depth)
{
    if (n->kind == KS_X_ELEMENT) {
        put_element(out, n, depth);
        return;
    }
    if (ks_is_nest(n)) { /* compiling: a nested document goes here */
        ks_prog_nest(out, ks_prog_slot_of(&n->value), depth, NULL);
        return;
    }
    /* text between child elements (mixed content) */
    const ks_xnode one = {
        .kind = n->kind, .name = n->name, .name_len = n->name_len, .value = n->value, .ch = n->ch};
    indent(out, depth);
    put_parts(out, &one, KS_ESC_XML_TEXT);
    ks_buf_putc(out, '\n');
}

void ks_render_xml_nodes(ks_buf *out, const ks_xnode *n, int depth)
{
    for (; n; n = n->next) put_node(out, n, depth);
}

void ks_evtx_render_xml(const ks_evtx_record *rec, ks_buf *out)
{
    ks_evtx_cursor *c = rec->cursor;
    if (ks_evtx_programs && ks_prog_render(c, c->doc, KS_FMT_XML, 0, out) == KS_OK) return;
    ks_render_xml_nodes(out, ks_evtx_record_root(rec), 0);
}
