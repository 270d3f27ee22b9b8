/* iplist.c - address lists: text extraction, file I/O, per-prefix hash sets. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iplist.h"

/* One open-addressing hash set of networks with the same family and prefix. */
struct iplist_set {
    uint8_t family, prefix;
    struct ip_addr *slots; /* family 0 = empty */
    size_t n, cap;
};

struct iplist {
    struct iplist_set sets[2][129]; /* [v6?][prefix] */
    uint8_t used[2][129];
    size_t count;
};

struct iplist *iplist_new(void)
{
    return calloc(1, sizeof(struct iplist));
}

void iplist_free(struct iplist *l)
{
    if (!l)
        return;
    for (int f = 0; f < 2; f++)
        for (int p = 0; p <= 128; p++)
            free(l->sets[f][p].slots);
    free(l);
}

size_t iplist_count(const struct iplist *l) { return l->count; }

static void mask_addr(struct ip_addr *a, unsigned prefix)
{
    unsigned bits = a->family == 4 ? 32 : 128;
    for (unsigned i = 0; i < bits / 8; i++) {
        unsigned keep = prefix > i * 8 ? TG_MIN(prefix - i * 8, 8u) : 0;
        a->b[i] &= (uint8_t)(0xff00 >> keep);
    }
}

static uint64_t addr_hash(const struct ip_addr *a)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 16; i++) {
        h ^= a->b[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static bool set_has(const struct iplist_set *s, const struct ip_addr *a)
{
    if (!s->cap)
        return false;
    size_t mask = s->cap - 1;
    for (size_t i = addr_hash(a) & mask;; i = (i + 1) & mask) {
        if (s->slots[i].family == 0)
            return false;
        if (memcmp(s->slots[i].b, a->b, 16) == 0)
            return true;
    }
}

static int set_grow(struct iplist_set *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 64;
    struct ip_addr *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return TG_ERROR;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i].family)
            continue;
        size_t j = addr_hash(&s->slots[i]) & (ncap - 1);
        while (ns[j].family)
            j = (j + 1) & (ncap - 1);
        ns[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return TG_OK;
}

int iplist_add(struct iplist *l, const struct ip_addr *a, unsigned prefix)
{
    if ((a->family != 4 && a->family != 6) || prefix > (a->family == 4 ? 32u : 128u))
        return TG_ERROR;
    struct ip_addr n = *a;
    mask_addr(&n, prefix);
    int f = a->family == 6;
    struct iplist_set *s = &l->sets[f][prefix];
    if (set_has(s, &n))
        return TG_DECLINED;
    /* keep the load under 1/2 so probes stay short */
    if ((s->n + 1) * 2 > s->cap && set_grow(s) != TG_OK)
        return TG_ERROR;
    size_t j = addr_hash(&n) & (s->cap - 1);
    while (s->slots[j].family)
        j = (j + 1) & (s->cap - 1);
    s->slots[j] = n;
    s->n++;
    s->family = a->family;
    s->prefix = (uint8_t)prefix;
    l->used[f][prefix] = 1;
    l->count++;
    return TG_OK;
}

bool iplist_contains(const struct iplist *l, const struct ip_addr *a)
{
    int f = a->family == 6;
    unsigned bits = f ? 128 : 32;
    for (unsigned p = 0; p <= bits; p++) {
        if (!l->used[f][p])
            continue;
        struct ip_addr n = *a;
        mask_addr(&n, p);
        if (set_has(&l->sets[f][p], &n))
            return true;
    }
    return false;
}

int iplist_parse_cidr(const char *s, struct ip_addr *a, unsigned *prefix)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof buf)
        return TG_ERROR;
    memcpy(buf, s, n);
    buf[n] = '\0';
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, buf, a->b) == 1)
        a->family = 4;
    else if (inet_pton(AF_INET6, buf, a->b) == 1)
        a->family = 6;
    else
        return TG_ERROR;
    unsigned max = a->family == 4 ? 32 : 128;
    *prefix = max;
    if (slash) {
        char *end;
        errno = 0;
        unsigned long p = strtoul(slash + 1, &end, 10);
        if (end == slash + 1 || *end || errno || p > max)
            return TG_ERROR;
        *prefix = (unsigned)p;
    }
    return TG_OK;
}

static bool is_v6_char(char c)
{
    return isxdigit((unsigned char)c) || c == ':' || c == '.';
}

/* Try a token at text[i..]; returns its length when it is an address or
 * CIDR (and adds it), 0 otherwise. */
static size_t extract_at(struct iplist *l, const char *t, size_t len, size_t i, size_t *added)
{
    size_t j = i;
    while (j < len && is_v6_char(t[j]))
        j++;
    /* trailing dots belong to the sentence, not the address */
    while (j > i && t[j - 1] == '.')
        j--;
    size_t n = j - i;
    if (n < 2 || n > 45)
        return 0;
    char buf[64];
    memcpy(buf, t + i, n);
    buf[n] = '\0';
    bool has_colon = memchr(buf, ':', n) != NULL;
    /* "1.2.3.4.5" or "v1.2.3.4" are versions, not addresses */
    if (!has_colon) {
        int dots = 0;
        for (size_t k = 0; k < n; k++)
            dots += buf[k] == '.';
        if (dots != 3 || (j < len && t[j] == '.' && j + 1 < len && isdigit((unsigned char)t[j + 1])))
            return 0;
    }
    /* An optional /prefix. */
    size_t end = j;
    if (j + 1 < len && t[j] == '/' && isdigit((unsigned char)t[j + 1])) {
        size_t k = j + 1;
        while (k < len && isdigit((unsigned char)t[k]) && k - j <= 3)
            k++;
        if (k - j - 1 <= 3 && n + (k - j) < sizeof buf) {
            memcpy(buf + n, t + j, k - j);
            buf[n + (k - j)] = '\0';
            end = k;
        }
    }
    struct ip_addr a;
    unsigned prefix;
    if (iplist_parse_cidr(buf, &a, &prefix) != TG_OK) {
        /* "host:port" style v6-looking junk or a prefix out of range: retry bare */
        buf[n] = '\0';
        if (end == j || iplist_parse_cidr(buf, &a, &prefix) != TG_OK)
            return 0;
        end = j;
    }
    static const uint8_t zero[16];
    if (memcmp(a.b, zero, 16) == 0)
        return end - i; /* 0.0.0.0 and :: are placeholders, not indicators */
    if (iplist_add(l, &a, prefix) == TG_OK)
        (*added)++;
    return end - i;
}

size_t iplist_extract(struct iplist *l, const char *t, size_t len)
{
    size_t added = 0;
    size_t i = 0;
    while (i < len) {
        bool boundary = i == 0 || !(isalnum((unsigned char)t[i - 1]) || t[i - 1] == '.' || t[i - 1] == ':');
        if (boundary && (isxdigit((unsigned char)t[i]) || t[i] == ':')) {
            size_t used = extract_at(l, t, len, i, &added);
            if (used) {
                i += used;
                continue;
            }
        }
        i++;
    }
    return added;
}

int iplist_load(struct iplist *l, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return TG_ERROR;
    }
    char line[512];
    unsigned lineno = 0;
    int rc = TG_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line;
        char *hash = strchr(s, '#');
        if (hash)
            *hash = '\0';
        while (isspace((unsigned char)*s))
            s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
            s[--n] = '\0';
        if (!n)
            continue;
        struct ip_addr a;
        unsigned prefix;
        if (iplist_parse_cidr(s, &a, &prefix) != TG_OK) {
            snprintf(err, errlen, "%s:%u: not an address or CIDR block: '%.60s'", path, lineno, s);
            rc = TG_ERROR;
            break;
        }
        if (iplist_add(l, &a, prefix) == TG_ERROR) {
            snprintf(err, errlen, "%s:%u: out of memory", path, lineno);
            rc = TG_ERROR;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int entry_cmp(const void *x, const void *y)
{
    const struct iplist_entry *a = x, *b = y;
    int c = ip_addr_cmp(&a->addr, &b->addr);
    return c ? c : (int)a->prefix - (int)b->prefix;
}

int iplist_write(const struct iplist *l, FILE *f)
{
    struct iplist_entry *v = malloc((l->count ? l->count : 1) * sizeof *v);
    if (!v)
        return TG_ERROR;
    size_t n = 0;
    for (int fam = 0; fam < 2; fam++)
        for (int p = 0; p <= 128; p++) {
            const struct iplist_set *s = &l->sets[fam][p];
            for (size_t i = 0; i < s->cap; i++)
                if (s->slots[i].family) {
                    v[n].addr = s->slots[i];
                    v[n].prefix = (uint8_t)p;
                    n++;
                }
        }
    qsort(v, n, sizeof *v, entry_cmp);
    fprintf(f, "# tollgate address list: %zu entries\n", n);
    for (size_t i = 0; i < n; i++) {
        char buf[48];
        ip_addr_str(&v[i].addr, buf, sizeof buf);
        if (v[i].prefix == (v[i].addr.family == 4 ? 32 : 128))
            fprintf(f, "%s\n", buf);
        else
            fprintf(f, "%s/%u\n", buf, v[i].prefix);
    }
    free(v);
    return ferror(f) ? TG_ERROR : TG_OK;
}
