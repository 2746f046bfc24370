/* String views: the small operations the text readers (CSV, Event XML, JSON lines, syslog
 * and its vendor parsers) do on ks_str (include/kensa/event.h), in one place. A ks_str is
 * a pointer and a length, not NUL-terminated; `z` arguments are NUL-terminated C
 * strings. Nothing here allocates; results point into the string given. */
#ifndef KS_UTIL_STR_H
#define KS_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "kensa/event.h"

/* z (NUL-terminated) as a view. */
static inline ks_str ks_str_of(const char *z)
{
    return (ks_str){z, strlen(z)};
}

/* s as a field value: UTF-8 text. */
static inline ks_value ks_str_value(ks_str s)
{
    return (ks_value){(const uint8_t *)s.p, (uint32_t)s.len, KS_VT_UTF8};
}

/* s is exactly z. */
static inline bool ks_str_eq(ks_str s, const char *z)
{
    size_t n = strlen(z);
    return s.len == n && (n == 0 || memcmp(s.p, z, n) == 0);
}

/* s starts with z. */
static inline bool ks_str_has_prefix(ks_str s, const char *z)
{
    size_t n = strlen(z);
    return s.len >= n && (n == 0 || memcmp(s.p, z, n) == 0);
}

/* s without its first n bytes (all of them when n is more). */
static inline ks_str ks_str_skip(ks_str s, size_t n)
{
    if (n > s.len) n = s.len;
    return (ks_str){s.p + n, s.len - n};
}

/* If *s starts with z, move *s past it and return true. */
static inline bool ks_str_eat(ks_str *s, const char *z)
{
    if (!ks_str_has_prefix(*s, z)) return false;
    *s = ks_str_skip(*s, strlen(z));
    return true;
}

/* The position of the first z (not empty) in s, or -1. */
static inline long ks_str_find(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return -1;
    const char *p = memmem(s.p, s.len, z, n);
    return p ? (long)(p - s.p) : -1;
}

/* The position of the last z (not empty) in s, or -1. */
static inline long ks_str_find_last(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return -1;
    for (size_t i = s.len - n + 1; i-- > 0;)
        if (memcmp(s.p + i, z, n) == 0) return (long)i;
    return -1;
}

/* s contains z (not empty). */
static inline bool ks_str_has(ks_str s, const char *z)
{
    return ks_str_find(s, z) >= 0;
}

/* s is z, ignoring ASCII case. */
static inline bool ks_str_ci_eq(ks_str s, const char *z)
{
    size_t n = strlen(z);
    return s.len == n && (n == 0 || strncasecmp(s.p, z, n) == 0);
}

/* s contains z (not empty), ignoring ASCII case. */
static inline bool ks_str_ci_has(ks_str s, const char *z)
{
    size_t n = strlen(z);
    if (!n || n > s.len) return false;
    for (size_t i = 0; i + n <= s.len; i++)
        if (strncasecmp(s.p + i, z, n) == 0) return true;
    return false;
}

/* s up to (not including) its first byte that is one of `stops` (a NUL byte never is). */
static inline ks_str ks_str_until(ks_str s, const char *stops)
{
    size_t i = 0;
    while (i < s.len && !(s.p[i] && strchr(stops, s.p[i]))) i++;
    return (ks_str){s.p, i};
}

/* s up to its first space. */
static inline ks_str ks_str_word(ks_str s)
{
    return ks_str_until(s, " ");
}

/* s without the bytes of `blanks` (never NUL) at either end. */
static inline ks_str ks_str_trim(ks_str s, const char *blanks)
{
    while (s.len && s.p[0] && strchr(blanks, s.p[0])) s.p++, s.len--;
    while (s.len && s.p[s.len - 1] && strchr(blanks, s.p[s.len - 1])) s.len--;
    return s;
}

/* The text after the first `marker` in s, up to one of `stops`; empty ("") if s has no
 * marker. */
static inline ks_str ks_str_after(ks_str s, const char *marker, const char *stops)
{
    long at = ks_str_find(s, marker);
    if (at < 0) return (ks_str){"", 0};
    return ks_str_until(ks_str_skip(s, (size_t)at + strlen(marker)), stops);
}

/* The text between single quotes right after the first `key` in s ("user 'x'" -> x), or
 * {NULL, 0}. */
static inline ks_str ks_str_quoted_after(ks_str s, const char *key)
{
    long at = ks_str_find(s, key);
    if (at < 0) return (ks_str){NULL, 0};
    ks_str r = ks_str_skip(s, (size_t)at + strlen(key));
    if (!ks_str_eat(&r, "'")) return (ks_str){NULL, 0};
    const char *q = memchr(r.p, '\'', r.len);
    return q ? (ks_str){r.p, (size_t)(q - r.p)} : (ks_str){NULL, 0};
}

/* The decimal number written with exactly the n (1 to 9) digits at p. */
static inline bool ks_digits(const char *p, size_t n, int *out)
{
    int v = 0;
    if (!n || n > 9) return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

#endif
