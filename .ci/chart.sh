#!/usr/bin/env bash
# The Helm chart (charts/inspraak), checked with helm's own Go packages from
# the checker's module (charts/check, a go.mod of its own, so helm and the
# Kubernetes libraries stay out of Inspraak's go.mod): go vet, the checker's
# tests (each promise and each strict-decoding refusal proven on a broken
# copy of the chart), then the check itself: helm lint, render for the
# default and the production-like values, every object decoded strictly
# into the Kubernetes API types, the promises, and the refused value files.
set -euo pipefail
cd "$(dirname "$0")/../charts/check"
command -v go >/dev/null 2>&1 || { echo "go is missing"; exit 1; }
[ -f ../inspraak/Chart.yaml ] || { echo "charts/inspraak/Chart.yaml is missing"; exit 1; }
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
  echo "gofmt wants changes in charts/check:"; echo "$unformatted"; exit 1
fi
go vet ./...
go test -count=1 ./...
go run . ../inspraak
