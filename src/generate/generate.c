/*
 * iffa_generate(): validate the options, build the world, plan the planted
 * structures, then walk the window day by day, making the ordinary
 * transfers of the day and the planted ones that fall due, and write them
 * in time order through a heap. Also the small files: ransoms, gold lots,
 * levies (their rows as the structures make them), designations, exchange
 * rates and params.json.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "generate/generate.h"

static const char *const file_names[IFFA_GENERATE_FILES] = {
	"party.csv", "account.csv", "transfer.csv", "ransom.csv", "gold_lot.csv", "levy.csv",
	"designation.csv", "fx_rate.csv", "affected_zone.csv", "truth.csv", "params.json"};

const char *const iffa_generate__purpose[] = {
	"", "family support", "transport", "school fees", "rent", "purchase", "salary", "invoice",
	"goods", "gold purchase", "remittance", "cash deposit", "cash withdrawal", "tontine",
	"livestock", "fuel", "treasury transfer", "humanitarian aid", "loan", "services", "cereals"};

/* Decimals written per currency: XOF and GNF have no minor unit in use. */
static const int currency_decimals[CUR_N] = {0, 2, 2, 0, 2, 2, 2, 2};

/* Random streams, one per purpose. */
enum { STREAM_POPULATION = 1, STREAM_PLAN, STREAM_POOLS, STREAM_REFS, STREAM_BACKGROUND,
	STREAM_FX, STREAM_DESIGNATION };

int iffa_generate__fail(gen *g, int code, const char *fmt, ...)
{
	va_list ap;

	if (g->error)
		return g->error;
	va_start(ap, fmt);
	iffa_error_setv(code, fmt, ap);
	va_end(ap);
	g->error = code;
	return code;
}

/* ------------------------------------------------------------------ */
/* Time, exchange rates, gold                                          */
/* ------------------------------------------------------------------ */

static int parse_date(const char *s, int *y, int *m, int *d)
{
	int64_t back;
	int yy, mm, dd;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > 31)
		return -1;
	/* 2025-02-30 would come back as another day */
	back = iffa_generate__days_from_civil(*y, *m, *d);
	iffa_generate__civil_from_days(back, &yy, &mm, &dd);
	return (yy == *y && mm == *m && dd == *d) ? 0 : -1;
}

int iffa_generate__month_index(const gen *g, int64_t t)
{
	int y, m, d, k;

	iffa_generate__civil_from_days(t / GEN_DAY, &y, &m, &d);
	k = (y - g->y0) * 12 + (m - g->m0);
	if (k < 0)
		k = 0;
	if (k >= g->nmonths)
		k = g->nmonths - 1;
	return k;
}

double iffa_generate__rate(const gen *g, int currency, int64_t t)
{
	if (currency == CUR_XOF)
		return 1.0;
	return g->fx[iffa_generate__month_index(g, t) * CUR_N + currency];
}

/* About 85 USD a gram of fine gold in January 2025, rising 1.8 % a month
 * (a scenario value, not a market series). */
double iffa_generate__gold_price(const gen *g, int64_t t)
{
	return g->gold[iffa_generate__month_index(g, t)] * iffa_generate__rate(g, CUR_USD, t);
}

static double round8(double x)
{
	return floor(x * 1e8 + 0.5) / 1e8;
}

/* Monthly rates: EUR fixed by the CFA peg; the dollar drifts around 600 XOF;
 * the dirham follows the dollar at its peg; the others drift against the
 * dollar, the dalasi and the naira weakening. */
static int make_fx(gen *g)
{
	gen_rng r;
	double usd = 610, gnf = 8600, mru = 39.8, gmd = 70, ngn = 1550;

	g->fx = calloc((size_t)g->nmonths * CUR_N, sizeof(double));
	g->gold = calloc((size_t)g->nmonths, sizeof(double));
	if (!g->fx || !g->gold)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory");
	gen_rng_seed(&r, g->opts->seed, STREAM_FX);
	for (int k = 0; k < g->nmonths; k++) {
		double *f = g->fx + (size_t)k * CUR_N;

		f[CUR_XOF] = 1;
		f[CUR_EUR] = 655.957;
		f[CUR_USD] = round8(usd);
		f[CUR_AED] = round8(usd / 3.6725);
		f[CUR_GNF] = round8(usd / gnf);
		f[CUR_MRU] = round8(usd / mru);
		f[CUR_GMD] = round8(usd / gmd);
		f[CUR_NGN] = round8(usd / ngn);
		g->gold[k] = 85.0 * pow(1.018, (g->y0 - 2025) * 12 + (g->m0 - 1) + k);
		usd = usd * (1 + 0.012 * gen_normal(&r)) * 0.9 + 600 * 0.1;
		gnf *= 1 + 0.002 + 0.004 * gen_normal(&r);
		mru *= 1 + 0.006 * gen_normal(&r);
		gmd *= 1 + 0.005 + 0.006 * gen_normal(&r);
		ngn *= 1 + 0.008 + 0.015 * gen_normal(&r);
	}
	return 0;
}

static void write_fx(gen *g)
{
	gen_out *o = &g->out[IFFA_GENERATE_FX_RATE];

	iffa_generate__out_str(o, "currency,valid_from,xof_per_unit,source\n");
	for (int c = 1; c < CUR_N; c++) {
		if (!g->cur_used[c])
			continue;
		for (int k = 0; k < g->nmonths; k++) {
			int y = g->y0 + (g->m0 - 1 + k) / 12, m = (g->m0 - 1 + k) % 12 + 1;
			double v = g->fx[(size_t)k * CUR_N + c];

			iffa_generate__out_str(o, iffa_generate__currency_code[c]);
			out_ch(o, ',');
			iffa_generate__out_date(o, iffa_generate__days_from_civil(y, m, 1) * GEN_DAY);
			out_ch(o, ',');
			iffa_generate__out_fixed(o, (int64_t)floor(v * 1e8 + 0.5), 8);
			iffa_generate__out_str(o, c == CUR_EUR ? ",BCEAO-peg" : ",BCEAO");
			out_end(o);
		}
	}
}

/* The zones of the world the group controls or levies, for
 * `iffa load affected_zone`; the same rows as params.json's affected_zones. */
static void write_zones(gen *g)
{
	gen_out *o = &g->out[IFFA_GENERATE_AFFECTED_ZONE];

	iffa_generate__out_str(o, "country,region,since,note\n");
	for (int i = 0; i < iffa_generate__nplaces; i++) {
		const gen_place *pl = &iffa_generate__places[i];
		if (!(pl->flags & PL_AFFECTED))
			continue;
		iffa_generate__out_str(o, iffa_generate__countries[pl->country].code);
		out_ch(o, ',');
		iffa_generate__out_field(o, pl->name);
		out_ch(o, ',');
		iffa_generate__out_str(o, pl->since);
		iffa_generate__out_str(o, (pl->flags & PL_GOLD_ARMED) ? ",gold sites under levy" : ",");
		out_end(o);
	}
}

/* ------------------------------------------------------------------ */
/* Transfers: emit, heap, write                                        */
/* ------------------------------------------------------------------ */

static int channel_of(int from_kind, int to_kind)
{
	if (from_kind == AK_HAWALA || to_kind == AK_HAWALA)
		return CH_HAWALA;
	if (from_kind == AK_CASH || to_kind == AK_CASH)
		return CH_CASH;
	if (from_kind == AK_CRYPTO || to_kind == AK_CRYPTO)
		return CH_CRYPTO;
	return from_kind == AK_MM ? CH_MM : CH_BANK;
}

static int xfer_before(const gen_xfer *a, const gen_xfer *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void heap_push(gen *g, const gen_xfer *x)
{
	size_t i;

	if (g->nheap == g->capheap) {
		size_t cap = g->capheap ? g->capheap * 2 : 4096;
		gen_xfer *nh = realloc(g->heap, cap * sizeof(*nh));
		if (!nh) {
			iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (transfer queue)");
			return;
		}
		g->heap = nh;
		g->capheap = cap;
	}
	i = g->nheap++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!xfer_before(x, &g->heap[parent]))
			break;
		g->heap[i] = g->heap[parent];
		i = parent;
	}
	g->heap[i] = *x;
}

static void heap_pop(gen *g, gen_xfer *out)
{
	gen_xfer last;
	size_t i = 0;

	*out = g->heap[0];
	last = g->heap[--g->nheap];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= g->nheap)
			break;
		if (c + 1 < g->nheap && xfer_before(&g->heap[c + 1], &g->heap[c]))
			c++;
		if (!xfer_before(&g->heap[c], &last))
			break;
		g->heap[i] = g->heap[c];
		i = c;
	}
	if (g->nheap > 0)
		g->heap[i] = last;
}

void iffa_generate__emit(gen *g, int64_t ts, uint32_t from, uint32_t to, double amount,
			 int currency, int channel, int purpose, int planted)
{
	gen_xfer x;
	int64_t cents;

	if (g->error)
		return;
	if (from == to || from >= g->nacct || to >= g->nacct) {
		iffa_generate__fail(g, IFFA_ERROR, "generate: internal error: transfer %u -> %u", from, to);
		return;
	}
	g->emitted++;
	if (g->counting) {
		g->counted++;
		return;
	}
	/* the window is half-open; the chain order survives in seq */
	if (ts >= g->t1)
		ts = g->t1 - 1;
	if (ts < g->t0)
		ts = g->t0;
	if (!(amount > 0) || amount > 1e13)
		amount = amount > 1e13 ? 1e13 : 1;
	if (currency_decimals[currency] == 0)
		cents = (int64_t)floor(amount + 0.5) * 100;
	else
		cents = (int64_t)floor(amount * 100 + 0.5);
	if (cents <= 0)
		cents = currency_decimals[currency] == 0 ? 100 : 1;
	x.ts = ts;
	x.seq = g->seq++;
	x.cents = cents;
	x.from = from;
	x.to = to;
	x.currency = (uint8_t)currency;
	x.channel = (uint8_t)(channel >= 0 ? channel : channel_of(g->acct[from].kind, g->acct[to].kind));
	x.purpose = (uint8_t)purpose;
	x.planted = (uint8_t)planted;
	g->cur_used[currency] = 1;
	if (planted)
		g->res->planted_transfers++;
	else if ((g->acct[from].flags | g->acct[to].flags) & AF_PLANTED)
		g->res->camouflage_transfers++;
	heap_push(g, &x);
}

void iffa_generate__emit_xof(gen *g, int64_t ts, uint32_t from, uint32_t to, double xof,
			     int channel, int purpose, int planted)
{
	int cur = iffa_generate__account_currency(g, from);

	iffa_generate__emit(g, ts, from, to, xof / iffa_generate__rate(g, cur, ts), cur, channel,
			    purpose, planted);
}

static void write_xfer(gen *g, const gen_xfer *x)
{
	gen_out *o = &g->out[IFFA_GENERATE_TRANSFER];
	const char *sup = iffa_generate__countries[iffa_generate__supplier(g, x->from, x->to)].code;

	iffa_generate__out_raw(o, "goaml-", 6);
	iffa_generate__out_raw(o, sup, 2);
	iffa_generate__out_raw(o, ",T-", 3);
	iffa_generate__out_u64w(o, ++g->written, 10);
	out_ch(o, ',');
	iffa_generate__out_raw(o, iffa_generate__account_ref(g, x->from), g->reflen[x->from]);
	out_ch(o, ',');
	iffa_generate__out_raw(o, iffa_generate__account_ref(g, x->to), g->reflen[x->to]);
	out_ch(o, ',');
	iffa_generate__out_amount(o, x->cents);
	out_ch(o, ',');
	iffa_generate__out_raw(o, iffa_generate__currency_code[x->currency], 3);
	out_ch(o, ',');
	iffa_generate__out_ts(o, x->ts);
	out_ch(o, ',');
	iffa_generate__out_str(o, iffa_generate__channel[x->channel]);
	out_ch(o, ',');
	iffa_generate__out_str(o, iffa_generate__purpose[x->purpose]);
	out_ch(o, ',');
	iffa_generate__out_raw(o, sup, 2);
	out_end(o);
	if (g->opts->progress && g->written >= g->next_progress) {
		fprintf(g->opts->progress, "generate: %llu of %llu transfers written\n",
			(unsigned long long)g->written, (unsigned long long)g->opts->transfers);
		g->next_progress += g->opts->transfers / 10 + 1;
	}
}

/* Write every queued transfer made before `until`. */
static void drain(gen *g, int64_t until)
{
	gen_xfer x;

	while (g->nheap > 0 && g->heap[0].ts < until && !g->error) {
		heap_pop(g, &x);
		write_xfer(g, &x);
	}
}

/* ------------------------------------------------------------------ */
/* Ransoms, levies, gold lots                                          */
/* ------------------------------------------------------------------ */

static const char *pooled_or(int country, const char *fallback)
{
	return iffa_generate__countries[country].pooled ? iffa_generate__countries[country].code
							: fallback;
}

void iffa_generate__ransom(gen *g, uint32_t payer, uint32_t recipient, const char *intermediaries,
			   double xof, int place, int64_t incident, int64_t paid_at)
{
	gen_out *o = &g->out[IFFA_GENERATE_RANSOM];
	int pc = place >= 0 ? iffa_generate__places[place].country : 0;
	uint32_t pay_acct = iffa_generate__account_of(g, payer, AK_BANK);
	int cur = iffa_generate__account_currency(g, pay_acct);
	const char *sup = pooled_or(pc, "ML");
	double amount = xof / iffa_generate__rate(g, cur, paid_at);

	if (cur != CUR_EUR && cur != CUR_USD)
		cur = CUR_XOF, amount = xof;
	g->cur_used[cur] = 1;
	iffa_generate__out_str(o, "case-");
	iffa_generate__out_str(o, sup);
	iffa_generate__out_str(o, ",R-");
	iffa_generate__out_u64w(o, ++g->nransom, 6);
	out_ch(o, ',');
	if (place >= 0)
		iffa_generate__out_field(o, iffa_generate__places[place].name);
	out_ch(o, ',');
	if (place >= 0)
		iffa_generate__out_str(o, iffa_generate__countries[pc].code);
	out_ch(o, ',');
	iffa_generate__out_date(o, incident);
	out_ch(o, ',');
	iffa_generate__out_party_ref(o, g, payer);
	out_ch(o, ',');
	iffa_generate__out_field(o, intermediaries);
	out_ch(o, ',');
	iffa_generate__out_party_ref(o, g, recipient);
	out_ch(o, ',');
	if (currency_decimals[cur] == 0)
		iffa_generate__out_amount(o, (int64_t)floor(amount / 1000 + 0.5) * 100000);
	else
		iffa_generate__out_amount(o, (int64_t)floor(amount + 0.5) * 100);
	out_ch(o, ',');
	iffa_generate__out_str(o, iffa_generate__currency_code[cur]);
	out_ch(o, ',');
	iffa_generate__out_ts(o, paid_at);
	out_ch(o, ',');
	iffa_generate__out_str(o, sup);
	out_end(o);
}

void iffa_generate__levy(gen *g, uint32_t payer, uint32_t collector, const char *kind, double xof,
			 int64_t t, int place)
{
	gen_out *o = &g->out[IFFA_GENERATE_LEVY];
	int pc = iffa_generate__places[place].country;
	const char *sup = pooled_or(pc, "ML");

	if (t >= g->t1)
		t = g->t1 - 1;
	iffa_generate__out_str(o, "survey-");
	iffa_generate__out_str(o, sup);
	iffa_generate__out_str(o, ",L-");
	iffa_generate__out_u64w(o, ++g->nlevy, 7);
	out_ch(o, ',');
	iffa_generate__out_party_ref(o, g, payer);
	out_ch(o, ',');
	iffa_generate__out_party_ref(o, g, collector);
	out_ch(o, ',');
	iffa_generate__out_str(o, kind);
	out_ch(o, ',');
	iffa_generate__out_amount(o, (int64_t)floor(xof + 0.5) * 100);
	iffa_generate__out_str(o, ",XOF,");
	iffa_generate__out_ts(o, t);
	out_ch(o, ',');
	iffa_generate__out_field(o, iffa_generate__places[place].name);
	out_ch(o, ',');
	iffa_generate__out_str(o, iffa_generate__countries[pc].code);
	out_ch(o, ',');
	iffa_generate__out_str(o, sup);
	out_end(o);
}

void iffa_generate__gold_lot(gen *g, int planted, uint32_t site, uint32_t seller, uint32_t buyer,
			     double grams, double fineness, double xof, int currency, int64_t t,
			     int from_country, int to_country)
{
	gen_out *o = &g->out[IFFA_GENERATE_GOLD_LOT];
	const char *sup = pooled_or(from_country, "ML");
	int64_t mg = (int64_t)floor(grams * 1000 + 0.5), fine = (int64_t)floor(fineness * 1e4 + 0.5);
	double value = xof / iffa_generate__rate(g, currency, t);

	(void)planted;
	if (seller == buyer)
		return;
	if (t >= g->t1)
		t = g->t1 - 1;
	if (mg < 1)
		mg = 1;
	if (fine > 10000)
		fine = 10000;
	g->cur_used[currency] = 1;
	iffa_generate__out_str(o, "gold-");
	iffa_generate__out_str(o, sup);
	iffa_generate__out_str(o, ",G-");
	iffa_generate__out_u64w(o, ++g->ngold, 7);
	out_ch(o, ',');
	if (site != UINT32_MAX && g->party[site].kind == PK_MINE_SITE)
		iffa_generate__out_party_ref(o, g, site);
	out_ch(o, ',');
	iffa_generate__out_party_ref(o, g, seller);
	out_ch(o, ',');
	iffa_generate__out_party_ref(o, g, buyer);
	out_ch(o, ',');
	iffa_generate__out_fixed(o, mg, 3);
	out_ch(o, ',');
	iffa_generate__out_fixed(o, fine, 4);
	out_ch(o, ',');
	if (currency_decimals[currency] == 0)
		iffa_generate__out_amount(o, (int64_t)floor(value + 0.5) * 100);
	else
		iffa_generate__out_amount(o, (int64_t)floor(value * 100 + 0.5));
	out_ch(o, ',');
	iffa_generate__out_str(o, iffa_generate__currency_code[currency]);
	out_ch(o, ',');
	iffa_generate__out_ts(o, t);
	out_ch(o, ',');
	iffa_generate__out_str(o, iffa_generate__countries[from_country].code);
	out_ch(o, ',');
	iffa_generate__out_str(o, iffa_generate__countries[to_country].code);
	out_ch(o, ',');
	iffa_generate__out_str(o, sup);
	out_end(o);
}

/* ------------------------------------------------------------------ */
/* Designations                                                        */
/* ------------------------------------------------------------------ */

static void designation_row(gen *g, const char *list, const char *ref, const char *kind,
			    uint32_t party, const char *name, const char *aliases, int64_t listed)
{
	gen_out *o = &g->out[IFFA_GENERATE_DESIGNATION];

	iffa_generate__out_field(o, list);
	out_ch(o, ',');
	iffa_generate__out_str(o, ref);
	out_ch(o, ',');
	iffa_generate__out_str(o, kind);
	out_ch(o, ',');
	iffa_generate__out_field(o, name);
	out_ch(o, ',');
	iffa_generate__out_field(o, aliases);
	out_ch(o, ',');
	iffa_generate__out_date(o, listed);
	out_ch(o, ',');
	if (party != UINT32_MAX)
		iffa_generate__out_party_ref(o, g, party);
	out_ch(o, ',');
	iffa_generate__out_str(o, strcmp(list, "UN") == 0 ? "UN-1267" : "national-list");
	out_end(o);
}

static void write_designations(gen *g)
{
	gen_rng r;
	char name[160], ref[32], list[32];

	gen_rng_seed(&r, g->opts->seed, STREAM_DESIGNATION);
	(void)list;
	iffa_generate__out_str(&g->out[IFFA_GENERATE_DESIGNATION],
			       "list_name,reference,entry_kind,name,aliases,listed_on,party_ref,source\n");
	/* the UN 1267 list entries: the group and two of its leaders */
	designation_row(g, "UN", "QDe.159", "entity", g->jnim, "Jama'at Nasr al-Islam wal Muslimin",
			"Jama'at Nusrat al-Islam wal-Muslimin|Groupe de soutien à l'islam et aux "
			"musulmans|GSIM|JNIM",
			iffa_generate__days_from_civil(2018, 10, 4) * GEN_DAY);
	designation_row(g, "UN", "QDi.316", "individual", g->ghali, "Iyad Ag Ghali", "Iyad Ag Ghaly",
			iffa_generate__days_from_civil(2013, 2, 25) * GEN_DAY);
	designation_row(g, "UN", "QDi.425", "individual", g->koufa, "Amadou Koufa", "Amadou Kouffa",
			iffa_generate__days_from_civil(2020, 2, 4) * GEN_DAY);
	/* fictitious facilitators on the national lists of their countries */
	for (int i = 0; i < g->nfacilitators; i++) {
		uint32_t p = g->facilitator[i];
		const char *cc = iffa_generate__party_country(g, p);
		int64_t listed = g->t0 - (int64_t)gen_range(&r, 60, 900) * GEN_DAY;

		iffa_generate__party_name(g, p, name, sizeof(name));
		snprintf(list, sizeof(list), "%s-NATIONAL", cc);
		snprintf(ref, sizeof(ref), "%s-FT-%03d", cc, i + 1);
		designation_row(g, list, ref, "individual", p, name, "", listed);
	}
	/* an entry tied to no party, as lists hold many that match no record */
	iffa_generate__person_name(g, &r, "Gao", name, sizeof(name));
	designation_row(g, "ML-NATIONAL", "ML-FT-900", "individual", UINT32_MAX, name, "",
			g->t0 - 400 * GEN_DAY);
}

/* ------------------------------------------------------------------ */
/* params.json                                                         */
/* ------------------------------------------------------------------ */

static void json_str(gen_out *o, const char *s)
{
	out_ch(o, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out_ch(o, '\\');
		out_ch(o, *s);
	}
	out_ch(o, '"');
}

static void write_params(gen *g, uint64_t planted, uint64_t scheduled)
{
	gen_out *o = &g->out[IFFA_GENERATE_PARAMS];
	const iffa_generate_options *opts = g->opts;
	int first = 1;

	iffa_generate__out_str(o, "{\n  \"generator\": \"iffa generate\",\n  \"iffa_version\": ");
	json_str(o, iffa_version());
	iffa_generate__out_str(o, ",\n  \"seed\": ");
	iffa_generate__out_u64(o, opts->seed);
	iffa_generate__out_str(o, ",\n  \"transfers\": ");
	iffa_generate__out_u64(o, opts->transfers);
	iffa_generate__out_str(o, ",\n  \"camouflage\": ");
	iffa_generate__out_fixed(o, (int64_t)floor(opts->camouflage * 1e4 + 0.5), 4);
	iffa_generate__out_str(o, ",\n  \"start\": ");
	json_str(o, opts->start);
	iffa_generate__out_str(o, ",\n  \"months\": ");
	iffa_generate__out_u64(o, (uint64_t)opts->months);
	iffa_generate__out_str(o, ",\n  \"window\": {\"from\": \"");
	iffa_generate__out_ts(o, g->t0);
	iffa_generate__out_str(o, "\", \"to\": \"");
	iffa_generate__out_ts(o, g->t1);
	iffa_generate__out_str(o, "\"},\n  \"thresholds_xof\": {\"cash\": ");
	iffa_generate__out_u64(o, (uint64_t)iffa_generate__threshold_cash());
	iffa_generate__out_str(o, ", \"mobile_money\": ");
	iffa_generate__out_u64(o, (uint64_t)iffa_generate__threshold_mm());
	iffa_generate__out_str(o, "},\n  \"affected_zones\": [");
	for (int i = 0; i < iffa_generate__nplaces; i++) {
		const gen_place *pl = &iffa_generate__places[i];
		if (!(pl->flags & PL_AFFECTED))
			continue;
		iffa_generate__out_str(o, first ? "\n    {\"country\": " : ",\n    {\"country\": ");
		json_str(o, iffa_generate__countries[pl->country].code);
		iffa_generate__out_str(o, ", \"region\": ");
		json_str(o, pl->name);
		iffa_generate__out_str(o, ", \"since\": ");
		json_str(o, pl->since);
		iffa_generate__out_str(o, ", \"gold_sites\": ");
		iffa_generate__out_str(o, (pl->flags & PL_GOLD_ARMED) ? "true}" : "false}");
		first = 0;
	}
	iffa_generate__out_str(o, "\n  ],\n  \"border_towns\": [");
	first = 1;
	for (int i = 0; i < iffa_generate__nplaces; i++) {
		const gen_place *pl = &iffa_generate__places[i];
		if (!(pl->flags & PL_BORDER))
			continue;
		iffa_generate__out_str(o, first ? "{\"country\": " : ", {\"country\": ");
		json_str(o, iffa_generate__countries[pl->country].code);
		iffa_generate__out_str(o, ", \"region\": ");
		json_str(o, pl->name);
		out_ch(o, '}');
		first = 0;
	}
	iffa_generate__out_str(o, "],\n  \"structures\": {");
	for (int k = 0; k < IFFA_GENERATE_STRUCTURES; k++) {
		uint64_t t = 0;
		for (uint32_t i = 0; i < g->ninst; i++)
			if (g->inst[i].kind == k)
				t += g->inst[i].nxfers;
		iffa_generate__out_str(o, k ? ",\n    " : "\n    ");
		json_str(o, iffa_generate_structure_name((iffa_generate_structure)k));
		iffa_generate__out_str(o, ": {\"instances\": ");
		iffa_generate__out_u64(o, g->res->instances[k]);
		iffa_generate__out_str(o, ", \"linked\": ");
		iffa_generate__out_u64(o, g->res->linked[k]);
		iffa_generate__out_str(o, ", \"transfers\": ");
		iffa_generate__out_u64(o, t);
		out_ch(o, '}');
	}
	iffa_generate__out_str(o, "\n  },\n  \"planted_transfers\": ");
	iffa_generate__out_u64(o, planted);
	iffa_generate__out_str(o, ",\n  \"planted_parties\": ");
	iffa_generate__out_u64(o, g->res->planted_parties);
	iffa_generate__out_str(o, ",\n  \"planted_accounts\": ");
	iffa_generate__out_u64(o, g->res->planted_accounts);
	iffa_generate__out_str(o, ",\n  \"camouflage_transfers\": ");
	iffa_generate__out_u64(o, g->res->camouflage_transfers);
	iffa_generate__out_str(o, ",\n  \"scheduled_salaries\": ");
	iffa_generate__out_u64(o, scheduled);
	iffa_generate__out_str(o, ",\n");
	iffa_generate__background_params(g, o);
	iffa_generate__out_str(o, "  \"rows\": {");
	for (int f = 0; f < IFFA_GENERATE_PARAMS; f++) {
		iffa_generate__out_str(o, f ? ", " : "");
		json_str(o, file_names[f]);
		iffa_generate__out_str(o, ": ");
		iffa_generate__out_u64(o, g->out[f].rows);
	}
	iffa_generate__out_str(o, "},\n  \"notes\": \"affected_zones are also in affected_zone.csv "
				  "(iffa load affected_zone); refs repeat across seeds, so load one "
				  "scenario per database\"\n}\n");
}

/* ------------------------------------------------------------------ */
/* The run                                                             */
/* ------------------------------------------------------------------ */

static int check_options(const iffa_generate_options *opts, int *y, int *m, int *d)
{
	if (!opts)
		return iffa_error_set(IFFA_EINVAL, "generate: no options");
	if (opts->transfers < IFFA_GENERATE_MIN_TRANSFERS || opts->transfers > IFFA_GENERATE_MAX_TRANSFERS)
		return iffa_error_set(IFFA_EINVAL, "generate: transfers must be %d to %d, not %llu",
				      IFFA_GENERATE_MIN_TRANSFERS, IFFA_GENERATE_MAX_TRANSFERS,
				      (unsigned long long)opts->transfers);
	if (!(opts->camouflage >= 0.0 && opts->camouflage <= 1.0))
		return iffa_error_set(IFFA_EINVAL, "generate: camouflage must be in [0, 1], not %g",
				      opts->camouflage);
	if (parse_date(opts->start, y, m, d) < 0)
		return iffa_error_set(IFFA_EINVAL, "generate: start must be a date YYYY-MM-DD, not '%s'",
				      opts->start ? opts->start : "(null)");
	if (opts->months < 1 || opts->months > 120)
		return iffa_error_set(IFFA_EINVAL, "generate: months must be 1 to 120, not %d",
				      opts->months);
	if (!opts->out_dir || !*opts->out_dir)
		return iffa_error_set(IFFA_EINVAL, "generate: no output directory");
	return 0;
}

static int make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return iffa_error_set(IFFA_EIO, "generate: cannot create directory %s: %s", dir,
			      errno == EEXIST ? "a file of that name exists" : strerror(errno));
}

/* Share of the day's ordinary transfers: weekdays over Sundays, a busier
 * end and start of the month (salaries spent, bills paid). */
static double day_weight(int64_t day)
{
	static const double weekday[7] = {1.0, 1.0, 1.0, 1.05, 1.1, 0.85, 0.6}; /* Thu..Wed */
	int64_t z = day / GEN_DAY;
	int y, m, d;

	iffa_generate__civil_from_days(z, &y, &m, &d);
	return weekday[((z % 7) + 7) % 7] * ((d >= 25 || d <= 3) ? 1.2 : 1.0);
}

static void gen_dispose(gen *g)
{
	for (int f = 0; f < IFFA_GENERATE_FILES; f++)
		iffa_generate__out_abandon(&g->out[f]);
	iffa_generate__background_free(g);
	free(g->party);
	free(g->acct);
	free(g->contacts);
	free(g->refs);
	free(g->reflen);
	free(g->party_by_refno);
	free(g->acct_by_refno);
	free(g->members);
	free(g->inst);
	free(g->heap);
	free(g->fx);
	free(g->gold);
}

int iffa_generate(iffa_generate_result *out, const iffa_generate_options *opts)
{
	gen g;
	iffa_generate_result res;
	gen_rng r, bgr;
	int y = 0, m = 0, d = 0, error;
	uint64_t planted = 0, scheduled, budget;
	double total_w = 0, cum_w = 0;
	uint64_t given = 0;
	uint32_t next_inst = 0;

	memset(&g, 0, sizeof(g));
	memset(&res, 0, sizeof(res));
	if ((error = check_options(opts, &y, &m, &d)) < 0)
		return error;
	if ((error = make_dir(opts->out_dir)) < 0)
		return error;
	g.opts = opts;
	g.res = &res;
	g.t0 = iffa_generate__days_from_civil(y, m, d) * GEN_DAY;
	g.t1 = iffa_generate__days_from_civil(y + (m - 1 + opts->months) / 12,
					      (m - 1 + opts->months) % 12 + 1, 1) * GEN_DAY;
	/* the window ends on the same day of the month as it starts */
	{
		int y1 = y + (m - 1 + opts->months) / 12, m1 = (m - 1 + opts->months) % 12 + 1;
		int64_t first = iffa_generate__days_from_civil(y1, m1, 1);
		int64_t next = iffa_generate__days_from_civil(y1 + m1 / 12, m1 % 12 + 1, 1);
		int64_t dd = d - 1 < next - first ? d - 1 : next - first - 1;
		g.t1 = (first + dd) * GEN_DAY;
	}
	g.y0 = y;
	g.m0 = m;
	g.nmonths = 1;
	{
		int y1, m1, d1;
		iffa_generate__civil_from_days((g.t1 - 1) / GEN_DAY, &y1, &m1, &d1);
		g.nmonths = (y1 - y) * 12 + (m1 - m) + 1;
	}
	g.next_progress = opts->transfers / 10;
	for (int f = 0; f < IFFA_GENERATE_FILES; f++)
		if ((error = iffa_generate__out_open(&g.out[f], opts->out_dir, file_names[f])) < 0) {
			iffa_generate__fail(&g, error, "%s", iffa_error_last());
			goto done;
		}
	if (opts->progress)
		fprintf(opts->progress, "generate: building the population\n");
	if (make_fx(&g) < 0)
		goto done;
	gen_rng_seed(&r, opts->seed, STREAM_POPULATION);
	if (iffa_generate__background_population(&g, &r, opts->transfers) < 0)
		goto done;
	gen_rng_seed(&r, opts->seed, STREAM_PLAN);
	if (iffa_generate__plant_plan(&g, &r) < 0)
		goto done;
	{
		uint8_t *seen = calloc(g.nparty ? g.nparty : 1, 1);
		if (!seen) {
			iffa_generate__fail(&g, IFFA_ENOMEM, "generate: out of memory");
			goto done;
		}
		for (uint32_t i = 0; i < g.nmembers; i++) {
			uint32_t p = g.members[i].party;
			if (!seen[p]) {
				seen[p] = 1;
				res.planted_parties++;
				res.planted_accounts += g.party[p].naccounts;
			}
		}
		free(seen);
	}
	res.window_start = g.t0;
	res.window_end = g.t1;
	gen_rng_seed(&r, opts->seed, STREAM_POOLS);
	if (iffa_generate__background_build(&g, &r, opts->transfers) < 0)
		goto done;
	gen_rng_seed(&r, opts->seed, STREAM_REFS);
	if (iffa_generate__refs_assign(&g, &r) < 0 || iffa_generate__plant_count(&g, &planted) < 0)
		goto done;
	scheduled = iffa_generate__background_scheduled(&g);
	if (planted + scheduled >= opts->transfers) {
		iffa_generate__fail(&g, IFFA_EINVAL,
				    "generate: %llu transfers leave no room for ordinary activity "
				    "beside %llu planted and %llu salaries",
				    (unsigned long long)opts->transfers, (unsigned long long)planted,
				    (unsigned long long)scheduled);
		goto done;
	}
	budget = opts->transfers - planted - scheduled;
	iffa_generate__write_parties(&g);
	iffa_generate__write_accounts(&g);
	write_designations(&g);
	iffa_generate__write_truth(&g);
	iffa_generate__out_str(&g.out[IFFA_GENERATE_TRANSFER],
			       "source,source_ref,from_account,to_account,amount,currency,ts,channel,"
			       "purpose,supplier\n");
	iffa_generate__out_str(&g.out[IFFA_GENERATE_RANSOM],
			       "source,source_ref,incident_place,incident_country,incident_date,payer,"
			       "intermediaries,recipient,amount,currency,paid_at,supplier\n");
	iffa_generate__out_str(&g.out[IFFA_GENERATE_GOLD_LOT],
			       "source,source_ref,origin_site,seller,buyer,grams,fineness,value,currency,"
			       "traded_at,from_country,to_country,supplier\n");
	iffa_generate__out_str(&g.out[IFFA_GENERATE_LEVY],
			       "source,source_ref,payer,collector,levy_kind,amount,currency,levied_at,"
			       "place,country,supplier\n");
	if (opts->progress)
		fprintf(opts->progress,
			"generate: %u parties, %u accounts, %u planted instances; writing transfers\n",
			g.nparty, g.nacct, g.ninst);
	for (int64_t day = g.t0; day < g.t1; day += GEN_DAY)
		total_w += day_weight(day);
	gen_rng_seed(&bgr, opts->seed, STREAM_BACKGROUND);
	for (int64_t day = g.t0; day < g.t1 && !g.error; day += GEN_DAY) {
		uint64_t upto;

		while (next_inst < g.ninst && g.inst[next_inst].start < day + GEN_DAY)
			iffa_generate__plant_run(&g, &g.inst[next_inst++]);
		cum_w += day_weight(day);
		upto = day + GEN_DAY >= g.t1 ? budget : (uint64_t)((double)budget * cum_w / total_w);
		iffa_generate__background_day(&g, &bgr, day, upto - given);
		given = upto;
		drain(&g, day + GEN_DAY);
	}
	while (next_inst < g.ninst && !g.error)
		iffa_generate__plant_run(&g, &g.inst[next_inst++]);
	drain(&g, INT64_MAX);
	if (g.error)
		goto done;
	if (g.written != opts->transfers) {
		iffa_generate__fail(&g, IFFA_ERROR,
				    "generate: internal error: %llu transfers written, %llu asked",
				    (unsigned long long)g.written, (unsigned long long)opts->transfers);
		goto done;
	}
	write_fx(&g);
	write_zones(&g);
	for (int f = 0; f < IFFA_GENERATE_PARAMS && !g.error; f++) {
		iffa_generate__out_flush(&g.out[f]);
		res.files[f].rows = g.out[f].rows;
	}
	write_params(&g, planted, scheduled);
	for (int f = 0; f < IFFA_GENERATE_FILES; f++) {
		iffa_generate__out_flush(&g.out[f]);
		res.files[f].name = file_names[f];
		res.files[f].rows = g.out[f].rows;
		res.files[f].bytes = g.out[f].bytes;
		if (!g.error && (error = iffa_generate__out_finish(&g.out[f])) < 0)
			iffa_generate__fail(&g, error, "%s", iffa_error_last());
	}
	/* Only when every file is whole does any take its name: a failure
	 * leaves no scenario with some files new and others old or missing. */
	for (int f = 0; f < IFFA_GENERATE_FILES && !g.error; f++)
		if ((error = iffa_generate__out_commit(&g.out[f])) < 0)
			iffa_generate__fail(&g, error, "%s", iffa_error_last());
	if (!g.error && opts->progress)
		fprintf(opts->progress, "generate: done\n");
done:
	error = g.error;
	gen_dispose(&g);
	if (error == 0 && out)
		*out = res;
	return error;
}
