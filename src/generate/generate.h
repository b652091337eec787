/*
 * Internals of the scenario generator shared by its files: the random
 * number generator, weighted pools, the CSV writer, the world (places,
 * parties, accounts), planted structure instances and the run state.
 *
 * Files: rng.c (pools), csv.c (writer, dates), world.c (geography, names,
 * population), plant.c (planted structures), background.c (ordinary
 * activity), generate.c (the public entry point, the time-ordered merge and
 * the small files).
 */
#ifndef IFFA_SRC_GENERATE_H
#define IFFA_SRC_GENERATE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/atomicfile.h"
#include "iffa/common.h"
#include "iffa/generate.h"

#define GEN_PI 3.14159265358979323846

/* ------------------------------------------------------------------ */
/* Random numbers                                                      */
/* ------------------------------------------------------------------ */

/*
 * xoshiro256** 1.0 (D. Blackman and S. Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021; reference code at
 * prng.di.unimi.it), its state filled by splitmix64 (G. Steele, D. Lea and
 * C. Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014)
 * as the authors advise. One generator per purpose (population, plan,
 * background, each planted instance), each from (seed, stream), so that a
 * change in one part does not shift the numbers of the others. igraph's
 * generator is process-global and is not used.
 */
typedef struct {
	uint64_t s[4];
	double spare;  /* second normal deviate of Box-Muller */
	int has_spare;
} gen_rng;

static inline uint64_t gen_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = gen_splitmix(&x);
	r->has_spare = 0;
	r->spare = 0;
}

static inline uint64_t gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t gen_next(gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = gen_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double gen_unif(gen_rng *r)
{
	return (double)(gen_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n < 2^32 (Lemire's multiply-shift; the bias
 * of at most n / 2^32 does not matter here). */
static inline uint32_t gen_below(gen_rng *r, uint32_t n)
{
	return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]. */
static inline int gen_range(gen_rng *r, int lo, int hi)
{
	return lo + (int)gen_below(r, (uint32_t)(hi - lo + 1));
}

static inline int gen_chance(gen_rng *r, double p)
{
	return gen_unif(r) < p;
}

/* Standard normal deviate (Box-Muller, both values used). */
static inline double gen_normal(gen_rng *r)
{
	double u, v, rad;

	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	u = 1.0 - gen_unif(r); /* (0, 1] so that log is finite */
	v = gen_unif(r);
	rad = sqrt(-2.0 * log(u));
	r->spare = rad * sin(2.0 * GEN_PI * v);
	r->has_spare = 1;
	return rad * cos(2.0 * GEN_PI * v);
}

/* Log-normal with the given median and shape sigma. */
static inline double gen_lognormal(gen_rng *r, double median, double sigma)
{
	return median * exp(sigma * gen_normal(r));
}

/* Pareto with scale 1 and tail index alpha, truncated at cap. */
static inline double gen_pareto(gen_rng *r, double alpha, double cap)
{
	double x = pow(1.0 - gen_unif(r), -1.0 / alpha);

	return x < cap ? x : cap;
}

/*
 * A set of items drawn with probability proportional to their weights, in
 * O(1) per draw by Walker's alias method (A. J. Walker, ACM TOMS 3(3), 1977)
 * built in O(n) as M. D. Vose describes (IEEE TSE 17(9), 1991).
 */
typedef struct {
	uint32_t *item;   /* the items (account or party indices) */
	float *prob;      /* probability of keeping slot i */
	uint32_t *alias;  /* slot to take otherwise */
	uint32_t n;
} gen_pool;

/* Build from items and weights (weights > 0; both arrays copied). */
int iffa_generate__pool_build(gen_pool *p, const uint32_t *item, const double *w, uint32_t n);
void iffa_generate__pool_dispose(gen_pool *p);

static inline uint32_t gen_pool_draw(const gen_pool *p, gen_rng *r)
{
	uint64_t x = gen_next(r);
	uint32_t i = (uint32_t)(((x >> 32) * (uint64_t)p->n) >> 32);
	float u = (float)(x & 0xffffff) * 0x1.0p-24f;

	return u < p->prob[i] ? p->item[i] : p->item[p->alias[i]];
}

/* A growable list of items with weights, turned into a pool. */
typedef struct {
	uint32_t *item;
	double *w;
	uint32_t n, cap;
} gen_bag;

int iffa_generate__bag_add(gen_bag *b, uint32_t item, double w);
/* Build the pool from the bag and empty the bag. */
int iffa_generate__bag_pool(gen_pool *p, gen_bag *b);
void iffa_generate__bag_dispose(gen_bag *b);

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/* A buffered output file, written under a temporary name beside its final
 * one (core/atomicfile.h) and renamed only when every file is whole. */
typedef struct {
	iffa_atomicfile *af;
	char *buf;
	size_t len, cap;
	uint64_t rows;
	uint64_t bytes;
	int failed;            /* code of the first failure, or 0 */
	char why[1024];        /* its message */
	char path[4096];       /* final name */
} gen_out;

int iffa_generate__out_open(gen_out *o, const char *dir, const char *name);
/* Flush, sync and close; IFFA_EIO on failure (message set). */
int iffa_generate__out_finish(gen_out *o);
/* Rename into place (after _finish). @return 0 or IFFA_EIO */
int iffa_generate__out_commit(gen_out *o);
/* Remove the temporary file if it is still there (after a failure). */
void iffa_generate__out_abandon(gen_out *o);
void iffa_generate__out_flush(gen_out *o);

static inline void out_reserve(gen_out *o, size_t n)
{
	if (o->len + n > o->cap)
		iffa_generate__out_flush(o);
}

static inline void out_ch(gen_out *o, char c)
{
	out_reserve(o, 1);
	o->buf[o->len++] = c;
}

/* Raw bytes: the caller knows they need no quoting. */
void iffa_generate__out_raw(gen_out *o, const char *s, size_t n);
void iffa_generate__out_str(gen_out *o, const char *s);
/* A CSV field, quoted when it holds a comma, quote or line break. */
void iffa_generate__out_field(gen_out *o, const char *s);
void iffa_generate__out_u64(gen_out *o, uint64_t v);
/* Zero-padded to at least `width` digits. */
void iffa_generate__out_u64w(gen_out *o, uint64_t v, int width);
/* A fixed-point number: v / 10^decimals, with exactly `decimals` places. */
void iffa_generate__out_fixed(gen_out *o, int64_t v, int decimals);
/* An amount held in hundredths: "1250" or "12.50" (trailing ".00" cut). */
void iffa_generate__out_amount(gen_out *o, int64_t cents);
/* "2025-03-04T10:15:00Z" for UTC seconds. */
void iffa_generate__out_ts(gen_out *o, int64_t t);
/* "2025-03-04". */
void iffa_generate__out_date(gen_out *o, int64_t t);
static inline void out_end(gen_out *o)
{
	out_ch(o, '\n');
	o->rows++;
}

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant,
 * "chrono-compatible low-level date algorithms"). */
int64_t iffa_generate__days_from_civil(int y, int m, int d);
void iffa_generate__civil_from_days(int64_t z, int *y, int *m, int *d);

#define GEN_DAY 86400
#define GEN_HOUR 3600

/* ------------------------------------------------------------------ */
/* The world                                                           */
/* ------------------------------------------------------------------ */

enum { CUR_XOF, CUR_EUR, CUR_USD, CUR_GNF, CUR_MRU, CUR_GMD, CUR_AED, CUR_NGN, CUR_N };

/* Account kinds and channels share the spelling of FORMATS.md. */
enum { AK_BANK, AK_MM, AK_HAWALA, AK_CRYPTO, AK_CASH, AK_N };
enum { CH_BANK, CH_MM, CH_HAWALA, CH_CASH, CH_CRYPTO, CH_N };

enum {
	PK_PERSON, PK_ORGANISATION, PK_COMPANY, PK_ARMED_GROUP, PK_VILLAGE,
	PK_MINE_SITE, PK_COLLECTOR, PK_COMPTOIR, PK_EXPORTER, PK_REFINERY, PK_N
};

/* Place flags. */
#define PL_AFFECTED 0x01  /* under the group's control or levy */
#define PL_BORDER 0x02    /* ML-SN border corridor town */
#define PL_GOLD_LEGIT 0x04 /* artisanal gold outside the affected zones */
#define PL_GOLD_ARMED 0x08 /* gold sites under the group's levy */
#define PL_CITY 0x10      /* capital or trade hub */
#define PL_ABROAD 0x20    /* diaspora or refinery place, few residents */

typedef struct {
	const char *code;      /* ISO 3166-1 alpha-2 */
	int currency;          /* CUR_* */
	const char *dial;      /* calling code, without "+" */
	int digits;            /* digits of a national mobile number */
	const char *mobile;    /* leading digit(s) of mobile numbers */
	int names;             /* default name group */
	const char *banks[4];
	const char *wallets[3]; /* mobile-money issuers; NULL when none */
	int pooled;            /* an FIU of the pooled region */
} gen_country;

typedef struct {
	const char *name;      /* written as party.region */
	int country;           /* index in iffa_generate__countries */
	double weight;         /* share of residents */
	unsigned flags;        /* PL_* */
	int names;             /* name group; -1 for the country's */
	const char *since;     /* affected since, for params.json */
} gen_place;

extern const gen_country iffa_generate__countries[];
extern const int iffa_generate__ncountries;
extern const gen_place iffa_generate__places[];
extern const int iffa_generate__nplaces;
extern const char *const iffa_generate__currency_code[CUR_N];
extern const char *const iffa_generate__party_kind[PK_N];
extern const char *const iffa_generate__account_kind[AK_N];
extern const char *const iffa_generate__channel[CH_N];

int iffa_generate__place(const char *name);     /* index or -1 */
int iffa_generate__country(const char *code);   /* index or -1 */

/* Party flags. */
#define PF_PLANTED 0x01
#define PF_DESIGNATED 0x02
#define PF_FEMALE 0x04

/* Named parties (the UN-listed three, the group itself). */
enum { SP_NONE, SP_JNIM, SP_GHALI, SP_KOUFA };

typedef struct {
	uint32_t first_account; /* accounts of a party are contiguous */
	uint16_t place;
	uint8_t kind;           /* PK_* */
	uint8_t flags;          /* PF_* */
	uint8_t naccounts;
	uint8_t special;        /* SP_* */
	uint32_t refno;         /* number in its ref, a permutation of indices */
} gen_party;

/* Account flags. */
#define AF_PLANTED 0x01

typedef struct {
	uint32_t party;
	uint32_t refno;         /* number in its ref (permuted) */
	uint32_t contacts;      /* offset into gen.contacts */
	uint16_t ncontacts;
	uint8_t kind;           /* AK_* */
	uint8_t inst;           /* institution index in its country */
	uint8_t flags;          /* AF_* */
	uint8_t country;
} gen_account;

/* ------------------------------------------------------------------ */
/* Planted structures                                                  */
/* ------------------------------------------------------------------ */

typedef struct {
	uint32_t party;
	uint8_t role;           /* ROLE_* of plant.c */
} gen_member;

typedef struct {
	int64_t start;          /* UTC seconds of the first event */
	uint32_t id;            /* 1-based within its kind */
	uint32_t first_member;  /* slice of gen.members */
	uint32_t nmembers;
	uint32_t nxfers;        /* transfers it emits */
	uint8_t kind;           /* iffa_generate_structure */
	uint8_t linked;         /* holds a designated party */
	uint8_t variant;        /* kind-specific */
	uint8_t n[4];           /* kind-specific member counts */
	uint32_t amount;        /* kind-specific size, thousands of XOF */
	int16_t place;          /* kind-specific place (incident, region) */
} gen_instance;

/* ------------------------------------------------------------------ */
/* Transfers and the run                                               */
/* ------------------------------------------------------------------ */

typedef struct {
	int64_t ts;
	uint64_t seq;           /* order of making: ties broken by it */
	int64_t cents;          /* amount in hundredths of the currency */
	uint32_t from, to;
	uint8_t currency, channel, purpose, planted;
} gen_xfer;

/* Purposes as a reporting entity would state them. */
extern const char *const iffa_generate__purpose[];

typedef struct {
	const iffa_generate_options *opts;
	iffa_generate_result *res;
	int error;              /* first failure; stops the run */

	int64_t t0, t1;         /* window [t0, t1) in UTC seconds */
	int y0, m0;             /* first month */
	int nmonths;            /* calendar months touched by the window */
	double *fx;             /* [month][CUR_N] XOF per unit */
	double *gold;           /* [month] USD per gram of fine gold */
	int cur_used[CUR_N];

	gen_party *party;
	uint32_t nparty, capparty;
	gen_account *acct;
	uint32_t nacct, capacct;
	uint32_t *contacts;
	uint64_t ncontacts, capcontacts;
	char *refs;             /* account refs, 40 bytes each */
	uint8_t *reflen;        /* their lengths */
	uint32_t *party_by_refno, *acct_by_refno;

	gen_member *members;
	uint32_t nmembers, capmembers;
	gen_instance *inst;
	uint32_t ninst, capinst;

	/* shared planted parties, filled by plant.c */
	uint32_t jnim, ghali, koufa;
	uint32_t facilitator[8];
	int nfacilitators;
	uint32_t refinery[3];    /* shared by licit and planted gold trade */

	/* background population and pools, filled by world.c */
	void *bg;               /* background.c's state */

	/* transfers waiting to be written, a binary min-heap on (ts, seq) */
	gen_xfer *heap;
	size_t nheap, capheap;
	uint64_t seq;
	int counting;           /* count transfers instead of making them */
	uint64_t counted;
	uint64_t emitted;       /* every transfer emitted, counted or made */
	uint64_t written;
	uint64_t next_progress;

	uint64_t nransom, ngold, nlevy;
	gen_out out[IFFA_GENERATE_FILES];
} gen;

/* Emit one transfer of `amount` units of `currency` (rounded to what the
 * currency allows) at time ts; channel from the account kinds when
 * channel < 0. Counts only, while g->counting. */
void iffa_generate__emit(gen *g, int64_t ts, uint32_t from, uint32_t to, double amount,
			 int currency, int channel, int purpose, int planted);
/* Same with an amount in XOF converted to the sender's currency. */
void iffa_generate__emit_xof(gen *g, int64_t ts, uint32_t from, uint32_t to, double xof,
			     int channel, int purpose, int planted);

int iffa_generate__fail(gen *g, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* XOF per unit of currency on the month of t. */
double iffa_generate__rate(const gen *g, int currency, int64_t t);
/* Price of a gram of fine gold in XOF on the month of t. */
double iffa_generate__gold_price(const gen *g, int64_t t);
int iffa_generate__month_index(const gen *g, int64_t t);

/* Rows of ransom.csv, levy.csv and gold_lot.csv (amounts in XOF,
 * converted to `currency` where one is given). */
void iffa_generate__ransom(gen *g, uint32_t payer, uint32_t recipient, const char *intermediaries,
			   double xof, int place, int64_t incident, int64_t paid_at);
void iffa_generate__levy(gen *g, uint32_t payer, uint32_t collector, const char *kind, double xof,
			 int64_t t, int place);
void iffa_generate__gold_lot(gen *g, int planted, uint32_t site, uint32_t seller, uint32_t buyer,
			     double grams, double fineness, double xof, int currency, int64_t t,
			     int from_country, int to_country);

/* world.c */
void iffa_generate__person_name(const gen *g, gen_rng *r, const char *where, char *buf,
				size_t size);
int iffa_generate__add_party(gen *g, int kind, int place, unsigned flags, uint32_t *out);
int iffa_generate__add_account(gen *g, uint32_t party, int kind, unsigned flags, uint32_t *out);
/* First account of `party` of `kind`, or its first account of any kind. */
uint32_t iffa_generate__account_of(const gen *g, uint32_t party, int kind);
int iffa_generate__world_build(gen *g, gen_rng *r);
int iffa_generate__refs_assign(gen *g, gen_rng *r);
const char *iffa_generate__account_ref(const gen *g, uint32_t acct);
void iffa_generate__out_party_ref(gen_out *o, const gen *g, uint32_t party);
/* The party's name, made from the seed and the index. */
void iffa_generate__party_name(const gen *g, uint32_t party, char *buf, size_t size);
int iffa_generate__write_parties(gen *g);
int iffa_generate__write_accounts(gen *g);
int iffa_generate__account_currency(const gen *g, uint32_t acct);
int iffa_generate__supplier(const gen *g, uint32_t from_acct, uint32_t to_acct);
const char *iffa_generate__party_country(const gen *g, uint32_t party);

/* plant.c */
int iffa_generate__plant_plan(gen *g, gen_rng *r);
void iffa_generate__plant_run(gen *g, const gen_instance *in);
int iffa_generate__plant_count(gen *g, uint64_t *out_total);
int iffa_generate__write_truth(gen *g);
double iffa_generate__threshold_cash(void);
double iffa_generate__threshold_mm(void);
const char *iffa_generate__role_name(int role);

/* background.c */
int iffa_generate__background_population(gen *g, gen_rng *r, uint64_t transfers);
int iffa_generate__background_build(gen *g, gen_rng *r, uint64_t transfers);
int iffa_generate__background_add_broker(gen *g, uint32_t planted_hawala, uint32_t partner_hawala);
uint32_t iffa_generate__background_broker_near(gen *g, gen_rng *r, int place);
void iffa_generate__background_gold(gen *g, gen_rng *r, int64_t t);
/* Scheduled transfers (salaries) the window holds. */
uint64_t iffa_generate__background_scheduled(const gen *g);
/* Make the ordinary transfers of one day: `budget` random ones plus the
 * scheduled ones of that day. */
void iffa_generate__background_day(gen *g, gen_rng *r, int64_t day, uint64_t budget);
void iffa_generate__background_free(gen *g);
void iffa_generate__background_params(const gen *g, gen_out *o);

#endif
