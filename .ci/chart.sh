#!/usr/bin/env bash
# The Helm chart (charts/inspraak), checked with helm's own Go packages from
# the checker's module (charts/check, a go.mod of its own, so helm and the
# Kubernetes libraries stay out of Inspraak's go.mod): gofmt and go vet, the
# checker's tests (each promise and each strict-decoding refusal proven on a
# broken copy of the chart), then the check itself: helm lint, render for
# the default and the production-like values, every object decoded strictly
# into the Kubernetes API types, the promises, every INSPRAAK_* variable a
# setting Inspraak reads, the refused value files. Last, the binary starts
# with exactly the Deployment's environment (production mode refuses any
# setting it cannot use) on a PostgreSQL database of its own, and must
# answer /readyz 200 and stop cleanly on SIGTERM.
#
# Needs: go, psql, INSPRAAK_TEST_DATABASE_URL (a PostgreSQL database on a
# server where it may create another), and the binary (INSPRAAK_BIN,
# default /tmp/inspraak-ci, which .ci/run's "build the binary" makes).
set -euo pipefail
cd "$(dirname "$0")/../charts/check"
bin="${INSPRAAK_BIN:-/tmp/inspraak-ci}"
command -v go >/dev/null 2>&1 || { echo "go is missing"; exit 1; }
command -v psql >/dev/null 2>&1 || { echo "psql is missing"; exit 1; }
[ -f ../inspraak/Chart.yaml ] || { echo "charts/inspraak/Chart.yaml is missing"; exit 1; }
[ -x "$bin" ] || { echo "no inspraak binary at $bin (set INSPRAAK_BIN, or build it first)"; exit 1; }
[ -n "${INSPRAAK_TEST_DATABASE_URL:-}" ] || { echo "INSPRAAK_TEST_DATABASE_URL is not set"; exit 1; }

unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
  echo "gofmt wants changes in charts/check:"; echo "$unformatted"; exit 1
fi
go vet ./...
go test -count=1 ./...

# A database of its own beside the test database (named after it, so
# .ci/run's clean-up of ${ci_db}_* drops it too if this script is killed).
base="${INSPRAAK_TEST_DATABASE_URL%%\?*}"
query=""
[ "$base" != "$INSPRAAK_TEST_DATABASE_URL" ] && query="?${INSPRAAK_TEST_DATABASE_URL#*\?}"
db="${base##*/}_chart"
PGOPTIONS="--client-min-messages=warning" psql "$base" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql "$base" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
go run . -start "$bin" -database "${base%/*}/$db$query" ../inspraak
