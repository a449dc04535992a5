#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian/Ubuntu machine: npm packages, a Python venv
# (reference scripts, MLflow server, schemathesis). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund
echo "== system tools (Debian): chromium and firefox-esr for the extension's end-to-end tests, ffmpeg for the demo video, redis-server for the embedding queue's tests"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' (Debian) and try again" >&2
    exit 1
  fi
fi
chromium --version 2>/dev/null | head -1
firefox-esr --version 2>/dev/null | head -1
ffmpeg -version 2>/dev/null | head -1
redis-server --version 2>/dev/null | head -1
echo "== model files against their recorded sha256"
(cd models && sha256sum --quiet -c SHA256SUMS)
echo "== python venv (.venv)"
source scripts/ci/venv.sh
make_venv .venv scripts/python/requirements.txt
echo "== MLflow server venv (.venv-mlflow)"
bash scripts/ci/mlflow.sh install
echo "== schemathesis venv (.venv-fuzz)"
bash scripts/ci/schemathesis.sh install
echo "== deployment linters venv (.venv-deploy): kubernetes-validate, hadolint"
bash scripts/ci/deploy-lint.sh install
