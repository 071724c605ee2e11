# The README's two commands: `make demo` runs Provost end to end on the generated Acme Health
# organisation served by the sandbox on 127.0.0.1, `make test` runs every test (scripts/test.sh
# installs and starts what the tests need). `make bench` measures the end-to-end audit at 10k and
# 100k principals; `make bench-go` runs the package benchmarks once each.
.PHONY: demo test build bench bench-go

build:
	go build -o bin/provost ./cmd/provost

demo:
	go run ./cmd/provost demo

test:
	bash scripts/test.sh

bench:
	go run ./cmd/provost bench --scale 10000,100000

bench-go:
	go test -run '^$$' -bench . -benchtime 1x ./store/ ./collector/... ./policy/
