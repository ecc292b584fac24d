package dev.prescient.csi.agent;

import dev.prescient.engine.io.AtomicFiles;
import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.AttachMemberRequest;
import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.DetachMemberRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.csi.CsiException;
import dev.prescient.engine.control.ControlClient;
import dev.prescient.engine.control.Membership;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <p>Records in the run directory: {@code <member>.frontend} = "agentAddress frontEndReplica"
 * (where a member replica of this node is attached), {@code <replica>.frontend-only} (a replica
 * deleted while its engine still serves a switched volume to connected clients; that engine is
 * stopped by {@link #reap()} once no NBD client is connected, or on the next DeleteReplica).
 * When such an engine stops, the replica its last SWITCH made the read source ({@code <replica>.read-source})
 * takes over the front-end's other members ({@link MemberHandover}, {@code <successor>.inherit} until done) and
 * answers for it ({@code <replica>.handed-to}): members elsewhere still name the front-end they joined.
 */
public final class VolumeMoves implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeMoves.class);
    /** AttachMember's reason when the named engine neither has a replica here nor serves as a front-end. */
    static final String NO_FRONT_END = "NoFrontEnd";
    private static final long POLL_MS = 200;

    private final EngineReplicas store;
    private final EngineExports exports;
    private final Function<String, ManagedChannel> channels;
    /** Guards the {@code .inherit} records; held only while one is read or rewritten, never during a catch-up. */
    private final Object inheritLock = new Object();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "front-end-reaper");
        t.setDaemon(true);
        return t;
    });

    /** @param channels opens a channel to another node agent (host:port) */
    public VolumeMoves(EngineReplicas store, EngineExports exports, Function<String, ManagedChannel> channels) {
        this.store = store;
        this.exports = exports;
        this.channels = channels;
        reaper.scheduleWithFixedDelay(this::reap, 5, 5, TimeUnit.SECONDS);
    }

    Path fillingMarker(String replicaId) {
        return exports.runDir().resolve(replicaId + ".filling");
    }

    private Path frontEndRecord(String replicaId) {
        return exports.runDir().resolve(replicaId + ".frontend");
    }

    private Path frontEndOnly(String replicaId) {
        return exports.runDir().resolve(replicaId + ".frontend-only");
    }

    /** Where a member replica of this node is attached: agent address and front-end replica. */
    Optional<String[]> frontEndOf(String replicaId) throws IOException {
        Path f = frontEndRecord(replicaId);
        return Files.exists(f) ? Optional.of(Files.readString(f).strip().split(" ", 2)) : Optional.empty();
    }

    // ---- on the node of the new replica ----

    /**
     * Creates the new replica here (or keeps an older copy of it: then only differing blocks
     * travel), serves it for replication and has the source node's front-end attach and catch it
     * up. Progress is the source's. Cancel detaches it; the partial copy stays (marked filling),
     * a later call resumes from it.
     */
    public void addReplicaFromSource(AddReplicaFromSourceRequest req, Operations.Progress p) throws Exception {
        Replica src = call(req.getSourceAddress(), s -> s.listReplicas(ListReplicasRequest.newBuilder()
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
        if (!olderCopy || !Files.exists(fillingMarker(req.getReplicaId()))) {
            Files.writeString(fillingMarker(req.getReplicaId()), req.getSourceAddress() + " " + req.getSourceReplicaId());
        }
        var m = olderCopy ? existing.get()
                : store.create(req.getReplicaId(), req.getVolumeId(), tier, src.getSizeBytes(), src.getAllocatedBytes());
        exports.ensure(m.replicaId(), m.volumeId(), m.tier());
        AtomicFiles.write(frontEndRecord(m.replicaId()), req.getSourceAddress() + " " + req.getSourceReplicaId());
        String remoteOp = "attach-" + req.getOperationId();
        String endpoint = exports.replicationEndpoint(m.replicaId());
        Operation started = call(req.getSourceAddress(), s -> s.attachMember(AttachMemberRequest.newBuilder()
                .setOperationId(remoteOp).setReplicaId(req.getSourceReplicaId()).setMemberReplicaId(m.replicaId())
                .setMemberEndpoint(endpoint).setExistingCopy(olderCopy)
                .setMaxBytesPerSecond(req.getMaxBytesPerSecond()).build()));
        Operation done = follow(req.getSourceAddress(), started, p);
        if (done != null) {
            // When the source was itself a member the attach went on to the volume's real front-end: record that one.
            String where = done.getFrontEnd().isEmpty() ? req.getSourceAddress() + " " + req.getSourceReplicaId()
                    : done.getFrontEnd();
            AtomicFiles.write(frontEndRecord(m.replicaId()), where);
            p.report(b -> b.setFrontEnd(where));
        }
        if (done != null && done.getPhase() == OperationPhase.OPERATION_PHASE_SUCCEEDED) {
            Files.deleteIfExists(fillingMarker(m.replicaId()));
        }
    }

    /**
     * Mirrors a remote operation into {@code p} until it ends; a cancel of ours cancels it.
     * Returns the final remote state, or null when cancelled; a failed remote fails ours.
     */
    private Operation follow(String address, Operation op, Operations.Progress p) throws Exception {
        String id = op.getOperationId();
        while (true) {
            Operation o = op;
            p.update(o.getBytesDone(), o.getBytesTotal());
            p.report(b -> b.setBytesSent(o.getBytesSent()).setPauseMicros(o.getPauseMicros())
                    .setMismatchesRepaired(o.getMismatchesRepaired()));
            switch (o.getPhase()) {
                case OPERATION_PHASE_SUCCEEDED -> {
                    return o;
                }
                case OPERATION_PHASE_FAILED -> throw new CsiException(Status.Code.FAILED_PRECONDITION,
                        o.getReason().isEmpty() ? "RemoteFailed" : o.getReason(), "on " + address + ": " + o.getMessage());
                case OPERATION_PHASE_CANCELLED -> {
                    if (p.cancelled()) {
                        return null;
                    }
                    throw new CsiException(Status.Code.ABORTED, "RemoteCancelled", "operation " + id + " on "
                            + address + " was cancelled there");
                }
                default -> { }
            }
            boolean cancel = p.cancelled();
            if (!cancel) {
                try {
                    Thread.sleep(POLL_MS);
                    op = call(address, s -> s.getOperation(GetOperationRequest.newBuilder().setOperationId(id).build()));
                    continue;
                } catch (InterruptedException | CancellationException e) {
                    cancel = true;
                } catch (StatusRuntimeException e) {
                    if (!p.cancelled()) {
                        throw e;
                    }
                    cancel = true;
                }
            }
            // The cancel interrupts this thread (maybe a little later): the calls below must still go out.
            despiteInterrupts(() -> call(address, s -> s.cancelOperation(
                    CancelOperationRequest.newBuilder().setOperationId(id).build())));
            Operation last = despiteInterrupts(() -> {
                Operation l;
                do {
                    sleepUninterruptibly(POLL_MS);
                    l = call(address, s -> s.getOperation(GetOperationRequest.newBuilder().setOperationId(id).build()));
                } while (l.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING);
                return l;
            });
            LOG.info("operation {} on {} cancelled: {}", id, address, last.getPhase());
            return null;
        }
    }

    // ---- on the front-end's node ----

    /** ATTACH + CATCHUP in the engine of the front-end replica; a cancel detaches the member again. */
    public void attachMember(AttachMemberRequest req, Operations.Progress p) throws Exception {
        // The front-end may be the engine of a replica that an earlier switch moved away and deleted: it still
        // serves the volume and takes members.
        String engineId = successorOf(req.getReplicaId());
        var found = store.find(engineId);
        if (found.isEmpty() && !frontEndOnlyRunning(engineId)) {
            Optional<String[]> away = handedToRemote(engineId);
            if (away.isEmpty() && handOffPendingExcept(engineId, req.getMemberReplicaId())) {
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
            String[] at = away.get();
            if (req.getOperationId().endsWith("-fwd-fwd-fwd")) {
                throw new CsiException(Status.Code.FAILED_PRECONDITION, "ForwardLoop", "front-end " + engineId
                        + " handed to " + at[1] + " on " + at[0] + ", which names it again");
            }
            Operation started = call(at[0], s -> s.attachMember(req.toBuilder().setReplicaId(at[1])
                    .setOperationId(req.getOperationId() + "-fwd").build()));
            Operation done = follow(at[0], started, p);
            String where = done == null || done.getFrontEnd().isEmpty() ? at[0] + " " + at[1] : done.getFrontEnd();
            p.report(b -> b.setFrontEnd(where));
            LOG.info("front-end {} (handed to {}): member {} attached there", engineId, where, req.getMemberReplicaId());
            return;
        }
        Optional<String[]> fe = found.isEmpty() ? Optional.empty() : frontEndOf(engineId);
        if (fe.isPresent()) {
            // This replica is a member of a front-end elsewhere (an earlier move made it so): the consumer's I/O
            // goes through that front-end, so the new member must join it there - joining this replica's own
            // engine would leave the new copy outside the volume's data path.
            String[] at = fe.get();
            Operation done;
            try {
                Operation started = call(at[0], s -> s.attachMember(req.toBuilder().setReplicaId(at[1])
                        .setOperationId(req.getOperationId() + "-fwd").build()));
                done = follow(at[0], started, p);
            } catch (CsiException e) {
                if (!NO_FRONT_END.equals(e.reason())) {
                    throw e;
                }
                // That front-end was the engine of a deleted replica and has stopped since its last client left:
                // the volume has no front-end now, and this member, in sync until then, holds every acknowledged
                // write. It takes the new member itself - unless it was still being filled when that happened.
                if (Files.exists(fillingMarker(engineId))) {
                    throw new CsiException(Status.Code.FAILED_PRECONDITION, "ReplicaIncomplete", "replica " + engineId
                            + " was still being filled when its front-end " + at[1] + " on " + at[0] + " stopped");
                }
                LOG.info("replica {}: its front-end {} on {} is gone; it serves the volume's move itself", engineId,
                        at[1], at[0]);
                Files.deleteIfExists(frontEndRecord(engineId));
                attachMember(req, p);
                return;
            }
            String where = done == null || done.getFrontEnd().isEmpty() ? at[0] + " " + at[1] : done.getFrontEnd();
            p.report(b -> b.setFrontEnd(where));
            LOG.info("replica {}: member {} attached to the volume's front-end {} (forwarded)", engineId,
                    req.getMemberReplicaId(), where);
            return;
        }
        if (found.isPresent()) {
            exports.ensure(engineId, found.get().volumeId(), found.get().tier());
        }
        Path ctl = control(engineId);
        ControlClient.Answer att = engine(ctl, "ATTACH " + req.getMemberReplicaId() + " " + req.getMemberEndpoint()
                + (req.getExistingCopy() ? " existing=true" : ""), l -> { });
        LOG.info("replica {}: member {} at {} attached: {}", engineId, req.getMemberReplicaId(),
                req.getMemberEndpoint(), att.text());
        ControlClient.Answer cu;
        try {
            cu = engine(ctl, "CATCHUP " + req.getMemberReplicaId()
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
            despiteInterrupts(() -> engine(ctl, "DETACH " + req.getMemberReplicaId(), l -> { }));
            LOG.info("replica {}: catch-up of {} cancelled, member detached", engineId, req.getMemberReplicaId());
            return;
        }
        long copied = cu.number("copied-bytes");
        p.update(copied, copied);
        // The promotion's I/O pause (0 unless the rounds did not converge and a paused final round ran).
        p.report(b -> b.setBytesSent(cu.number("sent-bytes")).setPauseMicros(cu.number("pause-us")));
    }

    public boolean detachMember(DetachMemberRequest req) throws IOException {
        String engineId = successorOf(req.getReplicaId());
        if (!exports.running(engineId)) {
            Optional<String[]> away = handedToRemote(engineId);
            if (away.isPresent()) {
                return call(away.get()[0], s -> s.detachMember(req.toBuilder().setReplicaId(away.get()[1]).build()))
                        .getExisted();
            }
            boolean[] pending = {false};
            editHandOff(engineId, left -> pending[0] = left.removeIf(r -> r.replicaId().equals(req.getMemberReplicaId())));
            if (pending[0]) {
                return true; // a deleted member is not handed on
            }
            return false; // no front-end running: nothing holds the member
        }
        return engine(control(engineId), "DETACH " + req.getMemberReplicaId(), l -> { }).get("existed").equals("true");
    }

    private Path handedTo(String engineId) {
        return exports.runDir().resolve(engineId + ".handed-to");
    }

    /**
     * The engine serving as front-end in place of {@code engineId}: itself while its replica or engine is here,
     * else the replica it handed its members to when it stopped (retire), followed along later hand-overs.
     * Members on other nodes keep naming the front-end they joined ({@code .frontend} records there).
     */
    String successorOf(String engineId) throws IOException {
        String id = engineId;
        for (int hops = 0; hops < 32; hops++) {
            Path f = handedTo(id);
            if (store.find(id).isPresent() || frontEndOnlyRunning(id) || !Files.exists(f)) {
                return id;
            }
            MemberHandover.ReadSource next = MemberHandover.ReadSource.parse(Files.readString(f));
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
            Path f = handedTo(id);
            if (!Files.exists(f)) {
                return store.find(id).isPresent() ? Optional.of(id) : Optional.empty();
            }
            MemberHandover.ReadSource next = MemberHandover.ReadSource.parse(Files.readString(f));
            if (!next.agent().isEmpty()) {
                return Optional.empty(); // handed to another node
            }
            id = next.replicaId();
        }
        return Optional.empty();
    }

    /**
     * Drops the {@code .handed-to} redirects whose chain on this node ends at a replica that is gone (deleted, its
     * engine stopped, handed to no one): they lead nowhere, and they would outlive the volume. A chain that goes on
     * to another node, or ends at a replica still here or still serving, is kept.
     */
    void dropDeadRedirects() throws IOException {
        synchronized (inheritLock) {
            for (String id : recordIds(".handed-to")) {
                String end = successorOf(id);
                boolean gone = !end.equals(id) && store.find(end).isEmpty() && !exports.running(end)
                        && !frontEndOnlyRunning(end) && !Files.exists(handedTo(end));
                if (gone) {
                    Files.deleteIfExists(handedTo(id));
                }
            }
        }
    }

    /** Whether a hand-off of {@code frontEnd}'s members is under way and {@code member} is not one of them. */
    private boolean handOffPendingExcept(String frontEnd, String member) throws IOException {
        synchronized (inheritLock) {
            Path f = handOffRecord(frontEnd);
            return Files.exists(f) && MemberHandover.parseHandOff(Files.readString(f)).members().stream()
                    .noneMatch(r -> r.replicaId().equals(member));
        }
    }

    /**
     * Where a stopped front-end of this node handed its members on another node ({@code <fe>.handed-to} = "replica
     * agent", written once the hand-off is done): agent address and replica, as in {@code .frontend} records.
     */
    Optional<String[]> handedToRemote(String engineId) throws IOException {
        Path f = handedTo(engineId);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        MemberHandover.ReadSource to = MemberHandover.ReadSource.parse(Files.readString(f));
        return to.agent().isEmpty() ? Optional.empty() : Optional.of(new String[] {to.agent(), to.replicaId()});
    }

    /**
     * Compares {@code replica_id} with its peer in the front-end holding both: the engine of one
     * of them on this node, else forwarded to the peer's node (once: the forward has no peer address).
     */
    public void scrub(ScrubRequest req, Operations.Progress p) throws Exception {
        List<String> candidates = new ArrayList<>(List.of(req.getReplicaId(), req.getPeerReplicaId()));
        candidates.addAll(frontEndOnlyIds());
        Optional<String> fe = frontEndHolding(candidates, req.getReplicaId(), req.getPeerReplicaId());
        Optional<String[]> rec = frontEndOf(req.getReplicaId());
        if (fe.isEmpty() && rec.isPresent() && !req.getOperationId().startsWith("fwd-")) {
            // Both are members of the volume's front-end recorded when this replica joined it.
            Operation started = call(rec.get()[0], s -> s.scrub(req.toBuilder().setOperationId("fwd-"
                    + req.getOperationId()).setPeerAddress("").build()));
            follow(rec.get()[0], started, p);
            return;
        }
        if (fe.isEmpty()) {
            if (req.getPeerAddress().isEmpty()) {
                throw new CsiException(Status.Code.FAILED_PRECONDITION, "NotMembers", "no engine on this node holds "
                        + req.getReplicaId() + " and " + req.getPeerReplicaId() + " in one replica set");
            }
            Operation started = call(req.getPeerAddress(), s -> s.scrub(ScrubRequest.newBuilder()
                    .setOperationId("fwd-" + req.getOperationId()).setReplicaId(req.getPeerReplicaId())
                    .setPeerReplicaId(req.getReplicaId()).setMaxBytesPerSecond(req.getMaxBytesPerSecond()).build()));
            follow(req.getPeerAddress(), started, p);
            return;
        }
        ControlClient.Answer a = engine(control(fe.get()), "SCRUB" + (req.getMaxBytesPerSecond() > 0
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
        locals.addAll(frontEndOnlyIds());
        Optional<String> fe = frontEndHolding(locals, req.getNewReplicaId());
        if (fe.isPresent()) {
            long maxPause = req.getMaxPauseMillis() > 0 ? req.getMaxPauseMillis() : 2000;
            // The replica being replaced: the migration's source when named, else this front-end's own replica;
            // one that is no longer in the set was dropped already (an earlier move took it out).
            String old = req.getOldReplicaId().isEmpty() ? fe.get() : req.getOldReplicaId();
            List<String> status = new ArrayList<>();
            ControlClient.call(control(fe.get()), "STATUS", status::add);
            String drop = status.stream().anyMatch(l -> l.startsWith("MEMBER id=" + old + " ")) ? " " + old : "";
            ControlClient.Answer a = engine(control(fe.get()), "SWITCH " + req.getNewReplicaId() + drop
                    + " max-pause-ms=" + maxPause, l -> { });
            p.report(b -> b.setPauseMicros(a.number("pause-us")));
            // Whose engine takes the front-end's other members once the front-end stops (retire).
            // On another node (a move there) that node's agent, named by the caller, is where they go.
            AtomicFiles.write(readSourceRecord(fe.get()), new MemberHandover.ReadSource(req.getNewReplicaId(),
                    req.getNewReplicaAddress()).format());
            LOG.info("volume {}: front-end {} switched to {}: {}", req.getVolumeId(), fe.get(), req.getNewReplicaId(),
                    a.text());
            return;
        }
        Optional<String[]> rec = frontEndOf(req.getNewReplicaId());
        if (rec.isEmpty() || req.getOperationId().startsWith("fwd-")) {
            throw new CsiException(Status.Code.FAILED_PRECONDITION, "NoFrontEnd", "replica " + req.getNewReplicaId()
                    + " is not a member of a front-end known to this node; add it with AddReplicaFromSource first");
        }
        Operation started = call(rec.get()[0], s -> s.switchOver(req.toBuilder()
                .setOperationId("fwd-" + req.getOperationId()).build()));
        follow(rec.get()[0], started, p);
    }

    /**
     * Makes {@code replica_id} the read source of volume {@code volume_id} in its front-end without dropping anyone
     * (engine READ): an engine of this node that is no member elsewhere and has the replica in its set, else the
     * front-end recorded when the replica was added here (forwarded once).
     *
     * @return the front-end (a replica id here, or "agent replica" elsewhere), the read source before, and now
     */
    public String[] setReadSource(String volumeId, String replicaId, String operationId) throws IOException {
        List<String> candidates = new ArrayList<>();
        boolean volumeHere = false;
        for (var m : store.list()) {
            if (m.volumeId().equals(volumeId)) {
                volumeHere = true;
                if (frontEndOf(m.replicaId()).isEmpty()) {
                    candidates.add(m.replicaId());
                }
            }
        }
        candidates.addAll(frontEndOnlyIds());
        Optional<String> fe = frontEndHolding(candidates, replicaId);
        if (fe.isPresent()) {
            ControlClient.Answer a = engine(control(fe.get()), "READ " + replicaId, l -> { });
            LOG.info("volume {}: front-end {} reads from {} now (before: {}), no member dropped", volumeId, fe.get(),
                    replicaId, a.get("previous"));
            String before = a.get("previous");
            return new String[] {fe.get(), "-".equals(before) ? "" : before, replicaId};
        }
        Optional<String[]> rec = store.find(replicaId).isPresent() ? frontEndOf(replicaId) : Optional.empty();
        if (rec.isPresent() && !operationId.startsWith("fwd-")) {
            String[] at = rec.get();
            var r = call(at[0], s -> s.setReadSource(dev.prescient.api.nodeagent.v1.SetReadSourceRequest.newBuilder()
                    .setOperationId("fwd-" + operationId).setVolumeId(volumeId).setReplicaId(replicaId).build()));
            String where = r.getFrontEnd().contains(" ") ? r.getFrontEnd() : at[0] + " " + r.getFrontEnd();
            return new String[] {where, r.getPreviousReadSourceReplicaId(), r.getReadSourceReplicaId()};
        }
        if (!volumeHere && candidates.isEmpty()) {
            throw new CsiException(Status.Code.NOT_FOUND, "VolumeNotHere", "no replica or front-end of volume "
                    + volumeId + " on this node");
        }
        throw new CsiException(Status.Code.FAILED_PRECONDITION, "NotMember", "replica " + replicaId
                + " is not a member of a front-end of volume " + volumeId + " known to this node");
    }

    /** A volume's front-end on this node and where its reads come from now. */
    public record FrontEndReads(String frontEnd, String volumeId, String readSource, String chosen, int members) {
    }

    /**
     * This node's front-ends: running engines that are no member elsewhere and whose set has other members or lost
     * its own replica to a switch. One STATUS per engine (it takes no lock in the engine).
     */
    public List<FrontEndReads> frontEnds() throws IOException {
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

    /** Engines of this node that serve a volume as front-end after their own replica was deleted. */
    List<String> frontEndOnlyIds() throws IOException {
        return recordIds(".frontend-only").stream().filter(exports::running).toList();
    }

    /** The replica ids that have a record ending in {@code suffix} in the engines' run directory. */
    private List<String> recordIds(String suffix) throws IOException {
        try (var files = Files.list(exports.runDir())) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length())).toList();
        }
    }

    /** The first of {@code candidates} whose running engine has every one of {@code members} in its set. */
    private Optional<String> frontEndHolding(List<String> candidates, String... members) throws IOException {
        for (String c : candidates) {
            if (store.find(c).isEmpty() && !Files.exists(frontEndOnly(c)) || !exports.running(c)
                    || !Files.exists(control(c))) {
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

    // ---- deletion ----

    /**
     * Before a replica's files are deleted: detaches it from a remote front-end (best effort) and
     * says whether its own engine must keep running because it serves a switched volume to
     * connected clients (true: leave the process; it is reaped later).
     */
    public boolean beforeDelete(String replicaId) throws IOException {
        Optional<String[]> rec = frontEndOf(replicaId);
        if (rec.isPresent()) {
            try {
                call(rec.get()[0], s -> s.detachMember(DetachMemberRequest.newBuilder()
                        .setOperationId("detach-" + replicaId).setReplicaId(rec.get()[1])
                        .setMemberReplicaId(replicaId).build()));
            } catch (RuntimeException e) {
                // A front-end that refuses (the member is its only copy) or is gone: the replica
                // is deleted anyway, as asked; the front-end sees it fail.
                LOG.warn("replica {}: detach from front-end {} on {} failed: {}", replicaId, rec.get()[1], rec.get()[0],
                        e.getMessage());
            }
            Files.deleteIfExists(frontEndRecord(replicaId));
        }
        if (!exports.running(replicaId) || !Files.exists(control(replicaId))) {
            return false;
        }
        ControlClient.Answer st = ControlClient.call(control(replicaId), "STATUS", l -> { });
        boolean switchedAway = st.ok() && "-".equals(st.get("local")) && st.number("members") > 0;
        if (switchedAway && exports.connections(replicaId) > 0) {
            Files.writeString(frontEndOnly(replicaId), "");
            LOG.info("replica {} deleted; its engine keeps serving the switched volume to {} client(s) until they leave",
                    replicaId, exports.connections(replicaId));
            return true;
        }
        return false;
    }

    /** Stops front-end-only engines whose clients have all disconnected. */
    public void reap() {
        try {
            for (String id : recordIds(".frontend-only")) {
                if (!exports.running(id) || exports.connections(id) == 0) {
                    exports.stop(id);
                    retire(id);
                    exports.forget(id);
                    Files.deleteIfExists(frontEndOnly(id));
                    LOG.info("front-end engine of deleted replica {} stopped: no client left", id);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("front-end reaper: {}", e.toString());
        }
        inheritPending();
    }

    private Path readSourceRecord(String frontEnd) {
        return exports.runDir().resolve(frontEnd + ".read-source");
    }

    private Path handOffRecord(String frontEnd) {
        return exports.runDir().resolve(frontEnd + ".hand-off");
    }

    private Path inheritRecord(String successor) {
        return exports.runDir().resolve(successor + ".inherit");
    }

    /**
     * After the engine of {@code engineId} stopped for good (its replica deleted, its clients gone), before its
     * membership is forgotten: when a switch had moved that front-end onto another replica of this node, that
     * replica's own engine is the volume's front-end from now on and must hold every other member too (see
     * {@link MemberHandover}); the hand-over is recorded here and carried out by {@link #inheritPending()}.
     */
    public void retire(String engineId) throws IOException {
        Path rs = readSourceRecord(engineId);
        Optional<MemberHandover.ReadSource> source = Files.exists(rs)
                ? Optional.of(MemberHandover.ReadSource.parse(Files.readString(rs))) : Optional.empty();
        Optional<String> readSource = source.map(MemberHandover.ReadSource::replicaId);
        List<String> here = store.list().stream().map(EngineReplicas.ReplicaMeta::replicaId).toList();
        Optional<MemberHandover> h = MemberHandover.planFrom(Membership.read(exports.membersFile(engineId)), source,
                here::contains);
        if (h.isPresent() && !h.get().agent().isEmpty()) {
            // A move to another node: the new replica's agent takes the members (pushed by handOffPending).
            Path f = handOffRecord(engineId);
            synchronized (inheritLock) {
                AtomicFiles.write(f, MemberHandover.formatHandOff(h.get()));
            }
            LOG.info("front-end {} stopped: replica {} on {} inherits its members {}", engineId, h.get().successor(),
                    h.get().agent(), h.get().members().stream().map(Membership.Remote::replicaId).toList());
            Files.deleteIfExists(rs);
            try {
                reaper.execute(this::inheritPending);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.info("agent stopping: the hand-off to {} resumes from its record on the next start",
                        h.get().successor());
            }
            return;
        }
        if (h.isPresent()) {
            String successor = h.get().successor();
            updateInherit(successor, all -> {
                for (Membership.Remote r : h.get().members()) {
                    if (all.stream().noneMatch(o -> o.replicaId().equals(r.replicaId()))) {
                        all.add(r);
                    }
                }
            });
            LOG.info("front-end {} stopped: replica {} inherits its members {}", engineId, successor,
                    h.get().members().stream().map(Membership.Remote::replicaId).toList());
        }
        // The successor served as a member of that front-end; it is the volume's front-end now, also for requests
        // (attach, detach) that members elsewhere still address to the stopped one.
        String successor = h.map(MemberHandover::successor).orElse(readSource.filter(here::contains).orElse(""));
        Optional<String[]> rec = successor.isEmpty() ? Optional.empty() : frontEndOf(successor);
        if (rec.isPresent() && rec.get()[1].equals(engineId)) {
            Files.deleteIfExists(frontEndRecord(successor));
        }
        if (!successor.isEmpty()) {
            AtomicFiles.write(handedTo(engineId), successor + "\n");
        }
        Files.deleteIfExists(rs);
        if (h.isPresent()) {
            try {
                reaper.execute(this::inheritPending); // a full compare of the volume: not on the caller's thread
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.info("agent stopping: the hand-over to {} resumes from its record on the next start", successor);
            }
        }
    }

    /** Edits a successor's {@code .inherit} record (absent = empty; emptied = deleted); retire adds while it is worked off. */
    private void updateInherit(String successor, java.util.function.Consumer<List<Membership.Remote>> edit)
            throws IOException {
        synchronized (inheritLock) {
            Path f = inheritRecord(successor);
            List<Membership.Remote> all = new ArrayList<>(Files.exists(f) ? MemberHandover.parse(Files.readString(f))
                    : List.of());
            edit.accept(all);
            if (all.isEmpty()) {
                Files.deleteIfExists(f);
                return;
            }
            AtomicFiles.write(f, MemberHandover.format(all));
        }
    }

    /**
     * Attaches the members each successor inherited to its engine and catches them up. They are compared block by
     * block (existing copies): writes the successor's own clients made before the attach are not known to them.
     * A member that cannot be attached yet (its node unreachable) is retried on the next round.
     */
    synchronized void inheritPending() {
        handOffPending();
        List<String> pending;
        try {
            pending = recordIds(".inherit");
        } catch (IOException e) {
            LOG.warn("member hand-over: {}", e.toString());
            return;
        }
        for (String successor : pending) {
            Path f = inheritRecord(successor);
            try {
                var m = store.find(successor);
                if (m.isEmpty()) {
                    LOG.warn("replica {} was deleted before it took over its members", successor);
                    Files.deleteIfExists(f);
                    continue;
                }
                exports.ensure(successor, m.get().volumeId(), m.get().tier());
                List<Membership.Remote> todo;
                synchronized (inheritLock) {
                    todo = MemberHandover.parse(Files.readString(f));
                }
                List<String> done = new ArrayList<>();
                for (Membership.Remote r : todo) {
                    try {
                        engine(control(successor), "ATTACH " + r.replicaId() + " " + r.endpoint() + " existing=true",
                                l -> { });
                        ControlClient.Answer cu = engine(control(successor), "CATCHUP " + r.replicaId(), l -> { });
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

    /** Attempts per hand-off member (in memory): each retry after a failed one is a new operation there. */
    private final Map<String, Integer> handOffAttempts = new ConcurrentHashMap<>();

    /**
     * Sends the members of stopped front-ends to the agents of their read sources on other nodes: AttachMember of
     * each (an existing copy: compared block by block) to the successor there, whose agent attaches it to the
     * successor's own engine once it finds this front-end gone. Retried every round until each one succeeded; the
     * operation ids are fixed per attempt, so a restart here follows the one already running there.
     */
    private void handOffPending() {
        List<String> pending;
        try {
            pending = recordIds(".hand-off");
        } catch (IOException e) {
            LOG.warn("member hand-off: {}", e.toString());
            return;
        }
        for (String frontEnd : pending) {
            Path f = handOffRecord(frontEnd);
            try {
                if (handedToRemote(frontEnd).isPresent()) {
                    Files.deleteIfExists(f); // done before a crash: the redirect below was written
                    continue;
                }
                MemberHandover h;
                synchronized (inheritLock) {
                    if (!Files.exists(f)) {
                        continue;
                    }
                    h = MemberHandover.parseHandOff(Files.readString(f));
                }
                List<String> done = new ArrayList<>();
                for (Membership.Remote r : h.members()) {
                    String key = frontEnd + "-" + r.replicaId();
                    String opId = "handoff-" + key + "-" + handOffAttempts.getOrDefault(key, 0);
                    try {
                        Operation started = call(h.agent(), s -> s.attachMember(AttachMemberRequest.newBuilder()
                                .setOperationId(opId).setReplicaId(h.successor()).setMemberReplicaId(r.replicaId())
                                .setMemberEndpoint(r.endpoint()).setExistingCopy(true).build()));
                        follow(h.agent(), started, IGNORED);
                        handOffAttempts.remove(key);
                        done.add(r.replicaId());
                        LOG.info("front-end {}: member {} handed to {} on {}", frontEnd, r.replicaId(), h.successor(),
                                h.agent());
                    } catch (Exception e) {
                        handOffAttempts.merge(key, 1, Integer::sum);
                        LOG.warn("front-end {}: member {} not handed to {} on {} yet: {}", frontEnd, r.replicaId(),
                                h.successor(), h.agent(), e.getMessage());
                    }
                }
                editHandOff(frontEnd, left -> left.removeIf(r -> done.contains(r.replicaId())));
            } catch (IOException | RuntimeException e) {
                LOG.warn("member hand-off of {}: {}", frontEnd, e.toString());
            }
        }
    }

    /**
     * Edits a stopped front-end's {@code .hand-off} record under the lock (a detach removes a member while the
     * reaper works it off). Emptied, it becomes the {@code .handed-to} redirect: members elsewhere still name this
     * front-end (their .frontend records), so their AttachMember and DetachMember go on to the successor from then
     * on. Written only then: until its agent took the members, the successor's own record named this front-end,
     * and forwarding there would loop.
     */
    private void editHandOff(String frontEnd, java.util.function.Consumer<List<Membership.Remote>> edit)
            throws IOException {
        synchronized (inheritLock) {
            Path f = handOffRecord(frontEnd);
            if (!Files.exists(f)) {
                return;
            }
            MemberHandover h = MemberHandover.parseHandOff(Files.readString(f));
            List<Membership.Remote> left = new ArrayList<>(h.members());
            edit.accept(left);
            if (left.isEmpty()) {
                AtomicFiles.write(handedTo(frontEnd), new MemberHandover.ReadSource(h.successor(), h.agent()).format());
                Files.deleteIfExists(f);
                return;
            }
            AtomicFiles.write(f, MemberHandover.formatHandOff(new MemberHandover(h.successor(), h.agent(), left)));
        }
    }

    /** Progress of a background call nobody watches. */
    private static final Operations.Progress IGNORED = new Operations.Progress() {
        @Override
        public void update(long done, long total) {
        }

        @Override
        public void report(java.util.function.Consumer<Operation.Builder> fields) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    public boolean frontEndOnlyRunning(String replicaId) {
        return Files.exists(frontEndOnly(replicaId)) && exports.running(replicaId);
    }

    interface IoCall<T> {
        T run() throws IOException;
    }

    /**
     * Runs a clean-up call after a cancel: the cancel interrupts the worker thread, possibly while
     * this call runs (an interrupted channel closes), so it is retried a few times with the
     * interrupt flag cleared; the flag is set again afterwards.
     */
    static <T> T despiteInterrupts(IoCall<T> c) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return c.run();
                } catch (ClosedByInterruptException | InterruptedIOException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == 5) {
                        throw e;
                    }
                } catch (StatusRuntimeException e) {
                    boolean byInterrupt = Thread.interrupted();
                    interrupted |= byInterrupt;
                    if (!byInterrupt && e.getStatus().getCode() != Status.Code.CANCELLED || attempt == 5) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleepUninterruptibly(long ms) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        boolean interrupted = false;
        while (System.nanoTime() < end) {
            try {
                TimeUnit.NANOSECONDS.sleep(end - System.nanoTime());
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private Path control(String replicaId) {
        return exports.controlSocket(replicaId);
    }

    private static ControlClient.Answer engine(Path ctl, String request, java.util.function.Consumer<String> lines)
            throws IOException {
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

    private <T> T call(String address, Function<NodeAgentGrpc.NodeAgentBlockingStub, T> f) throws IOException {
        ManagedChannel ch = channels.apply(address);
        try {
            return f.apply(NodeAgentGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS));
        } finally {
            ch.shutdownNow();
        }
    }

    @Override
    public void close() {
        reaper.shutdownNow();
    }
}
