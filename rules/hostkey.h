/* hostkey.h - keys for per-host and per-host-pair state (thresholds, xbits,
 * rate limits): which addresses an entry is tracked by. */
#ifndef TG_HOSTKEY_H
#define TG_HOSTKEY_H

#include <string.h>
#include "../sensor/packet.h"

enum track_by {
    TRACK_BY_SRC = 0,
    TRACK_BY_DST,
    TRACK_BY_BOTH,  /* the (src, dst) pair, order kept */
    TRACK_BY_PAIR,  /* the pair, either order (xbits ip_pair) */
    TRACK_BY_RULE   /* one counter for the rule */
};

struct hostkey {
    struct ip_addr a, b;
    uint8_t track;
};

/* Fill k from src/dst as track says. */
static inline void hostkey_make(struct hostkey *k, enum track_by track,
                                const struct ip_addr *src, const struct ip_addr *dst)
{
    memset(k, 0, sizeof *k);
    k->track = (uint8_t)track;
    switch (track) {
    case TRACK_BY_SRC: k->a = *src; break;
    case TRACK_BY_DST: k->a = *dst; break;
    case TRACK_BY_BOTH: k->a = *src; k->b = *dst; break;
    case TRACK_BY_PAIR:
        if (ip_addr_cmp(src, dst) <= 0) {
            k->a = *src;
            k->b = *dst;
        } else {
            k->a = *dst;
            k->b = *src;
        }
        break;
    case TRACK_BY_RULE: break;
    }
}

/* Keyed FNV-1a over the key bytes and extra; seed is per table. */
static inline uint32_t hostkey_hash(const struct hostkey *k, uint64_t extra, uint64_t seed)
{
    uint64_t h = 1469598103934665603ULL ^ seed;
    const uint8_t *p = (const uint8_t *)k;
    for (size_t i = 0; i < sizeof *k; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    for (int i = 0; i < 8; i++) {
        h ^= (uint8_t)(extra >> (i * 8));
        h *= 1099511628211ULL;
    }
    return (uint32_t)(h ^ (h >> 32));
}

#endif
