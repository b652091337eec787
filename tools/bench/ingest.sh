#!/usr/bin/env bash
# Ingest benchmark: PostgreSQL -> flow graph against the raw floor of the
# same query, `psql -c "COPY (<query>) TO STDOUT (FORMAT binary)" >/dev/null`,
# in the same run, on a generated scenario. Medians of RUNS runs, interleaved,
# wall seconds and peak resident memory from /usr/bin/time.
#
#   tools/bench/ingest.sh [TRANSFERS] [RUNS]     defaults: 1000000 3
#
# tools/bench/run does this and more, into one table (docs/PERFORMANCE.md).
#
# Uses its own cluster in build-bench/pg and a Release build in build-bench.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
n=${1:-1000000}
runs=${2:-3}

bench_setup
db=$(bench_scenario "$n")
sql=$("$iffa" --db "dbname=$db" summary --show-sql)
rows=$(psql -d "$db" -Atc "SELECT count(*) FROM transfer")

measure() { # label command... -> appends "seconds kib" to $tmp/label
	local label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null
	cat "$tmp/t" >>"$tmp/$label"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for _ in $(seq "$runs"); do
	measure floor psql -d "$db" -c "COPY ($sql) TO STDOUT (FORMAT binary)"
	measure iffa1 "$iffa" --db "dbname=$db" summary --kind transfer --readers 1
	measure iffa "$iffa" --db "dbname=$db" summary --kind transfer
	measure iffa_all "$iffa" --db "dbname=$db" summary
done
median() { sort -n -k"$2" "$1" | awk -v k="$2" '{a[NR]=$k} END {print a[int((NR+1)/2)]}'; }
f=$(median "$tmp/floor" 1)
printf '\nIngest of %s transfers (%s runs, medians; %s)\n' "$rows" "$runs" "$(nproc) cores"
printf '%-44s %9s %12s %8s\n' "what" "seconds" "peak RSS MB" "ratio"
for l in floor iffa1 iffa iffa_all; do
	s=$(median "$tmp/$l" 1)
	m=$(median "$tmp/$l" 2)
	case $l in
	floor) name="psql COPY (same query) TO STDOUT binary" ;;
	iffa1) name="iffa summary --kind transfer --readers 1" ;;
	iffa) name="iffa summary --kind transfer (readers: auto)" ;;
	iffa_all) name="iffa summary (all record kinds)" ;;
	esac
	printf '%-44s %9s %12d %8.2f\n' "$name" "$s" "$((m / 1024))" "$(awk -v a="$s" -v b="$f" 'BEGIN {print a / b}')"
done
