#!/usr/bin/env bash
# bench/tiles: vector tile throughput, run by `./napgeo bench tiles [options]` (see bench/tiles.md).
# Loads a generated data set into database napgeo_bench (next to the one ./napgeo uses), then measures on
# loopback with the same concurrency: (a) the tile SQL with pgbench (the floor), (b) cold tiles through the
# API (cache off), (c) warm tiles (all cached), (d) a bare endpoint returning a fixed byte array (the ceiling).
# Also checks the size of every z0-z6 tile. Results: stdout and bench/results/.
#   --sites N (50000)  --samples N (1000000)  --zoom Z (12)  --duration S (20)  --connections C (8)
set -euo pipefail
SITES=50000 SAMPLES=1000000 ZOOM=12 DURATION=20 CONNECTIONS=8 THREADS=2 PORT=${NAPGEO_BENCH_PORT:-55990}
while [ $# -gt 0 ]; do
  case "$1" in
    --sites) SITES=$2; shift 2 ;; --samples) SAMPLES=$2; shift 2 ;; --zoom) ZOOM=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;; --connections) CONNECTIONS=$2; shift 2 ;;
    *) echo "bench tiles: unknown option $1" >&2; exit 2 ;;
  esac
done
: "${NAPGEO_DB:?NAPGEO_DB must be set (./napgeo bench sets it)}" "${NAPGEO_API_DLL:?}" "${NAPGEO_APP_DIR:?}"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/../results/tiles-$(date -u +%Y%m%dT%H%M%S)"; mkdir -p "$OUT"
log() { printf 'bench tiles: %s\n' "$*" >&2; }
source "$HERE/../lib.sh"
DB=napgeo_bench
BENCH_CONN=$(conn_of "$DB")
app() { NAPGEO_DB="$BENCH_CONN" ASPNETCORE_CONTENTROOT="$NAPGEO_APP_DIR" dotnet "$NAPGEO_API_DLL" "$@"; }

# ---------------------------------------------------------------- data
if [ -z "$(psql -X -At -d "$BASE_DB" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  psql -X -q -d "$BASE_DB" -c "CREATE DATABASE $DB TEMPLATE template1"
fi
app migrate >/dev/null
have=$(psql -X -At -d "$DB" -c "SELECT (SELECT count(*) FROM sites) || ' ' || (SELECT count(*) FROM samples)")
if [ "$have" != "$SITES $SAMPLES" ]; then
  log "generating $SITES sites and $SAMPLES samples (have: $have)"
  start=$(date +%s)
  psql -X -q -d "$DB" -v sites="$SITES" -v samples="$SAMPLES" -f "$HERE/generate.sql"
  log "generated in $(( $(date +%s) - start )) s"
else
  log "reusing $SITES sites and $SAMPLES samples in $DB"
fi

# A 16 x 16 window of zoom-$ZOOM tiles in the middle of the data (Ghana's extent): the same tiles for every run.
read -r X0 Y0 <<<"$(awk -v z="$ZOOM" 'BEGIN { pi = atan2(0, -1); n = 2 ^ z; lon = -1.05; lat = 7.95; r = lat * pi / 180;
  x = int((lon + 180) / 360 * n); y = int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * n); print x - 8, y - 8 }')"
X1=$((X0 + 15)) Y1=$((Y0 + 15))
export Z=$ZOOM X0 X1 Y0 Y1
log "tiles: z$ZOOM x $X0-$X1 y $Y0-$Y1; $CONNECTIONS connections, $THREADS threads, ${DURATION}s per run"

# ---------------------------------------------------------------- (a) pgbench: the same statement the API runs
{
  echo "\\set z $ZOOM"
  echo "\\set x random($X0, $X1)"
  echo "\\set y random($Y0, $Y1)"
  app tiles sql --layer napgeo --zoom "$ZOOM" | sed -e 's/--.*$//' \
    -e 's/\$10/NULL/g; s/\$9/NULL/g; s/\$1/:z/g; s/\$2/:x/g; s/\$3/:y/g; s/\$4/NULL/g; s/\$5/NULL/g; s/\$6/NULL/g; s/\$7/NULL/g; s/\$8/NULL/g' | tr '\n' ' '
  echo ";"
} >"$OUT/tile.pgbench"
log "(a) pgbench"
(cd "$OUT" && pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f tile.pgbench -l --log-prefix=pgbench "$DB" >pgbench.txt 2>&1) \
  || { cat "$OUT/pgbench.txt" >&2; exit 1; }
A_RPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/pgbench.txt" | head -n 1)
read -r A_P50 A_P99 <<<"$(cat "$OUT"/pgbench.*[0-9] | awk '{print $3 / 1000}' | sort -n | awk '{v[NR] = $1} END {print v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1]}')"

# ---------------------------------------------------------------- the API
SERVER_PID=
stop_server() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; fi; }
trap stop_server EXIT
start_server() {  # extra settings as environment assignments
  env "$@" NAPGEO_DB="$BENCH_CONN" ASPNETCORE_CONTENTROOT="$NAPGEO_APP_DIR" ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning Tiles__BenchEndpoint=true \
    dotnet "$NAPGEO_API_DLL" --urls "http://127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  # The first start on fresh data assesses every sample against the guidelines (minutes for a million): wait for it.
  for _ in $(seq 1 3000); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && return 0; sleep 0.2; done
  cat "$OUT/server.log" >&2; echo "server did not start" >&2; exit 1
}
warm_up() {  # a short unmeasured run first, so the JIT has compiled the hot path before any run is measured
  wrk -t "$THREADS" -c "$CONNECTIONS" -d 3s -s "$HERE/$1" "http://127.0.0.1:$PORT" >/dev/null
}
run_wrk() {  # name script
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency -s "$HERE/$2" "http://127.0.0.1:$PORT" >"$OUT/$1.txt"
  sed -n 's/^RESULT rps=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) errors=\([0-9]*\)$/\1 \2 \3 \4/p' "$OUT/$1.txt"
}
fetch_all() {  # prints the byte size of every tile of the window
  local x y
  for x in $(seq "$X0" "$X1"); do for y in $(seq "$Y0" "$Y1"); do
    curl -s -o /dev/null -w '%{size_download}\n' "http://127.0.0.1:$PORT/tiles/napgeo/$ZOOM/$x/$y.mvt"
  done; done
}

log "(b) cold: API with the tile cache off"
start_server Tiles__CacheBytes=0
AVG=$(fetch_all | awk '{s += $1} END {printf "%d", s / NR}')
warm_up random-tile.lua
read -r B_RPS B_P50 B_P99 B_ERR <<<"$(run_wrk cold random-tile.lua)"
stop_server

log "(c) warm: every tile of the window cached; (d) bare endpoint returning $AVG fixed bytes (the mean tile size)"
start_server Tiles__BenchBytes="$AVG"
fetch_all >/dev/null
warm_up random-tile.lua
warm_up bare.lua
read -r C_RPS C_P50 C_P99 C_ERR <<<"$(run_wrk warm random-tile.lua)"
read -r D_RPS D_P50 D_P99 D_ERR <<<"$(run_wrk bare bare.lua)"

log "tile sizes z0-z6 over the data extent"
MAX_SIZE=0 MAX_TILE=
for z in 0 1 2 3 4 5 6; do
  read -r x0 y0 x1 y1 <<<"$(awk -v z="$z" 'BEGIN { pi = atan2(0, -1); n = 2 ^ z;
    split("-3.3 11.2 1.2 4.7", b, " ");
    for (i = 0; i < 2; i++) { lon = b[1 + 2 * i]; lat = b[2 + 2 * i]; r = lat * pi / 180;
      x[i] = int((lon + 180) / 360 * n); y[i] = int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * n) }
    print x[0], y[0], x[1], y[1] }')"
  for x in $(seq "$x0" "$x1"); do for y in $(seq "$y0" "$y1"); do
    size=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT/tiles/napgeo/$z/$x/$y.mvt")
    echo "$z/$x/$y $size" >>"$OUT/sizes.txt"
    if [ "$size" -gt "$MAX_SIZE" ]; then MAX_SIZE=$size MAX_TILE="$z/$x/$y"; fi
  done; done
done
stop_server

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<EOF | tee "$OUT/summary.md"
data: $SITES sites, $SAMPLES samples; tiles z$ZOOM x $X0-$X1 y $Y0-$Y1 (napgeo, all layers); mean tile $AVG bytes
load: $CONNECTIONS connections, $THREADS threads, ${DURATION}s each; $(nproc) cores shared by the client, the API and PostgreSQL

| run | requests/s | p50 ms | p99 ms | errors |
| --- | ---: | ---: | ---: | ---: |
| (a) pgbench, tile SQL (floor) | $A_RPS | $A_P50 | $A_P99 | 0 |
| (b) API, cold (cache off) | $B_RPS | $B_P50 | $B_P99 | $B_ERR |
| (c) API, warm (cached) | $C_RPS | $C_P50 | $C_P99 | $C_ERR |
| (d) bare endpoint, $AVG fixed bytes | $D_RPS | $D_P50 | $D_P99 | $D_ERR |

b/a = $(ratio "$B_RPS" "$A_RPS") (target >= 0.8); c/d = $(ratio "$C_RPS" "$D_RPS") (target >= 0.8)
largest z0-z6 tile: $MAX_TILE, $MAX_SIZE bytes (limit 512000)
EOF
