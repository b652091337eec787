#!/usr/bin/env bash
# Runs the iffa command's main commands under valgrind memcheck, on a Debug
# build without sanitizers (build-valgrind/) against a private PostgreSQL
# cluster of its own (build-valgrind/pg), and fails on any leak (definite or
# indirect) and any invalid read or write, use of uninitialised memory or
# bad free. ASan and UBSan (tools/test.sh) watch the whole suite; this
# watches the command as a user runs it, with a checker of another kind.
#
#   tools/valgrind.sh           every command below, on graphs/demo; prints a table
#   VALGRIND_KEEP=1 tools/valgrind.sh   keep build-valgrind/run (logs, files)
#
# Each command's log is build-valgrind/run/NN-name.log. "Possibly lost" and
# "still reachable" blocks are not failures: libpq, OpenSSL, libxml2 and
# igraph keep process-wide state until exit, which is not a leak.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-valgrind"
run="$build/run"
jobs=$(nproc 2>/dev/null || echo 2)

"$root/tools/deps.sh"
if ! command -v valgrind >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >&2
	else
		echo "valgrind.sh: run as root: apt-get install -y valgrind" >&2
		exit 1
	fi
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DIFFA_SANITIZE=OFF -DIFFA_TESTS=OFF \
	-DIFFA_BENCH=OFF >/dev/null
nice cmake --build "$build" -j"$jobs" --target iffa_cli >/dev/null
iffa="$build/iffa"

pgdir="$build/pg"
"$root/tools/pg.sh" wipe "$pgdir" >/dev/null
trap '"$root/tools/pg.sh" stop "$pgdir" >/dev/null' EXIT
eval "$("$root/tools/pg.sh" start "$pgdir" --fast)"
export PGHOST PGPORT PGUSER PGDATABASE

rm -rf "$run"
mkdir -p "$run"
chmod 0700 "$run"
res="$root/tests/resources"
n=0
failed=0
rows=()

# vg NAME EXPECTED_EXIT ARGS...: one command under memcheck.
vg() {
	local name=$1 want=$2 rc log
	shift 2
	n=$((n + 1))
	log=$(printf '%s/%02d-%s.log' "$run" "$n" "$name")
	set +e
	(cd "$run" && valgrind --tool=memcheck --leak-check=full \
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 --log-file="$log.vg" "$iffa" "$@" >"$log" 2>&1)
	rc=$?
	set -e
	cat "$log.vg" >>"$log"
	rm -f "$log.vg"
	local errors definite indirect
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
	definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
	indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
	local verdict=ok
	if [ "$rc" = 99 ] || [ "${errors:-x}" != 0 ]; then
		verdict="FAILED (memcheck)"
		failed=1
	elif [ "$rc" != "$want" ]; then
		verdict="FAILED (exit $rc, expected $want)"
		failed=1
	fi
	rows+=("$(printf '%-28s %4s %7s %9s %9s  %s' "$name" "$rc" "${errors:-?}" "${definite:-0}" \
		"${indirect:-0}" "$verdict")")
	[ "$verdict" = ok ] || { echo "valgrind.sh: $name: $verdict, see $log" >&2; tail -30 "$log" >&2; }
}

start=$(date +%s)
vg db-init 0 db init
vg generate 0 generate --seed 3 --transfers 1500 --quiet --out scen
# the rest runs on the bundled demo scenario, as a user of the README would
cp -r "$root/graphs/demo" "$run/demo"
for k in party account designation fx_rate affected_zone transfer ransom gold_lot levy; do
	vg "load-$k" 0 load "$k" "demo/$k.csv"
done
vg load-again 0 load transfer demo/transfer.csv
printf 'ref,kind,name,supplier,source\nP-X1,person,A,ML,s\nP-X2,nobody,B,ML,s\n' >bad.csv
mv bad.csv "$run/"
vg load-refused 3 load party bad.csv
vg load-reject 3 load party bad.csv --reject rejected.csv
vg summary 0 summary
vg summary-json-party 0 --json summary --level party
vg analyse 0 analyse
vg findings 0 findings 1
vg findings-json 0 --json findings 1
vg evaluate 0 evaluate 1 --truth demo/truth.csv
vg trace-from 0 trace --from A-ML-000655
vg trace-to 0 trace --to C-ML-000525
vg case-graphml 0 case export P-000238 --hops 2 --format graphml --out case.graphml
vg case-csv 0 case export P-000238 --hops 2 --format csv --out case-csv
vg case-ftm 0 case export P-000238 --hops 1 --format ftm --out case.ftm.json
vg lists-import-un 0 lists import "$res/lists/un-sample-v1.xml"
vg lists-import-un-v2 0 lists import "$res/lists/un-sample-v2.xml"
vg lists-import-ftm 0 lists import "$res/lists/ftm-sample.jsonl"
vg lists-import-csv 0 lists import "$res/lists/national-sample.csv" --list ML-national
vg lists-import-xxe 3 lists import "$res/lists/un-xxe.xml"
vg screen 0 screen "Iyad Ag Ghaly" --country ML
printf 'name,ref,country,dob\nIyad Ag Ghaly,c1,ML,1958\nAmadou Koufa,c2,,\nFatoumata Traore,c3,BF,\n' \
	>"$run/counterparties.csv"
vg screen-file 0 screen --file counterparties.csv
vg keygen 0 keygen --out fiu.key
mkdir -p "$run/report" && echo "finding 1" >"$run/report/a.txt"
vg sign 0 sign report --key fiu.key
vg verify 0 verify report --pubkey fiu.key.pub
vg report 0 report --period 2025-Q4 --out report-q4 --key fiu.key --no-pdf
vg verify-report 0 verify report-q4 --pubkey fiu.key.pub
vg screen-account 0 screen "Allaye Boly" --account C-ML-000363
head -c 48 /dev/urandom >"$run/shared.key" && chmod 600 "$run/shared.key"
vg share-export 0 share export --key-file shared.key --out flows.csv
vg share-match 0 share match flows.csv flows.csv
elapsed=$(($(date +%s) - start))

printf '\n%-28s %4s %7s %9s %9s  %s\n' command exit errors definite indirect verdict
printf '%s\n' "${rows[@]}"
echo "valgrind.sh: $n commands in ${elapsed} s, logs in $run"
[ "${VALGRIND_KEEP:-0}" = 1 ] || [ $failed = 1 ] || rm -rf "$run"
exit $failed
