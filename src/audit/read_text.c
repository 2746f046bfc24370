/* The readers of plain tool outputs for the readiness audit: wevtutil gl CHANNEL,
 * net localgroup administrators (English and Japanese), Get-SmbServerConfiguration
 * (Format-List text or ConvertTo-Json) and Get-HotFix (table text or ConvertTo-Json).
 * Text arrives decoded to UTF-8; a cut-short or malformed output gives a located
 * problem and whatever could still be read. */
#include <stdio.h>
#include <string.h>

#include "audit/audit_int.h"
#include "util/json.h"
#include "util/str.h"

/* ---- wevtutil gl --------------------------------------------------------------- */

/* A channel ends: without its maxSize the output was cut (or the channel not read). */
static void channel_end(ks_audit_rd *rd, ks_str channel, bool max_size, unsigned line)
{
    if (channel.p && !max_size)
        ks_audit_problem(rd, line, "no maxSize for channel %.*s (cut short?)",
                         KS_AUDIT_EXCERPT(channel));
}

void ks_audit_read_wevtutil(ks_audit_rd *rd, const char *text, size_t n)
{
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln, channel = {NULL, 0};
    bool max_size = false;
    while (ks_audit_line(&it, &ln)) {
        ks_str t = ks_audit_trim(ln);
        if (!t.len) continue;
        if (ks_audit_line_cut(rd, &it, t)) break;
        long colon = ks_str_find(t, ":");
        if (colon <= 0) {
            ks_audit_problem(rd, it.lineno, "expected \"key: value\": %.*s", KS_AUDIT_EXCERPT(t));
            continue;
        }
        ks_str key = ks_audit_trim((ks_str){t.p, (size_t)colon});
        ks_str val = ks_audit_trim(ks_str_skip(t, (size_t)colon + 1));
        bool top = ln.len && ln.p[0] != ' ' && ln.p[0] != '\t';
        if (top && ks_str_eq(key, "name")) {
            channel_end(rd, channel, max_size, it.lineno);
            channel = val, max_size = false;
        }
        if (!channel.p) {
            ks_audit_problem(rd, it.lineno, "setting before the channel's \"name:\" line");
            continue;
        }
        max_size |= ks_str_eq(key, "maxSize");
        ks_buf_reset(&rd->key);
        ks_buf_puts(&rd->key, "wevtutil:");
        ks_buf_append(&rd->key, channel.p, channel.len);
        ks_buf_putc(&rd->key, ':');
        ks_buf_append(&rd->key, key.p, key.len);
        ks_audit_fact_addk(rd, val.p, val.len, it.lineno);
    }
    if (!channel.p && !rd->h->pub.exports[rd->ex].nproblems)
        ks_audit_problem(rd, it.lineno, "no \"name:\" line");
    channel_end(rd, channel, max_size, it.lineno);
}

/* ---- net localgroup ------------------------------------------------------------ */

static bool any_prefix(ks_str s, const char *const *z)
{
    for (; *z; z++)
        if (ks_str_has_prefix(s, *z)) return true;
    return false;
}

void ks_audit_read_localgroup(ks_audit_rd *rd, const char *text, size_t n)
{
    static const char *const alias[] = {"Alias name", "エイリアス名", NULL};
    static const char *const members[] = {"Members", "メンバー", NULL};
    static const char *const done[] = {"The command completed successfully",
                                       "コマンドは正常に終了しました", NULL};
    static const char *const error[] = {"System error", "システム エラー", "Access is denied",
                                        "アクセスが拒否されました", NULL};
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln, group = ks_str_of("administrators");
    bool seen_members = false, in_list = false, finished = false;
    while (ks_audit_line(&it, &ln)) {
        ln = ks_audit_trim(ln);
        if (!ln.len) continue;
        if (ks_audit_line_cut(rd, &it, ln)) break;
        if (any_prefix(ln, error)) {
            ks_audit_problem(rd, it.lineno, "the command failed: %.*s", KS_AUDIT_EXCERPT(ln));
            continue;
        }
        if (any_prefix(ln, done)) {
            finished = true;
            break;
        }
        if (in_list) {
            ks_buf_reset(&rd->key);
            ks_buf_puts(&rd->key, "localgroup:");
            ks_buf_append(&rd->key, group.p, group.len);
            ks_audit_fact_addk(rd, ln.p, ln.len, it.lineno);
            continue;
        }
        if (any_prefix(ln, alias)) {
            ks_str g = ks_audit_trim(ks_str_skip(ln, ks_str_has_prefix(ln, "Alias name")
                                                         ? strlen("Alias name")
                                                         : strlen("エイリアス名")));
            if (g.len) group = g;
        } else if (ks_str_eq(ln, members[0]) || ks_str_eq(ln, members[1])) {
            seen_members = true;
        } else if (ln.len >= 10 && ks_str_until(ln, "-").len == 0 &&
                   ks_str_trim(ln, "-").len == 0) {
            in_list = true;
        }
    }
    if (!in_list)
        ks_audit_problem(rd, it.lineno, "no member list%s (cut short?)",
                         seen_members ? " after \"Members\"" : "");
    else if (!finished)
        ks_audit_problem(rd, it.lineno,
                         "the list ends before \"The command completed successfully.\" "
                         "(cut short?)");
}

/* ---- JSON ---------------------------------------------------------------------- */

static void *arena_alloc(void *ctx, size_t n)
{
    return ks_arena_alloc(ctx, n);
}

/* The 1-based line of byte offset off in text. */
static unsigned line_of(const char *text, size_t n, uint64_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < n && i < off; i++) line += text[i] == '\n';
    return line;
}

/* Is the text JSON (its first character a brace or a bracket)? */
static bool looks_json(const char *text, size_t n)
{
    ks_str t = ks_audit_trim((ks_str){text, n});
    while (t.len && (t.p[0] == '\n' || t.p[0] == '\r')) t = ks_audit_trim(ks_str_skip(t, 1));
    return t.len && (t.p[0] == '{' || t.p[0] == '[');
}

/* Parse text as JSON into a tree in *arena; on failure a located problem and NULL. */
static const ks_json *parse_json(ks_audit_rd *rd, ks_arena *arena, const char *text, size_t n)
{
    ks_json_opts o = {.alloc = arena_alloc, .ctx = arena, .max_depth = 32, .max_nodes = 2000000};
    const ks_json *root = NULL;
    ks_diag d = {0};
    ks_status st = ks_json_parse(text, n, &o, &root, NULL, &d);
    if (st == KS_OK) return root;
    ks_audit_problem(rd, line_of(text, n, d.offset), "%s: %s",
                     st == KS_ERR_TRUNCATED ? "the JSON ends early (cut short?)" : "bad JSON",
                     d.what);
    return NULL;
}

/* A JSON scalar as the text Windows PowerShell's own list output would show. */
static ks_str scalar_text(const ks_json *j)
{
    switch (j->type) {
    case KS_JSON_TRUE: return ks_str_of("True");
    case KS_JSON_FALSE: return ks_str_of("False");
    case KS_JSON_NULL: return (ks_str){"", 0};
    case KS_JSON_STRING:
    case KS_JSON_NUMBER: return (ks_str){j->str ? j->str : "", j->len};
    default: return (ks_str){NULL, 0};
    }
}

/* After a parse failure: `"Name": scalar` lines of ConvertTo-Json's output, one per
 * line, read one by one so that a cut-off file still gives what it holds. fn gets
 * each name and value (quotes removed, escapes left as written). */
static void salvage_json(ks_audit_rd *rd, const char *text, size_t n,
                         void (*fn)(ks_audit_rd *rd, ks_str name, ks_str val, unsigned line))
{
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln;
    while (ks_audit_line(&it, &ln)) {
        ln = ks_audit_trim(ln);
        if (it.cut || ln.len < 4 || ln.p[0] != '"') continue;
        ks_str name = ks_str_until(ks_str_skip(ln, 1), "\"");
        ks_str rest = ks_audit_trim(ks_str_skip(ln, name.len + 2));
        if (!ks_str_eat(&rest, ":")) continue;
        rest = ks_audit_trim(rest);
        if (rest.len && rest.p[rest.len - 1] == ',') rest.len--;
        rest = ks_audit_trim(rest);
        if (rest.len >= 2 && rest.p[0] == '"' && rest.p[rest.len - 1] == '"')
            rest = (ks_str){rest.p + 1, rest.len - 2};
        else if (ks_str_eq(rest, "true"))
            rest = ks_str_of("True");
        else if (ks_str_eq(rest, "false"))
            rest = ks_str_of("False");
        else if (ks_str_eq(rest, "null"))
            rest = (ks_str){"", 0};
        else if (!rest.len || rest.p[0] == '{' || rest.p[0] == '[' || rest.p[0] == '"')
            continue;
        fn(rd, name, rest, it.lineno);
    }
}

/* ---- Get-SmbServerConfiguration ------------------------------------------------ */

static void smb_fact(ks_audit_rd *rd, ks_str name, ks_str val, unsigned line)
{
    ks_buf_reset(&rd->key);
    ks_buf_puts(&rd->key, "smb:");
    ks_buf_append(&rd->key, name.p, name.len);
    ks_audit_fact_addk(rd, val.p, val.len, line);
}

static void smb_json(ks_audit_rd *rd, const char *text, size_t n)
{
    ks_arena arena = {.limit = 256u << 20};
    const ks_json *root = parse_json(rd, &arena, text, n);
    if (!root) {
        salvage_json(rd, text, n, smb_fact);
    } else {
        if (root->type == KS_JSON_ARRAY) root = root->child; /* the first server config */
        if (!root || root->type != KS_JSON_OBJECT)
            ks_audit_problem(rd, 1, "expected a JSON object of the server's settings");
        for (const ks_json *m = root && root->type == KS_JSON_OBJECT ? root->child : NULL; m;
             m = m->next) {
            ks_str v = scalar_text(m);
            if (v.p) smb_fact(rd, (ks_str){m->key, m->key_len}, v, 0);
        }
    }
    ks_arena_free(&arena);
}

void ks_audit_read_smbconfig(ks_audit_rd *rd, const char *text, size_t n)
{
    if (looks_json(text, n)) {
        smb_json(rd, text, n);
        return;
    }
    /* Format-List: "Name    : value", long values wrapped onto indented lines */
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln, name = {NULL, 0};
    ks_buf val = {0};
    unsigned at = 0;
    size_t props = 0;
    while (ks_audit_line(&it, &ln)) {
        ks_str t = ks_audit_trim(ln);
        if (!t.len) continue;
        if (ks_audit_line_cut(rd, &it, t)) break;
        long colon = ks_str_find(t, ":");
        ks_str before = colon > 0 ? ks_audit_trim((ks_str){t.p, (size_t)colon}) : t;
        bool prop = colon > 0 && !ks_str_has(before, " ") && ln.p[0] != ' ';
        if (!prop && name.p && ln.p[0] == ' ') { /* a wrapped value goes on */
            ks_buf_append(&val, t.p, t.len);
            continue;
        }
        if (name.p) smb_fact(rd, name, (ks_str){val.data ? val.data : "", val.len}, at);
        name = (ks_str){NULL, 0};
        if (!prop) {
            ks_audit_problem(rd, it.lineno, "expected \"Name : value\": %.*s", KS_AUDIT_EXCERPT(t));
            continue;
        }
        name = before, at = it.lineno, props++;
        ks_buf_reset(&val);
        ks_str v = ks_audit_trim(ks_str_skip(t, (size_t)colon + 1));
        ks_buf_append(&val, v.p, v.len);
    }
    if (name.p) smb_fact(rd, name, (ks_str){val.data ? val.data : "", val.len}, at);
    ks_buf_free(&val);
    if (!props && !rd->h->pub.exports[rd->ex].nproblems)
        ks_audit_problem(rd, it.lineno, "no settings (cut short?)");
}

/* ---- Get-HotFix ---------------------------------------------------------------- */

static void hotfix_fact(ks_audit_rd *rd, ks_str id, ks_str installed, unsigned line)
{
    ks_buf_reset(&rd->key);
    ks_buf_puts(&rd->key, "hotfix:");
    ks_buf_append(&rd->key, id.p, id.len);
    ks_audit_fact_addk(rd, installed.p, installed.len, line);
}

/* "KB" and digits: a hotfix id. */
static bool kb_id(ks_str s)
{
    if (s.len < 3 || s.len > 16 || (s.p[0] != 'K' && s.p[0] != 'k') ||
        (s.p[1] != 'B' && s.p[1] != 'b'))
        return false;
    for (size_t i = 2; i < s.len; i++)
        if (s.p[i] < '0' || s.p[i] > '9') return false;
    return true;
}

static void hotfix_salvaged(ks_audit_rd *rd, ks_str name, ks_str val, unsigned line)
{
    if (ks_str_eq(name, "HotFixID") && kb_id(val)) hotfix_fact(rd, val, (ks_str){"", 0}, line);
}

static void hotfix_json(ks_audit_rd *rd, const char *text, size_t n)
{
    ks_arena arena = {.limit = 256u << 20};
    const ks_json *root = parse_json(rd, &arena, text, n);
    if (!root) {
        salvage_json(rd, text, n, hotfix_salvaged);
        ks_arena_free(&arena);
        return;
    }
    /* one hotfix is written as an object, several as an array */
    const ks_json *item = root->type == KS_JSON_ARRAY ? root->child : root;
    for (; item; item = root->type == KS_JSON_ARRAY ? item->next : NULL) {
        const ks_json *id = ks_json_get(item, "HotFixID");
        if (!id || id->type != KS_JSON_STRING || !id->len) {
            ks_audit_problem(rd, 0, "a hotfix without its HotFixID");
            continue;
        }
        const ks_json *on = ks_json_get(item, "InstalledOn");
        ks_str when = {"", 0};
        if (on && on->type == KS_JSON_OBJECT) { /* {"value": "\/Date(ms)\/", "DateTime": ...} */
            const ks_json *dt = ks_json_get(on, "DateTime");
            if (!ks_json_is_text(dt)) dt = ks_json_get(on, "value");
            if (ks_json_is_text(dt)) when = scalar_text(dt);
        } else if (on && ks_json_is_text(on)) {
            when = scalar_text(on);
        }
        hotfix_fact(rd, (ks_str){id->str, id->len}, when, 0);
    }
    ks_arena_free(&arena);
}

#define KS_HOTFIX_COLS 16

/* The byte offset in s of character (code point) number col, or s.len. */
static size_t char_offset(ks_str s, size_t col)
{
    size_t i = 0;
    for (size_t c = 0; i < s.len && c < col; c++) {
        i++;
        while (i < s.len && ((unsigned char)s.p[i] & 0xc0) == 0x80) i++;
    }
    return i;
}

void ks_audit_read_hotfix(ks_audit_rd *rd, const char *text, size_t n)
{
    if (looks_json(text, n)) {
        hotfix_json(rd, text, n);
        return;
    }
    /* the table: a header, a line of dashes giving the columns, then rows */
    ks_audit_lines it = ks_audit_lines_of(text, n);
    ks_str ln, header = {NULL, 0};
    size_t start[KS_HOTFIX_COLS + 1], ncol = 0, rows = 0;
    int col_id = -1, col_on = -1;
    while (ks_audit_line(&it, &ln)) {
        while (ln.len && (ln.p[ln.len - 1] == ' ' || ln.p[ln.len - 1] == '\t')) ln.len--;
        if (!ks_audit_trim(ln).len) continue;
        if (ks_audit_line_cut(rd, &it, ln)) break;
        if (!ncol && ks_str_has(ln, "HotFixID")) {
            header = ln;
            continue;
        }
        if (!ncol && header.p && ln.p[0] == '-') {
            /* columns start where runs of dashes start */
            for (size_t i = 0; i < ln.len && ncol < KS_HOTFIX_COLS; i++)
                if (ln.p[i] == '-' && (i == 0 || ln.p[i - 1] == ' ')) start[ncol++] = i;
            start[ncol] = SIZE_MAX;
            for (size_t c = 0; c < ncol; c++) {
                size_t a = start[c] < header.len ? start[c] : header.len;
                size_t b = start[c + 1] < header.len ? start[c + 1] : header.len;
                ks_str h = ks_audit_trim((ks_str){header.p + a, b - a});
                if (ks_str_eq(h, "HotFixID")) col_id = (int)c;
                if (ks_str_eq(h, "InstalledOn")) col_on = (int)c;
            }
            continue;
        }
        if (!ncol) {
            ks_audit_problem(rd, it.lineno, "text before the table's header: %.*s",
                             KS_AUDIT_EXCERPT(ks_audit_trim(ln)));
            continue;
        }
        ks_str id = {NULL, 0}, on = {"", 0};
        if (col_id >= 0) {
            size_t a = char_offset(ln, start[col_id]), b = char_offset(ln, start[col_id + 1]);
            id = ks_audit_trim((ks_str){ln.p + a, b - a});
        }
        if (!kb_id(id)) { /* columns shifted by wide characters: find the id by its shape */
            id = (ks_str){NULL, 0};
            ks_str rest = ln;
            for (size_t k = 0; k < KS_HOTFIX_COLS * 4 && rest.len; k++) {
                rest = ks_audit_trim(rest);
                ks_str w = ks_str_word(rest);
                if (kb_id(w)) {
                    id = w;
                    break;
                }
                rest = ks_str_skip(rest, w.len);
            }
        }
        if (!id.p) {
            ks_audit_problem(rd, it.lineno, "a row without a KB number: %.*s",
                             KS_AUDIT_EXCERPT(ks_audit_trim(ln)));
            continue;
        }
        if (col_on >= 0) {
            size_t a = char_offset(ln, start[col_on]), b = char_offset(ln, start[col_on + 1]);
            on = ks_audit_trim((ks_str){ln.p + a, b - a});
        }
        hotfix_fact(rd, id, on, it.lineno);
        rows++;
    }
    if (!ncol && !rd->h->pub.exports[rd->ex].nproblems)
        ks_audit_problem(rd, it.lineno, "no table header with HotFixID (cut short?)");
}
