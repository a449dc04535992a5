#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian/Ubuntu machine: npm packages, a Python venv
# (reference scripts, MLflow server, schemathesis). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund
echo "== Chromium (the extension's end-to-end tests and screenshots drive Debian's chromium)"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "chromium is missing: run 'sudo apt-get install -y chromium' (Debian) and try again" >&2
    exit 1
  fi
fi
chromium --version 2>/dev/null | head -1
echo "== model files against their recorded sha256"
(cd models && sha256sum --quiet -c SHA256SUMS)
echo "== python venv (.venv)"
source scripts/ci/venv.sh
make_venv .venv scripts/python/requirements.txt
echo "== MLflow server venv (.venv-mlflow)"
bash scripts/ci/mlflow.sh install
echo "== schemathesis venv (.venv-fuzz)"
bash scripts/ci/schemathesis.sh install
