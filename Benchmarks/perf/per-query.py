#!/usr/bin/env python3
"""Each query's p50 for tsearch and tantivy, side by side: which queries make a class's median differ.

A class's p50 (what `paired.py` and `tsearch bench` report) pools every query's runs, so two engines can differ there
while most queries do not. This script builds tantivy's index as shared/bench/perf.py does, times each query of one
class 30 times in tantivy (with its query parsing, as `paired.py` does) and in `tsearch bench` (one query file per
query, 30 passes, passages off), and prints the queries sorted by the ratio tsearch / tantivy, then the median
ratio. One process per query for tsearch: run it on a quiet machine, and read it next to `paired.py`.

usage: per-query.py CORPUS.jsonl QUERIES.tsv TSEARCH_INDEX CLASS [TSEARCH_BINARY]
  e.g. Benchmarks/perf/per-query.py synth-200k.jsonl ../shared/bench/queries/synth.tsv /tmp/200k t3"""
import json, os, statistics, subprocess, sys, tempfile, time

import tantivy_peer

if len(sys.argv) < 5:
    sys.exit(__doc__)
corpus, qfile, tindex, wanted = sys.argv[1:5]
binary = sys.argv[5] if len(sys.argv) > 5 else os.path.join(os.path.dirname(__file__), "../../.build/release/tsearch")
queries = [l.rstrip("\n").split("\t", 1) for l in open(qfile) if "\t" in l]
queries = [(c, q) for c, q in queries if c == wanted]

d = tempfile.mkdtemp(prefix="tv-per-query-")
with open(corpus, encoding="utf-8") as f:
    ix = tantivy_peer.build((json.loads(line) for line in f), d)
searcher = ix.searcher()


def tantivy_p50(cls, q):
    text = q if cls != "phrase" else f'"{q}"'
    searcher.search(ix.parse_query(text, ["title", "text"]), 10)
    runs = []
    for _ in range(30):
        t = time.perf_counter()
        searcher.search(ix.parse_query(text, ["title", "text"]), 10)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


one = os.path.join(d, "one.tsv")
rows = []
for cls, q in queries:
    with open(one, "w") as f:
        f.write(f"{cls}\t{q}\n")
    out = subprocess.run([binary, "bench", "--index", tindex, "--queries", one, "--passes", "30", "--passages", "off"],
                         capture_output=True, text=True, check=True).stdout
    ours = float(out.strip().splitlines()[-1].split()[1])
    theirs = tantivy_p50(cls, q)
    rows.append((ours / theirs, ours, theirs, q))
for ratio, ours, theirs, q in sorted(rows):
    print(f"{ratio:.2f}  tsearch {ours:.3f} ms  tantivy {theirs:.3f} ms  {q}")
print(f"median ratio {statistics.median(r[0] for r in rows):.2f} over {len(rows)} queries")
