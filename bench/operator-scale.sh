#!/bin/sh
# Operator scale benchmark: planner pass, failure-to-migration time, reconcile throughput, resident memory.
# Usage: bench/operator-scale.sh [volumes=10000] [nodes=100]   (from the repository root; a few minutes on 2 cores)
set -e
cd "$(dirname "$0")/.."
./mvnw -q -o -pl api,predict install -Dmaven.test.skip=true
./mvnw -q -o -pl operator test-compile
exec ./mvnw -q -o -pl operator org.codehaus.mojo:exec-maven-plugin:3.5.1:exec -Dexec.executable=java \
  -Dexec.classpathScope=test \
  "-Dexec.args=-Xmx512m -cp %classpath dev.prescient.operator.bench.OperatorScaleBench ${1:-10000} ${2:-100}"
