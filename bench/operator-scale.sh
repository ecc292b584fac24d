#!/bin/sh
# Operator scale benchmark: planner pass, failure-to-migration time, reconcile throughput, resident memory.
# Usage: bench/operator-scale.sh [volumes=10000] [nodes=100]   (from the repository root; a few minutes on 2 cores)
# Runs offline after the README's `./mvnw verify`: it compiles the operator's tests with the modules they
# need from this working tree and runs java on the test classpath that maven-dependency-plugin (which the
# build already uses) writes; no other Maven plugin is needed.
set -e
cd "$(dirname "$0")/.."
./mvnw -q -o -pl operator -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
echo "load before: $(cat /proc/loadavg) ($(nproc) cpus)"
java -Xmx512m -cp "operator/target/test-classes:operator/target/classes:$(cat operator/target/bench.classpath)" \
  dev.prescient.operator.bench.OperatorScaleBench "${1:-10000}" "${2:-100}"
echo "load after: $(cat /proc/loadavg)"
