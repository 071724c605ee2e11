#!/usr/bin/env bash
# The project's whole test suite: the README's test command and the only thing .ci/run calls.
# It installs and starts what the tests need, so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

export CI="${CI:-}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

# Peers. moto (AWS) ships in the machine image's Python; the tests start moto_server themselves
# and fail, never skip, when it is missing.
if ! command -v moto_server >/dev/null 2>&1; then
  echo "test.sh: moto_server not found on PATH; the AWS tests need moto 5.2.1 (python3 -m pip install 'moto[server]==5.2.1')" >&2
  exit 1
fi

# ---- peers: sources of truth (issue 5) -------------------------------------------------------
# OpenLDAP slapd, Samba AD DC (apt) and the SCIM server (npm ci from its lock file), for
# collector/ldap, collector/scim and internal/testpeer. The script installs only what is missing
# and is quick when all is there; the tests start the peers themselves on 127.0.0.1 (Samba
# needs root and port 389) and fail, never skip, when one cannot start.
echo "== peers"
bash scripts/peers/install.sh
bash scripts/peers/chromium.sh  # chromium: Debian's browser for the reports package's browser tests
# ---- end peers --------------------------------------------------------------------------------

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt wants changes in:" >&2
  echo "$unformatted" >&2
  exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test -race"
go test -race -timeout 30m ./...

bash scripts/fuzz.sh  # ---- fuzz (issue 12): every Fuzz target for 3s (FUZZTIME), after the unit tests; fails on a crash
