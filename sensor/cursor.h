/* cursor.h - bounds-checked reader over packet bytes.
 *
 * Every decoder reads packet memory through a cursor, never by casting a
 * pointer onto the capture (tcpdump's GET_U_1 lesson). A read past the end
 * sets the cursor's error flag and returns zero, so a decoder can read a whole
 * header and check once. */
#ifndef TG_CURSOR_H
#define TG_CURSOR_H

#include <string.h>
#include "common.h"

struct cursor {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool err; /* a read ran past the end */
};

static inline void cursor_init(struct cursor *c, const uint8_t *data, size_t len)
{
    c->data = data;
    c->len = len;
    c->pos = 0;
    c->err = false;
}

static inline size_t cursor_left(const struct cursor *c)
{
    return c->pos <= c->len ? c->len - c->pos : 0;
}

static inline bool cursor_has(const struct cursor *c, size_t n)
{
    return !c->err && cursor_left(c) >= n;
}

static inline const uint8_t *cursor_ptr(const struct cursor *c)
{
    return c->data + c->pos;
}

/* Skip n bytes; sets err and returns false when fewer remain. */
static inline bool cursor_skip(struct cursor *c, size_t n)
{
    if (!cursor_has(c, n)) {
        c->err = true;
        return false;
    }
    c->pos += n;
    return true;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
    if (!cursor_has(c, 1)) {
        c->err = true;
        return 0;
    }
    return c->data[c->pos++];
}

static inline uint16_t cursor_be16(struct cursor *c)
{
    if (!cursor_has(c, 2)) {
        c->err = true;
        return 0;
    }
    uint16_t v = (uint16_t)((c->data[c->pos] << 8) | c->data[c->pos + 1]);
    c->pos += 2;
    return v;
}

static inline uint32_t cursor_be32(struct cursor *c)
{
    if (!cursor_has(c, 4)) {
        c->err = true;
        return 0;
    }
    const uint8_t *b = c->data + c->pos;
    c->pos += 4;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static inline uint16_t cursor_le16(struct cursor *c)
{
    if (!cursor_has(c, 2)) {
        c->err = true;
        return 0;
    }
    uint16_t v = (uint16_t)(c->data[c->pos] | (c->data[c->pos + 1] << 8));
    c->pos += 2;
    return v;
}

static inline uint32_t cursor_le32(struct cursor *c)
{
    if (!cursor_has(c, 4)) {
        c->err = true;
        return 0;
    }
    const uint8_t *b = c->data + c->pos;
    c->pos += 4;
    return ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) | ((uint32_t)b[1] << 8) | b[0];
}

/* Copy n bytes out; on a short read the destination is zeroed. */
static inline bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
    if (!cursor_has(c, n)) {
        c->err = true;
        memset(dst, 0, n);
        return false;
    }
    memcpy(dst, c->data + c->pos, n);
    c->pos += n;
    return true;
}

/* Read at an absolute offset without moving; 0 and err on a short read. */
static inline uint8_t cursor_peek_u8(struct cursor *c, size_t off)
{
    if (c->err || off >= c->len) {
        c->err = true;
        return 0;
    }
    return c->data[off];
}

#endif
