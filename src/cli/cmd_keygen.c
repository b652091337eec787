/* iffa keygen --out KEYFILE: make an Ed25519 key pair for signing reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_keygen_usage[] =
	"usage: iffa keygen --out KEYFILE [--passphrase-file FILE]\n"
	"\n"
	"Make an Ed25519 key pair for `iffa sign`. The private key goes to\n"
	"KEYFILE (PEM, PKCS#8), created with mode 0600; the public key to\n"
	"KEYFILE.pub (PEM), which is the file to hand to whoever verifies. An\n"
	"existing KEYFILE or KEYFILE.pub is never overwritten: nothing is written.\n"
	"The key's fingerprint (SHA-256 of the public key) is printed and the\n"
	"key is recorded in audit_log; a key that cannot be recorded is removed.\n"
	"No key is ever printed or logged.\n"
	"\n"
	"The private key is encrypted (PBKDF2-HMAC-SHA256, 600,000 iterations,\n"
	"AES-256-CBC) when a passphrase is given, and only from a file or the\n"
	"environment, never on the command line:\n"
	"  --passphrase-file FILE  the first line of FILE (a file others can read\n"
	"                          is refused)\n"
	"  IFFA_KEY_PASSPHRASE     used when --passphrase-file is not given\n"
	"Without either the key is stored unencrypted (mode 0600 still).\n"
	"\n"
	"  --json                  print one JSON object\n"
	"\n"
	"Exit codes: 0 written; 1 failure; 2 wrong arguments; 3 refused (file\n"
	"exists, passphrase file readable by others, empty passphrase); 4 the\n"
	"database could not record the key (nothing kept).\n";

/* A JSON string literal of s followed by `suffix` (plain ASCII). */
static void json_string(const char *s, const char *suffix)
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
	printf("%s\"", suffix);
}

int iffa_cmd_keygen(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_crypto_key_options opts = IFFA_CRYPTO_KEY_OPTIONS_INIT;
	iffa_crypto_keygen_result r;
	const char *out = NULL;
	iffa_db *db = NULL;
	int error, code;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			opts.passphrase_file = argv[++i];
		} else if (strncmp(argv[i], "--passphrase", 12) == 0 &&
			   strcmp(argv[i], "--passphrase-file") != 0) {
			fprintf(stderr, "iffa: keygen: a passphrase is never taken from the command "
					"line; use --passphrase-file or IFFA_KEY_PASSPHRASE\n");
			return IFFA_EXIT_USAGE;
		} else {
			fprintf(stderr, "iffa: keygen: unexpected '%s'\n", argv[i]);
			return iffa_cli_usage("keygen", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!out)
		return iffa_cli_usage("keygen", stderr, IFFA_EXIT_USAGE);
	if (!opts.passphrase_file && getenv(IFFA_CRYPTO_PASSPHRASE_ENV))
		opts.passphrase_env = IFFA_CRYPTO_PASSPHRASE_ENV;
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	error = iffa_crypto_keygen(&r, db, out, &opts);
	iffa_db_free(db);
	if (error < 0)
		return iffa_cli_fail("keygen", error);
	if (g->json) {
		printf("{\"key\":");
		json_string(out, "");
		printf(",\"pub\":");
		json_string(out, ".pub");
		printf(",\"encrypted\":%s,\"key_sha256\":\"%s\",\"audit_id\":%lld}\n",
		       r.encrypted ? "true" : "false", r.key_sha256, r.audit_id);
	} else {
		printf("%s: Ed25519 private key, %s, mode 0600\n", out,
		       r.encrypted ? "encrypted" : "NOT encrypted");
		printf("%s.pub: public key, SHA-256 %s\n", out, r.key_sha256);
		printf("recorded as audit_log %lld\n", r.audit_id);
	}
	return IFFA_EXIT_OK;
}
