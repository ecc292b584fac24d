package dev.prescient.operator.observe;

import dev.prescient.api.nodeagent.v1.FrontEndReads;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasResponse;
import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.TelemetrySnapshot;
import dev.prescient.api.nodeagent.v1.TierUsage;
import dev.prescient.operator.agent.NodeAgentClient;
import dev.prescient.operator.agent.NodeAgentException;
import dev.prescient.operator.agent.NodeAgents;
import dev.prescient.operator.agent.NodeReports;
import dev.prescient.operator.metrics.OperatorMetrics;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pass's pull of every node agent (health, replica list, telemetry), the agents asked in parallel so that a pass
 * waits for the slowest node, not for the sum of them. The health reports go to {@link NodeReports} too, where node
 * health (StorageNodeReconciler) reads them instead of asking every agent again.
 */
public final class TelemetrySweep {

    private static final Logger LOG = Logger.getLogger(TelemetrySweep.class);

    /** Agents asked at once per pass (their calls wait on the network, not on this process' CPU). */
    static final int PULL_THREADS = 8;

    /** What one agent said in this pass. */
    public record NodeData(List<Replica> replicas, TelemetrySnapshot telemetry, Map<String, Long> available,
                    List<FrontEndReads> frontEnds) {
    }

    /** Every answering node's data, and the nodes whose agent did not answer. */
    public record Pulled(Map<String, NodeData> data, List<String> unreachable) {
    }

    private final NodeAgents agents;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private volatile NodeReports reports;
    private ExecutorService pullers;

    public TelemetrySweep(NodeAgents agents, OperatorMetrics metrics, Clock clock) {
        this.agents = agents;
        this.metrics = metrics;
        this.clock = clock;
    }

    public void shareReports(NodeReports reports) {
        this.reports = reports;
    }

    private synchronized ExecutorService pullers() {
        if (pullers == null) {
            AtomicInteger n = new AtomicInteger();
            pullers = Executors.newFixedThreadPool(PULL_THREADS, r -> {
                Thread t = new Thread(r, "telemetry-pull-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pullers;
    }

    public Pulled pull(List<String> nodes) {
        Map<String, NodeData> data = new ConcurrentHashMap<>();
        List<String> unreachable = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> pulls = new ArrayList<>();
        for (String name : nodes) {
            pulls.add(pullers().submit(() -> {
                try {
                    NodeAgentClient a = agents.forNode(name);
                    NodeHealth h = a.getNodeHealth();
                    NodeReports shared = reports;
                    if (shared != null) {
                        shared.publish(name, h, clock.instant());
                    }
                    Map<String, Long> avail = new HashMap<>();
                    for (TierUsage t : h.getTiersList()) {
                        avail.put(t.getTier(), t.getAvailableBytes());
                    }
                    ListReplicasResponse listed = a.listReplicas(ListReplicasRequest.getDefaultInstance());
                    data.put(name, new NodeData(listed.getReplicasList(),
                            a.getTelemetry(TelemetryRequest.getDefaultInstance()), avail, listed.getFrontEndsList()));
                } catch (NodeAgentException e) {
                    LOG.warnf("StorageNode/%s: telemetry pull failed: %s", name, e.getMessage());
                    metrics.reconcileError("Telemetry", e.reason().name());
                    unreachable.add(name);
                }
            }));
        }
        for (Future<?> f : pulls) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("planner pass interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("telemetry pull failed", e.getCause());
            }
        }
        return new Pulled(data, List.copyOf(unreachable));
    }
}
