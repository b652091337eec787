#!/usr/bin/env bash
# Runs iffa's main job on the bundled demo scenario (graphs/demo): installs
# the Debian packages it needs (as root), builds, starts a private
# PostgreSQL cluster in var/pg, creates the schema, loads every file and
# prints the flow-graph summary. Running it again loads nothing twice.
#
#   tools/demo.sh [DIR]   DIR defaults to graphs/demo
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${1:-$root/graphs/demo}
jobs=$(nproc 2>/dev/null || echo 2)

"$root/tools/deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j"$jobs" >/dev/null
iffa="$root/build/iffa"

eval "$("$root/tools/pg.sh" start)"
export PGHOST PGPORT PGUSER PGDATABASE

"$iffa" db init
# Order matters: records name the parties and accounts they involve.
for kind in party account designation fx_rate transfer ransom gold_lot levy affected_zone; do
	if [ -f "$data/$kind.csv" ]; then
		"$iffa" load "$kind" "$data/$kind.csv"
	fi
done
echo
"$iffa" summary --level account

# Analysis: every pass on the flow graph, the top findings with their
# evidence, then the run scored against the scenario's ground truth.
echo
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$iffa" analyse --top 3 | tee "$out"
run=$(sed -n 's/^Run \([0-9][0-9]*\):.*/\1/p' "$out" | head -n 1)
if [ -n "$run" ] && [ -f "$data/truth.csv" ]; then
	echo
	"$iffa" evaluate "$run" --truth "$data/truth.csv"
fi

# Screening: the UN consolidated list as published, then two counterparties,
# one listed under another spelling and one ordinary trader.
echo
"$iffa" lists import "$root/graphs/lists/un-sc-consolidated-list-2020-11-30.xml" --list UN
"$iffa" screen "Iyad ag Ghaly" --country ML
"$iffa" screen "Amadou Traore" --country ML
echo
echo "The demo database keeps running. To use it from this shell:"
echo "  eval \"\$(tools/pg.sh env)\"; build/iffa --help"
echo "To stop it: tools/pg.sh stop"
