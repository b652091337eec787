/*
 * The generator's world: countries and places of the Sahel and its
 * corridors, fictitious institutions, names of people and firms, the
 * parties and accounts themselves, their references, and the writing of
 * party.csv and account.csv.
 *
 * Every person, firm, village, mine site and institution is fictitious;
 * the only real names are those of the UN-listed group and two of its
 * UN-listed leaders, which the designation list needs.
 */
#include <stdlib.h>
#include <string.h>

#include "generate/generate.h"

/* Name groups: where a party lives decides how it is named. */
enum {
	NM_MANDE, NM_FULANI, NM_NORTH, NM_WOLOF, NM_MOSSI, NM_HAUSA, NM_AKAN,
	NM_GUINEA, NM_MOOR, NM_GAMBIA, NM_ARAB, NM_N
};

const gen_country iffa_generate__countries[] = {
	{"ML", CUR_XOF, "223", 7, "7", NM_MANDE,
	 {"Banque Soudanaise de Commerce", "Crédit Agricole du Niger Supérieur",
	  "Banque Malienne de l'Ouest", "Sahel Atlantic Bank Mali"},
	 {"Kalo Money Mali", "Dunya Pay Mali", NULL}, 1},
	{"BF", CUR_XOF, "226", 7, "7", NM_MOSSI,
	 {"Banque Voltaïque de Crédit", "Faso Commerce Bank", "Sahel Atlantic Bank Burkina", NULL},
	 {"Kalo Money Burkina", "Yiri Pay", NULL}, 1},
	{"NE", CUR_XOF, "227", 7, "9", NM_HAUSA,
	 {"Banque du Fleuve Niger", "Sahel Atlantic Bank Niger", "Crédit Djerma", NULL},
	 {"Dunya Pay Niger", "Kalo Money Niger", NULL}, 1},
	{"SN", CUR_XOF, "221", 7, "77", NM_WOLOF,
	 {"Banque Cap-Vert Commerce", "Crédit Sénégalais du Fleuve", "Sahel Atlantic Bank Sénégal",
	  "Banque Dakaroise de Dépôts"},
	 {"Teranga Pay", "Kalo Money Sénégal", "Ndaje Money"}, 1},
	{"GN", CUR_GNF, "224", 7, "62", NM_GUINEA,
	 {"Banque Guinéenne du Fouta", "Conakry Trade Bank", NULL, NULL},
	 {"Kalo Money Guinée", "Fouta Pay", NULL}, 1},
	{"CI", CUR_XOF, "225", 8, "07", NM_AKAN,
	 {"Banque Lagunaire de Commerce", "Sahel Atlantic Bank Côte d'Ivoire",
	  "Crédit Ivoirien du Nord", NULL},
	 {"Kalo Money Côte d'Ivoire", "Akwaba Pay", "Dunya Pay Côte d'Ivoire"}, 1},
	{"MR", CUR_MRU, "222", 7, "4", NM_MOOR,
	 {"Banque Chinguetti", "Crédit Mauritanien du Fleuve", NULL, NULL},
	 {"Sahra Pay", NULL, NULL}, 1},
	{"GM", CUR_GMD, "220", 7, "", NM_GAMBIA,
	 {"Gambia River Bank", "Kombo Trust Bank", NULL, NULL},
	 {"Kankurang Money", NULL, NULL}, 1},
	{"NG", CUR_NGN, "234", 8, "80", NM_HAUSA,
	 {"Sokoto Commercial Bank", "Kano Merchant Bank", NULL, NULL},
	 {"Arewa Pay", NULL, NULL}, 0},
	{"FR", CUR_EUR, "33", 8, "6", NM_MANDE,
	 {"Crédit Montreuillois", "Banque Parisienne de l'Est", NULL, NULL},
	 {NULL, NULL, NULL}, 0},
	{"AE", CUR_AED, "971", 7, "50", NM_ARAB,
	 {"Gulf Bullion Bank", "Creek Commercial Bank", NULL, NULL},
	 {NULL, NULL, NULL}, 0},
};
const int iffa_generate__ncountries = (int)(sizeof(iffa_generate__countries) /
					    sizeof(iffa_generate__countries[0]));

/* Countries by index, for the place table below. */
enum { C_ML, C_BF, C_NE, C_SN, C_GN, C_CI, C_MR, C_GM, C_NG, C_FR, C_AE };

const gen_place iffa_generate__places[] = {
	{"Bamako", C_ML, 30, PL_CITY, -1, NULL},
	{"Kayes", C_ML, 6, PL_BORDER | PL_CITY, -1, NULL},
	{"Diboli", C_ML, 1, PL_BORDER, -1, NULL},
	{"Kéniéba", C_ML, 2, PL_GOLD_LEGIT, -1, NULL},
	{"Kita", C_ML, 2, 0, -1, NULL},
	{"Nioro du Sahel", C_ML, 2, PL_AFFECTED, NM_FULANI, "2023-01-01"},
	{"Diéma", C_ML, 1.5, PL_AFFECTED, -1, "2023-01-01"},
	{"Ségou", C_ML, 6, PL_AFFECTED, -1, "2016-01-01"},
	{"Mopti", C_ML, 5, PL_AFFECTED, NM_FULANI, "2015-01-01"},
	{"Tombouctou", C_ML, 2.5, PL_AFFECTED, NM_NORTH, "2012-04-01"},
	{"Gao", C_ML, 3, PL_AFFECTED | PL_GOLD_ARMED, NM_NORTH, "2012-04-01"},
	{"Kidal", C_ML, 1, PL_AFFECTED | PL_GOLD_ARMED, NM_NORTH, "2012-04-01"},
	{"Ménaka", C_ML, 1, PL_AFFECTED, NM_NORTH, "2012-04-01"},
	{"Sikasso", C_ML, 6, PL_GOLD_LEGIT, -1, NULL},
	{"Ouagadougou", C_BF, 15, PL_CITY, -1, NULL},
	{"Bobo-Dioulasso", C_BF, 6, 0, -1, NULL},
	{"Djibo", C_BF, 1.5, PL_AFFECTED | PL_GOLD_ARMED, NM_FULANI, "2016-01-01"},
	{"Dori", C_BF, 1.5, PL_AFFECTED, NM_FULANI, "2017-01-01"},
	{"Fada N'Gourma", C_BF, 2, PL_AFFECTED | PL_GOLD_ARMED, -1, "2018-01-01"},
	{"Niamey", C_NE, 10, PL_CITY, -1, NULL},
	{"Tillabéri", C_NE, 2, PL_AFFECTED | PL_GOLD_ARMED, -1, "2017-01-01"},
	{"Maradi", C_NE, 4, 0, -1, NULL},
	{"Zinder", C_NE, 3, 0, -1, NULL},
	{"Dakar", C_SN, 25, PL_CITY, -1, NULL},
	{"Touba", C_SN, 6, 0, -1, NULL},
	{"Tambacounda", C_SN, 3, PL_BORDER, -1, NULL},
	{"Kidira", C_SN, 1, PL_BORDER, -1, NULL},
	{"Bakel", C_SN, 1, PL_BORDER, NM_MANDE, NULL},
	{"Kédougou", C_SN, 2, PL_GOLD_LEGIT, NM_MANDE, NULL},
	{"Conakry", C_GN, 12, PL_CITY, -1, NULL},
	{"Siguiri", C_GN, 3, PL_GOLD_LEGIT, NM_MANDE, NULL},
	{"Kankan", C_GN, 3, 0, NM_MANDE, NULL},
	{"Abidjan", C_CI, 25, PL_CITY, -1, NULL},
	{"Bouaké", C_CI, 5, 0, -1, NULL},
	{"Korhogo", C_CI, 3, 0, NM_MANDE, NULL},
	{"Nouakchott", C_MR, 6, PL_CITY, -1, NULL},
	{"Néma", C_MR, 1, 0, -1, NULL},
	{"Banjul", C_GM, 2, PL_CITY, -1, NULL},
	{"Serekunda", C_GM, 3, 0, -1, NULL},
	{"Kano", C_NG, 6, PL_CITY, -1, NULL},
	{"Lagos", C_NG, 8, PL_CITY, -1, NULL},
	{"Montreuil", C_FR, 1.5, PL_ABROAD, NM_MANDE, NULL},
	{"Paris", C_FR, 1.5, PL_ABROAD | PL_CITY, NM_WOLOF, NULL},
	{"Dubai", C_AE, 0.5, PL_ABROAD | PL_CITY, NM_ARAB, NULL},
};
const int iffa_generate__nplaces = (int)(sizeof(iffa_generate__places) /
					 sizeof(iffa_generate__places[0]));

const char *const iffa_generate__currency_code[CUR_N] = {
	"XOF", "EUR", "USD", "GNF", "MRU", "GMD", "AED", "NGN"};
const char *const iffa_generate__party_kind[PK_N] = {
	"person", "organisation", "company", "armed_group", "village",
	"mine_site", "collector", "comptoir", "exporter", "refinery"};
const char *const iffa_generate__account_kind[AK_N] = {
	"bank", "mobile_money", "hawala", "crypto", "cash"};
const char *const iffa_generate__channel[CH_N] = {
	"bank", "mobile_money", "hawala", "cash", "crypto"};

int iffa_generate__place(const char *name)
{
	for (int i = 0; i < iffa_generate__nplaces; i++)
		if (strcmp(iffa_generate__places[i].name, name) == 0)
			return i;
	return -1;
}

int iffa_generate__country(const char *code)
{
	for (int i = 0; i < iffa_generate__ncountries; i++)
		if (strcmp(iffa_generate__countries[i].code, code) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
	const char *const *male;
	int nmale;
	const char *const *female;
	int nfemale;
	const char *const *family;
	int nfamily;
	const char *link; /* "Ag" or "Ould" between given name and father's */
} name_group;

#define N(a) a, (int)(sizeof(a) / sizeof(a[0]))

static const char *const mande_m[] = {"Moussa", "Mamadou", "Sékou", "Bakary", "Oumar", "Adama",
	"Ibrahim", "Souleymane", "Fousseyni", "Modibo", "Drissa", "Lassana", "Siaka", "Boubacar",
	"Karim", "Yacouba", "Seydou", "Mahamadou", "Samba", "Bourama", "Kalilou", "Daouda"};
static const char *const mande_f[] = {"Aminata", "Fatoumata", "Mariam", "Kadiatou", "Oumou",
	"Awa", "Djénéba", "Assétou", "Hawa", "Rokia", "Salimata", "Nana", "Korotoumou", "Sitan"};
static const char *const mande_s[] = {"Traoré", "Keïta", "Coulibaly", "Diarra", "Konaté",
	"Camara", "Sissoko", "Dembélé", "Doumbia", "Sacko", "Kanouté", "Diakité", "Samaké", "Touré",
	"Cissé", "Sylla", "Soumaré", "Diawara", "Tandia", "Kamissoko", "Dramé", "Niaré", "Fofana",
	"Koné", "Bagayoko", "Sidibé", "Magassa", "Kouyaté"};
static const char *const fulani_m[] = {"Amadou", "Hamadoun", "Boubacar", "Oumarou", "Hama",
	"Ousmane", "Sambo", "Allaye", "Bocar", "Nouhoum", "Hassane", "Abdoulaye"};
static const char *const fulani_f[] = {"Fatoumata", "Kadidia", "Aïssata", "Mariam", "Dicko",
	"Hadja", "Penda", "Coumba"};
static const char *const fulani_s[] = {"Diallo", "Barry", "Bah", "Sow", "Cissé", "Dicko",
	"Sangaré", "Tall", "Ba", "Boly", "Bocoum", "Tamboura", "Barry", "Sidibé"};
static const char *const north_m[] = {"Alhousseini", "Mohamed", "Ahmed", "Attaher", "Alhassane",
	"Moussa", "Sidi", "Abdoulaye", "Intalla", "Hamma", "Baba", "Almoustapha"};
static const char *const north_f[] = {"Fadimata", "Tina", "Aïchatou", "Mariama", "Lalla",
	"Zeinabou"};
static const char *const north_s[] = {"Maïga", "Touré", "Haïdara", "Cissé", "Alhassane",
	"Attaher", "Mohamed", "Ibrahim", "Sidi", "Intalla", "Bilal", "Ahmed"};
static const char *const wolof_m[] = {"Mamadou", "Cheikh", "Ibrahima", "Modou", "Abdoulaye",
	"Babacar", "Ousmane", "Moustapha", "Pape", "Serigne", "Aliou", "Alioune"};
static const char *const wolof_f[] = {"Fatou", "Awa", "Ndèye", "Astou", "Mame", "Khady",
	"Aïssatou", "Sokhna", "Coumba", "Bineta"};
static const char *const wolof_s[] = {"Ndiaye", "Diop", "Fall", "Sarr", "Gueye", "Faye",
	"Mbaye", "Sow", "Ba", "Diouf", "Seck", "Niang", "Thiam", "Kane", "Cissé", "Dieng"};
static const char *const mossi_m[] = {"Issaka", "Boukary", "Salif", "Adama", "Rasmané",
	"Noufou", "Souleymane", "Hamidou", "Idrissa", "Lassané"};
static const char *const mossi_f[] = {"Awa", "Mariam", "Alimata", "Safiatou", "Aminata",
	"Rasmata"};
static const char *const mossi_s[] = {"Ouédraogo", "Sawadogo", "Kaboré", "Compaoré", "Zongo",
	"Ilboudo", "Nikiéma", "Tapsoba", "Zoungrana", "Kinda", "Sanou", "Traoré"};
static const char *const hausa_m[] = {"Abdou", "Issoufou", "Moussa", "Hassane", "Salissou",
	"Mahamadou", "Ibrahim", "Yacouba", "Garba", "Sani", "Aboubacar"};
static const char *const hausa_f[] = {"Zeinabou", "Hadiza", "Rabi", "Mariama", "Hassana",
	"Balkissa"};
static const char *const hausa_s[] = {"Issoufou", "Moussa", "Abdou", "Harouna", "Garba",
	"Saidou", "Bello", "Yacouba", "Hamani", "Idrissa", "Maman", "Souley"};
static const char *const akan_m[] = {"Kouassi", "Konan", "Yao", "Kouadio", "Koffi", "Serge",
	"Aboubakar", "Ibrahim", "Lacina", "Yacouba"};
static const char *const akan_f[] = {"Aya", "Adjoua", "Affoué", "Amenan", "Mariam", "Awa"};
static const char *const akan_s[] = {"Kouassi", "Koné", "Ouattara", "Yao", "Bamba", "Koffi",
	"N'Guessan", "Kouamé", "Coulibaly", "Touré", "Diabaté", "Soro"};
static const char *const guinea_m[] = {"Mamadou", "Alpha", "Ibrahima", "Thierno", "Sékou",
	"Ousmane", "Lansana", "Mohamed"};
static const char *const guinea_f[] = {"Mariama", "Kadiatou", "Hadja", "Fanta", "Mabinty"};
static const char *const guinea_s[] = {"Diallo", "Camara", "Bah", "Sylla", "Condé", "Keïta",
	"Soumah", "Barry", "Kourouma", "Touré"};
static const char *const moor_m[] = {"Mohamed", "Ahmed", "Sidi", "Cheikh", "Brahim", "Ely",
	"Mohamed Lemine"};
static const char *const moor_f[] = {"Mariem", "Fatimetou", "Khadijetou", "Aïchetou"};
static const char *const moor_s[] = {"Ahmed", "Sidi", "Mohamed", "Brahim", "Abdallahi",
	"Cheikh", "Boubacar", "Maouloud"};
static const char *const gambia_m[] = {"Lamin", "Ebrima", "Modou", "Alieu", "Ousman", "Musa"};
static const char *const gambia_f[] = {"Fatou", "Isatou", "Mariama", "Awa", "Haddy"};
static const char *const gambia_s[] = {"Jallow", "Ceesay", "Jammeh", "Bah", "Touray",
	"Sanneh", "Darboe", "Njie", "Sowe"};
static const char *const arab_m[] = {"Khalid", "Omar", "Rashid", "Faisal", "Hamad", "Saeed"};
static const char *const arab_f[] = {"Mariam", "Noura", "Fatima"};
static const char *const arab_s[] = {"Al Mansoori", "Al Hashimi", "Al Qasimi", "Haddad",
	"Al Suwaidi"};

static const name_group groups[NM_N] = {
	[NM_MANDE] = {N(mande_m), N(mande_f), N(mande_s), NULL},
	[NM_FULANI] = {N(fulani_m), N(fulani_f), N(fulani_s), NULL},
	[NM_NORTH] = {N(north_m), N(north_f), N(north_s), "Ag"},
	[NM_WOLOF] = {N(wolof_m), N(wolof_f), N(wolof_s), NULL},
	[NM_MOSSI] = {N(mossi_m), N(mossi_f), N(mossi_s), NULL},
	[NM_HAUSA] = {N(hausa_m), N(hausa_f), N(hausa_s), NULL},
	[NM_AKAN] = {N(akan_m), N(akan_f), N(akan_s), NULL},
	[NM_GUINEA] = {N(guinea_m), N(guinea_f), N(guinea_s), NULL},
	[NM_MOOR] = {N(moor_m), N(moor_f), N(moor_s), "Ould"},
	[NM_GAMBIA] = {N(gambia_m), N(gambia_f), N(gambia_s), NULL},
	[NM_ARAB] = {N(arab_m), N(arab_f), N(arab_s), NULL},
};

static const char *const village_head[] = {"Ba", "Ka", "Ni", "So", "Dia", "Ko", "Fa", "Ma",
	"Sé", "Toum", "Don", "Kou", "Sama", "Bou", "Nia", "Wo", "Ti", "Sa", "Dou", "Ké"};
static const char *const village_tail[] = {"rala", "nabougou", "dougou", "kala", "koro",
	"niana", "bala", "louga", "ndiala", "rébé", "soumé", "ninko", "gada", "tiéni", "woro"};

static const char *const firm_trade[] = {"Commerce", "Négoce", "Import-Export", "Distribution",
	"Transports", "Quincaillerie", "Alimentation Générale", "BTP", "Bétail", "Hydrocarbures",
	"Textiles", "Céréales", "Matériaux", "Pièces Auto", "Télécoms Services"};
static const char *const ngo_word[] = {"Espoir", "Jigiya", "Solidarité", "Benkadi", "Horizon",
	"Santé pour Tous", "Eau Vive", "Avenir", "Teriya", "Ton"};
static const char *const refinery_name[] = {"Creek Star Refining DMCC",
	"Palm Crescent Precious Metals FZE", "Oasis Assay and Refining LLC"};

static const name_group *group_of(const gen *g, uint32_t party)
{
	const gen_place *pl = &iffa_generate__places[g->party[party].place];
	int ng = pl->names >= 0 ? pl->names : iffa_generate__countries[pl->country].names;

	return &groups[ng];
}

static const char *pick(gen_rng *r, const char *const *list, int n)
{
	return list[gen_below(r, (uint32_t)n)];
}

/* Person name into buf: given name, family name (or "X Ag Y"). */
static void person_name(gen_rng *r, const name_group *ng, int female, char *buf, size_t size)
{
	const char *given = female ? pick(r, ng->female, ng->nfemale) : pick(r, ng->male, ng->nmale);

	if (ng->link && !female)
		snprintf(buf, size, "%s %s %s", given, ng->link, pick(r, ng->male, ng->nmale));
	else if (ng->link)
		snprintf(buf, size, "%s %s %s", given, strcmp(ng->link, "Ould") == 0 ? "Mint" : "Walet",
			 pick(r, ng->male, ng->nmale));
	else
		snprintf(buf, size, "%s %s", given, pick(r, ng->family, ng->nfamily));
}

void iffa_generate__person_name(const gen *g, gen_rng *r, const char *where, char *buf, size_t size)
{
	const gen_place *pl = &iffa_generate__places[iffa_generate__place(where)];
	int ng = pl->names >= 0 ? pl->names : iffa_generate__countries[pl->country].names;

	(void)g;
	person_name(r, &groups[ng], 0, buf, size);
}

static void village_name(gen_rng *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", pick(r, village_head, (int)(sizeof(village_head) / sizeof(*village_head))),
		 pick(r, village_tail, (int)(sizeof(village_tail) / sizeof(*village_tail))));
}

/* Names come from a generator of their own per party, so that they do not
 * depend on the order in which anything else was drawn. */
static void name_rng(const gen *g, uint32_t party, gen_rng *r)
{
	gen_rng_seed(r, g->opts->seed, 0x4e414d4500000000ULL + party);
}

void iffa_generate__party_name(const gen *g, uint32_t party, char *buf, size_t size)
{
	const gen_party *p = &g->party[party];
	const name_group *ng = group_of(g, party);
	const char *place = iffa_generate__places[p->place].name;
	char tmp[96];
	gen_rng r;

	name_rng(g, party, &r);
	switch (p->special) {
	case SP_JNIM:
		snprintf(buf, size, "Jama'at Nasr al-Islam wal Muslimin");
		return;
	case SP_GHALI:
		snprintf(buf, size, "Iyad Ag Ghali");
		return;
	case SP_KOUFA:
		snprintf(buf, size, "Amadou Koufa");
		return;
	default:
		break;
	}
	switch (p->kind) {
	case PK_PERSON:
	case PK_COLLECTOR:
		person_name(&r, ng, p->flags & PF_FEMALE, buf, size);
		break;
	case PK_COMPANY:
		switch (gen_below(&r, 5)) {
		case 0:
			snprintf(buf, size, "Ets %s et Frères", pick(&r, ng->family, ng->nfamily));
			break;
		case 1:
			snprintf(buf, size, "%s %s SARL", pick(&r, ng->family, ng->nfamily),
				 pick(&r, firm_trade, (int)(sizeof(firm_trade) / sizeof(*firm_trade))));
			break;
		case 2:
			snprintf(buf, size, "%s %s SARL", place,
				 pick(&r, firm_trade, (int)(sizeof(firm_trade) / sizeof(*firm_trade))));
			break;
		case 3:
			person_name(&r, ng, 0, tmp, sizeof(tmp));
			snprintf(buf, size, "Boutique %s", tmp);
			break;
		default:
			snprintf(buf, size, "Société %s %s SA", pick(&r, ng->family, ng->nfamily),
				 pick(&r, firm_trade, (int)(sizeof(firm_trade) / sizeof(*firm_trade))));
			break;
		}
		break;
	case PK_ORGANISATION:
		snprintf(buf, size, "ONG %s %s",
			 pick(&r, ngo_word, (int)(sizeof(ngo_word) / sizeof(*ngo_word))), place);
		break;
	case PK_ARMED_GROUP:
		snprintf(buf, size, "Katiba %s", place);
		break;
	case PK_VILLAGE:
		village_name(&r, buf, size);
		break;
	case PK_MINE_SITE:
		village_name(&r, tmp, sizeof(tmp));
		snprintf(buf, size, "Site aurifère de %s", tmp);
		break;
	case PK_COMPTOIR:
		if (gen_chance(&r, 0.5))
			snprintf(buf, size, "Comptoir %s Or", pick(&r, ng->family, ng->nfamily));
		else
			snprintf(buf, size, "%s Or et Métaux SARL", place);
		break;
	case PK_EXPORTER:
		snprintf(buf, size, "%s Gold Export SA", pick(&r, ng->family, ng->nfamily));
		break;
	case PK_REFINERY:
		snprintf(buf, size, "%s", refinery_name[party % 3]);
		break;
	default:
		snprintf(buf, size, "party %u", party);
	}
}

/* Fold the accented letters our names use to ASCII; 1 when anything changed. */
static int ascii_fold(const char *in, char *out, size_t size)
{
	static const struct { const char *from, *to; } map[] = {
		{"é", "e"}, {"è", "e"}, {"ë", "e"}, {"ï", "i"}, {"î", "i"}, {"ô", "o"}, {"ç", "c"},
		{"É", "E"}};
	size_t o = 0;
	int changed = 0;

	while (*in && o + 2 < size) {
		size_t k;

		for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
			size_t n = strlen(map[k].from);
			if (strncmp(in, map[k].from, n) == 0) {
				out[o++] = map[k].to[0];
				in += n;
				changed = 1;
				break;
			}
		}
		if (k == sizeof(map) / sizeof(map[0]))
			out[o++] = *in++;
	}
	out[o] = '\0';
	return changed;
}

/* Aliases, '|'-separated, or "" (spelling without accents; a kunya for
 * some planted people; known spellings of the listed three). */
static void party_aliases(const gen *g, uint32_t party, const char *name, char *buf, size_t size)
{
	const gen_party *p = &g->party[party];
	char fold[160];
	gen_rng r;

	buf[0] = '\0';
	switch (p->special) {
	case SP_JNIM:
		snprintf(buf, size, "Jama'at Nusrat al-Islam wal-Muslimin|Groupe de soutien à l'islam "
				    "et aux musulmans|GSIM|JNIM");
		return;
	case SP_GHALI:
		snprintf(buf, size, "Iyad Ag Ghaly|Iyad Ag Aghaly");
		return;
	case SP_KOUFA:
		snprintf(buf, size, "Amadou Kouffa|Hamadoun Koufa");
		return;
	default:
		break;
	}
	if (p->kind != PK_PERSON && p->kind != PK_COLLECTOR)
		return;
	name_rng(g, party, &r);
	(void)gen_next(&r);
	if (ascii_fold(name, fold, sizeof(fold)))
		snprintf(buf, size, "%s", fold);
	if ((p->flags & PF_PLANTED) && !(p->flags & PF_FEMALE) && gen_chance(&r, 0.5)) {
		const name_group *ng = group_of(g, party);
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, "%sAbou %s", n ? "|" : "", pick(&r, ng->male, ng->nmale));
	}
}

/* ------------------------------------------------------------------ */
/* Parties and accounts                                                */
/* ------------------------------------------------------------------ */

int iffa_generate__add_party(gen *g, int kind, int place, unsigned flags, uint32_t *out)
{
	gen_party *p;

	if (g->nparty == g->capparty) {
		uint32_t cap = g->capparty ? g->capparty * 2 : 1024;
		gen_party *np = realloc(g->party, cap * sizeof(*np));
		if (!np)
			return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (parties)");
		g->party = np;
		g->capparty = cap;
	}
	p = &g->party[g->nparty];
	memset(p, 0, sizeof(*p));
	p->kind = (uint8_t)kind;
	p->place = (uint16_t)place;
	p->flags = (uint8_t)flags;
	p->first_account = g->nacct;
	if (out)
		*out = g->nparty;
	g->nparty++;
	return 0;
}

int iffa_generate__add_account(gen *g, uint32_t party, int kind, unsigned flags, uint32_t *out)
{
	gen_account *a;
	gen_party *p = &g->party[party];
	const gen_country *c;
	uint64_t h = ((uint64_t)g->nacct << 8) ^ g->opts->seed;
	int ninst = 0;

	/* Accounts of one party stay together: only its newest party may get one. */
	if (party + 1 != g->nparty && p->naccounts > 0)
		return iffa_generate__fail(g, IFFA_ERROR, "generate: account added out of order");
	if (p->naccounts == 0)
		p->first_account = g->nacct;
	if (g->nacct == g->capacct) {
		uint32_t cap = g->capacct ? g->capacct * 2 : 1024;
		gen_account *na = realloc(g->acct, cap * sizeof(*na));
		if (!na)
			return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (accounts)");
		g->acct = na;
		g->capacct = cap;
	}
	a = &g->acct[g->nacct];
	memset(a, 0, sizeof(*a));
	a->party = party;
	a->kind = (uint8_t)kind;
	a->flags = (uint8_t)flags;
	a->country = (uint8_t)iffa_generate__places[p->place].country;
	c = &iffa_generate__countries[a->country];
	if (kind == AK_BANK)
		while (ninst < 4 && c->banks[ninst])
			ninst++;
	else if (kind == AK_MM)
		while (ninst < 3 && c->wallets[ninst])
			ninst++;
	a->inst = ninst ? (uint8_t)(gen_splitmix(&h) % (uint64_t)ninst) : 0;
	p->naccounts++;
	if (out)
		*out = g->nacct;
	g->nacct++;
	return 0;
}

uint32_t iffa_generate__account_of(const gen *g, uint32_t party, int kind)
{
	const gen_party *p = &g->party[party];

	for (uint32_t i = 0; i < p->naccounts; i++)
		if (g->acct[p->first_account + i].kind == kind)
			return p->first_account + i;
	return p->first_account;
}

int iffa_generate__account_currency(const gen *g, uint32_t acct)
{
	return iffa_generate__countries[g->acct[acct].country].currency;
}

const char *iffa_generate__party_country(const gen *g, uint32_t party)
{
	return iffa_generate__countries[iffa_generate__places[g->party[party].place].country].code;
}

/* The FIU that reports a transfer: the sender's country, unless the sender
 * is outside the pooled region and the receiver inside it. */
int iffa_generate__supplier(const gen *g, uint32_t from_acct, uint32_t to_acct)
{
	int cf = g->acct[from_acct].country, ct = g->acct[to_acct].country;

	if (!iffa_generate__countries[cf].pooled && iffa_generate__countries[ct].pooled)
		return ct;
	return cf;
}

/* ------------------------------------------------------------------ */
/* References                                                          */
/* ------------------------------------------------------------------ */

static const char base58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static int shuffle(gen_rng *r, uint32_t n, uint32_t **out_perm)
{
	uint32_t *perm = malloc((n ? n : 1) * sizeof(*perm));

	if (!perm)
		return iffa_error_set(IFFA_ENOMEM, "generate: out of memory");
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	/* Fisher-Yates: ref numbers must not give away which parties were
	 * planted (they are made last). */
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = gen_below(r, i), t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	*out_perm = perm;
	return 0;
}

/* Account references (IBAN-like ids, MSISDNs, wallet addresses), each in a
 * 40-byte slot of g->refs; ref numbers are a random permutation. */
int iffa_generate__refs_assign(gen *g, gen_rng *r)
{
	int error;

	if ((error = shuffle(r, g->nparty, &g->party_by_refno)) < 0)
		return iffa_generate__fail(g, error, "%s", iffa_error_last());
	for (uint32_t k = 0; k < g->nparty; k++)
		g->party[g->party_by_refno[k]].refno = k + 1;
	if ((error = shuffle(r, g->nacct, &g->acct_by_refno)) < 0)
		return iffa_generate__fail(g, error, "%s", iffa_error_last());
	g->refs = malloc((size_t)(g->nacct ? g->nacct : 1) * 40);
	g->reflen = malloc(g->nacct ? g->nacct : 1);
	if (!g->refs || !g->reflen)
		return iffa_generate__fail(g, IFFA_ENOMEM, "generate: out of memory (refs)");
	for (uint32_t k = 0; k < g->nacct; k++) {
		uint32_t i = g->acct_by_refno[k];
		gen_account *a = &g->acct[i];
		const gen_country *c = &iffa_generate__countries[a->country];
		char *s = g->refs + (size_t)i * 40;
		uint64_t mod = 1, x;

		a->refno = k + 1;
		switch (a->kind) {
		case AK_MM:
			/* a multiplier prime to 10 permutes the numbers below 10^digits,
			 * so two accounts never share an MSISDN */
			for (int d = 0; d < c->digits; d++)
				mod *= 10;
			x = ((uint64_t)a->refno * 3456789ULL) % mod;
			snprintf(s, 40, "+%s%s%0*llu", c->dial, c->mobile, c->digits,
				 (unsigned long long)x);
			break;
		case AK_CRYPTO: {
			uint64_t h = g->opts->seed ^ ((uint64_t)a->refno << 20);
			s[0] = 'T';
			for (int d = 1; d < 34; d++)
				s[d] = base58[gen_splitmix(&h) % 58];
			s[34] = '\0';
			break;
		}
		default:
			snprintf(s, 40, "%c-%s-%06u",
				 a->kind == AK_BANK ? 'A' : a->kind == AK_HAWALA ? 'H' : 'C', c->code,
				 a->refno);
		}
		g->reflen[i] = (uint8_t)strlen(s);
	}
	return 0;
}

const char *iffa_generate__account_ref(const gen *g, uint32_t acct)
{
	return g->refs + (size_t)acct * 40;
}

void iffa_generate__out_party_ref(gen_out *o, const gen *g, uint32_t party)
{
	iffa_generate__out_raw(o, "P-", 2);
	iffa_generate__out_u64w(o, g->party[party].refno, 6);
}

/* ------------------------------------------------------------------ */
/* party.csv and account.csv, in ref order                             */
/* ------------------------------------------------------------------ */

int iffa_generate__write_parties(gen *g)
{
	gen_out *o = &g->out[IFFA_GENERATE_PARTY];
	char name[160], aliases[400];

	iffa_generate__out_str(o, "ref,kind,name,aliases,country,region,supplier,source\n");
	for (uint32_t k = 0; k < g->nparty; k++) {
		uint32_t i = g->party_by_refno[k];
		const gen_party *p = &g->party[i];
		const gen_place *pl = &iffa_generate__places[p->place];
		const gen_country *c = &iffa_generate__countries[pl->country];

		iffa_generate__party_name(g, i, name, sizeof(name));
		party_aliases(g, i, name, aliases, sizeof(aliases));
		iffa_generate__out_party_ref(o, g, i);
		out_ch(o, ',');
		iffa_generate__out_str(o, iffa_generate__party_kind[p->kind]);
		out_ch(o, ',');
		iffa_generate__out_field(o, name);
		out_ch(o, ',');
		iffa_generate__out_field(o, aliases);
		out_ch(o, ',');
		iffa_generate__out_str(o, c->code);
		out_ch(o, ',');
		/* the group itself and its leaders roam: no region */
		if (p->kind != PK_ARMED_GROUP && p->special == SP_NONE)
			iffa_generate__out_field(o, pl->name);
		out_ch(o, ',');
		iffa_generate__out_str(o, c->code);
		iffa_generate__out_str(o, ",kyc-");
		iffa_generate__out_str(o, c->code);
		out_end(o);
	}
	return 0;
}

int iffa_generate__write_accounts(gen *g)
{
	gen_out *o = &g->out[IFFA_GENERATE_ACCOUNT];

	iffa_generate__out_str(o, "ref,party_ref,kind,institution,country,supplier,source\n");
	for (uint32_t k = 0; k < g->nacct; k++) {
		uint32_t i = g->acct_by_refno[k];
		const gen_account *a = &g->acct[i];
		const gen_country *c = &iffa_generate__countries[a->country];

		iffa_generate__out_str(o, iffa_generate__account_ref(g, i));
		out_ch(o, ',');
		iffa_generate__out_party_ref(o, g, a->party);
		out_ch(o, ',');
		iffa_generate__out_str(o, iffa_generate__account_kind[a->kind]);
		out_ch(o, ',');
		if (a->kind == AK_BANK)
			iffa_generate__out_field(o, c->banks[a->inst]);
		else if (a->kind == AK_MM && c->wallets[a->inst])
			iffa_generate__out_field(o, c->wallets[a->inst]);
		else if (a->kind == AK_CRYPTO)
			iffa_generate__out_str(o, "USDT (TRC-20)");
		out_ch(o, ',');
		iffa_generate__out_str(o, c->code);
		out_ch(o, ',');
		iffa_generate__out_str(o, c->code);
		iffa_generate__out_str(o, ",kyc-");
		iffa_generate__out_str(o, c->code);
		out_end(o);
	}
	return 0;
}
