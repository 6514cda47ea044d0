#!/usr/bin/env bash
# Pollen's external benchmarks: echo servers (C epoll floor, Netty epoll and io_uring, Pollen on
# every poller) and TCP proxies (Pollen's examples proxy against HAProxy in front of nginx and
# redis), each server in its own process pinned to one CPU and its load generator on the other,
# CPU per message or request from the kernel, interleaved rounds. See docs/benchmarks.md.
#
#   benchmarks/external/run.sh [echo|proxy|all|report] [options]   (--help lists them)
#   benchmarks/external/run.sh --smoke      a ~2.5-minute check that everything runs
#
# Needs the benchmarks jar and, for the proxy part and the fallback load generator, the examples
# jar (./run bench external builds both). A C compiler (cc) builds the C floor and the C load
# generator into benchmarks/target/external-bin; without one the floor is skipped and the
# examples' Java loadgen is the client. Missing programs (taskset, haproxy, nginx, wrk,
# redis-server, redis-benchmark) are reported and their part is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=benchmarks/target/external-bin
NAME=external BUILD_HINT="./run bench external" . benchmarks/java-and-jar.sh
if [ "$(uname -s)" != Linux ]; then
  echo "external: these benchmarks read /proc and pin with taskset: Linux only" >&2
  exit 2
fi

CBIN=()
if command -v cc >/dev/null 2>&1; then
  mkdir -p "$BIN"
  for prog in echo-server uring-echo-server loadgen; do
    src=benchmarks/external/c/$prog.c
    if [ ! -x "$BIN/$prog" ] || [ "$src" -nt "$BIN/$prog" ]; then
      cc -O2 -Wall -Wextra -o "$BIN/$prog" "$src"
    fi
  done
  CBIN=(--c-bin "$BIN")
else
  echo "external: no C compiler (cc): the C floor is skipped and the examples' Java loadgen" \
       "is the client (apt-get install gcc)" >&2
fi

exec "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.pollen.bench.external.External \
  "${CBIN[@]}" "$@"
