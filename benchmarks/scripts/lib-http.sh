#!/usr/bin/env bash
# Shared by the http-*.sh scripts (source it; do not run it). Everything stays on 127.0.0.1;
# every process started here is recorded and killed by PID on exit.
#
#   JAVA_HOME   which JDK runs the server and the probes (default: the java on PATH)
#   JAVA_OPTS   the server's JVM flags; default "-Xmx192m", the README's run command
#   SKIP_BUILD  1: use the jars already in target/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVA_OPTS=${JAVA_OPTS:--Xmx192m}
SCRIPTS=benchmarks/scripts
# Many connections need many descriptors, in this shell and what it starts.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -q -B -ntp -o -pl http-adapter,benchmarks -am package -DskipTests \
    || mvn -q -B -ntp -pl http-adapter,benchmarks -am package -DskipTests
fi
JAR=$(ls http-adapter/target/ratelimiter-http-*-all.jar | head -1)
PROBES=benchmarks/target/classes

PIDS=()
LOGS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  # A JVM that does not exit within 20 s of SIGTERM (shutdown grace is 10 s) is killed.
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "process $pid did not exit 20 s after SIGTERM: killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  for log in "${LOGS[@]}"; do rm -f "$log"; done
}
trap cleanup EXIT

# start_server VAR PIDVAR LOGVAR command...: starts the command in the background, waits for
# its "listening on http://..." line; stores the URL in VAR, the PID in PIDVAR, the log path in
# LOGVAR.
start_server() {
  local var=$1 pidvar=$2 logvar=$3; shift 3
  local log; log=$(mktemp)
  LOGS+=("$log")
  "$@" >"$log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 200); do
    if grep -q "listening on http://" "$log"; then
      printf -v "$var" '%s' "$(grep -o 'http://[^ ]*' "$log" | head -1)"
      printf -v "$pidvar" '%s' "$pid"
      printf -v "$logvar" '%s' "$log"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start: $*" >&2; cat "$log" >&2; exit 1
}

# start_product VAR PIDVAR LOGVAR [ENV=VALUE...]: the standalone jar on a free loopback port.
start_product() {
  local var=$1 pidvar=$2 logvar=$3; shift 3
  # shellcheck disable=SC2086
  start_server "$var" "$pidvar" "$logvar" env RATE_LIMITER_PORT=0 RATE_LIMITER_HOST=127.0.0.1 \
    "$@" "$JAVA" $JAVA_OPTS -jar "$JAR"
}

# metric URL NAME: the sum of a metric's samples on /metrics (0 if absent).
metric() {
  curl -s --max-time 5 "$1/metrics" | awk -v m="$2" '
    index($0, m) == 1 && (substr($0, length(m) + 1, 1) == "{" || substr($0, length(m) + 1, 1) == " ") {
      s += $NF } END { printf "%d\n", s + 0 }'
}

# open_connections URL: TCP connections to the URL's port in any state but TIME-WAIT (ss).
open_connections() {
  local port=${1##*:}
  ss -Htn state established state close-wait state syn-recv state fin-wait-1 state fin-wait-2 \
    state last-ack state closing "( sport = :$port )" | wc -l
}

# rss_mb PID: resident set size in MiB.
rss_mb() { awk '/^VmRSS/ {printf "%d\n", $2 / 1024}' "/proc/$1/status"; }

# require_degraded_unchanged URL BEFORE: fails the script if decisions were taken without the
# store during the run (a load test that measured fail-open measured nothing).
require_degraded_unchanged() {
  local after; after=$(metric "$1" ratelimiter_checks_degraded_total)
  if [[ "$after" != "$2" ]]; then
    echo "FAIL: ratelimiter_checks_degraded_total moved from $2 to $after during the run" >&2
    exit 1
  fi
  echo "ratelimiter_checks_degraded_total unchanged ($after)"
}

java_version() { "$JAVA" -version 2>&1 | head -1; }
