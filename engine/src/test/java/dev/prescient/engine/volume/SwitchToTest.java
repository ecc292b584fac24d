package dev.prescient.engine.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.engine.store.LocalReplica;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ReplicaSet.switchTo and the DeltaSync pacer (the engine side of SWITCH and a cancelled CATCHUP). */
@Timeout(60)
class SwitchToTest {
    static final long SIZE = 4 << 20;
    static final int BS = 4096;
    @TempDir
    Path dir;
    ReplicaSet set;

    @AfterEach
    void close() throws Exception {
        set.close();
    }

    LocalReplica replica(String id) throws Exception {
        return LocalReplica.create(dir, id, "vol", SIZE, 65536);
    }

    static ByteBuffer fill(int v) {
        ByteBuffer b = ByteBuffer.allocate(BS);
        while (b.hasRemaining()) {
            b.put((byte) v);
        }
        return b.flip();
    }

    @Test
    void switchMakesTheNewReplicaTheReadSourceAndDropsTheOld() throws Exception {
        set = new ReplicaSet("vol", SIZE, BS);
        LocalReplica a = replica("a");
        LocalReplica b = replica("b");
        set.addInSync("a", a, true);
        set.write(0, fill(1), false);
        set.addNew("b", b, false, true, 0);
        new DeltaSync(set).catchUp("b", 3, 0);
        assertThat(set.members().get(0).id()).as("local first").isEqualTo("a");

        long drain = set.switchTo("b", Set.of("a"), TimeUnit.SECONDS.toNanos(1));
        assertThat(drain).isLessThan(TimeUnit.SECONDS.toNanos(1)); // nothing was in flight
        assertThat(set.members()).extracting(Member::id).containsExactly("b");
        set.write(BS, fill(2), false);
        ByteBuffer got = ByteBuffer.allocate(BS);
        b.read(BS, got);
        assertThat(got.flip()).isEqualTo(fill(2));
        got.clear();
        a.read(BS, got);
        assertThat(got.flip()).as("the dropped replica gets no more writes").isEqualTo(ByteBuffer.allocate(BS));
    }

    @Test
    void switchRefusesAReplicaNotInSyncAndNeverHoldsIoBehindARequestInFlight() throws Exception {
        set = new ReplicaSet("vol", SIZE, BS);
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FaultyTarget a = new FaultyTarget(replica("a")) {
            @Override
            public void read(long offset, ByteBuffer dst) throws IOException {
                if (offset == 7L * BS) { // the one slow read
                    reading.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                super.read(offset, dst);
            }
        };
        set.addInSync("a", a, true);
        set.write(7L * BS, fill(7), false);
        set.addNew("b", replica("b"), false, true, 0);
        assertThatThrownBy(() -> set.switchTo("b", Set.of("a"), TimeUnit.SECONDS.toNanos(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("catch it up first");
        new DeltaSync(set).catchUp("b", 3, 0);

        // A read that started with the old list and is stuck on "a" (the replica being dropped).
        java.util.concurrent.CompletableFuture<ByteBuffer> slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            ByteBuffer got = ByteBuffer.allocate(BS);
            try {
                set.read(7L * BS, got);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return got.flip();
        });
        reading.await();
        long t0 = System.nanoTime();
        long drain = set.switchTo("b", Set.of("a"), TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(System.nanoTime() - t0).as("gave up waiting after the bound").isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(drain).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(set.members()).extracting(Member::id).containsExactly("b");
        assertThat(set.gate().isPaused()).isFalse();
        // I/O flows on the new list while the old request is still stuck
        set.write(0, fill(3), false);
        ByteBuffer got = ByteBuffer.allocate(BS);
        set.read(0, got);
        assertThat(got.flip()).isEqualTo(fill(3));
        assertThat(slow).isNotDone();
        release.countDown(); // "a" was not closed by the switch: the old read completes with its data
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(fill(7));
    }

    @Test
    void aPacerThatThrowsStopsTheCatchUpAndKeepsEveryDirtyBlock() throws Exception {
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", replica("a"), true);
        for (int i = 0; i < SIZE / BS; i++) {
            set.write((long) i * BS, fill(i + 1), false);
        }
        set.addNew("b", replica("b"), false, true, 0);
        long dirty = set.member("b").dirtyBlocks();
        assertThat(dirty).isEqualTo(SIZE / BS);
        long[] seen = {0};
        DeltaSync.Pacer cancelAfterOneRun = (blocks, sent) -> {
            seen[0] += blocks;
            throw new IOException("cancelled");
        };
        assertThatThrownBy(() -> new DeltaSync(set, cancelAfterOneRun).catchUp("b", 5, 0))
                .hasMessage("cancelled");
        assertThat(seen[0]).isPositive().isLessThan(dirty);
        assertThat(set.member("b").dirtyBlocks()).isEqualTo(dirty);
        assertThat(set.member("b").mode()).isEqualTo(ReplicaMode.WO);
        DeltaSync.Result r = new DeltaSync(set).catchUp("b", 5, 0);
        assertThat(r.blocksCopied()).isEqualTo(dirty);
        assertThat(set.member("b").mode()).isEqualTo(ReplicaMode.RW);
    }
}
