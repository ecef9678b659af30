#!/usr/bin/env bash
# Two instances of the real binary at once on one new PostgreSQL database,
# a mixed load through both (residents logging in, voting, answering the
# questionnaire, posting and supporting ideas, moderators taking the next
# item and deciding, mail through the one outbox to an SMTP server in the
# driver), SIGTERM to one of them in the middle: its /readyz must say 503
# while it still answers, no accepted request may fail, and afterwards the
# database, the mail received and `inspraak tallies` must agree with what
# the driver was told. The driver is cmd/inspraak/instances_test.go (build
# tag "instances"); it creates and drops its own database next to the one
# INSPRAAK_TEST_DATABASE_URL names (CI's, or `test` when run by hand).
#
#   .ci/instances.sh                               # ~60 s on two cores
#   INSPRAAK_INSTANCES_DRAIN_DELAY=0s .ci/instances.sh   # shows what the drain prevents
set -euo pipefail
cd "$(dirname "$0")/.."
export INSPRAAK_TEST_DATABASE_URL="${INSPRAAK_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not running on 127.0.0.1:5432: this check needs it"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
go build -o "$work/inspraak" ./cmd/inspraak
INSPRAAK_INSTANCES_BINARY="$work/inspraak" \
  go test -tags instances -count=1 -v -timeout 5m -run '^TestTwoInstancesUnderLoadWithADrain$' ./cmd/inspraak
