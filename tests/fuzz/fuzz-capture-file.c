/* fuzz-capture-file.c - feeds arbitrary bytes as a capture file through both
 * file readers (the mapped classic-pcap reader and libpcap) and the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "capture.h"
#include "config.h"
#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz-capture-file-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    struct config *cfg = config_new();
    char err[1024];
    for (int use_mmap = 0; use_mmap < 2 && cfg; use_mmap++) {
        struct engine *e = engine_new(cfg, NULL, err, sizeof err);
        if (!e)
            break;
        struct capture_run run;
        char *paths[] = {path};
        capture_run_init(&run, paths, 1, false, use_mmap);
        capture_file(e, path, &run, err, sizeof err);
        engine_flush(e);
        engine_free(e);
    }
    config_free(cfg);
    unlink(path);
    return 0;
}
