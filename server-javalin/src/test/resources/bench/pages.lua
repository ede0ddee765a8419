-- wrk script for bench/run (BenchClient) and a server held by hand: walks pages 1..PAGES of size 50 of one staged upload.
-- UPLOAD=<id> PAGES=<n> TOKEN=<jwt> wrk -t2 -c32 -d10s --latency -s pages.lua http://127.0.0.1:<port>
-- RATE and CONNECTIONS pace it (below). FILTERS=1 also cycles through the status/field/code filters (pages past a
-- filter's last page are empty pages, answered 200 like any other).
local upload = os.getenv("UPLOAD")
local pages = tonumber(os.getenv("PAGES") or "20000")
local token = os.getenv("TOKEN")
local filters = { "" }
if os.getenv("FILTERS") then
  filters = { "", "&status=valid", "&status=invalid", "&field=nid", "&code=phone.invalid", "&status=invalid&field=email" }
end
local page = 0
local n = 0
-- RATE=<pages/s> CONNECTIONS=<wrk's -c>: each connection pauses between pages so that all ask for about RATE a second
local rate = tonumber(os.getenv("RATE") or "0")
if rate > 0 then
  local pause = tonumber(os.getenv("CONNECTIONS") or "1") * 1000 / rate
  delay = function()
    return pause
  end
end

request = function()
  page = page % pages + 1
  n = n % #filters + 1
  return wrk.format("GET", "/api/v1/uploads/" .. upload .. "/records?size=50&page=" .. page .. filters[n],
    { ["Authorization"] = "Bearer " .. token })
end

response = function(status, headers, body)
  if status ~= 200 then
    print("status " .. status)
  end
end
