/* test-iplist.c - address list extraction, file format and lookups. */
#include <unistd.h>
#include "../rules/iplist.h"
#include "test.h"

static struct ip_addr addr(const char *s)
{
    struct ip_addr a;
    unsigned p;
    if (iplist_parse_cidr(s, &a, &p) != TG_OK)
        memset(&a, 0, sizeof a);
    return a;
}

static bool has(const struct iplist *l, const char *s)
{
    struct ip_addr a = addr(s);
    return iplist_contains(l, &a);
}

TEST(extract_from_free_text)
{
    struct iplist *l = iplist_new();
    const char *text =
        "# Tor exit nodes\n"
        "ExitAddress 198.18.0.1 2024-01-01 12:00:00\n"
        "<tr><td>198.18.5.0/24</td><td>c2</td></tr>\n"
        "\"fd00:198:18::7\",\"botnet\"\n"
        "seen 198.18.0.1 again.\n"             /* duplicate */
        "version 1.2.3.4.5 and v10.0.0.1.2\n"  /* not addresses */
        "bad 256.1.1.1 and 198.18.0.300\n"     /* octets out of range */
        "mac 02:00:5e:00:53:01 time 12:30:45\n"/* not v6 */
        "cidr bad 198.18.9.9/33 means host\n"  /* bad prefix: bare address kept */
        "end 198.19.255.254.\n";               /* sentence dot */
    size_t n = iplist_extract(l, text, strlen(text));
    CHECK_EQ_U(n, 5);
    CHECK_EQ_U(iplist_count(l), 5);
    CHECK(has(l, "198.18.0.1"));
    CHECK(has(l, "198.18.5.77")); /* inside the /24 */
    CHECK(has(l, "fd00:198:18::7"));
    CHECK(has(l, "198.18.9.9"));
    CHECK(has(l, "198.19.255.254"));
    CHECK(!has(l, "1.2.3.4"));
    CHECK(!has(l, "198.18.0.2"));
    CHECK(!has(l, "198.18.6.1"));
    iplist_free(l);
}

TEST(cidr_host_bits_cleared_and_dedup)
{
    struct iplist *l = iplist_new();
    struct ip_addr a = addr("198.18.7.9");
    CHECK(iplist_add(l, &a, 24) == TG_OK);
    struct ip_addr b = addr("198.18.7.200");
    CHECK(iplist_add(l, &b, 24) == TG_DECLINED); /* same network */
    CHECK(iplist_add(l, &b, 33) == TG_ERROR);
    struct ip_addr c = addr("fd00:198:18:1::1");
    CHECK(iplist_add(l, &c, 48) == TG_OK);
    CHECK(has(l, "fd00:198:18:ffff::1"));
    CHECK(!has(l, "fd00:198:19::1"));
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    CHECK(iplist_write(l, f) == TG_OK);
    fclose(f);
    CHECK(strstr(buf, "198.18.7.0/24\n") != NULL);
    CHECK(strstr(buf, "fd00:198:18::/48\n") != NULL);
    iplist_free(l);
}

TEST(load_names_file_and_line)
{
    char path[] = "/tmp/tg-iplist-XXXXXX";
    int fd = mkstemp(path);
    const char *body = "# list\n198.18.0.1\n\n198.18.1.0/24  # net\nnot-an-address\n";
    CHECK(write(fd, body, strlen(body)) == (ssize_t)strlen(body));
    close(fd);
    struct iplist *l = iplist_new();
    char err[256] = "";
    CHECK(iplist_load(l, path, err, sizeof err) == TG_ERROR);
    char want[128];
    snprintf(want, sizeof want, "%s:5: not an address", path);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    CHECK_EQ_U(iplist_count(l), 2);
    unlink(path);
    iplist_free(l);
}

/* A million entries: membership is still exact (timing lives in make bench). */
TEST(million_entries)
{
    struct iplist *l = iplist_new();
    struct ip_addr a = {.family = 4};
    for (uint32_t i = 0; i < 1000000; i++) {
        uint32_t v = 0xC6120000u + i * 2; /* 198.18.0.0 up, even addresses */
        a.b[0] = (uint8_t)(v >> 24);
        a.b[1] = (uint8_t)(v >> 16);
        a.b[2] = (uint8_t)(v >> 8);
        a.b[3] = (uint8_t)v;
        CHECK(iplist_add(l, &a, 32) == TG_OK);
    }
    CHECK_EQ_U(iplist_count(l), 1000000);
    CHECK(has(l, "198.18.0.2"));
    CHECK(!has(l, "198.18.0.3"));
    CHECK(has(l, "198.48.132.126")); /* 198.18.0.0 + 2*999999 */
    CHECK(!has(l, "198.48.132.128"));
    iplist_free(l);
}

TEST_MAIN(T(extract_from_free_text), T(cidr_host_bits_cleared_and_dedup), T(load_names_file_and_line),
          T(million_entries))
