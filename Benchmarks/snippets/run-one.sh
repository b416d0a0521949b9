#!/bin/bash
# usage: run-one.sh CORPUS_DIR [PASSAGE_LENGTH]   (TSEARCH=binary; default: this checkout's release build)
T=${TSEARCH:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/tsearch}
L=${2:-280}
C=$(cd "$1" && pwd)
cd "$(dirname "$0")/../../../shared/bench/snippets" && python3 run.py --corpus "$C" --engines tsearch --tsearch-index "$T index --index {index} {docs}" --tsearch-batch "$T batch --index {index} --passage-length $L" 2>&1 | grep -E ' tsearch +n=' | sed 's/^ *//'
