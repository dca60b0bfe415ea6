# provision: build, run and test the Go workspace. `make help` lists the targets.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO  ?= go
BIN := bin

# Every module listed in go.work, as ./<dir>. The workspace root is not a module, so `./...`
# matches nothing here: each module's packages are named as ./<dir>/...
MODULES  := $(patsubst $(CURDIR)/%,./%,$(shell $(GO) list -m -f '{{.Dir}}'))
PACKAGES := $(addsuffix /...,$(MODULES))
# Services with a main package; a provider whose service is not wired yet has none.
SERVICES := $(patsubst %/main.go,./%,$(wildcard services/*/main.go))

TEST_FLAGS ?= -count=1 -timeout 14m -p 2
BENCH      ?= .

.PHONY: help build run test lint fmt generate bench tidy tools up down clean modules

help: ## List the targets
	@echo "Targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: modules ## Build every service and the local stack into bin/
	$(GO) build -o $(BIN)/ $(SERVICES) ./pkg/cmd/localstack

run: build ## Run the whole system locally, no Docker (Ctrl-C stops it; data in .data/)
	./$(BIN)/localstack -bin ./$(BIN) -data ./.data

test: lint ## Lint, then run the tests of every module
	$(GO) test $(TEST_FLAGS) $(PACKAGES)

lint: modules $(BIN)/staticcheck ## Check formatting, go vet and staticcheck over every module
	@unformatted="$$(gofmt -l $(MODULES))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt: not formatted (run make fmt):"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PACKAGES)
	$(BIN)/staticcheck $(PACKAGES)

fmt: modules ## Format the Go files of every module
	gofmt -w $(MODULES)

# The events module's tests fail when the generated file is stale.
generate: modules ## Generate events/asyncapi.yaml from the events catalog
	$(GO) run ./events/cmd/asyncapi -o events/asyncapi.yaml

# One package at a time, so benchmarks don't compete for the cores; their temporary files stay
# in .cache/ (ignored by git).
bench: modules ## Run the benchmarks of every module, one package at a time (BENCH=regexp)
	@mkdir -p .cache/tmp
	TMPDIR="$(CURDIR)/.cache/tmp" $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count=1 -p 1 -timeout 30m $(PACKAGES)

tidy: modules ## Run go mod tidy in every module
	@for m in $(MODULES); do echo "tidy $$m"; (cd "$$m" && $(GO) mod tidy); done

tools: ## Install the pinned tools (staticcheck) into bin/
	bash scripts/install-tools.sh

$(BIN)/staticcheck: scripts/install-tools.sh
	bash scripts/install-tools.sh

up: ## Run the system in Docker with real Kafka (KRaft) and MongoDB (needs a Docker engine)
	docker compose up --build --detach --wait

down: ## Stop the Docker system (its volumes stay; docker compose down -v drops them)
	docker compose down

clean: ## Remove bin/ (binaries and tools), .data/ (local stack data) and .cache/
	rm -rf $(BIN) .data .cache

modules:
	@test -n "$(MODULES)" || { echo "no workspace modules: go list -m failed"; exit 1; }
