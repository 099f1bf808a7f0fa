#!/usr/bin/env bash
# Builds benchmarks/target/benchmarks.jar and runs every in-process benchmark: the JMH classes in
# dev.ratelimiter.benchmarks.jmh (1 and 2 threads, -prof gc) and the bytes-per-key measurement.
# Usage, from anywhere:  benchmarks/scripts/jmh.sh        (about 10 minutes on 2 cores)
# Output: the JMH tables on stdout; JSON and text copies under benchmarks/target/jmh/.
# Settings suit a small, shared machine: 2 forks, 3 x 1 s warm-up, 5 x 1 s measurement, fixed heap.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -pl benchmarks -am package -DskipTests
jar=benchmarks/target/benchmarks.jar
out=benchmarks/target/jmh
mkdir -p "$out"
jmh=(-f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc -jvmArgsAppend "-Xms1g -Xmx1g")
for t in 1 2; do
  java -jar "$jar" 'HotKeyBenchmark|DistinctKeysBenchmark' -t "$t" "${jmh[@]}" \
      -rf json -rff "$out/threads-$t.json" | tee "$out/threads-$t.txt"
done
java -jar "$jar" HotPathPartsBenchmark -t 1 "${jmh[@]}" -rf json -rff "$out/parts.json" \
    | tee "$out/parts.txt"
memory=(java -Xms2g -Xmx2g -XX:+UseG1GC -cp "$jar" dev.ratelimiter.benchmarks.memory.BytesPerKey)
{ "${memory[@]}" caffeine 1000000; "${memory[@]}" memory 100000; } | tee "$out/bytes-per-key.txt"
python3 benchmarks/scripts/jmh-summary.py "$out"/threads-*.json "$out/parts.json" | tee "$out/summary.md"
