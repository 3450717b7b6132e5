# Modelplane: Crossplane composition functions for an AI inference fleet, in C#.
# `make run` renders the example fleet offline; `make test` runs every test.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
DOTNET ?= dotnet
CONFIGURATION ?= Release
ARGS ?=
AOT_DIR := artifacts/aot
AOT_BINARY := $(AOT_DIR)/modelplane-function

.PHONY: build test deps publish serve run cli render golden format bench package clean

build:
	$(DOTNET) build Modelplane.sln -c $(CONFIGURATION) --nologo -v quiet

# Installs what the interop tests need (Debian's grpcio, clang for NativeAOT, npm packages).
deps:
	bash scripts/install-test-deps.sh

# The NativeAOT server binary; its path is the last line printed.
publish:
	$(DOTNET) publish src/Modelplane.Server/Modelplane.Server.csproj -c Release -r linux-x64 --nologo -v quiet -o $(AOT_DIR) -p:DebugSymbols=false
	@echo "$(CURDIR)/$(AOT_BINARY)"

# Every test; ends with a plain "N passed, N failed" line.
test: deps publish
	MODELPLANE_AOT_BINARY="$(CURDIR)/$(AOT_BINARY)" bash scripts/test.sh

golden:
	@if [ "$${CI:-}" = "true" ]; then echo "UPDATE_GOLDEN is refused when CI=true"; exit 1; fi
	UPDATE_GOLDEN=1 $(DOTNET) test Modelplane.sln --nologo

# Starts the server with the flags in ARGS, e.g. make serve ARGS='--insecure --address 127.0.0.1:9443'.
serve:
	$(DOTNET) run --project src/Modelplane.Server -c $(CONFIGURATION) -- $(ARGS)

# Benchmarks (never timed tests): the runtime and composers as ratios to the echo floor, then the
# AOT server's startup and RSS against the JIT build. FILTER narrows BenchmarkDotNet, e.g. FILTER='*Runtime*'.
FILTER ?= *
bench: publish
	$(DOTNET) build bench/Modelplane.Benchmarks -c Release --nologo -v quiet
	$(DOTNET) build src/Modelplane.Server -c Release --nologo -v quiet
	$(DOTNET) artifacts/bin/Modelplane.Benchmarks/release/Modelplane.Benchmarks.dll --filter '$(FILTER)'
	$(DOTNET) artifacts/bin/Modelplane.Benchmarks/release/Modelplane.Benchmarks.dll aot "$(CURDIR)/$(AOT_BINARY)" "$(CURDIR)/artifacts/bin/Modelplane.Server/release/modelplane-function.dll"

format:
	$(DOTNET) format Modelplane.sln --verify-no-changes

clean:
	rm -rf artifacts
