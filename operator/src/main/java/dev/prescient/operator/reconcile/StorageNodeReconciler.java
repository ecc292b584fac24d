package dev.prescient.operator.reconcile;

import dev.prescient.operator.act.KubeEvents;
import dev.prescient.operator.observe.LeanItemStore;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.v1alpha1.common.Condition;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.operator.agent.NodeAgentException;
import dev.prescient.operator.agent.NodeAgents;
import dev.prescient.operator.agent.NodeReports;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.status.NodeStatusAggregator;
import dev.prescient.operator.telemetry.NodeHealthModel;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import dev.prescient.operator.observe.ClusterReads;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;

/**
 * Keeps a StorageNode current: the agent's health report, the failure model's verdict, Events on changes. The report
 * is the one the planner's last pass pulled when it is younger than the node interval ({@link NodeReports}); the
 * agent is asked here only when there is none.
 */
@ControllerConfiguration(name = "storagenode", informer = @Informer(itemStore = LeanItemStore.class))
public class StorageNodeReconciler implements Reconciler<StorageNode> {

    private final NodeAgents agents;
    private final NodeReports reports;
    private final NodeHealthModel model;
    private final KubeEvents events;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private final Duration interval;
    private final ClusterReads reads;

    public StorageNodeReconciler(NodeAgents agents, NodeReports reports, NodeHealthModel model, KubeEvents events,
                                 OperatorMetrics metrics, Clock clock, Duration interval) {
        this(agents, reports, model, events, metrics, clock, interval, null);
    }

    /** @param reads the operator's one cache, which this reconciler's StorageNode informer becomes part of */
    @Inject
    public StorageNodeReconciler(NodeAgents agents, NodeReports reports, NodeHealthModel model, KubeEvents events,
                                 OperatorMetrics metrics, Clock clock,
                                 @ConfigProperty(name = "prescient.node.interval") Duration interval,
                                 ClusterReads reads) {
        this.reads = reads;
        this.agents = agents;
        this.reports = reports;
        this.model = model;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
        this.interval = interval;
    }

    @Override
    public java.util.List<EventSource<?, StorageNode>> prepareEventSources(EventSourceContext<StorageNode> context) {
        return SharedCache.share(reads, context);
    }

    @Override
    public UpdateControl<StorageNode> reconcile(StorageNode sn, Context<StorageNode> context) {
        String name = sn.getMetadata().getName();
        long gen = sn.getMetadata().getGeneration() == null ? 0 : sn.getMetadata().getGeneration();
        StorageNodeStatus prev = sn.getStatus();
        boolean wasAlert = isTrue(prev, "EvacuationRecommended");
        StorageNodeStatus next;
        try {
            NodeHealth h = reports.fresh(name, interval, clock.instant());
            if (h == null) {
                h = agents.forNode(name).getNodeHealth();
                reports.publish(name, h, clock.instant());
            }
            NodeHealthModel.Risk risk = model.assess(name, h, clock.millis());
            next = NodeStatusAggregator.reachable(prev, h, risk, Boolean.TRUE.equals(sn.getSpec().getCordoned()),
                    gen, clock.instant());
            metrics.gauge("prescient.node.failure.probability", "node", name, risk.probability());
            metrics.gauge("prescient.node.health.score", "node", name, risk.healthScore());
            if (risk.alert() && !wasAlert) {
                events.warning(sn, "FailurePredicted", next.getConditions().stream()
                        .filter(c -> c.getType().equals("Healthy")).findFirst().map(Condition::getMessage).orElse(""));
            } else if (!risk.alert() && wasAlert) {
                events.normal(sn, "Recovered", "failure probability back under the threshold");
            }
        } catch (NodeAgentException e) {
            metrics.reconcileError("StorageNode", e.reason().name());
            if (isTrue(prev, "Ready") || prev == null) {
                events.warning(sn, "AgentUnreachable", e.getMessage());
            }
            next = NodeStatusAggregator.unreachable(prev, e.getMessage(), gen, clock.instant());
        }
        sn.setStatus(next);
        return UpdateControl.patchStatus(sn).rescheduleAfter(interval);
    }

    private static boolean isTrue(StorageNodeStatus s, String type) {
        return s != null && s.getConditions() != null && s.getConditions().stream()
                .anyMatch(c -> c.getType().equals(type) && c.getStatus().name().equals("True"));
    }
}
