#!/usr/bin/env bash
# Export speed and memory on PostgreSQL: 100,000 responses × 10 questions
# (1,000,000 answers), exported as CSV, XLSX and JSON by the inspraak
# binary, timed with /usr/bin/time (wall clock and peak RSS); then the
# server runs on that database and an analyst loads the results page over
# HTTP (plain and split by wijk), 20 times each.
# Usage: bash bench/export/run.sh [responses]   (KEEP=1 keeps the database)
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
PORT=${BENCH_PORT:-18091}
INSPRAAK_DATABASE_URL="$URL" INSPRAAK_SEED_DEMO=false INSPRAAK_RATE_LIMITS=off INSPRAAK_LOG_LEVEL=warn INSPRAAK_ADDR=127.0.0.1:$PORT \
  INSPRAAK_BASE_URL=http://127.0.0.1:$PORT "$OUT/inspraak" serve > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
"$OUT/seed" -db "$URL" -reuse -page "http://127.0.0.1:$PORT" | tee -a "$OUT/summary.txt"
kill $SERVER; wait $SERVER 2>/dev/null || true
[ -n "${KEEP:-}" ] || $PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
