/* Time conversion and ISO 8601 formatting, without the C library's time zone state
 * (so that it is thread-safe and works on any year). */
#include "kensa/time.h"

#define FT_EPOCH_DIFF_TICKS UINT64_C(116444736000000000) /* 1601 -> 1970 in 100 ns */

int64_t ks_time_from_filetime(uint64_t ft)
{
    if (ft >= FT_EPOCH_DIFF_TICKS) {
        uint64_t t = ft - FT_EPOCH_DIFF_TICKS;
        if (t > (uint64_t)INT64_MAX / 100) return INT64_MAX;
        return (int64_t)t * 100;
    }
    uint64_t t = FT_EPOCH_DIFF_TICKS - ft;
    if (t > (uint64_t)INT64_MAX / 100) return INT64_MIN;
    return -(int64_t)t * 100;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t ks_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void ks_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put_digits(char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* days since 1970, seconds of day, nanoseconds */
static void format_parts(ks_buf *out, int64_t days, uint32_t sod, uint32_t nsec, int digits)
{
    int64_t y;
    unsigned mo, d;
    ks_civil_from_days(days, &y, &mo, &d);
    if (y < 0 || y > 9999) {
        ks_buf_i64(out, y);
    } else {
        char yy[4];
        put_digits(yy, (uint64_t)y, 4);
        ks_buf_append(out, yy, 4);
    }
    char s[32];
    s[0] = '-';
    put_digits(s + 1, mo, 2);
    s[3] = '-';
    put_digits(s + 4, d, 2);
    s[6] = 'T';
    put_digits(s + 7, sod / 3600, 2);
    s[9] = ':';
    put_digits(s + 10, sod / 60 % 60, 2);
    s[12] = ':';
    put_digits(s + 13, sod % 60, 2);
    size_t n = 15;
    if (digits > 9) digits = 9;
    if (digits > 0) {
        uint32_t f = nsec;
        for (int i = digits; i < 9; i++) f /= 10;
        s[n++] = '.';
        put_digits(s + n, f, digits);
        n += (size_t)digits;
    }
    s[n++] = 'Z';
    ks_buf_append(out, s, n);
}

void ks_time_format(ks_buf *out, int64_t ns, int digits)
{
    int64_t sec = ns / 1000000000, rem = ns % 1000000000;
    if (rem < 0) {
        rem += 1000000000;
        sec--;
    }
    int64_t days = sec / 86400, sod = sec % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    format_parts(out, days, (uint32_t)sod, (uint32_t)rem, digits);
}

void ks_filetime_format(ks_buf *out, uint64_t ft, int digits)
{
    uint64_t secs = ft / 10000000;
    uint32_t nsec = (uint32_t)(ft % 10000000) * 100;
    /* 1601-01-01 is 134774 days before 1970-01-01 */
    int64_t days = (int64_t)(secs / 86400) - 134774;
    format_parts(out, days, (uint32_t)(secs % 86400), nsec, digits);
}

static int digits_at(const char *p, size_t n, size_t at, int len, int *out)
{
    if (at + (size_t)len > n) return 0;
    int v = 0;
    for (int k = 0; k < len; k++) {
        char ch = p[at + k];
        if (ch < '0' || ch > '9') return 0;
        v = v * 10 + (ch - '0');
    }
    *out = v;
    return 1;
}

int ks_time_parse_iso8601(const char *p, size_t n, int64_t *ns, bool *has_zone)
{
    int f[6] = {0};
    const size_t at[6] = {0, 5, 8, 11, 14, 17};
    const int len[6] = {4, 2, 2, 2, 2, 2};
    if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') || p[13] != ':' ||
        p[16] != ':')
        return 0;
    for (int i = 0; i < 6; i++)
        if (!digits_at(p, n, at[i], len[i], &f[i])) return 0;
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
        return 0;
    int64_t frac = 0;
    size_t i = 19;
    if (i < n && (p[i] == '.' || p[i] == ',')) {
        int digits = 0;
        for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            if (digits < 9) frac = frac * 10 + (p[i] - '0'), digits++;
        while (digits++ < 9) frac *= 10;
    }
    int64_t off = 0;
    bool zone = false;
    if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
        zone = true, i++;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        int hh, mm = 0;
        if (!digits_at(p, n, i + 1, 2, &hh)) return 0;
        size_t j = i + 3;
        if (j < n && p[j] == ':') j++;
        if (j < n && !digits_at(p, n, j, 2, &mm)) return 0;
        if (j < n) j += 2;
        off = (int64_t)(hh * 3600 + mm * 60) * (p[i] == '-' ? -1 : 1);
        zone = true, i = j;
    }
    if (i != n) return 0;
    int64_t days = ks_days_from_civil(f[0], (unsigned)f[1], (unsigned)f[2]);
    int64_t secs = days * 86400 + f[3] * 3600 + f[4] * 60 + f[5] - off;
    /* outside what int64 nanoseconds hold (years 1678-2262): saturate, as FILETIMEs do */
    if (secs >= INT64_MAX / 1000000000)
        *ns = INT64_MAX;
    else if (secs <= INT64_MIN / 1000000000)
        *ns = INT64_MIN;
    else
        *ns = secs * 1000000000 + frac;
    if (has_zone) *has_zone = zone;
    return 1;
}
