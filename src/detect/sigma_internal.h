/* What a compiled Sigma rule is made of (shared by the loader, the logsource table
 * and the matcher in src/detect/sigma_*.c), and the YAML tree the loader builds
 * with libyaml before compiling a rule. */
#ifndef KS_SIGMA_INTERNAL_H
#define KS_SIGMA_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/sigma.h"

/* --- YAML tree (sigma_yaml.c) --------------------------------------------------- */

enum { SG_Y_SCALAR, SG_Y_SEQ, SG_Y_MAP };

typedef struct sg_ynode {
    uint8_t kind;
    bool plain; /* a plain (unquoted) scalar: null, ~, true, numbers */
    char *s;    /* scalar text, NUL-terminated */
    size_t n;
    struct sg_ynode **kids; /* SEQ: items; MAP: key, value, key, value, ... */
    size_t nkids;
    size_t line;
} sg_ynode;

typedef struct sg_ydoc {
    sg_ynode **docs;
    size_t ndocs;
    char error[160]; /* the parse error, "" when none */
    void *arena;
} sg_ydoc;

/* Parse every document of a YAML stream (depth and size bounded). Fills d->error
 * on a syntax error (documents before it are kept). */
void sg_yaml_parse(sg_ydoc *d, const void *data, size_t n);
void sg_yaml_free(sg_ydoc *d);
/* The value of key in a map, or NULL. */
const sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key);
bool sg_yscalar_is_null(const sg_ynode *n);

/* --- compiled rules ------------------------------------------------------------- */

/* How one value is compared with a field's text. */
enum {
    SG_OP_EQ,
    SG_OP_CONTAINS,
    SG_OP_STARTS,
    SG_OP_ENDS,
    SG_OP_GLOB, /* with wildcards: SG_WILD_ANY / SG_WILD_ONE bytes in s */
    SG_OP_RE,
    SG_OP_CIDR,
    SG_OP_LT,
    SG_OP_LTE,
    SG_OP_GT,
    SG_OP_GTE,
    SG_OP_EXISTS,
    SG_OP_NULL,     /* absent or empty */
    SG_OP_FIELDREF, /* equal to another field (ref) */
    SG_OP_NEVER     /* a placeholder with no value (expand without site data) */
};

#define SG_WILD_ANY 0xff /* never a byte of UTF-8 text */
#define SG_WILD_ONE 0xfe

#define SG_RE_COUNTS 3

typedef struct sg_pat {
    uint8_t op;
    uint8_t refop; /* for FIELDREF: EQ, CONTAINS, STARTS or ENDS */
    bool cased;
    bool exists; /* for EXISTS */
    uint8_t family, prefix;
    uint8_t addr[16];
    uint32_t n;
    uint32_t ref;  /* FIELDREF: field id */
    uint32_t lit;  /* literal id + 1 in its field's automaton (sigma_ac.c); 0: none */
    uint32_t need; /* a literal every match contains (lit, or a wildcard value's longest
                      plain part), + 1; 0: none. For gates. */
    uint32_t needlen;
    /* RE: bytes (ASCII, not letters) every match holds at least cmin[k] times of
     * (cmin 0: none) */
    uint8_t cbyte[SG_RE_COUNTS], cmin[SG_RE_COUNTS];
    bool countonly; /* RE: c.*c.*c (cmin[0] times byte cbyte[0]): over printable ASCII
                       text it matches exactly when the text holds that many */
    char *s;        /* lowercased unless cased; RE: a literal every match contains, or NULL */
    double num;
    pcre2_code *re;
} sg_pat;

#define SG_KEYWORDS UINT32_MAX /* item over every field (keyword lists) */

typedef struct sg_item {
    uint32_t field; /* field id, or SG_KEYWORDS */
    bool all;       /* every value must match (|all) */
    bool litonly;   /* every value is a literal of the automata (sigma_ac.c) */
    uint32_t npats;
    sg_pat *pats;
    /* for the matcher (sigma_ac.c; NULL before): the lit of the values that have one
     * (nlit, ascending), then the indexes in pats of the others */
    const uint32_t *lits;
    uint32_t nlit;
} sg_item;

typedef struct sg_alt { /* items that must all match */
    uint32_t nitems;
    sg_item *items;
} sg_alt;

typedef struct sg_sel { /* a named selection: one of its alternatives matches */
    char *name;
    uint32_t nalts;
    sg_alt *alts;
} sg_sel;

enum { SG_C_SEL, SG_C_AND, SG_C_OR, SG_C_NOT, SG_C_ONE_OF, SG_C_ALL_OF, SG_C_FALSE };

typedef struct sg_cnode {
    uint8_t op;
    uint32_t a, b;  /* kids (node indexes); SEL: a = selection */
    uint32_t nsels; /* ONE_OF / ALL_OF: selections sels[a .. a + nsels) of the rule's list */
} sg_cnode;

/* Where a rule's events come from: a channel (lowercase; "" for any) and event id
 * (0 for any). */
typedef struct sg_target {
    const char *channel;
    uint32_t event_id;
} sg_target;

typedef struct sg_rule {
    ks_sigma_rule_info info;
    sg_sel *sels;
    uint32_t nsels;
    sg_cnode *cond;
    uint32_t ncond, root;
    uint32_t *oflist; /* selection indexes named by `1 of` / `all of` */
    uint32_t noflist;
    sg_target *targets;
    uint32_t ntargets;
    bool map4688; /* process_creation: Security 4688 field names mapped */
    /* a gate: the rule can match only if one of these literals is found (one item of
     * each alternative of a selection every match needs); ngate 0: none. malloc'd
     * (sigma_ac.c). */
    uint32_t ngate;
    uint32_t *gate;
    const char *name;     /* `name:` (correlations refer to rules by id or name) */
    struct sg_corr *corr; /* a correlation rule (no detection of its own) */
    /* correlations this rule feeds: (correlation rule index, step) pairs; malloc'd */
    uint32_t *feeds, nfeeds;
    bool quiet;    /* only correlations use it (none has generate: true) */
    uint8_t chain; /* correlation: how deep it chains (1: of plain rules); 0 for others */
    /* the automaton of its keyword items (sigma_ac.c): field ids count nfields, then
     * each rule with keywords has one of its own; UINT32_MAX when it has none */
    uint32_t kwauto;
    void *arena; /* every allocation of the rule but its regular expressions */
} sg_rule;

/* --- correlation rules (sigma_corr.c) -------------------------------------------- */

enum { SG_CORR_EVENT_COUNT, SG_CORR_VALUE_COUNT, SG_CORR_TEMPORAL, SG_CORR_TEMPORAL_ORDERED };

#define SG_CORR_MAX_REFS 16
#define SG_CORR_MAX_GROUP 8
#define SG_CORR_MAX_ALIASES 16
#define SG_CORR_MAX_COUNT 100000
#define SG_CORR_MAX_CHAIN 8         /* correlations of correlations, at most this deep */
#define SG_CORR_KEYPART 0x80000000u /* a field read from the inner correlation's key */

/* An alias (`aliases:`): per rule of the correlation (by name or id), its field. */
typedef struct sg_alias {
    const char *name;
    uint32_t n;
    const char *rule[SG_CORR_MAX_REFS], *field[SG_CORR_MAX_REFS];
} sg_alias;

typedef struct sg_corr {
    uint8_t type;
    bool generate;
    /* the condition is a range: need <= count <= most, and count != neq when has_neq.
     * Without an upper bound (most == UINT64_MAX, no neq) a window fires as soon as
     * it holds need; with one, windows are anchored at their first event and judged
     * when they close (a later event beyond the timespan, or the end of the file). */
    bool bounded, has_neq;
    int64_t timespan_ns;
    uint64_t need, most, neq;
    uint32_t nrefs, ngroup, naliases;
    const char *refs[SG_CORR_MAX_REFS];
    uint32_t ref_rule[SG_CORR_MAX_REFS]; /* resolved rule indexes */
    const char *group_name[SG_CORR_MAX_GROUP];
    const char *value_name; /* value_count: condition.field */
    sg_alias aliases[SG_CORR_MAX_ALIASES];
    /* per step: the field ids of group-by and value field (aliases resolved) */
    uint32_t group[SG_CORR_MAX_REFS][SG_CORR_MAX_GROUP];
    uint32_t value_field[SG_CORR_MAX_REFS];
} sg_corr;

/* What fired: the event it fired on (a bounded window fires when it closes, with an
 * event that holds only the time, record id and host of its last event), and the
 * window's group key (group-by values joined by 0x1f). Valid until the next call. */
typedef struct sg_corr_hit {
    const ks_event *ev;
    const char *key;
    size_t keylen;
} sg_corr_hit;

typedef struct sg_corr_state sg_corr_state;
/* Per-matcher state of every correlation (keyed windows); NULL when out of memory. */
sg_corr_state *sg_corr_state_new(const ks_sigma_rules *r);
void sg_corr_state_free(sg_corr_state *s);
/* Drop every window (end of an evidence file). */
void sg_corr_state_reset(sg_corr_state *s);
/* Rule step of correlation ci matched ev whose group key is key and (value_count)
 * value is val (hashed); true when the correlation fires (hit says on what). */
bool sg_corr_feed(sg_corr_state *s, const ks_sigma_rules *r, uint32_t ci, uint32_t step,
                  const ks_event *ev, const char *key, size_t keylen, uint32_t val,
                  sg_corr_hit *hit);
/* Close every open bounded window of correlation ci: fn for each that fires. Returns
 * how many fired. */
size_t sg_corr_close(sg_corr_state *s, const ks_sigma_rules *r, uint32_t ci,
                     void (*fn)(void *ctx, uint32_t ci, const sg_corr_hit *hit), void *ctx);

/* Field names used by rules, interned: id -> name; system fields have sys != 0. */
enum {
    SG_SYS_NONE,
    SG_SYS_EVENTID,
    SG_SYS_CHANNEL,
    SG_SYS_PROVIDER,
    SG_SYS_COMPUTER,
    SG_SYS_LEVEL,
    SG_SYS_TASK,
    SG_SYS_OPCODE,
    SG_SYS_KEYWORDS,
    SG_SYS_RECORDID,
    SG_SYS_VERSION,
    SG_SYS_PROVIDER_GUID,
    SG_SYS_USERID,
    SG_SYS_PID,
    SG_SYS_TID
};

typedef struct sg_fname {
    char *name;
    uint32_t hash;
    uint32_t alt4688; /* id of the Security 4688 name for this Sysmon name, or UINT32_MAX */
    uint8_t sys;
} sg_fname;

struct ks_sigma_rules {
    sg_rule **rules;
    size_t nrules, caprules;
    sg_fname *fields;
    uint32_t nfields, capfields;
    uint32_t *fhash; /* open addressing: id + 1, 0 empty */
    uint32_t fhcap;
    ks_sigma_failure *failures;
    size_t capfailures;
    ks_sigma_report report;
    /* index by (channel, event id), and the literal automata (sigma_ac.c) */
    void *index;
    void *ac;
    uint32_t nlits;
    uint32_t nauto; /* automata: field ids below nfields, then one per rule's keywords */
};

/* (Re)build the index of rules by channel and event id; 0 on success. */
int sg_index_build(ks_sigma_rules *r);
void sg_index_free(ks_sigma_rules *r);

/* Literal strings of EQ / CONTAINS / STARTS / ENDS patterns (not cased), shared by
 * every rule, found together in a field's text by one trie per field (its "automaton");
 * the keywords of each rule that has some make one more, run over every field
 * (rule->kwauto). An automaton id is a field id or a rule's kwauto. */
int sg_ac_build(ks_sigma_rules *r);
void sg_ac_free(ks_sigma_rules *r);
/* The field id of a literal. */
uint32_t sg_ac_lit_field(const ks_sigma_rules *r, uint32_t lit);
/* Whether field id has an automaton. */
bool sg_ac_has(const ks_sigma_rules *r, uint32_t field);
/* Run field's automaton over its text (A-Z folded to a-z as it goes): hit[lit] = gen for every
 * literal of the field that matches (position rules of its op included). */
void sg_ac_run(const ks_sigma_rules *r, uint32_t field, const char *text, size_t n, uint32_t *hit,
               uint32_t gen, uint32_t *list, uint32_t *nlist);
/* The same over UTF-16LE text of `units` code units, when every unit is ASCII (NUL
 * units skipped, as ks_value_text does); false, with nothing done, otherwise. */
bool sg_ac_run16(const ks_sigma_rules *r, uint32_t field, const uint8_t *p, size_t units,
                 uint32_t *hit, uint32_t gen, uint32_t *list, uint32_t *nlist);
/* Whether field's automaton can find nothing in the text of a (scalar) value of this
 * type: its literals all hold a byte that such text never does. */
bool sg_ac_skip_type(const ks_sigma_rules *r, uint32_t field, uint8_t type);
/* The rules whose gate holds literal id (n of them). */
const uint32_t *sg_ac_gated(const ks_sigma_rules *r, uint32_t lit, uint32_t *n);

/* Intern a field name; returns its id (UINT32_MAX when out of memory). */
uint32_t sg_field_intern(ks_sigma_rules *r, const char *name);
/* Id of a field name, or UINT32_MAX. */
uint32_t sg_field_lookup(const ks_sigma_rules *r, const char *name, size_t n);
uint32_t sg_hash(const char *s, size_t n);

/* --- logsource table (sigma_logsource.c) ----------------------------------------- */

/* Fill rule->targets from its logsource. Returns NULL, or a remark for the report
 * (the rule is still loaded) when the logsource has no known Windows log. */
const char *sg_logsource_targets(sg_rule *rule);
/* 4688 field names for Sysmon's: "NewProcessName" -> "Image", ...; NULL-ended pairs. */
extern const char *const sg_map4688[][2];
/* ATT&CK technique (lowercase "t1490") -> finding category, or NULL. */
const char *sg_attack_category(const char *tag);

void sg_rule_free(sg_rule *rule);

#endif
