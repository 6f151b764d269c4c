# Sourced by scripts/sdk-check and scripts/console-check: starts `switchboard serve --demo` on a free
# loopback port with only the caller's settings, and stops it (and removes its data) on exit.
#
# Needs: BIN (the server binary), DEMO_COMMUNICATIONS (per demo account), optionally DEMO_USERS (people
# per demo account, default 0 beyond one per role); DEMO_DATABASE_URL, when set,
# puts the demo in that PostgreSQL database instead of SQLite. Sets base_url, server_pid, data_dir and
# server_log (the file named by start_demo_server's argument).

server_pid=""
data_dir=""
server_log=""

stop_demo_server() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n $data_dir ]]; then rm -rf "$data_dir"; fi
    server_pid=""
    data_dir=""
}
trap stop_demo_server EXIT

# start_demo_server LOG: starts the server with its output in LOG; waits until ready, DEMO_READY_SECONDS
# at most (300: seeding thousands of people per account on PostgreSQL takes minutes on a slow day).
start_demo_server() {
    local port
    server_log=$1
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
        return 1
    data_dir=$(mktemp -d -t switchboard-demo-data.XXXXXX) || return 1
    test -x "$BIN" || { echo "no server binary at $BIN"; return 1; }
    base_url=http://127.0.0.1:$port
    # Only this script's settings: no database URL, config file or plugin folder from the environment.
    (
        for var in $(compgen -e | grep '^SWITCHBOARD_' || true); do unset "$var"; done
        export SWITCHBOARD_DEMO_USERS=${DEMO_USERS:-0} SWITCHBOARD_DEMO_COMMUNICATIONS=$DEMO_COMMUNICATIONS
        if [[ -n ${DEMO_DATABASE_URL:-} ]]; then export SWITCHBOARD_DATABASE_URL=$DEMO_DATABASE_URL; fi
        exec "$BIN" serve --demo --bind "127.0.0.1:$port" --data-dir "$data_dir"
    ) >"$server_log" 2>&1 &
    server_pid=$!
    local deadline=$((SECONDS + ${DEMO_READY_SECONDS:-300}))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the server exited; its log:"
            cat "$server_log"
            return 1
        fi
        if curl -fsS -o /dev/null --max-time 2 "$base_url/readyz" 2>/dev/null; then
            echo "ready at $base_url"
            return 0
        fi
        sleep 0.25
    done
    echo "the server was not ready within ${DEMO_READY_SECONDS:-300}s; its log:"
    cat "$server_log"
    return 1
}
