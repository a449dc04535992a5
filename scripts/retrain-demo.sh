#!/usr/bin/env bash
# The MLOps loop on real data (docs/registry.md): a champion trained on the 2018 API questions only,
# then `tagsmith retrain` on the 2018 file plus newer data, scored on the questions created from
# HOLDOUT_FROM on (which neither model trained on), promoted only through the gate.
#
#   bash scripts/retrain-demo.sh            # file store retrain-demo/mlruns (or TRACKING_URI=http://...)
#   VECTORIZER=hybrid bash scripts/retrain-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${TAGSMITH_SHARED_DATA:-../shared/data}
OUT=${OUT:-retrain-demo}
URI=${TRACKING_URI:-$OUT/mlruns}
VECTORIZER=${VECTORIZER:-tfidf}
HOLDOUT_FROM=${HOLDOUT_FROM:-2021}
NEWER=("$DATA/stackoverflow-api-mixed-2008-2023.jsonl.gz" "$DATA/stackoverflow-sede-2022-data-science.csv")
# The 2020 titles have no date column: once ingestion reads them they join the training side (undated).
if node bin/tagsmith.js ingest --data "$DATA/stackoverflow-sede-2020-titles.csv" >/dev/null 2>&1; then
  NEWER+=("$DATA/stackoverflow-sede-2020-titles.csv")
fi
tagsmith() { node bin/tagsmith.js "$@" --tracking-uri "$URI"; }

echo "== champion: 2018 API questions only ($VECTORIZER)"
champion=$(tagsmith train --data "$DATA/stackoverflow-api-2018.jsonl.gz" --vectorizer "$VECTORIZER" --out "$OUT/champion" \
  --run-name champion-2018 --json | node -e "console.log(JSON.parse(require('fs').readFileSync(0, 'utf8')).registered.version)")
tagsmith promote --version "$champion" --data "${NEWER[@]}"

echo "== retrain: 2018 + newer data before $HOLDOUT_FROM; both scored on $HOLDOUT_FROM and later"
tagsmith retrain --data "$DATA/stackoverflow-api-2018.jsonl.gz" "${NEWER[@]}" --holdout-from "$HOLDOUT_FROM" \
  --vectorizer "$VECTORIZER" --work-dir "$OUT/candidate" || echo "(the gate kept the champion)"
