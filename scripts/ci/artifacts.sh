#!/usr/bin/env bash
# Builds what CI publishes: the extension for Chrome and Firefox with their zips (npm run build,
# fails above the zip budget) and the deployable server bundle (npm run bundle:server, fails above
# its budget).
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build
npm run bundle:server
