-- wrk script: cycles through the request paths in $PATHS_FILE (one per
-- line), sends $API_KEY as Typesense's key header when set, and counts
-- answers that are not 200 as errors.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local key = os.getenv("API_KEY")
local counter = 0
local errors = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  counter = id
end

function request()
  counter = counter + 1
  local headers = {}
  if key and #key > 0 then headers["X-TYPESENSE-API-KEY"] = key end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local ms = function(us) return us / 1000.0 end
  io.write(string.format("RESULT\t%.1f\t%.2f\t%.2f\t%d\n",
    summary.requests / (summary.duration / 1e6),
    ms(latency:percentile(50)), ms(latency:percentile(99)),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
