-- wrk script of scripts/bench-ingest: every request is a new batch of $BENCH_BATCH records in time
-- order, as a phone platform sends them when calls end (each thread's clock moves on 0 to 3 seconds a
-- record, from 30 days ago), naming the account's people, numbers, workgroups and IVRs listed in
-- $BENCH_IDS ("people <id>" lines and so on); the token is $BENCH_TOKEN.
local ids = { people = {}, numbers = {}, workgroups = {}, ivrs = {} }
for line in io.lines(os.getenv("BENCH_IDS")) do
    local kind, id = line:match("^(%S+) (%S+)$")
    table.insert(ids[kind], id)
end
local batch = tonumber(os.getenv("BENCH_BATCH"))
local kinds = { "call", "message", "voicemail", "recording" }
local clock = os.time() - 30 * 86400
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("seed", threads)
end

function init(args)
    math.randomseed(seed or 1)
end

local function one(list)
    return '"' .. list[math.random(#list)] .. '"'
end

function request()
    local items = {}
    for i = 1, batch do
        clock = clock + math.random(0, 3)
        local participants = one(ids.people)
        if math.random() < 0.5 and #ids.people > 1 then
            local other = one(ids.people)
            if other ~= participants then participants = participants .. "," .. other end
        end
        items[i] = string.format(
            '{"kind":"%s","direction":"inbound","number":%s,"workgroup":%s,"ivr":%s,"participants":[%s],'
                .. '"started_at":"%s","duration_seconds":%d,"has_recording":%s}',
            kinds[math.random(4)], one(ids.numbers),
            math.random() < 0.5 and one(ids.workgroups) or "null",
            math.random() < 0.25 and one(ids.ivrs) or "null",
            participants, os.date("!%Y-%m-%dT%H:%M:%SZ", clock), math.random(0, 899),
            math.random() < 1 / 3 and "true" or "false")
    end
    return wrk.format(nil, nil, nil, '{"items":[' .. table.concat(items, ",") .. "]}")
end

-- Every run (the warm-up too) adds "completed-requests errors" to $BENCH_TALLY: what the server
-- acknowledged, to be found stored afterwards.
function done(summary, latency, requests)
    local e = summary.errors
    local tally = assert(io.open(os.getenv("BENCH_TALLY"), "a"))
    tally:write(summary.requests, " ", e.connect + e.read + e.write + e.status + e.timeout, "\n")
    tally:close()
end
