package dev.prescient.engine.volume;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.ServerThreads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume's replicas behind one BlockTarget. Writes fan out in parallel to every RW replica and
 * are acknowledged when every sync RW replica has them; async replicas get them in order on their
 * own queue, lagging at most their byte bound. Reads come from the member chosen with {@link #readFrom} while it
 * is an in-sync RW replica, else from the first healthy sync replica (local ones first). A replica that fails goes ERR and records what it misses in its dirty
 * bitmap; I/O continues while one sync RW replica remains, and fails otherwise: never stale data.
 *
 * <p>WO replicas (catching up) receive writes directly too, but a catch-up round may copy an
 * older version of a block after such a write (the source read and the sink's delivery are not
 * ordered with it; a remote sink batches). So after a write has reached every replica, it checks
 * the blocks the WO replica's current round is copying ({@link Member#copying}, published before
 * the round reads anything) below the round's read cursor: a write to one of those marks it dirty
 * again, to be copied in the next round. A write that finished before the round was published, or
 * before the cursor reached its block, is already in what the round reads. The last round runs with I/O paused, so it converges to an exact copy.
 */
public final class ReplicaSet implements BlockTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSet.class);
    /** Fan-out threads per volume: the NBD threads of its connections rarely write more members at once. */
    static final int FANOUT_THREADS = 4;

    private final String volumeId;
    private final long size;
    private final int blockSize;
    private final IoGate gate = new IoGate();
    private final ExecutorService fanout;
    private final WriteFanOut writes;
    private final List<CowSnapshot> snapshots = new CopyOnWriteArrayList<>();
    private volatile Member[] members = new Member[0];
    /**
     * The member chosen to serve reads ({@link #readFrom}), or null: the default order (local first). Only ever served
     * while that member is an in-sync RW replica; otherwise reads fall back to the default order, so a chosen replica
     * that falls behind (ERR, reconnecting, catching up) never serves a read.
     */
    private volatile String preferredReads;
    // Two-epoch count of client requests in flight (reads, writes, flushes): lets a catch-up round
    // wait until every write that might have raced it has done its dirty check, and a change of
    // the member list wait until no request still uses the old list, without pausing new ones
    // (see quiesce).
    private final java.util.concurrent.atomic.AtomicLong[] inFlight = {
            new java.util.concurrent.atomic.AtomicLong(), new java.util.concurrent.atomic.AtomicLong()};
    private volatile int epoch;

    /** @param blockSize dirty-tracking granularity (4096 matches the NBD preferred block size) */
    public ReplicaSet(String volumeId, long size, int blockSize) {
        if (Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two");
        }
        this.volumeId = volumeId;
        this.size = size;
        this.blockSize = blockSize;
        // Only members that cannot write in the background (a second local replica) use the pool;
        // beyond FANOUT_THREADS busy ones the requesting thread writes the member itself.
        this.fanout = ServerThreads.callerRunsBeyond("fanout-" + volumeId, FANOUT_THREADS);
        this.writes = new WriteFanOut(volumeId, blockSize, fanout, this::setErr);
    }

    public String volumeId() {
        return volumeId;
    }

    public int blockSize() {
        return blockSize;
    }

    public long blocks() {
        return (size + blockSize - 1) / blockSize;
    }

    public IoGate gate() {
        return gate;
    }

    public List<Member> members() {
        return List.of(members);
    }

    public Member member(String id) {
        for (Member m : members) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Adds a replica that is known to hold the volume's current data (the first replica of a new
     * volume, or one reopened after a clean shutdown): it starts RW.
     */
    public synchronized Member addInSync(String id, BlockTarget target, boolean local) {
        Member m = newMember(id, target, local, true, 0);
        m.mode = ReplicaMode.RW;
        publish(m);
        return m;
    }

    /**
     * Adds a brand-new replica in WO mode; every block the current data may occupy is dirty, so
     * catch-up copies only allocated data (holes are skipped).
     */
    public synchronized Member addNew(String id, BlockTarget target, boolean local, boolean sync, int maxLagBytes)
            throws IOException {
        Member m = newMember(id, target, local, sync, maxLagBytes);
        Member src = defaultSource();
        // No pause: once published, every request that starts sees the new replica (a write goes
        // to it or marks it dirty); quiesce() then waits for the requests that started before and
        // did not see it, so the allocation scan below sees their blocks.
        publish(m);
        quiesce();
        for (long off = src.target.nextAllocated(0); off >= 0 && off < size; ) {
            long end = Math.min(size, src.target.nextHole(off));
            m.dirty.setRange(off / blockSize, (end + blockSize - 1) / blockSize);
            off = end >= size ? -1 : src.target.nextAllocated(end);
        }
        return m;
    }

    private Member newMember(String id, BlockTarget target, boolean local, boolean sync, int maxLagBytes) {
        if (member(id) != null) {
            throw new IllegalArgumentException("replica " + id + " already in volume " + volumeId);
        }
        if (target.size() < size) {
            throw new IllegalArgumentException("replica " + id + " smaller than volume " + volumeId);
        }
        return new Member(id, target, local, sync, blocks(), Math.max(maxLagBytes, 32 << 20));
    }

    private void publish(Member m) {
        Member[] next = Arrays.copyOf(members, members.length + 1);
        next[next.length - 1] = m;
        Arrays.sort(next, (a, b) -> Boolean.compare(b.local, a.local)); // local first for reads
        members = next;
    }

    /** Marks every block of a replica dirty: its whole content is to be compared or copied again. */
    public void markAllDirty(String id) {
        Member m = member(id);
        if (m == null) {
            throw new IllegalArgumentException("no replica " + id + " in volume " + volumeId);
        }
        m.dirty.setRange(0, blocks());
    }

    /**
     * Makes {@code newId} (an in-sync RW replica) the read source and removes {@code dropIds}, without
     * pausing I/O: the new member list is published at once (a request uses either the old list or
     * the new one, each complete), then the call waits, up to {@code maxWaitNanos}, until no request
     * that started with the old list is still running, so the caller may close the dropped targets.
     * A request still running after that (a hung replica) fails on its closed target and the request
     * is answered from the members that remain. The dropped targets are not closed here.
     *
     * @return how long the requests that used the old list took to finish, in nanoseconds (no
     *         request waited: this is not a pause)
     */
    public synchronized long switchTo(String newId, java.util.Set<String> dropIds, long maxWaitNanos)
            throws IOException {
        Member n = inSyncMember(newId);
        if (dropIds.contains(newId)) {
            throw new IllegalArgumentException("cannot drop the new read source " + newId);
        }
        long t0 = System.nanoTime();
        List<Member> next = new ArrayList<>();
        next.add(n);
        for (Member m : members) {
            if (m != n && !dropIds.contains(m.id)) {
                next.add(m);
            }
        }
        // A later addNew re-sorts the members (local first): the choice must outlive that.
        preferredReads = newId;
        members = next.toArray(Member[]::new);
        if (!quiesce(maxWaitNanos)) {
            LOG.warn("volume {}: requests that used the old replicas {} still run after {} us; closing them anyway",
                    volumeId, dropIds, maxWaitNanos / 1000);
        }
        return System.nanoTime() - t0;
    }

    private Member inSyncMember(String id) {
        Member n = member(id);
        if (n == null) {
            throw new IllegalArgumentException("no replica " + id + " in volume " + volumeId);
        }
        if (n.mode != ReplicaMode.RW || !n.sync) {
            throw new IllegalStateException("replica " + id + " is " + n.mode + (n.sync ? "" : " async")
                    + ", not an in-sync RW replica; catch it up first");
        }
        return n;
    }

    /**
     * Makes {@code id}, an in-sync RW member, the read source without dropping anyone: every member keeps taking
     * the writes. No pause is needed: every sync RW member holds every acknowledged write (a write is acknowledged
     * only once each of them has it, and one that fails is set ERR before the acknowledgement), so a read from any of
     * them sees the same data; a read racing a write may see either version, as from any block device.
     *
     * @throws IllegalArgumentException not a member
     * @throws IllegalStateException    not in sync (WO, ERR, or async)
     */
    public synchronized void readFrom(String id) {
        inSyncMember(id);
        preferredReads = id;
    }

    /**
     * Records a read-source choice without checking it (a restarted engine: the member reconnects and catches up
     * later); it serves reads only once it is an in-sync RW member. Null: the default order.
     */
    public void preferReads(String idOrNull) {
        preferredReads = idOrNull;
    }

    /** The chosen read source (served only while in sync), or null. */
    public String preferredReads() {
        return preferredReads;
    }

    /** The member serving reads now, or null when none can. */
    public String readSourceId() {
        try {
            return readSource().id;
        } catch (IOException e) {
            return null;
        }
    }

    /** Removes a replica from the set (its target is not closed). */
    public synchronized void remove(String id) {
        members = Arrays.stream(members).filter(m -> !m.id.equals(id)).toArray(Member[]::new);
        if (id.equals(preferredReads)) {
            preferredReads = null;
        }
    }

    /** Marks a replica failed: it takes no more I/O; what it misses is tracked as dirty. */
    public void fail(String id, String reason) {
        Member m = member(id);
        if (m != null) {
            setErr(m, reason);
        }
    }

    private void setErr(Member m, String reason) {
        if (m.mode != ReplicaMode.ERR) {
            LOG.warn("volume {}: replica {} -> ERR: {}", volumeId, m.id, reason);
        }
        m.lastError = reason;
        m.mode = ReplicaMode.ERR;
    }

    void registerSnapshot(CowSnapshot s) {
        snapshots.add(s);
    }

    void unregisterSnapshot(CowSnapshot s) {
        snapshots.remove(s);
    }

    @Override
    public long size() {
        return size;
    }

    /** The replica reads come from: the chosen one while it is in sync, else the first sync RW (local first). */
    Member readSource() throws IOException {
        String p = preferredReads;
        if (p != null) {
            Member m = member(p);
            if (m != null && m.mode == ReplicaMode.RW && m.sync) {
                return m;
            }
        }
        return defaultSource();
    }

    /** The first sync RW member (local first): a local replica answers allocation queries exactly. */
    private Member defaultSource() throws IOException {
        for (Member m : members) {
            if (m.mode == ReplicaMode.RW && m.sync) {
                return m;
            }
        }
        throw new NoHealthyReplicaException(volumeId);
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        gate.enter();
        java.util.concurrent.atomic.AtomicLong counter = inFlight[epoch & 1];
        counter.incrementAndGet();
        try {
            readUngated(offset, dst);
        } finally {
            counter.decrementAndGet();
            gate.exit();
        }
    }

    /** Reads without entering the gate: for callers that hold it or paused it. */
    void readUngated(long offset, ByteBuffer dst) throws IOException {
        int pos = dst.position();
        while (true) {
            Member m = readSource();
            try {
                m.target.read(offset, dst);
                return;
            } catch (OutOfRangeException e) {
                throw e;
            } catch (IOException e) {
                setErr(m, "read failed: " + e.getMessage());
                dst.position(pos);
            }
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        int len = src.remaining();
        checkRange(offset, len);
        mutate(offset, len, src, writeOp(offset, fua));
    }

    private static WriteFanOut.Op writeOp(long offset, boolean fua) {
        return new WriteFanOut.Op() {
            @Override
            public void apply(BlockTarget t, ByteBuffer d) throws IOException {
                t.write(offset, d, fua);
            }

            @Override
            public BlockTarget.PendingWrite start(BlockTarget t, ByteBuffer d) throws IOException {
                return t.startWrite(offset, d, fua);
            }
        };
    }

    /**
     * As {@link #write}, answering through {@code done} from the thread that sees the last member's answer (a
     * remote member's reader): the caller's thread returns once its own part (the inline member) is written. The
     * request counts as in flight (gate, quiesce) until {@code done} runs.
     */
    @Override
    public void writeAsync(long offset, ByteBuffer src, boolean fua, WriteDone done) {
        int len = src.remaining();
        try {
            checkRange(offset, len);
        } catch (OutOfRangeException e) {
            done.done(e);
            return;
        }
        if (len == 0) {
            done.done(null);
            return;
        }
        gate.enter();
        java.util.concurrent.atomic.AtomicLong counter = inFlight[epoch & 1];
        counter.incrementAndGet();
        WriteDone settle = failure -> {
            counter.decrementAndGet();
            gate.exit();
            done.done(failure);
        };
        try {
            for (CowSnapshot s : snapshots) {
                s.preserveBeforeWrite(offset, len);
            }
        } catch (IOException | RuntimeException e) {
            settle.done(e);
            return;
        }
        writes.applyAsync(members, offset, len, src, writeOp(offset, fua), settle);
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        checkRange(offset, length);
        mutate(offset, length, null, (t, d) -> t.unmap(offset, length));
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        checkRange(offset, length);
        mutate(offset, length, null, (t, d) -> t.writeZeroes(offset, length, fua));
    }

    private void mutate(long offset, long length, ByteBuffer data, WriteFanOut.Op op) throws IOException {
        if (length == 0) {
            return;
        }
        gate.enter();
        java.util.concurrent.atomic.AtomicLong counter = inFlight[epoch & 1];
        counter.incrementAndGet();
        try {
            for (CowSnapshot s : snapshots) {
                s.preserveBeforeWrite(offset, length);
            }
            writes.apply(members, offset, length, data, op);
        } finally {
            counter.decrementAndGet();
            gate.exit();
        }
    }

    @Override
    public void flush() throws IOException {
        gate.enter();
        java.util.concurrent.atomic.AtomicLong counter = inFlight[epoch & 1];
        counter.incrementAndGet();
        try {
            flushUngated();
        } finally {
            counter.decrementAndGet();
            gate.exit();
        }
    }

    void flushUngated() throws IOException {
        Member[] ms = members;
        int ok = 0;
        IOException first = null;
        for (Member m : ms) {
            if (m.mode != ReplicaMode.RW) {
                continue;
            }
            if (!m.sync) {
                m.asyncQueue.execute(() -> {
                    try {
                        m.target.flush();
                    } catch (IOException e) {
                        setErr(m, "async flush failed: " + e.getMessage());
                    }
                });
                continue;
            }
            try {
                m.target.flush();
                ok++;
            } catch (IOException e) {
                // Its unflushed writes are unknown now: it must be resynced in full from what we track.
                m.dirty.setRange(0, blocks());
                setErr(m, "flush failed: " + e.getMessage());
                first = first == null ? e : first;
            }
        }
        if (ok == 0) {
            throw first != null ? first : new NoHealthyReplicaException(volumeId);
        }
    }

    /**
     * Waits until every client request (read, write, flush) that started before this call has
     * finished, without pausing new ones (they count in the other epoch). Requests that start later
     * see the state the caller established before calling: the member list, modes and dirty bits.
     */
    synchronized void quiesce() {
        quiesce(Long.MAX_VALUE);
    }

    /** As {@link #quiesce()}, giving up after {@code timeoutNanos}; false when it gave up. */
    synchronized boolean quiesce(long timeoutNanos) {
        long t0 = System.nanoTime();
        int old = epoch;
        epoch = old + 1;
        java.util.concurrent.atomic.AtomicLong c = inFlight[old & 1];
        while (c.get() != 0) {
            if (System.nanoTime() - t0 > timeoutNanos) {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }

    /** Waits until every async replica has applied what was queued so far. */
    public void drainAsync() throws IOException {
        for (Member m : members) {
            if (!m.sync) {
                try {
                    m.asyncQueue.submit(() -> { }).get();
                } catch (InterruptedException | ExecutionException e) {
                    throw new IOException("async queue of " + m.id, e);
                }
            }
        }
    }

    @Override
    public long nextAllocated(long offset) throws IOException {
        return defaultSource().target.nextAllocated(offset);
    }

    @Override
    public long nextHole(long offset) throws IOException {
        return defaultSource().target.nextHole(offset);
    }

    private void checkRange(long offset, long length) throws OutOfRangeException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new OutOfRangeException(offset, length, size);
        }
    }

    @Override
    public void close() throws IOException {
        for (Member m : members) {
            if (m.asyncQueue != null) {
                m.asyncQueue.shutdown();
            }
        }
        fanout.shutdown();
    }

    /** No replica can serve the volume: the client gets EIO rather than stale data. */
    public static final class NoHealthyReplicaException extends IOException {
        public NoHealthyReplicaException(String volumeId) {
            super("volume " + volumeId + " has no healthy in-sync replica");
        }

        public NoHealthyReplicaException(String volumeId, Throwable cause) {
            super("volume " + volumeId + " has no healthy in-sync replica", cause);
        }
    }
}
