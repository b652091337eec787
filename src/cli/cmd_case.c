/*
 * iffa case export SUBJECT... --format F --out PATH: the subgraph around
 * some accounts or parties for link-analysis tools.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_case_usage[] =
	"usage: iffa case export SUBJECT... --format graphml|gexf|dot|ftm|csv --out PATH\n"
	"                        [--hops K] [--from DATE] [--to DATE]\n"
	"                        [--level account|party] [--run RUN | --no-findings]\n"
	"                        [-- SUBJECT...]\n"
	"\n"
	"Write the case around SUBJECT (account or party references, as loaded):\n"
	"every account or party within K undirected hops in the flow graph (default\n"
	"1) and every flow among them, with names, kinds, countries, channels,\n"
	"amounts in XOF, flow counts, first and last dates, and the findings and\n"
	"best score of an analysis run touching each one (--run, else the latest\n"
	"completed run whose window holds the export's, else the latest completed\n"
	"run). Formats (docs/FORMATS.md, \"Case exports\"):\n"
	"  graphml  GraphML (igraph's writer): Gephi, yEd, Cytoscape, networkx\n"
	"  gexf     GEXF 1.2: Gephi\n"
	"  dot      Graphviz (dot -Tsvg)\n"
	"  ftm      FollowTheMoney entities, one JSON object a line: Person,\n"
	"           Organization, Company, BankAccount, Ownership, Payment\n"
	"  csv      PATH is a directory; nodes.csv and edges.csv in it\n"
	"\n"
	"Text from the data is escaped for each format; CSV cells starting with\n"
	"= + - @ are prefixed with ' so spreadsheets show them as text. Files are\n"
	"written under a temporary name (mode 0600) and renamed into place after\n"
	"the export is recorded in audit_log with each file's SHA-256; on any\n"
	"error nothing is left at PATH. An existing PATH that is not a regular\n"
	"file (a device, a link) is refused.\n"
	"\n"
	"  --hops K              0 to 10\n"
	"  --from DATE, --to DATE  records in [from, to) (YYYY-MM-DD, UTC)\n"
	"  --level account|party vertices are accounts (default) or parties\n"
	"  --run RUN             findings of this completed run\n"
	"  --no-findings         no findings\n"
	"  --                    the rest are subjects (references starting with -)\n"
	"  --json                print one JSON object\n"
	"\n"
	"Exit codes: 0 written; 1 failure (a file that cannot be written); 2 wrong\n"
	"arguments; 3 refused (unknown reference or run, bad path); 4 database.\n";

static int export_cmd(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_case_options o = IFFA_CASE_OPTIONS_INIT;
	iffa_case_export_result r;
	iffa_case_format format = IFFA_CASE_FORMAT_COUNT;
	const char **subjects = NULL, *out = NULL;
	size_t nsubjects = 0;
	iffa_db *db = NULL;
	int error, code = IFFA_EXIT_OK;

	if (!(subjects = calloc((size_t)argc, sizeof(*subjects)))) {
		fprintf(stderr, "iffa: out of memory\n");
		return IFFA_EXIT_FAILURE;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (strcmp(a, "--") == 0) {
			/* everything after is a subject, even "-A5" */
			while (++i < argc)
				subjects[nsubjects++] = argv[i];
			break;
		}
		if (strcmp(a, "--format") == 0 && v) {
			if (iffa_case_format_parse(&format, v) < 0) {
				fprintf(stderr, "iffa: case export: %s\n", iffa_error_last());
				code = IFFA_EXIT_USAGE;
				goto done;
			}
			i++;
		} else if (strcmp(a, "--out") == 0 && v) {
			out = v;
			i++;
		} else if (strcmp(a, "--hops") == 0 && v) {
			long k = strtol(v, &end, 10);
			if (*end || end == v || k < 0 || k > 10) {
				fprintf(stderr, "iffa: case export: --hops %s: 0 to 10\n", v);
				code = IFFA_EXIT_USAGE;
				goto done;
			}
			o.hops = (int)k;
			i++;
		} else if ((strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0) && v) {
			int64_t t;
			if (iffa_flowgraph_time_parse(&t, v) < 0) {
				fprintf(stderr, "iffa: case export: %s: %s\n", a, iffa_error_last());
				code = IFFA_EXIT_USAGE;
				goto done;
			}
			if (a[2] == 'f')
				o.from = t;
			else
				o.to = t;
			i++;
		} else if (strcmp(a, "--level") == 0 && v) {
			if (strcmp(v, "account") == 0)
				o.level = IFFA_LEVEL_ACCOUNT;
			else if (strcmp(v, "party") == 0)
				o.level = IFFA_LEVEL_PARTY;
			else {
				fprintf(stderr, "iffa: case export: --level account or party\n");
				code = IFFA_EXIT_USAGE;
				goto done;
			}
			i++;
		} else if (strcmp(a, "--run") == 0 && v) {
			long long k = strtoll(v, &end, 10);
			if (*end || end == v || k <= 0) {
				fprintf(stderr, "iffa: case export: --run %s: a run number\n", v);
				code = IFFA_EXIT_USAGE;
				goto done;
			}
			o.run = k;
			i++;
		} else if (strcmp(a, "--no-findings") == 0) {
			o.run = IFFA_CASE_RUN_NONE;
		} else if (a[0] == '-' && a[1] != '\0' && a[1] != '+' && !(a[1] >= '0' && a[1] <= '9')) {
			fprintf(stderr, "iffa: case export: unexpected '%s'\n", a);
			code = iffa_cli_usage("case", stderr, IFFA_EXIT_USAGE);
			goto done;
		} else {
			subjects[nsubjects++] = a;
		}
	}
	if (nsubjects == 0 || !out || format == IFFA_CASE_FORMAT_COUNT) {
		fprintf(stderr, "iffa: case export: needs SUBJECT, --format and --out\n");
		code = iffa_cli_usage("case", stderr, IFFA_EXIT_USAGE);
		goto done;
	}
	if ((code = iffa_cli_connect(&db, g)) != 0)
		goto done;
	error = iffa_case_export(&r, db, subjects, nsubjects, format, out, &o);
	iffa_db_free(db);
	if (error < 0) {
		code = iffa_cli_fail("case export", error);
		if (error == IFFA_ENOTFOUND) /* an unknown reference or run: the input is refused */
			code = IFFA_EXIT_DATA;
		goto done;
	}
	if (g->json)
		printf("{\"vertices\":%zu,\"edges\":%zu,\"amount_xof\":%.2f,\"run\":%lld,"
		       "\"flagged\":%zu,\"files\":%zu,\"bytes\":%llu,\"sha256\":\"%s\","
		       "\"audit_id\":%lld}\n",
		       r.vertices, r.edges, r.amount, (long long)r.run, r.flagged, r.files, r.bytes,
		       r.sha256, r.audit_id);
	else
		printf("%s: %zu vertices, %zu edges, %.0f XOF; findings of run %lld on %zu "
		       "vertices; %llu bytes, SHA-256 %s; recorded as audit_log %lld\n",
		       out, r.vertices, r.edges, r.amount, (long long)r.run, r.flagged, r.bytes,
		       r.sha256, r.audit_id);
done:
	free(subjects);
	return code;
}

int iffa_cmd_case(int argc, char **argv, const iffa_cli_global *g)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return export_cmd(argc, argv, g);
	if (argc >= 2)
		fprintf(stderr, "iffa: case: no subcommand '%s' (export)\n", argv[1]);
	return iffa_cli_usage("case", stderr, IFFA_EXIT_USAGE);
}
