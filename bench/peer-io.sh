#!/usr/bin/env bash
# Peer I/O benchmark (issue 19): the engine's NBD export against `nbdkit file`, measured in the same
# run by a client neither of us wrote (fio's nbd engine, libnbd). Both serve a file of the same size
# in the same directory, each filled first (reads hit data, not holes). Every point is run for engine
# and nbdkit alternately (the order flips each round), ROUNDS times; each row prints min/median/max
# of both and the ratio engine/nbdkit of the medians. Rows: 4 KiB random read and write, 16 KiB
# random 50/50, 1 MiB sequential read and write, at QD1 and QD16 (fio iodepth, one connection), over
# the UNIX socket and TCP loopback; then the write rows again with the volume on two replicas (one
# remote: a second engine process reached over loopback through the replication stream), whose
# second ratio is against the one-replica engine row of the same run. Not a test: figures only.
#
# The engines run with the node agent's JVM options (as csi-driver's EngineExports starts them).
# Needs: a JDK 17, fio with the nbd engine (Debian's), nbdkit, python3 (to pick a free TCP port).
# Usage: bench/peer-io.sh [--rounds N] [--runtime S] [--size-mib M] [--dir DIR] [--only REGEX]
#                         [--no-replicas] [--quick]
#   --rounds 2, --runtime 5 (seconds per point), --size-mib 1024, --dir /var/tmp (the file system
#   both servers write to); --only runs the rows whose name matches REGEX (e.g. 'write.*QD16');
#   --quick: 1 round, 2 s points, 256 MiB (a check that it runs, not figures to quote).
# Env: ENGINE_JAVA_OPTS replaces the engine's JVM options (e.g. to add -XX:+FlightRecorder);
#      ENGINE_CLASSES runs the engine from another classes directory (an A/B of two builds in one session).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=2
RUNTIME=5
SIZE_MIB=1024
BENCH_DIR=/var/tmp
ONLY=.
REPLICAS=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --runtime) RUNTIME=$2; shift 2 ;;
    --size-mib) SIZE_MIB=$2; shift 2 ;;
    --dir) BENCH_DIR=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --no-replicas) REPLICAS=0; shift ;;
    --quick) ROUNDS=1; RUNTIME=2; SIZE_MIB=256; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "peer-io: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
for tool in fio nbdkit java python3; do
  command -v "$tool" > /dev/null || { echo "peer-io: needs $tool" >&2; exit 1; }
done
fio --enghelp=nbd > /dev/null 2>&1 || { echo "peer-io: this fio has no nbd engine" >&2; exit 1; }

# The engine as the build leaves it; built here when missing (a fresh clone before any build).
if [[ ! -f engine/target/runtime-classpath.txt || ! -d engine/target/classes/dev ]]; then
  ./mvnw -q -pl engine -am package -DskipTests
fi
CP="${ENGINE_CLASSES:-engine/target/classes}:$(cat engine/target/runtime-classpath.txt)"
read -r -a JOPTS <<< "${ENGINE_JAVA_OPTS:--Xmx192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}"

LOAD_BEFORE=$(cat /proc/loadavg)
W=$(mktemp -d "$BENCH_DIR/peer-io.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "peer-io: $*" >&2; exit 1; }

start_engine() { # name args... -> waits for "ready"; the process's output is in $W/<name>.log
  local name=$1; shift
  java "${JOPTS[@]}" -cp "$CP" dev.prescient.engine.EngineMain "$@" > "$W/$name.log" 2>&1 &
  PIDS+=($!)
  local pid=$!
  for _ in $(seq 600); do
    grep -qx ready "$W/$name.log" && return 0
    kill -0 "$pid" 2> /dev/null || fail "engine $name did not start: $(tail -5 "$W/$name.log")"
    sleep 0.05
  done
  fail "engine $name not ready after 30 s"
}
control() { # socket request... (ControlClient prints the answer; exit 1 on ERR)
  java -cp "$CP" dev.prescient.engine.control.ControlClient "$@" 2> /dev/null | tail -1
}
wait_file() { for _ in $(seq 200); do [[ -s $1 ]] && return 0; sleep 0.05; done; fail "nbdkit did not write $1"; }

# One replica: one engine serving it on both transports.
start_engine e1 --tier "t=$W/e1" --replica "r0:vol:t:${SIZE_MIB}M" --unix "$W/e1.sock" --tcp 127.0.0.1:0
E_TCP_PORT=$(sed -n 's/^tcp //p' "$W/e1.log")
# nbdkit: one process per transport (it listens on one), both on the same file.
truncate -s "${SIZE_MIB}M" "$W/kit.img"
nbdkit -f -P "$W/kit-unix.pid" -U "$W/kit.sock" file "$W/kit.img" &
PIDS+=($!)
K_TCP_PORT=$(free_port)
nbdkit -f -P "$W/kit-tcp.pid" -i 127.0.0.1 -p "$K_TCP_PORT" file "$W/kit.img" &
PIDS+=($!)
wait_file "$W/kit-unix.pid"
wait_file "$W/kit-tcp.pid"
declare -A URI=(
  [engine/unix]="nbd+unix:///r0?socket=$W/e1.sock" [engine/tcp]="nbd://127.0.0.1:$E_TCP_PORT/r0"
  [nbdkit/unix]="nbd+unix:///?socket=$W/kit.sock" [nbdkit/tcp]="nbd://127.0.0.1:$K_TCP_PORT/"
)
if [[ $REPLICAS == 1 ]]; then
  # Two replicas: front-end e2 (local replica rA) with a member rB in engine b, over loopback.
  start_engine b --tier "t=$W/b" --replica "rB:vol2:t:${SIZE_MIB}M" --replication-listen 127.0.0.1:0
  B_PORT=$(sed -n 's/^replication //p' "$W/b.log")
  start_engine e2 --tier "t=$W/e2" --replica "rA:vol2:t:${SIZE_MIB}M" --unix "$W/e2.sock" --control "$W/e2.ctl"
  control "$W/e2.ctl" ATTACH rB "127.0.0.1:$B_PORT" > /dev/null || fail "ATTACH rB failed: $(tail -3 "$W/e2.log")"
  control "$W/e2.ctl" CATCHUP rB > /dev/null || fail "CATCHUP rB failed: $(tail -3 "$W/e2.log")"
  control "$W/e2.ctl" STATUS | grep -q 'members=2' || fail "e2 does not have two members"
  URI[engine2/unix]="nbd+unix:///rA?socket=$W/e2.sock"
fi

FIO_COMMON=(--ioengine=nbd --numjobs=1 --size="${SIZE_MIB}M" --group_reporting --minimal)
# Fill every target once (the two-replica volume writes both replicas).
# Each fill's rate is printed: it is a first write of every block (allocation, journal) at QD8.
FILLS=()
for t in engine/unix nbdkit/unix ${URI[engine2/unix]:+engine2/unix}; do
  out=$(fio --name=fill "${FIO_COMMON[@]}" --uri="${URI[$t]}" --rw=write --bs=1M --iodepth=8 2> "$W/fio.err") ||
    fail "filling $t failed: $(tail -3 "$W/fio.err")"
  FILLS+=("$t $(awk -F';' '/^3;/ { printf "%.0f", $48 / 1024 }' <<< "$out") MiB/s")
done

# fio terse v3: field 7 read KiB/s, 8 read IOPS, 48 write KiB/s, 49 write IOPS.
point() { # uri rw bs qd -> prints IOPS (4k, 16k rows) or MiB/s (1M rows), read and write summed
  local out
  out=$(fio --name=p "${FIO_COMMON[@]}" --uri="$1" --rw="$2" --rwmixread=50 --bs="$3" --iodepth="$4" \
    --time_based --runtime="$RUNTIME" --norandommap --randrepeat=0 2> "$W/fio.err") ||
    fail "fio $2 $3 QD$4 on $1: $(tail -3 "$W/fio.err")"
  awk -F';' -v bs="$3" '/^3;/ { if (bs == "1M") printf "%.0f\n", ($7 + $48) / 1024; else print $8 + $49 }' <<< "$out"
}
stats() { # values... -> "min median max" (median of an even count: mean of the middle two)
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d %d %d\n", v[1], m, v[NR] }'
}

ROWS=()
for tr in unix tcp; do
  for qd in 1 16; do
    ROWS+=("4k-randread:randread:4k:$qd:$tr" "4k-randwrite:randwrite:4k:$qd:$tr" "16k-rand-50/50:randrw:16k:$qd:$tr"
           "1M-seqread:read:1M:$qd:$tr" "1M-seqwrite:write:1M:$qd:$tr")
  done
done
if [[ $REPLICAS == 1 ]]; then
  for qd in 1 16; do
    ROWS+=("4k-randwrite:randwrite:4k:$qd:unix:2" "16k-rand-50/50:randrw:16k:$qd:unix:2" "1M-seqwrite:write:1M:$qd:unix:2")
  done
fi

echo "peer-io: engine vs nbdkit file, ${SIZE_MIB} MiB files in $BENCH_DIR (filled), fio $(fio --version) nbd engine," \
  "1 connection, ${RUNTIME} s per point, $ROUNDS rounds alternated; $(nproc) cpus"
echo "load before: $LOAD_BEFORE"
echo "fill (1 MiB writes, QD8): $(IFS=,; echo "${FILLS[*]}" | sed 's/,/, /g')"
HEAD=$(printf '%-38s %-5s %-22s %-22s %6s %7s' row unit "engine min/med/max" "nbdkit min/med/max" ratio 2r/1r)
TABLE=()
declare -A MED
above=0; total=0
for row in "${ROWS[@]}"; do
  IFS=: read -r name rw bs qd tr reps <<< "$row"
  reps=${reps:-1}
  label="$name QD$qd $tr"
  [[ $reps == 2 ]] && label+=" 2 replicas"
  [[ $label =~ $ONLY ]] || continue
  eng=engine/$tr; [[ $reps == 2 ]] && eng=engine2/$tr
  e=(); k=()
  for ((r = 0; r < ROUNDS; r++)); do
    if ((r % 2 == 0)); then
      e+=("$(point "${URI[$eng]}" "$rw" "$bs" "$qd")"); k+=("$(point "${URI[nbdkit/$tr]}" "$rw" "$bs" "$qd")")
    else
      k+=("$(point "${URI[nbdkit/$tr]}" "$rw" "$bs" "$qd")"); e+=("$(point "${URI[$eng]}" "$rw" "$bs" "$qd")")
    fi
  done
  read -r emin emed emax <<< "$(stats "${e[@]}")"
  read -r kmin kmed kmax <<< "$(stats "${k[@]}")"
  ratio=$(awk -v a="$emed" -v b="$kmed" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  one="-"
  if [[ $reps == 2 ]]; then
    base=${MED["$name QD$qd $tr"]:-}
    [[ -n $base ]] && one=$(awk -v a="$emed" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  else
    MED["$name QD$qd $tr"]=$emed
  fi
  total=$((total + 1))
  awk -v x="$ratio" 'BEGIN { exit !(x >= 1.0) }' && above=$((above + 1))
  unit=IOPS; [[ $bs == 1M ]] && unit=MiB/s
  line=$(printf '%-38s %-5s %-22s %-22s %5sx %7s' "$label" "$unit" "$emin/$emed/$emax" "$kmin/$kmed/$kmax" "$ratio" "$one")
  TABLE+=("$line")
  [[ ${#TABLE[@]} == 1 ]] && echo "$HEAD"
  echo "$line"
done
echo "load after: $(cat /proc/loadavg)"
echo
echo "$HEAD"
printf '%s\n' "${TABLE[@]}"
echo "peer-io: $above of $total rows at or above 1.0x"
