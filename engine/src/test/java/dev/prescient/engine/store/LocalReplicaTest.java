package dev.prescient.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.engine.Zeroes;
import dev.prescient.engine.OutOfRangeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalReplicaTest {
    @TempDir
    Path dir;

    static ByteBuffer random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    static ByteBuffer read(LocalReplica r, long off, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        r.read(off, b);
        return b.flip();
    }

    @Test
    void writesReadBackAndHolesReadZero() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r1", "v1", 10 << 20, 65536)) {
            r.write(70000, random(5000, 1), false);
            assertThat(read(r, 70000, 5000)).isEqualTo(random(5000, 1));
            assertThat(Zeroes.isZero(read(r, 0, 65536))).isTrue();
            assertThat(r.nextAllocated(0)).isEqualTo(65536);
            assertThat(r.nextHole(65536)).isEqualTo(2 * 65536);
            assertThat(r.nextAllocated(2 * 65536)).isEqualTo(-1);
        }
    }

    @Test
    void emptyHundredGibReplicaHasNothingToCopyAndUsesNoSpace() throws Exception {
        long size = 100L << 30;
        try (LocalReplica r = LocalReplica.create(dir, "big", "v", size, 65536)) {
            assertThat(r.nextAllocated(0)).isEqualTo(-1);
            assertThat(r.allocatedBytes()).isZero();
            r.write(size - 4096, random(4096, 2), true);
            assertThat(r.nextAllocated(0)).isEqualTo(size - 65536);
        }
        Process p = new ProcessBuilder("stat", "-c", "%b", dir.resolve("big.img").toString()).start();
        long onDisk = Long.parseLong(new String(p.getInputStream().readAllBytes()).trim()) * 512;
        assertThat(onDisk).isLessThan(1 << 20);
    }

    @Test
    void growKeepsDataAndMapAndReadsZeroesBeyondTheOldEnd() throws Exception {
        try (ReplicaStore store = new ReplicaStore(Map.of("t", dir))) {
            try (LocalReplica r = store.create("g", "v", "t", 1 << 20, 4096)) {
                r.write(8192, random(4096, 7), true);
            }
            store.close(); // release the store's reference: grow is offline
            store.grow("g", 4 << 20);
            assertThat(store.list()).singleElement().satisfies(i -> {
                assertThat(i.size()).isEqualTo(4 << 20);
                assertThat(i.allocatedBytes()).isEqualTo(4096);
                assertThat(i.clean()).isTrue();
            });
            try (LocalReplica r = store.openReplica("g")) {
                assertThat(r.size()).isEqualTo(4 << 20);
                assertThat(read(r, 8192, 4096)).isEqualTo(random(4096, 7));
                assertThat(Zeroes.isZero(read(r, 3 << 20, 65536))).isTrue();
                assertThat(r.nextAllocated(12288)).isEqualTo(-1);
                assertThatThrownBy(() -> store.grow("g", 8 << 20)).isInstanceOf(IllegalStateException.class);
            }
            store.close();
            assertThatThrownBy(() -> store.grow("g", 1 << 20)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void unmapAndWriteZeroesReadAsZero() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r", "v", 1 << 20, 4096)) {
            r.write(0, random(1 << 20, 3), false);
            r.unmap(4096, 8192);
            r.writeZeroes(100_000, 5000, true);
            ByteBuffer all = read(r, 0, 1 << 20);
            ByteBuffer exp = random(1 << 20, 3);
            for (int i = 4096; i < 4096 + 8192; i++) {
                exp.put(i, (byte) 0);
            }
            for (int i = 100_000; i < 105_000; i++) {
                exp.put(i, (byte) 0);
            }
            assertThat(all).isEqualTo(exp);
            assertThat(r.compact()).isEqualTo(2); // the two whole zero chunks of the unmap
        }
    }

    @Test
    void outOfRangeIsRejectedWithoutChanges() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r", "v", 1 << 20, 4096)) {
            assertThatThrownBy(() -> r.write((1 << 20) - 10, random(20, 4), false))
                    .isInstanceOf(OutOfRangeException.class);
            assertThatThrownBy(() -> r.read(-1, ByteBuffer.allocate(1))).isInstanceOf(OutOfRangeException.class);
            assertThatThrownBy(() -> r.unmap(Long.MAX_VALUE, 10)).isInstanceOf(OutOfRangeException.class);
            assertThat(r.nextAllocated(0)).isEqualTo(-1);
        }
    }

    @Test
    void metadataSurvivesCleanCloseAndGenerationGrows() throws Exception {
        long gen;
        try (LocalReplica r = LocalReplica.create(dir, "r", "vol-a", 4 << 20, 65536)) {
            r.write(3 << 20, random(100, 5), true);
            gen = r.generation();
        }
        ReplicaMetadata m = ReplicaMetadata.readFrom(dir.resolve("r.meta"));
        assertThat(m.clean()).isTrue();
        assertThat(m.generation()).isGreaterThan(gen);
        try (LocalReplica r = LocalReplica.open(dir, "r")) {
            assertThat(r.volumeId()).isEqualTo("vol-a");
            assertThat(r.nextAllocated(0)).isEqualTo(3 << 20);
            assertThat(read(r, 3 << 20, 100)).isEqualTo(random(100, 5));
        }
    }

    @Test
    void uncleanShutdownRebuildsAllocationMapFromData() throws Exception {
        LocalReplica r = LocalReplica.create(dir, "r", "v", 4 << 20, 65536);
        r.write(0, random(10, 6), true);
        r.write(2 << 20, random(10, 7), false); // not flushed: the persisted map misses it
        r.abandon();
        assertThat(ReplicaMetadata.readFrom(dir.resolve("r.meta")).clean()).isFalse();
        try (LocalReplica again = LocalReplica.open(dir, "r")) {
            assertThat(again.nextAllocated(65536)).isEqualTo(2 << 20);
            assertThat(read(again, 2 << 20, 10)).isEqualTo(random(10, 7));
        }
    }

    @Test
    void corruptMetadataIsATypedError() throws Exception {
        LocalReplica.create(dir, "r", "v", 1 << 20, 65536).close();
        byte[] b = Files.readAllBytes(dir.resolve("r.meta"));
        b[10] ^= 1;
        Files.write(dir.resolve("r.meta"), b);
        assertThatThrownBy(() -> LocalReplica.open(dir, "r"))
                .isInstanceOf(ReplicaMetadata.CorruptMetadataException.class);
    }

    @Test
    void storeSpansTiersAndSurvivesRestart() throws Exception {
        Map<String, Path> tiers = Map.of("nvme", dir.resolve("nvme"), "hdd", dir.resolve("hdd"));
        try (ReplicaStore s = new ReplicaStore(tiers)) {
            s.create("a", "vol1", "nvme", 1 << 20).close();
            try (LocalReplica b = s.create("b", "vol2", "hdd", 2 << 20)) {
                b.write(0, random(4096, 8), true);
            }
            assertThatThrownBy(() -> s.create("a", "vol1", "hdd", 1 << 20))
                    .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
            assertThatThrownBy(() -> s.create("../x", "v", "hdd", 1 << 20))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        try (ReplicaStore s = new ReplicaStore(tiers)) {
            assertThat(s.list()).extracting(ReplicaStore.ReplicaInfo::replicaId, ReplicaStore.ReplicaInfo::tier,
                    ReplicaStore.ReplicaInfo::allocatedBytes).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("a", "nvme", 0L),
                    org.assertj.core.groups.Tuple.tuple("b", "hdd", 65536L));
            try (LocalReplica b = s.openReplica("b")) {
                assertThat(read(b, 0, 4096)).isEqualTo(random(4096, 8));
            }
            s.delete("a");
            assertThat(s.list()).hasSize(1);
            assertThatThrownBy(() -> s.openReplica("a")).isInstanceOf(java.nio.file.NoSuchFileException.class);
        }
    }

    @Test
    void aReplicaDeletedWhileAnEngineHoldsItIsNotBroughtBackByItsClose() throws Exception {
        // The engine process holds r1 open (it keeps serving a switched volume); the node agent, another process
        // with its own store, deletes r1's files. The engine's last flush and close must not recreate r1's metadata.
        ReplicaStore engine = new ReplicaStore(Map.of("default", dir));
        LocalReplica r = engine.create("r1", "vol", "default", 1 << 20);
        r.write(0, random(4096, 1), false);
        r.flush();
        ReplicaStore agent = new ReplicaStore(Map.of("default", dir));
        assertThat(agent.list()).extracting(ReplicaStore.ReplicaInfo::replicaId).containsExactly("r1");
        agent.delete("r1");
        r.write(4096, random(4096, 2), false);
        r.flush();
        r.close();
        engine.close();
        assertThat(agent.list()).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("r1."))).isEmpty();
        }
    }
}
