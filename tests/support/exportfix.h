/*
 * The hand-built case of tests/support/exportfix.c (see there).
 */
#ifndef IFFA_TESTS_SUPPORT_EXPORTFIX_H
#define IFFA_TESTS_SUPPORT_EXPORTFIX_H

#include <stddef.h>

#include "iffa.h"

extern const char exportfix_hyperlink[]; /* P1's name, the designated armed group */
extern const char exportfix_script[];    /* P2's name */
extern const char exportfix_dotbreak[];  /* P3's name */

/*
 * Make a temporary directory (into dir) and a fresh database `name` (its
 * connection string into ci), load the case and analyse it. Around
 * account A2 with one hop: A1, A2, A3 and the edges A1->A2 (1,500,000 XOF
 * in 2 flows), A2->A1 (100, mobile money), A2->A3 (1,400,000).
 */
iffa_db *exportfix_load(char *dir, size_t dirsize, char *ci, size_t cisize, const char *name);

#endif
