/* sip-media.c - keyed hash of SDP media expectations and RTP flow attachments for the call tracker. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "flow.h"
#include "table-mem.h"
#include "sip-media.h"

#define SIP_MEDIA_BUCKETS_MIN 1024u

struct sip_media_table {
    struct sip_media_entry **buckets;
    uint32_t mask;
    uint32_t max;
    size_t count;
    uint64_t k0, k1;
};

struct sip_media_table *sip_media_new(uint32_t max)
{
    struct sip_media_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->max = max ? max : SIP_MEDIA_DEFAULT_MAX;
    /* about one entry per bucket at the cap, bounded so a huge cap does not
     * allocate a huge array up front */
    uint32_t nb = SIP_MEDIA_BUCKETS_MIN;
    while (nb < t->max && nb < (1u << 20))
        nb <<= 1;
    t->buckets = table_mem_calloc(nb, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->mask = nb - 1;
    uint64_t seed[2] = {0x736970u, 0x6d65646961u};
    /* a fixed fallback only weakens collision resistance, never correctness */
    if (getrandom(seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        seed[0] ^= (uint64_t)(uintptr_t)t;
    }
    t->k0 = seed[0];
    t->k1 = seed[1];
    return t;
}

void sip_media_free(struct sip_media_table *t)
{
    if (!t)
        return;
    /* Walk the buckets only while entries are left: the array is large and
     * mostly never touched (a walk would fault in every page of it). */
    for (uint32_t i = 0; i <= t->mask && t->count; i++) {
        struct sip_media_entry *e = t->buckets[i];
        while (e) {
            struct sip_media_entry *n = e->hnext;
            free(e);
            t->count--;
            e = n;
        }
    }
    table_mem_free(t->buckets, (size_t)t->mask + 1, sizeof *t->buckets);
    free(t);
}

static uint32_t sip_media_hash_ep(const struct sip_media_table *t, const struct ip_addr *a, uint16_t port)
{
    uint8_t k[20];
    k[0] = a->family;
    k[1] = 0;
    k[2] = (uint8_t)(port >> 8);
    k[3] = (uint8_t)port;
    memcpy(k + 4, a->b, 16);
    return (uint32_t)flow_siphash24(t->k0, t->k1, k, sizeof k) & t->mask;
}

static uint32_t sip_media_hash_flow(const struct sip_media_table *t, uint64_t id)
{
    uint8_t k[9];
    k[0] = 0xff;
    for (int i = 0; i < 8; i++)
        k[1 + i] = (uint8_t)(id >> (8 * i));
    return (uint32_t)flow_siphash24(t->k0, t->k1, k, sizeof k) & t->mask;
}

static bool sip_media_ep_eq(const struct sip_media_entry *e, const struct ip_addr *a, uint16_t port)
{
    size_t n = a->family == 6 ? 16 : 4;
    return !e->is_flow && e->port == port && e->addr.family == a->family && memcmp(e->addr.b, a->b, n) == 0;
}

static void sip_media_unlink_hash(struct sip_media_table *t, struct sip_media_entry *e)
{
    uint32_t b = e->is_flow ? sip_media_hash_flow(t, e->flow_id) : sip_media_hash_ep(t, &e->addr, e->port);
    for (struct sip_media_entry **pp = &t->buckets[b]; *pp; pp = &(*pp)->hnext)
        if (*pp == e) {
            *pp = e->hnext;
            t->count--;
            return;
        }
}

/* Unlink e from the owner list it is on, when that list is olist. */
static void sip_media_unlink_owner(struct sip_media_entry *e, struct sip_media_entry **olist)
{
    for (struct sip_media_entry **pp = olist; *pp; pp = &(*pp)->onext)
        if (*pp == e) {
            *pp = e->onext;
            return;
        }
}

void sip_media_remove(struct sip_media_table *t, struct sip_media_entry *e, struct sip_media_entry **olist)
{
    sip_media_unlink_hash(t, e);
    sip_media_unlink_owner(e, olist);
    free(e);
}

void sip_media_forget(struct sip_media_table *t, struct sip_media_entry **olist)
{
    struct sip_media_entry *e = *olist;
    while (e) {
        struct sip_media_entry *n = e->onext;
        sip_media_unlink_hash(t, e);
        free(e);
        e = n;
    }
    *olist = NULL;
}

static struct sip_media_entry *sip_media_add(struct sip_media_table *t, uint32_t b, void *owner, uint32_t tag,
                                             struct sip_media_entry **olist, int *rc)
{
    if (t->count >= t->max) {
        *rc = TG_DECLINED;
        return NULL;
    }
    struct sip_media_entry *e = calloc(1, sizeof *e);
    if (!e) {
        *rc = TG_ERROR;
        return NULL;
    }
    e->owner = owner;
    e->tag = tag;
    e->hnext = t->buckets[b];
    t->buckets[b] = e;
    e->onext = *olist;
    *olist = e;
    t->count++;
    *rc = TG_OK;
    return e;
}

int sip_media_expect(struct sip_media_table *t, const struct ip_addr *addr, uint16_t port, void *owner,
                     uint32_t tag, struct sip_media_entry **olist)
{
    if (addr->family != 4 && addr->family != 6)
        return TG_ERROR;
    uint32_t b = sip_media_hash_ep(t, addr, port);
    for (struct sip_media_entry *e = t->buckets[b]; e; e = e->hnext) {
        if (!e->owner || !sip_media_ep_eq(e, addr, port))
            continue;
        if (e->owner == owner) {
            e->tag = tag;
            return TG_OK;
        }
        /* another call's old expectation: the new offer takes the port.
         * The old entry stays on its owner's list (freed with it) but no
         * longer matches. */
        if (e->owner)
            e->owner = NULL;
    }
    int rc;
    struct sip_media_entry *e = sip_media_add(t, b, owner, tag, olist, &rc);
    if (e) {
        e->addr = *addr;
        e->port = port;
    }
    return rc;
}

void *sip_media_lookup(const struct sip_media_table *t, const struct ip_addr *addr, uint16_t port, uint32_t *tag)
{
    if (addr->family != 4 && addr->family != 6)
        return NULL;
    for (struct sip_media_entry *e = t->buckets[sip_media_hash_ep(t, addr, port)]; e; e = e->hnext)
        if (e->owner && sip_media_ep_eq(e, addr, port)) {
            if (tag)
                *tag = e->tag;
            return e->owner;
        }
    return NULL;
}

int sip_media_attach(struct sip_media_table *t, uint64_t flow_id, void *owner, uint32_t tag,
                     struct sip_media_entry **olist)
{
    int rc;
    struct sip_media_entry *e = sip_media_add(t, sip_media_hash_flow(t, flow_id), owner, tag, olist, &rc);
    if (e) {
        e->is_flow = true;
        e->flow_id = flow_id;
    }
    return rc;
}

void *sip_media_attached(const struct sip_media_table *t, uint64_t flow_id, uint32_t *tag)
{
    for (struct sip_media_entry *e = t->buckets[sip_media_hash_flow(t, flow_id)]; e; e = e->hnext)
        if (e->is_flow && e->flow_id == flow_id) {
            if (tag)
                *tag = e->tag;
            return e->owner;
        }
    return NULL;
}

size_t sip_media_count(const struct sip_media_table *t) { return t->count; }
