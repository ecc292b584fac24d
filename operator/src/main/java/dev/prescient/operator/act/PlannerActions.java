package dev.prescient.operator.act;

import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.SetReadSourceRequest;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.agent.NodeAgentException;
import dev.prescient.operator.agent.NodeAgents;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.plan.ActionKind;
import dev.prescient.operator.plan.Plan;
import dev.prescient.operator.plan.PlannedAction;
import dev.prescient.operator.plan.ReadPlacement;
import dev.prescient.operator.plan.VolumeInsights;
import dev.prescient.operator.telemetry.NodeHealthModel;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the planner does to the world after it decided: VolumeMigrations created ({@link MigrationCreator}),
 * replicas removed and reads re-pointed on the node agents, and the Events that explain each. What was done is
 * recorded in {@link VolumeInsights} for the volumes' status. The only place the planner writes.
 */
public final class PlannerActions implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PlannerActions.class);

    /**
     * What acting on one policy's plan did; {@code migrations} are the VolumeMigrations created, {@code planned}
     * their summary for the policy's Evaluated Event ({@link MigrationCreator.Wave#summary()}).
     */
    public record Done(List<VolumeMigration> migrations, int removed, String planned) {
    }

    private volatile MigrationCreator creator;
    private final KubeEvents events;
    private final NodeAgents agents;
    private final NodeHealthModel health;
    private final VolumeInsights insights;
    private final OperatorMetrics metrics;

    public PlannerActions(MigrationCreator creator, KubeEvents events, NodeAgents agents, NodeHealthModel health,
                          VolumeInsights insights, OperatorMetrics metrics) {
        this.creator = creator;
        this.events = events;
        this.agents = agents;
        this.health = health;
        this.insights = insights;
        this.metrics = metrics;
    }

    public VolumeInsights insights() {
        return insights;
    }

    /** Replaces the migration creator (prescient.planner.create-concurrency); the old one's threads stop. */
    public void creator(MigrationCreator next) {
        MigrationCreator old = creator;
        creator = next;
        old.close();
    }

    /** Tells the migration names which migrations the cache shows (their decisions need no name any more). */
    public void known(List<VolumeMigration> migrations, Instant now) {
        creator.known(migrations, now);
    }

    /**
     * Acts on one policy's plan and read switches. {@code volumes} are the volumes as observed, for the Events
     * about them.
     */
    public Done apply(Plan plan, List<ReadPlacement.Switch> switches, Map<String, ReplicatedVolume> volumes,
                      long defaultBandwidth, Instant now) {
        List<PlannedAction> moves = new ArrayList<>();
        int removed = 0;
        for (PlannedAction a : plan.actions()) {
            if (a.kind() != ActionKind.RemoveReplica) {
                moves.add(a);
            } else if (remove(a, volumes.get(a.volume()), now)) {
                removed++;
            }
        }
        MigrationCreator.Wave wave = creator.createWave(moves, defaultBandwidth, now);
        for (Plan.Deferred d : plan.deferred()) {
            metrics.decision(d.action().kind().name(), "deferred");
        }
        for (ReadPlacement.Switch sw : switches) {
            switchReads(sw, volumes.get(sw.volume()), now);
        }
        return new Done(wave.migrations(), removed, wave.summary());
    }

    /** The Event on a policy after a pass that changed something. */
    public void evaluated(MirrorPolicy p, int volumes, int created, int removed, int deferred, String planned) {
        if (created + removed > 0) {
            events.normal(p, "Evaluated", volumes + " volume(s): " + created + " migration(s) created, "
                    + removed + " replica(s) removed, " + deferred + " deferred"
                    + (planned == null || planned.isEmpty() ? "" : "; " + planned));
        }
    }

    /**
     * A removal is not a VolumeMigration (the CRD has no removal kind: from and to must differ), so it is made
     * explainable another way: an Event on the volume with the scores behind it, and the decision kept in
     * {@link VolumeInsights}, from which the volume's status shows it as the ReplicaRemoved condition. The agent
     * call carries an operation id derived from the replica, so a repeat (next pass, new leader) is harmless.
     */
    private boolean remove(PlannedAction a, ReplicatedVolume v, Instant now) {
        String reason = a.removal() == null ? "ReplicaRemoved" : a.removal().name();
        try {
            agents.forNode(a.fromNode()).deleteReplica(DeleteReplicaRequest.newBuilder()
                    .setOperationId("remove-" + a.replicaId()).setReplicaId(a.replicaId()).build());
            metrics.decision(a.kind().name(), "done");
            if (a.removal() == VolumeInsights.RemovalKind.EvacuationRolledBack) {
                health.falseAlarm(now.toEpochMilli());
            }
            insights.recordRemoval(a.volume(), new VolumeInsights.Removal(a.replicaId(), a.fromNode(), a.fromTier(),
                    a.removal(), a.explanation(), now, true, null));
            if (v != null) {
                events.normal(v, reason, "replica " + a.replicaId() + " removed: " + a.explanation());
            }
            return true;
        } catch (NodeAgentException e) {
            metrics.decision(a.kind().name(), "failed");
            insights.recordRemoval(a.volume(), new VolumeInsights.Removal(a.replicaId(), a.fromNode(), a.fromTier(),
                    a.removal(), a.explanation(), now, false, e.getMessage()));
            if (v != null) {
                events.warning(v, reason + "Failed", "replica " + a.replicaId() + " not removed (" + e.getMessage()
                        + "); will retry next pass: " + a.explanation());
            }
            return false;
        }
    }

    /**
     * Re-points a volume's reads (no data moves, no VolumeMigration): an Event on the volume says what and why; a
     * refusal (the copy fell out of sync since it was listed) is retried by the next pass.
     */
    private void switchReads(ReadPlacement.Switch sw, ReplicatedVolume v, Instant now) {
        try {
            agents.forNode(sw.frontEndNode()).setReadSource(SetReadSourceRequest.newBuilder()
                    .setOperationId("reads-" + sw.volume() + "-" + sw.replicaId()).setVolumeId(sw.volume())
                    .setReplicaId(sw.replicaId()).build());
            metrics.decision("SwitchReads", "done");
            LOG.infof("ReplicatedVolume/%s: reads switched from %s on %s to %s on %s (%s): %s", sw.volume(),
                    sw.fromReplicaId(), sw.fromNode(), sw.replicaId(), sw.node(), sw.reason(), sw.explanation());
            insights.recordReadSwitch(sw.volume(), new VolumeInsights.ReadSwitch(sw.replicaId(), sw.node(),
                    sw.fromReplicaId(), sw.fromNode(), sw.reason().name(), sw.explanation(), now, true, null));
            if (v != null) {
                events.normal(v, "ReadSource" + sw.reason(), sw.explanation());
            }
        } catch (NodeAgentException e) {
            insights.recordReadSwitch(sw.volume(), new VolumeInsights.ReadSwitch(sw.replicaId(), sw.node(),
                    sw.fromReplicaId(), sw.fromNode(), sw.reason().name(), sw.explanation(), now, false,
                    e.getMessage()));
            metrics.decision("SwitchReads", "failed");
            LOG.warnf("ReplicatedVolume/%s: reads not switched to %s on %s (%s); next pass retries", sw.volume(),
                    sw.replicaId(), sw.node(), e.getMessage());
            if (v != null) {
                events.warning(v, "ReadSourceNotSwitched", "reads not switched to " + sw.replicaId() + " on "
                        + sw.node() + " (" + e.getMessage() + "): " + sw.explanation());
            }
        }
    }

    @Override
    public void close() {
        creator.close();
    }
}
