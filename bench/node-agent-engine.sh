#!/usr/bin/env bash
# Node agent on the engine (issue 4): what an engine export process per replica costs. Prints
# figures; not a test. Starts a real node-mode driver (agent plaintext on loopback), then:
#  1. CreateReplica wall time through the CLI, minus a ListReplicas through the CLI (the CLI's own
#     JVM start): the extra is creating the replica and starting its engine process.
#  2. Resident memory of each engine process.
#  3. fio (nbd engine) 4 KiB random write and read IOPS at QD 16 on the agent's NBD URI.
#  4. Plugin SIGKILL + restart: time until the CSI socket answers again, and whether the same engine
#     processes were adopted (pids unchanged).
# Needs: a JDK 17, fio (Debian's, with the nbd engine). Build first:
#   ./mvnw -q -o -pl csi-driver -am install -DskipTests
# Usage: bench/node-agent-engine.sh   Env: BENCH_DIR (default /tmp), REPLICAS (default 3), RUNTIME (default 10)
set -euo pipefail
cd "$(dirname "$0")/../csi-driver"
BENCH_DIR=${BENCH_DIR:-/tmp}
REPLICAS=${REPLICAS:-3}
RUNTIME=${RUNTIME:-10}
D=$(mktemp -d "$BENCH_DIR/node-agent-bench.XXXXXX")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NODE_PID=""
start_node() {
  bin/prescient-csi --mode node --endpoint "unix://$D/node.sock" --node-id bench --zone z \
    --state-dir "$D/node" --tier "default=$D/node/tiers/default" --agent-listen "127.0.0.1:$PORT" \
    --kubelet-dir "$D/kubelet" --agent-insecure >> "$D/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 300); do
    if bin/csi-cli --agent "127.0.0.1:$PORT" --insecure replicas > /dev/null 2>&1; then return; fi
    sleep 0.1
  done
  echo "node did not start: $(tail -5 "$D/node.log")" >&2; exit 1
}
cleanup() {
  [[ -n "$NODE_PID" ]] && kill "$NODE_PID" 2>/dev/null || true
  for p in "$D"/node/run/engine/*.pid; do [[ -f "$p" ]] && kill "$(cat "$p")" 2>/dev/null || true; done
  sleep 1; rm -rf "$D"
}
trap cleanup EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
A=(bin/csi-cli --agent "127.0.0.1:$PORT" --insecure)

echo "load before: $(cat /proc/loadavg) ($(nproc) cpus)"
start_node
t=$(date +%s%N); "${A[@]}" replicas > /dev/null; base=$(ms "$t")
echo "CLI call baseline (ListReplicas, CLI JVM start included): ${base} ms"
for i in $(seq 1 "$REPLICAS"); do
  t=$(date +%s%N); "${A[@]}" create-replica "b$i-r0" "b$i" 1073741824 > /dev/null; c=$(ms "$t")
  echo "CreateReplica b$i (1 GiB): ${c} ms, ~$(( c - base )) ms beyond the CLI baseline"
done
for p in "$D"/node/run/engine/*.pid; do
  echo "engine $(basename "$p" .pid): pid $(cat "$p"), RSS $(awk '/VmRSS/{print $2" "$3}' "/proc/$(cat "$p")/status")"
done
URI="nbd://127.0.0.1:$(cat "$D/node/run/engine/b1-r0.port")"
for rw in randwrite randread; do
  # fio terse v3: field 8 read IOPS, 49 write IOPS
  fio --name=b --ioengine=nbd --uri="$URI" --rw=$rw --bs=4k --iodepth=16 --size=256m --runtime="$RUNTIME" \
    --time_based --output-format=terse --terse-version=3 2>/dev/null \
    | awk -F';' -v rw=$rw 'NF>50 { printf "fio %s 4k QD16 on %s: %d IOPS\n", rw, "'"$URI"'", (rw=="randread") ? $8 : $49 }'
done
before=$(cat "$D"/node/run/engine/*.pid | sort | tr '\n' ' ')
kill -9 "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true
t=$(date +%s%N); start_node; r=$(ms "$t")
after=$(cat "$D"/node/run/engine/*.pid | sort | tr '\n' ' ')
echo "plugin SIGKILL -> restarted agent answering: ${r} ms (node JVM start included); engine pids $([[ "$before" == "$after" ]] && echo "unchanged (adopted)" || echo "CHANGED: $before -> $after")"
echo "load after: $(cat /proc/loadavg)"
