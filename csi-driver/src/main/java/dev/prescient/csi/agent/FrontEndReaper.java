package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.DetachMemberRequest;
import dev.prescient.engine.control.ControlClient;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting a replica whose engine still serves a switched volume to connected clients: the files go, the engine
 * stays (marked {@link NodeRecord#frontEndOnly()}) until its last NBD client left, then it is stopped and retired
 * ({@link HandOver}). Runs every few seconds on the agent's background executor, which also works off the
 * hand-overs.
 */
final class FrontEndReaper {
    private static final Logger LOG = LoggerFactory.getLogger(FrontEndReaper.class);
    static final long PERIOD_S = 5;
    private final FrontEnds fe;
    private final AgentCalls agents;
    private final HandOver handOver;

    FrontEndReaper(FrontEnds fe, AgentCalls agents, HandOver handOver) {
        this.fe = fe;
        this.agents = agents;
        this.handOver = handOver;
    }

    void start(ScheduledExecutorService background) {
        background.scheduleWithFixedDelay(this::reap, PERIOD_S, PERIOD_S, TimeUnit.SECONDS);
    }

    /**
     * Before a replica's files are deleted: detaches it from a remote front-end (best effort) and
     * says whether its own engine must keep running because it serves a switched volume to
     * connected clients (true: leave the process; it is reaped later).
     */
    boolean beforeDelete(String replicaId) throws IOException {
        Optional<NodeRecord.Peer> rec = fe.frontEndOf(replicaId);
        if (rec.isPresent()) {
            NodeRecord.Peer at = rec.get();
            try {
                agents.call(at.agent(), s -> s.detachMember(DetachMemberRequest.newBuilder()
                        .setOperationId("detach-" + replicaId).setReplicaId(at.replicaId())
                        .setMemberReplicaId(replicaId).build()));
            } catch (RuntimeException e) {
                // A front-end that refuses (the member is its only copy) or is gone: the replica
                // is deleted anyway, as asked; the front-end sees it fail.
                LOG.warn("replica {}: detach from front-end {} on {} failed: {}", replicaId, at.replicaId(), at.agent(),
                        e.getMessage());
            }
            fe.state.update(replicaId, r -> r.withFrontEnd(null));
        }
        if (!fe.exports.running(replicaId) || !Files.exists(fe.control(replicaId))) {
            return false;
        }
        ControlClient.Answer st = ControlClient.call(fe.control(replicaId), "STATUS", l -> { });
        boolean switchedAway = st.ok() && "-".equals(st.get("local")) && st.number("members") > 0;
        if (switchedAway && fe.exports.connections(replicaId) > 0) {
            fe.state.update(replicaId, r -> r.withFrontEndOnly(true));
            LOG.info("replica {} deleted; its engine keeps serving the switched volume to {} client(s) until they leave",
                    replicaId, fe.exports.connections(replicaId));
            return true;
        }
        return false;
    }

    /** Stops front-end-only engines whose clients have all disconnected, then works off the hand-overs. */
    void reap() {
        try {
            for (String id : fe.state.ids(r -> r.frontEndOnly() != null)) {
                if (!fe.exports.running(id) || fe.exports.connections(id) == 0) {
                    fe.exports.stop(id);
                    handOver.retire(id);
                    fe.exports.forget(id);
                    fe.state.update(id, r -> r.withFrontEndOnly(false));
                    LOG.info("front-end engine of deleted replica {} stopped: no client left", id);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("front-end reaper: {}", e.toString());
        }
        handOver.pending();
    }
}
