#!/usr/bin/env bash
# Replication transport benchmarks (bench/src/main/java/…/replication/bench/ReplicationBench.java):
#   (a) delta resync of a 2 GiB volume after 1% of its 4 KiB blocks changed, vs rsync
#   (c) bulk sync per codec (NONE/LZ4/ZSTD) of real file data
#   (b) sequential 1 MiB RemoteReplica writes (plain TCP and mTLS) vs a local replica and a plain file
# Needs: rsync, openssl, cp (coreutils); about 5 GiB free under --dir (default /tmp).
# Usage: bench/replication-bench.sh [--size-mib 2048] [--changed-percent 1] [--codec LZ4] [--dir DIR] ...
set -euo pipefail
cd "$(dirname "$0")/.."
# The benchmarks live in their own module (bench/pom.xml); its build writes bench/target/bench.classpath.
./mvnw -q -o -pl bench -am compile
exec java -Xmx1g -cp "bench/target/classes:$(cat bench/target/bench.classpath)" \
  dev.prescient.engine.replication.bench.ReplicationBench "$@"
