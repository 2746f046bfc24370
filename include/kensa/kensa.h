/* kensa: the whole public API. */
#ifndef KENSA_H
#define KENSA_H

#include "kensa/backup.h"
#include "kensa/buf.h"
#include "kensa/case.h"
#include "kensa/csv.h"
#include "kensa/detect.h"
#include "kensa/event.h"
#include "kensa/evtx.h"
#include "kensa/evtx_writer.h"
#include "kensa/i18n.h"
#include "kensa/investigate.h"
#include "kensa/seal.h"
#include "kensa/sigma.h"
#include "kensa/simulate.h"
#include "kensa/site.h"
#include "kensa/source.h"
#include "kensa/status.h"
#include "kensa/time.h"
#include "kensa/value.h"

#define KS_VERSION "0.1.0"

#endif
