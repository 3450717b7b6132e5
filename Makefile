# Modelplane: Crossplane composition functions for an AI inference fleet, in C#.
# `make run` renders the example fleet offline; `make test` runs every test.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
DOTNET ?= dotnet
CONFIGURATION ?= Release
ARGS ?=
AOT_DIR := artifacts/aot
AOT_BINARY := $(AOT_DIR)/modelplane-function

.PHONY: build test deps publish serve run cli render docs golden golden-examples format bench bench-wire package push image clean

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

# Rewrites every examples/*/*/render.yaml (only those) from the current render output; read the diff.
golden-examples:
	@if [ "$${CI:-}" = "true" ]; then echo "UPDATE_GOLDEN is refused when CI=true"; exit 1; fi
	UPDATE_GOLDEN=1 $(DOTNET) test tests/Modelplane.Render.Tests -c $(CONFIGURATION) --nologo --filter 'FullyQualifiedName~ExampleTests'

# Starts the server with the flags in ARGS, e.g. make serve ARGS='--insecure --address 127.0.0.1:9443'.
serve:
	$(DOTNET) run --project src/Modelplane.Server -c $(CONFIGURATION) -- $(ARGS)

# Benchmarks (never timed tests): the runtime and composers as ratios to the echo floor, then the
# AOT server's startup and RSS against the JIT build, then the over-the-wire suite: a grpc-go client
# sends the same requests to our AOT server, an echo floor on the same stack and the TypeScript-SDK
# peer, alternating, and prints the ratios. FILTER narrows BenchmarkDotNet, e.g. FILTER='*Runtime*';
# `make bench-wire` runs the over-the-wire suite alone.
FILTER ?= *
BENCH := $(DOTNET) artifacts/bin/Modelplane.Benchmarks/release/Modelplane.Benchmarks.dll
ECHO_BINARY := artifacts/aot-echo/modelplane-echo-floor
PEER ?= $(CURDIR)/../shared/peers/typescript-modelservice/run.sh
bench: publish
	$(DOTNET) build bench/Modelplane.Benchmarks -c Release --nologo -v quiet
	$(DOTNET) build src/Modelplane.Server -c Release --nologo -v quiet
	$(BENCH) sizes
	$(BENCH) --filter '$(FILTER)'
	$(BENCH) aot "$(CURDIR)/$(AOT_BINARY)" "$(CURDIR)/artifacts/bin/Modelplane.Server/release/modelplane-function.dll"
	$(MAKE) --no-print-directory bench-wire

bench-wire: publish
	client=$$(bash scripts/install-bench-deps.sh); \
	$(DOTNET) publish bench/Modelplane.EchoServer/Modelplane.EchoServer.csproj -c Release -r linux-x64 --nologo -v quiet -o artifacts/aot-echo -p:DebugSymbols=false; \
	$(DOTNET) build bench/Modelplane.Benchmarks -c Release --nologo -v quiet; \
	$(BENCH) wire-requests artifacts/bench/requests; \
	"$$client" -ours "$(CURDIR)/$(AOT_BINARY)" -floor "$(CURDIR)/$(ECHO_BINARY)" -peer "$(PEER)" -requests artifacts/bench/requests

format:
	$(DOTNET) format Modelplane.sln --verify-no-changes

clean:
	rm -rf artifacts

# The modelplane CLI (src/Modelplane.Render), built on first use; every README command runs through it.
# Its own artifacts path: `make publish` builds the same projects without debug symbols, and a
# shared output would make this build look for .pdb files that are not there.
MODELPLANE := $(DOTNET) run --project src/Modelplane.Render -c $(CONFIGURATION) --artifacts-path artifacts/cli --no-launch-profile --
PACKAGE_STREAM := artifacts/package/modelplane.yaml

# The README's main job: render the example fleet offline, as a healthy cluster would run it, and print the summary.
run:
	@$(MODELPLANE) render --fleet examples/fleet --assume-ready

# Runs the CLI with ARGS, e.g. make cli ARGS='render --fleet examples/fleet --assume-ready --format yaml'.
cli:
	@$(MODELPLANE) $(ARGS)

# Regenerates docs/reference/ (one page per XR) from package/apis/*/definition.yaml; refuses while a
# field has no description. ReferenceDocsTests fails when the pages drift from the XRDs.
docs:
	@$(MODELPLANE) docs --package package --out docs/reference

# Renders one example folder, e.g. make render EXAMPLE=examples/modelservices/weighted-canary; the
# Composition is package/apis/<plural>/composition.yaml, <plural> being the folder above the scenario.
render:
	@if [ -z "$(EXAMPLE)" ]; then echo "usage: make render EXAMPLE=examples/<plural>/<scenario>"; exit 2; fi
	@$(MODELPLANE) render $(EXAMPLE)/xr.yaml package/apis/$(notdir $(patsubst %/,%,$(dir $(patsubst %/,%,$(EXAMPLE)))))/composition.yaml \
	  $(if $(wildcard $(EXAMPLE)/required.yaml),--required-resources $(EXAMPLE)/required.yaml) \
	  $(if $(wildcard $(EXAMPLE)/observed.yaml),--observed-resources $(EXAMPLE)/observed.yaml) -r

# Where the packages go. REGISTRY is the one knob: the image, the Function package
# ($(REGISTRY)/function-modelplane), the Configuration ($(REGISTRY)/modelplane), the Function's
# dependency in the Configuration and every Composition's functionRef.name all follow it
# (docs/installing.md). The default is the package as written, which nobody can push to: set yours.
REGISTRY ?= xpkg.crossplane.io/modelplane
VERSION ?= v0.1.0
PLATFORMS := linux/amd64 linux/arm64
CROSSPLANE ?= crossplane
DOCKER ?= docker
XPKG_DIR := artifacts/xpkg
STAGE_DIR := artifacts/package/configuration
IMAGE := $(REGISTRY)/function-modelplane-runtime:$(VERSION)

# Lints both packages, stages the Configuration for REGISTRY/VERSION, then builds the xpkgs into
# artifacts/xpkg/ with the crossplane CLI: one Function package per platform (each embedding that
# platform's runtime image from `make image`) and the Configuration. Without the crossplane CLI it
# says so and prints the commands.
package:
	@$(MODELPLANE) package lint package --function function-package
	@$(MODELPLANE) package build package --output $(PACKAGE_STREAM) --registry $(REGISTRY) --version $(VERSION) --stage $(STAGE_DIR)
	@mkdir -p $(XPKG_DIR) artifacts/xpkg-no-examples
	@cmds=( "$(CROSSPLANE) xpkg build --package-root=$(STAGE_DIR) --examples-root=artifacts/xpkg-no-examples --package-file=$(XPKG_DIR)/modelplane-$(VERSION).xpkg" ); \
	for p in $(PLATFORMS); do a=$${p#linux/}; \
	  cmds+=( "$(CROSSPLANE) xpkg build --package-root=function-package --examples-root=artifacts/xpkg-no-examples --embed-runtime-image-tarball=artifacts/image/runtime-$$a.tar --package-file=$(XPKG_DIR)/function-modelplane-$(VERSION)-$$a.xpkg" ); done; \
	if command -v $(CROSSPLANE) >/dev/null 2>&1; then \
	  for c in "$${cmds[@]}"; do echo "+ $$c"; if [[ "$$c" == *runtime-*.tar* && ! -f "$$(echo "$$c" | sed -E 's/.*--embed-runtime-image-tarball=([^ ]+).*/\1/')" ]]; then echo "skipped: its runtime image tarball is missing; run make image first"; continue; fi; eval "$$c"; done; \
	else \
	  echo "The crossplane CLI is not installed (https://docs.crossplane.io/latest/cli/); the package roots are staged. Build the xpkgs with:"; \
	  for c in "$${cmds[@]}"; do echo "  $$c"; done; \
	fi

# Pushes both packages to REGISTRY: the per-platform Function packages as one multi-arch index, then the
# Configuration. Prints the exact commands when the crossplane CLI is missing.
push:
	@cmds=( "$(CROSSPLANE) xpkg push --package-files=$$(echo $(foreach p,$(PLATFORMS),$(XPKG_DIR)/function-modelplane-$(VERSION)-$(notdir $(p)).xpkg) | tr ' ' ',') $(REGISTRY)/function-modelplane:$(VERSION)" \
	        "$(CROSSPLANE) xpkg push --package-files=$(XPKG_DIR)/modelplane-$(VERSION).xpkg $(REGISTRY)/modelplane:$(VERSION)" ); \
	if command -v $(CROSSPLANE) >/dev/null 2>&1; then \
	  for c in "$${cmds[@]}"; do echo "+ $$c"; eval "$$c"; done; \
	else \
	  echo "The crossplane CLI is not installed; after make image and make package, push with:"; \
	  for c in "$${cmds[@]}"; do echo "  $$c"; done; \
	fi

# The function runtime image for every platform, one OCI tarball each under artifacts/image/ (what
# `make package` embeds), built by docker buildx; NativeAOT cross-compiles, so no emulation is needed.
image:
	@if ! command -v $(DOCKER) >/dev/null 2>&1 || ! $(DOCKER) buildx version >/dev/null 2>&1 || ! $(DOCKER) info >/dev/null 2>&1; then \
	  echo "make image needs Docker with buildx and a running engine, and this machine has none."; \
	  echo "Where Docker runs, it executes:"; \
	  for p in $(PLATFORMS); do echo "  $(DOCKER) buildx build --platform $$p --tag $(IMAGE) --output type=docker,dest=artifacts/image/runtime-$${p#linux/}.tar ."; done; \
	  exit 1; \
	fi
	@mkdir -p artifacts/image
	@for p in $(PLATFORMS); do \
	  echo "+ $(DOCKER) buildx build --platform $$p --tag $(IMAGE) --output type=docker,dest=artifacts/image/runtime-$${p#linux/}.tar ."; \
	  $(DOCKER) buildx build --platform $$p --tag $(IMAGE) --output type=docker,dest=artifacts/image/runtime-$${p#linux/}.tar . ; \
	done
