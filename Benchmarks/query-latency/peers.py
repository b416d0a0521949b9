#!/usr/bin/env python3
"""Phrase, prefix and fuzzy query latency of tantivy and SQLite FTS5 on a JSONL corpus, measured the way
shared/bench/perf.py measures (index built first, one warm-up pass, top 10, p50/p99 per class).
tantivy: phrase through its query parser, prefix as regex_query("prefix.*"), fuzzy as fuzzy_term_query (distance 1,
transpositions cost 1). FTS5 (porter unicode61): phrase and prefix (`"w"*`); it has no fuzzy query.
usage: peers.py CORPUS.jsonl operators.tsv"""
import json, os, shutil, sqlite3, statistics, sys, tempfile, time

corpus, qfile = sys.argv[1], sys.argv[2]
docs = [json.loads(l) for l in open(corpus, encoding="utf-8")]
qs = [l.rstrip("\n").split("\t", 1) for l in open(qfile) if "\t" in l]

def lat(fn, classes):
    by = {}
    for cls, q in qs:
        if cls in classes: fn(q, cls)
    for cls, q in qs:
        if cls not in classes: continue
        t = time.perf_counter(); fn(q, cls); by.setdefault(cls, []).append((time.perf_counter() - t) * 1000)
    return {c: (statistics.median(v), sorted(v)[max(0, int(len(v) * 0.99) - 1)]) for c, v in by.items()}

import tantivy
sb = tantivy.SchemaBuilder()
sb.add_text_field("id", stored=True, tokenizer_name="raw")
sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
schema = sb.build(); d = tempfile.mkdtemp(prefix="tv-")
ix = tantivy.Index(schema, path=d); w = ix.writer(heap_size=256_000_000)
for x in docs: w.add_document(tantivy.Document(id=x["id"], title=x.get("title", ""), text=x.get("text", "")))
w.commit(); w.wait_merging_threads(); ix.reload(); s = ix.searcher()
def run_tv(q, cls):
    if cls == "phrase": qq = ix.parse_query(f'"{q}"', ["title", "text"])
    elif cls == "prefix": qq = tantivy.Query.regex_query(schema, "text", q.lower() + ".*")
    else: qq = tantivy.Query.fuzzy_term_query(schema, "text", q.lower(), 1, True, False)
    s.search(qq, 10)
L = lat(run_tv, {"phrase", "prefix", "fuzzy"})
print("tantivy  " + "  ".join(f"{c} p50 {a:.3f} p99 {b:.3f} ms" for c, (a, b) in sorted(L.items())))
shutil.rmtree(d)

d = tempfile.mkdtemp(prefix="fts-"); c = sqlite3.connect(os.path.join(d, "x.db"))
c.execute("create virtual table t using fts5(id unindexed, title, text, tokenize='porter unicode61 remove_diacritics 2')")
c.executemany("insert into t values (?,?,?)", ((x["id"], x.get("title", ""), x.get("text", "")) for x in docs))
c.commit(); c.execute("insert into t(t) values('optimize')"); c.commit()
def run_fts(q, cls):
    m = f'"{q}"' if cls == "phrase" else f'"{q}"*'
    c.execute("select id from t where t match ? order by bm25(t) limit 10", (m,)).fetchall()
L = lat(run_fts, {"phrase", "prefix"})
print("fts5     " + "  ".join(f"{c} p50 {a:.3f} p99 {b:.3f} ms" for c, (a, b) in sorted(L.items())) + "  (no fuzzy query)")
shutil.rmtree(d)
