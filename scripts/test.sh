#!/usr/bin/env bash
# The whole test suite, installs included (what .ci/run runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check odl_graph server tests bench
exec .venv/bin/python -m pytest -q "$@"
