#!/usr/bin/env bash
# Runs the README's test command.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm test
