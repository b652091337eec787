#!/usr/bin/env bash
# Load a generated scenario (iffa generate --out DIR) into a fresh database
# DBNAME on the cluster the PG* variables name, with the affected zones of
# DIR/params.json (iffa load does not load zones yet). For evaluating the
# analysis passes against DIR/truth.csv (tools/eval/passes_eval).
#
#   tools/eval/load_scenario.sh DIR DBNAME [IFFA]
set -euo pipefail
dir=$1
db=$2
iffa=${3:-$(dirname "$0")/../../build-R/iffa}
psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
"$iffa" --db "dbname=$db" db init >/dev/null
for k in party account designation fx_rate transfer ransom gold_lot levy; do
	"$iffa" --db "dbname=$db" load "$k" "$dir/$k.csv" >/dev/null
done
jq -r '.affected_zones[] | [.country, .region, .since] | @tsv' "$dir/params.json" |
	psql -q -d "$db" -c "COPY affected_zone (country, region, since) FROM STDIN"
echo "loaded $dir into $db"
