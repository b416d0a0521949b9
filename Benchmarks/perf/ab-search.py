#!/usr/bin/env python3
"""Query latency of tsearch binaries (or indexes) alternated round by round, so that all see the same machine.

Each round runs `tsearch bench --passes 3` once per variant, the order rotating from round to round; the script prints each variant's median over
the rounds of its p50 and p99 per class, and the ratio to the first variant. A variant is BINARY (on INDEX) or
BINARY@OTHER_INDEX (the same queries on another index: two stores, say). With --passages both, it also prints the
passage cost (passages-on p50 minus passages-off p50 of the same run).

usage: ab-search.py INDEX QUERIES.tsv ROUNDS [--passages off|both] VARIANT...
  e.g. Benchmarks/perf/ab-search.py /tmp/200k ../shared/bench/queries/synth.tsv 8 /tmp/old/tsearch .build/release/tsearch"""
import collections, re, statistics, subprocess, sys

args = sys.argv[1:]
passages = "off"
if "--passages" in args:
    k = args.index("--passages")
    passages = args[k + 1]
    del args[k:k + 2]
if len(args) < 4:
    sys.exit(__doc__)
index, queries, rounds, variants = args[0], args[1], int(args[2]), args[3:]

row = re.compile(r"^(\w+)\s+([0-9.]+) / ([0-9.]+)(?:\s+([0-9.]+) / ([0-9.]+))?")
times = collections.defaultdict(list)
for r in range(rounds):
    # The order rotates every round: the variant run first in a round was measured up to 30% slower on this VM.
    for v in variants[r % len(variants):] + variants[:r % len(variants)]:
        binary, _, ix = v.partition("@")
        out = subprocess.run(
            [binary, "bench", "--index", ix or index, "--queries", queries, "--passes", "3", "--passages", passages],
            capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = row.match(line)
            if m:
                times[(v, m.group(1))].append(tuple(float(g) for g in m.groups()[1:] if g is not None))

for cls in sorted({c for _, c in times}):
    first = None
    parts = [cls]
    for v in variants:
        runs = times[(v, cls)]
        med = [statistics.median(r[i] for r in runs) for i in range(len(runs[0]))]
        first = first or med
        text = f"{v}: p50 {med[0]:.3f} ({med[0] / first[0]:.2f}x) p99 {med[1]:.3f} ({med[1] / first[1]:.2f}x)"
        if len(med) == 4:
            text += f" passage cost {med[2] - med[0]:.3f}"
        parts.append(text)
    print("  ".join(parts))
