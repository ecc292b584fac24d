package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OperationsTest {
    static Operation waitDone(Operations ops, String id) throws InterruptedException {
        Operation op = ops.get(id);
        while (!Operations.done(op)) {
            op = ops.awaitChange(id, op, 1000);
        }
        return op;
    }

    @Test
    void sameIdRunsOnceAndReportsProgress() throws Exception {
        Operations ops = new Operations();
        AtomicInteger runs = new AtomicInteger();
        Operations.Work w = p -> {
            runs.incrementAndGet();
            p.update(50, 100);
            p.update(100, 100);
        };
        ops.start("op1", "Copy", w);
        ops.start("op1", "Copy", w);
        Operation done = waitDone(ops, "op1");
        assertThat(done.getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThat(done.getBytesDone()).isEqualTo(100);
        assertThat(ops.start("op1", "Copy", w)).isEqualTo(done);
        assertThat(runs).hasValue(1);
        ops.shutdown();
    }

    @Test
    void failureCarriesReasonAndCancelStopsTheWorker() throws Exception {
        Operations ops = new Operations();
        ops.start("bad", "Copy", p -> {
            throw new java.io.IOException("disk gone");
        });
        Operation failed = waitDone(ops, "bad");
        assertThat(failed.getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_FAILED);
        assertThat(failed.getReason()).isEqualTo("IOException");
        assertThat(failed.getMessage()).isEqualTo("disk gone");

        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        ops.start("long", "Copy", p -> {
            started.countDown();
            try {
                while (!p.cancelled()) {
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                // cancellation interrupts the worker
            } finally {
                stopped.countDown();
            }
        });
        started.await();
        assertThat(ops.cancel("long").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_CANCELLED);
        assertThat(stopped.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(waitDone(ops, "long").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_CANCELLED);
        ops.shutdown();
    }

    @Test
    void beyondTheLimitOperationsQueueInOrderAndAQueuedCancelNeverRuns() throws Exception {
        Operations ops = new Operations(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstRuns = new CountDownLatch(1);
        java.util.List<String> ran = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        ops.start("first", "Copy", p -> {
            ran.add("first");
            firstRuns.countDown();
            release.await();
        });
        ops.start("second", "Copy", p -> ran.add("second"));
        ops.start("dropped", "Copy", p -> ran.add("dropped"));
        assertThat(firstRuns.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // Accepted and reported running, but waiting for the one worker.
        assertThat(ops.get("second").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_RUNNING);
        assertThat(ops.cancel("dropped").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_CANCELLED);
        assertThat(ran).containsExactly("first");

        release.countDown();
        assertThat(waitDone(ops, "second").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        Operation dropped = waitDone(ops, "dropped");
        assertThat(dropped.getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_CANCELLED);
        // The queued, cancelled one ends with its finish time once its turn comes, without running.
        long deadline = System.currentTimeMillis() + 5000;
        while (ops.get("dropped").getFinishedUnixMillis() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(ops.get("dropped").getFinishedUnixMillis()).isPositive();
        assertThat(ran).containsExactly("first", "second");
        ops.shutdown();
    }
}
