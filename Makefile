# The attestation system: `make run` runs it locally, `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BUILD_DIR := .aws-sam/build
ASL       := statemachine/attestation.asl.json
ASL_VALIDATOR := infra/node_modules/.bin/asl-validator

.PHONY: help run test check quick unit vet tidy staticcheck lint lint-template lint-asl asl build bench prereq prereq-run clean

# Every target has a "## what it does, what it costs" comment: make help lists them all.
help: ## list every target with what it costs (instant)
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/make \1: \2/'

prereq: ## check every tool the tests use, naming what to install on Debian/Ubuntu and macOS (a few seconds)
	@GO=$(GO) infra/prereq.sh test

prereq-run: ## check only what make run needs: Go and python3 with moto 5.2.1 (a few seconds)
	@GO=$(GO) infra/prereq.sh run

run: prereq-run ## the whole system locally (HTTP API :3000 with the web portal at :3000/app/, Lambda :3001, moto :3002), ready in seconds once built (the first build about a minute); Ctrl-C stops it
	@mkdir -p build
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory web; else echo "npm is not on PATH: the web portal is not built (the API runs without it)"; fi
	@$(GO) build -o build/local ./infra/local
	@exec ./build/local $(RUN_ARGS)

.PHONY: demo
demo: ## with 'make run' running (second terminal): a case from an empty system to a certificate and a recall, one line per step, files in build/demo/; about 10 seconds (DEMO_ARGS=-api http://127.0.0.1:PORT)
	@$(GO) run ./infra/demo $(DEMO_ARGS)

test: tidy ## every check CI runs: go.mod tidy, vet, staticcheck, cfn-lint, asl-validator, unit, end-to-end and browser tests (the packages' tests where they start goroutines, and E2E_RACE, with -race), about 5 minutes on 2 cores
	@# The static checks run beside the tests rather than before them: alone they kept the machine
	@# 60-70% busy for their 20 seconds. A failure of any of them fails make test at the end.
	@$(MAKE) --no-print-directory -j4 vet staticcheck lint unit

check: ## the quick loop: vet, gofmt, staticcheck and the unit tests without the end-to-end suites (API and browser) and without -race; packages unchanged since their last pass come from Go's test cache (seconds warm, about 2 minutes cold)
	$(GO) vet ./...
	@test -z "$$(gofmt -l functions internal infra)" || { echo "not gofmt-formatted:"; gofmt -l functions internal infra; exit 1; }
	$(GO) tool staticcheck ./...
	$(GO) test $$($(GO) list ./... | grep -v '/internal/e2e\(/.*\)\?$$')

quick: prereq-run ## the unit tests without the end-to-end suites (API and browser) and without -race, about 1.5 minutes (make test runs everything)
	$(GO) test -count=1 $$($(GO) list ./... | grep -v '/internal/e2e\(/.*\)\?$$')

tidy: ## fail if go mod tidy would change go.mod or go.sum, printing the diff (a few seconds)
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result"; exit 1; }

staticcheck: ## staticcheck, pinned as a tool in go.mod (about 1 minute the first time, seconds after)
	$(GO) tool staticcheck ./...

vet: ## go vet and gofmt (about 30 seconds)
	$(GO) vet ./...
	@test -z "$$(gofmt -l functions internal infra)" || { echo "not gofmt-formatted:"; gofmt -l functions internal infra; exit 1; }

unit: prereq web ## every Go test: the packages' own tests (with the race detector where their files start goroutines or use sync: infra/unit-packages.sh), the browser tests (they use the built portal) and the end-to-end suite in E2E_SHARDS processes (make e2e) without it, and the E2E_RACE tests with it, on a stack of their own; every benchmark runs once as a smoke test (its figures are not asserted); a few minutes
	@set +e; mkdir -p build; rm -f build/unit-*.rc; \
	  { GO=$(GO) infra/unit-packages.sh; echo $$? > build/unit-packages.rc; } & \
	  { GO=$(GO) $(GO) run ./infra/e2eshards -race -shards 1 -run '$(E2E_RACE)' -durations build/e2e-race-durations.json -slowest 0 > build/e2e-race.log 2>&1; echo $$? > build/unit-race.rc; } & \
	  { GO=$(GO) $(GO) run ./infra/e2eshards $(E2E_FLAGS) -shards $(E2E_SHARDS) -skip '$(E2E_RACE)' -bench .; echo $$? > build/unit-e2e.rc; } & \
	  until [ -e build/unit-packages.rc ] || [ -e build/unit-e2e.rc ] || [ -z "$$(jobs -pr)" ]; do sleep 1; done; \
	  $(GO) test -count=1 -timeout 30m -ldflags='-s -w' ./internal/e2e/portal/; portal=$$?; \
	  wait; echo "end-to-end tests with the race detector (E2E_RACE):"; cat build/e2e-race.log; \
	  test "$$(cat build/unit-packages.rc build/unit-race.rc build/unit-e2e.rc 2>/dev/null | tr -d '\n')" = 000 -a $$portal -eq 0

# How many local stacks (one moto each) the end-to-end suite runs on at once, and its build flags.
# The suite runs without the race detector (it doubled the suite's time: the handlers run in the
# test process); the packages' own tests run with it where their files start goroutines or use sync
# (infra/unit-packages.sh), and so do, on a stack of their own, the end-to-end tests that send
# requests or deliveries at the same time and the walk through the whole procedure (E2E_RACE), which
# the shards then leave out. The browser tests (internal/e2e/portal) run the same handlers in-process,
# without it too, as soon as the shards or the packages' tests are done, whichever ends first: beside
# both, five processes on two cores slowed everything (more CPU in all, not only more time); after the
# packages' tests alone, which use little more than one core, they ended make test a minute later.
E2E_SHARDS ?= 2
E2E_FLAGS ?=
E2E_RACE ?= ^(TestASecondPUTRacingConfirmIsNeverAttached|TestStd11ConcurrentComplaintsTakeConsecutiveNumbers|TestRepeatedCompletionChangesStateOnce|TestARepeatedFilingWithTheSameKeyCreatesOneCase|TestTransientFaultIsRetriedWithoutATrace|TestNotificationsPar17OncePerRecipient|TestDemoTellsTheREADMEStoryPar14ToPar29Par45)$$

.PHONY: e2e
e2e: prereq ## the end-to-end suite (E2E_FLAGS=-race for the race detector), its tests dealt out to E2E_SHARDS processes with a local stack each (consecutive stretches, balanced by build/e2e-durations.json); prints the slowest tests; about 5 minutes on 2 cores alone
	@GO=$(GO) $(GO) run ./infra/e2eshards $(E2E_FLAGS) -shards $(E2E_SHARDS)

lint: lint-template lint-asl ## cfn-lint and asl-validator (about 20 seconds; the first asl-validator install longer)

lint-template: ## cfn-lint on template.yaml (about 10 seconds)
	@command -v cfn-lint >/dev/null || { echo "missing: cfn-lint (pip install cfn-lint)"; exit 1; }
	cfn-lint template.yaml

$(ASL_VALIDATOR): infra/package.json infra/package-lock.json
	@command -v npm >/dev/null || { echo "missing: Node.js 20 with npm"; exit 1; }
	npm ci --prefix infra --no-audit --no-fund --loglevel=error
	@touch $@

asl: ## write statemachine/attestation.asl.json from statemachine/attestation.src.yaml (seconds)
	@$(GO) run ./infra/aslgen

.PHONY: diagram
diagram: ## write docs/statemachine.md (the state machine as a Mermaid flowchart) from the ASL definition (seconds)
	@$(GO) run ./infra/aslgen -diagram docs/statemachine.md

lint-asl: $(ASL_VALIDATOR) ## asl-validator on the state machine definition (seconds; npm ci the first time)
	$(ASL_VALIDATOR) --json-path $(ASL)

# The functions by their template.yaml logical ID and their directory under functions/. sam build
# (Metadata BuildMethod: makefile) runs build-<LogicalId> with ARTIFACTS_DIR set; make build runs the
# same targets into .aws-sam/build/<LogicalId>/, so both build the same binaries (internal/samtemplate
# tests check the targets against the template with make -n).
LAMBDAS := ApiFunction=api RegisterApplicationFunction=register-application OpenStepFunction=open-step \
  CloseCaseFunction=close-case CaseNeedsAttentionFunction=case-needs-attention \
  IssueCertificateFunction=issue-certificate DeadlineCheckFunction=deadline-check NotifyFunction=notify
LAMBDA_IDS := $(foreach l,$(LAMBDAS),$(firstword $(subst =, ,$(l))))
lambda_dir = $(lastword $(subst =, ,$(filter $(1)=%,$(LAMBDAS))))
.PHONY: $(addprefix build-,$(LAMBDA_IDS))

build: $(addprefix build-,$(LAMBDA_IDS)) ## build every function's arm64 bootstrap as sam build does, into .aws-sam/build/<LogicalId>/bootstrap (about 1 minute)

$(addprefix build-,$(LAMBDA_IDS)): build-%:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' \
	  -o $(or $(ARTIFACTS_DIR),$(BUILD_DIR)/$*)/bootstrap ./functions/$(call lambda_dir,$*)

bench: ## benchmarks and cold starts, written to docs/benchmarks.md: speed and memory are measured here, never asserted in tests (about 10 minutes)
	@mkdir -p build
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./... | tee build/bench.txt
	$(GO) run ./infra/coldstart -markdown build/coldstart.md
	$(GO) run ./infra/benchdoc build/bench.txt build/coldstart.md docs/benchmarks.md

# The web portal (web/): npm ci from web/package-lock.json, then the build (the API types checked
# against openapi.yaml, strict TypeScript, esbuild) into build/web, which the local stack serves at /app/.
.PHONY: web web-types web-deploy
WEB_OUT := build/web
WEB_SRC := $(shell find web/src -type f 2>/dev/null) web/index.html web/build.mjs web/tsconfig.json internal/httpapi/openapi.yaml

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "missing: Node.js 20 with npm"; exit 1; }
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_OUT)/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && OUT_DIR=../$(WEB_OUT) npm run --silent build

web: $(WEB_OUT)/index.html ## the web portal into build/web: npm ci the first time, API types checked against openapi.yaml, type-check, bundle (about 20 seconds; nothing when unchanged)

web-types: web/node_modules/.package-lock.json ## regenerate web/src/api/schema.d.ts from openapi.yaml and web/src/generated/calendar.json from internal/calendar (seconds)
	npm --prefix web run --silent gen
	$(GO) run ./infra/webcal

web-deploy: web ## upload build/web and its config.json to a deployed stack's portal bucket and refresh CloudFront (STACK=name; needs the aws CLI; seconds)
	infra/web-deploy.sh $(or $(STACK),attestation) $(WEB_OUT)

clean: ## remove build/, .aws-sam/build, infra/node_modules and web/node_modules (instant)
	rm -rf build $(BUILD_DIR) infra/node_modules web/node_modules
