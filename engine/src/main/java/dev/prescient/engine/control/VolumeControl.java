package dev.prescient.engine.control;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.replication.RemoteReplica;
import dev.prescient.engine.replication.ReplicationSettings;
import dev.prescient.engine.tls.TlsConfig;
import dev.prescient.engine.volume.DeltaSync;
import dev.prescient.engine.volume.Member;
import dev.prescient.engine.volume.ReplicaMode;
import dev.prescient.engine.volume.ReplicaSet;
import dev.prescient.engine.volume.Scrubber;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of the control channel, acting on one volume's replica set (the front-end of the
 * volume): remote members are attached, caught up, switched to and detached. Membership changes
 * run one at a time (a lock); STATUS and READ (which in-sync member serves the reads) do not wait for
 * them. The membership is persisted after every change ({@link Membership}); members that lose their
 * connection go ERR in the set and a reconnect loop (every second) reconnects and catches them up.
 */
public final class VolumeControl implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeControl.class);
    /** Catch-up: rounds with I/O flowing until at most this many blocks are dirty, then the paused round. */
    static final long FINAL_THRESHOLD_BLOCKS = 256;
    static final int MAX_ROUNDS = 12;
    static final long DEFAULT_MAX_PAUSE_MS = 2000;
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ReplicaSet set;
    private final String localId;
    private final Path membershipFile;
    private final ReplicationSettings settings;
    /** Client certificate for the replicas' listeners; null: plain TCP. */
    private final TlsConfig tls;
    private final ReentrantLock lock = new ReentrantLock();
    /** Remote members by id: their endpoint and whether they were in sync when last persisted. */
    private final Map<String, Membership.Remote> remotes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile BlockTarget local;
    private final ScheduledExecutorService reconnector;

    /** Where a long command reports progress; a failing progress write means the client left (a cancel). */
    public interface Reply {
        void progress(String line) throws IOException;
    }

    /**
     * @param set        the volume's set; holds the local replica unless {@code persisted} says it was dropped
     * @param local      the local replica's target (null when dropped)
     * @param persisted  the membership found on disk (null for a fresh engine); its remotes are re-attached
     */
    public VolumeControl(ReplicaSet set, String localId, BlockTarget local, Membership persisted, Path membershipFile,
            ReplicationSettings settings) throws IOException {
        this(set, localId, local, persisted, membershipFile, settings, null);
    }

    /** @param tlsOrNull mutual TLS towards the remote replicas' replication listeners (null: plain TCP) */
    public VolumeControl(ReplicaSet set, String localId, BlockTarget local, Membership persisted, Path membershipFile,
            ReplicationSettings settings, TlsConfig tlsOrNull) throws IOException {
        this.tls = tlsOrNull;
        this.set = set;
        this.localId = localId;
        this.local = local;
        this.membershipFile = membershipFile;
        this.settings = settings;
        if (persisted != null) {
            for (Membership.Remote r : persisted.remotes()) {
                remotes.put(r.replicaId(), r);
            }
            // Served again once that member is back in sync (ReplicaSet.readSource checks at every read).
            set.preferReads(persisted.readSource());
        }
        persist();
        reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reconnect " + set.volumeId());
            t.setDaemon(true);
            return t;
        });
        reconnector.scheduleWithFixedDelay(this::reconnectOnce, 0, 1, TimeUnit.SECONDS);
    }

    private volatile java.util.function.LongConsumer onSwitch = pauseNanos -> { };

    /** Told the I/O pause (ns) of every completed switchover: the engine's metrics count them. */
    public void onSwitch(java.util.function.LongConsumer listener) {
        this.onSwitch = listener;
    }

    /** Runs one parsed request; returns the text of the final OK line (without "OK"). */
    public String execute(ControlRequest r, Reply reply) throws ControlException {
        try {
            return switch (r.command()) {
                case STATUS -> status(reply);
                case ATTACH -> locked(() -> attach(r.replicaId(0), r.args().get(1), r.flag("existing")));
                case CATCHUP -> locked(() -> catchUp(r.replicaId(0), r.number("bps", 0), reply));
                case SCRUB -> locked(() -> scrub(r.number("bps", 0)));
                case SWITCH -> locked(() -> switchTo(r.replicaId(0), new LinkedHashSet<>(r.args().subList(1, r.args().size())),
                        r.number("max-pause-ms", DEFAULT_MAX_PAUSE_MS)));
                case DETACH -> locked(() -> detach(r.replicaId(0)));
                // Not behind the lock: a catch-up holds it for minutes, and reads must be able to leave a failing
                // disk while an evacuation copies (the set and the persisting synchronise on their own).
                case READ -> readFrom(r.replicaId(0));
            };
        } catch (IOException e) {
            throw new ControlException("IoError", e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ControlException("Refused", e.getMessage(), e);
        }
    }

    private interface Body {
        String run() throws IOException, ControlException;
    }

    private String locked(Body b) throws IOException, ControlException {
        lock.lock();
        try {
            return b.run();
        } finally {
            lock.unlock();
        }
    }

    private String attach(String id, String endpoint, boolean existing) throws IOException, ControlException {
        if (id.equals(localId)) {
            throw new ControlException("Refused", id + " is this engine's local replica");
        }
        Membership.Remote known = remotes.get(id);
        if (known != null) {
            if (!known.endpoint().equals(endpoint)) {
                throw new ControlException("Conflict", id + " is attached at " + known.endpoint() + ", not " + endpoint);
            }
            if (set.member(id) != null) {
                return "already=true replica=" + id;
            }
        }
        RemoteReplica target;
        try {
            target = RemoteReplica.connect(address(endpoint), id, tls, settings);
        } catch (IOException e) {
            throw new ControlException("Unreachable", "replica " + id + " at " + endpoint + ": " + e.getMessage(), e);
        }
        try {
            set.addNew(id, target, false, true, 0);
        } catch (IOException | RuntimeException e) {
            target.close();
            throw e;
        }
        if (existing) {
            // The target holds an older copy: every block is compared (by hash, in the sink) and
            // rewritten only where it differs; zero ranges are cheap on both sides.
            set.markAllDirty(id);
        }
        remotes.put(id, new Membership.Remote(id, endpoint, false));
        persist();
        Member m = set.member(id);
        LOG.info("volume {}: attached {} at {} (existing={}, dirty blocks {})", set.volumeId(), id, endpoint,
                existing, m.dirtyBlocks());
        return "already=false replica=" + id + " dirty-bytes=" + m.dirtyBlocks() * set.blockSize();
    }

    private String catchUp(String id, long bps, Reply reply) throws IOException, ControlException {
        Member m = set.member(id);
        if (m == null) {
            throw new ControlException("NotFound", "no member " + id);
        }
        if (m.mode() == ReplicaMode.RW) {
            return "rounds=0 copied-bytes=0 sent-bytes=0 pause-us=0 replica=" + id;
        }
        if (m.mode() == ReplicaMode.ERR && m.target() instanceof RemoteReplica rr) {
            rr.reconnect();
        }
        int bs = set.blockSize();
        long total = m.dirtyBlocks() * bs;
        long t0 = System.nanoTime();
        long[] copied = {0};
        long[] lastReport = {0};
        DeltaSync.Pacer pacer = (blocks, sent) -> {
            copied[0] += blocks * bs;
            if (bps > 0) {
                long ahead = copied[0] * 1_000_000_000L / bps - (System.nanoTime() - t0);
                if (ahead > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(ahead);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
            }
            long now = System.nanoTime();
            if (now - lastReport[0] >= PROGRESS_EVERY_NANOS) {
                lastReport[0] = now;
                // Dirty blocks may grow while writes run: total is what is known now.
                reply.progress("PROGRESS done=" + copied[0] + " total=" + Math.max(total, copied[0])
                        + " sent=" + sent);
            }
        };
        DeltaSync.Result res;
        try {
            res = new DeltaSync(set, pacer).catchUp(id, MAX_ROUNDS, FINAL_THRESHOLD_BLOCKS);
        } catch (IOException e) {
            throw new ControlException("CatchUpFailed", "catch-up of " + id + " stopped: " + e.getMessage()
                    + " (its dirty blocks are kept)", e);
        }
        Membership.Remote r = remotes.get(id);
        if (r != null) {
            remotes.put(id, new Membership.Remote(id, r.endpoint(), true));
            persist();
        }
        reply.progress("PROGRESS done=" + res.blocksCopied() * bs + " total=" + res.blocksCopied() * bs
                + " sent=" + res.bytesSent());
        return "rounds=" + res.rounds() + " copied-bytes=" + res.blocksCopied() * bs + " sent-bytes=" + res.bytesSent()
                + " pause-us=" + res.pauseNanos() / 1000 + " replica=" + id;
    }

    private String scrub(long bps) throws IOException, ControlException {
        long inSync = set.members().stream().filter(m -> m.mode() == ReplicaMode.RW && m.isSync()).count();
        if (inSync < 2) {
            throw new ControlException("NothingToCompare", "volume " + set.volumeId() + " has " + inSync
                    + " in-sync replica(s); a scrub compares two or more");
        }
        Scrubber.Report rep;
        try {
            rep = new Scrubber(set, 1 << 20, bps).scrubOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("scrub interrupted", e);
        }
        long repaired = rep.mismatches().stream().filter(Scrubber.Mismatch::repaired).count();
        return "replicas=" + inSync + " extents=" + rep.extentsCompared() + " compared-bytes=" + rep.bytesRead()
                + " mismatches=" + rep.mismatches().size() + " repaired=" + repaired
                + " unrepaired=" + (rep.mismatches().size() - repaired);
    }

    private String switchTo(String newId, Set<String> drop, long maxPauseMs) throws IOException, ControlException {
        if (set.member(newId) == null) {
            throw new ControlException("NotFound", "no member " + newId);
        }
        for (String d : drop) {
            if (set.member(d) == null && !remotes.containsKey(d)) {
                throw new ControlException("NotFound", "no member " + d + " to drop");
            }
        }
        List<BlockTarget> dropped = new ArrayList<>();
        for (String d : drop) {
            Member m = set.member(d);
            if (m != null) {
                dropped.add(m.target());
            }
        }
        // No pause: the new member list is published at once; this waits (at most max-pause-ms) only
        // for requests that began with the old list, before the dropped replicas are closed below.
        long drain = set.switchTo(newId, drop, TimeUnit.MILLISECONDS.toNanos(maxPauseMs));
        for (String d : drop) {
            remotes.remove(d);
            if (d.equals(localId)) {
                local = null;
            }
        }
        persist();
        for (BlockTarget t : dropped) {
            try {
                t.close(); // a local replica is closed cleanly (its last reference); a remote one disconnects
            } catch (IOException e) {
                LOG.warn("volume {}: closing a dropped replica failed: {}", set.volumeId(), e.toString());
            }
        }
        LOG.info("volume {}: switched to {}, dropped {}, no pause; requests on the old list done in {} us",
                set.volumeId(), newId, drop, drain / 1000);
        onSwitch.accept(0L);
        return "pause-us=0 drain-us=" + drain / 1000 + " read-source=" + newId + " dropped=" + String.join(",", drop);
    }

    /** READ: the in-sync member {@code id} serves the reads from now on; every member keeps taking the writes. */
    private String readFrom(String id) throws IOException, ControlException {
        Member m = set.member(id);
        if (m == null) {
            throw new ControlException("NotMember", id + " is not a member of volume " + set.volumeId()
                    + (remotes.containsKey(id) ? " yet (not connected since start)" : ""));
        }
        String before = set.readSourceId();
        try {
            set.readFrom(id);
        } catch (IllegalStateException e) {
            throw new ControlException("NotInSync", e.getMessage(), e);
        }
        persist();
        LOG.info("volume {}: reads now from {} (before: {}), no member dropped", set.volumeId(), id, before);
        return "read-source=" + id + " previous=" + (before == null ? "-" : before);
    }

    private String detach(String id) throws IOException, ControlException {
        if (id.equals(localId)) {
            throw new ControlException("Refused", id + " is the local replica; SWITCH away from it to drop it");
        }
        Member m = set.member(id);
        if (m != null && set.members().stream().noneMatch(o -> o != m && o.mode() == ReplicaMode.RW && o.isSync())) {
            throw new ControlException("Refused", id + " is the volume's only in-sync replica");
        }
        boolean known = remotes.remove(id) != null;
        if (id.equals(set.preferredReads())) {
            set.preferReads(null);
        }
        if (m != null) {
            set.remove(id);
            m.target().close();
        }
        persist();
        return "existed=" + (m != null || known) + " replica=" + id;
    }

    private String status(Reply reply) throws IOException {
        for (Member m : set.members()) {
            Membership.Remote r = remotes.get(m.id());
            reply.progress("MEMBER id=" + m.id() + " local=" + (r == null) + " mode=" + m.mode() + " dirty-blocks="
                    + m.dirtyBlocks() + " lag-bytes=" + m.lagBytes() + " endpoint=" + (r == null ? "-" : r.endpoint())
                    + " error=" + (m.lastError() == null ? "-" : m.lastError().replaceAll("\\s+", "_")));
        }
        List<Membership.Remote> known;
        synchronized (remotes) {
            known = List.copyOf(remotes.values());
        }
        for (Membership.Remote r : known) {
            if (set.member(r.replicaId()) == null) {
                reply.progress("MEMBER id=" + r.replicaId() + " local=false mode=PENDING dirty-blocks=" + set.blocks()
                        + " lag-bytes=0 endpoint=" + r.endpoint() + " error=not_connected_since_start");
            }
        }
        return "volume=" + set.volumeId() + " size=" + set.size() + " block-size=" + set.blockSize() + " members="
                + set.members().size() + " local=" + (local != null ? localId : "-") + " read-source="
                + orDash(set.readSourceId()) + " chosen-read-source=" + orDash(set.preferredReads());
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    /** Reconnects ERR members and attaches the ones persisted before a restart, then catches them up. */
    void reconnectOnce() {
        if (!lock.tryLock()) {
            return; // a command is changing the set; try again next time
        }
        try {
            for (Membership.Remote r : List.copyOf(remotes.values())) {
                Member m = set.member(r.replicaId());
                try {
                    if (m == null) {
                        RemoteReplica t = RemoteReplica.connect(address(r.endpoint()), r.replicaId(), tls, settings);
                        if (local == null && set.members().isEmpty() && r.inSync()) {
                            // The local replica was dropped by a switch: this member is the volume.
                            set.addInSync(r.replicaId(), t, false);
                            LOG.info("volume {}: re-attached {} as the read source", set.volumeId(), r.replicaId());
                            continue;
                        }
                        if (set.members().isEmpty()) {
                            t.close();
                            continue; // nothing to catch up from yet
                        }
                        set.addNew(r.replicaId(), t, false, true, 0);
                        set.markAllDirty(r.replicaId()); // what it missed while we were down is unknown
                        m = set.member(r.replicaId());
                    } else if (m.mode() == ReplicaMode.ERR && m.target() instanceof RemoteReplica rr) {
                        rr.reconnect();
                    } else {
                        continue;
                    }
                    new DeltaSync(set).catchUp(r.replicaId(), MAX_ROUNDS, FINAL_THRESHOLD_BLOCKS);
                    remotes.put(r.replicaId(), new Membership.Remote(r.replicaId(), r.endpoint(), true));
                    persist();
                    LOG.info("volume {}: member {} reconnected and caught up", set.volumeId(), r.replicaId());
                } catch (IOException | RuntimeException e) {
                    LOG.debug("volume {}: member {} not back yet: {}", set.volumeId(), r.replicaId(), e.toString());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Synchronized: READ persists without the command lock; each write takes the state at its time. */
    private synchronized void persist() throws IOException {
        if (membershipFile == null) {
            return;
        }
        List<Membership.Remote> rs;
        synchronized (remotes) {
            rs = List.copyOf(remotes.values());
        }
        new Membership(set.volumeId(), set.size(), localId, local == null, rs, set.preferredReads())
                .write(membershipFile);
    }

    static InetSocketAddress address(String endpoint) {
        int c = endpoint.lastIndexOf(':');
        String host = endpoint.substring(0, c);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(endpoint.substring(c + 1)));
    }

    @Override
    public void close() {
        reconnector.shutdownNow();
    }
}
