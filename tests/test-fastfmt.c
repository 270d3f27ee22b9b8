/* test-fastfmt.c - the hand-written number, time and IPv4 formatting of the
 * output path gives exactly what printf, strftime and inet_ntop give, and
 * the address order is memcmp's. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "json.h"
#include "packet.h"
#include "test.h"

TEST(numbers)
{
    static const int64_t vals[] = {0, 1, -1, 9, 10, -10, 99, 100, 12345, INT64_MAX, INT64_MIN, -9223372036854775807LL};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        struct json j;
        json_init(&j);
        json_open_object(&j, NULL);
        json_i64(&j, "i", vals[i]);
        json_u64(&j, "u", (uint64_t)vals[i]);
        json_close_object(&j);
        char want[128];
        snprintf(want, sizeof want, "{\"i\":%" PRId64 ",\"u\":%" PRIu64 "}", vals[i], (uint64_t)vals[i]);
        CHECK_STR(j.buf, want);
        json_free(&j);
    }
}

TEST(times)
{
    /* consecutive, repeated and backwards seconds go through the cache */
    static const uint64_t ts[] = {0, 999999999, 1000000000, 1700000005123456789ull, 1700000005999999000ull,
                                  1700000006000001000ull, 1700000005000000000ull, 4102444799000000000ull};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
            char got[48], want[48], base[32];
            json_format_time(ts[i], got, sizeof got);
            time_t sec = (time_t)(ts[i] / 1000000000ull);
            struct tm tm;
            gmtime_r(&sec, &tm);
            strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
            snprintf(want, sizeof want, "%s.%06u+0000", base, (unsigned)(ts[i] % 1000000000ull / 1000));
            CHECK_STR(got, want);
        }
    char small[12];
    json_format_time(1700000005123456789ull, small, sizeof small);
    CHECK_STR(small, "2023-11-14T");
}

TEST(ipv4)
{
    static const char *addrs[] = {"0.0.0.0", "255.255.255.255", "198.18.0.1", "10.100.9.99", "1.20.100.200"};
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        struct ip_addr a = {.family = 4};
        CHECK(inet_pton(AF_INET, addrs[i], a.b) == 1);
        char buf[64];
        CHECK_STR(ip_addr_str(&a, buf, sizeof buf), addrs[i]);
        char tiny[8];
        CHECK_STR(ip_addr_str(&a, tiny, sizeof tiny), strlen(addrs[i]) < sizeof tiny ? addrs[i] : "");
    }
}

TEST(addr_order)
{
    /* the sign of ip_addr_cmp is memcmp's over the 16 address bytes */
    static const uint8_t pat[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
    for (int pos = 0; pos < 16; pos++)
        for (size_t i = 0; i < sizeof pat; i++)
            for (size_t k = 0; k < sizeof pat; k++) {
                struct ip_addr a = {.family = 6}, b = {.family = 6};
                memset(a.b, 0x55, 16);
                memset(b.b, 0x55, 16);
                a.b[pos] = pat[i];
                b.b[pos] = pat[k];
                if (pos < 15)
                    b.b[15] = 0xaa; /* a later difference must not decide */
                int want = memcmp(a.b, b.b, 16), got = ip_addr_cmp(&a, &b);
                CHECK((want < 0) == (got < 0) && (want > 0) == (got > 0));
            }
    struct ip_addr v4 = {.family = 4}, v6 = {.family = 6};
    CHECK(ip_addr_cmp(&v4, &v6) < 0 && ip_addr_cmp(&v6, &v4) > 0 && ip_addr_cmp(&v4, &v4) == 0);
}

TEST_MAIN(T(numbers), T(times), T(ipv4), T(addr_order))
