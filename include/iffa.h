/*
 * iffa.h: the whole public API of libiffa. Link with `pkg-config --libs iffa`.
 */
#ifndef IFFA_H
#define IFFA_H

#include "iffa/common.h"
#include "iffa/db.h"
#include "iffa/generate.h"
#include "iffa/load.h"
#include "iffa/graph.h"
#include "iffa/ingest.h"
#include "iffa/lists.h"
#include "iffa/screen.h"
#include "iffa/findings.h"
#include "iffa/passes.h"
#include "iffa/analyse.h"
#include "iffa/crypto.h"
#include "iffa/share.h"
#include "iffa/export.h"
#include "iffa/report.h"

#endif
