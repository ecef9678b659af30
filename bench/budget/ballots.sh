#!/usr/bin/env bash
# Knapsack ballots over HTTP on PostgreSQL (issue 17), against pgbench
# doing a single-row insert of a ballot with a unique (budget, voter) key
# in the same run (the ceiling, as bench/votes/run.sh). The benchmark
# budget (bench/budget/ballots -seed: € 1.000.000, 30 plans, knapsack,
# DigiD) gets one ballot from each of N distinct residents who log in
# through the built-in test login provider and vote as a resident
# without JavaScript does: a basket post per plan, the confirmation page,
# the confirmation's form. Afterwards: ballots = N, register rows = N,
# and the kept tally equal to a recount from the ballot lines.
#
#   bash bench/budget/ballots.sh [residents]        (default 20000)
#
# Environment (optional): CONCURRENCY="16 64" ROUNDS=1 PLANS=30
# DB=inspraak_ballots PGBENCH_DB=inspraak_ballots_pgbench (dropped and
# made again), PROFILE=1 (a CPU profile of the server while casting, in
# bench/results/ballots/), LIMITS=on / FORWARDED=1 as bench/votes/run.sh.
# Raw output goes to bench/results/ballots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"
ROUNDS="${ROUNDS:-1}"
PLANS="${PLANS:-30}"
CONCURRENCY="${CONCURRENCY:-16 64}"
DB="${DB:-inspraak_ballots}"
PGBENCH_DB="${PGBENCH_DB:-inspraak_ballots_pgbench}"
ADDR=127.0.0.1:18084
PPROF=127.0.0.1:16084
OUT=bench/results/ballots
mkdir -p "$OUT"
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
go build -o "$OUT/inspraak" ./cmd/inspraak
go build -o "$OUT/ballots" ./bench/budget/ballots

if (exec 3<>/dev/tcp/127.0.0.1/18084) 2>/dev/null; then
  echo "ballots.sh: something already listens on $ADDR; stop it first" >&2
  exit 1
fi
echo "== budget ballots over HTTP $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/README.md' || echo '+changes'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

for RUN in $(seq 1 "$ROUNDS"); do
for C in $CONCURRENCY; do
  $PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  "$OUT/ballots" -seed "$URL" -plans "$PLANS" >"$OUT/seed-$C.txt"
  $PSQL -d "$DB" -At -F ' ' -c "SELECT id, cost FROM budget_plans ORDER BY id" >"$OUT/plans-$C.txt"
  INSPRAAK_DATABASE_URL="$URL" INSPRAAK_SEED_DEMO=false \
  INSPRAAK_ADDR=$ADDR INSPRAAK_BASE_URL=http://$ADDR INSPRAAK_LOG_LEVEL=warn \
  INSPRAAK_PPROF_ADDR="$([ -n "${PROFILE:-}" ] && echo $PPROF)" \
  INSPRAAK_RATE_LIMITS="${LIMITS:-off}" INSPRAAK_RATE_LOGIN=1000000/10m INSPRAAK_RATE_VOTE=1000000/10m \
  INSPRAAK_TRUSTED_PROXIES="$([ -n "${FORWARDED:-}" ] && echo 127.0.0.1)" \
  "$OUT/inspraak" serve >"$OUT/server-$C.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do curl -fs "http://$ADDR/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  echo "-- concurrency $C, round $RUN, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  STATUS=0
  "$OUT/ballots" -base "http://$ADDR" -plan-costs "$OUT/plans-$C.txt" -residents "$N" -concurrency "$C" \
    -server-pid "$PID" ${FORWARDED:+-forwarded} \
    ${PROFILE:+-pprof "http://$PPROF" -profile-out "$OUT/cpu-$C-$RUN.pprof"} | tee "$OUT/http-$C-$RUN.txt" || STATUS=$?
  kill -TERM "$PID"; wait "$PID" || true
  # Every ballot once, one register row each, the tally equal to a recount.
  $PSQL -d "$DB" -At -c "SELECT 'ballots stored: ' || (SELECT count(*) FROM budget_ballots)
    || ', register rows: ' || (SELECT count(*) FROM participations WHERE kind = 'ballot')
    || ', lines: ' || (SELECT count(*) FROM budget_ballot_plans)
    || ', plans whose tally differs from the recount: ' || (SELECT count(*) FROM budget_plans p
       WHERE (SELECT coalesce(sum(votes), 0) FROM budget_tallies t WHERE t.plan_id = p.id)
          <> (SELECT count(*) FROM budget_ballot_plans l JOIN budget_ballots b ON b.id = l.ballot_id WHERE l.plan_id = p.id AND b.counted))" \
    | tee -a "$OUT/http-$C-$RUN.txt"
  $PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  [ "$STATUS" = 0 ] || { echo "ballots.sh: driver failed (see $OUT/server-$C.log)" >&2; exit 1; }
done
done

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $PGBENCH_DB WITH (FORCE)" -c "CREATE DATABASE $PGBENCH_DB"
$PSQL -d "$PGBENCH_DB" -c "CREATE TABLE bench_ballots (id BIGSERIAL PRIMARY KEY, instrument_id BIGINT NOT NULL, voter TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)" \
  -c "CREATE UNIQUE INDEX ON bench_ballots (instrument_id, voter)"
for C in $CONCURRENCY; do
  echo "-- pgbench insert, concurrency $C, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  pgbench -h 127.0.0.1 -U postgres -n -c "$C" -j 2 -T "${PGBENCH_SECONDS:-15}" -f bench/votes/pgbench_ballot.sql "$PGBENCH_DB" | tee "$OUT/pgbench-$C.txt" | grep -E "^(tps|latency)"
done
$PSQL -d postgres -c "DROP DATABASE IF EXISTS $PGBENCH_DB WITH (FORCE)"
