#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, once: Debian's python3-grpcio (the Python gRPC
# peer), clang and zlib1g-dev (the NativeAOT linker), openssl (test certificates), and the npm
# packages of the Node peer (grpc-js and the official TypeScript function SDK).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null || need+=(python3-grpcio python3-protobuf)
command -v clang >/dev/null || need+=(clang)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
command -v openssl >/dev/null || need+=(openssl)
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]}; install them with apt-get (needs root)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file (a dependency bump), so the
# interop tests never run a stale SDK or grpc-js.
node=tests/interop/node
if [ -f $node/package-lock.json ] && { [ ! -f $node/node_modules/.package-lock.json ] || [ $node/package-lock.json -nt $node/node_modules/.package-lock.json ]; }; then
  (cd $node && npm ci --no-audit --no-fund --loglevel=error)
fi
