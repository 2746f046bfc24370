/* The JSON lines of backup scans: one record per file (the manifest) and one per
 * generation. Field names are stable: manifests are read back as the previous
 * generation (ks_backup_index_load) and by jq. */
#include <stdio.h>

#include "kensa/backup.h"
#include "kensa/buf.h"

static void jstr(ks_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    ks_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            ks_buf_putc(b, '\\');
            ks_buf_putc(b, (char)c);
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            ks_buf_append(b, e, 6);
        } else {
            ks_buf_putc(b, (char)c);
        }
    }
    ks_buf_putc(b, '"');
}

static void key(ks_buf *b, const char *k)
{
    ks_buf_printf(b, ",\"%s\":", k);
}

void ks_backup_file_write_json(ks_buf *b, const char *path, int64_t mtime, const ks_backup_file *f)
{
    ks_buf_puts(b, "{\"type\":\"file\",\"path\":");
    jstr(b, path);
    key(b, "size");
    ks_buf_u64(b, f->size);
    key(b, "mtime");
    ks_buf_i64(b, mtime);
    key(b, "sha256");
    ks_buf_putc(b, '"');
    for (int i = 0; i < 32; i++) ks_buf_printf(b, "%02x", f->sha256[i]);
    ks_buf_putc(b, '"');
    ks_buf_printf(b, ",\"entropy\":%.4f,\"chi2\":%.1f", f->entropy, f->chi2);
    ks_buf_printf(b, ",\"blocks\":%llu,\"random_blocks\":%llu,\"unexpected_blocks\":%llu",
                  (unsigned long long)f->blocks, (unsigned long long)f->random_blocks,
                  (unsigned long long)f->unexpected_blocks);
    key(b, "detected");
    jstr(b, ks_backup_type_name(f->type));
    key(b, "structure");
    jstr(b, f->structure == KS_BS_OK ? "ok" : f->structure == KS_BS_BROKEN ? "broken" : "none");
    key(b, "verdict");
    jstr(b, ks_backup_verdict_name(f->verdict));
    key(b, "reason");
    jstr(b, f->reason);
    ks_buf_puts(b, "}\n");
}

void ks_backup_gen_write_json(ks_buf *b, const char *path, const ks_backup_gen *g)
{
    ks_buf_puts(b, "{\"type\":\"generation\",\"path\":");
    jstr(b, path);
    ks_buf_printf(b, ",\"files\":%llu,\"bytes\":%llu", (unsigned long long)g->files,
                  (unsigned long long)g->bytes);
    ks_buf_puts(b, ",\"verdicts\":{");
    for (int v = 0; v < KS_BV_COUNT; v++)
        ks_buf_printf(b, "%s\"%s\":%llu", v ? "," : "",
                      ks_backup_verdict_name((ks_backup_verdict)v),
                      (unsigned long long)g->by_verdict[v]);
    ks_buf_putc(b, '}');
    if (g->has_previous) {
        ks_buf_printf(b,
                      ",\"previous\":{\"files\":%llu,\"added\":%llu,\"deleted\":%llu,"
                      "\"modified\":%llu,\"renamed\":%llu,\"unchanged\":%llu,"
                      "\"share_changed\":%.4f,\"max_folder_renames\":%llu,\"renames_folder\":",
                      (unsigned long long)g->prev_files, (unsigned long long)g->added,
                      (unsigned long long)g->deleted, (unsigned long long)g->modified,
                      (unsigned long long)g->renamed, (unsigned long long)g->unchanged,
                      g->share_changed, (unsigned long long)g->max_folder_renames);
        jstr(b, g->renames_folder);
        ks_buf_printf(b, ",\"max_extension_deletions\":%llu,\"deletions_extension\":",
                      (unsigned long long)g->max_ext_deletions);
        jstr(b, g->deletions_ext);
        ks_buf_printf(b, ",\"moved\":%llu,\"unverified\":%llu", (unsigned long long)g->moved,
                      (unsigned long long)g->unverified);
        ks_buf_printf(b, ",\"new_extensions\":%llu,\"new_extension\":",
                      (unsigned long long)g->new_extensions);
        jstr(b, g->new_extension);
        ks_buf_putc(b, '}');
    }
    key(b, "verdict");
    jstr(b, ks_backup_gen_verdict_name(g->verdict));
    key(b, "reason");
    jstr(b, g->reason);
    ks_buf_puts(b, "}\n");
}
