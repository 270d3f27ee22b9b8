/* iplist-cli.c - "tollgate iplist import FILE... -o LIST": build an address
 * list from any text (threat feeds, logs, CSV, HTML). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iplist.h"
#include "iplist-cli.h"

#define IPLIST_CLI_USAGE "usage: tollgate iplist import FILE... -o LIST\n"

/* Read a whole file; NULL with errno set on failure. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (f != stdin)
        fclose(f);
    *len = n;
    return buf;
}

int iplist_cli_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "import") != 0) {
        fputs(IPLIST_CLI_USAGE, stderr);
        return 2;
    }
    const char *out = NULL;
    struct iplist *l = iplist_new();
    if (!l) {
        fprintf(stderr, "tollgate: out of memory\n");
        return 1;
    }
    int nfiles = 0, status = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
            continue;
        }
        size_t len;
        char *text = read_all(argv[i], &len);
        if (!text) {
            fprintf(stderr, "tollgate: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        size_t added = iplist_extract(l, text, len);
        fprintf(stderr, "%s: %zu new entries\n", argv[i], added);
        free(text);
        nfiles++;
    }
    if (!out || nfiles == 0) {
        fputs(IPLIST_CLI_USAGE, stderr);
        iplist_free(l);
        return 2;
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
    if (!f || iplist_write(l, f) != TG_OK) {
        fprintf(stderr, "tollgate: %s: %s\n", out, strerror(errno));
        status = 1;
    }
    if (f && f != stdout)
        fclose(f);
    fprintf(stderr, "%s: %zu entries\n", out, iplist_count(l));
    iplist_free(l);
    return status;
}
