#!/usr/bin/env bash
# The idea board page with 10,000 ideas and 100,000 supports, on SQLite and
# PostgreSQL: seed (bench/ideas), start the built server on that database,
# and load six board addresses (five pages and a search) with bench/load,
# first at a constant rate, then at maximum throughput; on PostgreSQL also
# pgbench's select-only script as the ceiling. Raw output goes to
# bench/results/ideas/.
#
# For the ratio page-at-10,000 / page-at-100, run it again with
# BENCH_IDEAS=100 BENCH_SUPPORTS=1000 BENCH_PARTICIPANTS=100: the deep pages
# become pages 2 and 3 (a page's cost no longer depends on its number).
#
#   bash bench/ideas/run.sh
#
# Environment (all optional):
#   BENCH_RATE=200 BENCH_DURATION=20s BENCH_WARMUP=5s
#   BENCH_MAX_CONCURRENCY=32 BENCH_MAX_DURATION=10s BENCH_MAX_WARMUP=2s
#   BENCH_DBS="sqlite postgres"
#   BENCH_AWAIT_QUIET=20s  (before each run, wait up to this long for other
#                           processes to leave the CPUs; never fails)
#   BENCH_BUSY_CORES=0.3   (a run during which other processes used more
#                           than this is repeated once)
#   BENCH_IDEAS=10000 BENCH_PARTICIPANTS=1000 BENCH_SUPPORTS=100000
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/bench/results/ideas
mkdir -p "$OUT"

RATE=${BENCH_RATE:-200}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-5s}
MAXC=${BENCH_MAX_CONCURRENCY:-32}
MAXDUR=${BENCH_MAX_DURATION:-10s}
MAXWARM=${BENCH_MAX_WARMUP:-2s}
DBS=${BENCH_DBS:-"sqlite postgres"}
QUIET=${BENCH_AWAIT_QUIET:-20s}
BUSY=${BENCH_BUSY_CORES:-0.3}
IDEAS=${BENCH_IDEAS:-10000}
PARTICIPANTS=${BENCH_PARTICIPANTS:-1000}
SUPPORTS=${BENCH_SUPPORTS:-100000}
# Deep pages, and how many ideas each address must show at least.
P50=50 P100=100 MINIDEAS=20
if ((IDEAS < 2000)); then
  P50=2 P100=3 MINIDEAS=5
fi
ADDR=127.0.0.1:18082
BASE=http://$ADDR
BOARD=/projecten/ideeen-bench/ideeenbord
PG="psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -qAt"
PG_DB=inspraak_ideas_bench
# One returning visitor: the board keeps its random order in this cookie
# (internal/web orderCookie, a hex seed), so page 1 and page 50 are pages
# of the same order.
COOKIE="Cookie: inspraak_volgorde=9e3779b97f4a7c15"

rm -f "$OUT"/*.txt "$OUT"/*.log
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }

# The seeder and the server must share the pseudonym key: supporter ids
# are derived from it. A fresh random key per run.
INSPRAAK_PSEUDONYM_KEY=$(head -c 33 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
export INSPRAAK_PSEUDONYM_KEY

TMP=$(mktemp -d /tmp/inspraak-ideas-bench.XXXXXX)
SERVER_PID=""
PG_CREATED=""
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $PG_CREATED ]]; then
    $PG -d test -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

if (exec 3<>/dev/tcp/127.0.0.1/18082) 2>/dev/null; then
  echo "run.sh: something already listens on $ADDR; stop it first" >&2
  exit 1
fi

say "== Idea board benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "source: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(git status --porcelain 2>/dev/null | grep -vc ' bench/' || true) changed file(s) outside bench/"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "machine: $(nproc) CPUs, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), $(free -m | awk '/^Mem:/ {print $2}') MiB RAM, $(go version | awk '{print $3}')"
go build -o "$OUT/inspraak" ./cmd/inspraak
go build -o "$OUT/ideas" ./bench/ideas
go build -o "$OUT/load" ./bench/load
LOAD=$OUT/load

# run NAME FILE ARGS... loads the server. When unrelated processes took
# more than BUSY cores during the measurement, the run is repeated once
# (marked #2); both results stay in the summary.
run() {
  local name=$1 file=$2
  shift 2
  "$LOAD" -name "$name" -server-pid "$SERVER_PID" -await-quiet "$QUIET" -header "$COOKIE" "$@" | tee "$file" | tee -a "$SUMMARY"
  local other
  other=$(sed -n 's/^RESULT .*other_cores=\([0-9.]*\).*/\1/p' "$file")
  if [[ -n $other ]] && awk -v o="$other" -v b="$BUSY" 'BEGIN{exit !(o > b)}'; then
    say "   (other processes took $other cores during that run; repeating it once)"
    "$LOAD" -name "$name#2" -server-pid "$SERVER_PID" -await-quiet "$QUIET" -header "$COOKIE" "$@" | tee "${file%.txt}-2.txt" | tee -a "$SUMMARY"
  fi
}

bench_db() {
  local db=$1 url=$2 log=$OUT/$1-server.log
  say ""
  say "== $db"
  "$OUT/ideas" -db "$url" -ideas "$IDEAS" -participants "$PARTICIPANTS" -supports "$SUPPORTS" | tee "$OUT/$db-seed.txt" | tee -a "$SUMMARY"
  local theme
  theme=$(sed -n 's/^theme \([0-9]*\) .*/\1/p' "$OUT/$db-seed.txt" | head -1)

  INSPRAAK_DATABASE_URL=$url INSPRAAK_SEED_DEMO=false INSPRAAK_RATE_LIMITS=off INSPRAAK_LOG_LEVEL=warn \
    INSPRAAK_ADDR=$ADDR INSPRAAK_BASE_URL=$BASE \
    "$OUT/inspraak" serve >"$log" 2>&1 &
  SERVER_PID=$!
  if ! "$LOAD" -wait "$BASE/readyz" -poll 10ms -timeout 20s >/dev/null; then
    echo "run.sh: $db server did not become ready; log:" >&2
    cat "$log" >&2
    exit 1
  fi

  # The search finds the fietsenrekken, the fietspaden and every text
  # with "fietsen" (about one idea in six), in the most-supported order.
  local -a names=("random p1" "random p$P50" "support p1" "newest p$P100" "theme p1" "search p1")
  local -a paths=("$BOARD" "$BOARD?pagina=$P50" "$BOARD?sorteer=steun" "$BOARD?sorteer=nieuw&pagina=$P100" "$BOARD?thema=$theme"
    "$BOARD?zoek=fietsen&sorteer=steun")
  local i code
  for i in "${!paths[@]}"; do
    # Each address must be a full page of ideas, and the cookie must be
    # taken as it is (no new seed handed out).
    code=$(curl -s -o "$TMP/page.html" -D "$TMP/headers.txt" -w '%{http_code}' -H "$COOKIE" "$BASE${paths[$i]}")
    if [[ $code != 200 ]] || [[ $(grep -c 'id="idee-' "$TMP/page.html" || true) -lt $MINIDEAS ]] || grep -qi '^set-cookie: inspraak_volgorde' "$TMP/headers.txt"; then
      echo "run.sh: ${paths[$i]} answered $code with $(grep -c 'id="idee-' "$TMP/page.html" || true) ideas; headers:" >&2
      cat "$TMP/headers.txt" >&2
      exit 1
    fi
  done
  say "page size (gzip): $(curl -s -H "$COOKIE" -H 'Accept-Encoding: gzip' "$BASE$BOARD" | wc -c) bytes"

  for i in "${!paths[@]}"; do
    say "-- ${names[$i]}: ${paths[$i]}, constant $RATE req/s for $DURATION (warm-up $WARMUP)"
    run "$db:rate:${names[$i]// /-}" "$OUT/$db-rate-${names[$i]// /-}.txt" \
      -url "$BASE${paths[$i]}" -rate "$RATE" -duration "$DURATION" -warmup "$WARMUP"
  done
  for i in "${!paths[@]}"; do
    say "-- ${names[$i]}: ${paths[$i]}, max throughput, $MAXC workers for $MAXDUR (warm-up $MAXWARM)"
    run "$db:max:${names[$i]// /-}" "$OUT/$db-max-${names[$i]// /-}.txt" \
      -max -concurrency "$MAXC" -url "$BASE${paths[$i]}" -duration "$MAXDUR" -warmup "$MAXWARM"
  done

  local rc=0
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  if [[ $rc -ne 0 ]]; then
    echo "run.sh: $db server exited with $rc; log:" >&2
    cat "$log" >&2
    exit 1
  fi
  if [[ -s $log ]]; then
    say "server warnings/errors logged: $(wc -l <"$log") line(s) (see $log)"
  fi
}

for db in $DBS; do
  case $db in
    sqlite)
      bench_db sqlite "sqlite:$TMP/ideas.db"
      ;;
    postgres)
      if ! command -v psql >/dev/null; then
        say ""
        say "== postgres: skipped (psql is not installed)"
        continue
      fi
      $PG -d test -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
      PG_CREATED=1
      bench_db postgres "postgres://postgres@127.0.0.1:5432/$PG_DB?sslmode=disable"
      # The ceiling on this machine in the same run: pgbench's built-in
      # select-only script (one primary-key read per transaction, prepared)
      # with as many clients as the load driver's workers.
      say ""
      say "-- pgbench select-only (-S -M prepared), $MAXC clients, ${PGBENCH_SECONDS:-10} s"
      $PG -d test -c "DROP DATABASE IF EXISTS inspraak_pgbench_select WITH (FORCE)" -c "CREATE DATABASE inspraak_pgbench_select" >/dev/null
      pgbench -h 127.0.0.1 -U postgres -i -q -s 10 inspraak_pgbench_select >/dev/null 2>&1
      pgbench -h 127.0.0.1 -U postgres -n -S -M prepared -c "$MAXC" -j 2 -T "${PGBENCH_SECONDS:-10}" inspraak_pgbench_select 2>&1 |
        tee "$OUT/pgbench-select.txt" | grep -E "^(tps|latency average)" | tee -a "$SUMMARY"
      $PG -d test -c "DROP DATABASE IF EXISTS inspraak_pgbench_select WITH (FORCE)" >/dev/null
      $PG -d test -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
      PG_CREATED=""
      ;;
    *)
      echo "run.sh: unknown database $db" >&2
      exit 2
      ;;
  esac
done

say ""
say "== summary (latencies in ms; rps = requests/s achieved; srv-ms = server CPU ms per request;"
say "   pg = cores used by PostgreSQL; other = cores used by unrelated processes during the measurement)"
{
  printf '%-30s %8s %7s %7s %8s %8s %6s %6s %6s %5s %6s\n' run rps p50 p90 p99 max errors drop srv-ms pg other
  grep -h '^RESULT' "$SUMMARY" | sed 's/^RESULT //' | awk '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%-30s %8s %7s %7s %8s %8s %6s %6s %6s %5s %6s\n", v["name"], v["rps"], v["p50_ms"], v["p90_ms"], v["p99_ms"], v["max_ms"], v["errors"], v["dropped"], v["srv_cpu_ms"], v["pg_cores"], v["other_cores"]
  }'
} | tee -a "$SUMMARY"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "raw output: $OUT"
