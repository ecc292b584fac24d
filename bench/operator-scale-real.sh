#!/bin/sh
# Operator scale benchmark against a real kube-apiserver: the operator as its own process (quarkus-run.jar with
# the JVM options the image ships, read from images/operator/Containerfile's ENV JAVA_OPTS_APPEND, and the chart's
# memory limit from helm/prescient/values.yaml as -XX:MaxRAM), fake node agents over gRPC in another process, 10,000 ReplicatedVolumes and 100
# StorageNodes in the API server. Prints the operator's RSS, planner pass p50/p99, API requests per pass, the
# evacuation wave, failure-crossing-to-first-VolumeMigration and reconcile throughput; deletes its objects at the end.
# Usage: KUBECONFIG=... bench/operator-scale-real.sh [volumes=10000] [nodes=100] [passes=20]
#   (from the repository root, after the README's `./mvnw verify`; about 8 minutes on 2 cores)
# The cluster: ../shared/kube (control-plane.sh up); KUBECONFIG defaults to $PRESCIENT_KUBE_HOME/kubeconfig.
# Objects carry the label prescient.dev/bench=operator-scale (cluster-scoped) or live in the namespace
# prescient-scale-bench-<run>. OPERATOR_JAVA_OPTS adds JVM options to the operator (e.g. -XX:StartFlightRecording=...).
# FAIL_AFTER_SECONDS (default 300): when the node failure is injected (its health model needs 8 reports first).
set -e
cd "$(dirname "$0")/.."
export KUBECONFIG="${KUBECONFIG:-${PRESCIENT_KUBE_HOME:-$HOME/.cache/prescient-kube}/kubeconfig}"
# SKIP_BUILD=1: reuse the last build of this tree (operator/target/quarkus-app and the test classes).
if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f operator/target/bench.classpath ]; then
  ./mvnw -q -o -pl operator -am package -DskipTests dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
PIDS=operator/target/scale-bench/pids
rm -f "$PIDS"
cleanup() {
  # Only if the benchmark's JVM did not get to clean up itself (killed): its children by PID, then its objects.
  if [ -f "$PIDS" ]; then
    for p in $(cat "$PIDS"); do kill "$p" 2>/dev/null || true; done
    sleep 10
    for p in $(cat "$PIDS"); do kill -9 "$p" 2>/dev/null || true; done
    rm -f "$PIDS"
  fi
  if command -v kubectl >/dev/null && kubectl get rvol -l prescient.dev/bench=operator-scale -o name 2>/dev/null | grep -q .; then
    echo "cleaning up the benchmark's objects"
    kubectl delete vmig,rvol,snode,mpol,stier,clusterrolebinding -l prescient.dev/bench=operator-scale --wait=false >/dev/null 2>&1 || true
    kubectl delete ns -l prescient.dev/bench=operator-scale --wait=false >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT INT TERM
CP="operator/target/test-classes:operator/target/classes:$(cat operator/target/bench.classpath)"
java -Xmx1g -cp "$CP" dev.prescient.operator.bench.OperatorRealScaleBench "${1:-10000}" "${2:-100}" "${3:-20}" . "$CP"
rm -f "$PIDS"
