/* SHA-256 over OpenSSL's EVP interface (see sha256.h for why not libsodium). */
#include "util/sha256.h"

#include <openssl/evp.h>
#include <string.h>

int ks_sha256_init(ks_sha256 *h)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(c);
        h->ctx = NULL;
        return -1;
    }
    h->ctx = c;
    return 0;
}

void ks_sha256_update(ks_sha256 *h, const void *p, size_t n)
{
    if (h->ctx && n) EVP_DigestUpdate(h->ctx, p, n);
}

void ks_sha256_final(ks_sha256 *h, uint8_t out[32])
{
    unsigned len = 0;
    if (h->ctx) EVP_DigestFinal_ex(h->ctx, out, &len);
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

void ks_sha256_hex(const uint8_t md[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int ks_sha256_from_hex(const char *hex, size_t n, uint8_t md[32])
{
    memset(md, 0, 32);
    if (!hex || n != 64) return -1;
    for (int i = 0; i < 32; i++) {
        int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
        if (a < 0 || b < 0) {
            memset(md, 0, 32);
            return -1;
        }
        md[i] = (uint8_t)(a << 4 | b);
    }
    return 0;
}
