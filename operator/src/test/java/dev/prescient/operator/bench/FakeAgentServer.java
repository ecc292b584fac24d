package dev.prescient.operator.bench;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.CreateSnapshotRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaResponse;
import dev.prescient.api.nodeagent.v1.DeleteSnapshotRequest;
import dev.prescient.api.nodeagent.v1.DeleteSnapshotResponse;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasResponse;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.Snapshot;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.TelemetrySnapshot;
import dev.prescient.operator.agent.InMemoryNodeAgent;
import dev.prescient.operator.agent.InMemoryNodeAgents;
import dev.prescient.operator.agent.NodeAgentException;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Fake node agents for the scale benchmark, in a process of their own: one {@link InMemoryNodeAgent} per node,
 * each served over real gRPC (plaintext) on 127.0.0.1:basePort+i, the way the operator reaches real agents
 * through StorageNode.spec.agentEndpoint. Volume pv-i holds one ssd replica on node i % nodes, as
 * {@code PlannerFixture} lays them out.
 *
 * <p>Agents report steady health (a little jitter, so the operator's failure model learns a normal); a line
 * {@code fail <node>} on standard input makes that node's media slow and erroring, {@code heal <node>} undoes it.
 * Prints {@code ready} once every port is bound. Run by bench/operator-scale-real.sh:
 * {@code FakeAgentServer <volumes> <nodes> <basePort> <namePrefix>}.
 */
public final class FakeAgentServer {

    public static void main(String[] args) throws Exception {
        int volumes = Integer.parseInt(args[0]);
        int nodes = Integer.parseInt(args[1]);
        int basePort = Integer.parseInt(args[2]);
        String prefix = args.length > 3 ? args[3] : "";
        InMemoryNodeAgents agents = new InMemoryNodeAgents();
        for (int i = 0; i < nodes; i++) {
            agents.add(node(prefix, i), "zone-" + (i % 3), Map.of("ssd", 1L << 40, "nvme", 1L << 39, "hdd", 1L << 41));
        }
        for (int i = 0; i < volumes; i++) {
            String name = volume(prefix, i);
            agents.agent(node(prefix, i % nodes)).putReplica(name + "-0", name, "ssd", new byte[4096]);
            agents.setActiveReplica(name, name + "-0");
        }
        NioEventLoopGroup boss = new NioEventLoopGroup(1);
        NioEventLoopGroup workers = new NioEventLoopGroup(2);
        ExecutorService exec = Executors.newFixedThreadPool(4);
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            servers.add(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", basePort + i))
                    .channelType(NioServerSocketChannel.class).bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                    .executor(exec).addService(new Service(agents.agent(node(prefix, i)), prefix, basePort))
                    .build().start());
        }
        java.util.Random jitter = new java.util.Random(5);
        java.util.Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // Health moves a little from report to report, like real media; a failing node is 100x slower with errors.
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "health-jitter");
            t.setDaemon(true);
            return t;
        }).scheduleAtFixedRate(() -> agents.all().forEach((n, a) -> {
            synchronized (jitter) {
                if (failing.contains(n)) {
                    a.setHealth(40_000 + jitter.nextInt(2_000), 5);
                } else {
                    a.setHealth(200 + jitter.nextInt(20), 0);
                }
            }
        }), 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        System.out.println("ready " + nodes + " agents on 127.0.0.1:" + basePort + "-" + (basePort + nodes - 1)
                + ", " + volumes + " replicas");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 2 && w[0].equals("fail")) {
                failing.add(w[1]);
                System.out.println("failing " + w[1]);
            } else if (w.length == 2 && w[0].equals("heal")) {
                failing.remove(w[1]);
                System.out.println("healed " + w[1]);
            } else if (w[0].equals("calls")) {
                long c = 0;
                for (InMemoryNodeAgent a : agents.all().values()) {
                    c += a.calls();
                }
                System.out.println("calls " + c);
            }
            System.out.flush();
        }
        servers.forEach(Server::shutdownNow);
        System.exit(0);
    }

    static String node(String prefix, int i) {
        return String.format("%snode-%03d", prefix, i);
    }

    static String volume(String prefix, int i) {
        return String.format("%spv-%05d", prefix, i);
    }

    /** gRPC in front of one in-memory agent; agent addresses (127.0.0.1:port) become the node names it knows. */
    static final class Service extends NodeAgentGrpc.NodeAgentImplBase {
        private final InMemoryNodeAgent agent;
        private final String prefix;
        private final int basePort;

        Service(InMemoryNodeAgent agent, String prefix, int basePort) {
            this.agent = agent;
            this.prefix = prefix;
            this.basePort = basePort;
        }

        /** "127.0.0.1:basePort+i" to "node-i:9601", the address InMemoryNodeAgents resolves. */
        private String nodeAddress(String address) {
            int colon = address.lastIndexOf(':');
            try {
                return node(prefix, Integer.parseInt(address.substring(colon + 1)) - basePort) + ":9601";
            } catch (RuntimeException e) {
                return address;
            }
        }

        private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
            T value;
            try {
                value = call.get();
            } catch (NodeAgentException e) {
                Status s = switch (e.reason()) {
                    case Unavailable -> Status.UNAVAILABLE;
                    case NotFound -> Status.NOT_FOUND;
                    case FailedPrecondition -> Status.FAILED_PRECONDITION;
                    default -> Status.INTERNAL;
                };
                out.onError(s.withDescription(e.getMessage()).asRuntimeException());
                return;
            }
            out.onNext(value);
            out.onCompleted();
        }

        @Override
        public void createReplica(CreateReplicaRequest r, StreamObserver<Replica> out) {
            answer(out, () -> agent.createReplica(r));
        }

        @Override
        public void deleteReplica(DeleteReplicaRequest r, StreamObserver<DeleteReplicaResponse> out) {
            answer(out, () -> agent.deleteReplica(r));
        }

        @Override
        public void listReplicas(ListReplicasRequest r, StreamObserver<ListReplicasResponse> out) {
            answer(out, () -> agent.listReplicas(r));
        }

        @Override
        public void addReplicaFromSource(AddReplicaFromSourceRequest r, StreamObserver<Operation> out) {
            answer(out, () -> agent.addReplicaFromSource(r.toBuilder()
                    .setSourceAddress(nodeAddress(r.getSourceAddress())).build()));
        }

        @Override
        public void switchOver(SwitchOverRequest r, StreamObserver<Operation> out) {
            answer(out, () -> agent.switchOver(r));
        }

        @Override
        public void createSnapshot(CreateSnapshotRequest r, StreamObserver<Snapshot> out) {
            answer(out, () -> agent.createSnapshot(r));
        }

        @Override
        public void deleteSnapshot(DeleteSnapshotRequest r, StreamObserver<DeleteSnapshotResponse> out) {
            answer(out, () -> agent.deleteSnapshot(r));
        }

        @Override
        public void scrub(ScrubRequest r, StreamObserver<Operation> out) {
            answer(out, () -> agent.scrub(r.toBuilder().setPeerAddress(nodeAddress(r.getPeerAddress())).build()));
        }

        @Override
        public void getOperation(GetOperationRequest r, StreamObserver<Operation> out) {
            answer(out, () -> agent.getOperation(r));
        }

        @Override
        public void cancelOperation(CancelOperationRequest r, StreamObserver<Operation> out) {
            answer(out, () -> agent.cancelOperation(r));
        }

        @Override
        public void getTelemetry(TelemetryRequest r, StreamObserver<TelemetrySnapshot> out) {
            answer(out, () -> agent.getTelemetry(r));
        }

        @Override
        public void getNodeHealth(NodeHealthRequest r, StreamObserver<NodeHealth> out) {
            answer(out, agent::getNodeHealth);
        }
    }
}
