#!/usr/bin/env bash
# Block engine benchmarks (issue 3). Prints figures and ratios; not a test.
#  1. NBD frontend vs `nbdkit file` on the same kind of sparse file in the same directory, same
#     client (fio's nbd engine): sequential 1 MiB write and read throughput, 4 KiB random read and
#     write IOPS at QD 8 on 4 connections. Runs alternate engine/nbdkit, REPEAT times each; the
#     ratio is engine / nbdkit of the means.
#  2. EngineBench (Java): live switchover pause over 1,000 switchovers of a 16 MiB volume under
#     4 KiB random writes (percentiles, phase histogram, slowest pauses vs GC, lost-write check),
#     in a JVM with the node agent's engine options (-Xmx192m -XX:+UseSerialGC); two replicas (one
#     remote over loopback) vs one; delta resync vs rsync.
# Needs: fio (with its nbd engine, Debian's fio), nbdkit, rsync, a JDK 17.
# Usage: bench/engine-bench.sh [--skip-nbd] [--only nbd|switch|two|resync] [EngineBench args, e.g.
#        --switchovers 1000 --switch-mib 16 --resync-mib 2048]
# Env: BENCH_DIR (default /tmp), SIZE_MIB (default 1024), RUNTIME seconds per fio run (default 10),
#      REPEAT (default 2), SWITCH_JVM (default the node agent's engine options; add
#      -Dprescient.pause.schedstat=true for on-CPU / run-queue time per pause phase, -Xlog:gc for GC).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp}
SIZE_MIB=${SIZE_MIB:-1024}
RUNTIME=${RUNTIME:-10}
REPEAT=${REPEAT:-2}
read -r -a SWITCH_JVM <<< "${SWITCH_JVM:--Xmx192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}"
SKIP_NBD=0
ONLY=all
JAVA_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-nbd) SKIP_NBD=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    *) JAVA_ARGS+=("$1"); shift ;;
  esac
done
[[ $ONLY == all || $ONLY == nbd ]] || SKIP_NBD=1

# The benchmarks live in their own module (bench/pom.xml); its build writes bench/target/bench.classpath,
# which names the engine's classes in this working tree.
./mvnw -q -o -pl bench -am compile

echo "load before: $(cat /proc/loadavg) ($(nproc) cpus)"
W=$(mktemp -d "$BENCH_DIR/engine-bench.XXXXXX")
# Runs from a private copy of the classes: another build in this working tree rewrites target/classes.
cp -r engine/target/classes "$W/classes"
cp -r bench/target/classes "$W/bench-classes"
CP="$W/bench-classes:$W/classes:$(tr ':' '\n' < bench/target/bench.classpath | grep -v '/engine/target/classes$' | paste -sd:)"
ENGINE_PID=""; KIT_PID=""
cleanup() {
  [[ -n "$ENGINE_PID" ]] && kill "$ENGINE_PID" 2>/dev/null || true
  [[ -n "$KIT_PID" ]] && kill "$KIT_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$W"
  echo "load after: $(cat /proc/loadavg)"
}
trap cleanup EXIT

# fio terse (v3) fields: 7 read KiB/s, 8 read IOPS, 48 write KiB/s, 49 write IOPS
fio_run() { # uri rw bs iodepth numjobs -> prints "KiB/s IOPS"
  local uri=$1 rw=$2 bs=$3 qd=$4 jobs=$5
  fio --name=b --ioengine=nbd --uri="$uri" --rw="$rw" --bs="$bs" --iodepth="$qd" --numjobs="$jobs" \
      --size="${SIZE_MIB}M" --time_based --runtime="$RUNTIME" --group_reporting --minimal 2>/dev/null |
    awk -F';' -v rw="$rw" '/^3;/ { if (rw ~ /read/) print $7, $8; else print $48, $49 }'
}

if [[ $SKIP_NBD == 0 ]]; then
  java -cp "$CP" dev.prescient.engine.EngineMain --tier "t=$W/engine" --replica "r0:bench:t:${SIZE_MIB}M" \
    --unix "$W/engine.sock" > "$W/engine.log" 2>&1 &
  ENGINE_PID=$!
  truncate -s "${SIZE_MIB}M" "$W/kit.img"
  nbdkit -f -U "$W/kit.sock" file "$W/kit.img" &
  KIT_PID=$!
  for _ in $(seq 100); do grep -q '^ready' "$W/engine.log" 2>/dev/null && [[ -S "$W/kit.sock" ]] && break; sleep 0.1; done
  ENGINE_URI="nbd+unix:///r0?socket=$W/engine.sock"
  KIT_URI="nbd+unix:///?socket=$W/kit.sock"
  # Fill both files once so reads hit data, not holes.
  for u in "$ENGINE_URI" "$KIT_URI"; do
    fio --name=fill --ioengine=nbd --uri="$u" --rw=write --bs=1M --iodepth=4 --size="${SIZE_MIB}M" >/dev/null 2>&1
  done
  echo "NBD frontend vs nbdkit file: ${SIZE_MIB} MiB files in $BENCH_DIR, fio nbd engine, ${RUNTIME}s x $REPEAT runs each"
  printf '%-34s %14s %14s %7s %s\n' test engine nbdkit ratio target
  for t in "seq-write write 1M 4 1 MiB/s 0.9" "seq-read read 1M 4 1 MiB/s 0.9" \
           "rand-read-4k randread 4k 8 4 IOPS 0.8" "rand-write-4k randwrite 4k 8 4 IOPS 0.8"; do
    read -r name rw bs qd jobs unit target <<< "$t"
    e_sum=0; k_sum=0
    for _ in $(seq "$REPEAT"); do
      read -r e_bw e_iops < <(fio_run "$ENGINE_URI" "$rw" "$bs" "$qd" "$jobs")
      read -r k_bw k_iops < <(fio_run "$KIT_URI" "$rw" "$bs" "$qd" "$jobs")
      if [[ $unit == IOPS ]]; then e_sum=$((e_sum + e_iops)); k_sum=$((k_sum + k_iops));
      else e_sum=$((e_sum + e_bw / 1024)); k_sum=$((k_sum + k_bw / 1024)); fi
    done
    e=$((e_sum / REPEAT)); k=$((k_sum / REPEAT))
    ratio=$(awk -v e="$e" -v k="$k" 'BEGIN { printf "%.2f", (k > 0 ? e / k : 0) }')
    printf '%-34s %14s %14s %7s >= %s\n' "$name (QD$qd x$jobs, $unit)" "$e" "$k" "$ratio" "$target"
  done
  kill "$ENGINE_PID" "$KIT_PID"; wait "$ENGINE_PID" "$KIT_PID" 2>/dev/null || true
  ENGINE_PID=""; KIT_PID=""
fi

bench() { # jvm options..., --, EngineBench args...
  local jvm=()
  while [[ $1 != -- ]]; do jvm+=("$1"); shift; done
  shift
  java "${jvm[@]}" -cp "$CP" dev.prescient.engine.bench.EngineBench --dir "$W" "$@" 2>&1 | grep -v '^SLF4J'
}
for part in switch two resync; do
  [[ $ONLY == all || $ONLY == "$part" ]] || continue
  if [[ $part == switch ]]; then
    bench "${SWITCH_JVM[@]}" -- --only switch ${JAVA_ARGS[@]+"${JAVA_ARGS[@]}"}
  else
    bench -Xmx2g -- --only "$part" ${JAVA_ARGS[@]+"${JAVA_ARGS[@]}"}
  fi
done
