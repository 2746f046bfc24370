/* Fuzz target: backup content analysis (src/backup/) over any bytes: type detection,
 * the structure walks (zip, gzip, PNG, JPEG, PDF, 7z, xz, bzip2, zstd, DICOM) with
 * their decoders, block statistics and the verdict. The first byte picks the name the
 * bytes are analyzed under (extension and ransom-note checks). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kensa/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {
        "a.txt", "scan.png",  "x.pdf", "r.docx", "README_TO_DECRYPT.txt", "i.dcm", "b.jpg", "c.7z",
        "d.gz",  "e.lockbit", "noext", "f.br"};
    const char *name = names[size ? data[0] % (sizeof names / sizeof names[0]) : 0];
    ks_backup_file f;
    if (ks_backup_analyze_mem(name, data, size, &f) != KS_OK) return 0;
    sink += strlen(f.reason) + strlen(f.structure_what) + strlen(f.subtype) + f.blocks +
            f.random_blocks + f.unexpected_blocks + (size_t)f.verdict + (size_t)f.type;
    sink += strlen(ks_backup_verdict_name(f.verdict)) + strlen(ks_backup_type_name(f.type));
    if (f.size != size) __builtin_trap();
    return 0;
}
