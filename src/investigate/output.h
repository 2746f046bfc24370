/* Helpers shared by the investigation's writers (output.c, report_html.c). */
#ifndef KS_INVESTIGATE_OUTPUT_H
#define KS_INVESTIGATE_OUTPUT_H

#include <stddef.h>

#include "kensa/buf.h"
#include "kensa/investigate.h"

/* s as a JSON string, quotes included (NULL as ""). */
void ks_inv_json_str(ks_buf *b, const char *s);
/* The stage of finding fi in its chain, or KS_STAGE_COUNT when it is in none. */
ks_stage ks_inv_finding_stage(const ks_investigation *inv, size_t fi);

#endif
