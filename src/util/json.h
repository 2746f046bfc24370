/* A small bounded JSON parser (RFC 8259) for the JSON readers: it builds a tree of
 * nodes in memory the caller hands out (an arena), caps the nesting depth and the
 * node count, never reads past the bytes it is given, and never crashes on any input.
 *
 * Strings come out unescaped as UTF-8 (\uXXXX and surrogate pairs decoded, a lone
 * surrogate becomes U+FFFD); numbers are kept as their text and, when they fit, as
 * int64 and as double. Nodes and unescaped strings live in the caller's memory;
 * strings without escapes point into the input, so the input must outlive the tree. */
#ifndef KS_UTIL_JSON_H
#define KS_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/status.h"

typedef enum ks_json_type {
    KS_JSON_NULL = 0,
    KS_JSON_FALSE,
    KS_JSON_TRUE,
    KS_JSON_NUMBER,
    KS_JSON_STRING,
    KS_JSON_ARRAY,
    KS_JSON_OBJECT
} ks_json_type;

/* Number flags */
#define KS_JSON_INT 1u  /* an integer that fits int64 (ks_json.i) */
#define KS_JSON_FRAC 2u /* written with a fraction or an exponent */

typedef struct ks_json ks_json;
struct ks_json {
    const ks_json *next;  /* the next item of the enclosing array or object */
    const ks_json *child; /* the first item or member (arrays, objects) */
    const char *key;      /* member name, unescaped UTF-8 (objects' members only) */
    const char *str;      /* string: unescaped UTF-8; number, true, false, null: the text */
    uint32_t key_len;
    uint32_t len;
    uint32_t count; /* items or members */
    uint8_t type;   /* ks_json_type */
    uint8_t flags;  /* numbers: KS_JSON_INT, KS_JSON_FRAC */
    int64_t i;      /* numbers with KS_JSON_INT */
    double d;       /* numbers: the value (close, not always correctly rounded) */
};

/* Memory for the tree: returns n bytes aligned to 8, or NULL (the parse then fails
 * with KS_ERR_NOMEM). */
typedef void *(*ks_json_alloc_fn)(void *ctx, size_t n);

typedef struct ks_json_opts {
    ks_json_alloc_fn alloc; /* NULL: only validate (no tree; *out is left NULL) */
    void *ctx;
    int max_depth;       /* nesting of arrays and objects; 0: 64, capped at 512 */
    size_t max_nodes;    /* 0: 1,000,000 */
    bool drop_nul;       /* leave out U+0000 (\u0000) from strings and keys */
    bool allow_trailing; /* stop after the first value (*used says where) */
} ks_json_opts;

/* Parse one JSON value from the n bytes at p (leading and trailing white space
 * allowed). Without allow_trailing anything but white space after the value is an
 * error. *used (may be NULL) gets the bytes consumed: the value and the white space
 * around it. Errors: KS_ERR_TRUNCATED when the text ends inside the value (more
 * input could complete it), KS_ERR_FORMAT for bad JSON, KS_ERR_LIMIT for depth or
 * node count, KS_ERR_NOMEM; diag (may be NULL) says what and at which byte. */
ks_status ks_json_parse(const char *p, size_t n, const ks_json_opts *o, const ks_json **out,
                        size_t *used, ks_diag *diag);

/* The first member of an object called `key` (exactly, n bytes), or NULL (also when
 * obj is NULL or not an object). */
const ks_json *ks_json_getn(const ks_json *obj, const char *key, size_t n);
const ks_json *ks_json_get(const ks_json *obj, const char *key);
/* A path of member names, "winlog.event_data": each dot goes one object down. */
const ks_json *ks_json_path(const ks_json *obj, const char *path);

/* True for a string or number (a scalar with text). */
static inline bool ks_json_is_text(const ks_json *j)
{
    return j && (j->type == KS_JSON_STRING || j->type == KS_JSON_NUMBER);
}

/* A string or number as an unsigned integer (decimal or 0x-hex text, surrounding
 * spaces allowed); false if it is not one. */
bool ks_json_u64(const ks_json *j, uint64_t *out);

/* "null", "false", ... */
const char *ks_json_type_name(ks_json_type t);

#endif
