#!/usr/bin/env bash
# Seeded raw-request fuzzer (issue 11): COUNT (100000) mutated requests with SEED (42) on
# THREADS (4) connections at a time against the standalone jar with its defaults. Passes if no
# 5xx came from our code, no connection ended without a response other than the ones the JDK
# closes by design (header block past its caps; see notes/http-README.md), no rejected request
# consumed tokens (decisions counted == 200/429 seen), no decision was degraded, and the server
# answers /health and a check within 2 s after.
#
# Usage: benchmarks/scripts/http-fuzz.sh
#        COUNT=2000 benchmarks/scripts/http-fuzz.sh                       (smoke run)
#        JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/scripts/http-fuzz.sh
source "$(dirname "$0")/lib-http.sh"
start_product URL PID LOG
echo "java: $(java_version)  server: $(grep -o 'executor=[a-z]*\( threads=[0-9-]*\)\?' "$LOG")"
status=0
timeout "${TIME_LIMIT:-900}" "$JAVA" -cp "$PROBES" dev.ratelimiter.benchmarks.http.RawFuzzer \
  "$URL" "${COUNT:-100000}" "${SEED:-42}" "${THREADS:-4}" || status=$?
if grep -E "Exception|ERROR" "$LOG" | grep -v "^\s*at " | head -5; then
  echo "FAIL: the server logged errors (above)"; status=1
fi
kill -0 "$PID" || { echo "FAIL: the server died"; exit 1; }
exit "$status"
