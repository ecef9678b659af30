# Inspraak container image, for those who build with Docker.
#
# Build:  docker build --build-arg VERSION=0.1.0 \
#           --build-arg REVISION="$(git rev-parse HEAD)" \
#           --build-arg CREATED="$(date -u -d @"$(git log -1 --format=%ct)" +%Y-%m-%dT%H:%M:%SZ)" \
#           -t inspraak:0.1.0 .
# Run:    see docs/operations.md (configuration, PostgreSQL, docker compose).
#
# CI builds the equivalent image without Docker, from an empty base and
# Debian's ca-certificates and tzdata packages, with cmd/inspraak-image
# (.ci/image.sh); docs/operations.md, section 7. Both have the same shape:
# keep user, entrypoint, command, working directory, environment, port,
# stop signal, health check, labels and build flags equal in the two
# (cmd/inspraak-image/image.go).
#
# The binary embeds templates, static files and migrations, so the final
# image holds nothing but the binary and an empty, writable /data directory.

FROM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first: this layer is reused as long as go.mod and go.sum
# do not change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .

# -tags nomsgpack leaves out gin's msgpack codec (6 MB; Inspraak speaks
# JSON and forms); -s -w strip the symbol table and debug information.
# The build context has no .git, so the commit comes in as REVISION.
ARG VERSION=dev
ARG REVISION=unknown
RUN CGO_ENABLED=0 go build -trimpath -tags nomsgpack \
      -ldflags "-s -w -X inspraak/internal/buildinfo.Version=${VERSION} -X inspraak/internal/buildinfo.Revision=${REVISION}" \
      -o /out/inspraak ./cmd/inspraak \
 && mkdir -p /out/data

# distroless/static: no shell, no package manager; it does contain CA
# certificates (needed for the OIDC brokers) and time zone data.
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED
LABEL org.opencontainers.image.title="Inspraak" \
      org.opencontainers.image.description="Participation platform for Dutch municipalities" \
      org.opencontainers.image.licenses="EUPL-1.2" \
      org.opencontainers.image.source="https://github.com/inspraak/inspraak" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"

COPY --from=build /out/inspraak /inspraak
# WORKDIR alone would create /data owned by root; the nonroot user (65532)
# must be able to write an explicit SQLite file and its -wal/-shm files here,
# and no one else needs to read them. (--chmod needs BuildKit, Docker's
# default builder since 23.0.)
COPY --from=build --chown=65532:65532 --chmod=0750 /out/data /data

# Numeric, so Kubernetes' runAsNonRoot can check it (a name it cannot).
USER 65532:65532
WORKDIR /data

# The base sets PATH and SSL_CERT_FILE already; stated for the shape.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    INSPRAAK_ADDR=:8080
EXPOSE 8080

# The binary's own health check: GET /healthz on INSPRAAK_ADDR, exit 0 or 1.
# (There is no shell or curl in this image.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/inspraak", "healthcheck"]

# serve handles SIGTERM: it stops accepting connections and drains for up
# to 10 seconds. Give the container a stop timeout longer than that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/inspraak"]
CMD ["serve"]
