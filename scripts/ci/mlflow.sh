#!/usr/bin/env bash
# MLflow tracking server for the tests of src/tracking (tests/tracking.test.ts).
#
#   bash scripts/ci/mlflow.sh install   # create .venv-mlflow with the pinned mlflow (idempotent)
#   bash scripts/ci/mlflow.sh check     # print the installed version, exit 1 if missing
#   bash scripts/ci/mlflow.sh serve DIR [PORT]
#                                       # run a server in the foreground: sqlite store + artifacts proxy in DIR
#
# Tests do not call `serve`: scripts/lib/mlflow-server.ts spawns the same command on a free port and
# stops it afterwards. `serve` is for trying the REST backend by hand
# (MLFLOW_TRACKING_URI=http://127.0.0.1:5000 tagsmith ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-mlflow
REQ=scripts/python/requirements-mlflow.txt
# shellcheck source=scripts/ci/venv.sh
source scripts/ci/venv.sh

case "${1:-}" in
  install)
    start=$(date +%s)
    make_venv "$VENV" "$REQ"
    echo "== mlflow $("$VENV/bin/python" -c 'import mlflow; print(mlflow.__version__)') installed in $VENV ($(( $(date +%s) - start )) s)"
    ;;
  check)
    if [ ! -x "$VENV/bin/mlflow" ]; then
      echo "MLflow is not installed: run 'bash scripts/ci/mlflow.sh install'" >&2
      exit 1
    fi
    "$VENV/bin/python" -c 'import mlflow; print(mlflow.__version__)'
    ;;
  serve)
    dir=${2:?usage: mlflow.sh serve DIR [PORT]}
    port=${3:-5000}
    mkdir -p "$dir/artifacts"
    dir=$(cd "$dir" && pwd)
    # No background job runner (5 extra processes); tracking does not need it. Override by exporting it.
    export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}
    exec "$VENV/bin/mlflow" server \
      --backend-store-uri "sqlite:///$dir/mlflow.db" \
      --artifacts-destination "$dir/artifacts" \
      --host 127.0.0.1 --port "$port"
    ;;
  *)
    echo "usage: bash scripts/ci/mlflow.sh install|check|serve DIR [PORT]" >&2
    exit 2
    ;;
esac
