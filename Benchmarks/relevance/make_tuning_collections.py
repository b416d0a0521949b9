#!/usr/bin/env python3
"""Build the tuning collections for ranking settings from shared/corpora/passages (not Cranfield, which we report on).

usage: make_tuning_collections.py SHARED_DIR OUT_DIR
  OUT_DIR/squad-paragraphs/: docs.jsonl (one document per SQuAD v1.1 dev paragraph, title = article title),
                             queries.tsv (every question), qrels.txt (the question's paragraph, grade 1)
  OUT_DIR/wikiqa/:           docs.jsonl (the WikiQA summaries), queries.tsv, qrels.txt (the question's document)
"""
import json, os, sys

shared, out = sys.argv[1], sys.argv[2]
p = os.path.join(shared, "corpora", "passages")

def write(name, docs, queries, qrels):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "docs.jsonl"), "w") as f:
        for doc in docs:
            f.write(json.dumps(doc) + "\n")
    with open(os.path.join(d, "queries.tsv"), "w") as f:
        for qid, text in queries:
            f.write(f"{qid}\t{' '.join(text.split())}\n")
    with open(os.path.join(d, "qrels.txt"), "w") as f:
        for qid, doc in qrels:
            f.write(f"{qid} 0 {doc} 1\n")
    print(f"{name}: {len(docs)} docs, {len(queries)} queries")

# SQuAD: split each article at its paragraphs (the questions carry their paragraph's byte span).
articles = {json.loads(l)["id"]: json.loads(l) for l in open(os.path.join(p, "squad-v1.1-dev", "docs.jsonl"))}
spans, queries, qrels = {}, [], []
for line in open(os.path.join(p, "squad-v1.1-dev", "questions.jsonl")):
    q = json.loads(line)
    pid = f"{q['doc_id']}-p{q['paragraph']}"
    spans[pid] = (q["doc_id"], q["paragraph_span"])
    queries.append((q["qid"], q["question"]))
    qrels.append((q["qid"], pid))
docs = []
for pid, (doc_id, (a, b)) in sorted(spans.items()):
    art = articles[doc_id]
    docs.append({"id": pid, "title": art["title"], "text": art["text"].encode()[a:b].decode()})
write("squad-paragraphs", docs, queries, qrels)

# WikiQA: document-level.
docs = [json.loads(l) for l in open(os.path.join(p, "wikiqa", "docs.jsonl"))]
queries, qrels = [], []
for line in open(os.path.join(p, "wikiqa", "questions.jsonl")):
    q = json.loads(line)
    queries.append((q["qid"], q["question"]))
    qrels.append((q["qid"], q["doc_id"]))
write("wikiqa", docs, queries, qrels)
