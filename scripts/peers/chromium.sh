#!/usr/bin/env bash
# Installs Debian's chromium for the reports package's browser test (reports/browser_test.go).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root and Debian's apt.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: chromium is missing and apt-get is not available; install Debian's chromium package" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "chromium.sh: apt-get installed chromium but it is not on PATH" >&2; exit 1; }
