-- giftflow bench bio: GET the link-in-bio page, as visitors from a few sites and regions.
--
-- Arguments (after --): the page's path, the region header's name. Each request names
-- a referrer and a region in turn. When wrk is done, one line "giftflow-wrk {json}"
-- sums up every thread, in the shape of wrk.lua's (no gifts).

local threads = {}
local referrers = { "https://www.tiktok.com/@bench", "https://instagram.com/bench", "" }
local regions = { "US", "GB", "DE", "ZZ" }

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  region_header = args[2]
  sent = 0
  answered = 0
  gifts_ok = 0
  statuses = {}
end

function request()
  sent = sent + 1
  local headers = { [region_header] = regions[sent % #regions + 1] }
  local referrer = referrers[sent % #referrers + 1]
  if referrer ~= "" then
    headers["Referer"] = referrer
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
end

local function object(values)
  local fields = {}
  for name, value in pairs(values) do
    table.insert(fields, string.format('"%s":%d', tostring(name), value))
  end
  return "{" .. table.concat(fields, ",") .. "}"
end

function done(summary, latency, requests)
  local totals = { sent = 0, answered = 0, gifts_ok = 0 }
  local by_status = {}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'giftflow-wrk {"duration_us":%d,"sent":%d,"answered":%d,"gifts_ok":%d,'
      .. '"p50_us":%d,"p99_us":%d,"statuses":%s,"errors":%s}\n',
    summary.duration, totals.sent, totals.answered, totals.gifts_ok,
    latency:percentile(50), latency:percentile(99), object(by_status),
    object({
      connect = errors.connect, read = errors.read, write = errors.write,
      timeout = errors.timeout,
    })
  ))
end
