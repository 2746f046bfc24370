/* account_manipulation: an account created (4720) or added to a security group
 * (4728 global, 4732 local, 4756 universal), or the same done with net user /add,
 * net localgroup ... /add (4688, Sysmon 1). Additions to groups that grant control
 * (Administrators, Domain Admins, Remote Desktop Users, Backup Operators, ...) are
 * high; new accounts medium; other groups low. Changes on one host closer than
 * `merge_s` are one finding. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"

static const char *const PRIVILEGED[] = {
    "Administrators",
    "Domain Admins",
    "Enterprise Admins",
    "Schema Admins",
    "Remote Desktop Users",
    "Backup Operators",
    "Account Operators",
    "Server Operators",
    "DnsAdmins",
    "Group Policy Creator Owners",
    "Print Operators",
    "Remote Management Users",
    "Hyper-V Administrators",
    "Key Admins",
    "Enterprise Key Admins",
};

#define AM_KNOWN 64

typedef struct am {
    ks_group g;
    /* accounts created in this log (4720): SID -> name, to name group members that
     * 4732 gives only by SID; the last AM_KNOWN */
    struct {
        char sid[96], name[128];
    } known[AM_KNOWN];
    unsigned nknown;
    char masked[512];
} am;

static int am_open(ks_det *d, void **state)
{
    am *a = calloc(1, sizeof *a);
    if (!a || ks_group_open(&a->g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(a);
        return -1;
    }
    *state = a;
    return 0;
}

static bool privileged(ks_str group)
{
    for (size_t i = 0; i < sizeof PRIVILEGED / sizeof PRIVILEGED[0]; i++)
        if (ks_str_ieq(group, PRIVILEGED[i])) return true;
    return ks_str_icontains(group, "admin");
}

/* "CN=John,OU=..,DC=.." -> "John" */
static ks_str common_name(ks_str dn)
{
    if (dn.len > 3 && ks_str_ieq((ks_str){dn.p, 3}, "CN=")) {
        size_t k = 3;
        while (k < dn.len && dn.p[k] != ',') k++;
        return (ks_str){dn.p + 3, k - 3};
    }
    return dn;
}

static ks_str name_of(const am *a, ks_str sid)
{
    for (unsigned i = 0; i < AM_KNOWN && i < a->nknown; i++)
        if (ks_str_ieq(sid, a->known[i].sid))
            return (ks_str){a->known[i].name, strlen(a->known[i].name)};
    return sid;
}

/* "net user NAME PASSWORD /add": the password replaced by ****, so that reports
 * do not carry it. Other commands are copied as they are. */
static ks_str mask_password(am *a, ks_str cl)
{
    size_t n = 0, cap = sizeof a->masked;
    int after_user = -1; /* words since "user" */
    for (size_t i = 0; i < cl.len && n + 5 < cap;) {
        size_t k = i;
        while (k < cl.len && cl.p[k] != ' ') k++;
        ks_str word = {cl.p + i, k - i};
        if (after_user >= 0) after_user++;
        if (after_user == 2 && word.len && word.p[0] != '/') {
            memcpy(a->masked + n, "****", 4);
            n += 4;
        } else {
            size_t m = word.len < cap - 5 - n ? word.len : cap - 5 - n;
            if (m) memcpy(a->masked + n, word.p, m);
            n += m;
        }
        if (after_user < 0 && ks_str_ieq(word, "user")) after_user = 0;
        while (k < cl.len && cl.p[k] == ' ' && n + 5 < cap) a->masked[n++] = cl.p[k++];
        i = k;
    }
    a->masked[n] = 0;
    return (ks_str){a->masked, n};
}

/* Take item out of a ", "-separated list (a member named by SID before the 4720 that
 * names it). */
static bool list_remove(char *list, ks_str item)
{
    char *p = list;
    while (*p) {
        char *end = strstr(p, ", ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n && n == item.len && !strncasecmp(p, item.p, n)) {
            if (end)
                memmove(p, end + 2, strlen(end + 2) + 1);
            else
                *(p > list ? p - 2 : p) = 0;
            return true;
        }
        p = end ? end + 2 : p + n;
    }
    return false;
}

static void am_event(ks_det *d, void *state, const ks_event *ev)
{
    am *a = state;
    ks_str who = {"", 0}, group = {"", 0};
    ks_level lv;
    bool security = ks_event_is_security(ev);
    if (security && ev->event_id == 4720) {
        who = ev->sem.user;
        lv = KS_LEVEL_MEDIUM;
        ks_str sid = ks_det_text(d, ev, "TargetSid");
        if (sid.len && who.len) {
            unsigned slot = a->nknown++ % AM_KNOWN;
            ks_str_copy(a->known[slot].sid, sizeof a->known[slot].sid, sid);
            ks_str_copy(a->known[slot].name, sizeof a->known[slot].name, who);
        }
    } else if (security && (ev->event_id == 4728 || ev->event_id == 4732 || ev->event_id == 4756)) {
        who = common_name(ev->sem.user);
        if (!who.len) who = name_of(a, ks_det_text(d, ev, "MemberSid"));
        group = ks_det_text(d, ev, "TargetUserName");
        lv = privileged(group) ? KS_LEVEL_HIGH : KS_LEVEL_LOW;
    } else if ((security && ev->event_id == 4688) ||
               (ev->event_id == 1 && ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon"))) {
        ks_str image = ks_str_basename(ev->sem.process);
        ks_str cl = ev->sem.command_line;
        if (!ks_str_ieq(image, "net.exe") && !ks_str_ieq(image, "net1.exe")) return;
        if (!ks_str_icontains(cl, "/add")) return;
        bool grp = ks_str_icontains(cl, " localgroup ") || ks_str_icontains(cl, " group ");
        if (!grp && !ks_str_icontains(cl, " user ")) return;
        lv = grp ? (ks_str_icontains(cl, "admin") || ks_str_icontains(cl, "remote desktop")
                        ? KS_LEVEL_HIGH
                        : KS_LEVEL_LOW)
                 : KS_LEVEL_MEDIUM;
        group = mask_password(a, cl); /* the command says it all */
    } else {
        return;
    }
    bool fresh;
    ks_finding *f = ks_group_add(&a->g, d, "a", ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh) {
        f->user[0] = 0;
        f->accounts = 0;
        f->severity = lv;
    }
    if (lv > f->severity) f->severity = lv;
    if (who.len) ks_finding_add_user(f, who);
    if (ev->event_id == 4720) {
        ks_str sid = ks_det_text(d, ev, "TargetSid");
        if (sid.len && list_remove(f->user, sid) && f->accounts) f->accounts--;
    }
    if (fresh) f->variant = group.len ? 0 : 1;
    char item[256];
    if (group.len) {
        f->variant = 0;
        ks_str_copy(item, sizeof item, group);
        ks_finding_add_detail(f, (ks_str){item, strlen(item)});
    }
}

static void am_end_file(ks_det *d, void *state)
{
    am *a = state;
    ks_group_flush(&a->g, d);
    a->nknown = 0;
}

static void am_close(ks_det *d, void *state)
{
    am *a = state;
    ks_group_close(&a->g);
    free(a);
}

const ks_detector_def ks_detector_account_manipulation = {
    .info =
        {
            .id = "account_manipulation",
            .title = {"Account created or added to a group", "アカウントの作成・グループへの追加"},
            .explain =
                {
                    {"{count} account change(s) on {host}: {user} created or added to groups "
                     "({detail})",
                     "{host} でアカウントの変更が {count} 件: {user} の作成またはグループへの追加 "
                     "({detail})"},
                    {"{count} account(s) created on {host}: {user}",
                     "{host} でアカウントが {count} 件作成されました: {user}"},
                },
            .categories = {"account_manipulation"},
            .attack = "T1136 T1098",
            .severity = KS_LEVEL_MEDIUM,
            .params =
                {
                    {"merge_s", 600,
                     "changes on one host within this many seconds are one "
                     "finding"},
                },
        },
    .open = am_open,
    .event = am_event,
    .end_file = am_end_file,
    .close = am_close,
};
