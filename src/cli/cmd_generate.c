/* iffa generate: write a synthetic Sahel scenario and its ground truth. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

const char iffa_cmd_generate_usage[] =
	"usage: iffa generate [--seed N] [--transfers N] [--camouflage X]\n"
	"                     [--start YYYY-MM-DD] [--months M] [--quiet] --out DIR\n"
	"\n"
	"Write a synthetic but plausible scenario of the Sahel: ordinary payments,\n"
	"remittances, hawala, the licit gold trade, and planted structures that\n"
	"finance an armed group (ransom chains, gold chains, zakat levies, layering\n"
	"through the ML-SN border towns, structuring under reporting thresholds,\n"
	"round trips). Files, in the formats of docs/FORMATS.md:\n"
	"  party.csv account.csv transfer.csv ransom.csv gold_lot.csv levy.csv\n"
	"  designation.csv fx_rate.csv  -- load them with `iffa load`\n"
	"  truth.csv    every party and account of every planted structure, with\n"
	"               its role (structure,structure_id,entity_type,ref,role)\n"
	"  params.json  the options and what was made\n"
	"The same options write byte-identical files. See docs/GENERATOR.md.\n"
	"\n"
	"  --seed N          random seed (default 1)\n"
	"  --transfers N     rows of transfer.csv, exactly; 300 to 10000000\n"
	"                    (default 5000)\n"
	"  --camouflage X    0 to 1 (default 0.3): how much the planted accounts also\n"
	"                    act like ordinary ones, and how noisy planted amounts\n"
	"                    and timings are\n"
	"  --start DATE      first day, UTC (default 2025-01-01)\n"
	"  --months M        length of the window, 1 to 120 (default 12)\n"
	"  --out DIR         directory to write into (made if missing; its parent\n"
	"                    must exist); files of the same names are replaced\n"
	"  --quiet           no progress on standard error\n"
	"  --json            summary as JSON on standard output\n"
	"\n"
	"Exit codes: 0 written, 1 writing failed, 2 wrong arguments.\n";

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return errno || *end ? -1 : 0;
}

static void print_text(const iffa_generate_result *res, const iffa_generate_options *opts)
{
	printf("wrote %s (seed %" PRIu64 ", camouflage %.2f, %d months from %s)\n", opts->out_dir,
	       opts->seed, opts->camouflage, opts->months, opts->start);
	for (int f = 0; f < IFFA_GENERATE_FILES; f++)
		printf("  %-16s %10" PRIu64 " rows %14" PRIu64 " bytes\n", res->files[f].name,
		       res->files[f].rows, res->files[f].bytes);
	printf("planted structures (instances, of which linked to a designated party):\n");
	for (int k = 0; k < IFFA_GENERATE_STRUCTURES; k++)
		printf("  %-16s %6u  %6u linked\n",
		       iffa_generate_structure_name((iffa_generate_structure)k), res->instances[k],
		       res->linked[k]);
	printf("planted: %u parties, %u accounts, %" PRIu64 " transfers; ordinary transfers of "
	       "planted accounts %" PRIu64 "\n",
	       res->planted_parties, res->planted_accounts, res->planted_transfers,
	       res->camouflage_transfers);
}

static void print_json(const iffa_generate_result *res, const iffa_generate_options *opts)
{
	printf("{\"out\":\"");
	for (const char *p = opts->out_dir; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		if ((unsigned char)*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	printf("\",\"seed\":%" PRIu64 ",\"files\":{", opts->seed);
	for (int f = 0; f < IFFA_GENERATE_FILES; f++)
		printf("%s\"%s\":{\"rows\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", f ? "," : "",
		       res->files[f].name, res->files[f].rows, res->files[f].bytes);
	printf("},\"structures\":{");
	for (int k = 0; k < IFFA_GENERATE_STRUCTURES; k++)
		printf("%s\"%s\":{\"instances\":%u,\"linked\":%u}", k ? "," : "",
		       iffa_generate_structure_name((iffa_generate_structure)k), res->instances[k],
		       res->linked[k]);
	printf("},\"planted_parties\":%u,\"planted_accounts\":%u,\"planted_transfers\":%" PRIu64
	       ",\"camouflage_transfers\":%" PRIu64 "}\n",
	       res->planted_parties, res->planted_accounts, res->planted_transfers,
	       res->camouflage_transfers);
}

int iffa_cmd_generate(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result res;
	int quiet = 0, error;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (strcmp(a, "--quiet") == 0) {
			quiet = 1;
			continue;
		}
		if (!v || strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "iffa generate: %s %s\n", a,
				strncmp(a, "--", 2) == 0 ? "needs a value" : "is not an option");
			return iffa_cli_usage("generate", stderr, IFFA_EXIT_USAGE);
		}
		i++;
		if (strcmp(a, "--seed") == 0)
			bad = parse_u64(v, &opts.seed);
		else if (strcmp(a, "--transfers") == 0)
			bad = parse_u64(v, &opts.transfers);
		else if (strcmp(a, "--camouflage") == 0)
			bad = parse_double(v, &opts.camouflage);
		else if (strcmp(a, "--start") == 0)
			opts.start = v;
		else if (strcmp(a, "--months") == 0) {
			uint64_t m;
			bad = parse_u64(v, &m) || m > 1000;
			opts.months = bad ? 0 : (int)m;
		} else if (strcmp(a, "--out") == 0)
			opts.out_dir = v;
		else {
			fprintf(stderr, "iffa generate: unknown option %s\n", a);
			return iffa_cli_usage("generate", stderr, IFFA_EXIT_USAGE);
		}
		if (bad) {
			fprintf(stderr, "iffa generate: %s: not a number: %s\n", a, v);
			return IFFA_EXIT_USAGE;
		}
	}
	if (!opts.out_dir) {
		fprintf(stderr, "iffa generate: --out DIR is required\n");
		return iffa_cli_usage("generate", stderr, IFFA_EXIT_USAGE);
	}
	opts.progress = quiet ? NULL : stderr;
	if ((error = iffa_generate(&res, &opts)) < 0) {
		fprintf(stderr, "iffa: %s\n", iffa_error_last());
		return error == IFFA_EINVAL ? IFFA_EXIT_USAGE : IFFA_EXIT_FAILURE;
	}
	if (!quiet && res.window_end > (int64_t)time(NULL))
		fprintf(stderr, "iffa generate: warning: the window runs past today; `iffa load` "
				"refuses timestamps later than tomorrow\n");
	if (g->json)
		print_json(&res, &opts);
	else
		print_text(&res, &opts);
	return IFFA_EXIT_OK;
}
