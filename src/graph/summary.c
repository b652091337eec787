/*
 * The summary of a flow graph that `iffa summary` prints: sizes, XOF by
 * channel and record kind, corridors between countries and the largest
 * weakly connected components. Everything is one pass over the edges plus
 * igraph's weak components; text for people and JSON for programs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/flowgraph.h"

void iffa_summary_dispose(iffa_summary *s)
{
	free(s->corridors);
	free(s->largest);
	s->corridors = NULL;
	s->largest = NULL;
	s->ncorridors = s->nlargest = 0;
}

static void add_total(iffa_summary_total *t, const iffa_flowgraph *g, igraph_integer_t e)
{
	t->edges++;
	t->flows += g->eflows[e];
	t->amount += g->eamount[e];
}

/* Country as a number: 0 unknown, 1 + 26 * first + second otherwise. */
static int64_t country_code(const char *c)
{
	return c[0] ? 1 + (c[0] - 'A') * 26 + (c[1] - 'A') : 0;
}

static int by_amount_desc(const void *a, const void *b)
{
	const iffa_summary_corridor *x = a, *y = b;
	int c;

	if (x->total.amount != y->total.amount)
		return x->total.amount > y->total.amount ? -1 : 1;
	if ((c = strcmp(x->from, y->from)) != 0)
		return c;
	return strcmp(x->to, y->to);
}

/* Corridors: (source country, target country) -> total, the top ones kept. */
static int corridors(iffa_summary *s, const iffa_flowgraph *g, size_t top)
{
	iffa_summary_corridor *all = NULL;
	size_t n = 0, cap = 0;
	iffa_keymap index;
	int error;

	if ((error = iffa_keymap__init(&index, 64)) < 0)
		return error;
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		const char *from = g->vcountry[IGRAPH_FROM(&g->graph, e)];
		const char *to = g->vcountry[IGRAPH_TO(&g->graph, e)];
		int64_t i;

		if ((error = iffa_keymap__put(&i, &index, country_code(from) * 677 + country_code(to),
					      (int64_t)n)) < 0)
			goto done;
		if (error == 1) {
			if (n == cap) {
				size_t c = cap ? 2 * cap : 64;
				iffa_summary_corridor *p = realloc(all, c * sizeof(*p));

				if (!p) {
					error = iffa_error_set(IFFA_ENOMEM, "out of memory for corridors");
					goto done;
				}
				all = p;
				cap = c;
			}
			memset(&all[n], 0, sizeof(all[n]));
			memcpy(all[n].from, from, 3);
			memcpy(all[n].to, to, 3);
			all[n].cross_border = from[0] && to[0] && strcmp(from, to) != 0;
			n++;
		}
		add_total(&all[i].total, g, e);
	}
	if (n > 1) /* qsort may not be given the NULL of an empty list */
		qsort(all, n, sizeof(*all), by_amount_desc);
	s->corridors_seen = n;
	s->ncorridors = n < top ? n : top;
	s->corridors = all;
	all = NULL;
	error = 0;
done:
	free(all);
	iffa_keymap__dispose(&index);
	return error;
}

typedef struct {
	iffa_summary_component c;
	igraph_integer_t id;
} component;

static int by_size_desc(const void *a, const void *b)
{
	const component *x = a, *y = b;

	if (x->c.vertices != y->c.vertices)
		return x->c.vertices > y->c.vertices ? -1 : 1;
	if (x->c.amount != y->c.amount)
		return x->c.amount > y->c.amount ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Weak components by igraph (O(|V| + |E|)); an edge lies inside the
 * component of either endpoint, so one pass gives each one's edges and XOF.
 */
static int components(iffa_summary *s, const iffa_flowgraph *g, size_t top)
{
	igraph_vector_int_t membership, csize;
	igraph_integer_t no = 0;
	igraph_error_t ierr;
	component *all = NULL;
	int error = 0, vectors = 0;

	if ((ierr = igraph_vector_int_init(&membership, 0)) != IGRAPH_SUCCESS)
		return iffa_flowgraph__igraph_fail(ierr, "weak components");
	if ((ierr = igraph_vector_int_init(&csize, 0)) != IGRAPH_SUCCESS) {
		igraph_vector_int_destroy(&membership);
		return iffa_flowgraph__igraph_fail(ierr, "weak components");
	}
	vectors = 1;
	ierr = igraph_connected_components(&g->graph, &membership, &csize, &no, IGRAPH_WEAK);
	if (ierr != IGRAPH_SUCCESS) {
		error = iffa_flowgraph__igraph_fail(ierr, "weak components");
		goto done;
	}
	s->components = no;
	if (!(all = calloc(no ? (size_t)no : 1, sizeof(*all)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for components");
		goto done;
	}
	for (igraph_integer_t c = 0; c < no; c++) {
		all[c].id = c;
		all[c].c.vertices = VECTOR(csize)[c];
	}
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		component *c = &all[VECTOR(membership)[IGRAPH_FROM(&g->graph, e)]];

		c->c.edges++;
		c->c.amount += g->eamount[e];
	}
	qsort(all, (size_t)no, sizeof(*all), by_size_desc);
	s->nlargest = (size_t)no < top ? (size_t)no : top;
	if (!(s->largest = calloc(s->nlargest ? s->nlargest : 1, sizeof(*s->largest)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for components");
		s->nlargest = 0;
		goto done;
	}
	for (size_t i = 0; i < s->nlargest; i++)
		s->largest[i] = all[i].c;
done:
	free(all);
	if (vectors) {
		igraph_vector_int_destroy(&membership);
		igraph_vector_int_destroy(&csize);
	}
	return error;
}

int iffa_summary_compute(iffa_summary *out, const iffa_flowgraph *g, size_t top)
{
	int error;

	memset(out, 0, sizeof(*out));
	out->level = g->level;
	out->aggregated = g->aggregated;
	out->from = g->from;
	out->to = g->to;
	out->vertices = g->nv;
	memcpy(out->records, g->records, sizeof(out->records));
	memcpy(out->record_amount, g->record_amount, sizeof(out->record_amount));
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		add_total(&out->all, g, e);
		add_total(&out->by_channel[g->echannel[e]], g, e);
		add_total(&out->by_kind[g->ekind[e]], g, e);
	}
	if ((error = corridors(out, g, top)) < 0 || (error = components(out, g, top)) < 0)
		return error;
	return 0;
}

/* Output. */

static const char *level_name(iffa_level level)
{
	return level == IFFA_LEVEL_PARTY ? "party" : "account";
}

/* Whole XOF with thousands separators: "12,345,678". */
static const char *xof(char *buf, size_t size, double amount)
{
	char digits[64];
	int n = snprintf(digits, sizeof(digits), "%.0f", amount);
	size_t o = 0;
	int start = digits[0] == '-';

	if (n < 0 || (size_t)n >= sizeof(digits) || !isfinite(amount)) {
		snprintf(buf, size, "%g", amount);
		return buf;
	}
	for (int i = 0; i < n && o + 2 < size; i++) {
		if (i > start && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static const char *count(char *buf, size_t size, int64_t n)
{
	return xof(buf, size, (double)n);
}

static const char *country_or_unknown(const char *c)
{
	return c[0] ? c : "??";
}

static void window_text(char *buf, size_t size, int64_t t)
{
	if (iffa_flowgraph_time_format(buf, size, t) < 0)
		snprintf(buf, size, "?");
}

int iffa_summary_write_text(const iffa_summary *s, FILE *to)
{
	char a[64], b[64], c[64], d[64];
	static const char *const kind_plural[IFFA_KIND_COUNT] = {"transfers", "ransoms",
								 "gold lots", "levies"};

	fprintf(to, "Flow graph: %s level, parallel flows %s\n", level_name(s->level),
		s->aggregated ? "merged" : "kept apart");
	if (s->from == IFFA_TIME_MIN && s->to == IFFA_TIME_MAX) {
		fprintf(to, "Window:     all records\n");
	} else {
		if (s->from != IFFA_TIME_MIN)
			window_text(a, sizeof(a), s->from);
		else
			snprintf(a, sizeof(a), "the start");
		if (s->to != IFFA_TIME_MAX)
			window_text(b, sizeof(b), s->to);
		else
			snprintf(b, sizeof(b), "the end");
		fprintf(to, "Window:     from %s to %s (end excluded)\n", a, b);
	}
	fprintf(to, "Vertices:   %s\n", count(a, sizeof(a), s->vertices));
	fprintf(to, "Edges:      %s (%s flows)\n", count(a, sizeof(a), s->all.edges),
		count(b, sizeof(b), s->all.flows));
	fprintf(to, "Records:   ");
	for (int k = 0; k < IFFA_KIND_COUNT; k++)
		fprintf(to, " %s %s%s", count(a, sizeof(a), s->records[k]), kind_plural[k],
			k + 1 < IFFA_KIND_COUNT ? "," : "\n");
	fprintf(to, "XOF:        %s along edges (a ransom counts once per hop)\n",
		xof(a, sizeof(a), s->all.amount));

	fprintf(to, "\nBy channel        %12s %12s %22s\n", "edges", "flows", "XOF");
	for (int ch = 0; ch < IFFA_CHANNEL_COUNT; ch++) {
		const iffa_summary_total *t = &s->by_channel[ch];

		fprintf(to, "  %-15s %12s %12s %22s\n", iffa_channel_name((iffa_channel)ch),
			count(a, sizeof(a), t->edges), count(b, sizeof(b), t->flows),
			xof(c, sizeof(c), t->amount));
	}

	fprintf(to, "\nBy record kind    %12s %12s %12s %22s %22s\n", "records", "edges", "flows",
		"XOF of records", "XOF along edges");
	for (int k = 0; k < IFFA_KIND_COUNT; k++) {
		const iffa_summary_total *t = &s->by_kind[k];
		char e[64];

		fprintf(to, "  %-15s %12s %12s %12s %22s %22s\n", iffa_record_kind_name((iffa_record_kind)k),
			count(a, sizeof(a), s->records[k]), count(b, sizeof(b), t->edges),
			count(c, sizeof(c), t->flows), xof(d, sizeof(d), s->record_amount[k]),
			xof(e, sizeof(e), t->amount));
	}

	fprintf(to, "\nCorridors: top %zu of %zu by XOF (* crosses a border, ?? country unknown)\n",
		s->ncorridors, s->corridors_seen);
	for (size_t i = 0; i < s->ncorridors; i++) {
		const iffa_summary_corridor *r = &s->corridors[i];

		fprintf(to, "  %s -> %s %s %12s edges %12s flows %22s XOF\n",
			country_or_unknown(r->from), country_or_unknown(r->to),
			r->cross_border ? "*" : " ", count(a, sizeof(a), r->total.edges),
			count(b, sizeof(b), r->total.flows), xof(c, sizeof(c), r->total.amount));
	}

	fprintf(to, "\nWeakly connected components: %s; largest %zu\n",
		count(a, sizeof(a), s->components), s->nlargest);
	for (size_t i = 0; i < s->nlargest; i++) {
		const iffa_summary_component *r = &s->largest[i];

		fprintf(to, "  #%-4zu %12s vertices %12s edges %22s XOF inside\n", i + 1,
			count(a, sizeof(a), r->vertices), count(b, sizeof(b), r->edges),
			xof(c, sizeof(c), r->amount));
	}
	return ferror(to) ? iffa_error_set(IFFA_EIO, "writing the summary failed") : 0;
}

/* The shortest decimal that reads back as the same double. */
static void json_number(FILE *to, double v)
{
	char buf[40];

	if (!isfinite(v)) {
		fputs("null", to);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, to);
}

static void json_total(FILE *to, const iffa_summary_total *t)
{
	fprintf(to, "\"edges\":%lld,\"flows\":%lld,\"amount_xof\":", (long long)t->edges,
		(long long)t->flows);
	json_number(to, t->amount);
}

static void json_time(FILE *to, int64_t t, int64_t open)
{
	char buf[40];

	if (t == open || iffa_flowgraph_time_format(buf, sizeof(buf), t) < 0)
		fputs("null", to);
	else
		fprintf(to, "\"%s\"", buf);
}

static void json_country(FILE *to, const char *c)
{
	if (c[0])
		fprintf(to, "\"%s\"", c);
	else
		fputs("null", to);
}

int iffa_summary_write_json(const iffa_summary *s, FILE *to)
{
	fprintf(to, "{\"level\":\"%s\",\"aggregated\":%s,\"from\":", level_name(s->level),
		s->aggregated ? "true" : "false");
	json_time(to, s->from, IFFA_TIME_MIN);
	fputs(",\"to\":", to);
	json_time(to, s->to, IFFA_TIME_MAX);
	fprintf(to, ",\"vertices\":%lld,", (long long)s->vertices);
	json_total(to, &s->all);

	fputs(",\"by_channel\":{", to);
	for (int ch = 0; ch < IFFA_CHANNEL_COUNT; ch++) {
		fprintf(to, "%s\"%s\":{", ch ? "," : "", iffa_channel_name((iffa_channel)ch));
		json_total(to, &s->by_channel[ch]);
		fputc('}', to);
	}
	fputs("},\"by_kind\":{", to);
	for (int k = 0; k < IFFA_KIND_COUNT; k++) {
		fprintf(to, "%s\"%s\":{\"records\":%lld,\"record_amount_xof\":", k ? "," : "",
			iffa_record_kind_name((iffa_record_kind)k), (long long)s->records[k]);
		json_number(to, s->record_amount[k]);
		fputc(',', to);
		json_total(to, &s->by_kind[k]);
		fputc('}', to);
	}
	fprintf(to, "},\"corridors\":{\"distinct\":%zu,\"top\":[", s->corridors_seen);
	for (size_t i = 0; i < s->ncorridors; i++) {
		const iffa_summary_corridor *r = &s->corridors[i];

		fputs(i ? ",{\"from\":" : "{\"from\":", to);
		json_country(to, r->from);
		fputs(",\"to\":", to);
		json_country(to, r->to);
		fprintf(to, ",\"cross_border\":%s,", r->cross_border ? "true" : "false");
		json_total(to, &r->total);
		fputc('}', to);
	}
	fprintf(to, "]},\"components\":{\"count\":%lld,\"largest\":[", (long long)s->components);
	for (size_t i = 0; i < s->nlargest; i++) {
		const iffa_summary_component *r = &s->largest[i];

		fprintf(to, "%s{\"vertices\":%lld,\"edges\":%lld,\"amount_xof\":", i ? "," : "",
			(long long)r->vertices, (long long)r->edges);
		json_number(to, r->amount);
		fputc('}', to);
	}
	fputs("]}}\n", to);
	return ferror(to) ? iffa_error_set(IFFA_EIO, "writing the summary failed") : 0;
}
