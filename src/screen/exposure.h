/* Graph exposure of screened accounts, read from vertex_exposure and
 * exposure_edge (exposure.c). */
#ifndef IFFA_SRC_SCREEN_EXPOSURE_H
#define IFFA_SRC_SCREEN_EXPOSURE_H

#include "core/jsonbuf.h"
#include "iffa/screen.h"

typedef struct iffa_screen__exposure iffa_screen__exposure;

/*
 * Find the latest completed analysis run that stored exposure and prepare
 * the look-up statement on `db` (borrowed; it must outlive the handle).
 * No such run is not an error: every look-up then says "no analysis run".
 */
int iffa_screen__exposure_open(iffa_screen__exposure **out, iffa_db *db);
void iffa_screen__exposure_free(iffa_screen__exposure *x);

/*
 * Fill out[i].exposure for the n requests: those with an account are
 * looked up in one statement; the others are "not assessed". Results
 * already hold their hits; this adds the exposure and its storage.
 */
int iffa_screen__exposure_lookup(iffa_screen__exposure *x, iffa_screen_result *out,
				 const iffa_screen_request *reqs, size_t n);

/* Raise r->verdict by r->exposure (rules in docs/SCREENING.md). */
void iffa_screen__exposure_combine(iffa_screen_result *r);

/*
 * The exposure as a JSON object (JSON lines; brief: the audit record,
 * whose path edges keep only from, to, amount_xof, first, last and
 * records: the rest is in exposure_edge, or vertex_exposure for a run
 * before sql/012, of the run it names).
 */
void iffa_screen__exposure_json(iffa_jsonbuf *b, const iffa_screen_exposure *e, int brief);

/* The path in words on one line: "A (name) -> B (name) 1,200,000 XOF 2025-03-02; ...". */
void iffa_screen__exposure_path_words(iffa_jsonbuf *b, const iffa_screen_exposure *e);

#endif
