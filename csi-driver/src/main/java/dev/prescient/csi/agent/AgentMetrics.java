package dev.prescient.csi.agent;

import dev.prescient.engine.metrics.MetricRegistry;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node agent exports on {@code --metrics-listen}: its RPCs by method and status with their latency,
 * the replicas and volumes it holds (read from the replica store at each scrape), and the engines its supervisor
 * restarted. The engines' own I/O metrics are theirs ({@code EngineMain --metrics-listen}).
 */
public final class AgentMetrics implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(AgentMetrics.class);
    static final double[] RPC_BUCKETS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120};

    private final MetricRegistry registry = new MetricRegistry();
    private final MetricRegistry.Family rpcs;
    private final MetricRegistry.Family rpcErrors;
    private final MetricRegistry.Family rpcSeconds;

    private final String nodeId;

    public AgentMetrics(String nodeId, java.util.Set<String> tiers, EngineReplicas store) {
        this.nodeId = nodeId;
        rpcs = registry.counter("prescient_agent_rpcs", "Node-agent RPCs answered, by method and status code",
                "method", "code");
        rpcErrors = registry.counter("prescient_agent_rpc_errors", "Node-agent RPCs answered with an error, by method",
                "method");
        rpcSeconds = registry.histogram("prescient_agent_rpc_seconds", "Node-agent RPC duration, by method",
                RPC_BUCKETS, "method");
        registry.gauge("prescient_agent_replicas", "Replicas held by this node", "node")
                .gauge(() -> replicas(store).size(), nodeId);
        registry.gauge("prescient_agent_volumes", "Volumes with at least one replica on this node", "node")
                .gauge(() -> replicas(store).stream().map(EngineReplicas.ReplicaMeta::volumeId).distinct().count(),
                        nodeId);
        MetricRegistry.Family bytes = registry.gauge("prescient_agent_replica_bytes",
                "Provisioned bytes of the replicas on this node, by tier", "node", "tier");
        for (String tier : tiers) {
            bytes.gauge(() -> replicas(store).stream().filter(m -> m.tier().equals(tier))
                    .mapToLong(EngineReplicas.ReplicaMeta::sizeBytes).sum(), nodeId, tier);
        }
    }

    private static List<EngineReplicas.ReplicaMeta> replicas(EngineReplicas store) {
        try {
            return store.list();
        } catch (IOException e) {
            LOG.warn("metrics: listing the replica store failed: {}", e.toString());
            return List.of();
        }
    }

    /** Counts the supervisor's engine restarts (dead engines started again, wedged ones killed and started). */
    public void engineRestarts(LongSupplier restarts) {
        registry.counter("prescient_agent_engine_restarts", "Engines the supervisor started again", "node")
                .counterFrom(restarts, nodeId);
    }

    /** Counts engine scrapes the agent's /metrics had to leave out (an engine not answering in time). */
    public void engineScrapeFailures(LongSupplier failures) {
        registry.counter("prescient_agent_engine_scrape_failures",
                "Engine metrics the agent could not scrape for its /metrics", "node").counterFrom(failures, nodeId);
    }

    public MetricRegistry registry() {
        return registry;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                rpcs.counter(method, status.getCode().name()).inc();
                if (!status.isOk()) {
                    rpcErrors.counter(method).inc();
                }
                rpcSeconds.histogram(method).observeNanos(System.nanoTime() - start);
                super.close(status, trailers);
            }
        }, headers);
    }
}
