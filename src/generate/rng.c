/*
 * Weighted pools for the generator: items drawn in proportion to their
 * weights by Walker's alias method, and the bags that collect items before
 * a pool is built. The generator itself (xoshiro256**) is inline in
 * generate.h.
 */
#include <stdlib.h>
#include <string.h>

#include "generate/generate.h"

/*
 * Vose's construction: scale the weights to mean 1, pair each slot below 1
 * with one above. Time complexity: O(n).
 */
int iffa_generate__pool_build(gen_pool *p, const uint32_t *item, const double *w, uint32_t n)
{
	uint32_t *small = NULL, *large = NULL;
	double *scaled = NULL, total = 0;
	uint32_t ns = 0, nl = 0;
	int error = IFFA_ENOMEM;

	memset(p, 0, sizeof(*p));
	if (n == 0)
		return 0;
	p->item = malloc(n * sizeof(*p->item));
	p->prob = malloc(n * sizeof(*p->prob));
	p->alias = malloc(n * sizeof(*p->alias));
	small = malloc(n * sizeof(*small));
	large = malloc(n * sizeof(*large));
	scaled = malloc(n * sizeof(*scaled));
	if (!p->item || !p->prob || !p->alias || !small || !large || !scaled)
		goto done;
	memcpy(p->item, item, n * sizeof(*item));
	p->n = n;
	for (uint32_t i = 0; i < n; i++)
		total += w[i];
	for (uint32_t i = 0; i < n; i++) {
		scaled[i] = w[i] * n / total;
		if (scaled[i] < 1.0)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t s = small[--ns], l = large[nl - 1];

		p->prob[s] = (float)scaled[s];
		p->alias[s] = l;
		scaled[l] = (scaled[l] + scaled[s]) - 1.0;
		if (scaled[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	/* What remains is 1 up to rounding. */
	while (nl > 0) {
		uint32_t l = large[--nl];
		p->prob[l] = 1.0f;
		p->alias[l] = l;
	}
	while (ns > 0) {
		uint32_t s = small[--ns];
		p->prob[s] = 1.0f;
		p->alias[s] = s;
	}
	error = 0;
done:
	free(small);
	free(large);
	free(scaled);
	if (error < 0) {
		iffa_generate__pool_dispose(p);
		iffa_error_set(error, "generate: out of memory building a pool of %u", n);
	}
	return error;
}

void iffa_generate__pool_dispose(gen_pool *p)
{
	free(p->item);
	free(p->prob);
	free(p->alias);
	memset(p, 0, sizeof(*p));
}

int iffa_generate__bag_add(gen_bag *b, uint32_t item, double w)
{
	if (w <= 0)
		return 0;
	if (b->n == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 64;
		uint32_t *ni = realloc(b->item, cap * sizeof(*ni));
		double *nw;

		if (!ni)
			return iffa_error_set(IFFA_ENOMEM, "generate: out of memory");
		b->item = ni;
		nw = realloc(b->w, cap * sizeof(*nw));
		if (!nw)
			return iffa_error_set(IFFA_ENOMEM, "generate: out of memory");
		b->w = nw;
		b->cap = cap;
	}
	b->item[b->n] = item;
	b->w[b->n] = w;
	b->n++;
	return 0;
}

int iffa_generate__bag_pool(gen_pool *p, gen_bag *b)
{
	int error = iffa_generate__pool_build(p, b->item, b->w, b->n);

	iffa_generate__bag_dispose(b);
	return error;
}

void iffa_generate__bag_dispose(gen_bag *b)
{
	free(b->item);
	free(b->w);
	memset(b, 0, sizeof(*b));
}
