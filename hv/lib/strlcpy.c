/*
 * hv/lib/strlcpy.c - C library routines hv needs beyond ../lib/string.c (which hv
 * shares with the guest kernel: memcpy, memset, memmove, memcmp, strlen,
 * strnlen, strcmp, strncmp, strchr, strtoul).  ABI carried: none.
 */
#include "lib/hv.h"

size_t strlcpy(char *d, const char *s, size_t n)
{
    size_t len = strlen(s);
    if (n) {
        size_t k = len < n - 1 ? len : n - 1;
        memcpy(d, s, k);
        d[k] = 0;
    }
    return len;
}
