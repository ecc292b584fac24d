#!/usr/bin/env bash
# The evaluation harness of the predict module (issue 5): tiering, forecast, failure and cost.
# Usage: bench/predict-harness.sh [--data DIR] [--section tiering|forecast|failure|cost|all]
#                                 [--trace FILE]... [--smart FILE]... [--epochs N] [--budget FRACTION]
#                                 [--frontier-for-all]
# --smart FILE: Backblaze-format SMART files instead of backblaze_2019/ (daily histories give lead times)
# --frontier-for-all: a tiering table where every heuristic gets the stream frontier too (slower)
# Data defaults to ../shared/data next to the repository. Full run: a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -o -f predict/pom.xml package -DskipTests
./mvnw -q -o -f predict/pom.xml dependency:build-classpath -Dmdep.outputFile=target/harness.classpath >/dev/null
# run from a private copy of the jar: other builds in this working tree rewrite target/classes
JAR=$(mktemp --suffix=.jar)
trap 'rm -f "$JAR"' EXIT
cp predict/target/prescient-predict-*.jar "$JAR"
CP="$JAR:$(cat predict/target/harness.classpath)"
# 10 million tracked extents in the cost section need ~1 GB of heap
echo "load before: $(cat /proc/loadavg) ($(nproc) cpus)"
java -Xmx3g -XX:+UseParallelGC -cp "$CP" dev.prescient.predict.harness.Harness "$@"
echo "load after: $(cat /proc/loadavg)"
