#!/usr/bin/env bash
# Runs a Criterion test binary and fails if it fails, or if a sanitizer
# reported anything: Criterion forks a worker per test and reports the test
# before LeakSanitizer runs at the worker's exit, so a leak would otherwise
# pass unseen. Run by ctest.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if grep -qE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:|crashed during its setup or teardown' "$log"; then
	echo "run_criterion: a sanitizer reported an error (see above)" >&2
	exit 1
fi
exit "$rc"
