# Sourced by the benchmark scripts (run from the repository root): sets JAVA and JAR and stops
# with a clear message if the JDK is older than 21 or the benchmarks jar is not built.
#   NAME=run-suite BUILD_HINT="./run bench" . benchmarks/java-and-jar.sh
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR=benchmarks/target/benchmarks.jar

major=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)
if [ "${major:-0}" -lt 21 ]; then
  echo "$NAME: $JAVA is Java ${major:-unknown}; Pollen needs 21 or newer (set JAVA_HOME)" >&2
  exit 2
fi
if [ ! -f "$JAR" ]; then
  echo "$NAME: $JAR is missing; build it with $BUILD_HINT or" \
       "mvn -q -DskipTests package -pl benchmarks,examples -am" >&2
  exit 2
fi
