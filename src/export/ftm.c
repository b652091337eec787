/*
 * FollowTheMoney entities, one JSON object a line ({"id", "schema",
 * "properties": {name: [values]}}), as FtM-based platforms import them:
 * Person, Organization or Company for parties (by kind), BankAccount for
 * accounts with an Ownership tying each to its holder, and a Payment per
 * edge (payer, beneficiary, their accounts, amount in XOF, start and end
 * dates). Ids are derived from database ids and edge keys, so two exports
 * of the same data give the same ids. Written by hand: no library here
 * knows FtM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/case.h"

static const char *party_schema(const char *kind)
{
	static const char *const companies[] = {"company", "comptoir", "exporter", "refinery",
						"collector"};
	if (kind[0] == '\0' || strcmp(kind, "person") == 0)
		return "Person";
	for (size_t i = 0; i < sizeof(companies) / sizeof(companies[0]); i++)
		if (strcmp(kind, companies[i]) == 0)
			return "Company";
	return "Organization";
}

static void prop(iffa_jsonbuf *b, int *first, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	iffa_jsonbuf__printf(b, "%s\"%s\":[", *first ? "" : ",", key);
	iffa_jsonbuf__str(b, value);
	iffa_jsonbuf__puts(b, "]");
	*first = 0;
}

/* JSON strings must be valid UTF-8 without controls: clean first. */
static void cprop(iffa_jsonbuf *b, int *first, const char *key, const char *value)
{
	char *clean = iffa_case__clean(value);

	if (!clean) {
		b->oom = 1;
		return;
	}
	prop(b, first, key, clean);
	free(clean);
}

static void topics(iffa_jsonbuf *b, int *first, unsigned flags)
{
	const char *t[2];
	size_t n = 0;

	if (flags & IFFA_VERTEX_DESIGNATED)
		t[n++] = "sanction";
	if (flags & IFFA_VERTEX_ARMED_GROUP)
		t[n++] = "crime.terror";
	if (n == 0)
		return;
	iffa_jsonbuf__printf(b, "%s\"topics\":[", *first ? "" : ",");
	for (size_t i = 0; i < n; i++)
		iffa_jsonbuf__printf(b, "%s\"%s\"", i ? "," : "", t[i]);
	iffa_jsonbuf__puts(b, "]");
	*first = 0;
}

static void notes(iffa_jsonbuf *b, int *first, const iffa_case__vertex *x)
{
	char text[64];

	if (x->nfindings == 0)
		return;
	snprintf(text, sizeof(text), "iffa findings (best score %.3f): ", x->score);
	iffa_jsonbuf__printf(b, "%s\"notes\":[", *first ? "" : ",");
	{
		iffa_jsonbuf t = IFFA_JSONBUF_INIT;
		iffa_jsonbuf__puts(&t, text);
		iffa_jsonbuf__puts(&t, x->findings.ptr ? x->findings.ptr : "");
		if (t.oom)
			b->oom = 1;
		else
			iffa_jsonbuf__str(b, t.ptr);
		iffa_jsonbuf__dispose(&t);
	}
	iffa_jsonbuf__puts(b, "]");
	*first = 0;
}

/* The party entity of a party vertex, or of an account's holder. */
static void party_entity(iffa_jsonbuf *b, const iffa_case__vertex *x)
{
	int first = 1;

	iffa_jsonbuf__printf(b, "{\"id\":\"iffa-party-%lld\",\"schema\":\"%s\",\"properties\":{",
			     (long long)x->party_id, party_schema(x->party_kind));
	cprop(b, &first, "name", x->name);
	cprop(b, &first, "idNumber", x->party_ref);
	prop(b, &first, "classification", x->party_kind);
	if (x->is_party)
		prop(b, &first, "country", x->country);
	topics(b, &first, x->flags);
	if (x->is_party)
		notes(b, &first, x);
	iffa_jsonbuf__puts(b, "}}\n");
}

int iffa_case__write_ftm(iffa_jsonbuf *b, const iffa_case__case *c)
{
	char t1[16], t2[16], num[64];

	for (size_t i = 0; i < c->nv; i++) {
		const iffa_case__vertex *x = &c->v[i];
		int first = 1, seen = 0;

		if (x->party_id >= 0) {
			/* One entity per party, however many of its accounts are here. */
			for (size_t j = 0; j < i && !seen; j++)
				seen = c->v[j].party_id == x->party_id;
			if (!seen)
				party_entity(b, x);
		}
		if (x->is_party)
			continue;
		iffa_jsonbuf__printf(b, "{\"id\":\"iffa-account-%lld\",\"schema\":\"BankAccount\","
					"\"properties\":{",
				     (long long)x->id);
		cprop(b, &first, "name", x->ref);
		cprop(b, &first, "accountNumber", x->ref);
		prop(b, &first, "accountType", x->kind);
		cprop(b, &first, "bankName", x->institution);
		prop(b, &first, "country", x->country);
		topics(b, &first, x->flags);
		notes(b, &first, x);
		iffa_jsonbuf__puts(b, "}}\n");
		if (x->party_id >= 0)
			iffa_jsonbuf__printf(b,
					     "{\"id\":\"iffa-ownership-%lld\",\"schema\":\"Ownership\","
					     "\"properties\":{\"owner\":[\"iffa-party-%lld\"],"
					     "\"asset\":[\"iffa-account-%lld\"],"
					     "\"role\":[\"account holder\"]}}\n",
					     (long long)x->id, (long long)x->party_id, (long long)x->id);
	}
	for (size_t i = 0; i < c->ne; i++) {
		const iffa_case__edge *e = &c->e[i];
		const iffa_case__vertex *s = &c->v[e->from], *t = &c->v[e->to];
		int first = 1;

		iffa_jsonbuf__printf(b, "{\"id\":\"iffa-flow-%s%lld-%s%lld-%s-%s",
				     s->is_party ? "p" : "a", (long long)s->id, t->is_party ? "p" : "a",
				     (long long)t->id, iffa_channel_name(e->channel),
				     iffa_record_kind_name(e->kind));
		if (e->record >= 0)
			iffa_jsonbuf__printf(b, "-r%lld", (long long)e->record);
		iffa_jsonbuf__puts(b, "\",\"schema\":\"Payment\",\"properties\":{");
		if (s->party_id >= 0) {
			snprintf(num, sizeof(num), "iffa-party-%lld", (long long)s->party_id);
			prop(b, &first, "payer", num);
		}
		if (!s->is_party) {
			snprintf(num, sizeof(num), "iffa-account-%lld", (long long)s->id);
			prop(b, &first, "payerAccount", num);
		}
		if (t->party_id >= 0) {
			snprintf(num, sizeof(num), "iffa-party-%lld", (long long)t->party_id);
			prop(b, &first, "beneficiary", num);
		}
		if (!t->is_party) {
			snprintf(num, sizeof(num), "iffa-account-%lld", (long long)t->id);
			prop(b, &first, "beneficiaryAccount", num);
		}
		snprintf(num, sizeof(num), "%.2f", e->amount);
		prop(b, &first, "amount", num);
		prop(b, &first, "currency", "XOF");
		iffa_case__date(t1, e->first);
		iffa_case__date(t2, e->last);
		prop(b, &first, "startDate", t1);
		prop(b, &first, "endDate", t2);
		snprintf(num, sizeof(num), "%s (%s), %lld flow%s", iffa_record_kind_name(e->kind),
			 iffa_channel_name(e->channel), (long long)e->flows, e->flows == 1 ? "" : "s");
		prop(b, &first, "purpose", num);
		if (e->record >= 0) {
			snprintf(num, sizeof(num), "%s %lld", iffa_record_kind_name(e->kind),
				 (long long)e->record);
			prop(b, &first, "transactionNumber", num);
		}
		iffa_jsonbuf__puts(b, "}}\n");
	}
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}
