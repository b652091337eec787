/*
 * Ordinary activity: the population that is not part of any planted
 * structure, and the transfers it makes day by day. Heavy tails come from
 * Pareto activity weights (senders drawn in proportion to them, usual
 * counterparties chosen preferentially by them) and log-normal amounts.
 *
 * The hard negatives live here too: legitimate gold buyers, hawala brokers'
 * licit clients (many in Kayes), border-town merchants who move money
 * across the ML-SN border in quick succession, tontines (fan-in of small
 * mobile-money payments), company treasury sweeps (cycles) and NGO
 * cash-for-work in the affected zones (fan-out). None is in truth.csv.
 *
 * Planted accounts take part in this activity with weights scaled by the
 * camouflage, and never with another planted account.
 */
#include <stdlib.h>
#include <string.h>

#include "generate/generate.h"

/* Classes of ordinary transfer, with their share of the random budget. */
enum {
	CL_P2P, CL_MERCHANT, CL_CASH, CL_TRADE, CL_REMIT, CL_HAWALA, CL_TONTINE,
	CL_BORDER, CL_GOLD, CL_SWEEP, CL_NGO, CL_CRYPTO, CL_N
};
static const double class_share[CL_N] = {38, 14, 8, 10, 10, 6, 3, 3, 2, 1.5, 1, 0.5};
static const char *const class_name[CL_N] = {"p2p", "merchant", "cash", "trade", "remittance",
	"hawala", "tontine", "border_trade", "gold_trade", "treasury_sweep", "ngo", "crypto"};

/* Remittance corridors (origin, destination, weight): Bamako-Dakar first. */
static const struct {
	const char *from, *to;
	double w;
} corridors[] = {
	{"SN", "ML", 12}, {"ML", "SN", 10}, {"CI", "ML", 8}, {"ML", "CI", 4}, {"CI", "BF", 8},
	{"BF", "CI", 3}, {"NE", "NG", 3}, {"NG", "NE", 4}, {"FR", "ML", 6}, {"FR", "SN", 6},
	{"SN", "GN", 2}, {"GN", "SN", 2}, {"MR", "SN", 1.5}, {"SN", "MR", 1}, {"GM", "SN", 1.5},
	{"SN", "GM", 1.5}, {"ML", "BF", 1.5}, {"BF", "ML", 1.5}, {"ML", "GN", 1.5},
	{"GN", "ML", 1.5}, {"CI", "NE", 1}, {"ML", "MR", 1}, {"MR", "ML", 1},
};
#define NCORRIDORS ((int)(sizeof(corridors) / sizeof(corridors[0])))

/* Hawala broker pairs (place a, place b, weight); money mostly a -> b. */
static const struct {
	const char *a, *b;
	double w;
} hawala_routes[] = {
	{"Montreuil", "Kayes", 6}, {"Paris", "Bamako", 3}, {"Dakar", "Kayes", 4},
	{"Bamako", "Abidjan", 3}, {"Niamey", "Gao", 2}, {"Nouakchott", "Bamako", 2},
	{"Dubai", "Bamako", 1.5}, {"Tambacounda", "Kayes", 2}, {"Abidjan", "Ouagadougou", 2},
	{"Bamako", "Mopti", 2}, {"Kano", "Niamey", 1.5},
};
#define NROUTES ((int)(sizeof(hawala_routes) / sizeof(hawala_routes[0])))

typedef struct {
	uint32_t a, b;  /* hawala accounts of the two brokers */
	double w;
} broker_pair;

typedef struct {
	uint32_t acct;   /* employee's account */
	uint32_t salary; /* XOF per month */
} employee;

typedef struct {
	uint32_t acct;   /* employer's bank account */
	uint32_t first, n;
	uint8_t payday;  /* day of month, 25..28 */
} employer;

typedef struct {
	uint32_t organiser;
	uint32_t first, n; /* members in bg.tontine_member */
	uint32_t dues;     /* XOF per member and round */
} tontine;

typedef struct {
	gen_pool cls;
	gen_pool p2p_send;     /* persons' mobile money */
	gen_pool *mm_place;    /* persons' mobile money, per place */
	gen_pool *mm_country;
	gen_pool *merchant;    /* firms' mobile money, per country */
	gen_pool *firm_bank;   /* firms' bank accounts, per country */
	gen_pool trade_send;
	gen_pool cash_send;
	gen_pool corridor;
	gen_pool *remit_send;  /* per country */
	gen_pool affected_mm;
	gen_pool crypto;
	gen_pool hawala;       /* over pairs */
	gen_pool border[2];    /* ML side, SN side */
	gen_pool gold_site, gold_collector, gold_comptoir, gold_exporter;
	broker_pair *pairs;
	uint32_t npairs;
	uint32_t *ngo;
	uint32_t nngo;
	tontine *tontines;
	uint32_t ntontines;
	uint32_t *tontine_member;
	uint32_t (*sweep)[3];
	uint32_t nsweep;
	employer *employers;
	uint32_t nemployers;
	employee *employees;
	uint32_t nemployees;
	uint64_t per_payday[32]; /* employees paid on each day of month */
	uint32_t *paying[4];     /* employers with staff, by payday 25..28 */
	uint32_t npaying[4];
	double *weight;          /* activity weight per account */
	uint64_t class_count[CL_N];
	uint32_t ordinary_parties;
	uint32_t hard_negative[6]; /* gold, hawala brokers, border, tontine, sweep, ngo */
} bg_state;

static bg_state *bg(gen *g)
{
	return (bg_state *)g->bg;
}

static int place_named(const char *name)
{
	return iffa_generate__place(name);
}

/* A place drawn in proportion to weight^exponent, leaving out places with
 * any of the `exclude` flags. Linear in the (few) places. */
static int draw_place(gen_rng *r, double exponent, unsigned exclude)
{
	double w[64], total = 0, u;
	int n = iffa_generate__nplaces < 64 ? iffa_generate__nplaces : 64, last = 0;

	for (int i = 0; i < n; i++) {
		w[i] = (iffa_generate__places[i].flags & exclude) ? 0
		       : exponent == 1.0 ? iffa_generate__places[i].weight
					 : pow(iffa_generate__places[i].weight, exponent);
		total += w[i];
	}
	u = gen_unif(r) * total;
	for (int i = 0; i < n; i++) {
		if (w[i] <= 0)
			continue;
		last = i;
		u -= w[i];
		if (u < 0)
			return i;
	}
	return last;
}

static int country_of_place(int place)
{
	return iffa_generate__places[place].country;
}

/* ------------------------------------------------------------------ */
/* Population                                                          */
/* ------------------------------------------------------------------ */

static int add(gen *g, int kind, int place, unsigned pflags, const int *akinds, int nk,
	       uint32_t *out)
{
	uint32_t p;

	if (iffa_generate__add_party(g, kind, place, pflags, &p) < 0)
		return g->error;
	for (int i = 0; i < nk; i++)
		if (iffa_generate__add_account(g, p, akinds[i], 0, NULL) < 0)
			return g->error;
	if (out)
		*out = p;
	return 0;
}

/* Ordinary parties and accounts; `n` is the number of transfers asked for. */
int iffa_generate__background_population(gen *g, gen_rng *r, uint64_t n)
{
	uint32_t persons = (uint32_t)(n / 14 > 200 ? n / 14 : 200);
	uint32_t firms = (uint32_t)(n / 150 > 30 ? n / 150 : 30);
	bg_state *b = calloc(1, sizeof(*b));
	int abroad_ae = place_named("Dubai");

	if (!b)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
	g->bg = b;
	for (uint32_t i = 0; i < persons; i++) {
		int place = draw_place(r, 1.0, 0);
		const gen_place *pl = &iffa_generate__places[place];
		int kinds[4], nk = 0;

		if (!iffa_generate__countries[pl->country].wallets[0]) {
			kinds[nk++] = AK_BANK;
		} else {
			if (gen_chance(r, 0.85))
				kinds[nk++] = AK_MM;
			if (gen_chance(r, (pl->flags & PL_CITY) ? 0.4 : 0.2))
				kinds[nk++] = AK_BANK;
			if (gen_chance(r, 0.06))
				kinds[nk++] = AK_CASH;
			if ((pl->flags & PL_CITY) && gen_chance(r, 0.01))
				kinds[nk++] = AK_CRYPTO;
			if (nk == 0)
				kinds[nk++] = AK_MM;
		}
		if (add(g, PK_PERSON, place, gen_chance(r, 0.45) ? PF_FEMALE : 0, kinds, nk, NULL) < 0)
			return g->error;
	}
	for (uint32_t i = 0; i < firms; i++) {
		int place = draw_place(r, 1.3, PL_ABROAD);
		int kinds[4], nk = 0;

		kinds[nk++] = AK_BANK;
		if (gen_chance(r, 0.15))
			kinds[nk++] = AK_BANK;
		if (gen_chance(r, 0.5))
			kinds[nk++] = AK_MM;
		if (gen_chance(r, 0.25))
			kinds[nk++] = AK_CASH;
		if (add(g, PK_COMPANY, place, 0, kinds, nk, NULL) < 0)
			return g->error;
	}
	{
		static const char *const ngo_places[] = {"Bamako", "Niamey", "Ouagadougou", "Dakar"};
		uint32_t nngo = 2 + (uint32_t)(n / 150000);
		int k[1] = {AK_BANK};

		b->ngo = calloc(nngo, sizeof(*b->ngo));
		if (!b->ngo)
			return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
		for (uint32_t i = 0; i < nngo; i++) {
			uint32_t p = 0;
			if (add(g, PK_ORGANISATION, place_named(ngo_places[i % 4]), 0, k, 1, &p) < 0)
				return g->error;
			b->ngo[b->nngo++] = g->party[p].first_account;
		}
		b->hard_negative[5] = nngo;
	}
	/* refineries in Dubai, shared by the licit and the planted gold trade */
	for (int i = 0; i < 3; i++) {
		int k[2] = {AK_BANK, AK_BANK};
		if (add(g, PK_REFINERY, abroad_ae, 0, k, 1 + (i == 0), &g->refinery[i]) < 0)
			return g->error;
	}
	/* the licit gold trade */
	{
		static const char *const sites[] = {"Kéniéba", "Siguiri", "Kédougou", "Sikasso"};
		static const char *const comptoirs[] = {"Bamako", "Kayes", "Siguiri", "Conakry",
			"Kédougou", "Sikasso"};
		static const char *const exporters[] = {"Bamako", "Conakry", "Dakar"};
		uint32_t ns = 4 + (uint32_t)(n / 60000), nc = 4 + (uint32_t)(n / 30000);
		uint32_t nco = 3 + (uint32_t)(n / 100000), ne = 3 + (uint32_t)(n / 300000);
		int ksite[2] = {AK_CASH, AK_MM}, kcomp[2] = {AK_BANK, AK_CASH}, kexp[1] = {AK_BANK};

		for (uint32_t i = 0; i < ns; i++)
			if (add(g, PK_MINE_SITE, place_named(sites[i % 4]), 0, ksite, 2, NULL) < 0)
				return g->error;
		for (uint32_t i = 0; i < nc; i++)
			if (add(g, PK_COLLECTOR, place_named(sites[i % 4]), 0, ksite, 2, NULL) < 0)
				return g->error;
		for (uint32_t i = 0; i < nco; i++)
			if (add(g, PK_COMPTOIR, place_named(comptoirs[i % 6]), 0, kcomp, 2, NULL) < 0)
				return g->error;
		for (uint32_t i = 0; i < ne; i++)
			if (add(g, PK_EXPORTER, place_named(exporters[i % 3]), 0, kexp, 1, NULL) < 0)
				return g->error;
		b->hard_negative[0] = ns + nc + nco + ne;
	}
	/* hawala brokers, in pairs along the routes */
	{
		int k[3] = {AK_HAWALA, AK_BANK, AK_CASH};
		uint32_t cap = 0;

		for (int i = 0; i < NROUTES; i++)
			cap += 1 + (uint32_t)(hawala_routes[i].w * (double)n / 2e6);
		b->pairs = calloc(cap + 64, sizeof(*b->pairs));
		if (!b->pairs)
			return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
		for (int i = 0; i < NROUTES; i++) {
			uint32_t k_pairs = 1 + (uint32_t)(hawala_routes[i].w * (double)n / 2e6);
			for (uint32_t j = 0; j < k_pairs; j++) {
				uint32_t pa = 0, pb = 0;
				if (add(g, PK_PERSON, place_named(hawala_routes[i].a), 0, k, 3, &pa) < 0 ||
				    add(g, PK_PERSON, place_named(hawala_routes[i].b), 0, k, 3, &pb) < 0)
					return g->error;
				b->pairs[b->npairs].a = g->party[pa].first_account;
				b->pairs[b->npairs].b = g->party[pb].first_account;
				b->pairs[b->npairs].w = hawala_routes[i].w / k_pairs;
				b->npairs++;
			}
		}
		b->hard_negative[1] = 2 * b->npairs;
	}
	/* border-town merchants on both sides of the Diboli-Kidira crossing */
	{
		static const char *const towns[] = {"Kayes", "Diboli", "Kidira", "Tambacounda", "Bakel",
			"Diboli"};
		uint32_t nb = 8 + (uint32_t)(n / 6000);
		int k[3] = {AK_MM, AK_BANK, AK_CASH};

		for (uint32_t i = 0; i < nb; i++)
			if (add(g, gen_chance(r, 0.5) ? PK_COMPANY : PK_PERSON, place_named(towns[i % 6]), 0,
				k, 3, NULL) < 0)
				return g->error;
		b->hard_negative[2] = nb;
	}
	/* groups of firms that sweep cash between their treasuries */
	{
		static const char *const seats[] = {"Bamako", "Dakar", "Abidjan"};
		uint32_t ns = 2 + (uint32_t)(n / 150000);
		int k[1] = {AK_BANK};

		b->sweep = calloc(ns, sizeof(*b->sweep));
		if (!b->sweep)
			return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
		for (uint32_t i = 0; i < ns; i++) {
			for (int j = 0; j < 3; j++) {
				uint32_t p = 0;
				if (add(g, PK_COMPANY, place_named(seats[j]), 0, k, 1, &p) < 0)
					return g->error;
				b->sweep[i][j] = g->party[p].first_account;
			}
		}
		b->nsweep = ns;
		b->hard_negative[4] = 3 * ns;
	}
	/* villages outside any planted levy, some in the affected zones */
	{
		uint32_t nv = 4 + (uint32_t)(n / 25000);
		int k[1] = {AK_MM};

		for (uint32_t i = 0; i < nv; i++) {
			int place = draw_place(r, 1.0, PL_ABROAD | PL_CITY);
			if (add(g, PK_VILLAGE, place, 0, k, 1, NULL) < 0)
				return g->error;
		}
	}
	b->ordinary_parties = g->nparty;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Pools, contacts, employment                                         */
/* ------------------------------------------------------------------ */

static int planted(const gen *g, uint32_t acct)
{
	return g->acct[acct].flags & AF_PLANTED;
}

/* Draw from a pool an account that is not `self` and, when `self` is
 * planted, not planted either; UINT32_MAX when none is found. */
static uint32_t draw_other(const gen *g, const gen_pool *p, gen_rng *r, uint32_t self)
{
	if (p->n == 0)
		return UINT32_MAX;
	for (int tries = 0; tries < 16; tries++) {
		uint32_t a = gen_pool_draw(p, r);
		if (a != self && !(planted(g, self) && planted(g, a)))
			return a;
	}
	for (uint32_t i = 0; i < p->n; i++) {
		uint32_t a = p->item[i];
		if (a != self && !(planted(g, self) && planted(g, a)))
			return a;
	}
	return UINT32_MAX;
}

static int bag_add(gen *g, gen_bag *bag, uint32_t item, double w)
{
	if (iffa_generate__bag_add(bag, item, w) < 0)
		return iffa_generate__fail(g, IFFA_ENOMEM, "%s", iffa_error_last());
	return 0;
}

static int bag_pool(gen *g, gen_pool *p, gen_bag *bag)
{
	if (iffa_generate__bag_pool(p, bag) < 0)
		return iffa_generate__fail(g, IFFA_ENOMEM, "%s", iffa_error_last());
	return 0;
}

static int make_pools(gen *g, gen_rng *r)
{
	bg_state *b = bg(g);
	int np = iffa_generate__nplaces, nc = iffa_generate__ncountries;
	gen_bag p2p = {0}, trade = {0}, cash = {0}, affected = {0}, crypto = {0};
	gen_bag *mm_place = calloc((size_t)np, sizeof(gen_bag));
	gen_bag *mm_country = calloc((size_t)nc, sizeof(gen_bag));
	gen_bag *merchant = calloc((size_t)nc, sizeof(gen_bag));
	gen_bag *firm_bank = calloc((size_t)nc, sizeof(gen_bag));
	gen_bag *remit = calloc((size_t)nc, sizeof(gen_bag));
	double c = g->opts->camouflage;
	int error = 0;

	b->mm_place = calloc((size_t)np, sizeof(gen_pool));
	b->mm_country = calloc((size_t)nc, sizeof(gen_pool));
	b->merchant = calloc((size_t)nc, sizeof(gen_pool));
	b->firm_bank = calloc((size_t)nc, sizeof(gen_pool));
	b->remit_send = calloc((size_t)nc, sizeof(gen_pool));
	b->weight = malloc((size_t)(g->nacct ? g->nacct : 1) * sizeof(double));
	if (!mm_place || !mm_country || !merchant || !firm_bank || !remit || !b->mm_place ||
	    !b->mm_country || !b->merchant || !b->firm_bank || !b->remit_send || !b->weight) {
		error = iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (pools)");
		goto done;
	}
	for (uint32_t i = 0; i < g->nacct && !error; i++) {
		const gen_account *a = &g->acct[i];
		const gen_party *p = &g->party[a->party];
		const gen_place *pl = &iffa_generate__places[p->place];
		/* planted accounts act ordinary in proportion to the camouflage;
		 * the listed ones (assets frozen) not at all */
		double w = gen_pareto(r, 1.3, 5000) * (planted(g, i) ? c : 1.0);

		if (p->flags & PF_DESIGNATED)
			w = 0;

		b->weight[i] = w;
		if (w <= 0)
			continue;
		if (p->kind == PK_PERSON && a->kind == AK_MM) {
			error |= bag_add(g, &p2p, i, w);
			error |= bag_add(g, &mm_place[p->place], i, w);
			error |= bag_add(g, &mm_country[a->country], i, w);
			error |= bag_add(g, &remit[a->country], i, w);
			if (pl->flags & PL_AFFECTED)
				error |= bag_add(g, &affected, i, 1.0);
		} else if (p->kind == PK_VILLAGE && a->kind == AK_MM) {
			/* village committees get aid too */
			error |= bag_add(g, &affected, i, planted(g, i) ? c : 1.0);
		} else if (p->kind == PK_PERSON && a->kind == AK_BANK && !iffa_generate__countries[a->country].wallets[0]) {
			error |= bag_add(g, &remit[a->country], i, w);
		} else if (p->kind == PK_COMPANY && a->kind == AK_MM) {
			error |= bag_add(g, &merchant[a->country], i, w);
		} else if (p->kind == PK_COMPANY && a->kind == AK_BANK && !(pl->flags & PL_ABROAD)) {
			error |= bag_add(g, &trade, i, w);
			error |= bag_add(g, &firm_bank[a->country], i, w);
		} else if (a->kind == AK_CRYPTO) {
			error |= bag_add(g, &crypto, i, w);
		}
		if (a->kind == AK_CASH && p->naccounts > 1 &&
		    (p->kind == PK_PERSON || p->kind == PK_COMPANY))
			error |= bag_add(g, &cash, i, w);
	}
	if (error)
		goto done;
	error |= bag_pool(g, &b->p2p_send, &p2p);
	error |= bag_pool(g, &b->trade_send, &trade);
	error |= bag_pool(g, &b->cash_send, &cash);
	error |= bag_pool(g, &b->affected_mm, &affected);
	error |= bag_pool(g, &b->crypto, &crypto);
	for (int i = 0; i < np; i++)
		error |= bag_pool(g, &b->mm_place[i], &mm_place[i]);
	for (int i = 0; i < nc; i++) {
		error |= bag_pool(g, &b->mm_country[i], &mm_country[i]);
		error |= bag_pool(g, &b->merchant[i], &merchant[i]);
		error |= bag_pool(g, &b->firm_bank[i], &firm_bank[i]);
		error |= bag_pool(g, &b->remit_send[i], &remit[i]);
	}
	{
		gen_bag cor = {0};
		for (int i = 0; i < NCORRIDORS && !error; i++)
			error |= bag_add(g, &cor, (uint32_t)i, corridors[i].w);
		if (!error)
			error |= bag_pool(g, &b->corridor, &cor);
	}
done:
	if (mm_place)
		for (int i = 0; i < np; i++)
			iffa_generate__bag_dispose(&mm_place[i]);
	for (int i = 0; i < nc; i++) {
		if (mm_country)
			iffa_generate__bag_dispose(&mm_country[i]);
		if (merchant)
			iffa_generate__bag_dispose(&merchant[i]);
		if (firm_bank)
			iffa_generate__bag_dispose(&firm_bank[i]);
		if (remit)
			iffa_generate__bag_dispose(&remit[i]);
	}
	iffa_generate__bag_dispose(&p2p);
	iffa_generate__bag_dispose(&trade);
	iffa_generate__bag_dispose(&cash);
	iffa_generate__bag_dispose(&affected);
	iffa_generate__bag_dispose(&crypto);
	free(mm_place);
	free(mm_country);
	free(merchant);
	free(firm_bank);
	free(remit);
	return error ? g->error : 0;
}

/* Usual counterparties: persons' wallets mostly in their own place, firms'
 * banks mostly in their own country; chosen in proportion to activity, so
 * that a few accounts collect many counterparties. */
static int make_contacts(gen *g, gen_rng *r)
{
	bg_state *b = bg(g);

	for (uint32_t i = 0; i < g->nacct; i++) {
		gen_account *a = &g->acct[i];
		const gen_party *p = &g->party[a->party];
		int person = p->kind == PK_PERSON && a->kind == AK_MM;
		int firm = p->kind == PK_COMPANY && a->kind == AK_BANK;
		uint32_t k;

		a->contacts = (uint32_t)g->ncontacts;
		a->ncontacts = 0;
		if (!(person || firm) || b->weight[i] <= 0)
			continue;
		k = (uint32_t)(1 + gen_pareto(r, 1.5, 40));
		if (g->ncontacts + k > g->capcontacts) {
			uint64_t cap = g->capcontacts ? g->capcontacts * 2 : 4096;
			uint32_t *nc;
			while (cap < g->ncontacts + k)
				cap *= 2;
			nc = realloc(g->contacts, cap * sizeof(*nc));
			if (!nc)
				return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (contacts)");
			g->contacts = nc;
			g->capcontacts = cap;
		}
		for (uint32_t j = 0; j < k; j++) {
			const gen_pool *pool;
			double u = gen_unif(r);
			uint32_t c;

			if (person)
				pool = u < 0.65 ? &b->mm_place[p->place]
				       : u < 0.95 ? &b->mm_country[a->country]
						  : &b->p2p_send;
			else
				pool = u < 0.85 ? &b->firm_bank[a->country] : &b->trade_send;
			c = draw_other(g, pool, r, i);
			if (c != UINT32_MAX)
				g->contacts[g->ncontacts + a->ncontacts++] = c;
		}
		g->ncontacts += a->ncontacts;
	}
	return 0;
}

static int make_employment(gen *g, gen_rng *r, uint64_t n)
{
	bg_state *b = bg(g);
	gen_bag ebag = {0};
	gen_pool epool = {0};
	uint32_t *count = NULL, *emp_of = NULL, target, made = 0, npersons = 0;
	employee *sorted = NULL;
	double c = g->opts->camouflage, rate;
	int error = 0;

	/* employers: firms and NGOs, sized by a Pareto weight; the pool draws
	 * an employer's slot */
	b->employers = calloc(g->nparty ? g->nparty : 1, sizeof(*b->employers));
	if (!b->employers)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (employment)");
	for (uint32_t p = 0; p < g->nparty && !error; p++) {
		const gen_party *pp = &g->party[p];
		double w = gen_pareto(r, 1.2, 2000) * ((pp->flags & PF_PLANTED) ? c : 1.0);

		if (pp->kind == PK_PERSON)
			npersons++;
		if ((pp->kind != PK_COMPANY && pp->kind != PK_ORGANISATION) || w <= 0 ||
		    (pp->flags & PF_DESIGNATED) ||
		    (iffa_generate__places[pp->place].flags & PL_ABROAD))
			continue;
		b->employers[b->nemployers].acct = iffa_generate__account_of(g, p, AK_BANK);
		b->employers[b->nemployers].payday = (uint8_t)gen_range(r, 25, 28);
		error = bag_add(g, &ebag, b->nemployers, w);
		b->nemployers++;
	}
	if (error || (error = bag_pool(g, &epool, &ebag)) < 0)
		goto done;
	/* about one transfer in twenty is a salary */
	target = (uint32_t)(0.05 * (double)n / g->nmonths);
	if (target > npersons / 2)
		target = npersons / 2;
	count = calloc(b->nemployers + 1, sizeof(*count));
	emp_of = malloc((target + 1) * sizeof(*emp_of));
	b->employees = calloc(target + 1, sizeof(*b->employees));
	sorted = malloc((target + 1) * sizeof(*sorted));
	if (!count || !emp_of || !b->employees || !sorted) {
		error = iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (employment)");
		goto done;
	}
	/* Employees: persons picked at random, each with a job at one
	 * employer; planted persons as often as others at camouflage 1. */
	rate = npersons ? (double)target / npersons : 0;
	for (uint32_t p = 0; p < g->nparty && made < target && epool.n; p++) {
		const gen_party *pp = &g->party[p];
		uint32_t e, acct;

		if (pp->kind != PK_PERSON || pp->naccounts == 0 || (pp->flags & PF_DESIGNATED) ||
		    !gen_chance(r, rate * ((pp->flags & PF_PLANTED) ? c : 1.0)))
			continue;
		acct = iffa_generate__account_of(g, p, AK_BANK);
		if (g->acct[acct].kind != AK_BANK && g->acct[acct].kind != AK_MM)
			continue;
		e = gen_pool_draw(&epool, r);
		if (b->employers[e].acct == acct ||
		    (planted(g, acct) && planted(g, b->employers[e].acct)))
			continue;
		emp_of[made] = e;
		b->employees[made].acct = acct;
		b->employees[made].salary =
			(uint32_t)(fmax(40000, gen_lognormal(r, 110000, 0.55)) / 500) * 500;
		count[e]++;
		made++;
	}
	/* group employees by employer (counting sort) */
	{
		uint32_t pos = 0;
		for (uint32_t e = 0; e < b->nemployers; e++) {
			b->employers[e].first = pos;
			b->employers[e].n = 0;
			pos += count[e];
		}
		for (uint32_t k = 0; k < made; k++) {
			employer *em = &b->employers[emp_of[k]];
			sorted[em->first + em->n++] = b->employees[k];
		}
		free(b->employees);
		b->employees = sorted;
		sorted = NULL;
		b->nemployees = made;
	}
	for (int k = 0; k < 4; k++) {
		b->paying[k] = malloc((b->nemployers + 1) * sizeof(uint32_t));
		if (!b->paying[k]) {
			error = iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
			goto done;
		}
	}
	for (uint32_t e = 0; e < b->nemployers; e++) {
		int k = b->employers[e].payday - 25;
		b->per_payday[b->employers[e].payday] += b->employers[e].n;
		if (b->employers[e].n > 0)
			b->paying[k][b->npaying[k]++] = e;
	}
done:
	free(count);
	free(emp_of);
	free(sorted);
	iffa_generate__bag_dispose(&ebag);
	iffa_generate__pool_dispose(&epool);
	return error ? g->error : 0;
}

static int make_groups(gen *g, gen_rng *r, uint64_t n)
{
	bg_state *b = bg(g);
	uint32_t nt = 3 + (uint32_t)(n / 4000), total = 0;
	int error = 0;

	/* tontines: an organiser and the members who pay in each round */
	b->tontines = calloc(nt, sizeof(*b->tontines));
	b->tontine_member = calloc((size_t)nt * 30, sizeof(*b->tontine_member));
	if (!b->tontines || !b->tontine_member)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (tontines)");
	for (uint32_t i = 0; i < nt; i++) {
		uint32_t org = gen_pool_draw(&b->p2p_send, r);
		const gen_pool *local = &b->mm_place[g->party[g->acct[org].party].place];
		tontine *t = &b->tontines[b->ntontines];
		uint32_t want = (uint32_t)gen_range(r, 5, 30);

		if (planted(g, org))
			continue;
		t->organiser = org;
		t->first = total;
		t->dues = (uint32_t)gen_range(r, 1, 10) * 5000;
		for (uint32_t j = 0; j < want; j++) {
			uint32_t m = draw_other(g, local, r, org);
			if (m != UINT32_MAX && !planted(g, m))
				b->tontine_member[total + t->n++] = m;
		}
		if (t->n == 0)
			continue;
		total += t->n;
		b->ntontines++;
		b->hard_negative[3] += t->n + 1;
	}
	/* hawala pairs, and the planted brokers' partners, as a pool */
	{
		gen_bag hb = {0};
		for (uint32_t i = 0; i < b->npairs && !error; i++)
			error = bag_add(g, &hb, i, b->pairs[i].w);
		if (!error)
			error = bag_pool(g, &b->hawala, &hb);
	}
	/* border merchants on each side, the licit gold trade */
	{
		gen_bag side[2] = {{0}, {0}}, gs = {0}, gc = {0}, gco = {0}, ge = {0};
		double c = g->opts->camouflage;

		for (uint32_t p = 0; p < g->nparty && !error; p++) {
			const gen_party *pp = &g->party[p];
			const gen_place *pl = &iffa_generate__places[pp->place];
			int is_planted = pp->flags & PF_PLANTED;
			double w = is_planted ? c : 1.0;

			if (w <= 0)
				continue;
			if ((pl->flags & PL_BORDER) && pp->naccounts >= 3 && !is_planted &&
			    (pp->kind == PK_COMPANY || pp->kind == PK_PERSON) &&
			    g->acct[pp->first_account].kind == AK_MM &&
			    g->acct[pp->first_account + 2].kind == AK_CASH)
				error = bag_add(g, &side[pl->country == 0 ? 0 : 1], pp->first_account,
						gen_pareto(r, 1.5, 50));
			else if (pp->kind == PK_MINE_SITE && (pl->flags & PL_GOLD_LEGIT))
				error = bag_add(g, &gs, p, w);
			else if (pp->kind == PK_COLLECTOR && (pl->flags & PL_GOLD_LEGIT))
				error = bag_add(g, &gc, p, w);
			else if (pp->kind == PK_COMPTOIR)
				error = bag_add(g, &gco, p, w);
			else if (pp->kind == PK_EXPORTER)
				error = bag_add(g, &ge, p, w);
		}
		if (!error)
			error = bag_pool(g, &b->border[0], &side[0]) | bag_pool(g, &b->border[1], &side[1]) |
				bag_pool(g, &b->gold_site, &gs) | bag_pool(g, &b->gold_collector, &gc) |
				bag_pool(g, &b->gold_comptoir, &gco) | bag_pool(g, &b->gold_exporter, &ge);
		iffa_generate__bag_dispose(&side[0]);
		iffa_generate__bag_dispose(&side[1]);
		iffa_generate__bag_dispose(&gs);
		iffa_generate__bag_dispose(&gc);
		iffa_generate__bag_dispose(&gco);
		iffa_generate__bag_dispose(&ge);
	}
	return error ? g->error : 0;
}

/* Planted hawala brokers do licit business too, with an ordinary partner. */
int iffa_generate__background_add_broker(gen *g, uint32_t planted_hawala, uint32_t partner_hawala)
{
	bg_state *b = bg(g);
	broker_pair *np = realloc(b->pairs, (b->npairs + 1) * sizeof(*np));

	if (!np)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
	b->pairs = np;
	b->pairs[b->npairs].a = partner_hawala;
	b->pairs[b->npairs].b = planted_hawala;
	b->pairs[b->npairs].w = 1.5;
	b->npairs++;
	return 0;
}

/* Any ordinary hawala account in a place, for a planted broker's partner. */
uint32_t iffa_generate__background_broker_near(gen *g, gen_rng *r, int place)
{
	bg_state *b = bg(g);
	uint32_t best = UINT32_MAX;
	uint32_t start = b->npairs ? gen_below(r, b->npairs) : 0;

	for (uint32_t k = 0; k < b->npairs; k++) {
		uint32_t i = (start + k) % b->npairs;
		uint32_t acc[2] = {b->pairs[i].a, b->pairs[i].b};
		for (int s = 0; s < 2; s++) {
			if (planted(g, acc[s]))
				continue;
			if (g->party[g->acct[acc[s]].party].place == place)
				return acc[s];
			if (best == UINT32_MAX)
				best = acc[s];
		}
	}
	return best;
}

int iffa_generate__background_build(gen *g, gen_rng *r, uint64_t n)
{
	bg_state *b = bg(g);
	gen_bag cls = {0};
	int error;

	if ((error = make_pools(g, r)) < 0 || (error = make_contacts(g, r)) < 0 ||
	    (error = make_employment(g, r, n)) < 0 || (error = make_groups(g, r, n)) < 0)
		return error;
	for (int i = 0; i < CL_N && !error; i++)
		error = bag_add(g, &cls, (uint32_t)i, class_share[i]);
	if (!error)
		error = bag_pool(g, &b->cls, &cls);
	return error;
}

uint64_t iffa_generate__background_scheduled(const gen *g)
{
	const bg_state *b = (const bg_state *)g->bg;
	uint64_t total = 0;

	for (int64_t t = g->t0; t < g->t1; t += GEN_DAY) {
		int y, m, d;
		iffa_generate__civil_from_days(t / GEN_DAY, &y, &m, &d);
		total += b->per_payday[d];
	}
	return total;
}

/* ------------------------------------------------------------------ */
/* A day of ordinary transfers                                         */
/* ------------------------------------------------------------------ */

/* Time of day: mostly office and market hours, some at any hour. */
static int64_t time_of_day(gen_rng *r)
{
	double h;

	if (gen_chance(r, 0.1))
		return (int64_t)gen_below(r, GEN_DAY);
	h = gen_chance(r, 0.55) ? 10.5 + 2.2 * gen_normal(r) : 17.5 + 2.2 * gen_normal(r);
	if (h < 6)
		h = 6 + gen_unif(r);
	if (h > 23.5)
		h = 23 + gen_unif(r) * 0.5;
	return (int64_t)(h * GEN_HOUR);
}

/* Round to what people type: often to a "nice" value. */
static double nice(gen_rng *r, double x)
{
	double step;

	if (x < 100 || !gen_chance(r, 0.6))
		return x;
	for (step = 1; step * 100 <= x; step *= 10)
		;
	if (gen_chance(r, 0.5))
		step *= 5;
	return fmax(step, floor(x / step + 0.5) * step);
}

static uint32_t contact_or_fresh(gen *g, gen_rng *r, uint32_t from, const gen_pool *fresh)
{
	const gen_account *a = &g->acct[from];

	if (a->ncontacts > 0 && gen_chance(r, 0.75)) {
		/* Zipf-like over the contact list: the first ones most often */
		double u = gen_unif(r);
		uint32_t k = (uint32_t)(a->ncontacts * u * u);
		uint32_t c = g->contacts[a->contacts + (k < a->ncontacts ? k : a->ncontacts - 1u)];
		if (c != from)
			return c;
	}
	return draw_other(g, fresh, r, from);
}

static const int purpose_p2p[] = {0, 0, 0, 1, 2, 3, 4, 5};
enum { PU_NONE, PU_FAMILY, PU_TRANSPORT, PU_SCHOOL, PU_RENT, PU_PURCHASE, PU_SALARY,
	PU_INVOICE, PU_GOODS, PU_GOLD, PU_REMIT, PU_DEPOSIT, PU_WITHDRAWAL, PU_TONTINE,
	PU_LIVESTOCK, PU_FUEL, PU_TREASURY, PU_AID, PU_LOAN, PU_SERVICES, PU_CEREALS };

static void p2p(gen *g, gen_rng *r, int64_t t)
{
	bg_state *b = bg(g);
	uint32_t from = gen_pool_draw(&b->p2p_send, r);
	const gen_account *a = &g->acct[from];
	const gen_pool *fresh = gen_chance(r, 0.6) ? &b->mm_place[g->party[a->party].place]
						   : &b->mm_country[a->country];
	uint32_t to = contact_or_fresh(g, r, from, fresh);

	if (to == UINT32_MAX)
		return;
	iffa_generate__emit(g, t, from, to,
			    nice(r, gen_lognormal(r, 15000, 1.1) /
					   iffa_generate__rate(g, iffa_generate__account_currency(g, from), t)),
			    iffa_generate__account_currency(g, from), -1,
			    purpose_p2p[gen_below(r, 8)], 0);
}

void iffa_generate__background_day(gen *g, gen_rng *r, int64_t day, uint64_t budget)
{
	bg_state *b = bg(g);
	int y, m, d;

	iffa_generate__civil_from_days(day / GEN_DAY, &y, &m, &d);
	/* salaries of the employers whose payday this is */
	for (uint32_t k = 0; d >= 25 && d <= 28 && k < b->npaying[d - 25]; k++) {
		const employer *em = &b->employers[b->paying[d - 25][k]];
		int64_t t;

		t = day + 8 * GEN_HOUR + gen_below(r, 4 * GEN_HOUR);
		for (uint32_t j = 0; j < em->n; j++) {
			const employee *ee = &b->employees[em->first + j];
			iffa_generate__emit_xof(g, t + j, em->acct, ee->acct, ee->salary, -1, PU_SALARY,
						0);
		}
	}
	while (budget > 0 && !g->error) {
		int64_t t = day + time_of_day(r);
		uint32_t cl = gen_pool_draw(&b->cls, r);
		uint64_t before = g->emitted;
		uint64_t made;

		switch (cl) {
		case CL_MERCHANT: {
			uint32_t from = gen_pool_draw(&b->p2p_send, r);
			const gen_pool *shops = &b->merchant[g->acct[from].country];
			uint32_t to = draw_other(g, shops, r, from);
			if (to != UINT32_MAX)
				iffa_generate__emit_xof(g, t, from, to, nice(r, gen_lognormal(r, 7500, 1.0)),
							-1, gen_chance(r, 0.7) ? PU_PURCHASE : PU_NONE, 0);
			break;
		}
		case CL_CASH: {
			/* a deposit of carried cash, or a withdrawal into it */
			uint32_t cash = gen_pool_draw(&b->cash_send, r);
			uint32_t other = iffa_generate__account_of(g, g->acct[cash].party, AK_BANK);
			double xof = nice(r, gen_lognormal(r, 150000, 1.2));
			if (g->acct[other].kind != AK_BANK)
				other = iffa_generate__account_of(g, g->acct[cash].party, AK_MM);
			if (g->acct[other].kind != AK_BANK && g->acct[other].kind != AK_MM)
				break;
			if (gen_chance(r, 0.6))
				iffa_generate__emit_xof(g, t, cash, other, xof, CH_CASH, PU_DEPOSIT, 0);
			else
				iffa_generate__emit_xof(g, t, other, cash, xof, CH_CASH, PU_WITHDRAWAL, 0);
			break;
		}
		case CL_TRADE: {
			uint32_t from = gen_pool_draw(&b->trade_send, r);
			uint32_t to = contact_or_fresh(g, r, from, &b->firm_bank[g->acct[from].country]);
			static const int pu[] = {PU_INVOICE, PU_INVOICE, PU_GOODS, PU_SERVICES, PU_FUEL,
				PU_CEREALS, PU_LIVESTOCK, PU_NONE};
			if (to != UINT32_MAX)
				iffa_generate__emit_xof(g, t, from, to,
							nice(r, fmin(2e9, gen_lognormal(r, 2.5e6, 1.4))), -1,
							pu[gen_below(r, 8)], 0);
			break;
		}
		case CL_REMIT: {
			uint32_t k = gen_pool_draw(&b->corridor, r);
			int cf = iffa_generate__country(corridors[k].from);
			int ct = iffa_generate__country(corridors[k].to);
			const gen_pool *dest = &b->mm_country[ct];
			uint32_t from, to;
			/* the Soninke diaspora in France sends home to the Kayes region */
			if (cf == 9 && ct == 0 && gen_chance(r, 0.5))
				dest = &b->mm_place[place_named("Kayes")];
			if (b->remit_send[cf].n == 0)
				break;
			from = gen_pool_draw(&b->remit_send[cf], r);
			to = draw_other(g, dest, r, from);
			if (to != UINT32_MAX)
				iffa_generate__emit_xof(g, t, from, to, nice(r, gen_lognormal(r, 75000, 0.8)),
							-1, PU_FAMILY, 0);
			break;
		}
		case CL_HAWALA: {
			/* client pays broker A; broker B pays the beneficiary within
			 * hours; now and then A settles with B */
			broker_pair *bp = &b->pairs[gen_pool_draw(&b->hawala, r)];
			int forward = gen_chance(r, 0.8);
			uint32_t ba = forward ? bp->a : bp->b, bb = forward ? bp->b : bp->a;
			const gen_pool *src = &b->mm_place[g->party[g->acct[ba].party].place];
			const gen_pool *dst = &b->mm_place[g->party[g->acct[bb].party].place];
			uint32_t client, benef;
			double xof = nice(r, gen_lognormal(r, 150000, 1.0));

			if (budget < 2)
				break;
			if (src->n == 0)
				src = &b->mm_country[g->acct[ba].country];
			if (dst->n == 0)
				dst = &b->mm_country[g->acct[bb].country];
			if (src->n == 0)
				src = &b->remit_send[g->acct[ba].country];
			client = draw_other(g, src, r, ba);
			benef = draw_other(g, dst, r, bb);
			if (client == UINT32_MAX || benef == UINT32_MAX)
				break;
			if (t > day + 20 * GEN_HOUR)
				t = day + 20 * GEN_HOUR;
			iffa_generate__emit_xof(g, t, client, ba, xof, CH_HAWALA, PU_FAMILY, 0);
			iffa_generate__emit_xof(g, t + 600 + gen_below(r, 3 * GEN_HOUR), bb, benef,
						xof * 0.98, CH_HAWALA, PU_NONE, 0);
			if (budget >= 3 && gen_chance(r, 0.05))
				iffa_generate__emit_xof(g, t + 4 * GEN_HOUR, ba, bb, xof * gen_range(r, 10, 40),
							CH_BANK, PU_GOODS, 0);
			break;
		}
		case CL_TONTINE: {
			tontine *tt;
			if (b->ntontines == 0)
				break;
			tt = &b->tontines[gen_below(r, b->ntontines)];
			if (gen_chance(r, 1.0 / (tt->n + 1)))
				iffa_generate__emit_xof(g, t, tt->organiser,
							b->tontine_member[tt->first + gen_below(r, tt->n)],
							(double)tt->dues * tt->n, CH_MM, PU_TONTINE, 0);
			else
				iffa_generate__emit_xof(g, t, b->tontine_member[tt->first + gen_below(r, tt->n)],
							tt->organiser, tt->dues, CH_MM, PU_TONTINE, 0);
			break;
		}
		case CL_BORDER: {
			/* goods bought on one side and sold on the other: quick hops
			 * across the border, like layering, but licit */
			int s = (int)gen_below(r, 2);
			uint32_t a1, a2, a3;
			double xof = nice(r, gen_lognormal(r, 1.5e6, 0.9));
			if (budget < 2 || b->border[0].n < 2 || b->border[1].n < 2)
				break;
			a1 = gen_pool_draw(&b->border[s], r);
			a2 = gen_pool_draw(&b->border[1 - s], r);
			if (t > day + 18 * GEN_HOUR)
				t = day + 18 * GEN_HOUR;
			iffa_generate__emit_xof(g, t, a1 + (gen_chance(r, 0.3) ? 1 : 0), a2, xof, -1,
						PU_GOODS, 0);
			if (budget >= 3 && gen_chance(r, 0.5)) {
				a3 = draw_other(g, &b->border[gen_below(r, 2)], r, a2);
				if (a3 != UINT32_MAX)
					iffa_generate__emit_xof(g, t + 1800 + gen_below(r, 4 * GEN_HOUR), a2, a3,
								xof * (0.6 + 0.5 * gen_unif(r)), -1, PU_GOODS, 0);
			}
			break;
		}
		case CL_GOLD:
			iffa_generate__background_gold(g, r, t);
			break;
		case CL_SWEEP: {
			/* a firm sends cash to its sister firms and gets it back days
			 * later: a cycle, and licit */
			uint32_t (*sw)[3];
			double xof = nice(r, gen_lognormal(r, 4e7, 0.8));
			int64_t t2;
			if (budget < 3 || b->nsweep == 0 || day + 10 * GEN_DAY >= g->t1)
				break;
			sw = &b->sweep[gen_below(r, b->nsweep)];
			t2 = t + GEN_DAY + gen_below(r, 2 * GEN_DAY);
			iffa_generate__emit_xof(g, t, (*sw)[0], (*sw)[1], xof, CH_BANK, PU_TREASURY, 0);
			iffa_generate__emit_xof(g, t2, (*sw)[1], (*sw)[2], xof, CH_BANK, PU_TREASURY, 0);
			iffa_generate__emit_xof(g, t2 + GEN_DAY + gen_below(r, 4 * GEN_DAY), (*sw)[2],
						(*sw)[0], xof, CH_BANK, PU_TREASURY, 0);
			break;
		}
		case CL_NGO: {
			uint32_t to;
			if (b->nngo == 0 || b->affected_mm.n == 0)
				break;
			to = draw_other(g, &b->affected_mm, r, b->ngo[0]);
			if (to != UINT32_MAX)
				iffa_generate__emit_xof(g, t, b->ngo[gen_below(r, b->nngo)], to,
							(double)gen_range(r, 10, 30) * 5000, -1, PU_AID, 0);
			break;
		}
		case CL_CRYPTO: {
			uint32_t from, to;
			if (b->crypto.n < 2)
				break;
			from = gen_pool_draw(&b->crypto, r);
			to = draw_other(g, &b->crypto, r, from);
			if (to != UINT32_MAX)
				iffa_generate__emit(g, t, from, to,
						    gen_lognormal(r, 300, 1.2), CUR_USD, CH_CRYPTO, PU_NONE, 0);
			break;
		}
		default:
			break;
		}
		made = g->emitted - before;
		if (made == 0 || made > budget) {
			/* fallback: a plain wallet-to-wallet payment */
			if (made > budget)
				made = budget; /* cannot happen: multi-leg classes check */
			if (made == 0) {
				uint64_t b0 = g->emitted;
				p2p(g, r, t);
				made = g->emitted - b0;
				if (made == 0)
					continue;
				cl = CL_P2P;
			}
		}
		b->class_count[cl] += made;
		budget -= made;
	}
}

/* One trade of the licit gold chain: a lot and the payment for it. */
void iffa_generate__background_gold(gen *g, gen_rng *r, int64_t t)
{
	bg_state *b = bg(g);
	double u = gen_unif(r), grams, fine = 0.80 + 0.13 * gen_unif(r);
	uint32_t seller, buyer, pay_from, pay_to;
	int currency = CUR_XOF, cf, ct;
	double price = iffa_generate__gold_price(g, t), value;

	if (b->gold_site.n == 0 || b->gold_collector.n == 0 || b->gold_comptoir.n == 0 ||
	    b->gold_exporter.n == 0)
		return;
	if (u < 0.6) {
		seller = gen_pool_draw(&b->gold_site, r);
		buyer = gen_pool_draw(&b->gold_collector, r);
		grams = gen_lognormal(r, 80, 0.8);
		value = grams * fine * price * 0.80;
	} else if (u < 0.85) {
		seller = gen_pool_draw(&b->gold_collector, r);
		buyer = gen_pool_draw(&b->gold_comptoir, r);
		grams = gen_lognormal(r, 600, 0.7);
		value = grams * fine * price * 0.88;
	} else if (u < 0.96) {
		seller = gen_pool_draw(&b->gold_comptoir, r);
		buyer = gen_pool_draw(&b->gold_exporter, r);
		grams = gen_lognormal(r, 4000, 0.6);
		value = grams * fine * price * 0.94;
	} else {
		seller = gen_pool_draw(&b->gold_exporter, r);
		buyer = g->refinery[gen_below(r, 3)];
		grams = gen_lognormal(r, 15000, 0.5);
		value = grams * fine * price * 0.985;
		currency = CUR_USD;
	}
	/* no ordinary trade between two parties of the ground truth (the
	 * refineries are in it through the planted chains) */
	if (seller == buyer ||
	    (((g->party[seller].flags | g->party[buyer].flags) & PF_PLANTED) &&
	     ((g->party[seller].flags & PF_PLANTED) || g->party[buyer].kind == PK_REFINERY) &&
	     ((g->party[buyer].flags & PF_PLANTED) || g->party[buyer].kind == PK_REFINERY)))
		return;
	pay_from = iffa_generate__account_of(g, buyer, AK_BANK);
	pay_to = iffa_generate__account_of(g, seller, g->party[buyer].kind == PK_COLLECTOR ? AK_CASH
							: g->party[seller].kind == PK_COLLECTOR ? AK_MM
												   : AK_BANK);
	if (g->party[buyer].kind == PK_COLLECTOR)
		pay_from = iffa_generate__account_of(g, buyer, AK_CASH);
	if (pay_from == pay_to)
		return;
	cf = country_of_place(g->party[seller].place);
	ct = country_of_place(g->party[buyer].place);
	if (currency == CUR_USD)
		iffa_generate__emit(g, t + GEN_HOUR, pay_from, pay_to,
				    value / iffa_generate__rate(g, CUR_USD, t), CUR_USD, CH_BANK, PU_GOLD, 0);
	else
		iffa_generate__emit_xof(g, t + GEN_HOUR, pay_from, pay_to, value, -1, PU_GOLD, 0);
	iffa_generate__gold_lot(g, 0, seller, seller, buyer, grams, fine, value, currency, t, cf, ct);
}

void iffa_generate__background_params(const gen *g, gen_out *o)
{
	const bg_state *b = (const bg_state *)g->bg;

	iffa_generate__out_str(o, "  \"ordinary_transfers_by_class\": {");
	for (int i = 0; i < CL_N; i++) {
		iffa_generate__out_str(o, i ? ", \"" : "\"");
		iffa_generate__out_str(o, class_name[i]);
		iffa_generate__out_str(o, "\": ");
		iffa_generate__out_u64(o, b->class_count[i]);
	}
	iffa_generate__out_str(o, ", \"salary\": ");
	iffa_generate__out_u64(o, iffa_generate__background_scheduled(g));
	iffa_generate__out_str(o, "},\n  \"hard_negative_parties\": {\"licit_gold_trade\": ");
	iffa_generate__out_u64(o, b->hard_negative[0]);
	iffa_generate__out_str(o, ", \"ordinary_hawala_brokers\": ");
	iffa_generate__out_u64(o, b->hard_negative[1]);
	iffa_generate__out_str(o, ", \"border_merchants\": ");
	iffa_generate__out_u64(o, b->hard_negative[2]);
	iffa_generate__out_str(o, ", \"tontine_members\": ");
	iffa_generate__out_u64(o, b->hard_negative[3]);
	iffa_generate__out_str(o, ", \"treasury_sweep_firms\": ");
	iffa_generate__out_u64(o, b->hard_negative[4]);
	iffa_generate__out_str(o, ", \"ngos_paying_in_affected_zones\": ");
	iffa_generate__out_u64(o, b->hard_negative[5]);
	iffa_generate__out_str(o, "},\n");
}

void iffa_generate__background_free(gen *g)
{
	bg_state *b = bg(g);

	if (!b)
		return;
	iffa_generate__pool_dispose(&b->cls);
	iffa_generate__pool_dispose(&b->p2p_send);
	for (int i = 0; b->mm_place && i < iffa_generate__nplaces; i++)
		iffa_generate__pool_dispose(&b->mm_place[i]);
	for (int i = 0; i < iffa_generate__ncountries; i++) {
		if (b->mm_country)
			iffa_generate__pool_dispose(&b->mm_country[i]);
		if (b->merchant)
			iffa_generate__pool_dispose(&b->merchant[i]);
		if (b->firm_bank)
			iffa_generate__pool_dispose(&b->firm_bank[i]);
		if (b->remit_send)
			iffa_generate__pool_dispose(&b->remit_send[i]);
	}
	free(b->mm_place);
	free(b->mm_country);
	free(b->merchant);
	free(b->firm_bank);
	free(b->remit_send);
	iffa_generate__pool_dispose(&b->trade_send);
	iffa_generate__pool_dispose(&b->cash_send);
	iffa_generate__pool_dispose(&b->corridor);
	iffa_generate__pool_dispose(&b->affected_mm);
	iffa_generate__pool_dispose(&b->crypto);
	iffa_generate__pool_dispose(&b->hawala);
	iffa_generate__pool_dispose(&b->border[0]);
	iffa_generate__pool_dispose(&b->border[1]);
	iffa_generate__pool_dispose(&b->gold_site);
	iffa_generate__pool_dispose(&b->gold_collector);
	iffa_generate__pool_dispose(&b->gold_comptoir);
	iffa_generate__pool_dispose(&b->gold_exporter);
	free(b->pairs);
	free(b->ngo);
	free(b->tontines);
	free(b->tontine_member);
	free(b->sweep);
	free(b->employers);
	free(b->employees);
	for (int k = 0; k < 4; k++)
		free(b->paying[k]);
	free(b->weight);
	free(b);
	g->bg = NULL;
}
