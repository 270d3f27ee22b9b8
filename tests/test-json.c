/* test-json.c - unit tests for the JSON builder (sensor/json.c). */
#include "../sensor/json.h"
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Escape n bytes as one top-level string and return the text (static). */
static const char *esc(const void *s, size_t n)
{
    static char out[1024];
    struct json j;
    json_init(&j);
    json_strn(&j, NULL, s, n);
    snprintf(out, sizeof out, "%s", j.oom ? "OOM" : j.buf);
    json_free(&j);
    return out;
}

TEST(escape_specials_and_controls)
{
    CHECK_STR(esc("plain", 5), "\"plain\"");
    CHECK_STR(esc("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    CHECK_STR(esc("\n\r\t", 3), "\"\\n\\r\\t\"");
    CHECK_STR(esc("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"");
    CHECK_STR(esc("a\0b", 3), "\"a\\u0000b\""); /* NUL inside data is kept, escaped */
    CHECK_STR(esc("/", 1), "\"/\"");
    CHECK_STR(esc("", 0), "\"\"");
}

TEST(escape_utf8)
{
    /* Well-formed UTF-8 passes through: é (2 bytes), € (3), U+1F600 (4). */
    CHECK_STR(esc("\xc3\xa9", 2), "\"\xc3\xa9\"");
    CHECK_STR(esc("\xe2\x82\xac", 3), "\"\xe2\x82\xac\"");
    CHECK_STR(esc("\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
    /* Invalid: lone continuation, truncated sequence, bad lead bytes. */
    CHECK_STR(esc("\x80", 1), "\"\\u0080\"");
    CHECK_STR(esc("\xc3", 1), "\"\\u00c3\"");
    CHECK_STR(esc("\xe2\x82", 2), "\"\\u00e2\\u0082\"");
    CHECK_STR(esc("\xc0\xaf", 2), "\"\\u00c0\\u00af\"");         /* overlong '/' */
    CHECK_STR(esc("\xe0\x80\xaf", 3), "\"\\u00e0\\u0080\\u00af\""); /* overlong, 3 bytes */
    CHECK_STR(esc("\xed\xa0\x80", 3), "\"\\u00ed\\u00a0\\u0080\""); /* surrogate U+D800 */
    CHECK_STR(esc("\xf4\x90\x80\x80", 4), "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
    CHECK_STR(esc("\xff\xfe", 2), "\"\\u00ff\\u00fe\"");
    /* Valid after invalid resynchronises. */
    CHECK_STR(esc("\xff" "A\xc3\xa9", 4), "\"\\u00ffA\xc3\xa9\"");
}

TEST(nesting_and_commas)
{
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    json_str(&j, "a", "x");
    json_open_object(&j, "o");
    json_u64(&j, "n", 18446744073709551615ull);
    json_i64(&j, "m", -5);
    json_close_object(&j);
    json_open_array(&j, "arr");
    json_u64(&j, NULL, 1);
    json_open_object(&j, NULL);
    json_bool(&j, "t", true);
    json_null(&j, "z");
    json_close_object(&j);
    json_double(&j, NULL, 0.5);
    json_double(&j, NULL, 0.1);
    json_double(&j, NULL, 0.0 / 0.0);
    json_close_array(&j);
    json_open_array(&j, "empty");
    json_close_array(&j);
    json_str(&j, "k\"ey", "v");
    json_close_object(&j);
    CHECK(!j.oom);
    CHECK_STR(j.buf, "{\"a\":\"x\",\"o\":{\"n\":18446744073709551615,\"m\":-5},"
                     "\"arr\":[1,{\"t\":true,\"z\":null},0.5,0.1,null],\"empty\":[],\"k\\\"ey\":\"v\"}");
    /* Reset gives a clean builder for the next record. */
    json_reset(&j);
    json_open_object(&j, NULL);
    json_u64(&j, "x", 1);
    json_close_object(&j);
    CHECK_STR(j.buf, "{\"x\":1}");
    json_free(&j);
}

TEST(nesting_too_deep_or_unbalanced)
{
    struct json j;
    json_init(&j);
    for (int i = 0; i < JSON_MAX_DEPTH + 5; i++)
        json_open_array(&j, NULL);
    CHECK(j.oom);
    json_reset(&j);
    CHECK(!j.oom);
    json_open_object(&j, NULL);
    json_close_object(&j);
    json_close_object(&j);
    CHECK(j.oom);
    json_free(&j);
}

TEST(times)
{
    char b[48];
    json_format_time(0, b, sizeof b);
    CHECK_STR(b, "1970-01-01T00:00:00.000000+0000");
    /* 2024-01-02T03:04:05.123456789 UTC: nanoseconds truncate to micro. */
    json_format_time(1704164645ull * TG_NS_PER_SEC + 123456789ull, b, sizeof b);
    CHECK_STR(b, "2024-01-02T03:04:05.123456+0000");
    json_format_time(951782400ull * TG_NS_PER_SEC + 999999999ull, b, sizeof b); /* leap day 2000 */
    CHECK_STR(b, "2000-02-29T00:00:00.999999+0000");
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    json_time(&j, "timestamp", 1704164645ull * TG_NS_PER_SEC);
    json_close_object(&j);
    CHECK_STR(j.buf, "{\"timestamp\":\"2024-01-02T03:04:05.000000+0000\"}");
    json_free(&j);
}

TEST(large_strings_grow)
{
    static uint8_t big[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)i; /* every byte value, many controls */
    struct json j;
    json_init(&j);
    json_strn(&j, NULL, big, sizeof big);
    CHECK(!j.oom);
    CHECK(j.len > sizeof big);
    CHECK_EQ_U(strlen(j.buf), j.len);
    /* Nothing below 0x20 and no DEL is left raw. */
    size_t raw = 0;
    for (size_t i = 0; i < j.len; i++)
        raw += (uint8_t)j.buf[i] < 0x20 || j.buf[i] == 0x7f;
    CHECK_EQ_U(raw, 0);
    json_free(&j);
}

/* json_double's whole-number shortcut writes what "%.15g" (the general
 * path) writes: compare the two over signs, zeros, the 10^15 edge and
 * fractions; and keys with bytes to escape still take the general path. */
TEST(doubles_and_keys_as_printf)
{
    static const double vals[] = {0.0, -0.0, 1.0, -1.0, 7.0, 10.0, 100.0, 255.0, 1000.0, 123456789.0,
                                  999999999999999.0, -999999999999999.0, 1e15, -1e15, 1e16, 4.5e15,
                                  0.5, 0.001, -2.5, 1e-7, 123.456, 9007199254740993.0, 1e300, 0.0005,
                                  999999999.999, 1e9, -999999999.999, 0.1 + 0.2, 1.0 / 3.0, 5e-4, 2.675};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        struct json j;
        json_init(&j);
        json_double(&j, NULL, vals[i]);
        char want[64];
        snprintf(want, sizeof want, "%.15g", vals[i]);
        if (strtod(want, NULL) != vals[i])
            snprintf(want, sizeof want, "%.17g", vals[i]);
        CHECK(!j.oom);
        CHECK_STR(j.buf, want);
        json_free(&j);
    }
    /* every thousandth in a range, and scattered ones up to the edge */
    uint64_t seed = 88172645463325252ull;
    for (int64_t i = -200000; i <= 200000; i++) {
        int64_t k = i;
        if (i > 100000 || i < -100000) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            k = (int64_t)(seed % 2000000000000ull) - 1000000000000ll;
        }
        double vs[2] = {(double)k / 1000.0, (double)k / 1000.0 + (double)(i % 7) * 1e-7};
        for (int x = 0; x < 2; x++) {
            struct json j;
            json_init(&j);
            json_double(&j, NULL, vs[x]);
            char want[64];
            snprintf(want, sizeof want, "%.15g", vs[x]);
            if (strtod(want, NULL) != vs[x])
                snprintf(want, sizeof want, "%.17g", vs[x]);
            if (strcmp(j.buf, want) != 0) {
                CHECK_STR(j.buf, want);
                json_free(&j);
                return;
            }
            json_free(&j);
        }
    }
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    json_u64(&j, "plain_key", 1);
    json_u64(&j, "tab\there", 2);
    json_double(&j, "d", 3.0);
    json_u64(&j, "a_key_longer_than_sixty_four_bytes_takes_the_general_path_as_well_", 4);
    json_close_object(&j);
    CHECK_STR(j.buf, "{\"plain_key\":1,\"tab\\there\":2,\"d\":3,"
                     "\"a_key_longer_than_sixty_four_bytes_takes_the_general_path_as_well_\":4}");
    json_free(&j);
}

TEST_MAIN(T(escape_specials_and_controls), T(escape_utf8), T(nesting_and_commas), T(nesting_too_deep_or_unbalanced),
          T(times), T(large_strings_grow), T(doubles_and_keys_as_printf))
