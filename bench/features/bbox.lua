-- wrk: items?bbox=…&limit=100 with a random 0.1° × 0.1° box inside Ghana per request.
-- Each wrk thread draws its own sequence (seeded 42, 43, …): with one seed for all, the threads asked for the same
-- boxes at the same moments.
local threads = 0
function setup(thread)
  thread:set("seed", 42 + threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(seed or 42)
end

request = function()
  local x = -3.2 + math.random() * 4.3
  local y = 4.7 + math.random() * 6.3
  return wrk.format("GET", string.format("/ogc/collections/samples/items?bbox=%.4f,%.4f,%.4f,%.4f&limit=100", x, y, x + 0.1, y + 0.1))
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d in %.1f s (%.0f/s)\n", summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("errors connect %d read %d write %d timeout %d, non2xx %d\n", summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s %.2f ms\n", tostring(p), latency:percentile(p) / 1000))
  end
end
