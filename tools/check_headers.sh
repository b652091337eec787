#!/usr/bin/env bash
# Compiles every public header alone under strict flags, so each one
# includes what it uses (libgit2's headertest). Run by ctest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags=$(pkg-config --cflags igraph libpq)
n=0
for h in "$root"/include/iffa.h "$root"/include/iffa/*.h; do
	rel=${h#"$root"/include/}
	printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' "$rel" "$rel" >"$tmp/t.c"
	# shellcheck disable=SC2086
	gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$root/include" $cflags -c "$tmp/t.c" -o "$tmp/t.o" ||
		{ echo "check_headers: $rel does not compile alone" >&2; exit 1; }
	n=$((n + 1))
done
echo "check_headers: $n headers compile alone"
