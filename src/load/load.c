/*
 * Loading a CSV file of one record kind: the validation loop and the
 * database side, in one transaction.
 *
 *   1. The header is matched against the kind's columns (spec.c).
 *   2. BEGIN, an advisory lock (loads run one at a time), the country and
 *      currency codes are read once.
 *   3. Every record is checked field by field (field.c) and sent with COPY
 *      into a temporary staging table: good rows as typed values, bad rows
 *      as (line, field, reason) lines with no values. Nothing is allocated
 *      per row; memory does not grow with the file.
 *   4. Set-based SQL finds, per line, unknown references, keys repeated in
 *      the file and keys already loaded with other content; every problem
 *      lands in the temporary table load_reject.
 *   5. Without a reject file, any problem rolls everything back. Otherwise
 *      bad rows and rows already present (identical) leave the staging
 *      table, the rest is inserted with INSERT ... SELECT, and the reject
 *      file is written before COMMIT.
 *
 * SQL text is generated only from the constant specs; user data travels as
 * COPY data or parameters.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/jsonbuf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "iffa/load.h"
#include "load/csv.h"
#include "load/field.h"
#include "load/load.h"
#include "load/spec.h"

#define MAX_COLS 16             /* more than any kind has */

typedef struct {
	iffa_db *db;
	const iffa_load__spec *spec;
	const char *path;
	const char *name;               /* for messages */
	const iffa_load_options *opts;
	iffa_load_result *out;
	FILE *in;
	iffa_load__csv *csv;
	char **header;                  /* the file's column names, file order */
	size_t nheader;
	int colmap[MAX_COLS];           /* spec column -> header index, or -1 */
	iffa_load__codes codes;
	long long now;                  /* Unix seconds at the start */
	iffa_load__buf copy;            /* COPY data not yet sent */
	iffa_load__buf sql;             /* statement being generated */
	char *scratch;                  /* a normalised list, record-sized */
	int in_tx;
	int in_copy;
	char os_user[256];
	char reject_sha256[65];         /* of the reject file written, or "" */
} loader;

static const char *const kind_names[IFFA_LOAD_KIND_COUNT] = {
	"party", "account", "transfer", "ransom", "gold_lot", "levy", "designation", "fx_rate",
	"affected_zone"};

int iffa_load_kind_from_name(iffa_load_kind *out, const char *name)
{
	for (int i = 0; i < IFFA_LOAD_KIND_COUNT; i++) {
		if (name && strcmp(name, kind_names[i]) == 0) {
			*out = (iffa_load_kind)i;
			return 0;
		}
	}
	return iffa_error_set(IFFA_ENOTFOUND,
			      "no record kind '%s' (kinds: party, account, transfer, ransom, "
			      "gold_lot, levy, designation, fx_rate, affected_zone)",
			      name ? name : "");
}

const char *iffa_load_kind_name(iffa_load_kind kind)
{
	if ((int)kind < 0 || kind >= IFFA_LOAD_KIND_COUNT)
		return NULL;
	return kind_names[kind];
}

void iffa_load_result_init(iffa_load_result *r)
{
	memset(r, 0, sizeof(*r));
}

void iffa_load_result_dispose(iffa_load_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->errors_count; i++) {
		free(r->errors[i].field);
		free(r->errors[i].reason);
		free(r->errors[i].message);
	}
	free(r->errors);
	iffa_load_result_init(r);
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* Keep one error in the result (up to max_errors). */
static int keep_error(loader *L, long long line, const char *field, const char *reason)
{
	iffa_load_result *r = L->out;
	iffa_load_error *e;
	iffa_load__buf msg = {0};
	int error;

	if (r->errors_count >= L->opts->max_errors)
		return 0;
	if (line > 0)
		error = iffa_load__buf_printf(&msg, "%s:%lld: ", L->name, line);
	else
		error = iffa_load__buf_printf(&msg, "%s: ", L->name);
	if (!error && field)
		error = iffa_load__buf_printf(&msg, "field %s: ", field);
	if (!error)
		error = iffa_load__buf_puts(&msg, reason);
	if (error < 0)
		goto done;
	if (r->errors_count % 16 == 0) {
		e = realloc(r->errors, (r->errors_count + 16) * sizeof(*e));
		if (!e) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		r->errors = e;
	}
	e = &r->errors[r->errors_count];
	e->line = line;
	e->field = field ? dup_string(field) : NULL;
	e->reason = dup_string(reason);
	e->message = msg.ptr;
	msg.ptr = NULL;
	r->errors_count++;
	if ((field && !e->field) || !e->reason)
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
done:
	iffa_load__buf_dispose(&msg);
	return error;
}

/* A problem with the file as a whole: kept, made the last error, EINVAL. */
static int refuse_file(loader *L, long long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse_file(loader *L, long long line, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	int error;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	L->out->errors_total++;
	if ((error = keep_error(L, line, NULL, reason)) < 0)
		return error;
	if (line > 0)
		return iffa_error_set(IFFA_EINVAL, "%s:%lld: %s", L->name, line, reason);
	return iffa_error_set(IFFA_EINVAL, "%s: %s", L->name, reason);
}

/* The reader failed: keep its message as the file's error. */
static int refuse_from_reader(loader *L, int code)
{
	long long line;
	const char *reason;

	if (code != IFFA_EINVAL)
		return code; /* I/O or memory: the message is set */
	reason = iffa_load__csv_error(L->csv, &line);
	return refuse_file(L, line, "%s", reason);
}

static int read_header(loader *L)
{
	const iffa_load__spec *spec = L->spec;
	iffa_load__buf problems = {0}, known = {0};
	long long line;
	int rc, error = 0;
	size_t n;

	if ((rc = iffa_load__csv_next(L->csv)) < 0)
		return refuse_from_reader(L, rc);
	if (rc == 0)
		return refuse_file(L, 0, "empty file: no header line");
	line = iffa_load__csv_line(L->csv);
	n = iffa_load__csv_count(L->csv);
	if (!(L->header = calloc(n, sizeof(*L->header))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	L->nheader = n;
	for (size_t c = 0; c < MAX_COLS; c++)
		L->colmap[c] = -1;

	for (size_t i = 0; i < n && !error; i++) {
		size_t len;
		const char *f = iffa_load__csv_field(L->csv, i, &len);
		const iffa_load__column *col = iffa_load__column_named(spec, f, len);
		char q[128];

		if (!(L->header[i] = dup_string(f))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			break;
		}
		iffa_load__quote(q, sizeof(q), f, len);
		if (!col)
			error = iffa_load__buf_printf(&problems, "%sunknown column %s",
						      problems.len ? "; " : "", q);
		else if (L->colmap[col - spec->cols] >= 0)
			error = iffa_load__buf_printf(&problems, "%scolumn %s named twice",
						      problems.len ? "; " : "", q);
		else
			L->colmap[col - spec->cols] = (int)i;
	}
	for (size_t c = 0; c < spec->ncols && !error; c++) {
		if (spec->cols[c].required && L->colmap[c] < 0)
			error = iffa_load__buf_printf(&problems, "%smissing required column \"%s\"",
						      problems.len ? "; " : "", spec->cols[c].name);
		if (!error)
			error = iffa_load__buf_printf(&known, "%s%s", c ? ", " : "",
						      spec->cols[c].name);
	}
	if (!error && problems.len)
		error = refuse_file(L, line, "%s (the columns of %s are: %s)", problems.ptr,
				    spec->table, known.ptr);
	if (!error)
		iffa_load__csv_set_names(L->csv, (const char *const *)L->header, L->nheader);
	iffa_load__buf_dispose(&problems);
	iffa_load__buf_dispose(&known);
	return error;
}

/* ---- the database side ------------------------------------------------ */

static int exec(loader *L, const char *what, const char *sql, int n, const char *const *p)
{
	return iffa_db__exec(L->db, what, sql, n, p);
}

/* Run a statement and give back how many rows it touched. */
static int exec_count(loader *L, const char *what, const char *sql, int n,
		      const char *const *p, long long *count)
{
	PGresult *res = NULL;
	int error;

	if ((error = iffa_db__query(&res, L->db, what, sql, n, p)) < 0)
		return error;
	*count = atoll(PQcmdTuples(res));
	PQclear(res);
	return 0;
}

/* A query giving one row of integers. */
static int query_ints(loader *L, const char *what, const char *sql, int n,
		      const char *const *p, long long *v, int nv)
{
	PGresult *res = NULL;
	int error;

	if ((error = iffa_db__query(&res, L->db, what, sql, n, p)) < 0)
		return error;
	if (PQntuples(res) != 1 || PQnfields(res) < nv) {
		PQclear(res);
		return iffa_error_set(IFFA_EDB, "%s: unexpected result", what);
	}
	for (int i = 0; i < nv; i++)
		v[i] = PQgetisnull(res, 0, i) ? 0 : atoll(PQgetvalue(res, 0, i));
	PQclear(res);
	return 0;
}

static int read_codes(loader *L)
{
	static const struct {
		const char *sql;
		int letters;
	} q[2] = {{"SELECT code FROM country", 2}, {"SELECT code FROM currency", 3}};
	PGresult *res = NULL;
	int error = 0;

	memset(&L->codes, 0, sizeof(L->codes));
	for (int k = 0; k < 2 && !error; k++) {
		if ((error = iffa_db__query(&res, L->db, "reading the reference codes", q[k].sql,
					    0, NULL)) < 0)
			break;
		for (int r = 0; r < PQntuples(res); r++) {
			const char *c = PQgetvalue(res, r, 0);
			size_t idx = 0;
			int ok = (int)strlen(c) == q[k].letters;
			for (int i = 0; ok && i < q[k].letters; i++) {
				ok = c[i] >= 'A' && c[i] <= 'Z';
				idx = idx * 26 + (size_t)(c[i] - 'A');
			}
			if (ok)
				(k == 0 ? L->codes.country : L->codes.currency)[idx] = 1;
		}
		PQclear(res);
		res = NULL;
	}
	return error;
}

static const char *stage_type(iffa_load__type t)
{
	switch (t) {
	case IFFA_LOAD__COUNTRY: return "char(2)";
	case IFFA_LOAD__CURRENCY: return "char(3)";
	case IFFA_LOAD__AMOUNT:
	case IFFA_LOAD__GRAMS:
	case IFFA_LOAD__FINENESS:
	case IFFA_LOAD__RATE: return "numeric";
	case IFFA_LOAD__TIMESTAMP: return "timestamptz";
	case IFFA_LOAD__DATE: return "date";
	default: return "text";
	}
}

static int create_temp_tables(loader *L)
{
	iffa_load__buf *b = &L->sql;
	int error = 0;

	iffa_load__buf_clear(b);
	error = iffa_load__buf_puts(b, "CREATE TEMP TABLE load_stage (line bigint NOT NULL, "
				       "err_order int, err_field text, err_reason text");
	for (size_t c = 0; c < L->spec->ncols && !error; c++)
		error = iffa_load__buf_printf(b, ", \"%s\" %s", L->spec->cols[c].name,
					      stage_type(L->spec->cols[c].type));
	if (!error)
		error = iffa_load__buf_puts(b, ") ON COMMIT DROP");
	if (!error)
		error = exec(L, "creating the staging table", b->ptr, 0, NULL);
	if (!error)
		error = exec(L, "creating the staging table",
			     "CREATE TEMP TABLE load_reject (seq bigint GENERATED ALWAYS AS "
			     "IDENTITY, line bigint NOT NULL, field text, reason text NOT NULL) "
			     "ON COMMIT DROP",
			     0, NULL);
	return error;
}

static int copy_start(loader *L)
{
	iffa_load__buf *b = &L->sql;
	PGresult *res;
	int error = 0;

	iffa_load__buf_clear(b);
	error = iffa_load__buf_puts(b, "COPY load_stage (line, err_order, err_field, err_reason");
	for (size_t c = 0; c < L->spec->ncols && !error; c++)
		error = iffa_load__buf_printf(b, ", \"%s\"", L->spec->cols[c].name);
	if (!error)
		error = iffa_load__buf_puts(b, ") FROM STDIN");
	if (error < 0)
		return error;
	res = PQexec(L->db->conn, b->ptr);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		error = iffa_db__fail(L->db, res, "starting COPY");
	else
		L->in_copy = 1;
	PQclear(res);
	return error;
}

static int copy_flush(loader *L)
{
	if (L->copy.len == 0)
		return 0;
	if (PQputCopyData(L->db->conn, L->copy.ptr, (int)L->copy.len) != 1)
		return iffa_db__fail(L->db, NULL, "sending rows with COPY");
	iffa_load__buf_clear(&L->copy);
	return 0;
}

/* End COPY; with `abort_reason`, make the server drop what it received. */
static int copy_end(loader *L, const char *abort_reason)
{
	PGresult *res;
	int error = 0;

	if (!L->in_copy)
		return 0;
	L->in_copy = 0;
	if (!abort_reason && (error = copy_flush(L)) < 0)
		abort_reason = "sending rows failed";
	if (PQputCopyEnd(L->db->conn, abort_reason) != 1 && !error)
		error = iffa_db__fail(L->db, NULL, "ending COPY");
	while ((res = PQgetResult(L->db->conn)) != NULL) {
		if (!abort_reason && !error && PQresultStatus(res) != PGRES_COMMAND_OK)
			error = iffa_db__fail(L->db, res, "COPY into the staging table");
		PQclear(res);
	}
	return error;
}

/* ---- one record --------------------------------------------------------- */

/* A COPY line for one problem: no values, only where and why. */
static int put_problem(loader *L, long long line, int order, const char *field,
		       const char *why)
{
	iffa_load__buf *b = &L->copy;
	int error;

	if ((error = iffa_load__buf_printf(b, "%lld\t%d\t", line, order)) < 0)
		return error;
	if (field)
		error = iffa_load__buf_copy_text(b, field, strlen(field));
	else
		error = iffa_load__buf_puts(b, "\\N");
	if (!error)
		error = iffa_load__buf_puts(b, "\t");
	if (!error)
		error = iffa_load__buf_copy_text(b, why, strlen(why));
	for (size_t c = 0; c < L->spec->ncols && !error; c++)
		error = iffa_load__buf_put(b, "\t\\N", 3);
	if (!error)
		error = iffa_load__buf_put(b, "\n", 1);
	return error;
}

/*
 * Check one non-empty value and append it, COPY-escaped, to L->copy.
 * @return 0, IFFA_EINVAL with `why` filled, or IFFA_ENOMEM
 */
static int put_value(loader *L, const iffa_load__column *col, const char *s, size_t len,
		     char *why, size_t size)
{
	iffa_load__buf *b = &L->copy;
	char ts[IFFA_LOAD__TS_SIZE];
	int error;

	switch (col->type) {
	case IFFA_LOAD__REF:
		error = iffa_load__check_ref(s, len, why, size);
		break;
	case IFFA_LOAD__TEXT:
		if ((error = iffa_load__check_text(s, len, why, size)) < 0)
			return error;
		return iffa_load__buf_copy_text(b, s, len);
	case IFFA_LOAD__LIST:
		if ((error = iffa_load__norm_list(L->scratch, s, len, why, size)) < 0)
			return error;
		return iffa_load__buf_copy_text(b, L->scratch, strlen(L->scratch));
	case IFFA_LOAD__LEGS:
		if ((error = iffa_load__norm_legs(L->scratch, s, len, why, size)) < 0)
			return error;
		return iffa_load__buf_puts(b, L->scratch);
	case IFFA_LOAD__COUNTRY:
		error = iffa_load__check_country(&L->codes, s, len, why, size);
		break;
	case IFFA_LOAD__CURRENCY:
		error = iffa_load__check_currency(&L->codes, s, len, why, size);
		break;
	case IFFA_LOAD__AMOUNT:
		error = iffa_load__check_decimal(&iffa_load__amount, s, len, why, size);
		break;
	case IFFA_LOAD__GRAMS:
		error = iffa_load__check_decimal(&iffa_load__grams, s, len, why, size);
		break;
	case IFFA_LOAD__FINENESS:
		error = iffa_load__check_decimal(&iffa_load__fineness, s, len, why, size);
		break;
	case IFFA_LOAD__RATE:
		error = iffa_load__check_decimal(&iffa_load__rate, s, len, why, size);
		break;
	case IFFA_LOAD__TIMESTAMP:
		if ((error = iffa_load__parse_timestamp(ts, s, len, L->now, why, size)) < 0)
			return error;
		return iffa_load__buf_puts(b, ts);
	case IFFA_LOAD__DATE:
		error = iffa_load__check_date(s, len, L->now, why, size);
		break;
	case IFFA_LOAD__ENUM:
		error = iffa_load__check_enum(col->values, s, len, why, size);
		break;
	default:
		return iffa_error_set(IFFA_ERROR, "column %s has no type", col->name);
	}
	if (error < 0)
		return error;
	/* Checked values hold no byte COPY would need escaped. */
	return iffa_load__buf_put(b, s, len);
}

/* Value of a spec column in the current record ("" when absent). */
static const char *value_of(loader *L, const char *name, size_t *len)
{
	for (size_t c = 0; c < L->spec->ncols; c++) {
		if (strcmp(L->spec->cols[c].name, name) == 0 && L->colmap[c] >= 0)
			return iffa_load__csv_field(L->csv, (size_t)L->colmap[c], len);
	}
	*len = 0;
	return "";
}

/* Validate the current record and queue it (or its problems) for COPY. */
static int put_record(loader *L)
{
	const iffa_load__spec *spec = L->spec;
	long long line = iffa_load__csv_line(L->csv);
	size_t n = iffa_load__csv_count(L->csv), row_start;
	int cut = iffa_load__csv_unterminated(L->csv);
	char why[1024];
	int error = 0, ok = 1;

	/* A last line without a line end may be a file cut short in the middle
	 * of a value that still looks valid ("12500" of "125000"): never load
	 * it, and say so before anything else about the row. */
	if (cut && (error = put_problem(L, line, -2, NULL,
					"no line end after the last line: the file may be "
					"truncated (a complete file ends with a line feed)")) < 0)
		return error;
	row_start = L->copy.len;
	if (n != L->nheader) {
		snprintf(why, sizeof(why), "the line has %zu field%s, the header has %zu", n,
			 n == 1 ? "" : "s", L->nheader);
		return put_problem(L, line, -1, NULL, why);
	}
	if ((error = iffa_load__buf_printf(&L->copy, "%lld\t\\N\t\\N\t\\N", line)) < 0)
		return error;
	for (size_t c = 0; c < spec->ncols; c++) {
		const iffa_load__column *col = &spec->cols[c];
		size_t len = 0;
		const char *s = L->colmap[c] >= 0
					? iffa_load__csv_field(L->csv, (size_t)L->colmap[c], &len)
					: "";

		if (ok && (error = iffa_load__buf_put(&L->copy, "\t", 1)) < 0)
			return error;
		if (len == 0) {
			if (!col->required) {
				if (ok && (error = iffa_load__buf_put(&L->copy, "\\N", 2)) < 0)
					return error;
				continue;
			}
			snprintf(why, sizeof(why), "missing (the column is required)");
			error = IFFA_EINVAL;
		} else if (ok) {
			error = put_value(L, col, s, len, why, sizeof(why));
		} else {
			/* The row is refused already: check only, into a spare buffer. */
			size_t keep = L->copy.len;
			error = put_value(L, col, s, len, why, sizeof(why));
			L->copy.len = keep;
		}
		if (error == IFFA_EINVAL) {
			if (ok) {
				L->copy.len = row_start;
				ok = 0;
			}
			if ((error = put_problem(L, line, (int)c, col->name, why)) < 0)
				return error;
		} else if (error < 0) {
			return error;
		}
	}
	if (ok && spec->distinct[0]) {
		size_t la, lb;
		const char *a = value_of(L, spec->distinct[0], &la);
		const char *b = value_of(L, spec->distinct[1], &lb);
		if (la > 0 && la == lb && memcmp(a, b, la) == 0) {
			char q[128];
			iffa_load__quote(q, sizeof(q), b, lb);
			snprintf(why, sizeof(why), "%s is the same %s as %s", q,
				 spec->distinct_what, spec->distinct[0]);
			L->copy.len = row_start;
			ok = 0;
			if ((error = put_problem(L, line, (int)spec->ncols, spec->distinct[1],
						 why)) < 0)
				return error;
		}
	}
	if (ok && spec->no_rate_currency) {
		size_t len;
		const char *cur = value_of(L, "currency", &len);
		if (len == strlen(spec->no_rate_currency) &&
		    memcmp(cur, spec->no_rate_currency, len) == 0) {
			snprintf(why, sizeof(why),
				 "%s is the unit of every amount and takes no rate",
				 spec->no_rate_currency);
			L->copy.len = row_start;
			ok = 0;
			if ((error = put_problem(L, line, 0, "currency", why)) < 0)
				return error;
		}
	}
	if (ok && cut) {
		L->copy.len = row_start;
		ok = 0;
	}
	if (ok)
		error = iffa_load__buf_put(&L->copy, "\n", 1);
	return error;
}

static int read_records(loader *L)
{
	int rc, error;

	while ((rc = iffa_load__csv_next(L->csv)) == 1) {
		L->out->rows_read++;
		if ((error = put_record(L)) < 0)
			return error;
		if (L->copy.len >= IFFA_DB__COPY_BLOCK && (error = copy_flush(L)) < 0)
			return error;
	}
	if (rc < 0)
		return refuse_from_reader(L, rc);
	return 0;
}

/* ---- set-based checks ----------------------------------------------------- */

/* " LEFT JOIN <table> rN ON rN.ref = s.<col>" for every reference column. */
static int put_from(loader *L, iffa_load__buf *b)
{
	int error = iffa_load__buf_puts(b, " FROM load_stage s");

	for (size_t c = 0; c < L->spec->ncols && !error; c++) {
		const iffa_load__column *col = &L->spec->cols[c];
		if (col->ref && col->target)
			error = iffa_load__buf_printf(b, " LEFT JOIN %s r%zu ON r%zu.ref = s.\"%s\"",
						      col->ref, c, c, col->name);
	}
	return error;
}

/* The value of column c as the target table stores it. */
static int put_value_expr(loader *L, iffa_load__buf *b, size_t c)
{
	const iffa_load__column *col = &L->spec->cols[c];

	if (col->ref)
		return iffa_load__buf_printf(b, "r%zu.id", c);
	if (col->type == IFFA_LOAD__LIST)
		return iffa_load__buf_printf(b, "coalesce(string_to_array(s.\"%s\", '|'), "
						"'{}'::text[])",
					     col->name);
	return iffa_load__buf_printf(b, "s.\"%s\"", col->name);
}

static int put_key_join(loader *L, iffa_load__buf *b)
{
	int error = iffa_load__buf_printf(b, "t.\"%s\" = s.\"%s\"", L->spec->key[0],
					  L->spec->key[0]);
	if (!error && L->spec->key[1])
		error = iffa_load__buf_printf(b, " AND t.\"%s\" = s.\"%s\"", L->spec->key[1],
					      L->spec->key[1]);
	return error;
}

static int check_references(loader *L)
{
	iffa_load__buf *b = &L->sql;
	int error = 0;

	for (size_t c = 0; c < L->spec->ncols && !error; c++) {
		const iffa_load__column *col = &L->spec->cols[c];

		if (!col->ref)
			continue;
		iffa_load__buf_clear(b);
		if (col->type == IFFA_LOAD__LEGS)
			error = iffa_load__buf_printf(
				b,
				"INSERT INTO load_reject (line, field, reason) "
				"SELECT s.line, '%s', '%s \"' || e.ref || '\" does not exist' "
				"FROM load_stage s CROSS JOIN LATERAL "
				"(SELECT substr(u.item, strpos(u.item, ':') + 1) AS ref, u.ord "
				" FROM unnest(string_to_array(s.\"%s\", '|')) WITH ORDINALITY "
				" AS u(item, ord)) e "
				"WHERE s.err_reason IS NULL AND NOT EXISTS "
				"(SELECT 1 FROM %s x WHERE x.ref = e.ref) ORDER BY s.line, e.ord",
				col->name, col->ref, col->name, col->ref);
		else
			error = iffa_load__buf_printf(
				b,
				"INSERT INTO load_reject (line, field, reason) "
				"SELECT s.line, '%s', '%s \"' || s.\"%s\" || '\" does not exist' "
				"FROM load_stage s WHERE s.err_reason IS NULL AND s.\"%s\" IS NOT NULL "
				"AND NOT EXISTS (SELECT 1 FROM %s x WHERE x.ref = s.\"%s\") "
				"ORDER BY s.line",
				col->name, col->ref, col->name, col->name, col->ref, col->name);
		if (!error)
			error = exec(L, "checking references", b->ptr, 0, NULL);
		if (error || !col->ref_kind)
			continue;
		iffa_load__buf_clear(b);
		error = iffa_load__buf_printf(
			b,
			"INSERT INTO load_reject (line, field, reason) "
			"SELECT s.line, '%s', '%s \"' || s.\"%s\" || '\" is a ' || x.kind || "
			"', not a %s' FROM load_stage s JOIN %s x ON x.ref = s.\"%s\" "
			"WHERE s.err_reason IS NULL AND x.kind <> '%s' ORDER BY s.line",
			col->name, col->ref, col->name, col->ref_kind, col->ref, col->name,
			col->ref_kind);
		if (!error)
			error = exec(L, "checking references", b->ptr, 0, NULL);
	}
	return error;
}

static int check_repeats(loader *L)
{
	const iffa_load__spec *spec = L->spec;
	iffa_load__buf *b = &L->sql;
	const char *last = spec->key[1] ? spec->key[1] : spec->key[0];
	int error;

	iffa_load__buf_clear(b);
	error = iffa_load__buf_printf(
		b,
		"INSERT INTO load_reject (line, field, reason) "
		"SELECT line, '%s', 'duplicate of line ' || first || ' (same %s%s%s)' FROM "
		"(SELECT line, min(line) OVER (PARTITION BY \"%s\"%s%s%s) AS first "
		" FROM load_stage WHERE err_reason IS NULL) d "
		"WHERE line <> first ORDER BY line",
		last, spec->key[0], spec->key[1] ? " and " : "", spec->key[1] ? spec->key[1] : "",
		spec->key[0], spec->key[1] ? ", \"" : "", spec->key[1] ? spec->key[1] : "",
		spec->key[1] ? "\"" : "");
	if (!error)
		error = exec(L, "looking for keys repeated in the file", b->ptr, 0, NULL);
	return error;
}

/*
 * Rows whose key is already in the table: load_match gets one row per
 * (line, existing record) with the first column that differs, NULL when
 * the content is identical.
 */
static int match_existing(loader *L)
{
	const iffa_load__spec *spec = L->spec;
	iffa_load__buf *b = &L->sql;
	int error;

	iffa_load__buf_clear(b);
	error = iffa_load__buf_puts(b, "CREATE TEMP TABLE load_match ON COMMIT DROP AS "
				       "SELECT s.line, t.load_id, CASE");
	for (size_t c = 0; c < spec->ncols && !error; c++) {
		const iffa_load__column *col = &spec->cols[c];
		if (col->type == IFFA_LOAD__LEGS) {
			error = iffa_load__buf_printf(
				b,
				" WHEN coalesce((SELECT string_agg(l.role || ':' || p.ref, '|' "
				"ORDER BY l.seq) FROM ransom_leg l JOIN party p ON p.id = l.party_id "
				"WHERE l.ransom_id = t.id), '') IS DISTINCT FROM "
				"coalesce(s.\"%s\", '') THEN '%s'",
				col->name, col->name);
			continue;
		}
		error = iffa_load__buf_printf(b, " WHEN t.\"%s\" IS DISTINCT FROM ", col->target);
		if (!error)
			error = put_value_expr(L, b, c);
		if (!error)
			error = iffa_load__buf_printf(b, " THEN '%s'", col->name);
	}
	if (!error)
		error = iffa_load__buf_puts(b, " END AS diff");
	if (!error)
		error = put_from(L, b);
	if (!error)
		error = iffa_load__buf_printf(b, " JOIN %s t ON ", spec->table);
	if (!error)
		error = put_key_join(L, b);
	if (!error)
		error = iffa_load__buf_puts(b, " WHERE s.err_reason IS NULL");
	if (!error)
		error = exec(L, "comparing with records already loaded", b->ptr, 0, NULL);
	if (!error)
		error = exec(L, "comparing with records already loaded",
			     "INSERT INTO load_reject (line, field, reason) "
			     "SELECT line, min(diff), 'already loaded with different values' || "
			     "coalesce(' (load batch ' || min(load_id) || ')', '') "
			     "FROM load_match GROUP BY line HAVING bool_and(diff IS NOT NULL) "
			     "ORDER BY line",
			     0, NULL);
	return error;
}

static int check_rows(loader *L)
{
	long long v[2];
	int error;

	/* Problems found in C come first for their line. */
	if ((error = exec(L, "collecting bad rows",
			  "INSERT INTO load_reject (line, field, reason) "
			  "SELECT line, err_field, err_reason FROM load_stage "
			  "WHERE err_reason IS NOT NULL ORDER BY line, err_order",
			  0, NULL)) < 0)
		return error;
	if ((error = check_references(L)) < 0 || (error = check_repeats(L)) < 0 ||
	    (error = match_existing(L)) < 0)
		return error;
	if ((error = query_ints(L, "counting bad rows",
				"SELECT count(*), count(DISTINCT line) FROM load_reject", 0, NULL,
				v, 2)) < 0)
		return error;
	L->out->errors_total += v[0];
	L->out->rows_rejected = v[1];
	return 0;
}

/* Copy the first errors, in line order, into the result. */
static int fetch_errors(loader *L)
{
	PGresult *res = NULL;
	char limit[32];
	const char *p[1] = {limit};
	int error;

	if (L->opts->max_errors == 0)
		return 0;
	snprintf(limit, sizeof(limit), "%zu", L->opts->max_errors);
	if ((error = iffa_db__query(&res, L->db, "reading the bad rows",
				    "SELECT line, field, reason FROM load_reject "
				    "ORDER BY line, seq LIMIT $1::bigint",
				    1, p)) < 0)
		return error;
	for (int r = 0; r < PQntuples(res) && !error; r++)
		error = keep_error(L, atoll(PQgetvalue(res, r, 0)),
				   PQgetisnull(res, r, 1) ? NULL : PQgetvalue(res, r, 1),
				   PQgetvalue(res, r, 2));
	PQclear(res);
	return error;
}

/* ---- writing ------------------------------------------------------------ */

static int insert_rows(loader *L, const char *load_id)
{
	const iffa_load__spec *spec = L->spec;
	iffa_load__buf *b = &L->sql;
	const char *p[1] = {load_id};
	long long staged[1], inserted[1];
	int error;

	if ((error = query_ints(L, "counting rows to insert", "SELECT count(*) FROM load_stage",
				0, NULL, staged, 1)) < 0)
		return error;
	if (staged[0] == 0)
		return 0;
	if (spec->kind == IFFA_LOAD_TRANSFER &&
	    (error = exec(L, "creating transfer partitions",
			  "SELECT iffa_ensure_transfer_partitions(m, m) FROM "
			  "(SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') "
			  " AT TIME ZONE 'UTC' AS m FROM load_stage) d",
			  0, NULL)) < 0)
		return error;

	iffa_load__buf_clear(b);
	if (spec->kind == IFFA_LOAD_RANSOM)
		error = iffa_load__buf_puts(b, "WITH ins AS (");
	if (!error)
		error = iffa_load__buf_printf(b, "INSERT INTO %s (", spec->table);
	for (size_t c = 0; c < spec->ncols && !error; c++)
		if (spec->cols[c].target)
			error = iffa_load__buf_printf(b, "\"%s\", ", spec->cols[c].target);
	if (!error)
		error = iffa_load__buf_puts(b, "load_id) SELECT ");
	for (size_t c = 0; c < spec->ncols && !error; c++) {
		if (!spec->cols[c].target)
			continue;
		if (!(error = put_value_expr(L, b, c)))
			error = iffa_load__buf_puts(b, ", ");
	}
	if (!error)
		error = iffa_load__buf_puts(b, "$1::bigint");
	if (!error)
		error = put_from(L, b);
	if (!error)
		error = iffa_load__buf_puts(b, " ORDER BY s.line");
	if (!error && spec->kind == IFFA_LOAD_RANSOM)
		error = iffa_load__buf_puts(
			b, " RETURNING id, source, source_ref), legs AS ("
			   "INSERT INTO ransom_leg (ransom_id, seq, party_id, role) "
			   "SELECT ins.id, e.ord, p.id, split_part(e.item, ':', 1) FROM ins "
			   "JOIN load_stage s ON s.source = ins.source AND s.source_ref = ins.source_ref "
			   "CROSS JOIN LATERAL unnest(string_to_array(s.intermediaries, '|')) "
			   "WITH ORDINALITY AS e(item, ord) "
			   "JOIN party p ON p.ref = substr(e.item, strpos(e.item, ':') + 1) "
			   "RETURNING 1) SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM legs)");
	if (error < 0)
		return error;
	if (spec->kind == IFFA_LOAD_RANSOM)
		error = query_ints(L, "inserting the records", b->ptr, 1, p, inserted, 1);
	else
		error = exec_count(L, "inserting the records", b->ptr, 1, p, inserted);
	if (error < 0)
		return error;
	if (inserted[0] != staged[0])
		return iffa_error_set(IFFA_EDB, "inserting the records: %lld of %lld rows went in",
				      inserted[0], staged[0]);
	L->out->rows_loaded = inserted[0];
	return 0;
}

static void find_os_user(loader *L)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &found) == 0 && found)
		snprintf(L->os_user, sizeof(L->os_user), "%s", found->pw_name);
	else
		snprintf(L->os_user, sizeof(L->os_user), "uid %ld", (long)geteuid());
}

static int record_batch(loader *L, char load_id[32])
{
	const char *p[4] = {L->spec->table, L->name, L->out->file_sha256, L->os_user};
	long long id[1];
	int error;

	if ((error = query_ints(L, "recording the load batch",
				"INSERT INTO load_batch (kind, file_name, file_sha256, os_user) "
				"VALUES ($1, $2, $3, $4) RETURNING id",
				4, p, id, 1)) < 0)
		return error;
	snprintf(load_id, 32, "%lld", id[0]);
	L->out->load_id = id[0];
	return 0;
}

static int finish_batch(loader *L, const char *load_id)
{
	iffa_load_result *r = L->out;
	char n[4][32];
	const char *p[12];
	int error;

	snprintf(n[0], sizeof(n[0]), "%lld", r->rows_read);
	snprintf(n[1], sizeof(n[1]), "%lld", r->rows_loaded);
	snprintf(n[2], sizeof(n[2]), "%lld", r->rows_duplicate);
	snprintf(n[3], sizeof(n[3]), "%lld", r->rows_rejected);
	p[0] = load_id;
	p[1] = n[0];
	p[2] = n[1];
	p[3] = n[2];
	p[4] = n[3];
	if ((error = exec(L, "recording the load batch",
			  "UPDATE load_batch SET finished_at = clock_timestamp(), "
			  "rows_read = $2::bigint, rows_loaded = $3::bigint, "
			  "rows_duplicate = $4::bigint, rows_rejected = $5::bigint "
			  "WHERE id = $1::bigint",
			  5, p)) < 0)
		return error;
	p[5] = L->os_user;
	p[6] = L->spec->table;
	p[7] = L->name;
	p[8] = L->opts->reject_path;
	p[9] = r->file_sha256;
	p[10] = L->reject_sha256[0] ? L->reject_sha256 : NULL;
	return exec(L, "writing the audit log",
		    "INSERT INTO audit_log (os_user, command, params, rows_affected, "
		    "output_sha256, detail) VALUES ($6, 'load', "
		    "jsonb_build_object('kind', $7::text, 'file', $8::text, "
		    "'reject_file', $9::text), $3::bigint, $10, "
		    "jsonb_build_object('load_id', $1::bigint, 'rows_read', $2::bigint, "
		    "'rows_loaded', $3::bigint, 'rows_duplicate', $4::bigint, "
		    "'rows_rejected', $5::bigint, 'reject_sha256', $11::text))",
		    11, p);
}

/* SHA-256 of the reject file just written, for the audit row. */
static int hash_reject_file(loader *L)
{
	const char *path = L->opts->reject_path;
	unsigned char md[32];
	unsigned long long size;
	int fd, error;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)) < 0)
		return iffa_error_set(IFFA_EIO, "%s: cannot read it again: %s", path,
				      strerror(errno));
	error = iffa_crypto__sha256_fd(md, &size, fd, path);
	close(fd);
	if (error == 0)
		iffa_crypto__hex(L->reject_sha256, md, sizeof(md));
	return error;
}

static int load(loader *L)
{
	char load_id[32];
	long long n;
	int error;

	if (L->opts->reject_path &&
	    (error = iffa_load__check_reject_path(L->path, L->name, L->opts->reject_path)) < 0)
		return error;
	if ((error = read_header(L)) < 0)
		return error;
	if (PQtransactionStatus(L->db->conn) != PQTRANS_IDLE)
		return iffa_error_set(IFFA_ERROR, "%s: the connection is inside a transaction; "
						  "a load must run in its own",
				      L->name);
	if ((error = exec(L, "starting the load", "BEGIN", 0, NULL)) < 0)
		return error;
	L->in_tx = 1;
	if ((error = exec(L, "waiting for other loads to finish",
			  "SELECT pg_advisory_xact_lock(" IFFA_LOAD__LOCK ")", 0, NULL)) < 0 ||
	    (error = read_codes(L)) < 0 || (error = create_temp_tables(L)) < 0 ||
	    (error = copy_start(L)) < 0)
		return error;
	if ((error = read_records(L)) < 0) {
		copy_end(L, "the input file was refused");
		return error;
	}
	if ((error = copy_end(L, NULL)) < 0 ||
	    (error = iffa_load__csv_sha256(L->csv, L->out->file_sha256)) < 0 ||
	    (error = exec(L, "analysing the staging table", "ANALYZE load_stage", 0, NULL)) < 0 ||
	    (error = record_batch(L, load_id)) < 0 || (error = check_rows(L)) < 0)
		return error;

	if (L->out->rows_rejected > 0 && !L->opts->reject_path) {
		if ((error = fetch_errors(L)) < 0)
			return error;
		L->out->load_id = 0;
		return iffa_error_set(IFFA_EINVAL, "%s: %lld bad row%s; nothing was written (%s)",
				      L->name, L->out->rows_rejected,
				      L->out->rows_rejected == 1 ? "" : "s",
				      L->out->errors_count ? L->out->errors[0].message : "");
	}
	if ((error = exec(L, "setting bad rows aside",
			  "DELETE FROM load_stage WHERE err_reason IS NOT NULL "
			  "OR line IN (SELECT line FROM load_reject)",
			  0, NULL)) < 0 ||
	    (error = exec_count(L, "skipping records already loaded",
				"DELETE FROM load_stage WHERE line IN "
				"(SELECT line FROM load_match WHERE diff IS NULL)",
				0, NULL, &n)) < 0)
		return error;
	L->out->rows_duplicate = n;
	if ((error = insert_rows(L, load_id)) < 0)
		return error;
	/* The reject file is an output of the load: in place before the audit
	 * row that gives its digest, and gone again if the load fails after. */
	if (L->opts->reject_path) {
		/* On failure nothing was renamed: an older file stays as it was. */
		if ((error = iffa_load__write_rejects(L->db, L->path, L->name,
						      L->opts->reject_path,
						      L->out->file_sha256)) < 0)
			return error;
		if ((error = hash_reject_file(L)) < 0) {
			remove(L->opts->reject_path);
			return error;
		}
	}
	if ((error = finish_batch(L, load_id)) < 0 || (error = fetch_errors(L)) < 0) {
		if (L->opts->reject_path)
			remove(L->opts->reject_path);
		return error;
	}
	if ((error = exec(L, "committing the load", "COMMIT", 0, NULL)) < 0) {
		L->in_tx = 0; /* a failed COMMIT ends the transaction */
		if (L->opts->reject_path)
			remove(L->opts->reject_path);
		return error;
	}
	L->in_tx = 0;
	return 0;
}

/*
 * A refused load leaves an audit row of its own, written after the
 * rollback so that it stays: who (the login role by the column's default,
 * the OS user), which file with the SHA-256 of its bytes when it can be
 * read, and why. Best effort: when the server is gone there is nothing to
 * write to, and the refusal itself is what the caller reports, so its
 * message is kept.
 */
static void record_refusal(loader *L, int code)
{
	iffa_jsonbuf params = IFFA_JSONBUF_INIT, detail = IFFA_JSONBUF_INIT;
	char msg[2048], digest[65] = "", n[3][32];
	const char *p[5];
	int fd;

	snprintf(msg, sizeof(msg), "%s", iffa_error_last());
	if (!L->db || PQstatus(L->db->conn) != CONNECTION_OK ||
	    PQtransactionStatus(L->db->conn) != PQTRANS_IDLE)
		goto done;
	/* The reader may have stopped early: hash the whole file again, when it
	 * is a regular file (a pipe's bytes are gone, and opening a FIFO again
	 * would wait for a writer). */
	if ((fd = open(L->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) >= 0) {
		unsigned char md[32];
		unsigned long long size;
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    iffa_crypto__sha256_fd(md, &size, fd, L->name) == 0)
			iffa_crypto__hex(digest, md, sizeof(md));
		close(fd);
	}
	snprintf(n[0], sizeof(n[0]), "%lld", L->out->rows_read);
	snprintf(n[1], sizeof(n[1]), "%lld", L->out->rows_rejected);
	snprintf(n[2], sizeof(n[2]), "%lld", L->out->errors_total);
	iffa_jsonbuf__puts(&params, "{\"kind\":");
	iffa_crypto__json_str(&params, L->spec->table);
	iffa_jsonbuf__puts(&params, ",\"file\":");
	iffa_crypto__json_str(&params, L->name);
	iffa_jsonbuf__puts(&params, ",\"reject_file\":");
	iffa_crypto__json_str(&params, L->opts->reject_path);
	iffa_jsonbuf__puts(&params, "}");
	iffa_jsonbuf__printf(&detail, "{\"ok\":false,\"rows_read\":%s,\"rows_rejected\":%s,"
				      "\"errors_total\":%s,\"error\":",
			     n[0], n[1], n[2]);
	iffa_crypto__json_str(&detail, msg);
	iffa_jsonbuf__puts(&detail, "}");
	if (params.oom || detail.oom)
		goto done;
	p[0] = L->os_user;
	p[1] = params.ptr;
	p[2] = digest[0] ? digest : NULL;
	p[3] = detail.ptr;
	iffa_db__exec(L->db, "recording the refused load",
		      "INSERT INTO audit_log (os_user, command, params, rows_affected, "
		      "output_sha256, detail) VALUES ($1, 'load', $2::jsonb, 0, $3, $4::jsonb)",
		      4, p);
done:
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	iffa_error_set(code, "%s", msg);
}

int iffa_load_file(iffa_load_result *out, iffa_db *db, iffa_load_kind kind, const char *path,
		   const iffa_load_options *opts)
{
	static const iffa_load_options defaults = IFFA_LOAD_OPTIONS_INIT;
	loader L;
	int error;

	iffa_load_result_init(out);
	memset(&L, 0, sizeof(L));
	L.db = db;
	L.out = out;
	L.opts = opts ? opts : &defaults;
	L.path = path;
	L.name = L.opts->display_name ? L.opts->display_name : path;
	L.now = (long long)time(NULL);
	if (!(L.spec = iffa_load__spec_of(kind)))
		return iffa_error_set(IFFA_EINVAL, "invalid record kind %d", (int)kind);
	find_os_user(&L);

	if (!(L.in = fopen(path, "rb"))) {
		error = iffa_error_set(IFFA_EIO, "%s: cannot open: %s", L.name, strerror(errno));
		goto done;
	}
	if (!(L.scratch = malloc(IFFA_LOAD__CSV_MAX_RECORD + 1))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_load__csv_new(&L.csv, L.in, L.name)) < 0)
		goto done;
	error = load(&L);
done:
	if (L.in_copy)
		copy_end(&L, "load failed");
	if (L.in_tx) {
		/* Keep the message of the failure, not of the rollback. */
		PQclear(PQexec(db->conn, "ROLLBACK"));
	}
	/* Not inside a caller's transaction: that is not ours to write into. */
	if (error < 0)
		record_refusal(&L, error);
	if (error < 0) {
		out->rows_loaded = 0;
		out->rows_duplicate = 0;
		out->load_id = 0;
	}
	iffa_load__csv_free(L.csv);
	if (L.in)
		fclose(L.in);
	for (size_t i = 0; i < L.nheader; i++)
		free(L.header[i]);
	free(L.header);
	free(L.scratch);
	iffa_load__buf_dispose(&L.copy);
	iffa_load__buf_dispose(&L.sql);
	return error;
}
