package dev.prescient.csi.agent;

import dev.prescient.csi.CsiException;
import dev.prescient.engine.control.ControlClient;
import io.grpc.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Choosing which member a volume's front-end reads from (SetReadSource), here or at the front-end's node. */
final class ReadSources {
    private static final Logger LOG = LoggerFactory.getLogger(ReadSources.class);
    private final FrontEnds fe;
    private final AgentCalls agents;

    ReadSources(FrontEnds fe, AgentCalls agents) {
        this.fe = fe;
        this.agents = agents;
    }

    /**
     * @param frontEnd a replica id of this node, or "agent replica" elsewhere
     * @param before   the read source before (empty: the front-end's own choice)
     */
    record Change(String frontEnd, String before, String now) {
    }

    /**
     * Makes {@code replica_id} the read source of volume {@code volume_id} in its front-end without dropping anyone
     * (engine READ): an engine of this node that is no member elsewhere and has the replica in its set, else the
     * front-end recorded when the replica was added here (forwarded once).
     *
     * @return the front-end and the read source before and now
     */
    Change set(String volumeId, String replicaId, String operationId) throws IOException {
        List<String> candidates = new ArrayList<>();
        boolean volumeHere = false;
        for (var m : fe.store.list()) {
            if (m.volumeId().equals(volumeId)) {
                volumeHere = true;
                if (fe.frontEndOf(m.replicaId()).isEmpty()) {
                    candidates.add(m.replicaId());
                }
            }
        }
        candidates.addAll(fe.frontEndOnlyIds());
        Optional<String> holder = fe.holding(candidates, replicaId);
        if (holder.isPresent()) {
            ControlClient.Answer a = FrontEnds.engine(fe.control(holder.get()), "READ " + replicaId, l -> { });
            LOG.info("volume {}: front-end {} reads from {} now (before: {}), no member dropped", volumeId,
                    holder.get(), replicaId, a.get("previous"));
            String before = a.get("previous");
            return new Change(holder.get(), "-".equals(before) ? "" : before, replicaId);
        }
        Optional<NodeRecord.Peer> rec = fe.store.find(replicaId).isPresent() ? fe.frontEndOf(replicaId) : Optional.empty();
        if (rec.isPresent() && !operationId.startsWith("fwd-")) {
            NodeRecord.Peer at = rec.get();
            var r = agents.call(at.agent(), s -> s.setReadSource(dev.prescient.api.nodeagent.v1.SetReadSourceRequest
                    .newBuilder().setOperationId("fwd-" + operationId).setVolumeId(volumeId).setReplicaId(replicaId)
                    .build()));
            String where = r.getFrontEnd().contains(" ") ? r.getFrontEnd() : at.agent() + " " + r.getFrontEnd();
            return new Change(where, r.getPreviousReadSourceReplicaId(), r.getReadSourceReplicaId());
        }
        if (!volumeHere && candidates.isEmpty()) {
            throw new CsiException(Status.Code.NOT_FOUND, "VolumeNotHere", "no replica or front-end of volume "
                    + volumeId + " on this node");
        }
        throw new CsiException(Status.Code.FAILED_PRECONDITION, "NotMember", "replica " + replicaId
                + " is not a member of a front-end of volume " + volumeId + " known to this node");
    }
}
