#!/bin/bash
# Measures andon against GNU parallel on the one-line command lines of GNU parallel's own
# documentation (see method.md):
#
#   bash bench/corpus/measure.sh              # everything, ~20-30 min on 2 cores
#   bash bench/corpus/measure.sh --andon-only # andon again, GNU's results kept (~10 min)
#
# Writes to $ANDON_CORPUS_DIR (default /tmp/andon-corpus); the result is its summary.md.
# Every command is wrapped in `timeout -k 2 20`; each doc line gets at most LINE_TIMEOUT (17)
# seconds per run. Needs npm run build first, GNU parallel and python3.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export ANDON_CORPUS_DIR=${ANDON_CORPUS_DIR:-/tmp/andon-corpus}
mkdir -p "$ANDON_CORPUS_DIR" && cd "$ANDON_CORPUS_DIR" || exit 1
phases="gnu1 gnu2 andon"
if [ "${1:-}" = "--andon-only" ]; then
  phases=andon
  [ -d results ] || { echo "measure.sh: no earlier results in $ANDON_CORPUS_DIR; run it once without --andon-only" >&2; exit 1; }
else
  timeout -k 2 20 python3 "$HERE/extract.py" || exit 1
  timeout -k 2 20 bash "$HERE/make_fixture.sh" || exit 1
  rm -rf results run
fi
mkdir -p results run
N=$(grep -c . candidates.tsv)
for i in $(seq 1 "$N"); do
  for phase in $phases; do
    timeout -k 2 20 python3 "$HERE/step.py" "$i" "$phase"
  done
  echo "$i/$N" > progress
done
timeout -k 2 60 python3 "$HERE/classify.py"
echo "measure.sh: $ANDON_CORPUS_DIR/summary.md"
