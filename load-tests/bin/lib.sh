# Shared helpers of the load-tests/bin benchmarks (sourced, not run).
LT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"   # load-tests/
REPO_ROOT="$(cd "$LT_ROOT/.." && pwd)"

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# Installs Debian packages whose command is missing (a fresh machine lacks them): need CMD PACKAGE ...
need() {
  local missing=()
  while [ $# -gt 1 ]; do
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
    shift 2
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing from Debian: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
    else
      sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
    fi
  fi
}

free_port() {
  python3 - 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# A free port that is also free for UDP (SIP listens on both), below the kernel's ephemeral range:
# a port in that range can be the local end of any outgoing connection (wrk leaves thousands in
# TIME-WAIT), and then redis-server failed to bind it although no socket listened there.
free_sip_port() {
  local p low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 21000 ] 2>/dev/null || low=32768
  while :; do
    p=$((20000 + RANDOM % (low - 20000)))
    if ! ss -Hanu "sport = :$p" 2>/dev/null | grep -q . && ! ss -Hant "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"; return
    fi
  done
}

# The pid and its descendants.
pid_tree() {
  local p=$1
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pid_tree "$c"; done
}

# CPU ticks (user+system) used so far by a process tree.
cpu_ticks() {
  local total=0 t
  for p in $(pid_tree "$1"); do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

# CPU ticks of one thread, from its /proc/PID/task/TID directory: "user+system user"; fails if the
# thread is gone. Its name sits in parentheses in stat and may hold spaces ("C2 CompilerThre"), so the
# fields are counted from the closing one.
task_ticks() {
  local stat
  stat=$(cat "$1/stat" 2>/dev/null) || return 1
  echo "${stat##*) }" | awk '{print $12 + $13, $12}'
}

# Resident memory (MB) of a process tree (sum of VmRSS; Kamailio's shared memory counts once per process).
rss_mb() {
  local total=0 r
  for p in $(pid_tree "$1"); do
    r=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${r:-0}))
  done
  echo $((total / 1024))
}

HZ=$(getconf CLK_TCK)

# runq_ns PID [COMM_REGEX]: ns the process's threads (those whose name matches) have spent runnable
# but waiting for a core, so far (/proc/PID/task/*/schedstat, its second field)
runq_ns() {
  local re=${2:-.} total=0 t w
  for t in /proc/"$1"/task/*; do
    grep -qE "$re" "$t/comm" 2>/dev/null || continue
    w=$(awk '{print $2}' "$t/schedstat" 2>/dev/null || echo 0)
    total=$((total + ${w:-0}))
  done
  echo "$total"
}

# psi_cpu_us: µs in which at least one task on the host waited for a core, so far (/proc/pressure/cpu), or 0
psi_cpu_us() { awk '/^some/ { sub("total=", "", $5); print $5; f = 1 } END { if (!f) print 0 }' /proc/pressure/cpu 2>/dev/null || echo 0; }

# CPU % (of one core) a process tree used between two tick counts over a number of seconds.
cpu_pct() { awk -v a="$1" -v b="$2" -v s="$3" -v hz="$HZ" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }'; }

machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -r)"
}

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

# The classpath of the load-tests module (compiled by Maven from this checkout when stale).
lt_classpath() {
  local cpfile="$LT_ROOT/target/classpath.txt"
  if [ ! -f "$cpfile" ] || [ -n "$(find "$REPO_ROOT/core/src" "$LT_ROOT/src" -newer "$cpfile" -type f -print -quit)" ]; then
    log "compiling core + load-tests"
    (cd "$REPO_ROOT" && mvn -B -q -pl load-tests -am test-compile dependency:build-classpath -DskipTests \
      -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=runtime >&2)
  fi
  echo "$REPO_ROOT/core/target/classes:$LT_ROOT/target/classes:$(cat "$cpfile")"
}

# Starts Debian's redis-server on a port, installing it when missing (the figures are Redis's own
# release, the one the suite and the operations guide use). Sets REDIS_PID. start_redis PORT
start_redis() {
  local port=$1
  need redis-server redis-server redis-cli redis-tools
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "redis-server did not start"; cat "$WORK/redis.log" >&2; return 1
}

# The router benchmarks' set-up on loopback (router-threads, router-call-memory, router-outage); each
# expects WORK, PIDS, NUMBER and SIPP_DIR. bench_redis [ON_EXHAUSTED]: a redis-server with the "bench"
# property and a pool of NUMBER whose calls go to the SIPp business line (ON_EXHAUSTED: the pool's
# onExhausted; none: the engine's default). Sets REDIS_PORT, REDIS_PID and UAS_PORT.
bench_redis() {
  local exhausted=""
  [ -n "${1:-}" ] && exhausted=", \"onExhausted\": \"$1\""
  REDIS_PORT=$(free_sip_port); UAS_PORT=$(free_sip_port)
  start_redis "$REDIS_PORT"; PIDS+=("$REDIS_PID")
  cat > "$WORK/config.json" <<JSON
{"properties": [{"id": "bench", "name": "bench", "swapNumbers": ["+15559990000"], "defaultNumber": "+15559990000",
                 "businessLine": "sip:+15559990000@127.0.0.1:$UAS_PORT", "timezone": "UTC"}],
 "pools": [{"id": "bench-pool", "property": "bench", "numbers": ["$NUMBER"], "leaseSeconds": 120, "holdSeconds": 1800$exhausted}]}
JSON
  java -cp "$(lt_classpath)" io.calltrack.loadtests.bench.ApplyConfig "redis://127.0.0.1:$REDIS_PORT" "$WORK/config.json" >&2
}

# bench_router: the SIPp business line on UAS_PORT, then ./calltrack sip-router against bench_redis's
# Redis, waiting until it listens. Sets UAS_PID, ROUTER_PORT, METRICS_PORT and JVM_PID (the router's java).
bench_router() {
  ROUTER_PORT=$(free_sip_port); METRICS_PORT=$(free_sip_port)
  (cd "$WORK" && exec sipp -sf "$SIPP_DIR/business-line-uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -buff_size 4194304 \
    -nostdin -bg >/dev/null 2>"$WORK/uas.err") || true
  UAS_PID=$(pgrep -n -f "sipp -sf $SIPP_DIR/business-line-uas.xml -i 127.0.0.1 -p $UAS_PORT" || true)
  [ -n "$UAS_PID" ] || { log "SIPp UAS did not start"; cat "$WORK/uas.err" >&2; exit 1; }
  PIDS+=("$UAS_PID")
  CALLTRACK_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" CALLTRACK_SIP_PORT=$ROUTER_PORT CALLTRACK_SIP_HOST=127.0.0.1 \
    CALLTRACK_SIP_TRUNKS=127.0.0.0/8 CALLTRACK_SIP_MAX_CPS_PER_SOURCE=0 CALLTRACK_HTTP_HOST=127.0.0.1 \
    CALLTRACK_HTTP_PORT=$(free_sip_port) CALLTRACK_METRICS_PORT=$METRICS_PORT CALLTRACK_DATA_DIR="$WORK/data" \
    "$REPO_ROOT/calltrack" sip-router >"$WORK/router.log" 2>&1 &
  local launcher=$!
  PIDS+=("$launcher")
  for _ in $(seq 300); do ss -Hlun "sport = :$ROUTER_PORT" | grep -q . && break; sleep 0.2; done
  JVM_PID=$(pgrep -P "$launcher" java || echo "$launcher")
}

# Percentiles of a file of numbers (one per line): pctl FILE 50 99 99.9 -> "p50 p99 p99.9"
pctl() {
  local f=$1; shift
  sort -g "$f" | awk -v ps="$*" '{ v[NR] = $1 } END {
    n = split(ps, p, " "); out = "";
    for (i = 1; i <= n; i++) { k = int(NR * p[i] / 100 + 0.999999); if (k < 1) k = 1; if (k > NR) k = NR;
      out = out (NR ? sprintf("%.2f", v[k]) : "-") (i < n ? " " : "") }
    print out }'
}
