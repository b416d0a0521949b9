#!/usr/bin/env python3
"""Phrase, prefix and fuzzy queries for the synthetic corpus, from shared/bench/queries/synth.tsv:
its phrase class as is; a prefix of each one-term query's word (all but its last 3 letters, at least 4);
each one-term query's word with one letter changed (a fuzzy query at edit distance 1).
usage: make_queries.py ../shared/bench/queries/synth.tsv > operators.tsv"""
import sys

rows = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1]) if "\t" in l]
for cls, q in rows:
    if cls == "phrase":
        print(f"phrase\t{q}")
for cls, q in rows:
    if cls == "t1" and len(q) >= 5:
        print(f"prefix\t{q[:max(4, len(q) - 3)]}")
for i, (cls, q) in enumerate(rows):
    if cls == "t1" and len(q) >= 5:
        k = len(q) // 2
        c = "e" if q[k] != "e" else "a"
        print(f"fuzzy\t{q[:k] + c + q[k + 1:]}")
