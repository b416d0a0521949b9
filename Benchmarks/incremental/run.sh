#!/usr/bin/env bash
# Incremental indexing at 100,000 documents: full build, a no-change re-index, and adding 1% new documents.
# usage: Benchmarks/incremental/run.sh TSEARCH WORK_DIR   (run from the repository root; needs ../shared)
set -euo pipefail
T=$1; W=$2
mkdir -p "$W"
if [[ ! -d $W/corpus ]]; then
  python3 ../shared/bench/gen_synth.py ../shared/corpora/news-text/reuters-21578/reuters21578.jsonl 101000 1 > "$W/synth.jsonl"
  python3 - "$W" <<'PY'
import json, os, sys
w = sys.argv[1]
for i, line in enumerate(open(os.path.join(w, "synth.jsonl"))):
    d = json.loads(line)
    folder = os.path.join(w, "corpus" if i < 100000 else "extra", f"{i // 1000:03d}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{i}.txt"), "w") as f:
        f.write((d.get("title", "") + "\n" + d.get("text", "")).strip() + "\n")
PY
fi
rm -rf "$W/idx"
t() { local s=$(date +%s%N); "$@" > "$W/last.log" 2>&1; echo "$(( ($(date +%s%N) - s) / 1000000 )) ms  $(tail -n1 "$W/last.log")"; }
echo "full build of 100,000 files:   $(t "$T" index --index "$W/idx" "$W/corpus")"
for i in 1 2 3; do echo "no-change re-index, run $i:     $(t "$T" index --index "$W/idx" "$W/corpus")"; done
cp -r "$W/extra/"* "$W/corpus/"
echo "adding 1% (1,000 new files):    $(t "$T" index --index "$W/idx" "$W/corpus")"
rm -rf "$W/corpus/100"
"$T" stats --index "$W/idx" | head -3
