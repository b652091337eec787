/*
 * Precision and recall of the paths and intermediaries passes against a
 * generated scenario's truth.csv: reads the flow graph from a database that
 * holds the scenario (tools/eval/load_scenario.sh), runs the passes, and
 * compares the members they flag with the planted accounts and parties.
 *
 *   iffa_eval_passes --db CONNINFO --truth DIR/truth.csv
 *                    [--pass paths|intermediaries|both] [--level account|party]
 *                    [--aggregate] [--fp N] [--miss N]
 *
 * Figures: flagged accounts (account vertices among the members) against
 * the planted accounts; flagged parties (owners of flagged accounts, and
 * party vertices) against the planted parties; recall per structure and
 * role; time of each pass. --fp N lists N false positives with the finding
 * that flagged them, --miss N planted accounts not flagged.
 */
#define _POSIX_C_SOURCE 200809L
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iffa.h"
#include "iffa/passes.h"
#include "passes/paths.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Refs and owners by database id. */
typedef struct {
	char **ref;
	int64_t *owner;     /* accounts: party id or -1 */
	char (*kind)[16];
	char (*place)[32];  /* accounts: country; parties: region */
	int64_t n;
} table;

static void die(const char *what)
{
	fprintf(stderr, "passes_eval: %s\n", what);
	exit(1);
}

static void read_table(table *t, PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		die(PQerrorMessage(c));
	t->n = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t id = atoll(PQgetvalue(res, i, 0));
		if (id + 1 > t->n)
			t->n = id + 1;
	}
	t->ref = calloc((size_t)t->n, sizeof(*t->ref));
	t->owner = malloc((size_t)t->n * sizeof(*t->owner));
	t->kind = calloc((size_t)t->n, sizeof(*t->kind));
	t->place = calloc((size_t)t->n, sizeof(*t->place));
	for (int64_t i = 0; i < t->n; i++)
		t->owner[i] = -1;
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t id = atoll(PQgetvalue(res, i, 0));
		t->ref[id] = strdup(PQgetvalue(res, i, 1));
		if (!PQgetisnull(res, i, 2))
			t->owner[id] = atoll(PQgetvalue(res, i, 2));
		snprintf(t->kind[id], sizeof(t->kind[id]), "%s", PQgetvalue(res, i, 3));
		snprintf(t->place[id], sizeof(t->place[id]), "%s", PQgetvalue(res, i, 4));
	}
	PQclear(res);
}

typedef struct {
	const char *ref;
	int64_t id;
} refid;

static int by_ref(const void *a, const void *b)
{
	return strcmp(((const refid *)a)->ref, ((const refid *)b)->ref);
}

static refid *sorted_refs(const table *t, size_t *n)
{
	refid *r = malloc((size_t)t->n * sizeof(*r));

	*n = 0;
	for (int64_t i = 0; i < t->n; i++)
		if (t->ref[i]) {
			r[*n].ref = t->ref[i];
			r[*n].id = i;
			(*n)++;
		}
	qsort(r, *n, sizeof(*r), by_ref);
	return r;
}

static int64_t lookup(const refid *r, size_t n, const char *ref)
{
	refid key = {ref, 0};
	const refid *hit = bsearch(&key, r, n, sizeof(*r), by_ref);

	return hit ? hit->id : -1;
}

typedef struct {
	char name[32];
	size_t total, found;
} tally;

static void tally_add(tally *t, size_t *n, const char *name, int found)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(t[i].name, name) == 0)
			break;
	if (i == *n) {
		if (*n == 64)
			return;
		snprintf(t[i].name, sizeof(t[i].name), "%s", name);
		t[i].total = t[i].found = 0;
		(*n)++;
	}
	t[i].total++;
	t[i].found += found != 0;
}

int main(int argc, char **argv)
{
	const char *conninfo = NULL, *truth = NULL, *pass = "both";
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g = NULL;
	iffa_findings *f = NULL;
	iffa_db *db = NULL;
	table acc, par;
	refid *accr, *parr;
	size_t nacc, npar, nfp = 0, nmiss = 0;
	uint8_t *pa, *pp, *fa, *fp_;
	const iffa_finding **why_a;
	tally structs[64], roles[64];
	size_t nstructs = 0, nroles = 0;
	char line[512];
	FILE *tf;
	double t0, t1;
	int detail = 0, stats = 0;
	size_t show = 0;
	iffa_paths_params prm = IFFA_PATHS_PARAMS_INIT;

	io.keep_parallel = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			conninfo = argv[++i];
		else if (!strcmp(argv[i], "--truth") && i + 1 < argc)
			truth = argv[++i];
		else if (!strcmp(argv[i], "--pass") && i + 1 < argc)
			pass = argv[++i];
		else if (!strcmp(argv[i], "--level") && i + 1 < argc)
			io.level = !strcmp(argv[++i], "party") ? IFFA_LEVEL_PARTY : IFFA_LEVEL_ACCOUNT;
		else if (!strcmp(argv[i], "--aggregate"))
			io.keep_parallel = 0;
		else if (!strcmp(argv[i], "--fp") && i + 1 < argc)
			nfp = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "--grace") && i + 1 < argc)
			prm.grace = (int64_t)(atof(argv[++i]) * (double)IFFA_PATHS_DAY);
		else if (!strcmp(argv[i], "--dwell") && i + 1 < argc)
			prm.dwell = (int64_t)(atof(argv[++i]) * (double)IFFA_PATHS_DAY);
		else if (!strcmp(argv[i], "--member") && i + 1 < argc)
			prm.member_share = atof(argv[++i]);
		else if (!strcmp(argv[i], "--min-amount") && i + 1 < argc)
			prm.min_amount = atof(argv[++i]);
		else if (!strcmp(argv[i], "--min-fraction") && i + 1 < argc)
			prm.min_fraction = atof(argv[++i]);
		else if (!strcmp(argv[i], "--max-hops") && i + 1 < argc)
			prm.max_hops = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--show") && i + 1 < argc)
			show = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "--stats"))
			stats = 1;
		else if (!strcmp(argv[i], "--detail"))
			detail = 1;
		else if (!strcmp(argv[i], "--miss") && i + 1 < argc)
			nmiss = (size_t)atol(argv[++i]);
		else
			die("usage: iffa_eval_passes --db CONNINFO --truth FILE [--pass paths|"
			    "intermediaries|both] [--level account|party] [--aggregate] [--fp N] "
			    "[--miss N]");
	}
	if (!conninfo || !truth)
		die("--db and --truth are required");
	iffa_init();
	if (iffa_db_connect(&db, conninfo) < 0)
		die(iffa_error_last());
	read_table(&acc, iffa_db_conn(db),
		   "SELECT id, ref, party_id, kind, country FROM account");
	read_table(&par, iffa_db_conn(db),
		   "SELECT id, ref, NULL, kind, coalesce(region, '') || ' ' || coalesce(country, '') "
		   "FROM party");
	accr = sorted_refs(&acc, &nacc);
	parr = sorted_refs(&par, &npar);
	t0 = now();
	if (iffa_ingest(&g, db, &io) < 0)
		die(iffa_error_last());
	t1 = now();
	fprintf(stderr, "ingest %.2f s: %lld vertices, %lld edges\n", t1 - t0,
		(long long)iffa_flowgraph_vertex_count(g), (long long)iffa_flowgraph_edge_count(g));
	if (iffa_findings_new(&f) < 0)
		die(iffa_error_last());
	if (stats) {
		for (int m = 0; m < 2; m++) {
			iffa_paths__walked x;
			t0 = now();
			if (iffa_paths__walk(&x, g, &prm, m) < 0)
				die(iffa_error_last());
			fprintf(stderr, "%s walks: %.2f s, %zu sources (both rounds %zu walks, %zu "
				"stopped by max_expansions), %zu flows looked at, %zu leaves, %zu "
				"paths kept\n", m ? "gold" : "money", now() - t0, x.nsrc, x.stats.sources,
				x.stats.truncated, x.stats.expansions, x.stats.leaves, x.found.npaths);
			iffa_paths__walked_dispose(&x);
		}
	}
	if (!strcmp(pass, "paths") || !strcmp(pass, "both")) {
		size_t before = iffa_findings_count(f);
		t0 = now();
		if (iffa_pass_paths(f, g, &prm) < 0)
			die(iffa_error_last());
		fprintf(stderr, "paths: %.2f s, %zu findings\n", now() - t0,
			iffa_findings_count(f) - before);
	}
	if (!strcmp(pass, "intermediaries") || !strcmp(pass, "both")) {
		iffa_intermediaries_params p = IFFA_INTERMEDIARIES_PARAMS_INIT;
		size_t before = iffa_findings_count(f);
		t0 = now();
		if (iffa_pass_intermediaries(f, g, &p) < 0)
			die(iffa_error_last());
		fprintf(stderr, "intermediaries: %.2f s, %zu findings\n", now() - t0,
			iffa_findings_count(f) - before);
	}

	iffa_findings_sort(f);
	for (size_t i = 0, shown = 0; i < iffa_findings_count(f) && shown < show; i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		if (i == 0 || strcmp(fd->kind, iffa_findings_get(f, i - 1)->kind) != 0 || shown % 3) {
			iffa_finding_write_text(fd, g, 3, stdout);
			shown++;
		}
	}
	/* Flagged: account ids and party ids. */
	fa = calloc((size_t)acc.n, 1);
	fp_ = calloc((size_t)par.n, 1);
	why_a = calloc((size_t)acc.n + (size_t)par.n, sizeof(*why_a));
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		for (size_t m = 0; m < fd->nmembers; m++) {
			int64_t key = iffa_flowgraph_vertex_key(g, fd->members[m]);
			int64_t id = key >> 1;
			if (key & 1) {
				fp_[id] = 1;
				if (!why_a[acc.n + id])
					why_a[acc.n + id] = fd;
			} else {
				fa[id] = 1;
				if (acc.owner[id] >= 0)
					fp_[acc.owner[id]] = 1;
				if (!why_a[id])
					why_a[id] = fd;
			}
		}
	}
	/* Planted. */
	pa = calloc((size_t)acc.n, 1);
	pp = calloc((size_t)par.n, 1);
	tf = fopen(truth, "r");
	if (!tf)
		die("cannot open truth.csv");
	if (!fgets(line, sizeof(line), tf))
		die("empty truth.csv");
	while (fgets(line, sizeof(line), tf)) {
		char *s = strtok(line, ","), *idt = strtok(NULL, ","), *type = strtok(NULL, ",");
		char *ref = strtok(NULL, ","), *role = strtok(NULL, ",\r\n");
		int64_t id;
		(void)idt;
		if (!s || !type || !ref || !role)
			continue;
		if (!strcmp(type, "account")) {
			if ((id = lookup(accr, nacc, ref)) < 0)
				continue;
			if (!pa[id]) {
				char sr[64];
				pa[id] = 1;
				tally_add(structs, &nstructs, s, fa[id]);
				snprintf(sr, sizeof(sr), "%s/%s", s, role);
				tally_add(roles, &nroles, sr, fa[id]);
			}
		} else if ((id = lookup(parr, npar, ref)) >= 0) {
			pp[id] = 1;
		}
	}
	fclose(tf);
	{
		size_t tp = 0, flagged = 0, planted = 0, ptp = 0, pflag = 0, pplanted = 0;
		size_t etp = 0, eflag = 0;
		for (int64_t i = 0; i < acc.n; i++) {
			int owner_flagged = acc.owner[i] >= 0 && fp_[acc.owner[i]];
			tp += fa[i] && pa[i];
			flagged += fa[i];
			planted += pa[i];
			eflag += owner_flagged || fa[i];
			etp += (owner_flagged || fa[i]) && pa[i];
		}
		for (int64_t i = 0; i < par.n; i++) {
			ptp += fp_[i] && pp[i];
			pflag += fp_[i];
			pplanted += pp[i];
		}
		printf("accounts flagged %zu, planted %zu, true %zu: precision %.3f recall %.3f\n",
		       flagged, planted, tp, flagged ? (double)tp / flagged : 0,
		       planted ? (double)tp / planted : 0);
		printf("accounts of flagged parties %zu, true %zu: precision %.3f recall %.3f\n", eflag,
		       etp, eflag ? (double)etp / eflag : 0, planted ? (double)etp / planted : 0);
		printf("parties flagged %zu, planted %zu, true %zu: precision %.3f recall %.3f\n", pflag,
		       pplanted, ptp, pflag ? (double)ptp / pflag : 0,
		       pplanted ? (double)ptp / pplanted : 0);
	}
	printf("recall of planted accounts per structure:\n");
	for (size_t i = 0; i < nstructs; i++)
		printf("  %-16s %5zu of %5zu  %.3f\n", structs[i].name, structs[i].found,
		       structs[i].total, (double)structs[i].found / structs[i].total);
	printf("per role:\n");
	for (size_t i = 0; i < nroles; i++)
		printf("  %-32s %5zu of %5zu  %.3f\n", roles[i].name, roles[i].found, roles[i].total,
		       (double)roles[i].found / roles[i].total);
	for (int64_t i = 0; i < acc.n && nfp; i++) {
		int64_t o = acc.owner[i];
		if (!fa[i] || pa[i])
			continue;
		printf("FP account %s (%s, %s) owner %s (%s %s): [%s/%s] %s\n", acc.ref[i], acc.kind[i],
		       acc.place[i], o >= 0 ? par.ref[o] : "-", o >= 0 ? par.kind[o] : "",
		       o >= 0 ? par.place[o] : "", why_a[i]->pass, why_a[i]->kind, why_a[i]->reason);
		if (detail)
			iffa_finding_write_text(why_a[i], g, 40, stdout);
		nfp--;
	}
	for (int64_t i = 0; i < acc.n && nmiss; i++) {
		int64_t o = acc.owner[i];
		if (fa[i] || !pa[i])
			continue;
		printf("MISS account %s (%s, %s) owner %s (%s %s)\n", acc.ref[i], acc.kind[i],
		       acc.place[i], o >= 0 ? par.ref[o] : "-", o >= 0 ? par.kind[o] : "",
		       o >= 0 ? par.place[o] : "");
		nmiss--;
	}
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
	return 0;
}
