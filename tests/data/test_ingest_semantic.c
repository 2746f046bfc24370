/* The same Windows events read from .evtx, from kensa's XML export and from a
 * LogParser CSV export must carry the same semantic fields (user, src_ip, logon_type,
 * outcome, ...): the field-mapping table sees the same named fields whatever the
 * source. Over every shared attack and normal sample; CSV events whose Strings the
 * reader cannot name (String1..N, events outside its table) are counted, not compared. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "kensa/kensa.h"

/* An event's semantic fields as one line of text. */
static void sem_line(ks_buf *b, const ks_event *ev)
{
    const ks_semantic *s = &ev->sem;
    const ks_str *v[] = {&s->user,    &s->domain,  &s->src_ip,       &s->src_host,
                         &s->status,  &s->process, &s->command_line, &s->parent_process,
                         &s->service, &s->share,   &s->session};
    ks_buf_printf(b, "%u|", ev->event_id);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ks_buf_append(b, v[i]->p, v[i]->len);
        ks_buf_putc(b, '|');
    }
    ks_buf_printf(b, "%d|%d\n", s->logon_type, (int)s->outcome);
}

typedef struct totals {
    unsigned long long files, events, xml_same, csv_same, csv_unnamed, mapped;
} totals;

/* Each event's semantic line from a source, appended to out; returns the count. */
static size_t read_all(ks_source *s, ks_buf *out, int csv, unsigned long long *unnamed,
                       unsigned long long *mapped, ks_buf *mask)
{
    const ks_event *ev;
    size_t n = 0;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        int named = !(csv && ev->nfields && ev->fields[0].name.len == 7 &&
                      !memcmp(ev->fields[0].name.p, "String1", 7));
        if (!named) (*unnamed)++;
        if (mask) ks_buf_putc(mask, named ? '1' : '0');
        if (mapped && (ev->sem.user.len || ev->sem.src_ip.len || ev->sem.outcome)) (*mapped)++;
        sem_line(out, ev);
        n++;
    }
    return n;
}

/* Lines of a and b, compared where mask (may be NULL) says '1'. */
static unsigned long long same_lines(ks_buf *a, ks_buf *b, ks_buf *mask, const char *what,
                                     const char *file)
{
    unsigned long long same = 0;
    size_t ia = 0, ib = 0, k = 0;
    while (ia < a->len && ib < b->len) {
        const char *ea = memchr(a->data + ia, '\n', a->len - ia);
        const char *eb = memchr(b->data + ib, '\n', b->len - ib);
        if (!ea || !eb) break;
        size_t la = (size_t)(ea - a->data) - ia, lb = (size_t)(eb - b->data) - ib;
        if (!mask || (k < mask->len && mask->data[k] == '1')) {
            if (la == lb && !memcmp(a->data + ia, b->data + ib, la)) {
                same++;
            } else {
                CHECK(0);
                fprintf(stderr, "%s: %s event %zu differs:\n  evtx %.*s\n  %s  %.*s\n", file, what,
                        k, (int)la, a->data + ia, what, (int)lb, b->data + ib);
            }
        }
        ia += la + 1, ib += lb + 1, k++;
    }
    return same;
}

static void one_file(const char *path, totals *t)
{
    ks_source_opts o = {.tz = "+09:00"};
    ks_diag d;
    ks_source *s = NULL;
    if (ks_source_open(&s, path, &o, &d) != KS_OK || ks_source_format(s) != KS_FORMAT_EVTX) {
        ks_source_close(&s);
        return;
    }
    ks_buf evtx_sem = {0}, xml_doc = {0}, csv_doc = {0}, xml_sem = {0}, csv_sem = {0}, mask = {0};
    /* EVTX: semantic lines, and the CSV export written from the same events */
    ks_csv_write_header(&csv_doc);
    const ks_event *ev;
    size_t n = 0;
    while (ks_source_next(s, &ev) == KS_OK && ev) {
        sem_line(&evtx_sem, ev);
        CHECK_INT(ks_csv_write_event_tz(&csv_doc, ev, "+09:00"), KS_OK);
        n++;
    }
    ks_source_close(&s);
    /* the XML export, as `kensa dump --format xml` writes it */
    ks_evtx *r = NULL;
    if (ks_evtx_open(&r, path, &d) != KS_OK) return;
    ks_buf_puts(&xml_doc, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n");
    const ks_evtx_record *rec;
    while (ks_evtx_next(r, &rec) == KS_OK && rec) ks_evtx_render_xml(rec, &xml_doc);
    ks_buf_puts(&xml_doc, "</Events>\n");
    ks_evtx_close(&r);

    unsigned long long mapped = 0;
    ks_source *x = NULL, *c = NULL;
    CHECK_INT(ks_source_open_mem(&x, xml_doc.data, xml_doc.len, "export.xml", &o, &d), KS_OK);
    CHECK_INT(ks_source_open_mem(&c, csv_doc.data, csv_doc.len, "export.csv", &o, &d), KS_OK);
    if (x && c) {
        CHECK_INT(read_all(x, &xml_sem, 0, &t->csv_unnamed, &mapped, NULL), n);
        unsigned long long unnamed = 0;
        CHECK_INT(read_all(c, &csv_sem, 1, &unnamed, NULL, &mask), n);
        t->csv_unnamed += unnamed;
        t->xml_same += same_lines(&evtx_sem, &xml_sem, NULL, "xml", path);
        t->csv_same += same_lines(&evtx_sem, &csv_sem, &mask, "csv", path);
    }
    t->files++;
    t->events += n;
    t->mapped += mapped;
    ks_source_close(&x);
    ks_source_close(&c);
    ks_buf *all[] = {&evtx_sem, &xml_doc, &csv_doc, &xml_sem, &csv_sem, &mask};
    for (size_t i = 0; i < 6; i++) ks_buf_free(all[i]);
}

static void walk(const char *dir, totals *t, int depth)
{
    DIR *dd = opendir(dir);
    if (!dd || depth > 8) {
        if (dd) closedir(dd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dd))) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            walk(p, t, depth + 1);
        else if (strstr(e->d_name, ".evtx"))
            one_file(p, t);
    }
    closedir(dd);
}

int main(void)
{
    const char *data = ks_test_data_dir();
    totals t = {0};
    char p[4096];
    snprintf(p, sizeof p, "%s/evtx/attack", data);
    walk(p, &t, 0);
    snprintf(p, sizeof p, "%s/evtx/normal", data);
    walk(p, &t, 0);
    printf("%llu files, %llu events (%llu with semantic fields); same from XML: %llu; "
           "same from CSV: %llu (%llu CSV events with unnamed strings not compared)\n",
           t.files, t.events, t.mapped, t.xml_same, t.csv_same, t.csv_unnamed);
    CHECK(t.files >= 250);
    CHECK_INT(t.xml_same, t.events);
    CHECK_INT(t.csv_same + t.csv_unnamed, t.events);
    CHECK(t.mapped >= 2000); /* the samples are mostly Security logons */
    return ks_test_done();
}
