#!/usr/bin/env bash
# Start, stop or check an Oxigraph server (PyPI `oxigraph`) on loopback, with its own data folder.
#   scripts/stores/oxigraph.sh start|stop|status|url [DIR] [PORT]
# DIR defaults to var/stores/oxigraph, PORT to 7878 (env ODL_OXIGRAPH_DIR / ODL_OXIGRAPH_PORT).
# Idempotent: `start` on a running server only prints its URL; `stop` on a stopped one does nothing.
# The server runs read-write (`oxigraph serve`): odl-graph loads it through the Graph Store Protocol.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CMD="${1:-start}"
DIR="${2:-${ODL_OXIGRAPH_DIR:-$ROOT/var/stores/oxigraph}}"
PORT="${3:-${ODL_OXIGRAPH_PORT:-7878}}"
BIN="${ODL_OXIGRAPH_BIN:-}"
if [ -z "$BIN" ]; then
  if [ -x "$ROOT/.venv/bin/oxigraph" ]; then BIN="$ROOT/.venv/bin/oxigraph"; else BIN="$(command -v oxigraph || true)"; fi
fi
PIDFILE="$DIR/server.pid"
URL="http://127.0.0.1:$PORT"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
ready() { curl -fsS -o /dev/null "$URL/query?query=ASK%7B%7D" 2>/dev/null; }

case "$CMD" in
  start)
    if running; then echo "$URL/query"; exit 0; fi
    [ -n "$BIN" ] || { echo "oxigraph: binary not found (pip install oxigraph)" >&2; exit 3; }
    mkdir -p "$DIR/db"
    # --timeout-s is set but, as measured here, does not stop every runaway query: odl-graph keeps its own.
    nohup "$BIN" serve --location "$DIR/db" --bind "127.0.0.1:$PORT" --timeout-s "${ODL_OXIGRAPH_TIMEOUT:-60}" \
      >"$DIR/server.log" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 100); do
      if ready; then echo "$URL/query"; exit 0; fi
      running || { echo "oxigraph: server exited, see $DIR/server.log" >&2; tail -5 "$DIR/server.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "oxigraph: not ready after 10 s, see $DIR/server.log" >&2; exit 1 ;;
  stop)
    if running; then
      pid="$(cat "$PIDFILE")"; kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$PIDFILE" ;;
  status) if running && ready; then echo "running $URL/query"; else echo "stopped"; exit 1; fi ;;
  url) echo "$URL/query" ;;
  *) echo "usage: $0 start|stop|status|url [DIR] [PORT]" >&2; exit 2 ;;
esac
