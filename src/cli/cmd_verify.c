/* iffa verify DIR --pubkey KEY.pub: is a signed directory as it was signed? */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_verify_usage[] =
	"usage: iffa verify DIR --pubkey KEY.pub [--json]\n"
	"\n"
	"Check a directory signed with `iffa sign`: first the signature in\n"
	"DIR/MANIFEST.sig over DIR/MANIFEST with the public key (when it fails,\n"
	"no file is checked: the manifest cannot be trusted), then every file\n"
	"under DIR against the manifest. Each file that differs is named:\n"
	"  changed      listed, but its content or size differs\n"
	"  added        present, not listed\n"
	"  missing      listed, not present\n"
	"  not regular  a link, device, FIFO or socket\n"
	"The outcome is recorded in audit_log (with the MANIFEST's SHA-256 and\n"
	"the files that differ) before it is printed.\n"
	"\n"
	"  --pubkey KEY.pub  the signer's public key (from `iffa keygen`)\n"
	"  --json            print one JSON object: intact, signature_ok, digests,\n"
	"                    problems [{kind, path}], error\n"
	"\n"
	"Exit codes: 0 the signature is good and every file is as signed; 1\n"
	"failure (MANIFEST or a file unreadable); 2 wrong arguments; 3 NOT intact:\n"
	"bad signature, files changed, added or missing, malformed MANIFEST; 4 the\n"
	"database could not record the verification (no verdict is given).\n";

static void json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(const char *dir, const iffa_crypto_verify_result *r, int error)
{
	printf("{\"dir\":");
	json_string(dir);
	printf(",\"intact\":%s,\"signature_ok\":%s,\"manifest_sha256\":",
	       r->intact ? "true" : "false", r->signature_ok ? "true" : "false");
	json_string(r->manifest_sha256[0] ? r->manifest_sha256 : NULL);
	printf(",\"key_sha256\":");
	json_string(r->key_sha256[0] ? r->key_sha256 : NULL);
	printf(",\"files_listed\":%zu,\"files_ok\":%zu,\"problems\":[", r->files_listed,
	       r->files_ok);
	for (size_t i = 0; i < r->nproblems; i++) {
		printf("%s{\"kind\":\"%s\",\"path\":", i ? "," : "",
		       iffa_crypto_problem_name(r->problems[i].kind));
		json_string(r->problems[i].path);
		putchar('}');
	}
	printf("],\"error\":");
	json_string(error < 0 ? iffa_error_last() : NULL);
	if (r->audit_id)
		printf(",\"audit_id\":%lld}\n", r->audit_id);
	else
		printf(",\"audit_id\":null}\n");
}

int iffa_cmd_verify(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_crypto_verify_result r;
	const char *dir = NULL, *pub = NULL;
	iffa_db *db = NULL;
	int error, code;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pubkey") == 0 && i + 1 < argc) {
			pub = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "iffa: verify: unexpected '%s'\n", argv[i]);
			return iffa_cli_usage("verify", stderr, IFFA_EXIT_USAGE);
		} else if (!dir) {
			dir = argv[i];
		} else {
			fprintf(stderr, "iffa: verify: one directory at a time\n");
			return iffa_cli_usage("verify", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!dir || !pub)
		return iffa_cli_usage("verify", stderr, IFFA_EXIT_USAGE);
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	error = iffa_crypto_verify_dir(&r, db, dir, pub);
	iffa_db_free(db);

	/* Without an audit record there is no verdict to print. */
	if (error < 0 && error != IFFA_EINVAL) {
		if (g->json && error != IFFA_EDB)
			print_json(dir, &r, error);
		code = iffa_cli_fail("verify", error);
		iffa_crypto_verify_result_dispose(&r);
		return code;
	}
	if (g->json) {
		print_json(dir, &r, error);
	} else {
		for (size_t i = 0; i < r.nproblems; i++) {
			const char *k = r.problems[i].kind == IFFA_CRYPTO_NOT_REGULAR
						? "not regular"
						: iffa_crypto_problem_name(r.problems[i].kind);
			printf("%-12s %s\n", k, r.problems[i].path);
		}
		if (r.intact)
			printf("%s: intact: signature good (key SHA-256 %s), %zu file%s as signed\n",
			       dir, r.key_sha256, r.files_ok, r.files_ok == 1 ? "" : "s");
	}
	if (error < 0) {
		fprintf(stderr, "iffa: verify: %s\n", iffa_error_last());
		code = IFFA_EXIT_DATA;
	}
	iffa_crypto_verify_result_dispose(&r);
	return code;
}
