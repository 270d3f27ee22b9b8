/* iplist.h - threat-intelligence address lists: extraction from any text,
 * a list file format, and constant-time membership tests.
 *
 * A list holds IPv4/IPv6 addresses and CIDR blocks. Lookups probe one hash
 * set per prefix length present in the list (at most 33 for IPv4 and 129
 * for IPv6, in practice a handful), so the cost per packet does not grow
 * with the number of entries: a million addresses cost the same as ten. */
#ifndef TG_IPLIST_H
#define TG_IPLIST_H

#include <stdio.h>
#include "../sensor/packet.h"

struct iplist;

struct iplist_entry {
    struct ip_addr addr; /* network address (host bits cleared) */
    uint8_t prefix;      /* 32/128 for a single address */
};

/* Empty list; NULL on no memory. */
struct iplist *iplist_new(void);
void iplist_free(struct iplist *l);

/* Add one entry (host bits are cleared). TG_OK, TG_DECLINED when it was
 * already there, TG_ERROR on no memory or a bad prefix. */
int iplist_add(struct iplist *l, const struct ip_addr *a, unsigned prefix);

/* Pull every valid IPv4/IPv6 address and CIDR block out of free text
 * (logs, CSV, HTML feeds) and add them; returns how many were new. Tokens
 * that only look like addresses (version strings such as 1.2.3.4.5, octets
 * over 255, bad prefixes) are skipped. */
size_t iplist_extract(struct iplist *l, const char *text, size_t len);

/* Load a list file: one address or CIDR per line, '#' comments. On a bad
 * line returns TG_ERROR with "FILE:LINE: ..." in err. */
int iplist_load(struct iplist *l, const char *path, char *err, size_t errlen);
/* Write the list sorted, one entry a line, with a header comment. */
int iplist_write(const struct iplist *l, FILE *f);

/* True when a is inside any entry. */
bool iplist_contains(const struct iplist *l, const struct ip_addr *a);
size_t iplist_count(const struct iplist *l);

/* Parse "a.b.c.d", "v6", optionally "/prefix"; TG_OK or TG_ERROR. */
int iplist_parse_cidr(const char *s, struct ip_addr *a, unsigned *prefix);

#endif
