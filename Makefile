# The attestation system: `make run` runs it locally, `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BUILD_DIR := .aws-sam/build
ASL       := statemachine/attestation.asl.json
ASL_VALIDATOR := infra/node_modules/.bin/asl-validator

.PHONY: help run test unit vet tidy staticcheck lint lint-template lint-asl build bench prereq clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

prereq: ## check the tools the project needs, naming what to install
	@command -v $(GO) >/dev/null || { echo "missing: Go 1.26 (https://go.dev/dl)"; exit 1; }
	@command -v python3 >/dev/null || { echo "missing: python3 with moto[server]==5.2.1 and cfn-lint"; exit 1; }
	@v=$$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null) || { echo "missing: moto for $$(command -v python3): install moto[server]==5.2.1"; exit 1; }; \
	  [ "$$v" = "5.2.1" ] || { echo "moto $$v found: install moto[server]==5.2.1 (the launcher patches that version exactly)"; exit 1; }

run: prereq ## run the whole system locally (HTTP API :3000, Lambda :3001, moto :5000); Ctrl-C stops it
	@mkdir -p build
	@$(GO) build -o build/local ./infra/local
	@exec ./build/local $(RUN_ARGS)

.PHONY: demo
demo: ## with 'make run' running (second terminal): a case from an empty system to a certificate and a recall, one line per step, files in build/demo/; about 10 seconds (DEMO_ARGS=-api http://127.0.0.1:PORT)
	@$(GO) run ./infra/demo $(DEMO_ARGS)

test: tidy vet staticcheck lint unit ## everything CI runs: go.mod tidy, vet, staticcheck, cfn-lint, asl-validator, unit and end-to-end tests

tidy: ## fail if go mod tidy would change go.mod or go.sum (prints the diff)
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result"; exit 1; }

staticcheck: ## staticcheck, pinned as a tool in go.mod
	$(GO) tool staticcheck ./...

vet: ## go vet and gofmt
	$(GO) vet ./...
	@test -z "$$(gofmt -l functions internal infra)" || { echo "not gofmt-formatted:"; gofmt -l functions internal infra; exit 1; }

unit: prereq ## Go tests, with the race detector (the end-to-end tests start their own local stack)
	$(GO) test -race -count=1 -timeout 30m ./...

lint: lint-template lint-asl

lint-template: ## cfn-lint on template.yaml
	@command -v cfn-lint >/dev/null || { echo "missing: cfn-lint (pip install cfn-lint)"; exit 1; }
	cfn-lint template.yaml

$(ASL_VALIDATOR): infra/package.json infra/package-lock.json
	@command -v npm >/dev/null || { echo "missing: Node.js 20 with npm"; exit 1; }
	npm ci --prefix infra --no-audit --no-fund --loglevel=error
	@touch $@

asl: ; @$(GO) run ./infra/aslgen ## write statemachine/attestation.asl.json from statemachine/attestation.src.yaml

.PHONY: diagram
diagram: ## write docs/statemachine.md (the state machine as a Mermaid flowchart) from the ASL definition
	@$(GO) run ./infra/aslgen -diagram docs/statemachine.md

lint-asl: $(ASL_VALIDATOR) ## asl-validator on the state machine definition
	$(ASL_VALIDATOR) --json-path $(ASL)

# The functions by their template.yaml logical ID and their directory under functions/. sam build
# (Metadata BuildMethod: makefile) runs build-<LogicalId> with ARTIFACTS_DIR set; make build runs the
# same targets into .aws-sam/build/<LogicalId>/, so both build the same binaries (internal/samtemplate
# tests check the targets against the template with make -n).
LAMBDAS := ApiFunction=api RegisterApplicationFunction=register-application OpenStepFunction=open-step \
  CloseCaseFunction=close-case CaseNeedsAttentionFunction=case-needs-attention \
  IssueCertificateFunction=issue-certificate DeadlineCheckFunction=deadline-check
LAMBDA_IDS := $(foreach l,$(LAMBDAS),$(firstword $(subst =, ,$(l))))
lambda_dir = $(lastword $(subst =, ,$(filter $(1)=%,$(LAMBDAS))))
.PHONY: $(addprefix build-,$(LAMBDA_IDS))

build: $(addprefix build-,$(LAMBDA_IDS)) ## build every function's arm64 bootstrap as sam build does (.aws-sam/build/<LogicalId>/bootstrap)

$(addprefix build-,$(LAMBDA_IDS)): build-%:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' \
	  -o $(or $(ARTIFACTS_DIR),$(BUILD_DIR)/$*)/bootstrap ./functions/$(call lambda_dir,$*)

bench: ## benchmarks (speed and memory are measured here, never asserted in tests)
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf build $(BUILD_DIR) infra/node_modules
