/*
 * The last-error channel: one message per thread, set where a failure is
 * detected and read by whoever reports it (libgit2's git_error_last).
 */
#include <stdio.h>
#include <string.h>

#include <igraph.h>

#include "iffa/common.h"
#include "iffa_version_gen.h"

static _Thread_local char last_message[2048];
static _Thread_local int last_code;

int iffa_error_setv(int code, const char *fmt, va_list ap)
{
	/* Through a copy: callers wrap the last message in a new one
	 * (iffa_error_set(e, "generate: %s", iffa_error_last())), and
	 * vsnprintf must not read the buffer it writes. */
	char buf[sizeof(last_message)];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	memcpy(last_message, buf, sizeof(buf));
	last_code = code;
	return code;
}

int iffa_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	iffa_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

const char *iffa_error_last(void)
{
	return last_message[0] ? last_message : "no error";
}

int iffa_error_last_code(void)
{
	return last_code;
}

void iffa_error_clear(void)
{
	last_message[0] = '\0';
	last_code = IFFA_OK;
}

const char *iffa_version(void)
{
	return IFFA_VERSION_STRING;
}

/* igraph would abort the process on error; keep its message instead. */
static void igraph_error_to_iffa(const char *reason, const char *file,
				 int line, igraph_error_t igraph_errno)
{
	iffa_error_set(IFFA_ERROR, "igraph: %s (%s:%d, %s)", reason, file, line,
		       igraph_strerror(igraph_errno));
	IGRAPH_FINALLY_FREE();
}

static void igraph_warning_quiet(const char *reason, const char *file,
				 int line)
{
	(void)reason;
	(void)file;
	(void)line;
}

void iffa_init(void)
{
	igraph_set_error_handler(igraph_error_to_iffa);
	igraph_set_warning_handler(igraph_warning_quiet);
}
