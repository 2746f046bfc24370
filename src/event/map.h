/* Field mapping: the table that fills an event's semantic fields (ks_semantic) from
 * its named fields, for the Windows events detectors use, whatever the source. */
#ifndef KS_EVENT_MAP_H
#define KS_EVENT_MAP_H

#include "kensa/event.h"
#include "util/arena.h"

/* Fill ev->sem where it is still empty (a reader may have set some slots already).
 * Text is copied into a (converted from UTF-16 where needed). */
void ks_event_map(ks_event *ev, ks_arena *a);

#endif
