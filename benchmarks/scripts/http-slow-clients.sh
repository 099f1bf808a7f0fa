#!/usr/bin/env bash
# Slow clients (issue 11): SLOW connections (default 500) send a request line and one header,
# then a header line every INTERVAL_MS (2000), reconnecting when closed, for DURATION seconds (20),
# while normal checks run at RATE/s (100) on kept-alive connections. Passes if every normal
# check is answered, their p99 < P99_MS (50) and no decision was degraded.
#
# Usage: benchmarks/scripts/http-slow-clients.sh
#        JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/scripts/http-slow-clients.sh
#        SLOW=50 DURATION=3 benchmarks/scripts/http-slow-clients.sh           (smoke run)
#        SERVER_ENV="RATE_LIMITER_EXECUTOR=platform" ...                      (force a mode)
source "$(dirname "$0")/lib-http.sh"
# shellcheck disable=SC2086
start_product URL PID LOG ${SERVER_ENV:-}
echo "java: $(java_version)  server: $(grep -o 'executor=[a-z]*\( threads=[0-9-]*\)\?' "$LOG")  JAVA_OPTS=$JAVA_OPTS"
"$JAVA" -cp "$PROBES" dev.ratelimiter.benchmarks.http.SlowClientsProbe "$URL" \
  "${SLOW:-500}" "${DURATION:-20}" "${RATE:-100}" "${INTERVAL_MS:-2000}" "${P99_MS:-50}"
