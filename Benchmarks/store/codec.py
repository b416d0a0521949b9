#!/usr/bin/env python3
"""Stored-text codec choice: raw DEFLATE (zlib, the library tsearch links) at each level and block size, with and
without a preset dictionary, over the documents of a JSONL corpus laid out as tsearch's StoredFieldsWriter does
(documents appended to a block until it holds BLOCK bytes). The dictionary is what the writer takes: 512-byte
samples at even steps over the first megabyte of blocks, a sixteenth of it and 32 KiB at most; each block is
compressed from a copy of one primed compressor (zlib's deflateCopy, Python's compressobj.copy()). Prints the
stored size as a fraction of the raw text (the dictionary counted once), compression speed, and the median time to
inflate one whole block and to inflate a block up to a document in it (what fetching one hit's text costs: the
writer's reader stops at the document). Usage: codec.py CORPUS.jsonl"""
import json, random, statistics, sys, time, zlib

docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
raw = [(d.get("title", "") + "\n" + d.get("text", "")).encode() for d in docs]
total = sum(len(r) for r in raw)
print(f"{len(raw)} documents, {total / 1e6:.1f} MB")
print("| block | level | dictionary | stored / text | compress MB/s | inflate a block (median µs) | inflate to a document (median µs) |")
print("|---|---|---|---|---|---|---|")


def dictionary(blocks):
    first, n = [], 0
    for b in blocks:
        first.append(b); n += len(b)
        if n >= 1 << 20: break
    samples = min(32768, n // 16) // 512
    if samples < 2: return b""
    out, i, start = bytearray(), 0, 0
    for k in range(samples):
        at = k * (n // samples)
        while at >= start + len(first[i]): start += len(first[i]); i += 1
        b = first[i]; s = max(0, min(at - start, len(b) - 512)); out += b[s:s + 512]
    return bytes(out)


random.seed(1)
for block in (4096, 16384):
    blocks, cur, ends = [], bytearray(), []
    for r in raw:
        cur += r
        if len(cur) >= block:
            blocks.append(bytes(cur)); cur = bytearray()
    if cur: blocks.append(bytes(cur))
    for level in (1, 3, 6):
        for use_dict in (False, True):
            zdict = dictionary(blocks) if use_dict else b""
            primed = zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, *([zdict] if zdict else []))
            t = time.perf_counter(); out = []
            for b in blocks:
                c = primed.copy(); out.append(c.compress(b) + c.flush())
            ct = time.perf_counter() - t
            whole, part = [], []
            for o, b in list(zip(out, blocks))[:400]:
                t = time.perf_counter()
                d = zlib.decompressobj(-15, *([zdict] if zdict else [])); d.decompress(o)
                whole.append((time.perf_counter() - t) * 1e6)
                want = random.randrange(1, len(b) + 1)  # a document somewhere in the block
                t = time.perf_counter()
                d = zlib.decompressobj(-15, *([zdict] if zdict else [])); d.decompress(o, want)
                part.append((time.perf_counter() - t) * 1e6)
            size = sum(len(o) for o in out) + len(zdict)
            print(f"| {block // 1024} KB | {level} | {len(zdict) // 1024} KB | {size / total:.3f} | {total / ct / 1e6:.0f} | "
                  f"{statistics.median(whole):.0f} | {statistics.median(part):.0f} |")
