package dev.prescient.csi.agent;

import dev.prescient.csi.CsiException;
import dev.prescient.engine.control.ControlClient;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Which engine of this node serves a volume as its front-end, and where requests naming a front-end go now: the
 * lookups the moves, the hand-over, the hand-off and the reaper share, over the {@link NodeState} records and the
 * engines' control channels.
 */
final class FrontEnds {
    final EngineReplicas store;
    final EngineExports exports;
    final NodeState state;
    /**
     * Held while the hand-over and hand-off records are read and rewritten in more than one step, never during a
     * catch-up. Taken before the engines' and the records' own locks.
     */
    final Object edits = new Object();

    FrontEnds(EngineReplicas store, EngineExports exports) {
        this.store = store;
        this.exports = exports;
        this.state = exports.state();
    }

    /** Where a member replica of this node is attached: the front-end replica and its agent. */
    Optional<NodeRecord.Peer> frontEndOf(String replicaId) throws IOException {
        return Optional.ofNullable(state.get(replicaId).frontEnd());
    }

    boolean frontEndOnly(String replicaId) throws IOException {
        return state.get(replicaId).frontEndOnly() != null;
    }

    boolean frontEndOnlyRunning(String replicaId) throws IOException {
        return frontEndOnly(replicaId) && exports.running(replicaId);
    }

    /** Engines of this node that serve a volume as front-end after their own replica was deleted. */
    List<String> frontEndOnlyIds() throws IOException {
        return state.ids(r -> r.frontEndOnly() != null).stream().filter(exports::running).toList();
    }

    /**
     * The engine serving as front-end in place of {@code engineId}: itself while its replica or engine is here,
     * else the replica it handed its members to when it stopped (retire), followed along later hand-overs.
     * Members on other nodes keep naming the front-end they joined (their records' front-end).
     */
    String successorOf(String engineId) throws IOException {
        String id = engineId;
        for (int hops = 0; hops < 32; hops++) {
            NodeRecord.Peer next = state.get(id).handedTo();
            if (store.find(id).isPresent() || frontEndOnlyRunning(id) || next == null) {
                return id;
            }
            if (!next.agent().isEmpty()) {
                return id; // handed to another node (handedToRemote)
            }
            id = next.replicaId();
        }
        return id;
    }

    /**
     * The replica of this node that serves the volume in place of {@code replicaId} now: {@code replicaId} while its
     * engine runs, else the local successor it handed over to (a move switched the volume away from it), followed
     * along later hand-overs, as long as that replica is here; empty when the chain leaves this node or ends at a
     * replica that is gone. Unlike {@link #successorOf} it follows a hand-over even when the old replica still
     * exists (a kept source is a member of its successor now; serving it again would split the volume).
     */
    Optional<String> servingReplica(String replicaId) throws IOException {
        String id = replicaId;
        for (int hops = 0; hops < 32; hops++) {
            if (exports.running(id)) {
                return Optional.of(id);
            }
            NodeRecord.Peer next = state.get(id).handedTo();
            if (next == null) {
                return store.find(id).isPresent() ? Optional.of(id) : Optional.empty();
            }
            if (!next.agent().isEmpty()) {
                return Optional.empty(); // handed to another node
            }
            id = next.replicaId();
        }
        return Optional.empty();
    }

    /** Where a stopped front-end of this node handed its members on another node, once that hand-off is done. */
    Optional<NodeRecord.Peer> handedToRemote(String engineId) throws IOException {
        NodeRecord.Peer to = state.get(engineId).handedTo();
        return to == null || to.agent().isEmpty() ? Optional.empty() : Optional.of(to);
    }

    /** The first of {@code candidates} whose running engine has every one of {@code members} in its set. */
    Optional<String> holding(List<String> candidates, String... members) throws IOException {
        for (String c : candidates) {
            if (store.find(c).isEmpty() && !frontEndOnly(c) || !exports.running(c) || !Files.exists(control(c))) {
                continue;
            }
            List<String> lines = new ArrayList<>();
            ControlClient.Answer st = ControlClient.call(control(c), "STATUS", lines::add);
            if (!st.ok()) {
                continue;
            }
            boolean all = true;
            for (String mem : members) {
                all &= lines.stream().anyMatch(l -> l.startsWith("MEMBER id=" + mem + " ") && !l.contains("mode=PENDING"));
            }
            if (all) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A volume's front-end on this node and where its reads come from now. */
    public record FrontEndReads(String frontEnd, String volumeId, String readSource, String chosen, int members) {
    }

    /**
     * This node's front-ends: running engines that are no member elsewhere and whose set has other members or lost
     * its own replica to a switch. One STATUS per engine (it takes no lock in the engine).
     */
    List<FrontEndReads> list() throws IOException {
        List<String[]> engines = new ArrayList<>();
        for (var m : store.list()) {
            engines.add(new String[] {m.replicaId(), m.volumeId()});
        }
        for (String id : frontEndOnlyIds()) {
            engines.add(new String[] {id, null});
        }
        List<FrontEndReads> out = new ArrayList<>();
        for (String[] e : engines) {
            String id = e[0];
            if (!exports.running(id) || !Files.exists(control(id)) || frontEndOf(id).isPresent()) {
                continue;
            }
            ControlClient.Answer st;
            try {
                st = ControlClient.call(control(id), "STATUS", l -> { });
            } catch (IOException ex) {
                continue; // stopping or starting: not a front-end this moment
            }
            if (!st.ok()) {
                continue;
            }
            int members = (int) st.number("members");
            if (members < 2 && !"-".equals(st.get("local"))) {
                continue;
            }
            String rs = st.get("read-source");
            String chosen = st.get("chosen-read-source");
            out.add(new FrontEndReads(id, e[1] != null ? e[1] : st.get("volume"), rs == null || rs.equals("-") ? ""
                    : rs, chosen == null || chosen.equals("-") ? "" : chosen, members));
        }
        return out;
    }

    Path control(String replicaId) {
        return exports.controlSocket(replicaId);
    }

    /** One request on an engine's control channel; a refusal becomes a CsiException with the engine's reason. */
    static ControlClient.Answer engine(Path ctl, String request, Consumer<String> lines) throws IOException {
        if (!Files.exists(ctl)) {
            throw new CsiException(Status.Code.FAILED_PRECONDITION, "EngineWithoutControl", "engine control socket "
                    + ctl + " missing (an engine started before control channels existed must be restarted)");
        }
        ControlClient.Answer a = ControlClient.call(ctl, request, lines);
        if (!a.ok()) {
            Status.Code code = switch (a.reason()) {
                case "BadRequest" -> Status.Code.INVALID_ARGUMENT;
                case "NotFound" -> Status.Code.NOT_FOUND;
                case "Unreachable" -> Status.Code.UNAVAILABLE;
                case "IoError", "Internal" -> Status.Code.INTERNAL;
                default -> Status.Code.FAILED_PRECONDITION;
            };
            throw new CsiException(code, a.reason(), "engine: " + request.split(" ")[0] + ": " + a.text());
        }
        return a;
    }
}
