/* The evidence walk: files and directories given on the command line, expanded to
 * the files in them with the format each one's content says it is. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kensa/source.h"

#define KS_WALK_MAX_DEPTH 32
#define KS_WALK_HEAD (64 * 1024)

static void classify(const char *path, ks_walk_fn fn, void *ctx, uint8_t *head)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fn(ctx, path, KS_FORMAT_UNKNOWN, strerror(errno));
        return;
    }
    size_t n = 0;
    while (n < KS_WALK_HEAD) {
        ssize_t k = read(fd, head + n, KS_WALK_HEAD - n);
        if (k <= 0) break;
        n += (size_t)k;
    }
    close(fd);
    const char *why = NULL;
    ks_format f = ks_format_detect(head, n, &why);
    fn(ctx, path, f, why);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(const char *dir, ks_walk_fn fn, void *ctx, uint8_t *head, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        fn(ctx, dir, KS_FORMAT_UNKNOWN, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **v = realloc(names, nc * sizeof *v);
            if (!v) break;
            names = v, cap = nc;
        }
        if ((names[n] = strdup(e->d_name))) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(len);
        if (p) {
            memcpy(p, dir, strlen(dir));
            p[strlen(dir)] = '/';
            memcpy(p + strlen(dir) + 1, names[i], strlen(names[i]) + 1);
            struct stat st;
            if (lstat(p, &st) == 0) {
                if (S_ISDIR(st.st_mode) && depth < KS_WALK_MAX_DEPTH)
                    walk_dir(p, fn, ctx, head, depth + 1);
                else if (S_ISREG(st.st_mode))
                    classify(p, fn, ctx, head);
            }
            free(p);
        }
        free(names[i]);
    }
    free(names);
}

ks_status ks_evidence_walk(const char *path, ks_walk_fn fn, void *ctx, ks_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0) return ks_diag_set(diag, KS_ERR_IO, path, 0, "%s", strerror(errno));
    uint8_t *head = malloc(KS_WALK_HEAD);
    if (!head) return KS_ERR_NOMEM;
    if (S_ISDIR(st.st_mode))
        walk_dir(path, fn, ctx, head, 0);
    else
        classify(path, fn, ctx, head);
    free(head);
    return KS_OK;
}
