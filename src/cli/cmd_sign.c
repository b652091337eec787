/* iffa sign DIR --key KEYFILE: write DIR/MANIFEST and DIR/MANIFEST.sig. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_sign_usage[] =
	"usage: iffa sign DIR --key KEYFILE [--passphrase-file FILE]\n"
	"\n"
	"Sign a directory (a report, an export package) with an Ed25519 private\n"
	"key made by `iffa keygen`. DIR/MANIFEST lists every regular file under\n"
	"DIR, subdirectories included, sorted by path, one line each:\n"
	"  SHA256 SIZE PATH\n"
	"and DIR/MANIFEST.sig holds the Ed25519 signature of the MANIFEST bytes\n"
	"in base64 (docs/FORMATS.md, \"Signed directories\"). Both are written\n"
	"under temporary names and renamed into place, replacing older ones.\n"
	"A symbolic link, device, FIFO or socket anywhere under DIR refuses the\n"
	"directory (nothing written). The signature is recorded in audit_log\n"
	"(the MANIFEST's SHA-256, the key's fingerprint) before it is in place.\n"
	"\n"
	"  --key KEYFILE           the private key (refused when the group or\n"
	"                          others may read it)\n"
	"  --passphrase-file FILE  passphrase of an encrypted key (first line);\n"
	"                          else IFFA_KEY_PASSPHRASE; never on the command line\n"
	"  --json                  print one JSON object\n"
	"\n"
	"Exit codes: 0 signed; 1 failure; 2 wrong arguments; 3 refused (link or\n"
	"special file, key or passphrase wrong, key file too open); 4 the\n"
	"database could not record the signature (nothing written).\n";

static void json_string(const char *s)
{
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

int iffa_cmd_sign(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_crypto_key_options opts = IFFA_CRYPTO_KEY_OPTIONS_INIT;
	iffa_crypto_sign_result r;
	const char *dir = NULL, *key = NULL;
	iffa_db *db = NULL;
	int error, code;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
			key = argv[++i];
		} else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			opts.passphrase_file = argv[++i];
		} else if (strncmp(argv[i], "--passphrase", 12) == 0 &&
			   strcmp(argv[i], "--passphrase-file") != 0) {
			fprintf(stderr, "iffa: sign: a passphrase is never taken from the command "
					"line; use --passphrase-file or IFFA_KEY_PASSPHRASE\n");
			return IFFA_EXIT_USAGE;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "iffa: sign: unexpected '%s'\n", argv[i]);
			return iffa_cli_usage("sign", stderr, IFFA_EXIT_USAGE);
		} else if (!dir) {
			dir = argv[i];
		} else {
			fprintf(stderr, "iffa: sign: one directory at a time\n");
			return iffa_cli_usage("sign", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!dir || !key)
		return iffa_cli_usage("sign", stderr, IFFA_EXIT_USAGE);
	if (!opts.passphrase_file && getenv(IFFA_CRYPTO_PASSPHRASE_ENV))
		opts.passphrase_env = IFFA_CRYPTO_PASSPHRASE_ENV;
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	error = iffa_crypto_sign_dir(&r, db, dir, key, &opts);
	iffa_db_free(db);
	if (error < 0)
		return iffa_cli_fail("sign", error);
	if (g->json) {
		printf("{\"dir\":");
		json_string(dir);
		printf(",\"files\":%zu,\"bytes\":%llu,\"manifest_sha256\":\"%s\","
		       "\"key_sha256\":\"%s\",\"audit_id\":%lld}\n",
		       r.files, r.bytes, r.manifest_sha256, r.key_sha256, r.audit_id);
	} else {
		printf("%s: %zu file%s (%llu bytes) signed\n", dir, r.files, r.files == 1 ? "" : "s",
		       r.bytes);
		printf("MANIFEST SHA-256 %s\n", r.manifest_sha256);
		printf("key SHA-256      %s\n", r.key_sha256);
		printf("recorded as audit_log %lld\n", r.audit_id);
	}
	return IFFA_EXIT_OK;
}
