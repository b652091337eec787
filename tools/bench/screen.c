/*
 * Screening throughput: N counterparties against a list of 100,000
 * synthetic names (West African, Maghreb and Arabic given names, family
 * names and made-up surnames, with particles), on one core, through the
 * in-memory index (src/screen/index.c). The baseline, in the same run, is
 * the same scoring applied to every list name (a full scan) on a smaller
 * sample; the report gives both as counterparties per second, the median
 * of several runs, and their ratio. Database and audit records are not
 * part of this measure (see docs/SCREENING.md for the end-to-end figure).
 *
 * --exposure-db CONNINFO adds a third measure: the same counterparties,
 * each given an account of that database (in turn, all of them), screened
 * in batches of 1,000 with the graph-exposure look-up of screen/exposure.c
 * (per batch, one prepared statement against vertex_exposure of the latest
 * analysis run, and for the path edges not read yet one against
 * exposure_edge and one for the names of their ends; each run opens its
 * own look-up, so that none reuses the edges an earlier run read). The
 * client waits for the server, so the two never run at
 * once: the one-core figure is counterparties per CPU second of the client
 * and its server process together (the server's from /proc/PID/stat of
 * its backend, which must run on this machine), steadier than wall clock
 * on a shared machine.
 *
 *   iffa_bench_screen [--names 100000] [--queries 100000] [--scan 300]
 *                     [--runs 5] [--seed 1] [--csv DIR] [--exposure-db CONNINFO]
 *
 * --csv DIR also writes DIR/list.csv (the synthetic list in iffa's
 * national-list CSV format) and DIR/counterparties.csv, for an end-to-end
 * run through `iffa lists import` and `iffa screen --file`.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iffa.h"
#include "screen/exposure.h"
#include "screen/index.h"

static const char *const given[] = {
	"Amadou", "Mamadou", "Mohamed", "Mahamadou", "Ibrahim", "Ibrahima", "Moussa", "Oumar",
	"Ousmane", "Aliou", "Ali", "Ahmed", "Boubacar", "Abdoulaye", "Adama", "Issa", "Hamidou",
	"Seydou", "Souleymane", "Sidi", "Yahya", "Youssouf", "Idrissa", "Salif", "Modibo", "Bakary",
	"Lamine", "Sekou", "Tidiane", "Alassane", "Alpha", "Habib", "Abdelkader", "Hamza", "Bilal",
	"Djibril", "Ismael", "Hassan", "Hussein", "Khalid", "Said", "Salem", "Karim", "Moustapha",
	"Mokhtar", "Abdallah", "Abderrahmane", "Abdelaziz", "Omar", "Othmane", "Nouhoum", "Siaka",
	"Tiemoko", "Harouna", "Daouda", "Boukary", "Tahirou", "Soumaila", "Mahamane", "Moumouni",
	"Fatoumata", "Aminata", "Aissata", "Mariam", "Kadiatou", "Hawa", "Awa", "Oumou", "Ramata",
	"Bintou", "Hadiza", "Zeinab", "Halima", "Khadija", "Aicha", "Safiatou", "Rokia", "Assitan",
	"Nana", "Salamata", "Ismaila", "Cheick", "Boubou", "Baba", "Hama", "Almoustapha", "Intahmadou",
	"Alghabass", "Iyad", "Mahfouz", "Yacouba", "Zakaria", "Jibril", "Samba", "Demba", "Malick",
	"Abdou", "Ablo", "Sadio", "Kalilou", "Lassina", "Drissa", "Brahima", "Mamoutou", "Yaya"};

static const char *const family[] = {
	"Traore", "Diallo", "Coulibaly", "Keita", "Toure", "Cisse", "Sangare", "Maiga", "Diarra",
	"Konate", "Sidibe", "Sow", "Ba", "Barry", "Bah", "Kane", "Ndiaye", "Diop", "Fall", "Sy",
	"Ouedraogo", "Sawadogo", "Kabore", "Zongo", "Camara", "Kone", "Doumbia", "Dembele",
	"Bagayoko", "Tall", "Dicko", "Dia", "Niang", "Haidara", "Cisse", "Sissoko", "Tounkara",
	"Kante", "Fofana", "Dramé", "Soumaré", "Touré", "Bocoum", "Guindo", "Togo", "Dolo", "Poudiougou",
	"Ag Intalla", "Ag Attaher", "Ag Bibi", "Ag Ghali", "Ag Mohamed", "Ould Sidi", "Ould Ahmed",
	"Ould Daddah", "Ben Salah", "Ben Ali", "Al-Ansari", "El Mansouri", "Belmokhtar", "Boumediene",
	"Bouteflika", "Messaoudi", "Benali", "Hamdi", "Zerhouni", "Kaddour", "Issoufou", "Bazoum",
	"Tandja", "Mahamane", "Seyni", "Garba", "Bello", "Abubakar", "Musa", "Yusuf", "Adamu"};

static const char *const syl[] = {"ka", "ma", "ba", "sa", "ta", "da", "ko", "mo", "bo", "so",
				  "to", "dou", "rou", "ki", "mi", "bi", "si", "ti", "di", "ga",
				  "gou", "la", "lo", "na", "ni", "ra", "ri", "ya", "ha", "kha",
				  "za", "fa", "fou", "dja", "tche", "gue", "ne", "ke", "me", "be"};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static size_t pick(size_t n)
{
	return (size_t)(rnd() % n);
}

#define N(a) (sizeof(a) / sizeof(a[0]))

/* A made-up surname of 2 to 4 syllables, capitalised. */
static void made_up(char *out, size_t size)
{
	int k = 2 + (int)pick(3); /* at most 4 syllables of 4 letters */
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < k; i++)
		n += (size_t)snprintf(out + n, size - n, "%s", syl[pick(N(syl))]);
	out[0] = (char)(out[0] - 'a' + 'A');
}

static void random_name(char *out, size_t size)
{
	char s1[24], s2[24];
	int shape = (int)pick(10);

	made_up(s1, sizeof(s1));
	made_up(s2, sizeof(s2));
	if (shape < 4)
		snprintf(out, size, "%s %s", given[pick(N(given))], family[pick(N(family))]);
	else if (shape < 7)
		snprintf(out, size, "%s %s", given[pick(N(given))], s1);
	else if (shape < 9)
		snprintf(out, size, "%s %s %s", given[pick(N(given))], given[pick(N(given))], s1);
	else
		snprintf(out, size, "%s %s Ag %s", given[pick(N(given))], s1, s2);
}

/* A variant of a list name: a typo, a reordering, a dropped token. */
static void variant(char *out, size_t size, const char *name)
{
	char buf[256], *tok[16];
	int n = 0, how = (int)pick(3);
	size_t len;

	snprintf(buf, sizeof(buf), "%s", name);
	for (char *t = strtok(buf, " "); t && n < 16; t = strtok(NULL, " "))
		tok[n++] = t;
	out[0] = '\0';
	if (how == 0 && n >= 2) { /* reorder */
		snprintf(out, size, "%s", tok[n - 1]);
		for (int i = 0; i < n - 1; i++) {
			len = strlen(out);
			snprintf(out + len, size - len, " %s", tok[i]);
		}
		return;
	}
	for (int i = 0; i < n; i++) {
		len = strlen(out);
		snprintf(out + len, size - len, "%s%s", len ? " " : "", tok[i]);
	}
	len = strlen(out);
	if (len > 4) { /* typo: one letter doubled or swapped */
		size_t at = 1 + pick(len - 2);
		/* ASCII letters only: swapping bytes of "é" would not be UTF-8. */
		if (out[at + 1] && (unsigned char)out[at] < 0x80 && (unsigned char)out[at + 1] < 0x80 &&
		    out[at] != ' ' && out[at + 1] != ' ') {
			char c = out[at];
			out[at] = out[at + 1];
			out[at + 1] = c;
		}
	}
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of this (single-threaded) process: the one-core measure, less
 * disturbed than wall time by other work on a shared machine. */
static double cpu(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Screen queries[0..n) `runs` times; counterparties per second per run. */
static void measure(double *cps, double *wall, int runs, iffa_screen__index *ix,
		    char (*queries)[128], size_t n, const iffa_screen__params *p, size_t *flagged,
		    size_t *scored)
{
	iffa_screen__hit hits[5];

	for (int r = 0; r < runs; r++) {
		double t0 = cpu(), w0 = now();
		*flagged = *scored = 0;
		for (size_t i = 0; i < n; i++) {
			iffa_screen__query q = {queries[i], NULL, 0, ""};
			size_t nh, sc;
			if (iffa_screen__index_match(hits, &nh, &sc, ix, &q, p) < 0) {
				fprintf(stderr, "bench: %s\n", iffa_error_last());
				exit(1);
			}
			*flagged += nh > 0;
			*scored += sc;
		}
		cps[r] = (double)n / (cpu() - t0);
		wall[r] = (double)n / (now() - w0);
	}
}

/* CPU seconds (user + system) used so far by process `pid`, or -1. */
static double proc_cpu(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the command name in brackets: state is the 3rd, utime the 14th */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The same as measure(), in batches of 1,000 with the exposure look-up of
 * each batch's accounts (accounts[i % naccounts] for counterparty i). */
static void measure_exposure(double *cps, double *both, double *wall, int runs,
			     iffa_screen__index *ix, iffa_screen__exposure **x, iffa_db *db, int backend,
			     char (*queries)[128], size_t n,
			     char **accounts, size_t naccounts, const iffa_screen__params *p,
			     size_t *exposed)
{
	enum { BATCH = 1000 };
	static iffa_screen_result res[BATCH];
	static iffa_screen_request reqs[BATCH];
	iffa_screen__hit hits[5];

	for (int r = 0; r < runs; r++) {
		double t0, w0, b0;
		/* a fresh handle: no run reads the path edges an earlier one kept */
		iffa_screen__exposure_free(*x);
		*x = NULL;
		if (iffa_screen__exposure_open(x, db) < 0) {
			fprintf(stderr, "bench: %s\n", iffa_error_last());
			exit(1);
		}
		t0 = cpu();
		w0 = now();
		b0 = proc_cpu(backend);
		*exposed = 0;
		for (size_t at = 0; at < n; at += BATCH) {
			size_t m = n - at < BATCH ? n - at : BATCH;
			for (size_t i = 0; i < m; i++) {
				iffa_screen__query q = {queries[at + i], NULL, 0, ""};
				size_t nh, sc;
				if (iffa_screen__index_match(hits, &nh, &sc, ix, &q, p) < 0) {
					fprintf(stderr, "bench: %s\n", iffa_error_last());
					exit(1);
				}
				memset(&reqs[i], 0, sizeof(reqs[i]));
				reqs[i].name = queries[at + i];
				reqs[i].account = accounts[(at + i) % naccounts];
				memset(&res[i], 0, sizeof(res[i]));
			}
			if (iffa_screen__exposure_lookup(*x, res, reqs, m) < 0) {
				fprintf(stderr, "bench: %s\n", iffa_error_last());
				exit(1);
			}
			for (size_t i = 0; i < m; i++) {
				*exposed += res[i].exposure.status == IFFA_SCREEN_EXPOSURE_EXPOSED;
				iffa_screen_result_dispose(&res[i]);
			}
		}
		cps[r] = (double)n / (cpu() - t0);
		both[r] = b0 < 0 ? 0 : (double)n / (cpu() - t0 + proc_cpu(backend) - b0);
		wall[r] = (double)n / (now() - w0);
	}
}

/* Every account reference of the database, and the exposure handle. */
static int open_exposure(iffa_db **db, iffa_screen__exposure **x, char ***accounts, size_t *n,
			 const char *conninfo)
{
	PGresult *res;

	if (iffa_db_connect(db, conninfo) < 0 || iffa_screen__exposure_open(x, *db) < 0)
		return -1;
	res = PQexec(iffa_db_conn(*db), "SELECT ref FROM account ORDER BY id");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) == 0) {
		iffa_error_set(IFFA_EDB, "no accounts: %s", PQerrorMessage(iffa_db_conn(*db)));
		PQclear(res);
		return -1;
	}
	*n = (size_t)PQntuples(res);
	if (!(*accounts = calloc(*n, sizeof(**accounts)))) {
		PQclear(res);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < *n; i++)
		if (!((*accounts)[i] = strdup(PQgetvalue(res, (int)i, 0)))) {
			PQclear(res);
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		}
	PQclear(res);
	return 0;
}

int main(int argc, char **argv)
{
	size_t nnames = 100000, nqueries = 100000, nscan = 300, flagged, scored;
	int runs = 5;
	const char *csv = NULL, *exposure_db = NULL;
	iffa_db *db = NULL;
	iffa_screen__exposure *xp = NULL;
	char **accounts = NULL;
	size_t naccounts = 0;
	iffa_screen__params fast = {IFFA_SCREEN_MATCH_DEFAULT, IFFA_SCREEN_POSSIBLE_DEFAULT, 5, 0};
	iffa_screen__params slow = fast;
	iffa_screen__index *ix;
	char (*names)[128], (*queries)[128];
	double t0, cps_fast[15], cps_slow[15], wall_fast[15], wall_slow[15], med_fast, med_slow;

	rng_state = 88172645463325252ULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--names") == 0)
			nnames = (size_t)atol(argv[i + 1]);
		else if (strcmp(argv[i], "--queries") == 0)
			nqueries = (size_t)atol(argv[i + 1]);
		else if (strcmp(argv[i], "--scan") == 0)
			nscan = (size_t)atol(argv[i + 1]);
		else if (strcmp(argv[i], "--runs") == 0)
			runs = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			rng_state ^= (uint64_t)atol(argv[i + 1]) * 0x9e3779b97f4a7c15ULL;
		else if (strcmp(argv[i], "--csv") == 0)
			csv = argv[i + 1];
		else if (strcmp(argv[i], "--exposure-db") == 0)
			exposure_db = argv[i + 1];
	}
	if (runs < 1 || runs > 15 || nnames == 0 || nqueries == 0) {
		fprintf(stderr, "usage: iffa_bench_screen [--names N] [--queries N] [--scan N] "
				"[--runs 1..15] [--seed S] [--csv DIR] [--exposure-db CONNINFO]\n");
		return 2;
	}
	if (nscan > nqueries)
		nscan = nqueries;
	slow.brute_force = 1;
	iffa_init();
	names = malloc(nnames * sizeof(*names));
	queries = malloc(nqueries * sizeof(*queries));
	if (!names || !queries || iffa_screen__index_new(&ix) < 0) {
		fprintf(stderr, "bench: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < nnames; i++)
		random_name(names[i], sizeof(names[i]));
	/* One counterparty in five is a variant of a listed name. */
	for (size_t i = 0; i < nqueries; i++) {
		if (pick(5) == 0)
			variant(queries[i], sizeof(queries[i]), names[pick(nnames)]);
		else
			random_name(queries[i], sizeof(queries[i]));
	}
	t0 = now();
	for (size_t i = 0; i < nnames; i++) {
		char ref[32];
		uint32_t id;
		iffa_screen__entry e = {"BENCH", ref, "individual", names[i], NULL, NULL, 0};
		snprintf(ref, sizeof(ref), "B-%zu", i);
		if (iffa_screen__index_add_entry(ix, &id, &e) < 0 ||
		    iffa_screen__index_add_name(ix, id, names[i], "primary", NULL) < 0) {
			fprintf(stderr, "bench: %s\n", iffa_error_last());
			return 1;
		}
	}
	if (iffa_screen__index_build(ix) < 0) {
		fprintf(stderr, "bench: %s\n", iffa_error_last());
		return 1;
	}
	printf("list: %zu synthetic names, index built in %.2f s\n", iffa_screen__index_names(ix),
	       now() - t0);

	measure(cps_fast, wall_fast, runs, ix, queries, nqueries, &fast, &flagged, &scored);
	med_fast = median(cps_fast, runs);
	printf("indexed:     %zu counterparties, %d runs, median %.0f counterparties per CPU second "
	       "(wall clock %.0f/s; %zu flagged, %.1f names scored per counterparty)\n", nqueries,
	       runs, med_fast, median(wall_fast, runs), flagged, (double)scored / (double)nqueries);
	measure(cps_slow, wall_slow, runs, ix, queries, nscan, &slow, &flagged, &scored);
	med_slow = median(cps_slow, runs);
	printf("full scan:   %zu counterparties, %d runs, median %.1f counterparties per CPU second "
	       "(wall clock %.1f/s; baseline: every name scored)\n", nscan, runs, med_slow,
	       median(wall_slow, runs));
	printf("ratio:       %.0fx\n", med_fast / med_slow);
	if (exposure_db) {
		size_t exposed;
		if (open_exposure(&db, &xp, &accounts, &naccounts, exposure_db) < 0) {
			fprintf(stderr, "bench: exposure: %s\n", iffa_error_last());
			return 1;
		}
		double both[15];
		measure_exposure(cps_slow, both, wall_slow, runs, ix, &xp, db,
				 PQbackendPID(iffa_db_conn(db)), queries, nqueries, accounts,
				 naccounts, &fast, &exposed);
		printf("+ exposure:  %zu counterparties, each with one of %zu accounts, %d runs, median "
		       "%.0f counterparties per CPU second of client and server together (client "
		       "alone %.0f/s; wall clock %.0f/s; %zu exposed)\n", nqueries, naccounts, runs,
		       median(both, runs), median(cps_slow, runs), median(wall_slow, runs), exposed);
	}

	if (csv) {
		char path[1024];
		FILE *f;
		snprintf(path, sizeof(path), "%s/list.csv", csv);
		if (!(f = fopen(path, "w")))
			return 1;
		fputs("reference,kind,name\n", f);
		for (size_t i = 0; i < nnames; i++)
			fprintf(f, "B-%zu,individual,%s\n", i, names[i]);
		fclose(f);
		snprintf(path, sizeof(path), "%s/counterparties.csv", csv);
		if (!(f = fopen(path, "w")))
			return 1;
		fputs(accounts ? "ref,name,account\n" : "ref,name\n", f);
		for (size_t i = 0; i < nqueries; i++)
			if (accounts)
				fprintf(f, "C-%zu,%s,%s\n", i, queries[i], accounts[i % naccounts]);
			else
				fprintf(f, "C-%zu,%s\n", i, queries[i]);
		fclose(f);
		printf("wrote %s/list.csv and %s/counterparties.csv\n", csv, csv);
	}
	iffa_screen__index_free(ix);
	iffa_screen__exposure_free(xp);
	iffa_db_free(db);
	for (size_t i = 0; i < naccounts; i++)
		free(accounts[i]);
	free(accounts);
	free(names);
	free(queries);
	return 0;
}
