package dev.prescient.engine.volume;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.store.AtomicBitmap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/** One replica in a set: its target, placement, replication mode and dirty bitmap. */
public final class Member {
    private static final VarHandle MODE;

    static {
        try {
            MODE = MethodHandles.lookup().findVarHandle(Member.class, "mode", ReplicaMode.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String id;
    final BlockTarget target;
    final boolean local;
    final boolean sync;
    final AtomicBitmap dirty;
    volatile ReplicaMode mode;
    /** The blocks a catch-up round is copying right now (see ReplicaSet class comment), or null. */
    volatile AtomicBitmap copying;
    /** Blocks below this index may already have been read by the running round. */
    volatile long copyCursor;
    volatile String lastError;
    // Async replicas: writes are queued in order on one thread; the semaphore bounds the lag in bytes.
    final ExecutorService asyncQueue;
    final Semaphore lag;
    final int maxLagBytes;

    Member(String id, BlockTarget target, boolean local, boolean sync, long blocks, int maxLagBytes) {
        this.id = id;
        this.target = target;
        this.local = local;
        this.sync = sync;
        this.dirty = new AtomicBitmap(blocks);
        this.mode = ReplicaMode.WO;
        this.maxLagBytes = maxLagBytes;
        if (sync) {
            this.asyncQueue = null;
            this.lag = null;
        } else {
            this.asyncQueue = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "async-replica " + id);
                t.setDaemon(true);
                return t;
            });
            this.lag = new Semaphore(maxLagBytes);
        }
    }

    /**
     * WO to RW, unless the replica went ERR meanwhile (a write failed on it): a failure is never
     * overwritten by a promotion.
     */
    boolean promote() {
        return MODE.compareAndSet(this, ReplicaMode.WO, ReplicaMode.RW);
    }

    public String id() {
        return id;
    }

    public ReplicaMode mode() {
        return mode;
    }

    public boolean isSync() {
        return sync;
    }

    public boolean isLocal() {
        return local;
    }

    public BlockTarget target() {
        return target;
    }

    public long dirtyBlocks() {
        return dirty.cardinality();
    }

    public String lastError() {
        return lastError;
    }

    /** Bytes queued to an async replica and not yet written there. */
    public long lagBytes() {
        return lag == null ? 0 : maxLagBytes - lag.availablePermits();
    }
}
