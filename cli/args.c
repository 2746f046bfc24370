/* Option values several verbs share: --year, --set DETECTOR.SETTING=VALUE. Each
 * prints its own message on stderr when the value is bad. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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
