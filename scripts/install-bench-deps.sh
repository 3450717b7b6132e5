#!/usr/bin/env bash
# Installs and builds what the over-the-wire bench needs, once: Debian's Go and grpc-go (the
# client Crossplane itself uses), Node for the TypeScript-SDK peer, clang and zlib1g-dev for the
# NativeAOT servers; then builds bench/wire offline against Debian's Go sources (GOPATH mode, no
# module download) and prints the client's path.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v go >/dev/null || need+=(golang-go)
[ -d /usr/share/gocode/src/google.golang.org/grpc ] || need+=(golang-google-grpc-dev)
command -v node >/dev/null || need+=(nodejs npm)
command -v clang >/dev/null || need+=(clang)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]}; install them with apt-get (needs root)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

out=artifacts/bench/wire
mkdir -p "$(dirname "$out")"
if [ ! -x "$out" ] || [ bench/wire/main.go -nt "$out" ]; then
  (cd bench/wire && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-$PWD/../../artifacts/bench/gocache}" go build -o "../../$out" .) >&2
fi
echo "$PWD/$out"
