#!/usr/bin/env bash
# The container image, built without a container engine (cmd/inspraak-image),
# measured, and started from its own root filesystem on PostgreSQL; the
# CycloneDX SBOM of its binary beside it. Issue 18, items 1 and 5.
#
#   .ci/image.sh binary OUT   build the binary as the image ships it, to OUT
#   .ci/image.sh [BINARY]     the image step; with BINARY (made by `binary`
#                             in the same checkout) it builds no second one
#
# Output (not in git): dist/inspraak-image.tar (docker load, podman load),
# dist/inspraak-oci/ (OCI image layout), dist/inspraak.cdx.json (SBOM);
# INSPRAAK_DIST names another directory.
#
# Podman cannot run a container on CI's machines (crun: setrlimit, then
# "cgroups in hybrid mode"), so the image's filesystem, unpacked from the
# written image, is started with chroot as the user its config names, with
# its entrypoint, command and environment read from that config.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
# -trimpath for the binary (no build machine's paths in it) and for the
# two tools as well: they then share the binary's compiled standard
# library and modules, where a cold build cache would otherwise compile
# them once more.
export GOFLAGS="${GOFLAGS:-} -trimpath"

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "image: $tool is missing"; exit 1; }
  done
}
need git go

# The version and commit the binary is stamped with and the labels say.
# CI builds with -buildvcs=false, so the commit is stamped with -X.
revision="${INSPRAAK_REVISION:-$(git rev-parse HEAD)}"
if [ -z "${INSPRAAK_VERSION:-}" ]; then
  base="$(sed -n 's/^softwareVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' publiccode.yml)"
  [ -n "$base" ] || { echo "image: no softwareVersion in publiccode.yml"; exit 1; }
  INSPRAAK_VERSION="$base-${revision:0:12}"
  # A build from a changed checkout is not the commit's image.
  git diff --quiet HEAD -- || INSPRAAK_VERSION+="-dirty"
fi
version="$INSPRAAK_VERSION"
# Every time in the image is the commit's: the same commit, the same image.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct "$revision")}"

build_binary() {
  go build -trimpath -tags nomsgpack \
    -ldflags "-s -w -X inspraak/internal/buildinfo.Version=$version -X inspraak/internal/buildinfo.Revision=$revision" \
    -o "$1" ./cmd/inspraak
}

if [ "${1:-}" = binary ]; then
  [ $# -eq 2 ] || { echo "usage: .ci/image.sh binary OUT"; exit 2; }
  build_binary "$2"
  exit 0
fi

need jq curl tar chroot psql pg_isready
work="$(mktemp -d)"
db="inspraak_image_$$"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

t0=$SECONDS
if [ $# -ge 1 ]; then
  bin="$1"
  [ -x "$bin" ] || { echo "image: $bin is not an executable"; exit 1; }
else
  bin="$work/inspraak"
  build_binary "$bin"
fi
echo "binary: $bin ($version, commit $revision)"

dist="${INSPRAAK_DIST:-$PWD/dist}"
mkdir -p "$dist"
go build -o "$work/inspraak-image" ./cmd/inspraak-image
image="$dist/inspraak-image.tar"
rm -f "$image"
# The image takes its CA certificates and time zone data from this
# machine's Debian packages, checked against the packages' checksums.
"$work/inspraak-image" build -binary "$bin" -version "$version" -revision "$revision" \
  -layout "$dist/inspraak-oci" -tarball "$image" -max-bytes 40000000
t_build=$SECONDS

# What follows reads the written image, not what went into it.
cfg="$("$work/inspraak-image" config "$image")"
user="$(jq -r '.config.User // ""' <<<"$cfg")"
workdir="$(jq -r '.config.WorkingDir // ""' <<<"$cfg")"
mapfile -t entrypoint < <(jq -r '.config.Entrypoint // [] | .[]' <<<"$cfg")
mapfile -t cmd < <(jq -r '.config.Cmd // [] | .[]' <<<"$cfg")
mapfile -t env < <(jq -r '.config.Env // [] | .[]' <<<"$cfg")
echo "config: user $user, entrypoint ${entrypoint[*]}, cmd ${cmd[*]}, workdir $workdir, env ${env[*]}"
[[ "$user" =~ ^[0-9]+:[0-9]+$ ]] || { echo "image: its user $user is not uid:gid"; exit 1; }
[ "${user%%:*}" != 0 ] || { echo "image: it runs as root"; exit 1; }
[ ${#entrypoint[@]} -gt 0 ] || { echo "image: no entrypoint"; exit 1; }

rootfs="$work/rootfs"
mkdir "$rootfs"
# As root, tar keeps the image's owners (numeric) and modes.
"$work/inspraak-image" rootfs "$image" | tar -x -p --numeric-owner -C "$rootfs"
echo "root filesystem: $(du -sh --apparent-size "$rootfs" | cut -f1) in $(find "$rootfs" | wc -l) entries; workdir $(stat -c '%u:%g %A' "$rootfs$workdir" 2>/dev/null || echo missing)"
[ -d "$rootfs$workdir" ] || { echo "image: its working directory $workdir is not in it"; exit 1; }

# Production mode, as a municipality runs it (JSON logs, every safety
# check of the configuration on, no demo content, no test login), with
# throwaway secrets. Nothing listens on the SMTP address: an empty
# database has no mail to send.
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "image: PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
psql -h 127.0.0.1 -U postgres -d test -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $db"
secret() { head -c 48 /dev/urandom | base64 | tr -d '\n/+='; }
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "image: no free port"; exit 1; }
# env -i: only the image's environment and these settings, as in a
# container. coreutils chroot always starts in the new root (/), not in
# the image's working directory; on PostgreSQL the server writes nothing
# there.
env -i "${env[@]}" \
  INSPRAAK_ENV=production \
  INSPRAAK_ADDR="127.0.0.1:$port" \
  INSPRAAK_BASE_URL=https://inspraak.ci.invalid \
  INSPRAAK_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable" \
  INSPRAAK_SESSION_KEY="$(secret)" INSPRAAK_PSEUDONYM_KEY="$(secret)" INSPRAAK_METRICS_TOKEN="$(secret)" \
  INSPRAAK_SMTP_URL=smtp://127.0.0.1:25 \
  INSPRAAK_MAIL_FROM='Inspraak CI <inspraak@ci.invalid>' \
  "$(command -v chroot)" --userspec="$user" "$rootfs" "${entrypoint[@]}" "${cmd[@]}" >"$work/server.log" 2>&1 &
pid=$!
code=""
for _ in $(seq 1 120); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "image: the server stopped before it was ready; its log:"; cat "$work/server.log"; exit 1
  fi
  code="$(curl -s -o "$work/readyz" -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz" || true)"
  [ "$code" = 200 ] && break
  sleep 0.5
done
if [ "$code" != 200 ]; then
  echo "image: /readyz answered ${code:-nothing} for 60 s; the server's log:"; cat "$work/server.log"; exit 1
fi
echo "running as uid:gid $(awk '/^Uid:/ {u=$2} /^Gid:/ {g=$2} END {print u ":" g}' "/proc/$pid/status") (pid $pid, root $(readlink "/proc/$pid/root"))"
echo "GET /readyz: 200 $(cat "$work/readyz")"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
if [ "$rc" != 0 ]; then
  echo "image: the server exited $rc after SIGTERM; its log:"; cat "$work/server.log"; exit 1
fi
echo "SIGTERM: exited 0; last log line: $(tail -n 1 "$work/server.log")"
t_run=$SECONDS

# The SBOM: every Go module linked into the binary (and the standard
# library, for the Go release), with the licences found in the module
# cache as evidence. No serial number or timestamp, so the same binary
# gives the same file.
sbom="$dist/inspraak.cdx.json"
rm -f "$sbom"
if ! go run github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0 bin \
  -json -std -licenses -noserial -notimestamp -version "$version" -output "$sbom" "$bin" >"$work/sbom.log" 2>&1; then
  echo "image: cyclonedx-gomod failed:"; cat "$work/sbom.log"; exit 1
fi
# Two warnings are expected and left out: the main module (inspraak, no
# public module path; its licence is EUPL-1.2) and the standard library
# cannot be downloaded to look for a licence.
grep -v 'module=.*\(inspraak\|std\)@' "$work/sbom.log" || true
[ -s "$sbom" ] || { echo "image: no SBOM at $sbom"; exit 1; }
components="$(jq '.components | length' "$sbom")"
licensed="$(jq '[.components[] | select((.evidence.licenses // .licenses // []) | length > 0)] | length' "$sbom")"
[ "$components" -gt 0 ] || { echo "image: the SBOM at $sbom lists no components"; exit 1; }
echo "SBOM: $sbom ($components components, $licensed with a licence found; main component $(jq -r '.metadata.component.name + " " + .metadata.component.version' "$sbom"))"

echo "artefacts in $dist: $(cd "$dist" && ls -d inspraak-image.tar inspraak-oci inspraak.cdx.json | tr '\n' ' ')"
echo "times: image build $((t_build - t0)) s, start and stop $((t_run - t_build)) s, SBOM $((SECONDS - t_run)) s"
