/* Fuzz target: backup content analysis (src/backup/) over any bytes: type detection,
 * the structure walks (zip, gzip, PNG, JPEG, PDF, 7z, xz, bzip2, zstd, DICOM) with
 * their decoders, block statistics and the verdict. The first byte picks the name the
 * bytes are analyzed under (extension and ransom-note checks). Where libyara is built
 * in, the bytes also go through the malware check with a project rule (the verdict
 * and reason it rewrites). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
    static ks_backup_malware *m;
    static int tried;
    if (!tried && (ks_backup_malware_support() & KS_BACKUP_HAVE_YARA)) {
        tried = 1;
        static const char rule[] = "rule fuzz_marker { strings: $a = \"KENSA\" condition: $a }\n";
        char path[64];
        snprintf(path, sizeof path, "/tmp/kensa-fuzz-backup-%d.yar", (int)getpid());
        FILE *w = fopen(path, "w");
        if (w) {
            fputs(rule, w);
            fclose(w);
            ks_backup_malware_open(path, NULL, &m, NULL);
            remove(path);
        }
    }
    if (m && ks_backup_malware_check_mem(m, name, data, size, &f) &&
        (f.verdict != KS_BV_MALWARE || strncmp(f.reason, "YARA rule: fuzz_marker", 22) != 0))
        __builtin_trap();
    return 0;
}
