#!/usr/bin/env python3
"""Prints a Markdown table from JMH JSON results: per benchmark, the median of all measurement
iterations (across forks), JMH's mean +- 99.9% error, the ratio of medians to the raw bucket of
the same class and thread count, and gc.alloc.rate.norm.

Usage: jmh-summary.py RESULT.json...   (jmh.sh calls it on its own output)
"""
import json
import statistics
import sys

# Baseline per path: the raw bucket with the stores' strategy (SYNCHRONIZED) if the class has it.
BASELINES = {"Allowed": ("rawSynchronizedAllowed", "rawAllowed"),
             "Denied": ("rawSynchronizedDenied", "rawDenied")}


def rows(path):
    for r in json.load(open(path)):
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        its = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        yield cls, method, r["threads"], statistics.median(its), r["primaryMetric"], alloc


def main(paths):
    data = [row for p in paths for row in rows(p)]
    medians = {(c, m, t): med for c, m, t, med, _, _ in data}
    print("| benchmark | threads | median ns/op | mean ± error (99.9%) | ratio to raw (median) "
          "| alloc B/op |")
    print("|---|---:|---:|---:|---:|---:|")
    for cls, method, t, med, pm, alloc in data:
        path = "Denied" if method.endswith("Denied") else "Allowed"
        base = next((b for b in BASELINES[path] if (cls, b, t) in medians), None)
        ratio = f"{med / medians[(cls, base, t)]:.2f}x {base}" if base else ""
        a = f"{alloc:.0f}" if alloc is not None else ""
        print(f"| {cls}.{method} | {t} | {med:.1f} | {pm['score']:.1f} ± {pm['scoreError']:.1f} "
              f"| {ratio} | {a} |")


if __name__ == "__main__":
    main(sys.argv[1:])
