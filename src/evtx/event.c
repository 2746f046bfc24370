/* A decoded EVTX record as a normalized event: the System fields, and the
 * EventData / UserData values as named fields, without rendering any XML. */
#include <string.h>

#include "evtx/evtx_internal.h"
#include "kensa/time.h"

static int is(const ks_xnode *n, const char *name, size_t len)
{
    return n->name_len == len && memcmp(n->name, name, len) == 0;
}
#define IS(n, lit) is((n), (lit), sizeof(lit) - 1)

static const ks_xnode *content_of(const ks_xnode *el)
{
    const ks_xnode *k = el->child;
    while (k && k->kind == KS_X_ATTR) k = k->next;
    return k;
}

static const ks_xnode *attr_of(const ks_xnode *el, const char *name, size_t len)
{
    for (const ks_xnode *k = el->child; k && k->kind == KS_X_ATTR; k = k->next)
        if (is(k, name, len)) return k;
    return NULL;
}
#define ATTR(el, lit) attr_of((el), (lit), sizeof(lit) - 1)

/* The value of a run of parts: the value itself when there is one, else the parts
 * joined as UTF-8 text in the record arena. */
static ks_value parts_value(ks_evtx_cursor *c, const ks_xnode *n)
{
    ks_value none = {NULL, 0, KS_VT_NULL};
    if (!n || n->kind == KS_X_ELEMENT) return none;
    if (n->kind == KS_X_VALUE && (!n->next || n->next->kind == KS_X_ELEMENT)) return n->value;
    ks_buf *sb = &c->scratch;
    ks_buf_reset(sb);
    for (; n && n->kind != KS_X_ELEMENT; n = n->next) {
        if (n->kind == KS_X_VALUE || n->kind == KS_X_CDATA) {
            ks_value_format(sb, &n->value, KS_ESC_NONE);
        } else if (n->kind == KS_X_CHARREF) {
            uint16_t u = (uint16_t)n->ch;
            ks_value v = {(const uint8_t *)&u, 2, KS_VT_STRING};
            ks_value_format(sb, &v, KS_ESC_NONE);
        } else if (n->kind == KS_X_ENTITY) {
            static const char *const ent[][2] = {
                {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}};
            for (size_t i = 0; i < sizeof ent / sizeof ent[0]; i++)
                if (strcmp(n->name, ent[i][0]) == 0) ks_buf_puts(sb, ent[i][1]);
        }
    }
    char *p = sb->failed ? NULL : ks_arena_alloc(&c->rec_arena, sb->len + 1);
    if (!p) return none;
    if (sb->len) memcpy(p, sb->data, sb->len); /* data is NULL while the buffer is unused */
    return (ks_value){(const uint8_t *)p, (uint32_t)sb->len, KS_VT_UTF8};
}

static ks_str to_str(ks_evtx_cursor *c, ks_value v)
{
    ks_str s = {"", 0};
    if (v.type == KS_VT_NULL) return s;
    if (v.type == KS_VT_UTF8) return (ks_str){(const char *)v.data, v.size};
    ks_buf *sb = &c->scratch;
    ks_buf_reset(sb);
    ks_value_format(sb, &v, KS_ESC_NONE);
    char *p = sb->failed ? NULL : ks_arena_alloc(&c->rec_arena, sb->len + 1);
    if (!p) return s;
    if (sb->len) memcpy(p, sb->data, sb->len);
    p[sb->len] = 0;
    return (ks_str){p, sb->len};
}

static uint64_t to_u64(const ks_value *v)
{
    uint64_t r = 0;
    return ks_value_u64(v, &r) ? r : 0;
}

/* A TimeCreated written as text ("YYYY-MM-DDTHH:MM:SS[.fffffffff]Z"). */
static int parse_iso(const ks_value *v, ks_evtx_cursor *c, int64_t *ns)
{
    ks_str s = to_str(c, *v);
    return ks_time_parse_iso8601(s.p, s.len, ns, NULL);
}

static void system_fields(ks_evtx_cursor *c, const ks_xnode *sys, ks_event *ev)
{
    for (const ks_xnode *n = content_of(sys); n; n = n->next) {
        if (n->kind != KS_X_ELEMENT) continue;
        const ks_xnode *a;
        ks_value v = parts_value(c, content_of(n));
        switch (n->name[0]) {
        case 'P':
            if (IS(n, "Provider")) {
                if ((a = ATTR(n, "Name"))) ev->provider = to_str(c, parts_value(c, a->child));
                if (!ev->provider.len && (a = ATTR(n, "EventSourceName")))
                    ev->provider = to_str(c, parts_value(c, a->child));
                if ((a = ATTR(n, "Guid"))) ev->provider_guid = to_str(c, parts_value(c, a->child));
            }
            break;
        case 'E':
            if (IS(n, "EventID")) {
                ev->event_id = (uint32_t)to_u64(&v);
                if ((a = ATTR(n, "Qualifiers"))) {
                    ks_value q = parts_value(c, a->child);
                    uint64_t qv;
                    if (ks_value_u64(&q, &qv)) {
                        ev->qualifiers = (uint16_t)qv;
                        ev->has_qualifiers = true;
                    }
                }
            } else if (IS(n, "EventRecordID")) {
                uint64_t id;
                if (ks_value_u64(&v, &id)) ev->record_id = id;
            } else if (IS(n, "Execution")) {
                if ((a = ATTR(n, "ProcessID"))) {
                    ks_value pv = parts_value(c, a->child);
                    ev->process_id = (uint32_t)to_u64(&pv);
                }
                if ((a = ATTR(n, "ThreadID"))) {
                    ks_value tv = parts_value(c, a->child);
                    ev->thread_id = (uint32_t)to_u64(&tv);
                }
            }
            break;
        case 'V':
            if (IS(n, "Version")) ev->version = (uint8_t)to_u64(&v);
            break;
        case 'L':
            if (IS(n, "Level")) ev->level = (uint8_t)to_u64(&v);
            break;
        case 'T':
            if (IS(n, "Task")) {
                ev->task = (uint16_t)to_u64(&v);
            } else if (IS(n, "TimeCreated") && (a = ATTR(n, "SystemTime"))) {
                ks_value t = parts_value(c, a->child);
                uint64_t ft;
                int64_t ns;
                if (t.type == KS_VT_FILETIME && ks_value_u64(&t, &ft))
                    ev->time_ns = ks_time_from_filetime(ft);
                else if (t.type != KS_VT_NULL && parse_iso(&t, c, &ns))
                    ev->time_ns = ns;
            }
            break;
        case 'O':
            if (IS(n, "Opcode")) ev->opcode = (uint8_t)to_u64(&v);
            break;
        case 'K':
            if (IS(n, "Keywords")) ev->keywords = to_u64(&v);
            break;
        case 'C':
            if (IS(n, "Channel"))
                ev->channel = to_str(c, v);
            else if (IS(n, "Computer"))
                ev->host = to_str(c, v);
            break;
        case 'S':
            if (IS(n, "Security") && (a = ATTR(n, "UserID")))
                ev->user_sid = to_str(c, parts_value(c, a->child));
            break;
        default: break;
        }
    }
}

/* Leaf elements under `n` (UserData's payload), flattened in document order. */
static size_t leaves(ks_evtx_cursor *c, const ks_xnode *n, ks_field *out, size_t cap, size_t k,
                     int depth)
{
    for (; n; n = n->next) {
        if (n->kind != KS_X_ELEMENT) continue;
        const ks_xnode *ct = content_of(n);
        int has_el = 0;
        for (const ks_xnode *m = ct; m; m = m->next) has_el |= m->kind == KS_X_ELEMENT;
        if (has_el && depth < 8) {
            k = leaves(c, ct, out, cap, k, depth + 1);
        } else {
            if (out && k < cap) {
                out[k].name = (ks_str){n->name, n->name_len};
                out[k].value = parts_value(c, ct);
            }
            k++;
        }
    }
    return k;
}

static size_t data_fields(ks_evtx_cursor *c, const ks_xnode *ed, ks_field *out, size_t cap)
{
    size_t k = 0;
    for (const ks_xnode *n = content_of(ed); n; n = n->next) {
        if (n->kind != KS_X_ELEMENT) continue;
        if (out && k < cap) {
            const ks_xnode *na = ATTR(n, "Name");
            out[k].name =
                na ? to_str(c, parts_value(c, na->child)) : (ks_str){n->name, n->name_len};
            out[k].value = parts_value(c, content_of(n));
        }
        k++;
    }
    return k;
}

ks_status ks_evtx_record_event(const ks_evtx_record *rec, ks_event *ev)
{
    ks_evtx_cursor *c = rec->cursor;
    memset(ev, 0, sizeof *ev);
    ev->offset = rec->offset;
    ev->record_id = rec->record_id;
    ev->time_ns = rec->written_ns;
    const ks_xnode *root = ks_evtx_record_root(rec);
    while (root && root->kind != KS_X_ELEMENT) root = root->next;
    if (!root) return KS_ERR_FORMAT;
    const ks_xnode *data = NULL, *user = NULL;
    for (const ks_xnode *n = content_of(root); n; n = n->next) {
        if (n->kind != KS_X_ELEMENT) continue;
        if (IS(n, "System"))
            system_fields(c, n, ev);
        else if (IS(n, "EventData"))
            data = n;
        else if (IS(n, "UserData"))
            user = n;
    }
    /* UserData holds one element named after the event; its children are the fields */
    const ks_xnode *payload = user ? content_of(user) : NULL;
    while (payload && payload->kind != KS_X_ELEMENT) payload = payload->next;
    size_t count = 0;
    if (data) count += data_fields(c, data, NULL, 0);
    if (payload) count += leaves(c, content_of(payload), NULL, 0, 0, 0);
    if (!count) return KS_OK;
    ks_field *f = ks_arena_alloc(&c->rec_arena, sizeof *f * count);
    if (!f) return KS_ERR_NOMEM;
    size_t k = 0;
    if (data) k += data_fields(c, data, f, count);
    if (payload) k = leaves(c, content_of(payload), f, count, k, 0);
    ev->fields = f;
    ev->nfields = k < count ? k : count;
    return KS_OK;
}

const ks_field *ks_event_field(const ks_event *ev, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < ev->nfields; i++)
        if (ev->fields[i].name.len == n && memcmp(ev->fields[i].name.p, name, n) == 0)
            return &ev->fields[i];
    return NULL;
}
