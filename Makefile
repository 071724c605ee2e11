# The README's two commands: `make demo` runs Provost on its embedded example, `make test` runs
# every test (scripts/test.sh installs and starts what the tests need).
.PHONY: demo test build bench

build:
	go build -o bin/provost ./cmd/provost

demo:
	go run ./cmd/provost demo

test:
	bash scripts/test.sh

bench:
	go test -run '^$$' -bench . -benchtime 1x ./store/ ./collector/... ./policy/
