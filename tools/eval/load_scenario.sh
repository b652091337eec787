#!/usr/bin/env bash
# Load a generated scenario (iffa generate --out DIR) into a fresh database
# DBNAME on the cluster the PG* variables name, affected zones included. For
# evaluating single passes against DIR/truth.csv (tools/eval/passes_eval);
# tools/eval/issue3.sh does its own loading.
#
#   tools/eval/load_scenario.sh DIR DBNAME [IFFA]
set -euo pipefail
dir=$1
db=$2
iffa=${3:-$(dirname "$0")/../../build-R/iffa}
psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
"$iffa" --db "dbname=$db" db init >/dev/null
for k in party account designation fx_rate transfer ransom gold_lot levy affected_zone; do
	"$iffa" --db "dbname=$db" load "$k" "$dir/$k.csv" >/dev/null
done
echo "loaded $dir into $db"
