#!/usr/bin/env bash
# Overload (issue 11): the standalone jar with the README's run command (JAVA_OPTS, default
# -Xmx192m), 10k live keys, then wrk at each of CONNS ("2000 5000") connections for DURATION
# (10s). For each run: requests, responses by kind, connections refused at accept (wrk's
# "connect" errors: allowed), requests left without a response (wrk's read/write/timeout
# errors: must be 0), 503s; RSS before, after each run and after IDLE seconds (15); how long
# until a normal check is answered after the load stops (must be < 2 s). Fails on any
# unanswered request, slow recovery, RSS over RSS_LIMIT_MB (300) or a degraded decision. Between
# runs it waits (at most 10 s) until the last run's connections are closed ("closed ms").
# Then (unless BASELINE=0) the same load on a trivial JDK HttpServer with 8 platform threads,
# for comparison only: what the JDK server itself does at that many connections.
#
# Usage: benchmarks/scripts/http-overload.sh
#        CONNS=200 DURATION=2s IDLE=1 benchmarks/scripts/http-overload.sh          (smoke run)
#        JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/scripts/http-overload.sh
# Needs wrk (apt-get install -y wrk).
source "$(dirname "$0")/lib-http.sh"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
CONNS=${CONNS:-2000 5000}
DURATION=${DURATION:-10s}
IDLE=${IDLE:-15}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-300}

start_product URL PID LOG
echo "java: $(java_version)  $(grep -o 'executor=[a-z]*\( threads=[0-9-]*\)\? maxConnections=[0-9]* maxHeap=[0-9]*MB' "$LOG")  JAVA_OPTS=$JAVA_OPTS  ulimit -n $(ulimit -n)"
# 10k live keys (the lua script draws from 10,000), and a warm JIT.
wrk -t2 -c64 -d5s -s "$SCRIPTS/http-10k.lua" "$URL/api/ratelimit/check" >/dev/null
DEGRADED=$(metric "$URL" ratelimiter_checks_degraded_total)
echo "RSS with 10k live keys, before: $(rss_mb "$PID") MB"
echo
echo "| connections | requests answered | non-2xx (429 + 503) | 503 (shed) | refused at accept | unanswered (read/write/timeout) | RSS after MB | recovery ms | closed ms |"
echo "|---|---|---|---|---|---|---|---|---|"
fail=0
for c in $CONNS; do
  before503=$(curl -s "$URL/metrics" | awk '/^http_server_responses_total\{status="503"\}/ {s += $NF} END {print s + 0}')
  out=$(wrk -t2 -c"$c" -d"$DURATION" --timeout 5s -s "$SCRIPTS/http-10k.lua" "$URL/api/ratelimit/check" 2>&1)
  stop=$(date +%s%N)
  # The first check after the load, answered within 2 s?
  recovery=-1
  for _ in $(seq 40); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'Content-Type: application/json' \
      -d '{"key":"after-load"}' "$URL/api/ratelimit/check" || true)
    if [[ "$code" == 200 || "$code" == 429 ]]; then
      recovery=$(( ($(date +%s%N) - stop) / 1000000 )); break
    fi
    sleep 0.05
  done
  # Each run is measured on its own: wait (at most 10 s) until the server has closed the last
  # run's connections. Until the JDK has read each close, the connection still counts against
  # maxConnections, and a new connection past it is closed at accept (wrk: a read error).
  drained=-1
  for _ in $(seq 100); do
    if (( $(open_connections "$URL") == 0 )); then
      drained=$(( ($(date +%s%N) - stop) / 1000000 )); break
    fi
    sleep 0.1
  done
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  read -r connect rd wr to < <(awk '/Socket errors/ {gsub(",", ""); print $4, $6, $8, $10}' <<<"$out" | grep . || echo "0 0 0 0")
  after503=$(curl -s "$URL/metrics" | awk '/^http_server_responses_total\{status="503"\}/ {s += $NF} END {print s + 0}')
  shed=$(awk -v a="$after503" -v b="$before503" 'BEGIN {printf "%d", a - b}')
  unanswered=$((rd + wr + to))
  rss=$(rss_mb "$PID")
  echo "| $c | $requests | $non2xx | $shed | $connect | $unanswered ($rd/$wr/$to) | $rss | $recovery | $drained |"
  if (( unanswered > 0 )); then echo "FAIL: $unanswered requests at -c$c got no response" >&2; fail=1; fi
  if (( recovery < 0 || recovery > 2000 )); then echo "FAIL: no normal answer within 2 s after -c$c" >&2; fail=1; fi
done
sleep "$IDLE"
rss=$(rss_mb "$PID")
echo
echo "RSS ${IDLE}s after the load: $rss MB (limit $RSS_LIMIT_MB)"
(( rss <= RSS_LIMIT_MB )) || { echo "FAIL: RSS $rss MB over $RSS_LIMIT_MB MB" >&2; fail=1; }
grep -q OutOfMemoryError "$LOG" && { echo "FAIL: OutOfMemoryError in the server log" >&2; fail=1; }
require_degraded_unchanged "$URL" "$DEGRADED"

# The same load on the JDK server alone, for comparison (informational, never fails the run):
# TrivialJsonServer, 8 platform threads, TCP_NODELAY, idle keep-alive connections not capped.
# The product server is stopped first so the two do not share the cores.
if [[ "${BASELINE:-1}" == 1 ]]; then
  kill "$PID"; wait "$PID" 2>/dev/null || true
  start_server TRIVIAL TPID TLOG "$JAVA" $JAVA_OPTS -Dsun.net.httpserver.maxIdleConnections=100000 \
    -cp "$PROBES" dev.ratelimiter.benchmarks.http.TrivialJsonServer 0 8
  wrk -t2 -c64 -d5s -s "$SCRIPTS/http-10k.lua" "$TRIVIAL/api/ratelimit/check" >/dev/null
  echo
  echo "Baseline, the JDK server alone (trivial handler, 8 platform threads), same load:"
  echo "| connections | requests answered | refused at accept | unanswered (read/write/timeout) |"
  echo "|---|---|---|---|"
  for c in $CONNS; do
    out=$(wrk -t2 -c"$c" -d"$DURATION" --timeout 5s -s "$SCRIPTS/http-10k.lua" "$TRIVIAL/api/ratelimit/check" 2>&1)
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    read -r connect rd wr to < <(awk '/Socket errors/ {gsub(",", ""); print $4, $6, $8, $10}' <<<"$out" | grep . || echo "0 0 0 0")
    echo "| $c | $requests | $connect | $((rd + wr + to)) ($rd/$wr/$to) |"
  done
fi
(( fail == 0 )) && echo PASS || { echo FAIL; exit 1; }
