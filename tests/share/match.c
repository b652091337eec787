/*
 * iffa share match on two hand-made exports whose overlap is worked out by
 * hand: the identifiers and corridors both hold, with each side's counts
 * and amounts; exports under different keys and malformed files refused.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "support/testdb.h"

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-match-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *at(const char *name)
{
	static char buf[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void put(const char *name, const char *content)
{
	FILE *f = fopen(at(name), "wb");

	cr_assert_not_null(f);
	fputs(content, f);
	cr_assert_eq(fclose(f), 0);
}

#define HDR                                                                                  \
	"key_id,kind,from_type,from_id,from_country,to_type,to_id,to_country,month,channel,count," \
	"amount_xof\n"
#define K "00112233aabbccdd,"
#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	       c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define X H64("a")
#define Y H64("b")
#define Z H64("c")
#define W H64("d")
#define P H64("e") /* a party; an account with the same digits is another subject */
#define F H64("f")
#define V H64("9")
#define Q H64("8")

/* Side A: X -> Y (ML -> BF), Y -> Z (BF -> SN), P -> F (ML -> unknown). */
static const char file_a[] = HDR
	K "transfer,account," X ",ML,account," Y ",BF,2025-01,bank,2,1000\n"
	K "transfer,account," Y ",BF,account," Z ",SN,2025-02,mobile_money,1,500\n"
	K "levy,party," P ",ML,party," F ",,2024-10,none,1,300\n";

/* Side B: W -> X (SN -> ML), X -> V (ML -> BF), P -> Q (ML -> ML),
 * account "e..." -> V (ML -> BF). */
static const char file_b[] = HDR
	K "transfer,account," W ",SN,account," X ",ML,2025-03,hawala,3,7000\n"
	K "transfer,account," X ",ML,account," V ",BF,2025-03,bank,1,4000\n"
	K "ransom,party," P ",ML,party," Q ",ML,2024-12,none,2,100\n"
	K "transfer,account," P ",ML,account," V ",BF,2025-04,cash,1,1\n";

Test(share_match, two_exports_with_a_known_overlap)
{
	iffa_share_match_result r;

	mkdir_tmp();
	put("a.csv", file_a);
	put("b.csv", file_b);
	cr_assert_eq(iffa_share_match(&r, at("a.csv"), at("b.csv")), 0, "%s", iffa_error_last());
	cr_assert_str_eq(r.key_id, "00112233aabbccdd");
	cr_assert_eq(r.rows_a, 3);
	cr_assert_eq(r.rows_b, 4);

	/* X: A 2 flows 1000 (from); B 3 + 1 flows, 7000 + 4000 (to, from).
	 * P as a party: A 1 / 300, B 2 / 100. Largest total first. */
	cr_assert_eq(r.nids, 2);
	cr_assert_str_eq(r.ids[0].id, X);
	cr_assert_eq(r.ids[0].subject, IFFA_SHARE_ACCOUNT);
	cr_assert_eq(r.ids[0].a.flows, 2);
	cr_assert_eq(r.ids[0].a.amount_xof, 1000);
	cr_assert_eq(r.ids[0].b.flows, 4);
	cr_assert_eq(r.ids[0].b.amount_xof, 11000);
	cr_assert_str_eq(r.ids[1].id, P);
	cr_assert_eq(r.ids[1].subject, IFFA_SHARE_PARTY);
	cr_assert_eq(r.ids[1].a.flows, 1);
	cr_assert_eq(r.ids[1].a.amount_xof, 300);
	cr_assert_eq(r.ids[1].b.flows, 2);
	cr_assert_eq(r.ids[1].b.amount_xof, 100);

	/* ML -> BF: A 2 / 1000; B 1 / 4000 + 1 / 1. The others are one-sided
	 * or have an unknown end. */
	cr_assert_eq(r.ncorridors, 1);
	cr_assert_str_eq(r.corridors[0].from, "ML");
	cr_assert_str_eq(r.corridors[0].to, "BF");
	cr_assert_eq(r.corridors[0].a.flows, 2);
	cr_assert_eq(r.corridors[0].a.amount_xof, 1000);
	cr_assert_eq(r.corridors[0].b.flows, 2);
	cr_assert_eq(r.corridors[0].b.amount_xof, 4001);
	iffa_share_match_result_dispose(&r);

	/* Matching is symmetric. */
	cr_assert_eq(iffa_share_match(&r, at("b.csv"), at("a.csv")), 0);
	cr_assert_eq(r.nids, 2);
	cr_assert_eq(r.ids[0].a.amount_xof, 11000);
	cr_assert_eq(r.ids[0].b.amount_xof, 1000);
	iffa_share_match_result_dispose(&r);
	rm_tmp();
}

Test(share_match, the_command_prints_json)
{
	char cmd[1024], out[4096];
	FILE *p;
	size_t n;
	int status;

	mkdir_tmp();
	put("a.csv", file_a);
	put("b.csv", file_b);
	snprintf(cmd, sizeof(cmd), "%s share match %s %s --json 2>&1", testdb_iffa_bin(),
		 at("a.csv"), at("b.csv"));
	cr_assert_not_null(p = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out);
	cr_assert_str_eq(out,
			 "{\"key_id\":\"00112233aabbccdd\",\"rows_a\":3,\"rows_b\":4,\"ids\":["
			 "{\"type\":\"account\",\"id\":\"" X "\",\"a\":{\"flows\":2,\"amount_xof\":1000},"
			 "\"b\":{\"flows\":4,\"amount_xof\":11000}},"
			 "{\"type\":\"party\",\"id\":\"" P "\",\"a\":{\"flows\":1,\"amount_xof\":300},"
			 "\"b\":{\"flows\":2,\"amount_xof\":100}}],\"corridors\":["
			 "{\"from\":\"ML\",\"to\":\"BF\",\"a\":{\"flows\":2,\"amount_xof\":1000},"
			 "\"b\":{\"flows\":2,\"amount_xof\":4001}}]}\n");
	rm_tmp();
}

Test(share_match, exports_under_different_keys_or_malformed_are_refused)
{
	iffa_share_match_result r;

	mkdir_tmp();
	put("a.csv", file_a);
	put("other.csv", HDR "99112233aabbccdd,transfer,account," X ",ML,account," Y
			     ",BF,2025-01,bank,1,1\n");
	cr_assert_eq(iffa_share_match(&r, at("a.csv"), at("other.csv")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "other.csv:2: made under another key") != NULL, "%s",
		  iffa_error_last());
	cr_assert_eq(r.nids, 0);

	put("bad.csv", "id,amount\n1,2\n");
	cr_assert_eq(iffa_share_match(&r, at("a.csv"), at("bad.csv")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "bad.csv:1: not a shared-flows export") != NULL, "%s",
		  iffa_error_last());

	/* A raw identifier where a pseudonym belongs. */
	put("raw.csv", HDR K "transfer,account,ACC-ML-0001,ML,account," Y ",BF,2025-01,bank,1,1\n");
	cr_assert_eq(iffa_share_match(&r, at("a.csv"), at("raw.csv")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "raw.csv:2: field from_id") != NULL, "%s",
		  iffa_error_last());

	put("neg.csv", HDR K "transfer,account," X ",ML,account," Y ",BF,2025-13,bank,1,1\n");
	cr_assert_eq(iffa_share_match(&r, at("a.csv"), at("neg.csv")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "field month") != NULL, "%s", iffa_error_last());

	put("short.csv", HDR K "transfer,account," X ",ML\n");
	cr_assert_eq(iffa_share_match(&r, at("a.csv"), at("short.csv")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "short.csv:2: 5 fields, 12 expected") != NULL, "%s",
		  iffa_error_last());

	/* A header alone is an export with no flows: nothing in common. */
	put("empty.csv", HDR);
	cr_assert_eq(iffa_share_match(&r, at("a.csv"), at("empty.csv")), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(r.nids + r.ncorridors, 0);
	iffa_share_match_result_dispose(&r);
	rm_tmp();
}

Test(share_match, an_export_matches_what_another_fiu_exported_under_the_same_key)
{
	/* Two FIUs, one key: FIU A holds the account as "ml13 0001 2345",
	 * FIU B as "ML1300012345". Their exports meet on it. */
	iffa_share_key *k = NULL;
	iffa_share_match_result r;
	char a[65], b[65], c[65], line[512], fa[1024], fb[1024];
	FILE *f;

	mkdir_tmp();
	f = fopen(at("key"), "w");
	fputs("0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	cr_assert_eq(chmod(at("key"), 0600), 0);
	cr_assert_eq(iffa_share_key_load(&k, at("key")), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_share_pseudonym(a, k, IFFA_SHARE_ACCOUNT, "ml13 0001 2345"), 0);
	cr_assert_eq(iffa_share_pseudonym(b, k, IFFA_SHARE_ACCOUNT, "ML1300012345"), 0);
	cr_assert_eq(iffa_share_pseudonym(c, k, IFFA_SHARE_ACCOUNT, "SN0100000001"), 0);
	cr_assert_str_eq(a, b);
	snprintf(line, sizeof(line), "%s,transfer,account,%s,ML,account,%s,SN,2025-01,bank,1,10\n",
		 iffa_share_key_id(k), a, c);
	snprintf(fa, sizeof(fa), HDR "%s", line);
	snprintf(line, sizeof(line), "%s,transfer,account,%s,SN,account,%s,ML,2025-02,bank,1,20\n",
		 iffa_share_key_id(k), c, b);
	snprintf(fb, sizeof(fb), HDR "%s", line);
	put("fa.csv", fa);
	put("fb.csv", fb);
	cr_assert_eq(iffa_share_match(&r, at("fa.csv"), at("fb.csv")), 0, "%s", iffa_error_last());
	cr_assert_eq(r.nids, 2);
	cr_assert_eq(r.ncorridors, 0);
	iffa_share_match_result_dispose(&r);
	iffa_share_key_free(k);
	rm_tmp();
}
