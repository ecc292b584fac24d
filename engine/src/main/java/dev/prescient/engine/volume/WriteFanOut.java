package dev.prescient.engine.volume;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.store.AtomicBitmap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The write side of a {@link ReplicaSet}: one mutation (write, unmap, write-zeroes) fanned out to
 * the members a request started with. One sync RW member is written on the caller's thread, the
 * others in parallel (a remote member in the background of that write, others on the pool);
 * async members get a copy on their own queue. The request succeeds once every sync RW member has
 * it; members that fail or were skipped record what they missed in their dirty bitmap and go ERR,
 * and a catching-up member whose round may overwrite the write with older data is marked dirty
 * again. Split from ReplicaSet, which keeps the member list, reads, flushes and quiescing.
 */
final class WriteFanOut {
    @FunctionalInterface
    interface Op {
        void apply(BlockTarget t, ByteBuffer data) throws IOException;

        /** Starts the op on a target that can finish it in the background, or null (see BlockTarget.startWrite). */
        default BlockTarget.PendingWrite start(BlockTarget t, ByteBuffer data) throws IOException {
            return null;
        }
    }

    private final String volumeId;
    private final int blockSize;
    private final ExecutorService fanout;
    private final BiConsumer<Member, String> setErr;

    WriteFanOut(String volumeId, int blockSize, ExecutorService fanout, BiConsumer<Member, String> setErr) {
        this.volumeId = volumeId;
        this.blockSize = blockSize;
        this.fanout = fanout;
        this.setErr = setErr;
    }

    /** Who takes one mutation: the member written on the caller's thread, the others, and who was skipped. */
    private static final class Plan {
        Member inline;
        List<Member> parallel;
        /**
         * Members this write skips because they are ERR now. Their miss is recorded by what they were at
         * dispatch, not by their mode then: a catch-up may turn ERR into WO meanwhile.
         */
        boolean[] skipped;
        long firstBlock;
        long endBlock;

        int others() {
            return parallel == null ? 0 : parallel.size();
        }
    }

    /** Sorts the members of {@code ms} for one mutation; async members get their copy queued here. */
    private Plan plan(Member[] ms, long offset, long length, ByteBuffer data, Op op) throws IOException {
        Plan p = new Plan();
        p.firstBlock = offset / blockSize;
        p.endBlock = (offset + length + blockSize - 1) / blockSize;
        for (int i = 0; i < ms.length; i++) {
            Member m = ms[i];
            if (m.mode == ReplicaMode.ERR) {
                if (p.skipped == null) {
                    p.skipped = new boolean[ms.length];
                }
                p.skipped[i] = true;
                continue;
            }
            if (!m.sync && m.mode == ReplicaMode.RW) {
                submitAsync(m, offset, length, data, op, p.firstBlock, p.endBlock);
            } else if (p.inline == null && m.mode == ReplicaMode.RW) {
                p.inline = m;
            } else {
                if (p.parallel == null) {
                    p.parallel = new ArrayList<>(ms.length);
                }
                p.parallel.add(m);
            }
        }
        if (p.inline == null) {
            throw new ReplicaSet.NoHealthyReplicaException(volumeId);
        }
        return p;
    }

    /**
     * Applies one mutation to every member of {@code ms} (the list the request started with) and
     * returns once the client may be answered; see {@link ReplicaSet} for the rules.
     */
    void apply(Member[] ms, long offset, long length, ByteBuffer data, Op op) throws IOException {
        Plan p = plan(ms, offset, length, data, op);
        int n = p.others();
        CompletableFuture<?>[] futures = new CompletableFuture<?>[n];
        // Members that can take the request in the background (a remote replica: the request is sent,
        // its answer awaited below) start on this thread: measured (two replicas, issue 19), handing
        // each write to the fan-out pool cost three thread wake-ups per request.
        BlockTarget.PendingWrite[] started = new BlockTarget.PendingWrite[n];
        IOException[] errors = new IOException[n];
        for (int i = 0; i < n; i++) {
            Member m = p.parallel.get(i);
            ByteBuffer d = data == null ? null : data.duplicate();
            try {
                started[i] = op.start(m.target, d);
            } catch (IOException e) {
                errors[i] = e;
            }
            if (started[i] == null && errors[i] == null) {
                futures[i] = CompletableFuture.runAsync(() -> {
                    try {
                        op.apply(m.target, d);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, fanout);
            }
        }
        IOException inlineErr = null;
        try {
            op.apply(p.inline.target, data == null ? null : data.duplicate());
        } catch (IOException e) {
            inlineErr = e;
        }
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                continue;
            }
            try {
                if (futures[i] != null) {
                    futures[i].get();
                } else {
                    started[i].await();
                }
            } catch (ExecutionException e) {
                errors[i] = asIo(e.getCause());
            } catch (IOException e) {
                errors[i] = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for replicas", e);
            }
        }
        finish(ms, p, inlineErr, errors);
    }

    /**
     * As {@link #apply}, but returns as soon as the caller's own part is done: {@code done} is called once every
     * member answered, on the thread that saw the last answer (a remote member's reader, or this one), with null
     * or what {@link #apply} would have thrown. Never throws instead of calling {@code done}.
     */
    void applyAsync(Member[] ms, long offset, long length, ByteBuffer data, Op op, BlockTarget.WriteDone done) {
        Plan p;
        try {
            p = plan(ms, offset, length, data, op);
        } catch (IOException | RuntimeException e) {
            done.done(e);
            return;
        }
        int n = p.others();
        IOException[] errors = new IOException[n];
        IOException[] inlineErr = new IOException[1];
        // The caller's part and each other member's answer count down; whoever is last settles the request.
        AtomicInteger left = new AtomicInteger(n + 1);
        Runnable arrived = () -> {
            if (left.decrementAndGet() == 0) {
                Throwable failure = null;
                try {
                    finish(ms, p, inlineErr[0], errors);
                } catch (IOException | RuntimeException e) {
                    failure = e;
                }
                done.done(failure);
            }
        };
        for (int i = 0; i < n; i++) {
            Member m = p.parallel.get(i);
            ByteBuffer d = data == null ? null : data.duplicate();
            int k = i;
            BlockTarget.PendingWrite started = null;
            try {
                started = op.start(m.target, d);
            } catch (IOException | RuntimeException e) {
                errors[k] = asIo(e);
                arrived.run();
                continue;
            }
            if (started != null) {
                started.whenDone(fanout, failure -> {
                    errors[k] = failure == null ? null : asIo(failure);
                    arrived.run();
                });
                continue;
            }
            try {
                CompletableFuture.runAsync(() -> {
                    try {
                        op.apply(m.target, d);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, fanout).whenComplete((ok, failure) -> {
                    errors[k] = failure == null ? null : asIo(failure instanceof CompletionException c ? c.getCause() : failure);
                    arrived.run();
                });
            } catch (RuntimeException e) {
                errors[k] = asIo(e); // the pool is shut down: the volume is closing
                arrived.run();
            }
        }
        try {
            op.apply(p.inline.target, data == null ? null : data.duplicate());
        } catch (IOException | RuntimeException e) {
            inlineErr[0] = asIo(e);
        }
        arrived.run();
    }

    private static IOException asIo(Throwable t) {
        return t instanceof IOException io ? io : new IOException(t);
    }

    /**
     * Settles one mutation once every member answered: counts the sync RW members that have it, marks the ones
     * that failed or were skipped ERR and dirty, and throws when none has it.
     */
    private void finish(Member[] ms, Plan p, IOException inlineErr, IOException[] errors) throws IOException {
        long firstBlock = p.firstBlock;
        long endBlock = p.endBlock;
        int ok = inlineErr == null ? 1 : 0;
        boolean allNoSpace = inlineErr == null || inlineErr instanceof NoSpaceException;
        IOException firstErr = inlineErr;
        List<Member> failed = new ArrayList<>(0);
        if (inlineErr != null) {
            failed.add(p.inline);
        }
        for (int i = 0; i < errors.length; i++) {
            Member m = p.parallel.get(i);
            IOException io = errors[i];
            if (io == null) {
                if (m.mode == ReplicaMode.RW) {
                    ok++;
                }
            } else if (m.mode == ReplicaMode.RW) {
                allNoSpace &= io instanceof NoSpaceException;
                firstErr = firstErr == null ? io : firstErr;
                failed.add(m);
            } else {
                // A catching-up replica failing never fails the client's write.
                m.dirty.setRange(firstBlock, endBlock);
                setErr.accept(m, "write failed while catching up: " + io.getMessage());
            }
        }
        if (ok == 0) {
            if (allNoSpace) {
                // Every replica is full: the client gets ENOSPC, nobody diverged from anybody.
                throw (NoSpaceException) firstErr;
            }
            for (Member m : failed) {
                setErr.accept(m, firstErr.getMessage());
                m.dirty.setRange(firstBlock, endBlock);
            }
            throw new ReplicaSet.NoHealthyReplicaException(volumeId, firstErr);
        }
        for (Member m : failed) {
            m.dirty.setRange(firstBlock, endBlock);
            setErr.accept(m, "write failed: " + m.id);
        }
        // After every replica has the data (see class comment): replicas this write skipped or
        // that went ERR record the miss; a replica whose catch-up round is running re-marks blocks
        // that round may overwrite with old data.
        for (int i = 0; i < ms.length; i++) {
            Member m = ms[i];
            if ((p.skipped != null && p.skipped[i]) || m.mode == ReplicaMode.ERR) {
                m.dirty.setRange(firstBlock, endBlock);
                continue;
            }
            AtomicBitmap c = m.copying;
            if (c == null) {
                continue;
            }
            // Only blocks the round may already have read can get an old copy after this
            // write; the round reads blocks not yet reached after this write's source write.
            long limit = Math.min(endBlock, m.copyCursor);
            long hit = c.nextSetBit(firstBlock);
            if (hit >= 0 && hit < limit) {
                m.dirty.setRange(firstBlock, endBlock);
            }
        }
    }

    private void submitAsync(Member m, long offset, long length, ByteBuffer data, Op op, long firstBlock,
                             long endBlock) throws IOException {
        // The caller reuses its buffer after we return, so an async replica gets a copy.
        ByteBuffer copy = null;
        int permits = (int) Math.min(length, m.maxLagBytes);
        if (data != null) {
            copy = ByteBuffer.allocateDirect(data.remaining());
            copy.put(data.duplicate()).flip();
        }
        try {
            m.lag.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for async replica " + m.id, e);
        }
        ByteBuffer d = copy;
        m.asyncQueue.execute(() -> {
            try {
                if (m.mode == ReplicaMode.RW) {
                    op.apply(m.target, d);
                } else {
                    m.dirty.setRange(firstBlock, endBlock);
                }
            } catch (IOException e) {
                m.dirty.setRange(firstBlock, endBlock);
                setErr.accept(m, "async write failed: " + e.getMessage());
            } finally {
                m.lag.release(permits);
            }
        });
    }
}
