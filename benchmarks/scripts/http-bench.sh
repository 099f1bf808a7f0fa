#!/usr/bin/env bash
# HTTP benchmark of the standalone server (ratelimiter-http) with wrk, on loopback only.
#
# In one run it starts, on free ports:
#   - the transport ceiling: TrivialJsonServer, a JDK HttpServer answering a fixed 200 JSON
#     body with a fixed pool of 8 threads and TCP_NODELAY, and nothing of the product's own
#     settings (its executor is what the ratio measures);
#   - the real server on the Caffeine backend with the default policy (capacity 10, 2/s);
#   - unless REDIS=off: the real server on the Redis backend, against REDIS_URL if set, else a
#     redis-server on a free loopback port (from PATH, or the binary inside the embedded-redis
#     jar in ~/.m2), started and killed by this script;
# then measures each with wrk (64 connections by default) for a hot key and for 10k keys,
# RUNS times, interleaved, after a warm-up, and prints medians of requests/s, p50 and p99, and
# the ratio to the ceiling two ways: of the medians, and the median of each run's ratio to the
# ceiling run of its round (the steadier one on a machine whose speed drifts). It kills only the processes it started, by PID.
#
# Usage: benchmarks/scripts/http-bench.sh            (RUNS=3 DURATION=10s CONNECTIONS=64)
#        RUNS=5 DURATION=20s benchmarks/scripts/http-bench.sh
# Either JDK: JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/scripts/http-bench.sh
# (the server then runs exchanges on virtual threads). Fails if ratelimiter_checks_degraded_total,
# an "overloaded" outcome or a queue shed moved on a product server during the runs (a run that
# measured fail-open or 503s measured nothing). Every server runs with its defaults.
# Needs: wrk (apt-get install -y wrk), Java 17+, Maven.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
JAVA_OPTS=${JAVA_OPTS:--Xmx192m}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
SCRIPTS=benchmarks/scripts

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }

mvn -q -B -pl http-adapter,benchmarks -am package -DskipTests
JAR=$(ls http-adapter/target/ratelimiter-http-*-all.jar | head -1)

PIDS=()
LOGS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for log in "${LOGS[@]}"; do rm -f "$log"; done
}
trap cleanup EXIT

# start_server VAR command...: starts the command, waits for its "listening on http://..." line
# and stores that URL in VAR.
start_server() {
  local var=$1; shift
  local log; log=$(mktemp)
  LOGS+=("$log")
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 150); do
    if grep -q "listening on http://" "$log"; then
      printf -v "$var" '%s' "$(grep -o 'http://[^ ]*' "$log" | head -1)"
      return 0
    fi
    sleep 0.1
  done
  echo "server did not start: $*" >&2; cat "$log" >&2; exit 1
}

REDIS=${REDIS:-on}
REDIS_PID=
if [[ "$REDIS" != off && -z "${REDIS_URL:-}" ]]; then
  REDIS_BIN=$(command -v redis-server || true)
  if [[ -z "$REDIS_BIN" ]]; then
    EMBEDDED=$(find ~/.m2/repository/com/github/codemonstur/embedded-redis -name '*.jar' 2>/dev/null | sort | tail -1)
    if [[ -n "$EMBEDDED" ]]; then
      REDIS_BIN=$(mktemp)
      LOGS+=("$REDIS_BIN")
      unzip -p "$EMBEDDED" redis-server-6.2.6-v5-linux-amd64 >"$REDIS_BIN" && chmod +x "$REDIS_BIN"
    fi
  fi
  if [[ -n "$REDIS_BIN" ]]; then
    REDIS_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$REDIS_BIN" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize no --loglevel warning >/dev/null 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    sleep 0.5
  else
    echo "no redis-server found: skipping the Redis case (set REDIS_URL to use one)" >&2
    REDIS=off
  fi
fi

start_server CEILING "$JAVA" $JAVA_OPTS -cp benchmarks/target/classes \
  dev.ratelimiter.benchmarks.http.TrivialJsonServer 0 8
start_server CAFFEINE env RATE_LIMITER_PORT=0 RATE_LIMITER_HOST=127.0.0.1 \
  RATE_LIMITER_BACKEND=caffeine "$JAVA" $JAVA_OPTS -jar "$JAR"

# to_ms VALUE: wrk prints 850.00us, 1.23ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else { printf "%s", v } }'
}

if [[ "$REDIS" != off ]]; then
  # Nothing tuned but the URL and a key prefix: the figure is what a user gets by default. A
  # check that Redis did not decide would move ratelimiter_checks_degraded_total, which fails
  # the run below.
  start_server REDIS_SERVER env RATE_LIMITER_PORT=0 RATE_LIMITER_HOST=127.0.0.1 \
    RATE_LIMITER_BACKEND=redis RATE_LIMITER_REDIS_URL="$REDIS_URL" \
    RATE_LIMITER_REDIS_KEY_PREFIX="bench:$$:" "$JAVA" $JAVA_OPTS -jar "$JAR"
fi

declare -A RPS P50 P99 NON2XX
# measure NAME URL SCRIPT
measure() {
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$SCRIPTS/$3" \
        "$2/api/ratelimit/check")
  RPS[$1]+="$(awk '/^Requests\/sec/ {print $2}' <<<"$out") "
  P50[$1]+="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")") "
  P99[$1]+="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") "
  NON2XX[$1]+="$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0) "
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# degraded URL: decisions taken without the store, plus checks refused as overload (an
# "overloaded" outcome or a request shed from the queue): none of them is a decision, so a
# figure containing any of them measures nothing.
degraded() {
  curl -s --max-time 5 "$1/metrics" | awk '/^ratelimiter_checks_degraded_total/ ||
      /^ratelimiter_checks_total\{.*outcome="overloaded"/ || /^ratelimiter_http_queue_shed_total/ {
      s += $NF} END {printf "%d\n", s + 0}'
}
DEGRADED_BEFORE="$(degraded "$CAFFEINE") ${REDIS_SERVER:+$(degraded "$REDIS_SERVER")}"
echo "warming up (${WARMUP} each)..." >&2
for url in "$CEILING" "$CAFFEINE" ${REDIS_SERVER:+"$REDIS_SERVER"}; do
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$SCRIPTS/http-10k.lua" \
    "$url/api/ratelimit/check" >/dev/null
done

CASES=("ceiling|$CEILING|http-hot.lua" "caffeine-hot|$CAFFEINE|http-hot.lua"
       "caffeine-10k|$CAFFEINE|http-10k.lua")
NAMES=(ceiling caffeine-hot caffeine-10k)
if [[ "$REDIS" != off ]]; then
  CASES+=("redis-hot|$REDIS_SERVER|http-hot.lua" "redis-10k|$REDIS_SERVER|http-10k.lua")
  NAMES+=(redis-hot redis-10k)
fi
for run in $(seq "$RUNS"); do
  for c in "${CASES[@]}"; do
    IFS='|' read -r name url script <<<"$c"
    echo "run $run/$RUNS: $name" >&2
    measure "$name" "$url" "$script"
  done
done

ceiling=$(median <<<"${RPS[ceiling]}")
echo
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $("$JAVA" -version 2>&1 | head -1)  wrk: $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs each, medians; JAVA_OPTS=$JAVA_OPTS"
echo
# Two ratios: of the medians, and the median of each run's ratio to the ceiling run of the same
# round (measured seconds apart, so it cancels most of the machine's drift between rounds).
echo "| case | requests/s | p50 ms | p99 ms | non-2xx per run | vs ceiling (of medians) | vs ceiling (median per run) | runs (req/s) |"
echo "|---|---|---|---|---|---|---|---|"
for name in "${NAMES[@]}"; do
  rps=$(median <<<"${RPS[$name]}")
  ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN {printf "%.2f", a / b}')
  paired=$(paste <(tr ' ' '\n' <<<"${RPS[$name]}" | grep .) <(tr ' ' '\n' <<<"${RPS[ceiling]}" | grep .) \
           | awk '{printf "%.4f ", $1 / $2}' | median)
  echo "| $name | $rps | $(median <<<"${P50[$name]}") | $(median <<<"${P99[$name]}") |" \
       "$(median <<<"${NON2XX[$name]}") | $ratio | $(printf '%.2f' "$paired") | ${RPS[$name]}|"
done
if [[ "$REDIS" != off ]]; then
  echo
  echo "Redis server after the runs (decisions taken without Redis would inflate its figures):"
  curl -s "$REDIS_SERVER/metrics" \
    | grep -E '^ratelimiter_checks_(degraded_)?total|^ratelimiter_store_circuit_state|^http_server_responses_total' || true
fi
DEGRADED_AFTER="$(degraded "$CAFFEINE") ${REDIS_SERVER:+$(degraded "$REDIS_SERVER")}"
if [[ "$DEGRADED_AFTER" != "$DEGRADED_BEFORE" ]]; then
  echo "FAIL: degraded or overloaded checks moved ($DEGRADED_BEFORE -> $DEGRADED_AFTER):" \
       "answers were given without a decision by the store" >&2
  exit 1
fi
echo "degraded and overloaded checks unchanged ($DEGRADED_AFTER)"
