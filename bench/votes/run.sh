#!/usr/bin/env bash
# Vote ingestion on PostgreSQL over HTTP, against pgbench doing the same
# single-row insert. Usage: bash bench/votes/run.sh [participants]
# Limits on abuse are off unless LIMITS=on, which keeps them on with the
# login and vote limits raised so that every participant, all from this
# one address, gets through: it measures what the limiter costs a vote.
# FORWARDED=1 gives every voter an address of its own (X-Forwarded-For from
# a trusted 127.0.0.1), as residents voting from home have.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000}"
ROUNDS="${ROUNDS:-2}"
OUT=bench/results/votes
mkdir -p "$OUT"
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
go build -o "$OUT/inspraak" ./cmd/inspraak
go build -o "$OUT/votes" ./bench/votes

for RUN in $(seq 1 "$ROUNDS"); do
for C in 16 64; do
  DB="inspraak_votes_$C"
  $PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  INSPRAAK_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" \
  INSPRAAK_ADDR=127.0.0.1:18081 INSPRAAK_BASE_URL=http://127.0.0.1:18081 INSPRAAK_LOG_LEVEL=warn \
  INSPRAAK_RATE_LIMITS="${LIMITS:-off}" INSPRAAK_RATE_LOGIN=1000000/10m INSPRAAK_RATE_VOTE=1000000/10m \
  INSPRAAK_TRUSTED_PROXIES="$([ -n "${FORWARDED:-}" ] && echo 127.0.0.1)" \
  "$OUT/inspraak" serve >"$OUT/server-$C.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do curl -fs http://127.0.0.1:18081/readyz >/dev/null 2>&1 && break; sleep 0.05; done
  "$OUT/votes" -base http://127.0.0.1:18081 -participants "$N" -concurrency "$C" ${FORWARDED:+-forwarded} | tee "$OUT/http-$C-$RUN.txt"
  $PSQL -d "$DB" -At -c "SELECT 'ballots stored: ' || count(*) FROM ballots" | tee -a "$OUT/http-$C-$RUN.txt"
  kill -TERM "$PID"; wait "$PID" || true
  $PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
done
done

DB=inspraak_pgbench
$PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
$PSQL -d "$DB" -c "CREATE TABLE bench_ballots (id BIGSERIAL PRIMARY KEY, instrument_id BIGINT NOT NULL, voter TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)" \
  -c "CREATE UNIQUE INDEX ON bench_ballots (instrument_id, voter)"
for C in 16 64; do
  pgbench -h 127.0.0.1 -U postgres -n -c "$C" -j 2 -T 15 -f bench/votes/pgbench_ballot.sql "$DB" | tee "$OUT/pgbench-$C.txt" | grep -E "^(tps|latency)"
done
$PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
