/* Option values several verbs share: --year, --set DETECTOR.SETTING=VALUE, and
 * --case, where hunt and investigate keep their findings. Each prints its own
 * message on stderr when something is wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kensa/case.h"
#include "kensa/kensa.h"

int cli_year(const char *s, int *year)
{
    char *end;
    long y = strtol(s, &end, 10);
    if (!*s || *end || y < 1970 || y > 2200) {
        fprintf(stderr, "--year: a year such as 2026\n");
        return -1;
    }
    *year = (int)y;
    return 0;
}

int cli_set(const char *a, char names[2][64], ks_detect_override *out)
{
    const char *dot = strchr(a, '.'), *eq = strchr(a, '=');
    char *end = NULL;
    long long v = eq ? strtoll(eq + 1, &end, 10) : 0;
    if (!dot || !eq || dot > eq || (size_t)(dot - a) >= 64 || (size_t)(eq - dot - 1) >= 64 ||
        end == eq + 1 || *end) {
        fprintf(stderr, ks_msg(KS_MSG_HUNT_BAD_SET), a);
        return -1;
    }
    memcpy(names[0], a, (size_t)(dot - a));
    names[0][dot - a] = 0;
    memcpy(names[1], dot + 1, (size_t)(eq - dot - 1));
    names[1][eq - dot - 1] = 0;
    *out = (ks_detect_override){names[0], names[1], v};
    return 0;
}

/* Open the case and store the findings: f[0..n) when get is NULL, else from get. */
static int case_store(const char *path, const char *tool, const ks_finding *f, size_t n,
                      ks_finding_get_fn get, void *ctx, int quiet, ks_case **keep, int64_t *run)
{
    ks_case *c = NULL;
    ks_diag d = {0};
    if (ks_case_open(&c, path, &d) != KS_OK ||
        (get ? ks_case_put_findings_from(c, tool, n, get, ctx, run, &d)
             : ks_case_put_findings(c, tool, f, n, run, &d)) != KS_OK) {
        fprintf(stderr, ks_msg(KS_MSG_CASE_CANNOT_OPEN), path, d.what);
        ks_case_close(&c);
        return -1;
    }
    if (!quiet) fprintf(stderr, ks_msg(KS_MSG_CASE_FINDINGS), n, tool, path);
    if (keep)
        *keep = c;
    else
        ks_case_close(&c);
    return 0;
}

int cli_case_store(const char *path, const char *tool, const ks_finding *f, size_t n, int quiet,
                   ks_case **keep, int64_t *run)
{
    return case_store(path, tool, f, n, NULL, NULL, quiet, keep, run);
}

int cli_case_store_from(const char *path, const char *tool, size_t n, ks_finding_get_fn get,
                        void *ctx, int quiet, ks_case **keep, int64_t *run)
{
    return case_store(path, tool, NULL, n, get, ctx, quiet, keep, run);
}
