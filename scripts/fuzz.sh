#!/usr/bin/env bash
# Runs every Fuzz target in the repository briefly (FUZZTIME each, default 3s), one at a time,
# and fails on the first crash. Targets are discovered with grep, so new ones are included.
# Longer runs: FUZZTIME=10m bash scripts/fuzz.sh, or one target:
#   go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime 10m ./config
# A crash leaves its input under the package's testdata/fuzz/<Target>/; commit it with the fix
# so that plain `go test` replays it from then on.
#
# Minimising a new interesting input may take up to -fuzzminimizetime (60s by default) with no
# fuzzing meanwhile, which left targets with large seeds (the credential report) at a few dozen
# executions in 3s; FUZZMINIMIZE (default 200x) bounds it. Go 1.26's fuzz coordinator can fail a
# target with a bare "context deadline exceeded" when -fuzztime ends while a worker is mid-input
# (golang/go#75804, fixed in Go 1.27); such a failure that wrote no failing input is run once more,
# and fails the script if it fails again.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== fuzz"
fuzztime="${FUZZTIME:-3s}"
minimize="${FUZZMINIMIZE:-200x}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# fuzz PKG NAME: one fuzzing run, its output also kept in $log.
fuzz() {
  go test -run '^$' -fuzz "^${2}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "$1" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}
targets=$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '^./vendor/' |
  sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|' | sort -u)
if [ -z "$targets" ]; then
  echo "fuzz.sh: no Fuzz targets found" >&2
  exit 1
fi
n=0
while read -r pkg name; do
  echo "-- $name ($pkg)"
  if ! fuzz "$pkg" "$name"; then
    if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
      echo "fuzz.sh: $name stopped at its deadline without a failing input (golang/go#75804); once more"
      if fuzz "$pkg" "$name"; then
        n=$((n + 1))
        continue
      fi
    fi
    echo "fuzz.sh: $name in $pkg failed; the crashing input, if any, is in $pkg/testdata/fuzz/$name/" >&2
    exit 1
  fi
  n=$((n + 1))
done <<<"$targets"
echo "fuzz.sh: $n targets, $fuzztime each, no crash"
