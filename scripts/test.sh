#!/usr/bin/env bash
# The whole test suite, installs included (what .ci/run runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check odl_graph server tests bench
# The layer contracts of pyproject.toml ([tool.importlinter]): one-way imports, no cycles.
.venv/bin/lint-imports
# Every tool the tests need was just installed: a skip for a missing one is a failure (tests/conftest.py).
export ODL_REQUIRE_ALL="${ODL_REQUIRE_ALL:-1}" ODL_REQUIRE_STORES="${ODL_REQUIRE_STORES:-1}"
# One pytest-xdist worker per core (ODL_TEST_WORKERS to change it), a test file's tests on one worker, so
# module fixtures (servers, browsers) start once; the workers share one build of the shipped graph.
exec .venv/bin/python -m pytest -q -n "${ODL_TEST_WORKERS:-auto}" --dist loadfile "$@"
