#!/usr/bin/env bash
# Runs every test of iffa from nothing: installs the Debian packages it needs
# (as root), builds with AddressSanitizer and UndefinedBehaviorSanitizer and
# warnings as errors, starts a private PostgreSQL cluster of its own in
# build-test/pg, runs ctest (unit tests, integration tests on the real
# server, header and install checks) and stops the server.
#
#   tools/test.sh [ctest arguments...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build="$root/build-test"
jobs=$(nproc 2>/dev/null || echo 2)

"$root/tools/deps.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DIFFA_SANITIZE=ON \
	-DIFFA_WERROR=ON >/dev/null
cmake --build "$build" -j"$jobs"

pgdir="$build/pg"
"$root/tools/pg.sh" wipe "$pgdir"
trap '"$root/tools/pg.sh" stop "$pgdir"' EXIT
eval "$("$root/tools/pg.sh" start "$pgdir" --fast --tls)"
export IFFA_TEST_TLS_DIR="$IFFA_PG_DIR/tls"
export PGHOST PGPORT PGUSER PGDATABASE

# Leaks fail the run; UBSan reports abort it (-fno-sanitize-recover).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

ctest --test-dir "$build" --output-on-failure "$@"
