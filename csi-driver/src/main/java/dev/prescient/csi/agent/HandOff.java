package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.AttachMemberRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hand-off of a stopped front-end's members to its successor on another node (a move there made that replica
 * the read source): the front-end's record keeps the members still to send ({@link NodeRecord#handOff()}); each
 * goes there by AttachMember (an existing copy, compared block by block), retried every round until it succeeded.
 * Once all are there the record names the successor instead ({@link NodeRecord#handedTo()}).
 */
final class HandOff {
    private static final Logger LOG = LoggerFactory.getLogger(HandOff.class);
    private final FrontEnds fe;
    private final AgentCalls agents;
    /** Attempts per hand-off member (in memory): each retry after a failed one is a new operation there. */
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    HandOff(FrontEnds fe, AgentCalls agents) {
        this.fe = fe;
        this.agents = agents;
    }

    /** Records that {@code frontEnd}'s members go to {@code h}'s successor on another node. */
    void record(String frontEnd, MemberHandover h) throws IOException {
        if (h.agent().isEmpty()) {
            throw new IllegalArgumentException("hand-over to " + h.successor() + " is on this node");
        }
        synchronized (fe.edits) {
            fe.state.update(frontEnd, r -> r.withHandOff(new NodeRecord.HandOff(h.successor(), h.agent(),
                    h.members().stream().map(NodeRecord.Member::of).toList())));
        }
    }

    /**
     * Sends the members of stopped front-ends to the agents of their read sources on other nodes: AttachMember of
     * each to the successor there, whose agent attaches it to the successor's own engine once it finds this
     * front-end gone. The operation ids are fixed per attempt, so a restart here follows the one already running
     * there.
     */
    void pending() {
        List<String> pending;
        try {
            pending = fe.state.ids(r -> r.handOff() != null);
        } catch (IOException e) {
            LOG.warn("member hand-off: {}", e.toString());
            return;
        }
        for (String frontEnd : pending) {
            try {
                if (fe.handedToRemote(frontEnd).isPresent()) {
                    fe.state.update(frontEnd, r -> r.withHandOff(null)); // done before a crash: the redirect is there
                    continue;
                }
                NodeRecord.HandOff h;
                synchronized (fe.edits) {
                    h = fe.state.get(frontEnd).handOff();
                }
                if (h == null) {
                    continue;
                }
                List<String> done = new ArrayList<>();
                for (NodeRecord.Member r : h.members()) {
                    String key = frontEnd + "-" + r.replicaId();
                    String opId = "handoff-" + key + "-" + attempts.getOrDefault(key, 0);
                    try {
                        Operation started = agents.call(h.agent(), s -> s.attachMember(AttachMemberRequest.newBuilder()
                                .setOperationId(opId).setReplicaId(h.successor()).setMemberReplicaId(r.replicaId())
                                .setMemberEndpoint(r.endpoint()).setExistingCopy(true).build()));
                        agents.follow(h.agent(), started, AgentCalls.IGNORED);
                        attempts.remove(key);
                        done.add(r.replicaId());
                        LOG.info("front-end {}: member {} handed to {} on {}", frontEnd, r.replicaId(), h.successor(),
                                h.agent());
                    } catch (Exception e) {
                        attempts.merge(key, 1, Integer::sum);
                        LOG.warn("front-end {}: member {} not handed to {} on {} yet: {}", frontEnd, r.replicaId(),
                                h.successor(), h.agent(), e.getMessage());
                    }
                }
                edit(frontEnd, left -> left.removeIf(r -> done.contains(r.replicaId())));
            } catch (IOException | RuntimeException e) {
                LOG.warn("member hand-off of {}: {}", frontEnd, e.toString());
            }
        }
    }

    /**
     * Edits a stopped front-end's hand-off (a detach removes a member while the reaper works it off). Emptied, it
     * becomes the redirect to the successor: members elsewhere still name this front-end (their records), so their
     * AttachMember and DetachMember go on to the successor from then on. Written only then: until its agent took
     * the members, the successor's own record named this front-end, and forwarding there would loop.
     */
    void edit(String frontEnd, Consumer<List<NodeRecord.Member>> edit) throws IOException {
        synchronized (fe.edits) {
            fe.state.update(frontEnd, r -> {
                NodeRecord.HandOff h = r.handOff();
                if (h == null) {
                    return r;
                }
                List<NodeRecord.Member> left = new ArrayList<>(h.members());
                edit.accept(left);
                if (left.isEmpty()) {
                    return r.withHandOff(null).withHandedTo(new NodeRecord.Peer(h.successor(), h.agent()));
                }
                return r.withHandOff(new NodeRecord.HandOff(h.successor(), h.agent(), left));
            });
        }
    }

    /** Whether a hand-off of {@code frontEnd}'s members is under way and {@code member} is not one of them. */
    boolean pendingExcept(String frontEnd, String member) throws IOException {
        NodeRecord.HandOff h = fe.state.get(frontEnd).handOff();
        return h != null && h.members().stream().noneMatch(r -> r.replicaId().equals(member));
    }
}
