/* The field-mapping table: one row per (provider, event id, field) -> semantic slot,
 * with a small transform ("DOMAIN\user" split, address cleaned of port and IPv4-mapped
 * prefix). Rows are tried in table order; a slot takes the first non-empty value, so
 * a preferred field is listed before its fallback. Field names are Windows' EventData
 * / UserData names; every reader (EVTX, XML, CSV, JSON) produces those names. */
#include "event/map.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kensa/buf.h"

enum slot {
    S_USER,
    S_DOMAIN,
    S_SRC_IP,
    S_SRC_HOST,
    S_STATUS,
    S_PROCESS,
    S_CMD,
    S_PARENT,
    S_SERVICE,
    S_SHARE,
    S_SESSION,
    S_LOGON_TYPE,
    S_OUTCOME, /* field NULL: how is the outcome; else success when the field is 0 */
};

enum how {
    T_TEXT,        /* as written; "-" is empty */
    T_DOMAIN_USER, /* "DOMAIN\user": user and domain */
    T_ADDR,        /* an IP address: port, brackets, ::ffff: removed; non-addresses empty */
    T_STATUS,      /* an NTSTATUS; "0x0" is empty so that a fallback field is used */
    O_SUCCESS,
    O_FAILURE,
    O_ZERO_IS_SUCCESS,
};

typedef struct map_row {
    const char *provider;
    uint32_t event_id;
    const char *field;
    uint8_t slot, how;
} map_row;

#define SEC "Microsoft-Windows-Security-Auditing"
#define SCM "Service Control Manager"
#define EVL "Microsoft-Windows-Eventlog"
#define LSM "Microsoft-Windows-TerminalServices-LocalSessionManager"
#define RCM "Microsoft-Windows-TerminalServices-RemoteConnectionManager"
#define RDPCORE "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS"
#define SYSMON "Microsoft-Windows-Sysmon"
#define SMB "Microsoft-Windows-SMBServer"

/* clang-format off */
static const map_row rows[] = {
    /* logon, logoff: the account logging on, from where, how */
    {SEC, 4624, "TargetUserName", S_USER, T_TEXT},     {SEC, 4624, "TargetDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4624, "IpAddress", S_SRC_IP, T_ADDR},        {SEC, 4624, "WorkstationName", S_SRC_HOST, T_TEXT},
    {SEC, 4624, "LogonType", S_LOGON_TYPE, T_TEXT},    {SEC, 4624, "TargetLogonId", S_SESSION, T_TEXT},
    {SEC, 4624, "ProcessName", S_PROCESS, T_TEXT},     {SEC, 4624, NULL, S_OUTCOME, O_SUCCESS},
    {SEC, 4625, "TargetUserName", S_USER, T_TEXT},     {SEC, 4625, "TargetDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4625, "IpAddress", S_SRC_IP, T_ADDR},        {SEC, 4625, "WorkstationName", S_SRC_HOST, T_TEXT},
    {SEC, 4625, "LogonType", S_LOGON_TYPE, T_TEXT},    {SEC, 4625, "SubStatus", S_STATUS, T_STATUS},
    {SEC, 4625, "Status", S_STATUS, T_STATUS},         {SEC, 4625, "ProcessName", S_PROCESS, T_TEXT},
    {SEC, 4625, NULL, S_OUTCOME, O_FAILURE},
    {SEC, 4634, "TargetUserName", S_USER, T_TEXT},     {SEC, 4634, "TargetDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4634, "TargetLogonId", S_SESSION, T_TEXT},   {SEC, 4634, "LogonType", S_LOGON_TYPE, T_TEXT},
    {SEC, 4647, "TargetUserName", S_USER, T_TEXT},     {SEC, 4647, "TargetDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4647, "TargetLogonId", S_SESSION, T_TEXT},
    {SEC, 4648, "TargetUserName", S_USER, T_TEXT},     {SEC, 4648, "TargetDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4648, "IpAddress", S_SRC_IP, T_ADDR},        {SEC, 4648, "ProcessName", S_PROCESS, T_TEXT},
    {SEC, 4648, "SubjectLogonId", S_SESSION, T_TEXT},
    {SEC, 4672, "SubjectUserName", S_USER, T_TEXT},    {SEC, 4672, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4672, "SubjectLogonId", S_SESSION, T_TEXT},
    /* processes, services, tasks */
    {SEC, 4688, "SubjectUserName", S_USER, T_TEXT},    {SEC, 4688, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4688, "NewProcessName", S_PROCESS, T_TEXT},  {SEC, 4688, "CommandLine", S_CMD, T_TEXT},
    {SEC, 4688, "ParentProcessName", S_PARENT, T_TEXT},{SEC, 4688, "SubjectLogonId", S_SESSION, T_TEXT},
    {SEC, 4697, "SubjectUserName", S_USER, T_TEXT},    {SEC, 4697, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4697, "ServiceName", S_SERVICE, T_TEXT},     {SEC, 4697, "ServiceFileName", S_CMD, T_TEXT},
    {SEC, 4698, "SubjectUserName", S_USER, T_TEXT},    {SEC, 4698, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4702, "SubjectUserName", S_USER, T_TEXT},    {SEC, 4702, "SubjectDomainName", S_DOMAIN, T_TEXT},
    /* accounts and groups: user is the account acted on */
    {SEC, 4720, "TargetUserName", S_USER, T_TEXT},     {SEC, 4720, "TargetDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4728, "MemberName", S_USER, T_TEXT},         {SEC, 4732, "MemberName", S_USER, T_TEXT},
    {SEC, 4756, "MemberName", S_USER, T_TEXT},
    {SEC, 4740, "TargetUserName", S_USER, T_TEXT},     {SEC, 4740, "TargetDomainName", S_SRC_HOST, T_TEXT},
    /* Kerberos and NTLM */
    {SEC, 4768, "TargetUserName", S_USER, T_TEXT},     {SEC, 4768, "TargetDomainName", S_DOMAIN, T_TEXT},
    {SEC, 4768, "IpAddress", S_SRC_IP, T_ADDR},        {SEC, 4768, "Status", S_STATUS, T_TEXT},
    {SEC, 4768, "Status", S_OUTCOME, O_ZERO_IS_SUCCESS},
    {SEC, 4769, "TargetUserName", S_USER, T_TEXT},     {SEC, 4769, "IpAddress", S_SRC_IP, T_ADDR},
    {SEC, 4769, "ServiceName", S_SERVICE, T_TEXT},     {SEC, 4769, "Status", S_STATUS, T_TEXT},
    {SEC, 4769, "Status", S_OUTCOME, O_ZERO_IS_SUCCESS},
    {SEC, 4771, "TargetUserName", S_USER, T_TEXT},     {SEC, 4771, "IpAddress", S_SRC_IP, T_ADDR},
    {SEC, 4771, "Status", S_STATUS, T_TEXT},           {SEC, 4771, NULL, S_OUTCOME, O_FAILURE},
    {SEC, 4776, "TargetUserName", S_USER, T_TEXT},     {SEC, 4776, "Workstation", S_SRC_HOST, T_TEXT},
    {SEC, 4776, "Status", S_STATUS, T_TEXT},           {SEC, 4776, "Status", S_OUTCOME, O_ZERO_IS_SUCCESS},
    /* shares */
    {SEC, 5140, "SubjectUserName", S_USER, T_TEXT},    {SEC, 5140, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {SEC, 5140, "IpAddress", S_SRC_IP, T_ADDR},        {SEC, 5140, "ShareName", S_SHARE, T_TEXT},
    {SEC, 5140, "SubjectLogonId", S_SESSION, T_TEXT},
    {SEC, 5145, "SubjectUserName", S_USER, T_TEXT},    {SEC, 5145, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {SEC, 5145, "IpAddress", S_SRC_IP, T_ADDR},        {SEC, 5145, "ShareName", S_SHARE, T_TEXT},
    {SEC, 5145, "SubjectLogonId", S_SESSION, T_TEXT},
    /* log clearing: who did it */
    {SEC, 1102, "SubjectUserName", S_USER, T_TEXT},    {SEC, 1102, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {EVL, 1102, "SubjectUserName", S_USER, T_TEXT},    {EVL, 1102, "SubjectDomainName", S_DOMAIN, T_TEXT},
    {EVL, 104, "SubjectUserName", S_USER, T_TEXT},     {EVL, 104, "SubjectDomainName", S_DOMAIN, T_TEXT},
    /* System: services */
    {SCM, 7045, "ServiceName", S_SERVICE, T_TEXT},     {SCM, 7045, "ImagePath", S_CMD, T_TEXT},
    {SCM, 7045, "AccountName", S_USER, T_TEXT},
    {SCM, 7036, "param1", S_SERVICE, T_TEXT},          {SCM, 7040, "param1", S_SERVICE, T_TEXT},
    /* Remote Desktop */
    {LSM, 21, "User", S_USER, T_DOMAIN_USER},          {LSM, 21, "Address", S_SRC_IP, T_ADDR},
    {LSM, 21, "SessionID", S_SESSION, T_TEXT},
    {LSM, 22, "User", S_USER, T_DOMAIN_USER},          {LSM, 22, "Address", S_SRC_IP, T_ADDR},
    {LSM, 22, "SessionID", S_SESSION, T_TEXT},
    {LSM, 24, "User", S_USER, T_DOMAIN_USER},          {LSM, 24, "Address", S_SRC_IP, T_ADDR},
    {LSM, 24, "SessionID", S_SESSION, T_TEXT},
    {LSM, 25, "User", S_USER, T_DOMAIN_USER},          {LSM, 25, "Address", S_SRC_IP, T_ADDR},
    {LSM, 25, "SessionID", S_SESSION, T_TEXT},
    {RCM, 1149, "Param1", S_USER, T_TEXT},             {RCM, 1149, "Param2", S_DOMAIN, T_TEXT},
    {RCM, 1149, "Param3", S_SRC_IP, T_ADDR},
    {RDPCORE, 131, "ClientIP", S_SRC_IP, T_ADDR},      {RDPCORE, 140, "IPString", S_SRC_IP, T_ADDR},
    /* Sysmon (src_ip of event 3 is the connection's SourceIp, as Sysmon reports it) */
    {SYSMON, 1, "Image", S_PROCESS, T_TEXT},           {SYSMON, 1, "CommandLine", S_CMD, T_TEXT},
    {SYSMON, 1, "ParentImage", S_PARENT, T_TEXT},      {SYSMON, 1, "User", S_USER, T_DOMAIN_USER},
    {SYSMON, 1, "LogonId", S_SESSION, T_TEXT},
    {SYSMON, 3, "Image", S_PROCESS, T_TEXT},           {SYSMON, 3, "User", S_USER, T_DOMAIN_USER},
    {SYSMON, 3, "SourceIp", S_SRC_IP, T_ADDR},         {SYSMON, 3, "SourceHostname", S_SRC_HOST, T_TEXT},
    {SYSMON, 10, "SourceImage", S_PROCESS, T_TEXT},    {SYSMON, 10, "SourceUser", S_USER, T_DOMAIN_USER},
    {SYSMON, 11, "Image", S_PROCESS, T_TEXT},          {SYSMON, 11, "User", S_USER, T_DOMAIN_USER},
    {SYSMON, 13, "Image", S_PROCESS, T_TEXT},          {SYSMON, 13, "User", S_USER, T_DOMAIN_USER},
    /* SMB1 use */
    {SMB, 3000, "ClientName", S_SRC_IP, T_ADDR},
};
/* clang-format on */

#define NROWS (sizeof rows / sizeof rows[0])

/* Row indexes sorted by event id, table order kept within an id. */
static uint16_t order[NROWS];
static pthread_once_t order_once = PTHREAD_ONCE_INIT;

static int by_event_id(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    if (rows[x].event_id != rows[y].event_id) return rows[x].event_id < rows[y].event_id ? -1 : 1;
    return (int)x - (int)y;
}

static void sort_rows(void)
{
    for (size_t i = 0; i < NROWS; i++) order[i] = (uint16_t)i;
    qsort(order, NROWS, sizeof order[0], by_event_id);
}

static ks_str *slot_str(ks_semantic *s, int slot)
{
    switch (slot) {
    case S_USER: return &s->user;
    case S_DOMAIN: return &s->domain;
    case S_SRC_IP: return &s->src_ip;
    case S_SRC_HOST: return &s->src_host;
    case S_STATUS: return &s->status;
    case S_PROCESS: return &s->process;
    case S_CMD: return &s->command_line;
    case S_PARENT: return &s->parent_process;
    case S_SERVICE: return &s->service;
    case S_SHARE: return &s->share;
    case S_SESSION: return &s->session;
    default: return NULL;
    }
}

/* The field's value as UTF-8 text: borrowed when it already is, else copied into a. */
static ks_str text_of(const ks_field *f, ks_arena *a)
{
    const ks_value *v = &f->value;
    if (v->type == KS_VT_NULL) return (ks_str){"", 0};
    if (v->type == KS_VT_UTF8) return (ks_str){(const char *)v->data, v->size};
    ks_buf b = {0};
    ks_value_format(&b, v, KS_ESC_NONE);
    char *p = b.failed ? NULL : ks_arena_alloc(a, b.len + 1);
    ks_str r = {"", 0};
    if (p) {
        if (b.len) memcpy(p, b.data, b.len);
        p[b.len] = 0;
        r = (ks_str){p, b.len};
    }
    ks_buf_free(&b);
    return r;
}

static ks_str trim(ks_str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) s.p++, s.len--;
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t')) s.len--;
    if (s.len == 1 && s.p[0] == '-') s.len = 0;
    return s;
}

/* "1.2.3.4:5678", "[fe80::1]:3389", "::ffff:10.0.0.5" -> the bare address; anything
 * that is not made of address characters ("LOCAL", a host name) -> empty. */
static ks_str clean_addr(ks_str s)
{
    if (s.len && s.p[0] == '[') {
        const char *e = memchr(s.p, ']', s.len);
        if (!e) return (ks_str){"", 0};
        s = (ks_str){s.p + 1, (size_t)(e - s.p - 1)};
    }
    if (s.len > 7 && !strncmp(s.p, "::ffff:", 7) && memchr(s.p + 7, '.', s.len - 7))
        s.p += 7, s.len -= 7;
    size_t colons = 0, dots = 0;
    for (size_t i = 0; i < s.len; i++) colons += s.p[i] == ':', dots += s.p[i] == '.';
    if (dots == 3 && colons == 1) s.len = (size_t)((const char *)memchr(s.p, ':', s.len) - s.p);
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == '.' || c == ':' || c == '%'))
            return (ks_str){"", 0};
    }
    return s;
}

static int parse_int(ks_str s, int *out)
{
    long v = 0;
    if (!s.len || s.len > 9) return 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') return 0;
        v = v * 10 + (s.p[i] - '0');
    }
    *out = (int)v;
    return 1;
}

static int is_zero(ks_str s)
{
    uint64_t v = 1;
    ks_value t = {(const uint8_t *)s.p, (uint32_t)s.len, KS_VT_UTF8};
    if (s.len > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
        for (size_t i = 2; i < s.len; i++)
            if (s.p[i] != '0') return 0;
        return 1;
    }
    return ks_value_u64(&t, &v) && v == 0;
}

static void apply(const map_row *r, ks_event *ev, ks_arena *a)
{
    ks_semantic *sem = &ev->sem;
    if (r->slot == S_OUTCOME && !r->field) {
        if (sem->outcome == KS_OUTCOME_UNKNOWN)
            sem->outcome = r->how == O_SUCCESS ? KS_OUTCOME_SUCCESS : KS_OUTCOME_FAILURE;
        return;
    }
    ks_str *dst = slot_str(sem, r->slot);
    if (dst && dst->len) return;
    if (r->slot == S_LOGON_TYPE && sem->logon_type >= 0) return;
    if (r->slot == S_OUTCOME && sem->outcome != KS_OUTCOME_UNKNOWN) return;
    const ks_field *f = ks_event_field(ev, r->field);
    if (!f) return;
    ks_str v = trim(text_of(f, a));
    if (!v.len) return;
    switch (r->slot) {
    case S_LOGON_TYPE: parse_int(v, &sem->logon_type); return;
    case S_OUTCOME: sem->outcome = is_zero(v) ? KS_OUTCOME_SUCCESS : KS_OUTCOME_FAILURE; return;
    default: break;
    }
    if (r->how == T_ADDR) v = clean_addr(v);
    if (r->how == T_STATUS && is_zero(v)) return;
    if (r->how == T_DOMAIN_USER) {
        const char *bs = memchr(v.p, '\\', v.len);
        if (bs) {
            if (!sem->domain.len) sem->domain = (ks_str){v.p, (size_t)(bs - v.p)};
            v = (ks_str){bs + 1, v.len - (size_t)(bs - v.p) - 1};
        }
    }
    *dst = v;
}

void ks_event_map(ks_event *ev, ks_arena *a)
{
    if (!ev->provider.len) return;
    pthread_once(&order_once, sort_rows);
    size_t lo = 0, hi = NROWS; /* first row with event_id >= ev->event_id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rows[order[mid]].event_id < ev->event_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < NROWS && rows[order[i]].event_id == ev->event_id; i++) {
        const map_row *r = &rows[order[i]];
        size_t n = strlen(r->provider);
        if (ev->provider.len == n && !memcmp(ev->provider.p, r->provider, n)) apply(r, ev, a);
    }
}
