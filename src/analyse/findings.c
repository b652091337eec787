/*
 * The findings list every analysis pass appends to: a plain array of
 * iffa_finding, each owning its strings and id arrays.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iffa/common.h"
#include "iffa/findings.h"
#include "analyse/analyse.h"
#include "core/grow.h"

struct iffa_findings {
	iffa_finding *items;
	size_t n, cap;
};

int iffa_findings_new(iffa_findings **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : iffa_error_set(IFFA_ENOMEM, "out of memory");
}

static void finding_dispose(iffa_finding *fd)
{
	free(fd->kind);
	free(fd->reason);
	free(fd->evidence);
	free(fd->members);
}

void iffa_findings_free(iffa_findings *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		finding_dispose(&f->items[i]);
	free(f->items);
	free(f);
}

size_t iffa_findings_count(const iffa_findings *f)
{
	return f->n;
}

const iffa_finding *iffa_findings_get(const iffa_findings *f, size_t i)
{
	return &f->items[i];
}

static igraph_integer_t *copy_ids(const igraph_integer_t *ids, size_t n)
{
	igraph_integer_t *c;

	if (n == 0)
		return NULL;
	c = malloc(n * sizeof(*c));
	if (c)
		memcpy(c, ids, n * sizeof(*c));
	return c;
}

int iffa_findings_add(iffa_findings *f, const char *pass, const char *kind,
		      iffa_subject_type subject_type, igraph_integer_t subject, double score,
		      const igraph_integer_t *evidence, size_t nevidence,
		      const igraph_integer_t *members, size_t nmembers, const char *reason_fmt, ...)
{
	iffa_finding fd;
	va_list ap;
	int len;

	if (!pass || !kind || !reason_fmt)
		return iffa_error_set(IFFA_EINVAL, "a finding needs a pass, a kind and a reason");
	if (nevidence == 0 || !evidence)
		return iffa_error_set(IFFA_EINVAL,
				      "finding %s/%s has no evidence: a finding without evidence "
				      "is not a finding", pass, kind);
	if (iffa_grow((void **)&f->items, &f->cap, f->n + 1, sizeof(*f->items)) < 0)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	memset(&fd, 0, sizeof(fd));
	fd.pass = pass;
	fd.subject_type = subject_type;
	fd.subject = subject;
	fd.score = score;
	fd.nevidence = nevidence;
	fd.nmembers = members ? nmembers : 0;
	fd.kind = strdup(kind);
	fd.evidence = copy_ids(evidence, nevidence);
	fd.members = copy_ids(members, fd.nmembers);
	va_start(ap, reason_fmt);
	len = vsnprintf(NULL, 0, reason_fmt, ap);
	va_end(ap);
	if (len >= 0 && (fd.reason = malloc((size_t)len + 1))) {
		va_start(ap, reason_fmt);
		vsnprintf(fd.reason, (size_t)len + 1, reason_fmt, ap);
		va_end(ap);
	}
	if (!fd.kind || !fd.evidence || !fd.reason || (fd.nmembers && !fd.members)) {
		finding_dispose(&fd);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	f->items[f->n++] = fd;
	return 0;
}

/* Order: pass rank (first appearance), then score descending, then insertion. */
typedef struct {
	size_t rank, index;
} sort_key;

static const iffa_finding *sort_base;
static const sort_key *sort_keys;

static int cmp_findings(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const iffa_finding *x = &sort_base[i], *y = &sort_base[j];

	if (sort_keys[i].rank != sort_keys[j].rank)
		return sort_keys[i].rank < sort_keys[j].rank ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return i < j ? -1 : (i > j);
}

void iffa_findings_sort(iffa_findings *f)
{
	size_t *order;
	sort_key *keys;
	iffa_finding *sorted;
	size_t npass = 0;
	const char **passes;

	if (f->n < 2)
		return;
	order = malloc(f->n * sizeof(*order));
	keys = malloc(f->n * sizeof(*keys));
	sorted = malloc(f->n * sizeof(*sorted));
	passes = malloc(f->n * sizeof(*passes));
	if (!order || !keys || !sorted || !passes)
		goto done; /* leave the order as it is; sorting is a nicety */
	for (size_t i = 0; i < f->n; i++) {
		size_t r = 0;
		while (r < npass && strcmp(passes[r], f->items[i].pass) != 0)
			r++;
		if (r == npass)
			passes[npass++] = f->items[i].pass;
		keys[i].rank = r;
		keys[i].index = i;
		order[i] = i;
	}
	/* qsort has no context argument in C11; the list is not shared
	 * between threads while it is sorted. */
	sort_base = f->items;
	sort_keys = keys;
	qsort(order, f->n, sizeof(*order), cmp_findings);
	for (size_t i = 0; i < f->n; i++)
		sorted[i] = f->items[order[i]];
	memcpy(f->items, sorted, f->n * sizeof(*sorted));
done:
	free(order);
	free(keys);
	free(sorted);
	free(passes);
}

static void key_text(char *out, size_t size, int64_t key)
{
	snprintf(out, size, "%s %lld", (key & 1) ? "party" : "account", (long long)(key >> 1));
}

int iffa_finding_write_text(const iffa_finding *fd, const iffa_flowgraph *g, size_t max_evidence,
			    FILE *to)
{
	const igraph_t *ig = iffa_flowgraph_igraph(g);

	fprintf(to, "[%s/%s] score %.3f: %s\n", fd->pass, fd->kind, fd->score, fd->reason);
	for (size_t i = 0; i < fd->nevidence && i < max_evidence; i++) {
		igraph_integer_t e = fd->evidence[i];
		char a[48], b[48], t1[32], t2[32];

		key_text(a, sizeof(a), iffa_flowgraph_vertex_key(g, IGRAPH_FROM(ig, e)));
		key_text(b, sizeof(b), iffa_flowgraph_vertex_key(g, IGRAPH_TO(ig, e)));
		if (iffa_flowgraph_time_format(t1, sizeof(t1), iffa_flowgraph_edge_first(g, e)) < 0 ||
		    iffa_flowgraph_time_format(t2, sizeof(t2), iffa_flowgraph_edge_last(g, e)) < 0)
			snprintf(t1, sizeof(t1), "?"), snprintf(t2, sizeof(t2), "?");
		fprintf(to, "    %s -> %s  %.0f XOF  %lld flow%s  %s .. %s  %s %s\n", a, b,
			iffa_flowgraph_edge_amount(g, e), (long long)iffa_flowgraph_edge_flows(g, e),
			iffa_flowgraph_edge_flows(g, e) == 1 ? "" : "s", t1, t2,
			iffa_channel_name(iffa_flowgraph_edge_channel(g, e)),
			iffa_record_kind_name(iffa_flowgraph_edge_kind(g, e)));
	}
	if (fd->nevidence > max_evidence)
		fprintf(to, "    ... and %zu more edges\n", fd->nevidence - max_evidence);
	return ferror(to) ? iffa_error_set(IFFA_EIO, "writing a finding failed") : 0;
}

int iffa_findings__append(iffa_findings *dst, iffa_findings *src)
{
	int error;

	if (src->n == 0)
		return 0;
	if ((error = iffa_grow((void **)&dst->items, &dst->cap, dst->n + src->n,
			       sizeof(*dst->items))) < 0)
		return error;
	memcpy(dst->items + dst->n, src->items, src->n * sizeof(*src->items));
	dst->n += src->n;
	src->n = 0;
	return 0;
}
