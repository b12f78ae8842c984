#!/usr/bin/env bash
# Serve Backprop Lab from several Streamlit processes behind nginx, all on 127.0.0.1.
#
#   bash deploy/run.sh             # http://127.0.0.1:8080, app processes on ports 8601 and 8602
#   BACKPROP_APP_PORTS="8601 8602 8603" bash deploy/run.sh    # three app processes
#   bash deploy/run.sh --check     # write the nginx configuration, test it with nginx -t, exit
#
# Environment variables:
#   BACKPROP_PROXY_PORT  port that nginx listens on (default 8080)
#   BACKPROP_APP_PORTS   app process ports separated by spaces, one Streamlit process
#                        per port (default "8601 8602")
#   BACKPROP_PYTHON      Python interpreter that has requirements.txt installed
#                        (default: .venv, created and filled on first use as
#                        scripts/run_app.sh does)
#   BACKPROP_NGINX       nginx executable (default: nginx on PATH, else /usr/sbin/nginx)
#
# The script writes the nginx configuration, the pid file and all logs into a new
# directory under ${TMPDIR:-/tmp}, starts the app processes, waits until each one
# is healthy, then runs nginx in the foreground (daemon off). Ctrl+C or SIGTERM
# stops nginx and every app process by process id and deletes the directory. If
# one of them exits on its own, the script stops the others, keeps the directory
# for its logs and exits with status 1.

set -euo pipefail

deploy_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
template="$deploy_dir/nginx.conf.template"
nginx_install_command="apt-get update && apt-get install -y nginx"

# Seconds to wait for a process to become healthy, and for one to stop after
# SIGTERM before it gets SIGKILL.
start_timeout_seconds=60
stop_timeout_seconds=10

run_dir=""
keep_run_dir=false
stop_requested=false
# Parallel arrays: process ids and a name for each, in start order.
pids=()
names=()

fail() {
    echo "error: $*" >&2
    exit 1
}

# Print PORT as a plain decimal number, or fail naming the variable it came from.
parse_port() {
    local variable="$1" value="$2"
    if ! [[ "$value" =~ ^[0-9]{1,5}$ ]] || ((10#$value < 1 || 10#$value > 65535)); then
        fail "$variable: '$value' is not a port number. Use whole numbers from 1 to 65535."
    fi
    echo $((10#$value)) # "08" becomes 8 instead of an octal error
}

find_nginx() {
    if [[ -n "${BACKPROP_NGINX:-}" ]]; then
        [[ -x "$BACKPROP_NGINX" ]] || fail "BACKPROP_NGINX=$BACKPROP_NGINX is not an executable file."
        echo "$BACKPROP_NGINX"
    elif command -v nginx >/dev/null 2>&1; then
        command -v nginx
    elif [[ -x /usr/sbin/nginx ]]; then
        # Debian installs nginx in /usr/sbin, which is not on a normal user's PATH.
        echo /usr/sbin/nginx
    else
        fail "nginx not found on PATH or at /usr/sbin/nginx. Install Debian's package as root with: $nginx_install_command"
    fi
}

# Print the Python interpreter for the app processes.
find_python() {
    if [[ -n "${BACKPROP_PYTHON:-}" ]]; then
        echo "$BACKPROP_PYTHON"
        return 0
    fi
    # Defines repo_root, venv_dir and ensure_venv without starting the app.
    source "$deploy_dir/../scripts/run_app.sh"
    ensure_venv requirements.txt >&2
    echo "$venv_dir/bin/python"
}

# Write $run_dir/nginx.conf from the template.
write_nginx_config() {
    local proxy_port="$1"
    shift
    local config upstream_servers="" port
    for port in "$@"; do
        upstream_servers+="        server 127.0.0.1:$port;"$'\n'
    done
    config="$(<"$template")"
    # Quoted replacements, so that bash 5.2 does not read "&" in them as the matched text.
    config="${config//@RUNTIME_DIR@/"$run_dir"}"
    config="${config//@PROXY_PORT@/"$proxy_port"}"
    config="${config//@UPSTREAM_SERVERS@/"${upstream_servers%$'\n'}"}"
    printf '%s\n' "$config" >"$run_dir/nginx.conf"
}

test_nginx_config() {
    local nginx="$1"
    "$nginx" -t -q -p "$run_dir" -c "$run_dir/nginx.conf" -e "$run_dir/error.log"
}

# Return 0 when GET http://127.0.0.1:PORT/_stcore/health responds with "ok".
is_healthy() {
    "$python" - "$1" <<'PYTHON' 2>/dev/null
import sys
import urllib.request

# No proxy from the environment may see loopback requests.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
url = f"http://127.0.0.1:{sys.argv[1]}/_stcore/health"
with opener.open(url, timeout=2) as response:
    sys.exit(0 if response.read().decode().strip() == "ok" else 1)
PYTHON
}

# Wait until the process PID passes its health check on PORT, or fail.
wait_until_healthy() {
    local pid="$1" port="$2" name="$3" log="$4"
    local deadline=$((SECONDS + start_timeout_seconds))
    until is_healthy "$port"; do
        if [[ "$stop_requested" == true ]]; then
            echo "Stop requested while $name was starting."
            exit 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            keep_run_dir=true
            fail "$name exited before it became healthy. See its log: $log"
        fi
        if ((SECONDS > deadline)); then
            keep_run_dir=true
            fail "$name was not healthy on port $port after $start_timeout_seconds s. See its log: $log"
        fi
        sleep 0.2
    done
}

start_app_process() {
    local port="$1" proxy_port="$2"
    local name="app process on port $port" log="$run_dir/app-$port.log"
    # browser.serverAddress and browser.serverPort make Streamlit name the
    # proxy's address as the app's URL, in its log and in the CORS header of
    # its upload route. CORS and XSRF protection stay on: the browser loads the
    # page, the WebSocket and the uploads from the proxy's one origin, so
    # nothing is cross-origin, and the XSRF cookie travels through the proxy.
    "$python" -m streamlit run app.py \
        --server.headless true \
        --server.address 127.0.0.1 \
        --server.port "$port" \
        --browser.gatherUsageStats false \
        --server.fileWatcherType none \
        --server.enableCORS true \
        --server.enableXsrfProtection true \
        --browser.serverAddress 127.0.0.1 \
        --browser.serverPort "$proxy_port" \
        >"$log" 2>&1 &
    pids+=("$!")
    names+=("$name")
    echo "Started $name (pid $!), log: $log"
}

start_nginx() {
    local nginx="$1" proxy_port="$2"
    "$nginx" -p "$run_dir" -c "$run_dir/nginx.conf" -e "$run_dir/error.log" -g 'daemon off;' &
    pids+=("$!")
    names+=("nginx on port $proxy_port")
    echo "Started nginx on port $proxy_port (pid $!), logs: $run_dir/access.log and $run_dir/error.log"
}

# Stop one process: SIGTERM, then SIGKILL after stop_timeout_seconds.
stop_process() {
    local pid="$1" name="$2"
    local deadline=$((SECONDS + stop_timeout_seconds))
    if ! kill -TERM "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        echo "$name (pid $pid) had already exited"
        return 0
    fi
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS > deadline)); then
            echo "warning: $name (pid $pid) still running $stop_timeout_seconds s after SIGTERM, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
    wait "$pid" 2>/dev/null || true
    echo "Stopped $name (pid $pid)"
}

# Stop every started process, newest first, so that nginx stops taking
# requests before the app processes go away.
stop_all() {
    local index
    for ((index = ${#pids[@]} - 1; index >= 0; index--)); do
        stop_process "${pids[index]}" "${names[index]}"
    done
    pids=()
    names=()
}

cleanup() {
    trap - INT TERM
    stop_all
    if [[ -z "$run_dir" ]]; then
        return
    fi
    if [[ "$keep_run_dir" == true ]]; then
        echo "Kept the configuration and logs in $run_dir" >&2
    else
        rm -rf -- "$run_dir"
    fi
}

main() {
    local check_only=false
    case "${1:-}" in
        "") ;;
        --check) check_only=true ;;
        *) fail "unknown argument '$1'. Run without arguments to serve the app, or with --check to test the nginx configuration." ;;
    esac

    local proxy_port app_ports=() value port nginx index status
    proxy_port="$(parse_port BACKPROP_PROXY_PORT "${BACKPROP_PROXY_PORT:-8080}")"
    for value in ${BACKPROP_APP_PORTS:-8601 8602}; do
        app_ports+=("$(parse_port BACKPROP_APP_PORTS "$value")")
    done
    if ((${#app_ports[@]} == 0)); then
        fail "BACKPROP_APP_PORTS must name at least one port, got '${BACKPROP_APP_PORTS:-}'."
    fi
    if [[ "$(printf '%s\n' "$proxy_port" "${app_ports[@]}" | sort | uniq -d)" != "" ]]; then
        fail "BACKPROP_PROXY_PORT ($proxy_port) and BACKPROP_APP_PORTS (${app_ports[*]}) must all be different ports."
    fi
    [[ -f "$template" ]] || fail "nginx configuration template not found: $template"
    nginx="$(find_nginx)"

    trap cleanup EXIT
    trap 'stop_requested=true' INT TERM
    run_dir="$(mktemp -d "${TMPDIR:-/tmp}/backprop-lab-deploy.XXXXXX")"
    # When started as root, nginx runs its worker processes as "nobody". They
    # write request bodies and large responses into the temporary folders in
    # this directory, so "nobody" must be able to enter it (mktemp makes it 700).
    # NOTE: the folders above it ($TMPDIR) must be enterable by "nobody" too.
    chmod 711 "$run_dir"

    write_nginx_config "$proxy_port" "${app_ports[@]}"
    if ! test_nginx_config "$nginx"; then
        keep_run_dir=true
        fail "nginx rejected the configuration $run_dir/nginx.conf (its message is above)."
    fi
    if [[ "$check_only" == true ]]; then
        echo "nginx accepted the configuration for port $proxy_port with app processes on ports ${app_ports[*]}."
        return 0
    fi

    python="$(find_python)"
    cd -- "$deploy_dir/.."
    [[ -f app.py ]] || fail "$(pwd)/app.py not found. Run this script from a complete checkout of Backprop Lab."

    echo "Configuration and logs: $run_dir"
    for port in "${app_ports[@]}"; do
        start_app_process "$port" "$proxy_port"
    done
    for index in "${!app_ports[@]}"; do
        wait_until_healthy "${pids[index]}" "${app_ports[index]}" "${names[index]}" "$run_dir/app-${app_ports[index]}.log"
    done
    start_nginx "$nginx" "$proxy_port"
    wait_until_healthy "${pids[-1]}" "$proxy_port" "${names[-1]}" "$run_dir/error.log"
    echo "Backprop Lab: open http://127.0.0.1:$proxy_port in your browser. Press Ctrl+C to stop."

    # wait -n returns when any process exits, or early when INT or TERM arrives.
    while [[ "$stop_requested" == false ]]; do
        wait -n "${pids[@]}" || true
        for index in "${!pids[@]}"; do
            if ! kill -0 "${pids[index]}" 2>/dev/null && [[ "$stop_requested" == false ]]; then
                keep_run_dir=true
                wait "${pids[index]}" && status=0 || status=$?
                echo "error: ${names[index]} (pid ${pids[index]}) exited with status $status. Stopping the other processes." >&2
                exit 1
            fi
        done
    done
    echo "Stop requested, stopping all processes."
}

main "$@"
