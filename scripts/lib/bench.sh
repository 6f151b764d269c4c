# Sourced by the scripts/bench-* load benchmarks: one wrk measurement, and the rewrite of a script's own
# section of docs/benchmarks.md. Needs WORK (a scratch folder), WARMUP, DURATION and a `die` function.

# bench_wrk NAME THREADS CONNECTIONS WRK-ARGS…: wrk on one endpoint (warm-up, then the measured run,
# kept in $WORK/NAME.txt); prints "req/s p50_ms p99_ms". Any non-2xx answer or socket error fails.
bench_wrk() {
    local name=$1 threads=$2 connections=$3; shift 3
    wrk -t"$threads" -c"$connections" -d"$WARMUP" "$@" >/dev/null
    wrk -t"$threads" -c"$connections" -d"$DURATION" --latency "$@" >"$WORK/$name.txt"
    if grep -qE 'Non-2xx|Socket errors' "$WORK/$name.txt"; then
        cat "$WORK/$name.txt" >&2
        die "$name: wrk reported errors"
    fi
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        END {
            if (rps == "" || p50 == "" || p99 == "") exit 1
            printf "%s %s %s\n", rps, p50, p99
        }' "$WORK/$name.txt"
}

# bench_write_section DOC TAG SECTION: puts SECTION's text between `<!-- TAG:begin -->` and
# `<!-- TAG:end -->` in DOC (appended with the markers when DOC has none); with BENCH_NO_DOC set, only
# prints it.
bench_write_section() {
    local doc=$1 tag=$2 section=$3
    if [[ -n ${BENCH_NO_DOC:-} ]]; then
        cat "$section"
        return 0
    fi
    if grep -q "^<!-- $tag:begin -->\$" "$doc" && grep -q "^<!-- $tag:end -->\$" "$doc"; then
        awk -v section="$section" -v begin="<!-- $tag:begin -->" -v end="<!-- $tag:end -->" '
            $0 == begin { print; while ((getline line < section) > 0) print line; skipping = 1; next }
            $0 == end { skipping = 0 }
            !skipping { print }' "$doc" >"$WORK/doc.md"
    else
        { cat "$doc"; printf '\n<!-- %s:begin -->\n' "$tag"; cat "$section"; printf '<!-- %s:end -->\n' "$tag"; } >"$WORK/doc.md"
    fi
    cat "$WORK/doc.md" >"$doc"
    cat "$section"
}
