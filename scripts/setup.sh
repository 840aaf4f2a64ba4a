#!/usr/bin/env bash
# Install what odl-graph needs, idempotently.
#   setup.sh serve   what building and serving the graph needs: the venv and the package (run.sh)
#   setup.sh test    everything the tests need besides: Java (HermiT), Pango (the PDF report), Chromium
#                    (browser tests), Virtuoso (remote-store tests), Node.js and Comunica, and the dev
#                    extras (test.sh, .ci/run). The default.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}
case "$mode" in
  serve|test) ;;
  *) echo "usage: $0 [serve|test]" >&2; exit 2 ;;
esac

need_apt=()
# A fresh Debian has python3 without venv/ensurepip.
python3 -c "import ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ "$mode" = "test" ]; then
  command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
  # WeasyPrint (the PDF report) needs Pango.
  ldconfig -p | grep -q libpangoft2 || need_apt+=(libpangoft2-1.0-0)
  if [ "${ODL_SETUP_BROWSER:-1}" = "1" ]; then
    command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  fi
  # nginx: the documented reverse proxy, started by tests/test_proxy.py itself (never as a service).
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
  if [ "${ODL_SETUP_VIRTUOSO:-1}" = "1" ]; then
    command -v virtuoso-t >/dev/null 2>&1 || need_apt+=(virtuoso-opensource)
  fi
  # Comunica (a SPARQL client the tests run against the server) needs Node.js and npm.
  if [ "${ODL_SETUP_COMUNICA:-1}" = "1" ]; then
    command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
    command -v npm >/dev/null 2>&1 || need_apt+=(npm)
  fi
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  echo "setup: installing system packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
extras=""
[ "$mode" = "test" ] && extras="[dev]"
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".$extras" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import odl_graph, pyoxigraph, pyshacl, flask, waitress"
if [ "$mode" = "test" ] && [ "${ODL_SETUP_COMUNICA:-1}" = "1" ] \
    && [ ! -d tests/clients/node_modules/@comunica/query-sparql ]; then
  echo "setup: installing Comunica into tests/clients/node_modules (npm ci)"
  (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$mode" = "test" ]; then
  echo "setup: ok ($(.venv/bin/python --version), java: $(command -v java || echo missing))"
else
  echo "setup: ok ($(.venv/bin/python --version))"
fi
