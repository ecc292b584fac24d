package dev.prescient.operator.migration;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.CreateSnapshotRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteSnapshotRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.api.v1alpha1.migration.MigrationCheckpoint;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.operator.agent.NodeAgentClient;
import dev.prescient.operator.agent.NodeAgentException;
import dev.prescient.operator.agent.NodeAgents;
import dev.prescient.operator.util.Units;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.prescient.api.v1alpha1.migration.MigrationPhase.*;

/**
 * Carries a VolumeMigration one step further through node-agent calls. All state that matters lives in the
 * status' checkpoint and in the agents (ids are derived from the migration's name), so a new operator can
 * pick up any status, even one written before a crash that happened after the agent call: every call is
 * idempotent and every phase first asks the agents what already happened.
 */
public final class MigrationExecutor {

    /** What one step did: the new status, when to look again (null: not needed), and events to emit. */
    public record Step(VolumeMigrationStatus status, Duration requeueAfter, List<Event> events) {
    }

    /** A Kubernetes Event to emit: warning or normal, a CamelCase reason, and a message. */
    public record Event(boolean warning, String reason, String message) {
    }

    private final NodeAgents agents;
    private final MigrationStateMachine machine;
    private final Clock clock;
    private final Duration pollInterval;
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    public MigrationExecutor(NodeAgents agents, MigrationStateMachine machine, Clock clock, Duration pollInterval) {
        this.agents = agents;
        this.machine = machine;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    public static String targetReplicaId(String migration) {
        return migration + "-r";
    }

    public static String snapshotId(String migration) {
        return migration + "-snap";
    }

    static String op(String migration, String what) {
        return migration + "-" + what;
    }

    /** Runs one step. {@code status} is not modified; the returned one is a new object. */
    public Step step(String name, VolumeMigrationSpec spec, VolumeMigrationStatus previous) {
        VolumeMigrationStatus s = copy(previous);
        if (s.getPhase() == null) {
            s.setPhase(Pending);
        }
        if (s.getCheckpoint() == null) {
            s.setCheckpoint(new MigrationCheckpoint());
        }
        List<Event> events = new ArrayList<>();
        MigrationPhase before = s.getPhase();
        boolean switched = Boolean.TRUE.equals(s.getCheckpoint().getSwitched());
        if (before.terminal()) {
            return new Step(s, null, events);
        }
        if (Boolean.TRUE.equals(spec.getCancel()) && !switched) {
            MigrationPhase p = machine.onCancel(before, switched);
            if (p != before) {
                s.setPhase(p);
                events.add(new Event(false, "Cancelled", "cancel requested in phase " + before + "; rolling back"));
                return new Step(s, Duration.ZERO, events);
            }
        }
        Duration requeue;
        try {
            requeue = run(name, spec, s);
            attempts.remove(name);
        } catch (NodeAgentException | MigrationException e) {
            boolean retryable = e instanceof NodeAgentException n ? n.reason().retryable()
                    : ((MigrationException) e).retryable();
            int n = attempts.merge(name, 1, Integer::sum);
            MigrationPhase p = machine.onFailure(before, Boolean.TRUE.equals(s.getCheckpoint().getSwitched()),
                    retryable, n);
            s.setPhase(p);
            lastError = e.getMessage();
            events.add(new Event(true, p == before ? "StepFailed" : p == Failed ? "MigrationFailed" : "RollingBack",
                    before + ": " + e.getMessage() + (p == before ? " (attempt " + n + ", will retry)" : "")));
            if (p != before) {
                attempts.remove(name);
            }
            return new Step(s, p.terminal() ? null : backoff(n), events);
        }
        if (s.getPhase() != before) {
            events.add(new Event(false, s.getPhase().name(), "phase " + before + " -> " + s.getPhase()
                    + describe(s)));
        }
        if (s.getPhase().terminal()) {
            s.setCompletionTime(clock.instant().toString());
            return new Step(s, null, events);
        }
        return new Step(s, requeue, events);
    }

    private volatile String lastError;

    /** The message of the last failure seen, for the Ready condition. */
    public String lastError() {
        return lastError;
    }

    private Duration backoff(int attempt) {
        long ms = pollInterval.toMillis() * (1L << Math.min(attempt, 6));
        return Duration.ofMillis(Math.min(ms, 60_000));
    }

    private static String describe(VolumeMigrationStatus s) {
        return s.getBytesMoved() == null ? "" : " (" + s.getBytesMoved() + " of " + s.getBytesTotal() + " bytes)";
    }

    /** Does the work of the current phase; returns the requeue delay. Moves status.phase forward on success. */
    private Duration run(String name, VolumeMigrationSpec spec, VolumeMigrationStatus s) {
        MigrationCheckpoint cp = s.getCheckpoint();
        NodeAgentClient from = agents.forNode(spec.getFrom().getNode());
        switch (s.getPhase()) {
            case Pending -> {
                Replica source = findSource(from, name, spec);
                cp.setOperationId(name);
                cp.setTargetReplicaId(targetReplicaId(name));
                s.setBytesTotal(source.getSizeBytes());
                s.setBytesMoved(0L);
                s.setProgressPercent(0);
                s.setStartTime(clock.instant().toString());
                s.setPhase(machine.next(Pending));
                return Duration.ZERO;
            }
            case Snapshotting -> {
                Replica source = findSource(from, name, spec);
                from.createSnapshot(CreateSnapshotRequest.newBuilder().setOperationId(op(name, "snap"))
                        .setSnapshotId(snapshotId(name)).setReplicaId(source.getReplicaId()).build());
                cp.setSnapshotId(snapshotId(name));
                s.setPhase(machine.next(Snapshotting));
                return Duration.ZERO;
            }
            case Transferring -> {
                NodeAgentClient to = agents.forNode(spec.getTo().getNode());
                Operation op = existing(to, op(name, "transfer"));
                if (op == null) {
                    Replica source = findSource(from, name, spec);
                    op = to.addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder()
                            .setOperationId(op(name, "transfer")).setReplicaId(cp.getTargetReplicaId())
                            .setVolumeId(spec.getVolume()).setTier(spec.getTo().getTier())
                            .setSourceAddress(agents.replicationAddress(spec.getFrom().getNode()))
                            .setSourceReplicaId(source.getReplicaId())
                            .setMaxBytesPerSecond(Units.bytes(spec.getBandwidthLimit(), 0)).build());
                }
                progress(s, op);
                return finish(op, s, Transferring, MigrationException.Reason.TransferFailed);
            }
            case Verifying -> {
                NodeAgentClient to = agents.forNode(spec.getTo().getNode());
                Operation op = existing(to, op(name, "verify"));
                if (op == null) {
                    Replica source = findSource(from, name, spec);
                    op = to.scrub(ScrubRequest.newBuilder().setOperationId(op(name, "verify"))
                            .setReplicaId(cp.getTargetReplicaId())
                            .setPeerAddress(agents.replicationAddress(spec.getFrom().getNode()))
                            .setPeerReplicaId(source.getReplicaId()).build());
                }
                return finish(op, s, Verifying, MigrationException.Reason.VerificationFailed);
            }
            case SwitchingOver -> {
                if (Boolean.TRUE.equals(spec.getKeepSource())) {
                    // An added replica (pre-stage, evacuation, mirror) joins the set; there is nothing to switch.
                    cp.setSwitched(true);
                    s.setPhase(machine.next(SwitchingOver));
                    return Duration.ZERO;
                }
                NodeAgentClient to = agents.forNode(spec.getTo().getNode());
                Operation op = existing(to, op(name, "switch"));
                if (op == null) {
                    // Named, so that a front-end holding the source as a member (a volume moved before) drops it.
                    Replica source = findSourceOrNull(from, name, spec);
                    op = to.switchOver(SwitchOverRequest.newBuilder().setOperationId(op(name, "switch"))
                            .setVolumeId(spec.getVolume()).setNewReplicaId(cp.getTargetReplicaId())
                            .setOldReplicaId(source == null ? "" : source.getReplicaId())
                            // When the front-end stops (its consumer moved), that node's agent gets its other members.
                            .setNewReplicaAddress(agents.replicationAddress(spec.getTo().getNode()))
                            .setMaxPauseMillis(2000).build());
                }
                if (op.getPhase() == OperationPhase.OPERATION_PHASE_SUCCEEDED) {
                    cp.setSwitched(true);
                    s.setPauseMillis(op.getPauseMicros() / 1000.0);
                }
                return finish(op, s, SwitchingOver, MigrationException.Reason.SwitchFailed);
            }
            case CleaningUp -> {
                if (!Boolean.TRUE.equals(spec.getKeepSource())) {
                    Replica source = findSourceOrNull(from, name, spec);
                    if (source != null) {
                        from.deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId(op(name, "drop"))
                                .setReplicaId(source.getReplicaId()).build());
                    }
                }
                from.deleteSnapshot(DeleteSnapshotRequest.newBuilder().setOperationId(op(name, "unsnap"))
                        .setSnapshotId(snapshotId(name)).build());
                s.setPhase(machine.next(CleaningUp));
                return Duration.ZERO;
            }
            case RollingBack -> {
                NodeAgentClient to = agents.forNode(spec.getTo().getNode());
                if (!Boolean.TRUE.equals(spec.getKeepSource())) {
                    // A crash between the switch and writing the checkpoint must not roll back an active replica.
                    Operation sw = existing(to, op(name, "switch"));
                    if (sw != null && sw.getPhase() == OperationPhase.OPERATION_PHASE_SUCCEEDED) {
                        cp.setSwitched(true);
                        s.setPauseMillis(sw.getPauseMicros() / 1000.0);
                        s.setPhase(CleaningUp);
                        return Duration.ZERO;
                    }
                    if (sw != null && sw.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING) {
                        to.cancelOperation(CancelOperationRequest.newBuilder().setOperationId(op(name, "switch")).build());
                    }
                }
                Operation tr = existing(to, op(name, "transfer"));
                if (tr != null && tr.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING) {
                    to.cancelOperation(CancelOperationRequest.newBuilder().setOperationId(op(name, "transfer")).build());
                }
                to.deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId(op(name, "undo"))
                        .setReplicaId(targetReplicaId(name)).build());
                from.deleteSnapshot(DeleteSnapshotRequest.newBuilder().setOperationId(op(name, "unsnap"))
                        .setSnapshotId(snapshotId(name)).build());
                s.setPhase(machine.next(RollingBack));
                return Duration.ZERO;
            }
            default -> {
                return null;
            }
        }
    }

    private Duration finish(Operation op, VolumeMigrationStatus s, MigrationPhase phase,
                            MigrationException.Reason failure) {
        switch (op.getPhase()) {
            case OPERATION_PHASE_SUCCEEDED -> {
                s.setPhase(machine.next(phase));
                return Duration.ZERO;
            }
            case OPERATION_PHASE_FAILED, OPERATION_PHASE_CANCELLED -> throw new MigrationException(failure, false,
                    op.getKind() + " operation " + op.getOperationId() + " " + op.getPhase() + ": " + op.getReason()
                            + " " + op.getMessage(), null);
            default -> {
                return pollInterval;
            }
        }
    }

    private void progress(VolumeMigrationStatus s, Operation op) {
        long total = op.getBytesTotal() > 0 ? op.getBytesTotal() : s.getBytesTotal() == null ? 0 : s.getBytesTotal();
        s.setBytesTotal(total);
        s.setBytesMoved(op.getBytesDone());
        s.setProgressPercent(total == 0 ? 100 : (int) (100 * op.getBytesDone() / total));
        long elapsedMs = Math.max(1, clock.millis() - (op.getStartedUnixMillis() > 0 ? op.getStartedUnixMillis()
                : clock.millis() - 1));
        long rate = op.getBytesDone() * 1000 / elapsedMs;
        s.setRateBytesPerSecond(rate);
        s.setEtaSeconds(rate > 0 ? (total - op.getBytesDone()) / rate : null);
    }

    private static Operation existing(NodeAgentClient agent, String id) {
        try {
            return agent.getOperation(GetOperationRequest.newBuilder().setOperationId(id).build());
        } catch (NodeAgentException e) {
            if (e.reason() == NodeAgentException.Reason.NotFound) {
                return null;
            }
            throw e;
        }
    }

    /** The source replica: the volume's replica on from.node/from.tier that is not this migration's target. */
    private static Replica findSourceOrNull(NodeAgentClient from, String name, VolumeMigrationSpec spec) {
        for (Replica r : from.listReplicas(ListReplicasRequest.newBuilder().setVolumeId(spec.getVolume()).build())
                .getReplicasList()) {
            if (r.getTier().equals(spec.getFrom().getTier()) && !r.getReplicaId().equals(targetReplicaId(name))) {
                return r;
            }
        }
        return null;
    }

    private static Replica findSource(NodeAgentClient from, String name, VolumeMigrationSpec spec) {
        Replica r = findSourceOrNull(from, name, spec);
        if (r == null) {
            throw new MigrationException(MigrationException.Reason.SourceNotFound, false, "volume " + spec.getVolume()
                    + " has no replica on " + spec.getFrom().getNode() + "/" + spec.getFrom().getTier(), null);
        }
        return r;
    }

    static VolumeMigrationStatus copy(VolumeMigrationStatus p) {
        VolumeMigrationStatus s = new VolumeMigrationStatus();
        if (p == null) {
            return s;
        }
        s.setObservedGeneration(p.getObservedGeneration());
        s.setPhase(p.getPhase());
        s.setBytesTotal(p.getBytesTotal());
        s.setBytesMoved(p.getBytesMoved());
        s.setProgressPercent(p.getProgressPercent());
        s.setRateBytesPerSecond(p.getRateBytesPerSecond());
        s.setEtaSeconds(p.getEtaSeconds());
        s.setPreCopyRounds(p.getPreCopyRounds());
        s.setPauseMillis(p.getPauseMillis());
        s.setStartTime(p.getStartTime());
        s.setCompletionTime(p.getCompletionTime());
        s.setConditions(p.getConditions());
        if (p.getCheckpoint() != null) {
            MigrationCheckpoint c = new MigrationCheckpoint();
            c.setOperationId(p.getCheckpoint().getOperationId());
            c.setSnapshotId(p.getCheckpoint().getSnapshotId());
            c.setTargetReplicaId(p.getCheckpoint().getTargetReplicaId());
            c.setSwitched(p.getCheckpoint().getSwitched());
            s.setCheckpoint(c);
        }
        return s;
    }

    /** For tests: the instant the executor believes it is. */
    Instant now() {
        return clock.instant();
    }
}
