/* common.h - result codes and small helpers shared by every tollgate module. */
#ifndef TG_COMMON_H
#define TG_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* The shared result enum (nginx style): callers decide what to do. */
enum tg_result {
    TG_OK = 0,
    TG_ERROR = -1,   /* hard failure; a message was written somewhere */
    TG_AGAIN = -2,   /* need more data / not complete yet */
    TG_DECLINED = -3 /* not for me, nothing done */
};

#define TG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TG_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TG_MAX(a, b) ((a) > (b) ? (a) : (b))
#define TG_UNUSED(x) ((void)(x))

#define TG_NS_PER_SEC 1000000000ULL

#endif
