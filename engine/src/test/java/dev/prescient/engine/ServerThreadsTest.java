package dev.prescient.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServerThreadsTest {

    @Test
    void callerRunsBeyondItsThreadsAndRefusesOnceShutDown() throws Exception {
        ThreadPoolExecutor pool = ServerThreads.callerRunsBeyond("fanout-v1", 1);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> first = new AtomicReference<>();
        pool.execute(() -> {
            first.set(Thread.currentThread().getName());
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(first.get()).isEqualTo("fanout-v1-1");

        // The one thread is busy: the next task runs here, at once, rather than queueing or failing.
        AtomicReference<Thread> second = new AtomicReference<>();
        pool.execute(() -> second.set(Thread.currentThread()));
        assertThat(second.get()).isSameAs(Thread.currentThread());
        assertThat(pool.getPoolSize()).isEqualTo(1);

        release.countDown();
        pool.shutdown();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("fanout-v1 is shut down");
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
}
