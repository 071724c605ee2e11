#!/usr/bin/env bash
# Install the directory peers the sources-of-truth tests run against, if they are missing:
#
#   - OpenLDAP slapd and ldap-utils (collector/ldap, internal/testpeer.LDAP)
#   - Samba as an Active Directory DC: samba-ad-dc and samba-ad-provision (testpeer.Samba)
#   - the SCIM server's npm packages, from scripts/peers/scim-server/package-lock.json
#     (scimmy, scimmy-routers, express; testpeer.SCIM)
#
# It is idempotent and quick when everything is there (no apt or npm call at all), so the test
# command runs it every time. apt needs root; only Debian apt and npm need to be reachable.
# The peers are started by the tests themselves (internal/testpeer), never by this script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

apt_packages=(slapd ldap-utils samba-ad-dc samba-ad-provision)
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "peers/install: ${missing[*]} missing and not root; run: sudo $0" >&2
    exit 1
  fi
  echo "peers/install: installing ${missing[*]}"
  start=$(date +%s)
  export DEBIAN_FRONTEND=noninteractive
  # slapd must not build a configuration or start a server of its own: the tests generate
  # their own slapd.conf and Samba needs port 389.
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  apt-get update -qq
  # samba-ad-provision is only recommended by samba-ad-dc, and provisioning needs it.
  apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "peers/install: apt took $(( $(date +%s) - start ))s"
fi

# The SCIM server's node_modules, re-installed whenever the lock file changes.
scim="$here/scim-server"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "peers/install: node and npm are required for the SCIM server (apt-get install nodejs npm)" >&2
  exit 1
fi
lock_sum=$(sha256sum "$scim/package-lock.json" | cut -d' ' -f1)
stamp="$scim/node_modules/.provost-lock-sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "peers/install: npm ci in $scim"
  (cd "$scim" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" > "$stamp"
fi
