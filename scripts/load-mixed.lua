-- The request mix of scripts/load-mixed, for wrk (one Lua state per wrk thread).
--
-- Arguments (after `--`): OWNER_TOKEN AGENT_TOKEN CURSOR COMMUNICATION_BODY USER_ID:VERSION...
-- with one USER_ID:VERSION per wrk thread: each thread renames its own user, one PATCH at a time, with
-- the ETag of that user's last answer in If-Match, so no PATCH is ever stale (412).
--
-- Every request of a thread follows one fixed cycle of 20 slots (the weights below), so runs are
-- comparable. Any answer that is not 2xx is an error: wrk counts it ("Non-2xx"), and this script
-- records the first few (status and body) for the report.

local weights = {
    { "page", 6 },       -- GET  /v1/communications?limit=50 as the agent (scoped history, page 1)
    { "page2", 2 },      -- GET  /v1/communications?limit=50&cursor=… as the agent (page 2)
    { "authorize", 5 },  -- POST /v1/authorize as the agent (an allowed decision)
    { "roles", 2 },      -- GET  /v1/roles as the superadmin
    { "ingest", 3 },     -- POST /v1/communications as the superadmin (a write)
    { "patch_user", 2 }, -- PATCH /v1/users/{id} with If-Match as the superadmin (a write)
}

local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("index", #threads)
end

function init(args)
    owner = "Bearer " .. args[1]
    agent = "Bearer " .. args[2]
    cursor = args[3]
    communication = args[4]
    local target = args[4 + index]
    if target == nil then
        error("no USER_ID:VERSION argument for wrk thread " .. index)
    end
    user_id, version = target:match("^([^:]+):(%d+)$")
    etag = '"' .. version .. '"'
    patch_in_flight = false
    renames = 0
    slots = {}
    for _, w in ipairs(weights) do
        for _ = 1, w[2] do
            table.insert(slots, w[1])
        end
    end
    slot = 0
    counts = {}
    errors = 0
    failures = {}
end

local json = { ["Content-Type"] = "application/json" }

local function headers(token, extra)
    local h = { Authorization = token }
    for k, v in pairs(extra or {}) do
        h[k] = v
    end
    return h
end

function request()
    slot = slot % #slots + 1
    local kind = slots[slot]
    -- One rename of this thread's user at a time: its answer carries the next ETag.
    if kind == "patch_user" and patch_in_flight then
        kind = "authorize"
    end
    counts[kind] = (counts[kind] or 0) + 1
    if kind == "page" then
        return wrk.format("GET", "/v1/communications?limit=50", headers(agent))
    elseif kind == "page2" then
        return wrk.format("GET", "/v1/communications?limit=50&cursor=" .. cursor, headers(agent))
    elseif kind == "authorize" then
        return wrk.format("POST", "/v1/authorize", headers(agent, json), '{"permission":"reports:view"}')
    elseif kind == "roles" then
        return wrk.format("GET", "/v1/roles", headers(owner))
    elseif kind == "ingest" then
        return wrk.format("POST", "/v1/communications", headers(owner, json), communication)
    else
        patch_in_flight = true
        renames = renames + 1
        local body = string.format('{"name":"Load %d-%d"}', index, renames)
        return wrk.format("PATCH", "/v1/users/" .. user_id, headers(owner, { ["Content-Type"] = "application/json", ["If-Match"] = etag }), body)
    end
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        errors = errors + 1
        if #failures < 5 then
            table.insert(failures, status .. " " .. string.sub(body or "", 1, 300))
        end
    end
    -- Only the renames' answers carry an ETag in this mix.
    local tag = headers["etag"] or headers["ETag"]
    if tag ~= nil then
        etag = tag
        patch_in_flight = false
    end
end

function done(summary, latency, requests)
    local totals, errs = {}, 0
    for _, thread in ipairs(threads) do
        for kind, n in pairs(thread:get("counts")) do
            totals[kind] = (totals[kind] or 0) + n
        end
        errs = errs + thread:get("errors")
        for _, failure in ipairs(thread:get("failures")) do
            io.write("failure: ", failure, "\n")
        end
    end
    local line = "mix:"
    for _, w in ipairs(weights) do
        line = line .. " " .. w[1] .. "=" .. (totals[w[1]] or 0)
    end
    io.write(line, "\n")
    io.write(string.format("lua_errors: %d\n", errs))
    io.write(string.format("percentiles_ms: p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f\n",
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000, latency.max / 1000))
end
