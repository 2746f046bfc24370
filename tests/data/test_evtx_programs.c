/* Compiled rendering (src/evtx/program.c) must write exactly what the tree
 * renderers write, byte for byte, for every record of every shared real log, in
 * both formats. Also counts how many records took the fast path. */
#include <dirent.h>
#include <sys/stat.h>

#include "evtx/evtx_internal.h"
#include "harness.h"
#include "kensa/kensa.h"

static long records, fast, differ;
static ks_buf a, b;

static void check_file(const char *path)
{
    ks_evtx *r = NULL;
    if (ks_evtx_open(&r, path, NULL) != KS_OK) return;
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) {
        records++;
        for (int fmt = 0; fmt < 2; fmt++) {
            ks_buf_reset(&a);
            ks_buf_reset(&b);
            ks_evtx_programs = 1;
            if (fmt == 0)
                ks_evtx_render_xml(rec, &a);
            else
                ks_evtx_render_json(rec, &a);
            if (fmt == 1 &&
                ks_prog_render(rec->cursor, rec->cursor->doc, KS_FMT_JSON, 0, &b) == KS_OK)
                fast++;
            ks_buf_reset(&b);
            ks_evtx_programs = 0;
            if (fmt == 0)
                ks_evtx_render_xml(rec, &b);
            else
                ks_evtx_render_json(rec, &b);
            ks_evtx_programs = 1;
            if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
                if (differ++ < 3)
                    fprintf(stderr,
                            "%s record %llu (%s) differs:\n--- program\n%.*s\n--- tree\n%.*s\n",
                            path, (unsigned long long)rec->record_id, fmt ? "json" : "xml",
                            (int)a.len, a.data, (int)b.len, b.data);
            }
        }
    }
    ks_evtx_close(&r);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            walk(p);
        else if (strstr(e->d_name, ".evtx"))
            check_file(p);
    }
    closedir(d);
}

int main(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/evtx", ks_test_data_dir());
    walk(dir);
    printf("%ld records, %ld rendered by programs, %ld differ\n", records, fast, differ);
    CHECK(records > 20000);
    CHECK_INT(differ, 0);
    CHECK(fast > records * 9 / 10); /* the fast path is the usual one */
    ks_buf_free(&a);
    ks_buf_free(&b);
    return ks_test_done();
}
