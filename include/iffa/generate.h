/*
 * iffa/generate.h: the deterministic Sahel scenario generator.
 *
 * iffa_generate() writes a synthetic but plausible set of records (parties,
 * accounts, transfers, ransoms, gold lots, levies, designations, exchange
 * rates) in the CSV formats of docs/FORMATS.md, with financing structures of
 * an armed group planted among ordinary activity, and a ground truth
 * (truth.csv) naming every party and account of every planted structure.
 * The same options give byte-identical files on the same build.
 * docs/GENERATOR.md describes what is modelled.
 */
#ifndef IFFA_GENERATE_H
#define IFFA_GENERATE_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Smallest and largest number of transfers iffa_generate() accepts. */
#define IFFA_GENERATE_MIN_TRANSFERS 300
#define IFFA_GENERATE_MAX_TRANSFERS 10000000

/** Kinds of planted structure, as named in truth.csv. */
typedef enum {
	IFFA_GENERATE_RANSOM_CHAIN = 0,
	IFFA_GENERATE_GOLD_CHAIN,
	IFFA_GENERATE_ZAKAT,
	IFFA_GENERATE_LAYERING,
	IFFA_GENERATE_STRUCTURING,
	IFFA_GENERATE_ROUND_TRIP,
	IFFA_GENERATE_STRUCTURES /**< number of kinds */
} iffa_generate_structure;

/** Files written, in the order of iffa_generate_result.files. */
typedef enum {
	IFFA_GENERATE_PARTY = 0,
	IFFA_GENERATE_ACCOUNT,
	IFFA_GENERATE_TRANSFER,
	IFFA_GENERATE_RANSOM,
	IFFA_GENERATE_GOLD_LOT,
	IFFA_GENERATE_LEVY,
	IFFA_GENERATE_DESIGNATION,
	IFFA_GENERATE_FX_RATE,
	IFFA_GENERATE_AFFECTED_ZONE,
	IFFA_GENERATE_TRUTH,
	IFFA_GENERATE_PARAMS,
	IFFA_GENERATE_FILES /**< number of files */
} iffa_generate_file_id;

/** Options of one run. Initialise with IFFA_GENERATE_OPTIONS_INIT. */
typedef struct {
	uint64_t seed;          /**< every random choice follows from it */
	uint64_t transfers;     /**< rows of transfer.csv, written exactly;
				     IFFA_GENERATE_MIN_TRANSFERS ..
				     IFFA_GENERATE_MAX_TRANSFERS */
	double camouflage;      /**< 0..1: how much the planted accounts also
				     behave like ordinary ones, and how noisy
				     the planted amounts and timings are */
	const char *start;      /**< first day, "YYYY-MM-DD" (UTC) */
	int months;             /**< length of the window in calendar
				     months, 1..120 */
	const char *out_dir;    /**< directory to write into; created when
				     missing (its parent must exist) */
	FILE *progress;         /**< progress lines, or NULL for none */
} iffa_generate_options;

#define IFFA_GENERATE_OPTIONS_INIT {1, 5000, 0.3, "2025-01-01", 12, NULL, NULL}

/** One written file. */
typedef struct {
	const char *name;       /**< file name, e.g. "transfer.csv" (static) */
	uint64_t rows;          /**< data rows (header excluded; 0 for JSON) */
	uint64_t bytes;         /**< size of the file */
} iffa_generate_file;

/** What a run wrote. Plain data; nothing to free. */
typedef struct {
	iffa_generate_file files[IFFA_GENERATE_FILES];
	uint32_t instances[IFFA_GENERATE_STRUCTURES]; /**< planted instances per kind */
	uint32_t linked[IFFA_GENERATE_STRUCTURES];    /**< of which hold a
							   designated party */
	uint64_t planted_transfers; /**< transfers moving money inside a
					 planted structure */
	uint64_t camouflage_transfers; /**< ordinary transfers with one
					    planted account */
	uint32_t planted_parties;   /**< parties in truth.csv */
	uint32_t planted_accounts;  /**< accounts in truth.csv */
	int64_t window_start;       /**< first second of the window, UTC */
	int64_t window_end;         /**< first second after it, UTC */
} iffa_generate_result;

/**
 * Write a scenario into opts->out_dir: party.csv, account.csv,
 * transfer.csv, ransom.csv, gold_lot.csv, levy.csv, designation.csv,
 * fx_rate.csv, affected_zone.csv, truth.csv and params.json. Each file is written under a
 * temporary name and renamed when complete, so a file of that name is
 * always whole. Memory grows with the number of accounts (about one per
 * twelve transfers), not with the number of transfers: transfers are
 * written in time order as they are made.
 *
 * Time complexity: O(T log A) for T transfers and A accounts.
 *
 * @param out   receives the counts; may be NULL
 * @param opts  the options; NULL is refused
 * @return 0; IFFA_EINVAL for an option out of range (the message names
 *         it); IFFA_EIO when a file cannot be written; IFFA_ENOMEM
 */
int iffa_generate(iffa_generate_result *out, const iffa_generate_options *opts);

/**
 * Name of a structure kind as written in truth.csv ("ransom_chain", ...),
 * or NULL for a value out of range. Static string.
 */
const char *iffa_generate_structure_name(iffa_generate_structure kind);

#ifdef __cplusplus
}
#endif
#endif
