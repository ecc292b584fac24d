package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.AttachMemberRequest;
import dev.prescient.api.nodeagent.v1.DetachMemberRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.csi.CsiException;
import dev.prescient.engine.control.ControlClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live data moves between replicas of a volume, driven through the engines' control channels.
 * The engine of the replica a consumer attached to is the volume's <em>front-end</em>: its replica
 * set is the volume's. A new replica (here or on another node) is served by its own engine with a
 * replication listener, and the front-end takes it into its set as a member (ATTACH, CATCHUP);
 * SWITCH then makes it the read source and drops the old local replica, with the consumer still
 * connected to the front-end. A replica on the same node on another tier goes the same way over
 * loopback, so every replica file keeps exactly one owning process.
 *
 * <p>What the agent remembers about each replica and front-end is its {@link NodeRecord}: the front-end a member
 * joined, the read source a SWITCH chose, ... A deleted replica whose engine still serves a switched volume is
 * stopped by the {@link FrontEndReaper} once no client is connected; its members then go to its read source
 * ({@link HandOver} on this node, {@link HandOff} to another), and requests still naming it follow
 * ({@link FrontEnds#successorOf}).
 */
public final class VolumeMoves implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeMoves.class);
    /** AttachMember's reason when the named engine neither has a replica here nor serves as a front-end. */
    static final String NO_FRONT_END = "NoFrontEnd";

    private final EngineReplicas store;
    private final EngineExports exports;
    private final NodeState state;
    private final FrontEnds fe;
    private final AgentCalls agents;
    private final HandOff handOff;
    private final HandOver handOver;
    private final FrontEndReaper reaper;
    private final ReadSources readSources;
    /** The reaper's rounds and the hand-overs' catch-ups: one named daemon thread. */
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "front-end-reaper");
        t.setDaemon(true);
        return t;
    });

    /** @param channels opens a channel to another node agent (host:port) */
    public VolumeMoves(EngineReplicas store, EngineExports exports, Function<String, ManagedChannel> channels) {
        this.store = store;
        this.exports = exports;
        this.state = exports.state();
        this.fe = new FrontEnds(store, exports);
        this.agents = new AgentCalls(channels);
        this.handOff = new HandOff(fe, agents);
        this.handOver = new HandOver(fe, handOff, background);
        this.reaper = new FrontEndReaper(fe, agents, handOver);
        this.readSources = new ReadSources(fe, agents);
        reaper.start(background);
    }

    /** "agent replica", as operations report a front-end. */
    private static NodeRecord.Peer at(String agentAndReplica) {
        String[] f = agentAndReplica.strip().split(" ", 2);
        if (f.length != 2) {
            throw new IllegalStateException("front-end '" + agentAndReplica + "' is not 'agent replica'");
        }
        return new NodeRecord.Peer(f[1], f[0]);
    }

    private static String wire(NodeRecord.Peer p) {
        return p.agent() + " " + p.replicaId();
    }

    // ---- on the node of the new replica ----

    /**
     * Creates the new replica here (or keeps an older copy of it: then only differing blocks
     * travel), serves it for replication and has the source node's front-end attach and catch it
     * up. Progress is the source's. Cancel detaches it; the partial copy stays (marked filling),
     * a later call resumes from it.
     */
    public void addReplicaFromSource(AddReplicaFromSourceRequest req, Operations.Progress p) throws Exception {
        Replica src = agents.call(req.getSourceAddress(), s -> s.listReplicas(ListReplicasRequest.newBuilder()
                .setVolumeId(req.getVolumeId()).build())).getReplicasList().stream()
                .filter(r -> r.getReplicaId().equals(req.getSourceReplicaId())).findFirst()
                .orElseThrow(() -> new CsiException(Status.Code.NOT_FOUND, "SourceReplicaMissing",
                        "source has no replica " + req.getSourceReplicaId() + " of volume " + req.getVolumeId()));
        Optional<EngineReplicas.ReplicaMeta> existing = store.find(req.getReplicaId());
        if (existing.isPresent()) {
            var m = existing.get();
            if (!m.volumeId().equals(req.getVolumeId()) || m.sizeBytes() < src.getSizeBytes()) {
                throw new CsiException(Status.Code.ALREADY_EXISTS, "ReplicaMismatch", "replica " + m.replicaId()
                        + " exists here for volume " + m.volumeId() + " with " + m.sizeBytes() + " bytes");
            }
        }
        boolean olderCopy = existing.isPresent();
        String tier = req.getTier().isEmpty() ? "default" : req.getTier();
        String fillingFrom = req.getSourceAddress() + " " + req.getSourceReplicaId();
        state.update(req.getReplicaId(), r -> olderCopy && r.filling() != null ? r : r.withFilling(fillingFrom));
        var m = olderCopy ? existing.get()
                : store.create(req.getReplicaId(), req.getVolumeId(), tier, src.getSizeBytes(), src.getAllocatedBytes());
        exports.ensure(m.replicaId(), m.volumeId(), m.tier());
        state.update(m.replicaId(), r -> r.withFrontEnd(new NodeRecord.Peer(req.getSourceReplicaId(),
                req.getSourceAddress())));
        String remoteOp = "attach-" + req.getOperationId();
        String endpoint = exports.replicationEndpoint(m.replicaId());
        Operation started = agents.call(req.getSourceAddress(), s -> s.attachMember(AttachMemberRequest.newBuilder()
                .setOperationId(remoteOp).setReplicaId(req.getSourceReplicaId()).setMemberReplicaId(m.replicaId())
                .setMemberEndpoint(endpoint).setExistingCopy(olderCopy)
                .setMaxBytesPerSecond(req.getMaxBytesPerSecond()).build()));
        Operation done = agents.follow(req.getSourceAddress(), started, p);
        if (done != null) {
            // When the source was itself a member the attach went on to the volume's real front-end: record that one.
            String where = done.getFrontEnd().isEmpty() ? req.getSourceAddress() + " " + req.getSourceReplicaId()
                    : done.getFrontEnd();
            state.update(m.replicaId(), r -> r.withFrontEnd(at(where)));
            p.report(b -> b.setFrontEnd(where));
        }
        if (done != null && done.getPhase() == OperationPhase.OPERATION_PHASE_SUCCEEDED) {
            state.update(m.replicaId(), r -> r.withFilling(null));
        }
    }

    // ---- on the front-end's node ----

    /** ATTACH + CATCHUP in the engine of the front-end replica; a cancel detaches the member again. */
    public void attachMember(AttachMemberRequest req, Operations.Progress p) throws Exception {
        // The front-end may be the engine of a replica that an earlier switch moved away and deleted: it still
        // serves the volume and takes members.
        String engineId = fe.successorOf(req.getReplicaId());
        var found = store.find(engineId);
        if (found.isEmpty() && !fe.frontEndOnlyRunning(engineId)) {
            Optional<NodeRecord.Peer> away = fe.handedToRemote(engineId);
            if (away.isEmpty() && handOff.pendingExcept(engineId, req.getMemberReplicaId())) {
                // Its members are on their way to the successor on another node: not "no front-end" for a new one
                // (the caller's own replica would then serve the volume's move itself, outside its data path). The
                // hand-off's own request (forwarded back here by the successor) gets "no front-end": the successor
                // then takes the member itself.
                throw new CsiException(Status.Code.UNAVAILABLE, "HandOffPending", "front-end " + engineId
                        + " stopped; its members are being handed to its successor on another node, retry");
            }
            if (away.isEmpty()) {
                throw new CsiException(Status.Code.NOT_FOUND, NO_FRONT_END, "replica " + engineId + " not on this node");
            }
            // The front-end stopped after a move to another node and handed its members there: so is this one.
            NodeRecord.Peer to = away.get();
            if (req.getOperationId().endsWith("-fwd-fwd-fwd")) {
                throw new CsiException(Status.Code.FAILED_PRECONDITION, "ForwardLoop", "front-end " + engineId
                        + " handed to " + to.replicaId() + " on " + to.agent() + ", which names it again");
            }
            Operation started = agents.call(to.agent(), s -> s.attachMember(req.toBuilder()
                    .setReplicaId(to.replicaId()).setOperationId(req.getOperationId() + "-fwd").build()));
            Operation done = agents.follow(to.agent(), started, p);
            String where = done == null || done.getFrontEnd().isEmpty() ? wire(to) : done.getFrontEnd();
            p.report(b -> b.setFrontEnd(where));
            LOG.info("front-end {} (handed to {}): member {} attached there", engineId, where, req.getMemberReplicaId());
            return;
        }
        Optional<NodeRecord.Peer> joined = found.isEmpty() ? Optional.empty() : fe.frontEndOf(engineId);
        if (joined.isPresent()) {
            // This replica is a member of a front-end elsewhere (an earlier move made it so): the consumer's I/O
            // goes through that front-end, so the new member must join it there - joining this replica's own
            // engine would leave the new copy outside the volume's data path.
            NodeRecord.Peer at = joined.get();
            Operation done;
            try {
                Operation started = agents.call(at.agent(), s -> s.attachMember(req.toBuilder()
                        .setReplicaId(at.replicaId()).setOperationId(req.getOperationId() + "-fwd").build()));
                done = agents.follow(at.agent(), started, p);
            } catch (CsiException e) {
                if (!NO_FRONT_END.equals(e.reason())) {
                    throw e;
                }
                // That front-end was the engine of a deleted replica and has stopped since its last client left:
                // the volume has no front-end now, and this member, in sync until then, holds every acknowledged
                // write. It takes the new member itself - unless it was still being filled when that happened.
                if (state.get(engineId).filling() != null) {
                    throw new CsiException(Status.Code.FAILED_PRECONDITION, "ReplicaIncomplete", "replica " + engineId
                            + " was still being filled when its front-end " + at.replicaId() + " on " + at.agent() + " stopped");
                }
                LOG.info("replica {}: its front-end {} on {} is gone; it serves the volume's move itself", engineId,
                        at.replicaId(), at.agent());
                state.update(engineId, r -> r.withFrontEnd(null));
                attachMember(req, p);
                return;
            }
            String where = done == null || done.getFrontEnd().isEmpty() ? wire(at) : done.getFrontEnd();
            p.report(b -> b.setFrontEnd(where));
            LOG.info("replica {}: member {} attached to the volume's front-end {} (forwarded)", engineId,
                    req.getMemberReplicaId(), where);
            return;
        }
        if (found.isPresent()) {
            exports.ensure(engineId, found.get().volumeId(), found.get().tier());
        }
        Path ctl = fe.control(engineId);
        ControlClient.Answer att = FrontEnds.engine(ctl, "ATTACH " + req.getMemberReplicaId() + " "
                + req.getMemberEndpoint()
                + (req.getExistingCopy() ? " existing=true" : ""), l -> { });
        LOG.info("replica {}: member {} at {} attached: {}", engineId, req.getMemberReplicaId(),
                req.getMemberEndpoint(), att.text());
        ControlClient.Answer cu;
        try {
            cu = FrontEnds.engine(ctl, "CATCHUP " + req.getMemberReplicaId()
                    + (req.getMaxBytesPerSecond() > 0 ? " bps=" + req.getMaxBytesPerSecond() : ""), line -> {
                        if (p.cancelled()) {
                            throw new CancellationException(); // hanging up cancels the catch-up
                        }
                        if (line.startsWith("PROGRESS ")) {
                            ControlClient.Answer a = new ControlClient.Answer(true, line.substring(9));
                            p.update(a.number("done"), a.number("total"));
                            p.report(b -> b.setBytesSent(a.number("sent")));
                        }
                    });
        } catch (CancellationException | ClosedByInterruptException | InterruptedIOException e) {
            // DETACH waits until the engine noticed the hang-up and let go of the set.
            AgentCalls.despiteInterrupts(() -> FrontEnds.engine(ctl, "DETACH " + req.getMemberReplicaId(), l -> { }));
            LOG.info("replica {}: catch-up of {} cancelled, member detached", engineId, req.getMemberReplicaId());
            return;
        }
        long copied = cu.number("copied-bytes");
        p.update(copied, copied);
        // The promotion's I/O pause (0 unless the rounds did not converge and a paused final round ran).
        p.report(b -> b.setBytesSent(cu.number("sent-bytes")).setPauseMicros(cu.number("pause-us")));
    }

    public boolean detachMember(DetachMemberRequest req) throws IOException {
        String engineId = fe.successorOf(req.getReplicaId());
        if (!exports.running(engineId)) {
            Optional<NodeRecord.Peer> away = fe.handedToRemote(engineId);
            if (away.isPresent()) {
                NodeRecord.Peer to = away.get();
                return agents.call(to.agent(), s -> s.detachMember(req.toBuilder().setReplicaId(to.replicaId())
                        .build()))
                        .getExisted();
            }
            boolean[] pending = {false};
            handOff.edit(engineId, left -> pending[0] = left.removeIf(r -> r.replicaId().equals(req.getMemberReplicaId())));
            if (pending[0]) {
                return true; // a deleted member is not handed on
            }
            return false; // no front-end running: nothing holds the member
        }
        return FrontEnds.engine(fe.control(engineId), "DETACH " + req.getMemberReplicaId(), l -> { }).get("existed")
                .equals("true");
    }

    /**
     * Compares {@code replica_id} with its peer in the front-end holding both: the engine of one
     * of them on this node, else forwarded to the peer's node (once: the forward has no peer address).
     */
    public void scrub(ScrubRequest req, Operations.Progress p) throws Exception {
        List<String> candidates = new ArrayList<>(List.of(req.getReplicaId(), req.getPeerReplicaId()));
        candidates.addAll(fe.frontEndOnlyIds());
        Optional<String> holder = fe.holding(candidates, req.getReplicaId(), req.getPeerReplicaId());
        Optional<NodeRecord.Peer> rec = fe.frontEndOf(req.getReplicaId());
        if (holder.isEmpty() && rec.isPresent() && !req.getOperationId().startsWith("fwd-")) {
            // Both are members of the volume's front-end recorded when this replica joined it.
            Operation started = agents.call(rec.get().agent(), s -> s.scrub(req.toBuilder().setOperationId("fwd-"
                    + req.getOperationId()).setPeerAddress("").build()));
            agents.follow(rec.get().agent(), started, p);
            return;
        }
        if (holder.isEmpty()) {
            if (req.getPeerAddress().isEmpty()) {
                throw new CsiException(Status.Code.FAILED_PRECONDITION, "NotMembers", "no engine on this node holds "
                        + req.getReplicaId() + " and " + req.getPeerReplicaId() + " in one replica set");
            }
            Operation started = agents.call(req.getPeerAddress(), s -> s.scrub(ScrubRequest.newBuilder()
                    .setOperationId("fwd-" + req.getOperationId()).setReplicaId(req.getPeerReplicaId())
                    .setPeerReplicaId(req.getReplicaId()).setMaxBytesPerSecond(req.getMaxBytesPerSecond()).build()));
            agents.follow(req.getPeerAddress(), started, p);
            return;
        }
        ControlClient.Answer a = FrontEnds.engine(fe.control(holder.get()), "SCRUB" + (req.getMaxBytesPerSecond() > 0
                ? " bps=" + req.getMaxBytesPerSecond() : ""), l -> { });
        long compared = a.number("compared-bytes");
        p.update(compared, compared);
        p.report(b -> b.setMismatchesRepaired(a.number("repaired")));
        if (a.number("unrepaired") > 0) {
            throw new CsiException(Status.Code.DATA_LOSS, "ScrubUnrepaired", a.number("unrepaired")
                    + " extent(s) differ and could not be repaired: " + a.text());
        }
    }

    /**
     * Switches volume {@code volume_id} to {@code new_replica_id} in its front-end: an engine of
     * this node that has it as a member, else the front-end recorded when the replica was added.
     */
    public void switchOver(SwitchOverRequest req, Operations.Progress p) throws Exception {
        List<String> locals = new ArrayList<>();
        for (var m : store.list()) {
            if (m.volumeId().equals(req.getVolumeId()) && !m.replicaId().equals(req.getNewReplicaId())) {
                locals.add(m.replicaId());
            }
        }
        locals.addAll(fe.frontEndOnlyIds());
        Optional<String> holder = fe.holding(locals, req.getNewReplicaId());
        if (holder.isPresent()) {
            String frontEnd = holder.get();
            long maxPause = req.getMaxPauseMillis() > 0 ? req.getMaxPauseMillis() : 2000;
            // The replica being replaced: the migration's source when named, else this front-end's own replica;
            // one that is no longer in the set was dropped already (an earlier move took it out).
            String old = req.getOldReplicaId().isEmpty() ? frontEnd : req.getOldReplicaId();
            List<String> status = new ArrayList<>();
            ControlClient.call(fe.control(frontEnd), "STATUS", status::add);
            String drop = status.stream().anyMatch(l -> l.startsWith("MEMBER id=" + old + " ")) ? " " + old : "";
            ControlClient.Answer a = FrontEnds.engine(fe.control(frontEnd), "SWITCH " + req.getNewReplicaId() + drop
                    + " max-pause-ms=" + maxPause, l -> { });
            p.report(b -> b.setPauseMicros(a.number("pause-us")));
            // Whose engine takes the front-end's other members once the front-end stops (retire).
            // On another node (a move there) that node's agent, named by the caller, is where they go.
            state.update(frontEnd, r -> r.withReadSource(new NodeRecord.Peer(req.getNewReplicaId(),
                    req.getNewReplicaAddress())));
            LOG.info("volume {}: front-end {} switched to {}: {}", req.getVolumeId(), frontEnd, req.getNewReplicaId(),
                    a.text());
            return;
        }
        Optional<NodeRecord.Peer> rec = fe.frontEndOf(req.getNewReplicaId());
        if (rec.isEmpty() || req.getOperationId().startsWith("fwd-")) {
            throw new CsiException(Status.Code.FAILED_PRECONDITION, "NoFrontEnd", "replica " + req.getNewReplicaId()
                    + " is not a member of a front-end known to this node; add it with AddReplicaFromSource first");
        }
        Operation started = agents.call(rec.get().agent(), s -> s.switchOver(req.toBuilder()
                .setOperationId("fwd-" + req.getOperationId()).build()));
        agents.follow(rec.get().agent(), started, p);
    }

    /** See {@link ReadSources#set}. */
    public ReadSources.Change setReadSource(String volumeId, String replicaId, String operationId) throws IOException {
        return readSources.set(volumeId, replicaId, operationId);
    }

    /** This node's front-ends and where their reads come from now. */
    public List<FrontEnds.FrontEndReads> frontEnds() throws IOException {
        return fe.list();
    }

    /** See {@link FrontEnds#servingReplica}. */
    Optional<String> servingReplica(String replicaId) throws IOException {
        return fe.servingReplica(replicaId);
    }

    /** Engines still serving as a volume's front-end after their own replica was deleted: engine id -> volume. */
    java.util.Map<String, String> frontEndsWithoutReplica() throws IOException {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (String id : fe.frontEndOnlyIds()) {
            try {
                out.put(id, dev.prescient.engine.control.Membership.read(exports.membersFile(id)).volumeId());
            } catch (IOException e) {
                // gone or being rewritten by the engine; next time
            }
        }
        return out;
    }

    public boolean frontEndOnlyRunning(String replicaId) throws IOException {
        return fe.frontEndOnlyRunning(replicaId);
    }

    /** See {@link FrontEndReaper#beforeDelete}. */
    public boolean beforeDelete(String replicaId) throws IOException {
        return reaper.beforeDelete(replicaId);
    }

    /** See {@link HandOver#retire}. */
    public void retire(String engineId) throws IOException {
        handOver.retire(engineId);
    }

    void dropDeadRedirects() throws IOException {
        handOver.dropDeadRedirects();
    }

    /** One round of the reaper (tests; it also runs every few seconds). */
    public void reap() {
        reaper.reap();
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
