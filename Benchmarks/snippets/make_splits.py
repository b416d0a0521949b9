#!/usr/bin/env python3
"""Split SQuAD v1.1 dev (shared/corpora/passages) into the tuning part (articles 0-15) and the held-out part
(articles 16-47), in the layout shared/bench/snippets/run.py reads.
usage: make_splits.py SHARED_DIR OUT_DIR  ->  OUT_DIR/squad-tune, OUT_DIR/squad-test"""
import json, os, sys

shared, out = sys.argv[1], sys.argv[2]
src = os.path.join(shared, "corpora", "passages", "squad-v1.1-dev")
docs = [json.loads(l) for l in open(os.path.join(src, "docs.jsonl"))]
questions = [json.loads(l) for l in open(os.path.join(src, "questions.jsonl"))]
tune = {d["id"] for d in docs[:16]}
for name, keep in (("squad-tune", lambda i: i in tune), ("squad-test", lambda i: i not in tune)):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "docs.jsonl"), "w") as f:
        for doc in docs:
            if keep(doc["id"]):
                f.write(json.dumps(doc) + "\n")
    n = 0
    with open(os.path.join(d, "questions.jsonl"), "w") as f:
        for q in questions:
            if keep(q["doc_id"]):
                f.write(json.dumps(q) + "\n")
                n += 1
    print(name, n, "questions")
