#!/usr/bin/env bash
# Runs every test of IoTPlatform on a fresh Debian machine with the .NET SDK.
# First installs what the tests need and is missing (only that: Debian packages for the real servers
# and clients the integration tests start themselves), without leaving a packaged service running.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(mosquitto mosquitto-clients influxdb socat)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local missing=()
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "test.sh: installing ${missing[*]}"
  # policy-rc.d 101 keeps the packages' init scripts from starting their services: the tests start
  # their own servers on free loopback ports with temporary directories.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    created=1
  fi
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created" -eq 1 ] && as_root rm -f "$policy"
  for service in mosquitto influxdb; do
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      as_root systemctl disable --now "$service" >/dev/null 2>&1 || true
    fi
    as_root service "$service" stop >/dev/null 2>&1 || true
  done
}

if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

install_missing

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test IoTPlatform.sln --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for every test project together.
awk '/(Passed|Failed)! +- Failed: /{
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
