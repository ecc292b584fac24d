#!/usr/bin/env bash
# Builds the operator and CSI driver images from images/*/Containerfile with buildah (no daemon, no
# registry) and writes OCI archives that `ctr images import`, `kind load image-archive`, `podman load`
# or `skopeo copy oci-archive:... docker://...` take. Tags follow the chart's appVersion.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  cat <<EOF
usage: images/build.sh [options]
  --out DIR            where the OCI archives go (default: images/out)
  --registry NAME      image name prefix (default: the chart's image.registry, $(sed -n 's/^  registry: *//p' "$ROOT/helm/prescient/values.yaml"))
  --base IMAGE         base image for both (default: a Debian $(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-bookworm}") base made here with mmdebstrap
                       from this host's apt sources, so no registry is needed); e.g. docker.io/library/debian:bookworm-slim
  --only NAME          operator or csi-driver (default: both)
  --skip-maven         use the modules' existing target/ (default: ./mvnw package -DskipTests first)
  --import SOCKET      also import into the containerd at SOCKET (namespace k8s.io); repeatable
  -h, --help           this text
env: BUILDAH_ROOT (default ~/.cache/prescient-images/buildah), BUILDAH_DRIVER (default vfs)
Run as root (mmdebstrap --mode=root, buildah).
EOF
}

OUT=$ROOT/images/out
REGISTRY=$(sed -n 's/^  registry: *//p' "$ROOT/helm/prescient/values.yaml")
BASE=""
ONLY="operator csi-driver"
MAVEN=1
IMPORTS=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --registry) REGISTRY=$2; shift 2 ;;
    --base) BASE=$2; shift 2 ;;
    --only) case $2 in operator|csi-driver) ONLY=$2 ;; *) echo "--only takes operator or csi-driver, not '$2'" >&2; exit 2 ;; esac; shift 2 ;;
    --skip-maven) MAVEN=0; shift ;;
    --import) [ -S "$2" ] || { echo "--import: $2 is not a socket" >&2; exit 2; }; IMPORTS+=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (buildah, mmdebstrap)" >&2; exit 2; }
for c in buildah; do command -v $c >/dev/null || { echo "needs $c: apt-get install -y buildah" >&2; exit 2; }; done

VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/helm/prescient/Chart.yaml")
[ -n "$VERSION" ] || { echo "no appVersion in helm/prescient/Chart.yaml" >&2; exit 1; }
CACHE=${BUILDAH_ROOT:-$HOME/.cache/prescient-images/buildah}
bah() { buildah --root "$CACHE/storage" --runroot "$CACHE/run" --storage-driver "${BUILDAH_DRIVER:-vfs}" "$@"; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

# The packages each image needs, installed into the local base so the Containerfiles' RUN finds them.
JRE_PKGS="openjdk-17-jre-headless ca-certificates"
NODE_PKGS="$JRE_PKGS nbdfuse fuse3 nbd-client util-linux mount e2fsprogs xfsprogs smartmontools procps"

local_base() { # local_base NAME PKGS... -> prints the image name; built once per package list
  local name=$1; shift
  local suite stamp rootfs c
  suite=$(. /etc/os-release; echo "${VERSION_CODENAME}")
  stamp="suite=$suite packages=$*"
  if [ "$(bah inspect --type image --format '{{index .OCIv1.Config.Labels "prescient.base"}}' "$name" 2>/dev/null)" = "$stamp" ]; then
    log "base $name: up to date ($stamp)" >&2; echo "$name"; return
  fi
  command -v mmdebstrap >/dev/null || { echo "needs mmdebstrap for the local base (or pass --base IMAGE)" >&2; exit 2; }
  mkdir -p "$CACHE"; rootfs=$CACHE/rootfs-$$.tar
  log "base $name: mmdebstrap $suite minbase + $*" >&2
  # openjdk's postinst needs man1 even when man pages are left out.
  mmdebstrap --mode=root --variant=minbase --include="$(echo "$*" | tr ' ' ,)" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    "$suite" "$rootfs" >"$CACHE/mmdebstrap.log" 2>&1 || { tail -20 "$CACHE/mmdebstrap.log" >&2; exit 1; }
  c=$(bah from scratch)
  bah add -q "$c" "$rootfs" / >/dev/null
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --label "prescient.base=$stamp" "$c"
  bah commit -q "$c" "$name" >/dev/null
  bah rm "$c" >/dev/null
  rm -f "$rootfs"
  echo "$name"
}

if [ $MAVEN = 1 ]; then
  log "maven: package operator and csi-driver (tests skipped; ./mvnw verify runs them)"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl operator,csi-driver -am)
fi

mkdir -p "$OUT"
CTX=$ROOT/images/target
for name in $ONLY; do
  t0=$(date +%s)
  rm -rf "${CTX:?}/$name"; mkdir -p "$CTX/$name"
  case $name in
    operator)
      [ -f "$ROOT/operator/target/quarkus-app/quarkus-run.jar" ] || { echo "operator not built (drop --skip-maven)" >&2; exit 1; }
      cp -a "$ROOT/operator/target/quarkus-app" "$CTX/$name/"
      base=${BASE:-$(local_base localhost/prescient/base-jre:"$(. /etc/os-release; echo "$VERSION_CODENAME")" $JRE_PKGS)} ;;
    csi-driver)
      jar=$(ls "$ROOT"/csi-driver/target/prescient-csi-driver-*.jar 2>/dev/null | grep -v -e sources -e tests | head -1)
      [ -n "$jar" ] && [ -f "$ROOT/csi-driver/target/runtime-classpath.txt" ] || { echo "csi-driver not built (drop --skip-maven)" >&2; exit 1; }
      mkdir -p "$CTX/$name/lib"
      cp "$jar" "$CTX/$name/lib/"
      # `|| [ -n "$dep" ]`: the file has no final newline, and its last jar (slf4j-simple) was dropped.
      tr ":" "\n" < "$ROOT/csi-driver/target/runtime-classpath.txt" | while read -r dep || [ -n "$dep" ]; do
        [ -n "$dep" ] && cp "$dep" "$CTX/$name/lib/"
      done
      base=${BASE:-$(local_base localhost/prescient/base-node:"$(. /etc/os-release; echo "$VERSION_CODENAME")" $NODE_PKGS)} ;;
  esac
  image=$REGISTRY/prescient-$name:$VERSION
  log "$image: buildah bud from $base"
  bah bud -q --pull=false --isolation chroot --layers=false --build-arg "BASE=$base" --build-arg "VERSION=$VERSION" \
    -f "$ROOT/images/$name/Containerfile" -t "$image" "$CTX/$name" >/dev/null
  archive=$OUT/prescient-$name-$VERSION.tar
  rm -f "$archive"
  bah push -q "$image" "oci-archive:$archive:$image"
  for sock in "${IMPORTS[@]}"; do
    ctr --address "$sock" --namespace k8s.io images import "$archive" >/dev/null
    log "$image: imported into $sock"
  done
  log "$image -> $archive ($(du -h "$archive" | cut -f1), $(( $(date +%s) - t0 )) s)"
done
