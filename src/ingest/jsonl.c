/* The JSON lines reader: one JSON object per line (also a JSON array of them, and
 * pretty-printed objects spanning lines), in the shapes Windows events are exported
 * in: kensa's and evtx_dump's {"Event":{...}}, kensa's normalized events
 * (`kensa dump --format events`), Winlogbeat / ECS ({"winlog":{...}}) and Wazuh's
 * eventchannel JSON ({"win":{...}}). Each object is told apart by its keys, so a file
 * may mix them. Windows events come out as the EVTX reader gives them (event.c). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
#include "kensa/time.h"
#include "util/json.h"
#include "util/str.h"

#define JSONL_MAX_RECORD (32u << 20) /* bytes one record may span over several lines */
#define JSONL_MAX_DEPTH 64
#define JSONL_EXCERPT 160
#define LEAF_DEPTH 8 /* as event.c flattens UserData */

/* Where each line of the pending text starts: its byte in the text, its offset in the
 * file and its number. */
typedef struct line_at {
    size_t tpos;
    uint64_t offset, lineno;
} line_at;

typedef struct jsonl_state {
    ks_source *src;
    /* the text being read: the current line, or `own` when a record spans lines or a
     * line holds more than one record */
    const char *text;
    size_t tlen, tpos;
    ks_buf own;
    int owned;
    line_at *lines;
    size_t nlines, lines_cap;
    int utf8; /* byte positions in a line are byte offsets in the file */
    int in_array;
    /* bracket depth of the pending record, scanned as lines are added */
    int scanning; /* a record is being completed line by line */
    size_t scan_pos;
    long depth;
    int in_str, esc;
    /* after a malformed record spanning lines: skip lines up to the next record */
    int resync;
    size_t resync_indent;
    ks_buf tmp;
} jsonl_state;

/* ---- building the event -------------------------------------------------------------- */

typedef struct conv {
    ks_source *s;
    jsonl_state *st;
    ks_event *ev;
    ks_field *out; /* NULL while counting */
    size_t cap, k;
} conv;

static void *jalloc(void *ctx, size_t n)
{
    return ks_source_alloc(ctx, n);
}

static const ks_value null_value = {NULL, 0, KS_VT_NULL};

static ks_str keystr(const ks_json *m)
{
    return (ks_str){m->key, m->key_len};
}

static int key_is(const ks_json *m, const char *k)
{
    return ks_str_eq(keystr(m), k);
}

/* Meta members of the evtx_dump shape, not elements. */
static int is_meta(const ks_json *m)
{
    return m->key_len && m->key[0] == '#';
}

/* Append the text of a value: scalars as written, arrays item by item joined with
 * ", " (as ks_value_format joins array values), objects by their "#text". */
static void put_text(ks_buf *b, const ks_json *j, int depth)
{
    if (!j || depth > 8) return;
    switch (j->type) {
    case KS_JSON_ARRAY: {
        int first = 1;
        for (const ks_json *c = j->child; c; c = c->next) {
            if (!first) ks_buf_append(b, ", ", 2);
            first = 0;
            put_text(b, c, depth + 1);
        }
        return;
    }
    case KS_JSON_OBJECT: put_text(b, ks_json_get(j, "#text"), depth + 1); return;
    case KS_JSON_NULL: return;
    default: ks_buf_append(b, j->str, j->len); return;
    }
}

/* A value as text in the per-event arena: arrays joined (see put_text). */
static ks_value joined(conv *c, const ks_json *j)
{
    ks_buf *b = &c->st->tmp;
    ks_buf_reset(b);
    put_text(b, j, 0);
    if (b->failed || b->len > UINT32_MAX) return null_value;
    return ks_str_value(ks_source_str(c->s, b->data ? b->data : "", b->len));
}

/* A value as a field value: text in UTF-8, null as KS_VT_NULL (an empty element). */
static ks_value text_value(conv *c, const ks_json *j)
{
    if (j && j->type == KS_JSON_OBJECT) j = ks_json_get(j, "#text");
    if (!j || j->type == KS_JSON_NULL || j->type == KS_JSON_OBJECT) return null_value;
    if (j->type != KS_JSON_ARRAY) return ks_str_value((ks_str){j->str, j->len});
    return c->out ? joined(c, j) : null_value; /* nothing to join while counting */
}

static ks_str text_str(conv *c, const ks_json *j)
{
    if (j && j->type == KS_JSON_OBJECT) j = ks_json_get(j, "#text");
    if (!j || j->type == KS_JSON_NULL || j->type == KS_JSON_OBJECT) return (ks_str){"", 0};
    if (j->type != KS_JSON_ARRAY) return (ks_str){j->str, j->len};
    ks_value v = joined(c, j);
    return v.data ? (ks_str){(const char *)v.data, v.size} : (ks_str){"", 0};
}

static uint64_t to_u64(const ks_json *j)
{
    uint64_t v = 0;
    if (j && j->type == KS_JSON_OBJECT) j = ks_json_get(j, "#text");
    return ks_json_u64(j, &v) ? v : 0;
}

static int to_time(const ks_json *j, int64_t *ns)
{
    if (j && j->type == KS_JSON_OBJECT) j = ks_json_get(j, "#text");
    if (!j || j->type != KS_JSON_STRING) return 0;
    return ks_time_parse_iso8601(j->str, j->len, ns, NULL);
}

static void add(conv *c, ks_str name, ks_value v)
{
    if (c->out && c->k < c->cap) {
        c->out[c->k].name = name;
        c->out[c->k].value = v;
    }
    c->k++;
}

/* Run fn twice: count the fields, then fill them in the per-event arena. */
static ks_status fields(conv *c, void (*fn)(conv *, const ks_json *), const ks_json *root)
{
    c->out = NULL;
    c->k = 0;
    fn(c, root);
    if (!c->k) return KS_OK;
    size_t count = c->k;
    if (count > SIZE_MAX / sizeof(ks_field)) return KS_ERR_LIMIT;
    ks_field *f = ks_source_alloc(c->s, sizeof *f * count);
    if (!f) return KS_ERR_NOMEM;
    c->out = f;
    c->cap = count;
    c->k = 0;
    fn(c, root);
    c->ev->fields = f;
    c->ev->nfields = c->k < count ? c->k : count;
    return KS_OK;
}

/* ---- kensa dump / evtx_dump: {"Event":{"System":{...},"EventData":{...}}} ------------- */

/* The name of member number `index` (1-based), without the "_N" evtx_dump adds to
 * the N-th repeat of an element name (only when N earlier siblings carry the bare
 * name; the renderer counts repeats among the first 1024 elements only). */
static ks_str element_name(const ks_json *parent, const ks_json *m, size_t index)
{
    ks_str name = keystr(m);
    if (index > 1024) return name;
    size_t i = name.len;
    while (i > 0 && name.p[i - 1] >= '0' && name.p[i - 1] <= '9') i--;
    if (i == name.len || i < 2 || name.p[i - 1] != '_' || name.len - i > 9) return name;
    uint64_t n = 0;
    for (size_t k = i; k < name.len; k++) n = n * 10 + (uint64_t)(name.p[k] - '0');
    size_t base = i - 1;
    uint64_t earlier = 0;
    for (const ks_json *p = parent->child; p && p != m; p = p->next)
        if (p->key_len == base && memcmp(p->key, name.p, base) == 0) earlier++;
    if (earlier && earlier == n) name.len = base;
    return name;
}

static void system_fields(conv *c, const ks_json *sys)
{
    ks_event *ev = c->ev;
    if (!sys || sys->type != KS_JSON_OBJECT) return;
    for (const ks_json *m = sys->child; m; m = m->next) {
        const ks_json *at = m->type == KS_JSON_OBJECT ? ks_json_get(m, "#attributes") : NULL;
        const ks_json *a;
        if (key_is(m, "Provider")) {
            if ((a = ks_json_get(at, "Name"))) ev->provider = text_str(c, a);
            if (!ev->provider.len && (a = ks_json_get(at, "EventSourceName")))
                ev->provider = text_str(c, a);
            if ((a = ks_json_get(at, "Guid"))) ev->provider_guid = text_str(c, a);
        } else if (key_is(m, "EventID")) {
            ev->event_id = (uint32_t)to_u64(m);
            uint64_t q;
            if ((a = ks_json_get(at, "Qualifiers")) && ks_json_u64(a, &q)) {
                ev->qualifiers = (uint16_t)q;
                ev->has_qualifiers = true;
            }
        } else if (key_is(m, "EventRecordID")) {
            uint64_t id;
            const ks_json *t = m->type == KS_JSON_OBJECT ? ks_json_get(m, "#text") : m;
            if (ks_json_u64(t, &id)) ev->record_id = id;
        } else if (key_is(m, "Execution")) {
            ev->process_id = (uint32_t)to_u64(ks_json_get(at, "ProcessID"));
            ev->thread_id = (uint32_t)to_u64(ks_json_get(at, "ThreadID"));
        } else if (key_is(m, "Version")) {
            ev->version = (uint8_t)to_u64(m);
        } else if (key_is(m, "Level")) {
            ev->level = (uint8_t)to_u64(m);
        } else if (key_is(m, "Task")) {
            ev->task = (uint16_t)to_u64(m);
        } else if (key_is(m, "Opcode")) {
            ev->opcode = (uint8_t)to_u64(m);
        } else if (key_is(m, "Keywords")) {
            ev->keywords = to_u64(m);
        } else if (key_is(m, "TimeCreated")) {
            int64_t ns;
            if (to_time(ks_json_get(at, "SystemTime"), &ns)) ev->time_ns = ns;
        } else if (key_is(m, "Channel")) {
            ev->channel = text_str(c, m);
        } else if (key_is(m, "Computer")) {
            ev->host = text_str(c, m);
        } else if (key_is(m, "Security")) {
            if ((a = ks_json_get(at, "UserID"))) ev->user_sid = text_str(c, a);
        }
    }
}

static int has_elements(const ks_json *o)
{
    if (!o || o->type != KS_JSON_OBJECT) return 0;
    for (const ks_json *m = o->child; m; m = m->next)
        if (!is_meta(m)) return 1;
    return 0;
}

/* EventData: "Name": value for each <Data Name=...>; unnamed <Data> elements are
 * "Data": value (one) or "Data": {"#text": [...]} (several), each a field "Data". */
static void eventdata_fields(conv *c, const ks_json *ed)
{
    if (!ed || ed->type != KS_JSON_OBJECT) return;
    size_t index = 0;
    for (const ks_json *m = ed->child; m; m = m->next) {
        if (is_meta(m)) continue;
        index++;
        if (key_is(m, "Data") && m->type == KS_JSON_OBJECT && !ks_json_get(m, "#attributes")) {
            const ks_json *t = ks_json_get(m, "#text");
            if (t && t->type == KS_JSON_ARRAY) {
                for (const ks_json *d = t->child; d; d = d->next)
                    add(c, keystr(m), text_value(c, d));
                continue;
            }
        }
        add(c, element_name(ed, m, index), text_value(c, m));
    }
}

/* UserData: the leaf elements under its one child, flattened in document order. */
static void leaves(conv *c, const ks_json *o, int depth)
{
    size_t index = 0;
    for (const ks_json *m = o->child; m; m = m->next) {
        if (is_meta(m)) continue;
        index++;
        if (has_elements(m) && depth < LEAF_DEPTH)
            leaves(c, m, depth + 1);
        else
            add(c, element_name(o, m, index), text_value(c, m));
    }
}

static void evtx_fields(conv *c, const ks_json *root)
{
    const ks_json *ed = NULL, *ud = NULL;
    for (const ks_json *m = root->child; m; m = m->next) {
        if (!ed && key_is(m, "EventData")) ed = m;
        if (!ud && key_is(m, "UserData")) ud = m;
    }
    eventdata_fields(c, ed);
    if (ud && ud->type == KS_JSON_OBJECT) {
        const ks_json *payload = ud->child;
        while (payload && is_meta(payload)) payload = payload->next;
        if (payload && payload->type == KS_JSON_OBJECT) leaves(c, payload, 0);
    }
}

static ks_status read_evtx(conv *c, const ks_json *root)
{
    system_fields(c, ks_json_get(root, "System"));
    return fields(c, evtx_fields, root);
}

/* ---- kensa's normalized events: {"time":...,"host":...,"fields":{...}} ---------------- */

static void events_fields(conv *c, const ks_json *root)
{
    const ks_json *f = ks_json_get(root, "fields");
    if (!f) return;
    if (f->type == KS_JSON_OBJECT) {
        for (const ks_json *m = f->child; m; m = m->next) add(c, keystr(m), text_value(c, m));
    } else if (f->type == KS_JSON_ARRAY) { /* [{"name":..,"value":..}] or [[name, value]] */
        for (const ks_json *m = f->child; m; m = m->next) {
            const ks_json *n = NULL, *v = NULL;
            if (m->type == KS_JSON_OBJECT) {
                n = ks_json_get(m, "name");
                v = ks_json_get(m, "value");
            } else if (m->type == KS_JSON_ARRAY && m->child) {
                n = m->child;
                v = m->child->next;
            }
            if (ks_json_is_text(n)) add(c, (ks_str){n->str, n->len}, text_value(c, v));
        }
    }
}

static ks_status read_events(conv *c, const ks_json *root)
{
    ks_event *ev = c->ev;
    ks_semantic *sem = &ev->sem;
    /* the text columns, by their key */
    static const char *const keys[] = {
        "host",           "channel", "provider", "provider_guid", "user_sid", "user",
        "domain",         "src_ip",  "src_host", "status",        "process",  "command_line",
        "parent_process", "service", "share",    "country",       "session",  "action"};
    ks_str *const slots[] = {
        &ev->host,     &ev->channel,       &ev->provider,        &ev->provider_guid, &ev->user_sid,
        &sem->user,    &sem->domain,       &sem->src_ip,         &sem->src_host,     &sem->status,
        &sem->process, &sem->command_line, &sem->parent_process, &sem->service,      &sem->share,
        &sem->country, &sem->session,      &sem->action};
    _Static_assert(sizeof keys / sizeof keys[0] == sizeof slots / sizeof slots[0],
                   "one slot a key");
    for (const ks_json *m = root->child; m; m = m->next) {
        if (key_is(m, "time")) {
            int64_t ns;
            if (to_time(m, &ns)) ev->time_ns = ns;
            continue;
        }
        if (key_is(m, "event_id"))
            ev->event_id = (uint32_t)to_u64(m);
        else if (key_is(m, "record_id"))
            ev->record_id = to_u64(m);
        else if (key_is(m, "level"))
            ev->level = (uint8_t)to_u64(m);
        else if (key_is(m, "version"))
            ev->version = (uint8_t)to_u64(m);
        else if (key_is(m, "task"))
            ev->task = (uint16_t)to_u64(m);
        else if (key_is(m, "opcode"))
            ev->opcode = (uint8_t)to_u64(m);
        else if (key_is(m, "keywords"))
            ev->keywords = to_u64(m);
        else if (key_is(m, "process_id"))
            ev->process_id = (uint32_t)to_u64(m);
        else if (key_is(m, "thread_id"))
            ev->thread_id = (uint32_t)to_u64(m);
        else if (key_is(m, "qualifiers") && ks_json_is_text(m)) {
            ev->qualifiers = (uint16_t)to_u64(m);
            ev->has_qualifiers = true;
        } else if (key_is(m, "logon_type")) {
            uint64_t t;
            if (ks_json_u64(m, &t) && t < 1000) sem->logon_type = (int)t;
        } else if (key_is(m, "outcome") && m->type == KS_JSON_STRING) {
            if (m->len == 7 && !memcmp(m->str, "success", 7)) sem->outcome = KS_OUTCOME_SUCCESS;
            if (m->len == 7 && !memcmp(m->str, "failure", 7)) sem->outcome = KS_OUTCOME_FAILURE;
        } else if (ks_json_is_text(m)) {
            for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
                if (key_is(m, keys[i])) {
                    *slots[i] = (ks_str){m->str, m->len};
                    break;
                }
        }
    }
    return fields(c, events_fields, root);
}

/* ---- Winlogbeat / ECS: {"@timestamp":..,"winlog":{...},"host":{"name":..}} ------------- */

/* A member by a dotted path, nested ({"winlog":{"channel":..}}) or flattened
 * ({"winlog.channel":..}), or both mixed. */
static const ks_json *ecs_get(const ks_json *o, const char *path, int depth)
{
    if (!o || o->type != KS_JSON_OBJECT || depth > 6) return NULL;
    const ks_json *j = ks_json_get(o, path);
    if (j) return j;
    for (const char *dot = strchr(path, '.'); dot; dot = strchr(dot + 1, '.')) {
        const ks_json *head = ks_json_getn(o, path, (size_t)(dot - path));
        if (head && (j = ecs_get(head, dot + 1, depth + 1))) return j;
    }
    return NULL;
}

static uint8_t level_of_name(const ks_json *j)
{
    static const struct {
        const char *name;
        uint8_t level;
    } names[] = {
        {"critical", 1},
        {"error", 2},
        {"warning", 3},
        {"information", 4},
        {"info", 4},
        {"verbose", 5},
        {"\xe9\x87\x8d\xe5\xa4\xa7", 1},
        {"\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc", 2},
        {"\xe8\xad\xa6\xe5\x91\x8a", 3},
        {"\xe6\x83\x85\xe5\xa0\xb1", 4},
        {"\xe8\xa9\xb3\xe7\xb4\xb0", 5},
    }; /* 重大 エラー 警告 情報 詳細: Japanese Windows' level names */
    uint64_t v;
    if (ks_json_u64(j, &v)) return (uint8_t)v;
    if (!j || j->type != KS_JSON_STRING) return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].name);
        if (j->len != n) continue;
        size_t k = 0;
        while (k < n && (j->str[k] | 0x20) == (names[i].name[k] | 0x20)) k++;
        if (k == n) return names[i].level;
    }
    return 0;
}

/* Winlogbeat writes the keywords' names; the audit ones give the bits back. */
static uint64_t keywords_of_names(const ks_json *j)
{
    uint64_t v = 0;
    if (ks_json_u64(j, &v)) return v;
    if (!j || j->type != KS_JSON_ARRAY) return 0;
    for (const ks_json *k = j->child; k; k = k->next) {
        if (k->type != KS_JSON_STRING) continue;
        ks_str s = {k->str, k->len};
        if ((s.len == 13 && !memcmp(s.p, "Audit Success", 13)) ||
            (s.len == 15 &&
             !memcmp(s.p, "\xe6\x88\x90\xe5\x8a\x9f\xe3\x81\xae\xe7\x9b\xa3\xe6\x9f\xbb", 15)))
            v |= UINT64_C(0x8020000000000000); /* 成功の監査 */
        else if ((s.len == 13 && !memcmp(s.p, "Audit Failure", 13)) ||
                 (s.len == 15 &&
                  !memcmp(s.p, "\xe5\xa4\xb1\xe6\x95\x97\xe3\x81\xae\xe7\x9b\xa3\xe6\x9f\xbb", 15)))
            v |= UINT64_C(0x8010000000000000); /* 失敗の監査 */
        else if (s.len == 7 && !memcmp(s.p, "Classic", 7))
            v |= UINT64_C(0x80000000000000);
    }
    return v;
}

static void ecs_fields(conv *c, const ks_json *root)
{
    const ks_json *ed = ecs_get(root, "winlog.event_data", 0);
    if (ed && ed->type == KS_JSON_OBJECT)
        for (const ks_json *m = ed->child; m; m = m->next) add(c, keystr(m), text_value(c, m));
    const ks_json *ud = ecs_get(root, "winlog.user_data", 0);
    if (ud && ud->type == KS_JSON_OBJECT)
        for (const ks_json *m = ud->child; m; m = m->next) {
            if (key_is(m, "xml_name")) continue; /* Winlogbeat's name of the payload */
            if (has_elements(m))
                leaves(c, m, 1);
            else
                add(c, keystr(m), text_value(c, m));
        }
    /* flattened documents: "winlog.event_data.Name": value */
    static const char pre[] = "winlog.event_data.";
    for (const ks_json *m = root->child; m; m = m->next)
        if (m->key_len > sizeof pre - 1 && !memcmp(m->key, pre, sizeof pre - 1))
            add(c, (ks_str){m->key + sizeof pre - 1, m->key_len - (sizeof pre - 1)},
                text_value(c, m));
}

static ks_status read_ecs(conv *c, const ks_json *root)
{
    ks_event *ev = c->ev;
    const ks_json *j;
    ev->provider = text_str(c, ecs_get(root, "winlog.provider_name", 0));
    if (!ev->provider.len) ev->provider = text_str(c, ecs_get(root, "event.provider", 0));
    ev->provider_guid = text_str(c, ecs_get(root, "winlog.provider_guid", 0));
    ev->channel = text_str(c, ecs_get(root, "winlog.channel", 0));
    ev->host = text_str(c, ecs_get(root, "winlog.computer_name", 0));
    if (!ev->host.len) ev->host = text_str(c, ecs_get(root, "host.name", 0));
    if (!ev->host.len) ev->host = text_str(c, ecs_get(root, "host.hostname", 0));
    if (!ev->host.len) ev->host = text_str(c, ecs_get(root, "agent.hostname", 0));
    ev->user_sid = text_str(c, ecs_get(root, "winlog.user.identifier", 0));
    if ((j = ecs_get(root, "winlog.event_id", 0)) || (j = ecs_get(root, "event.code", 0)))
        ev->event_id = (uint32_t)to_u64(j);
    ev->record_id = to_u64(ecs_get(root, "winlog.record_id", 0));
    ev->version = (uint8_t)to_u64(ecs_get(root, "winlog.version", 0));
    /* task and opcode are written as their names by Winlogbeat; numbers only if given */
    ev->task = (uint16_t)to_u64(ecs_get(root, "winlog.task", 0));
    ev->opcode = (uint8_t)to_u64(ecs_get(root, "winlog.opcode", 0));
    ev->keywords = keywords_of_names(ecs_get(root, "winlog.keywords", 0));
    ev->process_id = (uint32_t)to_u64(ecs_get(root, "winlog.process.pid", 0));
    ev->thread_id = (uint32_t)to_u64(ecs_get(root, "winlog.process.thread.id", 0));
    if (!(j = ecs_get(root, "winlog.level", 0))) j = ecs_get(root, "log.level", 0);
    ev->level = level_of_name(j);
    int64_t ns;
    if (to_time(ecs_get(root, "@timestamp", 0), &ns) ||
        to_time(ecs_get(root, "winlog.time_created", 0), &ns) ||
        to_time(ecs_get(root, "event.created", 0), &ns))
        ev->time_ns = ns;
    return fields(c, ecs_fields, root);
}

/* ---- Wazuh eventchannel: {"win":{"system":{...},"eventdata":{...}}} ------------------- */

/* Wazuh lower-cases the first letter of every name; Windows' names start upper case,
 * except the unnamed-parameter names of classic providers ("param1"). */
static ks_str wazuh_name(conv *c, ks_str k)
{
    if (!k.len || k.p[0] < 'a' || k.p[0] > 'z') return k;
    if (k.len > 5 && !memcmp(k.p, "param", 5)) {
        size_t i = 5;
        while (i < k.len && k.p[i] >= '0' && k.p[i] <= '9') i++;
        if (i == k.len) return k;
    }
    if (!c->out) return k; /* counting */
    char *d = ks_source_alloc(c->s, k.len + 1);
    if (!d) return k;
    memcpy(d, k.p, k.len);
    d[0] = (char)(d[0] - 'a' + 'A');
    d[k.len] = 0;
    return (ks_str){d, k.len};
}

static const ks_json *wazuh_win(const ks_json *root)
{
    const ks_json *w = ks_json_get(root, "win");
    if (!w) w = ks_json_path(root, "data.win"); /* alerts.json, archives.json */
    return w && w->type == KS_JSON_OBJECT ? w : NULL;
}

static void wazuh_fields(conv *c, const ks_json *root)
{
    const ks_json *w = wazuh_win(root);
    const ks_json *ed = ks_json_get(w, "eventdata");
    if (ed && ed->type == KS_JSON_OBJECT) {
        /* names Wazuh adds: category and subcategory (from categoryId, subcategoryId)
         * and auditPolicyChanges (as words; the original is auditPolicyChangesId) */
        int cat = ks_json_get(ed, "categoryId") && ks_json_get(ed, "subcategoryId");
        int apc = ks_json_get(ed, "auditPolicyChangesId") != NULL;
        for (const ks_json *m = ed->child; m; m = m->next) {
            if (cat && (key_is(m, "category") || key_is(m, "subcategory"))) continue;
            if (apc && key_is(m, "auditPolicyChanges")) continue;
            ks_str name = key_is(m, "auditPolicyChangesId") ? (ks_str){"AuditPolicyChanges", 18}
                                                            : wazuh_name(c, keystr(m));
            add(c, name, text_value(c, m));
        }
    }
    /* UserData: Wazuh names its payload element after the event ("logFileCleared") */
    for (const ks_json *p = w ? w->child : NULL; p; p = p->next) {
        if (key_is(p, "system") || key_is(p, "eventdata") || p->type != KS_JSON_OBJECT) continue;
        for (const ks_json *m = p->child; m; m = m->next)
            add(c, wazuh_name(c, keystr(m)), text_value(c, m));
    }
}

static ks_status read_wazuh(conv *c, const ks_json *root)
{
    ks_event *ev = c->ev;
    const ks_json *sys = ks_json_get(wazuh_win(root), "system");
    const ks_json *j;
    ev->provider = text_str(c, ks_json_get(sys, "providerName"));
    if (!ev->provider.len) ev->provider = text_str(c, ks_json_get(sys, "eventSourceName"));
    ev->provider_guid = text_str(c, ks_json_get(sys, "providerGuid"));
    ev->channel = text_str(c, ks_json_get(sys, "channel"));
    ev->host = text_str(c, ks_json_get(sys, "computer"));
    if (!(j = ks_json_get(sys, "securityUserID"))) j = ks_json_get(sys, "userID");
    ev->user_sid = text_str(c, j);
    ev->event_id = (uint32_t)to_u64(ks_json_get(sys, "eventID"));
    ev->record_id = to_u64(ks_json_get(sys, "eventRecordID"));
    ev->version = (uint8_t)to_u64(ks_json_get(sys, "version"));
    ev->level = (uint8_t)to_u64(ks_json_get(sys, "level"));
    ev->task = (uint16_t)to_u64(ks_json_get(sys, "task"));
    ev->opcode = (uint8_t)to_u64(ks_json_get(sys, "opcode"));
    ev->keywords = to_u64(ks_json_get(sys, "keywords"));
    ev->process_id = (uint32_t)to_u64(ks_json_get(sys, "processID"));
    ev->thread_id = (uint32_t)to_u64(ks_json_get(sys, "threadID"));
    int64_t ns;
    if (to_time(ks_json_get(sys, "systemTime"), &ns)) ev->time_ns = ns;
    return fields(c, wazuh_fields, root);
}

/* ---- shapes ------------------------------------------------------------------------- */

typedef enum shape { SHAPE_NONE, SHAPE_EVTX, SHAPE_EVENTS, SHAPE_ECS, SHAPE_WAZUH } shape;

/* Which shape an object is, and the object to read (the "Event" element, or the
 * document inside an Elasticsearch hit's "_source"). */
static shape shape_of(const ks_json *o, const ks_json **root, int depth)
{
    *root = o;
    const ks_json *src = ks_json_get(o, "_source");
    if (src && src->type == KS_JSON_OBJECT && depth < 2) return shape_of(src, root, depth + 1);
    const ks_json *j = ks_json_get(o, "Event");
    if (j && j->type == KS_JSON_OBJECT) {
        *root = j;
        return SHAPE_EVTX;
    }
    if (wazuh_win(o) && ks_json_get(wazuh_win(o), "system")) return SHAPE_WAZUH;
    if (ecs_get(o, "winlog", 0)) return SHAPE_ECS;
    for (const ks_json *m = o->child; m; m = m->next)
        if (m->key_len > 7 && !memcmp(m->key, "winlog.", 7)) return SHAPE_ECS;
    if (ks_json_get(o, "time") &&
        (ks_json_get(o, "event_id") || ks_json_get(o, "fields") || ks_json_get(o, "provider")))
        return SHAPE_EVENTS;
    /* an evtx_dump document whose root element is not called Event */
    if (o->count == 1 && o->child->type == KS_JSON_OBJECT && ks_json_get(o->child, "System")) {
        *root = o->child;
        return SHAPE_EVTX;
    }
    return SHAPE_NONE;
}

/* ---- text and lines ----------------------------------------------------------------- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The line holding text position p: its entry. */
static const line_at *line_of(const jsonl_state *st, size_t p)
{
    size_t lo = 0, hi = st->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->lines[mid].tpos <= p)
            lo = mid;
        else
            hi = mid;
    }
    return &st->lines[lo];
}

static uint64_t offset_of(const jsonl_state *st, size_t p)
{
    const line_at *l = line_of(st, p);
    return l->offset + (st->utf8 ? p - l->tpos : 0);
}

static int push_line(jsonl_state *st, size_t tpos, const ks_line *ln)
{
    if (st->nlines == st->lines_cap) {
        size_t cap = st->lines_cap ? st->lines_cap * 2 : 16;
        line_at *l = realloc(st->lines, cap * sizeof *l);
        if (!l) return 0;
        st->lines = l;
        st->lines_cap = cap;
    }
    st->lines[st->nlines++] = (line_at){tpos, ln->offset, ln->lineno};
    return 1;
}

/* Make the pending text (from tpos) our own copy, at the start of `own`. */
static int own_text(jsonl_state *st)
{
    size_t keep = st->tlen - st->tpos;
    /* the line entries: the one holding tpos becomes the first */
    const line_at *first = line_of(st, st->tpos);
    size_t skip = (size_t)(first - st->lines);
    uint64_t shift = st->utf8 ? st->tpos - first->tpos : 0;
    if (st->owned) {
        memmove(st->own.data, st->own.data + st->tpos, keep);
        st->own.len = keep;
    } else {
        ks_buf_reset(&st->own);
        ks_buf_append(&st->own, st->text + st->tpos, keep);
        if (st->own.failed) return 0;
    }
    memmove(st->lines, st->lines + skip, (st->nlines - skip) * sizeof *st->lines);
    st->nlines -= skip;
    for (size_t i = 0; i < st->nlines; i++)
        st->lines[i].tpos = st->lines[i].tpos > st->tpos ? st->lines[i].tpos - st->tpos : 0;
    st->lines[0].offset += shift;
    st->scan_pos = st->scan_pos > st->tpos ? st->scan_pos - st->tpos : 0;
    st->owned = 1;
    st->text = st->own.data ? st->own.data : "";
    st->tlen = keep;
    st->tpos = 0;
    return 1;
}

/* The next line as the whole text. false at the end of the file. */
static bool fresh_line(jsonl_state *st, ks_line *ln)
{
    if (!ks_source_line(st->src, ln)) return false;
    st->text = ln->p;
    st->tlen = ln->len;
    st->tpos = 0;
    st->owned = 0;
    st->nlines = 0;
    push_line(st, 0, ln);
    st->scan_pos = 0;
    st->scanning = 0;
    return true;
}

/* Scan the pending record's brackets up to the end of the text; true when they are
 * balanced (the record may be complete). */
static int scan_balanced(jsonl_state *st)
{
    for (size_t i = st->scan_pos; i < st->tlen; i++) {
        char ch = st->text[i];
        if (st->in_str) {
            if (st->esc)
                st->esc = 0;
            else if (ch == '\\')
                st->esc = 1;
            else if (ch == '"')
                st->in_str = 0;
        } else if (ch == '"') {
            st->in_str = 1;
        } else if (ch == '{' || ch == '[') {
            st->depth++;
        } else if (ch == '}' || ch == ']') {
            st->depth--;
        }
    }
    st->scan_pos = st->tlen;
    return st->depth <= 0 && !st->in_str;
}

static void report(jsonl_state *st, ks_severity sev, ks_status status, size_t at, const char *what,
                   const char *detail)
{
    const line_at *l = line_of(st, at);
    size_t start = l->tpos; /* the excerpt: the line from its start */
    const char *p = st->text + start;
    size_t n = st->tlen - start;
    const char *nl = memchr(p, '\n', n);
    if (nl) n = (size_t)(nl - p);
    if (n > JSONL_EXCERPT) {
        n = JSONL_EXCERPT;
        while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80) n--; /* whole characters */
    }
    ks_source_report(st->src, sev, status, offset_of(st, at), l->lineno, p, n, "%s%s%s", what,
                     detail && *detail ? ": " : "", detail ? detail : "");
}

/* "Record 12" header lines of evtx_dump's pretty output */
static int is_record_header(const char *p, size_t n)
{
    if (n < 8 || memcmp(p, "Record ", 7) != 0) return 0;
    size_t i = 7;
    while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    while (i < n && is_ws(p[i])) i++;
    return i == n && p[7] >= '0' && p[7] <= '9';
}

/* ---- the reader --------------------------------------------------------------------- */

static int jsonl_sniff(const char *head, size_t n)
{
    size_t i = 0;
    while (i < n && is_ws(head[i])) i++;
    if (i < n) {
        const char *nl = memchr(head + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (head + i)) : n - i;
        if (is_record_header(head + i, len)) { /* evtx_dump -o json */
            i += len;
            while (i < n && is_ws(head[i])) i++;
            return i < n && head[i] == '{' ? 85 : 0;
        }
    }
    if (i >= n || (head[i] != '{' && head[i] != '[')) return 0;
    const char *nl = memchr(head + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (head + i)) : n - i;
    ks_json_opts o = {.max_depth = JSONL_MAX_DEPTH};
    ks_status st = ks_json_parse(head + i, len, &o, NULL, NULL, NULL);
    if (st == KS_OK) return head[i] == '{' ? 95 : 90;
    if (st == KS_ERR_TRUNCATED || st == KS_ERR_LIMIT) {
        /* a long line cut by the head, or pretty-printed JSON: an object must follow */
        size_t k = i + 1;
        while (k < n && is_ws(head[k])) k++;
        if (head[i] == '[' && k < n && head[k] == '{') return 85;
        if (head[i] == '{' && (k >= n || head[k] == '"' || head[k] == '}')) return 85;
    }
    return 0;
}

static ks_status jsonl_open(ks_source *s, void **state, ks_diag *diag)
{
    jsonl_state *st = calloc(1, sizeof *st);
    if (!st) return ks_diag_set(diag, KS_ERR_NOMEM, ks_source_path(s), 0, "out of memory");
    st->src = s;
    st->text = "";
    st->lines = malloc(16 * sizeof *st->lines); /* so that the first line always fits */
    if (!st->lines) {
        free(st);
        return ks_diag_set(diag, KS_ERR_NOMEM, ks_source_path(s), 0, "out of memory");
    }
    st->lines_cap = 16;
    ks_encoding e = ks_source_encoding(s);
    st->utf8 = e == KS_ENC_UTF8 || e == KS_ENC_AUTO;
    *state = st;
    return KS_OK;
}

static void jsonl_close(void *state)
{
    jsonl_state *st = state;
    if (!st) return;
    ks_buf_free(&st->own);
    ks_buf_free(&st->tmp);
    free(st->lines);
    free(st);
}

/* Read the object at text position `at` (parsed as `o`) into ev. */
static ks_status convert(jsonl_state *st, const ks_json *o, size_t at, ks_event *ev, int *ok)
{
    *ok = 0;
    if (o->type != KS_JSON_OBJECT) {
        report(st, KS_SEV_ERROR, KS_ERR_FORMAT, at, "not an event",
               "a JSON value that is not an object");
        return KS_OK;
    }
    const ks_json *root;
    conv c = {.s = st->src, .st = st, .ev = ev};
    ks_status r;
    switch (shape_of(o, &root, 0)) {
    case SHAPE_EVTX: r = read_evtx(&c, root); break;
    case SHAPE_EVENTS: r = read_events(&c, root); break;
    case SHAPE_ECS: r = read_ecs(&c, root); break;
    case SHAPE_WAZUH: r = read_wazuh(&c, root); break;
    default:
        report(st, KS_SEV_ERROR, KS_ERR_UNSUPPORTED, at, "not an event",
               "a JSON object of no known event shape (Event, winlog, win, time)");
        return KS_OK;
    }
    if (r != KS_OK) {
        report(st, KS_SEV_ERROR, r, at, "event too large", ks_status_str(r));
        memset(ev, 0, sizeof *ev);
        ev->sem.logon_type = -1;
        return KS_OK;
    }
    ev->offset = offset_of(st, at);
    *ok = 1;
    return KS_OK;
}

static ks_status jsonl_next(ks_source *s, void *state, ks_event *ev, bool *got)
{
    jsonl_state *st = state;
    *got = false;
    ks_line ln;
    for (;;) {
        /* skip white space (and, inside an array, the commas between items) */
        while (st->tpos < st->tlen &&
               (is_ws(st->text[st->tpos]) || (st->in_array && st->text[st->tpos] == ',')))
            st->tpos++;
        if (st->tpos >= st->tlen) {
            if (!fresh_line(st, &ln)) {
                if (st->in_array)
                    ks_source_report(s, KS_SEV_WARNING, KS_ERR_TRUNCATED, 0, 0, NULL, 0,
                                     "a JSON array of events is not closed at the end");
                st->in_array = 0;
                return KS_OK;
            }
            size_t k = 0;
            while (k < ln.len && is_ws(ln.p[k])) k++;
            if (st->resync) {
                /* after a malformed record spanning lines: its remaining lines */
                char c0 = k < ln.len ? ln.p[k] : 0;
                if (k < ln.len && k <= st->resync_indent && (c0 == '{' || c0 == '[' || c0 == ']')) {
                    st->resync = 0;
                } else {
                    ks_source_count_ignored(s);
                    st->tpos = st->tlen;
                    continue;
                }
            }
            if (k == ln.len) {
                ks_source_count_ignored(s);
                continue;
            }
            if (is_record_header(ln.p + k, ln.len - k)) {
                ks_source_count_ignored(s);
                st->tpos = st->tlen;
                continue;
            }
            continue;
        }
        char c = st->text[st->tpos];
        if (st->in_array && c == ']') {
            st->in_array = 0;
            st->tpos++;
            continue;
        }
        if (!st->in_array && c == '[') {
            /* an array of events: read its items one by one */
            size_t k = st->tpos + 1;
            while (k < st->tlen && is_ws(st->text[k])) k++;
            if (k >= st->tlen || st->text[k] == '{' || st->text[k] == ']') {
                st->in_array = 1;
                st->tpos++;
                continue;
            }
        }
        if (c != '{') {
            report(st, KS_SEV_ERROR, KS_ERR_FORMAT, st->tpos, "not a JSON object", NULL);
            /* skip the rest of this line */
            const char *nl = memchr(st->text + st->tpos, '\n', st->tlen - st->tpos);
            st->tpos = nl ? (size_t)(nl - st->text) : st->tlen;
            continue;
        }
        size_t at = st->tpos;
        ks_json_opts o = {.alloc = jalloc,
                          .ctx = s,
                          .max_depth = JSONL_MAX_DEPTH,
                          .drop_nul = true,
                          .allow_trailing = true};
        const ks_json *doc;
        size_t used;
        ks_diag d;
        ks_status r = ks_json_parse(st->text + at, st->tlen - at, &o, &doc, &used, &d);
        if (r != KS_ERR_TRUNCATED) st->scanning = 0;
        if (r == KS_OK) {
            st->tpos = at + used;
            int ok;
            ks_status cr = convert(st, doc, at, ev, &ok);
            if (cr != KS_OK) return cr;
            if (!ok) continue;
            /* what is left of the line must survive the next ks_source_line */
            size_t k = st->tpos;
            while (k < st->tlen && is_ws(st->text[k])) k++;
            if (k < st->tlen && !st->owned && !own_text(st)) return KS_ERR_NOMEM;
            *got = true;
            return KS_OK;
        }
        if (r == KS_ERR_TRUNCATED) {
            /* the record goes on in the next line(s) */
            if (!st->scanning) {
                st->scanning = 1;
                st->scan_pos = at;
                st->depth = 0;
                st->in_str = st->esc = 0;
            }
            size_t indent = at - line_of(st, at)->tpos;
            /* our own copy first: reading a line may overwrite the one we hold */
            st->tpos = at;
            if (!own_text(st)) return KS_ERR_NOMEM;
            at = 0;
            int closed = 0;
            while (!closed) {
                if (st->tlen - at > JSONL_MAX_RECORD) {
                    report(st, KS_SEV_ERROR, KS_ERR_LIMIT, at, "JSON record too long",
                           "over 32 MiB without its end");
                    st->tpos = st->tlen;
                    st->resync = 1;
                    st->resync_indent = indent;
                    st->scanning = 0;
                    break;
                }
                if (!ks_source_line(s, &ln)) {
                    report(st, KS_SEV_ERROR, KS_ERR_TRUNCATED, at, "JSON record cut off",
                           "the file ends inside it");
                    st->tpos = st->tlen;
                    st->scanning = 0;
                    break;
                }
                /* a line starting a new record at the left margin: this one was cut */
                if (ln.len && (ln.p[0] == '{' || ln.p[0] == '[') && indent == 0) {
                    report(st, KS_SEV_ERROR, KS_ERR_TRUNCATED, at, "JSON record cut off",
                           "a new record starts before its end");
                    ks_source_unread_line(s);
                    st->tpos = st->tlen;
                    st->scanning = 0;
                    break;
                }
                size_t lpos = st->own.len + 1;
                ks_buf_putc(&st->own, '\n');
                ks_buf_append(&st->own, ln.p, ln.len);
                if (st->own.failed || !push_line(st, lpos, &ln)) return KS_ERR_NOMEM;
                st->text = st->own.data;
                st->tlen = st->own.len;
                closed = scan_balanced(st);
            }
            continue;
        }
        /* bad JSON: report, then skip the line (or the record's remaining lines) */
        report(st, KS_SEV_ERROR, r, at,
               r == KS_ERR_FORMAT ? "not valid JSON" : "JSON record beyond the reader's limits",
               d.what);
        int multi = line_of(st, at) != line_of(st, st->tlen ? st->tlen - 1 : 0);
        st->tpos = st->tlen;
        if (multi || st->in_array) {
            st->resync = 1;
            st->resync_indent = at - line_of(st, at)->tpos;
        }
    }
}

const ks_reader_ops ks_reader_jsonl = {
    .format = KS_FORMAT_JSONL,
    .sniff = jsonl_sniff,
    .open = jsonl_open,
    .next = jsonl_next,
    .close = jsonl_close,
};
