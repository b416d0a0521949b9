#!/bin/bash
# Build times of two tsearch binaries, alternated so that both see the same machine (this VM drifts by 20-40%).
# Usage: Benchmarks/perf/ab.sh ROUNDS CORPUS BINARY_A BINARY_B
# Each round builds the corpus's index from scratch with A and with B, in alternating order (`rm -rf` first);
# prints each binary's wall and CPU seconds of every round and their medians.
set -euo pipefail
rounds=$1; corpus=$2; a=$3; b=$4
dir=$(mktemp -d)
for round in $(seq "$rounds"); do
  # Which binary goes first alternates (a fixed order biased A/B runs on this VM).
  order="A B"; (( round % 2 == 0 )) && order="B A"
  for name in $order; do
    bin=$a; [[ $name == B ]] && bin=$b
    rm -rf "$dir/idx"
    /usr/bin/time -f "$name %e %U" "$bin" index --index "$dir/idx" "$corpus" 2>&1 >/dev/null | tail -1
  done
done | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    name, wall, cpu = line.split()
    runs.setdefault(name, []).append((float(wall), float(cpu)))
for name, r in sorted(runs.items()):
    print(f"{name}: wall {[w for w, _ in r]} median {statistics.median(w for w, _ in r):.3f} s; "
          f"CPU median {statistics.median(c for _, c in r):.3f} s")
'
rm -rf "$dir"
