# Inspraak container image.
#
# Build:  docker build --build-arg VERSION=0.1.0 -t inspraak:0.1.0 .
# Run:    see docs/operations.md (configuration, PostgreSQL, docker compose).
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

ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X inspraak/internal/buildinfo.Version=${VERSION}" \
      -o /out/inspraak ./cmd/inspraak \
 && mkdir -p /out/data

# distroless/static: no shell, no package manager; it does contain CA
# certificates (needed for the OIDC brokers) and time zone data.
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
LABEL org.opencontainers.image.title="Inspraak" \
      org.opencontainers.image.description="Participation platform for Dutch municipalities" \
      org.opencontainers.image.licenses="EUPL-1.2" \
      org.opencontainers.image.source="https://github.com/inspraak/inspraak" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /out/inspraak /inspraak
# WORKDIR alone would create /data owned by root; the nonroot user (65532)
# must be able to write an explicit SQLite file and its -wal/-shm files here.
COPY --from=build --chown=65532:65532 /out/data /data

USER nonroot:nonroot
WORKDIR /data

ENV INSPRAAK_ADDR=:8080
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
