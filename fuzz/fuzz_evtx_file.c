/* Fuzz target: the input is a whole .evtx file. Every record is read in order with
 * ks_evtx_next, rendered and normalized; then the file is dumped once more through
 * ks_evtx_dump from a file descriptor (the pread path) into /dev/null. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

/* ks_evtx_open on a memory file holding the input, so that the pread path is
 * exercised too. Returns NULL if the memory file cannot be made. */
static ks_evtx *open_fd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.evtx", MFD_CLOEXEC);
    if (fd < 0) return NULL;
    ks_evtx *r = NULL;
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(fd, data + done, size - done);
        if (k <= 0) break;
        done += (size_t)k;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ks_diag diag;
    if (done == size) ks_evtx_open(&r, path, &diag);
    close(fd);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) return 0;
    size_t problems = 0;
    ks_diag diag;
    ks_evtx *r = NULL;
    if (ks_evtx_open_mem(&r, data, size, "fuzz.evtx", &diag) != KS_OK) {
        problems += strlen(diag.what);
        return 0;
    }
    ks_evtx_on_problem(r, ks_fz_problem, &problems);
    const ks_evtx_info *info = ks_evtx_get_info(r);
    problems += info->chunks + info->header_valid;
    ks_buf out = {0};
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) ks_fz_record(rec, &out);
    problems += ks_evtx_get_stats(r)->records;
    ks_evtx_close(&r);
    ks_buf_free(&out);

    ks_evtx *rf = open_fd(data, size);
    if (rf) {
        ks_dump_opts o = {.format = size & 1 ? KS_DUMP_XML : KS_DUMP_JSONL,
                          .threads = 1,
                          .out = devnull,
                          .on_problem = ks_fz_problem,
                          .problem_ctx = &problems};
        ks_evtx_stats st;
        ks_evtx_dump(rf, &o, &st);
        ks_evtx_close(&rf);
    }
    return 0;
}
