/*
 * Case exports read back by real clients: igraph's own GraphML reader here,
 * networkx (GraphML, GEXF), Python's csv and json modules through
 * tests/export/readback.py. A hand-built case whose names are hostile
 * (a spreadsheet formula, closing XML tags and a script, a DOT attribute
 * break-out, a tab and a line break) must come back as the same text, with
 * the amounts worked out by hand; write failures leave nothing behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/exportfix.h"
#include "support/testdb.h"

static char dir[128];
static char ci[128];

#define hyperlink exportfix_hyperlink
#define script exportfix_script
#define dotbreak exportfix_dotbreak

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static iffa_db *fixture(const char *name)
{
	return exportfix_load(dir, sizeof(dir), ci, sizeof(ci), name);
}

/* What a reader must find: the refs and names of `refs`, and every edge of
 * the flow graph among them, as readback.py's EXPECTED. */
static void expected(iffa_db *db, const char *path, const char *const *refs, size_t n)
{
	iffa_flowgraph *g;
	const igraph_t *ig;
	char *ref_of_vertex[64] = {0};
	FILE *f;

	cr_assert_eq(iffa_ingest(&g, db, NULL), 0, "%s", iffa_error_last());
	ig = iffa_flowgraph_igraph(g);
	cr_assert_not_null(f = fopen(path, "w"));
	for (size_t i = 0; i < n; i++) {
		const char *p[1] = {refs[i]};
		PGresult *res = PQexecParams(iffa_db_conn(db),
					     "SELECT a.id, translate(p.name, E'\\t\\n', '  ') FROM account a"
					     " JOIN party p ON p.id = a.party_id WHERE a.ref = $1",
					     1, NULL, p, NULL, NULL, 0);
		igraph_integer_t v;
		cr_assert_eq(PQntuples(res), 1);
		cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_ACCOUNT(atoll(PQgetvalue(res, 0, 0)))), 0);
		cr_assert_lt(v, 64);
		ref_of_vertex[v] = (char *)refs[i];
		fprintf(f, "N\t%s\t%s\n", refs[i], PQgetvalue(res, 0, 1));
		PQclear(res);
	}
	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++) {
		const char *from = ref_of_vertex[IGRAPH_FROM(ig, e)], *to = ref_of_vertex[IGRAPH_TO(ig, e)];
		if (!from || !to)
			continue;
		fprintf(f, "E\t%s\t%s\t%s\t%s\t%.2f\t%lld\n", from, to,
			iffa_channel_name(iffa_flowgraph_edge_channel(g, e)),
			iffa_record_kind_name(iffa_flowgraph_edge_kind(g, e)),
			iffa_flowgraph_edge_amount(g, e), (long long)iffa_flowgraph_edge_flows(g, e));
	}
	cr_assert_eq(fclose(f), 0);
	iffa_flowgraph_free(g);
}

static int readback(const char *format, const char *path, const char *want, char *out, size_t size)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int status;

	snprintf(cmd, sizeof(cmd), "python3 %s/tests/export/readback.py %s '%s' '%s' 2>&1",
		 IFFA_SOURCE_DIR, format, path, want);
	cr_assert_not_null(p = popen(cmd, "r"));
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void export_ok(iffa_db *db, iffa_case_format fmt, const char *name, int hops,
		      iffa_case_export_result *r)
{
	iffa_case_options o = IFFA_CASE_OPTIONS_INIT;
	const char *subjects[] = {"A2"};
	char path[256];

	o.hops = hops;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(iffa_case_export(r, db, subjects, 1, fmt, path, &o), 0, "%s", iffa_error_last());
}

Test(export_case, graphml_reads_back_in_igraph_with_hostile_names_intact, .fini = cleanup)
{
	iffa_db *db = fixture("t_export_graphml");
	iffa_case_export_result r;
	igraph_attribute_table_t *old;
	igraph_t ig;
	char path[256];
	FILE *f;
	double amount[3] = {0};

	export_ok(db, IFFA_CASE_GRAPHML, "case.graphml", 1, &r);
	cr_assert_eq(r.vertices, 3);
	cr_assert_eq(r.edges, 3);
	cr_assert_float_eq(r.amount, 2900100.0, 1e-6);
	cr_assert_gt(r.run, 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'case export'"
				       " AND output_sha256 IS NOT NULL AND detail->>'vertices' = '3'"),
		     1);

	old = igraph_set_attribute_table(&igraph_cattribute_table);
	snprintf(path, sizeof(path), "%s/case.graphml", dir);
	cr_assert_not_null(f = fopen(path, "r"));
	cr_assert_eq(igraph_read_graph_graphml(&ig, f, 0), IGRAPH_SUCCESS, "%s", iffa_error_last());
	fclose(f);
	cr_assert_eq(igraph_vcount(&ig), 3);
	cr_assert_eq(igraph_ecount(&ig), 3);
	cr_assert(igraph_is_directed(&ig));
	for (igraph_integer_t v = 0; v < 3; v++) {
		const char *ref = VAS(&ig, "ref", v), *name = VAS(&ig, "name", v);
		if (strcmp(ref, "A1") == 0) {
			cr_assert_str_eq(name, hyperlink);
			cr_assert(VAB(&ig, "designated", v) && VAB(&ig, "armed_group", v));
			cr_assert_gt(VAN(&ig, "findings", v), 0);
			cr_assert_str_eq(VAS(&ig, "kind", v), "cash");
		} else if (strcmp(ref, "A2") == 0) {
			cr_assert_str_eq(name, script);
			cr_assert(VAB(&ig, "subject", v));
			cr_assert_str_eq(VAS(&ig, "institution", v), "@SUM(1+1)");
			cr_assert_eq(VAN(&ig, "hops", v), 0);
		} else {
			cr_assert_str_eq(ref, "A3");
			cr_assert_str_eq(name, dotbreak);
			cr_assert_str_eq(VAS(&ig, "country", v), "SN");
			cr_assert_str_eq(VAS(&ig, "party_kind", v), "company");
			cr_assert_eq(VAN(&ig, "hops", v), 1);
		}
	}
	for (igraph_integer_t e = 0; e < 3; e++) {
		const char *from = VAS(&ig, "ref", IGRAPH_FROM(&ig, e));
		const char *to = VAS(&ig, "ref", IGRAPH_TO(&ig, e));
		if (strcmp(from, "A1") == 0 && strcmp(to, "A2") == 0) {
			amount[0] = EAN(&ig, "amount_xof", e);
			cr_assert_eq(EAN(&ig, "flows", e), 2);
			cr_assert_str_eq(EAS(&ig, "first", e), "2026-07-01T10:00:00Z");
			cr_assert_str_eq(EAS(&ig, "last", e), "2026-07-05T10:00:00Z");
			cr_assert_str_eq(EAS(&ig, "channel", e), "cash");
		} else if (strcmp(from, "A2") == 0 && strcmp(to, "A1") == 0) {
			amount[1] = EAN(&ig, "amount_xof", e);
			cr_assert_str_eq(EAS(&ig, "channel", e), "mobile_money");
		} else {
			cr_assert_str_eq(from, "A2");
			cr_assert_str_eq(to, "A3");
			amount[2] = EAN(&ig, "amount_xof", e);
			cr_assert_eq(EAN(&ig, "record", e) > 0, 1);
		}
	}
	cr_assert_float_eq(amount[0], 1500000.0, 1e-6);
	cr_assert_float_eq(amount[1], 100.0, 1e-6);
	cr_assert_float_eq(amount[2], 1400000.0, 1e-6);
	igraph_destroy(&ig);
	igraph_set_attribute_table(old);
	iffa_db_free(db);
}

Test(export_case, networkx_and_python_read_every_format_back, .fini = cleanup)
{
	static const char *const hop1[] = {"A1", "A2", "A3"};
	static const char *const hop2[] = {"A1", "A2", "A3", "A4"};
	iffa_db *db = fixture("t_export_networkx");
	iffa_case_export_result r;
	char want1[256], want2[256], path[256], out[4096];

	snprintf(want1, sizeof(want1), "%s/want1.tsv", dir);
	snprintf(want2, sizeof(want2), "%s/want2.tsv", dir);
	expected(db, want1, hop1, 3);
	expected(db, want2, hop2, 4);

	export_ok(db, IFFA_CASE_GRAPHML, "case.graphml", 1, &r);
	snprintf(path, sizeof(path), "%s/case.graphml", dir);
	cr_assert_eq(readback("graphml", path, want1, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "graphml: 3 vertices, 3 edges, 2900100.00 XOF") != NULL, "%s", out);

	export_ok(db, IFFA_CASE_GEXF, "case.gexf", 2, &r);
	cr_assert_eq(r.vertices, 4);
	snprintf(path, sizeof(path), "%s/case.gexf", dir);
	cr_assert_eq(readback("gexf", path, want2, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "gexf: 4 vertices, 4 edges, 3600100.00 XOF") != NULL, "%s", out);

	export_ok(db, IFFA_CASE_CSV, "csv", 2, &r);
	cr_assert_eq(r.files, 2);
	snprintf(path, sizeof(path), "%s/csv", dir);
	cr_assert_eq(readback("csv", path, want2, out, sizeof(out)), 0, "%s", out);

	export_ok(db, IFFA_CASE_FTM, "case.ftm", 1, &r);
	snprintf(path, sizeof(path), "%s/case.ftm", dir);
	cr_assert_eq(readback("ftm", path, want1, out, sizeof(out)), 0, "%s", out);
	iffa_db_free(db);
}

/* Outside double quotes, a DOT line holds exactly one [ ... ] attribute list. */
static void dot_line_is_one_statement(const char *line, size_t len)
{
	int quoted = 0, open = 0, close = 0;

	for (size_t i = 0; i < len; i++) {
		if (quoted && line[i] == '\\') {
			i++;
			continue;
		}
		if (line[i] == '"')
			quoted = !quoted;
		else if (!quoted && line[i] == '[')
			open++;
		else if (!quoted && line[i] == ']')
			close++;
	}
	cr_assert_eq(quoted, 0, "%.*s", (int)len, line);
	cr_assert(open == close && open <= 1, "%.*s", (int)len, line);
}

Test(export_case, dot_and_csv_keep_hostile_text_inert, .fini = cleanup)
{
	iffa_db *db = fixture("t_export_dot");
	iffa_case_export_result r;
	char path[256];
	char *text, *line;
	size_t statements = 0;

	export_ok(db, IFFA_CASE_DOT, "case.dot", 1, &r);
	snprintf(path, sizeof(path), "%s/case.dot", dir);
	text = slurp(path);
	for (line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		dot_line_is_one_statement(line, len);
		if (len > 2 && line[len - 1] == ';' && line[len - 2] == ']')
			statements++;
		line += len + (nl ? 1 : 0);
	}
	/* 3 defaults (graph, node, edge), 3 vertices, 3 edges */
	cr_assert_eq(statements, 9, "%s", text);
	cr_assert(strstr(text, "name=\"\\\"]; evil [label=\\\"pwned\\\"] \\\\\"") != NULL, "%s", text);
	free(text);

	export_ok(db, IFFA_CASE_CSV, "csv", 3, &r);
	snprintf(path, sizeof(path), "%s/csv/nodes.csv", dir);
	text = slurp(path);
	cr_assert(strstr(text, "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\"") != NULL, "%s", text);
	cr_assert(strstr(text, "\"'@SUM(1+1)\"") != NULL, "%s", text);
	cr_assert(strstr(text, "\"'-A5\"") != NULL, "%s", text);
	cr_assert(strstr(text, "\"Tab and newline é\"") != NULL, "%s", text);
	free(text);
	iffa_db_free(db);
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

Test(export_case, write_errors_name_the_path_and_leave_nothing, .fini = cleanup)
{
	iffa_db *db = fixture("t_export_errors");
	const char *subjects[] = {"A2"}, *unknown[] = {"NOPE"};
	iffa_case_export_result r;
	struct stat st;
	char path[400], sub[200];
	pid_t pid;
	int status;

	/* A device is refused, and stays what it was. */
	cr_assert_eq(iffa_case_export(&r, db, subjects, 1, IFFA_CASE_GRAPHML, "/dev/full", NULL),
		     IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "/dev/full") != NULL, "%s", iffa_error_last());
	cr_assert_eq(stat("/dev/full", &st), 0);
	cr_assert(S_ISCHR(st.st_mode));

	/* A missing directory. */
	snprintf(path, sizeof(path), "%s/missing/case.gexf", dir);
	cr_assert_eq(iffa_case_export(&r, db, subjects, 1, IFFA_CASE_GEXF, path, NULL), IFFA_EIO);
	cr_assert(strstr(iffa_error_last(), path) != NULL, "%s", iffa_error_last());

	/* An unknown subject: nothing written, the refusal recorded. */
	snprintf(path, sizeof(path), "%s/case.gexf", dir);
	cr_assert_eq(iffa_case_export(&r, db, unknown, 1, IFFA_CASE_GEXF, path, NULL), IFFA_ENOTFOUND);
	cr_assert(strstr(iffa_error_last(), "'NOPE'") != NULL, "%s", iffa_error_last());
	cr_assert_eq(count_entries(dir), 4); /* the four CSV files of the fixture */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'case export'"
				       " AND detail->>'ok' = 'false'"),
		     3);

	/* A full disk, as the file-size limit makes it (EFBIG mid-write). */
	snprintf(sub, sizeof(sub), "%s/full", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/case.graphml", sub);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		struct rlimit rl = {1000, 1000};
		iffa_db *db2 = iffa_db_connect(&db2, ci) == 0 ? db2 : NULL;
		int error;
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		error = db2 ? iffa_case_export(&r, db2, subjects, 1, IFFA_CASE_GRAPHML, path, NULL) : 0;
		_exit(error == IFFA_EIO && strstr(iffa_error_last(), path) ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(count_entries(sub), 0);

	/* Permission denied: a directory the writer may not write in. */
	snprintf(sub, sizeof(sub), "%s/ro", dir);
	cr_assert_eq(mkdir(sub, 0555), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/csv", sub);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		iffa_db *db2 = iffa_db_connect(&db2, ci) == 0 ? db2 : NULL;
		int error;
		/* root writes anywhere: become nobody to meet the permission check */
		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(2);
		error = db2 ? iffa_case_export(&r, db2, subjects, 1, IFFA_CASE_CSV, path, NULL) : 0;
		_exit(error == IFFA_EIO && strstr(iffa_error_last(), "Permission denied") &&
				      strstr(iffa_error_last(), path)
			      ? 0
			      : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	cr_assert_eq(count_entries(sub), 0);
	iffa_db_free(db);
}
