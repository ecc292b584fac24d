#!/usr/bin/env bash
# End to end on a real Kubernetes cluster (the one KUBECONFIG names): build and load the images, install the
# chart as it is, then PVC -> pod writes and reads -> VolumeSnapshot -> restore -> expand (offline) -> VolumeMigration
# while the pod keeps writing (every acknowledged write present afterwards) -> delete everything -> uninstall
# -> nothing left. Prints each step with its time; exits non-zero at the first failure.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  cat <<EOF
usage: KUBECONFIG=... e2e/real-cluster.sh [options]
  --namespace NS       release namespace (default prescient-e2e; created and deleted)
  --skip-images        images are already on every node (default: images/build.sh, then load them)
  --set KEY=VALUE      extra chart value (repeatable), e.g. csi.sidecars.provisioner=IMAGE
  --keep               leave everything installed after the storage steps (no cleanup checks)
  --cleanup            only remove what a failed or kept run left (test objects, release, namespace) and exit
  -h, --help           this text
env: KUBECONFIG (required)
     LOAD_IMAGE   command that loads one OCI archive (appended) onto every node; default: import into each
                  containerd of ../shared/kube's nodes (\$PRESCIENT_KUBE_HOME/run), else 'kind load image-archive'
     PRESCIENT_KUBE_HOME (default ~/.cache/prescient-kube): when its sidecar images are built, the chart's
                  sidecar values point at them (a cluster without a registry cannot pull the defaults)
     HELM         a helm binary (default: helm on PATH, else Helm embedded in helm/target via helm-java)
     WORKLOAD_IMAGE image with bash and coreutils for the test pods (default: the driver image)
EOF
}

NS=prescient-e2e
IMAGES=1
KEEP=0
CLEANUP=0
SETS=()
while [ $# -gt 0 ]; do
  case $1 in
    --namespace) NS=$2; shift 2 ;;
    --skip-images) IMAGES=0; shift ;;
    --set) SETS+=("$2"); shift 2 ;;
    --keep) KEEP=1; shift ;;
    --cleanup) CLEANUP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "${KUBECONFIG:-}" ] || { echo "KUBECONFIG is not set: this test needs a real cluster" >&2; usage >&2; exit 2; }
export KUBECONFIG
command -v kubectl >/dev/null || { echo "needs kubectl" >&2; exit 2; }

T0=$(date +%s)
STEP_T=$T0
STEP=""
step() { # step NAME: closes the previous step with its time
  local now; now=$(date +%s)
  [ -n "$STEP" ] && printf '  ok   %-58s %4ds\n' "$STEP" $((now - STEP_T))
  STEP=$1; STEP_T=$now
  printf '[%s +%4ds] %s\n' "$(date +%T)" $((now - T0)) "$1"
}
fail() {
  local now; now=$(date +%s)
  printf '  FAIL %-58s %4ds\n  %s\n' "$STEP" $((now - STEP_T)) "$*" >&2
  diagnostics >&2 || true
  exit 1
}
diagnostics() {
  echo "--- diagnostics"
  kubectl get pods,pvc -A -o wide 2>&1 | grep -v kube-system | head -40
  kubectl get rvol,vmig,snode 2>&1 | head -20
  kubectl -n "$NS" get events --sort-by=.lastTimestamp 2>&1 | tail -15
  for p in $(kubectl -n "$NS" get pods -o name 2>/dev/null); do
    echo "--- logs $p"; kubectl -n "$NS" logs "$p" --all-containers --tail=15 2>&1 | tail -30
  done
}
# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds
wait_for() {
  local limit=$1 what=$2; shift 2
  local end=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || fail "timed out after ${limit}s waiting for $what"
    sleep 2
  done
}
k() { kubectl -n "$NS" "$@"; }

PK_HOME=${PRESCIENT_KUBE_HOME:-$HOME/.cache/prescient-kube}
VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/helm/prescient/Chart.yaml")
REGISTRY=$(sed -n 's/^  registry: *//p' "$ROOT/helm/prescient/values.yaml")
DRIVER_IMAGE=$REGISTRY/prescient-csi-driver:$VERSION
WORKLOAD_IMAGE=${WORKLOAD_IMAGE:-$DRIVER_IMAGE}

helm_cmd() {
  if [ -n "${HELM:-}" ]; then "$HELM" "$@"
  elif command -v helm >/dev/null; then helm "$@"
  else
    [ -f "$ROOT/helm/target/helm-classpath.txt" ] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl helm -am)
    java -cp "$ROOT/helm/target/classes:$(cat "$ROOT/helm/target/helm-classpath.txt")" dev.prescient.helm.HelmCli "$@"
  fi
}

load_image() { # load_image ARCHIVE
  if [ -n "${LOAD_IMAGE:-}" ]; then $LOAD_IMAGE "$1"; return; fi
  local socks=() s
  [ -S "$PK_HOME/run/containerd/containerd.sock" ] && socks+=("$PK_HOME/run/containerd/containerd.sock")
  for s in "$PK_HOME"/run/node-*/containerd/containerd.sock; do [ -S "$s" ] && socks+=("$s"); done
  if [ ${#socks[@]} -gt 0 ]; then
    for s in "${socks[@]}"; do ctr --address "$s" --namespace k8s.io images import "$1" >/dev/null; done
  elif command -v kind >/dev/null; then kind load image-archive "$1"
  else fail "cannot load $1: set LOAD_IMAGE to a command that loads an OCI archive onto every node"; fi
}

# Runs CMD on the node NODE as root: the host for ../shared/kube's node 1, its node.sh exec for node N.
on_node() { # on_node NODE CMD...
  local node=$1; shift
  local ip
  if [[ $node =~ ^prescient-node-([0-9]+)$ ]] && [ -x "$ROOT/../shared/kube/node.sh" ]; then
    NODE_INDEX=${BASH_REMATCH[1]} "$ROOT/../shared/kube/node.sh" exec "$@"
    return
  fi
  ip=$(kubectl get node "$node" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
  if [ -n "$ip" ] && ip -o addr show 2>/dev/null | grep -w "inet $ip" >/dev/null; then
    "$@"     # this machine is that node
  else
    return 3 # a remote node: not checked from here
  fi
}

pod_yaml() { # pod_yaml NAME CLAIM SCRIPT
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: { name: $1, namespace: $NS, labels: { app: prescient-e2e } }
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  containers:
    - name: work
      image: $WORKLOAD_IMAGE
      imagePullPolicy: IfNotPresent
      command: [bash, -c, $(printf '%s' "$3" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes:
    - name: data
      persistentVolumeClaim: { claimName: $2 }
EOF
}
pvc_yaml() { # pvc_yaml NAME SIZE [SNAPSHOT]
  cat <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: $1, namespace: $NS }
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: prescient
  resources: { requests: { storage: $2 } }
EOF
  [ -z "${3:-}" ] || printf '  dataSource: { name: %s, kind: VolumeSnapshot, apiGroup: snapshot.storage.k8s.io }\n' "$3"
}
pod_phase() { k get pod "$1" -o jsonpath='{.status.phase}' 2>/dev/null; }
pod_running() { [ "$(pod_phase "$1")" = Running ]; }
pod_done() { [ "$(pod_phase "$1")" = Succeeded ] || { [ "$(pod_phase "$1")" = Failed ] && fail "pod $1 failed: $(k logs "$1" 2>&1 | tail -5)"; }; }

if [ $CLEANUP = 1 ]; then
  kubectl delete vmig e2e-move --ignore-not-found >/dev/null
  if kubectl get ns "$NS" >/dev/null 2>&1; then
    k delete pod -l app=prescient-e2e --ignore-not-found --wait=true --timeout=120s >/dev/null
    k delete volumesnapshot --all --ignore-not-found --wait=true --timeout=120s >/dev/null 2>&1 || true
    k delete pvc --all --ignore-not-found --wait=true --timeout=120s >/dev/null
    # The driver must outlive its PVs and attachments, or they stay behind (Released, attached) with no one to delete them.
    end=$(( $(date +%s) + 180 ))
    while [ "$(date +%s)" -lt "$end" ] && { [ -n "$(kubectl get pv -o jsonpath='{.items[?(@.spec.csi.driver=="csi.prescient.dev")].metadata.name}')" ] ||
          [ -n "$(kubectl get volumeattachment -o jsonpath='{.items[?(@.spec.attacher=="csi.prescient.dev")].metadata.name}')" ]; }; do sleep 3; done
    helm_cmd uninstall prescient --namespace "$NS" >/dev/null 2>&1 || true
    kubectl delete ns "$NS" --wait=true --timeout=180s >/dev/null
  fi
  echo "cleaned up namespace $NS"; exit 0
fi

# ---------------------------------------------------------------------------------------------------------
step "cluster: $(kubectl config current-context 2>/dev/null || echo '?')"
kubectl get --raw /readyz >/dev/null || fail "the API server in $KUBECONFIG is not ready"
SERVER_VERSION=$(kubectl get --raw /version | python3 -c 'import json,sys; print(json.load(sys.stdin)["gitVersion"])')
NODES=$(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
[ -n "$NODES" ] || fail "the cluster has no nodes"
NODE_COUNT=$(echo "$NODES" | wc -l)
echo "  Kubernetes $SERVER_VERSION, $NODE_COUNT node(s): $(echo $NODES)"
kubectl get ns "$NS" >/dev/null 2>&1 && fail "namespace $NS exists: a previous run was kept or failed; e2e/real-cluster.sh --cleanup removes it"

if [ $IMAGES = 1 ]; then
  step "images: build (images/build.sh) and load onto every node"
  "$ROOT/images/build.sh" --out "$ROOT/images/out" | sed 's/^/  /'
  for a in "$ROOT/images/out/prescient-operator-$VERSION.tar" "$ROOT/images/out/prescient-csi-driver-$VERSION.tar"; do
    load_image "$a"
  done
fi

VALUES=()
# The chart's default sidecar images come from registry.k8s.io; a cluster without a registry uses the ones built
# by ../shared/kube (sidecar-images.sh), when they are there.
if [ -f "$PK_HOME/bin/.csi-provisioner.built" ]; then
  tagof() { local t; t=$(sed -n 2p "$PK_HOME/bin/.$1.built"); echo "localhost/prescient-kube/$1:${t##* }"; }
  VALUES+=(--set "csi.sidecars.provisioner=$(tagof csi-provisioner)" --set "csi.sidecars.attacher=$(tagof csi-attacher)"
           --set "csi.sidecars.resizer=$(tagof csi-resizer)" --set "csi.sidecars.snapshotter=$(tagof csi-snapshotter)"
           --set "csi.sidecars.nodeDriverRegistrar=$(tagof csi-node-driver-registrar)"
           --set "csi.sidecars.livenessProbe=$(tagof livenessprobe)")
fi
# One replica per node at most: a single-node cluster gets one-replica volumes.
REPLICAS=$(( NODE_COUNT < 2 ? 1 : 2 ))
VALUES+=(--set "storageClass.replicas=$REPLICAS")
for s in "${SETS[@]}"; do VALUES+=(--set "$s"); done

step "helm install prescient (namespace $NS, chart helm/prescient as it is)"
helm_cmd install prescient "$ROOT/helm/prescient" --namespace "$NS" --create-namespace "${VALUES[@]}" | sed 's/^/  /'
step "operator, CSI controller and node plugins ready"
wait_for 300 "operator ready" k rollout status deploy/prescient-operator --timeout=5s
wait_for 300 "CSI controller ready" k rollout status deploy/prescient-csi-controller --timeout=5s
wait_for 300 "CSI node plugins ready" k rollout status ds/prescient-csi-node --timeout=5s
wait_for 120 "a StorageNode per node" bash -c "[ \$(kubectl get snode -o name | wc -l) -ge $NODE_COUNT ]"
wait_for 120 "CSINode registrations" bash -c "kubectl get csinode -o jsonpath='{.items[*].spec.drivers[*].name}' | grep -qw csi.prescient.dev"
SNAPSHOTS=0
kubectl get volumesnapshotclass prescient >/dev/null 2>&1 && SNAPSHOTS=1
echo "  snapshots: $([ $SNAPSHOTS = 1 ] && echo 'on (VolumeSnapshotClass prescient)' || echo 'off: the cluster does not serve snapshot.storage.k8s.io/v1')"

# ---------------------------------------------------------------------------------------------------------
step "PVC (1Gi) and a pod that writes 16 MiB and reads it back"
pvc_yaml data 1Gi | kubectl apply -f - >/dev/null
pod_yaml writer data '
set -euo pipefail
head -c 16777216 /dev/urandom > /data/blob
sync /data/blob
sha256sum /data/blob | cut -d" " -f1 > /data/blob.sha256
sync
[ "$(sha256sum /data/blob | cut -d" " -f1)" = "$(cat /data/blob.sha256)" ]
echo "wrote and read back $(cat /data/blob.sha256)"
touch /data/ready; sleep 100000' | kubectl apply -f - >/dev/null
wait_for 240 "pod writer running with its volume" bash -c "kubectl -n $NS exec writer -- test -f /data/ready"
BLOB_SHA=$(k exec writer -- cat /data/blob.sha256)
PV=$(k get pvc data -o jsonpath='{.spec.volumeName}')
VOL=$(kubectl get pv "$PV" -o jsonpath='{.spec.csi.volumeHandle}')
NODE=$(k get pod writer -o jsonpath='{.spec.nodeName}')
echo "  PV $PV (volume $VOL) on node $NODE; blob sha256 $BLOB_SHA"
wait_for 60 "ReplicatedVolume $VOL" kubectl get rvol "$VOL"

if [ $SNAPSHOTS = 1 ]; then
  step "VolumeSnapshot of the PVC, restored into a new PVC, data checked"
  cat <<EOF | kubectl apply -f - >/dev/null
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata: { name: snap, namespace: $NS }
spec:
  volumeSnapshotClassName: prescient
  source: { persistentVolumeClaimName: data }
EOF
  wait_for 180 "VolumeSnapshot ready" bash -c "[ \"\$(kubectl -n $NS get volumesnapshot snap -o jsonpath='{.status.readyToUse}')\" = true ]"
  pvc_yaml restored 1Gi snap | kubectl apply -f - >/dev/null
  pod_yaml reader restored "[ \"\$(sha256sum /data/blob | cut -d' ' -f1)\" = $BLOB_SHA ] && echo restored-ok" | kubectl apply -f - >/dev/null
  wait_for 240 "pod reader done" pod_done reader
  k logs reader | grep -q restored-ok || fail "the restored volume does not hold the snapshot's data: $(k logs reader | tail -3)"
  echo "  restored volume $(k get pvc restored -o jsonpath='{.spec.volumeName}') holds $BLOB_SHA"
else
  step "VolumeSnapshot: skipped (no snapshot.storage.k8s.io/v1 on this cluster)"
fi

# The driver expands offline (it advertises OFFLINE: nbdfuse learns an export's size once, at connect), so the
# pod stops, the controller grows the replica, and the next stage grows the file system.
step "expand the PVC from 1Gi to 2Gi (offline: stop the pod, resize, restart it)"
k delete pod writer --wait=true --timeout=120s >/dev/null
k patch pvc data --type merge -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}' >/dev/null
wait_for 180 "PV $PV grown to 2Gi" bash -c "[ \"\$(kubectl get pv $PV -o jsonpath='{.spec.capacity.storage}')\" = 2Gi ]"
pod_yaml worker data "[ \"\$(sha256sum /data/blob | cut -d' ' -f1)\" = $BLOB_SHA ] || { echo blob-changed; exit 1; }
touch /data/ready2; sleep 100000" | kubectl apply -f - >/dev/null
wait_for 240 "pod worker running on the grown volume" bash -c "kubectl -n $NS exec worker -- test -f /data/ready2"
wait_for 120 "PVC capacity 2Gi" bash -c "[ \"\$(kubectl -n $NS get pvc data -o jsonpath='{.status.capacity.storage}')\" = 2Gi ]"
wait_for 120 "the file system grows past 1.5 GiB" bash -c \
  "[ \$(kubectl -n $NS exec worker -- df -B1M --output=size /data | tail -1) -gt 1536 ]"
echo "  file system: $(k exec worker -- df -h --output=size,used /data | tail -1); the blob is unchanged"

step "a writer in the pod: numbered records, each fsynced before it is acknowledged"
# The writer appends numbered records, each made durable (fsync) before it is acknowledged on stdout.
k exec worker -- bash -c 'cat > /data/writer.sh <<"EOS"
i=0
while [ ! -f /data/stop ]; do
  i=$((i+1))
  rec=$(printf "%08d %s" $i "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n")")
  printf "%s\n" "$rec" >> /data/log || { echo "WRITE-ERROR at $i"; exit 1; }
  sync /data/log || { echo "FSYNC-ERROR at $i"; exit 1; }
  echo "ack $rec"
  sleep 0.05
done
echo "stopped after $i"
EOS
nohup bash /data/writer.sh > /tmp/writer.out 2>&1 &'
sleep 5
acks() { k exec worker -- grep -c '^ack ' /tmp/writer.out 2>/dev/null || echo 0; }
writer_ok() { ! k exec worker -- grep -qE 'WRITE-ERROR|FSYNC-ERROR|stopped after' /tmp/writer.out; }
[ "$(acks)" -gt 0 ] || fail "the writer acknowledged nothing in 5 s: $(k exec worker -- tail -3 /tmp/writer.out)"

# A container's processes all die with it; the engines and nbdfuse live in the prescient-dataplane pod, so the
# plugin's end (a crash here, a liveness kill or an upgrade in life) must not reach the pod's I/O.
if kubectl -n "$NS" get ds prescient-dataplane >/dev/null 2>&1 && on_node "$NODE" true; then
  step "kill -9 the node plugin on $NODE while the pod writes; the restarted plugin adopts the volume"
  PLUGIN_POD=$(k get pods -l app.kubernetes.io/component=csi-node --field-selector "spec.nodeName=$NODE" -o name | head -1)
  restarts() { k get "$PLUGIN_POD" -o jsonpath='{.status.containerStatuses[?(@.name=="csi-driver")].restartCount}'; }
  RESTARTS=$(restarts)
  # The volume's loop device, from the plugin's staged record (losetup -a cannot tell: it prints the backing path
  # as seen from the mount namespace the device was set up in, and that one ends with the old container).
  staged_device() { on_node "$NODE" sh -c "sed -n 's/^device=//p' /var/lib/prescient/staged/$VOL.properties"; }
  LOOP=$(staged_device)
  [ -n "$LOOP" ] || fail "no staged record for $VOL on $NODE"
  PLUGIN_PID=$(on_node "$NODE" pgrep -f 'dev[.]prescient[.]csi[.]CsiDriverMain --mode=node') || fail "no node plugin process on $NODE"
  ACKS_BEFORE=$(acks)
  on_node "$NODE" kill -9 $PLUGIN_PID
  wait_for 120 "the csi-driver container restarted" bash -c "[ \$(kubectl -n $NS get $PLUGIN_POD -o jsonpath='{.status.containerStatuses[?(@.name==\"csi-driver\")].restartCount}') -gt $RESTARTS ]"
  wait_for 180 "the restarted plugin ready" bash -c "kubectl -n $NS get $PLUGIN_POD -o jsonpath='{.status.containerStatuses[?(@.name==\"csi-driver\")].ready}' | grep -qx true"
  sleep 5
  writer_ok || fail "the writer saw an error across the plugin restart: $(k exec worker -- tail -3 /tmp/writer.out)"
  ACKS_AFTER=$(acks)
  [ "$ACKS_AFTER" -gt "$ACKS_BEFORE" ] || fail "the writer made no progress across the plugin restart ($ACKS_BEFORE acks)"
  LOG=$(k logs "$PLUGIN_POD" -c csi-driver)
  grep -q "volume $VOL still staged" <<<"$LOG" || fail "the restarted plugin did not adopt $VOL: $(tail -5 <<<"$LOG")"
  ! grep -q "re-staging" <<<"$LOG" || fail "the restarted plugin re-staged a volume: $(grep re-staging <<<"$LOG")"
  [ "$(staged_device)" = "$LOOP" ] || fail "$VOL was attached again: $LOOP before, $(staged_device) after"
  on_node "$NODE" losetup "$LOOP" >/dev/null || fail "$LOOP is no longer attached"
  echo "  plugin pid $PLUGIN_PID killed; container restarted; $VOL adopted (same loop device $LOOP, still attached);" \
    "the writer went from $ACKS_BEFORE to $ACKS_AFTER acknowledged records without an error"
fi

step "VolumeMigration of the volume's replica while the pod keeps writing"
# The operator lists replicas from the node agents; after a plugin restart that takes a pass or two.
wait_for 180 "rvol $VOL to list its replica" bash -c "kubectl get rvol $VOL -o jsonpath='{.status.replicas[0].node}' | grep -q ."
FROM_JSON=$(kubectl get rvol "$VOL" -o json)
read -r FROM_NODE FROM_TIER < <(python3 -c '
import json,sys
v=json.load(sys.stdin); st=v.get("status",{})
reps=st.get("replicas") or []
prim=[r for r in reps if r.get("role","").lower() in ("primary","active")] or reps
r=prim[0]; print(r["node"], r["tier"])' <<<"$FROM_JSON") || fail "no replica in rvol $VOL status: $FROM_JSON"
TIERS=$(kubectl get stier -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
if [ "$NODE_COUNT" -ge 2 ]; then
  TO_NODE=$(echo "$NODES" | grep -vx "$FROM_NODE" | head -1); TO_TIER=$FROM_TIER
else
  TO_NODE=$FROM_NODE; TO_TIER=$(echo "$TIERS" | grep -vx "$FROM_TIER" | head -1)
fi
echo "  moving $VOL from $FROM_NODE/$FROM_TIER to $TO_NODE/$TO_TIER"
cat <<EOF | kubectl apply -f - >/dev/null
apiVersion: storage.prescient.dev/v1alpha1
kind: VolumeMigration
metadata: { name: e2e-move }
spec:
  volume: $VOL
  from: { node: $FROM_NODE, tier: $FROM_TIER }
  to: { node: $TO_NODE, tier: $TO_TIER }
  reason: Manual
  explanation: "e2e: moved while the pod writes"
EOF
wait_for 300 "VolumeMigration e2e-move to end" bash -c \
  "kubectl get vmig e2e-move -o jsonpath='{.status.phase}' | grep -qE '^(Succeeded|Failed|RolledBack)$'"
PHASE=$(kubectl get vmig e2e-move -o jsonpath='{.status.phase}')
[ "$PHASE" = Succeeded ] || fail "VolumeMigration ended $PHASE: $(kubectl get vmig e2e-move -o jsonpath='{.status.conditions}')"
echo "  Succeeded, I/O pause $(kubectl get vmig e2e-move -o jsonpath='{.status.pauseMillis}') ms"
sleep 5
k exec worker -- touch /data/stop
wait_for 30 "the writer to stop" bash -c "kubectl -n $NS exec worker -- grep -q 'stopped after' /tmp/writer.out"
if k exec worker -- grep -qE 'WRITE-ERROR|FSYNC-ERROR' /tmp/writer.out 2>/dev/null; then
  fail "the writer saw an I/O error: $(k exec worker -- tail -3 /tmp/writer.out)"
fi
ACKS=$(mktemp); STORED=$(mktemp)
k exec worker -- grep '^ack ' /tmp/writer.out | cut -c5- | sort > "$ACKS"
ACKED=$(wc -l < "$ACKS")
[ "$ACKED" -gt 0 ] || fail "the writer acknowledged nothing"
wait_for 60 "rvol $VOL to list its replica on $TO_NODE/$TO_TIER" bash -c \
  "kubectl get rvol $VOL -o jsonpath='{range .status.replicas[*]}{.node}/{.tier} {end}' | grep -qw $TO_NODE/$TO_TIER"
# Read back through a fresh mount (the pod goes, the volume is unstaged, a new pod stages it again), so nothing
# comes from the page cache of the mount that wrote it.
k delete pod worker --wait=true --timeout=120s >/dev/null
pod_yaml verify data 'sha256sum /data/blob | cut -d" " -f1; cat /data/log' | kubectl apply -f - >/dev/null
wait_for 240 "pod verify done" pod_done verify
k logs verify > "$STORED"
[ "$(head -1 "$STORED")" = "$BLOB_SHA" ] || fail "the blob changed across the move: $(head -1 "$STORED")"
MISSING=$(tail -n +2 "$STORED" | sort | comm -23 "$ACKS" - | wc -l)
[ "$MISSING" = 0 ] || fail "$MISSING of $ACKED acknowledged writes are missing after the move"
echo "  $ACKED acknowledged writes across the move, all present after a fresh mount; the blob unchanged;" \
  "replicas now: $(kubectl get rvol "$VOL" -o jsonpath='{range .status.replicas[*]}{.node}/{.tier} {end}')"
rm -f "$ACKS" "$STORED"

if [ $KEEP = 1 ]; then step "kept (--keep): namespace $NS, release prescient"; step done; exit 0; fi

# ---------------------------------------------------------------------------------------------------------
step "delete pods, snapshots and PVCs; PVs, VolumeAttachments and ReplicatedVolumes go"
PVS=$(k get pvc -o jsonpath='{range .items[*]}{.spec.volumeName}{"\n"}{end}')
VOLS=$(for pv in $PVS; do kubectl get pv "$pv" -o jsonpath='{.spec.csi.volumeHandle}{"\n"}'; done)
kubectl delete vmig e2e-move --wait=false >/dev/null 2>&1 || true
k delete pod -l app=prescient-e2e --wait=true --timeout=120s >/dev/null
[ $SNAPSHOTS = 1 ] && k delete volumesnapshot --all --wait=true --timeout=120s >/dev/null
k delete pvc --all --wait=true --timeout=120s >/dev/null
for pv in $PVS; do
  wait_for 180 "PV $pv deleted" bash -c "! kubectl get pv $pv"
  wait_for 120 "VolumeAttachments of $pv deleted" bash -c "! kubectl get volumeattachment -o jsonpath='{.items[*].spec.source.persistentVolumeName}' | grep -qw $pv"
done
for v in $VOLS; do
  wait_for 120 "ReplicatedVolume $v deleted" bash -c "! kubectl get rvol $v"
done
if [ $SNAPSHOTS = 1 ]; then
  wait_for 120 "VolumeSnapshotContents deleted" bash -c "! kubectl get volumesnapshotcontent -o jsonpath='{.items[*].spec.driver}' | grep -qw csi.prescient.dev"
fi

step "helm uninstall; nothing of Prescient left"
helm_cmd uninstall prescient --namespace "$NS" | sed 's/^/  /'
wait_for 180 "Prescient's pods gone" bash -c "[ -z \"\$(kubectl -n $NS get pods -o name)\" ]"
leftovers() { # prints what of Prescient is still there, nothing when all is gone
  LEFT=""
  [ -z "$(kubectl get pv -o jsonpath='{.items[?(@.spec.csi.driver=="csi.prescient.dev")].metadata.name}')" ] || LEFT="$LEFT PVs"
  [ -z "$(kubectl get volumeattachment -o jsonpath='{.items[?(@.spec.attacher=="csi.prescient.dev")].metadata.name}')" ] || LEFT="$LEFT VolumeAttachments"
  [ -z "$(kubectl get rvol -o name 2>/dev/null)" ] || LEFT="$LEFT ReplicatedVolumes"
  [ -z "$(kubectl get vmig -o name 2>/dev/null)" ] || LEFT="$LEFT VolumeMigrations"
  [ -z "$(kubectl get csidriver csi.prescient.dev -o name 2>/dev/null)" ] || LEFT="$LEFT CSIDriver"
  [ -z "$(kubectl get sc prescient -o name 2>/dev/null)" ] || LEFT="$LEFT StorageClass"
  for n in $NODES; do
    # Mounts of the driver (kubelet staging/publish dirs, nbdfuse files) and loop devices over its state dir.
    # (a mount AT the state dir is the node's own bind mount; ours are below it, in the kubelet's CSI dirs, or nbdfuse)
    mounts=$(on_node "$n" sh -c "awk '\$5 ~ /^\\/var\\/lib\\/prescient\\// || \$5 ~ /csi.prescient.dev/ || \$0 ~ /nbdfuse/' /proc/self/mountinfo | wc -l") || { echo "  node $n: not reachable from here, mounts not checked" >&2; continue; }
    loops=$(on_node "$n" sh -c "losetup -a 2>/dev/null | grep -c /var/lib/prescient || true")
    # (brackets: the pattern must not match the shell that runs pgrep, whose command line holds it)
    # Only the driver's own: its command lines name the state dir or the CSI socket (tests on the same host do not).
    procs=$(on_node "$n" sh -c "pgrep -fc '[n]bdfuse .*/var/lib/prescient|dev[.]prescient[.](engine|csi)[.].*(/var/lib/prescient|/csi/csi[.]sock)' || true")
    # Replica images and attachment records in the state dir (the tiers' directories themselves stay).
    files=$(on_node "$n" sh -c "find /var/lib/prescient -type f \\( -name '*.img' -o -name '*.fuse.pid' -o -name '*.state.json' -o -name '*.port' -o -name '*.handed-to' \\) 2>/dev/null | wc -l")
    [ "$mounts" = 0 ] || LEFT="$LEFT $n:$mounts-mounts"
    [ "$files" = 0 ] || LEFT="$LEFT $n:$files-state-files"
    [ "$loops" = 0 ] || LEFT="$LEFT $n:$loops-loop-devices"
    [ "$procs" = 0 ] || LEFT="$LEFT $n:$procs-processes"
  done
  echo "$LEFT"
}
# Pods are gone from the API before their containers' last processes and mounts are: give them a minute.
end=$(( $(date +%s) + 60 ))
LEFT=$(leftovers)
while [ -n "$LEFT" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 3; LEFT=$(leftovers); done
[ -z "$LEFT" ] || fail "left behind:$LEFT"
echo "  no PVs, VolumeAttachments, ReplicatedVolumes, VolumeMigrations, CSIDriver, StorageClass, mounts, loop devices, replica files or driver processes"
echo "  kept by design: the CRDs (Helm never deletes CRDs), the TLS Secret (a Helm hook object: the next install replaces it), StorageNodes: $(kubectl get snode -o name | wc -l)"
kubectl delete ns "$NS" --wait=true --timeout=120s >/dev/null
kubectl delete snode --all >/dev/null 2>&1 || true
step "passed: Kubernetes $SERVER_VERSION, $NODE_COUNT node(s), $(( $(date +%s) - T0 )) s in all"
STEP=""
