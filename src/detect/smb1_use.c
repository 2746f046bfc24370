/* smb1_use: clients speaking SMB1 to a server (SMBServer Audit 3000, written when
 * "Audit SMB1 access" is on): the protocol WannaCry and NotPetya spread through,
 * and a sign of old medical devices or of an attack tool. The accesses to one host
 * closer than `merge_s` are one finding naming the client addresses. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

static int smb1_open(ks_det *d, void **state)
{
    ks_group *g = calloc(1, sizeof *g);
    if (!g || ks_group_open(g, ks_det_param(d, "merge_s") * KS_SECOND_NS) != 0) {
        free(g);
        return -1;
    }
    *state = g;
    return 0;
}

static void smb1_event(ks_det *d, void *state, const ks_event *ev)
{
    if (ev->event_id != 3000 || !ks_str_eq(ev->provider, "Microsoft-Windows-SMBServer")) return;
    bool fresh;
    ks_finding *f = ks_group_add(state, d, "1", ev->host, (ks_str){"", 0}, ev, &fresh);
    if (!f) return;
    if (fresh) f->user[0] = 0, f->accounts = 0;
    ks_str client = ev->sem.src_ip.len ? ev->sem.src_ip : ks_det_text(d, ev, "ClientName");
    if (!client.len) return;
    if (!fresh && strcmp(f->src_ip, "") && !ks_str_ieq(client, f->src_ip)) f->src_ip[0] = 0;
    char c[80];
    ks_str_copy(c, sizeof c, client);
    ks_finding_add_detail(f, (ks_str){c, strlen(c)});
}

static void smb1_end_file(ks_det *d, void *state)
{
    ks_group_flush(state, d);
}

static void smb1_close(ks_det *d, void *state)
{
    (void)d;
    ks_group_close(state);
    free(state);
}

const ks_detector_def ks_detector_smb1_use = {
    .info =
        {
            .id = "smb1_use",
            .title = {"SMB1 in use", "SMB1 の使用"},
            .explain =
                {
                    {"{count} SMB1 access(es) to {host} from: {detail}",
                     "{host} への SMB1 アクセスが {count} 件: {detail}"},
                },
            .categories = {"smb1_use"},
            .attack = "T1210",
            .severity = KS_LEVEL_MEDIUM,
            .params =
                {
                    {"merge_s", 86400,
                     "SMB1 accesses to one host within this many seconds are one finding"},
                },
        },
    .open = smb1_open,
    .event = smb1_event,
    .end_file = smb1_end_file,
    .close = smb1_close,
};
