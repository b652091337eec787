/*
 * The nine record kinds, column by column, as docs/FORMATS.md specifies
 * them and sql/003_records.sql stores them. Keep the three in step.
 */
#include <string.h>

#include "load/spec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const party_kinds[] = {
	"person", "organisation", "company", "armed_group", "village",
	"mine_site", "collector", "comptoir", "exporter", "refinery", NULL};
static const char *const account_kinds[] = {
	"bank", "mobile_money", "hawala", "crypto", "cash", NULL};
static const char *const channels[] = {
	"bank", "mobile_money", "hawala", "cash", "crypto", NULL};
static const char *const levy_kinds[] = {"zakat", "mine_levy", "road_toll", "other", NULL};
static const char *const entry_kinds[] = {"individual", "entity", NULL};

#define COL(n, t, req) {n, IFFA_LOAD__##t, req, NULL, NULL, NULL, n}
#define ENUM(n, v, req) {n, IFFA_LOAD__ENUM, req, v, NULL, NULL, n}
#define REF(n, table, req, target) {n, IFFA_LOAD__REF, req, NULL, table, NULL, target}

static const iffa_load__column party_cols[] = {
	COL("ref", REF, 1),
	ENUM("kind", party_kinds, 1),
	COL("name", TEXT, 1),
	COL("aliases", LIST, 0),
	COL("country", COUNTRY, 0),
	COL("region", TEXT, 0),
	COL("supplier", COUNTRY, 1),
	COL("source", TEXT, 1),
};

static const iffa_load__column account_cols[] = {
	COL("ref", REF, 1),
	REF("party_ref", "party", 0, "party_id"),
	ENUM("kind", account_kinds, 1),
	COL("institution", TEXT, 0),
	COL("country", COUNTRY, 1),
	COL("supplier", COUNTRY, 1),
	COL("source", TEXT, 1),
};

static const iffa_load__column transfer_cols[] = {
	COL("source", TEXT, 1),
	COL("source_ref", REF, 1),
	REF("from_account", "account", 1, "from_account"),
	REF("to_account", "account", 1, "to_account"),
	COL("amount", AMOUNT, 1),
	COL("currency", CURRENCY, 1),
	COL("ts", TIMESTAMP, 1),
	ENUM("channel", channels, 1),
	COL("purpose", TEXT, 0),
	COL("supplier", COUNTRY, 1),
};

static const iffa_load__column ransom_cols[] = {
	COL("source", TEXT, 1),
	COL("source_ref", REF, 1),
	COL("incident_place", TEXT, 0),
	COL("incident_country", COUNTRY, 0),
	COL("incident_date", DATE, 0),
	REF("payer", "party", 1, "payer"),
	{"intermediaries", IFFA_LOAD__LEGS, 0, NULL, "party", NULL, NULL},
	REF("recipient", "party", 1, "recipient"),
	COL("amount", AMOUNT, 1),
	COL("currency", CURRENCY, 1),
	COL("paid_at", TIMESTAMP, 1),
	COL("supplier", COUNTRY, 1),
};

static const iffa_load__column gold_lot_cols[] = {
	COL("source", TEXT, 1),
	COL("source_ref", REF, 1),
	{"origin_site", IFFA_LOAD__REF, 0, NULL, "party", "mine_site", "origin_site"},
	REF("seller", "party", 1, "seller"),
	REF("buyer", "party", 1, "buyer"),
	COL("grams", GRAMS, 1),
	COL("fineness", FINENESS, 1),
	COL("value", AMOUNT, 1),
	COL("currency", CURRENCY, 1),
	COL("traded_at", TIMESTAMP, 1),
	COL("from_country", COUNTRY, 1),
	COL("to_country", COUNTRY, 1),
	COL("supplier", COUNTRY, 1),
};

static const iffa_load__column levy_cols[] = {
	COL("source", TEXT, 1),
	COL("source_ref", REF, 1),
	REF("payer", "party", 1, "payer"),
	REF("collector", "party", 1, "collector"),
	ENUM("levy_kind", levy_kinds, 1),
	COL("amount", AMOUNT, 1),
	COL("currency", CURRENCY, 1),
	COL("levied_at", TIMESTAMP, 1),
	COL("place", TEXT, 0),
	COL("country", COUNTRY, 0),
	COL("supplier", COUNTRY, 1),
};

static const iffa_load__column designation_cols[] = {
	COL("list_name", TEXT, 1),
	COL("reference", REF, 1),
	ENUM("entry_kind", entry_kinds, 1),
	COL("name", TEXT, 1),
	COL("aliases", LIST, 0),
	COL("listed_on", DATE, 0),
	REF("party_ref", "party", 0, "party_id"),
	COL("source", TEXT, 1),
};

static const iffa_load__column fx_rate_cols[] = {
	COL("currency", CURRENCY, 1),
	COL("valid_from", DATE, 1),
	COL("xof_per_unit", RATE, 1),
	COL("source", TEXT, 1),
};

static const iffa_load__column affected_zone_cols[] = {
	COL("country", COUNTRY, 1),
	COL("region", TEXT, 1),
	COL("since", DATE, 0),
	COL("note", TEXT, 0),
};

#define SPEC(k, t, cols) IFFA_LOAD_##k, t, cols, ARRAY_SIZE(cols)

static const iffa_load__spec specs[IFFA_LOAD_KIND_COUNT] = {
	{SPEC(PARTY, "party", party_cols), {"ref", NULL}, {NULL, NULL}, NULL, NULL},
	{SPEC(ACCOUNT, "account", account_cols), {"ref", NULL}, {NULL, NULL}, NULL, NULL},
	{SPEC(TRANSFER, "transfer", transfer_cols), {"source", "source_ref"},
	 {"from_account", "to_account"}, "account", NULL},
	{SPEC(RANSOM, "ransom", ransom_cols), {"source", "source_ref"},
	 {"payer", "recipient"}, "party", NULL},
	{SPEC(GOLD_LOT, "gold_lot", gold_lot_cols), {"source", "source_ref"},
	 {"seller", "buyer"}, "party", NULL},
	{SPEC(LEVY, "levy", levy_cols), {"source", "source_ref"}, {"payer", "collector"},
	 "party", NULL},
	{SPEC(DESIGNATION, "designation", designation_cols), {"list_name", "reference"},
	 {NULL, NULL}, NULL, NULL},
	{SPEC(FX_RATE, "fx_rate", fx_rate_cols), {"currency", "valid_from"}, {NULL, NULL},
	 NULL, "XOF"},
	{SPEC(AFFECTED_ZONE, "affected_zone", affected_zone_cols), {"country", "region"},
	 {NULL, NULL}, NULL, NULL},
};

const iffa_load__spec *iffa_load__spec_of(iffa_load_kind kind)
{
	if ((int)kind < 0 || kind >= IFFA_LOAD_KIND_COUNT)
		return NULL;
	return &specs[kind];
}

const iffa_load__column *iffa_load__column_named(const iffa_load__spec *spec,
						 const char *name, size_t len)
{
	for (size_t i = 0; i < spec->ncols; i++)
		if (strlen(spec->cols[i].name) == len && memcmp(spec->cols[i].name, name, len) == 0)
			return &spec->cols[i];
	return NULL;
}
