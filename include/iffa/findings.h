/*
 * iffa/findings.h: what an analysis pass reports.
 *
 * A finding has a kind, a subject (a vertex, a cluster or a path), a
 * score, a one-line reason a person can read, and its evidence: the edges
 * of the flow graph, with their amounts and times, that justify it. A
 * finding without evidence is refused: iffa_findings_add() returns
 * IFFA_EINVAL when `nevidence` is 0.
 *
 * Vertex and edge ids are those of the flow graph the pass read; they mean
 * nothing without it. Storing findings turns them into database keys.
 */
#ifndef IFFA_FINDINGS_H
#define IFFA_FINDINGS_H

#include <stddef.h>

#include <igraph.h>

#include "iffa/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a finding is about. */
typedef enum {
	IFFA_SUBJECT_PARTY = 0,   /**< one vertex, at party level */
	IFFA_SUBJECT_ACCOUNT,     /**< one vertex, at account level */
	IFFA_SUBJECT_CLUSTER,     /**< a set of vertices (members) */
	IFFA_SUBJECT_PATH         /**< a chain of edges (evidence, in order) */
} iffa_subject_type;

/** One finding. Owned by the iffa_findings list that holds it. */
typedef struct {
	const char *pass;              /**< "clusters", "paths", ...; static string */
	char *kind;                    /**< e.g. "pass_through", "fan_in", "round_trip" */
	iffa_subject_type subject_type;
	igraph_integer_t subject;      /**< vertex id for party/account subjects, -1 otherwise */
	double score;                  /**< higher is more suspicious; each pass documents its scale */
	char *reason;                  /**< one line for people */
	igraph_integer_t *evidence;    /**< edge ids, at least one; in path order for paths */
	size_t nevidence;
	igraph_integer_t *members;     /**< vertex ids involved (may be empty) */
	size_t nmembers;
} iffa_finding;

/** A growing list of findings (opaque). */
typedef struct iffa_findings iffa_findings;

/** New empty list; free with iffa_findings_free(). @return 0 or IFFA_ENOMEM */
int iffa_findings_new(iffa_findings **out);

/** Free the list and every finding in it. Accepts NULL. */
void iffa_findings_free(iffa_findings *f);

/** Number of findings. */
size_t iffa_findings_count(const iffa_findings *f);

/** Finding `i` (< count), borrowed from `f`. */
const iffa_finding *iffa_findings_get(const iffa_findings *f, size_t i);

/**
 * Add a finding. `kind`, the formatted reason, `evidence` and `members` are
 * copied.
 *
 * @param pass      static string naming the pass
 * @param evidence  edge ids justifying the finding; `nevidence` must be > 0
 * @param members   vertex ids involved, or NULL with `nmembers` 0
 * @return 0, IFFA_EINVAL (no evidence, or a NULL pass/kind/reason) or IFFA_ENOMEM
 */
int iffa_findings_add(iffa_findings *f, const char *pass, const char *kind,
		      iffa_subject_type subject_type, igraph_integer_t subject, double score,
		      const igraph_integer_t *evidence, size_t nevidence,
		      const igraph_integer_t *members, size_t nmembers, const char *reason_fmt, ...)
	__attribute__((format(printf, 11, 12)));

/**
 * Sort the findings of each pass by score, highest first (stable: equal
 * scores keep the order they were added in). Passes stay in the order of
 * their first finding.
 */
void iffa_findings_sort(iffa_findings *f);

/**
 * Write one finding with its evidence for people: the reason, then one line
 * per evidence edge (source and target keys, XOF, flows, first and last
 * time, channel, kind). At most `max_evidence` edges are listed, with a
 * count of the rest.
 * @return 0 or IFFA_EIO
 */
int iffa_finding_write_text(const iffa_finding *fd, const iffa_flowgraph *g, size_t max_evidence,
			    FILE *to);

#ifdef __cplusplus
}
#endif
#endif
