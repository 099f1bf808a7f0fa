#!/usr/bin/env bash
# Smoke test of configuration reload on the built standalone jar, with real signals:
#   1. start the jar with --config (file watch off), capacity 2, on 127.0.0.1 and a free port;
#   2. three checks: 200, 200, 429;
#   3. capacity 4 in the file, kill -HUP: the version on /health changes, two more 200s (4 - 2
#      used), then 429; the JVM is still alive (without a handler it would exit on SIGHUP);
#   4. a broken value, kill -HUP: the error is logged naming the property, /health keeps the
#      version, 429 still;
#   5. capacity 6 and the watch on (200 ms): no signal, the change applies within the interval.
# Kills only the server it started, by PID. Takes about 5 s.
#
# Usage: benchmarks/scripts/reload-smoke.sh [path/to/ratelimiter-http-*-all.jar]
#   (build it with: mvn -B -ntp -pl http-adapter -am package -DskipTests)
set -euo pipefail

JAR=${1:-http-adapter/target/ratelimiter-http-0.1.0-SNAPSHOT-all.jar}
[ -f "$JAR" ] || { echo "no jar at $JAR; build it first" >&2; exit 2; }
DIR=$(mktemp -d)
CONF=$DIR/ratelimiter.properties
LOG=$DIR/server.log
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT

write() { # atomic: write a temporary file, then rename it over the old one
    printf '%s\n' "ratelimiter.backend=memory" "ratelimiter.server.host=127.0.0.1" \
        "ratelimiter.server.port=0" "ratelimiter.refillRate=0.001" \
        "ratelimiter.server.reloadIntervalMs=${2:-0}" "ratelimiter.capacity=$1" > "$DIR/next"
    mv "$DIR/next" "$CONF"
}
check() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"key":"smoke"}' "$URL/api/ratelimit/check"; }
version() { curl -s "$URL/health" | sed 's/.*"configVersion":"\([0-9a-f]*\)".*/\1/'; }
expect() { [ "$1" = "$2" ] || { echo "FAIL: $3: expected $2, got $1" >&2; cat "$LOG" >&2; exit 1; }; }
wait_for() { # condition-command description: poll with a 10 s deadline
    for _ in $(seq 1 200); do if eval "$1"; then return 0; fi; sleep 0.05; done
    echo "FAIL: not within 10 s: $2" >&2; cat "$LOG" >&2; exit 1
}

write 2
env -u RATE_LIMITER_PORT java -jar "$JAR" --config "$CONF" > "$LOG" 2>&1 &
PID=$!
wait_for 'grep -q "listening on" "$LOG"' "the startup line"
URL=$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' "$LOG" | head -1)
echo "started pid $PID at $URL: $(grep 'listening on' "$LOG")"

expect "$(check)" 200 "first check"; expect "$(check)" 200 "second check"
expect "$(check)" 429 "third check at capacity 2"
V1=$(version)

write 4
kill -HUP "$PID"
wait_for '[ "$(version)" != "$V1" ]' "a new version after SIGHUP"
kill -0 "$PID" || { echo "FAIL: SIGHUP ended the JVM" >&2; exit 1; }
expect "$(check)" 200 "capacity 4, 2 used"; expect "$(check)" 200 "capacity 4, 3 used"
expect "$(check)" 429 "capacity 4 used up"
V2=$(version)
echo "SIGHUP: version $V1 -> $V2, tokens used kept"

write lots
kill -HUP "$PID"
wait_for 'grep -q "ratelimiter.capacity (RATE_LIMITER_CAPACITY) must be a whole number" "$LOG"' "the error in the log"
expect "$(version)" "$V2" "version after a broken file"
expect "$(check)" 429 "old limit still enforced"
echo "broken file: $(grep 'reload (SIGHUP)' "$LOG" | tail -1)"

# The watch interval is read at start-up only (changing it needs a restart): a second server.
kill "$PID"; wait "$PID" 2>/dev/null || true
write 1 200
env -u RATE_LIMITER_PORT java -jar "$JAR" --config "$CONF" > "$LOG" 2>&1 &
PID=$!
wait_for 'grep -q "listening on" "$LOG"' "the startup line (watch on)"
URL=$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' "$LOG" | head -1)
expect "$(check)" 200 "capacity 1"; expect "$(check)" 429 "capacity 1 used up"
V3=$(version)
write 6 200
wait_for '[ "$(version)" != "$V3" ]' "the file change applied by the watch"
expect "$(check)" 200 "capacity 6, 1 used"
echo "file watch: version $V3 -> $(version)"
echo "OK"
