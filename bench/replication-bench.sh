#!/usr/bin/env bash
# Replication transport benchmarks (engine/…/replication/bench/ReplicationBench.java):
#   (a) delta resync of a 2 GiB volume after 1% of its 4 KiB blocks changed, vs rsync
#   (c) bulk sync per codec (NONE/LZ4/ZSTD) of real file data
#   (b) sequential 1 MiB RemoteReplica writes (plain TCP and mTLS) vs a local replica and a plain file
# Needs: rsync, openssl, cp (coreutils); about 5 GiB free under --dir (default /tmp).
# Usage: bench/replication-bench.sh [--size-mib 2048] [--changed-percent 1] [--codec LZ4] [--dir DIR] ...
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -o -f engine/pom.xml compile
./mvnw -q -o -f engine/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/engine/target/bench.classpath" -Dmdep.includeScope=runtime
exec java -Xmx1g -cp "engine/target/classes:$(cat engine/target/bench.classpath)" \
  dev.prescient.engine.replication.bench.ReplicationBench "$@"
