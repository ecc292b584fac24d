package dev.prescient.engine.replication;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightWritesTest {
    static final int K = 1024;

    @Test
    void onlyLargeWritesUpToOnePieceRunBesideOthers() {
        assertThat(InFlightWrites.pipelines(Frame.WRITE, 64 * K)).isTrue();
        assertThat(InFlightWrites.pipelines(Frame.WRITE, 1024 * K)).isTrue();
        assertThat(InFlightWrites.pipelines(Frame.WRITE, 64 * K - 1)).isFalse();
        assertThat(InFlightWrites.pipelines(Frame.WRITE, 1024 * K + 1)).isFalse();
        for (byte other : new byte[] {Frame.FLUSH, Frame.READ, Frame.CHUNK, Frame.OFFER, Frame.UNMAP,
                Frame.WRITE_ZEROES, Frame.HELLO}) {
            assertThat(InFlightWrites.pipelines(other, 256 * K)).as(Frame.typeName(other)).isFalse();
        }
    }

    @Test
    void disjointWritesRunTogetherAnOverlappingOneWaitsForTheEarlierOne() throws Exception {
        InFlightWrites w = new InFlightWrites(4);
        int a = w.begin(0, 100);
        int b = w.begin(100, 100); // touches a's end, does not overlap
        assertThat(w.running()).isEqualTo(2);
        CompletableFuture<Integer> c = CompletableFuture.supplyAsync(() -> begin(w, 150, 10));
        assertThatThrownBy(() -> c.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        w.end(a);
        assertThatThrownBy(() -> c.get(200, TimeUnit.MILLISECONDS)).as("still overlaps b").isInstanceOf(TimeoutException.class);
        w.end(b);
        assertThat(c.get(5, TimeUnit.SECONDS)).isBetween(0, 3);
        assertThat(w.running()).isEqualTo(1);
    }

    @Test
    void noMoreThanTheSlotsRunAndIdleWaitsForAll() throws Exception {
        InFlightWrites w = new InFlightWrites(2);
        int a = w.begin(0, 10);
        int b = w.begin(10, 10);
        assertThat(a).isNotEqualTo(b);
        CompletableFuture<Integer> third = CompletableFuture.supplyAsync(() -> begin(w, 1000, 10));
        CompletableFuture<Void> idle = CompletableFuture.runAsync(() -> {
            try {
                w.awaitIdle();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> third.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        w.end(b);
        int c = third.get(5, TimeUnit.SECONDS);
        assertThat(c).isEqualTo(b); // the freed slot is reused
        w.end(a);
        assertThatThrownBy(() -> idle.get(200, TimeUnit.MILLISECONDS)).as("c still runs").isInstanceOf(TimeoutException.class);
        w.end(c);
        idle.get(5, TimeUnit.SECONDS);
        assertThat(w.running()).isZero();
    }

    @Test
    void endingASlotThatDoesNotRunIsABug() {
        InFlightWrites w = new InFlightWrites(1);
        assertThatThrownBy(() -> w.end(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new InFlightWrites(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int begin(InFlightWrites w, long off, long len) {
        try {
            return w.begin(off, len);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
