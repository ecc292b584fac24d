package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.csi.CsiException;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Following another agent's operation over its WatchOperation stream, against a real gRPC server on loopback. */
class AgentCallsTest {
    Server server;
    final AtomicInteger watches = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    /** What the n-th watch (0-based) does with its stream. */
    volatile List<Consumer<StreamObserver<Operation>>> script = List.of();

    static Operation op(OperationPhase phase, long done) {
        return Operation.newBuilder().setOperationId("op1").setPhase(phase).setBytesDone(done).setBytesTotal(100)
                .build();
    }

    static final Operation RUNNING = op(OperationPhase.OPERATION_PHASE_RUNNING, 0);

    AgentCalls start(long watchDeadlineMs) throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new NodeAgentGrpc.NodeAgentImplBase() {
                    @Override
                    public void watchOperation(GetOperationRequest req, StreamObserver<Operation> out) {
                        int n = watches.getAndIncrement();
                        script.get(Math.min(n, script.size() - 1)).accept(out);
                    }

                    @Override
                    public void getOperation(GetOperationRequest req, StreamObserver<Operation> out) {
                        gets.incrementAndGet();
                        out.onNext(RUNNING);
                        out.onCompleted();
                    }

                    @Override
                    public void cancelOperation(CancelOperationRequest req, StreamObserver<Operation> out) {
                        cancels.incrementAndGet();
                        out.onNext(RUNNING.toBuilder().setPhase(OperationPhase.OPERATION_PHASE_CANCELLED).build());
                        out.onCompleted();
                    }
                }).build().start();
        // By address: no name resolution inside the short deadlines below.
        return new AgentCalls(a -> NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1",
                Integer.parseInt(a.substring(a.lastIndexOf(':') + 1)))).usePlaintext().build(), watchDeadlineMs);
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    /** Progress that records what it was told, cancelled once {@link #cancel} is set. */
    static final class Recorder implements Operations.Progress {
        final List<Long> done = new CopyOnWriteArrayList<>();
        final AtomicBoolean cancel = new AtomicBoolean();

        @Override
        public void update(long d, long total) {
            done.add(d);
        }

        @Override
        public void report(Consumer<Operation.Builder> fields) {
        }

        @Override
        public boolean cancelled() {
            return cancel.get();
        }
    }

    @Test
    void progressArrivesOverTheStreamUntilTheOperationSucceeds() throws Exception {
        AgentCalls calls = start(60_000);
        script = List.of(out -> {
            out.onNext(op(OperationPhase.OPERATION_PHASE_RUNNING, 10));
            out.onNext(op(OperationPhase.OPERATION_PHASE_RUNNING, 50));
            out.onNext(op(OperationPhase.OPERATION_PHASE_SUCCEEDED, 100));
            out.onCompleted();
        });
        Recorder p = new Recorder();
        Operation last = calls.follow(address(), RUNNING, p);
        assertThat(last.getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThat(p.done).containsSubsequence(0L, 10L, 50L, 100L);
        assertThat(gets).as("no polling").hasValue(0);
        assertThat(watches).hasValue(1);
    }

    @Test
    void aFailedRemoteFailsOursWithItsReason() throws Exception {
        AgentCalls calls = start(60_000);
        script = List.of(out -> {
            out.onNext(RUNNING.toBuilder().setPhase(OperationPhase.OPERATION_PHASE_FAILED).setReason("ReplicaMismatch")
                    .setMessage("sizes differ").build());
            out.onCompleted();
        });
        assertThatThrownBy(() -> calls.follow(address(), RUNNING, new Recorder()))
                .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.reason()).isEqualTo("ReplicaMismatch"))
                .hasMessageContaining("sizes differ").hasMessageContaining(address());
    }

    @Test
    void aLongOperationIsWatchedAgainAfterEachStreamsDeadline() throws Exception {
        AgentCalls calls = start(1500);
        // The first two streams show progress and then say nothing until the deadline ends them.
        script = List.of(out -> out.onNext(op(OperationPhase.OPERATION_PHASE_RUNNING, 20)),
                out -> out.onNext(op(OperationPhase.OPERATION_PHASE_RUNNING, 60)),
                out -> {
                    out.onNext(op(OperationPhase.OPERATION_PHASE_SUCCEEDED, 100));
                    out.onCompleted();
                });
        Recorder p = new Recorder();
        assertThat(calls.follow(address(), RUNNING, p).getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThat(watches).hasValue(3);
        assertThat(p.done).containsSubsequence(20L, 60L, 100L);
    }

    @Test
    void anAgentThatSaysNothingBeforeTheDeadlineFailsTheFollow() throws Exception {
        AgentCalls calls = start(1500);
        script = List.of(out -> { });
        assertThatThrownBy(() -> calls.follow(address(), RUNNING, new Recorder()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED))
                .hasMessageContaining("watching operation op1");
        // Not watched again (under heavy load the one call may not even have reached the server by its deadline).
        assertThat(watches.get()).isLessThanOrEqualTo(1);
    }

    @Test
    void ourCancelCancelsTheRemoteOperation() throws Exception {
        AgentCalls calls = start(60_000);
        Recorder p = new Recorder();
        script = List.of(out -> {
            out.onNext(op(OperationPhase.OPERATION_PHASE_RUNNING, 30));
            p.cancel.set(true); // the stream stays open: only our cancel ends the follow
        });
        assertThat(calls.follow(address(), RUNNING, p)).as("cancelled").isNull();
        assertThat(cancels).hasValue(1);
    }
}
