#!/usr/bin/env bash
# The scorecard of the running system (issue 16 item 3): the same local-mode scenario run three ways on this machine
#   static      no operator: placement stays where CreateVolume put it
#   reactive    the operator with prescient.planner.mode=reactive (ReactivePolicy: observed state only, no forecast,
#               no pre-staging, no evacuation on a prediction)
#   predictive  the operator as shipped
# over three scenarios: default (local/scenarios/default.yaml, cut to its first two simulated days), trace
# (score-trace.yaml: the ARC OLTP trace replayed, its reader moving daily), random (score-random.yaml: random
# blocks from a random reader; prediction cannot help). Same scenario file, same seed, same machine; the runs are
# interleaved (repeat by repeat, scenario by scenario, the order of the modes rotated) so a build another engineer
# starts mid-way loads every mode alike. The load average is printed before and after every run.
#
# Usage: bench/scenario-scorecard.sh [--quick] [--repeats N] [--scenarios "default trace random"] [--out DIR]
#   --quick     shorter runs (default 60 s, trace and random 40 s): a smoke test, not a verdict
#   --repeats N every scenario and mode N times (default 1); the table shows the median of the repeats
#   --seconds "default=90 trace=40"  scenario seconds per scenario, over the defaults (or --quick's)
#   --out DIR   keep run logs and results there (default: a fresh folder under /tmp)
# Default: 9 runs of 60-110 s of scenario each plus ~40-100 s of start-up and verification each; about 15 minutes
# on an idle 2-core machine, more under load. Last line:
#   scorecard: predictive ahead of reactive and static in N of M scenarios, not behind in K of L
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
repeats=1
scenarios="default trace random"
out=""
override=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --repeats) repeats="$2"; shift 2 ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --seconds) override="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

declare -A file seconds
file[default]=local/scenarios/default.yaml
file[trace]=local/scenarios/score-trace.yaml
file[random]=local/scenarios/score-random.yaml
if [[ $quick == 1 ]]; then
  seconds[default]=60; seconds[trace]=40; seconds[random]=40
else
  # default: two simulated days (60 s each), the degrading node-c from 40 s on; trace and random: 1.5 days
  seconds[default]=110; seconds[trace]=80; seconds[random]=80
fi
for kv in $override; do
  seconds[${kv%%=*}]=${kv#*=}
done

if [[ ! -f local/target/runtime-classpath.txt || ! -f operator/target/quarkus-app/quarkus-run.jar \
      || ! -f local/target/node-lib/prescient-csi-driver.jar ]]; then
  echo "[scorecard] building local and operator (offline)"
  # package, not install: local mode runs from the modules' target folders; install would write snapshots into
  # the shared ~/.m2 that other builds on this machine then pick up
  ./mvnw -o -q package -DskipTests -pl local,operator -am
fi
[[ -n "$out" ]] || out=$(mktemp -d /tmp/prescient-scorecard.XXXXXX)
mkdir -p "$out"
work="$out/work"
# run from a private copy of local's classes: a build in this working tree rewrites target/classes
cp -r local/target/classes "$out/classes"
CP="$out/classes:$(cat local/target/runtime-classpath.txt)"

modes=(static reactive predictive)
start=$(date +%s)
run=0
for ((rep = 1; rep <= repeats; rep++)); do
  for sc in $scenarios; do
    [[ -n "${file[$sc]:-}" ]] || { echo "unknown scenario $sc" >&2; exit 2; }
    # rotate the order of the modes with every run, so no mode always goes first after a quiet spell
    for ((k = 0; k < 3; k++)); do
      mode=${modes[$(( (k + run) % 3 ))]}
      args=(--scenario "${file[$sc]}" --headless --view-port 0 --duration "${seconds[$sc]}" --work "$work"
            --result "$out/$sc-$mode-$rep.result" --repeat "$rep")
      case "$mode" in
        static) args+=(--no-operator) ;;
        reactive) args+=(--planner-mode reactive) ;;
      esac
      t0=$(date +%s)
      echo "[scorecard] $(date -u +%H:%M:%S) $sc / $mode (repeat $rep): ${seconds[$sc]} s of scenario; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
      if ! java -Xmx512m -cp "$CP" dev.prescient.local.LocalMain --root . "${args[@]}" > "$out/$sc-$mode-$rep.log" 2>&1; then
        echo "[scorecard]   run failed (exit $?), see $out/$sc-$mode-$rep.log; its figures are kept if written"
      fi
      echo "[scorecard]   took $(( $(date +%s) - t0 )) s; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    done
    run=$((run + 1))
  done
done
echo "[scorecard] all runs: $(( ($(date +%s) - start) / 60 )) min; logs and results in $out"
echo
java -cp "$CP" dev.prescient.local.score.Scorecard "$out"
