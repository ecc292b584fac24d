package dev.prescient.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clean restarts and bounded crash recovery: a clean close (even with other holders) writes the
 * clean marker and the next open scans nothing; after a crash only the journal's open regions
 * are scanned, and they cover every chunk the persisted map misses.
 */
class RestartJournalTest {
    static final int CHUNK = 65536;
    static final long REGION = (long) ReplicaMetadata.DEFAULT_REGION_CHUNKS * CHUNK; // 64 MiB
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
    void storeCloseMarksCleanWhileTheVolumeStillHoldsItAndTheNextOpenScansNothing() throws Exception {
        ReplicaStore store = new ReplicaStore(Map.of("t", dir));
        store.create("r0", "v", "t", 1L << 30).close(); // the caller's reference
        LocalReplica held = store.openReplica("r0"); // the engine's replica set holds this one
        held.write(5 * REGION + 4096, random(8192, 1), false);
        store.close(); // SIGTERM path: the holder never closes its reference
        ReplicaStore again = new ReplicaStore(Map.of("t", dir));
        assertThat(again.list()).singleElement().satisfies(i -> assertThat(i.clean()).isTrue());
        LocalReplica r = again.openReplica("r0");
        assertThat(r.recoveryScannedRegions()).isZero();
        assertThat(r.recoveryScannedChunks()).isZero();
        assertThat(read(r, 5 * REGION + 4096, 8192)).isEqualTo(random(8192, 1));
        assertThat(r.nextAllocated(0)).isEqualTo(5 * REGION);
        again.close();
    }

    @Test
    void crashScansOnlyTheRegionsWrittenSinceTheirLastClosing() throws Exception {
        LocalReplica r = LocalReplica.create(dir, "r", "v", 1L << 30, CHUNK); // 16 regions
        r.closeIntervalNanos(0);
        r.write(0, random(4096, 1), true);
        r.write(REGION, random(4096, 2), true);
        r.flush(); // regions 0 and 1 were touched: still open
        r.flush(); // untouched since: closed
        assertThat(r.openRegionCount()).isZero();
        // Unflushed writes into fresh chunks of regions 1 (closed again), 3 and 9: the persisted map
        // misses them.
        r.write(REGION + 5 * CHUNK, random(100, 5), false);
        r.write(3 * REGION + 7 * CHUNK, random(100, 3), false);
        r.write(9 * REGION + 1000 * CHUNK + 10, random(CHUNK, 4), false);
        r.abandon();
        try (LocalReplica again = LocalReplica.open(dir, "r")) {
            assertThat(again.recoveryScannedRegions()).isEqualTo(3);
            assertThat(again.recoveryScannedChunks()).isLessThanOrEqualTo(3L * ReplicaMetadata.DEFAULT_REGION_CHUNKS);
            assertThat(again.nextAllocated(REGION + CHUNK)).isEqualTo(REGION + 5 * CHUNK);
            assertThat(again.nextAllocated(2 * REGION)).isEqualTo(3 * REGION + 7 * CHUNK);
            assertThat(again.nextAllocated(3 * REGION + 8 * CHUNK)).isEqualTo(9 * REGION + 1000 * CHUNK);
            assertThat(again.nextAllocated(9 * REGION + 1000 * CHUNK + CHUNK)).isEqualTo(9 * REGION + 1001 * CHUNK);
            assertThat(read(again, 9 * REGION + 1000 * CHUNK + 10, CHUNK)).isEqualTo(random(CHUNK, 4));
            assertThat(read(again, 0, 4096)).isEqualTo(random(4096, 1));
        }
        try (LocalReplica third = LocalReplica.open(dir, "r")) {
            assertThat(third.recoveryScannedRegions()).as("the previous open closed cleanly").isZero();
        }
    }

    /**
     * Writers into fresh chunks race flushes that close regions at every call; after a crash the
     * persisted map plus the open regions' scan must find every chunk that holds data.
     */
    @Test
    void journalCoversEveryWrittenChunkUnderRacingFlushes() throws Exception {
        int chunk = 4096; // 4 MiB regions, 16 of them
        long size = 64L << 20;
        for (int round = 0; round < 5; round++) {
            String id = "race" + round;
            LocalReplica r = LocalReplica.create(dir, id, "v", size, chunk);
            r.closeIntervalNanos(0);
            AtomicBoolean stop = new AtomicBoolean();
            Map<Long, Long> written = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                long seed = round * 10L + w;
                threads.add(new Thread(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 400; i++) {
                        long c = rnd.nextInt((int) (size / chunk));
                        try {
                            r.write(c * chunk, random(64, seed * 1000 + i), false);
                            written.put(c, seed * 1000 + i);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                }));
            }
            threads.add(new Thread(() -> {
                while (!stop.get()) {
                    try {
                        r.flush();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            }));
            threads.forEach(Thread::start);
            for (int i = 0; i < 3; i++) {
                threads.get(i).join();
            }
            stop.set(true);
            threads.get(3).join();
            // Then writes no flush covers, into regions the flushes may have closed meanwhile.
            Random rnd = new Random(round);
            for (int i = 0; i < 200; i++) {
                long c = rnd.nextInt((int) (size / chunk));
                r.write(c * chunk, random(64, -i - 1), false);
                written.put(c, -i - 1L);
            }
            r.abandon(); // crash: whatever metadata the last flush persisted is what the open sees
            try (LocalReplica again = LocalReplica.open(dir, id)) {
                for (long c : written.keySet()) {
                    assertThat(again.nextAllocated(c * chunk)).as("round %d chunk %d", round, c).isEqualTo(c * chunk);
                }
                assertThat(again.recoveryScannedRegions()).isLessThanOrEqualTo(16);
            }
        }
    }
}
