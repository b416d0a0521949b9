#!/usr/bin/env bash
# Builds the four fuzzers with libFuzzer and AddressSanitizer and runs each for SECONDS (default 60) from a seed
# corpus (queries from docs/QUERY.md, pages from the HTML test fixtures, lines of a JSONL collection, LZ4 blocks
# of the seeds). Prints executions and findings per fuzzer; exits 1 when one finds a crash (its input is kept in
# Tests/Fuzz/findings/).
#   Tests/Fuzz/run.sh [SECONDS] [FUZZER…]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
fuzzers=("$@")
[[ ${#fuzzers[@]} -gt 0 ]] || fuzzers=(FuzzQuery FuzzHTML FuzzJSONL FuzzLZ4)
root=$(cd ../.. && pwd)
# Coverage and AddressSanitizer on every module; libFuzzer without its own main (SwiftPM links an executable's entry
# point as `main`, and each fuzzer's calls LLVMFuzzerRunDriver).
runtime=$(dirname "$(dirname "$(command -v swift)")")/lib/clang
runtime=$(ls -d "$runtime"/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)
flags=(-c release -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
  -Xswiftc -parse-as-library -Xlinker --whole-archive -Xlinker "$runtime" -Xlinker --no-whole-archive
  -Xlinker -lstdc++)
for f in "${fuzzers[@]}"; do swift build "${flags[@]}" --product "$f" >/dev/null; done
bin=$(swift build "${flags[@]}" --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p findings
seed() {  # seed corpus for one fuzzer
  local d="$work/$1"
  mkdir -p "$d"
  case $1 in
    FuzzQuery)
      grep -E '^[^|#`].* => ' "$root/docs/QUERY.md" | sed 's/ => .*//' | split -l 1 - "$d/q"
      printf '%s' 'tarrifs~ AND "trade deal"~3 -title:(soy* OR date:2025-09..2025-10) +$1.5bn' > "$d/mixed" ;;
    FuzzHTML)  # the test pages' first 12 KB (whole pages make each run slow)
      find "$root/Tests/TSearchHTMLTests/Fixtures" -name '*.html' | sort | head -40 | while read -r p; do
        head -c 12000 "$p" > "$d/$(basename "$(dirname "$p")")-$(basename "$p")"; done ;;
    FuzzJSONL)
      printf '%s' '{"id":"a1","title":"Soybean tariffs","text":"Tariffs on soybeans.","date":"2025-08-26"}' > "$d/a"
      printf '%s' '{"id":2,"text":["one","two"],"author":"A \u00e9 \ud83d\ude00","x":{"y":[1,2,{"z":null}]}}' > "$d/b" ;;
    FuzzLZ4) for s in "$root"/seeds/*; do head -c 3000 "$s" | python3 -c "import sys; d=sys.stdin.buffer.read(); sys.stdout.buffer.write(len(d).to_bytes(2,'little')+d)" > "$d/$(basename "$s")"; done ;;
  esac
  echo "$d"
}
failed=0
for f in "${fuzzers[@]}"; do
  corpus=$(seed "$f")
  log="$work/$f.log"
  set +e
  "$bin/$f" "$corpus" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -seed=20261208 \
    -artifact_prefix="findings/$f-" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  if [[ $rc -ne 0 ]]; then
    failed=1
    echo "$f: FINDING after ${runs:-?} executions (exit $rc):"
    grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -5
  else
    echo "$f: ${runs:-?} executions in ${seconds} s, ${cov:-cov ?}, no finding (seed 20261208)"
  fi
done
exit $failed
