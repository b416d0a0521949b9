#!/usr/bin/env python3
"""Every query class, tsearch against tantivy, like for like and in alternation.

usage: classes.py CORPUS.jsonl OUT_DIR [ROUNDS] [TSEARCH_BINARY] [--queries-per-class N] [--seed S]

What it does, in order:
1. Writes OUT_DIR/corpus.jsonl: the corpus with a `date` on every document (its own when it has one that reads,
   else 1987-01-01 plus the document's number modulo 730 days), so that both engines index the same dates.
2. Makes the queries (deterministic for the seed): per class N of them, from the corpus's own words --
   t1/t2/t3 (1-3 words, OR), phrase (2 words that stand side by side in a document), and2/and3 (words of one
   document, AND), not (a NOT b), plusminus (+a -b c), title (title:w), prefix (4-6 letters*), fuzzy (a word of
   6+ letters with one letter changed, ~1), date (two words and a month). Written as OUT_DIR/tsearch.tsv (tsearch's
   syntax) and OUT_DIR/tantivy.tsv (what tantivy is given).
3. Builds tantivy's index of the corpus (the schema of shared/bench/perf.py -- id, title and text with en_stem --
   plus a date field, indexed and fast) and tsearch's (`tsearch index`), each timed.
4. Runs ROUNDS rounds; in each, tantivy (one warm-up pass, three timed passes, in process) and `tsearch bench`
   (the same) on their indexes, which goes first alternating. Like for like: tantivy is given query objects built
   before the clock (its parser alone is 3-8 us a query in Python) and searched top 10 with count=False (top-k
   only, no counting of every match: tsearch counts exactly only up to 1,000 and then skips); tsearch runs with
   passages off and no spelling suggestions. Both search the title and the text: tantivy's query parser over
   ["title", "text"], its prefix and fuzzy queries on both fields (OR); tsearch BM25F over both.
5. Prints each round and the medians of p50 and p99 per class with the ratio tsearch / tantivy, as a Markdown table
   (also written to OUT_DIR/table.md). Python's own cost per tantivy call (an empty query searched the same way)
   is measured and printed beside them: tantivy's figures include it.
"""
import datetime, json, os, random, re, shutil, statistics, subprocess, sys, time

import tantivy

args = [a for a in sys.argv[1:] if not a.startswith("--")]
opts = {sys.argv[i]: sys.argv[i + 1] for i in range(len(sys.argv) - 1) if sys.argv[i].startswith("--")}
corpus, out = args[0], args[1]
rounds = int(args[2]) if len(args) > 2 else 3
binary = args[3] if len(args) > 3 else os.path.join(os.path.dirname(__file__), "../../.build/release/tsearch")
per_class = int(opts.get("--queries-per-class", "50"))
rng = random.Random(int(opts.get("--seed", "7")))
os.makedirs(out, exist_ok=True)

MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


def read_date(s):
    """The date of the corpus's own forms (ISO, Reuters' 26-FEB-1987 ...), or None."""
    if not s:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})", s)
    if m and m[2].lower() in MONTHS:
        try:
            return datetime.date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        except ValueError:
            return None
    return None


docs = []
dated = os.path.join(out, "corpus.jsonl")
with open(corpus, encoding="utf-8") as f, open(dated, "w", encoding="utf-8") as w:
    for i, line in enumerate(f):
        d = json.loads(line)
        day = read_date(d.get("date", "")) or datetime.date(1987, 1, 1) + datetime.timedelta(days=i % 730)
        x = {"id": d["id"], "title": d.get("title", ""), "text": d.get("text", ""), "date": day.isoformat()}
        docs.append(x)
        w.write(json.dumps(x) + "\n")

# Queries from the corpus's own words (lower case letters only, no stop words, 3+ letters).
STOP = set("a an and are as at be but by for if in into is it no not of on or such that the their then there these "
           "they this to was will with said from has have had its which were been than also would".split())
WORD = re.compile(r"[a-z]{3,}")
sample = rng.sample(docs, min(len(docs), 4000))
words_of = [[w for w in WORD.findall((d["text"]).lower()) if w not in STOP] for d in sample]
title_words = [[w for w in WORD.findall(d["title"].lower()) if w not in STOP] for d in sample]
vocab = [w for ws in words_of for w in ws]
months = sorted({d["date"][:7] for d in docs})


def pick_doc_words(k):
    while True:
        ws = rng.choice(words_of)
        distinct = list(dict.fromkeys(ws))
        if len(distinct) >= k:
            return rng.sample(distinct, k)


def adjacent_pair():
    while True:
        ws = rng.choice(words_of)
        if len(ws) >= 2:
            i = rng.randrange(len(ws) - 1)
            return ws[i], ws[i + 1]


queries = []  # (class, tsearch text, tantivy spec)
for _ in range(per_class):
    for k, cls in ((1, "t1"), (2, "t2"), (3, "t3")):
        ws = [rng.choice(vocab) for _ in range(k)]
        queries.append((cls, " ".join(ws), ("parse", " ".join(ws))))
    a, b = adjacent_pair()
    queries.append(("phrase", f"{a} {b}", ("parse", f'"{a} {b}"')))
    a, b = pick_doc_words(2)
    queries.append(("and2", f"{a} AND {b}", ("parse", f"{a} AND {b}")))
    a, b, c = pick_doc_words(3)
    queries.append(("and3", f"{a} AND {b} AND {c}", ("parse", f"{a} AND {b} AND {c}")))
    a, b = rng.choice(vocab), rng.choice(vocab)
    queries.append(("not", f"{a} NOT {b}", ("parse", f"{a} -{b}")))
    a, b, c = rng.choice(vocab), rng.choice(vocab), rng.choice(vocab)
    queries.append(("plusminus", f"+{a} -{b} {c}", ("parse", f"+{a} -{b} {c}")))
    tw = rng.choice([t for t in title_words if t])
    t = rng.choice(tw)
    queries.append(("title", f"title:{t}", ("parse", f"title:{t}")))
    w = rng.choice([v for v in vocab if len(v) >= 6])
    p = w[: rng.randint(4, 6)]
    queries.append(("prefix", p, ("prefix", p)))
    w = rng.choice([v for v in vocab if len(v) >= 6])
    i = rng.randrange(1, len(w))
    typo = w[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz".replace(w[i], "")) + w[i + 1:]
    queries.append(("fuzzy", typo, ("fuzzy", typo)))
    a, b = rng.choice(vocab), rng.choice(vocab)
    m = rng.choice(months)
    queries.append(("date", f"{a} {b} date:{m}", ("date", f"{a} {b}", m)))

with open(os.path.join(out, "tsearch.tsv"), "w") as f:
    for cls, q, _ in queries:
        f.write(f"{cls}\t{q}\n")
with open(os.path.join(out, "tantivy.tsv"), "w") as f:
    for cls, _, spec in queries:
        f.write(f"{cls}\t{json.dumps(spec)}\n")

# tantivy's index: perf.py's schema plus the date.
tdir = os.path.join(out, "tantivy-index")
shutil.rmtree(tdir, ignore_errors=True)
os.makedirs(tdir)
sb = tantivy.SchemaBuilder()
sb.add_text_field("id", stored=True, tokenizer_name="raw")
sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
sb.add_date_field("date", stored=False, indexed=True, fast=True)
schema = sb.build()
t0 = time.perf_counter()
ix = tantivy.Index(schema, path=tdir)
wr = ix.writer(heap_size=256_000_000)
for x in docs:
    day = datetime.date.fromisoformat(x["date"])
    wr.add_document(tantivy.Document(
        id=x["id"], title=x["title"], text=x["text"], date=datetime.datetime(day.year, day.month, day.day)))
wr.commit()
wr.wait_merging_threads()
del wr
tantivy_build = time.perf_counter() - t0
ix.reload()
searcher = ix.searcher()

tsearch_index = os.path.join(out, "tsearch-index")
shutil.rmtree(tsearch_index, ignore_errors=True)
t0 = time.perf_counter()
subprocess.run([binary, "index", "--index", tsearch_index, dated], check=True, capture_output=True)
tsearch_build = time.perf_counter() - t0


def month_range(m):
    y, mo = int(m[:4]), int(m[5:7])
    lo = datetime.datetime(y, mo, 1)
    hi = datetime.datetime(y + (mo == 12), mo % 12 + 1, 1) - datetime.timedelta(seconds=1)
    return lo, hi


def build(spec):
    kind = spec[0]
    if kind == "parse":
        return ix.parse_query(spec[1], ["title", "text"])
    if kind == "prefix":
        pattern = re.escape(spec[1]) + ".*"
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.regex_query(schema, "text", pattern)),
            (tantivy.Occur.Should, tantivy.Query.regex_query(schema, "title", pattern))])
    if kind == "fuzzy":
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.fuzzy_term_query(schema, "text", spec[1], distance=1)),
            (tantivy.Occur.Should, tantivy.Query.fuzzy_term_query(schema, "title", spec[1], distance=1))])
    if kind == "date":
        lo, hi = month_range(spec[2])
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Must, ix.parse_query(spec[1], ["title", "text"])),
            (tantivy.Occur.Must, tantivy.Query.range_query(schema, "date", tantivy.FieldType.Date, lo, hi))])
    raise ValueError(kind)


built = [(cls, build(spec)) for cls, _, spec in queries]
empty = tantivy.Query.empty_query()


def percentiles(v):
    v = sorted(v)
    return statistics.median(v), v[max(0, int(len(v) * 0.99) - 1)]


def tantivy_pass():
    for _, q in built:
        searcher.search(q, 10, count=False)
    by = {}
    for _ in range(3):
        for cls, q in built:
            t = time.perf_counter()
            searcher.search(q, 10, count=False)
            by.setdefault(cls, []).append((time.perf_counter() - t) * 1000)
    floor = []
    for _ in range(len(built)):
        t = time.perf_counter()
        searcher.search(empty, 10, count=False)
        floor.append((time.perf_counter() - t) * 1000)
    r = {c: percentiles(v) for c, v in by.items()}
    r["(python floor)"] = percentiles(floor)
    return r


def tsearch_pass():
    out_text = subprocess.run(
        [binary, "bench", "--index", tsearch_index, "--queries", os.path.join(out, "tsearch.tsv"), "--passes", "3",
         "--passages", "off"], capture_output=True, text=True, check=True).stdout
    r = {}
    for line in out_text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "/":
            r[parts[0]] = (float(parts[1]), float(parts[3]))
    return r


results = {"tantivy": [], "tsearch": []}
for k in range(rounds):
    order = ["tantivy", "tsearch"] if k % 2 == 0 else ["tsearch", "tantivy"]
    for engine in order:
        results[engine].append(tantivy_pass() if engine == "tantivy" else tsearch_pass())
    print(f"round {k + 1}: " + "  ".join(
        f"{c} {results['tsearch'][-1][c][0]:.3f}/{results['tantivy'][-1][c][0]:.3f}"
        for c in sorted(results["tsearch"][-1])), "(p50 ms, tsearch/tantivy)", flush=True)

classes = ["t1", "t2", "t3", "phrase", "and2", "and3", "not", "plusminus", "title", "prefix", "fuzzy", "date"]
lines = [f"corpus {os.path.basename(corpus)}: {len(docs)} documents; {per_class} queries a class; {rounds} rounds; "
         f"build tsearch {tsearch_build:.2f} s, tantivy {tantivy_build:.2f} s ({tsearch_build / tantivy_build:.2f}x)",
         "",
         "| class | tsearch p50 | tantivy p50 | ratio | tsearch p99 | tantivy p99 | ratio |",
         "|---|---|---|---|---|---|---|"]
for c in classes:
    med = {e: (statistics.median(r[c][0] for r in results[e]), statistics.median(r[c][1] for r in results[e]))
           for e in results}
    lines.append(f"| {c} | {med['tsearch'][0]:.3f} | {med['tantivy'][0]:.3f} | {med['tsearch'][0] / med['tantivy'][0]:.2f}x | "
                 f"{med['tsearch'][1]:.3f} | {med['tantivy'][1]:.3f} | {med['tsearch'][1] / med['tantivy'][1]:.2f}x |")
floor = statistics.median(r["(python floor)"][0] for r in results["tantivy"])
lines.append("")
lines.append(f"Python's own cost per tantivy search (an empty query, the same call), included in tantivy's figures: "
             f"p50 {floor:.4f} ms.")
text = "\n".join(lines)
print(text)
open(os.path.join(out, "table.md"), "w").write(text + "\n")
