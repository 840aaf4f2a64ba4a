#!/usr/bin/env bash
# Fresh machine to running graph: install what serving needs, build the graph (the build validates it
# with SHACL and leaves the store unchanged on a violation), then serve it.
# Host and port: ODL_HOST (default 127.0.0.1) and ODL_PORT (default 8000).
# The tests' tools (Java, Chromium, Virtuoso, Node.js) are installed by scripts/test.sh, not here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh serve
.venv/bin/odl-graph build
host=${ODL_HOST:-127.0.0.1}
port=${ODL_PORT:-8000}
shown=$host
case "$host" in 0.0.0.0|::|"[::]") shown=127.0.0.1 ;; *:*) shown="[$host]" ;; esac
url="http://$shown:$port"
cat <<URLS

Once "odl-graph: serving" appears below, open:
  home page            $url/
  a use-case sheet     $url/id/usecase/tableau-bord-rotation-stationnement
  a commune's diagnostic
                       $url/analyses/diagnostic?commune=71076&usecase=tableau-bord-rotation-stationnement
  the SPARQL editor    $url/editor
  the API docs         $url/api/docs
Stop with Ctrl-C.

URLS
exec .venv/bin/odl-graph serve --host "$host" --port "$port"
