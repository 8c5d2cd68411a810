#!/usr/bin/env bash
# Time to the first map of the viewer (issue 7: "first map on screen in under 3 s on localhost"), run by
# `./napgeo bench viewer [RUNS]`. Loads the demo data into a database of its own, starts the API, and measures
# in Debian's headless Chromium: the viewer at / until MapLibre has drawn sites, against a floor — the same
# MapLibre build from the same server drawing an empty style. Cold browser caches every run (a new page each time).
set -euo pipefail
RUNS=${1:-5}
: "${NAPGEO_DB:?NAPGEO_DB must be set (./napgeo bench sets it)}" "${NAPGEO_API_DLL:?}" "${NAPGEO_APP_DIR:?}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
source "$HERE/../lib.sh"
DB=napgeo_bench_viewer
export NAPGEO_DB=$(conn_of "$DB")
API_PID=
cleanup() {
  [ -z "$API_PID" ] || { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null; } || true
  drop_db "$DB" || true
}
trap cleanup EXIT
drop_db "$DB"
psql -X -q -d "$BASE_DB" -c "CREATE DATABASE $DB TEMPLATE template1"
dotnet "$NAPGEO_API_DLL" demo load "$HERE/../../data" >&2
(cd "$HERE" && npm ci --no-audit --no-fund >/dev/null)
port=47100
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
(cd "$NAPGEO_APP_DIR" && Logging__LogLevel__Default=Warning exec dotnet "$NAPGEO_API_DLL" --urls "http://127.0.0.1:$port") >&2 &
API_PID=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
echo "bench viewer: $RUNS runs against http://127.0.0.1:$port (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
node "$HERE/first-map.mjs" "http://127.0.0.1:$port" "$RUNS"
