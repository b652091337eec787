/* Internals of a screener shared with the tests and the benchmark. */
#ifndef IFFA_SRC_SCREEN_SCREENER_H
#define IFFA_SRC_SCREEN_SCREENER_H

#include "iffa/screen.h"
#include "screen/index.h"

/** The screener's index and parameters (borrowed). */
iffa_screen__index *iffa_screen__screener_index(iffa_screener *s);
const iffa_screen__params *iffa_screen__screener_params(const iffa_screener *s);

#endif
