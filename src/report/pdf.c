/*
 * report.pdf: the page printed by a headless Chromium (Debian's chromium
 * package), started with posix_spawn and an argument vector, never through
 * a shell. Its output is discarded; a browser that runs past the timeout is
 * killed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"

extern char **environ;

int iffa_report__print_pdf(const char *browser, const char *html, const char *pdf,
			   int timeout_s)
{
	posix_spawn_file_actions_t fa;
	char *url = NULL, *arg_pdf = NULL;
	char *argv[10];
	size_t n;
	pid_t pid;
	int status = 0, rc, error = 0;
	struct timespec tick = {0, 100 * 1000 * 1000};
	long waited = 0;

	if (access(browser, X_OK) != 0)
		return iffa_error_set(IFFA_ENOTFOUND, "%s not found", browser);
	n = strlen(html) + 16;
	if (!(url = malloc(n)) || !(arg_pdf = malloc(strlen(pdf) + 32))) {
		free(url);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	snprintf(url, n, "file://%s", html);
	snprintf(arg_pdf, strlen(pdf) + 32, "--print-to-pdf=%s", pdf);
	argv[0] = (char *)browser;
	argv[1] = "--headless";
	argv[2] = "--no-sandbox";
	argv[3] = "--disable-gpu";
	argv[4] = "--no-pdf-header-footer";
	argv[5] = arg_pdf;
	argv[6] = url;
	argv[7] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, browser, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		error = iffa_error_set(IFFA_ERROR, "starting %s: %s", browser, strerror(rc));
		goto done;
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			error = iffa_error_set(IFFA_ERROR, "waiting for %s: %s", browser, strerror(errno));
			goto done;
		}
		if (waited >= (long)timeout_s * 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			error = iffa_error_set(IFFA_ERROR, "%s did not finish in %d s", browser, timeout_s);
			goto done;
		}
		nanosleep(&tick, NULL);
		waited++;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		error = iffa_error_set(IFFA_ERROR, "%s failed (status %d)", browser, status);
		goto done;
	}
	{
		struct stat st;
		if (stat(pdf, &st) != 0 || st.st_size == 0)
			error = iffa_error_set(IFFA_ERROR, "%s wrote no PDF", browser);
	}
done:
	free(url);
	free(arg_pdf);
	return error;
}
