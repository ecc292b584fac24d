package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.csi.CsiException;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls from this node agent to others (a move's source, a front-end elsewhere, a hand-off's successor), and
 * following their long operations through the WatchOperation stream.
 */
final class AgentCalls {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCalls.class);
    /** Deadline of one unary call, and of one watch stream (a running operation is watched again after it). */
    static final long DEADLINE_MS = 60_000;
    /** How often a watch checks for a cancel of ours while no progress arrives. */
    private static final long CANCEL_CHECK_MS = 200;
    private static final Object END = new Object();

    private final Function<String, ManagedChannel> channels;
    private final long watchDeadlineMs;

    /** @param channels opens a channel to another node agent (host:port) */
    AgentCalls(Function<String, ManagedChannel> channels) {
        this(channels, DEADLINE_MS);
    }

    AgentCalls(Function<String, ManagedChannel> channels, long watchDeadlineMs) {
        this.channels = channels;
        this.watchDeadlineMs = watchDeadlineMs;
    }

    <T> T call(String address, Function<NodeAgentGrpc.NodeAgentBlockingStub, T> f) throws IOException {
        ManagedChannel ch = channels.apply(address);
        try {
            return f.apply(NodeAgentGrpc.newBlockingStub(ch).withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS));
        } finally {
            ch.shutdownNow();
        }
    }

    /**
     * Mirrors a remote operation into {@code p} until it ends; a cancel of ours cancels it.
     * Returns the final remote state, or null when cancelled; a failed remote fails ours.
     */
    Operation follow(String address, Operation op, Operations.Progress p) throws Exception {
        String id = op.getOperationId();
        Operation o = op;
        while (true) {
            mirror(o, p);
            switch (o.getPhase()) {
                case OPERATION_PHASE_SUCCEEDED -> {
                    return o;
                }
                case OPERATION_PHASE_FAILED -> throw new CsiException(Status.Code.FAILED_PRECONDITION,
                        o.getReason().isEmpty() ? "RemoteFailed" : o.getReason(), "on " + address + ": " + o.getMessage());
                case OPERATION_PHASE_CANCELLED -> {
                    if (p.cancelled()) {
                        return null;
                    }
                    throw new CsiException(Status.Code.ABORTED, "RemoteCancelled", "operation " + id + " on "
                            + address + " was cancelled there");
                }
                default -> { }
            }
            if (!p.cancelled()) {
                try {
                    o = watch(address, id, o, p);
                    continue;
                } catch (StatusRuntimeException e) {
                    if (!p.cancelled()) {
                        throw e;
                    }
                }
            }
            // The cancel interrupts this thread (maybe a little later): the calls below must still go out.
            Operation last = despiteInterrupts(() -> call(address, s -> s.cancelOperation(
                    CancelOperationRequest.newBuilder().setOperationId(id).build())));
            if (!Operations.done(last)) {
                last = despiteInterrupts(() -> call(address, s -> lastOf(s.watchOperation(
                        GetOperationRequest.newBuilder().setOperationId(id).build()))));
            }
            LOG.info("operation {} on {} cancelled: {}", id, address, last.getPhase());
            return null;
        }
    }

    private static Operation lastOf(Iterator<Operation> stream) {
        Operation last = null;
        while (stream.hasNext()) {
            last = stream.next();
        }
        if (last == null) {
            throw Status.INTERNAL.withDescription("WatchOperation ended without an operation").asRuntimeException();
        }
        return last;
    }

    private static void mirror(Operation o, Operations.Progress p) {
        p.update(o.getBytesDone(), o.getBytesTotal());
        p.report(b -> b.setBytesSent(o.getBytesSent()).setPauseMicros(o.getPauseMicros())
                .setMismatchesRepaired(o.getMismatchesRepaired()));
    }

    /**
     * Watches operation {@code id} at {@code address}, mirroring each change into {@code p}, until it ends, until
     * we cancel (then returns the last state seen, still running), or until the stream's deadline (then also the
     * last state: the caller watches again). A stream that delivered nothing by its deadline fails: the agent there
     * answers a watch with the current state at once, so silence means it cannot be reached.
     */
    private Operation watch(String address, String id, Operation last, Operations.Progress p) {
        BlockingQueue<Object> q = new LinkedBlockingQueue<>();
        ManagedChannel ch = channels.apply(address);
        Context.CancellableContext ctx = Context.current().withCancellation();
        boolean heard = false;
        try {
            ctx.run(() -> NodeAgentGrpc.newStub(ch).withDeadlineAfter(watchDeadlineMs, TimeUnit.MILLISECONDS).watchOperation(
                    GetOperationRequest.newBuilder().setOperationId(id).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(Operation value) {
                            q.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            q.add(t);
                        }

                        @Override
                        public void onCompleted() {
                            q.add(END);
                        }
                    }));
            while (true) {
                Object x;
                try {
                    x = q.poll(CANCEL_CHECK_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // our cancel: the caller sees it through p
                    return last;
                }
                if (x == null) {
                    if (p.cancelled()) {
                        return last;
                    }
                } else if (x instanceof Operation o) {
                    heard = true;
                    last = o;
                    mirror(o, p);
                    if (Operations.done(o)) {
                        return o;
                    }
                } else if (x == END) {
                    return last;
                } else {
                    Status s = Status.fromThrowable((Throwable) x);
                    if (s.getCode() == Status.Code.DEADLINE_EXCEEDED && heard) {
                        return last;
                    }
                    throw s.augmentDescription("watching operation " + id + " on " + address).asRuntimeException();
                }
            }
        } finally {
            ctx.cancel(null);
            ch.shutdownNow();
        }
    }

    /** Progress of a background call nobody watches. */
    static final Operations.Progress IGNORED = new Operations.Progress() {
        @Override
        public void update(long done, long total) {
        }

        @Override
        public void report(java.util.function.Consumer<Operation.Builder> fields) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    interface IoCall<T> {
        T run() throws IOException;
    }

    /**
     * Runs a clean-up call after a cancel: the cancel interrupts the worker thread, possibly while
     * this call runs (an interrupted channel closes), so it is retried a few times with the
     * interrupt flag cleared; the flag is set again afterwards.
     */
    static <T> T despiteInterrupts(IoCall<T> c) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return c.run();
                } catch (ClosedByInterruptException | InterruptedIOException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == 5) {
                        throw e;
                    }
                } catch (StatusRuntimeException e) {
                    boolean byInterrupt = Thread.interrupted();
                    interrupted |= byInterrupt;
                    if (!byInterrupt && e.getStatus().getCode() != Status.Code.CANCELLED || attempt == 5) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
