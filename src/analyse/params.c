/*
 * The parameter registry: every pass's parameter struct filled from its
 * defaults, a configuration file and key=value overrides, through the
 * rows of the pass table (passes.c); the values as JSON for the run
 * record; and running the selected passes.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyse/analyse.h"
#include "core/jsonbuf.h"

static const char *const type_names[] = {"int", "real", "bool", "seed", "choice", "duration", "int64",
						"size", "flags"};

void iffa_analysis_free(iffa_analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < iffa_analyse__npasses; i++) {
		if (a->values)
			free(a->values[i]);
		if (a->set)
			free(a->set[i]);
	}
	free(a->values);
	free(a->set);
	free(a->selected);
	free(a);
}

int iffa_analysis_new(iffa_analysis **out)
{
	iffa_analysis *a = calloc(1, sizeof(*a));
	size_t n = iffa_analyse__npasses;

	*out = NULL;
	if (!a || !(a->values = calloc(n, sizeof(*a->values))) ||
	    !(a->set = calloc(n, sizeof(*a->set))) || !(a->selected = calloc(n, 1)))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const iffa_pass_spec *ps = &iffa_analyse__passes[i];
		if (!(a->values[i] = malloc(ps->size)) || !(a->set[i] = calloc(ps->nparams + 1, 1)))
			goto oom;
		memcpy(a->values[i], ps->defaults, ps->size);
		a->selected[i] = ps->run != NULL;
	}
	*out = a;
	return 0;
oom:
	iffa_analysis_free(a);
	return iffa_error_set(IFFA_ENOMEM, "out of memory");
}

static int find_param(size_t *pass, size_t *row, const char *key)
{
	for (size_t i = 0; i < iffa_analyse__npasses; i++)
		for (size_t j = 0; j < iffa_analyse__passes[i].nparams; j++)
			if (strcmp(iffa_analyse__passes[i].params[j].key, key) == 0) {
				*pass = i;
				*row = j;
				return 1;
			}
	return 0;
}

/* Index of `name` in the comma-separated `choices`, or -1. */
static int choice_index(const char *choices, const char *name)
{
	size_t len = strlen(name);
	int i = 0;

	for (const char *p = choices; *p; i++) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == len && strncmp(p, name, n) == 0)
			return i;
		if (!end)
			break;
		p = end + 1;
	}
	return -1;
}

/* Name of choice `i`, copied into out. */
static void choice_name(char *out, size_t size, const char *choices, int i)
{
	const char *p = choices;

	for (int k = 0; k < i && p; k++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p) {
		snprintf(out, size, "%d", i);
		return;
	}
	snprintf(out, size, "%.*s", (int)(strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p)), p);
}

/* Bits of the comma-separated names in `text` among `choices`, "all" or
 * "none"; -1 when a name is not a choice. */
static long long flags_parse(const char *choices, const char *text)
{
	char name[64];
	long long bits = 0;
	int n = 0;

	if (strcmp(text, "none") == 0)
		return 0;
	for (const char *p = choices; *p; n++) {
		p = strchr(p, ',');
		if (!p) {
			n++;
			break;
		}
		p++;
	}
	if (strcmp(text, "all") == 0)
		return (1LL << n) - 1;
	for (const char *p = text;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int i;
		if (len == 0 || len >= sizeof(name))
			return -1;
		memcpy(name, p, len);
		name[len] = '\0';
		if ((i = choice_index(choices, name)) < 0)
			return -1;
		bits |= 1LL << i;
		if (!end)
			return bits;
		p = end + 1;
	}
}

/* Names of the bits set in `bits`, comma-separated, or "none". */
static void flags_text(char *out, size_t size, const char *choices, unsigned bits)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < 32 && len < size; i++)
		if (bits & (1u << i)) {
			char name[64];
			choice_name(name, sizeof(name), choices, i);
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", name);
		}
	if (!out[0])
		snprintf(out, size, "none");
}

/* Parse `text` into the field described by `spec` of struct `base`. */
static int parse_value(void *base, const iffa_param_spec *spec, const char *text)
{
	char *end;
	unsigned char *field = (unsigned char *)base + spec->offset;

	errno = 0;
	switch (spec->type) {
	case IFFA_PARAM_INT: {
		long long v = strtoll(text, &end, 10);
		if (errno || end == text || *end || v < spec->min || v > spec->max)
			return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not an integer from %.0f to %.0f",
					      spec->key, text, spec->min, spec->max);
		*(int *)(void *)field = (int)v;
		return 0;
	}
	case IFFA_PARAM_REAL: {
		double v = strtod(text, &end);
		if (errno || end == text || *end || !isfinite(v) || v < spec->min || v > spec->max)
			return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not a number from %g to %g",
					      spec->key, text, spec->min, spec->max);
		*(double *)(void *)field = v;
		return 0;
	}
	case IFFA_PARAM_BOOL: {
		static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
		for (int i = 0; i < 4; i++) {
			if (strcmp(text, yes[i]) == 0) {
				*(int *)(void *)field = 1;
				return 0;
			}
			if (strcmp(text, no[i]) == 0) {
				*(int *)(void *)field = 0;
				return 0;
			}
		}
		return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not true or false", spec->key, text);
	}
	case IFFA_PARAM_SEED: {
		unsigned long long v;
		if (text[0] == '-' || text[0] == '+')
			return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not a seed (0 to 2^64 - 1)",
					      spec->key, text);
		v = strtoull(text, &end, 10);
		if (errno || end == text || *end)
			return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not a seed (0 to 2^64 - 1)",
					      spec->key, text);
		*(uint64_t *)(void *)field = (uint64_t)v;
		return 0;
	}
	case IFFA_PARAM_CHOICE: {
		int i = choice_index(spec->choices, text);
		if (i < 0)
			return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not one of %s", spec->key, text,
					      spec->choices);
		*(int *)(void *)field = i;
		return 0;
	}
	case IFFA_PARAM_INT64: {
		long long v = strtoll(text, &end, 10);
		if (errno || end == text || *end || (double)v < spec->min || (double)v > spec->max)
			return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not an integer from %.0f to %.0f",
					      spec->key, text, spec->min, spec->max);
		*(int64_t *)(void *)field = (int64_t)v;
		return 0;
	}
	case IFFA_PARAM_SIZE: {
		unsigned long long v = strtoull(text, &end, 10);
		if (errno || end == text || *end || !isdigit((unsigned char)text[0]) ||
		    (double)v < spec->min || (double)v > spec->max)
			return iffa_error_set(IFFA_EINVAL, "%s: '%s' is not a count from %.0f to %.0f",
					      spec->key, text, spec->min, spec->max);
		*(size_t *)(void *)field = (size_t)v;
		return 0;
	}
	case IFFA_PARAM_FLAGS: {
		long long v = flags_parse(spec->choices, text);
		if (v < 0 || (double)v < spec->min)
			return iffa_error_set(IFFA_EINVAL,
					      "%s: '%s' is not a list of %s (comma-separated, "
					      "\"all\"%s)", spec->key, text, spec->choices,
					      spec->min > 0 ? "" : " or \"none\"");
		*(unsigned *)(void *)field = (unsigned)v;
		return 0;
	}
	case IFFA_PARAM_DURATION: {
		long long v = strtoll(text, &end, 10);
		long long unit = 1;
		if (!errno && end != text && v >= 0 && end[0] && !end[1]) {
			switch (*end) {
			case 'd': unit = 86400; break;
			case 'h': unit = 3600; break;
			case 'm': unit = 60; break;
			case 's': unit = 1; break;
			default: unit = 0; break;
			}
		} else {
			unit = 0;
		}
		/* min and max are in seconds */
		if (!unit || (double)v * (double)unit < spec->min || (double)v * (double)unit > spec->max)
			return iffa_error_set(IFFA_EINVAL,
					      "%s: '%s' is not a duration from %.0f s to %.0f s "
					      "(a whole number and d, h, m or s: 14d)",
					      spec->key, text, spec->min, spec->max);
		*(int64_t *)(void *)field = (int64_t)v * unit * 1000000;
		return 0;
	}
	}
	return iffa_error_set(IFFA_EINVAL, "%s: unknown parameter type", spec->key);
}

int iffa_analysis_set(iffa_analysis *a, const char *key, const char *value)
{
	size_t pass, row;
	int error;

	if (!find_param(&pass, &row, key))
		return iffa_error_set(IFFA_EINVAL, "unknown parameter '%s' (iffa analyse "
				      "--list-params shows them)", key);
	if ((error = parse_value(a->values[pass], &iffa_analyse__passes[pass].params[row], value)) < 0)
		return error;
	a->set[pass][row] = 1;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s && isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int iffa_analysis_read_config(iffa_analysis *a, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int error = 0;

	if (!f)
		return iffa_error_set(IFFA_EIO, "%s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *hash, *eq, *key, *value;

		lineno++;
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		if (!(eq = strchr(key, '='))) {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if (!*key || !*value) {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: expected 'key = value'", path, lineno);
			break;
		}
		if ((error = iffa_analysis_set(a, key, value)) < 0) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s", iffa_error_last());
			error = iffa_error_set(error, "%s:%ld: %s", path, lineno, msg);
			break;
		}
	}
	if (!error && ferror(f))
		error = iffa_error_set(IFFA_EIO, "%s: read error", path);
	free(line);
	fclose(f);
	return error;
}

int iffa_analysis_select(iffa_analysis *a, const char *list)
{
	uint8_t sel[64] = {0};
	const char *p = list;

	if (strcmp(list, "all") == 0) {
		for (size_t i = 0; i < iffa_analyse__npasses; i++)
			a->selected[i] = iffa_analyse__passes[i].run != NULL;
		return 0;
	}
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p), i;

		for (i = 0; i < iffa_analyse__npasses; i++) {
			const char *name = iffa_analyse__passes[i].name;
			if (iffa_analyse__passes[i].run && strlen(name) == n && strncmp(name, p, n) == 0)
				break;
		}
		if (i == iffa_analyse__npasses || i >= sizeof(sel))
			return iffa_error_set(IFFA_EINVAL, "unknown pass '%.*s'", (int)(n > 64 ? 64 : n), p);
		sel[i] = 1;
		if (!end)
			break;
		p = end + 1;
	}
	for (size_t i = 0; i < iffa_analyse__npasses; i++)
		a->selected[i] = i < sizeof(sel) ? sel[i] : 0;
	return 0;
}

size_t iffa_analysis_pass_count(void)
{
	return iffa_analyse__npasses - 1;
}

const char *iffa_analysis_pass_name(size_t i)
{
	return i + 1 < iffa_analyse__npasses ? iffa_analyse__passes[i + 1].name : NULL;
}

const iffa_analyse_params *iffa_analyse__own(const iffa_analysis *a)
{
	return a->values[0];
}

uint64_t iffa_analysis_seed(const iffa_analysis *a)
{
	return iffa_analyse__own(a)->seed;
}

void iffa_analyse__effective(void *out, const iffa_analysis *a, size_t pass)
{
	const iffa_pass_spec *ps = &iffa_analyse__passes[pass];

	memcpy(out, a->values[pass], ps->size);
	for (size_t j = 0; j < ps->nparams; j++)
		if (ps->params[j].type == IFFA_PARAM_SEED && !a->set[pass][j] && pass != 0)
			*(uint64_t *)(void *)((unsigned char *)out + ps->params[j].offset) =
				iffa_analysis_seed(a);
}

/* Value of field `spec` of struct `base` as text (JSON-compatible for numbers). */
static void value_text(char *out, size_t size, const void *base, const iffa_param_spec *spec)
{
	const unsigned char *field = (const unsigned char *)base + spec->offset;

	switch (spec->type) {
	case IFFA_PARAM_INT:
		snprintf(out, size, "%d", *(const int *)(const void *)field);
		break;
	case IFFA_PARAM_REAL:
		/* 15 digits give back any value typed with up to 15 */
		snprintf(out, size, "%.15g", *(const double *)(const void *)field);
		break;
	case IFFA_PARAM_BOOL:
		snprintf(out, size, "%s", *(const int *)(const void *)field ? "true" : "false");
		break;
	case IFFA_PARAM_SEED:
		snprintf(out, size, "%" PRIu64, *(const uint64_t *)(const void *)field);
		break;
	case IFFA_PARAM_CHOICE:
		choice_name(out, size, spec->choices, *(const int *)(const void *)field);
		break;
	case IFFA_PARAM_INT64:
		snprintf(out, size, "%" PRId64, *(const int64_t *)(const void *)field);
		break;
	case IFFA_PARAM_SIZE:
		snprintf(out, size, "%zu", *(const size_t *)(const void *)field);
		break;
	case IFFA_PARAM_FLAGS:
		flags_text(out, size, spec->choices, *(const unsigned *)(const void *)field);
		break;
	case IFFA_PARAM_DURATION: {
		int64_t us = *(const int64_t *)(const void *)field, sec = us / 1000000;
		if (us % 1000000)
			snprintf(out, size, "%.6fs", (double)us / 1e6);
		else if (sec && sec % 86400 == 0)
			snprintf(out, size, "%" PRId64 "d", sec / 86400);
		else if (sec && sec % 3600 == 0)
			snprintf(out, size, "%" PRId64 "h", sec / 3600);
		else if (sec && sec % 60 == 0)
			snprintf(out, size, "%" PRId64 "m", sec / 60);
		else
			snprintf(out, size, "%" PRId64 "s", sec);
		break;
	}
	}
}

size_t iffa_analysis_param_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < iffa_analyse__npasses; i++)
		n += iffa_analyse__passes[i].nparams;
	return n;
}

int iffa_analysis_param_get(iffa_analysis_param *out, const iffa_analysis *a, size_t k)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < iffa_analyse__npasses; i++) {
		const iffa_pass_spec *ps = &iffa_analyse__passes[i];
		if (k >= ps->nparams) {
			k -= ps->nparams;
			continue;
		}
		{
			const iffa_param_spec *spec = &ps->params[k];
			_Alignas(max_align_t) unsigned char eff[512];
			out->key = spec->key;
			out->type = type_names[spec->type];
			out->choices = spec->type == IFFA_PARAM_CHOICE || spec->type == IFFA_PARAM_FLAGS
					       ? spec->choices
					       : NULL;
			out->doc = spec->doc;
			if (ps->size <= sizeof(eff)) {
				iffa_analyse__effective(eff, a, i);
				value_text(out->value, sizeof(out->value), eff, spec);
			}
			value_text(out->def, sizeof(out->def), ps->defaults, spec);
			return 0;
		}
	}
	return iffa_error_set(IFFA_EINVAL, "no parameter %zu", k);
}

int iffa_analysis_params_json(char **out, const iffa_analysis *a)
{
	iffa_jsonbuf b = IFFA_JSONBUF_INIT;
	int first = 1;

	*out = NULL;
	iffa_jsonbuf__puts(&b, "{\"passes\":[");
	for (size_t i = 1; i < iffa_analyse__npasses; i++) {
		if (!a->selected[i])
			continue;
		iffa_jsonbuf__puts(&b, first ? "" : ",");
		iffa_jsonbuf__str(&b, iffa_analyse__passes[i].name);
		first = 0;
	}
	iffa_jsonbuf__puts(&b, "]");
	for (size_t i = 0; i < iffa_analyse__npasses; i++) {
		const iffa_pass_spec *ps = &iffa_analyse__passes[i];
		_Alignas(max_align_t) unsigned char eff[512];

		if (i > 0 && !a->selected[i])
			continue;
		if (ps->size > sizeof(eff))
			return iffa_error_set(IFFA_ERROR, "parameters of %s too large", ps->name);
		iffa_analyse__effective(eff, a, i);
		for (size_t j = 0; j < ps->nparams; j++) {
			char v[64];
			value_text(v, sizeof(v), eff, &ps->params[j]);
			iffa_jsonbuf__puts(&b, ",");
			iffa_jsonbuf__str(&b, ps->params[j].key);
			iffa_jsonbuf__puts(&b, ":");
			if (ps->params[j].type == IFFA_PARAM_CHOICE ||
			    ps->params[j].type == IFFA_PARAM_DURATION ||
			    ps->params[j].type == IFFA_PARAM_FLAGS)
				iffa_jsonbuf__str(&b, v);
			else
				iffa_jsonbuf__puts(&b, v);
		}
	}
	iffa_jsonbuf__puts(&b, "}");
	if (b.oom) {
		iffa_jsonbuf__dispose(&b);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	*out = b.ptr;
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int iffa_analysis_run_passes(iffa_findings *out, const iffa_analysis *a, const iffa_flowgraph *g,
			     iffa_db *db, FILE *progress)
{
	return iffa_analyse__run_passes(out, a, g, db, progress, NULL, NULL, NULL);
}

/* A pass's values as it would run with them, into `eff` (512 bytes). */
static int effective_params(unsigned char *eff, const iffa_analysis *a, size_t i)
{
	if (iffa_analyse__passes[i].size > 512)
		return iffa_error_set(IFFA_ERROR, "parameters of %s too large",
				      iffa_analyse__passes[i].name);
	iffa_analyse__effective(eff, a, i);
	return 0;
}

/* The error of pass i, named. */
static int pass_failed(size_t i, int error)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", iffa_error_last());
	return iffa_error_set(error, "pass %s: %s", iffa_analyse__passes[i].name, msg);
}

/*
 * One pass with its effective parameters, timed (with what its prepare
 * step took, already in seconds[i]); its findings go to `out`.
 */
static int run_one(iffa_findings *out, const iffa_analysis *a, size_t i, const iffa_flowgraph *g,
		   const iffa_pass_env *env, FILE *progress, double *seconds, size_t *counts)
{
	_Alignas(max_align_t) unsigned char eff[512];
	size_t before = iffa_findings_count(out);
	double t0 = now_seconds(), took;
	int error;

	if ((error = effective_params(eff, a, i)) < 0)
		return error;
	if ((error = iffa_analyse__passes[i].run(out, g, env, eff)) < 0)
		return pass_failed(i, error);
	took = now_seconds() - t0 + (seconds ? seconds[i] : 0);
	if (seconds)
		seconds[i] = took;
	if (counts)
		counts[i] = iffa_findings_count(out) - before;
	if (progress)
		fprintf(progress, "iffa: pass %s: %zu findings in %.3f s\n",
			iffa_analyse__passes[i].name, iffa_findings_count(out) - before, took);
	return 0;
}

/* The `prepare` step of pass i, timed into seconds[i]; what it leaves goes to `*state`. */
static int prepare_one(void **state, const iffa_analysis *a, size_t i, const iffa_flowgraph *g,
		       FILE *progress, double *seconds)
{
	_Alignas(max_align_t) unsigned char eff[512];
	double t0 = now_seconds();
	int error;

	if ((error = effective_params(eff, a, i)) < 0)
		return error;
	if ((error = iffa_analyse__passes[i].prepare(state, g, eff)) < 0)
		return pass_failed(i, error);
	if (seconds)
		seconds[i] = now_seconds() - t0;
	if (progress)
		fprintf(progress, "iffa: pass %s: prepared in %.3f s (counted in its time)\n",
			iffa_analyse__passes[i].name, now_seconds() - t0);
	return 0;
}

/*
 * With analyse.overlap, the passes marked `beside` (typologies, gold
 * and paths: C over the graph's arrays and the gold pass's own queries,
 * no igraph call) run one after the other on a thread of their own from the start,
 * into findings of their own, while this thread runs the prepare steps
 * and then the other passes before them in the table; the thread is
 * joined before the first pass after them, and their findings appended
 * there, so the findings come out in table order as without overlap. A
 * beside pass marked `waits` starts only once the prepare steps are done
 * (their peaks and its indexes are not held at once). igraph is only ever
 * called from this thread; the run's connection is the other thread's
 * while it runs (passes here get none meanwhile, and one that needs it
 * fails rather than share it).
 */
typedef struct {
	const iffa_analysis *a;
	const iffa_flowgraph *g;
	iffa_pass_env env;        /* the run's connection, while the thread runs */
	FILE *progress;
	double *seconds;
	size_t *counts;
	iffa_findings *out;
	size_t first, last;       /* the beside passes run: table rows first .. last */
	pthread_mutex_t lock;
	pthread_cond_t moved;
	int prepared;             /* under lock: the prepare steps are over */
	int abandon;              /* under lock: this thread runs no further pass (the
				     main thread failed) */
	int error;
	char message[512];
} beside_run;

static void *beside_main(void *arg)
{
	beside_run *b = arg;

	for (size_t i = b->first; i <= b->last && !b->error; i++) {
		int stop;
		if (!b->a->selected[i] || !iffa_analyse__passes[i].beside)
			continue;
		pthread_mutex_lock(&b->lock);
		while (iffa_analyse__passes[i].waits && !b->prepared && !b->abandon)
			pthread_cond_wait(&b->moved, &b->lock);
		stop = b->abandon;
		pthread_mutex_unlock(&b->lock);
		if (stop)
			break;
		b->error = run_one(b->out, b->a, i, b->g, &b->env, b->progress, b->seconds,
				   b->counts);
	}
	if (b->error)
		snprintf(b->message, sizeof(b->message), "%s", iffa_error_last());
	return NULL;
}

/* Tell the thread beside that the prepare steps are over (or that it must stop). */
static void beside_tell(beside_run *b, int abandon)
{
	pthread_mutex_lock(&b->lock);
	b->prepared = 1;
	b->abandon |= abandon;
	pthread_cond_broadcast(&b->moved);
	pthread_mutex_unlock(&b->lock);
}

int iffa_analyse__run_passes(iffa_findings *out, const iffa_analysis *a, const iffa_flowgraph *g,
			     iffa_db *db, FILE *progress, double *seconds, size_t *counts,
			     iffa_exposure **exposure)
{
	iffa_paths__memo walks;
	iffa_pass_env env = {db, &walks, exposure, NULL};
	void **prepared = calloc(iffa_analyse__npasses, sizeof(*prepared));
	beside_run b;
	pthread_t thread;
	int running = 0, synced = 0, error = 0;

	if (!prepared)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	memset(&walks, 0, sizeof(walks));
	memset(&b, 0, sizeof(b));
	if (seconds)
		for (size_t i = 0; i < iffa_analyse__npasses; i++)
			seconds[i] = 0;
	/* The paths pass keeps its walks only for a pass that takes them. */
	env.walks = NULL;
	for (size_t i = 1; i < iffa_analyse__npasses; i++)
		if (a->selected[i] && iffa_analyse__passes[i].takes_walks)
			env.walks = &walks;
	if (iffa_analyse__own(a)->overlap) {
		b.first = SIZE_MAX;
		for (size_t i = 1; i < iffa_analyse__npasses; i++)
			if (a->selected[i] && iffa_analyse__passes[i].beside) {
				b.first = b.first == SIZE_MAX ? i : b.first;
				b.last = i;
			}
		if (b.first != SIZE_MAX && (error = iffa_findings_new(&b.out)) == 0) {
			b.a = a;
			b.g = g;
			b.env.walks = env.walks;
			b.env.db = db;
			b.progress = progress;
			b.seconds = seconds;
			b.counts = counts;
			if (pthread_mutex_init(&b.lock, NULL) == 0) {
				if (pthread_cond_init(&b.moved, NULL) == 0)
					synced = 1;
				else
					pthread_mutex_destroy(&b.lock);
			}
			running = synced && pthread_create(&thread, NULL, beside_main, &b) == 0;
			if (!running) { /* no thread: each pass in its turn */
				iffa_findings_free(b.out);
				b.out = NULL;
			}
		}
	}
	for (size_t i = 1; i < iffa_analyse__npasses && !error; i++)
		if (a->selected[i] && iffa_analyse__passes[i].prepare)
			error = prepare_one(&prepared[i], a, i, g, progress, seconds);
	if (running)
		beside_tell(&b, error != 0);
	for (size_t i = 1; i < iffa_analyse__npasses && !error; i++) {
		if (!a->selected[i])
			continue;
		if (b.out && i > b.last) {
			pthread_join(thread, NULL);
			running = 0;
			if (b.error) {
				error = iffa_error_set(b.error, "%s", b.message);
				break;
			}
			if ((error = iffa_findings__append(out, b.out)) < 0)
				break;
			iffa_findings_free(b.out);
			b.out = NULL;
		}
		if (b.out && iffa_analyse__passes[i].beside)
			continue;
		env.db = b.out ? NULL : db;
		env.prepared = prepared[i];
		error = run_one(out, a, i, g, &env, progress, seconds, counts);
		env.prepared = NULL;
	}
	if (running) {
		beside_tell(&b, error != 0);
		pthread_join(thread, NULL);
	}
	if (b.out) {
		if (!error && b.error)
			error = iffa_error_set(b.error, "%s", b.message);
		if (!error)
			error = iffa_findings__append(out, b.out);
		iffa_findings_free(b.out);
	}
	if (synced) {
		pthread_cond_destroy(&b.moved);
		pthread_mutex_destroy(&b.lock);
	}
	for (size_t i = 1; i < iffa_analyse__npasses; i++)
		if (iffa_analyse__passes[i].release)
			iffa_analyse__passes[i].release(prepared[i]);
	free(prepared);
	iffa_paths__memo_dispose(&walks);
	return error;
}
