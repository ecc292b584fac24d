package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DeviceReadTest {

    @Test
    void hungReadsHoldAtMostThePoolAndLaterChecksAnswerAtOnce() throws Exception {
        DeviceRead.Readers readers = DeviceRead.readers(2);
        CountDownLatch never = new CountDownLatch(1);
        // A read stuck in the kernel ignores interrupts: model it as one that waits for the latch regardless.
        java.util.concurrent.Callable<Integer> hung = () -> {
            while (true) {
                try {
                    never.await();
                    return 1;
                } catch (InterruptedException ignored) {
                    // as an uninterruptible read(2)
                }
            }
        };
        try {
            assertThat(DeviceRead.check(readers, "/dev/nbd1", 50, hung)).hasValueSatisfying(
                    m -> assertThat(m).contains("did not complete within 50 ms"));
            assertThat(DeviceRead.check(readers, "/dev/nbd2", 50, hung)).isPresent();
            long t0 = System.nanoTime();
            assertThat(DeviceRead.check(readers, "/dev/nbd3", 5000, () -> 4096)).hasValueSatisfying(
                    m -> assertThat(m).isEqualTo("reading /dev/nbd3 not tried: earlier device reads are still stuck"));
            assertThat((System.nanoTime() - t0) / 1_000_000).as("answered without waiting").isLessThan(1000);
        } finally {
            never.countDown();
        }
        // Once the stuck reads return, checks run again.
        long deadline = System.currentTimeMillis() + 5000;
        java.util.Optional<String> r;
        do {
            r = DeviceRead.check(readers, "/dev/nbd3", 5000, () -> 4096);
        } while (r.isPresent() && System.currentTimeMillis() < deadline);
        assertThat(r).isEmpty();
        assertThat(DeviceRead.check(readers, "/dev/nbd4", 5000, () -> 0)).hasValue("reading /dev/nbd4 returned no data");
        readers.shutdownNow();
    }

    @Test
    void backToBackChecksAreNeverRefusedWhileNoReadIsStuck() {
        // A check that ran to its end gives its reader back before it answers: the next one, at once, must run.
        DeviceRead.Readers readers = DeviceRead.readers(1);
        try {
            for (int i = 0; i < 2000; i++) {
                assertThat(DeviceRead.check(readers, "/dev/nbd" + i, 5000, () -> 4096)).as("check %d", i).isEmpty();
            }
        } finally {
            readers.shutdownNow();
        }
    }
}
