package dev.prescient.csi.agent;

import dev.prescient.engine.control.ControlClient;
import dev.prescient.engine.control.Membership;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a front-end engine of this node stops for good (its replica deleted, its clients gone): the
 * replica its last SWITCH made the read source takes over its other members ({@link MemberHandover}). On this node
 * that replica's record lists the members it inherits until each is attached and caught up ({@link
 * NodeRecord#inherit()}); on another node the {@link HandOff} sends them there. The stopped front-end's record then
 * names its successor ({@link NodeRecord#handedTo()}), so requests addressed to it reach the successor.
 */
final class HandOver {
    private static final Logger LOG = LoggerFactory.getLogger(HandOver.class);
    private final FrontEnds fe;
    private final HandOff handOff;
    /** Where the hand-overs are worked off: a full compare of the volume, not on the caller's thread. */
    private final Executor background;

    HandOver(FrontEnds fe, HandOff handOff, Executor background) {
        this.fe = fe;
        this.handOff = handOff;
        this.background = background;
    }

    /**
     * After the engine of {@code engineId} stopped for good, before its membership is forgotten: records who takes
     * its members (when a switch had moved that front-end onto another replica) and where requests naming it go.
     */
    void retire(String engineId) throws IOException {
        NodeRecord rec = fe.state.get(engineId);
        Optional<MemberHandover.ReadSource> source = Optional.ofNullable(rec.readSource())
                .map(p -> new MemberHandover.ReadSource(p.replicaId(), p.agent()));
        Optional<String> readSource = source.map(MemberHandover.ReadSource::replicaId);
        List<String> here = fe.store.list().stream().map(EngineReplicas.ReplicaMeta::replicaId).toList();
        Optional<MemberHandover> h = MemberHandover.planFrom(Membership.read(fe.exports.membersFile(engineId)), source,
                here::contains);
        if (h.isPresent() && !h.get().agent().isEmpty()) {
            // A move to another node: the new replica's agent takes the members (pushed by the hand-off).
            handOff.record(engineId, h.get());
            LOG.info("front-end {} stopped: replica {} on {} inherits its members {}", engineId, h.get().successor(),
                    h.get().agent(), h.get().members().stream().map(Membership.Remote::replicaId).toList());
            fe.state.update(engineId, r -> r.withReadSource(null));
            schedule("the hand-off to " + h.get().successor());
            return;
        }
        if (h.isPresent()) {
            String successor = h.get().successor();
            updateInherit(successor, all -> {
                for (Membership.Remote r : h.get().members()) {
                    if (all.stream().noneMatch(o -> o.replicaId().equals(r.replicaId()))) {
                        all.add(NodeRecord.Member.of(r));
                    }
                }
            });
            LOG.info("front-end {} stopped: replica {} inherits its members {}", engineId, successor,
                    h.get().members().stream().map(Membership.Remote::replicaId).toList());
        }
        // The successor served as a member of that front-end; it is the volume's front-end now, also for requests
        // (attach, detach) that members elsewhere still address to the stopped one.
        String successor = h.map(MemberHandover::successor).orElse(readSource.filter(here::contains).orElse(""));
        if (!successor.isEmpty()) {
            fe.state.update(successor, r -> r.frontEnd() != null && r.frontEnd().replicaId().equals(engineId)
                    ? r.withFrontEnd(null) : r);
        }
        fe.state.update(engineId, r -> {
            NodeRecord next = r.withReadSource(null);
            return successor.isEmpty() ? next : next.withHandedTo(new NodeRecord.Peer(successor, ""));
        });
        if (h.isPresent()) {
            schedule("the hand-over to " + successor);
        }
    }

    private void schedule(String what) {
        try {
            background.execute(this::pending);
        } catch (RejectedExecutionException e) {
            LOG.info("agent stopping: {} resumes from its record on the next start", what);
        }
    }

    /** Edits a successor's inherited members (emptied: removed); retire adds while they are worked off. */
    private void updateInherit(String successor, Consumer<List<NodeRecord.Member>> edit) throws IOException {
        synchronized (fe.edits) {
            fe.state.update(successor, r -> {
                List<NodeRecord.Member> all = new ArrayList<>(r.inherit() == null ? List.of() : r.inherit());
                edit.accept(all);
                return r.withInherit(all);
            });
        }
    }

    /**
     * Works off the hand-offs to other nodes, then attaches the members each successor here inherited to its engine
     * and catches them up. They are compared block by block (existing copies): writes the successor's own clients
     * made before the attach are not known to them. A member that cannot be attached yet (its node unreachable) is
     * retried on the next round.
     */
    synchronized void pending() {
        handOff.pending();
        List<String> pending;
        try {
            pending = fe.state.ids(r -> r.inherit() != null);
        } catch (IOException e) {
            LOG.warn("member hand-over: {}", e.toString());
            return;
        }
        for (String successor : pending) {
            try {
                var m = fe.store.find(successor);
                if (m.isEmpty()) {
                    LOG.warn("replica {} was deleted before it took over its members", successor);
                    updateInherit(successor, List::clear);
                    continue;
                }
                fe.exports.ensure(successor, m.get().volumeId(), m.get().tier());
                List<NodeRecord.Member> todo;
                synchronized (fe.edits) {
                    todo = fe.state.get(successor).inherit();
                }
                List<String> done = new ArrayList<>();
                for (NodeRecord.Member r : todo == null ? List.<NodeRecord.Member>of() : todo) {
                    try {
                        FrontEnds.engine(fe.control(successor), "ATTACH " + r.replicaId() + " " + r.endpoint()
                                + " existing=true", l -> { });
                        ControlClient.Answer cu = FrontEnds.engine(fe.control(successor), "CATCHUP " + r.replicaId(),
                                l -> { });
                        LOG.info("replica {}: inherited member {} at {} attached and caught up ({})", successor,
                                r.replicaId(), r.endpoint(), cu.text());
                        done.add(r.replicaId());
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("replica {}: inherited member {} at {} not attached yet: {}", successor, r.replicaId(),
                                r.endpoint(), e.getMessage());
                    }
                }
                updateInherit(successor, left -> left.removeIf(r -> done.contains(r.replicaId())));
            } catch (IOException | RuntimeException e) {
                LOG.warn("member hand-over to {}: {}", successor, e.toString());
            }
        }
    }

    /**
     * Drops the redirects whose chain on this node ends at a replica that is gone (deleted, its engine stopped,
     * handed to no one): they lead nowhere, and they would outlive the volume. A chain that goes on to another
     * node, or ends at a replica still here or still serving, is kept.
     */
    void dropDeadRedirects() throws IOException {
        synchronized (fe.edits) {
            for (String id : fe.state.ids(r -> r.handedTo() != null)) {
                String end = fe.successorOf(id);
                boolean gone = !end.equals(id) && fe.store.find(end).isEmpty() && !fe.exports.running(end)
                        && !fe.frontEndOnlyRunning(end) && fe.state.get(end).handedTo() == null;
                if (gone) {
                    fe.state.update(id, r -> r.withHandedTo(null));
                }
            }
        }
    }
}
