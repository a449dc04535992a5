#!/usr/bin/env bash
# Schemathesis fuzzing of the tagsmith API against its own OpenAPI document.
#
#   bash scripts/ci/schemathesis.sh install          # create .venv-fuzz with the pinned schemathesis (idempotent)
#   bash scripts/ci/schemathesis.sh check            # print the installed version, exit 1 if missing
#   bash scripts/ci/schemathesis.sh run BASE_URL [schemathesis options...]
#                                                    # fuzz a running server, e.g. http://127.0.0.1:3000
#
# `run` uses every check schemathesis has (no 5xx, status codes, content types, headers and bodies
# as documented, invalid data rejected, valid data accepted, 405 for undeclared methods), a fixed
# seed and FUZZ_MAX_EXAMPLES examples per operation and phase (default 100). Exit status: 0 when
# no issue was found. tests/server-fuzz.test.ts starts a server and calls `run`.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-fuzz
REQ=scripts/python/requirements-fuzz.txt
# shellcheck source=scripts/ci/venv.sh
source scripts/ci/venv.sh

case "${1:-}" in
  install)
    start=$(date +%s)
    make_venv "$VENV" "$REQ"
    echo "== schemathesis $("$VENV/bin/schemathesis" --version | awk '{print $NF}') installed in $VENV ($(( $(date +%s) - start )) s)"
    ;;
  check)
    if [ ! -x "$VENV/bin/schemathesis" ]; then
      echo "schemathesis is not installed: run 'bash scripts/ci/schemathesis.sh install'" >&2
      exit 1
    fi
    "$VENV/bin/schemathesis" --version
    ;;
  run)
    base=${2:?usage: schemathesis.sh run BASE_URL [schemathesis options...]}
    shift 2
    if [ ! -x "$VENV/bin/schemathesis" ]; then
      echo "schemathesis is not installed: run 'bash scripts/ci/schemathesis.sh install'" >&2
      exit 1
    fi
    # Runs in a scratch directory: schemathesis and hypothesis write caches (.hypothesis/, .schemathesis/) into the cwd.
    venv=$(pwd)/$VENV
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    cd "$scratch"
    NO_COLOR=1 "$venv/bin/schemathesis" run "${base%/}/openapi.json" \
      --checks all \
      --max-examples "${FUZZ_MAX_EXAMPLES:-100}" \
      --seed "${FUZZ_SEED:-42}" \
      --generation-database none \
      --workers 1 \
      --request-timeout 10 \
      "$@"
    ;;
  *)
    echo "usage: bash scripts/ci/schemathesis.sh install|check|run BASE_URL [options]" >&2
    exit 2
    ;;
esac
