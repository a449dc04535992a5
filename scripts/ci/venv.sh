#!/usr/bin/env bash
# Sourced by the CI scripts and by the test setup (tests/setup/global.ts): `make_venv DIR REQUIREMENTS`
# creates a Python venv in DIR if missing (with $PYTHON, default python3) and installs the pinned
# requirements into it. Idempotent and cached: a venv whose recorded requirements hash matches is left
# alone (no pip run), so the test setup costs nothing once the venvs exist.
make_venv() {
  local venv=$1 req=$2 py=${PYTHON:-python3} stamp want
  stamp="$venv/.tagsmith-requirements.sha256"
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "== $venv is up to date ($req)"
    return 0
  fi
  if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv with $($py --version)"
    "$py" -m venv "$venv"
  fi
  echo "== installing $req into $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
}
