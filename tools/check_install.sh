#!/usr/bin/env bash
# Installs the build under a temporary prefix and builds a small program
# against it through pkg-config, the way another C program would link
# libiffa. Run by ctest with the build directory as argument.
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/iffa include/iffa.h include/iffa/common.h; do
	[ -e "$tmp/prefix/$f" ] || { echo "check_install: $f not installed" >&2; exit 1; }
done
pc=$(find "$tmp/prefix" -name iffa.pc | head -n 1)
[ -n "$pc" ] || { echo "check_install: iffa.pc not installed" >&2; exit 1; }
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
cat >"$tmp/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <iffa.h>
int main(void)
{
	iffa_init();
	printf("%s\n", iffa_version());
	return strlen(iffa_version()) > 0 ? 0 : 1;
}
C
# Sanitized builds need the sanitizer runtime in the consumer too.
extra=""
if grep -q 'IFFA_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
	extra="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2046,SC2086
gcc -std=c11 $extra "$tmp/use.c" -o "$tmp/use" $(pkg-config --cflags --libs iffa) \
	-Wl,-rpath,"$(pkg-config --variable=libdir iffa)"
v=$("$tmp/use")
echo "check_install: linked against installed libiffa $v"
"$tmp/prefix/bin/iffa" --version
