#!/usr/bin/env bash
# Sourced by the CI scripts: `make_venv DIR REQUIREMENTS` creates a Python venv in DIR if missing
# (with $PYTHON, default python3) and installs the pinned requirements into it. Idempotent.
make_venv() {
  local venv=$1 req=$2 py=${PYTHON:-python3}
  if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv with $($py --version)"
    "$py" -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
}
