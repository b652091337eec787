/*
 * Internals of the report module: the SVG pictures iffa draws itself (a
 * bar chart, a network drawn from an igraph layout) and printing the page
 * to PDF with a headless browser.
 */
#ifndef IFFA_SRC_REPORT_REPORT_H
#define IFFA_SRC_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/jsonbuf.h"
#include "iffa/common.h"

/** Vertex styles of a network picture. */
enum {
	IFFA_REPORT__SOURCE = 1,  /* designated or armed group: red */
	IFFA_REPORT__FLAGGED = 2  /* named by a finding: orange */
};

/**
 * A horizontal bar chart as inline SVG: one bar per label, longest = the
 * largest value; highlighted bars in a second colour. Labels are escaped.
 * @return 0 or IFFA_ENOMEM
 */
int iffa_report__svg_bars(iffa_jsonbuf *b, const char *const *labels, const double *values,
			  const int *highlight, size_t n, const char *unit);

/**
 * A network picture as inline SVG: vertex positions from
 * igraph_layout_fruchterman_reingold (igraph's RNG seeded with `seed`, so
 * the same data draws the same picture), scaled into the box; edges as
 * arrows whose width grows with log(amount); vertices coloured by style,
 * labelled (escaped).
 * Time complexity: O(iterations × |V|^2) for the layout (500 iterations).
 * @return 0, IFFA_ENOMEM or IFFA_ERROR (igraph)
 */
int iffa_report__svg_network(iffa_jsonbuf *b, size_t nv, const char *const *labels,
			     const unsigned *style, size_t ne, const size_t *from, const size_t *to,
			     const double *amount, uint64_t seed);

/**
 * Print `html` (a path) to `pdf` with `browser --headless --no-sandbox
 * --print-to-pdf`, run without a shell; at most `timeout_s` seconds.
 * @return 0, IFFA_ENOTFOUND (no browser at that path), IFFA_ERROR (it
 *         failed; the message says how)
 */
int iffa_report__print_pdf(const char *browser, const char *html, const char *pdf,
			   int timeout_s);

#endif
