# Shared by the benchmarks of tools/bench (sourced, not run): a Release
# build in build-bench, a private PostgreSQL cluster in build-bench/pg, and
# generated scenarios loaded once each into their own database.
#
#   bench_setup                 build; start the cluster; sets $root $build $iffa
#   bench_scenario N            generate (seed 1) and load N transfers once into
#                               database bench_N; prints its name

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$root/build-bench"

bench_setup() {
	"$root/tools/deps.sh"
	command -v /usr/bin/time >/dev/null || {
		echo "bench: needs /usr/bin/time (apt-get install time)" >&2
		return 1
	}
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIFFA_TESTS=OFF >/dev/null
	cmake --build "$build" -j"$(nproc)" >/dev/null
	iffa="$build/iffa"
	eval "$("$root/tools/pg.sh" start "$build/pg" --fast)"
	export PGHOST PGPORT PGUSER PGDATABASE
}

bench_scenario() {
	local n=$1 db="bench_$1" data="$build/scenario-$1" kind
	if ! psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
		[ -d "$data" ] || "$iffa" generate --seed 1 --transfers "$n" --out "$data" --quiet
		createdb "$db"
		"$iffa" --db "dbname=$db" db init >/dev/null
		for kind in party account designation fx_rate transfer ransom gold_lot levy affected_zone; do
			[ -f "$data/$kind.csv" ] || continue
			/usr/bin/time -f "load $kind: %e s, %M KiB" \
				"$iffa" --db "dbname=$db" load "$kind" "$data/$kind.csv" >/dev/null
		done
		psql -d "$db" -qc "VACUUM ANALYZE"
	fi >&2
	echo "$db"
}

# median FILE COLUMN: the median of a column of numbers (the lower middle
# of an even count).
median() {
	sort -g -k"$2" "$1" | awk -v k="$2" '{a[NR] = $k} END {print a[int((NR + 1) / 2)]}'
}
