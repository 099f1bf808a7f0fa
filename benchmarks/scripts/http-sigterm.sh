#!/usr/bin/env bash
# SIGTERM under load (issue 11): wrk at CONNECTIONS (64) kept-alive connections against the
# standalone jar; after LEAD seconds (3) the server gets SIGTERM. Passes if every request
# already sent was answered (wrk's read/write/timeout errors are 0: a request on a kept-alive
# connection that got no response shows as a read error; connections refused after the stop
# show as connect errors and are expected), the process exited within RATE_LIMITER_SHUTDOWN_GRACE
# (10 s) + 1 s, with status 0 or 143, and the log holds no exception.
#
# Usage: benchmarks/scripts/http-sigterm.sh
#        JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/scripts/http-sigterm.sh
# Needs wrk (apt-get install -y wrk).
source "$(dirname "$0")/lib-http.sh"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
CONNECTIONS=${CONNECTIONS:-64}
LEAD=${LEAD:-3}
GRACE=${RATE_LIMITER_SHUTDOWN_GRACE:-10}
start_product URL PID LOG RATE_LIMITER_SHUTDOWN_GRACE="$GRACE"
echo "java: $(java_version)  $(grep -o 'executor=[a-z]*' "$LOG")"
wrk_out=$(mktemp); LOGS+=("$wrk_out")
wrk -t2 -c"$CONNECTIONS" -d"$((LEAD + 4))s" --timeout 5s -s "$SCRIPTS/http-10k.lua" \
  "$URL/api/ratelimit/check" >"$wrk_out" 2>&1 &
WRK=$!; PIDS+=("$WRK")
sleep "$LEAD"
start=$(date +%s%N)
kill -TERM "$PID"
status=0
wait "$PID" || status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$WRK" || true
cat "$wrk_out"
read -r connect rd wr to < <(awk '/Socket errors/ {gsub(",", ""); print $4, $6, $8, $10}' "$wrk_out" | grep . || echo "0 0 0 0")
echo
echo "exit status $status after ${elapsed_ms} ms (grace ${GRACE} s); refused after stop: $connect;" \
     "unanswered: read $rd, write $wr, timeout $to"
fail=0
(( rd + wr + to == 0 )) || { echo "FAIL: requests already sent got no response" >&2; fail=1; }
(( elapsed_ms <= GRACE * 1000 + 1000 )) || { echo "FAIL: exit took ${elapsed_ms} ms" >&2; fail=1; }
[[ "$status" == 0 || "$status" == 143 ]] || { echo "FAIL: exit status $status" >&2; fail=1; }
if grep -E "Exception|ERROR" "$LOG" | head -5; then echo "FAIL: exceptions in the log" >&2; fail=1; fi
(( fail == 0 )) && echo PASS || { echo "server log (last 20 lines):"; tail -20 "$LOG"; echo FAIL; exit 1; }
