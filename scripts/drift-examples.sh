#!/usr/bin/env bash
# The drift runs shown in docs/drift.md, each timed (wall clock), into reports/drift/<name>/.
# Embeddings go through .cache/embeddings, so a second run only renders. Wall times are appended
# to reports/drift/timings.jsonl (and the last one is in <name>.time.json).
#   npm run drift:examples            # all four (the three of the issue + eras-full)
#   npm run drift:examples -- eras         # one of: titles-2010, data-science-2022, eras, eras-full
# eras compares titles only (--text title: the 2009-2011 export has no bodies); eras-full keeps
# the bodies of the 2018 and 2022 files, so the text format changes with the era.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${TAGSMITH_SHARED_DATA:-../shared/data}"
OUT="${DRIFT_EXAMPLES_OUT:-reports/drift}"
mkdir -p "$OUT"
declare -A ARGS=(
  [titles-2010]="--data $DATA/stackoverflow-sede-2009-2011-titles.csv --reference 2010-01 --months 2010-02..2010-12"
  [data-science-2022]="--data $DATA/stackoverflow-sede-2022-data-science.csv --reference 2022-01 --months 2022-02..2022-12"
  [eras-full]="--data $DATA/stackoverflow-sede-2009-2011-titles.csv $DATA/stackoverflow-api-2018.jsonl.gz $DATA/stackoverflow-sede-2022-data-science.csv --by year --reference 2009 --months 2010..2022"
  [eras]="--data $DATA/stackoverflow-sede-2009-2011-titles.csv $DATA/stackoverflow-api-2018.jsonl.gz $DATA/stackoverflow-sede-2022-data-science.csv --by year --reference 2009 --months 2010..2022 --text title"
)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(titles-2010 data-science-2022 eras eras-full)
for name in "${names[@]}"; do
  [ -n "${ARGS[$name]:-}" ] || { echo "drift:examples: unknown run '$name' (titles-2010, data-science-2022, eras, eras-full)" >&2; exit 2; }
  echo "== $name: tagsmith drift ${ARGS[$name]} --out $OUT/$name" >&2
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  node bin/tagsmith.js drift ${ARGS[$name]} --out "$OUT/$name" --json > "$OUT/$name.summary.json"
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc)
  counts=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));process.stdout.write(`"texts":${j.texts},"embedded_new":${j.embedded_new},"verdicts":${JSON.stringify(j.periods.map(p=>p.period+":"+p.verdict))}`)' "$OUT/$name.summary.json")
  line=$(printf '{"run":"%s","wall_seconds":%.1f,%s,"finished":"%s"}' "$name" "$wall" "$counts" "$(date -u +%FT%TZ)")
  echo "$line" > "$OUT/$name.time.json"
  echo "$line" >> "$OUT/timings.jsonl"   # history: the first (cold) run and the cached reruns
  echo "== $name: ${wall}s wall; $(cat "$OUT/$name.summary.json" | head -c 300)..." >&2
done
