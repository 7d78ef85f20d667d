#!/usr/bin/env bash
# Our release server against nginx, on this machine, in the same run.
#
#   bench/run.sh                 # 3 rounds of 5 s runs, about 3 minutes
#   ROUNDS=5 SECONDS_PER_RUN=10 bench/run.sh
#
# Installs wrk and nginx-light (Debian packages) when missing, builds the server
# and bench/loader.rs, writes a minimal nginx config (2 workers, sendfile and
# tcp_nopush on, access log off, the same MIME types), then starts each server
# in turn on loopback serving the same directory, alternating which goes first,
# and runs:
#   1. file1.txt, Connection: close, wrk with 50 connections: requests/s, p99
#      latency, server CPU per request (utime+stime of the server's process tree
#      from /proc, divided by the requests wrk completed); and once more against
#      bench/floor.rs, a server that answers without parsing or opening a file:
#      the CPU the kernel alone charges for a connection;
#   2. the same without Connection: close (a keep-alive client);
#   3. a 1 MiB and a 100 MiB file read by bench/loader.rs (1 MiB reads): MB/s
#      (10^6 bytes) and server CPU per MiB sent;
#   4. peak RSS: VmHWM summed over the server's process tree, at the end of the
#      round (each round starts fresh servers).
# Prints a Markdown table: median over rounds (min-max), and ours/nginx.
# Machines here are shared, so absolute figures drift: compare within a run.
# Every load run is bounded in time; every process started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONNECTIONS=${CONNECTIONS:-50}
WRK_THREADS=${WRK_THREADS:-1}
BULK_CONNECTIONS=${BULK_CONNECTIONS:-1}
GRACE=20 # seconds a load run may overrun its duration before it is killed

log() { printf '%s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
nginx_bin() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
nginx_bin >/dev/null || missing+=(nginx-light)
if ((${#missing[@]})); then
  log "== installing ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  apt_get() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@"; }
  apt_get install -y "${missing[@]}" || { apt_get update && apt_get install -y "${missing[@]}"; }
fi
NGINX=$(nginx_bin)
WRK_VERSION=$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2 || true)
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
log "== wrk: $WRK_VERSION; nginx: $NGINX_VERSION"

if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  . "$HOME/.cargo/env"
fi
log "== building (release)"
cargo build --release --quiet --bin webserver --example loader --example floor
OURS_BIN=$PWD/target/release/webserver
LOADER=$PWD/target/release/examples/loader
FLOOR_BIN=$PWD/target/release/examples/floor
RUSTC_VERSION=$(rustc -V)

# --- the directory both servers serve, and cleanup -----------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/webserver-bench.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK/www" "$WORK/nginx/tmp"
cp fixtures/file1.txt "$WORK/www/"
head -c $((1 << 20)) /dev/urandom >"$WORK/www/1m.bin"
head -c $((100 << 20)) /dev/urandom >"$WORK/www/100m.bin"
# nginx's workers drop root for an unprivileged user, who must be able to read.
chmod 755 "$WORK" "$WORK/www"
chmod 644 "$WORK/www/"*

# A port nobody listens on (a refused connection means free), below the range
# the kernel picks client ports from, so no connection of anyone is using it.
free_port() {
  local low port
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for _ in $(seq 1 100); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  log "no free port found"
  exit 1
}

# The same MIME types as src/mime.rs gives these files, nothing else.
write_nginx_conf() { # port
  cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  # As Debian's own nginx.conf has it: with sendfile, the head and a small body
  # leave in one segment (TCP_CORK), as ours do with MSG_MORE.
  tcp_nopush on;
  server_tokens off;
  types { text/plain txt; text/html html htm; }
  default_type application/octet-stream;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  server { listen 127.0.0.1:$1; root $WORK/www; }
}
EOF
}

# --- measuring a process tree --------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)

# The server and its children (nginx's workers); our threads count in the pid.
tree_pids() {
  local root=$1 stat stat_line rest
  echo "$root"
  for stat in /proc/[0-9]*/stat; do
    { read -r stat_line <"$stat"; } 2>/dev/null || continue
    rest=${stat_line##*) }
    set -- $rest
    [ "$2" = "$root" ] && { stat=${stat#/proc/}; echo "${stat%/stat}"; }
  done
  return 0
}

# utime+stime of the tree, in clock ticks.
tree_ticks() {
  local total=0 pid stat_line rest
  for pid in $(tree_pids "$1"); do
    { read -r stat_line <"/proc/$pid/stat"; } 2>/dev/null || continue
    rest=${stat_line##*) }
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

# VmHWM of the tree, in KiB.
tree_hwm_kib() {
  local total=0 pid kib
  for pid in $(tree_pids "$1"); do
    kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + ${kib:-0}))
  done
  echo "$total"
}

# --- starting and stopping the servers ------------------------------------------
PORT=""

# Up to 5 s for SERVER_PID to accept on PORT; fails at once if it exits.
await_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

start_server() {
  local name=$1
  case $name in
  ours)
    "$OURS_BIN" --root "$WORK/www" --bind 127.0.0.1 0 >"$WORK/ours.out" 2>"$WORK/ours.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
      PORT=$(sed -n 's#^listening on http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/ours.out")
      [ -n "$PORT" ] && return
      sleep 0.05
    done
    ;;
  floor)
    PORT=$(free_port)
    "$FLOOR_BIN" "$PORT" &
    SERVER_PID=$!
    await_port && return
    ;;
  nginx)
    PORT=$(free_port)
    write_nginx_conf "$PORT"
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
    SERVER_PID=$!
    await_port && return
    ;;
  esac
  log "$name did not start"
  exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# --- the scenarios --------------------------------------------------------------
RESULTS=$WORK/results.tsv
: >"$RESULTS"
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; } # server metric value

# wrk's latency figure in ms, whatever unit it printed.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

run_wrk() { # server scenario [header...]
  local server=$1 scenario=$2
  shift 2
  local headers=() before after out requests
  for h in "$@"; do headers+=(-H "$h"); done
  before=$(tree_ticks "$SERVER_PID")
  out=$(timeout $((SECONDS_PER_RUN + GRACE)) wrk -t"$WRK_THREADS" -c"$CONNECTIONS" \
    -d"${SECONDS_PER_RUN}s" --latency "${headers[@]}" "http://127.0.0.1:$PORT/file1.txt")
  after=$(tree_ticks "$SERVER_PID")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  record "$server" "$scenario.rps" "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  record "$server" "$scenario.p99" "$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  record "$server" "$scenario.cpu" "$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" \
    'BEGIN {printf "%.1f", t / hz * 1e6 / n}')"
  # Socket errors (connect, read, write, timeout) and non-2xx, per 1000 requests.
  record "$server" "$scenario.err" "$(awk -v n="$requests" '
    /Socket errors/ { gsub(/[^0-9 ]/, " "); e += $1 + $2 + $3 + $4 }
    /Non-2xx/ { e += $NF }
    END { printf "%.1f", e * 1000 / n }' <<<"$out")"
}

run_bulk() { # server scenario path
  local server=$1 scenario=$2 path=$3 before after out
  before=$(tree_ticks "$SERVER_PID")
  out=$(timeout $((SECONDS_PER_RUN + GRACE)) "$LOADER" "127.0.0.1:$PORT" "$path" \
    "$BULK_CONNECTIONS" "$SECONDS_PER_RUN")
  after=$(tree_ticks "$SERVER_PID")
  # requests=N bytes=B seconds=S errors=E
  local bytes seconds errors
  bytes=$(sed 's/.*bytes=\([0-9]*\).*/\1/' <<<"$out")
  seconds=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$out")
  errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$out")
  [ "$errors" = 0 ] || log "   $server $scenario: $errors incomplete responses"
  record "$server" "$scenario.mbps" "$(awk -v b="$bytes" -v s="$seconds" 'BEGIN {printf "%.0f", b / s / 1e6}')"
  record "$server" "$scenario.cpu" "$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v b="$bytes" \
    'BEGIN {printf "%.1f", t / hz * 1e6 / (b / 1048576)}')"
}

run_round() { # server
  local server=$1
  start_server "$server"
  if [ "$server" = floor ]; then
    run_wrk floor close "Connection: close"
    stop_server
    return
  fi
  run_wrk "$server" close "Connection: close"
  run_wrk "$server" keepalive
  run_bulk "$server" 1m /1m.bin
  run_bulk "$server" 100m /100m.bin
  record "$server" rss "$(awk -v k="$(tree_hwm_kib "$SERVER_PID")" 'BEGIN {printf "%.1f", k / 1024}')"
  stop_server
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$ROUNDS"); do
  case $((round % 3)) in
  1) order="ours nginx floor" ;;
  2) order="nginx floor ours" ;;
  0) order="floor ours nginx" ;;
  esac
  for server in $order; do
    log "== round $round/$ROUNDS: $server"
    run_round "$server"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ------------------------------------------------------------------
values() { awk -F'\t' -v s="$1" -v m="$2" '$1 == s && $2 == m {print $3}' "$RESULTS" | sort -g; }
median() { values "$1" "$2" | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
spread() { values "$1" "$2" | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "-" hi}'; }
row() { # label metric target
  local ours nginx ratio
  ours=$(median ours "$2")
  nginx=$(median nginx "$2")
  ratio=$(awk -v a="$ours" -v b="$nginx" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')
  printf '| %s | %s (%s) | %s (%s) | %s | %s |\n' "$1" "$ours" "$(spread ours "$2")" \
    "$nginx" "$(spread nginx "$2")" "$ratio" "$3"
}

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cat <<EOF

Benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): \`bench/run.sh\` (ROUNDS=$ROUNDS, SECONDS_PER_RUN=$SECONDS_PER_RUN, CONNECTIONS=$CONNECTIONS, WRK_THREADS=$WRK_THREADS, BULK_CONNECTIONS=$BULK_CONNECTIONS)
Machine: $cpu_model, $(nproc) CPUs, Linux $(uname -r); load average $LOAD_BEFORE before, $LOAD_AFTER after.
Versions: webserver $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($RUSTC_VERSION), $NGINX_VERSION, $WRK_VERSION.
Median over $ROUNDS rounds (min-max); servers alternate, on loopback, serving the same files.

| scenario | ours | nginx | ours/nginx | target |
| --- | --- | --- | --- | --- |
EOF
row "1. file1.txt, Connection: close: requests/s" close.rps ">= 1.0"
row "1. ... p99 latency, ms" close.p99 ""
row "1. ... server CPU, µs/request" close.cpu "<= 0.8"
row "1. ... errors per 1000 requests" close.err ""
floor=$(median floor close.cpu)
printf '| 1. ... floor: server CPU of bench/floor.rs (answers without parsing or a file), µs/request | %s (%s) | %s | %s | what no server avoids |\n' \
  "$floor" "$(spread floor close.cpu)" "$(median nginx close.cpu)" \
  "$(awk -v a="$floor" -v b="$(median nginx close.cpu)" 'BEGIN {printf "%.2f", a / b}')"
row "2. file1.txt, keep-alive client: requests/s" keepalive.rps ""
row "2. ... p99 latency, ms" keepalive.p99 ""
row "2. ... server CPU, µs/request" keepalive.cpu ""
row "2. ... errors per 1000 requests" keepalive.err ""
row "3. 1 MiB file: MB/s" 1m.mbps ">= 1.0"
row "3. ... server CPU, µs/MiB" 1m.cpu ""
row "3. 100 MiB file: MB/s" 100m.mbps ">= 1.0"
row "3. ... server CPU, µs/MiB" 100m.cpu ""
row "4. peak RSS (VmHWM of the tree), MiB" rss "ours <= 8"
