#!/usr/bin/env bash
# Start one moto server for a whole test run and print the line that points the tests at it:
#
#   eval "$(scripts/start-moto.sh)"   # exports PROVOST_MOTO_URL and MOTO_PID
#   go test ./...
#   kill "$MOTO_PID"
#
# Without PROVOST_MOTO_URL each test binary that needs moto starts its own (internal/testpeer).
# moto 5.2.1 must be installed (`pip install 'moto[server]==5.2.1'`); AWS managed policies are
# loaded so that tests can attach them.
set -euo pipefail

port="${MOTO_PORT:-5055}"
log="${MOTO_LOG:-/tmp/provost-moto-${port}.log}"
command -v moto_server >/dev/null || { echo "start-moto: moto_server not found on PATH" >&2; exit 1; }

MOTO_IAM_LOAD_MANAGED_POLICIES=true nohup moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  if curl -fsS -X POST "http://127.0.0.1:${port}/moto-api/reset" >/dev/null 2>&1; then
    echo "export PROVOST_MOTO_URL=http://127.0.0.1:${port} MOTO_PID=${pid}"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { echo "start-moto: moto_server exited; see $log" >&2; exit 1; }
  sleep 0.2
done
kill "$pid" 2>/dev/null || true
echo "start-moto: moto_server did not answer on port ${port} within 60s; see $log" >&2
exit 1
