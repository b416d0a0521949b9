#!/usr/bin/env python3
"""Index build time of tsearch and tantivy measured in alternation, so that both see the same machine.

This VM's speed drifts by 20-40% over minutes, so a build measured a minute after the other (as in run.sh, where
perf.py builds tantivy's index before tsearch builds its own) can differ by the drift alone. Each of ROUNDS rounds
builds tantivy's index exactly as shared/bench/perf.py does (documents parsed before the clock starts, same schema,
256 MB writer heap, commit and merges waited for), and tsearch's (`tsearch index`, a fresh folder, JSON parsing
included); which goes first alternates from round to round. It prints every round and the median of each engine
with the ratio tsearch / tantivy, and tsearch's peak RSS.

usage: paired-build.py CORPUS.jsonl [ROUNDS] [TSEARCH_BINARY]"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

import tantivy_peer

corpus = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
binary = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "../../.build/release/tsearch")
docs = [json.loads(l) for l in open(corpus, encoding="utf-8")]


def tantivy_build():
    d = tempfile.mkdtemp(prefix="tv-build-")
    t = time.perf_counter()
    ix = tantivy_peer.build(docs, d)
    elapsed = time.perf_counter() - t
    del ix
    shutil.rmtree(d)
    return elapsed


def tsearch_build():
    d = tempfile.mkdtemp(prefix="ts-build-")
    out = subprocess.run(["/usr/bin/time", "-f", "%e %U %M", binary, "index", "--index", d + "/idx", corpus],
                         capture_output=True, text=True, check=True)
    shutil.rmtree(d)
    wall, user, rss = out.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user), int(rss)


tv, ts = [], []
for r in range(rounds):
    # Which engine goes first alternates (a fixed order biased A/B runs on this VM).
    if r % 2 == 0:
        a = tantivy_build()
        b = tsearch_build()
    else:
        b = tsearch_build()
        a = tantivy_build()
    tv.append(a)
    ts.append(b)
    print(f"round {r + 1}: tantivy {a:.2f} s, tsearch {b[0]:.2f} s wall ({b[1]:.2f} s user, peak RSS {b[2] // 1024} MB)")
mt = statistics.median(tv)
ms = statistics.median(w for w, _, _ in ts)
print(f"median: tantivy {mt:.2f} s, tsearch {ms:.2f} s, ratio {ms / mt:.2f}; "
      f"tsearch peak RSS max {max(m for _, _, m in ts) // 1024} MB")
