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

        long pause = set.switchTo("b", Set.of("a"), TimeUnit.SECONDS.toNanos(1));
        assertThat(pause).isPositive();
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
    void switchRefusesAReplicaNotInSyncAndGivesUpWhenIoDoesNotDrainInTime() throws Exception {
        set = new ReplicaSet("vol", SIZE, BS);
        set.addInSync("a", replica("a"), true);
        set.write(0, fill(1), false);
        set.addNew("b", replica("b"), false, true, 0);
        assertThatThrownBy(() -> set.switchTo("b", Set.of("a"), TimeUnit.SECONDS.toNanos(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("catch it up first");
        new DeltaSync(set).catchUp("b", 3, 0);

        set.gate().enter(); // an I/O that does not finish within the bound
        try {
            assertThatThrownBy(() -> set.switchTo("b", Set.of("a"), TimeUnit.MILLISECONDS.toNanos(20)))
                    .isInstanceOf(ReplicaSet.PauseExceededException.class);
        } finally {
            set.gate().exit();
        }
        assertThat(set.members()).extracting(Member::id).containsExactly("a", "b");
        assertThat(set.gate().isPaused()).isFalse();
        set.write(0, fill(3), false); // I/O flows again
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
