package dev.prescient.local.runtime;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.local.decide.Action;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one action on the real data path: the target node agent copies the source replica (nbdcopy over
 * NBD), blocks written meanwhile are copied again in pre-copy rounds while the workload runs, then I/O pauses for
 * the last dirty blocks and the replica-set swap; the pause is measured. The new replica is verified block by block
 * against the workload's reference before the source is dropped.
 */
public final class Mover {
    private static final Logger LOG = LoggerFactory.getLogger(Mover.class);
    private static final int MAX_ROUNDS = 5;
    private static final int SMALL_ENOUGH_BLOCKS = 8;
    private final NodeAgentClients agents;

    public Mover(NodeAgentClients agents) {
        this.agents = agents;
    }

    /** Runs the action to its end; failures are recorded on {@code rec} (phase Failed, typed message). */
    public void run(LocalVolume v, MigrationRecord rec) {
        Action a = rec.action;
        try {
            switch (a.kind()) {
                case SWITCH_OVER -> switchOver(v, rec);
                case PRE_STAGE -> addReplica(v, rec, false);
                case MIGRATE -> addReplica(v, rec, true);
                default -> throw new IllegalStateException("unknown action " + a.kind());
            }
            rec.phase = MigrationPhase.Succeeded;
            LOG.info("volume {}: {} {} -> {}/{} succeeded (pause {} ms)", v.name, a.kind(), a.fromNode(), a.toNode(),
                    a.toTier(), String.format("%.2f", rec.pauseMillis));
        } catch (Exception e) {
            rec.error = e.getClass().getSimpleName() + ": " + e.getMessage();
            rec.phase = MigrationPhase.Failed;
            LOG.warn("volume {}: {} failed: {}", v.name, a.kind(), rec.error);
        }
    }

    private void switchOver(LocalVolume v, MigrationRecord rec) throws IOException {
        Replica target = v.replicas().stream().filter(r -> r.node.equals(rec.action.toNode())
                && r.state == Replica.State.Healthy).findFirst()
                .orElseThrow(() -> new IOException("no in-sync replica on " + rec.action.toNode()));
        rec.phase = MigrationPhase.SwitchingOver;
        long t0 = System.nanoTime();
        v.io.lock();
        try {
            v.primary().conn().flush();
            v.primary().primary = false;
            target.primary = true;
        } finally {
            v.io.unlock();
        }
        rec.pauseMillis = (System.nanoTime() - t0) / 1e6;
    }

    private void addReplica(LocalVolume v, MigrationRecord rec, boolean dropSource) throws Exception {
        Action a = rec.action;
        Replica source = v.primary();
        String replicaId = v.volumeId + "-" + a.toNode() + "-" + a.toTier() + "-"
                + UUID.randomUUID().toString().substring(0, 6);
        v.startDirtyTracking();
        rec.phase = MigrationPhase.Transferring;
        String opId = "local-" + rec.id;
        Operation op = agents.stub(a.toNode()).addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder()
                .setOperationId(opId).setReplicaId(replicaId).setVolumeId(v.volumeId).setTier(a.toTier())
                .setSourceAddress(agents.address(source.node)).setSourceReplicaId(source.replicaId).build());
        while (op.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING
                || op.getPhase() == OperationPhase.OPERATION_PHASE_UNSPECIFIED) {
            rec.bytesDone = op.getBytesDone();
            rec.bytesTotal = op.getBytesTotal();
            Thread.sleep(200);
            op = agents.stub(a.toNode()).getOperation(GetOperationRequest.newBuilder().setOperationId(opId).build());
        }
        if (op.getPhase() != OperationPhase.OPERATION_PHASE_SUCCEEDED) {
            throw new IOException("AddReplicaFromSource " + op.getPhase() + " " + op.getReason() + ": "
                    + op.getMessage());
        }
        rec.bytesDone = op.getBytesTotal();
        rec.bytesTotal = op.getBytesTotal();
        String uri = agents.stub(a.toNode()).listReplicas(ListReplicasRequest.newBuilder().setVolumeId(v.volumeId)
                .build()).getReplicasList().stream().filter(r -> r.getReplicaId().equals(replicaId)).findFirst()
                .orElseThrow(() -> new IOException("new replica " + replicaId + " not listed")).getNbdEndpoint();
        Replica target = new Replica(a.toNode(), a.toTier(), replicaId, uri, Replica.State.Syncing);
        v.addReplica(target);
        // Pre-copy rounds while the workload keeps writing: each round copies what the previous one left dirty.
        for (int round = 0; round < MAX_ROUNDS; round++) {
            BitSet d;
            v.io.lock();
            try {
                d = v.takeDirtyLocked();
            } finally {
                v.io.unlock();
            }
            rec.preCopyRounds = round + 1;
            if (d.cardinality() <= SMALL_ENOUGH_BLOCKS) {
                v.io.lock();
                try {
                    v.dirtyMergeLocked(d);
                } finally {
                    v.io.unlock();
                }
                break;
            }
            copyBlocks(v, source, target, d, false);
        }
        rec.phase = dropSource ? MigrationPhase.SwitchingOver : MigrationPhase.Verifying;
        long t0 = System.nanoTime();
        v.io.lock();
        try {
            copyBlocks(v, source, target, v.takeDirtyLocked(), true);
            v.stopDirtyTrackingLocked();
            target.conn().flush();
            target.state = Replica.State.Healthy;
            if (dropSource) {
                source.primary = false;
                source.state = Replica.State.Removing;
                target.primary = true;
            }
        } finally {
            v.io.unlock();
        }
        rec.pauseMillis = (System.nanoTime() - t0) / 1e6;
        rec.phase = MigrationPhase.Verifying;
        List<Integer> bad = v.verify(target);
        if (!bad.isEmpty()) {
            throw new IOException(bad.size() + " blocks of " + replicaId + " differ from acknowledged writes, first "
                    + bad.get(0));
        }
        if (dropSource) {
            rec.phase = MigrationPhase.CleaningUp;
            v.io.lock();
            try {
                source.disconnect();
                v.replicas.remove(source);
            } finally {
                v.io.unlock();
            }
            agents.stub(source.node).deleteReplica(DeleteReplicaRequest.newBuilder()
                    .setOperationId("local-" + rec.id + "-drop").setReplicaId(source.replicaId).build());
        }
    }

    /** Copies the given blocks; {@code locked} says whether the caller already holds the volume's I/O lock. */
    private static void copyBlocks(LocalVolume v, Replica from, Replica to, BitSet blocks, boolean locked)
            throws IOException {
        byte[] buf = new byte[v.blockSize];
        for (int b = blocks.nextSetBit(0); b >= 0; b = blocks.nextSetBit(b + 1)) {
            if (!locked) {
                v.io.lock();
            }
            try {
                from.conn().read((long) b * v.blockSize, buf);
                to.conn().write((long) b * v.blockSize, buf, false);
            } finally {
                if (!locked) {
                    v.io.unlock();
                }
            }
        }
    }
}
