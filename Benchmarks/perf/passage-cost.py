#!/usr/bin/env python3
"""What passages add to a search, for two tsearch binaries measured in alternation.

For each binary, one `tsearch bench` run (one warm-up pass, 5 timed passes) gives the p50 per class with passages
off and on; their difference in the same run is the passages' cost, both halves measured seconds apart on the same
machine (this VM's speed drifts by more than the effects measured). The two binaries alternate for ROUNDS rounds
(order swapped every round); it prints the medians per class and binary.

usage: passage-cost.py INDEX QUERIES.tsv ROUNDS BINARY_A BINARY_B"""
import subprocess, sys, statistics

idx, q, rounds, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
def run(binary):
    out = subprocess.run([binary, "bench", "--index", idx, "--queries", q, "--passes", "5"], capture_output=True, text=True).stdout
    r = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 7 and f[0] in ("t1","t2","t3","phrase"):
            r[f[0]] = (float(f[1]), float(f[4]))
    return r
D = {}
for i in range(rounds):
    pair = [(a, "A"), (b, "B")] if i % 2 == 0 else [(b, "B"), (a, "A")]
    for binary, tag in pair:
        for c, (off, on) in run(binary).items():
            D.setdefault((c, tag), []).append((off, on, on - off))
for c in sorted({k[0] for k in D}):
    for tag in "AB":
        v = D[(c, tag)]
        print(f"{c} {tag}: off p50 {statistics.median(x[0] for x in v):.4f}  on p50 {statistics.median(x[1] for x in v):.4f}  on-off {statistics.median(x[2] for x in v):.4f}  (on-off)/off {statistics.median(x[2]/x[0] for x in v):.2f}")
