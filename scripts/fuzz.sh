#!/usr/bin/env bash
# Runs every Fuzz target in the repository briefly (FUZZTIME each, default 3s), one at a time,
# and fails on the first crash. Targets are discovered with grep, so new ones are included.
# Longer runs: FUZZTIME=10m bash scripts/fuzz.sh, or one target:
#   go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime 10m ./config
# A crash leaves its input under the package's testdata/fuzz/<Target>/; commit it with the fix
# so that plain `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== fuzz"
fuzztime="${FUZZTIME:-3s}"
targets=$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '^./vendor/' |
  sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|' | sort -u)
if [ -z "$targets" ]; then
  echo "fuzz.sh: no Fuzz targets found" >&2
  exit 1
fi
n=0
while read -r pkg name; do
  echo "-- $name ($pkg)"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"; then
    echo "fuzz.sh: $name in $pkg failed; the crashing input is in $pkg/testdata/fuzz/$name/" >&2
    exit 1
  fi
  n=$((n + 1))
done <<<"$targets"
echo "fuzz.sh: $n targets, $fuzztime each, no crash"
