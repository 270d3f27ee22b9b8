/* flowbits.c - per-flow bit set as a sorted, growable array of ids. */
#include <stdlib.h>
#include <string.h>
#include "flowbits.h"

struct flowbits {
    uint32_t n, cap;
    uint32_t ids[];
};

/* Index of id, or of where it would go. */
static uint32_t flowbits_find(const struct flowbits *fb, uint32_t id, bool *found)
{
    uint32_t lo = 0, hi = fb ? fb->n : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (fb->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = fb && lo < fb->n && fb->ids[lo] == id;
    return lo;
}

int flowbits_set(struct flowbits **fbp, uint32_t id, uint32_t max)
{
    bool found;
    struct flowbits *fb = *fbp;
    uint32_t at = flowbits_find(fb, id, &found);
    if (found)
        return TG_OK;
    uint32_t n = fb ? fb->n : 0;
    if (n >= max)
        return TG_ERROR;
    if (!fb || fb->n == fb->cap) {
        uint32_t cap = fb ? fb->cap * 2 : 4;
        struct flowbits *nfb = realloc(fb, sizeof *nfb + cap * sizeof(uint32_t));
        if (!nfb)
            return TG_ERROR;
        if (!fb)
            nfb->n = 0;
        nfb->cap = cap;
        fb = *fbp = nfb;
    }
    memmove(&fb->ids[at + 1], &fb->ids[at], (fb->n - at) * sizeof(uint32_t));
    fb->ids[at] = id;
    fb->n++;
    return TG_OK;
}

void flowbits_unset(struct flowbits *fb, uint32_t id)
{
    bool found;
    uint32_t at = flowbits_find(fb, id, &found);
    if (!found)
        return;
    memmove(&fb->ids[at], &fb->ids[at + 1], (fb->n - at - 1) * sizeof(uint32_t));
    fb->n--;
}

int flowbits_toggle(struct flowbits **fbp, uint32_t id, uint32_t max)
{
    if (flowbits_isset(*fbp, id)) {
        flowbits_unset(*fbp, id);
        return TG_OK;
    }
    return flowbits_set(fbp, id, max);
}

bool flowbits_isset(const struct flowbits *fb, uint32_t id)
{
    bool found;
    flowbits_find(fb, id, &found);
    return found;
}

uint32_t flowbits_count(const struct flowbits *fb) { return fb ? fb->n : 0; }

void flowbits_free(struct flowbits *fb) { free(fb); }
