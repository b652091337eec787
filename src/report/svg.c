/*
 * The report's pictures, drawn as SVG by hand: no charting library is
 * installed and the page must show without network access. Every label
 * from the data goes through iffa_case__xml.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <igraph.h>

#include "export/case.h"
#include "graph/flowgraph.h"
#include "report/report.h"

int iffa_report__svg_bars(iffa_jsonbuf *b, const char *const *labels, const double *values,
			  const int *highlight, size_t n, const char *unit)
{
	const double left = 150, width = 470, bar = 18, gap = 6, top = 10;
	double max = 0;
	double h = top * 2 + (double)n * (bar + gap);

	for (size_t i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	iffa_jsonbuf__printf(b,
			     "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
			     "width=\"760\" height=\"%.0f\" viewBox=\"0 0 760 %.0f\" role=\"img\">\n",
			     h, h);
	for (size_t i = 0; i < n; i++) {
		double y = top + (double)i * (bar + gap);
		double w = max > 0 ? width * values[i] / max : 0;
		iffa_jsonbuf__printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
					"font-size=\"12\">",
				     left - 8, y + bar - 5);
		iffa_case__xml(b, labels[i]);
		iffa_jsonbuf__printf(b,
				     "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
				     "fill=\"%s\"/>",
				     left, y, w < 1 ? 1 : w, bar,
				     highlight && highlight[i] ? "#c0392b" : "#7f8c8d");
		iffa_jsonbuf__printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%.1f %s</text>\n",
				     left + (w < 1 ? 1 : w) + 6, y + bar - 5, values[i], unit);
	}
	iffa_jsonbuf__puts(b, "</svg>\n");
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}

/* Push apart vertices drawn closer than their labels need (two accounts of
 * one hub land on top of each other), inside the box: a few rounds of
 * pairwise pushes, O(rounds × n^2) for the few dozen vertices of a picture. */
static void spread(double *x, double *y, size_t n, double x0, double x1, double y0, double y1)
{
	const double need = 30;

	for (int round = 0; round < 60; round++) {
		int moved = 0;
		for (size_t i = 0; i < n; i++) {
			for (size_t j = i + 1; j < n; j++) {
				double dx = x[j] - x[i], dy = y[j] - y[i], d = hypot(dx, dy), push;
				if (d >= need)
					continue;
				if (d < 1e-6) { /* same place: part them sideways */
					dx = 1;
					dy = 0.3 * (double)((i + j) % 3) - 0.3;
					d = hypot(dx, dy);
				}
				push = (need - d) / 2 / d;
				x[i] -= dx * push;
				y[i] -= dy * push;
				x[j] += dx * push;
				y[j] += dy * push;
				moved = 1;
			}
		}
		for (size_t i = 0; i < n; i++) {
			x[i] = x[i] < x0 ? x0 : x[i] > x1 ? x1 : x[i];
			y[i] = y[i] < y0 ? y0 : y[i] > y1 ? y1 : y[i];
		}
		if (!moved)
			break;
	}
}

int iffa_report__svg_network(iffa_jsonbuf *b, size_t nv, const char *const *labels,
			     const unsigned *style, size_t ne, const size_t *from, const size_t *to,
			     const double *amount, uint64_t seed)
{
	const double W = nv <= 3 ? 560 : 760, H = nv <= 3 ? 180 : 420, pad = 85;
	igraph_vector_int_t edges;
	igraph_matrix_t pos;
	igraph_t ig;
	int have_edges = 0, have_graph = 0, have_pos = 0, error = 0;
	double minx = 0, maxx = 0, miny = 0, maxy = 0, maxa = 1, *px = NULL, *py = NULL;
	igraph_error_t ierr;

	if (igraph_vector_int_init(&edges, 2 * (igraph_integer_t)ne) != IGRAPH_SUCCESS)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	have_edges = 1;
	for (size_t i = 0; i < ne; i++) {
		VECTOR(edges)[2 * i] = (igraph_integer_t)from[i];
		VECTOR(edges)[2 * i + 1] = (igraph_integer_t)to[i];
		if (amount[i] > maxa)
			maxa = amount[i];
	}
	if ((ierr = igraph_create(&ig, &edges, (igraph_integer_t)nv, IGRAPH_DIRECTED)) != IGRAPH_SUCCESS) {
		error = iffa_flowgraph__igraph_fail(ierr, "drawing a network");
		goto done;
	}
	have_graph = 1;
	if (igraph_matrix_init(&pos, 0, 0) != IGRAPH_SUCCESS) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	have_pos = 1;
	igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)seed);
	if ((ierr = igraph_layout_fruchterman_reingold(&ig, &pos, 0, 500, (igraph_real_t)sqrt((double)nv),
						       IGRAPH_LAYOUT_AUTOGRID, NULL, NULL, NULL, NULL,
						       NULL)) != IGRAPH_SUCCESS) {
		error = iffa_flowgraph__igraph_fail(ierr, "laying out a network");
		goto done;
	}
	for (size_t i = 0; i < nv; i++) {
		double x = MATRIX(pos, i, 0), y = MATRIX(pos, i, 1);
		if (i == 0 || x < minx) minx = x;
		if (i == 0 || x > maxx) maxx = x;
		if (i == 0 || y < miny) miny = y;
		if (i == 0 || y > maxy) maxy = y;
	}
	if (maxx - minx < 1e-9) { minx -= 1; maxx += 1; }
	if (maxy - miny < 1e-9) { miny -= 1; maxy += 1; }
	iffa_jsonbuf__printf(b,
			     "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"network\" width=\"%.0f\" "
			     "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n"
			     "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
			     "markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" "
			     "orient=\"auto\">"
			     "<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n",
			     W, H, W, H);
	if (!(px = malloc((nv + 1) * sizeof(*px))) || !(py = malloc((nv + 1) * sizeof(*py)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < nv; i++) {
		px[i] = pad + (MATRIX(pos, i, 0) - minx) / (maxx - minx) * (W - 2 * pad);
		py[i] = pad / 2 + (MATRIX(pos, i, 1) - miny) / (maxy - miny) * (H - pad);
	}
	spread(px, py, nv, pad, W - pad, pad / 2, H - pad / 2);
#define PX(i) px[i]
#define PY(i) py[i]
	for (size_t i = 0; i < ne; i++) {
		double w = 0.8 + 3.2 * log1p(amount[i]) / log1p(maxa);
		double x1 = PX(from[i]), y1 = PY(from[i]), x2 = PX(to[i]), y2 = PY(to[i]);
		double len = hypot(x2 - x1, y2 - y1), bend = 0;
		/* Money both ways between two vertices: bend each edge to its right,
		 * so the two do not draw as one line. */
		for (size_t j = 0; j < ne && bend == 0; j++)
			if (from[j] == to[i] && to[j] == from[i])
				bend = 18;
		if (len < 1e-9) {
			continue; /* a loop: nothing to draw at this scale */
		}
		{
			double ux = (x2 - x1) / len, uy = (y2 - y1) / len;
			double cx = (x1 + x2) / 2 - uy * bend, cy = (y1 + y2) / 2 + ux * bend;
			/* Stop at the target circle's edge so the arrow head shows. */
			double dx = x2 - cx, dy = y2 - cy, dl = hypot(dx, dy);
			if (dl > 20) {
				x2 -= dx * 9 / dl;
				y2 -= dy * 9 / dl;
			}
			iffa_jsonbuf__printf(b,
					     "<path d=\"M %.1f %.1f Q %.1f %.1f %.1f %.1f\" fill=\"none\" "
					     "stroke=\"#555\" stroke-opacity=\"0.7\" stroke-width=\"%.2f\" "
					     "marker-end=\"url(#arrow)\"/>\n",
					     x1, y1, cx, cy, x2, y2, w);
		}
	}
	for (size_t i = 0; i < nv; i++) {
		const char *fill = (style[i] & IFFA_REPORT__SOURCE)    ? "#c0392b"
				   : (style[i] & IFFA_REPORT__FLAGGED) ? "#e67e22"
								       : "#95a5a6";
		iffa_jsonbuf__printf(b,
				     "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\" "
				     "stroke=\"#222\" stroke-width=\"0.8\"/>"
				     "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">",
				     PX(i), PY(i), fill, PX(i), PY(i) - 10);
		iffa_case__xml(b, labels[i]);
		iffa_jsonbuf__puts(b, "</text>\n");
	}
#undef PX
#undef PY
	iffa_jsonbuf__puts(b, "</svg>\n");
	if (b->oom)
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
done:
	free(px);
	free(py);
	if (have_pos)
		igraph_matrix_destroy(&pos);
	if (have_graph)
		igraph_destroy(&ig);
	if (have_edges)
		igraph_vector_int_destroy(&edges);
	return error;
}
