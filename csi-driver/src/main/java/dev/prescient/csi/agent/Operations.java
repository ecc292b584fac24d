package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.csi.CsiException;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Long operations by operation id: started once (a repeated id returns the same operation),
 * observable while running, cancellable (the worker is interrupted and must stop), and their
 * final state kept for later GetOperation calls.
 *
 * <p>At most {@code maxRunning} workers run at once (threads {@code node-agent-op-N}); an operation
 * started beyond that is accepted and reported RUNNING with no progress, and waits in start order
 * for a worker. Queueing, not refusing: the callers (the operator's moves, resyncs, scrubs) treat a
 * started operation as accepted and have no retry for a refusal, while a wave of evacuations must
 * not start a thread (and a copy) per volume at once. A queued operation that is cancelled never runs.
 */
public final class Operations {
    /** Enough for the moves of a node evacuation to overlap without one copy thread per volume. */
    public static final int DEFAULT_MAX_RUNNING = 8;

    private final Map<String, Operation> state = new ConcurrentHashMap<>();
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
    /** Operations whose worker began; a cancel interrupts only those (a queued one ends when it is reached). */
    private final Set<String> begun = ConcurrentHashMap.newKeySet();
    private final ExecutorService pool;

    public Operations() {
        this(DEFAULT_MAX_RUNNING);
    }

    public Operations(int maxRunning) {
        if (maxRunning < 1) {
            throw new IllegalArgumentException("maxRunning must be at least 1: " + maxRunning);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor e = new ThreadPoolExecutor(maxRunning, maxRunning, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "node-agent-op-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        e.allowCoreThreadTimeOut(true);
        pool = e;
    }

    /** Progress reporting handed to a worker. */
    public interface Progress {
        void update(long done, long total);

        /** Sets other fields of the running operation (bytes sent, pause, mismatches); not its phase. */
        void report(Consumer<Operation.Builder> fields);

        boolean cancelled();
    }

    /** A worker: does the job, reporting progress; throws to fail with a reason. */
    public interface Work {
        void run(Progress progress) throws Exception;
    }

    public synchronized Operation start(String id, String kind, Work work) {
        if (id.isEmpty()) {
            throw CsiException.invalid("operation_id is required");
        }
        Operation existing = state.get(id);
        if (existing != null) {
            if (!existing.getKind().equals(kind)) {
                throw new CsiException(Status.Code.ALREADY_EXISTS, "OperationIdReused",
                        "operation " + id + " is a " + existing.getKind());
            }
            return existing;
        }
        Operation op = Operation.newBuilder().setOperationId(id).setKind(kind)
                .setPhase(OperationPhase.OPERATION_PHASE_RUNNING).setStartedUnixMillis(System.currentTimeMillis()).build();
        state.put(id, op);
        // Registered before it can run, so that its own removal when done is never overtaken.
        FutureTask<Void> task = new FutureTask<>(() -> {
            Progress p = new Progress() {
                @Override
                public void update(long done, long total) {
                    edit(id, b -> b.setBytesDone(done).setBytesTotal(total));
                }

                @Override
                public void report(Consumer<Operation.Builder> fields) {
                    edit(id, b -> {
                        OperationPhase phase = b.getPhase();
                        fields.accept(b);
                        b.setPhase(phase);
                    });
                }

                @Override
                public boolean cancelled() {
                    return Thread.currentThread().isInterrupted()
                            || state.get(id).getPhase() == OperationPhase.OPERATION_PHASE_CANCELLED;
                }
            };
            begun.add(id); // before the phase check: a cancel either sees this or its phase is seen here
            if (state.get(id).getPhase() == OperationPhase.OPERATION_PHASE_CANCELLED) {
                finish(id, OperationPhase.OPERATION_PHASE_CANCELLED, null, null);
                running.remove(id);
                begun.remove(id);
                return;
            }
            try {
                work.run(p);
                finish(id, OperationPhase.OPERATION_PHASE_SUCCEEDED, null, null);
            } catch (Exception e) {
                String reason = e instanceof CsiException c ? c.reason() : e.getClass().getSimpleName();
                finish(id, OperationPhase.OPERATION_PHASE_FAILED, reason, String.valueOf(e.getMessage()));
            } finally {
                running.remove(id);
                begun.remove(id);
            }
        }, null);
        running.put(id, task);
        pool.execute(task);
        return op;
    }

    /**
     * Ends an operation in one edit, so that nobody ever sees a terminal phase without its finish
     * time. A phase already set (a cancel) is kept.
     */
    private void finish(String id, OperationPhase phase, String reason, String message) {
        edit(id, b -> {
            if (b.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING) {
                b.setPhase(phase);
                if (reason != null) {
                    b.setReason(reason).setMessage(message);
                }
            }
            b.setFinishedUnixMillis(System.currentTimeMillis());
        });
    }

    private synchronized void edit(String id, Consumer<Operation.Builder> f) {
        Operation.Builder b = state.get(id).toBuilder();
        f.accept(b);
        state.put(id, b.build());
        notifyAll();
    }

    public Operation get(String id) {
        Operation op = state.get(id);
        if (op == null) {
            throw CsiException.notFound("operation " + id + " not found");
        }
        return op;
    }

    public Operation cancel(String id) {
        Operation op = get(id);
        if (op.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING) {
            edit(id, b -> b.setPhase(OperationPhase.OPERATION_PHASE_CANCELLED).setReason("Cancelled"));
            Future<?> f = running.get(id);
            if (f != null && begun.contains(id)) {
                f.cancel(true);
            }
        }
        return get(id);
    }

    /** Waits until the operation differs from {@code seen} or is done; returns the current state. */
    public synchronized Operation awaitChange(String id, Operation seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (get(id).equals(seen) && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return get(id);
    }

    public static boolean done(Operation op) {
        return op.getPhase() != OperationPhase.OPERATION_PHASE_RUNNING;
    }

    public void shutdown() {
        pool.shutdownNow();
    }
}
