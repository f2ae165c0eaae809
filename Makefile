# ciiguard — make test installs what the tests need (Debian packages) and runs every test,
# the PostgreSQL store tests against a throwaway cluster on loopback and the browser tests
# in headless Chromium, the vault's object-storage tests against a MinIO on loopback.

GO ?= go
STATICCHECK_VERSION ?= v0.8.2
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)
# MinIO, the S3 server with Object Lock that the vault's object-storage tests run against;
# scripts/install-test-deps.sh builds it into $(go env GOPATH)/bin when it is missing.
MINIO ?= $(shell command -v minio 2>/dev/null || echo $$($(GO) env GOPATH)/bin/minio)

.PHONY: test deps check build bench fuzz

# -vet=off: check has just run the whole of go vet over the same packages, tests included;
# go test would otherwise run a subset of it again for every package.
test: deps check
	./scripts/with-postgres.sh env CIIGUARD_TEST_CHROMIUM=$(CHROMIUM) CIIGUARD_TEST_MINIO=$(MINIO) \
		$(GO) test -count=1 -vet=off -timeout 20m ./...

deps:
	./scripts/install-test-deps.sh

check:
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

build:
	$(GO) build -o ciiguard ./cmd/ciiguard

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
