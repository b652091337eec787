/*
 * Writing a stored run and its findings back out: text for people (refs,
 * names, amounts with thousands separators, the first evidence edges of
 * each finding) or one JSON object built by the server (jsonb), so that
 * `iffa analyse` and `iffa findings` print the same thing from the same
 * rows.
 */
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "db/db.h"

/* Evidence edges printed per finding in text. */
#define TEXT_EVIDENCE 8
#define TEXT_EVIDENCE_SQL "8"

/* "a" ... abandoned: 'running' and no session holds the run's lock. */
#define ABANDONED                                                                      \
	"(r.status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_locks l"               \
	" WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"             \
	" AND l.classid = " IFFA_ANALYSE__LOCK_TEXT                                    \
	" AND l.objid = ((r.id % 2147483647)::int4)::oid))"

static void thousands(char *out, size_t size, const char *number)
{
	char digits[64];
	const char *dot = strchr(number, '.');
	size_t n = dot ? (size_t)(dot - number) : strlen(number), o = 0;
	int neg = number[0] == '-';

	snprintf(digits, sizeof(digits), "%.*s", (int)n, number);
	for (size_t i = 0; i < n && o + 2 < size; i++) {
		if (i > (size_t)neg && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static int write_json(FILE *to, iffa_db *db, const char *id, const char *pass, const char *top)
{
	const char *p[3] = {id, pass, top};
	PGresult *res;
	int error = iffa_db__query(
		&res, db, "reading the findings",
		"SELECT jsonb_build_object("
		" 'run', to_jsonb(r) || jsonb_build_object('abandoned', " ABANDONED "),"
		" 'findings', coalesce((SELECT jsonb_agg(jsonb_build_object("
		"   'id', f.id, 'pass', f.pass, 'kind', f.kind, 'subject_type', f.subject_type,"
		"   'subject_id', f.subject_id, 'subject_label', f.subject_label,"
		"   'score', f.score, 'reason', f.reason, 'evidence', f.evidence,"
		"   'members', coalesce((SELECT jsonb_agg(jsonb_build_object("
		"     'party_id', m.party_id, 'account_id', m.account_id, 'role', m.role))"
		"     FROM finding_member m WHERE m.finding_id = f.id), '[]'::jsonb))"
		"   ORDER BY f.pass, f.score DESC, f.id)"
		"  FROM (SELECT x.*, row_number() OVER (PARTITION BY x.pass"
		"        ORDER BY x.score DESC, x.id) AS rn"
		"        FROM finding x WHERE x.run_id = r.id AND ($2::text IS NULL OR x.pass = $2)) f"
		"  WHERE $3::int = 0 OR f.rn <= $3::int), '[]'::jsonb))::text"
		" FROM analysis_run r WHERE r.id = $1::bigint",
		3, p);

	if (error < 0)
		return error;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return iffa_error_set(IFFA_ENOTFOUND, "no analysis run %s", id);
	}
	fprintf(to, "%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return ferror(to) ? iffa_error_set(IFFA_EIO, "writing the findings failed") : 0;
}

/* Find the first evidence row of finding `fid` in `ev` (sorted by finding id). */
static int evidence_start(const PGresult *ev, long long fid)
{
	int lo = 0, hi = PQntuples(ev);

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (atoll(PQgetvalue(ev, mid, 0)) < fid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void write_vertex(FILE *to, const char *ref, const char *name)
{
	fputs(ref, to);
	if (*name)
		fprintf(to, " (%s)", name);
}

static int write_text(FILE *to, iffa_db *db, const char *id, const char *pass, const char *top)
{
	const char *p[3] = {id, pass, top};
	PGresult *run = NULL, *fs = NULL, *ev = NULL, *counts = NULL;
	int error;
	const char *prev_pass = "";
	if ((error = iffa_db__query(
		     &run, db, "reading the analysis run",
		     "SELECT r.status, r.level, coalesce(to_char(r.data_from AT TIME ZONE 'UTC',"
		     " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'open'), coalesce(to_char(r.data_to AT TIME"
		     " ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'open'),"
		     " to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
		     " coalesce(to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-'),"
		     " r.code_version, coalesce(r.seed::text, '-'), coalesce(r.os_user, '-'),"
		     " coalesce(r.error, ''), coalesce(r.row_counts->>'vertices', '?'),"
		     " coalesce(r.row_counts->>'edges', '?'), " ABANDONED ", r.db_role"
		     " FROM analysis_run r WHERE r.id = $1::bigint",
		     1, p)) < 0)
		goto done;
	if (PQntuples(run) == 0) {
		error = iffa_error_set(IFFA_ENOTFOUND, "no analysis run %s", id);
		goto done;
	}
	fprintf(to, "Run %s: %s%s, %s level, data %s .. %s\n", id, PQgetvalue(run, 0, 0),
		strcmp(PQgetvalue(run, 0, 12), "t") == 0 ? " (abandoned: no process holds it)" : "",
		PQgetvalue(run, 0, 1), PQgetvalue(run, 0, 2), PQgetvalue(run, 0, 3));
	fprintf(to, "  started %s UTC, finished %s; iffa %s, seed %s, os user %s, role %s\n",
		PQgetvalue(run, 0, 4), PQgetvalue(run, 0, 5), PQgetvalue(run, 0, 6),
		PQgetvalue(run, 0, 7), PQgetvalue(run, 0, 8), PQgetvalue(run, 0, 13));
	if (*PQgetvalue(run, 0, 9))
		fprintf(to, "  error: %s\n", PQgetvalue(run, 0, 9));
	fprintf(to, "  graph: %s vertices, %s edges\n", PQgetvalue(run, 0, 10), PQgetvalue(run, 0, 11));

	if ((error = iffa_db__query(&counts, db, "counting findings",
				    "SELECT pass, count(*) FROM finding WHERE run_id = $1::bigint"
				    " AND ($2::text IS NULL OR pass = $2) GROUP BY pass ORDER BY pass",
				    2, p)) < 0)
		goto done;
	if ((error = iffa_db__query(
		     &fs, db, "reading the findings",
		     "SELECT f.id, f.pass, f.kind, f.subject_label, f.score, f.reason,"
		     " jsonb_array_length(f.evidence),"
		     " (SELECT count(*) FROM finding_member m WHERE m.finding_id = f.id), f.rn"
		     " FROM (SELECT x.*, row_number() OVER (PARTITION BY x.pass"
		     "       ORDER BY x.score DESC, x.id) AS rn"
		     "       FROM finding x WHERE x.run_id = $1::bigint"
		     "       AND ($2::text IS NULL OR x.pass = $2)) f"
		     " WHERE $3::int = 0 OR f.rn <= $3::int ORDER BY f.pass, f.rn",
		     3, p)) < 0)
		goto done;
	if ((error = iffa_db__query(
		     &ev, db, "reading the evidence",
		     "SELECT f.id, e.ord, e.v->>'from', e.v->>'from_name', e.v->>'to', e.v->>'to_name',"
		     " to_char((e.v->>'amount_xof')::numeric, 'FM999999999999999990'), e.v->>'flows',"
		     " left(e.v->>'first', 10), left(e.v->>'last', 10), e.v->>'channel',"
		     " e.v->>'kind', coalesce(e.v->>'record', '')"
		     " FROM (SELECT x.id, x.evidence, row_number() OVER (PARTITION BY x.pass"
		     "       ORDER BY x.score DESC, x.id) AS rn"
		     "       FROM finding x WHERE x.run_id = $1::bigint"
		     "       AND ($2::text IS NULL OR x.pass = $2)) f,"
		     " jsonb_array_elements(f.evidence) WITH ORDINALITY AS e(v, ord)"
		     " WHERE ($3::int = 0 OR f.rn <= $3::int) AND e.ord <= " TEXT_EVIDENCE_SQL
		     " ORDER BY f.id, e.ord",
		     3, p)) < 0)
		goto done;
	fprintf(to, "  findings:");
	if (PQntuples(counts) == 0)
		fprintf(to, " none");
	for (int i = 0; i < PQntuples(counts); i++)
		fprintf(to, "%s %s %s", i ? "," : "", PQgetvalue(counts, i, 0), PQgetvalue(counts, i, 1));
	fprintf(to, "\n");

	for (int i = 0; i < PQntuples(fs); i++) {
		long long fid = atoll(PQgetvalue(fs, i, 0));
		int nev = atoi(PQgetvalue(fs, i, 6)), k;

		if (strcmp(prev_pass, PQgetvalue(fs, i, 1)) != 0) {
			prev_pass = PQgetvalue(fs, i, 1);
			fprintf(to, "\n%s:\n", prev_pass);
		}
		fprintf(to, "  #%s [%s] score %.3f  %s\n", PQgetvalue(fs, i, 8), PQgetvalue(fs, i, 2),
			atof(PQgetvalue(fs, i, 4)), PQgetvalue(fs, i, 3));
		fprintf(to, "      %s\n", PQgetvalue(fs, i, 5));
		fprintf(to, "      %s member%s; evidence, %d edge%s:\n", PQgetvalue(fs, i, 7),
			strcmp(PQgetvalue(fs, i, 7), "1") == 0 ? "" : "s", nev, nev == 1 ? "" : "s");
		for (k = evidence_start(ev, fid); k < PQntuples(ev) && atoll(PQgetvalue(ev, k, 0)) == fid;
		     k++) {
			char amount[64];
			const char *flows = PQgetvalue(ev, k, 7), *rec = PQgetvalue(ev, k, 12);
			thousands(amount, sizeof(amount), PQgetvalue(ev, k, 6));
			fprintf(to, "        ");
			write_vertex(to, PQgetvalue(ev, k, 2), PQgetvalue(ev, k, 3));
			fprintf(to, " -> ");
			write_vertex(to, PQgetvalue(ev, k, 4), PQgetvalue(ev, k, 5));
			fprintf(to, "  %s XOF  %s flow%s  %s", amount, flows,
				strcmp(flows, "1") == 0 ? "" : "s", PQgetvalue(ev, k, 8));
			if (strcmp(PQgetvalue(ev, k, 8), PQgetvalue(ev, k, 9)) != 0)
				fprintf(to, "..%s", PQgetvalue(ev, k, 9));
			fprintf(to, "  %s %s%s%s\n", PQgetvalue(ev, k, 10), PQgetvalue(ev, k, 11),
				*rec ? " #" : "", rec);
		}
		if (nev > TEXT_EVIDENCE)
			fprintf(to, "        ... and %d more\n", nev - TEXT_EVIDENCE);
	}
	if (ferror(to))
		error = iffa_error_set(IFFA_EIO, "writing the findings failed");
done:
	PQclear(run);
	PQclear(fs);
	PQclear(ev);
	PQclear(counts);
	return error;
}

int iffa_findings_write(FILE *to, iffa_db *db, int64_t run, const char *pass, size_t top, int json)
{
	char id[32], n[32];

	snprintf(id, sizeof(id), "%lld", (long long)run);
	snprintf(n, sizeof(n), "%zu", top > 1000000000 ? (size_t)1000000000 : top);
	return json ? write_json(to, db, id, pass, n) : write_text(to, db, id, pass, n);
}
