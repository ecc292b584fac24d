package dev.prescient.engine.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.store.LocalReplica;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ReplicaSetTest {
    static final long SIZE = 16 << 20;
    static final int BS = 4096;
    @TempDir
    Path dir;
    ReplicaSet set;

    LocalReplica replica(String id) throws Exception {
        return LocalReplica.create(dir, id, "vol", SIZE, 65536);
    }

    static ByteBuffer block(long seed) {
        byte[] b = new byte[BS];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    static ByteBuffer read(BlockTarget t, long off, int len) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(len);
        t.read(off, b);
        return b.flip();
    }

    static void assertSame(BlockTarget a, BlockTarget b) throws Exception {
        for (long off = 0; off < SIZE; off += 1 << 20) {
            assertThat(read(a, off, 1 << 20)).as("at " + off).isEqualTo(read(b, off, 1 << 20));
        }
    }

    @AfterEach
    void close() throws Exception {
        if (set != null) {
            set.close();
        }
    }

    @Test
    void writesFanOutAndReadsPreferLocal() throws Exception {
        LocalReplica a = replica("a");
        FaultyTarget remote = new FaultyTarget(replica("b"));
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("b", remote, false);
        set.addInSync("a", a, true);
        assertThat(set.members().get(0).id()).isEqualTo("a");
        set.write(8192, block(1), true);
        assertThat(read(a, 8192, BS)).isEqualTo(block(1));
        assertThat(read(remote, 8192, BS)).isEqualTo(block(1));
        remote.failReads = true; // reads must not touch the remote one while a local is healthy
        assertThat(read(set, 8192, BS)).isEqualTo(block(1));
        assertThat(set.member("b").mode()).isEqualTo(ReplicaMode.RW);
    }

    @Test
    void aChosenReadSourceServesReadsOnlyWhileInSyncAndKeepsEveryMember() throws Exception {
        FaultyTarget a = new FaultyTarget(replica("a"));
        FaultyTarget b = new FaultyTarget(replica("b"));
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        set.addInSync("b", b, false);
        set.write(0, block(1), false);
        set.readFrom("b");
        assertThat(set.readSourceId()).isEqualTo("b");
        assertThat(set.members()).hasSize(2);
        a.failReads = true; // reads must come from b now
        assertThat(read(set, 0, BS)).isEqualTo(block(1));
        assertThat(set.member("a").mode()).isEqualTo(ReplicaMode.RW);
        a.failReads = false;
        set.write(BS, block(2), false);
        assertThat(read(a, BS, BS)).as("writes still reach a").isEqualTo(block(2));
        // b misses a write: it goes ERR, the write is acknowledged by a, and reads fall back to a: never stale.
        b.failWrites = true;
        set.write(0, block(3), false);
        assertThat(set.member("b").mode()).isEqualTo(ReplicaMode.ERR);
        assertThat(set.readSourceId()).isEqualTo("a");
        assertThat(read(set, 0, BS)).isEqualTo(block(3));
        assertThat(set.preferredReads()).as("the choice is kept for when b is back").isEqualTo("b");
        assertThatThrownBy(() -> set.readFrom("b")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> set.readFrom("x")).isInstanceOf(IllegalArgumentException.class);
        b.failWrites = false;
        new DeltaSync(set).catchUp("b", 5, 0);
        assertThat(set.readSourceId()).as("in sync again: b serves").isEqualTo("b");
        a.failReads = true;
        assertThat(read(set, 0, BS)).isEqualTo(block(3));
        // Removing the chosen member forgets the choice.
        a.failReads = false;
        set.remove("b");
        assertThat(set.preferredReads()).isNull();
        assertThat(set.readSourceId()).isEqualTo("a");
    }

    @Test
    void failedReplicaGoesErrAndCatchesUpByDelta() throws Exception {
        LocalReplica a = replica("a");
        FaultyTarget b = new FaultyTarget(replica("b"));
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        set.addInSync("b", b, false);
        set.write(0, block(1), false);
        b.failWrites = true;
        set.write(BS * 10L, block(2), false); // b fails, the write is still acknowledged (a has it)
        assertThat(set.member("b").mode()).isEqualTo(ReplicaMode.ERR);
        set.write(BS * 20L, block(3), false);
        set.unmap(0, BS);
        assertThat(set.member("b").dirtyBlocks()).isEqualTo(3);
        b.failWrites = false;
        DeltaSync.Result r = new DeltaSync(set).catchUp("b", 5, 0);
        assertThat(set.member("b").mode()).isEqualTo(ReplicaMode.RW);
        assertThat(r.blocksCopied()).isEqualTo(3);
        assertThat(r.bytesSent()).isEqualTo(2L * BS); // the unmapped block went as a zero range
        assertSame(a, b);
    }

    @Test
    void withNoHealthyReplicaIoFailsInsteadOfServingStaleData() throws Exception {
        FaultyTarget a = new FaultyTarget(replica("a"));
        FaultyTarget b = new FaultyTarget(replica("b"));
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        set.addInSync("b", b, false);
        a.failWrites = true;
        b.failWrites = true;
        assertThatThrownBy(() -> set.write(0, block(1), false)).isInstanceOf(ReplicaSet.NoHealthyReplicaException.class);
        assertThatThrownBy(() -> read(set, 0, BS)).isInstanceOf(ReplicaSet.NoHealthyReplicaException.class);
    }

    @Test
    void readFailureFallsBackToAnotherReplica() throws Exception {
        FaultyTarget a = new FaultyTarget(replica("a"));
        LocalReplica b = replica("b");
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        set.addInSync("b", b, false);
        set.write(0, block(4), false);
        a.failReads = true;
        assertThat(read(set, 0, BS)).isEqualTo(block(4));
        assertThat(set.member("a").mode()).isEqualTo(ReplicaMode.ERR);
    }

    @Test
    void fullTierIsEnospcAndKeepsTheReplica() throws Exception {
        FaultyTarget a = new FaultyTarget(replica("a"));
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        set.write(0, block(5), false);
        a.noSpace = true;
        assertThatThrownBy(() -> set.write(BS, block(6), false)).isInstanceOf(NoSpaceException.class);
        assertThat(set.member("a").mode()).isEqualTo(ReplicaMode.RW);
        a.noSpace = false;
        assertThat(read(set, 0, BS)).isEqualTo(block(5));
    }

    @Test
    void newReplicaCopiesOnlyAllocatedData() throws Exception {
        long big = 1L << 30;
        LocalReplica a = LocalReplica.create(dir, "a", "vol", big, 65536);
        LocalReplica b = LocalReplica.create(dir, "b", "vol", big, 65536);
        set = new ReplicaSet("vol", big, BS);
        set.addInSync("a", a, true);
        set.write(0, block(7), false);
        set.write(big - BS, block(8), false);
        set.addNew("b", b, true, true, 0);
        DeltaSync.Result r = new DeltaSync(set).catchUp("b", 3, 0);
        // two 64 KiB allocation chunks are dirty; only the two written blocks are data
        assertThat(r.bytesSent()).isEqualTo(2L * BS);
        assertThat(read(b, big - BS, BS)).isEqualTo(block(8));
        assertThat(b.allocatedBytes()).isLessThanOrEqualTo(2 * 65536);
    }

    @Test
    void asyncReplicaReceivesWritesInOrder() throws Exception {
        LocalReplica a = replica("a");
        LocalReplica c = replica("c");
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        Member m = set.addNew("c", c, false, false, 1 << 20);
        new DeltaSync(set).catchUp("c", 1, 0);
        assertThat(m.mode()).isEqualTo(ReplicaMode.RW);
        for (int i = 0; i < 200; i++) {
            set.write((i % 7) * (long) BS, block(100 + i), false);
        }
        set.drainAsync();
        assertThat(m.lagBytes()).isZero();
        assertSame(a, c);
    }

    @Test
    void switchoverUnderConcurrentWritesLosesNothing() throws Exception {
        LocalReplica a = replica("a");
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        ConcurrentHashMap<Long, Long> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        Thread[] writers = new Thread[3];
        for (int t = 0; t < writers.length; t++) {
            int tid = t;
            writers[t] = new Thread(() -> {
                Random rnd = new Random(tid);
                long seq = tid * 1_000_000_000L;
                while (!stop.get()) {
                    // each writer owns its own blocks, so the model is exact
                    long blk = rnd.nextInt((int) (SIZE / BS / 3)) * 3L + tid;
                    long seed = ++seq;
                    try {
                        set.write(blk * BS, block(seed), false);
                        acked.put(blk, seed);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            writers[t].start();
        }
        String current = "a";
        for (int i = 0; i < 5; i++) {
            Thread.sleep(30);
            String next = "s" + i;
            Switchover.Report rep = new Switchover(set).run(List.of(new Switchover.Target(next, replica(next), true)),
                    Set.of(current), 5, 64);
            assertThat(rep.rounds()).isPositive();
            current = next;
        }
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(errors.get()).isZero();
        assertThat(set.members()).extracting(Member::id).containsExactly(current);
        for (var e : acked.entrySet()) {
            assertThat(read(set.member(current).target(), e.getKey() * BS, BS)).isEqualTo(block(e.getValue()));
        }
    }

    @Test
    void aSwitchoverThatConvergesNeverPausesIo() throws Exception {
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", replica("a"), true);
        for (int i = 0; i < 64; i++) {
            set.write((long) i * BS, block(i + 1), false);
        }
        // Every I/O entering the gate from now on finds it open: a pause would show as isPaused.
        AtomicBoolean sawPause = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!stop.get()) {
                sawPause.compareAndSet(false, set.gate().isPaused());
            }
        });
        watcher.start();
        Switchover.Report rep;
        try {
            rep = new Switchover(set).run(List.of(new Switchover.Target("b", replica("b"), true)), Set.of("a"), 5, 64);
        } finally {
            stop.set(true);
            watcher.join();
        }
        assertThat(rep.pauseNanos()).isZero();
        assertThat(rep.finalBlocks()).isZero();
        assertThat(sawPause).isFalse();
        assertThat(set.members()).extracting(Member::id).containsExactly("b");
        assertThat(set.member("b").mode()).isEqualTo(ReplicaMode.RW);
        for (int i = 0; i < 64; i++) {
            assertThat(read(set.member("b").target(), (long) i * BS, BS)).isEqualTo(block(i + 1));
        }
    }

    @Test
    void aWriteTheNewReplicaFailsKeepsTheOldSet() throws Exception {
        set = new ReplicaSet("vol", SIZE, BS);
        LocalReplica a = replica("a");
        set.addInSync("a", a, true);
        set.write(0, block(1), false);
        FaultyTarget b = new FaultyTarget(replica("b"));
        b.failWrites = true; // the copy rounds and the client's writes both fail on it
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                try {
                    set.write(BS, block(100 + i), false);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        writer.start();
        assertThatThrownBy(() -> new Switchover(set).run(List.of(new Switchover.Target("b", b, false)),
                Set.of("a"), 3, 8)).isInstanceOf(IOException.class);
        writer.join();
        assertThat(set.members()).extracting(Member::id).containsExactly("a");
        assertThat(read(set, BS, BS)).isEqualTo(block(299));
    }

    @Test
    void aWriteThatSkippedAnErrReplicaIsCopiedByItsCatchUp() throws Exception {
        // A write dispatched while a replica is ERR skips it; if its catch-up turns it WO before the
        // write ends, the write must still leave the block dirty (it never reached the replica).
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", replica("a"), true);
        LocalReplica b = replica("b");
        set.addNew("b", b, false, true, 0);
        new DeltaSync(set).catchUp("b", 3, 0);
        set.fail("b", "test");
        java.util.concurrent.CountDownLatch inWrite = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // hold the write on "a" (the inline replica) until b has gone WO
        set.remove("a");
        FaultyTarget gatedA = new FaultyTarget(replica("a2")) {
            @Override
            public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
                inWrite.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                super.write(offset, src, fua);
            }
        };
        set.addInSync("a2", gatedA, true);
        Thread w = new Thread(() -> {
            try {
                set.write(5 * BS, block(55), false);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        w.start();
        inWrite.await();
        set.member("b").mode = ReplicaMode.WO; // what catchUp does first
        release.countDown();
        w.join();
        assertThat(set.member("b").dirtyBlocks()).isEqualTo(1);
    }

    @Test
    void switchoverFailureRollsBack() throws Exception {
        LocalReplica a = replica("a");
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        set.write(0, block(9), false);
        FaultyTarget bad = new FaultyTarget(replica("b"));
        bad.corruptReads = true; // the copy lands, but verification reads back something else
        assertThatThrownBy(() -> new Switchover(set).run(List.of(new Switchover.Target("b", bad, false)),
                Set.of("a"), 0, 0)).isInstanceOf(DeltaSync.VerifyFailedException.class);
        assertThat(set.members()).extracting(Member::id).containsExactly("a");
        assertThat(set.gate().isPaused()).isFalse();
        set.write(BS, block(10), false);
        assertThat(read(set, 0, 2 * BS)).isEqualTo(ByteBuffer.allocate(2 * BS).put(block(9)).put(block(10)).flip());
    }

    @Test
    void snapshotIsPointInTimeAndSeedsANewVolume() throws Exception {
        LocalReplica a = replica("a");
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", a, true);
        set.write(0, block(11), false);
        set.write(1 << 20, block(12), false);
        try (CowSnapshot snap = CowSnapshot.take(set, "s1", dir, 65536)) {
            set.write(0, block(13), false);
            set.unmap(1 << 20, BS);
            assertThat(read(snap, 0, BS)).isEqualTo(block(11));
            assertThat(read(snap, 1 << 20, BS)).isEqualTo(block(12));
            assertThat(read(set, 0, BS)).isEqualTo(block(13));
            assertThat(snap.savedBytes()).isEqualTo(2 * 65536);
            // a new volume from the snapshot: its replica is caught up from the snapshot as source
            ReplicaSet fromSnap = new ReplicaSet("vol2", SIZE, BS);
            fromSnap.addInSync("snap", snap, true);
            LocalReplica n = LocalReplica.create(dir, "n", "vol2", SIZE, 65536);
            fromSnap.addNew("n", n, true, true, 0);
            new DeltaSync(fromSnap).catchUp("n", 2, 0);
            assertThat(read(n, 0, BS)).isEqualTo(block(11));
            assertThat(read(n, 1 << 20, BS)).isEqualTo(block(12));
            assertThatThrownBy(() -> snap.write(0, block(1), false)).isInstanceOf(CowSnapshot.ReadOnlyException.class);
            fromSnap.close();
        }
    }
}
