#!/usr/bin/env bash
# Redis outage under load: the standalone server (ratelimiter-http) on the Redis backend, under
# wrk, while Redis is killed (SIGKILL, by PID) and restarted on the same port. For each failure
# policy it reports:
#   - 5xx responses (from the server's http_server_responses_total; fail-open and
#     local-fallback must have none; fail-closed answers 503 while Redis is down, by design);
#   - check latency inside the JVM while the circuit is open: p50/p99 of the
#     ratelimiter_check_latency_seconds histogram between the circuit opening and the restart
#     (target p99 < 1 ms);
#   - recovery: seconds from Redis accepting connections again until checks are decided by Redis
#     again (circuit closed and ratelimiter_checks_degraded_total no longer growing; target <= 2 s);
#   - degraded checks while Redis was up before the kill (must be 0).
#
# Loopback only; bounded in time (each policy: DURATION of wrk, every wait has a deadline); kills
# everything it started, by PID, on exit. Figures and how to read them: notes/redis-figures.md.
#
# Usage: benchmarks/scripts/redis-outage.sh
#        POLICIES="fail-open" DURATION=8 KILL_AT=2 DOWN_FOR=2 CONNECTIONS=16 benchmarks/scripts/redis-outage.sh
# Env: POLICIES (default "fail-open fail-closed local-fallback"), DURATION seconds of wrk per
#      policy (12), KILL_AT seconds into the run (3), DOWN_FOR seconds Redis stays dead (3),
#      CONNECTIONS (64), WRK_THREADS (2), JAVA_OPTS, BUILD=off to skip the Maven build.
# Needs: Java 17, Maven, python3, wrk (installed with apt-get if missing and root), and a
#        redis-server: from PATH, else the binary inside the embedded-redis jar in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/../.."

POLICIES=${POLICIES:-"fail-open fail-closed local-fallback"}
DURATION=${DURATION:-12}
KILL_AT=${KILL_AT:-3}
DOWN_FOR=${DOWN_FOR:-3}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}
SCRIPTS=benchmarks/scripts
if (( DURATION < KILL_AT + DOWN_FOR + 3 || DURATION > 120 )); then
  echo "DURATION must be at least KILL_AT + DOWN_FOR + 3 s and at most 120 s" >&2; exit 2
fi

if ! command -v wrk >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  fi
  command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
fi

if [[ "${BUILD:-on}" != off ]]; then
  mvn -q -B -o -pl http-adapter -am package -DskipTests
fi
JAR=$(ls http-adapter/target/ratelimiter-http-*-all.jar | head -1)

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

REDIS_BIN=$(command -v redis-server || true)
if [[ -z "$REDIS_BIN" ]]; then
  EMBEDDED=$(find ~/.m2/repository/com/github/codemonstur/embedded-redis -name '*.jar' 2>/dev/null | sort | tail -1)
  [[ -n "$EMBEDDED" ]] || { echo "no redis-server on PATH and no embedded-redis jar in ~/.m2" >&2; exit 1; }
  REDIS_BIN=$TMP/redis-server
  unzip -p "$EMBEDDED" redis-server-6.2.6-v5-linux-amd64 >"$REDIS_BIN" && chmod +x "$REDIS_BIN"
fi
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

REDIS_PID=
start_redis() { # start_redis PORT: starts redis-server and waits until it accepts connections
  "$REDIS_BIN" --port "$1" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --loglevel warning >"$TMP/redis-$1.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 200); do
    if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1', $1), 0.2); s.sendall(b'PING\r\n'); sys.exit(0 if s.recv(16).startswith(b'+PONG') else 1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.02
  done
  echo "redis-server did not start on port $1" >&2; cat "$TMP/redis-$1.log" >&2; exit 1
}

metrics() { curl -s --max-time 2 "$SERVER/metrics" > "$1" || true; }
metric() { # metric FILE NAME: the value of an unlabelled (or first matching) sample, else 0
  awk -v n="$2" '$1 == n || index($1, n "{") == 1 { print $2; found=1; exit } END { if (!found) print 0 }' "$1"
}
five_xx() { awk '/^http_server_responses_total\{status="5/ { s += $2 } END { print s + 0 }' "$1"; }
# percentiles FROM TO: p50 and p99 (microseconds) of the latency histogram between two scrapes
percentiles() {
  python3 - "$1" "$2" <<'PY'
import re, sys
def buckets(path):
    out = {}
    for line in open(path):
        m = re.match(r'ratelimiter_check_latency_seconds_bucket\{le="([^"]+)"\} (\S+)', line)
        if m:
            out[float(m.group(1))] = float(m.group(2))
    return out
a, b = buckets(sys.argv[1]), buckets(sys.argv[2])
les = sorted(b)
delta = [(le, b[le] - a.get(le, 0)) for le in les]
total = delta[-1][1] if delta else 0
def q(p):
    for le, c in delta:
        if c >= p * total:
            return "%.0f" % (le * 1e6) if le != float("inf") else "inf"
    return "n/a"
print("%d %s %s" % (total, q(0.50), q(0.99)))
PY
}

printf '%-15s %10s %6s %9s %12s %12s %12s %10s %10s\n' policy requests 5xx degraded_up \
  open_checks open_p50_us open_p99_us recovery_s overloaded
for POLICY in $POLICIES; do
  REDIS_PORT=$(free_port)
  start_redis "$REDIS_PORT"
  LOG=$TMP/server-$POLICY.log
  RATE_LIMITER_BACKEND=redis RATE_LIMITER_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    RATE_LIMITER_FAILURE_POLICY="$POLICY" RATE_LIMITER_HOST=127.0.0.1 RATE_LIMITER_PORT=0 \
    java $JAVA_OPTS -jar "$JAR" >"$LOG" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER=
  for _ in $(seq 150); do
    if grep -q "listening on http://" "$LOG"; then
      SERVER=$(grep -o 'http://[^ ]*' "$LOG" | head -1); break
    fi
    sleep 0.1
  done
  [[ -n "$SERVER" ]] || { echo "server did not start" >&2; cat "$LOG" >&2; exit 1; }

  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$SCRIPTS/http-10k.lua" \
    "$SERVER/api/ratelimit/check" >"$TMP/wrk-$POLICY.txt" 2>&1 &
  WRK_PID=$!
  PIDS+=("$WRK_PID")

  sleep "$KILL_AT"
  metrics "$TMP/m0"
  kill -9 "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true

  # Wait (bounded) for the circuit to open: ratelimiter_store_circuit_state 1.
  for _ in $(seq 100); do
    metrics "$TMP/m1"
    [[ $(metric "$TMP/m1" ratelimiter_store_circuit_state) == 1.0 ]] && break
    sleep 0.05
  done
  sleep "$DOWN_FOR"
  metrics "$TMP/m2"
  start_redis "$REDIS_PORT"
  BACK=$(date +%s.%N)

  # Recovered: circuit closed and the degraded counter stopped growing between two scrapes.
  RECOVERY=timeout
  prev=$(metric "$TMP/m2" ratelimiter_checks_degraded_total)
  for _ in $(seq 150); do
    sleep 0.05
    metrics "$TMP/m3"
    now=$(metric "$TMP/m3" ratelimiter_checks_degraded_total)
    if [[ $(metric "$TMP/m3" ratelimiter_store_circuit_state) == 0.0 && "$now" == "$prev" ]]; then
      RECOVERY=$(python3 -c "import time; print('%.2f' % (time.time() - $BACK))"); break
    fi
    prev=$now
  done

  wait "$WRK_PID" 2>/dev/null || true
  metrics "$TMP/m4"
  REQUESTS=$(awk '/requests in/ { print $1 }' "$TMP/wrk-$POLICY.txt")
  read -r OPEN_N OPEN_P50 OPEN_P99 < <(percentiles "$TMP/m1" "$TMP/m2")
  OVERLOADED=$(awk '/^ratelimiter_checks_total\{outcome="overloaded"/ { s += $2 } END { print s + 0 }' "$TMP/m4")
  printf '%-15s %10s %6s %9s %12s %12s %12s %10s %10s\n' "$POLICY" "${REQUESTS:-?}" \
    "$(five_xx "$TMP/m4")" "$(metric "$TMP/m0" ratelimiter_checks_degraded_total)" \
    "$OPEN_N" "$OPEN_P50" "$OPEN_P99" "$RECOVERY" "$OVERLOADED"

  kill -9 "$SERVER_PID" "$REDIS_PID" 2>/dev/null || true
  wait "$SERVER_PID" "$REDIS_PID" 2>/dev/null || true
done
