#!/usr/bin/env bash
# Soak test (not in CI): runs the examples' TCP proxy in front of an echo server under load from
# the examples' load generator for a given time, and reports the proxy's heap (after a GC), open
# file descriptors, threads, resident memory and the JVM's native memory (NMT) at the start and at
# the end, plus every load round's throughput and errors. Everything stays on 127.0.0.1.
#
#   benchmarks/soak.sh [--minutes N] [--poller NAME] [--conns C] [--round-seconds S]
#                      [--record FILE] [--no-build]
#
# Defaults: 10 minutes, the auto-selected poller, 64 connections, 20-second rounds; message sizes
# alternate between 64 B and 16 KiB, and every round opens new connections (connection churn).
# --record FILE writes the report as Markdown (e.g. benchmarks/results/soak.md).
# Exit status: 0 if no round had an error and nothing grew past the thresholds printed.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=10
POLLER=auto
CONNS=64
ROUND=20
RECORD=""
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --poller) POLLER="$2"; shift 2 ;;
    --conns) CONNS="$2"; shift 2 ;;
    --round-seconds) ROUND="$2"; shift 2 ;;
    --record) RECORD="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "soak: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
JCMD="$JAVA_HOME/bin/jcmd"
JAR=examples/target/pollen-examples.jar
FLAGS=(--add-exports java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)

if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  echo "soak: building the examples jar" >&2
  mvn -q -o -DskipTests package -pl examples -am >&2
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts "$@" in the background with stdout to $WORK/$name.out and waits for its "listening"
# line; sets ADDR (host:port) and PID.
start_server() {
  local name=$1; shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  local i
  for i in $(seq 1 200); do
    if grep -q '^listening ' "$WORK/$name.out" 2>/dev/null; then
      ADDR=$(sed -n 's/^listening \([^ ]*\).*/\1/p' "$WORK/$name.out" | head -n1)
      return 0
    fi
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "soak: $name did not start:" >&2; cat "$WORK/$name.err" >&2; exit 1
}

start_server echo "$JAVA" "${FLAGS[@]}" -Xmx256m -jar "$JAR" echo --port 0 --poller "$POLLER"
ECHO_ADDR=$ADDR
ECHO_PID=$PID
start_server proxy "$JAVA" "${FLAGS[@]}" -Xmx256m -XX:NativeMemoryTracking=summary \
  -jar "$JAR" proxy --listen 127.0.0.1:0 --upstream "$ECHO_ADDR" --poller "$POLLER"
PROXY_ADDR=$ADDR
PROXY_PID=$PID
# The poller the proxy actually runs on ("auto" resolves to one): from "listening H:P poller=NAME".
RESOLVED=$(grep -m1 -o 'poller=[^ ]*' "$WORK/proxy.out" | cut -d= -f2 || true)
[ -z "$RESOLVED" ] || POLLER=$RESOLVED
echo "soak: echo on $ECHO_ADDR (pid $ECHO_PID), proxy on $PROXY_ADDR (pid $PROXY_PID), poller $POLLER" >&2

# Prints "heap_kb fds threads rss_kb nmt_committed_kb" of the proxy, after a full GC.
measure() {
  "$JCMD" "$PROXY_PID" GC.run >/dev/null
  local heap fds threads rss nmt
  heap=$("$JCMD" "$PROXY_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -n1 | tr -dc 0-9)
  fds=$(ls "/proc/$PROXY_PID/fd" | wc -l)
  threads=$(ls "/proc/$PROXY_PID/task" | wc -l)
  rss=$(awk '/^VmRSS/{print $2}' "/proc/$PROXY_PID/status")
  nmt=$("$JCMD" "$PROXY_PID" VM.native_memory summary | grep -m1 '^Total:' | grep -o 'committed=[0-9]*KB' | tr -dc 0-9)
  echo "$heap $fds $threads $rss $nmt"
}

loadgen() { # conns size seconds -> the result line; appends to rounds
  "$JAVA" "${FLAGS[@]}" -Xmx256m -jar "$JAR" loadgen --connect "$PROXY_ADDR" --conns "$1" \
    --size "$2" --seconds "$3" --poller "$POLLER" 2>/dev/null || true
}

echo "soak: warm-up (10 s)" >&2
loadgen "$CONNS" 64 10 >/dev/null
sleep 2 # let the proxy close the warm-up's connections
read -r H0 F0 T0 R0 N0 <<<"$(measure)"
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
END_AT=$(( $(date +%s) + MINUTES * 60 ))
ROUNDS=0
ERRORS=0
: >"$WORK/rounds"
while [ "$(date +%s)" -lt "$END_AT" ]; do
  left=$(( END_AT - $(date +%s) ))
  secs=$(( left < ROUND ? left : ROUND ))
  [ "$secs" -ge 1 ] || break
  size=$([ $((ROUNDS % 2)) = 0 ] && echo 64 || echo 16384)
  line=$(loadgen "$CONNS" "$size" "$secs")
  ROUNDS=$((ROUNDS + 1))
  echo "round $ROUNDS (${size} B): $line" | tee -a "$WORK/rounds" >&2
  case "$line" in
    *"errors=0"*|*" 0 errors"*) ;;
    *) ERRORS=$((ERRORS + 1)) ;;
  esac
done
sleep 2
read -r H1 F1 T1 R1 N1 <<<"$(measure)"
STOP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
kill -TERM "$PROXY_PID"
for i in $(seq 1 100); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
SUMMARY=$(grep -v '^listening ' "$WORK/proxy.out" | tail -n 3 | tr '\n' ' ')

delta() { echo $(( $2 - $1 )); }
REPORT=$(cat <<EOF
# Soak: proxy under load for $MINUTES min

Run: \`benchmarks/soak.sh --minutes $MINUTES --poller $POLLER --conns $CONNS\`, $START to $STOP,
$(nproc) cores, $(uname -sr), $("$JAVA" -version 2>&1 | head -n1). Load: the examples' load
generator against the examples' proxy in front of the examples' echo server, all on 127.0.0.1,
$CONNS connections per ${ROUND}-second round, new connections every round, messages alternating
64 B and 16 KiB; machine load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).

| proxy JVM (after a full GC) | start | end | change |
| --- | --- | --- | --- |
| Java heap used (KiB) | $H0 | $H1 | $(delta "$H0" "$H1") |
| open file descriptors | $F0 | $F1 | $(delta "$F0" "$F1") |
| threads | $T0 | $T1 | $(delta "$T0" "$T1") |
| resident set (KiB) | $R0 | $R1 | $(delta "$R0" "$R1") |
| native memory, NMT committed (KiB) | $N0 | $N1 | $(delta "$N0" "$N1") |

Rounds: $ROUNDS, rounds with errors: $ERRORS. Proxy summary at exit: $SUMMARY

<details><summary>Every round</summary>

\`\`\`
$(cat "$WORK/rounds")
\`\`\`
</details>
EOF
)
echo "$REPORT"
if [ -n "$RECORD" ]; then
  echo "$REPORT" >"$RECORD"
  echo "soak: report written to $RECORD" >&2
fi
STATUS=0
[ "$ERRORS" = 0 ] || { echo "soak: $ERRORS round(s) had errors" >&2; STATUS=1; }
[ "$F1" -le $((F0 + 8)) ] || { echo "soak: file descriptors grew from $F0 to $F1" >&2; STATUS=1; }
exit $STATUS
