# syntax=docker/dockerfile:1
# The function runtime image: the NativeAOT server on a minimal non-root base. `crossplane xpkg build
# --embed-runtime-image` adds the package layer (crossplane.yaml) on top of it.

# Build: the .NET SDK plus clang and zlib for the NativeAOT link. The server targets net9.0 because
# the package copy here lacks .NET 10's NativeAOT runtime pack (see Directory.Build.props).
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/Modelplane.Server/Modelplane.Server.csproj -c Release -r linux-x64 -o /out -p:DebugSymbols=false

# Run: Ubuntu chiseled runtime-deps, the same Ubuntu as the build stage (so the binary's glibc
# symbols are there), with OpenSSL for mutual TLS and nothing else: no shell, no package manager.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
COPY --from=build /out/modelplane-function /function
# Crossplane runs package runtimes as UID/GID 2000 and sends gRPC to 9443; /metrics is on 8080.
USER 2000:2000
EXPOSE 9443 8080
ENTRYPOINT ["/function"]
