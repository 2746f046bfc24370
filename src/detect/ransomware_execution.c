/* ransomware_execution: the encryption itself. Three signs, per host:
 * - many files written with one new extension within minutes (Sysmon 11 file
 *   creations, 4663 writes to files): `files` distinct files with the same unusual
 *   extension in at least `folders` folders within `window_s`; extensions that
 *   programs write every day (documents, images, logs, binaries, ...) never count;
 * - ransom notes (a name with readme, decrypt, recover, restore, ransom, how_to,
 *   unlock: .txt .hta .html) appearing in `note_folders` folders within `window_s`;
 * - a known ransomware program started (4688, Sysmon 1).
 * A burst stays one finding until the host is quiet for a whole window. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#define RE_MAX 1024
#define RE_FOLDERS 32

enum { V_EXT, V_NOTES, V_IMAGE };

/* Extensions written in bulk by ordinary work (lowercase, without the dot). */
static const char *const COMMON[] = {
    "tmp",   "log",        "etl",      "txt",  "dat",      "db",     "json",    "xml",   "ini",
    "lnk",   "pf",         "dll",      "exe",  "sys",      "cab",    "msi",     "msp",   "mui",
    "cat",   "inf",        "manifest", "mum",  "jpg",      "jpeg",   "png",     "gif",   "bmp",
    "ico",   "svg",        "pdf",      "doc",  "docx",     "xls",    "xlsx",    "ppt",   "pptx",
    "csv",   "rtf",        "html",     "htm",  "css",      "js",     "ts",      "map",   "zip",
    "7z",    "rar",        "gz",       "tar",  "evtx",     "bak",    "old",     "chk",   "edb",
    "jrs",   "jfm",        "blf",      "wal",  "shm",      "sqlite", "journal", "ldb",   "cache",
    "pri",   "dmp",        "mof",      "sdb",  "py",       "pyc",    "h",       "c",     "cpp",
    "cs",    "java",       "class",    "jar",  "pdb",      "lib",    "obj",     "nupkg", "config",
    "resx",  "resources",  "yml",      "yaml", "md",       "ps1",    "psm1",    "psd1",  "ps1xml",
    "cdxml", "ttf",        "otf",      "woff", "woff2",    "nls",    "tlb",     "ocx",   "cpl",
    "drv",   "msc",        "mp3",      "mp4",  "wav",      "avi",    "dcm",     "hl7",   "xsd",
    "xsl",   "tlog",       "pch",      "ilk",  "idb",      "exp",    "iso",     "vhd",   "vhdx",
    "vmdk",  "crdownload", "partial",  "part", "download", "bin",    "mdb",     "accdb", "msg",
    "eml",   "one",        "vsdx",     "rdp",  "url",      "reg",    "bat",     "cmd",   "vbs",
    "hta",   "dic",        "sqlite3",  "xaml", "dcx",      "tif",    "tiff",    "webp",  "heic",
    "mkv",   "mov",        "wmv",      "odt",  "ods",
};

/* Words of a ransom note's file name, and its extensions. */
static const char *const NOTE_WORDS[] = {"readme",  "read_me", "read-me", "decrypt",
                                         "recover", "restore", "ransom",  "how_to",
                                         "how-to",  "howto",   "unlock"};
static const char *const NOTE_EXTS[] = {"txt", "hta", "html", "htm"};

/* Program names of known ransomware (lowercase): prefixes, and exact names. */
static const char *const IMAGE_PREFIX[] = {
    "@wanadecryptor@", "wanadecryptor", "wannacry",    "lockbit",  "ryuk",  "sodinokibi",
    "revil",           "babuk",         "blackmatter", "darkside", "phobos"};
static const char *const IMAGE_EXACT[] = {"tasksche.exe", "lb3.exe",  "lb3_pass.exe", "conti.exe",
                                          "akira.exe",    "hive.exe", "locker.exe"};

typedef struct re_key {
    ks_finding *open;
    int64_t last;
    uint32_t n, nfolders;
    uint32_t folders[RE_FOLDERS];
    ks_ref w[]; /* distinct files, first-seen order (aux: the file) */
} re_key;

typedef struct re {
    ks_keys *keys;
    ks_group images;
    uint32_t files, folders, note_folders, cap;
    int64_t window, now, swept;
} re;

static uint32_t clamp(int64_t v, uint32_t hi)
{
    return (uint32_t)(v < 1 ? 1 : v > hi ? hi : v);
}

static int re_open(ks_det *d, void **state)
{
    re *r = calloc(1, sizeof *r);
    if (!r) return -1;
    r->files = clamp(ks_det_param(d, "files"), RE_MAX);
    r->folders = clamp(ks_det_param(d, "folders"), RE_FOLDERS);
    r->note_folders = clamp(ks_det_param(d, "note_folders"), RE_FOLDERS);
    r->cap = r->files > r->note_folders ? r->files : r->note_folders;
    r->window = ks_det_param(d, "window_s") * KS_SECOND_NS;
    r->now = r->swept = INT64_MIN;
    r->keys = ks_keys_new(sizeof(re_key) + r->cap * sizeof(ks_ref), 16384);
    if (!r->keys || ks_group_open(&r->images, 3600 * KS_SECOND_NS) != 0) {
        ks_keys_free(&r->keys);
        free(r);
        return -1;
    }
    *state = r;
    return 0;
}

typedef struct sweep_ctx {
    ks_det *d;
    re *r;
    bool all;
} sweep_ctx;

static bool expire(void *ctx, void *state)
{
    sweep_ctx *c = ctx;
    re_key *k = state;
    if (!c->all && c->r->now - k->last <= c->r->window) return false;
    if (k->open) ks_finding_emit(c->d, k->open);
    k->open = NULL;
    return true;
}

static bool in_list(ks_str s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ks_str_ieq(s, list[i])) return true;
    return false;
}

/* The folder (up to the last separator) and the extension (after the last dot of
 * the file name; empty when none or longer than 32 bytes). */
static void split(ks_str path, ks_str *folder, ks_str *ext)
{
    ks_str base = ks_str_basename(path);
    *folder = (ks_str){path.p, (size_t)(base.p - path.p)};
    *ext = (ks_str){"", 0};
    for (size_t i = base.len; i > 0; i--)
        if (base.p[i - 1] == '.') {
            if (i < base.len && base.len - i <= 32) *ext = (ks_str){base.p + i, base.len - i};
            return;
        }
}

static bool is_note(ks_str base, ks_str ext)
{
    if (!in_list(ext, NOTE_EXTS, sizeof NOTE_EXTS / sizeof NOTE_EXTS[0])) return false;
    for (size_t i = 0; i < sizeof NOTE_WORDS / sizeof NOTE_WORDS[0]; i++)
        if (ks_str_icontains(base, NOTE_WORDS[i])) return true;
    return false;
}

/* One file written: count it under kind/value, in its folder. */
static void written(ks_det *d, re *r, const ks_event *ev, int variant, ks_str value, ks_str path,
                    ks_str folder, uint32_t need_files, uint32_t need_folders)
{
    re_key *k = ks_keys_get(r->keys, d, variant == V_EXT ? "x" : "n", ev->host, value, true);
    if (!k) return;
    if (k->open && ev->time_ns - k->open->last_ns > r->window) {
        ks_finding_emit(d, k->open);
        k->open = NULL;
        k->n = k->nfolders = 0;
    }
    if (ev->time_ns > k->last) k->last = ev->time_ns;
    ks_ref ref = ks_ref_of(d, ev, ks_str_hash(path));
    if (k->open) {
        ks_finding_add(k->open, d, ref);
        ks_finding_add_user(k->open, ev->sem.user);
        return;
    }
    /* drop what fell out of the window, then skip a file already counted */
    uint32_t old = 0;
    while (old < k->n && k->w[old].t < ref.t - r->window) old++;
    if (old) {
        memmove(k->w, k->w + old, (k->n - old) * sizeof *k->w);
        k->n -= old;
    }
    if (!k->n) k->nfolders = 0;
    for (uint32_t i = 0; i < k->n; i++)
        if (k->w[i].aux == ref.aux) return;
    ks_window_add(k->w, &k->n, r->cap, ref, r->window);
    uint32_t fh = ks_str_hash(folder);
    bool known = false;
    for (uint32_t i = 0; i < k->nfolders; i++) known |= k->folders[i] == fh;
    if (!known && k->nfolders < RE_FOLDERS) k->folders[k->nfolders++] = fh;
    if (k->n < need_files || k->nfolders < need_folders) return;
    ks_finding *f = ks_finding_new(d, ev);
    if (!f) return;
    f->variant = variant;
    f->severity = KS_LEVEL_CRITICAL;
    f->src_ip[0] = 0;
    for (uint32_t i = 0; i < k->n; i++) ks_finding_add(f, d, k->w[i]);
    char what[128];
    if (variant == V_EXT) {
        what[0] = '.';
        ks_str_copy(what + 1, sizeof what - 1, value);
    } else {
        ks_str_copy(what, sizeof what, ks_str_basename(path));
    }
    ks_finding_add_detail(f, (ks_str){what, strlen(what)});
    if (ev->sem.process.len) {
        ks_str_copy(what, sizeof what, ev->sem.process);
        ks_finding_add_detail(f, (ks_str){what, strlen(what)});
    }
    k->open = f;
    k->n = k->nfolders = 0;
}

static bool known_image(ks_str program)
{
    ks_str base = ks_str_basename(program);
    for (size_t i = 0; i < sizeof IMAGE_PREFIX / sizeof IMAGE_PREFIX[0]; i++) {
        size_t n = strlen(IMAGE_PREFIX[i]);
        if (base.len >= n && ks_str_ieq((ks_str){base.p, n}, IMAGE_PREFIX[i])) return true;
    }
    return in_list(base, IMAGE_EXACT, sizeof IMAGE_EXACT / sizeof IMAGE_EXACT[0]);
}

static void re_event(ks_det *d, void *state, const ks_event *ev)
{
    re *r = state;
    bool sysmon = ks_str_eq(ev->provider, "Microsoft-Windows-Sysmon");
    bool sec = ks_event_is_security(ev);
    if ((ev->event_id == 4688 && sec) || (ev->event_id == 1 && sysmon)) {
        if (!known_image(ev->sem.process)) return;
        bool fresh;
        ks_finding *f = ks_group_add(&r->images, d, "i", ev->host, (ks_str){"", 0}, ev, &fresh);
        if (!f) return;
        if (fresh)
            f->variant = V_IMAGE, f->src_ip[0] = 0;
        else
            ks_finding_add_user(f, ev->sem.user);
        char what[200];
        ks_str_copy(what, sizeof what, ev->sem.process);
        ks_finding_add_detail(f, (ks_str){what, strlen(what)});
        return;
    }
    ks_str path;
    if (ev->event_id == 11 && sysmon) {
        path = ks_det_text(d, ev, "TargetFilename");
    } else if (ev->event_id == 4663 && sec) {
        ks_str type = ks_det_text(d, ev, "ObjectType");
        if (type.len && !ks_str_ieq(type, "File")) return;
        ks_str mask = ks_det_text(d, ev, "AccessMask");
        uint64_t m = 0;
        size_t i = mask.len > 2 && mask.p[0] == '0' && (mask.p[1] | 0x20) == 'x' ? 2 : 0;
        for (; i < mask.len && i < 18; i++) {
            char c = (char)(mask.p[i] | 0x20);
            if (c >= '0' && c <= '9')
                m = m * 16 + (uint64_t)(c - '0');
            else if (c >= 'a' && c <= 'f')
                m = m * 16 + (uint64_t)(c - 'a' + 10);
            else
                break;
        }
        if (!(m & 0x6)) return; /* WriteData / AppendData */
        path = ks_det_text(d, ev, "ObjectName");
    } else {
        return;
    }
    if (!path.len) return;
    if (ev->time_ns > r->now) r->now = ev->time_ns;
    if (r->swept == INT64_MIN)
        r->swept = r->now;
    else if (r->now - r->swept > r->window && ks_keys_size(r->keys)) {
        sweep_ctx c = {d, r, false};
        ks_keys_sweep(r->keys, expire, &c);
        r->swept = r->now;
    }
    ks_str folder, ext;
    split(path, &folder, &ext);
    if (!ext.len) return;
    ks_str base = ks_str_basename(path);
    if (is_note(base, ext)) {
        written(d, r, ev, V_NOTES, (ks_str){"", 0}, path, folder, r->note_folders, r->note_folders);
        return;
    }
    if (in_list(ext, COMMON, sizeof COMMON / sizeof COMMON[0])) return;
    written(d, r, ev, V_EXT, ext, path, folder, r->files, r->folders);
}

static void re_end_file(ks_det *d, void *state)
{
    re *r = state;
    sweep_ctx c = {d, r, true};
    ks_keys_sweep(r->keys, expire, &c);
    ks_group_flush(&r->images, d);
    r->now = r->swept = INT64_MIN;
}

static void re_close(ks_det *d, void *state)
{
    (void)d;
    re *r = state;
    ks_keys_free(&r->keys);
    ks_group_close(&r->images);
    free(r);
}

const ks_detector_def ks_detector_ransomware_execution = {
    .info =
        {
            .id = "ransomware_execution",
            .title = {"Ransomware encrypting files", "ランサムウェアによる暗号化"},
            .explain =
                {
                    {"{count} files written on {host} with one new extension within {minutes} "
                     "min: {detail}",
                     "{host} で {minutes} 分間に同じ新しい拡張子のファイルが {count} 個書き込まれ"
                     "ました: {detail}"},
                    {"Ransom notes written in many folders on {host} ({count} files within "
                     "{minutes} min): {detail}",
                     "{host} の多数のフォルダに身代金要求文書が書き込まれました ({minutes} 分間に "
                     "{count} 個): {detail}"},
                    {"Known ransomware started on {host} ({count} times): {detail}",
                     "{host} で既知のランサムウェアが起動しました ({count} 回): {detail}"},
                },
            .categories = {"ransomware_execution"},
            .attack = "T1486",
            .severity = KS_LEVEL_CRITICAL,
            .params =
                {
                    {"files", 50, "distinct files with one new extension that make a burst"},
                    {"folders", 3, "folders those files must be spread over"},
                    {"note_folders", 5, "folders with a ransom note that make a burst"},
                    {"window_s", 300,
                     "seconds they must fit in; a longer quiet gap ends the finding"},
                },
        },
    .open = re_open,
    .event = re_event,
    .end_file = re_end_file,
    .close = re_close,
};
