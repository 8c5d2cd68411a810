-- wrk: GET a random tile of zoom Z in the x/y range given by the environment (same range as pgbench).
local z, x0, x1, y0, y1 = tonumber(os.getenv("Z")), tonumber(os.getenv("X0")), tonumber(os.getenv("X1")), tonumber(os.getenv("Y0")), tonumber(os.getenv("Y1"))
local path = os.getenv("TILE_PATH") or "/tiles/napgeo"
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed * 7919 + os.time()) end
function request()
  return wrk.format("GET", string.format("%s/%d/%d/%d.mvt", path, z, math.random(x0, x1), math.random(y0, y1)))
end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
