# syntax=docker/dockerfile:1
# The function runtime image: the NativeAOT server on a minimal non-root base, for linux/amd64 and
# linux/arm64. `crossplane xpkg build --embed-runtime-image-tarball` adds the package layer
# (function-package/) on top of it; `make image` builds one tarball per platform.
#
# Base images are pinned by digest. Neither digest could be read from the registry here (no network
# to mcr.microsoft.com); both were taken from public Dockerfiles and image reports that pin these tags
# (see docs/installing.md) and must be checked before a release with
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/sdk:10.0-noble
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled

# Build on the builder's own platform and cross-compile: NativeAOT links for the target with clang
# and the target's gcc toolchain and zlib from Ubuntu's multiarch archive, so arm64 needs no emulation.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble@sha256:e70cdb7f80b0348f5cb85f19a8f670fca061f033d57eed12fa003d58b0e06317 AS build
ARG TARGETARCH
ARG BUILDARCH
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends clang llvm zlib1g-dev; \
    if [ "$TARGETARCH" != "$BUILDARCH" ]; then \
      case "$TARGETARCH" in \
        arm64) triple=aarch64-linux-gnu; ports=http://ports.ubuntu.com/ubuntu-ports/ ;; \
        amd64) triple=x86-64-linux-gnu; ports=http://archive.ubuntu.com/ubuntu/ ;; \
      esac; \
      sed -i "/^Signed-By/a Architectures: $BUILDARCH" /etc/apt/sources.list.d/ubuntu.sources; \
      printf 'Types: deb\nURIs: %s\nSuites: noble noble-updates noble-security\nComponents: main\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\nArchitectures: %s\n' "$ports" "$TARGETARCH" > /etc/apt/sources.list.d/target.sources; \
      dpkg --add-architecture "$TARGETARCH"; \
      apt-get update; \
      apt-get install -y --no-install-recommends "binutils-$triple" "gcc-$triple" "zlib1g-dev:$TARGETARCH"; \
    fi; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the server build reads; .dockerignore keeps artifacts/, tests and examples out of the context.
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
COPY proto/ proto/
COPY src/ src/
COPY functions/ functions/
RUN set -eux; \
    case "$TARGETARCH" in amd64) rid=linux-x64 ;; arm64) rid=linux-arm64 ;; *) echo "unsupported TARGETARCH $TARGETARCH"; exit 1 ;; esac; \
    dotnet publish src/Modelplane.Server/Modelplane.Server.csproj -c Release -r "$rid" -o /out -p:DebugSymbols=false

# Run: Ubuntu chiseled runtime-deps, the same Ubuntu as the build stage (so the binary's glibc symbols
# are there), with OpenSSL for mutual TLS and nothing else: no shell, no package manager.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled@sha256:18d4848091a40d13dbfdd6a8340c1657dc3e2f2d7fa2f042e9d162e68669dbc9
COPY --from=build /out/modelplane-function /function
# Crossplane runs package runtimes as UID/GID 2000, sends gRPC to 9443 and mounts its certificates at
# the directory TLS_SERVER_CERTS_DIR names, which the server reads; /metrics and /healthz are on 8080.
USER 2000:2000
EXPOSE 9443 8080
ENTRYPOINT ["/function"]
