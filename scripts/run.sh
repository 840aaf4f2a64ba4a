#!/usr/bin/env bash
# Fresh machine to running graph: install, build and validate the graph, then serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/odl-graph build
.venv/bin/odl-graph validate
if .venv/bin/odl-graph --help | grep -q " serve "; then
  exec .venv/bin/odl-graph serve --host "${ODL_HOST:-127.0.0.1}" --port "${ODL_PORT:-8000}"
fi
