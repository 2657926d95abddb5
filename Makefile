# mmoauth: every target needs only Go; tools are fetched by `go run` at pinned versions.
GO            ?= go
GOLANGCI_LINT := $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
FUZZTIME      ?= 10s

.PHONY: run test vet lint unit test-live bench fuzz mock

## run: the conformance suite against the embedded mock server (no server needed)
run:
	$(GO) run ./cmd/mmoauth conformance

## test: vet, lint and the whole test suite with the race detector
test: vet lint unit

vet:
	$(GO) vet ./...

lint:
	$(GOLANGCI_LINT) run --build-tags live ./...

unit:
	$(GO) test -race -count=1 ./...

## test-live: the live tests against the server MMOAUTH_LIVE_URL with the
## identities of the token file MMOAUTH_LIVE_TOKENS (admin=, manager=,
## manager2=, user=): the whole catalogue at concurrency 1 and 4, every client
## method as every identity, the examples (discovery, DCR, PKCE) end to end.
## MMOAUTH_LIVE_MAY_CONFIGURE=1 lets them switch settings (and restore them).
test-live:
	$(GO) test -tags live -race -count=1 -run Live ./internal/live ./client

## bench: client overhead, mock throughput, store scale, suite wall time and
## Stoplight Prism (npm, temp folder) in one table; see docs/BENCHMARKS.md.
## BENCHFLAGS=-quick for a rough run, BENCHFLAGS='-only client,scale' for some.
bench:
	GO='$(GO)' $(GO) run ./internal/benchcmd $(BENCHFLAGS)

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## mock: serve the mock Mattermost on 127.0.0.1:8065
mock:
	$(GO) run ./cmd/mmoauth mock
