#!/usr/bin/env python3
"""Query latency of tsearch and tantivy measured in alternation, so that both see the same machine.

This VM's speed drifts by 20-40% over minutes, so two engines measured minutes apart (as perf.py and `tsearch bench`
are in run.sh) can differ by the drift alone. This script builds tantivy's index once, exactly as
shared/bench/perf.py does (same schema, same tokenizer, same queries, top 10), then runs ROUNDS rounds. Each round
runs tantivy (one warm-up pass, one timed pass, in process) and `tsearch bench` on an existing index (one warm-up
pass, three timed passes, in process, as run.sh runs it); which goes first alternates from round to round. It prints
each round's p50 and p99 per class, and the median over the rounds of each engine's p50 and p99 with the ratio
tsearch / tantivy.

usage: paired.py CORPUS.jsonl QUERIES.tsv TSEARCH_INDEX [ROUNDS] [TSEARCH_BINARY]"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

import tantivy_peer

corpus, qfile, tindex = sys.argv[1], sys.argv[2], sys.argv[3]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
binary = sys.argv[5] if len(sys.argv) > 5 else os.path.join(os.path.dirname(__file__), "../../.build/release/tsearch")
qs = [l.rstrip("\n").split("\t", 1) for l in open(qfile) if "\t" in l]

d = tempfile.mkdtemp(prefix="tv-paired-")
with open(corpus, encoding="utf-8") as f:
    ix = tantivy_peer.build((json.loads(line) for line in f), d)
s = ix.searcher()


def tantivy_pass():
    by = {}
    for cls, q in qs:
        qq = ix.parse_query(q if cls != "phrase" else f'"{q}"', ["title", "text"]); s.search(qq, 10)
    for cls, q in qs:
        t = time.perf_counter()
        qq = ix.parse_query(q if cls != "phrase" else f'"{q}"', ["title", "text"]); s.search(qq, 10)
        by.setdefault(cls, []).append((time.perf_counter() - t) * 1000)
    return {c: (statistics.median(v), sorted(v)[max(0, int(len(v) * 0.99) - 1)]) for c, v in by.items()}


def tsearch_pass():
    out = subprocess.run([binary, "bench", "--index", tindex, "--queries", qfile, "--passes", "3", "--passages", "off"],
                         capture_output=True, text=True, check=True).stdout
    r = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "/":
            r[parts[0]] = (float(parts[1]), float(parts[3]))
    return r


results = {"tantivy": [], "tsearch": []}
for k in range(rounds):
    # Which engine goes first alternates: a fixed order biased A/B runs of binaries on this VM (ab-search.py).
    if k % 2 == 0:
        results["tantivy"].append(tantivy_pass())
        results["tsearch"].append(tsearch_pass())
    else:
        results["tsearch"].append(tsearch_pass())
        results["tantivy"].append(tantivy_pass())
    print(f"round {k + 1}: " + "  ".join(
        f"{c} {results['tsearch'][-1][c][0]:.3f}/{results['tantivy'][-1][c][0]:.3f}" for c in sorted(results["tantivy"][-1])),
        "(p50 ms, tsearch/tantivy)", flush=True)
print("| class | tsearch p50 | tantivy p50 | ratio | tsearch p99 | tantivy p99 | ratio |")
print("|---|---|---|---|---|---|---|")
for c in sorted(results["tantivy"][0]):
    med = {e: (statistics.median(r[c][0] for r in results[e]), statistics.median(r[c][1] for r in results[e])) for e in results}
    print(f"| {c} | {med['tsearch'][0]:.3f} | {med['tantivy'][0]:.3f} | {med['tsearch'][0] / med['tantivy'][0]:.2f}× | "
          f"{med['tsearch'][1]:.3f} | {med['tantivy'][1]:.3f} | {med['tsearch'][1] / med['tantivy'][1]:.2f}× |")
shutil.rmtree(d)
