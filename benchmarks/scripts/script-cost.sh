#!/usr/bin/env bash
# The Redis script's cost per check (cmdstat_evalsha usec_per_call), this build against an
# optional baseline build in the same run, on a throw-away redis-server on 127.0.0.1 (killed by
# PID at the end). 1 and 3 limits, RUNS rounds of CHECKS sequential checks each (default 3 x
# 20,000: a few seconds).
#
# Usage: benchmarks/scripts/script-cost.sh [BASELINE_CLASSPATH]
#   BASELINE_CLASSPATH: the baseline's ratelimiter-core and ratelimiter-redis jars (colon-
#   separated); they go first on the class path, so their classes win over this build's.
#   Build this one first: mvn -B -ntp -pl benchmarks -am package -DskipTests
set -euo pipefail
BJ=${BENCH_JAR:-benchmarks/target/benchmarks.jar}
BASE=${1:-}
RUNS=${RUNS:-3}
CHECKS=${CHECKS:-20000}
[ -f "$BJ" ] || { echo "no $BJ; build it first" >&2; exit 2; }
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no > /dev/null 2>&1 &
RP=$!
trap 'kill $RP 2>/dev/null; wait $RP 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done
for limits in 1 3; do
  for run in $(seq 1 "$RUNS"); do
    for which in baseline this; do
      if [ "$which" = baseline ]; then [ -n "$BASE" ] || continue; CP="$BASE:$BJ"; else CP="$BJ"; fi
      redis-cli -p "$PORT" config resetstat > /dev/null
      java -cp "$CP" dev.ratelimiter.benchmarks.redis.ScriptCost "redis://127.0.0.1:$PORT" \
          "$CHECKS" "$which$run$limits:" "$limits" 2> /dev/null
      echo "limits=$limits run=$run $which $(redis-cli -p "$PORT" info commandstats \
          | grep cmdstat_evalsha | tr -d '\r' | sed 's/.*usec_per_call=\([0-9.]*\).*/usec_per_call=\1/')"
    done
  done
done
