#!/usr/bin/env bash
# Ingest benchmark: PostgreSQL -> flow graph against the raw floor of the
# same query, `psql -c "COPY (<query>) TO STDOUT (FORMAT binary)" >/dev/null`,
# in the same run, on a generated scenario. Medians of RUNS runs, interleaved,
# wall seconds and peak resident memory from /usr/bin/time.
#
#   tools/bench/ingest.sh [TRANSFERS] [RUNS]     defaults: 1000000 3
#
# Uses its own cluster in build-bench/pg and a Release build in build-bench.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-1000000}
runs=${2:-3}
build="$root/build-bench"
data="$build/scenario-$n"

"$root/tools/deps.sh"
command -v /usr/bin/time >/dev/null || { echo "ingest.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIFFA_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
iffa="$build/iffa"

eval "$("$root/tools/pg.sh" start "$build/pg" --fast)"
export PGHOST PGPORT PGUSER PGDATABASE
db="bench_$n"
if ! psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
	[ -d "$data" ] || "$iffa" generate --seed 1 --transfers "$n" --out "$data" --quiet
	createdb "$db"
	"$iffa" --db "dbname=$db" db init >/dev/null
	for kind in party account designation fx_rate transfer ransom gold_lot levy affected_zone; do
		[ -f "$data/$kind.csv" ] || continue
		/usr/bin/time -f "load $kind: %e s, %M KiB" "$iffa" --db "dbname=$db" load "$kind" "$data/$kind.csv" >/dev/null
	done
	psql -d "$db" -qc "VACUUM ANALYZE"
fi
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
