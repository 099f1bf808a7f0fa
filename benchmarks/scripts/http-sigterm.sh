#!/usr/bin/env bash
# SIGTERM under load (issue 11): KeepAliveLoad (a Java driver that accounts for every request;
# wrk counts a clean close after "Connection: close" as a read error, so it cannot tell)
# runs CONNECTIONS (64) kept-alive connections against the standalone jar; after LEAD seconds
# (3) the server gets SIGTERM. Passes if every request already sent was answered (unanswered
# = 0; refused connects after the stop are expected), the process exited within
# RATE_LIMITER_SHUTDOWN_GRACE (10 s) + 1 s with status 0 or 143, and the log holds no exception.
#
# Usage: benchmarks/scripts/http-sigterm.sh
#        JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/scripts/http-sigterm.sh
source "$(dirname "$0")/lib-http.sh"
CONNECTIONS=${CONNECTIONS:-64}
LEAD=${LEAD:-3}
GRACE=${RATE_LIMITER_SHUTDOWN_GRACE:-10}
start_product URL PID LOG RATE_LIMITER_SHUTDOWN_GRACE="$GRACE"
echo "java: $(java_version)  $(grep -o 'executor=[a-z]*\( threads=[0-9-]*\)\?' "$LOG")"
load_out=$(mktemp); LOGS+=("$load_out")
"$JAVA" -cp "$PROBES" dev.ratelimiter.benchmarks.http.KeepAliveLoad "$URL" "$CONNECTIONS" \
  "$((LEAD + 3))" >"$load_out" 2>&1 &
LOAD=$!; PIDS+=("$LOAD")
DEGRADED=$(metric "$URL" ratelimiter_checks_degraded_total)
sleep "$LEAD"
# The last read before the signal: the server is gone after it.
DEGRADED_LOADED=$(metric "$URL" ratelimiter_checks_degraded_total)
start=$(date +%s%N)
kill -TERM "$PID"
status=0
wait "$PID" || status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$LOAD" || true
cat "$load_out"
unanswered=$(grep -o 'unanswered=[0-9]*' "$load_out" | cut -d= -f2)
echo "exit status $status after ${elapsed_ms} ms (grace ${GRACE} s)"
fail=0
[[ "$DEGRADED_LOADED" == "$DEGRADED" ]] || { echo "FAIL: ratelimiter_checks_degraded_total moved ($DEGRADED -> $DEGRADED_LOADED) under load" >&2; fail=1; }
[[ "${unanswered:-x}" == 0 ]] || { echo "FAIL: ${unanswered:-?} requests already sent got no response" >&2; fail=1; }
(( elapsed_ms <= GRACE * 1000 + 1000 )) || { echo "FAIL: exit took ${elapsed_ms} ms" >&2; fail=1; }
[[ "$status" == 0 || "$status" == 143 ]] || { echo "FAIL: exit status $status" >&2; fail=1; }
if grep -E "Exception|ERROR" "$LOG" | head -5; then echo "FAIL: exceptions in the log" >&2; fail=1; fi
(( fail == 0 )) && echo PASS || { echo "server log (last 20 lines):"; tail -20 "$LOG"; echo FAIL; exit 1; }
