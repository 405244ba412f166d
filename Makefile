# monotable: build, test, benchmark and run locally.
GO      ?= go
FUZZTIME ?= 30s

.PHONY: all test vet run local bench bench-http fuzz build clean

all: test

## test: vet, then every test with the race detector (what CI runs).
test: vet
	$(GO) test -race -count=1 ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

## run: the SAM app of template.yaml on this machine, without Docker: builds
## the functions, serves the HTTP API on 127.0.0.1:3000, the table's stream to
## its consumer, and the in-memory DynamoDB on 127.0.0.1:8000
## (monotable start-api --help).
run:
	$(GO) run ./cmd/monotable start-api

## local: the in-memory DynamoDB endpoint on 127.0.0.1:8000. Pass flags in
## LOCAL_FLAGS, e.g. make local LOCAL_FLAGS='--data .monotable --debug'
## (monotable local --help lists them).
LOCAL_FLAGS ?=
local:
	$(GO) run ./cmd/monotable local $(LOCAL_FLAGS)

## bench: every layer against its peers, in one run (see BENCHMARKS.md).
bench:
	$(GO) run ./internal/bench/cmd/benchsuite -out BENCHMARKS.md
	$(GO) run ./internal/bench/cmd/httpbench -out BENCHMARKS.md
	$(GO) run ./internal/bench/cmd/layerbench -out BENCHMARKS.md
	$(GO) run ./internal/samlocal/localbench -out BENCHMARKS.md

## bench-http: the endpoint against dynalite over loopback HTTP (needs node and npm).
bench-http:
	$(GO) run ./internal/bench/cmd/httpbench -out BENCHMARKS.md

## fuzz: run every fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list='^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## build: the CLI into bin/.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o bin/monotable ./cmd/monotable

clean:
	rm -rf bin

## Lambda functions of template.yaml (the examples). sam build runs
## `make build-<LogicalId>` with ARTIFACTS_DIR set (Metadata: BuildMethod:
## makefile); without it a function lands in bin/lambda/<LogicalId>/.
## Each is a static linux/arm64 binary named bootstrap, for provided.al2023.
.PHONY: build-functions build-SessionsFunction build-SessionAuditFunction build-LeaderboardFunction

LAMBDA_FUNCTIONS := SessionsFunction SessionAuditFunction LeaderboardFunction
LAMBDA_GOFLAGS   := -tags lambda.norpc -trimpath -ldflags='-s -w'
lambda_out        = $(or $(ARTIFACTS_DIR),bin/lambda/$(@:build-%=%))
lambda_build      = CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_GOFLAGS) -o $(lambda_out)/bootstrap

## build (continued): every Lambda function too, into bin/lambda/.
build: build-functions

build-functions: $(addprefix build-,$(LAMBDA_FUNCTIONS))

build-SessionsFunction:
	$(lambda_build) ./examples/sessions/cmd/sessions

build-SessionAuditFunction:
	$(lambda_build) ./examples/sessions/cmd/audit

build-LeaderboardFunction:
	$(lambda_build) ./examples/leaderboard/cmd/leaderboard
