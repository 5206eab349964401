#!/usr/bin/env bash
# The newcomer's demo: the backend on its embedded defaults (HTTP 127.0.0.1:8080, MQTT 127.0.0.1:1883, state in
# DeviceGateway/data) and 50 simulated lock controllers — the real firmware on simulated GPIO and GNSS — riding
# against it for a minute with a few faults. Extra arguments go to the simulator (in place of the demo's own),
# e.g. ./scripts/demo.sh --devices 20 --duration 120 --report report.json
# The backend keeps running after the simulator ends until Ctrl+C, so its API can be explored (the admin key is in
# DeviceGateway/data/admin.key).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build DeviceGateway/DeviceGateway.csproj -v quiet -nologo
dotnet build Firmware.Simulator/Firmware.Simulator.csproj -v quiet -nologo

(cd DeviceGateway && exec dotnet bin/Debug/net10.0/DeviceGateway.dll --Logging:LogLevel:Default=Warning) &
backend=$!
trap 'kill "$backend" 2>/dev/null; wait "$backend" 2>/dev/null || true' EXIT

for _ in $(seq 1 60); do
  curl -fs http://127.0.0.1:8080/health >/dev/null 2>&1 && break
  kill -0 "$backend" 2>/dev/null || { echo "demo.sh: the backend did not start (is port 8080 or 1883 taken?)" >&2; exit 1; }
  sleep 0.5
done
curl -fs http://127.0.0.1:8080/health >/dev/null || { echo "demo.sh: the backend is not healthy" >&2; exit 1; }
key=$(cat DeviceGateway/data/admin.key)

# The demo's settings, each unless given on the command line.
args=()
given() { local o; for o in "${@:2}"; do [ "$o" = "$1" ] && return 0; done; return 1; }
given --api "$@" || args+=(--api http://127.0.0.1:8080)
given --broker "$@" || args+=(--broker 127.0.0.1:1883)
given --api-key "$@" || args+=(--api-key "$key")
given --devices "$@" || args+=(--devices 50)
given --duration "$@" || args+=(--duration 60)
given --faults "$@" || args+=(--faults drop-ack=0.02,duplicate-ack=0.02,jam=0.02,garbage-nmea=0.01,disconnect=0.005)
dotnet Firmware.Simulator/bin/Debug/net10.0/Firmware.Simulator.dll "${args[@]}" "$@"

echo "demo.sh: the backend is still running on http://127.0.0.1:8080 (admin key in DeviceGateway/data/admin.key); Ctrl+C stops it"
echo "  curl -s 'http://127.0.0.1:8080/api/fleet?online=true' -H \"X-Api-Key: \$(cat DeviceGateway/data/admin.key)\""
wait "$backend"
