#!/usr/bin/env bash
# Fuzzes every parser of untrusted input with libFuzzer (tests/fuzz/), for a
# bounded time each, and prints what happened. Not run by CI or tools/test.sh:
# it takes minutes and needs clang.
#
#   tools/fuzz.sh [SECONDS_PER_HARNESS] [HARNESS...]   fuzz (default 60 s each)
#   tools/fuzz.sh --replay [HARNESS...]                run the seeds and the saved
#                                                     crashers once, no fuzzing
#
# Harnesses: load_csv copybin un_xml ftm lists_csv config. It configures build-fuzz/
# with clang and IFFA_FUZZ=ON, builds the harnesses, and runs each under
# `nice` on a copy of its corpus (tests/fuzz/corpus/<h>, the samples of
# tests/resources, the crashers of tests/resources/fuzz/<h>) in
# build-fuzz/run/<h>/corpus, which keeps growing from run to run, with its
# log and any crash, leak, timeout or out-of-memory input in
# build-fuzz/run/<h>/artifacts/. libFuzzer stops a harness at its first
# crash. Exit status 1 when any harness crashed.
#
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds per input,
# default 10), FUZZ_NICE (default 10), FUZZ_FRESH=1 (start from the seeds
# again), FUZZ_ARGS (more libFuzzer options).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-fuzz"
all=(load_csv copybin un_xml ftm lists_csv config)

replay=0
secs=60
if [ "${1:-}" = "--replay" ]; then
	replay=1
	shift
elif [ -n "${1:-}" ] && [[ "$1" =~ ^[0-9]+$ ]]; then
	secs=$1
	shift
fi
if [ $# -gt 0 ]; then
	harnesses=("$@")
	for h in "${harnesses[@]}"; do
		[[ " ${all[*]} " == *" $h "* ]] || { echo "fuzz.sh: no harness $h (${all[*]})" >&2; exit 2; }
	done
else
	harnesses=("${all[@]}")
fi

# clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
need=()
command -v clang >/dev/null || need+=(clang)
if command -v clang >/dev/null; then
	rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
	[ -f "$rt" ] || rt=$(find "$(clang -print-resource-dir)" -name 'libclang_rt.fuzzer*.a' 2>/dev/null | head -1)
	[ -n "$rt" ] && [ -f "$rt" ] || need+=(libclang-rt-14-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "fuzz.sh: installing ${need[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
	else
		echo "fuzz.sh: missing ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2
		exit 1
	fi
fi
"$root/tools/deps.sh"

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DIFFA_FUZZ=ON -DIFFA_TESTS=OFF \
	-DIFFA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nice -n "${FUZZ_NICE:-10}" cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target fuzz >/dev/null

# Longest input each harness is given: big enough for several records or
# entries, small enough for many runs a second.
max_len() {
	case $1 in
	copybin) echo 4096 ;;
	un_xml) echo 16384 ;;
	*) echo 8192 ;;
	esac
}

# Seeds: the committed corpus, the samples, the saved crashers.
seeds() {
	local h=$1 dir=$2
	[ -d "$root/tests/fuzz/corpus/$h" ] && cp "$root/tests/fuzz/corpus/$h"/* "$dir"/ 2>/dev/null || true
	case $h in
	un_xml) find "$root/tests/resources/lists" -type f -name 'un-*.xml' -exec cp {} "$dir"/ \; ;;
	ftm) cp "$root"/tests/resources/lists/ftm-*.jsonl "$dir"/ ;;
	lists_csv) cp "$root"/tests/resources/lists/national-*.csv "$dir"/ ;;
	config) cp "$root"/tests/resources/analyse/*.conf "$dir"/ ;;
	esac
	[ -d "$root/tests/resources/fuzz/$h" ] && cp "$root/tests/resources/fuzz/$h"/* "$dir"/ 2>/dev/null || true
}

rows=()
failed=0
for h in "${harnesses[@]}"; do
	run="$build/run/$h"
	# The corpus grown by earlier runs is kept (FUZZ_FRESH=1 starts over);
	# the log and the artifacts are this run's.
	[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$run"
	rm -rf "$run/artifacts" "$run/log"
	mkdir -p "$run/corpus" "$run/artifacts"
	seeds "$h" "$run/corpus"
	args=(-max_len="$(max_len "$h")" -rss_limit_mb="${FUZZ_RSS_MB:-2048}"
	      -timeout="${FUZZ_TIMEOUT:-10}" -artifact_prefix="$run/artifacts/"
	      -print_final_stats=1 -dict="$root/tests/fuzz/dict/$h.dict")
	if [ $replay = 1 ]; then
		args+=(-runs=0)
	else
		args+=(-max_total_time="$secs")
	fi
	echo "fuzz.sh: $h ($([ $replay = 1 ] && echo replay || echo "$secs s")), log in $run/log" >&2
	set +e
	# shellcheck disable=SC2086
	nice -n "${FUZZ_NICE:-10}" "$build/tests/fuzz/fuzz_$h" "${args[@]}" ${FUZZ_ARGS:-} \
		"$run/corpus" >"$run/log" 2>&1
	rc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/log" | tail -1)
	crashes=$(find "$run/artifacts" -type f | wc -l)
	if [ "$rc" != 0 ] && [ "$crashes" = 0 ]; then
		crashes="?"   # died without an artifact: see the log
	fi
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
		failed=1
		grep -m1 -E 'ERROR: |runtime error:|property broken' "$run/log" >&2 || tail -5 "$run/log" >&2
	fi
	rows+=("$h|${execs:-?}|${rate:-?}|$crashes|$(find "$run/corpus" -type f | wc -l)")
done

printf '\n%-10s %14s %8s %8s %7s\n' harness executions exec/s crashes corpus
for r in "${rows[@]}"; do
	IFS='|' read -r h e s c n <<<"$r"
	printf '%-10s %14s %8s %8s %7s\n' "$h" "$e" "$s" "$c" "$n"
done
if [ $failed = 1 ]; then
	echo "fuzz.sh: crashes are in $build/run/<harness>/artifacts/; replay one with" \
		"$build/tests/fuzz/fuzz_<harness> FILE" >&2
fi
exit $failed
