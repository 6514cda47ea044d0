#!/usr/bin/env bash
# Runs Pollen's default JMH suite (sized to finish in under 10 minutes on 2 cores), then the
# results step that writes benchmarks/results/{results.json,results.md,echo.svg,echo.png}.
#
#   benchmarks/run-suite.sh                 the whole default suite
#   benchmarks/run-suite.sh EchoBench       only benchmarks matching a regexp (any JMH arguments)
#
# Needs benchmarks/target/benchmarks.jar (./run bench builds it first) and a JDK 21+ (JAVA_HOME,
# else `java` on the PATH). See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${POLLEN_BENCH_OUT:-benchmarks/results}"  # where results.json and the report go
NAME=run-suite BUILD_HINT="./run bench" . benchmarks/java-and-jar.sh
mkdir -p "$OUT"

# Only the pollers (and Netty transports) this machine has, so no parameter fails on purpose.
NATIVE=--enable-native-access=ALL-UNNAMED
POLLERS=$("$JAVA" $NATIVE -cp "$JAR" dev.pollen.bench.AvailablePollers)
SERVERS=$("$JAVA" $NATIVE -cp "$JAR" dev.pollen.bench.AvailablePollers --servers)
echo "run-suite: pollers: $POLLERS; echo servers: $SERVERS"

# -prof gc adds gc.alloc.rate.norm (bytes per operation, whole JVM) to every result.
"$JAVA" -jar "$JAR" -p poller="$POLLERS" -p server="$SERVERS" -prof gc \
  -rf json -rff "$OUT/results.json" "$@"

"$JAVA" -cp "$JAR" dev.pollen.bench.report.Report "$OUT/results.json" "$OUT"
