#!/usr/bin/env bash
# Export speed and memory on PostgreSQL: 100,000 responses × 10 questions
# (1,000,000 answers), exported as CSV and XLSX by the inspraak binary,
# timed with /usr/bin/time (wall clock and peak RSS).
# Usage: bash bench/export/run.sh [responses]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-100000}"
OUT=bench/results/export
mkdir -p "$OUT"
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
DB=inspraak_export
URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
go build -o "$OUT/inspraak" ./cmd/inspraak
go build -o "$OUT/seed" ./bench/export
$PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
"$OUT/seed" -db "$URL" -responses "$N" | tee "$OUT/seed.txt"
for F in csv xlsx json; do
  rm -f "$OUT/export.$F"
  INSPRAAK_DATABASE_URL="$URL" /usr/bin/time -v "$OUT/inspraak" export -project meting -instrument vragenlijst \
    -format "$F" -o "$OUT/export.$F" 2> "$OUT/time-$F.txt"
  SECS=$(grep "Elapsed (wall clock)" "$OUT/time-$F.txt" | awk '{print $NF}')
  RSS=$(grep "Maximum resident set size" "$OUT/time-$F.txt" | awk '{print $NF}')
  SIZE=$(stat -c %s "$OUT/export.$F")
  echo "RESULT format=$F wall=$SECS peak_rss_kib=$RSS bytes=$SIZE $(grep exported "$OUT/time-$F.txt")" | tee -a "$OUT/summary.txt"
done
[ -n "${KEEP:-}" ] || $PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
