#!/usr/bin/env bash
# Engine start time after a clean stop (SIGTERM) and after kill -9 (issue 18), for sparse replicas
# of each size in SIZES. Each engine runs with the node agent's JVM options. Per size: create, write
# 1 MiB into every GiB (qemu-io, flushed), SIGTERM, start (clean), write 1 MiB into four GiBs, kill -9,
# start (crash). Prints the time from launch to "ready" (JVM start included), the engine's own open
# time, and how many journal regions / chunks the open scanned. Not a test: figures only.
# Usage: bench/restart-bench.sh     Env: SIZES (default "1G 64G"), BENCH_DIR (default /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1G 64G"}
BENCH_DIR=${BENCH_DIR:-/tmp}
./mvnw -q -o -f engine/pom.xml compile
./mvnw -q -o -f engine/pom.xml dependency:build-classpath \
  -Dmdep.outputFile="$PWD/engine/target/engine-bench.classpath" -Dmdep.includeScope=runtime
CP="engine/target/classes:$(cat engine/target/engine-bench.classpath)"
JVM=(-Xmx192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError)
W=$(mktemp -d "$BENCH_DIR/restart-bench.XXXXXX")
PID=""
cleanup() { [[ -n "$PID" ]] && kill -9 "$PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

start() { # size -> prints "<ms to ready> <opened line>"; sets PID (call it without a subshell)
  : > "$W/out"
  local t0; t0=$(date +%s%N)
  java "${JVM[@]}" -cp "$CP" dev.prescient.engine.EngineMain --tier "t=$W/t" --replica "r0:vol:t:$1" \
    --unix "$W/s.sock" > "$W/out" 2>&1 &
  PID=$!
  until grep -qx ready "$W/out"; do
    kill -0 "$PID" 2>/dev/null || { cat "$W/out"; exit 1; }
    sleep 0.005
  done
  echo "$(( ($(date +%s%N) - t0) / 1000000 )) $(grep '^replica r0 opened' "$W/out")"
}

write_gibs() { # first last step: 1 MiB at the start of GiB first, first+step, ... (qemu-io flushes at exit)
  local cmds=() g
  for ((g = $1; g <= $2; g += $3)); do cmds+=(-c "write -P 0x$(printf %02x $((g % 250 + 1))) ${g}G 1M"); done
  qemu-io -f raw "${cmds[@]}" "nbd+unix:///r0?socket=$W/s.sock" > /dev/null
}

echo "load before: $(cat /proc/loadavg)"
for size in $SIZES; do
  gib=${size%G}
  rm -rf "$W/t"
  start "$size" > /dev/null
  write_gibs 0 $((gib - 1)) 1
  kill -TERM "$PID"; wait "$PID" || true
  start "$size" > "$W/res"; read -r ms line < "$W/res"
  echo "$size sparse, start after clean stop: ${ms} ms to ready; ${line#replica r0 }"
  write_gibs 0 $((gib - 1)) $(( gib > 4 ? gib / 4 : 1 ))
  kill -9 "$PID"; wait "$PID" 2>/dev/null || true
  start "$size" > "$W/res"; read -r ms line < "$W/res"
  echo "$size sparse, start after kill -9:     ${ms} ms to ready; ${line#replica r0 }"
  kill -TERM "$PID"; wait "$PID" || true
  PID=""
  echo "  tier usage: $(du -sh "$W/t" | cut -f1) (apparent $(du -sh --apparent-size "$W/t" | cut -f1))"
done
echo "load after: $(cat /proc/loadavg)"
