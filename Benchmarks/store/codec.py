#!/usr/bin/env python3
"""Stored-text codec choice: raw DEFLATE (zlib, the library tsearch links) at each level and block size, over the
documents of a JSONL corpus laid out as tsearch's StoredFieldsWriter does (documents appended to a block until it
holds BLOCK bytes). Prints the stored size as a fraction of the raw text, compression speed, and the median time
to inflate one block (what fetching one hit's text costs). Usage: codec.py CORPUS.jsonl"""
import json, statistics, sys, time, zlib

docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
raw = [(d.get("title", "") + "\n" + d.get("text", "")).encode() for d in docs]
total = sum(len(r) for r in raw)
print(f"{len(raw)} documents, {total / 1e6:.1f} MB")
print("| block | level | stored / text | compress MB/s | inflate one block (median µs) |")
print("|---|---|---|---|---|")
for block in (16384, 65536):
    blocks, cur = [], bytearray()
    for r in raw:
        cur += r
        if len(cur) >= block:
            blocks.append(bytes(cur)); cur = bytearray()
    if cur: blocks.append(bytes(cur))
    for level in (1, 3, 6, 9):
        t = time.perf_counter(); out = []
        for b in blocks:
            c = zlib.compressobj(level, zlib.DEFLATED, -15); out.append(c.compress(b) + c.flush())
        ct = time.perf_counter() - t
        times = []
        for o in out[:400]:
            t = time.perf_counter(); zlib.decompress(o, -15); times.append((time.perf_counter() - t) * 1e6)
        size = sum(len(o) for o in out)
        print(f"| {block // 1024} KB | {level} | {size / total:.3f} | {total / ct / 1e6:.0f} | {statistics.median(times):.0f} |")
