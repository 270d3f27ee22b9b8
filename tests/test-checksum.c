/* test-checksum.c - the word-at-a-time Internet checksum against a plain
 * RFC 1071 reference over every length, alignment and carry pattern. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "decode-internal.h"
#include "test.h"

/* RFC 1071 as written: 16-bit big-endian words, odd byte padded with zero. */
static uint16_t ref_csum(uint32_t sum, const uint8_t *b, uint32_t len)
{
    uint64_t s = sum;
    uint32_t i = 0;
    for (; i + 1 < len; i += 2)
        s += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (i < len)
        s += (uint32_t)b[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

TEST(matches_reference)
{
    static uint8_t buf[1600];
    uint32_t seed = 12345;
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            seed = seed * 1103515245u + 12345u;
            /* all-ones and all-zero rounds stress the end-around carry */
            buf[i] = round == 0 ? 0xff : round == 1 ? 0 : (uint8_t)(seed >> 16);
        }
        for (uint32_t off = 0; off < 8; off++)
            for (uint32_t len = 0; len + off <= sizeof buf; len += (len < 80 ? 1 : 37)) {
                uint32_t init = round == 3 ? 0xfffffff0u : (uint32_t)len * 7;
                uint16_t got = decode_csum_fold(decode_csum_add(init, buf + off, len));
                CHECK_EQ_U(got, ref_csum(init, buf + off, len));
            }
    }
}

TEST(chained_calls)
{
    /* a pseudo-header sum followed by the segment, as TCP and UDP use it */
    uint8_t a[16], b[333];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = (uint8_t)(i * 37 + 1);
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(i * 91 + 3);
    uint8_t all[16 + 333];
    memcpy(all, a, sizeof a);
    memcpy(all + sizeof a, b, sizeof b);
    uint32_t s = decode_csum_add(decode_csum_add(0, a, sizeof a), b, sizeof b);
    CHECK_EQ_U(decode_csum_fold(s), ref_csum(0, all, sizeof all));
    CHECK_EQ_U(decode_csum_add(5, NULL, 0), 5);
}

TEST_MAIN(T(matches_reference), T(chained_calls))
