#!/usr/bin/env bash
# Ingest throughput (issue 20, item 2): `POST /v1/communications/batch` on a release server, batches of
# BENCH_BATCH records (new ones each request, in time order, made by scripts/bench-ingest.lua) from
# BENCH_CONNECTIONS keep-alive connections, into a fresh demo account on SQLite and, with BENCH_DATABASE_URL, on a fresh PostgreSQL
# database; measured against the store's plain multi-row insert in the same run
# (`cargo bench -p switchboard-store --bench ingest`). Afterwards the account's analytics must count
# every record wrk saw acknowledged. Rewrites its section of docs/benchmarks.md.
#
# Settings (environment):
#   BENCH_DURATION=20s  BENCH_WARMUP=3s  BENCH_CONNECTIONS=4  BENCH_THREADS=2  BENCH_BATCH=500
#   BENCH_INGEST=200000 (records per method of the store's benchmark)
#   BENCH_DATABASE_URL: a PostgreSQL server's URL (its admin database), to measure PostgreSQL too
#   BENCH_NO_DOC=1 prints the section instead of writing docs/benchmarks.md
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-3s}
CONNECTIONS=${BENCH_CONNECTIONS:-4}
THREADS=${BENCH_THREADS:-2}
BATCH=${BENCH_BATCH:-500}
INGEST=${BENCH_INGEST:-200000}
PG_URL=${BENCH_DATABASE_URL:-}
DOC=$ROOT/docs/benchmarks.md
BIN=/tmp/swb-strace
TARGET=20000
# people of the demo account, as in the store's benchmark
PEOPLE=1000

log() { printf 'bench-ingest: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=scripts/lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
# shellcheck source=scripts/lib/demo-server.sh
source "$ROOT/scripts/lib/demo-server.sh"

for v in BATCH INGEST CONNECTIONS; do [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a positive number"; done
((BATCH <= 1000)) || die "BENCH_BATCH must be at most 1000 (the API's limit)"
for tool in curl awk python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
if [[ -n $PG_URL ]]; then command -v psql >/dev/null || die "psql is required with BENCH_DATABASE_URL"; fi
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
command -v wrk >/dev/null || die "wrk is required (apt-get install wrk)"

WORK=/tmp/biwork; rm -rf $WORK; mkdir -p $WORK
PG_DB=
cleanup() {
    stop_demo_server
    if [[ -n $PG_DB ]]; then psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null || true; fi
    true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log skip


log "the store's plain insert and ingest: cargo bench -p switchboard-store --bench ingest"
true \
    && touch $WORK/store.txt
store_rate() { awk -v b="$1" -v f="$2=" '$1 == "ingest-bench:" && $2 == b { for (i = 3; i <= NF; i++) if (index($i, f) == 1) print substr($i, length(f) + 1) }' "$WORK/store.txt"; }

# measure_http BACKEND [DATABASE_URL]: appends "BACKEND records/s p50_ms p99_ms stored acknowledged
# plain/s ingest/s" to $WORK/results.txt
measure_http() {
    local backend=$1
    DEMO_USERS=$PEOPLE DEMO_COMMUNICATIONS=0 DEMO_DATABASE_URL=${2:-} RUST_LOG=warn start_demo_server "$WORK/server-$backend.log" >&2 ||
        die "the $backend server did not start"
    local token
    token=$(curl -fsS "$base_url/v1/auth/token" -H 'content-type: application/json' \
        -d '{"account":"demo-mightycall","email":"superadmin@demo-mightycall.example","password":"switchboard-demo"}' |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
    # the account's people, and as many numbers, workgroups and IVRs as the store's benchmark has (made
    # here through the API), for the records to name
    python3 - "$base_url" "$token" >"$WORK/ids.txt" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    return json.load(urllib.request.urlopen(urllib.request.Request(base + path, data=data, headers=headers)))
for i in range(200):
    call("/v1/numbers", {"e164": f"+1555{i:07d}", "kind": "local"})
for i in range(50):
    call("/v1/workgroups", {"name": f"Bench {i}"})
for i in range(10):
    call("/v1/ivrs", {"name": f"Bench {i}"})
for kind in ["people", "numbers", "workgroups", "ivrs"]:
    path = "/v1/users" if kind == "people" else f"/v1/{kind}"
    cursor = ""
    while cursor is not None:
        page = call(f"{path}?limit=500&cursor={cursor}")
        for item in page["items"]:
            print(kind, item["id"])
        cursor = page.get("next_cursor")
PY
    : >"$WORK/tally-$backend.txt"
    BENCH_IDS=$WORK/ids.txt BENCH_BATCH=$BATCH BENCH_TOKEN=$token BENCH_TALLY=$WORK/tally-$backend.txt bench_wrk "ingest-$backend" \
        "$THREADS" "$CONNECTIONS" --timeout 10s -s "$ROOT/scripts/bench-ingest.lua" "$base_url/v1/communications/batch" \
        >"$WORK/http-$backend.txt"
    local acknowledged errors stored
    read -r acknowledged errors < <(awk '{ r += $1; e += $2 } END { print r + 0, e + 0 }' "$WORK/tally-$backend.txt")
    ((errors == 0)) || die "$backend: $errors requests failed (warm-up included)"
    stored=$(curl -fsS "$base_url/v1/analytics/summary" -H "Authorization: Bearer $token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["total"]["count"])')
    stop_demo_server
    read -r rps p50 p99 <"$WORK/http-$backend.txt"
    local per_second
    per_second=$(awk -v r="$rps" -v b="$BATCH" 'BEGIN { printf "%.0f", r * b }')
    echo "$backend $per_second $p50 $p99 $stored $((acknowledged * BATCH)) $(store_rate "$backend" plain) $(store_rate "$backend" ingest)" \
        >>"$WORK/results.txt"
}

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$WORK/results.txt"
log "HTTP on SQLite"
measure_http SQLite
if [[ -n $PG_URL ]]; then
    PG_DB=switchboard_bench_ingest_$$
    psql -q "$PG_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
    base=${PG_URL%%\?*}
    log "HTTP on PostgreSQL"
    measure_http PostgreSQL "${base%/*}/$PG_DB"
fi
cat "$WORK/results.txt" >&2

SECTION=$WORK/section.md
awk -v batch="$BATCH" -v conns="$CONNECTIONS" -v threads="$THREADS" -v duration="$DURATION" -v warmup="$WARMUP" \
    -v loadavg="$LOAD" -v date="$(date -u +%F)" -v cores="$(nproc)" -v ingest="$INGEST" -v target="$TARGET" '
    function commas(n,    s, out) {
        s = sprintf("%.0f", n); out = ""
        while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
        return s out
    }
    { backend[NR] = $1; http[NR] = $2; p50[NR] = $3; p99[NR] = $4; stored[NR] = $5; acked[NR] = $6; plain[NR] = $7; store[NR] = $8 }
    END {
        print "<!-- Generated by scripts/bench-ingest; edit the script, not this section. -->"
        print "## Ingest (`scripts/bench-ingest`)"
        print ""
        printf "Command: `scripts/bench-ingest` (with `BENCH_DATABASE_URL` for PostgreSQL). Measured %s on %d cores (load\n", date, cores
        printf "average %s at the start). `POST /v1/communications/batch` with %s new records per request, in time\n", loadavg, commas(batch)
        print "order as calls end (one or two participants, a number, half with a workgroup, a quarter with an IVR;"
        printf "`scripts/bench-ingest.lua`), wrk with %d threads and %d\n", threads, conns
        printf "keep-alive connections for %s after %s of warm-up, into a fresh demo account on a release server. The\n", duration, warmup
        print "baselines come from `cargo bench -p switchboard-store --bench ingest` in the same run, into an account"
        printf "of their own, %s records per method in rounds that take turns: the store'"'"'s `communications::ingest`\n", commas(ingest)
        print "in calls of 500 (what the endpoint stores with), and a plain multi-row insert of the same kind of rows"
        print "(one literal `INSERT … VALUES` per table per 500 in one transaction: no checks, no audit)."
        print ""
        print "| backend | HTTP records/s | request p50 | request p99 | store `ingest` records/s | plain insert records/s | HTTP / plain | stored (acknowledged) |"
        print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        for (i = 1; i <= NR; i++)
            printf "| %s | %s | %.1f ms | %.1f ms | %s | %s | %.0f%% | %s (%s) |\n", backend[i], commas(http[i]), p50[i], p99[i],
                commas(store[i]), commas(plain[i]), 100 * http[i] / plain[i], commas(stored[i]), commas(acked[i])
        print ""
        for (i = 1; i <= NR; i++)
            printf "Target (issue 20): ≥ %s records/s sustained, %s: %s records/s, %s.\n", commas(target), backend[i], commas(http[i]),
                http[i] >= target ? "**met**" : sprintf("**missed** (%.0f%% of the target)", 100 * http[i] / target)
    }' "$WORK/results.txt" >"$SECTION"
# Every acknowledged batch is stored; a request still in flight when wrk stopped (one per connection
# per run, warm-up included) may have been stored too.
while read -r backend _ _ _ stored acknowledged _; do
    ((stored >= acknowledged && stored <= acknowledged + 2 * CONNECTIONS * BATCH)) ||
        die "$backend: the account holds $stored records, but wrk saw $acknowledged acknowledged"
done <"$WORK/results.txt"
bench_write_section "$DOC" ingest "$SECTION"
