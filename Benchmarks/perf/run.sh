#!/bin/bash
# tsearch against tantivy and SQLite FTS5 on one corpus, in one session (the performance issue's table).
# Usage (from the repository root, after `swift build -c release`):
#   Benchmarks/perf/run.sh CORPUS.jsonl QUERIES.tsv WORKDIR [ENGINES]
# ENGINES is passed to shared/bench/perf.py (default "tantivy,fts5"; "none" skips the peers).
# PEER_PY: a python with tantivy installed (shared/bench/README.md).
# Prints: the peers' lines from perf.py, then tsearch's build time, peak RSS, index bytes and `tsearch bench`.
set -euo pipefail
corpus=$1; queries=$2; work=$3; engines=${4:-tantivy,fts5}
here=$(cd "$(dirname "$0")/../.." && pwd)
tsearch=$here/.build/release/tsearch
bench=$here/../shared/bench
mkdir -p "$work"
if [[ $engines != none ]]; then
  "${PEER_PY:-python3}" "$bench/perf.py" "$corpus" "$queries" --engines "$engines" 2>/dev/null | grep -E '^(tantivy|fts5|corpus)'
fi
rm -rf "$work/idx"
/usr/bin/time -f "tsearch build %e s wall, %U s user, peak RSS %M KB" "$tsearch" index --index "$work/idx" "$corpus" \
  2>&1 >/dev/null | tail -1
echo "tsearch index bytes $(du -sb "$work/idx" | cut -f1), segments $(ls "$work/idx" | grep -c '\.pst$')"
"$tsearch" bench --index "$work/idx" --queries "$queries" --passes 3
