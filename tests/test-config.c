/* test-config.c - unit tests for the configuration loader (sensor/config.c). */
#include <unistd.h>
#include "../sensor/config.h"
#include "test.h"

/* Write text to a fresh temporary file; returns its path (static buffer). */
static const char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tg-test-config-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

TEST(file_comments_quotes)
{
    const char *path = write_tmp("# a comment line\n"
                                 "\n"
                                 "flow.memcap = 64m   # trailing comment\n"
                                 "  sensor_id=\"edge #1\"  \n"
                                 "quoted = \"  spaced  \" # c\n"
                                 "empty =\n"
                                 "flow.memcap = 32m\n");
    struct config *cfg = config_new();
    char err[256] = "";
    CHECK(path != NULL);
    CHECK_EQ_U(config_load(cfg, path, err, sizeof err), TG_OK);
    CHECK_STR(config_get(cfg, "sensor_id"), "edge #1");
    CHECK_STR(config_get(cfg, "quoted"), "  spaced  ");
    CHECK_STR(config_get(cfg, "empty"), "");
    CHECK_EQ_U(config_get_u64(cfg, "flow.memcap", 0), 32ull << 20); /* later line wins */
    CHECK(config_get(cfg, "missing") == NULL);
    config_free(cfg);
    unlink(path);
}

static void count_keys(const char *key, const char *value, void *arg)
{
    TG_UNUSED(key);
    TG_UNUSED(value);
    (*(int *)arg)++;
}

TEST(errors_name_file_and_line)
{
    struct {
        const char *text;
        const char *want; /* after "PATH:" */
    } cases[] = {
        {"a = 1\nno equals sign here\n", ":2: expected 'key = value', got 'no equals sign here'"},
        {"a = 1\n\n b = \"open # quote\n", ":3: unterminated quote"},
        {"= value\n", ":1: expected 'key = value'"},
        {"two words = 1\n", ":1: expected 'key = value'"},
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        const char *path = write_tmp(cases[i].text);
        struct config *cfg = config_new();
        char err[256] = "", want[256];
        CHECK_EQ_U(config_load(cfg, path, err, sizeof err), (unsigned long long)TG_ERROR);
        snprintf(want, sizeof want, "%s%s", path, cases[i].want);
        CHECK(strncmp(err, want, strlen(want)) == 0);
        if (strncmp(err, want, strlen(want)) != 0)
            fprintf(stderr, "  got '%s' want '%s'\n", err, want);
        config_free(cfg);
        unlink(path);
    }
    struct config *cfg = config_new();
    char err[256] = "";
    CHECK_EQ_U(config_load(cfg, "/nonexistent/tg.conf", err, sizeof err), (unsigned long long)TG_ERROR);
    CHECK_STR(err, "/nonexistent/tg.conf: No such file or directory");
    /* A line longer than the buffer is an error, not two lines. */
    char *big = malloc(10000);
    memset(big, 'x', 9998);
    memcpy(big, "k = ", 4);
    big[9998] = '\n';
    big[9999] = '\0';
    const char *path = write_tmp(big);
    free(big);
    CHECK_EQ_U(config_load(cfg, path, err, sizeof err), (unsigned long long)TG_ERROR);
    CHECK(strstr(err, ":1: line longer than") != NULL);
    int n = 0;
    config_each(cfg, "", count_keys, &n);
    CHECK_EQ_U(n, 0);
    unlink(path);
    config_free(cfg);
}

TEST(set_overrides)
{
    const char *path = write_tmp("flow.hash-size = 1024\nstore.batch = 10\n");
    struct config *cfg = config_new();
    char err[256];
    CHECK_EQ_U(config_load(cfg, path, err, sizeof err), TG_OK);
    CHECK_EQ_U(config_set(cfg, "store.batch=50"), TG_OK);
    CHECK_EQ_U(config_set(cfg, " sensor_id = \"a = b\" "), TG_OK);
    CHECK_EQ_U(config_set(cfg, "no-equals"), (unsigned long long)TG_ERROR);
    CHECK_EQ_U(config_set(cfg, "=x"), (unsigned long long)TG_ERROR);
    CHECK_EQ_U(config_get_u64(cfg, "store.batch", 0), 50);
    CHECK_EQ_U(config_get_u64(cfg, "flow.hash-size", 0), 1024);
    CHECK_STR(config_get(cfg, "sensor_id"), "a = b");
    int n = 0;
    config_each(cfg, "flow.", count_keys, &n);
    CHECK_EQ_U(n, 1);
    config_free(cfg);
    unlink(path);
}

TEST(sizes)
{
    struct config *cfg = config_new();
    config_set(cfg, "a=10");
    config_set(cfg, "b=4k");
    config_set(cfg, "c=128m");
    config_set(cfg, "d=2g");
    config_set(cfg, "e=3KB");
    config_set(cfg, "f=12x");
    config_set(cfg, "g=-5");
    config_set(cfg, "h=99999999999g"); /* overflows 64 bits */
    config_set(cfg, "i=");
    CHECK_EQ_U(config_get_u64(cfg, "a", 1), 10);
    CHECK_EQ_U(config_get_u64(cfg, "b", 1), 4096);
    CHECK_EQ_U(config_get_u64(cfg, "c", 1), 128ull << 20);
    CHECK_EQ_U(config_get_u64(cfg, "d", 1), 2ull << 30);
    CHECK_EQ_U(config_get_u64(cfg, "e", 1), 3072);
    CHECK_EQ_U(config_get_u64(cfg, "f", 1), 1);
    CHECK_EQ_U(config_get_u64(cfg, "g", 1), 1);
    CHECK_EQ_U(config_get_u64(cfg, "h", 1), 1);
    CHECK_EQ_U(config_get_u64(cfg, "i", 1), 1);
    CHECK_EQ_U(config_get_u64(cfg, "absent", 7), 7);
    CHECK_EQ_U(config_get_u64(NULL, "a", 7), 7);
    config_free(cfg);
}

TEST(durations)
{
    struct config *cfg = config_new();
    config_set(cfg, "a=30");
    config_set(cfg, "b=30s");
    config_set(cfg, "c=500ms");
    config_set(cfg, "d=2m");
    config_set(cfg, "e=1h");
    config_set(cfg, "f=1.5s");
    config_set(cfg, "g=10 days");
    config_set(cfg, "h=100000000h"); /* > 2^64 ns: saturates */
    CHECK_EQ_U(config_get_duration_ns(cfg, "a", 0), 30 * TG_NS_PER_SEC);
    CHECK_EQ_U(config_get_duration_ns(cfg, "b", 0), 30 * TG_NS_PER_SEC);
    CHECK_EQ_U(config_get_duration_ns(cfg, "c", 0), 500000000ull);
    CHECK_EQ_U(config_get_duration_ns(cfg, "d", 0), 120 * TG_NS_PER_SEC);
    CHECK_EQ_U(config_get_duration_ns(cfg, "e", 0), 3600 * TG_NS_PER_SEC);
    CHECK_EQ_U(config_get_duration_ns(cfg, "f", 0), 1500000000ull);
    CHECK_EQ_U(config_get_duration_ns(cfg, "g", 9), 9);
    CHECK_EQ_U(config_get_duration_ns(cfg, "h", 0), UINT64_MAX);
    CHECK_EQ_U(config_get_duration_ns(cfg, "absent", 42), 42);
    config_free(cfg);
}

TEST(bools)
{
    struct config *cfg = config_new();
    const char *yes[] = {"yes", "true", "1", "on", "YES", "True"};
    const char *no[] = {"no", "false", "0", "off", "No", "OFF"};
    char kv[32];
    for (size_t i = 0; i < TG_ARRAY_LEN(yes); i++) {
        snprintf(kv, sizeof kv, "k=%s", yes[i]);
        config_set(cfg, kv);
        CHECK(config_get_bool(cfg, "k", false) == true);
        snprintf(kv, sizeof kv, "k=%s", no[i]);
        config_set(cfg, kv);
        CHECK(config_get_bool(cfg, "k", true) == false);
    }
    config_set(cfg, "k=maybe");
    CHECK(config_get_bool(cfg, "k", true) == true);
    CHECK(config_get_bool(cfg, "k", false) == false);
    CHECK(config_get_bool(cfg, "absent", true) == true);
    config_free(cfg);
}

TEST(bad_values_reported_with_origin)
{
    const char *path = write_tmp("flow.memcap = 64m\n# comment\nflow.timeout.tcp.new = 30 seconds\n");
    struct config *cfg = config_new();
    char err[256], want[300];
    CHECK_EQ_U(config_load(cfg, path, err, sizeof err), TG_OK);
    CHECK(config_error(cfg) == NULL);
    CHECK_EQ_U(config_get_u64(cfg, "flow.memcap", 1), 64ull << 20);
    CHECK(config_error(cfg) == NULL);
    CHECK_EQ_U(config_get_duration_ns(cfg, "flow.timeout.tcp.new", 7), 7);
    snprintf(want, sizeof want,
             "%s:3: flow.timeout.tcp.new = '30 seconds' is not a duration (a number with an optional ms, s, m or h)",
             path);
    CHECK_STR(config_error(cfg), want);
    /* Only the first bad value is kept; --set values name --set. */
    config_set(cfg, "store.batch=lots");
    CHECK_EQ_U(config_get_u64(cfg, "store.batch", 5), 5);
    CHECK_STR(config_error(cfg), want);
    config_free(cfg);
    cfg = config_new();
    config_set(cfg, "store.batch=1.5k");
    config_set(cfg, "x.enabled=perhaps");
    CHECK_EQ_U(config_get_u64(cfg, "store.batch", 5), 5);
    CHECK_STR(config_error(cfg), "--set: store.batch = '1.5k' is not a size (a number with an optional k, m or g)");
    config_free(cfg);
    cfg = config_new();
    config_set(cfg, "x.enabled=perhaps");
    CHECK(config_get_bool(cfg, "x.enabled", true));
    CHECK_STR(config_error(cfg), "--set: x.enabled = 'perhaps' is not a boolean (yes/no, true/false, on/off, 1/0)");
    /* A later good value replaces the origin of the key. */
    config_free(cfg);
    unlink(path);
}

TEST_MAIN(T(file_comments_quotes), T(errors_name_file_and_line), T(set_overrides), T(sizes), T(durations),
          T(bools), T(bad_values_reported_with_origin))
