/*
 * The flow graph: builder, accessors and the names of its codes.
 *
 * Attributes live in plain arrays indexed by igraph's vertex and edge ids
 * (struct in flowgraph.h). While building, arrays grow by doubling, so a
 * million flows cost about twenty reallocations, not a million mallocs,
 * and a flow is an append at the end of each array. Parallel flows are
 * merged by sorting, not hashing: the edges are ordered by (source,
 * target, channel, kind) anyway for igraph (see iffa_flowgraph__finish),
 * and equal keys then sit side by side. A hash map probed once per flow
 * cost more than the whole sort (a cache and TLB miss per flow on a table
 * of 32 MB for 1M edges: 0.6 s against under 0.1 s). So that many repeats
 * of few edges do not hold every flow in memory, the arrays are compacted
 * (sorted and merged) when they would grow past twice their size after the
 * last compaction and beyond COMPACT_MIN flows.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/flowgraph.h"

static const char *const channel_names[IFFA_CHANNEL_COUNT] = {
	"bank", "mobile_money", "hawala", "cash", "crypto", "none"};
static const char *const kind_names[IFFA_KIND_COUNT] = {"transfer", "ransom", "gold", "levy"};
static const char *const account_kind_names[IFFA_ACCOUNT_KIND_COUNT] = {
	"bank", "mobile_money", "hawala", "crypto", "cash"};
static const char *const party_kind_names[IFFA_PARTY_KIND_COUNT] = {
	"person", "organisation", "company", "armed_group", "village",
	"mine_site", "collector", "comptoir", "exporter", "refinery"};

/* Fewer flows than this are never compacted before finish (4M flows are
 * about 260 MB of arrays). */
#define COMPACT_MIN ((igraph_integer_t)1 << 22)

const char *iffa_channel_name(iffa_channel c)
{
	return (unsigned)c < IFFA_CHANNEL_COUNT ? channel_names[c] : NULL;
}

const char *iffa_record_kind_name(iffa_record_kind k)
{
	return (unsigned)k < IFFA_KIND_COUNT ? kind_names[k] : NULL;
}

const char *iffa_account_kind_name(iffa_account_kind k)
{
	return (unsigned)k < IFFA_ACCOUNT_KIND_COUNT ? account_kind_names[k] : NULL;
}

const char *iffa_party_kind_name(iffa_party_kind k)
{
	return (unsigned)k < IFFA_PARTY_KIND_COUNT ? party_kind_names[k] : NULL;
}

static int lookup_name(const char *const *names, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return i;
	return -1;
}

int iffa_channel_parse(iffa_channel *out, const char *name, size_t len)
{
	int c = lookup_name(channel_names, IFFA_CHANNEL_COUNT, name, len);

	if (c < 0)
		return iffa_error_set(IFFA_EINVAL,
				      "unknown channel '%.*s' (bank, mobile_money, hawala, cash, "
				      "crypto or none)", (int)(len > 64 ? 64 : len), name);
	*out = (iffa_channel)c;
	return 0;
}

int iffa_record_kind_parse(iffa_record_kind *out, const char *name, size_t len)
{
	int k = lookup_name(kind_names, IFFA_KIND_COUNT, name, len);

	if (k < 0)
		return iffa_error_set(IFFA_EINVAL,
				      "unknown record kind '%.*s' (transfer, ransom, gold or levy)",
				      (int)(len > 64 ? 64 : len), name);
	*out = (iffa_record_kind)k;
	return 0;
}

int iffa_account_kind_parse(iffa_account_kind *out, const char *name, size_t len)
{
	int k = lookup_name(account_kind_names, IFFA_ACCOUNT_KIND_COUNT, name, len);

	if (k < 0)
		return iffa_error_set(IFFA_EINVAL, "unknown account kind '%.*s'",
				      (int)(len > 64 ? 64 : len), name);
	*out = (iffa_account_kind)k;
	return 0;
}

int iffa_party_kind_parse(iffa_party_kind *out, const char *name, size_t len)
{
	int k = lookup_name(party_kind_names, IFFA_PARTY_KIND_COUNT, name, len);

	if (k < 0)
		return iffa_error_set(IFFA_EINVAL, "unknown party kind '%.*s'",
				      (int)(len > 64 ? 64 : len), name);
	*out = (iffa_party_kind)k;
	return 0;
}

int iffa_flowgraph__igraph_fail(igraph_error_t err, const char *what)
{
	char reason[1024];

	snprintf(reason, sizeof(reason), "%s", iffa_error_last());
	return iffa_error_set(err == IGRAPH_ENOMEM ? IFFA_ENOMEM : IFFA_ERROR, "%s: %s", what,
			      reason);
}

/* Resize *p to `n` elements of `size` bytes; *p is untouched on failure. */
static int resize(void *p, size_t n, size_t size)
{
	void *q = realloc(*(void **)p, (n ? n : 1) * size);

	if (!q)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for the flow graph");
	*(void **)p = q;
	return 0;
}

static int resize_vertices(iffa_flowgraph *g, igraph_integer_t cap)
{
	size_t n = (size_t)cap;
	int error;

	if ((error = resize(&g->vkey, n, sizeof(*g->vkey))) < 0 ||
	    (error = resize(&g->vparty, n, sizeof(*g->vparty))) < 0 ||
	    (error = resize(&g->vcountry, n, sizeof(*g->vcountry))) < 0 ||
	    (error = resize(&g->vkind, n, sizeof(*g->vkind))) < 0 ||
	    (error = resize(&g->vflags, n, sizeof(*g->vflags))) < 0)
		return error;
	g->nvcap = cap;
	return 0;
}

static int resize_edges(iffa_flowgraph *g, igraph_integer_t cap)
{
	size_t n = (size_t)cap;
	int error;

	if ((error = resize(&g->ends, 2 * n, sizeof(*g->ends))) < 0 ||
	    (error = resize(&g->eamount, n, sizeof(*g->eamount))) < 0 ||
	    (error = resize(&g->eflows, n, sizeof(*g->eflows))) < 0 ||
	    (error = resize(&g->efirst, n, sizeof(*g->efirst))) < 0 ||
	    (error = resize(&g->elast, n, sizeof(*g->elast))) < 0 ||
	    (error = resize(&g->erecord, n, sizeof(*g->erecord))) < 0 ||
	    (error = resize(&g->echannel, n, sizeof(*g->echannel))) < 0 ||
	    (error = resize(&g->ekind, n, sizeof(*g->ekind))) < 0)
		return error;
	g->necap = cap;
	return 0;
}

int iffa_flowgraph__new(iffa_flowgraph **out, iffa_level level, int aggregate)
{
	iffa_flowgraph *g;
	int error;

	*out = NULL;
	if (level != IFFA_LEVEL_ACCOUNT && level != IFFA_LEVEL_PARTY)
		return iffa_error_set(IFFA_EINVAL, "flow graph level %d is neither account nor party",
				      (int)level);
	if (!(g = calloc(1, sizeof(*g))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory for the flow graph");
	g->level = level;
	g->aggregated = aggregate != 0;
	g->compact_min = COMPACT_MIN;
	g->from = IFFA_TIME_MIN;
	g->to = IFFA_TIME_MAX;
	if ((error = iffa_keymap__init(&g->keys, 1024)) < 0 ||
	    (error = resize_vertices(g, 1024)) < 0 || (error = resize_edges(g, 1024)) < 0) {
		iffa_flowgraph_free(g);
		return error;
	}
	*out = g;
	return 0;
}

void iffa_flowgraph_free(iffa_flowgraph *g)
{
	if (!g)
		return;
	if (g->has_graph)
		igraph_destroy(&g->graph);
	free(g->vkey);
	free(g->vparty);
	free(g->vcountry);
	free(g->vkind);
	free(g->vflags);
	iffa_keymap__dispose(&g->keys);
	free(g->ends);
	free(g->eamount);
	free(g->eflows);
	free(g->efirst);
	free(g->elast);
	free(g->erecord);
	free(g->echannel);
	free(g->ekind);
	free(g->by_time);
	free(g);
}

static int valid_country(const char *c)
{
	return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] == '\0';
}

int iffa_flowgraph__add_vertex(igraph_integer_t *out, iffa_flowgraph *g,
			       const iffa_flowgraph__vertex *v)
{
	int is_party = (v->key & 1) != 0;
	igraph_integer_t id = g->nv;
	int64_t found;
	int error;

	if (v->key < 0)
		return iffa_error_set(IFFA_EINVAL, "vertex key %lld is negative", (long long)v->key);
	if (v->kind < 0 || v->kind >= (is_party ? IFFA_PARTY_KIND_COUNT : IFFA_ACCOUNT_KIND_COUNT))
		return iffa_error_set(IFFA_EINVAL, "%s %lld: kind code %d out of range",
				      is_party ? "party" : "account", (long long)(v->key >> 1),
				      v->kind);
	if (v->country && v->country[0] && !valid_country(v->country))
		return iffa_error_set(IFFA_EINVAL, "%s %lld: country '%.8s' is not two capital letters",
				      is_party ? "party" : "account", (long long)(v->key >> 1),
				      v->country);
	if (g->nv == g->nvcap && (error = resize_vertices(g, 2 * g->nvcap)) < 0)
		return error;
	if ((error = iffa_keymap__put(&found, &g->keys, v->key, id)) < 0)
		return error;
	if (error == 0)
		return iffa_error_set(IFFA_EINVAL, "%s %lld is in the graph twice",
				      is_party ? "party" : "account", (long long)(v->key >> 1));
	g->vkey[id] = v->key;
	g->vparty[id] = v->party;
	memset(g->vcountry[id], 0, sizeof(g->vcountry[id]));
	if (v->country && v->country[0])
		memcpy(g->vcountry[id], v->country, 2);
	g->vkind[id] = (uint8_t)v->kind;
	g->vflags[id] = (uint8_t)v->flags;
	g->nv++;
	if (out)
		*out = id;
	return 0;
}

int iffa_flowgraph__vertices_done(iffa_flowgraph *g)
{
	return iffa_keymap__freeze(&g->keys);
}

int iffa_flowgraph__alias(iffa_flowgraph *g, int64_t key, int64_t target_key)
{
	int64_t target = iffa_keymap__get(&g->keys, target_key), found;
	int error;

	if (target < 0)
		return iffa_error_set(IFFA_ENOTFOUND, "alias %lld: no vertex with key %lld",
				      (long long)key, (long long)target_key);
	if ((error = iffa_keymap__put(&found, &g->keys, key, target)) < 0)
		return error;
	if (error == 0)
		return iffa_error_set(IFFA_EINVAL, "alias %lld: the key is taken already",
				      (long long)key);
	return 0;
}

static int rebuild(iffa_flowgraph *g);

int iffa_flowgraph__add_flow(iffa_flowgraph *g, igraph_integer_t src, igraph_integer_t dst,
			     double amount, int64_t time, iffa_channel channel,
			     iffa_record_kind kind, int64_t record)
{
	igraph_integer_t e;
	int error;

	if (src < 0 || src >= g->nv || dst < 0 || dst >= g->nv)
		return iffa_error_set(IFFA_EINVAL, "flow %lld -> %lld: vertex out of range (%lld vertices)",
				      (long long)src, (long long)dst, (long long)g->nv);
	if ((unsigned)channel >= IFFA_CHANNEL_COUNT || (unsigned)kind >= IFFA_KIND_COUNT)
		return iffa_error_set(IFFA_EINVAL, "flow %lld -> %lld: channel %d or kind %d out of range",
				      (long long)src, (long long)dst, (int)channel, (int)kind);
	if (g->ne == g->necap) {
		/* Compaction costs O(flows held); doing it only once they have
		 * doubled since the last one keeps it O(1) per flow overall. */
		if (g->aggregated && g->ne >= g->compact_min && g->ne >= 2 * g->compacted &&
		    (error = rebuild(g)) < 0)
			return error;
		if (g->ne == g->necap && (error = resize_edges(g, 2 * g->necap)) < 0)
			return error;
	}
	e = g->ne++;
	g->ends[2 * e] = src;
	g->ends[2 * e + 1] = dst;
	g->eamount[e] = amount;
	g->eflows[e] = 1;
	g->efirst[e] = g->elast[e] = time;
	g->erecord[e] = record;
	g->echannel[e] = (uint8_t)channel;
	g->ekind[e] = (uint8_t)kind;
	return 0;
}

void iffa_flowgraph__count_record(iffa_flowgraph *g, iffa_record_kind kind, double amount)
{
	g->records[kind]++;
	g->record_amount[kind] += amount;
}

/*
 * Edge orders are stable LSD radix sorts of (key, edge id) pairs, 8 bits a
 * pass: one sequential pass counts every digit of every key, then each
 * pass scatters the pairs into 256 buckets, few enough write streams to
 * stay in cache (one bucket per vertex, 1.25M of them, took 0.7 to 0.9 s
 * for 7M edges at 10M transfers). A digit all keys share is skipped.
 */
typedef struct {
	uint64_t key;
	igraph_integer_t id;
} keyed;

/* Sort (*v)[0 .. n) stably by key, *tmp as room; the sorted pairs end in *v. */
static void radix_keyed(keyed **v, keyed **tmp, size_t n)
{
	size_t count[8][256];
	keyed *swap;

	if (n < 2)
		return;
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = (*v)[i].key;
		for (unsigned d = 0; d < 8; d++)
			count[d][(k >> (8 * d)) & 255]++;
	}
	for (unsigned d = 0; d < 8; d++) {
		size_t sum = 0, *next = count[d];
		if (next[((*v)[0].key >> (8 * d)) & 255] == n)
			continue;
		for (unsigned b = 0; b < 256; b++) {
			size_t c = next[b];
			next[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			keyed x = (*v)[i];
			(*tmp)[next[(x.key >> (8 * d)) & 255]++] = x;
		}
		swap = *v;
		*v = *tmp;
		*tmp = swap;
	}
}

/* Room for n pairs and the sort's second buffer; both NULL on failure. */
static int keyed_new(keyed **v, keyed **tmp, size_t n)
{
	*v = malloc((n ? n : 1) * sizeof(**v));
	*tmp = malloc((n ? n : 1) * sizeof(**tmp));
	if (*v && *tmp)
		return 0;
	free(*v);
	free(*tmp);
	*v = *tmp = NULL;
	return iffa_error_set(IFFA_ENOMEM, "out of memory for ordering %zu edges", n);
}

/*
 * Sort the pairs in `v` (n of them, `tmp` as room, both freed here) and
 * return the ids in that order in *out, a buffer of its own: ids of
 * `width` bytes, 8 (igraph_integer_t) or 4 (the time index: edge ids below
 * 2^32, iffa_flowgraph__finish checks).
 */
static int keyed_order(void *out, size_t width, keyed *v, keyed *tmp, size_t n)
{
	void *order;

	radix_keyed(&v, &tmp, n);
	free(tmp);
	order = malloc((n ? n : 1) * width);
	if (order && width == sizeof(uint32_t))
		for (size_t i = 0; i < n; i++)
			((uint32_t *)order)[i] = (uint32_t)v[i].id;
	else if (order)
		for (size_t i = 0; i < n; i++)
			((igraph_integer_t *)order)[i] = v[i].id;
	free(v);
	*(void **)out = order;
	return order ? 0 : iffa_error_set(IFFA_ENOMEM, "out of memory for ordering %zu edges", n);
}

/*
 * Edge ids ordered by first time, ties by id: the time with its sign bit
 * flipped is the key, so that unsigned order is signed order (the high
 * digits of times within a few years are all equal and skipped).
 * Time complexity: O(|E|) per pass, at most eight passes.
 */
static int sort_by_time(iffa_flowgraph *g)
{
	size_t n = (size_t)g->ne;
	keyed *v, *tmp;
	int error;

	if ((error = keyed_new(&v, &tmp, n)) < 0)
		return error;
	for (size_t e = 0; e < n; e++) {
		v[e].key = (uint64_t)g->efirst[e] ^ (UINT64_C(1) << 63);
		v[e].id = (igraph_integer_t)e;
	}
	return keyed_order(&g->by_time, sizeof(*g->by_time), v, tmp, n);
}

/*
 * The permutation that orders edges by (source, target, channel, kind),
 * ties in their current order: a counting pass by channel and kind puts
 * the pairs in that order, then they are sorted by (source, target).
 * Time complexity: O(|E|).
 */
static int flow_order(igraph_integer_t **out, const iffa_flowgraph *g)
{
	size_t n = (size_t)g->ne, nv = (size_t)g->nv;
	size_t next[IFFA_CHANNEL_COUNT * IFFA_KIND_COUNT + 1];
	keyed *v, *tmp;
	int error;

	*out = NULL;
	if (nv > UINT32_MAX)
		return iffa_error_set(IFFA_EINVAL, "%zu vertices are too many to order edges by", nv);
	if ((error = keyed_new(&v, &tmp, n)) < 0)
		return error;
	memset(next, 0, sizeof(next));
	for (size_t e = 0; e < n; e++)
		next[g->echannel[e] * IFFA_KIND_COUNT + g->ekind[e] + 1]++;
	for (size_t b = 1; b < sizeof(next) / sizeof(next[0]); b++)
		next[b] += next[b - 1];
	for (size_t e = 0; e < n; e++) {
		keyed *x = &v[next[g->echannel[e] * IFFA_KIND_COUNT + g->ekind[e]]++];
		x->key = (uint64_t)g->ends[2 * e] << 32 | (uint64_t)g->ends[2 * e + 1];
		x->id = (igraph_integer_t)e;
	}
	return keyed_order(out, sizeof(**out), v, tmp, n);
}

/*
 * The buffer of an array that gather() replaced, kept to receive the next
 * gather: the arrays of a million edges are tens of megabytes, and fresh
 * memory costs a page fault per 4 kB on first touch, so reusing one array's
 * pages for the next saves most of them.
 */
typedef struct {
	void *p;
	size_t bytes;
} spare_buffer;

/*
 * Replace the array at *p (`old_bytes` allocated) by one holding
 * old[order[i]] at i for i < n, each element `size` bytes; the old buffer
 * becomes the spare. *p is untouched on failure.
 */
static int gather(void *p, size_t size, size_t old_bytes, const igraph_integer_t *order,
		  size_t n, spare_buffer *spare)
{
	const unsigned char *old = *(void **)p;
	unsigned char *neu;

	if (spare->p && spare->bytes >= n * size) {
		neu = spare->p;
	} else if (!(neu = malloc((n ? n : 1) * size))) {
		return iffa_error_set(IFFA_ENOMEM, "out of memory for ordering edges");
	} else {
		free(spare->p);
	}
	/* Constant sizes let the compiler turn each memcpy into one move. */
	switch (size) {
	case 1:
		for (size_t i = 0; i < n; i++)
			neu[i] = old[order[i]];
		break;
	case 4:
		for (size_t i = 0; i < n; i++)
			memcpy(neu + 4 * i, old + 4 * (size_t)order[i], 4);
		break;
	case 8:
		for (size_t i = 0; i < n; i++)
			memcpy(neu + 8 * i, old + 8 * (size_t)order[i], 8);
		break;
	case 16:
		for (size_t i = 0; i < n; i++)
			memcpy(neu + 16 * i, old + 16 * (size_t)order[i], 16);
		break;
	default:
		for (size_t i = 0; i < n; i++)
			memcpy(neu + size * i, old + size * (size_t)order[i], size);
		break;
	}
	spare->p = *(void **)p;
	spare->bytes = old_bytes;
	*(void **)p = neu;
	return 0;
}

/*
 * Merge each run of edges with equal (source, target, channel, kind), the
 * edges being in that order: amounts and flow counts add up (in the order
 * the flows came, so sums are reproducible), first and last widen, the
 * record becomes -1. In place, one sequential pass. Returns the new count.
 */
static size_t merge_runs(iffa_flowgraph *g)
{
	size_t n = (size_t)g->ne, j = 0;

	for (size_t i = 1; i < n; i++) {
		if (g->ends[2 * i] == g->ends[2 * j] && g->ends[2 * i + 1] == g->ends[2 * j + 1] &&
		    g->echannel[i] == g->echannel[j] && g->ekind[i] == g->ekind[j]) {
			g->eamount[j] += g->eamount[i];
			g->eflows[j] = g->eflows[j] > UINT32_MAX - g->eflows[i]
					       ? UINT32_MAX
					       : g->eflows[j] + g->eflows[i];
			if (g->efirst[i] < g->efirst[j])
				g->efirst[j] = g->efirst[i];
			if (g->elast[i] > g->elast[j])
				g->elast[j] = g->elast[i];
			g->erecord[j] = -1;
			continue;
		}
		j++;
		g->ends[2 * j] = g->ends[2 * i];
		g->ends[2 * j + 1] = g->ends[2 * i + 1];
		g->eamount[j] = g->eamount[i];
		g->eflows[j] = g->eflows[i];
		g->efirst[j] = g->efirst[i];
		g->elast[j] = g->elast[i];
		g->erecord[j] = g->erecord[i];
		g->echannel[j] = g->echannel[i];
		g->ekind[j] = g->ekind[i];
	}
	return n ? j + 1 : 0;
}

/* One array of the edges to gather: where it is and its element size. */
typedef struct {
	void *p;   /* address of the array pointer */
	size_t size;
} edge_array;

/*
 * Gathers of a group of edge arrays, one after the other into the buffer
 * the previous one left: on a thread of its own for one group while the
 * caller does the other.
 */
typedef struct {
	const edge_array *arrays;
	size_t narrays, n, cap;
	const igraph_integer_t *order;
	spare_buffer spare;
	int error;
	char message[256];
} gather_job;

static void *gather_main(void *arg)
{
	gather_job *j = arg;

	for (size_t k = 0; k < j->narrays && j->error == 0; k++)
		j->error = gather(j->arrays[k].p, j->arrays[k].size, j->cap * j->arrays[k].size,
				  j->order, j->n, &j->spare);
	if (j->error < 0)
		snprintf(j->message, sizeof(j->message), "%s", iffa_error_last());
	return NULL;
}

/*
 * Put the edges in (source, target, channel, kind) order, ties in their
 * current order, and merge equal keys when aggregating. The arrays are
 * gathered in two groups of about the same bytes per edge, one on a
 * thread beside (10M transfers: the last rebuild's gathers 0.33 -> 0.19
 * s; the radix order before them takes 0.42 s); in each group an array
 * is gathered into the buffer the previous one left, so only one buffer
 * per group is new. Merging then runs in place and the arrays are
 * trimmed to the edges left.
 */
static int rebuild(iffa_flowgraph *g)
{
	size_t n = (size_t)g->ne, cap = (size_t)g->necap;
	igraph_integer_t *order = NULL;
	/* 28 and 26 bytes an edge */
	const edge_array first[] = {{&g->ends, 2 * sizeof(*g->ends)},
				    {&g->eamount, sizeof(*g->eamount)},
				    {&g->eflows, sizeof(*g->eflows)}};
	const edge_array second[] = {{&g->efirst, sizeof(*g->efirst)},
				     {&g->elast, sizeof(*g->elast)},
				     {&g->erecord, sizeof(*g->erecord)},
				     {&g->echannel, sizeof(*g->echannel)},
				     {&g->ekind, sizeof(*g->ekind)}};
	gather_job a = {first, sizeof(first) / sizeof(first[0]), n, cap, NULL, {NULL, 0}, 0, ""};
	gather_job b = {second, sizeof(second) / sizeof(second[0]), n, cap, NULL, {NULL, 0}, 0, ""};
	pthread_t thread;
	int error, beside;

	/* Every array holds exactly necap elements here (resize_edges). */
	if ((error = flow_order(&order, g)) < 0)
		return error;
	a.order = b.order = order;
	/* Small graphs are not worth a thread. */
	beside = n >= 65536 && pthread_create(&thread, NULL, gather_main, &b) == 0;
	gather_main(&a);
	if (beside)
		pthread_join(thread, NULL);
	else
		gather_main(&b);
	free(a.spare.p);
	free(b.spare.p);
	free(order);
	/* On failure each array is whole, either order: the graph is only freed. */
	if (a.error < 0)
		return iffa_error_set(a.error, "%s", a.message);
	if (b.error < 0)
		return iffa_error_set(b.error, "%s", b.message);
	if (g->aggregated)
		g->ne = (igraph_integer_t)merge_runs(g);
	/* Arrays now sit in buffers of other sizes: trim each to the edges. */
	if ((error = resize_edges(g, g->ne)) < 0)
		return error;
	g->compacted = g->ne;
	return 0;
}

/*
 * igraph's indexed edge list, made here from edges already in (source,
 * target, channel, kind) order instead of by igraph_create(). The fields
 * are igraph 0.10's (igraph_datatype.h), filled as igraph_add_edges()
 * fills them: `from` and `to` the ends; `oi` the edge ids by (from, to),
 * and `ii` by (to, from), parallel edges in decreasing id in both (what
 * its two-pass linked-list radix sort, igraph_vector_int_pair_order,
 * gives); `os` and `is` where each vertex's run starts in them. Sorted
 * edges make `oi` one reversal per run of parallel edges, and `ii` one
 * counting sort of `oi` by target: 0.1 s at 10M transfers, where
 * igraph_create took 1.4 s of the ingest's tail to sort them again.
 * tests/graph/flowgraph.c checks every field against igraph_create() on
 * graphs with parallel edges, loops and lone vertices, and the property
 * cache is cleared as adding edges clears it. If a global attribute table
 * is set (the GraphML export sets one while it writes), igraph builds the
 * graph itself so that its attribute records stay in step.
 */
static igraph_error_t make_igraph(iffa_flowgraph *g)
{
	igraph_t *ig = &g->graph;
	igraph_integer_t n = g->ne, nv = g->nv;
	igraph_integer_t *from, *to, *oi, *ii, *os, *is;
	igraph_vector_int_t view;
	igraph_error_t ierr;

	if ((ierr = igraph_empty(ig, nv, IGRAPH_DIRECTED)) != IGRAPH_SUCCESS)
		return ierr;
	if (ig->attr) {
		/* igraph_vector_int_view() fills `view`; its prototype only says const. */
		memset(&view, 0, sizeof(view));
		ierr = igraph_add_edges(ig, igraph_vector_int_view(&view, g->ends, 2 * n), NULL);
		goto done;
	}
	if ((ierr = igraph_vector_int_resize(&ig->from, n)) != IGRAPH_SUCCESS ||
	    (ierr = igraph_vector_int_resize(&ig->to, n)) != IGRAPH_SUCCESS ||
	    (ierr = igraph_vector_int_resize(&ig->oi, n)) != IGRAPH_SUCCESS ||
	    (ierr = igraph_vector_int_resize(&ig->ii, n)) != IGRAPH_SUCCESS)
		goto done;
	from = VECTOR(ig->from);
	to = VECTOR(ig->to);
	oi = VECTOR(ig->oi);
	ii = VECTOR(ig->ii);
	os = VECTOR(ig->os); /* nv + 1 zeros from igraph_empty */
	is = VECTOR(ig->is);
	for (igraph_integer_t e = 0; e < n; e++) {
		from[e] = g->ends[2 * e];
		to[e] = g->ends[2 * e + 1];
		os[from[e] + 1]++;
		is[to[e]]++;
	}
	/* oi: the edges' own order, each run of equal (from, to) reversed */
	for (igraph_integer_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && from[b] == from[a] && to[b] == to[a]; b++)
			;
		for (igraph_integer_t k = 0; k < b - a; k++)
			oi[a + k] = b - 1 - k;
	}
	/* os[v]: the edges of sources before v; is[v]: the end of v's run for now */
	for (igraph_integer_t v = 0; v < nv; v++) {
		os[v + 1] += os[v];
		is[v + 1] += is[v];
	}
	/* ii: oi's order, stably by target (each run filled from its end) */
	for (igraph_integer_t k = n; k-- > 0;) {
		igraph_integer_t e = oi[k];
		ii[--is[to[e]]] = e;
	}
	/* is[v] is now the start of v's run; is[nv] was n throughout */
	igraph_invalidate_cache(ig);
done:
	if (ierr != IGRAPH_SUCCESS)
		igraph_destroy(ig);
	return ierr;
}

/* The time index made on a thread of its own while the graph's index is made. */
typedef struct {
	iffa_flowgraph *g;
	int error;
	char message[512];
} time_job;

static void *time_main(void *arg)
{
	time_job *j = arg;

	if ((j->error = sort_by_time(j->g)) < 0)
		snprintf(j->message, sizeof(j->message), "%s", iffa_error_last());
	return NULL;
}

int iffa_flowgraph__finish(iffa_flowgraph *g)
{
	igraph_error_t ierr;
	time_job job = {g, 0, ""};
	pthread_t thread;
	int error, beside;

	/*
	 * Edges ordered by (source, target, ...): igraph's index then follows
	 * from the order (make_igraph), and passes find each vertex's
	 * out-edges side by side.
	 */
	if ((error = rebuild(g)) < 0)
		return error;
	if ((uint64_t)g->ne >= UINT32_MAX)
		return iffa_error_set(IFFA_EINVAL, "the flow graph holds at most 2^32 - 2 edges; "
				      "these records make %lld (read a shorter window, or by party)",
				      (long long)g->ne);
	/*
	 * The time index reads only the edges' first times, igraph's only their
	 * ends: the time index is sorted beside it (10M transfers: 0.4 s), here
	 * if no thread starts.
	 */
	beside = pthread_create(&thread, NULL, time_main, &job) == 0;
	ierr = make_igraph(g);
	if (beside)
		pthread_join(thread, NULL);
	else
		time_main(&job);
	if (ierr != IGRAPH_SUCCESS)
		return iffa_flowgraph__igraph_fail(ierr, "building the flow graph");
	g->has_graph = 1;
	/* igraph holds the endpoints now. */
	free(g->ends);
	g->ends = NULL;
	if (job.error < 0)
		return iffa_error_set(job.error, "%s", job.message);
	/* No key is added after this: lookups need only the plain array, if any. */
	if ((error = iffa_keymap__seal(&g->keys)) < 0)
		return error;
	return resize_vertices(g, g->nv);
}

const igraph_integer_t *iffa_flowgraph__out_edges(const iffa_flowgraph *g, igraph_integer_t v,
						  igraph_integer_t *n)
{
	igraph_integer_t a = VECTOR(g->graph.os)[v];

	*n = VECTOR(g->graph.os)[v + 1] - a;
	return VECTOR(g->graph.oi) + a;
}

const igraph_integer_t *iffa_flowgraph__in_edges(const iffa_flowgraph *g, igraph_integer_t v,
						 igraph_integer_t *n)
{
	igraph_integer_t a = VECTOR(g->graph.is)[v];

	*n = VECTOR(g->graph.is)[v + 1] - a;
	return VECTOR(g->graph.ii) + a;
}

/*
 * igraph 0.10's merge for a directed graph in ALL mode (igraph_i_incident,
 * as igraph_inclist_init calls it): the out- and in-index runs, each
 * ordered by the other end, merged by the other end, an out-edge before
 * an in-edge of the same other end; a loop is in both runs, and with
 * LOOPS_ONCE only its out-index entry is kept.
 */
igraph_integer_t iffa_flowgraph__all_edges(const iffa_flowgraph *g, igraph_integer_t v,
					   igraph_integer_t *out)
{
	const igraph_integer_t *oi = VECTOR(g->graph.oi), *ii = VECTOR(g->graph.ii);
	const igraph_integer_t *to = VECTOR(g->graph.to), *from = VECTOR(g->graph.from);
	igraph_integer_t i1 = VECTOR(g->graph.os)[v], j1 = VECTOR(g->graph.os)[v + 1];
	igraph_integer_t i2 = VECTOR(g->graph.is)[v], j2 = VECTOR(g->graph.is)[v + 1];
	igraph_integer_t n = 0;

	while (i1 < j1 && i2 < j2) {
		igraph_integer_t e1 = oi[i1], e2 = ii[i2], n1 = to[e1], n2 = from[e2];
		if (n1 < n2) {
			out[n++] = e1;
			i1++;
		} else if (n1 > n2) {
			out[n++] = e2;
			i2++;
		} else {
			out[n++] = e1;
			if (n1 != v)
				out[n++] = e2;
			i1++;
			i2++;
		}
	}
	while (i1 < j1)
		out[n++] = oi[i1++];
	while (i2 < j2)
		out[n++] = ii[i2++];
	return n;
}

igraph_integer_t iffa_flowgraph__max_degree(const iffa_flowgraph *g)
{
	igraph_integer_t m = 0;

	for (igraph_integer_t v = 0; v < g->nv; v++) {
		igraph_integer_t d = VECTOR(g->graph.os)[v + 1] - VECTOR(g->graph.os)[v] +
				     VECTOR(g->graph.is)[v + 1] - VECTOR(g->graph.is)[v];
		m = d > m ? d : m;
	}
	return m;
}

void iffa_flowgraph__reversed_view(igraph_t *out, const iffa_flowgraph *g)
{
	*out = g->graph;
	out->from = g->graph.to;
	out->to = g->graph.from;
	out->oi = g->graph.ii;
	out->ii = g->graph.oi;
	out->os = g->graph.is;
	out->is = g->graph.os;
}

/* Accessors. */

const igraph_t *iffa_flowgraph_igraph(const iffa_flowgraph *g)
{
	return &g->graph;
}

iffa_level iffa_flowgraph_level(const iffa_flowgraph *g)
{
	return g->level;
}

int iffa_flowgraph_aggregated(const iffa_flowgraph *g)
{
	return g->aggregated;
}

void iffa_flowgraph_window(const iffa_flowgraph *g, int64_t *from, int64_t *to)
{
	*from = g->from;
	*to = g->to;
}

igraph_integer_t iffa_flowgraph_vertex_count(const iffa_flowgraph *g)
{
	return g->nv;
}

igraph_integer_t iffa_flowgraph_edge_count(const iffa_flowgraph *g)
{
	return g->ne;
}

int64_t iffa_flowgraph_record_count(const iffa_flowgraph *g, iffa_record_kind k)
{
	return (unsigned)k < IFFA_KIND_COUNT ? g->records[k] : 0;
}

double iffa_flowgraph_record_amount(const iffa_flowgraph *g, iffa_record_kind k)
{
	return (unsigned)k < IFFA_KIND_COUNT ? g->record_amount[k] : 0.0;
}

int64_t iffa_flowgraph_vertex_key(const iffa_flowgraph *g, igraph_integer_t v)
{
	return g->vkey[v];
}

int iffa_flowgraph_vertex_is_party(const iffa_flowgraph *g, igraph_integer_t v)
{
	return (int)(g->vkey[v] & 1);
}

int64_t iffa_flowgraph_vertex_db_id(const iffa_flowgraph *g, igraph_integer_t v)
{
	return g->vkey[v] >> 1;
}

int iffa_flowgraph_vertex_kind(const iffa_flowgraph *g, igraph_integer_t v)
{
	return g->vkind[v];
}

const char *iffa_flowgraph_vertex_country(const iffa_flowgraph *g, igraph_integer_t v)
{
	return g->vcountry[v];
}

int64_t iffa_flowgraph_vertex_party(const iffa_flowgraph *g, igraph_integer_t v)
{
	return g->vparty[v];
}

unsigned iffa_flowgraph_vertex_flags(const iffa_flowgraph *g, igraph_integer_t v)
{
	return g->vflags[v];
}

int iffa_flowgraph_find_vertex(igraph_integer_t *out, const iffa_flowgraph *g, int64_t key)
{
	igraph_integer_t v = iffa_flowgraph__lookup(g, key);

	if (v < 0)
		return iffa_error_set(IFFA_ENOTFOUND, "no %s %lld in the flow graph",
				      key & 1 ? "party" : "account", (long long)(key >> 1));
	*out = v;
	return 0;
}

double iffa_flowgraph_edge_amount(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->eamount[e];
}

int64_t iffa_flowgraph_edge_flows(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->eflows[e];
}

int64_t iffa_flowgraph_edge_first(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->efirst[e];
}

int64_t iffa_flowgraph_edge_last(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->elast[e];
}

iffa_channel iffa_flowgraph_edge_channel(const iffa_flowgraph *g, igraph_integer_t e)
{
	return (iffa_channel)g->echannel[e];
}

iffa_record_kind iffa_flowgraph_edge_kind(const iffa_flowgraph *g, igraph_integer_t e)
{
	return (iffa_record_kind)g->ekind[e];
}

int64_t iffa_flowgraph_edge_record(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->erecord[e];
}

const uint32_t *iffa_flowgraph_edges_by_time(const iffa_flowgraph *g)
{
	return g->by_time;
}
