# Gatehouse in a container: a static binary (CGO_ENABLED=0; the SQLite driver is
# pure Go) on distroless, running as a non-root user, with its data in a volume.
# docs/deployment.md has the details.
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg BUILD_TIME=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t gatehouse .
#   docker run -d --name gatehouse -p 8700:8700 -v gatehouse-data:/var/lib/gatehouse \
#     --stop-timeout 40 gatehouse
#   docker logs gatehouse      # the root access key, printed once on first start

# The Go of go.mod's go line (a golang image with an older Go would refuse).
ARG GO_VERSION=1.26.8

# Build on the build machine's platform and cross-compile for the target's
# (docker buildx build --platform linux/amd64,linux/arm64 needs no emulation).
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
# Only what the binary is built from (.dockerignore keeps the rest, and any
# gatehouse-data with its secrets, out of the build context).
COPY cmd ./cmd
COPY internal ./internal
ARG TARGETOS
ARG TARGETARCH
# The build context has no .git, so Go can record no revision: put it in the
# version (git describe names the commit), and the build time beside it.
ARG VERSION=
ARG BUILD_TIME=
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.buildTime=${BUILD_TIME}" \
      -o /out/gatehouse ./cmd/gatehouse \
 && mkdir -p /out/data

# distroless/static: CA certificates, tzdata and /etc/passwd with the nonroot
# user (65532), no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gatehouse /usr/local/bin/gatehouse
# The data directory belongs to the nonroot user; a new named volume mounted
# here starts as a copy of it, owner included.
COPY --from=build --chown=65532:65532 /out/data /var/lib/gatehouse
ENV GATEHOUSE_LISTEN=0.0.0.0:8700 \
    GATEHOUSE_DATA_DIR=/var/lib/gatehouse
USER 65532:65532
VOLUME ["/var/lib/gatehouse"]
EXPOSE 8700
# No HEALTHCHECK: the image has no shell or HTTP client to run one with.
# Probe /health/live and /health/ready over HTTP from outside instead, served
# on GATEHOUSE_ADMIN_LISTEN (docs/observability.md).
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve"]
