#!/usr/bin/env bash
# Runs iffa's main job on the bundled demo scenario (graphs/demo): installs
# the Debian packages it needs (as root), builds, starts a private
# PostgreSQL cluster in var/pg, creates the schema, loads every file and
# prints the flow-graph summary, analyses, exports a case and writes a
# signed quarterly report in var/demo. Running it again loads nothing twice.
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

# What leaves the tool: the case around the designated group for Gephi or
# networkx, and the signed periodic report of the last quarter (one run per
# quarter, so the report can say what changed since the one before).
demo_out="$root/var/demo"
mkdir -p "$demo_out"
period=${IFFA_DEMO_PERIOD:-2025-Q4}
echo
"$iffa" case export P-000238 --hops 2 --format graphml --out "$demo_out/case-P-000238.graphml"
"$iffa" analyse --from 2025-07-01 --to 2025-10-01 >/dev/null
"$iffa" analyse --from 2025-10-01 --to 2026-01-01 >/dev/null
[ -f "$demo_out/fiu.key" ] || "$iffa" keygen --out "$demo_out/fiu.key" >/dev/null
rm -rf "$demo_out/report-$period"
"$iffa" report --period "$period" --out "$demo_out/report-$period" --key "$demo_out/fiu.key"
"$iffa" verify "$demo_out/report-$period" --pubkey "$demo_out/fiu.key.pub"

# Screening: the UN consolidated list as published, then three counterparties:
# one listed under another spelling, one ordinary trader, and one whose name
# is clear but whose account paid the account of a designated party (QDi.316):
# the analysis run's graph exposure makes it a possible match.
echo
"$iffa" lists import "$root/graphs/lists/un-sc-consolidated-list-2020-11-30.xml" --list UN
"$iffa" screen "Iyad ag Ghaly" --country ML
"$iffa" screen "Amadou Traore" --country ML
"$iffa" screen "Allaye Boly" --country ML --account C-ML-000363
echo
echo "The demo database keeps running. To use it from this shell:"
echo "  eval \"\$(tools/pg.sh env)\"; build/iffa --help"
echo "The report: $demo_out/report-$period/report.html (and report.pdf where Chromium is installed)"
echo "To stop it: tools/pg.sh stop"
