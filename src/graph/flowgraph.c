/*
 * The flow graph: builder, accessors and the names of its codes.
 *
 * Attributes live in plain arrays indexed by igraph's vertex and edge ids
 * (struct in flowgraph.h). While building, arrays grow by doubling, so a
 * million flows cost about twenty reallocations, not a million mallocs;
 * the edges are handed to igraph once, by igraph_create().
 */
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

/*
 * Merged flows are found by a key packing (source, target, channel, kind)
 * into 63 bits: 29 bits per vertex id. Graphs that large (over 500 million
 * vertices) would not fit in memory here anyway; they are refused rather
 * than merged wrongly.
 */
#define MERGE_VERTEX_BITS 29

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
	g->from = IFFA_TIME_MIN;
	g->to = IFFA_TIME_MAX;
	if ((error = iffa_keymap__init(&g->keys, 1024)) < 0 ||
	    (aggregate && (error = iffa_keymap__init(&g->merge, 1024)) < 0) ||
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
	iffa_keymap__dispose(&g->merge);
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

int iffa_flowgraph__add_flow(iffa_flowgraph *g, igraph_integer_t src, igraph_integer_t dst,
			     double amount, int64_t time, iffa_channel channel,
			     iffa_record_kind kind, int64_t record)
{
	igraph_integer_t e = g->ne;
	int error;

	if (src < 0 || src >= g->nv || dst < 0 || dst >= g->nv)
		return iffa_error_set(IFFA_EINVAL, "flow %lld -> %lld: vertex out of range (%lld vertices)",
				      (long long)src, (long long)dst, (long long)g->nv);
	if ((unsigned)channel >= IFFA_CHANNEL_COUNT || (unsigned)kind >= IFFA_KIND_COUNT)
		return iffa_error_set(IFFA_EINVAL, "flow %lld -> %lld: channel %d or kind %d out of range",
				      (long long)src, (long long)dst, (int)channel, (int)kind);
	if (g->ne == g->necap && (error = resize_edges(g, 2 * g->necap)) < 0)
		return error;
	if (g->aggregated) {
		int64_t key, found;

		if (g->nv > ((igraph_integer_t)1 << MERGE_VERTEX_BITS))
			return iffa_error_set(IFFA_EINVAL, "%lld vertices are too many to merge parallel "
					      "flows; keep them parallel", (long long)g->nv);
		key = ((int64_t)src << (MERGE_VERTEX_BITS + 5)) | ((int64_t)dst << 5) |
		      ((int64_t)channel << 2) | (int64_t)kind;
		if ((error = iffa_keymap__put(&found, &g->merge, key, e)) < 0)
			return error;
		if (error == 0) {
			e = found;
			g->eamount[e] += amount;
			g->eflows[e]++;
			if (time < g->efirst[e])
				g->efirst[e] = time;
			if (time > g->elast[e])
				g->elast[e] = time;
			g->erecord[e] = -1;
			return 0;
		}
	}
	g->ends[2 * e] = src;
	g->ends[2 * e + 1] = dst;
	g->eamount[e] = amount;
	g->eflows[e] = 1;
	g->efirst[e] = g->elast[e] = time;
	g->erecord[e] = record;
	g->echannel[e] = (uint8_t)channel;
	g->ekind[e] = (uint8_t)kind;
	g->ne++;
	return 0;
}

void iffa_flowgraph__count_record(iffa_flowgraph *g, iffa_record_kind kind, double amount)
{
	g->records[kind]++;
	g->record_amount[kind] += amount;
}

/*
 * Edge ids ordered by first time: a stable LSD radix sort, 16 bits a pass,
 * on the time with its sign bit flipped so that unsigned order is signed
 * order. Passes where every key has the same digit are skipped (the high
 * bits of times within a few years). Ties keep id order since each pass is
 * stable. Time complexity: O(|E|) per pass, at most four passes.
 */
static int sort_by_time(iffa_flowgraph *g)
{
	size_t n = (size_t)g->ne;
	igraph_integer_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	igraph_integer_t *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t *count = malloc(65536 * sizeof(*count));
	int error = 0;

	if (!ids || !tmp || !count) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for the time index");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = (igraph_integer_t)i;
	for (unsigned shift = 0; shift < 64 && n > 1; shift += 16) {
		size_t sum = 0;
		igraph_integer_t *swap;

		memset(count, 0, 65536 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(((uint64_t)g->efirst[i] ^ (1ULL << 63)) >> shift) & 0xffff]++;
		if (count[(((uint64_t)g->efirst[0] ^ (1ULL << 63)) >> shift) & 0xffff] == n)
			continue;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t k = (uint64_t)g->efirst[ids[i]] ^ (1ULL << 63);
			tmp[count[(k >> shift) & 0xffff]++] = ids[i];
		}
		swap = ids;
		ids = tmp;
		tmp = swap;
	}
	g->by_time = ids;
	ids = NULL;
done:
	free(ids);
	free(tmp);
	free(count);
	return error;
}

/*
 * The permutation that orders edges by (source, target), ties in the order
 * they were added: two stable counting-sort passes over vertex ids, target
 * then source. Time complexity: O(|V| + |E|).
 */
static int endpoint_order(igraph_integer_t **out, const iffa_flowgraph *g)
{
	size_t n = (size_t)g->ne, nv = (size_t)g->nv;
	igraph_integer_t *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	igraph_integer_t *perm = malloc((n ? n : 1) * sizeof(*perm));
	size_t *next = malloc((nv + 1) * sizeof(*next));
	int error = 0;

	*out = NULL;
	if (!tmp || !perm || !next) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for ordering edges");
		goto done;
	}
	for (int side = 1; side >= 0; side--) {
		const igraph_integer_t *src = side ? NULL : tmp;
		igraph_integer_t *dst = side ? tmp : perm;
		size_t sum = 0;

		memset(next, 0, (nv + 1) * sizeof(*next));
		for (size_t e = 0; e < n; e++)
			next[g->ends[2 * e + side]]++;
		for (size_t v = 0; v <= nv; v++) {
			size_t c = next[v];
			next[v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			igraph_integer_t e = src ? src[i] : (igraph_integer_t)i;
			dst[next[g->ends[2 * e + side]]++] = e;
		}
	}
	*out = perm;
	perm = NULL;
done:
	free(tmp);
	free(perm);
	free(next);
	return error;
}

/*
 * Replace the array at *p (n elements of `size` bytes) by a new one of
 * exactly n elements holding old[perm[i]] at i; *p is untouched on failure.
 */
static int gather(void *p, size_t size, const igraph_integer_t *perm, size_t n)
{
	const unsigned char *old = *(void **)p;
	unsigned char *neu = malloc((n ? n : 1) * size);

	if (!neu)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for ordering edges");
	/* Constant sizes let the compiler turn each memcpy into one move. */
	switch (size) {
	case 1:
		for (size_t i = 0; i < n; i++)
			neu[i] = old[perm[i]];
		break;
	case 8:
		for (size_t i = 0; i < n; i++)
			memcpy(neu + 8 * i, old + 8 * (size_t)perm[i], 8);
		break;
	case 16:
		for (size_t i = 0; i < n; i++)
			memcpy(neu + 16 * i, old + 16 * (size_t)perm[i], 16);
		break;
	default:
		for (size_t i = 0; i < n; i++)
			memcpy(neu + size * i, old + size * (size_t)perm[i], size);
		break;
	}
	free(*(void **)p);
	*(void **)p = neu;
	return 0;
}

int iffa_flowgraph__finish(iffa_flowgraph *g)
{
	igraph_integer_t *perm = NULL;
	igraph_vector_int_t view;
	igraph_error_t ierr;
	size_t n = (size_t)g->ne;
	int error;

	iffa_keymap__dispose(&g->merge);
	/*
	 * Edges ordered by (source, target) before igraph sees them: igraph
	 * builds its indexes with a linked-list radix sort whose pointer chasing
	 * stays in cache on sorted input (igraph_create of 1M edges over 20k
	 * vertices: 0.12 s instead of 0.45 s here), and passes find each
	 * vertex's edges side by side. Gathering also trims the arrays to size.
	 */
	if ((error = endpoint_order(&perm, g)) < 0 ||
	    (error = gather(&g->ends, 2 * sizeof(*g->ends), perm, n)) < 0 ||
	    (error = gather(&g->eamount, sizeof(*g->eamount), perm, n)) < 0 ||
	    (error = gather(&g->eflows, sizeof(*g->eflows), perm, n)) < 0 ||
	    (error = gather(&g->efirst, sizeof(*g->efirst), perm, n)) < 0 ||
	    (error = gather(&g->elast, sizeof(*g->elast), perm, n)) < 0 ||
	    (error = gather(&g->erecord, sizeof(*g->erecord), perm, n)) < 0 ||
	    (error = gather(&g->echannel, sizeof(*g->echannel), perm, n)) < 0 ||
	    (error = gather(&g->ekind, sizeof(*g->ekind), perm, n)) < 0)
		goto done;
	g->necap = g->ne;
	free(perm);
	perm = NULL;

	/* igraph_vector_int_view() fills `view`; its prototype only says const. */
	memset(&view, 0, sizeof(view));
	ierr = igraph_create(&g->graph, igraph_vector_int_view(&view, g->ends, 2 * g->ne), g->nv,
			     IGRAPH_DIRECTED);
	if (ierr != IGRAPH_SUCCESS) {
		error = iffa_flowgraph__igraph_fail(ierr, "building the flow graph");
		goto done;
	}
	g->has_graph = 1;
	/* igraph holds the endpoints now. */
	free(g->ends);
	g->ends = NULL;
	if ((error = resize_vertices(g, g->nv)) < 0)
		goto done;
	error = sort_by_time(g);
done:
	free(perm);
	return error;
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

const igraph_integer_t *iffa_flowgraph_edges_by_time(const iffa_flowgraph *g)
{
	return g->by_time;
}
