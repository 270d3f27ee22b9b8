/* fuzz-json.c - libFuzzer target: any bytes escaped by the JSON builder give
 * valid JSON text: well-formed UTF-8, no raw control characters, balanced
 * quotes. */
#include <stdlib.h>
#include <string.h>
#include "../../sensor/json.h"

/* Length of a well-formed UTF-8 sequence (RFC 3629), 0 when invalid. */
static size_t check_utf8(const uint8_t *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t need = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (s[0] < 0xc2 || s[0] > 0xf4 || n < need)
        return 0;
    uint32_t cp = s[0] & (0x7f >> need);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return need;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    json_strn(&j, "k", data, size);
    json_close_object(&j);
    if (j.oom) {
        json_free(&j);
        return 0;
    }
    const uint8_t *s = (const uint8_t *)j.buf;
    if (j.len < 7 || memcmp(s, "{\"k\":\"", 6) != 0 || memcmp(s + j.len - 2, "\"}", 2) != 0)
        abort();
    for (size_t i = 6; i < j.len - 2;) {
        if (s[i] < 0x20 || s[i] == 0x7f)
            abort();
        if (s[i] == '"')
            abort(); /* an unescaped quote would end the string early */
        if (s[i] == '\\') {
            if (i + 1 >= j.len - 2)
                abort();
            i += s[i + 1] == 'u' ? 6 : 2;
            continue;
        }
        size_t u = check_utf8(s + i, j.len - 2 - i);
        if (!u)
            abort();
        i += u;
    }
    json_free(&j);
    return 0;
}
