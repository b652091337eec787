/*
 * iffa.h: the whole public API of libiffa. Link with `pkg-config --libs iffa`.
 */
#ifndef IFFA_H
#define IFFA_H

#include "iffa/common.h"
#include "iffa/db.h"
#include "iffa/lists.h"
#include "iffa/screen.h"

#endif
