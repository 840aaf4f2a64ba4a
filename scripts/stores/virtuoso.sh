#!/usr/bin/env bash
# Start, stop or check Virtuoso Open Source (Debian `virtuoso-opensource`) on loopback, with its own
# database folder and ini (the packaged service does not auto-start here and is left alone).
#   scripts/stores/virtuoso.sh start|stop|status|url|isql [DIR] [HTTP_PORT] [SQL_PORT]
# Defaults: DIR var/stores/virtuoso, HTTP 8890, SQL 1111 (env ODL_VIRTUOSO_DIR/_HTTP_PORT/_SQL_PORT).
# `start` also creates the account odl-graph writes with (ODL_VIRTUOSO_USER / ODL_VIRTUOSO_PASSWORD,
# default odl/odl) holding SPARQL_UPDATE and write permission on graphs (graph CRUD). Idempotent.
# ODL_VIRTUOSO_MAXROWS (default 10000, the packaged value) and ODL_VIRTUOSO_MAXTIME (s, default 60)
# set ResultSetMaxRows and MaxQueryExecutionTime: Virtuoso truncates silently at both, with HTTP 200.
# ODL_VIRTUOSO_MAXCOST (default 0 = off) is MaxQueryCostEstimationTime: its estimates are far off with
# many default-graph-uri (1255 s for a query that runs in milliseconds), so refusals are switched off.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CMD="${1:-start}"
DIR="${2:-${ODL_VIRTUOSO_DIR:-$ROOT/var/stores/virtuoso}}"
HTTP_PORT="${3:-${ODL_VIRTUOSO_HTTP_PORT:-8890}}"
SQL_PORT="${4:-${ODL_VIRTUOSO_SQL_PORT:-1111}}"
DBA_PASSWORD="${ODL_VIRTUOSO_DBA_PASSWORD:-dba}"
USER_NAME="${ODL_VIRTUOSO_USER:-odl}"
USER_PASSWORD="${ODL_VIRTUOSO_PASSWORD:-odl}"
BIN="${ODL_VIRTUOSO_BIN:-$(command -v virtuoso-t || true)}"
ISQL="${ODL_VIRTUOSO_ISQL:-$(command -v isql-vt || command -v isql || true)}"
URL="http://127.0.0.1:$HTTP_PORT"
INI="$DIR/virtuoso.ini"

pid() { sed -n 's/^VIRT_PID=//p' "$DIR/virtuoso.lck" 2>/dev/null || true; }
running() { local p; p="$(pid)"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
ready() { curl -fsS -o /dev/null "$URL/sparql?query=ASK%7B%7D" 2>/dev/null; }
isql() { "$ISQL" "127.0.0.1:$SQL_PORT" dba "$DBA_PASSWORD" "$@"; }

write_ini() {
  mkdir -p "$DIR/db" "$DIR/load"
  cat >"$INI" <<INI
[Database]
DatabaseFile       = $DIR/db/virtuoso.db
ErrorLogFile       = $DIR/db/virtuoso.log
LockFile           = $DIR/virtuoso.lck
TransactionFile    = $DIR/db/virtuoso.trx
xa_persistent_file = $DIR/db/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $DIR/db/virtuoso-temp.db
TransactionFile    = $DIR/db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:$SQL_PORT
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 10
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
AllowOSCalls             = 0
DirsAllowed              = ., $DIR/load
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 1G
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 10
NumberOfBuffers          = ${ODL_VIRTUOSO_BUFFERS:-20000}
MaxDirtyBuffers          = ${ODL_VIRTUOSO_DIRTY_BUFFERS:-15000}

[HTTPServer]
ServerPort                  = 127.0.0.1:$HTTP_PORT
ServerRoot                  = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = ${ODL_VIRTUOSO_MAXROWS:-10000}
MaxQueryCostEstimationTime = ${ODL_VIRTUOSO_MAXCOST:-0}
MaxQueryExecutionTime      = ${ODL_VIRTUOSO_MAXTIME:-60}
DeferInferenceRulesInit    = 0
INI
}

grant_user() {
  # SPARQL_UPDATE for /sparql-auth and /sparql-graph-crud-auth; default graph permissions 3 = read+write.
  isql exec="USER_CREATE('$USER_NAME', '$USER_PASSWORD');" >/dev/null 2>&1 || true
  isql exec="GRANT SPARQL_UPDATE TO \"$USER_NAME\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET('$USER_NAME', 3); GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO \"$USER_NAME\"; GRANT EXECUTE ON DB.DBA.SPARQL_DELETE_DICT_CONTENT TO \"$USER_NAME\"; GRANT EXECUTE ON DB.DBA.L_O_LOOK TO \"$USER_NAME\"; GRANT EXECUTE ON DB.DBA.SPARUL_RUN TO \"$USER_NAME\"; GRANT EXECUTE ON DB.DBA.SPARQL_CONSTRUCT_ACC TO \"$USER_NAME\"; GRANT EXECUTE ON DB.DBA.SPARQL_CONSTRUCT_FIN TO \"$USER_NAME\"; GRANT EXECUTE ON DB.DBA.TTLP_MT TO \"$USER_NAME\"; GRANT EXECUTE ON DB.DBA.RDF_GRAPH_GROUP_INS TO \"$USER_NAME\";" >/dev/null 2>&1 || true
  isql exec="checkpoint;" >/dev/null 2>&1 || true
}

case "$CMD" in
  start)
    if running && ready; then echo "$URL/sparql"; exit 0; fi
    [ -n "$BIN" ] || { echo "virtuoso: virtuoso-t not found (apt-get install virtuoso-opensource)" >&2; exit 3; }
    [ -n "$ISQL" ] || { echo "virtuoso: isql-vt not found" >&2; exit 3; }
    write_ini
    (cd "$DIR" && "$BIN" +configfile "$INI" +wait >"$DIR/start.log" 2>&1) \
      || { echo "virtuoso: failed to start, see $DIR/db/virtuoso.log" >&2; tail -5 "$DIR/db/virtuoso.log" >&2; exit 1; }
    for _ in $(seq 1 300); do ready && break; sleep 0.1; done
    ready || { echo "virtuoso: HTTP not ready after 30 s, see $DIR/db/virtuoso.log" >&2; exit 1; }
    grant_user
    echo "$URL/sparql" ;;
  stop)
    if running; then
      p="$(pid)"
      isql exec="shutdown;" >/dev/null 2>&1 || kill "$p" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$p" 2>/dev/null && kill -9 "$p"
    fi
    true ;;
  kill)  # crash it on purpose (tests of interrupted loads): no checkpoint, no clean shutdown
    if running; then kill -9 "$(pid)"; fi ;;
  status) if running && ready; then echo "running $URL/sparql"; else echo "stopped"; exit 1; fi ;;
  url) echo "$URL/sparql" ;;
  isql) shift 4 2>/dev/null || shift $#; isql "$@" ;;
  *) echo "usage: $0 start|stop|kill|status|url|isql [DIR] [HTTP_PORT] [SQL_PORT]" >&2; exit 2 ;;
esac
