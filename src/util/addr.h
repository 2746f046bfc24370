/* Addresses as the detectors and the case see them: internal or loopback, and the
 * country of an outside one from a MaxMind DB file (libmaxminddb: the CC0
 * geo-whois-asn-country database that scripts/install-deps puts in data/geoip/, or any
 * country database given by path or $KENSA_GEOIP). */
#ifndef KS_UTIL_ADDR_H
#define KS_UTIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "kensa/event.h"

/* Loopback, private, link-local or shared addresses (RFC 1918, 6598, 4193, ...). */
bool ks_addr_is_internal(ks_str ip);
bool ks_addr_is_loopback(ks_str ip);

/* A country database (MaxMind DB format, e.g. the CC0 geo-whois-asn-country).
 * ks_geoip_open tries `path`, else $KENSA_GEOIP, else data/geoip/ next to the
 * executable (or above it, for build trees) and in the source tree; NULL with a
 * one-line reason in why[] when none opens or kensa was built without libmaxminddb. */
typedef struct ks_geoip ks_geoip;
ks_geoip *ks_geoip_open(const char *path, char *why, size_t cap);
/* The ISO 3166 alpha-2 code of ip's country into cc[3]; false when unknown. */
bool ks_geoip_country(ks_geoip *g, ks_str ip, char cc[3]);
/* The path it was opened from. */
const char *ks_geoip_path(const ks_geoip *g);
void ks_geoip_close(ks_geoip **g);

#endif
