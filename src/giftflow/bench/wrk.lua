-- giftflow bench http and bench bio: what wrk sends, one script for every workload.
--
-- Arguments (after --): mode ("health", "gift" or "batch"), the run's prefix, the API
-- key, the creator's id, the first viewer's id, the number of viewers (consecutive
-- ids), the gift's id, gifts per batch. Mode "page" (bench bio) takes instead the
-- page's path and the region header's name: each request names a referrer and a
-- region in turn, as visitors from a few sites and regions.
--
-- Every request carries its own Idempotency-Key and every gift event its own
-- event_id, "<prefix>-<thread>-<n>[-<i>]": unique per wrk thread and request. Senders
-- take turns over the viewers. When wrk is done, one line "giftflow-wrk {json}" sums
-- up every thread: requests built (sent), answers, answers by status, gifts answered
-- ok, and wrk's own latency percentiles and error counts.

local threads = {}
local referrers = { "https://www.tiktok.com/@bench", "https://instagram.com/bench", "" }
local regions = { "US", "GB", "DE", "ZZ" }

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  sent = 0
  answered = 0
  gifts_ok = 0
  statuses = {}
  if mode == "page" then
    path = args[2]
    region_header = args[3]
    return
  end
  prefix = args[2] .. "-" .. thread_number
  token = args[3]
  creator = tonumber(args[4])
  first_viewer = tonumber(args[5])
  viewers = tonumber(args[6])
  gift_id = tonumber(args[7])
  batch = tonumber(args[8])
end

local function gift(event_id, n)
  local sender = first_viewer + (n + thread_number) % viewers
  return string.format(
    '{"sender_id":%d,"creator_id":%d,"gift_id":%d,"event_id":"%s"}',
    sender, creator, gift_id, event_id
  )
end

local function page()
  local headers = { [region_header] = regions[sent % #regions + 1] }
  local referrer = referrers[sent % #referrers + 1]
  if referrer ~= "" then
    headers["Referer"] = referrer
  end
  return wrk.format("GET", path, headers)
end

function request()
  sent = sent + 1
  if mode == "health" then
    return wrk.format("GET", "/health")
  end
  if mode == "page" then
    return page()
  end
  local key = prefix .. "-" .. sent
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }
  if mode == "gift" then
    return wrk.format("POST", "/v1/gifts", headers, gift(key, sent))
  end
  local events = {}
  for i = 1, batch do
    events[i] = gift(key .. "-" .. i, sent * batch + i)
  end
  local body = '{"gifts":[' .. table.concat(events, ",") .. "]}"
  return wrk.format("POST", "/v1/gifts/batch", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if mode == "gift" and status == 201 then
    gifts_ok = gifts_ok + 1
  elseif mode == "batch" and status == 200 then
    local _, ok = string.gsub(body, '"status"%s*:%s*"ok"', "")
    gifts_ok = gifts_ok + ok
  end
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
