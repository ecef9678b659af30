#!/usr/bin/env bash
# Supports over HTTP on PostgreSQL, against pgbench doing the same
# single-row insert in the same run (the ceiling). A board of 1,000 ideas
# (bench/ideas seeder, no supports yet) is supported by distinct residents
# who log in through the built-in test login provider, each supporting one
# idea, at concurrency 16 and 64; afterwards every count must equal its
# recount and every support must have its register row.
#
#   bash bench/ideas/supports.sh [residents]        (default 10000)
#
# Environment (optional): ROUNDS=2 IDEAS=1000 CONCURRENCY="16 64"
# LIMITS=on keeps limits on abuse on (login and support limits raised so
# every resident from this one address gets through); FORWARDED=1 gives
# every resident an address of its own, as the votes script does.
# Raw output goes to bench/results/supports/.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000}"
ROUNDS="${ROUNDS:-2}"
IDEAS="${IDEAS:-1000}"
CONCURRENCY="${CONCURRENCY:-16 64}"
ADDR=127.0.0.1:18083
BOARD=/projecten/ideeen-bench/ideeenbord
OUT=bench/results/supports
mkdir -p "$OUT"
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
go build -o "$OUT/inspraak" ./cmd/inspraak
go build -o "$OUT/ideas" ./bench/ideas
go build -o "$OUT/supports" ./bench/ideas/supports

# The seeder and the server share the pseudonym key. A fresh one per run.
INSPRAAK_PSEUDONYM_KEY=$(head -c 33 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
export INSPRAAK_PSEUDONYM_KEY

if (exec 3<>/dev/tcp/127.0.0.1/18083) 2>/dev/null; then
  echo "supports.sh: something already listens on $ADDR; stop it first" >&2
  exit 1
fi
echo "== supports over HTTP $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"

for RUN in $(seq 1 "$ROUNDS"); do
for C in $CONCURRENCY; do
  DB="inspraak_supports_$C"
  URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
  $PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  # The board's ideas come from 200 authors; the residents who support
  # log in with other (test BSN) identities, so none supports their own.
  "$OUT/ideas" -db "$URL" -ideas "$IDEAS" -participants 200 -supports 0 >"$OUT/seed-$C.txt"
  # Ideas that can be supported: public, and not rejected, done or withdrawn.
  $PSQL -d "$DB" -At -c "SELECT id FROM ideas WHERE moderation = 'approved' AND status NOT IN ('rejected', 'done', 'withdrawn') ORDER BY id" >"$OUT/ids-$C.txt"
  INSPRAAK_DATABASE_URL="$URL" INSPRAAK_SEED_DEMO=false \
  INSPRAAK_ADDR=$ADDR INSPRAAK_BASE_URL=http://$ADDR INSPRAAK_LOG_LEVEL=warn \
  INSPRAAK_RATE_LIMITS="${LIMITS:-off}" INSPRAAK_RATE_LOGIN=1000000/10m INSPRAAK_RATE_SUPPORT=1000000/10m \
  INSPRAAK_TRUSTED_PROXIES="$([ -n "${FORWARDED:-}" ] && echo 127.0.0.1)" \
  "$OUT/inspraak" serve >"$OUT/server-$C.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do curl -fs "http://$ADDR/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  echo "-- concurrency $C, round $RUN: $(wc -l <"$OUT/ids-$C.txt") ideas that can be supported, of $IDEAS"
  STATUS=0
  "$OUT/supports" -base "http://$ADDR" -board "$BOARD" -ids "$OUT/ids-$C.txt" -residents "$N" -concurrency "$C" \
    ${FORWARDED:+-forwarded} | tee "$OUT/http-$C-$RUN.txt" || STATUS=$?
  kill -TERM "$PID"; wait "$PID" || true
  # Every count equals its recount; one register row per support.
  $PSQL -d "$DB" -At -c "SELECT 'supports stored: ' || (SELECT count(*) FROM idea_supports)
    || ', register rows: ' || (SELECT count(*) FROM participations WHERE kind = 'support')
    || ', ideas whose count differs from its recount: ' || (SELECT count(*) FROM ideas d
       WHERE d.support_count <> (SELECT count(*) FROM idea_supports s WHERE s.idea_id = d.id))" | tee -a "$OUT/http-$C-$RUN.txt"
  $PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  [ "$STATUS" = 0 ] || { echo "supports.sh: driver failed (see $OUT/server-$C.log)" >&2; exit 1; }
done
done

DB=inspraak_pgbench_supports
$PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
$PSQL -d "$DB" -c "CREATE TABLE bench_supports (id BIGSERIAL PRIMARY KEY, idea_id BIGINT NOT NULL, voter TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)" \
  -c "CREATE UNIQUE INDEX ON bench_supports (idea_id, voter)"
for C in $CONCURRENCY; do
  echo "-- pgbench insert, concurrency $C"
  pgbench -h 127.0.0.1 -U postgres -n -c "$C" -j 2 -T "${PGBENCH_SECONDS:-15}" -f bench/ideas/supports_pgbench.sql "$DB" | tee "$OUT/pgbench-$C.txt" | grep -E "^(tps|latency)"
done
$PSQL -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
