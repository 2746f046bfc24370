/* CRC-32 (the gzip polynomial, as EVTX uses): zlib's, or a carry-less multiply
 * version on x86-64 processors that have PCLMULQDQ (about ten times faster, so that
 * checking every chunk costs little). */
#ifndef KS_UTIL_CRC32_H
#define KS_UTIL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue crc (0 to start) over n bytes, like zlib's crc32(). */
uint32_t ks_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
