/*
 * Planted financing structures: their planning (who takes part, when, how
 * much), their execution (the transfers, ransoms, gold lots and levies they
 * leave behind) and truth.csv.
 *
 * An instance is planned once with the plan generator and then executed
 * twice with a generator of its own, seeded from (seed, kind, id): once
 * counting its transfers, so that the ordinary activity can fill the rest
 * of the requested total exactly, and once for real when the day loop
 * reaches its start. Execution depends on nothing but the instance.
 *
 * "Linked" instances hold a designated party (the group, its listed
 * leaders, a listed facilitator); the others hold none, and the treasurers
 * and hawala brokers they use never deal with a designated party either,
 * so that one hop from the lists does not find them.
 */
#include <stdlib.h>
#include <string.h>

#include "generate/generate.h"

enum {
	ROLE_PAYER, ROLE_NEGOTIATOR, ROLE_COURIER, ROLE_RECIPIENT, ROLE_HAWALADAR,
	ROLE_BENEFICIARY, ROLE_MINE_SITE, ROLE_LEVY_COLLECTOR, ROLE_COLLECTOR, ROLE_COMPTOIR,
	ROLE_EXPORTER, ROLE_REFINERY, ROLE_TREASURER, ROLE_LEADER, ROLE_ARMED_GROUP, ROLE_ORIGIN,
	ROLE_HOP, ROLE_DESTINATION, ROLE_MULE, ROLE_SOURCE, ROLE_FACILITATOR, ROLE_N
};

static const char *const role_names[ROLE_N] = {
	"payer", "negotiator", "courier", "recipient", "hawaladar", "beneficiary", "mine_site",
	"levy_collector", "collector", "comptoir", "exporter", "refinery", "treasurer", "leader",
	"armed_group", "origin", "hop", "destination", "mule", "source", "facilitator"};

static const char *const structure_names[IFFA_GENERATE_STRUCTURES] = {
	"ransom_chain", "gold_chain", "zakat", "layering", "structuring", "round_trip"};

/* Share of planted transfers and mean transfers per instance, per kind. */
static const double kind_share[IFFA_GENERATE_STRUCTURES] = {0.15, 0.20, 0.20, 0.15, 0.20, 0.10};
static const double kind_mean[IFFA_GENERATE_STRUCTURES] = {17, 16, 11, 9, 28, 8};
/* Longest time an instance spans, in days. */
static const int kind_span[IFFA_GENERATE_STRUCTURES] = {45, 70, 25, 8, 25, 45};

/* Planted transfers aimed at: this share of the total. */
#define PLANTED_SHARE 0.02

/* Reporting thresholds the structuring stays under (XOF). */
#define THRESHOLD_CASH 5000000.0
#define THRESHOLD_MM 1000000.0

/* Purposes (indices in iffa_generate__purpose). */
enum { PU_NONE, PU_FAMILY, PU_TRANSPORT, PU_SCHOOL, PU_RENT, PU_PURCHASE, PU_SALARY,
	PU_INVOICE, PU_GOODS, PU_GOLD, PU_REMIT, PU_DEPOSIT, PU_WITHDRAWAL, PU_TONTINE,
	PU_LIVESTOCK, PU_FUEL, PU_TREASURY, PU_AID, PU_LOAN, PU_SERVICES, PU_CEREALS };

const char *iffa_generate_structure_name(iffa_generate_structure kind)
{
	if ((int)kind < 0 || kind >= IFFA_GENERATE_STRUCTURES)
		return NULL;
	return structure_names[kind];
}

const char *iffa_generate__role_name(int role)
{
	return role >= 0 && role < ROLE_N ? role_names[role] : "member";
}

double iffa_generate__threshold_cash(void)
{
	return THRESHOLD_CASH;
}

double iffa_generate__threshold_mm(void)
{
	return THRESHOLD_MM;
}

/* ------------------------------------------------------------------ */
/* Planning                                                            */
/* ------------------------------------------------------------------ */

/* A small cache of shared planted parties of one kind, split by link. */
typedef struct {
	uint32_t item[64];
	int n;
} shared;

typedef struct {
	gen *g;
	gen_rng *r;
	shared treasurer[2];
	shared broker[2][2];  /* [linked][0 near the group, 1 paying out west] */
	shared comptoir[64], exporter[64]; /* per place */
	int next_facilitator;
	int next_leader;
} planner;

static int place(const char *name)
{
	return iffa_generate__place(name);
}

static int new_party(planner *pl, int kind, int where, const int *akinds, int nk, uint32_t *out)
{
	gen *g = pl->g;
	uint32_t p = 0;

	if (iffa_generate__add_party(g, kind, where,
				     PF_PLANTED | (gen_chance(pl->r, kind == PK_PERSON ? 0.15 : 0) ? PF_FEMALE : 0),
				     &p) < 0)
		return g->error;
	for (int i = 0; i < nk; i++)
		if (iffa_generate__add_account(g, p, akinds[i], AF_PLANTED, NULL) < 0)
			return g->error;
	*out = p;
	return 0;
}

static int push_member(gen *g, uint32_t party, int role)
{
	if (g->nmembers == g->capmembers) {
		uint32_t cap = g->capmembers ? g->capmembers * 2 : 256;
		gen_member *nm = realloc(g->members, cap * sizeof(*nm));
		if (!nm)
			return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (members)");
		g->members = nm;
		g->capmembers = cap;
	}
	g->members[g->nmembers].party = party;
	g->members[g->nmembers].role = (uint8_t)role;
	g->nmembers++;
	return 0;
}

static gen_instance *new_instance(gen *g, int kind, uint32_t id, int linked, int64_t start)
{
	gen_instance *in;

	if (g->ninst == g->capinst) {
		uint32_t cap = g->capinst ? g->capinst * 2 : 64;
		gen_instance *ni = realloc(g->inst, cap * sizeof(*ni));
		if (!ni) {
			iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (instances)");
			return NULL;
		}
		g->inst = ni;
		g->capinst = cap;
	}
	in = &g->inst[g->ninst++];
	memset(in, 0, sizeof(*in));
	in->kind = (uint8_t)kind;
	in->id = id;
	in->linked = (uint8_t)linked;
	in->start = start;
	in->first_member = g->nmembers;
	in->place = -1;
	return in;
}

/* A shared planted party: an existing one most of the time, else a new one. */
static int shared_get(planner *pl, shared *s, int kind, const char *const *places, int nplaces,
		      const int *akinds, int nk, double reuse, uint32_t *out)
{
	if (s->n > 0 && (s->n == 64 || gen_chance(pl->r, reuse))) {
		*out = s->item[gen_below(pl->r, (uint32_t)s->n)];
		return 0;
	}
	if (new_party(pl, kind, place(places[gen_below(pl->r, (uint32_t)nplaces)]), akinds, nk,
		      out) < 0)
		return pl->g->error;
	s->item[s->n++] = *out;
	return 0;
}

static int treasurer(planner *pl, int linked, uint32_t *out)
{
	static const char *const where[] = {"Mopti", "Tombouctou", "Gao", "Nioro du Sahel", "Djibo",
		"Ségou", "Tillabéri", "Ménaka"};
	int k[2] = {AK_CASH, AK_MM};

	return shared_get(pl, &pl->treasurer[linked], PK_PERSON, where, 8, k, 2, 0.8, out);
}

/* A planted hawala broker, near the group (side 0) or paying out in the
 * west (side 1); each has an ordinary partner for licit business. */
static int broker(planner *pl, int linked, int side, const char *const *where, int nwhere,
		  uint32_t *out)
{
	int k[3] = {AK_HAWALA, AK_BANK, AK_CASH};
	shared *s = &pl->broker[linked][side];
	int before = s->n;

	if (shared_get(pl, s, PK_PERSON, where, nwhere, k, 3, 0.75, out) < 0)
		return pl->g->error;
	if (s->n != before) {
		uint32_t h = iffa_generate__account_of(pl->g, *out, AK_HAWALA);
		uint32_t partner = iffa_generate__background_broker_near(
			pl->g, pl->r, place(gen_chance(pl->r, 0.5) ? "Bamako" : "Dakar"));
		if (partner != UINT32_MAX &&
		    iffa_generate__background_add_broker(pl->g, h, partner) < 0)
			return pl->g->error;
	}
	return 0;
}

static uint32_t facilitator(planner *pl)
{
	gen *g = pl->g;

	return g->facilitator[pl->next_facilitator++ % g->nfacilitators];
}

static int64_t pick_start(planner *pl, int kind)
{
	gen *g = pl->g;
	int64_t span = (int64_t)kind_span[kind] * GEN_DAY;
	int64_t room = g->t1 - g->t0 - span;

	if (room < GEN_DAY)
		room = GEN_DAY;
	return g->t0 + (int64_t)(gen_unif(pl->r) * (double)room);
}

static int plan_shared(planner *pl, uint64_t n)
{
	gen *g = pl->g;
	static const char *const fac_places[] = {"Gao", "Kayes", "Bamako", "Dakar", "Nouakchott",
		"Niamey", "Mopti"};
	int kc[2] = {AK_CASH, AK_MM}, kf[3] = {AK_BANK, AK_MM, AK_CASH};
	uint32_t p = 0;

	if (iffa_generate__add_party(g, PK_ARMED_GROUP, place("Tombouctou"), PF_PLANTED | PF_DESIGNATED,
				     &g->jnim) < 0 ||
	    iffa_generate__add_account(g, g->jnim, AK_CASH, AF_PLANTED, NULL) < 0)
		return g->error;
	g->party[g->jnim].special = SP_JNIM;
	if (iffa_generate__add_party(g, PK_PERSON, place("Kidal"), PF_PLANTED | PF_DESIGNATED,
				     &g->ghali) < 0 ||
	    iffa_generate__add_account(g, g->ghali, AK_CASH, AF_PLANTED, NULL) < 0)
		return g->error;
	g->party[g->ghali].special = SP_GHALI;
	if (iffa_generate__add_party(g, PK_PERSON, place("Mopti"), PF_PLANTED | PF_DESIGNATED,
				     &g->koufa) < 0)
		return g->error;
	for (int i = 0; i < 2; i++)
		if (iffa_generate__add_account(g, g->koufa, kc[i], AF_PLANTED, NULL) < 0)
			return g->error;
	g->party[g->koufa].special = SP_KOUFA;
	g->nfacilitators = 3 + (n >= 1000000) + (n >= 5000000);
	for (int i = 0; i < g->nfacilitators; i++) {
		if (new_party(pl, PK_PERSON, place(fac_places[i]), kf, 3, &p) < 0)
			return g->error;
		g->party[p].flags |= PF_DESIGNATED;
		g->party[p].flags &= (uint8_t)~PF_FEMALE;
		g->facilitator[i] = p;
	}
	return 0;
}

/* Ransom: payer -> negotiator(s) -> courier(s) -> recipient, then on by
 * hawala to those the money pays. */
static int plan_ransom(planner *pl, uint32_t id, int linked)
{
	static const char *const incident[] = {"Ménaka", "Tombouctou", "Gao", "Djibo", "Tillabéri",
		"Kayes", "Nioro du Sahel", "Mopti", "Fada N'Gourma"};
	static const char *const neg_places[] = {"Bamako", "Niamey", "Nouakchott", "Ouagadougou"};
	static const char *const payer_places[] = {"Paris", "Bamako", "Dakar", "Abidjan", "Niamey"};
	static const char *const out_places[] = {"Kayes", "Bamako", "Nouakchott", "Dakar"};
	static const char *const in_places[] = {"Gao", "Mopti", "Tombouctou", "Ménaka"};
	gen *g = pl->g;
	gen_rng *r = pl->r;
	gen_instance *in = new_instance(g, IFFA_GENERATE_RANSOM_CHAIN, id, linked,
					pick_start(pl, IFFA_GENERATE_RANSOM_CHAIN));
	int kb[1] = {AK_BANK}, knc[2] = {AK_BANK, AK_CASH}, kc[2] = {AK_CASH, AK_MM};
	uint32_t p = 0, h_in = 0, h_out = 0;
	int nneg = gen_chance(r, 0.35) ? 2 : 1, ncour = gen_range(r, 1, 3), nben = gen_range(r, 2, 4);

	if (!in)
		return g->error;
	in->place = (int16_t)place(incident[gen_below(r, 9)]);
	/* median 150 million XOF (about 230,000 EUR) */
	in->amount = (uint32_t)fmin(3e9, gen_lognormal(r, 1.5e8, 0.8)) / 1000;
	in->n[0] = (uint8_t)nneg;
	in->n[1] = (uint8_t)ncour;
	in->n[2] = (uint8_t)nben;
	if (new_party(pl, gen_chance(r, 0.5) ? PK_COMPANY : PK_PERSON,
		      place(payer_places[gen_below(r, 5)]), kb, 1, &p) < 0 ||
	    push_member(g, p, ROLE_PAYER) < 0)
		return g->error;
	for (int i = 0; i < nneg; i++)
		if (new_party(pl, PK_PERSON, place(neg_places[gen_below(r, 4)]), knc, 2, &p) < 0 ||
		    push_member(g, p, ROLE_NEGOTIATOR) < 0)
			return g->error;
	for (int i = 0; i < ncour; i++)
		if (new_party(pl, PK_PERSON, place(in_places[gen_below(r, 4)]), kc, 2, &p) < 0 ||
		    push_member(g, p, ROLE_COURIER) < 0)
			return g->error;
	if (linked)
		p = g->jnim;
	else if (treasurer(pl, 0, &p) < 0)
		return g->error;
	if (push_member(g, p, ROLE_RECIPIENT) < 0 ||
	    broker(pl, linked, 0, in_places, 4, &h_in) < 0 || push_member(g, h_in, ROLE_HAWALADAR) < 0 ||
	    broker(pl, linked, 1, out_places, 4, &h_out) < 0)
		return g->error;
	if (push_member(g, h_out, ROLE_HAWALADAR) < 0)
		return g->error;
	for (int i = 0; i < nben; i++) {
		int kk[2] = {AK_MM, AK_BANK};
		if (new_party(pl, gen_chance(r, 0.5) ? PK_COMPANY : PK_PERSON,
			      place(out_places[gen_below(r, 4)]), kk, 2, &p) < 0 ||
		    push_member(g, p, ROLE_BENEFICIARY) < 0)
			return g->error;
	}
	in->nmembers = g->nmembers - in->first_member;
	return 0;
}

/* Gold: a levied site in an affected zone, its collector, a comptoir, a
 * courier across a border, an exporter and a refinery in Dubai. */
static int plan_gold(planner *pl, uint32_t id, int linked)
{
	static const char *const sites[] = {"Gao", "Kidal", "Djibo", "Fada N'Gourma", "Tillabéri"};
	gen *g = pl->g;
	gen_rng *r = pl->r;
	gen_instance *in = new_instance(g, IFFA_GENERATE_GOLD_CHAIN, id, linked,
					pick_start(pl, IFFA_GENERATE_GOLD_CHAIN));
	int ks[2] = {AK_CASH, AK_MM}, kco[2] = {AK_BANK, AK_CASH}, ke[1] = {AK_BANK};
	uint32_t p = 0;
	int site, sc;
	const char *comptoir_at[1], *exporter_at[1];

	if (!in)
		return g->error;
	site = place(sites[gen_below(r, 5)]);
	sc = iffa_generate__places[site].country;
	in->place = (int16_t)site;
	/* the comptoir in the site's country, the exporter across a border */
	comptoir_at[0] = sc == 0 ? (gen_chance(r, 0.5) ? "Bamako" : "Kayes")
			: sc == 1 ? "Ouagadougou" : "Niamey";
	exporter_at[0] = sc == 0 ? (gen_chance(r, 0.5) ? "Conakry" : "Dakar")
			: sc == 1 ? (gen_chance(r, 0.5) ? "Bamako" : "Abidjan") : "Bamako";
	if (new_party(pl, PK_MINE_SITE, site, ks, 2, &p) < 0 || push_member(g, p, ROLE_MINE_SITE) < 0 ||
	    new_party(pl, PK_PERSON, site, ks, 2, &p) < 0 ||
	    push_member(g, p, ROLE_LEVY_COLLECTOR) < 0 || treasurer(pl, linked, &p) < 0 ||
	    push_member(g, p, ROLE_TREASURER) < 0 || new_party(pl, PK_COLLECTOR, site, ks, 2, &p) < 0 ||
	    push_member(g, p, ROLE_COLLECTOR) < 0 ||
	    shared_get(pl, &pl->comptoir[place(comptoir_at[0])], PK_COMPTOIR, comptoir_at, 1, kco, 2, 0.6, &p) < 0 ||
	    push_member(g, p, ROLE_COMPTOIR) < 0 ||
	    new_party(pl, PK_PERSON, place(comptoir_at[0]), ks, 2, &p) < 0 ||
	    push_member(g, p, ROLE_COURIER) < 0 ||
	    shared_get(pl, &pl->exporter[place(exporter_at[0])], PK_EXPORTER, exporter_at, 1, ke, 1, 0.6, &p) < 0 ||
	    push_member(g, p, ROLE_EXPORTER) < 0 ||
	    push_member(g, g->refinery[gen_below(r, 3)], ROLE_REFINERY) < 0)
		return g->error;
	if (linked && push_member(g, g->jnim, ROLE_ARMED_GROUP) < 0)
		return g->error;
	in->n[0] = (uint8_t)gen_range(r, 3, 8); /* lots bought at the site */
	in->nmembers = g->nmembers - in->first_member;
	return 0;
}

/* Zakat: villages pay a collector, who passes the money up. The zones
 * farther west (Kayes region) weigh more as the window goes on. */
static int plan_zakat(planner *pl, uint32_t id, int linked)
{
	static const char *const east[] = {"Mopti", "Ségou", "Tombouctou", "Gao", "Ménaka", "Djibo",
		"Dori", "Tillabéri"};
	static const char *const west[] = {"Nioro du Sahel", "Diéma", "Ségou"};
	gen *g = pl->g;
	gen_rng *r = pl->r;
	int64_t start = pick_start(pl, IFFA_GENERATE_ZAKAT);
	double progress = (double)(start - g->t0) / (double)(g->t1 - g->t0);
	gen_instance *in = new_instance(g, IFFA_GENERATE_ZAKAT, id, linked, start);
	int kc[2] = {AK_CASH, AK_MM}, km[1] = {AK_MM}, kt[2] = {AK_BANK, AK_MM};
	int where, nv = gen_range(r, 3, 10), nt = 0;
	uint32_t p = 0;

	if (!in)
		return g->error;
	where = gen_chance(r, 0.2 + 0.4 * progress) ? place(west[gen_below(r, 3)])
						    : place(east[gen_below(r, 8)]);
	in->place = (int16_t)where;
	if (where == place("Nioro du Sahel") || where == place("Diéma"))
		nt = gen_range(r, 1, 2); /* road tolls on the Bamako-Kayes road */
	in->n[0] = (uint8_t)nv;
	in->n[1] = (uint8_t)nt;
	if (new_party(pl, PK_PERSON, where, kc, 2, &p) < 0 || push_member(g, p, ROLE_LEVY_COLLECTOR) < 0 ||
	    treasurer(pl, linked, &p) < 0 || push_member(g, p, ROLE_TREASURER) < 0)
		return g->error;
	if (linked) {
		/* Katiba Macina's leader in the centre, the group's leader in the
		 * north, the group itself elsewhere */
		const char *pn = iffa_generate__places[where].name;
		uint32_t lead = (!strcmp(pn, "Mopti") || !strcmp(pn, "Ségou")) ? g->koufa
				: (!strcmp(pn, "Gao") || !strcmp(pn, "Tombouctou") || !strcmp(pn, "Ménaka"))
					? g->ghali
					: (pl->next_leader++ % 2 ? g->koufa : g->ghali);
		if (push_member(g, lead, ROLE_LEADER) < 0)
			return g->error;
	}
	for (int i = 0; i < nv; i++)
		if (new_party(pl, PK_VILLAGE, where, km, 1, &p) < 0 || push_member(g, p, ROLE_PAYER) < 0)
			return g->error;
	for (int i = 0; i < nt; i++)
		if (new_party(pl, PK_COMPANY, place(gen_chance(r, 0.5) ? "Bamako" : "Kayes"), kt, 2, &p) < 0 ||
		    push_member(g, p, ROLE_PAYER) < 0)
			return g->error;
	in->nmembers = g->nmembers - in->first_member;
	return 0;
}

/* Layering: hops through accounts in the border towns, alternating sides. */
static int plan_layering(planner *pl, uint32_t id, int linked)
{
	static const char *const ml[] = {"Kayes", "Diboli"};
	static const char *const sn[] = {"Kidira", "Tambacounda", "Bakel"};
	gen *g = pl->g;
	gen_rng *r = pl->r;
	gen_instance *in = new_instance(g, IFFA_GENERATE_LAYERING, id, linked,
					pick_start(pl, IFFA_GENERATE_LAYERING));
	int k[2] = {AK_MM, AK_BANK}, nh = gen_range(r, 3, 6);
	uint32_t p = 0;

	if (!in)
		return g->error;
	in->n[0] = (uint8_t)nh;
	in->amount = (uint32_t)(fmin(6e7, gen_lognormal(r, 8e6, 0.7)) / 1000);
	if (linked)
		p = facilitator(pl);
	else if (new_party(pl, PK_PERSON, place(gen_chance(r, 0.5) ? "Bamako" : "Kayes"), k, 2, &p) < 0)
		return g->error;
	if (push_member(g, p, linked ? ROLE_FACILITATOR : ROLE_ORIGIN) < 0)
		return g->error;
	for (int i = 0; i < nh; i++) {
		const char *where = (i % 2 == 0) ? ml[gen_below(r, 2)] : sn[gen_below(r, 3)];
		if (new_party(pl, PK_PERSON, place(where), k, 2, &p) < 0 || push_member(g, p, ROLE_HOP) < 0)
			return g->error;
	}
	if (new_party(pl, PK_COMPANY, place(gen_chance(r, 0.7) ? "Dakar" : "Tambacounda"), k, 2, &p) < 0 ||
	    push_member(g, p, ROLE_DESTINATION) < 0)
		return g->error;
	in->nmembers = g->nmembers - in->first_member;
	return 0;
}

/* Structuring: many wallets each just under a threshold. Variant 0: fan-in
 * to a collector; 1: scatter from a source through mules, gathered again;
 * 2: cash deposits just under the cash threshold. */
static int plan_structuring(planner *pl, uint32_t id, int linked)
{
	static const char *const where[] = {"Kayes", "Bamako", "Gao", "Mopti", "Dakar", "Niamey",
		"Ouagadougou", "Tambacounda"};
	gen *g = pl->g;
	gen_rng *r = pl->r;
	gen_instance *in = new_instance(g, IFFA_GENERATE_STRUCTURING, id, linked,
					pick_start(pl, IFFA_GENERATE_STRUCTURING));
	int km[1] = {AK_MM}, kmc[2] = {AK_MM, AK_CASH}, kc[2] = {AK_CASH, AK_MM}, kb[2] = {AK_BANK, AK_MM};
	int at, nm = gen_range(r, 8, 30);
	uint32_t p = 0;
	double u = gen_unif(r);

	if (!in)
		return g->error;
	in->variant = (uint8_t)(u < 0.5 ? 0 : u < 0.8 ? 1 : 2);
	in->n[0] = (uint8_t)nm;
	at = place(where[gen_below(r, 8)]);
	in->place = (int16_t)at;
	/* member 0: collector (gathers), member 1: source or beneficiary */
	if (new_party(pl, PK_PERSON, at, in->variant == 2 ? kb : kmc, 2, &p) < 0 ||
	    push_member(g, p, ROLE_COLLECTOR) < 0)
		return g->error;
	if (linked)
		p = facilitator(pl);
	else if (new_party(pl, gen_chance(r, 0.5) ? PK_COMPANY : PK_PERSON, at, kb, 2, &p) < 0)
		return g->error;
	if (push_member(g, p, linked ? ROLE_FACILITATOR
			      : in->variant == 1 ? ROLE_SOURCE : ROLE_BENEFICIARY) < 0)
		return g->error;
	for (int i = 0; i < nm; i++)
		if (new_party(pl, PK_PERSON, at, in->variant == 2 ? kc : km, in->variant == 2 ? 2 : 1, &p) < 0 ||
		    push_member(g, p, in->variant == 2 ? ROLE_COURIER : ROLE_MULE) < 0)
			return g->error;
	in->nmembers = g->nmembers - in->first_member;
	return 0;
}

/* Round trip: money leaves the origin through firms abroad and comes back
 * within days. */
static int plan_round_trip(planner *pl, uint32_t id, int linked)
{
	static const char *const abroad[] = {"Dakar", "Abidjan", "Nouakchott", "Dubai", "Conakry",
		"Niamey", "Banjul"};
	gen *g = pl->g;
	gen_rng *r = pl->r;
	gen_instance *in = new_instance(g, IFFA_GENERATE_ROUND_TRIP, id, linked,
					pick_start(pl, IFFA_GENERATE_ROUND_TRIP));
	int kb[1] = {AK_BANK}, nh = gen_range(r, 2, 4);
	uint32_t p = 0;

	if (!in)
		return g->error;
	in->n[0] = (uint8_t)nh;
	in->n[1] = (uint8_t)gen_range(r, 1, 2); /* loops */
	in->amount = (uint32_t)(fmin(1e9, gen_lognormal(r, 4e7, 0.8)) / 1000);
	if (linked)
		p = facilitator(pl);
	else if (new_party(pl, PK_COMPANY, place(gen_chance(r, 0.6) ? "Bamako" : "Kayes"), kb, 1, &p) < 0)
		return g->error;
	if (push_member(g, p, linked ? ROLE_FACILITATOR : ROLE_ORIGIN) < 0)
		return g->error;
	for (int i = 0; i < nh; i++)
		if (new_party(pl, PK_COMPANY, place(abroad[gen_below(r, 7)]), kb, 1, &p) < 0 ||
		    push_member(g, p, ROLE_HOP) < 0)
			return g->error;
	in->nmembers = g->nmembers - in->first_member;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const gen_instance *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int iffa_generate__plant_plan(gen *g, gen_rng *r)
{
	planner pl;
	uint64_t n = g->opts->transfers;
	uint32_t count[IFFA_GENERATE_STRUCTURES];
	uint8_t *used;
	int error = 0;

	memset(&pl, 0, sizeof(pl));
	pl.g = g;
	pl.r = r;
	if ((error = plan_shared(&pl, n)) < 0)
		return error;
	for (int k = 0; k < IFFA_GENERATE_STRUCTURES; k++) {
		double want = PLANTED_SHARE * (double)n * kind_share[k] / kind_mean[k];
		count[k] = want < 1 ? 1 : (uint32_t)(want + 0.5);
	}
	for (int k = 0; k < IFFA_GENERATE_STRUCTURES && !error; k++) {
		for (uint32_t id = 1; id <= count[k] && !error; id++) {
			/* the first instance of each kind alternates, so a small
			 * scenario has both linked and unlinked structures */
			int linked = id == 1 ? (k % 2 == 0) : id == 2 ? (k % 2 != 0) : gen_chance(r, 0.5);
			switch (k) {
			case IFFA_GENERATE_RANSOM_CHAIN:
				error = plan_ransom(&pl, id, linked);
				break;
			case IFFA_GENERATE_GOLD_CHAIN:
				error = plan_gold(&pl, id, linked);
				break;
			case IFFA_GENERATE_ZAKAT:
				error = plan_zakat(&pl, id, linked);
				break;
			case IFFA_GENERATE_LAYERING:
				error = plan_layering(&pl, id, linked);
				break;
			case IFFA_GENERATE_STRUCTURING:
				error = plan_structuring(&pl, id, linked);
				break;
			default:
				error = plan_round_trip(&pl, id, linked);
				break;
			}
		}
	}
	if (error)
		return error;
	/* Planted parties that no instance used are ordinary after all (the
	 * listed ones keep their flag: they do no ordinary business). */
	used = calloc(g->nparty ? g->nparty : 1, 1);
	if (!used)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
	for (uint32_t i = 0; i < g->nmembers; i++)
		used[g->members[i].party] = 1;
	for (uint32_t p = 0; p < g->nparty; p++) {
		gen_party *pp = &g->party[p];
		if (!(pp->flags & PF_PLANTED) || used[p] || (pp->flags & PF_DESIGNATED))
			continue;
		pp->flags &= (uint8_t)~PF_PLANTED;
		for (uint32_t a = 0; a < pp->naccounts; a++)
			g->acct[pp->first_account + a].flags &= (uint8_t)~AF_PLANTED;
	}
	free(used);
	for (uint32_t i = 0; i < g->ninst; i++) {
		g->res->instances[g->inst[i].kind]++;
		g->res->linked[g->inst[i].kind] += g->inst[i].linked;
	}
	return 0;
}

/* Count what each instance emits, then order them by start. */
int iffa_generate__plant_count(gen *g, uint64_t *out_total)
{
	uint64_t total = 0;

	g->counting = 1;
	for (uint32_t i = 0; i < g->ninst && !g->error; i++) {
		uint64_t before = g->counted;
		iffa_generate__plant_run(g, &g->inst[i]);
		g->inst[i].nxfers = (uint32_t)(g->counted - before);
		total += g->inst[i].nxfers;
	}
	g->counting = 0;
	qsort(g->inst, g->ninst, sizeof(*g->inst), by_start);
	*out_total = total;
	return g->error;
}

/* ------------------------------------------------------------------ */
/* Execution                                                           */
/* ------------------------------------------------------------------ */

typedef struct {
	gen *g;
	gen_rng r;
	const gen_instance *in;
	double c;      /* camouflage */
	int64_t t;     /* the instance's clock: never goes back */
} run;

static uint32_t mem(const run *x, uint32_t i)
{
	return x->g->members[x->in->first_member + i].party;
}

static uint32_t acc(const run *x, uint32_t party, int kind)
{
	return iffa_generate__account_of(x->g, party, kind);
}

/* Move the clock on by about `hours` (noisier and longer with camouflage). */
static int64_t later(run *x, double hours)
{
	double h = hours * (0.5 + gen_unif(&x->r)) * (1.0 + 2.0 * x->c * gen_unif(&x->r));

	x->t += (int64_t)(h * GEN_HOUR) + 60;
	return x->t;
}

/* An amount with relative noise growing with camouflage. */
static double noisy(run *x, double v, double base)
{
	double s = base + 0.2 * x->c;

	return v * (1.0 + s * (2.0 * gen_unif(&x->r) - 1.0));
}

static void move(run *x, uint32_t from, uint32_t to, double xof, int channel, int purpose)
{
	if (from == to)
		return;
	iffa_generate__emit_xof(x->g, x->t, from, to, xof, channel, purpose, 1);
}

static void run_ransom(run *x)
{
	gen *g = x->g;
	const gen_instance *in = x->in;
	uint32_t nneg = in->n[0], ncour = in->n[1], nben = in->n[2];
	uint32_t payer = mem(x, 0), neg = mem(x, 1), rec = mem(x, 1 + nneg + ncour);
	uint32_t h_in = mem(x, 2 + nneg + ncour), h_out = mem(x, 3 + nneg + ncour);
	double total = (double)in->amount * 1000, left;
	int tranches = 1 + (gen_chance(&x->r, 0.3 + 0.5 * x->c) ? gen_range(&x->r, 1, 2) : 0);
	int withdrawals = gen_range(&x->r, 1, 3);
	int deposits = gen_range(&x->r, 2, 3);
	int64_t paid_at;
	char inter[512];
	size_t len = 0;

	/* the payer's bank pays the negotiator "for services" */
	for (int i = 0; i < tranches; i++) {
		move(x, acc(x, payer, AK_BANK), acc(x, neg, AK_BANK), total / tranches, CH_BANK,
		     PU_SERVICES);
		later(x, 36);
	}
	for (uint32_t i = 1; i < nneg; i++) {
		move(x, acc(x, mem(x, i), AK_BANK), acc(x, mem(x, i + 1), AK_BANK), total * 0.97,
		     CH_BANK, PU_SERVICES);
		later(x, 24);
	}
	neg = mem(x, nneg);
	left = total * (0.85 + 0.1 * gen_unif(&x->r)); /* the negotiators' cut */
	for (int i = 0; i < withdrawals; i++) {
		move(x, acc(x, neg, AK_BANK), acc(x, neg, AK_CASH), left / withdrawals, CH_CASH,
		     PU_WITHDRAWAL);
		later(x, 10);
	}
	move(x, acc(x, neg, AK_CASH), acc(x, mem(x, 1 + nneg), AK_CASH), left, CH_CASH, PU_NONE);
	for (uint32_t i = 1; i < ncour; i++) {
		later(x, 40);
		move(x, acc(x, mem(x, nneg + i), AK_CASH), acc(x, mem(x, nneg + i + 1), AK_CASH), left,
		     CH_CASH, PU_NONE);
	}
	later(x, 30);
	move(x, acc(x, mem(x, nneg + ncour), AK_CASH), acc(x, rec, AK_CASH), left, CH_CASH, PU_NONE);
	paid_at = x->t;
	/* on by hawala: some of the money to those who sell to the group */
	left *= 0.4 + 0.3 * gen_unif(&x->r);
	for (int i = 0; i < deposits; i++) {
		later(x, 20);
		move(x, acc(x, rec, AK_CASH), acc(x, h_in, AK_HAWALA), noisy(x, left / deposits, 0.05),
		     CH_HAWALA, PU_NONE);
	}
	later(x, 18);
	move(x, acc(x, h_in, AK_HAWALA), acc(x, h_out, AK_HAWALA), left * 0.98, CH_HAWALA, PU_GOODS);
	for (uint32_t i = 0; i < nben; i++) {
		uint32_t b = mem(x, 4 + nneg + ncour + i);
		later(x, 6);
		move(x, acc(x, h_out, AK_HAWALA), acc(x, b, AK_MM), noisy(x, left * 0.95 / nben, 0.15),
		     CH_HAWALA, gen_chance(&x->r, 0.5) ? PU_GOODS : PU_FUEL);
	}
	if (g->counting)
		return;
	for (uint32_t i = 1; i <= nneg + ncour && len + 40 < sizeof(inter); i++) {
		char ref[16];
		snprintf(ref, sizeof(ref), "P-%06u", g->party[mem(x, i)].refno);
		len += (size_t)snprintf(inter + len, sizeof(inter) - len, "%s%s:%s", i > 1 ? "|" : "",
					i <= nneg ? "negotiator" : "courier", ref);
	}
	iffa_generate__ransom(g, payer, rec, inter, total, in->place, in->start - (int64_t)gen_range(&x->r, 20, 120) * GEN_DAY,
			      paid_at);
}

static void run_gold(run *x)
{
	gen *g = x->g;
	const gen_instance *in = x->in;
	uint32_t site = mem(x, 0), levy = mem(x, 1), treas = mem(x, 2), coll = mem(x, 3);
	uint32_t comp = mem(x, 4), cour = mem(x, 5), expo = mem(x, 6), refi = mem(x, 7);
	int sc = iffa_generate__places[g->party[site].place].country;
	int cc = iffa_generate__places[g->party[comp].place].country;
	int ec = iffa_generate__places[g->party[expo].place].country;
	int rc = iffa_generate__places[g->party[refi].place].country;
	double grams = 0, value = 0, fine = 0.82 + 0.1 * gen_unif(&x->r), levied = 0;
	int nlevy = gen_range(&x->r, 1, 2);

	for (int i = 0; i < in->n[0]; i++) {
		double gr = noisy(x, gen_lognormal(&x->r, 150, 0.6), 0.1);
		double v = gr * fine * iffa_generate__gold_price(g, x->t) * 0.78;
		if (!g->counting)
			iffa_generate__gold_lot(g, 1, site, site, coll, gr, fine, v, CUR_XOF, x->t, sc, sc);
		move(x, acc(x, coll, AK_CASH), acc(x, site, AK_CASH), v, CH_CASH, PU_GOLD);
		grams += gr;
		value += v;
		later(x, 60);
	}
	/* the group's cut at the site, passed up */
	for (int i = 0; i < nlevy; i++) {
		double v = noisy(x, value * 0.1 / nlevy, 0.1);
		if (!g->counting)
			iffa_generate__levy(g, site, levy, "mine_levy", v, x->t, g->party[site].place);
		move(x, acc(x, site, AK_MM), acc(x, levy, AK_MM), v, CH_MM, PU_NONE);
		levied += v;
		later(x, 48);
	}
	move(x, acc(x, levy, AK_CASH), acc(x, treas, AK_CASH), levied * 0.95, CH_CASH, PU_NONE);
	if (in->linked) {
		later(x, 72);
		move(x, acc(x, treas, AK_CASH), acc(x, g->jnim, AK_CASH), levied * 0.9, CH_CASH, PU_NONE);
	}
	/* up the chain: collector -> comptoir -> courier -> exporter -> refinery */
	later(x, 48);
	value = grams * fine * iffa_generate__gold_price(g, x->t) * 0.87;
	if (!g->counting)
		iffa_generate__gold_lot(g, 1, site, coll, comp, grams, fine, value, CUR_XOF, x->t, sc, cc);
	move(x, acc(x, comp, AK_BANK), acc(x, coll, AK_MM), value, -1, PU_GOLD);
	later(x, 72);
	value = grams * fine * iffa_generate__gold_price(g, x->t) * 0.92;
	if (!g->counting)
		iffa_generate__gold_lot(g, 1, site, comp, cour, grams, fine, value, CUR_XOF, x->t, cc, cc);
	move(x, acc(x, cour, AK_CASH), acc(x, comp, AK_CASH), value, CH_CASH, PU_GOLD);
	later(x, 96);
	value = grams * fine * iffa_generate__gold_price(g, x->t) * 0.96;
	if (!g->counting)
		iffa_generate__gold_lot(g, 1, site, cour, expo, grams, fine, value,
					iffa_generate__countries[ec].currency, x->t, cc, ec);
	move(x, acc(x, expo, AK_BANK), acc(x, cour, AK_MM), value, -1, PU_GOLD);
	later(x, 120);
	value = grams * fine * iffa_generate__gold_price(g, x->t) * 0.985;
	if (!g->counting)
		iffa_generate__gold_lot(g, 1, site, expo, refi, grams, fine, value, CUR_USD, x->t, ec, rc);
	iffa_generate__emit(g, x->t, acc(x, refi, AK_BANK), acc(x, expo, AK_BANK),
				    value / iffa_generate__rate(g, CUR_USD, x->t), CUR_USD, CH_BANK, PU_GOLD, 1);
}

static void run_zakat(run *x)
{
	gen *g = x->g;
	const gen_instance *in = x->in;
	uint32_t coll = mem(x, 0), treas = mem(x, 1);
	uint32_t first = in->linked ? 3 : 2, nv = in->n[0], nt = in->n[1];
	double total = 0;
	int passes = gen_range(&x->r, 1, 3);

	for (uint32_t i = 0; i < nv + nt; i++) {
		uint32_t payer = mem(x, first + i);
		int village = i < nv;
		double v = village ? 1000 * floor(gen_lognormal(&x->r, 6e5, 0.7) / 1000)
				   : 5000 * floor(gen_lognormal(&x->r, 1.5e5, 0.5) / 5000);
		if (v < 5000)
			v = 5000;
		if (!g->counting)
			iffa_generate__levy(g, payer, coll, village ? "zakat" : "road_toll", v, x->t,
					    g->party[village ? payer : coll].place);
		move(x, acc(x, payer, AK_MM), acc(x, coll, AK_MM), v, CH_MM, PU_NONE);
		total += v;
		later(x, 20);
	}
	for (int i = 0; i < passes; i++) {
		later(x, 30);
		move(x, acc(x, coll, AK_MM), acc(x, treas, AK_MM), noisy(x, total * 0.9 / passes, 0.05),
		     CH_MM, PU_FAMILY);
	}
	if (in->linked) {
		later(x, 72);
		move(x, acc(x, treas, AK_CASH), acc(x, mem(x, 2), AK_CASH), total * 0.8, CH_CASH, PU_NONE);
	}
}

static void run_layering(run *x)
{
	const gen_instance *in = x->in;
	uint32_t nh = in->n[0];
	double v = (double)in->amount * 1000;
	uint32_t prev = mem(x, 0);

	for (uint32_t i = 1; i <= nh + 1; i++) {
		uint32_t next = mem(x, i);
		int pieces = 1 + (gen_chance(&x->r, 0.2 + 0.4 * x->c) ? gen_range(&x->r, 1, 2) : 0);
		double piece = v / pieces;
		/* wallets for small pieces, banks for large ones */
		int kind = piece <= THRESHOLD_MM * 2 ? AK_MM : AK_BANK;

		for (int k = 0; k < pieces; k++) {
			move(x, acc(x, prev, kind), acc(x, next, kind), noisy(x, piece, 0.01), -1,
			     i == nh + 1 ? PU_INVOICE : PU_GOODS);
			x->t += 120 + gen_below(&x->r, 1200);
		}
		v *= 0.985 - 0.01 * gen_unif(&x->r); /* each hop keeps a fee */
		later(x, 3);
		prev = next;
	}
}

static void run_structuring(run *x)
{
	const gen_instance *in = x->in;
	uint32_t coll = mem(x, 0), other = mem(x, 1), nm = in->n[0];
	double th = in->variant == 2 ? THRESHOLD_CASH : THRESHOLD_MM, total = 0;
	double low = 0.90 - 0.35 * x->c; /* share of the threshold at the least */
	double window = 24.0 * (1 + 2 * gen_unif(&x->r)) * (1 + 5 * x->c);
	int64_t t0 = x->t;

	if (in->variant == 1) {
		/* scatter: the source pays each mule under the threshold ... */
		for (uint32_t i = 0; i < nm; i++) {
			double v = th * (low + (0.999 - low) * gen_unif(&x->r));
			x->t = t0 + (int64_t)(gen_unif(&x->r) * window * GEN_HOUR);
			move(x, acc(x, other, AK_MM), acc(x, mem(x, 2 + i), AK_MM), floor(v / 100) * 100,
			     CH_MM, PU_FAMILY);
		}
		x->t = t0 + (int64_t)(window * GEN_HOUR) + GEN_HOUR;
		t0 = x->t;
	}
	/* ... and the mules (or couriers) pay the collector under it too */
	for (uint32_t i = 0; i < nm; i++) {
		int times = in->variant == 1 ? 1 : gen_range(&x->r, 1, 2);
		for (int k = 0; k < times; k++) {
			double v = th * (low + (0.999 - low) * gen_unif(&x->r));
			v = floor(v / (in->variant == 2 ? 1000 : 100)) * (in->variant == 2 ? 1000 : 100);
			x->t = t0 + (int64_t)(gen_unif(&x->r) * window * GEN_HOUR) + k * 6 * GEN_HOUR;
			if (in->variant == 2)
				move(x, acc(x, mem(x, 2 + i), AK_CASH), acc(x, coll, AK_BANK), v, CH_CASH,
				     PU_DEPOSIT);
			else
				move(x, acc(x, mem(x, 2 + i), AK_MM), acc(x, coll, AK_MM), v, CH_MM,
				     gen_chance(&x->r, 0.5) ? PU_FAMILY : PU_NONE);
			total += v;
		}
	}
	x->t = t0 + (int64_t)(window * GEN_HOUR) + 13 * GEN_HOUR;
	if (in->variant != 1) {
		/* the collector moves the whole on */
		int outs = gen_range(&x->r, 1, 2);
		for (int k = 0; k < outs; k++) {
			move(x, acc(x, coll, in->variant == 2 ? AK_BANK : AK_MM), acc(x, other, AK_BANK),
			     total * 0.97 / outs, -1, PU_INVOICE);
			later(x, 12);
		}
	}
}

static void run_round_trip(run *x)
{
	const gen_instance *in = x->in;
	uint32_t nh = in->n[0];
	double v = (double)in->amount * 1000;
	static const int pu[] = {PU_INVOICE, PU_LOAN, PU_SERVICES, PU_GOODS};

	for (int loop = 0; loop < in->n[1]; loop++) {
		uint32_t prev = mem(x, 0);
		double w = noisy(x, v, 0.05);
		for (uint32_t i = 1; i <= nh + 1; i++) {
			uint32_t next = i <= nh ? mem(x, i) : mem(x, 0);
			move(x, acc(x, prev, AK_BANK), acc(x, next, AK_BANK), w, CH_BANK,
			     pu[gen_below(&x->r, 4)]);
			w *= 0.99 - 0.02 * gen_unif(&x->r);
			later(x, 30);
			prev = next;
		}
		later(x, 24 * 7);
	}
}

void iffa_generate__plant_run(gen *g, const gen_instance *in)
{
	run x;

	x.g = g;
	x.in = in;
	x.c = g->opts->camouflage;
	x.t = in->start;
	gen_rng_seed(&x.r, g->opts->seed, 0x504c414e00000000ULL + ((uint64_t)in->kind << 32) + in->id);
	switch (in->kind) {
	case IFFA_GENERATE_RANSOM_CHAIN:
		run_ransom(&x);
		break;
	case IFFA_GENERATE_GOLD_CHAIN:
		run_gold(&x);
		break;
	case IFFA_GENERATE_ZAKAT:
		run_zakat(&x);
		break;
	case IFFA_GENERATE_LAYERING:
		run_layering(&x);
		break;
	case IFFA_GENERATE_STRUCTURING:
		run_structuring(&x);
		break;
	default:
		run_round_trip(&x);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* truth.csv                                                           */
/* ------------------------------------------------------------------ */

static int by_kind_id(const void *a, const void *b)
{
	const gen_instance *x = *(const gen_instance *const *)a, *y = *(const gen_instance *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int iffa_generate__write_truth(gen *g)
{
	gen_out *o = &g->out[IFFA_GENERATE_TRUTH];
	const gen_instance **order = malloc((g->ninst ? g->ninst : 1) * sizeof(*order));

	if (!order)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
	for (uint32_t i = 0; i < g->ninst; i++)
		order[i] = &g->inst[i];
	qsort(order, g->ninst, sizeof(*order), by_kind_id);
	iffa_generate__out_str(o, "structure,structure_id,entity_type,ref,role\n");
	for (uint32_t i = 0; i < g->ninst; i++) {
		const gen_instance *in = order[i];
		for (uint32_t m = 0; m < in->nmembers; m++) {
			const gen_member *mb = &g->members[in->first_member + m];
			const gen_party *p = &g->party[mb->party];
			int dup = 0;

			for (uint32_t k = 0; k < m; k++)
				if (g->members[in->first_member + k].party == mb->party)
					dup = 1;
			if (dup)
				continue;
			iffa_generate__out_str(o, structure_names[in->kind]);
			out_ch(o, ',');
			iffa_generate__out_u64(o, in->id);
			iffa_generate__out_str(o, ",party,");
			iffa_generate__out_party_ref(o, g, mb->party);
			out_ch(o, ',');
			iffa_generate__out_str(o, role_names[mb->role]);
			out_end(o);
			for (uint32_t a = 0; a < p->naccounts; a++) {
				iffa_generate__out_str(o, structure_names[in->kind]);
				out_ch(o, ',');
				iffa_generate__out_u64(o, in->id);
				iffa_generate__out_str(o, ",account,");
				iffa_generate__out_str(o, iffa_generate__account_ref(g, p->first_account + a));
				out_ch(o, ',');
				iffa_generate__out_str(o, role_names[mb->role]);
				out_end(o);
			}
		}
	}
	free(order);
	return 0;
}
