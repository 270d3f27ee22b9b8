/* xbits.c - host and host-pair bits with expiry, in a chained hash table. */
#include <stdlib.h>
#include <string.h>
#include "../sensor/config.h"
#include "xbits.h"

#define XBITS_BUCKETS 16384

struct xbit {
    struct hostkey key;
    uint32_t id;
    uint64_t expire_ns;
    struct xbit *next;
};

struct xbits {
    struct xbit *buckets[XBITS_BUCKETS];
    size_t count, max;
    uint64_t seed;
    struct stats *stats;
};

struct xbits *xbits_new(const struct config *cfg, struct stats *st)
{
    struct xbits *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->max = config_get_u64(cfg, "detect.xbits.max-entries", 65536);
    x->seed = (uint64_t)(uintptr_t)x * 0x9e3779b97f4a7c15ULL;
    x->stats = st;
    return x;
}

void xbits_free(struct xbits *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < XBITS_BUCKETS; i++) {
        struct xbit *b = x->buckets[i];
        while (b) {
            struct xbit *n = b->next;
            free(b);
            b = n;
        }
    }
    free(x);
}

size_t xbits_count(const struct xbits *x) { return x->count; }

/* The key of a bit. Like Suricata's host table, ip_src and ip_dst name
 * the same store: a bit set on the destination host ("track ip_dst") is
 * the one a later "isset, track ip_src" sees when that host sends. */
static void xbits_key(struct hostkey *k, enum track_by track, const struct ip_addr *src, const struct ip_addr *dst)
{
    hostkey_make(k, track, src, dst);
    if (track == TRACK_BY_DST)
        k->track = TRACK_BY_SRC;
}

/* Find the entry of (id, key) in its bucket; also drops expired entries
 * met on the way so the table cleans itself as it is used. */
static struct xbit **xbits_slot(struct xbits *x, uint32_t id, const struct hostkey *k, uint64_t now_ns)
{
    struct xbit **pp = &x->buckets[hostkey_hash(k, id, x->seed) % XBITS_BUCKETS];
    while (*pp) {
        struct xbit *b = *pp;
        if (b->id == id && memcmp(&b->key, k, sizeof *k) == 0)
            return pp;
        if (now_ns && b->expire_ns <= now_ns) {
            *pp = b->next;
            free(b);
            x->count--;
            continue;
        }
        pp = &b->next;
    }
    return pp;
}

int xbits_set(struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
              const struct ip_addr *dst, uint64_t now_ns, uint32_t expire_s)
{
    struct hostkey k;
    xbits_key(&k, track, src, dst);
    struct xbit **pp = xbits_slot(x, id, &k, now_ns);
    if (!*pp) {
        struct xbit *b = x->count < x->max ? calloc(1, sizeof *b) : NULL;
        if (!b) {
            stats_inc(x->stats, STAT_DETECT_XBITS_CAP_HIT);
            return TG_ERROR;
        }
        b->key = k;
        b->id = id;
        *pp = b;
        x->count++;
    }
    (*pp)->expire_ns = now_ns + (uint64_t)expire_s * TG_NS_PER_SEC;
    return TG_OK;
}

void xbits_unset(struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
                 const struct ip_addr *dst)
{
    struct hostkey k;
    xbits_key(&k, track, src, dst);
    struct xbit **pp = xbits_slot(x, id, &k, 0);
    if (*pp) {
        struct xbit *b = *pp;
        *pp = b->next;
        free(b);
        x->count--;
    }
}

bool xbits_isset(const struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
                 const struct ip_addr *dst, uint64_t now_ns)
{
    struct hostkey k;
    xbits_key(&k, track, src, dst);
    for (const struct xbit *b = x->buckets[hostkey_hash(&k, id, x->seed) % XBITS_BUCKETS]; b; b = b->next)
        if (b->id == id && memcmp(&b->key, &k, sizeof k) == 0)
            return b->expire_ns > now_ns;
    return false;
}

int xbits_toggle(struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
                 const struct ip_addr *dst, uint64_t now_ns, uint32_t expire_s)
{
    if (xbits_isset(x, id, track, src, dst, now_ns)) {
        xbits_unset(x, id, track, src, dst);
        return TG_OK;
    }
    return xbits_set(x, id, track, src, dst, now_ns, expire_s);
}
