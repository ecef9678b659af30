#!/usr/bin/env bash
# The moderation queue with 10,000 waiting items, on PostgreSQL over HTTP
# (issue 6): build, create a fresh database, start the server on it, seed
# the queue through the services (bench/moderation/seed), log in eight
# moderators and measure the queue pages and "take next"
# (bench/moderation), then stop the server and drop the database. Raw
# output goes to bench/results/moderation/.
#
#   bash bench/moderation/run.sh
#
# Environment (all optional):
#   BENCH_ITEMS=10000        waiting items to seed
#   BENCH_MODERATORS=8       moderators, one worker each
#   BENCH_REQUESTS=1000      measured requests per queue address
#   BENCH_WARMUP=80          warm-up requests per queue address
#   BENCH_TAKE_MAX=0         stop "take next" after this many requests (0: until empty)
#   BENCH_AWAIT_QUIET=20s    before each measurement, wait up to this long
#                            for other processes to leave the CPUs
#   BENCH_RETRIES=1          repeat a queue-page run during which other processes
#                            used more than 0.3 cores, at most this often
#   BENCH_PROFILE=1          also take server CPU profiles (pprof on 127.0.0.1:16063)
#   BENCH_QUERIES=1          afterwards, time the queue page's statements alone
#                            (bench/moderation/queries.sh; 0 to skip)
#   BENCH_QUERY_SECONDS=3    pgbench time per statement
#   BENCH_PORT=18083
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/bench/results/moderation
mkdir -p "$OUT"

ITEMS=${BENCH_ITEMS:-10000}
MODS=${BENCH_MODERATORS:-8}
REQUESTS=${BENCH_REQUESTS:-1000}
WARMUP=${BENCH_WARMUP:-80}
TAKE_MAX=${BENCH_TAKE_MAX:-0}
QUIET=${BENCH_AWAIT_QUIET:-20s}
RETRIES=${BENCH_RETRIES:-1}
PROFILE=${BENCH_PROFILE:-0}
QUERIES=${BENCH_QUERIES:-1}
QUERY_SECS=${BENCH_QUERY_SECONDS:-3}
PORT=${BENCH_PORT:-18083}
ADDR=127.0.0.1:$PORT
BASE=http://$ADDR
PPROF=127.0.0.1:16063
PG="psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -qAt"
DB=inspraak_mod_bench
DB_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG=$OUT/run-$STAMP.txt
: >"$LOG"
say() { echo "$*" | tee -a "$LOG"; }

# The seeder and the server share the pseudonym key (reporters' ids and
# participants' subjects are derived from it): a fresh random one per run.
INSPRAAK_PSEUDONYM_KEY=$(head -c 33 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
export INSPRAAK_PSEUDONYM_KEY

SERVER_PID=""
PG_CREATED=""
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $PG_CREATED ]]; then
    $PG -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
  echo "run.sh: something already listens on $ADDR; stop it first" >&2
  exit 1
fi

say "== Moderation queue benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "source: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(git status --porcelain 2>/dev/null | grep -vc ' bench/' || true) changed file(s) outside bench/"
say "machine: $(nproc) CPUs, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), $(free -m | awk '/^Mem:/ {print $2}') MiB RAM, $(go version | awk '{print $3}'), $($PG -d test -c 'SHOW server_version')"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

go build -o "$OUT/inspraak" ./cmd/inspraak
go build -o "$OUT/seed" ./bench/moderation/seed
go build -o "$OUT/moderation" ./bench/moderation

$PG -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
PG_CREATED=1

# The server migrates the empty database as it starts; the seeder then
# works on the migrated schema, as the brief of issue 6 asks.
SERVER_ENV=(INSPRAAK_DATABASE_URL="$DB_URL" INSPRAAK_SEED_DEMO=false INSPRAAK_RATE_LIMITS=off INSPRAAK_LOG_LEVEL=warn
  INSPRAAK_ADDR="$ADDR" INSPRAAK_BASE_URL="$BASE")
if [[ $PROFILE == 1 ]]; then
  SERVER_ENV+=(INSPRAAK_PPROF_ADDR="$PPROF")
fi
env "${SERVER_ENV[@]}" "$OUT/inspraak" serve >"$OUT/server-$STAMP.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
  curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -fs "$BASE/readyz" >/dev/null || { say "server did not become ready"; cat "$OUT/server-$STAMP.log"; exit 1; }

say "-- seeding $ITEMS waiting items"
"$OUT/seed" -db "$DB_URL" -items "$ITEMS" 2>&1 | tee -a "$LOG"
say "database size: $($PG -d test -c "SELECT pg_size_pretty(pg_database_size('$DB'))")"

DRIVER=(-base "$BASE" -moderators "$MODS" -requests "$REQUESTS" -warmup "$WARMUP" -take-max "$TAKE_MAX"
  -expect "$ITEMS" -server-pid "$SERVER_PID" -await-quiet "$QUIET" -retries "$RETRIES")
if [[ $PROFILE == 1 ]]; then
  DRIVER+=(-pprof "http://$PPROF" -profile-dir "$OUT" -profile-seconds 4)
fi
say "-- driver: moderation ${DRIVER[*]}"
set +e
"$OUT/moderation" "${DRIVER[@]}" 2>&1 | tee -a "$LOG"
RC=${PIPESTATUS[0]}
set -e

# The database's own view of the claims: every claim event names one
# item, and no item may have been claimed twice. The seeder's own
# moderator, who approved the early ideas that comments go on, is left out.
say "-- claims in the database"
$PG -d "$DB" -c "WITH c AS (SELECT item_id FROM moderation_events WHERE action = 'claim'
    AND staff_id IN (SELECT id FROM staff_members WHERE subject <> 'modbench-seed-moderator'))
  SELECT 'claim events by the measured moderators: ' || count(*) || ', distinct items: ' || count(DISTINCT item_id) ||
  ', items claimed more than once: ' || (SELECT count(*) FROM (SELECT item_id FROM c GROUP BY item_id HAVING count(*) > 1) d) FROM c" | tee -a "$LOG"
$PG -d "$DB" -c "SELECT 'waiting items: ' || count(*) || ', claimed now: ' || count(claimed_by) || ', by ' ||
  count(DISTINCT claimed_by) || ' moderators' FROM moderation_items WHERE waiting" | tee -a "$LOG"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" && say "server stopped: exit 0" || say "server stopped: exit $?"
SERVER_PID=""
grep -c 'slow query' "$OUT/server-$STAMP.log" | sed 's/^/slow queries logged by the server (> 200 ms): /' | tee -a "$LOG" || true
if [[ $QUERIES == 1 ]]; then
  say "-- statements alone (queries.sh), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  bash bench/moderation/queries.sh "$DB" "$QUERY_SECS" 2>&1 | tee -a "$LOG"
fi
$PG -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
PG_CREATED=""
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "raw output: $LOG"
exit "$RC"
