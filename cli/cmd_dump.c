/* kensa dump: every record of .evtx files, as JSON lines or Event XML. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "kensa/kensa.h"

static const char help_en[] =
    "usage: kensa dump FILE|DIR... [--format jsonl|xml] [--threads N] [--strict] [-o OUT]\n"
    "\n"
    "Prints every record of Windows event log files (.evtx) in file order: one JSON\n"
    "object per line (the evtx_dump shape, so jq scripts keep working) or Event XML\n"
    "as Windows exports it. Directories are searched for EVTX files (recognized by\n"
    "content, not by name). Evidence files are only read, never changed.\n"
    "\n"
    "Damaged files are read as far as they can be: each record or chunk that cannot\n"
    "be read is reported on stderr with the file and byte offset, and a summary per\n"
    "file says how many records were read and skipped.\n"
    "\n"
    "options:\n"
    "  --format jsonl|xml  output format (default jsonl)\n"
    "  --threads N         chunks decoded in parallel (default: number of CPUs)\n"
    "  --strict            also count warnings (checksum mismatches) as damage\n"
    "  -o FILE             write records to FILE instead of standard output\n"
    "  -q, --quiet         no progress line and no per-file summary\n"
    "\n"
    "exit status: 0 every record read; 1 something was skipped or damaged (see\n"
    "stderr); 2 bad arguments; 3 the output could not be written.\n"
    "\n"
    "examples:\n"
    "  kensa dump Security.evtx | jq 'select(.Event.System.EventID == 4625)'\n"
    "  kensa dump --format xml logs/ -o all-events.xml\n";

static const char help_ja[] =
    "使い方: kensa dump ファイル|フォルダ... [--format jsonl|xml] [--threads N] [--strict] [-o "
    "出力]\n"
    "\n"
    "Windows イベントログ (.evtx) の全レコードをファイルの順に出力します。1 行に 1 つの\n"
    "JSON (evtx_dump と同じ形なので jq のスクリプトがそのまま使えます)、または Windows の\n"
    "エクスポートと同じ Event XML です。フォルダを指定すると中の EVTX ファイルを (名前では\n"
    "なく中身で見分けて) 探します。証拠のファイルは読むだけで、変更しません。\n"
    "\n"
    "壊れたファイルも読める所まで読みます。読めないレコードやチャンクはファイル名と\n"
    "バイト位置を添えて標準エラーに報告し、ファイルごとに読めた件数とスキップした件数を示します。\n"
    "\n"
    "オプション:\n"
    "  --format jsonl|xml  出力形式 (既定は jsonl)\n"
    "  --threads N         並列に処理するスレッド数 (既定は CPU の数)\n"
    "  --strict            警告 (チェックサム不一致) も損傷として数える\n"
    "  -o ファイル         標準出力の代わりにファイルへ書く\n"
    "  -q, --quiet         進捗表示とファイルごとの集計を出さない\n"
    "\n"
    "終了コード: 0 全レコードを読めた、1 スキップや損傷があった (標準エラーを参照)、\n"
    "2 引数の誤り、3 出力を書けなかった。\n"
    "\n"
    "例:\n"
    "  kensa dump Security.evtx | jq 'select(.Event.System.EventID == 4625)'\n"
    "  kensa dump --format xml logs/ -o all-events.xml\n";

typedef struct run {
    int strict, quiet, tty;
    unsigned long long errors, warnings;
    const char *file;
    struct timespec last;
} run;

static void on_problem(void *ctx, const ks_evtx_problem *p)
{
    run *r = ctx;
    if (p->severity == KS_EVTX_ERROR)
        r->errors++;
    else
        r->warnings++;
    char chunk[16];
    if (p->chunk == UINT32_MAX)
        snprintf(chunk, sizeof chunk, "-");
    else
        snprintf(chunk, sizeof chunk, "%u", p->chunk);
    if (r->tty && !r->quiet) fputs("\r\033[K", stderr);
    fprintf(stderr,
            ks_msg(p->severity == KS_EVTX_ERROR ? KS_MSG_PROBLEM_ERROR : KS_MSG_PROBLEM_WARN),
            p->file, (unsigned long long)p->offset, chunk, p->what);
}

static void on_progress(void *ctx, uint32_t done, uint32_t total)
{
    run *r = ctx;
    if (!r->tty || r->quiet || total < 64) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - r->last.tv_sec) + (now.tv_nsec - r->last.tv_nsec) / 1e9;
    if (dt < 0.25 && done != total) return;
    r->last = now;
    fprintf(stderr, ks_msg(KS_MSG_PROGRESS), r->file, (unsigned)(100ull * done / total), done,
            total);
    if (done == total) fputs("\r\033[K", stderr);
}

typedef struct list {
    char **v;
    size_t n, cap;
} list;

static int push(list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s))) return -1;
    l->n++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int looks_like_evtx(const char *path)
{
    size_t n = strlen(path);
    if (n >= 5 && strcasecmp(path + n - 5, ".evtx") == 0) return 1;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char m[8] = {0};
    size_t got = fread(m, 1, 8, f);
    fclose(f);
    return got == 8 && memcmp(m, "ElfFile", 8) == 0;
}

/* Files under dir, depth-first, sorted by name at each level. */
static void walk(const char *dir, list *out, int depth)
{
    if (depth > 32) return;
    DIR *d = opendir(dir);
    if (!d) return;
    list names = {0};
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) push(&names, e->d_name);
    closedir(d);
    if (names.n) qsort(names.v, names.n, sizeof *names.v, by_name);
    for (size_t i = 0; i < names.n; i++) {
        size_t len = strlen(dir) + strlen(names.v[i]) + 2;
        char *p = malloc(len);
        if (p) {
            snprintf(p, len, "%s/%s", dir, names.v[i]);
            struct stat st;
            if (lstat(p, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                    walk(p, out, depth + 1);
                else if (S_ISREG(st.st_mode) && looks_like_evtx(p))
                    push(out, p);
            }
            free(p);
        }
        free(names.v[i]);
    }
    free(names.v);
}

int cmd_dump(int argc, char **argv)
{
    ks_dump_opts o = {.format = KS_DUMP_JSONL, .out = stdout};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    run r = {.tty = isatty(2)};
    const char *outpath = NULL;
    list inputs = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stdout);
            return KS_EXIT_OK;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            a = argv[++i];
            if (strcmp(a, "jsonl") == 0 || strcmp(a, "json") == 0)
                o.format = KS_DUMP_JSONL;
            else if (strcmp(a, "xml") == 0)
                o.format = KS_DUMP_XML;
            else {
                fprintf(stderr, "--format: jsonl or xml\n");
                return KS_EXIT_USAGE;
            }
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 64) {
                fprintf(stderr, "--threads: a number from 1 to 64\n");
                return KS_EXIT_USAGE;
            }
            o.threads = (int)t;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            outpath = argv[++i];
        } else if (strcmp(a, "--strict") == 0) {
            r.strict = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            r.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, ks_msg(KS_MSG_UNKNOWN_OPTION), a);
            return KS_EXIT_USAGE;
        } else {
            push(&inputs, a);
        }
    }
    if (!inputs.n) {
        fputs(ks_lang_get() == KS_LANG_JA ? help_ja : help_en, stderr);
        return KS_EXIT_USAGE;
    }
    list files = {0};
    unsigned failed = 0;
    for (size_t i = 0; i < inputs.n; i++) {
        struct stat st;
        if (stat(inputs.v[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t before = files.n;
            walk(inputs.v[i], &files, 0);
            if (files.n == before) {
                fprintf(stderr, ks_msg(KS_MSG_NOTHING_FOUND), inputs.v[i]);
                failed++;
            }
        } else {
            push(&files, inputs.v[i]);
        }
    }
    if (outpath && !(o.out = fopen(outpath, "wb"))) {
        perror(outpath);
        return KS_EXIT_FAIL;
    }
    setvbuf(o.out, NULL, _IOFBF, 1 << 20);
    o.on_problem = on_problem;
    o.problem_ctx = &r;
    o.on_progress = on_progress;
    o.progress_ctx = &r;
    if (o.format == KS_DUMP_XML)
        fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n", o.out);
    unsigned long long records = 0, skipped = 0;
    int io_failed = 0, damaged = 0;
    for (size_t i = 0; i < files.n; i++) {
        ks_diag d = {0};
        ks_evtx *ev = NULL;
        if (ks_evtx_open(&ev, files.v[i], &d) != KS_OK) {
            fprintf(stderr, ks_msg(KS_MSG_CANNOT_READ), files.v[i], d.what);
            failed++;
            continue;
        }
        r.file = files.v[i];
        ks_evtx_stats s;
        unsigned long long errors_before = r.errors, warnings_before = r.warnings;
        if (ks_evtx_dump(ev, &o, &s) != KS_OK) io_failed = 1;
        ks_evtx_close(&ev);
        records += s.records;
        skipped += s.records_skipped;
        if (r.errors > errors_before || s.records_skipped || s.chunks_bad) damaged = 1;
        if (r.strict && r.warnings > warnings_before) damaged = 1;
        if (!r.quiet)
            fprintf(stderr, ks_msg(KS_MSG_FILE_SUMMARY), files.v[i], (unsigned long long)s.records,
                    (unsigned long long)s.records_recovered, (unsigned long long)s.records_skipped,
                    s.chunks, s.chunks_bad, s.chunks_crc, s.chunks_empty);
    }
    if (o.format == KS_DUMP_XML) fputs("</Events>\n", o.out);
    if (fflush(o.out) != 0 || ferror(o.out)) io_failed = 1;
    if (outpath && fclose(o.out) != 0) io_failed = 1;
    if (!r.quiet && files.n > 1)
        fprintf(stderr, ks_msg(KS_MSG_TOTAL_SUMMARY), (unsigned)files.n, records, skipped, failed);
    for (size_t i = 0; i < inputs.n; i++) free(inputs.v[i]);
    for (size_t i = 0; i < files.n; i++) free(files.v[i]);
    free(inputs.v);
    free(files.v);
    if (io_failed) return KS_EXIT_FAIL;
    return damaged || failed ? KS_EXIT_PARTIAL : KS_EXIT_OK;
}
