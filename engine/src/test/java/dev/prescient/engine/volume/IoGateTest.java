package dev.prescient.engine.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IoGateTest {
    @Test
    void pauseWaitsForAdmittedIoAndHoldsNewIoUntilResume() throws Exception {
        IoGate gate = new IoGate();
        gate.enter(); // in flight when the pause starts
        CountDownLatch paused = new CountDownLatch(1);
        Thread pauser = new Thread(() -> {
            try {
                gate.pause(10, TimeUnit.SECONDS);
                paused.countDown();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        pauser.start();
        assertThat(paused.await(100, TimeUnit.MILLISECONDS)).isFalse(); // still draining
        gate.exit();
        assertThat(paused.await(10, TimeUnit.SECONDS)).isTrue();
        pauser.join();

        AtomicInteger admitted = new AtomicInteger();
        Thread[] io = new Thread[4];
        for (int i = 0; i < io.length; i++) {
            io[i] = new Thread(() -> {
                gate.enter();
                admitted.incrementAndGet();
                gate.exit();
            });
            io[i].start();
        }
        Thread.sleep(100);
        assertThat(admitted.get()).isZero(); // held while paused
        gate.resume();
        for (Thread t : io) {
            t.join(10_000);
        }
        assertThat(admitted.get()).isEqualTo(4);
        assertThat(gate.isPaused()).isFalse();
    }

    @Test
    void drainTimeoutReopensTheGate() throws Exception {
        IoGate gate = new IoGate();
        gate.enter();
        assertThatThrownBy(() -> gate.pause(20, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(gate.isPaused()).isFalse();
        gate.exit();
        gate.pause(1, TimeUnit.SECONDS); // a new pause is possible
        assertThatThrownBy(() -> gate.pause(1, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
        gate.resume();
    }

    @Test
    void catchUpRoundsGoOnBelowTheThresholdWhileTheyConverge() {
        // above the threshold: while rounds remain
        assertThat(DeltaSync.anotherRound(1000, Long.MAX_VALUE, 0, 8, 256)).isTrue();
        assertThat(DeltaSync.anotherRound(1000, 2000, 8, 8, 256)).isFalse();
        // at or below: only while each round at least halves what is left, a few extra rounds at most
        assertThat(DeltaSync.anotherRound(100, 3000, 2, 8, 256)).isTrue();
        assertThat(DeltaSync.anotherRound(100, 150, 2, 8, 256)).isFalse();
        assertThat(DeltaSync.anotherRound(1, 100, 8 + DeltaSync.EXTRA_ROUNDS, 8, 256)).isFalse();
        assertThat(DeltaSync.anotherRound(0, 100, 0, 8, 256)).isFalse();
        assertThat(DeltaSync.anotherRound(5, Long.MAX_VALUE, 0, 0, 0)).isFalse(); // no rounds wanted
    }
}
